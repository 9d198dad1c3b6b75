//! [`ColumnSet`]: a set of a model's column positions, as the flush uses them (the columns an
//! INSERT sends, the columns an UPDATE sets; part of a statement's cache key). Positions
//! below 128 are bits of an inline `u128`; a model with more columns keeps the positions
//! from 128 up in a heap word list, allocated only when such a position is in the set, so a
//! model of at most 128 columns never allocates and any width works.

/// A set of column positions, of any size.
///
/// The representation is canonical (the heap part is `None` when no position of 128 or more
/// is in the set, and otherwise ends with a non-zero word), so the derived equality and hash
/// follow the positions.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub(crate) struct ColumnSet {
    /// Positions `0..128`, one bit each.
    low: u128,
    /// Positions `128..`: position `128 + 64 * w + b` is bit `b` of word `w`.
    high: Option<Box<[u64]>>,
}

/// How many positions the inline part holds.
const INLINE: usize = 128;

impl ColumnSet {
    /// No column.
    pub(crate) const fn empty() -> Self {
        ColumnSet { low: 0, high: None }
    }

    /// The columns `0..n`.
    pub(crate) fn all(n: usize) -> Self {
        if n <= INLINE {
            let low = if n == INLINE {
                u128::MAX
            } else {
                (1u128 << n) - 1
            };
            return ColumnSet { low, high: None };
        }
        let rest = n - INLINE;
        let mut words = vec![u64::MAX; rest.div_ceil(64)];
        if !rest.is_multiple_of(64) {
            if let Some(last) = words.last_mut() {
                *last = (1u64 << (rest % 64)) - 1;
            }
        }
        ColumnSet {
            low: u128::MAX,
            high: Some(words.into_boxed_slice()),
        }
    }

    /// Whether column `i` is in the set.
    #[inline]
    pub(crate) fn contains(&self, i: usize) -> bool {
        if i < INLINE {
            return self.low & (1u128 << i) != 0;
        }
        let (w, b) = ((i - INLINE) / 64, (i - INLINE) % 64);
        self.high
            .as_deref()
            .and_then(|words| words.get(w))
            .is_some_and(|word| word & (1u64 << b) != 0)
    }

    /// Adds column `i`.
    #[inline]
    pub(crate) fn insert(&mut self, i: usize) {
        if i < INLINE {
            self.low |= 1u128 << i;
        } else {
            self.insert_high(i - INLINE);
        }
    }

    #[cold]
    fn insert_high(&mut self, j: usize) {
        let (w, b) = (j / 64, j % 64);
        let mut words = self.high.take().map(Vec::from).unwrap_or_default();
        if words.len() <= w {
            words.resize(w + 1, 0);
        }
        words[w] |= 1u64 << b;
        self.high = Some(words.into_boxed_slice());
    }

    /// Takes column `i` out.
    #[inline]
    pub(crate) fn remove(&mut self, i: usize) {
        if i < INLINE {
            self.low &= !(1u128 << i);
        } else if self.high.is_some() {
            self.remove_high(i - INLINE);
        }
    }

    #[cold]
    fn remove_high(&mut self, j: usize) {
        let (w, b) = (j / 64, j % 64);
        let Some(words) = self.high.take() else {
            return;
        };
        let mut words = Vec::from(words);
        if let Some(word) = words.get_mut(w) {
            *word &= !(1u64 << b);
        }
        // Canonical form: no trailing zero word, no empty list.
        while words.last() == Some(&0) {
            words.pop();
        }
        if !words.is_empty() {
            self.high = Some(words.into_boxed_slice());
        }
    }

    /// This set without column `i`.
    #[inline]
    pub(crate) fn without(mut self, i: usize) -> Self {
        self.remove(i);
        self
    }

    /// How many columns the set holds.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        let high: u32 = self
            .high
            .as_deref()
            .map_or(0, |words| words.iter().map(|w| w.count_ones()).sum());
        (self.low.count_ones() + high) as usize
    }

    /// Whether the set holds no column.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.low == 0 && self.high.is_none()
    }

    /// The positions in the set, in increasing order.
    #[inline]
    pub(crate) fn iter(&self) -> Columns<'_> {
        Columns {
            low: self.low,
            high: self.high.as_deref().unwrap_or(&[]),
            word: 0,
            bits: 0,
        }
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
pub(crate) struct Columns<'a> {
    /// The inline positions not yet returned.
    low: u128,
    /// The heap words not yet loaded into `bits`.
    high: &'a [u64],
    /// The index in the heap part of the word `bits` came from, plus one (0: none yet).
    word: usize,
    /// The positions of the current heap word not yet returned.
    bits: u64,
}

impl Iterator for Columns<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        if self.low != 0 {
            let i = self.low.trailing_zeros() as usize;
            self.low &= self.low - 1;
            return Some(i);
        }
        if self.bits == 0 && self.high.is_empty() {
            return None;
        }
        self.next_high()
    }
}

impl Columns<'_> {
    #[cold]
    fn next_high(&mut self) -> Option<usize> {
        while self.bits == 0 {
            let (&first, rest) = self.high.split_first()?;
            self.bits = first;
            self.high = rest;
            self.word += 1;
        }
        let b = self.bits.trailing_zeros() as usize;
        self.bits &= self.bits - 1;
        Some(INLINE + (self.word - 1) * 64 + b)
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
        assert!(!ColumnSet::all(128).contains(128));
        for n in [129, 150, 191, 192, 193, 500] {
            let all = ColumnSet::all(n);
            assert_eq!(all.len(), n, "all({n})");
            assert_eq!(all.iter().collect::<Vec<_>>(), (0..n).collect::<Vec<_>>());
            assert!(all.contains(n - 1) && !all.contains(n));
            assert_eq!(all, (0..n).collect::<ColumnSet>(), "all({n}) is canonical");
        }
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
        assert_eq!(s.clone().without(0).iter().collect::<Vec<_>>(), vec![127]);
        assert_eq!(
            s.len(),
            2,
            "without() leaves the set it was cloned from alone"
        );
        s.remove(0);
        s.remove(127);
        assert!(s.is_empty());
        assert_eq!(s, ColumnSet::empty());
    }

    #[test]
    fn positions_past_128_are_their_own() {
        let mut s = ColumnSet::empty();
        s.insert(139);
        assert!(s.contains(139));
        assert!(
            !s.contains(139 - 128) && !s.contains(139 - 64),
            "no wrap-around"
        );
        assert!(!s.contains(138) && !s.contains(140) && !s.contains(1000));
        s.insert(300);
        s.insert(2);
        assert_eq!(s.len(), 3);
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![2, 139, 300]);
        s.remove(300);
        assert_eq!(s, [2, 139].into_iter().collect::<ColumnSet>());
        s.remove(139);
        assert!(!s.is_empty());
        s.remove(2);
        assert!(s.is_empty(), "removing every wide position empties the set");
        assert_eq!(s, ColumnSet::empty());
        assert_eq!(ColumnSet::all(150).without(140).len(), 149);
        assert!(!ColumnSet::all(150).without(140).contains(140));
    }

    #[test]
    fn iter_is_increasing_and_collect_round_trips() {
        let positions = vec![1, 2, 63, 64, 65, 100, 127, 128, 191, 192, 255, 256, 400];
        let s: ColumnSet = positions.iter().copied().collect();
        assert_eq!(s.iter().collect::<Vec<_>>(), positions);
        let again: ColumnSet = s.iter().collect();
        assert_eq!(again, s);
        let narrow: ColumnSet = [1, 2, 63, 64, 65, 100, 127].into_iter().collect();
        assert_eq!(format!("{narrow:?}"), "{1, 2, 63, 64, 65, 100, 127}");
        assert_eq!(ColumnSet::empty().iter().next(), None);
    }

    #[test]
    fn equality_and_hash_follow_the_positions() {
        use std::collections::HashSet;
        let a: ColumnSet = [3, 1].into_iter().collect();
        let b: ColumnSet = [1, 3].into_iter().collect();
        assert_eq!(a, b);
        assert_ne!(a, ColumnSet::all(4));
        let set: HashSet<ColumnSet> = [a.clone(), b, ColumnSet::all(4)].into_iter().collect();
        assert_eq!(set.len(), 2);
        assert_eq!(ColumnSet::all(4).without(0).without(2), a);
        // A wide position added and taken out leaves the same set as never adding it.
        let mut c = a.clone();
        c.insert(500);
        assert_ne!(c, a);
        c.remove(500);
        assert_eq!(c, a);
        let wide: HashSet<ColumnSet> = [ColumnSet::all(200), (0..200).collect()]
            .into_iter()
            .collect();
        assert_eq!(wide.len(), 1);
    }
}
