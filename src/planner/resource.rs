//! `patchsim plan resource`: the smallest capacity, slot count or instance count of a shared
//! resource that keeps the overran share within a bound.
//!
//! More of a resource never makes a server wait longer for it (a faster or wider instance serves
//! every activity no later, more slots start every request no later), so the overran share falls
//! as the searched value grows and a bracket-and-bisect search on common random numbers finds
//! where it crosses the bound. More instances re-deal the servers among them (`even`: index mod
//! instances), which is monotone in the load each instance carries, not server by server.

use super::plan::{
    Answer, Bound, Detail, Evaluation, Finding, Knob, Plan, PlanError, PlanKind, Search, Toward, question,
};
use crate::montecarlo::Figure;
use crate::scenario::Scenario;
use crate::scenario::resource::{
    Capacity, MAX_CONCURRENT, MAX_INSTANCES, MAX_SLOTS, ResourceAssign, ResourceId, ResourceKind,
};
use crate::scenario::size::{MAX_RATE, RateDisplay};

/// Bytes a millisecond in one megabit a second.
const MBPS: f64 = 1.0e6 / 8.0 / 1_000.0;

/// What of a resource a plan searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sizing {
    /// A shared resource's rate, in whole megabits a second.
    Rate,
    /// A shared resource's concurrent full-speed activities, whole numbers.
    Concurrent,
    /// A slots resource's slots.
    Slots,
    /// How many instances (even or random assignment only).
    Instances,
}

impl Sizing {
    /// What the plan says it searched.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Rate | Self::Concurrent => "capacity",
            Self::Slots => "slots",
            Self::Instances => "instances",
        }
    }

    /// The largest value the search may try, in its own unit.
    fn limit(self) -> f64 {
        match self {
            Self::Rate => (MAX_RATE / MBPS).floor(),
            Self::Concurrent => MAX_CONCURRENT,
            Self::Slots => MAX_SLOTS as f64,
            Self::Instances => MAX_INSTANCES as f64,
        }
    }
}

/// The searched quantity of one resource.
struct ResourceSize {
    id: ResourceId,
    sizing: Sizing,
}

impl Knob for ResourceSize {
    fn apply(&self, scenario: &Scenario, value: f64) -> Result<Scenario, PlanError> {
        let mut s = scenario.clone();
        let r = &mut s.resources[self.id as usize];
        let v = value.max(1.0);
        match (self.sizing, &mut r.kind) {
            (Sizing::Rate, ResourceKind::Shared { capacity, .. }) => *capacity = Capacity::Rate(v * MBPS),
            (Sizing::Concurrent, ResourceKind::Shared { capacity, .. }) => *capacity = Capacity::Concurrent(v),
            (Sizing::Slots, ResourceKind::Slots { slots, .. }) => *slots = v as u32,
            (Sizing::Instances, _) => r.instances = v as u32,
            _ => return Err(PlanError::Question(format!("resource \"{}\" has no {}", r.name, self.sizing.name()))),
        }
        Ok(s)
    }

    fn label(&self, value: f64) -> String {
        match self.sizing {
            Sizing::Rate => RateDisplay(value * MBPS).to_string(),
            Sizing::Concurrent => format!("{} at once", value as u64),
            Sizing::Slots => format!("{} slots", value as u64),
            Sizing::Instances => format!("{} instances", value as u64),
        }
    }
}

/// What to search of the named resource, and its value today (in the search's unit).
fn what(scenario: &Scenario, name: &str, instances: bool) -> Result<(ResourceId, Sizing, f64), PlanError> {
    let Some(index) = scenario.resources.iter().position(|r| r.name.eq_ignore_ascii_case(name)) else {
        let names: Vec<&str> = scenario.resources.iter().map(|r| r.name.as_str()).collect();
        return Err(PlanError::Question(if names.is_empty() {
            format!("the scenario declares no [[resource]], so there is no \"{name}\" to size")
        } else {
            format!("there is no resource \"{name}\"; the scenario's resources are {}", names.join(", "))
        }));
    };
    let r = &scenario.resources[index];
    let (sizing, now) = if instances {
        if let ResourceAssign::Inventory { column, .. } = &r.assign {
            return Err(PlanError::Question(format!(
                "resource \"{}\" takes its instances from the inventory column \"{column}\": add instances there, or assign them \"even\" or \"random\" to search how many",
                r.name
            )));
        }
        (Sizing::Instances, f64::from(r.instances))
    } else {
        match &r.kind {
            ResourceKind::Shared { capacity: Capacity::Rate(rate), .. } => (Sizing::Rate, (rate / MBPS).round()),
            ResourceKind::Shared { capacity: Capacity::Concurrent(n), .. } => (Sizing::Concurrent, n.round()),
            ResourceKind::Slots { slots, .. } => (Sizing::Slots, f64::from(*slots)),
        }
    };
    Ok((index as ResourceId, sizing, now.clamp(1.0, sizing.limit())))
}

/// The smallest capacity (a shared resource's rate or concurrent activities), slot count, or —
/// with `instances` — instance count of the named resource that keeps the overran share within
/// `max_overran`.
pub fn plan_resource(
    scenario: &Scenario,
    name: &str,
    instances: bool,
    max_overran: f64,
    eval: Evaluation,
) -> Result<Plan, PlanError> {
    let (id, sizing, start) = what(scenario, name, instances)?;
    let resource = scenario.resources[id as usize].name.clone();
    let bounds = vec![Bound::MaxOverran(max_overran)];
    let searched = match sizing {
        Sizing::Rate => "capacity, whole megabits a second",
        Sizing::Concurrent => "capacity, whole concurrent full-speed activities",
        Sizing::Slots => "slots",
        Sizing::Instances => "instances",
    };
    let detail = Detail::Resource { resource: resource.clone(), searched: searched.to_owned() };
    let q = question(PlanKind::Resource, scenario, &eval, &bounds, detail);
    let mut search = Search {
        base: scenario,
        knob: ResourceSize { id, sizing },
        eval,
        bounds: bounds.clone(),
        figures: vec![Figure::Overran, Figure::Failed],
        evidence: Vec::new(),
    };
    // Bracket the answer by halving or doubling from today's value.
    let (mut lo, mut hi) = (start, start);
    if search.at(start)? {
        loop {
            if lo <= 1.0 {
                let finding = Finding::Resource { smallest: 1.0, floor: true };
                return Ok(search.finish(q, &bounds, answer(&resource, sizing, 1.0), finding));
            }
            lo = (lo / 2.0).floor().max(1.0);
            if !search.at(lo)? {
                break;
            }
            hi = lo;
        }
    } else {
        loop {
            if hi >= sizing.limit() {
                return Ok(search.finish(q, &bounds, Answer::None {}, Finding::NoResource { at: hi }));
            }
            lo = hi;
            hi = (hi * 2.0).min(sizing.limit());
            if search.at(hi)? {
                break;
            }
        }
    }
    // Bisection: to whole units, and rates to 1% of the answer.
    let tolerance = |hi: f64| if sizing == Sizing::Rate { (hi * 0.01).max(1.0) } else { 1.0 };
    while hi - lo > tolerance(hi) {
        let mid = ((lo + hi) / 2.0).floor();
        if search.at(mid)? { hi = mid } else { lo = mid }
    }
    let smallest = search.resolved(hi, Toward::Up)?;
    let finding = Finding::Resource { smallest, floor: false };
    Ok(search.finish(q, &bounds, answer(&resource, sizing, smallest), finding))
}

/// The answer: `value` in the search's unit, as the scenario would write it.
fn answer(resource: &str, sizing: Sizing, value: f64) -> Answer {
    let (amount, setting) = match sizing {
        Sizing::Rate => (value * 1.0e6, RateDisplay(value * MBPS).to_string()),
        _ => (value, format!("{}", value as u64)),
    };
    Answer::Resource { resource: resource.to_owned(), searched: sizing.name().to_owned(), amount, setting }
}
