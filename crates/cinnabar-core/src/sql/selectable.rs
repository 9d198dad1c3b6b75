//! What a typed column select is made of: [`Selectable`] (one select item: its expression,
//! the Rust type it is read as, and how to read it), [`SelectList`] (one item or a tuple of
//! 1 to 12 of them, read from a row into the matching tuple), [`SelectExpr`] (an expression
//! with a declared Rust output, what aggregates return) and [`Labeled`] (an item `AS name`).
//!
//! The ORM's column select (`session.select((Student::name, avg(Enrollment::mark)))`) builds
//! its select list from these and decodes each row with [`SelectList::decode_row`]; the
//! output type is fixed by the items' types, so reading a row into the wrong Rust type does
//! not compile.

use std::borrow::Cow;
use std::marker::PhantomData;

mod list;

pub use list::{SelectList, SingleColumn, ValueSource};

use super::expr::{Expr, OrderBy};
use super::select::SelectItem;
use super::typed::{Bindable, Column, Expression, TypedExpr};
use crate::error::Result;
use crate::types::{kind, ColumnType, FromSql};
use crate::value::ValueRef;

/// How a select item's values are read before conversion: a number the driver hands over as
/// text or as a decimal (PostgreSQL's `NUMERIC` from `AVG` or `SUM(bigint)`, MySQL's
/// `DECIMAL` from `AVG`/`SUM` of integers) becomes an integer or a float when the item's Rust
/// type is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReadAs {
    /// The value as the driver gives it.
    #[default]
    AsIs,
    /// An integer: numeric text or an integral decimal becomes `Int`.
    Integer,
    /// A float: numeric text or a decimal becomes `Real`.
    Real,
}

impl ReadAs {
    /// Applies the rule to one value; values it does not concern pass unchanged.
    pub fn apply(self, value: ValueRef<'_>) -> ValueRef<'_> {
        match (self, value) {
            (ReadAs::AsIs, v) => v,
            (ReadAs::Integer, ValueRef::Text(s)) => {
                let s = s.trim();
                if let Ok(i) = s.parse::<i64>() {
                    return ValueRef::Int(i);
                }
                match s.parse::<f64>() {
                    // `150.00` (a NUMERIC sum keeping a scale) is the integer 150.
                    Ok(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => ValueRef::Int(f as i64),
                    Ok(f) if f.is_finite() => ValueRef::Real(f),
                    _ => value,
                }
            }
            (ReadAs::Real, ValueRef::Text(s)) => match s.trim().parse::<f64>() {
                Ok(f) => ValueRef::Real(f),
                Err(_) => value,
            },
            #[cfg(feature = "decimal")]
            (ReadAs::Integer, ValueRef::Decimal(d)) => {
                use rust_decimal::prelude::ToPrimitive;
                match (d.fract().is_zero(), d.to_i64()) {
                    (true, Some(i)) => ValueRef::Int(i),
                    _ => d.to_f64().map_or(value, ValueRef::Real),
                }
            }
            #[cfg(feature = "decimal")]
            (ReadAs::Real, ValueRef::Decimal(d)) => {
                use rust_decimal::prelude::ToPrimitive;
                d.to_f64().map_or(value, ValueRef::Real)
            }
            (_, v) => v,
        }
    }
}

/// A SQL kind's reading rule and the Rust type a [`TypedExpr`] of that kind is read as when
/// selected (nullable, since an expression can be NULL; pick another with
/// [`TypedExpr::output`]).
pub trait SelectKind {
    /// How values of this kind are read (see [`ReadAs`]).
    const READ_AS: ReadAs;
    /// The Rust type a selected `TypedExpr` of this kind decodes into.
    type Default: FromSql;
}

macro_rules! select_kind {
    ($($(#[$m:meta])* $k:ident => $read:ident, $default:ty;)*) => {$(
        $(#[$m])*
        impl SelectKind for kind::$k {
            const READ_AS: ReadAs = ReadAs::$read;
            type Default = $default;
        }
    )*};
}

select_kind! {
    Integer => Integer, Option<i64>;
    Real => Real, Option<f64>;
    Text => AsIs, Option<String>;
    Bool => AsIs, Option<bool>;
    Blob => AsIs, Option<Vec<u8>>;
    #[cfg(feature = "chrono")]
    Date => AsIs, Option<chrono::NaiveDate>;
    #[cfg(feature = "chrono")]
    Time => AsIs, Option<chrono::NaiveTime>;
    #[cfg(feature = "chrono")]
    Timestamp => AsIs, Option<chrono::NaiveDateTime>;
    #[cfg(feature = "uuid")]
    Uuid => AsIs, Option<uuid::Uuid>;
    #[cfg(feature = "decimal")]
    Decimal => AsIs, Option<rust_decimal::Decimal>;
    #[cfg(feature = "json")]
    Json => AsIs, Option<serde_json::Value>;
}

/// One item of a typed select list: its expression, the Rust type it is read as, and how.
///
/// Implemented by columns (`Student::name` reads as the field's type), typed expressions
/// (`Student::name.upper()` reads as `Option<String>`), aggregates (`count` → `i64`, `avg`
/// → `Option<f64>`, `sum`/`min`/`max` of a `T` column → `Option<T>`, see
/// [`super::aggregate`]) and [`Labeled`] items.
pub trait Selectable: Sized {
    /// The Rust type one value of this item is read as.
    type Output;
    /// How the item's values are read before conversion.
    const READ_AS: ReadAs;

    /// The select-list entry (expression and optional `AS` label).
    fn select_item(self) -> SelectItem;

    /// Reads one value of this item.
    ///
    /// # Errors
    /// A conversion error naming the SQL type found and the Rust type wanted (the caller
    /// adds which item).
    fn decode(value: ValueRef<'_>) -> Result<Self::Output>;

    /// This item `AS name`: the result column is called `name`, which is how a
    /// `#[derive(FromRow)]` struct finds it (`avg(Enrollment::mark).label("avg_mark")`).
    fn label(self, name: impl Into<Cow<'static, str>>) -> Labeled<Self> {
        Labeled {
            inner: self,
            name: name.into(),
        }
    }
}

impl<M, T: ColumnType> Selectable for Column<M, T>
where
    T::Kind: SelectKind,
{
    type Output = T;
    const READ_AS: ReadAs = <T::Kind as SelectKind>::READ_AS;

    fn select_item(self) -> SelectItem {
        SelectItem {
            expr: self.into(),
            alias: None,
        }
    }

    fn decode(value: ValueRef<'_>) -> Result<T> {
        T::from_sql_column(Self::READ_AS.apply(value), T::SQL_TYPE)
    }
}

impl<K: SelectKind> Selectable for TypedExpr<K> {
    type Output = K::Default;
    const READ_AS: ReadAs = K::READ_AS;

    fn select_item(self) -> SelectItem {
        SelectItem {
            expr: self.into_inner(),
            alias: None,
        }
    }

    fn decode(value: ValueRef<'_>) -> Result<K::Default> {
        K::Default::from_sql(Self::READ_AS.apply(value))
    }
}

/// The Rust type a column of type `Self` is read as where the value may be NULL: `T` →
/// `Option<T>`, `Option<T>` → `Option<T>`. What `sum`, `min` and `max` of a column return,
/// and what [`Column::nullable`] reads (a column of an outer-joined table).
pub trait Nullable {
    /// `Option<Self>` without nesting options.
    type Nullable: FromSql;
}

impl<T: FromSql> Nullable for Option<T> {
    type Nullable = Option<T>;
}

macro_rules! nullable {
    ($($(#[$m:meta])* $t:ty),* $(,)?) => {$(
        $(#[$m])*
        impl Nullable for $t {
            type Nullable = Option<$t>;
        }
    )*};
}

nullable!(
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    f32,
    f64,
    bool,
    String,
    Vec<u8>
);
nullable!(
    #[cfg(feature = "chrono")]
    chrono::NaiveDate,
    #[cfg(feature = "chrono")]
    chrono::NaiveTime,
    #[cfg(feature = "chrono")]
    chrono::NaiveDateTime,
    #[cfg(feature = "chrono")]
    chrono::DateTime<chrono::Utc>,
    #[cfg(feature = "uuid")]
    uuid::Uuid,
    #[cfg(feature = "decimal")]
    rust_decimal::Decimal,
    #[cfg(feature = "json")]
    serde_json::Value,
);

/// An expression of SQL kind `K` whose selected value is read as the Rust type `O`: what the
/// aggregate functions return (`avg(..)` is a `SelectExpr<kind::Real, Option<f64>>`) and
/// what [`TypedExpr::output`] makes. Usable wherever a [`TypedExpr<K>`] is: comparisons,
/// `having`, `order_by`.
pub struct SelectExpr<K, O> {
    expr: Expr,
    _marker: PhantomData<fn() -> (K, O)>,
}

impl<K, O> SelectExpr<K, O> {
    /// Wraps an untyped expression, asserting its kind and output.
    pub fn from_expr(expr: Expr) -> Self {
        SelectExpr {
            expr,
            _marker: PhantomData,
        }
    }

    /// The untyped expression.
    pub fn into_inner(self) -> Expr {
        self.expr
    }

    /// The same expression read as `T` instead.
    pub fn output<T: FromSql>(self) -> SelectExpr<K, T> {
        SelectExpr::from_expr(self.expr)
    }

    /// The same expression as a plain [`TypedExpr`].
    pub fn typed(self) -> TypedExpr<K> {
        TypedExpr::from_expr(self.expr)
    }
}

impl<K, O> Clone for SelectExpr<K, O> {
    fn clone(&self) -> Self {
        SelectExpr::from_expr(self.expr.clone())
    }
}

impl<K, O> std::fmt::Debug for SelectExpr<K, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SelectExpr").field(&self.expr).finish()
    }
}

impl<K: SelectKind, O: FromSql> Selectable for SelectExpr<K, O> {
    type Output = O;
    const READ_AS: ReadAs = K::READ_AS;

    fn select_item(self) -> SelectItem {
        SelectItem {
            expr: self.expr,
            alias: None,
        }
    }

    fn decode(value: ValueRef<'_>) -> Result<O> {
        O::from_sql(Self::READ_AS.apply(value))
    }
}

impl<K, O> Expression for SelectExpr<K, O> {
    type Kind = K;
    fn expr(self) -> Expr {
        self.expr
    }
}

impl<K, O> Bindable<K> for SelectExpr<K, O> {
    fn into_operand(self) -> Expr {
        self.expr
    }
}

impl<K, O> From<SelectExpr<K, O>> for Expr {
    fn from(e: SelectExpr<K, O>) -> Expr {
        e.expr
    }
}

impl<K, O> From<SelectExpr<K, O>> for OrderBy {
    fn from(e: SelectExpr<K, O>) -> OrderBy {
        OrderBy {
            expr: e.expr,
            desc: false,
        }
    }
}

impl<K, O> SelectExpr<K, O> {
    /// This aggregate as a window function, `AGG(..) OVER (window)`, read as the same type:
    /// a running sum is `sum(Enrollment::mark).over(Window::new().order_by(..))`.
    pub fn over(self, window: super::window::Window) -> SelectExpr<K, O> {
        SelectExpr::from_expr(self.typed().over(window).into_inner())
    }
}

impl<K, O> super::func::Argument for SelectExpr<K, O> {
    fn into_argument(self) -> Expr {
        self.expr
    }
}

impl<K> TypedExpr<K> {
    /// This expression, selected and read as `T` instead of its kind's nullable default:
    /// `Enrollment::mark.mul(2).output::<i64>()`.
    pub fn output<T: FromSql>(self) -> SelectExpr<K, T> {
        SelectExpr::from_expr(self.into_inner())
    }
}

impl<M, T: ColumnType + Nullable> Column<M, T> {
    /// This column read as `Option<T>`: for a column of an outer-joined table, which is NULL
    /// where the join found no row (`Enrollment::mark.nullable()`).
    pub fn nullable(self) -> SelectExpr<T::Kind, T::Nullable> {
        SelectExpr::from_expr(self.into())
    }
}

/// A select item with a label (`expr AS name`), made by [`Selectable::label`].
#[derive(Debug, Clone)]
pub struct Labeled<S> {
    inner: S,
    name: Cow<'static, str>,
}

impl<S> Labeled<S> {
    /// The label.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl<S: Selectable> Selectable for Labeled<S> {
    type Output = S::Output;
    const READ_AS: ReadAs = S::READ_AS;

    fn select_item(self) -> SelectItem {
        SelectItem {
            alias: Some(self.name),
            ..self.inner.select_item()
        }
    }

    fn decode(value: ValueRef<'_>) -> Result<S::Output> {
        S::decode(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_text_is_read_as_the_item_wants() {
        assert_eq!(
            ReadAs::Real.apply(ValueRef::Text("75.5000")),
            ValueRef::Real(75.5)
        );
        assert_eq!(
            ReadAs::Integer.apply(ValueRef::Text("150")),
            ValueRef::Int(150)
        );
        assert_eq!(
            ReadAs::Integer.apply(ValueRef::Text("150.00")),
            ValueRef::Int(150)
        );
        assert_eq!(
            ReadAs::Integer.apply(ValueRef::Text("1.5")),
            ValueRef::Real(1.5)
        );
        assert_eq!(
            ReadAs::AsIs.apply(ValueRef::Text("150")),
            ValueRef::Text("150")
        );
        assert_eq!(
            ReadAs::Real.apply(ValueRef::Text("abc")),
            ValueRef::Text("abc")
        );
        assert_eq!(ReadAs::Real.apply(ValueRef::Null), ValueRef::Null);
    }
}
