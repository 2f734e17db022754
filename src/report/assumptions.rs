//! What a scenario assumes, as text: the fleet, the windows, the deployment, the site and the
//! step tree. `patchsim validate` prints it; reports carry it as their assumptions.

use std::fmt::Write;

use super::table::grouped;
use crate::scenario::distribution::tidy;
use crate::scenario::duration::DurationDisplay;
use crate::scenario::resource::{Capacity, ResourceAssign, ResourceKind};
use crate::scenario::size::{RateDisplay, SizeDisplay};
use crate::scenario::{Action, Assign, MessageKind, Node, NodeKind, Scenario, Service, Step};

/// A description of what a scenario says, for a patching admin to check.
pub fn describe(s: &Scenario) -> String {
    let mut out = String::new();
    write_name(&mut out, s);
    write_fleet(&mut out, s);
    write_windows(&mut out, s);
    write_deployment(&mut out, s);
    write_site(&mut out, s);
    write_resources(&mut out, s);
    write_steps(&mut out, s);
    out
}

/// The scenario's name, description and run.
fn write_name(out: &mut String, s: &Scenario) {
    let _ = writeln!(out, "Scenario {}", s.name);
    if !s.description.is_empty() {
        let _ = writeln!(out, "  {}", s.description);
    }
    let _ = writeln!(out, "  run: seed {}, {} replications", s.run.seed, s.run.replications);
}

/// The fleet, its classes and counts.
fn write_fleet(out: &mut String, s: &Scenario) {
    let f = &s.fleet;
    let _ = writeln!(
        out,
        "\nFleet: {} servers; {:.2}% on an extension (excluded), {:.2}% offline, {:.2}% with a restart pending",
        grouped(f.servers as f64, 0),
        f.extension * 100.0,
        f.offline * 100.0,
        f.pending_restart * 100.0
    );
    for c in &f.classes {
        let _ = write!(out, "  class {:<16} {:>6.2}%", c.name, c.share * 100.0);
        if !c.variables.is_empty() {
            let vars: Vec<String> = c.variables.iter().map(|(k, v)| format!("{k}='{v}'")).collect();
            let _ = write!(out, "  variables {}", vars.join(", "));
        }
        if let Some(r) = &c.restart {
            let _ = write!(out, "  restart {r}");
        }
        for (i, d) in &c.counts {
            let _ = write!(out, "  {} = {d}", f.counts[*i].name);
        }
        out.push('\n');
    }
    for c in &f.counts {
        let _ = writeln!(out, "  count {:<16} {} (mean {:.2})", c.name, c.dist, c.dist.mean());
    }
}

/// The windows and how servers are assigned to them.
fn write_windows(out: &mut String, s: &Scenario) {
    let (f, w) = (&s.fleet, &s.windows);
    let days: Vec<&str> = {
        let mut d: Vec<&str> = w.list.iter().map(|x| x.day.name()).collect();
        d.dedup();
        d
    };
    let starts: Vec<String> = {
        let mut v: Vec<String> = w.list.iter().map(|x| x.name[4..].to_owned()).collect();
        v.truncate(w.list.len() / days.len().max(1));
        v
    };
    let _ = writeln!(
        out,
        "\nWindows: {} ({} days × {} starts), each {} long; days {}; starts {}",
        w.list.len(),
        days.len(),
        starts.len(),
        DurationDisplay(w.length),
        days.join(" "),
        starts.join(" ")
    );
    match &w.assign {
        Assign::Even => {
            let per = f.servers as f64 * (1.0 - f.extension) / w.list.len() as f64;
            let _ = writeln!(out, "  servers spread evenly: about {per:.1} targeted a window");
        }
        Assign::Weights { weights, .. } => {
            let total: f64 = weights.iter().sum();
            let busiest = weights.iter().copied().fold(0.0, f64::max) / total;
            let _ = writeln!(out, "  servers drawn by weights; the busiest window gets {:.1}%", busiest * 100.0);
        }
        Assign::Inventory(inv) => {
            let counts = inv.window_counts(w.list.len());
            let busiest = counts.iter().enumerate().max_by_key(|(i, c)| (**c, std::cmp::Reverse(*i)));
            let empty = counts.iter().filter(|c| **c == 0).count();
            let _ = write!(out, "  servers from the inventory {}: {} listed", inv.file, inv.len());
            if let Some((i, c)) = busiest {
                let _ = write!(out, "; the busiest window, {}, has {c}", w.list[i].name);
            }
            if empty > 0 {
                let _ = write!(out, "; {empty} windows have none");
            }
            let classes = inv.classes.iter().filter(|c| c.is_some()).count();
            let extension = inv.extension.iter().filter(|e| **e == Some(true)).count();
            let _ = writeln!(
                out,
                "\n  {classes} with a listed class, {extension} listed on an extension; {} collection variables{}",
                inv.variables.len(),
                if inv.variables.is_empty() { String::new() } else { format!(" ({})", inv.variables.join(", ")) }
            );
        }
    }
}

/// The deployment and restarts.
fn write_deployment(out: &mut String, s: &Scenario) {
    let (d, w) = (&s.deployment, &s.windows);
    let mrt = if d.max_run_time == 0 {
        if d.stop_at_max_run_time {
            "none (no start check; stopped at the 12-hour monitoring limit)".to_owned()
        } else {
            "none (no start check, never stopped)".to_owned()
        }
    } else {
        format!(
            "{}{}",
            DurationDisplay(d.max_run_time),
            if d.stop_at_max_run_time { ", runs stopped when reached" } else { ", not stopped when reached" }
        )
    };
    let _ = writeln!(out, "\nDeployment: max run time {mrt}; start delay {}", d.start_delay);
    if d.max_run_time > w.length {
        let _ = writeln!(
            out,
            "  warning: the max run time ({}) is longer than every window ({}): no sequence will start",
            DurationDisplay(d.max_run_time),
            DurationDisplay(w.length)
        );
    }
    let _ = write!(out, "Restart: {}; {:.3}% hang", s.restart.duration, s.restart.hang * 100.0);
    if let Some(id) = s.restart.uses {
        let _ = write!(out, "; every restart runs on \"{}\"", s.resources[id as usize].name);
    }
    out.push('\n');
}

/// The site: management points, Status Manager, outages, messages per event.
fn write_site(out: &mut String, s: &Scenario) {
    let i = &s.infrastructure;
    let _ = write!(out, "Infrastructure: {} management point(s)", i.management_points);
    match i.mp_rate {
        Some(r) => {
            let _ = write!(out, " forwarding {r} msg/s each");
        }
        None => out.push_str(" forwarding instantly"),
    }
    if let Some(r) = i.status_manager_rate {
        let _ = write!(
            out,
            "; Status Manager {r} msg/s × {} worker(s), {} service",
            i.status_manager_workers,
            match i.service {
                Service::Fixed => "fixed",
                Service::Exponential => "exponential",
            }
        );
    }
    out.push('\n');
    for o in &i.outages {
        let _ = writeln!(out, "  outage: {o}");
    }
    let counts: Vec<String> = MessageKind::ALL.iter().map(|k| format!("{}={}", k.key(), s.messages.get(*k))).collect();
    let _ = writeln!(out, "Messages per event: {}", counts.join(" "));
}

/// The shared resources (format 1.1): nothing when the scenario declares none.
fn write_resources(out: &mut String, s: &Scenario) {
    if s.resources.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nResources: {}", s.resources.len());
    for r in &s.resources {
        let instances = if r.instances == 1 { "1 instance".to_owned() } else { format!("{} instances", r.instances) };
        let _ = write!(out, "  \"{}\": {}, {instances}", r.name, r.kind.name());
        match &r.kind {
            ResourceKind::Shared { capacity: Capacity::Rate(rate), per_user } => {
                let per_second = rate * 1000.0;
                let per_second = if per_second >= 1000.0 {
                    SizeDisplay(per_second.round() as u64).to_string()
                } else {
                    format!("{}B", crate::scenario::overrides::number_text(per_second))
                };
                let _ = write!(out, ", capacity {} ({per_second}/s)", RateDisplay(*rate));
                match per_user {
                    Some(cap) => {
                        let _ = write!(out, ", an activity gets at most {}", RateDisplay(*cap));
                    }
                    None => out.push_str(", no cap an activity"),
                }
            }
            ResourceKind::Shared { capacity: Capacity::Concurrent(n), per_user } => {
                let _ = write!(
                    out,
                    ", capacity {} concurrent at full speed, an activity gets at most {}% of full speed",
                    crate::scenario::overrides::number_text(*n),
                    tidy(per_user.unwrap_or(1.0) * 100.0)
                );
            }
            ResourceKind::Slots { slots, queue, retry_after, retries } => {
                let _ = write!(out, ", {}", plural(*slots as usize, "slot"));
                match queue {
                    Some(q) => {
                        let _ = write!(
                            out,
                            ", queue {q}; a refused request is tried again after {}, {} at most",
                            DurationDisplay(*retry_after),
                            plural(*retries as usize, "time")
                        );
                    }
                    None => out.push_str(", unbounded queue (never refused)"),
                }
            }
        }
        match &r.assign {
            ResourceAssign::Even if r.instances == 1 => out.push_str("; every server uses it"),
            ResourceAssign::Even => {
                let _ = write!(out, "; assigned evenly (fleet index mod {})", r.instances);
            }
            ResourceAssign::Random => out.push_str("; assigned at random"),
            ResourceAssign::Inventory { column, names, .. } => {
                let shown: Vec<&str> = names.iter().take(8).map(String::as_str).collect();
                let more = if names.len() > 8 { ", …" } else { "" };
                let _ = write!(out, "; assigned by the inventory column {column} ({}{more})", shown.join(", "));
            }
        }
        out.push('\n');
        for o in &r.outages {
            let _ = writeln!(out, "    outage: {o}");
        }
    }
}

/// What a step's activities run on, its download and its scan, for the step tree (empty when
/// it names no resource).
fn resource_text(s: &Scenario, step: &Step) -> String {
    let mut parts = Vec::new();
    let u = &step.uses;
    let named: Vec<String> =
        [("run", u.run), ("scan", u.scan), ("download", u.download), ("install", u.install), ("restart", u.restart)]
            .iter()
            .filter_map(|(activity, id)| id.map(|id| format!("{activity} on \"{}\"", s.resources[id as usize].name)))
            .collect();
    if !named.is_empty() {
        parts.push(named.join(", "));
    }
    if let Some(d) = &step.download {
        parts.push(format!("downloads {} an item, {}% cached", d.size, tidy(d.cached * 100.0)));
    }
    if let Action::InstallUpdates(settings) = &step.action
        && settings.scan_cached
    {
        parts.push("scan reads the previous scan's results".to_owned());
    }
    if parts.is_empty() { String::new() } else { format!("; {}", parts.join("; ")) }
}

/// The step tree.
fn write_steps(out: &mut String, s: &Scenario) {
    let (steps, groups) = s.node_counts();
    let _ = writeln!(out, "\nTask sequence: {} in {}", plural(steps, "step"), plural(groups, "group"));
    for (index, node) in s.steps.iter().enumerate() {
        tree(out, s, node, &format!("{}", index + 1), 1);
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

fn tree(out: &mut String, s: &Scenario, node: &Node, number: &str, depth: usize) {
    let indent = "  ".repeat(depth);
    let mut flags = Vec::new();
    if node.disabled {
        flags.push("disabled".to_owned());
    }
    if node.continue_on_error {
        flags.push("continue on error".to_owned());
    }
    if let Some(c) = &node.condition {
        flags.push(format!("if {c}"));
        if c.probes() > 0 {
            flags.push(format!("each probe holds {}%", crate::scenario::distribution::tidy(node.probe_holds * 100.0)));
        }
    }
    let flags = if flags.is_empty() { String::new() } else { format!("  [{}]", flags.join("; ")) };
    match &node.kind {
        NodeKind::Group(children) => {
            let _ = writeln!(out, "{indent}{number}. group \"{}\"{flags}", node.name);
            for (i, child) in children.iter().enumerate() {
                tree(out, s, child, &format!("{number}.{}", i + 1), depth + 1);
            }
        }
        NodeKind::Step(step) => {
            let messages = step.messages.map(|m| format!(", {m} messages")).unwrap_or_default();
            let resources = resource_text(s, step);
            let _ = writeln!(out, "{indent}{number}. \"{}\": {}{messages}{resources}{flags}", node.name, step.action);
        }
    }
}
