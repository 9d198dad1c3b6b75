//! Rows to objects through the identity map, for every reader of a model's rows (queries,
//! the loading strategies, bulk statements): [`materialize_in`] (one row), [`load`],
//! [`load_each`] and [`load_rows`] (one statement), `load_query` (a [`Query`]'s SELECT, its
//! SQL text cached per shape), and [`select_model`], the SELECT of a model's columns.
//!
//! [`Query`]: crate::Query

use std::collections::hash_map::Entry;
use std::sync::Arc;

use cinnabar_core::dialect::{compile, compile_into, compile_key_into};
use cinnabar_core::sql::{ColumnRef, Expr, Select, Statement};
use cinnabar_core::{Error, Result, Value};
use cinnabar_engine::Row;

use crate::handle::{stamp, Handle, ObjectState, Shared};
use crate::identity::{make_room, IdentityMap, Registry};
use crate::model::Model;
use crate::query::shape::ShapeKey;
use crate::session::Session;

mod batch;

pub(crate) use batch::NewObjects;
pub(crate) use batch::StatementLoad;

/// The SELECT of all of `T`'s columns, qualified by its table.
pub(crate) fn select_model<T: Model>() -> Select {
    let table = T::table();
    let mut sel = Select::from(table.name.as_str());
    sel.columns.reserve(T::COLUMNS.len());
    for c in T::COLUMNS {
        sel = sel.column(Expr::Column(ColumnRef::qualified(table.name.as_str(), *c)));
    }
    sel
}

/// `select` with `T`'s columns (qualified by its table) put before its own select list.
pub(crate) fn with_model_columns<T: Model>(mut select: Select) -> Select {
    let mut full = select_model::<T>();
    full.columns.append(&mut select.columns);
    select.columns = full.columns;
    select
}

/// The column values of a key, in primary-key order.
pub(crate) fn key_values<T: Model>(key: &T::Key) -> Result<Vec<Value>> {
    cinnabar_core::types::KeyValues::key_values(key)
}

/// The object for the row's `T` columns (starting at `offset`) in `identity`: the map's,
/// refreshed if expired and unchanged, or a new persistent object. `refresh`: an object
/// already loaded takes the row's values even if not expired (unless it has unflushed
/// changes).
///
/// Most rows of a load are new to the session, so the whole row is decoded first and the
/// key taken from the object (the key column is read once). `key_first` (start a load with
/// `false`) turns on at the first row the identity map already holds: from then on the key
/// is decoded alone first, so rows already loaded cost no decode.
// Always: with two callers (`load_query` and the loaders' rows, and `query/compact.rs`) LLVM
// stopped inlining it into the joined loader's per-row closure (+28 instructions a row).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn materialize_in<T: Model>(
    identity: &mut IdentityMap<T::Key, Handle<T>>,
    shared: &Arc<Shared<T>>,
    row: &dyn Row,
    offset: usize,
    generation: u64,
    key_first: &mut bool,
    refresh: bool,
) -> Result<Handle<T>> {
    if *key_first && !refresh {
        let key = T::key_from_row(row, offset)?;
        return materialize_key(identity, shared, key, row, offset, generation);
    }
    let obj = T::from_row_at(row, offset)?;
    file_decoded(
        identity, shared, obj, row, offset, generation, key_first, refresh,
    )
}

/// [`materialize_in`] for the row's `T` columns decoded as `obj`. Always inlined: the
/// object moves in by value, which a call would copy.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn file_decoded<T: Model>(
    identity: &mut IdentityMap<T::Key, Handle<T>>,
    shared: &Arc<Shared<T>>,
    obj: T,
    row: &dyn Row,
    offset: usize,
    generation: u64,
    key_first: &mut bool,
    refresh: bool,
) -> Result<Handle<T>> {
    let key = match obj.key() {
        Some(k) => k,
        // A NULL key column: decoding it alone reports the conversion error.
        None => T::key_from_row(row, offset)?,
    };
    make_room(identity, shared);
    match identity.entry(key) {
        Entry::Occupied(e) => {
            *key_first = true;
            let h = e.get();
            if h.state() == ObjectState::Persistent {
                match h.slot().try_write() {
                    Some(mut g) if (refresh || g.generation != stamp(generation)) && !g.modified => {
                        g.value = obj;
                        g.generation = stamp(generation);
                    }
                    Some(_) => {}
                    // Handing out the object unrefreshed would let a read-modify-write
                    // work on a stale value.
                    None if refresh => {
                        return Err(Error::misuse(format!(
                            "a {} read with FOR UPDATE is borrowed (a guard is alive), so it cannot be refreshed from the locked row; drop the guard first",
                            T::model_name()
                        )))
                    }
                    None => {}
                }
            }
            Ok(h.clone())
        }
        Entry::Vacant(v) => {
            let h = Handle::tracked(obj, ObjectState::Persistent, shared, generation);
            let out = h.clone();
            v.insert(h);
            Ok(out)
        }
    }
}

/// The object for the row's `T` columns as [`materialize_in`] gives it, with the key already
/// decoded from the row.
#[inline]
pub(crate) fn materialize_key<T: Model>(
    identity: &mut IdentityMap<T::Key, Handle<T>>,
    shared: &Arc<Shared<T>>,
    key: T::Key,
    row: &dyn Row,
    offset: usize,
    generation: u64,
) -> Result<Handle<T>> {
    make_room(identity, shared);
    match identity.entry(key) {
        Entry::Occupied(e) => {
            let h = e.get();
            if h.state() == ObjectState::Persistent {
                if let Some(mut g) = h.slot().try_write() {
                    if g.generation != stamp(generation) && !g.modified {
                        g.value = T::from_row_at(row, offset)?;
                        g.generation = stamp(generation);
                    }
                }
            }
            Ok(h.clone())
        }
        Entry::Vacant(v) => {
            let obj = T::from_row_at(row, offset)?;
            let h = Handle::tracked(obj, ObjectState::Persistent, shared, generation);
            let out = h.clone();
            v.insert(h);
            Ok(out)
        }
    }
}

/// Runs a SELECT of `T`'s columns (in table order, first) through the identity map.
pub(crate) fn load<T: Model>(session: &mut Session, stmt: &Statement) -> Result<Vec<Handle<T>>> {
    let mut out = Vec::new();
    load_each::<T>(session, stmt, |h| out.push(h))?;
    Ok(out)
}

/// As [`load`], handing each object to `f` instead of collecting them.
pub(crate) fn load_each<T: Model>(
    session: &mut Session,
    stmt: &Statement,
    mut f: impl FnMut(Handle<T>),
) -> Result<()> {
    load_rows::<T, ()>(
        session,
        stmt,
        |_| (),
        |h, _, _row| {
            f(h);
            Ok(())
        },
    )
}

/// Runs a [`Query`](crate::Query)'s SELECT (`select` without its select list, which is `T`'s columns)
/// through the identity map, handing each object to `f`.
///
/// The SQL text is cached per shape in `T`'s registry. The common shapes (the model's table
/// alone, comparisons of its columns with values, LIMIT/OFFSET) are keyed by a
/// [`ShapeKey`], a few integers, without writing anything out. For the others the statement
/// without its select list is written as a cache key (`compile_key_into`: the SQL text with unquoted, unchecked
/// identifiers; bound values are placeholders in it, so it is the same for every value),
/// which keys the text of the full statement, compiled (and checked) once. The values bound
/// are those the key collected: the select list holds none, so the placeholders are the same
/// and in the same order.
pub(crate) fn load_query<T: Model>(
    session: &mut Session,
    select: Select,
    mut f: impl FnMut(Handle<T>),
) -> Result<()> {
    debug_assert!(select.columns.is_empty());
    session.autoflush()?;
    // A locking read runs in the transaction its locks last for; it refreshes what the
    // session holds from the rows it locked.
    let refresh = select.lock.is_some();
    if refresh {
        session.ensure_write_transaction()?;
    }
    let generation = session.generation();
    let stmt = Statement::Select(select);
    let mut key = session.take_scratch();
    let mut params = session.take_params();
    let result = (|| {
        let (conn, reg) = session.parts::<T>()?;
        let Statement::Select(select) = &stmt else {
            unreachable!("built as a SELECT above")
        };
        // The common shapes are keyed without writing the query out (`query/shape.rs`).
        let shaped = match ShapeKey::of::<T>(select, &mut params) {
            Some(shape) => match reg.query_shapes.get(&shape) {
                Some(sql) => Some(sql.clone()),
                None => {
                    let full = Statement::Select(with_model_columns::<T>(select.clone()));
                    let compiled = compile(conn.dialect(), &full)?;
                    // The shape's values are the statement's, in its order (checked once
                    // per shape; a difference would be a bug here: the text key then).
                    if compiled
                        .params
                        .iter()
                        .map(Value::as_ref)
                        .eq(params.iter().copied())
                    {
                        let sql: Arc<str> = compiled.sql.into();
                        reg.cache_shape_sql(shape, sql.clone());
                        Some(sql)
                    } else {
                        params.clear();
                        None
                    }
                }
            },
            None => None,
        };
        let sql = match shaped {
            Some(sql) => sql,
            None => text_keyed_sql::<T>(conn, reg, &stmt, &mut key, &mut params)?,
        };
        if !reg.identity.is_empty() || refresh {
            // Objects are held aside only in an empty map (see `StatementLoad`): the rows of
            // a query into a map that holds objects (a lookup among many) go straight in.
            let mut key_first = false;
            conn.run(
                &sql,
                &params,
                Some(&mut |row: &dyn Row| {
                    f(materialize_in(
                        &mut reg.identity,
                        &reg.shared,
                        row,
                        0,
                        generation,
                        &mut key_first,
                        refresh,
                    )?);
                    Ok(())
                }),
            )?;
            return Ok(());
        }
        let mut rows = StatementLoad::new(&mut reg.identity, &reg.shared, generation, refresh);
        conn.run(
            &sql,
            &params,
            Some(&mut |row: &dyn Row| {
                f(rows.row(row, 0)?);
                Ok(())
            }),
        )?;
        Ok(())
    })();
    session.put_params(params);
    session.put_scratch(key);
    result
}

/// The SQL of a query whose shape has no [`ShapeKey`]: keyed by the statement written out
/// without its select list (see [`load_query`]).
fn text_keyed_sql<'a, T: Model>(
    conn: &mut cinnabar_engine::Connection,
    reg: &mut Registry<T>,
    stmt: &'a Statement,
    key: &mut String,
    params: &mut Vec<cinnabar_core::ValueRef<'a>>,
) -> Result<Arc<str>> {
    compile_key_into(conn.dialect(), stmt, key, params)?;
    if let Some(sql) = reg.query_sql.get(key.as_str()) {
        return Ok(sql.clone());
    }
    let Statement::Select(select) = stmt else {
        unreachable!("built as a SELECT by load_query")
    };
    let full = Statement::Select(with_model_columns::<T>(select.clone()));
    let sql: Arc<str> = compile(conn.dialect(), &full)?.sql.into();
    reg.cache_query_sql(key.as_str(), sql.clone());
    Ok(sql)
}

/// As [`load_each`], also handing over the row (for columns after the model's own) and what
/// `inspect` found in the row's `T` columns as decoded (`None` when the row was matched to an
/// object the session holds by its key alone, without decoding it whole).
pub(crate) fn load_rows<T: Model, V>(
    session: &mut Session,
    stmt: &Statement,
    mut inspect: impl FnMut(&T) -> V,
    mut f: impl FnMut(Handle<T>, Option<V>, &dyn Row) -> Result<()>,
) -> Result<()> {
    session.autoflush()?;
    let generation = session.generation();
    let mut sql = session.take_scratch();
    let mut params = session.take_params();
    let result = (|| {
        let (conn, reg) = session.parts::<T>()?;
        compile_into(conn.dialect(), stmt, &mut sql, &mut params)?;
        let mut rows = StatementLoad::new(&mut reg.identity, &reg.shared, generation, false);
        conn.run(
            &sql,
            &params,
            Some(&mut |row: &dyn Row| {
                let (h, seen) = rows.row_inspect(row, 0, &mut inspect)?;
                f(h, seen, row)
            }),
        )?;
        Ok(())
    })();
    session.put_params(params);
    session.put_scratch(sql);
    result
}
