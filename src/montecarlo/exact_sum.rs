//! Exact sums of floating-point numbers, independent of the order of the additions.
//!
//! A sum is kept as non-overlapping partials (Shewchuk, "Adaptive precision floating-point
//! arithmetic", 1997; the algorithm of Python's `math.fsum`): every addition is exact, and
//! [`ExactSum::value`] rounds the exact total once. So a sum over replications is the same
//! number whichever thread added which replication, and whichever shard of a distributed study
//! ran them — and merging two sums is adding one's partials to the other.

use serde::{Deserialize, Serialize};

/// An exact sum of `f64` values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ExactSum {
    partials: Vec<f64>,
}

/// `a × b` as a rounded product and its exact rounding error (`mul_add` is a fused multiply-add
/// in Rust on every platform).
#[inline]
fn two_product(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    (p, a.mul_add(b, -p))
}

impl ExactSum {
    /// Adds `x` exactly.
    pub fn add(&mut self, x: f64) {
        let mut x = x;
        let mut kept = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[kept] = lo;
                kept += 1;
            }
            x = hi;
        }
        self.partials.truncate(kept);
        self.partials.push(x);
    }

    /// Adds another exact sum.
    pub fn merge(&mut self, other: &Self) {
        for &p in &other.partials {
            self.add(p);
        }
    }

    /// The exact sum, rounded once to the nearest `f64`.
    pub fn value(&self) -> f64 {
        let p = &self.partials;
        let Some(&last) = p.last() else { return 0.0 };
        let mut hi = last;
        let mut lo = 0.0;
        let mut j = p.len() - 1;
        while j > 0 {
            j -= 1;
            let x = hi;
            let y = p[j];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                // Round half to even across the remaining partials, as fsum does.
                if j > 0 && ((lo < 0.0 && p[j - 1] < 0.0) || (lo > 0.0 && p[j - 1] > 0.0)) {
                    let y = lo * 2.0;
                    let x = hi + y;
                    if y == x - hi {
                        hi = x;
                    }
                }
                break;
            }
        }
        let _ = lo;
        hi
    }

    /// The exact sum multiplied by a whole number, still exact.
    pub fn times(&self, n: u64) -> Self {
        let mut out = Self::default();
        let n = n as f64;
        for &p in &self.partials {
            let (hi, lo) = two_product(p, n);
            out.add(hi);
            out.add(lo);
        }
        out
    }

    /// The exact square of the sum.
    pub fn squared(&self) -> Self {
        let mut out = Self::default();
        for &a in &self.partials {
            for &b in &self.partials {
                let (hi, lo) = two_product(a, b);
                out.add(hi);
                out.add(lo);
            }
        }
        out
    }

    /// The exact difference `self − other`.
    pub fn minus(&self, other: &Self) -> Self {
        let mut out = self.clone();
        for &p in &other.partials {
            out.add(-p);
        }
        out
    }

    /// Adds `x²` exactly.
    pub fn add_square(&mut self, x: f64) {
        let (hi, lo) = two_product(x, x);
        self.add(hi);
        self.add(lo);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Stream;

    #[test]
    fn sums_exactly_where_naive_addition_loses_everything() {
        let mut s = ExactSum::default();
        for x in [1e100, 1.0, -1e100, 1e-30] {
            s.add(x);
        }
        assert_eq!(s.value(), 1.0 + 1e-30);
        assert_eq!([1e100, 1.0, -1e100].iter().sum::<f64>(), 0.0);
        let mut tenths = ExactSum::default();
        for _ in 0..10 {
            tenths.add(0.1);
        }
        assert_eq!(tenths.value(), 1.0);
    }

    #[test]
    fn the_order_of_additions_and_merges_does_not_matter() {
        let s = Stream::from_key(8);
        let values: Vec<f64> = (0..5_000).map(|i| (s.uniform(i) - 0.3) * 10f64.powi((i % 17) as i32 - 8)).collect();
        let mut forward = ExactSum::default();
        values.iter().for_each(|v| forward.add(*v));
        let mut backward = ExactSum::default();
        values.iter().rev().for_each(|v| backward.add(*v));
        let (mut a, mut b) = (ExactSum::default(), ExactSum::default());
        for (i, v) in values.iter().enumerate() {
            if i % 3 == 0 { a.add(*v) } else { b.add(*v) }
        }
        b.merge(&a);
        assert_eq!(forward.value().to_bits(), backward.value().to_bits());
        assert_eq!(forward.value().to_bits(), b.value().to_bits());
    }

    #[test]
    fn products_and_differences_are_exact() {
        let mut s = ExactSum::default();
        for x in [0.1, 0.2, 0.3] {
            s.add(x);
        }
        let mut squares = ExactSum::default();
        for x in [0.1, 0.1, 0.1] {
            squares.add_square(x);
        }
        // Three equal values: n·Σx² − (Σx)² is exactly 0 for them.
        let mut same = ExactSum::default();
        for _ in 0..3 {
            same.add(0.1);
        }
        assert_eq!(squares.times(3).minus(&same.squared()).value(), 0.0);
        // 0.1 + 0.2 + 0.3 in binary is 0.6000000000000000055…; twice that rounds to 1.2.
        assert_eq!(s.times(2).value(), 1.2);
    }
}
