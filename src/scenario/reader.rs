//! A checked walk over a parsed TOML document that keeps every value's position.
//!
//! The scenario is read from `toml`'s spanned document tree rather than through `serde` derive:
//! a duration may be a string or a table, a count a number, a name or a table, and an `untagged`
//! serde enum would answer a typo with "data did not match any variant". Walking the tree by hand
//! lets every error name the file, line, column and dotted key, say what was expected, and
//! suggest the key the user probably meant.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::duration::{Millis, parse_duration};
use super::name::{self, TextKind};
use super::overrides::Placed;
use super::size::{Bytes, parse_rate, parse_size};
use crate::input::InputError;

/// The text being read, for turning byte offsets into lines and columns.
#[derive(Debug, Clone, Copy)]
pub struct Source<'s> {
    /// The file name as the user gave it.
    pub file: &'s str,
    /// The whole text of the file (followed by any `--set` values).
    pub text: &'s str,
    /// Where `--set` values sit in `text`: errors there name the override, not the file.
    pub overrides: &'s [Placed],
}

impl Source<'_> {
    /// 1-based line and column (in characters) of a byte offset.
    pub fn locate(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..floor_char_boundary(self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    /// An error at a span of the file, about `key` (empty: no key).
    pub fn error(&self, span: &Range<usize>, key: &str, message: impl Into<String>) -> InputError {
        if let Some(o) = self.overrides.iter().find(|o| span.start >= o.range.start && span.start <= o.range.end) {
            return InputError {
                file: o.label.clone(),
                line: None,
                column: None,
                key: (!key.is_empty()).then(|| key.to_owned()),
                message: message.into(),
            };
        }
        let (line, column) = self.locate(span.start);
        InputError {
            file: self.file.to_owned(),
            line: Some(line),
            column: Some(column),
            key: (!key.is_empty()).then(|| key.to_owned()),
            message: message.into(),
        }
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// One value of the document, with its dotted key path.
#[derive(Clone)]
pub struct Value<'a, 'i> {
    src: Source<'a>,
    path: String,
    value: &'a Spanned<DeValue<'i>>,
}

/// Result of reading a scenario value.
pub type ReadResult<T> = Result<T, InputError>;

impl<'a, 'i> Value<'a, 'i> {
    /// Wraps a value found at `path`.
    pub fn new(src: Source<'a>, path: impl Into<String>, value: &'a Spanned<DeValue<'i>>) -> Self {
        Self { src, path: path.into(), value }
    }

    /// The value's dotted key path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The text the value was read from.
    pub fn source(&self) -> Source<'a> {
        self.src
    }

    /// The value's byte span in the file.
    pub fn span(&self) -> Range<usize> {
        self.value.span()
    }

    /// Where the value is, for a message about another place: `line 12`, or the `--set` that
    /// gave it.
    pub fn place(&self) -> String {
        let at = self.error("");
        match at.line {
            Some(line) => format!("line {line}"),
            None => at.file,
        }
    }

    /// The raw TOML value.
    pub fn raw(&self) -> &'a DeValue<'i> {
        self.value.get_ref()
    }

    /// An error about this value.
    pub fn error(&self, message: impl Into<String>) -> InputError {
        self.src.error(&self.value.span(), &self.path, message)
    }

    /// An error pointing at character `offset` inside this string value when the file spells
    /// the string plainly (quoted, no escapes), otherwise at the value.
    pub fn error_in_string(&self, offset: usize, message: impl Into<String>) -> InputError {
        let span = self.span();
        let raw = self.src.text.get(span.clone()).unwrap_or("");
        let plain = (raw.starts_with('"') || raw.starts_with('\''))
            && !raw.starts_with("\"\"\"")
            && !raw.starts_with("'''")
            && !raw.contains('\\');
        if plain {
            let inner = &raw[1..];
            let byte = inner.char_indices().nth(offset).map_or(inner.len().saturating_sub(1), |(b, _)| b);
            let at = span.start + 1 + byte;
            return self.src.error(&(at..at), &self.path, message);
        }
        self.error(message)
    }

    /// The TOML type name of this value, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.raw() {
            DeValue::String(_) => "a string",
            DeValue::Integer(_) => "an integer",
            DeValue::Float(_) => "a number",
            DeValue::Boolean(_) => "true/false",
            DeValue::Datetime(_) => "a date",
            DeValue::Array(_) => "a list",
            DeValue::Table(_) => "a table",
        }
    }

    fn expected(&self, what: &str) -> InputError {
        self.error(format!("expected {what}, found {}", self.type_name()))
    }

    /// The value as a table whose keys must all be in `allowed`.
    pub fn table(&self, allowed: &[&str]) -> ReadResult<Table<'a, 'i>> {
        match self.raw() {
            DeValue::Table(map) => {
                let table = Table { src: self.src, path: self.path.clone(), span: self.span(), map };
                table.check_keys(allowed)?;
                Ok(table)
            }
            _ => Err(self.expected("a table")),
        }
    }

    /// The value as a table whose keys are names the user chooses (no key check); `what`
    /// describes it for the error when the value is not a table.
    pub fn named_table(&self, what: &str) -> ReadResult<Table<'a, 'i>> {
        match self.raw() {
            DeValue::Table(map) => Ok(Table { src: self.src, path: self.path.clone(), span: self.span(), map }),
            _ => Err(self.expected(what)),
        }
    }

    /// Whether the value is a table.
    pub fn is_table(&self) -> bool {
        matches!(self.raw(), DeValue::Table(_))
    }

    /// The value as a string.
    pub fn str(&self) -> ReadResult<&'a str> {
        match self.raw() {
            DeValue::String(s) => Ok(s.as_ref()),
            _ => Err(self.expected("a string")),
        }
    }

    /// The value as a non-empty string (leading and trailing spaces removed).
    pub fn non_empty_str(&self) -> ReadResult<&'a str> {
        let s = self.str()?.trim();
        if s.is_empty() {
            return Err(self.error("must not be empty"));
        }
        Ok(s)
    }

    /// The value as a name: a non-empty string (spaces around it removed) that [`name::check`]
    /// accepts as a name — one line of printable text, at most [`name::MAX_NAME_CHARS`].
    pub fn name(&self) -> ReadResult<&'a str> {
        let name = self.non_empty_str()?;
        self.checked(name, TextKind::Name)?;
        Ok(name)
    }

    /// The value as a string of the given kind ([`name::check`]), as written (not trimmed).
    pub fn text(&self, kind: TextKind) -> ReadResult<&'a str> {
        let text = self.str()?;
        self.checked(text, kind)?;
        Ok(text)
    }

    /// Checks `text`, a part of this string value, as a text of `kind`; the error points at the
    /// offending character where the file spells the string plainly.
    pub fn checked(&self, text: &str, kind: TextKind) -> ReadResult<()> {
        name::check(text, kind).map_err(|e| {
            let whole = self.str().unwrap_or("");
            let skipped = whole.find(text).map_or(0, |byte| whole[..byte].chars().count());
            self.error_in_string(skipped + e.offset, e.message)
        })
    }

    /// The value as a boolean.
    pub fn bool(&self) -> ReadResult<bool> {
        match self.raw() {
            DeValue::Boolean(b) => Ok(*b),
            _ => Err(self.expected("true or false")),
        }
    }

    /// The value as a finite number (integer or float).
    pub fn f64(&self) -> ReadResult<f64> {
        let parsed = match self.raw() {
            DeValue::Integer(i) => parse_int(i.as_str(), i.radix()).map(|v| v as f64),
            DeValue::Float(f) => parse_float(f.as_str()),
            _ => return Err(self.expected("a number")),
        };
        match parsed {
            Some(v) if v.is_finite() => Ok(v),
            _ => Err(self.error("must be a finite number")),
        }
    }

    /// The value as a number that is more than zero and at most `max`.
    pub fn positive(&self, max: f64) -> ReadResult<f64> {
        let v = self.f64()?;
        if v <= 0.0 {
            return Err(self.error(format!("must be more than 0, found {v}")));
        }
        if v > max {
            return Err(self.error(format!("{v} is absurdly large (at most {max})")));
        }
        Ok(v)
    }

    /// The value as a probability or share in `[0, 1]`.
    pub fn probability(&self) -> ReadResult<f64> {
        let v = self.f64()?;
        if !(0.0..=1.0).contains(&v) {
            return Err(self.error(format!("is a probability or share and must be between 0 and 1, found {v}")));
        }
        Ok(v)
    }

    /// The value as an integer.
    pub fn i64(&self) -> ReadResult<i64> {
        match self.raw() {
            DeValue::Integer(i) => {
                parse_int(i.as_str(), i.radix()).ok_or_else(|| self.error("integer is out of range"))
            }
            DeValue::Float(_) => Err(self.error("expected a whole number, found a fractional number")),
            _ => Err(self.expected("a whole number")),
        }
    }

    /// The value as an integer in `[min, max]`.
    pub fn integer_in(&self, min: i64, max: i64) -> ReadResult<i64> {
        let v = self.i64()?;
        if v < min {
            return Err(self.error(format!("must be at least {min}, found {v}")));
        }
        if v > max {
            return Err(self.error(format!("{v} is absurdly large (at most {max})")));
        }
        Ok(v)
    }

    /// The value as a list.
    pub fn array(&self) -> ReadResult<Vec<Self>> {
        match self.raw() {
            DeValue::Array(items) => Ok(items
                .iter()
                .enumerate()
                .map(|(i, item)| Value { src: self.src, path: join(&self.path, &i.to_string()), value: item })
                .collect()),
            _ => Err(self.expected("a list")),
        }
    }

    /// The value as a duration string with units.
    pub fn duration(&self) -> ReadResult<Millis> {
        match self.raw() {
            DeValue::String(s) => parse_duration(s).map_err(|m| self.error(m)),
            DeValue::Integer(_) | DeValue::Float(_) => {
                Err(self
                    .error("a bare number is not a duration: write it with a unit in quotes, e.g. \"90s\" or \"12m\""))
            }
            _ => Err(self.expected("a duration such as \"90s\" or \"12m\"")),
        }
    }

    /// The value as a size string with units (`"650MB"`, `"2GiB"`), in bytes.
    pub fn size(&self) -> ReadResult<Bytes> {
        match self.raw() {
            DeValue::String(s) => parse_size(s).map_err(|m| self.error(m)),
            DeValue::Integer(_) | DeValue::Float(_) => {
                Err(self
                    .error("a bare number is not a size: write it with a unit in quotes, e.g. \"650MB\" or \"2GiB\""))
            }
            _ => Err(self.expected("a size such as \"650MB\" or \"2GiB\"")),
        }
    }

    /// The value as a rate string with units (`"1Gbps"`, `"125MB/s"`), in bytes a millisecond.
    pub fn rate(&self) -> ReadResult<f64> {
        match self.raw() {
            DeValue::String(s) => parse_rate(s).map_err(|m| self.error(m)),
            DeValue::Integer(_) | DeValue::Float(_) => Err(self
                .error("a bare number is not a rate: write it with a unit in quotes, e.g. \"1Gbps\" or \"125MB/s\"")),
            _ => Err(self.expected("a rate such as \"1Gbps\" or \"125MB/s\"")),
        }
    }
}

/// A table of the document, its keys already checked against the allowed set.
#[derive(Clone)]
pub struct Table<'a, 'i> {
    src: Source<'a>,
    path: String,
    span: Range<usize>,
    map: &'a DeTable<'i>,
}

impl<'a, 'i> Table<'a, 'i> {
    /// The root table of a document.
    pub fn root(src: Source<'a>, doc: &'a Spanned<DeTable<'i>>, allowed: &[&str]) -> ReadResult<Self> {
        let table = Table { src, path: String::new(), span: doc.span(), map: doc.get_ref() };
        table.check_keys(allowed)?;
        Ok(table)
    }

    /// The table's dotted key path (empty for the document root).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// An error about the table as a whole (e.g. a key that is missing from it).
    pub fn error(&self, message: impl Into<String>) -> InputError {
        self.src.error(&self.span, &self.path, message)
    }

    /// An error about a key of the table that may be absent (points at the table).
    pub fn key_error(&self, key: &str, message: impl Into<String>) -> InputError {
        self.src.error(&self.span, &join(&self.path, key), message)
    }

    fn check_keys(&self, allowed: &[&str]) -> ReadResult<()> {
        for (key, _) in self.map.iter() {
            let name: &str = key.get_ref();
            if !allowed.contains(&name) {
                let place =
                    if self.path.is_empty() { "at the top level".to_owned() } else { format!("in `{}`", self.path) };
                let mut message = format!("unknown key `{name}` {place}");
                if let Some(best) = closest(name, allowed) {
                    message.push_str(&format!(" (did you mean `{best}`?)"));
                } else if !allowed.is_empty() {
                    message.push_str(&format!("; expected one of: {}", allowed.join(", ")));
                }
                return Err(self.src.error(&key.span(), &join(&self.path, name), message));
            }
        }
        Ok(())
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<Value<'a, 'i>> {
        self.map.get(key).map(|value| Value { src: self.src, path: join(&self.path, key), value })
    }

    /// The value at a dotted path below this table (`deployment.max_run_time`,
    /// `step.3.steps.0.condition`: list items by 0-based index), if the document has it.
    pub fn find(&self, path: &str) -> Option<Value<'a, 'i>> {
        let mut parts = path.split('.');
        let mut value = self.get(parts.next()?)?;
        for part in parts {
            value = match value.raw() {
                DeValue::Table(_) => value.named_table("").ok()?.get(part)?,
                DeValue::Array(_) => value.array().ok()?.into_iter().nth(part.parse().ok()?)?,
                _ => return None,
            };
        }
        Some(value)
    }

    /// A place in the document for a message about the dotted `path`: the value there, else the
    /// nearest table that holds it (a key left at its default points at its section), else the
    /// document.
    pub fn place_of(&self, path: &str, message: impl Into<String>) -> InputError {
        let mut parent = path;
        loop {
            if let Some(value) = self.find(parent) {
                return value.source().error(&value.span(), &join(&self.path, path), message);
            }
            match parent.rfind('.') {
                Some(dot) => parent = &parent[..dot],
                None => return self.key_error(path, message),
            }
        }
    }

    /// The value of `key`, which must be present.
    pub fn req(&self, key: &str) -> ReadResult<Value<'a, 'i>> {
        self.get(key).ok_or_else(|| {
            let place =
                if self.path.is_empty() { "at the top level".to_owned() } else { format!("in `{}`", self.path) };
            self.key_error(key, format!("missing required key `{key}` {place}"))
        })
    }

    /// The table's entries in file order, as (key, key span, value).
    pub fn entries(&self) -> Vec<(&'a str, Range<usize>, Value<'a, 'i>)> {
        self.map
            .iter()
            .map(|(k, v)| {
                let name: &'a str = k.get_ref();
                (name, k.span(), Value { src: self.src, path: join(&self.path, name), value: v })
            })
            .collect()
    }

    /// An error at a key's own position.
    pub fn error_at(&self, span: &Range<usize>, key: &str, message: impl Into<String>) -> InputError {
        self.src.error(span, &join(&self.path, key), message)
    }

    /// Checks a key the user names (a count, a variable) as a name; the error points at the key.
    pub fn check_key_name(&self, span: &Range<usize>, key: &str) -> ReadResult<()> {
        name::check_name(key.trim()).map_err(|e| self.error_at(span, key, e.message))
    }

    /// Whether the table has no keys.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// Joins a dotted key path.
fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() { key.to_owned() } else { format!("{parent}.{key}") }
}

fn parse_int(text: &str, radix: u32) -> Option<i64> {
    let cleaned: String = text.chars().filter(|c| *c != '_').collect();
    let (negative, digits) = match cleaned.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, cleaned.strip_prefix('+').unwrap_or(&cleaned)),
    };
    let digits = match radix {
        16 => digits.strip_prefix("0x").unwrap_or(digits),
        8 => digits.strip_prefix("0o").unwrap_or(digits),
        2 => digits.strip_prefix("0b").unwrap_or(digits),
        _ => digits,
    };
    let magnitude = i64::from_str_radix(digits, radix).ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

fn parse_float(text: &str) -> Option<f64> {
    let cleaned: String = text.chars().filter(|c| *c != '_').collect();
    match cleaned.as_str() {
        "inf" | "+inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        "nan" | "+nan" | "-nan" => Some(f64::NAN),
        other => other.parse().ok(),
    }
}

/// The allowed key closest to a misspelt one, if it is close enough to be a typo. Case does not
/// count ([`name::fold`]): `rebootrequired` is as close to `RebootRequired` as can be.
pub fn closest<'k>(name: &str, allowed: &[&'k str]) -> Option<&'k str> {
    let folded = name::fold(name);
    allowed
        .iter()
        .map(|candidate| (edit_distance(&folded, &name::fold(candidate)), *candidate))
        .filter(|(d, candidate)| *d <= (candidate.chars().count() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_lines_and_columns() {
        let src = Source { file: "f", text: "a = 1\nbé = 2\n", overrides: &[] };
        assert_eq!(src.locate(0), (1, 1));
        assert_eq!(src.locate(6), (2, 1));
        assert_eq!(src.locate(10), (2, 4));
    }

    #[test]
    fn suggests_close_keys_only() {
        assert_eq!(closest("sevrers", &["servers", "offline"]), Some("servers"));
        assert_eq!(closest("colour", &["servers", "offline"]), None);
    }

    #[test]
    fn parses_toml_integers_in_every_radix() {
        assert_eq!(parse_int("1_000", 10), Some(1000));
        assert_eq!(parse_int("-5", 10), Some(-5));
        assert_eq!(parse_int("0xff", 16), Some(255));
        assert_eq!(parse_int("0b101", 2), Some(5));
    }
}
