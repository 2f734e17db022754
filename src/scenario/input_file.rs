//! Reading a file the user named (a scenario, timings, an inventory, a history) with errors a
//! user can act on: missing, not allowed, a folder, or too large to be what it claims.

use std::path::Path;

use super::error::ScenarioError;

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
    pub fn read(&self, path: &Path) -> Result<Vec<u8>, ScenarioError> {
        let cannot = |e: std::io::Error| {
            let why = match e.kind() {
                std::io::ErrorKind::NotFound => "no such file".to_owned(),
                std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
                _ => e.to_string(),
            };
            ScenarioError::file(self.shown, format!("cannot read the {}: {why}", self.what))
        };
        let meta = std::fs::metadata(path).map_err(cannot)?;
        if meta.is_dir() {
            return Err(ScenarioError::file(
                self.shown,
                format!("cannot read the {}: is a folder, not {}", self.what, self.kind),
            ));
        }
        if meta.len() > self.max_bytes {
            return Err(ScenarioError::file(
                self.shown,
                format!("the {} is {} bytes, more than the {} read at most", self.what, meta.len(), self.max_bytes),
            ));
        }
        std::fs::read(path).map_err(cannot)
    }
}
