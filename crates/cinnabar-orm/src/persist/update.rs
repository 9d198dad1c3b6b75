//! UPDATE batching: changed objects grouped by their changed columns, each group one
//! `UPDATE ... WHERE pk = ?` prepared once and run per object (with `AND version = ?` and
//! the version bumped for a model with a version column); a key change moves the object in
//! the identity map.

use cinnabar_core::{Result, ValueRef};
use cinnabar_engine::Connection;
use parking_lot::RwLockWriteGuard;

use super::column_set::ColumnSet;
use super::reuse_buffer;
use super::sql_cache::Shape;
use super::version::{bump_version, row_count_error, version_in};
use crate::baseline::Baseline;
use crate::handle::{stamp, Handle, ObjectState, Slot};
use crate::identity::{lock, Registry};
use crate::model::Model;
use crate::relation::hooks::RelationHooks;

/// An object in an UPDATE batch: its position in the dirty list, its lock, its baseline.
type Pending<'g, T> = (usize, RwLockWriteGuard<'g, Slot<T>>, Box<Baseline<T>>);

impl<T: Model> Registry<T> {
    pub(super) fn flush_updates(
        &mut self,
        conn: &mut Connection,
        generation: u64,
        early: bool,
    ) -> Result<()> {
        if early && T::HAS_ASSOCIATIONS {
            // Their association rows are diffed against the baselines after every INSERT.
            return Ok(());
        }
        let mut dirty: Vec<Handle<T>> = std::mem::take(&mut *self.shared.dirty.lock());
        if dirty.is_empty() {
            return Ok(());
        }
        let result = self
            .pull_parent_keys_of(&mut dirty, early)
            .and_then(|later| {
                self.shared.dirty.lock().extend(later);
                self.update_dirty(conn, generation, &dirty)
            });
        if result.is_err() {
            // Objects still marked modified go back on the list, so rollback restores them.
            let mut list = self.shared.dirty.lock();
            for h in dirty {
                if h.slot().try_read().is_none_or(|s| s.modified) {
                    list.push(h);
                }
            }
        }
        result
    }

    fn update_dirty(
        &mut self,
        conn: &mut Connection,
        generation: u64,
        dirty: &[Handle<T>],
    ) -> Result<()> {
        let mut rekey: Vec<(T::Key, T::Key)> = Vec::new();
        let mut batch: Vec<Pending<'_, T>> = Vec::new();
        let mut keep = Vec::new();
        let result =
            self.update_batches(conn, generation, dirty, &mut batch, &mut keep, &mut rekey);
        if result.is_err() {
            // Objects whose UPDATE did not run keep their baselines, so rollback restores them.
            for (_, mut g, base) in batch.drain(..) {
                g.baseline = Some(base);
            }
        }
        result?;
        self.shared.dirty.lock().extend(keep);
        for (old, new) in rekey {
            if let Some(h) = self.identity.remove(&old) {
                self.register(&h, new)?;
            }
        }
        Ok(())
    }

    /// Groups the changed objects by changed-column set and runs the UPDATE batches.
    fn update_batches<'g>(
        &mut self,
        conn: &mut Connection,
        generation: u64,
        dirty: &'g [Handle<T>],
        batch: &mut Vec<Pending<'g, T>>,
        keep: &mut Vec<Handle<T>>,
        rekey: &mut Vec<(T::Key, T::Key)>,
    ) -> Result<()> {
        const BATCH: usize = 256;
        let mut batch_mask = ColumnSet::empty();
        for (idx, h) in dirty.iter().enumerate() {
            let mut g = lock(h)?;
            if !g.modified {
                continue;
            }
            match h.state() {
                ObjectState::Persistent => {}
                ObjectState::Deleted => {
                    // Its DELETE is flushed instead; the change stays listed so that a
                    // rollback, which brings the object back, also undoes the change.
                    drop(g);
                    keep.push(h.clone());
                    continue;
                }
                _ => {
                    g.modified = false;
                    g.baseline = None;
                    continue;
                }
            }
            let Some(base) = g.baseline.as_deref() else {
                g.modified = false;
                continue;
            };
            let mut mask = base.changed_columns(&g.value);
            if let (Some(v), true) = (T::VERSION, !mask.is_empty()) {
                // Every UPDATE moves the version on from the one loaded (the WHERE matches
                // that), whatever the object's field says.
                let previous = version_in::<T>(base)?;
                bump_version(&mut g.value, previous)?;
                mask.insert(v);
            }
            if mask.is_empty() {
                // No column changed, but a relationship may have: keep the state before the
                // change for rollback (and for a savepoint's rollback).
                if T::HAS_RELATIONS && self.journal.savepoints > 0 {
                    let before = g.baseline.as_deref().map(Baseline::duplicate);
                    self.journal
                        .updated_log
                        .push((h.clone(), g.value.key(), before));
                }
                if T::HAS_RELATIONS && g.snapshot_generation != stamp(generation) {
                    if let Some(base) = g.baseline.take() {
                        g.snapshot_generation = stamp(generation);
                        self.journal.touched.push((h.clone(), base));
                    }
                }
                g.baseline = None;
                g.modified = false;
                continue;
            }
            if !batch.is_empty() && (mask != batch_mask || batch.len() >= BATCH) {
                // On failure this object keeps its baseline (not yet taken) for rollback.
                self.run_update_batch(conn, generation, dirty, batch, &batch_mask, rekey)?;
            }
            batch_mask = mask;
            let Some(base) = g.baseline.take() else {
                continue;
            };
            batch.push((idx, g, base));
        }
        if !batch.is_empty() {
            self.run_update_batch(conn, generation, dirty, batch, &batch_mask, rekey)?;
        }
        Ok(())
    }

    /// One `UPDATE ... WHERE pk = ?` executed for every object of `batch` (all with the
    /// same changed columns), prepared once.
    fn run_update_batch<'g>(
        &mut self,
        conn: &mut Connection,
        generation: u64,
        dirty: &'g [Handle<T>],
        batch: &mut Vec<Pending<'g, T>>,
        mask: &ColumnSet,
        rekey: &mut Vec<(T::Key, T::Key)>,
    ) -> Result<()> {
        let outcome = (|| {
            let sql = self.cached_sql(conn, Shape::Update { mask: mask.clone() })?;
            let width = mask.len() + T::PRIMARY_KEY.len() + usize::from(T::VERSION.is_some());
            let mut params: Vec<ValueRef<'_>> =
                reuse_buffer(std::mem::take(&mut self.buffers.params));
            params.reserve(width * batch.len());
            // The WHERE matches the row's key and version as loaded: the baseline's, or the
            // object's own key where no key column changed (cheaper than reading it back).
            let key_changed = T::PRIMARY_KEY.iter().any(|&i| mask.contains(i));
            for (_, g, base) in batch.iter() {
                for i in mask.iter() {
                    params.push(g.value.column_value(i)?);
                }
                for &i in T::PRIMARY_KEY {
                    params.push(if key_changed {
                        base.column_value(i)?
                    } else {
                        g.value.column_value(i)?
                    });
                }
                if let Some(v) = T::VERSION {
                    params.push(base.column_value(v)?);
                }
            }
            let mut counts = std::mem::take(&mut self.buffers.counts);
            counts.clear();
            conn.run_many(&sql, width, &params, &mut counts)?;
            self.buffers.params = reuse_buffer(params);
            if let Some(pos) = counts.iter().position(|&n| n != 1) {
                let (_, g, base) = &batch[pos];
                let row = base.as_value(&g.value);
                return Err(row_count_error::<T>("UPDATE", &row, counts[pos]));
            }
            self.buffers.counts = counts;
            Ok(())
        })();
        if let Err(e) = outcome {
            // Each object keeps its baseline and stays modified, so rollback restores it.
            for (_, mut g, base) in batch.drain(..) {
                g.baseline = Some(base);
            }
            return Err(e);
        }
        // The key only needs reading back from the baseline when a key column changed.
        let key_changed = T::PRIMARY_KEY.iter().any(|&i| mask.contains(i));
        for (idx, mut g, base) in batch.drain(..) {
            let h = &dirty[idx];
            if key_changed {
                if let (Some(o), Some(n)) = (base.key(&g.value), g.value.key()) {
                    if o != n {
                        rekey.push((o, n));
                    }
                }
            }
            if self.journal.savepoints > 0 {
                let old_key = if key_changed {
                    base.key(&g.value)
                } else {
                    g.value.key()
                };
                self.journal
                    .updated_log
                    .push((h.clone(), old_key, Some(base.duplicate())));
            }
            if g.snapshot_generation != stamp(generation) {
                g.snapshot_generation = stamp(generation);
                self.journal.touched.push((h.clone(), base));
            }
            g.modified = false;
        }
        Ok(())
    }
}
