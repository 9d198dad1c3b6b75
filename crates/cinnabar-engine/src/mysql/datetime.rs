//! Dates and times: chrono values to the crate's `Value::Date` / `Value::Time` for binding,
//! and DATE, DATETIME, TIMESTAMP and TIME cells to chrono values or text. Hand-written rather
//! than `mysql_common`'s chrono conversions: those panic on years outside 1000-9999 (MySQL
//! stores 0-9999) and pass a leap second's microseconds through; and without the `chrono`
//! feature, zero dates and TIMEs beyond a day read as text.

#[cfg(feature = "chrono")]
use ::mysql::Value;
#[cfg(feature = "chrono")]
use cinnabar_core::Error;
use cinnabar_core::{Result, ValueRef};

use super::row::{Cached, Cells, Kind};

#[cfg(feature = "chrono")]
pub(super) fn date_parts(d: chrono::NaiveDate) -> Result<(u16, u8, u8)> {
    use chrono::Datelike;
    let year = u16::try_from(d.year())
        .ok()
        .filter(|y| *y <= 9999)
        .ok_or_else(|| {
            Error::conversion(format!(
                "date {d} is outside the years MySQL can store (0-9999)"
            ))
        })?;
    Ok((year, d.month() as u8, d.day() as u8))
}

#[cfg(feature = "chrono")]
pub(super) fn time_parts(t: chrono::NaiveTime) -> (u8, u8, u8, u32) {
    use chrono::Timelike;
    // A leap second's nanoseconds run past 1e9; MySQL has no leap seconds.
    let micros = (t.nanosecond() / 1000).min(999_999);
    (t.hour() as u8, t.minute() as u8, t.second() as u8, micros)
}

#[cfg(feature = "chrono")]
pub(super) fn datetime_value(dt: chrono::NaiveDateTime) -> Result<Value> {
    let (y, mo, d) = date_parts(dt.date())?;
    let (h, mi, s, us) = time_parts(dt.time());
    Ok(Value::Date(y, mo, d, h, mi, s, us))
}

pub(super) fn format_date(
    (y, mo, d, h, mi, s, us): (u16, u8, u8, u8, u8, u8, u32),
    date_only: bool,
) -> String {
    if date_only {
        format!("{y:04}-{mo:02}-{d:02}")
    } else if us == 0 {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{us:06}")
    }
}

pub(super) fn format_time(neg: bool, days: u32, h: u8, mi: u8, s: u8, us: u32) -> String {
    let sign = if neg { "-" } else { "" };
    let hours = u64::from(days) * 24 + u64::from(h);
    if us == 0 {
        format!("{sign}{hours:02}:{mi:02}:{s:02}")
    } else {
        format!("{sign}{hours:02}:{mi:02}:{s:02}.{us:06}")
    }
}

/// A DATE, DATETIME, TIMESTAMP or TIME sent as text (the text protocol) as chrono's type;
/// `None` for what chrono cannot hold (zero dates, TIMEs beyond a time of day).
#[cfg(feature = "chrono")]
pub(super) fn parse_date_text(kind: Kind, t: &str) -> Option<ValueRef<'static>> {
    use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
    match kind {
        Kind::Date => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .map(ValueRef::Date),
        Kind::Time => NaiveTime::parse_from_str(t, "%H:%M:%S%.f")
            .ok()
            .map(ValueRef::Time),
        _ => NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f")
            .ok()
            .map(|dt| {
                if kind == Kind::Timestamp {
                    ValueRef::DateTimeUtc(dt.and_utc())
                } else {
                    ValueRef::DateTime(dt)
                }
            }),
    }
}

impl Cells<'_> {
    pub(super) fn decode_date(
        &self,
        idx: usize,
        kind: Kind,
        (y, mo, d, h, mi, s, us): (u16, u8, u8, u8, u8, u8, u32),
    ) -> Result<ValueRef<'_>> {
        #[cfg(feature = "chrono")]
        {
            let date = chrono::NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(d));
            let v = match kind {
                Kind::Date => date.map(ValueRef::Date),
                _ => date
                    .and_then(|date| {
                        date.and_hms_micro_opt(u32::from(h), u32::from(mi), u32::from(s), us)
                    })
                    .map(|dt| {
                        if kind == Kind::Timestamp {
                            ValueRef::DateTimeUtc(dt.and_utc())
                        } else {
                            ValueRef::DateTime(dt)
                        }
                    }),
            };
            if let Some(v) = v {
                return Ok(v);
            }
        }
        // Without chrono, or a zero date: its text.
        self.cached(idx, || {
            Ok(Cached::Text(format_date(
                (y, mo, d, h, mi, s, us),
                kind == Kind::Date,
            )))
        })
    }

    pub(super) fn decode_time(
        &self,
        idx: usize,
        (neg, days, h, mi, s, us): (bool, u32, u8, u8, u8, u32),
    ) -> Result<ValueRef<'_>> {
        #[cfg(feature = "chrono")]
        if !neg && days == 0 {
            if let Some(t) =
                chrono::NaiveTime::from_hms_micro_opt(u32::from(h), u32::from(mi), u32::from(s), us)
            {
                return Ok(ValueRef::Time(t));
            }
        }
        // A TIME is an interval (-838:59:59 to 838:59:59); beyond a time of day it is text.
        self.cached(idx, || {
            Ok(Cached::Text(format_time(neg, days, h, mi, s, us)))
        })
    }
}
