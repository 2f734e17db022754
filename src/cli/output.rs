//! Where a command's output goes: standard output, or a report folder claimed before the work
//! starts (see [`crate::output`] for what a claim checks), and whether standard output took
//! every byte.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context;

use crate::output::{OutputKind, ReportFolder};
use crate::report::bundle::{ReportFile, safe_file_name};
use crate::scenario::overrides::Override;

/// Where a command's report goes.
#[derive(Debug)]
pub enum Destination {
    /// Print the main document to standard output (`--out -`).
    Stdout,
    /// Write files into this folder, claimed already.
    Folder(ReportFolder),
}

impl Destination {
    /// Claims `--out` (or `default` when it is not given) for the output of `kind`; `-` is
    /// standard output. `inputs` are the files the command reads: the folder may not be, hold
    /// or sit inside any of them.
    pub fn claim(out: Option<&Path>, default: PathBuf, kind: OutputKind, inputs: &[PathBuf]) -> anyhow::Result<Self> {
        match out {
            Some(path) if path.as_os_str() == "-" => Ok(Self::Stdout),
            Some(path) => Ok(Self::Folder(claim_folder(path, kind, inputs)?)),
            None => Ok(Self::Folder(claim_folder(&default, kind, inputs)?)),
        }
    }
}

/// Claims a folder and tells the user what the claim put right.
pub fn claim_folder(path: &Path, kind: OutputKind, inputs: &[PathBuf]) -> anyhow::Result<ReportFolder> {
    let folder = ReportFolder::claim(path, kind, inputs)?;
    for note in folder.notes() {
        eprintln!("note: {note}");
    }
    Ok(folder)
}

/// Writes the files into the claimed folder, replacing its previous report in one step.
pub fn write_folder(folder: ReportFolder, files: &[ReportFile]) -> anyhow::Result<()> {
    let shown = folder.path().display().to_string();
    let notes = folder.commit(files).with_context(|| format!("the report was not written to {shown}"))?;
    for note in notes {
        eprintln!("note: {note}");
    }
    Ok(())
}

/// Delivers a command's files: with `--out -` only `main` to standard output and `table` (for a
/// person) to standard error; otherwise `table` to standard output and every file into the
/// claimed folder, saying where.
pub fn deliver(destination: Destination, files: &[ReportFile], main: &str, table: &str) -> anyhow::Result<()> {
    match destination {
        Destination::Stdout => {
            let bytes = files.iter().find(|f| f.name == main).map_or(&[][..], |f| f.bytes.as_slice());
            to_stdout(bytes)?;
            eprint!("{table}");
        }
        Destination::Folder(folder) => {
            let shown = folder.path().display().to_string();
            write_folder(folder, files)?;
            say!("{table}");
            let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
            let listed = match names.split_last() {
                Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
                _ => names.join(""),
            };
            sayln!("\nWrote {listed} in {shown}");
        }
    }
    Ok(())
}

/// Writes one file whole or not at all (see [`crate::output::file::replace_file`]).
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    Ok(crate::output::file::replace_file(path, bytes)?)
}

/// The default report folder, `reports/<stem>`, named after the `--set` changes too (so a
/// changed scenario never writes over the unchanged one's report): `reports/<stem>+key=value`.
pub fn default_folder(stem: &str, overrides: &[Override]) -> PathBuf {
    let mut name = stem.to_owned();
    for o in overrides {
        name.push('+');
        name.push_str(&o.key);
        name.push('=');
        name.push_str(&o.value);
    }
    PathBuf::from("reports").join(safe_file_name(&name))
}

/// The first failure to write to standard output (a closed pipe is not one).
static STDOUT_FAILURE: Mutex<Option<String>> = Mutex::new(None);

/// Writes to standard output, remembering a failure for [`finish_stdout`]; a reader that
/// stopped reading (`| head`) is not a failure: the command goes on and writes its files.
pub fn write_stdout(args: std::fmt::Arguments<'_>) {
    if let Err(e) = std::io::stdout().lock().write_fmt(args) {
        note_failure(&e);
    }
}

fn note_failure(e: &std::io::Error) {
    if e.kind() != std::io::ErrorKind::BrokenPipe {
        let mut failure = STDOUT_FAILURE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        failure.get_or_insert_with(|| e.to_string());
    }
}

/// Writes a document to standard output.
pub fn to_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|()| out.flush()) {
        note_failure(&e);
    }
    finish_stdout()
}

/// Flushes standard output and fails if anything written to it was lost (a full disk,
/// `/dev/full`).
pub fn finish_stdout() -> anyhow::Result<()> {
    if let Err(e) = std::io::stdout().lock().flush() {
        note_failure(&e);
    }
    let failure = STDOUT_FAILURE.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    match failure {
        Some(why) => anyhow::bail!("cannot write to standard output: {why}"),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_folders_are_named_after_the_changes() {
        let set = |t: &str| Override::parse(t).unwrap();
        assert_eq!(default_folder("month", &[]), PathBuf::from("reports/month"));
        assert_eq!(
            default_folder("month", &[set("fleet.servers=20000"), set("step.0.duration.max=30m")]),
            PathBuf::from("reports/month+fleet.servers=20000+step.0.duration.max=30m")
        );
        assert_eq!(
            default_folder("month", &[set("windows.starts=[\"00:00\", \"04:00\"]")]),
            PathBuf::from("reports/month+windows.starts=[_00_00_, _04_00_]")
        );
        assert_eq!(safe_file_name("con"), "_con");
        assert_eq!(safe_file_name("NUL.summary"), "_NUL.summary");
        assert_eq!(safe_file_name("COM1"), "_COM1");
        assert_eq!(safe_file_name("console"), "console");
        assert_eq!(safe_file_name("a<b>:c|d?*"), "a_b__c_d__");
        assert_eq!(safe_file_name("monthly server patching"), "monthly server patching");
        assert_eq!(safe_file_name("end."), "end_");
        let long = default_folder("month", &[set(&format!("description={}", "x".repeat(200)))]);
        let name = long.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(name.chars().count(), 93);
        assert_ne!(long, default_folder("month", &[set(&format!("description={}", "x".repeat(201)))]));
    }
}
