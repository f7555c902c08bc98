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

Node == 0..N-1
Root == [ts |-> 0, depth |-> 0]

\* The one-key KV store.
InitState == 0
Method == {[op |-> "set", v |-> v] : v \in Values} \cup {[op |-> "get", v |-> 0]}
Apply(st, m) == IF m.op = "set" THEN [st |-> m.v, ret |-> -1] ELSE [st |-> st, ret |-> st]

VARIABLES log, cache, nodes, maxTs, prunedCommitted, lostAck

vars == <<log, cache, nodes, maxTs, prunedCommitted, lostAck>>

LogId(i) == [ts |-> log[i].ts, depth |-> i]
Tip == IF log = <<>> THEN Root ELSE LogId(Len(log))
IsLive(id) == id = Tip \/ id \in DOMAIN cache
IsCommitted(id) == IF id.depth = 0 THEN id = Root
                   ELSE id.depth <= Len(log) /\ LogId(id.depth) = id

\* The cache entries on the way from id up to the first id not in the cache (its base),
\* oldest first, and that base.
RECURSIVE Cached(_)
Cached(id) == IF id \in DOMAIN cache THEN Append(Cached(cache[id].parent), id) ELSE <<>>
RECURSIVE Base(_)
Base(id) == IF id \in DOMAIN cache THEN Base(cache[id].parent) ELSE id

\* The entries from the root to id, as log entries: the log up to the base, then the cache.
Path(id) ==
    LET c == Cached(id)
    IN SubSeq(log, 1, Base(id).depth)
       \o [i \in 1..Len(c) |-> [ts |-> c[i].ts, parent |-> cache[c[i]].parent,
                                node |-> cache[c[i]].node, method |-> cache[c[i]].method,
                                ret |-> cache[c[i]].ret]]

RECURSIVE Replay(_, _)
Replay(st, p) == IF p = <<>> THEN st ELSE Replay(Apply(st, Head(p).method).st, Tail(p))
StateAt(id) == Replay(InitState, Path(id))

\* Where a successful pull may start: the tip or a cache entry; with PruneCommitted, also
\* the root or any committed entry.
StartingPoints ==
    {Tip} \cup DOMAIN cache
    \cup (IF PruneCommitted THEN {Root} \cup {LogId(i) : i \in 1..Len(log)} ELSE {})

Fresh == maxTs < MaxTs
Room == Len(log) + Cardinality(DOMAIN cache) < MaxEntries

Init == /\ log = <<>>
        /\ cache = [id \in {} |-> Root]
        /\ nodes = [n \in Node |-> [ts |-> 0, point |-> Root, view |-> InitState,
                                     detached |-> FALSE]]
        /\ maxTs = 0
        /\ prunedCommitted = FALSE
        /\ lostAck = FALSE

\* pull() = Ok(p): a fresh timestamp, starting from p.
PullOk(n, p) == /\ Fresh
                /\ maxTs' = maxTs + 1
                /\ nodes' = [nodes EXCEPT ![n] = [ts |-> maxTs + 1, point |-> p,
                                                  view |-> StateAt(p), detached |-> FALSE]]
                /\ UNCHANGED <<log, cache, prunedCommitted, lostAck>>

\* pull() = FAIL, having drawn a fresh timestamp: every earlier pull is invalidated.
PullPreempted(n) == /\ Fresh
                    /\ maxTs' = maxTs + 1
                    /\ nodes' = [nodes EXCEPT ![n].ts = 0]
                    /\ UNCHANGED <<log, cache, prunedCommitted, lostAck>>

\* pull() = FAIL with no effect on others: the node holds no pull.
PullFail(n) == /\ nodes' = [nodes EXCEPT ![n].ts = 0]
               /\ UNCHANGED <<log, cache, maxTs, prunedCommitted, lostAck>>

Invoke(n, m) ==
    LET nd == nodes[n]
        r == Apply(nd.view, m)
        id == [ts |-> nd.ts, depth |-> nd.point.depth + 1]
        e == [parent |-> nd.point, node |-> n, method |-> m, ret |-> r.ret]
    IN /\ Room
       /\ IF nd.ts # 0 /\ ~nd.detached /\ IsLive(nd.point)
          THEN /\ cache' = [i \in DOMAIN cache \cup {id} |-> IF i = id THEN e ELSE cache[i]]
               /\ nodes' = [nodes EXCEPT ![n].point = id, ![n].view = r.st]
          ELSE /\ UNCHANGED cache
               /\ nodes' = [nodes EXCEPT ![n].detached = TRUE, ![n].view = r.st]
       /\ UNCHANGED <<log, maxTs, prunedCommitted, lostAck>>

\* May a push succeed: the node holds the latest pull (unless a bug relaxes the check).
CanPush(n) ==
    LET t == nodes[n].ts
    IN IF PushWithoutPull THEN t = 0 \/ t = maxTs
       ELSE IF CommitStaleBranch THEN t # 0
       ELSE t # 0 /\ t = maxTs

\* The cache entry id descends from tip through cache entries.
RECURSIVE Up(_, _)
Up(id, d) == IF id.depth > d /\ id \in DOMAIN cache THEN Up(cache[id].parent, d) ELSE id
Extends(id, tip) == id # tip /\ Up(id, tip.depth) = tip

\* push() = Ok: the path to the node's point becomes the log; the cache keeps what extends
\* the new tip.  A buggy push whose node's calls are gone reports success and changes nothing
\* else (the ghost lostAck).
PushOk(n) ==
    LET nd == nodes[n]
        p == Path(nd.point)
        tip == IF p = <<>> THEN Root ELSE [ts |-> p[Len(p)].ts, depth |-> Len(p)]
        extendsLog == Len(p) >= Len(log) /\ \A i \in 1..Len(log) : p[i].ts = log[i].ts
    IN /\ CanPush(n)
       /\ IF nd.detached \/ (~IsLive(nd.point) /\ ~IsCommitted(nd.point))
          THEN /\ lostAck' = TRUE
               /\ UNCHANGED <<log, cache, nodes, maxTs, prunedCommitted>>
          ELSE /\ log' = p
               /\ prunedCommitted' = (prunedCommitted \/ ~extendsLog)
               /\ cache' = [i \in {j \in DOMAIN cache : Extends(j, tip)} |-> cache[i]]
               /\ UNCHANGED <<nodes, maxTs, lostAck>>

\* push() = FAIL changes nothing: its entries stay in the cache, for a later pull to pick up.
PushFail(n) == UNCHANGED vars

Next == \E n \in Node :
            \/ \E p \in StartingPoints : PullOk(n, p)
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
IsChain ==
    /\ \A i \in 1..Len(log) - 1 : log[i].ts <= log[i + 1].ts
    /\ \A i \in 1..Len(log) : log[i].parent = IF i = 1 THEN Root ELSE LogId(i - 1)
    /\ \A id \in DOMAIN cache :
          /\ cache[id].parent = Tip \/ cache[id].parent \in DOMAIN cache
          /\ cache[id].parent.ts <= id.ts
          /\ cache[id].parent.depth + 1 = id.depth

NoCommittedPruned == ~prunedCommitted

NoLostAck == ~lostAck

LatestPullerIsLive ==
    \A n \in Node : nodes[n].ts # 0 /\ nodes[n].ts = maxTs
                        => ~nodes[n].detached /\ IsLive(nodes[n].point)

ResultsAgree ==
    \A id \in {LogId(i) : i \in 1..Len(log)} \cup DOMAIN cache :
        LET p == Path(id)
            last == p[Len(p)]
        IN Apply(Replay(InitState, SubSeq(p, 1, Len(p) - 1)), last.method).ret = last.ret

\* The log only grows by appending (an action property, through the abstract log).
L == INSTANCE AdoLog WITH log <- log
RefinesAdoLog == L!Spec
=============================================================================
