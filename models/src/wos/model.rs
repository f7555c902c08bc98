//! The WOS model: configuration, named bugs, the history, the properties, and the refinement
//! into the abstract address space.
//!
//! The history (an auxiliary variable, as in the WOR model) keeps, per address, the WOR
//! model's own [`WorHistory`]: the linearizability monitor of that WOR's capture / write /
//! read history, the ghost record of votes from which "chosen" is defined, the values
//! returned and the read floors. So every WOR is held to exactly the WOR's properties. On top
//! of it: who won each alloc, which trims returned, what the subscriber was told, and whether
//! a batch write ever carried two ballots.
//!
//! The abstraction into [`WosSpace`], segment by segment: a segment is *trimmed* once some
//! acceptor holds its tombstone (a tombstone is only ever sent after the trim WOR is written,
//! and from then on the segment's state may be gone); a trimmed segment is blank. Otherwise
//! each WOR maps as in the WOR model, over the acceptors of the segment's partition: `latest`
//! is the highest ballot a majority of them promised for it, `value` its chosen value (the
//! value a majority voted for most recently: should a second value be chosen, as when two
//! partitions take the same segment, the value changes, which no spec step does; TLA+'s
//! mapping holds the set of chosen values instead and fails at the same transition),
//! `pending` the values some acceptor voted for; and the segment is *allocated* once its
//! metadata WOR has a chosen value.

use super::spec::{WosSpace, WosSpec};
use super::{
    client_value, Entries, Event, Layout, Outcome, Role, WosActor, WosMsg, WosState, MAX_ADDRS,
    MAX_DATA,
};
use crate::network::{format_action, retain_live, NetworkKind};
use crate::wor::model::WorHistory;
use crate::wor::spec::{Domain, WorObject, WorOp, WorRet};
use crate::wor::{Ballot, Value, WorMsg};
use stateright::actor::{
    ActorModel, ActorModelAction, ActorModelState, Envelope, Id, LossyNetwork,
};
use stateright::{Model, Path, Property};
use std::sync::Arc;
use worm_refinement::{Refined, RefinedOf, Refinement};

/// The most segments a model may have (see [`MAX_ADDRS`]).
pub const MAX_SEGMENTS: usize = 4;
/// The most clients: each is a letter of a [`crate::wor::spec::ValueSet`].
pub const MAX_CLIENTS: usize = 8;

/// Mistakes in the segment layer, each switched on by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WosBug {
    /// `alloc` writes the metadata WOR without capturing it first.
    AllocWithoutCapture,
    /// An acceptor drops a trimmed segment without keeping a tombstone, so its WORs look
    /// unwritten again and take new captures and writes.
    WriteAfterTrim,
    /// A batch capture nacked on some WORs retries only those, and the batch write then
    /// writes the others with the older, stale capture id.
    BatchWriteStaleCapture,
    /// The subscriber notifies as soon as one acceptor accepted, before a quorum has.
    NotifyBeforeChosen,
    /// The last writer sends segment `s` to partition `s + 1 mod P`.
    WrongPartition,
}

impl WosBug {
    pub const ALL: [WosBug; 5] = [
        Self::AllocWithoutCapture,
        Self::WriteAfterTrim,
        Self::BatchWriteStaleCapture,
        Self::NotifyBeforeChosen,
        Self::WrongPartition,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::AllocWithoutCapture => "alloc-without-capture",
            Self::WriteAfterTrim => "write-after-trim",
            Self::BatchWriteStaleCapture => "batch-write-stale-capture",
            Self::NotifyBeforeChosen => "notify-before-chosen",
            Self::WrongPartition => "wrong-partition",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::AllocWithoutCapture => "alloc writes the metadata WOR without capturing it",
            Self::WriteAfterTrim => {
                "acceptors drop a trimmed segment without a tombstone, so it takes writes again"
            }
            Self::BatchWriteStaleCapture => {
                "a batch write reuses a stale capture id for WORs it did not capture again"
            }
            Self::NotifyBeforeChosen => "the subscriber is notified on the first accept",
            Self::WrongPartition => "the last writer sends segment s to partition s+1 mod P",
        }
    }

    /// The configuration in which the checker looks for the bug: the defaults cut down to
    /// what the bug needs, so that breadth-first search reaches it quickly.
    pub fn config(self) -> WosConfig {
        let base = WosConfig {
            trim: false,
            subscriber: false,
            bug: Some(self),
            ..WosConfig::default()
        };
        match self {
            Self::AllocWithoutCapture => base,
            // A trimmer alone: the trim's own WORs are dropped under it.
            Self::WriteAfterTrim => WosConfig {
                clients: 0,
                trimmers: 1,
                ..base
            },
            // Two data WORs (the default), so that one can be nacked alone, and a second
            // attempt to capture it again.
            Self::BatchWriteStaleCapture => WosConfig {
                captures: 2,
                ..base
            },
            Self::NotifyBeforeChosen => WosConfig {
                clients: 1,
                subscriber: true,
                ..base
            },
            Self::WrongPartition => WosConfig {
                partitions: 2,
                ..base
            },
        }
    }
}

crate::bug_names!(WosBug, "WOS");

/// The size and environment of a WOS model.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WosConfig {
    pub partitions: usize,
    /// Acceptors per partition.
    pub acceptors: usize,
    pub segments: usize,
    /// Data WORs per segment.
    pub segment_size: usize,
    /// Writers: clients that allocate, then batch-write or write.
    pub clients: usize,
    /// Clients that read data WOR 0 once.
    pub readers: usize,
    /// Clients that trim once.
    pub trimmers: usize,
    /// Whether a writer that won its segment trims it after its batch write.
    pub trim: bool,
    /// Whether a subscriber listens to write notifications.
    pub subscriber: bool,
    /// Whether the subscriber is told of the metadata and trim WORs too, not only data WORs.
    pub notify_all: bool,
    /// Capture attempts per operation (each nack uses one).
    pub captures: u8,
    /// How many acceptors may be down at once.
    pub crashes: usize,
    pub network: NetworkKind,
    pub lossy: bool,
    pub bug: Option<WosBug>,
}

impl Default for WosConfig {
    fn default() -> Self {
        WosConfig {
            partitions: 1,
            acceptors: 2,
            segments: 1,
            segment_size: 2,
            clients: 2,
            readers: 0,
            trimmers: 0,
            trim: true,
            subscriber: true,
            notify_all: false,
            captures: 1,
            crashes: 0,
            network: NetworkKind::Unordered,
            lossy: false,
            bug: None,
        }
    }
}

impl WosConfig {
    /// Rejects configurations the model cannot represent, naming the bad value.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=4).contains(&self.partitions) {
            return Err(format!(
                "partitions must be 1 to 4, not {}",
                self.partitions
            ));
        }
        if !(2..=5).contains(&self.acceptors) {
            return Err(format!(
                "acceptors (per partition) must be 2 to 5, not {}",
                self.acceptors
            ));
        }
        if self.partitions * self.acceptors > 8 {
            return Err(format!(
                "partitions × acceptors must be at most 8, not {} × {}",
                self.partitions, self.acceptors
            ));
        }
        if !(1..=MAX_SEGMENTS).contains(&self.segments) {
            return Err(format!(
                "segments must be 1 to {MAX_SEGMENTS}, not {}",
                self.segments
            ));
        }
        if !(1..=MAX_DATA).contains(&self.segment_size) {
            return Err(format!(
                "segment size must be 1 to {MAX_DATA}, not {}",
                self.segment_size
            ));
        }
        if self.segments * (2 + self.segment_size) > MAX_ADDRS {
            return Err(format!(
                "segments × (segment size + 2) must be at most {MAX_ADDRS}, not {} × {}",
                self.segments,
                self.segment_size + 2
            ));
        }
        if self.clients > 4 {
            return Err(format!("clients must be 0 to 4, not {}", self.clients));
        }
        if self.readers > 2 {
            return Err(format!("readers must be 0 to 2, not {}", self.readers));
        }
        if self.trimmers > 2 {
            return Err(format!("trimmers must be 0 to 2, not {}", self.trimmers));
        }
        if self.clients + self.readers + self.trimmers == 0 {
            return Err("there must be at least one client, reader or trimmer".into());
        }
        if !(1..=3).contains(&self.captures) {
            return Err(format!("captures must be 1 to 3, not {}", self.captures));
        }
        if self.crashes > self.partitions * self.acceptors {
            return Err(format!(
                "crashes must be at most the number of acceptors ({}), not {}",
                self.partitions * self.acceptors,
                self.crashes
            ));
        }
        if self.bug == Some(WosBug::WrongPartition) && (self.partitions < 2 || self.clients < 1) {
            return Err("wrong-partition needs at least 2 partitions and a writer".into());
        }
        Ok(())
    }

    pub fn layout(&self) -> Layout {
        Layout {
            segments: self.segments as u8,
            data: self.segment_size as u8,
            partitions: self.partitions as u8,
            acceptors: self.acceptors as u8,
            notify_all: self.notify_all,
        }
    }

    fn total_clients(&self) -> usize {
        self.clients + self.readers + self.trimmers
    }

    /// Every ballot and value the protocol can produce, for the spec: an operation on a WOR
    /// uses one round per capture attempt (a read one), and fast-forwarding never goes past
    /// the highest round in use; writers and trimmers write their letters.
    fn domain(&self) -> Domain {
        let max_round =
            ((self.clients + self.trimmers) * usize::from(self.captures) + self.readers) as u8;
        let clients = 0..self.total_clients() as u8;
        let writers = (0..self.clients as u8)
            .chain((self.clients + self.readers) as u8..self.total_clients() as u8);
        Domain {
            ballots: (1..=max_round)
                .flat_map(|r| clients.clone().map(move |c| Ballot::new(r, c)))
                .collect(),
            values: writers.map(client_value).collect(),
        }
    }

    /// The protocol model, wrapped in the check that it refines the address-space spec.
    pub fn into_model(self) -> WosCheck {
        let blank = WorObject::new(self.domain());
        let spec = WosSpec::new(self.layout(), blank.clone());
        Refinement::new(
            WosModel::new(self, blank),
            spec,
            abstraction,
            "refines the WOS spec",
        )
    }
}

/// What `worm check wos` explores: the protocol, its properties, and the refinement check.
pub type WosCheck = Refinement<WosModel, WosSpec>;

/// A state of the protocol model.
pub type WosSysState = ActorModelState<WosActor, WosHistory>;

/// A step of the protocol model.
pub type WosAction = ActorModelAction<WosMsg, (), ()>;

/// The auxiliary history (see the module comment).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WosHistory {
    /// Per address, the WOR model's history of that WOR.
    pub wors: Vec<WorHistory>,
    /// Per segment, the clients (a bit each) whose alloc won.
    pub allocators: [u8; MAX_SEGMENTS],
    /// Bit `s`: an operation on segment `s` answered `Trimmed`, so the trim is over.
    pub trim_returned: u8,
    /// Bit `c`: client `c`'s operation began after its segment's trim was over.
    pub after_trim: u8,
    /// Such an operation answered something other than `Trimmed`.
    pub not_trimmed: bool,
    /// Per address, the value the subscriber was told of.
    pub notified: [Option<Value>; MAX_ADDRS],
    /// Per client reading, the value notified for its WOR before its read began.
    pub notify_floors: [Option<Value>; MAX_CLIENTS],
    /// A notification named a value that was not chosen, or a later read returned another.
    pub notification_broken: bool,
    pub notified_twice: bool,
    /// Some batch write carried two different ballots.
    pub mixed_batch: bool,
}

impl WosHistory {
    fn new(blank: &WorObject, addresses: usize) -> Self {
        WosHistory {
            wors: vec![WorHistory::new(blank.clone()); addresses],
            allocators: [0; MAX_SEGMENTS],
            trim_returned: 0,
            after_trim: 0,
            not_trimmed: false,
            notified: [None; MAX_ADDRS],
            notify_floors: [None; MAX_CLIENTS],
            notification_broken: false,
            notified_twice: false,
            mixed_batch: false,
        }
    }

    /// Client `c` told of `event`.
    fn record(&mut self, c: u8, event: Event) {
        let bit = 1u8 << c;
        match event {
            Event::Invoke(addr, op) => {
                let addr = usize::from(addr);
                self.wors[addr].invoke(c, op);
                if op == WorOp::Read {
                    self.notify_floors[usize::from(c)] = self.notified[addr];
                }
            }
            Event::Return(addr, ret) => {
                self.wors[usize::from(addr)].ret(c, ret);
                if matches!(ret, WorRet::ReadValue(_) | WorRet::ReadFailed) {
                    let floor = self.notify_floors[usize::from(c)].take();
                    if let (Some(v), WorRet::ReadValue(read)) = (floor, ret) {
                        self.notification_broken |= read != Some(v);
                    }
                }
            }
            Event::Began(seg) => {
                if self.trim_returned & (1 << seg) != 0 {
                    self.after_trim |= bit;
                }
            }
            Event::Ended(seg, outcome) => {
                if self.after_trim & bit != 0 {
                    self.not_trimmed |= outcome != Outcome::Trimmed;
                    self.after_trim &= !bit;
                }
                match outcome {
                    Outcome::Allocated => self.allocators[usize::from(seg)] |= bit,
                    Outcome::Trimmed => self.trim_returned |= 1 << seg,
                    Outcome::Taken | Outcome::Done => {}
                }
            }
        }
    }

    /// The subscriber was told that the WOR at `addr` holds `v`.
    fn notify(&mut self, addr: u8, v: Value) {
        let addr = usize::from(addr);
        self.notified_twice |= self.notified[addr].is_some();
        self.notified[addr] = Some(v);
        self.notification_broken |= self.wors[addr].chosen != Some(v);
    }
}

/// Records a batch write that carries two ballots (`record_msg_out`: it sees every message
/// sent).
fn record_batch(_: &WosConfig, h: &WosHistory, env: Envelope<&WosMsg>) -> Option<WosHistory> {
    let WosMsg::Wor(_, entries) = env.msg else {
        return None;
    };
    let mut ballots = entries.iter().filter_map(|(_, m)| match m {
        WorMsg::Accept(b, _) => Some(b),
        _ => None,
    });
    let first = ballots.next()?;
    (!h.mixed_batch && ballots.any(|b| b != first)).then(|| WosHistory {
        mixed_batch: true,
        ..h.clone()
    })
}

/// Removes messages whose delivery can never change anything, as the WOR model does:
/// replies nobody awaits (see [`super::WosClientState::awaits`] and
/// [`super::SubscriberState::awaits`]), requests to an acceptor holding the segment's
/// tombstone whose `Trimmed` nobody awaits, reads whose read has moved on, and captures
/// and writes that can no longer change their acceptor (a `Prepare` at or below its
/// promise, an `Accept` below it or already accepted) once their client has left that
/// ballot (sound only while promises never go down, so not under `write-after-trim`,
/// whose drops reset them). A batch request is live while one of its entries is.
pub(super) fn collect_dead_messages<H>(cfg: &WosConfig, s: &mut ActorModelState<WosActor, H>) {
    let layout = cfg.layout();
    let states = &s.actor_states;
    let promises_only_grow = cfg.bug != Some(WosBug::WriteAfterTrim);
    let live = |src: Id, dst: Id, msg: &WosMsg| {
        let (src, dst) = (usize::from(src), usize::from(dst));
        match &*states[dst] {
            WosState::Client(c) => c.awaits(src, msg),
            WosState::Subscriber(sub) => sub.awaits(layout, src, msg),
            WosState::Acceptor(a) => {
                let WosState::Client(c) = &*states[src] else {
                    unreachable!("requests come from clients")
                };
                match *msg {
                    WosMsg::Wor(seg, _) | WosMsg::Trim(seg) if a.trimmed(seg) => {
                        c.awaits(dst, &WosMsg::Trimmed(seg))
                    }
                    WosMsg::Wor(seg, entries) => entries.iter().any(|(off, m)| {
                        let reply = |m: WorMsg| WosMsg::Wor(seg, Entries::one(off, m));
                        let wor = a.wors[layout.addr(seg, off)];
                        let spent = match m {
                            WorMsg::Prepare(b) => b <= wor.promised,
                            WorMsg::Accept(b, v) => {
                                b < wor.promised || wor.accepted == Some((b, v))
                            }
                            _ => false,
                        };
                        match m {
                            WorMsg::Read(b) => c.awaits(dst, &reply(WorMsg::ReadReply(b, None))),
                            WorMsg::Prepare(b) | WorMsg::Accept(b, _)
                                if promises_only_grow && spent =>
                            {
                                c.awaits(dst, &reply(WorMsg::Nack(b, Ballot::ZERO)))
                            }
                            _ => true,
                        }
                    }),
                    _ => true,
                }
            }
        }
    };
    retain_live(&mut s.network, live);
}

/// The WOS protocol as a stateright actor system, with the history kept up to date.
pub struct WosModel {
    pub cfg: WosConfig,
    pub layout: Layout,
    actors: ActorModel<WosActor, WosConfig, WosHistory>,
    /// A blank WOR spec, carrying the domain.
    blank: WorObject,
}

/// The actors of a configuration on stateright's actor system, with history `history`: what
/// the model ([`WosModel`]) and the mirror ([`super::mirror::WosMirror`]) share.
pub(super) fn system<H>(cfg: &WosConfig, history: H) -> ActorModel<WosActor, WosConfig, H>
where
    H: Clone + std::fmt::Debug + std::hash::Hash,
{
    let layout = cfg.layout();
    let n = layout.total_acceptors();
    let subscriber = cfg
        .subscriber
        .then(|| Id::from(n + cfg.clients + cfg.readers + cfg.trimmers));
    let acceptors = (0..n).map(|i| WosActor::Acceptor {
        partition: (i / cfg.acceptors) as u8,
        layout,
        subscriber,
        bug: cfg.bug,
    });
    let roles = [
        (Role::Writer, cfg.clients),
        (Role::Reader, cfg.readers),
        (Role::Trimmer, cfg.trimmers),
    ];
    let clients = roles
        .into_iter()
        .flat_map(|(role, count)| (0..count).map(move |i| (role, i)))
        .zip(0u8..)
        .map(|((role, i), index)| {
            // The i-th client of each role works on segment i mod S.
            let seg = (i % cfg.segments) as u8;
            let wrong = cfg.bug == Some(WosBug::WrongPartition)
                && role == Role::Writer
                && i + 1 == cfg.clients;
            WosActor::Client {
                index,
                role,
                seg,
                layout,
                partition: (layout.home(seg) + u8::from(wrong)) % layout.partitions,
                captures: cfg.captures,
                trim: cfg.trim && role == Role::Writer,
                bug: cfg.bug,
            }
        });
    let quorum = match cfg.bug {
        Some(WosBug::NotifyBeforeChosen) => 1,
        _ => layout.majority(),
    };
    let subscribers = subscriber.map(|_| WosActor::Subscriber { layout, quorum });
    ActorModel::new(cfg.clone(), history)
        .actors(acceptors)
        .actors(clients)
        .actors(subscribers)
        .init_network(cfg.network.network())
        .lossy_network(if cfg.lossy {
            LossyNetwork::Yes
        } else {
            LossyNetwork::No
        })
        .max_crashes(cfg.crashes)
}

impl WosModel {
    fn new(cfg: WosConfig, blank: WorObject) -> Self {
        let layout = cfg.layout();
        let history = WosHistory::new(&blank, layout.addresses());
        let actors = system(&cfg, history).record_msg_out(record_batch);
        WosModel {
            cfg,
            layout,
            actors,
            blank,
        }
    }

    fn acceptors(&self) -> usize {
        self.layout.total_acceptors()
    }

    /// A readable name for an actor: `a0`.. for acceptors (`a1.0` is partition 1's first
    /// when there are several), `cA`.. for clients, `sub` for the subscriber.
    pub fn actor_name(&self, id: Id) -> String {
        let i = usize::from(id);
        let n = self.acceptors();
        let a = usize::from(self.layout.acceptors);
        if i < n && self.layout.partitions == 1 {
            format!("a{i}")
        } else if i < n {
            format!("a{}.{}", i / a, i % a)
        } else if i - n < self.cfg.total_clients() {
            format!("c{}", client_value((i - n) as u8))
        } else {
            "sub".into()
        }
    }

    /// Moves the events of actor `index`'s last step into the history, and records the votes
    /// of an acceptor that stepped from `old`.
    fn observe(&self, old: Option<&WosState>, index: usize, s: &mut WosSysState) {
        let n = self.acceptors();
        match (old, &*s.actor_states[index]) {
            (Some(WosState::Acceptor(before)), WosState::Acceptor(after)) => {
                for addr in 0..self.layout.addresses() {
                    let (b, a) = (before.wors[addr].accepted, after.wors[addr].accepted);
                    if let Some(p) = a.filter(|_| a != b) {
                        s.history.wors[addr].vote(index, p, self.layout.majority());
                    }
                }
            }
            (_, WosState::Client(c)) if !c.events.is_empty() => {
                let mut drained = c.clone();
                for event in std::mem::take(&mut drained.events) {
                    s.history.record((index - n) as u8, event);
                }
                s.actor_states[index] = Arc::new(WosState::Client(drained));
            }
            (_, WosState::Subscriber(sub)) if !sub.events.is_empty() => {
                let mut drained = sub.clone();
                for (addr, v) in std::mem::take(&mut drained.events) {
                    s.history.notify(addr, v);
                }
                s.actor_states[index] = Arc::new(WosState::Subscriber(drained));
            }
            _ => {}
        }
    }
}

impl Model for WosModel {
    type State = WosSysState;
    type Action = WosAction;

    fn init_states(&self) -> Vec<WosSysState> {
        let mut states = self.actors.init_states();
        for s in &mut states {
            for index in self.acceptors()..s.actor_states.len() {
                self.observe(None, index, s);
            }
            collect_dead_messages(&self.cfg, s);
        }
        states
    }

    fn actions(&self, state: &WosSysState, actions: &mut Vec<WosAction>) {
        self.actors.actions(state, actions);
        // Only acceptors crash: a client is the caller, and its operations end when it does.
        let acceptors = self.acceptors();
        actions
            .retain(|a| !matches!(a, ActorModelAction::Crash(id) if usize::from(*id) >= acceptors));
    }

    fn next_state(&self, last: &WosSysState, action: WosAction) -> Option<WosSysState> {
        let dst = match &action {
            ActorModelAction::Deliver { dst, .. } => Some(usize::from(*dst)),
            _ => None,
        };
        let mut next = self.actors.next_state(last, action)?;
        if let Some(index) = dst {
            self.observe(Some(&last.actor_states[index]), index, &mut next);
        }
        collect_dead_messages(&self.cfg, &mut next);
        Some(next)
    }

    fn format_action(&self, action: &WosAction) -> String {
        format_action(action, |id| self.actor_name(id))
    }

    fn format_step(&self, last: &WosSysState, action: WosAction) -> Option<String> {
        self.actors.format_step(last, action)
    }

    fn as_svg(&self, path: Path<WosSysState, WosAction>) -> Option<String> {
        self.actors.as_svg(path)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("agreement", |_, s: &WosSysState| {
                s.history
                    .wors
                    .iter()
                    .all(|w| w.returned.iter().count() <= 1)
            }),
            Property::always("stability", |_, s: &WosSysState| {
                s.history.wors.iter().all(|w| !w.unstable)
            }),
            Property::always("linearizable", |_, s: &WosSysState| {
                s.history.wors.iter().all(|w| w.lin.is_linearizable())
            }),
            Property::always("one allocator per segment", |_, s: &WosSysState| {
                s.history.allocators.iter().all(|a| a.count_ones() <= 1)
            }),
            Property::always("trimmed answers Trimmed", |_, s: &WosSysState| {
                !s.history.not_trimmed
            }),
            Property::always("notifications are final", |_, s: &WosSysState| {
                !s.history.notification_broken
            }),
            Property::always("notified once", |_, s: &WosSysState| {
                !s.history.notified_twice
            }),
            Property::always("batch writes use one capture id", |_, s: &WosSysState| {
                !s.history.mixed_batch
            }),
            Property::sometimes("segment allocated", |_, s: &WosSysState| {
                s.history.allocators.iter().any(|a| *a != 0)
            }),
            Property::sometimes("segment trimmed", |_, s: &WosSysState| {
                s.history.trim_returned != 0
            }),
            Property::sometimes("write notified", |_, s: &WosSysState| {
                s.history.notified.iter().any(Option::is_some)
            }),
        ]
    }
}

/// The abstraction function from protocol states to spec states (see the module comment).
pub fn abstraction(m: &WosModel, s: &WosSysState) -> WosSpace {
    let layout = m.layout;
    let acceptor = |i: usize| match &*s.actor_states[i] {
        WosState::Acceptor(a) => a,
        _ => unreachable!("acceptors come first"),
    };
    let mut space = WosSpace {
        wors: Vec::with_capacity(layout.addresses()),
        allocated: 0,
        trimmed: 0,
    };
    for seg in 0..layout.segments {
        let replicas = layout.replicas(layout.home(seg));
        let trimmed = (0..layout.total_acceptors()).any(|i| acceptor(i).trimmed(seg));
        if trimmed {
            space.trimmed |= 1 << seg;
        }
        for off in 0..layout.wors_per_segment() {
            let addr = layout.addr(seg, off);
            let history = &s.history.wors[addr];
            let domain = m.blank.domain;
            if trimmed {
                space.wors.push(WorObject {
                    domain,
                    ..WorObject::default()
                });
                continue;
            }
            let mut promises = [Ballot::ZERO; 8];
            let count = replicas.len();
            for (slot, i) in promises.iter_mut().zip(replicas.clone()) {
                *slot = acceptor(i).wors[addr].promised;
            }
            promises[..count].sort_unstable_by(|a, b| b.cmp(a));
            let latest = promises[layout.majority() - 1];
            space.wors.push(WorObject {
                latest: (latest != Ballot::ZERO).then_some(latest),
                value: history.chosen,
                pending: history.votes.iter().map(|(p, _)| p.1).collect(),
                domain,
            });
            if off == super::META && history.chosen.is_some() {
                space.allocated |= 1 << seg;
            }
        }
    }
    space
}

/// The canonical representative of a state's symmetry class (acceptors of each partition
/// permuted), for `CheckerBuilder::symmetry_fn`.
pub fn representative(s: &RefinedOf<WosModel, WosSpec>) -> RefinedOf<WosModel, WosSpec> {
    // The abstraction is symmetric, and left out of the fingerprint anyway.
    Refined {
        low: super::symmetry::canonical(&s.low),
        refines: s.refines,
        high: s.high.clone(),
    }
}
