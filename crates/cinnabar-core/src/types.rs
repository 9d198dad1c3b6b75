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

#[cfg(feature = "chrono")]
mod chrono_types {
    use super::*;
    use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

    fn parse_err<T>(s: &str) -> Error {
        Error::conversion(format!(
            "text {s:?} is not a valid {}",
            std::any::type_name::<T>()
        ))
    }

    impl ToSql for NaiveDate {
        fn to_sql(&self) -> Result<ValueRef<'_>> {
            Ok(ValueRef::Date(*self))
        }
    }
    impl FromSql for NaiveDate {
        fn from_sql(value: ValueRef<'_>) -> Result<Self> {
            match value {
                ValueRef::Date(d) => Ok(d),
                ValueRef::Text(s) => {
                    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| parse_err::<NaiveDate>(s))
                }
                other => Err(mismatch::<NaiveDate>(other)),
            }
        }
    }
    impl ColumnType for NaiveDate {
        const SQL_TYPE: SqlType = SqlType::Date;
        type Kind = kind::Date;
    }

    impl ToSql for NaiveTime {
        fn to_sql(&self) -> Result<ValueRef<'_>> {
            Ok(ValueRef::Time(*self))
        }
    }
    impl FromSql for NaiveTime {
        fn from_sql(value: ValueRef<'_>) -> Result<Self> {
            match value {
                ValueRef::Time(t) => Ok(t),
                ValueRef::Text(s) => NaiveTime::parse_from_str(s, "%H:%M:%S%.f")
                    .map_err(|_| parse_err::<NaiveTime>(s)),
                other => Err(mismatch::<NaiveTime>(other)),
            }
        }
    }
    impl ColumnType for NaiveTime {
        const SQL_TYPE: SqlType = SqlType::Time;
        type Kind = kind::Time;
    }

    impl ToSql for NaiveDateTime {
        fn to_sql(&self) -> Result<ValueRef<'_>> {
            Ok(ValueRef::DateTime(*self))
        }
    }
    impl FromSql for NaiveDateTime {
        fn from_sql(value: ValueRef<'_>) -> Result<Self> {
            match value {
                ValueRef::DateTime(t) => Ok(t),
                ValueRef::DateTimeUtc(t) => Ok(t.naive_utc()),
                ValueRef::Text(s) => NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f")
                    .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f"))
                    .map_err(|_| parse_err::<NaiveDateTime>(s)),
                other => Err(mismatch::<NaiveDateTime>(other)),
            }
        }
    }
    impl ColumnType for NaiveDateTime {
        const SQL_TYPE: SqlType = SqlType::DateTime;
        type Kind = kind::Timestamp;
    }

    impl ToSql for DateTime<Utc> {
        fn to_sql(&self) -> Result<ValueRef<'_>> {
            Ok(ValueRef::DateTimeUtc(*self))
        }
    }
    impl FromSql for DateTime<Utc> {
        fn from_sql(value: ValueRef<'_>) -> Result<Self> {
            match value {
                ValueRef::DateTimeUtc(t) => Ok(t),
                ValueRef::DateTime(t) => Ok(t.and_utc()),
                ValueRef::Text(s) => DateTime::parse_from_rfc3339(s)
                    .map(|t| t.with_timezone(&Utc))
                    .or_else(|_| {
                        DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f%:z")
                            .map(|t| t.with_timezone(&Utc))
                    })
                    .map_err(|_| parse_err::<DateTime<Utc>>(s)),
                other => Err(mismatch::<DateTime<Utc>>(other)),
            }
        }
    }
    impl ColumnType for DateTime<Utc> {
        const SQL_TYPE: SqlType = SqlType::DateTimeTz;
        type Kind = kind::Timestamp;
    }
}

#[cfg(feature = "uuid")]
mod uuid_types {
    use super::*;
    impl ToSql for uuid::Uuid {
        fn to_sql(&self) -> Result<ValueRef<'_>> {
            Ok(ValueRef::Uuid(*self))
        }
    }
    impl FromSql for uuid::Uuid {
        fn from_sql(value: ValueRef<'_>) -> Result<Self> {
            match value {
                ValueRef::Uuid(u) => Ok(u),
                ValueRef::Text(s) => uuid::Uuid::parse_str(s)
                    .map_err(|_| Error::conversion(format!("text {s:?} is not a valid UUID"))),
                ValueRef::Blob(b) => uuid::Uuid::from_slice(b).map_err(|_| {
                    Error::conversion(format!("{} bytes are not a valid UUID", b.len()))
                }),
                other => Err(mismatch::<uuid::Uuid>(other)),
            }
        }
    }
    impl ColumnType for uuid::Uuid {
        const SQL_TYPE: SqlType = SqlType::Uuid;
        type Kind = kind::Uuid;
    }
}

#[cfg(feature = "decimal")]
mod decimal_types {
    use super::*;
    use rust_decimal::{Decimal, RoundingStrategy};
    impl ToSql for Decimal {
        fn to_sql(&self) -> Result<ValueRef<'_>> {
            Ok(ValueRef::Decimal(*self))
        }
    }
    impl FromSql for Decimal {
        fn from_sql(value: ValueRef<'_>) -> Result<Self> {
            match value {
                ValueRef::Decimal(d) => Ok(d),
                ValueRef::Int(i) => Ok(Decimal::from(i)),
                ValueRef::Text(s) => s
                    .parse::<Decimal>()
                    .map_err(|_| Error::conversion(format!("text {s:?} is not a valid decimal"))),
                ValueRef::Real(f) => decimal_from_f64(f),
                other => Err(mismatch::<Decimal>(other)),
            }
        }

        fn from_sql_column(value: ValueRef<'_>, sql_type: SqlType) -> Result<Self> {
            let d = Self::from_sql(value)?;
            match sql_type {
                SqlType::Decimal(_, scale) if d.scale() != u32::from(scale) => {
                    let scale = u32::from(scale).min(Decimal::MAX_SCALE);
                    let mut d =
                        d.round_dp_with_strategy(scale, RoundingStrategy::MidpointAwayFromZero);
                    // Pads with zeros; a value too large for that many digits keeps its own.
                    d.rescale(scale);
                    Ok(d)
                }
                _ => Ok(d),
            }
        }
    }

    /// A REAL (how SQLite's NUMERIC affinity, and SQLAlchemy, store decimals) as the decimal
    /// its shortest round-trip text spells: `0.3` reads as `0.3`, not as the double's exact
    /// binary value. A double holds 15 to 17 significant digits, so that is all a REAL keeps.
    fn decimal_from_f64(f: f64) -> Result<Decimal> {
        // 2^96: the double nearest to Decimal::MAX, so what writing Decimal::MAX stores.
        const EDGE: f64 = 79_228_162_514_264_337_593_543_950_336.0;
        let out_of_range =
            || Error::conversion(format!("REAL {f:e} is out of range for Rust Decimal"));
        if !f.is_finite() || f.abs() > EDGE {
            return Err(out_of_range());
        }
        if f.abs() == EDGE {
            return Ok(if f > 0.0 { Decimal::MAX } else { Decimal::MIN });
        }
        // `{:e}` is the shortest round-trip digits; from_scientific rounds digits past
        // Decimal's 28 fractional places.
        let text = format!("{f:e}");
        Decimal::from_scientific(&text)
            .or_else(|_| {
                // Below 1e-28 from_scientific may refuse the exponent: that rounds to zero.
                if f.abs() < 1e-28 {
                    Ok(Decimal::ZERO)
                } else {
                    Err(out_of_range())
                }
            })
            .map(|d| d.normalize())
    }
    impl ColumnType for Decimal {
        const SQL_TYPE: SqlType = SqlType::Decimal(28, 10);
        type Kind = kind::Decimal;
    }
}

#[cfg(feature = "json")]
mod json_types {
    use super::*;
    impl ToSql for serde_json::Value {
        fn to_sql(&self) -> Result<ValueRef<'_>> {
            Ok(ValueRef::Json(self))
        }
    }
    impl FromSql for serde_json::Value {
        fn from_sql(value: ValueRef<'_>) -> Result<Self> {
            match value {
                ValueRef::Json(j) => Ok(j.clone()),
                ValueRef::Text(s) => serde_json::from_str(s)
                    .map_err(|e| Error::conversion(format!("text is not valid JSON: {e}"))),
                ValueRef::Blob(b) => serde_json::from_slice(b)
                    .map_err(|e| Error::conversion(format!("bytes are not valid JSON: {e}"))),
                other => Err(mismatch::<serde_json::Value>(other)),
            }
        }
    }
    impl ColumnType for serde_json::Value {
        const SQL_TYPE: SqlType = SqlType::Json;
        type Kind = kind::Json;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn integers_check_range() {
        assert_eq!(i32::from_sql(ValueRef::Int(7)).unwrap(), 7);
        let e = i32::from_sql(ValueRef::Int(i64::MAX)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Conversion);
        assert!(e.message().contains("out of range for Rust i32"), "{e}");
        let e = u64::MAX.to_sql().unwrap_err();
        assert!(e.message().contains("i64::MAX"), "{e}");
        assert_eq!((i64::MAX as u64).to_sql().unwrap(), ValueRef::Int(i64::MAX));
    }

    #[test]
    fn text_to_int_is_a_typed_error() {
        let e = i64::from_sql(ValueRef::Text("abc")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Conversion);
        assert!(e.message().contains("TEXT"), "{e}");
        assert!(e.message().contains("i64"), "{e}");
    }

    #[test]
    fn option_maps_null() {
        assert_eq!(Option::<String>::from_sql(ValueRef::Null).unwrap(), None);
        assert_eq!(
            Option::<String>::from_sql(ValueRef::Text("a")).unwrap(),
            Some("a".to_string())
        );
        assert!(String::from_sql(ValueRef::Null).is_err());
        const _: () = assert!(<Option<i32> as ColumnType>::NULLABLE);
        const _: () = assert!(!<i32 as ColumnType>::NULLABLE);
    }

    #[cfg(feature = "decimal")]
    #[test]
    fn decimal_reads_integer_real_and_text_storage() {
        use rust_decimal::Decimal;
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        // What SQLite's NUMERIC affinity leaves in a NUMERIC(5, 2) column.
        assert_eq!(Decimal::from_sql(ValueRef::Real(1.5)).unwrap(), d("1.5"));
        assert_eq!(Decimal::from_sql(ValueRef::Real(0.3)).unwrap(), d("0.3"));
        assert_eq!(
            Decimal::from_sql(ValueRef::Real(-123.45)).unwrap(),
            d("-123.45")
        );
        assert_eq!(
            Decimal::from_sql(ValueRef::Real(0.1 + 0.2)).unwrap(),
            d("0.30000000000000004")
        );
        assert_eq!(
            Decimal::from_sql(ValueRef::Real(1e-7)).unwrap(),
            d("0.0000001")
        );
        assert_eq!(Decimal::from_sql(ValueRef::Int(3)).unwrap(), d("3"));
        assert_eq!(
            Decimal::from_sql(ValueRef::Text("1.50")).unwrap(),
            d("1.50")
        );
        // Decimal::MAX written, its nearest double (2^96) read back.
        assert_eq!(
            Decimal::from_sql(ValueRef::Real(79228162514264337593543950335.0)).unwrap(),
            Decimal::MAX
        );
        assert_eq!(
            Decimal::from_sql(ValueRef::Real(-79228162514264337593543950335.0)).unwrap(),
            Decimal::MIN
        );
        for bad in [1e29, f64::INFINITY, f64::NAN, -1e300] {
            let e = Decimal::from_sql(ValueRef::Real(bad)).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Conversion, "{bad}");
            assert!(e.message().contains("Decimal"), "{e}");
        }
        // Below rust_decimal's 28 fractional digits: rounded, not an error.
        assert_eq!(
            Decimal::from_sql(ValueRef::Real(1e-30)).unwrap(),
            Decimal::ZERO
        );
    }

    #[cfg(feature = "decimal")]
    #[test]
    fn decimal_fits_the_column_scale() {
        use rust_decimal::Decimal;
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let ty = SqlType::Decimal(5, 2);
        let got = Decimal::from_sql_column(ValueRef::Real(1.5), ty).unwrap();
        assert_eq!(got.to_string(), "1.50");
        let got = Decimal::from_sql_column(ValueRef::Int(3), ty).unwrap();
        assert_eq!(got.to_string(), "3.00");
        let got = Decimal::from_sql_column(ValueRef::Real(2.675), ty).unwrap();
        assert_eq!(got, d("2.68"));
        let got = Option::<Decimal>::from_sql_column(ValueRef::Real(0.1), ty).unwrap();
        assert_eq!(got.map(|v| v.to_string()).as_deref(), Some("0.10"));
        assert_eq!(
            Option::<Decimal>::from_sql_column(ValueRef::Null, ty).unwrap(),
            None
        );
        // Other types ignore the column type.
        assert_eq!(i64::from_sql_column(ValueRef::Int(7), ty).unwrap(), 7);
    }

    #[test]
    fn bool_accepts_only_zero_and_one() {
        assert!(bool::from_sql(ValueRef::Int(1)).unwrap());
        assert!(bool::from_sql(ValueRef::Int(2)).is_err());
    }
}

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
