//! The readable summary printed after a run: outcomes with confidence intervals, overrun and
//! duration percentiles, restarts, message load, and the windows that overran most.

use std::fmt::Write;

use crate::montecarlo::summary::{MeanCi, Spread, Summary};

/// Formats a number with thousands separators and `decimals` decimals: `12,000.5`.
pub fn grouped(value: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i.to_owned(), Some(f.to_owned())),
        None => (text.clone(), None),
    };
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(&f);
    }
    if value < 0.0 && value.abs() >= 0.5 * 10f64.powi(-(decimals as i32)) {
        out.insert(0, '-');
    }
    out
}

/// Seconds for a reader: `350 ms`, `4.2 s`, `12.5 min`.
pub fn seconds(x: f64) -> String {
    if x < 1.0 {
        format!("{:.0} ms", x * 1_000.0)
    } else if x < 600.0 {
        format!("{x:.1} s")
    } else {
        format!("{:.1} min", x / 60.0)
    }
}

fn percent(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

fn share_row(out: &mut String, label: &str, m: &MeanCi) {
    let _ =
        writeln!(out, "  {label:<21}{:>8}   [{:>7}, {:>7}]", percent(m.mean), percent(m.ci95[0]), percent(m.ci95[1]));
}

fn spread_row(out: &mut String, label: &str, s: &Spread) {
    if s.count == 0 {
        let _ = writeln!(out, "{label:<21}{:>8}", "none");
        return;
    }
    let _ = writeln!(
        out,
        "{label:<21}{:>8.1}{:>8.1}{:>8.1}{:>8.1}{:>8.1}{:>8.1}",
        s.mean, s.p50, s.p90, s.p95, s.p99, s.max
    );
}

/// The summary as a text table for a terminal.
pub fn summary_table(s: &Summary) -> String {
    let mut out = String::new();
    write_run(&mut out, s);
    write_outcomes(&mut out, s);
    write_weeks(&mut out, s);
    write_messages(&mut out, s);
    write_resources(&mut out, s);
    write_worst_windows(&mut out, s);
    out
}

/// A month of several weeks: the runs due each week, how they ended, and how much of the fleet
/// is done by the week's end.
fn write_weeks(out: &mut String, s: &Summary) {
    if s.weeks.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{:<6}{:>10}{:>10}{:>11}{:>9}{:>8}{:>9}{:>9}{:>8}",
        "Week", "due", "started", "completed", "overran", "failed", "stopped", "not st.", "done"
    );
    for w in &s.weeks {
        let _ = writeln!(
            out,
            "{:<6}{:>10}{:>10}{:>11}{:>9}{:>8}{:>9}{:>9}{:>8}",
            w.week,
            grouped(w.due_mean, 1),
            grouped(w.started_mean, 1),
            percent(w.completed_in_window.mean),
            percent(w.overran.mean),
            percent(w.failed.mean),
            percent(w.stopped.mean),
            percent(w.not_started.mean),
            percent(w.done_by_end.mean)
        );
    }
    let _ = writeln!(
        out,
        "(shares of the runs due that week; done: share of targeted servers completed by the week's end)"
    );
}

/// Each shared resource's load: utilisation, peak, and the stretch or the wait it caused.
fn write_resources(out: &mut String, s: &Summary) {
    if s.resources.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{:<16}{:>7}{:>10}{:>12}   what it cost (mean, p95, max)",
        "Resource", "kind", "busy", "peak users"
    );
    for r in &s.resources {
        let cost = match (&r.stretch, &r.wait_seconds) {
            (Some(st), _) => format!("stretch {:.2}×, {:.2}×, {:.2}×", st.mean, st.p95, st.max),
            (None, Some(w)) => format!(
                "wait {}, {}, {}; {:.1} refused, {:.1} failed a replication",
                seconds(w.mean),
                seconds(w.p95),
                seconds(w.max),
                r.refused_mean.unwrap_or(0.0),
                r.failed_mean.unwrap_or(0.0)
            ),
            (None, None) => String::new(),
        };
        let _ = writeln!(
            out,
            "{:<16}{:>7}{:>9.1}%{:>12}   {cost}",
            r.name,
            r.kind,
            r.utilisation * 100.0,
            format!("{:.1}/{:.0}", r.peak.mean, r.peak.max)
        );
    }
}

/// What ran: the scenario, replications, seed, threads and time; the shard and the precision.
fn write_run(out: &mut String, s: &Summary) {
    let _ = writeln!(
        out,
        "{}: {} replication{}, seed {}, {} thread{}, {:.2} s",
        s.scenario,
        s.replications,
        if s.replications == 1 { "" } else { "s" },
        s.seed,
        s.performance.threads,
        if s.performance.threads == 1 { "" } else { "s" },
        s.performance.wall_seconds
    );
    if !s.description.is_empty() {
        let _ = writeln!(out, "{}", s.description);
    }
    if let Some(shard) = &s.shard {
        let _ = writeln!(
            out,
            "Shard {} of {}: replications {}, {}, … of the study's {}.",
            shard.index,
            shard.of,
            shard.index - 1,
            shard.index - 1 + shard.of,
            shard.study_replications
        );
    }
    if let Some(p) = &s.precision {
        let _ = writeln!(
            out,
            "Precision: the overran share is known to ±{:.4} percentage points after {} replications; {}.",
            p.half_width * 100.0,
            s.replications,
            if p.met {
                format!("the target ±{:.4} is met", p.target_half_width * 100.0)
            } else {
                format!(
                    "the target ±{:.4} is NOT met: --max-replications {} reached",
                    p.target_half_width * 100.0,
                    p.max_replications
                )
            }
        );
    }
}

/// The fleet, the outcomes with their intervals, overrun and duration percentiles, restarts.
fn write_outcomes(out: &mut String, s: &Summary) {
    let _ = writeln!(
        out,
        "\nFleet: {} servers; a replication targets {} and excludes {} (extension); {} runs start.",
        grouped(s.fleet.servers as f64, 0),
        grouped(s.fleet.targeted_mean, 1),
        grouped(s.fleet.excluded_mean, 1),
        grouped(s.fleet.started_mean, 1)
    );
    let _ = writeln!(out, "\nOutcome (share of targeted)   mean   95% confidence interval");
    share_row(out, "completed in window", &s.outcomes.completed_in_window);
    share_row(out, "overran", &s.outcomes.overran);
    share_row(out, "failed", &s.outcomes.failed);
    share_row(out, "stopped", &s.outcomes.stopped);
    share_row(out, "not started", &s.outcomes.not_started);

    let _ =
        writeln!(out, "\n{:<21}{:>8}{:>8}{:>8}{:>8}{:>8}{:>8}", "Minutes", "mean", "p50", "p90", "p95", "p99", "max");
    spread_row(out, "overrun (overran)", &s.overrun_minutes);
    spread_row(out, "run duration", &s.duration_minutes);

    let _ = writeln!(
        out,
        "\nRestarts: {:.3} per targeted server [{:.3}, {:.3}]; {:.3} began after the window closed.",
        s.restarts.per_server_mean,
        s.restarts.per_server_ci95[0],
        s.restarts.per_server_ci95[1],
        s.restarts.outside_window_per_server_mean
    );
}

/// Status and state messages and the load on each component.
fn write_messages(out: &mut String, s: &Summary) {
    let m = &s.status_messages;
    let _ = writeln!(
        out,
        "\nStatus messages: {} a run, {} a replication.",
        grouped(m.per_run_mean, 1),
        grouped(m.total_mean, 0)
    );
    if m.total_mean > 0.0 {
        let _ = writeln!(
            out,
            "  peak arrivals   {} a minute (worst replication {}); {} in one second (worst {})",
            grouped(m.peak_per_minute.mean, 0),
            grouped(m.peak_per_minute.max, 0),
            grouped(m.peak_per_second.mean, 0),
            grouped(m.peak_per_second.max, 0)
        );
        let _ = writeln!(
            out,
            "  backlog peak    {} messages waiting at Status Manager (worst {})",
            grouped(m.backlog_peak.mean, 0),
            grouped(m.backlog_peak.max, 0)
        );
        let l = &m.latency_seconds;
        let _ = writeln!(
            out,
            "  latency         mean {}, p50 {}, p99 {}, max {}",
            seconds(l.mean),
            seconds(l.p50),
            seconds(l.p99),
            seconds(l.max)
        );
        let _ = writeln!(
            out,
            "  drain           {:.1} min after the last window closes",
            m.drain_minutes_after_last_window
        );
        if let Some(lost) = m.lost_mean {
            let _ = writeln!(
                out,
                "  lost            {} a replication (sent inline to a management point that stayed down)",
                grouped(lost, 1)
            );
        }
    }
    let st = &s.state_messages;
    // Any topic sends them (per update, scan, detection, deployment).
    if st.total_mean > 0.0 {
        let _ = writeln!(
            out,
            "State messages: {} a replication, sent in batches every {} min; latency mean {}, p99 {}.",
            grouped(st.total_mean, 0),
            st.batch_minutes,
            seconds(st.latency_seconds.mean),
            seconds(st.latency_seconds.p99)
        );
    }
    if m.total_mean > 0.0 || st.total_mean > 0.0 {
        let _ = writeln!(
            out,
            "\n{:<16}{:>10}{:>14}{:>12}{:>10}{:>12}",
            "Component", "rate/s", "messages", "peak hour", "backlog", "time in it"
        );
        let infra = &s.infrastructure;
        for c in std::iter::once(&infra.status_manager).chain(&infra.state_system).chain(&infra.management_points) {
            let rate = match c.rate {
                Some(r) if c.workers > 1 => format!("{}×{}", grouped(r, 0), c.workers),
                Some(r) => grouped(r, 0),
                None => "instant".to_owned(),
            };
            let _ = writeln!(
                out,
                "{:<16}{:>10}{:>14}{:>11.1}%{:>10}{:>12}",
                c.name,
                rate,
                grouped(c.messages_mean, 0),
                c.peak_hour_utilisation.mean * 100.0,
                grouped(c.backlog_peak.mean, 0),
                seconds(c.time_in_component_seconds_mean)
            );
        }
        for o in &infra.outages {
            let _ = writeln!(out, "  outage: {} down for {} min from {}", o.component, o.length_minutes, o.at);
        }
    }
}

/// The windows that overran most.
fn write_worst_windows(out: &mut String, s: &Summary) {
    let mut worst: Vec<_> = s.windows.iter().filter(|w| w.overran.mean > 0.0).collect();
    worst.sort_by(|a, b| b.overran.mean.total_cmp(&a.overran.mean));
    if !worst.is_empty() {
        let list: Vec<String> =
            worst.iter().take(5).map(|w| format!("{} {}", w.name, percent(w.overran.mean))).collect();
        let _ = writeln!(out, "\nWindows that overran most: {}", list.join(", "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(grouped(12_000.0, 0), "12,000");
        assert_eq!(grouped(11_880.44, 1), "11,880.4");
        assert_eq!(grouped(999.0, 0), "999");
        assert_eq!(grouped(1_234_567.891, 2), "1,234,567.89");
        assert_eq!(grouped(-1_500.0, 0), "-1,500");
        assert_eq!(grouped(0.0, 1), "0.0");
    }
}
