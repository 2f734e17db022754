//! `servers.csv` (with `--servers-csv`): every server of one replication, one row each.

use std::fmt::Write;

use super::load_csv::number;
use super::timeline::csv_field;
use crate::engine::ServerRecord;
use crate::scenario::Scenario;
use crate::scenario::duration::MINUTE;
use crate::scenario::windows::format_week_time;

/// The columns of `servers.csv`.
pub const SERVERS_HEADER: &str = "server,window,class,outcome,start,end,start_minute,end_minute,duration_minutes,restarts,restarts_after_window,messages,state_messages";

/// One row per server: times as moments of the week and as minutes since Monday 00:00.
pub fn servers_csv(scenario: &Scenario, records: &[ServerRecord]) -> Vec<u8> {
    let mut out = String::with_capacity(records.len() * 96 + 200);
    out.push_str(SERVERS_HEADER);
    out.push('\n');
    for r in records {
        if r.excluded {
            let _ = writeln!(out, "{},,,excluded,,,,,,0,0,0,0", r.index);
            continue;
        }
        let window = &scenario.windows.list[r.window as usize];
        let class = &scenario.fleet.classes[r.class as usize].name;
        let started = r.outcome.started();
        let minutes = |t: u64| number(t as f64 / MINUTE as f64);
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.index,
            window.name,
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
            r.state_messages
        );
    }
    out.into_bytes()
}
