----------------------------- MODULE CASRegister -----------------------------
(***************************************************************************)
(* The abstract CAS registers of models/src/caspaxos/spec.rs (CasObject),  *)
(* as a state machine over what each register holds: per key, the state    *)
(* that the acknowledged changes made, starting empty.  A step moves one   *)
(* key to a state that the changes submitted on it can make of the current *)
(* one: one change, or several at once (a proposer that reads a            *)
(* half-written state finishes it, so a change that was accepted by too    *)
(* few acceptors to be acknowledged takes effect when a descendant of it   *)
(* is acknowledged).  Acknowledged states therefore form one chain, the    *)
(* paper's theorem.                                                        *)
(***************************************************************************)
CONSTANTS
    Key,
    Empty,       \* the empty state (never written, or a tombstone)
    Reach(_, _)  \* Reach(k, x): the states the changes submitted on key k can make of x

VARIABLE reg

Init == reg = [k \in Key |-> Empty]

\* (One mention of reg': checking a refinement, TLC evaluates the mapping at every mention.)
Next == \E k \in Key : reg' \in {[reg EXCEPT ![k] = y] : y \in Reach(k, reg[k]) \ {reg[k]}}

Spec == Init /\ [][Next]_reg
=============================================================================
