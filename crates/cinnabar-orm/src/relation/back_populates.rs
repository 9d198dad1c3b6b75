//! `back_populates`: the link a relationship field keeps to its owner's handle, the events
//! one side of a relationship sends, and [`back_populate`], which makes the other side follow
//! through the related object's lock (`try_write`, never blocking).

use std::any::Any;
use std::sync::Weak;

use cinnabar_core::{Error, Result};

use super::meta::Relation;
use crate::handle::{Handle, Obj};
use crate::model::Model;

/// The object a relationship field belongs to, handed to the field when the session's
/// handle of that object is written to, so that changing the field can update the other
/// side (`back_populates`).
#[derive(Clone)]
pub(crate) struct Owner(pub(crate) Weak<dyn Any + Send + Sync>);

/// A change to one side of a relationship that the other side must follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event {
    /// The related object was added (appended, or set as the reference).
    Added,
    /// The related object was removed (or the reference replaced or cleared).
    Removed,
    /// Nothing changes: fails as `Added` would if an object it must change is borrowed.
    ProbeAdded,
    /// Nothing changes: fails as `Removed` would if the object is borrowed.
    ProbeRemoved,
}

/// Applies an [`Event`] of the owner's field to the related object's inverse field:
/// implemented by the field's relationship (a `Relation<M, T>` declared with
/// `back_populates`), which the field's link refers to.
pub(crate) trait Inverse<T: Model>: Sync {
    /// Makes `target`'s side follow `event` of `owner`'s field.
    fn apply(&self, owner: &Owner, target: &Handle<T>, event: Event) -> Result<()>;
}

/// How a field updates the other side: its relationship, a constant of the owner's model.
pub(crate) type BackFn<T> = &'static dyn Inverse<T>;

impl<M: Model, R: Model> Inverse<R> for Relation<M, R> {
    fn apply(&self, owner: &Owner, target: &Handle<R>, event: Event) -> Result<()> {
        match self.back_populates {
            Some(inverse) => back_populate(owner, target, event, *self, inverse()),
            None => Ok(()),
        }
    }
}

/// A field's owner and how to update the inverse side; not cloned with the field, so a
/// copy of an object (`handle.get()`, a baseline) never updates anything.
pub(super) struct Link<T: Model> {
    owner: Owner,
    apply: BackFn<T>,
}

pub(super) fn bind_link<T: Model>(link: &mut Option<Link<T>>, owner: &Owner, apply: BackFn<T>) {
    if link
        .as_ref()
        .is_some_and(|l| Weak::ptr_eq(&l.owner.0, &owner.0))
    {
        return;
    }
    *link = Some(Link {
        owner: owner.clone(),
        apply,
    });
}

pub(super) fn emit<T: Model>(
    link: &Option<Link<T>>,
    target: &Handle<T>,
    event: Event,
) -> Result<()> {
    match link {
        Some(l) => l.apply.apply(&l.owner, target, event),
        None => Ok(()),
    }
}

fn borrowed<T: Model>(relation: &str) -> Error {
    Error::misuse(format!(
        "back_populates of {relation} must change a {} that is borrowed (a read() or write() \
         guard is alive); drop the guard first",
        T::model_name()
    ))
}

/// Makes `target`'s side of a relationship follow a change to the owner's side:
/// `forward` is the owner's relationship (of `C` to `P`), `inverse` the one it names in
/// `back_populates` (of `P` to `C`). Only loaded collections and references are changed;
/// an unloaded one is read from the database, after the flush, when it is loaded.
fn back_populate<C: Model, P: Model>(
    owner: &Owner,
    target: &Handle<P>,
    event: Event,
    forward: Relation<C, P>,
    inverse: Relation<P, C>,
) -> Result<()> {
    let Some(any) = owner.0.upgrade() else {
        return Ok(());
    };
    let me = match any.downcast::<Obj<C>>() {
        Ok(obj) => Handle(obj),
        Err(_) => return Ok(()),
    };
    let mut g = target
        .slot()
        .try_write()
        .ok_or_else(|| borrowed::<P>(&forward.describe()))?;
    if matches!(event, Event::ProbeAdded | Event::ProbeRemoved) {
        // The target is free; an addition to a scalar side also changes its previous partner.
        if event == Event::ProbeAdded {
            if let Some(one) = inverse.one_mut {
                if let Some(prev) = one(&mut g.value).current() {
                    if !Handle::ptr_eq(prev, &me) && prev.slot().try_write().is_none() {
                        return Err(borrowed::<C>(&forward.describe()));
                    }
                }
            }
        }
        return Ok(());
    }
    if let Some(many) = inverse.many_mut {
        let coll = many(&mut g.value);
        let change = coll.is_loaded() && (coll.contains(&me) != (event == Event::Added));
        if change {
            target.note_write(&mut g);
            let coll = many(&mut g.value);
            if event == Event::Added {
                coll.insert_quietly(me);
            } else {
                coll.remove_quietly(&me);
            }
        }
        return Ok(());
    }
    let Some(one) = inverse.one_mut else {
        return Ok(());
    };
    let previous = one(&mut g.value).current().cloned();
    let points_at_me = previous.as_ref().is_some_and(|p| Handle::ptr_eq(p, &me));
    match event {
        Event::Added if !points_at_me => {
            // The object `target` referenced before loses it (a child moving from one
            // parent's collection to another's, or a one-to-one partner replaced). Both are
            // locked before either changes, so a borrowed one changes nothing.
            let mut prev_guard = match &previous {
                Some(prev) => Some(
                    prev.slot()
                        .try_write()
                        .ok_or_else(|| borrowed::<C>(&forward.describe()))?,
                ),
                None => None,
            };
            target.note_write(&mut g);
            one(&mut g.value).set_quietly(Some(me.clone()));
            if let (Some(prev), Some(pg)) = (&previous, prev_guard.as_mut()) {
                if let Some(many) = forward.many_mut {
                    if many(&mut pg.value).contains(target) {
                        prev.note_write(pg);
                        many(&mut pg.value).remove_quietly(target);
                    }
                } else if let Some(fwd) = forward.one_mut {
                    if fwd(&mut pg.value).points_at(target) {
                        prev.note_write(pg);
                        fwd(&mut pg.value).set_quietly(None);
                    }
                }
            }
        }
        Event::Removed if points_at_me => {
            target.note_write(&mut g);
            one(&mut g.value).set_quietly(None);
        }
        _ => {}
    }
    Ok(())
}
