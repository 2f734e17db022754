//! `summary.md`: the headline figures as Markdown tables, for mail, wikis and tickets.

use std::fmt::Write;

use super::escape::markdown;
use super::table::{grouped, seconds};
use crate::montecarlo::summary::{MeanCi, Spread, Summary};

fn pct(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

fn share_row(out: &mut String, label: &str, m: &MeanCi) {
    let _ = writeln!(out, "| {label} | {} | {} – {} |", pct(m.mean), pct(m.ci95[0]), pct(m.ci95[1]));
}

fn spread_row(out: &mut String, label: &str, s: &Spread) {
    if s.count == 0 {
        let _ = writeln!(out, "| {label} | – | – | – | – | – | – |");
    } else {
        let _ = writeln!(
            out,
            "| {label} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
            s.mean, s.p50, s.p90, s.p95, s.p99, s.max
        );
    }
}

/// The summary as Markdown.
pub fn summary_markdown(s: &Summary) -> Vec<u8> {
    let mut out = String::new();
    write_run(&mut out, s);
    write_outcomes(&mut out, s);
    write_weeks(&mut out, s);
    write_messages(&mut out, s);
    write_worst_windows(&mut out, s);
    out.into_bytes()
}

/// A month of several weeks: each week's due runs and how they ended.
fn write_weeks(out: &mut String, s: &Summary) {
    if s.weeks.is_empty() {
        return;
    }
    out.push_str("\n## Weeks\n\nShares of the runs due each week (a server's first run, or its next after one that did not start or failed); done is the share of all targeted servers completed by the week's end.\n\n| week | due | started | completed in window | overran | failed | stopped | not started | done |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for w in &s.weeks {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            w.week,
            grouped(w.due_mean, 1),
            grouped(w.started_mean, 1),
            pct(w.completed_in_window.mean),
            pct(w.overran.mean),
            pct(w.failed.mean),
            pct(w.stopped.mean),
            pct(w.not_started.mean),
            pct(w.done_by_end.mean)
        );
    }
}

/// The title, the run and the fleet, the precision and the shard.
fn write_run(out: &mut String, s: &Summary) {
    let _ = writeln!(out, "# {}\n", markdown(&s.scenario));
    if !s.description.is_empty() {
        let _ = writeln!(out, "{}\n", markdown(&s.description));
    }
    let _ = writeln!(
        out,
        "{} replication{}, seed {}. {} servers; a replication targets {} of them (excluded: {}) and {} runs start.",
        s.replications,
        if s.replications == 1 { "" } else { "s" },
        s.seed,
        grouped(s.fleet.servers as f64, 0),
        grouped(s.fleet.targeted_mean, 1),
        grouped(s.fleet.excluded_mean, 1),
        grouped(s.fleet.started_mean, 1)
    );
    if let Some(p) = &s.precision {
        let _ = writeln!(
            out,
            "\nThe overran share is known to ±{:.4} percentage points (target ±{:.4}: {}).",
            p.half_width * 100.0,
            p.target_half_width * 100.0,
            if p.met { "met" } else { "not met, the replication limit stopped the run" }
        );
    }
    if let Some(shard) = &s.shard {
        let _ = writeln!(
            out,
            "\nShard {} of {} of a study of {} replications.",
            shard.index, shard.of, shard.study_replications
        );
    }
}

/// Outcomes, overrun and duration percentiles, restarts.
fn write_outcomes(out: &mut String, s: &Summary) {
    let o = &s.outcomes;
    out.push_str(
        "\n## Outcomes\n\n| outcome | share of targeted servers | 95% confidence interval |\n|---|---:|---:|\n",
    );
    share_row(out, "completed in window", &o.completed_in_window);
    share_row(out, "overran", &o.overran);
    share_row(out, "failed", &o.failed);
    share_row(out, "stopped", &o.stopped);
    share_row(out, "not started", &o.not_started);

    out.push_str("\n## Minutes\n\n| | mean | p50 | p90 | p95 | p99 | max |\n|---|---:|---:|---:|---:|---:|---:|\n");
    spread_row(out, "overrun past the window (servers that overran)", &s.overrun_minutes);
    spread_row(out, "run duration (runs that started)", &s.duration_minutes);

    let r = &s.restarts;
    out.push_str("\n## Restarts\n\n| | per targeted server | 95% confidence interval |\n|---|---:|---:|\n");
    let _ = writeln!(
        out,
        "| every restart | {:.3} | {:.3} – {:.3} |",
        r.per_server_mean, r.per_server_ci95[0], r.per_server_ci95[1]
    );
    let _ = writeln!(
        out,
        "| begun after the window closed | {:.3} | {:.3} – {:.3} |",
        r.outside_window_per_server_mean, r.outside_window_per_server_ci95[0], r.outside_window_per_server_ci95[1]
    );
}

/// Status and state messages.
fn write_messages(out: &mut String, s: &Summary) {
    let m = &s.status_messages;
    out.push_str("\n## Status messages\n\n| | |\n|---|---:|\n");
    let _ = writeln!(out, "| per run | {} |", grouped(m.per_run_mean, 1));
    let _ = writeln!(out, "| per replication | {} |", grouped(m.total_mean, 0));
    let _ = writeln!(
        out,
        "| busiest minute at the site (mean / worst) | {} / {} |",
        grouped(m.peak_per_minute.mean, 0),
        grouped(m.peak_per_minute.max, 0)
    );
    let _ = writeln!(
        out,
        "| busiest second at the site (mean / worst) | {} / {} |",
        grouped(m.peak_per_second.mean, 0),
        grouped(m.peak_per_second.max, 0)
    );
    let _ = writeln!(
        out,
        "| backlog peak at Status Manager (mean / worst) | {} / {} |",
        grouped(m.backlog_peak.mean, 0),
        grouped(m.backlog_peak.max, 0)
    );
    let l = &m.latency_seconds;
    let _ = writeln!(
        out,
        "| latency mean / p50 / p99 / max | {} / {} / {} / {} |",
        seconds(l.mean),
        seconds(l.p50),
        seconds(l.p99),
        seconds(l.max)
    );
    let _ = writeln!(out, "| drain after the last window closes | {:.1} min |", m.drain_minutes_after_last_window);
    if s.state_messages.total_mean > 0.0 {
        let st = &s.state_messages;
        let _ = writeln!(out, "| state messages per replication | {} |", grouped(st.total_mean, 0));
        let _ = writeln!(
            out,
            "| state-message latency mean / p99 | {} / {} |",
            seconds(st.latency_seconds.mean),
            seconds(st.latency_seconds.p99)
        );
    }
}

/// The windows with the most overrun.
fn write_worst_windows(out: &mut String, s: &Summary) {
    let mut worst: Vec<_> = s.windows.iter().filter(|w| w.overran.mean > 0.0).collect();
    worst.sort_by(|a, b| b.overran.mean.total_cmp(&a.overran.mean).then_with(|| a.name.cmp(&b.name)));
    out.push_str("\n## Windows with the most overrun\n\n");
    if worst.is_empty() {
        out.push_str("No server overran its window in any replication.\n");
        return;
    }
    out.push_str(
        "| window | targeted | overran | overrun p95 (min) | failed | not started |\n|---|---:|---:|---:|---:|---:|\n",
    );
    for w in worst.iter().take(5) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.1} | {} | {} |",
            markdown(&w.name),
            grouped(w.targeted_mean, 1),
            pct(w.overran.mean),
            w.overrun_p95_minutes,
            pct(w.failed.mean),
            pct(w.not_started.mean)
        );
    }
}
