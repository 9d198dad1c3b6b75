//! What a database offers schema migrations, as values a dialect returns: how two processes
//! are kept from migrating at once ([`MigrationLock`]) and the SQL of the named locks
//! ([`NamedLock`]). The `Dialect` methods that return them (`migration_lock`,
//! `transactional_ddl`, `lock_timeout_sql`, ...) are documented on the trait; the Migrator of
//! `cinnabar-migrate` is their user, so that it never asks which backend it runs on.

/// How a database keeps two processes from applying the same revision at once
/// ([`Dialect::migration_lock`](super::Dialect::migration_lock)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationLock {
    /// A lock with a name, held by one session for the whole run and released at its end
    /// (PostgreSQL's advisory locks, MySQL's `GET_LOCK`). The caller polls
    /// [`NamedLock::try_acquire`] until it succeeds or its wait runs out, then asks
    /// [`NamedLock::holder`] who holds it.
    Named(NamedLock),
    /// The database-wide write lock (SQLite): each revision's transaction is begun with
    /// [`BeginMode::Immediate`](super::BeginMode::Immediate), which waits for any other
    /// writer up to the connection's busy timeout and then fails with
    /// [`ErrorKind::Busy`](crate::ErrorKind::Busy). The database cannot say which process
    /// holds it.
    WriteTransaction,
    /// A row in a lock table of its own (the version table's name + `_lock`), inserted to
    /// take the lock and deleted to release it: the one lock every node of a multi-primary
    /// cluster sees, because rows are replicated and two nodes inserting the same key
    /// conflict (Galera, where `GET_LOCK` is local to a node). The row names its holder and
    /// when it was taken; a process that died holding it leaves it behind, and the error of
    /// the next run says how to remove it.
    LockTable,
}

/// The SQL of a named, session-level lock. Each statement takes one text parameter, the
/// lock's name (the Migrator passes its version table's name); the statement itself scopes
/// it to the current database or schema, so migrations of two schemas never wait for each
/// other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NamedLock {
    /// Takes the lock without waiting: one row, one integer column, `1` when this session now
    /// holds it (taking it again while holding it succeeds), `0` when another session does.
    pub try_acquire: &'static str,
    /// Releases it: one row, one integer column, `1` when it was held by this session.
    pub release: &'static str,
    /// Describes the session that holds it: one row with one text column (process id, user,
    /// client, since when, what it runs), or no row when nobody holds it.
    pub holder: &'static str,
}

/// The SQL of a named lock scoped to the current transaction
/// ([`Dialect::migration_transaction_lock`](super::Dialect::migration_transaction_lock)):
/// taken at the start of each transaction, released by its COMMIT or ROLLBACK, so it never
/// outlives the transaction on a server connection that a pooler hands to other clients.
/// Each statement takes the lock's name as its one text parameter, as [`NamedLock`]'s do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransactionLock {
    /// Takes the lock without waiting: one row, one integer column, `1` when this
    /// transaction now holds it, `0` when another session does.
    pub try_acquire: &'static str,
    /// Describes the session that holds it, as [`NamedLock::holder`].
    pub holder: &'static str,
}

/// PostgreSQL's transaction-scoped form of [`POSTGRES_LOCK`]: the same key, so a
/// transaction-scoped and a session-level migration of one schema exclude each other.
pub(crate) const POSTGRES_TRANSACTION_LOCK: TransactionLock = TransactionLock {
    try_acquire: "SELECT CASE WHEN pg_try_advisory_xact_lock(\
                  hashtextextended(coalesce(current_schema(), '') || '.' || $1, 0)) \
                  THEN 1 ELSE 0 END",
    holder: POSTGRES_LOCK.holder,
};

/// PostgreSQL: a 64-bit advisory lock whose key is a hash of `schema.name`; its holder comes
/// from `pg_locks` (the key split into `classid` / `objid`) joined with `pg_stat_activity`.
pub(crate) const POSTGRES_LOCK: NamedLock = NamedLock {
    try_acquire: "SELECT CASE WHEN pg_try_advisory_lock(\
                  hashtextextended(coalesce(current_schema(), '') || '.' || $1, 0)) \
                  THEN 1 ELSE 0 END",
    release: "SELECT CASE WHEN pg_advisory_unlock(\
              hashtextextended(coalesce(current_schema(), '') || '.' || $1, 0)) \
              THEN 1 ELSE 0 END",
    holder: "WITH k AS (SELECT hashtextextended(coalesce(current_schema(), '') || '.' || $1, 0) \
             AS key) \
             SELECT 'pid ' || l.pid || ', user ' || coalesce(a.usename::text, '?') \
             || ', application ' || coalesce(nullif(a.application_name, ''), '?') \
             || ', client ' || coalesce(host(a.client_addr), 'local socket') \
             || ', connected since ' || coalesce(a.backend_start::text, '?') \
             || ', state ' || coalesce(a.state, '?') \
             || coalesce(', running: ' || left(a.query, 200), '') \
             FROM k, pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid \
             WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 \
             AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
             AND l.classid::bigint = ((k.key >> 32) & 4294967295) \
             AND l.objid::bigint = (k.key & 4294967295) LIMIT 1",
};

/// MySQL/MariaDB: `GET_LOCK` names are server-wide, so the name is a SHA-1 of
/// `database.name` (49 characters, under MySQL's 64); the holder is `IS_USED_LOCK`'s
/// connection in the process list.
pub(crate) const MYSQL_LOCK: NamedLock = NamedLock {
    try_acquire: "SELECT IFNULL(GET_LOCK(CONCAT('cinnabar:', \
                  SHA1(CONCAT(IFNULL(DATABASE(), ''), '.', ?))), 0), 0)",
    release: "SELECT IFNULL(RELEASE_LOCK(CONCAT('cinnabar:', \
              SHA1(CONCAT(IFNULL(DATABASE(), ''), '.', ?)))), 0)",
    holder: "SELECT CONCAT('connection ', p.ID, ', user ', IFNULL(p.USER, '?'), \
             ', host ', IFNULL(p.HOST, '?'), ', command ', IFNULL(p.COMMAND, '?'), \
             ' for ', IFNULL(p.TIME, 0), ' s', IFNULL(CONCAT(', running: ', LEFT(p.INFO, 200)), '')) \
             FROM information_schema.PROCESSLIST p \
             WHERE p.ID = IS_USED_LOCK(CONCAT('cinnabar:', \
             SHA1(CONCAT(IFNULL(DATABASE(), ''), '.', ?)))) LIMIT 1",
};

/// Milliseconds in `d`, at least 1 (a zero timeout means "no timeout" on PostgreSQL).
pub(crate) fn millis_at_least_one(d: std::time::Duration) -> u128 {
    d.as_millis().max(1)
}

/// Whole seconds in `d`, rounded up, at least 1 (MySQL's `lock_wait_timeout` minimum).
pub(crate) fn seconds_rounded_up(d: std::time::Duration) -> u64 {
    let s = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    s.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timeouts_never_round_to_zero() {
        assert_eq!(millis_at_least_one(Duration::ZERO), 1);
        assert_eq!(millis_at_least_one(Duration::from_micros(1500)), 1);
        assert_eq!(millis_at_least_one(Duration::from_secs(5)), 5000);
        assert_eq!(seconds_rounded_up(Duration::ZERO), 1);
        assert_eq!(seconds_rounded_up(Duration::from_millis(1001)), 2);
        assert_eq!(seconds_rounded_up(Duration::from_secs(5)), 5);
    }

    #[test]
    fn each_dialect_states_its_migration_capabilities() {
        use crate::dialect::{Dialect, MySqlDialect, PostgresDialect, SqliteDialect};
        let t = Duration::from_millis(2500);
        assert!(PostgresDialect.transactional_ddl());
        assert!(SqliteDialect.transactional_ddl());
        assert!(!MySqlDialect.transactional_ddl());
        assert_eq!(
            PostgresDialect.migration_lock(),
            Some(MigrationLock::Named(POSTGRES_LOCK))
        );
        assert_eq!(
            MySqlDialect.migration_lock(),
            Some(MigrationLock::Named(MYSQL_LOCK))
        );
        assert_eq!(
            SqliteDialect.migration_lock(),
            Some(MigrationLock::WriteTransaction)
        );
        assert_eq!(
            PostgresDialect.lock_timeout_sql(t).as_deref(),
            Some("SET lock_timeout = '2500ms'")
        );
        assert_eq!(
            MySqlDialect.lock_timeout_sql(t).as_deref(),
            Some("SET SESSION lock_wait_timeout = 3")
        );
        assert_eq!(SqliteDialect.lock_timeout_sql(t), None);
        // The transaction-scoped forms (PgBouncer in transaction mode): PostgreSQL only.
        assert_eq!(
            PostgresDialect.lock_timeout_local_sql(t).as_deref(),
            Some("SET LOCAL lock_timeout = '2500ms'")
        );
        assert_eq!(
            PostgresDialect
                .statement_timeout_local_sql(Some(t))
                .as_deref(),
            Some("SET LOCAL statement_timeout = 2500")
        );
        assert_eq!(
            PostgresDialect.migration_transaction_lock(),
            Some(POSTGRES_TRANSACTION_LOCK)
        );
        assert!(POSTGRES_TRANSACTION_LOCK
            .try_acquire
            .contains("pg_try_advisory_xact_lock"));
        for d in [&MySqlDialect as &dyn Dialect, &SqliteDialect] {
            assert_eq!(d.migration_transaction_lock(), None, "{}", d.name());
            assert_eq!(d.lock_timeout_local_sql(t), None, "{}", d.name());
            assert_eq!(d.statement_timeout_local_sql(Some(t)), None, "{}", d.name());
        }
        for d in [
            &PostgresDialect as &dyn Dialect,
            &MySqlDialect,
            &SqliteDialect,
        ] {
            assert!(d.utc_now_text_sql().is_some(), "{}", d.name());
            assert_eq!(
                d.lock_timeout_sql(t).is_some(),
                d.lock_timeout_reset_sql().is_some()
            );
        }
    }
}
