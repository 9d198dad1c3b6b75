//! A new object taking the key of an object deleted in the same flush: one UPDATE of the
//! row instead of an INSERT the row still there would refuse, as in SQLAlchemy.

use cinnabar_core::{Result, ValueRef};
use cinnabar_engine::Connection;
use rustc_hash::FxHashMap;

use super::column_set::ColumnSet;
use super::sql_cache::Shape;
use super::version::{bump_version, row_count_error, version_of};
use crate::handle::{Handle, ObjectState};
use crate::identity::{lock, locked_error, ptr_of, ptr_set, Registry};
use crate::model::Model;
use crate::relation::hooks::RelationHooks;

impl<T: Model> Registry<T> {
    /// A new object with the key of an object marked for deletion in this flush replaces
    /// it, as in SQLAlchemy: one UPDATE of the row with every column of the new object
    /// instead of an INSERT that the row still there would refuse (the DELETE runs last).
    /// Such objects leave `pending`; the deleted object is deleted in memory only.
    pub(super) fn replace_deleted(
        &mut self,
        conn: &mut Connection,
        pending: &mut Vec<Handle<T>>,
    ) -> Result<()> {
        let mut marked: FxHashMap<T::Key, Handle<T>> = FxHashMap::default();
        for d in &self.deleted {
            let g = d.slot().try_read().ok_or_else(locked_error::<T>)?;
            if let Some(k) = g.row_key() {
                marked.insert(k, d.clone());
            }
        }
        let mut pairs = Vec::new();
        let mut rest = Vec::with_capacity(pending.len());
        for h in pending.drain(..) {
            let key = {
                let mut g = lock(&h)?;
                g.value.apply_defaults();
                g.value.key()
            };
            match key.and_then(|k| marked.remove(&k).map(|old| (k, old))) {
                Some((k, old)) => pairs.push((k, old, h)),
                None => rest.push(h),
            }
        }
        *pending = rest;
        if pairs.is_empty() {
            return Ok(());
        }
        let replaced = ptr_set(pairs.iter().map(|(_, old, _)| old));
        self.deleted.retain(|d| !replaced.contains(&ptr_of(d)));
        let mut pairs = pairs.into_iter();
        while let Some((key, old, new)) = pairs.next() {
            if let Err(e) = self.update_in_place(conn, &old, &new) {
                // This pair and the ones after it go back to what they were.
                for (_, old, new) in std::iter::once((key, old, new)).chain(pairs) {
                    self.deleted.push(old);
                    pending.push(new);
                }
                return Err(e);
            }
            self.identity.insert(key, new.clone());
            new.set_state(ObjectState::Persistent);
            self.journal.inserted_in_tx.push(new.clone());
            self.journal.deleted_in_tx.push(old);
            if T::HAS_RELATIONS {
                let g = new.slot().try_read().ok_or_else(locked_error::<T>)?;
                g.value.push_key_to_children(None, false)?;
                if !T::POST_UPDATE_COLUMNS.is_empty() && g.value.needs_post_update()? {
                    self.post_updates.push(new.clone());
                }
            }
        }
        Ok(())
    }

    /// The UPDATE that turns `old`'s row into `new`'s (same key). Server-default columns
    /// `new` leaves unset keep the row's value, which `new` takes from `old`.
    fn update_in_place(
        &mut self,
        conn: &mut Connection,
        old: &Handle<T>,
        new: &Handle<T>,
    ) -> Result<()> {
        let og = old.slot().try_read().ok_or_else(locked_error::<T>)?;
        let row = og.row();
        if T::HAS_ASSOCIATIONS {
            row.delete_associations(conn)?;
        }
        let mut g = lock(new)?;
        for &c in T::SERVER_DEFAULTS {
            if g.value.column_value(c)?.is_null() {
                let v = row.column_value(c)?.to_owned_value();
                g.value.set_column(c, v.as_ref())?;
            }
        }
        let version = version_of(&*row)?;
        if version.is_some() {
            bump_version(&mut g.value, version)?;
        }
        drop(row);
        drop(og);
        let mask = (0..T::COLUMNS.len())
            .filter(|i| !T::PRIMARY_KEY.contains(i))
            .collect::<ColumnSet>();
        if !mask.is_empty() {
            let sql = self.cached_sql(conn, Shape::Update { mask: mask.clone() })?;
            let mut params = Vec::with_capacity(T::COLUMNS.len());
            for i in mask.iter() {
                params.push(g.value.column_value(i)?);
            }
            for &i in T::PRIMARY_KEY {
                params.push(g.value.column_value(i)?);
            }
            if let Some(v) = version {
                params.push(ValueRef::Int(v));
            }
            let n = conn.run(&sql, &params, None)?;
            if n != 1 {
                let og = old.slot().try_read().ok_or_else(locked_error::<T>)?;
                return Err(row_count_error::<T>(
                    "UPDATE (replacing a deleted object)",
                    &og.row(),
                    n,
                ));
            }
        }
        g.modified = false;
        g.baseline = None;
        g.key_from_db = false;
        Ok(())
    }
}
