//! The task sequence as the scenario writes it: steps and groups (`[[step]]`, `[[step.steps]]`).

use std::fmt;

use super::condition::Condition;
use super::count::{CountDist, Items};
use super::distribution::DurationDist;
use super::duration::{DurationDisplay, MINUTE, Millis};
use super::fleet::Fleet;
use super::message_counts::MAX_MESSAGES_PER_EVENT;
use super::name::{self, TextKind};
use super::reader::{ReadResult, Table, Value};
use super::resource::{Activity, Download, Resource, ResourceId, SizeDist, Uses, resolve};

/// The step types a scenario may use.
pub const STEP_TYPES: &[&str] = &["sleep", "command", "install_updates", "install_software", "restart", "set_variable"];

/// The longest step time-out the console allows.
pub const MAX_TIMEOUT: Millis = 999 * MINUTE;

/// Restart Computer's "Message display time-out": "The default is 60 seconds"
/// (`osd/understand/task-sequence-steps.md`).
pub const DEFAULT_NOTIFY: Millis = 60 * super::duration::SECOND;

/// The longest restart notification a scenario takes.
const MAX_NOTIFY: Millis = 24 * 60 * MINUTE;

/// Exit code that asks for a restart.
pub const EXIT_RESTART_REQUIRED: i64 = 3010;

/// A step or a group of the task sequence.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The step's `name` or the group's `group`.
    pub name: String,
    /// Run only when this holds (evaluated just before the node runs).
    pub condition: Option<Condition>,
    /// On failure, go on with the next sibling instead of failing the parent.
    pub continue_on_error: bool,
    /// Skipped without evaluating anything.
    pub disabled: bool,
    /// Probability that each `probe` of the condition holds (default 1).
    pub probe_holds: f64,
    /// What the node is.
    pub kind: NodeKind,
}

/// A group or a step.
// A step is much larger than a group's list since format 1.1 (its uses and download): nodes are
// read once and compiled into a `sequence::Program` before anything runs, so their size does not
// matter, and boxing steps would change every match on them.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A group of steps and groups.
    Group(Vec<Node>),
    /// A step.
    Step(Step),
}

/// A step: its action and how many messages its completion sends.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Messages sent on completion, overriding `step_succeeded`/`step_failed`.
    pub messages: Option<u32>,
    /// What the step does.
    pub action: Action,
    /// The resources its activities run on (format 1.1; none by default).
    pub uses: Uses,
    /// The content an `install_updates` or `install_software` step fetches (with `uses.download`).
    pub download: Option<Download>,
    /// `install_software`: when an item fails, go on with the others ("Continue installing other
    /// applications in the list if an application installation fails"); `None`: as
    /// `continue_on_error` says.
    pub continue_list: Option<bool>,
}

/// What a step does.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Waits (the random sleep); always succeeds.
    Sleep {
        /// How long.
        duration: DurationDist,
    },
    /// A command line or owner script.
    Command {
        /// How long it runs.
        duration: DurationDist,
        /// Its exit codes and what they mean.
        exit: ExitBehaviour,
    },
    /// Install Software Updates.
    InstallUpdates(UpdateSettings),
    /// One install per item, each as its own step would be.
    InstallSoftware {
        /// How many items.
        items: Items,
        /// How long each install takes.
        per_item: DurationDist,
        /// Each item's exit codes and what they mean.
        exit: ExitBehaviour,
    },
    /// Restart Computer.
    Restart {
        /// Restart duration, overriding the class's and `[restart].duration`.
        duration: Option<DurationDist>,
        /// How long the engine shows its restart notification before restarting ("Message
        /// display time-out", default 60 seconds).
        notify: Millis,
    },
    /// Sets a task-sequence variable.
    SetVariable {
        /// The variable.
        variable: String,
        /// Its new value.
        value: String,
    },
}

/// Settings of an Install Software Updates step.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateSettings {
    /// How many updates apply.
    pub items: Items,
    /// How long the scan takes (default `0s`).
    pub scan: DurationDist,
    /// How long each update takes to install.
    pub per_item: DurationDist,
    /// Share of installed updates that ask for a restart (default 0).
    pub restart_share: f64,
    /// Share of updates that fail to install (default 0).
    pub failure: f64,
    /// Restart first when a restart is already pending (default false).
    pub restart_if_pending: bool,
    /// The scan reads the run's previous scan results and uses no resource (default false; the
    /// first update step that runs always scans in full).
    pub scan_cached: bool,
    /// A scan that takes longer fails the step (`SMSTSSoftwareUpdateScanTimeout`, default 60
    /// minutes).
    pub scan_timeout: Millis,
    /// An update whose install is longer fails the step ("Total install inactive timeout: Eight
    /// hours", default 8 hours).
    pub install_timeout: Millis,
    /// After the step's own restart the engine runs the step again: this scan (default: `scan`).
    pub rescan: DurationDist,
    /// Updates that apply only after that restart, installed before the step completes
    /// (default 0).
    pub after_restart: CountDist,
    /// Share of installed updates that restart the computer by themselves (default 0): the engine
    /// then runs the step again, up to `retries` times, and fails it after that.
    pub unexpected_restart: f64,
    /// "Retry this step if computer unexpectedly restarts": 1 to 5 (default 2); 0 with the
    /// setting cleared.
    pub retries: u32,
    /// Share of installed updates that need more than one restart (default 0): the step fails
    /// (a task sequence that deploys no OS cannot wait for the second restart).
    pub multi_restart: f64,
    /// `All` software updates rather than only the required (`Mandatory`, the default).
    pub all: bool,
    /// With `target = "all"`: the optional updates that also apply, installed after the required
    /// ones (default 0).
    pub optional: CountDist,
}

/// The most "retry this step if computer unexpectedly restarts" retries the console allows.
pub const MAX_UPDATE_RETRIES: i64 = 5;

/// Exit codes of a command or software install and what they mean.
#[derive(Debug, Clone, PartialEq)]
pub struct ExitBehaviour {
    /// Possible exit codes, ascending, with cumulative probabilities.
    pub codes: Vec<i64>,
    /// Cumulative probabilities for `codes`, the last exactly 1.
    pub cumulative: Vec<f64>,
    /// Codes that mean success (default `[0, 3010]`).
    pub success_codes: Vec<i64>,
    /// What exit code 3010 does.
    pub on_3010: On3010,
    /// Kill the step (it fails) if it runs longer than this.
    pub timeout: Option<Millis>,
}

/// What happens when a step exits with 3010.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum On3010 {
    /// The engine restarts the computer right after the step, then goes on.
    Restart,
    /// A wrapper sets this variable to `"true"` and returns 0: no restart.
    Set(String),
}

impl Default for ExitBehaviour {
    fn default() -> Self {
        Self {
            codes: vec![0],
            cumulative: vec![1.0],
            success_codes: vec![0, EXIT_RESTART_REQUIRED],
            on_3010: On3010::Restart,
            timeout: None,
        }
    }
}

impl ExitBehaviour {
    /// The probability of each exit code, ascending by code.
    pub fn probabilities(&self) -> Vec<(i64, f64)> {
        self.codes.iter().copied().zip(super::distribution::probabilities(&self.cumulative)).collect()
    }

    /// The exit codes as an inline TOML table a scenario accepts, e.g. `{ 0 = 0.97, 1 = 0.03 }`.
    pub fn exit_codes_toml(&self) -> String {
        let pairs: Vec<String> = self
            .probabilities()
            .iter()
            .map(|(code, p)| format!("{code} = {:?}", super::distribution::tidy(*p)))
            .collect();
        format!("{{ {} }}", pairs.join(", "))
    }

    /// Reads `exit_codes`, `success_codes`, `on_3010` and `timeout` from a step's table (each
    /// optional).
    pub fn read(t: &Table<'_, '_>) -> ReadResult<Self> {
        let mut exit = Self::default();
        if let Some(v) = t.get("exit_codes") {
            let table = v.named_table("a table of exit codes and probabilities, e.g. { 0 = 0.98, 1 = 0.02 }")?;
            let mut pairs: Vec<(i64, f64)> = Vec::new();
            for (key, span, pv) in table.entries() {
                let code: i64 = key
                    .trim()
                    .parse()
                    .map_err(|_| table.error_at(&span, key, format!("exit code \"{key}\" is not an integer")))?;
                if !(-(1i64 << 31)..(1i64 << 32)).contains(&code) {
                    return Err(table.error_at(&span, key, format!("exit code {code} is outside the 32-bit range")));
                }
                if pairs.iter().any(|(c, _)| *c == code) {
                    return Err(table.error_at(&span, key, format!("exit code {code} is listed twice")));
                }
                pairs.push((code, pv.probability()?));
            }
            if pairs.is_empty() {
                return Err(v.error("needs at least one exit code"));
            }
            let total: f64 = pairs.iter().map(|(_, p)| p).sum();
            if (total - 1.0).abs() > 1e-9 {
                return Err(
                    v.error(format!("exit-code probabilities add up to {}, not 1", super::distribution::tidy(total)))
                );
            }
            pairs.sort_by_key(|(c, _)| *c);
            exit.codes = pairs.iter().map(|(c, _)| *c).collect();
            let weights: Vec<f64> = pairs.iter().map(|(_, p)| *p).collect();
            exit.cumulative = super::distribution::cumulate(&weights, total);
        }
        if let Some(v) = t.get("success_codes") {
            let mut codes = Vec::new();
            for item in v.array()? {
                codes.push(item.i64()?);
            }
            if codes.is_empty() {
                return Err(v.error("needs at least one success code (the console's default is [0, 3010])"));
            }
            exit.success_codes = codes;
        }
        if let Some(v) = t.get("on_3010") {
            exit.on_3010 = if v.is_table() {
                let ot = v.table(&["set"])?;
                let var_v = ot.req("set")?;
                let var = var_v.str()?.trim();
                if var.is_empty() {
                    return Err(var_v.error("the wrapper's variable name is empty: name the variable it sets, e.g. { set = \"RebootRequired\" }"));
                }
                var_v.checked(var, TextKind::Name)?;
                if super::engine::is_read_only(var) {
                    return Err(var_v.error(super::fleet::read_only_message(var)));
                }
                On3010::Set(var.to_owned())
            } else {
                match v.str()? {
                    "restart" => On3010::Restart,
                    other => {
                        return Err(v.error(format!(
                            "unknown on_3010 \"{other}\"; use \"restart\" or {{ set = \"Variable\" }} for a wrapper"
                        )));
                    }
                }
            };
        }
        if let Some(v) = t.get("timeout") {
            let timeout = v.duration()?;
            if timeout == 0 {
                return Err(v.error("a time-out of 0s would kill the step at once; leave `timeout` out for none"));
            }
            if timeout > MAX_TIMEOUT {
                return Err(v.error(format!(
                    "a step time-out is 1 to 999 minutes in the console, found {}",
                    DurationDisplay(timeout)
                )));
            }
            exit.timeout = Some(timeout);
        }
        Ok(exit)
    }
}

const COMMON_STEP_KEYS: &[&str] =
    &["name", "type", "condition", "probe_holds", "continue_on_error", "disabled", "messages", "uses"];
// `uses` is read only to say that a group has no activity of its own.
const GROUP_KEYS: &[&str] = &["group", "steps", "condition", "probe_holds", "continue_on_error", "disabled", "uses"];

/// What reading a step needs from the rest of the scenario: the fleet's named counts and the
/// declared resources.
#[derive(Clone, Copy)]
struct Context<'s> {
    fleet: &'s Fleet,
    resources: &'s [Resource],
}

/// The deepest groups may nest: a step inside 64 groups inside each other is the most a scenario
/// holds. (TOML readers stop near 80 levels of tables; the console's own sequences rarely pass
/// five.) Deeper sequences are refused at the group that goes too deep.
pub const MAX_GROUP_DEPTH: usize = 64;

/// Reads the list of steps at `value` (`step` or a group's `steps`); `uses` names resources
/// among `resources`.
pub fn read_steps(value: &Value<'_, '_>, fleet: &Fleet, resources: &[Resource]) -> ReadResult<Vec<Node>> {
    read_steps_at(value, Context { fleet, resources }, 0)
}

/// Reads the steps of a list inside `depth` groups.
fn read_steps_at(value: &Value<'_, '_>, cx: Context<'_>, depth: usize) -> ReadResult<Vec<Node>> {
    let items = value.array().map_err(|_| value.error("write steps as [[step]] tables"))?;
    items.iter().map(|item| read_node(item, cx, depth)).collect()
}

fn read_node(value: &Value<'_, '_>, cx: Context<'_>, depth: usize) -> ReadResult<Node> {
    let any = value.named_table("a step table with `name` and `type`, or a group with `group` and `steps`")?;
    let is_group = any.get("group").is_some();
    if is_group {
        let t = value.table(GROUP_KEYS)?;
        if depth >= MAX_GROUP_DEPTH {
            return Err(t.req("group")?.error(format!(
                "groups nest more than {MAX_GROUP_DEPTH} deep here; a scenario holds at most {MAX_GROUP_DEPTH} groups inside each other"
            )));
        }
        let name = t.req("group")?.name()?.to_owned();
        if let Some(v) = t.get("uses") {
            return Err(v.error(
                "a group has no activity of its own to run on a resource: write `uses` on the steps inside it",
            ));
        }
        let flags = read_flags(&t)?;
        let steps = match t.get("steps") {
            Some(v) => read_steps_at(&v, cx, depth + 1)?,
            None => Vec::new(),
        };
        return Ok(flags.node(name, NodeKind::Group(steps)));
    }
    if any.get("steps").is_some() {
        return Err(any.key_error("group", "a table with `steps` is a group and needs `group = \"its name\"`"));
    }
    read_step(value, &any, cx)
}

/// Reads a step (not a group). Kept out of [`read_node`], which recurses once per group level:
/// a step's many locals would otherwise sit in every level's stack frame, and sequences nest 64
/// groups deep on the 2 MiB stack of a test thread.
#[inline(never)]
fn read_step(value: &Value<'_, '_>, any: &Table<'_, '_>, cx: Context<'_>) -> ReadResult<Node> {
    let fleet = cx.fleet;
    let type_v = any.req("type")?;
    let type_name = type_v.str()?;
    let own: &[&str] = match type_name {
        "sleep" => &["duration"],
        "command" => &["duration", "exit_codes", "success_codes", "on_3010", "timeout"],
        "install_updates" => &[
            "items",
            "scan",
            "per_item",
            "restart_share",
            "failure",
            "restart_if_pending",
            "download",
            "scan_cached",
            "scan_timeout",
            "install_timeout",
            "rescan",
            "after_restart",
            "unexpected_restart",
            "retries",
            "multi_restart",
            "target",
            "optional",
        ],
        "install_software" => {
            &["items", "per_item", "exit_codes", "success_codes", "on_3010", "timeout", "download", "continue_list"]
        }
        "restart" => &["duration", "notify"],
        "set_variable" => &["variable", "value"],
        other => {
            return Err(
                type_v.error(format!("unknown step type \"{other}\"; expected one of: {}", STEP_TYPES.join(", ")))
            );
        }
    };
    for (key, applies) in [
        ("download", "install_updates and install_software steps"),
        ("scan_cached", "install_updates steps"),
        ("continue_list", "install_software steps (a list of installs)"),
    ] {
        if !own.contains(&key)
            && any.get(key).is_some()
            && let Some((_, span, _)) = any.entries().into_iter().find(|(k, _, _)| *k == key)
        {
            return Err(any.error_at(
                &span,
                key,
                format!("`{key}` applies to {applies}; this is {} step", a(type_name)),
            ));
        }
    }
    let allowed: Vec<&str> = COMMON_STEP_KEYS.iter().chain(own).copied().collect();
    let t = value.table(&allowed)?;
    let name = t.req("name")?.name()?.to_owned();
    let flags = read_flags(&t)?;
    let messages = t.get("messages").map(|v| v.integer_in(0, MAX_MESSAGES_PER_EVENT)).transpose()?.map(|m| m as u32);
    let action = match type_name {
        "sleep" => Action::Sleep { duration: DurationDist::read(&t.req("duration")?)? },
        "command" => {
            Action::Command { duration: DurationDist::read(&t.req("duration")?)?, exit: ExitBehaviour::read(&t)? }
        }
        "install_updates" => Action::InstallUpdates(read_updates(&t, fleet)?),
        "install_software" => Action::InstallSoftware {
            items: read_items(&t.req("items")?, fleet)?,
            per_item: DurationDist::read(&t.req("per_item")?)?,
            exit: ExitBehaviour::read(&t)?,
        },
        "restart" => Action::Restart {
            duration: t.get("duration").map(|v| DurationDist::read(&v)).transpose()?,
            notify: match t.get("notify") {
                None => DEFAULT_NOTIFY,
                Some(v) => {
                    let notify = v.duration()?;
                    if notify > MAX_NOTIFY {
                        return Err(v.error(format!(
                            "the restart notification shows for at most 24h, found {}",
                            DurationDisplay(notify)
                        )));
                    }
                    notify
                }
            },
        },
        _ => {
            let var_v = t.req("variable")?;
            let variable = var_v.str()?.trim().to_owned();
            if variable.is_empty() {
                return Err(var_v.error("the variable name is empty"));
            }
            var_v.checked(&variable, TextKind::Name)?;
            if super::engine::is_read_only(&variable) {
                return Err(var_v.error(super::fleet::read_only_message(&variable)));
            }
            let value = t.req("value")?.text(TextKind::Value)?.to_owned();
            Action::SetVariable { variable, value }
        }
    };
    let uses = read_uses(&t, type_name, cx.resources)?;
    let download = read_download(&t, &uses)?;
    let continue_list = t.get("continue_list").map(|v| v.bool()).transpose()?;
    Ok(flags.node(name, NodeKind::Step(Step { messages, action, uses, download, continue_list })))
}

/// Reads an Install Software Updates step's settings.
fn read_updates(t: &Table<'_, '_>, fleet: &Fleet) -> ReadResult<UpdateSettings> {
    let scan = t.get("scan").map(|v| DurationDist::read(&v)).transpose()?.unwrap_or(DurationDist::Fixed(0));
    let time_out = |key: &str, default: Millis| -> ReadResult<Millis> {
        let Some(v) = t.get(key) else { return Ok(default) };
        let d = v.duration()?;
        if d == 0 || d > MAX_UPDATE_TIMEOUT {
            return Err(v.error(format!("a time-out of more than 0s and at most 24h, found {}", DurationDisplay(d))));
        }
        Ok(d)
    };
    let count =
        |key: &str| t.get(key).map(|v| CountDist::read(&v)).transpose().map(|c| c.unwrap_or(CountDist::Fixed(0)));
    let all = match t.get("target") {
        None => false,
        Some(v) => match v.str()? {
            "mandatory" => false,
            "all" => true,
            other => {
                return Err(v.error(format!(
                    "unknown target \"{other}\"; use \"mandatory\" (required updates, the console's default) or \"all\""
                )));
            }
        },
    };
    if !all && let Some(v) = t.get("optional") {
        return Err(v.error("`optional` updates install only with target = \"all\""));
    }
    Ok(UpdateSettings {
        items: read_items(&t.req("items")?, fleet)?,
        rescan: t.get("rescan").map(|v| DurationDist::read(&v)).transpose()?.unwrap_or_else(|| scan.clone()),
        scan,
        per_item: DurationDist::read(&t.req("per_item")?)?,
        restart_share: t.get("restart_share").map_or(Ok(0.0), |v| v.probability())?,
        failure: t.get("failure").map_or(Ok(0.0), |v| v.probability())?,
        restart_if_pending: t.get("restart_if_pending").map_or(Ok(false), |v| v.bool())?,
        scan_cached: t.get("scan_cached").map_or(Ok(false), |v| v.bool())?,
        scan_timeout: time_out("scan_timeout", DEFAULT_SCAN_TIMEOUT)?,
        install_timeout: time_out("install_timeout", DEFAULT_INSTALL_TIMEOUT)?,
        after_restart: count("after_restart")?,
        unexpected_restart: t.get("unexpected_restart").map_or(Ok(0.0), |v| v.probability())?,
        retries: t.get("retries").map_or(Ok(2), |v| v.integer_in(0, MAX_UPDATE_RETRIES))? as u32,
        multi_restart: t.get("multi_restart").map_or(Ok(0.0), |v| v.probability())?,
        all,
        optional: count("optional")?,
    })
}

/// `SMSTSSoftwareUpdateScanTimeout`: "The default value is 3600 seconds (60 minutes)".
pub const DEFAULT_SCAN_TIMEOUT: Millis = 60 * MINUTE;
/// "Total install inactive timeout: Eight hours".
pub const DEFAULT_INSTALL_TIMEOUT: Millis = 8 * 60 * MINUTE;
/// The longest update-step time-out a scenario takes.
const MAX_UPDATE_TIMEOUT: Millis = 24 * 60 * MINUTE;

/// A step type with its article: `a command`, `an install_updates`.
fn a(type_name: &str) -> String {
    let article = if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    format!("{article} {type_name}")
}

/// Reads a step's `uses`: the resource each of its activities runs on (none by default).
fn read_uses(t: &Table<'_, '_>, type_name: &str, resources: &[Resource]) -> ReadResult<Uses> {
    let mut uses = Uses::default();
    let Some(v) = t.get("uses") else {
        return Ok(uses);
    };
    let activities = Activity::of_step_type(type_name);
    if activities.is_empty() {
        return Err(v.error(format!(
            "{} step has no activity that runs on a resource: `uses` applies to command, install_updates, install_software and restart steps",
            a(type_name)
        )));
    }
    let keys: Vec<&str> = activities.iter().map(|a| a.key()).collect();
    if !v.is_table() {
        return Err(v.error(format!(
            "expected a table naming the resource of each activity, e.g. uses = {{ {} = \"NAME\" }}, found {}",
            keys[0],
            v.type_name()
        )));
    }
    let ut = v.table(Activity::KEYS)?;
    for (key, span, av) in ut.entries() {
        let Some(activity) = Activity::from_key(key).filter(|a| activities.contains(a)) else {
            let list = match keys.as_slice() {
                [one] => format!("its one activity is `{one}`"),
                [rest @ .., last] => format!("its activities are `{}` and `{last}`", rest.join("`, `")),
                [] => String::new(),
            };
            return Err(ut.error_at(&span, key, format!("{} step has no `{key}`: {list}", a(type_name))));
        };
        let id: Option<ResourceId> = Some(resolve(&av, resources, activity)?);
        match activity {
            Activity::Run => uses.run = id,
            Activity::Scan => uses.scan = id,
            Activity::Download => uses.download = id,
            Activity::Install => uses.install = id,
            Activity::Restart => uses.restart = id,
        }
    }
    Ok(uses)
}

/// Reads a step's `download = { size, cached }`, which goes with `uses.download`.
fn read_download(t: &Table<'_, '_>, uses: &Uses) -> ReadResult<Option<Download>> {
    let download = match t.get("download") {
        None => None,
        Some(v) => {
            let dt = v.table(&["size", "cached"])?;
            let size = SizeDist::read(&dt.req("size")?)?;
            let cached = dt.get("cached").map_or(Ok(0.0), |c| c.probability())?;
            if uses.download.is_none() {
                return Err(v.error(
                    "the step downloads content, so it needs a resource to fetch it from: name one in `uses`, e.g. uses = { download = \"dp\" } (a shared resource with a rate capacity)",
                ));
            }
            Some(Download { size, cached })
        }
    };
    if download.is_none()
        && uses.download.is_some()
        && let Some(v) = t.find("uses.download")
    {
        return Err(v.error(
            "names a resource for the download, but the step says nothing to fetch: add download = { size = \"650MB\" } (each item's content size, and `cached`, the share already on the client)",
        ));
    }
    Ok(download)
}

/// What steps and groups share: condition, probes, continue on error, disabled.
struct Flags {
    condition: Option<Condition>,
    probe_holds: f64,
    continue_on_error: bool,
    disabled: bool,
}

impl Flags {
    fn node(self, name: String, kind: NodeKind) -> Node {
        let Self { condition, probe_holds, continue_on_error, disabled } = self;
        Node { name, condition, continue_on_error, disabled, probe_holds, kind }
    }
}

fn read_flags(t: &Table<'_, '_>) -> ReadResult<Flags> {
    let condition = match t.get("condition") {
        None => None,
        Some(v) => {
            let text = v.text(TextKind::Condition)?;
            let condition = Condition::parse(text).map_err(|e| {
                v.error_in_string(
                    e.offset,
                    format!(
                        "condition \"{}\": {} (at character {})",
                        crate::scenario::condition::excerpt(text, e.offset),
                        e.message,
                        e.offset + 1
                    ),
                )
            })?;
            for variable in condition.variables() {
                name::check_name(variable).map_err(|e| {
                    v.error(format!(
                        "condition \"{}\": the variable name {}",
                        crate::input::text::shown(text),
                        e.message
                    ))
                })?;
            }
            for value in condition.values() {
                name::check(value, TextKind::Value).map_err(|e| {
                    v.error(format!(
                        "condition \"{}\": the value '{}' {}",
                        crate::input::text::shown(text),
                        crate::input::text::shown(value),
                        e.message
                    ))
                })?;
            }
            Some(condition)
        }
    };
    let probe_holds = match t.get("probe_holds") {
        None => 1.0,
        Some(v) => {
            let p = v.probability()?;
            if condition.as_ref().is_none_or(|c| c.probes() == 0) {
                return Err(v.error(
                    "has no effect: the condition has no `probe` (a test patchsim cannot run, such as a WMI query)",
                ));
            }
            p
        }
    };
    let continue_on_error = t.get("continue_on_error").map_or(Ok(false), |v| v.bool())?;
    let disabled = t.get("disabled").map_or(Ok(false), |v| v.bool())?;
    Ok(Flags { condition, probe_holds, continue_on_error, disabled })
}

fn read_items(value: &Value<'_, '_>, fleet: &Fleet) -> ReadResult<Items> {
    if let Ok(name) = value.str() {
        return match fleet.count_index(name) {
            Some(index) => Ok(Items::Named { index, name: name.to_owned() }),
            None => {
                let known: Vec<&str> = fleet.counts.iter().map(|c| c.name.as_str()).collect();
                Err(value.error(if known.is_empty() {
                    format!("unknown count \"{name}\": [fleet.counts] defines none")
                } else {
                    format!("unknown count \"{name}\"; [fleet.counts] defines: {}", known.join(", "))
                }))
            }
        };
    }
    Ok(Items::Dist(CountDist::read(value)?))
}

impl Node {
    /// Visits this node and every node below it, depth first, in sequence order.
    pub fn walk<'a>(&'a self, depth: usize, f: &mut impl FnMut(&'a Node, usize)) {
        f(self, depth);
        if let NodeKind::Group(children) = &self.kind {
            for child in children {
                child.walk(depth + 1, f);
            }
        }
    }

    /// The step type's name, or `group`.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Group(_) => "group",
            NodeKind::Step(step) => match step.action {
                Action::Sleep { .. } => "sleep",
                Action::Command { .. } => "command",
                Action::InstallUpdates(_) => "install_updates",
                Action::InstallSoftware { .. } => "install_software",
                Action::Restart { .. } => "restart",
                Action::SetVariable { .. } => "set_variable",
            },
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sleep { duration } => write!(f, "sleep {duration}"),
            Self::Command { duration, exit } => write!(f, "command {duration}{exit}"),
            Self::InstallUpdates(u) => {
                write!(f, "install_updates items {}, scan {}, each {}", u.items, u.scan, u.per_item)?;
                if u.restart_share > 0.0 {
                    write!(f, ", {}% ask a restart", u.restart_share * 100.0)?;
                }
                if u.failure > 0.0 {
                    write!(f, ", {}% fail", u.failure * 100.0)?;
                }
                if u.restart_if_pending {
                    f.write_str(", restart first if pending")?;
                }
                Ok(())
            }
            Self::InstallSoftware { items, per_item, exit } => {
                write!(f, "install_software items {items}, each {per_item}{exit}")
            }
            Self::Restart { duration, notify } => {
                f.write_str("restart")?;
                if let Some(d) = duration {
                    write!(f, " ({d})")?;
                }
                if *notify != DEFAULT_NOTIFY {
                    write!(f, ", notified {}", DurationDisplay(*notify))?;
                }
                Ok(())
            }
            Self::SetVariable { variable, value } => write!(f, "set {variable} = '{value}'"),
        }
    }
}

impl fmt::Display for ExitBehaviour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.codes != [0] {
            f.write_str(", exit ")?;
            for (i, (code, p)) in self.probabilities().iter().enumerate() {
                if i > 0 {
                    f.write_str("/")?;
                }
                write!(f, "{code}:{}%", (p * 1000.0).round() / 10.0)?;
            }
        }
        if let On3010::Set(var) = &self.on_3010 {
            write!(f, ", 3010 wrapped → {var}")?;
        }
        if let Some(t) = self.timeout {
            write!(f, ", time-out {}", DurationDisplay(t))?;
        }
        Ok(())
    }
}
