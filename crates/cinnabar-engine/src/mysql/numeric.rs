//! Numbers the server sends in a form Cinnabar does not take as is: DECIMAL text to
//! `rust_decimal` (not `mysql_common`'s conversion, which rounds values beyond 28 digits where
//! this keeps the exact text; binding sends a decimal as its text), and single-precision FLOAT
//! widened to f64.

/// The exact decimal of a DECIMAL column's text, or `None` past rust_decimal's 28 digits
/// (the exact text is kept then). Trailing fractional zeros (the column's scale) are dropped
/// if that is what it takes to fit: the value is unchanged, as on PostgreSQL.
#[cfg(feature = "decimal")]
pub(super) fn exact_decimal(t: &str) -> Option<rust_decimal::Decimal> {
    let trimmed = if t.contains('.') {
        t.trim_end_matches('0').trim_end_matches('.')
    } else {
        t
    };
    rust_decimal::Decimal::from_str_exact(t)
        .or_else(|_| rust_decimal::Decimal::from_str_exact(trimmed))
        .ok()
}

/// FLOAT is single precision: widen through its shortest decimal form, so a stored 0.1
/// reads as 0.1 and not 0.10000000149011612.
pub(super) fn widen_f32(f: f32) -> f64 {
    if f.is_finite() {
        let wide: f64 = f.to_string().parse().unwrap_or(f64::from(f));
        // The shortest form of ±f32::MAX lies beyond f32's range as an f64: keep the exact
        // value there (and wherever the decimal form would not narrow back to `f`).
        if wide.abs() <= f64::from(f32::MAX) && wide as f32 == f {
            wide
        } else {
            f64::from(f)
        }
    } else {
        f64::from(f)
    }
}

#[cfg(test)]
mod tests {
    use super::super::datetime::{format_date, format_time};
    use super::*;

    #[test]
    fn float_widening_keeps_the_decimal_form() {
        assert_eq!(widen_f32(0.1), 0.1);
        assert_eq!(widen_f32(f32::INFINITY), f64::INFINITY);
        assert_eq!(format_time(true, 1, 2, 3, 4, 5), "-26:03:04.000005");
        assert_eq!(
            format_date((0, 0, 0, 0, 0, 0, 0), false),
            "0000-00-00 00:00:00"
        );
    }
}
