//! Randomness: seeded, addressable streams and the samplers that read them.
//!
//! Nothing in patchsim is seeded from the clock. Every random number comes from a [`Stream`]
//! whose key is derived from the run's seed, the replication index, the server index and the
//! purpose of the draw (see `docs/random-streams.md`). The same inputs give the same numbers on
//! every machine and every thread count.

pub mod layout;
pub mod stream;

pub use layout::{Purpose, server_stream};
pub use stream::{DrawRng, Stream};
