---------------------------- MODULE CASPaxosChain ----------------------------
(***************************************************************************)
(* CASPaxos plus ghosts, conjoined to the next-state relation and          *)
(* constraining nothing (like WorVotes for Wor, and Lamport's Voting for   *)
(* Paxos):                                                                 *)
(*  - chain: per key, the acknowledged proposal with the highest ballot so *)
(*    far (the proposers remember only their last outcome, so the protocol *)
(*    state forgets acknowledgements), with its lineage;                   *)
(*  - lineage: the ancestry of every proposal sent, the lineage of the     *)
(*    proposal it was computed from followed by its own change's id        *)
(*    <<proposer, position>> (the Rust model's ghost record);              *)
(*  - roots: per key, the lineage of the tombstone the GC removed, which   *)
(*    proposals built on nothing descend from.                             *)
(* With them, the protocol refines CASRegister under the mapping reg <- the *)
(* state of each key's highest acknowledged proposal (every                *)
(* acknowledgement at a higher ballot holds a state the submitted changes  *)
(* make of the previous one), and AckedChain is the paper's theorem as the *)
(* stateright model checks it ("acknowledged states form a chain"): each   *)
(* acknowledged lineage is a prefix of those acknowledged at higher        *)
(* ballots.  A value revived or lost around a delete is a state the        *)
(* changes can make (del, then init), so only the lineages tell the GC     *)
(* bugs apart.                                                             *)
(***************************************************************************)
EXTENDS CASPaxos

VARIABLES chain, lineage, roots

cvars == <<vars, chain, lineage, roots>>

NoLink == [bal |-> 0, st |-> NoState, lin |-> <<>>]

\* The lineage of the proposal at ballot b on key k (the root for ballot 0: none).
LinOf(k, b) == IF b = 0 THEN roots[k] ELSE lineage[<<k, b>>]

\* The proposers that send a new proposal in this step.
Entered == {i \in PIdx : LET ph == prop'[i].phase
                              old == prop[i].phase
                          IN /\ ph.kind = "accept"
                             /\ ~(old.kind = "accept" /\ old.key = ph.key /\ old.bal = ph.bal)}
Sent == [x \in {<<prop'[i].phase.key, prop'[i].phase.bal>> : i \in Entered} |->
            LET i == CHOOSE i \in Entered : <<prop'[i].phase.key, prop'[i].phase.bal>> = x
            IN LinOf(x[1], prop'[i].phase.parent) \o <<<<i, prop'[i].done>>>>]
\* (A proposal is recorded once: the first time its ballot is sent.)
Recorded == [x \in DOMAIN lineage \cup DOMAIN Sent |->
                IF x \in DOMAIN lineage THEN lineage[x] ELSE Sent[x]]

\* Key k's tombstone removed in this step, as a set of at most one ballot.
Removed(k) == {acc[a][k].accepted.bal :
                  a \in {x \in Acceptor : /\ acc[x][k].accepted.bal # 0
                                          /\ acc[x][k].accepted.st = NoState
                                          /\ acc'[x][k].accepted = NoProposal}}

\* The proposals acknowledged on key k by this step.
NewAcks(k) == {[bal |-> prop'[p].last.bal, st |-> prop'[p].last.st,
                lin |-> Recorded[<<k, prop'[p].last.bal>>]] :
                  p \in {q \in PIdx : /\ prop'[q].done > prop[q].done
                                      /\ prop'[q].last.kind = "acked"
                                      /\ prop'[q].last.key = k}}

Highest(k) == LET acks == NewAcks(k) \cup {chain[k]}
              IN CHOOSE x \in acks : \A y \in acks : y.bal <= x.bal

ChainInit ==
    /\ Init
    /\ chain = [k \in Key |-> NoLink]
    /\ lineage = <<>>
    /\ roots = [k \in Key |-> <<>>]

ChainNext ==
    /\ Next
    /\ lineage' = Recorded
    /\ roots' = [k \in Key |-> IF Removed(k) = {} THEN roots[k]
                               ELSE Recorded[<<k, CHOOSE b \in Removed(k) : TRUE>>]]
    /\ chain' = [k \in Key |-> Highest(k)]

ChainSpec == ChainInit /\ [][ChainNext]_cvars

Descendants(k, x) == ReachN(k, {x}, NumChangesOn(k))

R == INSTANCE CASRegister WITH Empty <- NoState, Reach <- Descendants,
                               reg <- [k \in Key |-> chain[k].st]
RefinesCASRegister == R!Spec

IsPrefix(s, t) == Len(s) <= Len(t) /\ SubSeq(t, 1, Len(s)) = s

\* An acknowledgement below the highest one is on its lineage; one above extends it.
ChainStep ==
    \A k \in Key : \A x \in NewAcks(k) :
        IF x.bal <= chain[k].bal THEN IsPrefix(x.lin, chain[k].lin)
        ELSE IsPrefix(chain[k].lin, x.lin)
AckedChain == [][ChainStep]_cvars
=============================================================================
