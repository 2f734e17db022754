//! `patchsim calibrate`: last month's execution history, fitted into step timings — written as a
//! timings file, or into a scenario's matching steps in place.

use std::path::PathBuf;

use clap::Args;

use super::output::{to_stdout, write_file_atomically};
use crate::import::text_style::encode_like;
use crate::import::{Calibration, History, apply_into};
use crate::input::InputFile;
use crate::input::TimeFormat;
use crate::input::decode_text;
use crate::output::file::{InPlace, Replaces, claim_file};
use crate::output::paths::check_overlap;
use crate::report::calibration::calibration_table;
use crate::scenario::{MAX_SCENARIO_BYTES, Scenario};

/// The first line of a timings file `calibrate` writes (so that it may replace its own file).
const HEADER: &str = "# Fitted by `patchsim calibrate`";

/// The names `--time-format` takes: `auto` (the default) tells the format from the values.
pub const TIME_FORMATS: [&str; 5] = ["auto", "iso", "dmy", "mdy", "wmi"];

/// Arguments of `patchsim calibrate`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    patchsim calibrate history.csv --out timings.toml\n  \
    patchsim calibrate history.csv --time-format dmy --out timings.toml     (15/01/2024 02:05, day first)\n  \
    patchsim calibrate history.csv --out timings.toml --into my-month.toml\n\n\
    The history may be UTF-8, UTF-16 or Windows-1252, with commas, semicolons or tabs, and its times as\n\
    SQL Server, PowerShell (any culture), Excel or WMI write them; docs/import.md lists the formats.")]
pub struct CalibrateArgs {
    /// An export of the vSMS_TaskSequenceExecutionStatus view (CSV; docs/import.md has the query)
    pub history: PathBuf,

    /// Write the fitted timings here (`-` for standard output); use it with
    /// `patchsim import configmgr --timings`
    #[arg(long, short = 'o', value_name = "FITTED.toml", required_unless_present = "into")]
    pub out: Option<PathBuf>,

    /// Also write the fits into this scenario's steps of the same name, and its [restart]
    /// duration, in place: everything else, its line endings, encoding and permissions are
    /// kept, and a symlink stays a link to the edited file
    #[arg(long, value_name = "SCENARIO.toml")]
    pub into: Option<PathBuf>,

    /// Replace FITTED.toml even if calibrate did not write it
    #[arg(long)]
    pub force: bool,

    /// How the history writes its times: iso (2024-01-15 02:05:07, ISO 8601, SQL Server), dmy
    /// (15/01/2024 02:05:07, 15.01.2024 02:05), mdy (1/15/2024 2:05:07 AM) or wmi
    /// (20240115020507.000000+000); auto tells it from the values and asks for dmy or mdy when
    /// every date reads both ways
    #[arg(long, value_name = "FORMAT", default_value = "auto", ignore_case = true,
          value_parser = clap::builder::PossibleValuesParser::new(TIME_FORMATS))]
    pub time_format: String,
}

/// The format `--time-format` names (`None` for `auto`: told from the values).
pub fn time_format(flag: &str) -> anyhow::Result<Option<TimeFormat>> {
    Ok(match flag.to_ascii_lowercase().as_str() {
        "auto" => None,
        named => Some(named.parse::<TimeFormat>()?),
    })
}

/// Runs `patchsim calibrate`.
pub fn execute(args: &CalibrateArgs) -> anyhow::Result<()> {
    // Where the output goes is checked before any work: never an input, never another's file,
    // and a scenario that cannot be edited in place is refused before anything is written.
    let inputs: Vec<PathBuf> = std::iter::once(args.history.clone()).chain(args.into.clone()).collect();
    if let Some(out) = &args.out
        && out.as_os_str() != "-"
    {
        let ours = |first: &str| first.starts_with(HEADER);
        claim_file(out, &inputs, Replaces::Own { writer: "patchsim calibrate", ours: &ours }, args.force)?;
    }
    if let Some(into) = &args.into {
        check_overlap(into, std::slice::from_ref(&args.history))?;
    }
    let in_place = args.into.as_deref().map(InPlace::check).transpose()?;
    let shown = args.history.display().to_string();
    let time_format = time_format(&args.time_format)?;
    let history = History::read(&args.history, &shown, time_format)?;
    let calibration = Calibration::fit(&history);
    let source = args.history.file_name().map_or(shown.clone(), |n| n.to_string_lossy().into_owned());

    // The scenario is checked and rewritten in memory first: nothing is written unless all is well.
    let into = match (&args.into, in_place) {
        (Some(path), Some(in_place)) => {
            let into_shown = path.display().to_string();
            // UTF-16 takes up to twice the bytes of the text, which the scenario reader bounds.
            let max_bytes = 2 * MAX_SCENARIO_BYTES as u64 + 2;
            let file = InputFile { shown: &into_shown, what: "scenario", kind: "a scenario file", max_bytes };
            let bytes = file.read(path)?;
            let text =
                decode_text(&bytes, "scenario TOML").map_err(|m| crate::input::InputError::file(&into_shown, m))?;
            let scenario = Scenario::from_toml(&text, &into_shown)?;
            let applied = apply_into(&text, &into_shown, &scenario, &calibration)?;
            let new_bytes = encode_like(&bytes, &applied.text);
            Some((path, in_place, applied, new_bytes))
        }
        _ => None,
    };

    for b in &history.bad {
        let lines: Vec<String> = b.lines.iter().map(u64::to_string).collect();
        eprintln!(
            "warning: {shown}: {} row{} not used: {} (line {}{}{})",
            b.count,
            if b.count == 1 { "" } else { "s" },
            b.reason,
            lines.join(", "),
            if b.count as usize > b.lines.len() { ", …" } else { "" },
            b.example_text().map(|e| format!("; {e}")).unwrap_or_default()
        );
    }
    let to_stdout_only = args.out.as_ref().is_some_and(|o| o.as_os_str() == "-");
    if !to_stdout_only {
        say!("{}", calibration_table(&history, &calibration, &shown));
    }
    if let Some(out) = &args.out {
        let text = calibration.to_toml(&history, &source);
        if to_stdout_only {
            to_stdout(text.as_bytes())?;
        } else {
            write_file_atomically(out, text.as_bytes())?;
            sayln!(
                "\nWrote {}: timings for {} steps{}.",
                out.display(),
                calibration.steps.len(),
                if calibration.restart.is_some() { " and restarts" } else { "" }
            );
        }
    }
    if let Some((path, in_place, applied, new_bytes)) = into {
        for w in &applied.warnings {
            eprintln!("warning: {}: {w}", path.display());
        }
        in_place.replace(&new_bytes)?;
        let say = |text: String| {
            if to_stdout_only {
                eprintln!("{text}");
            } else {
                sayln!("{text}");
            }
        };
        say(format!(
            "\nUpdated {}: {} step{}{}.",
            path.display(),
            applied.updated.len(),
            if applied.updated.len() == 1 { "" } else { "s" },
            if applied.restart { " and the [restart] duration" } else { "" }
        ));
        for (name, keys) in &applied.updated {
            say(format!("  {name}: {}", keys.join(", ")));
        }
        if !applied.unmatched.is_empty() {
            say(format!(
                "  No step of that name for {} history step{}: {}",
                applied.unmatched.len(),
                if applied.unmatched.len() == 1 { "" } else { "s" },
                applied.unmatched.join(", ")
            ));
        }
    }
    Ok(())
}
