//! `servers.csv` (with `--servers-csv`): every server of one replication, one row each.

use super::csv_style::CsvStyle;
use super::csv_writer::CsvWriter;
use crate::engine::ServerRecord;
use crate::scenario::Scenario;
use crate::scenario::duration::MINUTE;
use crate::scenario::windows::format_week_time;

/// The columns of `servers.csv`.
pub const SERVERS_HEADER: &str = "server,window,class,outcome,start,end,start_minute,end_minute,duration_minutes,restarts,restarts_after_window,messages,state_messages,name";

/// The columns a month of several weeks adds to `servers.csv`: the runs a server started and the
/// week (1 first) its last run was due in.
pub const WEEK_COLUMNS: &str = ",runs,week";

/// One row per server: times as moments of the week and as minutes since Monday 00:00 of the
/// first week; `name` is the server's name from the inventory (empty without one). A month of
/// several weeks adds [`WEEK_COLUMNS`].
pub fn servers_csv(scenario: &Scenario, records: &[ServerRecord], style: CsvStyle) -> Vec<u8> {
    let weeks = scenario.month.has_weeks();
    let header = if weeks { format!("{SERVERS_HEADER}{WEEK_COLUMNS}") } else { SERVERS_HEADER.to_owned() };
    let mut out = CsvWriter::new(style, &header, records.len() * 96);
    let inventory = scenario.windows.inventory();
    let name = |index: u64| inventory.map_or("", |inv| inv.names[index as usize].as_str());
    let minutes = |t: u64| t as f64 / MINUTE as f64;
    for r in records {
        let mut row = out.row();
        if r.excluded {
            let window = inventory.map_or("", |_| scenario.windows.list[r.window as usize].name.as_str());
            row.whole(r.index).text(window).empty().whole("excluded").empties(5);
            row.whole(0).whole(0).whole(0).whole(0).text(name(r.index));
            if weeks {
                row.whole(0).empty();
            }
            row.end();
            continue;
        }
        let window = &scenario.windows.list[r.window as usize];
        let class = &scenario.fleet.classes[r.class as usize].name;
        row.whole(r.index).text(&window.name).text(class).whole(r.outcome.key());
        if r.outcome.started() {
            row.text(&format_week_time(r.start)).text(&format_week_time(r.end));
            row.short(minutes(r.start)).short(minutes(r.end)).short(minutes(r.end - r.start));
        } else {
            row.empties(5);
        }
        row.whole(r.restarts).whole(r.restarts_outside).whole(r.messages).whole(r.state_messages).text(name(r.index));
        if weeks {
            row.whole(r.runs).whole(scenario.month.week_of(window, r.opening) + 1);
        }
        row.end();
    }
    out.finish()
}
