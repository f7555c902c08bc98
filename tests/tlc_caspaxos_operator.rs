//! TLC on the CASPaxos operator (membership change, proposers added and removed, the GC of
//! deleted keys), cross-checked against stateright through
//! `worm tlc SPEC --config NAME --cross-check`.
//!
//! - `CASPaxos.tla` describes the operator state for state like the stateright model without
//!   history (`CasConfig::into_mirror`): on each operator configuration TLC's distinct states
//!   and depth equal stateright's unique states and depth. The membership bugs violate the
//!   mirror's property (`AckedKept`) on both sides; the GC bugs do not (a value revived or
//!   lost around a delete is a state the changes can make), and there the counts agree too.
//! - `CASPaxosChain.tla` (ghost chain and lineages, refining `CASRegister.tla`) gives the full
//!   model's verdicts: it passes the correct operator configurations and finds each of the
//!   four operator bugs on its own configuration, `CasBug::config()` (with 1 acceptor for
//!   the GC bugs): the membership bugs by the refinement, the GC bugs by `AckedChain`, where
//!   the stateright model reports "acknowledged states form a chain".
//!
//! The configurations here are a few seconds of TLC each; the larger ones are listed in
//! `tests/tlc.rs`'s `LARGE`.

mod common;

use common::tlc::{assert_both_violate, assert_mirrored, cross_check};

#[test]
fn operator_counts_equal_the_stateright_mirror() {
    // 1 acceptor expanded to 2 (configure, identity, configure), one client init=1,read.
    assert_mirrored("caspaxos", "expand", 767, 25);
    // 1 acceptor, init=1,del,read, the GC collects the key (ordered network).
    assert_mirrored("caspaxos", "gc", 179, 26);
}

#[test]
fn membership_bugs_violate_acked_kept_for_both() {
    // 1 acceptor expanded twice without the identity change: init=1 is on acceptor 0 alone,
    // the read's prepare quorum of the two new acceptors misses it, and the read writes the
    // empty state back above it.
    assert_both_violate("caspaxos", "expand-without-identity", "AckedKept", 16);
}

#[test]
fn the_chain_passes_the_gc_and_finds_each_operator_bug() {
    let r = cross_check("caspaxos-chain", "gc");
    assert!(r["tlc"]["violation"].is_null(), "{r}");
    assert!(r["stateright"]["violation"].is_null(), "{r}");
    // With the ghosts, more states than the protocol's 179.
    assert_eq!(r["tlc"]["distinct_states"], 183);
    assert_both_violate(
        "caspaxos-chain",
        "expand-without-identity",
        "RefinesCASRegister",
        19,
    );
    // The GC bugs keep every state one the changes can make, but not the lineages.
    assert_both_violate("caspaxos-chain", "gc-without-age-check", "AckedChain", 25);
    assert_both_violate(
        "caspaxos-chain",
        "gc-without-fast-forward",
        "AckedChain",
        20,
    );
}
