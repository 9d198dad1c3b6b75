//! The conversions of the standard types: integers (range-checked), floats, `bool`,
//! strings, bytes, `Option<T>` (NULL) and `Value` itself. An exact numeric (`DECIMAL` /
//! `NUMERIC`, a `Decimal` value under the `decimal` feature) reads into an integer when it is
//! a whole number in range (else a conversion error) and into a float as the nearest one.

use super::*;

/// An exact numeric (`DECIMAL` / `NUMERIC`: MariaDB's SUM and AVG of integers,
/// PostgreSQL's SUM of `BIGINT`) as an integer, when it is a whole number that fits `i64`.
#[cfg(feature = "decimal")]
fn exact_integer(d: rust_decimal::Decimal) -> Option<i64> {
    use rust_decimal::prelude::ToPrimitive;
    if d.fract().is_zero() {
        d.to_i64()
    } else {
        None
    }
}

/// The error for an exact numeric that is not a whole number in `T`'s range.
#[cfg(feature = "decimal")]
fn inexact_decimal<T>(d: rust_decimal::Decimal) -> Error {
    Error::conversion(format!(
        "decimal {d} is not a whole number in the range of Rust {}: read it as a float or a \
         Decimal",
        std::any::type_name::<T>()
    ))
}

macro_rules! int_type {
    ($t:ty, $sql:expr) => {
        impl ToSql for $t {
            fn to_sql(&self) -> Result<ValueRef<'_>> {
                Ok(ValueRef::Int(i64::from(*self)))
            }
        }
        impl FromSql for $t {
            fn from_sql(value: ValueRef<'_>) -> Result<Self> {
                match value {
                    ValueRef::Int(i) => <$t>::try_from(i).map_err(|_| {
                        Error::conversion(format!(
                            "integer {i} is out of range for Rust {}",
                            stringify!($t)
                        ))
                    }),
                    ValueRef::Bool(b) => Ok(<$t>::from(b)),
                    #[cfg(feature = "decimal")]
                    ValueRef::Decimal(d) => exact_integer(d)
                        .and_then(|i| <$t>::try_from(i).ok())
                        .ok_or_else(|| inexact_decimal::<$t>(d)),
                    other => Err(mismatch::<$t>(other)),
                }
            }
        }
        impl ColumnType for $t {
            const SQL_TYPE: SqlType = $sql;
            type Kind = kind::Integer;
        }
    };
}

int_type!(i8, SqlType::SmallInt);
int_type!(i16, SqlType::SmallInt);
int_type!(i32, SqlType::Integer);
int_type!(i64, SqlType::BigInt);
int_type!(u8, SqlType::SmallInt);
int_type!(u16, SqlType::Integer);
int_type!(u32, SqlType::BigInt);

impl ToSql for u64 {
    fn to_sql(&self) -> Result<ValueRef<'_>> {
        i64::try_from(*self).map(ValueRef::Int).map_err(|_| {
            Error::conversion(format!(
                "u64 value {self} exceeds the largest storable integer (i64::MAX)"
            ))
        })
    }
}
impl FromSql for u64 {
    fn from_sql(value: ValueRef<'_>) -> Result<Self> {
        match value {
            ValueRef::Int(i) => u64::try_from(i).map_err(|_| {
                Error::conversion(format!("integer {i} is out of range for Rust u64"))
            }),
            #[cfg(feature = "decimal")]
            ValueRef::Decimal(d) => exact_integer(d)
                .and_then(|i| u64::try_from(i).ok())
                .ok_or_else(|| inexact_decimal::<u64>(d)),
            other => Err(mismatch::<u64>(other)),
        }
    }
}
impl ColumnType for u64 {
    const SQL_TYPE: SqlType = SqlType::BigInt;
    type Kind = kind::Integer;
}

impl ToSql for f64 {
    fn to_sql(&self) -> Result<ValueRef<'_>> {
        Ok(ValueRef::Real(*self))
    }
}
impl FromSql for f64 {
    fn from_sql(value: ValueRef<'_>) -> Result<Self> {
        match value {
            ValueRef::Real(f) => Ok(f),
            ValueRef::Int(i) => Ok(i as f64),
            #[cfg(feature = "decimal")]
            ValueRef::Decimal(d) => {
                use rust_decimal::prelude::ToPrimitive;
                d.to_f64().ok_or_else(|| mismatch::<f64>(value))
            }
            other => Err(mismatch::<f64>(other)),
        }
    }
}
impl ColumnType for f64 {
    const SQL_TYPE: SqlType = SqlType::Double;
    type Kind = kind::Real;
}

impl ToSql for f32 {
    fn to_sql(&self) -> Result<ValueRef<'_>> {
        Ok(ValueRef::Real(f64::from(*self)))
    }
}
impl FromSql for f32 {
    fn from_sql(value: ValueRef<'_>) -> Result<Self> {
        let f = f64::from_sql(value)?;
        if f.is_finite() && f.abs() > f64::from(f32::MAX) {
            return Err(Error::conversion(format!(
                "float {f} is out of range for Rust f32"
            )));
        }
        Ok(f as f32)
    }
}
impl ColumnType for f32 {
    const SQL_TYPE: SqlType = SqlType::Float;
    type Kind = kind::Real;
}

impl ToSql for bool {
    fn to_sql(&self) -> Result<ValueRef<'_>> {
        Ok(ValueRef::Bool(*self))
    }
}
impl FromSql for bool {
    fn from_sql(value: ValueRef<'_>) -> Result<Self> {
        match value {
            ValueRef::Bool(b) => Ok(b),
            ValueRef::Int(0) => Ok(false),
            ValueRef::Int(1) => Ok(true),
            ValueRef::Int(i) => Err(Error::conversion(format!(
                "integer {i} is not a boolean (expected 0 or 1)"
            ))),
            other => Err(mismatch::<bool>(other)),
        }
    }
}
impl ColumnType for bool {
    const SQL_TYPE: SqlType = SqlType::Boolean;
    type Kind = kind::Bool;
}

impl ToSql for String {
    fn to_sql(&self) -> Result<ValueRef<'_>> {
        Ok(ValueRef::Text(self))
    }
}
impl FromSql for String {
    fn from_sql(value: ValueRef<'_>) -> Result<Self> {
        match value {
            ValueRef::Text(s) => Ok(s.to_owned()),
            other => Err(mismatch::<String>(other)),
        }
    }
}
impl ColumnType for String {
    const SQL_TYPE: SqlType = SqlType::Text(None);
    type Kind = kind::Text;
}

impl ToSql for str {
    fn to_sql(&self) -> Result<ValueRef<'_>> {
        Ok(ValueRef::Text(self))
    }
}

impl ToSql for Vec<u8> {
    fn to_sql(&self) -> Result<ValueRef<'_>> {
        Ok(ValueRef::Blob(self))
    }
}
impl FromSql for Vec<u8> {
    fn from_sql(value: ValueRef<'_>) -> Result<Self> {
        match value {
            ValueRef::Blob(b) => Ok(b.to_vec()),
            other => Err(mismatch::<Vec<u8>>(other)),
        }
    }
}
impl ColumnType for Vec<u8> {
    const SQL_TYPE: SqlType = SqlType::Blob;
    type Kind = kind::Blob;
}

impl ToSql for [u8] {
    fn to_sql(&self) -> Result<ValueRef<'_>> {
        Ok(ValueRef::Blob(self))
    }
}

impl<T: ToSql + ?Sized> ToSql for &T {
    fn to_sql(&self) -> Result<ValueRef<'_>> {
        (**self).to_sql()
    }
}

impl<T: ToSql> ToSql for Option<T> {
    fn to_sql(&self) -> Result<ValueRef<'_>> {
        match self {
            Some(v) => v.to_sql(),
            None => Ok(ValueRef::Null),
        }
    }
}
impl<T: FromSql> FromSql for Option<T> {
    fn from_sql(value: ValueRef<'_>) -> Result<Self> {
        match value {
            ValueRef::Null => Ok(None),
            v => T::from_sql(v).map(Some),
        }
    }

    fn from_sql_column(value: ValueRef<'_>, sql_type: SqlType) -> Result<Self> {
        match value {
            ValueRef::Null => Ok(None),
            v => T::from_sql_column(v, sql_type).map(Some),
        }
    }
}
impl<T: ColumnType> ColumnType for Option<T> {
    const SQL_TYPE: SqlType = T::SQL_TYPE;
    const NULLABLE: bool = true;
    type Kind = T::Kind;
}

impl ToSql for Value {
    fn to_sql(&self) -> Result<ValueRef<'_>> {
        Ok(self.as_ref())
    }
}
impl FromSql for Value {
    fn from_sql(value: ValueRef<'_>) -> Result<Self> {
        Ok(value.to_owned_value())
    }
}
