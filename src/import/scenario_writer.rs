//! Writes an imported task sequence as a complete scenario file: the steps as the console has
//! them, timings from per-type defaults or a timings file, and a fleet, windows and site that
//! load and run as they are — with comments saying what to replace.

use std::fmt::Write;

use super::content::{ContentKind, SizeSource, SizedItem, Sizing, per_item_bytes};
use super::content_sizes::ContentSizes;
use super::inventory_sketch::InventorySketch;
use super::limits::{MAX_COMMENT_CHARS, MAX_SCENARIO_BYTES};
use super::mdt_step::MdtRole;
use super::shown_text::{cut, listed, one_line, package_label};
use super::task_sequence::{TaskSequence, TsAction, TsKind, TsNode, TsStep};
use super::timings::{StepShape, Timings};
use super::xml::XmlError;
use crate::configmgr::export::mdt;
use crate::scenario::count::CountDist;
use crate::scenario::distribution::DurationDist;
use crate::scenario::duration::{DurationDisplay, HOUR, MINUTE, Millis, SECOND};
use crate::scenario::windows::Day;

/// The scenario around the imported sequence.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOptions {
    /// The export's file name, for the header comment.
    pub source: String,
    /// The scenario's name; by default from the task sequence's name or the file's.
    pub name: Option<String>,
    /// Fleet size without an inventory.
    pub servers: u64,
    /// An inventory to assign the windows by.
    pub inventory: Option<InventoryChoice>,
    /// Length of every window.
    pub window_length: Millis,
    /// The deployment's maximum run time (0: none).
    pub max_run_time: Millis,
    /// The sizes of packages and applications (`--content-sizes`): with them, steps that fetch
    /// content download it from a `dp` resource.
    pub content_sizes: Option<ContentSizes>,
    /// Variables every server has from the start (`--variable NAME=VALUE`): what a step sets
    /// that patchsim cannot run (a script's output variable, MDT's gathered facts).
    pub variables: Vec<(String, String)>,
}

/// An inventory for the imported scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct InventoryChoice {
    /// The path as the scenario writes it (relative to the scenario file).
    pub path: String,
    /// What the inventory holds.
    pub sketch: InventorySketch,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            source: String::new(),
            name: None,
            servers: DEFAULT_SERVERS,
            inventory: None,
            window_length: 2 * HOUR,
            max_run_time: 120 * MINUTE,
            content_sizes: None,
            variables: Vec::new(),
        }
    }
}

/// Fleet size of an imported scenario without an inventory.
pub const DEFAULT_SERVERS: u64 = 1000;

/// A written scenario and what the writer had to assume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedScenario {
    /// The scenario's TOML text.
    pub text: String,
    /// What the import changed, assumed or dropped (the reader's warnings first).
    pub warnings: Vec<String>,
    /// Steps written.
    pub steps: usize,
    /// Groups written.
    pub groups: usize,
}

/// The default timing of each kind of imported step (documented in `docs/import.md`).
pub struct Defaults;

impl Defaults {
    /// A command line or PowerShell script.
    pub fn command() -> DurationDist {
        lognormal(2 * MINUTE, 10 * MINUTE)
    }
    /// A package install (Install Package).
    pub fn package() -> DurationDist {
        lognormal(5 * MINUTE, 20 * MINUTE)
    }
    /// One application of Install Application.
    pub fn application() -> DurationDist {
        lognormal(5 * MINUTE, 20 * MINUTE)
    }
    /// Quick console steps (Set Dynamic Variables, Check Readiness).
    pub fn quick() -> DurationDist {
        lognormal(5 * SECOND, 30 * SECOND)
    }
    /// MDT's Gather: reads the machine and the rules, a few seconds to a minute.
    pub fn gather() -> DurationDist {
        lognormal(10 * SECOND, MINUTE)
    }
    /// A child task sequence or a step patchsim does not know.
    pub fn opaque() -> DurationDist {
        lognormal(5 * MINUTE, 30 * MINUTE)
    }
    /// The update scan of the first Install Software Updates step.
    pub fn scan() -> DurationDist {
        lognormal(4 * MINUTE, 12 * MINUTE)
    }
    /// The update scan of a later pass (the catalogue is fresh: a quicker scan).
    pub fn later_scan() -> DurationDist {
        lognormal(2 * MINUTE, 6 * MINUTE)
    }
    /// One update's install.
    pub fn update() -> DurationDist {
        lognormal(6 * MINUTE, 20 * MINUTE)
    }
    /// A restart.
    pub fn restart() -> DurationDist {
        lognormal(6 * MINUTE, 15 * MINUTE)
    }
    /// What a Download Package Content step takes besides its download: nothing.
    pub fn download_only() -> DurationDist {
        DurationDist::Fixed(0)
    }
    /// The assumed speed of the distribution point that imported downloads come from.
    pub const DP_CAPACITY: &'static str = "1Gbps";
    /// Updates that apply to a server at the first update step.
    pub const FIRST_PASS_UPDATES: f64 = 3.0;
    /// Updates that apply at a later update step (a second pass finds few).
    pub const LATER_PASS_UPDATES: f64 = 0.15;
    /// Share of installed updates that ask for a restart.
    pub const RESTART_SHARE: f64 = 0.7;
    /// Share of updates that fail to install.
    pub const UPDATE_FAILURE: f64 = 0.01;
}

/// A wait from `min` to `max` milliseconds: fixed when they are equal, else uniform.
fn wait(min: Millis, max: Millis) -> DurationDist {
    if min == max { DurationDist::Fixed(min) } else { DurationDist::Uniform { min, max } }
}

fn lognormal(median: Millis, p95: Millis) -> DurationDist {
    DurationDist::lognormal(median, p95).unwrap_or(DurationDist::Fixed(median))
}

/// The longest scenario name made from the task sequence's name, in characters.
const MAX_SLUG_CHARS: usize = 64;

/// Writes the scenario for an imported task sequence. The one thing that can go wrong is size:
/// a sequence whose scenario would be larger than a scenario may be ([`MAX_SCENARIO_BYTES`]) is
/// an error naming the largest group or step and its line (the reader has already bounded
/// everything else a scenario bounds).
pub fn write_scenario(
    ts: &TaskSequence,
    options: &ImportOptions,
    timings: Option<&Timings>,
) -> Result<ImportedScenario, XmlError> {
    let mut w = Writer {
        out: String::new(),
        warnings: ts.warnings.iter().map(|w| format!("{}: {}", ts.place(w.line), w.message)).collect(),
        ts,
        timings,
        used_timings: vec![false; timings.map_or(0, |t| t.steps.len())],
        sizes: options.content_sizes.as_ref(),
        downloads: 0,
        update_steps: 0,
        steps: 0,
        groups: 0,
        largest: None,
        outputs: Vec::new(),
    };
    let name = scenario_name(options, ts);
    let body = w.steps_text(ts)?;
    w.warn_unused_timings();
    w.warn_outputs(options);
    w.warn_gathered(ts, options);

    let mut out = String::new();
    let ts_name = ts.name.as_deref().map(|n| cut(&one_line(n), 200));
    write_header(&mut out, ts, options, &w, ts_name.as_deref());
    let _ = writeln!(out, "name = {}", toml_string(&name));
    let description = match &ts_name {
        Some(n) => format!("The task sequence \"{n}\" as exported from the console."),
        None => format!("The task sequence exported to {}.", options.source),
    };
    let _ = writeln!(out, "description = {}", toml_string(&description));
    let _ = writeln!(out, "\n[run]\nseed = 1\nreplications = 100");
    write_fleet(&mut out, options, w.update_steps > 0);
    write_windows(&mut out, options);
    write_site(&mut out, options, timings);
    if w.downloads > 0 {
        write_dp(&mut out, options);
    }
    out.push('\n');
    if out.len() + body.len() > MAX_SCENARIO_BYTES {
        return Err(w.too_large());
    }
    out.push_str(&body);
    Ok(ImportedScenario { text: out, warnings: w.warnings, steps: w.steps, groups: w.groups })
}

/// The header comment: where the scenario came from, how it is timed, the import's notes.
fn write_header(out: &mut String, ts: &TaskSequence, options: &ImportOptions, w: &Writer, ts_name: Option<&str>) {
    let shown = ts_name.map(|n| format!("\"{n}\"")).unwrap_or_else(|| "The task sequence".to_owned());
    let _ = writeln!(out, "# Imported by `patchsim import configmgr` from {} ({}).", options.source, ts.encoding);
    let _ = writeln!(
        out,
        "# {shown}{}: {} steps in {} groups, in the console's order.",
        ts.package_id.as_deref().map(|p| format!(" ({})", cut(&one_line(p), 40))).unwrap_or_default(),
        w.steps,
        w.groups
    );
    if let Some((_, children)) = ts.entries.split_first()
        && !children.is_empty()
    {
        let labels = children.iter().map(|c| package_label(&cut(&one_line(&c.package_id), 40), c.name.as_deref()));
        let _ = writeln!(
            out,
            "# Child task sequences, as groups at their Run Task Sequence steps: {}.",
            listed(labels, 20)
        );
    }
    match w.timings {
        Some(_) => {
            let _ =
                writeln!(out, "# Timings: from the timings file where a step's name matches, else per-type defaults.");
        }
        None => {
            let _ = writeln!(
                out,
                "# Timings: per-type defaults (docs/import.md); fit your own with `patchsim calibrate HISTORY.csv --into` this file."
            );
        }
    }
    if w.downloads > 0 {
        let _ = writeln!(
            out,
            "# Content: {} step{} download from the distribution point `dp` (sizes {}); its speed is an assumption.",
            w.downloads,
            if w.downloads == 1 { "" } else { "s" },
            match &options.content_sizes {
                Some(s) => format!("from {} and the export", s.file),
                None => "as the export records them".to_owned(),
            }
        );
    }
    let _ = writeln!(out, "# Check every line marked CHANGE: they are assumptions, not your estate.");
    if !w.warnings.is_empty() {
        let _ = writeln!(out, "#\n# Import notes:");
        for warning in &w.warnings {
            let _ = writeln!(out, "#   - {}", one_line(warning));
        }
    }
}

/// `[fleet]`, its update count when the sequence installs updates, and the inventory's classes.
fn write_fleet(out: &mut String, options: &ImportOptions, installs_updates: bool) {
    let _ = writeln!(out, "\n[fleet]");
    match &options.inventory {
        Some(inv) => {
            let _ = writeln!(out, "# servers: the {} listed in the inventory", inv.sketch.servers);
        }
        None => {
            let _ = writeln!(
                out,
                "servers = {}              # CHANGE: how many servers the sequence is deployed to",
                options.servers
            );
        }
    }
    let _ = writeln!(out, "extension = 0.0           # CHANGE: share on a patching extension this month");
    let _ = writeln!(out, "offline = 0.0             # CHANGE: share unreachable for their whole window");
    let _ = writeln!(out, "pending_restart = 0.0     # CHANGE: share with a restart already pending");
    if installs_updates {
        let _ = writeln!(out, "\n[fleet.counts]");
        let _ = writeln!(
            out,
            "updates = {}   # CHANGE: updates that apply to a server this month",
            CountDist::poisson(Defaults::FIRST_PASS_UPDATES).to_toml()
        );
    }
    if let Some(inv) = &options.inventory {
        let classed: u64 = inv.sketch.classes.iter().map(|(_, n)| n).sum();
        for (class, n) in &inv.sketch.classes {
            let _ = writeln!(out, "\n[[fleet.class]]\nname = {}", toml_string(class));
            let _ = writeln!(
                out,
                "share = {:?}   # {n} of the {classed} servers with a class in the inventory",
                *n as f64 / classed as f64
            );
            if let Some(table) = variables_table(options) {
                let _ = writeln!(out, "variables = {table}   # --variable");
            }
        }
    }
    if options.inventory.as_ref().is_none_or(|i| i.sketch.classes.is_empty())
        && let Some(table) = variables_table(options)
    {
        let _ = writeln!(
            out,
            "\n[[fleet.class]]\nname = \"all\"\nshare = 1.0\nvariables = {table}   # --variable: what the sequence's own steps would set"
        );
    }
}

/// The `--variable` values as an inline table, when there are any.
fn variables_table(options: &ImportOptions) -> Option<String> {
    (!options.variables.is_empty()).then(|| {
        let pairs: Vec<String> =
            options.variables.iter().map(|(n, v)| format!("{} = {}", toml_string(n), toml_string(v))).collect();
        format!("{{ {} }}", pairs.join(", "))
    })
}

/// `[windows]`: the days and starts the inventory uses, or the seed organisation's 42.
fn write_windows(out: &mut String, options: &ImportOptions) {
    let _ = writeln!(out, "\n[windows]");
    let length = DurationDisplay(options.window_length);
    match &options.inventory {
        Some(inv) => {
            let mut days: Vec<Day> = Vec::new();
            let mut starts: Vec<Millis> = Vec::new();
            for start in &inv.sketch.windows {
                let day = Day::ALL[((start / (24 * HOUR)) % 7) as usize];
                if !days.contains(&day) {
                    days.push(day);
                }
                let tod = start % (24 * HOUR);
                if !starts.contains(&tod) {
                    starts.push(tod);
                }
            }
            days.sort();
            starts.sort();
            let _ = writeln!(out, "# The days and starts of the windows the inventory uses.");
            let _ =
                writeln!(out, "days = [{}]", days.iter().map(|d| format!("\"{d}\"")).collect::<Vec<_>>().join(", "));
            let _ = writeln!(
                out,
                "starts = [{}]",
                starts
                    .iter()
                    .map(|s| format!("\"{:02}:{:02}\"", s / HOUR, (s % HOUR) / MINUTE))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let _ = writeln!(out, "length = \"{length}\"            # CHANGE: your maintenance windows' length");
            let _ = writeln!(out, "assign = {{ inventory = {} }}", toml_string(&inv.path));
        }
        None => {
            let _ = writeln!(out, "# CHANGE: your windows (the seed organisation's 42: six a day, every day).");
            let _ = writeln!(out, "days = [\"Mon\", \"Tue\", \"Wed\", \"Thu\", \"Fri\", \"Sat\", \"Sun\"]");
            let _ = writeln!(out, "starts = [\"00:00\", \"04:00\", \"08:00\", \"12:00\", \"16:00\", \"20:00\"]");
            let _ = writeln!(out, "length = \"{length}\"");
            let _ = writeln!(
                out,
                "assign = \"even\"          # or {{ inventory = \"servers.csv\" }} (docs/scenario-format.md)"
            );
        }
    }
}

/// `[deployment]`, `[restart]` and `[infrastructure]`.
fn write_site(out: &mut String, options: &ImportOptions, timings: Option<&Timings>) {
    let _ = writeln!(out, "\n[deployment]");
    let _ = writeln!(
        out,
        "max_run_time = \"{}\"       # CHANGE: the task sequence's maximum run time (console default 120 minutes; \"0s\": no start check, stopped after 12 hours)",
        DurationDisplay(options.max_run_time)
    );

    let restart = timings.and_then(|t| t.restart.clone());
    let _ = writeln!(out, "\n[restart]");
    match restart {
        Some(d) => {
            let _ = writeln!(out, "duration = {}   # from the timings file", d.to_toml());
        }
        None => {
            let _ =
                writeln!(out, "duration = {}   # CHANGE: assumed; calibrate fits it", Defaults::restart().to_toml());
        }
    }
    let _ =
        writeln!(out, "hang = 0.0                # CHANGE: share of restarts after which a server does not come back");

    let _ = writeln!(out, "\n[infrastructure]");
    let _ = writeln!(out, "management_points = 1     # CHANGE: your management points");
    let _ = writeln!(
        out,
        "status_manager_rate = 100 # CHANGE: messages a second Status Manager processes (no published figure; `patchsim plan infra` finds what you need)"
    );
}

/// `[[resource]] dp`: the distribution point the steps with content download from.
fn write_dp(out: &mut String, options: &ImportOptions) {
    let _ = writeln!(
        out,
        "\n# The distribution point the steps' content comes from (docs/import.md, \"Content and downloads\")."
    );
    let _ = writeln!(
        out,
        "# The import knows the content's sizes{}, not your distribution points: CHANGE both figures.",
        options.content_sizes.as_ref().map(|s| format!(" (from {})", s.file)).unwrap_or_default()
    );
    let _ = writeln!(out, "[[resource]]");
    let _ = writeln!(out, "name = \"dp\"");
    let _ = writeln!(out, "kind = \"shared\"");
    let _ =
        writeln!(out, "instances = 1             # CHANGE: your distribution points (servers spread evenly over them)");
    let _ = writeln!(
        out,
        "capacity = \"{}\"        # CHANGE: assumed; your DP's speed (its network link, or what the WAN to it carries)",
        Defaults::DP_CAPACITY
    );
}

struct Writer<'t> {
    out: String,
    warnings: Vec<String>,
    /// The sequence written: the places its lines are at.
    ts: &'t TaskSequence,
    timings: Option<&'t Timings>,
    used_timings: Vec<bool>,
    /// The content sizes, when given.
    sizes: Option<&'t ContentSizes>,
    /// Steps written with a download.
    downloads: usize,
    update_steps: usize,
    steps: usize,
    groups: usize,
    /// The group or step that took most bytes so far: (bytes, line, name).
    largest: Option<(usize, usize, String)>,
    /// Output variables of PowerShell steps: (line, step, variable).
    outputs: Vec<(usize, String, String)>,
}

/// A key of a step being written, with an optional comment.
struct Field {
    key: &'static str,
    value: String,
    comment: Option<String>,
}

impl Writer<'_> {
    /// The steps' text, every node in order; an error when it alone is larger than a scenario
    /// may be.
    fn steps_text(&mut self, ts: &TaskSequence) -> Result<String, XmlError> {
        if ts.nodes.is_empty() {
            // A scenario has at least one step or group: an empty sequence runs as an empty group.
            self.groups += 1;
            let _ = writeln!(self.out, "[[step]]\n# the export's <sequence> is empty\ngroup = \"Empty sequence\"\n");
        }
        for node in &ts.nodes {
            if self.out.len() > MAX_SCENARIO_BYTES {
                break;
            }
            self.node(node, 0);
        }
        if self.out.len() > MAX_SCENARIO_BYTES {
            return Err(self.too_large());
        }
        Ok(std::mem::take(&mut self.out))
    }

    /// Says what becomes of each step's output variable: given with `--variable`, every server
    /// has it from the start; else it stays unset.
    fn warn_outputs(&mut self, options: &ImportOptions) {
        for (line, step, variable) in &self.outputs {
            let given = options.variables.iter().find(|(n, _)| n.eq_ignore_ascii_case(variable));
            self.warnings.push(match given {
                Some((_, value)) => format!(
                    "{}: \"{step}\" writes its output to {variable} (OutputVariableName): every server has {variable} = {} from the start (--variable)",
                    self.ts.place(*line),
                    toml_string(value)
                ),
                None => format!(
                    "{}: \"{step}\" writes its output to {variable} (OutputVariableName), which patchsim cannot run: {variable} stays unset; give the value your servers' script writes with --variable {variable}=VALUE",
                    self.ts.place(*line)
                ),
            });
        }
    }

    /// One note for a sequence gated on `PHASE`, and one for the other variables only MDT's
    /// Gather sets (in a sequence with MDT steps): patchsim does not run Gather, so they stay
    /// unset unless `--variable` gives them.
    fn warn_gathered(&mut self, ts: &TaskSequence, options: &ImportOptions) {
        let given = |v: &str| options.variables.iter().find(|(n, _)| n.eq_ignore_ascii_case(v));
        let gathered = |v: &str| mdt::GATHERED.iter().any(|g| g.eq_ignore_ascii_case(v));
        if let Some((_, line)) = ts.tested_variables.iter().find(|(v, _)| v.eq_ignore_ascii_case(mdt::PHASE)) {
            self.warnings.push(match given(mdt::PHASE) {
                Some((_, value)) => format!(
                    "{}: the sequence tests PHASE, which MDT's Gather sets and patchsim does not: every server has PHASE = {} from the start (--variable), so the steps of that phase run and the groups of the others are skipped",
                    ts.place(*line),
                    toml_string(value)
                ),
                None => format!(
                    "{}: the sequence tests PHASE, which MDT's Gather sets and patchsim does not; give `--variable PHASE=STATERESTORE` (or the phase you simulate) to run that phase",
                    ts.place(*line)
                ),
            });
        }
        if !ts.has_mdt_steps {
            return;
        }
        let unset: Vec<&(String, usize)> = ts
            .tested_variables
            .iter()
            .filter(|(v, _)| gathered(v) && !v.eq_ignore_ascii_case(mdt::PHASE) && given(v).is_none())
            .collect();
        if let Some((_, line)) = unset.first() {
            let names: Vec<&str> = unset.iter().map(|(v, _)| v.as_str()).collect();
            self.warnings.push(format!(
                "{}: the sequence tests {}, which MDT's Gather sets and patchsim does not: unset on every server; give `--variable NAME=VALUE` for what your servers have",
                ts.place(*line),
                names.join(", ")
            ));
        }
    }

    /// Warns of each step of the timings file that matched no step of the sequence.
    fn warn_unused_timings(&mut self) {
        if let Some(t) = self.timings {
            for (step, used) in t.steps.iter().zip(&self.used_timings) {
                if !used {
                    self.warnings
                        .push(format!("timings for \"{}\" match no step of the sequence: left out", step.name));
                }
            }
        }
    }

    /// The error for a scenario larger than a scenario may be.
    fn too_large(&self) -> XmlError {
        let (bytes, line, name) = self.largest.clone().unwrap_or_default();
        XmlError {
            line: (line > 0).then_some(line),
            column: None,
            message: format!(
                "the scenario written from this export would be more than {} MiB, the most a scenario may be; its largest part is \"{}\" ({}), {bytes} bytes written out: is this the right file?",
                MAX_SCENARIO_BYTES >> 20,
                cut(&name, 80),
                self.ts.place(line)
            ),
        }
    }

    fn node(&mut self, node: &TsNode, depth: usize) {
        let start = self.out.len();
        let indent = "  ".repeat(depth);
        let header = format!("{indent}[[step{}]]", ".steps".repeat(depth));
        let mut lines: Vec<String> = Vec::new();
        if !node.description.is_empty() {
            lines.push(format!("# {}", cut(&one_line(&node.description), MAX_COMMENT_CHARS)));
        }
        let mut fields: Vec<Field> = Vec::new();
        match &node.kind {
            TsKind::Group(_) => {
                self.groups += 1;
                fields.push(Field { key: "group", value: toml_string(&node.name), comment: None });
            }
            TsKind::Step(step) => {
                self.steps += 1;
                fields.push(Field { key: "name", value: toml_string(&node.name), comment: None });
                let mut about = format!("console: {}", step.console_type);
                if let Some(d) = &step.detail {
                    let _ = write!(about, " — {}", cut(&one_line(d), MAX_COMMENT_CHARS));
                }
                lines.push(format!("# {}", one_line(&about)));
            }
        }
        if let Some(c) = &node.condition {
            fields.push(Field { key: "condition", value: toml_string(&c.text), comment: None });
            if !c.probes.is_empty() {
                for (i, p) in c.probes.iter().enumerate() {
                    lines.push(format!("# probe {}: {}", i + 1, one_line(p)));
                }
                let never = c.probes.len() == 1 && c.probes[0].starts_with("never holds");
                fields.push(Field {
                    key: "probe_holds",
                    value: if never { "0.0".to_owned() } else { "1.0".to_owned() },
                    comment: (!never).then(|| "CHANGE: share of servers on which each probe holds".to_owned()),
                });
            }
        }
        if node.continue_on_error {
            fields.push(Field { key: "continue_on_error", value: "true".to_owned(), comment: None });
        }
        if node.disabled {
            fields.push(Field { key: "disabled", value: "true".to_owned(), comment: None });
        }
        if let TsKind::Step(step) = &node.kind {
            self.step_fields(node, step, &mut fields);
        }
        let _ = writeln!(self.out, "{header}");
        for line in lines {
            let _ = writeln!(self.out, "{indent}{line}");
        }
        for f in &fields {
            match &f.comment {
                Some(c) => {
                    let _ = writeln!(self.out, "{indent}{} = {}   # {c}", f.key, f.value);
                }
                None => {
                    let _ = writeln!(self.out, "{indent}{} = {}", f.key, f.value);
                }
            }
        }
        self.out.push('\n');
        let bytes = self.out.len() - start;
        if self.largest.as_ref().is_none_or(|(b, _, _)| bytes > *b) {
            self.largest = Some((bytes, node.line, node.name.clone()));
        }
        if let TsKind::Group(children) = &node.kind {
            for child in children {
                if self.out.len() > MAX_SCENARIO_BYTES {
                    return;
                }
                self.node(child, depth + 1);
            }
        }
    }

    /// A step's `type` and its own keys: the action's defaults, what the timings file says
    /// of a step of its name, and the console's success codes and time-out.
    fn step_fields(&mut self, node: &TsNode, step: &TsStep, fields: &mut Vec<Field>) {
        let name = node.name.as_str();
        if let TsAction::ChildSequence { package_id } = &step.action {
            self.warn_child(node, package_id.as_deref());
        }
        if let Some(variable) = &step.output_variable {
            self.outputs.push((node.line, name.to_owned(), variable.clone()));
        }
        let (mut type_name, mut shape, mut own) = self.action_fields(step);
        let sizing = step.content.as_ref().and_then(|c| c.sizing(name, self.sizes));
        let mut download_only = false;
        match sizing {
            Some(Sizing::Known(items)) => {
                self.downloads += 1;
                download_only = step.content.as_ref().is_some_and(|c| c.kind == ContentKind::DownloadPackages);
                if let Some(reshaped) = as_software(step, &items) {
                    (type_name, shape, own) = reshaped;
                }
                own.extend(download_fields(&items, step.content.as_ref().map(|c| c.kind)));
            }
            Some(Sizing::Unknown(why)) => {
                self.warnings.push(format!("{}: \"{name}\": {why}", self.ts.place(node.line)))
            }
            _ => {}
        }
        if download_only {
            self.skip_timings(name);
        } else {
            self.apply_timings(name, &shape, &mut own);
        }
        self.console_limits(node.line, name, step, &mut own);
        fields.push(Field { key: "type", value: format!("\"{type_name}\""), comment: None });
        fields.extend(own);
    }

    /// The note for a Run Task Sequence step written as one command: its child's steps are not
    /// in the export (a single sequence's XML never holds them; an archive may lack the child).
    fn warn_child(&mut self, node: &TsNode, package_id: Option<&str>) {
        let (place, name) = (self.ts.place(node.line), &node.name);
        let package = package_id.map(|p| cut(&one_line(p), 80));
        self.warnings.push(match (self.ts.entries.is_empty(), package) {
            (true, package) => format!(
                "{place}: \"{name}\" runs a child task sequence{}: kept as one command step; import the console's export of this sequence with its dependencies (a .zip, docs/import.md) to simulate the child's steps",
                package.map(|p| format!(" ({p})")).unwrap_or_default()
            ),
            (false, Some(p)) => format!(
                "{place}: \"{name}\" runs the child task sequence {p}, which the export does not hold: kept as one command step; export with its dependencies (-WithDependence $true) to simulate the child's steps"
            ),
            (false, None) => format!(
                "{place}: \"{name}\" runs a child task sequence but names no package (TsPackageID): kept as one command step"
            ),
        });
    }

    /// The step type, its shape and its keys with patchsim's defaults.
    fn action_fields(&mut self, step: &TsStep) -> (&'static str, StepShape, Vec<Field>) {
        let assumed = |what: &str| Some(format!("assumed: {what}"));
        match &step.action {
            TsAction::Command | TsAction::Opaque | TsAction::ChildSequence { .. } | TsAction::Mdt(_) => {
                let (dist, what) = command_default(step);
                (
                    "command",
                    StepShape::Command { wrapped_3010: None },
                    vec![Field { key: "duration", value: dist.to_toml(), comment: assumed(what) }],
                )
            }
            TsAction::Applications { count, continue_list } => {
                let mut fields = vec![
                    Field {
                        key: "items",
                        value: count.to_string(),
                        comment: Some("applications the step lists".to_owned()),
                    },
                    Field {
                        key: "per_item",
                        value: Defaults::application().to_toml(),
                        comment: assumed("one application"),
                    },
                ];
                if let Some(on) = continue_list {
                    fields.push(Field {
                        key: "continue_list",
                        value: on.to_string(),
                        comment: Some(
                            "the export's \"continue installing other applications\" (ContinueOnInstallError)"
                                .to_owned(),
                        ),
                    });
                }
                (
                    "install_software",
                    StepShape::InstallSoftware { items: CountDist::Fixed(*count), wrapped_3010: None },
                    fields,
                )
            }
            TsAction::Updates { all, scan_cached, retries } => self.update_fields(*all, *scan_cached, *retries),
            TsAction::Scripted(effect) => {
                let mut fields = vec![Field {
                    key: "duration",
                    value: wait(effect.min_ms, effect.max_ms).to_toml(),
                    comment: Some("what the step's script or command line waits (it does nothing else)".to_owned()),
                }];
                if let Some(code) = effect.exit_code {
                    fields.push(Field {
                        key: "exit_codes",
                        value: format!("{{ {code} = 1.0 }}"),
                        comment: Some(format!("the script's `exit {code}`")),
                    });
                }
                ("command", StepShape::Command { wrapped_3010: None }, fields)
            }
            TsAction::Sleep { min_ms, max_ms } => {
                let duration = wait(*min_ms, *max_ms);
                (
                    "sleep",
                    StepShape::Sleep,
                    vec![Field {
                        key: "duration",
                        value: duration.to_toml(),
                        comment: Some(
                            "the step's wait (its whole script); `patchsim plan sleep` finds the widest that keeps overruns low"
                                .to_owned(),
                        ),
                    }],
                )
            }
            TsAction::Restart { notify_seconds } => (
                "restart",
                StepShape::Restart,
                notify_seconds
                    .map(|s| Field {
                        key: "notify",
                        value: toml_string(&DurationDisplay(s.min(24 * 3600) * SECOND).to_string()),
                        comment: Some("the export's message display time-out".to_owned()),
                    })
                    .into_iter()
                    .collect(),
            ),
            TsAction::SetVariable { variable, value } => (
                "set_variable",
                StepShape::SetVariable,
                vec![
                    Field { key: "variable", value: toml_string(variable), comment: None },
                    Field { key: "value", value: toml_string(value), comment: None },
                ],
            ),
        }
    }

    /// An Install Software Updates step: the first one scans in full and installs the month's
    /// updates; a later pass scans quicker and finds few.
    fn update_fields(
        &mut self,
        all: bool,
        scan_cached: Option<bool>,
        retries: Option<u32>,
    ) -> (&'static str, StepShape, Vec<Field>) {
        let assumed = |what: &str| Some(format!("assumed: {what}"));
        self.update_steps += 1;
        let scan = if self.update_steps == 1 { Defaults::scan() } else { Defaults::later_scan() };
        let (items, items_toml, items_note) = if self.update_steps == 1 {
            (
                CountDist::poisson(Defaults::FIRST_PASS_UPDATES),
                "\"updates\"".to_owned(),
                format!("[fleet.counts] updates{}", if all { " (all updates, not only mandatory)" } else { "" }),
            )
        } else {
            let d = CountDist::poisson(Defaults::LATER_PASS_UPDATES);
            let t = d.to_toml();
            (d, t, "CHANGE: a later pass finds few updates".to_owned())
        };
        (
            "install_updates",
            StepShape::InstallUpdates { scan: scan.clone(), rescan: scan.clone(), items },
            vec![
                Field { key: "items", value: items_toml, comment: Some(items_note) },
                Field {
                    key: "restart_if_pending",
                    value: "false".to_owned(),
                    comment: Some(
                        "the console's step does not restart first when a restart is pending (true: your design does)"
                            .to_owned(),
                    ),
                },
                Field { key: "scan", value: scan.to_toml(), comment: assumed("the update scan") },
                Field { key: "per_item", value: Defaults::update().to_toml(), comment: assumed("one update") },
                Field {
                    key: "restart_share",
                    value: format!("{:?}", Defaults::RESTART_SHARE),
                    comment: Some("CHANGE: share of updates that ask for a restart".to_owned()),
                },
                Field {
                    key: "failure",
                    value: format!("{:?}", Defaults::UPDATE_FAILURE),
                    comment: Some("CHANGE: share of updates that fail".to_owned()),
                },
            ]
            .into_iter()
            .chain(scan_cached.map(|on| Field {
                key: "scan_cached",
                value: on.to_string(),
                comment: Some("the export's \"evaluate software updates from cached scan results\"".to_owned()),
            }))
            .chain(retries.map(|r| Field {
                key: "retries",
                value: r.to_string(),
                comment: Some("the export's \"retry this step if computer unexpectedly restarts\"".to_owned()),
            }))
            .chain(all.then(|| Field {
                key: "target",
                value: "\"all\"".to_owned(),
                comment: Some("the export installs all updates, not only the required".to_owned()),
            }))
            .collect(),
        )
    }

    /// A Download Package Content step modelled as its downloads takes no timing: its time was
    /// the transfer, which now comes from the content's size and the distribution point.
    fn skip_timings(&mut self, name: &str) {
        let Some(timings) = self.timings else { return };
        let name = name.trim();
        if let Some(index) = timings
            .steps
            .iter()
            .position(|s| s.name == name)
            .or_else(|| timings.steps.iter().position(|s| s.name.eq_ignore_ascii_case(name)))
        {
            self.used_timings[index] = true;
            self.warnings.push(format!(
                "timings for \"{name}\" are not applied: the step only downloads, and its time now comes from its content's size and the `dp` resource"
            ));
        }
    }

    /// Replaces the default keys with what the timings file says of a step named `name`.
    fn apply_timings(&mut self, name: &str, shape: &StepShape, own: &mut Vec<Field>) {
        let Some(timings) = self.timings else { return };
        let name = name.trim();
        let Some(index) = timings
            .steps
            .iter()
            .position(|s| s.name == name)
            .or_else(|| timings.steps.iter().position(|s| s.name.eq_ignore_ascii_case(name)))
        else {
            return;
        };
        self.used_timings[index] = true;
        let (edits, warnings) = timings.steps[index].edits(shape, timings.restart.as_ref());
        self.warnings.extend(warnings);
        for edit in edits {
            let comment = Some(match edit.note {
                Some(n) => format!("from the timings file; {n}"),
                None => "from the timings file".to_owned(),
            });
            match own.iter_mut().find(|f| f.key == edit.key) {
                Some(f) => {
                    f.value = edit.value;
                    f.comment = comment;
                }
                None => own.push(Field { key: edit.key, value: edit.value, comment }),
            }
        }
    }

    /// The console's success codes and time-out, on the steps patchsim applies them to.
    fn console_limits(&mut self, line: usize, name: &str, step: &TsStep, own: &mut Vec<Field>) {
        if matches!(
            step.action,
            TsAction::Command
                | TsAction::Opaque
                | TsAction::ChildSequence { .. }
                | TsAction::Mdt(_)
                | TsAction::Scripted(_)
                | TsAction::Applications { .. }
        ) {
            if let Some(codes) = &step.success_codes
                && codes.as_slice() != [0, 3010]
            {
                own.push(Field {
                    key: "success_codes",
                    value: format!("[{}]", codes.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")),
                    comment: None,
                });
            }
            if let Some(seconds) = step.timeout_seconds {
                // The default duration (not a timings file's) against the author's time-out.
                let default = own
                    .iter()
                    .any(|f| f.key == "duration" && f.comment.as_deref().is_some_and(|c| c.starts_with("assumed")));
                if default
                    && matches!(
                        step.action,
                        TsAction::Command | TsAction::Opaque | TsAction::ChildSequence { .. } | TsAction::Mdt(_)
                    )
                {
                    let (dist, _) = command_default(step);
                    if let Some(share) = share_longer(&dist, seconds * SECOND).filter(|s| *s >= 0.01) {
                        self.warnings.push(format!(
                            "{}: \"{name}\" has a {} time-out, but patchsim's default duration for it ({}) runs longer in {:.0}% of runs: the step will time out that often; give it a duration (--timings, or by hand)",
                            self.ts.place(line),
                            DurationDisplay(seconds * SECOND),
                            dist.to_toml()
                                .replace(['"', '{', '}'], "")
                                .replace("dist = ", "")
                                .replace(" = ", " ")
                                .trim(),
                            share * 100.0
                        ));
                    }
                }
                own.push(Field {
                    key: "timeout",
                    value: format!("\"{}\"", DurationDisplay(seconds * SECOND)),
                    comment: None,
                });
            }
        } else if step.timeout_seconds.is_some() {
            self.warnings
                .push(format!("the time-out of \"{name}\" is left out: patchsim times out only commands and installs"));
        }
    }
}

/// The default duration of a step written as a `command` without a reading of its own, and
/// what it assumes the step is.
fn command_default(step: &TsStep) -> (DurationDist, &'static str) {
    let short = step.console_type.strip_prefix("SMS_TaskSequence_").unwrap_or(&step.console_type);
    match (&step.action, short) {
        (TsAction::Opaque, _) => (Defaults::opaque(), "a step patchsim cannot see into"),
        (TsAction::ChildSequence { .. }, _) => (Defaults::opaque(), "a child task sequence patchsim cannot see into"),
        (TsAction::Mdt(m), _) => match m.role {
            MdtRole::Gather => (Defaults::gather(), "MDT's Gather: a few seconds to a minute"),
            MdtRole::Quick => (Defaults::quick(), "a quick MDT step"),
            _ => (Defaults::opaque(), "an MDT step patchsim cannot see into"),
        },
        (_, "InstallSoftwareAction") => (Defaults::package(), "a package install"),
        (_, "SetDynamicVariablesAction" | "PrestartCheckAction" | "SetVariableAction") => {
            (Defaults::quick(), "a quick console step")
        }
        _ => (Defaults::command(), "a command line or script"),
    }
}

/// The share of runs in which a duration is longer than `limit`, for a lognormal; `None` for
/// other distributions.
fn share_longer(dist: &DurationDist, limit: Millis) -> Option<f64> {
    match dist {
        DurationDist::LogNormal { mu, sigma, .. } if *sigma > 0.0 => {
            Some(1.0 - crate::special::normal_cdf(((limit as f64).ln() - mu) / sigma))
        }
        _ => None,
    }
}

/// A step that fetches content but is written as a `command` (Download Package Content, Install
/// Package), rewritten as the `install_software` step a download needs: one item per package,
/// installing in no time (Download Package Content) or in a package's default time (Install
/// Package). `None` for steps that already are `install_software` or `install_updates`.
fn as_software(step: &TsStep, items: &[SizedItem]) -> Option<(&'static str, StepShape, Vec<Field>)> {
    let kind = step.content.as_ref()?.kind;
    let (per_item, comment) = match kind {
        ContentKind::DownloadPackages => {
            (Defaults::download_only(), "the step only downloads: its time is the transfer from `dp`".to_owned())
        }
        ContentKind::Package => (Defaults::package(), "assumed: a package install, after its download".to_owned()),
        ContentKind::Applications | ContentKind::Updates => return None,
    };
    let n = items.len() as u32;
    Some((
        "install_software",
        StepShape::InstallSoftware { items: CountDist::Fixed(n), wrapped_3010: None },
        vec![
            Field { key: "items", value: n.to_string(), comment: Some("one per package".to_owned()) },
            Field { key: "per_item", value: per_item.to_toml(), comment: Some(comment) },
        ],
    ))
}

/// `uses = { download = "dp" }` and `download = { size = … }` for sized content: every item gets
/// the items' mean size (the format draws one size distribution for all of a step's items), so
/// the step moves the content's total, to the byte but for rounding.
fn download_fields(items: &[SizedItem], kind: Option<ContentKind>) -> Vec<Field> {
    let (total, each) = per_item_bytes(items);
    let size = if items.iter().all(|i| i.kilobytes == items[0].kilobytes) {
        format!("\"{}KiB\"", items[0].kilobytes)
    } else {
        format!("\"{each}B\"")
    };
    let sources: Vec<String> = items
        .iter()
        .map(|i| {
            format!(
                "{} {} KB ({})",
                i.label,
                i.kilobytes,
                match &i.source {
                    SizeSource::File { file, line } => format!("{file}:{line}"),
                    SizeSource::Export => "recorded in the export".to_owned(),
                }
            )
        })
        .collect();
    let what = match kind {
        Some(ContentKind::Updates) => "one update's content".to_owned(),
        _ if items.len() == 1 => "the content".to_owned(),
        _ => format!("each item the mean of {} KB in all", total / 1024),
    };
    vec![
        Field { key: "uses", value: "{ download = \"dp\" }".to_owned(), comment: None },
        Field {
            key: "download",
            value: format!("{{ size = {size} }}"),
            comment: Some(cut(&one_line(&format!("{what}: {}", sources.join(", "))), MAX_COMMENT_CHARS)),
        },
    ]
}

/// The scenario's name: as asked, else a short name made from the task sequence's name or the
/// export's file name.
fn scenario_name(options: &ImportOptions, ts: &TaskSequence) -> String {
    if let Some(n) = &options.name {
        return n.clone();
    }
    let base = ts.name.clone().unwrap_or_else(|| {
        std::path::Path::new(&options.source).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
    });
    let mut slug = String::new();
    for c in base.chars() {
        if c.is_alphanumeric() || c == '-' || c == '_' || c == '.' {
            slug.extend(c.to_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.chars().take(MAX_SLUG_CHARS).collect();
    let slug = slug.trim_matches(['-', '.']).to_owned();
    if slug.is_empty() { "imported-task-sequence".to_owned() } else { slug }
}

/// A TOML basic string (one line, escaped).
pub fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_strings_escape_what_toml_needs() {
        assert_eq!(toml_string("a \"b\" \\ c\nd\u{1}"), "\"a \\\"b\\\" \\\\ c\\nd\\u0001\"");
        let parsed: toml::Table = toml::from_str(&format!("x = {}", toml_string("a \"b\" \\ c\nd\u{1}é"))).unwrap();
        assert_eq!(parsed["x"].as_str(), Some("a \"b\" \\ c\nd\u{1}é"));
    }
}
