------------------------------- MODULE WorSpec -------------------------------
(***************************************************************************)
(* The abstract write-once register of models/src/wor/spec.rs, as a state  *)
(* machine over what the register holds:                                   *)
(*  - latest:  the latest capture (a ballot; 0 before the first);          *)
(*  - value:   the value once written, never changed after ({} before:    *)
(*             the set of at most one value, like Rust's Option);          *)
(*  - pending: values of writes whose outcome was unknown, which may still *)
(*             take effect.                                                *)
(* A capture takes a ballot above the latest.  A write with the latest     *)
(* capture fixes the value (its own, or a pending one: the protocol        *)
(* finishes a half-written value and the writer learns which won).  A      *)
(* write that loses its capture leaves its value pending.  A read may be   *)
(* the moment a pending value takes effect.                                *)
(*                                                                         *)
(* It refines Consensus: the chosen set is the value set.                 *)
(***************************************************************************)
EXTENDS Integers

CONSTANTS Ballot, Value

ASSUME 0 \notin Ballot

VARIABLES latest, value, pending

vars == <<latest, value, pending>>

TypeOK == /\ latest \in {0} \cup Ballot
          /\ value \subseteq Value /\ \A v, w \in value : v = w
          /\ pending \subseteq Value

Init == latest = 0 /\ value = {} /\ pending = {}

\* A capture: a ballot above the latest.
Capture == /\ latest' \in Ballot
           /\ latest' > latest
           /\ UNCHANGED <<value, pending>>

\* A write with the latest capture fixes the value: its own, or a pending one.
Write == /\ latest # 0
         /\ value = {}
         /\ value' \in {{v} : v \in Value}
         /\ UNCHANGED <<latest, pending>>

\* A write that lost its capture: its value may take effect later, or never.
WriteUnknown == /\ pending' \in {pending \cup {v} : v \in Value}
                /\ UNCHANGED <<latest, value>>

\* A read that completes a pending value.
ReadCompletes == /\ value = {}
                 /\ value' \in {{v} : v \in pending}
                 /\ UNCHANGED <<latest, pending>>

\* (Each step names each variable once, without quantifiers: checking that the protocol
\* refines this spec, TLC evaluates the refinement mapping at every mention.)
Next == Capture \/ Write \/ WriteUnknown \/ ReadCompletes

Spec == Init /\ [][Next]_vars

C == INSTANCE Consensus WITH chosen <- value
RefinesConsensus == C!Spec
=============================================================================
