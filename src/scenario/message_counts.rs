//! Status-message events and how many messages each one sends (`[messages]`).

use std::fmt;

use crate::configmgr::message::Message;

use super::duration::{DAY, DurationDisplay, HOUR, MINUTE, Millis};
use super::reader::{ReadResult, Table};

/// An event of a task-sequence run that sends status messages to the management point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum MessageKind {
    /// The engine started the sequence (11140).
    RunStarted = 0,
    /// The sequence completed (11143 engine, 11171 manager).
    RunCompleted = 1,
    /// The sequence failed or was stopped (11141 engine, 11170 manager).
    RunFailed = 2,
    /// A group started (11124).
    GroupStarted = 3,
    /// A group ended, however it ended (11127).
    GroupCompleted = 4,
    /// A group was skipped: disabled or condition false (11122).
    GroupSkipped = 5,
    /// A step succeeded (11134).
    StepSucceeded = 6,
    /// A step failed (11135).
    StepFailed = 7,
    /// A step's condition was false (11130).
    StepSkipped = 8,
    /// A step was disabled (11128).
    StepDisabled = 9,
    /// The engine restarted the computer (11142).
    Restart = 10,
}

impl MessageKind {
    /// Every kind, in the order of `[messages]`.
    pub const ALL: [Self; 11] = [
        Self::RunStarted,
        Self::RunCompleted,
        Self::RunFailed,
        Self::GroupStarted,
        Self::GroupCompleted,
        Self::GroupSkipped,
        Self::StepSucceeded,
        Self::StepFailed,
        Self::StepSkipped,
        Self::StepDisabled,
        Self::Restart,
    ];

    /// The kind's key in `[messages]` and in `summary.json`.
    pub const fn key(self) -> &'static str {
        match self {
            Self::RunStarted => "run_started",
            Self::RunCompleted => "run_completed",
            Self::RunFailed => "run_failed",
            Self::GroupStarted => "group_started",
            Self::GroupCompleted => "group_completed",
            Self::GroupSkipped => "group_skipped",
            Self::StepSucceeded => "step_succeeded",
            Self::StepFailed => "step_failed",
            Self::StepSkipped => "step_skipped",
            Self::StepDisabled => "step_disabled",
            Self::Restart => "restart",
        }
    }

    /// The status messages the event stands for (a run's end: the engine's and the manager's).
    pub const fn messages(self) -> &'static [Message] {
        use crate::configmgr::message as m;
        match self {
            Self::RunStarted => &[m::RUN_STARTED],
            Self::RunCompleted => &[m::RUN_COMPLETED, m::MANAGER_COMPLETED],
            Self::RunFailed => &[m::RUN_FAILED, m::MANAGER_FAILED],
            Self::GroupStarted => &[m::GROUP_STARTED],
            Self::GroupCompleted => &[m::GROUP_COMPLETED],
            Self::GroupSkipped => &[m::GROUP_SKIPPED],
            Self::StepSucceeded => &[m::STEP_SUCCEEDED],
            Self::StepFailed => &[m::STEP_FAILED],
            Self::StepSkipped => &[m::STEP_SKIPPED],
            Self::StepDisabled => &[m::STEP_DISABLED],
            Self::Restart => &[m::RESTART],
        }
    }

    /// The IDs of its messages, as a reader reads them: `11143, 11171`.
    pub fn message_ids(self) -> String {
        self.messages().iter().map(|m| m.id.to_string()).collect::<Vec<_>>().join(", ")
    }

    /// The default number of messages the event sends.
    pub const fn default_count(self) -> u32 {
        match self {
            Self::RunCompleted | Self::RunFailed => 2,
            _ => 1,
        }
    }
}

impl fmt::Display for MessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// How many messages each event sends, and the software-update state-message stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageCounts {
    counts: [u32; 11],
    /// State messages per installed or failed update: its enforcement states, topic 402
    /// (default 0: no state messages).
    pub state_per_update: u32,
    /// State messages per completed update scan (topic 501; default 0).
    pub state_per_scan: u32,
    /// State messages per update a scan finds applicable (detection, topic 500; default 0).
    pub state_per_detection: u32,
    /// State messages of the deployment when a run starts and again when it ends (topics
    /// 300–302; default 0).
    pub state_per_deployment: u32,
    /// Each state batch leaves up to this long after its boundary (uniform; default 0s).
    pub state_jitter: Millis,
    /// The client sends state messages in bulk at this interval (default 15 minutes).
    pub state_batch: Millis,
    /// How the engine hands status messages to the management point.
    pub delivery: Delivery,
}

/// How the task sequence engine sends its status messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The message reaches the MP's queue when sent and waits out an MP outage there; nothing
    /// is lost (patchsim's model before inline delivery, and the default).
    Queued,
    /// The engine sends while the step runs: at an MP that is down it tries again `retries`
    /// times `interval` apart, the sequence waiting meanwhile, and after the last try the
    /// message is lost ("If status messages fail to send, they're not queued").
    Inline {
        /// Tries after the first.
        retries: u32,
        /// Time between tries.
        interval: Millis,
    },
}

/// The engine's tries after a failed send, and the wait between them: the MP list request's
/// "3 times 60 s apart" (`SMSTSMPListRequestTimeout`).
pub const INLINE_RETRIES: u32 = 3;
/// The wait between tries.
pub const INLINE_INTERVAL: Millis = 60_000;

/// The most messages one event may send (a sanity bound).
pub const MAX_MESSAGES_PER_EVENT: i64 = 10_000;

/// Default interval of the client's state-message batches.
pub const DEFAULT_STATE_BATCH: Millis = 15 * MINUTE;

impl Default for MessageCounts {
    fn default() -> Self {
        Self {
            counts: MessageKind::ALL.map(MessageKind::default_count),
            state_per_update: 0,
            state_per_scan: 0,
            state_per_detection: 0,
            state_per_deployment: 0,
            state_jitter: 0,
            state_batch: DEFAULT_STATE_BATCH,
            delivery: Delivery::Queued,
        }
    }
}

/// Reads `delivery`, `send_retries` and `send_retry_interval` of `[messages]`.
fn read_delivery(t: &Table<'_, '_>) -> ReadResult<Delivery> {
    let inline = match t.get("delivery") {
        None => false,
        Some(v) => match v.str()? {
            "queued" => false,
            "inline" => true,
            other => {
                return Err(v.error(format!(
                    "unknown delivery \"{other}\"; use \"queued\" (messages wait at a down management point) or \"inline\" (the engine retries, then loses them)"
                )));
            }
        },
    };
    let retries_v = t.get("send_retries");
    let interval_v = t.get("send_retry_interval");
    if !inline {
        if let Some(v) = retries_v.or(interval_v) {
            return Err(v.error("the engine retries a send only with delivery = \"inline\""));
        }
        return Ok(Delivery::Queued);
    }
    let retries = retries_v.map_or(Ok(i64::from(INLINE_RETRIES)), |v| v.integer_in(0, 100))? as u32;
    let interval = match interval_v {
        None => INLINE_INTERVAL,
        Some(v) => {
            let d = v.duration()?;
            if d == 0 || d > HOUR {
                return Err(v.error(format!(
                    "the wait between tries is more than 0s and at most 1h, found {}",
                    DurationDisplay(d)
                )));
            }
            d
        }
    };
    Ok(Delivery::Inline { retries, interval })
}

impl MessageCounts {
    /// Reads `[messages]`; absent keys keep their defaults.
    pub fn read(table: Option<&Table<'_, '_>>) -> ReadResult<Self> {
        let mut counts = Self::default();
        if let Some(t) = table {
            for kind in MessageKind::ALL {
                if let Some(v) = t.get(kind.key()) {
                    counts.counts[kind as usize] = v.integer_in(0, MAX_MESSAGES_PER_EVENT)? as u32;
                }
            }
            for (key, count) in [
                ("state_per_update", &mut counts.state_per_update),
                ("state_per_scan", &mut counts.state_per_scan),
                ("state_per_detection", &mut counts.state_per_detection),
                ("state_per_deployment", &mut counts.state_per_deployment),
            ] {
                if let Some(v) = t.get(key) {
                    *count = v.integer_in(0, MAX_MESSAGES_PER_EVENT)? as u32;
                }
            }
            if let Some(v) = t.get("state_jitter") {
                let jitter = v.duration()?;
                if jitter > DAY {
                    return Err(v.error(format!("a jitter of {} is absurd (at most 1d)", DurationDisplay(jitter))));
                }
                counts.state_jitter = jitter;
            }
            if let Some(v) = t.get("state_batch") {
                let batch = v.duration()?;
                if batch == 0 {
                    return Err(
                        v.error("the client sends state messages every `state_batch`; it must be longer than 0s")
                    );
                }
                if batch > DAY {
                    return Err(
                        v.error(format!("a state-message batch of {} is absurd (at most 1d)", DurationDisplay(batch)))
                    );
                }
                counts.state_batch = batch;
            }
            counts.delivery = read_delivery(t)?;
        }
        Ok(counts)
    }

    /// The keys `[messages]` accepts.
    pub fn keys() -> Vec<&'static str> {
        let mut keys: Vec<&'static str> = MessageKind::ALL.iter().map(|k| k.key()).collect();
        keys.extend([
            "state_per_update",
            "state_per_scan",
            "state_per_detection",
            "state_per_deployment",
            "state_jitter",
            "state_batch",
            "delivery",
            "send_retries",
            "send_retry_interval",
        ]);
        keys
    }

    /// Messages sent by one event of `kind`.
    #[inline]
    pub fn get(&self, kind: MessageKind) -> u32 {
        self.counts[kind as usize]
    }

    /// Sets the count of one event kind.
    pub fn set(&mut self, kind: MessageKind, count: u32) {
        self.counts[kind as usize] = count;
    }

    /// Whether any software-update state message is sent (any topic's count above 0).
    pub fn sends_state(&self) -> bool {
        self.state_per_update > 0
            || self.state_per_scan > 0
            || self.state_per_detection > 0
            || self.state_per_deployment > 0
    }

    /// Whether no event sends a status message (state messages aside).
    pub fn status_all_zero(&self) -> bool {
        self.counts.iter().all(|c| *c == 0)
    }

    /// Whether a status message can be lost (inline delivery).
    pub fn inline(&self) -> bool {
        matches!(self.delivery, Delivery::Inline { .. })
    }

    /// Whether no event sends a status message and no update sends a state message.
    pub fn all_zero(&self) -> bool {
        self.counts.iter().all(|c| *c == 0) && !self.sends_state()
    }
}
