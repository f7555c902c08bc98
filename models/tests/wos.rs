//! The WOS model: pinned state counts, every bug found with a pinned counterexample.
//!
//! As for the WOR, the counts pin the model: any change to the protocol, the network or the
//! history shows up here. Counterexamples are the first violating state in breadth-first
//! order, as `worm check wos` reports them (`worm_refinement::shortest_violation`, bounded by
//! the violation stateright's checker found), which is deterministic and what TLC finds.

mod common;

use common::{shortest, violation};
use stateright::{Checker, Expectation, HasDiscoveries, Model};
use worm_models::network::NetworkKind;
use worm_models::wos::model::{representative, WosCheck};
use worm_models::wos::{WosBug, WosConfig};

fn bfs<M: Model + Send + Sync + 'static>(model: M) -> impl Checker<M>
where
    M::State: Clone + std::fmt::Debug + std::hash::Hash + PartialEq + Send + Sync + 'static,
    M::Action: Clone + std::fmt::Debug + PartialEq + Send + Sync + 'static,
{
    model
        .checker()
        .finish_when(HasDiscoveries::AnyFailures)
        .spawn_bfs()
        .join()
}

fn check(cfg: WosConfig) -> impl Checker<WosCheck> {
    bfs(cfg.into_model())
}

/// Every `sometimes` property has an example.
fn all_reached(checker: &impl Checker<WosCheck>) {
    for p in checker.model().properties() {
        if p.expectation == Expectation::Sometimes {
            assert!(
                checker.discovery(p.name).is_some(),
                "{} not reached",
                p.name
            );
        }
    }
}

#[test]
fn default_configuration_is_safe_with_pinned_counts() {
    // Two writers race to allocate one segment of two data WORs on two acceptors; the winner
    // batch-writes and trims, the loser writes data WOR 0; a subscriber is notified.
    let checker = check(WosConfig::default());
    assert_eq!(violation(&checker), None);
    all_reached(&checker);
    assert_eq!(checker.unique_state_count(), 30_413);
    assert_eq!(checker.max_depth(), 49);
}

#[test]
fn notifying_every_wor_of_a_segment() {
    // The metadata WOR (the alloc race) is notified too: seven times the states of the same
    // configuration with data WORs only, and a notification before a quorum still caught.
    let cfg = WosConfig {
        segment_size: 1,
        trim: false,
        notify_all: true,
        ..WosConfig::default()
    };
    let checker = check(cfg.clone());
    assert_eq!(violation(&checker), None);
    assert_eq!(checker.unique_state_count(), 29_312);
    let data_only = check(WosConfig {
        notify_all: false,
        ..cfg.clone()
    });
    assert_eq!(data_only.unique_state_count(), 4_050);
    let buggy = check(WosConfig {
        bug: Some(WosBug::NotifyBeforeChosen),
        ..cfg
    });
    let (property, _) = violation(&buggy).expect("notify-before-chosen found");
    assert_eq!(property, "notifications are final");
}

#[test]
fn two_partitions_are_safe_with_pinned_counts() {
    // Segment 0 on partition 0, segment 1 on partition 1, a writer each.
    let checker = check(WosConfig {
        partitions: 2,
        segments: 2,
        ..WosConfig::default()
    });
    assert_eq!(violation(&checker), None);
    all_reached(&checker);
    assert_eq!(checker.unique_state_count(), 21_025);
}

#[test]
fn a_reader_beside_notifications_and_a_trim() {
    let checker = check(WosConfig {
        clients: 1,
        readers: 1,
        ..WosConfig::default()
    });
    assert_eq!(violation(&checker), None);
    all_reached(&checker);
    assert_eq!(checker.unique_state_count(), 16_146);
}

#[test]
fn a_trimmer_racing_a_writer_and_a_reader() {
    let checker = check(WosConfig {
        clients: 1,
        readers: 1,
        trimmers: 1,
        segment_size: 1,
        trim: false,
        subscriber: false,
        ..WosConfig::default()
    });
    assert_eq!(violation(&checker), None);
    assert_eq!(checker.unique_state_count(), 38_576);
}

#[test]
fn retried_captures_are_safe() {
    let checker = check(WosConfig {
        captures: 2,
        trim: false,
        subscriber: false,
        ..WosConfig::default()
    });
    assert_eq!(violation(&checker), None);
    assert_eq!(checker.unique_state_count(), 9_817);
}

#[test]
fn three_acceptors_per_partition() {
    // A third acceptor lags behind the quorum; its late requests land at any time, before or
    // after the trim's tombstone.
    let checker = check(WosConfig {
        acceptors: 3,
        clients: 1,
        segment_size: 1,
        subscriber: false,
        ..WosConfig::default()
    });
    assert_eq!(violation(&checker), None);
    assert_eq!(checker.unique_state_count(), 38_835);
}

#[test]
fn a_crash_on_every_network() {
    for (network, count) in [
        (NetworkKind::Ordered, 948),
        (NetworkKind::Unordered, 3_396),
        (NetworkKind::Duplicating, 2_244),
    ] {
        let checker = check(WosConfig {
            acceptors: 3,
            clients: 1,
            segment_size: 1,
            trim: false,
            subscriber: false,
            crashes: 1,
            network,
            ..WosConfig::default()
        });
        assert_eq!(violation(&checker), None, "{network}");
        assert_eq!(checker.unique_state_count(), count, "{network}");
    }
}

#[test]
fn tombstones_survive_a_crash() {
    let checker = check(WosConfig {
        acceptors: 3,
        clients: 1,
        segment_size: 1,
        subscriber: false,
        crashes: 1,
        network: NetworkKind::Ordered,
        ..WosConfig::default()
    });
    assert_eq!(violation(&checker), None);
    assert_eq!(checker.unique_state_count(), 2_664);
}

#[test]
fn lossy_network_is_safe() {
    let checker = check(WosConfig {
        clients: 1,
        readers: 1,
        segment_size: 1,
        trim: false,
        lossy: true,
        network: NetworkKind::Ordered,
        ..WosConfig::default()
    });
    assert_eq!(violation(&checker), None);
    assert_eq!(checker.unique_state_count(), 19_283);
}

#[test]
fn symmetry_reduces_within_partitions() {
    for (cfg, count) in [
        (WosConfig::default(), 18_678),
        (
            WosConfig {
                acceptors: 3,
                clients: 1,
                segment_size: 1,
                subscriber: false,
                ..WosConfig::default()
            },
            7_355,
        ),
    ] {
        let checker = cfg
            .into_model()
            .checker()
            .symmetry_fn(representative)
            .spawn_dfs()
            .join();
        assert_eq!(violation(&checker), None);
        assert_eq!(checker.unique_state_count(), count);
    }
}

fn assert_bug(bug: WosBug, property: &str, steps: &[&str]) {
    let checker = check(bug.config());
    let (found, path) = shortest(&checker).unwrap_or_else(|| panic!("{bug} not found"));
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    assert_eq!((found, path), (property, steps.to_vec()), "{bug}");
}

/// The first metadata-WOR capture and write of client A on partition 0's two acceptors.
const A_ALLOCATES: [&str; 8] = [
    "cA -> a0: s0.meta Prepare(1.A)",
    "a0 -> cA: s0.meta Promise(1.A, None)",
    "cA -> a1: s0.meta Prepare(1.A)",
    "a1 -> cA: s0.meta Promise(1.A, None)",
    "cA -> a0: s0.meta Accept(1.A, 'A')",
    "a0 -> cA: s0.meta Accepted(1.A)",
    "cA -> a1: s0.meta Accept(1.A, 'A')",
    "a1 -> cA: s0.meta Accepted(1.A)",
];

#[test]
fn alloc_without_capture_is_found() {
    // A writes the metadata WOR with a ballot nobody promised: as the write lands on a
    // majority, the WOR is captured and written in one step, which the spec cannot take.
    assert_bug(
        WosBug::AllocWithoutCapture,
        "refines the WOS spec",
        &[
            "cA -> a0: s0.meta Accept(1.A, 'A')",
            "cA -> a1: s0.meta Accept(1.A, 'A')",
        ],
    );
}

#[test]
fn alloc_without_capture_lets_two_allocators_win() {
    // The consequence, on the protocol alone: B's uncaptured write overwrites A's, and both
    // are told they allocated the segment.
    let checker = bfs(WosBug::AllocWithoutCapture.config().into_model().low);
    assert!(checker.discovery("one allocator per segment").is_some());
    let (_, steps) = violation(&checker).expect("found");
    assert_eq!(steps.len(), 16);
}

#[test]
fn write_after_trim_is_found() {
    // The trim WOR is written on a0 and a1; a0 then drops the segment without a tombstone,
    // and its promise with it: the abstract trim WOR loses its capture although the segment
    // is not trimmed (no tombstone anywhere), so its WORs would take writes again.
    assert_bug(
        WosBug::WriteAfterTrim,
        "refines the WOS spec",
        &[
            "cA -> a0: s0.trim Prepare(1.A)",
            "a0 -> cA: s0.trim Promise(1.A, None)",
            "cA -> a1: s0.trim Prepare(1.A)",
            "a1 -> cA: s0.trim Promise(1.A, None)",
            "cA -> a0: s0.trim Accept(1.A, 'A')",
            "a0 -> cA: s0.trim Accepted(1.A)",
            "cA -> a1: s0.trim Accept(1.A, 'A')",
            "a1 -> cA: s0.trim Accepted(1.A)",
            "cA -> a0: Trim(s0)",
        ],
    );
}

#[test]
fn batch_write_stale_capture_is_found() {
    // B, who lost the alloc, captures data WOR 0 on a1 first; A's batch capture is nacked
    // there for d0 only. A captures d0 again with 2.A and batch-writes d0 at 2.A with d1 at
    // the stale 1.A.
    let steps: Vec<&str> = A_ALLOCATES
        .iter()
        .copied()
        .chain([
            "cA -> a0: s0.d0 Prepare(1.A) + s0.d1 Prepare(1.A)",
            "a0 -> cA: s0.d0 Promise(1.A, None) + s0.d1 Promise(1.A, None)",
            "cB -> a0: s0.meta Prepare(1.B)",
            "a0 -> cB: s0.meta Promise(1.B, Some((1.A, 'A')))",
            "cB -> a1: s0.meta Prepare(1.B)",
            "a1 -> cB: s0.meta Promise(1.B, Some((1.A, 'A')))",
            "cB -> a0: s0.meta Accept(1.B, 'A')",
            "a0 -> cB: s0.meta Accepted(1.B)",
            "cB -> a1: s0.meta Accept(1.B, 'A')",
            "a1 -> cB: s0.meta Accepted(1.B)",
            "cB -> a1: s0.d0 Prepare(1.B)",
            "cA -> a1: s0.d0 Prepare(1.A) + s0.d1 Prepare(1.A)",
            "a1 -> cA: s0.d0 Nack(1.A, 1.B) + s0.d1 Promise(1.A, None)",
            "cA -> a0: s0.d0 Prepare(2.A)",
            "a0 -> cA: s0.d0 Promise(2.A, None)",
            "cA -> a1: s0.d0 Prepare(2.A)",
            "a1 -> cA: s0.d0 Promise(2.A, None)",
        ])
        .collect();
    assert_bug(
        WosBug::BatchWriteStaleCapture,
        "batch writes use one capture id",
        &steps,
    );
}

#[test]
fn notify_before_chosen_is_found() {
    // The subscriber hears of A's batch write from a0 alone and notifies a value that is not
    // chosen yet.
    let steps: Vec<&str> = A_ALLOCATES
        .iter()
        .copied()
        .chain([
            "cA -> a0: s0.d0 Prepare(1.A) + s0.d1 Prepare(1.A)",
            "a0 -> cA: s0.d0 Promise(1.A, None) + s0.d1 Promise(1.A, None)",
            "cA -> a1: s0.d0 Prepare(1.A) + s0.d1 Prepare(1.A)",
            "a1 -> cA: s0.d0 Promise(1.A, None) + s0.d1 Promise(1.A, None)",
            "cA -> a0: s0.d0 Accept(1.A, 'A') + s0.d1 Accept(1.A, 'A')",
            "a0 -> sub: Learn(s0.d0 1.A 'A', s0.d1 1.A 'A')",
        ])
        .collect();
    assert_bug(
        WosBug::NotifyBeforeChosen,
        "notifications are final",
        &steps,
    );
}

/// TLC's counterexample for `wrong-partition` (tla/Wos/wrong-partition.cfg): A's alloc lands on
/// partition 0, then B's on partition 1, each choosing its own letter for `s0.meta`.
const TWO_PARTITIONS_ALLOCATE: [&str; 12] = [
    "cA -> a0.0: s0.meta Prepare(1.A)",
    "a0.0 -> cA: s0.meta Promise(1.A, None)",
    "cA -> a0.1: s0.meta Prepare(1.A)",
    "a0.1 -> cA: s0.meta Promise(1.A, None)",
    "cA -> a0.0: s0.meta Accept(1.A, 'A')",
    "cA -> a0.1: s0.meta Accept(1.A, 'A')",
    "cB -> a1.0: s0.meta Prepare(1.B)",
    "a1.0 -> cB: s0.meta Promise(1.B, None)",
    "cB -> a1.1: s0.meta Prepare(1.B)",
    "a1.1 -> cB: s0.meta Promise(1.B, None)",
    "cB -> a1.0: s0.meta Accept(1.B, 'B')",
    "cB -> a1.1: s0.meta Accept(1.B, 'B')",
];

#[test]
fn wrong_partition_is_found() {
    // B sends segment 0 to partition 1: as partition 1 accepts B's letter for the metadata
    // WOR that partition 0 chose A for, the WOR has two values, which no spec step gives it
    // (12 steps, as TLC finds it; "agreement", when both clients are told, takes 16).
    assert_bug(
        WosBug::WrongPartition,
        "refines the WOS spec",
        &TWO_PARTITIONS_ALLOCATE,
    );
}

#[test]
fn a_second_value_chosen_on_another_partition_is_no_spec_step() {
    // The abstraction on TLC's path: each step refines until partition 1 chooses B for
    // s0.meta, which partition 0 chose A for; the abstract value then changes from A to B,
    // which no step of the WOS spec does (TLA+'s mapping sees the set {A, B}).
    let m = WosBug::WrongPartition.config().into_model();
    let mut s = m.init_states().remove(0).low;
    for (i, step) in TWO_PARTITIONS_ALLOCATE.iter().enumerate() {
        let mut actions = Vec::new();
        m.low.actions(&s, &mut actions);
        let action = actions
            .into_iter()
            .find(|a| m.format_action(a) == *step)
            .unwrap_or_else(|| panic!("{step} enabled"));
        let next = m.low.next_state(&s, action).expect("a step");
        let last = i + 1 == TWO_PARTITIONS_ALLOCATE.len();
        assert_eq!(m.is_refining_step(&s, &next), !last, "{step}");
        if last {
            let (before, after) = (m.abstract_state(&s), m.abstract_state(&next));
            assert_eq!(
                (before.wors[0].value, after.wors[0].value),
                (Some('A'), Some('B'))
            );
            assert_eq!(m.high_step(&before, &after), None);
        }
        s = next;
    }
}
