//! Dialects: how each database spells SQL. A [`Dialect`] renders identifiers, placeholders,
//! type names, LIMIT/OFFSET, upserts and DDL; the shared [`compile`] walks statements and asks
//! the dialect only where databases differ.
//!
//! A dialect does no I/O: drivers (in `cinnabar-engine`) execute what it renders.

mod compiler;
mod ddl;
mod mysql;
mod postgres;
mod sqlite;

pub use compiler::{compile, Compiled};
pub use ddl::{create_index, create_table, drop_table};
pub use mysql::MySqlDialect;
pub use postgres::PostgresDialect;
pub use sqlite::SqliteDialect;

use crate::schema::Column;

/// How a write transaction is begun.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BeginMode {
    /// The database's default (`BEGIN`, SQLite's DEFERRED).
    Deferred,
    /// Take the write lock at once (SQLite `BEGIN IMMEDIATE`), so concurrent writers queue
    /// on the busy timeout instead of failing at their first write.
    Immediate,
}

/// The SQL spelling of one database. Methods with defaults follow ANSI SQL; a dialect
/// overrides only where its database differs.
pub trait Dialect: Send + Sync + std::fmt::Debug + 'static {
    /// Short name: `sqlite`, `postgresql`, `mysql`.
    fn name(&self) -> &'static str;

    /// Writes `ident` quoted, doubling any quote character inside it.
    fn quote_identifier(&self, out: &mut String, ident: &str) {
        quote_with(out, ident, '"');
    }

    /// Writes the placeholder for the `n`th parameter (1-based).
    fn write_placeholder(&self, out: &mut String, n: usize) {
        let _ = n;
        out.push('?');
    }

    /// The SQL type name for `column` in DDL.
    fn column_type(&self, column: &Column) -> String;

    /// The column definition after the name for a single autoincrementing integer primary
    /// key, e.g. SQLite's `INTEGER PRIMARY KEY`.
    fn autoincrement_primary_key(&self, column: &Column) -> String;

    /// Writes LIMIT/OFFSET (either may be absent).
    fn write_limit_offset(&self, out: &mut String, limit: Option<u64>, offset: Option<u64>) {
        if let Some(l) = limit {
            out.push_str(" LIMIT ");
            push_u64(out, l);
        }
        if let Some(o) = offset {
            out.push_str(" OFFSET ");
            push_u64(out, o);
        }
    }

    /// Whether INSERT/UPDATE/DELETE accept RETURNING.
    fn supports_returning(&self) -> bool {
        true
    }

    /// Largest number of bound parameters in one statement.
    fn max_bind_params(&self) -> usize;

    /// Rows per multi-row INSERT statement in bulk inserts.
    fn insert_batch_rows(&self) -> usize {
        1000
    }

    /// Whether string concatenation must be written as `CONCAT(a, b)`.
    fn concat_is_function(&self) -> bool {
        false
    }

    /// The statement that begins a transaction in `mode`.
    fn begin_sql(&self, mode: BeginMode) -> &'static str {
        let _ = mode;
        "BEGIN"
    }

    /// Whether `CREATE INDEX IF NOT EXISTS` is understood.
    fn supports_index_if_not_exists(&self) -> bool {
        true
    }

    /// Text appended after a CREATE TABLE's closing parenthesis.
    fn create_table_suffix(&self) -> &'static str {
        ""
    }

    /// Writes the upsert clause of an INSERT (after VALUES).
    fn write_on_conflict(&self, out: &mut String, oc: &crate::sql::OnConflict) {
        use crate::sql::OnConflict;
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
                self.quote_identifier(out, c);
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
                    self.quote_identifier(out, c);
                    out.push_str(" = excluded.");
                    self.quote_identifier(out, c);
                }
            }
        }
    }

    /// How an empty INSERT (all defaults) is written after the table name.
    fn default_values_clause(&self) -> &'static str {
        " DEFAULT VALUES"
    }
}

/// Quotes `ident` with `q`, doubling `q` inside it.
pub fn quote_with(out: &mut String, ident: &str, q: char) {
    out.reserve(ident.len() + 2);
    out.push(q);
    if ident.contains(q) {
        for ch in ident.chars() {
            if ch == q {
                out.push(q);
            }
            out.push(ch);
        }
    } else {
        out.push_str(ident);
    }
    out.push(q);
}

/// Appends a decimal integer without going through `fmt`.
pub fn push_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // The buffer holds only ASCII digits.
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or("0"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_doubles_the_quote_char() {
        let mut s = String::new();
        quote_with(&mut s, "we\"ird; DROP TABLE x", '"');
        assert_eq!(s, "\"we\"\"ird; DROP TABLE x\"");
    }

    #[test]
    fn push_u64_writes_digits() {
        let mut s = String::new();
        push_u64(&mut s, 0);
        s.push(' ');
        push_u64(&mut s, u64::MAX);
        assert_eq!(s, "0 18446744073709551615");
    }
}
