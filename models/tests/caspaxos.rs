//! The CASPaxos model: pinned state counts for the base protocol, the one-round-trip
//! optimisation, membership changes and deletion; every bug found with a pinned
//! counterexample; quorums that do not intersect break safety.
//!
//! Counterexamples come from single-threaded breadth-first search stopped at the first
//! violation, which is deterministic.

mod common;

use common::violation;
use stateright::{Checker, Expectation, Model};
use worm_models::caspaxos::model::{parse_scripts, CasCheck};
use worm_models::caspaxos::{CasBug, CasConfig, Membership};
use worm_models::network::NetworkKind;

fn bfs(cfg: CasConfig) -> impl Checker<CasCheck> {
    common::bfs(cfg.into_model())
}

fn with(changes: &str) -> CasConfig {
    CasConfig {
        scripts: parse_scripts(changes).unwrap(),
        ..CasConfig::default()
    }
}

/// Safe, every `sometimes` property reached, and `count` unique states.
fn assert_safe(cfg: CasConfig, count: usize) {
    let label = format!("{cfg:?}");
    let checker = bfs(cfg);
    assert_eq!(violation(&checker), None, "{label}");
    for p in checker.model().properties() {
        if p.expectation == Expectation::Sometimes {
            assert!(checker.discovery(p.name).is_some(), "{} in {label}", p.name);
        }
    }
    assert_eq!(checker.unique_state_count(), count, "{label}");
}

#[test]
fn base_protocol_is_safe_with_pinned_counts() {
    assert_safe(CasConfig::default(), 47_898);
}

#[test]
fn base_protocol_with_a_crash_and_a_lossy_network() {
    assert_safe(
        CasConfig {
            crashes: 1,
            ..with("init=1,cas=0:2")
        },
        2_272,
    );
    assert_safe(
        CasConfig {
            lossy: true,
            ..with("init=1,read")
        },
        5_994,
    );
}

#[test]
fn duplicating_network_and_retries() {
    assert_safe(
        CasConfig {
            network: NetworkKind::Duplicating,
            ..CasConfig::default()
        },
        18_701,
    );
    assert_safe(
        CasConfig {
            attempts: 2,
            ..with("init=1/inc")
        },
        146_158,
    );
}

#[test]
fn one_round_trip_is_safe_with_pinned_counts() {
    // One proposer: the cached promise adds states (the piggybacked promises).
    let changes = "init=1,inc,read";
    assert_safe(with(changes), 1_407);
    let rtt = |one_rtt, cfg| CasConfig { one_rtt, ..cfg };
    assert_safe(rtt(true, with(changes)), 2_856);
    // With a second proposer in the way (so caches are invalidated by conflicts), on the
    // ordered network: one round trip fewer removes more states than the promises add.
    let contended = CasConfig {
        network: NetworkKind::Ordered,
        ..with("init=1,inc/read")
    };
    assert_safe(rtt(false, contended.clone()), 123_883);
    assert_safe(rtt(true, contended), 107_866);
}

#[test]
fn flexible_quorums_that_intersect_are_safe() {
    assert_safe(
        CasConfig {
            prepare_quorum: Some(3),
            accept_quorum: Some(1),
            ..with("init=1/read")
        },
        3_577,
    );
}

#[test]
fn quorums_that_do_not_intersect_break_safety() {
    let cfg = CasConfig {
        prepare_quorum: Some(1),
        accept_quorum: Some(2),
        ..CasConfig::default()
    };
    assert!(cfg.validate().is_err());
    let (property, path) = violation(&bfs(cfg)).expect("forced through, it is unsafe");
    // B prepares on a2 alone, which never saw A's acknowledged write on a0 and a1.
    assert_eq!(
        (
            property,
            path.iter().map(String::as_str).collect::<Vec<_>>()
        ),
        (
            "acknowledged states form a chain",
            vec![
                "pA -> a0: Prepare(1.A)",
                "a0 -> pA: Promise(1.A, none)",
                "pA -> a0: Accept(1.A, v0:1)",
                "a0 -> pA: Accepted(1.A)",
                "pA -> a1: Accept(1.A, v0:1)",
                "a1 -> pA: Accepted(1.A)",
                "pB -> a2: Prepare(1.B)",
                "a2 -> pB: Promise(1.B, none)",
                "pB -> a1: Accept(1.B, ∅)",
                "a1 -> pB: Accepted(1.B)",
                "pB -> a2: Accept(1.B, ∅)",
                "a2 -> pB: Accepted(1.B)",
            ]
        )
    );
}

#[test]
fn membership_changes_are_safe_with_pinned_counts() {
    let one = |membership, acceptors, changes| CasConfig {
        acceptors,
        membership,
        ..with(changes)
    };
    // F = 0: 1 -> 2 in the four steps of §2.3.1, then 2 -> 3 as in §2.3.2.
    assert_safe(one(Membership::Expand, 1, "init=1,read"), 879);
    assert_safe(one(Membership::ExpandTwice, 1, "init=1,read"), 1_147);
    assert_safe(one(Membership::ExpandTwice, 1, "init=1/read"), 289);
    // 2 -> 1, the steps of §2.3.1 reversed.
    assert_safe(one(Membership::Shrink, 2, "init=1,read"), 897);
    // 3 -> 2 -> 3 with a new acceptor, re-scanning in between.
    assert_safe(one(Membership::Replace, 3, "init=1,read"), 16_338);
}

#[test]
fn proposers_come_and_go_during_a_membership_change() {
    let cfg = |add, remove| CasConfig {
        acceptors: 1,
        membership: Membership::ExpandTwice,
        add_proposer: add,
        remove_proposer: remove,
        ..with("init=1,read/read")
    };
    assert_safe(cfg(true, false), 11_772);
    assert_safe(cfg(false, true), 10_944);
}

#[test]
fn deletion_is_safe_with_pinned_counts() {
    let gc = |changes| CasConfig {
        gc: true,
        network: NetworkKind::Ordered,
        ..with(changes)
    };
    assert_safe(gc("init=1,del,read"), 113_765);
    assert_safe(gc("del,init=2"), 69_659);
}

#[test]
fn key_value_store_with_deletion_is_safe() {
    assert_safe(
        CasConfig {
            gc: true,
            network: NetworkKind::Ordered,
            ..with("init=1,k1:init=2,del,k1:read")
        },
        96_762,
    );
}

fn assert_bug(bug: CasBug, property: &str, steps: &[&str]) {
    let checker = bfs(bug.config());
    let (found, path) = violation(&checker).unwrap_or_else(|| panic!("{bug} not found"));
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    assert_eq!((found, path), (property, steps.to_vec()), "{bug}");
}

#[test]
fn expand_without_identity_is_found() {
    // The write sits on a0 alone; without the identity change nothing copies it to a1, and
    // the read's quorum {a1, a2} of the final configuration misses it.
    assert_bug(
        CasBug::ExpandWithoutIdentity,
        "linearizable",
        &[
            "pA -> a0: Prepare(1.A)",
            "a0 -> pA: Promise(1.A, none)",
            "pA -> a0: Accept(1.A, v0:1)",
            "a0 -> pA: Accepted(1.A)",
            "op -> pA: Configure(prepare {0}/1, accept {0, 1}/2)",
            "pA -> op: Configured",
            "op -> pA: Configure(prepare {0, 1}/2, accept {0, 1}/2)",
            "pA -> op: Configured",
            "op -> pA: Configure(prepare {0, 1, 2}/2, accept {0, 1, 2}/2)",
            "pA submits its next change",
            "pA -> a1: Prepare(2.A)",
            "a1 -> pA: Promise(2.A, none)",
            "pA -> a2: Prepare(2.A)",
            "a2 -> pA: Promise(2.A, none)",
            "pA -> a0: Accept(2.A, ∅)",
            "a0 -> pA: Accepted(2.A)",
            "pA -> a1: Accept(2.A, ∅)",
            "a1 -> pA: Accepted(2.A)",
        ],
    );
}

#[test]
fn even_expand_without_rescan_is_found() {
    // Written on a0 and a2; a2 is replaced by the empty a3 without a re-scan, and the read's
    // quorum {a1, a3} sees nothing.
    assert_bug(
        CasBug::EvenExpandWithoutRescan,
        "linearizable",
        &[
            "pA -> a0: Prepare(1.A)",
            "a0 -> pA: Promise(1.A, none)",
            "pA -> a1: Prepare(1.A)",
            "a1 -> pA: Promise(1.A, none)",
            "pA -> a0: Accept(1.A, v0:1)",
            "a0 -> pA: Accepted(1.A)",
            "pA -> a2: Accept(1.A, v0:1)",
            "a2 -> pA: Accepted(1.A)",
            "op -> pA: Configure(prepare {0, 1}/2, accept {0, 1}/2)",
            "pA -> op: Configured",
            "op -> pA: Configure(prepare {0, 1, 3}/2, accept {0, 1, 3}/2)",
            "pA submits its next change",
            "pA -> a1: Prepare(2.A)",
            "a1 -> pA: Promise(2.A, none)",
            "pA -> a3: Prepare(2.A)",
            "a3 -> pA: Promise(2.A, none)",
            "pA -> a0: Accept(2.A, ∅)",
            "a0 -> pA: Accepted(2.A)",
            "pA -> a1: Accept(2.A, ∅)",
            "a1 -> pA: Accepted(2.A)",
        ],
    );
}

#[test]
fn gc_without_age_check_is_found() {
    // The read at 3.A, begun before the GC, has its accept delayed to a0 until a0 removed the
    // key; without the age check a0 takes it, and the read is acknowledged below the tombstone
    // at 3.B without descending from it (a value written there would be revived).
    assert_bug(
        CasBug::GcWithoutAgeCheck,
        "acknowledged states form a chain",
        &[
            "pA -> a0: Prepare(1.A)",
            "a0 -> pA: Promise(1.A, none)",
            "pA -> a1: Prepare(1.A)",
            "a1 -> pA: Promise(1.A, none)",
            "pA -> a0: Accept(1.A, v0:1)",
            "a0 -> pA: Accepted(1.A)",
            "pA -> a1: Accept(1.A, v0:1)",
            "a1 -> pA: Accepted(1.A)",
            "pA submits its next change",
            "pA -> a0: Prepare(2.A)",
            "a0 -> pA: Promise(2.A, 1.A=v0:1)",
            "pA -> a1: Prepare(2.A)",
            "a1 -> pA: Promise(2.A, 1.A=v0:1)",
            "pA -> a0: Accept(2.A, ∅)",
            "a0 -> pA: Accepted(2.A)",
            "pA -> a1: Accept(2.A, ∅)",
            "a1 -> pA: Accepted(2.A)",
            "pA -> op: ScheduleGc(2.A)",
            "op -> a2: Prepare(3.B)",
            "a2 -> op: Promise(3.B, none)",
            "pA submits its next change",
            "pA -> a0: Prepare(3.A)",
            "a0 -> pA: Promise(3.A, 2.A=∅)",
            "pA -> a1: Prepare(3.A)",
            "a1 -> pA: Promise(3.A, 2.A=∅)",
            "pA -> a1: Accept(3.A, ∅)",
            "a1 -> pA: Accepted(3.A)",
            "op -> a0: Prepare(3.B)",
            "a0 -> op: Promise(3.B, 2.A=∅)",
            "op -> a0: Accept(3.B, ∅)",
            "a0 -> op: Accepted(3.B)",
            "op -> a1: Prepare(3.B)",
            "op -> a1: Accept(3.B, ∅)",
            "a1 -> op: Accepted(3.B)",
            "op -> a2: Accept(3.B, ∅)",
            "a2 -> op: Accepted(3.B)",
            "op -> pA: Invalidate(tombstone 3.B)",
            "pA -> op: Invalidated(age 1)",
            "op -> a0: SetAges([1, 1, 0, 0])",
            "a0 -> op: AgesSet",
            "op -> a1: SetAges([1, 1, 0, 0])",
            "a1 -> op: AgesSet",
            "op -> a2: SetAges([1, 1, 0, 0])",
            "a2 -> op: AgesSet",
            "op -> a0: Remove(tombstone 3.B)",
            "pA -> a0: Accept(3.A, ∅)",
            "a0 -> pA: Accepted(3.A)",
        ],
    );
}

#[test]
fn gc_without_fast_forward_is_found() {
    // A's counter stays at 1, so its write after the removal is at 2.A, below the tombstone 2.B
    // that a0 still holds: a read through a0 would prefer the tombstone and lose the update.
    assert_bug(
        CasBug::GcWithoutFastForward,
        "acknowledged states form a chain",
        &[
            "pA -> a0: Prepare(1.A)",
            "a0 -> pA: Promise(1.A, none)",
            "pA -> a1: Prepare(1.A)",
            "a1 -> pA: Promise(1.A, none)",
            "pA -> a0: Accept(1.A, ∅)",
            "a0 -> pA: Accepted(1.A)",
            "pA -> a1: Accept(1.A, ∅)",
            "a1 -> pA: Accepted(1.A)",
            "pA -> op: ScheduleGc(1.A)",
            "op -> a0: Prepare(2.B)",
            "a0 -> op: Promise(2.B, 1.A=∅)",
            "op -> a1: Prepare(2.B)",
            "a1 -> op: Promise(2.B, 1.A=∅)",
            "op -> a0: Accept(2.B, ∅)",
            "a0 -> op: Accepted(2.B)",
            "op -> a1: Accept(2.B, ∅)",
            "a1 -> op: Accepted(2.B)",
            "op -> a2: Prepare(2.B)",
            "op -> a2: Accept(2.B, ∅)",
            "a2 -> op: Accepted(2.B)",
            "op -> pA: Invalidate(tombstone 2.B)",
            "pA -> op: Invalidated(age 1)",
            "op -> a0: SetAges([1, 1, 0, 0])",
            "a0 -> op: AgesSet",
            "op -> a1: SetAges([1, 1, 0, 0])",
            "a1 -> op: AgesSet",
            "op -> a2: SetAges([1, 1, 0, 0])",
            "a2 -> op: AgesSet",
            "op -> a1: Remove(tombstone 2.B)",
            "op -> a2: Remove(tombstone 2.B)",
            "pA submits its next change",
            "pA -> a1: Prepare(2.A age 1)",
            "a1 -> pA: Promise(2.A, none)",
            "pA -> a2: Prepare(2.A age 1)",
            "a2 -> pA: Promise(2.A, none)",
            "pA -> a1: Accept(2.A, v0:2 age 1)",
            "a1 -> pA: Accepted(2.A)",
            "pA -> a2: Accept(2.A, v0:2 age 1)",
            "a2 -> pA: Accepted(2.A)",
        ],
    );
}

#[test]
fn pick_lowest_ballot_is_found() {
    // B builds on a2's nothing rather than a1's acknowledged v0:1.
    assert_bug(
        CasBug::PickLowestBallot,
        "acknowledged states form a chain",
        &[
            "pA -> a0: Prepare(1.A)",
            "a0 -> pA: Promise(1.A, none)",
            "pA -> a1: Prepare(1.A)",
            "a1 -> pA: Promise(1.A, none)",
            "pA -> a0: Accept(1.A, v0:1)",
            "a0 -> pA: Accepted(1.A)",
            "pA -> a1: Accept(1.A, v0:1)",
            "a1 -> pA: Accepted(1.A)",
            "pB -> a1: Prepare(1.B)",
            "a1 -> pB: Promise(1.B, 1.A=v0:1)",
            "pB -> a2: Prepare(1.B)",
            "a2 -> pB: Promise(1.B, none)",
            "pB -> a1: Accept(1.B, ∅)",
            "a1 -> pB: Accepted(1.B)",
            "pB -> a2: Accept(1.B, ∅)",
            "a2 -> pB: Accepted(1.B)",
        ],
    );
}

#[test]
fn accept_lower_ballot_is_found() {
    // a2 promised 1.B yet accepts 1.A: both are acknowledged, on different branches.
    assert_bug(
        CasBug::AcceptLowerBallot,
        "acknowledged states form a chain",
        &[
            "pA -> a0: Prepare(1.A)",
            "a0 -> pA: Promise(1.A, none)",
            "pA -> a1: Prepare(1.A)",
            "a1 -> pA: Promise(1.A, none)",
            "pA -> a0: Accept(1.A, v0:1)",
            "a0 -> pA: Accepted(1.A)",
            "pB -> a1: Prepare(1.B)",
            "a1 -> pB: Promise(1.B, none)",
            "pB -> a2: Prepare(1.B)",
            "a2 -> pB: Promise(1.B, none)",
            "pB -> a1: Accept(1.B, ∅)",
            "a1 -> pB: Accepted(1.B)",
            "pB -> a2: Accept(1.B, ∅)",
            "pA -> a2: Accept(1.A, v0:1)",
            "a2 -> pA: Accepted(1.A)",
            "a2 -> pB: Accepted(1.B)",
        ],
    );
}
