//! CASPaxos as the ADO of one register whose methods are the change functions: pull = a
//! prepare quorum (the starting point is the proposal accepted at the highest ballot among
//! the promises), invoke = applying the change function (in the same protocol step), push =
//! an accept quorum. A prepare conflict is a visible FAIL of pull; an accept conflict leaves
//! the outcome unknown, an ADO push FAIL.

use super::{abstraction, ado_model, Event, Point, Protocol, WithGhost};
use crate::ado::{AdoModel, AdoObject, NodeId};
use crate::caspaxos::model::{CasAction, CasModel, CasSysState};
use crate::caspaxos::proposer::Outcome;
use crate::caspaxos::spec::{Change, RegState};
use crate::caspaxos::{CasConfig, CasState, Membership, Phase, ProposerState};
use stateright::actor::ActorModelAction;
use worm_refinement::Refinement;

/// One register; a change function returns the state it wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Register;

impl AdoObject for Register {
    type State = RegState;
    type Method = Change;
    type Ret = RegState;

    fn init(&self) -> RegState {
        None
    }

    fn apply(&self, s: &RegState, m: &Change) -> (RegState, RegState) {
        let next = m.apply(*s);
        (next, next)
    }
}

fn proposer(s: &CasState) -> Option<&ProposerState> {
    match s {
        CasState::Proposer(p) => Some(p),
        _ => None,
    }
}

impl Protocol for CasModel {
    type Obj = Register;

    fn events(
        &self,
        last: &CasSysState,
        action: &CasAction,
        next: &CasSysState,
    ) -> Vec<Event<Register>> {
        let dst = match action {
            ActorModelAction::Deliver { dst, .. } | ActorModelAction::Timeout(dst, _) => *dst,
            _ => return vec![],
        };
        let index = usize::from(dst);
        let (Some(old), Some(new)) = (
            proposer(&last.actor_states[index]),
            proposer(&next.actor_states[index]),
        ) else {
            return vec![];
        };
        let i = index - self.cfg.acceptor_actors();
        let node = i as NodeId;
        let change = |done: u8| self.cfg.scripts[i][usize::from(done)].1;
        match (old.phase, new.phase) {
            (
                Phase::Prepare { ballot, .. },
                Phase::Accept {
                    ballot: b, parent, ..
                },
            ) if b == ballot => {
                let point = parent.map_or(Point::Root, |time| Point::Only { time });
                vec![
                    Event::Pull {
                        node,
                        ballot,
                        point,
                    },
                    Event::Invoke(node, change(old.done)),
                ]
            }
            (Phase::Prepare { ballot, .. }, phase) if !matches!(phase, Phase::Prepare { ballot: b, .. } if b == ballot) =>
            {
                vec![Event::PullFail(node)]
            }
            (Phase::Accept { .. }, _) if new.done > old.done => match new.last {
                Some(Outcome::Acked { state, .. }) => vec![Event::Push {
                    node,
                    committed: state,
                }],
                _ => vec![],
            },
            _ => vec![],
        }
    }
}

/// What `worm check caspaxos --refines ado` explores.
pub type CasAdoCheck = Refinement<WithGhost<CasModel>, AdoModel<Register>>;

/// Rejects CASPaxos configurations outside the refinement: one register, no operator, no
/// one-round-trip optimisation (its piggybacked prepares are pulls no proposer waits for).
pub fn validate(cfg: &CasConfig) -> Result<(), String> {
    cfg.validate()?;
    if cfg.keys() != 1 {
        return Err("the ADO refinement covers one register: no k1: changes".into());
    }
    if cfg.one_rtt {
        return Err("the ADO refinement does not cover --one-rtt".into());
    }
    if cfg.membership != Membership::None || cfg.add_proposer || cfg.remove_proposer || cfg.gc {
        return Err("the ADO refinement does not cover the operator (membership, gc)".into());
    }
    Ok(())
}

/// The existing CASPaxos model with its ghost ADO, wrapped in the check that it refines the
/// ADO. One protocol step may be two ADO steps (pull, then invoke).
pub fn refines_ado(cfg: CasConfig, strict: bool) -> CasAdoCheck {
    let nodes = cfg.proposers();
    let mut methods: Vec<Change> = cfg.scripts.iter().flatten().map(|&(_, c)| c).collect();
    methods.sort();
    methods.dedup();
    let low = WithGhost {
        protocol: cfg.into_model().low,
        obj: Register,
        nodes,
        strict,
    };
    Refinement::new(
        low,
        ado_model(Register, nodes, methods),
        abstraction,
        "refines the ADO",
    )
    .with_max_steps(2)
}

/// The identity, for the generic runner (no symmetry reduction).
pub fn representative(
    s: &worm_refinement::RefinedOf<WithGhost<CasModel>, AdoModel<Register>>,
) -> worm_refinement::RefinedOf<WithGhost<CasModel>, AdoModel<Register>> {
    s.clone()
}
