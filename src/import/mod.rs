//! Real inputs: what an organisation already has, turned into scenario parts.
//!
//! - [`inventory`]: a CMDB export assigning each server its window, class, extension and
//!   collection variables (`[windows] assign = { inventory = "servers.csv" }`).
//!
//! Every reader here takes untrusted files: it bounds what it reads, never panics, and names
//! the file, line and column of each mistake.

pub mod inventory;

pub use inventory::Inventory;
