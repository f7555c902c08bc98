------------------------------- MODULE WorVotes -------------------------------
(***************************************************************************)
(* The WOR protocol of module Wor with a ghost: votes[a], every proposal   *)
(* acceptor a has ever accepted.  Acceptors overwrite what they accepted,  *)
(* so whether a value was chosen (a majority accepted one proposal) cannot *)
(* be read off the protocol state; Lamport's Paxos keeps every message for *)
(* the same reason.  The ghost is a history variable: it is added to the   *)
(* next-state relation without constraining it, so the protocol's          *)
(* behaviours are unchanged.                                               *)
(*                                                                         *)
(* With it, the protocol refines the abstract register (module WorSpec)    *)
(* under the mapping of the stateright model (models/src/wor/model.rs,     *)
(* abstraction):                                                           *)
(*  - latest:  the highest ballot a majority has promised;                 *)
(*  - value:   the value chosen, if any;                                   *)
(*  - pending: the values some acceptor voted for;                         *)
(* and, through WorSpec, Consensus.                                        *)
(***************************************************************************)
EXTENDS Wor

VARIABLE votes

varsV == <<vars, votes>>

InitV == Init /\ votes = [a \in Acceptor |-> {}]

\* Every step records what each acceptor now holds as accepted.
NextV == /\ Next
         /\ votes' = [a \in Acceptor |->
                         IF acc'[a].accepted = NoProposal THEN votes[a]
                         ELSE votes[a] \cup {acc'[a].accepted}]

SpecV == InitV /\ [][NextV]_varsV

-----------------------------------------------------------------------------
(* The refinement mapping. *)

Promised(b) == {a \in Acceptor : acc[a].promised >= b}

\* The highest ballot a majority has promised (0 if none): no lower ballot can be chosen.
LatestCapture ==
    CHOOSE b \in {acc[a].promised : a \in Acceptor} :
        /\ Cardinality(Promised(b)) >= Majority
        /\ \A b2 \in {acc[a].promised : a \in Acceptor} :
               Cardinality(Promised(b2)) >= Majority => b2 <= b

Voted == UNION {votes[a] : a \in Acceptor}

\* The values a majority voted for in one proposal.
Chosen == {p.val : p \in {p \in Voted : Cardinality({a \in Acceptor : p \in votes[a]}) >= Majority}}

\* Two chosen values make the register's value a set of two, which no step of WorSpec reaches.
W == INSTANCE WorSpec WITH latest <- LatestCapture, value <- Chosen,
                           pending <- {p.val : p \in Voted}

RefinesWorSpec == W!Spec

=============================================================================
