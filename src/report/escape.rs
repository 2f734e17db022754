//! User text in the files patchsim writes: one escaping function per format.
//!
//! A scenario, class, step or group name, a server name or the description is the user's text;
//! in a report it must stay text. [`csv_cell`] quotes a CSV cell and neutralises one that a
//! spreadsheet would run as a formula, for the file's separator and decimal mark;
//! [`html`] entity-escapes text for HTML (and SVG); and [`markdown`] escapes what would start
//! emphasis, code, a link, raw HTML, a table cell or a block in Markdown. Ordinary names come
//! out unchanged, byte for byte.

/// A CSV cell of a file whose cells are parted by `separator` and whose numbers have `decimal`
/// as their decimal mark (`,` and `.` for patchsim's plain CSV; `;` and `,` for a German or
/// French Excel): quoted when it holds the separator, a double quote or a line break; a text
/// that starts with `=`, `+`, `-`, `@`, a tab or a carriage return — which Excel and other
/// spreadsheets run as a formula — gets a single quote in front and is quoted (OWASP's rule
/// against CSV injection). Numbers (with that decimal mark), negative ones included, stay
/// numbers.
///
/// ```
/// use patchsim::report::escape::csv_cell;
/// assert_eq!(csv_cell("Install updates", ',', '.'), "Install updates");
/// assert_eq!(csv_cell("a, b", ',', '.'), "\"a, b\"");
/// assert_eq!(csv_cell("=cmd|' /C calc'!A0", ',', '.'), "\"'=cmd|' /C calc'!A0\"");
/// assert_eq!(csv_cell("-1.5", ',', '.'), "-1.5");
/// assert_eq!(csv_cell("a; b", ';', ','), "\"a; b\"");
/// assert_eq!(csv_cell("a, b", ';', ','), "a, b");
/// assert_eq!(csv_cell("-1,5", ';', ','), "-1,5");
/// assert_eq!(csv_cell("-1+5", ';', ','), "\"'-1+5\"");
/// ```
pub fn csv_cell(text: &str, separator: char, decimal: char) -> String {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_number(text, decimal);
    if formula {
        format!("\"'{}\"", text.replace('"', "\"\""))
    } else if text.contains([separator, '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Whether a cell is a plain number a spreadsheet reads as one: an optional sign, digits, an
/// optional fraction after the `decimal` mark and an optional exponent (`-3`, `+0.25`, `1e-3`).
pub fn is_number(text: &str, decimal: char) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = mantissa.split_once(decimal).unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = !(int.is_empty() && frac.is_empty()) && digits(int) && digits(frac);
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

/// Text for HTML (element content and quoted attribute values): `&`, `<`, `>`, `"` and `'` as
/// entities.
///
/// ```
/// use patchsim::report::escape::html;
/// assert_eq!(html("<script>alert(1)</script> & co"), "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co");
/// ```
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text for Markdown, in a heading, a paragraph, a list item or a table cell: every character
/// that could start emphasis, code, a link, an entity or raw HTML, or end a table cell, is
/// escaped with a backslash (`\*`, `` \` ``, `\|`, `\<`, `\&`, …); a line break becomes a space
/// (in Markdown a single line break reads as one anyway); and a text that would open a block —
/// a list (`- `, `+ `, `1. `), a heading underline (`=`), a quote, a heading or a code block
/// (leading spaces) — has its first character escaped or its leading spaces removed.
///
/// ```
/// use patchsim::report::escape::markdown;
/// assert_eq!(markdown("monthly-server-patching"), "monthly-server-patching");
/// assert_eq!(markdown("**x** | <b>"), "\\*\\*x\\*\\* \\| \\<b\\>");
/// assert_eq!(markdown("- not a list"), "\\- not a list");
/// ```
pub fn markdown(text: &str) -> String {
    let text = text.trim_start();
    let mut out = String::with_capacity(text.len() + 8);
    let mut last_space = false;
    for (i, c) in text.chars().enumerate() {
        match c {
            '\n' | '\r' | '\t' => {
                if !last_space {
                    out.push(' ');
                }
                last_space = true;
                continue;
            }
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '-' | '+' | '=' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
        last_space = c == ' ';
    }
    // `1. ` or `1) ` at the start would open an ordered list.
    let digits = out.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && matches!(out.as_bytes().get(digits), Some(b'.' | b')')) {
        out.insert(digits, '\\');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_that_a_spreadsheet_would_run_are_neutralised() {
        for (cell, written) in [
            ("Mon 00:00", "Mon 00:00"),
            ("=1+2", "\"'=1+2\""),
            ("+SUM(A1)", "\"'+SUM(A1)\""),
            ("-2+3", "\"'-2+3\""),
            ("@SUM(A1)", "\"'@SUM(A1)\""),
            ("\tx", "\"'\tx\""),
            ("\rx", "\"'\rx\""),
            ("=\"quoted\"", "\"'=\"\"quoted\"\"\""),
            ("-", "\"'-\""),
            ("-inf", "\"'-inf\""),
            ("-3", "-3"),
            ("+0.25", "+0.25"),
            ("-1e-3", "-1e-3"),
            ("-.5", "-.5"),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("a\nb", "\"a\nb\""),
            ("", ""),
        ] {
            assert_eq!(csv_cell(cell, ',', '.'), written, "{cell:?}");
        }
    }

    #[test]
    fn markdown_escapes_what_would_change_the_document() {
        assert_eq!(
            markdown("Seed design: 42 two-hour windows, pre/post actions."),
            "Seed design: 42 two-hour windows, pre/post actions."
        );
        assert_eq!(
            markdown("`code` _em_ [link](x) &amp; ~~s~~ #1 ![i]"),
            "\\`code\\` \\_em\\_ \\[link\\](x) \\&amp; \\~\\~s\\~\\~ \\#1 \\!\\[i\\]"
        );
        assert_eq!(markdown("a\n\n# b\r\nc"), "a \\# b c");
        assert_eq!(markdown("    indented"), "indented");
        assert_eq!(markdown("2024. A year"), "2024\\. A year");
        assert_eq!(markdown("1) x"), "1\\) x");
        assert_eq!(markdown("=== x"), "\\=== x");
        assert_eq!(markdown("+ x"), "\\+ x");
        assert_eq!(markdown("a\\b"), "a\\\\b");
    }
}
