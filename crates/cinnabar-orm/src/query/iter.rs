//! [`QueryIter`]: `query.iter()`, a query's objects read in chunks (keyset pagination on
//! the primary key), so a loop over a large table never holds the whole result. With the
//! identity map holding unchanged objects weakly (`crate::identity`), what the loop drops is
//! freed as it goes, and the session's memory stays bounded by the chunk size.

use std::collections::VecDeque;

use cinnabar_core::sql::{BinOp, ColumnRef, Expr, OrderBy, Select};
use cinnabar_core::{Error, Result, Value};

use super::Query;
use crate::handle::Handle;
use crate::load::{key_values, load_query};
use crate::loading::Loader;
use crate::model::Model;
use crate::session::Session;

/// Rows per chunk when [`QueryIter::chunk_size`] is not called.
pub const DEFAULT_CHUNK_SIZE: usize = 1_000;

/// The objects of a query, read a chunk at a time: what [`Query::iter`] returns.
///
/// Each chunk is one SELECT of the query's rows ordered by primary key, after the last key
/// of the previous chunk (`WHERE <filters> AND pk > ? ORDER BY pk LIMIT <chunk>`; a
/// composite key compares as a row value, `(a, b) > (?, ?)`). Every statement runs to its end before the
/// chunk's objects are handed out, so no read stays open between chunks: the session can
/// write (autoflush, [`QueryIter::session`] and commit) while iterating, and SQLite's write
/// lock is never blocked by the iteration itself.
///
/// Isolation: each chunk sees the database as of its own statement (within the session's
/// transaction when one is open, including its flushed writes), not one snapshot of the
/// whole iteration. A row inserted or changed ahead of the position is seen when reached; a
/// row deleted before it is reached is not; a row already passed is not seen again, unless
/// its primary key is changed to one ahead of the position (then the same handle comes again,
/// as the identity map hands out one object per row). Changes to yielded objects are flushed
/// by the autoflush before the next chunk (the flush writes them; unchanged objects the loop
/// drops are forgotten by the session).
///
/// Eager loaders ([`selectin`](crate::selectin), [`joined`](crate::joined)) run per chunk,
/// as `selectin` loads of the chunk's objects (a joined load is a selectin load here, as
/// under a LIMIT in [`Query::all`]).
pub struct QueryIter<'s, T: Model> {
    session: &'s mut Session,
    select: Select,
    loaders: Vec<Box<dyn Loader<T>>>,
    chunk_size: usize,
    /// The objects of the current chunk not yet handed out.
    buffer: VecDeque<Handle<T>>,
    /// The key values of the last row read; `None` before the first chunk.
    after: Option<Vec<Value>>,
    /// The last chunk was short (or an error ended the iteration): nothing more to read.
    done: bool,
    /// An error recorded before the first chunk (by `Query`'s builder or `iter` itself).
    error: Option<Error>,
}

impl<'s, T: Model> Query<'s, T> {
    /// The matching objects one at a time, read [`DEFAULT_CHUNK_SIZE`] rows at a time
    /// ([`QueryIter::chunk_size`] changes it), never the whole result at once: a loop
    /// over a million rows that keeps none of them holds about one chunk in memory. Rows
    /// come in primary-key order (the iteration is keyset pagination on it); see
    /// [`QueryIter`] for what each chunk sees.
    ///
    /// The query must not have its own ORDER BY, LIMIT, OFFSET or FOR UPDATE: the first
    /// item is then a `Misuse` error naming it (use [`Query::all`] for those).
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
    /// }
    ///
    /// # fn main() -> cinnabar::Result<()> {
    /// let engine = create_engine("sqlite://")?;
    /// MetaData::new().with(Student::table().clone()).create_all(&engine)?;
    /// let mut session = Session::new(&engine);
    /// session.add_all((0..10).map(|i| Student { id: None, name: format!("s{i}") }));
    /// session.commit()?;
    ///
    /// let mut names = Vec::new();
    /// for student in session.query::<Student>().iter().chunk_size(4) {
    ///     names.push(student?.read().name.clone());
    /// }
    /// assert_eq!(names.len(), 10);
    /// assert_eq!(names[0], "s0");
    /// # Ok(())
    /// # }
    /// ```
    pub fn iter(mut self) -> QueryIter<'s, T> {
        let select = self.take_select();
        let mut error = self.error;
        let what = if !select.order_by.is_empty() {
            Some("order_by")
        } else if select.limit.is_some() {
            Some("limit")
        } else if select.offset.is_some() {
            Some("offset")
        } else if select.lock.is_some() {
            Some("with_for_update")
        } else {
            None
        };
        if let (None, Some(what)) = (&error, what) {
            error = Some(Error::misuse(format!(
                "query::<{}>().iter() reads the rows in primary-key order, a chunk at a time \
                 (keyset pagination), so the query cannot have its own {what}; use all() for it",
                T::model_name()
            )));
        }
        QueryIter {
            session: self.session,
            select,
            loaders: self.loaders,
            chunk_size: DEFAULT_CHUNK_SIZE,
            buffer: VecDeque::new(),
            after: None,
            done: false,
            error,
        }
    }
}

impl<T: Model> QueryIter<'_, T> {
    /// Rows read per SELECT (at least 1; [`DEFAULT_CHUNK_SIZE`] unless set). Larger chunks
    /// mean fewer statements and more objects alive at once.
    pub fn chunk_size(mut self, rows: usize) -> Self {
        self.chunk_size = rows.max(1);
        self
    }

    /// The session, between items: commit, add or query while iterating (the next chunk's
    /// SELECT runs after whatever it did, autoflush included).
    pub fn session(&mut self) -> &mut Session {
        self.session
    }

    /// Reads the next chunk into the buffer; marks the iteration done when it is short.
    fn fetch(&mut self) -> Result<()> {
        let table = T::table().name.as_str();
        let mut select = self.select.clone();
        if let Some(after) = &self.after {
            select.add_filter(after_key::<T>(table, after));
        }
        for &i in T::PRIMARY_KEY {
            select.order_by.push(OrderBy {
                expr: Expr::Column(ColumnRef::qualified(table, T::COLUMNS[i])),
                desc: false,
            });
        }
        select.limit = Some(self.chunk_size as u64);
        let joined = !select.joins.is_empty();
        let mut rows = 0usize;
        let mut last: Option<Handle<T>> = None;
        let buffer = &mut self.buffer;
        load_query::<T>(self.session, select, |h| {
            rows += 1;
            // A join repeats an object on consecutive rows (ordered by its key): once.
            if !(joined && last.as_ref().is_some_and(|l| Handle::ptr_eq(l, &h))) {
                buffer.push_back(h.clone());
            }
            last = Some(h);
        })?;
        if rows < self.chunk_size {
            self.done = true;
        }
        if let Some(h) = last {
            // The key the row was read under: an unflushed key change (autoflush off) is
            // not in the row, and the object is filed under its key before the change.
            let g = h.slot().try_read().ok_or_else(|| {
                Error::misuse(format!(
                    "a {} read by iter() is borrowed for writing; drop the guard first",
                    T::model_name()
                ))
            })?;
            let key = g.row_key().ok_or_else(|| {
                Error::misuse(format!(
                    "a {} read by iter() has no primary key",
                    T::model_name()
                ))
            })?;
            drop(g);
            self.after = Some(key_values::<T>(&key)?);
        }
        if !self.loaders.is_empty() && !self.buffer.is_empty() {
            let chunk: Vec<Handle<T>> = self.buffer.iter().cloned().collect();
            for l in &self.loaders {
                l.load(self.session, &chunk)?;
            }
        }
        Ok(())
    }
}

/// `key > after` over the primary-key columns: `"t"."id" > ?` for a single key, the row
/// value comparison `("t"."a", "t"."b") > (?, ?)` for a composite one, which the dialect
/// writes as `a > ? OR (a = ? AND b > ?)` where it has no row values or does not plan them
/// as an index range (`Dialect::row_value_ranges_use_indexes`, MariaDB).
fn after_key<T: Model>(table: &'static str, after: &[Value]) -> Expr {
    let col = |i: usize| Expr::Column(ColumnRef::qualified(table, T::COLUMNS[T::PRIMARY_KEY[i]]));
    let values = after.iter().cloned().map(Expr::Value);
    match after {
        [value] => col(0).binary(BinOp::Gt, Expr::Value(value.clone())),
        _ => Expr::Tuple((0..after.len()).map(col).collect())
            .binary(BinOp::Gt, Expr::Tuple(values.collect())),
    }
}

impl<T: Model> Iterator for QueryIter<'_, T> {
    type Item = Result<Handle<T>>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.error.take() {
            self.done = true;
            self.buffer.clear();
            return Some(Err(e));
        }
        if self.buffer.is_empty() && !self.done {
            if let Err(e) = self.fetch() {
                self.done = true;
                self.buffer.clear();
                return Some(Err(e));
            }
        }
        self.buffer.pop_front().map(Ok)
    }
}
