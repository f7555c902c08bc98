----------------------------- MODULE Consensus ------------------------------
(***************************************************************************)
(* Consensus, the top of the refinement chain (after Lamport's Consensus   *)
(* module in the TLA+ examples): a set of values of which at most one is   *)
(* ever chosen, and once chosen it stays.                                  *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets

CONSTANT Value

VARIABLE chosen

Init == chosen = {}

Next == /\ chosen = {}
        /\ \E v \in Value : chosen' = {v}

Spec == Init /\ [][Next]_chosen

Inv == chosen \subseteq Value /\ Cardinality(chosen) <= 1
=============================================================================
