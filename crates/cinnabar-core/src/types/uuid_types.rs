//! `uuid::Uuid` (feature `uuid`).

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
            ValueRef::Blob(b) => uuid::Uuid::from_slice(b)
                .map_err(|_| Error::conversion(format!("{} bytes are not a valid UUID", b.len()))),
            other => Err(mismatch::<uuid::Uuid>(other)),
        }
    }
}
impl ColumnType for uuid::Uuid {
    const SQL_TYPE: SqlType = SqlType::Uuid;
    type Kind = kind::Uuid;
}
