//! `patchsim validate`: check a scenario and describe it, without running it.

use std::path::PathBuf;

use clap::Args;

use crate::report::assumptions::describe;
use crate::scenario::Scenario;

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
    sayln!("\n{}: OK", args.scenario.display());
    Ok(())
}
