------------------------------- MODULE AdoLog -------------------------------
(***************************************************************************)
(* The abstract log of an ADO (models/src/ado.rs): the sequence of         *)
(* committed calls, which only grows by appending.  A commit appends one   *)
(* or more calls at the end; nothing committed is ever changed or removed. *)
(* Module Ado refines it with log <- its log (RefinesAdoLog): a push that  *)
(* pruned a committed entry is a step no AdoLog step allows.               *)
(***************************************************************************)
EXTENDS Naturals, Sequences

VARIABLE log

Init == log = <<>>

\* A commit: calls appended after the committed ones, which stay as they were.
Commit == /\ Len(log') > Len(log)
          /\ SubSeq(log', 1, Len(log)) = log

Spec == Init /\ [][Commit]_log
=============================================================================
