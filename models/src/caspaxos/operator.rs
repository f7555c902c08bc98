//! The operator: the process that changes the cluster's membership (§2.3) and collects
//! deleted registers (§3.1). It is an actor with a program, a list of steps it runs one after
//! the other, each finished only when every party it talks to has confirmed. It talks to the
//! proposers and acceptors by messages, so its steps interleave with the clients' changes in
//! every possible way, and it runs identity changes as a proposer of its own ("pick any
//! proposer and execute the identity state transition").

use super::proposer::{Ctx, Outcome};
use super::spec::Change;
use super::{AcceptorSet, Ballot, CasActor, CasMsg, OperatorState, Phase, View, MAX_PROPOSERS};
use stateright::actor::{Id, Out};

/// One step of the operator's program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// Connect to each proposer (itself included) and replace its configuration.
    Configure(View),
    /// Execute the identity change on a key (a re-scan), retrying until it is acknowledged.
    Identity(u8),
    /// Wait until a proposer reports a deleted key (§3.1 step 1: the delete schedules the GC).
    AwaitDelete(u8),
    /// GC step 2a: the identity change with the accept quorum as large as the accept set, so
    /// that the tombstone is on every acceptor. If the key is not empty any more, the GC ends.
    GcIdentity(u8),
    /// GC step 2b: each proposer drops its cached state of the key, fast-forwards its counter
    /// past the tombstone's ballot, and increments its age.
    GcProposers(u8),
    /// GC step 2c: each acceptor rejects proposers younger than the ages of step 2b.
    GcAcceptors,
    /// GC step 2d: each acceptor removes the key if it holds the tombstone of step 2a.
    GcRemove(u8),
    /// Add a proposer to the lists and turn it on with the current configuration (§2.3.4).
    AddProposer(u8),
    /// Turn a proposer off and remove it from the lists (§2.3.4).
    RemoveProposer(u8),
}

/// The operator's fixed parameters.
#[derive(Clone, Debug)]
pub struct Program {
    pub steps: Vec<Step>,
    /// Actor ids: acceptors are `0..acceptors`, proposer `i` is `acceptors + i`.
    pub acceptors: usize,
    /// How many times an identity step is retried after a conflict before the model gives up.
    pub retries: u8,
}

impl Program {
    fn proposer_id(&self, i: usize) -> Id {
        Id::from(self.acceptors + i)
    }

    /// Runs steps until one has to wait.
    pub fn advance(&self, ctx: &Ctx, s: &mut OperatorState, o: &mut Out<CasActor>) {
        while s.awaiting == 0 && s.p.phase == Phase::Idle && !s.halted {
            let Some(&step) = self.steps.get(s.step as usize) else {
                return;
            };
            match step {
                Step::Configure(view) => {
                    s.view = view;
                    self.to_proposers(s, ctx, &CasMsg::Configure(view), o);
                }
                Step::Identity(key) | Step::GcIdentity(key) => {
                    // GC's 2a waits for every acceptor of the accept set.
                    s.p.view = match step {
                        Step::GcIdentity(_) => View {
                            accept_quorum: s.view.accept.len() as u8,
                            ..s.view
                        },
                        _ => s.view,
                    };
                    s.retries_left = self.retries;
                    s.p.begin(ctx, key, Change::Read, o);
                    // The step ends when the change is acknowledged (see `on_identity`).
                    return;
                }
                Step::AwaitDelete(key) => {
                    if s.scheduled & (1 << key) == 0 {
                        return;
                    }
                }
                Step::GcProposers(key) => {
                    let tombstone = s.tombstone;
                    s.p.invalidate(key, tombstone, ctx.bug);
                    s.ages[ctx.index as usize] = s.p.age;
                    let msg = CasMsg::Invalidate { key, tombstone };
                    self.to_proposers(s, ctx, &msg, o);
                }
                Step::GcAcceptors => self.to_acceptors(s, &CasMsg::SetAges(s.ages), o),
                Step::GcRemove(key) => {
                    let msg = CasMsg::Remove {
                        key,
                        tombstone: s.tombstone,
                    };
                    self.to_acceptors(s, &msg, o);
                }
                Step::AddProposer(i) => {
                    s.proposers |= 1 << i;
                    let id = self.proposer_id(i as usize);
                    o.send(id, CasMsg::Start(s.view));
                    s.awaiting |= 1 << usize::from(id);
                }
                Step::RemoveProposer(i) => {
                    s.proposers &= !(1 << i);
                    o.send(self.proposer_id(i as usize), CasMsg::Stop);
                }
            }
            s.step += 1;
        }
    }

    fn to_proposers(&self, s: &mut OperatorState, ctx: &Ctx, msg: &CasMsg, o: &mut Out<CasActor>) {
        for i in 0..MAX_PROPOSERS {
            if s.proposers & (1 << i) != 0 && i != ctx.index as usize {
                let id = self.proposer_id(i);
                o.send(id, *msg);
                s.awaiting |= 1 << usize::from(id);
            }
        }
    }

    fn to_acceptors(&self, s: &mut OperatorState, msg: &CasMsg, o: &mut Out<CasActor>) {
        let all = AcceptorSet(s.view.prepare.0 | s.view.accept.0);
        for i in (0..self.acceptors).filter(|&i| all.contains(i)) {
            o.send(Id::from(i), *msg);
            s.awaiting |= 1 << i;
        }
    }

    /// Would delivering `msg` from `src` change the operator?
    pub fn awaits(&self, s: &OperatorState, src: Id, msg: &CasMsg) -> bool {
        let src = usize::from(src);
        match msg {
            CasMsg::Configured
            | CasMsg::Started
            | CasMsg::Invalidated { .. }
            | CasMsg::AgesSet
            | CasMsg::Removed => s.awaiting & (1 << src) != 0,
            CasMsg::ScheduleGc(key, _) => s.scheduled & (1 << key) == 0,
            _ => src < self.acceptors && s.p.awaits(src, msg),
        }
    }

    /// One operator step on a message.
    pub fn on_msg(
        &self,
        ctx: &Ctx,
        s: &mut OperatorState,
        src: Id,
        msg: CasMsg,
        o: &mut Out<CasActor>,
    ) {
        if !self.awaits(s, src, &msg) {
            return;
        }
        let from = usize::from(src);
        match msg {
            CasMsg::ScheduleGc(key, ballot) => {
                // The GC's identity must outrank the tombstone: start past its ballot.
                s.scheduled |= 1 << key;
                s.p.counter = s.p.counter.max(ballot.counter);
            }
            CasMsg::Invalidated { age } => {
                s.ages[from - self.acceptors] = age;
                s.awaiting &= !(1 << from);
            }
            CasMsg::Configured | CasMsg::Started | CasMsg::AgesSet | CasMsg::Removed => {
                s.awaiting &= !(1 << from);
            }
            _ => {
                let Some(outcome) = s.p.on_reply(ctx, Change::Read, from, msg, o) else {
                    return;
                };
                s.p.done += 1;
                s.p.last = Some(outcome);
                self.on_identity(ctx, s, outcome, o);
            }
        }
        self.advance(ctx, s, o);
    }

    /// An identity change ended: retry it, or go on.
    fn on_identity(
        &self,
        ctx: &Ctx,
        s: &mut OperatorState,
        outcome: Outcome,
        o: &mut Out<CasActor>,
    ) {
        let step = self.steps[s.step as usize];
        match outcome {
            Outcome::Acked { ballot, state, .. } => {
                s.step += 1;
                if let Step::GcIdentity(_) = step {
                    s.tombstone = ballot;
                    if state.is_some() {
                        // Written again since the delete: nothing to collect.
                        s.step = self.steps.len() as u8;
                    }
                }
            }
            Outcome::Failed | Outcome::Unknown => {
                let (Step::Identity(key) | Step::GcIdentity(key)) = step else {
                    unreachable!("only identity steps run changes")
                };
                if s.retries_left == 0 {
                    // The step is idempotent and would be rescheduled; the model stops here.
                    s.halted = true;
                    return;
                }
                s.retries_left -= 1;
                s.p.begin(ctx, key, Change::Read, o);
            }
        }
    }
}

impl super::ProposerState {
    /// GC step 2b on this proposer.
    pub fn invalidate(&mut self, key: u8, tombstone: Ballot, bug: Option<super::CasBug>) {
        self.caches[key as usize] = None;
        if bug != Some(super::CasBug::GcWithoutFastForward) {
            self.counter = self.counter.max(tombstone.counter);
        }
        self.age += 1;
    }
}
