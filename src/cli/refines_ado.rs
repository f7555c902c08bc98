//! `--refines ado` for `worm check caspaxos` and `worm check multipaxos`: the protocol with its
//! ghost ADO, checked to refine the ADO model.

use super::check::{CheckRun, Outcome, Symmetry};
use super::{Error, RunArgs};
use clap::ValueEnum;
use stateright::Model;
use std::fmt::Debug;
use std::process::ExitCode;
use worm_models::caspaxos::CasConfig;
use worm_models::multipaxos::MpConfig;
use worm_models::refines_ado::{caspaxos, multipaxos};
use worm_refinement::{RefinedOf, Refinement};

/// What a protocol is checked to refine, besides its own spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Refines {
    /// The atomic distributed object (pull, invoke, push).
    Ado,
}

/// The abstract step behind a refinement violation.
fn explain<L: Model, H: Model>(
    m: &Refinement<L, H>,
    property: &str,
    last: &RefinedOf<L, H>,
    next: &RefinedOf<L, H>,
) -> Option<String>
where
    H::State: Clone + Debug + Eq + std::hash::Hash + Send,
    H::Action: Clone,
{
    (property == m.property_name()).then(|| {
        format!(
            "The last step takes the ADO from\n      {:?}\n   to {:?},\nwhich is neither a stutter nor a step (or two) of the ADO.",
            last.high,
            next.high
        )
    })
}

/// Checks that the CASPaxos model refines the ADO; `naive` drops the abstraction's excuses.
pub fn caspaxos(cfg: CasConfig, naive: bool, run: &RunArgs) -> Result<Outcome, Error> {
    caspaxos::validate(&cfg).map_err(Error::Usage)?;
    CheckRun {
        name: "caspaxos --refines ado",
        model: caspaxos::refines_ado(cfg, naive),
        args: run,
        symmetry: Symmetry::Checker(caspaxos::representative),
        explain,
        predict: None,
    }
    .run()
    .map_err(Error::Usage)
}

/// Checks that the Multi-Paxos model refines the ADO; `naive` drops the abstraction's excuses.
pub fn multipaxos(cfg: MpConfig, naive: bool, run: &RunArgs) -> Result<Outcome, Error> {
    CheckRun {
        name: "multipaxos --refines ado",
        model: multipaxos::refines_ado(cfg, naive),
        args: run,
        symmetry: Symmetry::Checker(multipaxos::representative),
        explain,
        predict: None,
    }
    .run()
    .map_err(Error::Usage)
}

/// Prints an outcome as `worm check` does; exit code 1 on a violation.
pub fn report(outcome: Outcome, json: bool) -> ExitCode {
    outcome.print(json);
    if outcome.violation.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
