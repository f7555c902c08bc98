//! The WOS mirror: the protocol without history, the state machine `tla/WosMirror.tla` sees
//! in `tla/Wos.tla`. Its counts are pinned here (and cross-checked against TLC in
//! `tests/tlc_wos.rs`).

mod common;

use common::bfs;
use stateright::Checker;
use worm_models::network::NetworkKind;
use worm_models::wos::WosConfig;

#[test]
fn the_default_configuration_without_history_has_fewer_states() {
    let checker = bfs(WosConfig::default().into_mirror());
    checker.assert_no_discovery("accepted at or below the promise");
    // 38,589 with the history (tests/wos.rs); the same depth.
    assert_eq!(checker.unique_state_count(), 26_992);
    assert_eq!(checker.max_depth(), 49);
}

#[test]
fn one_crash_on_every_network_as_with_the_history() {
    // Without readers the history splits no protocol state: the counts of tests/wos.rs.
    for (network, count) in [
        (NetworkKind::Ordered, 948),
        (NetworkKind::Unordered, 3_396),
        (NetworkKind::Duplicating, 2_244),
    ] {
        let checker = bfs(WosConfig {
            acceptors: 3,
            clients: 1,
            segment_size: 1,
            trim: false,
            subscriber: false,
            crashes: 1,
            network,
            ..WosConfig::default()
        }
        .into_mirror());
        checker.assert_no_discovery("accepted at or below the promise");
        assert_eq!(checker.unique_state_count(), count, "{network}");
    }
}

#[test]
fn a_lossy_network_with_a_reader() {
    // 19,283 with the history (tests/wos.rs): the reader's history splits states.
    let checker = bfs(WosConfig {
        clients: 1,
        readers: 1,
        segment_size: 1,
        trim: false,
        lossy: true,
        network: NetworkKind::Ordered,
        ..WosConfig::default()
    }
    .into_mirror());
    checker.assert_no_discovery("accepted at or below the promise");
    assert_eq!(checker.unique_state_count(), 17_203);
    assert_eq!(checker.max_depth(), 33);
}
