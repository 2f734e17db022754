//! One server's task-sequence run: the engine's step semantics, exactly as the scenario
//! format's run semantics and the rules of `docs/model.md` describe them.
//!
//! A server that uses no shared resource interacts with nothing that feeds back into it (status
//! messages are queued after the fact), so its timeline is computed directly: a clock that only
//! moves forward, the program counter, and the variables. Every random draw comes from the
//! server's own streams.
//!
//! A coupled server (one whose activities run on shared resources, format 1.1) cannot know when
//! an activity ends until the rest of the fleet has run that far. Its run asks its [`Port`] for
//! each activity's answer in turn; when the coupled replication ([`super::coupled`]) has not
//! answered yet, the request is posted and the run stops ([`Halt::Suspended`]). Once answered,
//! the run is replayed from its last checkpoint: every draw is counter-based, so it takes the
//! same path to the same request and reads the answers it has. The code of a server without a
//! port is untouched by any of this.

use super::contention::port::{End, Port, Request, Work};
use super::observer::{Observer, RestartCause, SkipReason, TraceEvent};
use super::outcome::Outcome;
use crate::messages::Emissions;
use crate::messages::emissions::EmissionsMark;
use crate::random::Stream;
use crate::random::layout::{Purpose, StepDraw};
use crate::scenario::distribution::pick;
use crate::scenario::message_counts::Delivery;
use crate::scenario::{
    Component, DurationDist, MessageCounts, MessageKind, Millis, Outage, ResourceId, RestartSettings, RestartsByCause,
};
use crate::sequence::engine_variables::{CODE_FAILED, CODE_TIMED_OUT};
use crate::sequence::{
    ExitOutcome, ExitTable, ItemSource, NodeId, Op, Program, ProgramAction, ProgramNode, ProgramUpdates, UNSET, ValueId,
};

/// Why a run ended early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Halt {
    /// The maximum run time was reached.
    Stopped,
    /// A restart hung: the server never came back.
    Hung,
    /// A coupled activity waits for its answer (the run is replayed once it has one).
    Suspended,
    /// The run failed outside any step: a restart the deployment does not allow after the
    /// window, or a client that did not come back after a restart.
    Failed,
}

/// How an activity ended, when the run goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ActivityEnd {
    /// Its work is done.
    Done,
    /// Its step's time-out came first.
    TimedOut,
    /// Its resource refused it too often.
    Failed,
}

/// How a step ended, with the return code the engine records for it
/// (`_SMSTSLastActionRetCode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StepEnd {
    Succeeded {
        code: i64,
    },
    /// Failed; `restart_after`: an installed update asked for a restart that follows the step if
    /// the run goes on.
    Failed {
        restart_after: bool,
        code: i64,
    },
    /// The engine runs the step again (an update restarted the computer by itself).
    Retry,
}

/// How one update of Install Software Updates ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Update {
    /// Installed; `asks`: it asks for a restart.
    Installed { asks: bool },
    /// Failed (or needs more than one restart).
    Failed,
    /// Its install passed the install time-out.
    TimedOut,
    /// It restarted the computer by itself.
    RestartedItself,
}

impl StepEnd {
    const OK: Self = Self::Succeeded { code: 0 };

    /// A step other than a command that failed (`E_FAIL`, 0x80004005, as the engine logs it).
    const FAILED: Self = Self::Failed { restart_after: false, code: CODE_FAILED };

    fn of(success: bool, code: i64) -> Self {
        if success { Self::Succeeded { code } } else { Self::Failed { restart_after: false, code } }
    }
}

/// The most times the engine runs one step in a row when asked to rerun it
/// (`SMSTSRetryRequested`); a step asking again after that fails. A bound of patchsim's: the
/// engine has none, but a run would reach its maximum run time first.
pub(crate) const MAX_RERUNS: u32 = 1_000;

/// The scenario's restart duration for restarts of `cause`, if it gives one.
fn by_cause(durations: &RestartsByCause, cause: RestartCause) -> Option<&DurationDist> {
    match cause {
        RestartCause::Pending => durations.pending.as_ref(),
        RestartCause::Updates | RestartCause::UpdateRestarted => durations.updates.as_ref(),
        RestartCause::RestartStep => durations.restart_step.as_ref(),
        RestartCause::ExitCode3010 => durations.exit_3010.as_ref(),
        RestartCause::Requested => durations.requested.as_ref(),
    }
}

/// The client's software-update state messages: each installed or failed update adds
/// `per_update` messages to the batch due at the next boundary `phase + k × batch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StateBatch {
    pub per_update: u32,
    pub batch: Millis,
    pub phase: Millis,
    pending: Option<(Millis, u32)>,
}

impl StateBatch {
    /// A client that sends every `batch`, its first boundary at `phase`.
    pub fn new(per_update: u32, batch: Millis, phase: Millis) -> Self {
        Self { per_update, batch, phase, pending: None }
    }

    /// The first boundary at or after `t`.
    fn boundary(&self, t: Millis) -> Millis {
        if t <= self.phase { self.phase } else { self.phase + (t - self.phase).div_ceil(self.batch) * self.batch }
    }

    /// An update changed state at `t`; returns the previous batch when this one is due later.
    #[inline]
    fn add(&mut self, t: Millis) -> Option<(Millis, u32)> {
        self.add_count(t, self.per_update)
    }

    /// `count` state messages arose at `t` (a scan, its detections, the deployment's state);
    /// returns the previous batch when this one is due later.
    fn add_count(&mut self, t: Millis, count: u32) -> Option<(Millis, u32)> {
        if count == 0 {
            return None;
        }
        let due = self.boundary(t);
        match self.pending {
            Some((d, ref mut pending)) if d == due => {
                *pending += count;
                None
            }
            previous => {
                self.pending = Some((due, count));
                previous
            }
        }
    }

    /// The batch still waiting, if any.
    fn take(&mut self) -> Option<(Millis, u32)> {
        self.pending.take()
    }
}

/// Where a coupled run resumes instead of replaying from its start: the run's whole state when
/// it began the last step it began. The run is deterministic given its answers, so that state is
/// what a replay from the start would reach; resuming there replays only the step that asked.
#[derive(Debug, Clone, Default)]
pub(crate) struct Checkpoint {
    /// Whether a step boundary was saved.
    valid: bool,
    pc: usize,
    /// Inside a step with items: where in it (none: at its start).
    within: Option<Within>,
    step_restarts: u64,
    attempt: u32,
    t: Millis,
    pending: bool,
    restarts: u32,
    restarts_outside: u32,
    sent: u32,
    lost: u32,
    state_sent: u32,
    events: u32,
    hung: bool,
    state: Option<StateBatch>,
    scanned: bool,
    vars: Vec<ValueId>,
    sink: EmissionsMark,
    observed: usize,
}

/// Where inside a step with items (install_software, install_updates) a coupled run resumes:
/// after the items before `next`, with what they left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Within {
    /// When the step started.
    start: Millis,
    /// The next item.
    next: u32,
    /// Whether an item failed so far.
    any_failed: bool,
    /// Whether an update asked for a restart so far.
    asked: bool,
    /// The return code the step records so far (software items).
    code: i64,
}

impl Checkpoint {
    /// No checkpoint, its buffers kept (for the next replication).
    pub fn emptied(mut self) -> Self {
        self.valid = false;
        self.within = None;
        self
    }

    /// Whether a replay can resume here.
    pub fn is_valid(&self) -> bool {
        self.valid
    }
}

/// The state of one server's run.
pub(crate) struct ServerRun<'a, O: Observer> {
    pub program: &'a Program,
    pub messages: &'a MessageCounts,
    pub stream: Stream,
    pub mp: usize,
    pub t: Millis,
    pub deadline: Millis,
    pub window_end: Millis,
    pub vars: &'a mut [ValueId],
    pub counts: &'a [u32],
    pub pending: bool,
    pub restart_dist: &'a DurationDist,
    pub hang: f64,
    /// `[restart]`: durations by cause, hang recovery, the client after boot.
    pub restart_rules: &'a RestartSettings,
    /// Whether the deployment allows restarts after the window closed.
    pub restarts_outside_window: bool,
    pub restarts: u32,
    pub restarts_outside: u32,
    pub sent: u32,
    /// Status messages lost (inline delivery at a management point that stayed down).
    pub lost: u32,
    pub state_sent: u32,
    /// The site's outages (inline delivery asks whether the server's MP is down).
    pub mp_outages: &'a [Outage],
    pub events: u32,
    pub hung: bool,
    /// Restarts caused so far by the step running now (the index of its next restart draw).
    pub step_restarts: u64,
    /// How often the step running now ran before in this run (a rerun the engine was asked
    /// for draws its durations and exit codes afresh).
    pub attempt: u32,
    /// The software-update state messages waiting for the client's next batch.
    pub state: StateBatch,
    /// Whether an update scan completed earlier in the run (a cached scan may read it).
    pub scanned: bool,
    /// Where activities on shared resources are sent; `None`: the server uses none.
    pub port: Option<&'a Port>,
    /// The server's instance of each resource.
    pub instances: &'a [u32],
    /// Coupled runs: where the run saves its state at each step's start, and resumes from.
    pub checkpoint: Option<&'a mut Checkpoint>,
    /// Resuming inside the step at the checkpoint: where.
    pub resume: Option<Within>,
    pub sink: &'a mut Emissions,
    pub observer: &'a mut O,
}

impl<O: Observer> ServerRun<'_, O> {
    /// Runs the sequence from the current time; returns the outcome and the end time.
    pub fn run(&mut self) -> Option<(Outcome, Millis)> {
        let resumed = if self.checkpoint.is_some() { self.restore() } else { None };
        let from = match resumed {
            Some(pc) => pc,
            None => {
                // A coupled run that stops before its first checkpoint takes back from here.
                if let Some(cp) = self.checkpoint.as_deref_mut() {
                    cp.sink = self.sink.mark(self.mp);
                }
                self.note(TraceEvent::RunStarted { at: self.t });
                self.send(MessageKind::RunStarted);
                self.state_change(self.messages.state_per_deployment);
                0
            }
        };
        let (outcome, end) = match self.execute(from) {
            Ok(true) => {
                self.send(MessageKind::RunCompleted);
                let outcome = if self.t <= self.window_end { Outcome::CompletedInWindow } else { Outcome::Overran };
                (outcome, self.t)
            }
            Ok(false) => {
                self.send(MessageKind::RunFailed);
                (Outcome::Failed, self.t)
            }
            Err(Halt::Stopped) => {
                self.t = self.deadline;
                self.send(MessageKind::RunFailed);
                (Outcome::Stopped, self.t)
            }
            // The clock stayed at the moment the hung restart began.
            Err(Halt::Hung) => (Outcome::Failed, self.t),
            Err(Halt::Failed) => {
                self.send(MessageKind::RunFailed);
                (Outcome::Failed, self.t)
            }
            Err(Halt::Suspended) => {
                // Sent again when the run is replayed from its checkpoint.
                if let Some(cp) = self.checkpoint.as_deref() {
                    self.sink.rewind_to(&cp.sink);
                }
                return None;
            }
        };
        // The deployment's state at the run's end (a server down for good sends none).
        if !self.hung {
            self.state_change(self.messages.state_per_deployment);
        }
        // The client sends what its state-message batch holds, unless the server went down for
        // good before the batch was due.
        if let Some((due, count)) = self.state.take()
            && !(self.hung && due > end)
        {
            self.emit_state(due, count);
        }
        self.note(TraceEvent::RunEnded { at: end, outcome });
        Some((outcome, end))
    }

    /// Saves the run's state at the start of the step at `pc`, when it keeps a checkpoint.
    #[cold]
    #[inline(never)]
    fn save(&mut self, pc: usize) {
        let Some(cp) = self.checkpoint.as_deref_mut() else { return };
        cp.valid = true;
        cp.pc = pc;
        cp.within = None;
        self.capture();
    }

    /// Saves the run's state inside the step it began last, after its items before `within.next`.
    #[cold]
    #[inline(never)]
    fn save_within(&mut self, within: Within) {
        let Some(cp) = self.checkpoint.as_deref_mut() else { return };
        cp.within = Some(within);
        self.capture();
    }

    /// Whether step `node` may ask for an activity on a resource: one of its own, or a
    /// restart when restarts use one. A run only stops at such a step, so only those need a
    /// checkpoint at their start (one at any other step would be replaced before it is used).
    fn may_post(&self, node: &ProgramNode) -> bool {
        if node.uses.any() {
            return true;
        }
        if self.program.restart_uses.is_none() {
            return false;
        }
        // Any step that succeeds with SMSTSRebootRequested set is followed by a restart.
        if self.program.engine.requests_restart() {
            return true;
        }
        match &node.action {
            None | Some(ProgramAction::Sleep { .. } | ProgramAction::SetVariable { .. }) => false,
            Some(ProgramAction::Command { exit, .. } | ProgramAction::InstallSoftware { exit, .. }) => {
                exit.outcomes.iter().any(|o| o.restart)
            }
            Some(ProgramAction::InstallUpdates(_) | ProgramAction::Restart { .. }) => true,
        }
    }

    /// Copies the run's state into its checkpoint.
    fn capture(&mut self) {
        let Some(cp) = self.checkpoint.as_deref_mut() else { return };
        cp.step_restarts = self.step_restarts;
        cp.attempt = self.attempt;
        cp.t = self.t;
        cp.pending = self.pending;
        cp.restarts = self.restarts;
        cp.restarts_outside = self.restarts_outside;
        cp.sent = self.sent;
        cp.lost = self.lost;
        cp.state_sent = self.state_sent;
        cp.events = self.events;
        cp.hung = self.hung;
        cp.state = Some(self.state);
        cp.scanned = self.scanned;
        cp.vars.clear();
        cp.vars.extend_from_slice(self.vars);
        cp.sink = self.sink.mark(self.mp);
        cp.observed = self.observer.kept();
        // Answers before here are never read again: a replay resumes here or later.
        if let Some(port) = self.port {
            port.forget_read();
        }
    }

    /// Puts the run back in the state its checkpoint saved; the pc to resume at, or `None` to
    /// run from the start.
    #[cold]
    #[inline(never)]
    fn restore(&mut self) -> Option<usize> {
        let cp = self.checkpoint.as_deref().filter(|cp| cp.valid)?;
        self.resume = cp.within;
        self.step_restarts = cp.step_restarts;
        self.attempt = cp.attempt;
        self.t = cp.t;
        self.pending = cp.pending;
        self.restarts = cp.restarts;
        self.restarts_outside = cp.restarts_outside;
        self.sent = cp.sent;
        self.lost = cp.lost;
        self.state_sent = cp.state_sent;
        self.events = cp.events;
        self.hung = cp.hung;
        if let Some(state) = cp.state {
            self.state = state;
        }
        self.scanned = cp.scanned;
        self.vars.copy_from_slice(&cp.vars);
        self.observer.keep_first(cp.observed);
        if let Some(port) = self.port {
            port.rewind();
        }
        let pc = cp.pc;
        // What it sent up to the checkpoint stays sent; from here on it may be taken back.
        if let Some(cp) = self.checkpoint.as_deref_mut() {
            cp.sink = self.sink.mark(self.mp);
        }
        Some(pc)
    }

    /// Copies what the run counted into its server's record.
    pub fn finish(&self, record: &mut super::simulator::ServerRecord, outcome: Outcome, end: Millis) {
        record.outcome = outcome;
        record.end = end;
        record.restarts += self.restarts;
        record.restarts_outside += self.restarts_outside;
        record.messages += self.sent;
        record.lost += self.lost;
        record.state_messages += self.state_sent;
        record.events += self.events;
    }

    /// Steps through the program; `Ok(true)` when it got through, `Ok(false)` when a failure
    /// reached the top.
    fn execute(&mut self, from: usize) -> Result<bool, Halt> {
        let program = self.program;
        let mut pc = from;
        // The step at `pc` runs again (the engine was asked to rerun it): already begun.
        let mut rerun = false;
        while let Some(op) = program.ops.get(pc) {
            match *op {
                Op::Enter(id) => {
                    let node = &program.nodes[id as usize];
                    if let Some(reason) = self.skip_reason(node) {
                        self.note(TraceEvent::Skipped { node: id, at: self.t, reason });
                        self.send(MessageKind::GroupSkipped);
                        pc = node.next as usize;
                    } else {
                        self.note(TraceEvent::GroupStarted { node: id, at: self.t });
                        self.send(MessageKind::GroupStarted);
                        pc += 1;
                    }
                }
                Op::Leave(id) => {
                    self.note(TraceEvent::GroupEnded { node: id, at: self.t, failed: false });
                    self.send(MessageKind::GroupCompleted);
                    pc += 1;
                }
                Op::Run(id) => {
                    let node = &program.nodes[id as usize];
                    // A run resuming inside this step already began it.
                    if self.resume.is_none() && !rerun {
                        if self.checkpoint.is_some() && self.may_post(node) {
                            self.save(pc);
                        }
                        if let Some(reason) = self.skip_reason(node) {
                            self.note(TraceEvent::Skipped { node: id, at: self.t, reason });
                            self.send(match reason {
                                SkipReason::Disabled => MessageKind::StepDisabled,
                                SkipReason::ConditionFalse => MessageKind::StepSkipped,
                            });
                            pc += 1;
                            continue;
                        }
                        self.step_restarts = 0;
                        self.attempt = 0;
                    }
                    rerun = false;
                    let mut end = self.step(id, node)?;
                    if end == StepEnd::Retry {
                        self.attempt += 1;
                        rerun = true;
                        continue;
                    }
                    if let StepEnd::Succeeded { .. } = end
                        && self.program.engine.requests_restart()
                        && self.requested_restart(id, node)?
                    {
                        // The engine runs the same step again after the restart.
                        if self.attempt < MAX_RERUNS {
                            self.last_action(node, end);
                            self.attempt += 1;
                            rerun = true;
                            continue;
                        }
                        end = StepEnd::FAILED;
                    }
                    self.last_action(node, end);
                    match end {
                        StepEnd::Succeeded { .. } => pc += 1,
                        StepEnd::Failed { restart_after, .. } => match self.fail(id, node, restart_after)? {
                            Some(next) => pc = next as usize,
                            None => return Ok(false),
                        },
                        StepEnd::Retry => unreachable!("a retried step runs again above"),
                    }
                }
            }
        }
        Ok(true)
    }

    /// Records step `node`'s result in `_SMSTSLastAction…`, when a condition tests them.
    #[inline]
    fn last_action(&mut self, node: &ProgramNode, end: StepEnd) {
        let engine = &self.program.engine;
        let Some(la) = engine.last_action else { return };
        let (succeeded, code) = match end {
            StepEnd::Succeeded { code } => (true, code),
            StepEnd::Failed { code, .. } => (false, code),
            StepEnd::Retry => return,
        };
        self.vars[la.ret_code as usize] = engine.code(code);
        self.vars[la.succeeded as usize] = if succeeded { la.true_value } else { la.false_value };
        self.vars[la.name as usize] = node.name_value;
    }

    /// After a step that succeeded: when it set `SMSTSRebootRequested`, the engine clears the
    /// request and restarts the computer; returns whether it also set `SMSTSRetryRequested`,
    /// asking for the step to run again after the restart.
    #[cold]
    fn requested_restart(&mut self, id: NodeId, node: &ProgramNode) -> Result<bool, Halt> {
        let engine = &self.program.engine;
        let Some(reboot) = engine.reboot_requested else { return Ok(false) };
        if !engine.asks(self.vars[reboot as usize]) {
            return Ok(false);
        }
        let retry = engine.retry_requested.is_some_and(|r| engine.asks(self.vars[r as usize]));
        self.vars[reboot as usize] = UNSET;
        if let Some(r) = engine.retry_requested {
            self.vars[r as usize] = UNSET;
        }
        self.restart(id, node, RestartCause::Requested, None)?;
        Ok(retry)
    }

    /// The stream of one kind of draw of step `node` on the run's current attempt at it: a
    /// rerun draws its durations and exit codes afresh (the first attempt's are the step's own).
    #[inline]
    fn draws(&self, node: &ProgramNode, kind: StepDraw) -> Stream {
        let tag = node.tag(kind);
        self.stream.child(if self.attempt == 0 { tag } else { crate::random::layout::attempt_tag(tag, self.attempt) })
    }

    /// Where execution goes after step `id` failed: the pc to continue at, or `None` when the
    /// failure reaches the top. Groups the failure ends send `group_completed` now.
    fn fail(&mut self, id: NodeId, node: &ProgramNode, restart_after: bool) -> Result<Option<u32>, Halt> {
        let nodes = &self.program.nodes;
        if node.continue_on_error {
            if restart_after {
                self.restart(id, node, RestartCause::Updates, None)?;
            }
            return Ok(Some(node.next));
        }
        // The innermost enclosing group that continues on error catches the failure.
        let mut catcher = node.parent;
        while let Some(g) = catcher {
            if nodes[g as usize].continue_on_error {
                break;
            }
            catcher = nodes[g as usize].parent;
        }
        if catcher.is_some() && restart_after {
            self.restart(id, node, RestartCause::Updates, None)?;
        }
        let mut group = node.parent;
        while let Some(g) = group {
            self.note(TraceEvent::GroupEnded { node: g, at: self.t, failed: true });
            self.send(MessageKind::GroupCompleted);
            if Some(g) == catcher {
                return Ok(Some(nodes[g as usize].next));
            }
            group = nodes[g as usize].parent;
        }
        Ok(None)
    }

    fn skip_reason(&self, node: &ProgramNode) -> Option<SkipReason> {
        if node.disabled {
            Some(SkipReason::Disabled)
        } else if node.guard.as_ref().is_some_and(|g| {
            let probes = self.stream.child(node.tag(StepDraw::Probe));
            !g.eval(self.vars, &mut |k| node.probe_holds >= 1.0 || probes.uniform(u64::from(k)) < node.probe_holds)
        }) {
            Some(SkipReason::ConditionFalse)
        } else {
            None
        }
    }

    fn step(&mut self, id: NodeId, node: &ProgramNode) -> Result<StepEnd, Halt> {
        let Some(action) = &node.action else { return Ok(StepEnd::OK) };
        // A coupled run resuming inside this step: it started, and announced it, before.
        let within = self.resume.take();
        let start = within.map_or(self.t, |w| w.start);
        // Commands and software items announce their own start (one per item).
        if within.is_none() && !matches!(action, ProgramAction::Command { .. } | ProgramAction::InstallSoftware { .. })
        {
            self.note(TraceEvent::StepStarted { node: id, item: None, at: start });
        }
        match action {
            ProgramAction::Sleep { duration } => {
                let d = duration.sample(&mut self.draws(node, StepDraw::Duration).draw(0));
                self.advance(d)?;
                self.step_ended(id, node, None, start, None, true, false);
                Ok(StepEnd::OK)
            }
            ProgramAction::Command { duration, exit } => {
                let (success, code) = self.exit_step(id, node, None, duration, exit)?;
                Ok(StepEnd::of(success, code))
            }
            ProgramAction::InstallSoftware { items, per_item, exit } => {
                let n = self.items(node, items);
                let (from, mut any_failed, mut code) = within.map_or((0, false, 0), |w| (w.next, w.any_failed, w.code));
                for i in from..n {
                    let (success, item_code) = self.exit_step(id, node, Some(i), per_item, exit)?;
                    // The step's code: the first failing item's, else the last item's.
                    if !any_failed {
                        code = item_code;
                    }
                    if !success {
                        any_failed = true;
                        if !node.continue_list {
                            break;
                        }
                    }
                    if self.checkpoint.is_some() {
                        self.save_within(Within { start, next: i + 1, any_failed, asked: false, code });
                    }
                }
                Ok(StepEnd::of(!any_failed, code))
            }
            ProgramAction::InstallUpdates(updates) => self.install_updates(id, node, updates, within, start),
            ProgramAction::Restart { duration, notify } => {
                self.step_ended(id, node, None, start, None, true, false);
                // The engine shows its restart notification first.
                self.advance(*notify)?;
                self.restart(id, node, RestartCause::RestartStep, duration.as_ref())?;
                Ok(StepEnd::OK)
            }
            ProgramAction::SetVariable { variable, value } => {
                self.vars[*variable as usize] = *value;
                self.step_ended(id, node, None, start, None, true, false);
                Ok(StepEnd::OK)
            }
        }
    }

    /// Install Software Updates: a restart first when one is pending, the scan (failing at its
    /// time-out), the content, each update in turn; an update that restarts the computer by
    /// itself has the engine run the step again (up to `retries` times); after the step's own
    /// restart the step runs again — it scans, installs what became applicable — and completes.
    fn install_updates(
        &mut self,
        id: NodeId,
        node: &ProgramNode,
        u: &ProgramUpdates,
        within: Option<Within>,
        start: Millis,
    ) -> Result<StepEnd, Halt> {
        let required = self.items(node, &u.items);
        let optional = if u.settings.all {
            u.settings.optional.sample(&mut self.stream.child(node.tag(StepDraw::OptionalItems)).draw(0))
        } else {
            0
        };
        let n = required.saturating_add(optional);
        if within.is_none() {
            if u.settings.restart_if_pending && self.pending {
                self.restart(id, node, RestartCause::Pending, None)?;
            }
            // A cached scan reads the run's previous results: no resource.
            let scan_on = if u.settings.scan_cached && self.scanned { None } else { node.uses.scan };
            if let Some(end) = self.update_scan(id, node, u, &u.settings.scan, StepDraw::Scan, scan_on, start)? {
                return Ok(end);
            }
            self.scanned = true;
            // The scan's state (topic 501) and each applicable update's detection (500).
            let m = self.messages;
            self.state_change(m.state_per_scan.saturating_add(m.state_per_detection.saturating_mul(n)));
            // A retry finds the content in the client's cache.
            // Bytes take time only on their resource. The download is no activity when every
            // item's content is in the client's cache; its bytes are drawn only when it is
            // asked for (a replay that reads its answer needs none).
            if n > 0
                && self.attempt == 0
                && self.port.is_some()
                && node.uses.download.is_some()
                && self.fetches(node, n)
            {
                let bytes = |run: &Self| Work::Bytes((0..u64::from(n)).map(|i| run.content(node, i)).sum());
                self.activity(node.uses.download, bytes, None)?;
            }
            if self.checkpoint.is_some() {
                self.save_within(Within { start, next: 0, any_failed: false, asked: false, code: 0 });
            }
        }
        let (from, mut any_failed, mut asked) = within.map_or((0, false, false), |w| (w.next, w.any_failed, w.asked));
        for i in from..n {
            match self.install_update(node, u, u64::from(i))? {
                Update::Installed { asks } => asked |= asks,
                Update::Failed => any_failed = true,
                Update::TimedOut => {
                    self.step_ended(id, node, None, start, None, false, true);
                    return Ok(StepEnd::Failed { restart_after: asked, code: CODE_TIMED_OUT });
                }
                Update::RestartedItself => {
                    self.restart(id, node, RestartCause::UpdateRestarted, None)?;
                    // "If one of the updates unexpectedly restarts the computer, retry this step."
                    if self.attempt < u.settings.retries {
                        return Ok(StepEnd::Retry);
                    }
                    self.step_ended(id, node, None, start, None, false, false);
                    return Ok(StepEnd::FAILED);
                }
            }
            if self.checkpoint.is_some() {
                self.save_within(Within { start, next: i + 1, any_failed, asked, code: 0 });
            }
        }
        if any_failed {
            self.step_ended(id, node, None, start, None, false, false);
            return Ok(StepEnd::Failed { restart_after: asked, code: CODE_FAILED });
        }
        if asked {
            // The step's own restart; the engine then runs the step again, and it completes after.
            self.restart(id, node, RestartCause::Updates, None)?;
            let scan_on = if u.settings.scan_cached { None } else { node.uses.scan };
            if let Some(end) = self.update_scan(id, node, u, &u.settings.rescan, StepDraw::Rescan, scan_on, start)? {
                return Ok(end);
            }
            let later =
                u.settings.after_restart.sample(&mut self.stream.child(node.tag(StepDraw::AfterRestartItems)).draw(0));
            let m = self.messages;
            self.state_change(m.state_per_scan.saturating_add(m.state_per_detection.saturating_mul(later)));
            for j in 0..u64::from(later) {
                // Their own restart requests wait for a later pass (the step restarts once).
                match self.install_update(node, u, u64::from(n) + j)? {
                    // Its own restart, asked or not, waits for a later step (the step restarts once).
                    Update::Installed { .. } | Update::RestartedItself => {}
                    Update::Failed => any_failed = true,
                    Update::TimedOut => {
                        self.step_ended(id, node, None, start, None, false, true);
                        return Ok(StepEnd::Failed { restart_after: false, code: CODE_TIMED_OUT });
                    }
                }
            }
        }
        self.step_ended(id, node, None, start, None, !any_failed, false);
        Ok(if any_failed { StepEnd::FAILED } else { StepEnd::OK })
    }

    /// The update scan: `None` when it completed, else how the step ended (refused by its
    /// resource, or past `scan_timeout`).
    #[allow(clippy::too_many_arguments)]
    fn update_scan(
        &mut self,
        id: NodeId,
        node: &ProgramNode,
        u: &ProgramUpdates,
        scan: &DurationDist,
        draw: StepDraw,
        on: Option<ResourceId>,
        start: Millis,
    ) -> Result<Option<StepEnd>, Halt> {
        let expires = self.t.saturating_add(u.settings.scan_timeout);
        let work = |run: &Self| Work::Time(scan.sample(&mut run.draws(node, draw).draw(0)));
        Ok(match self.activity(on, work, Some(expires))? {
            ActivityEnd::Done => None,
            // Refused out: the step fails now, with no items, no restart, no results.
            ActivityEnd::Failed => {
                self.step_ended(id, node, None, start, None, false, false);
                Some(StepEnd::FAILED)
            }
            ActivityEnd::TimedOut => {
                self.step_ended(id, node, None, start, None, false, true);
                Some(StepEnd::Failed { restart_after: false, code: CODE_TIMED_OUT })
            }
        })
    }

    /// Installs update `i` of an Install Software Updates step: its install time (failing at the
    /// install time-out), then whether it failed, restarted the computer by itself, needs more
    /// than one restart (which fails it: a sequence that deploys no OS cannot wait for the
    /// second), or asks for a restart. Its compliance change sends a state message.
    fn install_update(&mut self, node: &ProgramNode, u: &ProgramUpdates, i: u64) -> Result<Update, Halt> {
        let expires = self.t.saturating_add(u.settings.install_timeout);
        let work =
            |run: &Self| Work::Time(u.settings.per_item.sample(&mut run.draws(node, StepDraw::Duration).draw(i)));
        if self.activity(node.uses.install, work, Some(expires))? == ActivityEnd::TimedOut {
            return Ok(Update::TimedOut);
        }
        let share = |kind: StepDraw, p: f64, run: &Self| p > 0.0 && run.draws(node, kind).uniform(i) < p;
        let update = if share(StepDraw::ItemFailure, u.settings.failure, self) {
            Update::Failed
        } else if share(StepDraw::ItemUnexpectedRestart, u.settings.unexpected_restart, self) {
            Update::RestartedItself
        } else if share(StepDraw::ItemMultiRestart, u.settings.multi_restart, self) {
            Update::Failed
        } else {
            Update::Installed { asks: share(StepDraw::ItemRestart, u.settings.restart_share, self) }
        };
        if update != Update::RestartedItself
            && let Some((due, count)) = self.state.add(self.t)
        {
            self.emit_state(due, count);
        }
        Ok(update)
    }

    /// Runs one command (or one software item): duration, time-out, exit code, wrapper, message,
    /// and the 3010 restart. Returns whether it succeeded, and the code the engine records.
    fn exit_step(
        &mut self,
        id: NodeId,
        node: &ProgramNode,
        item: Option<u32>,
        duration: &DurationDist,
        exit: &ExitTable,
    ) -> Result<(bool, i64), Halt> {
        let start = self.t;
        self.note(TraceEvent::StepStarted { node: id, item, at: start });
        let draw = u64::from(item.unwrap_or(0));
        let outcome: ExitOutcome = if exit.outcomes.len() == 1 {
            exit.outcomes[0]
        } else {
            let u = self.draws(node, StepDraw::ExitCode).uniform(draw);
            exit.outcomes[pick(&exit.cumulative, u)]
        };
        // A software item fetches its content first; its time-out covers both, waiting included.
        let expires = exit.timeout.map(|timeout| start.saturating_add(timeout));
        let (on, fetch) = match item {
            Some(i) => (node.uses.install, self.content(node, u64::from(i))),
            None => (node.uses.run, 0.0),
        };
        let mut end = ActivityEnd::Done;
        if fetch > 0.0 {
            end = self.activity(node.uses.download, |_| Work::Bytes(fetch), expires)?;
        }
        if end == ActivityEnd::Done {
            let work = |run: &Self| Work::Time(duration.sample(&mut run.draws(node, StepDraw::Duration).draw(draw)));
            end = self.activity(on, work, expires)?;
        }
        match end {
            ActivityEnd::Done => {}
            ActivityEnd::TimedOut => {
                self.step_ended(id, node, item, start, None, false, true);
                return Ok((false, CODE_TIMED_OUT));
            }
            ActivityEnd::Failed => {
                self.step_ended(id, node, item, start, None, false, false);
                return Ok((false, CODE_FAILED));
            }
        }
        if let Some(var) = outcome.set {
            self.vars[var as usize] = self.program.true_value;
        }
        self.step_ended(id, node, item, start, Some(outcome.reported), outcome.success, false);
        if outcome.restart {
            self.restart(id, node, RestartCause::ExitCode3010, None)?;
        }
        Ok((outcome.success, outcome.reported))
    }

    /// The item count of a step for this server.
    fn items(&self, node: &ProgramNode, items: &ItemSource) -> u32 {
        match items {
            ItemSource::Named(index) => self.counts[*index],
            // The same on every attempt: a rerun installs what applies, it does not change it.
            ItemSource::Dist(dist) => dist.sample(&mut self.stream.child(node.tag(StepDraw::Items)).draw(0)),
        }
    }

    /// A restart caused by step `id`: counted when it begins; hangs with probability `hang`;
    /// sends `restart` when the server is back.
    fn restart(
        &mut self,
        id: NodeId,
        node: &ProgramNode,
        cause: RestartCause,
        duration: Option<&DurationDist>,
    ) -> Result<(), Halt> {
        let start = self.t;
        // An update that restarts the computer by itself is not asked: nothing refuses it.
        if start > self.window_end && !self.restarts_outside_window && cause != RestartCause::UpdateRestarted {
            // "Computer restarts caused by a deployment aren't allowed outside of a maintenance
            // window": the restart does not happen and the sequence fails.
            self.note(TraceEvent::RestartRefused { node: id, cause, at: start });
            return Err(Halt::Failed);
        }
        let index = self.step_restarts;
        self.step_restarts += 1;
        self.restarts += 1;
        if start > self.window_end {
            self.restarts_outside += 1;
        }
        let rules = self.restart_rules;
        let (dist, draw) = if self.hang > 0.0 && self.stream.child(node.tag(StepDraw::Hang)).uniform(index) < self.hang
        {
            let Some(recovery) = &rules.hang_recovery else {
                self.hung = true;
                self.note(TraceEvent::Restart { node: id, cause, start, end: None });
                return Err(Halt::Hung);
            };
            // Down until a person power-cycles it; the sequence then resumes.
            (recovery, StepDraw::HangRecovery)
        } else {
            (duration.or(by_cause(&rules.by_cause, cause)).unwrap_or(self.restart_dist), StepDraw::Restart)
        };
        // A restart step's own resource, else the one of every restart.
        let on = node.uses.restart.or(self.program.restart_uses);
        self.activity(
            on,
            |run: &Self| Work::Time(dist.sample(&mut run.stream.child(node.tag(draw)).draw(index))),
            None,
        )?;
        if !matches!(rules.client_wait, DurationDist::Fixed(0)) {
            let wait = rules.client_wait.sample(&mut self.stream.child(node.tag(StepDraw::ClientWait)).draw(index));
            if wait > rules.client_timeout {
                // The engine gives up on the client and the sequence fails.
                self.advance(rules.client_timeout)?;
                self.note(TraceEvent::Restart { node: id, cause, start, end: Some(self.t) });
                return Err(Halt::Failed);
            }
            self.advance(wait)?;
        }
        self.pending = false;
        self.note(TraceEvent::Restart { node: id, cause, start, end: Some(self.t) });
        self.send(MessageKind::Restart);
        Ok(())
    }

    /// The bytes item `item` of a downloading step fetches: its drawn size unless its content
    /// is already in the client's cache (0 without a download).
    fn content(&self, node: &ProgramNode, item: u64) -> f64 {
        let Some(download) = &node.download else { return 0.0 };
        // Counter-based draws: the size is drawn only for content not in the cache.
        let cached = download.cached > 0.0
            && self.stream.child(node.tag(StepDraw::DownloadCached)).uniform(item) < download.cached;
        if cached {
            return 0.0;
        }
        download.size.0.sample(&mut self.stream.child(node.tag(StepDraw::DownloadSize)).draw(item)) as f64
    }

    /// Whether any of the first `n` items of a downloading step fetches content (the same as
    /// their [`ServerRun::content`] summing to more than 0, with fewer size draws).
    fn fetches(&self, node: &ProgramNode, n: u32) -> bool {
        node.download.is_some() && (0..u64::from(n)).any(|i| self.content(node, i) > 0.0)
    }

    /// Runs one timed activity: on its resource when it names one and the server is coupled,
    /// else as time passing. `work` draws the activity's work: a replayed coupled activity
    /// that has its answer needs none. `expires`: the step's time-out, which counts waiting
    /// too. A run that reaches its deadline stops there.
    #[inline]
    fn activity(
        &mut self,
        on: Option<ResourceId>,
        work: impl FnOnce(&Self) -> Work,
        expires: Option<Millis>,
    ) -> Result<ActivityEnd, Halt> {
        if let (Some(resource), Some(port)) = (on, self.port) {
            return self.coupled(resource, port, work, expires);
        }
        let d = work(self).time();
        if let Some(e) = expires
            && self.t.saturating_add(d) > e
        {
            self.advance(e.saturating_sub(self.t))?;
            return Ok(ActivityEnd::TimedOut);
        }
        self.advance(d)?;
        Ok(ActivityEnd::Done)
    }

    /// An activity on a shared resource: its answer from the port, or, when the coupled
    /// replication has not answered yet, the request posted and the run suspended
    /// ([`Halt::Suspended`]).
    #[cold]
    fn coupled(
        &mut self,
        resource: ResourceId,
        port: &Port,
        work: impl FnOnce(&Self) -> Work,
        expires: Option<Millis>,
    ) -> Result<ActivityEnd, Halt> {
        let limit = expires.map_or(self.deadline, |e| e.min(self.deadline));
        let instance = self.instances[resource as usize];
        let request = |run: &Self, work: Work| Request { at: run.t, resource, instance, work, expires: limit };
        let Some((asked, response)) = port.next_answer() else {
            port.post(request(self, work(self)));
            return Err(Halt::Suspended);
        };
        debug_assert_eq!(asked, request(self, work(self)), "a replayed run asks what it asked before");
        self.t = response.at;
        match response.end {
            End::Done => Ok(ActivityEnd::Done),
            End::Refused => Ok(ActivityEnd::Failed),
            End::Expired if expires.is_some_and(|e| e <= self.deadline) => Ok(ActivityEnd::TimedOut),
            End::Expired => Err(Halt::Stopped),
        }
    }

    /// Moves the clock; a run that would pass its deadline stops at the deadline.
    #[inline]
    fn advance(&mut self, d: Millis) -> Result<(), Halt> {
        let end = self.t.saturating_add(d);
        if end > self.deadline {
            self.t = self.deadline;
            return Err(Halt::Stopped);
        }
        self.t = end;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn step_ended(
        &mut self,
        id: NodeId,
        node: &ProgramNode,
        item: Option<u32>,
        start: Millis,
        exit_code: Option<i64>,
        success: bool,
        timed_out: bool,
    ) {
        self.note(TraceEvent::StepEnded { node: id, item, start, end: self.t, exit_code, success, timed_out });
        let kind = if success { MessageKind::StepSucceeded } else { MessageKind::StepFailed };
        let count = node.messages.unwrap_or_else(|| self.messages.get(kind));
        self.emit(kind, count);
    }

    #[inline]
    fn send(&mut self, kind: MessageKind) {
        let count = self.messages.get(kind);
        self.emit(kind, count);
    }

    #[inline]
    fn emit(&mut self, kind: MessageKind, count: u32) {
        if count > 0 {
            if let Delivery::Inline { retries, interval } = self.messages.delivery
                && self.mp_down(self.t)
            {
                self.send_inline(kind, count, retries, interval);
                return;
            }
            self.sent += count;
            self.sink.push(self.mp, self.t, kind, count);
            self.observer.event(TraceEvent::Message { at: self.t, kind, count });
        }
    }

    /// Whether the server's management point is down at `t` (an `mp` or `mp:N` outage).
    fn mp_down(&self, t: Millis) -> bool {
        let mp = self.mp as u32;
        self.mp_outages.iter().any(|o| {
            let this =
                matches!(o.component, Component::AllManagementPoints) || o.component == Component::ManagementPoint(mp);
            this && o.at <= t && t < o.at.saturating_add(o.length)
        })
    }

    /// Inline delivery at a management point that is down: the engine tries again `retries`
    /// times `interval` apart, the sequence waiting, and sends at the first try the MP is up;
    /// after the last try the messages are lost.
    #[cold]
    #[inline(never)]
    fn send_inline(&mut self, kind: MessageKind, count: u32, retries: u32, interval: Millis) {
        for _ in 0..retries {
            self.t = self.t.saturating_add(interval);
            if !self.mp_down(self.t) {
                self.sent += count;
                self.sink.push(self.mp, self.t, kind, count);
                self.observer.event(TraceEvent::Message { at: self.t, kind, count });
                return;
            }
        }
        self.lost += count;
        self.observer.event(TraceEvent::MessagesLost { at: self.t, kind, count });
    }

    fn emit_state(&mut self, due: Millis, count: u32) {
        // The client's cycle is not exact: each batch leaves up to `state_jitter` after its
        // boundary, drawn from the batch's own number.
        let jitter = self.messages.state_jitter;
        let at = if jitter == 0 {
            due
        } else {
            let k = due / self.state.batch.max(1);
            due + (self.stream.purpose(Purpose::StatePhase).uniform(1 + k) * jitter as f64) as Millis
        };
        self.state_sent += count;
        self.sink.push_state(self.mp, at, count);
        self.observer.event(TraceEvent::StateMessages { at, count });
    }

    /// `count` state messages arose now (a scan, its detections, the deployment's state).
    fn state_change(&mut self, count: u32) {
        if let Some((due, pending)) = self.state.add_count(self.t, count) {
            self.emit_state(due, pending);
        }
    }

    #[inline]
    fn note(&mut self, event: TraceEvent) {
        self.events += 1;
        self.observer.event(event);
    }
}
