//! A condition compiled against interned symbols: evaluated on a server's variable slots.

use std::collections::HashMap;

use super::symbols::{Symbols, UNSET, ValueId, VarId};
use crate::scenario::Condition;
use crate::scenario::condition::Ordering;

/// A compiled condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Guard {
    /// The variable is set.
    Exists(VarId),
    /// The variable holds this value.
    Equals(VarId, ValueId),
    /// The variable is unset or holds another value.
    NotEquals(VarId, ValueId),
    /// The variable holds one of the values whose bit is set: an ordering comparison, resolved
    /// against every value the scenario can give a variable by [`Guard::resolve`].
    Among {
        /// The variable.
        variable: VarId,
        /// The comparison.
        ordering: Ordering,
        /// The value compared against.
        literal: ValueId,
        /// One bit per value id: whether the comparison holds for it.
        accepted: Box<[u64]>,
    },
    /// The variable holds one of the values whose bit is set: a `like` pattern, matched against
    /// every value the scenario can give a variable by [`Guard::resolve`].
    Like {
        /// The variable.
        variable: VarId,
        /// The pattern.
        pattern: ValueId,
        /// One bit per value id: whether the pattern matches it.
        accepted: Box<[u64]>,
    },
    /// The variable holds (or, `negated`, does not hold) one of the values whose bit is set: an
    /// equality that several interned spellings satisfy, since values compare ignoring case.
    OneOf {
        /// The variable.
        variable: VarId,
        /// One bit per value id.
        accepted: Box<[u64]>,
        /// `!=` rather than `==`.
        negated: bool,
    },
    /// A test patchsim cannot evaluate (WMI, file, registry…): its number within the condition.
    Probe(u32),
    /// Every one holds (left to right, stopping at the first false).
    And(Box<[Self]>),
    /// One holds (left to right, stopping at the first true).
    Or(Box<[Self]>),
    /// Does not hold.
    Not(Box<Self>),
}

impl Guard {
    /// Compiles a condition, interning its names and values. Orderings need
    /// [`Guard::resolve`] once every value is interned.
    pub fn compile(condition: &Condition, symbols: &mut Symbols) -> Self {
        match condition {
            Condition::Exists(n) => Self::Exists(symbols.variable(n)),
            Condition::Equals(n, v) => Self::Equals(symbols.variable(n), symbols.value(v)),
            Condition::NotEquals(n, v) => Self::NotEquals(symbols.variable(n), symbols.value(v)),
            Condition::Compare(n, ordering, v) => Self::Among {
                variable: symbols.variable(n),
                ordering: *ordering,
                literal: symbols.value(v),
                accepted: Box::new([]),
            },
            Condition::Like(n, v) => {
                Self::Like { variable: symbols.variable(n), pattern: symbols.value(v), accepted: Box::new([]) }
            }
            Condition::Probe(k) => Self::Probe(*k),
            Condition::And(all) => Self::And(all.iter().map(|c| Self::compile(c, symbols)).collect()),
            Condition::Or(any) => Self::Or(any.iter().map(|c| Self::compile(c, symbols)).collect()),
            Condition::Not(a) => Self::Not(Box::new(Self::compile(a, symbols))),
        }
    }

    /// Works out, for every interned value, whether each ordering comparison holds. Call it
    /// after the last value is interned.
    pub fn resolve(&mut self, symbols: &Symbols) {
        self.resolve_with(symbols, &symbols.folded_values());
    }

    /// [`Guard::resolve`] with the values indexed by their folded text
    /// ([`Symbols::folded_values`]), built once for every guard of a program.
    pub fn resolve_with(&mut self, symbols: &Symbols, folded: &HashMap<String, Vec<ValueId>>) {
        match self {
            Self::Among { ordering, literal, accepted, .. } => {
                let literal = symbols.value_text(*literal).unwrap_or_default();
                let mut bits = vec![0u64; symbols.value_count().div_ceil(64)];
                for (id, text) in symbols.values().enumerate() {
                    if ordering.holds(text, literal) {
                        bits[id / 64] |= 1 << (id % 64);
                    }
                }
                *accepted = bits.into_boxed_slice();
            }
            Self::Like { pattern, accepted, .. } => {
                let pattern = symbols.value_text(*pattern).unwrap_or_default();
                let mut bits = vec![0u64; symbols.value_count().div_ceil(64)];
                for (id, text) in symbols.values().enumerate() {
                    if crate::scenario::condition::like(text, pattern) {
                        bits[id / 64] |= 1 << (id % 64);
                    }
                }
                *accepted = bits.into_boxed_slice();
            }
            &mut (Self::Equals(variable, literal) | Self::NotEquals(variable, literal)) => {
                let negated = matches!(self, Self::NotEquals(..));
                let text = symbols.value_text(literal).unwrap_or_default();
                let same: &[ValueId] = folded.get(&crate::scenario::name::fold(text)).map_or(&[], Vec::as_slice);
                // Only the literal's own spelling: the plain comparison of ids stays.
                if same.len() > 1 {
                    let mut bits = vec![0u64; symbols.value_count().div_ceil(64)];
                    for &id in same {
                        bits[id as usize / 64] |= 1 << (id % 64);
                    }
                    *self = Self::OneOf { variable, accepted: bits.into_boxed_slice(), negated };
                }
            }
            Self::And(parts) | Self::Or(parts) => parts.iter_mut().for_each(|p| p.resolve_with(symbols, folded)),
            Self::Not(a) => a.resolve_with(symbols, folded),
            Self::Exists(_) | Self::OneOf { .. } | Self::Probe(_) => {}
        }
    }

    /// Marks every variable the condition tests.
    pub fn mark_variables(&self, used: &mut [bool]) {
        match self {
            Self::Exists(v)
            | Self::Equals(v, _)
            | Self::NotEquals(v, _)
            | Self::Among { variable: v, .. }
            | Self::Like { variable: v, .. }
            | Self::OneOf { variable: v, .. } => {
                used[*v as usize] = true;
            }
            Self::Probe(_) => {}
            Self::And(parts) | Self::Or(parts) => parts.iter().for_each(|p| p.mark_variables(used)),
            Self::Not(a) => a.mark_variables(used),
        }
    }

    /// Evaluates the condition on a server's variables (one value id per variable); `probe`
    /// says whether probe number `k` holds.
    #[inline]
    pub fn eval(&self, vars: &[ValueId], probe: &mut impl FnMut(u32) -> bool) -> bool {
        match self {
            Self::Exists(v) => vars[*v as usize] != UNSET,
            Self::Equals(v, x) => vars[*v as usize] == *x,
            Self::NotEquals(v, x) => vars[*v as usize] != *x,
            Self::Among { variable, accepted, .. } | Self::Like { variable, accepted, .. } => {
                let x = vars[*variable as usize] as usize;
                accepted.get(x / 64).is_some_and(|word| (word >> (x % 64)) & 1 == 1)
            }
            Self::OneOf { variable, accepted, negated } => {
                let x = vars[*variable as usize] as usize;
                accepted.get(x / 64).is_some_and(|word| (word >> (x % 64)) & 1 == 1) != *negated
            }
            Self::Probe(k) => probe(*k),
            Self::And(all) => all.iter().all(|c| c.eval(vars, probe)),
            Self::Or(any) => any.iter().any(|c| c.eval(vars, probe)),
            Self::Not(a) => !a.eval(vars, probe),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiled_guards_agree_with_the_source_condition() {
        let texts = [
            "A exists",
            "A == 'x'",
            "A != 'x'",
            "A exists and not B exists",
            "A == 'x' or B == 'y' and not (A != 'z')",
            "N < '10' or A >= 'y'",
            "not N > '2' and probe",
            "probe or (A <= 'x' and not probe)",
            "A == 'X' or B != 'Y'",
            "A >= 'X' and not A == 'Z'",
            "A like 'x*' or B like '?' and not A like '*Z'",
        ];
        let assignments: [&[(&str, &str)]; 8] = [
            &[],
            &[("A", "x")],
            &[("A", "z"), ("B", "y")],
            &[("B", "y")],
            &[("A", "x"), ("B", "x")],
            &[("N", "9"), ("A", "a")],
            &[("N", "100"), ("A", "zz")],
            &[("A", "X"), ("B", "Y")],
        ];
        for text in texts {
            let cond = Condition::parse(text).unwrap();
            for vars in assignments {
                let mut symbols = Symbols::default();
                let mut guard = Guard::compile(&cond, &mut symbols);
                let mut slots = vec![UNSET; 4];
                for (n, v) in vars {
                    let id = symbols.variable(n) as usize;
                    if id >= slots.len() {
                        slots.resize(id + 1, UNSET);
                    }
                    slots[id] = symbols.value(v);
                }
                guard.resolve(&symbols);
                for probes in 0..4u32 {
                    let holds = |k: u32| probes & (1 << k) != 0;
                    let expected =
                        cond.eval(&|name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| *v), &holds);
                    assert_eq!(guard.eval(&slots, &mut { holds }), expected, "{text} with {vars:?}, probes {probes:b}");
                }
            }
        }
    }
}
