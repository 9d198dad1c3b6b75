//! The typed expression layer: [`Column`] handles (`Student::name`), [`TypedExpr`] and the
//! [`Expression`] methods (`eq`, `lt`, `like`, `in_`, ...) that only accept operands of the
//! same SQL kind, so `Student::name.eq(5)` does not compile.
//!
//! Every method builds an untyped [`Expr`]; values become bound parameters.

use std::marker::PhantomData;

use super::expr::{BinOp, Expr, Function, OrderBy};
use crate::types::{kind, ColumnType};
use crate::value::Value;

/// A typed handle to a model's column: `M` is the model, `T` the Rust field type.
///
/// The derive emits one per field as an associated constant, so `Student::name` is a
/// `Column<Student, String>`.
pub struct Column<M, T> {
    table: &'static str,
    name: &'static str,
    index: usize,
    _marker: PhantomData<fn() -> (M, T)>,
}

impl<M, T> Column<M, T> {
    /// A handle to column `name` (at position `index`) of `table`.
    pub const fn new(table: &'static str, name: &'static str, index: usize) -> Self {
        Column {
            table,
            name,
            index,
            _marker: PhantomData,
        }
    }

    /// The column's name.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The column's table.
    pub const fn table(&self) -> &'static str {
        self.table
    }

    /// The column's position in the model's table.
    pub const fn index(&self) -> usize {
        self.index
    }

    /// The same column qualified by a table alias, for self-joins:
    /// `Course::title.of("prereq").eq("Python")`.
    pub const fn of(self, alias: &'static str) -> Self {
        Column {
            table: alias,
            name: self.name,
            index: self.index,
            _marker: PhantomData,
        }
    }
}

impl<M, T> Clone for Column<M, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M, T> Copy for Column<M, T> {}

impl<M, T> std::fmt::Debug for Column<M, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Column({}.{})", self.table, self.name)
    }
}

/// An expression of SQL kind `K` (see [`kind`]).
#[derive(Debug, Clone)]
pub struct TypedExpr<K> {
    expr: Expr,
    _kind: PhantomData<fn() -> K>,
}

/// A boolean expression, as taken by `filter`.
pub type Condition = TypedExpr<kind::Bool>;

impl<K> TypedExpr<K> {
    /// Wraps an untyped expression, asserting its kind.
    pub fn from_expr(expr: Expr) -> Self {
        TypedExpr {
            expr,
            _kind: PhantomData,
        }
    }

    /// The untyped expression.
    pub fn into_inner(self) -> Expr {
        self.expr
    }

    /// Borrows the untyped expression.
    pub fn as_expr(&self) -> &Expr {
        &self.expr
    }
}

impl<K> From<TypedExpr<K>> for Expr {
    fn from(t: TypedExpr<K>) -> Expr {
        t.expr
    }
}

impl<M, T> From<Column<M, T>> for Expr {
    fn from(c: Column<M, T>) -> Expr {
        c.to_expr()
    }
}

impl<M, T> Column<M, T> {
    fn to_expr(self) -> Expr {
        Expr::Column(super::expr::ColumnRef::qualified(self.table, self.name))
    }
}

/// Something usable as an operand of kind `K`: a Rust value, a column or an expression.
pub trait Bindable<K> {
    /// Converts into an untyped expression (values become bound parameters).
    fn into_operand(self) -> Expr;
}

fn value_operand<T: crate::types::ToSql>(v: &T) -> Expr {
    match v.to_value() {
        Ok(v) => Expr::Value(v),
        Err(e) => Expr::Invalid(e.message().to_owned()),
    }
}

impl<T: ColumnType> Bindable<T::Kind> for T {
    fn into_operand(self) -> Expr {
        // Owned text and bytes move into the bound value instead of being copied (a lookup
        // by a `String` costs no second allocation). `ColumnType: 'static`, so the checks
        // are type comparisons the compiler resolves.
        let mut v = Some(self);
        let any: &mut dyn std::any::Any = &mut v;
        if let Some(s) = any.downcast_mut::<Option<String>>() {
            return Expr::Value(s.take().map_or(Value::Null, Value::Text));
        }
        if let Some(Some(s)) = any.downcast_mut::<Option<Option<String>>>() {
            return Expr::Value(s.take().map_or(Value::Null, Value::Text));
        }
        if let Some(b) = any.downcast_mut::<Option<Vec<u8>>>() {
            return Expr::Value(b.take().map_or(Value::Null, Value::Blob));
        }
        match &v {
            Some(v) => value_operand(v),
            None => unreachable!("set above"),
        }
    }
}

impl Bindable<kind::Text> for &str {
    fn into_operand(self) -> Expr {
        Expr::Value(Value::Text(self.to_owned()))
    }
}

impl Bindable<kind::Text> for &String {
    fn into_operand(self) -> Expr {
        Expr::Value(Value::Text(self.clone()))
    }
}

impl Bindable<kind::Blob> for &[u8] {
    fn into_operand(self) -> Expr {
        Expr::Value(Value::Blob(self.to_vec()))
    }
}

impl<M, T: ColumnType> Bindable<T::Kind> for Column<M, T> {
    fn into_operand(self) -> Expr {
        self.to_expr()
    }
}

impl<K> Bindable<K> for TypedExpr<K> {
    fn into_operand(self) -> Expr {
        self.expr
    }
}

/// Methods shared by columns and typed expressions. Import it through the prelude.
///
/// Methods take `self` by value: columns are `Copy` and expressions are consumed into the
/// tree they build (hence the allowed `is_*` naming lint).
#[allow(clippy::wrong_self_convention)]
pub trait Expression: Sized {
    /// The SQL kind of this expression.
    type Kind;

    /// The untyped expression.
    fn expr(self) -> Expr;

    /// `self = other`; with a NULL value (`None`) the compiler writes `self IS NULL`, since
    /// `= NULL` matches no row.
    fn eq<V: Bindable<Self::Kind>>(self, other: V) -> Condition {
        Condition::from_expr(self.expr().binary(BinOp::Eq, other.into_operand()))
    }
    /// `self <> other`; with a NULL value (`None`) the compiler writes `self IS NOT NULL`.
    fn ne<V: Bindable<Self::Kind>>(self, other: V) -> Condition {
        Condition::from_expr(self.expr().binary(BinOp::Ne, other.into_operand()))
    }
    /// `self < other`
    fn lt<V: Bindable<Self::Kind>>(self, other: V) -> Condition {
        Condition::from_expr(self.expr().binary(BinOp::Lt, other.into_operand()))
    }
    /// `self <= other`
    fn le<V: Bindable<Self::Kind>>(self, other: V) -> Condition {
        Condition::from_expr(self.expr().binary(BinOp::Le, other.into_operand()))
    }
    /// `self > other`
    fn gt<V: Bindable<Self::Kind>>(self, other: V) -> Condition {
        Condition::from_expr(self.expr().binary(BinOp::Gt, other.into_operand()))
    }
    /// `self >= other`
    fn ge<V: Bindable<Self::Kind>>(self, other: V) -> Condition {
        Condition::from_expr(self.expr().binary(BinOp::Ge, other.into_operand()))
    }
    /// `self IS NULL`
    fn is_null(self) -> Condition {
        Condition::from_expr(Expr::IsNull {
            expr: Box::new(self.expr()),
            negated: false,
        })
    }
    /// `self IS NOT NULL`
    fn is_not_null(self) -> Condition {
        Condition::from_expr(Expr::IsNull {
            expr: Box::new(self.expr()),
            negated: true,
        })
    }
    /// `self IN (values...)`; an empty list matches nothing.
    fn in_<I, V>(self, values: I) -> Condition
    where
        I: IntoIterator<Item = V>,
        V: Bindable<Self::Kind>,
    {
        Condition::from_expr(Expr::InList {
            expr: Box::new(self.expr()),
            list: values.into_iter().map(Bindable::into_operand).collect(),
            negated: false,
        })
    }
    /// `self NOT IN (values...)`; an empty list matches everything.
    fn not_in<I, V>(self, values: I) -> Condition
    where
        I: IntoIterator<Item = V>,
        V: Bindable<Self::Kind>,
    {
        Condition::from_expr(Expr::InList {
            expr: Box::new(self.expr()),
            list: values.into_iter().map(Bindable::into_operand).collect(),
            negated: true,
        })
    }
    /// `self BETWEEN low AND high`
    fn between<A: Bindable<Self::Kind>, B: Bindable<Self::Kind>>(
        self,
        low: A,
        high: B,
    ) -> Condition {
        Condition::from_expr(Expr::Between {
            expr: Box::new(self.expr()),
            low: Box::new(low.into_operand()),
            high: Box::new(high.into_operand()),
            negated: false,
        })
    }
    /// `self + other`
    fn add<V: Bindable<Self::Kind>>(self, other: V) -> TypedExpr<Self::Kind> {
        TypedExpr::from_expr(self.expr().binary(BinOp::Add, other.into_operand()))
    }
    /// `self - other`
    fn sub<V: Bindable<Self::Kind>>(self, other: V) -> TypedExpr<Self::Kind> {
        TypedExpr::from_expr(self.expr().binary(BinOp::Sub, other.into_operand()))
    }
    /// `self * other`
    fn mul<V: Bindable<Self::Kind>>(self, other: V) -> TypedExpr<Self::Kind> {
        TypedExpr::from_expr(self.expr().binary(BinOp::Mul, other.into_operand()))
    }
    /// `self / other`
    fn div<V: Bindable<Self::Kind>>(self, other: V) -> TypedExpr<Self::Kind> {
        TypedExpr::from_expr(self.expr().binary(BinOp::Div, other.into_operand()))
    }
    /// `self % other`
    fn modulo<V: Bindable<Self::Kind>>(self, other: V) -> TypedExpr<Self::Kind> {
        TypedExpr::from_expr(self.expr().binary(BinOp::Mod, other.into_operand()))
    }
    /// `MAX(self)`
    fn max(self) -> TypedExpr<Self::Kind> {
        TypedExpr::from_expr(func(Function::Max, self.expr()))
    }
    /// `MIN(self)`
    fn min(self) -> TypedExpr<Self::Kind> {
        TypedExpr::from_expr(func(Function::Min, self.expr()))
    }
    /// `SUM(self)`
    fn sum(self) -> TypedExpr<Self::Kind> {
        TypedExpr::from_expr(func(Function::Sum, self.expr()))
    }
    /// `AVG(self)`, a float; an integer or decimal operand is cast to a float first, as
    /// the free [`avg`](super::aggregate::avg) does, so every database gives the same
    /// average (MariaDB would round an integer average to 4 decimals).
    fn avg(self) -> TypedExpr<kind::Real>
    where
        Self::Kind: super::aggregate::NumericKind,
    {
        TypedExpr::from_expr(super::aggregate::avg_expr::<Self::Kind>(self.expr()))
    }
    /// `COUNT(self)` (non-null values)
    fn count(self) -> TypedExpr<kind::Integer> {
        TypedExpr::from_expr(func(Function::Count, self.expr()))
    }
    /// Ascending order.
    fn asc(self) -> OrderBy {
        OrderBy {
            expr: self.expr(),
            desc: false,
        }
    }
    /// Descending order.
    fn desc(self) -> OrderBy {
        OrderBy {
            expr: self.expr(),
            desc: true,
        }
    }
}

fn func(f: Function, arg: Expr) -> Expr {
    Expr::Func {
        func: f,
        args: vec![arg],
        distinct: false,
    }
}

impl<M, T: ColumnType> Expression for Column<M, T> {
    type Kind = T::Kind;
    fn expr(self) -> Expr {
        self.to_expr()
    }
}

impl<K> Expression for TypedExpr<K> {
    type Kind = K;
    fn expr(self) -> Expr {
        self.expr
    }
}

/// Text-only methods.
pub trait TextExpression: Expression<Kind = kind::Text> {
    /// `self LIKE pattern` (the pattern is bound; `%` and `_` are wildcards).
    fn like(self, pattern: impl Bindable<kind::Text>) -> Condition {
        Condition::from_expr(Expr::Like {
            expr: Box::new(self.expr()),
            pattern: Box::new(pattern.into_operand()),
            negated: false,
        })
    }
    /// `self NOT LIKE pattern`
    fn not_like(self, pattern: impl Bindable<kind::Text>) -> Condition {
        Condition::from_expr(Expr::Like {
            expr: Box::new(self.expr()),
            pattern: Box::new(pattern.into_operand()),
            negated: true,
        })
    }
    /// `LOWER(self)`
    fn lower(self) -> TypedExpr<kind::Text> {
        TypedExpr::from_expr(func(Function::Lower, self.expr()))
    }
    /// `UPPER(self)`
    fn upper(self) -> TypedExpr<kind::Text> {
        TypedExpr::from_expr(func(Function::Upper, self.expr()))
    }
    /// `LENGTH(self)`
    fn length(self) -> TypedExpr<kind::Integer> {
        TypedExpr::from_expr(func(Function::Length, self.expr()))
    }
    /// `self || other`
    fn concat(self, other: impl Bindable<kind::Text>) -> TypedExpr<kind::Text> {
        TypedExpr::from_expr(self.expr().binary(BinOp::Concat, other.into_operand()))
    }
}

impl<E: Expression<Kind = kind::Text>> TextExpression for E {}

impl Condition {
    /// `self AND other`
    pub fn and(self, other: impl Bindable<kind::Bool>) -> Condition {
        Condition::from_expr(self.expr.and(other.into_operand()))
    }
    /// `self OR other`
    pub fn or(self, other: impl Bindable<kind::Bool>) -> Condition {
        Condition::from_expr(self.expr.or(other.into_operand()))
    }
}

/// `NOT cond`
pub fn not(cond: impl Bindable<kind::Bool>) -> Condition {
    Condition::from_expr(Expr::Not(Box::new(cond.into_operand())))
}

/// `a AND b AND ...`; true when empty.
pub fn and_all(conds: impl IntoIterator<Item = Condition>) -> Condition {
    Condition::from_expr(Expr::And(conds.into_iter().map(|c| c.expr).collect()))
}

/// `a OR b OR ...`; false when empty.
pub fn or_any(conds: impl IntoIterator<Item = Condition>) -> Condition {
    Condition::from_expr(Expr::Or(conds.into_iter().map(|c| c.expr).collect()))
}

impl std::ops::BitAnd for Condition {
    type Output = Condition;
    fn bitand(self, rhs: Condition) -> Condition {
        self.and(rhs)
    }
}

impl std::ops::BitOr for Condition {
    type Output = Condition;
    fn bitor(self, rhs: Condition) -> Condition {
        self.or(rhs)
    }
}

impl std::ops::Not for Condition {
    type Output = Condition;
    fn not(self) -> Condition {
        not(self)
    }
}

impl<M, T> From<Column<M, T>> for OrderBy {
    fn from(c: Column<M, T>) -> OrderBy {
        OrderBy {
            expr: c.to_expr(),
            desc: false,
        }
    }
}
