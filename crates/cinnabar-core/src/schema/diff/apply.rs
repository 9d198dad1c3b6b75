//! [`SchemaOp::apply`]: an operation applied to a [`MetaData`] value instead of a database,
//! as the database would apply it (a renamed table's foreign keys follow it, a dropped
//! column takes its indexes and constraints along). Migrations replay revisions with it to
//! know the schema a revision leaves without a database; [`diff`](super::diff) applies the
//! renames it finds to the current schema before comparing.

use std::sync::Arc;

use super::op::{unique_name, SchemaOp};
use crate::error::{Error, Result};
use crate::schema::{shorten_generated_name, Column, MetaData, Table};
use crate::sql::ddl::ColumnChange;

impl SchemaOp {
    /// Applies the operation to `schema`, keeping the order of its tables (a created table
    /// goes last). Rename and hint fields (`renamed_from`) of the tables and columns it adds
    /// are cleared: they describe models, not schemas.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`](crate::ErrorKind::Misuse) naming the operation when it does not
    /// fit `schema`: a table or column to create that exists, one to change that does not, an
    /// index or constraint to drop that is not there. `schema` is left unchanged then.
    ///
    /// ```
    /// use cinnabar_core::schema::diff::SchemaOp;
    /// use cinnabar_core::schema::{Column, MetaData, Table};
    /// use cinnabar_core::types::SqlType;
    ///
    /// let mut schema = MetaData::new();
    /// let students = Table::new("students").column(Column::new("course", SqlType::Text(None)));
    /// SchemaOp::CreateTable(students).apply(&mut schema)?;
    /// SchemaOp::RenameColumn {
    ///     table: "students".into(),
    ///     from: "course".into(),
    ///     to: "course_code".into(),
    /// }
    /// .apply(&mut schema)?;
    /// assert!(schema.table("students").unwrap().get_column("course_code").is_some());
    /// # Ok::<(), cinnabar_core::Error>(())
    /// ```
    pub fn apply(&self, schema: &mut MetaData) -> Result<()> {
        let mut next = schema.clone();
        self.apply_to(&mut next)
            .map_err(|e| e.context(format!("cannot apply `{self}`")))?;
        *schema = next;
        Ok(())
    }

    fn apply_to(&self, md: &mut MetaData) -> Result<()> {
        match self {
            SchemaOp::CreateTable(t) => {
                if md.table(&t.name).is_some() {
                    return Err(Error::misuse(format!("table {:?} exists", t.name)));
                }
                md.tables.push(Arc::new(plain_table(t)));
            }
            SchemaOp::DropTable(t) => {
                let i = position(md, &t.name)?;
                md.tables.remove(i);
            }
            SchemaOp::RenameTable { from, to } => {
                let i = position(md, from)?;
                if md.table(to).is_some() {
                    return Err(Error::misuse(format!("table {to:?} exists")));
                }
                let t = Arc::make_mut(&mut md.tables[i]);
                // Indexes and checks keep the names they were created with.
                let flagged: Vec<String> = t
                    .columns
                    .iter()
                    .filter(|c| c.index && !c.primary_key)
                    .map(|c| c.name.clone())
                    .collect();
                for c in flagged {
                    name_column_index(t, &c);
                }
                for k in 0..t.checks.len() {
                    let name = t.check_name(k);
                    t.checks[k].name = Some(name);
                }
                t.name = to.clone();
                for t in &mut md.tables {
                    if t.foreign_keys.iter().any(|f| &f.ref_table == from) {
                        for f in &mut Arc::make_mut(t).foreign_keys {
                            if &f.ref_table == from {
                                f.ref_table = to.clone();
                            }
                        }
                    }
                }
            }
            SchemaOp::AddColumn { table, column } => {
                let t = table_mut(md, table)?;
                if t.get_column(&column.name).is_some() {
                    return Err(Error::misuse(format!(
                        "table {table:?} has a column {:?}",
                        column.name
                    )));
                }
                // ADD COLUMN creates no index: `index` takes an AddIndex.
                let mut column = plain_column(column);
                column.index = false;
                t.columns.push(column);
            }
            SchemaOp::DropColumn { table, column } => {
                let t = table_mut(md, table)?;
                let i = column_position(t, &column.name)?;
                t.columns.remove(i);
                let name = &column.name;
                t.indexes.retain(|x| !x.columns.contains(name));
                t.uniques.retain(|x| !x.columns.contains(name));
                t.foreign_keys.retain(|x| !x.columns.contains(name));
            }
            SchemaOp::AlterColumn {
                table, to, changes, ..
            } => {
                let t = table_mut(md, table)?;
                let i = column_position(t, &to.name)?;
                let c = &mut t.columns[i];
                for change in changes {
                    match change {
                        ColumnChange::Type => {
                            c.sql_type = to.sql_type;
                            c.custom_type = to.custom_type.clone();
                        }
                        ColumnChange::Nullability => c.nullable = to.nullable,
                        ColumnChange::Default => c.server_default = to.server_default.clone(),
                    }
                }
            }
            SchemaOp::RenameColumn { table, from, to } => {
                rename_column(md, table, from, to)?;
            }
            SchemaOp::AlterPrimaryKey { table, to, .. } => {
                let t = table_mut(md, table)?;
                for name in to {
                    column_position(t, name)?;
                }
                for c in &mut t.columns {
                    c.primary_key = to.contains(&c.name);
                }
            }
            SchemaOp::AddIndex { table, index } => {
                let t = table_mut(md, table)?;
                if t.all_indexes().iter().any(|x| x.name == index.name) {
                    return Err(Error::misuse(format!(
                        "table {table:?} has an index {:?}",
                        index.name
                    )));
                }
                t.indexes.push(index.clone());
            }
            SchemaOp::DropIndex { table, index } => {
                let t = table_mut(md, table)?;
                if let Some(i) = t.indexes.iter().position(|x| x.name == index.name) {
                    t.indexes.remove(i);
                } else {
                    let generated = |c: &Column| {
                        c.index
                            && !c.primary_key
                            && shorten_generated_name(format!("ix_{}_{}", table, c.name))
                                == index.name
                    };
                    let Some(c) = t.columns.iter_mut().find(|c| generated(c)) else {
                        return Err(Error::misuse(format!(
                            "table {table:?} has no index {:?}",
                            index.name
                        )));
                    };
                    c.index = false;
                }
            }
            SchemaOp::AddUnique { table, unique } => {
                table_mut(md, table)?.uniques.push(unique.clone());
            }
            SchemaOp::DropUnique { table, unique } => {
                let t = table_mut(md, table)?;
                let name = unique_name(table, unique);
                let cols = sorted(&unique.columns);
                if let Some(i) = t
                    .uniques
                    .iter()
                    .position(|u| unique_name(table, u) == name || sorted(&u.columns) == cols)
                {
                    t.uniques.remove(i);
                } else {
                    let single = match unique.columns.as_slice() {
                        [one] => t.columns.iter_mut().find(|c| &c.name == one && c.unique),
                        _ => None,
                    };
                    let Some(c) = single else {
                        return Err(Error::misuse(format!(
                            "table {table:?} has no unique constraint {name:?} on {:?}",
                            unique.columns
                        )));
                    };
                    c.unique = false;
                }
            }
            SchemaOp::AddForeignKey { table, foreign_key } => {
                table_mut(md, table)?.foreign_keys.push(foreign_key.clone());
            }
            SchemaOp::DropForeignKey { table, foreign_key } => {
                let t = table_mut(md, table)?;
                let name = foreign_key.constraint_name(table);
                let Some(i) = t.foreign_keys.iter().position(|f| {
                    f.constraint_name(table) == name
                        || (f.columns == foreign_key.columns
                            && f.ref_table == foreign_key.ref_table
                            && f.ref_columns == foreign_key.ref_columns)
                }) else {
                    return Err(Error::misuse(format!(
                        "table {table:?} has no foreign key {name:?}"
                    )));
                };
                t.foreign_keys.remove(i);
            }
            SchemaOp::AddCheck { table, check } => {
                table_mut(md, table)?.checks.push(check.clone());
            }
            SchemaOp::DropCheck { table, check } => {
                let t = table_mut(md, table)?;
                let named = check.name.as_ref();
                let i = (0..t.checks.len())
                    .find(|&i| named.is_some_and(|n| &t.check_name(i) == n))
                    .or_else(|| t.checks.iter().position(|c| c.sql == check.sql));
                let Some(i) = i else {
                    return Err(Error::misuse(format!(
                        "table {table:?} has no check {:?} ({})",
                        check.name, check.sql
                    )));
                };
                // The others keep the names they had (generated names count positions).
                let names: Vec<String> = (0..t.checks.len()).map(|k| t.check_name(k)).collect();
                t.checks.remove(i);
                for (k, c) in t.checks.iter_mut().enumerate() {
                    let old = if k < i { k } else { k + 1 };
                    c.name = Some(names[old].clone());
                }
            }
        }
        Ok(())
    }
}

fn rename_column(md: &mut MetaData, table: &str, from: &str, to: &str) -> Result<()> {
    let t = table_mut(md, table)?;
    let i = column_position(t, from)?;
    if t.get_column(to).is_some() {
        return Err(Error::misuse(format!(
            "table {table:?} has a column {to:?}"
        )));
    }
    name_column_index(t, from);
    t.columns[i].name = to.to_string();
    let rename = |names: &mut Vec<String>| {
        for n in names.iter_mut() {
            if n == from {
                *n = to.to_string();
            }
        }
    };
    for x in &mut t.indexes {
        rename(&mut x.columns);
    }
    for x in &mut t.uniques {
        rename(&mut x.columns);
    }
    for x in &mut t.foreign_keys {
        rename(&mut x.columns);
    }
    for other in &mut md.tables {
        let refers = other
            .foreign_keys
            .iter()
            .any(|f| f.ref_table == table && f.ref_columns.iter().any(|c| c == from));
        if refers {
            for f in &mut Arc::make_mut(other).foreign_keys {
                if f.ref_table == table {
                    rename(&mut f.ref_columns);
                }
            }
        }
    }
    Ok(())
}

/// Turns the index a column's `index` flag stands for into an explicit index with the name it
/// was created with (`ix_<table>_<column>`), so that it keeps that name through renames.
fn name_column_index(t: &mut Table, column: &str) {
    let Some(c) = t
        .columns
        .iter_mut()
        .find(|c| c.name == column && c.index && !c.primary_key)
    else {
        return;
    };
    c.index = false;
    let name = shorten_generated_name(format!("ix_{}_{}", t.name, column));
    t.indexes.insert(
        0,
        crate::schema::Index {
            name,
            columns: vec![column.to_string()],
            unique: false,
            where_sql: None,
        },
    );
}

fn sorted(names: &[String]) -> Vec<&str> {
    let mut v: Vec<&str> = names.iter().map(String::as_str).collect();
    v.sort_unstable();
    v
}

fn position(md: &MetaData, name: &str) -> Result<usize> {
    md.tables
        .iter()
        .position(|t| t.name == name)
        .ok_or_else(|| Error::misuse(format!("there is no table {name:?}")))
}

fn table_mut<'a>(md: &'a mut MetaData, name: &str) -> Result<&'a mut Table> {
    let i = position(md, name)?;
    Ok(Arc::make_mut(&mut md.tables[i]))
}

fn column_position(t: &Table, name: &str) -> Result<usize> {
    t.columns
        .iter()
        .position(|c| c.name == name)
        .ok_or_else(|| Error::misuse(format!("table {:?} has no column {name:?}", t.name)))
}

/// `c` without the model-only `renamed_from` hint.
pub(super) fn plain_column(c: &Column) -> Column {
    Column {
        renamed_from: None,
        ..c.clone()
    }
}

/// `t` without the model-only `renamed_from` hints (its own and its columns').
pub(super) fn plain_table(t: &Table) -> Table {
    let mut t = t.clone();
    t.renamed_from = None;
    for c in &mut t.columns {
        c.renamed_from = None;
    }
    t
}

/// Clears the `renamed_from` hints of the tables and columns `op` carries.
pub(super) fn strip_hints(op: &mut SchemaOp) {
    match op {
        SchemaOp::CreateTable(t) | SchemaOp::DropTable(t) => *t = plain_table(t),
        SchemaOp::AddColumn { column, .. } | SchemaOp::DropColumn { column, .. } => {
            column.renamed_from = None;
        }
        SchemaOp::AlterColumn { from, to, .. } => {
            from.renamed_from = None;
            to.renamed_from = None;
        }
        _ => {}
    }
}
