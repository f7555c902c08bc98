//! The CASPaxos protocol alone, without history: the state machine that the TLA+ spec
//! `tla/CASPaxos.tla` describes, step for step, so that TLC's distinct-state count can be
//! checked against stateright's unique-state count (as `wor/mirror.rs` does for the WOR).
//!
//! [`CasModel`](super::model::CasModel) keeps a history on top of the protocol (the
//! linearizability monitors and the ghost ancestry record), which tells apart protocol states
//! reached by different pasts. The mirror runs the same actors on the same stateright actor
//! system, with the same dead-message removal, and history `()`: its state is the acceptors'
//! slots, the proposers' states, the timers, which acceptors are down, what each saved, and the
//! messages in flight.
//!
//! Its property is the paper's theorem as far as a protocol state can tell it, *acknowledged
//! states are kept*: a proposal accepted (or acknowledged) at a ballot above an acknowledged
//! one holds a state that the changes submitted on its key can produce from the acknowledged
//! state. (The chain proper relates lineages, a history; this is what is left of it in the
//! states.) A proposer remembers only its last outcome, so earlier acknowledgements drop out
//! of the check.

use super::model::{collect_dead_messages, system, CasAction, CasConfig};
use super::operator::Program;
use super::proposer::Outcome;
use super::spec::{Change, RegState};
use super::{CasActor, CasState, Proposal};
use stateright::actor::{ActorModel, ActorModelState};
use stateright::{Model, Property};

/// A proposal for a key.
type Keyed = (u8, Proposal);

/// A state of the mirror: the protocol state, no history.
pub type CasMirrorState = ActorModelState<CasActor, ()>;

/// The CASPaxos protocol without history (see the module comment).
pub struct CasMirror {
    cfg: CasConfig,
    actors: ActorModel<CasActor, CasConfig, ()>,
    program: Program,
}

impl CasConfig {
    /// The protocol alone, as `tla/CASPaxos.tla` describes it.
    pub fn into_mirror(self) -> CasMirror {
        let (actors, program) = system(&self, ());
        CasMirror {
            cfg: self,
            actors,
            program,
        }
    }
}

/// Can `changes`, applied in some order (each any number of times, at most `changes.len()`
/// in all), take `from` to `to`?
pub fn descends(changes: &[Change], from: RegState, to: RegState) -> bool {
    let mut reached = vec![from];
    for _ in 0..changes.len() {
        let next: Vec<RegState> = reached
            .iter()
            .flat_map(|&x| changes.iter().map(move |c| c.apply(x)))
            .filter(|x| !reached.contains(x))
            .collect();
        reached.extend(next);
    }
    reached.contains(&to)
}

impl CasMirror {
    /// The changes submitted on `key`.
    fn changes(&self, key: u8) -> Vec<Change> {
        let scripts = self.cfg.scripts.iter().flatten();
        scripts.filter(|(k, _)| *k == key).map(|c| c.1).collect()
    }

    /// Acknowledged proposals (the proposers' last outcomes) and accepted ones, by key.
    fn proposals(s: &CasMirrorState) -> (Vec<Keyed>, Vec<Keyed>) {
        let (mut acked, mut accepted) = (Vec::new(), Vec::new());
        for a in &s.actor_states {
            match &**a {
                CasState::Acceptor(a) => {
                    for (key, slot) in a.slots.iter().enumerate() {
                        accepted.extend(slot.accepted.map(|p| (key as u8, p)));
                    }
                }
                CasState::Proposer(p) | CasState::Operator(super::OperatorState { p, .. }) => {
                    if let Some(Outcome::Acked { key, ballot, state }) = p.last {
                        acked.push((key, (ballot, state)));
                    }
                }
            }
        }
        (acked, accepted)
    }
}

impl Model for CasMirror {
    type State = CasMirrorState;
    type Action = CasAction;

    fn init_states(&self) -> Vec<CasMirrorState> {
        let mut states = self.actors.init_states();
        for s in &mut states {
            collect_dead_messages(&self.cfg, &self.program, s);
        }
        states
    }

    fn actions(&self, state: &CasMirrorState, actions: &mut Vec<CasAction>) {
        self.actors.actions(state, actions);
        // As the model: only acceptors crash.
        let acceptors = self.cfg.acceptor_actors();
        actions.retain(|a| {
            !matches!(a, stateright::actor::ActorModelAction::Crash(id) if usize::from(*id) >= acceptors)
        });
    }

    fn next_state(&self, last: &CasMirrorState, action: CasAction) -> Option<CasMirrorState> {
        let mut next = self.actors.next_state(last, action)?;
        collect_dead_messages(&self.cfg, &self.program, &mut next);
        Some(next)
    }

    fn format_action(&self, action: &CasAction) -> String {
        crate::network::format_action(action, |id| format!("{id:?}"))
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always(
                "acknowledged states are kept",
                |m: &CasMirror, s: &CasMirrorState| {
                    let (acked, accepted) = Self::proposals(s);
                    acked.iter().all(|&(key, (ballot, state))| {
                        let changes = m.changes(key);
                        acked.iter().chain(&accepted).all(|&(k, (b, later))| {
                            k != key || b <= ballot || descends(&changes, state, later)
                        })
                    })
                },
            ),
            Property::sometimes("a change acknowledged", |_, s: &CasMirrorState| {
                !Self::proposals(s).0.is_empty()
            }),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::caspaxos::spec::Reg;

    #[test]
    fn descent_follows_the_changes() {
        let v = |version, value| Some(Reg { version, value });
        let changes = [
            Change::Init(1),
            Change::Cas {
                version: 0,
                value: 2,
            },
        ];
        assert!(descends(&changes, None, v(1, 2)));
        assert!(descends(&changes, v(0, 1), v(0, 1)));
        assert!(!descends(&changes, v(0, 1), None));
        assert!(!descends(&changes, v(1, 2), v(0, 1)));
    }
}
