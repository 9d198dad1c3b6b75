//! Applying and undoing one revision on a locked connection: in one transaction where the
//! dialect's DDL is transactional, else step by step, each step committed with the version
//! row's `steps_done` so that a failure leaves a resumable "dirty at step k" state (the steps
//! themselves run in `steps.rs`). Used by the [`Migrator`](crate::Migrator).

use std::time::{Duration, Instant};

use cinnabar_core::{Error, Result};
use cinnabar_engine::Connection;

use crate::lock::{busy_to_lock_error, LockedSession, TxGuard};
use crate::migrator::Migrator;
use crate::plan::{mirrors, recorded_checksum, undo_steps};
use crate::progress::{Direction, ProgressEvent, ProgressKind};
use crate::rebuild;
use crate::revision::{Revision, Step};
use crate::steps::Position;
use crate::version::Literals;

/// What happened to a revision in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// It ran (applied or undone) here.
    Done,
    /// Another process had already done it.
    Skipped,
}

/// A revision within a run, for progress reports.
pub(crate) struct InRun<'r> {
    pub(crate) revision: &'r Revision,
    pub(crate) position: (usize, usize),
    pub(crate) direction: Direction,
}

impl Migrator {
    pub(crate) fn report(
        &self,
        at: &InRun<'_>,
        kind: ProgressKind,
        step: Option<&Step>,
        start: Instant,
    ) {
        if let Some(p) = &self.progress {
            p.report(&ProgressEvent {
                direction: at.direction,
                revision: at.revision,
                position: at.position,
                kind,
                step,
                elapsed: start.elapsed(),
            });
        }
    }

    /// Applies `at.revision` (or resumes it from its dirty state).
    pub(crate) fn apply_revision(&self, s: &mut LockedSession, at: &InRun<'_>) -> Result<Outcome> {
        if revision_in_one_transaction(s.conn.dialect()) {
            self.apply_in_transaction(s, at)
        } else {
            self.apply_step_by_step(s, at)
        }
    }

    /// Undoes `at.revision` (complete or dirty).
    pub(crate) fn undo_revision(&self, s: &mut LockedSession, at: &InRun<'_>) -> Result<Outcome> {
        at.revision.down_steps()?;
        if revision_in_one_transaction(s.conn.dialect()) {
            self.undo_in_transaction(s, at)
        } else {
            self.undo_step_by_step(s, at)
        }
    }

    /// Begins a revision's transaction, taking the transaction-scoped lock where the run
    /// holds none for the session (`guard`, behind a transaction pooler).
    fn begin(&self, conn: &mut Connection, guard: &TxGuard) -> Result<()> {
        conn.begin_write_level()
            .map(|_| ())
            .map_err(|e| busy_to_lock_error(e, &self.engine))?;
        guard.enter(conn)
    }

    /// Runs `body` in the revision's transaction, with foreign-key enforcement off around it
    /// when `steps` rebuild a table (it cannot change inside a transaction, and a rebuild's
    /// DROP TABLE with it on would delete the rows of ON DELETE CASCADE children).
    fn in_transaction(
        &self,
        conn: &mut Connection,
        guard: &TxGuard,
        at: &InRun<'_>,
        steps: &[Step],
        body: impl FnOnce(&mut Connection, Instant) -> Result<Outcome>,
    ) -> Result<Outcome> {
        let start = Instant::now();
        let run = |conn: &mut Connection| {
            if let Err(e) = self.begin(conn, guard) {
                if conn.in_transaction() {
                    let _ = conn.rollback_level();
                }
                return Err(e);
            }
            let result = body(conn, start);
            self.finish_transaction(conn, at, result, start)
        };
        if self.rebuilds_a_table(conn, steps)? {
            rebuild::with_foreign_keys_off(conn, run)
        } else {
            run(conn)
        }
    }

    fn apply_in_transaction(&self, s: &mut LockedSession, at: &InRun<'_>) -> Result<Outcome> {
        let r = at.revision;
        self.in_transaction(&mut s.conn, &s.guard, at, &r.up, |conn, start| {
            // Under the lock: another process may have applied it meanwhile.
            if let Some(row) = self.version.read_one(conn, &r.id)? {
                if row.complete {
                    return Ok(Outcome::Skipped);
                }
            }
            self.report(at, ProgressKind::Started, None, start);
            self.run_steps(conn, at, &r.up, None, start)?;
            let row = literals(r, r.up.len());
            // A dirty row can only come from a database without transactional DDL, or a
            // stamp: replace it.
            self.version.delete(conn, &r.id)?;
            self.version.insert(conn, &row)?;
            self.version.update(conn, &row, millis(start.elapsed()))?;
            Ok(Outcome::Done)
        })
    }

    fn undo_in_transaction(&self, s: &mut LockedSession, at: &InRun<'_>) -> Result<Outcome> {
        let r = at.revision;
        // Read again under the lock below; this is for the rebuild decision only.
        let planned = match self.version.read_one(&mut s.conn, &r.id)? {
            Some(row) => undo_steps(r, usize::try_from(row.steps_done).unwrap_or(0))?,
            None => Vec::new(),
        };
        self.in_transaction(&mut s.conn, &s.guard, at, &planned, |conn, start| {
            let Some(row) = self.version.read_one(conn, &r.id)? else {
                return Ok(Outcome::Skipped);
            };
            let done = usize::try_from(row.steps_done).unwrap_or(0);
            let steps = undo_steps(r, done)?;
            self.report(at, ProgressKind::Started, None, start);
            self.run_steps(conn, at, &steps, Some(done), start)?;
            self.version.delete(conn, &r.id)?;
            Ok(Outcome::Done)
        })
    }

    /// Commits on success, rolls back on failure (the revision's error wins over a failed
    /// rollback), and reports the outcome.
    fn finish_transaction(
        &self,
        conn: &mut Connection,
        at: &InRun<'_>,
        result: Result<Outcome>,
        start: Instant,
    ) -> Result<Outcome> {
        match result {
            Ok(outcome) => {
                conn.commit_level()?;
                let kind = match outcome {
                    Outcome::Done => ProgressKind::Finished,
                    Outcome::Skipped => ProgressKind::Skipped,
                };
                self.report(at, kind, None, start);
                Ok(outcome)
            }
            Err(e) => {
                let _ = conn.rollback_level();
                Err(e)
            }
        }
    }

    /// One step at a time, each in its own transaction with its `steps_done` update (DDL
    /// commits by itself on such databases; a data step and its progress commit together).
    fn apply_step_by_step(&self, s: &mut LockedSession, at: &InRun<'_>) -> Result<Outcome> {
        let r = at.revision;
        let start = Instant::now();
        let n = r.up.len();
        let from = match self.version.read_one(&mut s.conn, &r.id)? {
            Some(row) if row.complete => {
                self.report(at, ProgressKind::Skipped, None, start);
                return Ok(Outcome::Skipped);
            }
            Some(row) => usize::try_from(row.steps_done).unwrap_or(0).min(n),
            None => {
                self.version.insert(&mut s.conn, &literals(r, 0))?;
                0
            }
        };
        self.report(at, ProgressKind::Started, None, start);
        for (i, step) in r.up.iter().enumerate().skip(from) {
            self.report(
                at,
                ProgressKind::Step {
                    step: i + 1,
                    steps: n,
                },
                Some(step),
                start,
            );
            let done = i + 1;
            let result = s.conn.transaction(|c| {
                s.guard.enter(c)?;
                self.run_step(c, r, Position::Up(i), step)?;
                self.version
                    .update(c, &literals(r, done), millis(start.elapsed()))
            });
            if let Err(e) = result {
                return Err(dirty_error(r, i, n, e));
            }
        }
        self.version
            .update(&mut s.conn, &literals(r, n), millis(start.elapsed()))?;
        self.report(at, ProgressKind::Finished, None, start);
        Ok(Outcome::Done)
    }

    /// Undoes step by step. Where the down steps mirror the up steps, each one lowers
    /// `steps_done` as it commits, so a failure leaves the usual dirty state; otherwise the
    /// row is removed only at the end and a failure says which down steps ran.
    fn undo_step_by_step(&self, s: &mut LockedSession, at: &InRun<'_>) -> Result<Outcome> {
        let r = at.revision;
        let start = Instant::now();
        let Some(row) = self.version.read_one(&mut s.conn, &r.id)? else {
            self.report(at, ProgressKind::Skipped, None, start);
            return Ok(Outcome::Skipped);
        };
        let n = r.up.len();
        let done = usize::try_from(row.steps_done).unwrap_or(0).min(n);
        let steps = undo_steps(r, done)?;
        let tracked = done < n || mirrors(r);
        self.report(at, ProgressKind::Started, None, start);
        let m = steps.len();
        for (j, step) in steps.iter().enumerate() {
            self.report(
                at,
                ProgressKind::Step {
                    step: j + 1,
                    steps: m,
                },
                Some(step),
                start,
            );
            // With mirrored steps, down step j undoes up step done-1-j.
            let remaining = done - (j + 1).min(done);
            let result = s.conn.transaction(|c| {
                s.guard.enter(c)?;
                let at = Position::Down {
                    done,
                    steps: &steps,
                    index: j,
                };
                self.run_step(c, r, at, step)?;
                if tracked {
                    let mut row = literals(r, remaining);
                    row.complete = false;
                    self.version.update(c, &row, millis(start.elapsed()))?;
                }
                Ok::<(), Error>(())
            });
            if let Err(e) = result {
                return Err(if tracked {
                    e.context(format!(
                        "downgrade of revision {} failed at its down step {} of {m}; the database \
                         is dirty at step {} of {n} ({} up steps still applied): fix the cause \
                         and run `downgrade` again to finish, or `upgrade` to re-apply",
                        r.id,
                        j + 1,
                        remaining + 1,
                        remaining + 1
                    ))
                } else {
                    e.context(format!(
                        "downgrade of revision {} failed at its down step {} of {m} after down \
                         steps 1..{} ran; its down steps do not match its up steps one for one, \
                         so the version table still records it as applied: finish undoing it by \
                         hand, then `stamp` its parent",
                        r.id,
                        j + 1,
                        j
                    ))
                });
            }
        }
        self.version.delete(&mut s.conn, &r.id)?;
        self.report(at, ProgressKind::Finished, None, start);
        Ok(Outcome::Done)
    }
}

/// The version row of `r` with `done` steps applied.
pub(crate) fn literals(r: &Revision, done: usize) -> Literals {
    Literals {
        revision: r.id.clone(),
        checksum: recorded_checksum(r, done),
        steps_done: done,
        steps_total: r.up.len(),
        complete: done >= r.up.len(),
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn dirty_error(r: &Revision, failed: usize, n: usize, e: Error) -> Error {
    let state = if failed == 0 {
        "no step of it is applied; its version row records it as started (dirty at step 0): \
         fix the step and run `upgrade` to apply it, or `downgrade` to remove the row"
            .to_owned()
    } else {
        format!(
            "the database is dirty at step {failed} (steps 1..={failed} are applied and \
             recorded): fix the revision's later steps and run `upgrade` to resume from step \
             {}, or `downgrade` to undo the {failed} applied steps",
            failed + 1
        )
    };
    e.context(format!(
        "revision {} failed at step {} of {n}; {state}",
        r.id,
        failed + 1
    ))
}

/// Whether a revision runs in one transaction: where DDL is transactional and the database
/// does not want each DDL statement in a transaction of its own
/// ([`one_ddl_per_transaction`](cinnabar_core::dialect::Dialect::one_ddl_per_transaction));
/// otherwise step by step, each step committed and counted.
pub(crate) fn revision_in_one_transaction(d: &dyn cinnabar_core::dialect::Dialect) -> bool {
    d.transactional_ddl() && !d.one_ddl_per_transaction()
}
