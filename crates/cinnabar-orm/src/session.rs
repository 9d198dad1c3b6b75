//! The [`Session`]: unit of work and identity map over one pooled connection.
//!
//! It holds a connection from first use until commit, rollback or close; begins the write
//! transaction at the first flush that writes (`BEGIN IMMEDIATE` on SQLite); flushes
//! automatically before queries; and orders the flush by foreign-key dependencies (parents
//! inserted first, children deleted first). A failed flush rolls the transaction back and
//! leaves the session usable. See docs/SESSION.md.

use std::any::TypeId;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use cinnabar_core::schema::{dependency_order, Table};
use cinnabar_core::sql::{first_keyword, Statement};
use cinnabar_core::{Error, Result};
use cinnabar_engine::{Connection, Engine, Rows};
use rustc_hash::FxHashMap;

use crate::handle::{Handle, ObjectState, Tracker};
use crate::model::Model;
use crate::query::Query;
use crate::registry::{AnyRegistry, Registry};
use crate::relation::hooks::RelationHooks;
use crate::retry::RetryPolicy;

/// Session settings.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// Flush pending changes before every query (default on).
    pub autoflush: bool,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions { autoflush: true }
    }
}

/// A unit of work: tracks added, loaded, changed and deleted objects and writes them in one
/// transaction. `Send`, not shared: give each thread or request its own session.
pub struct Session {
    engine: Engine,
    conn: Option<Connection>,
    registries: Vec<Box<dyn AnyRegistry>>,
    index: FxHashMap<TypeId, usize>,
    order: Option<Vec<usize>>,
    tracker: Arc<Tracker>,
    options: SessionOptions,
    generation: u64,
    /// Depth of the session's own transaction on `conn` (0: none).
    tx_depth: usize,
    /// Open `savepoint()` calls; a failed flush inside one is undone by the savepoint.
    savepoints: usize,
    /// A reused buffer for compiling queries.
    scratch: String,
    /// The last explicitly loaded relationship and how many single-object loads of it ran
    /// in a row (the N+1 detector).
    n_plus_one: (String, usize),
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("engine", &self.engine)
            .field("models", &self.registries.len())
            .field("in_transaction", &(self.tx_depth > 0))
            .finish()
    }
}

impl Session {
    /// A new session on `engine` (SQLAlchemy's `Session(bind=engine)`).
    pub fn new(engine: &Engine) -> Session {
        Session::with_options(engine, SessionOptions::default())
    }

    /// A new session with `options`.
    pub fn with_options(engine: &Engine, options: SessionOptions) -> Session {
        Session {
            engine: engine.clone(),
            conn: None,
            registries: Vec::new(),
            index: FxHashMap::default(),
            order: None,
            tracker: Arc::new(Tracker::default()),
            options,
            generation: 1,
            tx_depth: 0,
            savepoints: 0,
            scratch: String::new(),
            n_plus_one: (String::new(), 0),
        }
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    pub(crate) fn registry<T: Model>(&mut self) -> &mut Registry<T> {
        let idx = match self.index.get(&TypeId::of::<T>()) {
            Some(&i) => i,
            None => {
                self.registries.push(Box::new(Registry::<T>::new(
                    self.tracker.clone(),
                    self.savepoints,
                )));
                let i = self.registries.len() - 1;
                self.index.insert(TypeId::of::<T>(), i);
                self.order = None;
                i
            }
        };
        self.registries[idx]
            .as_any_mut()
            .downcast_mut::<Registry<T>>()
            .unwrap_or_else(|| unreachable!("registry index maps TypeId to its own type"))
    }

    /// The session's connection, checked out on first use.
    ///
    /// # Errors
    /// Pool or connection errors.
    pub fn connection(&mut self) -> Result<&mut Connection> {
        if self.conn.is_none() {
            self.conn = Some(self.engine.connect()?);
        }
        match self.conn.as_mut() {
            Some(c) => Ok(c),
            None => Err(Error::misuse("session has no connection")),
        }
    }

    pub(crate) fn parts<T: Model>(&mut self) -> Result<(&mut Connection, &mut Registry<T>)> {
        self.connection()?;
        self.registry::<T>();
        let idx = self.index[&TypeId::of::<T>()];
        let conn = self
            .conn
            .as_mut()
            .ok_or_else(|| Error::misuse("session has no connection"))?;
        let reg = self.registries[idx]
            .as_any_mut()
            .downcast_mut::<Registry<T>>()
            .ok_or_else(|| Error::misuse("session registry type mismatch"))?;
        Ok((conn, reg))
    }

    /// Adds a new object; it is INSERTed at the next flush. Returns its handle. New objects
    /// ([`Handle::new`]) in its relationships are added with it (save-update cascade); one
    /// that cannot be added now (borrowed elsewhere) is added, or reported, at the flush.
    pub fn add<T: Model>(&mut self, object: T) -> Handle<T> {
        let generation = self.generation;
        let reg = self.registry::<T>();
        let h = reg.new_handle(object, ObjectState::Pending, generation);
        reg.pending.push(h.clone());
        if T::HAS_RELATIONS {
            if let Err(e) = self.cascade_save_from(&h) {
                tracing::debug!(target: "cinnabar::session", error = %e, "save-update cascade deferred to the flush");
            }
        }
        h
    }

    /// Adds the new objects `h`'s relationships refer to.
    pub(crate) fn cascade_save_from<T: Model>(&mut self, h: &Handle<T>) -> Result<()> {
        let g = h.slot().try_read().ok_or_else(|| {
            Error::misuse(format!(
                "a {} is borrowed for writing during flush; drop the guard first",
                T::model_name()
            ))
        })?;
        g.value.cascade_save(self)
    }

    /// Runs the save-update cascade from every pending and changed object, so that new
    /// objects put into relationships since they were added are inserted by this flush.
    fn cascade_save_all(&mut self) -> Result<()> {
        let roots: Vec<_> = self
            .registries
            .iter()
            .filter_map(|r| r.cascade_root())
            .collect();
        for root in roots {
            root(self)?;
        }
        Ok(())
    }

    /// Adds several new objects.
    pub fn add_all<T: Model, I: IntoIterator<Item = T>>(&mut self, objects: I) -> Vec<Handle<T>> {
        let iter = objects.into_iter();
        let mut out = Vec::with_capacity(iter.size_hint().0);
        if T::HAS_RELATIONS {
            for o in iter {
                out.push(self.add(o));
            }
            return out;
        }
        // No relationships, so no cascade: `add` with the registry looked up once.
        let generation = self.generation;
        let reg = self.registry::<T>();
        reg.pending.reserve(out.capacity());
        for o in iter {
            let h = reg.new_handle(o, ObjectState::Pending, generation);
            reg.pending.push(h.clone());
            out.push(h);
        }
        out
    }

    /// Adds a new object made with [`Handle::new`], or again one that a rollback made
    /// transient; new objects in its relationships are added with it.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) if the handle belongs to
    /// another session, is deleted or detached, or (for the cascade) a related new object
    /// is borrowed for writing.
    pub fn add_handle<T: Model>(&mut self, handle: &Handle<T>) -> Result<()> {
        let shared = self.registry::<T>().shared.clone();
        if !handle.adopt(&shared) {
            return Err(Error::misuse(format!(
                "this {} belongs to another session",
                T::model_name()
            )));
        }
        match handle.state() {
            ObjectState::Transient => {
                handle.set_state(ObjectState::Pending);
                if let Some(mut g) = handle.slot().try_write() {
                    g.generation = self.generation;
                }
                self.registry::<T>().pending.push(handle.clone());
                if T::HAS_RELATIONS {
                    self.cascade_save_from(handle)?;
                }
                Ok(())
            }
            ObjectState::Pending | ObjectState::Persistent => Ok(()),
            s => Err(Error::misuse(format!(
                "cannot add a {} that is {s:?}",
                T::model_name()
            ))),
        }
    }

    /// Marks an object for deletion; its DELETE runs at the next flush. Deleting a pending
    /// object just forgets it.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) for an object of another
    /// session, or one that is not pending or persistent.
    pub fn delete<T: Model>(&mut self, handle: &Handle<T>) -> Result<()> {
        if !handle.tracker_is(&self.tracker) {
            return Err(Error::misuse(format!(
                "this {} belongs to another session",
                T::model_name()
            )));
        }
        let reg = self.registry::<T>();
        match handle.state() {
            ObjectState::Pending => {
                reg.pending.retain(|h| !Handle::ptr_eq(h, handle));
                handle.set_state(ObjectState::Transient);
                Ok(())
            }
            ObjectState::Persistent => {
                if T::HAS_RELATIONS {
                    // Children first (loading them may autoflush, which must not see the
                    // parent's deletion yet).
                    T::cascade_delete(self, handle)?;
                }
                handle.set_state(ObjectState::Deleted);
                self.registry::<T>().deleted.push(handle.clone());
                Ok(())
            }
            ObjectState::Deleted => Ok(()),
            s => Err(Error::misuse(format!(
                "cannot delete a {} that is {s:?}",
                T::model_name()
            ))),
        }
    }

    /// Takes an object out of the session (SQLAlchemy's `session.expunge`): a pending object
    /// is not inserted and becomes transient; a persistent or deleted one is forgotten
    /// (detached), its unflushed changes and any deletion mark with it; the object keeps its
    /// current values. The way to drop the one bad object after a failed commit and commit
    /// the rest.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) for an object of another
    /// session, or one borrowed (a guard alive) while the session must change it.
    pub fn expunge<T: Model>(&mut self, handle: &Handle<T>) -> Result<()> {
        if !handle.tracker_is(&self.tracker) {
            return Err(Error::misuse(format!(
                "this {} belongs to another session",
                T::model_name()
            )));
        }
        self.registry::<T>().expunge(handle)
    }

    /// Starts a query for model `T` (SQLAlchemy's `session.query(Student)`).
    pub fn query<T: Model>(&mut self) -> Query<'_, T> {
        Query::new(self)
    }

    /// Loads the object with primary key `key`, from the identity map when it is there
    /// (no SQL), else with one SELECT.
    ///
    /// # Errors
    /// Database and conversion errors.
    pub fn get<T: Model>(&mut self, key: impl Into<T::Key>) -> Result<Option<Handle<T>>> {
        let key = key.into();
        let generation = self.generation;
        if let Some(h) = self.registry::<T>().identity.get(&key) {
            // Served from the identity map unless a commit or rollback expired it.
            let fresh = h
                .slot()
                .try_read()
                .is_some_and(|s| s.generation == generation || s.modified);
            if h.state() == ObjectState::Persistent && fresh {
                return Ok(Some(h.clone()));
            }
        }
        Query::<T>::new(self).filter_key(&key)?.one_or_none()
    }

    /// Loads the object with primary key `key` and locks its row until the transaction
    /// ends: always one `SELECT ... FOR UPDATE` (SQLite: the write lock, then the SELECT),
    /// beginning the session's transaction, and the object in the identity map is refreshed
    /// from the locked row. The pessimistic way to make `get`, change, `commit` safe under
    /// concurrency (see `docs/CONCURRENCY.md`).
    ///
    /// # Errors
    /// Database errors, including a lock wait timeout or deadlock
    /// ([`ErrorKind::is_retryable`](cinnabar_core::ErrorKind::is_retryable)); `Misuse` if a
    /// guard on the object is alive.
    pub fn get_for_update<T: Model>(
        &mut self,
        key: impl Into<T::Key>,
    ) -> Result<Option<Handle<T>>> {
        let key = key.into();
        Query::<T>::new(self)
            .filter_key(&key)?
            .with_for_update()
            .one_or_none()
    }

    fn has_work(&self) -> bool {
        self.tracker.dirty.load(Ordering::Relaxed) > 0
            || self.registries.iter().any(|r| r.has_pending_work())
    }

    fn flush_order(&mut self) -> Result<Vec<usize>> {
        if let Some(o) = &self.order {
            return Ok(o.clone());
        }
        let tables: Vec<&Table> = self.registries.iter().map(|r| r.table()).collect();
        let order = dependency_order(&tables)
            .map_err(|e| Error::misuse(format!("cannot order the flush: {}", e.message())))?;
        self.order = Some(order.clone());
        Ok(order)
    }

    /// Writes pending changes (INSERT, UPDATE, DELETE in dependency order) inside the
    /// session's transaction, beginning it if needed. Does not commit.
    ///
    /// # Errors
    /// The first failing statement's error (an integrity error names the constraint). The
    /// transaction is then rolled back and the session is usable again, as after
    /// [`Session::rollback`].
    pub fn flush(&mut self) -> Result<()> {
        if !self.has_work() {
            return Ok(());
        }
        self.cascade_save_all()?;
        // A guard held on an object the flush must lock is misuse; report it before writing,
        // so nothing needs rolling back (the rollback would wait on that guard forever).
        for r in &self.registries {
            r.check_unlocked()?;
        }
        // Before the transaction begins: a failure writes nothing and keeps every object.
        self.validate_objects()?;
        let result = self.flush_inner();
        if let Err(e) = result {
            if self.savepoints > 0 {
                // The enclosing savepoint() rolls back to its savepoint and restores.
                return Err(e);
            }
            self.rollback_keeping_changes();
            return Err(e);
        }
        Ok(())
    }

    /// Checks every new and changed object against its model's validation rules and
    /// `validate_with` function (see docs/VALIDATION.md) without flushing. The flush does the
    /// same before it writes anything.
    ///
    /// # Errors
    /// [`ErrorKind::Validation`](cinnabar_core::ErrorKind::Validation) listing every invalid
    /// field of every object ([`Error::validation_errors`]); a guard held on one of the
    /// objects is [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse).
    pub fn validate(&mut self) -> Result<()> {
        self.cascade_save_all()?;
        for r in &self.registries {
            r.check_unlocked()?;
        }
        self.validate_objects()
    }

    fn validate_objects(&self) -> Result<()> {
        let mut errors = cinnabar_core::ValidationErrors::new();
        for r in &self.registries {
            r.validate_into(&mut errors);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::validation(errors))
        }
    }

    fn flush_inner(&mut self) -> Result<()> {
        let order = self.flush_order()?;
        self.ensure_transaction()?;
        let conn = self
            .conn
            .as_mut()
            .ok_or_else(|| Error::misuse("session has no connection"))?;
        for r in &mut self.registries {
            r.start_flush();
        }
        // Per model, in dependency order: keys handed to changed parents' children, the
        // UPDATEs that need no new parent (so a row releases a unique value before a new row
        // takes it, as SQLAlchemy does), then the INSERTs.
        for &i in &order {
            self.registries[i].push_changed_keys()?;
            self.registries[i].flush_updates(conn, self.generation, true)?;
            self.registries[i].flush_inserts(conn)?;
        }
        // Association rows need both sides' keys: after every INSERT.
        // Orphans that no new parent took, and foreign keys that close a cycle
        // (post_update), now that every row exists.
        for &i in &order {
            self.registries[i].resolve_orphans()?;
            self.registries[i].schedule_post_updates()?;
        }
        let mut log = crate::relation::AssociationLog::default();
        for &i in &order {
            self.registries[i].flush_associations(conn, &mut log)?;
        }
        self.tracker.dirty.store(0, Ordering::Relaxed);
        for &i in &order {
            self.registries[i].flush_updates(conn, self.generation, false)?;
        }
        for &i in order.iter().rev() {
            self.registries[i].release_post_updates(conn)?;
        }
        for &i in order.iter().rev() {
            self.registries[i].flush_deletes(conn)?;
        }
        Ok(())
    }

    fn ensure_transaction(&mut self) -> Result<()> {
        if self.tx_depth == 0 {
            let depth = self.connection()?.begin_write_level()?;
            self.tx_depth = depth;
        }
        Ok(())
    }

    /// Begins the session's transaction now (otherwise it begins at the first write).
    ///
    /// # Errors
    /// Database errors; [`ErrorKind::Busy`](cinnabar_core::ErrorKind::Busy) on SQLite when
    /// another writer holds the lock past the busy timeout.
    pub fn begin(&mut self) -> Result<()> {
        self.ensure_transaction()
    }

    /// Whether the session's transaction is open.
    pub fn in_transaction(&self) -> bool {
        self.tx_depth > 0
    }

    /// Flushes, commits, and returns the connection to the pool. Objects keep their values
    /// and are refreshed from the database by the next query that loads them.
    ///
    /// # Errors
    /// Flush errors (after which everything is rolled back), or COMMIT errors.
    pub fn commit(&mut self) -> Result<()> {
        self.flush()?;
        if self.tx_depth > 0 {
            let conn = self
                .conn
                .as_mut()
                .ok_or_else(|| Error::misuse("session has no connection"))?;
            while conn.transaction_depth() > 1 {
                conn.commit_level()?;
            }
            if let Err(e) = conn.commit_level() {
                self.rollback_keeping_changes();
                return Err(e);
            }
            self.tx_depth = 0;
        }
        for r in &mut self.registries {
            r.after_commit();
        }
        self.generation += 1;
        self.conn = None;
        Ok(())
    }

    /// Rolls back the transaction: pending objects leave the session, changed objects get
    /// back their committed values, deleted objects return. Returns the connection to the
    /// pool.
    ///
    /// # Errors
    /// Database errors from ROLLBACK (the in-memory state is restored regardless).
    pub fn rollback(&mut self) -> Result<()> {
        // Restoring objects takes their locks: refuse while this thread holds a guard on one.
        for r in &self.registries {
            r.check_unlocked()?;
        }
        let result = self.rollback_database();
        self.restore_after_rollback();
        self.conn = None;
        result
    }

    /// Rolls back every open level of the session's transaction on its connection.
    fn rollback_database(&mut self) -> Result<()> {
        let mut result = Ok(());
        if self.tx_depth > 0 {
            if let Some(conn) = self.conn.as_mut() {
                while conn.transaction_depth() > 0 {
                    if let Err(e) = conn.rollback_level() {
                        result = Err(e);
                        break;
                    }
                }
            }
            self.tx_depth = 0;
        }
        result
    }

    /// After a flush or COMMIT failed: rolls the transaction back and keeps every change of
    /// it in the session as not yet flushed (pending objects pending, changed objects
    /// changed, deleted objects marked), so fixing or expunging the bad object and committing
    /// again writes the rest; [`Session::rollback`] discards them.
    fn rollback_keeping_changes(&mut self) {
        if let Err(r) = self.rollback_database() {
            tracing::warn!(target: "cinnabar::session", error = %r, "rollback after a failed flush failed");
        }
        self.savepoints = 0;
        let mut left = false;
        for r in &mut self.registries {
            left |= r.after_failed_flush();
        }
        self.tracker
            .dirty
            .store(usize::from(left), Ordering::Relaxed);
        self.generation += 1;
        self.conn = None;
    }

    fn restore_after_rollback(&mut self) {
        self.savepoints = 0;
        for r in &mut self.registries {
            r.after_rollback();
        }
        self.tracker.dirty.store(0, Ordering::Relaxed);
        self.generation += 1;
    }

    /// Runs `f` and commits when it returns `Ok`; rolls back when it or the commit fails
    /// (the tutorial's `try: commit() except: rollback()`), so after an error the session
    /// holds none of `f`'s changes.
    ///
    /// # Errors
    /// `f`'s error, or the commit's.
    pub fn transaction<R, E, F>(&mut self, f: F) -> std::result::Result<R, E>
    where
        F: FnOnce(&mut Session) -> std::result::Result<R, E>,
        E: From<Error>,
    {
        match f(self) {
            Ok(v) => match self.commit() {
                Ok(()) => Ok(v),
                Err(e) => {
                    let _ = self.rollback();
                    Err(E::from(e))
                }
            },
            Err(e) => {
                let _ = self.rollback();
                Err(e)
            }
        }
    }

    /// Runs a whole unit of work, `f` then `commit()`, and runs it again when it fails with
    /// a conflict another attempt may not meet: a version conflict
    /// ([`ErrorKind::StaleData`](cinnabar_core::ErrorKind::StaleData)), a deadlock, a
    /// serialization failure, or a lock or SQLite write lock that stayed taken
    /// ([`ErrorKind::is_retryable`](cinnabar_core::ErrorKind::is_retryable)). Before each
    /// attempt the session is rolled back and cleared (a clean identity map, as after
    /// [`Session::close`]), so `f` reads everything afresh; between attempts it waits as
    /// `policy` says. Any other error is returned at once, after a rollback.
    ///
    /// `f` may run several times: keep side effects outside the database out of it. Handles
    /// from before the call, and from a failed attempt, are detached: use those `f` loads.
    ///
    /// (`docs/CONCURRENCY.md` has this example complete, run as a doc test of the `cinnabar`
    /// crate.)
    ///
    /// ```ignore
    /// session.transaction_with_retry(&RetryPolicy::default(), |s| {
    ///     let c = s.get::<Counter>(1)?.ok_or_else(|| Error::new(ErrorKind::NoRow, "no counter 1"))?;
    ///     c.write().value += 1;
    ///     Ok(())
    /// })?;
    /// ```
    ///
    /// # Errors
    /// The last attempt's error when every attempt failed with a retryable one (its message
    /// says how many were made), or the first non-retryable error. `Misuse` when the session
    /// has unflushed changes or an open transaction when called (they would be lost).
    pub fn transaction_with_retry<R, F>(&mut self, policy: &RetryPolicy, mut f: F) -> Result<R>
    where
        F: FnMut(&mut Session) -> Result<R>,
    {
        if self.has_work() || self.tx_depth > 0 {
            return Err(Error::misuse(
                "transaction_with_retry starts each attempt from a clean session: commit or roll back the session's pending changes and open transaction first",
            ));
        }
        let attempts = policy.max_attempts.max(1);
        let mut seed = RetryPolicy::seed();
        let mut attempt = 1;
        loop {
            self.close();
            let outcome = f(self).and_then(|v| self.commit().map(|()| v));
            let e = match outcome {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            // Discard what the attempt left (a failed commit keeps its changes).
            let _ = self.rollback();
            if !e.is_retryable() {
                return Err(e);
            }
            if attempt >= attempts {
                return Err(e.context(format_args!("gave up after {attempt} attempts")));
            }
            tracing::debug!(target: "cinnabar::session", attempt, error = %e, "retrying the unit of work");
            std::thread::sleep(policy.backoff(attempt, &mut seed));
            attempt += 1;
        }
    }

    /// Runs `f` inside a SAVEPOINT. On `Err` only the savepoint's work is undone in the
    /// database, and the session forgets the objects `f` added and restores the ones it
    /// deleted or changed (reloading changed rows); the outer transaction goes on.
    ///
    /// # Errors
    /// `f`'s error, flush errors, database errors.
    pub fn savepoint<R, E, F>(&mut self, f: F) -> std::result::Result<R, E>
    where
        F: FnOnce(&mut Session) -> std::result::Result<R, E>,
        E: From<Error>,
    {
        self.flush()?;
        self.ensure_transaction()?;
        let snapshot = crate::savepoint::Snapshot::take(self);
        self.connection()?.begin_write_level()?;
        self.savepoints += 1;
        let outcome = f(self);
        let outcome = match outcome {
            Ok(v) => match self.flush_inner() {
                Ok(()) => Ok(v),
                Err(e) => Err(E::from(e)),
            },
            Err(e) => Err(e),
        };
        self.savepoints = self.savepoints.saturating_sub(1);
        match outcome {
            Ok(v) => {
                self.connection()?.commit_level()?;
                for r in &mut self.registries {
                    r.release_mark();
                }
                Ok(v)
            }
            Err(e) => {
                self.connection()?.rollback_level()?;
                snapshot.restore(self)?;
                Err(e)
            }
        }
    }

    /// Executes a core statement or raw SQL on the session's connection after an autoflush.
    /// Anything but a SELECT (or raw SQL whose first keyword, read by the dialect's lexer, is
    /// `SELECT` or `VALUES`) first begins the session's transaction.
    ///
    /// # Errors
    /// Flush, compilation and database errors.
    pub fn execute(&mut self, statement: impl Into<Statement>) -> Result<Rows> {
        self.autoflush()?;
        let stmt = statement.into();
        let writes = match &stmt {
            Statement::Select(_) => false,
            Statement::Text(t) => !first_keyword(&t.sql, self.engine.dialect().lex_rules())
                .is_some_and(|w| {
                    w.eq_ignore_ascii_case("SELECT") || w.eq_ignore_ascii_case("VALUES")
                }),
            _ => true,
        };
        if writes {
            self.ensure_transaction()?;
        }
        self.connection()?.execute(stmt)
    }

    pub(crate) fn autoflush(&mut self) -> Result<()> {
        if self.options.autoflush {
            self.flush()
        } else {
            Ok(())
        }
    }

    pub(crate) fn ensure_write_transaction(&mut self) -> Result<()> {
        self.ensure_transaction()
    }

    /// Forgets every object and returns the connection (rolling back anything uncommitted).
    pub fn close(&mut self) {
        if self.tx_depth > 0 {
            let _ = self.rollback();
        }
        for r in &mut self.registries {
            r.close();
        }
        self.conn = None;
        self.generation += 1;
    }

    /// Counts explicit loads of one object's relationship in a row; warns once per streak
    /// when it looks like an N+1 loop.
    pub(crate) fn note_explicit_load(&mut self, relation: &str, objects: usize) {
        const THRESHOLD: usize = 10;
        if objects != 1 {
            self.n_plus_one.1 = 0;
            return;
        }
        if self.n_plus_one.0 == relation {
            self.n_plus_one.1 += 1;
        } else {
            self.n_plus_one = (relation.to_owned(), 1);
        }
        if self.n_plus_one.1 == THRESHOLD {
            tracing::warn!(
                target: "cinnabar::session",
                relationship = relation,
                "N+1 query pattern: {relation} was loaded one object at a time {THRESHOLD} times in a row; \
                 load it for all objects at once with session.load(&objects, ..) or the query option selectin({relation})"
            );
        }
    }

    /// How many single-object loads of the same relationship ran in a row.
    pub fn n_plus_one_streak(&self) -> usize {
        self.n_plus_one.1
    }

    pub(crate) fn take_scratch(&mut self) -> String {
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        s
    }

    pub(crate) fn put_scratch(&mut self, s: String) {
        self.scratch = s;
    }

    pub(crate) fn registries_mut(&mut self) -> &mut Vec<Box<dyn AnyRegistry>> {
        &mut self.registries
    }

    pub(crate) fn conn_and_registries(
        &mut self,
    ) -> Result<(&mut Connection, &mut Vec<Box<dyn AnyRegistry>>)> {
        self.connection()?;
        let conn = self
            .conn
            .as_mut()
            .ok_or_else(|| Error::misuse("session has no connection"))?;
        Ok((conn, &mut self.registries))
    }

    /// Number of objects in the identity map for `T`.
    pub fn identity_count<T: Model>(&mut self) -> usize {
        self.registry::<T>().identity.len()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.close();
    }
}
