//! The transaction journal: what the open transaction changed in the session's memory
//! (objects inserted, deleted and changed, with their states before), so that a commit can
//! forget it and a rollback of the transaction or of a savepoint can put it back
//! (`restore.rs`). Savepoints take [`Mark`]s, journal positions (`savepoint.rs`).

mod restore;
mod savepoint;

pub(crate) use savepoint::Snapshot;

use cinnabar_core::Result;
use cinnabar_engine::Connection;
use rustc_hash::FxHashSet;

use crate::baseline::Baseline;
use crate::handle::{stamp, Handle, ObjectState, Slot};
use crate::identity::{ptr_of, ptr_set, Registry};
use crate::model::Model;

/// An object updated while a savepoint is open: the key its row had before, and (for a
/// flush's UPDATE or a relationship-only change) its state before, which a rollback to the
/// savepoint restores; without it (a bulk UPDATE) the row is read again.
pub(crate) type UpdatedEntry<T> = (
    Handle<T>,
    Option<<T as Model>::Key>,
    Option<Box<Baseline<T>>>,
);

/// Journal positions at the start of a savepoint.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Mark {
    inserted: usize,
    deleted: usize,
    updated: usize,
}

/// What the open transaction changed in memory, for one model.
pub(crate) struct Journal<T: Model> {
    /// Inserted by a flush of the open transaction.
    pub(crate) inserted_in_tx: Vec<Handle<T>>,
    /// Deleted by a flush of the open transaction.
    pub(crate) deleted_in_tx: Vec<Handle<T>>,
    /// Objects changed by the open transaction, each with its state before the change.
    pub(crate) touched: Vec<(Handle<T>, Box<Baseline<T>>)>,
    /// Objects updated by flushes while a savepoint is open, each with the key its row had
    /// before that update.
    pub(crate) updated_log: Vec<UpdatedEntry<T>>,
    /// Savepoints open.
    pub(crate) savepoints: usize,
    /// Length of `inserted_in_tx` when the current flush began.
    pub(crate) flush_start: usize,
}

impl<T: Model> Journal<T> {
    /// An empty journal with `savepoints` savepoints open.
    pub(crate) fn new(savepoints: usize) -> Self {
        Journal {
            inserted_in_tx: Vec::new(),
            deleted_in_tx: Vec::new(),
            touched: Vec::new(),
            updated_log: Vec::new(),
            savepoints,
            flush_start: 0,
        }
    }
}

/// The journal's bookkeeping as the session drives it without knowing the model type: at a
/// flush's start, after a commit or rollback, and at a savepoint's start, release and
/// rollback.
pub(crate) trait TransactionJournal {
    fn start_flush(&mut self);
    fn after_commit(&mut self);
    fn after_rollback(&mut self);
    /// After the transaction was rolled back because a flush or COMMIT failed: puts back
    /// every change the transaction's flushes wrote as an unflushed change, so the session
    /// holds what it held before (see [`Registry::keep_unflushed`]).
    fn after_failed_flush(&mut self) -> bool;
    fn mark(&mut self) -> Mark;
    /// A savepoint marked by [`TransactionJournal::mark`] was released (its work kept).
    fn release_mark(&mut self);
    fn rollback_to(&mut self, mark: &Mark, conn: &mut Connection) -> Result<()>;
}

impl<T: Model> TransactionJournal for Registry<T> {
    fn start_flush(&mut self) {
        self.journal.flush_start = self.journal.inserted_in_tx.len();
    }

    fn after_commit(&mut self) {
        // Snapshots are dropped without touching the objects: a reader may hold a guard.
        self.journal.touched.clear();
        self.shared
            .dirty
            .lock()
            .retain(|h| h.state() == ObjectState::Persistent);
        self.journal.inserted_in_tx.clear();
        self.journal.updated_log.clear();
        self.journal.savepoints = 0;
        for h in self.journal.deleted_in_tx.drain(..) {
            h.set_state(ObjectState::Detached);
        }
    }

    fn after_rollback(&mut self) {
        // Objects the transaction inserted leave the session with the values they have now
        // (as in SQLAlchemy), however many times they were flushed: only their keys go.
        let leaving = ptr_set(self.journal.inserted_in_tx.iter().chain(&self.pending));
        self.discard_flush_state(&leaving, &FxHashSet::default());
        for (h, before) in std::mem::take(&mut self.journal.touched) {
            if leaving.contains(&ptr_of(&h)) {
                continue;
            }
            let mut g = h.slot().write();
            let flushed_key = g.value.key();
            before.restore_into(&mut g.value);
            g.baseline = None;
            g.modified = false;
            g.snapshot_generation = 0;
            let key = g.value.key();
            drop(g);
            // A flushed key change moved the object in the identity map: move it back.
            self.move_key(&h, flushed_key, key);
        }
        let gone: Vec<Handle<T>> = self
            .journal
            .inserted_in_tx
            .drain(..)
            .chain(self.pending.drain(..))
            .collect();
        self.expunge_inserted(gone);
        let deleted: Vec<Handle<T>> = self.journal.deleted_in_tx.drain(..).collect();
        self.restore_deleted(deleted);
        self.journal.updated_log.clear();
        self.journal.savepoints = 0;
    }

    fn after_failed_flush(&mut self) -> bool {
        self.keep_unflushed()
    }

    fn mark(&mut self) -> Mark {
        self.journal.savepoints += 1;
        Mark {
            inserted: self.journal.inserted_in_tx.len(),
            deleted: self.journal.deleted_in_tx.len(),
            updated: self.journal.updated_log.len(),
        }
    }

    fn release_mark(&mut self) {
        self.journal.savepoints = self.journal.savepoints.saturating_sub(1);
        if self.journal.savepoints == 0 {
            self.journal.updated_log.clear();
        }
    }

    fn rollback_to(&mut self, mark: &Mark, conn: &mut Connection) -> Result<()> {
        self.journal.savepoints = self.journal.savepoints.saturating_sub(1);
        let mut gone: Vec<Handle<T>> = self
            .journal
            .inserted_in_tx
            .split_off(mark.inserted.min(self.journal.inserted_in_tx.len()));
        gone.append(&mut self.pending);
        // Objects the savepoint inserted leave with their current values (keys cleared).
        let leaving = ptr_set(&gone);
        // Objects deleted before it began keep the changes they were deleted with (still
        // unflushed, as a DELETE does not write them): the savepoint did not make them.
        let untouched = ptr_set(
            &self.journal.deleted_in_tx[..mark.deleted.min(self.journal.deleted_in_tx.len())],
        );
        self.discard_flush_state(&leaving, &untouched);
        // Gone from the session: a later rollback has nothing of theirs to restore.
        self.journal
            .touched
            .retain(|(h, _)| !leaving.contains(&ptr_of(h)));
        self.expunge_inserted(gone);
        let deleted = self
            .journal
            .deleted_in_tx
            .split_off(mark.deleted.min(self.journal.deleted_in_tx.len()));
        self.restore_deleted(deleted);
        let updated = self
            .journal
            .updated_log
            .split_off(mark.updated.min(self.journal.updated_log.len()));
        // An object's first entry after the mark has the key its row had at the savepoint.
        let mut seen = FxHashSet::default();
        for (h, key, before) in updated {
            if !leaving.contains(&ptr_of(&h)) && seen.insert(ptr_of(&h)) {
                self.reload(&h, key.as_ref(), before, conn)?;
            }
        }
        if self.journal.savepoints == 0 {
            self.journal.updated_log.clear();
        }
        Ok(())
    }
}

impl<T: Model> Registry<T> {
    /// Records an object's state before the open transaction changed it (bulk updates),
    /// once per transaction.
    pub(crate) fn note_touched(
        &mut self,
        h: &Handle<T>,
        slot: &mut Slot<T>,
        before: T,
        generation: u64,
    ) {
        if slot.snapshot_generation != stamp(generation) {
            slot.snapshot_generation = stamp(generation);
            self.journal
                .touched
                .push((h.clone(), Baseline::full(before)));
        }
    }

    /// Records an object deleted by a bulk DELETE, so rollback can restore it.
    pub(crate) fn note_deleted(&mut self, h: Handle<T>) {
        self.journal.deleted_in_tx.push(h);
    }

    /// Records an object changed by a bulk UPDATE (`key`: its key before), so a savepoint
    /// rollback reloads it.
    pub(crate) fn note_bulk_updated(&mut self, h: &Handle<T>, key: Option<T::Key>) {
        if self.journal.savepoints > 0 {
            self.journal.updated_log.push((h.clone(), key, None));
        }
    }
}
