//! Shards of a distributed study and their merge.
//!
//! A study of N replications splits into M shards: shard K (from 1) runs replications
//! K−1, K−1+M, K−1+2M, … and writes a [`ShardState`] (`shard.json`): the patchsim version, the
//! scenario's text and `--set` overrides, a copy of every file the scenario reads (its
//! inventory, with its SHA-256), the seed, which replications ran, the accumulated statistics
//! (exact sums), the pooled totals (counts, the load series, histograms in HdrHistogram's V2
//! format) and a SHA-256 checksum over all of it. Merging the M states is adding them — exact —
//! so the merged summary is the one a single run of N replications gives.
//!
//! [`merge_shards`] refuses shards of other versions, other studies (scenario, overrides,
//! inventory, seed, replications, shard count), repeated or missing shards, and any state whose
//! checksum or own totals do not add up. Nothing it reads is trusted to size an allocation: a
//! histogram's header must match the bounds patchsim itself uses before it is decoded.

use std::collections::BTreeMap;
use std::io::Cursor;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hdrhistogram::Histogram;
use hdrhistogram::serialization::{Deserializer, Serializer, V2Serializer};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::runner::RunResult;
use super::statistics::Statistics;
use super::tally::{Pooled, WindowTotals};
use crate::digest::{hex, sha256_hex, unhex};
use crate::input::InputError;
use crate::input::{FileSource, ReadFile};
use crate::messages::LoadSeries;
use crate::scenario::overrides::Override;
use crate::scenario::{MessageKind, Scenario};

/// The schema identifier of `shard.json`.
pub const SHARD_SCHEMA: &str = "patchsim/shard/v2";

/// The version of patchsim that writes shards (shards merge only with the version that ran them).
pub const PATCHSIM_VERSION: &str = env!("CARGO_PKG_VERSION");

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
    /// The patchsim version that ran the shard.
    pub patchsim: String,
    /// The scenario's name.
    pub scenario: String,
    /// The scenario file's whole text (shards of one study share it exactly).
    pub scenario_toml: String,
    /// The `--set` overrides the shard ran with, as `KEY=VALUE`.
    pub overrides: Vec<String>,
    /// Every file the scenario reads besides itself, with its content.
    pub inputs: Vec<ShardInput>,
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
    /// SHA-256 of the state as patchsim writes it, with this field empty.
    pub checksum: String,
}

/// A file the shard's scenario reads, carried with the shard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInput {
    /// The path as the scenario writes it.
    pub path: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Its bytes, base64.
    pub content: String,
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
    /// The State System's per-minute series: left out without state messages (and in shards
    /// from before it had its own).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    series_state_arrived: Vec<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    series_state_processed: Vec<u64>,
    windows: Vec<(u64, [u64; 5], u64)>,
    /// Per week of a month of several weeks, the outcomes of the runs due that week.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    weeks: Vec<[u64; 5]>,
    /// Status messages lost (inline delivery).
    #[serde(default, skip_serializing_if = "is_zero")]
    lost_messages: u64,
    by_kind: Vec<u64>,
    state_messages: u64,
    server_runs: u64,
    events: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A shard that cannot be read or merged.
#[derive(Debug, Error)]
pub enum ShardError {
    /// The file is not a shard state.
    #[error(
        "{file}: not a shard state patchsim can read ({message}); is it the shard.json of a `patchsim run --shard`?"
    )]
    Format {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// Another version of patchsim wrote it.
    #[error(
        "{file} was written by patchsim {found}; this is patchsim {PATCHSIM_VERSION}: merge with the version that ran the shards, or run them again"
    )]
    Version {
        /// The file.
        file: String,
        /// Its version.
        found: String,
    },
    /// The checksum does not match: edited or damaged.
    #[error("{file}: its contents do not match its checksum: the file was changed or damaged; run shard {shard} again")]
    Checksum {
        /// The file.
        file: String,
        /// Which shard it claims to be.
        shard: String,
    },
    /// The totals contradict each other.
    #[error("{file}: its totals do not add up ({message}); run that shard again")]
    Inconsistent {
        /// The file.
        file: String,
        /// What does not add up.
        message: String,
    },
    /// Two shards are of different studies.
    #[error("{first} and {other} are not shards of one study: their {what} differ")]
    OtherStudy {
        /// The first shard.
        first: String,
        /// The other.
        other: String,
        /// What differs.
        what: &'static str,
    },
    /// A shard is given twice, out of range, or missing.
    #[error("{0}")]
    Coverage(String),
    /// The shards' scenario does not load.
    #[error(transparent)]
    Scenario(#[from] InputError),
    /// A histogram could not be encoded.
    #[error("cannot encode a histogram: {0}")]
    Encode(String),
}

/// Encodes a histogram as hex of its V2 serialization.
fn encode(h: &Histogram<u64>) -> Result<String, ShardError> {
    let mut bytes = Vec::new();
    V2Serializer::new().serialize(h, &mut bytes).map_err(|e| ShardError::Encode(format!("{e:?}")))?;
    Ok(hex(&bytes))
}

/// The cookie of an uncompressed V2 histogram.
const V2_COOKIE: u32 = 0x1c84_9313;

/// Decodes a histogram into `into` (which has patchsim's own bounds): the header must match
/// them (so nothing read sizes an allocation) and the payload be exactly as long as it says.
fn decode_into(text: &str, into: &mut Histogram<u64>) -> Result<(), String> {
    let bytes = unhex(text).ok_or("a histogram is not hexadecimal")?;
    let word = |at: usize| -> Option<u64> {
        let slice = bytes.get(at..at + 8)?;
        Some(u64::from_be_bytes(slice.try_into().ok()?))
    };
    let half = |at: usize| -> Option<u32> { Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?)) };
    let (Some(cookie), Some(payload), Some(digits), Some(low), Some(high)) =
        (half(0), half(4), half(12), word(16), word(24))
    else {
        return Err("a histogram is cut short".to_owned());
    };
    if cookie != V2_COOKIE
        || payload as usize != bytes.len().saturating_sub(40)
        || digits != u32::from(into.sigfig())
        || low != into.low()
        || high < into.high()
    {
        return Err("a histogram's header is not one patchsim writes".to_owned());
    }
    // Every value a histogram of these bounds holds fits in one that grows as it needs to.
    let read: Histogram<u64> = Deserializer::new()
        .deserialize(&mut Cursor::new(bytes))
        .map_err(|e| format!("a histogram is damaged ({e:?})"))?;
    into.add(read).map_err(|e| format!("a histogram does not fit ({e:?})"))
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
            series_state_arrived: p.series.state_arrived.clone(),
            series_state_processed: p.series.state_processed.clone(),
            windows: p.windows.iter().map(|w| (w.targeted, w.outcomes, w.messages)).collect(),
            weeks: p.weeks.clone(),
            lost_messages: p.lost_messages,
            by_kind: p.by_kind.to_vec(),
            state_messages: p.state_messages,
            server_runs: p.server_runs,
            events: p.events,
        })
    }

    /// Decodes pooled totals for a scenario with `windows` windows and `weeks` weeks of figures.
    pub fn to_pooled(&self, windows: usize, weeks: usize) -> Result<Pooled, String> {
        if self.windows.len() != windows || self.window_overrun_s.len() != windows {
            return Err(format!("{} windows, the scenario has {windows}", self.windows.len()));
        }
        if self.weeks.len() != weeks {
            return Err(format!("figures for {} weeks, the scenario's month has {weeks}", self.weeks.len()));
        }
        let by_kind: [u64; MessageKind::ALL.len()] =
            self.by_kind.as_slice().try_into().map_err(|_| format!("{} message kinds", self.by_kind.len()))?;
        let mut pooled = Pooled::new(windows, weeks);
        pooled.weeks = self.weeks.clone();
        pooled.lost_messages = self.lost_messages;
        decode_into(&self.overrun_ms, &mut pooled.overrun_ms)?;
        decode_into(&self.duration_ms, &mut pooled.duration_ms)?;
        decode_into(&self.end_in_window_ms, &mut pooled.end_in_window_ms)?;
        for (h, text) in pooled.window_overrun_s.iter_mut().zip(&self.window_overrun_s) {
            decode_into(text, h)?;
        }
        decode_into(&self.latency_us, &mut pooled.latency_us)?;
        decode_into(&self.state_latency_us, &mut pooled.state_latency_us)?;
        pooled.overrun_sum_ms = self.overrun_sum_ms;
        pooled.duration_sum_ms = self.duration_sum_ms;
        pooled.latency_sum_us = self.latency_sum_us;
        pooled.state_latency_sum_us = self.state_latency_sum_us;
        pooled.series = LoadSeries {
            sent: self.series_sent.clone(),
            arrived: self.series_arrived.clone(),
            processed: self.series_processed.clone(),
            state_arrived: self.series_state_arrived.clone(),
            state_processed: self.series_state_processed.clone(),
        };
        pooled.windows = self
            .windows
            .iter()
            .map(|(targeted, outcomes, messages)| WindowTotals {
                targeted: *targeted,
                outcomes: *outcomes,
                messages: *messages,
                // Shards of scenarios with shared resources are refused before they run.
                resource_wait_ms: 0,
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
    /// The state of a finished shard run of `scenario` (whose file's text is `scenario_toml`).
    pub fn new(
        scenario: &Scenario,
        scenario_toml: &str,
        overrides: &[Override],
        seed: u64,
        study_replications: u64,
        shard: ShardSpec,
        result: &RunResult,
    ) -> Result<Self, ShardError> {
        let inputs = scenario
            .windows
            .files
            .iter()
            .map(|f| ShardInput {
                path: f.written.clone(),
                sha256: sha256_hex(&f.bytes),
                content: BASE64.encode(&f.bytes),
            })
            .collect();
        let mut state = Self {
            schema: SHARD_SCHEMA.to_owned(),
            patchsim: PATCHSIM_VERSION.to_owned(),
            scenario: scenario.name.clone(),
            scenario_toml: scenario_toml.to_owned(),
            overrides: overrides.iter().map(|o| format!("{}={}", o.key, o.value)).collect(),
            inputs,
            seed,
            study_replications,
            shard,
            replications: result.replications,
            wall_seconds: result.wall_seconds,
            threads: result.threads,
            statistics: result.statistics.clone(),
            pooled: PooledRecord::from_pooled(&result.pooled)?,
            checksum: String::new(),
        };
        state.checksum = state.digest();
        Ok(state)
    }

    /// The SHA-256 of the state as written, with an empty checksum.
    fn digest(&self) -> String {
        let unsigned = Self { checksum: String::new(), ..self.clone() };
        sha256_hex(&serde_json::to_vec(&unsigned).unwrap_or_default())
    }

    /// The state as `shard.json` holds it.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// Reads a `shard.json` (`file` names it in messages): the schema, the version, the
    /// checksum and the carried files' digests must all hold.
    pub fn read(bytes: &[u8], file: &str) -> Result<Self, ShardError> {
        /// The part of a state that says what it is, read before the rest.
        #[derive(Deserialize)]
        struct Head {
            #[serde(default)]
            schema: String,
            #[serde(default)]
            patchsim: String,
        }
        let format = |message: String| ShardError::Format { file: file.to_owned(), message };
        let head: Head = serde_json::from_slice(bytes).map_err(|e| format(e.to_string()))?;
        if head.schema != SHARD_SCHEMA {
            return Err(format(format!("schema \"{}\", expected \"{SHARD_SCHEMA}\"", head.schema)));
        }
        if head.patchsim != PATCHSIM_VERSION {
            return Err(ShardError::Version { file: file.to_owned(), found: head.patchsim });
        }
        let state: Self = serde_json::from_slice(bytes).map_err(|e| format(e.to_string()))?;
        if state.digest() != state.checksum {
            return Err(ShardError::Checksum {
                file: file.to_owned(),
                shard: format!("{}/{}", state.shard.index, state.shard.of),
            });
        }
        for input in &state.inputs {
            let bytes = BASE64.decode(&input.content).map_err(|e| format(format!("{}: {e}", input.path)))?;
            if sha256_hex(&bytes) != input.sha256 {
                return Err(ShardError::Checksum {
                    file: file.to_owned(),
                    shard: format!("{}/{}", state.shard.index, state.shard.of),
                });
            }
        }
        Ok(state)
    }

    /// The files the shard carries, for reading its scenario (`by` names the shard).
    pub fn carried_files(&self, by: &str) -> FileSource {
        let files = self
            .inputs
            .iter()
            .filter_map(|i| {
                let bytes = BASE64.decode(&i.content).ok()?;
                Some(ReadFile { written: i.path.clone(), path: None, shown: i.path.clone(), bytes: bytes.into() })
            })
            .collect();
        FileSource::Carried { by: by.to_owned(), files }
    }

    /// The shard's results, for a scenario with `windows` windows and `weeks` weeks of figures, after checking that its own
    /// totals add up: every headline figure has one value a replication, shares are shares,
    /// each window's outcomes add up to its targeted servers.
    pub fn result(&self, windows: usize, weeks: usize, file: &str) -> Result<RunResult, ShardError> {
        let bad = |message: String| ShardError::Inconsistent { file: file.to_owned(), message };
        let pooled = self.pooled.to_pooled(windows, weeks).map_err(bad)?;
        if self.statistics.replications() != self.replications {
            return Err(bad(format!(
                "{} replications, and figures of {}",
                self.replications,
                self.statistics.replications()
            )));
        }
        for (key, acc) in self.statistics.figures() {
            let out_of_range =
                |x: Option<f64>| x.is_some_and(|v| !v.is_finite() || v < 0.0 || (key.is_share() && v > 1.0));
            if acc.n > self.replications || out_of_range(acc.min) || out_of_range(acc.max) {
                return Err(bad(format!("figure {key} is out of range")));
            }
        }
        for (k, w) in pooled.windows.iter().enumerate() {
            if w.outcomes.iter().map(|&o| u128::from(o)).sum::<u128>() != u128::from(w.targeted) {
                return Err(bad(format!("window {}: outcomes do not add up to its targeted servers", k + 1)));
            }
        }
        Ok(RunResult {
            pooled,
            statistics: self.statistics.clone(),
            replications: self.replications,
            wall_seconds: self.wall_seconds,
            threads: self.threads,
        })
    }
}

/// A merged study: the scenario its shards ran, its seed, and the results of all its shards.
#[derive(Debug)]
pub struct MergedStudy {
    /// The scenario, as the shards ran it (overrides applied, carried inventory read).
    pub scenario: Scenario,
    /// The seed.
    pub seed: u64,
    /// The `--set` overrides the shards ran with.
    pub overrides: Vec<String>,
    /// Number of shards.
    pub shards: u64,
    /// Every replication of the study.
    pub result: RunResult,
}

/// Merges the shards of one study, each given with the file it was read from: refuses shards of
/// different studies, repeated, out-of-range or missing shards, and shards whose totals do not
/// add up.
pub fn merge_shards(states: &[(String, ShardState)]) -> Result<MergedStudy, ShardError> {
    let Some((first_file, first)) = states.first() else {
        return Err(ShardError::Coverage("give the folders of the study's shards".to_owned()));
    };
    for (file, s) in &states[1..] {
        let differs = |what| ShardError::OtherStudy { first: first_file.clone(), other: file.clone(), what };
        if s.scenario_toml != first.scenario_toml || s.overrides != first.overrides {
            return Err(differs("scenarios"));
        }
        if s.inputs != first.inputs {
            return Err(differs("inventories"));
        }
        if s.seed != first.seed {
            return Err(differs("seeds"));
        }
        if s.study_replications != first.study_replications {
            return Err(differs("numbers of replications"));
        }
        if s.shard.of != first.shard.of {
            return Err(differs("numbers of shards"));
        }
    }
    let of = first.shard.of;
    let mut seen: BTreeMap<u64, &str> = BTreeMap::new();
    for (file, s) in states {
        if s.shard.index == 0 || s.shard.index > of {
            return Err(ShardError::Coverage(format!("{file}: shard {}/{of} is out of range", s.shard.index)));
        }
        if let Some(other) = seen.insert(s.shard.index, file) {
            return Err(ShardError::Coverage(format!(
                "shard {}/{of} is given twice: {other} and {file}",
                s.shard.index
            )));
        }
        let expected = s.shard.count(s.study_replications);
        if s.replications != expected {
            return Err(ShardError::Coverage(format!(
                "{file}: shard {}/{of} ran {} replications, expected {expected} of {}",
                s.shard.index, s.replications, s.study_replications
            )));
        }
    }
    if seen.len() as u64 != of {
        let missing: Vec<String> = (1..=of).filter(|k| !seen.contains_key(k)).take(20).map(|k| k.to_string()).collect();
        let more = if of - (seen.len() as u64) > missing.len() as u64 { ", …" } else { "" };
        return Err(ShardError::Coverage(format!(
            "the study has {of} shards; missing: {}{more} (run them with --shard K/{of})",
            missing.join(", ")
        )));
    }
    let overrides: Vec<Override> = first
        .overrides
        .iter()
        .map(|o| Override::parse(o).map_err(|m| ShardError::Format { file: first_file.clone(), message: m }))
        .collect::<Result<_, _>>()?;
    let shown = format!("{first_file} (the shards' scenario)");
    let scenario =
        Scenario::from_toml_reading(&first.scenario_toml, &shown, &overrides, &first.carried_files(first_file))?;
    let windows = scenario.windows.list.len();
    let weeks = scenario.month.figure_weeks();
    let mut result = first.result(windows, weeks, first_file)?;
    for (file, s) in &states[1..] {
        result.merge(&s.result(windows, weeks, file)?);
    }
    Ok(MergedStudy { scenario, seed: first.seed, overrides: first.overrides.clone(), shards: of, result })
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
        let mut back = crate::montecarlo::tally::duration_histogram();
        decode_into(&encode(&h).unwrap(), &mut back).unwrap();
        assert_eq!(back.len(), 5);
        assert_eq!(back.max(), h.max());
        assert_eq!(back.value_at_quantile(0.5), h.value_at_quantile(0.5));
        assert!(decode_into("zz", &mut back).is_err());
        // A header with other bounds (here: 5 significant figures) is refused before decoding.
        let other = Histogram::<u64>::new_with_bounds(1, 1 << 40, 5).unwrap();
        let refused = decode_into(&encode(&other).unwrap(), &mut back).unwrap_err();
        assert_eq!(refused, "a histogram's header is not one patchsim writes");
    }
}
