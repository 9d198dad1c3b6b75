//! [`ColumnSet`]: a set of a model's column positions, as the flush uses them (the columns an
//! INSERT sends, the columns an UPDATE sets). One `u128` bit per column, so it is `Copy` and
//! hashes cheaply as part of a statement shape; the session supports models of at most
//! [`ColumnSet::CAPACITY`] columns (checked at INSERT).

/// A set of column positions, each below [`ColumnSet::CAPACITY`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct ColumnSet(u128);

impl ColumnSet {
    /// The most columns a set can hold: positions `0..128`.
    pub(crate) const CAPACITY: usize = 128;

    /// No column.
    pub(crate) const fn empty() -> Self {
        ColumnSet(0)
    }

    /// The columns `0..n` (all [`ColumnSet::CAPACITY`] of them when `n` is that or more).
    pub(crate) const fn all(n: usize) -> Self {
        if n >= Self::CAPACITY {
            ColumnSet(u128::MAX)
        } else {
            ColumnSet((1u128 << n) - 1)
        }
    }

    /// Whether column `i` is in the set.
    #[inline]
    pub(crate) fn contains(self, i: usize) -> bool {
        self.0 & (1u128 << i) != 0
    }

    /// Adds column `i`.
    #[inline]
    pub(crate) fn insert(&mut self, i: usize) {
        self.0 |= 1u128 << i;
    }

    /// Takes column `i` out.
    #[inline]
    pub(crate) fn remove(&mut self, i: usize) {
        self.0 &= !(1u128 << i);
    }

    /// This set without column `i`.
    #[inline]
    pub(crate) fn without(mut self, i: usize) -> Self {
        self.remove(i);
        self
    }

    /// How many columns the set holds.
    #[inline]
    pub(crate) fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether the set holds no column.
    #[inline]
    pub(crate) fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The positions in the set, in increasing order.
    #[inline]
    pub(crate) fn iter(self) -> Columns {
        Columns(self.0)
    }
}

impl FromIterator<usize> for ColumnSet {
    fn from_iter<I: IntoIterator<Item = usize>>(iter: I) -> Self {
        let mut set = ColumnSet::empty();
        for i in iter {
            set.insert(i);
        }
        set
    }
}

impl std::fmt::Debug for ColumnSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// The positions of a [`ColumnSet`], in increasing order.
pub(crate) struct Columns(u128);

impl Iterator for Columns {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        if self.0 == 0 {
            return None;
        }
        let i = self.0.trailing_zeros() as usize;
        self.0 &= self.0 - 1;
        Some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_holds_the_first_n_columns() {
        assert!(ColumnSet::all(0).is_empty());
        assert_eq!(ColumnSet::all(3).iter().collect::<Vec<_>>(), vec![0, 1, 2]);
        assert_eq!(ColumnSet::all(3).len(), 3);
        assert!(!ColumnSet::all(3).contains(3));
        assert_eq!(ColumnSet::all(127).len(), 127);
        assert!(!ColumnSet::all(127).contains(127));
        assert_eq!(ColumnSet::all(128).len(), 128);
        assert!(ColumnSet::all(128).contains(127));
        assert_eq!(ColumnSet::all(500), ColumnSet::all(128));
    }

    #[test]
    fn insert_remove_and_contains() {
        let mut s = ColumnSet::empty();
        assert!(s.is_empty());
        s.insert(0);
        s.insert(5);
        s.insert(127);
        s.insert(5);
        assert_eq!(s.len(), 3);
        assert!(s.contains(0) && s.contains(5) && s.contains(127));
        assert!(!s.contains(1) && !s.contains(64));
        s.remove(5);
        s.remove(6);
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![0, 127]);
        assert_eq!(s.without(0).iter().collect::<Vec<_>>(), vec![127]);
        assert_eq!(
            s.len(),
            2,
            "without() leaves the set it was called on alone"
        );
        s.remove(0);
        s.remove(127);
        assert!(s.is_empty());
        assert_eq!(s, ColumnSet::empty());
    }

    #[test]
    fn iter_is_increasing_and_collect_round_trips() {
        let positions = vec![1, 2, 63, 64, 65, 100, 127];
        let s: ColumnSet = positions.iter().copied().collect();
        assert_eq!(s.iter().collect::<Vec<_>>(), positions);
        let again: ColumnSet = s.iter().collect();
        assert_eq!(again, s);
        assert_eq!(format!("{s:?}"), "{1, 2, 63, 64, 65, 100, 127}");
        assert_eq!(ColumnSet::empty().iter().next(), None);
    }

    #[test]
    fn equality_and_hash_follow_the_positions() {
        use std::collections::HashSet;
        let a: ColumnSet = [3, 1].into_iter().collect();
        let b: ColumnSet = [1, 3].into_iter().collect();
        assert_eq!(a, b);
        assert_ne!(a, ColumnSet::all(4));
        let set: HashSet<ColumnSet> = [a, b, ColumnSet::all(4)].into_iter().collect();
        assert_eq!(set.len(), 2);
        assert_eq!(ColumnSet::all(4).without(0).without(2), a);
    }
}
