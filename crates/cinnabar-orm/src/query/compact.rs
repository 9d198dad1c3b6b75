//! [`Compact`]: a [`Query`](super::Query) that is only comparisons of the model's own columns
//! with values plus LIMIT/OFFSET (`filter(Student::name.eq(name)).first()`, `get(key)`),
//! kept as data (column index, operator, value) instead of a `Select` tree. Running it looks
//! its SQL up by [`ShapeKey`] straight from that data and binds the values in place: no
//! `Select` is built, walked or dropped, and nothing is allocated for the statement, its
//! parameters or its cache key. The `Select` is built only when the shape's SQL is not
//! cached yet (its first use is checked against a full compile, as `ShapeKey::of`'s is),
//! or when a builder method the compact form cannot hold turns the query into a full one
//! ([`Compact::into_select`]).

use std::sync::Arc;

use cinnabar_core::dialect::compile;
use cinnabar_core::sql::{BinOp, ColumnRef, Expr, Select, Statement};
use cinnabar_core::{Result, Value, ValueRef};
use cinnabar_engine::{Connection, Row};

use super::shape::ShapeKey;
use crate::handle::Handle;
use crate::identity::Registry;
use crate::load::{materialize_in, with_model_columns, StatementLoad};
use crate::model::Model;
use crate::session::Session;

/// Comparisons a compact query holds (a query with more is a full one).
const TERMS: usize = 2;

/// One comparison `T.COLUMNS[column] <op> value` with a non-NULL value (a NULL one is
/// written `IS NULL`, which the compact form does not hold).
#[derive(Debug, Clone)]
pub(super) struct Term {
    column: usize,
    op: BinOp,
    value: Value,
}

impl Term {
    const EMPTY: Term = Term {
        column: 0,
        op: BinOp::Eq,
        value: Value::Null,
    };

    /// Whether the compact form holds `column <op> value`: a comparison with a non-NULL
    /// value.
    pub(super) fn holds(op: BinOp, value: &Value) -> bool {
        is_comparison(op) && !matches!(value, Value::Null)
    }

    /// `T.COLUMNS[column] <op> value`, for which [`Term::holds`] is true.
    pub(super) fn new(column: usize, op: BinOp, value: Value) -> Term {
        debug_assert!(Term::holds(op, &value));
        Term { column, op, value }
    }

    /// `e` as a term when it compares a column of `T`'s table with a value; `e` back
    /// otherwise (unchanged, for the full `Select`).
    pub(super) fn of<T: Model>(e: Expr) -> std::result::Result<Term, Expr> {
        let Expr::Binary { op, left, right } = e else {
            return Err(e);
        };
        let column = match (&*left, &*right) {
            (Expr::Column(ColumnRef { table, name }), Expr::Value(v))
                if is_comparison(op)
                    && !matches!(v, Value::Null)
                    && table.as_deref() == Some(T::table().name.as_str()) =>
            {
                T::COLUMNS.iter().position(|c| *c == name.as_ref())
            }
            _ => None,
        };
        match column {
            Some(column) => {
                let Expr::Value(value) = *right else {
                    unreachable!("matched as a value above")
                };
                Ok(Term { column, op, value })
            }
            _ => Err(Expr::Binary { op, left, right }),
        }
    }

    /// The comparison as an expression of the full `Select`.
    pub(super) fn into_expr<T: Model>(self) -> Expr {
        comparison::<T>(self.column, self.op, self.value)
    }
}

/// `T.COLUMNS[column] <op> value`, qualified by `T`'s table, as the typed columns'
/// methods (`Student::name.eq(..)`) build it.
pub(super) fn comparison<T: Model>(column: usize, op: BinOp, value: Value) -> Expr {
    Expr::Column(ColumnRef::qualified(
        T::table().name.as_str(),
        T::COLUMNS[column],
    ))
    .binary(op, Expr::Value(value))
}

/// `=`, `<>`, `<`, `<=`, `>`, `>=`: the operators a [`ShapeKey`] holds.
fn is_comparison(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
    )
}

/// The compact part of a query; see the module docs.
#[derive(Debug)]
pub(super) struct Compact {
    terms: [Term; TERMS],
    len: usize,
    pub(super) limit: Option<u64>,
    pub(super) offset: Option<u64>,
}

impl Default for Compact {
    fn default() -> Self {
        Compact {
            terms: [Term::EMPTY; TERMS],
            len: 0,
            limit: None,
            offset: None,
        }
    }
}

impl Compact {
    fn terms(&self) -> &[Term] {
        &self.terms[..self.len]
    }

    /// Adds a comparison (ANDed with the earlier ones); gives it back when there is no room.
    pub(super) fn push(&mut self, term: Term) -> std::result::Result<(), Term> {
        match self.terms.get_mut(self.len) {
            Some(slot) => {
                *slot = term;
                self.len += 1;
                Ok(())
            }
            None => Err(term),
        }
    }

    /// The `Select` (without its select list) this query stands for, as the builder
    /// methods would have built it: the comparisons in order through `add_filter`, LIMIT
    /// and OFFSET.
    pub(super) fn into_select<T: Model>(mut self) -> Select {
        let mut select = Select::from(T::table().name.as_str());
        for t in &mut self.terms[..self.len] {
            let value = std::mem::replace(&mut t.value, Value::Null);
            select.add_filter(comparison::<T>(t.column, t.op, value));
        }
        select.limit = self.limit;
        select.offset = self.offset;
        select
    }

    /// [`Compact::into_select`] of a copy.
    pub(super) fn to_select<T: Model>(&self) -> Select {
        let mut select = Select::from(T::table().name.as_str());
        for t in self.terms() {
            select.add_filter(comparison::<T>(t.column, t.op, t.value.clone()));
        }
        select.limit = self.limit;
        select.offset = self.offset;
        select
    }

    /// Runs the query through the identity map, handing each object to `f` (what
    /// `load::load_query` does for a full query, minus the `Select`).
    pub(super) fn load<T: Model>(
        &self,
        session: &mut Session,
        mut f: impl FnMut(Handle<T>),
    ) -> Result<()> {
        session.autoflush()?;
        let generation = session.generation();
        let (conn, reg) = session.parts::<T>()?;
        let terms = self.terms();
        let mut bound = [ValueRef::Null; TERMS];
        for (b, t) in bound.iter_mut().zip(terms) {
            *b = t.value.as_ref();
        }
        let params = &bound[..terms.len()];
        let key = ShapeKey::of_terms(
            terms.iter().map(|t| (t.column, t.op)),
            self.limit,
            self.offset,
        );
        let cached = key.and_then(|k| reg.query_shapes.get(&k).cloned());
        let sql = match cached {
            Some(sql) => sql,
            None => {
                let full = Statement::Select(with_model_columns::<T>(self.to_select::<T>()));
                let compiled = compile(conn.dialect(), &full)?;
                // The values are the statement's, in its order: checked once per shape (a
                // difference would be a bug here; the compiled statement runs as it is then).
                let same = compiled
                    .params
                    .iter()
                    .map(Value::as_ref)
                    .eq(params.iter().copied());
                let sql: Arc<str> = compiled.sql.into();
                match key {
                    Some(k) if same => reg.cache_shape_sql(k, sql.clone()),
                    _ => {
                        let params: Vec<ValueRef<'_>> =
                            compiled.params.iter().map(Value::as_ref).collect();
                        return run::<T>(conn, reg, &sql, &params, self.limit, generation, &mut f);
                    }
                }
                sql
            }
        };
        run::<T>(conn, reg, &sql, params, self.limit, generation, &mut f)
    }
}

/// Runs `sql` with `params` on `conn`, every row through `reg`'s identity map to `f`;
/// `limit` is the LIMIT in `sql` (the driver may then read the rows at once and stop after
/// them: `Connection::run_limited`).
fn run<T: Model>(
    conn: &mut Connection,
    reg: &mut Registry<T>,
    sql: &str,
    params: &[ValueRef<'_>],
    limit: Option<u64>,
    generation: u64,
    f: &mut impl FnMut(Handle<T>),
) -> Result<()> {
    if reg.identity.is_empty() {
        // A first load (W2's `all()`): new objects are held aside and filed in the map
        // together when the statement ends, as `load::load_query` does (`StatementLoad`).
        let mut rows = StatementLoad::new(&mut reg.identity, &reg.shared, generation, false);
        let sink = &mut |row: &dyn Row| {
            f(rows.row(row, 0)?);
            Ok(())
        };
        return drive(conn, sql, params, limit, sink);
    }
    let mut key_first = false;
    let sink = &mut |row: &dyn Row| {
        f(materialize_in(
            &mut reg.identity,
            &reg.shared,
            row,
            0,
            generation,
            &mut key_first,
            false,
        )?);
        Ok(())
    };
    drive(conn, sql, params, limit, sink)
}

/// Runs `sql` handing each row to `sink`, through `Connection::run_limited` when `limit` is
/// set.
#[inline]
fn drive(
    conn: &mut Connection,
    sql: &str,
    params: &[ValueRef<'_>],
    limit: Option<u64>,
    sink: &mut dyn FnMut(&dyn Row) -> Result<()>,
) -> Result<()> {
    match limit.and_then(|n| usize::try_from(n).ok()) {
        Some(n) => conn.run_limited(sql, params, n, sink)?,
        None => conn.run(sql, params, Some(sink))?,
    };
    Ok(())
}
