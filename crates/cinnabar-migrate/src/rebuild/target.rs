//! The table a rebuild creates: the current table with a run of [`SchemaOp`]s applied to it,
//! and where each of its columns comes from ([`Renames`]). Also the decision whether an
//! operation needs a rebuild at all ([`needs_rebuild`]). Used by [`plan_ops`](super::plan_ops)
//! and the Migrator.

use cinnabar_core::dialect::{compile_ddl, Dialect, ServerVersion, TableRebuild};
use cinnabar_core::schema::diff::{unique_name, SchemaOp};
use cinnabar_core::schema::{shorten_generated_name, CheckConstraint, Table};
use cinnabar_core::sql::{ColumnChange, Ddl};
use cinnabar_core::{Error, ErrorKind, Result};

use super::Renames;

/// Whether `op`, applied to `table` as it stands, needs a rebuild on `dialect`: its DDL does
/// not compile (`Unsupported`: SQLite cannot alter a column or add a constraint), the server
/// (`version`, when known) is older than the native form needs, or the database's ALTER TABLE
/// would refuse it (SQLite cannot drop an indexed column, nor add a NOT NULL column without a
/// default). Always `false` on a dialect that never rebuilds
/// ([`Dialect::table_rebuild`] is `None`), and for operations that create, drop or rename
/// whole tables.
///
/// # Errors
/// Any other compile error of the operation's DDL (an identifier too long, a missing name).
pub fn needs_rebuild(
    dialect: &dyn Dialect,
    version: Option<ServerVersion>,
    table: &Table,
    op: &SchemaOp,
) -> Result<bool> {
    let Some(rb) = dialect.table_rebuild() else {
        return Ok(false);
    };
    if matches!(
        op,
        SchemaOp::CreateTable(_) | SchemaOp::DropTable(_) | SchemaOp::RenameTable { .. }
    ) {
        return Ok(false);
    }
    for ddl in op.to_ddl() {
        match compile_ddl(dialect, &ddl) {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::Unsupported => return Ok(true),
            Err(e) => return Err(e),
        }
        if let Ddl::AlterTable(alter) = &ddl {
            let too_old = match (version, rb.alter_min_version(&alter.action)) {
                (Some(running), Some(needed)) => running < needed,
                _ => false,
            };
            if too_old || rb.refuses_natively(table, &alter.action).is_some() {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// `current` with `ops` applied in order (every op must change `current`'s table: no
/// creating, dropping or renaming tables), and the [`Renames`] that say which current column
/// fills each column of the result.
///
/// A column change applies only what its `changes` name (type, nullability, default). A
/// renamed column is renamed in the table's indexes, keys and constraints too, and in CHECK
/// conditions and partial-index conditions (identifiers only). Dropping a column that an
/// index, a key or a constraint other than its own flags still names is an error: drop that
/// first, as the schema diff does.
///
/// # Errors
/// [`ErrorKind::Misuse`] naming the operation (its position, 1-based) and what does not
/// fit: an op on another table, a column or constraint that is not there or is already
/// there, a column still in use; [`ErrorKind::Unsupported`] when the dialect never
/// rebuilds tables.
pub fn apply_ops(
    dialect: &dyn Dialect,
    current: &Table,
    ops: &[SchemaOp],
) -> Result<(Table, Renames)> {
    let rb = super::capability(dialect)?;
    let mut t = current.clone();
    // (column name now, the current column it is filled from)
    let mut origin: Vec<(String, Option<String>)> = current
        .columns
        .iter()
        .map(|c| (c.name.clone(), Some(c.name.clone())))
        .collect();
    for (i, op) in ops.iter().enumerate() {
        apply_one(dialect, rb, &mut t, &mut origin, op)
            .map_err(|e| e.context(format_args!("step {} ({op})", i + 1)))?;
    }
    let mut renames = Renames::new();
    for (name, source) in origin {
        match source {
            Some(src) if src != name => renames = renames.column(src, name),
            None if current.get_column(&name).is_some() => renames = renames.fresh(name),
            _ => {}
        }
    }
    Ok((t, renames))
}

fn misuse(table: &str, what: impl std::fmt::Display) -> Error {
    Error::misuse(format!("table {table:?}: {what}"))
}

fn apply_one(
    dialect: &dyn Dialect,
    rb: &dyn TableRebuild,
    t: &mut Table,
    origin: &mut Vec<(String, Option<String>)>,
    op: &SchemaOp,
) -> Result<()> {
    let name = t.name.clone();
    if op.table() != name {
        return Err(misuse(
            &name,
            format_args!("the operation changes table {:?}, not this one", op.table()),
        ));
    }
    let col_pos = |t: &Table, c: &str| t.columns.iter().position(|x| x.name == c);
    match op {
        SchemaOp::CreateTable(_) | SchemaOp::DropTable(_) | SchemaOp::RenameTable { .. } => {
            Err(misuse(
                &name,
                "creating, dropping or renaming a whole table is not a change a rebuild makes",
            ))
        }
        SchemaOp::AddColumn { column, .. } => {
            if col_pos(t, &column.name).is_some() {
                return Err(misuse(
                    &name,
                    format_args!("column {:?} already exists", column.name),
                ));
            }
            t.columns.push(column.clone());
            origin.push((column.name.clone(), None));
            Ok(())
        }
        SchemaOp::DropColumn { column, .. } => {
            let c = &column.name;
            let pos = col_pos(t, c)
                .ok_or_else(|| misuse(&name, format_args!("there is no column {c:?} to drop")))?;
            if t.columns[pos].primary_key {
                return Err(misuse(
                    &name,
                    format_args!("column {c:?} is part of the primary key; change the key first"),
                ));
            }
            if let Some(user) = still_used(rb, t, c) {
                return Err(misuse(
                    &name,
                    format_args!(
                        "column {c:?} cannot be dropped while {user} uses it; drop that first"
                    ),
                ));
            }
            t.columns.remove(pos);
            origin.retain(|(n, _)| n != c);
            Ok(())
        }
        SchemaOp::AlterColumn {
            from, to, changes, ..
        } => {
            let pos = col_pos(t, &from.name).ok_or_else(|| {
                misuse(
                    &name,
                    format_args!("there is no column {:?} to alter", from.name),
                )
            })?;
            if to.name != from.name {
                return Err(misuse(
                    &name,
                    format_args!(
                        "altering column {:?} cannot rename it to {:?} (a rename is a step of its own)",
                        from.name, to.name
                    ),
                ));
            }
            let col = &mut t.columns[pos];
            for change in changes {
                match change {
                    ColumnChange::Type => {
                        col.sql_type = to.sql_type;
                        col.custom_type.clone_from(&to.custom_type);
                    }
                    ColumnChange::Nullability => col.nullable = to.nullable,
                    ColumnChange::Default => col.server_default.clone_from(&to.server_default),
                }
            }
            Ok(())
        }
        SchemaOp::RenameColumn { from, to, .. } => {
            let pos = col_pos(t, from).ok_or_else(|| {
                misuse(&name, format_args!("there is no column {from:?} to rename"))
            })?;
            if col_pos(t, to).is_some() {
                return Err(misuse(&name, format_args!("column {to:?} already exists")));
            }
            rename_column(dialect, rb, t, pos, to);
            if let Some(entry) = origin.iter_mut().find(|(n, _)| n == from) {
                entry.0.clone_from(to);
            }
            Ok(())
        }
        SchemaOp::AlterPrimaryKey { from, to, .. } => {
            let key: Vec<String> = t
                .primary_key_indices()
                .into_iter()
                .map(|i| t.columns[i].name.clone())
                .collect();
            let mut have = key.clone();
            let mut want = from.clone();
            have.sort();
            want.sort();
            if have != want {
                return Err(misuse(
                    &name,
                    format_args!("the primary key is {key:?}, not {from:?} as the step expects"),
                ));
            }
            if let Some(missing) = to.iter().find(|c| col_pos(t, c).is_none()) {
                return Err(misuse(
                    &name,
                    format_args!("the new key names no column {missing:?}"),
                ));
            }
            for c in &mut t.columns {
                let in_key = to.contains(&c.name);
                if in_key {
                    c.nullable = false;
                } else {
                    c.autoincrement = false;
                }
                c.primary_key = in_key;
            }
            Ok(())
        }
        SchemaOp::AddIndex { index, .. } => {
            if t.all_indexes().iter().any(|i| i.name == index.name) {
                return Err(misuse(
                    &name,
                    format_args!("index {:?} already exists", index.name),
                ));
            }
            if let Some(missing) = index.columns.iter().find(|c| col_pos(t, c).is_none()) {
                return Err(misuse(
                    &name,
                    format_args!("index {:?} names no column {missing:?}", index.name),
                ));
            }
            t.indexes.push(index.clone());
            Ok(())
        }
        SchemaOp::DropIndex { index, .. } => {
            if let Some(p) = t.indexes.iter().position(|i| i.name == index.name) {
                t.indexes.remove(p);
                return Ok(());
            }
            // An index made by a column's `index` flag (`ix_<table>_<column>`).
            let generated = t.all_indexes().into_iter().find(|i| i.name == index.name);
            match generated.and_then(|i| i.columns.first().and_then(|c| col_pos(t, c))) {
                Some(p) => {
                    t.columns[p].index = false;
                    Ok(())
                }
                None => Err(misuse(
                    &name,
                    format_args!("there is no index {:?} to drop", index.name),
                )),
            }
        }
        SchemaOp::AddUnique { unique, .. } => {
            if let Some(missing) = unique.columns.iter().find(|c| col_pos(t, c).is_none()) {
                return Err(misuse(
                    &name,
                    format_args!("the unique constraint names no column {missing:?}"),
                ));
            }
            let mut u = unique.clone();
            u.name = Some(unique_name(&name, unique));
            t.uniques.push(u);
            Ok(())
        }
        SchemaOp::DropUnique { unique, .. } => {
            let wanted = unique_name(&name, unique);
            let by_name = t
                .uniques
                .iter()
                .position(|u| u.name.as_deref() == Some(wanted.as_str()));
            let by_cols = || {
                t.uniques
                    .iter()
                    .position(|u| same_set(&u.columns, &unique.columns))
            };
            if let Some(p) = by_name.or_else(by_cols) {
                t.uniques.remove(p);
                return Ok(());
            }
            if let [single] = unique.columns.as_slice() {
                if let Some(p) = col_pos(t, single).filter(|&p| t.columns[p].unique) {
                    t.columns[p].unique = false;
                    return Ok(());
                }
            }
            Err(misuse(
                &name,
                format_args!(
                    "there is no unique constraint on {:?} to drop",
                    unique.columns
                ),
            ))
        }
        SchemaOp::AddForeignKey { foreign_key, .. } => {
            if let Some(missing) = foreign_key.columns.iter().find(|c| col_pos(t, c).is_none()) {
                return Err(misuse(
                    &name,
                    format_args!("the foreign key names no column {missing:?}"),
                ));
            }
            t.foreign_keys.push(foreign_key.clone());
            Ok(())
        }
        SchemaOp::DropForeignKey { foreign_key: k, .. } => {
            let p = t
                .foreign_keys
                .iter()
                .position(|f| k.name.is_some() && f.name == k.name)
                .or_else(|| {
                    t.foreign_keys.iter().position(|f| {
                        f.columns == k.columns
                            && f.ref_table == k.ref_table
                            && f.ref_columns == k.ref_columns
                    })
                })
                .ok_or_else(|| {
                    misuse(
                        &name,
                        format_args!(
                            "there is no foreign key {:?} -> {} to drop",
                            k.columns, k.ref_table
                        ),
                    )
                })?;
            t.foreign_keys.remove(p);
            Ok(())
        }
        SchemaOp::AddCheck { check, .. } => {
            // An unnamed check gets the first generated name no check of the table has.
            let taken: Vec<String> = (0..t.checks.len()).map(|i| t.check_name(i)).collect();
            let name_given = check.name.clone().unwrap_or_else(|| {
                (t.checks.len() + 1..)
                    .map(|n| shorten_generated_name(format!("ck_{name}_{n}")))
                    .find(|n| !taken.contains(n))
                    .unwrap_or_default()
            });
            // The rebuilt table holds this database's SQL text: a rule is rendered for it.
            t.checks.push(CheckConstraint {
                name: Some(name_given),
                sql: check.condition(dialect),
                rule: None,
            });
            Ok(())
        }
        SchemaOp::DropCheck { check, .. } => {
            let by_name = check
                .name
                .as_ref()
                .and_then(|n| (0..t.checks.len()).find(|&i| t.check_name(i) == *n));
            let normalize = |s: &str| match dialect.catalog() {
                Some(c) => c.normalize_check(s),
                None => s.trim().to_string(),
            };
            let by_sql = || {
                let wanted = normalize(&check.condition(dialect));
                t.checks
                    .iter()
                    .position(|c| normalize(&c.condition(dialect)) == wanted)
            };
            let p = by_name.or_else(by_sql).ok_or_else(|| {
                misuse(
                    &name,
                    format_args!("there is no check ({}) to drop", check.sql),
                )
            })?;
            // Later checks keep the names they had (their generated names count from 1).
            for i in p + 1..t.checks.len() {
                let n = t.check_name(i);
                t.checks[i].name = Some(n);
            }
            t.checks.remove(p);
            Ok(())
        }
    }
}

/// What, other than the column's own flags, still names column `c`.
fn still_used(rb: &dyn TableRebuild, t: &Table, c: &str) -> Option<String> {
    if let Some(ix) = t.indexes.iter().find(|i| {
        i.columns.iter().any(|x| x == c)
            || i.where_sql.as_deref().is_some_and(|w| rb.mentions(w, c))
    }) {
        return Some(format!("index {:?}", ix.name));
    }
    if let Some(u) = t.uniques.iter().find(|u| u.columns.iter().any(|x| x == c)) {
        return Some(format!("the unique constraint on {:?}", u.columns));
    }
    if let Some(k) = t.foreign_keys.iter().find(|k| {
        k.columns.iter().any(|x| x == c)
            || (k.ref_table == t.name && k.ref_columns.iter().any(|x| x == c))
    }) {
        return Some(format!(
            "the foreign key {:?} -> {}",
            k.columns, k.ref_table
        ));
    }
    if let Some(i) = t.checks.iter().position(|k| rb.mentions(&k.sql, c)) {
        return Some(format!("check {:?} ({})", t.check_name(i), t.checks[i].sql));
    }
    None
}

/// Renames column `pos` to `to` everywhere the table names it.
fn rename_column(
    dialect: &dyn Dialect,
    rb: &dyn TableRebuild,
    t: &mut Table,
    pos: usize,
    to: &str,
) {
    // An index made by the column's `index` flag keeps the name it has in the database
    // (`ix_<table>_<old name>`), as the database's own RENAME COLUMN keeps it.
    if t.columns[pos].index && !t.columns[pos].primary_key {
        let generated = t
            .all_indexes()
            .into_iter()
            .find(|i| i.columns == [t.columns[pos].name.clone()]);
        if let Some(mut ix) = generated {
            ix.columns = vec![to.to_string()];
            t.columns[pos].index = false;
            t.indexes.push(ix);
        }
    }
    let from = std::mem::replace(&mut t.columns[pos].name, to.to_string());
    // Generated names follow the table's own rules; keep the names the database has.
    for i in 0..t.checks.len() {
        let n = t.check_name(i);
        let check = &mut t.checks[i];
        check.name = Some(n);
        if rb.mentions(&check.sql, &from) {
            check.sql = rb.rename_identifier(dialect, &check.sql, &from, to);
        }
    }
    let rename = |names: &mut Vec<String>| {
        for n in names.iter_mut().filter(|n| **n == from) {
            *n = to.to_string();
        }
    };
    for ix in &mut t.indexes {
        rename(&mut ix.columns);
        if let Some(w) = ix.where_sql.as_mut().filter(|w| rb.mentions(w, &from)) {
            *w = rb.rename_identifier(dialect, w, &from, to);
        }
    }
    for u in &mut t.uniques {
        rename(&mut u.columns);
    }
    let table = t.name.clone();
    for k in &mut t.foreign_keys {
        rename(&mut k.columns);
        if k.ref_table == table {
            rename(&mut k.ref_columns);
        }
    }
}

fn same_set(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}
