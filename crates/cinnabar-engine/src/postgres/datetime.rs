//! DATE, TIME and TIMESTAMP[TZ] as PostgreSQL sends them (days or microseconds since
//! 2000-01-01) to and from text, and the chrono conversions `postgres-types` does not do the
//! same way. The calendar arithmetic is hand-written because without the `chrono` feature
//! these values travel as text, and `infinity`, BC dates and years beyond chrono's range read
//! as text even with it. With chrono, DATE and TIMESTAMP[TZ] columns decode through
//! postgres-types' impls (the same arithmetic; `row.rs`), and DATE and TIME parameters bind
//! through them (`bind.rs`); TIME columns decode here because postgres-types turns 24:00:00
//! into midnight, and timestamp parameters encode here to floor sub-microsecond values
//! (postgres-types truncates toward 2000-01-01) and to accept a UTC instant or a date for a
//! TIMESTAMP parameter.

/// Days from 1970-01-01 to a proleptic Gregorian date.
pub(super) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `z` days after 1970-01-01.
pub(super) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// PostgreSQL's epoch, 2000-01-01, in days after 1970-01-01.
pub(super) const PG_EPOCH_DAYS: i64 = 10_957;
pub(super) const MICROS_PER_DAY: i64 = 86_400_000_000;

pub(super) fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

pub(super) fn date_text(days: i32) -> String {
    match days {
        i32::MAX => "infinity".into(),
        i32::MIN => "-infinity".into(),
        _ => {
            let (y, m, d) = civil_from_days(i64::from(days) + PG_EPOCH_DAYS);
            if y <= 0 {
                format!("{:04}-{m:02}-{d:02} BC", 1 - y)
            } else {
                format!("{y:04}-{m:02}-{d:02}")
            }
        }
    }
}

pub(super) fn time_text(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let frac = micros.rem_euclid(1_000_000);
    let mut s = format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    if frac != 0 {
        let f = format!("{frac:06}");
        s.push('.');
        s.push_str(f.trim_end_matches('0'));
    }
    s
}

pub(super) fn timestamp_text(micros: i64, tz: bool) -> String {
    match micros {
        i64::MAX => "infinity".into(),
        i64::MIN => "-infinity".into(),
        _ => {
            let days = micros.div_euclid(MICROS_PER_DAY);
            let time = micros.rem_euclid(MICROS_PER_DAY);
            let date = date_text(i32::try_from(days).unwrap_or(i32::MAX - 1));
            let (date, bc) = match date.strip_suffix(" BC") {
                Some(d) => (d.to_owned(), " BC"),
                None => (date, ""),
            };
            let zone = if tz { "+00:00" } else { "" };
            format!("{date} {}{zone}{bc}", time_text(time))
        }
    }
}

pub(super) fn parse_num<T: std::str::FromStr>(
    s: &str,
    len: std::ops::RangeInclusive<usize>,
) -> Option<T> {
    if !len.contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `YYYY-MM-DD` (or `infinity`) to days since 2000-01-01.
pub(super) fn parse_date(s: &str) -> Option<i32> {
    match s.to_ascii_lowercase().as_str() {
        "infinity" | "+infinity" => return Some(i32::MAX),
        "-infinity" => return Some(i32::MIN),
        _ => {}
    }
    let mut it = s.splitn(3, '-');
    let y: i64 = parse_num(it.next()?, 4..=6)?;
    let m: u32 = parse_num(it.next()?, 2..=2)?;
    let d: u32 = parse_num(it.next()?, 2..=2)?;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    i32::try_from(days_from_civil(y, m, d) - PG_EPOCH_DAYS).ok()
}

/// `HH:MM[:SS[.ffffff]]` to microseconds after midnight.
pub(super) fn parse_time(s: &str) -> Option<i64> {
    let (hms, frac) = s.split_once('.').unwrap_or((s, ""));
    let mut it = hms.split(':');
    let h: i64 = parse_num(it.next()?, 2..=2)?;
    let m: i64 = parse_num(it.next()?, 2..=2)?;
    let sec: i64 = match it.next() {
        Some(x) => parse_num(x, 2..=2)?,
        None if frac.is_empty() => 0,
        None => return None,
    };
    if it.next().is_some() || m > 59 || sec > 60 || h > 24 {
        return None;
    }
    let mut micros = 0i64;
    if !frac.is_empty() {
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let f = format!("{:0<6}", &frac[..frac.len().min(6)]);
        micros = f.parse().ok()?;
    }
    let total = ((h * 60 + m) * 60 + sec) * 1_000_000 + micros;
    (total <= MICROS_PER_DAY).then_some(total)
}

/// `YYYY-MM-DD[ T]HH:MM[:SS[.f]][Z|±HH[:MM]]` (or a bare date, or `infinity`) to
/// microseconds since 2000-01-01 00:00 (UTC when `tz`; a zone is ignored otherwise, as
/// PostgreSQL does for `timestamp without time zone`). A value without a zone is taken as
/// UTC for `tz`. Returns `Some(None)` when the value is out of range.
pub(super) fn parse_timestamp(s: &str, tz: bool) -> Option<Option<i64>> {
    match s.to_ascii_lowercase().as_str() {
        "infinity" | "+infinity" => return Some(Some(i64::MAX)),
        "-infinity" => return Some(Some(i64::MIN)),
        _ => {}
    }
    let (date, rest) = match s.find([' ', 'T', 't']) {
        Some(i) => (&s[..i], s[i + 1..].trim_start()),
        None => (s, ""),
    };
    let days = i64::from(parse_date(date)?);
    let (time, offset_secs) = if rest.is_empty() {
        (0, 0)
    } else {
        let (time, zone) = if let Some(t) = rest.strip_suffix(['Z', 'z']) {
            (t.trim_end(), Some(0))
        } else if let Some(i) = rest.rfind(['+', '-']) {
            let zone = &rest[i + 1..];
            let sign = if rest.as_bytes()[i] == b'-' { -1 } else { 1 };
            let (zh, zm) = match zone.split_once(':') {
                Some((h, m)) => (parse_num::<i64>(h, 1..=2)?, parse_num::<i64>(m, 2..=2)?),
                None if zone.len() == 4 => (
                    parse_num::<i64>(&zone[..2], 2..=2)?,
                    parse_num::<i64>(&zone[2..], 2..=2)?,
                ),
                None => (parse_num::<i64>(zone, 1..=2)?, 0),
            };
            (rest[..i].trim_end(), Some(sign * (zh * 3600 + zm * 60)))
        } else {
            (rest, None)
        };
        let zone = if tz { zone.unwrap_or(0) } else { 0 };
        (parse_time(time)?, zone)
    };
    Some(
        days.checked_mul(MICROS_PER_DAY)
            .and_then(|d| d.checked_add(time))
            .and_then(|t| t.checked_sub(offset_secs * 1_000_000)),
    )
}

#[cfg(feature = "chrono")]
pub(super) fn pg_epoch() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2000, 1, 1)
        .unwrap_or_default()
        .and_time(chrono::NaiveTime::MIN)
}

#[cfg(feature = "chrono")]
pub(super) fn chrono_micros(t: chrono::NaiveDateTime) -> Option<i64> {
    // Floor to the microsecond (a duration would truncate toward 2000-01-01, moving earlier
    // values forward, possibly into the next day).
    t.and_utc()
        .timestamp_micros()
        .checked_sub(pg_epoch().and_utc().timestamp_micros())
}

#[cfg(feature = "chrono")]
pub(super) fn chrono_time(micros: i64) -> Option<chrono::NaiveTime> {
    let secs = u32::try_from(micros.div_euclid(1_000_000)).ok()?;
    let nanos = u32::try_from(micros.rem_euclid(1_000_000) * 1000).ok()?;
    chrono::NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_convert() {
        assert_eq!(parse_date("2000-01-01"), Some(0));
        assert_eq!(parse_date("1999-12-31"), Some(-1));
        assert_eq!(parse_date("2024-02-29"), Some(8825));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(date_text(8825), "2024-02-29");
        assert_eq!(date_text(-1), "1999-12-31");
        assert_eq!(date_text(i32::MAX), "infinity");
        for days in [-800_000, -1, 0, 1, 59, 60, 365, 8825, 3_000_000] {
            let text = date_text(days);
            if !text.ends_with("BC") {
                assert_eq!(parse_date(&text), Some(days), "{text}");
            }
        }
        assert_eq!(
            parse_time("13:45:10.5"),
            Some(((13 * 60 + 45) * 60 + 10) * 1_000_000 + 500_000)
        );
        assert_eq!(
            time_text(((13 * 60 + 45) * 60 + 10) * 1_000_000 + 500_000),
            "13:45:10.5"
        );
        assert_eq!(time_text(0), "00:00:00");
        assert_eq!(parse_time("25:00"), None);
        let ts = parse_timestamp("2024-03-01 12:00:00+02:00", true)
            .unwrap()
            .unwrap();
        assert_eq!(timestamp_text(ts, true), "2024-03-01 10:00:00+00:00");
        let ts = parse_timestamp("2024-03-01T12:00:00.000001Z", true)
            .unwrap()
            .unwrap();
        assert_eq!(timestamp_text(ts, true), "2024-03-01 12:00:00.000001+00:00");
        let ts = parse_timestamp("2024-03-01 12:00:00-0530", false)
            .unwrap()
            .unwrap();
        assert_eq!(timestamp_text(ts, false), "2024-03-01 12:00:00");
        assert_eq!(
            parse_timestamp("2024-03-01", false),
            Some(Some(8826 * MICROS_PER_DAY))
        );
        assert_eq!(parse_timestamp("yesterday", false), None);
        assert_eq!(timestamp_text(i64::MIN, true), "-infinity");
    }
}
