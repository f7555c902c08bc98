//! The ADO model: pinned state counts for free callers and for every app, every bug found
//! with a pinned counterexample.
//!
//! Counterexamples come from single-threaded breadth-first search stopped at the first
//! violation, which is deterministic.

use stateright::{Checker, Expectation, HasDiscoveries, Model};
use std::fmt::Debug;
use std::hash::Hash;
use worm_models::ado::apps::{App, AppConfig};
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

/// Safe, every `sometimes` property reached, and `count` unique states.
fn assert_safe<M: Checked>(model: M, count: usize) {
    let checker = bfs(model);
    assert_eq!(violation(&checker), None);
    for p in checker.model().properties() {
        if p.expectation == Expectation::Sometimes {
            assert!(checker.discovery(p.name).is_some(), "{}", p.name);
        }
    }
    assert_eq!(checker.unique_state_count(), count);
}

fn free(bug: Option<AdoBug>) -> AdoModel<worm_models::ado::objects::Kv> {
    AdoModel::kv(AdoConfig {
        bug,
        ..AdoConfig::default()
    })
}

fn app(app: App, bug: Option<AdoBug>) -> worm_models::ado::apps::AppModel {
    AppConfig {
        bug,
        ..AppConfig::new(app)
    }
    .into_model()
}

#[test]
fn free_callers_keep_the_ados_invariants() {
    assert_safe(free(None), 35_020);
}

#[test]
fn every_app_meets_its_atomic_spec_with_pinned_counts() {
    for (a, count) in [
        (App::Kv, 1_001),
        (App::DVec, 1_001),
        (App::DLock, 733),
        (App::KvLock, 20_253),
        (App::KvLockFree, 221),
        (App::TwoPc, 26_122),
    ] {
        println!("{a}");
        assert_safe(app(a, None), count);
    }
}

#[test]
fn push_without_pull_prunes_the_log() {
    // B never pulled, so its point is the root: its push makes the empty path the log.
    let checker = bfs(free(Some(AdoBug::PushWithoutPull)));
    let (property, steps) = violation(&checker).expect("found");
    assert_eq!(property, "a committed entry is never pruned");
    assert_eq!(
        steps,
        [
            "A: pull() = Ok(0@0)",
            "A: pull() = Ok(0@0)",
            "A: Get(0)",
            "A: push() = Ok",
            "B: push() = Ok",
        ]
    );
}

#[test]
fn commit_stale_branch_strands_the_later_puller() {
    // A commits although B pulled after it: B, the latest puller, now builds on a pruned
    // branch (the root, which is no longer the tip).
    let checker = bfs(free(Some(AdoBug::CommitStaleBranch)));
    let (property, steps) = violation(&checker).expect("found");
    assert_eq!(property, "the latest puller's point is live");
    assert_eq!(
        steps,
        [
            "A: pull() = Ok(0@0)",
            "A: Set(0, 1)",
            "A: pull() = Ok(1@1)",
            "B: pull() = Ok(0@0)",
            "A: push() = Ok",
        ]
    );
}

#[test]
fn commit_stale_branch_breaks_kvlock() {
    // In KVLock, A's stale push replaces the log that B's acquire extended.
    let checker = bfs(app(App::KvLock, Some(AdoBug::CommitStaleBranch)));
    let (property, steps) = violation(&checker).expect("found");
    assert_eq!(property, "a committed entry is never pruned");
    assert_eq!(steps.len(), 8);
    assert_eq!(steps[7], "A: lk.push() = Ok (TryAcquire(0))");
}

#[test]
fn prune_committed_pulls_from_below_the_tip() {
    let checker = bfs(free(Some(AdoBug::PruneCommitted)));
    let (property, steps) = violation(&checker).expect("found");
    assert_eq!(property, "the latest puller's point is live");
    assert_eq!(
        steps,
        [
            "A: pull() = Ok(0@0)",
            "A: Set(0, 1)",
            "A: pull() = Ok(1@1)",
            "A: push() = Ok",
            "B: pull() = Ok(0@0)",
        ]
    );
}

#[test]
fn prune_committed_breaks_the_lock() {
    let checker = bfs(app(App::KvLock, Some(AdoBug::PruneCommitted)));
    let (property, steps) = violation(&checker).expect("found");
    assert_eq!(property, "at most one lock holder");
    assert_eq!(steps.len(), 8);
}

#[test]
fn kvlock_release_early_breaks_meta() {
    let checker = bfs(app(App::KvLock, Some(AdoBug::KvlockReleaseEarly)));
    let (property, steps) = violation(&checker).expect("found");
    assert_eq!(property, "meta is the length of data");
    // A sets data, then releases before writing meta: nobody holds the lock, and meta is
    // not yet the length of data.
    assert_eq!(steps.len(), 10);
    assert_eq!(steps[4], "A: lk.push() = Ok (TryAcquire(0))");
    assert_eq!(steps[9], "A: data.push() = Ok (Insert(0, 1))");
}

#[test]
fn tm_ignore_fail_breaks_atomicity() {
    let checker = bfs(app(App::TwoPc, Some(AdoBug::TmIgnoreFail)));
    let (property, steps) = violation(&checker).expect("found");
    assert_eq!(property, "2PC atomicity");
    // RM 2 times out (its own pull and push); the TM's prepare pushes to it fail, and the TM
    // takes the FAILs for yes votes and commits RM 1.
    assert_eq!(
        steps,
        [
            "A: rm1.pull() = Ok(0@0)",
            "A: rm2.pull() = Ok(0@0)",
            "A: rm1.Prepare",
            "A: rm1.push() = Ok (Prepare)",
            "C: rm2.pull() = Ok(0@0)",
            "C: rm2.Timeout",
            "C: rm2.push() = Ok (Timeout)",
            "A: rm2.Prepare",
            "A: rm2.push() = Fail (Prepare)",
            "A: rm2.push() = Fail (Prepare)",
            "A: rm1.pull() = Ok(1@1)",
            "A: rm1.Commit",
            "A: rm1.push() = Ok (Commit)",
        ]
    );
}

#[test]
fn bad_configurations_are_rejected() {
    let bad = AppConfig {
        bug: Some(AdoBug::TmIgnoreFail),
        ..AppConfig::new(App::Kv)
    };
    assert_eq!(
        bad.validate(),
        Err("bug tm-ignore-fail needs --app 2pc".into())
    );
    let bad = AdoConfig {
        nodes: 5,
        ..AdoConfig::default()
    };
    assert_eq!(bad.validate(), Err("nodes must be 1 to 4, not 5".into()));
}
