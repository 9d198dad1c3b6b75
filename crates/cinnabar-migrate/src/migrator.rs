//! [`Migrator`]: applies a migrations directory to a database. Upgrades and downgrades take
//! the migration lock, create the version table when absent, check the checksums of applied
//! revisions, then apply or undo each revision (see `apply.rs`); `current`, `history` and
//! `stamp` read and set the version table. Used by applications at start-up, by tests, and
//! by the `cinnabar migrate` CLI.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use cinnabar_core::dialect::{Dialect, ServerVersion};
use cinnabar_core::schema::MetaData;
use cinnabar_core::{Error, Result};
use cinnabar_engine::{Connection, Engine};

use crate::apply::{literals, InRun, Outcome};
use crate::dir::MigrationDir;
use crate::lock::{busy_to_lock_error, LockedSession};
use crate::plan::{
    ancestors_of, applied_heads, checksum_matches, downgrade_plan, upgrade_plan, verify_checksums,
};
use crate::progress::{Direction, Progress};
use crate::revision::Revision;
use crate::version::{AppliedRevision, VersionTable};
use crate::VERSION_TABLE;

/// A data step written in Rust: it receives the connection (inside the revision's
/// transaction, or the step's own on a database without transactional DDL) and the tables
/// as the revisions before it left them, never the application's live models.
pub type RustStep = dyn Fn(&mut Connection, &MetaData) -> Result<()> + Send + Sync;

/// Applies the revisions of a [`MigrationDir`] to the database of an [`Engine`].
///
/// ```no_run
/// # fn main() -> cinnabar_core::Result<()> {
/// use cinnabar_engine::create_engine;
/// use cinnabar_migrate::{MigrationDir, Migrator, StderrProgress};
///
/// let engine = create_engine("sqlite:///college.db")?;
/// let migrator = Migrator::new(&engine, MigrationDir::load("migrations")?)
///     .with_progress(StderrProgress);
/// let applied = migrator.upgrade("head")?;
/// println!("applied {applied:?}");
/// # Ok(())
/// # }
/// ```
pub struct Migrator {
    pub(crate) engine: Engine,
    pub(crate) dir: MigrationDir,
    pub(crate) version: VersionTable,
    pub(crate) rust_steps: HashMap<String, Arc<RustStep>>,
    pub(crate) progress: Option<Arc<dyn Progress>>,
    pub(crate) server_version: OnceLock<Option<ServerVersion>>,
    lock_wait: Duration,
    lock_timeout: Option<Duration>,
}

impl std::fmt::Debug for Migrator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Migrator")
            .field("engine", &self.engine)
            .field("dir", &self.dir.path())
            .field("version_table", &self.version.name())
            .field("rust_steps", &self.rust_steps.keys().collect::<Vec<_>>())
            .field("lock_wait", &self.lock_wait)
            .field("lock_timeout", &self.lock_timeout)
            .finish()
    }
}

/// One revision of [`Migrator::history`]: the file (when present) and its version row (when
/// applied).
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    /// The revision id.
    pub id: String,
    /// Its message, when its file is present.
    pub message: Option<String>,
    /// Its version row, when applied (complete or dirty).
    pub applied: Option<AppliedRevision>,
    /// How the file compares with what was applied.
    pub checksum: ChecksumStatus,
}

/// How an applied revision's file compares with the checksum recorded when it was applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecksumStatus {
    /// Not applied: nothing to compare.
    NotApplied,
    /// The file is as it was applied (line endings and trailing whitespace aside).
    Matches,
    /// The file was edited after it was applied.
    Changed,
    /// Applied, but the file is not in the directory.
    FileMissing,
}

impl Migrator {
    /// A migrator for `engine`'s database and the revisions of `dir`, with the defaults: the
    /// version table `cinnabar_migrations`, a 60 s wait for the migration lock, a 5 s lock
    /// timeout for steps (where the database has one).
    pub fn new(engine: &Engine, dir: MigrationDir) -> Self {
        Migrator {
            engine: engine.clone(),
            dir,
            version: VersionTable::new(VERSION_TABLE),
            rust_steps: HashMap::new(),
            progress: None,
            server_version: OnceLock::new(),
            lock_wait: Duration::from_secs(60),
            lock_timeout: Some(Duration::from_secs(5)),
        }
    }

    /// Registers the function a revision's `op = "rust"` step named `name` runs.
    pub fn with_rust_step<F>(mut self, name: impl Into<String>, f: F) -> Self
    where
        F: Fn(&mut Connection, &MetaData) -> Result<()> + Send + Sync + 'static,
    {
        self.rust_steps.insert(name.into(), Arc::new(f));
        self
    }

    /// Sends progress (revision, step k of n, elapsed) to `progress`, e.g.
    /// [`StderrProgress`](crate::StderrProgress) or a closure.
    pub fn with_progress(mut self, progress: impl Progress + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// Uses another version table name (default `cinnabar_migrations`).
    pub fn version_table(mut self, name: impl Into<String>) -> Self {
        self.version = VersionTable::new(name);
        self
    }

    /// How long to wait for the migration lock another process holds before failing with
    /// [`ErrorKind::Busy`](cinnabar_core::ErrorKind::Busy) naming the holder (default 60 s).
    /// On SQLite the lock is the database's write lock and the wait is the engine's busy
    /// timeout instead.
    pub fn lock_wait(mut self, wait: Duration) -> Self {
        self.lock_wait = wait;
        self
    }

    /// How long each step may wait for a table lock before failing (default 5 s; `None`: the
    /// server's setting). PostgreSQL `lock_timeout`, MySQL `lock_wait_timeout` (whole
    /// seconds); SQLite has no such setting.
    pub fn lock_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// The migrations directory.
    pub fn dir(&self) -> &MigrationDir {
        &self.dir
    }

    /// The revisions no other revision follows (more than one is an error for `upgrade
    /// head`; `cinnabar migrate merge` joins them).
    pub fn heads(&self) -> Vec<&Revision> {
        self.dir.heads()
    }

    fn session(&self) -> Result<LockedSession> {
        let mut s = LockedSession::open(
            &self.engine,
            self.version.name(),
            self.lock_wait,
            self.lock_timeout,
        )?;
        self.version
            .ensure(&mut s.conn, &s.guard)
            .map_err(|e| busy_to_lock_error(e, &self.engine))?;
        Ok(s)
    }

    fn applied(&self, conn: &mut Connection) -> Result<HashMap<String, AppliedRevision>> {
        Ok(self
            .version
            .read_all(conn)?
            .into_iter()
            .map(|r| (r.revision.clone(), r))
            .collect())
    }

    /// Applies every revision up to `target` (`"head"`, a revision id or a unique prefix)
    /// that is not applied yet, each after its parents, and resumes one left dirty. Returns
    /// the ids applied by this call (revisions another process applied meanwhile are
    /// skipped).
    ///
    /// # Errors
    /// [`ErrorKind::Busy`](cinnabar_core::ErrorKind::Busy) when the lock stays taken (naming
    /// its holder where the database can); [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse)
    /// for an unknown target, several heads, an applied revision whose file changed or is
    /// missing, or a dirty revision outside the target; a failing step's error, naming the
    /// revision and step (and, without transactional DDL, the dirty state left).
    pub fn upgrade(&self, target: &str) -> Result<Vec<String>> {
        let target = self.dir.resolve(target)?;
        let keep = ancestors_of(&self.dir, target)?;
        let mut s = self.session()?;
        let applied = self.applied(&mut s.conn)?;
        let rows: Vec<AppliedRevision> = applied.values().cloned().collect();
        verify_checksums(&self.dir, &rows)?;
        if let Some(d) = rows
            .iter()
            .find(|r| r.is_dirty() && !keep.contains(&r.revision))
        {
            return Err(Error::misuse(format!(
                "revision {} is dirty at step {} of {}, and the target does not include it: \
                 `upgrade` to a target that does, or `downgrade` to undo it",
                d.revision, d.steps_done, d.steps_total
            )));
        }
        let plan = upgrade_plan(&self.dir, &keep, &applied);
        let mut done = Vec::new();
        for (i, r) in plan.iter().enumerate() {
            let at = InRun {
                revision: r,
                position: (i + 1, plan.len()),
                direction: Direction::Up,
            };
            if self.apply_revision(&mut s, &at)? == Outcome::Done {
                done.push(r.id.clone());
            }
        }
        Ok(done)
    }

    /// Undoes every applied revision that `target` (`"base"` for all, a revision id or a
    /// unique prefix) does not descend from, children before parents, including one left
    /// dirty (its applied steps only). Returns the ids undone by this call.
    ///
    /// # Errors
    /// As [`Migrator::upgrade`]; [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse)
    /// naming an irreversible revision on the way (before anything is undone).
    pub fn downgrade(&self, target: &str) -> Result<Vec<String>> {
        let target = self.dir.resolve(target)?;
        let keep = ancestors_of(&self.dir, target)?;
        let mut s = self.session()?;
        let applied = self.applied(&mut s.conn)?;
        let rows: Vec<AppliedRevision> = applied.values().cloned().collect();
        let plan = downgrade_plan(&self.dir, &keep, &applied)?;
        // Only the revisions being undone must match their files: their down steps run.
        let undone: Vec<AppliedRevision> = rows
            .into_iter()
            .filter(|r| plan.iter().any(|p| p.id == r.revision))
            .collect();
        verify_checksums(&self.dir, &undone)?;
        // Refuse before undoing anything.
        for r in &plan {
            r.down_steps()?;
        }
        let mut done = Vec::new();
        for (i, r) in plan.iter().enumerate() {
            let at = InRun {
                revision: r,
                position: (i + 1, plan.len()),
                direction: Direction::Down,
            };
            if self.undo_revision(&mut s, &at)? == Outcome::Done {
                done.push(r.id.clone());
            }
        }
        Ok(done)
    }

    /// The applied revisions no other applied revision descends from (one, usually; none
    /// on an empty database), with their version rows (a dirty one shows its step).
    ///
    /// # Errors
    /// Database errors. Reading does not take the migration lock, and creates nothing: a
    /// database without the version table is at base.
    pub fn current(&self) -> Result<Vec<AppliedRevision>> {
        let rows = self.read_rows()?;
        Ok(applied_heads(&self.dir, &rows)
            .into_iter()
            .cloned()
            .collect())
    }

    /// Every revision of the directory, each after its parents, with its version row and
    /// checksum status; then applied revisions whose files are missing.
    ///
    /// # Errors
    /// As [`Migrator::current`].
    pub fn history(&self) -> Result<Vec<HistoryEntry>> {
        let mut applied: HashMap<String, AppliedRevision> = self
            .read_rows()?
            .into_iter()
            .map(|r| (r.revision.clone(), r))
            .collect();
        let mut out = Vec::new();
        for r in self.dir.revisions() {
            let row = applied.remove(&r.id);
            let checksum = match &row {
                None => ChecksumStatus::NotApplied,
                Some(row) if checksum_matches(r, row) => ChecksumStatus::Matches,
                Some(_) => ChecksumStatus::Changed,
            };
            out.push(HistoryEntry {
                id: r.id.clone(),
                message: Some(r.message.clone()),
                applied: row,
                checksum,
            });
        }
        let mut missing: Vec<AppliedRevision> = applied.into_values().collect();
        missing.sort_by(|a, b| a.revision.cmp(&b.revision));
        out.extend(missing.into_iter().map(|row| HistoryEntry {
            id: row.revision.clone(),
            message: None,
            applied: Some(row),
            checksum: ChecksumStatus::FileMissing,
        }));
        Ok(out)
    }

    /// The version rows, or none when the version table does not exist yet.
    fn read_rows(&self) -> Result<Vec<AppliedRevision>> {
        // One connection at a time: an in-memory SQLite database has only one.
        let exists = cinnabar_engine::Inspector::new(&self.engine)
            .table_names()?
            .iter()
            .any(|t| t == self.version.name());
        if !exists {
            return Ok(Vec::new());
        }
        self.version.read_all(&mut self.engine.connect()?)
    }

    /// Records the database as being exactly at `target` (`"base"`: no revision) without
    /// running any step: the target and its ancestors are recorded as applied (with the
    /// files' checksums and no duration), every other row is removed. For a database made
    /// by other means (`create_all`), or to clear a dirty state after fixing it by hand.
    ///
    /// # Errors
    /// As [`Migrator::upgrade`] (lock, target); database errors.
    pub fn stamp(&self, target: &str) -> Result<()> {
        let target = self.dir.resolve(target)?;
        let keep = ancestors_of(&self.dir, target)?;
        let mut s = self.session()?;
        let engine = self.engine.clone();
        let guard = s.guard.clone();
        s.conn
            .transaction(|c| {
                guard.enter(c)?;
                let applied = self.applied(c)?;
                for (id, row) in &applied {
                    let current = self.dir.get(id).is_some_and(|r| {
                        keep.contains(id) && row.complete && checksum_matches(r, row)
                    });
                    if !current {
                        self.version.delete(c, id)?;
                    }
                }
                for r in self.dir.revisions().iter().filter(|r| keep.contains(&r.id)) {
                    let present = applied
                        .get(&r.id)
                        .is_some_and(|row| row.complete && checksum_matches(r, row));
                    if !present {
                        self.version.insert(c, &literals(r, r.up.len()))?;
                    }
                }
                Ok(())
            })
            .map_err(|e| busy_to_lock_error(e, &engine))
    }

    /// The SQL an upgrade from `from` (`None`: an empty database) to `to` runs on `dialect`,
    /// version table included, without a database: see [`crate::sql_for_upgrade`].
    ///
    /// # Errors
    /// As [`crate::sql_for_upgrade`].
    pub fn sql_for_upgrade(
        &self,
        dialect: &dyn Dialect,
        from: Option<&str>,
        to: &str,
    ) -> Result<Vec<String>> {
        crate::offline::sql_for_upgrade_with(&self.dir, self.version.name(), dialect, from, to)
    }
}
