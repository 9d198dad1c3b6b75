//! Common table expressions: `WITH name (columns) AS (select)` and `WITH RECURSIVE`,
//! attached to a [`Select`] (SQLAlchemy's `select.cte()`).
//!
//! A CTE is named by an identifier and used as a table: `Select::from("name")`,
//! [`TableRef::new`] in a JOIN, its columns through [`ColumnRef::qualified`] (or
//! [`ColumnRef::typed`] for the typed operators), or a model's typed column re-qualified with
//! [`Column::of`](super::Column::of). Names and column names are quoted and checked like every
//! identifier. Compiled by `dialect/compiler/statements.rs`.

use std::borrow::Cow;

use super::expr::ColumnRef;
use super::select::{Select, TableRef};
use super::typed::TypedExpr;

/// One common table expression of a WITH clause.
#[derive(Debug, Clone, PartialEq)]
pub struct Cte {
    /// The name the statement refers to it by.
    pub name: Cow<'static, str>,
    /// The column names, `WITH name (a, b) AS (...)`; empty: the query's own names.
    pub columns: Vec<Cow<'static, str>>,
    /// The query (a compound `anchor UNION ALL step` for a recursive CTE).
    pub query: Box<Select>,
    /// Whether the query refers to the CTE itself; any recursive CTE makes the clause
    /// `WITH RECURSIVE` (which every CTE of the clause may then use).
    pub recursive: bool,
}

impl Cte {
    /// `name AS (query)`.
    pub fn new(name: impl Into<Cow<'static, str>>, query: Select) -> Self {
        Cte {
            name: name.into(),
            columns: Vec::new(),
            query: Box::new(query),
            recursive: false,
        }
    }

    /// Names the CTE's columns: `name (a, b) AS (query)`. Compiling fails when the query
    /// selects a different number of columns.
    pub fn columns<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'static, str>>,
    {
        self.columns = columns.into_iter().map(Into::into).collect();
        self
    }

    /// Marks the CTE recursive: its query may refer to the CTE's own name.
    pub fn recursive(mut self) -> Self {
        self.recursive = true;
        self
    }

    /// The CTE as a table for FROM or JOIN.
    pub fn table(&self) -> TableRef {
        TableRef::new(self.name.clone())
    }

    /// One of the CTE's columns, qualified by the CTE's name.
    pub fn column(&self, name: impl Into<Cow<'static, str>>) -> ColumnRef {
        ColumnRef::qualified(self.name.clone(), name)
    }
}

impl Select {
    /// Adds `WITH name AS (query)` in front of this statement; the statement refers to it as
    /// a table named `name`.
    ///
    /// ```
    /// use cinnabar_core::dialect::{compile, SqliteDialect};
    /// use cinnabar_core::sql::{BinOp, ColumnRef, Expr, Select};
    ///
    /// let good = Select::from("enrollments")
    ///     .column(Expr::Column(ColumnRef::bare("student_id")))
    ///     .filter(Expr::Column(ColumnRef::bare("mark")).binary(BinOp::Ge, Expr::value(80)));
    /// let q = Select::from("good").with("good", good);
    /// let c = compile(&SqliteDialect, &q.into()).unwrap();
    /// assert_eq!(
    ///     c.sql,
    ///     r#"WITH "good" AS (SELECT "student_id" FROM "enrollments" WHERE "mark" >= ?) SELECT * FROM "good""#
    /// );
    /// ```
    pub fn with(self, name: impl Into<Cow<'static, str>>, query: Select) -> Self {
        self.with_cte(Cte::new(name, query))
    }

    /// Adds `WITH name (columns) AS (query)`.
    pub fn with_columns<S>(
        self,
        name: impl Into<Cow<'static, str>>,
        columns: &[S],
        query: Select,
    ) -> Self
    where
        S: Clone + Into<Cow<'static, str>>,
    {
        self.with_cte(Cte::new(name, query).columns(columns.iter().cloned()))
    }

    /// Adds `WITH RECURSIVE name (columns) AS (query)`: `query` is usually
    /// `anchor.union_all(step)` where `step` joins the CTE's own name (a tree walk).
    pub fn with_recursive<S>(
        self,
        name: impl Into<Cow<'static, str>>,
        columns: &[S],
        query: Select,
    ) -> Self
    where
        S: Clone + Into<Cow<'static, str>>,
    {
        self.with_cte(
            Cte::new(name, query)
                .columns(columns.iter().cloned())
                .recursive(),
        )
    }

    /// Adds a prepared [`Cte`] to the WITH clause (after the ones already there, which it
    /// may refer to).
    pub fn with_cte(mut self, cte: Cte) -> Self {
        self.with.push(cte);
        self
    }
}

impl ColumnRef {
    /// This column as a typed expression of SQL kind `K` (see
    /// [`kind`](crate::types::kind)), for the typed operators on the columns of a CTE or a
    /// derived table: `ColumnRef::qualified("ranked", "rn").typed::<kind::Integer>().le(3)`.
    /// The kind is asserted, not checked: the database sees the column as it is.
    pub fn typed<K>(self) -> TypedExpr<K> {
        TypedExpr::from_expr(super::Expr::Column(self))
    }
}
