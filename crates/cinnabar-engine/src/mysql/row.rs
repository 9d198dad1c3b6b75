//! Reading result rows: each column's metadata picks a [`Kind`] once per result set, and
//! [`Cells`] turns the crate's values (binary protocol) or bytes (text protocol) into
//! [`ValueRef`]s, borrowing text and bytes from the row and building only what it must
//! (JSON documents, dates as text) once per cell.

use std::cell::OnceCell;

use ::mysql::consts::{ColumnFlags, ColumnType};
use ::mysql::{Column, Value};
use cinnabar_core::{Error, Result, ValueRef};

#[cfg(feature = "chrono")]
use super::datetime::parse_date_text;
#[cfg(feature = "decimal")]
use super::numeric::exact_decimal;
use super::numeric::widen_f32;
use crate::row::Row;

/// How a column's values are read, decided once per result set from its metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Int,
    UInt,
    Float,
    Double,
    Decimal,
    Text,
    Blob,
    Date,
    DateTime,
    Timestamp,
    Time,
    Json,
    Bit,
    Null,
}

pub(super) struct ColMeta {
    pub(super) name: String,
    pub(super) kind: Kind,
}

pub(super) const BINARY_CHARSET: u16 = 63;

pub(super) fn kind_of(col: &Column) -> Kind {
    let binary = col.character_set() == BINARY_CHARSET;
    let unsigned = col.flags().contains(ColumnFlags::UNSIGNED_FLAG);
    match col.column_type() {
        ColumnType::MYSQL_TYPE_TINY
        | ColumnType::MYSQL_TYPE_SHORT
        | ColumnType::MYSQL_TYPE_INT24
        | ColumnType::MYSQL_TYPE_LONG
        | ColumnType::MYSQL_TYPE_LONGLONG
        | ColumnType::MYSQL_TYPE_YEAR => {
            if unsigned {
                Kind::UInt
            } else {
                Kind::Int
            }
        }
        ColumnType::MYSQL_TYPE_FLOAT => Kind::Float,
        ColumnType::MYSQL_TYPE_DOUBLE => Kind::Double,
        ColumnType::MYSQL_TYPE_DECIMAL | ColumnType::MYSQL_TYPE_NEWDECIMAL => Kind::Decimal,
        ColumnType::MYSQL_TYPE_DATE | ColumnType::MYSQL_TYPE_NEWDATE => Kind::Date,
        ColumnType::MYSQL_TYPE_DATETIME | ColumnType::MYSQL_TYPE_DATETIME2 => Kind::DateTime,
        ColumnType::MYSQL_TYPE_TIMESTAMP | ColumnType::MYSQL_TYPE_TIMESTAMP2 => Kind::Timestamp,
        ColumnType::MYSQL_TYPE_TIME | ColumnType::MYSQL_TYPE_TIME2 => Kind::Time,
        ColumnType::MYSQL_TYPE_JSON => Kind::Json,
        ColumnType::MYSQL_TYPE_BIT => Kind::Bit,
        ColumnType::MYSQL_TYPE_NULL => Kind::Null,
        ColumnType::MYSQL_TYPE_ENUM | ColumnType::MYSQL_TYPE_SET => Kind::Text,
        ColumnType::MYSQL_TYPE_GEOMETRY | ColumnType::MYSQL_TYPE_VECTOR => Kind::Blob,
        // CHAR/VARCHAR/TEXT and BINARY/VARBINARY/BLOB differ only by the binary charset.
        _ if binary => Kind::Blob,
        _ => Kind::Text,
    }
}

pub(super) fn metadata(columns: &[Column]) -> Vec<ColMeta> {
    columns
        .iter()
        .map(|c| ColMeta {
            name: c.name_str().into_owned(),
            kind: kind_of(c),
        })
        .collect()
}

/// A value the row had to build rather than borrow.
pub(super) enum Cached {
    Text(String),
    #[cfg(feature = "json")]
    Json(serde_json::Value),
}

impl Cached {
    fn as_value(&self) -> ValueRef<'_> {
        match self {
            Cached::Text(s) => ValueRef::Text(s),
            #[cfg(feature = "json")]
            Cached::Json(j) => ValueRef::Json(j),
        }
    }
}

/// Decodes one row's cells by their columns' metadata.
pub(super) struct Cells<'a> {
    pub(super) cols: &'a [ColMeta],
    /// Allocated on first use only (JSON documents, dates without chrono, zero dates).
    pub(super) cache: OnceCell<Box<[OnceCell<Cached>]>>,
}

impl<'a> Cells<'a> {
    pub(super) fn new(cols: &'a [ColMeta]) -> Self {
        Cells {
            cols,
            cache: OnceCell::new(),
        }
    }
}

pub(super) struct MySqlRow<'a> {
    pub(super) row: &'a ::mysql::Row,
    pub(super) cells: Cells<'a>,
}

impl Cells<'_> {
    pub(super) fn conversion(&self, idx: usize, why: impl std::fmt::Display) -> Error {
        let name = self.cols.get(idx).map_or("", |c| c.name.as_str());
        Error::conversion(format!("column {name:?}: {why}"))
    }

    pub(super) fn cached(
        &self,
        idx: usize,
        make: impl FnOnce() -> Result<Cached>,
    ) -> Result<ValueRef<'_>> {
        let slots = self
            .cache
            .get_or_init(|| (0..self.cols.len()).map(|_| OnceCell::new()).collect());
        let slot = &slots[idx];
        if let Some(c) = slot.get() {
            return Ok(c.as_value());
        }
        let made = make()?;
        Ok(slot.get_or_init(|| made).as_value())
    }

    fn text<'s>(&self, idx: usize, b: &'s [u8]) -> Result<ValueRef<'s>> {
        std::str::from_utf8(b)
            .map(ValueRef::Text)
            .map_err(|_| self.conversion(idx, "holds text that is not valid UTF-8"))
    }

    fn decode_bytes<'s>(&'s self, idx: usize, kind: Kind, b: &'s [u8]) -> Result<ValueRef<'s>> {
        match kind {
            Kind::Blob | Kind::Null => Ok(ValueRef::Blob(b)),
            Kind::Text => self.text(idx, b),
            // The text protocol (statements the server cannot prepare) sends numbers as text.
            Kind::Int | Kind::UInt => {
                let s = std::str::from_utf8(b).unwrap_or("");
                match s.parse::<i64>() {
                    Ok(i) => Ok(ValueRef::Int(i)),
                    Err(_) if s.parse::<u64>().is_ok() => Err(self.conversion(
                        idx,
                        format_args!("unsigned value {s} does not fit in a 64-bit signed integer"),
                    )),
                    Err(_) => Err(self.conversion(idx, format_args!("invalid integer {s:?}"))),
                }
            }
            Kind::Float | Kind::Double => {
                let s = std::str::from_utf8(b).unwrap_or("");
                s.parse::<f64>()
                    .map(ValueRef::Real)
                    .map_err(|_| self.conversion(idx, format_args!("invalid number {s:?}")))
            }
            Kind::Bit => {
                if b.len() > 8 {
                    return Ok(ValueRef::Blob(b));
                }
                let n = b.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
                i64::try_from(n).map(ValueRef::Int).map_err(|_| {
                    self.conversion(idx, format_args!("BIT value {n} does not fit in an i64"))
                })
            }
            Kind::Decimal => {
                let s = self.text(idx, b)?;
                #[cfg(feature = "decimal")]
                if let ValueRef::Text(t) = s {
                    if let Some(d) = exact_decimal(t) {
                        return Ok(ValueRef::Decimal(d));
                    }
                }
                Ok(s)
            }
            Kind::Json => {
                #[cfg(feature = "json")]
                {
                    self.cached(idx, || {
                        serde_json::from_slice(b)
                            .map(Cached::Json)
                            .map_err(|e| self.conversion(idx, format_args!("invalid JSON: {e}")))
                    })
                }
                #[cfg(not(feature = "json"))]
                {
                    self.text(idx, b)
                }
            }
            Kind::Date | Kind::DateTime | Kind::Timestamp | Kind::Time => {
                let s = self.text(idx, b)?;
                #[cfg(feature = "chrono")]
                if let ValueRef::Text(t) = s {
                    // Zero dates and out-of-range TIMEs stay text.
                    if let Some(v) = parse_date_text(kind, t) {
                        return Ok(v);
                    }
                }
                Ok(s)
            }
        }
    }
}

impl Cells<'_> {
    fn decode<'s>(&'s self, idx: usize, v: &'s Value) -> Result<ValueRef<'s>> {
        let Some(meta) = self.cols.get(idx) else {
            return Err(Error::misuse(format!(
                "column index {idx} is out of range (row has {} columns)",
                self.cols.len()
            )));
        };
        match v {
            Value::NULL => Ok(ValueRef::Null),
            Value::Int(i) => Ok(ValueRef::Int(*i)),
            Value::UInt(u) => i64::try_from(*u).map(ValueRef::Int).map_err(|_| {
                self.conversion(
                    idx,
                    format_args!("unsigned value {u} does not fit in a 64-bit signed integer"),
                )
            }),
            Value::Float(f) => Ok(ValueRef::Real(widen_f32(*f))),
            Value::Double(f) => Ok(ValueRef::Real(*f)),
            Value::Bytes(b) => self.decode_bytes(idx, meta.kind, b),
            Value::Date(y, mo, d, h, mi, s, us) => {
                self.decode_date(idx, meta.kind, (*y, *mo, *d, *h, *mi, *s, *us))
            }
            Value::Time(neg, days, h, mi, s, us) => {
                self.decode_time(idx, (*neg, *days, *h, *mi, *s, *us))
            }
        }
    }
}

impl Row for MySqlRow<'_> {
    fn len(&self) -> usize {
        self.cells.cols.len()
    }

    fn column_name(&self, idx: usize) -> &str {
        self.cells.cols.get(idx).map_or("", |c| c.name.as_str())
    }

    fn value(&self, idx: usize) -> Result<ValueRef<'_>> {
        match self.row.as_ref(idx) {
            Some(v) => self.cells.decode(idx, v),
            None => Err(Error::misuse(format!(
                "column index {idx} is out of range (row has {} columns)",
                self.cells.cols.len()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cinnabar_core::ErrorKind;

    fn cols(kinds: &[Kind]) -> Vec<ColMeta> {
        kinds
            .iter()
            .enumerate()
            .map(|(i, &kind)| ColMeta {
                name: format!("c{i}"),
                kind,
            })
            .collect()
    }

    #[test]
    fn cells_decode_binary_and_text_protocol_values() {
        let meta = cols(&[
            Kind::Int,
            Kind::UInt,
            Kind::Double,
            Kind::Text,
            Kind::Blob,
            Kind::Bit,
            Kind::Decimal,
            Kind::Date,
            Kind::Time,
            Kind::Json,
        ]);
        let cells = Cells::new(&meta);
        let bytes = |s: &str| Value::Bytes(s.as_bytes().to_vec());
        // Text protocol: everything arrives as bytes.
        assert_eq!(cells.decode(0, &bytes("-42")).unwrap(), ValueRef::Int(-42));
        let e = cells.decode(1, &bytes("18446744073709551615")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Conversion);
        assert!(e.message().contains("c1"), "{e}");
        assert_eq!(cells.decode(2, &bytes("2.5")).unwrap(), ValueRef::Real(2.5));
        assert_eq!(cells.decode(3, &bytes("🦀")).unwrap(), ValueRef::Text("🦀"));
        let bad = Value::Bytes(vec![0xff]);
        assert_eq!(
            cells.decode(3, &bad).unwrap_err().kind(),
            ErrorKind::Conversion
        );
        assert_eq!(cells.decode(4, &bad).unwrap(), ValueRef::Blob(&[0xff]));
        assert_eq!(
            cells.decode(5, &Value::Bytes(vec![1, 0])).unwrap(),
            ValueRef::Int(256)
        );
        // Binary protocol values.
        assert_eq!(cells.decode(0, &Value::Int(7)).unwrap(), ValueRef::Int(7));
        assert_eq!(
            cells.decode(1, &Value::UInt(u64::MAX)).unwrap_err().kind(),
            ErrorKind::Conversion
        );
        assert_eq!(cells.decode(1, &Value::UInt(5)).unwrap(), ValueRef::Int(5));
        assert_eq!(cells.decode(2, &Value::NULL).unwrap(), ValueRef::Null);
        assert_eq!(
            cells.decode(10, &Value::NULL).unwrap_err().kind(),
            ErrorKind::Misuse
        );
        // Out-of-range TIMEs and zero dates stay text (built once, then borrowed).
        assert_eq!(
            cells.decode(8, &Value::Time(true, 0, 1, 2, 3, 0)).unwrap(),
            ValueRef::Text("-01:02:03")
        );
        assert_eq!(
            cells.decode(7, &Value::Date(0, 0, 0, 0, 0, 0, 0)).unwrap(),
            ValueRef::Text("0000-00-00")
        );
        #[cfg(feature = "chrono")]
        {
            let d = chrono::NaiveDate::from_ymd_opt(2020, 1, 31).unwrap();
            assert_eq!(
                cells.decode(7, &bytes("2020-01-31")).unwrap(),
                ValueRef::Date(d)
            );
            assert_eq!(
                cells
                    .decode(7, &Value::Date(2020, 1, 31, 0, 0, 0, 0))
                    .unwrap(),
                ValueRef::Date(d)
            );
            let t = chrono::NaiveTime::from_hms_micro_opt(1, 2, 3, 4).unwrap();
            assert_eq!(
                cells.decode(8, &bytes("01:02:03.000004")).unwrap(),
                ValueRef::Time(t)
            );
            assert_eq!(
                cells.decode(7, &bytes("0000-00-00")).unwrap(),
                ValueRef::Text("0000-00-00")
            );
        }
        #[cfg(not(feature = "chrono"))]
        assert_eq!(
            Cells::new(&meta)
                .decode(7, &Value::Date(2020, 1, 31, 0, 0, 0, 0))
                .unwrap(),
            ValueRef::Text("2020-01-31")
        );
        #[cfg(feature = "decimal")]
        assert_eq!(
            cells.decode(6, &bytes("-0.5")).unwrap(),
            ValueRef::Decimal("-0.5".parse().unwrap())
        );
        #[cfg(not(feature = "decimal"))]
        assert_eq!(
            cells.decode(6, &bytes("-0.5")).unwrap(),
            ValueRef::Text("-0.5")
        );
        #[cfg(feature = "json")]
        {
            let j = serde_json::json!({"a": [1]});
            assert_eq!(
                cells.decode(9, &bytes(r#"{"a":[1]}"#)).unwrap(),
                ValueRef::Json(&j)
            );
            // A row decodes each JSON cell once; a fresh row sees a bad document.
            let fresh = Cells::new(&meta);
            let e = fresh.decode(9, &bytes("{")).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
            assert!(e.message().contains("c9"), "{e}");
        }
    }
}
