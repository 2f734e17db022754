//! Single-file outputs (a timings file, an imported scenario, a scenario edited in place),
//! written whole or not at all.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::cleanup::Temporary;
use super::error::OutputError;
use super::paths::check_overlap;

/// Checks, before any work, that `path` may receive the output of `writer`: it is none of the
/// `inputs` (not even with `force`), not a folder, and new — or `ours` says patchsim wrote it
/// (from its first line), or `force` allows replacing it.
pub fn claim_file(
    path: &Path,
    inputs: &[PathBuf],
    writer: &'static str,
    ours: impl Fn(&str) -> bool,
    force: bool,
) -> Result<(), OutputError> {
    check_overlap(path, inputs)?;
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(OutputError::IsAFolder { path: path.to_path_buf() }),
        Ok(_) if !force => {
            let first = first_line(path);
            if ours(&first) { Ok(()) } else { Err(OutputError::NotOurs { path: path.to_path_buf(), writer }) }
        }
        _ => Ok(()),
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

/// Replaces the file at `path` with `bytes`, whole or not at all: written beside it, flushed,
/// then renamed over it. A link is followed (the file it points to is replaced, the link
/// stays), the file keeps its permissions, and a file this user may not write is refused.
pub fn replace_file(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let real = if is_link {
        fs::canonicalize(path).map_err(OutputError::io("follow the link", path))?
    } else {
        path.to_path_buf()
    };
    let existing = match fs::metadata(&real) {
        Ok(meta) if meta.is_dir() => return Err(OutputError::IsAFolder { path: path.to_path_buf() }),
        Ok(meta) => {
            let writable = fs::OpenOptions::new().write(true).open(&real).is_ok();
            if meta.permissions().readonly() || !writable {
                return Err(OutputError::ReadOnly { path: path.to_path_buf() });
            }
            Some(meta.permissions())
        }
        Err(_) => None,
    };
    let name = real.file_name().ok_or_else(|| OutputError::NoName { path: path.to_path_buf() })?.to_string_lossy();
    let parent = match real.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(OutputError::io("create", &parent))?;
    let temp = Temporary::register(parent.join(format!(".{name}.patchsim-tmp-{}", std::process::id())));
    let mut file = fs::File::create(temp.path()).map_err(OutputError::io("create", temp.path()))?;
    file.write_all(bytes).map_err(OutputError::io("write", temp.path()))?;
    file.sync_all().map_err(OutputError::io("write", temp.path()))?;
    drop(file);
    if let Some(permissions) = existing {
        fs::set_permissions(temp.path(), permissions).map_err(OutputError::io("write", temp.path()))?;
    }
    fs::rename(temp.path(), &real).map_err(OutputError::io("write", path))?;
    temp.keep();
    Ok(())
}

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
        let ours = |line: &str| line.starts_with("# Fitted");
        let refused = claim_file(&input, std::slice::from_ref(&input), "patchsim calibrate", ours, true).unwrap_err();
        assert!(refused.to_string().contains("is the input"), "{refused}");
        let other = dir.join("notes.toml");
        fs::write(&other, "my notes\n").unwrap();
        let refused = claim_file(&other, &[], "patchsim calibrate", ours, false).unwrap_err();
        assert_eq!(
            refused.to_string(),
            format!(
                "{} exists and was not written by patchsim calibrate: choose another --out, or add --force to replace it",
                other.display()
            )
        );
        assert!(claim_file(&other, &[], "patchsim calibrate", ours, true).is_ok());
        fs::write(&other, "\u{feff}# Fitted by patchsim\n").unwrap();
        assert!(claim_file(&other, &[], "patchsim calibrate", ours, false).is_ok());
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
        let leftovers: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains("patchsim-tmp"))
            .collect();
        assert!(leftovers.is_empty());
        fs::set_permissions(&real, fs::Permissions::from_mode(0o644)).unwrap();
        fs::remove_dir_all(&dir).unwrap();
    }
}
