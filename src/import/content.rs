//! The content a step of an export fetches from a distribution point, and whether its size is
//! known: what `import configmgr` turns into a step's `download` (scenario format 1.1).
//!
//! Four console steps carry content: Download Package Content (the packages it lists, each with
//! the size the console recorded when the step was saved), Install Package (its package), Install
//! Application (the applications it lists) and Install Software Updates (the month's updates,
//! which the export does not name). A size comes from the `--content-sizes` file
//! ([`ContentSizes`]) first, else from the export's own record; a step is given a download only
//! when every item it names has a size.

use super::content_sizes::{ContentSizes, KILOBYTE};
use crate::scenario::size::Bytes;

/// Which console step the content belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentKind {
    /// Download Package Content: packages fetched and nothing installed.
    DownloadPackages,
    /// Install Package: one package, installed.
    Package,
    /// Install Application: applications, each installed.
    Applications,
    /// Install Software Updates: the updates that apply, which the export does not name.
    Updates,
}

/// A step's content as the export names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepContent {
    /// The kind of step.
    pub kind: ContentKind,
    /// The packages or applications named, in the export's order.
    pub items: Vec<ContentItem>,
    /// The base name of the task-sequence variable list the step installs from
    /// (`BaseVariableName`), when it names its content that way rather than in the export.
    pub listed_in: Option<String>,
}

/// One package or application of a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentItem {
    /// The package ID, or the application's name as the step lists it.
    pub id: String,
    /// The package's name, when the export records it.
    pub name: Option<String>,
    /// The size the export records, in kilobytes (Download Package Content only).
    pub recorded_kilobytes: Option<u64>,
}

/// Where a size came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SizeSource {
    /// A line of the content-sizes file.
    File {
        /// The file, as named in messages.
        file: String,
        /// The line.
        line: u64,
    },
    /// The size the export recorded when the step was saved.
    Export,
}

/// One item with its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizedItem {
    /// The package ID or application name (for an update step, the step's name).
    pub label: String,
    /// The size in kilobytes.
    pub kilobytes: u64,
    /// Where it came from.
    pub source: SizeSource,
}

/// Whether a step's content can be modelled as downloads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sizing {
    /// Every item has a size: for an update step, one entry, the size of one update.
    Known(Vec<SizedItem>),
    /// Not every item has one: the warning to give, as a sentence after the step's name.
    Unknown(String),
}

impl StepContent {
    /// The sizes of the step's content, from `sizes` first and the export's record second;
    /// `step` is the step's name (an update step's content is looked up by it). `None` when the
    /// step names no content at all.
    pub fn sizing(&self, step: &str, sizes: Option<&ContentSizes>) -> Option<Sizing> {
        let advice = |what: &str| match sizes {
            None => "give --content-sizes to model downloads".to_owned(),
            Some(s) => format!("add {what} to {} to model downloads", s.file),
        };
        if self.kind == ContentKind::Updates {
            return Some(match sizes.and_then(|s| s.find(step).map(|f| (s, f))) {
                Some((s, found)) => Sizing::Known(vec![SizedItem {
                    label: step.to_owned(),
                    kilobytes: found.kilobytes,
                    source: SizeSource::File { file: s.file.clone(), line: found.line },
                }]),
                None => Sizing::Unknown(format!(
                    "content of the updates has no size: {} (a row named \"{step}\", the size of one update)",
                    match sizes {
                        None => "give --content-sizes to model downloads".to_owned(),
                        Some(s) => format!("add one to {} to model downloads", s.file),
                    }
                )),
            });
        }
        let noun = if self.kind == ContentKind::Applications { "application" } else { "package" };
        if self.items.is_empty() {
            return self.listed_in.as_ref().map(|base| {
                Sizing::Unknown(format!(
                    "content of the {noun}s listed in the variables {base}001, {base}002, … has no size: the export does not name them, so their downloads are not modelled"
                ))
            });
        }
        let mut known = Vec::new();
        let mut missing = Vec::new();
        for item in &self.items {
            let from_file = sizes.and_then(|s| {
                s.find(&item.id)
                    .map(|f| (s, f))
                    .or_else(|| item.name.as_deref().and_then(|n| s.find(n)).map(|f| (s, f)))
            });
            match (from_file, item.recorded_kilobytes) {
                (Some((s, found)), _) => known.push(SizedItem {
                    label: item.id.clone(),
                    kilobytes: found.kilobytes,
                    source: SizeSource::File { file: s.file.clone(), line: found.line },
                }),
                (None, Some(kilobytes)) => {
                    known.push(SizedItem { label: item.id.clone(), kilobytes, source: SizeSource::Export })
                }
                (None, None) => missing.push(item.id.as_str()),
            }
        }
        if missing.is_empty() {
            return Some(Sizing::Known(known));
        }
        let n = missing.len();
        let shown: Vec<String> = missing.iter().take(10).map(|id| shorten(id)).collect();
        Some(Sizing::Unknown(format!(
            "content of {n} {noun}{} has no size ({}{}): {}",
            if n == 1 { "" } else { "s" },
            shown.join(", "),
            if n > shown.len() { ", …" } else { "" },
            advice(if n == 1 { "it" } else { "them" })
        )))
    }
}

/// The bytes of sized items, and the size each item is given: the items' mean, since a step's
/// `download.size` is one distribution for all its items (the total is kept to the byte, but for
/// rounding the mean to a whole byte).
pub fn per_item_bytes(items: &[SizedItem]) -> (Bytes, Bytes) {
    let total: Bytes = items.iter().map(|i| i.kilobytes * KILOBYTE).sum();
    let n = items.len().max(1) as Bytes;
    (total, (total + n / 2) / n)
}

/// An ID or name for a message: on one line, at most 60 characters.
fn shorten(text: &str) -> String {
    let one: String = crate::input::text::shown(&text.split_whitespace().collect::<Vec<_>>().join(" ")).into_owned();
    if one.chars().count() > 60 { one.chars().take(59).chain(std::iter::once('…')).collect() } else { one }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, recorded: Option<u64>) -> ContentItem {
        ContentItem { id: id.to_owned(), name: None, recorded_kilobytes: recorded }
    }

    #[test]
    fn the_file_wins_over_the_export_and_any_item_without_a_size_leaves_the_step_unsized() {
        let sizes = ContentSizes::parse(b"PackageID,PackageSize\nPS1,100\n", "sizes.csv").unwrap();
        let content = StepContent {
            kind: ContentKind::DownloadPackages,
            items: vec![item("PS1", Some(7)), item("PS2", Some(300))],
            listed_in: None,
        };
        let Some(Sizing::Known(known)) = content.sizing("Get", Some(&sizes)) else { panic!() };
        assert_eq!(
            known,
            [
                SizedItem {
                    label: "PS1".into(),
                    kilobytes: 100,
                    source: SizeSource::File { file: "sizes.csv".into(), line: 2 }
                },
                SizedItem { label: "PS2".into(), kilobytes: 300, source: SizeSource::Export },
            ]
        );
        assert_eq!(per_item_bytes(&known), (409_600, 204_800));
        let content = StepContent { items: vec![item("PS1", None), item("PS3", None)], ..content };
        assert_eq!(
            content.sizing("Get", Some(&sizes)),
            Some(Sizing::Unknown(
                "content of 1 package has no size (PS3): add it to sizes.csv to model downloads".into()
            ))
        );
    }
}
