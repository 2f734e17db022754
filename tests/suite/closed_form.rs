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
notify = "0s"
[[step]]
name = "Two"
type = "restart"
notify = "0s"
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

/// An exponential draw of mean `mean` from the `i`-th uniform of `stream`, in whole milliseconds.
fn exponential_ms(stream: patchsim::random::Stream, i: u64, mean: f64) -> u64 {
    (-(1.0 - stream.uniform(i)).ln() * mean).round() as u64
}

/// The mean of `values` and its standard error by batch means (20 batches): the values of a
/// queue are correlated, so their plain standard error would be too small.
fn batch_mean(values: &[f64]) -> (f64, f64) {
    let batches = 20;
    let per = values.len() / batches;
    let means: Vec<f64> =
        (0..batches).map(|b| values[b * per..(b + 1) * per].iter().sum::<f64>() / per as f64).collect();
    let mean = means.iter().sum::<f64>() / batches as f64;
    let var = means.iter().map(|m| (m - mean).powi(2)).sum::<f64>() / (batches - 1) as f64;
    (mean, (var / batches as f64).sqrt())
}

/// M/M/1 processor sharing: Poisson arrivals at rate λ, exponential work of mean E[S] on one
/// instance of capacity 1; the mean time in the system is E[S] / (1 − ρ), ρ = λ E[S].
/// ρ = 0.8, E[S] = 10 s: 50 s. 200,000 jobs after 5,000 of warm-up; the tolerance is four
/// batch-means standard errors (plus the 1 ms of rounding each end may add).
#[test]
fn processor_sharing_matches_m_m_1_ps() {
    use patchsim::engine::contention::{Finished, SharedInstance};
    let span = (0, u64::MAX);
    let (work_mean, gap_mean) = (10_000.0, 12_500.0);
    let arrivals = patchsim::random::Stream::from_key(0x5053_0001);
    let works = patchsim::random::Stream::from_key(0x5053_0002);
    let mut s = SharedInstance::new(1.0, Some(1.0));
    let (warm, jobs) = (5_000u32, 205_000u32);
    let mut sojourns = Vec::with_capacity(jobs as usize);
    let mut next_arrival = exponential_ms(arrivals, 0, gap_mean);
    let mut id = 0u32;
    let mut done: Vec<Finished> = Vec::new();
    while sojourns.len() < (jobs - warm) as usize {
        match s.next_completion() {
            Some((t, _)) if t <= next_arrival || id >= jobs => {
                done.clear();
                s.complete(t, span, &mut done);
                sojourns.extend(done.iter().filter(|f| f.id >= warm).map(|f| (t - f.arrived) as f64));
            }
            _ => {
                let work = exponential_ms(works, u64::from(id), work_mean).max(1) as f64;
                s.arrive(next_arrival, id, work, span);
                id += 1;
                next_arrival += exponential_ms(arrivals, u64::from(id), gap_mean);
            }
        }
    }
    let (mean, se) = batch_mean(&sojourns);
    let expected = work_mean / (1.0 - work_mean / gap_mean);
    assert!(
        (mean - expected).abs() < 4.0 * se + 1.0,
        "mean time in system {mean:.0} ms ± {se:.0}, M/M/1-PS {expected:.0}"
    );
    assert!(se < 0.05 * expected, "the sample is too small to test anything: ± {se:.0} ms");
}

/// M/M/c slots: Poisson arrivals, exponential holds, c slots, an unbounded line; the mean wait
/// is Erlang C's P(wait) / (cμ − λ). c = 3, a = λ/μ = 2.4 (ρ = 0.8), 1/μ = 10 s: about 10.8 s.
#[test]
fn slots_match_erlang_c() {
    use patchsim::engine::contention::{Admission, Agenda, SlotsInstance};
    let span = (0, u64::MAX);
    let (c, hold_mean, gap_mean) = (3u32, 10_000.0, 10_000.0 / 2.4);
    let a: f64 = hold_mean / gap_mean;
    let factorial = |k: u32| (1..=k).map(f64::from).product::<f64>();
    let tail = a.powi(c as i32) / factorial(c) * f64::from(c) / (f64::from(c) - a);
    let below: f64 = (0..c).map(|k| a.powi(k as i32) / factorial(k)).sum();
    let p_wait = tail / (below + tail);
    let expected = p_wait / (f64::from(c) / hold_mean - 1.0 / gap_mean);

    #[derive(Clone, Copy)]
    enum Event {
        Arrive(u32),
        Release(u32),
    }
    let arrivals = patchsim::random::Stream::from_key(0x5053_0003);
    let holds = patchsim::random::Stream::from_key(0x5053_0004);
    let (warm, jobs) = (5_000u32, 205_000u32);
    let mut s = SlotsInstance::new(c, None);
    let mut agenda = Agenda::new();
    let mut arrived = vec![0u64; jobs as usize];
    let mut waits = Vec::with_capacity(jobs as usize);
    let mut t = 0;
    for id in 0..jobs {
        t += exponential_ms(arrivals, u64::from(id), gap_mean);
        agenda.schedule(t, Event::Arrive(id));
    }
    let hold = |id: u32| exponential_ms(holds, u64::from(id), hold_mean);
    let mut started = Vec::new();
    while let Some((now, event)) = agenda.pop() {
        match event {
            Event::Arrive(id) => {
                arrived[id as usize] = now;
                match s.request(now, id, span) {
                    Admission::Started => {
                        waits.push((id, 0.0));
                        agenda.schedule(now + hold(id), Event::Release(id));
                    }
                    Admission::Queued => {}
                    Admission::Refused => unreachable!("an unbounded line refuses nothing"),
                }
            }
            Event::Release(id) => {
                started.clear();
                s.leave(now, id, span, &mut started);
                for &next in &started {
                    waits.push((next, (now - arrived[next as usize]) as f64));
                    agenda.schedule(now + hold(next), Event::Release(next));
                }
            }
        }
    }
    waits.sort_by_key(|(id, _)| *id);
    let waits: Vec<f64> = waits.into_iter().filter(|(id, _)| *id >= warm).map(|(_, w)| w).collect();
    let (mean, se) = batch_mean(&waits);
    assert!((mean - expected).abs() < 4.0 * se, "mean wait {mean:.0} ms ± {se:.0}, Erlang C {expected:.0}");
    assert!(se < 0.1 * expected, "the sample is too small to test anything: ± {se:.0} ms");
}
