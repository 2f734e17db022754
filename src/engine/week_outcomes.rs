//! What happened to a server in each week of the month: the outcome of the run due that week.

use super::outcome::Outcome;
use crate::scenario::month::MAX_WEEKS;

const NONE: u8 = u8::MAX;

/// Per week of the month, the outcome of the server's run due that week (`not_started` when
/// its window passed without a start), or nothing when no run was due (done already, or its
/// window is in another week).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekOutcomes([u8; MAX_WEEKS as usize]);

impl Default for WeekOutcomes {
    fn default() -> Self {
        Self([NONE; MAX_WEEKS as usize])
    }
}

impl WeekOutcomes {
    /// Records the outcome of week `week` (0 first); weeks past the month are ignored.
    pub fn set(&mut self, week: u32, outcome: Outcome) {
        if let Some(slot) = self.0.get_mut(week as usize) {
            *slot = outcome as u8;
        }
    }

    /// The outcome of week `week`, if a run was due then.
    pub fn get(&self, week: u32) -> Option<Outcome> {
        let code = *self.0.get(week as usize)?;
        Outcome::ALL.get(usize::from(code)).copied()
    }

    /// Every week with a run due: (week, outcome), in week order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, Outcome)> + '_ {
        (0..MAX_WEEKS).filter_map(|w| self.get(w).map(|o| (w, o)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_each_weeks_outcome() {
        let mut weeks = WeekOutcomes::default();
        assert_eq!(weeks.iter().count(), 0);
        weeks.set(0, Outcome::NotStarted);
        weeks.set(1, Outcome::Failed);
        weeks.set(2, Outcome::Overran);
        weeks.set(9, Outcome::Failed);
        assert_eq!(weeks.get(1), Some(Outcome::Failed));
        assert_eq!(weeks.get(3), None);
        let all: Vec<_> = weeks.iter().collect();
        assert_eq!(all, [(0, Outcome::NotStarted), (1, Outcome::Failed), (2, Outcome::Overran)]);
    }
}
