//! `rust_decimal::Decimal` (feature `decimal`), rounded to the column's scale when read.

use super::*;
use rust_decimal::{Decimal, RoundingStrategy};

impl ToSql for Decimal {
    fn to_sql(&self) -> Result<ValueRef<'_>> {
        Ok(ValueRef::Decimal(*self))
    }
}
impl FromSql for Decimal {
    fn from_sql(value: ValueRef<'_>) -> Result<Self> {
        match value {
            ValueRef::Decimal(d) => Ok(d),
            ValueRef::Int(i) => Ok(Decimal::from(i)),
            ValueRef::Text(s) => s
                .parse::<Decimal>()
                .map_err(|_| Error::conversion(format!("text {s:?} is not a valid decimal"))),
            ValueRef::Real(f) => decimal_from_f64(f),
            other => Err(mismatch::<Decimal>(other)),
        }
    }

    fn from_sql_column(value: ValueRef<'_>, sql_type: SqlType) -> Result<Self> {
        let d = Self::from_sql(value)?;
        match sql_type {
            SqlType::Decimal(_, scale) if d.scale() != u32::from(scale) => {
                let scale = u32::from(scale).min(Decimal::MAX_SCALE);
                let mut d = d.round_dp_with_strategy(scale, RoundingStrategy::MidpointAwayFromZero);
                // Pads with zeros; a value too large for that many digits keeps its own.
                d.rescale(scale);
                Ok(d)
            }
            _ => Ok(d),
        }
    }
}

/// A REAL (how SQLite's NUMERIC affinity, and SQLAlchemy, store decimals) as the decimal
/// its shortest round-trip text spells: `0.3` reads as `0.3`, not as the double's exact
/// binary value. A double holds 15 to 17 significant digits, so that is all a REAL keeps.
fn decimal_from_f64(f: f64) -> Result<Decimal> {
    // 2^96: the double nearest to Decimal::MAX, so what writing Decimal::MAX stores.
    const EDGE: f64 = 79_228_162_514_264_337_593_543_950_336.0;
    let out_of_range = || Error::conversion(format!("REAL {f:e} is out of range for Rust Decimal"));
    if !f.is_finite() || f.abs() > EDGE {
        return Err(out_of_range());
    }
    if f.abs() == EDGE {
        return Ok(if f > 0.0 { Decimal::MAX } else { Decimal::MIN });
    }
    // `{:e}` is the shortest round-trip digits; from_scientific rounds digits past
    // Decimal's 28 fractional places.
    let text = format!("{f:e}");
    Decimal::from_scientific(&text)
        .or_else(|_| {
            // Below 1e-28 from_scientific may refuse the exponent: that rounds to zero.
            if f.abs() < 1e-28 {
                Ok(Decimal::ZERO)
            } else {
                Err(out_of_range())
            }
        })
        .map(|d| d.normalize())
}
impl ColumnType for Decimal {
    const SQL_TYPE: SqlType = SqlType::Decimal(28, 10);
    type Kind = kind::Decimal;
}
