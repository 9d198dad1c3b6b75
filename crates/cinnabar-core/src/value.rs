//! SQL values: owned [`Value`] (what statements carry as bound parameters) and borrowed
//! [`ValueRef`] (what drivers hand out when reading rows and take when binding).
//!
//! Used by the expression language (parameters), the drivers (binding and reading) and the
//! ORM (change detection and row decoding).

use std::fmt;

/// An owned SQL value, bound as a parameter; never pasted into SQL text.
#[non_exhaustive]
#[derive(Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A boolean.
    Bool(bool),
    /// Any integer up to 64 bits.
    Int(i64),
    /// A double-precision float.
    Real(f64),
    /// Text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
    /// A calendar date.
    #[cfg(feature = "chrono")]
    Date(chrono::NaiveDate),
    /// A time of day.
    #[cfg(feature = "chrono")]
    Time(chrono::NaiveTime),
    /// A date and time without zone.
    #[cfg(feature = "chrono")]
    DateTime(chrono::NaiveDateTime),
    /// An instant in UTC.
    #[cfg(feature = "chrono")]
    DateTimeUtc(chrono::DateTime<chrono::Utc>),
    /// A UUID.
    #[cfg(feature = "uuid")]
    Uuid(uuid::Uuid),
    /// An exact decimal number (up to 28 significant digits).
    #[cfg(feature = "decimal")]
    Decimal(rust_decimal::Decimal),
    /// A JSON document.
    #[cfg(feature = "json")]
    Json(serde_json::Value),
}

/// A borrowed SQL value: what a driver reads from a row, or what is bound without copying.
#[non_exhaustive]
#[derive(Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    /// SQL NULL.
    Null,
    /// A boolean.
    Bool(bool),
    /// Any integer up to 64 bits.
    Int(i64),
    /// A double-precision float.
    Real(f64),
    /// Text.
    Text(&'a str),
    /// Bytes.
    Blob(&'a [u8]),
    /// A calendar date.
    #[cfg(feature = "chrono")]
    Date(chrono::NaiveDate),
    /// A time of day.
    #[cfg(feature = "chrono")]
    Time(chrono::NaiveTime),
    /// A date and time without zone.
    #[cfg(feature = "chrono")]
    DateTime(chrono::NaiveDateTime),
    /// An instant in UTC.
    #[cfg(feature = "chrono")]
    DateTimeUtc(chrono::DateTime<chrono::Utc>),
    /// A UUID.
    #[cfg(feature = "uuid")]
    Uuid(uuid::Uuid),
    /// An exact decimal number.
    #[cfg(feature = "decimal")]
    Decimal(rust_decimal::Decimal),
    /// A JSON document.
    #[cfg(feature = "json")]
    Json(&'a serde_json::Value),
}

impl Value {
    /// Borrows this value.
    pub fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Null => ValueRef::Null,
            Value::Bool(b) => ValueRef::Bool(*b),
            Value::Int(i) => ValueRef::Int(*i),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(s) => ValueRef::Text(s),
            Value::Blob(b) => ValueRef::Blob(b),
            #[cfg(feature = "chrono")]
            Value::Date(d) => ValueRef::Date(*d),
            #[cfg(feature = "chrono")]
            Value::Time(t) => ValueRef::Time(*t),
            #[cfg(feature = "chrono")]
            Value::DateTime(t) => ValueRef::DateTime(*t),
            #[cfg(feature = "chrono")]
            Value::DateTimeUtc(t) => ValueRef::DateTimeUtc(*t),
            #[cfg(feature = "uuid")]
            Value::Uuid(u) => ValueRef::Uuid(*u),
            #[cfg(feature = "decimal")]
            Value::Decimal(d) => ValueRef::Decimal(*d),
            #[cfg(feature = "json")]
            Value::Json(j) => ValueRef::Json(j),
        }
    }

    /// Whether this is SQL NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

impl<'a> ValueRef<'a> {
    /// For a kind that SQLite (and for UUIDs MySQL's `CHAR(36)`) stores as text, that text:
    /// what the SQLite driver binds, and how a key read back from such a column is matched
    /// with the typed value. `None` for kinds every database stores natively.
    pub fn text_form(&self) -> Option<String> {
        match self {
            #[cfg(feature = "chrono")]
            ValueRef::Date(d) => Some(d.format("%Y-%m-%d").to_string()),
            #[cfg(feature = "chrono")]
            ValueRef::Time(t) => Some(t.format("%H:%M:%S%.6f").to_string()),
            #[cfg(feature = "chrono")]
            ValueRef::DateTime(t) => Some(t.format("%Y-%m-%d %H:%M:%S%.6f").to_string()),
            #[cfg(feature = "chrono")]
            ValueRef::DateTimeUtc(t) => Some(t.format("%Y-%m-%d %H:%M:%S%.6f+00:00").to_string()),
            #[cfg(feature = "uuid")]
            ValueRef::Uuid(u) => Some(u.hyphenated().to_string()),
            #[cfg(feature = "decimal")]
            ValueRef::Decimal(d) => Some(d.to_string()),
            #[cfg(feature = "json")]
            ValueRef::Json(j) => Some(j.to_string()),
            _ => None,
        }
    }

    /// Copies this value into an owned [`Value`].
    pub fn to_owned_value(self) -> Value {
        match self {
            ValueRef::Null => Value::Null,
            ValueRef::Bool(b) => Value::Bool(b),
            ValueRef::Int(i) => Value::Int(i),
            ValueRef::Real(f) => Value::Real(f),
            ValueRef::Text(s) => Value::Text(s.to_owned()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
            #[cfg(feature = "chrono")]
            ValueRef::Date(d) => Value::Date(d),
            #[cfg(feature = "chrono")]
            ValueRef::Time(t) => Value::Time(t),
            #[cfg(feature = "chrono")]
            ValueRef::DateTime(t) => Value::DateTime(t),
            #[cfg(feature = "chrono")]
            ValueRef::DateTimeUtc(t) => Value::DateTimeUtc(t),
            #[cfg(feature = "uuid")]
            ValueRef::Uuid(u) => Value::Uuid(u),
            #[cfg(feature = "decimal")]
            ValueRef::Decimal(d) => Value::Decimal(d),
            #[cfg(feature = "json")]
            ValueRef::Json(j) => Value::Json(j.clone()),
        }
    }

    /// The SQL-ish name of this value's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            ValueRef::Null => "NULL",
            ValueRef::Bool(_) => "BOOLEAN",
            ValueRef::Int(_) => "INTEGER",
            ValueRef::Real(_) => "REAL",
            ValueRef::Text(_) => "TEXT",
            ValueRef::Blob(_) => "BLOB",
            #[cfg(feature = "chrono")]
            ValueRef::Date(_) => "DATE",
            #[cfg(feature = "chrono")]
            ValueRef::Time(_) => "TIME",
            #[cfg(feature = "chrono")]
            ValueRef::DateTime(_) => "TIMESTAMP",
            #[cfg(feature = "chrono")]
            ValueRef::DateTimeUtc(_) => "TIMESTAMP WITH TIME ZONE",
            #[cfg(feature = "uuid")]
            ValueRef::Uuid(_) => "UUID",
            #[cfg(feature = "decimal")]
            ValueRef::Decimal(_) => "NUMERIC",
            #[cfg(feature = "json")]
            ValueRef::Json(_) => "JSON",
        }
    }

    /// Whether this is SQL NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, ValueRef::Null)
    }
}

/// Debug output never prints long text or blobs in full; echo logging uses it.
impl fmt::Debug for ValueRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueRef::Null => f.write_str("NULL"),
            ValueRef::Bool(b) => write!(f, "{b}"),
            ValueRef::Int(i) => write!(f, "{i}"),
            ValueRef::Real(r) => write!(f, "{r:?}"),
            ValueRef::Text(s) if s.chars().count() > 64 => {
                let head: String = s.chars().take(61).collect();
                write!(f, "{head:?}...")
            }
            ValueRef::Text(s) => write!(f, "{s:?}"),
            ValueRef::Blob(b) => write!(f, "<{} bytes>", b.len()),
            #[cfg(feature = "chrono")]
            ValueRef::Date(d) => write!(f, "{d}"),
            #[cfg(feature = "chrono")]
            ValueRef::Time(t) => write!(f, "{t}"),
            #[cfg(feature = "chrono")]
            ValueRef::DateTime(t) => write!(f, "{t}"),
            #[cfg(feature = "chrono")]
            ValueRef::DateTimeUtc(t) => write!(f, "{t}"),
            #[cfg(feature = "uuid")]
            ValueRef::Uuid(u) => write!(f, "{u}"),
            #[cfg(feature = "decimal")]
            ValueRef::Decimal(d) => write!(f, "{d}"),
            #[cfg(feature = "json")]
            ValueRef::Json(j) => write!(f, "{j}"),
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.as_ref(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_through_ref() {
        for v in [
            Value::Null,
            Value::Bool(true),
            Value::Int(i64::MIN),
            Value::Real(1.5),
            Value::Text("héllo".into()),
            Value::Blob(vec![0, 255]),
        ] {
            assert_eq!(v.as_ref().to_owned_value(), v);
        }
    }

    #[test]
    fn debug_truncates_long_text() {
        let long = "x".repeat(100);
        let shown = format!("{:?}", ValueRef::Text(&long));
        assert!(shown.len() < 80, "{shown}");
        assert_eq!(format!("{:?}", ValueRef::Blob(&[1, 2, 3])), "<3 bytes>");
    }
}
