------------------------------ MODULE AdoCore -------------------------------
(***************************************************************************)
(* The ADO core of models/src/ado.rs as operators on an ADO value, the way *)
(* the Rust methods Ado::pull / invoke / push map an Ado to the next one:  *)
(* the apps (AdoApps.tla) keep several ADOs of different objects in one    *)
(* variable and step them with these operators.  Ado.tla is the same core  *)
(* with free callers, written on variables; the two transcribe the same    *)
(* Rust code branch by branch (see Ado.tla for the algorithm).             *)
(*                                                                         *)
(* An ADO is a record [log, cache, nodes, maxTs, prunedCommitted,          *)
(* lostAck] as Ado.tla's variables: log a sequence of entries [ts,         *)
(* parent, node, method, ret]; cache a function from ids [ts, depth] to    *)
(* entries [parent, node, method, ret]; nodes[n] = [ts, point, view,       *)
(* detached].  o names the replicated object (AdoObjects.tla).             *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets, AdoObjects

CONSTANTS
    PushWithoutPull,    \* the ADO bugs, as in Ado.tla
    CommitStaleBranch,
    PruneCommitted

Root == [ts |-> 0, depth |-> 0]

\* Ado::new(o, nodes): empty log and cache, nobody has pulled.
NewAdo(o, nodes) ==
    [log |-> <<>>, cache |-> [id \in {} |-> Root],
     nodes |-> [n \in 0..nodes - 1 |-> [ts |-> 0, point |-> Root, view |-> ObjInit(o),
                                         detached |-> FALSE]],
     maxTs |-> 0, prunedCommitted |-> FALSE, lostAck |-> FALSE]

LogId(a, i) == [ts |-> a.log[i].ts, depth |-> i]
Tip(a) == IF a.log = <<>> THEN Root ELSE LogId(a, Len(a.log))
IsLive(a, id) == id = Tip(a) \/ id \in DOMAIN a.cache
IsCommitted(a, id) == IF id.depth = 0 THEN id = Root
                      ELSE id.depth <= Len(a.log) /\ LogId(a, id.depth) = id

RECURSIVE Cached(_, _)
Cached(a, id) == IF id \in DOMAIN a.cache THEN Append(Cached(a, a.cache[id].parent), id)
                 ELSE <<>>
RECURSIVE Base(_, _)
Base(a, id) == IF id \in DOMAIN a.cache THEN Base(a, a.cache[id].parent) ELSE id

\* Ado::path: the entries from the root to id, as log entries.
Path(a, id) ==
    LET c == Cached(a, id)
    IN SubSeq(a.log, 1, Base(a, id).depth)
       \o [i \in 1..Len(c) |-> [ts |-> c[i].ts, parent |-> a.cache[c[i]].parent,
                                node |-> a.cache[c[i]].node,
                                method |-> a.cache[c[i]].method,
                                ret |-> a.cache[c[i]].ret]]

RECURSIVE Replay(_, _, _)
Replay(o, st, p) == IF p = <<>> THEN st ELSE Replay(o, ObjApply(o, st, Head(p).method).st, Tail(p))
StateAt(o, a, id) == Replay(o, ObjInit(o), Path(a, id))
CommittedState(o, a) == StateAt(o, a, Tip(a))

\* Ado::starting_points (PruneCommitted: also the root and every committed entry).
StartingPoints(a) ==
    {Tip(a)} \cup DOMAIN a.cache
    \cup (IF PruneCommitted THEN {Root} \cup {LogId(a, i) : i \in 1..Len(a.log)} ELSE {})

\* Ado::pull with the outcomes Ok(p), Preempted, Fail.
PullOk(o, a, n, p) ==
    [a EXCEPT !.maxTs = a.maxTs + 1,
              !.nodes[n] = [ts |-> a.maxTs + 1, point |-> p, view |-> StateAt(o, a, p),
                            detached |-> FALSE]]
PullPreempted(a, n) == [a EXCEPT !.maxTs = a.maxTs + 1, !.nodes[n].ts = 0]
PullFail(a, n) == [a EXCEPT !.nodes[n].ts = 0]

\* Ado::invoke: [ado |-> the next ADO, ret |-> m's result on the node's view].
Invoke(o, a, n, m) ==
    LET nd == a.nodes[n]
        r == ObjApply(o, nd.view, m)
        id == [ts |-> nd.ts, depth |-> nd.point.depth + 1]
        e == [parent |-> nd.point, node |-> n, method |-> m, ret |-> r.ret]
    IN [ret |-> r.ret,
        ado |-> IF nd.ts # 0 /\ ~nd.detached /\ IsLive(a, nd.point)
                THEN [a EXCEPT !.cache = [i \in DOMAIN a.cache \cup {id} |->
                                             IF i = id THEN e ELSE a.cache[i]],
                               !.nodes[n].point = id, !.nodes[n].view = r.st]
                ELSE [a EXCEPT !.nodes[n].detached = TRUE, !.nodes[n].view = r.st]]

\* Ado::can_push.
CanPush(a, n) ==
    LET t == a.nodes[n].ts
    IN IF PushWithoutPull THEN t = 0 \/ t = a.maxTs
       ELSE IF CommitStaleBranch THEN t # 0
       ELSE t # 0 /\ t = a.maxTs

RECURSIVE Up(_, _, _)
Up(a, id, d) == IF id.depth > d /\ id \in DOMAIN a.cache THEN Up(a, a.cache[id].parent, d) ELSE id
Extends(a, id, tip) == id # tip /\ Up(a, id, tip.depth) = tip

\* Ado::push with the outcome Ok (a FAIL changes nothing).
PushOk(a, n) ==
    LET nd == a.nodes[n]
        p == Path(a, nd.point)
        tip == IF p = <<>> THEN Root ELSE [ts |-> p[Len(p)].ts, depth |-> Len(p)]
        extendsLog == Len(p) >= Len(a.log) /\ \A i \in 1..Len(a.log) : p[i].ts = a.log[i].ts
    IN IF nd.detached \/ (~IsLive(a, nd.point) /\ ~IsCommitted(a, nd.point))
       THEN [a EXCEPT !.lostAck = TRUE]
       ELSE [a EXCEPT !.log = p,
                      !.prunedCommitted = a.prunedCommitted \/ ~extendsLog,
                      !.cache = [i \in {j \in DOMAIN a.cache : Extends(a, j, tip)} |->
                                    a.cache[i]]]

\* "the log is a chain" (model::is_chain).
IsChain(a) ==
    /\ \A i \in 1..Len(a.log) - 1 : a.log[i].ts <= a.log[i + 1].ts
    /\ \A i \in 1..Len(a.log) : a.log[i].parent = IF i = 1 THEN Root ELSE LogId(a, i - 1)
    /\ \A id \in DOMAIN a.cache :
          /\ a.cache[id].parent = Tip(a) \/ a.cache[id].parent \in DOMAIN a.cache
          /\ a.cache[id].parent.ts <= id.ts
          /\ a.cache[id].parent.depth + 1 = id.depth
=============================================================================
