//! The association rows of many-to-many relationships: written and deleted at flush as the
//! collections change, once per flush even when both sides changed ([`AssociationLog`]).

use cinnabar_core::sql::{BinOp, ColumnRef, Expr};
use cinnabar_core::{Error, Result, Value, ValueRef};

use super::has_many::HasMany;
use super::meta::Relation;
use crate::handle::Handle;
use crate::model::Model;

/// The association rows one flush has written or deleted, so that the two sides of a
/// many-to-many relationship declared with `back_populates`, which both change, write each
/// row once.
#[derive(Default)]
pub(crate) struct AssociationLog(rustc_hash::FxHashSet<AssociationRow>);

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
pub(crate) fn sync_association<M: Model, R: Model>(
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
pub(crate) fn delete_associations<M: Model, R: Model>(
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
