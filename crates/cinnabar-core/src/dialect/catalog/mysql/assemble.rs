//! The MySQL catalog's assembly: reads the rows of its queries (one row set per
//! `information_schema` view) and joins them into [`Table`]s by table and constraint name.
//! Used by [`MySqlCatalog::assemble`](super::MySqlCatalog).

use std::collections::{BTreeMap, HashMap};

use super::{normalize, types, Flavor};
use crate::dialect::catalog::build::{add_index, add_unique};
use crate::dialect::catalog::{strip_outer_parens, CatalogRows};
use crate::schema::{
    CheckConstraint, Column, ForeignKey, Index, ReferentialAction, Table, UniqueConstraint,
};
use crate::types::SqlType;
use crate::{Error, Result, Value};

/// The tables being assembled, by name: a `BTreeMap` keeps them sorted (byte order).
pub(super) type Tables = BTreeMap<String, TableBuild>;

/// A table being assembled, with what later steps need to know about its columns.
#[derive(Debug)]
pub(super) struct TableBuild {
    table: Table,
    /// `(ordinal position, column)`, sorted at the end.
    columns: Vec<(i64, Column)>,
    /// Columns whose COLUMN_TYPE was `longtext` (MariaDB's JSON candidates).
    longtext: Vec<String>,
}

impl TableBuild {
    fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns
            .iter_mut()
            .map(|(_, c)| c)
            .find(|c| c.name == name)
    }

    /// The table, columns in ordinal order and constraints sorted by name.
    pub(super) fn finish(mut self) -> Table {
        self.columns.sort_by_key(|(pos, _)| *pos);
        self.table.columns = self.columns.into_iter().map(|(_, c)| c).collect();
        // As the other catalogs read them: a single-column UNIQUE that MySQL named itself
        // (after the column, as it names an unnamed one) is the column's `unique`, and an
        // `ix_<table>_<column>` index the column's `index`, as a model declares them.
        let uniques = std::mem::take(&mut self.table.uniques);
        for u in uniques {
            let default_name = match u.columns.as_slice() {
                [only] => Some(only.clone()),
                _ => None,
            };
            add_unique(&mut self.table, u.name, u.columns, default_name.as_deref());
        }
        for index in std::mem::take(&mut self.table.indexes) {
            add_index(&mut self.table, index);
        }
        let t = &mut self.table;
        t.foreign_keys
            .sort_by(|a, b| a.name.cmp(&b.name).then(a.columns.cmp(&b.columns)));
        t.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        t.uniques.sort_by(|a, b| a.name.cmp(&b.name));
        t.checks.sort_by(|a, b| a.name.cmp(&b.name));
        self.table
    }
}

/// One catalog row, read cell by cell with errors naming the query and the table.
struct Cells<'a> {
    query: &'static str,
    row: &'a [Value],
    /// Which cell holds the table's name, for messages.
    table_at: Option<usize>,
}

impl<'a> Cells<'a> {
    fn new(query: &'static str, row: &'a [Value]) -> Self {
        Cells {
            query,
            row,
            table_at: Some(0),
        }
    }

    fn error(&self, i: usize, what: &str) -> Error {
        let table = match self.table_at.and_then(|t| self.row.get(t)) {
            Some(Value::Text(t)) => format!(" of table {t:?}"),
            Some(Value::Blob(b)) => format!(" of table {:?}", String::from_utf8_lossy(b)),
            _ => String::new(),
        };
        Error::conversion(format!(
            "MySQL catalog, {}{table}: column {i} is not {what} (got {:?})",
            self.query,
            self.row.get(i)
        ))
    }

    /// Text, or NULL. MySQL 8 reports some `information_schema` columns in a binary
    /// collation, which the driver hands over as bytes: those are read as UTF-8.
    fn opt_text(&self, i: usize) -> Result<Option<&'a str>> {
        match self.row.get(i) {
            Some(Value::Null) => Ok(None),
            Some(Value::Text(s)) => Ok(Some(s.as_str())),
            Some(Value::Blob(b)) => std::str::from_utf8(b)
                .map(Some)
                .map_err(|_| self.error(i, "UTF-8 text")),
            _ => Err(self.error(i, "text")),
        }
    }

    fn text(&self, i: usize) -> Result<&'a str> {
        self.opt_text(i)?.ok_or_else(|| self.error(i, "text"))
    }

    /// An integer, which the text protocol sends as digits.
    fn int(&self, i: usize) -> Result<i64> {
        match self.row.get(i) {
            Some(Value::Int(n)) => Ok(*n),
            Some(Value::Text(_) | Value::Blob(_)) => self
                .text(i)?
                .trim()
                .parse()
                .map_err(|_| self.error(i, "an integer")),
            _ => Err(self.error(i, "an integer")),
        }
    }
}

/// The base tables, and the server's flavor from the first row (`None`: no tables).
pub(super) fn read_tables(rows: &CatalogRows) -> Result<(Tables, Option<Flavor>)> {
    let mut map = BTreeMap::new();
    let mut flavor = None;
    for row in rows {
        let cells = Cells::new("tables", row);
        let name = cells.text(0)?;
        if flavor.is_none() {
            flavor = Some(Flavor::from_version(cells.text(1)?));
        }
        map.insert(
            name.to_string(),
            TableBuild {
                table: Table::new(name),
                columns: Vec::new(),
                longtext: Vec::new(),
            },
        );
    }
    Ok((map, flavor))
}

/// Columns with their types, nullability, defaults and AUTO_INCREMENT.
pub(super) fn read_columns(tables: &mut Tables, rows: &CatalogRows, flavor: Flavor) -> Result<()> {
    for row in rows {
        let cells = Cells::new("columns", row);
        // Views' columns are listed too; only base tables were kept.
        let Some(build) = tables.get_mut(cells.text(0)?) else {
            continue;
        };
        let name = cells.text(1)?;
        let position = cells.int(2)?;
        let column_type = cells.text(3)?.trim();
        let nullable = cells.text(4)?.eq_ignore_ascii_case("YES");
        let extra = cells.opt_text(6)?.unwrap_or("");
        let (sql_type, custom_type) = types::map_type(column_type);
        let server_default =
            normalize::reflected_default(cells.opt_text(5)?, column_type, extra, flavor);
        if column_type.eq_ignore_ascii_case("longtext") {
            build.longtext.push(name.to_string());
        }
        let mut column = Column::new(name, sql_type);
        column.nullable = nullable;
        column.autoincrement = extra.to_ascii_lowercase().contains("auto_increment");
        column.server_default = server_default;
        column.custom_type = custom_type;
        build.columns.push((position, column));
    }
    Ok(())
}

/// CHECK constraints: `names` are TABLE_CONSTRAINTS' `(TABLE_NAME, CONSTRAINT_NAME)`,
/// `clauses` CHECK_CONSTRAINTS' `*`: on MariaDB `CONSTRAINT_CATALOG, CONSTRAINT_SCHEMA,
/// TABLE_NAME, CONSTRAINT_NAME, [LEVEL,] CHECK_CLAUSE`, on MySQL 8 `CONSTRAINT_CATALOG,
/// CONSTRAINT_SCHEMA, CONSTRAINT_NAME, CHECK_CLAUSE` (the table then comes from `names`:
/// MySQL's check names are unique in a database). MariaDB's `json_valid(col)` check of a
/// LONGTEXT column makes it JSON and is not reported.
pub(super) fn read_checks(
    tables: &mut Tables,
    names: &CatalogRows,
    clauses: &CatalogRows,
    flavor: Flavor,
) -> Result<()> {
    let mut table_of: HashMap<&str, &str> = HashMap::new();
    if !flavor.mariadb {
        for row in names {
            let cells = Cells::new("check constraint names", row);
            table_of.insert(cells.text(1)?, cells.text(0)?);
        }
    }
    for row in clauses {
        let mut cells = Cells::new("check constraints", row);
        let (table, name, clause) = if flavor.mariadb {
            cells.table_at = Some(2);
            let last = row.len().saturating_sub(1).max(4);
            (cells.text(2)?, cells.text(3)?, cells.text(last)?)
        } else {
            cells.table_at = None;
            let name = cells.text(2)?;
            let Some(table) = table_of.get(name) else {
                return Err(cells.error(
                    2,
                    "a check TABLE_CONSTRAINTS lists (was the schema \
                     changed while it was read?)",
                ));
            };
            (*table, name, cells.text(3)?)
        };
        let Some(build) = tables.get_mut(table) else {
            continue;
        };
        let clause = normalize::unescape_reported(clause);
        let clause = strip_outer_parens(&clause);
        // `json_valid_column` lower-cases the name, as MySQL compares column names.
        let json_column = normalize::json_valid_column(clause).and_then(|col| {
            build
                .longtext
                .iter()
                .find(|c| c.to_lowercase() == col)
                .cloned()
        });
        if let Some(column) = json_column.and_then(|c| build.column_mut(&c)) {
            column.sql_type = SqlType::Json;
            column.custom_type = None;
            continue;
        }
        build.table.checks.push(CheckConstraint {
            name: Some(name.to_string()),
            sql: clause.to_string(),
            rule: None,
        });
    }
    Ok(())
}

fn action(cells: &Cells<'_>, i: usize) -> Result<Option<ReferentialAction>> {
    match cells.text(i)?.to_ascii_uppercase().as_str() {
        "CASCADE" => Ok(Some(ReferentialAction::Cascade)),
        "SET NULL" => Ok(Some(ReferentialAction::SetNull)),
        "SET DEFAULT" => Ok(Some(ReferentialAction::SetDefault)),
        // InnoDB checks immediately either way; MariaDB reports RESTRICT for an unspecified
        // action and MySQL 8 NO ACTION, so both are the default.
        "RESTRICT" | "NO ACTION" => Ok(None),
        _ => Err(cells.error(i, "a referential action")),
    }
}

/// One column pair of a foreign key: `(ORDINAL_POSITION, column, referenced column)`.
type KeyColumn = (i64, String, String);

/// Foreign keys: `columns` are KEY_COLUMN_USAGE's rows (one per column pair), `rules`
/// REFERENTIAL_CONSTRAINTS' `(TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE)`.
pub(super) fn read_foreign_keys(
    tables: &mut Tables,
    columns: &CatalogRows,
    rules: &CatalogRows,
) -> Result<()> {
    type Actions = (Option<ReferentialAction>, Option<ReferentialAction>);
    let mut actions: HashMap<(&str, &str), Actions> = HashMap::new();
    for row in rules {
        let cells = Cells::new("foreign key rules", row);
        actions.insert(
            (cells.text(0)?, cells.text(1)?),
            (action(&cells, 2)?, action(&cells, 3)?),
        );
    }
    let mut keys: BTreeMap<(String, String), (ForeignKey, Vec<KeyColumn>)> = BTreeMap::new();
    for row in columns {
        let cells = Cells::new("foreign keys", row);
        let table = cells.text(0)?;
        if !tables.contains_key(table) {
            continue;
        }
        let name = cells.text(1)?;
        let Some(&(on_update, on_delete)) = actions.get(&(table, name)) else {
            return Err(cells.error(
                1,
                "a foreign key REFERENTIAL_CONSTRAINTS lists (was the schema changed while it \
                 was read?)",
            ));
        };
        let entry = keys
            .entry((table.to_string(), name.to_string()))
            .or_insert_with(|| {
                let fk = ForeignKey {
                    name: Some(name.to_string()),
                    columns: Vec::new(),
                    ref_table: String::new(),
                    ref_columns: Vec::new(),
                    on_delete,
                    on_update,
                    use_alter: false,
                };
                (fk, Vec::new())
            });
        entry.0.ref_table = cells.text(4)?.to_string();
        entry.1.push((
            cells.int(2)?,
            cells.text(3)?.to_string(),
            cells.text(5)?.to_string(),
        ));
    }
    for ((table, _), (mut fk, mut cols)) in keys {
        cols.sort_by_key(|(pos, _, _)| *pos);
        for (_, col, ref_col) in cols {
            fk.columns.push(col);
            fk.ref_columns.push(ref_col);
        }
        if let Some(build) = tables.get_mut(&table) {
            build.table.foreign_keys.push(fk);
        }
    }
    Ok(())
}

/// One index as STATISTICS lists it, column by column.
struct RawIndex {
    unique: bool,
    /// `(SEQ_IN_INDEX, COLUMN_NAME)`; a `None` column is an expression (MySQL 8 functional
    /// index).
    columns: Vec<(i64, Option<String>)>,
    /// FULLTEXT, SPATIAL, ...: not a B-tree/hash index a model can declare.
    special: bool,
}

/// The primary key (marked on its columns), unique indexes (as named unique constraints) and
/// other indexes, leaving out those InnoDB made for a foreign key and those a model cannot
/// declare (FULLTEXT, SPATIAL, expression indexes).
pub(super) fn read_indexes(tables: &mut Tables, rows: &CatalogRows) -> Result<()> {
    let mut indexes: BTreeMap<(String, String), RawIndex> = BTreeMap::new();
    for row in rows {
        let cells = Cells::new("indexes", row);
        let table = cells.text(0)?;
        if !tables.contains_key(table) {
            continue;
        }
        let kind = cells.opt_text(5)?.unwrap_or("BTREE").to_ascii_uppercase();
        let entry = indexes
            .entry((table.to_string(), cells.text(1)?.to_string()))
            .or_insert(RawIndex {
                unique: cells.int(2)? == 0,
                columns: Vec::new(),
                special: !matches!(kind.as_str(), "BTREE" | "HASH"),
            });
        entry
            .columns
            .push((cells.int(3)?, cells.opt_text(4)?.map(str::to_string)));
    }
    for ((table, name), mut raw) in indexes {
        let Some(build) = tables.get_mut(&table) else {
            continue;
        };
        raw.columns.sort_by_key(|(seq, _)| *seq);
        let Some(columns) = raw
            .columns
            .into_iter()
            .map(|(_, c)| c)
            .collect::<Option<Vec<_>>>()
        else {
            continue; // an expression index: nothing in `Index` can say it
        };
        if raw.special {
            continue;
        }
        if name == "PRIMARY" {
            for col in &columns {
                if let Some(c) = build.column_mut(col) {
                    c.primary_key = true;
                }
            }
        } else if raw.unique {
            build.table.uniques.push(UniqueConstraint {
                name: Some(name),
                columns,
            });
        } else if !made_for_foreign_key(&build.table.foreign_keys, &name, &columns) {
            build.table.indexes.push(Index {
                name,
                columns,
                unique: false,
                where_sql: None,
            });
        }
    }
    Ok(())
}

/// Whether a non-unique index is the one InnoDB created for a foreign key that had none: over
/// exactly the key's columns, named after the constraint or after the first column (`col`,
/// `col_2`, `col_3`, ... when the name was taken).
pub(super) fn made_for_foreign_key(fks: &[ForeignKey], name: &str, columns: &[String]) -> bool {
    fks.iter().any(|fk| {
        if fk.columns != columns {
            return false;
        }
        if fk.name.as_deref() == Some(name) {
            return true;
        }
        let Some(first) = fk.columns.first() else {
            return false;
        };
        // Index names compare case-insensitively on MySQL.
        let lower = name.to_ascii_lowercase();
        let first = first.to_ascii_lowercase();
        match lower.strip_prefix(first.as_str()) {
            Some("") => true,
            Some(rest) => rest
                .strip_prefix('_')
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())),
            None => false,
        }
    })
}
