//! The unit of work's flush: runs the phases of [`order::PHASES`] over the session's
//! registries, one model's [`FlushSteps`] at a time in dependency order ([`FlushOrder`]),
//! on the session's connection inside its transaction. What each step writes is in
//! `crate::persist`; the session decides when to flush and what a failure undoes.

mod order;

pub(crate) use order::FlushOrder;

use std::sync::atomic::Ordering;

use cinnabar_core::Result;
use cinnabar_engine::Connection;

use crate::handle::Tracker;
use crate::identity::AnyRegistry;
use crate::persist::FlushSteps;
use crate::relation::AssociationLog;
use order::{Direction, Phase, Step, PHASES};

/// Writes the registries' pending changes, `order` giving their dependency order (see
/// [`FlushOrder::models`]).
///
/// # Errors
/// The first failing step's error; the steps after it do not run.
pub(crate) fn flush<R: AnyRegistry + ?Sized>(
    conn: &mut Connection,
    registries: &mut [Box<R>],
    order: &[usize],
    generation: u64,
    tracker: &Tracker,
) -> Result<()> {
    for r in registries.iter_mut() {
        r.start_flush();
    }
    let mut run = Run {
        conn,
        generation,
        log: AssociationLog::default(),
    };
    for phase in PHASES {
        match *phase {
            Phase::EachModel(Direction::ParentsFirst, steps) => {
                for &i in order {
                    run.steps(steps, &mut *registries[i])?;
                }
            }
            Phase::EachModel(Direction::ChildrenFirst, steps) => {
                for &i in order.iter().rev() {
                    run.steps(steps, &mut *registries[i])?;
                }
            }
            Phase::ChangesTaken => tracker.dirty.store(0, Ordering::Relaxed),
        }
    }
    Ok(())
}

/// What the steps of one flush share.
struct Run<'c> {
    conn: &'c mut Connection,
    generation: u64,
    /// The association rows written so far (each written once, whichever side lists it).
    log: AssociationLog,
}

impl Run<'_> {
    /// Runs `steps` for one model.
    fn steps<R: FlushSteps + ?Sized>(&mut self, steps: &[Step], reg: &mut R) -> Result<()> {
        for step in steps {
            match step {
                Step::PushChangedKeys => reg.push_changed_keys()?,
                Step::EarlyUpdates => reg.flush_updates(self.conn, self.generation, true)?,
                Step::Inserts => reg.flush_inserts(self.conn)?,
                Step::ResolveOrphans => reg.resolve_orphans()?,
                Step::SchedulePostUpdates => reg.schedule_post_updates()?,
                Step::Associations => reg.flush_associations(self.conn, &mut self.log)?,
                Step::LateUpdates => reg.flush_updates(self.conn, self.generation, false)?,
                Step::ReleasePostUpdates => reg.release_post_updates(self.conn)?,
                Step::Deletes => reg.flush_deletes(self.conn)?,
            }
        }
        Ok(())
    }
}
