//! Closed-form checks: where the answer follows from the distributions alone, the simulation
//! must find it, within a tolerance the number of samples justifies.

use crate::common::{scenario, sleep_then_work, summary};

/// A uniform sleep U(0, S) then fixed work W in a window of length L (no max run time):
/// a server overruns when U + W > L, so P(overran) = (S + W − L) / S, and the overrun given
/// that it overran is uniform on (0, S + W − L).
///
/// S = 40m, W = 100m, L = 120m: P = 0.5; overrun U(0, 20m): mean 10, p50 10, p90 18, max 20.
#[test]
fn uniform_sleep_plus_fixed_work_overruns_as_the_sleep_dictates() {
    let s = sleep_then_work(2000, "40m");
    let reps = 20;
    let sum = summary(&s, 7, reps, 2);
    // 40,000 servers in all: the overran share's standard error is sqrt(0.25 / 40,000) = 0.0025.
    let overran = sum.outcomes.overran;
    assert!((overran.mean - 0.5).abs() < 4.0 * 0.0025, "overran share {}", overran.mean);
    assert!((sum.outcomes.completed_in_window.mean + overran.mean - 1.0).abs() < 1e-12);

    // About 20,000 overruns, uniform on (0, 20) minutes: mean's standard error ≈ 0.041.
    let o = sum.overrun_minutes;
    assert!((o.count as f64 - 20_000.0).abs() < 4.0 * 100.0, "count {}", o.count);
    assert!((o.mean - 10.0).abs() < 0.2, "mean {}", o.mean);
    assert!((o.p50 - 10.0).abs() < 0.3, "p50 {}", o.p50);
    assert!((o.p90 - 18.0).abs() < 0.3, "p90 {}", o.p90);
    assert!(o.max <= 20.05 && o.max > 19.9, "max {}", o.max);

    // Every run lasts U + W: mean 120 minutes.
    assert!((sum.duration_minutes.mean - 120.0).abs() < 0.3, "{}", sum.duration_minutes.mean);
    // Exactly five messages a run: started, two steps, completed (2).
    assert_eq!(sum.status_messages.per_run_mean, 5.0);
}

/// The confidence interval's width follows from the spread between replications: with 200
/// servers each overrunning with probability 1/2, a replication's share has sd sqrt(0.25/200);
/// over 800 replications the interval's half-width is t(799) × sd / sqrt(800). The sample sd of
/// 800 values is within 1/sqrt(2 × 799) = 2.5% of the true one (one standard error), so 10% is
/// four standard errors.
#[test]
fn the_interval_is_as_wide_as_the_spread_between_replications_says() {
    let s = sleep_then_work(200, "40m");
    let reps = 800;
    let overran = summary(&s, 17, reps, 2).outcomes.overran;
    let expected_half = 1.962_9 * (0.25f64 / 200.0).sqrt() / (reps as f64).sqrt();
    let half = (overran.ci95[1] - overran.ci95[0]) / 2.0;
    assert!((half / expected_half - 1.0).abs() < 0.10, "half-width {half} vs {expected_half}");
    assert!((overran.mean - 0.5).abs() < 4.0 * (0.25f64 / 200.0 / reps as f64).sqrt(), "{}", overran.mean);
}

/// A uniform start delay U(0, 60m) with a 90-minute max run time in a two-hour window: the run
/// starts only when the delay is at most 30 minutes, so P(not started) = 0.5.
#[test]
fn max_run_time_gate_with_a_uniform_start_delay() {
    let s = scenario(
        &[
            ("servers = 1", "servers = 4000"),
            (
                "max_run_time = \"0s\"",
                "max_run_time = \"90m\"\nstart_delay = { dist = \"uniform\", min = \"0m\", max = \"60m\" }",
            ),
        ],
        "\n[[step]]\nname = \"Work\"\ntype = \"command\"\nduration = \"10m\"\n",
    );
    let sum = summary(&s, 3, 10, 2);
    // 40,000 servers: standard error 0.0025.
    assert!((sum.outcomes.not_started.mean - 0.5).abs() < 0.01, "{}", sum.outcomes.not_started.mean);
    assert!((sum.outcomes.completed_in_window.mean - 0.5).abs() < 0.01);
}

/// Exponential restarts of mean 10 minutes, two per server: the run's mean duration is 20
/// minutes and its median that of a Gamma(2, 10m), 16.78 minutes.
#[test]
fn exponential_restarts_sum_to_a_gamma() {
    let s = scenario(
        &[("duration = \"10m\"", "duration = { dist = \"exponential\", mean = \"10m\" }")],
        r#"
[[step]]
name = "One"
type = "restart"
[[step]]
name = "Two"
type = "restart"
"#,
    );
    let mut s = s;
    s.fleet.servers = 5000;
    let sum = summary(&s, 11, 4, 2);
    // 20,000 runs; the sd of a Gamma(2, 10) is 14.1 minutes: standard error ≈ 0.1.
    assert!((sum.duration_minutes.mean - 20.0).abs() < 0.4, "{}", sum.duration_minutes.mean);
    assert!((sum.duration_minutes.p50 - 16.78).abs() < 0.5, "{}", sum.duration_minutes.p50);
    assert_eq!(sum.restarts.per_server_mean, 2.0);
}
