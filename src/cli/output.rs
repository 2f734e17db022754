//! Writing reports: into a temporary file beside the target, then renamed into place, so a run
//! that fails never leaves a half-written file behind.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

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

/// Writes `files` (name, bytes) into `folder`, creating it if needed; each file is written to a
/// temporary name first and renamed into place.
pub fn write_files(folder: &Path, files: &[(&str, &[u8])]) -> anyhow::Result<()> {
    fs::create_dir_all(folder).with_context(|| format!("cannot create the report folder {}", folder.display()))?;
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    for (name, bytes) in files {
        let target = folder.join(name);
        let temp = folder.join(format!(".{name}.tmp-{}", std::process::id()));
        let result = (|| -> std::io::Result<()> {
            let mut f = fs::File::create(&temp)?;
            f.write_all(bytes)?;
            f.sync_all()
        })();
        if let Err(e) = result {
            let _ = fs::remove_file(&temp);
            for (t, _) in &staged {
                let _ = fs::remove_file(t);
            }
            return Err(e).with_context(|| format!("cannot write {}", target.display()));
        }
        staged.push((temp, target));
    }
    for (temp, target) in &staged {
        fs::rename(temp, target).with_context(|| format!("cannot write {}", target.display()))?;
    }
    Ok(())
}
