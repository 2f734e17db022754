//! A small, defensive XML reader: bytes → a tree of [`Element`]s, for files from outside.
//!
//! Built on `quick-xml`'s pull parser, which never fetches or expands anything. On top of it:
//!
//! - **No DTD.** A `<!DOCTYPE …>` is refused: a console export has none, and refusing it shuts
//!   out entity-expansion ("billion laughs") and external-entity attacks before they start. Only
//!   the five predefined entities and character references are expanded.
//! - **Bounded.** At most [`Limits::max_bytes`] of input, [`Limits::max_depth`] levels of
//!   nesting, [`Limits::max_elements`] elements and [`Limits::max_attributes`] attributes on
//!   one element, so a hostile file costs at most a bounded,
//!   small amount of memory and time.
//! - **Clear errors.** Every error names the line and column, and a truncated file says which
//!   element it ends inside.
//! - **Encodings.** UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark (as
//!   PowerShell's `Out-File` writes), and, for other bytes that are not UTF-8, Windows-1252 (as
//!   Windows PowerShell's `Set-Content` writes), reported in [`Document::encoding`].

use std::fmt;

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

/// How much a document may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input, in bytes.
    pub max_bytes: usize,
    /// Deepest nesting of elements.
    pub max_depth: usize,
    /// Most elements in the document.
    pub max_elements: usize,
    /// Most attributes on one element.
    pub max_attributes: usize,
}

impl Default for Limits {
    /// 32 MiB, 128 levels, 500,000 elements, 256 attributes an element: a large real task
    /// sequence export is about 1 MB, nests fewer than 20 levels, has a few thousand elements
    /// and at most about ten attributes on a step.
    fn default() -> Self {
        Self { max_bytes: 32 << 20, max_depth: 128, max_elements: 500_000, max_attributes: 256 }
    }
}

/// An element: its name, attributes, text and children, and where it starts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// The tag name as written (with any prefix).
    pub name: String,
    /// Attributes in document order, values unescaped.
    pub attributes: Vec<(String, String)>,
    /// Child elements in order.
    pub children: Vec<Element>,
    /// The element's own text and CDATA, concatenated (not its children's).
    pub text: String,
    /// 1-based line of the `<`.
    pub line: usize,
    /// 1-based column (in characters) of the `<`.
    pub column: usize,
    /// 1-based line where the element's own text begins (0 when it has none): a sequence held
    /// as text inside a wrapper is placed in the file by it.
    pub text_line: usize,
}

impl Element {
    /// The value of an attribute (names compare without regard to case).
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The child elements with this name (without regard to case).
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name.eq_ignore_ascii_case(name))
    }

    /// The first child element with this name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// This element and every element below it, depth first, in document order.
    pub fn descendants(&self) -> Vec<&Element> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            out.push(e);
            stack.extend(e.children.iter().rev());
        }
        out
    }
}

/// A parsed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The root element.
    pub root: Element,
    /// How the bytes were read: `"UTF-8"`, `"UTF-16LE"`, `"UTF-16BE"` or `"Windows-1252"`.
    pub encoding: &'static str,
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    /// 1-based line, when the problem has a place.
    pub line: Option<usize>,
    /// 1-based column, with `line`.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl XmlError {
    fn whole(message: impl Into<String>) -> Self {
        Self { line: None, column: None, message: message.into() }
    }
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{l}:{c}: {}", self.message),
            (Some(l), None) => write!(f, "{l}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for XmlError {}

/// Reads a document from bytes within `limits`.
pub fn parse(bytes: &[u8], limits: Limits) -> Result<Document, XmlError> {
    if bytes.len() > limits.max_bytes {
        return Err(XmlError::whole(format!(
            "the file is {} bytes, more than the {} an export can plausibly be; is this the right file?",
            bytes.len(),
            limits.max_bytes
        )));
    }
    let (text, encoding) = decode(bytes)?;
    let root = parse_text(&text, limits)?;
    Ok(Document { root, encoding })
}

/// Reads a document from text (already decoded) within `limits`.
pub fn parse_text(text: &str, limits: Limits) -> Result<Element, XmlError> {
    if text.len() > limits.max_bytes {
        return Err(XmlError::whole(format!("the text is {} bytes, more than {}", text.len(), limits.max_bytes)));
    }
    if text.trim().is_empty() {
        return Err(XmlError::whole("the file is empty: expected an XML document"));
    }
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.check_comments = true;
    let mut tree = Tree { text, lines: LineIndex::new(text), limits, stack: Vec::new(), root: None, elements: 0 };
    loop {
        let at = reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                let offset = reader.error_position() as usize;
                return Err(tree.place(offset, describe(&e, &tree.stack)));
            }
        };
        match event {
            Event::Start(_) | Event::Empty(_) if tree.root.is_some() => {
                return Err(tree.place(at, "a second root element after the document's end".to_owned()));
            }
            Event::Start(start) => {
                let open = tree.open(&start, at)?;
                tree.stack.push(open);
            }
            Event::Empty(start) => {
                let done = tree.open(&start, at)?;
                tree.attach(done);
            }
            Event::End(_) => {
                // quick-xml has checked that the name matches the open element.
                let Some(done) = tree.stack.pop() else {
                    return Err(tree.place(at, "a closing tag with no element open".to_owned()));
                };
                tree.attach(done);
            }
            Event::Text(t) => {
                let content = t.xml_content(XmlVersion::Implicit1_0).map_err(|e| tree.place(at, e.to_string()))?;
                if tree.stack.is_empty() && content.trim().is_empty() {
                    continue;
                }
                tree.add_text(&content, at, "text")?;
            }
            Event::CData(t) => {
                let content = t.xml_content(XmlVersion::Implicit1_0).map_err(|e| tree.place(at, e.to_string()))?;
                tree.add_text(&content, at, "CDATA")?;
            }
            Event::GeneralRef(r) => {
                let resolved = tree.reference(&r, at)?;
                tree.add_text(&resolved, at, "an entity")?;
            }
            Event::DocType(_) => {
                return Err(tree.place(
                    at,
                    "the file has a document type declaration (<!DOCTYPE …>); patchsim reads no DTD and expands no declared entity (a console export has neither)".to_owned(),
                ));
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    tree.finish()
}

/// The element tree being read: the open elements, the root once closed, and the bounds.
struct Tree<'t> {
    text: &'t str,
    lines: LineIndex,
    limits: Limits,
    /// Elements opened and not yet closed, outermost first.
    stack: Vec<Element>,
    root: Option<Element>,
    /// Elements read so far.
    elements: usize,
}

impl Tree<'_> {
    /// An error at byte `offset` of the text.
    fn place(&self, offset: usize, message: String) -> XmlError {
        let (line, column) = self.lines.locate(self.text, offset);
        XmlError { line: Some(line), column: Some(column), message }
    }

    /// An element whose tag starts at or after `at` (the reader may stand just before its `<`),
    /// within the bounds on elements, depth and attributes.
    fn open(&mut self, start: &BytesStart<'_>, at: usize) -> Result<Element, XmlError> {
        let at = self.text[at..].find('<').map_or(at, |i| at + i);
        self.elements += 1;
        if self.elements > self.limits.max_elements {
            return Err(self.place(at, format!("more than {} elements", self.limits.max_elements)));
        }
        if self.stack.len() >= self.limits.max_depth {
            return Err(self.place(at, format!("elements nest more than {} levels deep", self.limits.max_depth)));
        }
        let (line, column) = self.lines.locate(self.text, at);
        element(start, line, column, self.limits.max_attributes).map_err(|m| self.place(at, m))
    }

    /// A closed element: a child of the open one, or the root.
    fn attach(&mut self, done: Element) {
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(done),
            None => self.root = Some(done),
        }
    }

    /// Text (`what` it is, for the error) of the open element; outside the root, an error.
    fn add_text(&mut self, content: &str, at: usize, what: &str) -> Result<(), XmlError> {
        match self.stack.last_mut() {
            Some(open) => {
                if open.text.is_empty() && open.text_line == 0 && !content.is_empty() {
                    open.text_line = self.lines.locate(self.text, at).0;
                }
                open.text.push_str(content);
                Ok(())
            }
            None => Err(self.place(at, format!("{what} outside the root element"))),
        }
    }

    /// A character reference or one of the five predefined entities; any other entity is an
    /// error (no DTD is read).
    fn reference(&self, r: &quick_xml::events::BytesRef<'_>, at: usize) -> Result<String, XmlError> {
        if r.is_char_ref() {
            return match r.resolve_char_ref() {
                Ok(Some(c)) => Ok(c.to_string()),
                _ => Err(self.place(at, format!("\"&{};\" is not a valid character", lossy(r)))),
            };
        }
        let name = lossy(r);
        predefined(&name).map(str::to_owned).ok_or_else(|| {
            self.place(
                at,
                format!(
                    "unknown entity \"&{name};\": only &lt; &gt; &amp; &apos; &quot; and character references are read"
                ),
            )
        })
    }

    /// The root, once the text has ended with every element closed.
    fn finish(self) -> Result<Element, XmlError> {
        if let Some(open) = self.stack.last() {
            return Err(self.place(
                self.text.len(),
                format!("the file ends inside <{}> opened on line {}: is it cut short?", open.name, open.line),
            ));
        }
        self.root.ok_or_else(|| XmlError::whole("the file has no element: expected an XML document"))
    }
}

fn lossy(r: &quick_xml::events::BytesRef<'_>) -> String {
    String::from_utf8_lossy(r.as_ref()).into_owned()
}

fn predefined(name: &str) -> Option<&'static str> {
    match name {
        "lt" => Some("<"),
        "gt" => Some(">"),
        "amp" => Some("&"),
        "apos" => Some("'"),
        "quot" => Some("\""),
        _ => None,
    }
}

fn element(start: &BytesStart<'_>, line: usize, column: usize, max_attributes: usize) -> Result<Element, String> {
    let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
    let mut attributes = Vec::new();
    for attr in start.attributes().with_checks(false) {
        let attr = attr.map_err(|e| format!("in <{name}>: malformed attributes ({e} characters after the `<`)"))?;
        if attributes.len() == max_attributes {
            return Err(format!("<{name}> has more than {max_attributes} attributes"));
        }
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        if attributes.iter().any(|(k, _): &(String, String)| *k == key) {
            return Err(format!("in <{name}>: attribute {key} appears twice"));
        }
        let value = attr.normalized_value(XmlVersion::Implicit1_0).map_err(|e| {
            format!("in <{name}>, attribute {key}: {e} (only &lt; &gt; &amp; &apos; &quot; and character references are read)")
        })?;
        attributes.push((key, value.into_owned()));
    }
    Ok(Element { name, attributes, children: Vec::new(), text: String::new(), line, column, text_line: 0 })
}

/// A readable sentence for a parser error, naming the open element where that helps.
fn describe(e: &quick_xml::Error, stack: &[Element]) -> String {
    use quick_xml::errors::{Error, IllFormedError, SyntaxError};
    let inside = stack.last().map(|open| format!(" (inside <{}> opened on line {})", open.name, open.line));
    match e {
        Error::Syntax(SyntaxError::UnclosedTag) => {
            format!("a tag is never closed with `>`: is the file cut short?{}", inside.unwrap_or_default())
        }
        Error::Syntax(s) => format!("malformed XML: {s}{}", inside.unwrap_or_default()),
        Error::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
            format!("</{found}> closes <{expected}>{}", inside.unwrap_or_default())
        }
        Error::IllFormed(IllFormedError::UnmatchedEndTag(name)) => format!("</{name}> closes no open element"),
        Error::IllFormed(i) => format!("malformed XML: {i}{}", inside.unwrap_or_default()),
        other => format!("malformed XML: {other}{}", inside.unwrap_or_default()),
    }
}

/// Decodes the file's bytes to text, by byte-order mark, then UTF-8, then Windows-1252.
fn decode(bytes: &[u8]) -> Result<(String, &'static str), XmlError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest).map(|t| (t.to_owned(), "UTF-8")).map_err(|e| {
            XmlError::whole(format!("the file says UTF-8 but byte {} is not: is it damaged?", e.valid_up_to() + 3))
        });
    }
    if let Some(decoded) = crate::input::encoding::utf16_with_bom(bytes) {
        return decoded.map_err(XmlError::whole);
    }
    if bytes.contains(&0) {
        return Err(XmlError::whole(
            "the file has NUL bytes and no byte-order mark: is it UTF-16 without one, or not XML at all?",
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(t) => Ok((t.to_owned(), "UTF-8")),
        Err(_) => Ok((bytes.iter().map(|b| windows_1252(*b)).collect(), "Windows-1252")),
    }
}

/// One Windows-1252 byte as a character (the five undefined bytes as their Latin-1 code points).
fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}', '\u{90}', '‘',
        '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

/// Byte offsets of line starts, for turning offsets into lines and columns.
struct LineIndex {
    starts: Vec<usize>,
    /// The last place found (byte offset, line, column): the parser asks for places in order,
    /// so counting on from there keeps a long one-line file linear.
    cursor: std::cell::Cell<(usize, usize, usize)>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1));
        Self { starts, cursor: std::cell::Cell::new((0, 1, 1)) }
    }

    /// The line and column (in characters, from 1) of a byte offset.
    fn locate(&self, text: &str, offset: usize) -> (usize, usize) {
        let mut end = offset.min(text.len());
        while end > 0 && !text.is_char_boundary(end) {
            end -= 1;
        }
        let line = self.starts.partition_point(|s| *s <= end);
        let start = self.starts[line - 1];
        let (at, at_line, at_column) = self.cursor.get();
        let column = if at_line == line && at <= end {
            at_column + text[at..end].chars().count()
        } else {
            text[start..end].chars().count() + 1
        };
        self.cursor.set((end, line, column));
        (line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_the_same_in_any_order_of_asking() {
        let text = "<a>\nZürich <b x='é'/>\n\n€€<c/>  <d/>\nend";
        let naive = |offset: usize| {
            let before = &text[..offset];
            let line = before.matches('\n').count() + 1;
            let start = before.rfind('\n').map_or(0, |i| i + 1);
            (line, before[start..].chars().count() + 1)
        };
        let boundaries: Vec<usize> = (0..=text.len()).filter(|i| text.is_char_boundary(*i)).collect();
        let index = LineIndex::new(text);
        for &o in boundaries.iter().chain(boundaries.iter().rev()).chain(boundaries.iter().step_by(3)) {
            assert_eq!(index.locate(text, o), naive(o), "offset {o}");
        }
    }

    #[test]
    fn a_long_one_line_file_places_every_element() {
        // 400,000 elements on one line (its speed is in benches/import.rs).
        let text = format!("<sequence>{}</sequence>", "<step/>".repeat(400_000));
        let root = read(&text).unwrap();
        assert_eq!(root.children.len(), 400_000);
        assert_eq!((root.children[399_999].line, root.children[399_999].column), (1, 11 + 7 * 399_999));
    }

    fn read(text: &str) -> Result<Element, XmlError> {
        parse(text.as_bytes(), Limits::default()).map(|d| d.root)
    }

    #[test]
    fn reads_elements_attributes_text_and_entities() {
        let root = read(
            "<?xml version=\"1.0\"?>\n<!-- c -->\n<a x=\"1 &amp; 2\" Y='&#x41;'>t&lt;<b/>u<![CDATA[<raw>]]><c>in</c></a>\n",
        )
        .unwrap();
        assert_eq!(root.name, "a");
        assert_eq!(root.attribute("X"), Some("1 & 2"));
        assert_eq!(root.attribute("y"), Some("A"));
        assert_eq!(root.text, "t<u<raw>");
        assert_eq!(root.children.len(), 2);
        assert_eq!(root.child("C").map(|c| c.text.as_str()), Some("in"));
        assert_eq!((root.line, root.column), (3, 1));
        assert_eq!((root.children[0].line, root.children[0].column), (3, 34));
        assert_eq!(root.descendants().iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
    }

    #[test]
    fn reads_utf16_and_windows_1252() {
        let text = "<a n=\"Zürich\"/>";
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let doc = parse(&le, Limits::default()).unwrap();
        assert_eq!((doc.root.attribute("n"), doc.encoding), (Some("Zürich"), "UTF-16LE"));
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(parse(&be, Limits::default()).unwrap().root.attribute("n"), Some("Zürich"));
        let doc = parse(b"<a n=\"Z\xfcrich \x80\"/>", Limits::default()).unwrap();
        assert_eq!((doc.root.attribute("n"), doc.encoding), (Some("Zürich €"), "Windows-1252"));
    }

    #[test]
    fn hostile_and_broken_files_fail_with_a_place() {
        for (text, expected) in [
            ("", "the file is empty"),
            ("<a><b></a>", "1:7: </a> closes <b>"),
            ("<a>\n<b>\n", "3:1: the file ends inside <b> opened on line 2: is it cut short?"),
            ("<a><b x=\"1\"", "1:4: a tag is never closed with `>`: is the file cut short? (inside <a>"),
            ("<a>&foo;</a>", "1:4: unknown entity \"&foo;\""),
            ("<a x=\"&foo;\"/>", "1:1: in <a>, attribute x"),
            ("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", "1:1: the file has a document type declaration"),
            ("<a/><b/>", "1:5: a second root element"),
            ("text", "1:1: text outside the root element"),
            ("<a x=\"1\" x=\"2\"/>", "1:1: in <a>: attribute x appears twice"),
            ("<a x=1/>", "1:1: in <a>: malformed attributes"),
            ("<a>&#0;</a>", "1:4: \"&#0;\" is not a valid character"),
        ] {
            let err = read(text).unwrap_err().to_string();
            assert!(err.starts_with(expected), "{text:?}\n  got: {err}\n want: {expected}");
        }
    }

    #[test]
    fn limits_bound_size_depth_and_count() {
        let deep = "<a>".repeat(200) + &"</a>".repeat(200);
        assert!(read(&deep).unwrap_err().message.contains("nest more than 128 levels"));
        let small = Limits { max_bytes: 100, max_depth: 5, max_elements: 3, max_attributes: 2 };
        assert!(parse(&[b' '; 101], small).unwrap_err().message.contains("more than the 100"));
        assert!(parse(b"<a><b/><c/><d/></a>", small).unwrap_err().message.contains("more than 3 elements"));
        let err = parse(b"<a>\n <b x='1' y='2' z='3'/></a>", small).unwrap_err();
        assert_eq!((err.line, err.column), (Some(2), Some(2)));
        assert_eq!(err.message, "<b> has more than 2 attributes");
        // A hostile number of attributes (whose duplicate check would be quadratic) is refused.
        let many: String = (0..300).map(|i| format!(" a{i}='x'")).collect();
        let err = read(&format!("<sequence{many}/>")).unwrap_err();
        assert_eq!(err.message, "<sequence> has more than 256 attributes");
    }
}
