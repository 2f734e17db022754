//! `history.csv` (with `--history-csv`): the first replication as the execution-history view
//! (`vSMS_TaskSequenceExecutionStatus`) would show it — one row per status message of every run,
//! in the columns `patchsim calibrate` reads. Real and simulated history can then be compared in
//! the same tools, and `calibrate` can be checked against a simulation whose timings are known.
//!
//! Times are the simulated week laid on Monday 2024-01-01; resource IDs are 16777216 plus the
//! server's number; the deployment is `SIM00001`.

use super::csv_style::CsvStyle;
use super::csv_writer::{CsvRow, CsvWriter};
use crate::configmgr::history_view::{self, days_from_civil, format_time};
use crate::configmgr::message::{self, Message};
use crate::engine::{Outcome, RestartCause, ServerRecord, SkipReason, TraceEvent};
use crate::sequence::Program;

/// The deployment's ID in the simulated history.
pub const ADVERTISEMENT_ID: &str = "SIM00001";

/// One row of the view: what one message of a run says.
struct Row<'p> {
    at: u64,
    step: u32,
    action: &'p str,
    group: &'p str,
    message: Message,
    exit_code: Option<i64>,
}

/// Builds `history.csv` server by server.
pub struct HistoryCsv<'a> {
    program: &'a Program,
    epoch_ms: i64,
    out: CsvWriter,
    rows: Vec<(u64, String)>,
}

impl<'a> HistoryCsv<'a> {
    /// An empty history for a scenario's compiled program, to be written in `style`.
    pub fn new(program: &'a Program, style: CsvStyle) -> Self {
        let out = CsvWriter::new(style, &history_view::COLUMNS.join(","), 1 << 16);
        Self { program, epoch_ms: days_from_civil(2024, 1, 1) * 86_400_000, out, rows: Vec::new() }
    }

    /// Adds one server's rows from its run's events, in time order (the order the view lists
    /// messages in; events come in the order the engine meets them).
    pub fn add(&mut self, record: &ServerRecord, events: &[TraceEvent]) {
        if record.excluded || !record.outcome.started() {
            return;
        }
        let resource = history_view::FIRST_RESOURCE_ID + record.index;
        self.rows.clear();
        for event in events {
            // A server that never came back from a restart sends nothing more.
            if matches!(event, TraceEvent::Restart { end: None, .. }) {
                break;
            }
            let Some(row) = self.row(event) else { continue };
            let mut line = String::with_capacity(160);
            let mut cells = CsvRow::new(self.out.style(), &mut line);
            cells.text(ADVERTISEMENT_ID).whole(resource).time(&format_time(self.epoch_ms + row.at as i64));
            cells.whole(row.step).text(row.action).text(row.group).whole(row.message.id).text(row.message.name);
            match row.exit_code {
                Some(code) => cells.whole(code),
                None => cells.empty(),
            };
            cells.empty().end();
            self.rows.push((row.at, line));
        }
        self.rows.sort_by_key(|(at, _)| *at);
        for (_, line) in &self.rows {
            self.out.push_rows(line);
        }
    }

    /// The row an event makes, if it sends a message the view shows.
    fn row(&self, event: &TraceEvent) -> Option<Row<'a>> {
        let nodes = &self.program.nodes;
        let name = |node: u32| nodes[node as usize].name.as_str();
        let group_of = |node: u32| nodes[node as usize].parent.map_or("", |g| nodes[g as usize].name.as_str());
        let run = |at: u64, message: Message| Row { at, step: 0, action: "", group: "", message, exit_code: None };
        Some(match *event {
            TraceEvent::RunStarted { at } => run(at, message::RUN_STARTED),
            TraceEvent::RunEnded { at, outcome: Outcome::CompletedInWindow | Outcome::Overran } => {
                run(at, message::RUN_COMPLETED)
            }
            TraceEvent::RunEnded { at, .. } => run(at, message::RUN_FAILED),
            TraceEvent::GroupStarted { node, at } => Row {
                at,
                step: node + 1,
                action: "",
                group: name(node),
                message: message::GROUP_STARTED,
                exit_code: None,
            },
            TraceEvent::GroupEnded { node, at, .. } => Row {
                at,
                step: node + 1,
                action: "",
                group: name(node),
                message: message::GROUP_COMPLETED,
                exit_code: None,
            },
            TraceEvent::Skipped { node, at, reason } => {
                let is_group = nodes[node as usize].action.is_none();
                let (action, group, message) = match (is_group, reason) {
                    (true, _) => ("", name(node), message::GROUP_SKIPPED),
                    (false, SkipReason::Disabled) => (name(node), group_of(node), message::STEP_DISABLED),
                    (false, SkipReason::ConditionFalse) => (name(node), group_of(node), message::STEP_SKIPPED),
                };
                Row { at, step: node + 1, action, group, message, exit_code: None }
            }
            TraceEvent::StepEnded { node, end, exit_code, success, .. } => Row {
                at: end,
                step: node + 1,
                action: name(node),
                group: group_of(node),
                message: if success { message::STEP_SUCCEEDED } else { message::STEP_FAILED },
                exit_code: Some(exit_code.unwrap_or(if success { 0 } else { 1 })),
            },
            TraceEvent::Restart { node, end: Some(end), cause, .. } => Row {
                at: end,
                step: node + 1,
                action: name(node),
                group: group_of(node),
                message: match cause {
                    RestartCause::RestartStep => Message { name: message::RESTART_BY_ACTION, ..message::RESTART },
                    _ => message::RESTART,
                },
                exit_code: None,
            },
            TraceEvent::Restart { end: None, .. }
            | TraceEvent::StepStarted { .. }
            | TraceEvent::Message { .. }
            | TraceEvent::StateMessages { .. }
            | TraceEvent::RestartRefused { .. }
            | TraceEvent::MessagesLost { .. } => return None,
        })
    }

    /// The CSV file's bytes.
    pub fn finish(self) -> Vec<u8> {
        self.out.finish()
    }
}
