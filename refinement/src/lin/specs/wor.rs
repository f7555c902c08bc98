//! The write-once register of LAYERS.md, for client histories. The semantics are those of the
//! model's abstract spec (`worm_models::wor::spec::WorObject`), with capture ids and values
//! read from the history instead of drawn from a finite domain:
//!
//! - `capture()` returns a capture id larger than every earlier one; it becomes the latest
//!   capture (a preemptible lock: a later capture steals it).
//! - `write(id, v)` succeeds only while `id` is the latest capture. The register then holds a
//!   value forever: `v`, or a value of an earlier write whose outcome was unknown (the protocol
//!   finishes a partly written value, and the caller learns which value won). If the register
//!   already holds `w`, the write returns `w`.
//! - A write with an unknown outcome (its capture was stolen) puts its value among the
//!   `pending` ones, which may take effect later (a later write or read may return one), or
//!   never.
//! - `read()` returns the value, or nothing; it may be the moment a pending value takes effect.
//!
//! Failed operations (a capture that lost, a read preempted while completing a value) change
//! nothing and are left out; so is a capture or read of unknown outcome, since taking effect
//! never helps: an unknown capture only steals the lock with an id nobody writes with.
//!
//! In a history: `capture` takes no arguments and returns the id, an integer or a list of
//! integers compared in order (`[round, client]`); `write` takes `[id, value]` and returns the
//! value that won; `read` takes no arguments and returns the value or `null` (`nil`). A value
//! is any datum but `null`.

use super::{no_args, pair, unknown_op, Datum, Spec};
use std::fmt;

pub struct Wor;

/// A capture id: compared element by element.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CaptureId(Vec<i64>);

impl CaptureId {
    fn read(d: &Datum) -> Result<Self, String> {
        let int = |d: &Datum| match d {
            Datum::Int(i) => Some(*i),
            _ => None,
        };
        match d {
            Datum::Int(i) => Some(CaptureId(vec![*i])),
            Datum::List(items) if !items.is_empty() => items
                .iter()
                .map(int)
                .collect::<Option<Vec<_>>>()
                .map(CaptureId),
            _ => None,
        }
        .ok_or_else(|| format!("a capture id must be an integer or a list of integers, not {d}"))
    }
}

impl fmt::Display for CaptureId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_slice() {
            [one] => write!(f, "{one}"),
            many => {
                let parts: Vec<String> = many.iter().map(i64::to_string).collect();
                write!(f, "[{}]", parts.join(" "))
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorOp {
    Capture,
    Write(CaptureId, Datum),
    Read,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorRet {
    Captured(CaptureId),
    /// The value the register holds after the write (maybe not the one proposed).
    Written(Datum),
    Read(Option<Datum>),
}

impl fmt::Display for WorOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorOp::Capture => write!(f, "capture"),
            WorOp::Write(id, v) => write!(f, "write({id}, {v})"),
            WorOp::Read => write!(f, "read"),
        }
    }
}

impl fmt::Display for WorRet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorRet::Captured(id) => write!(f, "{id}"),
            WorRet::Written(v) | WorRet::Read(Some(v)) => write!(f, "{v}"),
            WorRet::Read(None) => write!(f, "empty"),
        }
    }
}

/// The register's state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct WorState {
    latest: Option<CaptureId>,
    value: Option<Datum>,
    /// Values of writes with unknown outcome, sorted; emptied once a value is held, when they
    /// no longer matter.
    pending: Vec<Datum>,
}

impl WorState {
    /// Can the register hold `w` after a write proposing `proposed` (or a read) returns it?
    fn may_hold(&self, w: &Datum, proposed: Option<&Datum>) -> bool {
        match &self.value {
            Some(v) => v == w,
            None => proposed == Some(w) || self.pending.binary_search(w).is_ok(),
        }
    }

    fn hold(&self, w: &Datum) -> WorState {
        WorState {
            latest: self.latest.clone(),
            value: Some(w.clone()),
            pending: Vec::new(),
        }
    }
}

fn value(d: &Datum, what: &str) -> Result<Datum, String> {
    match d {
        Datum::Nil => Err(format!("{what} must not be nil")),
        v => Ok(v.clone()),
    }
}

impl Spec for Wor {
    type Input = WorOp;
    type Output = WorRet;
    type State = WorState;

    fn init(&self) -> WorState {
        WorState::default()
    }

    fn input(&self, op: &str, args: &Datum) -> Result<WorOp, String> {
        match op {
            "capture" => no_args(op, args).map(|()| WorOp::Capture),
            "read" => no_args(op, args).map(|()| WorOp::Read),
            "write" => {
                let (id, v) = pair(args, "write's arguments [id value]")?;
                Ok(WorOp::Write(
                    CaptureId::read(id)?,
                    value(v, "a written value")?,
                ))
            }
            _ => Err(unknown_op(op, &["capture", "write", "read"])),
        }
    }

    fn output(&self, input: &WorOp, result: &Datum) -> Result<WorRet, String> {
        match input {
            WorOp::Capture => CaptureId::read(result).map(WorRet::Captured),
            WorOp::Write(..) => value(result, "write's result").map(WorRet::Written),
            WorOp::Read => Ok(WorRet::Read(match result {
                Datum::Nil => None,
                v => Some(v.clone()),
            })),
        }
    }

    fn step(&self, s: &WorState, input: &WorOp, output: Option<&WorRet>) -> Option<WorState> {
        match (input, output) {
            (WorOp::Capture, Some(WorRet::Captured(id))) => {
                (s.latest.as_ref() < Some(id)).then(|| WorState {
                    latest: Some(id.clone()),
                    ..s.clone()
                })
            }
            (WorOp::Write(id, v), Some(WorRet::Written(w))) => {
                (s.latest.as_ref() == Some(id) && s.may_hold(w, Some(v))).then(|| s.hold(w))
            }
            (WorOp::Write(_, v), None) => {
                let mut next = s.clone();
                if next.value.is_none() {
                    if let Err(at) = next.pending.binary_search(v) {
                        next.pending.insert(at, v.clone());
                    }
                }
                Some(next)
            }
            (WorOp::Read, Some(WorRet::Read(None))) => s.value.is_none().then(|| s.clone()),
            (WorOp::Read, Some(WorRet::Read(Some(w)))) => s.may_hold(w, None).then(|| s.hold(w)),
            // Unknown captures and reads are moot: they change nothing anyone can see.
            (WorOp::Capture | WorOp::Read, None) => Some(s.clone()),
            _ => None,
        }
    }

    fn unknown_is_moot(&self, input: &WorOp) -> bool {
        matches!(input, WorOp::Capture | WorOp::Read)
    }

    /// A capture of unknown outcome changes nothing only because nobody writes with an id they
    /// never learnt; a capture whose result was forgotten may have writes that use its id.
    fn may_forget(&self, input: &WorOp) -> bool {
        *input != WorOp::Capture
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(i: i64) -> CaptureId {
        CaptureId(vec![i])
    }

    fn a() -> Datum {
        Datum::Str("A".into())
    }

    fn b() -> Datum {
        Datum::Str("B".into())
    }

    fn step(s: &WorState, op: WorOp, ret: Option<WorRet>) -> Option<WorState> {
        Wor.step(s, &op, ret.as_ref())
    }

    #[test]
    fn write_needs_the_latest_capture() {
        let s = Wor.init();
        let s1 = step(&s, WorOp::Capture, Some(WorRet::Captured(id(1)))).unwrap();
        assert_eq!(
            step(&s1, WorOp::Capture, Some(WorRet::Captured(id(1)))),
            None,
            "ids only grow"
        );
        let s2 = step(&s1, WorOp::Capture, Some(WorRet::Captured(id(2)))).unwrap();
        let write = |i, v: Datum, w: Datum| (WorOp::Write(id(i), v), Some(WorRet::Written(w)));
        let (op, ret) = write(1, a(), a());
        assert_eq!(step(&s2, op, ret), None, "capture 1 was stolen");
        let (op, ret) = write(2, b(), a());
        assert_eq!(step(&s2, op, ret), None, "A was never proposed");
        let (op, ret) = write(2, b(), b());
        let held = step(&s2, op, ret).unwrap();
        let (op, ret) = write(2, a(), b());
        assert_eq!(step(&held, op, ret), Some(held.clone()), "B won");
        assert_eq!(step(&held, WorOp::Read, Some(WorRet::Read(None))), None);
        assert_eq!(
            step(&held, WorOp::Read, Some(WorRet::Read(Some(b())))),
            Some(held.clone())
        );
    }

    #[test]
    fn an_unknown_write_may_take_effect_later_or_never() {
        let s = step(&Wor.init(), WorOp::Capture, Some(WorRet::Captured(id(1)))).unwrap();
        let s = step(&s, WorOp::Write(id(1), a()), None).unwrap();
        let s = step(&s, WorOp::Capture, Some(WorRet::Captured(id(2)))).unwrap();
        assert_eq!(
            step(&s, WorOp::Read, Some(WorRet::Read(None))),
            Some(s.clone()),
            "not yet"
        );
        let won = step(&s, WorOp::Write(id(2), b()), Some(WorRet::Written(a()))).unwrap();
        assert_eq!(
            step(&won, WorOp::Read, Some(WorRet::Read(Some(a())))),
            Some(won.clone())
        );
        assert_eq!(step(&won, WorOp::Read, Some(WorRet::Read(None))), None);
        let lost = step(&s, WorOp::Write(id(2), b()), Some(WorRet::Written(b()))).unwrap();
        assert_eq!(
            step(&lost, WorOp::Read, Some(WorRet::Read(Some(a())))),
            None,
            "B won, so A never will"
        );
    }

    #[test]
    fn reads_operations() {
        let write = Datum::List(vec![Datum::List(vec![Datum::Int(2), Datum::Int(0)]), a()]);
        assert_eq!(
            Wor.input("write", &write),
            Ok(WorOp::Write(CaptureId(vec![2, 0]), a()))
        );
        assert_eq!(
            Wor.input("write", &Datum::List(vec![Datum::Str("x".into()), a()])),
            Err("a capture id must be an integer or a list of integers, not \"x\"".into())
        );
        assert_eq!(
            Wor.input("write", &Datum::List(vec![Datum::Int(1), Datum::Nil])),
            Err("a written value must not be nil".into())
        );
        assert_eq!(
            Wor.output(&WorOp::Read, &Datum::Nil),
            Ok(WorRet::Read(None))
        );
        assert!(CaptureId(vec![1, 5]) < CaptureId(vec![2, 0]));
    }
}
