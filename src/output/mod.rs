//! Writing what patchsim makes without harming what it did not make.
//!
//! - [`ReportFolder`]: an output folder (`--out DIR`). It is claimed before any work is done:
//!   the folder must be new, empty, or hold exactly a previous patchsim output of the same kind
//!   (its [`Manifest`] lists every file with its digest) — otherwise the claim is refused, naming
//!   a file that is not patchsim's. It may not be, hold, or sit inside one of the command's
//!   inputs. A [`FolderLock`] beside it keeps a second patchsim out while the first works. The
//!   new report is built in a temporary folder and swapped in, so a reader sees the old or the
//!   new complete report at every instant; a report set aside by a killed run is put back at
//!   the next claim, and stale temporary folders are removed.
//! - [`file`]: single files (timings, imported scenarios, scenarios edited in place) written
//!   whole or not at all.
//! - [`cleanup`]: what an interrupted command (Ctrl+C, SIGTERM) removes before it exits.
//!
//! Nothing here deletes a file it cannot prove patchsim wrote.

pub mod cleanup;
pub mod error;
pub mod file;
pub mod lock;
pub mod manifest;
pub mod paths;
pub mod report_folder;

pub use error::OutputError;
pub use lock::FolderLock;
pub use manifest::{Manifest, OutputKind};
pub use report_folder::ReportFolder;
