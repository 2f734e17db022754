//! How busy an instance was over time: the most activities present in each minute, for the
//! report's resource chart. Recorded only when asked (one replication of a report), never in
//! the replications the figures come from.

use crate::scenario::Millis;
use crate::scenario::duration::MINUTE;

/// One instance's activities present, minute by minute from Monday 00:00.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LoadTrack {
    /// When the level last changed.
    last: Millis,
    /// Activities present since then.
    level: u32,
    /// The most present in each minute.
    minutes: Vec<u32>,
}

impl LoadTrack {
    /// The level becomes `level` at `t` (times never go back).
    pub fn set(&mut self, t: Millis, level: u32) {
        let (from, to) = ((self.last / MINUTE) as usize, (t / MINUTE) as usize);
        if to >= self.minutes.len() {
            self.minutes.resize(to + 1, 0);
        }
        if self.level > 0 && t > self.last {
            // The old level held from the last change up to (not including) now.
            let end = ((t - 1) / MINUTE) as usize;
            for m in &mut self.minutes[from..=end] {
                *m = (*m).max(self.level);
            }
        }
        self.minutes[to] = self.minutes[to].max(level);
        self.last = self.last.max(t);
        self.level = level;
    }

    /// The most present in each minute.
    pub fn into_minutes(self) -> Vec<u32> {
        self.minutes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_level_that_ends_on_a_minute_does_not_reach_into_it() {
        let mut t = LoadTrack::default();
        t.set(0, 2);
        t.set(120_000, 0);
        assert_eq!(t.into_minutes(), vec![2, 2, 0]);
    }

    #[test]
    fn a_level_held_across_minutes_fills_each_of_them() {
        let mut t = LoadTrack::default();
        t.set(30_000, 3); // 3 from 0:30
        t.set(150_000, 1); // 1 from 2:30
        t.set(200_000, 0); // none from 3:20
        assert_eq!(t.into_minutes(), vec![3, 3, 3, 1]);
    }
}
