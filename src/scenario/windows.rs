//! Maintenance windows: the grid of days × start times, and how servers are assigned.
//!
//! Simulated time starts at Monday 00:00 (0 ms). A window named `"Tue 04:00"` starts at
//! 1 day 4 hours and ends `length` later; runs may go on past the end (and past the week).
//! Days may instead be given relative to Patch Tuesday (`"PT+3"`): time 0 is then the Monday
//! before Patch Tuesday, and `"PT+3 04:00"` starts at 4 days 4 hours.

use std::fmt;
use std::sync::Arc;

use super::duration::{DAY, DurationDisplay, HOUR, MINUTE, Millis};
use super::fleet::Class;
use super::reader::{ReadResult, Table, Value};
use crate::input::{FileSource, InputFile, ReadFile};
use crate::scenario::Inventory;
use crate::scenario::inventory::MAX_INVENTORY_BYTES;

/// A day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Day {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Day {
    /// Every day, Monday first.
    pub const ALL: [Self; 7] = [Self::Mon, Self::Tue, Self::Wed, Self::Thu, Self::Fri, Self::Sat, Self::Sun];

    /// The three-letter name used in scenarios.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Mon => "Mon",
            Self::Tue => "Tue",
            Self::Wed => "Wed",
            Self::Thu => "Thu",
            Self::Fri => "Fri",
            Self::Sat => "Sat",
            Self::Sun => "Sun",
        }
    }

    /// Days since Monday.
    pub const fn index(self) -> u64 {
        self as u64
    }

    /// Parses `Mon`…`Sun` (case-insensitive; full names accepted too).
    pub fn parse(text: &str) -> Option<Self> {
        let lower = text.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|d| {
            let short = d.name().to_ascii_lowercase();
            lower == short || (lower.len() > 3 && full_name(*d).starts_with(&lower) && lower.starts_with(&short))
        })
    }
}

fn full_name(day: Day) -> &'static str {
    match day {
        Day::Mon => "monday",
        Day::Tue => "tuesday",
        Day::Wed => "wednesday",
        Day::Thu => "thursday",
        Day::Fri => "friday",
        Day::Sat => "saturday",
        Day::Sun => "sunday",
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Parses a time of day `HH:MM` (00:00 to 23:59) into milliseconds after midnight.
pub fn parse_time_of_day(text: &str) -> Result<Millis, String> {
    let bad = || format!("\"{text}\" is not a time of day: write HH:MM from 00:00 to 23:59, e.g. \"04:00\"");
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    if h.is_empty()
        || h.len() > 2
        || m.len() != 2
        || !h.bytes().all(|b| b.is_ascii_digit())
        || !m.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let hours: u64 = h.parse().map_err(|_| bad())?;
    let minutes: u64 = m.parse().map_err(|_| bad())?;
    if hours > 23 || minutes > 59 {
        return Err(bad());
    }
    Ok(hours * HOUR + minutes * MINUTE)
}

/// Parses a moment of the week, `"Tue 02:00"`, into milliseconds since Monday 00:00.
pub fn parse_week_time(text: &str) -> Result<Millis, String> {
    let (day, time) = text
        .trim()
        .split_once(' ')
        .ok_or_else(|| format!("\"{text}\" is not a moment of the week: write a day and a time, e.g. \"Tue 02:00\""))?;
    let day =
        Day::parse(day).ok_or_else(|| format!("\"{day}\" is not a day: use Mon, Tue, Wed, Thu, Fri, Sat or Sun"))?;
    Ok(day.index() * DAY + parse_time_of_day(time)?)
}

/// Formats a moment of the week as `"Tue 02:00"` (seconds dropped; days past Sunday wrap).
pub fn format_week_time(ms: Millis) -> String {
    let day = Day::ALL[((ms / DAY) % 7) as usize];
    let tod = ms % DAY;
    format!("{} {:02}:{:02}", day.name(), tod / HOUR, (tod % HOUR) / MINUTE)
}

/// One maintenance window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// Its name, e.g. `"Mon 00:00"`.
    pub name: String,
    /// Its day of the week.
    pub day: Day,
    /// Time of day it opens, in milliseconds after midnight.
    pub time_of_day: Millis,
    /// When it opens, in milliseconds since Monday 00:00.
    pub start: Millis,
    /// When it closes.
    pub end: Millis,
}

impl Window {
    /// The day part of its name: `"Mon"`, or `"PT+3"` for a day relative to Patch Tuesday.
    pub fn day_label(&self) -> &str {
        self.name.split_once(' ').map_or(self.name.as_str(), |(day, _)| day)
    }
}

/// The latest Patch Tuesday offset a window may have (`"PT+27"`): every window opens within
/// the month's first five weeks.
pub const MAX_PATCH_TUESDAY_OFFSET: u64 = 27;

/// A day as `[windows] days` lists it: a day of the week, or days after Patch Tuesday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListedDay {
    Week(Day),
    PatchTuesday(u64),
}

impl ListedDay {
    fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        let upper = trimmed.to_ascii_uppercase();
        if let Some(rest) = upper.strip_prefix("PT") {
            let offset = match rest.trim() {
                "" => Some(0),
                r => r.strip_prefix('+').and_then(|n| n.trim().parse::<u64>().ok()),
            };
            return match offset {
                Some(n) if n <= MAX_PATCH_TUESDAY_OFFSET => Ok(Self::PatchTuesday(n)),
                _ => Err(format!(
                    "\"{trimmed}\" is not a day after Patch Tuesday: write \"PT\" or \"PT+N\" with N from 0 to {MAX_PATCH_TUESDAY_OFFSET}, e.g. \"PT+3\" for the Friday after"
                )),
            };
        }
        Day::parse(trimmed).map(Self::Week).ok_or_else(|| {
            format!("\"{trimmed}\" is not a day: use Mon, Tue, Wed, Thu, Fri, Sat or Sun, or a day after Patch Tuesday such as \"PT+3\"")
        })
    }

    /// Days since the Monday simulated time starts at (Patch Tuesday is day 1).
    fn index(self) -> u64 {
        match self {
            Self::Week(day) => day.index(),
            Self::PatchTuesday(n) => 1 + n,
        }
    }

    fn label(self) -> String {
        match self {
            Self::Week(day) => day.name().to_owned(),
            Self::PatchTuesday(0) => "PT".to_owned(),
            Self::PatchTuesday(n) => format!("PT+{n}"),
        }
    }
}

/// How servers are spread over the windows.
#[derive(Debug, Clone, PartialEq)]
pub enum Assign {
    /// Round-robin within each class: the class's first server to the first window, and so on.
    Even,
    /// Each server draws its window with these probabilities (cumulative, in window order).
    Weights {
        /// The weights as written.
        weights: Vec<f64>,
        /// Cumulative probabilities, the last exactly 1.
        cumulative: Vec<f64>,
    },
    /// Each server's window (and optionally class, extension and variables) from an inventory
    /// export; the fleet is the inventory's servers.
    Inventory(Arc<Inventory>),
}

/// The `[windows]` section: the grid and the assignment.
#[derive(Debug, Clone, PartialEq)]
pub struct Windows {
    /// Every window, in order: for each day as listed, each start as listed.
    pub list: Vec<Window>,
    /// Length of every window.
    pub length: Millis,
    /// How servers are assigned.
    pub assign: Assign,
    /// The files read for the assignment (the inventory), as read.
    pub files: Vec<ReadFile>,
    /// Whether the days are given relative to Patch Tuesday (each window then opens once a
    /// month; without, the grid is weekly and `[month] weeks` repeats it).
    pub patch_tuesday: bool,
}

impl Windows {
    /// The keys `[windows]` accepts.
    pub const KEYS: &'static [&'static str] = &["days", "starts", "length", "assign"];

    /// Reads `[windows]`; an inventory's classes must be among `classes`; an inventory comes
    /// from `files`.
    pub fn read(table: &Table<'_, '_>, classes: &[Class], files: &FileSource) -> ReadResult<Self> {
        let days_v = table.req("days")?;
        let mut days: Vec<ListedDay> = Vec::new();
        for item in days_v.array()? {
            let day = ListedDay::parse(item.str()?).map_err(|m| item.error(m))?;
            if days.contains(&day) {
                return Err(item.error(format!("{} is listed twice", day.label())));
            }
            if let Some(first) = days.first()
                && matches!(first, ListedDay::PatchTuesday(_)) != matches!(day, ListedDay::PatchTuesday(_))
            {
                return Err(item.error(
                    "give every day as a day of the week (a weekly grid) or every day relative to Patch Tuesday (\"PT+N\"), not both",
                ));
            }
            days.push(day);
        }
        if days.is_empty() {
            return Err(days_v.error("needs at least one day"));
        }
        let starts_v = table.req("starts")?;
        let mut starts: Vec<Millis> = Vec::new();
        for item in starts_v.array()? {
            let text = item.str()?;
            let start = parse_time_of_day(text).map_err(|m| item.error(m))?;
            if starts.contains(&start) {
                return Err(item.error(format!("start {text} is listed twice")));
            }
            starts.push(start);
        }
        if starts.is_empty() {
            return Err(starts_v.error("needs at least one start time"));
        }
        let length_v = table.req("length")?;
        let length = length_v.duration()?;
        if length == 0 {
            return Err(length_v.error("a window must be longer than 0s"));
        }
        if length > DAY {
            return Err(length_v.error(format!("a window is at most 24h long, found {}", DurationDisplay(length))));
        }
        let list: Vec<Window> = days
            .iter()
            .flat_map(|day| {
                starts.iter().map(move |tod| {
                    let start = day.index() * DAY + tod;
                    Window {
                        name: format!("{} {:02}:{:02}", day.label(), tod / HOUR, (tod % HOUR) / MINUTE),
                        day: Day::ALL[(day.index() % 7) as usize],
                        time_of_day: *tod,
                        start,
                        end: start + length,
                    }
                })
            })
            .collect();
        let mut read = Vec::new();
        let assign = match table.get("assign") {
            None => Assign::Even,
            Some(v) => read_assign(&v, &list, classes, files, &mut read)?,
        };
        let patch_tuesday = matches!(days[0], ListedDay::PatchTuesday(_));
        Ok(Self { list, length, assign, files: read, patch_tuesday })
    }

    /// When the last window closes (milliseconds since Monday 00:00).
    pub fn last_close(&self) -> Millis {
        self.list.iter().map(|w| w.end).max().unwrap_or(0)
    }

    /// The inventory the windows are assigned by, if any.
    pub fn inventory(&self) -> Option<&Inventory> {
        match &self.assign {
            Assign::Inventory(inventory) => Some(inventory),
            _ => None,
        }
    }

    /// The index of the window with this name, if any.
    pub fn find(&self, name: &str) -> Option<usize> {
        let wanted = name.trim();
        self.list.iter().position(|w| super::name::same(&w.name, wanted))
    }
}

fn read_assign(
    value: &Value<'_, '_>,
    list: &[Window],
    classes: &[Class],
    files: &FileSource,
    read: &mut Vec<ReadFile>,
) -> ReadResult<Assign> {
    let windows = list.len();
    if let Ok(text) = value.str() {
        return match text {
            "even" => Ok(Assign::Even),
            other => Err(value.error(format!(
                "unknown assignment \"{other}\"; use \"even\", {{ weights = [...] }} with one weight per window, or {{ inventory = \"servers.csv\" }}"
            ))),
        };
    }
    let t = value.table(&["weights", "inventory"])?;
    if let Some(inv_v) = t.get("inventory") {
        if t.get("weights").is_some() {
            return Err(value.error("give either `weights` or `inventory`, not both"));
        }
        let name = inv_v.non_empty_str()?;
        let what =
            InputFile { shown: "", what: "inventory", kind: "an inventory CSV file", max_bytes: MAX_INVENTORY_BYTES };
        let file = files.read(inv_v.source().file, name, what)?;
        let inventory = Inventory::parse(&file.bytes, &file.shown, list, classes)?;
        read.push(file);
        return Ok(Assign::Inventory(Arc::new(inventory)));
    }
    let w_v = t.req("weights")?;
    let items = w_v.array()?;
    if items.len() != windows {
        return Err(w_v.error(format!(
            "has {} weights but the grid has {windows} windows (days × starts); give one weight per window, in window order",
            items.len()
        )));
    }
    let mut weights = Vec::with_capacity(items.len());
    for item in &items {
        let w = item.f64()?;
        if w < 0.0 {
            return Err(item.error(format!("weights cannot be negative, found {w}")));
        }
        weights.push(w);
    }
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return Err(w_v.error("the weights add up to 0; at least one window must have a positive weight"));
    }
    let cumulative = super::distribution::cumulate(&weights, total);
    Ok(Assign::Weights { weights, cumulative })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_days_and_times() {
        assert_eq!(Day::parse("Mon"), Some(Day::Mon));
        assert_eq!(Day::parse("sunday"), Some(Day::Sun));
        assert_eq!(Day::parse("Mun"), None);
        assert_eq!(parse_time_of_day("04:00"), Ok(4 * HOUR));
        assert_eq!(parse_time_of_day("23:59"), Ok(23 * HOUR + 59 * MINUTE));
        for bad in ["24:00", "4", "04:60", "4h", "", "04:0", "-1:00"] {
            assert!(parse_time_of_day(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_week_time("Tue 02:00"), Ok(DAY + 2 * HOUR));
        assert!(parse_week_time("Tue").is_err());
        assert!(parse_week_time("Xyz 02:00").is_err());
    }

    #[test]
    fn parses_days_after_patch_tuesday() {
        assert_eq!(ListedDay::parse("PT"), Ok(ListedDay::PatchTuesday(0)));
        assert_eq!(ListedDay::parse("pt+3"), Ok(ListedDay::PatchTuesday(3)));
        assert_eq!(ListedDay::parse("PT + 27"), Ok(ListedDay::PatchTuesday(27)));
        assert_eq!(ListedDay::PatchTuesday(3).index(), 4, "Patch Tuesday is day 1, a Tuesday");
        assert_eq!(ListedDay::PatchTuesday(3).label(), "PT+3");
        for bad in ["PT+28", "PT-1", "PT+x", "PT3"] {
            assert!(ListedDay::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(ListedDay::parse("Sat"), Ok(ListedDay::Week(Day::Sat)));
    }
}
