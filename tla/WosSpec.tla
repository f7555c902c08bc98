------------------------------- MODULE WosSpec -------------------------------
(***************************************************************************)
(* The abstract address space of write-once segments (models/src/wos/      *)
(* spec.rs): per address the abstract WOR of WorSpec, and per segment two  *)
(* flags.                                                                  *)
(*  - Segment s has a metadata WOR (offset 0), a trim WOR (1) and          *)
(*    DataWors data WORs (2..).  Each WOR takes WorSpec's steps: capture,  *)
(*    write, write with unknown outcome, read completing a pending value   *)
(*    (and reads and failures that change nothing).                        *)
(*  - Writing the metadata WOR is alloc: the segment is allocated.  A data *)
(*    WOR changes only in an allocated segment.                            *)
(*  - A batch is capture or write steps of two or more data WORs of one    *)
(*    segment at once.                                                     *)
(*  - Once the trim WOR is written the segment may be trimmed: its WORs    *)
(*    and its allocated flag are gone, and nothing about it changes again. *)
(*                                                                         *)
(* Each address, until its segment is trimmed, is a WorSpec register: the *)
(* steps of one WOR are those of WorSpec's Next (instantiated per address).*)
(***************************************************************************)
EXTENDS Integers, FiniteSets

CONSTANTS Ballot, Value, Segments, DataWors

ASSUME 0 \notin Ballot /\ Segments \in 1..4 /\ DataWors \in 1..3

Seg == 0..Segments-1
Meta == 0
Trim == 1
Data == 2..DataWors+1
Addr == Seg \X (0..DataWors+1)

Blank == [latest |-> 0, value |-> {}, pending |-> {}]

VARIABLES wor, allocated, trimmed

vars == <<wor, allocated, trimmed>>

TypeOK == /\ \A x \in Addr : /\ wor[x].latest \in {0} \cup Ballot
                             /\ wor[x].value \subseteq Value /\ Cardinality(wor[x].value) <= 1
                             /\ wor[x].pending \subseteq Value
          /\ allocated \subseteq Seg /\ trimmed \subseteq Seg /\ allocated \cap trimmed = {}

Init == /\ wor = [x \in Addr |-> Blank]
        /\ allocated = {}
        /\ trimmed = {}

\* WorSpec's steps of one register w, as the set of its successors (all but reads when
\* reads is FALSE: a batch captures and writes).
W(w) == INSTANCE WorSpec WITH latest <- w.latest, value <- w.value, pending <- w.pending
Succ(w, reads) ==
    {[w EXCEPT !.latest = b] : b \in {b \in Ballot : b > w.latest}}
    \cup (IF w.latest # 0 /\ w.value = {} THEN {[w EXCEPT !.value = {x}] : x \in Value} ELSE {})
    \cup {[w EXCEPT !.pending = @ \cup {x}] : x \in Value}
    \cup (IF reads /\ w.value = {} THEN {[w EXCEPT !.value = {x}] : x \in w.pending} ELSE {})

MayChange(s, o) == s \notin trimmed /\ (o < 2 \/ s \in allocated)

\* One WOR takes a step; writing the metadata WOR allocates the segment.
WorStep(s, o) ==
    /\ MayChange(s, o)
    /\ \E n \in Succ(wor[<<s, o>>], TRUE) :
          /\ wor' = [wor EXCEPT ![<<s, o>>] = n]
          /\ allocated' = IF o = Meta /\ n.value # {} THEN allocated \cup {s} ELSE allocated
    /\ UNCHANGED trimmed

\* Two or more data WORs of one segment take a capture or write step each, at once.
Batch(s) ==
    /\ DataWors >= 2
    /\ MayChange(s, 2)
    /\ \E D \in SUBSET Data :
          /\ Cardinality(D) >= 2
          /\ \E f \in [D -> UNION {Succ(wor[<<s, o>>], FALSE) : o \in D}] :
                /\ \A o \in D : f[o] \in Succ(wor[<<s, o>>], FALSE)
                /\ wor' = [x \in Addr |-> IF x[1] = s /\ x[2] \in D THEN f[x[2]] ELSE wor[x]]
    /\ UNCHANGED <<allocated, trimmed>>

TrimSeg(s) ==
    /\ s \notin trimmed
    /\ wor[<<s, Trim>>].value # {}
    /\ trimmed' = trimmed \cup {s}
    /\ allocated' = allocated \ {s}
    /\ wor' = [x \in Addr |-> IF x[1] = s THEN Blank ELSE wor[x]]

Next == \E s \in Seg : \/ \E o \in 0..DataWors+1 : WorStep(s, o)
                       \/ Batch(s)
                       \/ TrimSeg(s)

Spec == Init /\ [][Next]_vars

\* Until its segment is trimmed, every WOR steps as WorSpec's register.
WorsAreWorSpec ==
    [][\A x \in Addr : x[1] \notin trimmed' => W(wor[x])!Next \/ wor'[x] = wor[x]]_vars
=============================================================================
