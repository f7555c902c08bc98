//! The CASPaxos mirror: the protocol without history, the state machine `tla/CASPaxos.tla`
//! describes. Its counts are pinned here (and cross-checked against TLC in `tests/tlc.rs`).

use stateright::{Checker, HasDiscoveries, Model};
use worm_models::caspaxos::mirror::CasMirror;
use worm_models::caspaxos::{CasBug, CasConfig};

const KEPT: &str = "acknowledged states are kept";

fn bfs(cfg: CasConfig) -> impl Checker<CasMirror> {
    cfg.into_mirror()
        .checker()
        .finish_when(HasDiscoveries::AnyFailures)
        .spawn_bfs()
        .join()
}

#[test]
fn the_default_configuration_is_the_wor_defaults_paxos() {
    let checker = bfs(CasConfig::default());
    checker.assert_no_discovery(KEPT);
    assert!(checker.discovery("a change acknowledged").is_some());
    // One change per proposer is single-shot Paxos between two proposers: exactly the WOR
    // mirror's default (models/tests/wor_mirror.rs).
    assert_eq!(checker.unique_state_count(), 47_898);
    assert_eq!(checker.max_depth(), 20);
}

/// The core bugs, and the membership bugs (the mirror runs the operator too), break the
/// state property. The GC bugs do not: a revived or lost value after a delete is a state
/// the changes can make (`del` then `init`), and only the history tells it apart.
#[test]
fn the_core_and_membership_bugs_break_the_state_property() {
    for bug in [
        CasBug::PickLowestBallot,
        CasBug::AcceptLowerBallot,
        CasBug::ExpandWithoutIdentity,
        CasBug::EvenExpandWithoutRescan,
    ] {
        let checker = bfs(bug.config());
        assert!(checker.discovery(KEPT).is_some(), "{bug}");
    }
    let checker = bfs(CasBug::GcWithoutFastForward.config());
    checker.assert_no_discovery(KEPT);
}
