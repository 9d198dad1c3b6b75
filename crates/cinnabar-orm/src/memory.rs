//! What one loaded object costs in memory, part by part: the figures docs/SESSION.md
//! tabulates and the facade's `object_size` test pins, so a change that grows a loaded
//! object shows up as a failing test (and an update of the table) instead of going unseen.

use std::mem::size_of;

use crate::baseline::Baseline;
use crate::handle::{Handle, Obj, Slot};
use crate::model::Model;

/// Sizes in bytes of the parts of one loaded `T` (`size_of`, before the allocator's own
/// rounding and header).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectSizes {
    /// The model struct itself (its strings' and vectors' heap parts come on top, as in any
    /// program holding the same values).
    pub object: usize,
    /// The object with the session's per-object state: baseline pointer, modified flag,
    /// generation stamps, key-from-database flag.
    pub slot: usize,
    /// The handle's one allocation: the `Arc`'s two counts, the lock, the slot, the state
    /// byte and the pointer to the model's shared session state.
    pub allocation: usize,
    /// A handle (a pointer), as held in a `Vec` returned by `all()`.
    pub handle: usize,
    /// One identity-map entry (key and handle); the map adds one control byte per bucket
    /// and keeps between 1/8 and 9/16 of its buckets free.
    pub identity_entry: usize,
    /// The baseline's allocation, made at the first `write()` after a load or flush: a row
    /// packed into at most 70 bytes is inside it (a longer one, or a full copy, hangs off it).
    pub baseline: usize,
}

/// The [`ObjectSizes`] of model `T`.
#[doc(hidden)]
pub fn object_sizes<T: Model>() -> ObjectSizes {
    ObjectSizes {
        object: size_of::<T>(),
        slot: size_of::<Slot<T>>(),
        // `Arc`'s allocation: strong and weak counts, then the value.
        allocation: 2 * size_of::<usize>() + size_of::<Obj<T>>(),
        handle: size_of::<Handle<T>>(),
        identity_entry: size_of::<(T::Key, Handle<T>)>(),
        baseline: size_of::<Baseline<T>>(),
    }
}
