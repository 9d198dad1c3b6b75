//! Session savepoints: journal positions taken when a savepoint opens, and the restore
//! that undoes, in memory, what the savepoint's rollback undid in the database.

use cinnabar_core::Result;

use super::Mark;
use crate::session::Session;

/// Per-registry journal positions at a savepoint's start.
pub(crate) struct Snapshot {
    marks: Vec<Mark>,
}

impl Snapshot {
    pub(crate) fn take(session: &mut Session) -> Snapshot {
        Snapshot {
            marks: session
                .registries_mut()
                .iter_mut()
                .map(|r| r.mark())
                .collect(),
        }
    }

    pub(crate) fn restore(self, session: &mut Session) -> Result<()> {
        let (conn, regs) = session.conn_and_registries()?;
        for (i, reg) in regs.iter_mut().enumerate() {
            let mark = self.marks.get(i).copied().unwrap_or_default();
            reg.rollback_to(&mark, conn)?;
        }
        Ok(())
    }
}
