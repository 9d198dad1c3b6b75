//! Row values: `tuple((Student::last, Student::first)).gt(("Smith", "Ann"))` is
//! `("students"."last", "students"."first") > (?, ?)`, compared lexicographically, each
//! position with its own kind checked at compile time.
//!
//! Where the dialect has no row values
//! ([`Dialect::supports_row_values`](crate::dialect::Dialect::supports_row_values)) the
//! compiler expands comparisons and IN lists to AND/OR (`a > x OR (a = x AND b > y)`); IN over
//! a subquery has no such expansion and fails to compile there.

use std::marker::PhantomData;

use super::expr::{BinOp, Expr};
use super::select::Select;
use super::typed::{Bindable, Condition, Expression};

/// A row value `(a, b, ...)` whose positions have the kinds `K` (a tuple of kinds).
#[derive(Debug, Clone)]
#[must_use = "a row value does nothing until compared"]
pub struct Tuple<K> {
    items: Vec<Expr>,
    _kinds: PhantomData<fn() -> K>,
}

/// Expressions that make a row value: a tuple of 2 to 6 columns or typed expressions.
pub trait TupleExprs {
    /// The kinds of the positions, as a tuple.
    type Kinds;
    /// The expressions, in order.
    fn into_exprs(self) -> Vec<Expr>;
}

/// Operands comparable with a [`Tuple`] of kinds `K`: a Rust tuple of values, columns or
/// expressions of those kinds, or another [`Tuple`].
pub trait TupleOperand<K> {
    /// The expressions, in order.
    fn into_exprs(self) -> Vec<Expr>;
}

impl<K> TupleOperand<K> for Tuple<K> {
    fn into_exprs(self) -> Vec<Expr> {
        self.items
    }
}

macro_rules! tuples {
    ($($t:ident $k:ident $i:tt),+) => {
        impl<$($t: Expression),+> TupleExprs for ($($t,)+) {
            type Kinds = ($($t::Kind,)+);
            fn into_exprs(self) -> Vec<Expr> {
                vec![$(self.$i.expr()),+]
            }
        }
        impl<$($k,)+ $($t: Bindable<$k>),+> TupleOperand<($($k,)+)> for ($($t,)+) {
            fn into_exprs(self) -> Vec<Expr> {
                vec![$(self.$i.into_operand()),+]
            }
        }
    };
}
tuples!(A KA 0, B KB 1);
tuples!(A KA 0, B KB 1, C KC 2);
tuples!(A KA 0, B KB 1, C KC 2, D KD 3);
tuples!(A KA 0, B KB 1, C KC 2, D KD 3, E KE 4);
tuples!(A KA 0, B KB 1, C KC 2, D KD 3, E KE 4, F KF 5);

/// The row value `(a, b, ...)` of a tuple of columns or expressions, for comparisons
/// (compared position by position, the first difference deciding, as ORDER BY sorts) and IN:
///
/// ```
/// use cinnabar::func::tuple;
/// use cinnabar::sql::Column;
/// # struct Student;
/// # #[allow(non_upper_case_globals)]
/// # impl Student {
/// #     const last: Column<Student, String> = Column::new("students", "last", 1);
/// #     const first: Column<Student, String> = Column::new("students", "first", 2);
/// # }
/// // Keyset pagination: the students after ("Smith", "Ann") in name order.
/// let after = tuple((Student::last, Student::first)).gt(("Smith", "Ann"));
/// # let _ = after;
/// ```
///
/// A NULL in a row value makes comparisons unknown as SQL defines them (no `IS NULL`
/// rewrite as for a single `eq(None)`).
pub fn tuple<T: TupleExprs>(items: T) -> Tuple<T::Kinds> {
    Tuple {
        items: items.into_exprs(),
        _kinds: PhantomData,
    }
}

impl<K> Tuple<K> {
    fn compare(self, op: BinOp, other: impl TupleOperand<K>) -> Condition {
        Condition::from_expr(Expr::Tuple(self.items).binary(op, Expr::Tuple(other.into_exprs())))
    }

    /// `(a, b) = (x, y)`
    pub fn eq(self, other: impl TupleOperand<K>) -> Condition {
        self.compare(BinOp::Eq, other)
    }
    /// `(a, b) <> (x, y)`
    pub fn ne(self, other: impl TupleOperand<K>) -> Condition {
        self.compare(BinOp::Ne, other)
    }
    /// `(a, b) < (x, y)`
    pub fn lt(self, other: impl TupleOperand<K>) -> Condition {
        self.compare(BinOp::Lt, other)
    }
    /// `(a, b) <= (x, y)`
    pub fn le(self, other: impl TupleOperand<K>) -> Condition {
        self.compare(BinOp::Le, other)
    }
    /// `(a, b) > (x, y)`
    pub fn gt(self, other: impl TupleOperand<K>) -> Condition {
        self.compare(BinOp::Gt, other)
    }
    /// `(a, b) >= (x, y)`
    pub fn ge(self, other: impl TupleOperand<K>) -> Condition {
        self.compare(BinOp::Ge, other)
    }

    fn list<I, V>(self, rows: I, negated: bool) -> Condition
    where
        I: IntoIterator<Item = V>,
        V: TupleOperand<K>,
    {
        Condition::from_expr(Expr::InList {
            expr: Box::new(Expr::Tuple(self.items)),
            list: rows
                .into_iter()
                .map(|r| Expr::Tuple(r.into_exprs()))
                .collect(),
            negated,
        })
    }

    /// `(a, b) IN ((x1, y1), (x2, y2), ...)`; an empty list matches nothing.
    pub fn in_<I, V>(self, rows: I) -> Condition
    where
        I: IntoIterator<Item = V>,
        V: TupleOperand<K>,
    {
        self.list(rows, false)
    }

    /// `(a, b) NOT IN (...)`; an empty list matches everything.
    pub fn not_in<I, V>(self, rows: I) -> Condition
    where
        I: IntoIterator<Item = V>,
        V: TupleOperand<K>,
    {
        self.list(rows, true)
    }

    /// `(a, b) IN (SELECT x, y ...)`: the select must have as many columns as the row value
    /// (else `compile()` fails with [`ErrorKind::Misuse`](crate::ErrorKind::Misuse)), and the
    /// dialect must have row values.
    pub fn in_select(self, select: impl Into<Select>) -> Condition {
        self.in_select_as(select.into(), false)
    }

    /// `(a, b) NOT IN (SELECT x, y ...)`.
    pub fn not_in_select(self, select: impl Into<Select>) -> Condition {
        self.in_select_as(select.into(), true)
    }

    fn in_select_as(self, select: Select, negated: bool) -> Condition {
        Condition::from_expr(Expr::InSelect {
            expr: Box::new(Expr::Tuple(self.items)),
            select: Box::new(select),
            negated,
        })
    }
}
