//! The WOS protocol alone, without history: the state machine that `tla/Wos.tla` describes
//! once its history is set aside (`tla/WosMirror.tla`, a `VIEW` of the protocol variables), so
//! that TLC's distinct-state count can be checked against stateright's unique-state count (as
//! `wor/mirror.rs` and `caspaxos/mirror.rs` do for the WOR and CASPaxos).
//!
//! [`WosModel`](super::model::WosModel) keeps a history on top of the protocol (per address the
//! WOR model's linearizability monitor, ghost votes and read floors; the alloc winners, trims,
//! notifications), which tells apart protocol states reached by different pasts. The mirror
//! runs the same actors on the same stateright actor system, with the same dead-message
//! removal, and history `()`; the events that clients and the subscriber leave for the history
//! are dropped after each step, as the model moves them into its history. Its state is the
//! acceptors' WORs and tombstones, what they saved, which are down, the clients' operations,
//! the subscriber's counts, and the messages in flight.
//!
//! Its property is one that a protocol state tells by itself: an acceptor never holds a
//! proposal above its promise.

use super::model::{collect_dead_messages, system, WosAction, WosConfig};
use super::{WosActor, WosState};
use stateright::actor::{ActorModel, ActorModelAction, ActorModelState};
use stateright::{Model, Property};
use std::sync::Arc;

/// A state of the mirror: the protocol state, no history.
pub type WosMirrorState = ActorModelState<WosActor, ()>;

/// The WOS protocol without history (see the module comment).
pub struct WosMirror {
    cfg: WosConfig,
    actors: ActorModel<WosActor, WosConfig, ()>,
}

impl WosConfig {
    /// The protocol alone, as `tla/WosMirror.tla` sees `tla/Wos.tla`.
    pub fn into_mirror(self) -> WosMirror {
        let actors = system(&self, ());
        WosMirror { cfg: self, actors }
    }
}

/// Drops the events actor `index` left for the history.
fn drain(s: &mut WosMirrorState, index: usize) {
    let drained = match &*s.actor_states[index] {
        WosState::Client(c) if !c.events.is_empty() => {
            let mut c = c.clone();
            c.events.clear();
            WosState::Client(c)
        }
        WosState::Subscriber(sub) if !sub.events.is_empty() => {
            let mut sub = sub.clone();
            sub.events.clear();
            WosState::Subscriber(sub)
        }
        _ => return,
    };
    s.actor_states[index] = Arc::new(drained);
}

impl Model for WosMirror {
    type State = WosMirrorState;
    type Action = WosAction;

    fn init_states(&self) -> Vec<WosMirrorState> {
        let mut states = self.actors.init_states();
        for s in &mut states {
            for index in 0..s.actor_states.len() {
                drain(s, index);
            }
            collect_dead_messages(&self.cfg, s);
        }
        states
    }

    fn actions(&self, state: &WosMirrorState, actions: &mut Vec<WosAction>) {
        self.actors.actions(state, actions);
        // As the model: only acceptors crash.
        let acceptors = self.cfg.layout().total_acceptors();
        actions
            .retain(|a| !matches!(a, ActorModelAction::Crash(id) if usize::from(*id) >= acceptors));
    }

    fn next_state(&self, last: &WosMirrorState, action: WosAction) -> Option<WosMirrorState> {
        let dst = match &action {
            ActorModelAction::Deliver { dst, .. } => Some(usize::from(*dst)),
            _ => None,
        };
        let mut next = self.actors.next_state(last, action)?;
        if let Some(index) = dst {
            drain(&mut next, index);
        }
        collect_dead_messages(&self.cfg, &mut next);
        Some(next)
    }

    fn format_action(&self, action: &WosAction) -> String {
        crate::network::format_action(action, |id| format!("{id:?}"))
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![Property::always(
            "accepted at or below the promise",
            |_, s: &WosMirrorState| {
                s.actor_states.iter().all(|a| match &**a {
                    WosState::Acceptor(a) => a
                        .wors
                        .iter()
                        .all(|w| w.accepted.is_none_or(|(b, _)| b <= w.promised)),
                    _ => true,
                })
            },
        )]
    }
}
