//! `history.csv` (with `--history-csv`): the first replication as the execution-history view
//! (`vSMS_TaskSequenceExecutionStatus`) would show it — one row per status message of every run,
//! in the columns `patchsim calibrate` reads. Real and simulated history can then be compared in
//! the same tools, and `calibrate` can be checked against a simulation whose timings are known.
//!
//! Times are the simulated week laid on Monday 2024-01-01; resource IDs are 16777216 plus the
//! server's number; the deployment is `SIM00001`.

use std::fmt::Write;

use super::escape::csv_field;
use crate::engine::{Outcome, RestartCause, ServerRecord, SkipReason, TraceEvent};
use crate::import::history::{days_from_civil, format_time};
use crate::sequence::Program;

/// The columns of the view, in its order.
pub const HISTORY_HEADER: &str = "AdvertisementID,ResourceID,ExecutionTime,Step,ActionName,GroupName,LastStatusMsgID,LastStatusMsgName,ExitCode,ActionOutput";

/// The first resource ID (ConfigMgr numbers resources from here).
pub const FIRST_RESOURCE_ID: u64 = 16_777_216;

/// The deployment's ID in the simulated history.
pub const ADVERTISEMENT_ID: &str = "SIM00001";

/// Builds `history.csv` server by server.
pub struct HistoryCsv<'a> {
    program: &'a Program,
    epoch_ms: i64,
    out: String,
    rows: Vec<(u64, String)>,
}

impl<'a> HistoryCsv<'a> {
    /// An empty history for a scenario's compiled program.
    pub fn new(program: &'a Program) -> Self {
        let mut out = String::from(HISTORY_HEADER);
        out.push('\n');
        Self { program, epoch_ms: days_from_civil(2024, 1, 1) * 86_400_000, out, rows: Vec::new() }
    }

    /// Adds one server's rows from its run's events.
    pub fn add(&mut self, record: &ServerRecord, events: &[TraceEvent]) {
        if record.excluded || !record.outcome.started() {
            return;
        }
        let resource = FIRST_RESOURCE_ID + record.index;
        let nodes = &self.program.nodes;
        let group_of = |node: u32| nodes[node as usize].parent.map(|g| nodes[g as usize].name.as_str()).unwrap_or("");
        self.rows.clear();
        let mut hung = false;
        for event in events {
            if hung {
                break;
            }
            let (at, step, action, group, id, name, exit): (u64, u32, &str, &str, u32, &str, Option<i64>) = match *event
            {
                TraceEvent::RunStarted { at } => (
                    at,
                    0,
                    "",
                    "",
                    11140,
                    "The task sequence execution engine started execution of a task sequence",
                    None,
                ),
                TraceEvent::GroupStarted { node, at } => (
                    at,
                    node + 1,
                    "",
                    nodes[node as usize].name.as_str(),
                    11124,
                    "The task sequence execution engine started the group",
                    None,
                ),
                TraceEvent::GroupEnded { node, at, .. } => (
                    at,
                    node + 1,
                    "",
                    nodes[node as usize].name.as_str(),
                    11127,
                    "The task sequence execution engine completed the group",
                    None,
                ),
                TraceEvent::Skipped { node, at, reason } => {
                    let is_group = nodes[node as usize].action.is_none();
                    let (id, name) = match (is_group, reason) {
                        (true, _) => (11122, "The task sequence execution engine skipped the group"),
                        (false, SkipReason::Disabled) => {
                            (11128, "The task sequence execution engine skipped the disabled action")
                        }
                        (false, SkipReason::ConditionFalse) => (
                            11130,
                            "The task sequence execution engine skipped the action because the condition was evaluated to be false",
                        ),
                    };
                    let (action, group) = if is_group {
                        ("", nodes[node as usize].name.as_str())
                    } else {
                        (nodes[node as usize].name.as_str(), group_of(node))
                    };
                    (at, node + 1, action, group, id, name, None)
                }
                TraceEvent::StepEnded { node, end, exit_code, success, .. } => (
                    end,
                    node + 1,
                    nodes[node as usize].name.as_str(),
                    group_of(node),
                    if success { 11134 } else { 11135 },
                    if success {
                        "The task sequence execution engine successfully completed the action"
                    } else {
                        "The task sequence execution engine failed executing the action"
                    },
                    Some(exit_code.unwrap_or(if success { 0 } else { 1 })),
                ),
                TraceEvent::Restart { node, end: Some(end), cause, .. } => (
                    end,
                    node + 1,
                    nodes[node as usize].name.as_str(),
                    group_of(node),
                    11142,
                    match cause {
                        RestartCause::RestartStep => {
                            "The task sequence execution engine performed a system reboot initiated by the action"
                        }
                        _ => "The task sequence execution engine performed a system reboot",
                    },
                    None,
                ),
                TraceEvent::Restart { end: None, .. } => {
                    // The server never came back: it sends nothing more.
                    hung = true;
                    continue;
                }
                TraceEvent::RunEnded { at, outcome } => match outcome {
                    Outcome::CompletedInWindow | Outcome::Overran => (
                        at,
                        0,
                        "",
                        "",
                        11143,
                        "The task sequence execution engine successfully completed a task sequence",
                        None,
                    ),
                    _ => (
                        at,
                        0,
                        "",
                        "",
                        11141,
                        "The task sequence execution engine failed execution of a task sequence",
                        None,
                    ),
                },
                TraceEvent::StepStarted { .. } | TraceEvent::Message { .. } | TraceEvent::StateMessages { .. } => {
                    continue;
                }
            };
            let mut row = String::with_capacity(160);
            let _ = writeln!(
                row,
                "{ADVERTISEMENT_ID},{resource},{},{step},{},{},{id},{},{},",
                format_time(self.epoch_ms + at as i64),
                csv_field(action),
                csv_field(group),
                csv_field(name),
                exit.map(|c| c.to_string()).unwrap_or_default()
            );
            self.rows.push((at, row));
        }
        // Events come in the order the engine meets them; the view lists messages by time.
        self.rows.sort_by_key(|(at, _)| *at);
        for (_, row) in &self.rows {
            self.out.push_str(row);
        }
    }

    /// The CSV file's bytes.
    pub fn finish(self) -> Vec<u8> {
        self.out.into_bytes()
    }
}
