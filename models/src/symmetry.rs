//! What the models' symmetry reductions share: renaming the first `n` actors into a canonical
//! order.

/// The order that sorts actors `0..n` by `cmp` (stably: actors that compare equal keep their
/// order), as `(order, perm)` with `order[new] = old` and `perm[old] = new`; `None` when the
/// actors are in that order already.
pub fn renaming(
    n: usize,
    mut cmp: impl FnMut(usize, usize) -> std::cmp::Ordering,
) -> Option<(Vec<usize>, Vec<usize>)> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| cmp(i, j));
    if order.iter().enumerate().all(|(new, &old)| new == old) {
        return None;
    }
    let mut perm = vec![0; n];
    for (new, &old) in order.iter().enumerate() {
        perm[old] = new;
    }
    Some((order, perm))
}

/// `v` with its first `order.len()` entries put in `order`, the rest as they are.
pub fn reorder<T: Clone>(v: &[T], order: &[usize]) -> Vec<T> {
    order
        .iter()
        .map(|&old| v[old].clone())
        .chain(v[order.len()..].iter().cloned())
        .collect()
}
