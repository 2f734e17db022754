//! The `patchsim` command: parse the arguments, run, print the error chain, set the exit code.

use std::process::ExitCode;

use clap::Parser;

/// The command runs on a thread with a large stack: every reader is bounded in depth, and this
/// keeps the bounds far from the 1 MiB main-thread stack of Windows.
const STACK_BYTES: usize = 64 << 20;

fn main() -> ExitCode {
    patchsim::output::cleanup::install_interrupt_handler();
    let cli = patchsim::cli::Cli::parse();
    let worker = std::thread::Builder::new().stack_size(STACK_BYTES).spawn(move || patchsim::cli::execute(cli));
    let result = match worker {
        Ok(handle) => handle.join().unwrap_or_else(|_| Err(anyhow::anyhow!("patchsim stopped unexpectedly"))),
        Err(e) => Err(anyhow::anyhow!("cannot start: {e}")),
    };
    if let Err(error) = &result {
        eprintln!("error: {error}");
        for cause in error.chain().skip(1) {
            eprintln!("  caused by: {cause}");
        }
    }
    ExitCode::from(patchsim::cli::exit_status(&result))
}
