//! Shared resources (scenario format 1.1): distribution points, the software update point,
//! hypervisor hosts — anything servers of a month compete for — and how steps use them.
//!
//! A `[[resource]]` declares one kind of resource with `instances` copies; each server uses one
//! instance of each resource ([`ResourceAssign`]). A resource is either **shared** (processor
//! sharing: `n` activities on an instance each progress at `min(per_user, capacity / n)`) or
//! **slots** (a multi-server FIFO queue with a bounded queue, refusals and retries). Steps name the
//! resource each of their timed activities runs on ([`Uses`]); installs may download content
//! ([`Download`]). A scenario without resources runs exactly as format 1.0 says.
//!
//! This module also reads them: [`read_resources`] reads the `[[resource]]` list (after
//! `[windows]`, whose inventory an assignment may name), and [`resolve`] turns the name a step's
//! `uses` (or `[restart] uses`) writes into a [`ResourceId`], checking that the resource is of
//! a kind the activity can run on (FORMAT.md, format 1.1, precise rule 5).

use std::collections::HashMap;
use std::fmt;

use super::distribution::{DurationDist, Unit};
use super::duration::{DAY, DurationDisplay, MINUTE, Millis};
use super::inventory::{self, EMPTY, Inventory};
use super::name::{fold, same};
use super::reader::{ReadResult, Table, Value, closest};
use super::size::{RateDisplay, SizeDisplay};
use super::windows::{Windows, format_week_time, parse_week_time};
use crate::input::InputError;

/// Index of a resource in [`super::Scenario::resources`] (declaration order).
pub type ResourceId = u32;

/// One `[[resource]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// Unique name; steps name it in `uses`.
    pub name: String,
    /// Shared or slots, with its capacity.
    pub kind: ResourceKind,
    /// How many copies exist (≥ 1).
    pub instances: u32,
    /// Which instance each server uses.
    pub assign: ResourceAssign,
    /// Times an instance serves nothing, in week time.
    pub outages: Vec<ResourceOutage>,
}

/// What a resource is and how much it serves.
#[derive(Debug, Clone, PartialEq)]
pub enum ResourceKind {
    /// Processor sharing.
    Shared {
        /// What an instance delivers at once.
        capacity: Capacity,
        /// The most one activity gets, in the capacity's unit: bytes a millisecond for a rate
        /// capacity (`None`: no cap), a share of full speed in (0, 1] for a numeric one (the
        /// reader fills in the default 1).
        per_user: Option<f64>,
    },
    /// A multi-server FIFO queue.
    Slots {
        /// Requests served at once (≥ 1).
        slots: u32,
        /// Requests that may wait beyond the slots; `None`: unbounded (never refused).
        queue: Option<u32>,
        /// A refused request arrives again after this (default 5 minutes).
        retry_after: Millis,
        /// Refusals retried before the activity fails (default 3).
        retries: u32,
    },
}

/// A shared resource's capacity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Capacity {
    /// A rate (`"1Gbps"`, `"125MB/s"`), in bytes a millisecond: work is bytes.
    Rate(f64),
    /// Concurrent full-speed activities (a positive number): work is time.
    Concurrent(f64),
}

impl Capacity {
    /// Whether work on this resource is bytes (a rate) rather than time.
    pub fn is_rate(self) -> bool {
        matches!(self, Self::Rate(_))
    }

    /// What an instance delivers a millisecond at full use, in its unit (bytes, or full-speed
    /// activities).
    pub fn amount(self) -> f64 {
        match self {
            Self::Rate(r) | Self::Concurrent(r) => r,
        }
    }
}

impl Resource {
    /// Whether work on this resource is bytes: a shared resource with a rate capacity.
    pub fn works_in_bytes(&self) -> bool {
        matches!(&self.kind, ResourceKind::Shared { capacity, .. } if capacity.is_rate())
    }
}

/// Which instance of a resource a server uses.
#[derive(Debug, Clone, PartialEq)]
pub enum ResourceAssign {
    /// The server's fleet index modulo `instances` (the default).
    Even,
    /// Uniform, from the server's own random stream.
    Random,
    /// The instance named in an inventory column; instances are the column's distinct values
    /// in order of first appearance.
    Inventory {
        /// The column's header.
        column: String,
        /// The instances' names (the distinct values).
        names: Vec<String>,
        /// Each inventory server's instance, in inventory order.
        of_server: Vec<u32>,
    },
}

/// A time an instance (or every instance) serves nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceOutage {
    /// The instance, numbered from 0; `None`: every instance.
    pub instance: Option<u32>,
    /// When it starts, in milliseconds since Monday 00:00.
    pub at: Millis,
    /// How long it lasts.
    pub length: Millis,
}

/// The resource each timed activity of a step (or of every restart) runs on; `None`: no
/// resource, the activity runs as in format 1.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Uses {
    /// A command's run (slots, or shared with a numeric capacity).
    pub run: Option<ResourceId>,
    /// An update scan (slots).
    pub scan: Option<ResourceId>,
    /// Content downloads (shared, a rate capacity).
    pub download: Option<ResourceId>,
    /// Each install (shared, a numeric capacity).
    pub install: Option<ResourceId>,
    /// A restart (shared, a numeric capacity).
    pub restart: Option<ResourceId>,
}

impl Uses {
    /// Whether any activity names a resource.
    pub fn any(&self) -> bool {
        self.run.is_some()
            || self.scan.is_some()
            || self.download.is_some()
            || self.install.is_some()
            || self.restart.is_some()
    }
}

/// The content an install fetches.
#[derive(Debug, Clone, PartialEq)]
pub struct Download {
    /// Each item's content size, in bytes (a duration distribution whose values are bytes).
    pub size: SizeDist,
    /// Share of items already in the client's cache (no transfer).
    pub cached: f64,
}

/// A distribution of sizes in bytes: the duration distribution forms with sizes in place of
/// durations (`"650MB"`, `{ dist = "lognormal", median = "650MB", p95 = "900MB" }`, …). Its
/// values are bytes where a [`DurationDist`]'s are milliseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct SizeDist(pub DurationDist);

/// The most instances a resource may have: far more distribution points or hosts than any site
/// has, and a bound on what the engine keeps per instance.
pub const MAX_INSTANCES: i64 = 100_000;

/// The most slots a slots resource may have.
pub const MAX_SLOTS: i64 = 1_000_000;

/// The longest `queue` a slots resource may have (as many as a fleet has servers).
pub const MAX_QUEUE: i64 = super::fleet::MAX_SERVERS;

/// The most `retries` a slots resource may have.
pub const MAX_RETRIES: i64 = 1_000;

/// The largest numeric capacity (concurrent full-speed activities) a shared resource may have.
pub const MAX_CONCURRENT: f64 = 1.0e6;

/// The longest `retry_after`: a day.
pub const MAX_RETRY_AFTER: Millis = DAY;

/// `retry_after` when the resource does not say (5 minutes).
pub const DEFAULT_RETRY_AFTER: Millis = 5 * MINUTE;

/// `retries` when the resource does not say.
pub const DEFAULT_RETRIES: u32 = 3;

/// Sizes: the unit of a [`SizeDist`].
pub const SIZE: Unit = Unit {
    read: |v| v.size(),
    show: |bytes| SizeDisplay(bytes).to_string(),
    noun: "size",
    zero: "0B",
    expected: "a size such as \"650MB\" or a table such as { dist = \"lognormal\", median = \"650MB\", p95 = \"900MB\" }",
};

impl SizeDist {
    /// Reads a size distribution: a size string (fixed), or a table with `dist` whose values
    /// are sizes (the duration distribution forms, [`DurationDist::read_in`]).
    pub fn read(value: &Value<'_, '_>) -> ReadResult<Self> {
        DurationDist::read_in(value, &SIZE).map(Self)
    }
}

impl fmt::Display for SizeDist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.write_in(f, SIZE.show)
    }
}

/// A timed activity of a step that may run on a resource: the keys of `uses`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// A command's run.
    Run,
    /// An update scan.
    Scan,
    /// A content download.
    Download,
    /// An install (an update's or a package's).
    Install,
    /// A restart.
    Restart,
}

impl Activity {
    /// Every activity, in the order `uses` lists them.
    pub const ALL: [Self; 5] = [Self::Run, Self::Scan, Self::Download, Self::Install, Self::Restart];

    /// The keys `uses` accepts.
    pub const KEYS: &'static [&'static str] = &["run", "scan", "download", "install", "restart"];

    /// Its key in `uses`.
    pub const fn key(self) -> &'static str {
        match self {
            Self::Run => "run",
            Self::Scan => "scan",
            Self::Download => "download",
            Self::Install => "install",
            Self::Restart => "restart",
        }
    }

    /// The activity a `uses` key names.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }

    /// The activities a step type has, in `uses` order (none for sleep and set_variable).
    pub fn of_step_type(type_name: &str) -> &'static [Self] {
        match type_name {
            "command" => &[Self::Run],
            "install_updates" => &[Self::Scan, Self::Download, Self::Install],
            "install_software" => &[Self::Download, Self::Install],
            "restart" => &[Self::Restart],
            _ => &[],
        }
    }

    /// Whether the activity may run on a resource of this kind (precise rule 5): a scan on
    /// slots, a download on a shared rate, an install or a restart on a shared numeric capacity,
    /// a run on slots or a shared numeric capacity.
    pub fn accepts(self, kind: &ResourceKind) -> bool {
        match (self, kind) {
            (Self::Scan, ResourceKind::Slots { .. }) => true,
            (Self::Download, ResourceKind::Shared { capacity, .. }) => capacity.is_rate(),
            (Self::Install | Self::Restart | Self::Run, ResourceKind::Shared { capacity, .. }) => !capacity.is_rate(),
            (Self::Run, ResourceKind::Slots { .. }) => true,
            _ => false,
        }
    }

    /// What the activity needs, for the message when a resource does not fit.
    fn needs(self) -> &'static str {
        match self {
            Self::Scan => {
                "a scan runs on a slots resource (a few requests served at once, like the software update point)"
            }
            Self::Download => {
                "a download runs on a shared resource with a rate capacity (work is bytes, e.g. capacity = \"1Gbps\")"
            }
            Self::Install => {
                "an install runs on a shared resource with a numeric capacity (work is time, e.g. capacity = 4 concurrent installs)"
            }
            Self::Restart => {
                "a restart runs on a shared resource with a numeric capacity (work is time, e.g. capacity = 4 concurrent restarts)"
            }
            Self::Run => {
                "a command's run uses a slots resource or a shared resource with a numeric capacity (work is time)"
            }
        }
    }
}

impl ResourceKind {
    /// The kind in words, for messages: `a shared resource with a rate capacity (work is bytes)`.
    pub fn described(&self) -> &'static str {
        match self {
            Self::Shared { capacity: Capacity::Rate(_), .. } => {
                "a shared resource with a rate capacity (work is bytes)"
            }
            Self::Shared { capacity: Capacity::Concurrent(_), .. } => {
                "a shared resource with a numeric capacity (work is time)"
            }
            Self::Slots { .. } => "a slots resource",
        }
    }

    /// `"shared"` or `"slots"`, as `kind` writes it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Shared { .. } => "shared",
            Self::Slots { .. } => "slots",
        }
    }
}

/// The keys a `[[resource]]` accepts.
pub const RESOURCE_KEYS: &[&str] = &[
    "name",
    "kind",
    "instances",
    "assign",
    "capacity",
    "per_user",
    "slots",
    "queue",
    "retry_after",
    "retries",
    "outages",
];

/// The keys only a shared resource takes.
const SHARED_KEYS: &[&str] = &["capacity", "per_user"];

/// The keys only a slots resource takes.
const SLOTS_KEYS: &[&str] = &["slots", "queue", "retry_after", "retries"];

/// The inventory's own columns, which are not collection variables.
const OWN_COLUMNS: &[&str] = &["name", "window", "class", "extension"];

/// Reads the `[[resource]]` list at `value`, in declaration order; an inventory assignment reads
/// the `[windows]` inventory.
pub fn read_resources(value: &Value<'_, '_>, windows: &Windows) -> ReadResult<Vec<Resource>> {
    let items = value.array().map_err(|_| value.error("write resources as [[resource]] tables"))?;
    let mut resources: Vec<Resource> = Vec::with_capacity(items.len());
    // Each resource by its folded name, with the value that named it.
    let mut seen: HashMap<String, (usize, Value<'_, '_>)> = HashMap::new();
    for item in &items {
        let t = item.table(RESOURCE_KEYS)?;
        let name_v = t.req("name")?;
        let name = name_v.name()?.to_owned();
        if let Some((k, first_v)) = seen.get(&fold(&name)) {
            let first = &resources[*k].name;
            let message = if *first == name {
                format!("resource \"{name}\" is declared twice (first on {})", first_v.place())
            } else {
                format!(
                    "resource \"{name}\" is declared twice (first on {} as \"{first}\"): resource names are compared ignoring case",
                    first_v.place()
                )
            };
            return Err(name_v.error(message));
        }
        seen.insert(fold(&name), (resources.len(), name_v));
        resources.push(read_resource(&t, name, windows)?);
    }
    Ok(resources)
}

/// Reads one `[[resource]]` table, its keys already checked against [`RESOURCE_KEYS`].
fn read_resource(t: &Table<'_, '_>, name: String, windows: &Windows) -> ReadResult<Resource> {
    let kind_v = t.req("kind")?;
    let slots = match kind_v.str()? {
        "shared" => false,
        "slots" => true,
        other => {
            return Err(kind_v.error(format!(
                "unknown kind \"{other}\"; use \"shared\" (activities share a capacity, like a distribution point's bandwidth or a host's CPU) or \"slots\" (a few requests served at once, the rest queue, like the software update point)"
            )));
        }
    };
    let (this, foreign, own) =
        if slots { ("slots", SHARED_KEYS, SLOTS_KEYS) } else { ("shared", SLOTS_KEYS, SHARED_KEYS) };
    let that = if slots { "shared" } else { "slots" };
    for (key, span, _) in t.entries() {
        if foreign.contains(&key) {
            return Err(t.error_at(
                &span,
                key,
                format!(
                    "`{key}` applies to {that} resources; \"{name}\" is a {this} resource (kind = \"{this}\"), which takes {}",
                    own.join(", ")
                ),
            ));
        }
    }

    let instances_v = t.get("instances");
    let written = instances_v.as_ref().map(|v| v.integer_in(1, MAX_INSTANCES)).transpose()?.map(|n| n as u32);
    let assign = match t.get("assign") {
        None => ResourceAssign::Even,
        Some(v) => read_assign(&v, windows, &name)?,
    };
    let instances = match (&assign, written, &instances_v) {
        (ResourceAssign::Inventory { column, names, .. }, Some(n), Some(v)) if n as usize != names.len() => {
            let shown: Vec<&str> = names.iter().take(8).map(String::as_str).collect();
            let more = if names.len() > 8 { ", …" } else { "" };
            return Err(v.error(format!(
                "says {n} instances, but the inventory column \"{column}\" names {} ({}{more}); leave `instances` out to take the column's count",
                plural(names.len(), "instance"),
                shown.join(", ")
            )));
        }
        (ResourceAssign::Inventory { names, .. }, _, _) => names.len() as u32,
        (_, written, _) => written.unwrap_or(1),
    };

    let kind = if slots { read_slots(t)? } else { read_shared(t)? };
    let outages = match t.get("outages") {
        None => Vec::new(),
        Some(v) => read_outages(&v, &name, instances, &assign)?,
    };
    Ok(Resource { name, kind, instances, assign, outages })
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

/// Reads `assign`: `"even"`, `"random"` or `{ inventory = "column" }`.
fn read_assign(v: &Value<'_, '_>, windows: &Windows, name: &str) -> ReadResult<ResourceAssign> {
    if let Ok(text) = v.str() {
        return match text.trim() {
            "even" => Ok(ResourceAssign::Even),
            "random" => Ok(ResourceAssign::Random),
            other => Err(v.error(format!(
                "unknown assignment \"{other}\"; use \"even\" (the server's fleet index modulo instances), \"random\", or {{ inventory = \"Column\" }} (the instance named in that inventory column)"
            ))),
        };
    }
    if !v.is_table() {
        return Err(
            v.error(format!("expected \"even\", \"random\" or {{ inventory = \"Column\" }}, found {}", v.type_name()))
        );
    }
    let at = v.table(&["inventory"])?;
    let column_v = at.req("inventory")?;
    let wanted = column_v.name()?;
    let Some(inventory) = windows.inventory() else {
        return Err(column_v.error(format!(
            "takes each server's instance from the inventory column \"{wanted}\", but [windows] reads no inventory: assign the windows with {{ inventory = \"servers.csv\" }}, or assign this resource \"even\" or \"random\""
        )));
    };
    let Some(column) = inventory.variables.iter().position(|c| same(c, wanted)) else {
        if OWN_COLUMNS.iter().any(|c| same(c, wanted)) {
            return Err(column_v.error(format!(
                "\"{wanted}\" is one of the inventory's own columns (name, window, class, extension); name a column of your own that holds each server's instance, e.g. Host"
            )));
        }
        let known = &inventory.variables;
        let hint = match closest(wanted, &known.iter().map(String::as_str).collect::<Vec<_>>()) {
            Some(best) => format!(" (did you mean \"{best}\"?)"),
            None if known.is_empty() => "; it has none besides name, window, class and extension".to_owned(),
            None => format!("; its columns are: {}", known.join(", ")),
        };
        return Err(column_v.error(format!("the inventory {} has no column \"{wanted}\"{hint}", inventory.file)));
    };
    let header = inventory.variables[column].clone();
    let (names, of_server) = instances_of(inventory, column).map_err(|(server, many)| {
        if many {
            return column_v.error(format!(
                "the inventory column \"{header}\" holds more than {MAX_INSTANCES} distinct values; a resource has at most {MAX_INSTANCES} instances"
            ));
        }
        let place = column_v.error("");
        let place = match place.line {
            Some(line) => format!("{}:{line}", place.file),
            None => place.file,
        };
        let bytes = windows.files.iter().find(|f| f.shown == inventory.file).map(|f| &f.bytes[..]);
        InputError {
            file: inventory.file.clone(),
            line: bytes.and_then(|b| inventory::line_of_server(b, server)).map(|l| l as usize),
            column: None,
            key: None,
            message: format!(
                "column \"{header}\": server \"{}\" has no value, but resource \"{name}\" ({place}) takes each server's instance from this column: every server needs one",
                inventory.names[server]
            ),
        }
    })?;
    Ok(ResourceAssign::Inventory { column: header, names, of_server })
}

/// The distinct values of an inventory column in order of first appearance, and each server's
/// index among them; `Err((server, false))` for the first server with an empty cell,
/// `Err((_, true))` for more than [`MAX_INSTANCES`] values.
fn instances_of(inventory: &Inventory, column: usize) -> Result<(Vec<String>, Vec<u32>), (usize, bool)> {
    let width = inventory.variables.len();
    let mut instance_of_value = vec![u32::MAX; inventory.values.len()];
    let mut names: Vec<String> = Vec::new();
    let mut of_server = Vec::with_capacity(inventory.len());
    for server in 0..inventory.len() {
        let cell = inventory.cells[server * width + column];
        if cell == EMPTY {
            return Err((server, false));
        }
        let slot = &mut instance_of_value[cell as usize];
        if *slot == u32::MAX {
            if names.len() as i64 >= MAX_INSTANCES {
                return Err((server, true));
            }
            *slot = names.len() as u32;
            names.push(inventory.values[cell as usize].clone());
        }
        of_server.push(*slot);
    }
    Ok((names, of_server))
}

/// Reads a shared resource's `capacity` and `per_user`.
fn read_shared(t: &Table<'_, '_>) -> ReadResult<ResourceKind> {
    let cap_v = t.get("capacity").ok_or_else(|| {
        t.key_error(
            "capacity",
            "a shared resource needs `capacity`: a rate such as \"1Gbps\" (work is bytes) or a number of concurrent full-speed activities such as 4 (work is time)",
        )
    })?;
    let capacity = match cap_v.raw() {
        toml::de::DeValue::String(_) => Capacity::Rate(cap_v.rate()?),
        toml::de::DeValue::Integer(_) | toml::de::DeValue::Float(_) => {
            Capacity::Concurrent(cap_v.positive(MAX_CONCURRENT)?)
        }
        _ => {
            return Err(cap_v.error(format!(
                "expected a rate such as \"1Gbps\" or a number of concurrent activities such as 4, found {}",
                cap_v.type_name()
            )));
        }
    };
    let per_user_v = t.get("per_user");
    let number = |v: &Value<'_, '_>| matches!(v.raw(), toml::de::DeValue::Integer(_) | toml::de::DeValue::Float(_));
    let per_user = match (capacity, per_user_v) {
        (Capacity::Rate(_), None) => None,
        (Capacity::Rate(_), Some(v)) if number(&v) => {
            return Err(v.error(
                "the capacity is a rate, so `per_user` is one too: the most one activity gets, e.g. \"100Mbps\"",
            ));
        }
        (Capacity::Rate(_), Some(v)) => Some(v.rate()?),
        (Capacity::Concurrent(_), None) => Some(1.0),
        (Capacity::Concurrent(_), Some(v)) if number(&v) => {
            let share = v.f64()?;
            if share <= 0.0 || share > 1.0 {
                return Err(v.error(format!(
                    "with a numeric capacity `per_user` is a share of full speed: more than 0 and at most 1, found {share}"
                )));
            }
            Some(share)
        }
        (Capacity::Concurrent(_), Some(v)) => {
            return Err(v.error(format!(
                "the capacity is a number of concurrent activities, so `per_user` is a share of full speed, more than 0 and at most 1 (e.g. 0.5), found {}",
                v.type_name()
            )));
        }
    };
    Ok(ResourceKind::Shared { capacity, per_user })
}

/// Reads a slots resource's `slots`, `queue`, `retry_after` and `retries`.
fn read_slots(t: &Table<'_, '_>) -> ReadResult<ResourceKind> {
    let slots_v = t.get("slots").ok_or_else(|| {
        t.key_error("slots", "a slots resource needs `slots`: how many requests it serves at once (1 or more)")
    })?;
    let slots = slots_v.integer_in(1, MAX_SLOTS)? as u32;
    let queue = t.get("queue").map(|v| v.integer_in(0, MAX_QUEUE)).transpose()?.map(|q| q as u32);
    let retry_after = match t.get("retry_after") {
        None => DEFAULT_RETRY_AFTER,
        Some(v) => {
            let after = v.duration()?;
            if after == 0 {
                return Err(
                    v.error("a refused request waits before it is tried again: `retry_after` must be more than 0s")
                );
            }
            if after > MAX_RETRY_AFTER {
                return Err(v.error(format!("`retry_after` is at most 1d, found {}", DurationDisplay(after))));
            }
            after
        }
    };
    let retries = t.get("retries").map_or(Ok(i64::from(DEFAULT_RETRIES)), |v| v.integer_in(0, MAX_RETRIES))? as u32;
    Ok(ResourceKind::Slots { slots, queue, retry_after, retries })
}

/// Reads `outages`: `{ instance = N or "all", at = "Tue 02:00", length = "30m" }` each.
fn read_outages(
    v: &Value<'_, '_>,
    name: &str,
    instances: u32,
    assign: &ResourceAssign,
) -> ReadResult<Vec<ResourceOutage>> {
    let names = match assign {
        ResourceAssign::Inventory { names, .. } => &names[..],
        _ => &[],
    };
    let range = if instances == 1 { "instance 0".to_owned() } else { format!("instances 0 to {}", instances - 1) };
    let mut outages = Vec::new();
    for item in v.array()? {
        let ot = item.table(&["instance", "at", "length"])?;
        let instance = match ot.get("instance") {
            None => None,
            Some(iv) => match iv.raw() {
                toml::de::DeValue::Integer(_) => {
                    let n = iv.i64()?;
                    if n < 0 || n >= i64::from(instances) {
                        return Err(iv.error(format!(
                            "there is no instance {n}: \"{name}\" has {} ({range})",
                            plural(instances as usize, "instance")
                        )));
                    }
                    Some(n as u32)
                }
                toml::de::DeValue::String(_) => {
                    let text = iv.str()?.trim();
                    if text == "all" {
                        None
                    } else if let Some(k) = names.iter().position(|n| n == text) {
                        Some(k as u32)
                    } else {
                        let by_name =
                            if names.is_empty() { "" } else { ", an instance's name from the inventory column" };
                        return Err(iv.error(format!(
                            "unknown instance \"{text}\"; write an instance number ({range}){by_name} or \"all\""
                        )));
                    }
                }
                _ => {
                    return Err(
                        iv.error(format!("expected an instance number ({range}) or \"all\", found {}", iv.type_name()))
                    );
                }
            },
        };
        let at_v = ot.req("at")?;
        let at = parse_week_time(at_v.str()?).map_err(|m| at_v.error(m))?;
        let len_v = ot.req("length")?;
        let length = len_v.duration()?;
        if length == 0 {
            return Err(len_v.error("an outage must last longer than 0s"));
        }
        outages.push(ResourceOutage { instance, at, length });
    }
    Ok(outages)
}

/// The resource a `uses` value names, for `activity`: the name must be declared (compared
/// ignoring case) and the resource of a kind the activity runs on.
pub fn resolve(value: &Value<'_, '_>, resources: &[Resource], activity: Activity) -> ReadResult<ResourceId> {
    let wanted = value.name()?;
    let Some(id) = resources.iter().position(|r| same(&r.name, wanted)) else {
        let names: Vec<&str> = resources.iter().map(|r| r.name.as_str()).collect();
        return Err(value.error(if names.is_empty() {
            format!("unknown resource \"{wanted}\": the scenario declares no [[resource]]")
        } else if let Some(best) = closest(wanted, &names) {
            format!(
                "unknown resource \"{wanted}\" (did you mean \"{best}\"?); [[resource]] declares: {}",
                names.join(", ")
            )
        } else {
            format!("unknown resource \"{wanted}\"; [[resource]] declares: {}", names.join(", "))
        }));
    };
    let resource = &resources[id];
    if !activity.accepts(&resource.kind) {
        return Err(value.error(format!(
            "{}; \"{}\" is {}",
            activity.needs(),
            resource.name,
            resource.kind.described()
        )));
    }
    Ok(id as ResourceId)
}

impl fmt::Display for Capacity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rate(r) => write!(f, "{}", RateDisplay(*r)),
            Self::Concurrent(n) => write!(f, "{} concurrent", super::overrides::number_text(*n)),
        }
    }
}

impl fmt::Display for ResourceOutage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.instance {
            Some(i) => write!(f, "instance {i}")?,
            None => f.write_str("every instance")?,
        }
        write!(f, " down {} for {}", format_week_time(self.at), DurationDisplay(self.length))
    }
}
