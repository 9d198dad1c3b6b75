//! Generated keys and server defaults mapped back onto the objects an INSERT wrote: from its
//! RETURNING rows, or, without RETURNING, from the last-insert id and a read-back by key;
//! then the objects are filed in the identity map under their new keys.

use cinnabar_core::dialect::GeneratedKeys;
use cinnabar_core::sql::{ColumnRef, Expr};
use cinnabar_core::{Error, ErrorKind, Result, Value, ValueRef};
use cinnabar_engine::{Connection, Row};
use parking_lot::RwLockWriteGuard;

use super::column_set::ColumnSet;
use super::reuse_buffer;
use super::sql_cache::Shape;
use crate::handle::{Handle, ObjectState, Slot};
use crate::identity::{key_equals, Registry};
use crate::model::Model;

impl<T: Model> Registry<T> {
    /// Fills generated keys from the last-insert id (the batch's first key, the rest
    /// consecutive) and reads server defaults back by primary key.
    pub(super) fn read_back_without_returning(
        &mut self,
        conn: &mut Connection,
        guards: &mut [RwLockWriteGuard<'_, Slot<T>>],
        omitted: &[usize],
    ) -> Result<()> {
        let key_col = T::GENERATED_KEY.filter(|k| omitted.contains(k));
        if let Some(k) = key_col {
            let reported = conn.last_insert_id().ok_or_else(|| {
                Error::unsupported(format!(
                    "{} reported no generated key for {}",
                    conn.dialect().name(),
                    T::table().name
                ))
            })?;
            let n = guards.len() as i64;
            // The distance between consecutive rows' keys (auto_increment_increment).
            let mut step = 1;
            let first = match conn.dialect().generated_keys() {
                GeneratedKeys::LastInsertIdFirst => {
                    step = conn.multi_row_key_step()?.unwrap_or(1);
                    reported
                }
                GeneratedKeys::LastInsertIdLast => {
                    // Every row got max+1 only if the last one is now the table's maximum.
                    let max_sql = self.cached_sql(conn, Shape::MaxKey)?;
                    let mut max = None;
                    conn.run(
                        &max_sql,
                        &[],
                        Some(&mut |row: &dyn Row| {
                            max = Some(cinnabar_engine::get_at::<Option<i64>>(row, 0, "max key")?);
                            Ok(())
                        }),
                    )?;
                    if max.flatten() != Some(reported) {
                        return Err(Error::unsupported(format!(
                            "generated keys of a multi-row INSERT into {} are not consecutive; cannot map them to objects",
                            T::table().name
                        )));
                    }
                    reported - (n - 1)
                }
                GeneratedKeys::Returning => {
                    return Err(Error::misuse(
                        "generated keys must come from RETURNING here",
                    ))
                }
            };
            for (j, g) in guards.iter_mut().enumerate() {
                g.value
                    .set_column(k, ValueRef::Int(first + j as i64 * step))?;
            }
        }
        let rest: Vec<usize> = omitted
            .iter()
            .copied()
            .filter(|c| Some(*c) != key_col)
            .collect();
        if rest.is_empty() {
            return Ok(());
        }
        for g in guards.iter_mut() {
            let table = T::table().name.as_str();
            let mut sel = cinnabar_core::sql::Select::from(table);
            for &c in &rest {
                sel = sel.column(Expr::Column(ColumnRef::bare(T::COLUMNS[c])));
            }
            let values = T::PRIMARY_KEY
                .iter()
                .map(|&i| g.value.column_value(i).map(ValueRef::to_owned_value))
                .collect::<Result<Vec<_>>>()?;
            sel.add_filter(key_equals::<T>(values));
            let rows = conn.execute(sel)?;
            let row = rows.first().ok_or_else(|| {
                Error::new(
                    ErrorKind::NoRow,
                    format!(
                        "inserted {} row not found to read back defaults",
                        T::model_name()
                    ),
                )
            })?;
            for (j, &c) in rest.iter().enumerate() {
                g.value.set_column(c, row.values()[j].as_ref())?;
            }
        }
        Ok(())
    }

    /// Files the objects of an INSERT batch (`guards` holds their locks) under their new
    /// keys: they are persistent now, and recorded as inserted by the transaction.
    pub(super) fn file_inserted<'g>(
        &mut self,
        batch: &'g [Handle<T>],
        mut guards: Vec<RwLockWriteGuard<'g, Slot<T>>>,
        mask: &ColumnSet,
    ) -> Result<()> {
        let key_generated = T::GENERATED_KEY.is_some_and(|k| !mask.contains(k));
        let mut keys = std::mem::take(&mut self.buffers.keys);
        keys.clear();
        keys.reserve(guards.len());
        for g in guards.iter_mut() {
            g.key_from_db = key_generated;
            let key = g.value.key().ok_or_else(|| {
                Error::misuse(format!(
                    "{} has no primary key after INSERT; set it or make it generated",
                    T::model_name()
                ))
            })?;
            g.modified = false;
            g.baseline = None;
            keys.push(key);
        }
        self.buffers.guards = reuse_buffer(guards);
        for (h, key) in batch.iter().zip(keys.drain(..)) {
            if key_generated {
                // The database just assigned this key, so no other row has it: an object
                // still mapped to it is stale (its row was deleted behind the session's back
                // and the key reused, as SQLite does with rowids). It leaves the session;
                // one marked for deletion would delete the new row: an error instead, as
                // when its DELETE finds no row.
                if let Some(old) = self.identity.get(&key) {
                    if !Handle::ptr_eq(old, h) {
                        if old.state() == ObjectState::Deleted {
                            return Err(Error::new(
                                ErrorKind::NoRow,
                                format!(
                                    "{} {key:?} is marked for deletion but its row is gone: another transaction deleted it and the database gave its key to a new row",
                                    T::model_name()
                                ),
                            ));
                        }
                        old.set_state(ObjectState::Detached);
                        self.identity.remove(&key);
                    }
                }
            }
            self.register(h, key)?;
            h.set_state(ObjectState::Persistent);
            self.journal.inserted_in_tx.push(h.clone());
        }
        self.buffers.keys = keys;
        Ok(())
    }
}

/// Sets the columns an INSERT left out (`omitted`) from its RETURNING rows, one per object
/// of `guards`; the rows of a multi-row INSERT are matched to the objects by key order.
pub(super) fn map_returned<T: Model>(
    conn: &Connection,
    guards: &mut [RwLockWriteGuard<'_, Slot<T>>],
    returned: &mut [Vec<Value>],
    omitted: &[usize],
) -> Result<()> {
    if returned.len() != guards.len() {
        return Err(Error::new(
            ErrorKind::Database,
            format!(
                "INSERT into {} returned {} rows for {} objects",
                T::table().name,
                returned.len(),
                guards.len()
            ),
        ));
    }
    if guards.len() > 1 {
        // Multi-row inserts only omit the generated key. Keys increase in row order
        // within one statement, so sorted keys map to input order. Where the dialect
        // says they are also consecutive, a gap means that failed: refuse to map.
        returned.sort_by_key(|r| match r.first() {
            Some(cinnabar_core::Value::Int(i)) => *i,
            _ => i64::MIN,
        });
        let ids: Vec<i64> = returned
            .iter()
            .map(|r| match r.first() {
                Some(cinnabar_core::Value::Int(i)) => *i,
                _ => i64::MIN,
            })
            .collect();
        let contiguous = ids.windows(2).all(|w| w[1] == w[0] + 1);
        let distinct = ids.windows(2).all(|w| w[1] > w[0]);
        if !distinct || (!contiguous && conn.dialect().multi_row_keys_contiguous()) {
            return Err(Error::unsupported(format!(
                "generated keys of a multi-row INSERT into {} are not contiguous; cannot map them to objects",
                T::table().name
            )));
        }
    }
    for (g, row) in guards.iter_mut().zip(returned.iter()) {
        for (&col, v) in omitted.iter().zip(row) {
            g.value.set_column(col, v.as_ref())?;
        }
    }
    Ok(())
}
