//! `servers.csv` (with `--servers-csv`): every server of one replication, one row each.

use std::fmt::Write;

use super::escape::csv_field;
use crate::engine::ServerRecord;
use crate::scenario::Scenario;
use crate::scenario::duration::MINUTE;
use crate::scenario::overrides::number_text;
use crate::scenario::windows::format_week_time;

/// The columns of `servers.csv`.
pub const SERVERS_HEADER: &str = "server,window,class,outcome,start,end,start_minute,end_minute,duration_minutes,restarts,restarts_after_window,messages,state_messages,name";

/// The columns a month of several weeks adds to `servers.csv`: the runs a server started and the
/// week (1 first) its last run was due in.
pub const WEEK_COLUMNS: &str = ",runs,week";

/// One row per server: times as moments of the week and as minutes since Monday 00:00 of the
/// first week; `name` is the server's name from the inventory (empty without one). A month of
/// several weeks adds [`WEEK_COLUMNS`].
pub fn servers_csv(scenario: &Scenario, records: &[ServerRecord]) -> Vec<u8> {
    let mut out = String::with_capacity(records.len() * 96 + 200);
    out.push_str(SERVERS_HEADER);
    let weeks = scenario.month.has_weeks();
    if weeks {
        out.push_str(WEEK_COLUMNS);
    }
    out.push('\n');
    let inventory = scenario.windows.inventory();
    let name = |index: u64| inventory.map_or(String::new(), |inv| csv_field(&inv.names[index as usize]));
    for r in records {
        if r.excluded {
            let window = inventory.map_or("", |_| scenario.windows.list[r.window as usize].name.as_str());
            let _ = write!(out, "{},{},,excluded,,,,,,0,0,0,0,{}", r.index, csv_field(window), name(r.index));
            out.push_str(if weeks { ",0,\n" } else { "\n" });
            continue;
        }
        let window = &scenario.windows.list[r.window as usize];
        let class = &scenario.fleet.classes[r.class as usize].name;
        let started = r.outcome.started();
        let minutes = |t: u64| number_text(t as f64 / MINUTE as f64);
        let _ = write!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.index,
            csv_field(&window.name),
            csv_field(class),
            r.outcome.key(),
            if started { format_week_time(r.start) } else { String::new() },
            if started { format_week_time(r.end) } else { String::new() },
            if started { minutes(r.start) } else { String::new() },
            if started { minutes(r.end) } else { String::new() },
            if started { minutes(r.end - r.start) } else { String::new() },
            r.restarts,
            r.restarts_outside,
            r.messages,
            r.state_messages,
            name(r.index)
        );
        if weeks {
            let window = &scenario.windows.list[r.window as usize];
            let _ = write!(out, ",{},{}", r.runs, scenario.month.week_of(window, r.opening) + 1);
        }
        out.push('\n');
    }
    out.into_bytes()
}
