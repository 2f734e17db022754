//! `summary.json`: the summary as pretty-printed JSON.

use crate::montecarlo::summary::Summary;

/// Serializes a summary as pretty JSON with a final newline.
pub fn summary_json(summary: &Summary) -> Vec<u8> {
    // A Summary has string keys and finite numbers only: serialization cannot fail.
    let mut bytes = serde_json::to_vec_pretty(summary).expect("a summary always serializes");
    bytes.push(b'\n');
    bytes
}
