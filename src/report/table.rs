//! The readable summary printed after a run: outcomes with confidence intervals, overrun and
//! duration percentiles, restarts, message load, and the windows that overran most.

use std::fmt::Write;

use super::summary::{MeanCi, Spread, Summary};

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
    let _ = writeln!(
        out,
        "\nFleet: {} servers; a replication targets {} and excludes {} (extension); {} runs start.",
        grouped(s.fleet.servers as f64, 0),
        grouped(s.fleet.targeted_mean, 1),
        grouped(s.fleet.excluded_mean, 1),
        grouped(s.fleet.started_mean, 1)
    );
    let _ = writeln!(out, "\nOutcome (share of targeted)   mean   95% confidence interval");
    share_row(&mut out, "completed in window", &s.outcomes.completed_in_window);
    share_row(&mut out, "overran", &s.outcomes.overran);
    share_row(&mut out, "failed", &s.outcomes.failed);
    share_row(&mut out, "stopped", &s.outcomes.stopped);
    share_row(&mut out, "not started", &s.outcomes.not_started);

    let _ =
        writeln!(out, "\n{:<21}{:>8}{:>8}{:>8}{:>8}{:>8}{:>8}", "Minutes", "mean", "p50", "p90", "p95", "p99", "max");
    spread_row(&mut out, "overrun (overran)", &s.overrun_minutes);
    spread_row(&mut out, "run duration", &s.duration_minutes);

    let _ = writeln!(
        out,
        "\nRestarts: {:.3} per targeted server [{:.3}, {:.3}]; {:.3} began after the window closed.",
        s.restarts.per_server_mean,
        s.restarts.per_server_ci95[0],
        s.restarts.per_server_ci95[1],
        s.restarts.outside_window_per_server_mean
    );

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
            "  peak arrivals   {} a minute (worst replication {})",
            grouped(m.peak_per_minute.mean, 0),
            grouped(m.peak_per_minute.max, 0)
        );
        let _ = writeln!(
            out,
            "  backlog peak    {} messages waiting (worst {})",
            grouped(m.backlog_peak.mean, 0),
            grouped(m.backlog_peak.max, 0)
        );
        let l = &m.latency_seconds;
        let _ = writeln!(
            out,
            "  latency         mean {:.1} s, p50 {:.1} s, p99 {:.1} s, max {:.1} s",
            l.mean, l.p50, l.p99, l.max
        );
        let _ = writeln!(
            out,
            "  drain           {:.1} min after the last window closes",
            m.drain_minutes_after_last_window
        );
    }

    let mut worst: Vec<_> = s.windows.iter().filter(|w| w.overran.mean > 0.0).collect();
    worst.sort_by(|a, b| b.overran.mean.total_cmp(&a.overran.mean));
    if !worst.is_empty() {
        let list: Vec<String> =
            worst.iter().take(5).map(|w| format!("{} {}", w.name, percent(w.overran.mean))).collect();
        let _ = writeln!(out, "\nWindows that overran most: {}", list.join(", "));
    }
    out
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
