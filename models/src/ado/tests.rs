//! The ADO's step functions on the scenarios of the talk.

use super::objects::{Kv, KvMethod, Ret};
use super::{Ado, Id, Pulled, Pushed};

const KV: Kv = Kv { keys: 1 };

#[test]
fn a_failed_push_takes_effect_through_a_later_pull() {
    let ado = Ado::new(&KV, 2);
    // A pulls from the (empty) tip and sets k0 to 1.
    let ado = ado.pull(&KV, 0, Pulled::Ok(Id::ROOT));
    let (ado, ret) = ado.invoke(&KV, 0, &KvMethod::Set(0, 1));
    assert_eq!(ret, Ret::Unit);
    // B pulls, starting from A's cached entry: A's push now fails.
    let a_entry = Id { ts: 1, depth: 1 };
    assert_eq!(ado.starting_points(None), vec![Id::ROOT, a_entry]);
    let ado = ado.pull(&KV, 1, Pulled::Ok(a_entry));
    assert_eq!(ado.push_outcomes(0, None), vec![Pushed::Fail]);
    // B reads A's write and commits both calls.
    let (ado, ret) = ado.invoke(&KV, 1, &KvMethod::Get(0));
    assert_eq!(ret, Ret::Val(Some(1)));
    assert_eq!(ado.push_outcomes(1, None), vec![Pushed::Ok, Pushed::Fail]);
    let ado = ado.push(1, Pushed::Ok);
    assert_eq!(ado.log.len(), 2);
    assert!(ado.cache.is_empty());
    assert_eq!(ado.committed_state(&KV), vec![Some((1, 1))]);
}

#[test]
fn a_push_prunes_the_branches_it_supersedes() {
    let ado = Ado::new(&KV, 2).pull(&KV, 0, Pulled::Ok(Id::ROOT));
    let (ado, _) = ado.invoke(&KV, 0, &KvMethod::Set(0, 1));
    // B ignores A's entry and starts from the tip.
    let ado = ado.pull(&KV, 1, Pulled::Ok(Id::ROOT));
    let (ado, ret) = ado.invoke(&KV, 1, &KvMethod::Get(0));
    assert_eq!(ret, Ret::Val(None));
    assert_eq!(ado.cache.len(), 2);
    let ado = ado.push(1, Pushed::Ok);
    assert_eq!(ado.log.len(), 1);
    assert!(ado.cache.is_empty(), "A's branch does not extend the tip");
    // A's later calls stay local, and its push keeps failing.
    let (ado, _) = ado.invoke(&KV, 0, &KvMethod::Set(0, 2));
    assert!(ado.nodes[0].detached);
    assert_eq!(ado.push_outcomes(0, None), vec![Pushed::Fail]);
}

#[test]
fn a_preempting_failed_pull_invalidates_earlier_pulls() {
    let ado = Ado::new(&KV, 2).pull(&KV, 0, Pulled::Ok(Id::ROOT));
    let ado = ado.pull(&KV, 1, Pulled::Preempted);
    assert_eq!(ado.nodes[1].ts, 0);
    assert_eq!(ado.push_outcomes(0, None), vec![Pushed::Fail]);
    assert_eq!(ado.push_outcomes(1, None), vec![Pushed::Fail]);
}
