//! How dialects spell the expressions of issue 14 that databases write differently: CAST
//! targets ([`CastSpelling`]), date parts and date arithmetic. The ANSI spellings here are
//! the [`Dialect`](super::Dialect) methods' defaults; each dialect overrides what differs.

use std::borrow::Cow;

use crate::sql::DatePart;
use crate::types::SqlType;

/// How a dialect writes a conversion to a type ([`Dialect::cast_spelling`](super::Dialect::cast_spelling)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CastSpelling {
    /// `CAST(expr AS type)`, with this type name.
    Type(Cow<'static, str>),
    /// `before expr after`: a function where the database has no CAST target for the type
    /// (SQLite's dates: `date(expr)`).
    Wrap(&'static str, &'static str),
}

/// The ANSI/PostgreSQL-style CAST targets; `None` for types without a standard one.
pub(crate) fn ansi_cast(to: SqlType) -> Option<CastSpelling> {
    let name: Cow<'static, str> = match to {
        SqlType::SmallInt => "SMALLINT".into(),
        SqlType::Integer => "INTEGER".into(),
        SqlType::BigInt => "BIGINT".into(),
        SqlType::Float => "REAL".into(),
        SqlType::Double => "DOUBLE PRECISION".into(),
        SqlType::Boolean => "BOOLEAN".into(),
        SqlType::Text(Some(n)) => format!("VARCHAR({n})").into(),
        SqlType::Text(None) => "VARCHAR".into(),
        SqlType::Date => "DATE".into(),
        SqlType::Time => "TIME".into(),
        SqlType::DateTime => "TIMESTAMP".into(),
        SqlType::DateTimeTz => "TIMESTAMP WITH TIME ZONE".into(),
        SqlType::Decimal(p, s) => format!("DECIMAL({p}, {s})").into(),
        SqlType::Blob | SqlType::Uuid | SqlType::Json => return None,
    };
    Some(CastSpelling::Type(name))
}

/// `EXTRACT(part FROM expr)`, as text before and after the expression.
pub(crate) fn ansi_extract(part: DatePart) -> (&'static str, &'static str) {
    let before = match part {
        DatePart::Year => "EXTRACT(YEAR FROM ",
        DatePart::Month => "EXTRACT(MONTH FROM ",
        DatePart::Day => "EXTRACT(DAY FROM ",
        DatePart::Hour => "EXTRACT(HOUR FROM ",
        DatePart::Minute => "EXTRACT(MINUTE FROM ",
        DatePart::Second => "EXTRACT(SECOND FROM ",
    };
    (before, ")")
}

/// SQLite: `CAST(strftime('%Y', expr) AS INTEGER)`; `%S` is whole seconds.
pub(crate) fn sqlite_extract(part: DatePart) -> (&'static str, &'static str) {
    let before = match part {
        DatePart::Year => "CAST(strftime('%Y', ",
        DatePart::Month => "CAST(strftime('%m', ",
        DatePart::Day => "CAST(strftime('%d', ",
        DatePart::Hour => "CAST(strftime('%H', ",
        DatePart::Minute => "CAST(strftime('%M', ",
        DatePart::Second => "CAST(strftime('%S', ",
    };
    (before, ") AS INTEGER)")
}

/// PostgreSQL: `date_part` (which, unlike `EXTRACT` since PostgreSQL 14, reads the hour of a
/// date as 0) cast to an integer; seconds floored first, as they carry fractions.
pub(crate) fn postgres_extract(part: DatePart) -> (&'static str, &'static str) {
    match part {
        DatePart::Year => ("CAST(date_part('year', ", ") AS INTEGER)"),
        DatePart::Month => ("CAST(date_part('month', ", ") AS INTEGER)"),
        DatePart::Day => ("CAST(date_part('day', ", ") AS INTEGER)"),
        DatePart::Hour => ("CAST(date_part('hour', ", ") AS INTEGER)"),
        DatePart::Minute => ("CAST(date_part('minute', ", ") AS INTEGER)"),
        DatePart::Second => ("CAST(FLOOR(date_part('second', ", ")) AS INTEGER)"),
    }
}

/// SQLite's CAST targets: its storage classes (INTEGER, REAL, TEXT, BLOB, NUMERIC), and for
/// dates and times, which it stores as text, the function that normalizes the text
/// (`date(x)`; timestamps and times to milliseconds with `strftime`).
pub(crate) fn sqlite_cast(to: SqlType) -> Option<CastSpelling> {
    let name = match to {
        SqlType::SmallInt | SqlType::Integer | SqlType::BigInt | SqlType::Boolean => "INTEGER",
        SqlType::Float | SqlType::Double => "REAL",
        SqlType::Text(_) | SqlType::Uuid | SqlType::Json => "TEXT",
        SqlType::Blob => "BLOB",
        SqlType::Decimal(..) => "NUMERIC",
        SqlType::Date => return Some(CastSpelling::Wrap("date(", ")")),
        SqlType::Time => return Some(CastSpelling::Wrap("strftime('%H:%M:%f', ", ")")),
        SqlType::DateTime => {
            return Some(CastSpelling::Wrap("strftime('%Y-%m-%d %H:%M:%f', ", ")"))
        }
        SqlType::DateTimeTz => {
            return Some(CastSpelling::Wrap(
                "strftime('%Y-%m-%d %H:%M:%f+00:00', ",
                ")",
            ))
        }
    };
    Some(CastSpelling::Type(name.into()))
}

/// PostgreSQL's CAST targets: the column type names.
pub(crate) fn postgres_cast(to: SqlType) -> Option<CastSpelling> {
    let name: Cow<'static, str> = match to {
        SqlType::Text(None) => "TEXT".into(),
        SqlType::Blob => "BYTEA".into(),
        SqlType::Uuid => "UUID".into(),
        SqlType::Json => "JSONB".into(),
        SqlType::Decimal(p, s) => format!("NUMERIC({p}, {s})").into(),
        other => return ansi_cast(other),
    };
    Some(CastSpelling::Type(name))
}

/// MySQL/MariaDB's CAST targets, which are not its column types: SIGNED for every integer,
/// CHAR for text, BINARY for bytes, DATETIME(6); there is none for booleans or JSON.
pub(crate) fn mysql_cast(to: SqlType) -> Option<CastSpelling> {
    let name: Cow<'static, str> = match to {
        SqlType::SmallInt | SqlType::Integer | SqlType::BigInt => "SIGNED".into(),
        SqlType::Float => "FLOAT".into(),
        SqlType::Double => "DOUBLE".into(),
        SqlType::Text(Some(n)) => format!("CHAR({n})").into(),
        SqlType::Text(None) => "CHAR".into(),
        SqlType::Uuid => "CHAR(36)".into(),
        SqlType::Blob => "BINARY".into(),
        SqlType::Date => "DATE".into(),
        SqlType::Time => "TIME(6)".into(),
        SqlType::DateTime | SqlType::DateTimeTz => "DATETIME(6)".into(),
        SqlType::Decimal(p, s) => format!("DECIMAL({p}, {s})").into(),
        SqlType::Boolean | SqlType::Json => return None,
    };
    Some(CastSpelling::Type(name))
}

/// PostgreSQL's type for a bound value whose type it cannot infer.
pub(crate) fn postgres_bound_type(value: crate::value::ValueRef<'_>) -> Option<&'static str> {
    use crate::value::ValueRef;
    Some(match value {
        ValueRef::Null => return None,
        ValueRef::Bool(_) => "BOOLEAN",
        ValueRef::Int(_) => "BIGINT",
        ValueRef::Real(_) => "DOUBLE PRECISION",
        ValueRef::Text(_) => "TEXT",
        ValueRef::Blob(_) => "BYTEA",
        #[cfg(feature = "chrono")]
        ValueRef::Date(_) => "DATE",
        #[cfg(feature = "chrono")]
        ValueRef::Time(_) => "TIME",
        #[cfg(feature = "chrono")]
        ValueRef::DateTime(_) => "TIMESTAMP",
        #[cfg(feature = "chrono")]
        ValueRef::DateTimeUtc(_) => "TIMESTAMPTZ",
        #[cfg(feature = "uuid")]
        ValueRef::Uuid(_) => "UUID",
        #[cfg(feature = "decimal")]
        ValueRef::Decimal(_) => "NUMERIC",
        #[cfg(feature = "json")]
        ValueRef::Json(_) => "JSONB",
    })
}
