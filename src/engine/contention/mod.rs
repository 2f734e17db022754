//! Contention for shared resources (scenario format 1.1): the queues servers of one replication
//! wait in, and the event queue that orders them.
//!
//! [`SharedInstance`] is processor sharing with a virtual clock, [`SlotsInstance`] a
//! multi-server FIFO with a bounded line; [`Agenda`] orders events by time and then by the order
//! they were scheduled; [`LoadTrack`] records an instance's load minute by minute for a report.
//! They know nothing of steps or servers: the coupled run uses them.

pub mod agenda;
pub mod load;
pub mod port;
pub mod shared;
pub mod slots;

pub use agenda::Agenda;
pub use load::LoadTrack;
pub use shared::{ActivityId, Finished, SharedInstance, SharedStats};
pub use slots::{Admission, RequestId, SlotsInstance, SlotsStats};
