//! Reading a scenario file: bytes → text → TOML document → checked [`Scenario`].

use std::path::Path;

use toml::de::DeTable;

use super::distribution::DurationDist;
use super::duration::{DurationDisplay, MAX_DURATION};
use super::engine::EngineSettings;
use super::fleet::Fleet;
use super::infrastructure::Infrastructure;
use super::message_counts::MessageCounts;
use super::month::Month;
use super::name::TextKind;
use super::overrides::{self, Override};
use super::reader::{ReadResult, Source, Table};
use super::resource::{Activity, read_resources, resolve};
use super::step::{MAX_GROUP_DEPTH, read_steps};
use super::windows::Windows;
use super::{Deployment, Rerun, RestartSettings, RestartsByCause, RunSettings, Scenario};
use crate::input::InputError;
use crate::input::{FileSource, InputFile, decode_text};

/// The longest `[restart] client_timeout`.
const MAX_CLIENT_TIMEOUT: super::Millis = 24 * 60 * super::duration::MINUTE;

/// The most replications a run may ask for.
pub const MAX_REPLICATIONS: i64 = 10_000_000;

/// The largest scenario file read (16 MiB): a sequence of ten thousand steps is about 2 MB, and
/// the bound keeps a wrong or hostile file from taking gigabytes to parse.
pub const MAX_SCENARIO_BYTES: usize = 16 << 20;

const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "run",
    "fleet",
    "windows",
    "month",
    "deployment",
    "restart",
    "engine",
    "infrastructure",
    "messages",
    "resource",
    "step",
];

impl Scenario {
    /// Reads and checks a scenario file.
    pub fn load(path: &Path) -> Result<Self, InputError> {
        Self::load_with(path, &[]).map(|(scenario, _)| scenario)
    }

    /// Reads a scenario file, applies `--set` overrides, and checks the result; also returns the
    /// file's text.
    pub fn load_with(path: &Path, overrides: &[Override]) -> Result<(Self, String), InputError> {
        let shown = path.display().to_string();
        // UTF-16 takes up to twice the bytes of the text, which is bounded once decoded.
        let max_bytes = 2 * MAX_SCENARIO_BYTES as u64 + 2;
        let file = InputFile { shown: &shown, what: "scenario", kind: "a scenario file", max_bytes };
        let bytes = file.read(path)?;
        let text = decode_text(&bytes, "scenario TOML").map_err(|m| InputError::file(&shown, m))?;
        let scenario = Self::from_toml_with(&text, &shown, overrides)?;
        Ok((scenario, text.into_owned()))
    }

    /// Reads and checks a scenario from TOML text; `file` names it in errors.
    pub fn from_toml(text: &str, file: &str) -> Result<Self, InputError> {
        Self::from_toml_with(text, file, &[])
    }

    /// Reads a scenario from TOML text, applies `--set` overrides, and checks the result; the
    /// files it names (an inventory) are read from disk, beside `file`.
    pub fn from_toml_with(text: &str, file: &str, overrides: &[Override]) -> Result<Self, InputError> {
        Self::from_toml_reading(text, file, overrides, &FileSource::Disk)
    }

    /// Like [`Scenario::from_toml_with`], with the files the scenario names read from `files`.
    pub fn from_toml_reading(
        text: &str,
        file: &str,
        overrides: &[Override],
        files: &FileSource,
    ) -> Result<Self, InputError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.len() > MAX_SCENARIO_BYTES {
            return Err(InputError::file(
                file,
                format!(
                    "the file is {} bytes, more than a scenario can be ({} MiB); is it the right file?",
                    text.len(),
                    MAX_SCENARIO_BYTES >> 20
                ),
            ));
        }
        if text.trim().is_empty() {
            return Err(InputError::file(
                file,
                "the file is empty: a scenario needs at least `name`, [fleet], [windows] and one [[step]]",
            ));
        }
        let (combined, placed) = overrides::combine(text, overrides);
        let src = Source { file, text: &combined, overrides: &placed };
        let mut doc = DeTable::parse(&combined[..text.len()]).map_err(|e| {
            if e.message().contains("recursion") {
                let at = deepest_line(text);
                return src.error(&(at..at), "", format!(
                    "tables, arrays or groups nest deeper than a scenario may here: groups nest at most {MAX_GROUP_DEPTH} deep, and TOML readers stop near 80 levels of tables and arrays"
                ));
            }
            let span = e.span().unwrap_or(0..0);
            src.error(&span, "", format!("TOML syntax error: {}", e.message()))
        })?;
        for (o, at) in overrides.iter().zip(&placed) {
            let value = overrides::value(&combined, at);
            overrides::apply(doc.get_mut(), &o.key, value).map_err(|m| InputError::file(at.label.clone(), m))?;
        }
        let root = Table::root(src, &doc, TOP_KEYS)?;
        read_scenario(&root, files)
    }
}

/// The byte offset of the line that nests deepest: a table header with the most dotted parts,
/// or the most brackets and braces open (strings are not told apart: this only places an error
/// the TOML reader could not place).
fn deepest_line(text: &str) -> usize {
    let (mut best, mut best_at, mut open, mut offset) = (0usize, 0usize, 0usize, 0usize);
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let header = if trimmed.starts_with('[') && open == 0 {
            trimmed.split(']').next().map_or(0, |h| h.matches('.').count() + 1)
        } else {
            0
        };
        let mut deepest_here = open;
        for c in line.chars() {
            match c {
                '[' | '{' => {
                    open += 1;
                    deepest_here = deepest_here.max(open);
                }
                ']' | '}' => open = open.saturating_sub(1),
                _ => {}
            }
        }
        let depth = header.max(if header > 0 { 0 } else { deepest_here });
        if depth > best {
            (best, best_at) = (depth, offset + (line.len() - trimmed.len()));
        }
        offset += line.len();
    }
    best_at
}

fn read_scenario(root: &Table<'_, '_>, files: &FileSource) -> ReadResult<Scenario> {
    let name = root.req("name")?.name()?.to_owned();
    if name.contains(['/', '\\']) || name == "." || name == ".." {
        return Err(root.req("name")?.error("the name is also the report folder's name: no slashes"));
    }
    let description = root
        .get("description")
        .map(|v| v.text(TextKind::Description).map(str::to_owned))
        .transpose()?
        .unwrap_or_default();

    let run = match root.get("run") {
        None => RunSettings { seed: 1, replications: 100 },
        Some(v) => {
            let t = v.table(&["seed", "replications"])?;
            RunSettings {
                seed: t.get("seed").map_or(Ok(1), |v| v.integer_in(0, i64::MAX))? as u64,
                replications: t.get("replications").map_or(Ok(100), |v| v.integer_in(1, MAX_REPLICATIONS))? as u32,
            }
        }
    };

    let fleet_t = root.req("fleet")?.table(Fleet::KEYS)?;
    let mut fleet = Fleet::read(&fleet_t)?;
    let windows = Windows::read(&root.req("windows")?.table(Windows::KEYS)?, &fleet.classes, files)?;
    match (windows.inventory(), fleet_t.get("servers")) {
        (Some(inventory), Some(v)) if inventory.len() as u64 != fleet.servers => {
            return Err(v.error(format!(
                "says {} servers but the inventory {} lists {}; leave `servers` out to take the inventory's count",
                fleet.servers,
                inventory.file,
                inventory.len()
            )));
        }
        (Some(inventory), _) => fleet.servers = inventory.len() as u64,
        (None, None) => {
            return Err(fleet_t.key_error(
                "servers",
                "missing required key `servers` (how many servers?), or assign the windows from an inventory: [windows] assign = { inventory = \"servers.csv\" }",
            ));
        }
        (None, Some(_)) => {}
    }
    let month = match root.get("month") {
        None => Month::read(None, &windows)?,
        Some(v) => Month::read(Some(&v.table(Month::KEYS)?), &windows)?,
    };
    // Anywhere in the file: steps and [restart] name them, so they are read before either.
    let resources = root.get("resource").map(|v| read_resources(&v, &windows)).transpose()?.unwrap_or_default();

    let mut deployment = Deployment::default();
    if let Some(v) = root.get("deployment") {
        let t = v.table(&[
            "max_run_time",
            "start_delay",
            "stop_at_max_run_time",
            "maintenance_windows",
            "restarts_outside_window",
            "countdown",
            "rerun",
        ])?;
        if let Some(v) = t.get("max_run_time") {
            deployment.max_run_time = v.duration()?;
        }
        if let Some(v) = t.get("start_delay") {
            deployment.start_delay = DurationDist::read(&v)?;
        }
        if let Some(v) = t.get("stop_at_max_run_time") {
            deployment.stop_at_max_run_time = v.bool()?;
        }
        if let Some(v) = t.get("countdown") {
            let countdown = v.duration()?;
            if countdown > MAX_CLIENT_TIMEOUT {
                return Err(v.error(format!("a countdown of at most 24h, found {}", DurationDisplay(countdown))));
            }
            deployment.countdown = countdown;
        }
        if let Some(v) = t.get("rerun") {
            deployment.rerun = match v.str()? {
                "never" => Rerun::Never,
                "failed" => Rerun::Failed,
                other => {
                    return Err(v.error(format!(
                        "unknown rerun \"{other}\"; use \"failed\" (\"Rerun if failed previous attempt\") or \"never\""
                    )));
                }
            };
        }
        if let Some(v) = t.get("maintenance_windows") {
            deployment.maintenance_windows = Some(v.bool()?);
        }
        if let Some(v) = t.get("restarts_outside_window") {
            deployment.restarts_outside_window = Some(match v.str()? {
                "allow" => true,
                "fail" => false,
                other => {
                    return Err(v.error(format!(
                        "unknown restarts_outside_window \"{other}\"; use \"allow\" (the deployment's \"allow system restart outside the maintenance window\") or \"fail\""
                    )));
                }
            });
        }
    }
    if deployment.max_run_time > MAX_DURATION {
        return Err(root
            .key_error("deployment.max_run_time", format!("{} is absurd", DurationDisplay(deployment.max_run_time))));
    }

    let mut restart = RestartSettings::default();
    if let Some(v) = root.get("restart") {
        let t = v.table(&["duration", "hang", "uses", "by_cause", "hang_recovery", "client_wait", "client_timeout"])?;
        if let Some(v) = t.get("duration") {
            restart.duration = DurationDist::read(&v)?;
        }
        if let Some(v) = t.get("hang") {
            restart.hang = v.probability()?;
        }
        if let Some(v) = t.get("by_cause") {
            let ct = v.table(RestartsByCause::KEYS)?;
            let read = |key: &str| ct.get(key).map(|v| DurationDist::read(&v)).transpose();
            restart.by_cause = RestartsByCause {
                pending: read("pending")?,
                updates: read("updates")?,
                restart_step: read("restart_step")?,
                exit_3010: read("exit_3010")?,
                requested: read("requested")?,
            };
        }
        if let Some(v) = t.get("hang_recovery") {
            restart.hang_recovery = Some(DurationDist::read(&v)?);
        }
        if let Some(v) = t.get("client_wait") {
            restart.client_wait = DurationDist::read(&v)?;
        }
        if let Some(v) = t.get("client_timeout") {
            let timeout = v.duration()?;
            if timeout == 0 || timeout > MAX_CLIENT_TIMEOUT {
                return Err(v.error(format!(
                    "the wait for the client after a restart is more than 0s and at most 24h, found {}",
                    DurationDisplay(timeout)
                )));
            }
            restart.client_timeout = timeout;
        }
        if let Some(v) = t.get("uses") {
            if v.is_table() {
                return Err(v.error("[restart] has one activity, the restart: name its resource, e.g. uses = \"host\""));
            }
            restart.uses = Some(resolve(&v, &resources, Activity::Restart)?);
        }
    }

    let engine = match root.get("engine") {
        None => EngineSettings::default(),
        Some(v) => EngineSettings::read(&v.table(EngineSettings::KEYS)?)?,
    };

    let infra_v = root.get("infrastructure");
    let infrastructure = match &infra_v {
        None => Infrastructure::default(),
        Some(v) => Infrastructure::read(&v.table(Infrastructure::KEYS)?)?,
    };

    let messages = match root.get("messages") {
        None => MessageCounts::default(),
        Some(v) => MessageCounts::read(Some(&v.table(&MessageCounts::keys())?))?,
    };

    let steps_v = root
        .get("step")
        .ok_or_else(|| root.key_error("step", "the scenario has no steps: add at least one [[step]]"))?;
    let steps = read_steps(&steps_v, &fleet, &resources)?;
    if steps.is_empty() {
        return Err(steps_v.error("the scenario has no steps: add at least one [[step]]"));
    }

    let mut scenario = Scenario {
        name,
        description,
        run,
        fleet,
        windows,
        month,
        deployment,
        restart,
        engine,
        infrastructure,
        messages,
        resources,
        steps,
        warnings: Vec::new(),
    };
    if scenario.sends_messages() && scenario.infrastructure.status_manager_rate.is_none() {
        let message = "status messages are counted, so the site needs `status_manager_rate` (messages a second Status Manager processes); set every [messages] count to 0 to leave it out";
        return Err(match &infra_v {
            Some(v) => v.error(message),
            None => root.key_error("infrastructure.status_manager_rate", message),
        });
    }
    scenario.warnings = super::warnings::warnings(&scenario, root);
    Ok(scenario)
}
