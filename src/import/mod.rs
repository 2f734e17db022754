//! Real inputs: what an organisation already has, turned into scenario parts.
//!
//! - [`inventory`]: a CMDB export assigning each server its window, class, extension and
//!   collection variables (`[windows] assign = { inventory = "servers.csv" }`).
//! - [`xml`] and [`task_sequence`]: a task sequence as the console exports it, read safely into
//!   groups and steps; [`export_zip`]: the console's export archive, its task sequences read in
//!   memory within bounds and the main one's Run Task Sequence steps replaced by their children;
//!   [`scenario_writer`] writes it as a complete scenario
//!   (`patchsim import configmgr`), within the bounds of a scenario ([`limits`]);
//!   [`script_effect`] reads what a step's script or command line waits and exits with, and
//!   [`mdt_step`] what an MDT step (`BDD_*`, `ZTI*.wsf`) is.
//! - [`content`] and [`content_sizes`]: the packages, applications and updates a step fetches,
//!   and their sizes from the export or a `--content-sizes` file, which make a step's downloads.
//! - [`timings`]: step timings by name, from `calibrate` or by hand, and how a whole-step time
//!   becomes a per-item time.
//! - [`history`], [`fit`] and [`calibration`]: an export of the execution-history view rebuilt
//!   into step and restart durations, fitted, and written as timings or into a scenario
//!   (`patchsim calibrate`); [`coupling`] checks whether steps take longer with more servers in
//!   them at once; [`usable`] says when too little of a history is usable, and
//!   [`text_style`] keeps a scenario's line endings and encoding through `calibrate --into`.
//!
//! Every reader here takes untrusted files: it bounds what it reads, never panics, and names
//! the file, line and column of each mistake.

pub mod calibration;
pub mod content;
pub mod content_sizes;
pub mod coupling;
pub mod execution;
pub mod export_zip;
pub mod fit;
pub mod history;
pub mod inventory_sketch;
pub mod limits;
pub mod mdt_step;
pub mod observed_month;
pub mod scenario_writer;
pub mod script_effect;
pub mod shown_text;
pub mod task_sequence;
pub mod text_style;
pub mod timings;
pub mod usable;
pub mod xml;

pub use calibration::{Applied, Calibration, apply_into};
pub use content_sizes::ContentSizes;
pub use export_zip::{ExportZip, MAX_INLINED_BYTES, ZipError, ZipLimits};

pub use history::History;
pub use inventory_sketch::InventorySketch;
pub use scenario_writer::{ImportOptions, ImportedScenario, InventoryChoice, write_scenario};
pub use task_sequence::{TaskSequence, read_task_sequence};
pub use timings::Timings;
