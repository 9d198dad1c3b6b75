//! [`Handle`]: the session-tracked object. The identity map holds one handle per row, so
//! two loads of the same row give handles to the same object.
//!
//! Reading takes a shared guard (`handle.read()`); changing takes an exclusive guard
//! (`handle.write()`), which is how the session learns of the change without a save call:
//! the first write after a flush snapshots the object (the baseline the flush diffs
//! against), puts it on its model's dirty list and bumps the session's dirty counter.

use std::any::Any;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, Weak};

use parking_lot::{
    MappedRwLockReadGuard, MappedRwLockWriteGuard, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard,
};

use crate::baseline::Baseline;
use crate::model::Model;
use crate::relation::hooks::RelationHooks;

/// Where an object stands in its session (SQLAlchemy's object states).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectState {
    /// Not in a session (never added, or expunged by a rollback).
    Transient,
    /// Added; its INSERT has not been flushed.
    Pending,
    /// Has a row in the database and is in the identity map.
    Persistent,
    /// Marked for deletion, or deleted by a flush not yet committed.
    Deleted,
    /// Was persistent; the session was closed or the row's deletion committed.
    Detached,
}

impl ObjectState {
    fn from_u8(v: u8) -> Self {
        match v {
            1 => ObjectState::Pending,
            2 => ObjectState::Persistent,
            3 => ObjectState::Deleted,
            4 => ObjectState::Detached,
            _ => ObjectState::Transient,
        }
    }
}

/// Non-zero when objects changed since the last flush; shared by a session and its handles.
#[derive(Debug, Default)]
pub(crate) struct Tracker {
    pub(crate) dirty: AtomicUsize,
}

impl Tracker {
    /// Notes a write: the count only has to become non-zero (the flush asks whether it is
    /// and resets it), so a write after the first skips the atomic read-modify-write, which
    /// costs as much as the rest of a repeated `write()`.
    fn note_dirty(&self) {
        if self.dirty.load(Ordering::Relaxed) == 0 {
            self.dirty.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// What every handle of one model in one session shares: the list of objects written to
/// since the last flush (in write order, which is what the flush's UPDATEs follow).
pub(crate) struct Shared<T: Model> {
    pub(crate) dirty: Mutex<Vec<Handle<T>>>,
    /// Children removed from a delete-orphan collection, to be deleted at this flush.
    pub(crate) orphans: Mutex<Vec<Handle<T>>>,
    /// Children taken out of a delete-orphan collection during this flush, with the
    /// foreign-key column and the key of the parent they left: deleted after the INSERTs
    /// unless a new parent took them meanwhile.
    pub(crate) orphan_candidates: Mutex<Vec<(Handle<T>, usize, cinnabar_core::Value)>>,
    /// The session's tracker; `None` for the private state of an object made with
    /// [`Handle::new`], which belongs to no session until one adopts it.
    pub(crate) tracker: Option<Arc<Tracker>>,
    /// Set when a handle is dropped leaving its object to one other holder, which may be
    /// the identity map alone: the map then has entries to forget (see
    /// `crate::identity::make_room`). A hint, so a store, not a counter.
    pub(crate) released: AtomicBool,
    /// For such an object: the adopting session's state. A handle's link to its `Shared` is
    /// a plain `Arc` (loading a row costs one reference count, no cell), and only the rare
    /// transient object pays for the indirection.
    adopted: OnceLock<Arc<Shared<T>>>,
}

impl<T: Model> Shared<T> {
    pub(crate) fn new(tracker: Arc<Tracker>) -> Arc<Self> {
        Arc::new(Shared {
            dirty: Mutex::new(Vec::new()),
            orphans: Mutex::new(Vec::new()),
            orphan_candidates: Mutex::new(Vec::new()),
            tracker: Some(tracker),
            released: AtomicBool::new(false),
            adopted: OnceLock::new(),
        })
    }

    fn detached() -> Arc<Self> {
        Arc::new(Shared {
            dirty: Mutex::new(Vec::new()),
            orphans: Mutex::new(Vec::new()),
            orphan_candidates: Mutex::new(Vec::new()),
            tracker: None,
            released: AtomicBool::new(false),
            adopted: OnceLock::new(),
        })
    }

    /// The session state this one stands for: itself, or the adopting session's.
    pub(crate) fn resolve(&self) -> Option<&Shared<T>> {
        match &self.tracker {
            Some(_) => Some(self),
            None => self.adopted.get().map(|a| &**a),
        }
    }
}

/// A session generation as an object stores it: 32 bits (the object is 8 bytes smaller than
/// with two `u64`s, which at a million loaded rows is several MB), never 0 (an object's
/// "expired" mark), and different for consecutive generations. Objects only compare their
/// stamp with the current one for equality, so the wrap-around after 2^32 - 1 generations
/// matters only to an object left untouched for exactly a multiple of that many commits.
pub(crate) fn stamp(generation: u64) -> u32 {
    (generation % u64::from(u32::MAX)) as u32 + 1
}

pub(crate) struct Slot<T> {
    pub(crate) value: T,
    /// State as of the last load or flush, taken at the first write after it.
    pub(crate) baseline: Option<Box<Baseline<T>>>,
    /// Written to since the last flush.
    pub(crate) modified: bool,
    /// [`stamp`] of the session generation when last loaded from the database; any other
    /// value means expired (0: expired by the session).
    pub(crate) generation: u32,
    /// [`stamp`] of the session generation in which the registry took this object's rollback
    /// snapshot (0: none).
    pub(crate) snapshot_generation: u32,
    /// The generated key was assigned by the database at an INSERT of the open transaction
    /// (not given by the user): if that transaction rolls back, the key goes back to `None`.
    pub(crate) key_from_db: bool,
}

impl<T: Model> Slot<T> {
    /// The key of the object's row: the baseline's (before the unflushed changes), else
    /// the object's own.
    pub(crate) fn row_key(&self) -> Option<T::Key> {
        match &self.baseline {
            Some(b) => b.key(&self.value),
            None => self.value.key(),
        }
    }

    /// The object as its row holds it: the baseline's state, else the object itself.
    pub(crate) fn row(&self) -> std::borrow::Cow<'_, T> {
        match &self.baseline {
            Some(b) => b.as_value(&self.value),
            None => std::borrow::Cow::Borrowed(&self.value),
        }
    }

    /// The baseline as a full copy to change (bulk updates, relationship loads), if any.
    pub(crate) fn baseline_mut(&mut self) -> Option<&mut T> {
        let Slot {
            value, baseline, ..
        } = self;
        baseline.as_deref_mut().map(|b| b.full_mut(value))
    }
}

pub(crate) struct Obj<T: Model> {
    pub(crate) slot: RwLock<Slot<T>>,
    state: AtomicU8,
    /// The session's per-model state (for an object made with [`Handle::new`], a private one
    /// that points at the adopting session's).
    shared: Arc<Shared<T>>,
}

/// A shared, session-tracked model object.
///
/// Cloning a handle clones the pointer, not the object. Handles are `Send + Sync`.
///
/// ```
/// use cinnabar::prelude::*;
///
/// #[derive(Model, Debug, Clone)]
/// #[cinnabar(table = "students")]
/// struct Student {
///     #[cinnabar(primary_key)]
///     id: Option<i64>,
///     name: String,
///     course: String,
/// }
///
/// # fn main() -> cinnabar::Result<()> {
/// let engine = create_engine("sqlite://")?;
/// MetaData::new().with(Student::table().clone()).create_all(&engine)?;
/// let mut session = Session::new(&engine);
///
/// let naresh = session.add(Student { id: None, name: "Naresh".into(), course: "Python".into() });
/// assert_eq!(naresh.state(), ObjectState::Pending);
/// let same = naresh.clone(); // the same object, not a copy
/// same.write().course = "Rust".into();
/// assert_eq!(naresh.read().course, "Rust");
///
/// session.commit()?;
/// assert_eq!(naresh.state(), ObjectState::Persistent);
/// // The identity map hands out the same object for the same key.
/// let key = naresh.read().id.expect("assigned at commit");
/// let loaded = session.get::<Student>(key)?.expect("stored");
/// assert!(Handle::ptr_eq(&loaded, &naresh));
/// # Ok(())
/// # }
/// ```
pub struct Handle<T: Model>(pub(crate) Arc<Obj<T>>);

impl<T: Model> Clone for Handle<T> {
    fn clone(&self) -> Self {
        Handle(self.0.clone())
    }
}

impl<T: Model> Drop for Handle<T> {
    /// Notes that the object may now be held by the identity map alone (one reference left
    /// after this one), so the map's next pass when it fills has something to forget; while
    /// no handle is let go that way (a load whose objects the caller keeps), the map grows
    /// without walking its entries.
    #[inline]
    fn drop(&mut self) {
        if Arc::strong_count(&self.0) == 2 {
            if let Some(s) = self.0.shared.resolve() {
                s.released.store(true, Ordering::Relaxed);
            }
        }
    }
}

impl<T: Model> PartialEq for Handle<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl<T: Model> Eq for Handle<T> {}

impl<T: Model + std::fmt::Debug> std::fmt::Debug for Handle<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.slot.try_read() {
            Some(s) => write!(f, "Handle({:?}, {:?})", self.state(), s.value),
            None => write!(f, "Handle({:?}, <locked>)", self.state()),
        }
    }
}

/// A shared borrow of a handle's object.
pub type ReadGuard<'a, T> = MappedRwLockReadGuard<'a, T>;
/// An exclusive borrow of a handle's object; the session sees what you change.
pub type WriteGuard<'a, T> = MappedRwLockWriteGuard<'a, T>;

impl<T: Model> Handle<T> {
    /// A new object, not yet in any session (SQLAlchemy's transient `Student(...)`). Add it
    /// with [`Session::add_handle`](crate::Session::add_handle), or put it in a relationship
    /// of an object in a session: the next flush adds it (save-update cascade). With
    /// `back_populates`, the objects its relationships name are told of it now.
    pub fn new(value: T) -> Self {
        Handle::build(value, ObjectState::Transient, Shared::detached(), 0)
    }

    pub(crate) fn tracked(
        value: T,
        state: ObjectState,
        shared: &Arc<Shared<T>>,
        generation: u64,
    ) -> Self {
        Handle::build(value, state, shared.clone(), generation)
    }

    fn build(value: T, state: ObjectState, shared: Arc<Shared<T>>, generation: u64) -> Self {
        let h = Handle(Arc::new(Obj {
            slot: RwLock::new(Slot {
                value,
                baseline: None,
                modified: false,
                generation: stamp(generation),
                snapshot_generation: 0,
                key_from_db: false,
            }),
            state: AtomicU8::new(state as u8),
            shared,
        }));
        if T::HAS_BACK_REFS && state != ObjectState::Persistent {
            // A new object's relationships were set before it had a handle: tell the other
            // sides now. An object loaded from the database has nothing to announce.
            let mut g = h.0.slot.write();
            g.value.bind_owner(&h.owner());
            drop(g);
            let g = h.0.slot.read();
            if let Err(e) = g.value.announce_relations() {
                tracing::warn!(
                    target: "cinnabar::session",
                    error = %e,
                    "back_populates of a new {} skipped; the foreign keys are still set at flush",
                    T::model_name()
                );
            }
        }
        h
    }

    fn owner(&self) -> crate::relation::Owner {
        let weak: Weak<dyn Any + Send + Sync> = Arc::downgrade(&self.0) as Weak<Obj<T>>;
        crate::relation::Owner(weak)
    }

    /// Borrows the object to read it. Blocks while a write guard is held elsewhere.
    pub fn read(&self) -> ReadGuard<'_, T> {
        RwLockReadGuard::map(self.0.slot.read(), |s| &s.value)
    }

    /// As [`Handle::read`] for the session's own use: a write guard held elsewhere (perhaps
    /// by this very thread, where waiting would never end) is a `Misuse` error.
    pub(crate) fn read_now(&self) -> cinnabar_core::Result<ReadGuard<'_, T>> {
        self.0
            .slot
            .try_read()
            .map(|g| RwLockReadGuard::map(g, |s| &s.value))
            .ok_or_else(|| {
                cinnabar_core::Error::misuse(format!(
                    "a {} is borrowed for writing (a write() guard is alive); drop the guard first",
                    T::model_name()
                ))
            })
    }

    /// Borrows the object to change it; the change is flushed at the next flush or commit,
    /// writing only the columns that differ. Changing a relationship declared with
    /// `back_populates` through the guard also changes the other side (see
    /// [`BelongsTo::set`](crate::BelongsTo::set)).
    pub fn write(&self) -> WriteGuard<'_, T> {
        let mut slot = self.0.slot.write();
        self.note_write(&mut slot);
        if T::HAS_BACK_REFS {
            slot.value.bind_owner(&self.owner());
        }
        RwLockWriteGuard::map(slot, |s| &mut s.value)
    }

    pub(crate) fn note_write(&self, slot: &mut Slot<T>) {
        if slot.modified {
            return;
        }
        // A pending object is inserted whole; a detached one has no session to tell.
        if self.state() == ObjectState::Persistent {
            let Some(shared) = self.0.shared.resolve() else {
                return;
            };
            if slot.baseline.is_none() {
                slot.baseline = Some(Baseline::of(&slot.value));
            }
            slot.modified = true;
            shared.dirty.lock().push(self.clone());
            if let Some(t) = &shared.tracker {
                t.note_dirty();
            }
        }
    }

    /// Sets column `idx` when it differs, as a user write would (so the change is flushed),
    /// without blocking: a guard held elsewhere is reported instead.
    pub(crate) fn set_column_tracked(
        &self,
        idx: usize,
        value: cinnabar_core::ValueRef<'_>,
    ) -> cinnabar_core::Result<()> {
        let mut slot = self.0.slot.try_write().ok_or_else(|| {
            cinnabar_core::Error::misuse(format!(
                "a {} is borrowed during flush; drop the guard first",
                T::model_name()
            ))
        })?;
        if slot.value.column_value(idx)? == value {
            return Ok(());
        }
        self.note_write(&mut slot);
        slot.value.set_column(idx, value)
    }

    /// Notes that this child left a delete-orphan collection of the parent whose key is
    /// `parent_key` (in column `foreign_key`); [`Handle::mark_orphan`] follows after the
    /// flush's INSERTs if no new parent took it.
    pub(crate) fn mark_orphan_candidate(
        &self,
        foreign_key: usize,
        parent_key: cinnabar_core::Value,
    ) {
        if self.state() == ObjectState::Persistent {
            if let Some(shared) = self.0.shared.resolve() {
                shared
                    .orphan_candidates
                    .lock()
                    .push((self.clone(), foreign_key, parent_key));
            }
        }
    }

    /// Schedules a persistent object for deletion at the current flush (delete-orphan).
    pub(crate) fn mark_orphan(&self) {
        if self.state() == ObjectState::Persistent {
            if let Some(shared) = self.0.shared.resolve() {
                self.set_state(ObjectState::Deleted);
                shared.orphans.lock().push(self.clone());
                if let Some(t) = &shared.tracker {
                    t.dirty.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }

    /// A copy of the object.
    pub fn get(&self) -> T {
        self.read().clone()
    }

    /// Replaces the object's fields with `f`'s changes: `h.update(|s| s.course = "Rust".into())`.
    pub fn update(&self, f: impl FnOnce(&mut T)) {
        f(&mut self.write());
    }

    /// The object's state in its session.
    pub fn state(&self) -> ObjectState {
        ObjectState::from_u8(self.0.state.load(Ordering::Acquire))
    }

    /// Whether two handles are the same object.
    pub fn ptr_eq(a: &Self, b: &Self) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }

    pub(crate) fn set_state(&self, s: ObjectState) {
        self.0.state.store(s as u8, Ordering::Release);
    }

    pub(crate) fn tracker_is(&self, t: &Arc<Tracker>) -> bool {
        self.0
            .shared
            .resolve()
            .and_then(|s| s.tracker.as_ref())
            .is_some_and(|mine| Arc::ptr_eq(mine, t))
    }

    /// Joins a session: `false` when the object already belongs to another one.
    pub(crate) fn adopt(&self, shared: &Arc<Shared<T>>) -> bool {
        let own = &self.0.shared;
        if own.tracker.is_some() {
            return Arc::ptr_eq(own, shared);
        }
        Arc::ptr_eq(own.adopted.get_or_init(|| shared.clone()), shared)
    }

    /// Whether anything but the identity map holds this object: another handle (the user's,
    /// a session list's, a relationship's) or a weak pointer (a relationship's back
    /// reference, which could make a handle again). An object only the map holds is one the
    /// user dropped; the map may forget it (see `crate::identity::make_room`).
    pub(crate) fn held_elsewhere(&self) -> bool {
        Arc::strong_count(&self.0) > 1
            || Arc::weak_count(&self.0) > 0
            || self.state() != ObjectState::Persistent
    }

    pub(crate) fn slot(&self) -> &RwLock<Slot<T>> {
        &self.0.slot
    }
}
