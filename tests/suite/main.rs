//! The integration tests, as one test binary (one link, one start-up) with a module per area:
//! the command line as a user meets it, every engine rule, closed forms, determinism, bad and
//! hostile inputs, real inputs, reports, the planner, safe writes, and the module order.
//! (`tests/memory.rs` is a binary of its own: it counts every allocation of its process.)

mod common;

mod architecture;
mod backtest;
mod bad_inputs;
mod cli;
mod closed_form;
mod coupling;
mod determinism;
mod engine_rules;
mod engine_variables;
mod fuzz;
mod history_formats;
mod hostile_names;
mod import;
mod import_content;
mod import_corpus;
mod import_faithful;
mod import_zip;
mod infrastructure;
mod inventory;
mod montecarlo;
mod month_rules;
mod plan_contention;
mod planner;
mod reports;
mod resources;
mod resources_format;
mod restart_rules;
mod safe_writes;
mod summary_schema;
mod update_rules;
mod warnings;
mod windows_outputs;
