//! Integer histograms (HdrHistogram) that never clamp: they grow to hold any value recorded or
//! added, so percentiles and maxima are right however long a run or a latency is.

use hdrhistogram::Histogram;

/// A histogram of `significant` significant figures covering 1 to `high` to begin with, and
/// more when a larger value comes.
pub fn growing(high: u64, significant: u8) -> Histogram<u64> {
    let mut h = Histogram::new_with_bounds(1, high, significant).expect("constant histogram bounds are valid");
    h.auto(true);
    h
}

/// Records `count` times `value`, growing the histogram when the value is beyond its bounds.
/// (`saturating_record` would clamp it even in a growing histogram.)
#[inline]
pub fn record_n(h: &mut Histogram<u64>, value: u64, count: u64) {
    if h.record_n(value, count).is_err() {
        // Only when the counts array cannot grow any more (beyond any u64 duration).
        h.saturating_record_n(value, count);
    }
}

/// Records `value` once (see [`record_n`]).
#[inline]
pub fn record(h: &mut Histogram<u64>, value: u64) {
    record_n(h, value, 1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_beyond_the_first_bounds_are_kept_exactly_enough() {
        let mut h = growing(1_000, 3);
        for v in [10, 20, 5_000_000_000_000, u64::MAX / 4] {
            record(&mut h, v);
        }
        assert!(h.max() >= u64::MAX / 4 && h.max() - u64::MAX / 4 <= (u64::MAX / 4) / 1_000);
        let p75 = h.value_at_quantile(0.75);
        assert!(p75.abs_diff(5_000_000_000_000) <= 5_000_000_000, "{p75}");
        let mut other = growing(1_000, 3);
        other.add(&h).unwrap();
        assert_eq!(other.max(), h.max());
    }
}
