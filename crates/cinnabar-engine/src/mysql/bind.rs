//! Binding parameters: a [`ValueRef`] to the crate's [`Value`] (UUIDs, decimals and JSON
//! as text; dates and times through `datetime.rs`).

use ::mysql::Value;
use cinnabar_core::{Error, Result, ValueRef};

#[cfg(feature = "chrono")]
use super::datetime::{date_parts, datetime_value, time_parts};

/// Converts a parameter to the crate's value.
pub(super) fn to_mysql(v: ValueRef<'_>) -> Result<Value> {
    Ok(match v {
        ValueRef::Null => Value::NULL,
        ValueRef::Bool(b) => Value::Int(i64::from(b)),
        ValueRef::Int(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Double(f),
        ValueRef::Text(s) => Value::Bytes(s.as_bytes().to_vec()),
        ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
        #[cfg(feature = "chrono")]
        ValueRef::Date(d) => {
            let (y, mo, d) = date_parts(d)?;
            Value::Date(y, mo, d, 0, 0, 0, 0)
        }
        #[cfg(feature = "chrono")]
        ValueRef::Time(t) => {
            let (h, mi, s, us) = time_parts(t);
            Value::Time(false, 0, h, mi, s, us)
        }
        #[cfg(feature = "chrono")]
        ValueRef::DateTime(t) => datetime_value(t)?,
        // The session time zone is UTC, so TIMESTAMP columns store this instant.
        #[cfg(feature = "chrono")]
        ValueRef::DateTimeUtc(t) => datetime_value(t.naive_utc())?,
        // UUIDs, decimals and JSON are sent as text.
        #[allow(unreachable_patterns)]
        other => match other.text_form() {
            Some(t) => Value::Bytes(t.into_bytes()),
            None => {
                return Err(Error::unsupported(format!(
                    "the MySQL driver cannot bind a {} value",
                    other.type_name()
                )))
            }
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(feature = "chrono")]
    use cinnabar_core::ErrorKind;

    #[test]
    fn values_bind_to_mysql_values() {
        assert_eq!(to_mysql(ValueRef::Bool(true)).unwrap(), Value::Int(1));
        assert_eq!(
            to_mysql(ValueRef::Int(i64::MIN)).unwrap(),
            Value::Int(i64::MIN)
        );
        assert_eq!(
            to_mysql(ValueRef::Text("é")).unwrap(),
            Value::Bytes("é".as_bytes().to_vec())
        );
        assert_eq!(to_mysql(ValueRef::Null).unwrap(), Value::NULL);
        #[cfg(feature = "chrono")]
        {
            let d = chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
            let dt = d.and_hms_micro_opt(23, 59, 58, 123_456).unwrap();
            assert_eq!(
                to_mysql(ValueRef::DateTime(dt)).unwrap(),
                Value::Date(2024, 2, 29, 23, 59, 58, 123_456)
            );
            let far = chrono::NaiveDate::from_ymd_opt(10_000, 1, 1).unwrap();
            assert_eq!(
                to_mysql(ValueRef::Date(far)).unwrap_err().kind(),
                ErrorKind::Conversion
            );
        }
        #[cfg(feature = "decimal")]
        {
            let d: rust_decimal::Decimal = "-1234567890.0123456789".parse().unwrap();
            assert_eq!(
                to_mysql(ValueRef::Decimal(d)).unwrap(),
                Value::Bytes(b"-1234567890.0123456789".to_vec())
            );
        }
    }
}
