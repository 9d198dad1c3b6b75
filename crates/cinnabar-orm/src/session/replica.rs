//! Where the session's reads go when its engine has read replicas
//! ([`EngineOptions::replicas`](cinnabar_engine::EngineOptions::replicas); see
//! docs/scaling/replicas.md). Without replicas every read uses the session's one connection,
//! as before.
//!
//! The rules: a read outside a write transaction uses a replica connection
//! ([`Engine::connect_replica`], round-robin among healthy replicas), held like the primary
//! connection until commit, rollback or close; everything inside a write transaction goes to
//! the primary, and so does every read after the session wrote, until the write is committed
//! or rolled back and the primary's log position at that moment is recorded
//! ([`Connection::write_position`]). After that, a replica is read only once it has replayed
//! that position (read-your-writes without pinning the session for ever). With a dialect that
//! has no positions the session stays on the primary for the rest of its life once it wrote.

use cinnabar_core::{Error, Result};
use cinnabar_engine::{Connection, WritePosition};

use super::Session;

/// The session's replica state.
#[derive(Debug, Default)]
pub(super) struct ReplicaRoute {
    /// The replica connection the session reads through, from its first read until commit,
    /// rollback or close.
    conn: Option<Connection>,
    /// The session has used the primary in a way that may have written (a write
    /// transaction, or its connection handed out) and the position of that write is not
    /// recorded yet: reads go to the primary.
    pub(super) wrote: bool,
    /// The primary's log position after the session's last recorded write.
    after: Option<WritePosition>,
    /// [`Session::use_primary`]: every read goes to the primary.
    pinned: bool,
    /// `transaction_with_retry`'s attempts read from the primary until the session closes.
    until_close: bool,
}

impl ReplicaRoute {
    /// Statements run on the replica connection held now.
    pub(super) fn statement_count(&self) -> u64 {
        self.conn.as_ref().map_or(0, Connection::statement_count)
    }
}

/// The read connection [`Session::read_connection`] chose (the replica's if held, else the
/// primary's), borrowed apart from the session's other fields.
pub(super) fn held<'a>(
    route: &'a mut ReplicaRoute,
    primary: &'a mut Option<Connection>,
) -> Result<&'a mut Connection> {
    route
        .conn
        .as_mut()
        .or(primary.as_mut())
        .ok_or_else(|| Error::misuse("session has no connection"))
}

impl Session {
    /// The connection the session's reads use: a replica's when the engine has replicas and
    /// the rules allow it, otherwise the session's primary connection.
    ///
    /// # Errors
    /// Pool or connection errors of the primary; a replica's errors skip it instead.
    pub(crate) fn read_connection(&mut self) -> Result<&mut Connection> {
        if self.route.conn.is_none() && self.may_read_replica() {
            if let Some(mut conn) = self.engine.connect_replica(self.route.after) {
                if let Some(t) = self.options.statement_timeout {
                    conn.set_statement_timeout(Some(t))?;
                }
                if self.options.read_only {
                    conn.begin_level(cinnabar_core::dialect::BeginMode::ReadOnly)?;
                }
                self.route.conn = Some(conn);
            }
        }
        if self.route.conn.is_some() {
            return self
                .route
                .conn
                .as_mut()
                .ok_or_else(|| Error::misuse("session has no replica connection"));
        }
        self.primary_connection()
    }

    fn may_read_replica(&self) -> bool {
        let r = &self.route;
        self.engine.has_replicas()
            && self.conn.is_none()
            && self.tx_depth == 0
            && !r.wrote
            && !r.pinned
            && !r.until_close
    }

    /// Sends every later read of this session to the primary, as if the engine had no
    /// replicas (Django's `using("default")`): for a read whose result decides a write when
    /// neither a row lock nor a version column guards it, or for data that must be current.
    /// A replica connection the session holds is given back.
    pub fn use_primary(&mut self) {
        self.route.pinned = true;
        self.release_replica();
    }

    /// Whether the session's reads currently go through a replica connection (false before
    /// its first read, and whenever they go to the primary).
    pub fn reading_from_replica(&self) -> bool {
        self.route.conn.is_some()
    }

    /// The primary's log position after this session's last committed (or rolled back)
    /// writes, when the dialect has positions and replicas are configured: hand it to a
    /// later session with [`Session::read_after`] (a cookie, a job's arguments) so that it
    /// too reads its writes.
    pub fn write_position(&self) -> Option<WritePosition> {
        self.route.after
    }

    /// Reads from a replica only once it has replayed `position` (from another session's
    /// [`Session::write_position`]); until then from the primary.
    pub fn read_after(&mut self, position: WritePosition) {
        self.route.after = self.route.after.max(Some(position));
        // A replica connection held now was chosen without this position.
        self.release_replica();
    }

    /// Gives the replica connection back, keeping its statement count.
    pub(super) fn release_replica(&mut self) {
        if let Some(conn) = self.route.conn.take() {
            self.statements_done += conn.statement_count();
        }
    }

    /// Called with the primary connection being given back: records the primary's position
    /// after the session's writes, so that later reads may use a replica that has replayed
    /// it. When it cannot be read the session keeps reading from the primary.
    pub(super) fn record_write_position(&mut self, conn: &mut Connection) {
        if !self.route.wrote || !self.engine.has_replicas() || conn.transaction_depth() > 0 {
            return;
        }
        match conn.write_position() {
            Ok(Some(p)) => {
                self.route.after = self.route.after.max(Some(p));
                self.route.wrote = false;
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(target: "cinnabar::session", error = %e, "cannot read the primary's log position after a write; reads stay on the primary");
            }
        }
    }

    /// The end of a unit (`close`): `transaction_with_retry`'s pin ends.
    pub(super) fn end_replica_unit(&mut self) {
        self.route.until_close = false;
    }

    /// `transaction_with_retry`: its attempts read from the primary (a conflict retried on
    /// a stale replica would meet the same conflict again).
    pub(super) fn read_primary_until_close(&mut self) {
        self.route.until_close = true;
        self.release_replica();
    }
}
