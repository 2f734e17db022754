//! Accepted scenarios run without panicking and within the memory patchsim estimates for them
//! before it starts. The whole binary counts its allocations (one test, so nothing else runs
//! beside it): the peak of a run's allocations must stay below its workers' estimate.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use patchsim::montecarlo::memory::{Extras, MemoryEstimate};
use patchsim::montecarlo::{RunOptions, run};
use patchsim::scenario::Scenario;
use patchsim::sequence::Program;
use proptest::prelude::*;

/// The system allocator, counting the bytes in use and their peak.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed straight to the system allocator; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout, as the system allocator requires.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `alloc` and `dealloc`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let now = IN_USE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                IN_USE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// One step of a generated sequence.
fn step(k: usize) -> impl Strategy<Value = String> {
    let duration = prop_oneof![
        Just("\"5m\"".to_owned()),
        (1u32..90).prop_map(|m| format!("{{ dist = \"uniform\", min = \"0m\", max = \"{m}m\" }}")),
        (1u32..60).prop_map(|m| format!("{{ dist = \"exponential\", mean = \"{m}m\" }}")),
        (1u32..30).prop_map(|m| format!("{{ dist = \"lognormal\", median = \"{m}m\", p95 = \"{}m\" }}", m * 3)),
    ];
    let items = prop_oneof![
        (0u32..40).prop_map(|n| n.to_string()),
        (1u32..20).prop_map(|m| format!("{{ dist = \"poisson\", mean = {m} }}")),
        (1u32..30, 1u32..10).prop_map(|(n, p)| format!("{{ dist = \"binomial\", n = {n}, p = 0.{p} }}")),
    ];
    let messages = prop::option::of(0u32..6);
    (0..6u8, duration, items, messages, any::<bool>()).prop_map(move |(kind, duration, items, messages, flag)| {
        let messages = messages.map(|m| format!("messages = {m}\n")).unwrap_or_default();
        let body = match kind {
            0 => format!("type = \"sleep\"\nduration = {duration}\n"),
            1 => format!(
                "type = \"command\"\nduration = {duration}\nexit_codes = {{ 0 = 0.9, 1 = 0.05, 3010 = 0.05 }}\n{messages}"
            ),
            2 => format!("type = \"install_updates\"\nitems = {items}\nper_item = {duration}\nrestart_share = 0.3\n{messages}"),
            3 => format!("type = \"install_software\"\nitems = {items}\nper_item = {duration}\n{messages}"),
            4 => "type = \"restart\"\n".to_owned(),
            _ => format!("type = \"set_variable\"\nvariable = \"V{k}\"\nvalue = \"{flag}\"\n"),
        };
        let condition = if flag { format!("condition = \"V{} exists or not V{k} == 'true'\"\n", k + 1) } else { String::new() };
        format!("[[step]]\nname = \"Step {k}\"\ncontinue_on_error = {flag}\n{condition}{body}")
    })
}

/// A whole scenario: fleet, windows, site and up to eight steps.
fn scenario_text() -> impl Strategy<Value = String> {
    let steps = prop::collection::vec(any::<u8>(), 1..9)
        .prop_flat_map(|seeds| seeds.into_iter().enumerate().map(|(k, _)| step(k)).collect::<Vec<_>>());
    (
        1u64..30_000,
        1usize..8,
        1usize..7,
        1u32..5,
        prop::option::of(50u32..2_000),
        1u32..4,
        0u32..4,
        0u32..3,
        steps,
    )
        .prop_map(|(servers, days, starts, mps, mp_rate, workers, per_step, state, steps)| {
            let days: Vec<String> =
                ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][..days].iter().map(|d| format!("\"{d}\"")).collect();
            let starts: Vec<String> = (0..starts).map(|k| format!("\"{:02}:00\"", k * 4)).collect();
            let mp_rate = mp_rate.map(|r| format!("mp_rate = {r}\n")).unwrap_or_default();
            format!(
                "name = \"generated\"\n[fleet]\nservers = {servers}\nextension = 0.01\noffline = 0.01\npending_restart = 0.2\n\
                 [windows]\ndays = [{}]\nstarts = [{}]\nlength = \"2h\"\n[deployment]\nmax_run_time = \"0s\"\n\
                 [restart]\nduration = \"10m\"\nhang = 0.001\n\
                 [infrastructure]\nmanagement_points = {mps}\n{mp_rate}status_manager_rate = 150\nstatus_manager_workers = {workers}\n\
                 [messages]\nstep_succeeded = {per_step}\nstate_per_update = {state}\n{}",
                days.join(", "),
                starts.join(", "),
                steps.concat()
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(12),
        ..ProptestConfig::default()
    })]

    #[test]
    fn accepted_scenarios_run_within_their_memory_estimate(text in scenario_text(), threads in 1usize..3) {
        let Ok(scenario) = Scenario::from_toml(&text, "generated.toml") else {
            // Rejected scenarios are the bad-input tests' business; this one needs accepted ones.
            return Ok(());
        };
        let program = Program::compile(&scenario);
        let estimate = MemoryEstimate::of(&scenario, &program, Extras::default());
        let before = IN_USE.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        let result = run(&scenario, &program, &RunOptions::new(3, 2, threads)).unwrap();
        let peak = PEAK.load(Ordering::Relaxed) - before;
        drop(result);
        let allowed = estimate.per_worker * threads as u64;
        prop_assert!(
            peak as u64 <= allowed,
            "peak {peak} bytes, estimate {allowed} for {threads} threads ({:.1} messages a server)\n{text}",
            estimate.messages_per_server
        );
    }
}
