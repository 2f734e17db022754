//! The status messages of the task sequence engine and manager: their IDs, as real execution
//! history shows them, and the names the history view gives them.

/// A status message: its ID and its name in the history view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message {
    /// `LastStatusMsgID`.
    pub id: u32,
    /// `LastStatusMsgName`.
    pub name: &'static str,
}

/// The engine started the task sequence: a run begins.
pub const RUN_STARTED: Message =
    Message { id: 11140, name: "The task sequence execution engine started execution of a task sequence" };
/// The engine completed the task sequence.
pub const RUN_COMPLETED: Message =
    Message { id: 11143, name: "The task sequence execution engine successfully completed a task sequence" };
/// The engine failed the task sequence.
pub const RUN_FAILED: Message =
    Message { id: 11141, name: "The task sequence execution engine failed execution of a task sequence" };
/// The manager's own message for a completed task sequence.
pub const MANAGER_COMPLETED: Message =
    Message { id: 11171, name: "The task sequence manager successfully completed execution of the task sequence" };
/// The manager's own message for a failed task sequence.
pub const MANAGER_FAILED: Message = Message {
    id: 11170,
    name: "The task sequence manager could not successfully complete execution of the task sequence",
};
/// A group started.
pub const GROUP_STARTED: Message = Message { id: 11124, name: "The task sequence execution engine started the group" };
/// A group ended, however it ended.
pub const GROUP_COMPLETED: Message =
    Message { id: 11127, name: "The task sequence execution engine completed the group" };
/// A group was skipped (disabled, or its condition false).
pub const GROUP_SKIPPED: Message = Message { id: 11122, name: "The task sequence execution engine skipped the group" };
/// A step succeeded.
pub const STEP_SUCCEEDED: Message =
    Message { id: 11134, name: "The task sequence execution engine successfully completed the action" };
/// A step failed.
pub const STEP_FAILED: Message =
    Message { id: 11135, name: "The task sequence execution engine failed executing the action" };
/// A step failed and the engine went on, as the step's *continue on error* tells it to. The
/// name is the history view's (`LastStatusMsgName`); the number is the one ConfigMgr's status
/// message strings give it (`vStatusMessagesWithStrings` lists 11138 as "Task Sequence ignored
/// execution failure of the action … in the group …").
pub const STEP_FAILURE_IGNORED: Message =
    Message { id: 11138, name: "The task sequence execution engine ignored execution failure of an action" };
/// A step's condition was false.
pub const STEP_SKIPPED: Message = Message {
    id: 11130,
    name: "The task sequence execution engine skipped the action because the condition was evaluated to be false",
};
/// A step was disabled.
pub const STEP_DISABLED: Message =
    Message { id: 11128, name: "The task sequence execution engine skipped the disabled action" };
/// The engine restarted the computer.
pub const RESTART: Message =
    Message { id: 11142, name: "The task sequence execution engine performed a system reboot" };
/// The name the view gives a restart a step asked for.
pub const RESTART_BY_ACTION: &str =
    "The task sequence execution engine performed a system reboot initiated by the action";
