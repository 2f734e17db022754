//! The `summary.json` document: the output contract (`docs/output.md`, version 1) as Rust types.
//!
//! Field names and nesting are the contract: tools downstream read these keys. New keys may be
//! added; none of the contract's may be renamed or dropped.

use serde::{Deserialize, Serialize};

/// The schema identifier of `summary.json`.
pub const SUMMARY_SCHEMA: &str = "patchsim/summary/v1";

/// The version of patchsim that writes a summary (`patchsim_version` in `summary.json`).
pub const PATCHSIM_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Projection of one scenario over many replications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Always [`SUMMARY_SCHEMA`].
    pub schema: String,
    /// The version of patchsim that wrote the summary, e.g. `"0.1.0"` ([`PATCHSIM_VERSION`]);
    /// empty when a summary written before the key existed is read back.
    #[serde(default)]
    pub patchsim_version: String,
    /// The scenario's name.
    pub scenario: String,
    /// The scenario's description.
    pub description: String,
    /// The seed of every random stream.
    pub seed: u64,
    /// Replications run.
    pub replications: u64,
    /// Every `--set KEY=VALUE` the run applied to the scenario file, in order (empty when it
    /// ran as written).
    #[serde(default)]
    pub overrides: Vec<String>,
    /// Fleet sizes.
    pub fleet: FleetFigures,
    /// Shares of targeted servers by outcome.
    pub outcomes: OutcomeShares,
    /// Overrun past the window end, minutes, over servers that overran (all replications pooled).
    pub overrun_minutes: Spread,
    /// Run duration from start to end, minutes, over servers that started.
    pub duration_minutes: Spread,
    /// Restarts per targeted server.
    pub restarts: RestartFigures,
    /// Status-message load at the site.
    pub status_messages: MessageFigures,
    /// The software-update state-message stream (`[messages] state_per_update`).
    pub state_messages: StateFigures,
    /// Each component of the site: Status Manager and the management points.
    pub infrastructure: InfrastructureFigures,
    /// One entry per window, in window order.
    pub windows: Vec<WindowFigures>,
    /// One entry per week of a month of several weeks (`[month] weeks`, or windows after Patch
    /// Tuesday that reach past the first week); absent for a month of one week.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weeks: Vec<WeekFigures>,
    /// Shared resources (format 1.1), in declaration order; absent without resources.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<ResourceFigures>,
    /// Every headline figure with its 95% confidence interval, keyed by its dotted path in this
    /// document (`outcomes.overran`, `status_messages.peak_per_minute`, …).
    pub estimates: std::collections::BTreeMap<super::figure::Figure, EstimateFigures>,
    /// How `--precision` went, when it was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<PrecisionFigures>,
    /// Which shard of a distributed study this is, for a shard's own summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardFigures>,
    /// What looks like a mistake in the scenario although it is valid (`patchsim validate` prints
    /// the same); left out when there is none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<WarningFigures>,
    /// How much work the run did and how long it took (the only part that varies between runs).
    pub performance: Performance,
}

/// A warning about the scenario: the key, where it is in the file, and what looks wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningFigures {
    /// Dotted path of the key, e.g. `step.7.steps.1.condition`.
    pub key: String,
    /// 1-based line in the scenario file (`null` for a value given with `--set`).
    pub line: Option<usize>,
    /// 1-based column, with `line`.
    pub column: Option<usize>,
    /// What looks wrong, and what to write instead.
    pub message: String,
}

/// Fleet sizes (means over replications).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetFigures {
    /// Servers in the scenario.
    pub servers: u64,
    /// Targeted servers a replication.
    pub targeted_mean: f64,
    /// Excluded servers (on an extension) a replication.
    pub excluded_mean: f64,
    /// Servers whose run started, a replication.
    pub started_mean: f64,
}

/// A mean over replications with its 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeanCi {
    /// Mean over replications.
    pub mean: f64,
    /// Student-t 95% confidence interval of the mean.
    pub ci95: [f64; 2],
}

/// The five outcomes as shares of targeted servers; for each replication they add up to 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeShares {
    /// Completed at or before the window's end.
    pub completed_in_window: MeanCi,
    /// Completed after the window's end.
    pub overran: MeanCi,
    /// Failed.
    pub failed: MeanCi,
    /// Stopped at the maximum run time.
    pub stopped: MeanCi,
    /// Never started.
    pub not_started: MeanCi,
}

/// A pooled distribution: mean and percentiles (0 everywhere when `count` is 0).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// Values pooled over all replications.
    pub count: u64,
    /// Exact mean.
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest value.
    pub max: f64,
}

/// Restarts per targeted server (means over replications).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestartFigures {
    /// Every restart of a targeted server, divided by targeted servers.
    pub per_server_mean: f64,
    /// Restarts that began after the server's window closed, divided by targeted servers.
    pub outside_window_per_server_mean: f64,
    /// 95% confidence interval of `per_server_mean`.
    pub per_server_ci95: [f64; 2],
    /// 95% confidence interval of `outside_window_per_server_mean`.
    pub outside_window_per_server_ci95: [f64; 2],
}

/// A mean and a maximum over replications.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeanMax {
    /// Mean over replications.
    pub mean: f64,
    /// Largest over replications.
    pub max: f64,
    /// Student-t 95% confidence interval of the mean.
    pub ci95: [f64; 2],
}

/// A headline figure over replications.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EstimateFigures {
    /// Mean over replications.
    pub mean: f64,
    /// Student-t 95% confidence interval of the mean.
    pub ci95: [f64; 2],
    /// Standard deviation over replications.
    pub sd: f64,
    /// Replications that have the figure (a share of targeted servers needs some targeted).
    pub replications: u64,
    /// Smallest over replications.
    pub min: f64,
    /// Largest over replications.
    pub max: f64,
}

/// The outcome of `--precision`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PrecisionFigures {
    /// The half-width asked for, of the overran share's 95% confidence interval.
    pub target_half_width: f64,
    /// The half-width reached.
    pub half_width: f64,
    /// Whether the target was met (else `--max-replications` stopped the run).
    pub met: bool,
    /// The most replications allowed.
    pub max_replications: u64,
}

/// A shard of a distributed study.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ShardFigures {
    /// This shard's number, from 1.
    pub index: u64,
    /// How many shards the study has.
    pub of: u64,
    /// Replications of the whole study.
    pub study_replications: u64,
}

/// Latency from sending to processed by Status Manager, seconds, all messages pooled.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatencyFigures {
    /// Exact mean.
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest.
    pub max: f64,
}

/// Status-message load at the site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageFigures {
    /// Messages sent per started run.
    pub per_run_mean: f64,
    /// Messages sent per replication.
    pub total_mean: f64,
    /// Most messages (status and state) arriving at the site in one minute.
    pub peak_per_minute: MeanMax,
    /// Most messages arriving at the site in one second.
    pub peak_per_second: MeanMax,
    /// Most messages waiting at the site at once (arrived, not yet processed).
    pub backlog_peak: MeanMax,
    /// Sending to processed, seconds.
    pub latency_seconds: LatencyFigures,
    /// From the close of the last window to the last message processed, minutes (mean over
    /// replications; 0 when the site was done before the last window closed).
    pub drain_minutes_after_last_window: f64,
    /// Status messages lost a replication: with inline delivery, those the engine could not
    /// send to a management point that stayed down through its tries (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost_mean: Option<f64>,
    /// Status messages per replication by event kind (`run_started`, `step_succeeded`, …).
    pub by_kind: std::collections::BTreeMap<String, f64>,
    /// Messages per replication by event: `run`, `group`, `step`, `restart`, and `state`.
    pub by_event: std::collections::BTreeMap<String, f64>,
}

/// The software-update state-message stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateFigures {
    /// State messages per installed or failed update (0: the stream is off).
    pub per_update: u32,
    /// Minutes between the client's batches.
    pub batch_minutes: f64,
    /// State messages a replication.
    pub total_mean: f64,
    /// From the client sending the batch to processed by Status Manager, seconds (the wait
    /// for the batch itself, up to `batch_minutes`, comes before).
    pub latency_seconds: LatencyFigures,
}

/// The site's components.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InfrastructureFigures {
    /// Status Manager on the site server (status messages, `statmgr.box`).
    pub status_manager: ComponentFigures,
    /// The State System on the site server (software-update state messages, `statesys.box`);
    /// absent when the scenario sends none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_system: Option<ComponentFigures>,
    /// The management points, `mp:1` first.
    pub management_points: Vec<ComponentFigures>,
    /// The outages the scenario sets.
    pub outages: Vec<OutageFigures>,
}

/// One component's load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComponentFigures {
    /// `status_manager`, `state_system` or `mp:N`.
    pub name: String,
    /// Messages a second one worker processes (`null`: forwards instantly).
    pub rate: Option<f64>,
    /// Workers.
    pub workers: u32,
    /// Messages through the component, a replication.
    pub messages_mean: f64,
    /// Busy time over the time it had work (first arrival to last departure), per worker.
    pub utilisation: MeanMax,
    /// Busy time in the busiest clock hour, over that hour, per worker.
    pub peak_hour_utilisation: MeanMax,
    /// Most messages in the component at once (waiting or in service).
    pub backlog_peak: MeanMax,
    /// Mean time a message spends in the component (waiting and in service), seconds.
    pub time_in_component_seconds_mean: f64,
}

/// An outage, as the scenario sets it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutageFigures {
    /// `status_manager`, `state_system`, `mp` or `mp:N`.
    pub component: String,
    /// When it starts, as the scenario writes it: `"Tue 02:00"`.
    pub at: String,
    /// When it starts, minutes since Monday 00:00.
    pub at_minute: f64,
    /// How long it lasts, minutes.
    pub length_minutes: f64,
}

/// One window's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowFigures {
    /// The window's name, e.g. `"Mon 00:00"`.
    pub name: String,
    /// Its day, `Mon` … `Sun`.
    pub day: String,
    /// Its start time, `HH:MM`.
    pub start: String,
    /// Targeted servers in the window, a replication.
    pub targeted_mean: f64,
    /// Share completed in the window.
    pub completed_in_window: Mean,
    /// Share that overran.
    pub overran: Mean,
    /// Share that failed.
    pub failed: Mean,
    /// Share stopped.
    pub stopped: Mean,
    /// Share not started.
    pub not_started: Mean,
    /// Messages sent by the window's servers, a replication.
    pub messages_mean: f64,
    /// 95th percentile of the overruns of the window's servers that overran, minutes (0 when
    /// none did).
    pub overrun_p95_minutes: f64,
    /// Minutes a started run of the window spent waiting for or slowed by shared resources
    /// (format 1.1; absent without resources).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_wait_minutes_mean: Option<f64>,
}

/// One week's figures: the runs due that week (a server's first, or its next after a run that
/// did not start or failed with rerun on) and how they ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekFigures {
    /// The week, 1 first.
    pub week: u32,
    /// Servers with a run due this week, a replication.
    pub due_mean: f64,
    /// Runs started this week, a replication.
    pub started_mean: f64,
    /// Share of the week's due runs completed in the window.
    pub completed_in_window: Mean,
    /// Share that overran.
    pub overran: Mean,
    /// Share that failed.
    pub failed: Mean,
    /// Share stopped.
    pub stopped: Mean,
    /// Share not started (the window passed without a start).
    pub not_started: Mean,
    /// Share of all targeted servers whose sequence has completed (in or past its window) by
    /// the end of this week's runs.
    pub done_by_end: Mean,
}

/// One shared resource's figures (format 1.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceFigures {
    /// Its name.
    pub name: String,
    /// `shared` or `slots`.
    pub kind: String,
    /// Instances.
    pub instances: u32,
    /// Busy share of capacity over the patching span (first window start to last window end),
    /// mean over instances and replications.
    pub utilisation: f64,
    /// Most activities present on one instance (slots: holding and waiting): mean and max over
    /// replications.
    pub peak: MeanMax,
    /// Shared: actual time over time alone, over completed activities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stretch: Option<TailFigures>,
    /// Shared, where work is bytes: bytes delivered a replication (partial transfers counted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_total_mean: Option<f64>,
    /// Slots: served requests' wait for a slot, seconds (refusals and retry waits included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_seconds: Option<TailFigures>,
    /// Slots: refusals a replication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused_mean: Option<f64>,
    /// Slots: activities failed there a replication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_mean: Option<f64>,
}

/// A mean, 95th percentile and maximum, pooled over replications.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TailFigures {
    /// Exact mean.
    pub mean: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Largest.
    pub max: f64,
}

/// A share of a window's targeted servers, pooled over replications.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Mean {
    /// The share.
    pub mean: f64,
}

/// How much work the run did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Performance {
    /// Server runs simulated (servers × replications).
    pub server_runs: u64,
    /// Engine events (run starts and ends, groups, steps, items, skips, restarts) plus messages.
    pub events: u64,
    /// Wall-clock seconds of the simulation.
    pub wall_seconds: f64,
    /// Worker threads used.
    pub threads: usize,
}
