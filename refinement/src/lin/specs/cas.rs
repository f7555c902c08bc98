//! A compare-and-set register, as Jepsen and Knossos have it (and as the CASPaxos store will
//! offer): the value starts empty (`nil`); `read` returns it, `write(v)` sets it, and
//! `cas(old, new)` sets it to `new` if it is `old`.
//!
//! In a history: `read` takes no arguments and returns the value (`nil` if empty); `write`
//! takes the value; `cas` takes the pair `[old new]`. A `cas` that completes `ok` swapped; one
//! that completes `fail` did not, and, like every failed operation, is left out.

use super::{no_args, pair, unknown_op, Datum, Spec};
use std::fmt;

pub struct Cas;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CasOp {
    Read,
    Write(Datum),
    Cas(Datum, Datum),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CasRet {
    Value(Datum),
    Done,
}

impl fmt::Display for CasOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CasOp::Read => write!(f, "read"),
            CasOp::Write(v) => write!(f, "write({v})"),
            CasOp::Cas(old, new) => write!(f, "cas({old}, {new})"),
        }
    }
}

impl fmt::Display for CasRet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CasRet::Value(v) => write!(f, "{v}"),
            CasRet::Done => write!(f, "ok"),
        }
    }
}

impl Spec for Cas {
    type Input = CasOp;
    type Output = CasRet;
    type State = Datum;

    fn init(&self) -> Datum {
        Datum::Nil
    }

    fn input(&self, op: &str, args: &Datum) -> Result<CasOp, String> {
        match op {
            "read" => no_args(op, args).map(|()| CasOp::Read),
            "write" => Ok(CasOp::Write(args.clone())),
            "cas" => pair(args, "cas's argument").map(|(o, n)| CasOp::Cas(o.clone(), n.clone())),
            _ => Err(unknown_op(op, &["read", "write", "cas"])),
        }
    }

    fn output(&self, input: &CasOp, result: &Datum) -> Result<CasRet, String> {
        Ok(match input {
            CasOp::Read => CasRet::Value(result.clone()),
            CasOp::Write(_) | CasOp::Cas(..) => CasRet::Done,
        })
    }

    fn step(&self, state: &Datum, input: &CasOp, output: Option<&CasRet>) -> Option<Datum> {
        match (input, output) {
            (CasOp::Read, Some(CasRet::Value(v))) => (state == v).then(|| state.clone()),
            (CasOp::Read, _) => Some(state.clone()),
            (CasOp::Write(v), _) => Some(v.clone()),
            (CasOp::Cas(old, new), _) => (state == old).then(|| new.clone()),
        }
    }

    fn unknown_is_moot(&self, input: &CasOp) -> bool {
        *input == CasOp::Read
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps() {
        let one = Datum::Int(1);
        let two = Datum::Int(2);
        let s = Cas.init();
        let read = |v: &Datum| Some(CasRet::Value(v.clone()));
        assert_eq!(
            Cas.step(&s, &CasOp::Read, read(&Datum::Nil).as_ref()),
            Some(s.clone())
        );
        assert_eq!(Cas.step(&s, &CasOp::Read, read(&one).as_ref()), None);
        let cas = CasOp::Cas(one.clone(), two.clone());
        assert_eq!(
            Cas.step(&s, &cas, Some(&CasRet::Done)),
            None,
            "nil is not 1"
        );
        assert_eq!(Cas.step(&s, &cas, None), None, "unknown: still only if 1");
        let s = Cas.step(&s, &CasOp::Write(one.clone()), None).unwrap();
        assert_eq!(Cas.step(&s, &cas, Some(&CasRet::Done)), Some(two.clone()));
        assert!(Cas.unknown_is_moot(&CasOp::Read));
        assert!(!Cas.unknown_is_moot(&cas));
    }

    #[test]
    fn reads_operations() {
        assert_eq!(
            Cas.input("cas", &Datum::List(vec![Datum::Int(1), Datum::Int(2)])),
            Ok(CasOp::Cas(Datum::Int(1), Datum::Int(2)))
        );
        assert_eq!(
            Cas.input("cas", &Datum::Int(1)),
            Err("cas's argument must be a pair, not 1".into())
        );
        assert_eq!(
            Cas.input("read", &Datum::Int(1)),
            Err("read takes no arguments, not 1".into())
        );
    }
}
