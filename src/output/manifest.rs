//! The marker file of an output folder: which command wrote it, and every file it wrote with
//! its size and SHA-256 digest, so that a later run can tell the folder holds nothing else.

use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::OutputError;
use crate::digest::sha256_hex;

/// The marker's file name inside an output folder.
pub const MARKER: &str = ".patchsim-report";

/// What the first versions of patchsim wrote in the marker (no list of files).
const LEGACY_MARKER: &str = "A report written by patchsim";

/// The command whose output a folder holds; a folder is only ever replaced by the same kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutputKind {
    /// `patchsim run` (also with `--shard`).
    Run,
    /// `patchsim merge`.
    Merge,
    /// `patchsim plan`.
    Plan,
    /// `patchsim compare`.
    Compare,
    /// `patchsim sweep`.
    Sweep,
    /// `patchsim trace`.
    Trace,
    /// `patchsim backtest`.
    Backtest,
}

impl OutputKind {
    /// The subcommand's name.
    pub const fn command(self) -> &'static str {
        match self {
            Self::Run => "run",
            Self::Merge => "merge",
            Self::Plan => "plan",
            Self::Compare => "compare",
            Self::Sweep => "sweep",
            Self::Trace => "trace",
            Self::Backtest => "backtest",
        }
    }

    /// Whether a file of this name is one the first versions of patchsim wrote for this kind
    /// (their marker listed no files).
    fn legacy_file(self, name: &str) -> bool {
        let chart = name.ends_with(".svg") || name.ends_with(".png");
        match self {
            Self::Run | Self::Merge => {
                chart
                    || matches!(
                        name,
                        "summary.json"
                            | "load.csv"
                            | "summary.md"
                            | "windows.csv"
                            | "report.html"
                            | "servers.csv"
                            | "history.csv"
                            | "shard.json"
                    )
            }
            Self::Plan => matches!(name, "plan.json" | "plan.svg" | "plan.png"),
            Self::Compare => {
                matches!(name, "compare.json" | "compare.md" | "differences.svg" | "differences.png")
                    || name.ends_with(".summary.json")
            }
            Self::Sweep => matches!(name, "sweep.csv" | "sweep.svg" | "sweep.png"),
            Self::Trace => matches!(name, "trace.csv" | "trace.svg" | "trace.png"),
            // Written by versions with a full marker only: nothing to recognise.
            Self::Backtest => false,
        }
    }

    /// The file that tells which kind a first-version folder holds.
    fn legacy_signature(self) -> &'static str {
        match self {
            Self::Run | Self::Merge => "summary.json",
            Self::Plan => "plan.json",
            Self::Compare => "compare.json",
            Self::Sweep => "sweep.csv",
            Self::Trace => "trace.csv",
            Self::Backtest => "backtest.json",
        }
    }
}

/// One file of an output folder, as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Its name in the folder.
    pub name: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its SHA-256 digest, hex.
    pub sha256: String,
}

/// The marker of an output folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// `patchsim` and its version.
    pub written_by: String,
    /// The command that wrote the folder.
    pub kind: OutputKind,
    /// Whether every file below was written (false while the folder is being built).
    pub complete: bool,
    /// Every file, in the order written.
    pub files: Vec<ManifestEntry>,
}

impl Manifest {
    /// The marker of a folder being built by `kind`.
    pub fn started(kind: OutputKind) -> Self {
        Self { written_by: format!("patchsim {}", env!("CARGO_PKG_VERSION")), kind, complete: false, files: Vec::new() }
    }

    /// Records a written file.
    pub fn add(&mut self, name: &str, bytes: &[u8]) {
        self.files.push(ManifestEntry { name: name.to_owned(), bytes: bytes.len() as u64, sha256: sha256_hex(bytes) });
    }

    /// The marker's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        crate::report::json::pretty_ascii_json(self).unwrap_or_default()
    }
}

/// What the marker of an existing folder says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marker {
    /// No marker.
    None,
    /// A marker of the first versions (no file list).
    Legacy,
    /// A marker with its file list.
    Listed(Manifest),
    /// A marker patchsim cannot read.
    Unreadable,
}

/// Reads the marker of `folder`.
pub fn read_marker(folder: &Path) -> Marker {
    let path = folder.join(MARKER);
    match fs::symlink_metadata(&path) {
        Ok(meta) if meta.is_file() && meta.len() <= 16 << 20 => {}
        Ok(_) => return Marker::Unreadable,
        Err(_) => return Marker::None,
    }
    let Ok(bytes) = fs::read(&path) else { return Marker::Unreadable };
    if bytes.starts_with(LEGACY_MARKER.as_bytes()) {
        return Marker::Legacy;
    }
    serde_json::from_slice(&bytes).map_or(Marker::Unreadable, Marker::Listed)
}

/// Checks that `folder` holds exactly a previous output of `kind` and nothing else — or is
/// empty; otherwise names a file that is not patchsim's.
pub fn verify(folder: &Path, kind: OutputKind) -> Result<(), OutputError> {
    let mut entries: Vec<(String, fs::FileType)> = Vec::new();
    for entry in fs::read_dir(folder).map_err(OutputError::io("read", folder))? {
        let entry = entry.map_err(OutputError::io("read", folder))?;
        let file_type = entry.file_type().map_err(OutputError::io("read", entry.path()))?;
        entries.push((entry.file_name().to_string_lossy().into_owned(), file_type));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    if entries.is_empty() {
        return Ok(());
    }
    let foreign = |name: &str| OutputError::Foreign { folder: folder.to_path_buf(), file: name.to_owned() };
    let first_other = || entries.iter().find(|(n, _)| n != MARKER).map_or(MARKER, |(n, _)| n.as_str()).to_owned();
    match read_marker(folder) {
        Marker::None | Marker::Unreadable => Err(foreign(&first_other())),
        Marker::Legacy => {
            let holds = |name: &str| entries.iter().any(|(n, t)| n == name && t.is_file());
            if !holds(kind.legacy_signature()) {
                return Err(foreign(&first_other()));
            }
            for (name, file_type) in &entries {
                if name != MARKER && !(file_type.is_file() && kind.legacy_file(name)) {
                    return Err(foreign(name));
                }
            }
            Ok(())
        }
        Marker::Listed(manifest) => {
            if manifest.kind != kind {
                return Err(OutputError::OtherKind {
                    folder: folder.to_path_buf(),
                    found: manifest.kind.command().to_owned(),
                    wanted: kind.command().to_owned(),
                });
            }
            for (name, file_type) in &entries {
                if name == MARKER {
                    continue;
                }
                let Some(listed) = manifest.files.iter().find(|f| &f.name == name) else {
                    return Err(foreign(name));
                };
                if !file_type.is_file() {
                    return Err(foreign(name));
                }
                let path = folder.join(name);
                let meta = fs::metadata(&path).map_err(OutputError::io("read", &path))?;
                let same = meta.len() == listed.bytes && {
                    let bytes = fs::read(&path).map_err(OutputError::io("read", &path))?;
                    sha256_hex(&bytes) == listed.sha256
                };
                if !same {
                    return Err(OutputError::Changed { folder: folder.to_path_buf(), file: name.clone() });
                }
            }
            Ok(())
        }
    }
}
