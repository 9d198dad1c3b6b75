//! Joined eager loading run inside a query: the parent SELECT extended by each
//! [`JoinSpec`]'s LEFT OUTER JOIN, every row decoded into the parent's and the related
//! models' identity maps as it arrives.

use std::any::{Any, TypeId};

use cinnabar_core::dialect::compile_into;
use cinnabar_core::sql::{Select, Statement};
use cinnabar_core::{Error, Result};
use cinnabar_engine::Row;

use crate::handle::Handle;
use crate::identity::{IdentityMap, Registry};
use crate::load::materialize_key;
use crate::loading::JoinSpec;
use crate::model::Model;
use crate::session::Session;

/// Runs the parent query extended by joined loads. Each row's related columns are decoded
/// straight from the driver's row into the related model's identity map; the parents come
/// back once each, in first-seen order.
pub(super) fn load_joined<T: Model>(
    session: &mut Session,
    mut select: Select,
    specs: &[&dyn JoinSpec<T>],
) -> Result<Vec<Handle<T>>> {
    // Rows repeat a (parent, child) pair only when something else multiplies them: another
    // joined load or a join of the query itself.
    let dedup = specs.len() > 1 || !select.joins.is_empty();
    // A whole table's parents with one relationship: where the dialect asks for it, the
    // children drive the join (the same rows; a filtered or ordered parent query keeps the
    // parents first, so a selective filter still reads few children). Parents then come
    // back in the order of their first child, those without children last.
    let from_children = specs.len() == 1
        && select.joins.is_empty()
        && select.filter.is_none()
        && select.order_by.is_empty()
        && select.group_by.is_empty()
        && select.having.is_none()
        && !select.distinct
        && session.engine().dialect().eager_join_from_children();
    let mut offsets = Vec::with_capacity(specs.len());
    let mut next = select.columns.len();
    for (n, spec) in specs.iter().enumerate() {
        offsets.push(next);
        if !(from_children && spec.extend_from_children(&mut select, n)) {
            spec.extend(&mut select, n);
        }
        next += spec.width();
    }
    let stmt: Statement = select.into();
    session.autoflush()?;
    let generation = session.generation();
    session.registry::<T>();
    let mut states: Vec<Box<dyn Any + Send>> = specs
        .iter()
        .map(|s| s.start(session, generation, dedup))
        .collect();
    // The registries the rows go to: the parent's first, then each related model's (one
    // slot per distinct model, so a self-referential join shares the parent's).
    let want: Vec<TypeId> = std::iter::once(TypeId::of::<Registry<T>>())
        .chain(specs.iter().map(|s| s.registry_type()))
        .collect();
    let mut sql = session.take_scratch();
    let mut params = session.take_params();
    let result = (|| {
        let (conn, registries) = session.conn_and_registries()?;
        let mut slots: Vec<(TypeId, &mut dyn Any)> = Vec::with_capacity(want.len());
        for r in registries.iter_mut() {
            let any = r.as_any_mut();
            let t = Any::type_id(&*any);
            if want.contains(&t) && !slots.iter().any(|(s, _)| *s == t) {
                slots.push((t, any));
            }
        }
        let slot_of = want
            .iter()
            .map(|t| slots.iter().position(|(s, _)| s == t))
            .collect::<Option<Vec<usize>>>()
            .ok_or_else(|| Error::misuse("a joined load's registry is missing"))?;
        let shared = registry_in::<T>(&mut *slots[slot_of[0]].1)?.shared.clone();
        compile_into(conn.dialect(), &stmt, &mut sql, &mut params)?;
        // The parents, each once in first-seen order, and each parent's key to its number
        // (its position in `found`).
        let mut found: Vec<Handle<T>> = Vec::new();
        let mut numbers: IdentityMap<T::Key, usize> = IdentityMap::default();
        let mut last: Option<(T::Key, usize)> = None;
        conn.run(
            &sql,
            &params,
            Some(&mut |row: &dyn Row| {
                // A one-to-many join repeats the parent row once per child, often in a run:
                // a parent already seen in this load is the same object, already refreshed.
                let key = T::key_from_row(row, 0)?;
                let at = match &last {
                    Some((k, at)) if *k == key => *at,
                    _ => {
                        let at = match numbers.get(&key) {
                            Some(&at) => at,
                            None => {
                                let reg = registry_in::<T>(&mut *slots[slot_of[0]].1)?;
                                let h = materialize_key(
                                    &mut reg.identity,
                                    &shared,
                                    key.clone(),
                                    row,
                                    0,
                                    generation,
                                )?;
                                found.push(h);
                                numbers.insert(key.clone(), found.len() - 1);
                                found.len() - 1
                            }
                        };
                        last = Some((key, at));
                        at
                    }
                };
                for (k, spec) in specs.iter().enumerate() {
                    spec.row(
                        &mut *states[k],
                        &mut *slots[slot_of[k + 1]].1,
                        (&found[at], at),
                        row,
                        offsets[k],
                    )?;
                }
                Ok(())
            }),
        )?;
        Ok(found)
    })();
    session.put_params(params);
    session.put_scratch(sql);
    let found = result?;
    for (spec, state) in specs.iter().zip(states) {
        spec.finish(state, session);
    }
    Ok(found)
}

/// The registry behind a type-erased registry slot.
fn registry_in<T: Model>(any: &mut dyn Any) -> Result<&mut Registry<T>> {
    any.downcast_mut::<Registry<T>>()
        .ok_or_else(|| Error::misuse("registry type mismatch"))
}
