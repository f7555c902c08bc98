//! The shortest counterexample of a breadth-first check.
//!
//! stateright 0.31's breadth-first checker keeps, per property, the path of the *last*
//! violating state it visited before it stopped (see
//! [`worm_refinement::shortest_violation`]). Cutting that path at its first violation, as
//! the check's report does, is not enough for a verdict on one transition, the refinement
//! check's: on `worm check wos --bug wrong-partition` the checker kept a refinement violation
//! 21 steps deep and an agreement violation 20 deep, and the report named agreement, where
//! the first violating state breadth-first, as TLC finds it, is a refinement violation 12
//! steps deep. After a breadth-first check that found a violation, this replaces it with the
//! first violating state in breadth-first order, searched no deeper than the one reported.
//! (For every model this belongs in `check.rs`'s report; `wos` uses it so far.)

use super::check::{Outcome, Violation};
use super::Strategy;
use stateright::Model;
use std::hash::Hash;

/// Replaces `outcome`'s violation, from a breadth-first check of `model`, with a shortest
/// one; `explain` explains its last step as the report does.
pub fn shortest<M: Model>(
    outcome: &mut Outcome,
    model: &M,
    explain: fn(&M, &str, &M::State, &M::State) -> Option<String>,
) where
    M::State: Clone + Hash,
    M::Action: Clone + std::fmt::Debug,
{
    let Some(reported) = &outcome.violation else {
        return;
    };
    if outcome.strategy != Strategy::Bfs {
        return;
    }
    let bound = reported.counterexample.len();
    let (property, steps) = worm_refinement::shortest_violation(model, bound)
        .expect("the violation reported is within the bound");
    let explanation = match steps.len() {
        n if n >= 2 => explain(model, property, &steps[n - 2].0, &steps[n - 1].0),
        _ => None,
    };
    outcome.violation = Some(Violation {
        property,
        counterexample: steps
            .iter()
            .filter_map(|(_, a)| a.as_ref().map(|a| model.format_action(a)))
            .collect(),
        explanation,
    });
}
