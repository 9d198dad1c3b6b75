//! Reading result rows: SQLite's storage classes to [`ValueRef`]s borrowed from the
//! statement.

use cinnabar_core::{Error, Result, ValueRef};
use rusqlite::types::ValueRef as SqlRef;

use super::error::map_error;
use crate::row::Row;

pub(super) struct SqliteRow<'r, 's> {
    pub(super) row: &'r rusqlite::Row<'s>,
    pub(super) count: usize,
}

impl Row for SqliteRow<'_, '_> {
    fn len(&self) -> usize {
        self.count
    }

    fn column_name(&self, idx: usize) -> &str {
        self.row.as_ref().column_name(idx).unwrap_or("")
    }

    #[inline]
    fn value(&self, idx: usize) -> Result<ValueRef<'_>> {
        match self.row.get_ref(idx) {
            Ok(SqlRef::Null) => Ok(ValueRef::Null),
            Ok(SqlRef::Integer(i)) => Ok(ValueRef::Int(i)),
            Ok(SqlRef::Real(f)) => Ok(ValueRef::Real(f)),
            Ok(SqlRef::Text(t)) => std::str::from_utf8(t).map(ValueRef::Text).map_err(|_| {
                Error::conversion(format!(
                    "column {:?} holds text that is not valid UTF-8",
                    self.column_name(idx)
                ))
            }),
            Ok(SqlRef::Blob(b)) => Ok(ValueRef::Blob(b)),
            Err(e) => Err(map_error(e, None)),
        }
    }
}
