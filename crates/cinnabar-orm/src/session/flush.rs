//! When the session flushes and what a failed flush leaves: [`Session::flush`] runs the
//! save-update cascade, checks that no object is borrowed, validates the new and changed
//! objects (`Session::validate`), and hands the registries to the
//! unit of work (`crate::unit_of_work`), which orders and writes the changes; a failure
//! rolls the transaction back and keeps the changes unflushed (outside a savepoint).

use std::sync::atomic::Ordering;

use cinnabar_core::{Error, Result};

use super::Session;
use crate::unit_of_work;

impl Session {
    pub(super) fn has_work(&self) -> bool {
        self.tracker.dirty.load(Ordering::Relaxed) > 0
            || self.registries.iter().any(|r| r.has_pending_work())
    }

    /// Writes pending changes (INSERT, UPDATE, DELETE in dependency order) inside the
    /// session's transaction, beginning it if needed. Does not commit.
    ///
    /// # Errors
    /// The first failing statement's error (an integrity error names the constraint). The
    /// transaction is then rolled back and the session is usable again, as after
    /// [`Session::rollback`].
    pub fn flush(&mut self) -> Result<()> {
        if !self.has_work() {
            return Ok(());
        }
        if self.options.read_only {
            return Err(Session::read_only_error(
                "flushing its added, changed or deleted objects",
            ));
        }
        // The save-update cascade, the check that no object is borrowed, and validation, all
        // before the transaction begins: a failure writes nothing and keeps every object.
        self.validate()?;
        let result = self.flush_inner();
        if let Err(e) = result {
            if self.savepoints > 0 {
                // The enclosing savepoint() rolls back to its savepoint and restores.
                return Err(e);
            }
            self.rollback_keeping_changes();
            return Err(e);
        }
        Ok(())
    }

    /// Checks every new and changed object against its model's validation rules and
    /// `validate_with` function (see docs/VALIDATION.md) without flushing. The flush does the
    /// same before it writes anything.
    ///
    /// # Errors
    /// [`ErrorKind::Validation`](cinnabar_core::ErrorKind::Validation) listing every invalid
    /// field of every object ([`Error::validation_errors`]); a guard held on one of the
    /// objects is [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse).
    pub fn validate(&mut self) -> Result<()> {
        self.cascade_save_all()?;
        // A guard held on an object the flush must lock is misuse; report it before writing,
        // so nothing needs rolling back (the rollback would wait on that guard forever).
        for r in &self.registries {
            r.check_unlocked()?;
        }
        self.validate_objects()
    }

    fn validate_objects(&self) -> Result<()> {
        let mut errors = cinnabar_core::ValidationErrors::new();
        for r in &self.registries {
            r.validate_into(&mut errors);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::validation(errors))
        }
    }

    pub(super) fn flush_inner(&mut self) -> Result<()> {
        let order = self.order.models(&self.registries)?;
        self.ensure_transaction()?;
        let conn = self
            .conn
            .as_mut()
            .ok_or_else(|| Error::misuse("session has no connection"))?;
        unit_of_work::flush(
            conn,
            &mut self.registries,
            &order,
            self.generation,
            &self.tracker,
        )
    }

    pub(crate) fn autoflush(&mut self) -> Result<()> {
        if self.options.autoflush {
            self.flush()
        } else {
            Ok(())
        }
    }
}
