//! Client histories: what each call asked and answered, as JSON lines in the format `worm lin`
//! reads (refinement/src/lin/history.rs), to check against the write-once register spec
//! (`worm lin HISTORY --model wor`).
//!
//! Every WOR is a key of its own, and each client is one process per WOR (`c<hex>@SEG:OFFSET`),
//! so that a batch call, which runs on several WORs at once, is one operation per WOR. A call
//! becomes the register's operations:
//!
//! - `capture` returns its capture id `[round, client high 32 bits, client low 32 bits]` (the
//!   ballot's order, in integers a JSON reader keeps exact); a batch capture is a capture of
//!   each data WOR of its segment the history follows;
//! - `write` takes `[id, value]` and returns the value the WOR holds: the caller's, or the one
//!   it had to complete (`AlreadyWritten`);
//! - `read` returns the value or `null`;
//! - `decide` (capture and write, retried until a value is chosen) is a `write` of unknown
//!   outcome (its value may be the one chosen) and a `read` returning the chosen value, each on
//!   a process of its own;
//! - a subscription's report that a WOR was written is a `read` that returns the value at that
//!   instant.
//!
//! A call that failed before it sent anything (`NotCaptured`, `NotAllocated`) is `fail`;
//! every other error leaves the outcome unknown (`info`): a preempted or timed-out write may
//! still take effect, a trimmed segment's state is gone.

use crate::proposer::{Done, Error, Kind};
use crate::types::{Addr, Ballot, Value};
use serde_json::{json, Value as Json};

/// Records calls as history events, in the order they happen.
#[derive(Clone, Debug, Default)]
pub struct Recorder {
    lines: Vec<String>,
    /// The data WORs (offsets) a batch capture is recorded on.
    batch_offsets: Vec<u32>,
    ops: usize,
}

/// A capture id of the history: the ballot's order, in integers below 2^53.
fn id(b: Ballot) -> Json {
    json!([b.round, b.client >> 32, b.client & 0xffff_ffff])
}

/// A value: a string if it is UTF-8, else its bytes.
fn value(v: &Value) -> Json {
    match std::str::from_utf8(v) {
        Ok(s) => json!(s),
        Err(_) => json!(v),
    }
}

fn process(client: u64, addr: Addr) -> String {
    format!("c{client:x}@{addr}")
}

impl Recorder {
    /// A recorder that records batch captures on the data WORs `batch_offsets`.
    pub fn new(batch_offsets: Vec<u32>) -> Self {
        Recorder {
            batch_offsets,
            ..Recorder::default()
        }
    }

    /// The history so far, one JSON object a line.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// Register operations invoked so far.
    pub fn operations(&self) -> usize {
        self.ops
    }

    pub fn into_lines(self) -> Vec<String> {
        self.lines
    }

    fn event(&mut self, process: String, kind: &str, op: &str, addr: Addr, extra: Option<Json>) {
        let mut e = json!({"process": process, "type": kind, "op": op, "key": addr.to_string()});
        match (kind, extra) {
            ("invoke", Some(args)) => e["args"] = args,
            (_, Some(result)) => e["result"] = result,
            _ => {}
        }
        if kind == "invoke" {
            self.ops += 1;
        }
        self.lines.push(e.to_string());
    }

    /// The WORs a call of `kind` is on, with the register operation it is on each.
    fn parts(&self, kind: &Kind) -> Vec<(Addr, &'static str)> {
        match kind {
            Kind::Capture(a) => vec![(*a, "capture")],
            Kind::Write { addr, .. } => vec![(*addr, "write")],
            Kind::Read(a) | Kind::Decide { addr: a, .. } => vec![(*a, "read")],
            Kind::BatchCapture(seg) => self
                .batch_offsets
                .iter()
                .map(|o| (Addr::data(*seg, *o), "capture"))
                .collect(),
            Kind::BatchWrite { seg, writes } => writes
                .iter()
                .map(|(o, _)| (Addr::data(*seg, *o), "write"))
                .collect(),
            Kind::Trim(_) => Vec::new(),
        }
    }

    /// Client `client` starts a call of `kind`, with the capture `ballot` for a write.
    pub fn invoke(&mut self, client: u64, kind: &Kind, ballot: Option<Ballot>) {
        let capture = id(ballot.unwrap_or(Ballot::ZERO));
        match kind {
            Kind::Write { addr, value: v, .. } => {
                let args = json!([capture, value(v)]);
                self.event(process(client, *addr), "invoke", "write", *addr, Some(args));
            }
            Kind::BatchWrite { seg, writes } => {
                for (o, v) in writes {
                    let addr = Addr::data(*seg, *o);
                    let args = json!([capture.clone(), value(v)]);
                    self.event(process(client, addr), "invoke", "write", addr, Some(args));
                }
            }
            Kind::Decide { addr, value: v } => {
                // Its proposal, which may be the value chosen: a write nobody learns the end of.
                let proposer = format!("{}/decide", process(client, *addr));
                let args = json!([id(Ballot::ZERO), value(v)]);
                self.event(proposer.clone(), "invoke", "write", *addr, Some(args));
                self.event(proposer, "info", "write", *addr, None);
                self.event(process(client, *addr), "invoke", "read", *addr, None);
            }
            _ => {
                for (addr, op) in self.parts(kind) {
                    self.event(process(client, addr), "invoke", op, addr, None);
                }
            }
        }
    }

    /// The call of `kind` that client `client` started ended with `result`.
    pub fn complete(&mut self, client: u64, kind: &Kind, result: &Result<Done, Error>) {
        let parts = self.parts(kind);
        let outcome = |r: &Result<Done, Error>, addr: Addr| -> (&'static str, Option<Json>) {
            match r {
                Ok(Done::Captured { ballot, .. } | Done::BatchCaptured { ballot, .. }) => {
                    ("ok", Some(id(*ballot)))
                }
                Ok(Done::Written) => match kind {
                    Kind::Write { value: v, .. } => ("ok", Some(value(v))),
                    _ => ("info", None),
                },
                Ok(Done::Value(v)) => ("ok", Some(v.as_ref().map_or(Json::Null, value))),
                Ok(Done::Decided(v)) | Err(Error::AlreadyWritten(v)) => ("ok", Some(value(v))),
                Ok(Done::BatchWritten(results)) => {
                    let own = match kind {
                        Kind::BatchWrite { writes, .. } => writes
                            .iter()
                            .find(|(o, _)| Addr::data(addr.seg, *o) == addr)
                            .map(|(_, v)| v),
                        _ => None,
                    };
                    match (
                        results
                            .iter()
                            .find(|(o, _)| Addr::data(addr.seg, *o) == addr),
                        own,
                    ) {
                        (Some((_, Ok(()))), Some(v)) => ("ok", Some(value(v))),
                        (Some((_, Err(Error::AlreadyWritten(w)))), _) => ("ok", Some(value(w))),
                        _ => ("info", None),
                    }
                }
                Ok(Done::TrimDone) => ("info", None),
                Err(Error::NotCaptured | Error::NotAllocated) => ("fail", None),
                Err(_) => ("info", None),
            }
        };
        for (addr, op) in parts {
            let (kind, result) = outcome(result, addr);
            self.event(process(client, addr), kind, op, addr, result);
        }
    }

    /// Client `client`'s subscription reported that `addr` holds `v`.
    pub fn notified(&mut self, client: u64, addr: Addr, v: &Value) {
        let p = format!("{}/watch", process(client, addr));
        self.event(p.clone(), "invoke", "read", addr, None);
        self.event(p, "ok", "read", addr, Some(value(v)));
    }
}
