//! Counter-based random streams: any (seed, replication, server, purpose, draw) is addressable
//! directly, without generating the draws before it.
//!
//! A [`Stream`] is a 64-bit key: the seed of one SplitMix64 sequence. Its `i`-th draw is a
//! [`DrawRng`] that starts `i × 2^32` steps into that sequence, so each draw has 2^32 numbers of
//! its own: a draw that consumes a variable number of raw numbers (a gamma rejection sampler, a
//! truncated normal) never shifts the draws after it, and two scenarios that share a purpose
//! share its draws exactly — the basis of common random numbers. Jumping to a draw is one
//! multiply-add; a child stream (a purpose under a server) is one mix of the parent's key with
//! the purpose's tag.
//!
//! SplitMix64 (Steele, Lea and Flood, 2014) passes BigCrush; its finalizer is a strong 64-bit
//! mixer (each output bit depends on every input bit), which is what makes deriving keys by
//! mixing safe. It is written out here rather than taken from a crate because the stream layout
//! is the part that matters and must never change under a dependency upgrade.

use core::convert::Infallible;

use rand::TryRng;

/// The golden-ratio increment of SplitMix64.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 finalizer: a bijective mix of all 64 bits.
#[inline(always)]
pub const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Combines a key with a value into a new key; different `(key, value)` pairs give unrelated keys.
#[inline(always)]
pub const fn combine(key: u64, value: u64) -> u64 {
    mix64(key ^ mix64(value.wrapping_add(GOLDEN)).rotate_left(17))
}

/// Hashes a name (a step, a count) to a stable 64-bit tag (FNV-1a then mixed).
pub const fn name_tag(name: &str) -> u64 {
    let bytes = name.as_bytes();
    let mut hash: u64 = 0xCBF2_9CE4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01B3);
        i += 1;
    }
    mix64(hash)
}

/// Converts 64 random bits to a uniform `f64` in `[0, 1)` with 53 bits of precision.
#[inline(always)]
pub fn unit_f64(bits: u64) -> f64 {
    (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// One purpose's stream of draws for one server in one replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stream {
    key: u64,
}

impl Stream {
    /// The stream with this key.
    #[inline(always)]
    pub const fn from_key(key: u64) -> Self {
        Self { key }
    }

    /// The stream's key.
    #[inline(always)]
    pub const fn key(self) -> u64 {
        self.key
    }

    /// A sub-stream of this one for `purpose`, a tag that is itself a mixed value (from
    /// [`name_tag`], [`combine`] or [`mix64`]): one mix of the two.
    #[inline(always)]
    pub const fn child(self, purpose: u64) -> Self {
        Self { key: mix64(self.key ^ purpose) }
    }

    /// The sub-stream for a small integer (a server, a management point): the integer is spread
    /// over all 64 bits first.
    #[inline(always)]
    pub const fn index(self, i: u64) -> Self {
        self.child(i.wrapping_mul(GOLDEN) ^ 0x5851_F42D_4C95_7F2D)
    }

    /// The generator for draw number `index`: the sequence's numbers from `index × 2^32` on.
    #[inline(always)]
    pub fn draw(self, index: u64) -> DrawRng {
        DrawRng { state: self.key.wrapping_add((index << 32).wrapping_mul(GOLDEN)) }
    }

    /// Draw number `index` as a single uniform number in `[0, 1)`.
    #[inline(always)]
    pub fn uniform(self, index: u64) -> f64 {
        let mut rng = self.draw(index);
        unit_f64(rng.next_bits())
    }
}

/// A SplitMix64 generator for one draw; implements [`rand::Rng`] for `rand_distr` samplers.
#[derive(Debug, Clone)]
pub struct DrawRng {
    state: u64,
}

impl DrawRng {
    /// The next 64 random bits.
    #[inline(always)]
    pub fn next_bits(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        mix64(self.state)
    }

    /// The next uniform number in `[0, 1)`.
    #[inline(always)]
    pub fn next_f64(&mut self) -> f64 {
        unit_f64(self.next_bits())
    }
}

impl TryRng for DrawRng {
    type Error = Infallible;

    #[inline(always)]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.next_bits() >> 32) as u32)
    }

    #[inline(always)]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.next_bits())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.next_bits().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_published_reference_sequence() {
        // SplitMix64 seeded with 0 (reference implementation by Vigna): first outputs.
        let mut rng = DrawRng { state: 0 };
        assert_eq!(rng.next_bits(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_bits(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(rng.next_bits(), 0x06C4_5D18_8009_454F);
    }

    #[test]
    fn draws_are_addressable_and_repeatable() {
        let s = Stream::from_key(42).child(name_tag("sleep"));
        assert_eq!(s.uniform(3), s.uniform(3));
        assert_ne!(s.uniform(3), s.uniform(4));
        assert_ne!(s.child(1).key(), s.child(2).key());
        assert_ne!(name_tag("a"), name_tag("b"));
    }

    #[test]
    fn uniform_draws_have_the_right_mean_and_variance() {
        let s = Stream::from_key(7);
        let n = 200_000;
        let (mut sum, mut sum2) = (0.0, 0.0);
        for i in 0..n {
            let u = s.uniform(i);
            assert!((0.0..1.0).contains(&u));
            sum += u;
            sum2 += u * u;
        }
        let mean = sum / n as f64;
        let var = sum2 / n as f64 - mean * mean;
        // Standard error of the mean is sqrt(1/12/n) ≈ 0.00065: allow five of them.
        assert!((mean - 0.5).abs() < 0.0033, "mean {mean}");
        assert!((var - 1.0 / 12.0).abs() < 0.002, "variance {var}");
    }

    #[test]
    fn neighbouring_keys_are_uncorrelated() {
        // Servers 0..n of one purpose: adjacent streams must not move together.
        let base = Stream::from_key(1);
        let n = 100_000u64;
        let mut cov = 0.0;
        for server in 0..n {
            let a = base.child(server).uniform(0) - 0.5;
            let b = base.child(server + 1).uniform(0) - 0.5;
            cov += a * b;
        }
        let corr = cov / n as f64 * 12.0;
        assert!(corr.abs() < 0.015, "correlation {corr}");
    }
}
