//! Binding parameters: a [`ValueRef`] to rusqlite's value, borrowed where SQLite has the
//! storage class; dates, times, UUIDs, JSON and decimals as their fixed text form.

use cinnabar_core::ValueRef;
use rusqlite::types::{ToSqlOutput, Value as SqlValue, ValueRef as SqlRef};

pub(super) struct Bind<'a>(pub(super) ValueRef<'a>);

pub(super) fn text(s: String) -> ToSqlOutput<'static> {
    ToSqlOutput::Owned(SqlValue::Text(s))
}

impl rusqlite::ToSql for Bind<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self.0 {
            ValueRef::Null => ToSqlOutput::Borrowed(SqlRef::Null),
            ValueRef::Bool(b) => ToSqlOutput::Borrowed(SqlRef::Integer(i64::from(b))),
            ValueRef::Int(i) => ToSqlOutput::Borrowed(SqlRef::Integer(i)),
            // SQLite would silently store NaN as NULL.
            ValueRef::Real(f) if f.is_nan() => {
                return Err(rusqlite::Error::ToSqlConversionFailure(
                    "SQLite cannot store NaN (it would become NULL)".into(),
                ))
            }
            ValueRef::Real(f) => ToSqlOutput::Borrowed(SqlRef::Real(f)),
            ValueRef::Text(s) => ToSqlOutput::Borrowed(SqlRef::Text(s.as_bytes())),
            ValueRef::Blob(b) => ToSqlOutput::Borrowed(SqlRef::Blob(b)),
            // Dates, times, UUIDs and JSON are stored as text; decimals are bound as their
            // exact text, which a NUMERIC column's affinity stores as INTEGER or REAL.
            other => match other.text_form() {
                Some(t) => text(t),
                None => {
                    return Err(rusqlite::Error::ToSqlConversionFailure(
                        format!("SQLite cannot store a {} value", other.type_name()).into(),
                    ))
                }
            },
        })
    }
}
