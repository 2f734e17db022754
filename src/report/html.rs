//! `report.html`: one self-contained page — headline figures, the charts inline as SVG with a
//! sentence each on how to read them, the per-window table, and the scenario's assumptions. No
//! script, no style sheet or font to fetch, no image file beside it: it opens offline and can be
//! mailed as it is.

use std::fmt::Write;

use super::charts::Chart;
use super::data::ReportData;
use super::escape;
use super::table::{grouped, seconds};

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:1000px;padding:24px;color:#1a1a1a;line-height:1.45}\
h1{margin-bottom:4px}h2{margin-top:36px;border-bottom:1px solid #ddd;padding-bottom:4px}\
.meta{color:#555}.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}\
.card{border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:140px}\
.card .v{font-size:1.5em;font-weight:600}.card .l{color:#555;font-size:.9em}.card .c{color:#777;font-size:.8em}\
figure{margin:24px 0}figure svg{width:100%;height:auto;border:1px solid #eee}figcaption{color:#444;margin-top:6px}\
table{border-collapse:collapse;font-size:.9em}th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}\
th:first-child,td:first-child{text-align:left}tr:nth-child(even){background:#f7f7f7}\
pre{background:#f7f7f7;padding:12px;overflow-x:auto;font-size:.85em}";

fn card(out: &mut String, value: &str, label: &str, note: &str) {
    let _ = write!(
        out,
        "<div class=\"card\"><div class=\"v\">{}</div><div class=\"l\">{}</div><div class=\"c\">{}</div></div>",
        escape::html(value),
        escape::html(label),
        escape::html(note)
    );
}

fn pct(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

/// An SVG chart ready to sit inside HTML: the XML namespace is implied there.
fn inline_svg(svg: &str) -> String {
    svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}

/// The report page; `charts` are the report's charts (their SVG is inlined).
pub fn report_html(data: &ReportData, charts: &[(&dyn Chart, String)]) -> Vec<u8> {
    let s = &data.summary;
    let mut out = String::with_capacity(400_000);
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>patchsim: {}</title><style>{STYLE}</style></head><body>",
        escape::html(&s.scenario)
    );
    let _ = writeln!(out, "<h1>{}</h1>", escape::html(&s.scenario));
    if !s.description.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", escape::html(&s.description));
    }
    let _ = writeln!(
        out,
        "<p class=\"meta\">{} replications, seed {}; {} servers, {} targeted a replication. Every figure is a mean over replications; ranges are 95% confidence intervals.</p>",
        s.replications,
        s.seed,
        grouped(s.fleet.servers as f64, 0),
        grouped(s.fleet.targeted_mean, 1)
    );
    if let Some(p) = &s.precision {
        let _ = writeln!(
            out,
            "<p class=\"meta\">Precision: the overran share is known to ±{:.4} percentage points ({}).</p>",
            p.half_width * 100.0,
            if p.met { "target met" } else { "target not met: replication limit reached" }
        );
    }

    out.push_str("<h2>Headline figures</h2>\n<div class=\"cards\">");
    let o = &s.outcomes;
    for (label, m) in [
        ("completed in window", &o.completed_in_window),
        ("overran", &o.overran),
        ("failed", &o.failed),
        ("stopped", &o.stopped),
        ("not started", &o.not_started),
    ] {
        card(&mut out, &pct(m.mean), label, &format!("{} – {}", pct(m.ci95[0]), pct(m.ci95[1])));
    }
    let ov = &s.overrun_minutes;
    card(
        &mut out,
        &format!("{:.1} min", ov.p95),
        "overrun p95",
        &format!("mean {:.1}, max {:.0} min", ov.mean, ov.max),
    );
    card(
        &mut out,
        &format!("{:.2}", s.restarts.per_server_mean),
        "restarts per server",
        &format!("{:.3} after the window", s.restarts.outside_window_per_server_mean),
    );
    let m = &s.status_messages;
    card(
        &mut out,
        &grouped(m.peak_per_minute.mean, 0),
        "messages in the busiest minute",
        &format!("worst replication {}", grouped(m.peak_per_minute.max, 0)),
    );
    card(
        &mut out,
        &grouped(m.backlog_peak.mean, 0),
        "backlog peak at Status Manager",
        &format!("worst {}", grouped(m.backlog_peak.max, 0)),
    );
    card(
        &mut out,
        &seconds(m.latency_seconds.p99),
        "message latency p99",
        &format!("max {}", seconds(m.latency_seconds.max)),
    );
    card(&mut out, &format!("{:.1} min", m.drain_minutes_after_last_window), "drain after the last window", "");
    out.push_str("</div>\n");

    out.push_str("<h2>Charts</h2>\n");
    for (chart, svg) in charts {
        let _ = writeln!(
            out,
            "<figure id=\"{}\">{}<figcaption><strong>{}.</strong> {}</figcaption></figure>",
            chart.name(),
            inline_svg(svg),
            escape::html(&chart.title()),
            escape::html(&chart.caption())
        );
    }

    resources_section(&mut out, data);
    weeks_section(&mut out, data);

    out.push_str(
        "<h2>Windows</h2>\n<p>Shares of each window's targeted servers, over all replications.</p>\n<table><thead><tr><th>window</th><th>targeted</th><th>completed in window</th><th>overran</th><th>failed</th><th>stopped</th><th>not started</th><th>overrun p95 (min)</th><th>messages</th></tr></thead><tbody>\n",
    );
    for w in &s.windows {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1}</td><td>{}</td></tr>",
            escape::html(&w.name),
            grouped(w.targeted_mean, 1),
            pct(w.completed_in_window.mean),
            pct(w.overran.mean),
            pct(w.failed.mean),
            pct(w.stopped.mean),
            pct(w.not_started.mean),
            w.overrun_p95_minutes,
            grouped(w.messages_mean, 0)
        );
    }
    out.push_str("</tbody></table>\n");

    let _ = writeln!(
        out,
        "<h2>Assumptions</h2>\n<p>What the scenario says, as patchsim read it.</p>\n<pre>{}</pre>",
        escape::html(&data.assumptions)
    );
    let _ = writeln!(
        out,
        "<p class=\"meta\">Written by patchsim {}. The figures are in summary.json; the windows in windows.csv; the site's load minute by minute in load.csv.</p>\n</body></html>",
        env!("CARGO_PKG_VERSION")
    );
    out.into_bytes()
}

/// "Shared resources": each resource's figures, and which resource the most delayed windows
/// waited for.
/// A month of several weeks: each week's due runs, how they ended, and the fleet done by then.
fn weeks_section(out: &mut String, data: &ReportData) {
    let weeks = &data.summary.weeks;
    if weeks.is_empty() {
        return;
    }
    out.push_str(
        "<h2>Weeks</h2>\n<p>Each week's runs: a server's first, or its next at its window's next opening after one that did not start or failed (rerun if failed). Shares are of the runs due that week; done is the share of all targeted servers completed by the week's end.</p>\n<table><thead><tr><th>week</th><th>due</th><th>started</th><th>completed in window</th><th>overran</th><th>failed</th><th>stopped</th><th>not started</th><th>done</th></tr></thead><tbody>\n",
    );
    for w in weeks {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
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
    out.push_str("</tbody></table>\n");
}

fn resources_section(out: &mut String, data: &ReportData) {
    let s = &data.summary;
    if s.resources.is_empty() {
        return;
    }
    out.push_str(
        "<h2>Shared resources</h2>\n<p>Over all replications. Utilisation is the busy share of capacity from the first window's start to the last window's end; peak is the most activities on one instance; stretch is how many times longer than alone a shared activity took; waits are slots' time in line, refusals and retries included.</p>\n<table><thead><tr><th>resource</th><th>kind</th><th>instances</th><th>utilisation</th><th>peak (mean, max)</th><th>stretch mean, p95</th><th>wait p95 (s)</th><th>refused a month</th><th>failed a month</th></tr></thead><tbody>\n",
    );
    let or_dash = |x: Option<String>| x.unwrap_or_else(|| "–".to_owned());
    for r in &s.resources {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1}, {:.0}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape::html(&r.name),
            r.kind,
            r.instances,
            pct(r.utilisation),
            r.peak.mean,
            r.peak.max,
            or_dash(r.stretch.map(|t| format!("{:.2}×, {:.2}×", t.mean, t.p95))),
            or_dash(r.wait_seconds.map(|t| format!("{:.0}", t.p95))),
            or_dash(r.refused_mean.map(|x| grouped(x, 1))),
            or_dash(r.failed_mean.map(|x| grouped(x, 1))),
        );
    }
    out.push_str("</tbody></table>\n");
    // Which resource each window waited for, most delayed windows first.
    let mut windows: Vec<(usize, f64)> = s
        .windows
        .iter()
        .enumerate()
        .filter_map(|(w, f)| f.resource_wait_minutes_mean.filter(|m| *m > 0.0).map(|m| (w, m)))
        .collect();
    windows.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    if windows.is_empty() || data.resources.is_empty() {
        return;
    }
    out.push_str(
        "<h3>Which resource limits which windows</h3>\n<p>The windows whose servers waited longest (mean minutes a started run spent waiting or slowed, over all replications), and how that time split between the resources in the first replication.</p>\n<table><thead><tr><th>window</th><th>wait a run (min)</th><th>overran</th><th>limited most by</th><th>split</th></tr></thead><tbody>\n",
    );
    for &(w, minutes) in windows.iter().take(10) {
        let waits: Vec<(&str, f64)> = data
            .resources
            .iter()
            .map(|v| (v.name.as_str(), v.window_wait_minutes.get(w).copied().unwrap_or(0.0)))
            .collect();
        let total: f64 = waits.iter().map(|x| x.1).sum();
        let most = waits.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1)).filter(|x| x.1 > 0.0);
        let split = if total > 0.0 {
            waits
                .iter()
                .filter(|x| x.1 > 0.0)
                .map(|(n, m)| format!("{} {:.0}%", escape::html(n), m / total * 100.0))
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            "–".to_owned()
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{:.1}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape::html(&s.windows[w].name),
            minutes,
            pct(s.windows[w].overran.mean),
            most.map_or_else(|| "–".to_owned(), |m| escape::html(m.0)),
            split
        );
    }
    out.push_str("</tbody></table>\n");
}
