//! What the models' symmetry reductions share: renaming the first `n` actors into a canonical
//! order.

/// A renaming of actors `0..n` (at most [`Renaming::MAX`]): `order[new] = old` and
/// `perm[old] = new`. Fixed arrays, because a canonicaliser runs for every generated state.
pub struct Renaming {
    n: usize,
    order: [usize; Renaming::MAX],
    perm: [usize; Renaming::MAX],
}

impl Renaming {
    pub const MAX: usize = 8;

    /// Old name by new name.
    pub fn order(&self) -> &[usize] {
        &self.order[..self.n]
    }

    /// New name by old name.
    pub fn perm(&self) -> &[usize] {
        &self.perm[..self.n]
    }

    /// The new name of actor `i`; actors from `n` on keep theirs.
    pub fn rename(&self, i: u8) -> u8 {
        self.perm().get(usize::from(i)).map_or(i, |&j| j as u8)
    }
}

/// The renaming that sorts actors `0..n` by `cmp` (stably: actors that compare equal keep
/// their order); `None` when the actors are in that order already.
pub fn renaming(
    n: usize,
    mut cmp: impl FnMut(usize, usize) -> std::cmp::Ordering,
) -> Option<Renaming> {
    assert!(
        n <= Renaming::MAX,
        "at most {} actors rename",
        Renaming::MAX
    );
    let mut order = [0; Renaming::MAX];
    for (i, slot) in order.iter_mut().enumerate() {
        *slot = i;
    }
    order[..n].sort_by(|&i, &j| cmp(i, j));
    if order[..n].iter().enumerate().all(|(new, &old)| new == old) {
        return None;
    }
    let mut perm = [0; Renaming::MAX];
    for (new, &old) in order[..n].iter().enumerate() {
        perm[old] = new;
    }
    Some(Renaming { n, order, perm })
}

/// `v` with its first `order.len()` entries put in `order`, the rest as they are.
pub fn reorder<T: Clone>(v: &[T], order: &[usize]) -> Vec<T> {
    order
        .iter()
        .map(|&old| v[old].clone())
        .chain(v[order.len()..].iter().cloned())
        .collect()
}

/// Puts `v[order[k]]` at `k` for each `k < order.len()`, in place: each cycle of the
/// permutation is walked once, one swap per element.
pub fn reorder_in_place<T>(v: &mut [T], order: &[usize]) {
    let mut placed = 0u64;
    for start in 0..order.len() {
        let mut k = start;
        while placed & 1 << k == 0 {
            placed |= 1 << k;
            let from = order[k];
            if from == start {
                break;
            }
            v.swap(k, from);
            k = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reorder_in_place_is_reorder() {
        let v = [10, 11, 12, 13, 14];
        for order in [
            [0, 1, 2, 3],
            [1, 0, 2, 3],
            [3, 0, 1, 2],
            [1, 2, 3, 0],
            [2, 3, 0, 1],
        ] {
            let mut w = v;
            reorder_in_place(&mut w, &order);
            assert_eq!(w.to_vec(), reorder(&v, &order), "{order:?}");
        }
    }

    #[test]
    fn renaming_sorts_stably() {
        let keys = [2, 1, 2, 0];
        let r = renaming(4, |i, j| keys[i].cmp(&keys[j])).expect("not sorted");
        assert_eq!(r.order(), [3, 1, 0, 2]);
        assert_eq!(r.perm(), [2, 1, 3, 0]);
        assert_eq!((r.rename(0), r.rename(5)), (2, 5));
        assert!(renaming(3, |i, j| i.cmp(&j)).is_none());
    }
}
