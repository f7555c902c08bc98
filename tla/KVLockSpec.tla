----------------------------- MODULE KVLockSpec -----------------------------
(***************************************************************************)
(* The atomic KVLock of the ADO talk: a lock and the pair it protects, the *)
(* data and its length meta (a value v stands for a string of length v, so *)
(* meta = len(data) is meta = data).  Only the lock's holder writes, and   *)
(* the lock changes hands (acquired, released, or released and acquired   *)
(* at once) only while data and meta agree, so to whoever takes the lock   *)
(* KVLock.set(k, v) is atomic.  AdoApps refines it with the committed      *)
(* states of its three ADOs (RefinesKVLockSpec).                           *)
(***************************************************************************)
CONSTANTS NoOwner, Unset

VARIABLES owner, data, meta

Init == owner = NoOwner /\ data = Unset /\ meta = Unset

\* The holder writes data or meta.
Write == owner # NoOwner /\ owner' = owner /\ <<data', meta'>> # <<data, meta>>

\* The lock changes hands between consistent writes.
Hand == owner' # owner /\ meta = data /\ UNCHANGED <<data, meta>>

Spec == Init /\ [][Write \/ Hand]_<<owner, data, meta>>

Consistent == owner = NoOwner => meta = data
=============================================================================
