//! The `[engine]` section: what the task sequence engine itself provides a running sequence —
//! the read-only facts of a server running its full operating system, which a scenario may
//! override — and which variables only the engine may set.

use super::name::{TextKind, fold};
use super::reader::{ReadResult, Table};

/// The engine's read-only variables on a server running its full OS (not Windows PE), with the
/// values the engine gives them there (`osd/understand/task-sequence-variables.md`).
pub const FULL_OS_FACTS: &[(&str, &str)] = &[
    // "_SMSTSInWinPE … This variable is true when the current task sequence step is running in
    // Windows PE, and false if it's in Windows."
    ("_SMSTSInWinPE", "false"),
    // "_SMSTSLaunchMode … SMS: The task sequence starts by using the Configuration Manager
    // client, such as when a user deploys it from Software Center."
    ("_SMSTSLaunchMode", "SMS"),
    // "_SMSTSType … 1: Generic task sequence; 2: OS deployment task sequence".
    ("_SMSTSType", "1"),
    // "_SMSTSUserStarted … Specifies whether a user started the task sequence": a required
    // deployment in a maintenance window starts without one.
    ("_SMSTSUserStarted", "false"),
];

/// The variables the engine sets after every step (`_SMSTSLastAction…`).
pub const LAST_ACTION_VARIABLES: [&str; 3] =
    ["_SMSTSLastActionRetCode", "_SMSTSLastActionSucceeded", "_SMSTSLastActionName"];

/// The return code recorded for a failed step that has none of its own: `E_FAIL` (0x80004005,
/// as the engine logs a failed action), in the signed decimal the engine writes.
pub const CODE_FAILED: i64 = -2_147_467_259;
/// The return code recorded for a step the engine killed at its time-out: 0x800705B4 (Windows
/// error 1460, "the timeout period expired", as an HRESULT).
pub const CODE_TIMED_OUT: i64 = -2_147_023_436;

/// The `[engine]` section.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EngineSettings {
    /// Read-only facts the scenario gives other values (or adds), by name as written.
    pub facts: Vec<(String, String)>,
}

impl EngineSettings {
    /// The keys of `[engine]`.
    pub const KEYS: &'static [&'static str] = &["variables"];

    /// Reads `[engine]`.
    pub fn read(t: &Table<'_, '_>) -> ReadResult<Self> {
        let mut facts: Vec<(String, String)> = Vec::new();
        if let Some(v) = t.get("variables") {
            let table =
                v.named_table("a table of read-only variables and their values, e.g. { _SMSTSBootUEFI = \"true\" }")?;
            for (name, span, value) in table.entries() {
                if !is_read_only(name) {
                    return Err(table.error_at(&span, name, format!(
                        "`{name}` is not one of the engine's read-only variables (their names begin with an underscore); give a server's own variables in [[fleet.class]] `variables` or the inventory"
                    )));
                }
                if LAST_ACTION_VARIABLES.iter().any(|l| fold(l) == fold(name)) {
                    return Err(table.error_at(
                        &span,
                        name,
                        format!("`{name}` is set by the engine after every step; a scenario cannot fix it"),
                    ));
                }
                facts.push((name.to_owned(), value.text(TextKind::Value)?.to_owned()));
            }
        }
        Ok(Self { facts })
    }

    /// Every read-only fact of a running full OS, the scenario's values replacing the defaults.
    pub fn all_facts(&self) -> Vec<(&str, &str)> {
        let mut all: Vec<(&str, &str)> = FULL_OS_FACTS
            .iter()
            .filter(|(name, _)| !self.facts.iter().any(|(n, _)| fold(n) == fold(name)))
            .copied()
            .collect();
        all.extend(self.facts.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        all
    }
}

/// Whether a variable is one the engine alone sets: "Read-only variables … names begin with an
/// underscore" (`osd/understand/using-task-sequence-variables.md`).
pub fn is_read_only(name: &str) -> bool {
    name.starts_with('_')
}
