//! The status messages servers send during one replication: when, and to which management point.

use crate::scenario::{MessageKind, Millis};

/// Every message sent in one replication, grouped by management point, plus counts by event kind.
///
/// The buffers are reused across replications (`clear` keeps their capacity), so a run allocates
/// them once per thread, not once per message or per replication.
#[derive(Debug, Clone, Default)]
pub struct Emissions {
    per_mp: Vec<Vec<Millis>>,
    by_kind: [u64; MessageKind::ALL.len()],
}

impl Emissions {
    /// Empty buffers for `management_points` MPs.
    pub fn new(management_points: usize) -> Self {
        Self { per_mp: vec![Vec::new(); management_points.max(1)], by_kind: [0; MessageKind::ALL.len()] }
    }

    /// Forgets every message, keeping the buffers.
    pub fn clear(&mut self) {
        for v in &mut self.per_mp {
            v.clear();
        }
        self.by_kind = [0; MessageKind::ALL.len()];
    }

    /// Records `count` messages of `kind` sent at `at` to management point `mp`.
    #[inline]
    pub fn push(&mut self, mp: usize, at: Millis, kind: MessageKind, count: u32) {
        self.by_kind[kind as usize] += u64::from(count);
        let v = &mut self.per_mp[mp];
        for _ in 0..count {
            v.push(at);
        }
    }

    /// Number of management points.
    pub fn management_points(&self) -> usize {
        self.per_mp.len()
    }

    /// Send times of the messages to one MP, in the order they were recorded.
    pub fn sent_to(&self, mp: usize) -> &[Millis] {
        &self.per_mp[mp]
    }

    /// Mutable send times of one MP (for sorting in place).
    pub fn sent_to_mut(&mut self, mp: usize) -> &mut Vec<Millis> {
        &mut self.per_mp[mp]
    }

    /// Messages sent, by event kind.
    pub fn by_kind(&self) -> &[u64; MessageKind::ALL.len()] {
        &self.by_kind
    }

    /// Every message sent.
    pub fn total(&self) -> u64 {
        self.by_kind.iter().sum()
    }
}
