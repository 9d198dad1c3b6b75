//! The relationship table the derive emits (`Model::RELATIONS`): one [`RelationDef`] per
//! relationship field, holding the plain data the flush filters on and the relationship's
//! own operations ([`RelationOps`], implemented once, generically, for every
//! `Relation<M, R>`). `hooks.rs` interprets the table for a whole model.

use cinnabar_core::Result;
use cinnabar_engine::Connection;

use super::associations::{self, AssociationLog};
use super::back_populates::Owner;
use super::cascade::{cascade_save_many, cascade_save_one};
use super::keys;
use super::meta::{Relation, RelationKind};
use crate::handle::Handle;
use crate::loading::cascade_children;
use crate::model::Model;
use crate::session::Session;

/// One relationship of model `M` in its table: what the flush decides on without a call
/// (the kind and the flags, copied from the [`Relation`] when the table is built, at
/// compile time), and the relationship itself, for the work.
#[doc(hidden)]
pub struct RelationDef<M: Model> {
    pub(crate) kind: RelationKind,
    /// The foreign-key column (of `M` for a many-to-one).
    pub(crate) foreign_key: usize,
    /// `cascade = "delete"`.
    pub(crate) cascade_delete: bool,
    /// `post_update`.
    pub(crate) post_update: bool,
    /// `back_populates = ..` is declared.
    pub(crate) back_populates: bool,
    pub(crate) ops: &'static dyn RelationOps<M>,
}

impl<M: Model> RelationDef<M> {
    /// The table entry of `relation`: `RelationDef::new(&Course::students)`.
    pub const fn new<R: Model>(relation: &'static Relation<M, R>) -> Self {
        RelationDef {
            kind: relation.kind,
            foreign_key: relation.foreign_key,
            cascade_delete: relation.cascade_delete,
            post_update: relation.post_update,
            back_populates: relation.back_populates.is_some(),
            ops: relation,
        }
    }
}

/// What one relationship of `M` does at flush, at load and when its field changes, with the
/// related model erased. Each method does the work of one relationship; the caller
/// (`hooks.rs`) picks the relationships it applies to from the [`RelationDef`] data, and a
/// method called on a relationship of another kind does nothing.
pub(crate) trait RelationOps<M: Model> {
    /// Many-to-one: copies the parent's key into `child`'s foreign key (see
    /// [`keys::pull_parent_key`]); `false` while the parent has no key.
    fn pull_parent_key(&self, child: &mut M) -> Result<bool>;

    /// One-to-many and one-to-one: pushes `parent`'s key into the related objects, or NULL
    /// into the ones removed since `before` (`removals`).
    fn push_key(&self, parent: &M, before: Option<&M>, removals: bool) -> Result<()>;

    /// `post_update`: whether the foreign key still has to be written by an UPDATE.
    fn post_update_pending(&self, child: &M) -> Result<bool>;

    /// `back_populates`: hands the field `object`'s owner, so that changing it updates the
    /// other side.
    fn bind(&'static self, object: &mut M, owner: &Owner);

    /// `back_populates`: tells the other side about a new object's initial field.
    fn announce(&self, object: &M) -> Result<()>;

    /// Adds the new objects the field holds to `session` (save-update cascade).
    fn cascade_save(&self, object: &M, session: &mut Session) -> Result<()>;

    /// `cascade = "delete"`: deletes `object`'s children in `session`.
    fn cascade_delete(&self, session: &mut Session, object: &Handle<M>) -> Result<()>;

    /// Many-to-many: writes the association rows changed since `before`.
    fn sync_association(
        &self,
        owner: &M,
        before: Option<&M>,
        conn: &mut Connection,
        log: &mut AssociationLog,
    ) -> Result<()>;

    /// Many-to-many: deletes `owner`'s association rows.
    fn delete_associations(&self, owner: &M, conn: &mut Connection) -> Result<()>;
}

impl<M: Model, R: Model> RelationOps<M> for Relation<M, R> {
    fn pull_parent_key(&self, child: &mut M) -> Result<bool> {
        if self.kind != RelationKind::ManyToOne {
            return Ok(true);
        }
        keys::pull_parent_key(child, *self)
    }

    fn push_key(&self, parent: &M, before: Option<&M>, removals: bool) -> Result<()> {
        match (self.kind, self.many, self.one) {
            (RelationKind::OneToMany, Some(many), _) => {
                let key = parent.column_value(self.referenced_key)?;
                keys::push_key_to_children(
                    many(parent),
                    before.map(many),
                    key,
                    self.foreign_key,
                    self.delete_orphan,
                    removals,
                )
            }
            (RelationKind::OneToOne, _, Some(one)) => {
                let key = parent.column_value(self.referenced_key)?;
                keys::push_key_to_child(
                    one(parent),
                    before.map(one),
                    key,
                    self.foreign_key,
                    removals,
                )
            }
            _ => Ok(()),
        }
    }

    fn post_update_pending(&self, child: &M) -> Result<bool> {
        if !self.post_update {
            return Ok(false);
        }
        keys::post_update_pending(child, *self)
    }

    fn bind(&'static self, object: &mut M, owner: &Owner) {
        if self.back_populates.is_none() {
            return;
        }
        if let Some(many) = self.many_mut {
            many(object).bind(owner, self);
        } else if let Some(one) = self.one_mut {
            one(object).bind(owner, self);
        }
    }

    fn announce(&self, object: &M) -> Result<()> {
        if self.back_populates.is_none() {
            return Ok(());
        }
        match (self.many, self.one) {
            (Some(many), _) => many(object).announce(),
            (None, Some(one)) => one(object).announce(),
            (None, None) => Ok(()),
        }
    }

    fn cascade_save(&self, object: &M, session: &mut Session) -> Result<()> {
        match (self.many, self.one) {
            (Some(many), _) => cascade_save_many(many(object), session),
            (None, Some(one)) => cascade_save_one(one(object), session),
            (None, None) => Ok(()),
        }
    }

    fn cascade_delete(&self, session: &mut Session, object: &Handle<M>) -> Result<()> {
        if self.kind != RelationKind::OneToMany || !self.cascade_delete {
            return Ok(());
        }
        for child in cascade_children(session, object, *self)? {
            session.delete(&child)?;
        }
        Ok(())
    }

    fn sync_association(
        &self,
        owner: &M,
        before: Option<&M>,
        conn: &mut Connection,
        log: &mut AssociationLog,
    ) -> Result<()> {
        let (RelationKind::ManyToMany, Some(many)) = (self.kind, self.many) else {
            return Ok(());
        };
        let key = owner.column_value(self.referenced_key)?;
        associations::sync_association(conn, log, many(owner), before.map(many), key, *self)
    }

    fn delete_associations(&self, owner: &M, conn: &mut Connection) -> Result<()> {
        if self.kind != RelationKind::ManyToMany {
            return Ok(());
        }
        let key = owner.column_value(self.referenced_key)?;
        associations::delete_associations(conn, key, *self)
    }
}
