//! An output folder, claimed before the work and replaced in one step after it.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::cleanup::{self, Temporary};
use super::error::OutputError;
use super::lock::FolderLock;
use super::manifest::{MARKER, Manifest, Marker, OutputKind, read_marker, verify};
use super::paths::check_overlap;
use crate::report::bundle::ReportFile;

/// An output folder this command may write: checked, locked, ready for [`ReportFolder::commit`].
#[derive(Debug)]
pub struct ReportFolder {
    /// The folder as the user named it.
    target: PathBuf,
    /// The folder it sits in.
    parent: PathBuf,
    /// The folder's own name.
    name: String,
    kind: OutputKind,
    lock: Option<FolderLock>,
    /// Folders created to hold it, outermost first: removed again if nothing is written.
    created: Vec<PathBuf>,
    committed: bool,
    notes: Vec<String>,
}

impl ReportFolder {
    /// Claims `target` for the output of `kind`: refuses a folder that is not new, empty, or a
    /// previous output of the same kind and nothing else, and one that is, holds or sits inside
    /// one of `inputs`; takes the folder's lock; puts back a report an interrupted run set
    /// aside and removes the unfinished folders it left.
    pub fn claim(target: &Path, kind: OutputKind, inputs: &[PathBuf]) -> Result<Self, OutputError> {
        let name = target
            .file_name()
            .ok_or_else(|| OutputError::NoName { path: target.to_path_buf() })?
            .to_string_lossy()
            .into_owned();
        check_overlap(target, inputs)?;
        check_shape(target)?;
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let created = create_parents(&parent)?;
        let mut folder = Self {
            target: target.to_path_buf(),
            parent,
            name,
            kind,
            lock: None,
            created,
            committed: false,
            notes: Vec::new(),
        };
        folder.lock = Some(FolderLock::acquire(FolderLock::path_for(&folder.parent, &folder.name), target)?);
        folder.recover()?;
        check_shape(target)?;
        if target.exists() {
            verify(target, kind)?;
        }
        Ok(folder)
    }

    /// The folder as the user named it.
    pub fn path(&self) -> &Path {
        &self.target
    }

    /// What the claim did that the user should hear about (a report put back, leftovers
    /// removed).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Writes `files` into a temporary folder beside the target, then swaps it in: a reader of
    /// the target sees the previous complete report until the new complete one replaces it.
    /// On any failure the target is as it was and the temporary folder is gone.
    pub fn commit(mut self, files: &[ReportFile]) -> Result<Vec<String>, OutputError> {
        let pid = std::process::id();
        let temp = Temporary::register(self.parent.join(format!(".{}.patchsim-tmp-{pid}", self.name)));
        let mut manifest = Manifest::started(self.kind);
        {
            let _hold = cleanup::critical();
            remove_ours(temp.path());
            fs::create_dir(temp.path()).map_err(OutputError::io("create", temp.path()))?;
            write_file(&temp.path().join(MARKER), &manifest.to_bytes())?;
        }
        for file in files {
            if file.name == MARKER || manifest.files.iter().any(|f| f.name == file.name) {
                return Err(OutputError::Foreign { folder: self.target.clone(), file: file.name.clone() });
            }
            let _hold = cleanup::critical();
            write_file(&temp.path().join(&file.name), &file.bytes)?;
            manifest.add(&file.name, &file.bytes);
        }
        manifest.complete = true;
        {
            let _hold = cleanup::critical();
            let marker_temp = temp.path().join(".patchsim-report.new");
            write_file(&marker_temp, &manifest.to_bytes())?;
            fs::rename(&marker_temp, temp.path().join(MARKER)).map_err(OutputError::io("write", temp.path()))?;
        }

        // The folder may have changed while the work ran: check it again just before the swap.
        check_shape(&self.target)?;
        if self.target.exists() {
            verify(&self.target, self.kind)?;
        }
        let aside = Temporary::register(self.parent.join(format!(".{}.patchsim-old-{pid}", self.name)));
        let exchanged = {
            let _hold = cleanup::critical();
            swap_in(temp.path(), &self.target, aside.path())?
        };
        if exchanged {
            // The temporary path now holds the previous report: remove it if it is still ours.
            self.discard_previous(temp);
            drop(aside);
        } else {
            temp.keep();
            self.discard_previous(aside);
        }
        self.committed = true;
        Ok(std::mem::take(&mut self.notes))
    }

    /// Removes a previous report moved out of the way, unless something not patchsim's
    /// appeared in it meanwhile: then it is kept where it is, and a note says so.
    fn discard_previous(&mut self, previous: Temporary) {
        if !previous.path().exists() {
            return;
        }
        if let Err(e) = verify(previous.path(), self.kind) {
            self.notes.push(format!("kept the previous report at {}: {e}", previous.path().display()));
            previous.keep();
        }
    }

    /// Puts back a report set aside by an interrupted run, and removes the unfinished
    /// folders interrupted runs left (the lock is held: no live patchsim is writing them).
    fn recover(&mut self) -> Result<(), OutputError> {
        let mut aside: Vec<(std::time::SystemTime, PathBuf)> = Vec::new();
        let mut unfinished: Vec<PathBuf> = Vec::new();
        let prefixes = [format!(".{}.patchsim-old-", self.name), format!(".{}.old-", self.name)];
        let temps = [format!(".{}.patchsim-tmp-", self.name), format!(".{}.tmp-", self.name)];
        for entry in fs::read_dir(&self.parent).map_err(OutputError::io("read", &self.parent))? {
            let Ok(entry) = entry else { continue };
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if !entry.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let ours = read_marker(&path) != Marker::None;
            if ours && prefixes.iter().any(|p| name.starts_with(p.as_str())) {
                let modified = entry.metadata().and_then(|m| m.modified()).unwrap_or(std::time::UNIX_EPOCH);
                aside.push((modified, path));
            } else if temps.iter().any(|p| name.starts_with(p.as_str())) && (ours || is_empty_dir(&path)) {
                // A run killed before it wrote its marker leaves an empty folder.
                unfinished.push(path);
            }
        }
        aside.sort();
        if !self.target.exists()
            && let Some((_, newest)) = aside.pop()
        {
            fs::rename(&newest, &self.target).map_err(OutputError::io("restore", &newest))?;
            self.notes
                .push(format!("put back the report an interrupted run had set aside in {}", self.target.display()));
        }
        for (_, path) in aside.into_iter().chain(unfinished.into_iter().map(|p| (std::time::UNIX_EPOCH, p))) {
            if fs::remove_dir_all(&path).is_ok() {
                self.notes.push(format!("removed {}, left unfinished by an interrupted run", path.display()));
            }
        }
        Ok(())
    }
}

impl Drop for ReportFolder {
    fn drop(&mut self) {
        drop(self.lock.take());
        if !self.committed {
            for dir in self.created.iter().rev() {
                if fs::remove_dir(dir).is_err() {
                    break;
                }
            }
        }
    }
}

/// Refuses a target that is a link or a file.
fn check_shape(target: &Path) -> Result<(), OutputError> {
    match fs::symlink_metadata(target) {
        Ok(meta) if meta.file_type().is_symlink() => Err(OutputError::Link { path: target.to_path_buf() }),
        Ok(meta) if !meta.is_dir() => Err(OutputError::NotAFolder { path: target.to_path_buf() }),
        _ => Ok(()),
    }
}

/// Creates the missing folders of `path`; returns those it created, outermost first.
fn create_parents(path: &Path) -> Result<Vec<PathBuf>, OutputError> {
    let mut missing: Vec<PathBuf> = Vec::new();
    let mut at = Some(path);
    while let Some(p) = at {
        if p.as_os_str().is_empty() || p.exists() {
            break;
        }
        missing.push(p.to_path_buf());
        at = p.parent();
    }
    missing.reverse();
    for dir in &missing {
        if let Err(e) = fs::create_dir(dir)
            && !dir.is_dir()
        {
            return Err(OutputError::io("create", dir)(e));
        }
    }
    Ok(missing)
}

/// Puts the folder `new` at `target`. Where the system can, the two are exchanged in one step
/// (`new` then holds the previous report) and this returns true; otherwise the previous report
/// is renamed to `aside` first and put back if the second rename fails.
fn swap_in(new: &Path, target: &Path, aside: &Path) -> Result<bool, OutputError> {
    if !target.exists() {
        fs::rename(new, target).map_err(OutputError::io("write", target))?;
        return Ok(false);
    }
    if exchange(new, target).is_ok() {
        return Ok(true);
    }
    fs::rename(target, aside).map_err(OutputError::io("replace", target))?;
    if let Err(e) = fs::rename(new, target) {
        let _ = fs::rename(aside, target);
        return Err(OutputError::io("write", target)(e));
    }
    Ok(false)
}

/// Whether folders in `dir` can be exchanged in one step (so a reader never finds a report
/// missing while it is replaced), found by trying it on two empty folders.
pub fn swaps_in_one_step(dir: &Path) -> bool {
    let pid = std::process::id();
    let (a, b) = (dir.join(format!(".patchsim-probe-a-{pid}")), dir.join(format!(".patchsim-probe-b-{pid}")));
    let works = fs::create_dir(&a).is_ok() && fs::create_dir(&b).is_ok() && exchange(&a, &b).is_ok();
    let _ = fs::remove_dir(&a);
    let _ = fs::remove_dir(&b);
    works
}

/// Exchanges two paths atomically (Linux 3.15 and later; not every file system).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt as _;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both pointers are valid NUL-terminated strings for the duration of the call, and
    // renameat2 keeps neither.
    let result = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if result == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

fn is_empty_dir(path: &Path) -> bool {
    fs::read_dir(path).is_ok_and(|mut entries| entries.next().is_none())
}

/// Removes a leftover at a temporary path of ours, if it is ours.
fn remove_ours(path: &Path) {
    if path.is_dir() && read_marker(path) != Marker::None {
        let _ = fs::remove_dir_all(path);
    }
}

/// Writes one new file and flushes it to disk.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let mut f = fs::File::create_new(path).map_err(OutputError::io("create", path))?;
    f.write_all(bytes).map_err(OutputError::io("write", path))?;
    f.sync_all().map_err(OutputError::io("write", path))
}
