//! The answers of the [`Dialect`](super::Dialect) questions that are more than a flag: how a
//! transaction begins ([`BeginMode`]), how generated keys come back ([`GeneratedKeys`]), which
//! statements take RETURNING ([`DmlKind`]). Read by the compiler, the engine and the flush.

/// How a write transaction is begun.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BeginMode {
    /// The database's default (`BEGIN`, SQLite's DEFERRED).
    Deferred,
    /// Take the write lock at once (SQLite `BEGIN IMMEDIATE`), so concurrent writers queue
    /// on the busy timeout instead of failing at their first write.
    Immediate,
    /// A transaction that only reads: a consistent snapshot for its queries, no write lock
    /// (SQLite's DEFERRED `BEGIN`, which stays a read transaction while it writes nothing),
    /// and the server refusing writes where it can (`BEGIN READ ONLY` on PostgreSQL,
    /// `START TRANSACTION READ ONLY` on MySQL/MariaDB).
    ReadOnly,
}

/// How a dialect's database reports keys it generated for an INSERT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeneratedKeys {
    /// `INSERT ... RETURNING` (SQLite, PostgreSQL).
    Returning,
    /// The connection's last-insert id, which for a multi-row INSERT is the *last* row's
    /// key, the others preceding it consecutively (SQLite rowids: each new row gets
    /// `max(rowid) + 1`; the ORM confirms with `SELECT MAX(key)` that no row fell back to
    /// a random rowid). RETURNING is still used where other columns must be read back.
    LastInsertIdLast,
    /// The connection's last-insert id, which for a multi-row INSERT is the *first* row's
    /// key, the rest following consecutively (MySQL/MariaDB with
    /// `innodb_autoinc_lock_mode` 0 or 1, and 2 for simple inserts).
    LastInsertIdFirst,
}

/// The statements that may take a RETURNING clause, for
/// [`Dialect::supports_returning_in`](super::Dialect::supports_returning_in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DmlKind {
    /// `INSERT ... RETURNING`
    Insert,
    /// `UPDATE ... RETURNING`
    Update,
    /// `DELETE ... RETURNING`
    Delete,
}

impl DmlKind {
    /// The statement's keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            DmlKind::Insert => "INSERT",
            DmlKind::Update => "UPDATE",
            DmlKind::Delete => "DELETE",
        }
    }
}
