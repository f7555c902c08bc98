//! A compact state space for stateright actors.
//!
//! stateright's `ActorModel` is general: timers, random choices, any history hook. Its state
//! pays for that generality on every successor: a vector of `Arc`ed actor states, a hash map for
//! the network, and a hash set of timers and a hash map of random choices per actor, each
//! cloned and hashed element by element. Exhaustive checks of a few million states spend most
//! of their time there.
//!
//! [`ActorSystem`] runs the same [`Actor`] implementations (their `on_start` and `on_msg`, and
//! the `send` and `save` commands they issue) with the same semantics as `ActorModel`: the same
//! actions, in the same order; the same three network kinds, each optionally lossy; crashes of
//! up to `max_crashes` actors at a time, a restart running `on_start` with only what the actor
//! saved to its `Storage`. Its state, [`SysState`], is a few flat vectors: actor states inline,
//! storage, a crash bitset, and the network as one sorted vector of small envelopes. Because the
//! semantics are the same, a model moved onto it keeps its state counts and its counterexamples
//! exactly (the WOR model's pinned figures were first taken over `ActorModel`).
//!
//! Not supported, because no model here uses them: timers and random choices.

use stateright::actor::{Actor, ActorModelAction, Command, Envelope, Id, Out};
use std::borrow::Cow;
use std::fmt::Debug;
use std::hash::Hash;

use crate::network::NetworkKind;

/// A step of an actor system: stateright's own action type, so paths and the explorer read the
/// same as for `ActorModel`.
pub type SysAction<M> = ActorModelAction<M, (), ()>;

/// A message in flight. Actor indices are bytes: systems here have a handful of actors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Env<M> {
    pub src: u8,
    pub dst: u8,
    pub msg: M,
}

/// The messages in flight. Kept sorted by `(src, dst, msg)` on the unordered networks (a
/// multiset, or a set when messages may be duplicated), and by `(src, dst)` on the ordered one,
/// each channel in sending order: one canonical vector per network state.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Net<M> {
    kind: NetworkKind,
    envs: Vec<Env<M>>,
}

/// A state is cloned to make each successor, which then mostly sends messages: room for a few
/// more saves reallocating the vector right after copying it.
impl<M: Clone> Clone for Net<M> {
    fn clone(&self) -> Self {
        let mut envs = Vec::with_capacity(self.envs.len() + 4);
        envs.extend_from_slice(&self.envs);
        Net {
            kind: self.kind,
            envs,
        }
    }
}

impl<M: Ord + Clone> Net<M> {
    fn new(kind: NetworkKind) -> Self {
        Net {
            kind,
            envs: Vec::new(),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Env<M>> {
        self.envs.iter()
    }

    pub fn len(&self) -> usize {
        self.envs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.envs.is_empty()
    }

    /// Keeps the messages for which `live` holds.
    pub fn retain(&mut self, live: impl FnMut(&Env<M>) -> bool) {
        self.envs.retain(live);
    }

    /// Renames the actors of every envelope in place and restores the order (for canonical
    /// states under symmetry).
    pub fn rename(&mut self, f: impl Fn(u8) -> u8) {
        for e in &mut self.envs {
            e.src = f(e.src);
            e.dst = f(e.dst);
        }
        match self.kind {
            // A stable sort keeps each channel in sending order.
            NetworkKind::Ordered => self.envs.sort_by_key(|e| (e.src, e.dst)),
            // Equal envelopes are identical, so an unstable sort gives the one order.
            NetworkKind::Unordered | NetworkKind::Duplicating => self.envs.sort_unstable(),
        }
    }

    fn send(&mut self, env: Env<M>) {
        let at = match self.kind {
            NetworkKind::Ordered => self
                .envs
                .partition_point(|e| (e.src, e.dst) <= (env.src, env.dst)),
            NetworkKind::Unordered => self.envs.partition_point(|e| *e <= env),
            NetworkKind::Duplicating => match self.envs.binary_search(&env) {
                Ok(_) => return,
                Err(at) => at,
            },
        };
        self.envs.insert(at, env);
    }

    /// Removes the first envelope equal to `env` (in its channel's order, for the ordered
    /// network); false if there is none.
    fn remove(&mut self, env: &Env<M>) -> bool {
        match self.envs.iter().position(|e| e == env) {
            Some(at) => {
                self.envs.remove(at);
                true
            }
            None => false,
        }
    }
}

/// A state of an actor system, with a history `H` kept by the model on top.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SysState<S, T, M, H> {
    pub actors: Vec<S>,
    /// What each actor last saved (`None` until it saves).
    pub storage: Vec<Option<T>>,
    /// Bit `i`: actor `i` is down. A down actor keeps its last state (as in `ActorModel`) until
    /// it restarts from its storage.
    pub crashed: u64,
    pub network: Net<M>,
    pub history: H,
}

impl<S, T, M, H> SysState<S, T, M, H> {
    pub fn is_crashed(&self, i: usize) -> bool {
        self.crashed & (1 << i) != 0
    }
}

/// The state of an actor system running actors `A` with history `H`.
pub type StateOf<A, H> = SysState<<A as Actor>::State, <A as Actor>::Storage, <A as Actor>::Msg, H>;

/// The actors, their network, and how many of them may be down at once.
pub struct ActorSystem<A: Actor> {
    pub actors: Vec<A>,
    pub network: NetworkKind,
    pub lossy: bool,
    pub max_crashes: usize,
    /// Only the first `crashable` actors may crash (servers; clients are the callers).
    pub crashable: usize,
}

impl<A> ActorSystem<A>
where
    A: Actor<Timer = (), Random = ()>,
    A::Msg: Ord + Copy,
    A::State: Clone,
    A::Storage: Clone,
{
    /// The initial state: every actor started with empty storage.
    pub fn init_state<H>(&self, history: H) -> StateOf<A, H> {
        let n = self.actors.len();
        assert!(n <= 64, "an actor system has at most 64 actors");
        let mut s = SysState {
            actors: Vec::with_capacity(n),
            storage: vec![None; n],
            crashed: 0,
            network: Net::new(self.network),
            history,
        };
        for (i, actor) in self.actors.iter().enumerate() {
            let mut out = Out::new();
            let state = actor.on_start(Id::from(i), &None, &mut out);
            s.actors.push(state);
            self.process(i, out, &mut s);
        }
        s
    }

    /// The enabled steps, in `ActorModel`'s order: losses, deliveries, crashes, restarts.
    pub fn actions<H>(&self, s: &StateOf<A, H>, actions: &mut Vec<SysAction<A::Msg>>) {
        let envs = &s.network.envs;
        let env = |e: &Env<A::Msg>| Envelope {
            src: Id::from(usize::from(e.src)),
            dst: Id::from(usize::from(e.dst)),
            msg: e.msg,
        };
        if self.lossy {
            let first = actions.len();
            actions.extend(envs.iter().map(|e| ActorModelAction::Drop(env(e))));
            if self.network == NetworkKind::Ordered {
                actions[first..].sort_by(|a, b| match (a, b) {
                    (ActorModelAction::Drop(x), ActorModelAction::Drop(y)) => x.cmp(y),
                    _ => std::cmp::Ordering::Equal,
                });
            }
        }
        for (k, e) in envs.iter().enumerate() {
            let deliverable = match self.network {
                // Only the head of each channel.
                NetworkKind::Ordered => {
                    k == 0 || (envs[k - 1].src, envs[k - 1].dst) != (e.src, e.dst)
                }
                // Each distinct message once.
                NetworkKind::Unordered => k == 0 || envs[k - 1] != *e,
                NetworkKind::Duplicating => true,
            };
            if deliverable && !s.is_crashed(usize::from(e.dst)) {
                let Envelope { src, dst, msg } = env(e);
                actions.push(ActorModelAction::Deliver { src, dst, msg });
            }
        }
        let down = s.crashed.count_ones() as usize;
        if down < self.max_crashes {
            actions.extend(
                (0..self.crashable)
                    .filter(|&i| !s.is_crashed(i))
                    .map(|i| ActorModelAction::Crash(Id::from(i))),
            );
        }
        actions.extend(
            (0..self.actors.len())
                .filter(|&i| s.is_crashed(i))
                .map(|i| ActorModelAction::Recover(Id::from(i))),
        );
    }

    /// The state after `action`, or `None` if it changes nothing (a delivery that neither
    /// changes its recipient nor makes it send, except on the ordered network, where delivery
    /// consumes the message from the channel).
    pub fn next_state<H: Clone>(
        &self,
        last: &StateOf<A, H>,
        action: SysAction<A::Msg>,
    ) -> Option<StateOf<A, H>> {
        match action {
            ActorModelAction::Drop(e) => {
                let mut next = last.clone();
                next.network
                    .remove(&compact(e.src, e.dst, e.msg))
                    .then_some(next)
            }
            ActorModelAction::Deliver { src, dst, msg } => {
                let i = usize::from(dst);
                if last.is_crashed(i) {
                    return None;
                }
                let mut state = Cow::Borrowed(&last.actors[i]);
                let mut out = Out::new();
                self.actors[i].on_msg(dst, &mut state, src, msg, &mut out);
                let no_op = matches!(state, Cow::Borrowed(_)) && out.is_empty();
                if no_op && self.network != NetworkKind::Ordered {
                    return None;
                }
                let state = match state {
                    Cow::Owned(state) => Some(state),
                    Cow::Borrowed(_) => None,
                };
                let mut next = last.clone();
                if self.network != NetworkKind::Duplicating
                    && !next.network.remove(&compact(src, dst, msg))
                {
                    return None;
                }
                if let Some(state) = state {
                    next.actors[i] = state;
                }
                self.process(i, out, &mut next);
                Some(next)
            }
            ActorModelAction::Crash(id) => {
                let mut next = last.clone();
                next.crashed |= 1 << usize::from(id);
                Some(next)
            }
            ActorModelAction::Recover(id) => {
                let i = usize::from(id);
                let mut out = Out::new();
                let state = self.actors[i].on_start(id, &last.storage[i], &mut out);
                let mut next = last.clone();
                next.actors[i] = state;
                next.crashed &= !(1 << i);
                self.process(i, out, &mut next);
                Some(next)
            }
            ActorModelAction::Timeout(..) | ActorModelAction::SelectRandom { .. } => None,
        }
    }

    fn process<H>(&self, i: usize, out: Out<A>, s: &mut StateOf<A, H>) {
        for command in out {
            match command {
                Command::Send(dst, msg) => {
                    s.network.send(compact(Id::from(i), dst, msg));
                }
                Command::Save(storage) => s.storage[i] = Some(storage),
                Command::SetTimer(..) | Command::CancelTimer(_) | Command::ChooseRandom(..) => {
                    unimplemented!("ActorSystem supports neither timers nor random choices")
                }
            }
        }
    }
}

fn compact<M>(src: Id, dst: Id, msg: M) -> Env<M> {
    Env {
        src: usize::from(src) as u8,
        dst: usize::from(dst) as u8,
        msg,
    }
}
