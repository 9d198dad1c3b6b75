//! The save-update cascade: the new objects ([`Handle::new`](crate::Handle::new)) a
//! relationship field holds are added to the session with the object that holds them.

use cinnabar_core::Result;

use super::belongs_to::BelongsTo;
use super::has_many::HasMany;
use crate::handle::ObjectState;
use crate::model::Model;

/// Adds to `session` the new objects ([`Handle::new`](crate::Handle::new)) this collection holds
/// (SQLAlchemy's save-update cascade).
pub(crate) fn cascade_save_many<T: Model>(
    field: &HasMany<T>,
    session: &mut crate::Session,
) -> Result<()> {
    if let Some(items) = field.items() {
        for h in items {
            if h.state() == ObjectState::Transient {
                session.add_handle(h)?;
            }
        }
    }
    Ok(())
}

/// As [`cascade_save_many`], for a reference.
pub(crate) fn cascade_save_one<T: Model>(
    field: &BelongsTo<T>,
    session: &mut crate::Session,
) -> Result<()> {
    if let Some(h) = field.current() {
        if h.state() == ObjectState::Transient {
            session.add_handle(h)?;
        }
    }
    Ok(())
}
