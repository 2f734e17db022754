//! Errors in a scenario file: where they are (file, line, column, key) and what is wrong.

use std::fmt;

use super::text::shown;

/// A mistake in a scenario, pointing at the place the user has to change.
///
/// Displays as `file:line:column: key: message`, leaving out the parts that are not known
/// (a missing file has no line; a problem with the whole file has no key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The file, as the user named it.
    pub file: String,
    /// 1-based line, where the TOML parser or the value's position gives one.
    pub line: Option<usize>,
    /// 1-based column (in characters), with `line`.
    pub column: Option<usize>,
    /// Dotted path of the offending key, e.g. `step.2.per_item.p95` (array indices 0-based).
    pub key: Option<String>,
    /// What is wrong, as a sentence for a patching admin.
    pub message: String,
}

impl InputError {
    /// An error about the whole file (missing, unreadable, empty, not text).
    pub fn file(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self { file: file.into(), line: None, column: None, key: None, message: message.into() }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        f.write_str(": ")?;
        // Keys and messages quote what the user wrote: a control or bidirectional character in
        // it is shown as an escape, never sent to the terminal as it is.
        if let Some(key) = &self.key {
            write!(f, "key `{}`: ", shown(key))?;
        }
        for (i, line) in self.message.split('\n').enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            f.write_str(&shown(line))?;
        }
        Ok(())
    }
}

impl std::error::Error for InputError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_every_known_part() {
        let e = InputError {
            file: "s.toml".into(),
            line: Some(14),
            column: Some(9),
            key: Some("fleet.servers".into()),
            message: "must be at least 1".into(),
        };
        assert_eq!(e.to_string(), "s.toml:14:9: key `fleet.servers`: must be at least 1");
        assert_eq!(InputError::file("x.toml", "file is empty").to_string(), "x.toml: file is empty");
        let hostile = InputError {
            file: "s.toml".into(),
            line: Some(3),
            column: Some(1),
            key: Some("fleet.counts.a\u{1b}[2J".into()),
            message: "unknown count \"\u{202e}x\"\nsecond line".into(),
        };
        assert_eq!(
            hostile.to_string(),
            "s.toml:3:1: key `fleet.counts.a\\u{1b}[2J`: unknown count \"\\u{202e}x\"\nsecond line"
        );
    }
}
