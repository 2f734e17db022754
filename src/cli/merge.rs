//! `patchsim merge`: combine the shards of a distributed study into the report one whole run
//! would have written.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;

use super::output::{Destination, write_report};
use crate::montecarlo::aggregate::report_data_with;
use crate::montecarlo::shard::{SHARD_SCHEMA, ShardState};
use crate::montecarlo::summarize;
use crate::report::bundle::report_files;
use crate::report::json::summary_json;
use crate::report::table::summary_table;
use crate::scenario::Scenario;
use crate::scenario::overrides::Override;

/// Arguments of `patchsim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' report folders (each holds the shard.json `patchsim run --shard` wrote)
    #[arg(required = true, value_name = "DIR")]
    pub shards: Vec<PathBuf>,

    /// Folder for the merged report; "-" prints summary.json to standard output
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: PathBuf,
}

/// Runs `patchsim merge`.
pub fn execute(args: &MergeArgs) -> anyhow::Result<()> {
    let mut states: Vec<(PathBuf, ShardState)> = Vec::new();
    for dir in &args.shards {
        let file = dir.join("shard.json");
        let bytes = std::fs::read(&file).with_context(|| {
            format!(
                "cannot read {}: is {} the --out folder of a `patchsim run --shard`?",
                file.display(),
                dir.display()
            )
        })?;
        let state: ShardState = serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a shard state patchsim can read", file.display()))?;
        if state.schema != SHARD_SCHEMA {
            bail!("{}: schema \"{}\", expected \"{SHARD_SCHEMA}\"", file.display(), state.schema);
        }
        states.push((file, state));
    }
    let (first_file, first) = &states[0];
    for (file, s) in &states[1..] {
        let differs = |what: &str| {
            anyhow::anyhow!(
                "{} and {} are not shards of one study: their {what} differ",
                first_file.display(),
                file.display()
            )
        };
        if s.scenario_toml != first.scenario_toml || s.overrides != first.overrides {
            return Err(differs("scenarios"));
        }
        if s.seed != first.seed {
            return Err(differs("seeds"));
        }
        if s.study_replications != first.study_replications {
            return Err(differs("numbers of replications"));
        }
        if s.shard.of != first.shard.of {
            return Err(differs("numbers of shards"));
        }
    }
    let of = first.shard.of;
    let mut seen = vec![None::<&PathBuf>; of as usize];
    for (file, s) in &states {
        if s.shard.index == 0 || s.shard.index > of {
            bail!("{}: shard {}/{} is out of range", file.display(), s.shard.index, of);
        }
        if let Some(other) = seen[(s.shard.index - 1) as usize] {
            bail!("shard {}/{of} is given twice: {} and {}", s.shard.index, other.display(), file.display());
        }
        let expected = s.shard.count(s.study_replications);
        if s.replications != expected {
            bail!(
                "{}: shard {}/{of} ran {} replications, expected {expected} of {}",
                file.display(),
                s.shard.index,
                s.replications,
                s.study_replications
            );
        }
        seen[(s.shard.index - 1) as usize] = Some(file);
    }
    let missing: Vec<String> =
        seen.iter().enumerate().filter(|(_, f)| f.is_none()).map(|(k, _)| format!("{}", k + 1)).collect();
    if !missing.is_empty() {
        bail!("the study has {of} shards; missing: {} (run them with --shard K/{of})", missing.join(", "));
    }

    let overrides: Vec<Override> = first
        .overrides
        .iter()
        .map(|o| Override::parse(o).map_err(anyhow::Error::msg))
        .collect::<anyhow::Result<_>>()?;
    let scenario = Scenario::from_toml_with(
        &first.scenario_toml,
        &format!("{} (the shards' scenario)", first_file.display()),
        &overrides,
    )?;
    let windows = scenario.windows.list.len();
    let mut result = first.result(windows).with_context(|| format!("cannot read {}", first_file.display()))?;
    for (file, s) in &states[1..] {
        result.merge(&s.result(windows).with_context(|| format!("cannot read {}", file.display()))?);
    }
    let summary = summarize(&scenario, first.seed, &result);
    let table = summary_table(&summary);
    match Destination::parse(&args.out) {
        Destination::Stdout => {
            super::output::to_stdout(&summary_json(&summary))?;
            eprint!("{table}");
        }
        Destination::Folder(folder) => {
            let files = report_files(&report_data_with(&scenario, summary, &result))?;
            write_report(&folder, &files)?;
            say!("{table}");
            sayln!("\nMerged {of} shards; wrote the report (report.html, summary.json, …) in {}", folder.display());
        }
    }
    Ok(())
}
