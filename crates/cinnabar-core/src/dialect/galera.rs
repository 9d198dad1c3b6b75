//! The dialect of a MariaDB Galera cluster (a multi-primary cluster of MariaDB servers): the
//! MySQL dialect's SQL, with the capabilities that differ on a cluster. The MySQL driver
//! selects it when the server says `wsrep_on = ON` at connect (docs/SCALING.md).

use super::mysql::MySqlFamily;
use super::MigrationLock;

/// MariaDB with Galera replication (`wsrep_on = ON`). A member of the MySQL family of
/// dialects: its [`Dialect`](super::Dialect) implementation is [`MySqlDialect`]'s own (one
/// generic `impl` serves both), so it renders exactly what MySQL renders, every method
/// included, and differs only in the answers its family trait gives (`tests/galera_dialect.rs`
/// compiles every statement kind with both and compares):
///
/// - the migration lock is a row of a lock table ([`MigrationLock::LockTable`]): `GET_LOCK`
///   is local to one node ([`Dialect::named_locks_cluster_wide`] is false);
/// - error 1047 ("WSREP has not yet prepared node for application use", while a node is
///   not part of the primary component) is retryable, beside 1213, which Galera answers for
///   a certification conflict at COMMIT ("WSREP detected deadlock/conflict") and which the
///   driver maps to `Deadlock` on every MariaDB/MySQL;
/// - keys come back with `INSERT .. RETURNING` ([`Dialect::insert_returning`], MariaDB
///   10.5+): Galera requires `innodb_autoinc_lock_mode = 2`, under which one multi-row
///   INSERT's keys are not promised consecutive (and step by `auto_increment_increment`, the
///   cluster size), so the last-insert id alone could map only one row per statement.
///
/// What needs no flag: DDL is already not transactional on MySQL (Galera replicates each
/// statement in total order, one per implicit transaction).
///
/// [`MySqlDialect`]: super::MySqlDialect
/// [`Dialect::named_locks_cluster_wide`]: super::Dialect::named_locks_cluster_wide
/// [`Dialect::insert_returning`]: super::Dialect::insert_returning
#[derive(Debug, Clone, Copy, Default)]
pub struct GaleraDialect;

/// What differs on the cluster; everything else is MySQL's.
impl MySqlFamily for GaleraDialect {
    /// A lock table's row: rows are replicated, `GET_LOCK` is not.
    fn member_migration_lock(&self) -> Option<MigrationLock> {
        Some(MigrationLock::LockTable)
    }

    fn member_named_locks_cluster_wide(&self) -> bool {
        false
    }

    /// MariaDB 10.5+ (the driver selects this dialect only for MariaDB of at least that
    /// version): `INSERT .. RETURNING`, so the keys of a multi-row INSERT come back as they
    /// are, with no promise of consecutive values needed ([`Dialect::generated_keys`] is
    /// therefore `Returning`). `UPDATE .. RETURNING` stays refused, as on MySQL.
    ///
    /// [`Dialect::generated_keys`]: super::Dialect::generated_keys
    fn member_insert_returning(&self) -> bool {
        true
    }

    /// 1047: the node left the primary component or is still joining (ER_UNKNOWN_COM_ERROR
    /// with "WSREP has not yet prepared node for application use"); it answers again once
    /// it is synced.
    fn member_retryable_error_code(&self, code: &str) -> bool {
        code == "1047"
    }
}
