//! Shared resources (scenario format 1.1): distribution points, the software update point,
//! hypervisor hosts — anything servers of a month compete for — and how steps use them.
//!
//! A `[[resource]]` declares one kind of resource with `instances` copies; each server uses one
//! instance of each resource ([`ResourceAssign`]). A resource is either **shared** (processor
//! sharing: `n` activities on an instance each progress at `min(per_user, capacity / n)`) or
//! **slots** (a multi-server FIFO queue with a bounded queue, refusals and retries). Steps name the
//! resource each of their timed activities runs on ([`Uses`]); installs may download content
//! ([`Download`]). A scenario without resources runs exactly as format 1.0 says.

use super::distribution::DurationDist;
use super::duration::Millis;

/// Index of a resource in [`super::Scenario::resources`] (declaration order).
pub type ResourceId = u32;

/// One `[[resource]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// Unique name; steps name it in `uses`.
    pub name: String,
    /// Shared or slots, with its capacity.
    pub kind: ResourceKind,
    /// How many copies exist (≥ 1).
    pub instances: u32,
    /// Which instance each server uses.
    pub assign: ResourceAssign,
    /// Times an instance serves nothing, in week time.
    pub outages: Vec<ResourceOutage>,
}

/// What a resource is and how much it serves.
#[derive(Debug, Clone, PartialEq)]
pub enum ResourceKind {
    /// Processor sharing.
    Shared {
        /// What an instance delivers at once.
        capacity: Capacity,
        /// The most one activity gets, in the capacity's unit: bytes a millisecond for a rate
        /// capacity (`None`: no cap), a share of full speed in (0, 1] for a numeric one (the
        /// reader fills in the default 1).
        per_user: Option<f64>,
    },
    /// A multi-server FIFO queue.
    Slots {
        /// Requests served at once (≥ 1).
        slots: u32,
        /// Requests that may wait beyond the slots; `None`: unbounded (never refused).
        queue: Option<u32>,
        /// A refused request arrives again after this (default 5 minutes).
        retry_after: Millis,
        /// Refusals retried before the activity fails (default 3).
        retries: u32,
    },
}

/// A shared resource's capacity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Capacity {
    /// A rate (`"1Gbps"`, `"125MB/s"`), in bytes a millisecond: work is bytes.
    Rate(f64),
    /// Concurrent full-speed activities (a positive number): work is time.
    Concurrent(f64),
}

impl Capacity {
    /// Whether work on this resource is bytes (a rate) rather than time.
    pub fn is_rate(self) -> bool {
        matches!(self, Self::Rate(_))
    }
}

/// Which instance of a resource a server uses.
#[derive(Debug, Clone, PartialEq)]
pub enum ResourceAssign {
    /// The server's fleet index modulo `instances` (the default).
    Even,
    /// Uniform, from the server's own random stream.
    Random,
    /// The instance named in an inventory column; instances are the column's distinct values
    /// in order of first appearance.
    Inventory {
        /// The column's header.
        column: String,
        /// The instances' names (the distinct values).
        names: Vec<String>,
        /// Each inventory server's instance, in inventory order.
        of_server: Vec<u32>,
    },
}

/// A time an instance (or every instance) serves nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceOutage {
    /// The instance, numbered from 0; `None`: every instance.
    pub instance: Option<u32>,
    /// When it starts, in milliseconds since Monday 00:00.
    pub at: Millis,
    /// How long it lasts.
    pub length: Millis,
}

/// The resource each timed activity of a step (or of every restart) runs on; `None`: no
/// resource, the activity runs as in format 1.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Uses {
    /// A command's run (slots, or shared with a numeric capacity).
    pub run: Option<ResourceId>,
    /// An update scan (slots).
    pub scan: Option<ResourceId>,
    /// Content downloads (shared, a rate capacity).
    pub download: Option<ResourceId>,
    /// Each install (shared, a numeric capacity).
    pub install: Option<ResourceId>,
    /// A restart (shared, a numeric capacity).
    pub restart: Option<ResourceId>,
}

impl Uses {
    /// Whether any activity names a resource.
    pub fn any(&self) -> bool {
        self.run.is_some()
            || self.scan.is_some()
            || self.download.is_some()
            || self.install.is_some()
            || self.restart.is_some()
    }
}

/// The content an install fetches.
#[derive(Debug, Clone, PartialEq)]
pub struct Download {
    /// Each item's content size, in bytes (a duration distribution whose values are bytes).
    pub size: SizeDist,
    /// Share of items already in the client's cache (no transfer).
    pub cached: f64,
}

/// A distribution of sizes in bytes: the duration distribution forms with sizes in place of
/// durations (`"650MB"`, `{ dist = "lognormal", median = "650MB", p95 = "900MB" }`, …). Its
/// values are bytes where a [`DurationDist`]'s are milliseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct SizeDist(pub DurationDist);
