//! [`Query`]: the session's typed query builder, `session.query::<Student>()
//! .filter(Student::name.eq("Naresh")).first()`. The session's methods that start one
//! (`query`, `get`, `get_for_update`) are in `get.rs`, joined eager loading in `joined.rs`.
//!
//! It builds a core `Select` over the model's table, autoflushes, runs it on the session's
//! connection, and routes every row through the identity map (`crate::load`): a row already
//! loaded yields the same handle (refreshed if the session committed since, unless it has
//! unflushed changes).

mod compact;
mod get;
mod iter;
mod joined;
mod page;
pub(crate) mod shape;

pub use page::Page;

use std::marker::PhantomData;

use cinnabar_core::sql::{
    BinOp, Bindable, Column, ColumnRef, Condition, Expr, Join, JoinKind, OrderBy, RowLock, Select,
    TableRef,
};
use cinnabar_core::types::{kind, ColumnType};
use cinnabar_core::{Error, ErrorKind, Result, Value};
use rustc_hash::FxHashSet;

use crate::handle::Handle;
use crate::load::{key_values, load_query, with_model_columns};
use crate::loading::{JoinSpec, Loader};
use crate::model::Model;
use crate::relation::Relation;
use crate::session::Session;
use compact::{comparison, Compact, Term};
pub use iter::{QueryIter, DEFAULT_CHUNK_SIZE};
use joined::load_joined;

/// A query for model `T` bound to a session.
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
/// let mut session = Session::new(&engine);
/// for (name, course) in [("Naresh", "Python"), ("Asha", "Rust"), ("Ravi", "Rust")] {
///     session.add(Student { id: None, name: name.into(), course: course.into() });
/// }
/// session.commit()?;
///
/// let rust = session
///     .query::<Student>()
///     .filter(Student::course.eq("Rust"))
///     .order_by(Student::name.asc())
///     .all()?;
/// let names: Vec<String> = rust.iter().map(|s| s.read().name.clone()).collect();
/// assert_eq!(names, ["Asha", "Ravi"]);
/// assert_eq!(session.query::<Student>().count()?, 3);
/// # Ok(())
/// # }
/// ```
pub struct Query<'s, T: Model> {
    session: &'s mut Session,
    /// The query without its select list, which is always `T`'s columns (see
    /// [`with_model_columns`](crate::load::with_model_columns)): the list is only built
    /// when the statement is first compiled for its shape (see
    /// [`load_query`](crate::load::load_query)). `None` while the query is compact.
    select: Option<Box<Select>>,
    /// While `select` is `None`: the whole query, as comparisons and LIMIT/OFFSET
    /// (`compact.rs`); empty once `select` is built.
    compact: Compact,
    error: Option<Error>,
    loaders: Vec<Box<dyn Loader<T>>>,
    _model: PhantomData<fn() -> T>,
}

/// What running a query takes apart: its session, statement and loaders.
type QueryParts<'s, T> = (&'s mut Session, Select, Vec<Box<dyn Loader<T>>>);

impl<'s, T: Model> Query<'s, T> {
    /// The query's session, statement and loaders, or the error a builder method recorded
    /// (the first step of every method that runs the query).
    fn into_parts(mut self) -> Result<QueryParts<'s, T>> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let select = self.take_select();
        Ok((self.session, select, self.loaders))
    }

    pub(crate) fn new(session: &'s mut Session) -> Self {
        Query {
            session,
            select: None,
            compact: Compact::default(),
            error: None,
            loaders: Vec::new(),
            _model: PhantomData,
        }
    }

    /// The full `Select`, built from the compact form on first use (by a builder method the
    /// compact form cannot hold).
    fn full(&mut self) -> &mut Select {
        let compact = &mut self.compact;
        self.select
            .get_or_insert_with(|| Box::new(std::mem::take(compact).into_select::<T>()))
    }

    /// The query as a `Select` (without its select list), taken out of the builder.
    fn take_select(&mut self) -> Select {
        match self.select.take() {
            Some(select) => *select,
            None => std::mem::take(&mut self.compact).into_select::<T>(),
        }
    }

    /// Whether the query runs from its compact form (`compact.rs`).
    fn is_compact(&self) -> bool {
        self.select.is_none() && self.error.is_none()
    }

    fn limit_value(&self) -> Option<u64> {
        match &self.select {
            Some(s) => s.limit,
            None => self.compact.limit,
        }
    }

    /// Adds a WHERE condition: to the compact form while it holds the query and the
    /// condition, else to the full `Select`.
    fn add_filter(&mut self, cond: Expr) {
        let cond = if self.select.is_none() {
            match Term::of::<T>(cond) {
                Ok(term) => match self.compact.push(term) {
                    Ok(()) => return,
                    Err(term) => term.into_expr::<T>(),
                },
                Err(cond) => cond,
            }
        } else {
            cond
        };
        self.full().add_filter(cond);
    }

    /// Adds `T.COLUMNS[column] <op> value` (as `add_filter` of that comparison would).
    fn add_comparison(&mut self, column: usize, op: BinOp, value: Value) {
        if self.select.is_none() && Term::holds(op, &value) {
            match self.compact.push(Term::new(column, op, value)) {
                Ok(()) => {}
                Err(term) => {
                    let cond = term.into_expr::<T>();
                    self.full().add_filter(cond);
                }
            }
            return;
        }
        let cond = comparison::<T>(column, op, value);
        self.full().add_filter(cond);
    }

    /// Loads a relationship of the results eagerly: `.options(selectin(Course::students))`.
    pub fn options(mut self, loader: impl Loader<T> + 'static) -> Self {
        self.loaders.push(Box::new(loader));
        self
    }

    /// Joins the related table through a relationship (INNER JOIN), so filters and ordering
    /// can use its columns: `.join(Student::course).filter(Course::title.eq("Python"))`.
    /// Results are still `T` objects, each once.
    pub fn join<R: Model>(self, relation: Relation<T, R>) -> Self {
        self.join_with(relation, JoinKind::Inner, None)
    }

    /// As [`Query::join`], with LEFT OUTER JOIN.
    pub fn outer_join<R: Model>(self, relation: Relation<T, R>) -> Self {
        self.join_with(relation, JoinKind::Left, None)
    }

    /// Joins the related table under an alias (for self-joins); qualify its columns with
    /// [`Column::of`](cinnabar_core::sql::Column::of).
    pub fn join_as<R: Model>(self, relation: Relation<T, R>, alias: &'static str) -> Self {
        self.join_with(relation, JoinKind::Inner, Some(alias))
    }

    fn join_with<R: Model>(
        mut self,
        relation: Relation<T, R>,
        kind: JoinKind,
        alias: Option<&'static str>,
    ) -> Self {
        let to_table = R::table().name.as_str();
        let to = alias.unwrap_or(to_table);
        if let (crate::relation::RelationKind::ManyToMany, Some(t)) =
            (relation.kind, relation.through)
        {
            let assoc = (t.table)().name.as_str();
            let on = relation.join_condition(T::table().name.as_str(), assoc);
            self.full().joins.push(Join {
                kind,
                table: TableRef::new(assoc),
                on,
            });
            let on = relation.through_join_condition(assoc, to);
            let table = match alias {
                Some(a) => TableRef::aliased(to_table, a),
                None => TableRef::new(to_table),
            };
            self.full().joins.push(Join { kind, table, on });
            return self;
        }
        let on = relation.join_condition(T::table().name.as_str(), to);
        let table = match alias {
            Some(a) => TableRef::aliased(to_table, a),
            None => TableRef::new(to_table),
        };
        self.full().joins.push(Join { kind, table, on });
        self
    }

    /// Adds a WHERE condition (ANDed with earlier ones).
    pub fn filter(mut self, cond: impl Bindable<kind::Bool>) -> Self {
        self.add_filter(cond.into_operand());
        self
    }

    /// Adds `column = value` (SQLAlchemy's `filter_by(name="Naresh")`); `column IS NULL`
    /// when the value is `None`.
    pub fn filter_by<C, V>(self, column: Column<T, C>, value: V) -> Self
    where
        C: ColumnType,
        V: Bindable<C::Kind>,
    {
        let cond = Condition::from_expr(
            Expr::Column(ColumnRef::qualified(column.table(), column.name()))
                .binary(BinOp::Eq, value.into_operand()),
        );
        self.filter(cond)
    }

    pub(crate) fn filter_key(mut self, key: &T::Key) -> Result<Self> {
        let values = key_values::<T>(key)?;
        for (&i, v) in T::PRIMARY_KEY.iter().zip(values) {
            self.add_comparison(i, BinOp::Eq, v);
        }
        Ok(self)
    }

    /// Adds an ORDER BY term: a column (ascending) or `Student::name.desc()`.
    pub fn order_by(mut self, order: impl Into<OrderBy>) -> Self {
        self.full().order_by.push(order.into());
        self
    }

    /// Locks the rows this query reads until the session's transaction ends (SQLAlchemy's
    /// `with_for_update()`), for a read-modify-write that no other transaction can
    /// interleave with: `SELECT ... FOR UPDATE` on PostgreSQL and MySQL/MariaDB. On SQLite,
    /// which has no row locks, the session takes the database's write lock before the read
    /// instead. Either way the session's transaction begins before the read, and objects
    /// already in the session are refreshed from the locked rows (unless they have unflushed
    /// changes). The locks are released by `commit()` or `rollback()`. See
    /// `docs/CONCURRENCY.md`.
    pub fn with_for_update(self) -> Self {
        self.locking(RowLock::Wait)
    }

    /// As [`Query::with_for_update`], failing at once with a lock error when another
    /// transaction holds one of the rows (`FOR UPDATE NOWAIT`). On SQLite the write lock is
    /// waited for up to the busy timeout, as for any writer.
    pub fn with_for_update_nowait(self) -> Self {
        self.locking(RowLock::NoWait)
    }

    /// As [`Query::with_for_update`], leaving out rows another transaction has locked
    /// (`FOR UPDATE SKIP LOCKED`): the shape of a work queue. On SQLite no row can be locked
    /// by another transaction once the session holds the write lock, so none are skipped.
    pub fn with_for_update_skip_locked(self) -> Self {
        self.locking(RowLock::SkipLocked)
    }

    fn locking(mut self, lock: RowLock) -> Self {
        self.full().lock = Some(lock);
        self
    }

    /// Sets LIMIT.
    pub fn limit(mut self, n: u64) -> Self {
        self.set_limit(n);
        self
    }

    fn set_limit(&mut self, n: u64) {
        match &mut self.select {
            Some(s) => s.limit = Some(n),
            None => self.compact.limit = Some(n),
        }
    }

    /// Sets OFFSET.
    pub fn offset(mut self, n: u64) -> Self {
        match &mut self.select {
            Some(s) => s.offset = Some(n),
            None => self.compact.offset = Some(n),
        }
        self
    }

    /// The core SELECT this query runs.
    pub fn statement(&self) -> Select {
        with_model_columns::<T>(match &self.select {
            Some(s) => (**s).clone(),
            None => self.compact.to_select::<T>(),
        })
    }

    /// All matching objects.
    ///
    /// # Errors
    /// Flush, database and conversion errors (naming the column).
    pub fn all(self) -> Result<Vec<Handle<T>>> {
        if self.is_compact() {
            // As `run_all`: under a LIMIT or OFFSET a joined load runs as selectin.
            let windowed = self.compact.limit.is_some() || self.compact.offset.is_some();
            if windowed || self.loaders.iter().all(|l| l.join_spec().is_none()) {
                let mut found = Vec::new();
                self.compact.load::<T>(self.session, |h| found.push(h))?;
                for l in &self.loaders {
                    l.load(self.session, &found)?;
                }
                return Ok(found);
            }
        }
        let (session, select, loaders) = self.into_parts()?;
        run_all(session, select, &loaders)
    }

    /// The first matching object, if any (adds `LIMIT 1`).
    ///
    /// # Errors
    /// As [`Query::all`].
    pub fn first(mut self) -> Result<Option<Handle<T>>> {
        self.set_limit(1);
        let mut found = None;
        let (session, loaders) = if self.is_compact() {
            self.compact.load::<T>(self.session, |h| {
                found.get_or_insert(h);
            })?;
            (self.session, self.loaders)
        } else {
            let (session, select, loaders) = self.into_parts()?;
            load_query::<T>(session, select, |h| {
                found.get_or_insert(h);
            })?;
            (session, loaders)
        };
        if let Some(h) = &found {
            for l in &loaders {
                l.load(session, std::slice::from_ref(h))?;
            }
        }
        Ok(found)
    }

    /// Exactly one matching object.
    ///
    /// # Errors
    /// [`ErrorKind::NoRow`] or [`ErrorKind::MultipleRows`], naming the model; as
    /// [`Query::all`].
    pub fn one(self) -> Result<Handle<T>> {
        match self.one_or_none()? {
            Some(h) => Ok(h),
            None => Err(Error::new(
                ErrorKind::NoRow,
                format!("expected one {}, found none", T::model_name()),
            )),
        }
    }

    /// At most one matching object.
    ///
    /// # Errors
    /// [`ErrorKind::MultipleRows`] when several match; as [`Query::all`].
    pub fn one_or_none(mut self) -> Result<Option<Handle<T>>> {
        // Two rows tell "more than one" apart, unless a join repeats one object per row.
        let joins = self.select.as_ref().is_some_and(|s| !s.joins.is_empty())
            || self.loaders.iter().any(|l| l.join_spec().is_some());
        if self.limit_value().is_none() && !joins {
            self.set_limit(2);
        }
        let mut rows = self.all()?;
        match rows.len() {
            0 => Ok(None),
            1 => Ok(rows.pop()),
            n => Err(Error::new(
                ErrorKind::MultipleRows,
                format!("expected at most one {}, found {n}", T::model_name()),
            )),
        }
    }

    /// Number of matching rows.
    ///
    /// # Errors
    /// Flush and database errors.
    pub fn count(self) -> Result<i64> {
        let (session, select, _) = self.into_parts()?;
        run_count::<T>(session, select)
    }

    /// Whether any row matches.
    ///
    /// # Errors
    /// Flush and database errors.
    pub fn exists(mut self) -> Result<bool> {
        self.set_limit(1);
        let (session, mut select, _) = self.into_parts()?;
        session.autoflush()?;
        // Select a key column, not a bound constant: PostgreSQL cannot type a lone parameter.
        select.columns.clear();
        let table = T::table().name.as_str();
        let select = select.column(Expr::Column(ColumnRef::qualified(
            table,
            T::COLUMNS[T::PRIMARY_KEY[0]],
        )));
        Ok(!session.read_connection()?.execute(select)?.is_empty())
    }
}

/// Runs a query taken apart by [`Query::into_parts`]: what [`Query::all`] does.
fn run_all<T: Model>(
    session: &mut Session,
    select: Select,
    loaders: &[Box<dyn Loader<T>>],
) -> Result<Vec<Handle<T>>> {
    // A LIMIT or OFFSET counts rows; joined eager loading would cut a collection short
    // (SQLAlchemy wraps the parent query in a subquery): such loads run as selectin. So
    // do they under FOR UPDATE, which must lock the parents' rows only (PostgreSQL
    // refuses to lock the nullable side of an outer join).
    let windowed = select.limit.is_some() || select.offset.is_some() || select.lock.is_some();
    let specs: Vec<&dyn JoinSpec<T>> = if windowed {
        Vec::new()
    } else {
        loaders.iter().filter_map(|l| l.join_spec()).collect()
    };
    let joined = !select.joins.is_empty() || !specs.is_empty();
    let mut found = if specs.is_empty() {
        let mut out = Vec::new();
        load_query::<T>(session, select, |h| out.push(h))?;
        out
    } else {
        load_joined(session, with_model_columns::<T>(select), &specs)?
    };
    if joined && specs.is_empty() {
        // A one-to-many join repeats the parent once per child: keep the first of each
        // (`load_joined` returns each parent once already).
        let mut seen = FxHashSet::default();
        found.retain(|h| seen.insert(std::sync::Arc::as_ptr(&h.0) as usize));
    }
    for l in loaders
        .iter()
        .filter(|l| windowed || l.join_spec().is_none())
    {
        l.load(session, &found)?;
    }
    Ok(found)
}

/// Counts the rows of a query taken apart by [`Query::into_parts`]: what [`Query::count`]
/// does.
fn run_count<T: Model>(session: &mut Session, mut select: Select) -> Result<i64> {
    session.autoflush()?;
    let joined = !select.joins.is_empty();
    let windowed = select.limit.is_some() || select.offset.is_some();
    if !(joined && windowed) {
        // Without a join, which rows a LIMIT keeps does not change how many there are.
        select.order_by.clear();
    }
    if joined {
        // A join repeats an object once per related row; `all()` returns each object of
        // the (limited) rows once, and so does the count: distinct primary keys.
        let table = T::table().name.as_str();
        select.columns.clear();
        for &i in T::PRIMARY_KEY {
            select = select.column(Expr::Column(ColumnRef::qualified(
                table.to_owned(),
                T::COLUMNS[i],
            )));
        }
    }
    // FOR UPDATE beside COUNT(*) is refused by PostgreSQL ("not allowed with aggregate
    // functions"): a locked query is counted from a derived table, which locks the same rows.
    let counted = if joined || windowed || select.distinct || select.lock.is_some() {
        if select.columns.is_empty() {
            select = with_model_columns::<T>(select);
        }
        let rows = if joined {
            // SELECT DISTINCT * FROM (<keys of the joined rows>) AS cinnabar_rows
            let mut distinct = Select::from_subquery(select, "cinnabar_rows");
            distinct.distinct = true;
            distinct
        } else {
            select
        };
        Select::from_subquery(rows, "cinnabar_count")
    } else {
        select.columns.clear();
        select
    };
    session
        .read_connection()?
        .scalar(counted.column(Expr::CountStar))
}
