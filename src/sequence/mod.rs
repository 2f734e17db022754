//! The task sequence compiled into a flat [`Program`]: ops with jump targets, interned
//! variables, resolved exit codes. Compiled once per scenario; the engine only reads it.

pub mod engine_variables;
pub mod guard;
pub mod program;
pub mod symbols;

pub use engine_variables::EngineVariables;
pub use guard::Guard;
pub use program::{
    ExitOutcome, ExitTable, ItemSource, NodeId, Op, Program, ProgramAction, ProgramNode, ProgramUpdates,
};
pub use symbols::{Symbols, UNSET, ValueId, VarId};
