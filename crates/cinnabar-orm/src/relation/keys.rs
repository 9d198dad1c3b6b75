//! Foreign keys kept in step with relationships at flush: a child pulls its parent's key
//! (many-to-one), a parent pushes its key into its children (one-to-many, one-to-one) and
//! NULL into the ones it lost, and `post_update` keys wait for a later UPDATE.

use cinnabar_core::{Error, Result, Value, ValueRef};

use super::belongs_to::{BelongsTo, HasOne};
use super::has_many::HasMany;
use super::hooks::RelationHooks;
use super::meta::Relation;
use crate::handle::{Handle, ObjectState};
use crate::model::Model;

/// Copies `parent`'s key into this object's foreign-key column; called by the flush before
/// the object is inserted or updated. A `BelongsTo` that was never set leaves the column alone.
/// Returns `false` when the parent is new and has no key yet (insert it first), unless the
/// relationship is `post_update`: then the column is written by an UPDATE after the INSERTs.
/// The reference is read in place (no copy of it): the parent's key is taken before the
/// column is written.
pub(crate) fn pull_parent_key<C: Model, P: Model>(
    child: &mut C,
    relation: Relation<C, P>,
) -> Result<bool> {
    let (foreign_key, referenced_key) = (relation.foreign_key, relation.referenced_key);
    let Some(reference) = relation.one else {
        return Ok(true);
    };
    let Some(target) = &reference(child).target else {
        return Ok(true);
    };
    let value: Value = match target {
        None => Value::Null,
        Some(parent) => {
            let g = parent.slot().try_read().ok_or_else(|| {
                Error::misuse(format!(
                    "a {} is borrowed for writing during flush; drop the guard first",
                    P::model_name()
                ))
            })?;
            let v = g.value.column_value(referenced_key)?.to_owned_value();
            if v.is_null() {
                if parent.state() == crate::ObjectState::Pending {
                    return Ok(relation.post_update);
                }
                return Err(Error::misuse(format!(
                    "the {} this {} belongs to has no key and is not pending: add it to the session",
                    P::model_name(),
                    C::model_name()
                )));
            }
            v
        }
    };
    if child.column_value(foreign_key)?.to_owned_value() != value {
        child.set_column(foreign_key, value.as_ref())?;
    }
    Ok(true)
}

/// Whether a `post_update` reference still has to be written: its parent has no key yet, or
/// the foreign key differs from it.
pub(crate) fn post_update_pending<C: Model, P: Model>(
    child: &C,
    relation: Relation<C, P>,
) -> Result<bool> {
    let Some(parent) = relation.one.and_then(|one| one(child).current()) else {
        return Ok(false);
    };
    let g = parent.slot().try_read().ok_or_else(|| {
        Error::misuse(format!(
            "a {} is borrowed for writing during flush; drop the guard first",
            P::model_name()
        ))
    })?;
    let key = g.value.column_value(relation.referenced_key)?;
    Ok(key == ValueRef::Null || child.column_value(relation.foreign_key)? != key)
}

/// Whether a child taken out of a parent's collection still belongs to that parent: its
/// foreign key still holds `parent_key` once its own reference (if set) is applied. A child
/// moved to another parent (whose key may not exist yet) does not.
fn still_points_at<C: Model>(
    child: &Handle<C>,
    foreign_key: usize,
    parent_key: ValueRef<'_>,
) -> Result<bool> {
    if child.state() != ObjectState::Persistent {
        return Ok(false);
    }
    let mut g = child.slot().try_write().ok_or_else(|| {
        Error::misuse(format!(
            "a {} is borrowed during flush; drop the guard first",
            C::model_name()
        ))
    })?;
    // Only a changed child can have been given another parent.
    if C::HAS_RELATIONS
        && g.modified
        && g.value.column_value(foreign_key)? == parent_key
        && !g.value.pull_parent_keys()?
    {
        return Ok(false);
    }
    // Its own reference cleared (NULL) is a removal too; another key is a move.
    let now = g.value.column_value(foreign_key)?;
    Ok(now == parent_key || now == ValueRef::Null)
}

/// Sets each child's foreign key to `parent_key` (`removals == false`), or handles the
/// children removed since `before` (`removals == true`): NULL into their foreign key, or
/// deletion for delete-orphan, unless they moved to another parent. The flush runs every
/// parent's first phase before any second phase, so a child moved between two parents ends
/// up with the new one whichever is flushed first.
pub(crate) fn push_key_to_children<C: Model>(
    current: &HasMany<C>,
    before: Option<&HasMany<C>>,
    parent_key: ValueRef<'_>,
    foreign_key: usize,
    delete_orphan: bool,
    removals: bool,
) -> Result<()> {
    if !removals {
        if let Some(items) = &current.items {
            for child in items {
                child.set_column_tracked(foreign_key, parent_key)?;
            }
        }
        return Ok(());
    }
    if let Some(old) = before.and_then(|b| b.items.as_ref()) {
        for child in old {
            if current.contains(child) || !still_points_at(child, foreign_key, parent_key)? {
                continue;
            }
            if delete_orphan {
                // Decided after the INSERTs: a new parent may still take it.
                child.mark_orphan_candidate(foreign_key, parent_key.to_owned_value());
            } else {
                child.set_column_tracked(foreign_key, ValueRef::Null)?;
            }
        }
    }
    Ok(())
}

/// The one-to-one form of [`push_key_to_children`]: the related object takes this object's
/// key; one replaced since `before` gets NULL (unless it moved to another object).
pub(crate) fn push_key_to_child<C: Model>(
    current: &HasOne<C>,
    before: Option<&HasOne<C>>,
    parent_key: ValueRef<'_>,
    foreign_key: usize,
    removals: bool,
) -> Result<()> {
    let now = current.current();
    if !removals {
        if let Some(child) = now {
            child.set_column_tracked(foreign_key, parent_key)?;
        }
        return Ok(());
    }
    if let Some(old) = before.and_then(BelongsTo::current) {
        if !now.is_some_and(|n| Handle::ptr_eq(n, old))
            && still_points_at(old, foreign_key, parent_key)?
        {
            old.set_column_tracked(foreign_key, ValueRef::Null)?;
        }
    }
    Ok(())
}
