//! Scenarios: the format users write (`docs/scenario-format.md`, version 1), read and checked once.
//!
//! [`Scenario::load`] reads a TOML file into a [`Scenario`] whose every value has been checked:
//! durations have units, distributions are well-formed, shares add up, names resolve. A mistake
//! is a [`InputError`] naming the file, line, column and key. Nothing downstream re-checks.

pub mod condition;
pub mod count;
pub mod distribution;
pub mod duration;
pub mod engine;
pub mod fleet;
pub mod infrastructure;
pub mod inventory;
mod load;
pub mod message_counts;
pub mod month;
pub mod name;
pub mod overrides;
pub mod reader;
pub mod resource;
pub mod size;
pub mod step;
pub mod warnings;
pub mod windows;

pub use condition::Condition;
pub use count::{CountDist, Items};
pub use distribution::DurationDist;
pub use duration::Millis;
pub use engine::EngineSettings;
pub use fleet::{Class, Fleet, NamedCount};
pub use infrastructure::{Component, Infrastructure, Outage, Service};
pub use inventory::Inventory;
pub use load::MAX_SCENARIO_BYTES;
pub use message_counts::{MessageCounts, MessageKind};
pub use month::Month;
pub use resource::{Resource, ResourceId, Uses};
pub use step::{Action, ExitBehaviour, Node, NodeKind, On3010, Step, UpdateSettings};
pub use warnings::Warning;
pub use windows::{Assign, Day, Window, Windows};

/// A checked scenario: the fleet, its windows, the deployment, the task sequence and the site.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Short name; also the default report folder.
    pub name: String,
    /// One or two sentences on what the scenario describes.
    pub description: String,
    /// Seed and replications (command-line flags override them).
    pub run: RunSettings,
    /// The servers.
    pub fleet: Fleet,
    /// The maintenance windows.
    pub windows: Windows,
    /// How many weeks the windows repeat, and where each opening falls.
    pub month: Month,
    /// The deployment's settings.
    pub deployment: Deployment,
    /// Restart duration and hang share.
    pub restart: RestartSettings,
    /// What the engine provides a running sequence (read-only facts).
    pub engine: EngineSettings,
    /// Management points and Status Manager.
    pub infrastructure: Infrastructure,
    /// Messages sent per event.
    pub messages: MessageCounts,
    /// Shared resources (format 1.1), in declaration order; none in a 1.0 scenario.
    pub resources: Vec<Resource>,
    /// The task sequence.
    pub steps: Vec<Node>,
    /// What looks like a mistake in the file although it is valid ([`warnings::warnings`]), in
    /// the order found; `validate` and `run` print them and `summary.json` lists them.
    pub warnings: Vec<Warning>,
}

/// The `[run]` section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunSettings {
    /// Seed of every random stream (default 1).
    pub seed: u64,
    /// Replications (default 100).
    pub replications: u32,
}

/// The `[deployment]` section.
#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    /// Maximum run time; 0 means no start check and ConfigMgr's 12-hour monitoring limit
    /// (default 120 minutes).
    pub max_run_time: Millis,
    /// Delay from the window start to the run start (default 0s).
    pub start_delay: DurationDist,
    /// Stop a run still going at start + `max_run_time` (default true).
    pub stop_at_max_run_time: bool,
    /// Whether the servers' windows are collection maintenance windows; `None`: when a maximum
    /// run time is set, as patchsim's start check has always assumed ([`Deployment::in_maintenance_windows`]).
    pub maintenance_windows: Option<bool>,
    /// Whether the deployment lets a restart happen after the window closed; `None`: not with
    /// maintenance windows, as ConfigMgr's deployment setting defaults, and yes without them
    /// ([`Deployment::restarts_allowed_outside`]).
    pub restarts_outside_window: Option<bool>,
    /// The client's countdown before a required deployment starts: in a maintenance window a run
    /// starts only when the maximum run time plus this fits in what is left (default 0s).
    pub countdown: Millis,
    /// Whether a failed or stopped run runs again at its window's next opening in the month
    /// (default: rerun if failed, the deployment's "Rerun if failed previous attempt").
    pub rerun: Rerun,
}

/// The deployment's rerun behaviour, within the simulated month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rerun {
    /// "Never rerun deployed program": a failed run stays failed.
    Never,
    /// "Rerun if failed previous attempt": a failed or stopped run runs again at the server's
    /// next window that fits.
    Failed,
}

impl Rerun {
    /// Its value in a scenario.
    pub const fn key(self) -> &'static str {
        match self {
            Self::Never => "never",
            Self::Failed => "failed",
        }
    }
}

/// ConfigMgr's limit for a deployment whose maximum run time is 0: "evaluated as 12 hours (720
/// minutes) for monitoring progress".
pub const MONITORING_LIMIT: Millis = 12 * 60 * duration::MINUTE;

/// The `[restart]` section.
#[derive(Debug, Clone, PartialEq)]
pub struct RestartSettings {
    /// How long a restart takes (default 10 minutes).
    pub duration: DurationDist,
    /// Share of restarts after which the server does not come back (default 0).
    pub hang: f64,
    /// The resource every restart runs on (a restart step's own `uses.restart` overrides it).
    pub uses: Option<ResourceId>,
    /// Per cause, a restart duration replacing the class's and `duration` (a Restart Computer
    /// step's own `duration` still wins for its restarts).
    pub by_cause: RestartsByCause,
    /// How long a hung server stays down before a person power-cycles it and the sequence
    /// resumes; `None`: it never comes back (the run fails).
    pub hang_recovery: Option<DurationDist>,
    /// After boot, how long until the client is operational and the engine goes on (default 0s).
    pub client_wait: DurationDist,
    /// The longest the engine waits for the client after boot before the run fails
    /// (`SMSTSWaitCcmexecOperationalTimeout`, default 30 minutes).
    pub client_timeout: Millis,
}

/// Restart durations by what caused the restart (each optional).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RestartsByCause {
    /// A restart already pending before Install Software Updates.
    pub pending: Option<DurationDist>,
    /// After installed updates asked for one.
    pub updates: Option<DurationDist>,
    /// A Restart Computer step.
    pub restart_step: Option<DurationDist>,
    /// Exit code 3010 with `on_3010 = "restart"`.
    pub exit_3010: Option<DurationDist>,
    /// A step that set `SMSTSRebootRequested`.
    pub requested: Option<DurationDist>,
}

impl RestartsByCause {
    /// The keys of `[restart] by_cause`.
    pub const KEYS: &'static [&'static str] = &["pending", "updates", "restart_step", "exit_3010", "requested"];
}

impl Default for Deployment {
    fn default() -> Self {
        Self {
            max_run_time: 120 * duration::MINUTE,
            start_delay: DurationDist::Fixed(0),
            stop_at_max_run_time: true,
            maintenance_windows: None,
            restarts_outside_window: None,
            countdown: 0,
            rerun: Rerun::Failed,
        }
    }
}

impl Deployment {
    /// Whether the windows are collection maintenance windows (said, or a maximum run time is set).
    pub fn in_maintenance_windows(&self) -> bool {
        self.maintenance_windows.unwrap_or(self.max_run_time > 0)
    }

    /// Whether a restart may happen after the window closed (said, or no maintenance windows).
    pub fn restarts_allowed_outside(&self) -> bool {
        self.restarts_outside_window.unwrap_or(!self.in_maintenance_windows())
    }

    /// When a run started at `start` is stopped, with `stop_at_max_run_time`: at its maximum run
    /// time, or at ConfigMgr's 12-hour monitoring limit when that is 0.
    pub fn deadline(&self, start: Millis) -> Millis {
        if !self.stop_at_max_run_time {
            return Millis::MAX;
        }
        let limit = if self.max_run_time > 0 { self.max_run_time } else { MONITORING_LIMIT };
        start.saturating_add(limit)
    }
}

impl Default for RestartSettings {
    fn default() -> Self {
        Self {
            duration: DurationDist::Fixed(10 * duration::MINUTE),
            hang: 0.0,
            uses: None,
            by_cause: RestartsByCause::default(),
            hang_recovery: None,
            client_wait: DurationDist::Fixed(0),
            client_timeout: 30 * duration::MINUTE,
        }
    }
}

impl Scenario {
    /// Whether any event can send a message (status or state).
    pub fn sends_messages(&self) -> bool {
        self.messages.sends_state() || self.sends_status_messages()
    }

    /// Whether any event can send a status message (to Status Manager).
    pub fn sends_status_messages(&self) -> bool {
        if !self.messages.status_all_zero() {
            return true;
        }
        let mut any = false;
        for node in &self.steps {
            node.walk(0, &mut |n, _| {
                if let NodeKind::Step(Step { messages: Some(m), .. }) = &n.kind {
                    any |= *m > 0;
                }
            });
        }
        any
    }

    /// The files besides the scenario file that it reads (its inventory), as paths from where
    /// patchsim runs.
    pub fn input_files(&self) -> Vec<std::path::PathBuf> {
        self.windows.files.iter().filter_map(|f| f.path.clone()).collect()
    }

    /// Number of steps and groups in the sequence: (steps, groups).
    pub fn node_counts(&self) -> (usize, usize) {
        let (mut steps, mut groups) = (0, 0);
        for node in &self.steps {
            node.walk(0, &mut |n, _| match n.kind {
                NodeKind::Group(_) => groups += 1,
                NodeKind::Step(_) => steps += 1,
            });
        }
        (steps, groups)
    }
}
