//! The schema diff, as Alembic's autogenerate compares models with a database:
//! [`diff`]`(target, current, dialect)` lists the [`SchemaOp`]s that turn the `current`
//! schema (usually reflected by the engine's `Inspector`) into the `target` one (usually the
//! models' tables). Migrations apply the operations through [`SchemaOp::to_ddl`].
//!
//! Things are compared as the database would show them, so that a model and its own
//! reflection differ in nothing: types as the dialect writes them, defaults and CHECK
//! conditions through the dialect's [`Catalog`](crate::dialect::catalog::Catalog)
//! normalisation, foreign-key actions with `None` as `NO ACTION`, unique constraints by
//! their columns. See `docs/schema/diff.md` for every rule.

mod apply;
mod compare;
mod op;
#[cfg(test)]
mod tests;

pub use op::{unique_name, SchemaOp};

use std::sync::Arc;

use crate::dialect::Dialect;
use crate::schema::{topo_sort, MetaData, Table};
use compare::{compare_table, Rules};

/// The operations that turn `current` into `target`, in an order they can be applied in:
///
/// 1. foreign keys, indexes, unique and check constraints that go or change are dropped
///    (foreign keys first, so nothing they reference is dropped under them);
/// 2. tables that go are dropped, referencing tables before the tables they reference;
/// 3. in the tables that stay: columns are added, the primary key replaced, columns altered,
///    columns dropped; then indexes, unique and check constraints are added;
/// 4. new tables are created, referenced tables first (with their indexes);
/// 5. foreign keys are added (those of tables that stay, and on dialects that add them with
///    ALTER TABLE, those of new tables that close a cycle or are marked `use_alter`).
///
/// Tables are matched by name, columns by name within a table. Renames are never guessed
/// from the shapes of tables; they come from the `renamed_from` hints of the target
/// ([`Table::renamed_from`](crate::schema::Table#structfield.renamed_from),
/// [`Column::renamed_from`](crate::schema::Column#structfield.renamed_from)): a target table
/// or column whose old name exists in `current` while its new name does not (and that the
/// target does not also keep under its old name) is renamed first (`RenameTable`,
/// `RenameColumn`), then compared as usual, so a type change on a renamed column is a rename
/// and an alter, never a drop and an add. Without a hint, a renamed column is a dropped one
/// and an added one. The operations carry no hints. Within a step, tables come in
/// `target`'s order (dropped ones in `current`'s order) and columns in declaration order, so
/// the result is the same on every run. An empty result means the schemas are the same.
///
/// ```
/// use cinnabar_core::dialect::SqliteDialect;
/// use cinnabar_core::schema::diff::{diff, SchemaOp};
/// use cinnabar_core::schema::{Column, MetaData, Table};
/// use cinnabar_core::types::SqlType;
///
/// let v1 = Table::new("students")
///     .column(Column::new("id", SqlType::BigInt).primary_key().autoincrement())
///     .column(Column::new("name", SqlType::Text(Some(50))));
/// let v2 = v1
///     .clone()
///     .column(Column::new("email", SqlType::Text(Some(100))).nullable().unique());
///
/// let ops = diff(&MetaData::new().with(v2), &MetaData::new().with(v1), &SqliteDialect);
/// let lines: Vec<String> = ops.iter().map(|op| op.to_string()).collect();
/// assert_eq!(
///     lines,
///     ["add column students.email Text(Some(100))", "add unique students [\"email\"]"]
/// );
/// assert!(!ops.iter().any(SchemaOp::is_destructive));
/// ```
pub fn diff(target: &MetaData, current: &MetaData, dialect: &dyn Dialect) -> Vec<SchemaOp> {
    let rules = Rules::new(dialect);
    let (mut ops, renamed) = renames(target, current);
    let current = renamed.as_ref().unwrap_or(current);

    let dropped: Vec<&Arc<Table>> = current
        .tables()
        .iter()
        .filter(|t| target.table(&t.name).is_none())
        .collect();
    drop_tables(dialect, &dropped, &mut ops);

    for t in target.tables() {
        if let Some(c) = current.table(&t.name) {
            compare_table(&rules, t, c, &mut ops);
        }
    }

    let created: Vec<&Arc<Table>> = target
        .tables()
        .iter()
        .filter(|t| current.table(&t.name).is_none())
        .collect();
    create_tables(dialect, &created, &mut ops);

    // Stable: each step keeps the order it was produced in.
    ops.sort_by_key(step);
    for op in &mut ops {
        apply::strip_hints(op);
    }
    ops
}

/// The renames the target's `renamed_from` hints ask for (tables first, then columns of the
/// renamed schema), and `current` with them applied (`None` when there are none).
fn renames(target: &MetaData, current: &MetaData) -> (Vec<SchemaOp>, Option<MetaData>) {
    let mut ops = Vec::new();
    let mut md = current.clone();
    for t in target.tables() {
        let Some(old) = &t.renamed_from else { continue };
        if old != &t.name
            && md.table(old).is_some()
            && md.table(&t.name).is_none()
            && target.table(old).is_none()
        {
            let op = SchemaOp::RenameTable {
                from: old.clone(),
                to: t.name.clone(),
            };
            if op.apply(&mut md).is_ok() {
                ops.push(op);
            }
        }
    }
    for t in target.tables() {
        for col in &t.columns {
            let Some(old) = &col.renamed_from else {
                continue;
            };
            let Some(c) = md.table(&t.name) else { break };
            if old != &col.name
                && c.get_column(old).is_some()
                && c.get_column(&col.name).is_none()
                && t.get_column(old).is_none()
            {
                let op = SchemaOp::RenameColumn {
                    table: t.name.clone(),
                    from: old.clone(),
                    to: col.name.clone(),
                };
                if op.apply(&mut md).is_ok() {
                    ops.push(op);
                }
            }
        }
    }
    let renamed = (!ops.is_empty()).then_some(md);
    (ops, renamed)
}

/// Where an operation goes in [`diff`]'s order.
fn step(op: &SchemaOp) -> u8 {
    match op {
        SchemaOp::RenameTable { .. } => 0,
        SchemaOp::RenameColumn { .. } => 1,
        SchemaOp::DropForeignKey { .. } => 2,
        SchemaOp::DropIndex { .. } => 3,
        SchemaOp::DropUnique { .. } => 4,
        SchemaOp::DropCheck { .. } => 5,
        SchemaOp::DropTable(_) => 6,
        SchemaOp::AddColumn { .. } => 7,
        SchemaOp::AlterPrimaryKey { .. } => 8,
        SchemaOp::AlterColumn { .. } => 9,
        SchemaOp::DropColumn { .. } => 10,
        SchemaOp::AddIndex { .. } => 11,
        SchemaOp::AddUnique { .. } => 12,
        SchemaOp::AddCheck { .. } => 13,
        SchemaOp::CreateTable(_) => 14,
        SchemaOp::AddForeignKey { .. } => 15,
    }
}

/// For each table, the positions of the other tables in `tables` it references.
fn references(tables: &[&Arc<Table>]) -> Vec<Vec<usize>> {
    tables
        .iter()
        .map(|t| {
            t.foreign_keys
                .iter()
                .filter(|f| f.ref_table != t.name)
                .filter_map(|f| tables.iter().position(|o| o.name == f.ref_table))
                .collect()
        })
        .collect()
}

/// Tables in an order where each comes after those it references, and the tables that could
/// not be placed (a reference cycle), in their given order.
fn order(tables: &[&Arc<Table>], deps: &[Vec<usize>]) -> (Vec<usize>, Vec<usize>) {
    match topo_sort(deps) {
        Ok(order) => (order, Vec::new()),
        Err(stuck) => {
            let pruned: Vec<Vec<usize>> = deps
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    if stuck.contains(&i) {
                        Vec::new()
                    } else {
                        d.clone()
                    }
                })
                .collect();
            // With the cycle's members free, everything can be placed.
            let order = topo_sort(&pruned).unwrap_or_else(|_| (0..tables.len()).collect());
            (order, stuck)
        }
    }
}

/// Drops `tables`, referencing ones first. Where the dialect adds and drops foreign keys
/// with ALTER TABLE, foreign keys between tables of a cycle are dropped before any table
/// (and marked `use_alter` in the dropped table, so that its reverse creates the table
/// without them and the reverse of their drops adds them).
fn drop_tables(dialect: &dyn Dialect, tables: &[&Arc<Table>], ops: &mut Vec<SchemaOp>) {
    let deps = references(tables);
    let (order, stuck) = order(tables, &deps);
    let alter = dialect.alter_add_foreign_key();
    let mut dropped: Vec<Table> = tables.iter().map(|t| (***t).clone()).collect();
    if alter {
        for &i in &stuck {
            let name = dropped[i].name.clone();
            for fk in &mut dropped[i].foreign_keys {
                let to_stuck = stuck
                    .iter()
                    .any(|&j| j != i && tables[j].name == fk.ref_table);
                if to_stuck {
                    fk.use_alter = true;
                    ops.push(SchemaOp::DropForeignKey {
                        table: name.clone(),
                        foreign_key: fk.clone(),
                    });
                }
            }
        }
    }
    for &i in order.iter().rev() {
        ops.push(SchemaOp::DropTable(dropped[i].clone()));
    }
}

/// Creates `tables`, referenced ones first. Where the dialect adds foreign keys with ALTER
/// TABLE, those that close a cycle between new tables are marked `use_alter` (CREATE TABLE
/// leaves them out) and added afterwards with the `use_alter` ones.
fn create_tables(dialect: &dyn Dialect, tables: &[&Arc<Table>], ops: &mut Vec<SchemaOp>) {
    let deps: Vec<Vec<usize>> = tables
        .iter()
        .zip(references(tables))
        .map(|(t, refs)| {
            // `use_alter` keys do not order the creates (CREATE TABLE leaves them out).
            refs.into_iter()
                .filter(|&j| {
                    t.foreign_keys
                        .iter()
                        .any(|f| f.ref_table == tables[j].name && !f.use_alter)
                })
                .collect()
        })
        .collect();
    let (order, stuck) = order(tables, &deps);
    let alter = dialect.alter_add_foreign_key();
    for i in order {
        let mut table = (**tables[i]).clone();
        if alter {
            if stuck.contains(&i) {
                for fk in &mut table.foreign_keys {
                    let to_stuck = stuck
                        .iter()
                        .any(|&j| j != i && tables[j].name == fk.ref_table);
                    fk.use_alter |= to_stuck;
                }
            }
            for fk in table.foreign_keys.iter().filter(|f| f.use_alter) {
                ops.push(SchemaOp::AddForeignKey {
                    table: table.name.clone(),
                    foreign_key: fk.clone(),
                });
            }
        }
        ops.push(SchemaOp::CreateTable(table));
    }
}
