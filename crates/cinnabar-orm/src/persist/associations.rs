//! Many-to-many association rows, written once both sides have keys (after every INSERT):
//! rows for new objects' collections, and the difference for changed ones.

use cinnabar_core::Result;
use cinnabar_engine::Connection;

use crate::handle::{Handle, ObjectState};
use crate::identity::{locked_error, Registry};
use crate::model::Model;
use crate::relation::hooks::RelationHooks;

impl<T: Model> Registry<T> {
    pub(super) fn flush_associations(
        &mut self,
        conn: &mut Connection,
        log: &mut crate::relation::AssociationLog,
    ) -> Result<()> {
        if !T::HAS_ASSOCIATIONS {
            return Ok(());
        }
        let start = self
            .journal
            .flush_start
            .min(self.journal.inserted_in_tx.len());
        let inserted: Vec<Handle<T>> = self.journal.inserted_in_tx[start..].to_vec();
        for h in inserted {
            let g = h.slot().try_read().ok_or_else(locked_error::<T>)?;
            g.value.sync_associations(None, conn, log)?;
        }
        let dirty: Vec<Handle<T>> = self.shared.dirty.lock().clone();
        for h in dirty {
            let g = h.slot().try_read().ok_or_else(locked_error::<T>)?;
            if g.modified && h.state() == ObjectState::Persistent {
                if let Some(base) = g.baseline.as_deref() {
                    let base = base.as_value(&g.value);
                    g.value.sync_associations(Some(&base), conn, log)?;
                }
            }
        }
        Ok(())
    }
}
