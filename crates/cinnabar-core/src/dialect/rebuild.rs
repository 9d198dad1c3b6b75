//! Table rebuilds as a dialect capability: what a database whose ALTER TABLE cannot make a
//! change (SQLite) needs so that the migration layer can make it anyway by rebuilding the
//! table (create the new table, copy the rows, drop the old one, rename). Returned by
//! [`Dialect::table_rebuild`](super::Dialect::table_rebuild); used by
//! `cinnabar_migrate::rebuild`, which holds no backend knowledge of its own.

use std::fmt;

use crate::error::{Error, Result};
use crate::schema::Table;
use crate::sql::AlterAction;

use super::Dialect;

/// A server version, `major.minor.patch` (SQLite's `sqlite_version()`, e.g. `3.45.1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServerVersion {
    /// Major version.
    pub major: u32,
    /// Minor version.
    pub minor: u32,
    /// Patch level (0 when the server reports none).
    pub patch: u32,
}

impl ServerVersion {
    /// `major.minor.patch`.
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        ServerVersion {
            major,
            minor,
            patch,
        }
    }

    /// Reads the leading `major.minor[.patch]` of a version text (`3.45.1`, `15.4 (Debian
    /// 15.4-1)`, `10.11.6-MariaDB`).
    ///
    /// # Errors
    /// [`ErrorKind::Conversion`](crate::ErrorKind::Conversion) when the text does not start
    /// with `<number>.<number>`.
    pub fn parse(text: &str) -> Result<ServerVersion> {
        let bad = || {
            Error::conversion(format!(
                "cannot read a server version (major.minor[.patch]) from {text:?}"
            ))
        };
        let mut parts = text.trim().splitn(3, '.');
        let mut number = |required: bool| -> Result<u32> {
            let part = parts.next().unwrap_or("");
            let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
            if digits.is_empty() {
                return if required { Err(bad()) } else { Ok(0) };
            }
            digits.parse().map_err(|_| bad())
        };
        let major = number(true)?;
        let minor = number(true)?;
        let patch = number(false)?;
        Ok(ServerVersion::new(major, minor, patch))
    }
}

impl fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// How a database rebuilds a table that its ALTER TABLE cannot change (SQLite's documented
/// procedure: foreign keys off outside the transaction; in it, create the new table under
/// a temporary name, copy, drop the old table, rename the new one, recreate indexes and
/// triggers, check foreign keys; commit; foreign keys back on). The statements and queries
/// the procedure needs, and what the database's native ALTER TABLE can and cannot do.
///
/// Every query here takes no parameters unless it says so, and every statement is written
/// with identifiers quoted by the dialect.
pub trait TableRebuild: Send + Sync + fmt::Debug {
    /// A query returning one row with the running server's version as text.
    fn version_sql(&self) -> &'static str;

    /// The oldest server version whose ALTER TABLE performs `action` as the DDL compiler
    /// writes it (SQLite: `RENAME COLUMN` 3.25.0, `DROP COLUMN` 3.35.0). `None`: every
    /// version the driver can run.
    fn alter_min_version(&self, action: &AlterAction) -> Option<ServerVersion>;

    /// Why the database's own ALTER TABLE would refuse `action` on `table` as it stands
    /// although the DDL compiles (SQLite cannot drop a column that a key, an index, a
    /// foreign key or a CHECK constraint names, nor add a NOT NULL column without a default
    /// or one whose default is not a constant), so that the table is rebuilt instead.
    /// `None`: the native statement is expected to work.
    fn refuses_natively(&self, table: &Table, action: &AlterAction) -> Option<String>;

    /// A query returning one row whose first column is 1 when foreign keys are enforced
    /// and 0 when not (`PRAGMA foreign_keys`).
    fn foreign_keys_enabled_sql(&self) -> &'static str;

    /// The statement turning foreign-key enforcement on or off. On SQLite it does nothing
    /// inside a transaction, so it runs before BEGIN and after COMMIT.
    fn foreign_keys_sql(&self, on: bool) -> &'static str;

    /// The statement that makes `ALTER TABLE .. RENAME TO` leave other objects alone
    /// (`on`), or puts the normal behaviour back: the final rename of the rebuilt table
    /// must neither rewrite nor check views and triggers that name the table, which are
    /// dangling while the old table is gone.
    fn legacy_rename_sql(&self, on: bool) -> &'static str;

    /// A query returning one row whose first column is 1 when the legacy rename behaviour
    /// of [`legacy_rename_sql`](TableRebuild::legacy_rename_sql) is on.
    fn legacy_rename_enabled_sql(&self) -> &'static str;

    /// Writes the query that lists the rows of `table` whose foreign keys have no parent
    /// row: each row holds (table, rowid, parent table, foreign-key id), as SQLite's
    /// `PRAGMA foreign_key_check("t")` returns them.
    fn write_foreign_key_check(&self, dialect: &dyn Dialect, out: &mut String, table: &str);

    /// A query taking the table name as its one parameter, returning one row with the
    /// table's stored `CREATE TABLE` text (none when the table does not exist).
    fn table_definition_sql(&self) -> &'static str;

    /// A query listing the triggers and views of the database in the order they were
    /// created: each row holds (`trigger` or `view`, name, the table it is on, its stored
    /// CREATE text).
    fn dependents_sql(&self) -> &'static str;

    /// A query taking the table name as its one parameter, listing the foreign keys of
    /// every table that references it: each row holds (the referencing table, the
    /// referenced column or NULL for the referenced table's primary key).
    fn referencing_sql(&self) -> &'static str;

    /// What a table's stored CREATE TABLE text declares that a [`Table`] value does not
    /// carry (`AUTOINCREMENT`, `WITHOUT ROWID`, `STRICT`, `COLLATE`, generated columns,
    /// conflict clauses, deferred foreign keys), so that a rebuild from the `Table` would
    /// silently drop it. Empty when the rebuild keeps everything.
    fn unkept_features(&self, create_sql: &str) -> Vec<&'static str>;

    /// Whether `sql` (a trigger's or view's CREATE text) names `identifier` outside string
    /// literals and comments (ASCII case-insensitive, quoted or not).
    fn mentions(&self, sql: &str, identifier: &str) -> bool;

    /// `sql` (a CHECK condition or a partial index's WHERE) with every identifier that
    /// names `from` (as [`mentions`](TableRebuild::mentions) finds them) replaced by `to`,
    /// quoted by `dialect`: what a column rename does to the constraints of a rebuilt table.
    fn rename_identifier(&self, dialect: &dyn Dialect, sql: &str, from: &str, to: &str) -> String;
}
