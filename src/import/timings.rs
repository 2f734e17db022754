//! Step timings by step name: what `patchsim calibrate` writes and what `import configmgr
//! --timings` and `calibrate --into` read.
//!
//! ```toml
//! [restart]
//! duration = { dist = "lognormal", median = "6m12s", p95 = "14m40s" }
//!
//! [[step]]
//! name = "Install Required Software Updates"
//! type = "command"          # what the history shows: one duration for the whole step
//! duration = { dist = "lognormal", median = "22m", p95 = "58m" }
//! exit_codes = { 0 = 0.97, 3010 = 0.02, 1 = 0.01 }
//! ```
//!
//! A timing's `duration` is the time of the **whole step**. A step that patchsim models in
//! parts — an update step's scan plus one install per update, an application step's one
//! install per application — gets the per-item time that gives the whole step the same mean
//! and variance ([`split_whole_step`]); `scan` and `per_item` may also be given directly.

use std::path::Path;

use toml::de::DeTable;

use crate::input::InputError;
use crate::input::InputFile;
use crate::scenario::count::CountDist;
use crate::scenario::distribution::DurationDist;
use crate::scenario::reader::{Source, Table};
use crate::scenario::step::ExitBehaviour;

/// The most restarts inside one step per completion that a timings file may give.
pub const MAX_RESTARTS_WITHIN: f64 = 10.0;

/// The largest timings file read (16 MiB, as a scenario).
pub const MAX_TIMINGS_BYTES: u64 = 16 << 20;

/// The timings of a file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Timings {
    /// The restart duration (`[restart] duration`).
    pub restart: Option<DurationDist>,
    /// Per-step timings, in file order.
    pub steps: Vec<StepTiming>,
}

/// The timing of one step, by name.
#[derive(Debug, Clone, PartialEq)]
pub struct StepTiming {
    /// The step's name, as in the console and the history's `ActionName`.
    pub name: String,
    /// The whole step's duration.
    pub duration: Option<DurationDist>,
    /// Exit codes and their shares.
    pub exit_codes: Option<ExitBehaviour>,
    /// An update step's scan, given directly.
    pub scan: Option<DurationDist>,
    /// One update's or application's install, given directly (calibrate writes it for a step
    /// that completes more than once in a run: one completion per item).
    pub per_item: Option<DurationDist>,
    /// The whole step's observed mean and standard deviation, in milliseconds, when known: a
    /// per-item time is split from these rather than from the fitted distribution.
    pub moments: Option<(f64, f64)>,
    /// Restarts inside the step per completion, on average (`restarts`): the history's 11142
    /// messages of the step before it completed. Their time is in `duration`; a split takes it
    /// (a restart and the scan that follows it) out.
    pub restarts_within: f64,
}

/// What a step is, as far as timings go: its type and the settings a whole-step time is split
/// against.
#[derive(Debug, Clone, PartialEq)]
pub enum StepShape {
    /// `sleep`: a design setting that timings leave alone.
    Sleep,
    /// `command`: duration and exit codes.
    Command {
        /// The step's share of exit code 3010 when a wrapper turns it into 0 (`on_3010 = { set
        /// = … }`): the history cannot see it, so it is kept.
        wrapped_3010: Option<f64>,
    },
    /// `install_software`: per-item time and exit codes, `items` installs a run.
    InstallSoftware {
        /// How many items a run installs.
        items: CountDist,
        /// As for [`StepShape::Command`].
        wrapped_3010: Option<f64>,
    },
    /// `install_updates`: a scan, then `items` updates.
    InstallUpdates {
        /// The scan's duration.
        scan: DurationDist,
        /// The scan after the step's own restart.
        rescan: DurationDist,
        /// How many updates a run installs.
        items: CountDist,
    },
    /// `restart`: the restart's duration.
    Restart,
    /// `set_variable`: takes no time.
    SetVariable,
}

/// One change to a step: a key and its new value as inline TOML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The step's key (`duration`, `per_item`, `scan`, `exit_codes`).
    pub key: &'static str,
    /// The value, as inline TOML.
    pub value: String,
    /// Why, in a few words, for a comment (e.g. how a whole-step time was split).
    pub note: Option<String>,
}

impl Timings {
    /// Keys of a timing step.
    const STEP_KEYS: &'static [&'static str] =
        &["name", "type", "duration", "exit_codes", "scan", "per_item", "mean", "sd", "restarts"];

    /// Reads a timings file.
    pub fn read(path: &Path) -> Result<Self, InputError> {
        let shown = path.display().to_string();
        let file = InputFile { shown: &shown, what: "timings", kind: "a timings file", max_bytes: MAX_TIMINGS_BYTES };
        let bytes = file.read(path)?;
        if bytes.is_empty() {
            return Err(InputError::file(&shown, "the file is empty: timings need at least one [[step]] or [restart]"));
        }
        let text = crate::input::decode_text(&bytes, "timings TOML").map_err(|m| InputError::file(&shown, m))?;
        Self::parse(&text, &shown)
    }

    /// Reads timings from TOML text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, InputError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let src = Source { file, text, overrides: &[] };
        let doc = DeTable::parse(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            src.error(&span, "", format!("TOML syntax error: {}", e.message()))
        })?;
        // `[coupling]` is what calibrate found about contention: information, not a timing.
        let root = Table::root(src, &doc, &["restart", "step", "coupling"])?;
        let mut timings = Self::default();
        if let Some(v) = root.get("restart") {
            let t = v.table(&["duration"])?;
            timings.restart = t.get("duration").map(|d| DurationDist::read(&d)).transpose()?;
        }
        if let Some(v) = root.get("step") {
            for item in v.array().map_err(|_| v.error("write step timings as [[step]] tables"))? {
                let t = item.table(Self::STEP_KEYS)?;
                let name = t.req("name")?.name()?.to_owned();
                if timings.steps.iter().any(|s: &StepTiming| s.name == name) {
                    return Err(t.req("name")?.error(format!("\"{name}\" has timings twice")));
                }
                let read = |key: &str| t.get(key).map(|d| DurationDist::read(&d)).transpose();
                let exit_codes = if t.get("exit_codes").is_some() { Some(ExitBehaviour::read(&t)?) } else { None };
                let moments = match (t.get("mean"), t.get("sd")) {
                    (Some(m), Some(s)) => {
                        let (mean, sd) = (m.duration()? as f64, s.duration()? as f64);
                        Some((mean, sd * sd))
                    }
                    (None, None) => None,
                    (Some(v), None) | (None, Some(v)) => {
                        return Err(v.error("give the whole step's `mean` and `sd` together"));
                    }
                };
                let restarts_within = match t.get("restarts") {
                    Some(v) => {
                        let r = v.f64()?;
                        if !(0.0..=MAX_RESTARTS_WITHIN).contains(&r) {
                            return Err(v.error(format!(
                                "restarts inside a step per completion must be from 0 to {MAX_RESTARTS_WITHIN}"
                            )));
                        }
                        r
                    }
                    None => 0.0,
                };
                timings.steps.push(StepTiming {
                    name,
                    restarts_within,
                    duration: read("duration")?,
                    exit_codes,
                    scan: read("scan")?,
                    per_item: read("per_item")?,
                    moments,
                });
            }
        }
        Ok(timings)
    }

    /// The timing of the step with this name (exactly, else without regard to case).
    pub fn find(&self, name: &str) -> Option<&StepTiming> {
        let name = name.trim();
        self.steps
            .iter()
            .find(|s| s.name == name)
            .or_else(|| self.steps.iter().find(|s| crate::scenario::name::same(&s.name, name)))
    }
}

impl StepTiming {
    /// The edits that give a step of this shape these timings, and warnings about what could
    /// not be applied.
    /// `restart` is the restart duration that restarts inside the step are taken out at.
    pub fn edits(&self, shape: &StepShape, restart: Option<&DurationDist>) -> (Vec<Edit>, Vec<String>) {
        let mut edits = Vec::new();
        let mut warnings = Vec::new();
        let exit = |edits: &mut Vec<Edit>, warnings: &mut Vec<String>, wrapped: Option<f64>| {
            let Some(e) = &self.exit_codes else { return };
            match wrapped {
                None => edits.push(Edit { key: "exit_codes", value: e.exit_codes_toml(), note: None }),
                Some(share) => match unwrap_3010(e, share) {
                    Some(adjusted) => edits.push(Edit {
                        key: "exit_codes",
                        value: adjusted.exit_codes_toml(),
                        note: Some(format!(
                            "the wrapper turns 3010 into 0, so the step's 3010 share ({}) is kept and taken out of 0's",
                            crate::scenario::distribution::tidy(share)
                        )),
                    }),
                    None => warnings.push(format!(
                        "\"{}\": its wrapper turns 3010 into 0, and the history's 0 share is below the step's 3010 share ({}): exit codes left unchanged",
                        self.name,
                        crate::scenario::distribution::tidy(share)
                    )),
                },
            }
        };
        let total = |d: &DurationDist| self.moments.unwrap_or((d.mean(), d.variance()));
        match shape {
            StepShape::Sleep => {
                if self.duration.is_some() || self.per_item.is_some() {
                    warnings.push(format!(
                        "\"{}\" is a sleep: its duration is a design setting, not a measurement, so it is left as it is",
                        self.name
                    ));
                }
            }
            StepShape::Command { wrapped_3010 } => {
                if let Some(d) = &self.duration {
                    edits.push(Edit { key: "duration", value: d.to_toml(), note: None });
                } else if let Some(d) = &self.per_item {
                    edits.push(Edit {
                        key: "duration",
                        value: d.to_toml(),
                        note: Some(
                            "the history completes this name several times a run: one completion each".to_owned(),
                        ),
                    });
                    warnings.push(format!(
                        "\"{}\" completes several times in a run in the history (items of one install, or several steps of that name): each completion is taken as one run of this command",
                        self.name
                    ));
                }
                exit(&mut edits, &mut warnings, *wrapped_3010);
            }
            StepShape::InstallSoftware { items, wrapped_3010 } => {
                if let Some(d) = &self.per_item {
                    edits.push(Edit { key: "per_item", value: d.to_toml(), note: None });
                } else if let Some(d) = &self.duration {
                    match split_whole_step(total(d), &DurationDist::Fixed(0), items) {
                        Ok((per_item, note)) => {
                            edits.push(Edit { key: "per_item", value: per_item.to_toml(), note: Some(note) })
                        }
                        Err(why) => warnings.push(format!("\"{}\": {why}", self.name)),
                    }
                }
                exit(&mut edits, &mut warnings, *wrapped_3010);
            }
            StepShape::InstallUpdates { scan: old_scan, rescan, items } => {
                let scan = match &self.scan {
                    Some(s) => {
                        edits.push(Edit { key: "scan", value: s.to_toml(), note: None });
                        s.clone()
                    }
                    None => old_scan.clone(),
                };
                // A rescan that was the scan's (no `rescan` of its own) follows the new scan.
                let rescan = if rescan == old_scan { &scan } else { rescan };
                if let Some(d) = &self.per_item {
                    edits.push(Edit { key: "per_item", value: d.to_toml(), note: None });
                } else if let Some(d) = &self.duration {
                    let (whole, within) = match (self.restarts_within > 0.0, restart) {
                        (false, _) => (total(d), String::new()),
                        (true, Some(restart)) => (
                            without_restarts(total(d), self.restarts_within, restart, rescan),
                            format!(
                                ", less {} restarts inside it (and the scans after them) a run",
                                crate::scenario::distribution::tidy(self.restarts_within)
                            ),
                        ),
                        (true, None) => {
                            warnings.push(format!(
                                "\"{}\": the history shows restarts inside the step but no restart duration: their time is left in its updates'",
                                self.name
                            ));
                            (total(d), String::new())
                        }
                    };
                    match split_whole_step(whole, &scan, items) {
                        Ok((per_item, note)) => edits.push(Edit {
                            key: "per_item",
                            value: per_item.to_toml(),
                            note: Some(format!("{note}{within}")),
                        }),
                        Err(why) => warnings.push(format!("\"{}\": {why}", self.name)),
                    }
                }
                if self.exit_codes.is_some() {
                    warnings.push(format!(
                        "\"{}\" installs updates: its step exit codes are not per update, so they are left out (set `failure`, the share of updates that fail)",
                        self.name
                    ));
                }
            }
            StepShape::Restart => {
                if let Some(d) = &self.duration {
                    edits.push(Edit { key: "duration", value: d.to_toml(), note: None });
                }
            }
            StepShape::SetVariable => {
                if self.duration.is_some() || self.exit_codes.is_some() {
                    warnings.push(format!(
                        "\"{}\" sets a variable, which takes no time in patchsim: timings left out",
                        self.name
                    ));
                }
            }
        }
        (edits, warnings)
    }
}

/// The exit codes a wrapped step has when the history shows `seen`: the wrapper reports 3010
/// as 0, so 0's share holds the unseen 3010 share, which is kept. `None` when 0's share is
/// smaller than it.
fn unwrap_3010(seen: &ExitBehaviour, share: f64) -> Option<ExitBehaviour> {
    let mut pairs: Vec<(i64, f64)> = seen.probabilities().into_iter().filter(|(c, _)| *c != 3010).collect();
    let seen_3010: f64 = seen.probabilities().iter().filter(|(c, _)| *c == 3010).map(|(_, p)| p).sum();
    let zero = pairs.iter_mut().find(|(c, _)| *c == 0)?;
    let left = zero.1 - share;
    if left < -1e-9 {
        return None;
    }
    zero.1 = left.max(0.0);
    pairs.push((3010, share + seen_3010));
    pairs.retain(|(_, p)| *p > 0.0);
    pairs.sort_by_key(|(c, _)| *c);
    let pairs = round_shares(&pairs);
    let weights: Vec<f64> = pairs.iter().map(|(_, p)| *p).collect();
    let total: f64 = weights.iter().sum();
    Some(ExitBehaviour {
        codes: pairs.iter().map(|(c, _)| *c).collect(),
        cumulative: crate::scenario::distribution::cumulate(&weights, total),
        ..ExitBehaviour::default()
    })
}

/// Shares rounded to six decimals, the largest absorbing the rounding so that they add up to 1;
/// shares that round to 0 are left out.
pub fn round_shares(pairs: &[(i64, f64)]) -> Vec<(i64, f64)> {
    let scale = 1e6;
    let total: f64 = pairs.iter().map(|(_, p)| p).sum();
    if total <= 0.0 {
        return Vec::new();
    }
    let mut out: Vec<(i64, f64)> =
        pairs.iter().map(|(c, p)| (*c, (p / total * scale).round() / scale)).filter(|(_, p)| *p > 0.0).collect();
    if let Some(largest) = (0..out.len()).max_by(|a, b| out[*a].1.total_cmp(&out[*b].1)) {
        let others: f64 = out.iter().enumerate().filter(|(i, _)| *i != largest).map(|(_, (_, p))| p).sum();
        out[largest].1 = ((1.0 - others) * scale).round() / scale;
    }
    out
}

/// A whole step's mean and variance (milliseconds) without the `restarts` restarts inside it a
/// run, on average, each followed by a `rescan`: their count is taken as one restart or none
/// (variance r(1 - r)) up to 1, as Poisson above.
pub fn without_restarts(total: (f64, f64), restarts: f64, restart: &DurationDist, rescan: &DurationDist) -> (f64, f64) {
    let (mean, var) = total;
    let each_mean = restart.mean() + rescan.mean();
    let each_var = restart.variance() + rescan.variance();
    let count_var = if restarts <= 1.0 { restarts * (1.0 - restarts) } else { restarts };
    (mean - restarts * each_mean, var - restarts * each_var - count_var * each_mean * each_mean)
}

/// The per-item time that gives a step made of a `scan` and then `items` installs a whole-step
/// time of mean and variance `total` (milliseconds), by the method of moments for a random sum:
///
/// ```text
/// E[T]   = E[S] + E[N]·E[X]
/// Var[T] = Var[S] + E[N]·Var[X] + Var[N]·E[X]²
/// ```
///
/// The per-item time is written as a lognormal by median and p95. Returns it with a note on
/// how it was found, or why it cannot be (no items, or a total shorter than the scan).
pub fn split_whole_step(
    total: (f64, f64),
    scan: &DurationDist,
    items: &CountDist,
) -> Result<(DurationDist, String), String> {
    let (total_mean, total_var) = total;
    let n_mean = items.mean();
    if n_mean <= 0.0 {
        return Err("installs no item on average, so a whole-step time cannot be split per item".to_owned());
    }
    let item_mean = (total_mean - scan.mean()) / n_mean;
    if item_mean <= 0.0 {
        return Err(format!(
            "the whole step (mean {:.0} s) is not longer than its scan (mean {:.0} s): left unchanged",
            total_mean / 1000.0,
            scan.mean() / 1000.0
        ));
    }
    let raw_var = (total_var - scan.variance() - items.variance() * item_mean * item_mean) / n_mean;
    // When the count alone explains more spread than the history shows, keep a small spread.
    let (item_var, floor) =
        if raw_var > 0.0 { (raw_var, false) } else { ((0.1 * item_mean) * (0.1 * item_mean), true) };
    let per_item = DurationDist::lognormal_from_moments(item_mean, item_var.sqrt());
    let note = format!(
        "per item from the whole step: mean {} over {:.2} items on average{}",
        crate::scenario::duration::DurationDisplay(item_mean.round() as u64),
        n_mean,
        if floor { "; the item count explains all the spread, so a 10% spread is assumed" } else { "" }
    );
    Ok((per_item, note))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::duration::MINUTE;

    #[test]
    fn reads_calibrate_output() {
        let t = Timings::parse(
            r#"
# fitted
[restart]
duration = { dist = "lognormal", median = "6m", p95 = "15m" }
[[step]]
name = "Patch"
type = "command"
duration = { dist = "lognormal", median = "20m", p95 = "50m" }
exit_codes = { 0 = 0.9, 3010 = 0.1 }
"#,
            "t.toml",
        )
        .unwrap();
        assert!(t.restart.is_some());
        let p = t.find("patch").unwrap();
        assert_eq!(p.exit_codes.as_ref().unwrap().codes, [0, 3010]);
        let (edits, warnings) = p.edits(&StepShape::Command { wrapped_3010: None }, None);
        assert!(warnings.is_empty());
        assert_eq!(edits[0].value, "{ dist = \"lognormal\", median = \"20m\", p95 = \"50m\" }");
        assert_eq!(edits[1].value, "{ 0 = 0.9, 3010 = 0.1 }");
    }

    #[test]
    fn mistakes_name_the_line_and_key() {
        let err = Timings::parse("[[step]]\nname = \"x\"\nduraton = \"5m\"\n", "t.toml").unwrap_err().to_string();
        assert!(err.starts_with("t.toml:3:1: key `step.0.duraton`: unknown key `duraton`"), "{err}");
        let err = Timings::parse("[[step]]\nname = \"x\"\nduration = \"5\"\n", "t.toml").unwrap_err().to_string();
        assert!(err.starts_with("t.toml:3:12: key `step.0.duration`"), "{err}");
        let err = Timings::parse("[[step]]\nname = \"x\"\n[[step]]\nname = \"x\"\n", "t.toml").unwrap_err().to_string();
        assert!(err.contains("\"x\" has timings twice"), "{err}");
    }

    #[test]
    fn crlf_files_name_the_same_lines_and_columns() {
        // As Notepad or PowerShell's Set-Content write it: CRLF, and a byte-order mark.
        let lf = "# fitted\n\n[[step]]\nname = \"x\"\nduration = \"5\"\n";
        for text in [lf.to_owned(), lf.replace('\n', "\r\n"), format!("\u{feff}{}", lf.replace('\n', "\r\n"))] {
            let err = Timings::parse(&text, "t.toml").unwrap_err();
            assert_eq!(
                (err.line, err.column, err.key.as_deref()),
                (Some(5), Some(12), Some("step.0.duration")),
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_whole_step_time_splits_into_a_per_item_time_with_the_same_moments() {
        // Known parts: scan fixed 4m, Poisson(3) items of mean 6m, sd 4m.
        let scan = DurationDist::Fixed(4 * MINUTE);
        let items = CountDist::poisson(3.0);
        let item = DurationDist::lognormal_from_moments(6.0 * MINUTE as f64, 4.0 * MINUTE as f64);
        let mean = scan.mean() + 3.0 * item.mean();
        let var = 3.0 * item.variance() + 3.0 * item.mean().powi(2);
        let (per_item, _) = split_whole_step((mean, var), &scan, &items).unwrap();
        assert!((per_item.mean() / item.mean() - 1.0).abs() < 0.01, "{} vs {}", per_item.mean(), item.mean());
        assert!((per_item.variance().sqrt() / item.variance().sqrt() - 1.0).abs() < 0.03);
        assert!(split_whole_step((mean, var), &scan, &CountDist::Fixed(0)).is_err());
        assert!(split_whole_step((MINUTE as f64, 0.0), &scan, &items).is_err());
    }

    #[test]
    fn restarts_inside_an_update_step_are_taken_out_before_the_split() {
        // A whole step of scan 4m + 3 updates of 6m + 0.9 restarts of 6m, each with a 4m rescan:
        // 4 + 18 + 0.9 * 10 = 31 minutes on average.
        let scan = DurationDist::Fixed(4 * MINUTE);
        let restart = DurationDist::Fixed(6 * MINUTE);
        let (mean, var) = without_restarts((31.0 * MINUTE as f64, 0.0), 0.9, &restart, &scan);
        assert!((mean - 22.0 * MINUTE as f64).abs() < 1e-6, "{mean}");
        // One restart or none, 0.9 of the time: variance 0.09 * 10m squared taken out.
        assert!((var + 0.09 * (10.0 * MINUTE as f64).powi(2)).abs() < 1e-3, "{var}");
        let t = Timings::parse(
            "[restart]\nduration = \"6m\"\n[[step]]\nname = \"U\"\nduration = \"31m\"\nmean = \"31m\"\nsd = \"10m\"\nrestarts = 0.9\n",
            "t.toml",
        )
        .unwrap();
        assert_eq!(t.steps[0].restarts_within, 0.9);
        let shape = StepShape::InstallUpdates { scan: scan.clone(), rescan: scan.clone(), items: CountDist::Fixed(3) };
        let (edits, warnings) = t.steps[0].edits(&shape, t.restart.as_ref());
        assert!(warnings.is_empty(), "{warnings:?}");
        let per_item = edits.iter().find(|e| e.key == "per_item").unwrap();
        // (31 - 9 - 4) / 3 = 6 minutes an update.
        let note = per_item.note.as_deref().unwrap();
        assert!(note.starts_with("per item from the whole step: mean 6m over 3.00 items"), "{note}");
        assert!(note.ends_with("less 0.9 restarts inside it (and the scans after them) a run"), "{note}");
        // Without a restart duration, the time stays in the updates', and the import says so.
        let (edits, warnings) = t.steps[0].edits(&shape, None);
        assert!(edits.iter().any(|e| e.key == "per_item"));
        assert!(warnings[0].contains("restarts inside the step but no restart duration"), "{warnings:?}");
        // Out of range.
        let err = Timings::parse("[[step]]\nname = \"U\"\nrestarts = -1\n", "t.toml").unwrap_err().to_string();
        assert!(err.starts_with("t.toml:3:12: key `step.0.restarts`"), "{err}");
    }

    #[test]
    fn a_wrapper_s_unseen_3010_share_is_kept_out_of_0() {
        let t =
            Timings::parse("[[step]]\nname = \"Hotfix\"\nexit_codes = { 0 = 0.95, 1603 = 0.05 }\n", "t.toml").unwrap();
        let (edits, warnings) = t.steps[0].edits(&StepShape::Command { wrapped_3010: Some(0.5) }, None);
        assert!(warnings.is_empty());
        assert_eq!(edits[0].value, "{ 0 = 0.45, 1603 = 0.05, 3010 = 0.5 }");
        let (edits, warnings) = t.steps[0].edits(&StepShape::Command { wrapped_3010: Some(0.97) }, None);
        assert!(edits.is_empty() && warnings[0].contains("below the step's 3010 share"), "{warnings:?}");
    }
}
