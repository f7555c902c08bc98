//! The proposer's side of one change: the two phases of §2.2, the one-round-trip path of
//! §2.2.1, and counter fast-forward on a conflict. Shared by the clients' proposers and the
//! operator, which runs identity changes through the same code.

use super::spec::MAX_KEYS;
use super::spec::{Change, RegState};
use super::{AcceptorSet, Ballot, Cache, CasActor, CasBug, CasMsg, Phase, ProposerState, View};
use serde::Serialize;
use stateright::actor::{Id, Out};

/// How a change ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Outcome {
    /// An accept quorum confirmed `state` at `ballot`.
    Acked {
        key: u8,
        ballot: Ballot,
        state: RegState,
    },
    /// A conflict in the prepare phase, with no attempts left: nothing was written.
    Failed,
    /// A conflict in the accept phase: the new state may sit on some acceptors and be picked
    /// up later, or never.
    Unknown,
}

/// What a proposer needs to know beyond its state.
#[derive(Clone, Copy, Debug)]
pub struct Ctx {
    /// The proposer's id in ballots.
    pub index: u8,
    /// Prepare attempts per change (each prepare-phase conflict uses one).
    pub attempts: u8,
    pub one_rtt: bool,
    /// Deleted keys are garbage-collected: an acknowledged delete schedules the GC.
    pub gc: bool,
    pub bug: Option<CasBug>,
}

fn ids(set: AcceptorSet) -> Vec<Id> {
    (0..8).filter(|&i| set.contains(i)).map(Id::from).collect()
}

/// How many of `got` count towards a quorum of `view`.
fn count(got: AcceptorSet, of: AcceptorSet) -> u8 {
    AcceptorSet(got.0 & of.0).len() as u8
}

impl ProposerState {
    fn next_ballot(&mut self, ctx: &Ctx) -> Ballot {
        self.counter += 1;
        Ballot {
            counter: self.counter,
            proposer: ctx.index,
        }
    }

    /// Starts a new change on `key`.
    pub fn begin(&mut self, ctx: &Ctx, key: u8, change: Change, o: &mut Out<CasActor>) {
        self.attempts_left = ctx.attempts - 1;
        self.start(ctx, key, change, o);
    }

    /// Sends the prepare, or with a cached promise (one round trip) the accept straight away.
    fn start(&mut self, ctx: &Ctx, key: u8, change: Change, o: &mut Out<CasActor>) {
        let age = self.age;
        if let Some(cache) = self.caches[key as usize].take() {
            let next = self.next_ballot(ctx);
            self.accept(
                key,
                cache.promised,
                change.apply(cache.state),
                Some(next),
                Some(cache.accepted),
                age,
                o,
            );
            return;
        }
        let ballot = self.next_ballot(ctx);
        self.phase = Phase::Prepare {
            key,
            ballot,
            promises: AcceptorSet::default(),
            picked: None,
            age,
        };
        o.broadcast(
            &ids(self.view.prepare),
            &CasMsg::Prepare { key, ballot, age },
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn accept(
        &mut self,
        key: u8,
        ballot: Ballot,
        state: RegState,
        next: Option<Ballot>,
        parent: Option<Ballot>,
        age: u8,
        o: &mut Out<CasActor>,
    ) {
        self.phase = Phase::Accept {
            key,
            ballot,
            state,
            next,
            accepts: AcceptorSet::default(),
            parent,
            age,
        };
        let msg = CasMsg::Accept {
            key,
            ballot,
            state,
            next,
            age,
        };
        o.broadcast(&ids(self.view.accept), &msg);
    }

    /// Takes a new configuration (§2.3), between changes. Cached promises were counted
    /// against the old prepare quorum, so they go.
    pub fn reconfigure(&mut self, view: View) {
        debug_assert_eq!(self.phase, Phase::Idle);
        self.view = view;
        self.caches = [None; MAX_KEYS];
    }

    /// Would delivering `msg` from acceptor `from` change this proposer, now or ever? Its
    /// ballots only grow and a phase listens only to its own ballot, so a reply ignored now
    /// stays ignored. The model drops such dead replies from the network.
    pub fn awaits(&self, from: usize, msg: &CasMsg) -> bool {
        match (self.phase, *msg) {
            (
                Phase::Prepare {
                    key,
                    ballot,
                    promises,
                    ..
                },
                CasMsg::Promise {
                    key: k, ballot: b, ..
                },
            ) => (k, b) == (key, ballot) && !promises.contains(from),
            (
                Phase::Accept {
                    key,
                    ballot,
                    accepts,
                    ..
                },
                CasMsg::Accepted { key: k, ballot: b },
            ) => (k, b) == (key, ballot) && !accepts.contains(from),
            (
                Phase::Prepare { key, ballot, .. } | Phase::Accept { key, ballot, .. },
                CasMsg::Nack {
                    key: k, ballot: b, ..
                },
            ) => (k, b) == (key, ballot),
            _ => false,
        }
    }

    /// One step on a reply from acceptor `from` to the change `change` in flight; the outcome
    /// if the change ended.
    pub fn on_reply(
        &mut self,
        ctx: &Ctx,
        change: Change,
        from: usize,
        msg: CasMsg,
        o: &mut Out<CasActor>,
    ) -> Option<Outcome> {
        if !self.awaits(from, &msg) {
            return None;
        }
        match (self.phase, msg) {
            (
                Phase::Prepare {
                    key,
                    ballot,
                    promises,
                    picked,
                    age,
                },
                CasMsg::Promise { accepted, .. },
            ) => {
                if !self.view.prepare.contains(from) {
                    return None;
                }
                // The current state is the one accepted at the highest ballot (§2.2); the bug
                // takes the lowest instead.
                let picked = match (promises.is_empty(), ctx.bug) {
                    (true, _) => accepted,
                    (false, Some(CasBug::PickLowestBallot)) => picked.min(accepted),
                    (false, _) => picked.max(accepted),
                };
                let promises = promises.with(from);
                if count(promises, self.view.prepare) < self.view.prepare_quorum {
                    self.phase = Phase::Prepare {
                        key,
                        ballot,
                        promises,
                        picked,
                        age,
                    };
                    return None;
                }
                let state = change.apply(picked.and_then(|(_, s)| s));
                let next = ctx.one_rtt.then(|| self.next_ballot(ctx));
                self.accept(key, ballot, state, next, picked.map(|p| p.0), age, o);
                None
            }
            (
                Phase::Accept {
                    key,
                    ballot,
                    state,
                    next,
                    accepts,
                    parent,
                    age,
                },
                CasMsg::Accepted { .. },
            ) => {
                if !self.view.accept.contains(from) {
                    return None;
                }
                let accepts = accepts.with(from);
                if count(accepts, self.view.accept) < self.view.accept_quorum {
                    self.phase = Phase::Accept {
                        key,
                        ballot,
                        state,
                        next,
                        accepts,
                        parent,
                        age,
                    };
                    return None;
                }
                // The confirmations carried promises for `next`: from a prepare quorum, they
                // stand for the next change's prepare phase (§2.2.1).
                if let Some(promised) = next {
                    if count(accepts, self.view.prepare) >= self.view.prepare_quorum {
                        self.caches[key as usize] = Some(Cache {
                            promised,
                            accepted: ballot,
                            state,
                        });
                    }
                }
                self.phase = Phase::Idle;
                Some(Outcome::Acked { key, ballot, state })
            }
            (
                Phase::Prepare { key, .. } | Phase::Accept { key, .. },
                CasMsg::Nack { promised, .. },
            ) => {
                // Fast-forward past the ballot that won, so as not to conflict again (§2.1).
                self.counter = self.counter.max(promised.counter);
                self.caches[key as usize] = None;
                let in_accept = matches!(self.phase, Phase::Accept { .. });
                self.phase = Phase::Idle;
                if in_accept {
                    Some(Outcome::Unknown)
                } else if self.attempts_left > 0 {
                    self.attempts_left -= 1;
                    self.start(ctx, key, change, o);
                    None
                } else {
                    Some(Outcome::Failed)
                }
            }
            _ => None,
        }
    }
}
