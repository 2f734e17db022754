//! Names and text a user writes — scenario, class, step, group, variable, count and server
//! names, variable values and the description — checked in one place, and compared the way
//! patchsim compares names: ignoring case, by Unicode case folding.
//!
//! Text that reaches a report, a terminal or a spreadsheet must not be able to hide what it is:
//! control characters (NUL, line breaks, escape sequences), the Unicode line and paragraph
//! separators and the bidirectional formatting characters (a right-to-left override makes
//! `invoice\u{202E}gpj.exe` display as `invoiceexe.jpg`) are refused, and so is text longer than its limit. Every reader calls
//! [`check`] (or [`check_name`]) and turns a [`TextError`] into an error at the file, line,
//! column and key it read the text from.

use crate::input::text::is_bidi_control;

/// The longest name, in characters: a scenario, class, step, group, variable, count or server
/// name, or an inventory column header.
pub const MAX_NAME_CHARS: usize = 256;

/// The longest variable value, in characters (class `variables`, `set_variable`, inventory
/// cells, the values a condition compares with).
pub const MAX_VALUE_CHARS: usize = 4096;

/// The longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 4096;

/// What a piece of user text is: it decides the limit and which characters it may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// A name: one line of printable text, at most [`MAX_NAME_CHARS`].
    Name,
    /// A variable's value: one line of printable text, at most [`MAX_VALUE_CHARS`].
    Value,
    /// The scenario's description: line breaks and tabs allowed, at most
    /// [`MAX_DESCRIPTION_CHARS`].
    Description,
    /// A condition's text: line breaks and tabs allowed between its words (its names and values
    /// are checked as such once it is parsed); no length limit of its own.
    Condition,
}

impl TextKind {
    fn limit(self) -> Option<usize> {
        match self {
            Self::Name => Some(MAX_NAME_CHARS),
            Self::Value => Some(MAX_VALUE_CHARS),
            Self::Description => Some(MAX_DESCRIPTION_CHARS),
            Self::Condition => None,
        }
    }

    fn allows_breaks(self) -> bool {
        matches!(self, Self::Description | Self::Condition)
    }

    fn plural(self) -> &'static str {
        match self {
            Self::Name => "names",
            Self::Value => "values",
            Self::Description => "descriptions",
            Self::Condition => "conditions",
        }
    }
}

/// Why a text was refused, and at which character (0-based) of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextError {
    /// 0-based character offset of the offending character (0 for a text that is too long).
    pub offset: usize,
    /// What is wrong, as the end of a sentence: "contains the control character …".
    pub message: String,
}

/// Checks a name: one line of printable text of at most [`MAX_NAME_CHARS`] characters.
pub fn check_name(text: &str) -> Result<(), TextError> {
    check(text, TextKind::Name)
}

/// Checks a text of the given kind: no control characters (but line breaks and tabs where the
/// kind allows them), no U+2028/U+2029, no bidirectional formatting characters, and not longer
/// than the kind's limit.
pub fn check(text: &str, kind: TextKind) -> Result<(), TextError> {
    let mut count = 0;
    for (offset, c) in text.chars().enumerate() {
        count += 1;
        if c.is_ascii() && !c.is_ascii_control() {
            continue;
        }
        if kind.allows_breaks() && matches!(c, '\n' | '\r' | '\t') {
            continue;
        }
        let at = offset + 1;
        if c.is_control() {
            let why = if kind.allows_breaks() {
                format!("{} may hold line breaks and tabs, but no other control characters", kind.plural())
            } else {
                format!("{} are one line of printable text", kind.plural())
            };
            return Err(TextError {
                offset,
                message: format!("contains the control character {} at character {at}: {why}", describe(c)),
            });
        }
        if matches!(c, '\u{2028}' | '\u{2029}') {
            return Err(TextError {
                offset,
                message: format!(
                    "contains {} at character {at}: {} cannot hold Unicode line or paragraph separators",
                    describe(c),
                    kind.plural()
                ),
            });
        }
        if is_bidi_control(c) {
            return Err(TextError {
                offset,
                message: format!(
                    "contains the bidirectional formatting character {} at character {at}, which makes text display differently from what it holds: remove it",
                    describe(c)
                ),
            });
        }
    }
    if let Some(limit) = kind.limit()
        && count > limit
    {
        return Err(TextError {
            offset: 0,
            message: format!("is {count} characters long: {} are at most {limit} characters", kind.plural()),
        });
    }
    Ok(())
}

/// `U+202E (right-to-left override)`: a character by its code point and, where it has one, its
/// short name.
fn describe(c: char) -> String {
    let name = match c {
        '\0' => "NUL",
        '\t' => "tab",
        '\n' => "line feed",
        '\r' => "carriage return",
        '\u{1b}' => "escape",
        '\u{7f}' => "delete",
        '\u{85}' => "next line",
        '\u{2028}' => "line separator",
        '\u{2029}' => "paragraph separator",
        '\u{202A}' => "left-to-right embedding",
        '\u{202B}' => "right-to-left embedding",
        '\u{202C}' => "pop directional formatting",
        '\u{202D}' => "left-to-right override",
        '\u{202E}' => "right-to-left override",
        '\u{2066}' => "left-to-right isolate",
        '\u{2067}' => "right-to-left isolate",
        '\u{2068}' => "first strong isolate",
        '\u{2069}' => "pop directional isolate",
        '\u{200E}' => "left-to-right mark",
        '\u{200F}' => "right-to-left mark",
        '\u{061C}' => "Arabic letter mark",
        _ => "",
    };
    if name.is_empty() { format!("U+{:04X}", c as u32) } else { format!("U+{:04X} ({name})", c as u32) }
}

/// A name folded for comparison: Unicode full case folding, so `STRASSE` and `straße`, `Ǆ` and
/// `ǆ`, `ΣΑΣ` and `σας` fold alike. Names that fold alike are the same name.
pub fn fold(name: &str) -> String {
    unicase::UniCase::new(name).to_folded_case()
}

/// Whether two names are the same name, ignoring case ([`fold`]).
pub fn same(a: &str, b: &str) -> bool {
    unicase::eq(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_is_full_unicode_case_folding() {
        assert!(same("STRASSE", "straße"));
        assert!(same("Ǆ", "ǆ") && same("ǅ", "ǆ"));
        assert!(same("ΣΑΣ", "σας") && same("ΣΑΣ", "σασ"));
        assert!(same("RebootRequired", "REBOOTREQUIRED"));
        assert!(!same("SQL", "SQL1"));
        assert_eq!(fold("STRASSE"), fold("Straße"));
    }

    #[test]
    fn refuses_controls_separators_bidi_and_length() {
        assert_eq!(check_name("Install updates (second pass)"), Ok(()));
        assert_eq!(check_name("Ünïcødé 名前"), Ok(()));
        let err = check_name("ab\u{202E}cd").unwrap_err();
        assert_eq!(err.offset, 2);
        assert_eq!(
            err.message,
            "contains the bidirectional formatting character U+202E (right-to-left override) at character 3, which makes text display differently from what it holds: remove it"
        );
        assert_eq!(
            check_name("a\tb").unwrap_err().message,
            "contains the control character U+0009 (tab) at character 2: names are one line of printable text"
        );
        assert_eq!(
            check_name("\u{9b}x").unwrap_err().message.split(':').next(),
            Some("contains the control character U+009B at character 1")
        );
        assert_eq!(check(&"x".repeat(256), TextKind::Name), Ok(()));
        assert_eq!(
            check(&"é".repeat(257), TextKind::Name).unwrap_err().message,
            "is 257 characters long: names are at most 256 characters"
        );
        assert_eq!(check("line one\nline two\ttabbed", TextKind::Description), Ok(()));
        assert_eq!(
            check("a\0b", TextKind::Description).unwrap_err().message,
            "contains the control character U+0000 (NUL) at character 2: descriptions may hold line breaks and tabs, but no other control characters"
        );
        assert_eq!(
            check("a\u{2029}", TextKind::Value).unwrap_err().message,
            "contains U+2029 (paragraph separator) at character 2: values cannot hold Unicode line or paragraph separators"
        );
        for c in ['\u{202A}', '\u{202D}', '\u{2066}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}'] {
            assert!(check(&format!("x{c}"), TextKind::Description).is_err(), "U+{:04X}", c as u32);
        }
    }
}
