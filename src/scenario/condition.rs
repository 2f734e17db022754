//! Conditions on task-sequence variables, as a scenario writes them.
//!
//! Grammar (keywords are case-insensitive; values in single or double quotes):
//!
//! ```text
//! expr    := and ( "or" and )*
//! and     := unary ( "and" unary )*
//! unary   := "not" unary | primary
//! primary := "(" expr ")" | NAME "exists" | NAME "==" VALUE | NAME "!=" VALUE
//! ```
//!
//! `not` binds tighter than `and`, which binds tighter than `or`, as in the console's
//! None/All/Any. An unset variable is unequal to every value: `Name != 'x'` is true when `Name` is
//! unset, `Name == 'x'` false.

use std::fmt;

/// A parsed condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// The variable is set (to any value).
    Exists(String),
    /// The variable is set to exactly this value (case-sensitive).
    Equals(String, String),
    /// The variable is unset or set to another value.
    NotEquals(String, String),
    /// Both hold.
    And(Box<Self>, Box<Self>),
    /// Either holds.
    Or(Box<Self>, Box<Self>),
    /// Does not hold.
    Not(Box<Self>),
}

/// A syntax error in a condition: what is wrong and at which character (0-based) of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionError {
    /// 0-based character offset into the condition text.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Name(String),
    Value(String),
    LParen,
    RParen,
    Eq,
    Ne,
    And,
    Or,
    Not,
    Exists,
}

impl Condition {
    /// Parses a condition.
    ///
    /// ```
    /// use patchsim::scenario::condition::Condition;
    /// let c = Condition::parse("PrePatchAction exists and not (Role == 'sql')").unwrap();
    /// assert_eq!(c.variables(), vec!["PrePatchAction", "Role"]);
    /// assert!(Condition::parse("Role = 'sql'").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, ConditionError> {
        let tokens = tokenize(text)?;
        if tokens.is_empty() {
            return Err(ConditionError { offset: 0, message: "the condition is empty".into() });
        }
        let mut parser = Parser { tokens: &tokens, pos: 0, end: text.chars().count() };
        let expr = parser.or()?;
        if let Some((tok, at)) = parser.peek() {
            return Err(ConditionError {
                offset: at,
                message: format!("unexpected {} after a complete condition (missing `and`/`or`?)", describe(tok)),
            });
        }
        Ok(expr)
    }

    /// Evaluates the condition; `get` returns a variable's value, `None` when unset.
    pub fn eval<'v>(&self, get: &impl Fn(&str) -> Option<&'v str>) -> bool {
        match self {
            Self::Exists(name) => get(name).is_some(),
            Self::Equals(name, value) => get(name) == Some(value.as_str()),
            Self::NotEquals(name, value) => get(name) != Some(value.as_str()),
            Self::And(a, b) => a.eval(get) && b.eval(get),
            Self::Or(a, b) => a.eval(get) || b.eval(get),
            Self::Not(a) => !a.eval(get),
        }
    }

    /// The variables the condition tests, in order of first appearance.
    pub fn variables(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_variables(&mut out);
        out
    }

    fn collect_variables<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Self::Exists(n) | Self::Equals(n, _) | Self::NotEquals(n, _) => {
                if !out.contains(&n.as_str()) {
                    out.push(n);
                }
            }
            Self::And(a, b) | Self::Or(a, b) => {
                a.collect_variables(out);
                b.collect_variables(out);
            }
            Self::Not(a) => a.collect_variables(out),
        }
    }

    /// The values the condition compares against.
    pub fn values(&self) -> Vec<&str> {
        match self {
            Self::Exists(_) => Vec::new(),
            Self::Equals(_, v) | Self::NotEquals(_, v) => vec![v.as_str()],
            Self::And(a, b) | Self::Or(a, b) => {
                let mut out = a.values();
                out.extend(b.values());
                out
            }
            Self::Not(a) => a.values(),
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exists(n) => write!(f, "{n} exists"),
            Self::Equals(n, v) => write!(f, "{n} == '{v}'"),
            Self::NotEquals(n, v) => write!(f, "{n} != '{v}'"),
            Self::And(a, b) => write!(f, "({a} and {b})"),
            Self::Or(a, b) => write!(f, "({a} or {b})"),
            Self::Not(a) => write!(f, "not {a}"),
        }
    }
}

fn describe(token: &Token) -> String {
    match token {
        Token::Name(n) => format!("name `{n}`"),
        Token::Value(v) => format!("value '{v}'"),
        Token::LParen => "`(`".into(),
        Token::RParen => "`)`".into(),
        Token::Eq => "`==`".into(),
        Token::Ne => "`!=`".into(),
        Token::And => "`and`".into(),
        Token::Or => "`or`".into(),
        Token::Not => "`not`".into(),
        Token::Exists => "`exists`".into(),
    }
}

fn tokenize(text: &str) -> Result<Vec<(Token, usize)>, ConditionError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => {
                out.push((Token::LParen, start));
                i += 1;
            }
            ')' => {
                out.push((Token::RParen, start));
                i += 1;
            }
            '=' | '!' => {
                if chars.get(i + 1) == Some(&'=') {
                    out.push((if c == '=' { Token::Eq } else { Token::Ne }, start));
                    i += 2;
                } else {
                    let hint = if c == '=' { "use `==` to compare" } else { "use `!=` or `not`" };
                    return Err(ConditionError { offset: start, message: format!("unexpected `{c}`: {hint}") });
                }
            }
            '\'' | '"' => {
                let quote = c;
                i += 1;
                let vstart = i;
                while i < chars.len() && chars[i] != quote {
                    i += 1;
                }
                if i == chars.len() {
                    return Err(ConditionError {
                        offset: start,
                        message: format!("value opened with {quote} is never closed"),
                    });
                }
                out.push((Token::Value(chars[vstart..i].iter().collect()), start));
                i += 1;
            }
            c if c.is_alphanumeric() || c == '_' => {
                while i < chars.len() && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '.' | '-' | ':')) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let token = match word.to_ascii_lowercase().as_str() {
                    "and" => Token::And,
                    "or" => Token::Or,
                    "not" => Token::Not,
                    "exists" => Token::Exists,
                    _ => Token::Name(word),
                };
                out.push((token, start));
            }
            other => {
                return Err(ConditionError { offset: start, message: format!("unexpected character `{other}`") });
            }
        }
    }
    Ok(out)
}

struct Parser<'t> {
    tokens: &'t [(Token, usize)],
    pos: usize,
    end: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<(&Token, usize)> {
        self.tokens.get(self.pos).map(|(t, at)| (t, *at))
    }

    fn next(&mut self) -> Option<(Token, usize)> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn or(&mut self) -> Result<Condition, ConditionError> {
        let mut left = self.and()?;
        while let Some((Token::Or, _)) = self.peek() {
            self.pos += 1;
            let right = self.and()?;
            left = Condition::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Condition, ConditionError> {
        let mut left = self.unary()?;
        while let Some((Token::And, _)) = self.peek() {
            self.pos += 1;
            let right = self.unary()?;
            left = Condition::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Condition, ConditionError> {
        if let Some((Token::Not, _)) = self.peek() {
            self.pos += 1;
            return Ok(Condition::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Condition, ConditionError> {
        let end = self.end;
        match self.next() {
            Some((Token::LParen, at)) => {
                let inner = self.or()?;
                match self.next() {
                    Some((Token::RParen, _)) => Ok(inner),
                    Some((tok, at2)) => {
                        Err(ConditionError { offset: at2, message: format!("expected `)`, found {}", describe(&tok)) })
                    }
                    None => Err(ConditionError { offset: at, message: "`(` is never closed".into() }),
                }
            }
            Some((Token::Name(name), at)) => match self.next() {
                Some((Token::Exists, _)) => Ok(Condition::Exists(name)),
                Some((op @ (Token::Eq | Token::Ne), op_at)) => match self.next() {
                    Some((Token::Value(v), _)) => {
                        Ok(if op == Token::Eq { Condition::Equals(name, v) } else { Condition::NotEquals(name, v) })
                    }
                    Some((tok, at3)) => Err(ConditionError {
                        offset: at3,
                        message: format!(
                            "expected a value in quotes after {}, found {}",
                            describe(&op),
                            describe(&tok)
                        ),
                    }),
                    None => Err(ConditionError {
                        offset: op_at,
                        message: format!("expected a value in quotes after {}", describe(&op)),
                    }),
                },
                Some((tok, at2)) => Err(ConditionError {
                    offset: at2,
                    message: format!("expected `exists`, `==` or `!=` after `{name}`, found {}", describe(&tok)),
                }),
                None => Err(ConditionError {
                    offset: at,
                    message: format!("expected `exists`, `==` or `!=` after `{name}`"),
                }),
            },
            Some((tok, at)) => Err(ConditionError {
                offset: at,
                message: format!("expected a variable name, `not` or `(`, found {}", describe(&tok)),
            }),
            None => Err(ConditionError { offset: end, message: "the condition ends too early".into() }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(text: &str, vars: &[(&str, &str)]) -> bool {
        let c = Condition::parse(text).unwrap();
        c.eval(&|name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| *v))
    }

    #[test]
    fn every_form_has_the_documented_truth_table() {
        assert!(eval("A exists", &[("A", "x")]));
        assert!(!eval("A exists", &[]));
        assert!(eval("A == 'x'", &[("A", "x")]));
        assert!(!eval("A == 'x'", &[("A", "y")]));
        assert!(!eval("A == 'x'", &[]), "unset is unequal to every value");
        assert!(eval("A != 'x'", &[]), "unset is unequal to every value");
        assert!(!eval("A != 'x'", &[("A", "x")]));
        assert!(eval("A == \"x\"", &[("A", "x")]));
        assert!(!eval("A == 'X'", &[("A", "x")]), "values compare case-sensitively");
    }

    #[test]
    fn precedence_is_not_then_and_then_or() {
        // a or b and c == a or (b and c)
        assert!(eval("A exists or B exists and C exists", &[("A", "1")]));
        assert!(!eval("(A exists or B exists) and C exists", &[("A", "1")]));
        // not a and b == (not a) and b
        assert!(!eval("not A exists and B exists", &[]));
        assert!(eval("not (A exists and B exists)", &[]));
        assert!(eval("NOT A exists AND B exists", &[("B", "1")]));
    }

    #[test]
    fn syntax_errors_say_where() {
        for (text, offset) in [
            ("A = 'x'", 2),
            ("A == x", 5),
            ("A ==", 2),
            ("(A exists", 0),
            ("A exists B exists", 9),
            ("A", 0),
            ("and A exists", 0),
            ("A == 'x", 5),
            ("A exists or", 11),
            ("", 0),
            ("A $ 'x'", 2),
        ] {
            let err = Condition::parse(text).unwrap_err();
            assert_eq!(err.offset, offset, "{text:?}: {}", err.message);
        }
    }
}
