----------------------------- MODULE AdoObjects -----------------------------
(***************************************************************************)
(* The sequential objects of models/src/ado/objects.rs, which the apps     *)
(* replicate as ADOs: the key-value store KV (one key), the vector DVec    *)
(* (one slot), the lock DLock, and the 2PC resource manager RM (voting     *)
(* yes, as every app's RM does).  ObjApply(o, st, m) is AdoObject::apply:  *)
(* the state after method m and m's result.                                *)
(*                                                                         *)
(* Encoding, one to one with the Rust values:                              *)
(*  - a value v > 0 stands for a string of length v, so KV's state         *)
(*    Some((v, len v)) is v, DVec's Some(v) is v, and None is Unset (0);   *)
(*  - DLock's owner is a node, or NoOwner (None);                          *)
(*  - RM states are the strings "working", "prepared", "committed",        *)
(*    "aborted";                                                           *)
(*  - a method is a record [op, v]: KV set(0, v) / get(0) / getmeta(0),    *)
(*    DVec insert(0, v) / get(0), DLock acquire(c) / release(c) (the       *)
(*    caller c is an argument, as in Rust), RM prepare / commit / abort /  *)
(*    timeout; v is 0 where the method has no argument;                    *)
(*  - a result: Unit (-1), a read Val(None) 0 or Val(Some(v)) v, a         *)
(*    boolean Yes (-3) or No (-2).                                         *)
(***************************************************************************)
EXTENDS Integers

Unset == 0
NoOwner == -1
Unit == -1
No == -2
Yes == -3
Bool(b) == IF b THEN Yes ELSE No

M(op, v) == [op |-> op, v |-> v]

ObjInit(o) == CASE o \in {"kv", "dvec"} -> Unset
                [] o = "dlock" -> NoOwner
                [] o = "rm" -> "working"

R(st, ret) == [st |-> st, ret |-> ret]

KvApply(st, m) == CASE m.op = "set" -> R(m.v, Unit)
                    [] m.op \in {"get", "getmeta"} -> R(st, st)

DVecApply(st, m) == CASE m.op = "insert" -> R(m.v, Unit)
                      [] m.op = "get" -> R(st, st)

\* tryAcquire takes a free lock (or one the caller holds); release frees the caller's lock.
DLockApply(owner, m) ==
    CASE m.op = "acquire" -> IF owner = NoOwner THEN R(m.v, Yes) ELSE R(owner, Bool(owner = m.v))
      [] m.op = "release" -> IF owner = m.v THEN R(NoOwner, Unit) ELSE R(owner, Unit)

\* Prepare votes yes (and prepares) unless aborted; commit applies when prepared; abort
\* unless committed; timeout is the RM's own abort of a transaction it has not voted on.
RmApply(st, m) ==
    CASE m.op = "prepare" -> IF st = "working" THEN R("prepared", Yes)
                             ELSE IF st = "aborted" THEN R("aborted", No)
                             ELSE R(st, Yes)
      [] m.op = "commit" -> IF st = "prepared" THEN R("committed", Unit) ELSE R(st, Unit)
      [] m.op = "abort" -> IF st \in {"working", "prepared"} THEN R("aborted", Unit)
                           ELSE R(st, Unit)
      [] m.op = "timeout" -> IF st = "working" THEN R("aborted", Unit) ELSE R(st, Unit)

ObjApply(o, st, m) == CASE o = "kv" -> KvApply(st, m)
                        [] o = "dvec" -> DVecApply(st, m)
                        [] o = "dlock" -> DLockApply(st, m)
                        [] o = "rm" -> RmApply(st, m)
=============================================================================
