//! Set-based UPDATE and DELETE through the session: `update::<Student>().filter(..).set(..)`
//! and `delete::<Student>().filter(..)`, run with `Session::execute_bulk`.
//!
//! The identity map stays consistent: when it holds objects of the model, the matching keys
//! are read first (same WHERE), and after the statement those objects are updated in place
//! (literal SET values) or reloaded, or, for deletes, removed from the session.

use std::marker::PhantomData;

use cinnabar_core::sql::{Bindable, Column, ColumnRef, Delete, Expr, Select, Statement, Update};
use cinnabar_core::types::{kind, ColumnType};
use cinnabar_core::{Error, Result, Value};

use crate::handle::ObjectState;
use crate::load::{key_values, load, select_model};
use crate::model::Model;
use crate::session::Session;

/// A set-based UPDATE of model `T`.
#[derive(Debug, Clone)]
pub struct BulkUpdate<T: Model> {
    filter: Option<Expr>,
    set: Vec<(usize, Expr)>,
    _m: PhantomData<fn() -> T>,
}

/// A set-based DELETE of model `T`.
#[derive(Debug, Clone)]
pub struct BulkDelete<T: Model> {
    filter: Option<Expr>,
    _m: PhantomData<fn() -> T>,
}

/// Starts `UPDATE` of `T`'s table (SQLAlchemy's `update(Student)`).
pub fn update<T: Model>() -> BulkUpdate<T> {
    BulkUpdate {
        filter: None,
        set: Vec::new(),
        _m: PhantomData,
    }
}

/// Starts `DELETE` from `T`'s table (SQLAlchemy's `delete(Student)`).
pub fn delete<T: Model>() -> BulkDelete<T> {
    BulkDelete {
        filter: None,
        _m: PhantomData,
    }
}

fn and(filter: &mut Option<Expr>, cond: Expr) {
    *filter = Some(match filter.take() {
        Some(f) => f.and(cond),
        None => cond,
    });
}

impl<T: Model> BulkUpdate<T> {
    /// Adds a WHERE condition.
    pub fn filter(mut self, cond: impl Bindable<kind::Bool>) -> Self {
        and(&mut self.filter, cond.into_operand());
        self
    }

    /// Adds `SET column = value` (a value, a column or an expression of the same kind).
    pub fn set<C: ColumnType, V: Bindable<C::Kind>>(
        mut self,
        column: Column<T, C>,
        value: V,
    ) -> Self {
        self.set.push((column.index(), value.into_operand()));
        self
    }
}

impl<T: Model> BulkDelete<T> {
    /// Adds a WHERE condition.
    pub fn filter(mut self, cond: impl Bindable<kind::Bool>) -> Self {
        and(&mut self.filter, cond.into_operand());
        self
    }
}

/// Set-based statements the session can run.
pub trait BulkStatement {
    /// Runs it in `session`, returning the affected-row count.
    ///
    /// # Errors
    /// Flush, compilation and database errors.
    fn run_in(self, session: &mut Session) -> Result<u64>;
}

fn matching_keys<T: Model>(session: &mut Session, filter: &Option<Expr>) -> Result<Vec<T::Key>> {
    if session.registry::<T>().identity.is_empty() {
        return Ok(Vec::new());
    }
    let table = T::table().name.as_str();
    let mut sel = Select::from(table);
    for &i in T::PRIMARY_KEY {
        sel = sel.column(Expr::Column(ColumnRef::qualified(table, T::COLUMNS[i])));
    }
    sel.filter = filter.clone();
    let rows = session.connection()?.execute(sel)?;
    let mut keys = Vec::with_capacity(rows.len());
    for row in rows.rows() {
        keys.push(T::key_from_row(row, 0)?);
    }
    Ok(keys)
}

impl<T: Model> BulkStatement for BulkUpdate<T> {
    fn run_in(self, session: &mut Session) -> Result<u64> {
        if self.set.is_empty() {
            return Err(Error::misuse(format!(
                "update of {} has no set(..) assignments",
                T::model_name()
            )));
        }
        session.autoflush()?;
        session.ensure_write_transaction()?;
        let keys = matching_keys::<T>(session, &self.filter)?;
        let mut stmt = Update::table(T::table().name.as_str());
        for (i, e) in &self.set {
            stmt = stmt.set(T::COLUMNS[*i], e.clone());
        }
        stmt.filter = self.filter;
        let n = session.connection()?.execute(stmt)?.rows_affected();
        if keys.is_empty() {
            return Ok(n);
        }
        let literal: Option<Vec<(usize, Value)>> = self
            .set
            .iter()
            .map(|(i, e)| match e {
                Expr::Value(v) => Some((*i, v.clone())),
                _ => None,
            })
            .collect();
        let generation = session.generation();
        let reg = session.registry::<T>();
        let handles: Vec<_> = keys
            .iter()
            .filter_map(|k| reg.identity.get(k).cloned())
            .collect();
        match literal {
            Some(values) => {
                for h in &handles {
                    // Through write() so the object records its committed state for rollback;
                    // then the baseline moves forward, since the database already has it.
                    let mut slot = h.slot().write();
                    let before = slot.value.clone();
                    for (i, v) in &values {
                        slot.value.set_column(*i, v.as_ref())?;
                    }
                    reg.note_bulk_updated(h, before.key());
                    reg.note_touched(h, &mut slot, before, generation);
                    if let Some(base) = slot.baseline_mut() {
                        for (i, v) in &values {
                            base.set_column(*i, v.as_ref())?;
                        }
                    }
                }
            }
            None => {
                // Expressions are evaluated by the database: reload the affected objects.
                for h in &handles {
                    let mut slot = h.slot().write();
                    slot.generation = 0;
                    // Snapshot for rollback, as the literal branch does.
                    let before = slot.value.clone();
                    reg.note_bulk_updated(h, before.key());
                    reg.note_touched(h, &mut slot, before, generation);
                }
                let table = T::table().name.as_str();
                let pk = T::PRIMARY_KEY[0];
                for chunk in keys.chunks(500) {
                    let mut sel = select_model::<T>();
                    let list = chunk
                        .iter()
                        .map(|k| {
                            key_values::<T>(k)
                                .map(|v| Expr::Value(v.into_iter().next().unwrap_or(Value::Null)))
                        })
                        .collect::<Result<Vec<_>>>()?;
                    sel.add_filter(Expr::InList {
                        expr: Box::new(Expr::Column(ColumnRef::qualified(table, T::COLUMNS[pk]))),
                        list,
                        negated: false,
                    });
                    load::<T>(session, &Statement::Select(sel))?;
                }
            }
        }
        Ok(n)
    }
}

impl<T: Model> BulkStatement for BulkDelete<T> {
    fn run_in(self, session: &mut Session) -> Result<u64> {
        session.autoflush()?;
        session.ensure_write_transaction()?;
        let keys = matching_keys::<T>(session, &self.filter)?;
        let mut stmt = Delete::from(T::table().name.as_str());
        stmt.filter = self.filter;
        let n = session.connection()?.execute(stmt)?.rows_affected();
        let reg = session.registry::<T>();
        for k in keys {
            if let Some(h) = reg.identity.remove(&k) {
                h.set_state(ObjectState::Deleted);
                reg.note_deleted(h);
            }
        }
        Ok(n)
    }
}
