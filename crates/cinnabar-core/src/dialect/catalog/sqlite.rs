//! The SQLite catalog: table-valued pragmas (`pragma_table_xinfo`, `pragma_foreign_key_list`,
//! `pragma_index_list` + `pragma_index_info`) joined to `sqlite_schema`, one query each for
//! the whole database, plus the stored CREATE TABLE / CREATE INDEX text for what the pragmas
//! do not say (CHECK constraints, constraint names, partial-index conditions). Returned by
//! `SqliteDialect::catalog()`; run by the engine's `Inspector`.

use std::collections::HashMap;

use super::build::{add_index, add_unique, Cells, TableSet};
use super::normalize::default_key;
use super::sqlite_text::{index_where, parse_create_table, Declared, TableText};
use super::sqlite_types::sqlite_type;
use super::{Catalog, CatalogQuery, CatalogRows, ObjectKind};
use crate::schema::{Column, ForeignKey, Index, ReferentialAction, Table};
use crate::Result;

/// How SQLite describes its schema (the `main` database).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SqliteCatalog;

/// The tables reflected: ordinary tables of `main`, not SQLite's own (`sqlite_%`) and not
/// virtual tables (whose pragmas need their module loaded).
macro_rules! user_tables {
    () => {
        "WITH t AS (SELECT name FROM sqlite_schema WHERE type = 'table' \
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
         AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL%') "
    };
}

const QUERIES: &[CatalogQuery] = &[
    // 0: tables and indexes with their CREATE text.
    CatalogQuery {
        kind: ObjectKind::Tables,
        sql: "SELECT type, name, sql FROM sqlite_schema \
              WHERE type IN ('table', 'index') AND tbl_name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
              AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL%' ORDER BY tbl_name, name",
    },
    // 1: columns (generated and hidden columns are not reflected).
    CatalogQuery {
        kind: ObjectKind::Columns,
        sql: concat!(
            user_tables!(),
            "SELECT t.name, c.name, c.type, c.\"notnull\", c.dflt_value, c.pk \
             FROM t JOIN pragma_table_xinfo(t.name) AS c WHERE c.hidden = 0 \
             ORDER BY t.name, c.cid"
        ),
    },
    // 2: foreign keys; a higher id was declared earlier.
    CatalogQuery {
        kind: ObjectKind::ForeignKeys,
        sql: concat!(
            user_tables!(),
            "SELECT t.name, f.id, f.\"table\", f.\"from\", f.\"to\", f.on_update, f.on_delete \
             FROM t JOIN pragma_foreign_key_list(t.name) AS f \
             ORDER BY t.name, f.id DESC, f.seq"
        ),
    },
    // 3: indexes (origin c = CREATE INDEX, u = UNIQUE constraint, pk = primary key) with
    // their columns; an expression column has no name.
    CatalogQuery {
        kind: ObjectKind::Indexes,
        sql: concat!(
            user_tables!(),
            "SELECT t.name, l.name, l.\"unique\", l.origin, l.partial, i.name \
             FROM t JOIN pragma_index_list(t.name) AS l JOIN pragma_index_info(l.name) AS i \
             ORDER BY t.name, l.name, i.seqno"
        ),
    },
];

impl Catalog for SqliteCatalog {
    fn queries(&self) -> &'static [CatalogQuery] {
        QUERIES
    }

    fn assemble(&self, results: &[CatalogRows]) -> Result<Vec<Table>> {
        let rows = |i: usize| results.get(i).map_or(&[][..], |r| r.as_slice());
        let mut set = TableSet::new();
        let mut texts: HashMap<String, TableText> = HashMap::new();
        let mut index_sql: HashMap<String, String> = HashMap::new();
        for row in rows(0) {
            let r = Cells::new(row, "SQLite tables");
            let (kind, name) = (r.text(0)?, r.text(1)?);
            let sql = r.opt_text(2)?.unwrap_or("");
            if kind == "table" {
                set.add(name);
                texts.insert(name.to_string(), parse_create_table(sql));
            } else {
                index_sql.insert(name.to_string(), sql.to_string());
            }
        }
        columns(&mut set, rows(1), &texts)?;
        foreign_keys(&mut set, rows(2), &texts)?;
        indexes(&mut set, rows(3), &texts, &index_sql)?;
        for (name, text) in texts {
            if let Some(t) = set.get_mut(&name) {
                t.checks = text.checks;
            }
        }
        Ok(set.into_sorted())
    }

    /// SQLite keeps a default as written, without the parentheses `DEFAULT (..)` needs: the
    /// key drops enclosing parentheses, lower-cases words outside literals and spaces tokens
    /// evenly (`(CURRENT_TIMESTAMP)` and `current_timestamp` compare equal).
    fn normalize_default(&self, sql: &str) -> String {
        default_key(sql, false)
    }
}

fn columns(
    set: &mut TableSet,
    rows: &[Vec<crate::Value>],
    texts: &HashMap<String, TableText>,
) -> Result<()> {
    for row in rows {
        let r = Cells::new(row, "SQLite columns");
        let table = r.text(0)?;
        let Some(t) = set.get_mut(table) else {
            continue;
        };
        let (sql_type, custom_type) = sqlite_type(r.text(2)?);
        let mut c = Column::new(r.text(1)?, sql_type);
        c.custom_type = custom_type;
        c.nullable = !r.flag(3)?;
        c.server_default = r.opt_text(4)?.map(str::to_string);
        c.primary_key = r.int(5)? > 0;
        t.columns.push(c);
    }
    // A single INTEGER primary key of a rowid table is the rowid: the database assigns it,
    // and it cannot hold NULL.
    for (name, text) in texts {
        let Some(t) = set.get_mut(name) else { continue };
        let pk: Vec<usize> = t.primary_key_indices();
        if let [i] = pk.as_slice() {
            let c = &mut t.columns[*i];
            if !text.without_rowid
                && c.sql_type == crate::types::SqlType::BigInt
                && c.custom_type.is_none()
            {
                c.autoincrement = true;
                c.nullable = false;
            }
        }
    }
    Ok(())
}

fn action(text: &str) -> Option<ReferentialAction> {
    match text.to_ascii_uppercase().as_str() {
        "CASCADE" => Some(ReferentialAction::Cascade),
        "RESTRICT" => Some(ReferentialAction::Restrict),
        "SET NULL" => Some(ReferentialAction::SetNull),
        "SET DEFAULT" => Some(ReferentialAction::SetDefault),
        // NO ACTION is what an undeclared action means.
        _ => None,
    }
}

fn same_names(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}

/// The name declared in CREATE TABLE for the constraint over `columns` (and `ref_table`),
/// taking each declaration once.
fn declared_name(
    declared: &[Declared],
    used: &mut Vec<bool>,
    columns: &[String],
    ref_table: Option<&str>,
) -> Option<String> {
    used.resize(declared.len(), false);
    let i = declared.iter().enumerate().position(|(i, d)| {
        !used[i]
            && same_names(&d.columns, columns)
            && match (ref_table, d.ref_table.as_deref()) {
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => true,
            }
    })?;
    used[i] = true;
    declared[i].name.clone()
}

fn foreign_keys(
    set: &mut TableSet,
    rows: &[Vec<crate::Value>],
    texts: &HashMap<String, TableText>,
) -> Result<()> {
    // (table, id) → foreign key, in query order (declaration order).
    let mut fks: Vec<(String, i64, ForeignKey, bool)> = Vec::new();
    for row in rows {
        let r = Cells::new(row, "SQLite foreign keys");
        let (table, id) = (r.text(0)?, r.int(1)?);
        let to = r.opt_text(4)?;
        match fks.last_mut() {
            Some((t, i, fk, _)) if t == table && *i == id => {
                fk.columns.push(r.text(3)?.to_string());
                fk.ref_columns.extend(to.map(str::to_string));
            }
            _ => {
                let mut fk = ForeignKey::new(r.text(3)?, r.text(2)?, "");
                fk.ref_columns = to.map(str::to_string).into_iter().collect();
                fk.on_update = action(r.text(5)?);
                fk.on_delete = action(r.text(6)?);
                fks.push((table.to_string(), id, fk, to.is_none()));
            }
        }
    }
    let mut used: HashMap<String, Vec<bool>> = HashMap::new();
    for (table, _, mut fk, implicit) in fks {
        // SQLite names are case-insensitive: `REFERENCES AUTHORS` is table `authors`.
        let parent = set.get_ignore_case(&fk.ref_table);
        if let Some(p) = parent {
            fk.ref_table.clone_from(&p.name);
            if implicit {
                // `REFERENCES parent` without columns: the parent's primary key.
                fk.ref_columns = p
                    .columns
                    .iter()
                    .filter(|c| c.primary_key)
                    .map(|c| c.name.clone())
                    .collect();
            }
        }
        if let Some(text) = texts.get(&table) {
            let used = used.entry(table.clone()).or_default();
            fk.name = declared_name(&text.foreign_keys, used, &fk.columns, Some(&fk.ref_table));
        }
        if let Some(t) = set.get_mut(&table) {
            t.foreign_keys.push(fk);
        }
    }
    Ok(())
}

fn indexes(
    set: &mut TableSet,
    rows: &[Vec<crate::Value>],
    texts: &HashMap<String, TableText>,
    index_sql: &HashMap<String, String>,
) -> Result<()> {
    struct Found {
        table: String,
        name: String,
        unique: bool,
        origin: String,
        partial: bool,
        columns: Vec<String>,
        expression: bool,
    }
    let mut found: Vec<Found> = Vec::new();
    for row in rows {
        let r = Cells::new(row, "SQLite indexes");
        let (table, name) = (r.text(0)?, r.text(1)?);
        let column = r.opt_text(5)?;
        let f = match found.last_mut() {
            Some(f) if f.table == table && f.name == name => f,
            _ => {
                found.push(Found {
                    table: table.to_string(),
                    name: name.to_string(),
                    unique: r.flag(2)?,
                    origin: r.text(3)?.to_string(),
                    partial: r.flag(4)?,
                    columns: Vec::new(),
                    expression: false,
                });
                let last = found.len() - 1;
                &mut found[last]
            }
        };
        match column {
            Some(c) => f.columns.push(c.to_string()),
            None => f.expression = true,
        }
    }
    // UNIQUE constraints in the order CREATE TABLE declares them, then indexes by name.
    let mut by_table: HashMap<&str, Vec<&Found>> = HashMap::new();
    for f in found.iter().filter(|f| !f.expression && f.origin == "u") {
        by_table.entry(f.table.as_str()).or_default().push(f);
    }
    for (table, mut constraints) in by_table {
        let Some(t) = set.get_mut(table) else {
            continue;
        };
        let declared = texts.get(table).map_or(&[][..], |x| x.uniques.as_slice());
        let mut ordered: Vec<(Option<String>, Vec<String>)> = Vec::new();
        for d in declared {
            if let Some(pos) = constraints
                .iter()
                .position(|f| same_names(&f.columns, &d.columns))
            {
                let f = constraints.remove(pos);
                ordered.push((d.name.clone(), f.columns.clone()));
            }
        }
        ordered.extend(constraints.into_iter().map(|f| (None, f.columns.clone())));
        for (name, columns) in ordered {
            add_unique(t, name, columns, None);
        }
    }
    for f in found.iter().filter(|f| !f.expression && f.origin == "c") {
        let Some(t) = set.get_mut(&f.table) else {
            continue;
        };
        let mut index = Index {
            name: f.name.clone(),
            columns: f.columns.clone(),
            unique: f.unique,
            where_sql: None,
        };
        if f.partial {
            index.where_sql = index_sql.get(&f.name).and_then(|s| index_where(s));
        }
        add_index(t, index);
    }
    Ok(())
}
