//! The identity map and a session's state for one model: [`Registry<T>`] holds one handle
//! per primary key and the objects waiting for the flush, with the parts the journal
//! (`crate::journal`) and the flush (`crate::persist`) keep; it files objects under their
//! keys (`register`, `move_key`) and takes them out (`expunge`, `close_all`).
//! [`AnyRegistry`] is the type-erased registry the session holds one of per model.

mod hasher;

use std::any::Any;
use std::sync::Arc;

use cinnabar_core::schema::Table;
use cinnabar_core::sql::{ColumnRef, Expr};
use cinnabar_core::{Error, ErrorKind, Result};
use parking_lot::RwLockWriteGuard;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::handle::{Handle, ObjectState, Shared, Slot, Tracker};
use crate::journal::{Journal, TransactionJournal};
use crate::model::Model;
use crate::persist::{FlushBuffers, FlushSteps, SqlCache};

pub(crate) use hasher::KeyHasher;

/// What a session needs of a registry without knowing its model type: the flush steps
/// ([`FlushSteps`]), the journal's bookkeeping ([`TransactionJournal`]), and what is here.
pub(crate) trait AnyRegistry: FlushSteps + TransactionJournal + Send {
    fn as_any_mut(&mut self) -> &mut dyn Any;
    fn table(&self) -> &'static Table;
    fn has_pending_work(&self) -> bool;
    fn close(&mut self);
    fn check_unlocked(&self) -> Result<()>;
    /// Validates the new and changed objects into `errors` (nothing for a model without
    /// validation).
    fn validate_into(&self, errors: &mut cinnabar_core::ValidationErrors);
}

/// The identity map: one handle per primary key.
///
/// It holds its objects weakly in effect, as SQLAlchemy's does: an entry whose handle no one
/// else holds (not the user, not the session's lists of pending, changed, deleted or
/// journaled objects, not a relationship) is an object the user dropped, and it is forgotten
/// the next time the map is full ([`make_room`]); loading its row again makes a new object.
/// The entries are ordinary strong handles, not `Weak` pointers, so loading a row and
/// looking one up cost what they cost in a strong map, and a dead entry is found by its
/// reference counts. Objects that are pending, changed since the last flush, deleted, or held
/// by the transaction's journal are in those lists, so the map never forgets them.
pub(crate) type IdentityMap<K, V> =
    std::collections::HashMap<K, V, std::hash::BuildHasherDefault<KeyHasher>>;

/// Before an insert: when the map is full (the insert would grow it) and a handle was let
/// go since the last pass (`Shared::released`), forgets the objects no one else holds, then
/// makes sure at least half of the map is free, so the next pass is at least as many
/// inserts away as there are entries (amortised O(1) per insert, like the growth it
/// precedes). A map of objects the user keeps grows as before, without a pass; one that a
/// streaming loop walks through stays at a small multiple of what is alive.
#[inline]
pub(crate) fn make_room<K: std::hash::Hash + Eq, T: Model>(
    identity: &mut IdentityMap<K, Handle<T>>,
    shared: &Shared<T>,
) {
    if identity.len() == identity.capacity()
        && shared
            .released
            .swap(false, std::sync::atomic::Ordering::Relaxed)
    {
        prune(identity);
    }
}

#[cold]
#[inline(never)]
fn prune<K: std::hash::Hash + Eq, T: Model>(identity: &mut IdentityMap<K, Handle<T>>) {
    forget_unheld(identity);
    let len = identity.len();
    if identity.capacity() - len < len {
        identity.reserve(len);
    }
}

/// Removes the entries whose handle only the map holds.
pub(crate) fn forget_unheld<K, T: Model>(identity: &mut IdentityMap<K, Handle<T>>) {
    identity.retain(|_, h| h.held_elsewhere());
}

/// A session's state for one model.
pub(crate) struct Registry<T: Model> {
    pub(crate) identity: IdentityMap<T::Key, Handle<T>>,
    pub(crate) pending: Vec<Handle<T>>,
    pub(crate) deleted: Vec<Handle<T>>,
    /// What the open transaction changed, for rollbacks.
    pub(crate) journal: Journal<T>,
    /// Objects whose `post_update` foreign keys are written after every INSERT.
    pub(crate) post_updates: Vec<Handle<T>>,
    /// The flush's SQL text per statement shape.
    pub(crate) sql: SqlCache,
    /// The flush's batch buffers, kept between batches.
    pub(crate) buffers: FlushBuffers<T>,
    /// Query SQL per shape: the text of a query compiled without its select list (values
    /// are placeholders in it) to the text of the full statement (see `load::load_query`).
    pub(crate) query_sql: FxHashMap<Box<str>, Arc<str>>,
    /// The same for the common shapes, keyed without writing the query out
    /// (`crate::query::shape`).
    pub(crate) query_shapes: FxHashMap<crate::query::shape::ShapeKey, Arc<str>>,
    pub(crate) shared: Arc<Shared<T>>,
}

pub(crate) fn locked_error<T: Model>() -> Error {
    Error::misuse(format!(
        "a {} object is borrowed (a read() or write() guard is alive) during flush; drop the guard first",
        T::model_name()
    ))
}

pub(crate) fn lock<T: Model>(h: &Handle<T>) -> Result<RwLockWriteGuard<'_, Slot<T>>> {
    h.slot().try_write().ok_or_else(locked_error::<T>)
}

impl<T: Model> Registry<T> {
    /// A registry for a session with `savepoints` savepoints open (a model first used
    /// inside a savepoint must record its changes for that savepoint's rollback too).
    pub(crate) fn new(tracker: Arc<Tracker>, savepoints: usize) -> Self {
        Registry {
            identity: IdentityMap::default(),
            pending: Vec::new(),
            deleted: Vec::new(),
            journal: Journal::new(savepoints),
            post_updates: Vec::new(),
            sql: SqlCache::default(),
            buffers: FlushBuffers::default(),
            query_sql: FxHashMap::default(),
            query_shapes: FxHashMap::default(),
            shared: Shared::new(tracker),
        }
    }

    /// Remembers a query's full SQL for its shape `key`. The cache is bounded: shapes that
    /// vary without end (IN lists of every length) start it over instead of growing it.
    pub(crate) fn cache_query_sql(&mut self, key: &str, sql: Arc<str>) {
        const MAX_SHAPES: usize = 256;
        if self.query_sql.len() >= MAX_SHAPES {
            self.query_sql.clear();
        }
        self.query_sql.insert(key.into(), sql);
    }

    /// [`Registry::cache_query_sql`] for a [`ShapeKey`](crate::query::shape::ShapeKey).
    pub(crate) fn cache_shape_sql(&mut self, key: crate::query::shape::ShapeKey, sql: Arc<str>) {
        const MAX_SHAPES: usize = 256;
        if self.query_shapes.len() >= MAX_SHAPES {
            self.query_shapes.clear();
        }
        self.query_shapes.insert(key, sql);
    }

    /// Adds a persistent object to the identity map (used by flush and by loads).
    pub(crate) fn register(&mut self, h: &Handle<T>, key: T::Key) -> Result<()> {
        if let Some(existing) = self.identity.get(&key) {
            if !Handle::ptr_eq(existing, h) {
                return Err(Error::new(
                    ErrorKind::UniqueViolation,
                    format!(
                        "another {} with primary key {key:?} is already in this session",
                        T::model_name()
                    ),
                ));
            }
        }
        make_room(&mut self.identity, &self.shared);
        self.identity.insert(key, h.clone());
        Ok(())
    }

    /// A new handle of this model, tracked by this session.
    pub(crate) fn new_handle(&self, value: T, state: ObjectState, generation: u64) -> Handle<T> {
        Handle::tracked(value, state, &self.shared, generation)
    }

    /// Files `h` under its key `now` instead of `was` in the identity map.
    pub(crate) fn move_key(&mut self, h: &Handle<T>, was: Option<T::Key>, now: Option<T::Key>) {
        if was == now {
            return;
        }
        if let Some(k) = was {
            if self.identity.get(&k).is_some_and(|e| Handle::ptr_eq(e, h)) {
                self.identity.remove(&k);
            }
        }
        if let Some(k) = now {
            self.identity.insert(k, h.clone());
        }
    }

    /// Takes `h` out of the session: out of every list and the identity map; a pending
    /// object becomes transient, any other detached, keeping its current values.
    pub(crate) fn expunge(&mut self, h: &Handle<T>) -> Result<()> {
        let mut g = lock(h)?;
        // The identity map files a changed object under its key before the change.
        let key = g.row_key();
        g.modified = false;
        g.baseline = None;
        drop(g);
        let other = |x: &Handle<T>| !Handle::ptr_eq(x, h);
        self.pending.retain(other);
        self.deleted.retain(other);
        self.journal.inserted_in_tx.retain(other);
        self.journal.deleted_in_tx.retain(other);
        self.post_updates.retain(other);
        self.journal.touched.retain(|(x, _)| other(x));
        self.journal.updated_log.retain(|(x, _, _)| other(x));
        self.shared.dirty.lock().retain(other);
        self.shared.orphans.lock().retain(other);
        self.shared
            .orphan_candidates
            .lock()
            .retain(|(x, _, _)| other(x));
        self.move_key(h, key, None);
        h.set_state(if h.state() == ObjectState::Pending {
            ObjectState::Transient
        } else {
            ObjectState::Detached
        });
        Ok(())
    }

    fn close_all(&mut self) {
        for h in self.identity.values() {
            h.set_state(ObjectState::Detached);
        }
        for h in self.pending.drain(..) {
            h.set_state(ObjectState::Transient);
        }
        self.identity.clear();
        self.deleted.clear();
        self.journal.touched.clear();
        self.shared.dirty.lock().clear();
        self.journal.inserted_in_tx.clear();
        self.journal.deleted_in_tx.clear();
    }
}

impl<T: Model> AnyRegistry for Registry<T> {
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }

    fn table(&self) -> &'static Table {
        T::table()
    }

    fn has_pending_work(&self) -> bool {
        !self.pending.is_empty()
            || !self.deleted.is_empty()
            || !self.shared.orphans.lock().is_empty()
    }

    fn close(&mut self) {
        self.close_all();
    }

    fn validate_into(&self, errors: &mut cinnabar_core::ValidationErrors) {
        if T::VALIDATES {
            let written = self.shared.dirty.lock().clone();
            crate::validation::validate_handles(&self.pending, &written, errors);
        }
    }

    /// Fails, before anything is written, when a guard is held on an object the flush
    /// must lock (holding it across a flush would otherwise deadlock its rollback).
    fn check_unlocked(&self) -> Result<()> {
        // A read of the lock word, not a try-lock: no write to each object's cache line.
        let free = |h: &Handle<T>| !h.slot().is_locked();
        let dirty_ok = self.shared.dirty.lock().iter().all(free);
        let ok = dirty_ok
            && self
                .pending
                .iter()
                .chain(&self.deleted)
                .chain(&self.journal.inserted_in_tx)
                .chain(self.journal.touched.iter().map(|(h, _)| h))
                .all(free);
        if ok {
            Ok(())
        } else {
            Err(locked_error::<T>())
        }
    }
}

/// `pk = value [AND ...]` for the primary-key columns, with bound values.
pub(crate) fn key_equals<T: Model>(values: Vec<cinnabar_core::Value>) -> Expr {
    let conds: Vec<Expr> = T::PRIMARY_KEY
        .iter()
        .zip(values)
        .map(|(&i, v)| {
            Expr::Column(ColumnRef::bare(T::COLUMNS[i]))
                .binary(cinnabar_core::sql::BinOp::Eq, Expr::Value(v))
        })
        .collect();
    Expr::And(conds)
}

/// An object's identity, for sets of handles.
pub(crate) fn ptr_of<T: Model>(h: &Handle<T>) -> usize {
    Arc::as_ptr(&h.0) as usize
}

/// The identities of `handles`.
pub(crate) fn ptr_set<'a, T: Model + 'a>(
    handles: impl IntoIterator<Item = &'a Handle<T>>,
) -> FxHashSet<usize> {
    handles.into_iter().map(ptr_of).collect()
}
