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
(* Encoding, chosen to match the Rust model one to one:                    *)
(*  - the scripts are a set of strings "<proposer letter><position>        *)
(*    <change>" in the syntax of worm's --changes ("A1 init=1",            *)
(*    "B1 k1:cas=0:2"), since TLC configurations have no sequences;        *)
(*  - proposer p (0..P-1) is actor N+p; ballot (counter c, proposer p) is  *)
(*    the integer c*P+p, which keeps the Rust order; 0 is no ballot (the   *)
(*    Rust None of an optional ballot: real ones have counters >= 1);      *)
(*  - a register state is [version, value], the empty state has version -1;*)
(*    a proposal is [bal, st], NoProposal (ballot 0) is below all others;  *)
(*  - the network is, by the constant Network, a function from channel to  *)
(*    sequence ("ordered"), a bag ("unordered") or a set ("duplicating").  *)
(*                                                                         *)
(* What the Rust state has and this spec leaves out, because it is         *)
(* constant or determined by the rest without a membership change or GC:   *)
(* ages (0), a proposer's view (all acceptors, the quorums), its on flag   *)
(* (TRUE) and pending view (none), an acceptor's storage (what it saved is *)
(* its state: it saves every change; None while the state is initial),     *)
(* and a proposer's think timer (set exactly when it is idle with changes  *)
(* left: the step Think).                                                  *)
(*                                                                         *)
(* After every step, messages whose delivery can never change anything are *)
(* removed, as the Rust model's collect_dead_messages does.                *)
(*                                                                         *)
(* The named bugs of the Rust model that concern the core are BOOLEAN      *)
(* constants; the membership-change and GC bugs need the operator, which   *)
(* this spec does not describe (see tla/README.md).  The property is       *)
(* AckedKept: a proposal accepted or acknowledged at a ballot above an     *)
(* acknowledged one holds a state the changes can produce from it.  Module *)
(* CASPaxosChain adds a ghost record of the acknowledged chain and checks  *)
(* that the protocol refines CASRegister.                                  *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets, TLC

CONSTANTS
    N,             \* acceptors
    Scripts,       \* the changes each proposer's client submits (see above)
    Attempts,      \* prepare attempts per change
    OneRtt,        \* the one-round-trip optimisation
    PrepareQuorum,
    AcceptQuorum,
    MaxCrashes,    \* acceptors down at once
    Network,       \* "ordered", "unordered" or "duplicating"
    \* The named bugs of the core (see CasBug in models/src/caspaxos/model.rs).
    PickLowestBallot,  \* a proposer builds on the lowest-ballot state it was sent
    AcceptLowerBallot  \* an acceptor accepts a ballot below its promise

ASSUME /\ N \in 1..5 /\ Attempts \in 1..3 /\ MaxCrashes \in 0..N
       /\ PrepareQuorum \in 1..N /\ AcceptQuorum \in 1..N /\ PrepareQuorum + AcceptQuorum > N
       /\ Network \in {"ordered", "unordered", "duplicating"}
       /\ {OneRtt, PickLowestBallot, AcceptLowerBallot} \subseteq BOOLEAN

Max(x, y) == IF x >= y THEN x ELSE y
Min(x, y) == IF x <= y THEN x ELSE y

Acceptor == 0..N-1
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
ScriptLen(p) == Cardinality({e \in Parsed : e[1] = p})
\* Script[p][i]: the i-th change of proposer p, as [key, change].
Script == [p \in Proposer |->
             [i \in 1..ScriptLen(p) |->
                LET e == CHOOSE e \in Parsed : e[1] = p /\ e[2] = i
                IN [key |-> e[3], change |-> e[4]]]]

ASSUME /\ Cardinality(Parsed) = Cardinality(Scripts)
       /\ \A p \in Proposer : ScriptLen(p) >= 1 /\ \A i \in 1..ScriptLen(p) :
              \E e \in Parsed : e[1] = p /\ e[2] = i

Bal(c, p) == c * P + p
CounterOf(b) == b \div P

NoProposal == [bal |-> 0, st |-> NoState]
\* Proposals compare by ballot: one ballot carries one state.
PMax(p, q) == IF p.bal >= q.bal THEN p ELSE q
PMin(p, q) == IF p.bal <= q.bal THEN p ELSE q

-----------------------------------------------------------------------------
(* Messages and the network (as in Wor.tla). *)

PrepareMsg(k, b) == [type |-> "prepare", key |-> k, bal |-> b]
PromiseMsg(k, b, p) == [type |-> "promise", key |-> k, bal |-> b, prop |-> p]
\* next: the piggybacked prepare of OneRtt, or 0.
AcceptMsg(k, b, st, next) == [type |-> "accept", key |-> k, bal |-> b, st |-> st, next |-> next]
AcceptedMsg(k, b) == [type |-> "accepted", key |-> k, bal |-> b]
NackMsg(k, b, promised) == [type |-> "nack", key |-> k, bal |-> b, promised |-> promised]

Env(src, dst, m) == [src |-> src, dst |-> dst, msg |-> m]

PId(p) == N + p
Channel == {<<PId(p), a>> : p \in Proposer, a \in Acceptor}
           \cup {<<a, PId(p)>> : a \in Acceptor, p \in Proposer}
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
PreparePhase(k, b, promises, picked) ==
    [kind |-> "prepare", key |-> k, bal |-> b, promises |-> promises, picked |-> picked]
\* parent: the ballot of the proposal st was computed from, or 0 (a ghost of the Rust model,
\* part of its state, kept here to describe the same states).
AcceptPhase(k, b, st, next, accepts, parent) ==
    [kind |-> "accept", key |-> k, bal |-> b, st |-> st, next |-> next, accepts |-> accepts,
     parent |-> parent]

NoCache == [promised |-> 0, accepted |-> 0, st |-> NoState]
NoOutcome == [kind |-> "none"]
Acked(k, b, st) == [kind |-> "acked", key |-> k, bal |-> b, st |-> st]
Failed == [kind |-> "failed"]
Unknown == [kind |-> "unknown"]

\* Would a proposer in state s act on m from acceptor a?  Its ballots only grow and a phase
\* listens only to its own ballot, so a reply ignored now stays ignored.
Awaits(s, a, m) ==
    LET ph == s.phase IN
    /\ ph.kind # "idle"
    /\ m.key = ph.key /\ m.bal = ph.bal
    /\ \/ ph.kind = "prepare" /\ m.type = "promise" /\ a \notin ph.promises
       \/ ph.kind = "accept" /\ m.type = "accepted" /\ a \notin ph.accepts
       \/ m.type = "nack"

-----------------------------------------------------------------------------
VARIABLES
    acc,   \* acc[a][k]: acceptor a's promise and accepted proposal for key k
    prop,  \* prop[p]: proposer p's counter, caches, changes done, attempts left, phase, outcome
    down,  \* the acceptors that are down
    net    \* the messages in flight

vars == <<acc, prop, down, net>>

InitSlot == [promised |-> 0, accepted |-> NoProposal]

\* Can delivering e ever change anything, given acceptor states A and proposer states S?
Live(A, S, e) ==
    LET m == e.msg IN
    IF /\ e.dst \in Acceptor
       /\ m.type = "prepare" \/ (m.type = "accept" /\ ~AcceptLowerBallot)
       /\ m.bal < A[e.dst][m.key].promised
    THEN Awaits(S[e.src - N], e.dst, NackMsg(m.key, m.bal, 0))
    ELSE e.dst \in Acceptor \/ Awaits(S[e.dst - N], e.src, m)

Collect(n, A, S) == Retain(n, LAMBDA e : Live(A, S, e))

\* A proposer step: its new state and the message it broadcasts to every acceptor (or NoMsg).
NoMsg == [type |-> "none"]
Step(s, m) == [st |-> s, out |-> m]

\* Starts (or retries) the change c on key k: with a cached promise, the accept at once.
Start(s, p, k, c) ==
    IF s.caches[k] # NoCache
    THEN LET cache == s.caches[k]
             st == Apply(c, cache.st)
             next == Bal(s.counter + 1, p)
         IN Step([s EXCEPT !.caches[k] = NoCache, !.counter = @ + 1,
                           !.phase = AcceptPhase(k, cache.promised, st, next, {},
                                                 cache.accepted)],
                 AcceptMsg(k, cache.promised, st, next))
    ELSE LET b == Bal(s.counter + 1, p)
         IN Step([s EXCEPT !.counter = @ + 1, !.phase = PreparePhase(k, b, {}, NoProposal)],
                 PrepareMsg(k, b))

Begin(s, p) ==
    LET x == Script[p][s.done + 1]
    IN Start([s EXCEPT !.left = Attempts - 1], p, x.key, x.change)

\* A change ended with outcome r: once the script is done, what no longer matters is cleared.
Finish(s, p, r) ==
    LET t == [s EXCEPT !.done = @ + 1, !.last = r, !.phase = Idle]
    IN IF t.done < ScriptLen(p) THEN t
       ELSE [t EXCEPT !.counter = 0, !.caches = [k \in Key |-> NoCache], !.left = 0]

ProposerStep(p, a, m) ==
    LET s == prop[p]
        ph == s.phase
        c == Script[p][s.done + 1].change
    IN
    IF ~Awaits(s, a, m) THEN Step(s, NoMsg)
    ELSE IF m.type = "promise"
    THEN LET picked == IF ph.promises = {} THEN m.prop
                       ELSE IF PickLowestBallot THEN PMin(ph.picked, m.prop)
                       ELSE PMax(ph.picked, m.prop)
             promises == ph.promises \cup {a}
         IN IF Cardinality(promises) < PrepareQuorum
            THEN Step([s EXCEPT !.phase = PreparePhase(ph.key, ph.bal, promises, picked)], NoMsg)
            ELSE LET st == Apply(c, picked.st)
                     next == IF OneRtt THEN Bal(s.counter + 1, p) ELSE 0
                 IN Step([s EXCEPT !.counter = IF OneRtt THEN @ + 1 ELSE @,
                                   !.phase = AcceptPhase(ph.key, ph.bal, st, next, {},
                                                         picked.bal)],
                         AcceptMsg(ph.key, ph.bal, st, next))
    ELSE IF m.type = "accepted"
    THEN LET accepts == ph.accepts \cup {a}
         IN IF Cardinality(accepts) < AcceptQuorum
            THEN Step([s EXCEPT !.phase.accepts = accepts], NoMsg)
            \* Confirmations from a prepare quorum stand for the next change's prepare.
            ELSE LET cached == IF ph.next # 0 /\ Cardinality(accepts) >= PrepareQuorum
                               THEN [s EXCEPT !.caches[ph.key] =
                                        [promised |-> ph.next, accepted |-> ph.bal,
                                         st |-> ph.st]]
                               ELSE s
                 IN Step(Finish(cached, p, Acked(ph.key, ph.bal, ph.st)), NoMsg)
    \* A nack: fast-forward past the ballot that won.
    ELSE LET t == [s EXCEPT !.counter = Max(@, CounterOf(m.promised)),
                            !.caches[ph.key] = NoCache, !.phase = Idle]
         IN IF ph.kind = "accept" THEN Step(Finish(t, p, Unknown), NoMsg)
            ELSE IF s.left > 0 THEN Start([t EXCEPT !.left = @ - 1], p, ph.key, c)
            ELSE Step(Finish(t, p, Failed), NoMsg)

StartProposer(p) == Begin([counter |-> 0, caches |-> [k \in Key |-> NoCache], done |-> 0,
                           left |-> 0, phase |-> Idle, last |-> NoOutcome], p)

Init ==
    /\ acc = [a \in Acceptor |-> [k \in Key |-> InitSlot]]
    /\ prop = [p \in Proposer |-> StartProposer(p).st]
    /\ down = {}
    /\ net = Collect(Holding({Env(PId(p), a, StartProposer(p).out) : p \in Proposer,
                                                                   a \in Acceptor}),
                     acc, prop)

-----------------------------------------------------------------------------
(* Steps. *)

AcceptorDoes(e, slot, r) ==
    /\ acc' = [acc EXCEPT ![e.dst][e.msg.key] = slot]
    /\ net' = Collect(Send(Consume(net, e), e.dst, {e.src}, r), acc', prop)
    /\ UNCHANGED <<prop, down>>

AcceptorRecv(e) ==
    LET m == e.msg
        s == acc[e.dst][m.key]
    IN
    IF m.type = "prepare"
    THEN IF m.bal < s.promised
         THEN AcceptorDoes(e, s, NackMsg(m.key, m.bal, s.promised))
         ELSE AcceptorDoes(e, [s EXCEPT !.promised = m.bal], PromiseMsg(m.key, m.bal, s.accepted))
    ELSE IF m.bal < s.promised /\ ~AcceptLowerBallot
    THEN AcceptorDoes(e, s, NackMsg(m.key, m.bal, s.promised))
    \* With OneRtt the accept carries the next prepare.
    ELSE AcceptorDoes(e, [promised |-> Max(s.promised, IF m.next # 0 THEN m.next ELSE m.bal),
                          accepted |-> [bal |-> m.bal, st |-> m.st]],
                      AcceptedMsg(m.key, m.bal))

\* The proposer takes e; its new state r.st, and r.out to every acceptor.
ProposerDoes(e, p, r) ==
    LET to == IF r.out = NoMsg THEN {} ELSE Acceptor IN
    \* A delivery that changes nothing is no step, except that on the ordered network it
    \* takes the message off its channel.
    /\ Network = "ordered" \/ r.st # prop[p] \/ to # {}
    /\ prop' = [prop EXCEPT ![p] = r.st]
    /\ net' = Collect(Send(Consume(net, e), PId(p), to, r.out), acc, prop')
    /\ UNCHANGED <<acc, down>>

Deliver(e) ==
    /\ e.dst \notin down
    /\ IF e.dst \in Acceptor THEN AcceptorRecv(e)
       ELSE ProposerDoes(e, e.dst - N, ProposerStep(e.dst - N, e.src, e.msg))

\* The client submits its next change (the Rust model's think timer fires).
Think(p) ==
    /\ prop[p].phase = Idle
    /\ prop[p].done < ScriptLen(p)
    /\ LET r == Begin(prop[p], p)
       IN /\ prop' = [prop EXCEPT ![p] = r.st]
          /\ net' = Collect(Send(net, PId(p), Acceptor, r.out), acc, prop')
    /\ UNCHANGED <<acc, down>>

\* A crashed acceptor restarts with what it saved, which is its state: nothing changes but
\* whether it is down.
Crash(a) ==
    /\ a \notin down
    /\ Cardinality(down) < MaxCrashes
    /\ down' = down \cup {a}
    /\ UNCHANGED <<acc, prop, net>>

Restart(a) ==
    /\ a \in down
    /\ down' = down \ {a}
    /\ UNCHANGED <<acc, prop, net>>

Next ==
    \/ \E e \in Deliverable(net) : Deliver(e)
    \/ \E p \in Proposer : Think(p)
    \/ \E a \in Acceptor : Crash(a) \/ Restart(a)

Spec == Init /\ [][Next]_vars

-----------------------------------------------------------------------------
(* Properties. *)

\* The changes submitted on key k, and the states they can make of x.
Submitted(k) == {x \in Proposer \X (1..6) : x[2] <= ScriptLen(x[1]) /\ Script[x[1]][x[2]].key = k}
NumChangesOn(k) == Cardinality(Submitted(k))
ChangesOn(k) == {Script[x[1]][x[2]].change : x \in Submitted(k)}
RECURSIVE ReachN(_, _, _)
ReachN(k, xs, n) ==
    IF n = 0 THEN xs ELSE ReachN(k, xs \cup {Apply(c, x) : x \in xs, c \in ChangesOn(k)}, n - 1)
Descends(k, x, y) == y \in ReachN(k, {x}, NumChangesOn(k))

\* Proposals acknowledged (the proposers' last outcomes) and accepted, as <<key, ballot, state>>.
AckedProposals == {<<prop[p].last.key, prop[p].last.bal, prop[p].last.st>> :
                      p \in {q \in Proposer : prop[q].last.kind = "acked"}}
AcceptedProposals == {<<k, acc[a][k].accepted.bal, acc[a][k].accepted.st>> : a \in Acceptor, k \in Key}
                     \ {<<k, 0, NoState>> : k \in Key}

\* The paper's theorem as far as the state tells it: a proposal above an acknowledged one
\* (accepted anywhere, or acknowledged) descends from it.
AckedKept ==
    \A x \in AckedProposals : \A y \in AckedProposals \cup AcceptedProposals :
        y[1] # x[1] \/ y[2] <= x[2] \/ Descends(x[1], x[3], y[3])

=============================================================================
