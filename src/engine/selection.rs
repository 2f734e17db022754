//! Which server `trace` follows: one named by its number or inventory name, or the first of a
//! replication with a given outcome.

use thiserror::Error;

use super::outcome::Outcome;
use super::simulator::Simulator;
use crate::messages::Emissions;

/// How a server is chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerChoice {
    /// By its number in the fleet (from 0) or, with an inventory, its name.
    Named(String),
    /// The first targeted server with this outcome.
    First(Outcome),
}

/// A server that cannot be chosen.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SelectionError {
    /// Neither an inventory name nor a number.
    #[error("--server {0}: no server of that name in the inventory, and not a server number")]
    NoSuchName(String),
    /// Not a number (and there is no inventory).
    #[error("--server {wanted}: give the server's number, 0 to {last}")]
    NotANumber {
        /// What was asked for.
        wanted: String,
        /// The last server's number.
        last: u64,
    },
    /// Beyond the fleet.
    #[error("--server {wanted}: the fleet has {servers} servers, numbered 0 to {}", servers - 1)]
    OutOfRange {
        /// What was asked for.
        wanted: u64,
        /// Servers in the fleet.
        servers: u64,
    },
    /// No server has the outcome in the replications looked at.
    #[error("no server is {outcome} in replication{} {replications} (seed {seed})", if replications.contains(' ') { "s" } else { "" })]
    NoneWithOutcome {
        /// The outcome, as a reader says it.
        outcome: String,
        /// The replications looked at (`3`, or `3 to 7`).
        replications: String,
        /// The seed.
        seed: u64,
    },
}

impl Simulator<'_> {
    /// The server `choice` names: its replication (the first of `replications` from `first`
    /// where the choice holds) and its number.
    pub fn choose(
        &self,
        seed: u64,
        first: u64,
        replications: u64,
        choice: &ServerChoice,
    ) -> Result<(u64, u64), SelectionError> {
        let scenario = self.scenario();
        let servers = scenario.fleet.servers;
        match choice {
            ServerChoice::Named(wanted) => {
                let inventory = scenario.windows.inventory();
                let n = match (inventory.and_then(|inv| inv.find(wanted)), wanted.trim().parse::<u64>()) {
                    (Some(index), _) => index as u64,
                    (None, Ok(n)) => n,
                    (None, Err(_)) if inventory.is_some() => return Err(SelectionError::NoSuchName(wanted.clone())),
                    (None, Err(_)) => {
                        return Err(SelectionError::NotANumber { wanted: wanted.clone(), last: servers - 1 });
                    }
                };
                if n >= servers {
                    return Err(SelectionError::OutOfRange { wanted: n, servers });
                }
                Ok((first, n))
            }
            ServerChoice::First(outcome) => {
                let mut scratch = self.scratch();
                let mut emissions = Emissions::new(scenario.infrastructure.management_points as usize);
                for replication in first..first + replications.max(1) {
                    let mut found = None;
                    emissions.clear();
                    self.run_replication(seed, replication, &mut scratch, &mut emissions, |r| {
                        if found.is_none() && !r.excluded && r.outcome == *outcome {
                            found = Some(r.index);
                        }
                    });
                    if let Some(server) = found {
                        return Ok((replication, server));
                    }
                }
                let last = first + replications.max(1) - 1;
                let replications = if last == first { first.to_string() } else { format!("{first} to {last}") };
                Err(SelectionError::NoneWithOutcome { outcome: outcome.label(), replications, seed })
            }
        }
    }
}
