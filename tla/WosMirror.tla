------------------------------ MODULE WosMirror ------------------------------
(***************************************************************************)
(* The WOS protocol of module Wos seen without its history: the            *)
(* configurations check ProtocolSpec with VIEW Protocol, so states that    *)
(* differ only in hist are one, and TLC counts the protocol's states:      *)
(* those of the stateright model without history (models/src/wos/         *)
(* mirror.rs, WosConfig::into_mirror()).  The history constrains nothing,  *)
(* so every protocol state is reached, and its successors are the same     *)
(* whatever the history.  The invariant is one a protocol state tells by   *)
(* itself.                                                                 *)
(***************************************************************************)
EXTENDS Wos

Protocol == <<acc, down, cli, sub, net>>

\* An acceptor never holds a proposal above its promise.
AcceptedBelowPromise ==
    \A a \in Acceptor : \A x \in Addr : acc[a].wors[x].accepted.bal <= acc[a].wors[x].promised
=============================================================================
