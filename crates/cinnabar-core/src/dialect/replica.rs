//! What read-replica routing asks a database (issue 16, part "replicas"): the SQL that reads
//! the primary's write position and a replica's replay position, so the engine can skip a
//! replica that lags and a session can read its own writes. The engine's `replicas.rs` runs
//! it; a dialect returns it from [`Dialect::replica_positions`](super::Dialect::replica_positions).

/// The queries behind replica lag checks and read-your-writes. Positions are byte offsets
/// in the primary's log (PostgreSQL: the LSN minus `'0/0'`), read as `BIGINT`; clocks are
/// seconds since the Unix epoch as `DOUBLE PRECISION`, all from the primary's clock (a
/// replica reports the commit time the primary wrote), so the servers' clocks never meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplicaPositions {
    /// Run on the primary for the lag check: one row of (the log position written so far,
    /// the primary's clock now).
    pub primary: &'static str,
    /// Run on the primary after a session's writes were committed: one row, one column, a
    /// log position at or past the end of everything the session committed (PostgreSQL's
    /// insert position, which also covers `synchronous_commit = off`).
    pub after_commit: &'static str,
    /// Run on a replica: one row of (the position it has replayed, or NULL; the commit time of
    /// the last transaction it replayed, or NULL; whether it is a replica at all).
    pub replica: &'static str,
}

/// PostgreSQL's: `pg_current_wal_lsn()` (written WAL: on an idle primary it equals what a
/// caught-up standby reports), `pg_current_wal_insert_lsn()` after a commit,
/// `pg_last_wal_replay_lsn()`, `pg_last_xact_replay_timestamp()` and `pg_is_in_recovery()`.
pub(crate) const POSTGRES_REPLICA_POSITIONS: ReplicaPositions = ReplicaPositions {
    primary: "SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::int8, \
              extract(epoch FROM clock_timestamp())::float8",
    after_commit: "SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::int8",
    replica: "SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::int8, \
              extract(epoch FROM pg_last_xact_replay_timestamp())::float8, \
              pg_is_in_recovery()",
};
