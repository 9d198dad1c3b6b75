//! The [`Session`]: unit of work and identity map over one pooled connection.
//!
//! It holds a connection from first use until commit, rollback or close; begins the write
//! transaction at the first flush that writes (`BEGIN IMMEDIATE` on SQLite); flushes
//! automatically before queries; and orders the flush by foreign-key dependencies (parents
//! inserted first, children deleted first). A failed flush rolls the transaction back and
//! leaves the session usable. See docs/SESSION.md.
//!
//! Here: the session's state and its object API (add, delete, expunge, execute, close).
//! Beside it: `flush.rs` (when to flush, what a failure leaves), `transaction.rs` (begin,
//! commit, rollback, savepoints), `cascade.rs` (the save-update cascade). Queries start in
//! `crate::query`; the flush itself is `crate::unit_of_work`.

mod cascade;
mod flush;
mod replica;
mod transaction;

use std::any::TypeId;
use std::sync::Arc;

use cinnabar_core::dialect::BeginMode;
use cinnabar_core::sql::{first_keyword, Statement};
use cinnabar_core::{Error, Result, ValueRef};
use cinnabar_engine::{Connection, Engine, Rows};
use rustc_hash::FxHashMap;

use crate::handle::{Handle, ObjectState, Tracker};
use crate::identity::Registry;
use crate::model::Model;
use crate::relation::hooks::RelationHooks;
use crate::unit_of_work::FlushOrder;
use cascade::SessionRegistry;

/// Session settings.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// Flush pending changes before every query (default on).
    pub autoflush: bool,
    /// Bounds how long each statement the session runs may take (default: no bound): set
    /// on every connection the session checks out ([`Connection::set_statement_timeout`]),
    /// so a statement still running at the timeout is stopped by the database and fails
    /// with [`ErrorKind::Timeout`](cinnabar_core::ErrorKind::Timeout).
    pub statement_timeout: Option<std::time::Duration>,
    /// A session that only reads (default off): each connection it checks out begins a
    /// read-only transaction at once (`BeginMode::ReadOnly`: SQLite's DEFERRED `BEGIN`,
    /// which takes no write lock, PostgreSQL's `BEGIN READ ONLY`, MySQL's `START TRANSACTION
    /// READ ONLY`), so its queries see one snapshot; anything that would write (a flush with
    /// changes, a write statement, `FOR UPDATE`, `begin`, a savepoint) is refused with
    /// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse). What `AsyncEngine::read`
    /// runs its closures with.
    pub read_only: bool,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            autoflush: true,
            statement_timeout: None,
            read_only: false,
        }
    }
}

impl SessionOptions {
    /// Sets the statement timeout (see [`SessionOptions::statement_timeout`]).
    pub fn statement_timeout(mut self, timeout: Option<std::time::Duration>) -> Self {
        self.statement_timeout = timeout;
        self
    }

    /// Makes the session read-only (see [`SessionOptions::read_only`]).
    pub fn read_only(mut self, on: bool) -> Self {
        self.read_only = on;
        self
    }
}

/// A unit of work: tracks added, loaded, changed and deleted objects and writes them in one
/// transaction. `Send`, not shared: give each thread or request its own session.
///
/// ```
/// use cinnabar::prelude::*;
///
/// #[derive(Model, Debug, Clone)]
/// #[cinnabar(table = "students")]
/// struct Student {
///     #[cinnabar(primary_key)]
///     id: Option<i64>,
///     name: String,
///     course: String,
/// }
///
/// # fn main() -> cinnabar::Result<()> {
/// let engine = create_engine("sqlite://")?;
/// MetaData::new().with(Student::table().clone()).create_all(&engine)?;
///
/// let mut session = Session::new(&engine);
/// let naresh = session.add(Student { id: None, name: "Naresh".into(), course: "Python".into() });
/// session.commit()?; // INSERT INTO students ...; the new key is read back
/// assert!(naresh.read().id.is_some());
///
/// naresh.write().course = "Rust".into(); // tracked: no save call
/// session.commit()?; // UPDATE students SET course = ? WHERE id = ?
/// # Ok(())
/// # }
/// ```
pub struct Session {
    engine: Engine,
    conn: Option<Connection>,
    registries: Vec<Box<dyn SessionRegistry>>,
    index: FxHashMap<TypeId, usize>,
    /// The models' dependency order, for the flush.
    order: FlushOrder,
    tracker: Arc<Tracker>,
    options: SessionOptions,
    generation: u64,
    /// Depth of the session's own transaction on `conn` (0: none).
    tx_depth: usize,
    /// Open `savepoint()` calls; a failed flush inside one is undone by the savepoint.
    savepoints: usize,
    /// A reused buffer for compiling queries.
    scratch: String,
    /// A reused buffer for a query's parameters (always empty between queries).
    scratch_params: Vec<ValueRef<'static>>,
    /// The last explicitly loaded relationship and how many single-object loads of it ran
    /// in a row (the N+1 detector).
    n_plus_one: (String, usize),
    /// Statements run on connections this session has already given back (see
    /// [`Session::statement_count`]).
    statements_done: u64,
    /// Read replicas: the replica connection and whether reads must stay on the primary.
    route: replica::ReplicaRoute,
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
            order: FlushOrder::default(),
            tracker: Arc::new(Tracker::default()),
            options,
            generation: 1,
            tx_depth: 0,
            savepoints: 0,
            scratch: String::new(),
            scratch_params: Vec::new(),
            n_plus_one: (String::new(), 0),
            statements_done: 0,
            route: replica::ReplicaRoute::default(),
        }
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The session's settings.
    pub fn options(&self) -> &SessionOptions {
        &self.options
    }

    /// The error for a write in a read-only session.
    pub(crate) fn read_only_error(what: &str) -> Error {
        Error::misuse(format!(
            "this session is read-only (SessionOptions::read_only, AsyncEngine::read): {what} \
             would write; run the unit of work with AsyncEngine::run instead"
        ))
    }

    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    pub(crate) fn registry<T: Model>(&mut self) -> &mut Registry<T> {
        let idx = self.registry_index::<T>();
        self.registries[idx]
            .as_any_mut()
            .downcast_mut::<Registry<T>>()
            .unwrap_or_else(|| unreachable!("registry index maps TypeId to its own type"))
    }

    /// The position of `T`'s registry in `registries`, made on first use.
    fn registry_index<T: Model>(&mut self) -> usize {
        match self.index.get(&TypeId::of::<T>()) {
            Some(&i) => i,
            None => {
                self.registries.push(Box::new(Registry::<T>::new(
                    self.tracker.clone(),
                    self.savepoints,
                )));
                let i = self.registries.len() - 1;
                self.index.insert(TypeId::of::<T>(), i);
                self.order.invalidate();
                i
            }
        }
    }

    /// The session's connection, checked out on first use (with the statement timeout set,
    /// and a read-only session's transaction begun).
    ///
    /// With read replicas ([`EngineOptions::replicas`](cinnabar_engine::EngineOptions::replicas))
    /// this is the primary's connection, and since the caller may write through it the
    /// session's later reads go to the primary too (as after a write); a read-only session
    /// gets its read connection, a replica's when one is healthy.
    ///
    /// # Errors
    /// Pool or connection errors.
    pub fn connection(&mut self) -> Result<&mut Connection> {
        if self.options.read_only {
            return self.read_connection();
        }
        self.route.wrote = true;
        self.release_replica();
        self.primary_connection()
    }

    /// The session's primary connection, checked out on first use.
    pub(crate) fn primary_connection(&mut self) -> Result<&mut Connection> {
        if self.conn.is_none() {
            let mut conn = self.engine.connect()?;
            if let Some(t) = self.options.statement_timeout {
                conn.set_statement_timeout(Some(t))?;
            }
            if self.options.read_only {
                self.tx_depth = conn.begin_level(BeginMode::ReadOnly)?;
            }
            self.conn = Some(conn);
        }
        match self.conn.as_mut() {
            Some(c) => Ok(c),
            None => Err(Error::misuse("session has no connection")),
        }
    }

    /// Gives the session's connection back to the pool, keeping its statement count.
    pub(crate) fn release_connection(&mut self) {
        self.release_replica();
        if let Some(mut conn) = self.conn.take() {
            self.statements_done += conn.statement_count();
            self.record_write_position(&mut conn);
        }
    }

    /// How many statements this session has executed so far, over all its transactions:
    /// queries (including relationship loads and counts), the flush's INSERT, UPDATE and
    /// DELETE statements (a batch run as one executemany counts once), and raw SQL through
    /// [`Session::execute`] or [`Session::connection`]. Transaction control (BEGIN, COMMIT,
    /// ROLLBACK, SAVEPOINT) is not counted. Flask-SQLAlchemy's recorded queries, for a
    /// page footer such as "3 queries": an N+1 loop shows up as a count that grows with the
    /// page's rows.
    pub fn statement_count(&self) -> u64 {
        self.statements_done
            + self.conn.as_ref().map_or(0, Connection::statement_count)
            + self.route.statement_count()
    }

    /// The read connection (see `replica.rs`) and `T`'s registry.
    pub(crate) fn parts<T: Model>(&mut self) -> Result<(&mut Connection, &mut Registry<T>)> {
        let idx = self.registry_index::<T>();
        self.read_connection()?;
        let conn = replica::held(&mut self.route, &mut self.conn)?;
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
                    g.generation = crate::handle::stamp(self.generation);
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
            // A locking read runs in the write transaction its locks last for.
            Statement::Select(s) => s.lock.is_some(),
            Statement::Text(t) => !first_keyword(&t.sql, self.engine.dialect().lex_rules())
                .is_some_and(|w| {
                    w.eq_ignore_ascii_case("SELECT") || w.eq_ignore_ascii_case("VALUES")
                }),
            _ => true,
        };
        if writes {
            self.ensure_transaction()?;
            return self.primary_connection()?.execute(stmt);
        }
        self.read_connection()?.execute(stmt)
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
        self.release_connection();
        self.end_replica_unit();
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

    /// A reused, empty buffer for a compiled query's parameters (no allocation per query).
    pub(crate) fn take_params<'a>(&mut self) -> Vec<ValueRef<'a>> {
        recycle(std::mem::take(&mut self.scratch_params))
    }

    /// Gives back the buffer [`Session::take_params`] lent.
    pub(crate) fn put_params(&mut self, params: Vec<ValueRef<'_>>) {
        self.scratch_params = recycle(params);
    }

    /// The read connection (see `replica.rs`) and the registries.
    pub(crate) fn conn_and_registries(
        &mut self,
    ) -> Result<(&mut Connection, &mut Vec<Box<dyn SessionRegistry>>)> {
        self.read_connection()?;
        let conn = replica::held(&mut self.route, &mut self.conn)?;
        Ok((conn, &mut self.registries))
    }

    /// Number of `T` objects the session holds in its identity map. The map holds
    /// unchanged persistent objects weakly (as SQLAlchemy's does): one the user dropped is
    /// forgotten and not counted; objects that are pending, changed since the last flush,
    /// deleted or needed by the open transaction's rollback are always held. Walks the map
    /// (it forgets the dropped objects first), so it costs a pass over it.
    pub fn identity_count<T: Model>(&mut self) -> usize {
        let reg = self.registry::<T>();
        crate::identity::forget_unheld(&mut reg.identity);
        reg.identity.len()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.close();
    }
}

/// Empties `params` and hands its allocation on under another lifetime: the buffer outlives
/// the statements whose values it borrows. Collecting an emptied `Vec` into one of the same
/// element layout reuses its allocation (no element is ever converted).
#[allow(clippy::unnecessary_filter_map)] // it changes the element lifetime, never runs
fn recycle<'b>(mut params: Vec<ValueRef<'_>>) -> Vec<ValueRef<'b>> {
    params.clear();
    params.into_iter().filter_map(|_| None).collect()
}
