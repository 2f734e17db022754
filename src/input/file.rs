//! Reading a file the user named (a scenario, timings, an inventory, a history) with errors a
//! user can act on: missing, not allowed, a folder, or too large to be what it claims.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::InputError;

/// What a file is, for its messages.
#[derive(Debug, Clone, Copy)]
pub struct InputFile<'a> {
    /// The file as named in messages.
    pub shown: &'a str,
    /// What it should hold, as in "cannot read the inventory" (`"inventory"`).
    pub what: &'a str,
    /// The kind of file, as in "is a folder, not an inventory CSV file".
    pub kind: &'a str,
    /// The largest file read, in bytes.
    pub max_bytes: u64,
}

impl InputFile<'_> {
    /// The file's bytes, or an error naming the file and what is wrong.
    pub fn read(&self, path: &Path) -> Result<Vec<u8>, InputError> {
        let cannot = |e: std::io::Error| {
            let why = match e.kind() {
                std::io::ErrorKind::NotFound => "no such file".to_owned(),
                std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
                _ => e.to_string(),
            };
            InputError::file(self.shown, format!("cannot read the {}: {why}", self.what))
        };
        let meta = std::fs::metadata(path).map_err(cannot)?;
        if meta.is_dir() {
            return Err(InputError::file(
                self.shown,
                format!("cannot read the {}: is a folder, not {}", self.what, self.kind),
            ));
        }
        if meta.len() > self.max_bytes {
            return Err(InputError::file(
                self.shown,
                format!("the {} is {} bytes, more than the {} read at most", self.what, meta.len(), self.max_bytes),
            ));
        }
        std::fs::read(path).map_err(cannot)
    }
}

/// A file a scenario reads besides itself (its inventory), as it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadFile {
    /// The path as the scenario writes it (`inventory = "servers.csv"`).
    pub written: String,
    /// Where it was read from disk (`None` for a copy a shard carried).
    pub path: Option<PathBuf>,
    /// The file as named in messages.
    pub shown: String,
    /// Its bytes, as read.
    pub bytes: Arc<[u8]>,
}

/// Where a scenario's other files come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum FileSource {
    /// From disk, relative to the scenario file (as a user reads `inventory = "servers.csv"`
    /// beside it).
    #[default]
    Disk,
    /// Copies carried with the scenario, found by the path the scenario writes: a shard's
    /// inventory, so that shards merge wherever they lie.
    Carried {
        /// What carried them, for messages (e.g. `shard-1/shard.json`).
        by: String,
        /// The copies.
        files: Vec<ReadFile>,
    },
}

impl FileSource {
    /// Reads the file the scenario `scenario_file` names `written`, as `what` (for its messages
    /// and size bound).
    pub fn read(&self, scenario_file: &str, written: &str, what: InputFile<'_>) -> Result<ReadFile, InputError> {
        match self {
            Self::Disk => {
                let base = Path::new(scenario_file).parent().unwrap_or(Path::new(""));
                let path = base.join(written);
                let shown = path.display().to_string();
                let bytes = InputFile { shown: &shown, ..what }.read(&path)?;
                Ok(ReadFile { written: written.to_owned(), path: Some(path), shown, bytes: bytes.into() })
            }
            Self::Carried { by, files } => {
                let found = files.iter().find(|f| f.written == written).ok_or_else(|| {
                    InputError::file(
                        by,
                        format!("the scenario reads the {} \"{written}\", and no copy of it was carried", what.what),
                    )
                })?;
                Ok(ReadFile { shown: format!("{written} (as carried by {by})"), ..found.clone() })
            }
        }
    }
}
