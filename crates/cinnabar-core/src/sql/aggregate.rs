//! The aggregate functions as free functions (SQLAlchemy's `func.avg(..)`): [`avg`],
//! [`sum`], [`min`], [`max`], [`count`], [`count_distinct`] and [`count_star`]. Each returns
//! a [`SelectExpr`] whose Rust output follows SQL: `COUNT` is never NULL (`i64`); `AVG` is a
//! float and NULL over no rows (`Option<f64>`); `SUM`, `MIN` and `MAX` of a `T` column are
//! NULL over no rows (`Option<T>`).
//!
//! Exposed by the facade in `cinnabar::func` and the prelude; used in select lists,
//! `having` and `order_by`.

use super::expr::{Expr, Function};
use super::selectable::{Nullable, SelectExpr};
use super::typed::{Column, Expression, TypedExpr};
use crate::types::{kind, ColumnType, SqlType};

/// SQL kinds that `AVG` and `SUM` accept: integers, floats and decimals.
pub trait NumericKind {
    /// Whether values of this kind are exact numbers, which [`avg`] casts to a float first.
    const EXACT: bool;
}
impl NumericKind for kind::Integer {
    const EXACT: bool = true;
}
impl NumericKind for kind::Real {
    const EXACT: bool = false;
}
impl NumericKind for kind::Decimal {
    const EXACT: bool = true;
}

/// An expression an aggregate can take, and the nullable Rust type of its values (what
/// `SUM`, `MIN` and `MAX` of it are read as): a column of `T` gives `Option<T>`, a
/// [`TypedExpr`] its kind's default, a [`SelectExpr`] its output made nullable.
pub trait AggregateArg: Expression {
    /// The argument's values, NULL allowed.
    type Nullable;
}

impl<M, T: ColumnType + Nullable> AggregateArg for Column<M, T> {
    type Nullable = T::Nullable;
}

impl<K: super::selectable::SelectKind> AggregateArg for TypedExpr<K> {
    type Nullable = K::Default;
}

impl<K, O: Nullable> AggregateArg for SelectExpr<K, O> {
    type Nullable = O::Nullable;
}

fn call(func: Function, arg: Expr, distinct: bool) -> Expr {
    Expr::Func {
        func,
        args: vec![arg],
        distinct,
    }
}

/// `AVG(x)` of a numeric column or expression, read as `Option<f64>` (NULL over no rows).
///
/// An integer or decimal argument is cast to a float first, `AVG(CAST(x AS DOUBLE
/// PRECISION))`: every database then computes the same float average (MySQL and MariaDB
/// would otherwise round the average of integers to 4 decimals, `div_precision_increment`,
/// and PostgreSQL return a `NUMERIC`). [`Expression::avg`] renders the same.
pub fn avg<E>(x: E) -> SelectExpr<kind::Real, Option<f64>>
where
    E: Expression,
    E::Kind: NumericKind,
{
    SelectExpr::from_expr(avg_expr::<E::Kind>(x.expr()))
}

/// `AVG(x)` of an expression of kind `K`, an exact `K` cast to a float first: the one
/// rendering of both [`avg`] and [`Expression::avg`].
pub(crate) fn avg_expr<K: NumericKind>(x: Expr) -> Expr {
    let arg = if K::EXACT {
        Expr::Cast {
            expr: Box::new(x),
            to: SqlType::Double,
        }
    } else {
        x
    };
    call(Function::Avg, arg, false)
}

/// `SUM(x)` of a numeric column or expression, read as `Option<T>` for a `T` column (NULL
/// over no rows). A sum that does not fit `T` is a conversion error naming the item.
pub fn sum<E>(x: E) -> SelectExpr<E::Kind, E::Nullable>
where
    E: AggregateArg,
    E::Kind: NumericKind,
{
    SelectExpr::from_expr(call(Function::Sum, x.expr(), false))
}

/// `MIN(x)`, read as `Option<T>` for a `T` column (NULL over no rows).
pub fn min<E: AggregateArg>(x: E) -> SelectExpr<E::Kind, E::Nullable> {
    SelectExpr::from_expr(call(Function::Min, x.expr(), false))
}

/// `MAX(x)`, read as `Option<T>` for a `T` column (NULL over no rows).
pub fn max<E: AggregateArg>(x: E) -> SelectExpr<E::Kind, E::Nullable> {
    SelectExpr::from_expr(call(Function::Max, x.expr(), false))
}

/// `COUNT(x)`: the number of rows where `x` is not NULL, read as `i64`.
pub fn count<E: Expression>(x: E) -> SelectExpr<kind::Integer, i64> {
    SelectExpr::from_expr(call(Function::Count, x.expr(), false))
}

/// `COUNT(DISTINCT x)`: the number of distinct non-NULL values of `x`, read as `i64`.
pub fn count_distinct<E: Expression>(x: E) -> SelectExpr<kind::Integer, i64> {
    SelectExpr::from_expr(call(Function::Count, x.expr(), true))
}

/// `COUNT(*)`: the number of rows, read as `i64`.
pub fn count_star() -> SelectExpr<kind::Integer, i64> {
    SelectExpr::from_expr(Expr::CountStar)
}
