//! The apps of the talk, written only with ADO calls, as one stateright model whose clients
//! run the apps' procedures, each app checked against its atomic spec.
//!
//! A client makes *calls*, one at a time, each on one ADO:
//!
//! - `obj.m()!` (the talk's standard calling): `while (obj.pull() == FAIL) {}; obj.m();
//!   while (obj.push() == FAIL) {}`. A failed push changes nothing, so retrying it is a
//!   self-loop: the client simply stays in its push until the ADO lets it succeed, which never
//!   happens once someone pulled after it. Such a call never returns, and its outcome stays
//!   unknown: whoever pulled may have committed it, or pruned it. Pulls are bounded by the
//!   timestamps an ADO may draw (`max_ts`), so a client may also wait forever in its pull.
//! - The 2PC TM's non-standard calls: a pull alone (`init`), and an invoke followed by at most
//!   `MAX_TRY` pushes with no pull (`collect_decisions`), where a FAIL is an answer.
//!
//! The apps, client `c` writing the value `c + 1`:
//!
//! - **kv**: one KV ADO; client A runs `set(0, 1)!; get(0)!`, client B `set(0, 2)!;
//!   getmeta(0)!`. Spec: the calls are linearizable against KV.
//! - **dvec**: one DVec ADO; `insert(0, c + 1)!; get(0)!`. Spec: linearizable against DVec.
//! - **dlock**: one DLock ADO; `ok := tryAcquire()!; if ok { release()! }`. Spec: at most one
//!   client holds the lock (between a successful acquire and the start of its release).
//! - **kvlock**: the talk's `KVLock.set(0, c + 1)` over a DLock and two DVecs (data and meta):
//!   `ok := lk.tryAcquire()!; if !ok return; data.insert(0, v)!; meta.insert(0, len(v))!;
//!   lk.release()!`. Spec: at most one holder, and whenever nobody holds the lock the committed
//!   meta is the length of the committed data.
//! - **kvlockfree**: the same `set` as one KV call (`kv[k] := (v, len(v))`), with no lock.
//!   Spec: linearizable, and the committed meta is always the length of the committed data.
//! - **2pc**: a TM and replicated resource managers, one RM ADO each. The TM pulls every RM
//!   once up front, then runs the talk's `collect_decisions`: for each RM, `prepare` with no
//!   pull and up to `MAX_TRY` pushes; a NO vote or a FAIL short-circuits to ABORT. Then it
//!   sends the decision to every RM with `commit()!` or `abort()!`. Each RM also has a node of
//!   its own that may give up on the transaction (`timeout()!`: abort unless it voted), which
//!   is what makes the TM's pushes fail. Spec: atomicity, no RM commits while another aborts.
//!
//! Every app also keeps the ADO invariants: each log is a chain, and no committed entry is
//! ever pruned.

use super::model::{is_chain, AdoBug};
use super::objects::{
    AnyMethod, AnyObj, AnyState, DLock, DLockMethod, DVec, DVecMethod, Kv, KvMethod, Ret, Rm,
    RmMethod, RmState,
};
use super::spec::Atomic;
use super::{node_name, Ado, NodeId, Pulled, Pushed};
use serde::Serialize;
use stateright::{Model, Property};
use std::fmt;
use std::str::FromStr;
use worm_refinement::LinMonitor;

/// Which app the clients run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum App {
    Kv,
    DVec,
    DLock,
    KvLock,
    KvLockFree,
    TwoPc,
}

impl App {
    pub const ALL: [App; 6] = [
        Self::Kv,
        Self::DVec,
        Self::DLock,
        Self::KvLock,
        Self::KvLockFree,
        Self::TwoPc,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Kv => "kv",
            Self::DVec => "dvec",
            Self::DLock => "dlock",
            Self::KvLock => "kvlock",
            Self::KvLockFree => "kvlockfree",
            Self::TwoPc => "2pc",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::Kv => "KV set/get/getmeta, linearizable",
            Self::DVec => "DVec insert/get, linearizable",
            Self::DLock => "DLock tryAcquire/release, at most one holder",
            Self::KvLock => "KVLock set over DLock + data and meta DVecs",
            Self::KvLockFree => "KVLockFree set as one KV call",
            Self::TwoPc => "2PC: a TM with collect_decisions and replicated RMs",
        }
    }

    /// The ADOs the app uses.
    fn objects(self, clients: usize) -> Vec<AnyObj> {
        match self {
            Self::Kv | Self::KvLockFree => vec![AnyObj::Kv(Kv { keys: 1 })],
            Self::DVec => vec![AnyObj::DVec(DVec { len: 1 })],
            Self::DLock => vec![AnyObj::DLock(DLock)],
            Self::KvLock => vec![
                AnyObj::DLock(DLock),
                AnyObj::DVec(DVec { len: 1 }),
                AnyObj::DVec(DVec { len: 1 }),
            ],
            Self::TwoPc => vec![AnyObj::Rm(Rm { vote: true }); clients],
        }
    }

    /// The ADOs' names, as the talk's code calls them.
    fn ado_name(self, ado: u8) -> &'static str {
        match (self, ado) {
            (Self::Kv | Self::KvLockFree, _) => "kv",
            (Self::DVec, _) => "vec",
            (Self::DLock, _) | (Self::KvLock, 0) => "lk",
            (Self::KvLock, 1) => "data",
            (Self::KvLock, _) => "meta",
            (Self::TwoPc, 0) => "rm1",
            (Self::TwoPc, 1) => "rm2",
            (Self::TwoPc, _) => "rm3",
        }
    }

    /// Whether the app's calls are checked for linearizability (apps on one ADO).
    fn linearizable(self) -> bool {
        matches!(self, Self::Kv | Self::DVec | Self::KvLockFree)
    }
}

impl fmt::Display for App {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for App {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Self::ALL.iter().map(|a| a.name()).collect();
                format!(
                    "unknown ADO app {s:?} (expected one of: {})",
                    names.join(", ")
                )
            })
    }
}

/// The size of an app model.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AppConfig {
    pub app: App,
    /// Clients running the app; for 2PC, the number of RMs (the TM comes on top).
    pub clients: usize,
    /// Timestamps each ADO may draw.
    pub max_ts: u8,
    /// The TM's MAX_TRY: pushes per prepare.
    pub max_try: u8,
    pub bug: Option<AdoBug>,
}

impl AppConfig {
    /// The checked configuration of `app`: two clients (two RMs for 2PC), and timestamps
    /// enough for every client to finish (each call pulls at least once).
    pub fn new(app: App) -> Self {
        AppConfig {
            app,
            clients: 2,
            max_ts: if app == App::TwoPc { 3 } else { 4 },
            max_try: 2,
            bug: None,
        }
    }

    /// Rejects sizes the model cannot represent and bugs the app cannot show.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=3).contains(&self.clients) {
            return Err(format!("clients must be 1 to 3, not {}", self.clients));
        }
        if !(1..=6).contains(&self.max_ts) {
            return Err(format!("max-ts must be 1 to 6, not {}", self.max_ts));
        }
        if !(1..=3).contains(&self.max_try) {
            return Err(format!("max-try must be 1 to 3, not {}", self.max_try));
        }
        match (self.bug, self.app) {
            (Some(AdoBug::KvlockReleaseEarly), a) if a != App::KvLock => {
                Err("bug kvlock-release-early needs --app kvlock".into())
            }
            (Some(AdoBug::TmIgnoreFail), a) if a != App::TwoPc => {
                Err("bug tm-ignore-fail needs --app 2pc".into())
            }
            _ => Ok(()),
        }
    }

    pub fn into_model(self) -> AppModel {
        AppModel { cfg: self }
    }
}

/// How a call uses pull and push.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Kind {
    /// `m()!`: pull until success, invoke, push until success.
    Bang,
    /// The TM's `init`: pull until success, nothing else.
    PullOnly,
    /// The TM's `prepare`: invoke with no pull, then up to MAX_TRY pushes.
    TryPush,
}

/// Where a call is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Phase {
    Pull,
    Invoke,
    /// Pushing, with the result invoke returned and the pushes that failed so far.
    Push(Ret, u8),
}

/// A call in progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Call {
    pub ado: u8,
    pub method: Option<AnyMethod>,
    pub kind: Kind,
    pub phase: Phase,
}

/// How a call ended: with the method's result (none for a pull alone), or FAIL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Done(Option<Ret>),
    Fail,
}

/// A client: its program counter, its call in progress, and its app's locals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Client {
    pub pc: u8,
    pub call: Option<Call>,
    /// The lock apps: the acquire succeeded. The TM: every vote so far was yes.
    pub ok: bool,
    /// Ghost: between a successful acquire and the start of the release.
    pub holds: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AppState {
    pub ados: Vec<Ado<AnyObj>>,
    pub clients: Vec<Client>,
    /// The linearizability monitor of the one-ADO apps, threads named by client.
    pub lin: Option<LinMonitor<u8, Atomic<AnyObj>>>,
}

/// A step of a client's call in progress, named with the call for readable counterexamples.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AppAction {
    pub client: u8,
    /// The ADO's name in the app (`lk`, `data`, ...).
    pub ado: &'static str,
    pub method: Option<AnyMethod>,
    pub step: Step,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    Pull(Pulled),
    Invoke,
    Push(Pushed),
}

impl fmt::Debug for AppAction {
    /// `B: data.pull() = Ok(0@0)`, `B: data.insert(0, 2)`, `B: data.push() = Ok`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let who = node_name(self.client);
        match (self.step, self.method) {
            (Step::Pull(p), _) => write!(f, "{who}: {}.pull() = {p:?}", self.ado),
            (Step::Invoke, Some(m)) => write!(f, "{who}: {}.{m:?}", self.ado),
            (Step::Invoke, None) => write!(f, "{who}: {}.invoke()", self.ado),
            (Step::Push(p), Some(m)) => write!(f, "{who}: {}.push() = {p:?} ({m:?})", self.ado),
            (Step::Push(p), None) => write!(f, "{who}: {}.push() = {p:?}", self.ado),
        }
    }
}

#[derive(Clone, Debug)]
pub struct AppModel {
    pub cfg: AppConfig,
}

impl AppModel {
    /// Clients: the app's clients, and for 2PC the TM (client 0) before one node per RM.
    fn clients(&self) -> usize {
        match self.cfg.app {
            App::TwoPc => self.cfg.clients + 1,
            _ => self.cfg.clients,
        }
    }

    fn objects(&self) -> Vec<AnyObj> {
        self.cfg.app.objects(self.cfg.clients)
    }

    /// The call client `c` makes at program counter `cl.pc`, or none when it is finished.
    fn call(&self, c: usize, cl: &Client) -> Option<(u8, Option<AnyMethod>, Kind)> {
        use AnyMethod as M;
        let me = c as NodeId;
        let v = c as u8 + 1;
        let bang = |ado: u8, m: AnyMethod| Some((ado, Some(m), Kind::Bang));
        match (self.cfg.app, cl.pc) {
            (App::Kv, 0) | (App::KvLockFree, 0) => bang(0, M::Kv(KvMethod::Set(0, v))),
            (App::Kv, 1) if c == 0 => bang(0, M::Kv(KvMethod::Get(0))),
            (App::Kv, 1) => bang(0, M::Kv(KvMethod::GetMeta(0))),
            (App::DVec, 0) => bang(0, M::DVec(DVecMethod::Insert(0, v))),
            (App::DVec, 1) => bang(0, M::DVec(DVecMethod::Get(0))),
            (App::DLock | App::KvLock, 0) => bang(0, M::DLock(DLockMethod::TryAcquire(me))),
            (App::DLock, 1) if cl.ok => bang(0, M::DLock(DLockMethod::Release(me))),
            (App::KvLock, pc @ 1..=3) if cl.ok => {
                let release_early = self.cfg.bug == Some(AdoBug::KvlockReleaseEarly);
                match (pc, release_early) {
                    (1, _) => bang(1, M::DVec(DVecMethod::Insert(0, v))),
                    (2, false) | (3, true) => bang(2, M::DVec(DVecMethod::Insert(0, v))),
                    _ => bang(0, M::DLock(DLockMethod::Release(me))),
                }
            }
            (App::TwoPc, pc) if c == 0 => {
                let rms = self.cfg.clients as u8;
                let decision = if cl.ok {
                    RmMethod::Commit
                } else {
                    RmMethod::Abort
                };
                match pc {
                    pc if pc < rms => Some((pc, None, Kind::PullOnly)),
                    pc if pc < 2 * rms => {
                        Some((pc - rms, Some(M::Rm(RmMethod::Prepare)), Kind::TryPush))
                    }
                    pc if pc < 3 * rms => bang(pc - 2 * rms, M::Rm(decision)),
                    _ => None,
                }
            }
            (App::TwoPc, 0) => bang(c as u8 - 1, M::Rm(RmMethod::Timeout)),
            _ => None,
        }
    }

    /// Client `c`'s call ended: update its locals and move on to its next call.
    fn returned(&self, c: usize, cl: &mut Client, out: Outcome) {
        let acquiring = |cl: &Client| {
            matches!(
                cl.call,
                Some(Call {
                    method: Some(AnyMethod::DLock(DLockMethod::TryAcquire(_))),
                    ..
                })
            )
        };
        match self.cfg.app {
            App::DLock | App::KvLock if acquiring(cl) => {
                cl.ok = out == Outcome::Done(Some(Ret::Bool(true)));
                cl.holds = cl.ok;
            }
            App::TwoPc if c == 0 && cl.call.map(|k| k.kind) == Some(Kind::TryPush) => {
                let yes = match out {
                    Outcome::Done(r) => r == Some(Ret::Bool(true)),
                    Outcome::Fail => self.cfg.bug == Some(AdoBug::TmIgnoreFail),
                };
                if !yes {
                    // Short-circuit: ABORT, and on to sending the decision.
                    cl.ok = false;
                    cl.pc = 2 * self.cfg.clients as u8 - 1;
                }
            }
            _ => {}
        }
        cl.pc += 1;
        cl.call = None;
    }

    /// Starts client `c`'s next call, if any: a release ends the critical section, and the
    /// linearizability monitor records the invocation.
    fn start(&self, s: &mut AppState, c: usize) {
        let cl = &mut s.clients[c];
        let Some((ado, method, kind)) = self.call(c, cl) else {
            return;
        };
        if let Some(AnyMethod::DLock(DLockMethod::Release(_))) = method {
            cl.holds = false;
        }
        let phase = if kind == Kind::TryPush {
            Phase::Invoke
        } else {
            Phase::Pull
        };
        cl.call = Some(Call {
            ado,
            method,
            kind,
            phase,
        });
        if let (Some(lin), Some(m)) = (&mut s.lin, method) {
            lin.invoke(c as u8, m);
        }
    }

    /// Client `c`'s call ended with `out`.
    fn finish(&self, s: &mut AppState, c: usize, out: Outcome) {
        if let (Some(lin), Outcome::Done(Some(r))) = (&mut s.lin, out) {
            lin.ret(c as u8, r);
        }
        self.returned(c, &mut s.clients[c], out);
        self.start(s, c);
    }
}

impl Model for AppModel {
    type State = AppState;
    type Action = AppAction;

    fn init_states(&self) -> Vec<AppState> {
        let objects = self.objects();
        let mut s = AppState {
            ados: objects
                .iter()
                .map(|o| Ado::new(o, self.clients()))
                .collect(),
            clients: vec![
                Client {
                    pc: 0,
                    call: None,
                    ok: true,
                    holds: false,
                };
                self.clients()
            ],
            lin: self
                .cfg
                .app
                .linearizable()
                .then(|| LinMonitor::new(Atomic::new(objects[0]))),
        };
        for c in 0..self.clients() {
            self.start(&mut s, c);
        }
        vec![s]
    }

    fn actions(&self, s: &AppState, actions: &mut Vec<AppAction>) {
        for (c, cl) in s.clients.iter().enumerate() {
            let Some(call) = cl.call else { continue };
            let ado = &s.ados[call.ado as usize];
            let act = |step| AppAction {
                client: c as u8,
                ado: self.cfg.app.ado_name(call.ado),
                method: call.method,
                step,
            };
            match call.phase {
                Phase::Pull => {
                    let fresh = ado.max_ts < self.cfg.max_ts;
                    for p in ado.pull_outcomes(fresh, self.cfg.bug) {
                        actions.push(act(Step::Pull(p)));
                    }
                }
                Phase::Invoke => actions.push(act(Step::Invoke)),
                Phase::Push(..) => {
                    for p in ado.push_outcomes(c as u8, self.cfg.bug) {
                        actions.push(act(Step::Push(p)));
                    }
                }
            }
        }
    }

    fn next_state(&self, s: &AppState, action: AppAction) -> Option<AppState> {
        let mut next = s.clone();
        let c = action.client;
        let i = c as usize;
        let mut call = s.clients[i].call?;
        let a = call.ado as usize;
        let obj = self.objects()[a];
        match action.step {
            Step::Pull(p) => {
                next.ados[a] = s.ados[a].pull(&obj, c, p);
                if let Pulled::Ok(_) = p {
                    if call.kind == Kind::PullOnly {
                        self.finish(&mut next, i, Outcome::Done(None));
                        return Some(next);
                    }
                    call.phase = Phase::Invoke;
                }
            }
            Step::Invoke => {
                let m = call.method?;
                let (ado, ret) = s.ados[a].invoke(&obj, c, &m);
                next.ados[a] = ado;
                call.phase = Phase::Push(ret, 0);
            }
            Step::Push(p) => {
                let Phase::Push(ret, fails) = call.phase else {
                    return None;
                };
                next.ados[a] = s.ados[a].push(c, p);
                match p {
                    Pushed::Ok => {
                        self.finish(&mut next, i, Outcome::Done(Some(ret)));
                        return Some(next);
                    }
                    // `m()!` retries its push: a self-loop, left out of the graph.
                    Pushed::Fail if call.kind == Kind::Bang => return None,
                    Pushed::Fail if fails + 1 == self.cfg.max_try => {
                        self.finish(&mut next, i, Outcome::Fail);
                        return Some(next);
                    }
                    Pushed::Fail => call.phase = Phase::Push(ret, fails + 1),
                }
            }
        }
        next.clients[i].call = Some(call);
        (next != *s).then_some(next)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        let mut ps = vec![
            Property::always("the logs are chains", |_, s: &AppState| {
                s.ados.iter().all(is_chain)
            }),
            Property::always("a committed entry is never pruned", |_, s: &AppState| {
                s.ados.iter().all(|a| !a.pruned_committed)
            }),
        ];
        match self.cfg.app {
            App::Kv | App::DVec => {}
            App::DLock => ps.push(Property::always("at most one lock holder", one_holder)),
            App::KvLock => {
                ps.push(Property::always("at most one lock holder", one_holder));
                ps.push(Property::always(
                    "meta is the length of data",
                    |m: &AppModel, s: &AppState| {
                        s.clients.iter().any(|c| c.holds) || {
                            let objects = m.objects();
                            s.ados[1].committed_state(&objects[1])
                                == s.ados[2].committed_state(&objects[2])
                        }
                    },
                ));
            }
            App::KvLockFree => ps.push(Property::always(
                "meta is the length of data",
                |m: &AppModel, s: &AppState| match s.ados[0].committed_state(&m.objects()[0]) {
                    AnyState::Kv(kv) => kv.iter().flatten().all(|(v, len)| v == len),
                    _ => false,
                },
            )),
            App::TwoPc => {
                ps.push(Property::always(
                    "2PC atomicity",
                    |m: &AppModel, s: &AppState| {
                        let states = rm_states(m, s);
                        !(states.contains(&RmState::Committed)
                            && states.contains(&RmState::Aborted))
                    },
                ));
                ps.push(Property::sometimes(
                    "every RM committed",
                    |m: &AppModel, s: &AppState| {
                        rm_states(m, s).iter().all(|&r| r == RmState::Committed)
                    },
                ));
            }
        }
        if self.cfg.app.linearizable() {
            ps.push(Property::always("linearizable", |_, s: &AppState| {
                s.lin.as_ref().is_some_and(LinMonitor::is_linearizable)
            }));
        }
        ps.push(Property::sometimes(
            "every client finished",
            |_, s: &AppState| s.clients.iter().all(|c| c.call.is_none()),
        ));
        ps
    }
}

/// At most one client is in the lock's critical section.
fn one_holder(_: &AppModel, s: &AppState) -> bool {
    s.clients.iter().filter(|c| c.holds).count() <= 1
}

/// The committed state of every RM.
fn rm_states(m: &AppModel, s: &AppState) -> Vec<RmState> {
    s.ados
        .iter()
        .zip(m.objects())
        .filter_map(|(a, o)| match a.committed_state(&o) {
            AnyState::Rm(r) => Some(r),
            _ => None,
        })
        .collect()
}
