//! SQL functions and operators beyond comparisons: [`call`] for any SQL function by name,
//! [`cast`], [`coalesce`] and [`nullif`], typed scalar subqueries ([`scalar`]), [`exists`]
//! / [`not_exists`], and the [`ExpressionExt`] methods (`.cast::<T>()`, `.in_select(..)`,
//! `.coalesce(..)`, `.int_div(..)`) every column and expression gets.
//!
//! Each builds an untyped [`Expr`]; values become bound parameters. The facade re-exports
//! these in `cinnabar::func` (with CASE, the date/time functions and row values).

use std::borrow::Cow;

use super::expr::{BinOp, Expr, Function};
use super::select::Select;
use super::typed::{Bindable, Column, Condition, Expression, TypedExpr};
use crate::error::{Error, Result};
use crate::types::{kind, ColumnType};

/// Anything usable as an argument of [`call`] or [`cast`], of any kind: a Rust value (bound),
/// a column, a typed expression or an untyped [`Expr`].
pub trait Argument {
    /// Converts into an untyped expression (values become bound parameters).
    fn into_argument(self) -> Expr;
}

impl<T: ColumnType> Argument for T {
    fn into_argument(self) -> Expr {
        Bindable::<T::Kind>::into_operand(self)
    }
}

impl Argument for &str {
    fn into_argument(self) -> Expr {
        Bindable::into_operand(self)
    }
}

impl Argument for &String {
    fn into_argument(self) -> Expr {
        Bindable::into_operand(self)
    }
}

impl Argument for &[u8] {
    fn into_argument(self) -> Expr {
        Bindable::into_operand(self)
    }
}

impl<M, T: ColumnType> Argument for Column<M, T> {
    fn into_argument(self) -> Expr {
        self.expr()
    }
}

impl<K> Argument for TypedExpr<K> {
    fn into_argument(self) -> Expr {
        self.into_inner()
    }
}

impl Argument for Expr {
    fn into_argument(self) -> Expr {
        self
    }
}

/// The argument list of [`call`]: `()`, a tuple of up to eight [`Argument`]s of any kinds
/// (`(Student::name, 1, 3)`), or a `Vec<Expr>`.
pub trait Arguments {
    /// The arguments, in order.
    fn into_arguments(self) -> Vec<Expr>;
}

impl Arguments for () {
    fn into_arguments(self) -> Vec<Expr> {
        Vec::new()
    }
}

impl Arguments for Vec<Expr> {
    fn into_arguments(self) -> Vec<Expr> {
        self
    }
}

macro_rules! tuple_arguments {
    ($($t:ident $i:tt),+) => {
        impl<$($t: Argument),+> Arguments for ($($t,)+) {
            fn into_arguments(self) -> Vec<Expr> {
                vec![$(self.$i.into_argument()),+]
            }
        }
    };
}
tuple_arguments!(A 0);
tuple_arguments!(A 0, B 1);
tuple_arguments!(A 0, B 1, C 2);
tuple_arguments!(A 0, B 1, C 2, D 3);
tuple_arguments!(A 0, B 1, C 2, D 3, E 4);
tuple_arguments!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_arguments!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_arguments!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);

/// Operands that all have kind `K`, for n-ary functions such as [`coalesce`]: a tuple of up
/// to eight (`(Student::nickname, Student::name, "?")`) or a `Vec` of one operand type.
pub trait Operands<K> {
    /// The operands, in order.
    fn into_operands(self) -> Vec<Expr>;
}

impl<K, V: Bindable<K>> Operands<K> for Vec<V> {
    fn into_operands(self) -> Vec<Expr> {
        self.into_iter().map(Bindable::into_operand).collect()
    }
}

macro_rules! tuple_operands {
    ($($t:ident $i:tt),+) => {
        impl<K, $($t: Bindable<K>),+> Operands<K> for ($($t,)+) {
            fn into_operands(self) -> Vec<Expr> {
                vec![$(self.$i.into_operand()),+]
            }
        }
    };
}
tuple_operands!(A 0, B 1);
tuple_operands!(A 0, B 1, C 2);
tuple_operands!(A 0, B 1, C 2, D 3);
tuple_operands!(A 0, B 1, C 2, D 3, E 4);
tuple_operands!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_operands!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_operands!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);

/// Calls any SQL function: `call::<kind::Text>("substr", (Student::name, 1, 3))` is
/// `substr("students"."name", ?, ?)`. `K` is the result's kind (see
/// [`kind`]); the arguments are any [`Arguments`], values bound.
///
/// The name is written as given, unquoted: quoted, it would be case-sensitive on
/// PostgreSQL (`"LOWER"('A')` fails: the function is `lower`), and SQL's usual spelling of
/// function names is unquoted and case-insensitive. So it must be an identifier,
/// `[A-Za-z_][A-Za-z0-9_]*`, with at most one `schema.` prefix, which cannot carry SQL; anything else fails at `compile()` with
/// [`ErrorKind::Misuse`](crate::ErrorKind::Misuse) naming it (see [`check_function_name`]).
/// The function must exist on the database: `call` is the escape hatch for what the portable
/// functions do not cover, and its portability is the function's.
///
/// ```
/// use cinnabar::func::call;
/// use cinnabar::types::kind;
/// use cinnabar::sql::{Column, Select};
/// # struct Student;
/// # #[allow(non_upper_case_globals)]
/// # impl Student { const name: Column<Student, String> = Column::new("students", "name", 1); }
/// let initials = call::<kind::Text>("substr", (Student::name, 1, 1));
/// let q = Select::from("students").column(initials);
/// # let _ = q;
/// ```
pub fn call<K>(name: impl Into<Cow<'static, str>>, args: impl Arguments) -> TypedExpr<K> {
    TypedExpr::from_expr(Expr::Call {
        name: name.into(),
        args: args.into_arguments(),
    })
}

/// Checks that `name` can be written as a function name: an identifier
/// (`[A-Za-z_][A-Za-z0-9_]*`) with at most one `schema.` prefix. [`call`]'s names are
/// checked with it at `compile()`.
///
/// # Errors
/// [`ErrorKind::Misuse`](crate::ErrorKind::Misuse) naming the bad name.
pub fn check_function_name(name: &str) -> Result<()> {
    fn identifier(part: &str) -> bool {
        let mut bytes = part.bytes();
        matches!(bytes.next(), Some(b) if b == b'_' || b.is_ascii_alphabetic())
            && bytes.all(|b| b == b'_' || b.is_ascii_alphanumeric())
    }
    let ok = match name.split_once('.') {
        Some((schema, func)) => identifier(schema) && identifier(func),
        None => identifier(name),
    };
    if ok {
        Ok(())
    } else {
        Err(Error::misuse(format!(
            "function name {name:?} is not an identifier: a function name is written \
             unquoted, so it must match [A-Za-z_][A-Za-z0-9_]* with at most one `schema.` prefix"
        )))
    }
}

/// `CAST(expr AS type)` where the type is `T`'s SQL type as the dialect spells it:
/// `cast::<i64>(Student::code)` is `CAST("students"."code" AS BIGINT)` on PostgreSQL and
/// `CAST(`students`.`code` AS SIGNED)` on MariaDB. Also a method:
/// `Student::code.cast::<i64>()`. A cast the dialect cannot write (MariaDB has no
/// boolean or JSON cast target) fails at `compile()` with
/// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported); see
/// [`Dialect::cast_spelling`](crate::dialect::Dialect::cast_spelling).
pub fn cast<T: ColumnType>(expr: impl Argument) -> TypedExpr<T::Kind> {
    TypedExpr::from_expr(Expr::Cast {
        expr: Box::new(expr.into_argument()),
        to: T::SQL_TYPE,
    })
}

/// A call of a built-in function (`Expr::Func`, without DISTINCT); its argument count is
/// checked at compile time by [`Function::check_call`].
fn function(func: Function, args: Vec<Expr>) -> Expr {
    Expr::Func {
        func,
        args,
        distinct: false,
    }
}

/// `COALESCE(a, b, ...)`: the first operand that is not NULL. All operands have the same
/// kind: `coalesce((Student::nickname, Student::name))`, `coalesce((Course::credits, 0))`.
/// Fewer than two operands (from a `Vec`) fail at `compile()` with
/// [`ErrorKind::Misuse`](crate::ErrorKind::Misuse) (SQLite refuses them).
pub fn coalesce<K>(operands: impl Operands<K>) -> TypedExpr<K> {
    TypedExpr::from_expr(function(Function::Coalesce, operands.into_operands()))
}

/// `NULLIF(a, b)`: NULL when `a = b`, else `a`. The usual guard of a division:
/// `x.div(nullif(y, 0))`.
pub fn nullif<K>(a: impl Bindable<K>, b: impl Bindable<K>) -> TypedExpr<K> {
    TypedExpr::from_expr(function(
        Function::Nullif,
        vec![a.into_operand(), b.into_operand()],
    ))
}

/// `(SELECT ...)` as a value of kind `K`: a scalar subquery, which may be correlated (its
/// WHERE names the outer query's columns). `K` is usually inferred from where it is used
/// (`Student::age.gt(scalar(avg_age))`); name it otherwise, `scalar::<kind::Integer>(..)`.
/// The select must have exactly one column, else `compile()` fails with
/// [`ErrorKind::Misuse`](crate::ErrorKind::Misuse); with no row it is NULL.
///
/// ```
/// use cinnabar::func::scalar;
/// use cinnabar::prelude::*;
/// use cinnabar::sql::{Column, Select};
/// use cinnabar::types::kind;
/// # struct Student;
/// # struct Enrollment;
/// # #[allow(non_upper_case_globals)]
/// # impl Student { const id: Column<Student, i64> = Column::new("students", "id", 0); }
/// # #[allow(non_upper_case_globals)]
/// # impl Enrollment {
/// #     const student_id: Column<Enrollment, i64> = Column::new("enrollments", "student_id", 1);
/// #     const mark: Column<Enrollment, Option<i32>> = Column::new("enrollments", "mark", 2);
/// # }
/// // Each student's best mark: a correlated subquery naming the outer `students.id`.
/// let best = Select::from("enrollments")
///     .column(Enrollment::mark.max())
///     .filter(Enrollment::student_id.eq(Student::id));
/// let q = Select::from("students")
///     .column(Student::id)
///     .column_as(scalar::<kind::Integer>(best.clone()), "best")
///     .filter(exists(best));
/// # let _ = q;
/// ```
pub fn scalar<K>(select: impl Into<Select>) -> TypedExpr<K> {
    TypedExpr::from_expr(Expr::Subquery(Box::new(select.into())))
}

/// `EXISTS (SELECT ...)`: true when the subquery returns a row.
pub fn exists(select: impl Into<Select>) -> Condition {
    Condition::from_expr(Expr::Exists(Box::new(select.into())))
}

/// `NOT EXISTS (SELECT ...)`: true when the subquery returns no row.
pub fn not_exists(select: impl Into<Select>) -> Condition {
    Condition::from_expr(Expr::Not(Box::new(Expr::Exists(Box::new(select.into())))))
}

/// More methods of every column and typed expression: casts, subquery membership,
/// COALESCE / NULLIF and integer division. Import it through the prelude.
pub trait ExpressionExt: Expression {
    /// `CAST(self AS T's type)` (see [`cast`]).
    fn cast<T: ColumnType>(self) -> TypedExpr<T::Kind> {
        TypedExpr::from_expr(Expr::Cast {
            expr: Box::new(self.expr()),
            to: T::SQL_TYPE,
        })
    }
    /// `self IN (SELECT ...)`; the select must have one column.
    fn in_select(self, select: impl Into<Select>) -> Condition {
        Condition::from_expr(Expr::InSelect {
            expr: Box::new(self.expr()),
            select: Box::new(select.into()),
            negated: false,
        })
    }
    /// `self NOT IN (SELECT ...)`; the select must have one column. As in SQL, a NULL
    /// among the subquery's values makes it match nothing.
    fn not_in_select(self, select: impl Into<Select>) -> Condition {
        Condition::from_expr(Expr::InSelect {
            expr: Box::new(self.expr()),
            select: Box::new(select.into()),
            negated: true,
        })
    }
    /// `COALESCE(self, fallback)`.
    fn coalesce(self, fallback: impl Bindable<Self::Kind>) -> TypedExpr<Self::Kind> {
        TypedExpr::from_expr(function(
            Function::Coalesce,
            vec![self.expr(), fallback.into_operand()],
        ))
    }
    /// `NULLIF(self, other)`.
    fn nullif(self, other: impl Bindable<Self::Kind>) -> TypedExpr<Self::Kind> {
        TypedExpr::from_expr(function(
            Function::Nullif,
            vec![self.expr(), other.into_operand()],
        ))
    }
    /// Integer division truncating toward zero, the same on every database: `/` on SQLite
    /// and PostgreSQL, `DIV` on MariaDB (whose `/` gives a decimal: `7 / 2` is `3.5000`
    /// there, while [`Expression::div`] of integers is 3 on the other two).
    fn int_div(self, other: impl Bindable<kind::Integer>) -> TypedExpr<kind::Integer>
    where
        Self: Expression<Kind = kind::Integer>,
    {
        TypedExpr::from_expr(self.expr().binary(BinOp::IntDiv, other.into_operand()))
    }
}

impl<E: Expression> ExpressionExt for E {}

impl<K> std::ops::Neg for TypedExpr<K> {
    type Output = TypedExpr<K>;
    /// Unary minus, `-expr`.
    fn neg(self) -> TypedExpr<K> {
        TypedExpr::from_expr(Expr::Neg(Box::new(self.into_inner())))
    }
}

impl<M, T: ColumnType> std::ops::Neg for Column<M, T> {
    type Output = TypedExpr<T::Kind>;
    /// Unary minus, `-column`.
    fn neg(self) -> TypedExpr<T::Kind> {
        TypedExpr::from_expr(Expr::Neg(Box::new(self.expr())))
    }
}
