//! DELETEs: the objects marked for deletion, and the orphans of delete-orphan collections
//! that no new parent took, each deleted by key (and version), children before parents.

use cinnabar_core::{Result, ValueRef};
use cinnabar_engine::Connection;

use super::sql_cache::Shape;
use super::version::row_count_error;
use crate::handle::Handle;
use crate::identity::{lock, locked_error, Registry};
use crate::model::Model;
use crate::relation::hooks::RelationHooks;

impl<T: Model> Registry<T> {
    pub(super) fn flush_deletes(&mut self, conn: &mut Connection) -> Result<()> {
        let orphans = std::mem::take(&mut *self.shared.orphans.lock());
        self.deleted.extend(orphans);
        if self.deleted.is_empty() {
            return Ok(());
        }
        let deleted = std::mem::take(&mut self.deleted);
        let result = (|| {
            for h in &deleted {
                if T::HAS_ASSOCIATIONS {
                    let g = lock(h)?;
                    g.row().delete_associations(conn)?;
                }
                let (key, params) = {
                    let g = lock(h)?;
                    let base = g.row();
                    let key = base.key();
                    let params = T::PRIMARY_KEY
                        .iter()
                        .chain(T::VERSION.as_ref())
                        .map(|&i| base.column_value(i).map(ValueRef::to_owned_value))
                        .collect::<Result<Vec<_>>>()?;
                    (key, params)
                };
                let sql = self.cached_sql(conn, Shape::Delete { rows: 1 })?;
                let refs: Vec<ValueRef<'_>> = params.iter().map(|v| v.as_ref()).collect();
                let n = conn.run(&sql, &refs, None)?;
                if n != 1 {
                    let g = lock(h)?;
                    return Err(row_count_error::<T>("DELETE", &g.row(), n));
                }
                if let Some(k) = key {
                    self.identity.remove(&k);
                }
                self.journal.deleted_in_tx.push(h.clone());
            }
            Ok(())
        })();
        if result.is_err() {
            for h in deleted {
                if !self
                    .journal
                    .deleted_in_tx
                    .iter()
                    .any(|d| Handle::ptr_eq(d, &h))
                {
                    self.deleted.push(h);
                }
            }
        }
        result
    }

    pub(super) fn resolve_orphans(&mut self) -> Result<()> {
        let candidates = std::mem::take(&mut *self.shared.orphan_candidates.lock());
        for (h, fk, parent_key) in candidates {
            // Still the old parent's, or its reference cleared: an orphan. Another key: moved.
            let still = {
                let g = h.slot().try_read().ok_or_else(locked_error::<T>)?;
                let now = g.value.column_value(fk)?;
                now == parent_key.as_ref() || now == ValueRef::Null
            };
            if still {
                h.mark_orphan();
            }
        }
        Ok(())
    }
}
