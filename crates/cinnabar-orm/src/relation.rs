//! Relationships between models: the field types [`HasMany`] (one-to-many) and
//! [`BelongsTo`] (many-to-one), the typed [`Relation`] constants the derive emits
//! (`Course::students`), and the flush-time key synchronisation.
//!
//! Field access never performs I/O: a relationship is either loaded (eagerly by a query
//! option such as [`selectin`](crate::selectin), or explicitly with
//! [`Session::load`](crate::Session::load)) or reading it is a `NotLoaded` error.

use std::marker::PhantomData;

use cinnabar_core::sql::{BinOp, ColumnRef, Condition, Expr, Select};
use cinnabar_core::{Error, ErrorKind, Result, Value, ValueRef};

use crate::handle::Handle;
use crate::model::Model;

fn not_loaded(what: &str) -> Error {
    Error::new(
        ErrorKind::Misuse,
        format!(
            "relationship {what} was not loaded; load it with the query option \
             selectin(..) or with session.load(..) before reading it"
        ),
    )
}

/// A one-to-many collection: the children whose foreign key points at this object.
pub struct HasMany<T: Model> {
    items: Option<Vec<Handle<T>>>,
}

impl<T: Model> HasMany<T> {
    /// A collection that has not been loaded.
    pub const fn not_loaded() -> Self {
        HasMany { items: None }
    }

    /// A loaded collection.
    pub fn loaded(items: Vec<Handle<T>>) -> Self {
        HasMany { items: Some(items) }
    }

    /// Whether the collection was loaded.
    pub fn is_loaded(&self) -> bool {
        self.items.is_some()
    }

    /// The children.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`] naming the relationship when it was not loaded.
    pub fn get(&self) -> Result<&[Handle<T>]> {
        self.items
            .as_deref()
            .ok_or_else(|| not_loaded(&format!("to many {}", T::model_name())))
    }

    /// Appends a child; at the next flush its foreign key is set to this object's key.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`] when the collection was not loaded (appending to an unknown
    /// collection would hide what is already there).
    pub fn push(&mut self, child: Handle<T>) -> Result<()> {
        match &mut self.items {
            Some(v) => {
                if !v.iter().any(|h| Handle::ptr_eq(h, &child)) {
                    v.push(child);
                }
                Ok(())
            }
            None => Err(not_loaded(&format!("to many {}", T::model_name()))),
        }
    }

    /// Removes a child; at the next flush its foreign key is set to NULL.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`] when the collection was not loaded.
    pub fn remove(&mut self, child: &Handle<T>) -> Result<bool> {
        match &mut self.items {
            Some(v) => {
                let before = v.len();
                v.retain(|h| !Handle::ptr_eq(h, child));
                Ok(v.len() != before)
            }
            None => Err(not_loaded(&format!("to many {}", T::model_name()))),
        }
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

impl<T: Model> Default for HasMany<T> {
    fn default() -> Self {
        HasMany::not_loaded()
    }
}

impl<T: Model> Clone for HasMany<T> {
    fn clone(&self) -> Self {
        HasMany {
            items: self.items.clone(),
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

/// A many-to-one reference: the parent this object's foreign key points at.
pub struct BelongsTo<T: Model> {
    target: Option<Option<Handle<T>>>,
}

impl<T: Model> BelongsTo<T> {
    /// A reference that has not been loaded.
    pub const fn not_loaded() -> Self {
        BelongsTo { target: None }
    }

    /// A loaded reference (`None`: the foreign key is NULL).
    pub fn loaded(target: Option<Handle<T>>) -> Self {
        BelongsTo {
            target: Some(target),
        }
    }

    /// Whether the reference was loaded (or set).
    pub fn is_loaded(&self) -> bool {
        self.target.is_some()
    }

    /// The parent, if the foreign key is not NULL.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`] naming the relationship when it was not loaded.
    pub fn get(&self) -> Result<Option<&Handle<T>>> {
        match &self.target {
            Some(t) => Ok(t.as_ref()),
            None => Err(not_loaded(&format!("to {}", T::model_name()))),
        }
    }

    /// Points this object at `parent`; at the next flush its foreign key takes the parent's
    /// key (after the parent is inserted, if it is new).
    pub fn set(&mut self, parent: Option<Handle<T>>) {
        self.target = Some(parent);
    }
}

impl<T: Model> Default for BelongsTo<T> {
    fn default() -> Self {
        BelongsTo::not_loaded()
    }
}

impl<T: Model> Clone for BelongsTo<T> {
    fn clone(&self) -> Self {
        BelongsTo {
            target: self.target.clone(),
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

/// The inverse side of a one-to-one relationship: the one object whose (unique) foreign key
/// points at this one. Same API as [`BelongsTo`]; the flush writes the key into the
/// related object instead.
pub type HasOne<T> = BelongsTo<T>;

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
pub struct Relation<M, R: Model> {
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
    #[doc(hidden)]
    pub _marker: PhantomData<fn() -> (M, R)>,
}

impl<M, R: Model> Clone for Relation<M, R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M, R: Model> Copy for Relation<M, R> {}

impl<M: Model, R: Model> Relation<M, R> {
    /// `Model::name` for messages.
    pub fn describe(&self) -> String {
        format!("{}.{}", M::model_name(), self.name)
    }

    /// The join condition between `M` (as `from`) and `R` (as `to`): the foreign key equals
    /// the referenced key.
    pub fn join_condition(&self, from: &str, to: &str) -> Expr {
        let (from, to) = (from.to_owned(), to.to_owned());
        let (fk, key) = match self.kind {
            RelationKind::OneToMany | RelationKind::OneToOne => (
                ColumnRef::qualified(to, R::COLUMNS[self.foreign_key]),
                ColumnRef::qualified(from, M::COLUMNS[self.referenced_key]),
            ),
            RelationKind::ManyToOne => (
                ColumnRef::qualified(from, M::COLUMNS[self.foreign_key]),
                ColumnRef::qualified(to, R::COLUMNS[self.referenced_key]),
            ),
            RelationKind::ManyToMany => {
                // Joins the association table as `to`; the related table needs a second join.
                return match self.through {
                    Some(t) => Expr::Column(ColumnRef::qualified(to, (t.columns)()[t.local]))
                        .binary(
                            BinOp::Eq,
                            Expr::Column(ColumnRef::qualified(
                                from,
                                M::COLUMNS[self.referenced_key],
                            )),
                        ),
                    None => {
                        Expr::Invalid("many-to-many relationship without an association".into())
                    }
                };
            }
        };
        Expr::Column(fk).binary(BinOp::Eq, Expr::Column(key))
    }

    /// The second join of a many-to-many relationship: the related table `to` on the
    /// association table `assoc`.
    pub fn through_join_condition(&self, assoc: &str, to: &str) -> Expr {
        match self.through {
            Some(t) => Expr::Column(ColumnRef::qualified(
                to.to_owned(),
                R::COLUMNS[self.foreign_key],
            ))
            .binary(
                BinOp::Eq,
                Expr::Column(ColumnRef::qualified(
                    assoc.to_owned(),
                    (t.columns)()[t.remote],
                )),
            ),
            None => Expr::Invalid("not a many-to-many relationship".into()),
        }
    }

    /// `M`'s key (or foreign key) `IN` the keys of related rows matching `cond`. Written with
    /// IN rather than a correlated EXISTS so a model related to itself needs no alias.
    fn exists(&self, cond: Option<Expr>) -> Condition {
        let from = M::table().name.as_str();
        let to = R::table().name.as_str();
        let col = |table: &str, name: &'static str| {
            Expr::Column(ColumnRef::qualified(table.to_owned(), name))
        };
        let related = |column: &'static str, cond: Option<Expr>| {
            let mut sub = Select::from(to).column(col(to, column));
            sub.add_filter(Expr::IsNull {
                expr: Box::new(col(to, column)),
                negated: true,
            });
            if let Some(c) = cond {
                sub.add_filter(c);
            }
            sub
        };
        let expr = match (self.kind, self.through) {
            (RelationKind::OneToMany | RelationKind::OneToOne, _) => Expr::InSelect {
                expr: Box::new(col(from, M::COLUMNS[self.referenced_key])),
                select: Box::new(related(R::COLUMNS[self.foreign_key], cond)),
                negated: false,
            },
            (RelationKind::ManyToOne, _) => Expr::InSelect {
                expr: Box::new(col(from, M::COLUMNS[self.foreign_key])),
                select: Box::new(related(R::COLUMNS[self.referenced_key], cond)),
                negated: false,
            },
            (RelationKind::ManyToMany, Some(t)) => {
                let assoc = (t.table)().name.as_str();
                let cols = (t.columns)();
                let mut sub = Select::from(assoc).column(col(assoc, cols[t.local]));
                sub.add_filter(Expr::InSelect {
                    expr: Box::new(col(assoc, cols[t.remote])),
                    select: Box::new(related(R::COLUMNS[self.foreign_key], cond)),
                    negated: false,
                });
                Expr::InSelect {
                    expr: Box::new(col(from, M::COLUMNS[self.referenced_key])),
                    select: Box::new(sub),
                    negated: false,
                }
            }
            (RelationKind::ManyToMany, None) => {
                Expr::Invalid("many-to-many relationship without an association".into())
            }
        };
        Condition::from_expr(expr)
    }

    /// `EXISTS` a related object matching `cond` (SQLAlchemy's `any()` on a collection):
    /// `Course::students.any(Student::name.eq("Naresh"))`.
    pub fn any(&self, cond: Condition) -> Condition {
        self.exists(Some(cond.into_inner()))
    }

    /// `EXISTS` a related object at all.
    pub fn exists_any(&self) -> Condition {
        self.exists(None)
    }

    /// The related parent matches `cond` (SQLAlchemy's `has()` on a reference):
    /// `Student::course.has(Course::title.eq("Python"))`.
    pub fn has(&self, cond: Condition) -> Condition {
        self.exists(Some(cond.into_inner()))
    }
}

/// A hashable form of a key value, for grouping loaded children by foreign key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum KeyHash {
    Null,
    Int(i64),
    Text(String),
    Other(String),
}

impl KeyHash {
    pub(crate) fn of(v: ValueRef<'_>) -> KeyHash {
        match v {
            ValueRef::Null => KeyHash::Null,
            ValueRef::Int(i) => KeyHash::Int(i),
            ValueRef::Bool(b) => KeyHash::Int(i64::from(b)),
            ValueRef::Text(s) => KeyHash::Text(s.to_owned()),
            other => KeyHash::Other(format!("{other:?}")),
        }
    }
}

/// Copies `parent`'s key into this object's foreign-key column; called by the flush before
/// the object is inserted or updated. A `BelongsTo` that was never set leaves the column alone.
/// Returns `false` when the parent is new and has no key yet (insert it first).
#[doc(hidden)]
pub fn pull_parent_key<C: Model, P: Model>(
    child: &mut C,
    reference: &BelongsTo<P>,
    foreign_key: usize,
    referenced_key: usize,
) -> Result<bool> {
    let Some(target) = &reference.target else {
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
                    return Ok(false);
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

/// Sets each child's foreign key to `parent_key` and, for children removed since
/// `before`, to NULL; called by the flush after the parent is inserted or changed.
#[doc(hidden)]
pub fn push_key_to_children<C: Model>(
    current: &HasMany<C>,
    before: Option<&HasMany<C>>,
    parent_key: ValueRef<'_>,
    foreign_key: usize,
    delete_orphan: bool,
) -> Result<()> {
    if let Some(items) = &current.items {
        for child in items {
            child.set_column_tracked(foreign_key, parent_key)?;
        }
    }
    if let Some(old) = before.and_then(|b| b.items.as_ref()) {
        for child in old {
            let still = current
                .items
                .as_ref()
                .is_some_and(|v| v.iter().any(|h| Handle::ptr_eq(h, child)));
            if !still {
                if delete_orphan {
                    child.mark_orphan();
                } else {
                    child.set_column_tracked(foreign_key, ValueRef::Null)?;
                }
            }
        }
    }
    Ok(())
}

/// Writes the association rows a many-to-many collection gained or lost since `before`
/// (all of it when `before` is `None`: a new owner); called by the flush after every INSERT.
#[doc(hidden)]
pub fn sync_association<M: Model, R: Model>(
    conn: &mut cinnabar_engine::Connection,
    current: &HasMany<R>,
    before: Option<&HasMany<R>>,
    owner_key: ValueRef<'_>,
    relation: Relation<M, R>,
) -> Result<()> {
    let Some(t) = relation.through else {
        return Ok(());
    };
    let table = (t.table)().name.as_str();
    let cols = (t.columns)();
    let contains = |list: Option<&Vec<Handle<R>>>, h: &Handle<R>| {
        list.is_some_and(|v| v.iter().any(|x| Handle::ptr_eq(x, h)))
    };
    let old = before.and_then(|b| b.items.as_ref());
    let key_of = |h: &Handle<R>| -> Result<Value> {
        let v = h
            .read()
            .column_value(relation.foreign_key)?
            .to_owned_value();
        if v.is_null() {
            return Err(Error::misuse(format!(
                "a {} in {} has no key: add it to the session",
                R::model_name(),
                relation.describe()
            )));
        }
        Ok(v)
    };
    if let Some(items) = &current.items {
        for h in items.iter().filter(|h| !contains(old, h)) {
            let ins = cinnabar_core::sql::Insert::into(table)
                .columns([cols[t.local], cols[t.remote]])
                .values([owner_key.to_owned_value(), key_of(h)?]);
            conn.execute(ins)?;
        }
    }
    if let Some(old) = old {
        for h in old.iter().filter(|h| !contains(current.items.as_ref(), h)) {
            let del = cinnabar_core::sql::Delete::from(table)
                .filter(
                    Expr::Column(ColumnRef::bare(cols[t.local]))
                        .binary(BinOp::Eq, Expr::Value(owner_key.to_owned_value())),
                )
                .filter(
                    Expr::Column(ColumnRef::bare(cols[t.remote]))
                        .binary(BinOp::Eq, Expr::Value(key_of(h)?)),
                );
            conn.execute(del)?;
        }
    }
    Ok(())
}

/// Deletes the association rows of an owner about to be deleted.
#[doc(hidden)]
pub fn delete_associations<M: Model, R: Model>(
    conn: &mut cinnabar_engine::Connection,
    owner_key: ValueRef<'_>,
    relation: Relation<M, R>,
) -> Result<()> {
    let Some(t) = relation.through else {
        return Ok(());
    };
    let del = cinnabar_core::sql::Delete::from((t.table)().name.as_str()).filter(
        Expr::Column(ColumnRef::bare((t.columns)()[t.local]))
            .binary(BinOp::Eq, Expr::Value(owner_key.to_owned_value())),
    );
    conn.execute(del)?;
    Ok(())
}

/// The one-to-one form of [`push_key_to_children`]: the related object takes this object's
/// key; one replaced since `before` gets NULL.
#[doc(hidden)]
pub fn push_key_to_child<C: Model>(
    current: &HasOne<C>,
    before: Option<&HasOne<C>>,
    parent_key: ValueRef<'_>,
    foreign_key: usize,
) -> Result<()> {
    let now = current.target.as_ref().and_then(Option::as_ref);
    if let Some(child) = now {
        child.set_column_tracked(foreign_key, parent_key)?;
    }
    if let Some(Some(old)) = before.and_then(|b| b.target.as_ref()) {
        if !now.is_some_and(|n| Handle::ptr_eq(n, old)) {
            old.set_column_tracked(foreign_key, ValueRef::Null)?;
        }
    }
    Ok(())
}
