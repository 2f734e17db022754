//! Writing report folders: built in a temporary folder beside the target and renamed into place,
//! so a run that fails never leaves a half report; an existing folder is replaced only when it
//! holds a previous patchsim report.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::report::bundle::ReportFile;

/// The file that marks a folder as a patchsim report (so that a later run may replace it).
pub const MARKER: &str = ".patchsim-report";

/// Where a command's report goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Print the main document to standard output (`--out -`).
    Stdout,
    /// Write files into this folder.
    Folder(PathBuf),
}

impl Destination {
    /// `-` means standard output; anything else is a folder.
    pub fn parse(text: &Path) -> Self {
        if text.as_os_str() == "-" { Self::Stdout } else { Self::Folder(text.to_path_buf()) }
    }
}

/// Whether an existing folder may be replaced: it is empty, or it holds a patchsim report.
fn replaceable(folder: &Path) -> anyhow::Result<bool> {
    if !folder.is_dir() {
        bail!("{} exists and is not a folder: choose another --out", folder.display());
    }
    if folder.join(MARKER).is_file() {
        return Ok(true);
    }
    if let Ok(bytes) = fs::read(folder.join("summary.json"))
        && let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes)
        && value["schema"].as_str().is_some_and(|s| s.starts_with("patchsim/summary/"))
    {
        return Ok(true);
    }
    let mut entries = fs::read_dir(folder).with_context(|| format!("cannot read {}", folder.display()))?;
    Ok(entries.next().is_none())
}

/// Writes a report folder: every file into a temporary folder beside `folder`, then the temporary
/// folder renamed to `folder` (replacing a previous report there). On failure nothing changes.
pub fn write_report(folder: &Path, files: &[ReportFile]) -> anyhow::Result<()> {
    let name = folder
        .file_name()
        .with_context(|| format!("--out {}: name a folder for the report", folder.display()))?
        .to_string_lossy()
        .into_owned();
    if folder.exists() && !replaceable(folder)? {
        bail!(
            "{} exists and does not hold a patchsim report: patchsim replaces only its own report folders; \
             choose another --out, or empty or remove that folder",
            folder.display()
        );
    }
    let parent = match folder.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let pid = std::process::id();
    let temp = parent.join(format!(".{name}.tmp-{pid}"));
    let old = parent.join(format!(".{name}.old-{pid}"));
    let _ = fs::remove_dir_all(&temp);
    let written = (|| -> anyhow::Result<()> {
        fs::create_dir(&temp).with_context(|| format!("cannot create {}", temp.display()))?;
        for file in files {
            write_file(&temp.join(&file.name), &file.bytes)?;
        }
        write_file(&temp.join(MARKER), b"A report written by patchsim; patchsim may replace this folder.\n")?;
        Ok(())
    })();
    if let Err(e) = written {
        let _ = fs::remove_dir_all(&temp);
        return Err(e).with_context(|| format!("cannot write the report to {}", folder.display()));
    }
    if folder.exists() {
        fs::rename(folder, &old).with_context(|| format!("cannot replace {}", folder.display()))?;
    }
    if let Err(e) = fs::rename(&temp, folder) {
        // Put the previous report back where it was.
        if old.exists() {
            let _ = fs::rename(&old, folder);
        }
        let _ = fs::remove_dir_all(&temp);
        return Err(e).with_context(|| format!("cannot write the report to {}", folder.display()));
    }
    let _ = fs::remove_dir_all(&old);
    Ok(())
}

/// Writes a document to standard output; a reader that stopped reading (`| head`) is not an error.
pub fn to_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    match std::io::stdout().lock().write_all(bytes) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e).context("cannot write to standard output"),
        _ => Ok(()),
    }
}

/// Writes one file whole or not at all: into a temporary file beside it, then renamed over it.
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let name =
        path.file_name().with_context(|| format!("{}: name a file", path.display()))?.to_string_lossy().into_owned();
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if path.is_dir() {
        bail!("{} is a folder: name a file", path.display());
    }
    fs::create_dir_all(&parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let temp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    if let Err(e) = write_file(&temp, bytes) {
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    fs::rename(&temp, path).map_err(|e| {
        let _ = fs::remove_file(&temp);
        anyhow::Error::new(e).context(format!("cannot write {}", path.display()))
    })
}

fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut f = fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(bytes).with_context(|| format!("cannot write {}", path.display()))?;
    f.sync_all().with_context(|| format!("cannot write {}", path.display()))
}
