//! Putting objects back after a rollback: the transaction's inserts expunged, its deletes
//! undone, changed objects back to their state before (or their rows read again after a
//! savepoint's rollback), and, after a failed flush, every write kept as an unflushed change.

use cinnabar_core::dialect::compile;
use cinnabar_core::sql::{ColumnRef, Expr};
use cinnabar_core::{Result, ValueRef};
use cinnabar_engine::{Connection, Row};
use rustc_hash::FxHashSet;

use crate::baseline::Baseline;
use crate::handle::{Handle, ObjectState};
use crate::identity::{key_equals, ptr_of, Registry};
use crate::model::Model;

impl<T: Model> Registry<T> {
    /// Puts an object back as it was at a savepoint, after its rollback: `before` when the
    /// session recorded it (which keeps loaded relationships), else the row read again (by
    /// `key`, else by the object's key). Moves it in the identity map if its key changes back.
    pub(super) fn reload(
        &mut self,
        h: &Handle<T>,
        key: Option<&T::Key>,
        before: Option<Box<Baseline<T>>>,
        conn: &mut Connection,
    ) -> Result<()> {
        if let Some(before) = before {
            let mut g = h.slot().write();
            let current = g.value.key();
            before.restore_into(&mut g.value);
            g.baseline = None;
            g.modified = false;
            let restored = g.value.key();
            drop(g);
            self.move_key(h, current, restored);
            return Ok(());
        }
        let mut sel = cinnabar_core::sql::Select::from(T::table().name.as_str());
        for c in T::COLUMNS {
            sel = sel.column(Expr::Column(ColumnRef::bare(*c)));
        }
        let g = h.slot().read();
        let current = g.value.key();
        let values = match key {
            Some(k) => cinnabar_core::types::KeyValues::key_values(k)?,
            None => T::PRIMARY_KEY
                .iter()
                .map(|&i| g.value.column_value(i).map(ValueRef::to_owned_value))
                .collect::<Result<Vec<_>>>()?,
        };
        sel.add_filter(key_equals::<T>(values));
        drop(g);
        let compiled = compile(conn.dialect(), &sel.into())?;
        let params: Vec<ValueRef<'_>> = compiled.params.iter().map(|v| v.as_ref()).collect();
        let mut fresh = None;
        conn.run(
            &compiled.sql,
            &params,
            Some(&mut |row: &dyn Row| {
                fresh = Some(T::from_row_at(row, 0)?);
                Ok(())
            }),
        )?;
        if let Some(v) = fresh {
            let reloaded = v.key();
            let mut g = h.slot().write();
            g.value = v;
            g.baseline = None;
            g.modified = false;
            drop(g);
            self.move_key(h, current, reloaded);
        }
        Ok(())
    }

    /// Forgets what a flush that did not complete left behind: its per-flush lists and the
    /// changes not yet written (put back to their baselines, except on the objects in
    /// `leaving`, which keep their current values, and those in `untouched`, which stay
    /// changed).
    pub(super) fn discard_flush_state(
        &mut self,
        leaving: &FxHashSet<usize>,
        untouched: &FxHashSet<usize>,
    ) {
        self.shared.orphan_candidates.lock().clear();
        self.post_updates.clear();
        self.discard_unflushed(leaving, untouched);
    }

    /// Brings back objects whose DELETE was undone, and those only marked for deletion
    /// (including orphans), except objects whose INSERT was undone too.
    pub(super) fn restore_deleted(&mut self, deleted: Vec<Handle<T>>) {
        let orphans = std::mem::take(&mut *self.shared.orphans.lock());
        let marked = std::mem::take(&mut self.deleted);
        for h in deleted.into_iter().chain(marked).chain(orphans) {
            if h.state() == ObjectState::Transient {
                continue;
            }
            let key = h.slot().read().value.key();
            if let Some(k) = key {
                self.identity.insert(k, h.clone());
            }
            h.set_state(ObjectState::Persistent);
        }
    }

    /// After a rollback forced by a failed flush or COMMIT: the database holds none of the
    /// transaction's writes, and the session gets back every change as not yet flushed, so
    /// the next flush writes it again. Objects inserted by the transaction are pending again
    /// (keys the database generated go back to `None`), objects it updated are modified
    /// against their state before the transaction (their current values kept), objects it
    /// deleted are marked for deletion again. Unflushed changes stay as they are. An object
    /// both inserted and deleted in the transaction leaves the session. Returns whether any
    /// change is left to flush.
    pub(super) fn keep_unflushed(&mut self) -> bool {
        self.post_updates.clear();
        self.journal.updated_log.clear();
        self.journal.savepoints = 0;
        let mut repend = Vec::with_capacity(self.journal.inserted_in_tx.len() + self.pending.len());
        let mut gone = Vec::new();
        for h in self
            .journal
            .inserted_in_tx
            .drain(..)
            .chain(self.pending.drain(..))
        {
            if h.state() == ObjectState::Deleted {
                gone.push(h);
            } else {
                repend.push(h);
            }
        }
        for h in &repend {
            let key = {
                let mut g = h.slot().write();
                let key = g.value.key();
                if g.key_from_db {
                    for i in T::GENERATED_KEY.into_iter() {
                        let _ = g.value.set_column(i, ValueRef::Null);
                    }
                    g.key_from_db = false;
                }
                g.modified = false;
                g.baseline = None;
                key
            };
            self.move_key(h, key, None);
            h.set_state(ObjectState::Pending);
        }
        self.pending = repend;
        self.expunge_inserted(gone);
        let mut dirty = Vec::new();
        for (h, before) in std::mem::take(&mut self.journal.touched) {
            if h.state() != ObjectState::Persistent && h.state() != ObjectState::Deleted {
                continue;
            }
            let mut g = h.slot().write();
            let flushed_key = g.value.key();
            let key = before.key(&g.value);
            if !g.modified {
                g.modified = true;
                dirty.push(h.clone());
            }
            g.baseline = Some(before);
            g.snapshot_generation = 0;
            drop(g);
            self.move_key(&h, flushed_key, key);
        }
        self.shared.dirty.lock().extend(dirty);
        let mut deleted: Vec<Handle<T>> = self.journal.deleted_in_tx.drain(..).collect();
        deleted.retain(|h| h.state() == ObjectState::Deleted);
        for h in &deleted {
            let key = {
                let g = h.slot().read();
                g.row_key()
            };
            if let Some(k) = key {
                self.identity.insert(k, h.clone());
            }
        }
        // Marked for deletion but not yet deleted: again, unless inserted in the transaction
        // too (those left the session above).
        self.deleted.retain(|h| h.state() == ObjectState::Deleted);
        deleted.append(&mut self.deleted);
        self.deleted = deleted;
        !self.pending.is_empty()
            || !self.deleted.is_empty()
            || !self.shared.dirty.lock().is_empty()
            || !self.shared.orphans.lock().is_empty()
    }

    /// Takes objects whose INSERT was undone out of the session, clearing generated keys.
    pub(super) fn expunge_inserted(&mut self, gone: Vec<Handle<T>>) {
        for h in gone {
            let key = {
                let mut g = h.slot().write();
                let key = g.value.key();
                for i in T::GENERATED_KEY.into_iter() {
                    let _ = g.value.set_column(i, ValueRef::Null);
                }
                g.modified = false;
                g.baseline = None;
                key
            };
            self.move_key(&h, key, None);
            h.set_state(ObjectState::Transient);
        }
    }

    /// Puts unflushed changes back to their baselines; objects in `leaving` keep their
    /// values (no longer changed), objects in `untouched` stay changed.
    fn discard_unflushed(&mut self, leaving: &FxHashSet<usize>, untouched: &FxHashSet<usize>) {
        let dirty = std::mem::take(&mut *self.shared.dirty.lock());
        let mut still = Vec::new();
        for h in dirty {
            if untouched.contains(&ptr_of(&h)) {
                still.push(h);
                continue;
            }
            let keep = leaving.contains(&ptr_of(&h));
            let mut g = h.slot().write();
            if g.modified {
                if let Some(b) = g.baseline.take() {
                    if !keep {
                        b.restore_into(&mut g.value);
                    }
                }
                g.modified = false;
            }
        }
        self.shared.dirty.lock().extend(still);
    }
}
