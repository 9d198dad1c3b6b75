//! `serde_json::Value` (feature `json`).

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
