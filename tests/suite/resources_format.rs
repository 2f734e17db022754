//! Format 1.1 shared resources as a scenario writes them (`[[resource]]`, a step's `uses` and
//! `download`, `scan_cached`, `[restart] uses`, `--set resource.NAME.KEY`): a scenario using every
//! key loads into exactly the values it says, and every mistake is an error that names the line
//! and the key. (The engine does not simulate resources yet: this is the reading only.)

use std::path::PathBuf;

use patchsim::input::InputError;
use patchsim::report::assumptions::describe;
use patchsim::scenario::duration::{DAY, HOUR, MINUTE};
use patchsim::scenario::overrides::Override;
use patchsim::scenario::resource::{
    Capacity, Download, Resource, ResourceAssign, ResourceKind, ResourceOutage, SizeDist, Uses,
};
use patchsim::scenario::{Action, DurationDist, Node, NodeKind, Scenario, Step};

use crate::common::{BASE, scenario, temp_dir};

/// The inventory of the inventory tests: four servers, two hosts, h2 first.
const SERVERS_CSV: &str = "name,window,Host,Site\nWEB01,Mon 00:00,h2,eu\nWEB02,Mon 00:00,h1,eu\n\nSQL01,Mon 00:00,h2,us\nSQL02,Mon 00:00,h1,us\n";

/// [`BASE`] with its windows assigned from `servers.csv` (and no `servers`).
fn inventory_base() -> String {
    BASE.replace("servers = 1\n", "")
        .replace("length = \"2h\"\n", "length = \"2h\"\nassign = { inventory = \"servers.csv\" }\n")
}

/// Writes `text` as `s.toml` and `csv` as `servers.csv` in a folder of their own and loads it,
/// with `overrides`; also returns the scenario file's path.
fn load_with_inventory(
    name: &str,
    text: &str,
    csv: &str,
    overrides: &[&str],
) -> (Result<Scenario, InputError>, PathBuf) {
    let dir = temp_dir("resources_format", name);
    std::fs::write(dir.join("servers.csv"), csv).expect("write inventory");
    let file = dir.join("s.toml");
    std::fs::write(&file, text).expect("write scenario");
    let overrides: Vec<Override> = overrides.iter().map(|o| Override::parse(o).expect("override")).collect();
    (Scenario::load_with(&file, &overrides).map(|(s, _)| s), file)
}

/// The scenario that uses every format 1.1 key.
fn every_key() -> String {
    inventory_base().replace("[restart]\nduration = \"10m\"\n", "[restart]\nduration = \"10m\"\nuses = \"Host\"\n")
        + r#"
[[resource]]
name = "dp"
kind = "shared"
instances = 3
assign = "even"
capacity = "1Gbps"
per_user = "100Mbps"
outages = [
  { instance = 1, at = "Mon 01:00", length = "30m" },
  { instance = "all", at = "Tue 02:00", length = "1h" },
  { at = "Wed 03:30", length = "5m" },
]

[[step]]
name = "Pre-patch script"
type = "command"
duration = "2m"
uses = { run = "licences" }

[[resource]]
name = "sup"
kind = "slots"
instances = 2
assign = "random"
slots = 4
queue = 10
retry_after = "2m"
retries = 5

[[resource]]
name = "host"
kind = "shared"
instances = 2
assign = { inventory = "host" }
capacity = 4
per_user = 0.5
outages = [{ instance = "h1", at = "Sun 23:00", length = "2h" }]

[[resource]]
name = "licences"
kind = "slots"
slots = 1

[[resource]]
name = "cdn"
kind = "shared"
capacity = "125MB/s"

[[resource]]
name = "san"
kind = "shared"
capacity = 2.5

[[step]]
name = "Install updates"
type = "install_updates"
items = 3
scan = "1m"
per_item = "2m"
uses = { scan = "sup", download = "DP", install = "host" }
download = { size = { dist = "lognormal", median = "650MB", p95 = "900MB" }, cached = 0.25 }

[[step]]
group = "Second pass"
  [[step.steps]]
  name = "Install updates again"
  type = "install_updates"
  items = 1
  per_item = "1m"
  scan_cached = true
  uses = { scan = "sup" }
  [[step.steps]]
  name = "Agent"
  type = "install_software"
  items = 2
  per_item = "30s"
  uses = { download = "cdn", install = "san" }
  download = { size = "1.5KB" }

[[step]]
name = "Restart"
type = "restart"
uses = { restart = "san" }

[[step]]
name = "Host work"
type = "command"
duration = "1m"
uses = { run = "san" }
"#
}

fn step(node: &Node) -> &Step {
    match &node.kind {
        NodeKind::Step(step) => step,
        NodeKind::Group(_) => panic!("{} is a group", node.name),
    }
}

#[test]
fn a_scenario_using_every_key_loads_into_exactly_what_it_says() {
    let (loaded, _) = load_with_inventory("every_key", &every_key(), SERVERS_CSV, &[]);
    let s = loaded.unwrap_or_else(|e| panic!("{e}"));
    let expected = vec![
        Resource {
            name: "dp".into(),
            kind: ResourceKind::Shared { capacity: Capacity::Rate(125_000.0), per_user: Some(12_500.0) },
            instances: 3,
            assign: ResourceAssign::Even,
            outages: vec![
                ResourceOutage { instance: Some(1), at: HOUR, length: 30 * MINUTE },
                ResourceOutage { instance: None, at: DAY + 2 * HOUR, length: HOUR },
                ResourceOutage { instance: None, at: 2 * DAY + 3 * HOUR + 30 * MINUTE, length: 5 * MINUTE },
            ],
        },
        Resource {
            name: "sup".into(),
            kind: ResourceKind::Slots { slots: 4, queue: Some(10), retry_after: 2 * MINUTE, retries: 5 },
            instances: 2,
            assign: ResourceAssign::Random,
            outages: vec![],
        },
        Resource {
            name: "host".into(),
            kind: ResourceKind::Shared { capacity: Capacity::Concurrent(4.0), per_user: Some(0.5) },
            instances: 2,
            assign: ResourceAssign::Inventory {
                column: "Host".into(),
                names: vec!["h2".into(), "h1".into()],
                of_server: vec![0, 1, 0, 1],
            },
            outages: vec![ResourceOutage { instance: Some(1), at: 6 * DAY + 23 * HOUR, length: 2 * HOUR }],
        },
        Resource {
            name: "licences".into(),
            kind: ResourceKind::Slots { slots: 1, queue: None, retry_after: 5 * MINUTE, retries: 3 },
            instances: 1,
            assign: ResourceAssign::Even,
            outages: vec![],
        },
        Resource {
            name: "cdn".into(),
            kind: ResourceKind::Shared { capacity: Capacity::Rate(125_000.0), per_user: None },
            instances: 1,
            assign: ResourceAssign::Even,
            outages: vec![],
        },
        Resource {
            name: "san".into(),
            kind: ResourceKind::Shared { capacity: Capacity::Concurrent(2.5), per_user: Some(1.0) },
            instances: 1,
            assign: ResourceAssign::Even,
            outages: vec![],
        },
    ];
    assert_eq!(s.resources, expected);
    assert_eq!(s.restart.uses, Some(2), "[restart] uses = \"Host\" names `host` (names compare ignoring case)");

    let none = Uses::default();
    assert_eq!(step(&s.steps[0]).uses, Uses { run: Some(3), ..none }, "a resource declared after its step");
    assert_eq!(step(&s.steps[0]).download, None);

    let install = step(&s.steps[1]);
    assert_eq!(install.uses, Uses { scan: Some(1), download: Some(0), install: Some(2), ..none });
    assert_eq!(
        install.download,
        Some(Download {
            size: SizeDist(DurationDist::lognormal(650_000_000, 900_000_000).expect("lognormal")),
            cached: 0.25
        })
    );
    let Action::InstallUpdates(settings) = &install.action else { panic!("not install_updates") };
    assert!(!settings.scan_cached);

    let NodeKind::Group(pass) = &s.steps[2].kind else { panic!("not a group") };
    let again = step(&pass[0]);
    assert_eq!(again.uses, Uses { scan: Some(1), ..none });
    let Action::InstallUpdates(settings) = &again.action else { panic!("not install_updates") };
    assert!(settings.scan_cached);
    let agent = step(&pass[1]);
    assert_eq!(agent.uses, Uses { download: Some(4), install: Some(5), ..none });
    assert_eq!(agent.download, Some(Download { size: SizeDist(DurationDist::Fixed(1_500)), cached: 0.0 }));

    assert_eq!(step(&s.steps[3]).uses, Uses { restart: Some(5), ..none });
    assert_eq!(step(&s.steps[4]).uses, Uses { run: Some(5), ..none }, "a run on a shared numeric capacity");
}

#[test]
fn validate_lists_the_resources_and_what_each_step_uses() {
    let (loaded, _) = load_with_inventory("validate", &every_key(), SERVERS_CSV, &[]);
    let text = describe(&loaded.unwrap_or_else(|e| panic!("{e}")));
    for line in [
        "Restart: 10m; 0.000% hang; every restart runs on \"host\"\n",
        "\nResources: 6\n",
        "  \"dp\": shared, 3 instances, capacity 1Gbps (125MB/s), an activity gets at most 100Mbps; assigned evenly (fleet index mod 3)\n",
        "    outage: instance 1 down Mon 01:00 for 30m\n    outage: every instance down Tue 02:00 for 1h\n",
        "  \"sup\": slots, 2 instances, 4 slots, queue 10; a refused request is tried again after 2m, 5 times at most; assigned at random\n",
        "  \"host\": shared, 2 instances, capacity 4 concurrent at full speed, an activity gets at most 50% of full speed; assigned by the inventory column Host (h2, h1)\n",
        "  \"licences\": slots, 1 instance, 1 slot, unbounded queue (never refused); every server uses it\n",
        "  \"cdn\": shared, 1 instance, capacity 1Gbps (125MB/s), no cap an activity; every server uses it\n",
        "1. \"Pre-patch script\": command 2m; run on \"licences\"\n",
        "2. \"Install updates\": install_updates items 3, scan 1m, each 2m; scan on \"sup\", download on \"dp\", install on \"host\"; downloads lognormal median 650MB p95 900MB an item, 25% cached\n",
        "3.1. \"Install updates again\": install_updates items 1, scan 0s, each 1m; scan on \"sup\"; scan reads the previous scan's results\n",
        "3.2. \"Agent\": install_software items 2, each 30s; download on \"cdn\", install on \"san\"; downloads 1.5KB an item, 0% cached\n",
    ] {
        assert!(text.contains(line), "validate shows {line:?}; it shows:\n{text}");
    }
    // Without resources, nothing about them.
    let plain = describe(&scenario(&[], "[[step]]\nname = \"s\"\ntype = \"sleep\"\nduration = \"1m\"\n"));
    assert!(!plain.contains("Resources") && !plain.contains("runs on"), "{plain}");
    assert!(plain.contains("Restart: 10m; 0.000% hang\n"), "{plain}");
}

#[test]
fn set_changes_a_resource_by_name() {
    let (loaded, _) = load_with_inventory(
        "set",
        &every_key(),
        SERVERS_CSV,
        &[
            "resource.dp.instances=5",
            "resource.DP.capacity=2Gbps",
            "resource.dp.per_user=1Gbps",
            "resource.sup.slots=8",
            "resource.sup.queue=0",
            "resource.sup.retry_after=30s",
            "resource.sup.retries=0",
            "resource.san.capacity=16",
            "resource.san.per_user=0.25",
        ],
    );
    let s = loaded.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.resources[0].instances, 5);
    assert_eq!(
        s.resources[0].kind,
        ResourceKind::Shared { capacity: Capacity::Rate(250_000.0), per_user: Some(125_000.0) }
    );
    assert_eq!(s.resources[1].kind, ResourceKind::Slots { slots: 8, queue: Some(0), retry_after: 30_000, retries: 0 });
    assert_eq!(
        s.resources[5].kind,
        ResourceKind::Shared { capacity: Capacity::Concurrent(16.0), per_user: Some(0.25) }
    );

    for (set, says) in [
        (
            "resource.nope.instances=2",
            "--set resource.nope.instances=2: the scenario declares no resource \"nope\"; [[resource]] declares: dp, sup, host, licences, cdn, san",
        ),
        (
            "resource.dp.instances=0",
            "--set resource.dp.instances=0: key `resource.0.instances`: must be at least 1, found 0",
        ),
        (
            "resource.dp.capacity=2GB",
            "--set resource.dp.capacity=2GB: key `resource.0.capacity`: rate \"2GB\" is an amount, not a rate: write it a second, e.g. \"2GB/s\"",
        ),
        (
            "resource.sup.capacity=4",
            "--set resource.sup.capacity=4: key `resource.1.capacity`: `capacity` applies to shared resources; \"sup\" is a slots resource (kind = \"slots\"), which takes slots, queue, retry_after, retries",
        ),
        (
            "resource.dp.kind=slots",
            "--set resource.dp.kind=slots: `resource.dp.kind`: a resource named in --set takes one of instances, capacity, per_user, slots, queue, retry_after, retries, e.g. resource.dp.instances=3; write resource.0.… (by its number) to change anything else",
        ),
        (
            "resource.host.instances=3",
            "--set resource.host.instances=3: key `resource.2.instances`: says 3 instances, but the inventory column \"Host\" names 2 instances (h2, h1); leave `instances` out to take the column's count",
        ),
    ] {
        let (loaded, _) = load_with_inventory("set_errors", &every_key(), SERVERS_CSV, &[set]);
        assert_eq!(loaded.expect_err(set).to_string(), says);
    }
}

/// Loads [`BASE`] followed by `body` (no inventory) and returns its error.
fn error_of(body: &str) -> (InputError, String) {
    let text = format!("{BASE}{body}");
    match Scenario::from_toml(&text, "rule.toml") {
        Ok(_) => panic!("loads, but should not:\n{body}"),
        Err(e) => (e, text),
    }
}

/// The error of [`BASE`] + `body` is at the line of `marker` (its first occurrence in `body`),
/// about `key`, and says `says` (the whole message).
#[track_caller]
fn mistake(body: &str, marker: &str, key: &str, says: &str) {
    let (err, text) = error_of(body);
    let at = BASE.len() + body.find(marker).unwrap_or_else(|| panic!("marker {marker:?} not in the body"));
    let line = text[..at].matches('\n').count() + 1;
    assert_eq!(
        (err.file.as_str(), err.line, err.key.as_deref(), err.message.as_str()),
        ("rule.toml", Some(line), Some(key), says),
        "{body}"
    );
}

const SLEEP: &str = "[[step]]\nname = \"s\"\ntype = \"sleep\"\nduration = \"1m\"\n";

/// A shared rate `dp`, a shared numeric `host` and a slots `sup`, then `steps`.
fn with_resources(steps: &str) -> String {
    format!(
        "[[resource]]\nname = \"dp\"\nkind = \"shared\"\ncapacity = \"1Gbps\"\n[[resource]]\nname = \"host\"\nkind = \"shared\"\ncapacity = 4\n[[resource]]\nname = \"sup\"\nkind = \"slots\"\nslots = 2\n{steps}"
    )
}

#[test]
fn mistakes_in_a_resource_name_the_line_and_key() {
    let shared =
        |extra: &str| format!("[[resource]]\nname = \"dp\"\nkind = \"shared\"\ncapacity = \"1Gbps\"\n{extra}{SLEEP}");
    let slots = |extra: &str| format!("[[resource]]\nname = \"sup\"\nkind = \"slots\"\nslots = 2\n{extra}{SLEEP}");
    let numeric =
        |extra: &str| format!("[[resource]]\nname = \"host\"\nkind = \"shared\"\ncapacity = 4\n{extra}{SLEEP}");
    mistake(
        &shared("capactiy = 4\n"),
        "capactiy",
        "resource.0.capactiy",
        "unknown key `capactiy` in `resource.0` (did you mean `capacity`?)",
    );
    mistake(
        &shared("slots = 2\n"),
        "slots",
        "resource.0.slots",
        "`slots` applies to slots resources; \"dp\" is a shared resource (kind = \"shared\"), which takes capacity, per_user",
    );
    mistake(
        &slots("per_user = 0.5\n"),
        "per_user",
        "resource.0.per_user",
        "`per_user` applies to shared resources; \"sup\" is a slots resource (kind = \"slots\"), which takes slots, queue, retry_after, retries",
    );
    mistake(
        &numeric("per_user = 1.5\n"),
        "per_user",
        "resource.0.per_user",
        "with a numeric capacity `per_user` is a share of full speed: more than 0 and at most 1, found 1.5",
    );
    mistake(
        &numeric("per_user = 0\n"),
        "per_user",
        "resource.0.per_user",
        "with a numeric capacity `per_user` is a share of full speed: more than 0 and at most 1, found 0",
    );
    mistake(
        &numeric("per_user = \"100Mbps\"\n"),
        "per_user",
        "resource.0.per_user",
        "the capacity is a number of concurrent activities, so `per_user` is a share of full speed, more than 0 and at most 1 (e.g. 0.5), found a string",
    );
    mistake(
        &shared("per_user = 0.5\n"),
        "per_user",
        "resource.0.per_user",
        "the capacity is a rate, so `per_user` is one too: the most one activity gets, e.g. \"100Mbps\"",
    );
    mistake(
        &shared("instances = 2\noutages = [{ instance = 2, at = \"Tue 02:00\", length = \"30m\" }]\n"),
        "outages",
        "resource.0.outages.0.instance",
        "there is no instance 2: \"dp\" has 2 instances (instances 0 to 1)",
    );
    mistake(
        &shared("outages = [{ instance = \"dp1\", at = \"Tue 02:00\", length = \"30m\" }]\n"),
        "outages",
        "resource.0.outages.0.instance",
        "unknown instance \"dp1\"; write an instance number (instance 0) or \"all\"",
    );
    mistake(
        &shared("outages = [{ at = \"Tue 2am\", length = \"30m\" }]\n"),
        "outages",
        "resource.0.outages.0.at",
        "\"2am\" is not a time of day: write HH:MM from 00:00 to 23:59, e.g. \"04:00\"",
    );
    mistake(
        &shared("outages = [{ at = \"Tue 02:00\", length = \"0s\" }]\n"),
        "outages",
        "resource.0.outages.0.length",
        "an outage must last longer than 0s",
    );
    mistake(
        &shared("assign = { inventory = \"Host\" }\n"),
        "assign",
        "resource.0.assign.inventory",
        "takes each server's instance from the inventory column \"Host\", but [windows] reads no inventory: assign the windows with { inventory = \"servers.csv\" }, or assign this resource \"even\" or \"random\"",
    );
    mistake(
        &shared("assign = \"round-robin\"\n"),
        "assign",
        "resource.0.assign",
        "unknown assignment \"round-robin\"; use \"even\" (the server's fleet index modulo instances), \"random\", or { inventory = \"Column\" } (the instance named in that inventory column)",
    );
    mistake(&shared("instances = 0\n"), "instances", "resource.0.instances", "must be at least 1, found 0");
    mistake(
        &shared("instances = 100001\n"),
        "instances",
        "resource.0.instances",
        "100001 is absurdly large (at most 100000)",
    );
    mistake(
        "[[resource]]\nname = \"dp\"\nkind = \"queue\"\n",
        "kind = \"queue\"",
        "resource.0.kind",
        "unknown kind \"queue\"; use \"shared\" (activities share a capacity, like a distribution point's bandwidth or a host's CPU) or \"slots\" (a few requests served at once, the rest queue, like the software update point)",
    );
    mistake(
        "[[resource]]\nname = \"dp\"\n",
        "[[resource]]",
        "resource.0.kind",
        "missing required key `kind` in `resource.0`",
    );
    mistake(
        "[[resource]]\nname = \"dp\"\nkind = \"shared\"\n",
        "[[resource]]",
        "resource.0.capacity",
        "a shared resource needs `capacity`: a rate such as \"1Gbps\" (work is bytes) or a number of concurrent full-speed activities such as 4 (work is time)",
    );
    mistake(
        "[[resource]]\nname = \"sup\"\nkind = \"slots\"\n",
        "[[resource]]",
        "resource.0.slots",
        "a slots resource needs `slots`: how many requests it serves at once (1 or more)",
    );
    mistake(
        &shared("").replace("\"1Gbps\"", "\"100\""),
        "\"100\"",
        "resource.0.capacity",
        "rate \"100\" has no unit after 100: write \"100Mbps\" for megabits a second or \"100MB/s\" for megabytes a second",
    );
    mistake(
        &shared("").replace("\"1Gbps\"", "0"),
        "capacity = 0",
        "resource.0.capacity",
        "must be more than 0, found 0",
    );
    mistake(&slots("queue = -1\n"), "queue", "resource.0.queue", "must be at least 0, found -1");
    mistake(
        &slots("retry_after = 300\n"),
        "retry_after",
        "resource.0.retry_after",
        "a bare number is not a duration: write it with a unit in quotes, e.g. \"90s\" or \"12m\"",
    );
    mistake(
        &slots("retry_after = \"0s\"\n"),
        "retry_after",
        "resource.0.retry_after",
        "a refused request waits before it is tried again: `retry_after` must be more than 0s",
    );
    mistake(
        &format!("{}[[resource]]\nname = \"DP\"\nkind = \"slots\"\nslots = 1\n", shared("")),
        "\"DP\"",
        "resource.1.name",
        "resource \"DP\" is declared twice (first on line 15 as \"dp\"): resource names are compared ignoring case",
    );
    mistake("[resource]\nname = \"dp\"\n", "[resource]", "resource", "write resources as [[resource]] tables");
}

#[test]
fn mistakes_in_uses_and_download_name_the_line_and_key() {
    let updates = |extra: &str| {
        with_resources(&format!(
            "[[step]]\nname = \"u\"\ntype = \"install_updates\"\nitems = 1\nper_item = \"1m\"\n{extra}"
        ))
    };
    mistake(
        &updates("uses = { install = \"nope\" }\n"),
        "uses",
        "step.0.uses.install",
        "unknown resource \"nope\"; [[resource]] declares: dp, host, sup",
    );
    mistake(
        &updates("uses = { install = \"hst\" }\n"),
        "uses",
        "step.0.uses.install",
        "unknown resource \"hst\" (did you mean \"host\"?); [[resource]] declares: dp, host, sup",
    );
    mistake(
        "[[step]]\nname = \"c\"\ntype = \"command\"\nduration = \"1m\"\nuses = { run = \"host\" }\n",
        "uses",
        "step.0.uses.run",
        "unknown resource \"host\": the scenario declares no [[resource]]",
    );
    mistake(
        &updates("uses = { scan = \"dp\" }\n"),
        "uses",
        "step.0.uses.scan",
        "a scan runs on a slots resource (a few requests served at once, like the software update point); \"dp\" is a shared resource with a rate capacity (work is bytes)",
    );
    mistake(
        &updates("uses = { download = \"host\" }\ndownload = { size = \"650MB\" }\n"),
        "uses",
        "step.0.uses.download",
        "a download runs on a shared resource with a rate capacity (work is bytes, e.g. capacity = \"1Gbps\"); \"host\" is a shared resource with a numeric capacity (work is time)",
    );
    mistake(
        &updates("uses = { install = \"dp\" }\n"),
        "uses",
        "step.0.uses.install",
        "an install runs on a shared resource with a numeric capacity (work is time, e.g. capacity = 4 concurrent installs); \"dp\" is a shared resource with a rate capacity (work is bytes)",
    );
    mistake(
        &updates("uses = { install = \"sup\" }\n"),
        "uses",
        "step.0.uses.install",
        "an install runs on a shared resource with a numeric capacity (work is time, e.g. capacity = 4 concurrent installs); \"sup\" is a slots resource",
    );
    mistake(
        &updates("uses = { run = \"host\" }\n"),
        "uses",
        "step.0.uses.run",
        "an install_updates step has no `run`: its activities are `scan`, `download` and `install`",
    );
    mistake(
        &updates("uses = { instal = \"host\" }\n"),
        "uses",
        "step.0.uses.instal",
        "unknown key `instal` in `step.0.uses` (did you mean `install`?)",
    );
    mistake(
        &updates("download = { size = \"650MB\" }\n"),
        "download",
        "step.0.download",
        "the step downloads content, so it needs a resource to fetch it from: name one in `uses`, e.g. uses = { download = \"dp\" } (a shared resource with a rate capacity)",
    );
    mistake(
        &updates("uses = { download = \"dp\" }\n"),
        "uses",
        "step.0.uses.download",
        "names a resource for the download, but the step says nothing to fetch: add download = { size = \"650MB\" } (each item's content size, and `cached`, the share already on the client)",
    );
    mistake(
        &updates("uses = { download = \"dp\" }\ndownload = { size = 650 }\n"),
        "download = {",
        "step.0.download.size",
        "a bare number is not a size: write it with a unit in quotes, e.g. \"650MB\" or \"2GiB\"",
    );
    mistake(
        &updates("uses = { download = \"dp\" }\ndownload = { size = \"650Mb\" }\n"),
        "download = {",
        "step.0.download.size",
        "size \"650Mb\": \"Mb\" is bits; a size is bytes, written with a capital B (\"650MB\")",
    );
    mistake(
        &updates(
            "uses = { download = \"dp\" }\ndownload = { size = { dist = \"uniform\", min = \"1GB\", max = \"100MB\" } }\n",
        ),
        "download = {",
        "step.0.download.size.max",
        "min (1GB) is greater than max (100MB)",
    );
    mistake(
        &updates("uses = { download = \"dp\" }\ndownload = { size = { dist = \"exponential\", mean = \"0B\" } }\n"),
        "download = {",
        "step.0.download.size.mean",
        "the mean of an exponential must be more than 0B",
    );
    mistake(
        &updates("uses = { download = \"dp\" }\ndownload = { size = { dist = \"pareto\", shape = 1 } }\n"),
        "download = {",
        "step.0.download.size.dist",
        "unknown size distribution \"pareto\"; expected one of: fixed, uniform, triangular, exponential, normal, lognormal, gamma, weibull, empirical",
    );
    mistake(
        &updates("uses = { download = \"dp\" }\ndownload = { size = \"650MB\", cached = 1.5 }\n"),
        "download = {",
        "step.0.download.cached",
        "is a probability or share and must be between 0 and 1, found 1.5",
    );
    mistake(
        &updates("uses = { download = \"dp\" }\ndownload = { size = \"650MB\", cache = 0.5 }\n"),
        "download = {",
        "step.0.download.cache",
        "unknown key `cache` in `step.0.download` (did you mean `cached`?)",
    );
    mistake(
        &with_resources("[[step]]\nname = \"s\"\ntype = \"sleep\"\nduration = \"1m\"\nuses = { run = \"host\" }\n"),
        "uses",
        "step.0.uses",
        "a sleep step has no activity that runs on a resource: `uses` applies to command, install_updates, install_software and restart steps",
    );
    mistake(
        &with_resources(
            "[[step]]\nname = \"v\"\ntype = \"set_variable\"\nvariable = \"X\"\nvalue = \"1\"\nuses = { run = \"host\" }\n",
        ),
        "uses",
        "step.0.uses",
        "a set_variable step has no activity that runs on a resource: `uses` applies to command, install_updates, install_software and restart steps",
    );
    mistake(
        &with_resources(
            "[[step]]\ngroup = \"g\"\nuses = { run = \"host\" }\n  [[step.steps]]\n  name = \"s\"\n  type = \"sleep\"\n  duration = \"1m\"\n",
        ),
        "uses",
        "step.0.uses",
        "a group has no activity of its own to run on a resource: write `uses` on the steps inside it",
    );
    mistake(
        &with_resources("[[step]]\nname = \"c\"\ntype = \"command\"\nduration = \"1m\"\nuses = \"host\"\n"),
        "uses",
        "step.0.uses",
        "expected a table naming the resource of each activity, e.g. uses = { run = \"NAME\" }, found a string",
    );
    mistake(
        &with_resources("[[step]]\nname = \"c\"\ntype = \"command\"\nduration = \"1m\"\nuses = { run = \"dp\" }\n"),
        "uses",
        "step.0.uses.run",
        "a command's run uses a slots resource or a shared resource with a numeric capacity (work is time); \"dp\" is a shared resource with a rate capacity (work is bytes)",
    );
    mistake(
        &with_resources(
            "[[step]]\nname = \"c\"\ntype = \"command\"\nduration = \"1m\"\ndownload = { size = \"1MB\" }\n",
        ),
        "download",
        "step.0.download",
        "`download` applies to install_updates and install_software steps; this is a command step",
    );
    mistake(
        &with_resources(
            "[[step]]\nname = \"i\"\ntype = \"install_software\"\nitems = 1\nper_item = \"1m\"\nscan_cached = true\n",
        ),
        "scan_cached",
        "step.0.scan_cached",
        "`scan_cached` applies to install_updates steps; this is an install_software step",
    );
    mistake(
        &with_resources(
            "[[step]]\nname = \"i\"\ntype = \"install_software\"\nitems = 1\nper_item = \"1m\"\nuses = { scan = \"sup\" }\n",
        ),
        "uses",
        "step.0.uses.scan",
        "an install_software step has no `scan`: its activities are `download` and `install`",
    );
    mistake(
        &with_resources("[[step]]\nname = \"r\"\ntype = \"restart\"\nuses = { restart = \"sup\" }\n"),
        "uses",
        "step.0.uses.restart",
        "a restart runs on a shared resource with a numeric capacity (work is time, e.g. capacity = 4 concurrent restarts); \"sup\" is a slots resource",
    );
    mistake(
        &updates("scan_cached = \"yes\"\n"),
        "scan_cached",
        "step.0.scan_cached",
        "expected true or false, found a string",
    );
}

#[test]
fn restart_uses_names_a_host() {
    // BASE's own [restart], with `uses`.
    let text = |uses: &str| {
        format!(
            "{}{}",
            BASE.replace("duration = \"10m\"\n", &format!("duration = \"10m\"\nuses = {uses}\n")),
            with_resources(SLEEP)
        )
    };
    let s = Scenario::from_toml(&text("\"HOST\""), "rule.toml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.restart.uses, Some(1));
    for (uses, key, says) in [
        (
            "\"dp\"",
            "restart.uses",
            "a restart runs on a shared resource with a numeric capacity (work is time, e.g. capacity = 4 concurrent restarts); \"dp\" is a shared resource with a rate capacity (work is bytes)",
        ),
        ("\"nope\"", "restart.uses", "unknown resource \"nope\"; [[resource]] declares: dp, host, sup"),
        (
            "{ restart = \"host\" }",
            "restart.uses",
            "[restart] has one activity, the restart: name its resource, e.g. uses = \"host\"",
        ),
    ] {
        let err = Scenario::from_toml(&text(uses), "rule.toml").expect_err(uses);
        assert_eq!((err.line, err.key.as_deref(), err.message.as_str()), (Some(12), Some(key), says), "{uses}");
    }
}

#[test]
fn inventory_assignment_mistakes_name_the_file_and_line() {
    let resource = |extra: &str| {
        format!(
            "{}[[resource]]\nname = \"host\"\nkind = \"shared\"\ncapacity = 4\nassign = {{ inventory = \"Host\" }}\n{extra}{SLEEP}",
            inventory_base()
        )
    };
    // An empty cell: the inventory's file and line (the blank line 4 counted), and where the
    // scenario asks for the column.
    let csv = SERVERS_CSV.replace("SQL01,Mon 00:00,h2,us", "SQL01,Mon 00:00,,us");
    let (loaded, file) = load_with_inventory("empty_cell", &resource(""), &csv, &[]);
    let err = loaded.expect_err("an empty cell");
    let inventory = file.with_file_name("servers.csv").display().to_string();
    assert_eq!((err.file.as_str(), err.line, err.key.as_deref()), (inventory.as_str(), Some(5), None));
    let assign_line = resource("").lines().position(|l| l.starts_with("assign = { inventory = \"Host\"")).unwrap() + 1;
    assert_eq!(
        err.message,
        format!(
            "column \"Host\": server \"SQL01\" has no value, but resource \"host\" ({}:{assign_line}) takes each server's instance from this column: every server needs one",
            file.display()
        )
    );

    // `instances`, when given, must be the number of distinct values.
    let text = resource("instances = 3\n");
    let (loaded, file) = load_with_inventory("instances_mismatch", &text, SERVERS_CSV, &[]);
    let err = loaded.expect_err("instances mismatch");
    let line = text.lines().position(|l| l == "instances = 3").unwrap() + 1;
    assert_eq!(
        (err.file, err.line, err.key.as_deref(), err.message.as_str()),
        (
            file.display().to_string(),
            Some(line),
            Some("resource.0.instances"),
            "says 3 instances, but the inventory column \"Host\" names 2 instances (h2, h1); leave `instances` out to take the column's count"
        )
    );
    let (loaded, _) = load_with_inventory("instances_match", &resource("instances = 2\n"), SERVERS_CSV, &[]);
    assert_eq!(loaded.unwrap_or_else(|e| panic!("{e}")).resources[0].instances, 2);

    for (column, says) in [
        ("Hst", "the inventory servers.csv has no column \"Hst\" (did you mean \"Host\"?)"),
        ("Rack", "the inventory servers.csv has no column \"Rack\"; its columns are: Host, Site"),
        (
            "window",
            "\"window\" is one of the inventory's own columns (name, window, class, extension); name a column of your own that holds each server's instance, e.g. Host",
        ),
    ] {
        let text = resource("").replace("inventory = \"Host\"", &format!("inventory = \"{column}\""));
        let (loaded, _) = load_with_inventory("bad_column", &text, SERVERS_CSV, &[]);
        let err = loaded.expect_err(column);
        assert_eq!(err.key.as_deref(), Some("resource.0.assign.inventory"), "{column}");
        assert!(
            err.message.ends_with(says.trim_start_matches("the inventory servers.csv")),
            "{column}: {}",
            err.message
        );
    }
}

#[test]
fn scenarios_without_resources_read_as_before() {
    let s = scenario(&[], SLEEP);
    assert!(s.resources.is_empty());
    assert_eq!(s.restart.uses, None);
    assert_eq!(step(&s.steps[0]).uses, Uses::default());
    assert_eq!(step(&s.steps[0]).download, None);
    // `resource = []` declares none.
    let s = scenario(&[("name = \"rule\"\n", "name = \"rule\"\nresource = []\n")], SLEEP);
    assert!(s.resources.is_empty());
}
