//! Interned variable names and values, so the engine compares integers, never strings.

use std::collections::HashMap;

use crate::scenario::name::fold;

/// Index of an interned variable name.
pub type VarId = u16;
/// Index of an interned value; [`UNSET`] means the variable has no value.
pub type ValueId = u32;
/// The value id of an unset variable.
pub const UNSET: ValueId = ValueId::MAX;

/// Variable names and values used anywhere in a scenario (the sequence, the classes and the
/// inventory). Ids are given in order of first use, so they do not depend on hashing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Symbols {
    variables: Vec<String>,
    variable_ids: HashMap<String, VarId>,
    values: Vec<String>,
    value_ids: HashMap<String, ValueId>,
}

impl Symbols {
    /// The id of a variable name, adding it if new. Task-sequence variable names are
    /// case-insensitive, so `RebootRequired` and `REBOOTREQUIRED` are the same variable (names
    /// compare by Unicode case folding, as every name in patchsim does).
    pub fn variable(&mut self, name: &str) -> VarId {
        let key = fold(name);
        if let Some(id) = self.variable_ids.get(&key) {
            return *id;
        }
        let id = self.variables.len() as VarId;
        self.variables.push(name.to_owned());
        self.variable_ids.insert(key, id);
        id
    }

    /// The id of a variable name already interned (case-insensitive).
    pub fn find_variable(&self, name: &str) -> Option<VarId> {
        self.variable_ids.get(&fold(name)).copied()
    }

    /// The id of a value, adding it if new (values are case-sensitive).
    pub fn value(&mut self, text: &str) -> ValueId {
        if let Some(id) = self.value_ids.get(text) {
            return *id;
        }
        let id = self.values.len() as ValueId;
        self.values.push(text.to_owned());
        self.value_ids.insert(text.to_owned(), id);
        id
    }

    /// Number of distinct variables.
    pub fn variable_count(&self) -> usize {
        self.variables.len()
    }

    /// Number of distinct values.
    pub fn value_count(&self) -> usize {
        self.values.len()
    }

    /// The name of a variable.
    pub fn variable_name(&self, id: VarId) -> &str {
        &self.variables[id as usize]
    }

    /// The text of a value (`None` for [`UNSET`]).
    pub fn value_text(&self, id: ValueId) -> Option<&str> {
        (id != UNSET).then(|| self.values[id as usize].as_str())
    }

    /// Every value's ids by its case-folded text: the values the engine takes for the same.
    pub fn folded_values(&self) -> HashMap<String, Vec<ValueId>> {
        let mut index: HashMap<String, Vec<ValueId>> = HashMap::new();
        for (id, text) in self.values.iter().enumerate() {
            index.entry(fold(text)).or_default().push(id as ValueId);
        }
        index
    }

    /// Every value, in id order.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_and_values_are_not() {
        let mut s = Symbols::default();
        assert_eq!(s.variable("RebootRequired"), s.variable("REBOOTREQUIRED"));
        assert_eq!(s.variable("Straße"), s.variable("STRASSE"), "full case folding");
        assert_eq!(s.variable_name(0), "RebootRequired", "the first spelling is kept");
        assert_ne!(s.value("true"), s.value("True"));
        assert_eq!(s.variable_count(), 2);
        assert_eq!(s.value_count(), 2);
        assert_eq!(s.value_text(UNSET), None);
        assert_eq!(s.value_text(1), Some("True"));
    }
}
