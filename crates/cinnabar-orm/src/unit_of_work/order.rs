//! The flush's order: which models' rows go first (parents before children, from the tables'
//! foreign keys: [`FlushOrder`]), and the phases of a flush ([`PHASES`]), each running some
//! steps on every model in that order or in reverse.

use cinnabar_core::schema::{dependency_order, Table};
use cinnabar_core::{Error, Result};

use crate::identity::AnyRegistry;

/// One model's part of a flush phase: a method of [`FlushSteps`](crate::persist::FlushSteps).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Changed parents hand their keys to the children added to (or taken from) their
    /// collections, before the children's own UPDATEs and INSERTs.
    PushChangedKeys,
    /// The UPDATEs that need no new parent, before the model's INSERTs, so a row releases a
    /// unique value before a new row takes it (as SQLAlchemy does).
    EarlyUpdates,
    /// The INSERTs.
    Inserts,
    /// Orphans that no new parent took are marked for deletion.
    ResolveOrphans,
    /// Foreign keys that close a cycle (`post_update`) are marked for their UPDATE, now
    /// that every row exists.
    SchedulePostUpdates,
    /// Association rows, which need both sides' keys.
    Associations,
    /// The other UPDATEs.
    LateUpdates,
    /// `post_update` foreign keys of the rows about to be deleted are set to NULL.
    ReleasePostUpdates,
    /// The DELETEs.
    Deletes,
}

/// Which way a phase walks the models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// In dependency order: a table before the tables whose foreign keys refer to it.
    ParentsFirst,
    /// In reverse dependency order.
    ChildrenFirst,
}

/// One phase of a flush.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Phase {
    /// The steps run for one model after another, all of a model's steps before the next
    /// model's.
    EachModel(Direction, &'static [Step]),
    /// The session's count of unflushed changes goes back to zero: the changes left are
    /// in the lists the phases after this one take.
    ChangesTaken,
}

use Direction::{ChildrenFirst, ParentsFirst};
use Step::*;

/// The flush, phase by phase: INSERTs and the UPDATEs that can go before them parents
/// first; then, with every row there, orphans, post-updates and association rows; the other
/// UPDATEs; and the DELETEs children first.
pub(crate) const PHASES: &[Phase] = &[
    Phase::EachModel(ParentsFirst, &[PushChangedKeys, EarlyUpdates, Inserts]),
    Phase::EachModel(ParentsFirst, &[ResolveOrphans, SchedulePostUpdates]),
    Phase::EachModel(ParentsFirst, &[Associations]),
    Phase::ChangesTaken,
    Phase::EachModel(ParentsFirst, &[LateUpdates]),
    Phase::EachModel(ChildrenFirst, &[ReleasePostUpdates]),
    Phase::EachModel(ChildrenFirst, &[Deletes]),
];

/// The session's models in dependency order, computed at the first flush after a model
/// joined the session.
#[derive(Debug, Default)]
pub(crate) struct FlushOrder {
    models: Option<Vec<usize>>,
}

impl FlushOrder {
    /// A model joined the session: the order is computed again at the next flush.
    pub(crate) fn invalidate(&mut self) {
        self.models = None;
    }

    /// The positions of `registries`, parents before children.
    ///
    /// # Errors
    /// `Misuse` when the tables' foreign keys cannot be ordered.
    pub(crate) fn models<R: AnyRegistry + ?Sized>(
        &mut self,
        registries: &[Box<R>],
    ) -> Result<Vec<usize>> {
        if let Some(o) = &self.models {
            return Ok(o.clone());
        }
        let tables: Vec<&Table> = registries.iter().map(|r| r.table()).collect();
        let order = dependency_order(&tables)
            .map_err(|e| Error::misuse(format!("cannot order the flush: {}", e.message())))?;
        self.models = Some(order.clone());
        Ok(order)
    }
}
