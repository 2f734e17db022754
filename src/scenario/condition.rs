//! Conditions on task-sequence variables, as a scenario writes them.
//!
//! Grammar (keywords are case-insensitive; values in single or double quotes):
//!
//! ```text
//! expr    := and ( "or" and )*
//! and     := unary ( "and" unary )*
//! unary   := "not" unary | primary
//! primary := "(" expr ")" | "probe" | NAME "exists" | NAME OP VALUE
//! OP      := "==" | "!=" | "<" | "<=" | ">" | ">=" | "like"
//! ```
//!
//! `not` binds tighter than `and`, which binds tighter than `or`, as in the console's
//! None/All/Any. Values compare ignoring case, as the engine compares them: "In most cases, task
//! sequence variable values aren't case-sensitive" (`osd/understand/using-task-sequence-variables.md`).
//! An unset variable is unequal to every value: `Name != 'x'` is true when `Name` is unset,
//! `Name == 'x'` false. The orderings `<`, `<=`, `>`, `>=` compare as numbers when both sides
//! are numbers and as text (ordinal, after case folding) otherwise; an unset variable is never
//! less or greater than anything. `like` matches the whole value against a pattern in which `*`
//! stands for any text (or none) and `?` for any one character, ignoring case; an unset variable
//! is like nothing.
//!
//! `probe` stands for a test patchsim cannot evaluate on a simulated server — a WMI query, a
//! file, folder, registry or installed-software check imported from the console. Each `probe`
//! holds with the probability the step or group gives in `probe_holds` (default 1: it holds),
//! drawn per server, independently for each `probe` of the condition.

use std::fmt;

/// A parsed condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// The variable is set (to any value).
    Exists(String),
    /// The variable is set to this value (compared ignoring case).
    Equals(String, String),
    /// The variable is unset or set to another value.
    NotEquals(String, String),
    /// The variable is set and orders against the value as the operator says.
    Compare(String, Ordering, String),
    /// The variable is set to a value the pattern matches (`*` any text, `?` any one character,
    /// ignoring case).
    Like(String, String),
    /// A test patchsim cannot evaluate; the number is its position among the condition's probes
    /// (0-based, in the order they are written).
    Probe(u32),
    /// Every one holds (two or more, evaluated left to right, stopping at the first false).
    And(Vec<Self>),
    /// One holds (two or more, evaluated left to right, stopping at the first true).
    Or(Vec<Self>),
    /// Does not hold.
    Not(Box<Self>),
}

/// How deep parentheses and `not` may nest in one condition: 64 levels. A chain of `and`s or
/// `or`s is one level however long it is; the bound keeps every reader and evaluator of a
/// condition well within any thread's stack.
pub const MAX_CONDITION_DEPTH: usize = 64;

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
    Cmp(Ordering),
    Like,
    And,
    Or,
    Not,
    Exists,
}

/// An ordering comparison between a variable and a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ordering {
    /// `<`
    Less,
    /// `<=`
    LessEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterEqual,
}

impl Ordering {
    /// The operator as written in a condition.
    pub const fn symbol(self) -> &'static str {
        match self {
            Self::Less => "<",
            Self::LessEqual => "<=",
            Self::Greater => ">",
            Self::GreaterEqual => ">=",
        }
    }

    /// Whether `actual OP literal` holds: numerically when both are numbers, otherwise by
    /// ordinal text order after case folding.
    ///
    /// ```
    /// use patchsim::scenario::condition::Ordering;
    /// assert!(Ordering::Less.holds("9", "10"));      // numbers: 9 < 10
    /// assert!(!Ordering::Less.holds("b9", "b10"));   // text: "b9" > "b10"
    /// assert!(Ordering::GreaterEqual.holds("2.0", "2"));
    /// assert!(Ordering::LessEqual.holds("ABC", "abc"));  // text ignores case
    /// ```
    pub fn holds(self, actual: &str, literal: &str) -> bool {
        let order = match (number(actual), number(literal)) {
            (Some(a), Some(b)) => a.partial_cmp(&b),
            _ => Some(super::name::fold(actual).cmp(&super::name::fold(literal))),
        };
        let Some(order) = order else { return false };
        match self {
            Self::Less => order.is_lt(),
            Self::LessEqual => order.is_le(),
            Self::Greater => order.is_gt(),
            Self::GreaterEqual => order.is_ge(),
        }
    }
}

/// A value read as a number: optional sign, digits, optional fraction (no exponents, no spaces
/// inside, no `inf`/`nan`), as a person types a version or a count.
fn number(text: &str) -> Option<f64> {
    let t = text.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let ok = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !(digits.contains('.') && frac.is_empty());
    if ok { t.parse().ok() } else { None }
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
        let mut parser = Parser { tokens: &tokens, pos: 0, end: text.chars().count(), probes: 0, depth: 0 };
        let expr = parser.or()?;
        if let Some((tok, at)) = parser.peek() {
            return Err(ConditionError {
                offset: at,
                message: format!("unexpected {} after a complete condition (missing `and`/`or`?)", describe(tok)),
            });
        }
        Ok(expr)
    }

    /// Evaluates the condition; `get` returns a variable's value, `None` when unset, and
    /// `probe` says whether probe number `k` holds.
    pub fn eval<'v>(&self, get: &impl Fn(&str) -> Option<&'v str>, probe: &impl Fn(u32) -> bool) -> bool {
        match self {
            Self::Exists(name) => get(name).is_some(),
            Self::Equals(name, value) => get(name).is_some_and(|v| same_value(v, value)),
            Self::NotEquals(name, value) => !get(name).is_some_and(|v| same_value(v, value)),
            Self::Compare(name, op, value) => get(name).is_some_and(|actual| op.holds(actual, value)),
            Self::Like(name, pattern) => get(name).is_some_and(|actual| like(actual, pattern)),
            Self::Probe(k) => probe(*k),
            Self::And(all) => all.iter().all(|c| c.eval(get, probe)),
            Self::Or(any) => any.iter().any(|c| c.eval(get, probe)),
            Self::Not(a) => !a.eval(get, probe),
        }
    }

    /// How many `probe`s the condition has.
    pub fn probes(&self) -> u32 {
        match self {
            Self::Probe(_) => 1,
            Self::And(all) | Self::Or(all) => all.iter().map(Self::probes).sum(),
            Self::Not(a) => a.probes(),
            _ => 0,
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
            Self::Exists(n)
            | Self::Equals(n, _)
            | Self::NotEquals(n, _)
            | Self::Compare(n, _, _)
            | Self::Like(n, _) => {
                if !out.contains(&n.as_str()) {
                    out.push(n);
                }
            }
            Self::Probe(_) => {}
            Self::And(all) | Self::Or(all) => all.iter().for_each(|c| c.collect_variables(out)),
            Self::Not(a) => a.collect_variables(out),
        }
    }

    /// The values the condition compares against.
    pub fn values(&self) -> Vec<&str> {
        match self {
            Self::Exists(_) | Self::Probe(_) => Vec::new(),
            Self::Equals(_, v) | Self::NotEquals(_, v) | Self::Compare(_, _, v) | Self::Like(_, v) => {
                vec![v.as_str()]
            }
            Self::And(all) | Self::Or(all) => all.iter().flat_map(Self::values).collect(),
            Self::Not(a) => a.values(),
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exists(n) => write!(f, "{n} exists"),
            Self::Equals(n, v) => write!(f, "{n} == {}", Quoted(v)),
            Self::NotEquals(n, v) => write!(f, "{n} != {}", Quoted(v)),
            Self::Compare(n, op, v) => write!(f, "{n} {} {}", op.symbol(), Quoted(v)),
            Self::Like(n, v) => write!(f, "{n} like {}", Quoted(v)),
            Self::Probe(_) => f.write_str("probe"),
            Self::And(all) => write_joined(f, all, " and "),
            Self::Or(any) => write_joined(f, any, " or "),
            Self::Not(a) => write!(f, "not {a}"),
        }
    }
}

fn write_joined(f: &mut fmt::Formatter<'_>, parts: &[Condition], with: &str) -> fmt::Result {
    f.write_str("(")?;
    for (k, part) in parts.iter().enumerate() {
        if k > 0 {
            f.write_str(with)?;
        }
        write!(f, "{part}")?;
    }
    f.write_str(")")
}

/// A value in the quotes that can hold it: single quotes unless the value has one.
struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.contains('\'') { write!(f, "\"{}\"", self.0) } else { write!(f, "'{}'", self.0) }
    }
}

/// The condition text as an error quotes it: whole when short, else the 60 characters either
/// side of character `offset`, with `…` for what is left out.
pub fn excerpt(text: &str, offset: usize) -> String {
    const SIDE: usize = 60;
    let count = text.chars().count();
    if count <= 2 * SIDE + 20 {
        return text.to_owned();
    }
    let from = offset.saturating_sub(SIDE);
    let to = (offset + SIDE).min(count);
    let mut out: String = if from > 0 { "…".to_owned() } else { String::new() };
    out.extend(text.chars().skip(from).take(to - from));
    if to < count {
        out.push('…');
    }
    out
}

/// Whether a text can be written as a value in a condition (it cannot hold both kinds of quote).
pub fn can_quote(value: &str) -> bool {
    !(value.contains('\'') && value.contains('"'))
}

/// Whether a text can be written as a variable name in a condition.
pub fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphanumeric() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | ':'))
        && !["and", "or", "not", "exists", "like"].contains(&name.to_ascii_lowercase().as_str())
}

fn describe(token: &Token) -> String {
    match token {
        Token::Name(n) => format!("name `{n}`"),
        Token::Value(v) => format!("value '{v}'"),
        Token::LParen => "`(`".into(),
        Token::RParen => "`)`".into(),
        Token::Eq => "`==`".into(),
        Token::Ne => "`!=`".into(),
        Token::Cmp(op) => format!("`{}`", op.symbol()),
        Token::Like => "`like`".into(),
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
            '<' | '>' => {
                let equal = chars.get(i + 1) == Some(&'=');
                let op = match (c, equal) {
                    ('<', false) => Ordering::Less,
                    ('<', true) => Ordering::LessEqual,
                    ('>', false) => Ordering::Greater,
                    _ => Ordering::GreaterEqual,
                };
                out.push((Token::Cmp(op), start));
                i += if equal { 2 } else { 1 };
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
                    "like" => Token::Like,
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
    probes: u32,
    /// Parentheses and `not`s open around the current token.
    depth: usize,
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
        let mut any = vec![self.and()?];
        while let Some((Token::Or, _)) = self.peek() {
            self.pos += 1;
            any.push(self.and()?);
        }
        Ok(if any.len() == 1 { any.remove(0) } else { Condition::Or(any) })
    }

    fn and(&mut self) -> Result<Condition, ConditionError> {
        let mut all = vec![self.unary()?];
        while let Some((Token::And, _)) = self.peek() {
            self.pos += 1;
            all.push(self.unary()?);
        }
        Ok(if all.len() == 1 { all.remove(0) } else { Condition::And(all) })
    }

    /// One more level of parentheses or `not` at `at`, refused past [`MAX_CONDITION_DEPTH`].
    fn deeper(&mut self, at: usize) -> Result<(), ConditionError> {
        self.depth += 1;
        if self.depth > MAX_CONDITION_DEPTH {
            return Err(ConditionError {
                offset: at,
                message: format!(
                    "parentheses and `not` nest more than {MAX_CONDITION_DEPTH} deep here; write the condition with fewer levels"
                ),
            });
        }
        Ok(())
    }

    fn unary(&mut self) -> Result<Condition, ConditionError> {
        if let Some((Token::Not, at)) = self.peek() {
            self.pos += 1;
            self.deeper(at)?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Condition::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Condition, ConditionError> {
        let end = self.end;
        match self.next() {
            Some((Token::LParen, at)) => {
                self.deeper(at)?;
                let inner = self.or()?;
                self.depth -= 1;
                match self.next() {
                    Some((Token::RParen, _)) => Ok(inner),
                    Some((tok, at2)) => {
                        Err(ConditionError { offset: at2, message: format!("expected `)`, found {}", describe(&tok)) })
                    }
                    None => Err(ConditionError { offset: at, message: "`(` is never closed".into() }),
                }
            }
            Some((Token::Name(name), _))
                if name.eq_ignore_ascii_case("probe")
                    && !matches!(
                        self.peek(),
                        Some((Token::Exists | Token::Eq | Token::Ne | Token::Cmp(_) | Token::Like, _))
                    ) =>
            {
                self.probes += 1;
                Ok(Condition::Probe(self.probes - 1))
            }
            Some((Token::Name(name), at)) => match self.next() {
                Some((Token::Exists, _)) => Ok(Condition::Exists(name)),
                Some((op @ (Token::Eq | Token::Ne | Token::Cmp(_) | Token::Like), op_at)) => match self.next() {
                    Some((Token::Value(v), _)) => Ok(match op {
                        Token::Eq => Condition::Equals(name, v),
                        Token::Ne => Condition::NotEquals(name, v),
                        Token::Cmp(o) => Condition::Compare(name, o, v),
                        Token::Like => Condition::Like(name, v),
                        _ => unreachable!("matched above"),
                    }),
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
                    message: format!(
                        "expected `exists`, `==`, `!=`, `<`, `<=`, `>`, `>=` or `like` after `{name}`, found {}",
                        describe(&tok)
                    ),
                }),
                None => Err(ConditionError {
                    offset: at,
                    message: format!("expected `exists`, `==`, `!=`, `<`, `<=`, `>`, `>=` or `like` after `{name}`"),
                }),
            },
            Some((tok, at)) => Err(ConditionError {
                offset: at,
                message: format!("expected a variable name, `probe`, `not` or `(`, found {}", describe(&tok)),
            }),
            None => Err(ConditionError { offset: end, message: "the condition ends too early".into() }),
        }
    }
}

/// Whether a value matches a `like` pattern: the whole value, `*` standing for any text (or
/// none) and `?` for any one character, ignoring case as the engine compares values.
///
/// ```
/// use patchsim::scenario::condition::like;
/// assert!(like("Windows10-20H2-x64", "windows10*"));
/// assert!(like("W10", "w1?"));
/// assert!(!like("Win10x86", "Win10x64*"));
/// assert!(like("", "*") && !like("", "?"));
/// ```
pub fn like(value: &str, pattern: &str) -> bool {
    let value: Vec<char> = super::name::fold(value).chars().collect();
    let pattern: Vec<char> = super::name::fold(pattern).chars().collect();
    // Greedy matching with backtracking to the last `*`: linear in practice, at worst
    // value × pattern.
    let (mut v, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while v < value.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, v));
                p += 1;
            }
            Some(c) if *c == '?' || *c == value[v] => {
                v += 1;
                p += 1;
            }
            _ => match star {
                Some((sp, sv)) => {
                    p = sp + 1;
                    v = sv + 1;
                    star = Some((sp, sv + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// Whether two variable values are the same to the engine: equal ignoring case.
pub fn same_value(a: &str, b: &str) -> bool {
    a == b || super::name::fold(a) == super::name::fold(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(text: &str, vars: &[(&str, &str)]) -> bool {
        let c = Condition::parse(text).unwrap();
        c.eval(&|name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| *v), &|_| true)
    }

    #[test]
    fn orderings_compare_numbers_as_numbers_and_text_as_text() {
        assert!(eval("N < '10'", &[("N", "9")]));
        assert!(!eval("N > '10'", &[("N", "9")]));
        assert!(eval("N >= '10'", &[("N", "10.0")]));
        assert!(eval("N <= '-1'", &[("N", "-2")]));
        assert!(eval("V > 'b10'", &[("V", "b9")]), "text orders character by character");
        assert!(eval("V <= 'b'", &[("V", "B")]) && eval("V >= 'b'", &[("V", "B")]), "text ignores case: B = b");
        assert!(eval("V < 'b'", &[("V", "A")]) && eval("V < 'B'", &[("V", "a")]));
        assert!(eval("V > '1'", &[("V", "x")]), "a number against text compares as text");
        for op in ["<", "<=", ">", ">="] {
            assert!(!eval(&format!("U {op} '1'"), &[]), "unset is never ordered ({op})");
        }
        for (text, n) in
            [("7", Some(7.0)), (" 2.5 ", Some(2.5)), ("1e3", None), ("inf", None), ("1.", None), ("", None)]
        {
            assert_eq!(number(text), n, "{text:?}");
        }
    }

    #[test]
    fn probes_are_numbered_in_order_and_evaluated_by_the_caller() {
        let c = Condition::parse("probe and (A exists or not PROBE)").unwrap();
        assert_eq!(c.probes(), 2);
        let only_first = |k: u32| k == 0;
        assert!(c.eval(&|_: &str| None, &only_first));
        assert!(!c.eval(&|_: &str| None, &|k: u32| k == 1));
        // `probe` followed by an operator is a variable named probe.
        assert_eq!(Condition::parse("probe exists").unwrap(), Condition::Exists("probe".into()));
        assert_eq!(Condition::parse("probe == 'x'").unwrap().probes(), 0);
    }

    #[test]
    fn display_writes_text_that_parses_back_to_the_same_condition() {
        for text in ["A == \"it's\"", "(A exists and not B < '3')", "probe or N >= '2.5'", "A != 'x'", "A like 'x*?'"] {
            let c = Condition::parse(text).unwrap();
            assert_eq!(Condition::parse(&c.to_string()).unwrap(), c, "{text}");
        }
        assert!(!can_quote("a'b\"c"));
        assert!(is_variable_name("_SMSTSInWinPE") && is_variable_name("OSD.Version"));
        assert!(!is_variable_name("has space") && !is_variable_name("and") && !is_variable_name(""));
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
        assert!(eval("A == 'X'", &[("A", "x")]), "values compare ignoring case");
        assert!(!eval("A != 'X'", &[("A", "x")]));
    }

    #[test]
    fn like_matches_wildcards_ignoring_case_and_never_an_unset_variable() {
        assert!(eval("OSDOS like 'Windows1020*'", &[("OSDOS", "Windows1020H2")]));
        assert!(eval("OSDOS like 'windows1020*'", &[("OSDOS", "WINDOWS1020")]), "* may be empty; case ignored");
        assert!(!eval("OSDOS like 'Windows1020*'", &[("OSDOS", "Windows1019H1")]));
        assert!(!eval("OSDOS like 'Windows1020*'", &[]), "an unset variable is like nothing");
        assert!(eval("not OSDOS like 'W*'", &[]));
        assert!(eval("M like '?P*Z?'", &[("M", "HP EliteBook ZX")]));
        assert!(!eval("M like '?P*Z?'", &[("M", "HP EliteBook Z")]));
        assert!(eval("M like 'a*b*c'", &[("M", "aXbYbZc")]));
        assert!(!eval("M like 'a*b*c'", &[("M", "aXbYbZ")]));
        assert!(eval("M like 'exact'", &[("M", "EXACT")]) && !eval("M like 'exact'", &[("M", "exactly")]));
        assert!(eval("M like '%'", &[("M", "%")]) && !eval("M like '%'", &[("M", "x")]), "% is no wildcard here");
        assert_eq!(Condition::parse("A LIKE 'x*'").unwrap(), Condition::Like("A".into(), "x*".into()));
        assert_eq!(Condition::parse("probe like 'x'").unwrap().probes(), 0, "a variable named probe");
        assert!(!is_variable_name("like"));
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

    #[test]
    fn long_chains_are_flat_and_deep_nesting_is_refused_at_its_place() {
        // A hundred thousand alternatives (a model list) is one level deep.
        let chain = (0..100_000).map(|k| format!("Model == 'm{k}'")).collect::<Vec<_>>().join(" or ");
        let c = Condition::parse(&chain).unwrap();
        assert!(matches!(&c, Condition::Or(any) if any.len() == 100_000));
        assert!(c.eval(&|_: &str| Some("m99999"), &|_| true));
        assert!(!c.eval(&|_: &str| Some("m100000"), &|_| true));
        // 64 levels are fine; the 65th parenthesis or `not` is refused where it opens.
        let ok = format!("{}A exists{}", "(".repeat(64), ")".repeat(64));
        assert!(Condition::parse(&ok).is_ok());
        let deep = format!("{}A exists{}", "(".repeat(9_000), ")".repeat(9_000));
        let e = Condition::parse(&deep).unwrap_err();
        assert_eq!(e.offset, 64);
        assert_eq!(
            e.message,
            "parentheses and `not` nest more than 64 deep here; write the condition with fewer levels"
        );
        let nots = format!("{}A exists", "not ".repeat(65));
        assert_eq!(Condition::parse(&nots).unwrap_err().offset, 256);
        assert!(Condition::parse(&format!("{}A exists", "not ".repeat(64))).is_ok());
        // Chains print without the nesting the parser no longer builds.
        assert_eq!(
            Condition::parse("A exists and B exists and C exists").unwrap().to_string(),
            "(A exists and B exists and C exists)"
        );
    }
}
