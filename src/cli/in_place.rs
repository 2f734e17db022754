//! Editing a file the user named in place (`calibrate --into`): the file stays where and what
//! it is.
//!
//! - **Symlinks are followed**: the link stays a link and its target gets the new text.
//! - **Whole or not at all**: the new text goes into a temporary file beside the target, which
//!   is then renamed over it; a failure leaves the target as it was.
//! - **Permissions are kept**: the temporary file takes the target's permissions (its mode on
//!   Unix) before the rename.
//! - **Read-only files are refused**, before anything is written anywhere: a file marked
//!   read-only, or one the user may not write, is an error and stays unchanged.
//!
//! Line endings, byte-order mark and encoding are the caller's (see `import::text_style`).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// A file checked for an edit in place: where its content really is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InPlace {
    /// The path as the user gave it, for messages.
    pub shown: String,
    /// The file itself, every symlink resolved.
    pub target: PathBuf,
}

impl InPlace {
    /// Checks that `path` names a regular file (through any symlinks) that the user may
    /// replace; nothing is written.
    pub fn check(path: &Path) -> anyhow::Result<Self> {
        let shown = path.display().to_string();
        let target = fs::canonicalize(path).with_context(|| format!("cannot edit {shown}"))?;
        let meta = fs::metadata(&target).with_context(|| format!("cannot edit {shown}"))?;
        if !meta.is_file() {
            bail!("cannot edit {shown}: it is not a regular file");
        }
        let through = if target.as_path() != path && path.is_symlink() {
            format!(" (the link's target {})", target.display())
        } else {
            String::new()
        };
        if meta.permissions().readonly() {
            bail!(
                "{shown}{through} is read-only: it is left unchanged; make it writable to calibrate it in place, or copy it first"
            );
        }
        // Opening for writing (without truncating) asks the system whether this user may.
        if let Err(e) = fs::OpenOptions::new().write(true).open(&target) {
            bail!("{shown}{through} cannot be written ({e}): it is left unchanged");
        }
        let dir = target.parent().unwrap_or(Path::new("."));
        let dir_meta = fs::metadata(dir).with_context(|| format!("cannot edit {shown}"))?;
        if dir_meta.permissions().readonly() {
            bail!(
                "{shown}{through}: its folder {} is read-only, so the file cannot be replaced whole: it is left unchanged",
                dir.display()
            );
        }
        Ok(Self { shown, target })
    }

    /// Replaces the file's content with `bytes`, whole or not at all, keeping its permissions
    /// and any symlinks that lead to it.
    pub fn replace(&self, bytes: &[u8]) -> anyhow::Result<()> {
        let meta = fs::metadata(&self.target).with_context(|| format!("cannot edit {}", self.shown))?;
        let dir = self.target.parent().unwrap_or(Path::new("."));
        let name = self.target.file_name().map_or_else(|| "scenario".into(), |n| n.to_string_lossy().into_owned());
        let (temp, mut file) = create_temp(dir, &name).with_context(|| {
            format!("cannot edit {}: cannot create a temporary file in {}", self.shown, dir.display())
        })?;
        let cleanup = |e: anyhow::Error| {
            let _ = fs::remove_file(&temp);
            e
        };
        let written = file
            .write_all(bytes)
            .and_then(|()| file.sync_all())
            .with_context(|| format!("cannot write {}", temp.display()))
            .and_then(|()| {
                fs::set_permissions(&temp, meta.permissions())
                    .with_context(|| format!("cannot give {} the permissions of {}", temp.display(), self.shown))
            });
        drop(file);
        written.map_err(cleanup)?;
        keep_owner(&temp, &meta);
        fs::rename(&temp, &self.target)
            .with_context(|| format!("cannot replace {}", self.target.display()))
            .map_err(cleanup)?;
        // The rename is durable once the folder is (best effort: not every system can).
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

/// A new temporary file beside the target, named after it and never an existing file.
fn create_temp(dir: &Path, name: &str) -> std::io::Result<(PathBuf, fs::File)> {
    let mut last = None;
    for attempt in 0..100u32 {
        let temp = dir.join(format!(".{name}.patchsim-{}-{attempt}.tmp", std::process::id()));
        match fs::OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(f) => return Ok((temp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free temporary name")))
}

/// Gives the temporary file the target's owner and group where the user may (on Unix; a user
/// who may not keeps the group when they belong to it, and becomes the owner).
#[cfg(unix)]
fn keep_owner(temp: &Path, meta: &fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    if std::os::unix::fs::chown(temp, Some(meta.uid()), Some(meta.gid())).is_err() {
        let _ = std::os::unix::fs::chown(temp, None, Some(meta.gid()));
    }
}

#[cfg(not(unix))]
fn keep_owner(_temp: &Path, _meta: &fs::Metadata) {}
