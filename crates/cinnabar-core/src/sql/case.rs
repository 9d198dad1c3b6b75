//! Typed CASE expressions: searched ([`case`]: `CASE WHEN cond THEN r ... END`) and simple
//! ([`case_on`]: `CASE x WHEN v THEN r ... END`). Every result has one kind `K`, checked at
//! compile time; without ELSE the result is NULL when nothing matches.
//!
//! Both build [`Expr::Case`] and can be used wherever a [`TypedExpr`] can (select lists,
//! filters, ORDER BY, as an operand), directly or after [`else_`](Case::else_) /
//! [`end`](Case::end).

use std::marker::PhantomData;

use super::expr::{Expr, OrderBy};
use super::typed::{Bindable, Expression, TypedExpr};
use crate::types::kind;

/// A searched CASE being built: `case().when(cond, result)...`; results of kind `K`.
#[derive(Debug, Clone)]
#[must_use = "a CASE does nothing until used in a statement"]
pub struct Case<K> {
    whens: Vec<(Expr, Expr)>,
    _kind: PhantomData<fn() -> K>,
}

/// `CASE WHEN cond THEN result ... [ELSE result] END`, the results' kind `K` taken from the
/// first [`when`](Case::when):
///
/// ```
/// use cinnabar::func::case;
/// use cinnabar::prelude::*;
/// use cinnabar::sql::Column;
/// # struct Student;
/// # #[allow(non_upper_case_globals)]
/// # impl Student { const mark: Column<Student, i32> = Column::new("students", "mark", 1); }
/// let grade = case()
///     .when(Student::mark.ge(90), "A")
///     .when(Student::mark.ge(75), "B")
///     .else_("C");
/// # let _ = grade;
/// ```
///
/// A CASE with no WHEN (possible when the WHENs come from a loop) fails at `compile()`
/// with [`ErrorKind::Misuse`](crate::ErrorKind::Misuse).
pub fn case<K>() -> Case<K> {
    Case {
        whens: Vec::new(),
        _kind: PhantomData,
    }
}

impl<K> Case<K> {
    /// Adds `WHEN cond THEN result`.
    pub fn when(mut self, cond: impl Bindable<kind::Bool>, result: impl Bindable<K>) -> Self {
        self.whens
            .push((cond.into_operand(), result.into_operand()));
        self
    }

    /// Ends the CASE with `ELSE result`.
    pub fn else_(self, result: impl Bindable<K>) -> TypedExpr<K> {
        TypedExpr::from_expr(Expr::Case {
            operand: None,
            whens: self.whens,
            else_: Some(Box::new(result.into_operand())),
        })
    }

    /// Ends the CASE without ELSE: NULL when no WHEN matches.
    pub fn end(self) -> TypedExpr<K> {
        TypedExpr::from_expr(self.into_expr())
    }

    fn into_expr(self) -> Expr {
        Expr::Case {
            operand: None,
            whens: self.whens,
            else_: None,
        }
    }
}

/// A simple CASE being built: `case_on(x).when(value, result)...`, comparing the operand of
/// kind `O` with each value; results of kind `K`.
#[derive(Debug, Clone)]
#[must_use = "a CASE does nothing until used in a statement"]
pub struct SimpleCase<O, K> {
    operand: Expr,
    whens: Vec<(Expr, Expr)>,
    _kinds: PhantomData<fn() -> (O, K)>,
}

/// `CASE operand WHEN value THEN result ... [ELSE result] END`:
/// `case_on(Course::level).when(1, "intro").when(2, "advanced").else_("other")`. The values
/// have the operand's kind, the results one kind `K`. As in SQL, a NULL operand matches no
/// WHEN (use [`case`] with `is_null()` for that).
pub fn case_on<E: Expression, K>(operand: E) -> SimpleCase<E::Kind, K> {
    SimpleCase {
        operand: operand.expr(),
        whens: Vec::new(),
        _kinds: PhantomData,
    }
}

impl<O, K> SimpleCase<O, K> {
    /// Adds `WHEN value THEN result`.
    pub fn when(mut self, value: impl Bindable<O>, result: impl Bindable<K>) -> Self {
        self.whens
            .push((value.into_operand(), result.into_operand()));
        self
    }

    /// Ends the CASE with `ELSE result`.
    pub fn else_(self, result: impl Bindable<K>) -> TypedExpr<K> {
        TypedExpr::from_expr(Expr::Case {
            operand: Some(Box::new(self.operand)),
            whens: self.whens,
            else_: Some(Box::new(result.into_operand())),
        })
    }

    /// Ends the CASE without ELSE: NULL when no WHEN matches.
    pub fn end(self) -> TypedExpr<K> {
        TypedExpr::from_expr(self.into_expr())
    }

    fn into_expr(self) -> Expr {
        Expr::Case {
            operand: Some(Box::new(self.operand)),
            whens: self.whens,
            else_: None,
        }
    }
}

macro_rules! case_as_expression {
    ($ty:ident <$($p:ident),+>, $k:ident) => {
        impl<$($p),+> Expression for $ty<$($p),+> {
            type Kind = $k;
            fn expr(self) -> Expr {
                self.into_expr()
            }
        }
        impl<$($p),+> Bindable<$k> for $ty<$($p),+> {
            fn into_operand(self) -> Expr {
                self.into_expr()
            }
        }
        impl<$($p),+> From<$ty<$($p),+>> for Expr {
            fn from(c: $ty<$($p),+>) -> Expr {
                c.into_expr()
            }
        }
        impl<$($p),+> From<$ty<$($p),+>> for OrderBy {
            fn from(c: $ty<$($p),+>) -> OrderBy {
                OrderBy { expr: c.into_expr(), desc: false }
            }
        }
    };
}
case_as_expression!(Case<K>, K);
case_as_expression!(SimpleCase<O, K>, K);
