//! Calibration: the history's step durations, restart durations and exit codes fitted, written
//! as a timings file, or written into a scenario's matching steps in place; with them the
//! coupling check ([`super::coupling`]) of every step.

use std::fmt::Write;

use toml_edit::{DocumentMut, Item, TableLike, Value};

use super::coupling::{CouplingCheck, StepCoupling, Verdict};
use super::fit::{LognormalFit, fit_lognormal};
use super::history::History;
use super::scenario_writer::toml_string;
use super::text_style::TextStyle;
use super::timings::{Edit, StepShape, StepTiming, Timings, round_shares};
use crate::input::InputError;
use crate::scenario::count::{CountDist, Items};
use crate::scenario::duration::DurationDisplay;
use crate::scenario::step::{Action, ExitBehaviour, Node, NodeKind, On3010, Step};
use crate::scenario::{Fleet, Scenario};

/// What the history says, fitted.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// The restart-duration fit, when the history has restarts.
    pub restart: Option<LognormalFit>,
    /// One entry per step name, in the order the steps run.
    pub steps: Vec<FittedStep>,
    /// Whether steps take longer with more servers in them at once, step by step in the same
    /// order.
    pub coupling: CouplingCheck,
}

/// One step's fit.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedStep {
    /// The step's name.
    pub name: String,
    /// The duration fit (none when every completion took no measurable time).
    pub fit: Option<LognormalFit>,
    /// Completions at the same second as the previous message, left out of the fit.
    pub zero: u64,
    /// Exit codes and their shares (adding up to 1), ascending by code; empty without codes.
    pub exit_codes: Vec<(i64, f64)>,
    /// Completions with an exit code.
    pub with_code: u64,
    /// The most completions of this name in one run (above 1: each is one item).
    pub most_in_a_run: u32,
    /// Mean and variance of the positive durations, in milliseconds (what a per-item split uses).
    pub moments: Option<(f64, f64)>,
    /// Restarts inside the step per completion, on average (their time is in the durations).
    pub restarts_within: f64,
}

impl FittedStep {
    /// Whether each completion is one item of a step (or one of several steps of the name),
    /// rather than a whole step.
    pub fn per_item(&self) -> bool {
        self.most_in_a_run > 1
    }
}

impl Calibration {
    /// Fits every step and the restarts of a history. Every sum runs over sorted samples, so
    /// the fits depend only on the samples, not on their order (and [`History::parse`] makes
    /// the samples and the order of the steps independent of the order of the file's rows).
    pub fn fit(history: &History) -> Self {
        let steps = history
            .actions
            .iter()
            .map(|a| {
                let with_code: u64 = a.exit_codes.iter().map(|(_, n)| n).sum();
                let n = a.durations.len() as f64;
                // Summed in ascending order: the same moments for any order of the samples.
                let mut sorted = a.durations.clone();
                sorted.sort_by(f64::total_cmp);
                let moments = (n > 1.0).then(|| {
                    let mean = sorted.iter().sum::<f64>() / n;
                    let var = sorted.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1.0);
                    (mean * 1000.0, var * 1e6)
                });
                let counts: Vec<(i64, f64)> = a.exit_codes.iter().map(|(c, k)| (*c, *k as f64)).collect();
                FittedStep {
                    name: a.name.clone(),
                    fit: fit_lognormal(&a.durations),
                    zero: a.zero,
                    exit_codes: round_shares(&counts),
                    with_code,
                    most_in_a_run: a.most_in_a_run,
                    moments,
                    restarts_within: per_completion(a.restarts_within, a.durations.len() as u64 + a.zero)
                        .min(super::timings::MAX_RESTARTS_WITHIN),
                }
            })
            .collect();
        let coupling = CouplingCheck::of(history.actions.iter().map(|a| (a.name.as_str(), a.spans.as_slice())));
        Self { restart: fit_lognormal(&history.restarts), steps, coupling }
    }

    /// The fits as timings (what `--into` and `import --timings` apply).
    pub fn timings(&self) -> Timings {
        Timings {
            restart: self.restart.map(|f| f.to_dist()),
            steps: self
                .steps
                .iter()
                .map(|s| {
                    let fitted = s.fit.map(|f| f.to_dist());
                    let (duration, per_item) = if s.per_item() { (None, fitted) } else { (fitted, None) };
                    StepTiming {
                        name: s.name.clone(),
                        duration,
                        exit_codes: exit_behaviour(&s.exit_codes),
                        scan: None,
                        per_item,
                        moments: if s.per_item() { None } else { s.moments },
                        restarts_within: s.restarts_within,
                    }
                })
                .collect(),
        }
    }

    /// The timings file: `[restart]` and one `[[step]]` per step, the fit quality as comments.
    pub fn to_toml(&self, history: &History, source: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# Fitted by `patchsim calibrate` from {source}:");
        let _ = writeln!(
            out,
            "# {} rows, {} runs on {} servers{}.",
            history.rows,
            history.runs,
            history.servers,
            history.span.as_ref().map(|(a, b)| format!(", {a} to {b}")).unwrap_or_default()
        );
        if history.bad_rows() > 0 {
            let n = history.bad_rows();
            let _ = writeln!(out, "# {n} row{} not used:", if n == 1 { "" } else { "s" });
            for b in &history.bad {
                let example = b.example_text().map(|e| format!("; {e}")).unwrap_or_default();
                let _ = writeln!(out, "#   {} × {} (line {}{example})", b.count, b.reason, join(&b.lines));
            }
        }
        if history.untimed > 0 {
            let _ = writeln!(
                out,
                "# {} step completions opened their run in the export (no start message before them): not timed.",
                history.untimed
            );
        }
        let _ =
            writeln!(out, "# A step's duration is the time from the run's previous status message to the step's own;");
        let _ =
            writeln!(out, "# a restart's, from the step before it to the restart message (11142). A restart inside a");
        let _ = writeln!(out, "# step (its 11142 before the step completed) is in the step's time: see `restarts`.");
        let _ = writeln!(
            out,
            "# Fits: lognormal by maximum likelihood. KS is the Kolmogorov-Smirnov distance between the data"
        );
        let _ =
            writeln!(out, "# and the fit; above the 5% value (1.36/sqrt(n)) a lognormal describes the step poorly.");
        if let Some(f) = &self.restart {
            let _ = writeln!(out, "\n[restart]");
            let _ = writeln!(out, "# {}", quality(f, 0));
            let _ = writeln!(out, "duration = {}", f.to_dist().to_toml());
        }
        for s in &self.steps {
            let _ = writeln!(out, "\n[[step]]");
            match &s.fit {
                Some(f) => {
                    let _ = writeln!(out, "# {}", quality(f, s.zero));
                }
                None => {
                    let _ = writeln!(
                        out,
                        "# no measurable duration ({} completions at the second of the message before)",
                        s.zero
                    );
                }
            }
            if !s.exit_codes.is_empty() {
                let _ = writeln!(out, "# exit codes from {} completions", s.with_code);
            }
            if s.per_item() {
                let _ = writeln!(
                    out,
                    "# completed up to {} times in one run: each completion is one item (or one of several steps of this name)",
                    s.most_in_a_run
                );
            }
            let _ = writeln!(out, "name = {}", toml_string(&s.name));
            let _ = writeln!(
                out,
                "{}",
                if s.per_item() {
                    "type = \"install_software\"   # one completion per item"
                } else {
                    "type = \"command\"   # the history times the whole step"
                }
            );
            if let Some(f) = &s.fit {
                let key = if s.per_item() { "per_item" } else { "duration" };
                let _ = writeln!(out, "{key} = {}", f.to_dist().to_toml());
            }
            if let (false, Some((mean, var))) = (s.per_item(), s.moments) {
                let _ = writeln!(
                    out,
                    "mean = \"{}\"   # the whole step's observed mean and spread: what splits it per item",
                    DurationDisplay(mean.round() as u64)
                );
                let _ = writeln!(out, "sd = \"{}\"", DurationDisplay(var.sqrt().round() as u64));
            }
            if s.restarts_within > 0.0 {
                let _ = writeln!(
                    out,
                    "restarts = {}   # restarts inside the step per completion: their time is in the step's, and taken out when it is split",
                    crate::scenario::distribution::tidy(s.restarts_within)
                );
            }
            if let Some(e) = exit_behaviour(&s.exit_codes) {
                let _ = writeln!(out, "exit_codes = {}", e.exit_codes_toml());
            }
        }
        self.coupling_toml(&mut out);
        out
    }

    /// The coupling check as `[coupling]` and one `[[coupling.step]]` per step: information for
    /// people and scripts, which `import --timings` and `--into` do not apply.
    fn coupling_toml(&self, out: &mut String) {
        let check = &self.coupling;
        let _ =
            writeln!(out, "\n# Coupling check (docs/import.md, \"Reading the coupling check\"): each step's duration");
        let _ = writeln!(out, "# regressed on how many other servers were inside the same step when a run entered it.");
        let _ = writeln!(
            out,
            "# Slopes are seconds per other server, with their 95% interval; information only, not applied."
        );
        let _ = writeln!(out, "[coupling]");
        let _ = writeln!(out, "# {}", check.verdict_sentence());
        let (verdict, contended) = match check.verdict() {
            Verdict::Contention(steps) => ("contention", steps),
            Verdict::NoSign => ("none", Vec::new()),
            Verdict::NotEnoughData => ("not enough data", Vec::new()),
        };
        let _ = writeln!(out, "verdict = \"{verdict}\"");
        let _ =
            writeln!(out, "contended = [{}]", contended.iter().map(|n| toml_string(n)).collect::<Vec<_>>().join(", "));
        for step in &check.steps {
            let _ = writeln!(out, "\n[[coupling.step]]");
            let _ = writeln!(out, "name = {}", toml_string(&step.name));
            let _ = writeln!(out, "runs = {}", step.runs);
            match (step.slope(), step.shortfall_text()) {
                (Some(b), _) => {
                    let (low_pct, high_pct) = b.percent_interval();
                    let _ = writeln!(out, "others_mean = {}", toml_float(b.mean_others));
                    let _ = writeln!(out, "others_max = {}", b.max_others);
                    let _ = writeln!(out, "slope_seconds = {}", toml_float(b.seconds_per_server));
                    let _ = writeln!(out, "slope_low = {}", toml_float(b.low));
                    let _ = writeln!(out, "slope_high = {}", toml_float(b.high));
                    let _ = writeln!(out, "slope_percent_of_median = {}", toml_float(b.percent_of_median()));
                    let _ = writeln!(out, "percent_low = {}", toml_float(low_pct));
                    let _ = writeln!(out, "percent_high = {}", toml_float(high_pct));
                    let _ = writeln!(out, "alone_seconds = {}", toml_float(b.alone_seconds));
                    let _ = writeln!(out, "median_seconds = {}", toml_float(b.median_seconds));
                    let _ = writeln!(out, "significant = {}", b.significant());
                }
                (None, why) => {
                    let _ = writeln!(out, "not_enough_data = {}", toml_string(&why.unwrap_or_default()));
                }
            }
        }
    }

    /// The fit of a step, by name (exactly, else without regard to case).
    pub fn step(&self, name: &str) -> Option<&FittedStep> {
        let name = name.trim();
        self.steps
            .iter()
            .find(|s| s.name == name)
            .or_else(|| self.steps.iter().find(|s| s.name.eq_ignore_ascii_case(name)))
    }
}

/// A scenario rewritten with calibrated steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The new text.
    pub text: String,
    /// Steps changed: (name, keys set).
    pub updated: Vec<(String, Vec<&'static str>)>,
    /// Whether `[restart] duration` was set.
    pub restart: bool,
    /// History steps that match no step of the scenario.
    pub unmatched: Vec<String>,
    /// What could not be applied.
    pub warnings: Vec<String>,
}

/// Writes the calibration into a scenario's matching steps (by name) and its `[restart]`
/// duration, keeping everything else — comments, order, layout — as it was. The text comes back
/// in the original's [`TextStyle`]: a CRLF file has every line, the added and changed ones too,
/// ended with CRLF, an LF file stays LF, and a UTF-8 byte-order mark stays. The result is
/// checked to load; `file` names the scenario in errors.
pub fn apply_into(
    text: &str,
    file: &str,
    scenario: &Scenario,
    calibration: &Calibration,
) -> Result<Applied, InputError> {
    let style = TextStyle::of(text);
    let mut doc: DocumentMut = TextStyle::plain(text)
        .parse()
        .map_err(|e: toml_edit::TomlError| InputError::file(file, format!("TOML syntax error: {}", e.message())))?;
    let mut timings = calibration.timings();
    // Without a fitted restart, a step's restarts inside it are taken out at the scenario's.
    if timings.restart.is_none() {
        timings.restart = Some(scenario.restart.duration.clone());
    }
    let mut applied = Applied {
        text: String::new(),
        updated: Vec::new(),
        restart: false,
        unmatched: Vec::new(),
        warnings: Vec::new(),
    };
    let mut used = vec![false; timings.steps.len()];
    if let Some(item) = doc.get_mut("step") {
        walk(item, &scenario.steps, &scenario.fleet, &timings, calibration, &mut used, &mut applied);
    }
    if let (Some(restart), Some(fit)) = (&timings.restart, &calibration.restart) {
        let table = doc.entry("restart").or_insert_with(|| {
            let mut t = toml_edit::Table::new();
            t.set_implicit(false);
            Item::Table(t)
        });
        let inline = table.is_inline_table();
        match table.as_table_like_mut() {
            Some(t) => {
                set(t, inline, "duration", &restart.to_toml(), Some(&format!("calibrate: {}", short_quality(fit))));
                applied.restart = true;
            }
            None => applied.warnings.push("`restart` is not a table: its duration is left unchanged".to_owned()),
        }
    }
    applied.unmatched = timings.steps.iter().zip(&used).filter(|(_, u)| !**u).map(|(s, _)| s.name.clone()).collect();
    applied.text = style.apply(&doc.to_string());
    Scenario::from_toml(&applied.text, file)?;
    Ok(applied)
}

fn walk(
    item: &mut Item,
    nodes: &[Node],
    fleet: &Fleet,
    timings: &Timings,
    calibration: &Calibration,
    used: &mut [bool],
    applied: &mut Applied,
) {
    let (tables, inline): (Vec<&mut dyn TableLike>, bool) = match item {
        Item::ArrayOfTables(a) => (a.iter_mut().map(|t| t as &mut dyn TableLike).collect(), false),
        Item::Value(Value::Array(a)) => {
            (a.iter_mut().filter_map(|v| v.as_inline_table_mut().map(|t| t as &mut dyn TableLike)).collect(), true)
        }
        _ => return,
    };
    for (table, node) in tables.into_iter().zip(nodes) {
        match &node.kind {
            NodeKind::Group(children) => {
                if let Some(inner) = table.get_mut("steps") {
                    walk(inner, children, fleet, timings, calibration, used, applied);
                }
            }
            NodeKind::Step(step) => {
                let Some(index) = timings
                    .steps
                    .iter()
                    .position(|s| s.name == node.name)
                    .or_else(|| timings.steps.iter().position(|s| s.name.eq_ignore_ascii_case(&node.name)))
                else {
                    continue;
                };
                used[index] = true;
                let (edits, warnings) = timings.steps[index].edits(&shape(step, fleet), timings.restart.as_ref());
                applied.warnings.extend(warnings);
                let fit = calibration.step(&node.name).and_then(|s| s.fit);
                let coupling = calibration
                    .coupling
                    .steps
                    .iter()
                    .find(|c| c.name == timings.steps[index].name)
                    .and_then(coupling_note);
                let mut keys = Vec::new();
                for Edit { key, value, note } in edits {
                    let mut comment = format!(
                        "calibrate: {}",
                        fit.map(|f| short_quality(&f)).unwrap_or_else(|| "exit codes".to_owned())
                    );
                    if key == "exit_codes" {
                        comment = "calibrate: exit-code shares".to_owned();
                    }
                    if let Some(n) = note {
                        let _ = write!(comment, "; {n}");
                    }
                    if let (Some(c), false) = (&coupling, key == "exit_codes") {
                        let _ = write!(comment, "; {c}");
                    }
                    set(table, inline, key, &value, Some(&comment));
                    keys.push(key);
                }
                if !keys.is_empty() {
                    applied.updated.push((node.name.clone(), keys));
                }
            }
        }
    }
}

/// What a scenario step is, for timings.
fn shape(step: &Step, fleet: &Fleet) -> StepShape {
    let count = |items: &Items| -> CountDist {
        match items {
            Items::Dist(d) => d.clone(),
            Items::Named { index, .. } => fleet.counts[*index].dist.clone(),
        }
    };
    let wrapped = |exit: &ExitBehaviour| match exit.on_3010 {
        On3010::Set(_) => Some(exit.probabilities().iter().filter(|(c, _)| *c == 3010).map(|(_, p)| p).sum::<f64>()),
        On3010::Restart => None,
    };
    match &step.action {
        Action::Sleep { .. } => StepShape::Sleep,
        Action::Command { exit, .. } => StepShape::Command { wrapped_3010: wrapped(exit) },
        Action::InstallSoftware { items, exit, .. } => {
            StepShape::InstallSoftware { items: count(items), wrapped_3010: wrapped(exit) }
        }
        Action::InstallUpdates(u) => {
            StepShape::InstallUpdates { scan: u.scan.clone(), rescan: u.rescan.clone(), items: count(&u.items) }
        }
        Action::Restart { .. } => StepShape::Restart,
        Action::SetVariable { .. } => StepShape::SetVariable,
    }
}

/// `count` restarts over `completions`, rounded to four decimals (0 without completions).
fn per_completion(count: u64, completions: u64) -> f64 {
    if completions == 0 { 0.0 } else { (count as f64 / completions as f64 * 1e4).round() / 1e4 }
}

/// Sets `key` to an inline TOML value, with a trailing comment unless the table is inline
/// (where TOML allows no comment).
fn set(table: &mut dyn TableLike, inline: bool, key: &str, toml: &str, comment: Option<&str>) {
    let Ok(mut value) = toml.parse::<Value>() else { return };
    value.decor_mut().set_prefix(" ");
    if let Some(c) = comment
        && !inline
    {
        value.decor_mut().set_suffix(format!("   # {c}"));
    }
    match table.get_mut(key) {
        Some(existing) => *existing = Item::Value(value),
        None => {
            // A new key takes the indentation of the step's other keys.
            let indent = ["type", "name"]
                .iter()
                .find_map(|k| table.key(k).and_then(|k| k.leaf_decor().prefix()).and_then(|p| p.as_str()))
                .map(str::to_owned);
            table.insert(key, Item::Value(value));
            if let (Some(indent), Some(mut k)) = (indent, table.key_mut(key)) {
                k.leaf_decor_mut().set_prefix(indent);
            }
        }
    }
}

fn quality(f: &LognormalFit, zero: u64) -> String {
    let verdict = if f.sigma == 0.0 {
        "every sample the same".to_owned()
    } else if f.acceptable() {
        format!("KS {:.3} (5% value {:.3}): a lognormal fits", f.ks, f.ks_critical())
    } else {
        format!("KS {:.3} (5% value {:.3}): a lognormal fits POORLY, look at the data", f.ks, f.ks_critical())
    };
    let zeros = if zero > 0 { format!(" ({zero} zero-length left out)") } else { String::new() };
    format!("{} samples{zeros}; median {}, p95 {}; {verdict}", f.n, seconds(f.median()), seconds(f.p95()))
}

fn short_quality(f: &LognormalFit) -> String {
    if f.sigma == 0.0 {
        format!("{} samples, all the same", f.n)
    } else {
        format!("{} samples, KS {:.3}{}", f.n, f.ks, if f.acceptable() { "" } else { " (poor fit)" })
    }
}

/// A figure as a TOML float: four decimals, and never `-0.0000`.
fn toml_float(v: f64) -> String {
    let text = format!("{v:.4}");
    if text.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') { "0.0".to_owned() } else { text }
}

/// What `--into` adds to a step's comment when the coupling check finds it slower with company.
fn coupling_note(step: &StepCoupling) -> Option<String> {
    let b = step.slope().filter(|b| b.contention())?;
    Some(format!(
        "coupling check: {:+.1}s ({:+.1}% of the median) per other server in the step, 95% [{:+.1}s, {:+.1}s]: a shared resource? (docs/import.md)",
        b.seconds_per_server,
        b.percent_of_median(),
        b.low,
        b.high
    ))
}

fn seconds(s: f64) -> String {
    DurationDisplay((s * 1000.0).round() as u64).to_string()
}

fn join(lines: &[u64]) -> String {
    lines.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
}

fn exit_behaviour(shares: &[(i64, f64)]) -> Option<ExitBehaviour> {
    if shares.is_empty() {
        return None;
    }
    let codes: Vec<i64> = shares.iter().map(|(c, _)| *c).collect();
    let weights: Vec<f64> = shares.iter().map(|(_, s)| *s).collect();
    let total: f64 = weights.iter().sum();
    Some(ExitBehaviour {
        codes,
        cumulative: crate::scenario::distribution::cumulate(&weights, total),
        ..ExitBehaviour::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_code_shares_add_up_to_one_exactly() {
        let s = round_shares(&[(0, 970.0), (1, 20.0), (3010, 10.0)]);
        assert_eq!(s, [(0, 0.97), (1, 0.02), (3010, 0.01)]);
        let s = round_shares(&[(0, 1.0), (1, 1.0), (2, 1.0)]);
        let total: f64 = s.iter().map(|(_, p)| p).sum();
        assert!((total - 1.0).abs() < 1e-12, "{s:?}");
        assert!(round_shares(&[]).is_empty());
        assert_eq!(round_shares(&[(0, 1e7), (5, 1.0)]), [(0, 1.0)], "a share below a millionth rounds away");
    }
}
