//! A condition compiled against interned symbols: evaluated on a server's variable slots.

use super::symbols::{Symbols, UNSET, ValueId, VarId};
use crate::scenario::Condition;

/// A compiled condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Guard {
    /// The variable is set.
    Exists(VarId),
    /// The variable holds this value.
    Equals(VarId, ValueId),
    /// The variable is unset or holds another value.
    NotEquals(VarId, ValueId),
    /// Both hold.
    And(Box<Self>, Box<Self>),
    /// Either holds.
    Or(Box<Self>, Box<Self>),
    /// Does not hold.
    Not(Box<Self>),
}

impl Guard {
    /// Compiles a condition, interning its names and values.
    pub fn compile(condition: &Condition, symbols: &mut Symbols) -> Self {
        match condition {
            Condition::Exists(n) => Self::Exists(symbols.variable(n)),
            Condition::Equals(n, v) => Self::Equals(symbols.variable(n), symbols.value(v)),
            Condition::NotEquals(n, v) => Self::NotEquals(symbols.variable(n), symbols.value(v)),
            Condition::And(a, b) => Self::And(Box::new(Self::compile(a, symbols)), Box::new(Self::compile(b, symbols))),
            Condition::Or(a, b) => Self::Or(Box::new(Self::compile(a, symbols)), Box::new(Self::compile(b, symbols))),
            Condition::Not(a) => Self::Not(Box::new(Self::compile(a, symbols))),
        }
    }

    /// Evaluates the condition on a server's variables (one value id per variable).
    #[inline]
    pub fn eval(&self, vars: &[ValueId]) -> bool {
        match self {
            Self::Exists(v) => vars[*v as usize] != UNSET,
            Self::Equals(v, x) => vars[*v as usize] == *x,
            Self::NotEquals(v, x) => vars[*v as usize] != *x,
            Self::And(a, b) => a.eval(vars) && b.eval(vars),
            Self::Or(a, b) => a.eval(vars) || b.eval(vars),
            Self::Not(a) => !a.eval(vars),
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
        ];
        let assignments: [&[(&str, &str)]; 5] =
            [&[], &[("A", "x")], &[("A", "z"), ("B", "y")], &[("B", "y")], &[("A", "x"), ("B", "x")]];
        for text in texts {
            let cond = Condition::parse(text).unwrap();
            let mut symbols = Symbols::default();
            let guard = Guard::compile(&cond, &mut symbols);
            for vars in assignments {
                let mut syms = symbols.clone();
                let mut slots = vec![UNSET; 4];
                for (n, v) in vars {
                    let id = syms.variable(n) as usize;
                    if id >= slots.len() {
                        slots.resize(id + 1, UNSET);
                    }
                    slots[id] = syms.value(v);
                }
                let expected = cond.eval(&|name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| *v));
                assert_eq!(guard.eval(&slots), expected, "{text} with {vars:?}");
            }
        }
    }
}
