//! A task sequence as the ConfigMgr console exports it, read into groups and steps.
//!
//! Accepts the `<sequence>` document itself (the `Sequence` property of
//! `SMS_TaskSequencePackage`, as `(Get-CMTaskSequence).Sequence` gives it) and the wrappers it
//! travels in: an `SmsTaskSequencePackage` document with a `<SequenceData>` element, a WMI
//! instance export whose `<PROPERTY NAME="Sequence">` holds the sequence as escaped text, and
//! PowerShell's `Export-Clixml` (`<S N="Sequence">`). See `docs/import.md` for what is kept and
//! what is dropped.
//!
//! A Run Task Sequence step is read as a [`TsAction::ChildSequence`] naming the child's package:
//! the console's export archive ([`super::export_zip`]) puts the child's steps in its place.

use super::content::{ContentItem, ContentKind, StepContent};
use super::limits::{
    MAX_CONDITION_CHARS, MAX_CONDITION_DEPTH, MAX_CONDITION_TESTS, MAX_GROUP_DEPTH, MAX_ITEMS, MAX_NAME_CHARS,
    MAX_SUCCESS_CODES, MAX_VALUE_CHARS, MAX_WARNINGS,
};
use super::mdt_step::{MdtRole, MdtStep};
use super::script_effect::{Reading, ScriptEffect, decode_script};
use super::shown_text::{self, cut};
use super::xml::{Document, Element, Limits, XmlError, parse, parse_text};
use crate::configmgr::export::{SUB_TASK_SEQUENCE, TYPE_PREFIX, condition, step, variable};
use crate::scenario::condition::{can_quote, is_variable_name};

/// A console task sequence, read.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskSequence {
    /// The task sequence's name, when the export carries it (a wrapper does).
    pub name: Option<String>,
    /// The package ID, when the export carries it.
    pub package_id: Option<String>,
    /// The `<sequence version>` attribute.
    pub version: Option<String>,
    /// The top-level groups and steps.
    pub nodes: Vec<TsNode>,
    /// What was changed or dropped on the way, one line each.
    pub warnings: Vec<ImportWarning>,
    /// How the file's bytes were read (`UTF-8`, `UTF-16LE`, …).
    pub encoding: &'static str,
    /// The variables its conditions test, each once (as first spelled), with the line of its
    /// first test: what tells the writer that an MDT sequence waits for Gather's `PHASE`.
    pub tested_variables: Vec<(String, usize)>,
    /// Whether it has an MDT step ([`MdtStep`]): Gather and Lite Touch set the variables its
    /// conditions test.
    pub has_mdt_steps: bool,
    /// The files its lines are in, when it was put together from several (an export archive's
    /// task sequence with its children inlined): each entry with the first line it has in the
    /// sequence's numbering, in order. Every `line` of the sequence, its nodes and its warnings,
    /// is then a line of that numbering, which [`TaskSequence::place`] turns back into the entry
    /// and its own line. Empty for a sequence read from one file, whose lines are the file's.
    pub entries: Vec<SequenceEntry>,
}

/// One of the files a task sequence was put together from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequenceEntry {
    /// The file, as its archive names it (`SMS_TaskSequencePackage/PS100023/object.xml`).
    pub file: String,
    /// Its lines are the sequence's lines after this one: its line 1 is the sequence's
    /// `offset + 1`.
    pub offset: usize,
    /// The task sequence's package ID.
    pub package_id: String,
    /// The task sequence's name, when the file gives it.
    pub name: Option<String>,
}

impl TaskSequence {
    /// Where a line of the sequence is: `line 12` for a sequence of one file, the entry and its
    /// own line (`SMS_TaskSequencePackage/PS100023/object.xml:12`) for one put together from
    /// several.
    pub fn place(&self, line: usize) -> String {
        match self.entries.iter().rev().find(|e| e.offset < line) {
            Some(e) => format!("{}:{}", e.file, line - e.offset),
            None => format!("line {line}"),
        }
    }

    /// Whether a note of the import begins with the place of an entry ([`TaskSequence::place`]),
    /// so that a caller can put the archive's name before it.
    pub fn cites_entry(&self, note: &str) -> bool {
        self.entries.iter().any(|e| note.strip_prefix(e.file.as_str()).is_some_and(|rest| rest.starts_with(':')))
    }
}

/// Something the importer changed, assumed or dropped, with the line it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportWarning {
    /// 1-based line in the export (of the sequence text, for a wrapped sequence).
    pub line: usize,
    /// What happened, as a sentence.
    pub message: String,
}

impl ImportWarning {
    /// The last note after `kept`: how many more were left out, at the line of the last kept.
    pub fn left_out(kept: &[ImportWarning], count: usize) -> Self {
        Self {
            line: kept.last().map_or(1, |w| w.line),
            message: format!("and {count} more notes like these, left out (the first {MAX_WARNINGS} are listed)"),
        }
    }
}

/// A group or step of the export.
#[derive(Debug, Clone, PartialEq)]
pub struct TsNode {
    /// The name in the console.
    pub name: String,
    /// The console's description (may be empty).
    pub description: String,
    /// Where it starts in the export.
    pub line: usize,
    /// Its condition, translated.
    pub condition: Option<ImportedCondition>,
    /// `continueOnError`.
    pub continue_on_error: bool,
    /// `disable`.
    pub disabled: bool,
    /// Group or step.
    pub kind: TsKind,
}

/// A group with its children, or a step.
#[derive(Debug, Clone, PartialEq)]
pub enum TsKind {
    /// A group.
    Group(Vec<TsNode>),
    /// A step.
    Step(TsStep),
}

/// A step of the export.
#[derive(Debug, Clone, PartialEq)]
pub struct TsStep {
    /// The console type, e.g. `SMS_TaskSequence_RunCommandLineAction`.
    pub console_type: String,
    /// What patchsim makes of it.
    pub action: TsAction,
    /// `successCodeList`, when the export gives it.
    pub success_codes: Option<Vec<i64>>,
    /// The step's time-out, in seconds, when set.
    pub timeout_seconds: Option<u64>,
    /// What the step runs (command line, script, package or applications), for a comment.
    pub detail: Option<String>,
    /// The content it fetches from a distribution point, when it is a step that does.
    pub content: Option<StepContent>,
    /// The variable a PowerShell step writes its output to (`OutputVariableName`), when set.
    pub output_variable: Option<String>,
}

/// What an imported step becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TsAction {
    /// A `command` step: command lines, PowerShell scripts, packages, and the other console steps
    /// that take time but are not simulated in detail.
    Command,
    /// An `install_software` step: Install Application.
    Applications {
        /// How many applications.
        count: u32,
        /// "If an application fails, continue installing other applications in the list"
        /// (`ContinueOnInstallError`), when the export says.
        continue_list: Option<bool>,
    },
    /// An `install_updates` step.
    Updates {
        /// Target `All` rather than `Mandatory`.
        all: bool,
        /// "Evaluate software updates from cached scan results" (`SMSTSSoftwareUpdateScanUseCache`),
        /// when the export says.
        scan_cached: Option<bool>,
        /// "Retry this step if computer unexpectedly restarts": the retries (0 with it cleared),
        /// when the export says (the step's `retryCount`).
        retries: Option<u32>,
    },
    /// A `restart` step (Restart Computer).
    Restart {
        /// Its "message display time-out" in seconds (`SMSRebootTimeout`), when the export has one.
        notify_seconds: Option<u64>,
    },
    /// A `set_variable` step.
    SetVariable {
        /// The variable.
        variable: String,
        /// Its value.
        value: String,
    },
    /// A step patchsim cannot see into (an unknown type): kept as a `command` step, with a
    /// warning.
    Opaque,
    /// A Run Task Sequence step (or a `<subtasksequence>`): the child task sequence of this
    /// package runs here. An export archive that holds the child puts its steps in its place, as
    /// a group; otherwise it is written as a `command` step, with a warning.
    ChildSequence {
        /// The child's package ID (`TsPackageID`), when the export names it.
        package_id: Option<String>,
    },
    /// A step of the Microsoft Deployment Toolkit that stays a `command` (Gather, Validate, or a
    /// script patchsim does not model), timed by what it is ([`MdtRole`]).
    Mdt(MdtStep),
    /// A `sleep` step: a command line or script that only waits (`Start-Sleep`, `timeout`,
    /// `ping -n`), for a uniform time from `min_ms` to `max_ms` (equal for a fixed wait).
    Sleep {
        /// Shortest sleep, milliseconds.
        min_ms: u64,
        /// Longest sleep, milliseconds.
        max_ms: u64,
    },
    /// A `command` step whose script or command line only waits and exits
    /// ([`ScriptEffect`]): it takes the wait and ends with the exit code.
    Scripted(ScriptEffect),
}

/// A condition in the scenario's syntax, with what each `probe` in it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedCondition {
    /// The condition, as `scenario::Condition::parse` reads it.
    pub text: String,
    /// For each `probe` in `text`, in order, the console test it replaces.
    pub probes: Vec<String>,
}

/// Reads a console export from its bytes.
pub fn read_task_sequence(bytes: &[u8]) -> Result<TaskSequence, XmlError> {
    let Document { root, encoding } = parse(bytes, Limits::default())?;
    let mut warnings = Vec::new();
    let (sequence, wrapper) = if is_sequence(&root) {
        (root, None)
    } else {
        let inner = find_sequence(&root)?;
        (inner, Some(root))
    };
    let (name, package_id) = match &wrapper {
        Some(w) => (property(w, "Name"), property(w, "PackageID")),
        None => (None, None),
    };
    let mut reader =
        Reader { warnings: &mut warnings, nodes: 0, left_out: 0, tested: Vec::new(), has_mdt_steps: false };
    let nodes = reader.children(&sequence, 0)?;
    reader.finish();
    let (tested_variables, has_mdt_steps) = (std::mem::take(&mut reader.tested), reader.has_mdt_steps);
    for child in sequence.children.iter() {
        let tag = child.name.to_ascii_lowercase();
        if tag == "globalvarlist" && !child.children.is_empty() {
            let names: Vec<&str> = child.children.iter().filter_map(|v| v.attribute("name")).collect();
            warnings.push(ImportWarning {
                line: child.line,
                message: format!(
                    "the sequence's variable list ({}) is not imported: give those variables to the servers as collection variables ([[fleet.class]] variables or inventory columns) if conditions test them",
                    names.join(", ")
                ),
            });
        }
    }
    if nodes.is_empty() {
        // The engine runs an empty sequence as it runs an empty group: it starts and ends at once.
        warnings.push(ImportWarning {
            line: sequence.line,
            message: "the <sequence> has no group or step: written as one empty group, so a run starts and ends at once, as the engine runs an empty sequence".to_owned(),
        });
    }
    Ok(TaskSequence {
        name,
        package_id,
        version: sequence.attribute("version").map(str::to_owned),
        nodes,
        warnings,
        encoding,
        tested_variables,
        has_mdt_steps,
        entries: Vec::new(),
    })
}

fn is_sequence(e: &Element) -> bool {
    e.name == "sequence"
}

/// The `<sequence>` inside a wrapper: as an element, or as text holding one.
fn find_sequence(root: &Element) -> Result<Element, XmlError> {
    if let Some(found) = root.descendants().into_iter().find(|e| is_sequence(e)) {
        return Ok(found.clone());
    }
    let holder = root.descendants().into_iter().find(|e| holds_sequence_text(&e.text));
    match holder {
        Some(h) => {
            // The sequence text's first line, in the file: warnings name the file's lines.
            let leading = &h.text[..h.text.len() - h.text.trim_start().len()];
            let first = h.text_line.max(h.line) + leading.matches('\n').count();
            let inner = parse_text(h.text.trim(), Limits::default()).map_err(|e| XmlError {
                line: Some(e.line.map_or(h.line, |l| first + l - 1)),
                column: e.column,
                message: format!("in the sequence text held by <{}>: {}", h.name, e.message),
            })?;
            if !is_sequence(&inner) {
                return Err(XmlError {
                    line: Some(h.line),
                    column: Some(h.column),
                    message: format!("<{}> holds <{}>, not a <sequence>", h.name, inner.name),
                });
            }
            let mut inner = inner;
            shift_lines(&mut inner, first - 1);
            Ok(inner)
        }
        None => Err(XmlError {
            line: Some(root.line),
            column: Some(root.column),
            message: format!(
                "no <sequence> in this <{}>: export the task sequence's Sequence property (docs/import.md shows how)",
                root.name
            ),
        }),
    }
}

/// Whether an element's text is a `<sequence>` document (after any XML declaration).
fn holds_sequence_text(text: &str) -> bool {
    let text = text.trim_start();
    let text = match text.strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>").map_or("", |(_, after)| after.trim_start()),
        None => text,
    };
    text.starts_with("<sequence")
}

/// Moves every element of a tree `by` lines down: from the lines of a text held in the file to
/// the file's.
fn shift_lines(e: &mut Element, by: usize) {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        e.line += by;
        if e.text_line > 0 {
            e.text_line += by;
        }
        stack.extend(e.children.iter_mut());
    }
}

/// A named property of a wrapper: `<Name>x</Name>`, `<PROPERTY NAME="Name"><VALUE>x</VALUE>`
/// or Clixml's `<S N="Name">x</S>`. The wrapper's own properties come first: a WMI instance
/// export also holds the objects it embeds (its `References`), with properties of their own.
fn property(wrapper: &Element, name: &str) -> Option<String> {
    for e in wrapper.children.iter().chain(wrapper.descendants()) {
        let value = if e.name.eq_ignore_ascii_case(name) && e.children.is_empty() {
            Some(e.text.clone())
        } else if e.name.eq_ignore_ascii_case("PROPERTY")
            && e.attribute("NAME").is_some_and(|n| n.eq_ignore_ascii_case(name))
        {
            e.child("VALUE").map(|v| v.text.clone())
        } else if e.attribute("N").is_some_and(|n| n.eq_ignore_ascii_case(name)) && e.children.is_empty() {
            Some(e.text.clone())
        } else {
            None
        };
        if let Some(v) = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) {
            return Some(v);
        }
    }
    None
}

/// A step's success codes and time-out, as what its script does is weighed against them.
struct StepLimits {
    success_codes: Option<Vec<i64>>,
    timeout_seconds: Option<u64>,
}

/// What groups and steps share: name, description, condition, continue on error, disabled.
type Common = (String, String, Option<ImportedCondition>, bool, bool);

/// An error at an element's place.
fn at(e: &Element, message: String) -> XmlError {
    XmlError { line: Some(e.line), column: Some(e.column), message }
}

/// A text from the export as a warning or comment shows it: on one line, cut to 80 characters.
fn shown(text: &str) -> String {
    cut(&one_line(text), 80)
}

/// Whether a `<step>` is a Run Task Sequence step.
fn runs_task_sequence(e: &Element) -> bool {
    let kind = e.attribute("type").unwrap_or_default().trim();
    kind.strip_prefix(TYPE_PREFIX).unwrap_or(kind) == step::RUN_TASK_SEQUENCE
}

/// How deep groups nest inside this group, itself included (1 for a group of steps only).
fn group_nesting(e: &Element) -> usize {
    1 + e.children.iter().filter(|c| c.name.eq_ignore_ascii_case("group")).map(group_nesting).max().unwrap_or(0)
}

struct Reader<'w> {
    warnings: &'w mut Vec<ImportWarning>,
    /// Groups and steps read so far.
    nodes: usize,
    /// Warnings past [`MAX_WARNINGS`], counted instead of kept.
    left_out: usize,
    /// Variables the conditions test, each once, with the line of the first test.
    tested: Vec<(String, usize)>,
    /// Whether an MDT step was read.
    has_mdt_steps: bool,
}

/// Most groups and steps an imported sequence may have: a console task sequence has at most a
/// few hundred, and a bound keeps a hostile file from writing a scenario too large to run.
pub const MAX_NODES: usize = 10_000;

impl Reader<'_> {
    fn warn(&mut self, line: usize, message: impl Into<String>) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(ImportWarning { line, message: message.into() });
        } else {
            self.left_out += 1;
        }
    }

    /// Counts the warnings left out in one last warning.
    fn finish(&mut self) {
        if self.left_out > 0 {
            let note = ImportWarning::left_out(self.warnings, self.left_out);
            self.warnings.push(note);
        }
    }

    /// What a step whose script or command line was read becomes: a `sleep` for a wait alone
    /// (a `command` when the step's time-out could cut it short), a `command` with the wait as its
    /// duration and the exit code for a wait and an exit, with a note; a plain command otherwise,
    /// with a note when the text waits or exits among other statements.
    fn scripted(
        &mut self,
        line: usize,
        name: &str,
        reading: Reading,
        text: Option<&str>,
        limits: &StepLimits,
    ) -> TsAction {
        let shown_text = cut(&one_line(text.unwrap_or_default()), 80);
        let Some(effect) = reading.effect else {
            if !reading.hints.is_empty() {
                self.warn(
                    line,
                    format!(
                        "\"{name}\" {} among other statements ({shown_text}): kept as a command step with the default duration; give it a duration",
                        reading.hints.join(", ")
                    ),
                );
            }
            return TsAction::Command;
        };
        let span = |ms: u64| crate::scenario::duration::DurationDisplay(ms).to_string();
        let what = if effect.min_ms == effect.max_ms {
            format!("a fixed {}", span(effect.min_ms))
        } else {
            format!("a uniform {} to {}", span(effect.min_ms), span(effect.max_ms))
        };
        let cut_short = limits.timeout_seconds.is_some_and(|t| t.saturating_mul(1000) < effect.max_ms);
        match effect.exit_code {
            None if effect.max_ms > 0 && !cut_short => {
                let what = if effect.min_ms == effect.max_ms {
                    format!("a fixed sleep of {}", span(effect.min_ms))
                } else {
                    format!("a random sleep, uniform from {} to {}", span(effect.min_ms), span(effect.max_ms))
                };
                self.warn(line, format!("\"{name}\" only sleeps ({shown_text}): written as a `sleep` step, {what}"));
                TsAction::Sleep { min_ms: effect.min_ms, max_ms: effect.max_ms }
            }
            None => {
                self.warn(
                    line,
                    format!(
                        "\"{name}\" only waits ({shown_text}): written as a command step taking {what}{}",
                        if cut_short { ", which its time-out may cut short" } else { "" }
                    ),
                );
                TsAction::Scripted(effect)
            }
            Some(code) => {
                let succeeds = limits.success_codes.as_deref().unwrap_or(&[0, 3010]).contains(&code);
                self.warn(
                    line,
                    format!(
                        "\"{name}\" only {}exits with {code} ({shown_text}): written as a command step taking {what} that exits with {code}{}",
                        if effect.max_ms > 0 { "waits and " } else { "" },
                        if succeeds { "" } else { ", which fails the step (not among its success codes)" }
                    ),
                );
                TsAction::Scripted(effect)
            }
        }
    }

    /// The groups and steps under a `<sequence>` or `<group>` that is inside `depth` groups,
    /// in order.
    fn children(&mut self, parent: &Element, depth: usize) -> Result<Vec<TsNode>, XmlError> {
        let mut out = Vec::new();
        for child in &parent.children {
            let tag = child.name.to_ascii_lowercase();
            if matches!(tag.as_str(), "group" | "step" | "subtasksequence") {
                self.nodes += 1;
                if self.nodes > MAX_NODES {
                    return Err(XmlError {
                        line: Some(child.line),
                        column: Some(child.column),
                        message: format!(
                            "more than {MAX_NODES} groups and steps: a console task sequence has at most a few hundred; is this the right file?"
                        ),
                    });
                }
            }
            match tag.as_str() {
                "group" => out.push(self.group(child, depth)?),
                "step" if runs_task_sequence(child) => out.push(self.child_sequence(child)?),
                "step" => out.push(self.step(child)?),
                "subtasksequence" => out.push(self.child_sequence(child)?),
                "condition" | "action" | "defaultvarlist" | "referencelist" | "globalvarlist" | "description" => {}
                other => self.warn(
                    child.line,
                    format!("<{}> is not a group or step of a task sequence: left out", shown(other)),
                ),
            }
        }
        Ok(out)
    }

    fn common(&mut self, e: &Element, what: &str) -> Result<Common, XmlError> {
        let name = match e.attribute("name").map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) if n.chars().count() > MAX_NAME_CHARS => {
                return Err(at(
                    e,
                    format!(
                        "the {what}'s name is {} characters long; a scenario takes names of at most {MAX_NAME_CHARS}: is this the right file?",
                        n.chars().count()
                    ),
                ));
            }
            Some(n) if n.chars().any(char::is_control) => {
                // A scenario's names are one line of printable text.
                let kept = shown_text::one_line(n);
                self.warn(e.line, format!("a {what}'s name holds control characters: called it \"{kept}\""));
                kept
            }
            Some(n) => n.to_owned(),
            None => {
                let made = format!("Unnamed {what} (line {})", e.line);
                self.warn(e.line, format!("a {what} has no name: called it \"{made}\""));
                made
            }
        };
        let description = e.attribute("description").unwrap_or_default().trim().to_owned();
        let continue_on_error = self.flag(e, "continueOnError");
        let disabled = self.flag(e, "disable");
        let condition = match e.child("condition") {
            Some(c) => self.condition(c, &name)?,
            None => None,
        };
        Ok((name, description, condition, continue_on_error, disabled))
    }

    /// A step's `successCodeList`: the codes, each once, in the order first given; words that
    /// are not numbers are left out with one warning.
    fn success_codes(&mut self, e: &Element, name: &str, list: &str) -> Result<Option<Vec<i64>>, XmlError> {
        let mut codes: Vec<i64> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let (mut bad, mut bad_count) = (Vec::new(), 0usize);
        for token in list.split([' ', ',', ';']).filter(|t| !t.is_empty()) {
            match token.parse::<i64>() {
                Ok(c) => {
                    if seen.insert(c) {
                        codes.push(c);
                    }
                    if codes.len() > MAX_SUCCESS_CODES {
                        return Err(at(
                            e,
                            format!(
                                "the success codes of \"{}\" list more than {MAX_SUCCESS_CODES} different codes; a scenario's step takes at most {MAX_SUCCESS_CODES}",
                                shown(name)
                            ),
                        ));
                    }
                }
                Err(_) => {
                    bad_count += 1;
                    if bad.len() < 3 {
                        bad.push(format!("\"{}\"", shown(token)));
                    }
                }
            }
        }
        match bad_count {
            0 => {}
            1 => self.warn(e.line, format!("success code {} of \"{}\" is not a number: left out", bad[0], shown(name))),
            n => self.warn(
                e.line,
                format!(
                    "{n} success codes of \"{}\" are not numbers ({}{}): left out",
                    shown(name),
                    bad.join(", "),
                    if n > bad.len() { ", …" } else { "" }
                ),
            ),
        }
        Ok((!codes.is_empty()).then_some(codes))
    }

    /// A boolean attribute: absent means false, as the console writes them.
    fn flag(&mut self, e: &Element, attribute: &str) -> bool {
        match e.attribute(attribute).map(str::trim) {
            None => false,
            Some(v) if v.eq_ignore_ascii_case("true") => true,
            Some(v) if v.eq_ignore_ascii_case("false") || v.is_empty() => false,
            Some(v) => {
                self.warn(e.line, format!("{attribute}=\"{}\" is neither true nor false: read as false", shown(v)));
                false
            }
        }
    }

    fn group(&mut self, e: &Element, depth: usize) -> Result<TsNode, XmlError> {
        if depth >= MAX_GROUP_DEPTH {
            return Err(at(
                e,
                format!(
                    "groups nest {} deep here; a scenario holds at most {MAX_GROUP_DEPTH} groups inside each other (this one is inside {depth})",
                    depth + group_nesting(e)
                ),
            ));
        }
        let (name, description, condition, continue_on_error, disabled) = self.common(e, "group")?;
        let children = self.children(e, depth + 1)?;
        if children.is_empty() {
            self.warn(
                e.line,
                format!("the group \"{}\" has no group or step: it starts and ends at once", shown(&name)),
            );
        }
        Ok(TsNode {
            name,
            description,
            line: e.line,
            condition,
            continue_on_error,
            disabled,
            kind: TsKind::Group(children),
        })
    }

    /// A Run Task Sequence step or a `<subtasksequence>`: the child's package, to be inlined
    /// from an export archive (or written as a command by the scenario writer, with a note).
    fn child_sequence(&mut self, e: &Element) -> Result<TsNode, XmlError> {
        let (name, description, condition, continue_on_error, disabled) = self.common(e, "child task sequence")?;
        let package_id = variable(e, variable::TS_PACKAGE_ID)
            .or_else(|| e.attribute("packageID").map(str::to_owned))
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty());
        let step = TsStep {
            console_type: shown(
                e.attribute("type").map(str::trim).filter(|t| !t.is_empty()).unwrap_or(SUB_TASK_SEQUENCE),
            ),
            detail: package_id.as_deref().map(|p| format!("child task sequence {}", shown(p))),
            action: TsAction::ChildSequence { package_id },
            success_codes: None,
            timeout_seconds: None,
            content: None,
            output_variable: None,
        };
        Ok(TsNode { name, description, line: e.line, condition, continue_on_error, disabled, kind: TsKind::Step(step) })
    }

    /// An MDT step: Windows Update as an update step, Install Applications as a software step,
    /// Gather and MDT's bookkeeping as short commands, any other script as a command with a note.
    fn mdt_step(
        &mut self,
        e: &Element,
        name: &str,
        console_type: &str,
        m: MdtStep,
        run: Option<String>,
    ) -> (TsAction, Option<String>) {
        let typed = if console_type.is_empty() { "no type".to_owned() } else { console_type.to_owned() };
        let script = shown(&m.script);
        // "runs MDT's ZTIGather.wsf (BDD_Gather)", or for a step whose action names no script
        // "is MDT's BDD_InstallRoles step".
        let what = if m.script == console_type {
            format!("is MDT's {script} step")
        } else {
            format!("runs MDT's {script} ({typed})")
        };
        match m.role {
            MdtRole::WindowsUpdate => {
                self.warn(
                    e.line,
                    format!(
                        "\"{name}\" {what}: written as an `install_updates` step; it installs from Windows Update or WSUS, not from a distribution point, and restarts between its passes"
                    ),
                );
                (
                    TsAction::Updates { all: false, scan_cached: None, retries: None },
                    Some(format!("MDT's {script}: updates from Windows Update or WSUS")),
                )
            }
            MdtRole::Applications => {
                let guid = variable(e, crate::configmgr::export::mdt::APPLICATION_GUID)
                    .map(|g| g.trim().to_owned())
                    .filter(|g| !g.is_empty());
                let detail = match &guid {
                    Some(g) => format!("MDT's {script}: application {}", shown(g)),
                    None => {
                        self.warn(
                            e.line,
                            format!(
                                "\"{name}\" {what}, for the applications the deployment lists (MDT's MandatoryApplications and Applications, not in the export): taken as 1 application; set its `items` to the real count"
                            ),
                        );
                        format!("MDT's {script}: the deployment's applications")
                    }
                };
                (TsAction::Applications { count: 1, continue_list: None }, Some(detail))
            }
            MdtRole::Gather => (
                TsAction::Mdt(m),
                Some(format!(
                    "MDT's {script}: sets MDT variables (PHASE, DeploymentType, IsServerOS, …) that patchsim cannot compute"
                )),
            ),
            MdtRole::Quick => (TsAction::Mdt(m), Some(format!("MDT's {script}"))),
            MdtRole::Other => {
                self.warn(e.line, format!("\"{name}\" {what}, which patchsim does not model: kept as a command step"));
                (TsAction::Mdt(m), run.map(|r| one_line(&r)))
            }
        }
    }

    /// A step: what it does (by its console type), its success codes and its time-out.
    fn step(&mut self, e: &Element) -> Result<TsNode, XmlError> {
        let (name, description, condition, continue_on_error, disabled) = self.common(e, "step")?;
        let console_type = shown(e.attribute("type").unwrap_or_default().trim());
        let short = console_type.strip_prefix(TYPE_PREFIX).unwrap_or(&console_type);
        let action_text = e.child("action").map(|a| one_line(&a.text)).filter(|t| !t.is_empty());
        let success_codes = match e.attribute("successCodeList") {
            Some(list) => self.success_codes(e, &name, list)?,
            None => None,
        };
        let timeout_seconds = self.timeout(e, &name);
        let limits = StepLimits { success_codes: success_codes.clone(), timeout_seconds };
        let mut content = None;
        let run = match short {
            step::RUN_COMMAND_LINE => variable(e, variable::COMMAND_LINE).filter(|l| !l.trim().is_empty()),
            _ => None,
        }
        .or_else(|| action_text.clone());
        let mdt = MdtStep::recognise(&console_type, run.as_deref(), &name);
        let (action, detail) = match mdt {
            Some(m) => {
                self.has_mdt_steps = true;
                self.mdt_step(e, &name, &console_type, m, run)
            }
            None => {
                match short {
                    step::RUN_COMMAND_LINE => {
                        let line = variable(e, variable::COMMAND_LINE).filter(|l| !l.trim().is_empty()).or(action_text);
                        let action = match line.as_deref() {
                            Some(l) => self.scripted(e.line, &name, ScriptEffect::of_command_line(l), Some(l), &limits),
                            None => TsAction::Command,
                        };
                        (action, line)
                    }
                    step::RUN_POWERSHELL_SCRIPT => {
                        let source = variable(e, variable::POWERSHELL_SOURCE_SCRIPT).filter(|s| !s.trim().is_empty());
                        let script = source.map(|s| decode_script(&s).map_or(s, |(text, _)| text));
                        let action = match script.as_deref() {
                            Some(text) => {
                                self.scripted(e.line, &name, ScriptEffect::of_powershell(text), Some(text), &limits)
                            }
                            None => TsAction::Command,
                        };
                        let shown = script
                            .map(|s| one_line(&s))
                            .or_else(|| variable(e, variable::POWERSHELL_SCRIPT).map(|s| one_line(&s)))
                            .or(action_text);
                        (action, shown)
                    }
                    step::INSTALL_SOFTWARE => {
                        let package =
                            variable(e, variable::PACKAGE_ID).map(|p| p.trim().to_owned()).filter(|p| !p.is_empty());
                        let program = variable(e, variable::PROGRAM_NAME);
                        content = Some(StepContent {
                            kind: ContentKind::Package,
                            items: package
                                .iter()
                                .map(|p| ContentItem { id: p.clone(), name: None, recorded_kilobytes: None })
                                .collect(),
                            listed_in: variable(e, variable::BASE_VARIABLE_NAME)
                                .map(|b| b.trim().to_owned())
                                .filter(|b| !b.is_empty() && package.is_none()),
                        });
                        let detail = match (package, program) {
                            (Some(p), Some(g)) => Some(format!("package {p}, program {g}")),
                            (Some(p), None) => Some(format!("package {p}")),
                            _ => variable(e, variable::BASE_VARIABLE_NAME).map(|b| format!("packages listed in {b}*")),
                        };
                        (TsAction::Command, detail)
                    }
                    step::INSTALL_APPLICATION => {
                        content = Some(application_content(e));
                        self.applications(e, &name)?
                    }
                    step::INSTALL_UPDATE => {
                        content = Some(StepContent { kind: ContentKind::Updates, items: Vec::new(), listed_in: None });
                        let target = variable(e, variable::INSTALL_UPDATE_TARGET).unwrap_or_default();
                        let all = target.trim().eq_ignore_ascii_case("All");
                        let scan_cached = flag(e, variable::SCAN_USE_CACHE);
                        let retries = e
                            .attribute("retryCount")
                            .map(str::to_owned)
                            .or_else(|| variable(e, variable::RETRY_COUNT))
                            .and_then(|r| r.trim().parse::<u32>().ok())
                            .map(|r| r.min(5));
                        (
                            TsAction::Updates { all, scan_cached, retries },
                            Some(if all { "all updates" } else { "mandatory updates" }.to_owned()),
                        )
                    }
                    step::REBOOT => {
                        let notify_seconds =
                            variable(e, variable::REBOOT_TIMEOUT).and_then(|t| t.trim().parse::<u64>().ok());
                        (TsAction::Restart { notify_seconds }, None)
                    }
                    step::SET_VARIABLE => self.set_variable(e, &name)?,
                    step::SET_DYNAMIC_VARIABLES => {
                        self.warn(
                    e.line,
                    format!(
                        "\"{name}\" (Set Dynamic Variables) is kept as a command step: the variables its rules set stay unset unless the servers have them as collection variables"
                    ),
                );
                        (TsAction::Command, None)
                    }
                    step::DOWNLOAD_PACKAGE_CONTENT => {
                        let packages = self.download_content(e, &name)?;
                        let detail = (!packages.items.is_empty()).then(|| {
                            format!(
                                "downloads {}",
                                packages.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>().join(", ")
                            )
                        });
                        content = Some(packages);
                        (TsAction::Command, detail.or(action_text))
                    }
                    step::PRESTART_CHECK | step::CONNECT_NETWORK_FOLDER => (TsAction::Command, action_text),
                    _ => {
                        let shown = if console_type.is_empty() { "(no type)".to_owned() } else { console_type.clone() };
                        self.warn(
                    e.line,
                    format!("\"{name}\" has step type {shown}, which patchsim does not model: kept as a command step"),
                );
                        (TsAction::Opaque, action_text)
                    }
                }
            }
        };
        let output_variable = variable(e, variable::POWERSHELL_OUTPUT_VARIABLE)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty() && short == step::RUN_POWERSHELL_SCRIPT);
        let step = TsStep { console_type, action, success_codes, timeout_seconds, detail, content, output_variable };
        Ok(TsNode { name, description, line: e.line, condition, continue_on_error, disabled, kind: TsKind::Step(step) })
    }

    /// Download Package Content: the packages of its entries (`OSDPackage{N}PackageId`, with the
    /// name and the size in kilobytes the console recorded), else of its list of IDs
    /// (`OSDDownloadDownloadPackages`). A size that is not a number is left out with a warning.
    fn download_content(&mut self, e: &Element, name: &str) -> Result<StepContent, XmlError> {
        let vars = variables(e);
        let prefix = variable::PACKAGE_INFO_PREFIX.to_ascii_lowercase();
        let suffix = variable::PACKAGE_INFO_ID.to_ascii_lowercase();
        let mut indices: Vec<u64> =
            vars.keys().filter_map(|k| k.strip_prefix(&prefix)?.strip_suffix(&suffix)?.parse::<u64>().ok()).collect();
        indices.sort_unstable();
        indices.dedup();
        let too_many = |n: usize| {
            at(
                e,
                format!(
                    "\"{}\" downloads {n} packages; a scenario's step holds at most {MAX_ITEMS} items",
                    shown(name)
                ),
            )
        };
        if indices.len() as u64 > MAX_ITEMS {
            return Err(too_many(indices.len()));
        }
        let entry = |i: u64, part: &str| {
            vars.get(&format!("{prefix}{i}{}", part.to_ascii_lowercase())).map(|v| v.trim().to_owned())
        };
        let mut items = Vec::new();
        for i in indices {
            let Some(id) = entry(i, variable::PACKAGE_INFO_ID).filter(|id| !id.is_empty()) else { continue };
            let recorded_kilobytes = match entry(i, variable::PACKAGE_INFO_SIZE).filter(|s| !s.is_empty()) {
                None => None,
                Some(text) => match text.parse::<u64>() {
                    Ok(kb) => Some(kb),
                    Err(_) => {
                        self.warn(
                            e.line,
                            format!(
                                "the recorded size \"{}\" of package {} in \"{}\" is not a number of kilobytes: left out",
                                shown(&text),
                                shown(&id),
                                shown(name)
                            ),
                        );
                        None
                    }
                },
            };
            let name = entry(i, variable::PACKAGE_INFO_NAME).filter(|n| !n.is_empty());
            items.push(ContentItem { id, name, recorded_kilobytes });
        }
        if items.is_empty() {
            let listed = vars.get(&variable::DOWNLOAD_PACKAGES.to_ascii_lowercase()).cloned().unwrap_or_default();
            let ids: Vec<&str> = listed.split([',', ';', ' ']).map(str::trim).filter(|p| !p.is_empty()).collect();
            if ids.len() as u64 > MAX_ITEMS {
                return Err(too_many(ids.len()));
            }
            items = ids
                .into_iter()
                .map(|id| ContentItem { id: id.to_owned(), name: None, recorded_kilobytes: None })
                .collect();
        }
        Ok(StepContent { kind: ContentKind::DownloadPackages, items, listed_in: None })
    }

    /// Install Application: as many applications as it lists (or counts).
    fn applications(&mut self, e: &Element, name: &str) -> Result<(TsAction, Option<String>), XmlError> {
        let listed = variable(e, variable::APPLICATION_NAME)
            .map(|names| names.split(',').filter(|n| !n.trim().is_empty()).count() as u64)
            .filter(|n| *n > 0);
        let counted = variable(e, variable::NUM_APPS).and_then(|n| n.trim().parse::<u64>().ok()).filter(|n| *n > 0);
        let apps = match listed.or(counted) {
            Some(n) if n > MAX_ITEMS => {
                return Err(at(
                    e,
                    format!(
                        "\"{}\" installs {n} applications; a scenario's step installs at most {MAX_ITEMS} items",
                        shown(name)
                    ),
                ));
            }
            Some(n) => n as u32,
            None => {
                self.warn(
                    e.line,
                    format!(
                        "\"{name}\" installs applications from a variable list: taken as 1 application; set its `items` to the real count"
                    ),
                );
                1
            }
        };
        let continue_list = flag(e, variable::CONTINUE_ON_INSTALL_ERROR);
        Ok((
            TsAction::Applications { count: apps, continue_list },
            Some(format!("{apps} application{}", if apps == 1 { "" } else { "s" })),
        ))
    }

    /// Set Task Sequence Variable: the variable and its value, bounded as a scenario bounds them.
    fn set_variable(&mut self, e: &Element, name: &str) -> Result<(TsAction, Option<String>), XmlError> {
        let variable_name = variable(e, variable::VARIABLE_NAME).map(|v| v.trim().to_owned()).unwrap_or_default();
        let value = variable(e, variable::VARIABLE_VALUE).unwrap_or_default();
        if variable_name.chars().count() > MAX_NAME_CHARS {
            return Err(at(
                e,
                format!(
                    "\"{}\" sets a variable whose name is {} characters long; a scenario takes names of at most {MAX_NAME_CHARS}",
                    shown(name),
                    variable_name.chars().count()
                ),
            ));
        }
        if value.chars().count() > MAX_VALUE_CHARS {
            return Err(at(
                e,
                format!(
                    "\"{}\" sets {} to a value {} characters long; a scenario's Set Variable value is at most {MAX_VALUE_CHARS}",
                    shown(name),
                    shown(&variable_name),
                    value.chars().count()
                ),
            ));
        }
        let value = self.one_line_value(e, name, &variable_name, value);
        if variable_name.is_empty() {
            self.warn(e.line, format!("\"{name}\" sets no variable (VariableName is empty): kept as a command step"));
            Ok((TsAction::Command, None))
        } else {
            if crate::scenario::engine::is_read_only(&variable_name) {
                self.warn(
                    e.line,
                    format!(
                        "\"{}\" sets {}, a read-only variable (its name begins with an underscore) that the engine does not let a step change: kept as a command step",
                        shown(name),
                        shown(&variable_name)
                    ),
                );
                return Ok((TsAction::Command, None));
            }
            Ok((TsAction::SetVariable { variable: variable_name, value }, None))
        }
    }

    /// A Set Variable value as a scenario can hold it: one line of printable text. Line breaks
    /// and tabs become spaces and other control or bidirectional formatting characters are left
    /// out, with a note (a value holding a script is set all the same; only a condition
    /// comparing it with text that has line breaks would see the difference).
    fn one_line_value(&mut self, e: &Element, name: &str, variable_name: &str, value: String) -> String {
        if crate::scenario::name::check(&value, crate::scenario::name::TextKind::Value).is_ok() {
            return value;
        }
        let mut out = String::with_capacity(value.len());
        let mut chars = value.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' if chars.peek() == Some(&'\n') => {}
                '\r' | '\n' | '\t' | '\u{2028}' | '\u{2029}' => out.push(' '),
                c if c.is_control() || crate::input::text::is_bidi_control(c) => {}
                c => out.push(c),
            }
        }
        self.warn(
            e.line,
            format!(
                "\"{}\" sets {} to a value with line breaks or control characters, which a scenario value cannot hold: written on one line (line breaks and tabs as spaces)",
                shown(name),
                shown(variable_name)
            ),
        );
        out
    }

    /// The step's time-out in seconds (`None` for none; 0 is none, as the console has it).
    fn timeout(&mut self, e: &Element, name: &str) -> Option<u64> {
        match e.attribute("timeout").map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(t) => match t.parse::<u64>() {
                Ok(0) => None,
                Ok(s) if s > 999 * 60 => {
                    self.warn(
                        e.line,
                        format!(
                            "time-out of \"{}\" ({s} s) is more than the console's 999 minutes: set to 999 minutes",
                            shown(name)
                        ),
                    );
                    Some(999 * 60)
                }
                Ok(s) => Some(s),
                Err(_) => {
                    self.warn(
                        e.line,
                        format!(
                            "time-out \"{}\" of \"{}\" is not a number of seconds: left out",
                            shown(t),
                            shown(name)
                        ),
                    );
                    None
                }
            },
        }
    }

    /// Translates a `<condition>`; `None` when it always holds. A condition a scenario cannot
    /// hold (too deep, too many tests, too long) is an error at the condition's line.
    fn condition(&mut self, e: &Element, node: &str) -> Result<Option<ImportedCondition>, XmlError> {
        let node = &shown(node);
        let operands: Vec<Cond> = e.children.iter().filter_map(|c| self.operand(c, node)).collect();
        let cond = Cond::all(operands).simplify();
        let tests = cond.tests();
        if tests > MAX_CONDITION_TESTS {
            return Err(at(
                e,
                format!(
                    "the condition of \"{node}\" has {tests} tests; a scenario's condition holds at most {MAX_CONDITION_TESTS}"
                ),
            ));
        }
        let depth = cond.depth();
        if depth > MAX_CONDITION_DEPTH {
            return Err(at(
                e,
                format!(
                    "the condition of \"{node}\" nests {depth} deep (its operators written as `not` and parentheses); a scenario's condition nests at most {MAX_CONDITION_DEPTH}"
                ),
            ));
        }
        Ok(match cond {
            Cond::Const(true) => None,
            Cond::Const(false) => {
                self.warn(
                    e.line,
                    format!("the condition of \"{node}\" can never hold: written as `probe` with probe_holds = 0"),
                );
                Some(ImportedCondition {
                    text: "probe".to_owned(),
                    probes: vec!["never holds (an empty Any)".to_owned()],
                })
            }
            other => {
                let mut probes = Vec::new();
                let text = other.render(&mut probes);
                let chars = text.chars().count();
                if chars > MAX_CONDITION_CHARS {
                    return Err(at(
                        e,
                        format!(
                            "the condition of \"{node}\" is {chars} characters written out; a scenario's condition is at most {MAX_CONDITION_CHARS}"
                        ),
                    ));
                }
                Some(ImportedCondition { text, probes })
            }
        })
    }

    fn operand(&mut self, e: &Element, node: &str) -> Option<Cond> {
        match e.name.to_ascii_lowercase().as_str() {
            "operator" => {
                let parts: Vec<Cond> = e.children.iter().filter_map(|c| self.operand(c, node)).collect();
                let kind = e.attribute("type").unwrap_or("and").trim().to_ascii_lowercase();
                Some(match kind.as_str() {
                    "and" => Cond::all(parts),
                    "or" => Cond::any(parts),
                    // The console's "None": none of the conditions holds.
                    "not" => Cond::Not(Box::new(Cond::any(parts))),
                    other => {
                        self.warn(
                            e.line,
                            format!(
                                "condition operator \"{}\" of \"{node}\" is not and/or/not: read as and",
                                shown(other)
                            ),
                        );
                        Cond::all(parts)
                    }
                })
            }
            "expression" => Some(self.expression(e, node)),
            other => {
                self.warn(
                    e.line,
                    format!(
                        "<{}> in the condition of \"{node}\" is not an operator or expression: left out",
                        shown(other)
                    ),
                );
                None
            }
        }
    }

    fn expression(&mut self, e: &Element, node: &str) -> Cond {
        let kind = e.attribute("type").unwrap_or_default().trim().to_owned();
        let short = kind.strip_prefix(TYPE_PREFIX).unwrap_or(&kind).to_owned();
        if short == condition::VARIABLE {
            let var = variable(e, variable::TESTED_VARIABLE).map(|v| v.trim().to_owned()).unwrap_or_default();
            let op = variable(e, variable::OPERATOR).map(|v| v.trim().to_owned()).unwrap_or_default();
            let value = variable(e, variable::VALUE).unwrap_or_default();
            return self.variable_test(e.line, node, &var, &op, &value);
        }
        let description = match short.as_str() {
            condition::WMI => format!(
                "WMI query {}{}",
                quote(&variable(e, variable::QUERY).unwrap_or_default()),
                variable(e, variable::NAMESPACE).map(|n| format!(" in {n}")).unwrap_or_default()
            ),
            condition::FILE => format!("file {}", quote(&variable(e, variable::PATH).unwrap_or_default())),
            condition::FOLDER => format!("folder {}", quote(&variable(e, variable::PATH).unwrap_or_default())),
            condition::REGISTRY => format!(
                "registry {} {} {} {}",
                quote(&variable(e, variable::KEY_PATH).unwrap_or_default()),
                variable(e, variable::VALUE).unwrap_or_default(),
                variable(e, variable::OPERATOR).unwrap_or_default(),
                variable(e, variable::DATA).unwrap_or_default()
            )
            .trim_end()
            .to_owned(),
            condition::SOFTWARE => format!(
                "installed software {}",
                quote(
                    &variable(e, variable::PRODUCT_NAME)
                        .or_else(|| variable(e, variable::PRODUCT_CODE))
                        .unwrap_or_default()
                )
            ),
            _ => {
                let vars: Vec<String> = e
                    .children_named("variable")
                    .filter_map(|v| v.attribute("name").map(|n| format!("{n}={}", one_line(&v.text))))
                    .collect();
                format!(
                    "{} {}",
                    if kind.is_empty() { "(untyped test)".to_owned() } else { shown(&kind) },
                    vars.join(" ")
                )
                .trim_end()
                .to_owned()
            }
        };
        let description = cut(&description, 160);
        self.warn(
            e.line,
            format!("the condition of \"{node}\" tests {description}, which patchsim cannot run: written as `probe` (holds with probe_holds, default 1)"),
        );
        Cond::Probe(description)
    }

    fn variable_test(&mut self, line: usize, node: &str, var: &str, op: &str, value: &str) -> Cond {
        let opaque = |this: &mut Self, why: String| {
            let description = format!("variable test {} {} {}", shown(var), shown(op), quote(value));
            this.warn(line, format!("the condition of \"{node}\": {why}: written as `probe`"));
            Cond::Probe(description)
        };
        if !self.tested.iter().any(|(v, _)| v.eq_ignore_ascii_case(var)) && self.tested.len() < MAX_CONDITION_TESTS {
            self.tested.push((var.to_owned(), line));
        }
        if !is_variable_name(var) {
            return opaque(self, format!("variable name \"{}\" cannot be written in a patchsim condition", shown(var)));
        }
        let needs_value = !matches!(op.to_ascii_lowercase().as_str(), "exists" | "notexists");
        if needs_value && !can_quote(value) {
            return opaque(self, format!("the value {} has both kinds of quote", quote(value)));
        }
        let q = || if value.contains('\'') { format!("\"{value}\"") } else { format!("'{value}'") };
        let atom = match op.to_ascii_lowercase().as_str() {
            "exists" => format!("{var} exists"),
            "notexists" => return Cond::Not(Box::new(Cond::Atom(format!("{var} exists")))),
            "equals" => format!("{var} == {}", q()),
            "notequals" => format!("{var} != {}", q()),
            "less" => format!("{var} < {}", q()),
            "lessequal" => format!("{var} <= {}", q()),
            "greater" => format!("{var} > {}", q()),
            "greaterequal" => format!("{var} >= {}", q()),
            // Not in the SDK's list, but the console writes it: `*` and `?` wildcards.
            "like" => format!("{var} like {}", q()),
            _ => return opaque(self, format!("operator \"{}\" is not one patchsim knows", shown(op))),
        };
        Cond::Atom(atom)
    }
}

/// A condition under construction.
#[derive(Debug, Clone, PartialEq)]
enum Cond {
    Const(bool),
    Atom(String),
    Probe(String),
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
}

impl Cond {
    fn all(parts: Vec<Cond>) -> Self {
        if parts.len() == 1 { parts.into_iter().next().unwrap_or(Self::Const(true)) } else { Self::And(parts) }
    }

    fn any(parts: Vec<Cond>) -> Self {
        if parts.len() == 1 { parts.into_iter().next().unwrap_or(Self::Const(false)) } else { Self::Or(parts) }
    }

    /// Folds constants away (an empty All holds, an empty Any does not), an All inside an All
    /// and an Any inside an Any into one, and a double `not`.
    fn simplify(self) -> Self {
        match self {
            Self::And(parts) => {
                let mut kept = Vec::new();
                for p in parts.into_iter().map(Self::simplify) {
                    match p {
                        Self::Const(true) => {}
                        Self::Const(false) => return Self::Const(false),
                        Self::And(inner) => kept.extend(inner),
                        other => kept.push(other),
                    }
                }
                match kept.len() {
                    0 => Self::Const(true),
                    1 => kept.pop().unwrap_or(Self::Const(true)),
                    _ => Self::And(kept),
                }
            }
            Self::Or(parts) => {
                let mut kept = Vec::new();
                for p in parts.into_iter().map(Self::simplify) {
                    match p {
                        Self::Const(false) => {}
                        Self::Const(true) => return Self::Const(true),
                        Self::Or(inner) => kept.extend(inner),
                        other => kept.push(other),
                    }
                }
                match kept.len() {
                    0 => Self::Const(false),
                    1 => kept.pop().unwrap_or(Self::Const(false)),
                    _ => Self::Or(kept),
                }
            }
            Self::Not(inner) => match inner.simplify() {
                Self::Const(b) => Self::Const(!b),
                Self::Not(twice) => *twice,
                other => Self::Not(Box::new(other)),
            },
            other => other,
        }
    }

    /// How many tests (variable tests and probes) the condition holds.
    fn tests(&self) -> usize {
        match self {
            Self::Const(_) => 0,
            Self::Atom(_) | Self::Probe(_) => 1,
            Self::And(parts) | Self::Or(parts) => parts.iter().map(Self::tests).sum(),
            Self::Not(inner) => inner.tests(),
        }
    }

    /// How deep the condition nests as [`Cond::render`] writes it: each `not` and each pair of
    /// parentheses around a part is one level.
    fn depth(&self) -> usize {
        match self {
            Self::Const(_) | Self::Atom(_) | Self::Probe(_) => 0,
            Self::And(parts) => parts
                .iter()
                .map(|p| if matches!(p, Self::Or(_)) { 1 + p.depth() } else { p.depth() })
                .max()
                .unwrap_or(0),
            Self::Or(parts) => parts.iter().map(Self::depth).max().unwrap_or(0),
            Self::Not(inner) => match **inner {
                Self::Atom(_) | Self::Probe(_) | Self::Not(_) => 1 + inner.depth(),
                _ => 2 + inner.depth(),
            },
        }
    }

    /// The condition in the scenario's syntax; probes are listed in the order written.
    fn render(&self, probes: &mut Vec<String>) -> String {
        match self {
            Self::Const(_) => unreachable!("constants are folded away before rendering"),
            Self::Atom(text) => text.clone(),
            Self::Probe(description) => {
                probes.push(description.clone());
                "probe".to_owned()
            }
            Self::And(parts) => parts
                .iter()
                .map(|p| match p {
                    Self::Or(_) => format!("({})", p.render(probes)),
                    _ => p.render(probes),
                })
                .collect::<Vec<_>>()
                .join(" and "),
            Self::Or(parts) => parts.iter().map(|p| p.render(probes)).collect::<Vec<_>>().join(" or "),
            Self::Not(inner) => match **inner {
                Self::Atom(_) | Self::Probe(_) | Self::Not(_) => format!("not {}", inner.render(probes)),
                _ => format!("not ({})", inner.render(probes)),
            },
        }
    }
}

/// Install Application's content: the applications it lists by name, or the variable list it
/// installs from.
fn application_content(e: &Element) -> StepContent {
    let listed = variable(e, variable::APPLICATION_NAME).unwrap_or_default();
    let items: Vec<ContentItem> = listed
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .take(MAX_ITEMS as usize + 1)
        .map(|n| ContentItem { id: n.to_owned(), name: None, recorded_kilobytes: None })
        .collect();
    let listed_in = variable(e, variable::BASE_VARIABLE_NAME)
        .map(|b| b.trim().to_owned())
        .filter(|b| !b.is_empty() && items.is_empty());
    StepContent { kind: ContentKind::Applications, items, listed_in }
}

/// Every `<variable>` of a step (direct or in its `defaultVarList`), by lower-cased name, the
/// first of a name kept.
fn variables(e: &Element) -> std::collections::HashMap<String, String> {
    let mut out = std::collections::HashMap::new();
    let direct = e.children_named("variable");
    let listed = e.children_named("defaultVarList").flat_map(|l| l.children_named("variable"));
    for v in direct.chain(listed) {
        if let Some(n) = v.attribute("name") {
            out.entry(n.to_ascii_lowercase()).or_insert_with(|| v.text.clone());
        }
    }
    out
}

/// The text of `<variable name="NAME">` in a step's `defaultVarList` or an expression.
fn variable(e: &Element, name: &str) -> Option<String> {
    let all = || {
        e.children_named("variable")
            .chain(e.children_named("defaultVarList").flat_map(|l| l.children_named("variable")))
    };
    // By the variable's name, else by the step property it holds (`OSDAppCount` holds `NumApps`).
    let named = |attribute: &str| all().find(|v| v.attribute(attribute).is_some_and(|n| n.eq_ignore_ascii_case(name)));
    named("name").or_else(|| named("property")).map(|v| v.text.clone())
}

/// A true/false step variable, when the export has it (`True`, `false`…).
fn flag(e: &Element, name: &str) -> Option<bool> {
    let text = variable(e, name)?;
    let text = text.trim();
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn one_line(text: &str) -> String {
    cut(&text.split_whitespace().collect::<Vec<_>>().join(" "), 160)
}

fn quote(text: &str) -> String {
    format!("\"{}\"", one_line(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_nested_operators_with_the_right_parentheses() {
        let a = || Cond::Atom("A exists".into());
        let b = || Cond::Atom("B == 'x'".into());
        let mut probes = Vec::new();
        let c = Cond::And(vec![
            Cond::Or(vec![a(), b()]),
            Cond::Not(Box::new(Cond::And(vec![a(), Cond::Probe("wmi".into())]))),
        ]);
        assert_eq!(c.render(&mut probes), "(A exists or B == 'x') and not (A exists and probe)");
        assert_eq!(probes, ["wmi"]);
        assert_eq!(Cond::And(vec![Cond::Const(true), a()]).simplify(), a());
        assert_eq!(Cond::Or(vec![]).simplify(), Cond::Const(false));
        assert_eq!(Cond::Not(Box::new(Cond::Or(vec![]))).simplify(), Cond::Const(true));
    }

    #[test]
    fn sleep_steps_import_as_sleeps() {
        let xml = r#"<sequence>
  <step type="SMS_TaskSequence_RunPowerShellScriptAction" name="Random sleep" continueOnError="true">
    <defaultVarList><variable name="OSDRunPowerShellScriptSourceScript" property="SourceScript">Start-Sleep -Seconds (Get-Random -Maximum 1200)</variable></defaultVarList>
  </step>
  <step type="SMS_TaskSequence_RunCommandLineAction" name="Settle">
    <defaultVarList><variable name="CommandLine" property="CommandLine">powershell.exe -Command "Start-Sleep 90"</variable></defaultVarList>
  </step>
  <step type="SMS_TaskSequence_RunCommandLineAction" name="Script">
    <defaultVarList><variable name="CommandLine" property="CommandLine">powershell.exe -Command "Start-Sleep 90; Get-Date"</variable></defaultVarList>
  </step>
</sequence>"#;
        let ts = read_task_sequence(xml.as_bytes()).unwrap();
        let actions: Vec<&TsAction> = ts
            .nodes
            .iter()
            .map(|n| match &n.kind {
                TsKind::Step(s) => &s.action,
                TsKind::Group(_) => unreachable!(),
            })
            .collect();
        assert_eq!(
            actions,
            [
                &TsAction::Sleep { min_ms: 0, max_ms: 1_200_000 },
                &TsAction::Sleep { min_ms: 90_000, max_ms: 90_000 },
                &TsAction::Command
            ]
        );
        assert!(ts.warnings[0].message.contains("written as a `sleep` step, a random sleep, uniform from 0s to 20m"));
        let written = crate::import::write_scenario(&ts, &crate::import::ImportOptions::default(), None).unwrap();
        let scenario = crate::scenario::Scenario::from_toml(&written.text, "s.toml").unwrap();
        let crate::scenario::NodeKind::Step(step) = &scenario.steps[0].kind else { panic!() };
        assert_eq!(
            step.action,
            crate::scenario::Action::Sleep {
                duration: crate::scenario::DurationDist::Uniform { min: 0, max: 1_200_000 }
            }
        );
        assert!(scenario.steps[0].continue_on_error);
    }
}
