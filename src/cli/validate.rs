//! `patchsim validate`: check a scenario and describe it, without running it.

use std::path::PathBuf;

use clap::Args;

use crate::montecarlo::memory::{self, Bytes, Extras, MemoryEstimate};
use crate::report::assumptions::describe;
use crate::scenario::Scenario;
use crate::sequence::Program;

/// Arguments of `patchsim validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The scenario file (TOML)
    pub scenario: PathBuf,
}

/// Runs `patchsim validate`.
pub fn execute(args: &ValidateArgs) -> anyhow::Result<()> {
    let scenario = Scenario::load(&args.scenario)?;
    say!("{}", describe(&scenario));
    let program = Program::compile(&scenario);
    let estimate = MemoryEstimate::of(&scenario, &program, Extras::default());
    let threads = rayon::current_num_threads();
    let budget = memory::budget();
    match estimate.threads_within(threads, budget) {
        Ok(fit) => sayln!(
            "\nMemory: a run needs about {} on {fit} thread{} ({} a thread; about {:.1} messages a server); {} is available.",
            Bytes(estimate.total(fit)),
            if fit == 1 { "" } else { "s" },
            Bytes(estimate.per_worker),
            estimate.messages_per_server,
            Bytes(budget)
        ),
        Err(too_large) => return Err(too_large.into()),
    }
    print_warnings(&scenario);
    match scenario.warnings.len() {
        0 => sayln!("\n{}: OK", args.scenario.display()),
        1 => sayln!("\n{}: OK, with 1 warning", args.scenario.display()),
        n => sayln!("\n{}: OK, with {n} warnings", args.scenario.display()),
    }
    Ok(())
}

/// Prints the scenario's warnings on standard error, one a line:
/// ``warning: FILE:LINE:COL: key `k`: message``.
pub fn print_warnings(scenario: &Scenario) {
    for warning in &scenario.warnings {
        eprintln!("warning: {warning}");
    }
}
