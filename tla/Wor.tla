-------------------------------- MODULE Wor --------------------------------
(***************************************************************************)
(* The write-once register (WOR) as single-shot Paxos: the protocol of     *)
(* models/src/wor.rs, written so that TLC explores exactly the state       *)
(* machine of the stateright model's mirror mode (models/src/wor/          *)
(* mirror.rs): the same variables, the same steps, no history.             *)
(*                                                                         *)
(* Acceptors 0..N-1 keep a promise and an accepted proposal, and save both *)
(* to their disk before they answer.  Clients N.. are writers (capture,    *)
(* that is Paxos phase 1, retried with a higher round on a nack while      *)
(* they have attempts left; then write, phase 2) and readers (read a       *)
(* quorum; if the quorum disagrees, complete the highest proposal seen     *)
(* with a capture and a write at the read's own ballot).                   *)
(*                                                                         *)
(* Encoding, chosen to match the Rust model one to one:                    *)
(*  - client i (0..K-1) is actor N+i; its value, when it writes, is i      *)
(*    (the Rust model's letter 'A'+i); NoValue is -1;                      *)
(*  - ballot (round r, client i) is the integer r*K+i, so that integer     *)
(*    order is the Rust order (round, then client); 0 is no ballot;        *)
(*  - a proposal is [bal, val]; NoProposal (ballot 0) is below all others; *)
(*  - the network is, by the constant Network, a function from channel to  *)
(*    sequence ("ordered", per-channel FIFO), a bag of envelopes           *)
(*    ("unordered"), or a set ("duplicating": delivery keeps the message). *)
(*                                                                         *)
(* After every step, messages whose delivery can never change anything are *)
(* removed (the Rust model's collect_dead_messages): replies their client  *)
(* no longer awaits, reads of a read that moved on, and requests below the *)
(* acceptor's promise whose nack nobody awaits (only while promises never  *)
(* go down and accepts respect them).                                      *)
(*                                                                         *)
(* Each named bug of the Rust model is a BOOLEAN constant that switches    *)
(* the same mistake on.  The properties are those a protocol state can     *)
(* tell by itself: Agreement (clients learn one value), LearnedIsHeld (a   *)
(* majority holds every learned value), and refinement of Consensus with   *)
(* chosen mapped to the values clients learned.  Module WorVotes adds a    *)
(* ghost record of votes and checks that the protocol refines WorSpec.     *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets

CONSTANTS
    N,          \* acceptors
    Writers,    \* clients that capture, then write their value
    Readers,    \* clients that read once
    Captures,   \* capture attempts per writer
    MaxCrashes, \* acceptors down at once
    Network,    \* "ordered", "unordered" or "duplicating"
    Lossy,      \* the network may lose messages
    \* The named bugs (see WorBug in models/src/wor/model.rs).
    ForgetPromise,       \* the promise is not saved to disk
    AcceptLowerBallot,   \* an acceptor accepts a ballot below its promise
    IgnoreAcceptedValue, \* a capturer writes its own value, not the highest accepted
    MinorityQuorum,      \* quorums of N \div 2 acceptors
    ReadNoComplete       \* a read returns a minority value without completing it

ASSUME /\ N \in 2..7 /\ Writers \in 1..4 /\ Readers \in 0..2 /\ Captures \in 1..3
       /\ MaxCrashes \in 0..N
       /\ Network \in {"ordered", "unordered", "duplicating"}
       /\ {Lossy, ForgetPromise, AcceptLowerBallot, IgnoreAcceptedValue,
           MinorityQuorum, ReadNoComplete} \subseteq BOOLEAN

Max(x, y) == IF x >= y THEN x ELSE y

Acceptor == 0..N-1
K == Writers + Readers
Client == N..N+K-1
Index(c) == c - N
IsWriter(c) == Index(c) < Writers

Majority == N \div 2 + 1
Quorum == IF MinorityQuorum THEN Max(N \div 2, 1) ELSE Majority

Bal(r, i) == r * K + i
RoundOf(b) == b \div K
\* Every ballot a client can use: a writer uses one round per capture attempt, a reader one.
MaxRound == Writers * Captures + Readers
Ballot == {Bal(r, i) : r \in 1..MaxRound, i \in 0..K-1}

Value == 0..Writers-1
NoValue == -1
NoProposal == [bal |-> 0, val |-> NoValue]
\* The larger of two proposals, ordered by ballot, then value (None is the smallest).
PMax(p, q) == IF p.bal > q.bal \/ (p.bal = q.bal /\ p.val >= q.val) THEN p ELSE q

-----------------------------------------------------------------------------
(* Messages and the network. *)

PrepareMsg(b) == [type |-> "prepare", bal |-> b]
PromiseMsg(b, p) == [type |-> "promise", bal |-> b, prop |-> p]
AcceptMsg(b, v) == [type |-> "accept", bal |-> b, val |-> v]
AcceptedMsg(b) == [type |-> "accepted", bal |-> b]
NackMsg(b, promised) == [type |-> "nack", bal |-> b, promised |-> promised]
ReadMsg(b) == [type |-> "read", bal |-> b]
ReadReplyMsg(b, p) == [type |-> "readreply", bal |-> b, prop |-> p]

Env(src, dst, m) == [src |-> src, dst |-> dst, msg |-> m]

Channel == {<<c, a>> : c \in Client, a \in Acceptor} \cup {<<a, c>> : a \in Acceptor, c \in Client}
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

\* A bag without one copy of e.
BagLess(net, e) ==
    IF net[e] = 1 THEN [x \in DOMAIN net \ {e} |-> net[x]] ELSE [net EXCEPT ![e] = @ - 1]

\* The envelopes that can be delivered: the head of each channel, or any message.
Deliverable(net) ==
    CASE Network = "ordered" ->
            {Env(ch[1], ch[2], Head(net[ch])) : ch \in {ch \in Channel : net[ch] # <<>>}}
      [] Network = "unordered" -> DOMAIN net
      [] Network = "duplicating" -> net

\* The network after delivering e: a duplicating network keeps it.
Consume(net, e) ==
    CASE Network = "ordered" -> [net EXCEPT ![Chan(e)] = Tail(@)]
      [] Network = "unordered" -> BagLess(net, e)
      [] Network = "duplicating" -> net

\* Every envelope in flight.
InFlight(net) ==
    CASE Network = "ordered" ->
            UNION {{Env(ch[1], ch[2], net[ch][i]) : i \in 1..Len(net[ch])} : ch \in Channel}
      [] Network = "unordered" -> DOMAIN net
      [] Network = "duplicating" -> net

\* The network after losing (the first copy in its channel of) e.
Lose(net, e) ==
    CASE Network = "ordered" ->
            LET s == net[Chan(e)]
                i == CHOOSE i \in 1..Len(s) : s[i] = e.msg /\ \A j \in 1..i-1 : s[j] # e.msg
            IN [net EXCEPT ![Chan(e)] = SubSeq(s, 1, i-1) \o SubSeq(s, i+1, Len(s))]
      [] Network = "unordered" -> BagLess(net, e)
      [] Network = "duplicating" -> net \ {e}

\* The network without the envelopes for which Live is false.
Retain(net, Live(_)) ==
    CASE Network = "ordered" ->
            [ch \in Channel |-> LET Keep(m) == Live(Env(ch[1], ch[2], m))
                                IN SelectSeq(net[ch], Keep)]
      [] Network = "unordered" -> [e \in {x \in DOMAIN net : Live(x)} |-> net[e]]
      [] Network = "duplicating" -> {e \in net : Live(e)}

-----------------------------------------------------------------------------
(* Client states. *)

PreparePhase(b, promises, highest, completing) ==
    [kind |-> "prepare", bal |-> b, promises |-> promises, highest |-> highest,
     completing |-> completing]  \* completing: the value a read completes, or NoValue
AcceptPhase(b, v, accepts, completing) ==
    [kind |-> "accept", bal |-> b, val |-> v, accepts |-> accepts, completing |-> completing]
ReadPhase(b, replies, highest, unanimous) ==
    [kind |-> "read", bal |-> b, replies |-> replies, highest |-> highest, unanimous |-> unanimous]
Done == [kind |-> "done"]

\* What an operation returned (the Rust model's WorRet): arg is a ballot, a value or NoValue.
Ret(kind, arg) == [kind |-> kind, arg |-> arg]

\* Would a client in state s act on m from acceptor a?  Its ballots and phases never go
\* back, so a message it ignores now stays ignored.
Awaits(s, a, m) ==
    LET ph == s.phase IN
    \/ ph.kind = "prepare" /\ m.type = "promise" /\ m.bal = ph.bal /\ a \notin ph.promises
    \/ ph.kind = "accept" /\ m.type = "accepted" /\ m.bal = ph.bal /\ a \notin ph.accepts
    \/ ph.kind \in {"prepare", "accept"} /\ m.type = "nack" /\ m.bal = ph.bal
    \/ ph.kind = "read" /\ m.type = "readreply" /\ m.bal = ph.bal /\ a \notin ph.replies

-----------------------------------------------------------------------------
VARIABLES
    acc,   \* acc[a]: acceptor a's promise and accepted proposal (kept while a is down)
    disk,  \* disk[a]: what a last saved, which a restart reloads
    down,  \* the acceptors that are down
    cli,   \* cli[c]: client c's round, attempts left, phase and results
    net    \* the messages in flight

vars == <<acc, disk, down, cli, net>>

InitAcceptor == [promised |-> 0, accepted |-> NoProposal]

\* Can delivering e ever change anything, given acceptor states A and client states C?
Live(A, C, e) ==
    LET m == e.msg IN
    IF m.type = "read"
    THEN Awaits(C[e.src], e.dst, ReadReplyMsg(m.bal, NoProposal))
    ELSE IF /\ m.type \in {"prepare", "accept"}
            /\ ~ForgetPromise
            /\ m.type = "prepare" \/ ~AcceptLowerBallot
            /\ m.bal < A[e.dst].promised
    THEN Awaits(C[e.src], e.dst, NackMsg(m.bal, 0))
    ELSE e.dst \in Acceptor \/ Awaits(C[e.dst], e.src, m)

Collect(n, A, C) == Retain(n, LAMBDA e : Live(A, C, e))

StartClient(c) ==
    IF IsWriter(c)
    THEN [round |-> 1, left |-> Captures - 1, results |-> <<>>,
          phase |-> PreparePhase(Bal(1, Index(c)), {}, NoProposal, NoValue)]
    ELSE [round |-> 1, left |-> Captures, results |-> <<>>,
          phase |-> ReadPhase(Bal(1, Index(c)), {}, NoProposal, TRUE)]

FirstMessage(c) ==
    IF IsWriter(c) THEN PrepareMsg(Bal(1, Index(c))) ELSE ReadMsg(Bal(1, Index(c)))

Init ==
    /\ acc = [a \in Acceptor |-> InitAcceptor]
    /\ disk = acc
    /\ down = {}
    /\ cli = [c \in Client |-> StartClient(c)]
    /\ net = Collect(Holding({Env(c, a, FirstMessage(c)) : c \in Client, a \in Acceptor}),
                     acc, cli)

-----------------------------------------------------------------------------
(* Steps. *)

\* The acceptor takes e, moves to state t, saves d, and replies r.
AcceptorDoes(e, t, d, r) ==
    /\ acc' = [acc EXCEPT ![e.dst] = t]
    /\ disk' = [disk EXCEPT ![e.dst] = d]
    /\ net' = Collect(Send(Consume(net, e), e.dst, {e.src}, r), acc', cli)
    /\ UNCHANGED <<down, cli>>

AcceptorRecv(e) ==
    LET a == e.dst
        m == e.msg
        s == acc[a]
    IN
    IF m.type = "prepare" /\ m.bal >= s.promised
    THEN LET t == [s EXCEPT !.promised = m.bal]
         IN AcceptorDoes(e, t, IF ForgetPromise THEN disk[a] ELSE t,
                         PromiseMsg(m.bal, s.accepted))
    ELSE IF m.type = "accept" /\ (m.bal >= s.promised \/ AcceptLowerBallot)
    THEN LET t == [promised |-> Max(m.bal, s.promised),
                   accepted |-> [bal |-> m.bal, val |-> m.val]]
         IN AcceptorDoes(e, t, t, AcceptedMsg(m.bal))
    ELSE IF m.type \in {"prepare", "accept"}
    THEN AcceptorDoes(e, s, disk[a], NackMsg(m.bal, s.promised))
    ELSE AcceptorDoes(e, s, disk[a], ReadReplyMsg(m.bal, s.accepted))

\* A finished operation: the counters no longer matter and are cleared.
Finish(s, r) == [round |-> 0, left |-> 0, phase |-> Done, results |-> Append(s.results, r)]

\* A (new) capture attempt after round r.
Recapture(s, c, r) ==
    [s EXCEPT !.round = r + 1, !.left = @ - 1,
              !.phase = PreparePhase(Bal(r + 1, Index(c)), {}, NoProposal, NoValue)]

\* Client c's step on m from acceptor a: its new state and the message it broadcasts
\* (or NoMsg).  Replies it does not await leave it as it was.
NoMsg == [type |-> "none"]
Step(s, m) == [st |-> s, out |-> m]

ClientStep(c, a, m) ==
    LET s == cli[c]
        ph == s.phase
        i == Index(c)
    IN
    IF ph.kind = "prepare" /\ m.type = "promise" /\ m.bal = ph.bal /\ a \notin ph.promises
    THEN LET promises == ph.promises \cup {a}
             highest == PMax(ph.highest, m.prop)
             \* Finish the highest accepted proposal, if any: the rule that keeps Paxos safe.
             v == IF ph.completing = NoValue /\ IgnoreAcceptedValue THEN i
                  ELSE IF highest # NoProposal THEN highest.val
                  ELSE IF ph.completing # NoValue THEN ph.completing
                  ELSE i
             results == IF ph.completing = NoValue
                        THEN Append(s.results, Ret("captured", ph.bal)) ELSE s.results
         IN IF Cardinality(promises) < Quorum
            THEN Step([s EXCEPT !.phase = PreparePhase(ph.bal, promises, highest,
                                                          ph.completing)], NoMsg)
            ELSE Step([s EXCEPT !.results = results,
                                !.phase = AcceptPhase(ph.bal, v, {}, ph.completing # NoValue)],
                      AcceptMsg(ph.bal, v))
    ELSE IF ph.kind = "prepare" /\ ph.completing = NoValue /\ m.type = "nack" /\ m.bal = ph.bal
    THEN LET r == Max(s.round, RoundOf(m.promised))
         IN IF s.left > 0
            THEN Step(Recapture(s, c, r), PrepareMsg(Bal(r + 1, i)))
            ELSE Step(Finish(s, Ret("capture-failed", NoValue)), NoMsg)
    ELSE IF ph.kind = "accept" /\ m.type = "accepted" /\ m.bal = ph.bal /\ a \notin ph.accepts
    THEN LET accepts == ph.accepts \cup {a}
         IN IF Cardinality(accepts) < Quorum
            THEN Step([s EXCEPT !.phase.accepts = accepts], NoMsg)
            ELSE Step(Finish(s, IF ph.completing THEN Ret("read", ph.val)
                                ELSE Ret("written", ph.val)), NoMsg)
    ELSE IF ph.kind = "accept" /\ m.type = "nack" /\ m.bal = ph.bal
    \* A stolen write has an unknown outcome; a stolen completion, no answer.
    THEN Step(Finish(s, IF ph.completing THEN Ret("read-failed", NoValue)
                        ELSE Ret("unknown", ph.val)), NoMsg)
    ELSE IF ph.kind = "prepare" /\ m.type = "nack" /\ m.bal = ph.bal
    THEN Step(Finish(s, Ret("read-failed", NoValue)), NoMsg)
    ELSE IF ph.kind = "read" /\ m.type = "readreply" /\ m.bal = ph.bal /\ a \notin ph.replies
    THEN LET replies == ph.replies \cup {a}
             unanimous == Cardinality(replies) = 1 \/ (ph.unanimous /\ m.prop = ph.highest)
             highest == PMax(ph.highest, m.prop)
         IN IF Cardinality(replies) < Quorum
            THEN Step([s EXCEPT !.phase = ReadPhase(ph.bal, replies, highest, unanimous)], NoMsg)
            \* A quorum agrees: this proposal (or nothing) is chosen.
            ELSE IF unanimous \/ ReadNoComplete
            THEN Step(Finish(s, Ret("read", highest.val)), NoMsg)
            \* Complete it with a capture and a write at the read's ballot.
            ELSE Step([s EXCEPT !.phase = PreparePhase(ph.bal, {}, NoProposal, highest.val)],
                      PrepareMsg(ph.bal))
    ELSE Step(s, NoMsg)

ClientRecv(e) ==
    LET c == e.dst
        r == ClientStep(c, e.src, e.msg)
        to == IF r.out = NoMsg THEN {} ELSE Acceptor
    IN
    \* A delivery that changes nothing is no step, except that on the ordered network it
    \* takes the message off its channel.
    /\ Network = "ordered" \/ r.st # cli[c] \/ to # {}
    /\ cli' = [cli EXCEPT ![c] = r.st]
    /\ net' = Collect(Send(Consume(net, e), c, to, r.out), acc, cli')
    /\ UNCHANGED <<acc, disk, down>>

Deliver(e) ==
    /\ e.dst \notin down
    /\ IF e.dst \in Acceptor THEN AcceptorRecv(e) ELSE ClientRecv(e)

\* A crashed acceptor keeps its state, unused, until it restarts; messages to it wait.
\* (No message dies: liveness depends on states, and none changed.)
Crash(a) ==
    /\ a \notin down
    /\ Cardinality(down) < MaxCrashes
    /\ down' = down \cup {a}
    /\ UNCHANGED <<acc, disk, cli, net>>

\* A restarted acceptor has exactly what it saved.
Restart(a) ==
    /\ a \in down
    /\ down' = down \ {a}
    /\ acc' = [acc EXCEPT ![a] = disk[a]]
    /\ net' = Collect(net, acc', cli)
    /\ UNCHANGED <<disk, cli>>

LoseMsg(e) ==
    /\ Lossy
    /\ net' = Lose(net, e)
    /\ UNCHANGED <<acc, disk, down, cli>>

Next ==
    \/ \E e \in Deliverable(net) : Deliver(e)
    \/ \E a \in Acceptor : Crash(a) \/ Restart(a)
    \/ \E e \in InFlight(net) : LoseMsg(e)

Spec == Init /\ [][Next]_vars

-----------------------------------------------------------------------------
(* Properties. *)

\* The values clients have been told: by a write, or by a read that found one.
Learned == {r.arg : r \in {r \in UNION {{cli[c].results[j] : j \in DOMAIN cli[c].results} :
                                          c \in Client} :
                             r.kind \in {"written", "read"} /\ r.arg # NoValue}}

Agreement == Cardinality(Learned) <= 1

\* A learned value was chosen: a majority accepted it at one ballot, and every proposal at a
\* higher ballot carries it (the highest-accepted-value rule), so each acceptor of that
\* majority holds it for ever.  Stronger than Agreement, and violated as soon as a client
\* learns a value that was not chosen.
LearnedIsHeld ==
    \A v \in Learned : Cardinality({a \in Acceptor : acc[a].accepted.val = v}) >= Majority

\* What the clients learn is what Consensus chooses: nothing, then one value, forever.
C == INSTANCE Consensus WITH chosen <- Learned
LearnedRefinesConsensus == C!Spec

=============================================================================
