//! The MySQL/MariaDB catalog: the `information_schema` queries that read the current
//! database (`DATABASE()`) and the code that turns their rows into [`Table`]s. Returned by
//! [`MySqlDialect::catalog`](crate::dialect::MySqlDialect); run by the engine's `Inspector`;
//! its normalisation is used by the schema diff.
//!
//! Five queries, each once for the whole database: tables (with the server's `VERSION()`,
//! which tells MariaDB from MySQL), columns, CHECK constraints, foreign keys and index
//! columns. What they cannot show is documented in `docs/schema/reflection-mysql.md`.
//!
//! Choices that shape the result:
//! - A UNIQUE constraint *is* a unique index on MySQL, so every unique index other than the
//!   primary key is reflected as a named [`UniqueConstraint`], never as a unique [`Index`]
//!   ([`Catalog::unique_constraints_are_indexes`] is true).
//! - InnoDB creates an index for a foreign key that has none. Such an index is not reported:
//!   it is told apart as a non-unique index over exactly the foreign key's columns, in order,
//!   named after the constraint or after its first column (`col`, or `col_2`, ... when that
//!   name was taken), the names InnoDB gives it.
//! - MariaDB's JSON is `LONGTEXT` with a `json_valid(col)` CHECK: the column is [`SqlType::Json`]
//!   and that check is not reported.
//! - `RESTRICT` and `NO ACTION` are reflected as no action (`None`): InnoDB has no deferred
//!   checks, so the three behave alike (MariaDB reports `RESTRICT` for an unspecified action,
//!   MySQL 8 `NO ACTION`).

mod normalize;
#[cfg(test)]
mod normalize_tests;
#[cfg(test)]
mod tests;
mod types;

use std::collections::BTreeMap;

use super::{strip_outer_parens, Catalog, CatalogQuery, CatalogRows, ObjectKind};
use crate::schema::{
    CheckConstraint, Column, ForeignKey, Index, ReferentialAction, Table, UniqueConstraint,
};
use crate::types::SqlType;
use crate::{Error, Result, Value};

pub use normalize::{normalize_mysql_check, normalize_mysql_default, normalize_mysql_type};

/// How MySQL and MariaDB describe a database (`information_schema`, restricted to
/// `DATABASE()`).
#[derive(Debug, Clone, Copy, Default)]
pub struct MySqlCatalog;

/// The catalog [`MySqlDialect::catalog`](crate::dialect::MySqlDialect) returns.
pub static MYSQL_CATALOG: MySqlCatalog = MySqlCatalog;

const TABLES: &str = "SELECT TABLE_NAME, VERSION() FROM information_schema.TABLES \
     WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') \
     ORDER BY TABLE_NAME";

const COLUMNS: &str = "SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, \
     IS_NULLABLE, COLUMN_DEFAULT, EXTRA FROM information_schema.COLUMNS \
     WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION";

// MySQL 8's CHECK_CONSTRAINTS has no TABLE_NAME (check names are unique per database there);
// MariaDB's has one (names are unique per table). The natural join uses every column the two
// views share, so it joins on the table name exactly where the server has one.
const CHECKS: &str = "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE \
     FROM information_schema.TABLE_CONSTRAINTS NATURAL JOIN information_schema.CHECK_CONSTRAINTS \
     WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_TYPE = 'CHECK' \
     ORDER BY TABLE_NAME, CONSTRAINT_NAME";

const FOREIGN_KEYS: &str = "SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION, \
     k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, \
     r.DELETE_RULE FROM information_schema.KEY_COLUMN_USAGE k \
     JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
     ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.TABLE_NAME = k.TABLE_NAME \
     AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
     WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL \
     ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION";

const INDEXES: &str = "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, \
     INDEX_TYPE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
     ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX";

static QUERIES: [CatalogQuery; 5] = [
    CatalogQuery {
        kind: ObjectKind::Tables,
        sql: TABLES,
    },
    CatalogQuery {
        kind: ObjectKind::Columns,
        sql: COLUMNS,
    },
    CatalogQuery {
        kind: ObjectKind::Checks,
        sql: CHECKS,
    },
    CatalogQuery {
        kind: ObjectKind::ForeignKeys,
        sql: FOREIGN_KEYS,
    },
    CatalogQuery {
        kind: ObjectKind::Indexes,
        sql: INDEXES,
    },
];

impl Catalog for MySqlCatalog {
    fn queries(&self) -> &'static [CatalogQuery] {
        &QUERIES
    }

    fn assemble(&self, results: &[CatalogRows]) -> Result<Vec<Table>> {
        if results.len() != QUERIES.len() {
            return Err(Error::misuse(format!(
                "the MySQL catalog needs the rows of its {} queries, got {} result sets",
                QUERIES.len(),
                results.len()
            )));
        }
        let mut tables = read_tables(&results[0])?;
        let Some(flavor) = tables.flavor else {
            return Ok(Vec::new());
        };
        read_columns(&mut tables.map, &results[1], flavor)?;
        read_checks(&mut tables.map, &results[2])?;
        read_foreign_keys(&mut tables.map, &results[3])?;
        read_indexes(&mut tables.map, &results[4])?;
        Ok(tables.map.into_values().map(TableBuild::finish).collect())
    }

    fn normalize_default(&self, sql: &str) -> String {
        normalize_mysql_default(sql)
    }

    fn normalize_check(&self, sql: &str) -> String {
        normalize_mysql_check(sql)
    }

    fn unique_constraints_are_indexes(&self) -> bool {
        true
    }

    /// `RESTRICT`, `NO ACTION` and no action are one behaviour on InnoDB (it checks every
    /// foreign key immediately). So is `SET DEFAULT`: MariaDB and MySQL accept it in DDL and
    /// InnoDB stores `RESTRICT` instead, so a model that declares it reflects as no action and
    /// no change could ever make them differ.
    fn normalize_action(&self, action: Option<ReferentialAction>) -> Option<ReferentialAction> {
        match action {
            Some(
                ReferentialAction::NoAction
                | ReferentialAction::Restrict
                | ReferentialAction::SetDefault,
            ) => None,
            other => other,
        }
    }

    fn normalize_type(&self, sql: &str) -> String {
        normalize_mysql_type(sql)
    }
}

/// Which server wrote the catalog, read from `VERSION()`: it decides how `COLUMN_DEFAULT`
/// is spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Flavor {
    /// `COLUMN_DEFAULT` is an SQL expression (`'abc'`, `NULL` for none,
    /// `current_timestamp()`): MariaDB 10.2.7 and later. Otherwise it is the bare value
    /// (MySQL, older MariaDB) and `EXTRA` says `DEFAULT_GENERATED` for an expression.
    pub expression_defaults: bool,
}

impl Flavor {
    /// The flavor of a server whose `VERSION()` is `version`, e.g. `10.11.19-MariaDB-0+deb12u1`
    /// or `8.0.36`.
    pub(crate) fn from_version(version: &str) -> Flavor {
        let mariadb = version.to_ascii_lowercase().contains("mariadb");
        // Replication and some proxies show MariaDB's protocol prefix `5.5.5-`.
        let version = version.strip_prefix("5.5.5-").unwrap_or(version);
        let mut parts = version
            .split(|c: char| !c.is_ascii_digit())
            .map(|p| p.parse::<u32>().unwrap_or(0));
        let v = (
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
        );
        Flavor {
            expression_defaults: mariadb && v >= (10, 2, 7),
        }
    }
}

/// A table being assembled, with what later steps need to know about its columns.
#[derive(Debug)]
struct TableBuild {
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

    fn finish(mut self) -> Table {
        self.columns.sort_by_key(|(pos, _)| *pos);
        self.table.columns = self.columns.into_iter().map(|(_, c)| c).collect();
        let t = &mut self.table;
        t.foreign_keys
            .sort_by(|a, b| a.name.cmp(&b.name).then(a.columns.cmp(&b.columns)));
        t.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        t.uniques.sort_by(|a, b| a.name.cmp(&b.name));
        t.checks.sort_by(|a, b| a.name.cmp(&b.name));
        self.table
    }
}

struct Tables {
    /// By name: a `BTreeMap` keeps them sorted by name (byte order).
    map: BTreeMap<String, TableBuild>,
    /// From the first row; `None` when the database has no tables.
    flavor: Option<Flavor>,
}

/// One catalog row, read cell by cell with errors naming the query and the table.
struct Cells<'a> {
    query: &'static str,
    row: &'a [Value],
}

impl<'a> Cells<'a> {
    fn new(query: &'static str, row: &'a [Value]) -> Self {
        Cells { query, row }
    }

    fn error(&self, i: usize, what: &str) -> Error {
        let table = self.opt_text(0).ok().flatten().unwrap_or("?");
        Error::conversion(format!(
            "MySQL catalog, {} of table {table:?}: column {i} is not {what} (got {:?})",
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

fn read_tables(rows: &CatalogRows) -> Result<Tables> {
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
    Ok(Tables { map, flavor })
}

fn read_columns(
    tables: &mut BTreeMap<String, TableBuild>,
    rows: &CatalogRows,
    flavor: Flavor,
) -> Result<()> {
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

fn read_checks(tables: &mut BTreeMap<String, TableBuild>, rows: &CatalogRows) -> Result<()> {
    for row in rows {
        let cells = Cells::new("check constraints", row);
        let Some(build) = tables.get_mut(cells.text(0)?) else {
            continue;
        };
        let name = cells.text(1)?;
        let clause = normalize::unescape_reported(cells.text(2)?);
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

fn read_foreign_keys(tables: &mut BTreeMap<String, TableBuild>, rows: &CatalogRows) -> Result<()> {
    let mut keys: BTreeMap<(String, String), (ForeignKey, Vec<KeyColumn>)> = BTreeMap::new();
    for row in rows {
        let cells = Cells::new("foreign keys", row);
        let table = cells.text(0)?;
        if !tables.contains_key(table) {
            continue;
        }
        let name = cells.text(1)?;
        let entry = keys
            .entry((table.to_string(), name.to_string()))
            .or_insert_with(|| {
                let fk = ForeignKey {
                    name: Some(name.to_string()),
                    columns: Vec::new(),
                    ref_table: String::new(),
                    ref_columns: Vec::new(),
                    on_delete: None,
                    on_update: None,
                    use_alter: false,
                };
                (fk, Vec::new())
            });
        entry.0.ref_table = cells.text(4)?.to_string();
        entry.0.on_update = action(&cells, 6)?;
        entry.0.on_delete = action(&cells, 7)?;
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

fn read_indexes(tables: &mut BTreeMap<String, TableBuild>, rows: &CatalogRows) -> Result<()> {
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
fn made_for_foreign_key(fks: &[ForeignKey], name: &str, columns: &[String]) -> bool {
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
