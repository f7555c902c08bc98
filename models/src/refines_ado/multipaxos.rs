//! Multi-Paxos as the ADO of a command log: pull = phase 1 for all later slots, invoke =
//! proposing a command at the next slot, push = a phase 2 quorum.

use super::{abstraction, ado_model, Event, Point, Protocol, WithGhost};
use crate::ado::{AdoModel, AdoObject, NodeId};
use crate::multipaxos::model::{MpAction, MpState};
use crate::multipaxos::{Cmd, MpConfig, MpModel, Outcome, Phase};
use worm_refinement::Refinement;

/// The object a Multi-Paxos log replicates: the sequence of commands applied, each command
/// returning its position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CmdLog;

impl AdoObject for CmdLog {
    type State = Vec<Cmd>;
    type Method = Cmd;
    type Ret = u8;

    fn init(&self) -> Vec<Cmd> {
        Vec::new()
    }

    fn apply(&self, s: &Vec<Cmd>, m: &Cmd) -> (Vec<Cmd>, u8) {
        let mut next = s.clone();
        next.push(*m);
        (next, s.len() as u8)
    }
}

impl Protocol for MpModel {
    type Obj = CmdLog;

    fn events(&self, last: &MpState, action: &MpAction, next: &MpState) -> Vec<Event<CmdLog>> {
        let i = match *action {
            MpAction::Invoke(i) => {
                let p = &last.proposers[usize::from(i)];
                let cmd = Cmd::new(usize::from(i), usize::from(p.done));
                return vec![Event::Invoke(i, cmd)];
            }
            MpAction::Deliver(env) => match usize::from(env.dst).checked_sub(self.cfg.acceptors) {
                Some(i) => i,
                None => return vec![],
            },
        };
        let node = i as NodeId;
        let (old, new) = (&last.proposers[i], &next.proposers[i]);
        match (old.phase, new.phase) {
            (
                Phase::Prepare { ballot, .. },
                Phase::Lead {
                    ballot: b,
                    next,
                    tip,
                    ..
                },
            ) if b == ballot => {
                let point = match tip {
                    Some(e) => Point::Entry {
                        time: e.time,
                        depth: next,
                    },
                    None => Point::Root,
                };
                vec![Event::Pull {
                    node,
                    ballot,
                    point,
                }]
            }
            (Phase::Prepare { ballot, .. }, phase) if !matches!(phase, Phase::Prepare { ballot: b, .. } if b == ballot) =>
            {
                vec![Event::PullFail(node)]
            }
            (Phase::Accept { upto, .. }, _)
                if new.done > old.done && new.last == Some(Outcome::Committed(upto)) =>
            {
                let committed = next.chosen[..=usize::from(upto)]
                    .iter()
                    .map(|e| e.map_or(Cmd(u8::MAX), |e| e.cmd))
                    .collect();
                vec![Event::Push { node, committed }]
            }
            _ => vec![],
        }
    }
}

/// What `worm check multipaxos --refines ado` explores.
pub type MpAdoCheck = Refinement<WithGhost<MpModel>, AdoModel<CmdLog>>;

/// The Multi-Paxos model with its ghost ADO, wrapped in the check that it refines the ADO.
pub fn refines_ado(cfg: MpConfig, strict: bool) -> MpAdoCheck {
    let nodes = cfg.proposers();
    let methods = cfg
        .commands
        .iter()
        .enumerate()
        .flat_map(|(p, &n)| (0..n).map(move |j| Cmd::new(p, j)))
        .collect();
    let low = WithGhost {
        protocol: cfg.into_model(),
        obj: CmdLog,
        nodes,
        strict,
    };
    Refinement::new(
        low,
        ado_model(CmdLog, nodes, methods),
        abstraction,
        "refines the ADO",
    )
}

/// The identity, for the generic runner (no symmetry reduction).
pub fn representative(
    s: &worm_refinement::RefinedOf<WithGhost<MpModel>, AdoModel<CmdLog>>,
) -> worm_refinement::RefinedOf<WithGhost<MpModel>, AdoModel<CmdLog>> {
    s.clone()
}
