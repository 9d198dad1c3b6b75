//! NUMERIC's binary wire format to and from decimal text. Hand-written rather than
//! `rust_decimal`'s `postgres-types` impls: without the `decimal` feature values travel as
//! text, and with it a value beyond rust_decimal's 28 digits (or NaN, ±Infinity) must still
//! round-trip exactly as text, where rust_decimal's `FromSql` rounds or refuses it.

use std::fmt::Write as _;

use postgres::types::private::BytesMut;

pub(super) const NUMERIC_NEG: u16 = 0x4000;
pub(super) const NUMERIC_NAN: u16 = 0xC000;
pub(super) const NUMERIC_PINF: u16 = 0xD000;
pub(super) const NUMERIC_NINF: u16 = 0xF000;

/// The text of a binary NUMERIC (as PostgreSQL prints it, keeping the scale).
pub(super) fn numeric_text(raw: &[u8]) -> std::result::Result<String, String> {
    let bad = || "malformed numeric value".to_owned();
    let word = |i: usize| -> std::result::Result<u16, String> {
        raw.get(i * 2..i * 2 + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(bad)
    };
    let ndigits = usize::from(word(0)?);
    let weight = i64::from(word(1)? as i16);
    let sign = word(2)?;
    let dscale = usize::from(word(3)?);
    if raw.len() != 8 + 2 * ndigits {
        return Err(bad());
    }
    match sign {
        NUMERIC_NAN => return Ok("NaN".into()),
        NUMERIC_PINF => return Ok("Infinity".into()),
        NUMERIC_NINF => return Ok("-Infinity".into()),
        0 | NUMERIC_NEG => {}
        _ => return Err(bad()),
    }
    let mut digits = Vec::with_capacity(ndigits);
    for i in 0..ndigits {
        let d = word(4 + i)?;
        if d > 9999 {
            return Err(bad());
        }
        digits.push(d);
    }
    let digit = |i: i64| -> u16 {
        usize::try_from(i)
            .ok()
            .and_then(|i| digits.get(i).copied())
            .unwrap_or(0)
    };
    let mut out = String::new();
    if sign == NUMERIC_NEG {
        out.push('-');
    }
    if weight < 0 {
        out.push('0');
    } else {
        for i in 0..=weight {
            let d = digit(i);
            if i == 0 {
                let _ = write!(out, "{d}");
            } else {
                let _ = write!(out, "{d:04}");
            }
        }
    }
    if dscale > 0 {
        out.push('.');
        let start = out.len();
        let mut i = weight + 1;
        while out.len() - start < dscale {
            let _ = write!(out, "{:04}", digit(i));
            i += 1;
        }
        out.truncate(start + dscale);
    }
    Ok(out)
}

/// Encodes decimal text (`-12.5`, `1e-3`, `NaN`, `Infinity`) as a binary NUMERIC.
pub(super) fn encode_numeric(text: &str, out: &mut BytesMut) -> std::result::Result<(), String> {
    let s = text.trim();
    let special = match s.to_ascii_lowercase().as_str() {
        "nan" => Some(NUMERIC_NAN),
        "infinity" | "+infinity" | "inf" | "+inf" => Some(NUMERIC_PINF),
        "-infinity" | "-inf" => Some(NUMERIC_NINF),
        _ => None,
    };
    if let Some(sign) = special {
        for w in [0u16, 0, sign, 0] {
            out.extend_from_slice(&w.to_be_bytes());
        }
        return Ok(());
    }
    let invalid = || format!("{s:?} is not a decimal number");
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => {
            let e: i64 = body[i + 1..].parse().map_err(|_| invalid())?;
            (&body[..i], e)
        }
        None => (body, 0),
    };
    if exp.abs() > 16383 {
        return Err(format!("{s:?} is out of range for numeric"));
    }
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(invalid());
    }
    let dscale = (frac.len() as i64 - exp).max(0);
    // All digits, with the decimal point after `point` of them.
    let mut digits: Vec<u8> = int.bytes().chain(frac.bytes()).map(|b| b - b'0').collect();
    let mut point = int.len() as i64 + exp;
    if point < 0 {
        let pad = usize::try_from(-point).unwrap_or(0);
        digits.splice(0..0, vec![0; pad]);
        point = 0;
    }
    let point = usize::try_from(point).unwrap_or(0);
    if point > digits.len() {
        digits.resize(point, 0);
    }
    // Align to base-10000 groups around the decimal point.
    let lead = (4 - point % 4) % 4;
    digits.splice(0..0, vec![0; lead]);
    let point = point + lead;
    let tail = (4 - digits.len() % 4) % 4;
    digits.resize(digits.len() + tail, 0);
    let mut groups: Vec<u16> = digits
        .chunks(4)
        .map(|c| c.iter().fold(0u16, |acc, &d| acc * 10 + u16::from(d)))
        .collect();
    let mut weight = (point / 4) as i64 - 1;
    let leading = groups.iter().take_while(|&&g| g == 0).count();
    groups.drain(..leading);
    weight -= leading as i64;
    while groups.last() == Some(&0) {
        groups.pop();
    }
    if groups.is_empty() {
        weight = 0;
    }
    let ndigits = u16::try_from(groups.len())
        .map_err(|_| format!("{s:?} has too many digits for numeric"))?;
    let weight = i16::try_from(weight).map_err(|_| format!("{s:?} is out of range for numeric"))?;
    let dscale = u16::try_from(dscale).map_err(|_| format!("{s:?} is out of range for numeric"))?;
    let sign = if neg && !groups.is_empty() {
        NUMERIC_NEG
    } else {
        0
    };
    out.extend_from_slice(&ndigits.to_be_bytes());
    out.extend_from_slice(&weight.to_be_bytes());
    out.extend_from_slice(&sign.to_be_bytes());
    out.extend_from_slice(&dscale.to_be_bytes());
    for g in groups {
        out.extend_from_slice(&g.to_be_bytes());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric_round_trip(text: &str) -> String {
        let mut buf = BytesMut::new();
        encode_numeric(text, &mut buf).unwrap();
        numeric_text(&buf).unwrap()
    }

    #[test]
    fn numeric_text_round_trips() {
        for (input, shown) in [
            ("0", "0"),
            ("-0", "0"),
            ("0.00", "0.00"),
            ("1", "1"),
            ("-1", "-1"),
            ("10000", "10000"),
            ("12345.6789", "12345.6789"),
            ("-3950.123456", "-3950.123456"),
            ("0.0001", "0.0001"),
            ("0.00001", "0.00001"),
            ("1e3", "1000"),
            ("1.5e-3", "0.0015"),
            ("+7.25", "7.25"),
            ("9223372036854775807", "9223372036854775807"),
            ("-9223372036854775808", "-9223372036854775808"),
            (
                "12345678901234567890123456789012345678.0123456789",
                "12345678901234567890123456789012345678.0123456789",
            ),
            ("NaN", "NaN"),
            ("Infinity", "Infinity"),
            ("-inf", "-Infinity"),
        ] {
            assert_eq!(numeric_round_trip(input), shown, "{input}");
        }
        for bad in ["", ".", "1.2.3", "abc", "1e", "--1", "1e99999"] {
            assert!(encode_numeric(bad, &mut BytesMut::new()).is_err(), "{bad}");
        }
    }

    #[test]
    fn numeric_binary_matches_postgres_layout() {
        // 3950.123456 as PostgreSQL stores it: 3 groups, weight 0, dscale 6.
        let mut buf = BytesMut::new();
        encode_numeric("3950.123456", &mut buf).unwrap();
        assert_eq!(
            &buf[..],
            &[0, 3, 0, 0, 0, 0, 0, 6, 0x0F, 0x6E, 0x04, 0xD2, 0x15, 0xE0]
        );
    }
}
