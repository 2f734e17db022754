//! Configuration Manager's own names and numbers, in one place: the status messages of the task
//! sequence engine ([`message`]), the execution-history view's columns and times
//! ([`history_view`]), and the step types and properties of an exported task sequence
//! ([`export`]). Nothing here depends on the rest of patchsim.

pub mod export;
pub mod history_view;
pub mod message;
