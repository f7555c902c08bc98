---------------------------- MODULE CASPaxosChain ----------------------------
(***************************************************************************)
(* CASPaxos plus a ghost chain: per key, the acknowledged proposal with    *)
(* the highest ballot so far (the proposers remember only their last       *)
(* outcome, so the protocol state forgets acknowledgements).  Conjoined to *)
(* the next-state relation, constraining nothing.  With it, the protocol   *)
(* refines CASRegister under the mapping reg <- the state of each key's    *)
(* highest acknowledged proposal: every acknowledgement at a higher ballot *)
(* holds a state the submitted changes make of the previous one.  Like     *)
(* WorVotes for Wor, and Lamport's Voting for Paxos.                       *)
(***************************************************************************)
EXTENDS CASPaxos

VARIABLE chain

cvars == <<vars, chain>>

\* The proposals acknowledged on key k by this step.
NewAcks(k) == {[bal |-> prop'[p].last.bal, st |-> prop'[p].last.st] :
                  p \in {q \in PIdx : /\ prop'[q].done > prop[q].done
                                          /\ prop'[q].last.kind = "acked"
                                          /\ prop'[q].last.key = k}}

Highest(k) == LET acks == NewAcks(k) \cup {chain[k]}
              IN CHOOSE x \in acks : \A y \in acks : y.bal <= x.bal

ChainInit == Init /\ chain = [k \in Key |-> NoProposal]

ChainNext == Next /\ chain' = [k \in Key |-> Highest(k)]

ChainSpec == ChainInit /\ [][ChainNext]_cvars

Descendants(k, x) == ReachN(k, {x}, NumChangesOn(k))

R == INSTANCE CASRegister WITH Empty <- NoState, Reach <- Descendants,
                               reg <- [k \in Key |-> chain[k].st]
RefinesCASRegister == R!Spec
=============================================================================
