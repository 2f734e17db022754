//! The planner: compare with itself is exactly zero; the 3010-versus-wrapper comparison gives
//! exactly the restart difference; common random numbers make a paired interval far narrower than
//! unpaired runs; `plan sleep` and `plan infra` agree with closed forms.

use std::path::Path;

use crate::common::patchsim;
use crate::common::{scenario, sleep_then_work, summary};
use patchsim::montecarlo::statistics::HEADLINE;
use patchsim::montecarlo::{Figure, Hooks, RunOptions, run_designs};
use patchsim::planner::compare::Comparison;
use patchsim::planner::plan::{Answer, Bound, Evaluation, Inbox, Plan, plan_infra, plan_max_run_time};
use patchsim::planner::sleep::plan_sleep;
use patchsim::report::plan::conclusion;
use patchsim::scenario::Scenario;
use patchsim::sequence::Program;

fn compare(designs: &[&Scenario], seed: u64, replications: u64) -> Comparison {
    let programs: Vec<Program> = designs.iter().map(|s| Program::compile(s)).collect();
    let pairs: Vec<(&Scenario, &Program)> = designs.iter().copied().zip(&programs).collect();
    let paired = run_designs(&pairs, &RunOptions::new(seed, replications, 2), Hooks::default()).unwrap();
    let names: Vec<String> = (0..designs.len()).map(|i| format!("design {i}")).collect();
    Comparison::new(&names, seed, replications, &paired)
}

#[test]
fn a_design_compared_with_itself_differs_by_exactly_zero() {
    let mut s = Scenario::load(Path::new("scenarios/monthly-server-patching.toml")).unwrap();
    s.fleet.servers = 1_500;
    let c = compare(&[&s, &s], 4, 6);
    let metrics = &c.variants[0].metrics;
    assert_eq!(metrics.len(), HEADLINE.len());
    for (key, m) in metrics {
        assert_eq!(m.difference, 0.0, "{key}");
        assert_eq!(m.ci95, [0.0, 0.0], "{key}");
        assert_eq!(m.baseline, m.variant, "{key}");
    }
}

fn hotfix_design(on_3010: &str) -> Scenario {
    scenario(
        &[("servers = 1", "servers = 120\n[fleet.counts]\nhotfixes = { dist = \"poisson\", mean = 2.0 }")],
        &format!(
            r#"
[[step]]
name = "Hotfixes"
type = "install_software"
items = "hotfixes"
per_item = "2m"
exit_codes = {{ 0 = 0.5, 3010 = 0.5 }}
on_3010 = {on_3010}
[[step]]
name = "Restart if required"
type = "restart"
condition = "RebootRequired == 'true'"
"#
        ),
    )
}

/// With the wrapper a server restarts once if any hotfix asked; without it, once per hotfix that
/// asked (and the conditional restart is skipped). With common random numbers the exit codes are
/// the same in both designs, so the difference per server is k − [k > 0], exactly.
#[test]
fn unwrapped_against_wrapped_hotfixes_differ_by_exactly_the_extra_restarts() {
    let wrapped = hotfix_design("{ set = \"RebootRequired\" }");
    let unwrapped = hotfix_design("\"restart\"");
    let (seed, reps) = (21, 4);
    let c = compare(&[&wrapped, &unwrapped], seed, reps);
    let mut expected = 0.0;
    for r in 0..reps {
        let mut extra = 0u64;
        for server in 0..120 {
            let lines = trace_lines(&wrapped, seed, r, server);
            let restarts_wrapped = lines.iter().filter(|l| l.contains("restart after")).count() as u64;
            let lines_u = trace_lines(&unwrapped, seed, r, server);
            let restarts_unwrapped = lines_u.iter().filter(|l| l.contains("restart after")).count() as u64;
            // The hotfixes that asked (exit 3010; the wrapper reports them as 0).
            let asking = lines_u.iter().filter(|l| l.contains("Hotfixes#") && l.ends_with("exit 3010")).count() as u64;
            assert_eq!(restarts_wrapped, u64::from(asking > 0), "replication {r}, server {server}");
            assert_eq!(restarts_unwrapped, asking, "replication {r}, server {server}");
            extra += asking - u64::from(asking > 0);
        }
        expected += extra as f64 / 120.0;
    }
    expected /= reps as f64;
    let m = c.variants[0].metrics[&Figure::RestartsPerServer];
    assert!((m.difference - expected).abs() < 1e-12, "difference {} vs expected {expected}", m.difference);
    assert!(m.ci95[0] <= expected + 1e-12 && expected - 1e-12 <= m.ci95[1]);
    assert!(expected > 0.3, "the test needs servers with several hotfixes: {expected}");
}

/// What server `server` did in replication `replication`: its steps' exit codes and restarts.
fn trace_lines(s: &Scenario, seed: u64, replication: u64, server: u64) -> Vec<String> {
    use patchsim::engine::{Simulator, TraceEvent};
    let program = Program::compile(s);
    let sim = Simulator::new(s, &program);
    let mut events: Vec<TraceEvent> = Vec::new();
    sim.trace(seed, replication, server, &mut events).unwrap();
    let name = |id: u32| program.nodes[id as usize].name.clone();
    events
        .iter()
        .filter_map(|e| match *e {
            TraceEvent::StepEnded { node, item, exit_code, .. } => Some(format!(
                "{}{} exit {}",
                name(node),
                item.map(|i| format!("#{i}")).unwrap_or_default(),
                exit_code.unwrap_or(-1)
            )),
            TraceEvent::Restart { node, .. } => Some(format!("restart after {}", name(node))),
            _ => None,
        })
        .collect()
}

/// Common random numbers: one more minute of agent maintenance, compared paired, has an interval
/// far narrower than the same two designs run with independent seeds.
#[test]
fn paired_intervals_are_far_narrower_than_unpaired_ones() {
    let text = std::fs::read_to_string("scenarios/monthly-server-patching.toml")
        .unwrap()
        .replace("servers = 12000", "servers = 2000");
    let agent = "duration = { dist = \"triangular\", min = \"1m\", mode = \"2m\", max = \"8m\" }";
    let a = Scenario::from_toml(&text.replace(agent, "duration = \"3m\""), "a.toml").unwrap();
    let b = Scenario::from_toml(&text.replace(agent, "duration = \"4m\""), "b.toml").unwrap();
    let reps = 20;
    let paired = compare(&[&a, &b], 5, reps);
    let (sa, sb) = (summary(&a, 100, reps, 2), summary(&b, 200, reps, 2));
    for key in [Figure::Overran, Figure::DurationMeanMinutes, Figure::DrainMinutes] {
        let m = paired.variants[0].metrics[&key];
        let paired_half = (m.ci95[1] - m.ci95[0]) / 2.0;
        let (ea, eb) = (&sa.estimates[&key], &sb.estimates[&key]);
        let t = 2.024; // t(0.975) for about 38 degrees of freedom
        let unpaired_half = t * (ea.sd.powi(2) / reps as f64 + eb.sd.powi(2) / reps as f64).sqrt();
        assert!(paired_half < 0.3 * unpaired_half, "{key}: paired ±{paired_half}, unpaired ±{unpaired_half}");
    }
    // The minute shows up in full in the mean duration: +1 minute for every run that got there.
    let d = paired.variants[0].metrics[&Figure::DurationMeanMinutes];
    assert!(d.difference > 0.9 && d.difference <= 1.0, "{}", d.difference);
}

/// `plan sleep` against the closed form: a uniform sleep U(0, s) then 100 minutes of work in a
/// two-hour window overruns with probability (s − 20)/s for s ≥ 20 minutes; for a 25% budget the
/// widest sleep is 20 / 0.75 = 26.67 minutes = 1,600 seconds.
#[test]
fn plan_sleep_agrees_with_the_closed_form() {
    let s = sleep_then_work(2000, "10m");
    let plan = plan_sleep(&s, "Sleep", 0.25, None, Evaluation { seed: 8, replications: 10, threads: 2 }).unwrap();
    let Answer::Sleep { seconds, value, .. } = plan.answer.clone() else { panic!("{}", conclusion(&plan)) };
    // 20,000 servers: the share's standard error is 0.003, the slope 0.028 a minute, so one
    // standard error is about 7 seconds of sleep.
    assert!((seconds - 1_600.0).abs() < 45.0, "widest sleep {seconds} s, closed form 1,600 s");
    assert_eq!(value, plan.evidence.iter().find(|e| e.value == seconds).unwrap().label);
    // Every value at or below the answer meets the bound (at the upper end of its interval);
    // values above it that meet lie within the rounding the interval allows (under a minute
    // here), and the answer is a round number of seconds.
    for e in &plan.evidence {
        assert!(e.meets || e.value > seconds, "{}", e.label);
        assert!(!e.meets || e.value < seconds + 60.0, "{}", e.label);
        let f = e.figures[&Figure::Overran];
        assert_eq!(e.meets, f.ci95[1] <= 0.25, "{}", e.label);
    }
    assert_eq!(seconds % 5.0, 0.0, "{seconds}");
    assert!(conclusion(&plan).starts_with("The widest sleep is"));
    // A budget of 0: no sleep of 20 minutes or more fits, but shorter ones do (nothing overruns).
    let tight = plan_sleep(&s, "Sleep", 0.0, None, Evaluation { seed: 8, replications: 2, threads: 2 }).unwrap();
    assert_eq!(sleep_seconds(&tight), Some(1_200.0), "{}", conclusion(&tight));
    assert!(plan_sleep(&s, "Nap", 0.25, None, Evaluation { seed: 8, replications: 2, threads: 2 }).is_err());
}

/// `plan infra` against M/D/1: servers each send one message at a uniform time in a three-hour
/// window (λ = 6 a second); the mean time in system is ρ/(2μ(1−ρ)) + 1/μ, which is 0.175 s at
/// μ = 10: the slowest Status Manager for that bound processes 10 messages a second.
#[test]
fn plan_infra_agrees_with_md1() {
    let text = r#"
name = "md1"
[fleet]
servers = 64800
[windows]
days = ["Mon"]
starts = ["00:00"]
length = "3h"
[deployment]
max_run_time = "0s"
[infrastructure]
status_manager_rate = 20
[messages]
run_started = 0
run_completed = 0
run_failed = 0
step_succeeded = 1
[[step]]
name = "Send"
type = "sleep"
duration = { dist = "uniform", min = "0s", max = "3h" }
"#;
    let s = Scenario::from_toml(text, "md1.toml").unwrap();
    let plan = plan_infra(
        &s,
        Inbox::StatusManager,
        &[Bound::MaxMeanLatency(0.175)],
        Evaluation { seed: 3, replications: 4, threads: 2 },
    )
    .unwrap();
    let Answer::Rate { status_manager_rate: rate } = plan.answer else { panic!("{}", conclusion(&plan)) };
    assert!((rate - 10.0).abs() < 0.3, "rate {rate}, M/D/1 gives 10");
    let at = plan.evidence.iter().find(|e| e.value == rate).unwrap();
    assert!(at.meets && at.figures[&Figure::LatencyMeanSeconds].mean <= 0.175);
}

/// `plan infra --inbox state-system` against M/D/1: each server's one update scan sends one
/// state message (topic 501) at a uniform time in a three-hour window, batched every
/// millisecond, so the State System sees λ = 6 a second; for a mean of 0.175 s it needs 10 a
/// second. Status Manager's bounds are refused for this inbox, and the State System's for
/// Status Manager.
#[test]
fn plan_infra_sizes_the_state_system_against_md1() {
    let text = r#"
name = "md1-state"
[fleet]
servers = 64800
[windows]
days = ["Mon"]
starts = ["00:00"]
length = "3h"
[deployment]
max_run_time = "0s"
[infrastructure]
status_manager_rate = 100
state_system_rate = 20
[messages]
run_started = 0
run_completed = 0
run_failed = 0
step_succeeded = 0
state_per_scan = 1
state_batch = "1ms"
[[step]]
name = "Wait"
type = "sleep"
duration = { dist = "uniform", min = "0s", max = "3h" }
[[step]]
name = "Scan"
type = "install_updates"
items = 0
per_item = "1m"
"#;
    let s = Scenario::from_toml(text, "md1-state.toml").unwrap();
    let eval = Evaluation { seed: 3, replications: 4, threads: 2 };
    let plan = plan_infra(&s, Inbox::StateSystem, &[Bound::MaxStateMeanLatency(0.175)], eval).unwrap();
    let Answer::StateRate { state_system_rate: rate } = plan.answer else { panic!("{}", conclusion(&plan)) };
    assert!((rate - 10.0).abs() < 0.3, "rate {rate}, M/D/1 gives 10");
    let at = plan.evidence.iter().find(|e| e.value == rate).unwrap();
    assert!(at.meets && at.figures[&Figure::StateLatencyMeanSeconds].mean <= 0.175);
    assert!(conclusion(&plan).contains("slowest State System"), "{}", conclusion(&plan));
    let eval = Evaluation { seed: 3, replications: 1, threads: 1 };
    let wrong = plan_infra(&s, Inbox::StateSystem, &[Bound::MaxBacklog(10.0)], eval).unwrap_err().to_string();
    assert!(wrong.contains("Status Manager's"), "{wrong}");
    let other = plan_infra(&s, Inbox::StatusManager, &[Bound::MaxStateMeanLatency(1.0)], eval).unwrap_err().to_string();
    assert!(other.contains("--inbox state-system"), "{other}");
}

#[test]
fn plan_max_run_time_names_the_trap() {
    let s = scenario(
        &[
            ("servers = 1", "servers = 400"),
            (
                "max_run_time = \"0s\"",
                "max_run_time = \"120m\"\nstart_delay = { dist = \"uniform\", min = \"0m\", max = \"2m\" }",
            ),
        ],
        "\n[[step]]\nname = \"Work\"\ntype = \"command\"\nduration = { dist = \"uniform\", min = \"30m\", max = \"90m\" }\n",
    );
    let eval = Evaluation { seed: 2, replications: 3, threads: 2 };
    // Runs take 30 to 90 minutes: a 90-minute max run time stops none, and it fits after the delay.
    let plan = plan_max_run_time(&s, 0.0, Some(0.0), eval).unwrap();
    assert!(matches!(plan.answer, Answer::MaxRunTime { minutes: 90.0, .. }), "{}", conclusion(&plan));
    // Longer than the window less the delay: nothing starts.
    let s = scenario(
        &[("max_run_time = \"0s\"", "max_run_time = \"120m\"\nstart_delay = \"1m\"")],
        "\n[[step]]\nname = \"Work\"\ntype = \"command\"\nduration = \"150m\"\n",
    );
    let plan = plan_max_run_time(&s, 0.01, Some(0.01), eval).unwrap();
    assert!(!plan.answer.is_some());
    assert!(conclusion(&plan).starts_with("No max run time meets both bounds"), "{}", conclusion(&plan));
}

/// The widest sleep a plan found, if any.
fn sleep_seconds(plan: &Plan) -> Option<f64> {
    match plan.answer {
        Answer::Sleep { seconds, .. } => Some(seconds),
        _ => None,
    }
}

#[test]
fn compare_sweep_and_set_from_the_command_line() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("planner-cli");
    let _ = std::fs::remove_dir_all(&dir);
    let d = |n: &str| dir.join(n).to_str().unwrap().to_owned();
    let reference = "scenarios/monthly-server-patching.toml";
    let out = patchsim(&[
        "compare",
        reference,
        reference,
        "-r",
        "3",
        "-q",
        "--set",
        "fleet.servers=600",
        "--out",
        &d("self"),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let c: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("self/compare.json")).unwrap()).unwrap();
    assert_eq!(c["schema"], "patchsim/compare/v1");
    assert_eq!(c["variants"][0]["scenario"], "monthly-server-patching #2");
    assert_eq!(c["variants"][0]["metrics"]["outcomes.overran"]["difference"], 0.0);
    assert_eq!(c["variants"][0]["metrics"]["outcomes.overran"]["ci95"], serde_json::json!([0.0, 0.0]));
    for f in ["compare.md", "differences.svg", "differences.png"] {
        assert!(dir.join("self").join(f).is_file(), "{f}");
    }

    let out = patchsim(&[
        "sweep",
        reference,
        "--set",
        "fleet.servers=300,600",
        "--set",
        "step.0.duration.max=5m",
        "-r",
        "2",
        "--out",
        &d("sweep"),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = std::fs::read_to_string(dir.join("sweep/sweep.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("value,outcomes.completed_in_window,outcomes.completed_in_window.ci95_low,"));
    assert!(lines[1].starts_with("300,") && lines[2].starts_with("600,"));

    let out = patchsim(&["run", reference, "-r", "1", "--set", "fleet.servers=700", "--out", "-"]);
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["fleet"]["servers"], 700);
    let out = patchsim(&["run", reference, "--set", "fleet.servers=many", "--out", &d("bad")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .starts_with("error: --set fleet.servers=many: key `fleet.servers`: expected a whole number")
    );
    let out = patchsim(&["sweep", reference, "--set", "fleet.servers=600"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("more than one value to sweep"));
    let out = patchsim(&["plan", "infra", reference, "-r", "2"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("give at least one bound"));
}
