//! How much memory a run needs, estimated before it starts, and how many worker threads fit.
//!
//! Almost all of a run's memory is the messages of the replication each worker thread is
//! simulating: every status and state message is 8 bytes in its management point's list, the
//! lists grow by doubling, and the site sorts them (and, when the management points forward
//! instantly, gathers them into one list first). The estimate runs a pilot — the first servers
//! of the fleet, once — to learn how many messages a server sends, and scales that to the
//! fleet with a margin; it adds each worker's fixed buffers (histograms, one per window) and
//! what the run keeps beside (servers.csv and history.csv rows, the report). A run is then given
//! as many threads as fit in the memory available, or refused up front when even one does not.

use std::fmt;

use crate::engine::Simulator;
use crate::messages::Emissions;
use crate::scenario::Scenario;
use crate::sequence::Program;

/// Servers the pilot simulates.
const PILOT_SERVERS: u64 = 1_024;
/// The margin on the pilot's messages a server (its sampling error, and heavier replications).
const MARGIN: f64 = 1.5;
/// Fixed memory of one worker: its histograms, buffers and the site's queues.
const WORKER_FIXED: u64 = 8 << 20;
/// Memory of one worker per window: that window's histogram and totals.
const WORKER_PER_WINDOW: u64 = 48 << 10;
/// What the whole run keeps besides its workers: the scenario's program, the report.
const RUN_FIXED: u64 = 64 << 20;

/// What a run of a scenario would take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemoryEstimate {
    /// Servers in the fleet.
    pub servers: u64,
    /// Status and state messages a server sends in a replication (the pilot's mean).
    pub messages_per_server: f64,
    /// Bytes each worker thread needs.
    pub per_worker: u64,
    /// Bytes the run needs once, whatever its threads.
    pub shared: u64,
    /// Of `per_worker`, what a coupled replication (shared resources) keeps of every server's
    /// run at once (0 without resources).
    pub coupled: u64,
}

/// The most messages the pilot may make before the estimate takes the scenario's bound instead.
const PILOT_MESSAGES: f64 = 16e6;

/// An upper bound on the mean number of status and state messages one server sends: every step
/// and group as if it ran, every item count at its mean (the most of any class), every restart
/// a step could cause taken.
pub fn messages_bound(scenario: &Scenario) -> f64 {
    use crate::scenario::{Action, Items, MessageKind as K, NodeKind};
    let m = |k: K| f64::from(scenario.messages.get(k));
    let restart = m(K::Restart);
    let items_mean = |items: &Items| match items {
        Items::Dist(d) => d.mean(),
        Items::Named { index, .. } => {
            let fleet = &scenario.fleet;
            let base = fleet.counts.get(*index).map_or(0.0, |c| c.dist.mean());
            fleet
                .classes
                .iter()
                .flat_map(|c| c.counts.iter())
                .filter(|(i, _)| i == index)
                .map(|(_, d)| d.mean())
                .fold(base, f64::max)
        }
    };
    let mut total = m(K::RunStarted)
        + m(K::RunCompleted).max(m(K::RunFailed))
        + restart
        + 2.0 * f64::from(scenario.messages.state_per_deployment);
    for node in &scenario.steps {
        node.walk(0, &mut |n, _| match &n.kind {
            NodeKind::Group(_) => total += (m(K::GroupStarted) + m(K::GroupCompleted)).max(m(K::GroupSkipped)),
            NodeKind::Step(step) => {
                let done = step.messages.map_or(m(K::StepSucceeded).max(m(K::StepFailed)), f64::from);
                let skipped = m(K::StepSkipped).max(m(K::StepDisabled));
                total += match &step.action {
                    Action::InstallSoftware { items, .. } => items_mean(items) * (done + restart),
                    Action::InstallUpdates(u) => {
                        let state = &scenario.messages;
                        let per_item = f64::from(state.state_per_update) + f64::from(state.state_per_detection);
                        // Two scans (before and after the step's restart).
                        done + 2.0 * restart + items_mean(&u.items) * per_item + 2.0 * f64::from(state.state_per_scan)
                    }
                    Action::Command { .. } | Action::Restart { .. } => done + restart,
                    _ => done,
                }
                .max(skipped);
            }
        });
    }
    total
}

/// What a run keeps beyond its statistics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Extras {
    /// Every server's record of one replication (`servers.csv`).
    pub servers_csv: bool,
    /// One replication's execution history (`history.csv`).
    pub history_csv: bool,
}

/// Bytes a coupled replication keeps of every server besides its variables, counts and
/// instances: its record, start and placement, its entry while idle, its current activity and
/// its waits (about 400 bytes a server were measured at 1,000,000 servers).
const COUPLED_PER_SERVER: f64 = 384.0;

/// Bytes of one run under way besides its checkpoint's copy of the variables: the server's
/// entry, its answers and its checkpoint.
const COUPLED_PER_LIVE_RUN: f64 = 1_024.0;

impl MemoryEstimate {
    /// Estimates a run of `scenario`: a pilot replication of its first servers says how many
    /// messages (and history rows) a server makes — unless the sequence could make so many
    /// that the pilot itself would not fit, when the scenario's own upper bound stands in.
    pub fn of(scenario: &Scenario, program: &Program, extras: Extras) -> Self {
        let servers = scenario.fleet.servers;
        let pilot = servers.min(PILOT_SERVERS);
        let bound = messages_bound(scenario);
        let (per_server, events_per_server) = if bound * pilot as f64 <= PILOT_MESSAGES {
            let sim = Simulator::new(scenario, program);
            let mut scratch = sim.scratch();
            let mut emissions = Emissions::new(scenario.infrastructure.management_points as usize);
            let mut events = 0u64;
            sim.run_replication_prefix(1, 0, pilot, &mut scratch, &mut emissions, |r| events += u64::from(r.events));
            let messages = emissions.status_total() + emissions.state_total();
            (messages as f64 / pilot.max(1) as f64, events as f64 / pilot.max(1) as f64)
        } else {
            (bound, bound)
        };
        let per_replication = per_server * servers as f64 * MARGIN + 1_024.0;
        // Each message: its list (up to twice its size while growing) and the sort buffer; with
        // instant management points also the gathered list (again up to twice).
        let instant = scenario.infrastructure.mp_rate.is_none();
        let bytes_a_message = if instant { 40.0 } else { 24.0 };
        let mut per_worker = WORKER_FIXED
            + WORKER_PER_WINDOW * scenario.windows.list.len() as u64
            + (per_replication * bytes_a_message) as u64;
        let events_per_server = events_per_server * MARGIN;
        let mut coupled = 0;
        if program.uses_resources {
            // A coupled replication keeps every server's variables, counts and instances and a
            // few hundred bytes more at once; and a slot (with the checkpoint's copy of the
            // variables) for each run under way, taken as four windows' servers at once.
            let variables = 4.0 * program.variable_count() as f64;
            let state =
                COUPLED_PER_SERVER + variables + 4.0 * (scenario.fleet.counts.len() + scenario.resources.len()) as f64;
            let windows = scenario.windows.list.len().max(1) as f64;
            let live = (servers as f64).min(4.0 * servers as f64 / windows);
            let slots = live * (COUPLED_PER_LIVE_RUN + 2.0 * variables);
            coupled = (servers as f64 * state + slots) as u64;
            per_worker += coupled;
        }
        let mut shared = RUN_FIXED;
        if extras.servers_csv {
            shared += servers * 160;
        }
        if extras.history_csv {
            shared += (servers as f64 * (events_per_server + 2.0) * 200.0) as u64;
        }
        Self { servers, messages_per_server: per_server, per_worker, shared, coupled }
    }

    /// What designs run in lockstep take together: each thread holds one worker of each.
    pub fn together(estimates: &[Self]) -> Self {
        let servers = estimates.iter().map(|e| e.servers).max().unwrap_or(0);
        Self {
            servers,
            messages_per_server: estimates.iter().map(|e| e.messages_per_server).fold(0.0, f64::max),
            per_worker: estimates.iter().map(|e| e.per_worker).sum(),
            shared: estimates.iter().map(|e| e.shared).max().unwrap_or(RUN_FIXED),
            coupled: estimates.iter().map(|e| e.coupled).sum(),
        }
    }

    /// Bytes a run on `threads` worker threads needs.
    pub fn total(&self, threads: usize) -> u64 {
        self.shared.saturating_add(self.per_worker.saturating_mul(threads as u64))
    }

    /// The most threads, at most `wanted`, whose run fits in `budget` bytes; an error saying
    /// what is too large when not even one does.
    pub fn threads_within(&self, wanted: usize, budget: u64) -> Result<usize, TooLarge> {
        let fit = budget.saturating_sub(self.shared) / self.per_worker.max(1);
        if fit == 0 {
            return Err(TooLarge { estimate: *self, budget });
        }
        Ok(wanted.min(usize::try_from(fit).unwrap_or(usize::MAX)).max(1))
    }
}

/// A run that does not fit in the memory available.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TooLarge {
    /// What the run would take.
    pub estimate: MemoryEstimate,
    /// The memory available.
    pub budget: u64,
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &self.estimate;
        let coupled = if e.coupled > 0 {
            format!(", and with shared resources every server's run is kept at once too (about {})", Bytes(e.coupled))
        } else {
            String::new()
        };
        write!(
            f,
            "the run needs about {} of memory even on one thread, and {} is available: fleet.servers ({}) × about {} status and state messages a server is {:.3e} messages a replication, held at once{coupled}; run fewer servers, send fewer messages ([messages], steps' `messages`, items), or set PATCHSIM_MEMORY if more memory is free",
            Bytes(e.total(1)),
            Bytes(self.budget),
            e.servers,
            if e.messages_per_server < 1e4 {
                format!("{:.1}", e.messages_per_server)
            } else {
                format!("{:.3e}", e.messages_per_server)
            },
            e.messages_per_server * e.servers as f64
        )
    }
}

impl std::error::Error for TooLarge {}

/// A number of bytes as people read it (`1.5 GiB`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bytes(pub u64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
        let mut value = self.0 as f64;
        let mut unit = 0;
        while value >= 1024.0 && unit + 1 < UNITS.len() {
            value /= 1024.0;
            unit += 1;
        }
        if unit == 0 { write!(f, "{} bytes", self.0) } else { write!(f, "{value:.1} {}", UNITS[unit]) }
    }
}

/// The memory a run may plan to use: `PATCHSIM_MEMORY` (e.g. `16GiB`) when set, else nine
/// tenths of what the system reports available, else 8 GiB.
pub fn budget() -> u64 {
    if let Some(bytes) = std::env::var("PATCHSIM_MEMORY").ok().and_then(|t| parse_bytes(&t)) {
        return bytes;
    }
    available().map_or(8 << 30, |a| a / 10 * 9)
}

/// A size such as `16GiB`, `512 MiB`, `2GB` or a number of bytes.
pub fn parse_bytes(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: f64 = number.parse().ok()?;
    let scale: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let bytes = number * scale;
    (bytes.is_finite() && bytes >= 1.0).then_some(bytes as u64)
}

/// Memory the system reports available, in bytes.
#[cfg(target_os = "linux")]
fn available() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Memory the system reports available, in bytes.
#[cfg(windows)]
fn available() -> Option<u64> {
    use windows_sys::Win32::System::SystemInformation::{GlobalMemoryStatusEx, MEMORYSTATUSEX};
    // SAFETY: MEMORYSTATUSEX is plain data; dwLength is set as the call requires, and the call
    // writes only into the struct it is given.
    unsafe {
        let mut status: MEMORYSTATUSEX = std::mem::zeroed();
        status.dwLength = std::mem::size_of::<MEMORYSTATUSEX>() as u32;
        (GlobalMemoryStatusEx(&mut status) != 0).then_some(status.ullAvailPhys)
    }
}

/// Memory the system reports available, in bytes (unknown here).
#[cfg(not(any(target_os = "linux", windows)))]
fn available() -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sequence_that_could_send_billions_is_bounded_without_running_it() {
        let text = "name = \"huge\"\n[fleet]\nservers = 3\n[windows]\ndays = [\"Mon\"]\nstarts = [\"00:00\"]\nlength = \"2h\"\n\
            [infrastructure]\nstatus_manager_rate = 100\n[[step]]\nname = \"Many\"\ntype = \"install_software\"\n\
            items = 100000\nper_item = \"0s\"\nmessages = 10000\n";
        let scenario = Scenario::from_toml(text, "huge.toml").unwrap();
        // 100,000 items of 10,000 messages (and a restart message each), a run's own 3.
        assert_eq!(messages_bound(&scenario), 100_000.0 * 10_001.0 + 4.0);
        let e = MemoryEstimate::of(&scenario, &Program::compile(&scenario), Extras::default());
        assert_eq!(e.messages_per_server, messages_bound(&scenario));
        let refused = e.threads_within(2, 16 << 30).unwrap_err().to_string();
        assert!(
            refused.starts_with("the run needs about 167.7 GiB of memory even on one thread, and 16.0 GiB"),
            "{refused}"
        );
        assert!(refused.contains("fleet.servers (3) × about 1.000e9 status and state messages a server"), "{refused}");
    }

    #[test]
    fn the_bound_is_above_what_a_pilot_sees() {
        let scenario = Scenario::load(std::path::Path::new("scenarios/monthly-server-patching.toml")).unwrap();
        let e = MemoryEstimate::of(&scenario, &Program::compile(&scenario), Extras::default());
        assert!(e.messages_per_server > 10.0 && e.messages_per_server <= messages_bound(&scenario), "{e:?}");
    }

    #[test]
    fn sizes_parse_and_print() {
        assert_eq!(parse_bytes("16GiB"), Some(16 << 30));
        assert_eq!(parse_bytes("512 MiB"), Some(512 << 20));
        assert_eq!(parse_bytes("2GB"), Some(2_000_000_000));
        assert_eq!(parse_bytes("1000"), Some(1000));
        assert_eq!(parse_bytes("lots"), None);
        assert_eq!(Bytes(1536 << 20).to_string(), "1.5 GiB");
        assert_eq!(Bytes(12).to_string(), "12 bytes");
    }
}
