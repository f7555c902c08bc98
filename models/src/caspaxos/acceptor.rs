//! The acceptor: per key a promise and an accepted (ballot, state), and per proposer the
//! youngest age it still accepts messages from. All of it is durable: saved in the same step
//! as the reply, i.e. before the reply leaves.

use super::{AcceptorState, Ballot, CasActor, CasBug, CasMsg, Slot};
use stateright::actor::{Id, Out};

/// One acceptor step on a message from `src` (proposer index `from`, if a proposer sent it):
/// the new state if it changed.
pub fn step(
    bug: Option<CasBug>,
    s: &AcceptorState,
    src: Id,
    from: Option<usize>,
    msg: CasMsg,
    o: &mut Out<CasActor>,
) -> Option<AcceptorState> {
    // The GC's age check (§3.1 step 2c): a message from a proposer older than the age the GC
    // recorded for it was sent before the GC reached that proposer, and is rejected.
    let too_old =
        |age: u8| bug != Some(CasBug::GcWithoutAgeCheck) && from.is_some_and(|p| age < s.ages[p]);
    let mut next = *s;
    match msg {
        CasMsg::Prepare { key, ballot, age } => {
            let slot = &mut next.slots[key as usize];
            if ballot < slot.promised || too_old(age) {
                o.send(src, nack(key, ballot, slot.promised));
                return None;
            }
            slot.promised = ballot;
            o.send(
                src,
                CasMsg::Promise {
                    key,
                    ballot,
                    accepted: slot.accepted,
                },
            );
        }
        CasMsg::Accept {
            key,
            ballot,
            state,
            next: piggybacked,
            age,
        } => {
            let slot = &mut next.slots[key as usize];
            let lower = ballot < slot.promised && bug != Some(CasBug::AcceptLowerBallot);
            if lower || too_old(age) {
                o.send(src, nack(key, ballot, slot.promised));
                return None;
            }
            slot.accepted = Some((ballot, state));
            // With the one-round-trip optimisation the accept carries the next prepare.
            slot.promised = slot.promised.max(piggybacked.unwrap_or(ballot));
            o.send(src, CasMsg::Accepted { key, ballot });
        }
        CasMsg::SetAges(ages) => {
            for (have, new) in next.ages.iter_mut().zip(ages) {
                *have = (*have).max(new);
            }
            o.send(src, CasMsg::AgesSet);
        }
        CasMsg::Remove { key, tombstone } => {
            let slot = &mut next.slots[key as usize];
            if slot.accepted == Some((tombstone, None)) {
                *slot = Slot::default();
            }
            o.send(src, CasMsg::Removed);
        }
        _ => return None,
    }
    if next == *s {
        return None;
    }
    o.save(next);
    Some(next)
}

fn nack(key: u8, ballot: Ballot, promised: Ballot) -> CasMsg {
    CasMsg::Nack {
        key,
        ballot,
        promised,
    }
}
