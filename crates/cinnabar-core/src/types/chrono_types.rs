//! `chrono` dates and times (feature `chrono`): `NaiveDate`, `NaiveTime`, `NaiveDateTime` and
//! `DateTime<Utc>`, from the driver's native value or from ISO 8601 text.

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
            ValueRef::Text(s) => {
                NaiveTime::parse_from_str(s, "%H:%M:%S%.f").map_err(|_| parse_err::<NaiveTime>(s))
            }
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
