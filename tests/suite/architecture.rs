//! The modules stand in one order (ARCHITECTURE.md's table): a module uses only modules of a
//! lower rank. This reads the table and every `crate::…` path in `src/`, and fails on an arrow the
//! table does not allow, and on a module of `src/lib.rs` that the table does not list.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Each module's rank, from ARCHITECTURE.md's table rows `| 3 | `import` | … |`.
fn ranks() -> BTreeMap<String, u32> {
    let text = std::fs::read_to_string(Path::new(ROOT).join("ARCHITECTURE.md")).unwrap();
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() >= 4
            && let Ok(rank) = cells[1].parse::<u32>()
            && let Some(name) = cells[2].strip_prefix('`').and_then(|c| c.strip_suffix('`'))
        {
            out.insert(name.to_owned(), rank);
        }
    }
    out
}

/// The Rust files of a top-level module (`src/x.rs` or everything under `src/x/`).
fn files_of(module: &str) -> Vec<PathBuf> {
    let src = Path::new(ROOT).join("src");
    let single = src.join(format!("{module}.rs"));
    if single.exists() {
        return vec![single];
    }
    let mut out = Vec::new();
    let mut dirs = vec![src.join(module)];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out
}

/// The modules a file names as `crate::name`, with the line, comments left out.
fn uses(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                out.push((n + 1, name));
            }
        }
    }
    out
}

#[test]
fn every_module_uses_only_modules_below_it() {
    let ranks = ranks();
    assert!(ranks.len() >= 12, "ARCHITECTURE.md's table was not read: {ranks:?}");
    let lib = std::fs::read_to_string(Path::new(ROOT).join("src/lib.rs")).unwrap();
    let declared: Vec<String> =
        lib.lines().filter_map(|l| l.strip_prefix("pub mod ")).map(|m| m.trim_end_matches(';').to_owned()).collect();
    for module in &declared {
        assert!(
            ranks.contains_key(module),
            "src/lib.rs declares `{module}`, which ARCHITECTURE.md's table does not list"
        );
    }
    let mut wrong = Vec::new();
    for module in &declared {
        let mine = ranks[module];
        for file in files_of(module) {
            let text = std::fs::read_to_string(&file).unwrap();
            for (line, used) in uses(&text) {
                let Some(&theirs) = ranks.get(&used) else { continue };
                if used != *module && theirs >= mine {
                    let shown = file.strip_prefix(ROOT).unwrap_or(&file).display().to_string();
                    wrong.push(format!("{shown}:{line}: {module} (rank {mine}) uses {used} (rank {theirs})"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "arrows against the order of ARCHITECTURE.md:\n{}", wrong.join("\n"));
}

#[test]
fn the_check_sees_an_arrow_the_wrong_way() {
    let found =
        uses("use crate::report::Summary; // crate::cli is only a comment\nlet x = crate::engine::Outcome::Failed;");
    assert_eq!(found, [(1, "report".to_owned()), (2, "engine".to_owned())]);
}
