//! Identifier checks: a name longer than the dialect keeps intact (PostgreSQL silently cuts
//! names at 63 bytes, so two long names can become one table) or containing a NUL byte is a
//! typed error before any SQL reaches the database. Used by the compiler for every identifier
//! it writes and by `create_all` / `drop_all` for every name in a table's DDL.

use super::Dialect;
use crate::error::{Error, ErrorKind, Result};
use crate::schema::Table;

/// The longest identifier a dialect's database keeps intact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentifierLimit {
    /// No practical limit (SQLite).
    Unlimited,
    /// At most this many bytes of UTF-8 (PostgreSQL: 63).
    Bytes(usize),
    /// At most this many characters (MySQL/MariaDB: 64).
    Chars(usize),
}

/// Checks one identifier for `d`; `what` names its role in messages (`table`, `column`,
/// `index`, `constraint`, `alias`).
///
/// # Errors
/// [`ErrorKind::IdentifierTooLong`] naming the identifier, its length, the limit and the
/// dialect; [`ErrorKind::Misuse`] when it contains a NUL byte.
pub fn check_identifier(d: &dyn Dialect, ident: &str, what: &str) -> Result<()> {
    check_with(d, d.identifier_limit(), ident, what)
}

/// [`check_identifier`] with the limit already fetched (the compiler asks once per statement).
pub(crate) fn check_with(
    d: &dyn Dialect,
    limit: IdentifierLimit,
    ident: &str,
    what: &str,
) -> Result<()> {
    let bytes = ident.len();
    let (len, max, unit) = match limit {
        IdentifierLimit::Bytes(max) if bytes > max => (bytes, max, "bytes"),
        // A name of at most `max` bytes has at most `max` characters: count only beyond.
        IdentifierLimit::Chars(max) if bytes > max => match ident.chars().count() {
            n if n > max => (n, max, "characters"),
            _ => return check_nul(ident, what),
        },
        _ => return check_nul(ident, what),
    };
    Err(Error::new(
        ErrorKind::IdentifierTooLong,
        format!(
            "{what} name {ident:?} is {len} {unit} long; {} allows at most {max} {unit}",
            d.name()
        ),
    ))
}

fn check_nul(ident: &str, what: &str) -> Result<()> {
    if super::has_byte(ident.as_bytes(), 0) {
        return Err(Error::misuse(format!(
            "{what} name {ident:?} contains a NUL byte, which no database accepts in a name"
        )));
    }
    Ok(())
}

/// Checks every name `create_all` writes for `table`: the table, its columns, its indexes
/// (generated `ix_` names included), named unique constraints, the tables and columns its
/// foreign keys reference, the names of named and `use_alter` foreign keys and the names of
/// its check constraints (generated `ck_` names included).
///
/// # Errors
/// As [`check_identifier`], for the first offending name.
pub fn check_table(d: &dyn Dialect, table: &Table) -> Result<()> {
    let limit = d.identifier_limit();
    let check = |ident: &str, what: &str| check_with(d, limit, ident, what);
    check(&table.name, "table")?;
    let in_table = |e: Error| e.context(format_args!("table {:?}", table.name));
    for c in &table.columns {
        check(&c.name, "column").map_err(in_table)?;
    }
    for i in table.all_indexes() {
        check(&i.name, "index").map_err(in_table)?;
    }
    for u in &table.uniques {
        if let Some(n) = &u.name {
            check(n, "constraint").map_err(in_table)?;
        }
    }
    for fk in &table.foreign_keys {
        check(&fk.ref_table, "referenced table").map_err(in_table)?;
        for c in &fk.ref_columns {
            check(c, "referenced column").map_err(in_table)?;
        }
        if fk.use_alter || fk.name.is_some() {
            check(&fk.constraint_name(&table.name), "constraint").map_err(in_table)?;
        }
    }
    for i in 0..table.checks.len() {
        check(&table.check_name(i), "constraint").map_err(in_table)?;
    }
    Ok(())
}
