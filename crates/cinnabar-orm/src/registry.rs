//! The per-model part of a session: identity map, pending and deleted objects, the
//! transaction journal, and the flush steps (INSERT, UPDATE, DELETE) for one table.
//!
//! Every statement is an ordinary core statement (`Insert`, `Update`, `Delete`) compiled by
//! the connection's dialect once per shape and cached here.

use std::any::Any;
use std::hash::Hasher as _;
use std::sync::Arc;

use cinnabar_core::dialect::{compile, GeneratedKeys};
use cinnabar_core::schema::Table;
use cinnabar_core::sql::{ColumnRef, Delete, Expr, Insert, Statement, Update};
use cinnabar_core::{Error, ErrorKind, Result, ValueRef};
use cinnabar_engine::{Connection, Row};
use parking_lot::RwLockWriteGuard;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::handle::{Handle, ObjectState, Shared, Slot, Tracker};
use crate::model::Model;
use crate::relation::hooks::RelationHooks;

/// What a session needs of a registry without knowing its model type.
pub(crate) trait AnyRegistry: Send {
    fn as_any_mut(&mut self) -> &mut dyn Any;
    fn table(&self) -> &'static Table;
    fn has_pending_work(&self) -> bool;
    fn flush_inserts(&mut self, conn: &mut Connection) -> Result<()>;
    /// `early`: the UPDATEs that can run before this model's INSERTs (so a row giving up a
    /// unique value does so before a new row takes it); the rest run after every INSERT.
    fn flush_updates(&mut self, conn: &mut Connection, generation: u64, early: bool) -> Result<()>;
    /// Hands changed persistent objects' keys to the children added to (or taken from)
    /// their collections, before the children's own UPDATEs and INSERTs.
    fn push_changed_keys(&self) -> Result<()>;
    fn start_flush(&mut self);
    fn flush_associations(
        &mut self,
        conn: &mut Connection,
        log: &mut crate::relation::AssociationLog,
    ) -> Result<()>;
    fn flush_deletes(&mut self, conn: &mut Connection) -> Result<()>;
    /// Deletes (at this flush) the children taken out of delete-orphan collections that no
    /// new parent took; called after every INSERT.
    fn resolve_orphans(&mut self) -> Result<()>;
    /// Marks for UPDATE the objects whose `post_update` foreign keys could not be written
    /// yet (their parents were new); called after every INSERT.
    fn schedule_post_updates(&mut self) -> Result<()>;
    /// Sets `post_update` foreign keys of objects about to be deleted to NULL, so the rows of
    /// a cycle can be deleted in any order; called before every DELETE.
    fn release_post_updates(&mut self, conn: &mut Connection) -> Result<()>;
    /// The save-update cascade from the pending and changed objects of this model, if any.
    fn cascade_root(&self) -> Option<CascadeRoot>;
    fn after_commit(&mut self);
    fn after_rollback(&mut self);
    /// After the transaction was rolled back because a flush or COMMIT failed: puts back
    /// every change the transaction's flushes wrote as an unflushed change, so the session
    /// holds what it held before (see [`Registry::keep_unflushed`]).
    fn after_failed_flush(&mut self) -> bool;
    fn close(&mut self);
    fn mark(&mut self) -> Mark;
    /// A savepoint marked by [`AnyRegistry::mark`] was released (its work kept).
    fn release_mark(&mut self);
    fn check_unlocked(&self) -> Result<()>;
    /// Validates the new and changed objects into `errors` (nothing for a model without
    /// validation).
    fn validate_into(&self, errors: &mut cinnabar_core::ValidationErrors);
    fn rollback_to(&mut self, mark: &Mark, conn: &mut Connection) -> Result<()>;
}

/// An object updated while a savepoint is open: the key its row had before, and (for a
/// flush's UPDATE or a relationship-only change) its state before, which a rollback to the
/// savepoint restores; without it (a bulk UPDATE) the row is read again.
type UpdatedEntry<T> = (Handle<T>, Option<<T as Model>::Key>, Option<Box<T>>);

/// Runs the save-update cascade from one model's pending and changed objects.
pub(crate) type CascadeRoot = Box<dyn FnOnce(&mut crate::Session) -> Result<()>>;

/// Journal positions at the start of a savepoint.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Mark {
    inserted: usize,
    deleted: usize,
    updated: usize,
}

/// An object in an UPDATE batch: its position in the dirty list, its lock, its baseline.
type Pending<'g, T> = (usize, RwLockWriteGuard<'g, Slot<T>>, Box<T>);

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Shape {
    Insert {
        mask: u128,
        rows: usize,
        returning: bool,
    },
    Update {
        mask: u128,
    },
    Delete {
        rows: usize,
    },
    MaxKey,
}

/// Hashes identity-map keys. A key that is one integer (the usual generated key) keeps its
/// low bits as they are, so consecutive keys land in consecutive buckets: loading a table in
/// key order writes the map's memory in order instead of scattering every insert over it
/// (FxHash multiplies and rotates, which spreads neighbours across the whole table). The top
/// seven bits, which hashbrown compares first, come from a multiplicative hash so they still
/// tell keys apart. Higher bits are folded into the low ones in steps of eleven bits, so keys
/// that differ only above their low bits (Snowflake-style ids with a constant worker and
/// sequence part, multiples of a power of two) still spread over the buckets instead of all
/// landing on one probe chain; keys below 2,048 keep their exact low bits, and every aligned
/// run of 2,048 consecutive keys stays in one block. Any other key (text, composite, bytes)
/// is hashed by FxHash.
#[derive(Default)]
pub(crate) struct KeyHasher {
    /// The single integer written so far, if that is all that was written.
    int: Option<u64>,
    fx: Option<rustc_hash::FxHasher>,
}

impl KeyHasher {
    fn fx(&mut self) -> &mut rustc_hash::FxHasher {
        let int = self.int.take();
        self.fx.get_or_insert_with(|| {
            let mut fx = rustc_hash::FxHasher::default();
            if let Some(i) = int {
                fx.write_u64(i);
            }
            fx
        })
    }

    fn int(&mut self, i: u64) {
        if self.int.is_none() && self.fx.is_none() {
            self.int = Some(i);
        } else {
            self.fx().write_u64(i);
        }
    }
}

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        match (&self.fx, self.int) {
            (Some(fx), _) => fx.finish(),
            (None, Some(i)) => {
                const TOP: u64 = !(u64::MAX >> 7);
                let folded = i ^ (i >> 11) ^ (i >> 22) ^ (i >> 33) ^ (i >> 44) ^ (i >> 55);
                (folded & !TOP) | (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) & TOP)
            }
            (None, None) => 0,
        }
    }

    fn write(&mut self, bytes: &[u8]) {
        self.fx().write(bytes);
    }

    fn write_u8(&mut self, i: u8) {
        self.int(u64::from(i));
    }

    fn write_u16(&mut self, i: u16) {
        self.int(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.int(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.int(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.int(i as u64);
    }
}

/// The identity map: one handle per primary key.
pub(crate) type IdentityMap<K, V> =
    std::collections::HashMap<K, V, std::hash::BuildHasherDefault<KeyHasher>>;

pub(crate) struct Registry<T: Model> {
    pub(crate) identity: IdentityMap<T::Key, Handle<T>>,
    pub(crate) pending: Vec<Handle<T>>,
    pub(crate) deleted: Vec<Handle<T>>,
    /// Inserted by a flush of the open transaction.
    inserted_in_tx: Vec<Handle<T>>,
    /// Deleted by a flush of the open transaction.
    deleted_in_tx: Vec<Handle<T>>,
    /// Objects changed by the open transaction, each with its state before the change.
    touched: Vec<(Handle<T>, Box<T>)>,
    /// Objects updated by flushes while a savepoint is open, each with the key its row had
    /// before that update.
    updated_log: Vec<UpdatedEntry<T>>,
    savepoints: usize,
    /// Length of `inserted_in_tx` when the current flush began.
    flush_start: usize,
    /// Objects whose `post_update` foreign keys are written after every INSERT.
    post_updates: Vec<Handle<T>>,
    sql: FxHashMap<Shape, Arc<str>>,
    /// The INSERT batches' parameter buffer, kept between batches: at 1,000 rows it is
    /// large enough that freeing it makes glibc consolidate its free lists every batch.
    params_buf: Vec<ValueRef<'static>>,
    /// The INSERT batches' lock guards (8-byte words while unused) and new keys, likewise.
    guards_buf: Vec<usize>,
    keys_buf: Vec<T::Key>,
    /// The UPDATE batches' row counts.
    counts_buf: Vec<u64>,
    /// Query SQL per shape: the text of a query compiled without its select list (values
    /// are placeholders in it) to the text of the full statement (see `query::load_query`).
    pub(crate) query_sql: FxHashMap<Box<str>, Arc<str>>,
    pub(crate) shared: Arc<Shared<T>>,
}

fn locked_error<T: Model>() -> Error {
    Error::misuse(format!(
        "a {} object is borrowed (a read() or write() guard is alive) during flush; drop the guard first",
        T::model_name()
    ))
}

fn lock<T: Model>(h: &Handle<T>) -> Result<RwLockWriteGuard<'_, Slot<T>>> {
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
            inserted_in_tx: Vec::new(),
            deleted_in_tx: Vec::new(),
            touched: Vec::new(),
            updated_log: Vec::new(),
            savepoints,
            flush_start: 0,
            post_updates: Vec::new(),
            sql: FxHashMap::default(),
            params_buf: Vec::new(),
            guards_buf: Vec::new(),
            keys_buf: Vec::new(),
            counts_buf: Vec::new(),
            query_sql: FxHashMap::default(),
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

    fn cached_sql(&mut self, conn: &Connection, shape: Shape) -> Result<Arc<str>> {
        if let Some(s) = self.sql.get(&shape) {
            return Ok(s.clone());
        }
        let table = T::table();
        let cols = T::COLUMNS;
        let stmt: Statement = match shape {
            Shape::Insert {
                mask,
                rows,
                returning,
            } => {
                let mut ins = Insert::into(table.name.as_str()).columns(
                    (0..cols.len())
                        .filter(|i| mask & (1u128 << i) != 0)
                        .map(|i| cols[i]),
                );
                ins = ins.param_rows(rows);
                if returning {
                    for i in (0..cols.len()).filter(|i| mask & (1u128 << i) == 0) {
                        ins = ins.returning(cols[i]);
                    }
                }
                ins.into()
            }
            Shape::Update { mask } => {
                let mut up = Update::table(table.name.as_str());
                for i in (0..cols.len()).filter(|i| mask & (1u128 << i) != 0) {
                    up = up.set(cols[i], Expr::Param);
                }
                up.filter(row_condition::<T>()).into()
            }
            Shape::MaxKey => {
                let k = T::GENERATED_KEY.unwrap_or(T::PRIMARY_KEY[0]);
                cinnabar_core::sql::Select::from(table.name.as_str())
                    .column(Expr::Func {
                        func: cinnabar_core::sql::Function::Max,
                        args: vec![Expr::Column(ColumnRef::bare(cols[k]))],
                        distinct: false,
                    })
                    .into()
            }
            Shape::Delete { rows } => {
                let cond = if rows == 1 {
                    row_condition::<T>()
                } else {
                    let pk = T::PRIMARY_KEY[0];
                    Expr::InList {
                        expr: Box::new(Expr::Column(ColumnRef::bare(cols[pk]))),
                        list: vec![Expr::Param; rows],
                        negated: false,
                    }
                };
                Delete::from(table.name.as_str()).filter(cond).into()
            }
        };
        let sql: Arc<str> = compile(conn.dialect(), &stmt)?.sql.into();
        self.sql.insert(shape, sql.clone());
        Ok(sql)
    }

    /// Adds a persistent object to the identity map (used by flush and by loads).
    fn register(&mut self, h: &Handle<T>, key: T::Key) -> Result<()> {
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
        self.identity.insert(key, h.clone());
        Ok(())
    }

    fn insert_batch(
        &mut self,
        conn: &mut Connection,
        batch: &[Handle<T>],
        mask: u128,
        returning: bool,
    ) -> Result<()> {
        let d = conn.dialect();
        let only_key_omitted = T::GENERATED_KEY
            .is_some_and(|k| (0..T::COLUMNS.len()).all(|i| (mask & (1u128 << i) != 0) == (i != k)));
        let by_returning = returning
            && d.supports_returning()
            && (d.generated_keys() == GeneratedKeys::Returning || !only_key_omitted);
        let shape = Shape::Insert {
            mask,
            rows: batch.len(),
            returning: by_returning,
        };
        let sql = self.cached_sql(conn, shape)?;
        let mut guards: Vec<RwLockWriteGuard<'_, Slot<T>>> =
            reuse_buffer(std::mem::take(&mut self.guards_buf));
        guards.reserve(batch.len());
        for h in batch {
            guards.push(lock(h)?);
        }
        let width = mask.count_ones() as usize;
        let mut params = reuse_buffer(std::mem::take(&mut self.params_buf));
        params.reserve(width * batch.len());
        for g in &guards {
            for i in (0..T::COLUMNS.len()).filter(|i| mask & (1u128 << i) != 0) {
                params.push(g.value.column_value(i).map_err(|e| {
                    e.context(format_args!("{}.{}", T::table().name, T::COLUMNS[i]))
                })?);
            }
        }
        let omitted: Vec<usize> = (0..T::COLUMNS.len())
            .filter(|i| mask & (1u128 << i) == 0)
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
        self.params_buf = reuse_buffer(params);
        if returning && !by_returning {
            self.read_back_without_returning(conn, &mut guards, &omitted)?;
        }
        if by_returning {
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
            for (g, row) in guards.iter_mut().zip(&returned) {
                for (&col, v) in omitted.iter().zip(row) {
                    g.value.set_column(col, v.as_ref())?;
                }
            }
        }
        let key_generated = T::GENERATED_KEY.is_some_and(|k| mask & (1u128 << k) == 0);
        let mut keys = std::mem::take(&mut self.keys_buf);
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
        self.guards_buf = reuse_buffer(guards);
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
            self.inserted_in_tx.push(h.clone());
        }
        self.keys_buf = keys;
        Ok(())
    }
}

/// An empty vector with `buf`'s allocation when the element layouts match (collecting an
/// emptied vector's iterator reuses its buffer), else a new one. Lets per-batch vectors of
/// borrowing types (guards, `ValueRef`s) keep one allocation across batches.
fn reuse_buffer<A, B>(mut buf: Vec<A>) -> Vec<B> {
    buf.clear();
    buf.into_iter().filter_map(|_| None).collect()
}

/// `pk = value [AND ...]` for the primary-key columns, with bound values.
fn key_equals<T: Model>(values: Vec<cinnabar_core::Value>) -> Expr {
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

/// `pk = ? [AND ...]`, and `AND version = ?` for a model with a version column: the WHERE
/// of the flush's UPDATE and DELETE of one object (parameters: the key, then the version).
fn row_condition<T: Model>() -> Expr {
    let conds: Vec<Expr> = T::PRIMARY_KEY
        .iter()
        .chain(T::VERSION.as_ref())
        .map(|&i| {
            Expr::Column(ColumnRef::bare(T::COLUMNS[i]))
                .binary(cinnabar_core::sql::BinOp::Eq, Expr::Param)
        })
        .collect();
    if conds.len() == 1 {
        conds.into_iter().next().unwrap_or(Expr::And(Vec::new()))
    } else {
        Expr::And(conds)
    }
}

/// The error for an UPDATE or DELETE of one object that matched `n` rows instead of one.
/// With a version column that is a version conflict (the row changed or went since the
/// load): [`ErrorKind::StaleData`]; without, the row is gone: [`ErrorKind::NoRow`].
fn row_count_error<T: Model>(verb: &str, base: &T, n: u64) -> Error {
    let key = base.key();
    match T::VERSION {
        Some(v) => {
            let version = base
                .column_value(v)
                .map(|v| format!("{v:?}"))
                .unwrap_or_default();
            Error::new(
                ErrorKind::StaleData,
                format!(
                    "{verb} of {} {key:?} at version {version} matched {n} rows: another transaction changed or deleted it since it was loaded; reload it and try again (see Session::transaction_with_retry)",
                    T::model_name()
                ),
            )
        }
        None => Error::new(
            ErrorKind::NoRow,
            format!(
                "{verb} of {} {key:?} matched {n} rows; was it deleted by another transaction?",
                T::model_name()
            ),
        ),
    }
}

/// The version an object was loaded with (`base`), for the next UPDATE's WHERE and bump.
fn version_of<T: Model>(base: &T) -> Result<Option<i64>> {
    let Some(v) = T::VERSION else {
        return Ok(None);
    };
    match base.column_value(v)? {
        ValueRef::Int(n) => Ok(Some(n)),
        other => Err(Error::new(
            ErrorKind::Conversion,
            format!(
                "{}.{}: a version column holds an integer, found {other:?}",
                T::table().name,
                T::COLUMNS[v]
            ),
        )),
    }
}

/// Sets a version column to its next value: 1 for a new object (`previous` is `None`),
/// else `previous + 1`.
fn bump_version<T: Model>(value: &mut T, previous: Option<i64>) -> Result<()> {
    let Some(v) = T::VERSION else {
        return Ok(());
    };
    let next = match previous {
        None => 1,
        Some(n) => n.checked_add(1).ok_or_else(|| {
            Error::new(
                ErrorKind::Conversion,
                format!(
                    "{}.{}: version {n} cannot grow",
                    T::table().name,
                    T::COLUMNS[v]
                ),
            )
        })?,
    };
    value
        .set_column(v, ValueRef::Int(next))
        .map_err(|e| e.context(format_args!("{}.{}", T::table().name, T::COLUMNS[v])))
}

/// Which columns an INSERT sends for this object, and whether it must read some back.
fn insert_mask<T: Model>(value: &T) -> Result<(u128, bool)> {
    let n = T::COLUMNS.len();
    if n > 128 {
        return Err(Error::unsupported(format!(
            "{} has {n} columns; the session supports at most 128",
            T::model_name()
        )));
    }
    let mut mask = if n == 128 {
        u128::MAX
    } else {
        (1u128 << n) - 1
    };
    let mut returning = false;
    let omit = T::GENERATED_KEY
        .into_iter()
        .chain(T::SERVER_DEFAULTS.iter().copied());
    for i in omit {
        if value.column_value(i)?.is_null() {
            mask &= !(1u128 << i);
            returning = true;
        }
    }
    Ok((mask, returning))
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

    fn push_changed_keys(&self) -> Result<()> {
        self.push_keys_of_changed()
    }

    fn flush_inserts(&mut self, conn: &mut Connection) -> Result<()> {
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

    fn flush_updates(&mut self, conn: &mut Connection, generation: u64, early: bool) -> Result<()> {
        if early && T::HAS_ASSOCIATIONS {
            // Their association rows are diffed against the baselines after every INSERT.
            return Ok(());
        }
        let mut dirty: Vec<Handle<T>> = std::mem::take(&mut *self.shared.dirty.lock());
        if dirty.is_empty() {
            return Ok(());
        }
        let result = self
            .pull_parent_keys_of(&mut dirty, early)
            .and_then(|later| {
                self.shared.dirty.lock().extend(later);
                self.update_dirty(conn, generation, &dirty)
            });
        if result.is_err() {
            // Objects still marked modified go back on the list, so rollback restores them.
            let mut list = self.shared.dirty.lock();
            for h in dirty {
                if h.slot().try_read().is_none_or(|s| s.modified) {
                    list.push(h);
                }
            }
        }
        result
    }

    fn flush_deletes(&mut self, conn: &mut Connection) -> Result<()> {
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
                    g.baseline
                        .as_deref()
                        .unwrap_or(&g.value)
                        .delete_associations(conn)?;
                }
                let (key, params) = {
                    let g = lock(h)?;
                    let base = g.baseline.as_deref().unwrap_or(&g.value);
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
                    return Err(row_count_error::<T>(
                        "DELETE",
                        g.baseline.as_deref().unwrap_or(&g.value),
                        n,
                    ));
                }
                if let Some(k) = key {
                    self.identity.remove(&k);
                }
                self.deleted_in_tx.push(h.clone());
            }
            Ok(())
        })();
        if result.is_err() {
            for h in deleted {
                if !self.deleted_in_tx.iter().any(|d| Handle::ptr_eq(d, &h)) {
                    self.deleted.push(h);
                }
            }
        }
        result
    }

    fn close(&mut self) {
        self.close_all();
    }

    fn resolve_orphans(&mut self) -> Result<()> {
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

    fn schedule_post_updates(&mut self) -> Result<()> {
        for h in std::mem::take(&mut self.post_updates) {
            let mut g = lock(&h)?;
            if h.state() == ObjectState::Persistent {
                h.note_write(&mut g);
                g.value.pull_parent_keys()?;
            }
        }
        Ok(())
    }

    fn release_post_updates(&mut self, conn: &mut Connection) -> Result<()> {
        if T::POST_UPDATE_COLUMNS.is_empty() {
            return Ok(());
        }
        let orphans = std::mem::take(&mut *self.shared.orphans.lock());
        self.deleted.extend(orphans);
        let table = T::table().name.as_str();
        for h in &self.deleted {
            let g = lock(h)?;
            let base = g.baseline.as_deref().unwrap_or(&g.value);
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

    fn cascade_root(&self) -> Option<CascadeRoot> {
        if !T::HAS_RELATIONS {
            return None;
        }
        let dirty = self.shared.dirty.lock();
        let roots: Vec<Handle<T>> = self
            .pending
            .iter()
            .chain(dirty.iter())
            .filter(|h| matches!(h.state(), ObjectState::Pending | ObjectState::Persistent))
            .cloned()
            .collect();
        if roots.is_empty() {
            return None;
        }
        Some(Box::new(move |s: &mut crate::Session| {
            roots.iter().try_for_each(|h| s.cascade_save_from(h))
        }))
    }

    fn start_flush(&mut self) {
        self.flush_start = self.inserted_in_tx.len();
    }

    fn flush_associations(
        &mut self,
        conn: &mut Connection,
        log: &mut crate::relation::AssociationLog,
    ) -> Result<()> {
        if !T::HAS_ASSOCIATIONS {
            return Ok(());
        }
        let start = self.flush_start.min(self.inserted_in_tx.len());
        let inserted: Vec<Handle<T>> = self.inserted_in_tx[start..].to_vec();
        for h in inserted {
            let g = h.slot().try_read().ok_or_else(locked_error::<T>)?;
            g.value.sync_associations(None, conn, log)?;
        }
        let dirty: Vec<Handle<T>> = self.shared.dirty.lock().clone();
        for h in dirty {
            let g = h.slot().try_read().ok_or_else(locked_error::<T>)?;
            if g.modified && h.state() == ObjectState::Persistent {
                if let Some(base) = g.baseline.as_deref() {
                    g.value.sync_associations(Some(base), conn, log)?;
                }
            }
        }
        Ok(())
    }

    fn after_commit(&mut self) {
        // Snapshots are dropped without touching the objects: a reader may hold a guard.
        self.touched.clear();
        self.shared
            .dirty
            .lock()
            .retain(|h| h.state() == ObjectState::Persistent);
        self.inserted_in_tx.clear();
        self.updated_log.clear();
        self.savepoints = 0;
        for h in self.deleted_in_tx.drain(..) {
            h.set_state(ObjectState::Detached);
        }
    }

    fn after_rollback(&mut self) {
        // Objects the transaction inserted leave the session with the values they have now
        // (as in SQLAlchemy), however many times they were flushed: only their keys go.
        let leaving = ptr_set(self.inserted_in_tx.iter().chain(&self.pending));
        self.discard_flush_state(&leaving, &FxHashSet::default());
        for (h, before) in std::mem::take(&mut self.touched) {
            if leaving.contains(&ptr_of(&h)) {
                continue;
            }
            let mut g = h.slot().write();
            let flushed_key = g.value.key();
            g.value = *before;
            g.baseline = None;
            g.modified = false;
            g.snapshot_generation = 0;
            let key = g.value.key();
            drop(g);
            // A flushed key change moved the object in the identity map: move it back.
            self.move_key(&h, flushed_key, key);
        }
        let gone: Vec<Handle<T>> = self
            .inserted_in_tx
            .drain(..)
            .chain(self.pending.drain(..))
            .collect();
        self.expunge_inserted(gone);
        let deleted: Vec<Handle<T>> = self.deleted_in_tx.drain(..).collect();
        self.restore_deleted(deleted);
        self.updated_log.clear();
        self.savepoints = 0;
    }

    fn after_failed_flush(&mut self) -> bool {
        self.keep_unflushed()
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
                .chain(&self.inserted_in_tx)
                .chain(self.touched.iter().map(|(h, _)| h))
                .all(free);
        if ok {
            Ok(())
        } else {
            Err(locked_error::<T>())
        }
    }

    fn mark(&mut self) -> Mark {
        self.savepoints += 1;
        Mark {
            inserted: self.inserted_in_tx.len(),
            deleted: self.deleted_in_tx.len(),
            updated: self.updated_log.len(),
        }
    }

    fn release_mark(&mut self) {
        self.savepoints = self.savepoints.saturating_sub(1);
        if self.savepoints == 0 {
            self.updated_log.clear();
        }
    }

    fn rollback_to(&mut self, mark: &Mark, conn: &mut Connection) -> Result<()> {
        self.savepoints = self.savepoints.saturating_sub(1);
        let mut gone: Vec<Handle<T>> = self
            .inserted_in_tx
            .split_off(mark.inserted.min(self.inserted_in_tx.len()));
        gone.append(&mut self.pending);
        // Objects the savepoint inserted leave with their current values (keys cleared).
        let leaving = ptr_set(&gone);
        // Objects deleted before it began keep the changes they were deleted with (still
        // unflushed, as a DELETE does not write them): the savepoint did not make them.
        let untouched = ptr_set(&self.deleted_in_tx[..mark.deleted.min(self.deleted_in_tx.len())]);
        self.discard_flush_state(&leaving, &untouched);
        // Gone from the session: a later rollback has nothing of theirs to restore.
        self.touched.retain(|(h, _)| !leaving.contains(&ptr_of(h)));
        self.expunge_inserted(gone);
        let deleted = self
            .deleted_in_tx
            .split_off(mark.deleted.min(self.deleted_in_tx.len()));
        self.restore_deleted(deleted);
        let updated = self
            .updated_log
            .split_off(mark.updated.min(self.updated_log.len()));
        // An object's first entry after the mark has the key its row had at the savepoint.
        let mut seen = FxHashSet::default();
        for (h, key, before) in updated {
            if !leaving.contains(&ptr_of(&h)) && seen.insert(ptr_of(&h)) {
                self.reload(&h, key.as_ref(), before, conn)?;
            }
        }
        if self.savepoints == 0 {
            self.updated_log.clear();
        }
        Ok(())
    }
}

impl<T: Model> Registry<T> {
    /// Puts an object back as it was at a savepoint, after its rollback: `before` when the
    /// session recorded it (which keeps loaded relationships), else the row read again (by
    /// `key`, else by the object's key). Moves it in the identity map if its key changes back.
    fn reload(
        &mut self,
        h: &Handle<T>,
        key: Option<&T::Key>,
        before: Option<Box<T>>,
        conn: &mut Connection,
    ) -> Result<()> {
        if let Some(before) = before {
            let mut g = h.slot().write();
            let current = g.value.key();
            g.value = *before;
            g.baseline = None;
            g.modified = false;
            let restored = g.value.key();
            drop(g);
            self.move_key(h, current, restored);
            return Ok(());
        }
        let mut sel = cinnabar_core::sql::Select::from(T::table().name.as_str());
        for c in T::COLUMNS {
            sel = sel.column(Expr::Column(ColumnRef::bare(*c)));
        }
        let g = h.slot().read();
        let current = g.value.key();
        let values = match key {
            Some(k) => cinnabar_core::types::KeyValues::key_values(k)?,
            None => T::PRIMARY_KEY
                .iter()
                .map(|&i| g.value.column_value(i).map(ValueRef::to_owned_value))
                .collect::<Result<Vec<_>>>()?,
        };
        sel.add_filter(key_equals::<T>(values));
        drop(g);
        let compiled = compile(conn.dialect(), &sel.into())?;
        let params: Vec<ValueRef<'_>> = compiled.params.iter().map(|v| v.as_ref()).collect();
        let mut fresh = None;
        conn.run(
            &compiled.sql,
            &params,
            Some(&mut |row: &dyn Row| {
                fresh = Some(T::from_row_at(row, 0)?);
                Ok(())
            }),
        )?;
        if let Some(v) = fresh {
            let reloaded = v.key();
            let mut g = h.slot().write();
            g.value = v;
            g.baseline = None;
            g.modified = false;
            drop(g);
            self.move_key(h, current, reloaded);
        }
        Ok(())
    }

    /// Files `h` under its key `now` instead of `was` in the identity map.
    fn move_key(&mut self, h: &Handle<T>, was: Option<T::Key>, now: Option<T::Key>) {
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

    /// Forgets what a flush that did not complete left behind: its per-flush lists and the
    /// changes not yet written (put back to their baselines, except on the objects in
    /// `leaving`, which keep their current values, and those in `untouched`, which stay
    /// changed).
    fn discard_flush_state(&mut self, leaving: &FxHashSet<usize>, untouched: &FxHashSet<usize>) {
        self.shared.orphan_candidates.lock().clear();
        self.post_updates.clear();
        self.discard_unflushed(leaving, untouched);
    }

    /// Brings back objects whose DELETE was undone, and those only marked for deletion
    /// (including orphans), except objects whose INSERT was undone too.
    fn restore_deleted(&mut self, deleted: Vec<Handle<T>>) {
        let orphans = std::mem::take(&mut *self.shared.orphans.lock());
        let marked = std::mem::take(&mut self.deleted);
        for h in deleted.into_iter().chain(marked).chain(orphans) {
            if h.state() == ObjectState::Transient {
                continue;
            }
            let key = h.slot().read().value.key();
            if let Some(k) = key {
                self.identity.insert(k, h.clone());
            }
            h.set_state(ObjectState::Persistent);
        }
    }

    /// After a rollback forced by a failed flush or COMMIT: the database holds none of the
    /// transaction's writes, and the session gets back every change as not yet flushed, so
    /// the next flush writes it again. Objects inserted by the transaction are pending again
    /// (keys the database generated go back to `None`), objects it updated are modified
    /// against their state before the transaction (their current values kept), objects it
    /// deleted are marked for deletion again. Unflushed changes stay as they are. An object
    /// both inserted and deleted in the transaction leaves the session. Returns whether any
    /// change is left to flush.
    fn keep_unflushed(&mut self) -> bool {
        self.post_updates.clear();
        self.updated_log.clear();
        self.savepoints = 0;
        let mut repend = Vec::with_capacity(self.inserted_in_tx.len() + self.pending.len());
        let mut gone = Vec::new();
        for h in self.inserted_in_tx.drain(..).chain(self.pending.drain(..)) {
            if h.state() == ObjectState::Deleted {
                gone.push(h);
            } else {
                repend.push(h);
            }
        }
        for h in &repend {
            let key = {
                let mut g = h.slot().write();
                let key = g.value.key();
                if g.key_from_db {
                    for i in T::GENERATED_KEY.into_iter() {
                        let _ = g.value.set_column(i, ValueRef::Null);
                    }
                    g.key_from_db = false;
                }
                g.modified = false;
                g.baseline = None;
                key
            };
            self.move_key(h, key, None);
            h.set_state(ObjectState::Pending);
        }
        self.pending = repend;
        self.expunge_inserted(gone);
        let mut dirty = Vec::new();
        for (h, before) in std::mem::take(&mut self.touched) {
            if h.state() != ObjectState::Persistent && h.state() != ObjectState::Deleted {
                continue;
            }
            let mut g = h.slot().write();
            let flushed_key = g.value.key();
            let key = before.key();
            if !g.modified {
                g.modified = true;
                dirty.push(h.clone());
            }
            g.baseline = Some(before);
            g.snapshot_generation = 0;
            drop(g);
            self.move_key(&h, flushed_key, key);
        }
        self.shared.dirty.lock().extend(dirty);
        let mut deleted: Vec<Handle<T>> = self.deleted_in_tx.drain(..).collect();
        deleted.retain(|h| h.state() == ObjectState::Deleted);
        for h in &deleted {
            let key = {
                let g = h.slot().read();
                g.baseline.as_deref().unwrap_or(&g.value).key()
            };
            if let Some(k) = key {
                self.identity.insert(k, h.clone());
            }
        }
        // Marked for deletion but not yet deleted: again, unless inserted in the transaction
        // too (those left the session above).
        self.deleted.retain(|h| h.state() == ObjectState::Deleted);
        deleted.append(&mut self.deleted);
        self.deleted = deleted;
        !self.pending.is_empty()
            || !self.deleted.is_empty()
            || !self.shared.dirty.lock().is_empty()
            || !self.shared.orphans.lock().is_empty()
    }

    /// Takes objects whose INSERT was undone out of the session, clearing generated keys.
    fn expunge_inserted(&mut self, gone: Vec<Handle<T>>) {
        for h in gone {
            let key = {
                let mut g = h.slot().write();
                let key = g.value.key();
                for i in T::GENERATED_KEY.into_iter() {
                    let _ = g.value.set_column(i, ValueRef::Null);
                }
                g.modified = false;
                g.baseline = None;
                key
            };
            self.move_key(&h, key, None);
            h.set_state(ObjectState::Transient);
        }
    }
}

impl<T: Model> Registry<T> {
    /// Fills generated keys from the last-insert id (the batch's first key, the rest
    /// consecutive) and reads server defaults back by primary key.
    fn read_back_without_returning(
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

    /// A new handle of this model, tracked by this session.
    pub(crate) fn new_handle(&self, value: T, state: ObjectState, generation: u64) -> Handle<T> {
        Handle::tracked(value, state, &self.shared, generation)
    }

    /// Records an object's state before the open transaction changed it (bulk updates),
    /// once per transaction.
    pub(crate) fn note_touched(
        &mut self,
        h: &Handle<T>,
        slot: &mut Slot<T>,
        before: T,
        generation: u64,
    ) {
        if slot.snapshot_generation != generation {
            slot.snapshot_generation = generation;
            self.touched.push((h.clone(), Box::new(before)));
        }
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
                .max(1);
            // Keys read back from the first row's id map to the other rows only where the
            // server promises them consecutive (not MySQL's interleaved lock mode).
            if T::GENERATED_KEY.is_some()
                && d.generated_keys() == GeneratedKeys::LastInsertIdFirst
                && conn.multi_row_key_step()?.is_none()
            {
                max_rows = 1;
            }
            let only_key_omitted = |mask: u128| {
                let full = if T::COLUMNS.len() == 128 {
                    u128::MAX
                } else {
                    (1u128 << T::COLUMNS.len()) - 1
                };
                match T::GENERATED_KEY {
                    Some(k) => mask == full & !(1u128 << k) || mask == full,
                    None => mask == full,
                }
            };
            let mut start = 0;
            while start < pending.len() {
                let (mask, returning) = shapes[start];
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

    /// A new object with the key of an object marked for deletion in this flush replaces
    /// it, as in SQLAlchemy: one UPDATE of the row with every column of the new object
    /// instead of an INSERT that the row still there would refuse (the DELETE runs last).
    /// Such objects leave `pending`; the deleted object is deleted in memory only.
    fn replace_deleted(
        &mut self,
        conn: &mut Connection,
        pending: &mut Vec<Handle<T>>,
    ) -> Result<()> {
        let mut marked: FxHashMap<T::Key, Handle<T>> = FxHashMap::default();
        for d in &self.deleted {
            let g = d.slot().try_read().ok_or_else(locked_error::<T>)?;
            if let Some(k) = g.baseline.as_deref().unwrap_or(&g.value).key() {
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
            self.inserted_in_tx.push(new.clone());
            self.deleted_in_tx.push(old);
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
        let row = og.baseline.as_deref().unwrap_or(&og.value);
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
        let version = version_of(row)?;
        if version.is_some() {
            bump_version(&mut g.value, version)?;
        }
        drop(og);
        let mask = (0..T::COLUMNS.len())
            .filter(|i| !T::PRIMARY_KEY.contains(i))
            .fold(0u128, |m, i| m | (1u128 << i));
        if mask != 0 {
            let sql = self.cached_sql(conn, Shape::Update { mask })?;
            let mut params = Vec::with_capacity(T::COLUMNS.len());
            for i in (0..T::COLUMNS.len()).filter(|i| mask & (1u128 << i) != 0) {
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
                    og.baseline.as_deref().unwrap_or(&og.value),
                    n,
                ));
            }
        }
        g.modified = false;
        g.baseline = None;
        g.key_from_db = false;
        Ok(())
    }

    /// Gives changed persistent objects' keys to the children added to (or taken from)
    /// their collections, before the children's own flush.
    fn push_keys_of_changed(&self) -> Result<()> {
        if !T::HAS_RELATIONS {
            return Ok(());
        }
        let dirty: Vec<Handle<T>> = self.shared.dirty.lock().clone();
        // Children kept or added first, then children removed: a child moved from one
        // parent to another keeps the new parent's key whichever parent comes first.
        for removals in [false, true] {
            for h in &dirty {
                let g = h.slot().try_read().ok_or_else(locked_error::<T>)?;
                if g.modified && h.state() == ObjectState::Persistent {
                    g.value
                        .push_key_to_children(g.baseline.as_deref(), removals)?;
                }
            }
        }
        Ok(())
    }

    /// Puts unflushed changes back to their baselines; objects in `leaving` keep their
    /// values (no longer changed), objects in `untouched` stay changed.
    fn discard_unflushed(&mut self, leaving: &FxHashSet<usize>, untouched: &FxHashSet<usize>) {
        let dirty = std::mem::take(&mut *self.shared.dirty.lock());
        let mut still = Vec::new();
        for h in dirty {
            if untouched.contains(&ptr_of(&h)) {
                still.push(h);
                continue;
            }
            let keep = leaving.contains(&ptr_of(&h));
            let mut g = h.slot().write();
            if g.modified {
                if let Some(b) = g.baseline.take() {
                    if !keep {
                        g.value = *b;
                    }
                }
                g.modified = false;
            }
        }
        self.shared.dirty.lock().extend(still);
    }

    /// Copies parents' keys into the changed objects of `dirty`, one object locked at a
    /// time (once UPDATE batches hold their objects' locks, an object whose parent is among
    /// them could not read it). An object whose new parent has no key yet is taken out of
    /// `dirty` and returned when `early` (it waits for that INSERT); after the INSERTs such a
    /// parent is in no session, or another one: an error.
    fn pull_parent_keys_of(
        &mut self,
        dirty: &mut Vec<Handle<T>>,
        early: bool,
    ) -> Result<Vec<Handle<T>>> {
        let mut later = Vec::new();
        if !T::HAS_RELATIONS {
            return Ok(later);
        }
        let mut failed = None;
        dirty.retain(|h| {
            if failed.is_some() || h.state() != ObjectState::Persistent {
                return true;
            }
            let outcome = lock(h).and_then(|mut g| {
                if !g.modified || g.value.pull_parent_keys()? {
                    let post = g.modified
                        && !T::POST_UPDATE_COLUMNS.is_empty()
                        && g.value.needs_post_update()?;
                    return Ok(Some(post));
                }
                Ok(None)
            });
            match outcome {
                Ok(Some(post)) => {
                    if post {
                        self.post_updates.push(h.clone());
                    }
                    true
                }
                Ok(None) if early => {
                    later.push(h.clone());
                    false
                }
                Ok(None) => {
                    failed = Some(Error::misuse(format!(
                        "a {} refers to a new parent that is not in this session: add it with session.add_handle",
                        T::model_name()
                    )));
                    true
                }
                Err(e) => {
                    failed = Some(e);
                    true
                }
            }
        });
        match failed {
            Some(e) => {
                dirty.append(&mut later);
                Err(e)
            }
            None => Ok(later),
        }
    }

    fn update_dirty(
        &mut self,
        conn: &mut Connection,
        generation: u64,
        dirty: &[Handle<T>],
    ) -> Result<()> {
        let mut rekey: Vec<(T::Key, T::Key)> = Vec::new();
        let mut batch: Vec<Pending<'_, T>> = Vec::new();
        let mut keep = Vec::new();
        let result =
            self.update_batches(conn, generation, dirty, &mut batch, &mut keep, &mut rekey);
        if result.is_err() {
            // Objects whose UPDATE did not run keep their baselines, so rollback restores them.
            for (_, mut g, base) in batch.drain(..) {
                g.baseline = Some(base);
            }
        }
        result?;
        self.shared.dirty.lock().extend(keep);
        for (old, new) in rekey {
            if let Some(h) = self.identity.remove(&old) {
                self.register(&h, new)?;
            }
        }
        Ok(())
    }

    /// Groups the changed objects by changed-column set and runs the UPDATE batches.
    fn update_batches<'g>(
        &mut self,
        conn: &mut Connection,
        generation: u64,
        dirty: &'g [Handle<T>],
        batch: &mut Vec<Pending<'g, T>>,
        keep: &mut Vec<Handle<T>>,
        rekey: &mut Vec<(T::Key, T::Key)>,
    ) -> Result<()> {
        const BATCH: usize = 256;
        let mut batch_mask = 0u128;
        for (idx, h) in dirty.iter().enumerate() {
            let mut g = lock(h)?;
            if !g.modified {
                continue;
            }
            match h.state() {
                ObjectState::Persistent => {}
                ObjectState::Deleted => {
                    // Its DELETE is flushed instead; the change stays listed so that a
                    // rollback, which brings the object back, also undoes the change.
                    drop(g);
                    keep.push(h.clone());
                    continue;
                }
                _ => {
                    g.modified = false;
                    g.baseline = None;
                    continue;
                }
            }
            let Some(base) = g.baseline.as_deref() else {
                g.modified = false;
                continue;
            };
            let mut mask = 0u128;
            for i in 0..T::COLUMNS.len() {
                if g.value.column_changed(base, i) {
                    mask |= 1u128 << i;
                }
            }
            if let (Some(v), true) = (T::VERSION, mask != 0) {
                // Every UPDATE moves the version on from the one loaded (the WHERE matches
                // that), whatever the object's field says.
                let previous = version_of(base)?;
                bump_version(&mut g.value, previous)?;
                mask |= 1u128 << v;
            }
            if mask == 0 {
                // No column changed, but a relationship may have: keep the state before the
                // change for rollback (and for a savepoint's rollback).
                if T::HAS_RELATIONS && self.savepoints > 0 {
                    let before = g.baseline.as_deref().cloned().map(Box::new);
                    self.updated_log.push((h.clone(), g.value.key(), before));
                }
                if T::HAS_RELATIONS && g.snapshot_generation != generation {
                    if let Some(base) = g.baseline.take() {
                        g.snapshot_generation = generation;
                        self.touched.push((h.clone(), base));
                    }
                }
                g.baseline = None;
                g.modified = false;
                continue;
            }
            if !batch.is_empty() && (mask != batch_mask || batch.len() >= BATCH) {
                // On failure this object keeps its baseline (not yet taken) for rollback.
                self.run_update_batch(conn, generation, dirty, batch, batch_mask, rekey)?;
            }
            batch_mask = mask;
            let Some(base) = g.baseline.take() else {
                continue;
            };
            batch.push((idx, g, base));
        }
        if !batch.is_empty() {
            self.run_update_batch(conn, generation, dirty, batch, batch_mask, rekey)?;
        }
        Ok(())
    }

    /// One `UPDATE ... WHERE pk = ?` executed for every object of `batch` (all with the
    /// same changed columns), prepared once.
    fn run_update_batch<'g>(
        &mut self,
        conn: &mut Connection,
        generation: u64,
        dirty: &'g [Handle<T>],
        batch: &mut Vec<Pending<'g, T>>,
        mask: u128,
        rekey: &mut Vec<(T::Key, T::Key)>,
    ) -> Result<()> {
        let outcome = (|| {
            let sql = self.cached_sql(conn, Shape::Update { mask })?;
            let width = mask.count_ones() as usize
                + T::PRIMARY_KEY.len()
                + usize::from(T::VERSION.is_some());
            let mut params: Vec<ValueRef<'_>> = reuse_buffer(std::mem::take(&mut self.params_buf));
            params.reserve(width * batch.len());
            for (_, g, base) in batch.iter() {
                for i in (0..T::COLUMNS.len()).filter(|i| mask & (1u128 << i) != 0) {
                    params.push(g.value.column_value(i)?);
                }
                for &i in T::PRIMARY_KEY.iter().chain(T::VERSION.as_ref()) {
                    params.push(base.column_value(i)?);
                }
            }
            let mut counts = std::mem::take(&mut self.counts_buf);
            counts.clear();
            conn.run_many(&sql, width, &params, &mut counts)?;
            self.params_buf = reuse_buffer(params);
            if let Some(pos) = counts.iter().position(|&n| n != 1) {
                return Err(row_count_error::<T>("UPDATE", &batch[pos].2, counts[pos]));
            }
            self.counts_buf = counts;
            Ok(())
        })();
        if let Err(e) = outcome {
            // Each object keeps its baseline and stays modified, so rollback restores it.
            for (_, mut g, base) in batch.drain(..) {
                g.baseline = Some(base);
            }
            return Err(e);
        }
        for (idx, mut g, base) in batch.drain(..) {
            let h = &dirty[idx];
            let old_key = base.key();
            if let (Some(o), Some(n)) = (old_key.clone(), g.value.key()) {
                if o != n {
                    rekey.push((o, n));
                }
            }
            if self.savepoints > 0 {
                self.updated_log
                    .push((h.clone(), old_key, Some(Box::new((*base).clone()))));
            }
            if g.snapshot_generation != generation {
                g.snapshot_generation = generation;
                self.touched.push((h.clone(), base));
            }
            g.modified = false;
        }
        Ok(())
    }

    /// Takes `h` out of the session: out of every list and the identity map; a pending
    /// object becomes transient, any other detached, keeping its current values.
    pub(crate) fn expunge(&mut self, h: &Handle<T>) -> Result<()> {
        let mut g = lock(h)?;
        // The identity map files a changed object under its key before the change.
        let key = g.baseline.as_deref().unwrap_or(&g.value).key();
        g.modified = false;
        g.baseline = None;
        drop(g);
        let other = |x: &Handle<T>| !Handle::ptr_eq(x, h);
        self.pending.retain(other);
        self.deleted.retain(other);
        self.inserted_in_tx.retain(other);
        self.deleted_in_tx.retain(other);
        self.post_updates.retain(other);
        self.touched.retain(|(x, _)| other(x));
        self.updated_log.retain(|(x, _, _)| other(x));
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

    /// Records an object deleted by a bulk DELETE, so rollback can restore it.
    pub(crate) fn note_deleted(&mut self, h: Handle<T>) {
        self.deleted_in_tx.push(h);
    }

    /// Records an object changed by a bulk UPDATE (`key`: its key before), so a savepoint
    /// rollback reloads it.
    pub(crate) fn note_bulk_updated(&mut self, h: &Handle<T>, key: Option<T::Key>) {
        if self.savepoints > 0 {
            self.updated_log.push((h.clone(), key, None));
        }
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
        self.touched.clear();
        self.shared.dirty.lock().clear();
        self.inserted_in_tx.clear();
        self.deleted_in_tx.clear();
    }
}

/// An object's identity, for sets of handles.
fn ptr_of<T: Model>(h: &Handle<T>) -> usize {
    Arc::as_ptr(&h.0) as usize
}

/// The identities of `handles`.
fn ptr_set<'a, T: Model + 'a>(
    handles: impl IntoIterator<Item = &'a Handle<T>>,
) -> FxHashSet<usize> {
    handles.into_iter().map(ptr_of).collect()
}

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher;

    use super::*;

    #[test]
    fn integer_keys_keep_their_low_bits_and_spread_the_top_ones() {
        let b = std::hash::BuildHasherDefault::<KeyHasher>::default();
        let low = |k: i64| b.hash_one(k) & 0xffff;
        assert_eq!((1..=5).map(low).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5]);
        let tops: std::collections::HashSet<u64> =
            (1..=64i64).map(|k| b.hash_one(k) >> 57).collect();
        assert!(tops.len() > 32, "h2 bits should differ between neighbours");
        // Keys with constant low bits still spread over the low bits (the bucket index):
        // Snowflake-style ids (timestamp << 22 | worker << 12, sequence 0) and multiples of
        // 2^10, 2^20 and 2^32: at most two keys a bucket on average, where keeping the low
        // bits alone would put all of them in one.
        let spread = |keys: Vec<i64>| {
            let n = keys.len();
            let buckets: std::collections::HashSet<u64> =
                keys.into_iter().map(|k| b.hash_one(k) & 0xfff).collect();
            (buckets.len(), n)
        };
        for (name, keys) in [
            (
                "snowflake",
                (0..4096i64)
                    .map(|t| ((1_700_000_000_000 + t) << 22) | (5 << 12))
                    .collect::<Vec<_>>(),
            ),
            ("x1024", (0..4096i64).map(|k| k << 10).collect()),
            ("x2^20", (0..4096i64).map(|k| k << 20).collect()),
            ("x2^32", (0..4096i64).map(|k| k << 32).collect()),
        ] {
            let (used, n) = spread(keys);
            assert!(
                used * 2 >= n,
                "{name}: {n} keys in only {used} of 4096 low-bit buckets"
            );
        }
        // Composite and text keys go through FxHash; equal keys hash equally.
        assert_eq!(b.hash_one((1i64, 2i64)), b.hash_one((1i64, 2i64)));
        assert_ne!(b.hash_one((1i64, 2i64)), b.hash_one((2i64, 1i64)));
        assert_eq!(b.hash_one("a"), b.hash_one(String::from("a")));
        assert_ne!(b.hash_one(1i64), b.hash_one((1i64, 0i64)));
    }
}
