//! `patchsim import configmgr`: a task sequence exported from the console becomes a complete
//! scenario, its windows and classes from an inventory when one is given.

use std::path::{Component, Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use super::output::{to_stdout, write_file_atomically};
use crate::import::{
    ContentSizes, ExportZip, ImportOptions, InventoryChoice, InventorySketch, TaskSequence, Timings, ZipError,
    ZipLimits, read_task_sequence, write_scenario,
};
use crate::output::file::{Replaces, claim_file};
use crate::scenario::Scenario;
use crate::scenario::duration::{DurationDisplay, HOUR, Millis, parse_duration};

/// Arguments of `patchsim import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What to import
    #[command(subcommand)]
    pub source: ImportSource,
}

/// What can be imported.
#[derive(Debug, Subcommand)]
pub enum ImportSource {
    /// A task sequence exported from the ConfigMgr console or PowerShell (its XML, or the
    /// console's export .zip with its child task sequences), written as a complete scenario
    /// (docs/import.md shows how to export one)
    Configmgr(ConfigMgrArgs),
}

/// Arguments of `patchsim import configmgr`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    patchsim import configmgr server-patching.xml --out my-month.toml\n  \
    patchsim import configmgr server-patching.zip --out my-month.toml\n  \
    patchsim import configmgr all-sequences.zip --sequence PS100023 --out my-month.toml\n  \
    patchsim import configmgr server-patching.xml --inventory servers.csv --timings timings.toml --out my-month.toml\n  \
    patchsim import configmgr server-patching.xml --content-sizes sizes.csv --out my-month.toml\n\n\
    sizes.csv, from PowerShell with the ConfigurationManager module (sizes in KB, as ConfigMgr gives them):\n  \
    Get-CMPackage | Select-Object PackageID, Name, PackageSize | Export-Csv sizes.csv -NoTypeInformation\n\n\
    server-patching.zip, the console's export with the child task sequences it runs (Run Task Sequence steps):\n  \
    Export-CMTaskSequence -Name \"Server Patching\" -ExportFilePath server-patching.zip -WithDependence $true")]
pub struct ConfigMgrArgs {
    /// The exported task sequence: the <sequence> XML, an SMS_TaskSequencePackage export
    /// holding it, or the console's export .zip (Export wizard, Export-CMTaskSequence), whose
    /// child task sequences take the place of the Run Task Sequence steps that run them
    #[arg(value_name = "EXPORT")]
    pub sequence: PathBuf,

    /// Which task sequence of an export .zip to import, by package ID or name: needed when the
    /// archive holds several that no other runs
    #[arg(long = "sequence", value_name = "PACKAGEID|NAME")]
    pub choose: Option<String>,

    /// The scenario file to write (`-` for standard output)
    #[arg(long, short = 'o', value_name = "SCENARIO.toml")]
    pub out: PathBuf,

    /// Step timings by step name, as `patchsim calibrate` writes them, instead of the per-type
    /// defaults
    #[arg(long, value_name = "TIMINGS.toml")]
    pub timings: Option<PathBuf>,

    /// An inventory (CMDB) export: the servers, their windows and classes come from it
    #[arg(long, value_name = "SERVERS.csv")]
    pub inventory: Option<PathBuf>,

    /// The sizes of packages and applications, in kilobytes as ConfigMgr gives them (a CSV with
    /// PackageID and/or Name, and PackageSize, SourceSize or Size), e.g. from PowerShell:
    /// `Get-CMPackage | Select-Object PackageID, Name, PackageSize | Export-Csv sizes.csv
    /// -NoTypeInformation`. Steps whose content then has a size (Download Package Content,
    /// Install Package, Install Application; Install Software Updates by a row named as the step)
    /// download it from a distribution point, `[[resource]] dp`, whose speed is an assumption to
    /// change (docs/import.md)
    #[arg(long, value_name = "SIZES.csv")]
    pub content_sizes: Option<PathBuf>,

    /// How many servers the sequence is deployed to, without an inventory (default 1000)
    #[arg(long, value_name = "N", conflicts_with = "inventory")]
    pub servers: Option<u64>,

    /// The scenario's name (default: made from the task sequence's name)
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Length of every maintenance window (default 2h)
    #[arg(long, value_name = "DURATION", value_parser = duration_arg)]
    pub window_length: Option<Millis>,

    /// The deployment's maximum run time (default 120m, the console's; 0s for none)
    #[arg(long, value_name = "DURATION", value_parser = duration_arg)]
    pub max_run_time: Option<Millis>,

    /// A variable every server has from the start, e.g. `--variable OSSupported=TRUE`: what a
    /// step sets that patchsim cannot run (a PowerShell step's output variable, MDT's gathered
    /// facts such as PHASE); repeat for more
    #[arg(long = "variable", value_name = "NAME=VALUE", value_parser = variable_arg)]
    pub variables: Vec<(String, String)>,

    /// Replace SCENARIO.toml if it exists
    #[arg(long)]
    pub force: bool,
}

fn duration_arg(text: &str) -> Result<Millis, String> {
    parse_duration(text)
}

/// `NAME=VALUE`: a variable a condition can test and a scenario can hold.
fn variable_arg(text: &str) -> Result<(String, String), String> {
    let Some((name, value)) = text.split_once('=') else {
        return Err(format!("{text:?}: give NAME=VALUE, e.g. OSSupported=TRUE"));
    };
    let name = name.trim();
    if !crate::scenario::condition::is_variable_name(name) {
        return Err(format!("{name:?} cannot be a variable's name in a condition (letters, digits, _ . - :)"));
    }
    if crate::scenario::engine::is_read_only(name) {
        return Err(format!(
            "{name} is a read-only variable of the engine (its name begins with an underscore): a server cannot be given it"
        ));
    }
    crate::scenario::name::check(value, crate::scenario::name::TextKind::Value)
        .map_err(|e| format!("the value of {name} {}", e.message))?;
    Ok((name.to_owned(), value.to_owned()))
}

/// Runs `patchsim import`.
pub fn execute(args: &ImportArgs) -> anyhow::Result<()> {
    match &args.source {
        ImportSource::Configmgr(a) => configmgr(a),
    }
}

fn configmgr(args: &ConfigMgrArgs) -> anyhow::Result<()> {
    let to_stdout_only = args.out.as_os_str() == "-";
    if !to_stdout_only {
        // An imported scenario is the user's to edit: an existing file is replaced only with
        // --force, and never one of the import's own inputs.
        let inputs: Vec<PathBuf> =
            [Some(&args.sequence), args.inventory.as_ref(), args.timings.as_ref(), args.content_sizes.as_ref()]
                .into_iter()
                .flatten()
                .cloned()
                .collect();
        claim_file(&args.out, &inputs, Replaces::Nothing, args.force)?;
    }
    if let Some(n) = args.servers
        && !(1..=crate::scenario::fleet::MAX_SERVERS as u64).contains(&n)
    {
        bail!("--servers {n}: give 1 to {} servers", crate::scenario::fleet::MAX_SERVERS);
    }
    if let Some(name) = &args.name {
        let trimmed = name.trim();
        if trimmed.is_empty() || trimmed.contains(['/', '\\']) || trimmed == "." || trimmed == ".." {
            bail!("--name {name:?}: the name is also the report folder's name: give a non-empty name without slashes");
        }
    }
    if let Some(length) = args.window_length
        && !(1..=24 * HOUR).contains(&length)
    {
        bail!("--window-length {}: a window is longer than 0s and at most 24h", DurationDisplay(length));
    }
    for (k, (name, _)) in args.variables.iter().enumerate() {
        if args.variables[..k].iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
            bail!("--variable {name} is given twice");
        }
    }
    let shown = args.sequence.display().to_string();
    let meta = std::fs::metadata(&args.sequence).with_context(|| format!("cannot read {shown}"))?;
    if meta.is_dir() {
        bail!("{shown} is a folder: name the exported task sequence (its XML file, or the console's export .zip)");
    }
    let ts = if is_zip(&args.sequence).with_context(|| format!("cannot read {shown}"))? {
        let file = std::fs::File::open(&args.sequence).with_context(|| format!("cannot read {shown}"))?;
        let in_zip = |e: ZipError| {
            if e.begins_with_entry() { anyhow::anyhow!("{shown}!{e}") } else { anyhow::anyhow!("{shown}: {e}") }
        };
        let export = ExportZip::read(std::io::BufReader::new(file), &ZipLimits::default()).map_err(in_zip)?;
        export.task_sequence(args.choose.as_deref()).map_err(in_zip)?
    } else {
        if args.choose.is_some() {
            bail!(
                "--sequence chooses among the task sequences of the console's export .zip; {shown} is not a zip archive but one task sequence's XML"
            );
        }
        if meta.len() > crate::import::xml::Limits::default().max_bytes as u64 {
            bail!("{shown}: the file is {} bytes, more than a task sequence export can plausibly be", meta.len());
        }
        let bytes = std::fs::read(&args.sequence).with_context(|| format!("cannot read {shown}"))?;
        read_task_sequence(&bytes).map_err(|e| in_file(&shown, None, e))?
    };

    let timings = args.timings.as_deref().map(Timings::read).transpose()?;
    let content_sizes =
        args.content_sizes.as_deref().map(|p| ContentSizes::read(p, &p.display().to_string())).transpose()?;
    let out_dir = match args.out.parent() {
        Some(p) if !to_stdout_only && !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let inventory = match &args.inventory {
        Some(path) => {
            let sketch = InventorySketch::read(path, &path.display().to_string())?;
            Some(InventoryChoice { path: relative_path(&out_dir, path)?, sketch })
        }
        None => None,
    };
    let defaults = ImportOptions::default();
    let options = ImportOptions {
        source: args.sequence.file_name().map_or(shown.clone(), |n| n.to_string_lossy().into_owned()),
        name: args.name.clone(),
        servers: args.servers.unwrap_or(defaults.servers),
        inventory,
        window_length: args.window_length.unwrap_or(defaults.window_length),
        max_run_time: args.max_run_time.unwrap_or(defaults.max_run_time),
        content_sizes,
        variables: args.variables.clone(),
    };
    let imported = write_scenario(&ts, &options, timings.as_ref()).map_err(|e| in_file(&shown, Some(&ts), e))?;

    // The written scenario must load as it is: check it as the file it will be. The reader and
    // writer keep within every bound a scenario has, so this holds; if it ever does not, say
    // what is wrong and write nothing.
    let as_file = if to_stdout_only { out_dir.join("imported.toml") } else { args.out.clone() };
    Scenario::from_toml(&imported.text, &as_file.display().to_string()).with_context(|| {
        format!("the scenario made from {shown} does not load, so it is not written (the reason follows)")
    })?;

    for warning in &imported.warnings {
        // An archive's notes begin with the entry they concern: `export.zip!SMS_…/object.xml:12`.
        if ts.cites_entry(warning) {
            eprintln!("warning: {shown}!{warning}");
        } else {
            eprintln!("warning: {shown}: {warning}");
        }
    }
    if to_stdout_only {
        return to_stdout(imported.text.as_bytes());
    }
    write_file_atomically(&args.out, imported.text.as_bytes())?;
    sayln!(
        "Wrote {}: {} steps in {} groups{}.",
        args.out.display(),
        imported.steps,
        imported.groups,
        match imported.warnings.len() {
            0 => String::new(),
            1 => ", 1 note (above, and at the top of the file)".to_owned(),
            n => format!(", {n} notes (above, and at the top of the file)"),
        }
    );
    sayln!("Check the lines marked CHANGE, then: patchsim validate {0} && patchsim run {0}", args.out.display());
    Ok(())
}

/// Whether the file is a zip archive: by its first bytes (a zip's local header, or the end record
/// of an empty one), or by its `.zip` name (so that a damaged archive says it is one).
fn is_zip(path: &Path) -> std::io::Result<bool> {
    use std::io::Read;
    let mut head = Vec::with_capacity(4);
    std::fs::File::open(path)?.take(4).read_to_end(&mut head)?;
    let magic = head == b"PK\x03\x04" || head == b"PK\x05\x06";
    Ok(magic || path.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip")))
}

/// An XML error of the export (or of the scenario written from it) at its place: `file:line:column`,
/// or for an archive's sequence `file!entry:line`.
fn in_file(shown: &str, ts: Option<&TaskSequence>, e: crate::import::xml::XmlError) -> anyhow::Error {
    match (e.line, ts) {
        (Some(line), Some(ts)) if !ts.entries.is_empty() => {
            anyhow::anyhow!("{shown}!{}: {}", ts.place(line), e.message)
        }
        (Some(_), _) => anyhow::anyhow!("{shown}:{e}"),
        (None, _) => anyhow::anyhow!("{shown}: {e}"),
    }
}

/// `target` as a path relative to the folder `from`, written with `/` (which every platform
/// reads); absolute when they share nothing.
fn relative_path(from: &Path, target: &Path) -> anyhow::Result<String> {
    let absolute = |p: &Path| -> anyhow::Result<Vec<String>> {
        let full = std::path::absolute(p).with_context(|| format!("cannot resolve {}", p.display()))?;
        let mut parts: Vec<String> = Vec::new();
        for c in full.components() {
            match c {
                Component::ParentDir => {
                    parts.pop();
                }
                Component::CurDir => {}
                other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
            }
        }
        Ok(parts)
    };
    let (from, to) = (absolute(from)?, absolute(target)?);
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return Ok(target.display().to_string());
    }
    let mut parts: Vec<String> = vec!["..".to_owned(); from.len() - common];
    parts.extend(to[common..].iter().cloned());
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_out_of_the_scenario_folder() {
        assert_eq!(relative_path(Path::new("a/b"), Path::new("a/c/servers.csv")).unwrap(), "../c/servers.csv");
        assert_eq!(relative_path(Path::new("."), Path::new("servers.csv")).unwrap(), "servers.csv");
        assert_eq!(relative_path(Path::new("x/./y/.."), Path::new("x/s.csv")).unwrap(), "s.csv");
    }
}
