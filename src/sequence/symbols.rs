//! Interned variable names and values, so the engine compares integers, never strings.

/// Index of an interned variable name.
pub type VarId = u16;
/// Index of an interned value; [`UNSET`] means the variable has no value.
pub type ValueId = u32;
/// The value id of an unset variable.
pub const UNSET: ValueId = ValueId::MAX;

/// Variable names and values used anywhere in a scenario.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Symbols {
    variables: Vec<String>,
    values: Vec<String>,
}

impl Symbols {
    /// The id of a variable name, adding it if new. Task-sequence variable names are
    /// case-insensitive, so `RebootRequired` and `REBOOTREQUIRED` are the same variable.
    pub fn variable(&mut self, name: &str) -> VarId {
        if let Some(i) = self.variables.iter().position(|v| v.eq_ignore_ascii_case(name)) {
            return i as VarId;
        }
        self.variables.push(name.to_owned());
        (self.variables.len() - 1) as VarId
    }

    /// The id of a value, adding it if new (values are case-sensitive).
    pub fn value(&mut self, text: &str) -> ValueId {
        if let Some(i) = self.values.iter().position(|v| v == text) {
            return i as ValueId;
        }
        self.values.push(text.to_owned());
        (self.values.len() - 1) as ValueId
    }

    /// Number of distinct variables.
    pub fn variable_count(&self) -> usize {
        self.variables.len()
    }

    /// The name of a variable.
    pub fn variable_name(&self, id: VarId) -> &str {
        &self.variables[id as usize]
    }

    /// The text of a value (`None` for [`UNSET`]).
    pub fn value_text(&self, id: ValueId) -> Option<&str> {
        (id != UNSET).then(|| self.values[id as usize].as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_and_values_are_not() {
        let mut s = Symbols::default();
        assert_eq!(s.variable("RebootRequired"), s.variable("REBOOTREQUIRED"));
        assert_ne!(s.value("true"), s.value("True"));
        assert_eq!(s.variable_count(), 1);
        assert_eq!(s.value_text(UNSET), None);
    }
}
