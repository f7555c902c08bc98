//! The WOR mirror: the protocol without history, the state machine `tla/Wor.tla` describes.
//! Its counts are pinned here (and cross-checked against TLC in `tests/tlc.rs`).

use stateright::{Checker, HasDiscoveries, Model};
use worm_models::network::NetworkKind;
use worm_models::wor::mirror::WorMirror;
use worm_models::wor::{WorBug, WorConfig};

fn bfs(cfg: WorConfig) -> impl Checker<WorMirror> {
    cfg.into_mirror()
        .checker()
        .finish_when(HasDiscoveries::AnyFailures)
        .spawn_bfs()
        .join()
}

#[test]
fn the_default_configuration_without_history_has_fewer_states() {
    let checker = bfs(WorConfig::default());
    checker.assert_no_discovery("agreement");
    checker.assert_no_discovery("learned values are held");
    assert!(checker.discovery("value learned").is_some());
    // 61,233 with the history (tests/wor.rs).
    assert_eq!(checker.unique_state_count(), 47_898);
    assert_eq!(checker.max_depth(), 20);
}

#[test]
fn one_crash_on_every_network() {
    for (network, count) in [
        (NetworkKind::Ordered, 65_440),
        (NetworkKind::Unordered, 191_592),
        (NetworkKind::Duplicating, 74_804),
    ] {
        let checker = bfs(WorConfig {
            crashes: 1,
            network,
            ..WorConfig::default()
        });
        checker.assert_no_discovery("agreement");
        checker.assert_no_discovery("learned values are held");
        assert_eq!(checker.unique_state_count(), count, "{network}");
    }
}

/// Each bug breaks a property a protocol state can tell by itself, also with two acceptors
/// (the configurations of `tla/Wor/<bug>.cfg`).
#[test]
fn every_bug_breaks_a_state_property() {
    for bug in WorBug::ALL {
        for acceptors in [2, 3] {
            let checker = bfs(WorConfig {
                acceptors,
                ..bug.config()
            });
            let found = ["agreement", "learned values are held"]
                .iter()
                .any(|p| checker.discovery(p).is_some());
            assert!(found, "{bug} with {acceptors} acceptors");
        }
    }
}
