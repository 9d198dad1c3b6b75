//! `SELECT` statements: columns, FROM with joins, WHERE, GROUP BY, HAVING, ORDER BY,
//! LIMIT/OFFSET.
//!
//! Built directly by core users and by the ORM's query builder; compiled by a dialect.

use std::borrow::Cow;

use super::expr::{Expr, OrderBy};

/// A table in FROM or JOIN, with an optional alias, or a subquery with its alias.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRef {
    /// Table name (for a subquery, its alias).
    pub name: Cow<'static, str>,
    /// Alias, if any.
    pub alias: Option<Cow<'static, str>>,
    /// `(SELECT ...) AS alias` in place of a table.
    pub subquery: Option<Box<Select>>,
}

impl TableRef {
    /// The table `name` without alias.
    pub fn new(name: impl Into<Cow<'static, str>>) -> Self {
        TableRef {
            name: name.into(),
            alias: None,
            subquery: None,
        }
    }

    /// The table `name` as `alias`.
    pub fn aliased(
        name: impl Into<Cow<'static, str>>,
        alias: impl Into<Cow<'static, str>>,
    ) -> Self {
        TableRef {
            name: name.into(),
            alias: Some(alias.into()),
            subquery: None,
        }
    }

    /// `(select) AS alias`: a derived table.
    pub fn subquery(select: Select, alias: impl Into<Cow<'static, str>>) -> Self {
        let alias = alias.into();
        TableRef {
            name: alias.clone(),
            alias: Some(alias),
            subquery: Some(Box::new(select)),
        }
    }
}

/// Join kinds.
///
/// `#[non_exhaustive]`: more kinds may come (`Right` was added after `Inner` and `Left`; `FULL
/// OUTER` or `CROSS` could follow), so a `match` on it outside Cinnabar needs a `_` arm.
///
/// ```
/// use cinnabar_core::sql::JoinKind;
///
/// fn describe(kind: JoinKind) -> &'static str {
///     match kind {
///         JoinKind::Inner => "rows with a match on both sides",
///         JoinKind::Left => "every row of the left side",
///         _ => "another kind",
///     }
/// }
/// assert_eq!(describe(JoinKind::Right), "another kind");
/// ```
///
/// Without the `_` arm, naming every kind of today, the match does not compile:
///
/// ```compile_fail,E0004
/// use cinnabar_core::sql::JoinKind;
///
/// fn describe(kind: JoinKind) -> &'static str {
///     match kind {
///         JoinKind::Inner => "inner",
///         JoinKind::Left => "left",
///         JoinKind::Right => "right",
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JoinKind {
    /// `INNER JOIN`
    Inner,
    /// `LEFT OUTER JOIN`
    Left,
    /// `RIGHT OUTER JOIN`: every row of the joined table, with the rows before it that
    /// match (SQLite since 3.39, PostgreSQL, MySQL/MariaDB).
    Right,
}

/// A JOIN clause.
#[derive(Debug, Clone, PartialEq)]
pub struct Join {
    /// Kind of join.
    pub kind: JoinKind,
    /// Joined table.
    pub table: TableRef,
    /// Join condition.
    pub on: Expr,
}

/// One item of the select list.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectItem {
    /// The selected expression.
    pub expr: Expr,
    /// `AS alias`, if any.
    pub alias: Option<Cow<'static, str>>,
}

/// A SELECT statement.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Select {
    /// Select list; empty means `*`.
    pub columns: Vec<SelectItem>,
    /// FROM table.
    pub from: Option<TableRef>,
    /// Joins, in order.
    pub joins: Vec<Join>,
    /// WHERE condition.
    pub filter: Option<Expr>,
    /// GROUP BY terms.
    pub group_by: Vec<Expr>,
    /// HAVING condition.
    pub having: Option<Expr>,
    /// ORDER BY terms.
    pub order_by: Vec<OrderBy>,
    /// LIMIT.
    pub limit: Option<u64>,
    /// OFFSET.
    pub offset: Option<u64>,
    /// `SELECT DISTINCT`.
    pub distinct: bool,
    /// `FOR UPDATE` and its variants: lock the selected rows until the transaction ends.
    pub lock: Option<RowLock>,
    /// The WITH clause: common table expressions the statement refers to as tables
    /// (see [`Select::with`]).
    pub with: Vec<super::cte::Cte>,
    /// A compound SELECT (`UNION`, ...): the operands, with ORDER BY / LIMIT / OFFSET of
    /// this `Select` applying to the whole (see [`Select::union`] and the
    /// [`compound`](super::compound) module for why it is a field).
    pub compound: Option<Box<super::compound::Compound>>,
}

/// How a `SELECT ... FOR UPDATE` treats rows another transaction has locked (SQLAlchemy's
/// `with_for_update(nowait=..., skip_locked=...)`).
///
/// Rendered by the dialect: `FOR UPDATE [NOWAIT | SKIP LOCKED]` on PostgreSQL and
/// MySQL/MariaDB. SQLite has no row locks: the dialect renders nothing and the caller takes
/// the database's write lock before the read instead (the ORM begins its write transaction,
/// `BEGIN IMMEDIATE`), which serializes read-modify-write cycles the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RowLock {
    /// Wait for locked rows (`FOR UPDATE`).
    #[default]
    Wait,
    /// Fail at once when a row is locked (`FOR UPDATE NOWAIT`).
    NoWait,
    /// Leave locked rows out of the result (`FOR UPDATE SKIP LOCKED`), for work queues.
    SkipLocked,
}

impl Select {
    /// `SELECT ... FROM table`.
    pub fn from(table: impl Into<Cow<'static, str>>) -> Self {
        Select {
            from: Some(TableRef::new(table)),
            ..Select::default()
        }
    }

    /// `SELECT ... FROM (select) AS alias`.
    pub fn from_subquery(select: Select, alias: impl Into<Cow<'static, str>>) -> Self {
        Select {
            from: Some(TableRef::subquery(select, alias)),
            ..Select::default()
        }
    }

    /// Adds a column or expression to the select list.
    pub fn column(mut self, expr: impl Into<Expr>) -> Self {
        self.columns.push(SelectItem {
            expr: expr.into(),
            alias: None,
        });
        self
    }

    /// Adds an expression with an alias to the select list.
    pub fn column_as(mut self, expr: impl Into<Expr>, alias: impl Into<Cow<'static, str>>) -> Self {
        self.columns.push(SelectItem {
            expr: expr.into(),
            alias: Some(alias.into()),
        });
        self
    }

    /// ANDs a condition into WHERE.
    pub fn filter(mut self, cond: impl Into<Expr>) -> Self {
        self.add_filter(cond.into());
        self
    }

    /// ANDs a condition into WHERE, in place.
    pub fn add_filter(&mut self, cond: Expr) {
        self.filter = Some(match self.filter.take() {
            Some(f) => f.and(cond),
            None => cond,
        });
    }

    /// Adds a join.
    pub fn join(mut self, kind: JoinKind, table: TableRef, on: impl Into<Expr>) -> Self {
        self.joins.push(Join {
            kind,
            table,
            on: on.into(),
        });
        self
    }

    /// Adds an ORDER BY term.
    pub fn order_by(mut self, order: impl Into<OrderBy>) -> Self {
        self.order_by.push(order.into());
        self
    }

    /// Adds a GROUP BY term.
    pub fn group_by(mut self, expr: impl Into<Expr>) -> Self {
        self.group_by.push(expr.into());
        self
    }

    /// ANDs a condition into HAVING.
    pub fn having(mut self, cond: impl Into<Expr>) -> Self {
        self.having = Some(match self.having.take() {
            Some(f) => f.and(cond.into()),
            None => cond.into(),
        });
        self
    }

    /// Sets LIMIT.
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = Some(n);
        self
    }

    /// Sets OFFSET.
    pub fn offset(mut self, n: u64) -> Self {
        self.offset = Some(n);
        self
    }

    /// Makes this `SELECT DISTINCT`.
    pub fn distinct(mut self) -> Self {
        self.distinct = true;
        self
    }

    /// `FOR UPDATE` (see [`RowLock`]): the rows read stay locked until the transaction
    /// ends. Outside a transaction the lock ends with the statement, so run it inside one.
    pub fn for_update(mut self, lock: RowLock) -> Self {
        self.lock = Some(lock);
        self
    }
}
