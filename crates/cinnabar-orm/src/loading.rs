//! Loading relationships without surprises: the `selectin` strategy (one extra
//! `WHERE fk IN (...)` query per level, batched within the dialect's parameter limit), nested
//! with [`Selectin::then`], and explicit loading with [`Session::load`]. Loaded objects go
//! through the identity map like any query's.
//!
//! Nothing here runs when a field is read: reading an unloaded relationship is an error.

use cinnabar_core::sql::{
    ColumnRef, Expr, Join, JoinKind, Select, SelectItem, Statement, TableRef,
};
use cinnabar_core::{Result, Value};
use cinnabar_engine::OwnedRow;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::handle::Handle;
use crate::model::Model;
use crate::query::{materialize, select_model};
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
/// query, then builds the related objects from those columns.
#[doc(hidden)]
pub trait JoinSpec<M: Model>: Send + Sync {
    /// Adds the join (as alias `cinnabar_j{n}`) and the related model's columns.
    fn extend(&self, select: &mut Select, n: usize);
    /// How many columns [`JoinSpec::extend`] added.
    fn width(&self) -> usize;
    /// Builds the related objects from each row's added columns and assigns them.
    ///
    /// # Errors
    /// Conversion errors naming the column.
    fn assign(&self, session: &mut Session, rows: Vec<(Handle<M>, Vec<Value>)>) -> Result<()>;
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

    fn width(&self) -> usize {
        R::COLUMNS.len()
    }

    fn assign(&self, session: &mut Session, rows: Vec<(Handle<M>, Vec<Value>)>) -> Result<()> {
        let generation = session.generation();
        let columns: std::sync::Arc<[String]> =
            R::COLUMNS.iter().map(|c| (*c).to_owned()).collect();
        let reg = session.registry::<R>();
        let shared = reg.shared.clone();
        let key_col = R::PRIMARY_KEY[0];
        let mut order: Vec<Handle<M>> = Vec::new();
        let mut groups: FxHashMap<usize, Vec<Handle<R>>> = FxHashMap::default();
        // (parent, child) pairs already placed: a second joined load repeats rows.
        let mut placed: FxHashSet<(usize, usize)> = FxHashSet::default();
        for (parent, values) in rows {
            let pkey = std::sync::Arc::as_ptr(&parent.0) as usize;
            let group = groups.entry(pkey).or_insert_with(|| {
                order.push(parent.clone());
                Vec::new()
            });
            if values.get(key_col).is_none_or(Value::is_null) {
                continue; // the outer join found no related row
            }
            let row = OwnedRow::new(columns.clone(), values);
            let h = materialize(reg, &shared, &row, 0, generation)?;
            if placed.insert((pkey, std::sync::Arc::as_ptr(&h.0) as usize)) {
                group.push(h);
            }
        }
        for parent in order {
            let items = groups
                .remove(&(std::sync::Arc::as_ptr(&parent.0) as usize))
                .unwrap_or_default();
            match (self.relation.many_mut, self.relation.one_mut) {
                (Some(field), _) => {
                    set_silently(&parent, |m| *field(m) = HasMany::loaded(items.clone()))
                }
                (None, Some(field)) => {
                    let target = items.first().cloned();
                    set_silently(&parent, |m| *field(m) = BelongsTo::loaded(target.clone()));
                }
                (None, None) => {}
            }
        }
        Ok(())
    }
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
fn set_silently<M: Model>(h: &Handle<M>, set: impl Fn(&mut M)) {
    let mut g = h.slot().write();
    if g.modified {
        return;
    }
    set(&mut g.value);
    if let Some(b) = g.baseline.as_deref_mut() {
        set(b);
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

/// The distinct non-null values of column `idx` over `objects`.
fn distinct_values<T: Model>(objects: &[Handle<T>], idx: usize) -> Result<Vec<Value>> {
    let mut seen = FxHashSet::default();
    let mut out = Vec::new();
    for h in objects {
        let g = h.read();
        let v = g.column_value(idx)?;
        if !v.is_null() && seen.insert(KeyHash::of(v)) {
            out.push(v.to_owned_value());
        }
    }
    Ok(out)
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
        let mut groups = load_grouped::<R>(
            session,
            &keys,
            &base,
            &filter,
            group_at,
            keep.then_some(&mut loaded),
        )?;
        assign_groups(parents, rel, parent_col, &mut groups)?;
        for nested in &self.nested {
            nested.load(session, &loaded)?;
        }
        Ok(())
    }
}

/// Runs `base` with `filter IN (keys)` (chunked within the parameter limit) and groups the
/// loaded objects by the row value at `group_at`; also collects them into `all` if given.
fn load_grouped<R: Model>(
    session: &mut Session,
    keys: &[Value],
    base: &Select,
    filter: &Expr,
    group_at: usize,
    mut all: Option<&mut Vec<Handle<R>>>,
) -> Result<FxHashMap<KeyHash, Vec<Handle<R>>>> {
    let mut groups: FxHashMap<KeyHash, Vec<Handle<R>>> = FxHashMap::default();
    let n = chunk_size(session);
    for chunk in keys.chunks(n) {
        let mut sel = base.clone();
        sel.add_filter(Expr::InList {
            expr: Box::new(filter.clone()),
            list: chunk.iter().cloned().map(Expr::Value).collect(),
            negated: false,
        });
        crate::query::load_rows::<R>(session, &Statement::Select(sel), &mut |h, row| {
            let v = row.value(group_at)?;
            if let Some(all) = all.as_deref_mut() {
                all.push(h.clone());
            }
            groups.entry(KeyHash::of(v)).or_default().push(h);
            Ok(())
        })?;
    }
    Ok(groups)
}

/// Gives each parent its group (by the parent's value at `parent_col`): the whole group to a
/// collection, its first object to a scalar relationship. Parents with unflushed changes keep
/// what they have; a parent listed twice is assigned once.
fn assign_groups<M: Model, R: Model>(
    parents: &[Handle<M>],
    rel: &Relation<M, R>,
    parent_col: usize,
    groups: &mut FxHashMap<KeyHash, Vec<Handle<R>>>,
) -> Result<()> {
    let mut seen = FxHashSet::default();
    for p in parents {
        if !seen.insert(std::sync::Arc::as_ptr(&p.0) as usize) {
            continue;
        }
        let key = KeyHash::of(p.read().column_value(parent_col)?);
        match (rel.many_mut, rel.one_mut) {
            (Some(field), _) => {
                // Moved, not cloned: only a baseline (rare) needs a copy.
                let items = groups.remove(&key).unwrap_or_default();
                let mut g = p.slot().write();
                if g.modified {
                    continue;
                }
                if let Some(b) = g.baseline.as_deref_mut() {
                    *field(b) = HasMany::loaded(items.clone());
                }
                *field(&mut g.value) = HasMany::loaded(items);
            }
            (None, Some(field)) => {
                // Several children may point at one parent (many-to-one): keep the group.
                let target = groups.get(&key).and_then(|g| g.first()).cloned();
                set_silently(p, |m| *field(m) = BelongsTo::loaded(target.clone()));
            }
            (None, None) => {}
        }
    }
    Ok(())
}

/// The children a cascading delete must delete: the loaded collection, loading it first
/// unless the relationship leaves unloaded children to the database (`passive_deletes`).
#[doc(hidden)]
pub fn cascade_children<M: Model, R: Model>(
    session: &mut Session,
    parent: &Handle<M>,
    relation: Relation<M, R>,
) -> Result<Vec<Handle<R>>> {
    let Some(field) = relation.many else {
        return Ok(Vec::new());
    };
    let loaded = field(&parent.read()).is_loaded();
    if !loaded {
        if relation.passive_deletes {
            return Ok(Vec::new());
        }
        selectin(relation).load(session, std::slice::from_ref(parent))?;
    }
    let g = parent.read();
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
