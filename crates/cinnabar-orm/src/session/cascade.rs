//! The save-update cascade: new objects ([`Handle::new`]) put into the relationships of
//! objects in the session are added with them, at `add` and again, from every pending and
//! changed object, before each flush. [`SessionRegistry`] is a registry as the session
//! holds it: the type-erased registry with its model's cascade.

use cinnabar_core::{Error, Result};

use super::Session;
use crate::handle::{Handle, ObjectState};
use crate::identity::{AnyRegistry, Registry};
use crate::model::Model;
use crate::relation::hooks::RelationHooks;

/// Runs the save-update cascade from one model's pending and changed objects.
pub(crate) type CascadeRoot = Box<dyn FnOnce(&mut Session) -> Result<()>>;

/// A registry as the session holds one per model: [`AnyRegistry`] and the save-update
/// cascade, which needs the session itself.
pub(crate) trait SessionRegistry: AnyRegistry {
    /// The save-update cascade from the pending and changed objects of this model, if any.
    fn cascade_root(&self) -> Option<CascadeRoot>;
}

impl<T: Model> SessionRegistry for Registry<T> {
    fn cascade_root(&self) -> Option<CascadeRoot> {
        if !T::HAS_RELATIONS {
            return None;
        }
        let dirty = self.shared.dirty.lock();
        let roots: Vec<Handle<T>> = self
            .pending
            .iter()
            .chain(dirty.iter())
            .filter(|h| matches!(h.state(), ObjectState::Pending | ObjectState::Persistent))
            .cloned()
            .collect();
        if roots.is_empty() {
            return None;
        }
        Some(Box::new(move |s: &mut Session| {
            roots.iter().try_for_each(|h| s.cascade_save_from(h))
        }))
    }
}

impl Session {
    /// Adds the new objects `h`'s relationships refer to.
    pub(crate) fn cascade_save_from<T: Model>(&mut self, h: &Handle<T>) -> Result<()> {
        let g = h.slot().try_read().ok_or_else(|| {
            Error::misuse(format!(
                "a {} is borrowed for writing during flush; drop the guard first",
                T::model_name()
            ))
        })?;
        g.value.cascade_save(self)
    }

    /// Runs the save-update cascade from every pending and changed object, so that new
    /// objects put into relationships since they were added are inserted by this flush.
    pub(super) fn cascade_save_all(&mut self) -> Result<()> {
        let roots: Vec<_> = self
            .registries
            .iter()
            .filter_map(|r| r.cascade_root())
            .collect();
        for root in roots {
            root(self)?;
        }
        Ok(())
    }
}
