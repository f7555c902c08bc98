//! # Protocols that refine the ADO
//!
//! The ADO ([`crate::ado`]) claims to abstract every leader-based replication protocol; this
//! module checks the claim for two of them, through the generic refinement harness
//! ([`worm_refinement::Refinement`]): every protocol step must be a stutter or a step of the
//! ADO model ([`AdoModel`]), under an abstraction function.
//!
//! - [`caspaxos`]: the CASPaxos model of [`crate::caspaxos`] (the one checked on its own, not a
//!   copy), as the ADO whose object is the register and whose methods are the change functions.
//!   pull = a prepare quorum (a fresh ballot; the starting point is the proposal accepted at the
//!   highest ballot in the quorum), invoke = applying the change function (the same protocol
//!   step: the refinement allows one protocol step to be two ADO steps), push = an accept
//!   quorum. A prepare conflict is a visible FAIL of pull.
//! - [`multipaxos`]: the Multi-Paxos model of [`crate::multipaxos`], as the ADO of a command
//!   log. pull = phase 1 for all later slots (the starting point is the last entry of the
//!   recovered run), invoke = proposing a command at the next slot, push = a phase 2 quorum.
//!
//! ## The abstraction: a history variable
//!
//! The ADO's timestamps are drawn in the order pulls *happen* (each pull takes the next one);
//! a protocol's ballots are drawn before their prepares even reach an acceptor, so two pulls
//! may complete in the other order than their ballots. The abstract state therefore cannot be
//! computed from the protocol state alone: the checked model carries a ghost ADO next to the
//! protocol and applies to it, at each protocol step, the ADO operations that step performs
//! (with the outcome the protocol produced: the starting point its quorum reported, the
//! method it applied), mapping each ballot to the timestamp its pull drew. The abstraction
//! function returns the ghost. The harness then checks that every update is an *enabled* step
//! of the ADO model: a pull must start from the log tip or a live cache entry (never from a
//! pruned branch or from below the tip: that would lose a committed call), an invoke must hang
//! under the node's point, a push must commit the node's branch. On top, the model checks that
//! each successful push commits exactly the object state the protocol acknowledged.
//!
//! Two protocol behaviours are abstracted as ADO FAILs although the protocol reports success.
//! Both come from a pull that completes after a pull under a higher ballot (the ADO draws
//! timestamps in the order pulls happen, the protocol in the order ballots are chosen):
//!
//! - *A stale pull.* A proposer's prepare quorum completes after a higher ballot's pull, and its
//!   quorum's answers are older than what has been committed since (its starting point is below
//!   the log tip or on a pruned branch). Its ballot can never reach an accept quorum (a quorum
//!   promised the higher ballot before it could accept anything), so in the ADO its pull FAILs
//!   and what it invokes stays local. A pull under the highest ballot so far is never excused.
//! - *An overtaken push.* A proposer's accept quorum completes after another proposer's pull
//!   (legal in Paxos: the acceptor shared by both quorums accepted before it promised). The
//!   ADO lets only the latest puller push, so that push is a FAIL in the ADO; the entries stay
//!   in the cache, and the later puller, whose starting point extends them, commits them with
//!   its own push.
//!
//! The ADO's FAIL means "unknown outcome", so both are sound for the ADO's callers, but weaker
//! than what the protocol tells its own client. The checker found both: without these two
//! excuses the correct protocols do not refine this ADO (see the tests).

pub mod caspaxos;
pub mod multipaxos;

use crate::ado::model::{is_chain, results_agree};
use crate::ado::{Ado, AdoConfig, AdoModel, AdoObject, Id, NodeId, Pulled, Pushed, Ts};
use crate::caspaxos::Ballot;
use stateright::{Model, Property};
use std::fmt::Debug;
use std::hash::Hash;

/// An ADO operation a protocol step performs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event<O: AdoObject> {
    /// A successful pull under `ballot`, from the entry the protocol's quorum reported.
    Pull {
        node: NodeId,
        ballot: Ballot,
        point: Point,
    },
    PullFail(NodeId),
    Invoke(NodeId, O::Method),
    /// The protocol acknowledged `node`'s push; `committed` is the object's state it says is
    /// committed.
    Push {
        node: NodeId,
        committed: O::State,
    },
}

/// A starting point as the protocol names it: the root, or the entry first proposed under a
/// ballot, at a depth (its position in the log, counting from 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Point {
    Root,
    Entry {
        time: Ballot,
        depth: u8,
    },
    /// The one entry proposed under a ballot (CASPaxos proposes once per ballot).
    Only {
        time: Ballot,
    },
}

/// A protocol that performs ADO operations.
pub trait Protocol: Model {
    type Obj: AdoObject;

    /// The ADO operations of the step `last -> next` taken by `action`, in order.
    fn events(
        &self,
        last: &Self::State,
        action: &Self::Action,
        next: &Self::State,
    ) -> Vec<Event<Self::Obj>>;
}

/// The ghost: the ADO, and the timestamp each ballot's pull drew.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ghost<O: AdoObject> {
    pub ado: Ado<O>,
    /// Sorted by ballot.
    pub tss: Vec<(Ballot, Ts)>,
    /// A push committed a state other than the one the protocol acknowledged.
    pub mismatch: bool,
}

impl<O: AdoObject> Ghost<O> {
    /// The timestamp `ballot`'s pull drew (0, which names no entry, if it drew none).
    pub fn ts_of(&self, ballot: Ballot) -> Ts {
        self.tss
            .binary_search_by_key(&ballot, |&(b, _)| b)
            .map_or(0, |i| self.tss[i].1)
    }

    fn id(&self, point: Point) -> Id {
        match point {
            Point::Root => Id::ROOT,
            Point::Entry { time, depth } => Id {
                ts: self.ts_of(time),
                depth,
            },
            Point::Only { time } => {
                let ts = self.ts_of(time);
                let ids = (0..self.ado.log.len()).map(|i| self.ado.log_id(i));
                ids.chain(self.ado.cache.keys().copied())
                    .find(|id| id.ts == ts)
                    // Pruned: no live entry has this timestamp, nor does this id.
                    .unwrap_or(Id { ts, depth: u8::MAX })
            }
        }
    }

    /// Applies `event`; `strict` drops the two excuses of the module comment.
    fn apply(&mut self, obj: &O, event: Event<O>, strict: bool) {
        match event {
            Event::Pull {
                node,
                ballot,
                point,
            } => {
                let point = self.id(point);
                let stale = self.tss.last().is_some_and(|&(b, _)| b > ballot);
                if !strict && stale && !self.ado.starting_points(None).contains(&point) {
                    // A quorum's stale answers: see the module comment.
                    self.ado = self.ado.pull(obj, node, Pulled::Fail);
                    return;
                }
                self.ado = self.ado.pull(obj, node, Pulled::Ok(point));
                let at = self.tss.partition_point(|&(b, _)| b < ballot);
                self.tss.insert(at, (ballot, self.ado.max_ts));
            }
            Event::PullFail(node) => self.ado = self.ado.pull(obj, node, Pulled::Fail),
            Event::Invoke(node, m) => self.ado = self.ado.invoke(obj, node, &m).0,
            // Only the latest puller's push succeeds in the ADO; see the module comment.
            Event::Push { node, committed } if strict || self.ado.can_push(node, None) => {
                self.ado = self.ado.push(node, Pushed::Ok);
                self.mismatch |= self.ado.committed_state(obj) != committed;
            }
            Event::Push { .. } => {}
        }
    }
}

/// A protocol state with its ghost ADO.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Traced<S, O: AdoObject> {
    pub low: S,
    pub ghost: Ghost<O>,
}

/// A protocol that keeps the ghost ADO up to date.
pub struct WithGhost<P: Protocol> {
    pub protocol: P,
    pub obj: P::Obj,
    pub nodes: usize,
    /// The naive abstraction: every pull the protocol completes is an ADO pull that succeeds,
    /// and every push it acknowledges an ADO push that succeeds. Correct protocols do not
    /// refine the ADO under it (the tests pin the counterexamples).
    pub strict: bool,
}

impl<P> Model for WithGhost<P>
where
    P: Protocol,
    P::State: Clone + Debug + Hash + Eq,
    P::Action: Clone + Debug,
{
    type State = Traced<P::State, P::Obj>;
    type Action = P::Action;

    fn init_states(&self) -> Vec<Self::State> {
        let ghost = Ghost {
            ado: Ado::new(&self.obj, self.nodes),
            tss: Vec::new(),
            mismatch: false,
        };
        self.protocol
            .init_states()
            .into_iter()
            .map(|low| Traced {
                low,
                ghost: ghost.clone(),
            })
            .collect()
    }

    fn actions(&self, s: &Self::State, actions: &mut Vec<Self::Action>) {
        self.protocol.actions(&s.low, actions);
    }

    fn next_state(&self, last: &Self::State, action: Self::Action) -> Option<Self::State> {
        let low = self.protocol.next_state(&last.low, action.clone())?;
        let mut ghost = last.ghost.clone();
        for event in self.protocol.events(&last.low, &action, &low) {
            ghost.apply(&self.obj, event, self.strict);
        }
        Some(Traced { low, ghost })
    }

    fn format_action(&self, action: &Self::Action) -> String {
        self.protocol.format_action(action)
    }

    fn format_step(&self, last: &Self::State, action: Self::Action) -> Option<String> {
        self.protocol.format_step(&last.low, action)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always(
                "a push commits what the protocol acknowledged",
                |_, s: &Self::State| !s.ghost.mismatch,
            ),
            Property::always("the ADO's log is a chain", |_, s: &Self::State| {
                is_chain(&s.ghost.ado)
            }),
            Property::always(
                "results agree with the ADO's log",
                |m: &Self, s: &Self::State| results_agree(&m.obj, &s.ghost.ado),
            ),
            Property::sometimes("a call committed in the ADO", |_, s: &Self::State| {
                !s.ghost.ado.log.is_empty()
            }),
        ]
    }
}

/// The ADO model a protocol with `nodes` callers invoking `methods` refines: bounds large
/// enough for every model here (the protocols' own bounds are tighter).
pub fn ado_model<O: AdoObject>(obj: O, nodes: usize, methods: Vec<O::Method>) -> AdoModel<O> {
    let cfg = AdoConfig {
        nodes,
        max_ts: 8,
        max_entries: 6,
        bug: None,
    };
    AdoModel::new(cfg, obj, methods)
}

/// The abstraction function: the ghost ADO.
pub fn abstraction<P: Protocol>(_: &WithGhost<P>, s: &Traced<P::State, P::Obj>) -> Ado<P::Obj>
where
    P::State: Clone + Debug + Hash + Eq,
    P::Action: Clone + Debug,
{
    s.ghost.ado.clone()
}
