------------------------------ MODULE TCommit -------------------------------
(***************************************************************************)
(* The atomic transaction commit of Lamport's TCommit (Gray and Lamport,   *)
(* "Consensus on Transaction Commit"): each resource manager is working,   *)
(* prepared, committed or aborted; one may commit only when all are        *)
(* prepared (or committed), and abort only while none committed.  It is    *)
(* the atomic spec of the 2PC app: AdoApps refines it with each RM ADO's   *)
(* committed state (RefinesTCommit).                                       *)
(***************************************************************************)
CONSTANT RM

VARIABLE rmState

TCTypeOK == rmState \in [RM -> {"working", "prepared", "committed", "aborted"}]

TCInit == rmState = [r \in RM |-> "working"]

canCommit == \A r \in RM : rmState[r] \in {"prepared", "committed"}

notCommitted == \A r \in RM : rmState[r] # "committed"

Prepare(r) == /\ rmState[r] = "working"
              /\ rmState' = [rmState EXCEPT ![r] = "prepared"]

Decide(r) == \/ /\ rmState[r] = "prepared"
                /\ canCommit
                /\ rmState' = [rmState EXCEPT ![r] = "committed"]
             \/ /\ rmState[r] \in {"working", "prepared"}
                /\ notCommitted
                /\ rmState' = [rmState EXCEPT ![r] = "aborted"]

TCNext == \E r \in RM : Prepare(r) \/ Decide(r)

Spec == TCInit /\ [][TCNext]_rmState

TCConsistent == \A r1, r2 \in RM : ~(rmState[r1] = "aborted" /\ rmState[r2] = "committed")
=============================================================================
