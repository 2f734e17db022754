//! Warnings: the silent mistakes a scenario can hold and still be valid.
//!
//! A checked scenario can still say something its author did not mean: a condition on a variable
//! nothing sets (a typo, or a collection variable the inventory does not carry), a comparison
//! with a value nothing sets it to (`'Yes'` where the wrappers set `'true'`), a share written as
//! a percentage (`offline = 1` for 1%), or a maximum run time that leaves most runs no time to
//! start. [`warnings`] finds them once the scenario is read; `validate` and `run` print them and
//! `summary.json` lists them. None of them stops a run.

use std::collections::BTreeSet;
use std::fmt;

use super::Scenario;
use super::condition::Condition;
use super::distribution::DurationDist;
use super::duration::{DurationDisplay, Millis};
use super::engine::{CODE_FAILED, CODE_TIMED_OUT, LAST_ACTION_VARIABLES};
use super::name::{fold, same};
use super::reader::{Table, closest};
use super::step::{Action, ExitBehaviour, Node, NodeKind, On3010};
use crate::input::InputError;
use crate::random::Stream;

/// A warning about a scenario: where (file, line, column, key) and what looks wrong.
///
/// Displays as `file:line:column: key `k`: message`, as a [`InputError`] does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The file, as the user named it (or the `--set` that gave the value).
    pub file: String,
    /// 1-based line, when the value is in the file.
    pub line: Option<usize>,
    /// 1-based column (in characters), with `line`.
    pub column: Option<usize>,
    /// Dotted path of the key the warning is about, e.g. `step.7.steps.1.condition`.
    pub key: String,
    /// What looks wrong, and what to write instead.
    pub message: String,
}

impl From<InputError> for Warning {
    fn from(e: InputError) -> Self {
        Self { file: e.file, line: e.line, column: e.column, key: e.key.unwrap_or_default(), message: e.message }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let as_error = InputError {
            file: self.file.clone(),
            line: self.line,
            column: self.column,
            key: (!self.key.is_empty()).then(|| self.key.clone()),
            message: self.message.clone(),
        };
        as_error.fmt(f)
    }
}

/// The share and probability keys for which 1 is almost always a percentage written as a
/// number: 1 there means every server (or every restart, every update).
///
/// `restart_share = 1` is left out on purpose: a cumulative update asks for a restart every
/// month. Class shares, exit-code probabilities and `probe_holds` are 1 as a matter of course.
pub const PERCENT_LIKE_SHARES: &[(&str, &str)] = &[
    ("fleet.extension", "every server is on a patching extension and none is targeted"),
    ("fleet.offline", "every targeted server is offline and no run starts"),
    ("fleet.pending_restart", "every server has a restart pending"),
    ("restart.hang", "no server comes back from a restart"),
    ("failure", "every update fails to install"),
];

/// How many start delays are drawn to estimate the share of runs the maximum run time keeps from
/// starting (when the delay is not fixed).
const DELAY_DRAWS: u64 = 10_000;

/// Every warning about a checked scenario; `root` is the document it was read from, for the
/// places the warnings point at. In file order of the checks: shares, the maximum run time, then
/// the steps' conditions in sequence order.
pub fn warnings(scenario: &Scenario, root: &Table<'_, '_>) -> Vec<Warning> {
    let mut out = Vec::new();
    let f = &scenario.fleet;
    for (key, value) in [
        ("fleet.extension", f.extension),
        ("fleet.offline", f.offline),
        ("fleet.pending_restart", f.pending_restart),
        ("restart.hang", scenario.restart.hang),
    ] {
        if value == 1.0 {
            out.push(root.place_of(key, percent_message(key)).into());
        }
    }
    if let Some(message) = max_run_time_message(scenario) {
        out.push(root.place_of("deployment.max_run_time", message).into());
    }
    let known = Variables::of(scenario);
    for (i, node) in scenario.steps.iter().enumerate() {
        node_warnings(node, &format!("step.{i}"), &known, root, &mut out);
    }
    out
}

fn percent_message(key: &str) -> String {
    let meaning = PERCENT_LIKE_SHARES.iter().find(|(k, _)| key == *k).map_or("every server", |(_, m)| m);
    format!("is 1, which means {meaning}; for 1% write 0.01")
}

fn node_warnings(node: &Node, path: &str, known: &Variables, root: &Table<'_, '_>, out: &mut Vec<Warning>) {
    if let Some(condition) = &node.condition {
        for message in condition_messages(condition, known) {
            out.push(root.place_of(&format!("{path}.condition"), message).into());
        }
    }
    match &node.kind {
        NodeKind::Step(step) => {
            if let Action::InstallUpdates(u) = &step.action
                && u.failure == 1.0
            {
                out.push(root.place_of(&format!("{path}.failure"), percent_message("failure")).into());
            }
        }
        NodeKind::Group(children) => {
            for (j, child) in children.iter().enumerate() {
                node_warnings(child, &format!("{path}.steps.{j}"), known, root, out);
            }
        }
    }
}

/// One thing that sets a variable, and to what.
struct Setter {
    /// The variable as this source spells it.
    variable: String,
    /// The values it sets.
    values: BTreeSet<String>,
}

/// Every source of a variable in the scenario: class variables, inventory columns, `set_variable`
/// steps and `on_3010` wrappers.
struct Variables {
    setters: Vec<Setter>,
    /// Per setter, its values case-folded (values compare ignoring case).
    folded: Vec<std::collections::HashSet<String>>,
}

impl Variables {
    fn of(scenario: &Scenario) -> Self {
        let mut setters = Vec::new();
        // The engine: the facts of a running OS, and what it records after every step.
        for (variable, value) in scenario.engine.all_facts() {
            setters.push(Setter { variable: variable.to_owned(), values: BTreeSet::from([value.to_owned()]) });
        }
        let (mut names, mut codes) = (BTreeSet::new(), BTreeSet::from([0, CODE_FAILED, CODE_TIMED_OUT]));
        for node in &scenario.steps {
            node.walk(0, &mut |n, _| {
                let NodeKind::Step(step) = &n.kind else { return };
                names.insert(n.name.clone());
                if let Action::Command { exit, .. } | Action::InstallSoftware { exit, .. } = &step.action {
                    codes.extend(
                        exit.codes.iter().map(|&c| if c == 3010 && exit.on_3010 != On3010::Restart { 0 } else { c }),
                    );
                }
            });
        }
        let [ret_code, succeeded, name] = LAST_ACTION_VARIABLES;
        for (variable, values) in [
            (ret_code, codes.iter().map(ToString::to_string).collect()),
            (succeeded, BTreeSet::from(["true".to_owned(), "false".to_owned()])),
            (name, names),
        ] {
            setters.push(Setter { variable: variable.to_owned(), values });
        }
        for class in &scenario.fleet.classes {
            for (variable, value) in &class.variables {
                setters.push(Setter { variable: variable.clone(), values: BTreeSet::from([value.clone()]) });
            }
        }
        if let Some(inventory) = scenario.windows.inventory() {
            for (column, variable) in inventory.variables.iter().enumerate() {
                let distinct: BTreeSet<&str> =
                    (0..inventory.len()).filter_map(|server| inventory.value(server, column)).collect();
                let values: BTreeSet<String> = distinct.into_iter().map(str::to_owned).collect();
                setters.push(Setter { variable: variable.clone(), values });
            }
        }
        for node in &scenario.steps {
            node.walk(0, &mut |n, _| {
                let NodeKind::Step(step) = &n.kind else { return };
                let exit: Option<&ExitBehaviour> = match &step.action {
                    Action::SetVariable { variable, value } => {
                        setters.push(Setter { variable: variable.clone(), values: BTreeSet::from([value.clone()]) });
                        None
                    }
                    Action::Command { exit, .. } | Action::InstallSoftware { exit, .. } => Some(exit),
                    _ => None,
                };
                if let Some(ExitBehaviour { on_3010: On3010::Set(variable), .. }) = exit {
                    setters.push(Setter { variable: variable.clone(), values: BTreeSet::from(["true".to_owned()]) });
                }
            });
        }
        let folded = setters.iter().map(|s| s.values.iter().map(|v| fold(v)).collect()).collect();
        Self { setters, folded }
    }

    /// The sources of a variable (names compare ignoring case).
    fn of_variable<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Setter> + 's {
        self.setters.iter().filter(move |s| same(&s.variable, name))
    }

    /// Whether a source of `name` sets it to a value whose folded text is `folded`.
    fn sets_folded(&self, name: &str, folded: &str) -> bool {
        self.setters.iter().zip(&self.folded).any(|(s, f)| same(&s.variable, name) && f.contains(folded))
    }

    /// The known variable closest to a name nothing sets, if one is close enough to be a typo.
    fn closest(&self, name: &str) -> Option<&str> {
        let mut names: Vec<&str> = Vec::new();
        for s in &self.setters {
            if !names.iter().any(|n| same(n, &s.variable)) {
                names.push(&s.variable);
            }
        }
        closest(name, &names)
    }
}

/// The warnings about one condition, in the order of its variables and comparisons.
fn condition_messages(condition: &Condition, known: &Variables) -> Vec<String> {
    let mut out = Vec::new();
    let mut unset: Vec<String> = Vec::new();
    for variable in condition.variables() {
        if known.of_variable(variable).next().is_none() {
            let mut message = if super::engine::is_read_only(variable) {
                format!(
                    "nothing sets variable \"{variable}\" (a read-only variable of the engine that patchsim does not know for your servers: give its value in [engine] variables): it is unset on every server"
                )
            } else {
                format!(
                    "nothing sets variable \"{variable}\" (no class variable, inventory column, set_variable step or on_3010 wrapper): it is unset on every server"
                )
            };
            if let Some(best) = known.closest(variable) {
                message.push_str(&format!(" (did you mean \"{best}\"?)"));
            }
            out.push(message);
            unset.push(fold(variable));
        }
    }
    let mut comparisons = Vec::new();
    equalities(condition, &mut comparisons);
    for (test, variable, value, equal) in comparisons {
        if unset.contains(&fold(variable)) {
            continue;
        }
        let setters: Vec<&Setter> = known.of_variable(variable).collect();
        // Values compare ignoring case, as the engine compares them.
        let folded_value = fold(value);
        if known.sets_folded(variable, &folded_value) {
            continue;
        }
        let verdict = if equal { "never holds" } else { "always holds" };
        let all: BTreeSet<&str> = setters.iter().flat_map(|s| s.values.iter().map(String::as_str)).collect();
        let mut listed: Vec<String> = all.iter().take(6).map(|v| format!("'{v}'")).collect();
        if all.len() > 6 {
            listed.push(format!("… ({} values)", all.len()));
        }
        out.push(format!(
            "{test} {verdict}: nothing sets {variable} to '{value}' (it is set to {})",
            listed.join(", ")
        ));
    }
    out
}

/// The `==` and `!=` tests of a condition: (the test as written, variable, value, is `==`).
fn equalities<'c>(condition: &'c Condition, out: &mut Vec<(String, &'c str, &'c str, bool)>) {
    match condition {
        Condition::Equals(n, v) => out.push((condition.to_string(), n, v, true)),
        Condition::NotEquals(n, v) => out.push((condition.to_string(), n, v, false)),
        Condition::And(parts) | Condition::Or(parts) => parts.iter().for_each(|p| equalities(p, out)),
        Condition::Not(a) => equalities(a, out),
        Condition::Exists(_) | Condition::Compare(..) | Condition::Like(..) | Condition::Probe(_) => {}
    }
}

/// The warning about the maximum run time, when it keeps most runs from starting: a run starts
/// only if the whole maximum run time fits in what is left of its window after the start delay.
fn max_run_time_message(scenario: &Scenario) -> Option<String> {
    let max_run_time = scenario.deployment.max_run_time;
    if max_run_time == 0 || !scenario.deployment.in_maintenance_windows() {
        return None;
    }
    let length = scenario.windows.length;
    let (mrt, window) = (DurationDisplay(max_run_time), DurationDisplay(length));
    if max_run_time > length {
        return Some(format!(
            "the maximum run time {mrt} is longer than the {window} windows: no run can start (a run starts only when the whole maximum run time fits in what is left of its window); make it shorter than the window, or \"0s\" for no start check"
        ));
    }
    let slack = length - max_run_time;
    let blocked = share_later_than(&scenario.deployment.start_delay, slack);
    if blocked <= 0.5 {
        return None;
    }
    Some(format!(
        "the maximum run time {mrt} leaves {} of each {window} window for a run to start in, and the start delay is longer than that for {:.0}% of the runs: they never start (outcome not_started); shorten the maximum run time, or write \"0s\" for no start check",
        DurationDisplay(slack),
        blocked * 100.0
    ))
}

/// The share of start delays longer than `slack`: exact for a fixed delay, else estimated from
/// [`DELAY_DRAWS`] draws of a stream of its own (the same every time).
fn share_later_than(delay: &DurationDist, slack: Millis) -> f64 {
    if let DurationDist::Fixed(d) = delay {
        return if *d > slack { 1.0 } else { 0.0 };
    }
    let stream = Stream::from_key(0x5741_524e_494e_4753); // "WARNINGS"
    let later = (0..DELAY_DRAWS).filter(|i| delay.sample(&mut stream.draw(*i)) > slack).count();
    later as f64 / DELAY_DRAWS as f64
}
