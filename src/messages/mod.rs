//! Status messages after the servers ran: who sent what when, and the site's queues.
//!
//! Messages never feed back into servers, so the queues — management points, then Status
//! Manager — are computed from the send times once a replication's servers are done: exact, and
//! cheap. See `docs/infrastructure.md` for how the model maps onto a ConfigMgr site.

pub mod downtime;
pub mod emissions;
pub mod radix;
pub mod site;

pub use downtime::Downtime;
pub use emissions::Emissions;
pub use site::{ComponentStats, LoadSeries, Recorders, Site, SiteStats};

use hdrhistogram::Histogram;

/// The latency the histograms start out covering: 1,000 days in microseconds (they grow for
/// longer ones: no latency is clamped).
pub const MAX_LATENCY_US: u64 = 1_000 * 86_400 * 1_000_000;

/// A new, empty latency histogram in microseconds (3 significant figures).
pub fn latency_histogram() -> Histogram<u64> {
    crate::histogram::growing(MAX_LATENCY_US, 3)
}
