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
//! A state also keeps a *digest*: the sum of one hash per part (each actor's state, each
//! storage, the crash bits, and on the unordered networks each message in flight), updated
//! as a step changes parts, and it is what the state's `Hash` writes. A successor's
//! fingerprint then costs hashing what the step changed, and [`ActorSystem::next_digest`]
//! works it out without building the successor at all, so that a checker can skip building
//! the many successors it has visited already (the worm engine does, for the WOR mirror).
//! Two given states with different parts get equal sums with about the same chance, 2^-64, as
//! they would get equal hashes of their whole.
//!
//! Not supported, because no model here uses them: timers and random choices.

use stateright::actor::{Actor, ActorModelAction, Command, Envelope, Id, Out};
use std::borrow::Cow;
use std::fmt::Debug;
use std::hash::{Hash, Hasher};

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

/// The hash of one part of a state (an actor's state, its storage, the crash bits, a
/// message), tagged with what it is, under fixed seeds so that digests, and the search order
/// that follows from fingerprints, are the same from run to run.
fn part<X: Hash>(tag: u8, x: X) -> u64 {
    const PARTS: ahash::RandomState = ahash::RandomState::with_seeds(
        0x9e37_79b9_7f4a_7c15,
        0xbf58_476d_1ce4_e5b9,
        0x94d0_49bb_1331_11eb,
        0x2545_f491_4f6c_dd1d,
    );
    PARTS.hash_one((tag, x))
}

fn env_part<M: Hash>(env: &Env<M>) -> u64 {
    part(u8::MAX, env)
}

/// The messages in flight. Kept sorted by `(src, dst, msg)` on the unordered networks (a
/// multiset, or a set when messages may be duplicated), and by `(src, dst)` on the ordered one,
/// each channel in sending order: one canonical vector per network state.
///
/// On the unordered networks the messages' order is not part of the state, so their `digest`
/// is a sum of one hash per message, kept up to date as messages come and go: a successor's
/// fingerprint then costs a hash of what changed, not of every message (see [`SysState`]'s
/// `Hash`).
#[derive(Debug, PartialEq, Eq)]
pub struct Net<M> {
    kind: NetworkKind,
    envs: Vec<Env<M>>,
    digest: u64,
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
            digest: self.digest,
        }
    }
}

impl<M: Ord + Clone + Hash> Net<M> {
    fn new(kind: NetworkKind) -> Self {
        Net {
            kind,
            envs: Vec::new(),
            digest: 0,
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
    pub fn retain(&mut self, mut live: impl FnMut(&Env<M>) -> bool) {
        let mut gone = 0u64;
        self.envs.retain(|e| {
            let keep = live(e);
            if !keep {
                gone = gone.wrapping_add(env_part(e));
            }
            keep
        });
        self.digest = self.digest.wrapping_sub(gone);
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
        self.digest = self.fresh_digest();
    }

    /// The messages' digest computed from scratch.
    fn fresh_digest(&self) -> u64 {
        self.envs.iter().map(env_part).fold(0, u64::wrapping_add)
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
        self.digest = self.digest.wrapping_add(env_part(&env));
        self.envs.insert(at, env);
    }

    /// Whether `env` is in flight, on an unordered network.
    fn contains(&self, env: &Env<M>) -> bool {
        self.envs.binary_search(env).is_ok()
    }

    /// Removes the first envelope equal to `env` (in its channel's order, for the ordered
    /// network); false if there is none.
    fn remove(&mut self, env: &Env<M>) -> bool {
        match self.envs.iter().position(|e| e == env) {
            Some(at) => {
                self.digest = self.digest.wrapping_sub(env_part(&self.envs.remove(at)));
                true
            }
            None => false,
        }
    }
}

/// A state of an actor system, with a history `H` kept by the model on top.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SysState<S, T, M, H> {
    actors: Vec<S>,
    /// What each actor last saved (`None` until it saves).
    storage: Vec<Option<T>>,
    /// Bit `i`: actor `i` is down. A down actor keeps its last state (as in `ActorModel`) until
    /// it restarts from its storage.
    crashed: u64,
    /// The sum of one hash per actor state, per storage and of the crash bits, kept up to date
    /// by every change (which is why those three fields are private).
    digest: u64,
    pub network: Net<M>,
    pub history: H,
}

fn actor_part<S: Hash>(i: usize, s: &S) -> u64 {
    part(0, (i as u8, s))
}

fn storage_part<T: Hash>(i: usize, t: Option<&T>) -> u64 {
    part(1, (i as u8, t))
}

fn crashed_part(crashed: u64) -> u64 {
    part(2, crashed)
}

impl<S: Hash, T: Hash, M, H> SysState<S, T, M, H> {
    pub fn actors(&self) -> &[S] {
        &self.actors
    }

    pub fn storage(&self) -> &[Option<T>] {
        &self.storage
    }

    pub fn is_crashed(&self, i: usize) -> bool {
        self.crashed & (1 << i) != 0
    }

    /// The actor states, beside the parts a model may change directly.
    pub fn split(&mut self) -> (&[S], &mut Net<M>, &mut H) {
        (&self.actors, &mut self.network, &mut self.history)
    }

    fn set_actor(&mut self, i: usize, s: S) {
        let old = actor_part(i, &self.actors[i]);
        self.digest = self
            .digest
            .wrapping_sub(old)
            .wrapping_add(actor_part(i, &s));
        self.actors[i] = s;
    }

    fn set_storage(&mut self, i: usize, t: T) {
        let old = storage_part(i, self.storage[i].as_ref());
        self.digest = self
            .digest
            .wrapping_sub(old)
            .wrapping_add(storage_part(i, Some(&t)));
        self.storage[i] = Some(t);
    }

    fn set_crashed(&mut self, crashed: u64) {
        let old = crashed_part(self.crashed);
        self.digest = self
            .digest
            .wrapping_sub(old)
            .wrapping_add(crashed_part(crashed));
        self.crashed = crashed;
    }

    /// Changes actor states, storage and crash bits at will (for renamings under symmetry),
    /// then recomputes their digest.
    pub fn rearrange(&mut self, f: impl FnOnce(&mut [S], &mut [Option<T>], &mut u64)) {
        f(&mut self.actors, &mut self.storage, &mut self.crashed);
        self.digest = self.fresh_digest();
    }

    /// The digest computed from scratch.
    fn fresh_digest(&self) -> u64 {
        let actors = self
            .actors
            .iter()
            .enumerate()
            .map(|(i, s)| actor_part(i, s));
        let storage = self
            .storage
            .iter()
            .enumerate()
            .map(|(i, t)| storage_part(i, t.as_ref()));
        actors
            .chain(storage)
            .fold(crashed_part(self.crashed), u64::wrapping_add)
    }

    /// Whether the digests kept up to date equal those computed from scratch.
    #[cfg(test)]
    pub fn digests_are_fresh(&self) -> bool
    where
        M: Ord + Clone + Hash,
    {
        self.digest == self.fresh_digest()
            && (self.network.kind == NetworkKind::Ordered
                || self.network.digest == self.network.fresh_digest())
    }
}

/// A state hashes as its digests plus its history. On the unordered networks that is one
/// `write_u64` of the sum of all its parts' hashes (for a state with no history, exactly
/// `write_u64(digest)`, which [`ActorSystem::next_digest`] relies on); on the ordered one,
/// where each channel's order matters, the messages are hashed in order instead.
impl<S, T, M: Hash, H: Hash> Hash for SysState<S, T, M, H> {
    fn hash<X: Hasher>(&self, h: &mut X) {
        match self.network.kind {
            NetworkKind::Ordered => {
                h.write_u64(self.digest);
                self.network.envs.hash(h);
            }
            NetworkKind::Unordered | NetworkKind::Duplicating => {
                h.write_u64(self.digest.wrapping_add(self.network.digest))
            }
        }
        self.history.hash(h);
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
            digest: 0,
            network: Net::new(self.network),
            history,
        };
        for (i, actor) in self.actors.iter().enumerate() {
            let mut out = Out::new();
            let state = actor.on_start(Id::from(i), &None, &mut out);
            s.actors.push(state);
            self.process(i, out, &mut s);
        }
        s.digest = s.fresh_digest();
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
        let change = self.change(last, action)?;
        let mut next = last.clone();
        if let Some(env) = &change.removed {
            if !next.network.remove(env) {
                return None;
            }
        }
        if change.crashed != last.crashed {
            next.set_crashed(change.crashed);
        }
        if let Some(Stepped { index, state, out }) = change.stepped {
            if let Some(state) = state {
                next.set_actor(index, state);
            }
            self.process(index, out, &mut next);
        }
        Some(next)
    }

    /// What `action` changes in `last`, worked out without copying it; `None` if it has no
    /// successor. (A message it takes off the network is not looked for: see
    /// [`Self::next_digest`].)
    fn change<H>(&self, last: &StateOf<A, H>, action: SysAction<A::Msg>) -> Option<Change<A>> {
        let mut change = Change {
            removed: None,
            stepped: None,
            crashed: last.crashed,
        };
        match action {
            ActorModelAction::Drop(e) => change.removed = Some(compact(e.src, e.dst, e.msg)),
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
                if self.network != NetworkKind::Duplicating {
                    change.removed = Some(compact(src, dst, msg));
                }
                let state = match state {
                    Cow::Owned(state) => Some(state),
                    Cow::Borrowed(_) => None,
                };
                change.stepped = Some(Stepped {
                    index: i,
                    state,
                    out,
                });
            }
            ActorModelAction::Crash(id) => change.crashed |= 1 << usize::from(id),
            ActorModelAction::Recover(id) => {
                let i = usize::from(id);
                let mut out = Out::new();
                let state = self.actors[i].on_start(id, &last.storage[i], &mut out);
                change.crashed &= !(1 << i);
                change.stepped = Some(Stepped {
                    index: i,
                    state: Some(state),
                    out,
                });
            }
            ActorModelAction::Timeout(..) | ActorModelAction::SelectRandom { .. } => return None,
        }
        Some(change)
    }

    /// What the `Hash` of the state after `action` writes, worked out without building that
    /// state, when the model then removes the messages to and from the actor that stepped
    /// for which `dead` holds (given the actor states after the step), as the WOR model's
    /// dead-message collection does. `Some(None)`: `action` has no successor; `None`: not
    /// known, on the ordered network, whose states hash their messages in order. `action`
    /// must be one of `last`'s [`Self::actions`], whose messages are in flight; `dead` must
    /// depend only on the states of a message's sender and recipient, and hold of no message
    /// in flight in `last` (the model removed them after every step).
    ///
    /// Most successors in an exhaustive search are states visited already: knowing the
    /// fingerprint first spares the copy of the state, the messages' removal and the hashing
    /// (see the worm engine's predictions).
    pub fn next_digest<H>(
        &self,
        last: &StateOf<A, H>,
        action: SysAction<A::Msg>,
        dead: impl Fn(&View<'_, A::State>, &Env<A::Msg>) -> bool,
    ) -> Option<Option<u64>> {
        if self.network == NetworkKind::Ordered {
            return None;
        }
        let Some(change) = self.change(last, action) else {
            return Some(None);
        };
        let mut d = last.digest.wrapping_add(last.network.digest);
        if change.crashed != last.crashed {
            d = d
                .wrapping_sub(crashed_part(last.crashed))
                .wrapping_add(crashed_part(change.crashed));
        }
        if let Some(env) = &change.removed {
            d = d.wrapping_sub(env_part(env));
        }
        let Some(Stepped {
            index: i,
            state,
            out,
        }) = &change.stepped
        else {
            return Some(Some(d));
        };
        let i = *i;
        if let Some(state) = state {
            d = d
                .wrapping_sub(actor_part(i, &last.actors[i]))
                .wrapping_add(actor_part(i, state));
        }
        let view = View {
            actors: &last.actors,
            changed: state.as_ref().map(|s| (i, s)),
        };
        let mut saved = None;
        for (k, command) in out.iter().enumerate() {
            match command {
                Command::Send(dst, msg) => {
                    let env = compact(Id::from(i), *dst, *msg);
                    let duplicate = self.network == NetworkKind::Duplicating
                        && (last.network.contains(&env)
                            || out[..k].iter().any(
                                |c| matches!(c, Command::Send(d, m) if (*d, *m) == (*dst, *msg)),
                            ));
                    // Sent by the actor that stepped: the model collects it at once if dead.
                    if !duplicate && !dead(&view, &env) {
                        d = d.wrapping_add(env_part(&env));
                    }
                }
                Command::Save(storage) => saved = Some(storage),
                Command::SetTimer(..) | Command::CancelTimer(_) | Command::ChooseRandom(..) => {
                    unimplemented!("ActorSystem supports neither timers nor random choices")
                }
            }
        }
        if let Some(storage) = saved {
            d = d
                .wrapping_sub(storage_part(i, last.storage[i].as_ref()))
                .wrapping_add(storage_part(i, Some(storage)));
        }
        // The messages already in flight to or from it, but the one the step took off. If its
        // state did not change, neither did theirs: they are all live still.
        if state.is_none() {
            return Some(Some(d));
        }
        let mut removed = change.removed.as_ref();
        for e in last.network.iter() {
            if usize::from(e.src) != i && usize::from(e.dst) != i {
                continue;
            }
            if removed == Some(e) {
                removed = None;
                continue;
            }
            if dead(&view, e) {
                d = d.wrapping_sub(env_part(e));
            }
        }
        Some(Some(d))
    }

    fn process<H>(&self, i: usize, out: Out<A>, s: &mut StateOf<A, H>) {
        for command in out {
            match command {
                Command::Send(dst, msg) => {
                    s.network.send(compact(Id::from(i), dst, msg));
                }
                Command::Save(storage) => s.set_storage(i, storage),
                Command::SetTimer(..) | Command::CancelTimer(_) | Command::ChooseRandom(..) => {
                    unimplemented!("ActorSystem supports neither timers nor random choices")
                }
            }
        }
    }
}

/// What a step changes, worked out from the last state (see [`ActorSystem::next_state`]).
struct Change<A: Actor> {
    /// The message the step takes off the network.
    removed: Option<Env<A::Msg>>,
    /// The actor that took the step, if one did.
    stepped: Option<Stepped<A>>,
    /// The crash bits after the step.
    crashed: u64,
}

/// An actor's step: a delivery to it, or its restart.
struct Stepped<A: Actor> {
    index: usize,
    /// Its new state, if the step changed it.
    state: Option<A::State>,
    /// The messages it sent and the storage it saved.
    out: Out<A>,
}

/// The actor states right after a step that changed at most one of them, without copying
/// them.
pub struct View<'a, S> {
    actors: &'a [S],
    changed: Option<(usize, &'a S)>,
}

impl<'a, S> View<'a, S> {
    /// The states as they are.
    pub fn of(actors: &'a [S]) -> Self {
        View {
            actors,
            changed: None,
        }
    }
}

impl<S> std::ops::Index<usize> for View<'_, S> {
    type Output = S;
    fn index(&self, i: usize) -> &S {
        match self.changed {
            Some((j, s)) if j == i => s,
            _ => &self.actors[i],
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
