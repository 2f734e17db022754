//! The stream layout: which stream each random draw of a simulation comes from.
//!
//! ```text
//! root ─ seed ─ replication ─┬─ server i ─┬─ extension, offline, class, window, pending, start delay
//!                            │            ├─ count "<name>"                    (one draw)
//!                            │            └─ step "<name>"#k ─┬─ duration      (draw j = item j)
//!                            │                                ├─ exit code     (draw j = item j)
//!                            │                                ├─ items         (inline counts)
//!                            │                                ├─ item failure  (draw j = item j)
//!                            │                                ├─ item restart  (draw j = item j)
//!                            │                                ├─ restart       (draw j = j-th restart)
//!                            │                                ├─ hang          (draw j = j-th restart)
//!                            │                                └─ probe         (draw j = j-th probe)
//!                            ├─ site ─ service times of the message queues
//!                            └─ back-test ─ which servers make a month the history's size
//! ```
//!
//! Steps and groups are keyed by their name and by how many nodes before them in the sequence
//! carry the same name (`#k`), not by their position: inserting or removing a step leaves every
//! other step's draws where they were, so two designs compared with the same seed share all the
//! draws they have in common.

use super::stream::{Stream, combine, mix64, name_tag};

/// Root tag of every patchsim stream ("patchsim" in ASCII).
const ROOT: u64 = 0x7061_7463_6873_696D;
const SERVER: u64 = 0x5345_5256;
const SITE: u64 = 0x5349_5445;
const WEEK: u64 = 0x5745_454B;
const BACKTEST: u64 = 0x4241_434B;

/// The stream of one replication of a run with `seed`.
#[inline]
pub fn replication_stream(seed: u64, replication: u64) -> Stream {
    Stream::from_key(combine(combine(ROOT, seed), replication))
}

/// The streams of the servers of one replication (compute it once a replication).
#[inline]
pub fn servers_stream(seed: u64, replication: u64) -> Stream {
    replication_stream(seed, replication).child(mix64(SERVER))
}

/// The stream of one server in one replication; its purposes are children of it.
#[inline]
pub fn server_stream(seed: u64, replication: u64, server: u64) -> Stream {
    servers_stream(seed, replication).index(server)
}

/// The stream of the site's message infrastructure (service times) in one replication.
#[inline]
pub fn site_stream(seed: u64, replication: u64) -> Stream {
    replication_stream(seed, replication).child(mix64(SITE))
}

/// The stream of a back-test's draws in one replication: which of its servers make a month of
/// the history's size (drawn after the replication, so it changes no simulated draw).
#[inline]
pub fn backtest_stream(seed: u64, replication: u64) -> Stream {
    replication_stream(seed, replication).child(mix64(BACKTEST))
}

/// The stream of a server's run at the `opening`-th opening of its window in the month: the
/// server's own for the first, a child of it for each later one (a run again draws afresh).
#[inline]
pub fn week_stream(server: Stream, opening: u32) -> Stream {
    if opening == 0 { server } else { server.child(combine(WEEK, u64::from(opening))) }
}

/// What a draw is for; each purpose of a server has its own stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Whether the server is on a patching extension (excluded).
    Extension,
    /// Whether the server is offline for its window.
    Offline,
    /// The server's class.
    Class,
    /// The server's window (when assigned by weights).
    Window,
    /// Whether a restart is already pending.
    Pending,
    /// The delay between the window start and the run start.
    StartDelay,
    /// The phase of the client's state-message batches.
    StatePhase,
    /// A named count from `[fleet.counts]`; the tag is [`count_tag`] of its name.
    Count(u64),
    /// Which instance of resource `r` (by declaration order) a server uses, when drawn.
    ResourceInstance(u32),
    /// A step's draws; `node` is [`node_tag`] of the step, `kind` what is drawn.
    Step {
        /// The step's tag.
        node: u64,
        /// What is drawn.
        kind: StepDraw,
    },
}

/// The tag of draw stream `tag` on the `attempt`-th rerun of its step (1 for the first rerun):
/// a rerun draws afresh, and the first attempt keeps the step's own streams.
#[inline]
pub fn attempt_tag(tag: u64, attempt: u32) -> u64 {
    let mut z = tag ^ u64::from(attempt).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The kinds of draw a step makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum StepDraw {
    /// Durations: the step's, or draw `j` for item `j`; the scan of `install_updates` is draw 0
    /// of [`StepDraw::Scan`].
    Duration = 1,
    /// Exit codes: the step's, or draw `j` for item `j`.
    ExitCode = 2,
    /// The number of items, when the step gives its own count distribution.
    Items = 3,
    /// Whether update `j` fails to install.
    ItemFailure = 4,
    /// Whether update `j` asks for a restart.
    ItemRestart = 5,
    /// Duration of the `j`-th restart this step causes.
    Restart = 6,
    /// Whether the `j`-th restart this step causes hangs.
    Hang = 7,
    /// The update scan's duration.
    Scan = 8,
    /// Whether the `j`-th `probe` of the condition holds.
    Probe = 9,
    /// The content size of item `j` (format 1.1 downloads).
    DownloadSize = 10,
    /// Whether item `j`'s content is already in the client's cache.
    DownloadCached = 11,
    /// How long the server stays down after the `j`-th restart this step causes hung, until a
    /// person power-cycles it (`[restart] hang_recovery`).
    HangRecovery = 12,
    /// How long the client takes to be operational after the `j`-th restart's boot.
    ClientWait = 13,
    /// The update scan when the step runs again after its own restart.
    Rescan = 14,
    /// How many updates apply only after that restart.
    AfterRestartItems = 15,
    /// How many optional updates apply (`target = "all"`).
    OptionalItems = 16,
    /// Whether update `j` restarts the computer by itself.
    ItemUnexpectedRestart = 17,
    /// Whether update `j` needs more than one restart.
    ItemMultiRestart = 18,
}

impl StepDraw {
    /// Every kind of step draw.
    pub const ALL: [Self; 18] = [
        Self::Duration,
        Self::ExitCode,
        Self::Items,
        Self::ItemFailure,
        Self::ItemRestart,
        Self::Restart,
        Self::Hang,
        Self::Scan,
        Self::Probe,
        Self::DownloadSize,
        Self::DownloadCached,
        Self::HangRecovery,
        Self::ClientWait,
        Self::Rescan,
        Self::AfterRestartItems,
        Self::OptionalItems,
        Self::ItemUnexpectedRestart,
        Self::ItemMultiRestart,
    ];
}

impl Purpose {
    /// The purpose's tag, combined with a server stream to give the purpose's stream.
    // Always inlined: for the fixed purposes the tag then folds to a constant.
    #[inline(always)]
    pub const fn tag(self) -> u64 {
        match self {
            Self::Extension => mix64(0x0045_5854),
            Self::Offline => mix64(0x4F46_464C),
            Self::Class => mix64(0x434C_4153),
            Self::Window => mix64(0x5749_4E44),
            Self::Pending => mix64(0x5045_4E44),
            Self::StartDelay => mix64(0x4445_4C41),
            Self::StatePhase => mix64(0x5354_4154),
            Self::Count(tag) => combine(0x434F_554E, tag),
            Self::ResourceInstance(r) => combine(0x5245_534F, r as u64),
            Self::Step { node, kind } => combine(node, kind as u64),
        }
    }
}

/// The tag of a named count.
pub const fn count_tag(name: &str) -> u64 {
    name_tag(name)
}

/// The tag of a step or group: its name and how many earlier nodes share that name.
pub const fn node_tag(name: &str, occurrence: u64) -> u64 {
    combine(combine(0x5354_4550, name_tag(name)), occurrence)
}

impl Stream {
    /// The stream of `purpose` under this server stream.
    #[inline]
    pub const fn purpose(self, purpose: Purpose) -> Self {
        self.child(purpose.tag())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_depend_on_every_coordinate() {
        let a = server_stream(1, 0, 0);
        assert_ne!(a, server_stream(2, 0, 0));
        assert_ne!(a, server_stream(1, 1, 0));
        assert_ne!(a, server_stream(1, 0, 1));
        assert_eq!(a, server_stream(1, 0, 0));
        let sleep = node_tag("Inject Random Sleep", 0);
        assert_ne!(sleep, node_tag("Inject Random Sleep", 1));
        let d = a.purpose(Purpose::Step { node: sleep, kind: StepDraw::Duration });
        let e = a.purpose(Purpose::Step { node: sleep, kind: StepDraw::ExitCode });
        assert_ne!(d, e);
        assert_ne!(a.purpose(Purpose::Extension), a.purpose(Purpose::Offline));
    }
}
