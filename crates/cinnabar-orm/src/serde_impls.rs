//! Serde support (feature `serde`), so that `#[derive(Model, Serialize, Deserialize)]`
//! works unchanged and a handler can return its objects as JSON:
//!
//! - [`Handle<T>`] serializes as the `T` it holds (read without blocking: a write guard
//!   alive on the object is an error, not a deadlock) and deserializes into a new,
//!   transient object ([`Handle::new`]).
//! - [`HasMany<T>`] serializes its loaded objects as a sequence; [`BelongsTo<T>`] /
//!   [`HasOne<T>`](crate::HasOne) its object or `null`. A relationship that was **not
//!   loaded** serializes as `null` (never an error, never a query); to leave it out instead,
//!   mark the field `#[serde(skip_serializing_if = "HasMany::is_not_loaded")]` (or
//!   `"BelongsTo::is_not_loaded"`). Deserializing, `null` or a missing field gives a
//!   relationship that is not loaded (so the flush leaves its foreign key alone), and
//!   objects give a loaded one of new objects, which the save-update cascade inserts with
//!   their owner.
//! - An object met again inside itself (a child whose loaded `BelongsTo` points back at the
//!   parent being written) is an error naming the model, not an endless recursion: skip
//!   one side with `#[serde(skip_serializing)]` or serialize a view.
//!
//! `Page<T>` derives both in `query/page.rs`.

use std::cell::RefCell;

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Error as _, Serialize, SerializeSeq, Serializer};

use crate::handle::Handle;
use crate::model::Model;
use crate::relation::{BelongsTo, HasMany};

thread_local! {
    /// The objects being serialized on this thread, outermost first.
    static PATH: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// Takes an object off [`PATH`] when its serialization ends, also on error.
struct OnPath;

impl Drop for OnPath {
    fn drop(&mut self) {
        PATH.with(|p| {
            p.borrow_mut().pop();
        });
    }
}

impl<T: Model + Serialize> Serialize for Handle<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let id = std::sync::Arc::as_ptr(&self.0) as usize;
        let cycle = PATH.with(|p| {
            let mut p = p.borrow_mut();
            if p.contains(&id) {
                true
            } else {
                p.push(id);
                false
            }
        });
        if cycle {
            return Err(S::Error::custom(format_args!(
                "a {} contains itself through its relationships (a loaded back-reference): \
                 skip one side with #[serde(skip_serializing)] or serialize a view",
                T::model_name()
            )));
        }
        let _on_path = OnPath;
        let object = self.read_now().map_err(S::Error::custom)?;
        object.serialize(serializer)
    }
}

impl<'de, T: Model + Deserialize<'de>> Deserialize<'de> for Handle<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Handle::new)
    }
}

impl<T: Model + Serialize> Serialize for HasMany<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.items() {
            None => serializer.serialize_none(),
            Some(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for h in items {
                    seq.serialize_element(h)?;
                }
                seq.end()
            }
        }
    }
}

impl<'de, T: Model + Deserialize<'de>> Deserialize<'de> for HasMany<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<Vec<Handle<T>>>::deserialize(deserializer)? {
            Some(items) => HasMany::loaded(items),
            None => HasMany::not_loaded(),
        })
    }
}

impl<T: Model + Serialize> Serialize for BelongsTo<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.get() {
            Ok(Some(h)) => serializer.serialize_some(h),
            Ok(None) | Err(_) => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Model + Deserialize<'de>> Deserialize<'de> for BelongsTo<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<Handle<T>>::deserialize(deserializer)? {
            Some(h) => BelongsTo::loaded(Some(h)),
            None => BelongsTo::not_loaded(),
        })
    }
}

impl<T: Model> HasMany<T> {
    /// Whether the collection was not loaded: for
    /// `#[serde(skip_serializing_if = "HasMany::is_not_loaded")]`.
    pub fn is_not_loaded(&self) -> bool {
        !self.is_loaded()
    }
}

impl<T: Model> BelongsTo<T> {
    /// Whether the reference was not loaded: for
    /// `#[serde(skip_serializing_if = "BelongsTo::is_not_loaded")]`.
    pub fn is_not_loaded(&self) -> bool {
        !self.is_loaded()
    }
}
