//! Monte Carlo at scale: shards merge to exactly the whole run, `--precision` adds replications
//! until the interval is narrow enough, and the 95% intervals cover the truth 95% of the time.

use std::path::Path;

use crate::common::{comparable_json, scenario, sleep_then_work, summary};
use crate::common::{patchsim, temp_dir};
use serde_json::Value;

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn without_performance(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("performance");
    v
}

const REFERENCE: &str = "scenarios/monthly-server-patching.toml";

#[test]
fn shards_merge_to_exactly_the_whole_run() {
    let dir = temp_dir("montecarlo", "shards");
    let d = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    // 7 replications over 3 shards: 0,3,6 | 1,4 | 2,5 — uneven on purpose, run out of order.
    for k in [2, 3, 1] {
        let out = patchsim(&[
            "run",
            REFERENCE,
            "-r",
            "7",
            "-s",
            "11",
            "-q",
            "--shard",
            &format!("{k}/3"),
            "--out",
            &d(&format!("s{k}")),
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let shard2 = json(&dir.join("s2/summary.json"));
    assert_eq!(shard2["replications"], 2);
    assert_eq!(shard2["shard"]["index"], 2);
    let merge = patchsim(&["merge", &d("s3"), &d("s1"), &d("s2"), "--out", &d("merged")]);
    assert!(merge.status.success(), "{}", String::from_utf8_lossy(&merge.stderr));
    let whole = patchsim(&["run", REFERENCE, "-r", "7", "-s", "11", "-q", "-t", "1", "--out", &d("whole")]);
    assert!(whole.status.success());
    let (merged, whole) = (json(&dir.join("merged/summary.json")), json(&dir.join("whole/summary.json")));
    assert_eq!(merged["performance"]["server_runs"], whole["performance"]["server_runs"]);
    assert_eq!(without_performance(merged), without_performance(whole));
    assert_eq!(std::fs::read(dir.join("merged/load.csv")).unwrap(), std::fs::read(dir.join("whole/load.csv")).unwrap());
}

#[test]
fn merge_refuses_what_is_not_one_whole_study() {
    let dir = temp_dir("montecarlo", "bad-merge");
    let d = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    for (name, seed, shard) in [("a1", "1", "1/2"), ("a2", "1", "2/2"), ("b2", "2", "2/2")] {
        let out = patchsim(&["run", REFERENCE, "-r", "2", "-s", seed, "-q", "--shard", shard, "--out", &d(name)]);
        assert!(out.status.success());
    }
    std::fs::create_dir_all(dir.join("not-a-shard")).unwrap();
    let cases: [(Vec<String>, &str); 5] = [
        (vec![d("a1")], "missing: 2"),
        (vec![d("a1"), d("a1")], "shard 1/2 is given twice"),
        (vec![d("a1"), d("b2")], "their seeds differ"),
        (vec![d("a1"), d("not-a-shard")], "the --out folder of a `patchsim run --shard`"),
        (vec![d("a1"), dir.to_str().unwrap().to_owned()], "is inside the input"),
    ];
    for (dirs, says) in cases {
        let mut args = vec!["merge".to_owned()];
        args.extend(dirs);
        args.extend(["--out".to_owned(), d("out")]);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = patchsim(&refs);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(says), "expected {says:?} in {stderr}");
        assert!(!dir.join("out/summary.json").exists());
    }
    let out = patchsim(&["run", REFERENCE, "-r", "2", "--shard", "3/2"]);
    assert_eq!(out.status.code(), Some(2));
    let out = patchsim(&["run", REFERENCE, "-r", "2", "-q", "--shard", "3/4", "--out", &d("empty")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("the study has 2 replications, so it splits into at most 2 shards"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!dir.join("empty").exists());
}

#[test]
fn precision_adds_replications_until_the_interval_is_narrow_enough() {
    let dir = temp_dir("montecarlo", "precision");
    let out = patchsim(&["run", REFERENCE, "-r", "10", "-q", "--precision", "0.0004", "--out", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = json(&dir.join("summary.json"));
    let p = &s["precision"];
    assert_eq!(p["met"], true);
    let half = p["half_width"].as_f64().unwrap();
    assert!(half <= 0.0004);
    let ci = &s["outcomes"]["overran"]["ci95"];
    assert!(((ci[1].as_f64().unwrap() - ci[0].as_f64().unwrap()) / 2.0 - half).abs() < 1e-15);
    assert!(s["replications"].as_u64().unwrap() > 10, "one batch of 10 cannot be that precise");
    assert!(String::from_utf8_lossy(&out.stdout).contains("is met"));

    let out = patchsim(&[
        "run",
        REFERENCE,
        "-r",
        "5",
        "-q",
        "--precision",
        "0.00001",
        "--max-replications",
        "12",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3), "a precision not reached is exit status 3");
    let s = json(&dir.join("summary.json"));
    assert_eq!(s["precision"]["met"], false);
    assert_eq!(s["replications"], 12);
    assert!(String::from_utf8_lossy(&out.stdout).contains("NOT met: --max-replications 12 reached"));
}

/// Coverage: a case whose answer is known exactly (a uniform sleep of 0–40 minutes before 100
/// minutes of work in a two-hour window overruns with probability 1/2). Over 400 seeds of 10
/// replications each, the 95% interval of the overran share must cover 1/2 about 95% of the
/// time: the count is binomial(400, 0.95), sd ≈ 4.4, so 366 to 394 allows more than ±3 sd.
#[test]
fn ninety_five_percent_intervals_cover_the_truth_95_percent_of_the_time() {
    let s = sleep_then_work(200, "40m");
    let covered = (0..400u64)
        .filter(|seed| {
            let ci = summary(&s, 1_000 + seed, 10, 1).outcomes.overran.ci95;
            ci[0] <= 0.5 && 0.5 <= ci[1]
        })
        .count();
    assert!((366..=394).contains(&covered), "covered {covered} of 400");
}

#[test]
fn results_do_not_depend_on_threads_or_batches() {
    let s = scenario(
        &[("servers = 1", "servers = 500")],
        "\n[[step]]\nname = \"S\"\ntype = \"sleep\"\nduration = { dist = \"exponential\", mean = \"90m\" }\n",
    );
    let one = comparable_json(&summary(&s, 3, 9, 1));
    let two = comparable_json(&summary(&s, 3, 9, 2));
    assert_eq!(one, two);
    // Nine replications in batches of 4 and 5 give the same as nine at once.
    use patchsim::montecarlo::{RunOptions, run, summarize};
    let program = patchsim::sequence::Program::compile(&s);
    let mut a = run(&s, &program, &RunOptions { seed: 3, replications: 4, threads: 2, first: 0, stride: 1 }).unwrap();
    let b = run(&s, &program, &RunOptions { seed: 3, replications: 5, threads: 1, first: 4, stride: 1 }).unwrap();
    a.merge(&b);
    assert_eq!(comparable_json(&summarize(&s, 3, &a)), one);
}

/// Durations far past the histograms' first bounds (1,000 days) are kept: the maximum is never
/// below the mean, and percentiles stay within their 0.1% of the true values.
#[test]
fn runs_longer_than_a_thousand_days_keep_their_maximum_and_percentiles() {
    let s = scenario(
        &[
            ("servers = 1", "servers = 40"),
            ("max_run_time = \"0s\"", "max_run_time = \"0s\"\nstop_at_max_run_time = false"),
        ],
        "\n[[step]]\nname = \"Very long\"\ntype = \"command\"\nduration = { dist = \"uniform\", min = \"1500d\", max = \"3000d\" }\n",
    );
    let summary = summary(&s, 5, 3, 1);
    let d = &summary.duration_minutes;
    let day = 24.0 * 60.0;
    assert!(d.max >= d.mean && d.mean > 1_500.0 * day, "{d:?}");
    assert!(d.max <= 3_000.0 * day * 1.001 && d.p99 <= d.max && d.p50 <= d.p90 && d.p90 <= d.p99, "{d:?}");
    // Every run overran its two-hour window by all but two hours of its duration.
    let o = &summary.overrun_minutes;
    assert!(o.max >= o.mean && (d.max - o.max - 120.0).abs() <= d.max * 0.002, "{o:?} {d:?}");
}
