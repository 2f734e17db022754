//! The engine's own variables, compiled: the ones it sets after every step
//! (`_SMSTSLastAction…`), the two a step sets to ask it for a restart and a rerun
//! (`SMSTSRebootRequested`, `SMSTSRetryRequested`), and the read-only facts of a running OS.
//!
//! Each is present only when something in the scenario reads or sets it: the engine's work for
//! a variable nothing tests would change no figure, so a scenario that names none of them runs
//! exactly as before they existed.

use super::symbols::{Symbols, UNSET, ValueId, VarId};
use crate::scenario::engine::LAST_ACTION_VARIABLES;
pub use crate::scenario::engine::{CODE_FAILED, CODE_TIMED_OUT};

/// What the engine records after every step, when a condition tests it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastAction {
    /// `_SMSTSLastActionRetCode`: the step's return code.
    pub ret_code: VarId,
    /// `_SMSTSLastActionSucceeded`: `"true"` or `"false"`.
    pub succeeded: VarId,
    /// `_SMSTSLastActionName`: the step's name.
    pub name: VarId,
    /// The value `"true"`.
    pub true_value: ValueId,
    /// The value `"false"`.
    pub false_value: ValueId,
}

/// The engine's variables as the compiled program uses them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EngineVariables {
    /// Set after every step (not by a skipped or disabled one), when some condition tests one.
    pub last_action: Option<LastAction>,
    /// `SMSTSRebootRequested`, when some step or wrapper can set it.
    pub reboot_requested: Option<VarId>,
    /// `SMSTSRetryRequested`, when some step or wrapper can set it.
    pub retry_requested: Option<VarId>,
    /// Per value id: whether a request variable holding it asks (anything but `false`, compared
    /// ignoring case, or an empty value).
    pub asks: Vec<bool>,
    /// Every interned return code's value, by code.
    codes: Vec<(i64, ValueId)>,
}

/// The variable a step sets to ask for a restart after it.
pub const REBOOT_REQUESTED: &str = "SMSTSRebootRequested";
/// The variable a step sets (with [`REBOOT_REQUESTED`]) to have the engine run it again after
/// the restart.
pub const RETRY_REQUESTED: &str = "SMSTSRetryRequested";

impl EngineVariables {
    /// Finds the engine's variables the scenario names (after its steps are compiled) and
    /// interns the values the engine will give them: `codes` are every return code a step can
    /// record. Call before the guards are resolved.
    pub fn compile(symbols: &mut Symbols, codes: impl IntoIterator<Item = i64>) -> Self {
        let [ret_code, succeeded, name] = LAST_ACTION_VARIABLES.map(|n| symbols.find_variable(n));
        let mut engine = Self {
            reboot_requested: symbols.find_variable(REBOOT_REQUESTED),
            retry_requested: symbols.find_variable(RETRY_REQUESTED),
            ..Self::default()
        };
        if ret_code.is_some() || succeeded.is_some() || name.is_some() {
            let ret_code = ret_code.unwrap_or_else(|| symbols.variable(LAST_ACTION_VARIABLES[0]));
            let succeeded = succeeded.unwrap_or_else(|| symbols.variable(LAST_ACTION_VARIABLES[1]));
            let name = name.unwrap_or_else(|| symbols.variable(LAST_ACTION_VARIABLES[2]));
            let (true_value, false_value) = (symbols.value("true"), symbols.value("false"));
            engine.last_action = Some(LastAction { ret_code, succeeded, name, true_value, false_value });
            let mut codes: Vec<i64> = codes.into_iter().collect();
            codes.sort_unstable();
            codes.dedup();
            engine.codes = codes.into_iter().map(|c| (c, symbols.value(&c.to_string()))).collect();
        }
        engine
    }

    /// Works out which values ask for a restart; call once every value is interned.
    pub fn resolve(&mut self, symbols: &Symbols) {
        if self.requests_restart() {
            self.asks = symbols.values().map(|v| !v.is_empty() && !v.eq_ignore_ascii_case("false")).collect();
        }
    }

    /// Whether any step can ask for a restart through [`REBOOT_REQUESTED`].
    #[inline]
    pub fn requests_restart(&self) -> bool {
        self.reboot_requested.is_some()
    }

    /// Whether a request variable holding `value` asks.
    pub fn asks(&self, value: ValueId) -> bool {
        value != UNSET && self.asks.get(value as usize).copied().unwrap_or(false)
    }

    /// The value of return code `code` (interned when compiled; [`UNSET`] if it was not).
    pub fn code(&self, code: i64) -> ValueId {
        self.codes.binary_search_by_key(&code, |(c, _)| *c).map_or(UNSET, |i| self.codes[i].1)
    }
}
