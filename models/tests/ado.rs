//! The ADO model: pinned state counts for free callers and for every app, every bug found
//! with a pinned counterexample.
//!
//! Counterexamples come from single-threaded breadth-first search stopped at the first
//! violation, which is deterministic.

mod common;

use common::{assert_holds, bfs, violation};
use worm_models::ado::apps::{App, AppConfig};
use worm_models::ado::{AdoBug, AdoConfig, AdoModel};

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
    assert_holds(free(None), 35_020);
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
        assert_holds(app(a, None), count);
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
