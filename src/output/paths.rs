//! Where a path really is, and whether an output and an input overlap.

use std::io;
use std::path::{Component, Path, PathBuf};

use super::error::OutputError;

/// The absolute path of `path` with every link in its existing part resolved; the part that does
/// not exist yet is appended as written (`.` and `..` taken lexically).
pub fn resolved(path: &Path) -> io::Result<PathBuf> {
    let absolute = std::path::absolute(path)?;
    let mut existing = absolute.as_path();
    let mut rest: Vec<Component<'_>> = Vec::new();
    loop {
        match existing.canonicalize() {
            Ok(mut base) => {
                for c in rest.iter().rev() {
                    match c {
                        Component::ParentDir => {
                            base.pop();
                        }
                        Component::CurDir => {}
                        other => base.push(other.as_os_str()),
                    }
                }
                return Ok(base);
            }
            Err(e) if matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory) => {
                let Some(parent) = existing.parent() else { return Err(e) };
                if let Some(last) = existing.components().next_back() {
                    rest.push(last);
                }
                existing = parent;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Refuses an output that is, holds, or sits inside one of `inputs` (all compared where they
/// really are, links resolved).
pub fn check_overlap(output: &Path, inputs: &[PathBuf]) -> Result<(), OutputError> {
    let out = resolved(output).map_err(OutputError::io("resolve", output))?;
    for input in inputs {
        let Ok(inp) = resolved(input) else { continue };
        let relation = if out == inp {
            "is"
        } else if inp.starts_with(&out) {
            "would hold"
        } else if out.starts_with(&inp) {
            "is inside"
        } else {
            continue;
        };
        return Err(OutputError::Overlap { output: output.to_path_buf(), input: input.clone(), relation });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlaps_are_found_through_dots_and_links() {
        let dir = std::env::temp_dir().join(format!("patchsim-paths-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("a/b")).unwrap();
        std::fs::write(dir.join("a/s.toml"), "x").unwrap();
        let input = vec![dir.join("a/s.toml")];
        let relation = |out: &Path| match check_overlap(out, &input) {
            Err(OutputError::Overlap { relation, .. }) => relation,
            Err(e) => panic!("{e}"),
            Ok(()) => "none",
        };
        assert_eq!(relation(&dir.join("a")), "would hold");
        assert_eq!(relation(&dir.join("a/b/../s.toml")), "is");
        assert_eq!(relation(&dir.join("a/s.toml/new")), "is inside");
        assert_eq!(relation(&dir.join("a/b")), "none");
        assert_eq!(relation(&dir.join("a/new/../../a")), "would hold");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.join("a"), dir.join("link")).unwrap();
            assert_eq!(relation(&dir.join("link")), "would hold");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
