--------------------------------- MODULE Ado ---------------------------------
(***************************************************************************)
(* The ADO (atomic distributed object, Honore et al., OOPSLA'21) with free *)
(* callers: the core of models/src/ado.rs and models/src/ado/model.rs,     *)
(* written so that TLC explores exactly the state machine of the stateright *)
(* model AdoModel::kv (the same variables, the same steps).                *)
(*                                                                         *)
(* The replicated object is a one-key KV store.  Its state is a log of     *)
(* committed calls and a cache tree of uncommitted ones hanging off the    *)
(* log's tip; every entry names its parent, the node that added it, the    *)
(* method, its result (a ghost: what invoke returned) and the timestamp of *)
(* the pull under which it was added.  An entry is named by its id        *)
(* [ts, depth]; the root (the initial state) is [ts |-> 0, depth |-> 0],   *)
(* the log's i-th entry is [its ts, i].  Each node has a timestamp (0: it  *)
(* holds no pull), a point (the entry it builds on), its view (the state   *)
(* at its point plus its own later calls) and a flag: it invoked calls     *)
(* that could not enter the cache.                                         *)
(*                                                                         *)
(*  - Pull: succeed with a fresh timestamp, starting from the tip or any   *)
(*    cache entry; or FAIL after drawing a fresh timestamp (preempting     *)
(*    every earlier pull); or FAIL with no effect on others.  Fresh        *)
(*    timestamps are bounded by MaxTs.                                     *)
(*  - Invoke: run a method on the node's view; with a pull and a live      *)
(*    point, add it to the cache under the point and move there; otherwise *)
(*    the call stays local (detached).  Calls are bounded: log and cache   *)
(*    hold fewer than MaxEntries calls.                                    *)
(*  - Push: FAIL (no effect: a spurious failure, or a later pull), or,     *)
(*    when the node holds the latest pull, commit the path from the root   *)
(*    to its point as the log and prune the cache branches that do not     *)
(*    extend the new tip.                                                  *)
(*                                                                         *)
(* The steps are those of AdoCore.tla, the core as operators on an ADO    *)
(* value (shared with the apps of AdoApps.tla), applied to the variables.  *)
(*                                                                         *)
(* Encoding, matching the Rust model one to one: the KV's state is 0       *)
(* (unset) or the value set (Rust Some((v, v))); a method is               *)
(* [op |-> "set", v |-> v] or [op |-> "get", v |-> 0]; a result is -1 for  *)
(* set's unit, the value read for get (0: None).  The cache is a function  *)
(* from ids to entries; a log entry is a record with its ts.  The ghosts   *)
(* prunedCommitted and lostAck are the Rust model's.                       *)
(*                                                                         *)
(* The three ADO bugs of AdoBug are BOOLEAN constants switching the same   *)
(* mistakes on: PushWithoutPull (push does not check its node pulled),     *)
(* CommitStaleBranch (push does not check no later pull happened),         *)
(* PruneCommitted (pull may start at a committed entry below the tip).     *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets

CONSTANTS
    N,                  \* nodes 0..N-1
    MaxTs,              \* timestamps pulls may draw in all
    MaxEntries,         \* calls the log and cache may hold together
    Values,             \* the methods: set(0, v) for v \in Values, and get(0)
    PushWithoutPull,
    CommitStaleBranch,
    PruneCommitted

ASSUME Values \subseteq Nat \ {0}

\* The core's operators, with the bug constants above.
C == INSTANCE AdoCore

Node == 0..N-1
Root == C!Root

\* The one-key KV store of AdoObjects.
Method == {C!M("set", v) : v \in Values} \cup {C!M("get", 0)}

VARIABLES log, cache, nodes, maxTs, prunedCommitted, lostAck

vars == <<log, cache, nodes, maxTs, prunedCommitted, lostAck>>

\* The variables as an ADO value of AdoCore, and the step to the next one.
Cur == [log |-> log, cache |-> cache, nodes |-> nodes, maxTs |-> maxTs,
        prunedCommitted |-> prunedCommitted, lostAck |-> lostAck]
Become(a) == /\ log' = a.log
             /\ cache' = a.cache
             /\ nodes' = a.nodes
             /\ maxTs' = a.maxTs
             /\ prunedCommitted' = a.prunedCommitted
             /\ lostAck' = a.lostAck

Fresh == maxTs < MaxTs
Room == Len(log) + Cardinality(DOMAIN cache) < MaxEntries

Init == LET a == C!NewAdo("kv", N)
        IN /\ log = a.log
           /\ cache = a.cache
           /\ nodes = a.nodes
           /\ maxTs = a.maxTs
           /\ prunedCommitted = a.prunedCommitted
           /\ lostAck = a.lostAck

\* pull() = Ok(p): a fresh timestamp, starting from p.
PullOk(n, p) == Fresh /\ Become(C!PullOk("kv", Cur, n, p))

\* pull() = FAIL, having drawn a fresh timestamp: every earlier pull is invalidated.
PullPreempted(n) == Fresh /\ Become(C!PullPreempted(Cur, n))

\* pull() = FAIL with no effect on others: the node holds no pull.
PullFail(n) == Become(C!PullFail(Cur, n))

\* A call enters the cache under a live point held under a pull, or stays local (detached).
Invoke(n, m) == Room /\ Become(C!Invoke("kv", Cur, n, m).ado)

\* push() = Ok when the node holds the latest pull (unless a bug relaxes the check); a buggy
\* push whose node's calls are gone reports success and changes nothing else (lostAck).
PushOk(n) == C!CanPush(Cur, n) /\ Become(C!PushOk(Cur, n))

\* push() = FAIL changes nothing: its entries stay in the cache, for a later pull to pick up.
PushFail(n) == UNCHANGED vars

Next == \E n \in Node :
            \/ \E p \in C!StartingPoints(Cur) : PullOk(n, p)
            \/ PullPreempted(n)
            \/ PullFail(n)
            \/ \E m \in Method : Invoke(n, m)
            \/ PushOk(n)
            \/ PushFail(n)

Spec == Init /\ [][Next]_vars

(***************************************************************************)
(* The invariants of the stateright model, under the same names there:     *)
(* "the log is a chain", "a committed entry is never pruned", "a           *)
(* successful push loses no call", "the latest puller's point is live",    *)
(* "results agree with the log".                                           *)
(***************************************************************************)
IsChain == C!IsChain(Cur)

NoCommittedPruned == ~prunedCommitted

NoLostAck == ~lostAck

LatestPullerIsLive ==
    \A n \in Node : nodes[n].ts # 0 /\ nodes[n].ts = maxTs
                        => ~nodes[n].detached /\ C!IsLive(Cur, nodes[n].point)

ResultsAgree ==
    \A id \in {C!LogId(Cur, i) : i \in 1..Len(log)} \cup DOMAIN cache :
        LET p == C!Path(Cur, id)
            last == p[Len(p)]
        IN C!ObjApply("kv", C!Replay("kv", C!ObjInit("kv"), SubSeq(p, 1, Len(p) - 1)),
                      last.method).ret = last.ret

\* The log only grows by appending (an action property, through the abstract log).
L == INSTANCE AdoLog WITH log <- log
RefinesAdoLog == L!Spec
=============================================================================
