//! Shards of a distributed study and their merge.
//!
//! A study of N replications splits into M shards: shard K (from 1) runs replications
//! K−1, K−1+M, K−1+2M, … and writes a [`ShardState`] (`shard.json`): the scenario's text, the
//! seed, which replications ran, the accumulated statistics (exact sums) and the pooled totals
//! (counts, the load series, histograms in HdrHistogram's V2 format). Merging the M states is
//! adding them — exact — so the merged summary is the one a single run of N replications gives.

use std::io::Cursor;

use hdrhistogram::Histogram;
use hdrhistogram::serialization::{Deserializer, Serializer, V2Serializer};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::runner::RunResult;
use super::statistics::Statistics;
use super::tally::{Pooled, WindowTotals};
use crate::messages::LoadSeries;
use crate::scenario::MessageKind;
use crate::scenario::overrides::Override;

/// The schema identifier of `shard.json`.
pub const SHARD_SCHEMA: &str = "patchsim/shard/v1";

/// Which part of a study a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardSpec {
    /// This shard, from 1.
    pub index: u64,
    /// Number of shards.
    pub of: u64,
}

impl ShardSpec {
    /// Parses `K/M` (1 ≤ K ≤ M).
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("\"{text}\" is not a shard: write K/M, e.g. 3/8 for the third of eight shards");
        let (k, m) = text.trim().split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let of: u64 = m.trim().parse().map_err(|_| bad())?;
        if of == 0 || index == 0 || index > of {
            return Err(format!("shard {text}: K must be from 1 to M (and M at least 1)"));
        }
        Ok(Self { index, of })
    }

    /// How many of a study's `replications` this shard runs.
    pub fn count(&self, replications: u64) -> u64 {
        let first = self.index - 1;
        if first >= replications { 0 } else { (replications - first).div_ceil(self.of) }
    }
}

/// What a shard leaves behind for `patchsim merge`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardState {
    /// Always [`SHARD_SCHEMA`].
    pub schema: String,
    /// The scenario's name.
    pub scenario: String,
    /// The scenario file's whole text (shards of one study share it exactly).
    pub scenario_toml: String,
    /// The `--set` overrides the shard ran with, as `KEY=VALUE`.
    #[serde(default)]
    pub overrides: Vec<String>,
    /// The seed.
    pub seed: u64,
    /// Replications of the whole study.
    pub study_replications: u64,
    /// Which shard this is.
    pub shard: ShardSpec,
    /// Replications this shard ran.
    pub replications: u64,
    /// Seconds this shard's simulation took.
    pub wall_seconds: f64,
    /// Threads it used.
    pub threads: usize,
    /// Accumulated headline figures.
    pub statistics: Statistics,
    /// Pooled totals.
    pub pooled: PooledRecord,
}

/// [`Pooled`] in a form that survives JSON: histograms as hex-encoded HdrHistogram V2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PooledRecord {
    overrun_ms: String,
    duration_ms: String,
    end_in_window_ms: String,
    window_overrun_s: Vec<String>,
    latency_us: String,
    state_latency_us: String,
    overrun_sum_ms: u128,
    duration_sum_ms: u128,
    latency_sum_us: u128,
    state_latency_sum_us: u128,
    series_sent: Vec<u64>,
    series_arrived: Vec<u64>,
    series_processed: Vec<u64>,
    windows: Vec<(u64, [u64; 5], u64)>,
    by_kind: Vec<u64>,
    state_messages: u64,
    server_runs: u64,
    events: u64,
}

/// A shard that cannot be read or merged.
#[derive(Debug, Error)]
pub enum ShardError {
    /// A histogram could not be encoded.
    #[error("cannot encode a histogram: {0}")]
    Encode(String),
    /// A histogram in `shard.json` is damaged.
    #[error("a histogram in the shard is damaged: {0}")]
    Decode(String),
    /// The shard's pooled totals do not fit the scenario.
    #[error("the shard's totals do not fit its scenario ({0})")]
    Shape(String),
}

fn encode(h: &Histogram<u64>) -> Result<String, ShardError> {
    let mut bytes = Vec::new();
    V2Serializer::new().serialize(h, &mut bytes).map_err(|e| ShardError::Encode(format!("{e:?}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn decode(hex: &str) -> Result<Histogram<u64>, ShardError> {
    if hex.len() % 2 != 0 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ShardError::Decode("not hexadecimal".to_owned()));
    }
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|e| ShardError::Decode(e.to_string())))
        .collect::<Result<_, _>>()?;
    Deserializer::new().deserialize(&mut Cursor::new(bytes)).map_err(|e| ShardError::Decode(format!("{e:?}")))
}

impl PooledRecord {
    /// Encodes pooled totals.
    pub fn from_pooled(p: &Pooled) -> Result<Self, ShardError> {
        Ok(Self {
            overrun_ms: encode(&p.overrun_ms)?,
            duration_ms: encode(&p.duration_ms)?,
            end_in_window_ms: encode(&p.end_in_window_ms)?,
            window_overrun_s: p.window_overrun_s.iter().map(encode).collect::<Result<_, _>>()?,
            latency_us: encode(&p.latency_us)?,
            state_latency_us: encode(&p.state_latency_us)?,
            overrun_sum_ms: p.overrun_sum_ms,
            duration_sum_ms: p.duration_sum_ms,
            latency_sum_us: p.latency_sum_us,
            state_latency_sum_us: p.state_latency_sum_us,
            series_sent: p.series.sent.clone(),
            series_arrived: p.series.arrived.clone(),
            series_processed: p.series.processed.clone(),
            windows: p.windows.iter().map(|w| (w.targeted, w.outcomes, w.messages)).collect(),
            by_kind: p.by_kind.to_vec(),
            state_messages: p.state_messages,
            server_runs: p.server_runs,
            events: p.events,
        })
    }

    /// Decodes pooled totals for a scenario with `windows` windows.
    pub fn to_pooled(&self, windows: usize) -> Result<Pooled, ShardError> {
        if self.windows.len() != windows || self.window_overrun_s.len() != windows {
            return Err(ShardError::Shape(format!("{} windows, the scenario has {windows}", self.windows.len())));
        }
        let by_kind: [u64; MessageKind::ALL.len()] = self
            .by_kind
            .as_slice()
            .try_into()
            .map_err(|_| ShardError::Shape(format!("{} message kinds", self.by_kind.len())))?;
        let mut pooled = Pooled::new(windows);
        // Merge into fresh histograms: same bounds, whatever the file's own header says.
        pooled.overrun_ms.add(decode(&self.overrun_ms)?).map_err(|e| ShardError::Decode(format!("{e:?}")))?;
        pooled.duration_ms.add(decode(&self.duration_ms)?).map_err(|e| ShardError::Decode(format!("{e:?}")))?;
        pooled
            .end_in_window_ms
            .add(decode(&self.end_in_window_ms)?)
            .map_err(|e| ShardError::Decode(format!("{e:?}")))?;
        for (h, hex) in pooled.window_overrun_s.iter_mut().zip(&self.window_overrun_s) {
            h.add(decode(hex)?).map_err(|e| ShardError::Decode(format!("{e:?}")))?;
        }
        pooled.latency_us.add(decode(&self.latency_us)?).map_err(|e| ShardError::Decode(format!("{e:?}")))?;
        pooled
            .state_latency_us
            .add(decode(&self.state_latency_us)?)
            .map_err(|e| ShardError::Decode(format!("{e:?}")))?;
        pooled.overrun_sum_ms = self.overrun_sum_ms;
        pooled.duration_sum_ms = self.duration_sum_ms;
        pooled.latency_sum_us = self.latency_sum_us;
        pooled.state_latency_sum_us = self.state_latency_sum_us;
        pooled.series = LoadSeries {
            sent: self.series_sent.clone(),
            arrived: self.series_arrived.clone(),
            processed: self.series_processed.clone(),
        };
        pooled.windows = self
            .windows
            .iter()
            .map(|(targeted, outcomes, messages)| WindowTotals {
                targeted: *targeted,
                outcomes: *outcomes,
                messages: *messages,
            })
            .collect();
        pooled.by_kind = by_kind;
        pooled.state_messages = self.state_messages;
        pooled.server_runs = self.server_runs;
        pooled.events = self.events;
        Ok(pooled)
    }
}

impl ShardState {
    /// The state of a finished shard run.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        scenario_name: &str,
        scenario_toml: &str,
        overrides: &[Override],
        seed: u64,
        study_replications: u64,
        shard: ShardSpec,
        result: &RunResult,
    ) -> Result<Self, ShardError> {
        Ok(Self {
            schema: SHARD_SCHEMA.to_owned(),
            scenario: scenario_name.to_owned(),
            scenario_toml: scenario_toml.to_owned(),
            overrides: overrides.iter().map(|o| format!("{}={}", o.key, o.value)).collect(),
            seed,
            study_replications,
            shard,
            replications: result.replications,
            wall_seconds: result.wall_seconds,
            threads: result.threads,
            statistics: result.statistics.clone(),
            pooled: PooledRecord::from_pooled(&result.pooled)?,
        })
    }

    /// The shard's results, for a scenario with `windows` windows.
    pub fn result(&self, windows: usize) -> Result<RunResult, ShardError> {
        Ok(RunResult {
            pooled: self.pooled.to_pooled(windows)?,
            statistics: self.statistics.clone(),
            replications: self.replications,
            wall_seconds: self.wall_seconds,
            threads: self.threads,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_specs_parse_and_count() {
        assert_eq!(ShardSpec::parse("3/8"), Ok(ShardSpec { index: 3, of: 8 }));
        for bad in ["0/4", "5/4", "3", "a/b", "1/0", ""] {
            assert!(ShardSpec::parse(bad).is_err(), "{bad}");
        }
        // 10 replications over 4 shards: 0,4,8 | 1,5,9 | 2,6 | 3,7.
        let counts: Vec<u64> = (1..=4).map(|k| ShardSpec { index: k, of: 4 }.count(10)).collect();
        assert_eq!(counts, vec![3, 3, 2, 2]);
        assert_eq!(ShardSpec { index: 5, of: 8 }.count(3), 0);
    }

    #[test]
    fn histograms_survive_hex_v2() {
        let mut h = crate::montecarlo::tally::duration_histogram();
        for v in [1u64, 5, 5, 1_000_000, 123_456_789] {
            h.record(v).unwrap();
        }
        let back = decode(&encode(&h).unwrap()).unwrap();
        assert_eq!(back.len(), 5);
        assert_eq!(back.max(), h.max());
        assert_eq!(back.value_at_quantile(0.5), h.value_at_quantile(0.5));
        assert!(decode("zz").is_err());
    }
}
