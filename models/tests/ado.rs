//! The ADO model: pinned state counts for free callers and for every app, every bug found
//! with a pinned counterexample.
//!
//! Counterexamples come from single-threaded breadth-first search stopped at the first
//! violation, which is deterministic.

use stateright::{Checker, Expectation, HasDiscoveries, Model};
use std::fmt::Debug;
use std::hash::Hash;
use worm_models::ado::objects::{Kv, KvMethod};
use worm_models::ado::{AdoBug, AdoConfig, AdoModel};
use worm_refinement::first_violation;

/// What the checks below need of a model.
trait Checked: Model<State = Self::S, Action = Self::A> + Send + Sync + 'static {
    type S: Clone + Debug + Hash + PartialEq + Send + Sync + 'static;
    type A: Clone + Debug + PartialEq + Send + Sync + 'static;
}

impl<M> Checked for M
where
    M: Model + Send + Sync + 'static,
    M::State: Clone + Debug + Hash + PartialEq + Send + Sync + 'static,
    M::Action: Clone + Debug + PartialEq + Send + Sync + 'static,
{
    type S = M::State;
    type A = M::Action;
}

fn bfs<M: Checked>(model: M) -> impl Checker<M> {
    model
        .checker()
        .finish_when(HasDiscoveries::AnyFailures)
        .spawn_bfs()
        .join()
}

/// The name of the violated property and the counterexample, one step per line.
fn violation<M: Checked>(checker: &impl Checker<M>) -> Option<(&'static str, Vec<String>)> {
    let model = checker.model();
    model
        .properties()
        .iter()
        .filter(|p| p.expectation == Expectation::Always)
        .find_map(|p| checker.discovery(p.name).map(|path| (p.name, path)))
        .map(|(name, path)| {
            let steps = first_violation(model, name, path)
                .expect("the path violates the property")
                .iter()
                .filter_map(|(_, a)| a.as_ref().map(|a| model.format_action(a)))
                .collect();
            (name, steps)
        })
}

fn free_kv(cfg: AdoConfig) -> AdoModel<Kv> {
    AdoModel::new(
        cfg,
        Kv { keys: 1 },
        vec![KvMethod::Set(0, 1), KvMethod::Set(0, 2), KvMethod::Get(0)],
    )
}

#[test]
fn free_callers_keep_the_ados_invariants() {
    let checker = bfs(free_kv(AdoConfig::default()));
    assert_eq!(violation(&checker), None);
    assert!(checker.discovery("a call committed").is_some());
    assert_eq!(checker.unique_state_count(), 53_884);
}

#[test]
fn ado_bugs_found() {
    for bug in [
        AdoBug::PushWithoutPull,
        AdoBug::CommitStaleBranch,
        AdoBug::PruneCommitted,
    ] {
        let checker = bfs(free_kv(AdoConfig {
            bug: Some(bug),
            ..AdoConfig::default()
        }));
        let v = violation(&checker);
        println!("{bug}: {v:#?}");
        assert!(v.is_some(), "{bug}");
    }
}
