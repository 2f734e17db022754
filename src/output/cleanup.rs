//! What an interrupted command removes before it exits: the temporary folders and files it was
//! building, and its locks.
//!
//! A command registers each temporary path while it exists ([`Temporary`]). On Ctrl+C, SIGTERM
//! or SIGHUP (a closed console window on Windows) the handler removes every registered path and
//! exits with [`INTERRUPTED`]. Every change to a registered path (creating it, writing a file
//! into it, renaming it, swapping a report into place) is made holding [`critical`], which the
//! handler takes too: the handler never races a write (a file created in a folder being removed
//! would leave it behind), and it exits still holding it, so no write starts after the removal.
//! A reader never finds a folder half replaced.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, Once};

/// The exit status of a command stopped by Ctrl+C or a termination signal.
pub const INTERRUPTED: u8 = 130;

/// Paths to remove if the command is interrupted.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Installs the handler that removes registered paths on Ctrl+C and termination signals (once;
/// later calls do nothing).
pub fn install_interrupt_handler() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            let pending = pending();
            for path in pending.iter() {
                remove(path);
            }
            if pending.is_empty() {
                eprintln!("\ninterrupted");
            } else {
                eprintln!("\ninterrupted: the unfinished output was removed");
            }
            std::process::exit(i32::from(INTERRUPTED));
        });
    });
}

/// Holds off the interrupt handler until dropped: for a change to a registered path, or a few
/// steps that must not be cut short. Registering, keeping or dropping a [`Temporary`] while
/// holding it would wait for ever: end the hold first.
pub fn critical() -> Critical {
    Critical { _pending: pending() }
}

/// The hold [`critical`] gives.
#[must_use = "the hold ends when this is dropped"]
pub struct Critical {
    _pending: MutexGuard<'static, Vec<PathBuf>>,
}

fn remove(path: &Path) {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => {
            let _ = fs::remove_dir_all(path);
        }
        Ok(_) => {
            let _ = fs::remove_file(path);
        }
        Err(_) => {}
    }
}

/// A temporary path patchsim made: removed when dropped (an error on the way, a panic) and when
/// the command is interrupted, unless [`Temporary::keep`] says it is not temporary any more.
#[derive(Debug)]
pub struct Temporary {
    path: PathBuf,
    armed: bool,
}

impl Temporary {
    /// Registers `path` (which the caller is about to create).
    pub fn register(path: PathBuf) -> Self {
        pending().push(path.clone());
        Self { path, armed: true }
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// No longer removes the path: it was renamed into place, or must be kept.
    pub fn keep(mut self) {
        self.armed = false;
        forget(&self.path);
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        if self.armed {
            remove(&self.path);
            forget(&self.path);
        }
    }
}

fn forget(path: &Path) {
    let mut pending = pending();
    if let Some(at) = pending.iter().rposition(|p| p == path) {
        pending.swap_remove(at);
    }
}
