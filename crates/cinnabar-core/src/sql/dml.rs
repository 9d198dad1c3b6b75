//! `INSERT`, `UPDATE` and `DELETE` statements.
//!
//! Built by core users and by the ORM's flush (which builds exactly these and nothing
//! else); compiled by a dialect.

use std::borrow::Cow;

use super::expr::Expr;
use super::select::Select;
use crate::value::Value;

/// What an INSERT does when it hits a unique conflict (the portable upsert API).
#[derive(Debug, Clone, PartialEq)]
pub enum OnConflict {
    /// Skip the conflicting row.
    DoNothing {
        /// Conflict target columns (required by PostgreSQL and SQLite).
        target: Vec<Cow<'static, str>>,
    },
    /// Update the named columns of the existing row from the proposed row.
    Update {
        /// Conflict target columns.
        target: Vec<Cow<'static, str>>,
        /// Columns to overwrite with the proposed row's values.
        columns: Vec<Cow<'static, str>>,
    },
}

/// An INSERT statement, single- or multi-row.
#[derive(Debug, Clone, PartialEq)]
pub struct Insert {
    /// Target table.
    pub table: Cow<'static, str>,
    /// Column names.
    pub columns: Vec<Cow<'static, str>>,
    /// Rows of values, each as long as `columns`. No rows and no columns inserts defaults.
    pub rows: Vec<Vec<Expr>>,
    /// Unique-conflict handling.
    pub on_conflict: Option<OnConflict>,
    /// Columns to return (dialects without RETURNING reject a non-empty list).
    pub returning: Vec<Cow<'static, str>>,
    /// `INSERT INTO t (columns) SELECT ...`: the rows come from a query instead of `rows`
    /// (which must then be empty).
    pub select: Option<Box<Select>>,
}

impl Insert {
    /// `INSERT INTO table`.
    pub fn into(table: impl Into<Cow<'static, str>>) -> Self {
        Insert {
            table: table.into(),
            columns: Vec::new(),
            rows: Vec::new(),
            on_conflict: None,
            returning: Vec::new(),
            select: None,
        }
    }

    /// Sets the column list.
    pub fn columns<I, S>(mut self, cols: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'static, str>>,
    {
        self.columns = cols.into_iter().map(Into::into).collect();
        self
    }

    /// Adds one row of bound values.
    pub fn values<I, V>(mut self, row: I) -> Self
    where
        I: IntoIterator<Item = V>,
        V: Into<Value>,
    {
        self.rows
            .push(row.into_iter().map(|v| Expr::Value(v.into())).collect());
        self
    }

    /// Adds `n` rows of parameter slots, filled when the statement is executed.
    pub fn param_rows(mut self, n: usize) -> Self {
        let width = self.columns.len();
        for _ in 0..n {
            self.rows.push(vec![Expr::Param; width]);
        }
        self
    }

    /// `INSERT INTO table (columns) SELECT ...` (SQLAlchemy's `insert().from_select()`): the
    /// query's rows are inserted. Compiling fails with
    /// [`ErrorKind::Misuse`](crate::ErrorKind::Misuse) when the query selects a different
    /// number of columns than [`columns`](Insert::columns) names, or when rows of values
    /// were added too.
    ///
    /// ```
    /// use cinnabar_core::dialect::{compile, PostgresDialect};
    /// use cinnabar_core::sql::{BinOp, ColumnRef, Expr, Insert, Select};
    ///
    /// let col = |n: &'static str| Expr::Column(ColumnRef::bare(n));
    /// let q = Insert::into("honours")
    ///     .columns(["student_id", "mark"])
    ///     .select(
    ///         Select::from("enrollments")
    ///             .column(col("student_id"))
    ///             .column(col("mark"))
    ///             .filter(col("mark").binary(BinOp::Ge, Expr::value(90))),
    ///     );
    /// let c = compile(&PostgresDialect, &q.into()).unwrap();
    /// assert_eq!(
    ///     c.sql,
    ///     r#"INSERT INTO "honours" ("student_id", "mark") SELECT "student_id", "mark" FROM "enrollments" WHERE "mark" >= $1"#
    /// );
    /// ```
    pub fn select(mut self, query: Select) -> Self {
        self.select = Some(Box::new(query));
        self
    }

    /// Sets unique-conflict handling.
    pub fn on_conflict(mut self, oc: OnConflict) -> Self {
        self.on_conflict = Some(oc);
        self
    }

    /// Adds a RETURNING column.
    pub fn returning(mut self, col: impl Into<Cow<'static, str>>) -> Self {
        self.returning.push(col.into());
        self
    }
}

/// An UPDATE statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    /// Target table.
    pub table: Cow<'static, str>,
    /// `SET column = expr` assignments.
    pub set: Vec<(Cow<'static, str>, Expr)>,
    /// WHERE condition; `None` updates every row.
    pub filter: Option<Expr>,
    /// Columns to return.
    pub returning: Vec<Cow<'static, str>>,
}

impl Update {
    /// `UPDATE table`.
    pub fn table(table: impl Into<Cow<'static, str>>) -> Self {
        Update {
            table: table.into(),
            set: Vec::new(),
            filter: None,
            returning: Vec::new(),
        }
    }

    /// Adds `SET column = expr`.
    pub fn set(mut self, column: impl Into<Cow<'static, str>>, expr: impl Into<Expr>) -> Self {
        self.set.push((column.into(), expr.into()));
        self
    }

    /// ANDs a condition into WHERE.
    pub fn filter(mut self, cond: impl Into<Expr>) -> Self {
        let cond = cond.into();
        self.filter = Some(match self.filter.take() {
            Some(f) => f.and(cond),
            None => cond,
        });
        self
    }

    /// Adds a RETURNING column.
    pub fn returning(mut self, col: impl Into<Cow<'static, str>>) -> Self {
        self.returning.push(col.into());
        self
    }
}

/// A DELETE statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Delete {
    /// Target table.
    pub table: Cow<'static, str>,
    /// WHERE condition; `None` deletes every row.
    pub filter: Option<Expr>,
    /// Columns to return.
    pub returning: Vec<Cow<'static, str>>,
}

impl Delete {
    /// `DELETE FROM table`.
    pub fn from(table: impl Into<Cow<'static, str>>) -> Self {
        Delete {
            table: table.into(),
            filter: None,
            returning: Vec::new(),
        }
    }

    /// ANDs a condition into WHERE.
    pub fn filter(mut self, cond: impl Into<Expr>) -> Self {
        let cond = cond.into();
        self.filter = Some(match self.filter.take() {
            Some(f) => f.and(cond),
            None => cond,
        });
        self
    }

    /// Adds a RETURNING column.
    pub fn returning(mut self, col: impl Into<Cow<'static, str>>) -> Self {
        self.returning.push(col.into());
        self
    }
}
