//! Trace events as the validator reads them: the JSON-lines schema of `impl/README.md`
//! ("Trace events"), parsed into owned values, and the merge of several processes' logs.

use serde::Deserialize;
use std::fmt;
use std::io::BufRead;
use worm_wormspace::proposer::{Done, Error, Phase};
use worm_wormspace::types::{Addr, Ballot, Proposal, SegId};
use worm_wormspace::wire::Msg;

/// Who took a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Acceptor,
    Client,
}

/// A message a step sent, and to whom.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Sent {
    pub to: String,
    pub msg: Msg,
}

/// The state a step reports. An acceptor reports the fields it changed (`promised`,
/// `accepted`, `seg_promised`, `trimmed`); a client its phase after the step and, if the call
/// ended, its result.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Changed {
    pub promised: Option<Ballot>,
    pub accepted: Option<Proposal>,
    pub seg_promised: Option<Ballot>,
    pub trimmed: bool,
    pub phase: Option<Phase>,
    pub done: Option<Result<Done, Error>>,
}

/// One protocol step of one process.
#[derive(Clone, Debug)]
pub struct Event {
    /// Which input the event came from (its index in [`merge`]'s argument; 0 for one file).
    pub file: usize,
    /// Its line in that input, from 1.
    pub line: usize,
    pub lamport: u64,
    pub node: String,
    pub role: Role,
    /// Acceptor: the message kind handled, or the simulator's `sync`, `crash`, `restart`.
    /// Client: `start`, `timer` or the reply kind handled.
    pub step: String,
    pub op: Option<u64>,
    pub addr: Option<Addr>,
    pub seg: Option<SegId>,
    pub from: Option<String>,
    pub msg_in: Option<Msg>,
    pub msg_out: Vec<Sent>,
    pub changed: Changed,
}

/// The line as JSON; `addr` is text (`SEG:OFFSET`) and becomes an [`Addr`] after.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    lamport: u64,
    node: String,
    role: Role,
    step: String,
    op: Option<u64>,
    addr: Option<String>,
    seg: Option<SegId>,
    from: Option<String>,
    msg_in: Option<Msg>,
    msg_out: Vec<Sent>,
    changed: Changed,
}

/// Input the validator cannot read: which line, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// From 1.
    pub line: usize,
    pub msg: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.msg)
    }
}

impl std::error::Error for ParseError {}

/// The simulator's own acceptor steps: they handle no message.
pub const SIM_STEPS: [&str; 3] = ["sync", "crash", "restart"];

/// Parses one trace file: one JSON object per line (blank lines are skipped). Checks the
/// shape of each event, not its meaning: an acceptor step handles a message of the kind it
/// names (or is one of [`SIM_STEPS`]); a client step names its call, and a reply it handles
/// names its sender.
pub fn parse_trace(reader: impl BufRead) -> Result<Vec<Event>, ParseError> {
    let mut events = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line_no = i + 1;
        let line = line.map_err(|e| ParseError {
            line: line_no,
            msg: format!("cannot read: {e}"),
        })?;
        if line.trim().is_empty() {
            continue;
        }
        events.push(parse_line(&line).map_err(|msg| ParseError { line: line_no, msg })?);
        events.last_mut().expect("just pushed").line = line_no;
    }
    Ok(events)
}

/// One event from one line of JSON (its `line` is left 0).
pub fn parse_line(line: &str) -> Result<Event, String> {
    let raw: Raw = serde_json::from_str(line).map_err(|e| format!("not a trace event: {e}"))?;
    let addr = raw.addr.as_deref().map(str::parse::<Addr>).transpose()?;
    let e = Event {
        file: 0,
        line: 0,
        lamport: raw.lamport,
        node: raw.node,
        role: raw.role,
        step: raw.step,
        op: raw.op,
        addr,
        seg: raw.seg,
        from: raw.from,
        msg_in: raw.msg_in,
        msg_out: raw.msg_out,
        changed: raw.changed,
    };
    check_shape(&e)?;
    Ok(e)
}

fn check_shape(e: &Event) -> Result<(), String> {
    match (e.role, &e.msg_in) {
        (Role::Acceptor, None) if SIM_STEPS.contains(&e.step.as_str()) => Ok(()),
        (Role::Acceptor, None) => Err(format!("acceptor step '{}' without msg_in", e.step)),
        (Role::Acceptor, Some(m)) if m.kind() != e.step => Err(format!(
            "acceptor step '{}' handles a {} message",
            e.step,
            m.kind()
        )),
        (Role::Acceptor, Some(_)) if e.from.is_none() => Err("acceptor step without 'from'".into()),
        (Role::Client, _) if e.op.is_none() => Err("client step without 'op'".into()),
        (Role::Client, None) if matches!(e.step.as_str(), "start" | "timer") => Ok(()),
        (Role::Client, None) => Err(format!("client step '{}' without msg_in", e.step)),
        (Role::Client, Some(m)) if m.kind() != e.step => Err(format!(
            "client step '{}' handles a {} message",
            e.step,
            m.kind()
        )),
        (Role::Client, Some(_)) if e.from.is_none() => Err("client reply without 'from'".into()),
        (Role::Client, Some(_)) if e.changed.phase.is_none() => {
            Err("client step without 'changed.phase'".into())
        }
        _ => Ok(()),
    }
}

/// Merges the logs of several processes into one causal order: by Lamport clock, then node
/// name (a message is always received at a higher clock than it was sent). Each event keeps
/// its input's index in `file`. A log's own order is kept among equal keys.
pub fn merge(logs: Vec<Vec<Event>>) -> Vec<Event> {
    let mut all: Vec<Event> = logs
        .into_iter()
        .enumerate()
        .flat_map(|(file, log)| {
            log.into_iter().map(move |mut e| {
                e.file = file;
                e
            })
        })
        .collect();
    all.sort_by(|a, b| (a.lamport, &a.node).cmp(&(b.lamport, &b.node)));
    all
}

impl fmt::Display for Event {
    /// One line: where it came from, who, what it handled, what it sent.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {} lamport {} {} {:?} {}",
            self.line, self.lamport, self.node, self.role, self.step
        )?;
        if let Some(op) = self.op {
            write!(f, " op {op}")?;
        }
        if let Some(a) = self.addr {
            write!(f, " at {a}")?;
        } else if let Some(s) = self.seg {
            write!(f, " at segment {s}")?;
        }
        if let (Some(from), Some(m)) = (&self.from, &self.msg_in) {
            write!(f, ": {} from {from}", short(m))?;
        }
        for s in &self.msg_out {
            write!(f, "; -> {} {}", s.to, short(&s.msg))?;
        }
        Ok(())
    }
}

/// A message in a few words: kind, ballot, proposal, values as text where printable.
pub fn short(m: &Msg) -> String {
    let p = |p: &Option<Proposal>| match p {
        Some((b, v)) => format!("({b}, {})", text(v)),
        None => "none".into(),
    };
    match m {
        Msg::Prepare { ballot, .. } => format!("Prepare({ballot})"),
        Msg::Accept { ballot, value, .. } => format!("Accept({ballot}, {})", text(value)),
        Msg::Read { ballot, .. } => format!("Read({ballot})"),
        Msg::Promise {
            ballot, accepted, ..
        } => format!("Promise({ballot}, {})", p(accepted)),
        Msg::Accepted { ballot, .. } => format!("Accepted({ballot})"),
        Msg::Nack {
            ballot, promised, ..
        } => format!("Nack({ballot}, promised {promised})"),
        Msg::ReadReply {
            ballot, accepted, ..
        } => format!("ReadReply({ballot}, {})", p(accepted)),
        Msg::BatchPrepare { seg, ballot } => format!("BatchPrepare(seg {seg}, {ballot})"),
        Msg::BatchPromise {
            seg,
            ballot,
            accepted,
        } => format!(
            "BatchPromise(seg {seg}, {ballot}, {} accepted)",
            accepted.len()
        ),
        Msg::BatchNack {
            seg,
            ballot,
            promised,
        } => format!("BatchNack(seg {seg}, {ballot}, promised {promised})"),
        other => format!("{other:?}"),
    }
}

/// A value as text if it is printable, else its bytes.
pub fn text(v: &[u8]) -> String {
    match std::str::from_utf8(v) {
        Ok(s) if s.chars().all(|c| !c.is_control()) => format!("{s:?}"),
        _ => format!("{v:?}"),
    }
}
