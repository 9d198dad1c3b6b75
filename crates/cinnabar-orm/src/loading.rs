//! Loading relationships without surprises: the `selectin` strategy (one extra
//! `WHERE fk IN (...)` query per level, batched within the dialect's parameter limit), nested
//! with [`Selectin::then`], and explicit loading with [`Session::load`]. Loaded objects go
//! through the identity map like any query's.
//!
//! Nothing here runs when a field is read: reading an unloaded relationship is an error.

use cinnabar_core::sql::{
    ColumnRef, Expr, Join, JoinKind, Select, SelectItem, Statement, TableRef,
};
use std::any::{Any, TypeId};
use std::sync::Arc;

use cinnabar_core::{Error, Result, Value};
use cinnabar_engine::Row;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::handle::{Handle, Shared};
use crate::identity::Registry;
use crate::load::{load_rows, select_model, NewObjects};
use crate::model::Model;
use crate::relation::{BelongsTo, HasMany, KeyHash, Relation, RelationKind};
use crate::session::Session;

/// Loads one relationship of many `M` objects at once.
pub trait Loader<M: Model>: Send + Sync {
    /// Loads the relationship for `parents`.
    ///
    /// # Errors
    /// Database and conversion errors.
    fn load(&self, session: &mut Session, parents: &[Handle<M>]) -> Result<()>;

    /// For strategies that extend the parent query itself (joined loading).
    #[doc(hidden)]
    fn join_spec(&self) -> Option<&dyn JoinSpec<M>> {
        None
    }
}

/// A loading strategy that adds a LEFT OUTER JOIN and the related columns to the parent
/// query, then builds the related objects from those columns as the rows arrive.
#[doc(hidden)]
pub trait JoinSpec<M: Model>: Send + Sync {
    /// Adds the join (as alias `cinnabar_j{n}`) and the related model's columns.
    fn extend(&self, select: &mut Select, n: usize);
    /// As [`JoinSpec::extend`], with the related table driving the join: `FROM related AS
    /// cinnabar_j{n} RIGHT OUTER JOIN parent ON ..` (the same rows; see
    /// `Dialect::eager_join_from_children`). Returns `false`, changing nothing, when the
    /// relationship does not suit it (the foreign key is not on the related table).
    fn extend_from_children(&self, select: &mut Select, n: usize) -> bool {
        let _ = (select, n);
        false
    }
    /// How many columns [`JoinSpec::extend`] added.
    fn width(&self) -> usize;
    /// The `TypeId` of the session registry [`JoinSpec::row`] is handed.
    fn registry_type(&self) -> TypeId;
    /// Makes sure that registry exists and returns the state of one load. `dedup`: rows may
    /// repeat a (parent, related object) pair.
    fn start(&self, session: &mut Session, generation: u64, dedup: bool) -> Box<dyn Any + Send>;
    /// Builds the related object from the columns of `row` starting at `offset` (none when
    /// the outer join found no row) and files it under `parent`, the load's parent number
    /// `at` (parents are numbered 0, 1, .. in the order the rows first show them).
    ///
    /// # Errors
    /// Conversion errors naming the column.
    fn row(
        &self,
        state: &mut (dyn Any + Send),
        registry: &mut dyn Any,
        parent: (&Handle<M>, usize),
        row: &dyn Row,
        offset: usize,
    ) -> Result<()>;
    /// Files the objects the rows gave in the session and assigns them to each parent.
    fn finish(&self, state: Box<dyn Any + Send>, session: &mut Session);
}

/// The `joined` strategy: one LEFT OUTER JOIN in the parent query, de-duplicated (SQLAlchemy's
/// `joinedload`): `session.query::<Course>().options(joined(Course::students))`.
pub struct Joined<M: Model, R: Model> {
    relation: Relation<M, R>,
}

/// Loads `relation` in the same query as its parents, with a LEFT OUTER JOIN.
pub fn joined<M: Model, R: Model>(relation: Relation<M, R>) -> Joined<M, R> {
    Joined { relation }
}

impl<M: Model, R: Model> Loader<M> for Joined<M, R> {
    fn load(&self, session: &mut Session, parents: &[Handle<M>]) -> Result<()> {
        // Outside a query (explicit loading) the same objects load with one IN query.
        selectin(self.relation).load(session, parents)
    }

    fn join_spec(&self) -> Option<&dyn JoinSpec<M>> {
        // Many-to-many loads with selectin (a join through the association table would
        // multiply rows twice).
        (self.relation.kind != RelationKind::ManyToMany).then_some(self as &dyn JoinSpec<M>)
    }
}

impl<M: Model, R: Model> JoinSpec<M> for Joined<M, R> {
    fn extend(&self, select: &mut Select, n: usize) {
        let alias = format!("cinnabar_j{n}");
        let on = self
            .relation
            .join_condition(M::table().name.as_str(), &alias);
        for c in R::COLUMNS {
            select.columns.push(SelectItem {
                expr: Expr::Column(ColumnRef::qualified(alias.clone(), *c)),
                alias: None,
            });
        }
        select.joins.push(Join {
            kind: JoinKind::Left,
            table: TableRef::aliased(R::table().name.as_str(), alias),
            on,
        });
    }

    fn extend_from_children(&self, select: &mut Select, n: usize) -> bool {
        // A child finds its parent by the parent's key; a many-to-one load's "children" are
        // the parents' targets, found by their own key already.
        if !matches!(
            self.relation.kind,
            RelationKind::OneToMany | RelationKind::OneToOne
        ) {
            return false;
        }
        let Some(parent) = select.from.take() else {
            return false;
        };
        self.extend(select, n);
        // `extend` joined the children to the parent; turn the join around.
        let Some(join) = select.joins.pop() else {
            select.from = Some(parent);
            return false;
        };
        select.from = Some(join.table);
        select.joins.push(Join {
            kind: JoinKind::Right,
            table: parent,
            on: join.on,
        });
        true
    }

    fn width(&self) -> usize {
        R::COLUMNS.len()
    }

    fn registry_type(&self) -> TypeId {
        TypeId::of::<Registry<R>>()
    }

    fn start(&self, session: &mut Session, generation: u64, dedup: bool) -> Box<dyn Any + Send> {
        let reg = session.registry::<R>();
        let new = NewObjects::new(&reg.identity, generation, false);
        // Objects are held aside only while no other rows of the statement go into the
        // same map: not when the parent is the same model, nor beside another joined load.
        let new = if dedup || TypeId::of::<M>() == TypeId::of::<R>() {
            new.row_by_row()
        } else {
            new
        };
        Box::new(JoinState::<M, R> {
            shared: reg.shared.clone(),
            new,
            dedup,
            groups: Vec::new(),
            placed: FxHashSet::default(),
        })
    }

    fn row(
        &self,
        state: &mut (dyn Any + Send),
        registry: &mut dyn Any,
        (parent, at): (&Handle<M>, usize),
        row: &dyn Row,
        offset: usize,
    ) -> Result<()> {
        let st = state
            .downcast_mut::<JoinState<M, R>>()
            .ok_or_else(|| Error::misuse("joined load state type mismatch"))?;
        let reg = registry
            .downcast_mut::<Registry<R>>()
            .ok_or_else(|| Error::misuse("joined load registry type mismatch"))?;
        // A new parent is numbered next: its group is appended.
        match at.cmp(&st.groups.len()) {
            std::cmp::Ordering::Less => {}
            std::cmp::Ordering::Equal => st.groups.push((parent.clone(), Vec::new())),
            std::cmp::Ordering::Greater => {
                return Err(Error::misuse("joined load parents numbered out of order"))
            }
        }
        // The outer join found no related row when the related key is NULL.
        let no_row = |row: &dyn Row| -> Result<bool> {
            Ok(row.value(offset + R::PRIMARY_KEY[0])?.is_null())
        };
        let h = if st.new.batching() {
            // Every row is decoded whole anyway: decode first and look at the key only when
            // that fails or finds none (reading a column twice costs as much as decoding it).
            let obj = match R::from_row_at(row, offset) {
                Ok(obj) => obj,
                Err(_) if no_row(row)? => return Ok(()),
                Err(e) => return Err(e),
            };
            if obj.key().is_none() && no_row(row)? {
                return Ok(());
            }
            st.new
                .decoded(&mut reg.identity, &st.shared, obj, row, offset, |_| ())?
                .0
        } else {
            if no_row(row)? {
                return Ok(());
            }
            st.new
                .row_inspect(&mut reg.identity, &st.shared, row, offset, |_| ())?
                .0
        };
        if st.dedup && !st.placed.insert((at, Arc::as_ptr(&h.0) as usize)) {
            return Ok(());
        }
        st.groups[at].1.push(h);
        Ok(())
    }

    fn finish(&self, state: Box<dyn Any + Send>, session: &mut Session) {
        let Ok(mut st) = state.downcast::<JoinState<M, R>>() else {
            return;
        };
        st.new.file(&mut session.registry::<R>().identity);
        for (parent, items) in st.groups {
            fill_inverse(&self.relation, &parent, &items);
            match (self.relation.many_mut, self.relation.one_mut) {
                (Some(field), _) => set_many(&parent, field, items),
                (None, Some(field)) => {
                    let target = items.into_iter().next();
                    set_silently(&parent, |m| *field(m) = BelongsTo::loaded(target.clone()));
                }
                (None, None) => {}
            }
        }
    }
}

/// One joined load in progress: each parent (once, in first-seen order) with its objects.
struct JoinState<M: Model, R: Model> {
    shared: Arc<Shared<R>>,
    /// The related objects' filing (see [`NewObjects`]).
    new: NewObjects<R>,
    dedup: bool,
    groups: Vec<(Handle<M>, Vec<Handle<R>>)>,
    /// (parent number, object address) pairs already placed, when rows can repeat them.
    placed: FxHashSet<(usize, usize)>,
}

/// The `selectin` strategy for one relationship, with nested options for the related model.
pub struct Selectin<M: Model, R: Model> {
    relation: Relation<M, R>,
    nested: Vec<Box<dyn Loader<R>>>,
}

/// Loads `relation` for all objects of a query with one extra query per level
/// (SQLAlchemy's `selectinload`): `session.query::<Course>().options(selectin(Course::students))`.
pub fn selectin<M: Model, R: Model>(relation: Relation<M, R>) -> Selectin<M, R> {
    Selectin {
        relation,
        nested: Vec::new(),
    }
}

impl<M: Model, R: Model> Selectin<M, R> {
    /// Also loads a relationship of the related objects:
    /// `selectin(Course::students).then(selectin(Student::enrollments))`.
    pub fn then(mut self, nested: impl Loader<R> + 'static) -> Self {
        self.nested.push(Box::new(nested));
        self
    }
}

/// Sets a relationship field without marking the object changed (also in its baseline, so
/// the next flush sees no difference). An object with unflushed changes keeps what it has.
/// An object borrowed elsewhere (a guard alive in this thread would make a blocking lock
/// deadlock) is left as it is.
fn set_silently<M: Model>(h: &Handle<M>, set: impl Fn(&mut M)) {
    let Some(mut g) = h.slot().try_write() else {
        return;
    };
    if g.modified {
        return;
    }
    set(&mut g.value);
    if let Some(b) = g.baseline_mut() {
        set(b);
    }
}

/// Sets a collection to `items` as [`set_silently`] does, moving them in (only a baseline,
/// which is rare, gets a copy).
fn set_many<M: Model, R: Model>(
    h: &Handle<M>,
    field: fn(&mut M) -> &mut HasMany<R>,
    items: Vec<Handle<R>>,
) {
    let Some(mut g) = h.slot().try_write() else {
        return;
    };
    if g.modified {
        return;
    }
    if let Some(b) = g.baseline_mut() {
        *field(b) = HasMany::loaded(items.clone());
    }
    *field(&mut g.value) = HasMany::loaded(items);
}

/// With `back_populates`, the loaded children of a one-to-many or one-to-one relationship
/// get their reference back to `parent`, so reading it needs no second load (a reference
/// already loaded or changed is left alone). A many-to-one load fills no collection: the
/// parent's other children were not loaded.
fn fill_inverse<M: Model, R: Model>(
    rel: &Relation<M, R>,
    parent: &Handle<M>,
    children: &[Handle<R>],
) {
    if !matches!(rel.kind, RelationKind::OneToMany | RelationKind::OneToOne) {
        return;
    }
    let Some(field) = rel.back_populates.and_then(|back| back().one_mut) else {
        return;
    };
    for child in children {
        set_silently(child, |c| {
            let r = field(c);
            if !r.is_loaded() {
                *r = BelongsTo::loaded(Some(parent.clone()));
            }
        });
    }
}

fn chunk_size(session: &Session) -> usize {
    session
        .engine()
        .dialect()
        .max_bind_params()
        .saturating_sub(16)
        .clamp(1, 10_000)
}

/// The distinct non-null values of column `idx` over `objects`, in first-seen order.
fn distinct_values<T: Model>(objects: &[Handle<T>], idx: usize) -> Result<Vec<Value>> {
    let mut all = Vec::with_capacity(objects.len());
    for h in objects {
        let v = h.read_now()?.column_value(idx)?.to_owned_value();
        if !v.is_null() {
            all.push(v);
        }
    }
    let mut seen = FxHashSet::default();
    let keep: Vec<bool> = all
        .iter()
        .map(|v| seen.insert(KeyHash::of(v.as_ref())))
        .collect();
    drop(seen);
    Ok(all
        .into_iter()
        .zip(keep)
        .filter_map(|(v, k)| k.then_some(v))
        .collect())
}

impl<M: Model, R: Model> Loader<M> for Selectin<M, R> {
    fn load(&self, session: &mut Session, parents: &[Handle<M>]) -> Result<()> {
        let rel = &self.relation;
        let keep = !self.nested.is_empty();
        let to = R::table().name.as_str();
        let col = |table: &str, name: &'static str| {
            Expr::Column(ColumnRef::qualified(table.to_owned(), name))
        };
        // What to select, which column the parents' values are matched against, and where
        // in each row the value that groups it sits.
        let (keys, base, filter, group_at, parent_col) = match (rel.kind, rel.through) {
            (RelationKind::OneToMany | RelationKind::OneToOne, _) => (
                distinct_values(parents, rel.referenced_key)?,
                select_model::<R>(),
                col(to, R::COLUMNS[rel.foreign_key]),
                rel.foreign_key,
                rel.referenced_key,
            ),
            (RelationKind::ManyToOne, _) => (
                distinct_values(parents, rel.foreign_key)?,
                select_model::<R>(),
                col(to, R::COLUMNS[rel.referenced_key]),
                rel.referenced_key,
                rel.foreign_key,
            ),
            (RelationKind::ManyToMany, Some(t)) => {
                let assoc = (t.table)().name.as_str();
                let local = col(assoc, (t.columns)()[t.local]);
                let base = select_model::<R>().column(local.clone()).join(
                    JoinKind::Inner,
                    TableRef::new(assoc),
                    rel.through_join_condition(assoc, to),
                );
                (
                    distinct_values(parents, rel.referenced_key)?,
                    base,
                    local,
                    R::COLUMNS.len(),
                    rel.referenced_key,
                )
            }
            (RelationKind::ManyToMany, None) => return Ok(()),
        };
        let mut loaded = Vec::new();
        // Each key's position; rows are filed under the position of their grouping value.
        let mut index: FxHashMap<KeyHash<'_>, usize> = FxHashMap::default();
        index.reserve(keys.len());
        for (i, k) in keys.iter().enumerate() {
            index.insert(KeyHash::of(k.as_ref()), i);
        }
        let mut groups: Vec<Vec<Handle<R>>> = Vec::new();
        groups.resize_with(keys.len(), Vec::new);
        load_grouped::<R>(
            session,
            &keys,
            &base,
            &filter,
            group_at,
            &index,
            &mut groups,
            keep.then_some(&mut loaded),
        )?;
        assign_groups(parents, rel, parent_col, &index, &mut groups)?;
        for nested in &self.nested {
            nested.load(session, &loaded)?;
        }
        Ok(())
    }
}

/// Runs `base` with `filter IN (keys)` (chunked within the parameter limit) and files each
/// loaded object in `groups` at the position `index` gives the row value at `group_at`;
/// also collects them into `all` if given.
#[allow(clippy::too_many_arguments)]
fn load_grouped<R: Model>(
    session: &mut Session,
    keys: &[Value],
    base: &Select,
    filter: &Expr,
    group_at: usize,
    index: &FxHashMap<KeyHash<'_>, usize>,
    groups: &mut [Vec<Handle<R>>],
    mut all: Option<&mut Vec<Handle<R>>>,
) -> Result<()> {
    let n = chunk_size(session);
    for chunk in keys.chunks(n) {
        let mut sel = base.clone();
        sel.add_filter(Expr::InList {
            expr: Box::new(filter.clone()),
            list: chunk.iter().cloned().map(Expr::Value).collect(),
            negated: false,
        });
        // The grouping value is read from the object decoded from the row when it is one of
        // the model's columns (reading the row's column again costs as much as decoding it);
        // from the row when the row was not decoded whole or the value is not the model's.
        let own = group_at < R::COLUMNS.len();
        let group_of = |obj: &R| -> Option<Option<usize>> {
            if !own {
                return None;
            }
            let v = obj.column_value(group_at).ok()?;
            Some(index.get(&KeyHash::of(v)).copied())
        };
        load_rows::<R, _>(
            session,
            &Statement::Select(sel),
            group_of,
            |h, seen, row| {
                let at = match seen.flatten() {
                    Some(at) => at,
                    None => index.get(&KeyHash::of(row.value(group_at)?)).copied(),
                };
                if let Some(all) = all.as_deref_mut() {
                    all.push(h.clone());
                }
                if let Some(at) = at {
                    groups[at].push(h);
                }
                Ok(())
            },
        )?;
    }
    Ok(())
}

/// Gives each parent its group (by the parent's value at `parent_col`): the whole group to a
/// collection, its first object to a scalar relationship. Parents with unflushed changes keep
/// what they have; a parent listed twice is assigned once.
fn assign_groups<M: Model, R: Model>(
    parents: &[Handle<M>],
    rel: &Relation<M, R>,
    parent_col: usize,
    index: &FxHashMap<KeyHash<'_>, usize>,
    groups: &mut [Vec<Handle<R>>],
) -> Result<()> {
    let mut seen = FxHashSet::default();
    for p in parents {
        if !seen.insert(Arc::as_ptr(&p.0) as usize) {
            continue;
        }
        let at = index
            .get(&KeyHash::of(p.read_now()?.column_value(parent_col)?))
            .copied();
        match (rel.many_mut, rel.one_mut) {
            (Some(field), _) => {
                // Moved, not cloned: a second parent with the same key gets none.
                let items = at
                    .map(|i| std::mem::take(&mut groups[i]))
                    .unwrap_or_default();
                fill_inverse(rel, p, &items);
                set_many(p, field, items);
            }
            (None, Some(field)) => {
                // Several children may point at one parent (many-to-one): keep the group.
                let target = at.and_then(|i| groups[i].first()).cloned();
                fill_inverse(rel, p, target.as_slice());
                set_silently(p, |m| *field(m) = BelongsTo::loaded(target.clone()));
            }
            (None, None) => {}
        }
    }
    Ok(())
}

/// The children a cascading delete must delete: the loaded collection, loading it first
/// unless the relationship leaves unloaded children to the database (`passive_deletes`).
pub(crate) fn cascade_children<M: Model, R: Model>(
    session: &mut Session,
    parent: &Handle<M>,
    relation: Relation<M, R>,
) -> Result<Vec<Handle<R>>> {
    let Some(field) = relation.many else {
        return Ok(Vec::new());
    };
    let loaded = field(&*parent.read_now()?).is_loaded();
    if !loaded {
        if relation.passive_deletes {
            return Ok(Vec::new());
        }
        selectin(relation).load(session, std::slice::from_ref(parent))?;
    }
    let g = parent.read_now()?;
    Ok(field(&g).get().map(<[_]>::to_vec).unwrap_or_default())
}

impl Session {
    /// Loads `relation` for `objects` with one query (batched within the parameter limit):
    /// the explicit form of [`selectin`]. Loading one object at a time in a loop is the N+1
    /// pattern; the session logs a warning naming the relationship when it sees it.
    ///
    /// # Errors
    /// Database and conversion errors.
    pub fn load<M: Model, R: Model>(
        &mut self,
        objects: &[Handle<M>],
        relation: Relation<M, R>,
    ) -> Result<()> {
        self.note_explicit_load(&relation.describe(), objects.len());
        selectin(relation).load(self, objects)
    }
}
