//! `patchsim sweep`: the headline figures across values of one field, each value run with the
//! same seed and replications (common random numbers), so neighbouring rows differ by the field,
//! not by chance.

use serde::{Deserialize, Serialize};

use crate::input::InputError;
use crate::montecarlo::Figure;
use crate::montecarlo::runner::{RunError, RunOptions, run};
use crate::montecarlo::statistics::HEADLINE;
use crate::montecarlo::summarize;
use crate::montecarlo::summary::EstimateFigures;
use crate::scenario::Scenario;
use crate::scenario::duration::{format_duration, parse_duration};
use crate::scenario::overrides::Override;
use crate::scenario::overrides::number_text;
use crate::sequence::Program;

/// The values a sweep takes.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepSpec {
    /// The field (a dotted path into the scenario).
    pub key: String,
    /// Each value as written on the command line (or made from a range).
    pub values: Vec<String>,
    /// Each value as a number for the chart's axis (durations in minutes), when they all are.
    pub numeric: Option<Vec<f64>>,
}

/// Splits `V1,V2,…` at commas outside quotes, braces and brackets.
fn split_list(text: &str) -> Vec<String> {
    let (mut out, mut current, mut depth, mut quote) = (Vec::new(), String::new(), 0i32, None::<char>);
    for c in text.chars() {
        match (c, quote) {
            ('"' | '\'', None) => quote = Some(c),
            (q, Some(open)) if q == open => quote = None,
            ('{' | '[', None) => depth += 1,
            ('}' | ']', None) => depth -= 1,
            (',', None) if depth == 0 => {
                out.push(current.trim().to_owned());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    out.push(current.trim().to_owned());
    out
}

impl SweepSpec {
    /// Parses `KEY=V1,V2,…` or `KEY=FROM..TO:STEP` (numbers or durations).
    pub fn parse(text: &str) -> Result<Self, String> {
        Self::of(&Override::parse(text)?)
    }

    /// The sweep of one `--set`, and the `--set`s that fix other fields: exactly one `--set`
    /// must have several values.
    pub fn from_sets(sets: &[Override]) -> Result<(Self, Vec<Override>), String> {
        let mut swept: Vec<Self> = Vec::new();
        let mut fixed: Vec<Override> = Vec::new();
        for o in sets {
            let spec = Self::of(o)?;
            if spec.values.len() > 1 { swept.push(spec) } else { fixed.push(o.clone()) }
        }
        match swept.len() {
            1 => Ok((swept.remove(0), fixed)),
            0 => {
                Err("give one --set KEY=V1,V2,… or --set KEY=FROM..TO:STEP with more than one value to sweep"
                    .to_owned())
            }
            n => Err(format!("sweep one field at a time: {n} --set options have several values")),
        }
    }

    /// The values of one `--set KEY=V1,V2,…` or `KEY=FROM..TO:STEP`.
    fn of(o: &Override) -> Result<Self, String> {
        let v = o.value.trim();
        if let Some((range, step)) = v.split_once(':')
            && let Some((from, to)) = range.split_once("..")
        {
            return Self::range(&o.key, from.trim(), to.trim(), step.trim());
        }
        let values = split_list(v);
        if values.iter().any(String::is_empty) {
            return Err(format!("\"{v}\": an empty value in the list"));
        }
        let numeric = values
            .iter()
            .map(|x| x.parse::<f64>().ok().or_else(|| parse_duration(x).ok().map(|ms| ms as f64 / 60_000.0)))
            .collect::<Option<Vec<f64>>>();
        Ok(Self { key: o.key.clone(), values, numeric })
    }

    fn range(key: &str, from: &str, to: &str, step: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "\"{from}..{to}:{step}\": write FROM..TO:STEP with numbers (1000..5000:1000) or durations (0m..40m:10m)"
            )
        };
        if let (Ok(a), Ok(b), Ok(s)) = (from.parse::<f64>(), to.parse::<f64>(), step.parse::<f64>()) {
            if s <= 0.0 || b < a {
                return Err(format!("{from}..{to}:{step}: the step must be positive and TO at least FROM"));
            }
            let n = ((b - a) / s + 1e-9).floor() as usize + 1;
            if n > 1_000 {
                return Err(format!("{from}..{to}:{step} makes {n} values; at most 1,000"));
            }
            let numbers: Vec<f64> = (0..n).map(|i| a + i as f64 * s).collect();
            let integers = [from, to, step].iter().all(|t| !t.contains(['.', 'e', 'E']));
            let values = numbers
                .iter()
                .map(|x| if integers { format!("{}", x.round() as i64) } else { number_text(*x) })
                .collect();
            return Ok(Self { key: key.to_owned(), values, numeric: Some(numbers) });
        }
        let (a, b, s) = (
            parse_duration(from).map_err(|_| bad())?,
            parse_duration(to).map_err(|_| bad())?,
            parse_duration(step).map_err(|_| bad())?,
        );
        if s == 0 || b < a {
            return Err(format!("{from}..{to}:{step}: the step must be positive and TO at least FROM"));
        }
        let n = ((b - a) / s) as usize + 1;
        if n > 1_000 {
            return Err(format!("{from}..{to}:{step} makes {n} values; at most 1,000"));
        }
        let ms: Vec<u64> = (0..n as u64).map(|i| a + i * s).collect();
        Ok(Self {
            key: key.to_owned(),
            values: ms.iter().map(|x| format_duration(*x)).collect(),
            numeric: Some(ms.iter().map(|x| *x as f64 / 60_000.0).collect()),
        })
    }
}

/// One value of a sweep and the headline figures it gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepRow {
    /// The value as written.
    pub value: String,
    /// The value on the chart's axis, when numeric.
    pub x: Option<f64>,
    /// Every headline figure, in [`HEADLINE`] order.
    pub figures: Vec<(Figure, EstimateFigures)>,
}

/// A finished sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    /// The scenario's name.
    pub scenario: String,
    /// The swept field.
    pub key: String,
    /// The seed of every value.
    pub seed: u64,
    /// Replications of every value.
    pub replications: u64,
    /// One row per value, in the order given.
    pub rows: Vec<SweepRow>,
}

/// A sweep that could not be run.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// A value made the scenario invalid.
    #[error(transparent)]
    Scenario(#[from] InputError),
    /// A run failed.
    #[error(transparent)]
    Run(#[from] RunError),
}

/// How to run each value of a sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepRuns {
    /// Seed (default: the scenario's).
    pub seed: Option<u64>,
    /// Replications (default: the scenario's).
    pub replications: Option<u64>,
    /// Worker threads (0: one per core).
    pub threads: usize,
}

/// Runs the scenario (`text`, read from `file`) once per value of `spec`; `fixed` are other
/// `--set`s applied to every run; `on_row` sees each row as it is done.
pub fn run_sweep(
    text: &str,
    file: &str,
    fixed: &[Override],
    spec: &SweepSpec,
    runs: SweepRuns,
    mut on_row: impl FnMut(&SweepRow),
) -> Result<Sweep, SweepError> {
    let SweepRuns { seed, replications, threads } = runs;
    let mut rows = Vec::with_capacity(spec.values.len());
    let (mut seed_used, mut reps_used, mut name) = (0, 0, String::new());
    for (i, value) in spec.values.iter().enumerate() {
        let mut overrides = fixed.to_vec();
        overrides.push(Override { key: spec.key.clone(), value: value.clone() });
        let scenario = Scenario::from_toml_with(text, file, &overrides)?;
        let program = Program::compile(&scenario);
        let s = seed.unwrap_or(scenario.run.seed);
        let r = replications.unwrap_or(u64::from(scenario.run.replications));
        let result = run(&scenario, &program, &RunOptions::new(s, r, threads))?;
        let summary = summarize(&scenario, s, &result);
        (seed_used, reps_used, name) = (s, r, scenario.name.clone());
        let figures = HEADLINE.iter().filter_map(|f| summary.estimates.get(f).map(|e| (*f, *e))).collect();
        let row = SweepRow { value: value.clone(), x: spec.numeric.as_ref().map(|n| n[i]), figures };
        on_row(&row);
        rows.push(row);
    }
    Ok(Sweep { scenario: name, key: spec.key.clone(), seed: seed_used, replications: reps_used, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_ranges_parse() {
        let s = SweepSpec::parse("fleet.servers=1000,2000,4000").unwrap();
        assert_eq!(s.values, ["1000", "2000", "4000"]);
        assert_eq!(s.numeric, Some(vec![1000.0, 2000.0, 4000.0]));
        let s = SweepSpec::parse("step.0.duration.max=0m..40m:10m").unwrap();
        assert_eq!(s.values, ["0s", "10m", "20m", "30m", "40m"]);
        assert_eq!(s.numeric, Some(vec![0.0, 10.0, 20.0, 30.0, 40.0]));
        let s = SweepSpec::parse("fleet.offline=0..0.1:0.05").unwrap();
        assert_eq!(s.values, ["0", "0.05", "0.1"]);
        let s = SweepSpec::parse("step.0.duration={ dist = \"uniform\", min = \"0m\", max = \"10m\" },5m").unwrap();
        assert_eq!(s.values.len(), 2);
        assert_eq!(s.numeric, None);
        assert!(SweepSpec::parse("fleet.servers=5..1:1").is_err());
        assert!(SweepSpec::parse("fleet.servers=1..5:0").is_err());
        assert!(SweepSpec::parse("fleet.servers=1,,2").is_err());
        assert!(SweepSpec::parse("windows.length=1h..soon:1h").is_err());
    }
}
