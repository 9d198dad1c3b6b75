//! What the flush, the session and handles ask of a model's relationships, for any model:
//! [`RelationHooks`] reads the model's table (`Model::RELATIONS`, emitted by the derive) and
//! calls each relationship it concerns, in declaration order. Its flags are computed from the
//! table at compile time, so a model without relationships (or without the feature a flag
//! names) skips the work with a constant test.

use cinnabar_core::Result;
use cinnabar_engine::Connection;

use super::associations::AssociationLog;
use super::back_populates::Owner;
use super::meta::RelationKind;
use super::ops::RelationDef;
use crate::handle::Handle;
use crate::model::Model;
use crate::session::Session;

/// The relationship operations of a whole model, implemented for every [`Model`] by
/// iterating [`Model::RELATIONS`]. Bring it into scope to call them (`T::HAS_RELATIONS`,
/// `value.pull_parent_keys()`).
pub(crate) trait RelationHooks: Model {
    /// Whether the model declares relationships (the flush skips key syncing when not).
    const HAS_RELATIONS: bool = !Self::RELATIONS.is_empty();

    /// Foreign-key columns of relationships declared `post_update`.
    const POST_UPDATE_COLUMNS: PostUpdateColumns<Self> = PostUpdateColumns::of(Self::RELATIONS);

    /// Whether a relationship declares `back_populates`.
    const HAS_BACK_REFS: bool = has_back_refs(Self::RELATIONS);

    /// Whether the model has many-to-many relationships (association rows to write).
    const HAS_ASSOCIATIONS: bool = has_associations(Self::RELATIONS);

    /// Copies each `BelongsTo` parent's key into its foreign-key column; called by the
    /// flush before INSERT and UPDATE. `false`: a parent is new and must be inserted first.
    ///
    /// # Errors
    /// A parent that has no key and is not pending, or is locked.
    fn pull_parent_keys(&mut self) -> Result<bool> {
        let mut ready = true;
        for r in Self::RELATIONS {
            if r.kind == RelationKind::ManyToOne {
                ready &= r.ops.pull_parent_key(self)?;
            }
        }
        Ok(ready)
    }

    /// Sets this object's key into the foreign-key column of each `HasMany`/`HasOne` child
    /// (`removals == false`), or NULL into children removed since `before` (`removals ==
    /// true`, after every parent's first phase); called by the flush after INSERT or a
    /// change. The collections go first, then the one-to-one references.
    ///
    /// # Errors
    /// A child that is locked, or a conversion error.
    fn push_key_to_children(&self, before: Option<&Self>, removals: bool) -> Result<()> {
        for kind in [RelationKind::OneToMany, RelationKind::OneToOne] {
            for r in Self::RELATIONS {
                if r.kind == kind {
                    r.ops.push_key(self, before, removals)?;
                }
            }
        }
        Ok(())
    }

    /// Whether a `post_update` relationship's foreign key must still be written (its parent
    /// had no key when this object was inserted or updated).
    ///
    /// # Errors
    /// A parent that is locked, or a conversion error.
    fn needs_post_update(&self) -> Result<bool> {
        let mut needed = false;
        for r in Self::RELATIONS {
            if r.post_update {
                needed |= r.ops.post_update_pending(self)?;
            }
        }
        Ok(needed)
    }

    /// Hands the relationship fields declared with `back_populates` their owner, so that
    /// changing them updates the other side; called when a handle is written to.
    fn bind_owner(&mut self, owner: &Owner) {
        for r in Self::RELATIONS {
            if r.back_populates {
                r.ops.bind(self, owner);
            }
        }
    }

    /// Tells the other sides of a new object's relationships about it.
    ///
    /// # Errors
    /// An object on the other side is borrowed.
    fn announce_relations(&self) -> Result<()> {
        for r in Self::RELATIONS {
            if r.back_populates {
                r.ops.announce(self)?;
            }
        }
        Ok(())
    }

    /// Adds to `session` the new objects ([`crate::Handle::new`]) this object's
    /// relationships refer to (save-update cascade).
    ///
    /// # Errors
    /// A related object belongs to another session or is locked.
    fn cascade_save(&self, session: &mut Session) -> Result<()> {
        for r in Self::RELATIONS {
            r.ops.cascade_save(self, session)?;
        }
        Ok(())
    }

    /// Writes the association rows of its many-to-many collections that changed since
    /// `before` (`None`: all, for a new object).
    ///
    /// # Errors
    /// Database errors; a related object without a key.
    fn sync_associations(
        &self,
        before: Option<&Self>,
        conn: &mut Connection,
        log: &mut AssociationLog,
    ) -> Result<()> {
        for r in Self::RELATIONS {
            if r.kind == RelationKind::ManyToMany {
                r.ops.sync_association(self, before, conn, log)?;
            }
        }
        Ok(())
    }

    /// Deletes this object's association rows before its own DELETE.
    ///
    /// # Errors
    /// Database errors.
    fn delete_associations(&self, conn: &mut Connection) -> Result<()> {
        for r in Self::RELATIONS {
            if r.kind == RelationKind::ManyToMany {
                r.ops.delete_associations(self, conn)?;
            }
        }
        Ok(())
    }

    /// Deletes (in `session`) the children of relationships declared with
    /// `cascade = "delete"`, loading unloaded collections first unless `passive_deletes`.
    ///
    /// # Errors
    /// Loading or deletion errors.
    fn cascade_delete(session: &mut Session, object: &Handle<Self>) -> Result<()> {
        for r in Self::RELATIONS {
            if r.kind == RelationKind::OneToMany && r.cascade_delete {
                r.ops.cascade_delete(session, object)?;
            }
        }
        Ok(())
    }
}

impl<T: Model> RelationHooks for T {}

const fn has_back_refs<M: Model>(table: &[RelationDef<M>]) -> bool {
    let mut i = 0;
    while i < table.len() {
        if table[i].back_populates {
            return true;
        }
        i += 1;
    }
    false
}

const fn has_associations<M: Model>(table: &[RelationDef<M>]) -> bool {
    let mut i = 0;
    while i < table.len() {
        if matches!(table[i].kind, RelationKind::ManyToMany) {
            return true;
        }
        i += 1;
    }
    false
}

/// The foreign-key columns of a model's `post_update` relationships, read from its table:
/// `is_empty` is decided at compile time, and iterating yields `&usize` as a slice would.
pub(crate) struct PostUpdateColumns<M: Model> {
    table: &'static [RelationDef<M>],
    any: bool,
}

impl<M: Model> PostUpdateColumns<M> {
    const fn of(table: &'static [RelationDef<M>]) -> Self {
        let mut any = false;
        let mut i = 0;
        while i < table.len() {
            any |= table[i].post_update;
            i += 1;
        }
        PostUpdateColumns { table, any }
    }

    /// Whether no relationship is `post_update`.
    #[inline]
    pub(crate) const fn is_empty(&self) -> bool {
        !self.any
    }
}

/// The `post_update` relationship's column, if it is one.
fn post_update_column<M: Model>(r: &'static RelationDef<M>) -> Option<&'static usize> {
    r.post_update.then_some(&r.foreign_key)
}

impl<M: Model> IntoIterator for PostUpdateColumns<M> {
    type Item = &'static usize;
    type IntoIter = std::iter::FilterMap<
        std::slice::Iter<'static, RelationDef<M>>,
        fn(&'static RelationDef<M>) -> Option<&'static usize>,
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.table.iter().filter_map(post_update_column::<M>)
    }
}
