//! Session savepoints: journal positions taken when a savepoint opens, and the restore
//! that undoes, in memory, what the savepoint's rollback undid in the database.

use cinnabar_core::Result;
use cinnabar_engine::Connection;

use super::{Mark, TransactionJournal};

/// Per-registry journal positions at a savepoint's start.
pub(crate) struct Snapshot {
    marks: Vec<Mark>,
}

impl Snapshot {
    /// Marks the journal of each of the session's `registries`.
    pub(crate) fn take<R: TransactionJournal + ?Sized>(registries: &mut [Box<R>]) -> Snapshot {
        Snapshot {
            marks: registries.iter_mut().map(|r| r.mark()).collect(),
        }
    }

    /// Rolls each registry's journal back to its mark (a registry made after the savepoint
    /// opened, to the start).
    pub(crate) fn restore<R: TransactionJournal + ?Sized>(
        self,
        conn: &mut Connection,
        registries: &mut [Box<R>],
    ) -> Result<()> {
        for (i, reg) in registries.iter_mut().enumerate() {
            let mark = self.marks.get(i).copied().unwrap_or_default();
            reg.rollback_to(&mark, conn)?;
        }
        Ok(())
    }
}
