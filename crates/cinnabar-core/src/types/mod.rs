//! SQL column types and the conversions between Rust values and SQL values.
//!
//! [`ToSql`] and [`FromSql`] convert one value; [`ColumnType`] ties a Rust type to its SQL
//! type, nullability and comparison [`kind`], which is what makes `Student::name.eq(5)`
//! a compile error. Used by the schema (DDL types), the derive (column declarations), the
//! drivers (binding) and row decoding.

use crate::error::{Error, Result};
use crate::value::{Value, ValueRef};

/// A column's SQL type, rendered to a type name by each dialect.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SqlType {
    /// 16-bit integer.
    SmallInt,
    /// 32-bit integer.
    Integer,
    /// 64-bit integer.
    BigInt,
    /// Single-precision float.
    Float,
    /// Double-precision float.
    Double,
    /// Boolean.
    Boolean,
    /// Text with an optional maximum length in characters.
    Text(Option<u32>),
    /// Bytes.
    Blob,
    /// Calendar date.
    Date,
    /// Time of day.
    Time,
    /// Date and time without zone.
    DateTime,
    /// Instant with time zone (stored as UTC).
    DateTimeTz,
    /// UUID.
    Uuid,
    /// Exact decimal with precision and scale.
    Decimal(u8, u8),
    /// JSON document.
    Json,
}

/// Marker types grouping Rust types that compare with each other in SQL.
///
/// `i16`, `i32` and `i64` columns all have kind [`kind::Integer`], so an `i64` column can be
/// compared with an integer literal, but not with a string.
pub mod kind {
    /// Integers of any width.
    #[derive(Debug, Clone, Copy)]
    pub struct Integer;
    /// Floats.
    #[derive(Debug, Clone, Copy)]
    pub struct Real;
    /// Text.
    #[derive(Debug, Clone, Copy)]
    pub struct Text;
    /// Booleans.
    #[derive(Debug, Clone, Copy)]
    pub struct Bool;
    /// Bytes.
    #[derive(Debug, Clone, Copy)]
    pub struct Blob;
    /// Dates.
    #[derive(Debug, Clone, Copy)]
    pub struct Date;
    /// Times of day.
    #[derive(Debug, Clone, Copy)]
    pub struct Time;
    /// Timestamps.
    #[derive(Debug, Clone, Copy)]
    pub struct Timestamp;
    /// UUIDs.
    #[derive(Debug, Clone, Copy)]
    pub struct Uuid;
    /// Decimals.
    #[derive(Debug, Clone, Copy)]
    pub struct Decimal;
    /// JSON.
    #[derive(Debug, Clone, Copy)]
    pub struct Json;
}

/// Converts a Rust value into a SQL value for binding.
pub trait ToSql {
    /// Borrows `self` as a SQL value.
    ///
    /// # Errors
    /// [`ErrorKind::Conversion`](crate::ErrorKind::Conversion) when the value cannot be
    /// represented (for example a `u64` above `i64::MAX`).
    fn to_sql(&self) -> Result<ValueRef<'_>>;

    /// Copies `self` into an owned SQL value.
    ///
    /// # Errors
    /// As [`ToSql::to_sql`].
    fn to_value(&self) -> Result<Value> {
        Ok(self.to_sql()?.to_owned_value())
    }
}

/// Converts a SQL value read from a row into a Rust value.
pub trait FromSql: Sized {
    /// Converts `value`.
    ///
    /// # Errors
    /// [`ErrorKind::Conversion`](crate::ErrorKind::Conversion) naming the SQL type found and
    /// the Rust type wanted; the caller adds the column name.
    fn from_sql(value: ValueRef<'_>) -> Result<Self>;

    /// Converts `value` read from a column declared as `sql_type`: what model fields use.
    /// The same as [`FromSql::from_sql`] except where the declaration adds something the
    /// stored value lacks: a decimal read from a `NUMERIC(p, s)` column comes back at scale
    /// `s` (SQLite stores `1.50` as the REAL `1.5`), as PostgreSQL and MySQL return it.
    ///
    /// # Errors
    /// As [`FromSql::from_sql`].
    fn from_sql_column(value: ValueRef<'_>, sql_type: SqlType) -> Result<Self> {
        let _ = sql_type;
        Self::from_sql(value)
    }
}

/// A Rust type usable as a model field: its SQL type, nullability and comparison kind.
pub trait ColumnType: ToSql + FromSql + Clone + PartialEq + Send + Sync + 'static {
    /// The SQL type used in DDL.
    const SQL_TYPE: SqlType;
    /// Whether NULL is allowed (true for `Option<T>`).
    const NULLABLE: bool = false;
    /// The comparison kind (see [`kind`]).
    type Kind;
}

fn mismatch<T>(value: ValueRef<'_>) -> Error {
    Error::conversion(format!(
        "cannot convert SQL {} to Rust {}",
        value.type_name(),
        std::any::type_name::<T>()
    ))
}

#[cfg(feature = "chrono")]
mod chrono_types;
#[cfg(feature = "decimal")]
mod decimal_types;
#[cfg(feature = "json")]
mod json_types;
mod std_impls;
#[cfg(feature = "uuid")]
mod uuid_types;

/// Converts a primary key (a single value or a tuple, for composite keys) into the column
/// values it binds, in key order. Implemented for every [`ToSql`] type and tuples of them.
pub trait KeyValues {
    /// The key's column values.
    ///
    /// # Errors
    /// A conversion error when a part cannot be stored.
    fn key_values(&self) -> Result<Vec<Value>>;
}

impl<T: ToSql> KeyValues for T {
    fn key_values(&self) -> Result<Vec<Value>> {
        Ok(vec![self.to_value()?])
    }
}

macro_rules! tuple_key {
    ($($t:ident $i:tt),+) => {
        impl<$($t: ToSql),+> KeyValues for ($($t,)+) {
            fn key_values(&self) -> Result<Vec<Value>> {
                Ok(vec![$(self.$i.to_value()?),+])
            }
        }
    };
}
tuple_key!(A 0, B 1);
tuple_key!(A 0, B 1, C 2);
tuple_key!(A 0, B 1, C 2, D 3);

#[cfg(test)]
mod tests;
