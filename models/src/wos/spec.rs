//! The abstract address space: a WOR spec per address, and two flags per segment.
//!
//! - Every address holds a [`WorObject`], the abstract register of [`crate::wor::spec`]; the
//!   address space's steps on one WOR are that object's steps. Writing a segment's metadata
//!   WOR is `alloc`: from then on the segment is *allocated*, for good (a WOR is written once).
//! - A data WOR changes only in an allocated segment: nobody captures or writes into a
//!   segment before it is allocated.
//! - A batch capture or batch write is several WOR steps at once, one per data WOR of one
//!   segment, each a capture or a write step of that WOR.
//! - `trim(s)` is possible once the segment's trim WOR is written. The segment is then
//!   *trimmed*: its WORs and its allocated flag are gone, only the fact that it was trimmed
//!   remains, and nothing about it changes again.

use super::{Entries, Layout, DATA, META, TRIM};
use crate::wor::spec::{WorObject, WorOp, WorRet};
use stateright::semantics::SequentialSpec;
use std::fmt;
use worm_refinement::StepSpec;

/// The abstract state: per address a WOR, per segment the allocated and trimmed flags (bit
/// `s`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct WosSpace {
    pub wors: Vec<WorObject>,
    pub allocated: u8,
    pub trimmed: u8,
}

impl WosSpace {
    fn is(bits: u8, seg: u8) -> bool {
        bits & (1 << seg) != 0
    }
}

impl fmt::Debug for WosSpace {
    /// The flags, and the WORs that are not blank, by flat address.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let blank = WorObject::default();
        let mut d = f.debug_struct("WosSpace");
        d.field("allocated", &format_args!("{:#b}", self.allocated));
        d.field("trimmed", &format_args!("{:#b}", self.trimmed));
        for (i, w) in self.wors.iter().enumerate() {
            if *w != blank {
                d.field(&format!("@{i}"), w);
            }
        }
        d.finish()
    }
}

/// A step of the address space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WosStep {
    /// One WOR (by flat address) takes a step of the WOR spec.
    Wor(u8, WorOp, WorRet),
    /// Several data WORs of one segment take a capture or write step each, at once.
    Batch(u8, Entries<(WorOp, WorRet)>),
    /// The segment is trimmed.
    Trim(u8),
}

/// The address space as a stateright model, the high level of the refinement check.
pub struct WosSpec {
    pub layout: Layout,
    pub init: WosSpace,
}

impl WosSpec {
    /// The blank address space: every WOR unwritten, nothing allocated or trimmed.
    pub fn new(layout: Layout, blank: WorObject) -> Self {
        WosSpec {
            layout,
            init: WosSpace {
                wors: vec![blank; layout.addresses()],
                allocated: 0,
                trimmed: 0,
            },
        }
    }

    /// Whether the WOR at `(seg, off)` may change in `s`.
    fn may_change(s: &WosSpace, seg: u8, off: u8) -> bool {
        !WosSpace::is(s.trimmed, seg) && (off < DATA || WosSpace::is(s.allocated, seg))
    }

    /// The capture and write steps of data WOR `off` of `seg`: what a batch does to it.
    fn batch_steps(&self, s: &WosSpace, seg: u8, off: u8) -> Vec<(WorOp, WorRet)> {
        let mut steps = s.wors[self.layout.addr(seg, off)].steps();
        steps.retain(|(op, _)| !matches!(op, WorOp::Read));
        steps
    }
}

impl stateright::Model for WosSpec {
    type State = WosSpace;
    type Action = WosStep;

    fn init_states(&self) -> Vec<WosSpace> {
        vec![self.init.clone()]
    }

    fn actions(&self, s: &WosSpace, actions: &mut Vec<WosStep>) {
        for seg in 0..self.layout.segments {
            for off in 0..self.layout.wors_per_segment() {
                if Self::may_change(s, seg, off) {
                    let addr = self.layout.addr(seg, off);
                    actions.extend(
                        s.wors[addr]
                            .steps()
                            .into_iter()
                            .map(|(op, ret)| WosStep::Wor(addr as u8, op, ret)),
                    );
                }
            }
            if self.layout.data >= 2 && Self::may_change(s, seg, DATA) {
                // Every combination of steps of at least two data WORs.
                let mut combos = vec![Entries::default()];
                for off in self.layout.data_offsets() {
                    let steps = self.batch_steps(s, seg, off);
                    combos = combos
                        .into_iter()
                        .flat_map(|c: Entries<(WorOp, WorRet)>| {
                            let with = steps.iter().map(move |&step| {
                                let mut c = c;
                                c.push(off, step);
                                c
                            });
                            std::iter::once(c).chain(with)
                        })
                        .collect();
                }
                actions.extend(
                    combos
                        .into_iter()
                        .filter(|c| c.iter().count() >= 2)
                        .map(|c| WosStep::Batch(seg, c)),
                );
            }
            let trim = &s.wors[self.layout.addr(seg, TRIM)];
            if !WosSpace::is(s.trimmed, seg) && trim.value.is_some() {
                actions.push(WosStep::Trim(seg));
            }
        }
    }

    fn next_state(&self, s: &WosSpace, step: WosStep) -> Option<WosSpace> {
        let mut next = s.clone();
        match step {
            WosStep::Wor(addr, op, ret) => {
                let (seg, off) = self.layout.split(usize::from(addr));
                if !Self::may_change(s, seg, off) {
                    return None;
                }
                if !next.wors[usize::from(addr)].is_valid_step(&op, &ret) {
                    return None;
                }
                if off == META && next.wors[usize::from(addr)].value.is_some() {
                    next.allocated |= 1 << seg;
                }
            }
            WosStep::Batch(seg, steps) => {
                for (off, (op, ret)) in steps.iter() {
                    let wor = &mut next.wors[self.layout.addr(seg, off)];
                    if off < DATA || !Self::may_change(s, seg, off) || !wor.is_valid_step(&op, &ret)
                    {
                        return None;
                    }
                }
            }
            WosStep::Trim(seg) => {
                let trim = &s.wors[self.layout.addr(seg, TRIM)];
                if WosSpace::is(s.trimmed, seg) || trim.value.is_none() {
                    return None;
                }
                next.trimmed |= 1 << seg;
                next.allocated &= !(1 << seg);
                for off in 0..self.layout.wors_per_segment() {
                    let wor = &mut next.wors[self.layout.addr(seg, off)];
                    *wor = WorObject {
                        domain: wor.domain,
                        ..WorObject::default()
                    };
                }
            }
        }
        Some(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wor::spec::Domain;
    use crate::wor::Ballot;
    use stateright::Model;

    fn spec(data: u8) -> WosSpec {
        let layout = Layout {
            segments: 1,
            data,
            partitions: 1,
            acceptors: 3,
            notify_all: false,
        };
        WosSpec::new(
            layout,
            WorObject::new(Domain {
                ballots: vec![Ballot::new(1, 0), Ballot::new(1, 1)],
                values: vec!['A', 'B'],
            }),
        )
    }

    fn step(m: &WosSpec, s: &WosSpace, step: WosStep) -> Option<WosSpace> {
        let mut actions = Vec::new();
        m.actions(s, &mut actions);
        let next = m.next_state(s, step);
        assert_eq!(
            next.is_some(),
            actions.contains(&step),
            "{step:?} listed iff valid"
        );
        next
    }

    #[test]
    fn data_waits_for_alloc_and_trim_ends_everything() {
        let m = spec(1);
        let b = Ballot::new(1, 0);
        let s = m.init.clone();
        let d0 = WosStep::Wor(2, WorOp::Capture(0), WorRet::Captured(b));
        assert!(step(&m, &s, d0).is_none(), "unallocated");
        let s = step(
            &m,
            &s,
            WosStep::Wor(0, WorOp::Capture(0), WorRet::Captured(b)),
        )
        .unwrap();
        let s = step(
            &m,
            &s,
            WosStep::Wor(0, WorOp::Write(b, 'A'), WorRet::Written('A')),
        )
        .unwrap();
        assert_eq!(s.allocated, 1);
        let s = step(&m, &s, d0).unwrap();
        assert!(
            step(&m, &s, WosStep::Trim(0)).is_none(),
            "trim WOR unwritten"
        );
        let s = step(
            &m,
            &s,
            WosStep::Wor(1, WorOp::Capture(0), WorRet::Captured(b)),
        )
        .unwrap();
        let s = step(
            &m,
            &s,
            WosStep::Wor(1, WorOp::Write(b, 'A'), WorRet::Written('A')),
        )
        .unwrap();
        let s = step(&m, &s, WosStep::Trim(0)).unwrap();
        assert_eq!((s.allocated, s.trimmed), (0, 1));
        let blank = WorObject {
            domain: s.wors[2].domain,
            ..WorObject::default()
        };
        assert_eq!(s.wors[2], blank);
        let d0 = WosStep::Wor(2, WorOp::Capture(1), WorRet::Captured(Ballot::new(1, 1)));
        assert!(step(&m, &s, d0).is_none(), "trimmed");
    }

    #[test]
    fn a_batch_steps_several_data_wors_at_once() {
        let m = spec(2);
        let b = Ballot::new(1, 0);
        let mut s = m.init.clone();
        s = step(
            &m,
            &s,
            WosStep::Wor(0, WorOp::Capture(0), WorRet::Captured(b)),
        )
        .unwrap();
        s = step(
            &m,
            &s,
            WosStep::Wor(0, WorOp::Write(b, 'A'), WorRet::Written('A')),
        )
        .unwrap();
        let capture = (WorOp::Capture(0), WorRet::Captured(b));
        let both: Entries<_> = [(2, capture), (3, capture)].into_iter().collect();
        s = step(&m, &s, WosStep::Batch(0, both)).unwrap();
        assert_eq!(s.wors[2].latest, Some(b));
        assert_eq!(s.wors[3].latest, Some(b));
        let meta: Entries<_> = [(0, capture), (2, capture)].into_iter().collect();
        assert!(m.next_state(&s, WosStep::Batch(0, meta)).is_none());
    }
}
