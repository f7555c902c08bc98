#![allow(dead_code)] // each test file uses a subset of these helpers
//! Helpers shared by the model tests: a deterministic breadth-first
//! check stopped at the first violation, and that violation's counterexample.

use stateright::{Checker, Expectation, HasDiscoveries, Model};
use std::fmt::Debug;
use std::hash::Hash;
use worm_refinement::{first_violation, shortest_violation};

/// Single-threaded breadth-first search, stopped at the first violation.
pub fn bfs<M>(m: M) -> impl Checker<M>
where
    M: Model + Send + Sync + 'static,
    M::State: Debug + Clone + PartialEq + Hash + Send + Sync,
    M::Action: Debug + Clone + PartialEq + Send + Sync,
{
    m.checker()
        .finish_when(HasDiscoveries::AnyFailures)
        .spawn_bfs()
        .join()
}

/// The violated property and its counterexample cut at its first violating state, one step per
/// line: of the properties violated, the one with the shortest path (as the CLI does).
pub fn violation<M>(checker: &impl Checker<M>) -> Option<(&'static str, Vec<String>)>
where
    M: Model,
    M::State: Debug + Clone + PartialEq + Hash,
    M::Action: Debug + Clone + PartialEq,
{
    let model = checker.model();
    model
        .properties()
        .iter()
        .filter(|p| p.expectation == Expectation::Always)
        .filter_map(|p| checker.discovery(p.name).map(|path| (p.name, path)))
        .min_by_key(|(_, path)| path.clone().into_actions().len())
        .map(|(name, path)| {
            let steps = first_violation(model, name, path)
                .expect("the path violates the property")
                .iter()
                .filter_map(|(_, a)| a.as_ref().map(|a| model.format_action(a)))
                .collect();
            (name, steps)
        })
}

/// The first violation in breadth-first order, no deeper than the one `checker` found, as
/// a breadth-first `worm check` reports it: the property and one step per line. [`violation`] takes the
/// checker's word, which is the last violating state of a block (see
/// `worm_refinement::shortest_violation`).
pub fn shortest<M>(checker: &impl Checker<M>) -> Option<(&'static str, Vec<String>)>
where
    M: Model,
    M::State: Debug + Clone + PartialEq + Hash,
    M::Action: Debug + Clone + PartialEq,
{
    let (_, found) = violation(checker)?;
    let model = checker.model();
    let (name, steps) =
        shortest_violation(model, found.len()).expect("the violation found is within the bound");
    let steps = steps
        .iter()
        .filter_map(|(_, a)| a.as_ref().map(|a| model.format_action(a)))
        .collect();
    Some((name, steps))
}

/// No violation, every `sometimes` property reached, and `count` unique states.
pub fn assert_holds<M>(m: M, count: usize)
where
    M: Model + Send + Sync + 'static,
    M::State: Debug + Clone + PartialEq + Hash + Send + Sync,
    M::Action: Debug + Clone + PartialEq + Send + Sync,
{
    let checker = bfs(m);
    assert_eq!(violation(&checker), None);
    for p in checker.model().properties() {
        if p.expectation == Expectation::Sometimes {
            assert!(checker.discovery(p.name).is_some(), "{}", p.name);
        }
    }
    assert_eq!(checker.unique_state_count(), count);
}

/// Violates `property` with a counterexample of `len` steps ending in `last`.
pub fn assert_fails<M>(m: M, property: &str, len: usize, last: &str)
where
    M: Model + Send + Sync + 'static,
    M::State: Debug + Clone + PartialEq + Hash + Send + Sync,
    M::Action: Debug + Clone + PartialEq + Send + Sync,
{
    let checker = bfs(m);
    let (name, steps) = violation(&checker).expect("a violation");
    assert_eq!(name, property, "{steps:#?}");
    assert_eq!(steps.len(), len, "{steps:#?}");
    assert_eq!(steps.last().map(String::as_str), Some(last), "{steps:#?}");
}
