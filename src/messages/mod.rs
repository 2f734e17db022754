//! Status messages after the servers ran: who sent what when, and the queues they wait in.
//!
//! Messages never feed back into servers, so the queues are computed from the emission times
//! once a replication's servers are done: exact, and cheap.

pub mod emissions;
pub mod radix;
pub mod site_queue;

pub use emissions::Emissions;
pub use site_queue::{QueueStats, SiteQueue};
