//! `INSERT`, `UPDATE` and `DELETE` statements.
//!
//! Built by core users and by the ORM's flush (which builds exactly these and nothing
//! else); compiled by a dialect.

use std::borrow::Cow;

use super::expr::Expr;
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
