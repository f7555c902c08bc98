//! The replay: every event must be an enabled action of the model, and leave the model in a
//! state that agrees with what the event reports.
//!
//! State is kept per WOR address: for each acceptor, a set of candidate model states, each a
//! pair (current, durable) of model acceptor states; the messages sent so far; and what
//! clients were told. Messages in flight are a set, not a bag: the network may lose a message
//! (it is never delivered) or duplicate it (it is delivered again), so a message may be
//! handled any number of times once sent, and never before.
//!
//! The candidate set explains the steps a log cannot see. With the simulator's explicit
//! `sync`, `crash` and `restart` steps there is nothing to guess: a sync makes the current
//! state durable and lets the held replies go, a crash puts the durable state back. Without
//! them (real servers), an acceptor may have crashed and restarted before any step, from a
//! durable state that is any state it had since the last one known durable; a client that
//! handles a reply proves the state behind it durable (replies leave after the sync). So each
//! step branches on "crashed before it or not" and "synced after it or not", and the
//! candidates that cannot explain the event are dropped. The run fails when none is left.
//!
//! Segment-level steps (WOS: batch capture, trim, subscribe) apply to every WOR of the
//! segment the trace mentions, plus one stand-in for the data WORs it never names.

use crate::event::{short, text, Event, Role, Sent, SIM_STEPS};
use crate::model::{self, Acc, Outcome, Val, Values, WMsg, WPhase};
use ahash::{AHashMap as HashMap, AHashSet as HashSet};
use std::fmt;
use std::str::FromStr;
use worm_wormspace::proposer::{Done, Error, Phase};
use worm_wormspace::types::{Addr, Ballot, SegId, Slot};
use worm_wormspace::wire::Msg;

/// The protocol model the trace is replayed against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelKind {
    /// Single WORs only: `Prepare`, `Accept`, `Read` and their replies.
    Wor,
    /// Write-once segments: WORs plus batch capture, trim and subscribe.
    Wos,
}

impl FromStr for ModelKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "wor" => Ok(ModelKind::Wor),
            "wos" => Ok(ModelKind::Wos),
            _ => Err(format!("unknown model '{s}' (expected wor or wos)")),
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub model: ModelKind,
    /// The most candidate states one acceptor of one WOR may have; beyond it the run fails
    /// (the search is bounded, not silently pruned).
    pub max_candidates: usize,
}

impl Options {
    pub fn new(model: ModelKind) -> Self {
        Options {
            model,
            max_candidates: 1024,
        }
    }
}

/// A trace the model explains.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub events: usize,
    /// WOR addresses replayed (a segment's stand-in for unnamed data WORs included).
    pub addresses: usize,
    /// Whether durability was explicit (the simulator's sync / crash steps) or searched.
    pub explicit_durability: bool,
    /// The largest candidate set one acceptor of one WOR had.
    pub max_candidates: usize,
}

/// The first event the model cannot explain.
#[derive(Clone, Debug)]
pub struct Failure {
    /// Its position in the events given to [`validate`].
    pub index: usize,
    pub file: usize,
    pub line: usize,
    pub node: String,
    pub lamport: u64,
    pub reason: String,
    /// The candidate model states just before it, per WOR and acceptor (bounded).
    pub candidates: Vec<String>,
    /// The events around it (three before, three after), the failing one marked `>`.
    pub context: Vec<String>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "unexplained event at line {} (node {}, lamport {}): {}",
            self.line, self.node, self.lamport, self.reason
        )?;
        writeln!(f, "candidate model states before it:")?;
        for c in &self.candidates {
            writeln!(f, "  {c}")?;
        }
        if self.candidates.is_empty() {
            writeln!(f, "  (none for this event's WORs)")?;
        }
        writeln!(f, "events around it:")?;
        for c in &self.context {
            writeln!(f, "{c}")?;
        }
        Ok(())
    }
}

/// Replays `events` (one process's log, or several merged by [`crate::merge`]) against the
/// model. `Ok` if every event is explained; else the first that is not.
pub fn validate(events: &[Event], opts: &Options) -> Result<Report, Box<Failure>> {
    let mut r = Replay::new(events, *opts);
    for i in 0..events.len() {
        r.event(i)
            .map_err(|reason| Box::new(r.failure(i, reason)))?;
    }
    Ok(Report {
        events: events.len(),
        addresses: r.addrs.len(),
        explicit_durability: r.explicit,
        max_candidates: r.largest,
    })
}

/// One candidate model state of one acceptor for one WOR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cand {
    cur: Acc,
    /// What a crash would go back to.
    dur: Acc,
}

#[derive(Default)]
struct AddrState {
    /// Per acceptor (node id), its candidates.
    accs: Vec<(u32, Vec<Cand>)>,
    /// Messages sent: (from, to, message).
    sent: HashSet<(u32, u32, WMsg)>,
    /// The value proposed at each ballot (a ballot belongs to one proposer, which proposes
    /// one value).
    proposed: HashMap<Ballot, Val>,
    /// Per ballot, the acceptors whose `Accepted` a client handled (so durably accepted).
    accepts: HashMap<Ballot, Vec<u32>>,
    /// The value chosen or returned, and the event that showed it.
    value: Option<(Val, usize)>,
    /// Per capture ballot, the accepted value the capture found, which its write must write.
    captured: HashMap<Ballot, Option<Val>>,
}

impl AddrState {
    fn cands(&mut self, server: u32) -> &mut Vec<Cand> {
        let i = match self.accs.iter().position(|(s, _)| *s == server) {
            Some(i) => i,
            None => {
                let blank = Cand {
                    cur: Acc::default(),
                    dur: Acc::default(),
                };
                self.accs.push((server, vec![blank]));
                self.accs.len() - 1
            }
        };
        &mut self.accs[i].1
    }
}

/// A client call seen so far.
struct OpInfo {
    start: usize,
    /// Its last event.
    last: usize,
    /// Its replica set, by position (from the broadcast of its first step).
    replicas: Vec<u32>,
}

struct Replay<'a> {
    events: &'a [Event],
    opts: Options,
    explicit: bool,
    nodes: HashMap<String, u32>,
    names: Vec<String>,
    values: Values,
    addrs: HashMap<Addr, AddrState>,
    /// Every WOR each segment's events mention, plus the stand-in.
    seg_addrs: HashMap<SegId, Vec<Addr>>,
    /// Segment-level messages sent.
    seg_sent: HashSet<(u32, u32, Msg)>,
    /// Explicit durability: replies each server produced and has not synced yet.
    held: HashMap<u32, Vec<(u32, usize, usize)>>,
    /// Explicit durability: WORs whose state changed on each server since its last sync.
    dirty: HashMap<u32, Vec<Addr>>,
    ops: HashMap<(u32, u64), OpInfo>,
    largest: usize,
    /// The candidates a step builds, swapped with the old ones (no allocation per step).
    scratch: Vec<Cand>,
}

/// The data WORs of a segment that no event names share one stand-in: they are all alike.
fn others(seg: SegId) -> Addr {
    Addr::data(seg, u32::MAX)
}

fn addr_name(a: Addr) -> String {
    match a.slot {
        Slot::Data(u32::MAX) => format!("{}:(data WORs never named)", a.seg),
        _ => a.to_string(),
    }
}

/// The WORs a message names.
fn msg_addrs(m: &Msg, out: &mut impl FnMut(Addr, bool)) {
    match m {
        Msg::BatchPromise { seg, accepted, .. } => {
            out(others(*seg), true);
            for (o, _) in accepted {
                out(Addr::data(*seg, *o), true);
            }
        }
        Msg::BatchPrepare { seg, .. }
        | Msg::BatchNack { seg, .. }
        | Msg::Trim { seg }
        | Msg::TrimDone { seg }
        | Msg::Trimmed { seg }
        | Msg::Subscribe { seg } => out(others(*seg), true),
        _ => {
            if let Some(a) = m.addr() {
                out(a, false)
            }
        }
    }
}

/// A message about one WOR, in the model's form (values interned).
fn wmsg(m: &Msg, values: &mut Values) -> Option<(Addr, WMsg)> {
    Some(match m {
        Msg::Prepare { addr, ballot } => (*addr, WMsg::Prepare(*ballot)),
        Msg::Accept {
            addr,
            ballot,
            value,
        } => (*addr, WMsg::Accept(*ballot, values.id(value))),
        Msg::Read { addr, ballot } => (*addr, WMsg::Read(*ballot)),
        Msg::Promise {
            addr,
            ballot,
            accepted,
        } => (*addr, WMsg::Promise(*ballot, values.proposal(accepted))),
        Msg::Accepted { addr, ballot } => (*addr, WMsg::Accepted(*ballot)),
        Msg::Nack {
            addr,
            ballot,
            promised,
        } => (*addr, WMsg::Nack(*ballot, *promised)),
        Msg::ReadReply {
            addr,
            ballot,
            accepted,
        } => (*addr, WMsg::ReadReply(*ballot, values.proposal(accepted))),
        _ => return None,
    })
}

fn is_segment_level(m: &Msg) -> bool {
    matches!(
        m,
        Msg::BatchPrepare { .. }
            | Msg::BatchPromise { .. }
            | Msg::BatchNack { .. }
            | Msg::Trim { .. }
            | Msg::TrimDone { .. }
            | Msg::Trimmed { .. }
            | Msg::Subscribe { .. }
            | Msg::Notify { .. }
    )
}

fn phase_addr(p: &Phase) -> Option<Addr> {
    match p {
        Phase::Prepare { addr, .. } | Phase::Accept { addr, .. } | Phase::Read { addr, .. } => {
            Some(*addr)
        }
        _ => None,
    }
}

/// Steps every candidate with `explain` (the pre-state to the post-state, or why not). With
/// implicit durability a candidate may first crash back to its durable state, and may sync
/// after the step.
fn step_cands(
    cands: &mut Vec<Cand>,
    next: &mut Vec<Cand>,
    implicit: bool,
    max: usize,
    mut explain: impl FnMut(&Acc) -> Result<Acc, String>,
) -> Result<usize, String> {
    // The common case, one candidate and nothing to search: step it in place.
    if let ([c], false) = (cands.as_mut_slice(), implicit) {
        c.cur = explain(&c.cur)?;
        return Ok(1);
    }
    next.clear();
    let mut why = None;
    let push = |c: Cand, next: &mut Vec<Cand>| {
        if !next.contains(&c) {
            next.push(c);
        }
    };
    for c in cands.iter() {
        let crashed = (implicit && c.dur != c.cur).then_some(c.dur);
        for pre in std::iter::once(c.cur).chain(crashed) {
            match explain(&pre) {
                Ok(cur) => {
                    push(Cand { cur, dur: c.dur }, next);
                    if implicit && cur != pre {
                        push(Cand { cur, dur: cur }, next);
                    }
                }
                Err(e) => {
                    why.get_or_insert(e);
                }
            }
        }
    }
    if next.is_empty() {
        return Err(why.unwrap_or_else(|| "no candidate state".into()));
    }
    if next.len() > max {
        return Err(format!(
            "more than {max} candidate states for one acceptor (the search is bounded)"
        ));
    }
    std::mem::swap(cands, next);
    Ok(cands.len())
}

/// What an acceptor event reports it changed, values interned.
struct Changes {
    promised: Option<Ballot>,
    accepted: Option<(Ballot, Val)>,
    seg_promised: Option<Ballot>,
    trimmed: bool,
}

impl Changes {
    /// Do the model's pre- and post-states show exactly the reported changes of a WOR step?
    fn check_wor(&self, pre: &Acc, next: &Acc, values: &Values) -> Result<(), String> {
        let show = |p: &Option<(Ballot, Val)>| match p {
            Some((b, v)) => format!("({b}, {})", text(values.bytes(*v))),
            None => "none".into(),
        };
        if self.seg_promised.is_some() || self.trimmed {
            return Err("a WOR step reports segment changes".into());
        }
        match self.promised {
            Some(p) if p != next.promised => {
                return Err(format!(
                    "the event reports promise {p}, the model's acceptor promises {}",
                    next.promised
                ))
            }
            None if next.promised != pre.promised => {
                return Err(format!(
                    "the model's acceptor raises its promise to {}, the event reports no change",
                    next.promised
                ))
            }
            _ => {}
        }
        match self.accepted {
            Some(a) if Some(a) != next.accepted => Err(format!(
                "the event reports accepted {}, the model's acceptor has {}",
                show(&Some(a)),
                show(&next.accepted)
            )),
            None if next.accepted != pre.accepted => Err(format!(
                "the model's acceptor accepts {}, the event reports no change",
                show(&next.accepted)
            )),
            _ => Ok(()),
        }
    }
}

impl<'a> Replay<'a> {
    fn new(events: &'a [Event], opts: Options) -> Self {
        let explicit = events
            .iter()
            .any(|e| e.role == Role::Acceptor && SIM_STEPS.contains(&e.step.as_str()));
        let mut seg_addrs: HashMap<SegId, Vec<Addr>> = HashMap::new();
        let mut add = |a: Addr, _| {
            let v = seg_addrs.entry(a.seg).or_default();
            if !v.contains(&a) {
                v.push(a);
            }
        };
        for e in events {
            if let Some(a) = e.addr {
                add(a, false);
            }
            for m in e.msg_in.iter().chain(e.msg_out.iter().map(|s| &s.msg)) {
                msg_addrs(m, &mut add);
            }
        }
        Replay {
            events,
            opts,
            explicit,
            nodes: HashMap::new(),
            names: Vec::new(),
            values: Values::default(),
            addrs: HashMap::new(),
            seg_addrs,
            seg_sent: HashSet::new(),
            held: HashMap::new(),
            dirty: HashMap::new(),
            ops: HashMap::new(),
            largest: 1,
            scratch: Vec::new(),
        }
    }

    fn node(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.nodes.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_owned());
        self.nodes.insert(name.to_owned(), id);
        id
    }

    fn event(&mut self, i: usize) -> Result<(), String> {
        let e = &self.events[i];
        if self.opts.model == ModelKind::Wor {
            let seg_msg = e
                .msg_in
                .iter()
                .chain(e.msg_out.iter().map(|s| &s.msg))
                .find(|m| is_segment_level(m));
            if let Some(m) = seg_msg {
                return Err(format!(
                    "{} is not an action of the WOR model (try --model wos)",
                    short(m)
                ));
            }
        }
        match e.role {
            Role::Acceptor => self.acceptor(i),
            Role::Client => self.client(i),
        }
    }

    // ----- acceptors -----

    fn acceptor(&mut self, i: usize) -> Result<(), String> {
        let e: &'a Event = &self.events[i];
        let s = self.node(&e.node);
        let Some(msg) = &e.msg_in else {
            return self.sim_step(i, s);
        };
        let c = self.node(
            e.from
                .as_deref()
                .expect("parse checks acceptor steps have 'from'"),
        );
        // The replies go back to the sender.
        let replies: &'a [Sent] = &e.msg_out;
        for sent in replies {
            if sent.to != *e.from.as_ref().expect("checked") {
                return Err(format!(
                    "an acceptor step sends to {}, not to its sender",
                    sent.to
                ));
            }
        }
        let changes = Changes {
            promised: e.changed.promised,
            accepted: self.values.proposal(&e.changed.accepted),
            seg_promised: e.changed.seg_promised,
            trimmed: e.changed.trimmed,
        };
        if let Some((addr, m)) = wmsg(msg, &mut self.values) {
            if !matches!(m, WMsg::Prepare(_) | WMsg::Accept(..) | WMsg::Read(_)) {
                return Err(format!("an acceptor handles a reply, {}", short(msg)));
            }
            let st = self.addrs.entry(addr).or_default();
            if !st.sent.contains(&(c, s, m)) {
                return Err(format!(
                    "{} from {} was never sent to {}",
                    short(msg),
                    e.from.as_deref().unwrap_or("?"),
                    e.node
                ));
            }
            let obs = match replies {
                [r] => &r.msg,
                _ => {
                    return Err(format!(
                        "the model's acceptor sends one reply, the event sends {}",
                        replies.len()
                    ))
                }
            };
            let obs_w = wmsg(obs, &mut self.values)
                .filter(|(a, _)| *a == addr)
                .map(|(_, w)| w);
            let unchanged = changes.promised.is_none() && changes.accepted.is_none();
            let values = &self.values;
            let n = step_cands(
                st.cands(s),
                &mut self.scratch,
                !self.explicit,
                self.opts.max_candidates,
                |pre| {
                    if pre.trimmed {
                        return match obs {
                            Msg::Trimmed { seg } if *seg == addr.seg && unchanged => Ok(*pre),
                            _ => Err(format!(
                                "the segment is trimmed: the model's acceptor answers Trimmed, the event answers {}",
                                short(obs)
                            )),
                        };
                    }
                    let (next, reply) = model::acceptor_step(pre, m, values);
                    if reply.is_none() || reply != obs_w {
                        return Err(format!(
                            "in state {}, the model's acceptor answers {}; the event answers {}",
                            show_acc(pre, values),
                            reply.map_or("nothing".into(), |r| show_w(r, values)),
                            short(obs)
                        ));
                    }
                    changes.check_wor(pre, &next, values).map(|_| next)
                },
            )?;
            self.largest = self.largest.max(n);
            if self.explicit {
                let dirty = self.dirty.entry(s).or_default();
                if !dirty.contains(&addr) {
                    dirty.push(addr);
                }
            }
        } else {
            self.segment_step(i, s, c, msg, replies, &changes)?;
        }
        for (k, r) in replies.iter().enumerate() {
            if self.explicit {
                self.held.entry(s).or_default().push((c, i, k));
            } else {
                self.release(s, c, &r.msg);
            }
        }
        Ok(())
    }

    /// The simulator's `sync`, `crash` and `restart`.
    fn sim_step(&mut self, i: usize, s: u32) -> Result<(), String> {
        // Taken for the loop below and put back empty (keeping its allocation).
        let mut dirty = std::mem::take(self.dirty.entry(s).or_default());
        match self.events[i].step.as_str() {
            "sync" => {
                for a in &dirty {
                    for c in self.addrs.get_mut(a).expect("dirty WORs exist").cands(s) {
                        c.dur = c.cur;
                    }
                }
                let events: &'a [Event] = self.events;
                let held = self.held.entry(s).or_default();
                let mut released = Vec::new();
                for sent in &events[i].msg_out {
                    let to = *self.nodes.get(&sent.to).unwrap_or(&u32::MAX);
                    let produced = |&(c, ev, k): &(u32, usize, usize)| {
                        c == to && events[ev].msg_out[k].msg == sent.msg
                    };
                    let Some(k) = held.iter().position(produced) else {
                        return Err(format!(
                            "the sync releases {} to {}, which no step of {} produced",
                            short(&sent.msg),
                            sent.to,
                            self.events[i].node
                        ));
                    };
                    released.push((to, &sent.msg));
                    held.swap_remove(k);
                }
                for (c, m) in released {
                    self.release(s, c, m);
                }
            }
            "crash" => {
                for a in &dirty {
                    let cands = self.addrs.get_mut(a).expect("dirty WORs exist").cands(s);
                    for c in cands.iter_mut() {
                        c.cur = c.dur;
                    }
                    let mut uniq: Vec<Cand> = Vec::with_capacity(cands.len());
                    for c in cands.drain(..) {
                        if !uniq.contains(&c) {
                            uniq.push(c);
                        }
                    }
                    *cands = uniq;
                }
                if let Some(held) = self.held.get_mut(&s) {
                    held.clear();
                }
            }
            // The state was rebuilt from the durable records: what the crash left.
            _ => {}
        }
        dirty.clear();
        self.dirty.insert(s, dirty);
        Ok(())
    }

    /// A reply leaves `s` for `c`: it is in flight from now on.
    fn release(&mut self, s: u32, c: u32, m: &Msg) {
        match wmsg(m, &mut self.values) {
            Some((addr, w)) => {
                self.addrs.entry(addr).or_default().sent.insert((s, c, w));
            }
            None => {
                self.seg_sent.insert((s, c, m.clone()));
            }
        }
    }

    /// WOS: a batch capture, trim or subscribe, on every WOR of the segment.
    fn segment_step(
        &mut self,
        i: usize,
        s: u32,
        c: u32,
        msg: &Msg,
        replies: &[Sent],
        changes: &Changes,
    ) -> Result<(), String> {
        let e = &self.events[i];
        let Some(seg) = msg.seg() else {
            return Err(format!("{} is not a request", short(msg)));
        };
        if matches!(
            msg,
            Msg::BatchPromise { .. }
                | Msg::BatchNack { .. }
                | Msg::Trimmed { .. }
                | Msg::TrimDone { .. }
                | Msg::Notify { .. }
        ) {
            return Err(format!("an acceptor handles a reply, {}", short(msg)));
        }
        if !self.seg_sent.contains(&(c, s, msg.clone())) {
            return Err(format!(
                "{} from {} was never sent to {}",
                short(msg),
                e.from.as_deref().unwrap_or("?"),
                e.node
            ));
        }
        if changes.promised.is_some() || changes.accepted.is_some() {
            return Err("a segment step reports a WOR's changes".into());
        }
        let wors: Vec<Addr> = self.seg_addrs.get(&seg).cloned().unwrap_or_default();
        let data = |a: &Addr| matches!(a.slot, Slot::Data(_));
        let one = |kind: &str| -> Result<&Msg, String> {
            match replies {
                [r] => Ok(&r.msg),
                _ => Err(format!(
                    "the model's acceptor answers {kind} with one message, the event sends {}",
                    replies.len()
                )),
            }
        };
        let implicit = !self.explicit;
        let max = self.opts.max_candidates;
        let mut largest = self.largest;
        let mut touched = Vec::new();
        match msg {
            Msg::BatchPrepare { ballot, .. } => {
                let obs = one("BatchPrepare")?;
                let mut witness = false;
                for &a in wors.iter().filter(|a| data(a)) {
                    let expect: Option<WMsg> = match obs {
                        Msg::BatchPromise {
                            ballot: b,
                            accepted,
                            ..
                        } => {
                            let Slot::Data(o) = a.slot else {
                                unreachable!()
                            };
                            let acc = accepted
                                .iter()
                                .find(|(x, _)| *x == o)
                                .map(|(_, p)| p.clone());
                            Some(WMsg::Promise(*b, self.values.proposal(&acc)))
                        }
                        _ => None,
                    };
                    let values = &self.values;
                    let st = self.addrs.entry(a).or_default();
                    let n = step_cands(st.cands(s), &mut self.scratch, implicit, max, |pre| {
                        let at = addr_name(a);
                        match obs {
                            Msg::Trimmed { .. } if pre.trimmed => Ok(*pre),
                            _ if pre.trimmed => Err(format!(
                                "{at} is trimmed: the model's acceptor answers Trimmed, the event {}",
                                short(obs)
                            )),
                            Msg::BatchNack { promised, .. } => {
                                if pre.promised > *promised {
                                    return Err(format!(
                                        "{at} promised {} in the model, above the nack's {promised}",
                                        pre.promised
                                    ));
                                }
                                witness |= pre.promised == *promised && *promised > *ballot;
                                (changes.seg_promised.is_none() && !changes.trimmed)
                                    .then_some(*pre)
                                    .ok_or_else(|| "a nack changes nothing".into())
                            }
                            Msg::BatchPromise { .. } => {
                                let (next, reply) =
                                    model::acceptor_step(pre, WMsg::Prepare(*ballot), values);
                                if reply != expect {
                                    return Err(format!(
                                        "at {at}, in state {}, the model's acceptor answers {}; the event's batch promise says {}",
                                        show_acc(pre, values),
                                        reply.map_or("nothing".into(), |r| show_w(r, values)),
                                        expect.map_or("nothing".into(), |r| show_w(r, values)),
                                    ));
                                }
                                match changes.seg_promised {
                                    Some(p) if p == *ballot && next.promised == p => Ok(next),
                                    None if next == *pre => Ok(next),
                                    _ => Err(format!(
                                        "at {at} the model's acceptor promises {} (was {}), the event reports segment promise {:?}",
                                        next.promised, pre.promised, changes.seg_promised
                                    )),
                                }
                            }
                            other => Err(format!(
                                "the model's acceptor answers a batch capture with a promise or a nack, not {}",
                                short(other)
                            )),
                        }
                    })?;
                    largest = largest.max(n);
                    touched.push(a);
                }
                if let Msg::BatchNack { promised, .. } = obs {
                    if !witness {
                        return Err(format!(
                            "the nack shows promise {promised}, which no WOR of segment {seg} has in the model"
                        ));
                    }
                }
            }
            Msg::Trim { .. } => {
                let obs = one("Trim")?;
                if !matches!(obs, Msg::TrimDone { seg: x } if *x == seg) {
                    return Err(format!(
                        "the model's acceptor answers Trim with TrimDone, the event with {}",
                        short(obs)
                    ));
                }
                for &a in &wors {
                    let st = self.addrs.entry(a).or_default();
                    let n = step_cands(st.cands(s), &mut self.scratch, implicit, max, |pre| {
                        match (pre.trimmed, changes.trimmed) {
                            (true, false) => Ok(*pre),
                            (false, true) => Ok(Acc {
                                trimmed: true,
                                ..Acc::default()
                            }),
                            (true, true) => Err("the segment was already trimmed".into()),
                            (false, false) => Err(format!(
                                "the model's acceptor drops {} and keeps a tombstone; the event reports no change",
                                addr_name(a)
                            )),
                        }
                    })?;
                    largest = largest.max(n);
                    touched.push(a);
                }
            }
            Msg::Subscribe { .. } => {
                if changes.seg_promised.is_some() || changes.trimmed {
                    return Err("a subscription changes nothing".into());
                }
                let mut notified: Vec<(Addr, Option<(Ballot, Val)>)> = Vec::new();
                for r in replies {
                    match &r.msg {
                        Msg::Notify { addr, proposal } if addr.seg == seg => {
                            notified.push((*addr, self.values.proposal(&Some(proposal.clone()))))
                        }
                        Msg::Trimmed { seg: x } if *x == seg && replies.len() == 1 => {}
                        other => {
                            return Err(format!(
                                "the model answers a subscription with notifications, not {}",
                                short(other)
                            ))
                        }
                    }
                }
                let trimmed = notified.is_empty() && !replies.is_empty();
                for &a in wors.iter().filter(|a| data(a)) {
                    let expect = notified.iter().find(|(x, _)| *x == a).and_then(|(_, p)| *p);
                    let values = &self.values;
                    let st = self.addrs.entry(a).or_default();
                    let n = step_cands(st.cands(s), &mut self.scratch, implicit, max, |pre| {
                        if pre.trimmed == trimmed && (trimmed || pre.accepted == expect) {
                            Ok(*pre)
                        } else {
                            Err(format!(
                                "at {}, in state {}, the model's acceptor notifies otherwise",
                                addr_name(a),
                                show_acc(pre, values)
                            ))
                        }
                    })?;
                    largest = largest.max(n);
                }
            }
            other => return Err(format!("{} is not a request", short(other))),
        }
        self.largest = largest;
        if self.explicit {
            let dirty = self.dirty.entry(s).or_default();
            for a in touched {
                if !dirty.contains(&a) {
                    dirty.push(a);
                }
            }
        }
        Ok(())
    }

    // ----- clients -----

    fn client(&mut self, i: usize) -> Result<(), String> {
        let e: &'a Event = &self.events[i];
        let c = self.node(&e.node);
        let key = (c, e.op.expect("parse checks client steps have 'op'"));
        if e.step == "start" {
            self.write_follows_capture(e.changed.phase.as_ref())?;
            let mut replicas = Vec::new();
            for sent in &e.msg_out {
                let s = self.node(&sent.to);
                if !replicas.contains(&s) {
                    replicas.push(s);
                }
            }
            self.ops.insert(
                key,
                OpInfo {
                    start: i,
                    last: i,
                    replicas,
                },
            );
        }
        // Put back below (an error ends the replay).
        let (start, prev, replicas) = match self.ops.get_mut(&key) {
            Some(op) => (op.start, op.last, std::mem::take(&mut op.replicas)),
            None => return Err(format!("call {} of {} has no start", key.1, e.node)),
        };
        let quorum = replicas.len() / 2 + 1;
        if let (Some(msg), Some(from)) = (&e.msg_in, &e.from) {
            let s = self.node(from);
            self.reply(i, s, c, msg, prev, &replicas, quorum)?;
        }
        if let Some(done) = &e.changed.done {
            self.returned(i, prev, start, c, done)?;
        }
        for sent in &e.msg_out {
            let s = self.node(&sent.to);
            match wmsg(&sent.msg, &mut self.values) {
                Some((addr, w)) => {
                    let st = self.addrs.entry(addr).or_default();
                    if let WMsg::Accept(b, v) = w {
                        if let Some(&old) = st.proposed.get(&b) {
                            if old != v {
                                return Err(format!(
                                    "a second value {} proposed at ballot {b} of {addr} (first {})",
                                    text(self.values.bytes(v)),
                                    text(self.values.bytes(old))
                                ));
                            }
                        }
                        st.proposed.insert(b, v);
                    }
                    st.sent.insert((c, s, w));
                }
                None => {
                    self.seg_sent.insert((c, s, sent.msg.clone()));
                }
            }
        }
        let op = self.ops.get_mut(&key).expect("seen above");
        op.last = i;
        op.replicas = replicas;
        Ok(())
    }

    /// A write with a capture must write what the capture found (the Paxos rule): the
    /// model's client goes from phase 1 to phase 2 with the highest accepted value.
    fn write_follows_capture(&mut self, phase: Option<&Phase>) -> Result<(), String> {
        let writes: Vec<(Addr, Ballot, Val)> = match phase {
            Some(Phase::Accept {
                addr,
                ballot,
                value,
                ..
            }) => vec![(*addr, *ballot, self.values.id(value))],
            Some(Phase::BatchAccept { seg, ballot, slots }) => slots
                .iter()
                .map(|(o, w)| (Addr::data(*seg, *o), *ballot, self.values.id(&w.value)))
                .collect(),
            _ => return Ok(()),
        };
        for (addr, ballot, v) in writes {
            let st = self.addrs.entry(addr).or_default();
            if let Some(Some(found)) = st.captured.get(&ballot) {
                if *found != v {
                    return Err(format!(
                        "the write at {addr} with capture {ballot} writes {}, but the capture found {}, which the model's client must write",
                        text(self.values.bytes(v)),
                        text(self.values.bytes(*found))
                    ));
                }
            }
        }
        Ok(())
    }

    /// A client handles a reply from server `s`.
    #[allow(clippy::too_many_arguments)]
    fn reply(
        &mut self,
        i: usize,
        s: u32,
        c: u32,
        msg: &Msg,
        prev: usize,
        replicas: &[u32],
        quorum: usize,
    ) -> Result<(), String> {
        let e = &self.events[i];
        let never = || {
            format!(
                "{} from {} was never sent to {}",
                short(msg),
                e.from.as_deref().unwrap_or("?"),
                e.node
            )
        };
        let Some((addr, w)) = wmsg(msg, &mut self.values) else {
            if !self.seg_sent.contains(&(s, c, msg.clone())) {
                return Err(never());
            }
            // A batch promise shows the segment's batch promise durable.
            if let (Msg::BatchPromise { seg, ballot, .. }, false) = (msg, self.explicit) {
                let wors = self.seg_addrs.get(seg).cloned().unwrap_or_default();
                for a in wors.iter().filter(|a| matches!(a.slot, Slot::Data(_))) {
                    let st = self.addrs.entry(*a).or_default();
                    durable_at_least(st.cands(s), *a, |d| d.promised >= *ballot || d.trimmed)?;
                }
            }
            return Ok(());
        };
        if matches!(w, WMsg::Prepare(_) | WMsg::Accept(..) | WMsg::Read(_)) {
            return Err(format!("a client handles a request, {}", short(msg)));
        }
        let st = self.addrs.entry(addr).or_default();
        if !st.sent.contains(&(s, c, w)) {
            return Err(never());
        }
        // Replies leave after the sync: what they show is durable.
        if !self.explicit {
            match w {
                WMsg::Promise(b, _) => {
                    durable_at_least(st.cands(s), addr, |d| d.promised >= b || d.trimmed)?
                }
                WMsg::Accepted(b) => durable_at_least(st.cands(s), addr, |d| {
                    d.accepted.is_some_and(|(x, _)| x >= b) || d.trimmed
                })?,
                _ => {}
            }
        }
        if let WMsg::Accepted(b) = w {
            let by = st.accepts.entry(b).or_default();
            if !by.contains(&s) {
                by.push(s);
            }
            if by.len() >= quorum && !replicas.is_empty() {
                if let Some(&v) = st.proposed.get(&b) {
                    agree(st, addr, v, i, &self.values)?;
                }
            }
        }
        // The client's phase: the model's client must take the same step.
        let Some(before) = &self.events[prev].changed.phase else {
            return Ok(());
        };
        let (Some(pa), Some(from)) = (phase_addr(before), replicas.iter().position(|x| *x == s))
        else {
            return Ok(());
        };
        let Some(phase) = WPhase::of(before, &mut self.values) else {
            return Ok(());
        };
        let after = e
            .changed
            .phase
            .as_ref()
            .expect("parse checks client replies");
        let now = WPhase::of(after, &mut self.values);
        let outcome = if pa == addr {
            model::phase_step(phase, from, w, quorum, &self.values)
        } else {
            Outcome::Phase(phase)
        };
        let values = &self.values;
        let v = |x: Val| values.bytes(x).to_vec();
        let ok = match (outcome, &e.changed.done) {
            (Outcome::Phase(p) | Outcome::Next(p), _) => now == Some(p),
            (
                Outcome::Captured(b, pending),
                Some(Ok(Done::Captured {
                    ballot,
                    pending: got,
                })),
            ) => *ballot == b && *got == pending.map(v),
            (Outcome::Decided(x), Some(done)) => match (done, x) {
                (Ok(Done::Written), Some(x)) => {
                    matches!(phase, WPhase::Accept { value, .. } if value == x)
                }
                (Err(Error::AlreadyWritten(got)) | Ok(Done::Decided(got)), Some(x)) => *got == v(x),
                (Ok(Done::Value(got)), x) => *got == x.map(v),
                _ => false,
            },
            // A trim goes on from deciding its trim WOR to dropping the segment.
            (Outcome::Decided(Some(_)), None) => matches!(after, Phase::TrimAll { .. }),
            (Outcome::Nacked, _) => true,
            _ => false,
        };
        if !ok {
            return Err(format!(
                "the model's client, in phase {}, on {} from position {from} goes to {}; the event reports {}{}",
                show_phase(&phase, values),
                short(msg),
                show_outcome(&outcome, values),
                now.map_or_else(|| format!("{after:?}"), |p| show_phase(&p, values)),
                e.changed
                    .done
                    .as_ref()
                    .map_or(String::new(), |d| format!(", result {d:?}"))
            ));
        }
        Ok(())
    }

    /// A call ended: what it says the WORs hold must agree with what was chosen.
    fn returned(
        &mut self,
        i: usize,
        prev: usize,
        start: usize,
        c: u32,
        done: &Result<Done, Error>,
    ) -> Result<(), String> {
        let before = self.events[prev].changed.phase.as_ref();
        let mut told: Vec<(Addr, Option<Val>)> = Vec::new();
        match (done, before) {
            (Ok(Done::Written), Some(Phase::Accept { addr, value, .. })) => {
                told.push((*addr, Some(self.values.id(value))))
            }
            (
                Err(Error::AlreadyWritten(v)) | Ok(Done::Decided(v)),
                Some(Phase::Accept { addr, .. }),
            ) => told.push((*addr, Some(self.values.id(v)))),
            (Ok(Done::Value(v)), Some(Phase::Read { addr, .. } | Phase::Accept { addr, .. })) => {
                told.push((*addr, v.as_ref().map(|v| self.values.id(v))))
            }
            (Ok(Done::BatchWritten(results)), Some(Phase::BatchAccept { seg, slots, .. })) => {
                for (o, r) in results {
                    let value = match (r, slots.get(o)) {
                        (Ok(()), Some(w)) => &w.value,
                        (Err(Error::AlreadyWritten(v)), _) => v,
                        _ => continue,
                    };
                    told.push((Addr::data(*seg, *o), Some(self.values.id(value))));
                }
            }
            (Ok(Done::Captured { ballot, pending }), Some(Phase::Prepare { addr, .. })) => {
                let pending = pending.as_ref().map(|v| self.values.id(v));
                let st = self.addrs.entry(*addr).or_default();
                st.captured.insert(*ballot, pending);
            }
            (
                Ok(Done::BatchCaptured { ballot, pending }),
                Some(Phase::BatchPrepare { seg, .. }),
            ) => {
                let wors = self.seg_addrs.get(seg).cloned().unwrap_or_default();
                for a in wors {
                    let Slot::Data(o) = a.slot else { continue };
                    let p = pending.get(&o).map(|v| self.values.id(v));
                    self.addrs.entry(a).or_default().captured.insert(*ballot, p);
                }
            }
            _ => {}
        }
        for (addr, v) in told {
            let st = self.addrs.entry(addr).or_default();
            match v {
                Some(v) => agree(st, addr, v, i, &self.values)?,
                None => {
                    // Stability: a read that began after a value was returned finds it.
                    // Merged logs order concurrent events arbitrarily, so this holds the
                    // simulator's trace (one real order) and each client's own calls.
                    if let Some((v, at)) = st.value {
                        let same_client = self.events[at].node == self.names[c as usize];
                        if at < start && (self.explicit || same_client) {
                            return Err(format!(
                                "a read of {addr} returned nothing after {} was returned at line {}",
                                text(self.values.bytes(v)),
                                self.events[at].line
                            ));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    // ----- failure reports -----

    fn failure(&self, i: usize, reason: String) -> Failure {
        let e = &self.events[i];
        let mut addrs: Vec<Addr> = Vec::new();
        if let Some(a) = e.addr {
            addrs.push(a);
        } else if let Some(seg) = e.seg {
            addrs.extend(self.seg_addrs.get(&seg).into_iter().flatten().copied());
        }
        if let Some(a) = e.msg_in.as_ref().and_then(Msg::addr) {
            if !addrs.contains(&a) {
                addrs.push(a);
            }
        }
        let mut candidates = Vec::new();
        for a in addrs {
            let Some(st) = self.addrs.get(&a) else {
                continue;
            };
            let mut accs: Vec<_> = st.accs.iter().collect();
            accs.sort_by_key(|(s, _)| &self.names[*s as usize]);
            for (s, cands) in accs {
                let shown: Vec<String> = cands
                    .iter()
                    .take(8)
                    .map(|c| {
                        let cur = show_acc(&c.cur, &self.values);
                        match c.dur == c.cur {
                            true => cur,
                            false => format!("{cur} (durable: {})", show_acc(&c.dur, &self.values)),
                        }
                    })
                    .collect();
                let more = match cands.len() > 8 {
                    true => format!(" ... and {} more", cands.len() - 8),
                    false => String::new(),
                };
                candidates.push(format!(
                    "{} at {}: {}{more}",
                    self.names[*s as usize],
                    addr_name(a),
                    shown.join(" | ")
                ));
            }
        }
        let lo = i.saturating_sub(3);
        let hi = (i + 4).min(self.events.len());
        let context = (lo..hi)
            .map(|j| format!("{} {}", if j == i { ">" } else { " " }, self.events[j]))
            .collect();
        Failure {
            index: i,
            file: e.file,
            line: e.line,
            node: e.node.clone(),
            lamport: e.lamport,
            reason,
            candidates,
            context,
        }
    }
}

/// Agreement: one value per WOR, whether chosen or returned.
fn agree(st: &mut AddrState, addr: Addr, v: Val, i: usize, values: &Values) -> Result<(), String> {
    match st.value {
        Some((old, _)) if old != v => Err(format!(
            "a second value at {addr}: {} after {}",
            text(values.bytes(v)),
            text(values.bytes(old))
        )),
        Some(_) => Ok(()),
        None => {
            st.value = Some((v, i));
            Ok(())
        }
    }
}

/// Keeps the candidates whose durable state satisfies `ok`: a reply showed it durable. (Every
/// step branched on "synced after it or not", so the candidate whose durable state is the one
/// the reply came from is among them.)
fn durable_at_least(
    cands: &mut Vec<Cand>,
    addr: Addr,
    ok: impl Fn(&Acc) -> bool,
) -> Result<(), String> {
    cands.retain(|c| ok(&c.dur));
    if cands.is_empty() {
        return Err(format!(
            "the reply shows state of {} that no candidate acceptor state holds durably",
            addr_name(addr)
        ));
    }
    Ok(())
}

fn show_acc(a: &Acc, values: &Values) -> String {
    if a.trimmed {
        return "trimmed".into();
    }
    let acc = match a.accepted {
        Some((b, v)) => format!("({b}, {})", text(values.bytes(v))),
        None => "none".into(),
    };
    format!("promised {}, accepted {acc}", a.promised)
}

fn show_p(p: Option<(Ballot, Val)>, values: &Values) -> String {
    match p {
        Some((b, v)) => format!("({b}, {})", text(values.bytes(v))),
        None => "none".into(),
    }
}

fn show_w(m: WMsg, values: &Values) -> String {
    match m {
        WMsg::Prepare(b) => format!("Prepare({b})"),
        WMsg::Promise(b, p) => format!("Promise({b}, {})", show_p(p, values)),
        WMsg::Accept(b, v) => format!("Accept({b}, {})", text(values.bytes(v))),
        WMsg::Accepted(b) => format!("Accepted({b})"),
        WMsg::Nack(b, p) => format!("Nack({b}, promised {p})"),
        WMsg::Read(b) => format!("Read({b})"),
        WMsg::ReadReply(b, p) => format!("ReadReply({b}, {})", show_p(p, values)),
    }
}

fn set(s: u8) -> String {
    format!(
        "{:?}",
        (0..8).filter(|i| s & (1 << i) != 0).collect::<Vec<_>>()
    )
}

fn show_phase(p: &WPhase, values: &Values) -> String {
    match *p {
        WPhase::Prepare {
            ballot,
            promises,
            highest,
            completing,
        } => format!(
            "Prepare({ballot}, promises {}, highest {}, completing {})",
            set(promises),
            show_p(highest, values),
            completing.map_or("none".into(), |v| text(values.bytes(v)))
        ),
        WPhase::Accept {
            ballot,
            value,
            accepts,
        } => format!(
            "Accept({ballot}, {}, accepts {})",
            text(values.bytes(value)),
            set(accepts)
        ),
        WPhase::Read {
            ballot,
            replies,
            highest,
            unanimous,
        } => format!(
            "Read({ballot}, replies {}, highest {}, unanimous {unanimous})",
            set(replies),
            show_p(highest, values)
        ),
    }
}

fn show_outcome(o: &Outcome, values: &Values) -> String {
    match o {
        Outcome::Phase(p) | Outcome::Next(p) => show_phase(p, values),
        Outcome::Captured(b, p) => format!(
            "captured at {b}, pending {}",
            p.map_or("none".into(), |v| text(values.bytes(v)))
        ),
        Outcome::Decided(v) => format!(
            "decided {}",
            v.map_or("nothing".into(), |v| text(values.bytes(v)))
        ),
        Outcome::Nacked => "a retry".into(),
    }
}
