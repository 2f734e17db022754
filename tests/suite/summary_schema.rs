//! `docs/summary.schema.json` stays true: the summary.json of runs that between them write every
//! key (the reference scenario, contention's resources, a month of several weeks, outages, state
//! messages, inline delivery, warnings, a precision run, shards and their merge, compare's
//! designs) and the example report validate against it; every key they write is listed in it;
//! and every key it lists is written by one of them.
//!
//! The validator is written here, for the part of JSON Schema (draft 2020-12) the schema uses:
//! `type`, `const`, `enum`, `properties`, `required`, `additionalProperties`, `items`,
//! `minItems`, `maxItems`, `minimum`, `maximum` and `$ref` to `#/$defs/…`. A keyword it does not
//! know fails the test, so the schema cannot use one unchecked.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::common::{patchsim_in, temp_dir};

/// The schema as published.
fn schema() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/summary.schema.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("docs/summary.schema.json is not JSON: {e}"))
}

/// The keywords the validator knows: those it checks, and those that only annotate.
const CHECKED: &[&str] = &[
    "type",
    "const",
    "enum",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "$ref",
];
const ANNOTATIONS: &[&str] = &["$schema", "$id", "$defs", "title", "description"];

/// A validator of documents against the schema's subset of JSON Schema.
struct Validator {
    root: Value,
}

impl Validator {
    /// The schema `$ref` points to (only `#/$defs/NAME`).
    fn resolve(&self, reference: &str) -> &Value {
        let name = reference.strip_prefix("#/$defs/").unwrap_or_else(|| panic!("$ref {reference}: not #/$defs/…"));
        self.root["$defs"].get(name).unwrap_or_else(|| panic!("$ref {reference}: no such definition"))
    }

    /// Every way `value` at `path` breaks `schema`, into `errors`.
    fn check(&self, schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
        let Some(schema) = schema.as_object() else {
            match schema {
                Value::Bool(true) => return,
                Value::Bool(false) => return errors.push(format!("{path}: not allowed")),
                other => panic!("{path}: a schema is an object or a boolean, not {other}"),
            }
        };
        for keyword in schema.keys() {
            assert!(
                CHECKED.contains(&keyword.as_str()) || ANNOTATIONS.contains(&keyword.as_str()),
                "the schema uses `{keyword}` (at {path}), which the test's validator does not check"
            );
        }
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            self.check(self.resolve(reference), value, path, errors);
        }
        if let Some(types) = schema.get("type") {
            let types: Vec<&str> = match types {
                Value::String(t) => vec![t.as_str()],
                Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
                other => panic!("{path}: type {other}"),
            };
            if !types.iter().any(|t| has_type(value, t)) {
                errors.push(format!("{path}: {value} is not {}", types.join(" or ")));
                return;
            }
        }
        if let Some(expected) = schema.get("const")
            && value != expected
        {
            errors.push(format!("{path}: {value} is not {expected}"));
        }
        if let Some(Value::Array(allowed)) = schema.get("enum")
            && !allowed.contains(value)
        {
            errors.push(format!("{path}: {value} is not one of {allowed:?}"));
        }
        if let Some(x) = value.as_f64() {
            if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
                && x < min
            {
                errors.push(format!("{path}: {x} is below the minimum {min}"));
            }
            if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
                && x > max
            {
                errors.push(format!("{path}: {x} is above the maximum {max}"));
            }
        }
        if let Value::Array(items) = value {
            let count = |key: &str| schema.get(key).and_then(Value::as_u64).map(|n| n as usize);
            if count("minItems").is_some_and(|n| items.len() < n) || count("maxItems").is_some_and(|n| items.len() > n)
            {
                errors.push(format!("{path}: {} items", items.len()));
            }
            if let Some(item) = schema.get("items") {
                for (i, v) in items.iter().enumerate() {
                    self.check(item, v, &format!("{path}[{i}]"), errors);
                }
            }
        }
        if let Value::Object(object) = value {
            self.check_object(schema, object, path, errors);
        }
    }

    fn check_object(
        &self,
        schema: &Map<String, Value>,
        object: &Map<String, Value>,
        path: &str,
        errors: &mut Vec<String>,
    ) {
        if let Some(Value::Array(required)) = schema.get("required") {
            for key in required.iter().filter_map(Value::as_str) {
                if !object.contains_key(key) {
                    errors.push(format!("{path}: `{key}` is required"));
                }
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (key, v) in object {
            let at = format!("{path}/{key}");
            match (properties.and_then(|p| p.get(key)), schema.get("additionalProperties")) {
                (Some(property), _) => self.check(property, v, &at, errors),
                (None, Some(additional)) => self.check(additional, v, &at, errors),
                (None, None) => {}
            }
        }
    }

    /// Every key of `value` that `schema` does not list in `properties`, as paths (`/a/b`, array
    /// items as `[]`), into `unlisted`; every listed key met, into `met`.
    fn listed(
        &self,
        schema: &Value,
        value: &Value,
        path: &str,
        unlisted: &mut BTreeSet<String>,
        met: &mut BTreeSet<String>,
    ) {
        let Some(object_schema) = schema.as_object() else { return };
        if let Some(reference) = object_schema.get("$ref").and_then(Value::as_str) {
            return self.listed(self.resolve(reference), value, path, unlisted, met);
        }
        match value {
            Value::Object(object) => {
                let properties = object_schema.get("properties").and_then(Value::as_object);
                for (key, v) in object {
                    let at = format!("{path}/{key}");
                    match properties.and_then(|p| p.get(key)) {
                        Some(property) => {
                            met.insert(at.clone());
                            self.listed(property, v, &at, unlisted, met);
                        }
                        None => {
                            unlisted.insert(at);
                        }
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item) = object_schema.get("items") {
                    for v in items {
                        self.listed(item, v, &format!("{path}[]"), unlisted, met);
                    }
                }
            }
            _ => {}
        }
    }

    /// Every property path the schema lists (`$ref`s followed, array items as `[]`).
    fn all_properties(&self, schema: &Value, path: &str, out: &mut BTreeSet<String>) {
        let Some(object) = schema.as_object() else { return };
        if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
            return self.all_properties(self.resolve(reference), path, out);
        }
        if let Some(properties) = object.get("properties").and_then(Value::as_object) {
            for (key, property) in properties {
                let at = format!("{path}/{key}");
                out.insert(at.clone());
                self.all_properties(property, &at, out);
            }
        }
        if let Some(item) = object.get("items") {
            self.all_properties(item, &format!("{path}[]"), out);
        }
    }
}

/// Whether `value` is of the JSON Schema type `name` (an integer is a number without a fraction).
fn has_type(value: &Value, name: &str) -> bool {
    match name {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "number" => value.is_number(),
        "integer" => value.is_u64() || value.is_i64() || value.as_f64().is_some_and(|x| x.fract() == 0.0),
        other => panic!("unknown type {other}"),
    }
}

/// Every schema in `schema` reached through `properties`, checked for what the published schema
/// promises: a description (of every field: an array's items need none); an object's
/// `required` and `additionalProperties`.
fn documented(validator: &Validator, schema: &Value, path: &str, problems: &mut Vec<String>, field: bool) {
    let Some(object) = schema.as_object() else { return };
    if field && !object.contains_key("description") {
        problems.push(format!("{path}: no description"));
    }
    let target = match object.get("$ref").and_then(Value::as_str) {
        Some(reference) => validator.resolve(reference),
        None => schema,
    };
    let Some(target) = target.as_object() else { return };
    if target.get("type").and_then(Value::as_str) == Some("object") {
        for key in ["properties", "required", "additionalProperties"] {
            if !target.contains_key(key) {
                problems.push(format!("{path}: an object without `{key}`"));
            }
        }
        // Extension is allowed: a newer patchsim's keys keep an older schema's documents valid.
        if target.get("additionalProperties") == Some(&Value::Bool(false)) {
            problems.push(format!("{path}: additionalProperties false forbids the keys of a newer patchsim"));
        }
    }
    if object.contains_key("$ref") {
        return;
    }
    if let Some(properties) = target.get("properties").and_then(Value::as_object) {
        for (key, property) in properties {
            documented(validator, property, &format!("{path}/{key}"), problems, true);
        }
        if let Some(Value::Array(required)) = target.get("required") {
            for key in required.iter().filter_map(Value::as_str) {
                if !properties.contains_key(key) {
                    problems.push(format!("{path}: requires `{key}`, which it does not list"));
                }
            }
        }
    }
    if let Some(item) = target.get("items").filter(|i| i.get("$ref").is_none()) {
        documented(validator, item, &format!("{path}[]"), problems, false);
    }
}

#[test]
fn the_schema_is_draft_2020_12_and_documents_every_key() {
    let schema = schema();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(schema["properties"]["schema"]["const"], "patchsim/summary/v1");
    let validator = Validator { root: schema.clone() };
    let mut problems = Vec::new();
    documented(&validator, &schema, "", &mut problems, true);
    for (name, definition) in schema["$defs"].as_object().expect("$defs").iter() {
        documented(&validator, definition, &format!("$defs/{name}"), &mut problems, true);
    }
    assert!(problems.is_empty(), "docs/summary.schema.json:\n{}", problems.join("\n"));
}

/// Runs patchsim in `dir` and requires it to succeed.
fn succeeds(dir: &Path, args: &[&str]) {
    let out = patchsim_in(dir, args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A scenario of the project's `scenarios/`.
fn scenario(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name).display().to_string()
}

/// A month of inline delivery through a management point that goes down, management points
/// that forward instantly, and a warning.
const COVERAGE: &str = r#"name = "schema-coverage"
description = "inline delivery, an MP outage, instant MPs and a warning"

[fleet]
servers = 60
pending_restart = 1

[windows]
days = ["Mon"]
starts = ["00:00", "02:00"]
length = "2h"

[messages]
delivery = "inline"
send_retries = 1
send_retry_interval = "30s"

[restart]
duration = "5m"

[infrastructure]
status_manager_rate = 50
management_points = 2
outages = [{ component = "mp:1", at = "Mon 00:05", length = "90m" }]

[[step]]
name = "Work"
type = "command"
duration = { dist = "uniform", min = "5m", max = "30m" }
"#;

/// The summaries of runs that between them write every key of the schema.
fn summaries(dir: &Path) -> Vec<PathBuf> {
    let reference = scenario("monthly-server-patching.toml");
    let text = std::fs::read_to_string(&reference).unwrap();
    // No scenario of the project has a month of several weeks: the reference over three.
    assert!(!text.contains("[month]"), "scenarios/monthly-server-patching.toml has [month] now: use it");
    std::fs::write(dir.join("weeks.toml"), text.replacen("\n[fleet]", "\n[month]\nweeks = 3\n\n[fleet]", 1)).unwrap();
    std::fs::write(dir.join("coverage.toml"), COVERAGE).unwrap();
    let runs: Vec<(&str, Vec<String>)> = vec![
        ("reference", vec![reference.clone(), "-r".into(), "2".into()]),
        ("contention", vec![scenario("contention.toml"), "-r".into(), "2".into()]),
        ("weeks", vec!["weeks.toml".into(), "-r".into(), "2".into()]),
        ("outage", vec![scenario("status-manager-outage.toml"), "-r".into(), "2".into()]),
        ("coverage", vec!["coverage.toml".into(), "-r".into(), "2".into(), "--set".into(), "restart.hang=1".into()]),
        ("precision", vec!["coverage.toml".into(), "-r".into(), "2".into(), "--precision".into(), "0.5".into()]),
        ("shard-1", vec![reference.clone(), "-r".into(), "4".into(), "--shard".into(), "1/2".into()]),
        ("shard-2", vec![reference.clone(), "-r".into(), "4".into(), "--shard".into(), "2/2".into()]),
    ];
    let mut files = Vec::new();
    for (name, args) in &runs {
        let mut all: Vec<&str> = vec!["run"];
        all.extend(args.iter().map(String::as_str));
        all.extend(["--quiet", "--out", name]);
        succeeds(dir, &all);
        files.push(dir.join(name).join("summary.json"));
    }
    succeeds(dir, &["merge", "shard-1", "shard-2", "--out", "merged"]);
    files.push(dir.join("merged/summary.json"));
    let design = scenario("design-sleep-10m.toml");
    succeeds(dir, &["compare", &reference, &design, "-r", "2", "--quiet", "--out", "compare"]);
    for entry in std::fs::read_dir(dir.join("compare")).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().ends_with(".summary.json") {
            files.push(path);
        }
    }
    files.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/example/summary.json"));
    files
}

#[test]
fn every_summary_json_validates_and_the_schema_lists_exactly_the_keys_written() {
    let dir = temp_dir("summary_schema", "runs");
    let schema = schema();
    let validator = Validator { root: schema.clone() };
    let (mut unlisted, mut met) = (BTreeSet::new(), BTreeSet::new());
    let files = summaries(&dir);
    assert!(files.len() >= 12, "{files:?}");
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let document: Value = serde_json::from_str(&text).unwrap();
        let mut errors = Vec::new();
        validator.check(&schema, &document, "", &mut errors);
        assert!(errors.is_empty(), "{} does not validate:\n{}", file.display(), errors.join("\n"));
        let mut missing = BTreeSet::new();
        validator.listed(&schema, &document, "", &mut missing, &mut met);
        for key in missing {
            unlisted.insert(format!("{key} (in {})", file.display()));
        }
    }
    assert!(unlisted.is_empty(), "keys summary.json has that docs/summary.schema.json does not list:\n{unlisted:#?}");
    let mut listed = BTreeSet::new();
    validator.all_properties(&schema, "", &mut listed);
    let never: Vec<&String> = listed.difference(&met).collect();
    assert!(
        never.is_empty(),
        "keys docs/summary.schema.json lists that no run wrote (a typo, or a run to add):\n{never:#?}"
    );
}

#[test]
fn the_validator_finds_what_breaks_the_schema() {
    let schema = schema();
    let validator = Validator { root: schema.clone() };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/example/summary.json");
    let good: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut doc = good.clone();
        edit(&mut doc);
        let mut errors = Vec::new();
        validator.check(&schema, &doc, "", &mut errors);
        errors
    };
    assert!(broken(&|_| {}).is_empty());
    assert!(!broken(&|d| d["schema"] = "patchsim/summary/v2".into()).is_empty(), "const");
    assert!(!broken(&|d| d["seed"] = (-1).into()).is_empty(), "minimum");
    assert!(!broken(&|d| d["seed"] = 1.5.into()).is_empty(), "integer");
    assert!(!broken(&|d| d["outcomes"]["overran"]["mean"] = 1.5.into()).is_empty(), "maximum of a share");
    assert!(!broken(&|d| d["outcomes"]["overran"]["ci95"] = serde_json::json!([0.1])).is_empty(), "minItems");
    assert!(!broken(&|d| d["windows"][0]["name"] = 3.into()).is_empty(), "items through $ref");
    assert!(!broken(&|d| d["fleet"].as_object_mut().unwrap().clear()).is_empty(), "required");
    assert!(!broken(&|d| d["estimates"]["x.new"] = serde_json::json!({"mean": "high"})).is_empty(), "additional");
    // A key a newer patchsim adds is valid, but not listed.
    let mut newer = good.clone();
    newer["fleet"]["new_key"] = 1.into();
    assert!(broken(&|d| d["fleet"]["new_key"] = 1.into()).is_empty(), "objects allow extension");
    let (mut unlisted, mut met) = (BTreeSet::new(), BTreeSet::new());
    validator.listed(&schema, &newer, "", &mut unlisted, &mut met);
    assert_eq!(unlisted.into_iter().collect::<Vec<_>>(), ["/fleet/new_key"]);
}
