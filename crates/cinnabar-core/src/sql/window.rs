//! Window functions: `ROW_NUMBER()`, `RANK()`, `DENSE_RANK()` and any aggregate with
//! `OVER (PARTITION BY .. ORDER BY .. ROWS BETWEEN ..)` (SQLAlchemy's `func.row_number().over(
//! partition_by=.., order_by=..)`).
//!
//! [`row_number`], [`rank`] and [`dense_rank`] give a [`WindowFn`], which becomes an
//! expression only through [`WindowFn::over`]; an aggregate ([`TypedExpr`] such as
//! `Enrollment::mark.sum()`) gets [`TypedExpr::over`]. Databases evaluate window functions
//! after WHERE, GROUP BY and HAVING, so the compiler refuses one there
//! ([`ErrorKind::Misuse`](crate::ErrorKind::Misuse)); filter on it from an outer query (a
//! derived table or a CTE). Compiled by `dialect/compiler/statements.rs`.

use std::marker::PhantomData;

use super::expr::{Expr, OrderBy};
use super::typed::TypedExpr;
use crate::types::kind;

/// The ranking functions, valid only under `OVER (...)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankFunction {
    /// `ROW_NUMBER()`: 1, 2, 3, ... in window order.
    RowNumber,
    /// `RANK()`: ties share a rank, and leave a gap after them.
    Rank,
    /// `DENSE_RANK()`: ties share a rank, no gaps.
    DenseRank,
}

impl RankFunction {
    /// The call's SQL text.
    pub fn sql(self) -> &'static str {
        match self {
            RankFunction::RowNumber => "ROW_NUMBER()",
            RankFunction::Rank => "RANK()",
            RankFunction::DenseRank => "DENSE_RANK()",
        }
    }
}

/// Whether a frame counts rows or ranges of equal ORDER BY values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameUnits {
    /// `ROWS`: physical rows.
    Rows,
    /// `RANGE`: peers (rows with the same ORDER BY value) count as one.
    Range,
}

/// One end of a window frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameBound {
    /// `UNBOUNDED PRECEDING`: the partition's first row.
    UnboundedPreceding,
    /// `n PRECEDING`.
    Preceding(u64),
    /// `CURRENT ROW`.
    CurrentRow,
    /// `n FOLLOWING`.
    Following(u64),
    /// `UNBOUNDED FOLLOWING`: the partition's last row.
    UnboundedFollowing,
}

impl FrameBound {
    /// Position for ordering checks: a frame may not start after it ends.
    pub(crate) fn rank(self) -> (u8, i128) {
        match self {
            FrameBound::UnboundedPreceding => (0, 0),
            FrameBound::Preceding(n) => (1, -i128::from(n)),
            FrameBound::CurrentRow => (1, 0),
            FrameBound::Following(n) => (1, i128::from(n)),
            FrameBound::UnboundedFollowing => (2, 0),
        }
    }
}

/// `UNBOUNDED PRECEDING`
pub fn unbounded_preceding() -> FrameBound {
    FrameBound::UnboundedPreceding
}

/// `CURRENT ROW`
pub fn current_row() -> FrameBound {
    FrameBound::CurrentRow
}

/// `UNBOUNDED FOLLOWING`
pub fn unbounded_following() -> FrameBound {
    FrameBound::UnboundedFollowing
}

/// `n PRECEDING`
pub fn preceding(n: u64) -> FrameBound {
    FrameBound::Preceding(n)
}

/// `n FOLLOWING`
pub fn following(n: u64) -> FrameBound {
    FrameBound::Following(n)
}

/// A window frame: `ROWS BETWEEN start AND end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// ROWS or RANGE.
    pub units: FrameUnits,
    /// First row of the frame.
    pub start: FrameBound,
    /// Last row of the frame.
    pub end: FrameBound,
}

/// A window: `OVER (PARTITION BY .. ORDER BY .. frame)`.
///
/// ```
/// use cinnabar_core::dialect::{compile, PostgresDialect};
/// use cinnabar_core::sql::{
///     current_row, row_number, unbounded_preceding, ColumnRef, Expr, OrderBy, Select, Window,
/// };
///
/// let col = |n: &'static str| Expr::Column(ColumnRef::bare(n));
/// let w = Window::new()
///     .partition_by(col("course_id"))
///     .order_by(OrderBy { expr: col("mark"), desc: true })
///     .rows_between(unbounded_preceding(), current_row());
/// let q = Select::from("enrollments").column_as(row_number().over(w), "rn");
/// let c = compile(&PostgresDialect, &q.into()).unwrap();
/// assert_eq!(
///     c.sql,
///     r#"SELECT ROW_NUMBER() OVER (PARTITION BY "course_id" ORDER BY "mark" DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "rn" FROM "enrollments""#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Window {
    /// PARTITION BY terms.
    pub partition_by: Vec<Expr>,
    /// ORDER BY terms.
    pub order_by: Vec<OrderBy>,
    /// The frame; `None`: the database's default (RANGE UNBOUNDED PRECEDING to the current
    /// row's last peer when ordered, the whole partition otherwise).
    pub frame: Option<Frame>,
}

impl Window {
    /// `OVER ()`: the whole result is one partition.
    pub fn new() -> Self {
        Window::default()
    }

    /// Adds a PARTITION BY term.
    pub fn partition_by(mut self, expr: impl Into<Expr>) -> Self {
        self.partition_by.push(expr.into());
        self
    }

    /// Adds an ORDER BY term.
    pub fn order_by(mut self, order: impl Into<OrderBy>) -> Self {
        self.order_by.push(order.into());
        self
    }

    /// `ROWS BETWEEN start AND end` (a running sum: `unbounded_preceding()`, `current_row()`).
    /// Compiling fails when the frame starts after it ends.
    pub fn rows_between(mut self, start: FrameBound, end: FrameBound) -> Self {
        self.frame = Some(Frame {
            units: FrameUnits::Rows,
            start,
            end,
        });
        self
    }

    /// `RANGE BETWEEN start AND end`.
    pub fn range_between(mut self, start: FrameBound, end: FrameBound) -> Self {
        self.frame = Some(Frame {
            units: FrameUnits::Range,
            start,
            end,
        });
        self
    }
}

/// A ranking function waiting for its window: only [`over`](WindowFn::over) turns it into an
/// expression, so `row_number()` without `OVER` does not compile.
#[derive(Debug, Clone, Copy)]
#[must_use = "a window function needs .over(window)"]
pub struct WindowFn<K> {
    func: RankFunction,
    _kind: PhantomData<fn() -> K>,
}

impl<K> WindowFn<K> {
    /// `func() OVER (window)`.
    pub fn over(self, window: Window) -> TypedExpr<K> {
        TypedExpr::from_expr(Expr::Over {
            func: Box::new(Expr::Ranking(self.func)),
            window: Box::new(window),
        })
    }
}

fn ranking(func: RankFunction) -> WindowFn<kind::Integer> {
    WindowFn {
        func,
        _kind: PhantomData,
    }
}

/// `ROW_NUMBER()`: call [`over`](WindowFn::over) to use it.
pub fn row_number() -> WindowFn<kind::Integer> {
    ranking(RankFunction::RowNumber)
}

/// `RANK()`: call [`over`](WindowFn::over) to use it.
pub fn rank() -> WindowFn<kind::Integer> {
    ranking(RankFunction::Rank)
}

/// `DENSE_RANK()`: call [`over`](WindowFn::over) to use it.
pub fn dense_rank() -> WindowFn<kind::Integer> {
    ranking(RankFunction::DenseRank)
}

impl<K> TypedExpr<K> {
    /// `self OVER (window)`: an aggregate as a window function, e.g. a running sum
    /// `Enrollment::mark.sum().over(Window::new().order_by(..).rows_between(..))`. Only a
    /// function call can take OVER: compiling `column OVER (...)` fails with
    /// [`ErrorKind::Misuse`](crate::ErrorKind::Misuse).
    pub fn over(self, window: Window) -> TypedExpr<K> {
        TypedExpr::from_expr(Expr::Over {
            func: Box::new(self.into_inner()),
            window: Box::new(window),
        })
    }
}
