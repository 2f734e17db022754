//! One server's run as a timeline (`patchsim trace`): its window, every step and group with
//! start, end, outcome and exit code, every restart and every message — as a table, a CSV and a
//! Gantt chart.

use std::fmt::Write;

use super::bundle::{ReportError, ReportFile, chart_files};
use super::charts::gantt::Gantt;
use crate::engine::{ServerRecord, SkipReason, TraceEvent};
use crate::report::csv_style::CsvStyle;
use crate::report::csv_writer::CsvWriter;
use crate::scenario::duration::{DurationDisplay, MINUTE, WEEK};
use crate::scenario::windows::format_week_time;
use crate::scenario::{Millis, Scenario};
use crate::sequence::{NodeId, Program};

/// What a row of the timeline is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// The whole run.
    Run,
    /// A group.
    Group,
    /// A step (or one item of an `install_software` step).
    Step,
    /// A restart.
    Restart,
    /// A step or group that did not run.
    Skipped,
    /// Status messages sent.
    Message,
}

impl RowKind {
    /// The kind's name in the table and CSV.
    pub const fn key(self) -> &'static str {
        match self {
            Self::Run => "run",
            Self::Group => "group",
            Self::Step => "step",
            Self::Restart => "restart",
            Self::Skipped => "skipped",
            Self::Message => "message",
        }
    }
}

/// One row of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// What it is.
    pub kind: RowKind,
    /// The step or group (or the message event), indented by nesting in the table.
    pub name: String,
    /// Nesting depth (0 at the top).
    pub depth: u16,
    /// When it started, milliseconds since Monday 00:00.
    pub start: Millis,
    /// When it ended.
    pub end: Millis,
    /// How it went: `succeeded`, `failed`, `timed out`, `hung`, `disabled`, `condition false`,
    /// an outcome for the run, or the message count.
    pub result: String,
    /// The exit code, where there is one.
    pub exit_code: Option<i64>,
}

/// A traced server.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// Scenario name.
    pub scenario: String,
    /// Server index.
    pub server: u64,
    /// The server's name, from the inventory.
    pub name: Option<String>,
    /// Replication.
    pub replication: u64,
    /// Seed.
    pub seed: u64,
    /// The server's class.
    pub class: String,
    /// Its window's name.
    pub window: String,
    /// When its window opens and closes.
    pub window_start: Millis,
    /// When its window closes.
    pub window_end: Millis,
    /// The server's record (outcome, restarts, messages).
    pub record: ServerRecord,
    /// Rows in time order (a group's row at its start).
    pub rows: Vec<Row>,
}

impl Row {
    /// A row of a moment (it ends where it starts until told otherwise).
    fn at(kind: RowKind, name: String, depth: u16, at: Millis, result: impl Into<String>) -> Self {
        Self { kind, name, depth, start: at, end: at, result: result.into(), exit_code: None }
    }
}

/// The rows being made from the engine's events, with the groups and steps still open.
struct Rows<'p> {
    program: &'p Program,
    rows: Vec<Row>,
    /// Groups started and not ended: (node, row).
    open_groups: Vec<(NodeId, usize)>,
    /// Steps (or items) started and not ended: ((node, item), row).
    open_steps: Vec<((NodeId, Option<u32>), usize)>,
}

impl Rows<'_> {
    fn name(&self, id: NodeId) -> String {
        self.program.nodes[id as usize].name.clone()
    }

    fn depth(&self, id: NodeId) -> u16 {
        self.program.nodes[id as usize].depth
    }

    /// A step's name, or an item's: `Install (item 2)`.
    fn step_name(&self, id: NodeId, item: Option<u32>) -> String {
        match item {
            Some(i) => format!("{} (item {})", self.name(id), i + 1),
            None => self.name(id),
        }
    }

    /// Adds what one event says: a new row, or the end of an open one.
    fn add(&mut self, event: &TraceEvent) {
        let row = match *event {
            TraceEvent::RunStarted { at } => {
                // A server runs again at a later opening of its window (with `[month] weeks`).
                let earlier = self.rows.iter().filter(|r| r.kind == RowKind::Run).count();
                let name = if earlier == 0 {
                    "task sequence".to_owned()
                } else {
                    format!("task sequence, run {}", earlier + 1)
                };
                Row::at(RowKind::Run, name, 0, at, "")
            }
            TraceEvent::GroupStarted { node: id, at } => {
                self.open_groups.push((id, self.rows.len()));
                Row::at(RowKind::Group, self.name(id), self.depth(id), at, "running")
            }
            TraceEvent::GroupEnded { node: id, at, failed } => {
                if let Some(pos) = self.open_groups.iter().rposition(|(g, _)| *g == id) {
                    let (_, row) = self.open_groups.remove(pos);
                    self.rows[row].end = at;
                    self.rows[row].result = if failed { "ended by a failure" } else { "completed" }.to_owned();
                }
                return;
            }
            TraceEvent::Skipped { node: id, at, reason } => {
                let result = match reason {
                    SkipReason::Disabled => "disabled",
                    SkipReason::ConditionFalse => "condition false",
                };
                Row::at(RowKind::Skipped, self.name(id), self.depth(id), at, result)
            }
            TraceEvent::StepStarted { node: id, item, at } => {
                self.open_steps.push(((id, item), self.rows.len()));
                Row::at(RowKind::Step, self.step_name(id, item), self.depth(id), at, "running")
            }
            TraceEvent::StepEnded { node: id, item, start, end, exit_code, success, timed_out } => {
                let result = if timed_out {
                    "timed out"
                } else if success {
                    "succeeded"
                } else {
                    "failed"
                };
                let row = match self.open_steps.iter().rposition(|(k, _)| *k == (id, item)) {
                    Some(pos) => self.open_steps.remove(pos).1,
                    None => {
                        self.rows.push(Row::at(RowKind::Step, self.step_name(id, item), self.depth(id), start, ""));
                        self.rows.len() - 1
                    }
                };
                let row = &mut self.rows[row];
                row.end = end;
                row.result = result.to_owned();
                row.exit_code = exit_code;
                return;
            }
            TraceEvent::Restart { node: id, cause, start, end } => Row {
                end: end.unwrap_or(start),
                ..Row::at(
                    RowKind::Restart,
                    format!("restart ({})", cause.label()),
                    self.depth(id),
                    start,
                    if end.is_some() { "back" } else { "hung" },
                )
            },
            TraceEvent::RestartRefused { node: id, cause, at } => Row::at(
                RowKind::Restart,
                format!("restart ({})", cause.label()),
                self.depth(id),
                at,
                "refused (after the window)",
            ),
            TraceEvent::Message { at, kind, count } => Row::at(
                RowKind::Message,
                kind.key().to_owned(),
                0,
                at,
                format!("{count} sent ({})", kind.message_ids()),
            ),
            TraceEvent::MessagesLost { at, kind, count } => {
                Row::at(RowKind::Message, kind.key().to_owned(), 0, at, format!("{count} lost (management point down)"))
            }
            TraceEvent::StateMessages { at, count } => {
                Row::at(RowKind::Message, "state".to_owned(), 0, at, format!("{count} sent (software-update state)"))
            }
            TraceEvent::RunEnded { at, outcome } => {
                if let Some(run) = self.rows.iter_mut().rev().find(|r| r.kind == RowKind::Run) {
                    run.end = at;
                    run.result = outcome.key().to_owned();
                }
                return;
            }
        };
        self.rows.push(row);
    }
}

impl Timeline {
    /// Builds the timeline of one server from the engine's events.
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        scenario: &Scenario,
        program: &Program,
        seed: u64,
        replication: u64,
        record: ServerRecord,
        events: &[TraceEvent],
    ) -> Self {
        let window = &scenario.windows.list[record.window as usize];
        let mut rows = Rows { program, rows: Vec::new(), open_groups: Vec::new(), open_steps: Vec::new() };
        for event in events {
            rows.add(event);
        }
        let mut rows = rows.rows;
        // Rows were made in the order things happened, each at its start (a restart is reported
        // when it ends, a state batch when it fills): a stable sort by start puts them in place.
        rows.sort_by_key(|r| r.start);
        Self {
            scenario: scenario.name.clone(),
            server: record.index,
            name: scenario.windows.inventory().map(|inv| inv.names[record.index as usize].clone()),
            replication,
            seed,
            class: program.classes[record.class as usize].name.clone(),
            window: window.name.clone(),
            window_start: window.start,
            window_end: window.end,
            record,
            rows,
        }
    }

    /// Minutes of a moment from the window's start.
    pub fn minutes(&self, t: Millis) -> f64 {
        (t as f64 - self.window_start as f64) / MINUTE as f64
    }

    /// A one-paragraph account of the run.
    pub fn headline(&self) -> String {
        let r = &self.record;
        let server = match &self.name {
            Some(name) => format!("{} ({name})", self.server),
            None => self.server.to_string(),
        };
        if r.excluded {
            return format!(
                "Server {server} (replication {}, seed {}) is on a patching extension: not targeted this month.",
                self.replication, self.seed
            );
        }
        let mut out = format!(
            "Server {server} of {} (replication {}, seed {}), class {}, window {} ({} to {}): {}",
            self.scenario,
            self.replication,
            self.seed,
            self.class,
            self.window,
            format_week_time(self.window_start),
            format_week_time(self.window_end),
            r.outcome.label()
        );
        // The opening of the window the last run was due in.
        let shift = Millis::from(r.opening) * WEEK;
        let (opened, closes) = (self.window_start + shift, self.window_end + shift);
        if r.runs > 1 || r.opening > 0 {
            let weeks: Vec<String> = r.weeks.iter().map(|(w, o)| format!("week {} {}", w + 1, o.label())).collect();
            let _ =
                write!(out, " ({} run{} this month: {})", r.runs, if r.runs == 1 { "" } else { "s" }, weeks.join(", "));
        }
        if r.outcome.started() {
            let _ = write!(
                out,
                ", {}started {} after the window opened, ended {} {} its end; {} restart{}, {} message{}.",
                if r.opening > 0 { format!("in week {} ", r.opening + 1) } else { String::new() },
                DurationDisplay(r.start - opened),
                DurationDisplay(r.end.abs_diff(closes)),
                if r.end > closes { "after" } else { "before" },
                r.restarts,
                if r.restarts == 1 { "" } else { "s" },
                r.messages + r.state_messages,
                if r.messages + r.state_messages == 1 { "" } else { "s" }
            );
        } else {
            out.push_str(
                ": the sequence never started (offline, the deployment expired, or the max run time did not fit).",
            );
        }
        out
    }

    /// The timeline as a table for a terminal.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{}\n", self.headline());
        let _ =
            writeln!(out, "{:>9} {:>9}  {:<9} {:<52} {:<20} {:>6}", "start", "end", "kind", "name", "result", "exit");
        let minutes = |t: Millis| format!("{:+.2}", self.minutes(t));
        for r in &self.rows {
            let indent = "  ".repeat(r.depth as usize);
            let end = if r.end == r.start { String::new() } else { minutes(r.end) };
            let _ = writeln!(
                out,
                "{:>9} {:>9}  {:<9} {:<52} {:<20} {:>6}",
                minutes(r.start),
                end,
                r.kind.key(),
                format!("{indent}{}", r.name),
                r.result,
                r.exit_code.map(|c| c.to_string()).unwrap_or_default()
            );
        }
        let _ = write!(
            out,
            "\nTimes are minutes from the window's start; the window closes at {:+.2}",
            self.minutes(self.window_end)
        );
        if self.record.runs > 1 || self.record.opening > 0 {
            let _ = write!(out, " and opens again every {:.2} minutes", WEEK as f64 / MINUTE as f64);
        }
        let _ = writeln!(out, ".");
        out
    }

    /// The timeline as CSV: one row per row of the table, times in minutes from the window's
    /// start and as moments of the week.
    pub fn csv(&self, style: CsvStyle) -> Vec<u8> {
        let header = "kind,name,depth,start_minute,end_minute,start,end,result,exit_code";
        let mut out = CsvWriter::new(style, header, self.rows.len() * 80);
        for r in &self.rows {
            let mut row = out.row();
            row.whole(r.kind.key()).text(&r.name).whole(r.depth);
            row.short(self.minutes(r.start)).short(self.minutes(r.end));
            row.text(&format_week_time(r.start)).text(&format_week_time(r.end)).text(&r.result);
            match r.exit_code {
                Some(code) => row.whole(code),
                None => row.empty(),
            };
            row.end();
        }
        out.finish()
    }
}

/// Every file of a trace: `trace.csv` (in `style`) and the Gantt chart.
pub fn trace_files(timeline: &Timeline, style: CsvStyle) -> Result<Vec<ReportFile>, ReportError> {
    let (svg, png) = chart_files(&Gantt(timeline))?;
    Ok(vec![
        ReportFile::new("trace.csv", timeline.csv(style)),
        ReportFile::new("trace.svg", svg.into_bytes()),
        ReportFile::new("trace.png", png),
    ])
}
