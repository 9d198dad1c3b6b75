//! [`BelongsTo`]: the many-to-one reference field of a model, and [`HasOne`], the inverse
//! side of a one-to-one relationship, which has the same API.

use cinnabar_core::Result;

use super::back_populates::{bind_link, emit, BackFn, Event, Link, Owner};
use super::not_loaded;
use crate::handle::Handle;
use crate::model::Model;

/// A many-to-one reference: the parent this object's foreign key points at.
pub struct BelongsTo<T: Model> {
    pub(super) target: Option<Option<Handle<T>>>,
    link: Option<Link<T>>,
}

impl<T: Model> BelongsTo<T> {
    /// A reference that has not been loaded (nor set: the flush leaves the foreign-key
    /// column as it is).
    pub const fn not_loaded() -> Self {
        BelongsTo {
            target: None,
            link: None,
        }
    }

    /// A loaded reference (`None`: the foreign key is NULL).
    pub fn loaded(target: Option<Handle<T>>) -> Self {
        BelongsTo {
            target: Some(target),
            link: None,
        }
    }

    /// A reference to `parent`, for a new object: `course: BelongsTo::to(&python)`.
    pub fn to(parent: &Handle<T>) -> Self {
        BelongsTo::loaded(Some(parent.clone()))
    }

    pub(crate) fn bind(&mut self, owner: &Owner, apply: BackFn<T>) {
        bind_link(&mut self.link, owner, apply);
    }

    /// Tells the other side that it is referenced (a new object's initial reference).
    pub(crate) fn announce(&self) -> Result<()> {
        match &self.target {
            Some(Some(t)) => emit(&self.link, t, Event::Added),
            _ => Ok(()),
        }
    }

    /// The target if loaded and set.
    pub(crate) fn current(&self) -> Option<&Handle<T>> {
        self.target.as_ref().and_then(Option::as_ref)
    }

    /// Whether the reference is loaded and points at `h`.
    pub(crate) fn points_at(&self, h: &Handle<T>) -> bool {
        self.current().is_some_and(|t| Handle::ptr_eq(t, h))
    }

    /// Sets the reference without telling the other side.
    pub(crate) fn set_quietly(&mut self, target: Option<Handle<T>>) {
        self.target = Some(target);
    }

    /// Whether the reference was loaded (or set).
    pub fn is_loaded(&self) -> bool {
        self.target.is_some()
    }

    /// The parent, if the foreign key is not NULL.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) naming the relationship when it was not loaded.
    pub fn get(&self) -> Result<Option<&Handle<T>>> {
        match &self.target {
            Some(t) => Ok(t.as_ref()),
            None => Err(not_loaded(&format!("to {}", T::model_name()))),
        }
    }

    /// Points this object at `parent`; at the next flush its foreign key takes the parent's
    /// key (after the parent is inserted, if it is new; a parent made with [`Handle::new`]
    /// is added to the session then). With `back_populates`, the parent's loaded collection
    /// (or reference) gains this object now, and the previous parent's loses it.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) when `back_populates` must change a parent that is borrowed
    /// elsewhere; nothing is changed then.
    pub fn set(&mut self, parent: Option<Handle<T>>) -> Result<()> {
        if self.link.is_some() {
            let old = self.current().cloned();
            let same = match (&old, &parent) {
                (Some(a), Some(b)) => Handle::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            };
            if !same {
                // Every object either event must change is checked first, so a borrowed one
                // fails the call before anything changed.
                if let Some(new) = &parent {
                    emit(&self.link, new, Event::ProbeAdded)?;
                }
                if let Some(old) = &old {
                    emit(&self.link, old, Event::ProbeRemoved)?;
                }
                if let Some(new) = &parent {
                    emit(&self.link, new, Event::Added)?;
                }
                if let Some(old) = &old {
                    emit(&self.link, old, Event::Removed)?;
                }
            }
        }
        self.target = Some(parent);
        Ok(())
    }
}

/// Not set: the flush leaves the foreign-key column as it is.
impl<T: Model> Default for BelongsTo<T> {
    fn default() -> Self {
        BelongsTo::not_loaded()
    }
}

/// Clones the reference, not the link to the owner: a copy updates no other side.
impl<T: Model> Clone for BelongsTo<T> {
    fn clone(&self) -> Self {
        BelongsTo {
            target: self.target.clone(),
            link: None,
        }
    }
}

impl<T: Model> PartialEq for BelongsTo<T> {
    fn eq(&self, other: &Self) -> bool {
        match (&self.target, &other.target) {
            (None, None) | (Some(None), Some(None)) => true,
            (Some(Some(a)), Some(Some(b))) => Handle::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl<T: Model> std::fmt::Debug for BelongsTo<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.target {
            None => write!(f, "BelongsTo<{}>(not loaded)", T::model_name()),
            Some(None) => write!(f, "BelongsTo<{}>(none)", T::model_name()),
            Some(Some(_)) => write!(f, "BelongsTo<{}>(loaded)", T::model_name()),
        }
    }
}

/// The inverse side of a one-to-one relationship: the one object whose (unique) foreign key
/// points at this one. Same API as [`BelongsTo`]; the flush writes the key into the
/// related object instead.
pub type HasOne<T> = BelongsTo<T>;
