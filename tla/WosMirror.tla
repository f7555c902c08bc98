------------------------------ MODULE WosMirror ------------------------------
(***************************************************************************)
(* The WOS protocol of module Wos without its history: states that differ  *)
(* only in hist are one (the configurations' VIEW is Protocol), so TLC     *)
(* counts the protocol's states, those of the stateright model without     *)
(* history (models/src/wos/mirror.rs, WosConfig::into_mirror()).  The      *)
(* history constrains nothing, so every protocol state is reached and its *)
(* successors are the same whatever the history.  The invariant is one a   *)
(* protocol state tells by itself.                                         *)
(***************************************************************************)
EXTENDS Wos

Protocol == <<acc, down, cli, sub, net>>

\* The protocol's steps; the refinement mapping's variable abs is not needed here.
MirrorSpec == /\ ProtocolInit /\ abs = 0
              /\ [][ProtocolNext /\ UNCHANGED abs]_<<vars, abs>>

\* An acceptor never holds a proposal above its promise.
AcceptedBelowPromise ==
    \A a \in Acceptor : \A x \in Addr : acc[a].wors[x].accepted.bal <= acc[a].wors[x].promised
=============================================================================
