//! Helpers shared by the integration tests: small scenarios and readable traces.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use patchsim::engine::{Observer, ServerRecord, Simulator, TraceEvent};
use patchsim::montecarlo::Summary;
use patchsim::montecarlo::{RunOptions, run, summarize};
use patchsim::scenario::Scenario;
use patchsim::scenario::duration::MINUTE;
use patchsim::sequence::Program;

/// `servers` servers in the base scenario's two-hour window, each sleeping U(0, `max_sleep`)
/// and then working 100 minutes: the closed-form case the statistics and planner tests use
/// (it overruns with probability (s − 20m)/s for a sleep of at most s ≥ 20m).
pub fn sleep_then_work(servers: u64, max_sleep: &str) -> Scenario {
    scenario(
        &[("servers = 1", &format!("servers = {servers}"))],
        &format!(
            r#"
[[step]]
name = "Sleep"
type = "sleep"
duration = {{ dist = "uniform", min = "0m", max = "{max_sleep}" }}
[[step]]
name = "Work"
type = "command"
duration = "100m"
"#
        ),
    )
}

/// The base of every small test scenario: one server, one two-hour window on Monday 00:00, no
/// max run time, 10-minute restarts, a site of 100 messages a second.
pub const BASE: &str = r#"name = "rule"
[fleet]
servers = 1
[windows]
days = ["Mon"]
starts = ["00:00"]
length = "2h"
[deployment]
max_run_time = "0s"
[restart]
duration = "10m"
[infrastructure]
status_manager_rate = 100
"#;

/// [`BASE`] with the given extra sections and steps. `replace` edits the base text first.
pub fn scenario(replace: &[(&str, &str)], body: &str) -> Scenario {
    let mut base = String::from(BASE);
    for (from, to) in replace {
        assert!(base.contains(from), "base scenario has no {from:?}");
        base = base.replace(from, to);
    }
    base.push_str(body);
    match Scenario::from_toml(&base, "rule.toml") {
        Ok(s) => s,
        Err(e) => panic!("test scenario does not load: {e}\n{base}"),
    }
}

/// Collects events as readable lines.
#[derive(Default)]
pub struct Lines {
    pub events: Vec<TraceEvent>,
}

impl Observer for Lines {
    fn event(&mut self, event: TraceEvent) {
        self.events.push(event);
    }
}

fn m(ms: u64) -> String {
    if ms.is_multiple_of(MINUTE) { format!("{}m", ms / MINUTE) } else { format!("{}ms", ms) }
}

/// Traces server `server` of replication 0 with seed 1 and renders every event as a line.
pub fn trace(s: &Scenario, server: u64) -> (Vec<String>, ServerRecord) {
    trace_seed(s, 1, server)
}

/// Like [`trace`] with a seed.
pub fn trace_seed(s: &Scenario, seed: u64, server: u64) -> (Vec<String>, ServerRecord) {
    let program = Program::compile(s);
    let sim = Simulator::new(s, &program);
    let mut obs = Lines::default();
    let record = sim.trace(seed, 0, server, &mut obs).expect("server exists");
    let name = |id: u32| program.nodes[id as usize].name.clone();
    let lines = obs
        .events
        .iter()
        .filter(|e| !matches!(e, TraceEvent::StepStarted { .. }))
        .map(|e| match *e {
            TraceEvent::RunStarted { at } => format!("{} run started", m(at)),
            TraceEvent::Skipped { node, at, reason } => format!("{} {} skipped {:?}", m(at), name(node), reason),
            TraceEvent::GroupStarted { node, at } => format!("{} {} started", m(at), name(node)),
            TraceEvent::GroupEnded { node, at, failed } => {
                format!("{} {} ended{}", m(at), name(node), if failed { " by failure" } else { "" })
            }
            TraceEvent::StepEnded { node, item, start, end, exit_code, success, timed_out } => format!(
                "{}-{} {}{} {}{}{}",
                m(start),
                m(end),
                name(node),
                item.map(|i| format!("#{i}")).unwrap_or_default(),
                if success { "ok" } else { "failed" },
                exit_code.map(|c| format!(" exit {c}")).unwrap_or_default(),
                if timed_out { " timed out" } else { "" }
            ),
            TraceEvent::Restart { node, cause, start, end } => format!(
                "{}-{} restart after {} ({})",
                m(start),
                end.map(m).unwrap_or_else(|| "hung".to_owned()),
                name(node),
                cause.label()
            ),
            TraceEvent::Message { at, kind, count } => format!("{} msg {} x{}", m(at), kind.key(), count),
            TraceEvent::StateMessages { at, count } => format!("{} msg state x{}", m(at), count),
            TraceEvent::MessagesLost { at, kind, count } => format!("{} msg {} x{} lost", m(at), kind.key(), count),
            TraceEvent::RestartRefused { node, cause, at } => {
                format!("{} restart after {} refused ({})", m(at), name(node), cause.label())
            }
            TraceEvent::RunEnded { at, outcome } => format!("{} run ended {}", m(at), outcome.key()),
            TraceEvent::StepStarted { .. } => unreachable!("filtered out above"),
        })
        .collect();
    (lines, record)
}

/// The trace without message lines.
pub fn steps_only(lines: &[String]) -> Vec<String> {
    lines.iter().filter(|l| !l.contains(" msg ")).cloned().collect()
}

/// The message lines of a trace.
pub fn messages_only(lines: &[String]) -> Vec<String> {
    lines.iter().filter(|l| l.contains(" msg ")).cloned().collect()
}

/// Runs a scenario and summarizes it.
pub fn summary(s: &Scenario, seed: u64, replications: u64, threads: usize) -> Summary {
    let program = Program::compile(s);
    let result = run(s, &program, &RunOptions::new(seed, replications, threads)).expect("runs");
    summarize(s, seed, &result)
}

/// A summary as JSON with the run-dependent `performance` section removed.
pub fn comparable_json(summary: &Summary) -> serde_json::Value {
    let mut v = serde_json::to_value(summary).expect("serializes");
    v.as_object_mut().expect("object").remove("performance");
    v
}

/// Runs the patchsim binary in `dir`.
pub fn patchsim_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_patchsim")).current_dir(dir).args(args).output().expect("patchsim runs")
}

/// Runs the patchsim binary in the project's folder (where `scenarios/` is).
pub fn patchsim(args: &[&str]) -> Output {
    patchsim_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// An empty folder for one test, `target/tmp/<area>/<name>` (emptied if a run left it).
pub fn temp_dir(area: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(area).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("test folder");
    dir
}
