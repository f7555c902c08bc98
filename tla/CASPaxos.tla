------------------------------ MODULE CASPaxos ------------------------------
(***************************************************************************)
(* CASPaxos (Rystsov 2018): a rewritable register from Synod.  The         *)
(* protocol core of models/src/caspaxos.rs, written so that TLC explores   *)
(* exactly the state machine of the stateright model's mirror mode         *)
(* (models/src/caspaxos/mirror.rs): the same variables, the same steps, no *)
(* history.                                                                *)
(*                                                                         *)
(* Acceptors 0..N-1 keep, per key, a promise and an accepted (ballot,      *)
(* state), saved before they answer.  Proposers N.. run their client's     *)
(* script of change functions, one after the other: prepare (Synod phase   *)
(* 1) to every acceptor; with a prepare quorum of promises, apply the      *)
(* change to the state accepted at the highest ballot and send it in an    *)
(* accept (phase 2); an accept quorum acknowledges it.  A conflict (nack)  *)
(* fast-forwards the proposer's counter; in the prepare phase it retries   *)
(* while it has attempts left, else the change failed; in the accept phase *)
(* the outcome is unknown.  With OneRtt, an accept carries the proposer's  *)
(* next ballot as a piggybacked prepare, and confirmations from a prepare  *)
(* quorum let its next change on the key skip the prepare phase.           *)
(*                                                                         *)
(* The operator (models/src/caspaxos/operator.rs, CASPaxos paper §2.3 and  *)
(* §3.1) is an actor with a program, a sequence of steps each finished     *)
(* when every party it talks to has confirmed: add a proposer (Start) or   *)
(* turn one off (Stop); Configure the proposers with new prepare and       *)
(* accept sets and quorums (a proposer in a change takes the new view when *)
(* the change ends); run identity changes (reads) as a proposer of its own *)
(* to re-scan a key; and collect a deleted key: wait for the delete's      *)
(* ScheduleGc, write the tombstone on every acceptor of the accept set,    *)
(* let each proposer drop its cache, fast-forward past the tombstone and   *)
(* age (Invalidate), tell each acceptor the ages (SetAges: older           *)
(* requests are rejected), and Remove the tombstone.  The program is       *)
(* computed from the constants Membership, AddProposer, RemoveProposer     *)
(* and Gc exactly as CasConfig::program does.                              *)
(*                                                                         *)
(* Encoding, chosen to match the Rust model one to one:                    *)
(*  - the scripts are a set of strings "<proposer letter><position>        *)
(*    <change>" in the syntax of worm's --changes ("A1 init=1",            *)
(*    "B1 k1:cas=0:2"), since TLC configurations have no sequences;        *)
(*  - acceptors are 0..NA-1 (N at the start, and those the membership      *)
(*    change adds); proposer p (0..P-1) is actor NA+p, the operator, if    *)
(*    its program is not empty, is proposer P; with NP proposers in all,   *)
(*    ballot (counter c, proposer p) is the integer c*NP+p, which keeps    *)
(*    the Rust order; 0 is no ballot (the Rust None of an optional ballot: *)
(*    real ones have counters >= 1);                                       *)
(*  - a register state is [version, value], the empty state has version -1;*)
(*    a proposal is [bal, st], NoProposal (ballot 0) is below all others;  *)
(*  - the network is, by the constant Network, a function from channel to  *)
(*    sequence ("ordered"), a bag ("unordered") or a set ("duplicating");  *)
(*  - sets of actors (awaited confirmations, the operator's proposers,     *)
(*    scheduled keys) are sets, the Rust bitmasks.                         *)
(*                                                                         *)
(* What the Rust state has and this spec leaves out, because it is         *)
(* determined by the rest: an acceptor's storage (what it saved is its     *)
(* state: it saves every change; None while the state is initial, which a  *)
(* saved state never is again).  A client's think timer is kept (timer):   *)
(* it is set when a change ends with changes left, and fires even at a     *)
(* proposer turned off since, which changes nothing else.                  *)
(*                                                                         *)
(* After every step, messages whose delivery can never change anything are *)
(* removed, as the Rust model's collect_dead_messages does.                *)
(*                                                                         *)
(* The named bugs of the Rust model are BOOLEAN constants, each switching  *)
(* on the same mistake: two in the core, four in the operator's program or *)
(* in the GC's steps at proposers and acceptors.  The property is          *)
(* AckedKept: a proposal accepted or acknowledged at a ballot above an     *)
(* acknowledged one holds a state the changes can produce from it.  Module *)
(* CASPaxosChain adds ghost records of the acknowledged chain and of       *)
(* lineages, and checks that the protocol refines CASRegister and that     *)
(* acknowledged lineages form one chain.                                   *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets, TLC

CONSTANTS
    N,             \* acceptors at the start (a membership change may add some)
    Scripts,       \* the changes each proposer's client submits (see above)
    Attempts,      \* prepare attempts per change
    OneRtt,        \* the one-round-trip optimisation
    PrepareQuorum,
    AcceptQuorum,
    MaxCrashes,    \* acceptors down at once
    Network,       \* "ordered", "unordered" or "duplicating"
    \* The operator's program (CasConfig::program in models/src/caspaxos/model.rs).
    Membership,      \* "none", "expand", "expand-twice", "shrink" or "replace"
    AddProposer,     \* the last proposer starts off and the operator adds it
    RemoveProposer,  \* the operator turns the first proposer off
    Gc,              \* deleted keys are garbage-collected
    \* The named bugs (see CasBug in models/src/caspaxos/model.rs).
    PickLowestBallot,  \* a proposer builds on the lowest-ballot state it was sent
    AcceptLowerBallot, \* an acceptor accepts a ballot below its promise
    ExpandWithoutIdentity,   \* expanding 2F+1 -> 2F+2 skips the identity change
    EvenExpandWithoutRescan, \* replace: expands from an even size without a re-scan
    GcWithoutAgeCheck,       \* acceptors ignore proposers' ages
    GcWithoutFastForward     \* the GC does not fast-forward proposers' counters

Added == CASE Membership \in {"none", "shrink"} -> 0
           [] Membership \in {"expand", "replace"} -> 1
           [] Membership = "expand-twice" -> 2

ASSUME /\ N \in 1..5 /\ Attempts \in 1..3 /\ MaxCrashes \in 0..N + Added
       /\ PrepareQuorum \in 1..N /\ AcceptQuorum \in 1..N /\ PrepareQuorum + AcceptQuorum > N
       /\ Network \in {"ordered", "unordered", "duplicating"}
       /\ Membership \in {"none", "expand", "expand-twice", "shrink", "replace"}
       /\ {OneRtt, AddProposer, RemoveProposer, Gc, PickLowestBallot, AcceptLowerBallot,
           ExpandWithoutIdentity, EvenExpandWithoutRescan, GcWithoutAgeCheck,
           GcWithoutFastForward} \subseteq BOOLEAN

Max(x, y) == IF x >= y THEN x ELSE y
Min(x, y) == IF x <= y THEN x ELSE y
SetMax(S) == CHOOSE x \in S : \A y \in S : y <= x

NA == N + Added  \* acceptor actors: those at the start and those the operator adds
Acceptor == 0..NA-1
Key == 0..1  \* the Rust model's MAX_KEYS slots per acceptor

-----------------------------------------------------------------------------
(* Register states and change functions (models/src/caspaxos/spec.rs). *)

NoState == [version |-> -1, value |-> -1]
Reg(ver, val) == [version |-> ver, value |-> val]

Digit == 0..9
AllChanges ==
    {[op |-> "init", a |-> v, b |-> 0] : v \in Digit}
    \cup {[op |-> "cas", a |-> x, b |-> v] : x \in Digit, v \in Digit}
    \cup {[op |-> o, a |-> 0, b |-> 0] : o \in {"inc", "read", "del"}}
ReadChange == [op |-> "read", a |-> 0, b |-> 0]

Apply(c, x) ==
    CASE c.op = "init" -> IF x = NoState THEN Reg(0, c.a) ELSE x
      [] c.op = "cas" -> IF x # NoState /\ x.version = c.a THEN Reg(c.a + 1, c.b) ELSE x
      [] c.op = "inc" -> IF x # NoState THEN Reg(x.version + 1, x.value + 1) ELSE x
      [] c.op = "read" -> x
      [] c.op = "del" -> NoState

ChangeName(c) ==
    CASE c.op = "init" -> "init=" \o ToString(c.a)
      [] c.op = "cas" -> "cas=" \o ToString(c.a) \o ":" \o ToString(c.b)
      [] OTHER -> c.op

Letter == <<"A", "B", "C">>
Entry(p, i, k, c) ==
    Letter[p + 1] \o ToString(i) \o " " \o (IF k = 0 THEN "" ELSE "k1:") \o ChangeName(c)

\* The scripts, read out of the strings: <<proposer, position, key, change>>.
Parsed == {e \in (0..2) \X (1..6) \X Key \X AllChanges : Entry(e[1], e[2], e[3], e[4]) \in Scripts}
P == Cardinality({e[1] : e \in Parsed})
Proposer == 0..P-1
\* (Functions of the constants, so that TLC computes them once.)
ScriptLens == [p \in Proposer |-> Cardinality({e \in Parsed : e[1] = p})]
ScriptLen(p) == ScriptLens[p]
\* Script[p][i]: the i-th change of proposer p, as [key, change].
Script == [p \in Proposer |->
             [i \in 1..ScriptLen(p) |->
                LET e == CHOOSE e \in Parsed : e[1] = p /\ e[2] = i
                IN [key |-> e[3], change |-> e[4]]]]

ASSUME /\ Cardinality(Parsed) = Cardinality(Scripts)
       /\ \A p \in Proposer : ScriptLen(p) >= 1 /\ \A i \in 1..ScriptLen(p) :
              \E e \in Parsed : e[1] = p /\ e[2] = i

-----------------------------------------------------------------------------
(* The operator's program, step for step CasConfig::program. *)

\* The keys the scripts use (CasConfig::keys), and those deleted.
KeyCount == IF \E e \in Parsed : e[3] = 1 THEN 2 ELSE 1
Deleted == {e[3] : e \in {x \in Parsed : x[4].op = "del"}}

Maj(n) == n \div 2 + 1
\* A proposer's configuration: where it sends prepares and accepts, and the quorums.
View(ps, pq, as, aq) == [prepare |-> ps, pq |-> pq, accept |-> as, aq |-> aq]
InitView == View(0..N-1, PrepareQuorum, 0..N-1, AcceptQuorum)

Configure(v) == [kind |-> "configure", view |-> v]
OnKey(kind, k) == [kind |-> kind, key |-> k]
Rescan == [i \in 1..KeyCount |-> OnKey("identity", i - 1)]

\* Adds acceptor fresh to members: the four steps of §2.3.1 from an odd size, §2.3.2 from
\* an even one.
Expand(members, fresh) ==
    LET n == Cardinality(members)
        new == members \cup {fresh}
        whole == Configure(View(new, Maj(n + 1), new, Maj(n + 1)))
    IN IF n % 2 = 1
       THEN <<Configure(View(members, Maj(n), new, Maj(n + 1)))>>
            \o (IF ExpandWithoutIdentity THEN <<>> ELSE Rescan) \o <<whole>>
       ELSE <<whole>>

\* Removes the last acceptor: the steps of expansion in reverse order.
Shrink(members) ==
    LET n == Cardinality(members)
        new == members \ {SetMax(members)}
        whole == Configure(View(new, Maj(n - 1), new, Maj(n - 1)))
    IN IF n % 2 = 0
       THEN <<Configure(View(new, Maj(n - 1), members, Maj(n)))>> \o Rescan \o <<whole>>
       ELSE <<whole>>

MembershipSteps ==
    CASE Membership = "none" -> <<>>
      [] Membership = "expand" -> Expand(0..N-1, N)
      [] Membership = "expand-twice" -> Expand(0..N-1, N) \o Expand(0..N, N + 1)
      [] Membership = "shrink" -> Shrink(0..N-1)
      [] Membership = "replace" ->
            Shrink(0..N-1) \o (IF EvenExpandWithoutRescan THEN <<>> ELSE Rescan)
            \o Expand(0..N-2, N)

GcSteps(k) ==
    IF Gc /\ k \in Deleted
    THEN <<OnKey("awaitDelete", k), OnKey("gcIdentity", k), OnKey("gcProposers", k),
           [kind |-> "gcAcceptors"], OnKey("gcRemove", k)>>
    ELSE <<>>

Program ==
    (IF AddProposer THEN <<[kind |-> "addProposer", i |-> P - 1]>> ELSE <<>>)
    \o MembershipSteps
    \o (IF RemoveProposer THEN <<[kind |-> "removeProposer", i |-> 0]>> ELSE <<>>)
    \o GcSteps(0) \o GcSteps(1)

OperatorRetries == 1  \* the Rust model's OPERATOR_RETRIES

\* With a program, the operator is proposer P (actor NA + P): prop[P] is its proposer part.
HasOp == Program # <<>>
OpIndex == P
NP == IF HasOp THEN P + 1 ELSE P
PIdx == 0..NP-1

Bal(c, p) == c * NP + p
CounterOf(b) == b \div NP

NoProposal == [bal |-> 0, st |-> NoState]
\* Proposals compare by ballot: one ballot carries one state.
PMax(p, q) == IF p.bal >= q.bal THEN p ELSE q
PMin(p, q) == IF p.bal <= q.bal THEN p ELSE q

-----------------------------------------------------------------------------
(* Messages and the network (as in Wor.tla). *)

\* age: the sender's age when its change began, for the GC's age check.
PrepareMsg(k, b, age) == [type |-> "prepare", key |-> k, bal |-> b, age |-> age]
PromiseMsg(k, b, p) == [type |-> "promise", key |-> k, bal |-> b, prop |-> p]
\* next: the piggybacked prepare of OneRtt, or 0.
AcceptMsg(k, b, st, next, age) ==
    [type |-> "accept", key |-> k, bal |-> b, st |-> st, next |-> next, age |-> age]
AcceptedMsg(k, b) == [type |-> "accepted", key |-> k, bal |-> b]
NackMsg(k, b, promised) == [type |-> "nack", key |-> k, bal |-> b, promised |-> promised]
\* The operator's messages, and the confirmations it waits for.
ConfigureMsg(v) == [type |-> "configure", view |-> v]
StartMsg(v) == [type |-> "start", view |-> v]
StopMsg == [type |-> "stop"]
InvalidateMsg(k, t) == [type |-> "invalidate", key |-> k, tomb |-> t]
InvalidatedMsg(age) == [type |-> "invalidated", age |-> age]
ScheduleMsg(k, b) == [type |-> "schedule", key |-> k, bal |-> b]
SetAgesMsg(ages) == [type |-> "setages", ages |-> ages]
RemoveMsg(k, t) == [type |-> "remove", key |-> k, tomb |-> t]
Confirm(t) == [type |-> t]  \* "configured", "started", "agesset", "removed"

Env(src, dst, m) == [src |-> src, dst |-> dst, msg |-> m]

PId(p) == NA + p
OpId == PId(OpIndex)
Channel == {<<PId(p), a>> : p \in PIdx, a \in Acceptor}
           \cup {<<a, PId(p)>> : a \in Acceptor, p \in PIdx}
           \cup (IF HasOp THEN {<<OpId, PId(p)>> : p \in Proposer}
                               \cup {<<PId(p), OpId>> : p \in Proposer}
                 ELSE {})
Chan(e) == <<e.src, e.dst>>

\* The network holding just the envelopes envs, at most one per channel.
Holding(envs) ==
    CASE Network = "ordered" ->
            [ch \in Channel |-> IF \E e \in envs : Chan(e) = ch
                                THEN <<(CHOOSE e \in envs : Chan(e) = ch).msg>> ELSE <<>>]
      [] Network = "unordered" -> [e \in envs |-> 1]
      [] Network = "duplicating" -> envs

\* The network after src sends m to each of dsts.
Send(net, src, dsts, m) ==
    CASE Network = "ordered" ->
            [ch \in Channel |-> IF ch[1] = src /\ ch[2] \in dsts THEN Append(net[ch], m)
                                ELSE net[ch]]
      [] Network = "unordered" ->
            LET envs == {Env(src, d, m) : d \in dsts}
            IN [e \in DOMAIN net \cup envs |->
                   (IF e \in DOMAIN net THEN net[e] ELSE 0) + (IF e \in envs THEN 1 ELSE 0)]
      [] Network = "duplicating" -> net \cup {Env(src, d, m) : d \in dsts}

\* A step's output: a sequence of [to, msg], each msg sent to every actor of the set to.
Bcast(to, m) == <<[to |-> to, msg |-> m]>>
RECURSIVE SendAll(_, _, _)
SendAll(net, src, out) ==
    IF out = <<>> THEN net
    ELSE SendAll(Send(net, src, Head(out).to, Head(out).msg), src, Tail(out))

BagLess(net, e) ==
    IF net[e] = 1 THEN [x \in DOMAIN net \ {e} |-> net[x]] ELSE [net EXCEPT ![e] = @ - 1]

Deliverable(net) ==
    CASE Network = "ordered" ->
            {Env(ch[1], ch[2], Head(net[ch])) : ch \in {ch \in Channel : net[ch] # <<>>}}
      [] Network = "unordered" -> DOMAIN net
      [] Network = "duplicating" -> net

Consume(net, e) ==
    CASE Network = "ordered" -> [net EXCEPT ![Chan(e)] = Tail(@)]
      [] Network = "unordered" -> BagLess(net, e)
      [] Network = "duplicating" -> net

Retain(net, Live(_)) ==
    CASE Network = "ordered" ->
            [ch \in Channel |-> LET Keep(m) == Live(Env(ch[1], ch[2], m))
                                IN SelectSeq(net[ch], Keep)]
      [] Network = "unordered" -> [e \in {x \in DOMAIN net : Live(x)} |-> net[e]]
      [] Network = "duplicating" -> {e \in net : Live(e)}

-----------------------------------------------------------------------------
(* Proposer states. *)

Idle == [kind |-> "idle"]
\* age: the proposer's age when the change began; its messages carry it.
PreparePhase(k, b, promises, picked, age) ==
    [kind |-> "prepare", key |-> k, bal |-> b, promises |-> promises, picked |-> picked,
     age |-> age]
\* parent: the ballot of the proposal st was computed from, or 0 (a ghost of the Rust model,
\* part of its state, kept here to describe the same states).
AcceptPhase(k, b, st, next, accepts, parent, age) ==
    [kind |-> "accept", key |-> k, bal |-> b, st |-> st, next |-> next, accepts |-> accepts,
     parent |-> parent, age |-> age]

NoCache == [promised |-> 0, accepted |-> 0, st |-> NoState]
NoOutcome == [kind |-> "none"]
Acked(k, b, st) == [kind |-> "acked", key |-> k, bal |-> b, st |-> st]
Failed == [kind |-> "failed"]
Unknown == [kind |-> "unknown"]

\* A proposer: pending is a configuration that arrived during a change (<<view>>) or <<>>;
\* timer is its client's think timer (set when a change ends with changes left, cleared when
\* it fires, even at a proposer turned off since).
NewProposer(view, on) ==
    [counter |-> 0, age |-> 0, view |-> view, caches |-> [k \in Key |-> NoCache], on |-> on,
     done |-> 0, left |-> 0, phase |-> Idle, last |-> NoOutcome, pending |-> <<>>,
     timer |-> FALSE]

\* Would a proposer in state s act on m (a promise, accepted or nack) from acceptor a?  Its
\* ballots only grow and a phase listens only to its own ballot, so a reply ignored now
\* stays ignored.
Awaits(s, a, m) ==
    LET ph == s.phase IN
    /\ ph.kind # "idle"
    /\ m.key = ph.key /\ m.bal = ph.bal
    /\ \/ ph.kind = "prepare" /\ m.type = "promise" /\ a \notin ph.promises
       \/ ph.kind = "accept" /\ m.type = "accepted" /\ a \notin ph.accepts
       \/ m.type = "nack"

\* Would a client's proposer in state s act on m from src (proposer_awaits)?
ClientAwaits(s, src, m) ==
    CASE m.type = "start" -> ~s.on /\ s.done = 0
      [] m.type \in {"configure", "invalidate", "stop"} -> s.on
      [] OTHER -> s.on /\ src \in Acceptor /\ Awaits(s, src, m)

\* Would the operator (o, with proposer part s) act on m from src (Program::awaits)?
OpAwaits(o, s, src, m) ==
    CASE m.type \in {"configured", "started", "invalidated", "agesset", "removed"} ->
            src \in o.awaiting
      [] m.type = "schedule" -> m.key \notin o.scheduled
      [] OTHER -> src \in Acceptor /\ Awaits(s, src, m)

-----------------------------------------------------------------------------
VARIABLES
    acc,      \* acc[a][k]: acceptor a's promise and accepted proposal for key k
    accAges,  \* accAges[a][p]: the youngest age acceptor a accepts from proposer p
    prop,     \* prop[p]: proposer p's state (prop[OpIndex]: the operator's proposer part)
    op,       \* the operator's state beyond its proposer part
    down,     \* the acceptors that are down
    net       \* the messages in flight

vars == <<acc, accAges, prop, op, down, net>>

InitSlot == [promised |-> 0, accepted |-> NoProposal]

AgesChecked == ~GcWithoutAgeCheck

\* May the GC still remove key k at acceptor a (given operator state o)?
MayRemove(o, k, a) ==
    \E at \in 0..Len(Program)-1 :
        /\ Program[at + 1].kind = "gcRemove" /\ Program[at + 1].key = k
        /\ ~o.halted
        /\ o.step <= at \/ a \in o.awaiting

\* Can delivering e ever change anything, given acceptor states A and ages G, proposer
\* states S and operator state O?  (collect_dead_messages in models/src/caspaxos/model.rs.)
\* A request below the acceptor's promise can only be rejected while the promise cannot go
\* down, i.e. unless the GC may still remove the key there (or the request is older than
\* its proposer).
Live(A, G, S, O, e) ==
    LET m == e.msg IN
    IF e.dst \in Acceptor
    THEN IF m.type \notin {"prepare", "accept"} THEN TRUE
         ELSE LET i == e.src - NA
                  sender == S[i]
                  stale == AgesChecked /\ m.age < sender.age
                  below == /\ ~(m.type = "accept" /\ AcceptLowerBallot)
                           /\ m.bal < A[e.dst][m.key].promised
                           /\ stale \/ ~MayRemove(O, m.key, e.dst)
                  tooOld == AgesChecked /\ m.age < G[e.dst][i]
              IN ~(below \/ tooOld) \/ (sender.on /\ Awaits(sender, e.dst, NackMsg(m.key, m.bal, 0)))
    ELSE IF HasOp /\ e.dst = OpId THEN OpAwaits(O, S[OpIndex], e.src, m)
    ELSE ClientAwaits(S[e.dst - NA], e.src, m)

Collect(n, A, G, S, O) == Retain(n, LAMBDA e : Live(A, G, S, O, e))

-----------------------------------------------------------------------------
(* A proposer's side of one change (models/src/caspaxos/proposer.rs), shared by the clients'
   proposers and the operator.  i is the proposer's index; results carry its new state st
   and output out, and the change's outcome end (NoOutcome while it goes on). *)

Result(s, out, end) == [st |-> s, out |-> out, end |-> end]

\* Starts (or retries) the change c on key k: with a cached promise, the accept at once.
Start(s, i, k, c) ==
    IF s.caches[k] # NoCache
    THEN LET cache == s.caches[k]
             st == Apply(c, cache.st)
             next == Bal(s.counter + 1, i)
         IN Result([s EXCEPT !.caches[k] = NoCache, !.counter = @ + 1,
                             !.phase = AcceptPhase(k, cache.promised, st, next, {},
                                                   cache.accepted, s.age)],
                   Bcast(s.view.accept, AcceptMsg(k, cache.promised, st, next, s.age)),
                   NoOutcome)
    ELSE LET b == Bal(s.counter + 1, i)
         IN Result([s EXCEPT !.counter = @ + 1,
                             !.phase = PreparePhase(k, b, {}, NoProposal, s.age)],
                   Bcast(s.view.prepare, PrepareMsg(k, b, s.age)), NoOutcome)

BeginChange(s, i, k, c) == Start([s EXCEPT !.left = Attempts - 1], i, k, c)

\* The step on a reply m from acceptor a that the proposer awaits, running change c.
OnReply(s, i, a, m, c) ==
    LET ph == s.phase IN
    IF m.type = "promise"
    THEN IF a \notin s.view.prepare THEN Result(s, <<>>, NoOutcome)
         ELSE
         LET picked == IF ph.promises = {} THEN m.prop
                       ELSE IF PickLowestBallot THEN PMin(ph.picked, m.prop)
                       ELSE PMax(ph.picked, m.prop)
             promises == ph.promises \cup {a}
         IN IF Cardinality(promises \cap s.view.prepare) < s.view.pq
            THEN Result([s EXCEPT !.phase = PreparePhase(ph.key, ph.bal, promises, picked,
                                                         ph.age)], <<>>, NoOutcome)
            ELSE LET st == Apply(c, picked.st)
                     next == IF OneRtt THEN Bal(s.counter + 1, i) ELSE 0
                 IN Result([s EXCEPT !.counter = IF OneRtt THEN @ + 1 ELSE @,
                                     !.phase = AcceptPhase(ph.key, ph.bal, st, next, {},
                                                           picked.bal, ph.age)],
                           Bcast(s.view.accept, AcceptMsg(ph.key, ph.bal, st, next, ph.age)),
                           NoOutcome)
    ELSE IF m.type = "accepted"
    THEN IF a \notin s.view.accept THEN Result(s, <<>>, NoOutcome)
         ELSE
         LET accepts == ph.accepts \cup {a}
         IN IF Cardinality(accepts \cap s.view.accept) < s.view.aq
            THEN Result([s EXCEPT !.phase.accepts = accepts], <<>>, NoOutcome)
            \* Confirmations from a prepare quorum stand for the next change's prepare.
            ELSE LET cached == IF /\ ph.next # 0
                                  /\ Cardinality(accepts \cap s.view.prepare) >= s.view.pq
                               THEN [s EXCEPT !.caches[ph.key] =
                                        [promised |-> ph.next, accepted |-> ph.bal,
                                         st |-> ph.st]]
                               ELSE s
                 IN Result([cached EXCEPT !.phase = Idle], <<>>, Acked(ph.key, ph.bal, ph.st))
    \* A nack: fast-forward past the ballot that won.
    ELSE LET t == [s EXCEPT !.counter = Max(@, CounterOf(m.promised)),
                            !.caches[ph.key] = NoCache, !.phase = Idle]
         IN IF ph.kind = "accept" THEN Result(t, <<>>, Unknown)
            ELSE IF s.left > 0 THEN Start([t EXCEPT !.left = @ - 1], i, ph.key, c)
            ELSE Result(t, <<>>, Failed)

\* GC step 2b at a proposer: drop the cache, fast-forward past the tombstone, age.
Invalidate(s, k, tomb) ==
    [s EXCEPT !.caches[k] = NoCache, !.age = @ + 1,
              !.counter = IF GcWithoutFastForward THEN @ ELSE Max(@, CounterOf(tomb))]

Reconfigure(s, v) == [s EXCEPT !.view = v, !.caches = [k \in Key |-> NoCache]]

-----------------------------------------------------------------------------
(* The clients' proposers (proposer_step in models/src/caspaxos.rs): results [st, out]. *)

Begin(s, i) ==
    LET x == Script[i][s.done + 1]
    IN BeginChange(s, i, x.key, x.change)

\* A change ended: a configuration that arrived meanwhile takes effect and is confirmed; with
\* changes left the think timer is set, else what no longer matters is cleared.
Between(s, i) ==
    LET c == IF s.pending # <<>> /\ HasOp
             THEN [st |-> [Reconfigure(s, s.pending[1]) EXCEPT !.pending = <<>>],
                   out |-> Bcast({OpId}, Confirm("configured"))]
             ELSE [st |-> [s EXCEPT !.pending = <<>>], out |-> <<>>]
        t == c.st
    IN [st |-> IF t.done < ScriptLen(i) THEN [t EXCEPT !.timer = TRUE]
               ELSE [t EXCEPT !.counter = 0, !.caches = [k \in Key |-> NoCache], !.left = 0],
        out |-> c.out]

ClientReply(i, a, m) ==
    LET s == prop[i]
        x == Script[i][s.done + 1]
        r == OnReply(s, i, a, m, x.change)
    IN IF r.end = NoOutcome THEN [st |-> r.st, out |-> r.out]
       ELSE LET sched == IF r.end.kind = "acked" /\ x.change.op = "del" /\ HasOp /\ Gc
                         THEN Bcast({OpId}, ScheduleMsg(r.end.key, r.end.bal)) ELSE <<>>
                b == Between([r.st EXCEPT !.done = @ + 1, !.last = r.end], i)
            IN [st |-> b.st, out |-> r.out \o sched \o b.out]

ClientStep(i, src, m) ==
    LET s == prop[i] IN
    CASE m.type = "start" /\ ~s.on ->
            LET r == Begin([s EXCEPT !.on = TRUE, !.view = m.view], i)
            IN [st |-> r.st, out |-> Bcast({src}, Confirm("started")) \o r.out]
      [] ~s.on -> [st |-> s, out |-> <<>>]
      [] m.type = "configure" /\ s.phase = Idle ->
            [st |-> Reconfigure(s, m.view), out |-> Bcast({src}, Confirm("configured"))]
      [] m.type = "configure" -> [st |-> [s EXCEPT !.pending = <<m.view>>], out |-> <<>>]
      [] m.type = "invalidate" ->
            LET t == Invalidate(s, m.key, m.tomb)
            IN [st |-> t, out |-> Bcast({src}, InvalidatedMsg(t.age))]
      \* A change in flight is left with an unknown outcome.
      [] m.type = "stop" -> [st |-> [s EXCEPT !.on = FALSE, !.phase = Idle, !.pending = <<>>],
                             out |-> <<>>]
      [] m.type \in {"promise", "accepted", "nack"} /\ Awaits(s, src, m) -> ClientReply(i, src, m)
      [] OTHER -> [st |-> s, out |-> <<>>]

StartClient(i) ==
    IF AddProposer /\ i = P - 1 THEN [st |-> NewProposer(InitView, FALSE), out |-> <<>>]
    ELSE Begin(NewProposer(InitView, TRUE), i)

-----------------------------------------------------------------------------
(* The operator (models/src/caspaxos/operator.rs): results [op, p, out], p its proposer part.
   step is 0-based like the Rust model's; awaiting is a set of actors. *)

PIds(S) == {PId(i) : i \in S}
AcceptorsOf(v) == (v.prepare \cup v.accept) \cap Acceptor

\* Program::advance: runs steps until one has to wait.
RECURSIVE Advance(_, _, _)
Advance(o, s, out) ==
    IF o.awaiting # {} \/ s.phase # Idle \/ o.halted \/ o.step >= Len(Program)
    THEN [op |-> o, p |-> s, out |-> out]
    ELSE
    LET x == Program[o.step + 1]
        next == [o EXCEPT !.step = @ + 1]
    IN
    CASE x.kind = "configure" ->
            Advance([next EXCEPT !.view = x.view, !.awaiting = PIds(o.proposers)], s,
                    out \o Bcast(PIds(o.proposers), ConfigureMsg(x.view)))
      [] x.kind \in {"identity", "gcIdentity"} ->
            \* GC's 2a waits for every acceptor of the accept set.
            LET v == IF x.kind = "gcIdentity" THEN [o.view EXCEPT !.aq = Cardinality(o.view.accept)]
                     ELSE o.view
                r == BeginChange([s EXCEPT !.view = v], OpIndex, x.key, ReadChange)
            IN [op |-> [o EXCEPT !.retries = OperatorRetries], p |-> r.st, out |-> out \o r.out]
      [] x.kind = "awaitDelete" ->
            IF x.key \in o.scheduled THEN Advance(next, s, out) ELSE [op |-> o, p |-> s, out |-> out]
      [] x.kind = "gcProposers" ->
            LET t == Invalidate(s, x.key, o.tomb)
            IN Advance([next EXCEPT !.ages[OpIndex] = t.age, !.awaiting = PIds(o.proposers)], t,
                       out \o Bcast(PIds(o.proposers), InvalidateMsg(x.key, o.tomb)))
      [] x.kind = "gcAcceptors" ->
            Advance([next EXCEPT !.awaiting = AcceptorsOf(o.view)], s,
                    out \o Bcast(AcceptorsOf(o.view), SetAgesMsg(o.ages)))
      [] x.kind = "gcRemove" ->
            Advance([next EXCEPT !.awaiting = AcceptorsOf(o.view)], s,
                    out \o Bcast(AcceptorsOf(o.view), RemoveMsg(x.key, o.tomb)))
      [] x.kind = "addProposer" ->
            Advance([next EXCEPT !.proposers = @ \cup {x.i}, !.awaiting = {PId(x.i)}], s,
                    out \o Bcast({PId(x.i)}, StartMsg(o.view)))
      [] x.kind = "removeProposer" ->
            Advance([next EXCEPT !.proposers = @ \ {x.i}], s,
                    out \o Bcast({PId(x.i)}, StopMsg))

\* An identity change ended: retry it, or go on.
OnIdentity(o, s, end) ==
    LET x == Program[o.step + 1] IN
    IF end.kind = "acked"
    THEN [op |-> [o EXCEPT !.step = IF x.kind = "gcIdentity" /\ end.st # NoState
                                    THEN Len(Program) \* written again: nothing to collect
                                    ELSE @ + 1,
                           !.tomb = IF x.kind = "gcIdentity" THEN end.bal ELSE @],
          p |-> s, out |-> <<>>]
    \* Out of retries, the model's operator stops (the step would be rescheduled).
    ELSE IF o.retries = 0 THEN [op |-> [o EXCEPT !.halted = TRUE], p |-> s, out |-> <<>>]
    ELSE LET r == BeginChange(s, OpIndex, x.key, ReadChange)
         IN [op |-> [o EXCEPT !.retries = @ - 1], p |-> r.st, out |-> r.out]

OpStep(src, m) ==
    LET o == op
        s == prop[OpIndex]
    IN
    IF ~OpAwaits(o, s, src, m) THEN [op |-> o, p |-> s, out |-> <<>>]
    ELSE CASE m.type = "schedule" ->
                \* The GC's identity must outrank the tombstone: start past its ballot.
                Advance([o EXCEPT !.scheduled = @ \cup {m.key}],
                        [s EXCEPT !.counter = Max(@, CounterOf(m.bal))], <<>>)
           [] m.type = "invalidated" ->
                Advance([o EXCEPT !.ages[src - NA] = m.age, !.awaiting = @ \ {src}], s, <<>>)
           [] m.type \in {"configured", "started", "agesset", "removed"} ->
                Advance([o EXCEPT !.awaiting = @ \ {src}], s, <<>>)
           [] OTHER ->
                LET r == OnReply(s, OpIndex, src, m, ReadChange)
                IN IF r.end = NoOutcome THEN Advance(o, r.st, r.out)
                   ELSE LET d == OnIdentity(o, [r.st EXCEPT !.done = @ + 1, !.last = r.end], r.end)
                        IN Advance(d.op, d.p, r.out \o d.out)

InitOp ==
    Advance([view |-> InitView, step |-> 0, awaiting |-> {},
             proposers |-> {i \in Proposer : ~(AddProposer /\ i = P - 1)}, scheduled |-> {},
             ages |-> [i \in PIdx |-> 0], tomb |-> 0, retries |-> 0, halted |-> FALSE],
            NewProposer(InitView, TRUE), <<>>)

InitOut(i) == IF HasOp /\ i = OpIndex THEN InitOp.out ELSE StartClient(i).out

RECURSIVE SendFrom(_, _)
SendFrom(n, i) == IF i = NP THEN n ELSE SendFrom(SendAll(n, PId(i), InitOut(i)), i + 1)

Init ==
    /\ acc = [a \in Acceptor |-> [k \in Key |-> InitSlot]]
    /\ accAges = [a \in Acceptor |-> [i \in PIdx |-> 0]]
    /\ prop = [i \in PIdx |-> IF HasOp /\ i = OpIndex THEN InitOp.p ELSE StartClient(i).st]
    /\ op = InitOp.op
    /\ down = {}
    /\ net = Collect(SendFrom(Holding({}), 0), acc, accAges, prop, op)

-----------------------------------------------------------------------------
(* Steps. *)

AcceptorDoes(e, A, G, r) ==
    /\ acc' = A
    /\ accAges' = G
    /\ net' = Collect(Send(Consume(net, e), e.dst, {e.src}, r), A, G, prop, op)
    /\ UNCHANGED <<prop, op, down>>

AcceptorRecv(e) ==
    LET m == e.msg
        a == e.dst
        \* The GC's age check (§3.1 step 2c): a request from a proposer older than the age
        \* the GC recorded for it is rejected.
        TooOld(age) == AgesChecked /\ e.src >= NA /\ age < accAges[a][e.src - NA]
    IN
    CASE m.type = "prepare" ->
            LET s == acc[a][m.key] IN
            IF m.bal < s.promised \/ TooOld(m.age)
            THEN AcceptorDoes(e, acc, accAges, NackMsg(m.key, m.bal, s.promised))
            ELSE AcceptorDoes(e, [acc EXCEPT ![a][m.key].promised = m.bal], accAges,
                              PromiseMsg(m.key, m.bal, s.accepted))
      [] m.type = "accept" ->
            LET s == acc[a][m.key] IN
            IF (m.bal < s.promised /\ ~AcceptLowerBallot) \/ TooOld(m.age)
            THEN AcceptorDoes(e, acc, accAges, NackMsg(m.key, m.bal, s.promised))
            \* With OneRtt the accept carries the next prepare.
            ELSE AcceptorDoes(e, [acc EXCEPT ![a][m.key] =
                                     [promised |-> Max(s.promised,
                                                       IF m.next # 0 THEN m.next ELSE m.bal),
                                      accepted |-> [bal |-> m.bal, st |-> m.st]]],
                              accAges, AcceptedMsg(m.key, m.bal))
      [] m.type = "setages" ->
            LET old == accAges[a] IN
            AcceptorDoes(e, acc, [accAges EXCEPT ![a] = [i \in PIdx |-> Max(old[i], m.ages[i])]],
                         Confirm("agesset"))
      [] m.type = "remove" ->
            AcceptorDoes(e, IF acc[a][m.key].accepted = [bal |-> m.tomb, st |-> NoState]
                            THEN [acc EXCEPT ![a][m.key] = InitSlot] ELSE acc,
                         accAges, Confirm("removed"))

\* A delivery that changes nothing is no step, except that on the ordered network it takes
\* the message off its channel.
ProposerDoes(e, i, r) ==
    /\ Network = "ordered" \/ r.st # prop[i] \/ r.out # <<>>
    /\ prop' = [prop EXCEPT ![i] = r.st]
    /\ net' = Collect(SendAll(Consume(net, e), PId(i), r.out), acc, accAges, prop', op)
    /\ UNCHANGED <<acc, accAges, op, down>>

OperatorDoes(e, r) ==
    /\ Network = "ordered" \/ r.op # op \/ r.p # prop[OpIndex] \/ r.out # <<>>
    /\ op' = r.op
    /\ prop' = [prop EXCEPT ![OpIndex] = r.p]
    /\ net' = Collect(SendAll(Consume(net, e), OpId, r.out), acc, accAges, prop', op')
    /\ UNCHANGED <<acc, accAges, down>>

Deliver(e) ==
    /\ e.dst \notin down
    /\ CASE e.dst \in Acceptor -> AcceptorRecv(e)
         [] HasOp /\ e.dst = OpId -> OperatorDoes(e, OpStep(e.src, e.msg))
         [] OTHER -> ProposerDoes(e, e.dst - NA, ClientStep(e.dst - NA, e.src, e.msg))

\* The client's think timer fires: it submits its next change, if its proposer is on.
Think(i) ==
    /\ prop[i].timer
    /\ LET s == [prop[i] EXCEPT !.timer = FALSE]
           r == IF s.on /\ s.phase = Idle /\ s.done < ScriptLen(i) THEN Begin(s, i)
                ELSE [st |-> s, out |-> <<>>]
       IN /\ prop' = [prop EXCEPT ![i] = r.st]
          /\ net' = Collect(SendAll(net, PId(i), r.out), acc, accAges, prop', op)
    /\ UNCHANGED <<acc, accAges, op, down>>

\* A crashed acceptor restarts with what it saved, which is its state: nothing changes but
\* whether it is down.
Crash(a) ==
    /\ a \notin down
    /\ Cardinality(down) < MaxCrashes
    /\ down' = down \cup {a}
    /\ UNCHANGED <<acc, accAges, prop, op, net>>

Restart(a) ==
    /\ a \in down
    /\ down' = down \ {a}
    /\ UNCHANGED <<acc, accAges, prop, op, net>>

Next ==
    \/ \E e \in Deliverable(net) : Deliver(e)
    \/ \E i \in Proposer : Think(i)
    \/ \E a \in Acceptor : Crash(a) \/ Restart(a)

Spec == Init /\ [][Next]_vars

-----------------------------------------------------------------------------
(* Properties. *)

\* The changes submitted on key k, and the states they can make of x.
Submitted(k) == {x \in Proposer \X (1..6) : x[2] <= ScriptLen(x[1]) /\ Script[x[1]][x[2]].key = k}
NumChanges == [k \in Key |-> Cardinality(Submitted(k))]
Changes == [k \in Key |-> {Script[x[1]][x[2]].change : x \in Submitted(k)}]
NumChangesOn(k) == NumChanges[k]
ChangesOn(k) == Changes[k]
RECURSIVE ReachN(_, _, _)
ReachN(k, xs, n) ==
    IF n = 0 THEN xs ELSE ReachN(k, xs \cup {Apply(c, x) : x \in xs, c \in ChangesOn(k)}, n - 1)
Descends(k, x, y) == y \in ReachN(k, {x}, NumChangesOn(k))

\* Proposals acknowledged (the proposers' and the operator's last outcomes) and accepted, as
\* <<key, ballot, state>>.
AckedProposals == {<<prop[p].last.key, prop[p].last.bal, prop[p].last.st>> :
                      p \in {q \in PIdx : prop[q].last.kind = "acked"}}
AcceptedProposals == {<<k, acc[a][k].accepted.bal, acc[a][k].accepted.st>> : a \in Acceptor, k \in Key}
                     \ {<<k, 0, NoState>> : k \in Key}

\* The paper's theorem as far as the state tells it: a proposal above an acknowledged one
\* (accepted anywhere, or acknowledged) descends from it.
AckedKept ==
    \A x \in AckedProposals : \A y \in AckedProposals \cup AcceptedProposals :
        y[1] # x[1] \/ y[2] <= x[2] \/ Descends(x[1], x[3], y[3])

=============================================================================
