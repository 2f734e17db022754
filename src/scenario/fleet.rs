//! The fleet: how many servers, which shares are excluded, offline or pending a restart, the
//! named counts of items that apply to a server, and the classes of servers.

use super::count::CountDist;
use super::distribution::DurationDist;
use std::collections::HashMap;

use super::name::{TextKind, fold};
use super::reader::{ReadResult, Table, Value};

/// Most servers a scenario may have.
pub const MAX_SERVERS: i64 = 100_000_000;

/// The `[fleet]` section.
#[derive(Debug, Clone, PartialEq)]
pub struct Fleet {
    /// Number of servers (from the inventory when the windows are assigned by one).
    pub servers: u64,
    /// Share on a patching extension: excluded from every targeted collection.
    pub extension: f64,
    /// Share offline for their whole window (targeted, `not_started`).
    pub offline: f64,
    /// Share with a restart already pending.
    pub pending_restart: f64,
    /// Named counts from `[fleet.counts]`, in file order.
    pub counts: Vec<NamedCount>,
    /// Classes of servers; at least one (an implicit `all` class when none is given).
    pub classes: Vec<Class>,
}

/// A named count distribution from `[fleet.counts]`.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedCount {
    /// Its name, used by steps' `items`.
    pub name: String,
    /// Its distribution.
    pub dist: CountDist,
}

/// A class of servers (`[[fleet.class]]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Class {
    /// Its name.
    pub name: String,
    /// Share of servers in the class.
    pub share: f64,
    /// Collection variables every server of the class has.
    pub variables: Vec<(String, String)>,
    /// Restart duration for the class, overriding `[restart].duration`.
    pub restart: Option<DurationDist>,
    /// Count overrides: (index into [`Fleet::counts`], distribution).
    pub counts: Vec<(usize, CountDist)>,
}

impl Fleet {
    /// The keys `[fleet]` accepts.
    pub const KEYS: &'static [&'static str] =
        &["servers", "extension", "offline", "pending_restart", "counts", "class"];

    /// Reads `[fleet]`. `servers` is 0 when the key is absent (an inventory then gives it).
    pub fn read(table: &Table<'_, '_>) -> ReadResult<Self> {
        let servers = match table.get("servers") {
            None => 0,
            Some(servers_v) => match servers_v.i64() {
                Ok(n) if n < 1 => return Err(servers_v.error(format!("a fleet needs at least 1 server, found {n}"))),
                Ok(n) if n > MAX_SERVERS => {
                    return Err(servers_v.error(format!("{n} servers is absurd (at most {MAX_SERVERS})")));
                }
                Ok(n) => n as u64,
                Err(e) => return Err(e),
            },
        };
        let share = |key: &str| -> ReadResult<f64> { table.get(key).map_or(Ok(0.0), |v| v.probability()) };
        let extension = share("extension")?;
        let offline = share("offline")?;
        let pending_restart = share("pending_restart")?;

        let counts = table.get("counts").map(|v| read_counts(&v)).transpose()?.unwrap_or_default();

        let classes = match table.get("class") {
            None => vec![Class {
                name: "all".to_owned(),
                share: 1.0,
                variables: Vec::new(),
                restart: None,
                counts: Vec::new(),
            }],
            Some(v) => read_classes(&v, &counts)?,
        };
        Ok(Self { servers, extension, offline, pending_restart, counts, classes })
    }

    /// Index of a named count.
    pub fn count_index(&self, name: &str) -> Option<usize> {
        self.counts.iter().position(|c| c.name == name)
    }
}

fn read_counts(value: &Value<'_, '_>) -> ReadResult<Vec<NamedCount>> {
    let table = value.named_table("a table of named counts")?;
    let mut counts = Vec::new();
    for (name, span, v) in table.entries() {
        table.check_key_name(&span, name)?;
        if v.str().is_ok() {
            return Err(table.error_at(
                &span,
                name,
                "a named count must be a number or a distribution table, not the name of another count",
            ));
        }
        counts.push(NamedCount { name: name.to_owned(), dist: CountDist::read(&v)? });
    }
    Ok(counts)
}

fn read_classes(value: &Value<'_, '_>, counts: &[NamedCount]) -> ReadResult<Vec<Class>> {
    let items = value.array().map_err(|_| value.error("write classes as [[fleet.class]] tables"))?;
    if items.is_empty() {
        return Err(value.error("needs at least one class"));
    }
    let mut classes: Vec<Class> = Vec::new();
    let mut names: Vec<Value<'_, '_>> = Vec::new();
    // Each class by its folded name, and each count by its name: found at once, however many.
    let mut folded: HashMap<String, usize> = HashMap::new();
    let count_index: HashMap<&str, usize> = counts.iter().enumerate().map(|(i, c)| (c.name.as_str(), i)).collect();
    for item in &items {
        let t = item.table(&["name", "share", "variables", "restart", "counts"])?;
        let name_v = t.req("name")?;
        let name = name_v.name()?.to_owned();
        // Inventories name classes without regard to case: two classes that fold alike would be
        // one class there.
        if let Some(&k) = folded.get(&fold(&name)) {
            let (first, first_v) = (&classes[k], &names[k]);
            let message = if first.name == name {
                format!("class \"{name}\" is defined twice (first on {})", first_v.place())
            } else {
                format!(
                    "class \"{name}\" is defined twice (first on {} as \"{}\"): class names are compared ignoring case",
                    first_v.place(),
                    first.name
                )
            };
            return Err(name_v.error(message));
        }
        folded.insert(fold(&name), classes.len());
        let share = t.req("share")?.probability()?;
        let mut variables: Vec<(String, String)> = Vec::new();
        if let Some(vars_v) = t.get("variables") {
            let vt = vars_v.named_table("a table of variables")?;
            let mut seen: HashMap<String, usize> = HashMap::new();
            for (var, span, v) in vt.entries() {
                if var.trim().is_empty() {
                    return Err(vt.error_at(&span, var, "a variable needs a name"));
                }
                vt.check_key_name(&span, var)?;
                if super::engine::is_read_only(var) {
                    return Err(vt.error_at(&span, var, read_only_message(var)));
                }
                if let Some(&k) = seen.get(&fold(var)) {
                    let first = &variables[k].0;
                    return Err(vt.error_at(
                        &span,
                        var,
                        format!("variable \"{var}\" is set twice (also as \"{first}\"): variable names are compared ignoring case"),
                    ));
                }
                let text =
                    v.str().map_err(|_| v.error(format!("collection variables are strings; write {var} = \"…\"")))?;
                v.checked(text, TextKind::Value)?;
                seen.insert(fold(var), variables.len());
                variables.push((var.to_owned(), text.to_owned()));
            }
        }
        let restart = t.get("restart").map(|v| DurationDist::read(&v)).transpose()?;
        let mut overrides = Vec::new();
        if let Some(c_v) = t.get("counts") {
            let ct = c_v.named_table("a table of count overrides")?;
            for (count_name, span, v) in ct.entries() {
                let index = count_index.get(count_name).copied().ok_or_else(|| {
                    let known: Vec<&str> = counts.iter().map(|c| c.name.as_str()).collect();
                    ct.error_at(
                        &span,
                        count_name,
                        if known.is_empty() {
                            format!("unknown count \"{count_name}\": [fleet.counts] defines none")
                        } else {
                            format!("unknown count \"{count_name}\"; [fleet.counts] defines: {}", known.join(", "))
                        },
                    )
                })?;
                overrides.push((index, CountDist::read(&v)?));
            }
        }
        classes.push(Class { name, share, variables, restart, counts: overrides });
        names.push(name_v);
    }
    let total: f64 = classes.iter().map(|c| c.share).sum();
    if (total - 1.0).abs() > 1e-9 {
        return Err(value.error(format!("class shares add up to {}, not 1", super::distribution::tidy(total))));
    }
    Ok(classes)
}

/// Why a scenario may not give a read-only variable a value.
pub(crate) fn read_only_message(var: &str) -> String {
    format!(
        "`{var}` begins with an underscore: the engine's variables are read-only and no collection, step or wrapper can set them; the engine's facts of a running OS can be changed in [engine] variables"
    )
}
