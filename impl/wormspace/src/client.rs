//! The client library: the WOR and WOS API over a cluster of wormservers.
//!
//! Each call runs one sans-IO [`Op`] (see [`crate::proposer`]) against the replica set of the
//! segment's partition: the driver sends the op's messages (one frame per server), feeds it
//! every reply as it arrives (so quorum waits proceed with the fastest servers), and fires its
//! timer for resends and backoff. Connections are opened lazily, one per server, each kept by a
//! task that reconnects when the server comes back; a message sent while a server is down is
//! lost, and the op's timer resends it.
//!
//! The WOS layer is here too: a data WOR may be used only in an allocated segment (the client
//! reads the segment's metadata WOR once, then remembers), `alloc` decides the metadata WOR,
//! `trim` decides the trim WOR and then tells the servers to drop the segment, and a write
//! uses the caller's capture of the WOR or of its segment (`NotCaptured` without one).

use crate::cluster::Cluster;
use crate::proposer::{Done, Error, Kind, Op, OpConfig, Out, Rounds, Watch};
use crate::trace::{self, Input, Lamport, TraceEvent};
use crate::types::{Addr, Ballot, SegId, Value};
use crate::wire::{self, Frame, Msg};
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::codec::{FramedRead, FramedWrite};

/// Replies routed to the call (or subscription) that sent the frame with this id.
type Routes = Arc<Mutex<HashMap<u64, mpsc::UnboundedSender<(usize, Frame)>>>>;

/// Frames a connection sends again whenever it connects (subscriptions), by frame id: a server
/// that restarted, or a connection that broke, would otherwise forget them.
type Standing = Arc<Mutex<BTreeMap<u64, Bytes>>>;

/// A capture of one WOR the client holds: its ballot, and the value a write with it must
/// complete, if it found one.
type Held = (Ballot, Option<Value>);

/// A batch capture of a segment: its ballot, per data WOR the value to complete, and the data
/// WORs already written with it.
#[derive(Debug)]
struct HeldSeg {
    ballot: Ballot,
    pending: BTreeMap<u32, Value>,
    used: BTreeSet<u32>,
}

/// A WormSpace client. Cheap to clone; clones share connections and captures.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    cluster: Cluster,
    cfg: OpConfig,
    node: String,
    rounds: Mutex<Rounds>,
    lamport: Lamport,
    next_id: AtomicU64,
    routes: Routes,
    conns: Vec<mpsc::UnboundedSender<Bytes>>,
    standing: Vec<Standing>,
    /// Captures of single WORs, and batch captures of segments.
    captures: Mutex<HashMap<Addr, Held>>,
    seg_captures: Mutex<HashMap<SegId, HeldSeg>>,
    allocated: Mutex<HashSet<SegId>>,
}

/// A fresh random client id (ballots are unique because client ids are).
fn random_id() -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    h.finish()
}

impl Client {
    /// A client of `cluster`; connects lazily. Must be called within a tokio runtime.
    pub fn new(cluster: Cluster, cfg: OpConfig) -> Client {
        let id = random_id();
        let routes: Routes = Arc::default();
        let standing: Vec<Standing> = cluster.nodes.iter().map(|_| Standing::default()).collect();
        let conns = cluster
            .nodes
            .iter()
            .enumerate()
            .map(|(node, &addr)| {
                let (tx, rx) = mpsc::unbounded_channel();
                let (routes, standing) = (routes.clone(), standing[node].clone());
                tokio::spawn(connection(node, addr, rx, routes, standing));
                tx
            })
            .collect();
        Client {
            inner: Arc::new(Inner {
                cluster,
                cfg,
                node: format!("c{id:x}"),
                rounds: Mutex::new(Rounds::new(id)),
                lamport: Lamport::default(),
                next_id: AtomicU64::new(1),
                routes,
                conns,
                standing,
                captures: Mutex::default(),
                seg_captures: Mutex::default(),
                allocated: Mutex::default(),
            }),
        }
    }

    /// The client's id: the `client` half of its ballots.
    pub fn id(&self) -> u64 {
        self.inner.rounds.lock().unwrap().client()
    }

    /// Captures a WOR; a later [`Client::write`] uses the capture. Returns the capture id.
    pub async fn capture(&self, addr: Addr) -> Result<Ballot, Error> {
        self.ensure_allocated(addr).await?;
        match self.run(addr.seg, Kind::Capture(addr), None).await? {
            Done::Captured { ballot, pending } => {
                let held = (ballot, pending);
                self.inner.captures.lock().unwrap().insert(addr, held);
                Ok(ballot)
            }
            other => unreachable!("a capture ends captured, not {other:?}"),
        }
    }

    /// Writes `value` with this client's capture of the WOR (or of its segment). If the capture
    /// found a value partly written, that value is written instead and the call answers
    /// `AlreadyWritten(v)`; `Preempted` means the capture was stolen and the outcome is unknown.
    /// A capture serves one write of a WOR: a second one needs a new capture (`NotCaptured`).
    pub async fn write(&self, addr: Addr, value: Value) -> Result<(), Error> {
        let (ballot, pending) = self.take_capture(addr).ok_or(Error::NotCaptured)?;
        let kind = Kind::Write {
            addr,
            value,
            pending,
        };
        self.run(addr.seg, kind, Some(ballot)).await.map(|_| ())
    }

    /// The WOR's value, or `None` if nothing is written.
    pub async fn read(&self, addr: Addr) -> Result<Option<Value>, Error> {
        self.ensure_allocated(addr).await?;
        self.read_unchecked(addr).await
    }

    async fn read_unchecked(&self, addr: Addr) -> Result<Option<Value>, Error> {
        match self.run(addr.seg, Kind::Read(addr), None).await? {
            Done::Value(v) => Ok(v),
            other => unreachable!("a read ends with a value, not {other:?}"),
        }
    }

    /// Allocates segment `seg` with metadata `meta`: succeeds for exactly one allocator; the
    /// others learn the winner's metadata as `AlreadyWritten(meta)`.
    pub async fn alloc(&self, seg: SegId, meta: Value) -> Result<(), Error> {
        // The metadata WOR holds the allocator's id and a nonce before the metadata, so that
        // two allocators with the same metadata still tell who won.
        let nonce = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let mut mine = self.id().to_le_bytes().to_vec();
        mine.extend_from_slice(&nonce.to_le_bytes());
        mine.extend_from_slice(&meta);
        let kind = Kind::Decide {
            addr: Addr::meta(seg),
            value: mine.clone(),
        };
        match self.run(seg, kind, None).await? {
            Done::Decided(v) if v == mine => {
                self.inner.allocated.lock().unwrap().insert(seg);
                Ok(())
            }
            Done::Decided(v) => {
                self.inner.allocated.lock().unwrap().insert(seg);
                Err(Error::AlreadyWritten(
                    v.get(16..).unwrap_or_default().to_vec(),
                ))
            }
            other => unreachable!("a decision ends decided, not {other:?}"),
        }
    }

    /// The metadata `seg` was allocated with, if it was.
    pub async fn metadata(&self, seg: SegId) -> Result<Option<Value>, Error> {
        let meta = self.read_unchecked(Addr::meta(seg)).await?;
        Ok(meta.map(|v| v.get(16..).unwrap_or_default().to_vec()))
    }

    /// Captures every data WOR of `seg` in one round trip; writes to them use this capture.
    pub async fn batch_capture(&self, seg: SegId) -> Result<Ballot, Error> {
        self.ensure_allocated(Addr::data(seg, 0)).await?;
        match self.run(seg, Kind::BatchCapture(seg), None).await? {
            Done::BatchCaptured { ballot, pending } => {
                let used = BTreeSet::new();
                let held = HeldSeg {
                    ballot,
                    pending,
                    used,
                };
                self.inner.seg_captures.lock().unwrap().insert(seg, held);
                Ok(ballot)
            }
            other => unreachable!("a batch capture ends captured, not {other:?}"),
        }
    }

    /// Writes several data WORs of `seg` with its batch capture, in one round trip. Each
    /// answers as [`Client::write`] would. `NotCaptured` if there is no batch capture, or if it
    /// already served a write of one of the WORs (or one is named twice).
    pub async fn batch_write(
        &self,
        seg: SegId,
        writes: Vec<(u32, Value)>,
    ) -> Result<Vec<(u32, Result<(), Error>)>, Error> {
        let (ballot, pending) = {
            let mut held = self.inner.seg_captures.lock().unwrap();
            let held = held.get_mut(&seg).ok_or(Error::NotCaptured)?;
            let offsets: BTreeSet<u32> = writes.iter().map(|w| w.0).collect();
            if offsets.len() < writes.len() || !held.used.is_disjoint(&offsets) {
                return Err(Error::NotCaptured);
            }
            held.used.extend(offsets);
            (held.ballot, held.pending.clone())
        };
        let proposals = writes
            .iter()
            .map(|(o, v)| (*o, pending.get(o).unwrap_or(v).clone()))
            .collect();
        let kind = Kind::BatchWrite {
            seg,
            writes: proposals,
        };
        match self.run(seg, kind, Some(ballot)).await? {
            Done::BatchWritten(results) => Ok(results
                .into_iter()
                .zip(&writes)
                .map(|((o, r), (_, own))| match (r, pending.get(&o)) {
                    (Ok(()), Some(v)) if v != own => (o, Err(Error::AlreadyWritten(v.clone()))),
                    (r, _) => (o, r),
                })
                .collect()),
            other => unreachable!("a batch write ends written, not {other:?}"),
        }
    }

    /// Trims `seg`: decides its trim WOR, then every server drops the segment and answers
    /// `Trimmed` to anything on it. Idempotent.
    pub async fn trim(&self, seg: SegId) -> Result<(), Error> {
        self.run(seg, Kind::Trim(seg), None).await.map(|_| ())
    }

    /// Notifications of each WOR of `seg` as it becomes written (and of those written before).
    pub async fn subscribe(&self, seg: SegId) -> Result<Subscription, Error> {
        self.ensure_allocated(Addr::data(seg, 0)).await?;
        let replicas = self.inner.cluster.replicas(seg).to_vec();
        let (id, mut rx) = self.route();
        let (tx, out) = mpsc::unbounded_channel();
        for &node in &replicas {
            let frame = self.frame(id, vec![Msg::Subscribe { seg }]);
            self.inner.standing[node]
                .lock()
                .unwrap()
                .insert(id, frame.clone());
            let _ = self.inner.conns[node].send(frame);
        }
        let inner = self.inner.clone();
        tokio::spawn(async move {
            let mut watch = Watch::new(replicas.len());
            while let Some((node, frame)) = rx.recv().await {
                inner.lamport.observe(frame.lamport);
                let Some(i) = replicas.iter().position(|&n| n == node) else {
                    continue;
                };
                for msg in &frame.msgs {
                    let told = match msg {
                        Msg::Trimmed { .. } => Some(Err(Error::Trimmed)),
                        _ => watch.on_notify(i, msg).map(Ok),
                    };
                    if let Some(t) = told {
                        let end = t.is_err();
                        if tx.send(t).is_err() || end {
                            inner.routes.lock().unwrap().remove(&id);
                            for &node in &replicas {
                                inner.standing[node].lock().unwrap().remove(&id);
                            }
                            return;
                        }
                    }
                }
            }
        });
        Ok(Subscription { rx: out })
    }

    /// `NotAllocated` unless the WOR's segment is allocated (the metadata and trim WORs need
    /// no allocation).
    async fn ensure_allocated(&self, addr: Addr) -> Result<(), Error> {
        if addr.slot == crate::types::Slot::Meta
            || addr.slot == crate::types::Slot::Trim
            || self.inner.allocated.lock().unwrap().contains(&addr.seg)
        {
            return Ok(());
        }
        match self.read_unchecked(Addr::meta(addr.seg)).await? {
            Some(_) => {
                self.inner.allocated.lock().unwrap().insert(addr.seg);
                Ok(())
            }
            None => Err(Error::NotAllocated),
        }
    }

    /// Uses up the capture a write of `addr` needs: of the WOR itself, or of its segment. One
    /// ballot must never carry two values for one WOR (both could be chosen), so a capture
    /// serves one write of each WOR.
    fn take_capture(&self, addr: Addr) -> Option<Held> {
        if let Some(h) = self.inner.captures.lock().unwrap().remove(&addr) {
            return Some(h);
        }
        let crate::types::Slot::Data(o) = addr.slot else {
            return None;
        };
        let mut seg = self.inner.seg_captures.lock().unwrap();
        let held = seg.get_mut(&addr.seg).filter(|h| !h.used.contains(&o))?;
        held.used.insert(o);
        Some((held.ballot, held.pending.get(&o).cloned()))
    }

    /// A fresh frame id with a channel for its replies.
    fn route(&self) -> (u64, mpsc::UnboundedReceiver<(usize, Frame)>) {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::unbounded_channel();
        self.inner.routes.lock().unwrap().insert(id, tx);
        (id, rx)
    }

    fn frame(&self, id: u64, msgs: Vec<Msg>) -> Bytes {
        let frame = Frame {
            id,
            lamport: self.inner.lamport.now(),
            from: self.id(),
            msgs,
        };
        Bytes::from(wire::encode(&frame))
    }

    fn send(&self, node: usize, id: u64, msgs: Vec<Msg>) {
        // A closed connection task means the runtime is shutting down.
        let _ = self.inner.conns[node].send(self.frame(id, msgs));
    }

    /// Runs one op on the replica set of `seg` to its end.
    async fn run(&self, seg: SegId, kind: Kind, ballot: Option<Ballot>) -> Result<Done, Error> {
        let replicas = self.inner.cluster.replicas(seg).to_vec();
        let (id, mut rx) = self.route();
        let _unroute = Unroute(&self.inner.routes, id);
        let (mut op, out) = {
            let mut rounds = self.inner.rounds.lock().unwrap();
            let seed = id ^ rounds.client();
            Op::start(
                kind,
                replicas.len(),
                self.inner.cfg,
                seed,
                &mut rounds,
                ballot,
            )
        };
        let mut deadline = Instant::now();
        if let Some(done) = self.carry_out(id, &op, Input::Start, out, &replicas, &mut deadline) {
            return done;
        }
        loop {
            tokio::select! {
                Some((node, frame)) = rx.recv() => {
                    self.inner.lamport.observe(frame.lamport);
                    let Some(i) = replicas.iter().position(|&n| n == node) else { continue };
                    for msg in &frame.msgs {
                        let out = op.on_reply(i, msg);
                        let input = Input::Reply(i, msg);
                        if let Some(done) =
                            self.carry_out(id, &op, input, out, &replicas, &mut deadline)
                        {
                            return done;
                        }
                    }
                }
                _ = tokio::time::sleep_until(deadline) => {
                    let out = op.on_timer(&mut self.inner.rounds.lock().unwrap());
                    if let Some(done) =
                        self.carry_out(id, &op, Input::Timer, out, &replicas, &mut deadline)
                    {
                        return done;
                    }
                }
            }
        }
    }

    /// Traces one step of call `id` and does what it asks: sends its messages (one frame per
    /// server), re-arms the timer; returns the call's result if the step ended it.
    fn carry_out(
        &self,
        id: u64,
        op: &Op,
        input: Input,
        out: Out,
        replicas: &[usize],
        deadline: &mut Instant,
    ) -> Option<Result<Done, Error>> {
        let lamport = self.inner.lamport.tick();
        if trace::enabled() {
            let server = |i: usize| format!("s{}", replicas[i]);
            let node = &self.inner.node;
            trace::emit(&TraceEvent::client(
                lamport, node, id, op, input, &out, &server,
            ));
        }
        let mut by_server: BTreeMap<usize, Vec<Msg>> = BTreeMap::new();
        for (i, msg) in out.send {
            by_server.entry(i).or_default().push(msg);
        }
        for (i, msgs) in by_server {
            self.send(replicas[i], id, msgs);
        }
        if let Some(d) = out.timer {
            *deadline = Instant::now() + d;
        }
        out.done
    }
}

/// Removes a finished call's route, however it ends.
struct Unroute<'a>(&'a Routes, u64);

impl Drop for Unroute<'_> {
    fn drop(&mut self) {
        self.0.lock().unwrap().remove(&self.1);
    }
}

/// The WORs of a segment as they become written.
pub struct Subscription {
    rx: mpsc::UnboundedReceiver<Result<(Addr, Value), Error>>,
}

impl Subscription {
    /// The next WOR written, `Err(Trimmed)` once the segment is trimmed, `None` when the
    /// client is gone.
    pub async fn next(&mut self) -> Option<Result<(Addr, Value), Error>> {
        self.rx.recv().await
    }
}

/// Keeps the connection to one server: connects when there is something to send, writes
/// frames, routes replies; on failure drops what it had and connects again later.
async fn connection(
    node: usize,
    addr: std::net::SocketAddr,
    mut rx: mpsc::UnboundedReceiver<Bytes>,
    routes: Routes,
    standing: Standing,
) {
    while let Some(first) = rx.recv().await {
        let connect = tokio::time::timeout(Duration::from_secs(1), TcpStream::connect(addr));
        let stream = match connect.await {
            Ok(Ok(s)) => s,
            _ => {
                // Down: what was queued is lost (the calls' timers resend), and a short pause
                // keeps a dead server from costing a connect per message.
                tokio::time::sleep(Duration::from_millis(20)).await;
                while rx.try_recv().is_ok() {}
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let (r, w) = stream.into_split();
        let routes2 = routes.clone();
        let mut reader = tokio::spawn(async move {
            let mut frames = FramedRead::new(r, wire::codec(usize::MAX));
            while let Some(Ok(bytes)) = frames.next().await {
                let Ok(frame) = wire::decode(&bytes) else {
                    continue;
                };
                let tx = routes2.lock().unwrap().get(&frame.id).cloned();
                if let Some(tx) = tx {
                    let _ = tx.send((node, frame));
                }
            }
        });
        let mut w = FramedWrite::new(w, wire::codec(usize::MAX));
        let again: Vec<Bytes> = standing.lock().unwrap().values().cloned().collect();
        let mut ok = true;
        for frame in again {
            ok = ok && w.feed(frame).await.is_ok();
        }
        if !ok {
            reader.abort();
            continue;
        }
        let mut next = Some(first);
        loop {
            let Some(bytes) = next.take() else {
                tokio::select! {
                    b = rx.recv() => match b {
                        Some(b) => { next = Some(b); continue; }
                        None => { reader.abort(); return; }
                    },
                    _ = &mut reader => break,
                }
            };
            let mut more = Some(bytes);
            let mut ok = true;
            while let Some(b) = more {
                ok = w.feed(b).await.is_ok();
                if !ok {
                    break;
                }
                more = rx.try_recv().ok();
            }
            if !ok || SinkExt::<Bytes>::flush(&mut w).await.is_err() {
                reader.abort();
                break;
            }
        }
    }
}
