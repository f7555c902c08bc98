//! The WOR model: configuration, named bugs, the client-visible history, the properties, and
//! the refinement into the abstract spec.
//!
//! The protocol state is stateright's actor system. On top of it this module keeps a history
//! (an auxiliary variable, as in TLA+): the capture / write / read invocations and returns
//! seen so far, for the linearizability, agreement and stability properties, and the ghost
//! record of every acceptor's votes, from which "a value is chosen" (a majority accepted one
//! proposal) is defined. Acceptors overwrite their accepted proposal, so chosen-ness cannot
//! be read off their current state alone; TLA+'s Paxos keeps every message for the same reason.
//!
//! The linearizability monitor keeps every linearization of the history that the future might
//! still need, and a writer whose capture has been stolen would leave some that had its write
//! succeed, depending on the order of events the protocol has long forgotten. So the model
//! tells the monitor when a write can no longer succeed (`WorModel::settle_lost_writes`),
//! and histories that differ only there become one state (without this the history doubled
//! the state space at three writers). This can never hide a violation; see
//! [`worm_refinement::LinMonitor::settle`].
//!
//! The abstraction into [`WorObject`]: `latest` is the highest ballot that a majority has
//! promised (no lower ballot can be chosen any more), `value` is the chosen value, and
//! `pending` the values some acceptor has voted for (writes that may take effect).

use super::spec::{Domain, ValueSet, WorObject, WorOp, WorRet};
use super::{
    client_value, AcceptorSet, AcceptorState, Ballot, ClientState, Phase, Proposal, Role, Value,
    WorActor, WorMsg, WorState,
};
use crate::interned::{Interned, Interner};
use crate::network::NetworkKind;
use crate::symmetry::Renaming;
use crate::system::{ActorSystem, Env, StateOf, SysAction, View};
use stateright::actor::{ActorModelAction, Envelope, Id};
use stateright::{Model, Property};
use std::collections::BTreeMap;
use std::sync::LazyLock;
use worm_refinement::{LinMonitor, RefinedOf, Refinement, SpecModel};

/// The classic mistakes of single-shot Paxos, each switched on by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WorBug {
    /// The acceptor does not persist its promise: a crash forgets it.
    ForgetPromise,
    /// The acceptor accepts a proposal below its promise.
    AcceptLowerBallot,
    /// A capturer writes its own value instead of the highest accepted one.
    IgnoreAcceptedValue,
    /// Quorums of n/2 (rounded down) acceptors, which need not intersect.
    MinorityQuorum,
    /// A read returns a value seen on fewer than a quorum without completing it.
    ReadNoComplete,
}

impl WorBug {
    pub const ALL: [WorBug; 5] = [
        Self::ForgetPromise,
        Self::AcceptLowerBallot,
        Self::IgnoreAcceptedValue,
        Self::MinorityQuorum,
        Self::ReadNoComplete,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::ForgetPromise => "forget-promise",
            Self::AcceptLowerBallot => "accept-lower-ballot",
            Self::IgnoreAcceptedValue => "ignore-accepted-value",
            Self::MinorityQuorum => "minority-quorum",
            Self::ReadNoComplete => "read-no-complete",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::ForgetPromise => "the promise is not durable across a crash",
            Self::AcceptLowerBallot => "an acceptor accepts a ballot below its promise",
            Self::IgnoreAcceptedValue => {
                "a new capturer writes its own value instead of the highest accepted one"
            }
            Self::MinorityQuorum => "quorums of n/2 acceptors, which need not intersect",
            Self::ReadNoComplete => {
                "a read returns a value seen on fewer than a quorum without completing it"
            }
        }
    }

    /// The configuration in which the checker looks for the bug: the defaults, plus a crash
    /// where the bug needs one, and for `read-no-complete` a reader on the ordered network
    /// (which has fewer interleavings, so breadth-first search reaches the counterexample
    /// after a million states rather than three and a half).
    pub fn config(self) -> WorConfig {
        let read = self == Self::ReadNoComplete;
        WorConfig {
            crashes: usize::from(self == Self::ForgetPromise),
            readers: usize::from(read),
            network: if read {
                NetworkKind::Ordered
            } else {
                NetworkKind::Unordered
            },
            bug: Some(self),
            ..WorConfig::default()
        }
    }
}

crate::bug_names!(WorBug, "WOR");

/// The size and environment of a WOR model.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WorConfig {
    pub acceptors: usize,
    /// Writers: clients that capture, then write.
    pub clients: usize,
    /// Clients that read once.
    pub readers: usize,
    /// Capture attempts per client (each nack uses one).
    pub captures: u8,
    /// How many acceptors may be down at once.
    pub crashes: usize,
    pub network: NetworkKind,
    pub lossy: bool,
    pub bug: Option<WorBug>,
    /// Symmetry reduction: every state is renamed into the canonical order of its class of
    /// acceptor renamings (see [`super::symmetry`]), so the model has one state per class.
    pub symmetry: bool,
}

impl Default for WorConfig {
    fn default() -> Self {
        WorConfig {
            acceptors: 3,
            clients: 2,
            readers: 0,
            captures: 1,
            crashes: 0,
            network: NetworkKind::Unordered,
            lossy: false,
            bug: None,
            symmetry: false,
        }
    }
}

impl WorConfig {
    /// Rejects configurations the model cannot represent, naming the bad value.
    pub fn validate(&self) -> Result<(), String> {
        if !(2..=7).contains(&self.acceptors) {
            return Err(format!("acceptors must be 2 to 7, not {}", self.acceptors));
        }
        if !(1..=4).contains(&self.clients) {
            return Err(format!("clients must be 1 to 4, not {}", self.clients));
        }
        if self.readers > 2 {
            return Err(format!("readers must be 0 to 2, not {}", self.readers));
        }
        if !(1..=3).contains(&self.captures) {
            return Err(format!("captures must be 1 to 3, not {}", self.captures));
        }
        if self.crashes > self.acceptors {
            return Err(format!(
                "crashes must be at most the number of acceptors ({}), not {}",
                self.acceptors, self.crashes
            ));
        }
        Ok(())
    }

    /// A majority of the acceptors: the quorum that makes Paxos safe.
    pub fn majority(&self) -> usize {
        self.acceptors / 2 + 1
    }

    /// The quorum the clients wait for.
    pub fn quorum(&self) -> usize {
        match self.bug {
            Some(WorBug::MinorityQuorum) => (self.acceptors / 2).max(1),
            _ => self.majority(),
        }
    }

    /// Every ballot and value the protocol can produce: a writer uses one round per capture
    /// attempt and a reader one, and fast-forwarding never goes past the highest round in use.
    fn domain(&self) -> Domain {
        let max_round = self.clients as u8 * self.captures + self.readers as u8;
        let clients = 0..(self.clients + self.readers) as u8;
        Domain {
            ballots: (1..=max_round)
                .flat_map(|r| clients.clone().map(move |c| Ballot::new(r, c)))
                .collect(),
            values: (0..self.clients as u8).map(client_value).collect(),
        }
    }

    /// The protocol model, wrapped in the check that it refines the WOR spec.
    pub fn into_model(self) -> WorCheck {
        let domain = Domain::shared(self.domain());
        let spec = SpecModel::new(WorObject {
            domain,
            ..Default::default()
        });
        let low = WorModel::new(self, domain);
        Refinement::new(low, spec, abstraction, "refines the WOR spec")
    }
}

/// What `worm check wor` explores: the protocol, its properties, and the refinement check.
pub type WorCheck = Refinement<WorModel, SpecModel<WorObject>>;

/// A state of [`WorCheck`]: a protocol state with its abstraction and refinement verdict.
pub type WorCheckState = RefinedOf<WorModel, SpecModel<WorObject>>;

/// A state of the protocol model.
///
/// The history is interned (see [`crate::interned`]): most steps leave it unchanged, and the
/// few distinct histories recur across millions of states, so a state holds a shared pointer
/// and each step of a history is computed once.
pub type WorSysState = StateOf<WorActor, Interned<WorHistory>>;

/// Every history of every WOR model in this process, and the steps between them.
pub(super) static HISTORIES: LazyLock<Interner<WorHistory, HistoryStep>> =
    LazyLock::new(Interner::default);

/// A step of the history: the arguments of the [`WorHistory`] method that takes it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum HistoryStep {
    Vote {
        acceptor: u8,
        proposal: Proposal,
        majority: u8,
    },
    Invoke {
        client: u8,
        op: WorOp,
    },
    Ret {
        client: u8,
        ret: WorRet,
    },
    /// The client's operation can only end with this result (see [`WorModel::settle_lost_writes`]).
    Settle {
        client: u8,
        ret: WorRet,
    },
    /// Acceptor `i` renamed to `perm[i]` (symmetry).
    Rename([u8; 8]),
}

/// A step of the protocol model.
pub type WorAction = SysAction<WorMsg>;

/// The auxiliary history: client-visible events, and the ghost record of votes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WorHistory {
    /// The capture / write / read history, as far as linearizability needs it.
    pub lin: LinMonitor<u8, WorObject>,
    /// Ghost: which acceptors have voted for (accepted) each proposal, ever.
    /// Sorted by proposal; a vector rather than a map because it is cloned with every state.
    pub votes: Vec<(Proposal, AcceptorSet)>,
    /// Ghost: the value of the proposal a majority most recently voted for.
    pub chosen: Option<Value>,
    /// Every value returned to a client (by a write or a read).
    pub returned: ValueSet,
    /// For each client reading: a value that had been returned before its read began.
    pub read_floors: BTreeMap<u8, Value>,
    /// A read returned something other than a value returned before it began.
    pub unstable: bool,
}

impl WorHistory {
    pub fn new(init: WorObject) -> Self {
        WorHistory {
            lin: LinMonitor::new(init),
            votes: Vec::new(),
            chosen: None,
            returned: ValueSet::default(),
            read_floors: BTreeMap::new(),
            unstable: false,
        }
    }

    pub fn invoke(&mut self, client: u8, op: WorOp) {
        self.lin.invoke(client, op);
        if op == WorOp::Read {
            if let Some(v) = self.returned.iter().next() {
                self.read_floors.insert(client, v);
            }
        }
    }

    /// Client `client`'s operation returned `ret`.
    pub fn ret(&mut self, client: u8, ret: WorRet) {
        self.lin.ret(client, ret);
        self.returned(client, ret);
    }

    /// What a return means for agreement and stability.
    fn returned(&mut self, client: u8, ret: WorRet) {
        if let WorRet::Written(v) | WorRet::ReadValue(Some(v)) = ret {
            self.returned.insert(v);
        }
        if let WorRet::ReadValue(read) = ret {
            if let Some(floor) = self.read_floors.remove(&client) {
                self.unstable |= read != Some(floor);
            }
        }
    }

    pub fn vote(&mut self, acceptor: usize, proposal: Proposal, majority: usize) {
        let at = match self.votes.binary_search_by(|(p, _)| p.cmp(&proposal)) {
            Ok(at) => at,
            Err(at) => {
                self.votes.insert(at, (proposal, AcceptorSet::default()));
                at
            }
        };
        let voters = &mut self.votes[at].1;
        voters.insert(acceptor);
        if voters.len() >= majority {
            self.chosen = Some(proposal.1);
        }
    }
}

/// The WOR protocol as a stateright actor system, with the history kept up to date.
pub struct WorModel {
    pub cfg: WorConfig,
    init: WorObject,
    pub(super) system: ActorSystem<WorActor>,
    domain: &'static Domain,
}

impl WorModel {
    pub(super) fn new(cfg: WorConfig, domain: &'static Domain) -> Self {
        let init = WorObject {
            domain,
            ..Default::default()
        };
        let acceptors = (0..cfg.acceptors).map(|_| WorActor::Acceptor { bug: cfg.bug });
        let roles = std::iter::repeat_n(Role::Writer, cfg.clients)
            .chain(std::iter::repeat_n(Role::Reader, cfg.readers));
        let clients = roles.zip(0..).map(|(role, index)| WorActor::Client {
            index,
            role,
            acceptors: cfg.acceptors,
            quorum: cfg.quorum(),
            captures: cfg.captures,
            bug: cfg.bug,
        });
        let system = ActorSystem {
            actors: acceptors.chain(clients).collect(),
            network: cfg.network,
            lossy: cfg.lossy,
            max_crashes: cfg.crashes,
            // Only acceptors crash: a client is the caller, and its operations end when it does.
            crashable: cfg.acceptors,
        };
        WorModel {
            cfg,
            system,
            domain,
            init,
        }
    }

    /// A readable name for an actor: `a0`.. for acceptors, `cA`.. for clients.
    pub fn actor_name(&self, id: Id) -> String {
        let i = usize::from(id);
        if i < self.cfg.acceptors {
            format!("a{i}")
        } else {
            format!("c{}", client_value((i - self.cfg.acceptors) as u8))
        }
    }

    /// Removes messages whose delivery can never change anything: replies a client no longer
    /// awaits (see [`super::ClientState::awaits`]), reads for a read that has moved on, and
    /// requests below the acceptor's promise whose nack nobody awaits (sound only while
    /// promises never go down and acceptors never accept below them, so not under the bugs
    /// that break either).
    /// Delivering them would be a no-op step, so removing them merges states without removing
    /// behaviour.
    ///
    /// Whether a message is live depends only on the states of its sender and recipient, so
    /// after a step of actor `i` (`touching: Some(i)`) only the messages to and from `i` are
    /// looked at: the others were live before and still are. `None` looks at all of them.
    pub(super) fn collect_dead_messages<H>(
        &self,
        s: &mut StateOf<WorActor, H>,
        touching: Option<usize>,
    ) {
        let (states, network, _) = s.split();
        let states = View::of(states);
        network.retain(|e| {
            let touched =
                touching.is_none_or(|i| usize::from(e.src) == i || usize::from(e.dst) == i);
            !touched || self.live(&states, e)
        });
    }

    /// Whether message `e` can still change some actor, given the actor states.
    pub(super) fn live(&self, states: &View<'_, WorState>, e: &Env<WorMsg>) -> bool {
        let promises_only_grow = self.cfg.bug != Some(WorBug::ForgetPromise);
        let accepts_respect_promise = self.cfg.bug != Some(WorBug::AcceptLowerBallot);
        let promised = |i: usize| match &states[i] {
            WorState::Acceptor(a) => a.promised,
            WorState::Client(_) => unreachable!("requests go to acceptors"),
        };
        let client = |i: usize| match &states[i] {
            WorState::Client(c) => c,
            WorState::Acceptor(_) => unreachable!("clients come after acceptors"),
        };
        let (src, dst, msg) = (usize::from(e.src), usize::from(e.dst), &e.msg);
        match msg {
            // A read request is live while its reply would be.
            WorMsg::Read(b) => client(src).awaits(dst, &WorMsg::ReadReply(*b, None)),
            // A request below the acceptor's promise can only be nacked; it is dead once
            // its client no longer awaits the nack, provided promises never go down.
            WorMsg::Prepare(b) | WorMsg::Accept(b, _)
                if promises_only_grow
                    && (matches!(msg, WorMsg::Prepare(_)) || accepts_respect_promise)
                    && *b < promised(dst) =>
            {
                client(src).awaits(dst, &WorMsg::Nack(*b, Ballot::ZERO))
            }
            _ if dst < self.cfg.acceptors => true,
            _ => client(dst).awaits(src, msg),
        }
    }

    /// The actor whose state a step changes, if any: the recipient of a delivery, or a
    /// restarted actor. A crash keeps the actor's last state, a loss changes none.
    pub(super) fn stepped(action: &WorAction) -> Option<usize> {
        match action {
            ActorModelAction::Deliver { dst: i, .. } | ActorModelAction::Recover(i) => {
                Some(usize::from(*i))
            }
            _ => None,
        }
    }

    /// The state after `action`, before any renaming for symmetry.
    fn step(&self, last: &WorSysState, action: WorAction) -> Option<WorSysState> {
        let dst = match &action {
            ActorModelAction::Deliver { dst, .. } => Some(usize::from(*dst)),
            _ => None,
        };
        let stepped = Self::stepped(&action);
        let mut next = self.system.next_state(last, action)?;
        if let Some(index) = dst {
            self.observe(&last.actors()[index], index, &mut next);
        }
        if stepped.is_some() {
            self.collect_dead_messages(&mut next, stepped);
        }
        self.settle_lost_writes(&mut next);
        Some(next)
    }

    /// Tells the linearizability monitor about writes that can no longer succeed: a writer
    /// whose ballot cannot gather a quorum of `Accepted` any more will end `Unknown`, if it
    /// ends at all. Linearizations that had it succeed are dropped, which merges histories
    /// that differ only in them (see [`worm_refinement::LinMonitor::settle`]; this can never
    /// hide a violation).
    ///
    /// The acceptors that may still count towards the quorum are those that accepted already,
    /// those whose `Accepted` is on its way, and those with the `Accept` on its way and a
    /// promise not above the ballot; a promise never goes down, so an acceptor that promised
    /// more will never accept. That holds only while promises are durable and acceptors
    /// respect them, so not under the bugs that break either.
    fn settle_lost_writes(&self, s: &mut WorSysState) {
        if matches!(
            self.cfg.bug,
            Some(WorBug::ForgetPromise | WorBug::AcceptLowerBallot)
        ) {
            return;
        }
        let n = self.cfg.acceptors;
        // Per client: the ballot and value of its write, and who may still accept it.
        let mut writes = [None; 8];
        for (slot, a) in writes.iter_mut().zip(&s.actors()[n..]) {
            if let WorState::Client(ClientState {
                phase:
                    Phase::Accept {
                        ballot,
                        value,
                        accepts,
                        completing: false,
                    },
                ..
            }) = *a
            {
                *slot = Some((ballot, value, accepts));
            }
        }
        if writes.iter().all(Option::is_none) {
            return;
        }
        for e in s.network.iter() {
            let (src, dst) = (usize::from(e.src), usize::from(e.dst));
            let (client, acceptor, b) = match e.msg {
                WorMsg::Accepted(b) => (dst - n, src, b),
                WorMsg::Accept(b, _) => match &s.actors()[dst] {
                    WorState::Acceptor(a) if a.promised <= b => (src - n, dst, b),
                    _ => continue,
                },
                _ => continue,
            };
            if let Some((ballot, _, may_accept)) = &mut writes[client] {
                if *ballot == b {
                    may_accept.insert(acceptor);
                }
            }
        }
        for (client, write) in writes.iter().enumerate() {
            let Some((_, value, may_accept)) = *write else {
                continue;
            };
            let (client, ret) = (client as u8, WorRet::Unknown(value));
            if may_accept.len() < self.cfg.quorum() && !s.history.lin.is_settled(client, &ret) {
                let step = HistoryStep::Settle { client, ret };
                s.history = HISTORIES.step(&s.history, step, |h| h.lin.settle(client, ret));
            }
        }
    }

    /// Brings the history up to date after actor `index` stepped from `old` to its state in `s`.
    fn observe(&self, old: &WorState, index: usize, s: &mut WorSysState) {
        let (actors, _, history) = s.split();
        match (old, &actors[index]) {
            (WorState::Acceptor(before), WorState::Acceptor(after)) => {
                if let Some(p) = after.accepted.filter(|_| after.accepted != before.accepted) {
                    let majority = self.cfg.majority();
                    let step = HistoryStep::Vote {
                        acceptor: index as u8,
                        proposal: p,
                        majority: majority as u8,
                    };
                    *history = HISTORIES.step(history, step, |h| h.vote(index, p, majority));
                }
            }
            (WorState::Client(before), WorState::Client(after)) => {
                let client = (index - self.cfg.acceptors) as u8;
                let returned = after.results.len() - before.results.len();
                for ret in after.results.iter().skip(before.results.len()) {
                    let step = HistoryStep::Ret { client, ret };
                    *history = HISTORIES.step(history, step, |h| h.ret(client, ret));
                }
                if let Some(op) = after.current_op() {
                    if returned > 0 || before.current_op().is_none() {
                        let step = HistoryStep::Invoke { client, op };
                        *history = HISTORIES.step(history, step, |h| h.invoke(client, op));
                    }
                }
            }
            _ => {}
        }
    }
}

impl Model for WorModel {
    type State = WorSysState;
    type Action = WorAction;

    fn init_states(&self) -> Vec<WorSysState> {
        let mut s = self
            .system
            .init_state(HISTORIES.intern(WorHistory::new(self.init.clone())));
        self.collect_dead_messages(&mut s, None);
        for index in self.cfg.acceptors..s.actors().len() {
            if let WorState::Client(c) = &s.actors()[index] {
                if let Some(op) = c.current_op() {
                    let client = (index - self.cfg.acceptors) as u8;
                    let step = HistoryStep::Invoke { client, op };
                    s.history = HISTORIES.step(&s.history, step, |h| h.invoke(client, op));
                }
            }
        }
        if self.cfg.symmetry {
            super::symmetry::canonicalise(&mut s);
        }
        vec![s]
    }

    fn actions(&self, state: &WorSysState, actions: &mut Vec<WorAction>) {
        self.system.actions(state, actions);
    }

    fn next_state(&self, last: &WorSysState, action: WorAction) -> Option<WorSysState> {
        let mut next = self.step(last, action)?;
        if self.cfg.symmetry {
            super::symmetry::canonicalise(&mut next);
        }
        Some(next)
    }

    fn format_action(&self, action: &WorAction) -> String {
        crate::network::format_action(action, |id| self.actor_name(id))
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("agreement", |_, s: &WorSysState| {
                s.history.returned.iter().count() <= 1
            }),
            Property::always("stability", |_, s: &WorSysState| !s.history.unstable),
            Property::always("linearizable", |_, s: &WorSysState| {
                s.history.lin.is_linearizable()
            }),
            Property::sometimes("value chosen", |_, s: &WorSysState| {
                s.history.chosen.is_some()
            }),
        ]
    }
}

/// The abstraction function from protocol states to spec states (see the module comment).
pub fn abstraction(m: &WorModel, s: &WorSysState) -> WorObject {
    // On the stack: this runs twice per transition.
    let n = m.cfg.acceptors;
    let mut promises = [Ballot::ZERO; 8];
    for (slot, a) in promises.iter_mut().zip(&s.actors()[..n]) {
        *slot = match *a {
            WorState::Acceptor(AcceptorState { promised, .. }) => promised,
            WorState::Client(_) => unreachable!("acceptors come first"),
        };
    }
    promises[..n].sort_unstable_by(|a, b| b.cmp(a));
    let latest = promises[m.cfg.majority() - 1];
    WorObject {
        latest: (latest != Ballot::ZERO).then_some(latest),
        value: s.history.chosen,
        pending: s.history.votes.iter().map(|(p, _)| p.1).collect(),
        domain: m.domain,
    }
}

/// The actions of a path through canonical states (a counterexample under
/// [`WorConfig::symmetry`]), renamed into the acceptor names of the run without reduction that
/// the path stands for. Each step's renaming into canonical order is undone on the names of
/// the actions after it. The initial state treats all acceptors alike, so it is its own
/// canonical form and both runs start with the same names.
pub fn original_actions(
    m: &WorCheck,
    path: &[(WorCheckState, Option<WorAction>)],
) -> Vec<WorAction> {
    let n = m.low.cfg.acceptors;
    // The name in the run without reduction of each acceptor of the current canonical state.
    let mut original: [Id; Renaming::MAX] = std::array::from_fn(Id::from);
    let mut actions = Vec::new();
    for (s, action) in path {
        let Some(action) = action else { continue };
        let rename = |id: Id| {
            if usize::from(id) < n {
                original[usize::from(id)]
            } else {
                id
            }
        };
        actions.push(match action.clone() {
            ActorModelAction::Deliver { src, dst, msg } => ActorModelAction::Deliver {
                src: rename(src),
                dst: rename(dst),
                msg,
            },
            ActorModelAction::Drop(e) => ActorModelAction::Drop(Envelope {
                src: rename(e.src),
                dst: rename(e.dst),
                msg: e.msg,
            }),
            ActorModelAction::Crash(id) => ActorModelAction::Crash(rename(id)),
            ActorModelAction::Recover(id) => ActorModelAction::Recover(rename(id)),
            other => other,
        });
        let renamed = m
            .low
            .step(&s.low, action.clone())
            .and_then(|mut next| super::symmetry::canonicalise(&mut next));
        if let Some(r) = renamed {
            let before = original;
            for (old, &new) in r.perm().iter().enumerate() {
                original[new] = before[old];
            }
        }
    }
    actions
}
