//! `patchsim merge`: combine the shards of a distributed study into the report one whole run
//! would have written.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::CsvArgs;
use super::output::{Destination, write_folder};
use crate::input::InputFile;
use crate::montecarlo::shard::{ShardState, merge_shards};
use crate::montecarlo::summarize;
use crate::output::OutputKind;
use crate::report::bundle::report_files;
use crate::report::data::ReportData;
use crate::report::json::summary_json;
use crate::report::table::summary_table;

/// The largest `shard.json` read: its inventory copy (at most 2 GiB, a third more in base64)
/// and its totals.
const MAX_SHARD_BYTES: u64 = 3 << 30;

/// Arguments of `patchsim merge`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  patchsim merge study/shard-1 study/shard-2 study/shard-3 --out study/merged\n  patchsim merge \"study/shard-*\" --out study/merged     (the pattern is expanded by patchsim, as Windows shells do not)\n  patchsim merge \"study/shard-*\" --out study/merged --csv-style excel   windows.csv and load.csv for Excel"
)]
pub struct MergeArgs {
    /// The shards' report folders (each holds the shard.json `patchsim run --shard` wrote);
    /// wildcards (`*`, `?`, `[…]`) are expanded by patchsim itself
    #[arg(required = true, value_name = "DIR")]
    pub shards: Vec<PathBuf>,

    /// Folder for the merged report; "-" prints summary.json to standard output
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: PathBuf,

    #[command(flatten)]
    pub csv: CsvArgs,
}

/// The shard folders named, wildcards expanded (sorted) where a name does not exist as written.
fn expand(shards: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for given in shards {
        let text = given.to_string_lossy();
        if given.exists() || !text.contains(['*', '?', '[']) {
            out.push(given.clone());
            continue;
        }
        let matches =
            glob::glob(&text).map_err(|e| anyhow::anyhow!("{text}: not a wildcard pattern patchsim reads: {e}"))?;
        let mut found: Vec<PathBuf> = matches.filter_map(Result::ok).filter(|p| p.is_dir()).collect();
        if found.is_empty() {
            usage!("{text}: no folder matches");
        }
        found.sort();
        out.extend(found);
    }
    Ok(out)
}

/// Runs `patchsim merge`.
pub fn execute(args: &MergeArgs) -> anyhow::Result<()> {
    let shards = expand(&args.shards)?;
    let destination = Destination::claim(Some(&args.out), PathBuf::new(), OutputKind::Merge, &shards)?;
    let mut states: Vec<(String, ShardState)> = Vec::new();
    for dir in &shards {
        let file = dir.join("shard.json");
        let shown = file.display().to_string();
        let reading =
            InputFile { shown: &shown, what: "shard state", kind: "a shard.json file", max_bytes: MAX_SHARD_BYTES };
        let bytes = reading
            .read(&file)
            .with_context(|| format!("is {} the --out folder of a `patchsim run --shard`?", dir.display()))?;
        states.push((shown.clone(), ShardState::read(&bytes, &shown)?));
    }
    let study = merge_shards(&states)?;
    let mut summary = summarize(&study.scenario, study.seed, &study.result);
    summary.overrides = study.overrides.clone();
    let table = summary_table(&summary);
    match destination {
        Destination::Stdout => {
            super::output::to_stdout(&summary_json(&summary))?;
            eprint!("{table}");
        }
        Destination::Folder(folder) => {
            let data = ReportData::of(&study.scenario, summary, &study.result);
            let files = report_files(&data, args.csv.csv_style)?;
            let shown = folder.path().display().to_string();
            write_folder(folder, &files)?;
            say!("{table}");
            sayln!("\nMerged {} shards; wrote the report (report.html, summary.json, …) in {shown}", study.shards);
        }
    }
    Ok(())
}
