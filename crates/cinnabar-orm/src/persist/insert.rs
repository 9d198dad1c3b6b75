//! INSERT batching: new objects written in waves (parents before their children of the same
//! model), in multi-row INSERTs of one shape (which columns are sent, whether some are read
//! back) within the dialect's row and parameter limits.

use cinnabar_core::dialect::GeneratedKeys;
use cinnabar_core::{Error, Result, ValueRef};
use cinnabar_engine::{Connection, Row};
use parking_lot::RwLockWriteGuard;

use super::column_set::ColumnSet;
use super::keys::map_returned;
use super::reuse_buffer;
use super::sql_cache::Shape;
use super::version::bump_version;
use crate::handle::{Handle, ObjectState, Slot};
use crate::identity::{lock, locked_error, Registry};
use crate::model::Model;
use crate::relation::hooks::RelationHooks;

impl<T: Model> Registry<T> {
    pub(super) fn flush_inserts(&mut self, conn: &mut Connection) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        if !T::HAS_RELATIONS {
            self.insert_pending(conn)?;
            return Ok(());
        }
        // New objects that point at new objects of the same model (a tree) go in waves:
        // first those whose parents already have keys, then their children, and so on.
        let mut remaining = std::mem::take(&mut self.pending);
        while !remaining.is_empty() {
            let mut ready = Vec::new();
            let mut waiting = Vec::new();
            let mut failed = None;
            for h in remaining {
                if failed.is_none() {
                    match lock(&h).and_then(|mut g| g.value.pull_parent_keys()) {
                        Ok(true) => ready.push(h),
                        Ok(false) => waiting.push(h),
                        Err(e) => {
                            failed = Some(e);
                            waiting.push(h);
                        }
                    }
                } else {
                    waiting.push(h);
                }
            }
            if failed.is_none() && ready.is_empty() {
                failed = Some(Error::misuse(format!(
                    "cannot order the INSERTs of {} new {} objects: their references form a cycle",
                    waiting.len(),
                    T::model_name()
                )));
            }
            if let Some(e) = failed {
                self.pending.extend(ready);
                self.pending.extend(waiting);
                return Err(e);
            }
            self.pending = ready;
            if let Err(e) = self.insert_pending(conn) {
                self.pending.extend(waiting);
                return Err(e);
            }
            remaining = waiting;
        }
        Ok(())
    }

    /// INSERTs `self.pending` in batches (1,000 rows, or fewer within the parameter limit),
    /// then hands the new keys to children.
    fn insert_pending(&mut self, conn: &mut Connection) -> Result<()> {
        let mut pending = std::mem::take(&mut self.pending);
        if !self.deleted.is_empty() {
            if let Err(e) = self.replace_deleted(conn, &mut pending) {
                self.pending = pending;
                return Err(e);
            }
        }
        let result = (|| {
            let mut shapes = Vec::with_capacity(pending.len());
            for h in &pending {
                let mut g = lock(h)?;
                g.value.apply_defaults();
                bump_version(&mut g.value, None)?;
                shapes.push(insert_mask::<T>(&g.value)?);
            }
            let d = conn.dialect();
            let width = T::COLUMNS.len().max(1);
            let mut max_rows = d
                .insert_batch_rows()
                .min(d.max_bind_params() / width)
                .min(d.insert_batch_params() / width)
                .max(1);
            // Keys read back from the first row's id map to the other rows only where the
            // server promises them consecutive (not MySQL's interleaved lock mode).
            if T::GENERATED_KEY.is_some()
                && d.generated_keys() == GeneratedKeys::LastInsertIdFirst
                && conn.multi_row_key_step()?.is_none()
            {
                max_rows = 1;
            }
            let only_key_omitted = |mask: &ColumnSet| {
                let full = ColumnSet::all(T::COLUMNS.len());
                match T::GENERATED_KEY {
                    Some(k) => *mask == full || *mask == full.without(k),
                    None => *mask == full,
                }
            };
            let mut start = 0;
            while start < pending.len() {
                let (mask, returning) = &shapes[start];
                let returning = *returning;
                // Rows that read back more than the generated key go one per statement, so
                // RETURNING rows map to objects without relying on order.
                let batchable = !returning || only_key_omitted(mask);
                let mut end = start + 1;
                if batchable {
                    while end < pending.len()
                        && end - start < max_rows
                        && shapes[end] == shapes[start]
                    {
                        end += 1;
                    }
                }
                self.insert_batch(conn, &pending[start..end], mask, returning)?;
                if T::HAS_RELATIONS {
                    // Children inserted later in this flush take the new keys.
                    for h in &pending[start..end] {
                        let g = h.slot().try_read().ok_or_else(locked_error::<T>)?;
                        g.value.push_key_to_children(None, false)?;
                        if !T::POST_UPDATE_COLUMNS.is_empty() && g.value.needs_post_update()? {
                            self.post_updates.push(h.clone());
                        }
                    }
                }
                start = end;
            }
            Ok(())
        })();
        if result.is_err() {
            // Keep the objects pending so rollback can expunge them.
            let mut rest = pending;
            rest.retain(|h| h.state() == ObjectState::Pending);
            self.pending = rest;
        }
        result
    }

    /// One INSERT of `batch` (every object of the shape `mask`, `returning`); then the keys
    /// and defaults the database generated are mapped back (`keys.rs`).
    fn insert_batch(
        &mut self,
        conn: &mut Connection,
        batch: &[Handle<T>],
        mask: &ColumnSet,
        returning: bool,
    ) -> Result<()> {
        let d = conn.dialect();
        let only_key_omitted = T::GENERATED_KEY
            .is_some_and(|k| (0..T::COLUMNS.len()).all(|i| mask.contains(i) == (i != k)));
        let by_returning = returning
            && d.insert_returning()
            && (d.generated_keys() == GeneratedKeys::Returning || !only_key_omitted);
        let shape = Shape::Insert {
            mask: mask.clone(),
            rows: batch.len(),
            returning: by_returning,
        };
        let sql = self.cached_sql(conn, shape)?;
        let mut guards: Vec<RwLockWriteGuard<'_, Slot<T>>> =
            reuse_buffer(std::mem::take(&mut self.buffers.guards));
        guards.reserve(batch.len());
        for h in batch {
            guards.push(lock(h)?);
        }
        let width = mask.len();
        let mut params = reuse_buffer(std::mem::take(&mut self.buffers.params));
        params.reserve(width * batch.len());
        for g in &guards {
            for i in mask.iter() {
                params.push(g.value.column_value(i).map_err(|e| {
                    e.context(format_args!("{}.{}", T::table().name, T::COLUMNS[i]))
                })?);
            }
        }
        let omitted: Vec<usize> = (0..T::COLUMNS.len())
            .filter(|&i| !mask.contains(i))
            .collect();
        let mut returned: Vec<Vec<cinnabar_core::Value>> = Vec::new();
        if by_returning {
            conn.run(
                &sql,
                &params,
                Some(&mut |row: &dyn Row| {
                    let vals = (0..row.len())
                        .map(|i| row.value(i).map(ValueRef::to_owned_value))
                        .collect::<Result<Vec<_>>>()?;
                    returned.push(vals);
                    Ok(())
                }),
            )?;
        } else {
            conn.run(&sql, &params, None)?;
        }
        self.buffers.params = reuse_buffer(params);
        if returning && !by_returning {
            self.read_back_without_returning(conn, &mut guards, &omitted)?;
        }
        if by_returning {
            map_returned(conn, &mut guards, &mut returned, &omitted)?;
        }
        self.file_inserted(batch, guards, mask)
    }
}

/// Which columns an INSERT sends for this object, and whether it must read some back.
fn insert_mask<T: Model>(value: &T) -> Result<(ColumnSet, bool)> {
    let n = T::COLUMNS.len();
    let mut mask = ColumnSet::all(n);
    let mut returning = false;
    let omit = T::GENERATED_KEY
        .into_iter()
        .chain(T::SERVER_DEFAULTS.iter().copied());
    for i in omit {
        if value.column_value(i)?.is_null() {
            mask.remove(i);
            returning = true;
        }
    }
    Ok((mask, returning))
}
