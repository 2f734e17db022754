//! Single-file outputs (a timings file, an imported scenario) and files edited in place
//! (`calibrate --into`), written whole or not at all.
//!
//! - **Links are followed**: a link stays a link and the file it leads to gets the new text.
//! - **Whole or not at all**: the new text goes into a temporary file beside the target
//!   (removed on any failure, and on Ctrl+C), flushed, then renamed over it.
//! - **Permissions are kept**: the temporary file takes the target's permissions (and, on Unix,
//!   its owner and group where the user may) before the rename.
//! - **Read-only files are refused** before anything is written: a file marked read-only, one
//!   this user may not write, or one in a folder this user may not write.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::cleanup::{self, Temporary};
use super::error::OutputError;
use super::paths::check_overlap;

/// Which existing files a command replaces without `--force`.
#[derive(Clone, Copy)]
pub enum Replaces<'a> {
    /// None: the output is the user's to edit once written.
    Nothing,
    /// Those that `writer` wrote, as their first line tells.
    Own {
        /// The command, for messages (`patchsim calibrate`).
        writer: &'static str,
        /// Whether a first line is the one the command writes.
        ours: &'a dyn Fn(&str) -> bool,
    },
}

/// Checks, before any work, that `path` may receive a command's output: it is none of the
/// `inputs` (not even with `force`), not a folder, and new — or one the command `replaces`,
/// or `force` allows replacing it.
pub fn claim_file(path: &Path, inputs: &[PathBuf], replaces: Replaces<'_>, force: bool) -> Result<(), OutputError> {
    check_overlap(path, inputs)?;
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(OutputError::IsAFolder { path: path.to_path_buf() }),
        Ok(_) if !force => match replaces {
            Replaces::Own { ours, .. } if ours(&first_line(path)) => InPlace::check(path).map(|_| ()),
            Replaces::Own { writer, .. } => Err(OutputError::NotOurs { path: path.to_path_buf(), writer }),
            Replaces::Nothing => Err(OutputError::Exists { path: path.to_path_buf() }),
        },
        Ok(_) => InPlace::check(path).map(|_| ()),
        Err(_) => Ok(()),
    }
}

fn first_line(path: &Path) -> String {
    use std::io::Read as _;
    let mut head = vec![0u8; 4096];
    let n = fs::File::open(path).and_then(|mut f| f.read(&mut head)).unwrap_or(0);
    head.truncate(n);
    let text = String::from_utf8_lossy(&head);
    text.trim_start_matches('\u{feff}').lines().next().unwrap_or("").to_owned()
}

/// Writes `bytes` to `path` whole or not at all: a new file, or an existing one replaced in
/// place (see [`InPlace`]).
pub fn replace_file(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    if fs::symlink_metadata(path).is_ok() {
        return InPlace::check(path)?.replace(bytes);
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(OutputError::io("create", &parent))?;
    let name = path.file_name().ok_or_else(|| OutputError::NoName { path: path.to_path_buf() })?;
    write_then_rename(&parent, &name.to_string_lossy(), path, bytes, None)
}

/// An existing file checked for an edit in place: where its content really is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InPlace {
    /// The path as the user gave it, for messages.
    pub shown: PathBuf,
    /// The file itself, every link resolved.
    pub target: PathBuf,
}

impl InPlace {
    /// Checks that `path` names a regular file (through any links) that this user may replace;
    /// nothing is written.
    pub fn check(path: &Path) -> Result<Self, OutputError> {
        let shown = path.to_path_buf();
        let target = fs::canonicalize(path).map_err(OutputError::io("edit", path))?;
        let meta = fs::metadata(&target).map_err(OutputError::io("edit", path))?;
        if meta.is_dir() {
            return Err(OutputError::IsAFolder { path: shown });
        }
        let through =
            if path.is_symlink() { format!(" (the link's target {})", target.display()) } else { String::new() };
        let read_only = |why: String| OutputError::ReadOnly { path: shown.clone(), through: through.clone(), why };
        if meta.permissions().readonly() {
            return Err(read_only(String::new()));
        }
        // Opening for writing (without truncating) asks the system whether this user may.
        if let Err(e) = fs::OpenOptions::new().write(true).open(&target) {
            return Err(read_only(format!(" ({e})")));
        }
        let dir = target.parent().unwrap_or(Path::new("."));
        let dir_meta = fs::metadata(dir).map_err(OutputError::io("edit", path))?;
        if dir_meta.permissions().readonly() {
            return Err(read_only(format!(
                " (its folder {} is read-only, so it cannot be replaced whole)",
                dir.display()
            )));
        }
        Ok(Self { shown, target })
    }

    /// Replaces the file's content with `bytes`, whole or not at all, keeping its permissions
    /// and any links that lead to it.
    pub fn replace(&self, bytes: &[u8]) -> Result<(), OutputError> {
        let meta = fs::metadata(&self.target).map_err(OutputError::io("edit", &self.shown))?;
        let dir = self.target.parent().unwrap_or(Path::new("."));
        let name = self.target.file_name().map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
        write_then_rename(dir, &name, &self.target, bytes, Some(&meta))
    }
}

/// Writes a temporary file in `dir`, gives it `like`'s permissions and owner, and renames it
/// to `target`.
fn write_then_rename(
    dir: &Path,
    name: &str,
    target: &Path,
    bytes: &[u8],
    like: Option<&fs::Metadata>,
) -> Result<(), OutputError> {
    let temp = Temporary::register(dir.join(format!(".{name}.patchsim-tmp-{}", std::process::id())));
    {
        let _hold = cleanup::critical();
        let mut file = fs::File::create(temp.path()).map_err(OutputError::io("create", temp.path()))?;
        file.write_all(bytes).and_then(|()| file.sync_all()).map_err(OutputError::io("write", temp.path()))?;
        drop(file);
        if let Some(meta) = like {
            fs::set_permissions(temp.path(), meta.permissions()).map_err(OutputError::io("write", temp.path()))?;
            keep_owner(temp.path(), meta);
        }
        fs::rename(temp.path(), target).map_err(OutputError::io("write", target))?;
    }
    temp.keep();
    // The rename is durable once the folder is (best effort: not every system can).
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Gives the temporary file the target's owner and group where the user may (on Unix; a user
/// who may not keeps the group when they belong to it, and becomes the owner).
#[cfg(unix)]
fn keep_owner(temp: &Path, meta: &fs::Metadata) {
    use std::os::unix::fs::MetadataExt as _;
    if std::os::unix::fs::chown(temp, Some(meta.uid()), Some(meta.gid())).is_err() {
        let _ = std::os::unix::fs::chown(temp, None, Some(meta.gid()));
    }
}

#[cfg(not(unix))]
fn keep_owner(_temp: &Path, _meta: &fs::Metadata) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("patchsim-file-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn inputs_are_never_outputs_and_foreign_files_need_force() {
        let dir = scratch("claim");
        let input = dir.join("history.csv");
        fs::write(&input, "a,b\n").unwrap();
        let starts = |line: &str| line.starts_with("# Fitted");
        let ours = Replaces::Own { writer: "patchsim calibrate", ours: &starts };
        let refused = claim_file(&input, std::slice::from_ref(&input), ours, true).unwrap_err();
        assert!(refused.to_string().contains("is the input"), "{refused}");
        let other = dir.join("notes.toml");
        fs::write(&other, "my notes\n").unwrap();
        let refused = claim_file(&other, &[], ours, false).unwrap_err();
        assert_eq!(
            refused.to_string(),
            format!(
                "{} exists and was not written by patchsim calibrate: choose another --out, or add --force to replace it",
                other.display()
            )
        );
        assert!(claim_file(&other, &[], ours, true).is_ok());
        assert_eq!(
            claim_file(&other, &[], Replaces::Nothing, false).unwrap_err().to_string(),
            format!("{} exists: choose another --out, or add --force to replace it", other.display())
        );
        fs::write(&other, "\u{feff}# Fitted by patchsim\n").unwrap();
        assert!(claim_file(&other, &[], ours, false).is_ok());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn replacing_follows_links_keeps_modes_and_refuses_read_only_files() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = scratch("replace");
        let real = dir.join("real.toml");
        fs::write(&real, "old\n").unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.join("link.toml");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        replace_file(&link, b"new\n").unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(fs::read_to_string(&real).unwrap(), "new\n");
        assert_eq!(fs::metadata(&real).unwrap().permissions().mode() & 0o777, 0o640);
        fs::set_permissions(&real, fs::Permissions::from_mode(0o444)).unwrap();
        let refused = replace_file(&real, b"newer\n").unwrap_err();
        assert!(matches!(refused, OutputError::ReadOnly { .. }), "{refused}");
        assert_eq!(fs::read_to_string(&real).unwrap(), "new\n");
        replace_file(&dir.join("fresh.toml"), b"fresh\n").unwrap();
        assert_eq!(fs::read_to_string(dir.join("fresh.toml")).unwrap(), "fresh\n");
        let leftovers = fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains("patchsim-tmp"))
            .count();
        assert_eq!(leftovers, 0);
        fs::set_permissions(&real, fs::Permissions::from_mode(0o644)).unwrap();
        fs::remove_dir_all(&dir).unwrap();
    }
}
