------------------------------ MODULE AdoApps -------------------------------
(***************************************************************************)
(* The apps of the ADO talk, written only with ADO calls: the clients of   *)
(* models/src/ado/apps.rs (AppModel, worm check ado --app APP), state for  *)
(* state, on the ADO core of AdoCore.tla.  Each client makes calls, one    *)
(* at a time, each on one ADO:                                             *)
(*                                                                         *)
(*  - obj.m()! ("bang"): pull until success, invoke, push until success.   *)
(*    A failed pull may be retried (a FAIL that drew no timestamp changes  *)
(*    nothing); a failed push is a self-loop (it changes nothing, and the  *)
(*    client stays in its push until the ADO lets it succeed, which never  *)
(*    happens once someone pulled after it).                               *)
(*  - the 2PC TM's init ("pullonly"): a pull alone; its prepare            *)
(*    ("trypush"): invoke with no pull, then at most MaxTry pushes, a      *)
(*    FAIL being an answer.                                                *)
(*                                                                         *)
(* Client c writes the value c + 1.  The apps (App):                       *)
(*  - "kvlock": KVLock.set(0, c + 1) over a DLock lk and two DVecs data    *)
(*    and meta: ok := lk.tryAcquire(c)!; if ok { data.insert(0, v)!;       *)
(*    meta.insert(0, len v)!; lk.release(c)! }.  KvlockReleaseEarly        *)
(*    releases before the meta write (the bug kvlock-release-early).       *)
(*  - "2pc": a TM (client 0) and Clients replicated RMs, one RM ADO each   *)
(*    (client r + 1 is RM r's own node).  The TM pulls every RM, then for  *)
(*    each RM prepares with no pull and up to MaxTry pushes (a NO vote or  *)
(*    a FAIL short-circuits to ABORT; TmIgnoreFail takes a FAIL for a yes, *)
(*    the bug tm-ignore-fail), then sends the decision to every RM with    *)
(*    commit()! or abort()!.  Each RM's node may time out (timeout()!:     *)
(*    abort unless it voted), which is what makes the TM's pushes fail.    *)
(*  - "dlock": ok := lk.tryAcquire(c)!; if ok { lk.release(c)! }.          *)
(*  - "kv": one KV ADO; client 0 runs set(0, 1)!; get(0)!, client 1        *)
(*    set(0, 2)!; getmeta(0)!.  "kvlockfree": set(0, c + 1)! (KVLock's set *)
(*    as one KV call).  "dvec": one DVec ADO; insert(0, c + 1)!; get(0)!.  *)
(*    Their spec in stateright is linearizability, a property of the       *)
(*    calls' history (the model's LinMonitor), which this spec does not    *)
(*    keep: here they are checked for the ADO invariants only (the         *)
(*    monitor adds no states on the configurations of tla/AdoApps/).       *)
(*                                                                         *)
(* A client is [pc, call, ok, holds] as Rust's Client: the call in         *)
(* progress [ado, method, kind, phase] (kind "none": no call), ok (the     *)
(* acquire succeeded; the TM: every vote so far was yes) and the ghost     *)
(* holds (between a successful acquire and the start of its release).  A   *)
(* phase is [k, ret, fails]: "pull", "invoke", or "push" with the result   *)
(* invoke returned and the pushes that failed so far.                      *)
(*                                                                         *)
(* Properties, as the stateright model's: LogsAreChains, NoCommittedPruned *)
(* (every app), OneHolder (dlock, kvlock), MetaIsLenData (kvlock: when     *)
(* nobody holds the lock, committed meta = committed data), Atomicity      *)
(* (2pc: no RM committed while another aborted).  KVLock and 2PC refine   *)
(* their atomic specs by INSTANCE: RefinesKVLockSpec (KVLockSpec.tla, with *)
(* the committed states of lk, data and meta) and RefinesTCommit (Lamport's *)
(* TCommit.tla, with each RM's committed state).                           *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets, AdoCore

CONSTANTS
    App,                \* "kvlock", "2pc", "dlock", "kv", "dvec" or "kvlockfree"
    Clients,            \* the app's clients; for 2pc, the RMs (the TM comes on top)
    MaxTs,              \* timestamps each ADO may draw
    MaxTry,             \* the TM's pushes per prepare
    KvlockReleaseEarly,
    TmIgnoreFail

ASSUME App \in {"kvlock", "2pc", "dlock", "kv", "dvec", "kvlockfree"}

\* The clients: for 2pc the TM (0) and one node per RM; every ADO has a node per client.
NClients == IF App = "2pc" THEN Clients + 1 ELSE Clients
Client == 0..NClients - 1

\* The objects of the app's ADOs, numbered from 0 as in Rust.
Objs == CASE App = "kvlock" -> <<"dlock", "dvec", "dvec">>
          [] App = "dlock" -> <<"dlock">>
          [] App \in {"kv", "kvlockfree"} -> <<"kv">>
          [] App = "dvec" -> <<"dvec">>
          [] App = "2pc" -> [i \in 1..Clients |-> "rm"]
Ado == 0..Len(Objs) - 1
Obj(i) == Objs[i + 1]

VARIABLES ados, clients

vars == <<ados, clients>>

Phase(k) == [k |-> k, ret |-> 0, fails |-> 0]
NoMethod == M("none", 0)
Call(ado, m, kind) ==
    [ado |-> ado, method |-> m, kind |-> kind,
     phase |-> Phase(IF kind = "trypush" THEN "invoke" ELSE "pull")]
Bang(ado, m) == Call(ado, m, "bang")
NoCall == [ado |-> 0, method |-> NoMethod, kind |-> "none", phase |-> Phase("pull")]

\* AppModel::call: the call client c makes at its pc, or NoCall when it is finished.
CallAt(c, cl) ==
    LET v == c + 1
        rms == Clients
    IN IF App \in {"dlock", "kvlock"} /\ cl.pc = 0 THEN Bang(0, M("acquire", c))
       ELSE IF App = "dlock" /\ cl.pc = 1 /\ cl.ok THEN Bang(0, M("release", c))
       ELSE IF App = "kvlock" /\ cl.pc \in 1..3 /\ cl.ok THEN
            IF cl.pc = 1 THEN Bang(1, M("insert", v))
            ELSE IF cl.pc = (IF KvlockReleaseEarly THEN 3 ELSE 2) THEN Bang(2, M("insert", v))
            ELSE Bang(0, M("release", c))
       ELSE IF App = "2pc" /\ c = 0 THEN
            IF cl.pc < rms THEN Call(cl.pc, NoMethod, "pullonly")
            ELSE IF cl.pc < 2 * rms THEN Call(cl.pc - rms, M("prepare", 0), "trypush")
            ELSE IF cl.pc < 3 * rms
                 THEN Bang(cl.pc - 2 * rms, M(IF cl.ok THEN "commit" ELSE "abort", 0))
            ELSE NoCall
       ELSE IF App = "2pc" /\ cl.pc = 0 THEN Bang(c - 1, M("timeout", 0))
       ELSE IF App \in {"kv", "kvlockfree"} /\ cl.pc = 0 THEN Bang(0, M("set", v))
       ELSE IF App = "kv" /\ cl.pc = 1 THEN Bang(0, M(IF c = 0 THEN "get" ELSE "getmeta", 0))
       ELSE IF App = "dvec" /\ cl.pc = 0 THEN Bang(0, M("insert", v))
       ELSE IF App = "dvec" /\ cl.pc = 1 THEN Bang(0, M("get", 0))
       ELSE NoCall

\* AppModel::start: the next call; a release ends the critical section.
Start(c, cl) ==
    LET k == CallAt(c, cl)
    IN [cl EXCEPT !.call = k, !.holds = IF k.method.op = "release" THEN FALSE ELSE @]

\* How a call ended: Done with a result (NoRet for a pull alone), or FAIL.
NoRet == -100
Done(r) == [fail |-> FALSE, ret |-> r]
Failed == [fail |-> TRUE, ret |-> NoRet]

\* AppModel::returned: the app's locals, then the next pc.
Returned(c, cl, out) ==
    LET yes == IF out.fail THEN TmIgnoreFail ELSE out.ret = Yes
        cl1 == IF App \in {"dlock", "kvlock"} /\ cl.call.method.op = "acquire"
               THEN [cl EXCEPT !.ok = (out = Done(Yes)), !.holds = (out = Done(Yes))]
               ELSE IF App = "2pc" /\ c = 0 /\ cl.call.kind = "trypush" /\ ~yes
               \* Short-circuit: ABORT, and on to sending the decision.
               THEN [cl EXCEPT !.ok = FALSE, !.pc = 2 * Clients - 1]
               ELSE cl
    IN [cl1 EXCEPT !.pc = @ + 1, !.call = NoCall]

Finish(c, cl, out) == Start(c, Returned(c, cl, out))

Init == /\ ados = [i \in Ado |-> NewAdo(Obj(i), NClients)]
        /\ clients = [c \in Client |-> Start(c, [pc |-> 0, call |-> NoCall, ok |-> TRUE,
                                                 holds |-> FALSE])]

\* Client c's call in progress is in phase k; its ADO is ados[a] of object o.
InPhase(c, k) == clients[c].call.kind # "none" /\ clients[c].call.phase.k = k

SetAdo(a, x) == ados' = [ados EXCEPT ![a] = x]

Pull(c) ==
    LET cl == clients[c]
        a == cl.call.ado
        ado == ados[a]
        fresh == ado.maxTs < MaxTs
    IN /\ InPhase(c, "pull")
       /\ \/ /\ fresh
             /\ \E p \in StartingPoints(ado) :
                   /\ SetAdo(a, PullOk(Obj(a), ado, c, p))
                   /\ clients' = [clients EXCEPT ![c] =
                                    IF cl.call.kind = "pullonly" THEN Finish(c, cl, Done(NoRet))
                                    ELSE [cl EXCEPT !.call.phase = Phase("invoke")]]
          \/ /\ fresh
             /\ SetAdo(a, PullPreempted(ado, c))
             /\ UNCHANGED clients
          \/ /\ SetAdo(a, PullFail(ado, c))
             /\ UNCHANGED clients

DoInvoke(c) ==
    LET cl == clients[c]
        a == cl.call.ado
        r == Invoke(Obj(a), ados[a], c, cl.call.method)
    IN /\ InPhase(c, "invoke")
       /\ SetAdo(a, r.ado)
       /\ clients' = [clients EXCEPT ![c].call.phase = [k |-> "push", ret |-> r.ret, fails |-> 0]]

PushSucceeds(c) ==
    LET cl == clients[c]
        a == cl.call.ado
    IN /\ InPhase(c, "push")
       /\ CanPush(ados[a], c)
       /\ SetAdo(a, PushOk(ados[a], c))
       /\ clients' = [clients EXCEPT ![c] = Finish(c, cl, Done(cl.call.phase.ret))]

\* A failed push of m()! is a self-loop (no step); the TM's prepare counts its failures.
PushFails(c) ==
    LET cl == clients[c]
    IN /\ InPhase(c, "push")
       /\ cl.call.kind = "trypush"
       /\ clients' = [clients EXCEPT ![c] =
                        IF cl.call.phase.fails + 1 = MaxTry THEN Finish(c, cl, Failed)
                        ELSE [cl EXCEPT !.call.phase.fails = @ + 1]]
       /\ UNCHANGED ados

Next == \E c \in Client : Pull(c) \/ DoInvoke(c) \/ PushSucceeds(c) \/ PushFails(c)

Spec == Init /\ [][Next]_vars

(***************************************************************************)
(* The stateright model's properties: "the logs are chains", "a committed  *)
(* entry is never pruned", "at most one lock holder", "meta is the length  *)
(* of data", "2PC atomicity".                                              *)
(***************************************************************************)
LogsAreChains == \A a \in Ado : IsChain(ados[a])

NoCommittedPruned == \A a \in Ado : ~ados[a].prunedCommitted

OneHolder == Cardinality({c \in Client : clients[c].holds}) <= 1

Committed(a) == CommittedState(Obj(a), ados[a])

MetaIsLenData == (\E c \in Client : clients[c].holds) \/ Committed(2) = Committed(1)

Atomicity == ~(\E r, s \in Ado : Committed(r) = "committed" /\ Committed(s) = "aborted")

(***************************************************************************)
(* Refinement of the apps' atomic specs, through the committed states.     *)
(***************************************************************************)
K == INSTANCE KVLockSpec WITH owner <- Committed(0), data <- Committed(1), meta <- Committed(2)
RefinesKVLockSpec == K!Spec

T == INSTANCE TCommit WITH RM <- Ado, rmState <- [r \in Ado |-> Committed(r)]
RefinesTCommit == T!Spec
=============================================================================
