//! The WOR protocol alone, without history: the state machine that the TLA+ spec
//! `tla/Wor.tla` describes, step for step, so that TLC's distinct-state count can be checked
//! against stateright's unique-state count.
//!
//! [`WorModel`] keeps an auxiliary history on top of the protocol (the linearizability
//! monitor, the ghost votes, the values returned and the read floors), which tells apart
//! protocol states reached by different pasts. The mirror runs the same actors on the same
//! [`crate::system::ActorSystem`], with the same dead-message removal, and no history at all:
//! its state is acceptors (promise, accepted), what each saved, which are down, clients (round,
//! attempts left, phase, results) and the messages in flight, exactly the variables of
//! `Wor.tla`. Its properties are those a protocol state can tell by itself: *agreement*, no
//! two clients learned different values, and *learned values are held*: a value a client
//! learned is held by a majority of acceptors (it was chosen at some ballot, so each acceptor
//! of that majority accepted it there and, by the highest-accepted-value rule, at every later
//! ballot it accepted).
//!
//! How the two representations correspond, where they differ in form:
//! - an acceptor's `Storage` is `None` until its first save; `Wor.tla` starts `disk` at the
//!   initial acceptor state. Every save holds a ballot above zero, so `Some(initial state)`
//!   never occurs and the two are in one-to-one correspondence;
//! - a client's [`super::Results`] (two slots filled in order) is a sequence of length 0..2;
//! - a ballot `(round, client)` is the integer `round * clients + client`, values are client
//!   indices, `None` is `-1` (or ballot 0);
//! - the network is the same canonical form per kind: per-channel sequences, a multiset, a set.

use super::model::WorModel;
use super::spec::WorRet;
use super::{WorActor, WorConfig, WorState};
use crate::system::StateOf;
use stateright::{Model, Property};

/// A state of the mirror: the protocol state, no history.
pub type MirrorState = StateOf<WorActor, ()>;

/// The WOR protocol without history (see the module comment).
pub struct WorMirror {
    model: WorModel,
}

impl WorConfig {
    /// The protocol alone, as `tla/Wor.tla` describes it.
    pub fn into_mirror(self) -> WorMirror {
        // The spec's domain serves only the history, which the mirror does not keep.
        WorMirror {
            model: WorModel::new(self, Default::default()),
        }
    }
}

/// The values clients have learned: from a write, or a read that found one.
pub fn learned(s: &MirrorState) -> impl Iterator<Item = super::Value> + '_ {
    s.actors()
        .iter()
        .flat_map(|a| match a {
            WorState::Client(c) => Some(c.results.iter().filter_map(|r| match r {
                WorRet::Written(v) | WorRet::ReadValue(Some(v)) => Some(v),
                _ => None,
            })),
            WorState::Acceptor(_) => None,
        })
        .flatten()
}

impl WorMirror {
    /// What the `Hash` of the state after `action` writes, without building that state (see
    /// [`crate::system::ActorSystem::next_digest`]): the successor's messages to and from the
    /// actor that stepped are collected when dead, as [`Model::next_state`] collects them.
    pub fn next_digest(
        &self,
        last: &MirrorState,
        action: &super::model::WorAction,
    ) -> Option<Option<u64>> {
        self.model
            .system
            .next_digest(last, action.clone(), |states, e| {
                !self.model.live(states, e)
            })
    }
}

impl Model for WorMirror {
    type State = MirrorState;
    type Action = super::model::WorAction;

    fn init_states(&self) -> Vec<MirrorState> {
        let mut s = self.model.system.init_state(());
        self.model.collect_dead_messages(&mut s, None);
        vec![s]
    }

    fn actions(&self, state: &MirrorState, actions: &mut Vec<Self::Action>) {
        self.model.system.actions(state, actions);
    }

    fn next_state(&self, last: &MirrorState, action: Self::Action) -> Option<MirrorState> {
        let stepped = WorModel::stepped(&action);
        let mut next = self.model.system.next_state(last, action)?;
        if stepped.is_some() {
            self.model.collect_dead_messages(&mut next, stepped);
        }
        Some(next)
    }

    fn format_action(&self, action: &Self::Action) -> String {
        self.model.format_action(action)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("agreement", |_, s: &MirrorState| {
                let mut values = learned(s);
                let first = values.next();
                values.all(|v| Some(v) == first)
            }),
            Property::always(
                "learned values are held",
                |m: &WorMirror, s: &MirrorState| {
                    let acceptors = &s.actors()[..m.model.cfg.acceptors];
                    learned(s).all(|v| {
                        let holders = acceptors.iter().filter(|a| {
                        matches!(a, WorState::Acceptor(a) if a.accepted.is_some_and(|p| p.1 == v))
                    });
                        holders.count() >= m.model.cfg.majority()
                    })
                },
            ),
            Property::sometimes("value learned", |_, s: &MirrorState| {
                learned(s).next().is_some()
            }),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::NetworkKind;
    use crate::wor::WorBug;
    use std::collections::{HashSet, VecDeque};
    use std::hash::{Hash, Hasher};

    /// Records what a `Hash` writes, which must be `write_u64` only.
    #[derive(Default)]
    struct Writes(Vec<u64>);

    impl Hasher for Writes {
        fn finish(&self) -> u64 {
            0
        }
        fn write(&mut self, _: &[u8]) {
            panic!("a mirror state hashes as u64 words only");
        }
        fn write_u64(&mut self, n: u64) {
            self.0.push(n);
        }
    }

    /// On the first `limit` states of a breadth-first search: the digests kept up to date
    /// equal those computed afresh, and for every action, the predicted digest is what the
    /// successor's `Hash` writes (or there is no successor). Returns how many states it saw.
    fn predictions_hold(cfg: WorConfig, limit: usize) -> usize {
        let mirror = cfg.into_mirror();
        let mut seen = HashSet::new();
        let mut queue: VecDeque<_> = mirror.init_states().into();
        let mut actions = Vec::new();
        while let Some(s) = queue.pop_front() {
            if seen.len() == limit || !seen.insert(s.clone()) {
                continue;
            }
            assert!(s.digests_are_fresh(), "{s:?}");
            mirror.actions(&s, &mut actions);
            for a in actions.drain(..) {
                let predicted = mirror.next_digest(&s, &a);
                let next = mirror.next_state(&s, a.clone());
                let written = next.as_ref().map(|n| {
                    let mut w = Writes::default();
                    n.hash(&mut w);
                    w.0
                });
                assert_eq!(
                    predicted
                        .expect("known on unordered networks")
                        .map(|d| vec![d]),
                    written,
                    "{a:?} from {s:?}"
                );
                queue.extend(next);
            }
        }
        seen.len()
    }

    #[test]
    fn predicted_digests_are_those_of_the_successors() {
        let cfg = |network, lossy, crashes, readers, bug| WorConfig {
            network,
            lossy,
            crashes,
            readers,
            bug,
            ..WorConfig::default()
        };
        let unordered = NetworkKind::Unordered;
        let mut configs = vec![
            cfg(unordered, false, 1, 1, None),
            cfg(unordered, true, 1, 0, None),
            cfg(NetworkKind::Duplicating, false, 1, 1, None),
            cfg(NetworkKind::Duplicating, true, 0, 0, None),
        ];
        configs.extend(WorBug::ALL.map(|bug| cfg(unordered, false, 1, 1, Some(bug))));
        for c in configs {
            assert_eq!(predictions_hold(c.clone(), 20_000), 20_000, "{c:?}");
        }
    }

    #[test]
    fn on_the_ordered_network_digests_are_fresh_and_none_is_predicted() {
        let mirror = WorConfig {
            network: NetworkKind::Ordered,
            crashes: 1,
            ..WorConfig::default()
        }
        .into_mirror();
        let s = mirror.init_states().remove(0);
        let mut actions = Vec::new();
        mirror.actions(&s, &mut actions);
        let a = actions[0].clone();
        assert_eq!(mirror.next_digest(&s, &a), None);
        assert!(mirror.next_state(&s, a).unwrap().digests_are_fresh());
    }
}
