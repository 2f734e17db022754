//! Why an output could not be written, or was refused.

use std::path::PathBuf;

use thiserror::Error;

/// An output that patchsim refuses to write, or could not write.
#[derive(Debug, Error)]
pub enum OutputError {
    /// The path names no folder or file (`--out .`, `--out /`).
    #[error("{path}: name a new folder for the output (e.g. --out my-report), not the current or a parent folder")]
    NoName {
        /// The path as given.
        path: PathBuf,
    },
    /// The path exists and is a file, not a folder.
    #[error("{path} exists and is not a folder: choose another --out")]
    NotAFolder {
        /// The path.
        path: PathBuf,
    },
    /// The path is a folder where a file was expected.
    #[error("{path} is a folder: name a file")]
    IsAFolder {
        /// The path.
        path: PathBuf,
    },
    /// The path is a symbolic link (replacing it would lose the link).
    #[error(
        "{path} is a symbolic link: patchsim does not replace links; give the folder it points to, or another --out"
    )]
    Link {
        /// The path.
        path: PathBuf,
    },
    /// The folder holds something patchsim did not write.
    #[error(
        "{folder} holds {file}, which patchsim did not write: patchsim replaces only folders that hold its own output and nothing else; choose another --out, or move {file} away"
    )]
    Foreign {
        /// The folder.
        folder: PathBuf,
        /// A file (or folder) in it that is not patchsim's.
        file: String,
    },
    /// A file patchsim wrote was changed since.
    #[error(
        "{folder}: {file} was changed since patchsim wrote it, so replacing the folder would lose that change; choose another --out, or move {file} away"
    )]
    Changed {
        /// The folder.
        folder: PathBuf,
        /// The changed file.
        file: String,
    },
    /// The folder holds another kind of patchsim output.
    #[error("{folder} holds the output of `patchsim {found}`, not of `patchsim {wanted}`: choose another --out")]
    OtherKind {
        /// The folder.
        folder: PathBuf,
        /// What it holds.
        found: String,
        /// What this command writes.
        wanted: String,
    },
    /// The output would be, hold, or sit inside one of the command's inputs.
    #[error("{output} {relation} the input {input}: write the output somewhere else")]
    Overlap {
        /// The output path.
        output: PathBuf,
        /// The input path.
        input: PathBuf,
        /// "is", "would hold" or "is inside".
        relation: &'static str,
    },
    /// Another patchsim is writing the same output.
    #[error("another patchsim{holder} is writing {folder}: wait for it to finish, or choose another --out")]
    Busy {
        /// The folder.
        folder: PathBuf,
        /// " (process N)" when known.
        holder: String,
    },
    /// A file exists where a command writes only new files (unless told to replace it).
    #[error("{path} exists: choose another --out, or add --force to replace it")]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// A file exists that patchsim did not write (single-file outputs).
    #[error("{path} exists and was not written by {writer}: choose another --out, or add --force to replace it")]
    NotOurs {
        /// The file.
        path: PathBuf,
        /// The command that would have written it, e.g. "patchsim calibrate".
        writer: &'static str,
    },
    /// The file may not be written by this user.
    #[error("{}{through} is read-only{why}: it is left unchanged; make it writable first, or copy it", path.display())]
    ReadOnly {
        /// The file as the user named it.
        path: PathBuf,
        /// " (the link's target …)" when reached through a link.
        through: String,
        /// Why, when the file itself is not marked read-only.
        why: String,
    },
    /// A file-system operation failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What patchsim tried, e.g. "create".
        action: &'static str,
        /// Where.
        path: PathBuf,
        /// Why it failed.
        source: std::io::Error,
    },
}

impl OutputError {
    /// An I/O failure of `action` on `path`.
    pub fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { action, path, source }
    }
}
