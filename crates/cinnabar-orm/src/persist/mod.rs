//! Writing one model's changes: the flush steps the unit of work (`crate::unit_of_work`)
//! runs per model, behind [`FlushSteps`], each in the module named for its job: `insert`
//! (INSERT batching), `keys` (generated keys and server defaults mapped back), `replace`
//! (a new object taking a deleted one's key), `update` (UPDATE batching), `version`
//! (version columns), `delete`, `foreign_keys` (keys handed between related objects),
//! `post_update`, `associations` (many-to-many rows).
//!
//! Every statement is an ordinary core statement (`Insert`, `Update`, `Delete`) compiled by
//! the connection's dialect once per shape and cached (`sql_cache`).

mod associations;
pub(crate) mod column_set;
mod delete;
mod foreign_keys;
mod insert;
mod keys;
mod post_update;
mod replace;
mod sql_cache;
mod update;
mod version;

pub(crate) use sql_cache::SqlCache;

use cinnabar_core::{Result, ValueRef};
use cinnabar_engine::Connection;

use crate::identity::Registry;
use crate::model::Model;
use crate::relation::AssociationLog;

/// One model's flush steps, as the unit of work runs them without knowing the model type
/// (in the order they are declared here; see `unit_of_work::order`).
pub(crate) trait FlushSteps {
    /// Hands changed persistent objects' keys to the children added to (or taken from)
    /// their collections, before the children's own UPDATEs and INSERTs.
    fn push_changed_keys(&self) -> Result<()>;
    /// `early`: the UPDATEs that can run before this model's INSERTs (so a row giving up a
    /// unique value does so before a new row takes it); the rest run after every INSERT.
    fn flush_updates(&mut self, conn: &mut Connection, generation: u64, early: bool) -> Result<()>;
    fn flush_inserts(&mut self, conn: &mut Connection) -> Result<()>;
    /// Deletes (at this flush) the children taken out of delete-orphan collections that no
    /// new parent took; called after every INSERT.
    fn resolve_orphans(&mut self) -> Result<()>;
    /// Marks for UPDATE the objects whose `post_update` foreign keys could not be written
    /// yet (their parents were new); called after every INSERT.
    fn schedule_post_updates(&mut self) -> Result<()>;
    fn flush_associations(&mut self, conn: &mut Connection, log: &mut AssociationLog)
        -> Result<()>;
    /// Sets `post_update` foreign keys of objects about to be deleted to NULL, so the rows of
    /// a cycle can be deleted in any order; called before every DELETE.
    fn release_post_updates(&mut self, conn: &mut Connection) -> Result<()>;
    fn flush_deletes(&mut self, conn: &mut Connection) -> Result<()>;
}

/// Each step is the `Registry` method of the same name in the module of its job.
impl<T: Model> FlushSteps for Registry<T> {
    fn push_changed_keys(&self) -> Result<()> {
        self.push_keys_of_changed()
    }

    fn flush_updates(&mut self, conn: &mut Connection, generation: u64, early: bool) -> Result<()> {
        Registry::flush_updates(self, conn, generation, early)
    }

    fn flush_inserts(&mut self, conn: &mut Connection) -> Result<()> {
        Registry::flush_inserts(self, conn)
    }

    fn resolve_orphans(&mut self) -> Result<()> {
        Registry::resolve_orphans(self)
    }

    fn schedule_post_updates(&mut self) -> Result<()> {
        Registry::schedule_post_updates(self)
    }

    fn flush_associations(
        &mut self,
        conn: &mut Connection,
        log: &mut AssociationLog,
    ) -> Result<()> {
        Registry::flush_associations(self, conn, log)
    }

    fn release_post_updates(&mut self, conn: &mut Connection) -> Result<()> {
        Registry::release_post_updates(self, conn)
    }

    fn flush_deletes(&mut self, conn: &mut Connection) -> Result<()> {
        Registry::flush_deletes(self, conn)
    }
}

/// The flush's batch buffers, kept between batches (and flushes) of one model.
pub(crate) struct FlushBuffers<T: Model> {
    /// The INSERT and UPDATE batches' parameter buffer, kept between batches: at 1,000 rows
    /// it is large enough that freeing it makes glibc consolidate its free lists every batch.
    params: Vec<ValueRef<'static>>,
    /// The INSERT batches' lock guards (8-byte words while unused) and new keys, likewise.
    guards: Vec<usize>,
    keys: Vec<T::Key>,
    /// The UPDATE batches' row counts.
    counts: Vec<u64>,
}

impl<T: Model> Default for FlushBuffers<T> {
    fn default() -> Self {
        FlushBuffers {
            params: Vec::new(),
            guards: Vec::new(),
            keys: Vec::new(),
            counts: Vec::new(),
        }
    }
}

/// An empty vector with `buf`'s allocation when the element layouts match (collecting an
/// emptied vector's iterator reuses its buffer), else a new one. Lets per-batch vectors of
/// borrowing types (guards, `ValueRef`s) keep one allocation across batches.
fn reuse_buffer<A, B>(mut buf: Vec<A>) -> Vec<B> {
    buf.clear();
    buf.into_iter().filter_map(|_| None).collect()
}
