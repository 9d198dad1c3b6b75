//! What a relationship is: [`RelationKind`], the association model of a many-to-many
//! ([`Through`]), and the typed [`Relation`] constants the derive emits (`Course::students`).

use std::marker::PhantomData;

use super::belongs_to::BelongsTo;
use super::has_many::HasMany;
use crate::model::Model;

/// Which side holds the foreign key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationKind {
    /// `P::field: HasMany<C>`: `C`'s foreign-key column points at `P`'s key.
    OneToMany,
    /// `C::field: BelongsTo<P>`: `C`'s own foreign-key column points at `P`'s key.
    ManyToOne,
    /// `M::field: HasMany<R>` through an association model whose two foreign keys point at
    /// `M` and `R`.
    ManyToMany,
    /// `P::field: HasOne<C>`: the inverse of a one-to-one `BelongsTo`, `C`'s unique foreign
    /// key points at `P`'s key.
    OneToOne,
}

/// The association model of a many-to-many relationship.
#[derive(Clone, Copy)]
pub struct Through {
    /// The association table.
    pub table: fn() -> &'static cinnabar_core::schema::Table,
    /// Its column names, in table order.
    pub columns: fn() -> &'static [&'static str],
    /// Position of the column pointing at the owning model.
    pub local: usize,
    /// Position of the column pointing at the related model.
    pub remote: usize,
}

/// A typed relationship of model `M` to model `R`, emitted by the derive as an associated
/// constant (`Course::students`). Used as a query option and for explicit loading.
pub struct Relation<M: Model, R: Model> {
    /// The relationship's field name.
    pub name: &'static str,
    /// Which side holds the foreign key.
    pub kind: RelationKind,
    /// For one-to-many: the child's foreign-key column (in `R`). For many-to-one: this
    /// model's foreign-key column (in `M`). For many-to-many: `R`'s key column.
    pub foreign_key: usize,
    /// The referenced key column: `M`'s for one-to-many, `R`'s for many-to-one.
    pub referenced_key: usize,
    /// Reads the field of a one-to-many relationship.
    pub many: Option<fn(&M) -> &HasMany<R>>,
    /// Writes the field of a one-to-many relationship.
    pub many_mut: Option<fn(&mut M) -> &mut HasMany<R>>,
    /// Reads the field of a many-to-one relationship.
    pub one: Option<fn(&M) -> &BelongsTo<R>>,
    /// Writes the field of a many-to-one relationship.
    pub one_mut: Option<fn(&mut M) -> &mut BelongsTo<R>>,
    /// Deleting the parent deletes its children (`cascade = "delete"`).
    pub cascade_delete: bool,
    /// A child removed from the collection is deleted (`cascade = "delete-orphan"`).
    pub delete_orphan: bool,
    /// The database deletes the children (ON DELETE CASCADE): unloaded children are not
    /// loaded to be deleted (`passive_deletes`).
    pub passive_deletes: bool,
    /// The association model of a many-to-many relationship.
    pub through: Option<Through>,
    /// A many-to-one whose foreign key is written by an UPDATE after the INSERTs (and set to
    /// NULL before DELETEs), so it may close a cycle between tables (`post_update`).
    pub post_update: bool,
    /// The relationship of `R` back to `M` named by `back_populates`.
    pub back_populates: Option<fn() -> Relation<R, M>>,
    #[doc(hidden)]
    pub _marker: PhantomData<fn() -> (M, R)>,
}

impl<M: Model, R: Model> Clone for Relation<M, R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M: Model, R: Model> Copy for Relation<M, R> {}

impl<M: Model, R: Model> Relation<M, R> {
    /// `Model::name` for messages.
    pub fn describe(&self) -> String {
        format!("{}.{}", M::model_name(), self.name)
    }
}
