//! Applying and undoing one revision on a locked connection: in one transaction where the
//! dialect's DDL is transactional, else step by step, each step committed with the version
//! row's `steps_done` so that a failure leaves a resumable "dirty at step k" state. Steps are
//! schema operations (compiled per dialect), SQL per dialect, or registered Rust functions.
//! Used by the [`Migrator`](crate::Migrator).

use std::time::{Duration, Instant};

use cinnabar_core::dialect::compile_ddl;
use cinnabar_core::schema::diff::SchemaOp;
use cinnabar_core::schema::MetaData;
use cinnabar_core::{Error, ErrorKind, Result};
use cinnabar_engine::Connection;

use crate::lock::{busy_to_lock_error, LockedSession};
use crate::migrator::Migrator;
use crate::plan::{mirrors, recorded_checksum, undo_steps};
use crate::progress::{Direction, ProgressEvent, ProgressKind};
use crate::revision::{Revision, Step};
use crate::version::Literals;

/// What happened to a revision in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// It ran (applied or undone) here.
    Done,
    /// Another process had already done it.
    Skipped,
}

/// Where a step runs: up step `i`, or down step `index` of `steps`, the steps undoing a
/// revision of which `done` up steps were applied.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Position<'s> {
    Up(usize),
    Down {
        done: usize,
        steps: &'s [Step],
        index: usize,
    },
}

/// A revision within a run, for progress reports.
pub(crate) struct InRun<'r> {
    pub(crate) revision: &'r Revision,
    pub(crate) position: (usize, usize),
    pub(crate) direction: Direction,
}

impl Migrator {
    fn report(&self, at: &InRun<'_>, kind: ProgressKind, step: Option<&Step>, start: Instant) {
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
        if s.conn.dialect().transactional_ddl() {
            self.apply_in_transaction(s, at)
        } else {
            self.apply_step_by_step(s, at)
        }
    }

    /// Undoes `at.revision` (complete or dirty).
    pub(crate) fn undo_revision(&self, s: &mut LockedSession, at: &InRun<'_>) -> Result<Outcome> {
        at.revision.down_steps()?;
        if s.conn.dialect().transactional_ddl() {
            self.undo_in_transaction(s, at)
        } else {
            self.undo_step_by_step(s, at)
        }
    }

    fn begin(&self, s: &mut LockedSession) -> Result<()> {
        s.conn
            .begin_write_level()
            .map(|_| ())
            .map_err(|e| busy_to_lock_error(e, &self.engine))
    }

    fn apply_in_transaction(&self, s: &mut LockedSession, at: &InRun<'_>) -> Result<Outcome> {
        let r = at.revision;
        let start = Instant::now();
        self.begin(s)?;
        let result = (|| {
            // Under the lock: another process may have applied it meanwhile.
            if let Some(row) = self.version.read_one(&mut s.conn, &r.id)? {
                if row.complete {
                    return Ok(Outcome::Skipped);
                }
            }
            self.report(at, ProgressKind::Started, None, start);
            let n = r.up.len();
            for (i, step) in r.up.iter().enumerate() {
                self.report(
                    at,
                    ProgressKind::Step {
                        step: i + 1,
                        steps: n,
                    },
                    Some(step),
                    start,
                );
                self.run_step(&mut s.conn, r, Position::Up(i), step)?;
            }
            let row = literals(r, n);
            // A dirty row can only come from a database without transactional DDL, or a
            // stamp: replace it.
            self.version.delete(&mut s.conn, &r.id)?;
            self.version.insert(&mut s.conn, &row)?;
            self.version
                .update(&mut s.conn, &row, millis(start.elapsed()))?;
            Ok(Outcome::Done)
        })();
        self.finish_transaction(s, at, result, start)
    }

    fn undo_in_transaction(&self, s: &mut LockedSession, at: &InRun<'_>) -> Result<Outcome> {
        let r = at.revision;
        let start = Instant::now();
        self.begin(s)?;
        let result = (|| {
            let Some(row) = self.version.read_one(&mut s.conn, &r.id)? else {
                return Ok(Outcome::Skipped);
            };
            let done = usize::try_from(row.steps_done).unwrap_or(0);
            let steps = undo_steps(r, done)?;
            self.report(at, ProgressKind::Started, None, start);
            let n = steps.len();
            for (i, step) in steps.iter().enumerate() {
                self.report(
                    at,
                    ProgressKind::Step {
                        step: i + 1,
                        steps: n,
                    },
                    Some(step),
                    start,
                );
                let at = Position::Down {
                    done,
                    steps: &steps,
                    index: i,
                };
                self.run_step(&mut s.conn, r, at, step)?;
            }
            self.version.delete(&mut s.conn, &r.id)?;
            Ok(Outcome::Done)
        })();
        self.finish_transaction(s, at, result, start)
    }

    /// Commits on success, rolls back on failure (the revision's error wins over a failed
    /// rollback), and reports the outcome.
    fn finish_transaction(
        &self,
        s: &mut LockedSession,
        at: &InRun<'_>,
        result: Result<Outcome>,
        start: Instant,
    ) -> Result<Outcome> {
        match result {
            Ok(outcome) => {
                s.conn.commit_level()?;
                let kind = match outcome {
                    Outcome::Done => ProgressKind::Finished,
                    Outcome::Skipped => ProgressKind::Skipped,
                };
                self.report(at, kind, None, start);
                Ok(outcome)
            }
            Err(e) => {
                let _ = s.conn.rollback_level();
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

    /// Runs one step on `conn` (inside whatever transaction the caller opened).
    fn run_step(
        &self,
        conn: &mut Connection,
        r: &Revision,
        at: Position<'_>,
        step: &Step,
    ) -> Result<()> {
        let d = conn.dialect();
        let result = match step {
            Step::Op(op) => self.run_op(conn, op),
            Step::Sql(sql) => match sql.for_dialect(d) {
                Some(text) => conn.execute_script(text),
                None => Err(Error::unsupported(format!(
                    "the SQL step has no text for {} and no `all`",
                    d.name()
                ))),
            },
            Step::Rust(name) => match self.rust_steps.get(name) {
                Some(f) => self
                    .frozen_tables(r, at)
                    .and_then(|tables| f(conn, &tables)),
                None => Err(Error::misuse(format!(
                    "the Rust step {name:?} is not registered; register it with \
                     Migrator::with_rust_step({name:?}, f)"
                ))),
            },
        };
        result.map_err(|e| {
            let (which, index) = match at {
                Position::Up(i) => ("step", i),
                Position::Down { index, .. } => ("down step", index),
            };
            e.context(format!(
                "revision {} ({}), {which} {} ({})",
                r.id,
                r.message,
                index + 1,
                step.describe()
            ))
        })
    }

    /// The tables as the revisions leave them where a Rust step runs: the ancestors and the
    /// revision's steps before it replayed; for a down step, from the schema the applied up
    /// steps left, with the down steps before it replayed.
    fn frozen_tables(&self, r: &Revision, at: Position<'_>) -> Result<MetaData> {
        match at {
            Position::Up(i) => self.dir.schema_before(&r.id, i),
            Position::Down { done, steps, index } => {
                let mut schema = self.dir.schema_before(&r.id, done)?;
                for (j, s) in steps.iter().enumerate().take(index) {
                    if let Step::Op(op) = s {
                        op.apply(&mut schema).map_err(|e| {
                            e.context(format!("replaying revision {} down step {}", r.id, j + 1))
                        })?;
                    }
                }
                Ok(schema)
            }
        }
    }

    /// Compiles every statement of `op` first (so a form the database lacks runs nothing),
    /// then runs them.
    fn run_op(&self, conn: &mut Connection, op: &SchemaOp) -> Result<()> {
        let d = conn.dialect();
        let mut statements = Vec::new();
        for ddl in op.to_ddl() {
            match compile_ddl(d, &ddl) {
                Ok(sql) => statements.push(sql),
                Err(e) if e.kind() == ErrorKind::Unsupported => {
                    return Err(e.context(format!(
                        "the {} dialect cannot ALTER this natively and the table rebuild is not \
                         available",
                        d.name()
                    )))
                }
                Err(e) => return Err(e),
            }
        }
        for sql in statements {
            conn.execute_script(&sql)?;
        }
        Ok(())
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
