//! One replication of the whole fleet: place every server (targeting, offline, class, window),
//! draw its counts and pending restart, run its sequence, and report each server's record.

use super::coupled::{self, CoupledBuffers, ResourceLoad, ResourceReplication};
use super::observer::{Observer, TraceEvent};
use super::outcome::Outcome;
use super::server_run::{ServerRun, StateBatch};
use super::week_outcomes::WeekOutcomes;
use crate::messages::Emissions;
use crate::random::Stream;
use crate::random::layout::{Purpose, server_stream, servers_stream, week_stream};
use crate::scenario::distribution::pick;
use crate::scenario::{Assign, Millis, Rerun, Scenario};
use crate::sequence::{Program, ValueId};

/// Where a server stands this month, before its run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// On a patching extension: not targeted, nothing more happens.
    pub excluded: bool,
    /// Offline for its whole window: targeted, `not_started`.
    pub offline: bool,
    /// Its class (index into the scenario's classes).
    pub class: u32,
    /// Its window (index into the scenario's windows).
    pub window: u32,
}

/// What one server did in one replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerRecord {
    /// The server's index in the fleet.
    pub index: u64,
    /// Excluded (on an extension); the other fields are then zero.
    pub excluded: bool,
    /// Its class.
    pub class: u32,
    /// Its window.
    pub window: u32,
    /// How its month ends (meaningless when excluded): its last run's outcome.
    pub outcome: Outcome,
    /// Which opening of its window its last run was due in (0 first; with `[month] weeks`).
    pub opening: u32,
    /// Runs it started in the month.
    pub runs: u32,
    /// Per week of the month, the outcome of the run due that week.
    pub weeks: WeekOutcomes,
    /// When its last run started (the planned start when it did not start).
    pub start: Millis,
    /// When its last run ended (equal to `start` when it did not start).
    pub end: Millis,
    /// Restarts it took, over all its runs.
    pub restarts: u32,
    /// Restarts that began after its window closed.
    pub restarts_outside: u32,
    /// Status messages it sent.
    pub messages: u32,
    /// Status messages it could not send (inline delivery; lost).
    pub lost: u32,
    /// Software-update state messages it sent.
    pub state_messages: u32,
    /// Engine events its run produced (run start and end, groups, steps, restarts, skips).
    pub events: u32,
    /// Time its run spent waiting for or slowed by shared resources, in milliseconds.
    pub resource_wait: Millis,
}

impl ServerRecord {
    /// The record of a placed server before its run: not started, no time.
    pub fn placed(index: u64, placement: Placement) -> Self {
        Self {
            index,
            excluded: placement.excluded,
            class: placement.class,
            window: placement.window,
            outcome: Outcome::NotStarted,
            opening: 0,
            runs: 0,
            weeks: WeekOutcomes::default(),
            start: 0,
            end: 0,
            restarts: 0,
            restarts_outside: 0,
            messages: 0,
            lost: 0,
            state_messages: 0,
            events: 0,
            resource_wait: 0,
        }
    }
}

/// A server whose run starts: what its run begins with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Start {
    pub index: u64,
    /// The opening of the server's window the run is due in (0 first).
    pub opening: u32,
    /// The week that opening falls in (0 first).
    pub week: u32,
    pub stream: Stream,
    pub class: u32,
    /// When the run starts.
    pub at: Millis,
    pub deadline: Millis,
    pub window_end: Millis,
    pub pending: bool,
    /// The client's first state-message boundary.
    pub phase: Millis,
}

/// Reusable per-thread buffers for running servers.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    vars: Vec<ValueId>,
    counts: Vec<u32>,
    class_counters: Vec<u64>,
    /// What the last coupled replication measured at each resource (empty without resources).
    pub resources: Vec<ResourceReplication>,
    /// Whether coupled replications record their load over time ([`Simulator::resource_load`]).
    track_load: bool,
    /// The per-server buffers of coupled replications, kept from one to the next.
    coupled: CoupledBuffers,
}

/// Runs servers of one scenario.
#[derive(Debug, Clone, Copy)]
pub struct Simulator<'a> {
    scenario: &'a Scenario,
    program: &'a Program,
}

impl<'a> Simulator<'a> {
    /// A simulator for a checked scenario and its compiled program.
    pub fn new(scenario: &'a Scenario, program: &'a Program) -> Self {
        Self { scenario, program }
    }

    /// The scenario being simulated.
    pub fn scenario(&self) -> &'a Scenario {
        self.scenario
    }

    /// The compiled program.
    pub fn program(&self) -> &'a Program {
        self.program
    }

    /// Buffers sized for this scenario.
    pub fn scratch(&self) -> Scratch {
        Scratch {
            vars: vec![crate::sequence::UNSET; self.program.variable_count()],
            counts: vec![0; self.scenario.fleet.counts.len()],
            class_counters: vec![0; self.scenario.fleet.classes.len()],
            resources: Vec::new(),
            track_load: false,
            coupled: CoupledBuffers::default(),
        }
    }

    /// Places server `index`: extension, offline, class, window — in that order of concepts.
    /// `class_counters` counts the targeted servers placed so far in each class (for `even`).
    /// An inventory fixes the window, and the class and extension where its cells give them.
    pub fn place(&self, index: u64, stream: Stream, class_counters: &mut [u64]) -> Placement {
        let fleet = &self.scenario.fleet;
        let inventory = self.scenario.windows.inventory();
        let row = index as usize;
        let excluded = match inventory.and_then(|inv| inv.extension[row]) {
            Some(listed) => listed,
            None => fleet.extension > 0.0 && stream.purpose(Purpose::Extension).uniform(0) < fleet.extension,
        };
        if excluded {
            let window = inventory.map_or(0, |inv| inv.windows[row]);
            return Placement { excluded: true, offline: false, class: 0, window };
        }
        let offline = fleet.offline > 0.0 && stream.purpose(Purpose::Offline).uniform(0) < fleet.offline;
        let class = match inventory.and_then(|inv| inv.classes[row]) {
            Some(listed) => listed as usize,
            None if self.program.class_cumulative.len() == 1 => 0,
            None => pick(&self.program.class_cumulative, stream.purpose(Purpose::Class).uniform(0)),
        };
        let windows = self.scenario.windows.list.len() as u64;
        let window = match &self.scenario.windows.assign {
            Assign::Even => {
                let slot = class_counters[class];
                class_counters[class] += 1;
                (slot % windows) as usize
            }
            Assign::Weights { cumulative, .. } => pick(cumulative, stream.purpose(Purpose::Window).uniform(0)),
            Assign::Inventory(inv) => inv.windows[row] as usize,
        };
        Placement { excluded: false, offline, class: class as u32, window: window as u32 }
    }

    /// Runs one placed server (its stream from [`server_stream`]) and reports its record;
    /// messages go to `sink`, events to `observer`.
    pub fn run_server<O: Observer>(
        &self,
        index: u64,
        stream: Stream,
        placement: Placement,
        scratch: &mut Scratch,
        sink: &mut Emissions,
        observer: &mut O,
    ) -> ServerRecord {
        let mut record = ServerRecord::placed(index, placement);
        let mut next =
            self.next_start(index, stream, placement, 0, &mut record, &mut scratch.vars, &mut scratch.counts);
        while let Some(start) = next {
            let mut run = self.server_run(start, &mut scratch.vars, &scratch.counts, sink, observer);
            // Without a port the run never stops at a request.
            let Some((outcome, end)) = run.run() else { break };
            run.finish(&mut record, outcome, end);
            next = self.after_run(index, stream, placement, start, &mut record, &mut scratch.vars, &mut scratch.counts);
        }
        record
    }

    /// The server's first run that starts at an opening of its window from `from` on (each
    /// opening it misses recorded as `not_started` in its week); `None` when none does.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn next_start(
        &self,
        index: u64,
        stream: Stream,
        placement: Placement,
        from: u32,
        record: &mut ServerRecord,
        vars: &mut [ValueId],
        counts: &mut [u32],
    ) -> Option<Start> {
        if placement.excluded {
            return None;
        }
        let month = &self.scenario.month;
        let window = &self.scenario.windows.list[placement.window as usize];
        for opening in from..month.openings() {
            if let Some(start) = self.prepare(index, stream, placement, opening, record, vars, counts) {
                return Some(start);
            }
            record.weeks.set(month.week_of(window, opening), Outcome::NotStarted);
        }
        None
    }

    /// Records a finished run's week and returns the server's next run: with rerun on, a run
    /// that failed or was stopped runs again at its window's next opening that fits.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn after_run(
        &self,
        index: u64,
        stream: Stream,
        placement: Placement,
        start: Start,
        record: &mut ServerRecord,
        vars: &mut [ValueId],
        counts: &mut [u32],
    ) -> Option<Start> {
        record.runs += 1;
        record.opening = start.opening;
        record.weeks.set(start.week, record.outcome);
        let failed = matches!(record.outcome, Outcome::Failed | Outcome::Stopped);
        if !failed || self.scenario.deployment.rerun == Rerun::Never {
            return None;
        }
        let (outcome, at, end) = (record.outcome, record.start, record.end);
        let next = self.next_start(index, stream, placement, start.opening + 1, record, vars, counts);
        if next.is_none() {
            // No later opening fits: the month ends with the failed run.
            (record.outcome, record.start, record.end) = (outcome, at, end);
        }
        next
    }

    /// Everything before a server's run at the `opening`-th opening of its window: its start
    /// (after the deployment's delay), whether the run starts at all, its counts, pending
    /// restart and variables (into `vars` and `counts`). `None` when it does not start (`record`
    /// then says why). The first opening draws from the server's stream, a later one from that
    /// opening's own ([`week_stream`]); the counts are the server's for the month.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn prepare(
        &self,
        index: u64,
        server: Stream,
        placement: Placement,
        opening: u32,
        record: &mut ServerRecord,
        vars: &mut [ValueId],
        counts: &mut [u32],
    ) -> Option<Start> {
        if placement.excluded {
            return None;
        }
        let scenario = self.scenario;
        let program = self.program;
        let window = &scenario.windows.list[placement.window as usize];
        let (opens, closes) = scenario.month.opening(window, opening);
        let stream = week_stream(server, opening);
        record.outcome = Outcome::NotStarted;
        record.start = opens;
        record.end = opens;
        let offline = if opening == 0 {
            placement.offline
        } else {
            let share = scenario.fleet.offline;
            share > 0.0 && stream.purpose(Purpose::Offline).uniform(0) < share
        };
        if offline {
            return None;
        }
        let deployment = &scenario.deployment;
        let delay = deployment.start_delay.sample(&mut stream.purpose(Purpose::StartDelay).draw(0));
        let start = opens.saturating_add(delay);
        record.start = start;
        record.end = start;
        // The deployment expires at the window's end; in a maintenance window the client also
        // needs the whole maximum run time to fit in what is left of it (0: no check).
        if start >= closes {
            return None;
        }
        let max_run_time = deployment.max_run_time;
        // "The remaining time … ≥ the maximum allowed run time plus the countdown duration".
        if deployment.in_maintenance_windows()
            && max_run_time > 0
            && max_run_time.saturating_add(deployment.countdown) > closes - start
        {
            return None;
        }
        // The sequence starts when the client's countdown ends.
        let start = start.saturating_add(deployment.countdown);
        record.start = start;
        record.end = start;
        let class = &program.classes[placement.class as usize];
        for (i, used) in program.count_used.iter().enumerate() {
            if *used {
                counts[i] = class.counts[i].sample(&mut server.purpose(Purpose::Count(program.count_tags[i])).draw(0));
            }
        }
        let pending_share = scenario.fleet.pending_restart;
        let pending = pending_share > 0.0 && stream.purpose(Purpose::Pending).uniform(0) < pending_share;
        vars.copy_from_slice(&class.variables);
        let columns = program.inventory_variables.len();
        if columns > 0 {
            let row = &program.inventory_values[index as usize * columns..(index as usize + 1) * columns];
            for (var, value) in program.inventory_variables.iter().zip(row) {
                vars[*var as usize] = *value;
            }
        }
        let deadline = deployment.deadline(start);
        let messages = &scenario.messages;
        let phase = if messages.sends_state() {
            (stream.purpose(Purpose::StatePhase).uniform(0) * messages.state_batch as f64) as Millis
        } else {
            0
        };
        Some(Start {
            index,
            opening,
            week: scenario.month.week_of(window, opening),
            stream,
            class: placement.class,
            at: start,
            deadline,
            window_end: closes,
            pending,
            phase,
        })
    }

    /// The run of a prepared server, not yet coupled to anything.
    #[inline]
    pub(crate) fn server_run<'r, O: Observer>(
        &'r self,
        start: Start,
        vars: &'r mut [ValueId],
        counts: &'r [u32],
        sink: &'r mut Emissions,
        observer: &'r mut O,
    ) -> ServerRun<'r, O> {
        let scenario = self.scenario;
        let messages = &scenario.messages;
        ServerRun {
            program: self.program,
            messages,
            stream: start.stream,
            mp: (start.index % sink.management_points() as u64) as usize,
            t: start.at,
            deadline: start.deadline,
            window_end: start.window_end,
            vars,
            counts,
            pending: start.pending,
            restart_dist: &self.program.classes[start.class as usize].restart,
            hang: scenario.restart.hang,
            restart_rules: &scenario.restart,
            restarts_outside_window: scenario.deployment.restarts_allowed_outside(),
            restarts: 0,
            restarts_outside: 0,
            sent: 0,
            lost: 0,
            state_sent: 0,
            mp_outages: &scenario.infrastructure.outages,
            events: 0,
            hung: false,
            step_restarts: 0,
            attempt: 0,
            state: StateBatch::new(messages.state_per_update, messages.state_batch, start.phase),
            scanned: false,
            port: None,
            instances: &[],
            checkpoint: None,
            resume: None,
            sink,
            observer,
        }
    }

    /// Runs every server of one replication in index order; `on_server` sees each record.
    pub fn run_replication(
        &self,
        seed: u64,
        replication: u64,
        scratch: &mut Scratch,
        sink: &mut Emissions,
        mut on_server: impl FnMut(&ServerRecord),
    ) {
        self.run_replication_with(seed, replication, scratch, sink, &mut (), |record, _| on_server(record));
    }

    /// One replication's resources over time, for a report: each instance's load minute by
    /// minute and each window's waits at each resource (empty without resources).
    pub fn resource_load(&self, seed: u64, replication: u64) -> Vec<ResourceLoad> {
        if !self.program.uses_resources {
            return Vec::new();
        }
        let mut scratch = Scratch { track_load: true, ..self.scratch() };
        let mut sink = Emissions::new(self.scenario.infrastructure.management_points as usize);
        self.run_replication(seed, replication, &mut scratch, &mut sink, |_| {});
        scratch.resources.into_iter().map(|r| r.load.unwrap_or_default()).collect()
    }

    /// Runs the first `count` servers of one replication (an estimate's pilot).
    pub fn run_replication_prefix(
        &self,
        seed: u64,
        replication: u64,
        count: u64,
        scratch: &mut Scratch,
        sink: &mut Emissions,
        mut on_server: impl FnMut(&ServerRecord),
    ) {
        self.run_servers(seed, replication, count.min(self.scenario.fleet.servers), scratch, sink, &mut (), |r, _| {
            on_server(r)
        });
    }

    /// Like [`Simulator::run_replication`], with an observer that sees every server's events;
    /// `on_server` gets each record with the observer, after that server's events.
    pub fn run_replication_with<O: Observer>(
        &self,
        seed: u64,
        replication: u64,
        scratch: &mut Scratch,
        sink: &mut Emissions,
        observer: &mut O,
        on_server: impl FnMut(&ServerRecord, &mut O),
    ) {
        self.run_servers(seed, replication, self.scenario.fleet.servers, scratch, sink, observer, on_server);
    }

    /// Runs servers 0 to `count − 1` of one replication.
    #[allow(clippy::too_many_arguments)]
    fn run_servers<O: Observer>(
        &self,
        seed: u64,
        replication: u64,
        count: u64,
        scratch: &mut Scratch,
        sink: &mut Emissions,
        observer: &mut O,
        mut on_server: impl FnMut(&ServerRecord, &mut O),
    ) {
        if self.program.uses_resources {
            let track = scratch.track_load;
            let buffers = &mut scratch.coupled;
            scratch.resources =
                coupled::run_replication(self, seed, replication, count, sink, observer, track, buffers, on_server);
            return;
        }
        scratch.class_counters.iter_mut().for_each(|c| *c = 0);
        let mut counters = std::mem::take(&mut scratch.class_counters);
        let servers = servers_stream(seed, replication);
        for index in 0..count {
            let stream = servers.index(index);
            let placement = self.place(index, stream, &mut counters);
            let record = self.run_server(index, stream, placement, scratch, sink, observer);
            on_server(&record, observer);
        }
        scratch.class_counters = counters;
    }

    /// Runs one server of one replication with an observer (placing the servers before it first,
    /// as even assignment depends on them). `None` when the fleet has no such server.
    pub fn trace<O: Observer>(
        &self,
        seed: u64,
        replication: u64,
        server: u64,
        observer: &mut O,
    ) -> Option<ServerRecord> {
        if server >= self.scenario.fleet.servers {
            return None;
        }
        if self.program.uses_resources {
            // The server's run depends on the whole fleet's: run them all, keep its events.
            let mut scratch = self.scratch();
            let mut sink = Emissions::new(self.scenario.infrastructure.management_points as usize);
            let mut found = None;
            let mut events: Vec<TraceEvent> = Vec::new();
            self.run_servers(
                seed,
                replication,
                self.scenario.fleet.servers,
                &mut scratch,
                &mut sink,
                &mut events,
                |record, events| {
                    if record.index == server {
                        for e in events.drain(..) {
                            observer.event(e);
                        }
                        found = Some(*record);
                    } else {
                        events.clear();
                    }
                },
            );
            return found;
        }
        let mut scratch = self.scratch();
        let mut counters = vec![0u64; self.scenario.fleet.classes.len()];
        let mut placement = None;
        for index in 0..=server {
            placement = Some(self.place(index, server_stream(seed, replication, index), &mut counters));
        }
        let mut sink = Emissions::new(self.scenario.infrastructure.management_points as usize);
        let stream = server_stream(seed, replication, server);
        placement.map(|p| self.run_server(server, stream, p, &mut scratch, &mut sink, observer))
    }
}
