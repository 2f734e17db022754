//! The progress bar on standard error: replications done, rate, time left.
//!
//! It appears only for runs that last more than about a second, only when standard error is a
//! terminal, and never with `--quiet`; it is drawn from its own thread, which reads a counter
//! the workers bump, so the simulation pays one atomic add a replication.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar that may never show.
pub struct Progress {
    done: Arc<AtomicU64>,
    total: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts watching a run of `total` replications; `quiet` silences it.
    pub fn start(total: u64, quiet: bool) -> Self {
        let done = Arc::new(AtomicU64::new(0));
        let total = Arc::new(AtomicU64::new(total));
        let stop = Arc::new(AtomicBool::new(false));
        let enabled = !quiet && std::io::stderr().is_terminal();
        let thread = enabled.then(|| {
            let (done, total, stop) = (Arc::clone(&done), Arc::clone(&total), Arc::clone(&stop));
            std::thread::spawn(move || draw(&done, &total, &stop))
        });
        Self { done, total, stop, thread }
    }

    /// The counter the workers bump after each replication.
    pub fn counter(&self) -> &AtomicU64 {
        &self.done
    }

    /// Raises the number of replications expected (a `--precision` run adding a batch).
    pub fn extend_to(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
    }

    /// Removes the bar.
    pub fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn draw(done: &AtomicU64, total: &AtomicU64, stop: &AtomicBool) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(1) {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let bar = ProgressBar::with_draw_target(Some(total.load(Ordering::Relaxed)), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} replications  {msg}") {
        bar.set_style(style.progress_chars("=> "));
    }
    while !stop.load(Ordering::Relaxed) {
        let (n, of) = (done.load(Ordering::Relaxed), total.load(Ordering::Relaxed));
        let elapsed = started.elapsed().as_secs_f64();
        let rate = n as f64 / elapsed;
        let left = if rate > 0.0 { of.saturating_sub(n) as f64 / rate } else { 0.0 };
        bar.set_message(format!("{rate:.0} a second, {elapsed:.0} s so far, about {left:.0} s left"));
        bar.set_length(of);
        bar.set_position(n);
        std::thread::sleep(Duration::from_millis(100));
    }
    bar.finish_and_clear();
}
