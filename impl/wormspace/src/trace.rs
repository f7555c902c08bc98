//! Trace events: one per protocol step, as JSON lines, for the trace-validation harness.
//!
//! Every step of an acceptor (one message handled) and of a client call (started, a reply
//! handled, a timer fired) is a `tracing` event with target [`TARGET`] and one field, `json`:
//! a [`TraceEvent`] serialised with serde_json. [`JsonLines`] is the layer that writes those
//! events, and nothing else, one per line. The schema is documented in `impl/README.md`.
//!
//! Each process keeps a Lamport clock: every frame carries the sender's clock, a receiver
//! moves its clock past it, and every step ticks it. Sorting merged logs by `(lamport, node)`
//! gives an order consistent with causality (a message is sent before it is received).

use crate::acceptor::Step;
use crate::proposer::{Op, Out};
use crate::wire::Msg;
use serde::Serialize;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::Context;
use tracing_subscriber::Layer;

/// The target of trace events.
pub const TARGET: &str = "worm_trace";

/// A Lamport clock shared by the steps of one process (or one client).
#[derive(Debug, Default)]
pub struct Lamport(AtomicU64);

impl Lamport {
    /// A local step: the clock's new value.
    pub fn tick(&self) -> u64 {
        self.0.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// A message stamped `remote` arrived.
    pub fn observe(&self, remote: u64) {
        self.0.fetch_max(remote, Ordering::SeqCst);
    }

    pub fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// A message a step sent, and to whom.
#[derive(Debug, Serialize)]
pub struct Sent<'a> {
    pub to: String,
    pub msg: &'a Msg,
}

/// One protocol step.
#[derive(Debug, Serialize)]
pub struct TraceEvent<'a> {
    /// The Lamport clock after the step.
    pub lamport: u64,
    /// `s<N>` for wormserver N (its index in the cluster file), `c<hex>` for a client.
    pub node: &'a str,
    /// `acceptor` or `client`.
    pub role: &'static str,
    /// For an acceptor, the kind of message handled (`Prepare`, `Accept`, ...). For a client,
    /// `start`, `timer`, or the kind of reply handled.
    pub step: &'a str,
    /// The client call the step belongs to (clients only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub op: Option<u64>,
    /// The WOR (`SEG:OFFSET`, `SEG:meta`, `SEG:trim`) or segment the step is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seg: Option<u64>,
    /// Who sent `msg_in`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msg_in: Option<&'a Msg>,
    pub msg_out: Vec<Sent<'a>>,
    /// The state fields the step changed, with their new values (empty: none changed).
    pub changed: serde_json::Value,
}

impl<'a> TraceEvent<'a> {
    /// An acceptor's step on `msg` from `from`; its replies go back to `from`.
    pub fn acceptor(
        lamport: u64,
        node: &'a str,
        from: String,
        msg: &'a Msg,
        step: &'a Step,
    ) -> Self {
        TraceEvent {
            lamport,
            node,
            role: "acceptor",
            step: msg.kind(),
            op: None,
            addr: msg.addr().map(|a| a.to_string()),
            seg: msg.seg(),
            msg_in: Some(msg),
            msg_out: step
                .replies
                .iter()
                .map(|m| Sent {
                    to: from.clone(),
                    msg: m,
                })
                .collect(),
            from: Some(from),
            changed: serde_json::to_value(&step.changed).expect("changes serialise"),
        }
    }

    /// A client's step of call `op_id` on `input`; `server` names replica-set positions.
    pub fn client(
        lamport: u64,
        node: &'a str,
        op_id: u64,
        op: &Op,
        input: Input<'a>,
        out: &'a Out,
        server: &dyn Fn(usize) -> String,
    ) -> Self {
        let (step, from, msg_in) = match input {
            Input::Start => ("start", None, None),
            Input::Timer => ("timer", None, None),
            Input::Reply(i, m) => (m.kind(), Some(server(i)), Some(m)),
        };
        TraceEvent {
            lamport,
            node,
            role: "client",
            step,
            op: Some(op_id),
            addr: op.addr().map(|a| a.to_string()),
            seg: Some(op.seg()),
            from,
            msg_in,
            msg_out: out
                .send
                .iter()
                .map(|(i, m)| Sent {
                    to: server(*i),
                    msg: m,
                })
                .collect(),
            changed: serde_json::json!({
                "phase": op.phase(),
                "done": out.done,
            }),
        }
    }
}

/// What a client step handled.
#[derive(Clone, Copy, Debug)]
pub enum Input<'a> {
    Start,
    Timer,
    /// A reply from the server at this position of the replica set.
    Reply(usize, &'a Msg),
}

/// Whether anyone listens to trace events (so that drivers build them only then).
pub fn enabled() -> bool {
    tracing::enabled!(target: TARGET, tracing::Level::INFO)
}

pub fn emit(event: &TraceEvent) {
    let json = serde_json::to_string(event).expect("trace events always serialise");
    tracing::info!(target: TARGET, json = json.as_str());
}

/// A tracing layer writing trace events as JSON lines, each line written whole and flushed
/// (a `kill -9` loses no line that was written).
pub struct JsonLines<W> {
    out: Mutex<W>,
}

impl<W: Write> JsonLines<W> {
    pub fn new(out: W) -> Self {
        JsonLines {
            out: Mutex::new(out),
        }
    }
}

struct JsonField(Option<String>);

impl Visit for JsonField {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "json" {
            self.0 = Some(value.to_owned());
        }
    }

    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

impl<S, W> Layer<S> for JsonLines<W>
where
    S: tracing::Subscriber,
    W: Write + Send + 'static,
{
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() != TARGET {
            return;
        }
        let mut field = JsonField(None);
        event.record(&mut field);
        if let (Some(mut line), Ok(mut out)) = (field.0, self.out.lock()) {
            line.push('\n');
            // A trace that cannot be written is lost; the protocol goes on.
            let _ = out.write_all(line.as_bytes()).and_then(|_| out.flush());
        }
    }
}

/// Installs the process's subscriber: human-readable logs on stderr (warnings and above, or
/// `RUST_LOG`), and trace events as JSON lines to `trace` if given.
pub fn init(trace: Option<std::fs::File>) {
    use tracing_subscriber::filter::{EnvFilter, Targets};
    use tracing_subscriber::prelude::*;
    let logs = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")))
        .with_filter(tracing_subscriber::filter::filter_fn(|m| {
            m.target() != TARGET
        }));
    let traces = trace.map(|f| {
        JsonLines::new(std::io::BufWriter::new(f))
            .with_filter(Targets::new().with_target(TARGET, tracing::Level::INFO))
    });
    // Another subscriber already installed (in tests) keeps its place.
    let _ = tracing_subscriber::registry()
        .with(logs)
        .with(traces)
        .try_init();
}
