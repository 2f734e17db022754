//! Sorting message times without comparisons: an LSD radix sort on 11-bit digits.
//!
//! A week of milliseconds fits in 30 bits, so a replication's send times sort in three counting
//! passes, whatever their number; passes over digits that every key shares are skipped.

const BITS: u32 = 11;
const BUCKETS: usize = 1 << BITS;
const MASK: u64 = (BUCKETS as u64) - 1;

/// Sorts `keys` ascending; `buffer` is scratch space (its contents are overwritten).
pub fn sort(keys: &mut Vec<u64>, buffer: &mut Vec<u64>) {
    let n = keys.len();
    if n < 64 {
        keys.sort_unstable();
        return;
    }
    let max = keys.iter().copied().max().unwrap_or(0);
    let passes = (64 - max.leading_zeros()).div_ceil(BITS).max(1) as usize;
    let mut counts = vec![[0usize; BUCKETS]; passes];
    for &k in keys.iter() {
        for (p, hist) in counts.iter_mut().enumerate() {
            hist[((k >> (p as u32 * BITS)) & MASK) as usize] += 1;
        }
    }
    buffer.clear();
    buffer.resize(n, 0);
    for (p, hist) in counts.iter_mut().enumerate() {
        if hist.contains(&n) {
            continue; // every key has the same digit here
        }
        let mut offset = 0;
        for c in hist.iter_mut() {
            let here = *c;
            *c = offset;
            offset += here;
        }
        let shift = p as u32 * BITS;
        for &k in keys.iter() {
            let d = ((k >> shift) & MASK) as usize;
            buffer[hist[d]] = k;
            hist[d] += 1;
        }
        std::mem::swap(keys, buffer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Stream;

    #[test]
    fn sorts_like_the_standard_library() {
        let s = Stream::from_key(3);
        for (n, modulus) in [(0usize, 1u64), (10, 100), (1000, 1), (5000, 604_800_000), (20_000, u64::MAX)] {
            let mut keys: Vec<u64> = (0..n as u64).map(|i| s.draw(i).next_bits() % modulus.max(1)).collect();
            let mut expected = keys.clone();
            expected.sort_unstable();
            let mut buffer = Vec::new();
            sort(&mut keys, &mut buffer);
            assert_eq!(keys, expected, "n = {n}");
        }
    }
}
