//! The wormserver: the acceptor core behind a tokio TCP server, with a durable log.
//!
//! One task per connection reads frames and passes them, without waiting for answers
//! (pipelining), to the *core*: a single thread that owns the [`Acceptor`] and the [`Log`]. The
//! core takes every frame that is waiting, steps the acceptor on each message, appends the
//! records, syncs once (`sync_data`), and only then releases the replies and notifications.
//! Frames that arrive while a sync is in flight wait in the channel and share the next sync:
//! group commit. A reply never leaves before the records it depends on are durable, and since
//! replies of a batch leave after the batch's sync, neither does a reply that saw an earlier,
//! unsynced change.
//!
//! A frame that does not decode gets an `Error(Malformed)` reply and the connection goes on; a
//! frame above the size limit gets `Error(TooLarge)` and the connection is closed (its framing
//! is lost). Both are logged; other connections are not affected. If the disk fails a sync the
//! server stops: its memory is ahead of its disk and it cannot answer safely.

use crate::acceptor::Acceptor;
use crate::storage::Log;
use crate::trace::{self, Lamport, TraceEvent};
use crate::types::SegId;
use crate::wire::{self, ErrorKind, Frame, Msg};
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_util::codec::{FramedRead, FramedWrite};
use tracing::{error, info, warn};

/// Compact the log when trimmed segments' records take more than this many bytes and more
/// than half of the file.
const COMPACT_AT: u64 = 1 << 20;

/// The most frames the core steps before one sync (bounds a reply's wait behind others).
const MAX_BATCH: usize = 4096;

#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// The node's index in the cluster file (names it in logs and traces).
    pub node: usize,
    pub data: PathBuf,
    pub max_frame: usize,
}

type ConnId = u64;
type ReplyTx = mpsc::UnboundedSender<Frame>;

enum CoreIn {
    Frame {
        conn: ConnId,
        reply: ReplyTx,
        frame: Frame,
    },
    Closed(ConnId),
}

/// What recovery found, for the server's first log line.
#[derive(Debug)]
pub struct Recovered {
    pub records: usize,
    pub truncated: u64,
    pub compacted: bool,
}

/// A wormserver with its state recovered, ready to serve.
pub struct Wormserver {
    cfg: ServerConfig,
    core: mpsc::UnboundedSender<CoreIn>,
}

impl Wormserver {
    /// Opens the data directory, replays the log (cutting a torn tail, compacting trimmed
    /// segments away) and starts the core.
    pub fn open(cfg: ServerConfig) -> io::Result<(Wormserver, Recovered)> {
        let (core, recovered) = start_core(&cfg)?;
        info!(node = cfg.node, ?recovered, "wormserver recovered");
        Ok((Wormserver { cfg, core }, recovered))
    }

    /// Serves on `listener` until the process ends.
    pub async fn serve(self, listener: TcpListener) -> io::Result<()> {
        info!(node = self.cfg.node, addr = ?listener.local_addr()?, "wormserver up");
        let mut next_conn = 0;
        loop {
            let (stream, peer) = match listener.accept().await {
                Ok(x) => x,
                Err(e) => {
                    warn!(node = self.cfg.node, "accept failed: {e}");
                    continue;
                }
            };
            next_conn += 1;
            let core = self.core.clone();
            let (node, max_frame) = (self.cfg.node as u64, self.cfg.max_frame);
            tokio::spawn(connection(stream, peer, next_conn, core, node, max_frame));
        }
    }
}

/// Recovers the acceptor from the log and starts the core thread.
fn start_core(cfg: &ServerConfig) -> io::Result<(mpsc::UnboundedSender<CoreIn>, Recovered)> {
    let (mut log, opened) = Log::open(&cfg.data)?;
    let acceptor = Acceptor::recover(&opened.records);
    let compacted = log.dead_bytes() > 0;
    if compacted {
        log.compact(&acceptor.snapshot())?;
    }
    let recovered = Recovered {
        records: opened.records.len(),
        truncated: opened.truncated,
        compacted,
    };
    let (tx, rx) = mpsc::unbounded_channel();
    let core = Core {
        node: format!("s{}", cfg.node),
        node_id: cfg.node as u64,
        acceptor,
        log,
        clock: Lamport::default(),
        subscribers: BTreeMap::new(),
    };
    std::thread::Builder::new()
        .name("wormserver-core".into())
        .spawn(move || core.run(rx))?;
    Ok((tx, recovered))
}

struct Core {
    node: String,
    node_id: u64,
    acceptor: Acceptor,
    log: Log,
    clock: Lamport,
    /// Per segment: the connections subscribed, with the frame id their notifications carry.
    subscribers: BTreeMap<SegId, Vec<(ConnId, ReplyTx, u64)>>,
}

impl Core {
    fn run(mut self, mut rx: mpsc::UnboundedReceiver<CoreIn>) {
        let mut batch = Vec::new();
        while let Some(first) = rx.blocking_recv() {
            batch.push(first);
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
            self.step_batch(&mut batch);
        }
    }

    /// Steps every frame of the batch, syncs once, then releases every reply.
    fn step_batch(&mut self, batch: &mut Vec<CoreIn>) {
        let mut out: Vec<(ReplyTx, Frame)> = Vec::new();
        let mut dirty = false;
        for item in batch.drain(..) {
            let (conn, reply, frame) = match item {
                CoreIn::Closed(conn) => {
                    for subs in self.subscribers.values_mut() {
                        subs.retain(|s| s.0 != conn);
                    }
                    continue;
                }
                CoreIn::Frame { conn, reply, frame } => (conn, reply, frame),
            };
            self.clock.observe(frame.lamport);
            let mut replies = Vec::new();
            for msg in &frame.msgs {
                let step = self.acceptor.step(msg);
                if let Some(record) = &step.persist {
                    self.log.append(record);
                    dirty = true;
                }
                let lamport = self.clock.tick();
                if trace::enabled() {
                    self.trace(lamport, frame.from, msg, &step);
                }
                if let Some(notify) = step.notify {
                    self.notify(msg.seg(), notify, &mut out);
                }
                match msg {
                    Msg::Subscribe { seg } if !self.acceptor.is_trimmed(*seg) => {
                        // A client repeats its subscriptions when it reconnects: once is enough.
                        let subs = self.subscribers.entry(*seg).or_default();
                        if !subs.iter().any(|s| s.0 == conn && s.2 == frame.id) {
                            subs.push((conn, reply.clone(), frame.id));
                        }
                    }
                    Msg::Trim { seg } => {
                        for (_, tx, id) in self.subscribers.remove(seg).unwrap_or_default() {
                            let msgs = vec![Msg::Trimmed { seg: *seg }];
                            out.push((tx, self.frame(id, msgs)));
                        }
                    }
                    _ => {}
                }
                replies.extend(step.replies);
            }
            out.push((reply, self.frame(frame.id, replies)));
        }
        if dirty {
            if let Err(e) = self.log.sync() {
                error!(node = self.node, "cannot persist the log, stopping: {e}");
                std::process::exit(1);
            }
            self.maybe_compact();
        }
        for (tx, frame) in out {
            // A connection that closed meanwhile loses its replies; its client will time out.
            let _ = tx.send(frame);
        }
    }

    fn frame(&self, id: u64, msgs: Vec<Msg>) -> Frame {
        Frame {
            id,
            lamport: self.clock.now(),
            from: self.node_id,
            msgs,
        }
    }

    fn notify(&mut self, seg: Option<SegId>, msg: Msg, out: &mut Vec<(ReplyTx, Frame)>) {
        let Some(subs) = seg.and_then(|s| self.subscribers.get(&s)) else {
            return;
        };
        for (_, tx, id) in subs {
            out.push((tx.clone(), self.frame(*id, vec![msg.clone()])));
        }
    }

    fn maybe_compact(&mut self) {
        let dead = self.log.dead_bytes();
        if dead > COMPACT_AT && dead * 2 > self.log.len() {
            match self.log.compact(&self.acceptor.snapshot()) {
                Ok(()) => info!(node = self.node, dead, "log compacted"),
                Err(e) => {
                    error!(node = self.node, "compaction failed, stopping: {e}");
                    std::process::exit(1);
                }
            }
        }
    }

    /// The event of a step on `msg` from client `client`.
    fn trace(&self, lamport: u64, client: u64, msg: &Msg, step: &crate::acceptor::Step) {
        let from = format!("c{client:x}");
        trace::emit(&TraceEvent::acceptor(lamport, &self.node, from, msg, step));
    }
}

/// One connection: frames in, to the core; replies out, in the order the core releases them.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    conn: ConnId,
    core: mpsc::UnboundedSender<CoreIn>,
    node: u64,
    max_frame: usize,
) {
    let _ = stream.set_nodelay(true);
    let (r, w) = stream.into_split();
    let mut reader = FramedRead::new(r, wire::codec(max_frame));
    let (tx, mut rx) = mpsc::unbounded_channel::<Frame>();
    let writer = tokio::spawn(async move {
        // Replies can be larger than requests (a batch promise carries a segment's values).
        let mut w = FramedWrite::new(w, wire::codec(usize::MAX));
        while let Some(frame) = rx.recv().await {
            let mut more = Some(frame);
            while let Some(f) = more {
                if w.feed(Bytes::from(wire::encode(&f))).await.is_err() {
                    return;
                }
                more = rx.try_recv().ok();
            }
            if SinkExt::<Bytes>::flush(&mut w).await.is_err() {
                return;
            }
        }
    });
    loop {
        match reader.next().await {
            Some(Ok(bytes)) => match wire::decode(&bytes) {
                Ok(frame) => {
                    let item = CoreIn::Frame {
                        conn,
                        reply: tx.clone(),
                        frame,
                    };
                    if core.send(item).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    warn!(%peer, "malformed frame ({} bytes): {e}", bytes.len());
                    let _ = tx.send(error_frame(node, ErrorKind::Malformed, e.to_string()));
                }
            },
            Some(Err(e)) if e.kind() == io::ErrorKind::InvalidData => {
                warn!(%peer, "closing the connection: {e}");
                let _ = tx.send(error_frame(node, ErrorKind::TooLarge, e.to_string()));
                break;
            }
            Some(Err(_)) | None => break,
        }
    }
    let _ = core.send(CoreIn::Closed(conn));
    drop(tx);
    let _ = writer.await;
}

fn error_frame(node: u64, kind: ErrorKind, detail: String) -> Frame {
    Frame {
        id: 0,
        lamport: 0,
        from: node,
        msgs: vec![Msg::Error { kind, detail }],
    }
}
