//! One execution of the task sequence as the history shows it: a server's run from its start
//! message to its last, with how it ended and the restarts it took.
//!
//! The back-test compares these with the runs a projection simulates; [`super::history`] builds
//! them while it times the steps, from the same ordered rows.

use crate::configmgr::message;

/// How a run ended, by its last end message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    /// The engine or the manager completed the task sequence (11143, 11171).
    Completed,
    /// The engine or the manager failed it (11141, 11170).
    Failed,
    /// No end message: the run stopped sending (a server that did not come back from a restart,
    /// a run still going when the history was exported).
    Unfinished,
}

impl RunEnd {
    /// The end a message ID gives a run, if it is an end message.
    pub fn of_message(id: u32) -> Option<Self> {
        match id {
            id if id == message::RUN_COMPLETED.id || id == message::MANAGER_COMPLETED.id => Some(Self::Completed),
            id if id == message::RUN_FAILED.id || id == message::MANAGER_FAILED.id => Some(Self::Failed),
            _ => None,
        }
    }
}

/// One run of the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Execution {
    /// The server (`ResourceID`, as written).
    pub resource: String,
    /// The deployment (`AdvertisementID`).
    pub advertisement: String,
    /// Its first message (the start, 11140, when exported), milliseconds since 1970-01-01 as
    /// read (UTC when the file gives offsets, else the wall time).
    pub start_ms: i64,
    /// Its last message.
    pub end_ms: i64,
    /// Whether its first message is the start message (11140); when not, `start_ms` is later
    /// than the run's real start.
    pub has_start: bool,
    /// How it ended.
    pub end: RunEnd,
    /// Restart messages (11142) in it.
    pub restarts: u32,
}
