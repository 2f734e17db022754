//! Watching one server's run event by event: the basis of `patchsim trace` and of the rule tests.
//!
//! The engine is generic over an [`Observer`]; the no-op observer `()` compiles away, so the
//! simulation loop pays nothing for the hooks.

use super::outcome::Outcome;
use crate::scenario::{MessageKind, Millis};
use crate::sequence::NodeId;

/// What caused a restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartCause {
    /// A restart was already pending before Install Software Updates.
    Pending,
    /// An installed update asked for one.
    Updates,
    /// A step exited 3010 with `on_3010 = "restart"`.
    ExitCode3010,
    /// A Restart Computer step.
    RestartStep,
    /// A step set `SMSTSRebootRequested`.
    Requested,
    /// An update restarted the computer by itself during Install Software Updates.
    UpdateRestarted,
}

impl RestartCause {
    /// A short label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Pending => "pending restart",
            Self::Updates => "updates asked",
            Self::ExitCode3010 => "exit code 3010",
            Self::RestartStep => "Restart Computer",
            Self::Requested => "SMSTSRebootRequested",
            Self::UpdateRestarted => "an update restarted it",
        }
    }
}

/// Why a step or group did not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// It is disabled.
    Disabled,
    /// Its condition was false.
    ConditionFalse,
}

/// One thing that happened in a server's run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TraceEvent {
    /// The run started.
    RunStarted {
        /// When.
        at: Millis,
    },
    /// A step or group was skipped.
    Skipped {
        /// Which.
        node: NodeId,
        /// When.
        at: Millis,
        /// Why.
        reason: SkipReason,
    },
    /// A group started.
    GroupStarted {
        /// Which.
        node: NodeId,
        /// When.
        at: Millis,
    },
    /// A group ended (ran to its end, or ended by a failure inside it).
    GroupEnded {
        /// Which.
        node: NodeId,
        /// When.
        at: Millis,
        /// Whether a failure ended it.
        failed: bool,
    },
    /// A step (or one item of an `install_software` step) started.
    StepStarted {
        /// Which.
        node: NodeId,
        /// The item (0-based) for `install_software`; `None` for a whole step.
        item: Option<u32>,
        /// When.
        at: Millis,
    },
    /// A step (or one item of an `install_software` step) ended.
    StepEnded {
        /// Which.
        node: NodeId,
        /// The item (0-based) for `install_software`; `None` for a whole step.
        item: Option<u32>,
        /// When it started.
        start: Millis,
        /// When it ended.
        end: Millis,
        /// The exit code the engine saw, where the step has one.
        exit_code: Option<i64>,
        /// Whether it succeeded.
        success: bool,
        /// Whether its time-out killed it.
        timed_out: bool,
    },
    /// A restart; `end` is `None` when the server never came back.
    Restart {
        /// The step that caused it.
        node: NodeId,
        /// Why.
        cause: RestartCause,
        /// When it began.
        start: Millis,
        /// When the server was back, if it came back.
        end: Option<Millis>,
    },
    /// A restart the deployment does not allow after the window closed: it does not happen and
    /// the run fails.
    RestartRefused {
        /// The step that would have caused it.
        node: NodeId,
        /// Why it was due.
        cause: RestartCause,
        /// When it was due.
        at: Millis,
    },
    /// Status messages were sent.
    Message {
        /// When.
        at: Millis,
        /// Which event.
        kind: MessageKind,
        /// How many messages.
        count: u32,
    },
    /// Status messages the engine could not send (inline delivery: its management point was
    /// down through every try); `at` is when it gave up.
    MessagesLost {
        /// When the last try failed.
        at: Millis,
        /// Which event.
        kind: MessageKind,
        /// How many messages.
        count: u32,
    },
    /// Software-update state messages sent in one batch by the client.
    StateMessages {
        /// When the batch went out.
        at: Millis,
        /// How many messages.
        count: u32,
    },
    /// The run ended.
    RunEnded {
        /// When.
        at: Millis,
        /// How.
        outcome: Outcome,
    },
}

/// Receives every event of a run.
pub trait Observer {
    /// Whether the observer looks at events at all (a coupled replication keeps each server's
    /// events for it only then).
    const WATCHES: bool = true;

    /// Called for each event, in time order.
    fn event(&mut self, event: TraceEvent);

    /// Events kept so far (a coupled run's checkpoint remembers it to drop what a replay redoes).
    fn kept(&self) -> usize {
        0
    }

    /// Drops the events after the first `len` (a coupled run resuming from a checkpoint).
    fn keep_first(&mut self, _len: usize) {}
}

impl Observer for () {
    const WATCHES: bool = false;

    #[inline(always)]
    fn event(&mut self, _event: TraceEvent) {}
}

impl Observer for Vec<TraceEvent> {
    fn event(&mut self, event: TraceEvent) {
        self.push(event);
    }

    fn kept(&self) -> usize {
        self.len()
    }

    fn keep_first(&mut self, len: usize) {
        self.truncate(len);
    }
}
