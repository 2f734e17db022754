//! What an imported task sequence may hold so that the scenario written from it loads.
//!
//! A scenario has bounds of its own — its file size, how deep groups nest, how many items a
//! step installs — and an export can exceed each of them while being valid XML. The importer
//! checks every bound up front and refuses what is too large with the export's line and what
//! is too large, instead of writing a scenario that would not load. The XML reader's own bounds
//! (file size, nesting, element count) are in [`super::xml::Limits`]; the number of groups and
//! steps is [`super::task_sequence::MAX_NODES`].

/// The deepest groups may nest in a scenario: a group inside this many groups is refused.
pub use crate::scenario::step::MAX_GROUP_DEPTH;

/// The most items (applications) one step may install in a scenario.
pub use crate::scenario::count::MAX_COUNT as MAX_ITEMS;

/// The largest scenario file: the written scenario must not be larger.
pub use crate::scenario::MAX_SCENARIO_BYTES;

/// The deepest an imported condition may nest, counting every `not` and every pair of
/// parentheses around a part of it: the scenario's own bound.
pub use crate::scenario::condition::MAX_CONDITION_DEPTH;

/// The most tests (variable tests and probes) one condition may hold: a console condition has a
/// handful, and the bound keeps imported scenarios readable.
pub const MAX_CONDITION_TESTS: usize = 1_000;

/// The longest condition, written out, in characters.
pub const MAX_CONDITION_CHARS: usize = 65_536;

/// The longest step or group name, and the longest variable name, in characters.
pub const MAX_NAME_CHARS: usize = 1_000;

/// The longest value a Set Variable step may set, in characters.
pub const MAX_VALUE_CHARS: usize = 65_536;

/// The most distinct codes in a step's `successCodeList`.
pub const MAX_SUCCESS_CODES: usize = 256;

/// The longest comment written from the export (a description, a command line, a script): a
/// longer one is cut, with `…` to show it.
pub const MAX_COMMENT_CHARS: usize = 500;

/// The most import notes kept: the rest are counted in one last note.
pub const MAX_WARNINGS: usize = 1_000;
