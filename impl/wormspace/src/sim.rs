//! A deterministic simulator: the sans-IO acceptor and client cores under a seeded scheduler.
//!
//! The network is a bag of packets: the scheduler delivers any of them (reordering), loses or
//! duplicates some, and cuts one server off for a while (a partition). Servers group-commit as
//! the real one does: a step's records wait, unsynced, with its replies held, until a sync the
//! scheduler picks; a crash loses the unsynced records and the held replies, and a restart
//! replays the synced records with [`Acceptor::recover`], the code the real server recovers
//! with. Clients run short scripts of calls (capture then write, read, decide, batch capture
//! then batch write, trim) with virtual-time timeouts and backoff. Every choice comes from one
//! seeded generator, so a run is reproducible from its seed.
//!
//! [`run`] checks the WOR safety properties as it goes and returns the first violation:
//!
//! - *agreement*: per WOR, at most one value is ever chosen (accepted at one ballot by a quorum
//!   of durable acceptor states), and every value a call returned is that value;
//! - *stability*: a read that starts after a call returned a value returns that value;
//! - *durability*: a restarted acceptor's promise is at least every promise it answered with;
//! - and, after healing everything, a final read of every WOR agrees with all of the above.

use crate::acceptor::{Acceptor, Record};
use crate::history::Recorder;
use crate::proposer::{Done, Error, Kind, Op, OpConfig, Out, Rounds, Watch};
use crate::trace::{Input, Sent, TraceEvent};
use crate::types::{Addr, Ballot, SegId, Slot, Value};
use crate::wire::Msg;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// What can go wrong in a run.
#[derive(Clone, Copy, Debug)]
pub struct Faults {
    /// Chance that a delivery loses the packet instead.
    pub loss: f64,
    /// Chance that a delivery leaves a copy of the packet in the network.
    pub duplicate: f64,
    /// Packets overtake each other; without it, each (sender, receiver) channel is FIFO.
    pub reorder: bool,
    /// Crashes (of at most F servers at a time), restarts.
    pub crashes: bool,
    /// One server cut off from everyone for a while.
    pub partitions: bool,
}

impl Faults {
    pub const ALL: Faults = Faults {
        loss: 0.05,
        duplicate: 0.05,
        reorder: true,
        crashes: true,
        partitions: true,
    };

    /// No faults: packets are delivered in order, once, and servers stay up.
    pub const NONE: Faults = Faults {
        loss: 0.0,
        duplicate: 0.0,
        reorder: false,
        crashes: false,
        partitions: false,
    };
}

#[derive(Clone, Copy, Debug)]
pub struct SimConfig {
    pub seed: u64,
    pub servers: usize,
    pub clients: usize,
    /// Calls per client.
    pub calls: usize,
    pub faults: Faults,
    pub max_steps: usize,
    /// A seeded bug (`bugs.rs`): the acceptors, calls and subscriptions of the run have it.
    #[cfg(feature = "seeded-bugs")]
    pub bug: Option<crate::bugs::Bug>,
    /// Record trace events (as `SimReport::trace`).
    pub trace: bool,
    /// Record the client history (as `SimReport::history`).
    pub history: bool,
    /// The simulator's own checks of the global state (agreement, stability, durability);
    /// off, a run goes on past a violation so that the trace and history show it.
    pub checks: bool,
}

impl SimConfig {
    pub fn new(seed: u64) -> Self {
        SimConfig {
            seed,
            servers: 3,
            clients: 3,
            calls: 3,
            faults: Faults::ALL,
            max_steps: 4000,
            #[cfg(feature = "seeded-bugs")]
            bug: None,
            trace: false,
            history: false,
            checks: true,
        }
    }
}

/// What a run did.
#[derive(Clone, Debug, Default)]
pub struct SimReport {
    pub steps: usize,
    pub delivered: usize,
    pub lost: usize,
    pub duplicated: usize,
    pub crashes: usize,
    pub partitions: usize,
    /// Calls that returned, and how many of those returned an error.
    pub calls: usize,
    pub errors: usize,
    /// WORs with a chosen value at the end.
    pub chosen: usize,
    /// With `SimConfig::trace`: the run's trace events as JSON lines, in the schema of the
    /// real processes (impl/README.md), plus the simulator's own `sync`, `crash` and
    /// `restart` steps. The step counter is the Lamport clock.
    pub trace: Vec<String>,
    /// With `SimConfig::history`: the client history as JSON lines in the format of
    /// `worm lin --model wor` (see `history.rs`), the final reads included.
    pub history: Vec<String>,
    /// Register operations in the history.
    pub operations: usize,
}

/// A split-mix generator: small, fast and good enough to drive a scheduler.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64) < p * (1u64 << 53) as f64
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Node {
    Server(usize),
    Client(usize),
    /// The subscriber: it follows the data WORs of the single-WOR and batch segments.
    Watcher,
}

/// The subscriber's client id.
const WATCHER: u64 = 500;

#[derive(Clone, Debug)]
struct Packet {
    from: Node,
    to: Node,
    msg: Msg,
}

#[derive(Debug, Default)]
struct Server {
    acceptor: Acceptor,
    synced: Vec<Record>,
    unsynced: Vec<Record>,
    held: Vec<Packet>,
    /// Notifications of accepted values to the watcher, held like replies (but not traced:
    /// the real server's trace does not show them either).
    notices: Vec<Packet>,
    up: bool,
    /// The segments the watcher subscribed to here (forgotten by a crash).
    subscribed: BTreeSet<SegId>,
}

/// One call of a client's script.
#[derive(Clone, Debug)]
enum Call {
    CaptureWrite(Addr, Value),
    Read(Addr),
    Decide(Addr, Value),
    BatchCaptureWrite(SegId, Vec<(u32, Value)>),
    Trim(SegId),
}

struct Client {
    rounds: Rounds,
    /// Calls started so far: the current call's id.
    ops: u64,
    script: Vec<Call>,
    next: usize,
    op: Option<Op>,
    timer: Option<u64>,
    /// When the current call started (for stability).
    started: u64,
}

/// The segments a run uses: single WORs in 1, batches in 2, trims in 3.
const SEG_WORS: SegId = 1;
const SEG_BATCH: SegId = 2;
const SEG_TRIM: SegId = 3;

fn addrs() -> Vec<Addr> {
    let mut v: Vec<Addr> = (0..2).map(|o| Addr::data(SEG_WORS, o)).collect();
    v.extend((0..3).map(|o| Addr::data(SEG_BATCH, o)));
    v.push(Addr::data(SEG_TRIM, 0));
    v
}

struct Sim {
    cfg: SimConfig,
    rng: Rng,
    now: u64,
    servers: Vec<Server>,
    clients: Vec<Client>,
    net: Vec<Packet>,
    cut: Option<usize>,
    op_cfg: OpConfig,
    report: SimReport,
    /// Per WOR, per ballot: the value and the servers that durably accepted it.
    accepted: BTreeMap<Addr, BTreeMap<Ballot, (Value, BTreeSet<usize>)>>,
    /// Per WOR: the values calls returned, with the time they returned.
    returned: BTreeMap<Addr, Vec<(Value, u64)>>,
    /// Per server and WOR: the highest ballot it answered a promise or acceptance for.
    answered: BTreeMap<(usize, Addr), Ballot>,
    history: Recorder,
    watch: Watch,
    /// Subscription rounds the watcher sent (each a traced call of its own).
    watch_calls: u64,
}

/// Runs one simulation; `Err` names the first property violated.
pub fn run(cfg: SimConfig) -> Result<SimReport, String> {
    let (report, result) = simulate(cfg);
    result.map(|()| report)
}

/// Runs one simulation: what it did (and recorded) up to its end or the first violation,
/// which `Err` names.
pub fn simulate(cfg: SimConfig) -> (SimReport, Result<(), String>) {
    let mut rng = Rng::new(cfg.seed);
    let clients = (0..cfg.clients)
        .map(|c| Client {
            rounds: Rounds::new(c as u64 + 1),
            ops: 0,
            script: script(&mut rng, c, cfg.calls),
            next: 0,
            op: None,
            timer: None,
            started: 0,
        })
        .collect();
    let mut sim = Sim {
        cfg,
        rng,
        now: 0,
        servers: (0..cfg.servers)
            .map(|_| Server {
                up: true,
                ..Server::default()
            })
            .collect(),
        clients,
        net: Vec::new(),
        cut: None,
        op_cfg: OpConfig {
            timeout: Duration::from_micros(3000),
            max_timeouts: 6,
            attempts: 6,
            backoff: Duration::from_micros(400),
            #[cfg(feature = "seeded-bugs")]
            bug: cfg.bug,
        },
        report: SimReport::default(),
        accepted: BTreeMap::new(),
        returned: BTreeMap::new(),
        answered: BTreeMap::new(),
        watch: Watch::new(cfg.servers),
        watch_calls: 0,
        history: Recorder::new(
            addrs()
                .iter()
                .filter(|a| a.seg == SEG_BATCH)
                .map(|a| match a.slot {
                    Slot::Data(o) => o,
                    _ => unreachable!("addrs() are data WORs"),
                })
                .collect(),
        ),
    };
    let result = sim.simulate();
    sim.report.chosen = addrs().iter().filter(|a| sim.chosen(**a).is_some()).count();
    sim.report.operations = sim.history.operations();
    sim.report.history = std::mem::take(&mut sim.history).into_lines();
    (sim.report, result)
}

/// A client's calls: each value names its client and call, so values are distinct.
fn script(rng: &mut Rng, c: usize, calls: usize) -> Vec<Call> {
    (0..calls)
        .map(|i| {
            let value = format!("c{c}.{i}").into_bytes();
            let single = Addr::data(SEG_WORS, rng.below(2) as u32);
            match rng.below(10) {
                0..=2 => Call::CaptureWrite(single, value),
                3..=4 => Call::Read(single),
                5 => Call::Decide(single, value),
                6..=7 => {
                    let n = 1 + rng.below(3);
                    let writes = (0..n as u32)
                        .map(|o| (o, [&value[..], &[b'/', b'0' + o as u8]].concat()))
                        .collect();
                    Call::BatchCaptureWrite(SEG_BATCH, writes)
                }
                8 => Call::Trim(SEG_TRIM),
                _ if rng.below(2) == 0 => Call::CaptureWrite(Addr::data(SEG_TRIM, 0), value),
                _ => Call::Read(Addr::data(SEG_TRIM, 0)),
            }
        })
        .collect()
}

/// The scheduler's choices.
#[derive(Clone, Copy, Debug)]
enum Action {
    Deliver(usize),
    Sync(usize),
    Timer(usize),
    Crash(usize),
    Restart(usize),
    Cut(usize),
    Heal,
}

impl Sim {
    fn simulate(&mut self) -> Result<(), String> {
        #[cfg(feature = "seeded-bugs")]
        {
            self.watch.bug = self.cfg.bug;
        }
        for i in 0..self.servers.len() {
            self.servers[i].acceptor = self.acceptor(&[]);
            self.subscribe(i);
        }
        for c in 0..self.cfg.clients {
            self.next_call(c)?;
        }
        self.run()?;
        self.heal_and_read_all()
    }

    /// Whether the run has the seeded bug `bug`.
    #[cfg(feature = "seeded-bugs")]
    fn has(&self, bug: crate::bugs::Bug) -> bool {
        self.cfg.bug == Some(bug)
    }

    /// A fresh acceptor (with the run's seeded bug).
    fn acceptor(&self, records: &[Record]) -> Acceptor {
        #[allow(unused_mut)]
        let mut a = Acceptor::recover(records);
        #[cfg(feature = "seeded-bugs")]
        {
            a.bug = self.cfg.bug;
        }
        a
    }

    fn quorum(&self) -> usize {
        self.cfg.servers / 2 + 1
    }

    fn run(&mut self) -> Result<(), String> {
        while self.report.steps < self.cfg.max_steps {
            if self.clients.iter().all(|c| c.op.is_none()) {
                return Ok(());
            }
            let actions = self.actions();
            if actions.is_empty() {
                // Nothing to do until the next timer.
                match self.clients.iter().filter_map(|c| c.timer).min() {
                    Some(t) => self.now = self.now.max(t),
                    None => return Err("deadlock: calls in flight and no timer armed".into()),
                }
                continue;
            }
            let total: u32 = actions.iter().map(|(w, _)| w).sum();
            let mut pick = self.rng.below(total as usize) as u32;
            let action = actions
                .iter()
                .find(|(w, _)| {
                    let hit = pick < *w;
                    pick = pick.saturating_sub(*w);
                    hit
                })
                .map(|(_, a)| *a)
                .expect("a weighted pick lands on some action");
            self.report.steps += 1;
            self.now += self.rng.below(60) as u64;
            self.act(action)?;
        }
        Ok(())
    }

    /// Every enabled action, with its weight.
    fn actions(&mut self) -> Vec<(u32, Action)> {
        let reorder = self.cfg.faults.reorder;
        let mut v: Vec<(u32, Action)> = (0..self.net.len())
            .filter(|&i| {
                // Without reordering, only the oldest packet of each channel can arrive.
                let (from, to) = (self.net[i].from, self.net[i].to);
                reorder || !self.net[..i].iter().any(|p| p.from == from && p.to == to)
            })
            .map(|i| (10, Action::Deliver(i)))
            .collect();
        for (i, s) in self.servers.iter().enumerate() {
            if s.up && (!s.unsynced.is_empty() || !s.held.is_empty() || !s.notices.is_empty()) {
                v.push((12, Action::Sync(i)));
            }
        }
        for (c, client) in self.clients.iter().enumerate() {
            if client.timer.is_some_and(|t| t <= self.now) {
                v.push((3, Action::Timer(c)));
            }
        }
        let down = self.servers.iter().filter(|s| !s.up).count();
        let f = self.cfg.servers - self.quorum();
        for (i, s) in self.servers.iter().enumerate() {
            if !s.up {
                v.push((2, Action::Restart(i)));
            } else if self.cfg.faults.crashes && down < f {
                v.push((1, Action::Crash(i)));
            }
        }
        if self.cfg.faults.partitions {
            match self.cut {
                None => v.push((1, Action::Cut(self.rng.below(self.cfg.servers)))),
                Some(_) => v.push((4, Action::Heal)),
            }
        }
        // Faults are rarer than progress: offered in one step of twenty.
        if !self.rng.chance(0.05) {
            v.retain(|(_, a)| !matches!(a, Action::Crash(_) | Action::Cut(_)));
        }
        v
    }

    fn act(&mut self, action: Action) -> Result<(), String> {
        match action {
            Action::Deliver(i) => {
                let faults = self.cfg.faults;
                let p = if self.rng.chance(faults.duplicate) {
                    self.report.duplicated += 1;
                    self.net[i].clone()
                } else if faults.reorder {
                    self.net.swap_remove(i)
                } else {
                    self.net.remove(i)
                };
                if self.rng.chance(faults.loss) {
                    self.report.lost += 1;
                    return Ok(());
                }
                self.deliver(p)?;
            }
            Action::Sync(i) => self.sync(i),
            Action::Timer(c) => {
                self.clients[c].timer = None;
                if let Some(mut op) = self.clients[c].op.take() {
                    let out = op.on_timer(&mut self.clients[c].rounds);
                    self.clients[c].op = Some(op);
                    self.trace_client(c, Input::Timer, &out);
                    self.handle(c, out)?;
                }
            }
            Action::Crash(i) => {
                self.report.crashes += 1;
                let s = &mut self.servers[i];
                s.up = false;
                s.unsynced.clear();
                s.held.clear();
                s.notices.clear();
                s.subscribed.clear();
                s.acceptor = Acceptor::default();
                self.trace_server(i, "crash", Vec::new());
            }
            Action::Restart(i) => {
                self.servers[i].acceptor = self.acceptor(&self.servers[i].synced);
                self.servers[i].up = true;
                self.trace_server(i, "restart", Vec::new());
                // The watcher reconnects, and subscribes again.
                self.subscribe(i);
                for (&(server, addr), &b) in self.answered.iter().filter(|_| self.cfg.checks) {
                    let promised = self.servers[server].acceptor.wor(addr).promised;
                    if server == i && promised < b && !self.servers[i].acceptor.is_trimmed(addr.seg)
                    {
                        return Err(format!(
                            "durability: server {i} restarted with promise {promised:?} at {addr} below the {b:?} it answered"
                        ));
                    }
                }
            }
            Action::Cut(i) => {
                self.report.partitions += 1;
                self.cut = Some(i);
            }
            Action::Heal => self.cut = None,
        }
        Ok(())
    }

    fn deliver(&mut self, p: Packet) -> Result<(), String> {
        let cut = |n: Node| matches!((n, self.cut), (Node::Server(i), Some(c)) if i == c);
        if cut(p.from) || cut(p.to) {
            self.report.lost += 1;
            return Ok(());
        }
        self.report.delivered += 1;
        match p.to {
            Node::Server(i) => {
                let s = &mut self.servers[i];
                if !s.up {
                    return Ok(());
                }
                let step = s.acceptor.step(&p.msg);
                if let (Msg::Subscribe { seg }, Node::Watcher) = (&p.msg, p.from) {
                    s.subscribed.insert(*seg);
                }
                if let Some(Msg::Notify { addr, .. }) = &step.notify {
                    if s.subscribed.contains(&addr.seg) {
                        s.notices.push(Packet {
                            from: p.to,
                            to: Node::Watcher,
                            msg: step.notify.clone().expect("a notification"),
                        });
                    }
                }
                if self.cfg.trace {
                    let node = format!("s{i}");
                    let from = self.name(p.from);
                    let ev = TraceEvent::acceptor(
                        self.report.trace.len() as u64 + 1,
                        &node,
                        from,
                        &p.msg,
                        &step,
                    );
                    self.report
                        .trace
                        .push(serde_json::to_string(&ev).expect("events serialise"));
                }
                let s = &mut self.servers[i];
                s.unsynced.extend(step.persist);
                for msg in step.replies {
                    s.held.push(Packet {
                        from: p.to,
                        to: p.from,
                        msg,
                    });
                }
                #[cfg(feature = "seeded-bugs")]
                if self.has(crate::bugs::Bug::ReplyBeforeSync) {
                    let s = &mut self.servers[i];
                    let held = [std::mem::take(&mut s.held), std::mem::take(&mut s.notices)];
                    self.release(i, held.concat());
                }
                Ok(())
            }
            Node::Watcher => {
                let Node::Server(from) = p.from else {
                    return Ok(());
                };
                if let Some((addr, v)) = self.watch.on_notify(from, &p.msg) {
                    if self.cfg.history {
                        self.history.notified(WATCHER, addr, &v);
                    }
                    // A subscription tells a WOR's value once it is chosen.
                    self.returned(addr, Some(v), self.now)?;
                }
                Ok(())
            }
            Node::Client(c) => {
                let Node::Server(from) = p.from else {
                    return Ok(());
                };
                let Some(mut op) = self.clients[c].op.take() else {
                    return Ok(());
                };
                let out = op.on_reply(from, &p.msg);
                self.clients[c].op = Some(op);
                self.trace_client(c, Input::Reply(from, &p.msg), &out);
                self.handle(c, out)
            }
        }
    }

    /// The watcher subscribes at server `i` to the segments it follows.
    fn subscribe(&mut self, i: usize) {
        let msgs = [SEG_WORS, SEG_BATCH].map(|seg| Msg::Subscribe { seg });
        for msg in &msgs {
            self.net.push(Packet {
                from: Node::Watcher,
                to: Node::Server(i),
                msg: msg.clone(),
            });
        }
        self.watch_calls += 1;
        if self.cfg.trace {
            // The sends, as a call that is over once sent (what it is told is not traced).
            let node = self.name(Node::Watcher);
            let ev = TraceEvent {
                lamport: self.report.trace.len() as u64 + 1,
                node: &node,
                role: "client",
                step: "start",
                op: Some(self.watch_calls),
                addr: None,
                seg: None,
                from: None,
                msg_in: None,
                msg_out: msgs
                    .iter()
                    .map(|msg| Sent {
                        to: format!("s{i}"),
                        msg,
                    })
                    .collect(),
                changed: serde_json::json!({"phase": "Done"}),
            };
            let line = serde_json::to_string(&ev).expect("events serialise");
            self.report.trace.push(line);
        }
    }

    /// Makes server `i`'s records durable, then lets its held replies go.
    fn sync(&mut self, i: usize) {
        let s = &mut self.servers[i];
        let records = std::mem::take(&mut s.unsynced);
        for r in &records {
            if let Record::Accept {
                addr,
                ballot,
                value,
            } = r
            {
                let by = self.accepted.entry(*addr).or_default();
                by.entry(*ballot)
                    .or_insert_with(|| (value.clone(), BTreeSet::new()))
                    .1
                    .insert(i);
            }
        }
        s.synced.extend(records);
        let held = std::mem::take(&mut s.held);
        if self.cfg.trace && !held.is_empty() {
            let sent = held
                .iter()
                .map(|p| (self.name(p.to), p.msg.clone()))
                .collect();
            self.trace_server(i, "sync", sent);
        }
        self.release(i, held);
        let notices = std::mem::take(&mut self.servers[i].notices);
        self.release(i, notices);
    }

    fn release(&mut self, i: usize, held: Vec<Packet>) {
        for p in held {
            if let Msg::Promise { addr, ballot, .. } | Msg::Accepted { addr, ballot } = &p.msg {
                let b = self.answered.entry((i, *addr)).or_default();
                *b = (*b).max(*ballot);
            }
            if let Msg::BatchPromise { seg, ballot, .. } = &p.msg {
                for a in addrs().into_iter().filter(|a| a.seg == *seg) {
                    let b = self.answered.entry((i, a)).or_default();
                    *b = (*b).max(*ballot);
                }
            }
            self.net.push(p);
        }
    }

    /// The value chosen at `addr` (a quorum durably accepted it at one ballot); an error if two.
    fn chosen(&self, addr: Addr) -> Option<Value> {
        let q = self.quorum();
        self.accepted
            .get(&addr)?
            .values()
            .find(|(_, by)| by.len() >= q)
            .map(|(v, _)| v.clone())
    }

    fn check_agreement(&self) -> Result<(), String> {
        if !self.cfg.checks {
            return Ok(());
        }
        let q = self.quorum();
        for (addr, by_ballot) in &self.accepted {
            let chosen: BTreeSet<&Value> = by_ballot
                .values()
                .filter(|(_, by)| by.len() >= q)
                .map(|(v, _)| v)
                .collect();
            let returned: BTreeSet<&Value> = self
                .returned
                .get(addr)
                .into_iter()
                .flatten()
                .map(|(v, _)| v)
                .collect();
            let all: BTreeSet<&Value> = chosen.iter().chain(returned.iter()).copied().collect();
            if all.len() > 1 {
                return Err(format!(
                    "agreement: {addr} has values {:?} (chosen {:?})",
                    all.iter()
                        .map(|v| String::from_utf8_lossy(v))
                        .collect::<Vec<_>>(),
                    chosen
                        .iter()
                        .map(|v| String::from_utf8_lossy(v))
                        .collect::<Vec<_>>()
                ));
            }
        }
        Ok(())
    }

    /// A call returned `value` for `addr` (or nothing, for a read that started at `started`).
    fn returned(&mut self, addr: Addr, value: Option<Value>, started: u64) -> Result<(), String> {
        if !self.cfg.checks {
            return Ok(());
        }
        match value {
            Some(v) => {
                self.returned.entry(addr).or_default().push((v, self.now));
                // Agreement among returned values, even before any is durably chosen.
                let vs: BTreeSet<&Value> = self.returned[&addr].iter().map(|(v, _)| v).collect();
                if vs.len() > 1 {
                    return Err(format!(
                        "agreement: calls returned different values at {addr}"
                    ));
                }
                self.check_agreement()
            }
            None => match self
                .returned
                .get(&addr)
                .and_then(|r| r.iter().find(|(_, t)| *t < started))
            {
                Some((v, _)) => Err(format!(
                    "stability: a read of {addr} found nothing after {:?} was returned",
                    String::from_utf8_lossy(v)
                )),
                None => Ok(()),
            },
        }
    }

    /// Carries out an op's output for client `c`.
    fn handle(&mut self, c: usize, out: Out) -> Result<(), String> {
        for (i, msg) in out.send {
            self.net.push(Packet {
                from: Node::Client(c),
                to: Node::Server(i),
                msg,
            });
        }
        if let Some(d) = out.timer {
            self.clients[c].timer = Some(self.now + d.as_micros() as u64);
        }
        let Some(result) = out.done else {
            return Ok(());
        };
        self.report.calls += 1;
        self.report.errors += usize::from(result.is_err());
        let op = self.clients[c].op.take().expect("a call in flight");
        self.clients[c].timer = None;
        if self.cfg.history {
            let id = self.clients[c].rounds.client();
            self.history.complete(id, op.kind(), &result);
        }
        let started = self.clients[c].started;
        let client = &self.clients[c];
        let call = client
            .next
            .checked_sub(1)
            .and_then(|i| client.script.get(i))
            .cloned();
        // What the call says the WORs hold.
        match (op.kind(), &result) {
            (Kind::Write { addr, .. }, Err(Error::AlreadyWritten(v))) => {
                self.returned(*addr, Some(v.clone()), started)?
            }
            (Kind::Write { addr, value, .. }, Ok(Done::Written)) => {
                self.returned(*addr, Some(value.clone()), started)?
            }
            (Kind::Read(addr), Ok(Done::Value(v))) => self.returned(*addr, v.clone(), started)?,
            (Kind::Decide { addr, .. }, Ok(Done::Decided(v))) => {
                self.returned(*addr, Some(v.clone()), started)?
            }
            (Kind::BatchWrite { seg, writes }, Ok(Done::BatchWritten(results))) => {
                for ((o, v), (_, r)) in writes.iter().zip(results) {
                    if r.is_ok() {
                        self.returned(Addr::data(*seg, *o), Some(v.clone()), started)?;
                    }
                }
            }
            _ => {}
        }
        // A capture goes on to its write.
        let follow = match (call, result) {
            (Some(Call::CaptureWrite(addr, value)), Ok(Done::Captured { ballot, pending })) => {
                Some((
                    Kind::Write {
                        addr,
                        value,
                        pending,
                    },
                    ballot,
                ))
            }
            (
                Some(Call::BatchCaptureWrite(seg, writes)),
                Ok(Done::BatchCaptured { ballot, pending }),
            ) => {
                let writes = writes
                    .into_iter()
                    .map(|(o, v)| (o, pending.get(&o).cloned().unwrap_or(v)))
                    .collect();
                Some((Kind::BatchWrite { seg, writes }, ballot))
            }
            _ => None,
        };
        match follow {
            Some((kind, ballot)) => self.start(c, kind, Some(ballot)),
            None => self.next_call(c),
        }
    }

    fn next_call(&mut self, c: usize) -> Result<(), String> {
        let client = &mut self.clients[c];
        let Some(call) = client.script.get(client.next).cloned() else {
            return Ok(());
        };
        client.next += 1;
        client.started = self.now;
        let kind = match call {
            Call::CaptureWrite(addr, _) => Kind::Capture(addr),
            Call::Read(addr) => Kind::Read(addr),
            Call::Decide(addr, value) => Kind::Decide { addr, value },
            Call::BatchCaptureWrite(seg, _) => Kind::BatchCapture(seg),
            Call::Trim(seg) => Kind::Trim(seg),
        };
        self.start(c, kind, None)
    }

    fn start(&mut self, c: usize, kind: Kind, ballot: Option<Ballot>) -> Result<(), String> {
        if self.cfg.history {
            let id = self.clients[c].rounds.client();
            self.history.invoke(id, &kind, ballot);
        }
        let seed = self.rng.next_u64();
        let (op, out) = Op::start(
            kind,
            self.cfg.servers,
            self.op_cfg,
            seed,
            &mut self.clients[c].rounds,
            ballot,
        );
        self.clients[c].op = Some(op);
        self.clients[c].ops += 1;
        self.trace_client(c, Input::Start, &out);
        self.handle(c, out)
    }

    fn name(&self, n: Node) -> String {
        match n {
            Node::Server(i) => format!("s{i}"),
            Node::Client(c) => format!("c{:x}", self.clients[c].rounds.client()),
            Node::Watcher => format!("c{WATCHER:x}"),
        }
    }

    fn trace_client(&mut self, c: usize, input: Input, out: &Out) {
        let Some(op) = self.clients[c].op.as_ref().filter(|_| self.cfg.trace) else {
            return;
        };
        let node = self.name(Node::Client(c));
        let lamport = self.report.trace.len() as u64 + 1;
        let server = |i: usize| format!("s{i}");
        let ev = TraceEvent::client(lamport, &node, self.clients[c].ops, op, input, out, &server);
        let line = serde_json::to_string(&ev).expect("events serialise");
        self.report.trace.push(line);
    }

    /// The simulator's own steps of server `i`: `sync` (with the replies it lets go), `crash`,
    /// `restart`.
    fn trace_server(&mut self, i: usize, step: &str, sent: Vec<(String, Msg)>) {
        if !self.cfg.trace {
            return;
        }
        let node = format!("s{i}");
        let ev = TraceEvent {
            lamport: self.report.trace.len() as u64 + 1,
            node: &node,
            role: "acceptor",
            step,
            op: None,
            addr: None,
            seg: None,
            from: None,
            msg_in: None,
            msg_out: sent
                .iter()
                .map(|(to, msg)| Sent {
                    to: to.clone(),
                    msg,
                })
                .collect(),
            changed: serde_json::json!({}),
        };
        let line = serde_json::to_string(&ev).expect("events serialise");
        self.report.trace.push(line);
    }

    /// Heals everything, drops the old traffic, then reads every WOR with a fresh client over
    /// a perfect network: each must agree with what was chosen and returned.
    fn heal_and_read_all(&mut self) -> Result<(), String> {
        self.cut = None;
        self.net.clear();
        for i in 0..self.servers.len() {
            if !self.servers[i].up {
                self.act(Action::Restart(i))?;
            }
        }
        let reader = self.clients.len();
        self.clients.push(Client {
            rounds: Rounds::new(1000),
            ops: 0,
            script: Vec::new(),
            next: 0,
            op: None,
            timer: None,
            started: self.now,
        });
        for addr in addrs() {
            self.clients[reader].started = self.now;
            self.start(reader, Kind::Read(addr), None)?;
            while self.clients[reader].op.is_some() {
                if self.net.is_empty() {
                    for i in 0..self.servers.len() {
                        self.sync(i);
                    }
                }
                if self.net.is_empty() {
                    // Backing off after a preempted completion: retry now.
                    if self.clients[reader].timer.is_none() {
                        return Err(format!("final read of {addr} is stuck"));
                    }
                    self.act(Action::Timer(reader))?;
                    continue;
                }
                let p = self.net.remove(0);
                self.deliver(p)?;
            }
        }
        self.check_agreement()
    }
}
