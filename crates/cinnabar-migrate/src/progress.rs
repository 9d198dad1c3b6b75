//! Progress of a migration run: the [`Progress`] trait the [`Migrator`](crate::Migrator)
//! reports each revision and step to, with the elapsed time, and [`StderrProgress`], the
//! reporter the `cinnabar migrate` CLI prints with.

use std::io::Write;
use std::time::Duration;

use crate::revision::{Revision, Step};

/// Whether revisions are being applied or undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `upgrade`: up steps.
    Up,
    /// `downgrade`: down steps.
    Down,
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressKind {
    /// The revision is about to run (its lock is held and it is not applied yet).
    Started,
    /// Step `step` of `steps` is about to run (1-based). For a revision resumed from a dirty
    /// state, the first step reported is the first one not yet done.
    Step {
        /// This step's number, from 1.
        step: usize,
        /// How many steps the revision has in this direction.
        steps: usize,
    },
    /// The revision is done and recorded.
    Finished,
    /// Another process applied (or undid) the revision while this one waited for the lock.
    Skipped,
}

/// One progress report.
#[derive(Debug, Clone, Copy)]
pub struct ProgressEvent<'a> {
    /// Up or down.
    pub direction: Direction,
    /// The revision concerned.
    pub revision: &'a Revision,
    /// Its position in this run, from 1, and how many revisions the run has.
    pub position: (usize, usize),
    /// What happened.
    pub kind: ProgressKind,
    /// The step about to run, for [`ProgressKind::Step`].
    pub step: Option<&'a Step>,
    /// Time since the revision started (zero at `Started`).
    pub elapsed: Duration,
}

/// Receives progress reports. Any `Fn(&ProgressEvent) + Send + Sync` is one.
pub trait Progress: Send + Sync {
    /// Called for each event, on the thread running the migration; keep it quick.
    fn report(&self, event: &ProgressEvent<'_>);
}

impl<F> Progress for F
where
    F: Fn(&ProgressEvent<'_>) + Send + Sync,
{
    fn report(&self, event: &ProgressEvent<'_>) {
        self(event)
    }
}

/// Prints one line per event to standard error, e.g.
/// `[1/3] 20261205120000 create tables: step 2/5 (0.4 s)`.
#[derive(Debug, Clone, Copy, Default)]
pub struct StderrProgress;

impl Progress for StderrProgress {
    fn report(&self, event: &ProgressEvent<'_>) {
        let line = describe(event);
        // Progress is advisory: a closed stderr must not fail the migration.
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
}

/// The line [`StderrProgress`] prints for `event`.
pub fn describe(event: &ProgressEvent<'_>) -> String {
    let (i, n) = event.position;
    let r = event.revision;
    let arrow = match event.direction {
        Direction::Up => "upgrade",
        Direction::Down => "downgrade",
    };
    let secs = event.elapsed.as_secs_f64();
    let what = match event.kind {
        ProgressKind::Started => format!("{arrow} started"),
        ProgressKind::Step { step, steps } => {
            let detail = event.step.map(Step::describe).unwrap_or_default();
            format!("step {step}/{steps} {detail} ({secs:.1} s)")
        }
        ProgressKind::Finished => format!("{arrow} done in {secs:.1} s"),
        ProgressKind::Skipped => "already done by another process".to_owned(),
    };
    format!("[{i}/{n}] {} {}: {what}", r.id, r.message)
}
