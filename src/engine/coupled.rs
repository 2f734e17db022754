//! One replication of a fleet that shares resources (format 1.1): one event queue ([`Agenda`])
//! orders what happens at the resources — runs starting, arrivals, completions, releases,
//! retries, time-outs, outages — by time and then by the order the events were created. A
//! server runs on its own between two activities (nothing it does meanwhile depends on the
//! others); at each activity it posts a request to its [`Port`] and stops. When the activity
//! ends, its answer is added to the port and the run is replayed, reading the answers it has,
//! to its next request or its end (draws are counter-based: a replay takes the same path). A
//! replay resumes from the start of the step that asked ([`Checkpoint`]); the messages a run
//! sends go straight to the replication's sink, and a run that stops at a request takes back
//! what it sent since its checkpoint (replays run one at a time, so that is the sink's tail), to
//! send it again when it is replayed. Its trace events wait in a buffer of its own until its
//! last run ends. While its run is under way a server, its port and its checkpoint sit in one
//! of a few reused slots ([`Lives`]), so a replay touches memory that stays in the cache.
//!
//! Processor sharing is computed exactly ([`SharedInstance`]: a virtual clock, no time steps);
//! slots are a FIFO with a bounded line ([`SlotsInstance`]); a refused request comes back after
//! `retry_after` and fails its activity after `retries` refusals. An activity is given up at its
//! step's time-out or its run's deadline, whichever comes first; ending exactly then counts as
//! done.

use super::contention::port::{End, Port, Request, Response, Work};
use super::contention::{Admission, Agenda, Finished, LoadTrack, SharedInstance, SlotsInstance};
use super::observer::{Observer, TraceEvent};
use super::server_run::Checkpoint;
use super::simulator::{Placement, ServerRecord, Simulator, Start};
use crate::messages::Emissions;
use crate::random::layout::{Purpose, servers_stream};
use crate::scenario::duration::MINUTE;
use crate::scenario::resource::{ResourceAssign, ResourceKind};
use crate::scenario::{Millis, Resource, ResourceId};
use crate::sequence::ValueId;

/// What one replication measured at one resource.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResourceReplication {
    /// Busy share of capacity over the patching span, averaged over instances.
    pub utilisation: f64,
    /// Most activities present on one instance (slots: holding and waiting).
    pub peak: u32,
    /// Shared: actual time over time alone, one per completed activity.
    pub stretch: Vec<f64>,
    /// Shared: work delivered (bytes where work is bytes), partial transfers included.
    pub work: f64,
    /// Slots: each served request's wait for a slot, in milliseconds (refusals included).
    pub waits: Vec<Millis>,
    /// Slots: refusals.
    pub refused: u64,
    /// Slots: activities failed after their last refusal.
    pub failed: u64,
    /// Over time, when asked for ([`Simulator::resource_load`]).
    pub load: Option<ResourceLoad>,
}

/// What one replication's resource did over time and to which windows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResourceLoad {
    /// Per instance: the most activities present (slots: holding and waiting) in each minute
    /// from Monday 00:00.
    pub users: Vec<Vec<u32>>,
    /// Per window: minutes its servers spent waiting or slowed here, summed over its servers.
    pub window_wait_minutes: Vec<f64>,
}

/// The instances of one resource, with what its kind needs.
enum Instances {
    Shared(Vec<SharedInstance>),
    Slots { list: Vec<SlotsInstance>, retry_after: Millis, retries: u32 },
}

impl Instances {
    fn of(resource: &Resource) -> Self {
        let n = resource.instances.max(1) as usize;
        match &resource.kind {
            ResourceKind::Shared { capacity, per_user } => {
                Self::Shared((0..n).map(|_| SharedInstance::new(capacity.amount(), *per_user)).collect())
            }
            ResourceKind::Slots { slots, queue, retry_after, retries } => Self::Slots {
                list: (0..n).map(|_| SlotsInstance::new(*slots, *queue)).collect(),
                retry_after: *retry_after,
                retries: *retries,
            },
        }
    }
}

/// Where a server's current activity stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Posted, not yet at its resource.
    Posted,
    /// On a shared instance.
    Sharing,
    /// In a slots instance's line.
    Queued,
    /// Holding a slot until the given time.
    Holding(Millis),
    /// Refused, coming back later.
    Retrying,
}

/// A server's current activity.
#[derive(Debug, Clone, Copy)]
struct Current {
    request: Request,
    /// Tells this activity's events from a previous one's.
    token: u64,
    stage: Stage,
    refusals: u32,
    /// When it reached its resource first (slots: the first request) or joined its instance.
    arrived: Millis,
    /// Shared: the time the work would take alone, in milliseconds.
    alone: f64,
}

#[derive(Debug, Clone, Copy)]
enum Event {
    /// A server's run starts.
    Start(u32),
    /// A server's activity reaches its resource (again, after a refusal).
    Arrive(u32, u64),
    /// A shared instance's next completion, valid while the instance has this generation.
    Completion { resource: ResourceId, instance: u32, generation: u64 },
    /// A slot holder's hold ends.
    Release(u32, u64),
    /// An activity's time-out or deadline.
    Expire(u32, u64),
    /// An outage of an instance begins or ends.
    Outage { resource: ResourceId, instance: u32, starts: bool },
}

/// The run of one replication's coupled servers.
struct Coupling<'a> {
    resources: &'a [Resource],
    instances: Vec<Instances>,
    agenda: Agenda<Event>,
    /// Per resource: the index in `completions` of its first instance.
    completion_keys: Vec<usize>,
    /// Per shared instance: the (time, generation) of the completion last scheduled.
    completions: Vec<(Millis, u64)>,
    current: Vec<Option<Current>>,
    /// The servers the event being handled woke (their activity ended, or their run starts),
    /// in the order woken; replayed in that order.
    woken: Vec<u32>,
    /// Scratch: the activities a shared instance just ended.
    done: Vec<Finished>,
    tokens: u64,
    /// The patching span busy time is measured over.
    span: (Millis, Millis),
    /// Per resource: what this replication measured (utilisation and peak filled at the end).
    measured: Vec<ResourceReplication>,
    /// Per server: time waiting or slowed.
    waited: Vec<f64>,
    /// When asked for: per resource and instance, the load over time, and per server and
    /// resource, the time waiting or slowed there.
    tracked: Option<Tracked>,
}

/// What a coupled replication records only for a report.
struct Tracked {
    /// Per resource, per instance.
    load: Vec<Vec<LoadTrack>>,
    /// Per server, per resource (`server × resources + resource`).
    waited: Vec<f64>,
}

/// Runs servers `0..count` of one replication with their resources; `on_server` sees each
/// record (after the server's events, replayed into `observer`) in index order. Returns what
/// each resource measured.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_replication<O: Observer>(
    sim: &Simulator<'_>,
    seed: u64,
    replication: u64,
    count: u64,
    sink: &mut Emissions,
    observer: &mut O,
    track: bool,
    buffers: &mut CoupledBuffers,
    mut on_server: impl FnMut(&ServerRecord, &mut O),
) -> Vec<ResourceReplication> {
    let run = Run { sim, seed, replication, count, track };
    if O::WATCHES {
        run_watched::<Vec<TraceEvent>, O>(&run, buffers, sink, observer, &mut on_server)
    } else {
        run_watched::<(), O>(&run, buffers, sink, observer, &mut on_server)
    }
}

/// Which servers of which replication a coupled run simulates, and whether it records the load
/// over time for a report.
struct Run<'s, 'a> {
    sim: &'s Simulator<'a>,
    seed: u64,
    replication: u64,
    count: u64,
    track: bool,
}

/// The per-server event buffer `P` an observer needs.
trait Replay: Observer + Default {
    /// Forgets the events of a run that stopped at a request.
    fn clear(&mut self);
    /// Hands the events of the complete run on.
    fn replay(&mut self, into: &mut impl Observer);
    /// Moves the events of a complete run to `kept`, before the server runs again.
    fn keep(&mut self, kept: &mut Self);
}

impl Replay for () {
    fn clear(&mut self) {}
    fn replay(&mut self, _: &mut impl Observer) {}
    fn keep(&mut self, _: &mut Self) {}
}

impl Replay for Vec<TraceEvent> {
    fn clear(&mut self) {
        Vec::clear(self);
    }
    fn replay(&mut self, into: &mut impl Observer) {
        for event in self.drain(..) {
            into.event(event);
        }
    }
    fn keep(&mut self, kept: &mut Self) {
        kept.append(self);
    }
}

/// The buffers of coupled replications, kept between replications so that a replication
/// after the first allocates none of them afresh.
#[derive(Debug, Default)]
pub(crate) struct CoupledBuffers {
    spare: Vec<(Port, Checkpoint)>,
}

/// A copy starts with no buffers of its own: they are a cache, not state.
impl Clone for CoupledBuffers {
    fn clone(&self) -> Self {
        Self::default()
    }
}

/// A server whose run is under way, with what only such a run needs: its answers and its
/// checkpoint. Everything a replay touches is here, in one slot.
struct Live<'v, P> {
    server: Option<Coupled<'v, P>>,
    port: Port,
    /// Where a replay resumes: the run's state at the start of the step that asked.
    checkpoint: Checkpoint,
}

impl<P> Live<'_, P> {
    /// A fresh run's: no answers, no checkpoint (the buffers kept).
    fn empty(&mut self) {
        self.port = std::mem::take(&mut self.port).emptied();
        self.checkpoint = std::mem::take(&mut self.checkpoint).emptied();
    }
}

/// The servers whose run is under way, in a few reused slots (a few thousand at a time however
/// large the fleet, so they stay in the cache); a server moves into a slot when its run starts
/// and back when it ends.
struct Lives<'v, P> {
    slots: Vec<Live<'v, P>>,
    /// Slots no run holds.
    free: Vec<u32>,
    /// Per server: its slot, or `IDLE`.
    of: Vec<u32>,
}

/// No slot.
const IDLE: u32 = u32::MAX;

impl<'v, P> Lives<'v, P> {
    /// Slots for `servers` servers, with the (emptied) buffers of an earlier replication.
    fn new(servers: usize, spare: Vec<(Port, Checkpoint)>) -> Self {
        let slots: Vec<Live<'v, P>> =
            spare.into_iter().map(|(port, checkpoint)| Live { server: None, port, checkpoint }).collect();
        let free = (0..slots.len() as u32).rev().collect();
        Self { slots, free, of: vec![IDLE; servers] }
    }

    /// Server `s`'s answers, while its run is under way.
    fn port(&self, s: u32) -> Option<&Port> {
        self.slots.get(*self.of.get(s as usize)? as usize).map(|live| &live.port)
    }

    /// Server `s`'s slot; when its run starts, a free one it moves into from `servers`.
    fn open(&mut self, s: u32, servers: &mut [Option<Coupled<'v, P>>]) -> &mut Live<'v, P> {
        let mut slot = self.of[s as usize];
        if slot == IDLE {
            slot = self.free.pop().unwrap_or_else(|| {
                let port = Port::with_room(PORT_ROOM);
                self.slots.push(Live { server: None, port, checkpoint: Checkpoint::default() });
                (self.slots.len() - 1) as u32
            });
            self.of[s as usize] = slot;
            self.slots[slot as usize].server = servers[s as usize].take();
        }
        &mut self.slots[slot as usize]
    }

    /// Server `s`'s run ended: it moves back to `servers`, and its slot is emptied for the next
    /// run to start.
    fn close(&mut self, s: u32, servers: &mut [Option<Coupled<'v, P>>]) {
        let slot = std::mem::replace(&mut self.of[s as usize], IDLE);
        if let Some(live) = self.slots.get_mut(slot as usize) {
            servers[s as usize] = live.server.take();
            live.empty();
            self.free.push(slot);
        }
    }

    /// Every server back in `servers`; the buffers to keep, emptied.
    fn finish(mut self, servers: &mut [Option<Coupled<'v, P>>]) -> Vec<(Port, Checkpoint)> {
        for s in 0..self.of.len() as u32 {
            self.close(s, servers);
        }
        self.slots.into_iter().map(|live| (live.port, live.checkpoint)).collect()
    }
}

/// Answers a new port has room for.
const PORT_ROOM: usize = 4;

struct Coupled<'v, P> {
    start: Start,
    placement: Placement,
    /// Its variables when the run starts (a replay works on a copy: they change as it runs).
    initial: &'v [ValueId],
    counts: &'v [u32],
    instances: &'v [u32],
    watcher: P,
    /// What the server's earlier runs this month did, when it runs again.
    earlier: P,
}

impl<P: Replay> Coupled<'_, P> {
    /// The server runs again from `next`: what its finished run did is kept.
    fn run_again(&mut self, next: Start) {
        self.start = next;
        self.watcher.keep(&mut self.earlier);
    }

    /// Hands everything the server's runs did on, its earlier runs first.
    fn hand_over<O: Observer>(&mut self, observer: &mut O) {
        self.earlier.replay(observer);
        self.watcher.replay(observer);
    }
}

#[allow(clippy::too_many_arguments)]
fn run_watched<P: Replay, O: Observer>(
    run: &Run<'_, '_>,
    buffers: &mut CoupledBuffers,
    sink: &mut Emissions,
    observer: &mut O,
    on_server: &mut impl FnMut(&ServerRecord, &mut O),
) -> Vec<ResourceReplication> {
    let Run { sim, seed, replication, count, track } = *run;
    let scenario = sim.scenario();
    let resources = &scenario.resources;
    let n = count as usize;
    let Placed { mut records, placements, starts, vars, counts, instance_of, var_count, count_count } =
        place_all(sim, seed, replication, count);

    let mut servers: Vec<Option<Coupled<'_, P>>> = Vec::with_capacity(n);
    {
        let mut var_chunks = vars.chunks(var_count.max(1));
        let mut count_chunks = counts.chunks(count_count.max(1));
        for (i, start) in starts.iter().enumerate() {
            let initial: &[ValueId] = if var_count > 0 { var_chunks.next().unwrap_or_default() } else { &[] };
            let counts: &[u32] = if count_count > 0 { count_chunks.next().unwrap_or_default() } else { &[] };
            servers.push(start.map(|start| Coupled {
                start,
                placement: placements[i],
                initial,
                counts,
                instances: &instance_of[i * resources.len()..(i + 1) * resources.len()],
                watcher: P::default(),
                earlier: P::default(),
            }));
        }
    }

    let mut lives = Lives::new(n, std::mem::take(&mut buffers.spare));
    let windows = &scenario.windows.list;
    let span = (windows.iter().map(|w| w.start).min().unwrap_or(0), scenario.month.last_close(&scenario.windows));
    let completion_keys: Vec<usize> = resources
        .iter()
        .scan(0, |next, r| {
            let first = *next;
            *next += r.instances.max(1) as usize;
            Some(first)
        })
        .collect();
    let instance_count = resources.iter().map(|r| r.instances.max(1) as usize).sum::<usize>();
    let mut coupling = Coupling {
        resources,
        instances: resources.iter().map(Instances::of).collect(),
        agenda: Agenda::new(),
        completion_keys,
        completions: vec![(Millis::MAX, u64::MAX); instance_count],
        current: vec![None; n],
        woken: Vec::new(),
        done: Vec::new(),
        tokens: 0,
        span,
        measured: vec![ResourceReplication::default(); resources.len()],
        waited: vec![0.0; n],
        tracked: track.then(|| Tracked {
            load: resources.iter().map(|r| vec![LoadTrack::default(); r.instances.max(1) as usize]).collect(),
            waited: vec![0.0; n * resources.len()],
        }),
    };
    coupling.schedule_outages();
    // Every start is known now: kept beside the event heap, not in it.
    let start_events = starts.iter().enumerate().filter_map(|(i, s)| s.map(|s| (s.at, Event::Start(i as u32))));
    coupling.agenda.schedule_all(start_events);
    // Replays run one at a time: they share one buffer for the variables.
    let mut run_vars: Vec<ValueId> = vec![crate::sequence::UNSET; var_count];
    // A server's next run starts from the same variables and counts: these only take the copy.
    let (mut next_vars, mut next_counts) = (run_vars.clone(), vec![0u32; count_count]);
    let servers_streams = servers_stream(seed, replication);
    while let Some((now, event)) =
        coupling.agenda.pop_live(|e| Coupling::live(&coupling.current, &coupling.instances, e))
    {
        coupling.woken.clear();
        coupling.handle(now, event, &lives);
        // Replays may wake more servers (an arrival handled at once): they join the list.
        let mut next = 0;
        while let Some(&s) = coupling.woken.get(next) {
            next += 1;
            let live = lives.open(s, &mut servers);
            let record = &mut records[s as usize];
            match replay(sim, live, &mut run_vars, sink, record) {
                None => lives.close(s, &mut servers),
                Some(Replayed::Waiting(Some(request))) => {
                    let last = next == coupling.woken.len();
                    coupling.posted(now, s, request, last, &lives);
                }
                Some(Replayed::Waiting(None)) => {}
                Some(Replayed::Ended) => {
                    let Some(server) = live.server.as_mut() else { continue };
                    let (index, placement, start) = (u64::from(s), server.placement, server.start);
                    let stream = servers_streams.index(index);
                    let (v, c) = (&mut next_vars[..], &mut next_counts[..]);
                    if let Some(next) = sim.after_run(index, stream, placement, start, record, v, c) {
                        server.run_again(next);
                        live.empty();
                        coupling.agenda.schedule(next.at, Event::Start(s));
                    } else {
                        lives.close(s, &mut servers);
                    }
                }
            }
        }
    }
    for r in 0..resources.len() {
        coupling.close(r);
    }
    coupling.report_load(&records, scenario.windows.list.len());
    buffers.spare = lives.finish(&mut servers);
    for (i, record) in records.iter_mut().enumerate() {
        record.resource_wait = coupling.waited[i].round() as Millis;
        if let Some(mut server) = servers[i].take() {
            server.hand_over(observer);
        }
        on_server(record, observer);
    }
    coupling.measured
}

impl Coupling<'_> {
    /// Schedules the start and end of every outage of every instance.
    fn schedule_outages(&mut self) {
        for (r, resource) in self.resources.iter().enumerate() {
            for outage in &resource.outages {
                let all = 0..resource.instances.max(1);
                for instance in outage.instance.map_or(all, |i| i..i + 1) {
                    let resource = r as ResourceId;
                    self.agenda.schedule(outage.at, Event::Outage { resource, instance, starts: true });
                    let end = outage.at.saturating_add(outage.length);
                    self.agenda.schedule(end, Event::Outage { resource, instance, starts: false });
                }
            }
        }
    }

    /// Server `s` waited or was slowed `ms` at resource `r`.
    fn wait(&mut self, s: u32, r: usize, ms: f64) {
        self.waited[s as usize] += ms;
        if let Some(t) = &mut self.tracked {
            t.waited[s as usize * self.resources.len() + r] += ms;
        }
    }

    /// Records instance `(r, i)`'s load at `now`, when asked for.
    fn track(&mut self, r: usize, i: usize, now: Millis) {
        let Some(t) = &mut self.tracked else { return };
        let present = match &self.instances[r] {
            Instances::Shared(list) => list[i].len(),
            Instances::Slots { list, .. } => list[i].holding() + list[i].waiting(),
        };
        t.load[r][i].set(now, present as u32);
    }

    /// Hands the recorded load and each window's waits to the resources' figures.
    fn report_load(&mut self, records: &[ServerRecord], windows: usize) {
        let Some(tracked) = self.tracked.take() else { return };
        let count = self.resources.len();
        for (r, tracks) in tracked.load.into_iter().enumerate() {
            let mut window_wait_minutes = vec![0.0; windows];
            for (s, record) in records.iter().enumerate() {
                if let Some(w) = window_wait_minutes.get_mut(record.window as usize) {
                    *w += tracked.waited[s * count + r] / MINUTE as f64;
                }
            }
            let users = tracks.into_iter().map(LoadTrack::into_minutes).collect();
            self.measured[r].load = Some(ResourceLoad { users, window_wait_minutes });
        }
    }

    fn token(&mut self) -> u64 {
        self.tokens += 1;
        self.tokens
    }

    /// Server `s` posted `request` at `now`: its arrival (and its expiry) are scheduled. An
    /// arrival that would be the next event taken — due now, nothing else due now, and `last`
    /// (no other woken server replays after this one) — is handled at once instead, in the same
    /// place in the order.
    fn posted<P>(&mut self, now: Millis, s: u32, request: Request, last: bool, lives: &Lives<'_, P>) {
        let token = self.token();
        let current = Current { request, token, stage: Stage::Posted, refusals: 0, arrived: now, alone: 0.0 };
        self.current[s as usize] = Some(current);
        let at = request.at.max(now);
        let at_once = last && at == now && !self.agenda.has_due_now();
        if at_once {
            self.agenda.pass();
        } else {
            self.agenda.schedule(at, Event::Arrive(s, token));
        }
        // Almost every activity ends before it expires: its expiry, dead by then, is dropped
        // as it comes near ([`Coupling::live`]).
        if request.expires < Millis::MAX {
            self.agenda.schedule(request.expires.max(now), Event::Expire(s, token));
        }
        if at_once {
            self.handle(now, Event::Arrive(s, token), lives);
        }
    }

    /// Ends server `s`'s activity at `now` and wakes the server.
    fn answer<P>(&mut self, now: Millis, s: u32, end: End, lives: &Lives<'_, P>) {
        // Its expiry, if pending, will find no activity.
        self.current[s as usize] = None;
        if let Some(port) = lives.port(s) {
            port.answer(Response { at: now, end });
        }
        self.woken.push(s);
    }

    /// Whether `event` still matters: an expiry does only while its activity runs, a shared
    /// instance's completion only while nothing changed there since it was scheduled.
    fn live(current: &[Option<Current>], instances: &[Instances], event: &Event) -> bool {
        match *event {
            Event::Expire(s, token) => current[s as usize].is_some_and(|c| c.token == token),
            Event::Completion { resource, instance, generation } => match &instances[resource as usize] {
                Instances::Shared(list) => list[instance as usize].generation() == generation,
                Instances::Slots { .. } => false,
            },
            _ => true,
        }
    }

    fn current_if(&self, s: u32, token: u64) -> Option<Current> {
        self.current[s as usize].filter(|c| c.token == token)
    }

    /// Handles one event at `now`; the servers whose activity ended are added to `woken`.
    fn handle<P>(&mut self, now: Millis, event: Event, lives: &Lives<'_, P>) {
        match event {
            Event::Start(s) => self.woken.push(s),
            Event::Arrive(s, token) => self.arrive(now, s, token, lives),
            Event::Completion { resource, instance, generation } => {
                let (r, i) = (resource as usize, instance as usize);
                let Instances::Shared(list) = &mut self.instances[r] else { return };
                if list[i].generation() != generation {
                    return;
                }
                self.complete_shared(r, i, now, lives);
            }
            Event::Release(s, token) => {
                let Some(current) = self.current_if(s, token) else { return };
                self.leave_slot(current, s, now);
                self.answer(now, s, End::Done, lives);
            }
            Event::Expire(s, token) => self.expire(now, s, token, lives),
            Event::Outage { resource, instance, starts } => {
                self.outage(now, resource as usize, instance as usize, starts)
            }
        }
    }

    /// Server `s`'s activity reaches its resource: it joins a shared instance, or takes a slot,
    /// waits in line, or is refused (retried later, or failed after its last retry).
    fn arrive<P>(&mut self, now: Millis, s: u32, token: u64, lives: &Lives<'_, P>) {
        let span = self.span;
        let Some(mut current) = self.current_if(s, token) else { return };
        let (r, i) = (current.request.resource as usize, current.request.instance as usize);
        match &mut self.instances[r] {
            Instances::Shared(list) => {
                let work = current.request.work.amount();
                if work <= 0.0 {
                    // Zero work makes no activity.
                    self.answer(now, s, End::Done, lives);
                    return;
                }
                let instance = &mut list[i];
                instance.arrive(now, s, work, span);
                current.stage = Stage::Sharing;
                current.arrived = now;
                current.alone = instance.alone(work);
                self.current[s as usize] = Some(current);
                self.reschedule(r, i, now);
            }
            Instances::Slots { list, retry_after, retries } => {
                let (retry_after, retries) = (*retry_after, *retries);
                if current.refusals == 0 {
                    current.arrived = now;
                }
                let admission = list[i].request(now, s, span);
                self.track(r, i, now);
                match admission {
                    Admission::Started => {
                        let until = now.saturating_add(current.request.work.time());
                        current.stage = Stage::Holding(until);
                        self.measured[r].waits.push(now - current.arrived);
                        self.wait(s, r, (now - current.arrived) as f64);
                        self.current[s as usize] = Some(current);
                        self.agenda.schedule(until, Event::Release(s, token));
                    }
                    Admission::Queued => {
                        current.stage = Stage::Queued;
                        self.current[s as usize] = Some(current);
                    }
                    Admission::Refused => {
                        self.measured[r].refused += 1;
                        current.refusals += 1;
                        if current.refusals > retries {
                            self.measured[r].failed += 1;
                            self.wait(s, r, (now - current.arrived) as f64);
                            self.answer(now, s, End::Refused, lives);
                        } else {
                            current.stage = Stage::Retrying;
                            self.current[s as usize] = Some(current);
                            self.agenda.schedule(now.saturating_add(retry_after), Event::Arrive(s, token));
                        }
                    }
                }
            }
        }
    }

    /// Server `s`'s activity reached its time-out or its run's deadline: it leaves its
    /// resource at once, unless its work is done at this very moment.
    fn expire<P>(&mut self, now: Millis, s: u32, token: u64, lives: &Lives<'_, P>) {
        let span = self.span;
        let Some(current) = self.current_if(s, token) else { return };
        let (r, i) = (current.request.resource as usize, current.request.instance as usize);
        match current.stage {
            Stage::Sharing => {
                // What is done by now ends first: ending exactly at the time-out is done.
                self.complete_shared(r, i, now, lives);
                if self.current_if(s, token).is_none() {
                    return;
                }
                if let Instances::Shared(list) = &mut self.instances[r] {
                    let received = list[i].withdraw(now, s, span).unwrap_or(0.0);
                    let slowed = (now - current.arrived) as f64
                        - current.alone * received / current.request.work.amount().max(f64::MIN_POSITIVE);
                    self.wait(s, r, slowed.max(0.0));
                    if let Work::Bytes(_) = current.request.work {
                        self.measured[r].work += received;
                    }
                }
                self.reschedule(r, i, now);
            }
            // The hold ends now: its release (same moment) comes first.
            Stage::Holding(until) if until <= now => return,
            Stage::Holding(_) | Stage::Queued => {
                if current.stage == Stage::Queued {
                    self.wait(s, r, (now - current.arrived) as f64);
                }
                self.leave_slot(current, s, now);
            }
            Stage::Retrying => self.wait(s, r, (now - current.arrived) as f64),
            Stage::Posted => {}
        }
        self.answer(now, s, End::Expired, lives);
    }

    /// An outage of instance `(r, i)` starts or ends.
    fn outage(&mut self, now: Millis, r: usize, i: usize, starts: bool) {
        let span = self.span;
        match &mut self.instances[r] {
            Instances::Shared(list) => {
                if starts {
                    list[i].outage_starts(now, span);
                } else {
                    list[i].outage_ends(now, span);
                }
                self.reschedule(r, i, now);
            }
            Instances::Slots { list, .. } => {
                if starts {
                    list[i].outage_starts(now, span);
                } else {
                    let mut started = Vec::new();
                    list[i].outage_ends(now, span, &mut started);
                    self.start_holds(r, &started, now);
                    self.track(r, i, now);
                }
            }
        }
    }

    /// Ends the activities of shared instance `(r, i)` whose work is done by `now`.
    fn complete_shared<P>(&mut self, r: usize, i: usize, now: Millis, lives: &Lives<'_, P>) {
        let Instances::Shared(list) = &mut self.instances[r] else { return };
        let mut done = std::mem::take(&mut self.done);
        done.clear();
        list[i].complete(now, self.span, &mut done);
        let bytes = self.resources[r].works_in_bytes();
        for f in done.iter() {
            let s = f.id;
            if let Some(current) = self.current[s as usize] {
                let actual = (now - f.arrived) as f64;
                self.measured[r].stretch.push(if current.alone > 0.0 { actual / current.alone } else { 1.0 });
                self.wait(s, r, (actual - current.alone).max(0.0));
                if bytes {
                    self.measured[r].work += f.work;
                }
            }
            self.answer(now, s, End::Done, lives);
        }
        self.done = done;
        self.reschedule(r, i, now);
    }

    /// Server `s` leaves its slots instance (its hold ended, or it gives up); the requests that
    /// take the freed slot start their holds.
    fn leave_slot(&mut self, current: Current, s: u32, now: Millis) {
        let (r, i) = (current.request.resource as usize, current.request.instance as usize);
        let Instances::Slots { list, .. } = &mut self.instances[r] else { return };
        let mut started = Vec::new();
        list[i].leave(now, s, self.span, &mut started);
        self.start_holds(r, &started, now);
        self.track(r, i, now);
    }

    /// Requests that took a slot at `now` hold it for their work.
    fn start_holds(&mut self, r: usize, started: &[u32], now: Millis) {
        for &next in started {
            if let Some(mut c) = self.current[next as usize] {
                let until = now.saturating_add(c.request.work.time());
                c.stage = Stage::Holding(until);
                self.measured[r].waits.push(now - c.arrived);
                self.wait(next, r, (now - c.arrived) as f64);
                self.current[next as usize] = Some(c);
                self.agenda.schedule(until, Event::Release(next, c.token));
            }
        }
    }

    /// Schedules shared instance `(r, i)`'s next completion (after any change to it), unless
    /// it is the one scheduled last. The one it had is dead then (its generation is older):
    /// it is dropped as it comes near, or ignored when it comes up ([`Coupling::live`]).
    fn reschedule(&mut self, r: usize, i: usize, now: Millis) {
        self.track(r, i, now);
        let Instances::Shared(list) = &mut self.instances[r] else { return };
        let Some((at, generation)) = list[i].next_completion() else { return };
        let at = at.max(now);
        let last = &mut self.completions[self.completion_keys[r] + i];
        if *last != (at, generation) {
            *last = (at, generation);
            let (resource, instance) = (r as ResourceId, i as u32);
            self.agenda.schedule(at, Event::Completion { resource, instance, generation });
        }
    }

    /// Fills resource `r`'s utilisation and peak from its instances.
    fn close(&mut self, r: usize) {
        let length = (self.span.1.saturating_sub(self.span.0)).max(1) as f64;
        let span = self.span;
        let (busy, peak, count) = match &mut self.instances[r] {
            Instances::Shared(list) => {
                for instance in list.iter_mut() {
                    instance.close(span.1, span);
                }
                let busy: f64 = list.iter().map(|x| x.stats().busy).sum();
                (busy, list.iter().map(|x| x.stats().peak).max().unwrap_or(0), list.len())
            }
            Instances::Slots { list, .. } => {
                for instance in list.iter_mut() {
                    instance.close(span.1, span);
                }
                let busy: f64 = list.iter().map(|x| x.stats().busy).sum();
                (busy, list.iter().map(|x| x.stats().peak).max().unwrap_or(0), list.len())
            }
        };
        let m = &mut self.measured[r];
        m.utilisation = busy / length / count.max(1) as f64;
        m.peak = peak;
    }
}

/// Every server of a replication placed and prepared, before any runs.
struct Placed {
    records: Vec<ServerRecord>,
    /// Where each server stands this month.
    placements: Vec<Placement>,
    /// Each server's start, `None` when its run does not start.
    starts: Vec<Option<Start>>,
    /// Each server's initial variables, `var_count` a server.
    vars: Vec<ValueId>,
    /// Each server's counts, `count_count` a server.
    counts: Vec<u32>,
    /// Each server's instance of each resource.
    instance_of: Vec<u32>,
    var_count: usize,
    count_count: usize,
}

/// Places and prepares servers `0..count` (in index order, as even assignment needs) and picks
/// each one's instance of every resource.
fn place_all(sim: &Simulator<'_>, seed: u64, replication: u64, count: u64) -> Placed {
    let scenario = sim.scenario();
    let n = count as usize;
    let resources = &scenario.resources;
    let var_count = sim.program().variable_count();
    let count_count = scenario.fleet.counts.len();
    let mut vars: Vec<ValueId> = vec![crate::sequence::UNSET; n * var_count];
    let mut counts: Vec<u32> = vec![0; n * count_count];
    let mut instance_of: Vec<u32> = vec![0; n * resources.len()];
    let mut records: Vec<ServerRecord> = Vec::with_capacity(n);
    let mut placements = Vec::with_capacity(n);
    let mut starts = Vec::with_capacity(n);
    let mut counters = vec![0u64; scenario.fleet.classes.len()];
    let servers = servers_stream(seed, replication);
    let mut var_chunks = vars.chunks_mut(var_count.max(1));
    let mut count_chunks = counts.chunks_mut(count_count.max(1));
    for index in 0..count {
        let stream = servers.index(index);
        let placement = sim.place(index, stream, &mut counters);
        let mut record = ServerRecord::placed(index, placement);
        let v = if var_count > 0 { var_chunks.next().unwrap_or_default() } else { &mut [] };
        let c = if count_count > 0 { count_chunks.next().unwrap_or_default() } else { &mut [] };
        let start = sim.next_start(index, stream, placement, 0, &mut record, v, c);
        for (r, resource) in resources.iter().enumerate() {
            instance_of[index as usize * resources.len() + r] = instance(resource, r, index, stream);
        }
        records.push(record);
        placements.push(placement);
        starts.push(start);
    }
    Placed { records, placements, starts, vars, counts, instance_of, var_count, count_count }
}

/// The instance of `resource` (the `r`-th) server `index` uses.
fn instance(resource: &Resource, r: usize, index: u64, stream: crate::random::Stream) -> u32 {
    let instances = resource.instances.max(1);
    match &resource.assign {
        ResourceAssign::Even => (index % u64::from(instances)) as u32,
        ResourceAssign::Random => {
            let u = stream.purpose(Purpose::ResourceInstance(r as u32)).uniform(0);
            ((u * f64::from(instances)) as u32).min(instances - 1)
        }
        ResourceAssign::Inventory { of_server, .. } => of_server.get(index as usize).copied().unwrap_or(0),
    }
}

/// Replays a coupled server's run with the answers its port holds, its messages going to
/// `sink`; the request it stopped at, or `None` when it ran to its end (its record then filled
/// in).
fn replay<P: Replay>(
    sim: &Simulator<'_>,
    live: &mut Live<'_, P>,
    vars: &mut [ValueId],
    sink: &mut Emissions,
    record: &mut ServerRecord,
) -> Option<Replayed> {
    // A server whose run does not start has no slot's server.
    let server = live.server.as_mut()?;
    // From the start of the step that asked, when the run got that far; else from the start.
    if !live.checkpoint.is_valid() {
        vars.copy_from_slice(server.initial);
        server.watcher.clear();
        live.port.rewind();
    }
    let mut run = sim.server_run(server.start, vars, server.counts, sink, &mut server.watcher);
    run.port = Some(&live.port);
    run.instances = server.instances;
    run.checkpoint = Some(&mut live.checkpoint);
    Some(match run.run() {
        Some((outcome, end)) => {
            run.finish(record, outcome, end);
            Replayed::Ended
        }
        None => Replayed::Waiting(live.port.waiting()),
    })
}

/// Where a replay stopped.
enum Replayed {
    /// At a request (the activity it waits for), or with nothing to ask.
    Waiting(Option<Request>),
    /// At the run's end: its record is filled in.
    Ended,
}
