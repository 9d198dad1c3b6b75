//! Reading result rows: each column's PostgreSQL type picks a [`Decode`] plan once per
//! statement, and [`PgRow`] turns the binary values into [`ValueRef`]s, borrowing text and
//! bytes from the row and keeping converted values (NUMERIC, dates without chrono, JSON) in
//! per-row storage.

use std::cell::OnceCell;

use cinnabar_core::{Error, Result, ValueRef};
use postgres::types::{FromSql, Kind, Type};

#[cfg(feature = "chrono")]
use super::datetime::chrono_time;
use super::datetime::{date_text, time_text, timestamp_text};
use super::numeric::numeric_text;
#[cfg(not(feature = "uuid"))]
use super::uuid::uuid_text;
use crate::row::Row;

/// How a result column is turned into a [`ValueRef`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Decode {
    Bool,
    Int2,
    Int4,
    Int8,
    Oid,
    Float4,
    Float8,
    Text,
    Bytes,
    Numeric,
    Uuid,
    Json,
    Jsonb,
    Date,
    Time,
    Timestamp,
    TimestampTz,
    Unsupported,
}

pub(super) fn decode_of(ty: &Type) -> Decode {
    match *ty {
        Type::BOOL => Decode::Bool,
        Type::INT2 => Decode::Int2,
        Type::INT4 => Decode::Int4,
        Type::INT8 => Decode::Int8,
        Type::OID | Type::REGCLASS | Type::REGTYPE | Type::REGPROC | Type::REGNAMESPACE => {
            Decode::Oid
        }
        Type::FLOAT4 => Decode::Float4,
        Type::FLOAT8 => Decode::Float8,
        Type::TEXT
        | Type::VARCHAR
        | Type::BPCHAR
        | Type::NAME
        | Type::UNKNOWN
        | Type::CHAR
        | Type::XML => Decode::Text,
        Type::BYTEA => Decode::Bytes,
        Type::NUMERIC => Decode::Numeric,
        Type::UUID => Decode::Uuid,
        Type::JSON => Decode::Json,
        Type::JSONB => Decode::Jsonb,
        Type::DATE => Decode::Date,
        Type::TIME => Decode::Time,
        Type::TIMESTAMP => Decode::Timestamp,
        Type::TIMESTAMPTZ => Decode::TimestampTz,
        _ => match ty.kind() {
            Kind::Enum(_) => Decode::Text,
            Kind::Domain(base) => decode_of(base),
            _ if ty.name() == "citext" => Decode::Text,
            _ => Decode::Unsupported,
        },
    }
}

/// Whether decoding `d` may need per-row storage (converted text, parsed JSON).
pub(super) fn decode_needs_storage(d: Decode) -> bool {
    let uuid_as_text = cfg!(not(feature = "uuid"));
    let json_parsed = cfg!(feature = "json");
    matches!(
        d,
        Decode::Numeric | Decode::Date | Decode::Time | Decode::Timestamp | Decode::TimestampTz
    ) || (d == Decode::Uuid && uuid_as_text)
        || (matches!(d, Decode::Json | Decode::Jsonb) && json_parsed)
}

/// Raw access to a column's binary value, for every type.
pub(super) struct RawColumn<'a>(pub(super) Option<&'a [u8]>);

impl<'a> FromSql<'a> for RawColumn<'a> {
    fn from_sql(
        _: &Type,
        raw: &'a [u8],
    ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(RawColumn(Some(raw)))
    }

    fn from_sql_null(
        _: &Type,
    ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(RawColumn(None))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A value decoded into storage owned by the row wrapper.
pub(super) enum Stored {
    Text(String),
    #[cfg(feature = "json")]
    Json(serde_json::Value),
    #[cfg(feature = "decimal")]
    Decimal(rust_decimal::Decimal),
}

pub(super) struct PgRow<'r> {
    pub(super) row: &'r postgres::Row,
    pub(super) decode: &'r [Decode],
    pub(super) storage: Vec<OnceCell<Stored>>,
}

pub(super) fn fixed<const N: usize>(raw: &[u8]) -> std::result::Result<[u8; N], String> {
    raw.try_into()
        .map_err(|_| format!("expected {N} bytes, the server sent {}", raw.len()))
}

pub(super) fn utf8(raw: &[u8]) -> std::result::Result<&str, String> {
    std::str::from_utf8(raw).map_err(|_| "text is not valid UTF-8".to_owned())
}

pub(super) fn jsonb_text(raw: &[u8]) -> std::result::Result<&[u8], String> {
    match raw.split_first() {
        Some((1, rest)) => Ok(rest),
        Some((v, _)) => Err(format!("unknown jsonb format version {v}")),
        None => Err("empty jsonb value".to_owned()),
    }
}

impl PgRow<'_> {
    fn stash(
        &self,
        idx: usize,
        make: impl FnOnce() -> std::result::Result<Stored, String>,
    ) -> std::result::Result<&Stored, String> {
        let cell = self
            .storage
            .get(idx)
            .ok_or_else(|| "internal error: no storage for column".to_owned())?;
        if let Some(s) = cell.get() {
            return Ok(s);
        }
        let v = make()?;
        Ok(cell.get_or_init(|| v))
    }

    fn stored_text(
        &self,
        idx: usize,
        make: impl FnOnce() -> std::result::Result<String, String>,
    ) -> std::result::Result<ValueRef<'_>, String> {
        match self.stash(idx, || make().map(Stored::Text))? {
            Stored::Text(s) => Ok(ValueRef::Text(s)),
            #[allow(unreachable_patterns)]
            _ => Err("internal error: stored value has the wrong kind".to_owned()),
        }
    }

    fn decode<'a>(
        &'a self,
        idx: usize,
        d: Decode,
        raw: &'a [u8],
    ) -> std::result::Result<ValueRef<'a>, String> {
        Ok(match d {
            Decode::Bool => ValueRef::Bool(fixed::<1>(raw)?[0] != 0),
            Decode::Int2 => ValueRef::Int(i16::from_be_bytes(fixed(raw)?).into()),
            Decode::Int4 => ValueRef::Int(i32::from_be_bytes(fixed(raw)?).into()),
            Decode::Int8 => ValueRef::Int(i64::from_be_bytes(fixed(raw)?)),
            Decode::Oid => ValueRef::Int(u32::from_be_bytes(fixed(raw)?).into()),
            Decode::Float4 => ValueRef::Real(f32::from_be_bytes(fixed(raw)?).into()),
            Decode::Float8 => ValueRef::Real(f64::from_be_bytes(fixed(raw)?)),
            Decode::Text => ValueRef::Text(utf8(raw)?),
            Decode::Bytes => ValueRef::Blob(raw),
            Decode::Numeric => return self.decode_numeric(idx, raw),
            Decode::Uuid => return self.decode_uuid(idx, fixed(raw)?),
            Decode::Json => return self.decode_json(idx, raw),
            Decode::Jsonb => return self.decode_json(idx, jsonb_text(raw)?),
            Decode::Date => {
                let days = i32::from_be_bytes(fixed(raw)?);
                // postgres-types' chrono impl; it refuses ±infinity and dates beyond chrono's
                // range, which are read as text.
                #[cfg(feature = "chrono")]
                if let Ok(d) = chrono::NaiveDate::from_sql(&Type::DATE, raw) {
                    return Ok(ValueRef::Date(d));
                }
                return self.stored_text(idx, || Ok(date_text(days)));
            }
            Decode::Time => {
                let micros = i64::from_be_bytes(fixed(raw)?);
                #[cfg(feature = "chrono")]
                if let Some(t) = chrono_time(micros) {
                    return Ok(ValueRef::Time(t));
                }
                return self.stored_text(idx, || Ok(time_text(micros)));
            }
            Decode::Timestamp | Decode::TimestampTz => {
                let micros = i64::from_be_bytes(fixed(raw)?);
                let tz = d == Decode::TimestampTz;
                // As for dates: postgres-types' impl, text where it refuses.
                #[cfg(feature = "chrono")]
                if let Ok(t) = chrono::NaiveDateTime::from_sql(&Type::TIMESTAMP, raw) {
                    return Ok(if tz {
                        ValueRef::DateTimeUtc(t.and_utc())
                    } else {
                        ValueRef::DateTime(t)
                    });
                }
                return self.stored_text(idx, || Ok(timestamp_text(micros, tz)));
            }
            Decode::Unsupported => {
                return Err(format!(
                    "Cinnabar cannot read this type; cast the column in SQL (e.g. {}::text)",
                    self.column_name(idx)
                ))
            }
        })
    }

    #[cfg(feature = "decimal")]
    fn decode_numeric(&self, idx: usize, raw: &[u8]) -> std::result::Result<ValueRef<'_>, String> {
        let stored = self.stash(idx, || {
            let text = numeric_text(raw)?;
            // Exact only: NaN, infinities and values beyond 28 digits stay text. Trailing
            // fractional zeros are dropped if that is what it takes to fit (the value is
            // unchanged; only the scale shrinks).
            let exact = rust_decimal::Decimal::from_str_exact(&text).or_else(|e| {
                match text.contains('.').then(|| text.trim_end_matches('0')) {
                    Some(t) if t.len() < text.len() => {
                        rust_decimal::Decimal::from_str_exact(t.trim_end_matches('.'))
                    }
                    _ => Err(e),
                }
            });
            Ok(match exact {
                Ok(d) => Stored::Decimal(d),
                Err(_) => Stored::Text(text),
            })
        })?;
        match stored {
            Stored::Decimal(d) => Ok(ValueRef::Decimal(*d)),
            Stored::Text(s) => Ok(ValueRef::Text(s)),
            #[allow(unreachable_patterns)]
            _ => Err("internal error: stored value has the wrong kind".into()),
        }
    }

    #[cfg(not(feature = "decimal"))]
    fn decode_numeric(&self, idx: usize, raw: &[u8]) -> std::result::Result<ValueRef<'_>, String> {
        self.stored_text(idx, || numeric_text(raw))
    }

    #[cfg(feature = "uuid")]
    fn decode_uuid(&self, _: usize, bytes: [u8; 16]) -> std::result::Result<ValueRef<'_>, String> {
        Ok(ValueRef::Uuid(uuid::Uuid::from_bytes(bytes)))
    }

    #[cfg(not(feature = "uuid"))]
    fn decode_uuid(
        &self,
        idx: usize,
        bytes: [u8; 16],
    ) -> std::result::Result<ValueRef<'_>, String> {
        self.stored_text(idx, || Ok(uuid_text(&bytes)))
    }

    #[cfg(feature = "json")]
    fn decode_json(&self, idx: usize, text: &[u8]) -> std::result::Result<ValueRef<'_>, String> {
        let stored = self.stash(idx, || {
            serde_json::from_slice(text)
                .map(Stored::Json)
                .map_err(|e| format!("invalid JSON from the server: {e}"))
        })?;
        match stored {
            Stored::Json(j) => Ok(ValueRef::Json(j)),
            _ => Err("internal error: stored value has the wrong kind".into()),
        }
    }

    #[cfg(not(feature = "json"))]
    fn decode_json<'a>(
        &self,
        _: usize,
        text: &'a [u8],
    ) -> std::result::Result<ValueRef<'a>, String> {
        utf8(text).map(ValueRef::Text)
    }
}

impl Row for PgRow<'_> {
    fn len(&self) -> usize {
        self.decode.len()
    }

    fn column_name(&self, idx: usize) -> &str {
        self.row.columns().get(idx).map(|c| c.name()).unwrap_or("")
    }

    fn value(&self, idx: usize) -> Result<ValueRef<'_>> {
        let Some(&d) = self.decode.get(idx) else {
            return Err(Error::misuse(format!(
                "column index {idx} is out of range (row has {} columns)",
                self.decode.len()
            )));
        };
        let raw = match self.row.try_get::<_, RawColumn<'_>>(idx) {
            Ok(RawColumn(Some(raw))) => raw,
            Ok(RawColumn(None)) => return Ok(ValueRef::Null),
            Err(e) => return Err(Error::conversion(e.to_string())),
        };
        self.decode(idx, d, raw).map_err(|msg| {
            let ty = self.row.columns()[idx].type_();
            Error::conversion(format!(
                "column {:?} (PostgreSQL type {}): {msg}",
                self.column_name(idx),
                ty.name()
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_plans_follow_types() {
        assert_eq!(decode_of(&Type::INT8), Decode::Int8);
        assert_eq!(decode_of(&Type::VARCHAR), Decode::Text);
        assert_eq!(decode_of(&Type::JSONB), Decode::Jsonb);
        assert_eq!(decode_of(&Type::INET), Decode::Unsupported);
        assert!(decode_needs_storage(Decode::Numeric));
        assert!(!decode_needs_storage(Decode::Text));
    }
}
