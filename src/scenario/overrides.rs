//! `--set KEY=VALUE`: change one field of a scenario from the command line.
//!
//! `KEY` is a dotted path into the scenario as written: `fleet.servers`, `windows.length`,
//! `deployment.max_run_time`, `step.0.duration.max` (array items by 0-based index, a group's
//! children under `steps`: `step.7.steps.1.condition`). `VALUE` is read as a TOML value when it
//! is one (`12000`, `0.5`, `true`, `"30m"`, `{ dist = "uniform", min = "0m", max = "10m" }`) and as
//! a string otherwise (`30m`, `Mon 02:00`). A resource may also be named instead of numbered,
//! for the keys a what-if changes: `resource.dp.instances=3`, `resource.dp.capacity=2Gbps`
//! ([`BY_NAME_KEYS`]). The override replaces the field in the parsed
//! document before anything is checked, so every rule applies to it, and a mistake in it is
//! reported against the `--set` that made it.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

/// A number with at most three decimals and no trailing zeros: `12`, `0.5`, `1.333`.
pub fn number_text(x: f64) -> String {
    let text = format!("{x:.3}");
    let trimmed = text.trim_end_matches('0').trim_end_matches('.');
    if trimmed.is_empty() || trimmed == "-" || trimmed == "-0" { "0".to_owned() } else { trimmed.to_owned() }
}
/// One `--set KEY=VALUE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// Dotted path of the field.
    pub key: String,
    /// Its new value, as written.
    pub value: String,
}

impl Override {
    /// Parses `KEY=VALUE`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (key, value) = text.split_once('=').ok_or_else(|| {
            format!("\"{text}\": write KEY=VALUE, e.g. fleet.servers=20000 or step.0.duration.max=30m")
        })?;
        let key = key.trim();
        if key.is_empty() || key.split('.').any(str::is_empty) {
            return Err(format!(
                "\"{key}\" is not a key: write a dotted path such as windows.length or step.0.duration"
            ));
        }
        Ok(Self { key: key.to_owned(), value: value.trim().to_owned() })
    }
}

impl fmt::Display for Override {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "--set {}={}", self.key, self.value)
    }
}

/// Where an override's value sits in the combined text patchsim parses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    /// Byte range of the value in the combined text.
    pub range: Range<usize>,
    /// The override, for messages.
    pub label: String,
}

/// Appends the overrides' values to the scenario text (each on its own line after it) and says
/// where each one is: values are parsed from this one text so that they live as long as the
/// document.
pub fn combine(text: &str, overrides: &[Override]) -> (String, Vec<Placed>) {
    let mut combined = String::with_capacity(text.len() + overrides.len() * 32);
    combined.push_str(text);
    let mut placed = Vec::with_capacity(overrides.len());
    for o in overrides {
        combined.push('\n');
        let start = combined.len();
        combined.push_str(&o.value);
        placed.push(Placed { range: start..combined.len(), label: o.to_string() });
    }
    (combined, placed)
}

/// Shifts every span of a value parsed on its own to where it sits in the combined text.
fn shifted<'a>(value: Spanned<DeValue<'a>>, by: usize) -> Spanned<DeValue<'a>> {
    let span = value.span();
    let span = span.start + by..span.end + by;
    let inner = match value.into_inner() {
        DeValue::Array(items) => {
            let mut out = DeArray::new();
            for item in items.iter() {
                out.push(shifted(item.clone(), by));
            }
            DeValue::Array(out)
        }
        DeValue::Table(map) => {
            let mut out = DeTable::new();
            for (k, v) in map.iter() {
                let ks = k.span();
                out.insert(Spanned::new(ks.start + by..ks.end + by, k.get_ref().clone()), shifted(v.clone(), by));
            }
            DeValue::Table(out)
        }
        other => other,
    };
    Spanned::new(span, inner)
}

/// Reads an override's value from the combined text: a TOML value if it is one, else a string.
pub fn value<'a>(combined: &'a str, placed: &Placed) -> Spanned<DeValue<'a>> {
    let text = &combined[placed.range.clone()];
    match DeValue::parse(text) {
        Ok(v) => shifted(v, placed.range.start),
        Err(_) => Spanned::new(placed.range.clone(), DeValue::String(Cow::Borrowed(text.trim()))),
    }
}

/// The keys of a `[[resource]]` that `--set resource.NAME.KEY=…` may change (by its number,
/// `resource.0.KEY`, any key may be changed).
pub const BY_NAME_KEYS: &[&str] = &["instances", "capacity", "per_user", "slots", "queue", "retry_after", "retries"];

/// Puts `value` at the dotted `key` of the document; a missing last key is added, anything else
/// missing is an error (a sentence for the user). `resource.NAME.KEY` names a resource by its
/// `name` (compared ignoring case).
pub fn apply<'a>(doc: &mut DeTable<'a>, key: &str, value: Spanned<DeValue<'a>>) -> Result<(), String> {
    let mut parts: Vec<&str> = key.split('.').collect();
    let index;
    if parts.len() >= 2 && parts[0] == "resource" && parts[1].parse::<usize>().is_err() {
        index = resource_index(doc, parts[1])?.to_string();
        let name = parts[1];
        match parts.get(2) {
            Some(k) if parts.len() == 3 && BY_NAME_KEYS.contains(k) => {}
            _ => {
                return Err(format!(
                    "`{key}`: a resource named in --set takes one of {}, e.g. resource.{name}.instances=3; write resource.{index}.… (by its number) to change anything else",
                    BY_NAME_KEYS.join(", ")
                ));
            }
        }
        parts[1] = &index;
    }
    set_in_table(doc, &parts, "", value)
}

/// The position in `[[resource]]` of the resource named `name` (ignoring case).
fn resource_index(doc: &DeTable<'_>, name: &str) -> Result<usize, String> {
    let names: Vec<&str> = match doc.get("resource").map(Spanned::get_ref) {
        Some(DeValue::Array(items)) => items
            .iter()
            .map(|item| match item.get_ref() {
                DeValue::Table(t) => match t.get("name").map(Spanned::get_ref) {
                    Some(DeValue::String(n)) => n.trim(),
                    _ => "",
                },
                _ => "",
            })
            .collect(),
        _ => Vec::new(),
    };
    names.iter().position(|n| super::name::same(n, name)).ok_or_else(|| {
        let declared: Vec<&str> = names.iter().copied().filter(|n| !n.is_empty()).collect();
        if declared.is_empty() {
            format!("the scenario declares no [[resource]]: there is no resource \"{name}\" to change")
        } else {
            format!("the scenario declares no resource \"{name}\"; [[resource]] declares: {}", declared.join(", "))
        }
    })
}

fn join(path: &str, part: &str) -> String {
    if path.is_empty() { part.to_owned() } else { format!("{path}.{part}") }
}

fn set_in_table<'a>(
    t: &mut DeTable<'a>,
    parts: &[&str],
    path: &str,
    value: Spanned<DeValue<'a>>,
) -> Result<(), String> {
    let (head, rest) = (parts[0], &parts[1..]);
    let here = join(path, head);
    if rest.is_empty() {
        match t.get_mut(head) {
            Some(existing) => *existing = value,
            None => {
                let span = value.span();
                t.insert(Spanned::new(span, Cow::Owned(head.to_owned())), value);
            }
        }
        return Ok(());
    }
    let next = t.get_mut(head).ok_or_else(|| format!("the scenario has no `{here}` to change"))?;
    set_in_value(next, rest, &here, value)
}

fn set_in_value<'a>(
    v: &mut Spanned<DeValue<'a>>,
    parts: &[&str],
    path: &str,
    value: Spanned<DeValue<'a>>,
) -> Result<(), String> {
    match v.get_mut() {
        DeValue::Table(t) => set_in_table(t, parts, path, value),
        DeValue::Array(items) => {
            let index: usize = parts[0]
                .parse()
                .map_err(|_| format!("`{path}` is a list: write an index (0 for the first), e.g. {path}.0"))?;
            let len = items.len();
            let item = items.get_mut(index).ok_or_else(|| {
                format!("`{path}` has {len} item(s): {index} is out of range (0 to {})", len.saturating_sub(1))
            })?;
            if parts.len() == 1 {
                *item = value;
                Ok(())
            } else {
                set_in_value(item, &parts[1..], &join(path, parts[0]), value)
            }
        }
        _ => Err(format!("`{path}` is a single value, not a table or list: it has no `{}`", parts[0])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(text: &str, key: &str, value: &str) -> Result<String, String> {
        let o = Override { key: key.to_owned(), value: value.to_owned() };
        let (combined, placed) = combine(text, std::slice::from_ref(&o));
        let mut doc = DeTable::parse(&combined[..text.len()]).map_err(|e| e.to_string())?;
        let v = super::value(&combined, &placed[0]);
        apply(doc.get_mut(), key, v)?;
        let table = doc.into_inner();
        let mut out = Vec::new();
        for (k, v) in table.iter() {
            out.push(format!("{}={:?}", k.get_ref(), v.get_ref()));
        }
        Ok(out.join(";"))
    }

    #[test]
    fn overrides_reach_tables_lists_and_nested_groups() {
        let text = "a = 1\n[t]\nx = \"5m\"\n[[step]]\nname = \"s\"\n[[step]]\ngroup = \"g\"\n  [[step.steps]]\n  name = \"in\"\n";
        assert!(set(text, "a", "2").unwrap().contains("a=Integer"));
        assert!(set(text, "t.x", "30m").unwrap().contains("String(\"30m\")"));
        assert!(set(text, "t.y", "true").unwrap().contains("Boolean(true)"));
        assert!(set(text, "step.1.steps.0.name", "renamed").unwrap().contains("renamed"));
        assert!(set(text, "step.0.duration", "{ dist = \"fixed\", value = \"1m\" }").unwrap().contains("Table"));
    }

    #[test]
    fn resources_are_found_by_name() {
        let text = "[[resource]]\nname = \"dp\"\ninstances = 1\n[[resource]]\nname = \"Host\"\ncapacity = 4\n";
        let changed = set(text, "resource.dp.instances", "3").unwrap();
        assert!(changed.contains("Integer(DeInteger { inner: \"3\""), "{changed}");
        let changed = set(text, "resource.host.capacity", "2Gbps").unwrap();
        assert!(changed.contains("String(\"2Gbps\")"), "{changed}");
        assert!(set(text, "resource.1.kind", "slots").unwrap().contains("slots"), "by number, any key");
        assert_eq!(
            set(text, "resource.sup.slots", "2").unwrap_err(),
            "the scenario declares no resource \"sup\"; [[resource]] declares: dp, Host"
        );
        assert_eq!(
            set("a = 1\n", "resource.dp.instances", "2").unwrap_err(),
            "the scenario declares no [[resource]]: there is no resource \"dp\" to change"
        );
        let err = set(text, "resource.dp.kind", "slots").unwrap_err();
        assert!(
            err.starts_with("`resource.dp.kind`: a resource named in --set takes one of instances, capacity"),
            "{err}"
        );
        assert!(err.contains("resource.0.…"), "{err}");
        assert!(set(text, "resource.dp", "2").is_err());
    }

    #[test]
    fn bad_paths_say_what_is_wrong() {
        let text = "a = 1\n[t]\nx = 2\n[[step]]\nname = \"s\"\n";
        assert!(set(text, "nope.x", "1").unwrap_err().contains("no `nope`"));
        assert!(set(text, "step.3.name", "x").unwrap_err().contains("out of range"));
        assert!(set(text, "step.first.name", "x").unwrap_err().contains("is a list"));
        assert!(set(text, "a.b", "1").unwrap_err().contains("single value"));
        assert!(Override::parse("fleet.servers").is_err());
        assert!(Override::parse("fleet..servers=1").is_err());
        assert_eq!(
            Override::parse(" windows.length = 3h ").unwrap(),
            Override { key: "windows.length".into(), value: "3h".into() }
        );
    }
}
