//! The messages servers send during one replication: when, to which management point, and
//! whether each is a status message or a software-update state message.
//!
//! A message is one `u64`: the send time in milliseconds shifted left by one, and the low bit set
//! for a state message. Sorting these integers sorts by time (status before state at the same
//! millisecond), with no per-message allocation and no comparison sort.

use crate::scenario::{MessageKind, Millis};

/// Low bit of an encoded message: set for a state message.
pub const STATE_BIT: u64 = 1;

/// Encodes a message.
#[inline(always)]
pub const fn encode(at: Millis, state: bool) -> u64 {
    (at << 1) | state as u64
}

/// The send time of an encoded message.
#[inline(always)]
pub const fn sent_at(message: u64) -> Millis {
    message >> 1
}

/// Whether an encoded message is a state message.
#[inline(always)]
pub const fn is_state(message: u64) -> bool {
    message & STATE_BIT != 0
}

/// How much an [`Emissions`] held at one moment, counting one management point's messages
/// ([`Emissions::mark`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmissionsMark {
    mp: usize,
    len: usize,
    by_kind: [u64; MessageKind::ALL.len()],
    state: u64,
}

/// Every message sent in one replication, grouped by management point, plus counts by event.
///
/// The buffers are reused across replications (`clear` keeps their capacity).
#[derive(Debug, Clone, Default)]
pub struct Emissions {
    per_mp: Vec<Vec<u64>>,
    by_kind: [u64; MessageKind::ALL.len()],
    state: u64,
}

impl Emissions {
    /// Empty buffers for `management_points` MPs.
    pub fn new(management_points: usize) -> Self {
        Self { per_mp: vec![Vec::new(); management_points.max(1)], by_kind: [0; MessageKind::ALL.len()], state: 0 }
    }

    /// Forgets every message, keeping the buffers.
    pub fn clear(&mut self) {
        for v in &mut self.per_mp {
            v.clear();
        }
        self.by_kind = [0; MessageKind::ALL.len()];
        self.state = 0;
    }

    /// How much is recorded now, of management point `mp`'s messages.
    pub fn mark(&self, mp: usize) -> EmissionsMark {
        let len = self.per_mp.get(mp).map_or(0, Vec::len);
        EmissionsMark { mp, len, by_kind: self.by_kind, state: self.state }
    }

    /// Forgets everything recorded after `mark` was taken, when only its management point's
    /// messages were recorded since.
    pub fn rewind_to(&mut self, mark: &EmissionsMark) {
        if let Some(v) = self.per_mp.get_mut(mark.mp) {
            v.truncate(mark.len);
        }
        self.by_kind = mark.by_kind;
        self.state = mark.state;
    }

    /// Records `count` status messages of `kind` sent at `at` to management point `mp`.
    #[inline]
    pub fn push(&mut self, mp: usize, at: Millis, kind: MessageKind, count: u32) {
        self.by_kind[kind as usize] += u64::from(count);
        let v = &mut self.per_mp[mp];
        let m = encode(at, false);
        for _ in 0..count {
            v.push(m);
        }
    }

    /// Records `count` software-update state messages sent at `at` to management point `mp`.
    #[inline]
    pub fn push_state(&mut self, mp: usize, at: Millis, count: u32) {
        self.state += u64::from(count);
        let v = &mut self.per_mp[mp];
        let m = encode(at, true);
        for _ in 0..count {
            v.push(m);
        }
    }

    /// Moves what `other` holds (another server's messages, the same management points) here.
    pub fn append(&mut self, other: &mut Self) {
        for (mine, theirs) in self.per_mp.iter_mut().zip(&mut other.per_mp) {
            mine.append(theirs);
        }
        for (mine, theirs) in self.by_kind.iter_mut().zip(other.by_kind) {
            *mine += theirs;
        }
        self.state += other.state;
        other.clear();
    }

    /// Number of management points.
    pub fn management_points(&self) -> usize {
        self.per_mp.len()
    }

    /// The encoded messages sent to one MP, in the order they were recorded.
    pub fn sent_to(&self, mp: usize) -> &[u64] {
        &self.per_mp[mp]
    }

    /// The encoded messages of one MP, for sorting in place.
    pub fn sent_to_mut(&mut self, mp: usize) -> &mut Vec<u64> {
        &mut self.per_mp[mp]
    }

    /// Status messages sent, by event kind.
    pub fn by_kind(&self) -> &[u64; MessageKind::ALL.len()] {
        &self.by_kind
    }

    /// Status messages sent.
    pub fn status_total(&self) -> u64 {
        self.by_kind.iter().sum()
    }

    /// State messages sent.
    pub fn state_total(&self) -> u64 {
        self.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_sorts_by_time_then_kind() {
        let a = encode(1_000, true);
        let b = encode(1_000, false);
        let c = encode(999, true);
        assert!(c < b && b < a);
        assert_eq!((sent_at(a), is_state(a), is_state(b)), (1_000, true, false));
    }
}
