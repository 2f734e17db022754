//! The export's text as the import's notes, comments and messages show it: on one line of
//! printable characters, cut to a length, and lists cut to their first few.

/// A text on one line, fit for a TOML comment: runs of whitespace as one space, other control
/// characters (which a comment may not hold) as `?`.
pub fn one_line(text: &str) -> String {
    let words: Vec<String> =
        text.split_whitespace().map(|w| w.chars().map(|c| if c.is_control() { '?' } else { c }).collect()).collect();
    words.join(" ")
}

/// A text cut to `max` characters, with `…` when it was longer.
pub fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some(_) => {
            let kept: String = text.chars().take(max.saturating_sub(1)).collect();
            format!("{kept}…")
        }
    }
}

/// The first `most` items, separated by commas, and how many more there are.
pub fn listed(items: impl IntoIterator<Item = String>, most: usize) -> String {
    let mut items = items.into_iter();
    let mut shown: Vec<String> = items.by_ref().take(most).collect();
    let more = items.count();
    if more > 0 {
        shown.push(format!("and {more} more"));
    }
    shown.join(", ")
}

/// A task sequence as a list names it: its package ID and, when it has one, its name
/// (`PS100023 "Server Patching"`).
pub fn package_label(package_id: &str, name: Option<&str>) -> String {
    match name {
        Some(n) => format!("{package_id} \"{}\"", cut(&one_line(n), 80)),
        None => package_id.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_come_out_on_one_printable_line_cut_to_length() {
        assert_eq!(one_line(" a\r\n b\u{1}c\t"), "a b?c");
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("abcd", 4), "abcd");
        assert_eq!(listed((1..=4).map(|i| i.to_string()), 2), "1, 2, and 2 more");
        assert_eq!(listed((1..=2).map(|i| i.to_string()), 2), "1, 2");
        assert_eq!(package_label("PS1", Some("Server\nPatching")), "PS1 \"Server Patching\"");
    }
}
