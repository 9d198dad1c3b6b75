//! `post_update` foreign keys, which close a cycle of rows: written by an UPDATE after every
//! INSERT, and set to NULL before any DELETE so the rows can go in any order.

use cinnabar_core::sql::{Expr, Update};
use cinnabar_core::{Result, ValueRef};
use cinnabar_engine::Connection;

use crate::handle::ObjectState;
use crate::identity::{key_equals, lock, Registry};
use crate::model::Model;
use crate::relation::hooks::RelationHooks;

impl<T: Model> Registry<T> {
    pub(super) fn schedule_post_updates(&mut self) -> Result<()> {
        for h in std::mem::take(&mut self.post_updates) {
            let mut g = lock(&h)?;
            if h.state() == ObjectState::Persistent {
                h.note_write(&mut g);
                g.value.pull_parent_keys()?;
            }
        }
        Ok(())
    }

    pub(super) fn release_post_updates(&mut self, conn: &mut Connection) -> Result<()> {
        if T::POST_UPDATE_COLUMNS.is_empty() {
            return Ok(());
        }
        let orphans = std::mem::take(&mut *self.shared.orphans.lock());
        self.deleted.extend(orphans);
        let table = T::table().name.as_str();
        for h in &self.deleted {
            let g = lock(h)?;
            let base = g.row();
            let mut update = Update::table(table);
            let mut any = false;
            for &c in T::POST_UPDATE_COLUMNS {
                if base.column_value(c)? != ValueRef::Null {
                    update = update.set(T::COLUMNS[c], Expr::Value(cinnabar_core::Value::Null));
                    any = true;
                }
            }
            if !any {
                continue;
            }
            let key = T::PRIMARY_KEY
                .iter()
                .map(|&i| base.column_value(i).map(ValueRef::to_owned_value))
                .collect::<Result<Vec<_>>>()?;
            update = update.filter(key_equals::<T>(key));
            conn.execute(update)?;
        }
        Ok(())
    }
}
