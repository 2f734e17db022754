//! The per-server files of a run's first replication: `servers.csv` (every server's record) and
//! `history.csv` (the run as the execution-history view would show it).

use super::bundle::ReportFile;
use super::csv_style::CsvStyle;
use super::history_csv::HistoryCsv;
use super::servers_csv::servers_csv;
use crate::engine::{ServerRecord, Simulator, TraceEvent};
use crate::messages::Emissions;
use crate::scenario::Scenario;
use crate::sequence::Program;

/// Which per-server files to write, and in which style.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PerServerFiles {
    /// `servers.csv`.
    pub servers: bool,
    /// `history.csv`.
    pub history: bool,
    /// The style of both.
    pub style: CsvStyle,
}

/// Simulates `replication` of `seed` once more and writes the files `which` asks for.
pub fn first_replication_files(
    scenario: &Scenario,
    program: &Program,
    seed: u64,
    replication: u64,
    which: PerServerFiles,
) -> Vec<ReportFile> {
    if !which.servers && !which.history {
        return Vec::new();
    }
    let sim = Simulator::new(scenario, program);
    let mut scratch = sim.scratch();
    let mut emissions = Emissions::new(scenario.infrastructure.management_points as usize);
    let mut records: Vec<ServerRecord> = Vec::with_capacity(scenario.fleet.servers as usize);
    let mut history = which.history.then(|| HistoryCsv::new(program, which.style));
    match &mut history {
        // The history needs every server's events; servers.csv alone only their records.
        Some(csv) => {
            let mut events: Vec<TraceEvent> = Vec::new();
            sim.run_replication_with(seed, replication, &mut scratch, &mut emissions, &mut events, |r, events| {
                records.push(*r);
                csv.add(r, events);
                events.clear();
            });
        }
        None => sim.run_replication(seed, replication, &mut scratch, &mut emissions, |r| records.push(*r)),
    }
    let mut files = Vec::new();
    if which.servers {
        files.push(ReportFile::new("servers.csv", servers_csv(scenario, &records, which.style)));
    }
    if let Some(csv) = history {
        files.push(ReportFile::new("history.csv", csv.finish()));
    }
    files
}
