//! DECIMAL cells to `rust_decimal`. Not `mysql_common`'s conversion: it rounds values
//! beyond 28 digits, where this keeps the exact text; binding sends a decimal as its text.

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
