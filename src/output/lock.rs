//! A lock beside an output (`.NAME.patchsim-lock`): one patchsim at a time writes there.
//!
//! The lock is an advisory file lock (`flock` on Unix, `LockFileEx` on Windows), so it is
//! released by the operating system when the process ends, however it ends: a killed run never
//! leaves a stale lock behind. The file is removed when the lock is released; the lock is taken
//! again if the file was replaced meanwhile, so two processes never both hold it (on Windows a
//! file being removed cannot be opened for a moment: that is waited out).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read as _, Seek as _, Write as _};
use std::path::{Path, PathBuf};

use super::cleanup::Temporary;
use super::error::OutputError;

/// A held lock; released when dropped.
#[derive(Debug)]
pub struct FolderLock {
    file: File,
    /// The lock file, removed with the lock.
    removal: Option<Temporary>,
}

impl FolderLock {
    /// The lock of an output at `parent/name`.
    pub fn path_for(parent: &Path, name: &str) -> PathBuf {
        parent.join(format!(".{name}.patchsim-lock"))
    }

    /// Takes the lock of the output `shown` (for messages) at `path`, or says who holds it.
    pub fn acquire(path: PathBuf, shown: &Path) -> Result<Self, OutputError> {
        for attempt in 0..16 {
            let opened = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path);
            let mut file = match opened {
                Ok(file) => file,
                Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied && cfg!(windows) && attempt < 15 => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    continue;
                }
                Err(e) => return Err(OutputError::io("create", &path)(e)),
            };
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    let mut text = String::new();
                    let _ = file.read_to_string(&mut text);
                    let holder = text.trim().parse::<u32>().map(|pid| format!(" (process {pid})")).unwrap_or_default();
                    return Err(OutputError::Busy { folder: shown.to_path_buf(), holder });
                }
                Err(TryLockError::Error(e)) => return Err(OutputError::io("lock", &path)(e)),
            }
            if !same_file(&file, &path) {
                // Released and removed by its holder between our open and our lock: try again.
                continue;
            }
            let _ = file.set_len(0);
            let _ = file.rewind();
            let _ = write!(file, "{}", std::process::id());
            let removal = Some(Temporary::register(path.clone()));
            return Ok(Self { file, removal });
        }
        Err(OutputError::Busy { folder: shown.to_path_buf(), holder: String::new() })
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // Remove the file while still holding it; closing the file releases the lock.
        drop(self.removal.take());
        let _ = self.file.unlock();
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    // A file removed by its holder cannot be opened until it is gone: ours is the one there.
    path.exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_until_the_first_is_released() {
        let dir = std::env::temp_dir().join(format!("patchsim-lock-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = FolderLock::path_for(&dir, "out");
        let first = FolderLock::acquire(path.clone(), Path::new("out")).unwrap();
        let second = FolderLock::acquire(path.clone(), Path::new("out")).unwrap_err();
        assert_eq!(
            second.to_string(),
            format!(
                "another patchsim (process {}) is writing out: wait for it to finish, or choose another --out",
                std::process::id()
            )
        );
        drop(first);
        assert!(!path.exists(), "the lock file is removed with the lock");
        let third = FolderLock::acquire(path.clone(), Path::new("out")).unwrap();
        drop(third);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
