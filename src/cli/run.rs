//! `patchsim run`: simulate a scenario and write its summary.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::output::{Destination, write_files};
use crate::montecarlo::{RunOptions, run, summarize};
use crate::report::json::summary_json;
use crate::report::load_csv::load_csv;
use crate::report::table::summary_table;
use crate::scenario::Scenario;
use crate::sequence::Program;

/// Arguments of `patchsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (TOML), e.g. scenarios/monthly-server-patching.toml
    pub scenario: PathBuf,

    /// How many times to simulate the month (default: the scenario's [run] replications, else 100)
    #[arg(long, short = 'r', value_name = "N", value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub replications: Option<u64>,

    /// Seed of every random draw: the same seed gives the same results (default: the scenario's [run] seed, else 1)
    #[arg(long, short = 's', value_name = "S")]
    pub seed: Option<u64>,

    /// Worker threads (default: one per core); results do not depend on it
    #[arg(long, short = 't', value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,

    /// Folder for the report (default: reports/<scenario name>/); "-" prints summary.json to standard output
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Runs `patchsim run`.
pub fn execute(args: &RunArgs) -> anyhow::Result<()> {
    let scenario = Scenario::load(&args.scenario)?;
    let program = Program::compile(&scenario);
    let seed = args.seed.unwrap_or(scenario.run.seed);
    let replications = args.replications.unwrap_or(u64::from(scenario.run.replications));
    let destination = match &args.out {
        Some(path) => Destination::parse(path),
        None => Destination::Folder(PathBuf::from("reports").join(&scenario.name)),
    };
    let options = RunOptions { seed, replications, threads: args.threads.unwrap_or(0) as usize };
    let result = run(&scenario, &program, &options)?;
    let summary = summarize(&scenario, seed, &result);
    let json = summary_json(&summary);
    let table = summary_table(&summary);
    match destination {
        Destination::Stdout => {
            std::io::stdout().write_all(&json).context("cannot write to standard output")?;
            eprint!("{table}");
        }
        Destination::Folder(folder) => {
            let load = load_csv(&result.pooled.series, result.figures.len() as u64);
            write_files(&folder, &[("summary.json", &json), ("load.csv", &load)])?;
            print!("{table}");
            println!("\nWrote {} and load.csv", folder.join("summary.json").display());
        }
    }
    Ok(())
}
