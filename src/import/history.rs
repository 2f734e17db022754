//! Execution history: an export of the `vSMS_TaskSequenceExecutionStatus` view, rebuilt into
//! runs and per-step durations.
//!
//! Each row is one status message of one run: `AdvertisementID, ResourceID, ExecutionTime,
//! Step, ActionName, GroupName, LastStatusMsgID, LastStatusMsgName, ExitCode, ActionOutput`.
//! Rows are grouped by (`ResourceID`, `AdvertisementID`) and ordered by time; rows at the same
//! moment are put in one total order that does not depend on the file's: a run's start (11140)
//! first, then the messages that end something timed (step completions and failures 11134,
//! 11135, restarts 11142), then the others (groups, skipped steps: they time nothing), and the
//! run's end (11143, 11141) last; within each of these by `Step`, then by message ID (then by
//! `ActionName` and `ExitCode`, so that rows differing in anything used never tie). A group's
//! messages carry the group's own, lower, `Step`: ordering them by `Step` alone would put a
//! group's completion before the step that finished at the same moment inside it, and take
//! that step's time. Any order of the same rows rebuilds the same runs and samples.
//!
//! A message 11140 ("the task sequence execution engine started") begins a new run. Within a
//! run, the duration of a step is the time since the run's previous message; a restart message
//! (11142) right after a step's completion (3010, Restart Computer, a requested restart) gives
//! the restart's duration the same way. An 11142 of a step that has not completed yet is a
//! restart inside it (Install Software Updates' own restart, a pending restart before it, an
//! update that restarted the machine): nothing marks where it began, so it is counted for the
//! step ([`ActionSamples::restarts_within`]), its time stays in the step's, and the step's
//! completion is timed from the message before the step.
//!
//! A message 11138 ("the task sequence execution engine ignored execution failure of an
//! action") is a failure of its step, timed like 11135: the step failed and the engine went on.
//! When it comes right after an 11135 of the same step at the same moment it is that failure's
//! second message and is not counted again.
//!
//! Times are read in the format the file's values show, or the one named
//! ([`crate::input::TimeFormat`], [`crate::input::TimeDetection`]): ISO 8601, SQL Server, the
//! culture formats of PowerShell and Excel, WMI's. A time with an offset is taken to UTC, one
//! without is taken as the wall time it is; all a history needs is that its times compare.
//!
//! A cell holding the text `NULL` (how SQL Server Management Studio saves an empty value) reads
//! as empty. Line numbers are the file's own: a CRLF line ending counts once, and a row whose
//! quoted field spans lines is named by its first line.
//!
//! Rows that cannot be used (a time that is not a time, a missing server, a message ID that is
//! not a number) are counted by reason with the first lines that show it — never dropped
//! silently — and a file of which too little is usable is an error ([`super::usable`]).

use std::collections::HashMap;
use std::path::Path;

use super::coupling::Span;
use super::execution::{Execution, RunEnd};
pub use super::usable::BadRows;
use super::usable::{HistoryError, Unusable};
use crate::configmgr::history_view::{self, format_time};
use crate::configmgr::message;
use crate::input::text::shown;
use crate::input::{CsvLines, InputError, InputFile, TimeDetection, TimeFormat, TimeValue, csv_separator, field_place};

/// The messages a history is timed by.
const MSG_RUN_STARTED: u32 = message::RUN_STARTED.id;
const MSG_STEP_SUCCEEDED: u32 = message::STEP_SUCCEEDED.id;
const MSG_STEP_FAILED: u32 = message::STEP_FAILED.id;
const MSG_FAILURE_IGNORED: u32 = message::STEP_FAILURE_IGNORED.id;
const MSG_RESTART: u32 = message::RESTART.id;
const MSG_RUN_COMPLETED: u32 = message::RUN_COMPLETED.id;
const MSG_RUN_FAILED: u32 = message::RUN_FAILED.id;
const MSG_MANAGER_COMPLETED: u32 = message::MANAGER_COMPLETED.id;
const MSG_MANAGER_FAILED: u32 = message::MANAGER_FAILED.id;

/// Largest history file read (4 GiB).
pub const MAX_HISTORY_BYTES: u64 = 4 << 30;

/// How many example lines to keep for each reason a row was not used.
const EXAMPLES: usize = 5;

/// The longest example value a reason quotes, in characters (longer ones are cut with `…`).
const EXAMPLE_CHARS: usize = 40;

/// The column a history's times are in.
const TIME_COLUMN: &str = "ExecutionTime";

/// The history, rebuilt into samples.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct History {
    /// Data rows read (excluding the header and blank lines; each line a never-closed double
    /// quote swallowed counts as one).
    pub rows: u64,
    /// Rows not used, by reason.
    pub bad: Vec<BadRows>,
    /// Runs found.
    pub runs: u64,
    /// Distinct servers (`ResourceID`).
    pub servers: u64,
    /// Earliest and latest `ExecutionTime` as read (in UTC when the file gives offsets),
    /// written `YYYY-MM-DD HH:MM:SS.fff` whatever the file's format.
    pub span: Option<(String, String)>,
    /// The format the times were read in: the one named, or the one the values show.
    pub time_format: Option<TimeFormat>,
    /// Whether `time_format` was told from the values (not named).
    pub time_format_detected: bool,
    /// Completion messages that were the first message of their run (no start message before
    /// them in the export), so their duration is unknown.
    pub untimed: u64,
    /// Per step name (`ActionName`), in order of first appearance by step index.
    pub actions: Vec<ActionSamples>,
    /// Restart durations, in seconds.
    pub restarts: Vec<f64>,
    /// Every run, ordered by server and deployment (sorted as text), then by time: how long it
    /// took, how it ended, its restarts (what `backtest` compares with a projection).
    pub executions: Vec<Execution>,
}

/// What the history says about one step.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActionSamples {
    /// The step's name (`ActionName`).
    pub name: String,
    /// Durations in seconds (the time since the run's previous message), positive ones only.
    pub durations: Vec<f64>,
    /// When each of `durations` started and ended (the coupling check's input), in the same
    /// order.
    pub spans: Vec<Span>,
    /// Completions whose duration was 0 (same time as the previous message), left out of fits.
    pub zero: u64,
    /// Exit codes seen on its completion messages, with counts, ascending by code.
    pub exit_codes: Vec<(i64, u64)>,
    /// Completions without an exit code.
    pub no_exit_code: u64,
    /// Completions that failed (11135, or 11138: the failure ignored, the engine went on).
    pub failed: u64,
    /// The most completions of this name in one run: above 1, each completion is one item of an
    /// install (or one of several steps of that name), not the whole step.
    pub most_in_a_run: u32,
    /// Restarts inside the step (an 11142 of the step before its completion: Install Software
    /// Updates' own restart, a pending restart before it, an update that restarted the machine),
    /// counted for the completions that count in `durations` and `zero`: their time is part of
    /// those durations, as no message marks where they began. Those of a run whose step never
    /// completed are left out with it.
    pub restarts_within: u64,
}

/// One usable row.
struct Row {
    run_key: u32,
    /// The time as read; `time_ms` once the file's format is known.
    time: TimeValue,
    time_ms: i64,
    /// The row's first line, for a time its format does not read.
    line: u64,
    step: i64,
    action: u32,
    message: u32,
    exit_code: Option<i64>,
}

/// A cell's text, trimmed; `NULL` (SQL Server Management Studio's empty cell) reads as empty,
/// and the quote patchsim's own CSVs put before a text that Excel would run as a formula
/// (`'=…`, `'+…`, `'-…`, `'@…`) is taken off again. `None` when the bytes are not UTF-8.
fn cell(field: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(field).ok()?.trim();
    Some(match text {
        "NULL" => "",
        guarded if guarded.starts_with("'") && guarded[1..].starts_with(['=', '+', '-', '@']) => &guarded[1..],
        plain => plain,
    })
}

/// Rows not used, by reason, each with its first few lines.
#[derive(Default)]
struct BadTally {
    bad: Vec<BadRows>,
}

impl BadTally {
    /// Notes `rows` rows, on the lines from `line` on, as not used for `reason`; `example` is
    /// the value at fault, when one is (the first is kept, cut and with control characters
    /// escaped).
    fn note(&mut self, reason: &str, line: u64, rows: u64, example: Option<&str>) {
        let index = match self.bad.iter().position(|b| b.reason == reason) {
            Some(i) => i,
            None => {
                let example = example.map(|e| {
                    let mut cut: String = e.chars().take(EXAMPLE_CHARS).collect();
                    if e.chars().nth(EXAMPLE_CHARS).is_some() {
                        cut.push('…');
                    }
                    shown(&cut).into_owned()
                });
                self.bad.push(BadRows { reason: reason.to_owned(), count: 0, lines: Vec::new(), example });
                self.bad.len() - 1
            }
        };
        let b = &mut self.bad[index];
        b.count += rows;
        for l in line..line + rows {
            if b.lines.len() >= EXAMPLES {
                break;
            }
            b.lines.push(l);
        }
    }
}

/// Ranks of interned keys in sorted order: `ranks[id]` is the place of key `id` among all.
fn ranks<K: Ord>(keys: &HashMap<K, u32>) -> Vec<u32> {
    let mut sorted: Vec<(&K, u32)> = keys.iter().map(|(k, id)| (k, *id)).collect();
    sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut ranks = vec![0u32; sorted.len()];
    for (place, (_, id)) in sorted.into_iter().enumerate() {
        ranks[id as usize] = place as u32;
    }
    ranks
}

impl History {
    /// Reads and rebuilds a history file; `shown` names it in errors; `time_format` is the
    /// format its times are in, `None` to tell it from the values.
    pub fn read(path: &Path, shown: &str, time_format: Option<TimeFormat>) -> Result<Self, HistoryError> {
        let file = InputFile { shown, what: "history", kind: "a history CSV file", max_bytes: MAX_HISTORY_BYTES };
        let bytes = file.read(path)?;
        Self::parse_as(&bytes, shown, time_format)
    }

    /// [`Self::parse_as`] with the time format told from the values.
    pub fn parse(bytes: &[u8], shown: &str) -> Result<Self, HistoryError> {
        Self::parse_as(bytes, shown, None)
    }

    /// Rebuilds the history from the bytes of a CSV export, its times in `time_format` (`None`:
    /// the format the values show, [`TimeDetection`]). The result does not depend on the order
    /// of the data rows (but for the line numbers of bad rows); times whose format cannot be
    /// told are a [`HistoryError::Times`], a file of which too little is usable a
    /// [`HistoryError::Unusable`].
    ///
    /// Three phases: the rows are read and checked ([`Reading`]), put in the module's total
    /// order with their times in the file's format ([`Reading::into_ordered`]), and walked run
    /// by run into samples ([`Samples`]).
    pub fn parse_as(bytes: &[u8], shown: &str, time_format: Option<TimeFormat>) -> Result<Self, HistoryError> {
        let bytes = crate::input::utf8_bytes(bytes).map_err(|m| InputError::file(shown, m))?;
        let bytes: &[u8] = &bytes;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(InputError::file(
                shown,
                "the history is empty: it needs a header line and one line per status message",
            )
            .into());
        }
        let mut lines = CsvLines::new(bytes);
        let mut reader = crate::input::csv_reader(bytes);
        let columns = Columns::read(&mut reader, &mut lines, shown)?;
        let mut reading = Reading::new(time_format, csv_separator(bytes));
        reading.read_rows(&mut reader, &mut lines, bytes, &columns);
        let format = match time_format {
            Some(named) => Some(named),
            None => reading.detection.decide(shown, TIME_COLUMN).map_err(HistoryError::Times)?,
        };

        let mut history = Self {
            rows: reading.rows,
            servers: reading.servers.len() as u64,
            time_format: format,
            time_format_detected: time_format.is_none() && format.is_some(),
            ..Self::default()
        };
        let Ordered { action_names, run_names, rows, bad } = reading.into_ordered(format);
        history.bad = bad;
        history.span = rows
            .iter()
            .map(|r| r.time_ms)
            .min()
            .zip(rows.iter().map(|r| r.time_ms).max())
            .map(|(a, b)| (format_time(a), format_time(b)));
        let mut samples = Samples::new(action_names);
        for row in &rows {
            samples.add(row, &mut history, &run_names);
        }
        samples.end_run(&mut history);
        history.actions = samples.in_step_order();
        let timed =
            history.actions.iter().map(|a| a.durations.len() as u64).sum::<u64>() + history.restarts.len() as u64;
        let zero = history.actions.iter().map(|a| a.zero).sum();
        if let Some(unusable) = Unusable::judge(shown, history.rows, &history.bad, timed, history.untimed, zero) {
            return Err(HistoryError::Unusable(unusable));
        }
        Ok(history)
    }

    /// Rows not used, in all.
    pub fn bad_rows(&self) -> u64 {
        self.bad.iter().map(|b| b.count).sum()
    }
}

/// Where the columns a history is rebuilt from are in the header.
struct Columns {
    /// Fields of the header.
    count: usize,
    advert: usize,
    resource: usize,
    time: usize,
    action: usize,
    message: usize,
    step: Option<usize>,
    exit: Option<usize>,
}

impl Columns {
    /// Reads the header line and finds the columns (case-insensitive); names the ones missing.
    fn read(reader: &mut csv::Reader<&[u8]>, lines: &mut CsvLines, shown: &str) -> Result<Self, InputError> {
        let mut header = csv::ByteRecord::new();
        let header_line = match reader.read_byte_record(&mut header) {
            Ok(true) => lines.record_start(header.position().map_or(0, csv::Position::byte)).1,
            Ok(false) => return Err(InputError::file(shown, "the history has no header line")),
            Err(e) => return Err(InputError::file(shown, format!("cannot read the header: {e}"))),
        };
        let names: Vec<String> =
            header.iter().map(|h| String::from_utf8_lossy(h).trim().to_ascii_lowercase()).collect();
        let find = |wanted: &str| names.iter().position(|n| *n == wanted.to_ascii_lowercase());
        let missing: Vec<&str> = history_view::REQUIRED_COLUMNS.iter().copied().filter(|c| find(c).is_none()).collect();
        if !missing.is_empty() {
            return Err(InputError {
                file: shown.to_owned(),
                line: Some(header_line as usize),
                column: None,
                key: None,
                message: format!(
                    "the header lacks {}; an export of vSMS_TaskSequenceExecutionStatus has {}",
                    missing.join(", "),
                    "AdvertisementID, ResourceID, ExecutionTime, Step, ActionName, GroupName, LastStatusMsgID, LastStatusMsgName, ExitCode, ActionOutput"
                ),
            });
        }
        let col = |c: &str| find(c).unwrap_or(usize::MAX);
        Ok(Self {
            count: names.len(),
            advert: col("AdvertisementID"),
            resource: col("ResourceID"),
            time: col("ExecutionTime"),
            action: col("ActionName"),
            message: col("LastStatusMsgID"),
            step: find("Step"),
            exit: find("ExitCode"),
        })
    }
}

/// One data row's fields, checked.
struct Fields<'a> {
    resource: &'a str,
    advert: &'a str,
    time_text: &'a str,
    time: TimeValue,
    message: u32,
    action_name: &'a str,
    step: i64,
    exit_code: Option<i64>,
}

/// Why a row cannot be used: a fixed reason, or its time (whose reason depends on the format
/// asked for), with the value at fault.
enum Unused<'a> {
    Because(&'static str),
    Time(&'a str),
}

impl<'a> Fields<'a> {
    /// The fields of `record`, or why the row cannot be used; `named` is the format asked for.
    fn of(record: &'a csv::ByteRecord, columns: &Columns, named: Option<TimeFormat>) -> Result<Self, Unused<'a>> {
        use Unused::Because;
        let text = |i: usize| -> Option<&'a str> { record.get(i).and_then(cell) };
        let resource = text(columns.resource).filter(|s| !s.is_empty()).ok_or(Because("no ResourceID"))?;
        let advert = text(columns.advert).filter(|s| !s.is_empty()).ok_or(Because("no AdvertisementID"))?;
        let time_text = text(columns.time).ok_or(Because("ExecutionTime is not text"))?;
        if time_text.is_empty() {
            return Err(Because("no ExecutionTime"));
        }
        let time = TimeValue::read(time_text)
            .filter(|v| named.is_none_or(|f| f.ms(*v).is_some()))
            .ok_or(Unused::Time(time_text))?;
        let message = text(columns.message)
            .and_then(|m| m.parse::<u32>().ok())
            .ok_or(Because("LastStatusMsgID is not a message number"))?;
        let action_name = text(columns.action).unwrap_or_default();
        if matches!(message, MSG_STEP_SUCCEEDED | MSG_STEP_FAILED | MSG_FAILURE_IGNORED) && action_name.is_empty() {
            return Err(Because("a step completion (11134/11135/11138) with no ActionName"));
        }
        let step = match columns.step.and_then(text) {
            Some(s) if !s.is_empty() => s.parse::<i64>().map_err(|_| Because("Step is not a number"))?,
            _ => i64::MAX,
        };
        let exit_code = match columns.exit.and_then(text) {
            Some(s) if !s.is_empty() => Some(parse_exit_code(s).ok_or(Because("ExitCode is not a number"))?),
            _ => None,
        };
        Ok(Self { resource, advert, time_text, time, message, action_name, step, exit_code })
    }
}

/// The first phase: the usable rows, with their runs and step names interned, and what the
/// file says as a whole (rows read, rows not used, servers, what the times show of their
/// format).
struct Reading {
    rows: u64,
    bad: BadTally,
    run_keys: HashMap<(String, String), u32>,
    action_ids: HashMap<String, u32>,
    servers: HashMap<String, ()>,
    usable: Vec<Row>,
    /// The format asked for, if one was.
    named: Option<TimeFormat>,
    /// What the times show of their format (when none was asked for).
    detection: TimeDetection,
    /// Why a time is not used, for the format asked for (or for any).
    time_reason: String,
    separator: u8,
}

impl Reading {
    fn new(named: Option<TimeFormat>, separator: u8) -> Self {
        let time_reason = match named {
            Some(f) => format!(
                "{TIME_COLUMN} is not a time as --time-format {} reads it ({}); leave --time-format out to have the format told from the values",
                f.name(),
                f.describe()
            ),
            None => format!(
                "{TIME_COLUMN} is not a time patchsim reads (docs/import.md lists them: ISO 8601, SQL Server, PowerShell's and Excel's culture formats, WMI's)"
            ),
        };
        Self {
            rows: 0,
            bad: BadTally::default(),
            run_keys: HashMap::new(),
            action_ids: HashMap::new(),
            servers: HashMap::new(),
            usable: Vec::new(),
            named,
            detection: TimeDetection::default(),
            time_reason,
            separator,
        }
    }

    /// Reads every data row after the header.
    fn read_rows(&mut self, reader: &mut csv::Reader<&[u8]>, lines: &mut CsvLines, bytes: &[u8], columns: &Columns) {
        let mut record = csv::ByteRecord::new();
        loop {
            let read = reader.read_byte_record(&mut record);
            let (start, line) = lines.record_start(record.position().map_or(0, csv::Position::byte));
            match read {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = e.position().map_or(line, |p| lines.record_start(p.byte()).1);
                    self.rows += 1;
                    self.bad.note("the CSV line cannot be read", line, 1, None);
                    continue;
                }
            }
            if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                continue;
            }
            let end = (reader.position().byte() as usize).min(bytes.len());
            let raw = &bytes[start..end];
            if end == bytes.len() && raw.iter().filter(|b| **b == b'"').count() % 2 == 1 {
                // A double quote never closed runs to the end of the file: every line it
                // swallowed is a row not used.
                let content = raw.iter().rposition(|b| !matches!(b, b'\r' | b'\n')).unwrap_or(0);
                let last = lines.line_of(start + content).max(line);
                let swallowed = last - line + 1;
                self.rows += swallowed;
                self.bad.note(
                    "a double quote is never closed: the row runs on to the end of the file",
                    line,
                    swallowed,
                    None,
                );
                continue;
            }
            self.rows += 1;
            if record.len() < columns.count {
                let reason = format!("the line has {} fields, the header {}", record.len(), columns.count);
                self.bad.note(&reason, line, 1, None);
                continue;
            }
            match Fields::of(&record, columns, self.named) {
                Ok(fields) => {
                    if self.named.is_none() {
                        let separator = self.separator;
                        let place = || field_place(raw, separator, columns.time);
                        let (breaks, _) = place();
                        self.detection.note(fields.time, fields.time_text, line + breaks, || place().1);
                    }
                    self.keep(&fields, line);
                }
                Err(Unused::Because(reason)) => self.bad.note(reason, line, 1, None),
                Err(Unused::Time(value)) => self.bad.note(&self.time_reason, line, 1, Some(value)),
            }
        }
    }

    /// Keeps a usable row, on `line`: interns its run and step name.
    fn keep(&mut self, f: &Fields, line: u64) {
        if !self.servers.contains_key(f.resource) {
            self.servers.insert(f.resource.to_owned(), ());
        }
        let next = self.run_keys.len() as u32;
        let run_key = *self.run_keys.entry((f.resource.to_owned(), f.advert.to_owned())).or_insert(next);
        let action = match self.action_ids.get(f.action_name) {
            Some(id) => *id,
            None => {
                let id = self.action_ids.len() as u32;
                self.action_ids.insert(f.action_name.to_owned(), id);
                id
            }
        };
        self.usable.push(Row {
            run_key,
            time: f.time,
            time_ms: 0,
            line,
            step: f.step,
            action,
            message: f.message,
            exit_code: f.exit_code,
        });
    }

    /// The second phase: the step names in sorted order, the rows by server and deployment with
    /// their times in `format`, in time order, ties in the total order of the module comment,
    /// and the rows not used. Keys and names are ranked in sorted order, not the file's.
    fn into_ordered(self, format: Option<TimeFormat>) -> Ordered {
        let run_rank = ranks(&self.run_keys);
        let mut run_names: Vec<(String, String)> = vec![(String::new(), String::new()); self.run_keys.len()];
        for (key, id) in self.run_keys {
            run_names[run_rank[id as usize] as usize] = key;
        }
        let action_rank = ranks(&self.action_ids);
        let mut action_names: Vec<String> = vec![String::new(); self.action_ids.len()];
        for (name, id) in self.action_ids {
            action_names[action_rank[id as usize] as usize] = name;
        }
        let mut bad = self.bad;
        let mut rows = self.usable;
        // Every time was read in the format asked for, or is of the one layout the file shows,
        // in an order of day and month that makes it a date: none fails here. Should one, it is
        // a row not used, never a row dropped unsaid.
        rows.retain_mut(|row| match format.and_then(|f| f.ms(row.time)) {
            Some(ms) => {
                row.time_ms = ms;
                row.run_key = run_rank[row.run_key as usize];
                row.action = action_rank[row.action as usize];
                true
            }
            None => {
                bad.note(&self.time_reason, row.line, 1, None);
                false
            }
        });
        let rank = |message: u32| match message {
            MSG_RUN_STARTED => 0u8,
            MSG_STEP_SUCCEEDED | MSG_STEP_FAILED | MSG_FAILURE_IGNORED | MSG_RESTART => 1,
            MSG_RUN_FAILED | MSG_RUN_COMPLETED | MSG_MANAGER_FAILED | MSG_MANAGER_COMPLETED => 3,
            _ => 2,
        };
        rows.sort_unstable_by_key(|r| {
            (r.run_key, r.time_ms, rank(r.message), r.step, r.message, r.action, r.exit_code)
        });
        Ordered { action_names, run_names, rows, bad: bad.bad }
    }
}

/// The second phase's result: names in sorted order, the usable rows in the module's total
/// order, and the rows not used.
struct Ordered {
    action_names: Vec<String>,
    /// (`ResourceID`, `AdvertisementID`) of each run key.
    run_names: Vec<(String, String)>,
    rows: Vec<Row>,
    bad: Vec<BadRows>,
}

/// The third phase: the ordered rows walked run by run into each step's samples.
struct Samples {
    samples: Vec<ActionSamples>,
    /// Each step name's lowest step index.
    first_step: Vec<i64>,
    exit_counts: Vec<HashMap<i64, u64>>,
    /// The run key and time of the previous row.
    previous: Option<(u32, i64)>,
    /// The previous row's (run key, time, step, name) when it was a failure (11135).
    previous_failure: Option<(u32, i64, i64, u32)>,
    /// The run's last timed row's (run key, name, step index) when it was a step's completion
    /// or failure.
    previous_completion: Option<(u32, u32, i64)>,
    /// Restarts inside the step now running: (run key, name, step index, how many), counted
    /// for it when it completes.
    pending_within: Option<(u32, u32, i64, u64)>,
    /// Completions of each name in the current run: (run number, count).
    in_run: Vec<(u64, u32)>,
    run_number: u64,
    /// The run being walked, until its next row belongs to another.
    current: Option<Execution>,
}

impl Samples {
    fn new(action_names: Vec<String>) -> Self {
        let n = action_names.len();
        Self {
            samples: action_names.into_iter().map(|name| ActionSamples { name, ..ActionSamples::default() }).collect(),
            first_step: vec![i64::MAX; n],
            exit_counts: vec![HashMap::new(); n],
            previous: None,
            previous_failure: None,
            previous_completion: None,
            pending_within: None,
            in_run: vec![(u64::MAX, 0); n],
            run_number: 0,
            current: None,
        }
    }

    /// Ends the run being walked, if any, into `history.executions`.
    fn end_run(&mut self, history: &mut History) {
        if let Some(run) = self.current.take() {
            history.executions.push(run);
        }
    }

    /// Adds the next row in order; runs and restarts are counted into `history`; `run_names`
    /// names each run key's server and deployment.
    fn add(&mut self, row: &Row, history: &mut History, run_names: &[(String, String)]) {
        if row.message == MSG_RUN_STARTED || self.previous.is_none_or(|(key, _)| key != row.run_key) {
            self.run_number += 1;
            self.end_run(history);
            let (resource, advertisement) = run_names.get(row.run_key as usize).cloned().unwrap_or_default();
            self.current = Some(Execution {
                resource,
                advertisement,
                start_ms: row.time_ms,
                end_ms: row.time_ms,
                has_start: row.message == MSG_RUN_STARTED,
                end: RunEnd::Unfinished,
                restarts: 0,
            });
        }
        if let Some(run) = &mut self.current {
            run.end_ms = row.time_ms;
            if let Some(end) = RunEnd::of_message(row.message) {
                run.end = end;
            }
            if row.message == MSG_RESTART {
                run.restarts += 1;
            }
        }
        let since = match self.previous {
            Some((key, t)) if key == row.run_key && row.message != MSG_RUN_STARTED => Some(row.time_ms - t),
            _ => None,
        };
        if row.message == MSG_RUN_STARTED {
            history.runs += 1;
        }
        // A restart inside a step (its 11142 before the step completed, not right after): no
        // message marks where it began, so its time stays in the step's, and the step's
        // completion is timed from the message before the step as if the 11142 were not there.
        // The same step (name and index): one of the same name right after it is another step.
        let after_completion = self.previous_completion == Some((row.run_key, row.action, row.step));
        let within_step = row.message == MSG_RESTART && since.is_some() && !after_completion;
        // Messages that time nothing (groups, skipped steps) leave it as it was.
        match row.message {
            MSG_STEP_SUCCEEDED | MSG_STEP_FAILED | MSG_FAILURE_IGNORED => {
                self.previous_completion = Some((row.run_key, row.action, row.step));
            }
            MSG_RESTART | MSG_RUN_STARTED => self.previous_completion = None,
            _ => {}
        }
        if within_step {
            let step = (row.run_key, row.action, row.step);
            self.pending_within = Some(match self.pending_within {
                Some((k, a, i, n)) if (k, a, i) == step => (k, a, i, n + 1),
                _ => (step.0, step.1, step.2, 1),
            });
            self.previous_failure = None;
            return;
        }
        // The step's restarts count with its completion, when the completion is counted.
        let within = match self.pending_within.take() {
            Some((k, a, i, n)) if (k, a, i) == (row.run_key, row.action, row.step) => n,
            _ => 0,
        };
        self.previous = Some((row.run_key, row.time_ms));
        let this = (row.run_key, row.time_ms, row.step, row.action);
        let repeated = row.message == MSG_FAILURE_IGNORED && self.previous_failure == Some(this);
        self.previous_failure = (row.message == MSG_STEP_FAILED).then_some(this);
        match row.message {
            // The failure's second message: the 11135 before it counted it.
            MSG_FAILURE_IGNORED if repeated => {}
            MSG_STEP_SUCCEEDED | MSG_STEP_FAILED | MSG_FAILURE_IGNORED => {
                let a = row.action as usize;
                self.first_step[a] = self.first_step[a].min(row.step);
                let seen = &mut self.in_run[a];
                *seen = if seen.0 == self.run_number { (self.run_number, seen.1 + 1) } else { (self.run_number, 1) };
                let s = &mut self.samples[a];
                s.most_in_a_run = s.most_in_a_run.max(seen.1);
                if row.message != MSG_STEP_SUCCEEDED {
                    s.failed += 1;
                }
                match row.exit_code {
                    Some(c) => *self.exit_counts[a].entry(c).or_default() += 1,
                    None => s.no_exit_code += 1,
                }
                match since {
                    Some(ms) if ms > 0 => {
                        s.durations.push(ms as f64 / 1000.0);
                        s.spans.push(Span { start_ms: row.time_ms - ms, end_ms: row.time_ms });
                        s.restarts_within += within;
                    }
                    Some(_) => {
                        s.zero += 1;
                        s.restarts_within += within;
                    }
                    None => history.untimed += 1,
                }
            }
            MSG_RESTART => {
                if let Some(ms) = since.filter(|ms| *ms > 0) {
                    history.restarts.push(ms as f64 / 1000.0);
                }
            }
            _ => {}
        }
    }

    /// The steps seen, in the order they run (by their lowest step index), names of the same
    /// index in sorted order (the ranks are the names' sorted order).
    fn in_step_order(mut self) -> Vec<ActionSamples> {
        for (s, counts) in self.samples.iter_mut().zip(self.exit_counts) {
            let mut codes: Vec<(i64, u64)> = counts.into_iter().collect();
            codes.sort();
            s.exit_codes = codes;
        }
        let mut order: Vec<usize> = (0..self.samples.len()).collect();
        order.sort_by_key(|i| (self.first_step[*i], *i));
        order
            .into_iter()
            .map(|i| std::mem::take(&mut self.samples[i]))
            .filter(|s| !s.durations.is_empty() || s.zero > 0 || !s.exit_codes.is_empty() || s.no_exit_code > 0)
            .collect()
    }
}

/// An exit code as the view writes it: a decimal integer (possibly negative), or hex `0x…`.
fn parse_exit_code(text: &str) -> Option<i64> {
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        return u32::from_str_radix(hex, 16).ok().map(|v| i64::from(v as i32));
    }
    text.parse::<i64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_read_as_decimal_or_hex() {
        assert_eq!(parse_exit_code("-2147023436"), Some(-2_147_023_436));
        assert_eq!(parse_exit_code("0x80070BC2"), Some(-2_147_021_886));
    }

    #[test]
    fn rebuilds_runs_steps_and_restarts_and_counts_bad_rows() {
        let csv = "AdvertisementID,ResourceID,ExecutionTime,Step,ActionName,GroupName,LastStatusMsgID,LastStatusMsgName,ExitCode,ActionOutput
PS1,16777220,2026-11-03 04:00:00,0,,,11140,started,,
PS1,16777220,2026-11-03 04:05:00,1,Patch,,11134,ok,3010,\"out, with comma\"
PS1,16777220,2026-11-03 04:11:00,1,Patch,,11142,restart,,
PS1,16777220,2026-11-03 04:12:00,2,Tidy,,11135,failed,1,
PS1,16777221,2026-11-03 04:02:00,1,Patch,,11134,ok,0,
PS1,16777221,2026-11-03 04:00:00,0,,,11140,started,,
PS1,16777221,not a time,2,Tidy,,11134,ok,0,
PS1,,2026-11-03 04:00:00,0,,,11140,started,,
PS1,16777221,2026-11-03 04:03:00,2,Tidy,,11134,ok,0,
PS1,16777222,2026-11-03 04:03:00,2,Tidy,,11134,ok,0,
PS1,16777221,2026-11-03 05:00:00,2,Tidy,,x,ok,0,
";
        let h = History::parse(csv.as_bytes(), "h.csv").unwrap();
        assert_eq!((h.rows, h.runs, h.servers), (11, 2, 3));
        assert_eq!(h.bad_rows(), 3);
        assert_eq!(h.bad.iter().map(|b| (b.count, b.lines[0])).collect::<Vec<_>>(), [(1, 8), (1, 9), (1, 12)]);
        let names: Vec<&str> = h.actions.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["Patch", "Tidy"]);
        // Patch: 5 minutes on one server (start 04:00), 2 minutes on the other (rows out of order).
        assert_eq!(h.actions[0].durations, [300.0, 120.0]);
        assert_eq!(h.actions[0].exit_codes, [(0, 1), (3010, 1)]);
        // The restart took 6 minutes; Tidy 1 minute after it, and 1 minute on the second server;
        // a run with no start message (16777222) cannot time its first message.
        assert_eq!(h.restarts, [360.0]);
        assert_eq!(h.actions[1].durations, [60.0, 60.0]);
        assert_eq!((h.actions[1].failed, h.untimed), (1, 1));
        assert_eq!((h.actions[0].most_in_a_run, h.actions[1].most_in_a_run), (1, 1));
        assert_eq!(h.span, Some(("2026-11-03 04:00:00.000".to_owned(), "2026-11-03 04:12:00.000".to_owned())));
        assert_eq!((h.time_format, h.time_format_detected), (Some(TimeFormat::Iso), true));
    }

    const HEADER: &str = "AdvertisementID,ResourceID,ExecutionTime,Step,ActionName,GroupName,LastStatusMsgID,LastStatusMsgName,ExitCode,ActionOutput";

    #[test]
    fn ssms_null_cells_read_as_empty() {
        // SQL Server Management Studio's "Save Results As" writes NULL in every empty cell.
        let csv = format!(
            "{HEADER}
PS1,16777220,2026-11-03 04:00:00,0,NULL,NULL,11140,started,NULL,NULL
PS1,16777220,2026-11-03 04:05:00,1,Patch,NULL,11134,ok,3010,NULL
PS1,16777220,2026-11-03 04:06:00,NULL,Tidy,NULL,11134,ok,NULL,NULL
PS1,NULL,2026-11-03 04:07:00,2,Tidy,NULL,11134,ok,0,NULL
PS1,16777220,2026-11-03 04:08:00,3,NULL,NULL,11135,failed,1,NULL
"
        );
        let h = History::parse(csv.as_bytes(), "h.csv").unwrap();
        assert_eq!((h.rows, h.runs, h.servers), (5, 1, 1));
        let bad: Vec<(&str, u64, &[u64])> = h.bad.iter().map(|b| (b.reason.as_str(), b.count, &b.lines[..])).collect();
        assert_eq!(
            bad,
            [("no ResourceID", 1, &[5][..]), ("a step completion (11134/11135/11138) with no ActionName", 1, &[6][..])]
        );
        assert_eq!(h.actions.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["Patch", "Tidy"]);
        assert_eq!((h.actions[0].durations.clone(), h.actions[0].exit_codes.clone()), (vec![300.0], vec![(3010, 1)]));
        // A NULL exit code is no exit code, a NULL step no step index.
        assert_eq!((h.actions[1].durations.clone(), h.actions[1].no_exit_code), (vec![60.0], 1));
    }

    #[test]
    fn windows_1252_files_and_guarded_formula_cells_read_as_written() {
        // Excel's "CSV (Comma delimited)" writes Windows-1252: "Mise à jour" has the byte 0xE0.
        let csv = format!(
            "{HEADER}
PS1,16777220,2026-11-03 04:00:00,0,,,11140,started,,
PS1,16777220,2026-11-03 04:05:00,1,Mise \u{e0} jour,,11134,ok,0,
PS1,16777220,2026-11-03 04:06:00,2,'=Formula,,11134,ok,0,
"
        );
        let bytes: Vec<u8> = csv.chars().map(|c| u8::try_from(u32::from(c)).unwrap()).collect();
        assert!(std::str::from_utf8(&bytes).is_err());
        let h = History::parse(&bytes, "h.csv").unwrap();
        assert!(h.bad.is_empty());
        assert_eq!(h.actions.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["Mise à jour", "=Formula"]);
    }

    /// The data rows of a history in another order (a fixed permutation for `seed`).
    fn reordered(csv: &str, seed: u64) -> String {
        let mut lines: Vec<&str> = csv.lines().collect();
        let mut state = seed;
        for i in (2..lines.len()).rev() {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let j = 1 + (state >> 33) as usize % i;
            lines.swap(i, j);
        }
        lines.join("\n") + "\n"
    }

    #[test]
    fn a_restart_inside_a_step_stays_in_the_step_s_time() {
        // Install Software Updates' own restart: its 11142 (at the restart's end) comes before
        // the step's completion; a 3010 restart comes after its step's completion.
        let csv = format!(
            "{HEADER}
PS1,1,2026-11-03 04:00:00,0,,,11140,started,,
PS1,1,2026-11-03 04:02:00,1,Sleep,,11134,ok,0,
PS1,1,2026-11-03 04:30:00,2,Updates,,11142,restart,,
PS1,1,2026-11-03 04:34:00,2,Updates,,11134,ok,0,
PS1,1,2026-11-03 04:40:00,3,Hotfix,,11134,ok,3010,
PS1,1,2026-11-03 04:47:00,3,Hotfix,,11142,restart,,
PS1,1,2026-11-03 04:47:00,0,,,11143,done,,
"
        );
        let h = History::parse(csv.as_bytes(), "h.csv").unwrap();
        let updates = h.actions.iter().find(|a| a.name == "Updates").unwrap();
        // From the sleep's end to the step's completion, its restart in it.
        assert_eq!((updates.durations.clone(), updates.restarts_within), (vec![32.0 * 60.0], 1));
        // Only the restart after the hotfix's completion is timed; the run counts both.
        assert_eq!(h.restarts, [420.0]);
        assert_eq!(h.executions[0].restarts, 2);
        let hotfix = h.actions.iter().find(|a| a.name == "Hotfix").unwrap();
        assert_eq!((hotfix.durations.clone(), hotfix.restarts_within), (vec![360.0], 0));

        // The console's one step name used twice in a row: the second step's restart is inside
        // it, not after the first. A run whose step restarts and never completes counts no
        // restart for the step (its durations have none of it).
        let csv = format!(
            "{HEADER}
PS1,1,2026-11-03 04:00:00,0,,,11140,started,,
PS1,1,2026-11-03 04:10:00,5,Install Software Updates,,11134,ok,0,
PS1,1,2026-11-03 04:40:00,6,Install Software Updates,,11142,restart,,
PS1,1,2026-11-03 04:45:00,6,Install Software Updates,,11134,ok,0,
PS1,2,2026-11-03 04:00:00,0,,,11140,started,,
PS1,2,2026-11-03 04:10:00,5,Install Software Updates,,11134,ok,0,
PS1,2,2026-11-03 04:30:00,6,Install Software Updates,,11142,restart,,
PS1,2,2026-11-03 04:50:00,6,Install Software Updates,,11142,restart,,
PS1,2,2026-11-03 05:00:00,0,,,11141,failed,,
"
        );
        let h = History::parse(csv.as_bytes(), "h.csv").unwrap();
        let updates = &h.actions[0];
        assert_eq!(updates.durations, [600.0, 2100.0, 600.0]);
        assert_eq!(updates.restarts_within, 1, "the restart of the step that completed, not of the one that failed");
        assert!(h.restarts.is_empty(), "no restart came after a completion");
        assert_eq!(h.executions.iter().map(|e| e.restarts).collect::<Vec<_>>(), [1, 2]);
    }

    #[test]
    fn rows_at_the_same_moment_time_the_step_that_ended_whatever_their_order() {
        // One run where everything after the first step happens at the same moment: a step
        // completes, the next is skipped, a group starts and its step completes and restarts,
        // the group completes, the run ends. The group's messages carry its lower step index.
        let csv = format!(
            "{HEADER}
A,1,2026-11-03 04:00:00,0,,,11140,,,
A,1,2026-11-03 04:05:00,1,Patch,,11134,,0,
A,1,2026-11-03 04:05:00,2,Skipped,,11130,,,
A,1,2026-11-03 04:05:00,3,,G,11124,,,
A,1,2026-11-03 04:05:00,4,In group,G,11134,,0,
A,1,2026-11-03 04:09:00,4,In group,G,11142,,,
A,1,2026-11-03 04:09:00,3,,G,11127,,,
A,1,2026-11-03 04:09:00,5,After,,11134,,0,
A,1,2026-11-03 04:09:00,0,,,11143,,,
A,2,2026-11-03 04:00:00,0,,,11140,,,
A,2,2026-11-03 04:02:00,1,Patch,,11134,,1,
A,2,2026-11-03 04:02:00,1,Patch,,11134,,0,
A,2,2026-11-03 04:03:00,5,After,,11134,,0,
"
        );
        let h = History::parse(csv.as_bytes(), "h.csv").unwrap();
        // Per step: name, durations, zero-length completions, exit codes.
        type Samples = Vec<(String, Vec<f64>, u64, Vec<(i64, u64)>)>;
        let got = |h: &History| -> Samples {
            h.actions.iter().map(|a| (a.name.clone(), a.durations.clone(), a.zero, a.exit_codes.clone())).collect()
        };
        let expected = vec![
            ("Patch".to_owned(), vec![300.0, 120.0], 1, vec![(0, 2), (1, 1)]),
            ("In group".to_owned(), vec![], 1, vec![(0, 1)]),
            ("After".to_owned(), vec![60.0], 1, vec![(0, 2)]),
        ];
        assert_eq!(got(&h), expected);
        assert_eq!((h.restarts.clone(), h.runs), (vec![240.0], 2));
        for seed in 1..=20 {
            let again = History::parse(reordered(&csv, seed).as_bytes(), "h.csv").unwrap();
            assert_eq!(got(&again), expected, "order {seed}");
            assert_eq!((again.restarts, again.runs, again.span), (h.restarts.clone(), 2, h.span.clone()));
        }
    }

    #[test]
    fn the_span_is_read_in_utc_and_written_alike_whatever_the_order_and_format() {
        let csv = format!(
            "{HEADER}
A,1,2026-11-03 04:00:00,0,,,11140,,,
A,2,2026-11-03T04:00:00Z,0,,,11140,,,
A,1,2026-11-03 04:05:00,1,Patch,,11134,,0,
A,2,2026-11-03T06:05:00+02:00,1,Patch,,11134,,0,
"
        );
        for seed in 0..6 {
            let text = if seed == 0 { csv.clone() } else { reordered(&csv, seed) };
            let h = History::parse(text.as_bytes(), "h.csv").unwrap();
            assert_eq!(
                h.span,
                Some(("2026-11-03 04:00:00.000".to_owned(), "2026-11-03 04:05:00.000".to_owned())),
                "order {seed}"
            );
        }
    }

    #[test]
    fn line_numbers_are_the_file_s_in_crlf_files_and_across_quoted_line_breaks() {
        // Lines 3 to 5 hold a row whose ActionOutput runs over three lines (with CRLF inside the
        // quotes in the CRLF file); the bad rows are on lines 7 and 9, after a blank line.
        let lf = format!(
            "{HEADER}
A,1,2026-11-03 04:00:00,0,,,11140,,,
A,1,2026-11-03 04:05:00,1,Patch,,11134,,0,\"first line
second, with a comma
third\"
A,1,2026-11-03 04:06:00,2,Tidy,,11134,,0,
A,1,not a time,2,Tidy,,11134,,0,

A,1,2026-11-03 04:07:00,2,Tidy,,x,,0,
A,1,2026-11-03 04:08:00,3,Last,,11134,,0,
"
        );
        let crlf = lf.replace('\n', "\r\n");
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(crlf.encode_utf16().flat_map(u16::to_le_bytes));
        for (what, bytes) in [("LF", lf.as_bytes()), ("CRLF", crlf.as_bytes()), ("UTF-16 CRLF", &utf16[..])] {
            let h = History::parse(bytes, "h.csv").unwrap();
            let lines: Vec<(u64, Vec<u64>)> = h.bad.iter().map(|b| (b.count, b.lines.clone())).collect();
            assert_eq!(lines, [(1, vec![7]), (1, vec![9])], "{what}");
            assert_eq!(h.rows, 6, "{what}");
        }
        // The header's own line, after blank lines, in a CRLF file.
        let err = History::parse(b"\r\n\r\nName,Time\r\nx,y\r\n", "h.csv").unwrap_err().to_string();
        assert!(err.starts_with("h.csv:3: the header lacks AdvertisementID"), "{err}");
    }

    #[test]
    fn a_double_quote_never_closed_makes_the_rest_of_the_file_rows_not_used() {
        let mut csv = format!("{HEADER}\r\nA,1,2026-11-03 04:00:00,0,,,11140,,,\r\n");
        for m in 1..=3 {
            csv.push_str(&format!("A,1,2026-11-03 04:0{m}:00,{m},S{m},,11134,,0,\r\n"));
        }
        // Line 6 opens a quote that nothing closes: lines 6 to 10 are one broken row.
        csv.push_str("A,1,2026-11-03 04:05:00,4,S4,,11134,,0,\"oops\r\n");
        for m in 6..=9 {
            csv.push_str(&format!("A,1,2026-11-03 04:0{m}:00,{m},S{m},,11134,,0,\r\n"));
        }
        let err = History::parse(csv.as_bytes(), "h.csv").unwrap_err();
        let HistoryError::Unusable(u) = &err else { panic!("{err}") };
        assert_eq!((u.rows, u.usable), (9, 4));
        assert_eq!(
            err.to_string(),
            "h.csv: only 4 of 9 rows are usable, fewer than half, so nothing is fitted: ..."
                .replace("...", "a double quote is never closed: the row runs on to the end of the file (5 rows: lines 6, 7, 8, 9, 10). Is this an export of vSMS_TaskSequenceExecutionStatus with the columns docs/import.md lists?")
        );
    }

    #[test]
    fn a_history_mostly_unusable_or_timing_nothing_is_an_error() {
        let mut csv =
            format!("{HEADER}\nA,1,2026-11-03 04:00:00,0,,,11140,,,\nA,1,2026-11-03 04:05:00,1,Patch,,11134,,0,\n");
        for i in 0..3 {
            csv.push_str(&format!("A,1,03/11/26 04:0{i}:00,1,Patch,,11134,,0,\n"));
        }
        let err = History::parse(csv.as_bytes(), "h.csv").unwrap_err();
        assert!(matches!(&err, HistoryError::Unusable(u) if u.why == super::super::usable::UnusableWhy::FewRowsUsable));
        assert_eq!(
            err.to_string(),
            "h.csv: only 2 of 5 rows are usable, fewer than half, so nothing is fitted: ExecutionTime is not a time patchsim reads (docs/import.md lists them: ISO 8601, SQL Server, PowerShell's and Excel's culture formats, WMI's) (3 rows: lines 4, 5, 6; line 4 has \"03/11/26 04:00:00\"). Is this an export of vSMS_TaskSequenceExecutionStatus with the columns docs/import.md lists?"
        );
        // Named, a format that the file's times are not in says which it read them as.
        let dotted = csv.replace("03/11/26", "03.11.2026");
        let err = History::parse_as(dotted.as_bytes(), "h.csv", Some(TimeFormat::Iso)).unwrap_err().to_string();
        assert_eq!(
            err,
            "h.csv: only 2 of 5 rows are usable, fewer than half, so nothing is fitted: ExecutionTime is not a time as --time-format iso reads it (year first: 2024-01-15 02:05:07[.fffffff], 2024-01-15T02:05:07Z or +01:00); leave --time-format out to have the format told from the values (3 rows: lines 4, 5, 6; line 4 has \"03.11.2026 04:00:00\"). Is this an export of vSMS_TaskSequenceExecutionStatus with the columns docs/import.md lists?"
        );
        // Only the completions exported: every one opens its run, nothing can be timed.
        let only = format!(
            "{HEADER}\nA,1,2026-11-03 04:05:00,1,Patch,,11134,,0,\nA,2,2026-11-03 04:06:00,1,Patch,,11134,,0,\n"
        );
        let err = History::parse(only.as_bytes(), "h.csv").unwrap_err().to_string();
        assert_eq!(
            err,
            "h.csv: no step or restart can be timed from the 2 usable rows: 2 step completions had no message of their run before them and 0 took no measurable time. A step is timed from the run's previous status message: export every message of the runs (the query in docs/import.md), not only the completions"
        );
        let header_only = format!("{HEADER}\r\n");
        let err = History::parse(header_only.as_bytes(), "h.csv").unwrap_err().to_string();
        assert_eq!(err, "h.csv: the history has a header but no rows: export the view's rows with it");
    }

    #[test]
    fn an_ignored_failure_is_a_failure_of_its_step_counted_once() {
        // Run 1: the step fails with continue on error and the view has 11138 alone; run 2: an
        // 11135 and its 11138 at the same moment (in either order in the file) are one failure;
        // run 3: an 11138 of another step after an 11135 is its own.
        let csv = format!(
            "{HEADER}
A,1,2026-11-03 04:00:00,0,,,11140,,,
A,1,2026-11-03 04:03:00,1,Patch,,11138,The task sequence execution engine ignored execution failure of an action,5,
A,1,2026-11-03 04:04:00,2,Tidy,,11134,,0,
A,2,2026-11-03 04:00:00,0,,,11140,,,
A,2,2026-11-03 04:02:00,1,Patch,,11138,,5,
A,2,2026-11-03 04:02:00,1,Patch,,11135,,5,
A,2,2026-11-03 04:04:00,2,Tidy,,11134,,0,
A,3,2026-11-03 04:00:00,0,,,11140,,,
A,3,2026-11-03 04:01:00,1,Patch,,11135,,5,
A,3,2026-11-03 04:05:00,2,Tidy,,11138,,1,
"
        );
        let h = History::parse(csv.as_bytes(), "h.csv").unwrap();
        // Per step: name, durations, failures, exit codes, most completions in a run.
        type Seen<'a> = (&'a str, &'a [f64], u64, &'a [(i64, u64)], u32);
        let got: Vec<Seen> = h
            .actions
            .iter()
            .map(|a| (a.name.as_str(), &a.durations[..], a.failed, &a.exit_codes[..], a.most_in_a_run))
            .collect();
        assert_eq!(
            got,
            [
                ("Patch", &[180.0, 120.0, 60.0][..], 3, &[(5, 3)][..], 1),
                ("Tidy", &[60.0, 120.0, 240.0][..], 1, &[(0, 2), (1, 1)][..], 1)
            ]
        );
        let no_name = format!(
            "{HEADER}\nA,1,2026-11-03 04:00:00,0,,,11140,,,\nA,1,2026-11-03 04:01:00,1,,,11138,,5,\nA,1,2026-11-03 04:02:00,2,T,,11134,,0,\n"
        );
        let h = History::parse(no_name.as_bytes(), "h.csv").unwrap();
        assert_eq!(h.bad[0].reason, "a step completion (11134/11135/11138) with no ActionName");
    }

    #[test]
    fn the_times_format_is_told_from_the_values_or_refused_with_its_place() {
        let iso = format!(
            "{HEADER}\nA,1,2026-11-03 04:00:00,0,,,11140,,,\nA,1,2026-11-03 04:05:00,1,Patch,,11134,,0,\nA,1,2026-11-12 04:06:30,2,Tidy,,11134,,0,\n"
        );
        let expected = History::parse(iso.as_bytes(), "h.csv").unwrap();
        // en-GB, with semicolons and quotes: 12/11 is fixed as day first by no value, 03/11 by none
        // either: ambiguous until a day above 12 is there.
        let gb = iso.replace(',', ";").replace("2026-11-03", "03/11/2026").replace("2026-11-12", "12/11/2026");
        let err = History::parse(gb.as_bytes(), "h.csv").unwrap_err();
        assert!(matches!(err, HistoryError::Times(_)), "{err}");
        assert!(err.to_string().starts_with("h.csv:2:5: key `ExecutionTime`: \"03/11/2026 04:00:00\" and every other date in the column (3 values) have the day and the month both 12 or less"), "{err}");
        let named = History::parse_as(gb.as_bytes(), "h.csv", Some(TimeFormat::Dmy)).unwrap();
        assert_eq!((named.actions.clone(), named.span.clone()), (expected.actions.clone(), expected.span.clone()));
        assert_eq!((named.time_format, named.time_format_detected), (Some(TimeFormat::Dmy), false));
        // A 13th tells.
        let told = gb.replace("12/11/2026", "13/11/2026");
        let h = History::parse(told.as_bytes(), "h.csv").unwrap();
        assert_eq!((h.time_format, h.time_format_detected), (Some(TimeFormat::Dmy), true));
        assert_eq!(h.span.as_ref().map(|s| s.1.as_str()), Some("2026-11-13 04:06:30.000"));
        // Month first in one row and day first in another: the later is named, with its column
        // counted in characters after a quoted name with a non-ASCII letter.
        let both =
            format!("{HEADER}\n\"Ä,B\",1,11/13/2026 04:00,0,,,11140,,,\nA,1,13/11/2026 04:05,1,Patch,,11134,,0,\n");
        let err = History::parse(both.as_bytes(), "h.csv").unwrap_err().to_string();
        assert!(err.starts_with("h.csv:3:5: key `ExecutionTime`: \"13/11/2026 04:05\" is a date only day first, but line 2 has \"11/13/2026 04:00\", a date only month first"), "{err}");
        let swapped =
            both.replace("11/13/2026 04:00", "13/11/2026 04:00").replace("13/11/2026 04:05", "11/13/2026 04:05");
        let err = History::parse(swapped.as_bytes(), "h.csv").unwrap_err().to_string();
        assert!(
            err.starts_with("h.csv:3:5: key `ExecutionTime`: \"11/13/2026 04:05\" is a date only month first"),
            "{err}"
        );
        let ambiguous = both.replace("11/13/2026", "11/12/2026").replace("13/11/2026", "12/11/2026");
        let err = History::parse(ambiguous.as_bytes(), "h.csv").unwrap_err().to_string();
        assert!(err.starts_with("h.csv:2:9: key `ExecutionTime`: \"11/12/2026 04:00\" and every other"), "{err}");
        // Two layouts in one file.
        let mixed = iso.replace("2026-11-12 04:06:30", "12.11.2026 04:06:30");
        let err = History::parse(mixed.as_bytes(), "h.csv").unwrap_err().to_string();
        assert!(
            err.starts_with("h.csv:4:5: key `ExecutionTime`: \"12.11.2026 04:06:30\" is written day.month.year"),
            "{err}"
        );
    }

    #[test]
    fn a_header_without_the_view_s_columns_is_refused() {
        let err = History::parse(b"Name,Time\nx,y\n", "h.csv").unwrap_err().to_string();
        assert!(
            err.starts_with(
                "h.csv:1: the header lacks AdvertisementID, ResourceID, ExecutionTime, ActionName, LastStatusMsgID"
            ),
            "{err}"
        );
        let err = History::parse(
            b"AdvertisementID,ResourceID,ExecutionTime,ActionName,LastStatusMsgID\nA,1,bad,x,11134\n",
            "h.csv",
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("h.csv: no usable row: ExecutionTime is not a time"), "{err}");
    }
}
