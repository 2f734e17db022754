//! The console's export archive (the *Export* wizard, `Export-CMTaskSequence`): a `.zip` that
//! keeps each task sequence at `SMS_TaskSequencePackage/<PackageID>/object.xml`, the WMI
//! instance of its `SMS_TaskSequencePackage` (the `Sequence` property holds the task sequence's
//! XML as escaped text), beside the packages, applications and other objects exported with it.
//!
//! [`ExportZip::read`] reads the task sequences of an archive in memory — nothing is written to
//! disk, so an entry's path (`..`, absolute, not UTF-8) only names it — within [`ZipLimits`]:
//! the archive's size and number of entries, each task sequence's uncompressed size and all of
//! theirs together, so that a zip bomb is refused at the entry that would exceed them. Entries
//! that are not task sequences are never decompressed.
//!
//! [`ExportZip::task_sequence`] makes one task sequence of them: the one no other runs (or the
//! one asked for), with each Run Task Sequence step whose child the archive holds replaced by the
//! child's steps, as a group named after the step and keeping its condition, continue-on-error
//! and disabled flag; recursively, refusing a cycle and a chain deeper than
//! [`MAX_CHILD_DEPTH`]. A child the archive lacks stays the step it is, which the scenario writer
//! writes as a command with a note.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};

use thiserror::Error;

use super::limits::{MAX_GROUP_DEPTH, MAX_WARNINGS};
use super::shown_text::{cut, listed, package_label};
use super::task_sequence::{
    ImportWarning, MAX_NODES, SequenceEntry, TaskSequence, TsAction, TsKind, TsNode, read_task_sequence,
};
use super::xml::{Limits, XmlError};
use crate::configmgr::export::archive::{OBJECT_FILE, TASK_SEQUENCE_FOLDER};

/// How much an archive may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipLimits {
    /// The largest archive, in bytes.
    pub max_archive_bytes: u64,
    /// The most entries (files and folders) the archive may list: checked against the count
    /// its end record declares before its central directory is read into memory.
    pub max_entries: usize,
    /// The most task sequences it may hold.
    pub max_sequences: usize,
    /// The largest task sequence entry, uncompressed, in bytes.
    pub max_entry_bytes: u64,
    /// The most bytes all its task sequence entries may make, uncompressed.
    pub max_total_bytes: u64,
}

impl Default for ZipLimits {
    /// 128 MiB of archive, 100,000 entries, 1,000 task sequences of at most 32 MiB each (the
    /// XML reader's bound, [`Limits::max_bytes`]) and 256 MiB in all: a console export holds the
    /// objects' XML only (the content, when exported, is in the folder beside the `.zip`), a
    /// task sequence's `object.xml` is rarely more than a few MB, and an export with every
    /// dependency of a large sequence lists a few thousand objects.
    fn default() -> Self {
        Self {
            max_archive_bytes: 128 << 20,
            max_entries: 100_000,
            max_sequences: 1_000,
            max_entry_bytes: Limits::default().max_bytes as u64,
            max_total_bytes: 256 << 20,
        }
    }
}

/// The deepest child task sequences may nest: a Run Task Sequence step inside this many
/// children of the main sequence is refused (besides the scenario's own bound on groups,
/// [`MAX_GROUP_DEPTH`], which each child's group counts towards).
pub const MAX_CHILD_DEPTH: usize = 16;

/// Why an archive could not be read or made into one task sequence. The variants that concern
/// one entry begin with its name, or its name and line ([`ZipError::begins_with_entry`]).
#[derive(Debug, Error)]
pub enum ZipError {
    /// The archive is larger than [`ZipLimits::max_archive_bytes`].
    #[error(
        "the archive is {size} bytes, more than the {limit} a console export can plausibly be (exported content is in the folder beside the .zip, not in it); is this the right file?"
    )]
    ArchiveTooLarge {
        /// Its size.
        size: u64,
        /// The bound.
        limit: u64,
    },
    /// Not a zip archive, or a damaged one.
    #[error("not a readable zip archive ({reason}): is it damaged, or not a console export?")]
    Unreadable {
        /// What the zip reader found.
        reason: String,
    },
    /// More entries than [`ZipLimits::max_entries`].
    #[error("the archive lists {count} entries, more than the {limit} a console export can plausibly hold")]
    TooManyEntries {
        /// How many it lists.
        count: usize,
        /// The bound.
        limit: usize,
    },
    /// Two entries have the same name.
    #[error("two entries of the archive have the same name: it was not written by the console's export")]
    DuplicateNames,
    /// With its children in place, the sequence copies more of its packages' text than
    /// [`MAX_INLINED_BYTES`].
    #[error(
        "{place}: with its child task sequences in place, the task sequence copies more than {MAX_INLINED_BYTES} bytes of their text: is a child run very many times?"
    )]
    TooMuchInlined {
        /// The entry and line of the Run Task Sequence step that went over.
        place: String,
    },
    /// More task sequences than [`ZipLimits::max_sequences`].
    #[error("the archive holds {count} task sequences, more than the {limit} an import reads")]
    TooManySequences {
        /// How many it holds.
        count: usize,
        /// The bound.
        limit: usize,
    },
    /// No entry is a task sequence.
    #[error(
        "no task sequence in the archive: none of its {entries} entries is {TASK_SEQUENCE_FOLDER}/<PackageID>/{OBJECT_FILE}; export the task sequence with the console's Export wizard or Export-CMTaskSequence (docs/import.md)"
    )]
    NoTaskSequence {
        /// How many entries it has.
        entries: usize,
    },
    /// An entry could not be decompressed (damaged, encrypted, another method than deflate).
    #[error("{entry}: cannot be read: {reason}")]
    Entry {
        /// The entry.
        entry: String,
        /// Why.
        reason: String,
    },
    /// An entry is larger, uncompressed, than [`ZipLimits::max_entry_bytes`].
    #[error(
        "{entry}: uncompressed it is more than {limit} bytes, more than a task sequence can plausibly be: refused (a zip bomb?)"
    )]
    EntryTooLarge {
        /// The entry.
        entry: String,
        /// The bound.
        limit: u64,
    },
    /// The task sequences make more than [`ZipLimits::max_total_bytes`], uncompressed.
    #[error("{entry}: with it the task sequences make more than {limit} bytes uncompressed: refused (a zip bomb?)")]
    TotalTooLarge {
        /// The entry that went over.
        entry: String,
        /// The bound.
        limit: u64,
    },
    /// A task sequence entry is not a task sequence export the reader takes.
    #[error("{}", in_entry(entry, error))]
    Xml {
        /// The entry.
        entry: String,
        /// What the XML reader found, at its line and column.
        error: XmlError,
    },
    /// A task sequence's package ID is not one ConfigMgr gives.
    #[error("{entry}: \"{id}\" is not a ConfigMgr package ID (at most 64 letters, digits, - and _)")]
    BadPackageId {
        /// The entry.
        entry: String,
        /// The ID, as shown.
        id: String,
    },
    /// Two entries hold the same package.
    #[error("{entry}: the archive holds task sequence {id} twice (also as {first})")]
    Duplicate {
        /// The second entry.
        entry: String,
        /// The first.
        first: String,
        /// The package ID.
        id: String,
    },
    /// More than one task sequence is not run by another, and none was chosen.
    #[error(
        "the archive holds {count} task sequences that no other runs: {listed}; choose the one to import with --sequence PACKAGEID (or its name)"
    )]
    SeveralMain {
        /// How many.
        count: usize,
        /// Their package IDs and names.
        listed: String,
    },
    /// Every task sequence is run by another: they run each other in a cycle.
    #[error(
        "every task sequence in the archive is run by another, so they run each other in a cycle: {listed}; choose one with --sequence PACKAGEID to see the cycle"
    )]
    NoMain {
        /// Their package IDs and names.
        listed: String,
    },
    /// The chosen task sequence is not in the archive.
    #[error("--sequence {given}: no task sequence of the archive has that package ID or name; it holds {listed}")]
    NotFound {
        /// What was given.
        given: String,
        /// The archive's task sequences.
        listed: String,
    },
    /// The chosen name is the name of several task sequences.
    #[error("--sequence {given}: {listed} all have that name; give the package ID")]
    Ambiguous {
        /// What was given.
        given: String,
        /// The task sequences of that name.
        listed: String,
    },
    /// A Run Task Sequence step runs a task sequence that is already running it.
    #[error(
        "{place}: \"{step}\" runs {id}, which is already running: the task sequences run each other in a cycle ({chain})"
    )]
    Cycle {
        /// The step's entry and line.
        place: String,
        /// The step.
        step: String,
        /// The package it runs.
        id: String,
        /// The chain of packages, from the main one to the repeated one.
        chain: String,
    },
    /// Child task sequences nest deeper than [`MAX_CHILD_DEPTH`].
    #[error(
        "{place}: \"{step}\" runs {id}, a child task sequence more than {MAX_CHILD_DEPTH} deep ({chain}): child task sequences nest at most {MAX_CHILD_DEPTH} deep"
    )]
    TooDeep {
        /// The step's entry and line.
        place: String,
        /// The step.
        step: String,
        /// The package it runs.
        id: String,
        /// The chain of packages, from the main one to the one too deep.
        chain: String,
    },
    /// With its children inlined, the sequence has more groups and steps than a scenario holds.
    #[error(
        "{place}: with its child task sequences in place, the task sequence has more than {MAX_NODES} groups and steps: is a child run very many times?"
    )]
    TooManyNodes {
        /// The entry and line of the first node over.
        place: String,
    },
    /// With its children inlined, groups nest deeper than a scenario holds.
    #[error(
        "{place}: with its child task sequences in place as groups, groups nest more than {MAX_GROUP_DEPTH} deep here, the most a scenario holds"
    )]
    GroupsTooDeep {
        /// The entry and line of the group (or the Run Task Sequence step) too deep.
        place: String,
    },
}

impl ZipError {
    /// Whether the message begins with an entry's name (then `export.zip!` reads well before
    /// it); otherwise it is about the archive as a whole.
    pub fn begins_with_entry(&self) -> bool {
        !matches!(
            self,
            Self::ArchiveTooLarge { .. }
                | Self::Unreadable { .. }
                | Self::TooManyEntries { .. }
                | Self::TooManySequences { .. }
                | Self::NoTaskSequence { .. }
                | Self::SeveralMain { .. }
                | Self::NoMain { .. }
                | Self::NotFound { .. }
                | Self::Ambiguous { .. }
        )
    }
}

/// An XML error in an entry: `entry:line:column: message`, or `entry: message` without a place.
fn in_entry(entry: &str, error: &XmlError) -> String {
    match error.line {
        Some(_) => format!("{entry}:{error}"),
        None => format!("{entry}: {error}"),
    }
}

/// One task sequence of an archive.
#[derive(Debug, Clone, PartialEq)]
pub struct TsPackage {
    /// Its entry, as the archive names it (shown safely: control characters as `?`).
    pub entry: String,
    /// Its package ID: the instance's `PackageID`, else the entry's folder.
    pub package_id: String,
    /// Its name, when the instance gives it.
    pub name: Option<String>,
    /// Its task sequence, as read (lines are the entry's).
    pub sequence: TaskSequence,
    /// A bound on the entry's lines (its bytes, plus one).
    lines: usize,
}

/// The task sequences of a console export archive.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportZip {
    /// The task sequences, in the archive's order.
    packages: Vec<TsPackage>,
    /// Package IDs (upper-cased) to their index.
    by_id: HashMap<String, usize>,
}

impl ExportZip {
    /// Reads the task sequences of an archive within `limits`.
    pub fn read<R: Read + Seek>(mut reader: R, limits: &ZipLimits) -> Result<Self, ZipError> {
        let unreadable = |reason: String| ZipError::Unreadable { reason };
        let size = reader.seek(SeekFrom::End(0)).map_err(|e| unreadable(e.to_string()))?;
        if size > limits.max_archive_bytes {
            return Err(ZipError::ArchiveTooLarge { size, limit: limits.max_archive_bytes });
        }
        // The central directory is read whole into memory: its declared size first.
        if let Some(count) = declared_entries(&mut reader, size).map_err(|e| unreadable(e.to_string()))?
            && count > limits.max_entries as u64
        {
            return Err(ZipError::TooManyEntries { count: count as usize, limit: limits.max_entries });
        }
        reader.seek(SeekFrom::Start(0)).map_err(|e| unreadable(e.to_string()))?;
        let mut archive = zip::ZipArchive::new(reader).map_err(|e| unreadable(describe(&e)))?;
        if archive.len() > limits.max_entries {
            return Err(ZipError::TooManyEntries { count: archive.len(), limit: limits.max_entries });
        }
        // Two entries of one name would leave one of them unread, unseen.
        if archive.has_duplicate_names() {
            return Err(ZipError::DuplicateNames);
        }
        let wanted: Vec<(usize, String, String)> = archive
            .file_names_raw()
            .enumerate()
            .filter_map(|(index, raw)| {
                task_sequence_folder(raw).map(|folder| (index, shown_name(raw), shown_name(folder)))
            })
            .collect();
        if wanted.len() > limits.max_sequences {
            return Err(ZipError::TooManySequences { count: wanted.len(), limit: limits.max_sequences });
        }
        let mut zip = Self { packages: Vec::new(), by_id: HashMap::new() };
        let mut total = 0u64;
        for (index, entry, folder) in wanted {
            let failed = |reason: String| ZipError::Entry { entry: entry.clone(), reason };
            let mut file = archive.by_index(index).map_err(|e| failed(describe(&e)))?;
            if file.is_dir() {
                continue;
            }
            // Read no more than the bounds allow, whatever the entry declares: one byte more
            // than allowed tells an entry that is too large.
            let allowed = limits.max_entry_bytes.min(limits.max_total_bytes.saturating_sub(total));
            let too_large = || {
                if allowed == limits.max_entry_bytes {
                    ZipError::EntryTooLarge { entry: entry.clone(), limit: limits.max_entry_bytes }
                } else {
                    ZipError::TotalTooLarge { entry: entry.clone(), limit: limits.max_total_bytes }
                }
            };
            if file.size() > allowed {
                return Err(too_large());
            }
            let mut bytes = Vec::new();
            (&mut file).take(allowed + 1).read_to_end(&mut bytes).map_err(|e| failed(e.to_string()))?;
            if bytes.len() as u64 > allowed {
                return Err(too_large());
            }
            drop(file);
            total += bytes.len() as u64;
            let sequence = read_task_sequence(&bytes).map_err(|error| ZipError::Xml { entry: entry.clone(), error })?;
            let package_id = sequence.package_id.clone().unwrap_or(folder);
            if !is_package_id(&package_id) {
                return Err(ZipError::BadPackageId { entry, id: cut(&package_id, 80) });
            }
            let key = package_id.to_ascii_uppercase();
            if let Some(&first) = zip.by_id.get(&key) {
                return Err(ZipError::Duplicate { entry, first: zip.packages[first].entry.clone(), id: package_id });
            }
            zip.by_id.insert(key, zip.packages.len());
            let name = sequence.name.clone();
            zip.packages.push(TsPackage { entry, package_id, name, sequence, lines: bytes.len() + 1 });
        }
        if zip.packages.is_empty() {
            return Err(ZipError::NoTaskSequence { entries: archive.len() });
        }
        Ok(zip)
    }

    /// The task sequences, in the archive's order.
    pub fn packages(&self) -> &[TsPackage] {
        &self.packages
    }

    /// The task sequence of this package ID (compared without regard to case).
    pub fn find(&self, package_id: &str) -> Option<&TsPackage> {
        self.index(package_id).map(|i| &self.packages[i])
    }

    fn index(&self, package_id: &str) -> Option<usize> {
        self.by_id.get(&package_id.trim().to_ascii_uppercase()).copied()
    }

    /// The task sequences no other runs (by a Run Task Sequence step, enabled or not), in the
    /// archive's order: the candidates for the main one.
    pub fn main_sequences(&self) -> Vec<&TsPackage> {
        self.main_indices().into_iter().map(|i| &self.packages[i]).collect()
    }

    fn main_indices(&self) -> Vec<usize> {
        let mut run = vec![false; self.packages.len()];
        for (i, p) in self.packages.iter().enumerate() {
            let mut ids = Vec::new();
            child_ids(&p.sequence.nodes, &mut ids);
            for c in ids.iter().filter_map(|id| self.index(id)).filter(|c| *c != i) {
                run[c] = true;
            }
        }
        (0..self.packages.len()).filter(|&i| !run[i]).collect()
    }

    /// The main task sequence with its children inlined: the one `choice` names (its package ID,
    /// else its name, without regard to case), else the one no other runs.
    pub fn task_sequence(&self, choice: Option<&str>) -> Result<TaskSequence, ZipError> {
        let main = match choice {
            Some(given) => self.chosen(given)?,
            None => {
                let candidates = self.main_indices();
                match candidates.as_slice() {
                    [one] => *one,
                    [] => return Err(ZipError::NoMain { listed: listing(self.packages.iter()) }),
                    several => {
                        return Err(ZipError::SeveralMain {
                            count: several.len(),
                            listed: listing(several.iter().map(|&i| &self.packages[i])),
                        });
                    }
                }
            }
        };
        let mut inliner = Inliner {
            zip: self,
            offsets: vec![None; self.packages.len()],
            next_offset: 0,
            order: Vec::new(),
            count: 0,
            inlined: 0,
        };
        inliner.offset(main);
        let nodes = inliner.nodes(main, &self.packages[main].sequence.nodes, 0, &mut vec![main])?;
        Ok(inliner.finish(main, nodes))
    }

    /// The package `given` names: by ID, else by name.
    fn chosen(&self, given: &str) -> Result<usize, ZipError> {
        if let Some(i) = self.index(given) {
            return Ok(i);
        }
        let wanted = given.trim();
        let named: Vec<usize> = (0..self.packages.len())
            .filter(|&i| self.packages[i].name.as_deref().is_some_and(|n| n.trim().eq_ignore_ascii_case(wanted)))
            .collect();
        match named.as_slice() {
            [one] => Ok(*one),
            [] => Err(ZipError::NotFound { given: cut(given, 80), listed: listing(self.packages.iter()) }),
            several => Err(ZipError::Ambiguous {
                given: cut(given, 80),
                listed: listing(several.iter().map(|&i| &self.packages[i])),
            }),
        }
    }
}

/// Puts the children in place, numbering the lines of each entry after the previous one's.
struct Inliner<'z> {
    zip: &'z ExportZip,
    /// Each package's offset in the sequence's numbering, once it is used.
    offsets: Vec<Option<usize>>,
    next_offset: usize,
    /// The packages used, in the order of their offsets.
    order: Vec<usize>,
    /// Groups and steps so far.
    count: usize,
    /// Bytes of the packages' text copied so far, a child's each time it is put in place.
    inlined: usize,
}

/// The most text (bytes of `object.xml`) inlining may copy, counting a child each time it is
/// put in place: what bounds the memory of a child run very many times.
pub const MAX_INLINED_BYTES: usize = 64 << 20;

impl Inliner<'_> {
    /// The package's offset, given it on its first use.
    fn offset(&mut self, package: usize) -> usize {
        if let Some(o) = self.offsets[package] {
            return o;
        }
        let o = self.next_offset;
        self.next_offset += self.zip.packages[package].lines;
        self.offsets[package] = Some(o);
        self.order.push(package);
        o
    }

    fn place(&self, package: usize, line: usize) -> String {
        format!("{}:{line}", self.zip.packages[package].entry)
    }

    /// The nodes of `package`, inside `depth` groups, with each child it runs put in place;
    /// `chain` is the packages running, the main one first.
    fn nodes(
        &mut self,
        package: usize,
        nodes: &[TsNode],
        depth: usize,
        chain: &mut Vec<usize>,
    ) -> Result<Vec<TsNode>, ZipError> {
        let zip = self.zip;
        let offset = self.offset(package);
        let mut out = Vec::with_capacity(nodes.len());
        for node in nodes {
            self.count += 1;
            if self.count > MAX_NODES {
                return Err(ZipError::TooManyNodes { place: self.place(package, node.line) });
            }
            let kind = match &node.kind {
                TsKind::Group(children) => {
                    if depth >= MAX_GROUP_DEPTH {
                        return Err(ZipError::GroupsTooDeep { place: self.place(package, node.line) });
                    }
                    TsKind::Group(self.nodes(package, children, depth + 1, chain)?)
                }
                TsKind::Step(step) => match &step.action {
                    TsAction::ChildSequence { package_id: Some(id) } => match zip.index(id) {
                        Some(child) => TsKind::Group(self.child(package, node, child, depth, chain)?),
                        None => node.kind.clone(),
                    },
                    _ => node.kind.clone(),
                },
            };
            out.push(TsNode {
                name: node.name.clone(),
                description: node.description.clone(),
                line: node.line + offset,
                condition: node.condition.clone(),
                continue_on_error: node.continue_on_error,
                disabled: node.disabled,
                kind,
            });
        }
        Ok(out)
    }

    /// The nodes of `child`, which the Run Task Sequence step `node` of `package` runs, for the
    /// group that takes the step's place.
    fn child(
        &mut self,
        package: usize,
        node: &TsNode,
        child: usize,
        depth: usize,
        chain: &mut Vec<usize>,
    ) -> Result<Vec<TsNode>, ZipError> {
        let zip = self.zip;
        let ids = |chain: &[usize]| chain.iter().map(|&p| zip.packages[p].package_id.as_str()).collect::<Vec<_>>();
        let (place, step, id) =
            (self.place(package, node.line), node.name.clone(), zip.packages[child].package_id.clone());
        if chain.contains(&child) {
            let chain = format!("{} → {id}", ids(chain).join(" → "));
            return Err(ZipError::Cycle { place, step, id, chain });
        }
        if chain.len() > MAX_CHILD_DEPTH {
            let chain = format!("{} → {id}", ids(chain).join(" → "));
            return Err(ZipError::TooDeep { place, step, id, chain });
        }
        if depth >= MAX_GROUP_DEPTH {
            return Err(ZipError::GroupsTooDeep { place });
        }
        self.inlined = self.inlined.saturating_add(zip.packages[child].lines);
        if self.inlined > MAX_INLINED_BYTES {
            return Err(ZipError::TooMuchInlined { place });
        }
        chain.push(child);
        let inner = self.nodes(child, &zip.packages[child].sequence.nodes, depth + 1, chain);
        chain.pop();
        inner
    }

    /// The main sequence with its nodes in place, and the warnings, tested variables and MDT
    /// steps of every sequence used, in the sequence's numbering.
    fn finish(self, main: usize, nodes: Vec<TsNode>) -> TaskSequence {
        let zip = self.zip;
        let first = &zip.packages[main];
        let (mut warnings, mut tested, mut has_mdt_steps) = (Vec::new(), Vec::<(String, usize)>::new(), false);
        let mut left_out = 0usize;
        let mut entries = Vec::new();
        for &p in &self.order {
            let (package, offset) = (&zip.packages[p], self.offsets[p].unwrap_or_default());
            for w in &package.sequence.warnings {
                if warnings.len() < MAX_WARNINGS {
                    warnings.push(ImportWarning { line: w.line + offset, message: w.message.clone() });
                } else {
                    left_out += 1;
                }
            }
            for (variable, line) in &package.sequence.tested_variables {
                if !tested.iter().any(|(v, _)| v.eq_ignore_ascii_case(variable)) {
                    tested.push((variable.clone(), line + offset));
                }
            }
            has_mdt_steps |= package.sequence.has_mdt_steps;
            entries.push(SequenceEntry {
                file: package.entry.clone(),
                offset,
                package_id: package.package_id.clone(),
                name: package.name.clone(),
            });
        }
        if left_out > 0 {
            warnings.push(ImportWarning::left_out(&warnings, left_out));
        }
        TaskSequence {
            name: first.name.clone(),
            package_id: Some(first.package_id.clone()),
            version: first.sequence.version.clone(),
            nodes,
            warnings,
            encoding: first.sequence.encoding,
            tested_variables: tested,
            has_mdt_steps,
            entries,
        }
    }
}

/// The package IDs the Run Task Sequence steps of these nodes run, in order.
fn child_ids(nodes: &[TsNode], out: &mut Vec<String>) {
    for node in nodes {
        match &node.kind {
            TsKind::Group(children) => child_ids(children, out),
            TsKind::Step(step) => {
                if let TsAction::ChildSequence { package_id: Some(id) } = &step.action {
                    out.push(id.clone());
                }
            }
        }
    }
}

/// The package folder of a task sequence entry's path, `…/SMS_TaskSequencePackage/<ID>/object.xml`
/// (folders separated by `/` or `\`, names compared without regard to case).
fn task_sequence_folder(raw: &[u8]) -> Option<&[u8]> {
    let parts: Vec<&[u8]> = raw.split(|b| *b == b'/' || *b == b'\\').filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [.., folder, id, file]
            if folder.eq_ignore_ascii_case(TASK_SEQUENCE_FOLDER.as_bytes())
                && file.eq_ignore_ascii_case(OBJECT_FILE.as_bytes()) =>
        {
            Some(id)
        }
        _ => None,
    }
}

/// Whether an ID is one ConfigMgr gives (`PS100023`: a site code and a number), or close to one.
fn is_package_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// An entry's name as messages show it: decoded as UTF-8 where it is (a replacement character
/// where not), control and bidirectional formatting characters as `?`, cut to 200 characters.
fn shown_name(raw: &[u8]) -> String {
    let text: String = String::from_utf8_lossy(raw)
        .chars()
        .map(|c| if c.is_control() || crate::input::text::is_bidi_control(c) { '?' } else { c })
        .collect();
    cut(&text, 200)
}

/// Task sequences as a message lists them: `PS100023 "Server Patching"`, the first 20.
fn listing<'p>(packages: impl Iterator<Item = &'p TsPackage>) -> String {
    listed(packages.map(|p| package_label(&p.package_id, p.name.as_deref())), 20)
}

/// The zip reader's error, said for a user.
fn describe(e: &zip::result::ZipError) -> String {
    use zip::result::ZipError as Z;
    match e {
        Z::CompressionMethodNotSupported(method) => {
            format!("it is compressed with method {method}, which patchsim does not read (the console writes deflate)")
        }
        Z::UnsupportedArchive(why) if *why == Z::PASSWORD_REQUIRED => {
            "it is encrypted (the console does not encrypt its exports)".to_owned()
        }
        other => other.to_string(),
    }
}

/// The number of entries an archive's end record declares (its Zip64 record's when it has
/// one), `None` when no end record is found (the zip reader then says what is wrong).
fn declared_entries<R: Read + Seek>(reader: &mut R, size: u64) -> std::io::Result<Option<u64>> {
    // The end record is 22 bytes and a comment of at most 65,535 follows it.
    let tail_len = size.min(22 + 65_535);
    reader.seek(SeekFrom::Start(size - tail_len))?;
    let mut tail = vec![0u8; tail_len as usize];
    reader.read_exact(&mut tail)?;
    let Some(end) = (0..tail.len().saturating_sub(21)).rev().find(|&i| tail[i..i + 4] == [0x50, 0x4B, 0x05, 0x06])
    else {
        return Ok(None);
    };
    let u16_at = |i: usize| u64::from(u16::from_le_bytes([tail[i], tail[i + 1]]));
    let total = u16_at(end + 10);
    if total != 0xFFFF {
        return Ok(Some(total));
    }
    // Zip64: its locator sits just before the end record and gives the Zip64 end record's place.
    let Some(locator) = end.checked_sub(20).filter(|&l| tail[l..l + 4] == [0x50, 0x4B, 0x06, 0x07]) else {
        return Ok(Some(total));
    };
    let mut at = [0u8; 8];
    at.copy_from_slice(&tail[locator + 8..locator + 16]);
    let record = u64::from_le_bytes(at);
    if record.checked_add(56).is_none_or(|e| e > size) {
        return Ok(None);
    }
    reader.seek(SeekFrom::Start(record))?;
    let mut head = [0u8; 40];
    reader.read_exact(&mut head)?;
    if head[..4] != [0x50, 0x4B, 0x06, 0x06] {
        return Ok(None);
    }
    at.copy_from_slice(&head[32..40]);
    Ok(Some(u64::from_le_bytes(at)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_sequence_entries_are_found_by_their_last_three_parts() {
        let found = |name: &[u8]| task_sequence_folder(name).map(|f| String::from_utf8_lossy(f).into_owned());
        assert_eq!(found(b"SMS_TaskSequencePackage/PS100023/object.xml").as_deref(), Some("PS100023"));
        assert_eq!(found(b"sms_tasksequencepackage\\PS1\\OBJECT.XML").as_deref(), Some("PS1"));
        assert_eq!(found(b"export/SMS_TaskSequencePackage//PS1/object.xml").as_deref(), Some("PS1"));
        assert_eq!(found(b"../SMS_TaskSequencePackage/../object.xml").as_deref(), Some(".."));
        assert_eq!(found(b"SMS_Package/PS100023/object.xml"), None);
        assert_eq!(found(b"SMS_TaskSequencePackage/PS100023/"), None);
        assert_eq!(found(b"SMS_TaskSequencePackage/object.xml"), None);
        assert!(!is_package_id("..") && !is_package_id("") && is_package_id("PS100023"));
        assert_eq!(shown_name(b"a\x1b[31m\xffb\n"), "a?[31m\u{FFFD}b?");
    }
}
