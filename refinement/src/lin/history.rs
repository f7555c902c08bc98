//! Client histories: events read from JSON lines or EDN, paired into operations.
//!
//! An event is one line (JSON) or one map (EDN): a process invokes an operation, and later the
//! same process completes it with `ok` (it took effect, with this result), `fail` (it did not
//! take effect) or `info` (nobody knows: a timeout, a preempted write). The events are in the
//! order they happened, which is all the checker needs of time: an operation's invoke before
//! another's completion means they overlapped; a completion before an invoke means the first
//! operation finished before the second began.
//!
//! Pairing gives each operation its place: the positions of its invoke and completion in the
//! event order. Failed operations are left out (they did not happen). Operations that end with
//! `info`, or never end, have an unknown outcome: no result and no completion, so they stay open
//! to the end of the history and may take effect at any point after their invoke, or never.
//!
//! # The JSON-lines format (what worm's client library writes)
//!
//! One JSON object a line, in the order the events happened; blank lines are skipped:
//!
//! ```text
//! {"process": 1, "type": "invoke", "op": "write", "key": "seg0/3", "args": [[1, 1], "A"]}
//! {"process": 1, "type": "ok", "op": "write", "key": "seg0/3", "result": "A"}
//! ```
//!
//! - `process`: an integer or a string naming the client thread; a process has at most one
//!   operation in flight.
//! - `type`: `"invoke"`, `"ok"`, `"fail"` or `"info"`.
//! - `op`: the operation's name (see each model in [`super::specs`]); required on an invoke,
//!   and if a completion has one it must match.
//! - `key`: optional; the object the operation is on (a register's address, a map's key).
//!   Operations on different keys are on independent objects and are checked apart.
//! - `args`: on an invoke, the operation's arguments (absent or `null` if it has none).
//! - `result`: on an `ok`, what the operation returned; ignored on `fail` and `info`.
//!
//! # The EDN format (Jepsen's, Knossos's and porcupine's)
//!
//! One map per event: `{:process 0, :type :invoke, :f :cas, :value [1 2]}`, with `:f` for the
//! operation, `:value` for the arguments of an invoke and the result of an `:ok`, and an
//! optional `:key`. Events of a process that is not an integer (Jepsen's `:nemesis`) are not
//! client operations and are skipped. Other fields (`:time`, `:index`) are ignored.

use super::datum::Datum;
use super::edn::EdnReader;
use super::specs::Spec;
use std::collections::HashMap;
use std::fmt;

/// The first line of a history that could not be read, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadInput {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for BadInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One JSON object a line: worm's own format.
    Json,
    /// Jepsen's EDN maps.
    Edn,
}

impl Format {
    /// JSON if the first event starts `{"`, EDN otherwise.
    pub fn detect(text: &str) -> Format {
        let mut chars = text.chars().filter(|c| !c.is_whitespace() && *c != ',');
        match (chars.next(), chars.next()) {
            (Some('{'), Some('"')) => Format::Json,
            _ => Format::Edn,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EventType {
    Invoke,
    Ok,
    Fail,
    Info,
}

/// One event, with the fields every format has.
struct Event {
    line: usize,
    process: Datum,
    kind: EventType,
    op: Option<String>,
    key: Option<Datum>,
    /// The arguments of an invoke, the result of a completion.
    value: Datum,
}

/// An operation of a history: an invoke paired with its completion.
#[derive(Clone, Debug)]
pub struct Operation<S: Spec> {
    pub process: Datum,
    pub key: Option<Datum>,
    pub input: S::Input,
    /// What it returned; `None` if its outcome is unknown.
    pub output: Option<S::Output>,
    /// Positions of its invoke and its completion among the history's events; the completion
    /// is `None` (after everything) if the outcome is unknown.
    pub call: usize,
    pub ret: Option<usize>,
    pub call_line: usize,
    pub ret_line: Option<usize>,
}

/// A history, paired and read by a spec.
#[derive(Clone, Debug)]
pub struct History<S: Spec> {
    /// In the order of their invokes.
    pub ops: Vec<Operation<S>>,
    /// Operations that completed with `fail`, and were left out.
    pub failed: usize,
}

impl<S: Spec> History<S> {
    /// Reads a whole history; the error names the first bad line.
    pub fn parse(spec: &S, text: &str, format: Format) -> Result<Self, BadInput> {
        let mut pairing = Pairing::new(spec);
        match format {
            Format::Json => {
                for (i, line) in text.lines().enumerate() {
                    if line.trim().is_empty() {
                        continue;
                    }
                    let value: serde_json::Value =
                        serde_json::from_str(line).map_err(|e| BadInput {
                            line: i + 1,
                            message: format!("not JSON: {e}"),
                        })?;
                    let fields = Fields {
                        op: "op",
                        args: "args",
                        result: "result",
                    };
                    if let Some(event) = event(i + 1, &Datum::from(value), &fields)? {
                        pairing.add(event)?;
                    }
                }
            }
            Format::Edn => {
                let mut reader = EdnReader::new(text);
                while let Some(map) = reader.next_map() {
                    let (line, map) = map?;
                    let fields = Fields {
                        op: "f",
                        args: "value",
                        result: "value",
                    };
                    if let Some(event) = event(line, &map, &fields)? {
                        pairing.add(event)?;
                    }
                }
            }
        }
        Ok(pairing.finish())
    }

    /// Operations with an unknown outcome.
    pub fn unknown(&self) -> usize {
        self.ops.iter().filter(|op| op.output.is_none()).count()
    }
}

/// The names a format gives the fields that differ.
struct Fields {
    op: &'static str,
    args: &'static str,
    result: &'static str,
}

/// Reads an event from a map; `None` for an event that is not a client's.
fn event(line: usize, map: &Datum, fields: &Fields) -> Result<Option<Event>, BadInput> {
    let bad = |message: String| BadInput { line, message };
    if !matches!(map, Datum::Map(_)) {
        return Err(bad(format!("expected an object, found {map}")));
    }
    let process = match map.get("process") {
        Some(p @ (Datum::Int(_) | Datum::Str(_))) => p.clone(),
        Some(Datum::Keyword(_)) => return Ok(None),
        Some(other) => {
            return Err(bad(format!(
                "process must be an integer or a string, not {other}"
            )))
        }
        None => return Err(bad("no process".into())),
    };
    let name = |d: &Datum| match d {
        Datum::Str(s) | Datum::Keyword(s) => Some(s.clone()),
        _ => None,
    };
    let kind = match map.get("type").and_then(name).as_deref() {
        Some("invoke") => EventType::Invoke,
        Some("ok") => EventType::Ok,
        Some("fail") => EventType::Fail,
        Some("info") => EventType::Info,
        _ => {
            return Err(bad(format!(
                "type must be invoke, ok, fail or info, not {}",
                map.get("type").unwrap_or(&Datum::Nil)
            )))
        }
    };
    let op = match map.get(fields.op) {
        None | Some(Datum::Nil) => None,
        Some(d) => Some(name(d).ok_or_else(|| bad(format!("bad operation name {d}")))?),
    };
    let value_field = if kind == EventType::Invoke {
        fields.args
    } else {
        fields.result
    };
    Ok(Some(Event {
        line,
        process,
        kind,
        op,
        key: map.get("key").cloned(),
        value: map.get(value_field).cloned().unwrap_or(Datum::Nil),
    }))
}

/// Pairs invokes with completions, process by process.
struct Pairing<'s, S: Spec> {
    spec: &'s S,
    ops: Vec<Option<Operation<S>>>,
    /// The operation each process has in flight: its index in `ops` and its name.
    in_flight: HashMap<Datum, (usize, String)>,
    events: usize,
    failed: usize,
}

impl<'s, S: Spec> Pairing<'s, S> {
    fn new(spec: &'s S) -> Self {
        Pairing {
            spec,
            ops: Vec::new(),
            in_flight: HashMap::new(),
            events: 0,
            failed: 0,
        }
    }

    fn add(&mut self, e: Event) -> Result<(), BadInput> {
        let bad = |message: String| BadInput {
            line: e.line,
            message,
        };
        let position = self.events;
        self.events += 1;
        if e.kind == EventType::Invoke {
            if let Some((i, _)) = self.in_flight.get(&e.process) {
                let earlier = self.ops[*i].as_ref().map_or(0, |op| op.call_line);
                return Err(bad(format!(
                    "process {} invokes again while its operation from line {earlier} is in flight",
                    e.process
                )));
            }
            let name =
                e.op.ok_or_else(|| bad("an invoke needs an operation name".into()))?;
            let input = self.spec.input(&name, &e.value).map_err(bad)?;
            self.in_flight
                .insert(e.process.clone(), (self.ops.len(), name));
            self.ops.push(Some(Operation {
                process: e.process,
                key: e.key,
                input,
                output: None,
                call: position,
                ret: None,
                call_line: e.line,
                ret_line: None,
            }));
            return Ok(());
        }
        let Some((i, name)) = self.in_flight.remove(&e.process) else {
            return Err(bad(format!(
                "process {} completes an operation it did not invoke",
                e.process
            )));
        };
        if let Some(completed) = e.op.filter(|c| *c != name) {
            return Err(bad(format!(
                "process {} completes {completed} but invoked {name}",
                e.process
            )));
        }
        match e.kind {
            EventType::Ok => {
                let op = self.ops[i].as_mut().expect("in flight");
                op.output = Some(self.spec.output(&op.input, &e.value).map_err(bad)?);
                op.ret = Some(position);
                op.ret_line = Some(e.line);
            }
            EventType::Fail => {
                self.ops[i] = None;
                self.failed += 1;
            }
            // Unknown: the operation stays open to the end.
            EventType::Info | EventType::Invoke => {}
        }
        Ok(())
    }

    fn finish(self) -> History<S> {
        History {
            ops: self.ops.into_iter().flatten().collect(),
            failed: self.failed,
        }
    }
}
