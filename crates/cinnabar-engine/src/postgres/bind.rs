//! Binding parameters: [`Bind`] encodes a [`ValueRef`] for the type the server inferred for
//! its `$n`, range-checking integers and parsing text into NUMERIC, UUID and date/time
//! parameters, with errors naming the parameter.

use std::fmt;

use cinnabar_core::ValueRef;
use postgres::types::private::BytesMut;
use postgres::types::{IsNull, Kind, ToSql, Type};

#[cfg(feature = "chrono")]
use super::datetime::chrono_micros;
use super::datetime::{parse_date, parse_time, parse_timestamp};
use super::numeric::encode_numeric;
use super::uuid::parse_uuid;

/// The error a parameter encoding reports; recognised when mapping errors.
#[derive(Debug)]
pub(super) struct BindError(pub(super) String);

impl fmt::Display for BindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BindError {}

/// One parameter, encoded for the type the server inferred for its `$n`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Bind<'a> {
    pub(super) value: ValueRef<'a>,
    /// 1-based position.
    pub(super) position: usize,
}

pub(super) type BoxError = Box<dyn std::error::Error + Sync + Send>;

impl Bind<'_> {
    fn fail(&self, ty: &Type, why: impl fmt::Display) -> BoxError {
        Box::new(BindError(format!(
            "parameter ${} ({} value) for PostgreSQL type {}: {why}",
            self.position,
            self.value.type_name(),
            ty.name()
        )))
    }

    fn mismatch(&self, ty: &Type) -> BoxError {
        self.fail(
            ty,
            format_args!(
                "cannot bind this value here; bind a matching value or cast the parameter in SQL (e.g. ${}::{})",
                self.position,
                match self.value {
                    ValueRef::Int(_) => "bigint",
                    ValueRef::Real(_) => "double precision",
                    ValueRef::Bool(_) => "boolean",
                    ValueRef::Blob(_) => "bytea",
                    _ => "text",
                }
            ),
        )
    }

    fn encode(&self, ty: &Type, out: &mut BytesMut) -> std::result::Result<(), BoxError> {
        let v = self.value;
        match *ty {
            Type::INT2 | Type::INT4 | Type::INT8 | Type::OID => {
                let ValueRef::Int(i) = v else {
                    return Err(self.mismatch(ty));
                };
                let range = |_| self.fail(ty, format_args!("integer {i} is out of range"));
                match *ty {
                    Type::INT2 => out.extend_from_slice(&i16::try_from(i).map_err(range)?.to_be_bytes()),
                    Type::INT4 => out.extend_from_slice(&i32::try_from(i).map_err(range)?.to_be_bytes()),
                    Type::OID => out.extend_from_slice(&u32::try_from(i).map_err(range)?.to_be_bytes()),
                    _ => out.extend_from_slice(&i.to_be_bytes()),
                }
            }
            Type::FLOAT4 | Type::FLOAT8 => {
                let f = match v {
                    ValueRef::Real(f) => f,
                    ValueRef::Int(i) => i as f64,
                    _ => return Err(self.mismatch(ty)),
                };
                if *ty == Type::FLOAT4 {
                    let narrow = f as f32;
                    if f.is_finite() && narrow.is_infinite() {
                        return Err(self.fail(ty, format_args!("{f:e} is out of range for real")));
                    }
                    out.extend_from_slice(&narrow.to_be_bytes());
                } else {
                    out.extend_from_slice(&f.to_be_bytes());
                }
            }
            Type::BOOL => {
                let b = match v {
                    ValueRef::Bool(b) => b,
                    ValueRef::Int(0) => false,
                    ValueRef::Int(1) => true,
                    ValueRef::Int(i) => {
                        return Err(self.fail(ty, format_args!("integer {i} is not a boolean (expected 0 or 1)")))
                    }
                    _ => return Err(self.mismatch(ty)),
                };
                out.extend_from_slice(&[u8::from(b)]);
            }
            Type::TEXT
            | Type::VARCHAR
            | Type::BPCHAR
            | Type::NAME
            | Type::UNKNOWN
            | Type::CHAR
            | Type::XML => match v {
                ValueRef::Text(s) => out.extend_from_slice(s.as_bytes()),
                _ => return Err(self.mismatch(ty)),
            },
            Type::BYTEA => match v {
                ValueRef::Blob(b) => out.extend_from_slice(b),
                _ => return Err(self.mismatch(ty)),
            },
            Type::NUMERIC => match v {
                #[cfg(feature = "decimal")]
                ValueRef::Decimal(d) => {
                    d.to_sql(ty, out)?;
                }
                ValueRef::Int(i) => encode_numeric(&i.to_string(), out).map_err(|e| self.fail(ty, e))?,
                ValueRef::Real(f) => encode_numeric(&f.to_string(), out).map_err(|e| self.fail(ty, e))?,
                ValueRef::Text(s) => encode_numeric(s, out).map_err(|e| self.fail(ty, e))?,
                _ => return Err(self.mismatch(ty)),
            },
            Type::UUID => match v {
                #[cfg(feature = "uuid")]
                ValueRef::Uuid(u) => out.extend_from_slice(u.as_bytes()),
                ValueRef::Text(s) => {
                    let bytes = parse_uuid(s).ok_or_else(|| self.fail(ty, "text is not a UUID"))?;
                    out.extend_from_slice(&bytes);
                }
                _ => return Err(self.mismatch(ty)),
            },
            Type::JSON | Type::JSONB => {
                if *ty == Type::JSONB {
                    out.extend_from_slice(&[1]);
                }
                match v {
                    #[cfg(feature = "json")]
                    ValueRef::Json(j) => {
                        let text = serde_json::to_vec(j).map_err(|e| self.fail(ty, e))?;
                        out.extend_from_slice(&text);
                    }
                    ValueRef::Text(s) => out.extend_from_slice(s.as_bytes()),
                    _ => return Err(self.mismatch(ty)),
                }
            }
            Type::DATE => {
                let days = match v {
                    #[cfg(feature = "chrono")]
                    ValueRef::Date(d) => return d.to_sql(ty, out).map(|_| ()),
                    ValueRef::Text(s) => parse_date(s.trim())
                        .ok_or_else(|| self.fail(ty, "text is not a date (YYYY-MM-DD)"))?,
                    _ => return Err(self.mismatch(ty)),
                };
                out.extend_from_slice(&days.to_be_bytes());
            }
            Type::TIME => {
                let micros = match v {
                    #[cfg(feature = "chrono")]
                    ValueRef::Time(t) => return t.to_sql(ty, out).map(|_| ()),
                    ValueRef::Text(s) => parse_time(s.trim())
                        .ok_or_else(|| self.fail(ty, "text is not a time (HH:MM:SS[.ffffff])"))?,
                    _ => return Err(self.mismatch(ty)),
                };
                out.extend_from_slice(&micros.to_be_bytes());
            }
            Type::TIMESTAMP | Type::TIMESTAMPTZ => {
                let tz = *ty == Type::TIMESTAMPTZ;
                let micros = match v {
                    // Naive values are taken as UTC for TIMESTAMPTZ; UTC instants lose
                    // their zone in a TIMESTAMP (as `DateTime<Utc>` reads a TIMESTAMP back).
                    #[cfg(feature = "chrono")]
                    ValueRef::DateTime(t) => chrono_micros(t),
                    #[cfg(feature = "chrono")]
                    ValueRef::DateTimeUtc(t) => chrono_micros(t.naive_utc()),
                    #[cfg(feature = "chrono")]
                    ValueRef::Date(d) => chrono_micros(d.and_time(chrono::NaiveTime::MIN)),
                    ValueRef::Text(s) => parse_timestamp(s.trim(), tz).ok_or_else(|| {
                        self.fail(ty, "text is not a timestamp (YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM])")
                    })?,
                    _ => return Err(self.mismatch(ty)),
                };
                let micros = micros.ok_or_else(|| self.fail(ty, "timestamp is out of range"))?;
                out.extend_from_slice(&micros.to_be_bytes());
            }
            _ => match ty.kind() {
                Kind::Enum(_) => match v {
                    ValueRef::Text(s) => out.extend_from_slice(s.as_bytes()),
                    _ => return Err(self.mismatch(ty)),
                },
                Kind::Domain(base) => return self.encode(base, out),
                _ if ty.name() == "citext" => match v {
                    ValueRef::Text(s) => out.extend_from_slice(s.as_bytes()),
                    _ => return Err(self.mismatch(ty)),
                },
                _ => {
                    return Err(self.fail(
                        ty,
                        format_args!(
                            "Cinnabar cannot encode this type; cast the parameter in SQL (e.g. ${}::text::{})",
                            self.position,
                            ty.name()
                        ),
                    ))
                }
            },
        }
        Ok(())
    }
}

impl ToSql for Bind<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> std::result::Result<IsNull, BoxError> {
        if self.value.is_null() {
            return Ok(IsNull::Yes);
        }
        self.encode(ty, out)?;
        Ok(IsNull::No)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}
