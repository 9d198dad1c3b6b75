//! [`Baseline`]: an object's state as of its last load or flush, taken at the first write
//! after it. The flush diffs the object against it (only changed columns are written), and
//! once flushed it is the transaction's rollback snapshot (`journal/`).
//!
//! For a model without relationships the baseline is the row's column values packed into
//! one byte buffer (`packed.rs`): one allocation of about the row's encoded size instead of
//! a clone of the struct and of each of its strings (for the benchmark's `Student`, 96 bytes
//! instead of 224, and a third of the instructions). A model with relationships (whose fields
//! the flush also diffs), or a value that packs to none of the simple SQL types, keeps a full
//! copy of the object.

mod packed;

use std::borrow::Cow;

use cinnabar_core::{Result, ValueRef};

use crate::model::Model;
use crate::persist::column_set::ColumnSet;
use crate::relation::hooks::RelationHooks;

/// An object's state before its unflushed changes; see the module docs.
pub(crate) struct Baseline<T>(Repr<T>);

/// Rows packing into at most this many bytes are kept in the baseline's own allocation.
const INLINE: usize = 70;

enum Repr<T> {
    Full(Box<T>),
    /// A row packed into `bytes[..len]`: one allocation of 72 bytes in all.
    Inline {
        len: u8,
        bytes: [u8; INLINE],
    },
    /// A longer row.
    Packed(Box<[u8]>),
}

impl<T> Repr<T> {
    fn packed(&self) -> Option<&[u8]> {
        match self {
            Repr::Full(_) => None,
            Repr::Inline { len, bytes } => Some(&bytes[..usize::from(*len)]),
            Repr::Packed(b) => Some(b),
        }
    }
}

impl<T: Model> Baseline<T> {
    /// Records `value`'s state: packed when the model and the values allow, else a copy.
    pub(crate) fn of(value: &T) -> Box<Self> {
        if !T::HAS_RELATIONS {
            let mut bytes = [0u8; INLINE];
            match packed::pack(value, &mut bytes) {
                Some(packed::Packed::Inline(len)) => {
                    return Box::new(Baseline(Repr::Inline {
                        len: len as u8,
                        bytes,
                    }))
                }
                Some(packed::Packed::Long(b)) => return Box::new(Baseline(Repr::Packed(b))),
                None => {}
            }
        }
        Baseline::full(value.clone())
    }

    /// A baseline that is this copy of the object.
    pub(crate) fn full(value: T) -> Box<Self> {
        Box::new(Baseline(Repr::Full(Box::new(value))))
    }

    /// The object as recorded: `current` with the recorded columns put back (a packed
    /// baseline only records columns, and only models without relationships are packed).
    pub(crate) fn to_value(&self, current: &T) -> T {
        if let Repr::Full(b) = &self.0 {
            return (**b).clone();
        }
        let mut v = current.clone();
        packed::restore(self.0.packed().unwrap_or_default(), &mut v);
        v
    }

    /// Puts the recorded state into `value`.
    pub(crate) fn restore_into(self, value: &mut T) {
        match self.0 {
            Repr::Full(b) => *value = *b,
            ref packed => packed::restore(packed.packed().unwrap_or_default(), value),
        }
    }

    /// The recorded state as a full copy, converting a packed baseline in place (the rare
    /// paths that change a baseline: bulk updates, relationship loads).
    pub(crate) fn full_mut(&mut self, current: &T) -> &mut T {
        if !matches!(self.0, Repr::Full(_)) {
            self.0 = Repr::Full(Box::new(self.to_value(current)));
        }
        match &mut self.0 {
            Repr::Full(b) => b,
            _ => unreachable!("converted just above"),
        }
    }

    /// The recorded state as an object: borrowed when it is a copy, else rebuilt from
    /// `current`.
    pub(crate) fn as_value<'a>(&'a self, current: &T) -> Cow<'a, T> {
        match &self.0 {
            Repr::Full(b) => Cow::Borrowed(&**b),
            _ => Cow::Owned(self.to_value(current)),
        }
    }

    /// The recorded key (`current`'s own when its key columns are unchanged).
    pub(crate) fn key(&self, current: &T) -> Option<T::Key> {
        match &self.0 {
            Repr::Full(b) => b.key(),
            packed => {
                if packed::changed(packed.packed().unwrap_or_default(), current, T::PRIMARY_KEY) {
                    self.to_value(current).key()
                } else {
                    current.key()
                }
            }
        }
    }

    /// The recorded value of column `idx`.
    ///
    /// # Errors
    /// As [`Model::column_value`], or an internal error for a damaged buffer.
    pub(crate) fn column_value(&self, idx: usize) -> Result<ValueRef<'_>> {
        match &self.0 {
            Repr::Full(b) => b.column_value(idx),
            packed => packed::column(packed.packed().unwrap_or_default(), idx),
        }
    }

    /// The columns in which `current` differs from the recorded state.
    pub(crate) fn changed_columns(&self, current: &T) -> ColumnSet {
        let mut mask = ColumnSet::empty();
        match &self.0 {
            Repr::Full(b) => {
                for i in 0..T::COLUMNS.len() {
                    if current.column_changed(b, i) {
                        mask.insert(i);
                    }
                }
            }
            packed => packed::changed_into(packed.packed().unwrap_or_default(), current, &mut mask),
        }
        mask
    }

    /// A copy of this baseline (a savepoint's record of an object's state).
    pub(crate) fn duplicate(&self) -> Box<Self> {
        Box::new(Baseline(match &self.0 {
            Repr::Full(b) => Repr::Full(b.clone()),
            Repr::Inline { len, bytes } => Repr::Inline {
                len: *len,
                bytes: *bytes,
            },
            Repr::Packed(bytes) => Repr::Packed(bytes.clone()),
        }))
    }
}
