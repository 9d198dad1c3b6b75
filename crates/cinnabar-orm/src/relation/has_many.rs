//! [`HasMany`]: the one-to-many (and many-to-many) collection field of a model.

use cinnabar_core::Result;

use super::back_populates::{bind_link, emit, BackFn, Event, Link, Owner};
use super::not_loaded;
use crate::handle::Handle;
use crate::model::Model;

/// A one-to-many collection: the children whose foreign key points at this object.
pub struct HasMany<T: Model> {
    pub(super) items: Option<Vec<Handle<T>>>,
    link: Option<Link<T>>,
}

impl<T: Model> HasMany<T> {
    /// A collection that has not been loaded.
    pub const fn not_loaded() -> Self {
        HasMany {
            items: None,
            link: None,
        }
    }

    /// A loaded collection (for a new object: the children to insert with it, which may be
    /// new objects made with [`Handle::new`]).
    pub fn loaded(items: Vec<Handle<T>>) -> Self {
        HasMany {
            items: Some(items),
            link: None,
        }
    }

    /// An empty loaded collection: what a new object starts with.
    pub fn new() -> Self {
        HasMany::loaded(Vec::new())
    }

    pub(crate) fn bind(&mut self, owner: &Owner, apply: BackFn<T>) {
        bind_link(&mut self.link, owner, apply);
    }

    /// Tells the other side of each child that it belongs here (a new object's initial
    /// collection).
    pub(crate) fn announce(&self) -> Result<()> {
        if let (Some(items), Some(_)) = (&self.items, &self.link) {
            for child in items {
                emit(&self.link, child, Event::Added)?;
            }
        }
        Ok(())
    }

    /// The children, if loaded, without an error otherwise.
    pub(crate) fn items(&self) -> Option<&[Handle<T>]> {
        self.items.as_deref()
    }

    /// Adds `child` without telling the other side; `false` when unloaded or present.
    pub(crate) fn insert_quietly(&mut self, child: Handle<T>) -> bool {
        match &mut self.items {
            Some(v) if !v.iter().any(|h| Handle::ptr_eq(h, &child)) => {
                v.push(child);
                true
            }
            _ => false,
        }
    }

    /// Removes `child` without telling the other side; `false` when unloaded or absent.
    pub(crate) fn remove_quietly(&mut self, child: &Handle<T>) -> bool {
        match &mut self.items {
            Some(v) => {
                let before = v.len();
                v.retain(|h| !Handle::ptr_eq(h, child));
                v.len() != before
            }
            None => false,
        }
    }

    pub(crate) fn contains(&self, child: &Handle<T>) -> bool {
        self.items
            .as_ref()
            .is_some_and(|v| v.iter().any(|h| Handle::ptr_eq(h, child)))
    }

    /// Whether the collection was loaded.
    pub fn is_loaded(&self) -> bool {
        self.items.is_some()
    }

    /// The children.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) naming the relationship when it was not loaded.
    pub fn get(&self) -> Result<&[Handle<T>]> {
        self.items
            .as_deref()
            .ok_or_else(|| not_loaded(&format!("to many {}", T::model_name())))
    }

    /// Appends a child; at the next flush its foreign key is set to this object's key. A
    /// new child (from [`Handle::new`]) is added to the session at the next flush
    /// (save-update cascade). With `back_populates`, the child's reference to this object is
    /// set now (and it leaves its previous parent's loaded collection).
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) when the collection was not loaded (appending to an unknown
    /// collection would hide what is already there), or when `back_populates` must change
    /// a child that is borrowed elsewhere.
    pub fn push(&mut self, child: Handle<T>) -> Result<()> {
        if self.items.is_none() {
            return Err(not_loaded(&format!("to many {}", T::model_name())));
        }
        if self.contains(&child) {
            return Ok(());
        }
        emit(&self.link, &child, Event::Added)?;
        self.insert_quietly(child);
        Ok(())
    }

    /// Removes a child; at the next flush its foreign key is set to NULL (or, with
    /// `cascade = "delete-orphan"`, it is deleted). With `back_populates`, the child's
    /// reference to this object is cleared now.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) when the collection was not loaded, or when `back_populates`
    /// must change a child that is borrowed elsewhere.
    pub fn remove(&mut self, child: &Handle<T>) -> Result<bool> {
        if self.items.is_none() {
            return Err(not_loaded(&format!("to many {}", T::model_name())));
        }
        if !self.contains(child) {
            return Ok(false);
        }
        emit(&self.link, child, Event::Removed)?;
        Ok(self.remove_quietly(child))
    }

    /// Number of children.
    ///
    /// # Errors
    /// As [`HasMany::get`].
    pub fn len(&self) -> Result<usize> {
        self.get().map(<[_]>::len)
    }

    /// Whether there are no children.
    ///
    /// # Errors
    /// As [`HasMany::get`].
    pub fn is_empty(&self) -> Result<bool> {
        self.get().map(<[_]>::is_empty)
    }
}

/// An empty loaded collection, as for a new object (SQLAlchemy's `[]`). Objects loaded from
/// the database start with [`HasMany::not_loaded`] instead.
impl<T: Model> Default for HasMany<T> {
    fn default() -> Self {
        HasMany::new()
    }
}

impl<T: Model> From<Vec<Handle<T>>> for HasMany<T> {
    fn from(items: Vec<Handle<T>>) -> Self {
        HasMany::loaded(items)
    }
}

/// Clones the children, not the link to the owner: a copy updates no other side.
impl<T: Model> Clone for HasMany<T> {
    fn clone(&self) -> Self {
        HasMany {
            items: self.items.clone(),
            link: None,
        }
    }
}

/// Equal when both are unloaded, or both hold the same objects in the same order.
impl<T: Model> PartialEq for HasMany<T> {
    fn eq(&self, other: &Self) -> bool {
        match (&self.items, &other.items) {
            (None, None) => true,
            (Some(a), Some(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| Handle::ptr_eq(x, y))
            }
            _ => false,
        }
    }
}

impl<T: Model> std::fmt::Debug for HasMany<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.items {
            None => write!(f, "HasMany<{}>(not loaded)", T::model_name()),
            Some(v) => write!(f, "HasMany<{}>({} loaded)", T::model_name(), v.len()),
        }
    }
}
