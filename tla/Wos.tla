-------------------------------- MODULE Wos --------------------------------
(***************************************************************************)
(* Write-once segments (WOS): WormSpace's address space over WORs, the     *)
(* protocol of models/src/wos.rs.                                          *)
(*                                                                         *)
(* Segment s has a metadata WOR (offset 0), a trim WOR (1) and SegmentSize *)
(* data WORs (2..); it lives on partition s % Partitions, a replica set of *)
(* Acceptors acceptors, each keeping per address the single-shot Paxos     *)
(* state of that WOR (the acceptor half of Wor.tla, run per address a      *)
(* message names) and a tombstone per segment.  Clients run fixed scripts: *)
(*  - a writer allocates its segment (captures and writes the metadata WOR *)
(*    with its letter); if it won, it batch-captures every data WOR with   *)
(*    ONE Prepare per replica naming them all (a nack on any WOR steals    *)
(*    the whole batch, which retries or gives up), then batch-writes them  *)
(*    with one Accept per replica; if the segment was taken, it captures   *)
(*    and writes data WOR 0 alone; with Trim, the winner then trims;       *)
(*  - a reader reads data WOR 0 (completing a half-written value);         *)
(*  - a trimmer trims: captures and writes the trim WOR, then sends Trim;  *)
(*    a replica drops the segment, keeps a tombstone and answers Trimmed   *)
(*    to anything about it from then on; the trim returns once a majority  *)
(*    holds the tombstone, and whoever meets a tombstone finishes the trim.*)
(*  - a subscriber hears Learn from each acceptor that accepts data WORs   *)
(*    (every WOR with NotifyAll) and notifies a WOR's value once a         *)
(*    majority reported one proposal, and never again for that WOR.        *)
(*                                                                         *)
(* Encoding (as in Wor.tla): acceptors are 0..NA-1, partition by           *)
(* partition; client i is actor NA+i and writes value i (the Rust letter   *)
(* 'A'+i); ballot (round r, client i) is r*K+i; an address is <<seg, off>>.*)
(* A message naming several WORs holds a function from offsets to WOR      *)
(* messages.  After every step, messages whose delivery can never change   *)
(* anything are removed, as the Rust model's collect_dead_messages does.   *)
(*                                                                         *)
(* The history (variable hist), conjoined to every step and constraining   *)
(* nothing, keeps what the Rust model's WosHistory keeps and the           *)
(* properties and the refinement mapping need: every vote of every         *)
(* acceptor per address (so "chosen" is defined), the values clients were  *)
(* told, the alloc winners, the trims that returned, the notifications,    *)
(* and whether a batch write carried two ballots.  With it the protocol    *)
(* refines WosSpec (RefinesWosSpec) under the stateright model's           *)
(* abstraction.  The model's five named bugs are BOOLEAN constants.        *)
(*                                                                         *)
(* Without the history this is state for state the stateright model        *)
(* without history (models/src/wos/mirror.rs), as module WosMirror checks  *)
(* with a VIEW of the protocol variables.                                  *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets

CONSTANTS
    Partitions,  \* replica sets; segment s lives on s % Partitions
    Acceptors,   \* acceptors per partition
    Segments,
    SegmentSize, \* data WORs per segment
    Writers,     \* clients that alloc, then batch-write (won) or write data WOR 0 (taken)
    Readers,     \* clients that read data WOR 0 once
    Trimmers,    \* clients that trim once
    Trim,        \* the alloc winner trims after its batch write
    Subscriber,  \* a subscriber gets write notifications
    NotifyAll,   \* ... of the metadata and trim WORs too
    Captures,    \* capture attempts per operation
    MaxCrashes,  \* acceptors down at once
    Network,     \* "ordered", "unordered" or "duplicating"
    Lossy,       \* the network may lose messages
    \* The named bugs (see WosBug in models/src/wos/model.rs).
    AllocWithoutCapture,    \* alloc writes the metadata WOR without capturing it
    WriteAfterTrim,         \* acceptors drop a trimmed segment without a tombstone
    BatchWriteStaleCapture, \* a nacked batch retries only the nacked WORs
    NotifyBeforeChosen,     \* the subscriber notifies on the first accept
    WrongPartition          \* the last writer sends segment s to partition s+1

ASSUME /\ Partitions \in 1..4 /\ Acceptors \in 2..5 /\ Segments \in 1..4
       /\ SegmentSize \in 1..3 /\ Writers \in 0..4 /\ Readers \in 0..2 /\ Trimmers \in 0..2
       /\ Writers + Readers + Trimmers > 0 /\ Captures \in 1..3
       /\ MaxCrashes \in 0..Partitions * Acceptors
       /\ Network \in {"ordered", "unordered", "duplicating"}
       /\ {Trim, Subscriber, NotifyAll, Lossy, AllocWithoutCapture, WriteAfterTrim,
           BatchWriteStaleCapture, NotifyBeforeChosen, WrongPartition} \subseteq BOOLEAN
       /\ WrongPartition => Partitions >= 2 /\ Writers >= 1

Max(x, y) == IF x >= y THEN x ELSE y
MaxOf(S) == CHOOSE x \in S : \A y \in S : y <= x

NA == Partitions * Acceptors
Acceptor == 0..NA-1
PartOf(a) == a \div Acceptors
Replicas(p) == {a \in Acceptor : PartOf(a) = p}
Majority == Acceptors \div 2 + 1

K == Writers + Readers + Trimmers
Client == NA..NA+K-1
Index(c) == c - NA
Sub == NA + K
Role(c) == IF Index(c) < Writers THEN "writer"
           ELSE IF Index(c) < Writers + Readers THEN "reader" ELSE "trimmer"
\* The i-th client of each role works on segment i % Segments.
RoleIndex(c) == CASE Role(c) = "writer" -> Index(c)
                  [] Role(c) = "reader" -> Index(c) - Writers
                  [] Role(c) = "trimmer" -> Index(c) - Writers - Readers
SegOf(c) == RoleIndex(c) % Segments
Home(s) == s % Partitions
Wrong(c) == WrongPartition /\ Role(c) = "writer" /\ RoleIndex(c) + 1 = Writers
PartitionOf(c) == (Home(SegOf(c)) + (IF Wrong(c) THEN 1 ELSE 0)) % Partitions
TrimsAfterBatch(c) == Trim /\ Role(c) = "writer"

Seg == 0..Segments-1
Meta == 0
TrimWor == 1
Data == 2..SegmentSize+1
Addr == Seg \X (0..SegmentSize+1)

Bal(r, i) == r * K + i
RoundOf(b) == b \div K
\* Every ballot the protocol uses: a capture attempt is a round, a read one.
MaxRound == (Writers + Trimmers) * Captures + Readers
Ballot == {Bal(r, i) : r \in 1..MaxRound, i \in 0..K-1}
\* Writers and trimmers write their letters.
Value == {i \in 0..K-1 : i < Writers \/ i >= Writers + Readers}
NoValue == -1
NoProposal == [bal |-> 0, val |-> NoValue]
PMax(p, q) == IF p.bal > q.bal \/ (p.bal = q.bal /\ p.val >= q.val) THEN p ELSE q

-----------------------------------------------------------------------------
(* Messages and the network (the operators of Wor.tla, over more channels). *)

PrepareMsg(b) == [type |-> "prepare", bal |-> b]
PromiseMsg(b, p) == [type |-> "promise", bal |-> b, prop |-> p]
AcceptMsg(b, v) == [type |-> "accept", bal |-> b, val |-> v]
AcceptedMsg(b) == [type |-> "accepted", bal |-> b]
NackMsg(b, promised) == [type |-> "nack", bal |-> b, promised |-> promised]
ReadMsg(b) == [type |-> "read", bal |-> b]
ReadReplyMsg(b, p) == [type |-> "readreply", bal |-> b, prop |-> p]

\* WOR messages about WORs of one segment: entries maps offsets to WOR messages.
WorM(seg, entries) == [type |-> "wor", seg |-> seg, entries |-> entries]
One(off, m) == [o \in {off} |-> m]
TrimM(seg) == [type |-> "trim", seg |-> seg]
TrimmedM(seg) == [type |-> "trimmed", seg |-> seg]
\* To the subscriber: entries maps offsets to the proposals accepted.
LearnM(seg, entries) == [type |-> "learn", seg |-> seg, entries |-> entries]

Env(src, dst, m) == [src |-> src, dst |-> dst, msg |-> m]

Channel == (Client \X Acceptor) \cup (Acceptor \X Client)
           \cup (IF Subscriber THEN Acceptor \X {Sub} ELSE {})
Chan(e) == <<e.src, e.dst>>

EmptyNet ==
    CASE Network = "ordered" -> [ch \in Channel |-> <<>>]
      [] Network = "unordered" -> [e \in {} |-> 0]
      [] Network = "duplicating" -> {}

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

\* The network after src sends outs, a sequence of [to, msg], in order.
RECURSIVE SendAll(_, _, _)
SendAll(net, src, outs) ==
    IF outs = <<>> THEN net
    ELSE SendAll(Send(net, src, Head(outs).to, Head(outs).msg), src, Tail(outs))

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

Lose(net, e) ==
    CASE Network = "ordered" ->
            LET s == net[Chan(e)]
                i == CHOOSE i \in 1..Len(s) : s[i] = e.msg /\ \A j \in 1..i-1 : s[j] # e.msg
            IN [net EXCEPT ![Chan(e)] = SubSeq(s, 1, i-1) \o SubSeq(s, i+1, Len(s))]
      [] Network = "unordered" -> BagLess(net, e)
      [] Network = "duplicating" -> net \ {e}

Retain(net, Live(_)) ==
    CASE Network = "ordered" ->
            [ch \in Channel |-> LET Keep(m) == Live(Env(ch[1], ch[2], m))
                                IN SelectSeq(net[ch], Keep)]
      [] Network = "unordered" -> [e \in {x \in DOMAIN net : Live(x)} |-> net[e]]
      [] Network = "duplicating" -> {e \in net : Live(e)}

-----------------------------------------------------------------------------
(* Client states: the WOR phases of Wor.tla, one per WOR an operation names. *)

PreparePhase(b, promises, highest, completing) ==
    [kind |-> "prepare", bal |-> b, promises |-> promises, highest |-> highest,
     completing |-> completing]  \* completing: the value a read completes, or NoValue
AcceptPhase(b, v, accepts, completing) ==
    [kind |-> "accept", bal |-> b, val |-> v, accepts |-> accepts, completing |-> completing]
ReadPhase(b, replies, highest, unanimous) ==
    [kind |-> "read", bal |-> b, replies |-> replies, highest |-> highest, unanimous |-> unanimous]
Done == [kind |-> "done"]

\* An operation [kind, seg, phase]: phase is [kind |-> "wor", wors |-> [offset -> phase]]
\* or, finishing a trim, [kind |-> "dropping", acks |-> acceptors that answered Trimmed].
NoOp == [kind |-> "none"]

Ret(kind, arg) == [kind |-> kind, arg |-> arg]
NoRet == Ret("none", NoValue)

\* Would a WOR phase act on m from acceptor a?  (Wor.tla's Awaits.)
PhaseAwaits(ph, a, m) ==
    \/ ph.kind = "prepare" /\ m.type = "promise" /\ m.bal = ph.bal /\ a \notin ph.promises
    \/ ph.kind = "accept" /\ m.type = "accepted" /\ m.bal = ph.bal /\ a \notin ph.accepts
    \/ ph.kind \in {"prepare", "accept"} /\ m.type = "nack" /\ m.bal = ph.bal
    \/ ph.kind = "read" /\ m.type = "readreply" /\ m.bal = ph.bal /\ a \notin ph.replies

\* Would client state s act on m from acceptor a?  (WosClientState::awaits.)
ClientAwaits(s, a, m) ==
    /\ s.op # NoOp
    /\ m.seg = s.op.seg
    /\ \/ s.op.phase.kind = "wor" /\ m.type = "wor"
          /\ \E o \in DOMAIN m.entries \cap DOMAIN s.op.phase.wors :
                PhaseAwaits(s.op.phase.wors[o], a, m.entries[o])
       \/ s.op.phase.kind = "wor" /\ m.type = "trimmed"
       \/ s.op.phase.kind = "dropping" /\ m.type = "trimmed" /\ a \notin s.op.phase.acks

\* Would the subscriber act on m from acceptor a?  Only news of a proposal for a WOR not yet
\* notified, from an acceptor not yet counted for it.
SubAwaits(sb, a, m) ==
    /\ m.type = "learn"
    /\ \E o \in DOMAIN m.entries :
          /\ <<m.seg, o>> \notin sb.notified
          /\ <<<<m.seg, o>>, m.entries[o], a>> \notin sb.heard

-----------------------------------------------------------------------------
VARIABLES
    acc,   \* acc[a]: [wors |-> [Addr -> [promised, accepted]], tomb |-> trimmed segments]
    down,  \* the acceptors that are down (an acceptor saves every change: a restart
           \* reloads what it had)
    cli,   \* cli[c]: [round, left, op]
    sub,   \* the subscriber: [heard |-> {<<addr, proposal, acceptor>>}, notified |-> addrs]
    net,   \* the messages in flight
    hist,  \* the history (see the module comment)
    abs    \* the refinement mapping's value (see below), a function of the others

vars == <<acc, down, cli, sub, net, hist>>

InitWor == [promised |-> 0, accepted |-> NoProposal]
InitAcceptor == [wors |-> [x \in Addr |-> InitWor], tomb |-> {}]

InitHist == [votes |-> [x \in Addr |-> {}],      \* <<acceptor, proposal>> ever accepted
             told |-> [x \in Addr |-> {}],       \* values clients were told (written, read)
             allocators |-> [s \in Seg |-> {}],  \* clients whose alloc won
             trimReturned |-> {},                \* segments whose trim returned
             afterTrim |-> {},                   \* clients whose op began after its trim
             notTrimmed |-> FALSE,               \* such an op answered other than Trimmed
             notified |-> [x \in Addr |-> NoValue],
             notificationBroken |-> FALSE,       \* a notification named an unchosen value
             notifiedTwice |-> FALSE,
             mixedBatch |-> FALSE]               \* a batch write carried two ballots

Voted(h, x) == {v[2] : v \in h.votes[x]}
\* The values a majority voted for in one proposal.
ChosenIn(h, x) ==
    {p.val : p \in {p \in Voted(h, x) : Cardinality({v \in h.votes[x] : v[2] = p}) >= Majority}}

\* Can delivering e ever change anything, given acceptor, client and subscriber states?
Live(A, C, S, e) ==
    LET m == e.msg IN
    IF e.dst \in Client THEN ClientAwaits(C[e.dst], e.src, m)
    ELSE IF e.dst = Sub THEN SubAwaits(S, e.src, m)
    ELSE IF m.seg \in A[e.dst].tomb THEN ClientAwaits(C[e.src], e.dst, TrimmedM(m.seg))
    ELSE IF m.type = "wor"
    THEN \E o \in DOMAIN m.entries :
            LET w == m.entries[o]
                st == A[e.dst].wors[<<m.seg, o>>]
                spent == \/ w.type = "prepare" /\ w.bal <= st.promised
                         \/ w.type = "accept" /\ \/ w.bal < st.promised
                                                 \/ st.accepted = [bal |-> w.bal, val |-> w.val]
            IN IF w.type = "read"
               THEN ClientAwaits(C[e.src], e.dst,
                                 WorM(m.seg, One(o, ReadReplyMsg(w.bal, NoProposal))))
               \* Sound only while promises never go down: not under WriteAfterTrim.
               ELSE IF ~WriteAfterTrim /\ spent
               THEN ClientAwaits(C[e.src], e.dst, WorM(m.seg, One(o, NackMsg(w.bal, 0))))
               ELSE TRUE
    ELSE TRUE

Collect(n, A, C, S) == Retain(n, LAMBDA e : Live(A, C, S, e))

-----------------------------------------------------------------------------
(* The client program, transcribed from WosActor's client half.  It works on a context  *)
(* x = [st |-> client state, outs |-> messages to send, evs |-> events for the history]. *)

Bcast(x, c, m) == [x EXCEPT !.outs = Append(@, [to |-> Replicas(PartitionOf(c)), msg |-> m])]
Ev(x, e) == [x EXCEPT !.evs = Append(@, e)]
SetWors(x, w) == [x EXCEPT !.st.op.phase.wors = w]

\* (Re)starts phase 1 with a fresh ballot for the WORs in which.
Capture(x, c, which) ==
    LET r == x.st.round + 1
        b == Bal(r, Index(c))
        w == x.st.op.phase.wors
        x1 == [x EXCEPT !.st.round = r, !.st.left = @ - 1]
    IN Bcast(SetWors(x1, [o \in DOMAIN w |->
                             IF o \in which THEN PreparePhase(b, {}, NoProposal, NoValue)
                             ELSE w[o]]),
             c, WorM(x.st.op.seg, [o \in which |-> PrepareMsg(b)]))

\* After a nack: capture which again, or, out of attempts, fail them.
RetryOrFail(x, c, which) ==
    IF x.st.left > 0 THEN Capture(x, c, which)
    ELSE LET w == x.st.op.phase.wors
         IN SetWors(x, [o \in DOMAIN w |-> IF o \in which THEN Done ELSE w[o]])

\* Starts operation kind on segment seg.
StartOp(x, c, kind, seg) ==
    LET offs == CASE kind = "alloc" -> {Meta}
                  [] kind = "trim" -> {TrimWor}
                  [] kind \in {"write", "read"} -> {2}
                  [] kind = "batch" -> Data
        i == Index(c)
        x0 == Ev([x EXCEPT !.st = [round |-> 0, left |-> Captures,
                                   op |-> [kind |-> kind, seg |-> seg,
                                           phase |-> [kind |-> "wor",
                                                      wors |-> [o \in offs |-> Done]]]]],
                 [kind |-> "began", seg |-> seg])
    IN IF kind = "read"
       THEN Bcast(SetWors([x0 EXCEPT !.st.round = 1],
                          One(2, ReadPhase(Bal(1, i), {}, NoProposal, TRUE))),
                  c, WorM(seg, One(2, ReadMsg(Bal(1, i)))))
       ELSE IF kind = "alloc" /\ AllocWithoutCapture
       \* The bug: write the metadata WOR straight away, as if it were captured.
       THEN Bcast(SetWors(x0, One(Meta, AcceptPhase(Bal(1, i), i, {}, FALSE))),
                  c, WorM(seg, One(Meta, AcceptMsg(Bal(1, i), i))))
       ELSE Capture(x0, c, offs)

\* Ends the operation, and the script.
End(x, outcome) ==
    Ev([x EXCEPT !.st = [round |-> 0, left |-> 0, op |-> NoOp]],
       [kind |-> "ended", seg |-> x.st.op.seg, outcome |-> outcome])

\* Ends the operation's WOR part once every WOR in it is done; last is what the last WOR
\* to finish returned.
MaybeEnd(x, c, last) ==
    LET op == x.st.op
    IN IF op = NoOp THEN x
       ELSE IF op.phase.kind # "wor" THEN x
       ELSE IF \E o \in DOMAIN op.phase.wors : op.phase.wors[o] # Done THEN x
       ELSE LET won == last.kind = "written" /\ last.arg = Index(c)
                Ended(o) == Ev(x, [kind |-> "ended", seg |-> op.seg, outcome |-> o])
            IN IF op.kind = "alloc" /\ last.kind = "written"
               THEN IF won THEN StartOp(Ended("allocated"), c, "batch", op.seg)
                    ELSE StartOp(Ended("taken"), c, "write", op.seg)
               ELSE IF op.kind = "batch" /\ TrimsAfterBatch(c)
               THEN StartOp(Ended("done"), c, "trim", op.seg)
               ELSE IF op.kind = "trim" /\ last.kind = "written"
               \* The trim is decided: now drop the segment.
               THEN Bcast([x EXCEPT !.st.op.phase = [kind |-> "dropping", acks |-> {}]],
                          c, TrimM(op.seg))
               ELSE End(x, "done")

\* One WOR client step (Wor.tla's, quorum a majority): [ph |-> new phase, ev |-> event].
PE(ph, ev) == [ph |-> ph, ev |-> ev]
Fin(r) == [kind |-> "finished", ret |-> r]
PhaseStep(ph, a, m, own) ==
    IF ph.kind = "prepare" /\ m.type = "promise" /\ m.bal = ph.bal /\ a \notin ph.promises
    THEN LET promises == ph.promises \cup {a}
             highest == PMax(ph.highest, m.prop)
             \* Finish the highest accepted proposal, if any: the rule that keeps Paxos safe.
             v == IF highest # NoProposal THEN highest.val
                  ELSE IF ph.completing # NoValue THEN ph.completing
                  ELSE own
         IN IF Cardinality(promises) < Majority
            THEN PE(PreparePhase(ph.bal, promises, highest, ph.completing), [kind |-> "counted"])
            ELSE PE(AcceptPhase(ph.bal, v, {}, ph.completing # NoValue),
                    IF ph.completing = NoValue THEN [kind |-> "captured"]
                    ELSE [kind |-> "send", msg |-> AcceptMsg(ph.bal, v)])
    ELSE IF ph.kind = "prepare" /\ ph.completing = NoValue /\ m.type = "nack" /\ m.bal = ph.bal
    THEN PE(ph, [kind |-> "nacked", promised |-> m.promised])
    ELSE IF ph.kind = "accept" /\ m.type = "accepted" /\ m.bal = ph.bal /\ a \notin ph.accepts
    THEN IF Cardinality(ph.accepts \cup {a}) < Majority
         THEN PE([ph EXCEPT !.accepts = @ \cup {a}], [kind |-> "counted"])
         ELSE PE(Done, Fin(IF ph.completing THEN Ret("read", ph.val) ELSE Ret("written", ph.val)))
    ELSE IF ph.kind = "accept" /\ m.type = "nack" /\ m.bal = ph.bal
    \* A stolen write has an unknown outcome; a stolen completion, no answer.
    THEN PE(Done, Fin(IF ph.completing THEN Ret("read-failed", NoValue)
                      ELSE Ret("unknown", ph.val)))
    ELSE IF ph.kind = "prepare" /\ m.type = "nack" /\ m.bal = ph.bal
    THEN PE(Done, Fin(Ret("read-failed", NoValue)))
    ELSE IF ph.kind = "read" /\ m.type = "readreply" /\ m.bal = ph.bal /\ a \notin ph.replies
    THEN LET replies == ph.replies \cup {a}
             unanimous == Cardinality(replies) = 1 \/ (ph.unanimous /\ m.prop = ph.highest)
             highest == PMax(ph.highest, m.prop)
         IN IF Cardinality(replies) < Majority
            THEN PE(ReadPhase(ph.bal, replies, highest, unanimous), [kind |-> "counted"])
            \* A quorum agrees: this proposal (or nothing) is chosen.
            ELSE IF unanimous THEN PE(Done, Fin(Ret("read", highest.val)))
            \* Complete it with a capture and a write at the read's ballot.
            ELSE PE(PreparePhase(ph.bal, {}, NoProposal, highest.val),
                    [kind |-> "send", msg |-> PrepareMsg(ph.bal)])
    ELSE PE(ph, [kind |-> "ignored"])

\* A reply naming some of the operation's WORs: each entry is one WOR client step.
OnWorReply(x, c, a, entries) ==
    LET op == x.st.op
        before == op.phase.wors
        offs == DOMAIN entries \cap DOMAIN before
        res == [o \in offs |-> PhaseStep(before[o], a, entries[o], Index(c))]
        after == [o \in DOMAIN before |-> IF o \in offs THEN res[o].ph ELSE before[o]]
        nacked == {o \in offs : res[o].ev.kind = "nacked"}
        round == IF nacked = {} THEN x.st.round
                 ELSE Max(x.st.round, MaxOf({RoundOf(res[o].ev.promised) : o \in nacked}))
    IN
    IF nacked # {} /\ ~BatchWriteStaleCapture
    \* A batch capture is one capture: a nack on any of its WORs steals all of them, and
    \* undoes what the other entries of this reply did.
    THEN MaybeEnd(RetryOrFail([x EXCEPT !.st.round = round], c, DOMAIN before), c, NoRet)
    ELSE
    LET \* The bug: keep the other WORs' capture and retry only the WORs nacked.
        x1 == IF nacked = {} THEN SetWors(x, after)
              ELSE RetryOrFail(SetWors([x EXCEPT !.st.round = round], after), c, nacked)
        captured == \E o \in offs : res[o].ev.kind = "captured"
        sends == {o \in offs : res[o].ev.kind = "send"}
        fins == {o \in offs : res[o].ev.kind = "finished"}
        \* A read names one WOR, so at most one entry sends.
        x2 == IF sends = {} THEN x1
              ELSE LET o == CHOOSE o \in sends : TRUE
                   IN Bcast(x1, c, WorM(op.seg, One(o, res[o].ev.msg)))
        told == {o \in fins : res[o].ev.ret.kind \in {"written", "read"}
                              /\ res[o].ev.ret.arg # NoValue}
        x3 == Ev(x2, [kind |-> "told",
                      pairs |-> {<<<<op.seg, o>>, res[o].ev.ret.arg>> : o \in told}])
        last == IF fins = {} THEN NoRet ELSE res[MaxOf(fins)].ev.ret
        w == x3.st.op.phase.wors
        \* The write of a batch goes out once every WOR in it is captured, as one message
        \* per replica.
        ready == \A o \in DOMAIN w : w[o].kind \in {"accept", "done"}
        accepting == {o \in DOMAIN w : w[o].kind = "accept"}
        x4 == IF captured /\ ready
              THEN Bcast(x3, c, WorM(op.seg, [o \in accepting |-> AcceptMsg(w[o].bal, w[o].val)]))
              ELSE x3
    IN MaybeEnd(x4, c, last)

\* Acceptor a holds the segment's tombstone: finish the trim, then answer Trimmed.
OnTrimmed(x, c, a) ==
    LET op == x.st.op
        x1 == IF op.phase.kind = "wor"
              THEN [x EXCEPT !.outs = Append(@, [to |-> Replicas(PartitionOf(c)) \ {a},
                                                  msg |-> TrimM(op.seg)])]
              ELSE x
        acks == IF op.phase.kind = "wor" THEN {a} ELSE op.phase.acks \cup {a}
    IN IF Cardinality(acks) >= Majority THEN End(x1, "trimmed")
       ELSE [x1 EXCEPT !.st.op.phase = [kind |-> "dropping", acks |-> acks]]

ClientStep(c, a, m) ==
    LET x == [st |-> cli[c], outs |-> <<>>, evs |-> <<>>]
    IN IF ~ClientAwaits(cli[c], a, m) THEN x
       ELSE IF m.type = "wor" THEN OnWorReply(x, c, a, m.entries)
       ELSE OnTrimmed(x, c, a)

-----------------------------------------------------------------------------
(* The history. *)

ApplyEv(h, c, e) ==
    CASE e.kind = "told" ->
            [h EXCEPT !.told = [x \in Addr |->
                                   h.told[x] \cup {p[2] : p \in {p \in e.pairs : p[1] = x}}]]
      [] e.kind = "began" ->
            IF e.seg \in h.trimReturned THEN [h EXCEPT !.afterTrim = @ \cup {c}] ELSE h
      [] e.kind = "ended" ->
            LET h1 == IF c \in h.afterTrim
                      THEN [h EXCEPT !.notTrimmed = @ \/ e.outcome # "trimmed",
                                     !.afterTrim = @ \ {c}]
                      ELSE h
            IN CASE e.outcome = "allocated" -> [h1 EXCEPT !.allocators[e.seg] = @ \cup {c}]
                 [] e.outcome = "trimmed" -> [h1 EXCEPT !.trimReturned = @ \cup {e.seg}]
                 [] OTHER -> h1

RECURSIVE ApplyEvs(_, _, _)
ApplyEvs(h, c, evs) == IF evs = <<>> THEN h ELSE ApplyEvs(ApplyEv(h, c, Head(evs)), c, Tail(evs))

\* A batch write carrying two ballots (the Rust model's record_msg_out sees every message).
Mixed(outs) ==
    \E i \in DOMAIN outs :
        LET m == outs[i].msg
        IN /\ m.type = "wor"
           /\ Cardinality({m.entries[o].bal : o \in {o \in DOMAIN m.entries :
                                                       m.entries[o].type = "accept"}}) > 1

-----------------------------------------------------------------------------
(* Steps. *)

StartClient(c) ==
    StartOp([st |-> [round |-> 0, left |-> 0, op |-> NoOp], outs |-> <<>>, evs |-> <<>>], c,
            CASE Role(c) = "writer" -> "alloc"
              [] Role(c) = "reader" -> "read"
              [] Role(c) = "trimmer" -> "trim",
            SegOf(c))

RECURSIVE StartAll(_, _)
\* The network after the clients in cs sent their first messages, lowest first.
StartAll(n, cs) ==
    IF cs = {} THEN n
    ELSE LET c == CHOOSE c \in cs : \A d \in cs : c <= d
         IN StartAll(SendAll(n, c, StartClient(c).outs), cs \ {c})

InitSub == [heard |-> {}, notified |-> {}]

ProtocolInit ==
    /\ acc = [a \in Acceptor |-> InitAcceptor]
    /\ down = {}
    /\ cli = [c \in Client |-> StartClient(c).st]
    /\ sub = InitSub
    /\ hist = InitHist
    /\ net = Collect(StartAll(EmptyNet, Client), acc, cli, sub)

\* One WOR acceptor step (Wor.tla's AcceptorRecv without its bugs): [st, reply].
WorAccStep(s, m) ==
    IF m.type = "prepare" /\ m.bal >= s.promised
    THEN [st |-> [s EXCEPT !.promised = m.bal], reply |-> PromiseMsg(m.bal, s.accepted)]
    ELSE IF m.type = "accept" /\ m.bal >= s.promised
    THEN [st |-> [promised |-> Max(m.bal, s.promised), accepted |-> [bal |-> m.bal, val |-> m.val]],
          reply |-> AcceptedMsg(m.bal)]
    ELSE IF m.type \in {"prepare", "accept"}
    THEN [st |-> s, reply |-> NackMsg(m.bal, s.promised)]
    ELSE [st |-> s, reply |-> ReadReplyMsg(m.bal, s.accepted)]

AcceptorRecv(e) ==
    LET a == e.dst
        m == e.msg
        s == acc[a]
        seg == m.seg
    IN
    IF seg \in s.tomb
    THEN /\ net' = Collect(Send(Consume(net, e), a, {e.src}, TrimmedM(seg)), acc, cli, sub)
         /\ UNCHANGED <<acc, down, cli, sub, hist>>
    ELSE IF m.type = "wor"
    \* Each WOR named is a WOR: its own acceptor step, on its own state.
    THEN LET offs == DOMAIN m.entries
             steps == [o \in offs |-> WorAccStep(s.wors[<<seg, o>>], m.entries[o])]
             changed == {o \in offs : steps[o].st.accepted # s.wors[<<seg, o>>].accepted}
             learned == {o \in changed : o >= 2 \/ NotifyAll}
             t == [s EXCEPT !.wors = [x \in Addr |-> IF x[1] = seg /\ x[2] \in offs
                                                    THEN steps[x[2]].st ELSE s.wors[x]]]
             outs == <<[to |-> {e.src}, msg |-> WorM(seg, [o \in offs |-> steps[o].reply])]>>
                     \o (IF Subscriber /\ learned # {}
                         THEN <<[to |-> {Sub},
                                 msg |-> LearnM(seg, [o \in learned |-> steps[o].st.accepted])]>>
                         ELSE <<>>)
         IN /\ acc' = [acc EXCEPT ![a] = t]
            /\ net' = Collect(SendAll(Consume(net, e), a, outs), acc', cli, sub)
            /\ hist' = [hist EXCEPT !.votes = [x \in Addr |->
                          IF x[1] = seg /\ x[2] \in changed
                          THEN hist.votes[x] \cup {<<a, steps[x[2]].st.accepted>>}
                          ELSE hist.votes[x]]]
            /\ UNCHANGED <<down, cli, sub>>
    ELSE \* Trim: drop the segment, and keep a tombstone (unless the bug).
         LET t == [wors |-> [x \in Addr |-> IF x[1] = seg THEN InitWor ELSE s.wors[x]],
                   tomb |-> IF WriteAfterTrim THEN s.tomb ELSE s.tomb \cup {seg}]
         IN /\ acc' = [acc EXCEPT ![a] = t]
            /\ net' = Collect(Send(Consume(net, e), a, {e.src}, TrimmedM(seg)), acc', cli, sub)
            /\ UNCHANGED <<down, cli, sub, hist>>

ClientRecv(e) ==
    LET c == e.dst
        x == ClientStep(c, e.src, e.msg)
    IN \* A delivery that changes nothing is no step, except that on the ordered network it
       \* takes the message off its channel (stateright's ActorModel).
       /\ Network = "ordered" \/ x.st # cli[c] \/ x.outs # <<>>
       /\ cli' = [cli EXCEPT ![c] = x.st]
       /\ net' = Collect(SendAll(Consume(net, e), c, x.outs), acc, cli', sub)
       /\ hist' = [ApplyEvs(hist, c, x.evs) EXCEPT !.mixedBatch = @ \/ Mixed(x.outs)]
       /\ UNCHANGED <<acc, down, sub>>

\* The subscriber counts a's report of each proposal, and notifies a WOR once NotifyQuorum
\* acceptors reported one proposal for it.
NotifyQuorum == IF NotifyBeforeChosen THEN 1 ELSE Majority
SubRecv(e) ==
    LET a == e.src
        m == e.msg
        news == {o \in DOMAIN m.entries : <<m.seg, o>> \notin sub.notified}
        heard == sub.heard \cup {<<<<m.seg, o>>, m.entries[o], a>> : o \in news}
        done == {o \in news :
                    Cardinality({h \in heard : h[1] = <<m.seg, o>> /\ h[2] = m.entries[o]})
                        >= NotifyQuorum}
        addrs == {<<m.seg, o>> : o \in done}
        val(x) == m.entries[x[2]].val
    IN /\ SubAwaits(sub, a, m)
       /\ sub' = [heard |-> {h \in heard : h[1] \notin addrs}, notified |-> sub.notified \cup addrs]
       /\ net' = Collect(Consume(net, e), acc, cli, sub')
       /\ hist' = [hist EXCEPT
                     !.notifiedTwice = @ \/ \E x \in addrs : hist.notified[x] # NoValue,
                     !.notified = [x \in Addr |-> IF x \in addrs THEN val(x) ELSE hist.notified[x]],
                     !.notificationBroken = @ \/ \E x \in addrs : ChosenIn(hist, x) # {val(x)}]
       /\ UNCHANGED <<acc, down, cli>>

Deliver(e) ==
    /\ e.dst \notin down
    /\ CASE e.dst \in Acceptor -> AcceptorRecv(e)
         [] e.dst \in Client -> ClientRecv(e)
         [] e.dst = Sub -> SubRecv(e)

\* Only acceptors crash; a crashed one keeps its state, unused, until it restarts.
Crash(a) ==
    /\ a \notin down
    /\ Cardinality(down) < MaxCrashes
    /\ down' = down \cup {a}
    /\ UNCHANGED <<acc, cli, sub, net, hist>>

Restart(a) ==
    /\ a \in down
    /\ down' = down \ {a}
    /\ UNCHANGED <<acc, cli, sub, net, hist>>

LoseMsg(e) ==
    /\ Lossy
    /\ net' = Lose(net, e)
    /\ UNCHANGED <<acc, down, cli, sub, hist>>

ProtocolNext ==
    \/ \E e \in Deliverable(net) : Deliver(e)
    \/ \E a \in Acceptor : Crash(a) \/ Restart(a)
    \* As stateright's ActorModel: a lossy network loses what it could deliver (on the ordered
    \* network, the head of a channel).
    \/ \E e \in Deliverable(net) : LoseMsg(e)

-----------------------------------------------------------------------------
(* Properties: the Rust model's, on the history. *)

\* "agreement": no two clients are told different values for one WOR.
Agreement == \A x \in Addr : Cardinality(hist.told[x]) <= 1
\* "one allocator per segment"
OneAllocator == \A s \in Seg : Cardinality(hist.allocators[s]) <= 1
\* "trimmed answers Trimmed": an operation that began after its segment's trim returned
\* answers Trimmed.
TrimmedAnswersTrimmed == ~hist.notTrimmed
\* "notifications are final": a notification names the WOR's chosen value.
NotificationsAreFinal == ~hist.notificationBroken
\* "notified once"
NotifiedOnce == ~hist.notifiedTwice
\* "batch writes use one capture id"
BatchOneCapture == ~hist.mixedBatch

(* The refinement mapping (the Rust model's abstraction): a segment is trimmed once some *)
(* acceptor holds its tombstone, and then blank; otherwise each WOR's latest capture is  *)
(* the highest ballot a majority of its home partition promised, its value the value     *)
(* chosen, its pending values those some acceptor voted for; a segment is allocated once *)
(* its metadata WOR has a chosen value.                                                  *)

TrimmedSegsOf(A) == {s \in Seg : \E a \in Acceptor : s \in A[a].tomb}

LatestCaptureOf(A, x) ==
    LET R == Replicas(Home(x[1]))
        P == {A[a].wors[x].promised : a \in R}
        Promised(b) == {a \in R : A[a].wors[x].promised >= b}
    IN CHOOSE b \in P : /\ Cardinality(Promised(b)) >= Majority
                        /\ \A b2 \in P : Cardinality(Promised(b2)) >= Majority => b2 <= b

AbstractOf(A, H) ==
    LET T == TrimmedSegsOf(A)
    IN [wor |-> [x \in Addr |->
                    IF x[1] \in T THEN [latest |-> 0, value |-> {}, pending |-> {}]
                    ELSE [latest |-> LatestCaptureOf(A, x), value |-> ChosenIn(H, x),
                          pending |-> {p.val : p \in Voted(H, x)}]],
        allocated |-> {s \in Seg \ T : ChosenIn(H, <<s, Meta>>) # {}},
        trimmed |-> T]

(* The variable abs holds the mapping's value, computed once per state: a function of the *)
(* other variables, it adds no states, and spares TLC evaluating the mapping at every    *)
(* mention in WosSpec's actions.                                                          *)
Init == ProtocolInit /\ abs = AbstractOf(acc, hist)
Next == ProtocolNext /\ abs' = AbstractOf(acc', hist')
Spec == Init /\ [][Next]_<<vars, abs>>

\* The protocol and its history without the mapping, for configurations that check the
\* invariants only (and module WosMirror).
ProtocolSpec == /\ ProtocolInit /\ abs = 0
                /\ [][ProtocolNext /\ UNCHANGED abs]_<<vars, abs>>

S == INSTANCE WosSpec WITH DataWors <- SegmentSize, wor <- abs.wor,
                           allocated <- abs.allocated, trimmed <- abs.trimmed

RefinesWosSpec == S!Spec

=============================================================================
