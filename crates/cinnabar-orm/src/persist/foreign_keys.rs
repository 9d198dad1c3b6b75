//! Foreign keys handed between related objects before their rows are written: changed
//! parents push their keys to the children added to (or taken from) their collections, and
//! changed children pull their parents' keys.

use cinnabar_core::{Error, Result};

use crate::handle::{Handle, ObjectState};
use crate::identity::{lock, locked_error, Registry};
use crate::model::Model;
use crate::relation::hooks::RelationHooks;

impl<T: Model> Registry<T> {
    /// Gives changed persistent objects' keys to the children added to (or taken from)
    /// their collections, before the children's own flush.
    pub(super) fn push_keys_of_changed(&self) -> Result<()> {
        if !T::HAS_RELATIONS {
            return Ok(());
        }
        let dirty: Vec<Handle<T>> = self.shared.dirty.lock().clone();
        // Children kept or added first, then children removed: a child moved from one
        // parent to another keeps the new parent's key whichever parent comes first.
        for removals in [false, true] {
            for h in &dirty {
                let g = h.slot().try_read().ok_or_else(locked_error::<T>)?;
                if g.modified && h.state() == ObjectState::Persistent {
                    let base = g.baseline.as_deref().map(|b| b.as_value(&g.value));
                    g.value.push_key_to_children(base.as_deref(), removals)?;
                }
            }
        }
        Ok(())
    }

    /// Copies parents' keys into the changed objects of `dirty`, one object locked at a
    /// time (once UPDATE batches hold their objects' locks, an object whose parent is among
    /// them could not read it). An object whose new parent has no key yet is taken out of
    /// `dirty` and returned when `early` (it waits for that INSERT); after the INSERTs such a
    /// parent is in no session, or another one: an error.
    pub(super) fn pull_parent_keys_of(
        &mut self,
        dirty: &mut Vec<Handle<T>>,
        early: bool,
    ) -> Result<Vec<Handle<T>>> {
        let mut later = Vec::new();
        if !T::HAS_RELATIONS {
            return Ok(later);
        }
        let mut failed = None;
        dirty.retain(|h| {
            if failed.is_some() || h.state() != ObjectState::Persistent {
                return true;
            }
            let outcome = lock(h).and_then(|mut g| {
                if !g.modified || g.value.pull_parent_keys()? {
                    let post = g.modified
                        && !T::POST_UPDATE_COLUMNS.is_empty()
                        && g.value.needs_post_update()?;
                    return Ok(Some(post));
                }
                Ok(None)
            });
            match outcome {
                Ok(Some(post)) => {
                    if post {
                        self.post_updates.push(h.clone());
                    }
                    true
                }
                Ok(None) if early => {
                    later.push(h.clone());
                    false
                }
                Ok(None) => {
                    failed = Some(Error::misuse(format!(
                        "a {} refers to a new parent that is not in this session: add it with session.add_handle",
                        T::model_name()
                    )));
                    true
                }
                Err(e) => {
                    failed = Some(e);
                    true
                }
            }
        });
        match failed {
            Some(e) => {
                dirty.append(&mut later);
                Err(e)
            }
            None => Ok(later),
        }
    }
}
