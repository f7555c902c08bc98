//! The WOR mirror (the protocol without history, as `tla/Wor.tla` describes it).

use stateright::{Checker, HasDiscoveries, Model};
use worm_models::wor::WorConfig;

#[test]
fn default_mirror_count() {
    let checker = WorConfig::default()
        .into_mirror()
        .checker()
        .finish_when(HasDiscoveries::AnyFailures)
        .spawn_bfs()
        .join();
    checker.assert_no_discovery("agreement");
    assert_eq!(checker.unique_state_count(), 0);
}
