//! The site's message infrastructure (`[infrastructure]`): management points, Status Manager
//! (status messages, `statmgr.box`), the State System (state messages, `statesys.box`), their
//! rates and their outages.

use std::fmt;

use super::duration::{DurationDisplay, Millis};
use super::reader::{ReadResult, Table};
use super::windows::parse_week_time;

/// Most management points a scenario may have (a primary site supports 15; allow headroom).
pub const MAX_MANAGEMENT_POINTS: i64 = 1_000;
/// Most Status Manager workers a scenario may have.
pub const MAX_WORKERS: i64 = 1_024;
/// The highest rate (messages a second) a component may have.
pub const MAX_RATE: f64 = 1.0e7;

/// The `[infrastructure]` section.
#[derive(Debug, Clone, PartialEq)]
pub struct Infrastructure {
    /// Number of management points; servers are spread evenly over them.
    pub management_points: u32,
    /// Messages a second one MP forwards; `None`: MPs forward instantly.
    pub mp_rate: Option<f64>,
    /// Messages a second one Status Manager worker processes; `None` only when no message is
    /// ever sent.
    pub status_manager_rate: Option<f64>,
    /// Status Manager workers.
    pub status_manager_workers: u32,
    /// Messages a second one State System worker processes; `None`: Status Manager's rate
    /// ([`Infrastructure::state_system_rate`]).
    pub state_system_rate: Option<f64>,
    /// State System workers; `None`: as many as Status Manager's.
    pub state_system_workers: Option<u32>,
    /// How processing times vary around `1/rate`.
    pub service: Service,
    /// Periods when a component serves nothing.
    pub outages: Vec<Outage>,
}

/// How a component's processing time varies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// Exactly `1/rate` per message.
    Fixed,
    /// Exponential with mean `1/rate`.
    Exponential,
}

/// A component that can have an outage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Component {
    /// Status Manager on the site server.
    StatusManager,
    /// The State System on the site server.
    StateSystem,
    /// Every management point.
    AllManagementPoints,
    /// One management point (0-based index; written `mp:N` 1-based).
    ManagementPoint(u32),
}

/// A period when a component serves nothing; messages wait, none is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outage {
    /// What is down.
    pub component: Component,
    /// When it goes down (milliseconds since Monday 00:00).
    pub at: Millis,
    /// How long it stays down.
    pub length: Millis,
}

impl Default for Infrastructure {
    fn default() -> Self {
        Self {
            management_points: 1,
            mp_rate: None,
            status_manager_rate: None,
            status_manager_workers: 1,
            state_system_rate: None,
            state_system_workers: None,
            service: Service::Fixed,
            outages: Vec::new(),
        }
    }
}

impl Infrastructure {
    /// The keys `[infrastructure]` accepts.
    pub const KEYS: &'static [&'static str] = &[
        "management_points",
        "mp_rate",
        "status_manager_rate",
        "status_manager_workers",
        "state_system_rate",
        "state_system_workers",
        "service",
        "outages",
    ];

    /// The State System's rate: its own, or Status Manager's (no published figure sets it apart).
    pub fn state_system_rate(&self) -> Option<f64> {
        self.state_system_rate.or(self.status_manager_rate)
    }

    /// The State System's workers: its own, or as many as Status Manager's.
    pub fn state_system_workers(&self) -> u32 {
        self.state_system_workers.unwrap_or(self.status_manager_workers)
    }

    /// Reads `[infrastructure]`.
    pub fn read(t: &Table<'_, '_>) -> ReadResult<Self> {
        let mut infra = Self::default();
        if let Some(v) = t.get("management_points") {
            infra.management_points = v.integer_in(1, MAX_MANAGEMENT_POINTS)? as u32;
        }
        if let Some(v) = t.get("mp_rate") {
            infra.mp_rate = Some(read_rate(&v)?);
        }
        if let Some(v) = t.get("status_manager_rate") {
            infra.status_manager_rate = Some(read_rate(&v)?);
        }
        if let Some(v) = t.get("status_manager_workers") {
            infra.status_manager_workers = v.integer_in(1, MAX_WORKERS)? as u32;
        }
        if let Some(v) = t.get("state_system_rate") {
            infra.state_system_rate = Some(read_rate(&v)?);
        }
        if let Some(v) = t.get("state_system_workers") {
            infra.state_system_workers = Some(v.integer_in(1, MAX_WORKERS)? as u32);
        }
        if let Some(v) = t.get("service") {
            infra.service = match v.str()? {
                "fixed" => Service::Fixed,
                "exponential" => Service::Exponential,
                other => {
                    return Err(v.error(format!("unknown service \"{other}\"; use \"fixed\" or \"exponential\"")));
                }
            };
        }
        if let Some(v) = t.get("outages") {
            for item in v.array()? {
                let ot = item.table(&["component", "at", "length"])?;
                let comp_v = ot.req("component")?;
                let comp = comp_v.str()?.trim();
                let component = match comp {
                    "status_manager" => Component::StatusManager,
                    "state_system" => Component::StateSystem,
                    "mp" => Component::AllManagementPoints,
                    other => match other.strip_prefix("mp:").map(|n| n.trim().parse::<u32>()) {
                        Some(Ok(n)) if n >= 1 && n <= infra.management_points => Component::ManagementPoint(n - 1),
                        Some(Ok(n)) => {
                            return Err(comp_v.error(format!(
                                "there is no management point {n}: the site has {} (mp:1 to mp:{})",
                                infra.management_points, infra.management_points
                            )));
                        }
                        _ => {
                            return Err(comp_v.error(format!(
                                "unknown component \"{other}\"; use \"status_manager\", \"state_system\", \"mp\" (every MP) or \"mp:N\" (one MP)"
                            )));
                        }
                    },
                };
                let at_v = ot.req("at")?;
                let at = parse_week_time(at_v.str()?).map_err(|m| at_v.error(m))?;
                let len_v = ot.req("length")?;
                let length = len_v.duration()?;
                if length == 0 {
                    return Err(len_v.error("an outage must last longer than 0s"));
                }
                infra.outages.push(Outage { component, at, length });
            }
        }
        Ok(infra)
    }
}

/// The slowest rate a component may have: one message in 1,000 seconds (a site that slow is
/// down, which `outages` describe).
pub const MIN_RATE: f64 = 0.001;

fn read_rate(v: &super::reader::Value<'_, '_>) -> ReadResult<f64> {
    let rate = v.f64()?;
    if rate < MIN_RATE {
        return Err(v.error(format!(
            "a rate is messages a second and must be at least {MIN_RATE} (one message in 1,000 seconds), found {rate}"
        )));
    }
    if rate > MAX_RATE {
        return Err(v.error(format!("{rate} messages a second is absurd (at most {MAX_RATE})")));
    }
    Ok(rate)
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::StatusManager => f.write_str("status_manager"),
            Self::StateSystem => f.write_str("state_system"),
            Self::AllManagementPoints => f.write_str("mp"),
            Self::ManagementPoint(i) => write!(f, "mp:{}", i + 1),
        }
    }
}

impl fmt::Display for Outage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} down {} for {}",
            self.component,
            super::windows::format_week_time(self.at),
            DurationDisplay(self.length)
        )
    }
}
