//! The ANSI bodies of [`Dialect`]'s default SQL writers (string literals, LIMIT/OFFSET, row
//! locks, `ON CONFLICT`), kept here so the trait's declaration in `mod.rs` stays readable. A
//! dialect that differs overrides the trait method; nothing else calls these.

use super::{push_u64, Dialect};
use crate::sql::{OnConflict, RowLock};

/// [`Dialect::write_string_literal`]: quotes doubled, and backslashes where they escape.
pub(super) fn write_string_literal(out: &mut String, text: &str, backslash: bool) {
    out.push('\'');
    for ch in text.chars() {
        if ch == '\'' || (backslash && ch == '\\') {
            out.push(ch);
        }
        out.push(ch);
    }
    out.push('\'');
}

/// [`Dialect::write_limit_offset`]: ` LIMIT n` and ` OFFSET m`, each where present.
pub(super) fn write_limit_offset(out: &mut String, limit: Option<u64>, offset: Option<u64>) {
    if let Some(l) = limit {
        out.push_str(" LIMIT ");
        push_u64(out, l);
    }
    if let Some(o) = offset {
        out.push_str(" OFFSET ");
        push_u64(out, o);
    }
}

/// [`Dialect::write_row_lock`]: `FOR UPDATE [NOWAIT | SKIP LOCKED]`.
pub(super) fn write_row_lock(out: &mut String, lock: RowLock) {
    out.push_str(match lock {
        RowLock::Wait => " FOR UPDATE",
        RowLock::NoWait => " FOR UPDATE NOWAIT",
        RowLock::SkipLocked => " FOR UPDATE SKIP LOCKED",
    });
}

/// [`Dialect::write_on_conflict`]: `ON CONFLICT [(target)] DO NOTHING | DO UPDATE SET c =
/// excluded.c, ...`, identifiers quoted by `dialect`.
///
/// # Errors
/// [`ErrorKind::Misuse`](crate::ErrorKind::Misuse) for an update without a conflict target.
pub(super) fn write_on_conflict<D: Dialect + ?Sized>(
    dialect: &D,
    out: &mut String,
    oc: &OnConflict,
) -> crate::Result<()> {
    if let OnConflict::Update { target, .. } = oc {
        if target.is_empty() {
            return Err(crate::Error::misuse(
                "an upsert that updates needs the conflict target columns",
            ));
        }
    }
    let (target, columns) = match oc {
        OnConflict::DoNothing { target } => (target, None),
        OnConflict::Update { target, columns } => (target, Some(columns)),
    };
    out.push_str(" ON CONFLICT");
    if !target.is_empty() {
        out.push_str(" (");
        for (i, c) in target.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            dialect.quote_identifier(out, c);
        }
        out.push(')');
    }
    match columns {
        None => out.push_str(" DO NOTHING"),
        Some(cols) => {
            out.push_str(" DO UPDATE SET ");
            for (i, c) in cols.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                dialect.quote_identifier(out, c);
                out.push_str(" = excluded.");
                dialect.quote_identifier(out, c);
            }
        }
    }
    Ok(())
}
