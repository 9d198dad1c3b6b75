//! Relationships between models: the field types [`HasMany`] (one-to-many) and
//! [`BelongsTo`] (many-to-one), the typed [`Relation`] constants the derive emits
//! (`Course::students`), and the flush-time key synchronisation.
//!
//! Field access never performs I/O: a relationship is either loaded (eagerly by a query
//! option such as [`selectin`](crate::selectin), or explicitly with
//! [`Session::load`](crate::Session::load)) or reading it is a `NotLoaded` error.

use std::any::Any;
use std::marker::PhantomData;
use std::sync::Weak;

use cinnabar_core::sql::{BinOp, ColumnRef, Condition, Expr, Select};
use cinnabar_core::{Error, ErrorKind, Result, Value, ValueRef};

use crate::handle::{Handle, Obj, ObjectState};
use crate::model::Model;

/// The object a relationship field belongs to, handed to the field when the session's
/// handle of that object is written to, so that changing the field can update the other
/// side (`back_populates`).
#[doc(hidden)]
#[derive(Clone)]
pub struct Owner(pub(crate) Weak<dyn Any + Send + Sync>);

/// A change to one side of a relationship that the other side must follow.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The related object was added (appended, or set as the reference).
    Added,
    /// The related object was removed (or the reference replaced or cleared).
    Removed,
    /// Nothing changes: fails as `Added` would if an object it must change is borrowed.
    ProbeAdded,
    /// Nothing changes: fails as `Removed` would if the object is borrowed.
    ProbeRemoved,
}

/// Applies an [`Event`] of the owner's field to the related object's inverse field.
#[doc(hidden)]
pub type BackFn<T> = fn(&Owner, &Handle<T>, Event) -> Result<()>;

/// A field's owner and how to update the inverse side; not cloned with the field, so a
/// copy of an object (`handle.get()`, a baseline) never updates anything.
struct Link<T: Model> {
    owner: Owner,
    apply: BackFn<T>,
}

fn bind_link<T: Model>(link: &mut Option<Link<T>>, owner: &Owner, apply: BackFn<T>) {
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

fn emit<T: Model>(link: &Option<Link<T>>, target: &Handle<T>, event: Event) -> Result<()> {
    match link {
        Some(l) => (l.apply)(&l.owner, target, event),
        None => Ok(()),
    }
}

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

    #[doc(hidden)]
    pub fn bind(&mut self, owner: &Owner, apply: BackFn<T>) {
        bind_link(&mut self.link, owner, apply);
    }

    /// Tells the other side of each child that it belongs here (a new object's initial
    /// collection).
    #[doc(hidden)]
    pub fn announce(&self) -> Result<()> {
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
    /// [`ErrorKind::Misuse`] naming the relationship when it was not loaded.
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
    /// [`ErrorKind::Misuse`] when the collection was not loaded (appending to an unknown
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
    /// [`ErrorKind::Misuse`] when the collection was not loaded, or when `back_populates`
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

/// A many-to-one reference: the parent this object's foreign key points at.
pub struct BelongsTo<T: Model> {
    target: Option<Option<Handle<T>>>,
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

    #[doc(hidden)]
    pub fn bind(&mut self, owner: &Owner, apply: BackFn<T>) {
        bind_link(&mut self.link, owner, apply);
    }

    /// Tells the other side that it is referenced (a new object's initial reference).
    #[doc(hidden)]
    pub fn announce(&self) -> Result<()> {
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
    /// [`ErrorKind::Misuse`] naming the relationship when it was not loaded.
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
    /// [`ErrorKind::Misuse`] when `back_populates` must change a parent that is borrowed
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

/// A hashable form of a key value, for grouping loaded children by foreign key. It borrows
/// the value (no copy per row); integers and booleans compare as integers.
#[derive(Debug, Clone)]
pub(crate) enum KeyHash<'a> {
    Null,
    Int(i64),
    Text(&'a str),
    /// A typed value (UUID, date, decimal) in the text form databases that lack its type
    /// store: equal to the same [`KeyHash::Text`], so a parent's typed key finds children whose
    /// foreign key came back from the row as text.
    TextForm(String),
    Blob(&'a [u8]),
    Other(ValueRef<'a>),
}

impl<'a> KeyHash<'a> {
    pub(crate) fn of(v: ValueRef<'a>) -> KeyHash<'a> {
        match v {
            ValueRef::Null => KeyHash::Null,
            ValueRef::Int(i) => KeyHash::Int(i),
            ValueRef::Bool(b) => KeyHash::Int(i64::from(b)),
            ValueRef::Text(s) => KeyHash::Text(s),
            ValueRef::Blob(b) => KeyHash::Blob(b),
            other => match other.text_form() {
                Some(t) => KeyHash::TextForm(t),
                None => KeyHash::Other(other),
            },
        }
    }
}

impl PartialEq for KeyHash<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (KeyHash::Null, KeyHash::Null) => true,
            (KeyHash::Int(a), KeyHash::Int(b)) => a == b,
            (KeyHash::Text(a), KeyHash::Text(b)) => a == b,
            (KeyHash::TextForm(a), KeyHash::TextForm(b)) => a == b,
            (KeyHash::Text(a), KeyHash::TextForm(b)) | (KeyHash::TextForm(b), KeyHash::Text(a)) => {
                *a == b.as_str()
            }
            (KeyHash::Blob(a), KeyHash::Blob(b)) => a == b,
            (KeyHash::Other(a), KeyHash::Other(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for KeyHash<'_> {}

impl std::hash::Hash for KeyHash<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        /// Feeds formatted text to the hasher without building a string.
        struct Feed<'h, H>(&'h mut H);
        impl<H: std::hash::Hasher> std::fmt::Write for Feed<'_, H> {
            fn write_str(&mut self, s: &str) -> std::fmt::Result {
                self.0.write(s.as_bytes());
                Ok(())
            }
        }
        // Text and TextForm are equal when their text is: they hash alike.
        let tag: u8 = match self {
            KeyHash::Null => 0,
            KeyHash::Int(_) => 1,
            KeyHash::Text(_) | KeyHash::TextForm(_) => 2,
            KeyHash::Blob(_) => 3,
            KeyHash::Other(_) => 4,
        };
        tag.hash(state);
        match self {
            KeyHash::Null => {}
            KeyHash::Int(i) => i.hash(state),
            KeyHash::Text(s) => s.hash(state),
            KeyHash::TextForm(s) => s.as_str().hash(state),
            KeyHash::Blob(b) => b.hash(state),
            // Equal values print alike (0.0 and -0.0, equal as floats, hash alike too).
            KeyHash::Other(ValueRef::Real(f)) => (f + 0.0).to_bits().hash(state),
            KeyHash::Other(v) => {
                let _ = std::fmt::Write::write_fmt(&mut Feed(state), format_args!("{v:?}"));
            }
        }
    }
}

/// Copies `parent`'s key into this object's foreign-key column; called by the flush before
/// the object is inserted or updated. A `BelongsTo` that was never set leaves the column alone.
/// Returns `false` when the parent is new and has no key yet (insert it first), unless the
/// relationship is `post_update`: then the column is written by an UPDATE after the INSERTs.
#[doc(hidden)]
pub fn pull_parent_key<C: Model, P: Model>(
    child: &mut C,
    reference: &BelongsTo<P>,
    relation: Relation<C, P>,
) -> Result<bool> {
    let (foreign_key, referenced_key) = (relation.foreign_key, relation.referenced_key);
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
#[doc(hidden)]
pub fn post_update_pending<C: Model, P: Model>(
    child: &C,
    reference: &BelongsTo<P>,
    relation: Relation<C, P>,
) -> Result<bool> {
    let Some(parent) = reference.current() else {
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
#[doc(hidden)]
pub fn push_key_to_children<C: Model>(
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

/// The association rows one flush has written or deleted, so that the two sides of a
/// many-to-many relationship declared with `back_populates`, which both change, write each
/// row once.
#[doc(hidden)]
#[derive(Default)]
pub struct AssociationLog(rustc_hash::FxHashSet<AssociationRow>);

/// Insert or delete, the association table, and its two (column, value) pairs in column
/// order.
type AssociationRow = (bool, &'static str, [(&'static str, String); 2]);

impl AssociationLog {
    /// `true` the first time this flush writes (`insert`) or deletes this row.
    fn first(
        &mut self,
        insert: bool,
        table: &'static str,
        a: (&'static str, &Value),
        b: (&'static str, &Value),
    ) -> bool {
        let mut pair = [(a.0, format!("{:?}", a.1)), (b.0, format!("{:?}", b.1))];
        pair.sort();
        self.0.insert((insert, table, pair))
    }
}

/// Writes the association rows a many-to-many collection gained or lost since `before`
/// (all of it when `before` is `None`: a new owner); called by the flush after every INSERT.
#[doc(hidden)]
pub fn sync_association<M: Model, R: Model>(
    conn: &mut cinnabar_engine::Connection,
    log: &mut AssociationLog,
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
            .read_now()?
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
    let owner = owner_key.to_owned_value();
    if let Some(items) = &current.items {
        for h in items.iter().filter(|h| !contains(old, h)) {
            let other = key_of(h)?;
            if !log.first(
                true,
                table,
                (cols[t.local], &owner),
                (cols[t.remote], &other),
            ) {
                continue;
            }
            let ins = cinnabar_core::sql::Insert::into(table)
                .columns([cols[t.local], cols[t.remote]])
                .values([owner.clone(), other]);
            conn.execute(ins)?;
        }
    }
    if let Some(old) = old {
        for h in old.iter().filter(|h| !contains(current.items.as_ref(), h)) {
            let other = key_of(h)?;
            if !log.first(
                false,
                table,
                (cols[t.local], &owner),
                (cols[t.remote], &other),
            ) {
                continue;
            }
            let del = cinnabar_core::sql::Delete::from(table)
                .filter(
                    Expr::Column(ColumnRef::bare(cols[t.local]))
                        .binary(BinOp::Eq, Expr::Value(owner_key.to_owned_value())),
                )
                .filter(
                    Expr::Column(ColumnRef::bare(cols[t.remote]))
                        .binary(BinOp::Eq, Expr::Value(other)),
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
/// key; one replaced since `before` gets NULL (unless it moved to another object).
#[doc(hidden)]
pub fn push_key_to_child<C: Model>(
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
#[doc(hidden)]
pub fn back_populate<C: Model, P: Model>(
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

/// Adds to `session` the new objects ([`Handle::new`]) this collection holds
/// (SQLAlchemy's save-update cascade).
#[doc(hidden)]
pub fn cascade_save_many<T: Model>(field: &HasMany<T>, session: &mut crate::Session) -> Result<()> {
    if let Some(items) = field.items() {
        for h in items {
            if h.state() == ObjectState::Transient {
                session.add_handle(h)?;
            }
        }
    }
    Ok(())
}

/// As [`cascade_save_many`], for a reference.
#[doc(hidden)]
pub fn cascade_save_one<T: Model>(
    field: &BelongsTo<T>,
    session: &mut crate::Session,
) -> Result<()> {
    if let Some(h) = field.current() {
        if h.state() == ObjectState::Transient {
            session.add_handle(h)?;
        }
    }
    Ok(())
}
