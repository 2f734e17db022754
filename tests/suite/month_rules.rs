//! The month (docs/model.md, "The month over several weeks"): a weekly grid repeated for
//! `[month] weeks`, a run that does not fit running at its window's next opening, a failed run
//! rerun there ("Rerun if failed previous attempt"), windows given relative to Patch Tuesday,
//! and the figures per week.

use crate::common::{scenario, steps_only, summary, trace};
use patchsim::engine::Outcome;
use patchsim::scenario::Scenario;
use patchsim::scenario::duration::{DAY, HOUR, MINUTE, WEEK};

/// One server whose 10-minute step ends with exit code 1 with probability `fail`.
fn failing(fail: f64, month: &str, deployment: &str) -> Scenario {
    scenario(
        &[("max_run_time = \"0s\"", &format!("max_run_time = \"0s\"\n{deployment}"))],
        &format!(
            r#"
{month}
[[step]]
name = "Work"
type = "command"
duration = "10m"
exit_codes = {{ 0 = {ok}, 1 = {fail} }}
"#,
            ok = 1.0 - fail
        ),
    )
}

/// "Rerun if failed previous attempt": a failed run runs again at the window's next opening,
/// one week later, until the month's weeks run out; "never" keeps the first failure.
#[test]
fn a_failed_run_runs_again_at_the_windows_next_opening() {
    let (lines, record) = trace(&failing(1.0, "[month]\nweeks = 3", ""), 0);
    let week = WEEK / MINUTE;
    assert_eq!(
        steps_only(&lines),
        [
            "0m run started".to_owned(),
            "0m-10m Work failed exit 1".to_owned(),
            "10m run ended failed".to_owned(),
            format!("{week}m run started"),
            format!("{week}m-{}m Work failed exit 1", week + 10),
            format!("{}m run ended failed", week + 10),
            format!("{}m run started", 2 * week),
            format!("{}m-{}m Work failed exit 1", 2 * week, 2 * week + 10),
            format!("{}m run ended failed", 2 * week + 10),
        ]
    );
    assert_eq!((record.outcome, record.runs, record.opening), (Outcome::Failed, 3, 2));
    assert_eq!((record.start, record.end), (2 * WEEK, 2 * WEEK + 10 * MINUTE));
    assert_eq!(
        record.weeks.iter().collect::<Vec<_>>(),
        [(0, Outcome::Failed), (1, Outcome::Failed), (2, Outcome::Failed)]
    );

    let (lines, record) = trace(&failing(1.0, "[month]\nweeks = 3", "rerun = \"never\""), 0);
    assert_eq!(steps_only(&lines).len(), 3, "{lines:?}");
    assert_eq!((record.outcome, record.runs), (Outcome::Failed, 1));
    // Without [month] the month is one week: nothing runs again.
    assert_eq!(trace(&failing(1.0, "", ""), 0).1.runs, 1);
    // A run that succeeds is not rerun.
    assert_eq!(trace(&failing(0.0, "[month]\nweeks = 3", ""), 0).1.runs, 1);
}

/// A failure with probability p each run: after `weeks` runs the month ends failed with
/// probability p^weeks; week k has p^(k−1) of the servers due.
#[test]
fn reruns_over_the_month_match_the_geometric_closed_form() {
    let p: f64 = 0.3;
    let mut s = failing(p, "[month]\nweeks = 3", "");
    s.fleet.servers = 4_000;
    let sum = summary(&s, 7, 5, 2);
    let n = 20_000.0;
    let close = |found: f64, expected: f64, what: &str| {
        let se = (expected * (1.0 - expected) / n).sqrt();
        assert!((found - expected).abs() < 4.5 * se + 1e-9, "{what}: {found} against {expected} ± {}", 4.5 * se);
    };
    close(sum.outcomes.failed.mean, p.powi(3), "failed at the month's end");
    assert_eq!(sum.weeks.len(), 3);
    close(sum.weeks[1].due_mean / 4_000.0, p, "due in week 2");
    close(sum.weeks[2].due_mean / 4_000.0, p * p, "due in week 3");
    close(sum.weeks[0].failed.mean, p, "week 1's failed share");
    close(sum.weeks[2].done_by_end.mean, 1.0 - p.powi(3), "done by the end of week 3");
    assert!(sum.weeks[0].done_by_end.mean < sum.weeks[1].done_by_end.mean);
    // The final outcome counts each server once.
    let total = sum.outcomes.completed_in_window.mean + sum.outcomes.failed.mean;
    assert!((total - 1.0).abs() < 1e-12, "{total}");
    // "never": the first failure stands, and no one is due after week 1.
    let s = {
        let mut s = failing(p, "[month]\nweeks = 3", "rerun = \"never\"");
        s.fleet.servers = 4_000;
        s
    };
    let never = summary(&s, 7, 5, 2);
    close(never.outcomes.failed.mean, p, "failed without reruns");
    assert_eq!(never.weeks[1].due_mean, 0.0);
}

/// "A deployment runs only if its maximum allowed run time doesn't exceed the duration of the
/// window. If the deployment fails to run … It then reruns the deployment during the next
/// scheduled maintenance window that has available time": a start delay of U(0, 2m) and a
/// maximum run time of 119 minutes in a two-hour window fit half the time, so (1/2)^weeks of the
/// servers never start.
#[test]
fn a_run_that_does_not_fit_tries_the_next_opening() {
    let s = |weeks: u32| {
        let mut s = scenario(
            &[(
                "max_run_time = \"0s\"",
                "max_run_time = \"119m\"\nstart_delay = { dist = \"uniform\", min = \"0s\", max = \"2m\" }",
            )],
            &format!("[month]\nweeks = {weeks}\n[[step]]\nname = \"Work\"\ntype = \"command\"\nduration = \"10m\"\n"),
        );
        s.fleet.servers = 4_000;
        s
    };
    let n = 20_000.0;
    for weeks in [1, 2, 4] {
        let sum = summary(&s(weeks), 3, 5, 2);
        let expected = 0.5f64.powi(weeks as i32);
        let se = (expected * (1.0 - expected) / n).sqrt();
        let found = sum.outcomes.not_started.mean;
        assert!((found - expected).abs() < 4.5 * se, "{weeks} weeks: {found} against {expected}");
        assert_eq!(sum.weeks.len(), if weeks == 1 { 0 } else { weeks as usize });
        if weeks > 1 {
            let last = &sum.weeks[weeks as usize - 1];
            assert!((last.not_started.mean - 0.5).abs() < 0.05, "{}", last.not_started.mean);
            assert!((last.started_mean - last.due_mean * (1.0 - last.not_started.mean)).abs() < 1e-6);
        }
    }
    // Never fits (100m + a 25m countdown in two hours): no opening starts it.
    let never = scenario(
        &[("max_run_time = \"0s\"", "max_run_time = \"100m\"\ncountdown = \"25m\"")],
        "[month]\nweeks = 3\n[[step]]\nname = \"Work\"\ntype = \"command\"\nduration = \"10m\"\n",
    );
    let (lines, record) = trace(&never, 0);
    assert!(lines.is_empty(), "{lines:?}");
    assert_eq!((record.outcome, record.runs), (Outcome::NotStarted, 0));
    assert_eq!(record.weeks.iter().map(|(_, o)| o).collect::<Vec<_>>(), [Outcome::NotStarted; 3]);
}

/// Windows relative to Patch Tuesday open once a month: time 0 is the Monday before Patch
/// Tuesday, `PT+3 02:00` opens on day 4 at 02:00, and the month spans the weeks they reach.
#[test]
fn windows_after_patch_tuesday_open_once_and_span_the_weeks() {
    let mut s = scenario(
        &[("days = [\"Mon\"]", "days = [\"PT+3\", \"PT+10\"]"), ("starts = [\"00:00\"]", "starts = [\"02:00\"]")],
        "[[step]]\nname = \"Work\"\ntype = \"command\"\nduration = \"10m\"\nexit_codes = { 0 = 0.5, 1 = 0.5 }\n",
    );
    let names: Vec<&str> = s.windows.list.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, ["PT+3 02:00", "PT+10 02:00"]);
    assert_eq!(s.windows.list[0].start, 4 * DAY + 2 * HOUR);
    assert_eq!(s.windows.list[1].start, 11 * DAY + 2 * HOUR);
    assert_eq!((s.month.span, s.month.openings()), (2, 1));
    s.fleet.servers = 100;
    let sum = summary(&s, 1, 4, 1);
    assert_eq!(sum.weeks.len(), 2);
    assert_eq!((sum.weeks[0].due_mean, sum.weeks[1].due_mean), (50.0, 50.0), "even assignment");
    assert_eq!(sum.windows[0].day, "PT+3");
    // A failed run has no later opening this month.
    let (_, record) = trace(&s, 1);
    assert_eq!(record.runs, 1);
}

#[test]
fn month_settings_are_checked() {
    let bad = |replace: &[(&str, &str)], body: &str| {
        let mut text = String::from(crate::common::BASE);
        for (from, to) in replace {
            text = text.replace(from, to);
        }
        text.push_str(body);
        text.push_str("[[step]]\nname = \"W\"\ntype = \"command\"\nduration = \"1m\"\n");
        Scenario::from_toml(&text, "m.toml").expect_err("refused").to_string()
    };
    let e = bad(&[], "[month]\nweeks = 6\n");
    assert!(e.contains("m.toml:") && e.contains("month.weeks"), "{e}");
    let e = bad(&[], "[month]\nweeks = 2\nlength = 3\n");
    assert!(e.contains("length"), "{e}");
    let e = bad(&[("days = [\"Mon\"]", "days = [\"PT+3\"]")], "[month]\nweeks = 2\n");
    assert!(e.contains("once a month"), "{e}");
    let e = bad(&[("days = [\"Mon\"]", "days = [\"PT+3\", \"Sat\"]")], "");
    assert!(e.contains("not both"), "{e}");
    let e = bad(&[("days = [\"Mon\"]", "days = [\"PT+30\"]")], "");
    assert!(e.contains("from 0 to 27"), "{e}");
    let e = bad(&[("max_run_time = \"0s\"", "max_run_time = \"0s\"\nrerun = \"always\"")], "");
    assert!(e.contains("deployment.rerun") && e.contains("\"never\""), "{e}");
}

/// With shared resources the fleet runs coupled: a rerun goes back on the event queue at the
/// next opening, and with room for everyone each server's runs are those of the independent
/// path, week by week, on any thread count.
#[test]
fn coupled_servers_run_again_as_independent_ones_do() {
    use crate::common::comparable_json;
    use patchsim::scenario::NodeKind;
    use patchsim::scenario::resource::{Capacity, Resource, ResourceAssign, ResourceKind, Uses};
    let mut alone = failing(0.4, "[month]\nweeks = 3", "");
    alone.fleet.servers = 30;
    let mut roomy = alone.clone();
    roomy.resources = vec![Resource {
        name: "host".to_owned(),
        kind: ResourceKind::Shared { capacity: Capacity::Concurrent(1000.0), per_user: Some(1.0) },
        instances: 1,
        assign: ResourceAssign::Even,
        outages: Vec::new(),
    }];
    let NodeKind::Step(step) = &mut roomy.steps[0].kind else { panic!("a step") };
    step.uses = Uses { run: Some(0), ..Uses::default() };
    let mut reruns = 0;
    for server in 0..30 {
        let (a, ra) = trace(&alone, server);
        let (b, rb) = trace(&roomy, server);
        assert_eq!(steps_only(&a), steps_only(&b), "server {server}");
        assert_eq!((ra.outcome, ra.runs, ra.weeks, ra.end), (rb.outcome, rb.runs, rb.weeks, rb.end));
        reruns += ra.runs - 1;
    }
    assert!(reruns > 5, "the case reruns: {reruns}");
    assert_eq!(comparable_json(&summary(&roomy, 5, 4, 1)), comparable_json(&summary(&roomy, 5, 4, 2)));
    let (a, b) = (summary(&alone, 5, 4, 1), summary(&roomy, 5, 4, 1));
    assert_eq!(serde_json::to_value(&a.weeks).ok(), serde_json::to_value(&b.weeks).ok());
}
