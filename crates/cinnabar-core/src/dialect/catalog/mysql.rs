//! The MySQL/MariaDB catalog: the `information_schema` queries that read the current
//! database (`DATABASE()`) and the code that turns their rows into [`Table`]s. Returned by
//! [`MySqlDialect::catalog`](crate::dialect::MySqlDialect); run by the engine's `Inspector`;
//! its normalisation is used by the schema diff.
//!
//! Seven queries, each once for the whole database: tables (with the server's `VERSION()`,
//! which tells MariaDB from MySQL), columns, CHECK constraints (their tables, their clauses),
//! foreign keys (their columns, their rules) and index columns; the rows are joined in
//! `mysql/assemble.rs`. What they cannot show is in `docs/schema/reflection-mysql.md`.
//!
//! Choices that shape the result:
//! - A UNIQUE constraint *is* a unique index on MySQL, so every unique index other than the
//!   primary key is reflected as a named [`UniqueConstraint`](crate::schema::UniqueConstraint),
//!   never as a unique [`Index`](crate::schema::Index)
//!   ([`Catalog::unique_constraints_are_indexes`] is true).
//! - InnoDB creates an index for a foreign key that has none. Such an index is not reported:
//!   it is told apart as a non-unique index over exactly the foreign key's columns, in order,
//!   named after the constraint or after its first column (`col`, or `col_2`, ... when that
//!   name was taken), the names InnoDB gives it.
//! - MariaDB's JSON is `LONGTEXT` with a `json_valid(col)` CHECK: the column is
//!   [`SqlType::Json`](crate::types::SqlType::Json) and that check is not reported.
//! - `RESTRICT` and `NO ACTION` are reflected as no action (`None`): InnoDB has no deferred
//!   checks, so the three behave alike (MariaDB reports `RESTRICT` for an unspecified action,
//!   MySQL 8 `NO ACTION`). InnoDB stores a declared `SET DEFAULT` as `RESTRICT`.

mod assemble;
mod normalize;
#[cfg(test)]
mod normalize_tests;
#[cfg(test)]
mod tests;
mod types;

use super::{Catalog, CatalogQuery, CatalogRows, ObjectKind};
use crate::schema::{ReferentialAction, Table};
use crate::{Error, Result};

pub(crate) use normalize::{normalize_mysql_check, normalize_mysql_default, normalize_mysql_type};

/// How MySQL and MariaDB describe a database (`information_schema`, restricted to
/// `DATABASE()`).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct MySqlCatalog;

/// The catalog [`MySqlDialect::catalog`](crate::dialect::MySqlDialect) returns.
pub(crate) static MYSQL_CATALOG: MySqlCatalog = MySqlCatalog;

// Each query reads one information_schema view, filtered on its own schema column so the
// server opens only this database's tables ("Scanned 1 database" in EXPLAIN). The views are
// joined here rather than in SQL: MariaDB joins them with a block nested loop over unindexed
// temporary tables, quadratic in the number of constraints (90 ms for 500 checks against
// 15 ms for the two views alone). No ORDER BY: the assembly sorts.

const TABLES: &str = "SELECT TABLE_NAME, VERSION() FROM information_schema.TABLES \
     WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')";

const COLUMNS: &str = "SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, \
     IS_NULLABLE, COLUMN_DEFAULT, EXTRA FROM information_schema.COLUMNS \
     WHERE TABLE_SCHEMA = DATABASE()";

const CHECK_TABLES: &str = "SELECT TABLE_NAME, CONSTRAINT_NAME \
     FROM information_schema.TABLE_CONSTRAINTS \
     WHERE TABLE_SCHEMA = DATABASE() AND CONSTRAINT_TYPE = 'CHECK'";

// MariaDB's CHECK_CONSTRAINTS names the table (check names are unique per table there);
// MySQL 8's does not (they are unique per database), so its columns are selected with `*`
// and read by position for the server's flavor (see `assemble::read_checks`); the
// TABLE_CONSTRAINTS rows above give MySQL 8's check its table.
const CHECK_CLAUSES: &str = "SELECT * FROM information_schema.CHECK_CONSTRAINTS \
     WHERE CONSTRAINT_SCHEMA = DATABASE()";

const FOREIGN_KEY_COLUMNS: &str = "SELECT TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION, \
     COLUMN_NAME, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME \
     FROM information_schema.KEY_COLUMN_USAGE \
     WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL";

const FOREIGN_KEY_RULES: &str = "SELECT TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE \
     FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()";

const INDEXES: &str = "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, \
     INDEX_TYPE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()";

/// The queries; `assemble` reads `results[i]` as the rows of `QUERIES[i]`.
static QUERIES: [CatalogQuery; 7] = [
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
        sql: CHECK_TABLES,
    },
    CatalogQuery {
        kind: ObjectKind::Checks,
        sql: CHECK_CLAUSES,
    },
    CatalogQuery {
        kind: ObjectKind::ForeignKeys,
        sql: FOREIGN_KEY_COLUMNS,
    },
    CatalogQuery {
        kind: ObjectKind::ForeignKeys,
        sql: FOREIGN_KEY_RULES,
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

    /// The column's name: MySQL names an unnamed UNIQUE index after its first column, and
    /// reflection reports a single-column one of that name as the column's `unique`.
    fn unnamed_unique_name(&self, _table: &str, columns: &[String]) -> Option<String> {
        match columns {
            [column] => Some(column.clone()),
            _ => None,
        }
    }

    fn assemble(&self, results: &[CatalogRows]) -> Result<Vec<Table>> {
        let [tables, columns, check_tables, check_clauses, fk_columns, fk_rules, indexes] = results
        else {
            return Err(Error::misuse(format!(
                "the MySQL catalog needs the rows of its {} queries, got {} result sets",
                QUERIES.len(),
                results.len()
            )));
        };
        let (mut map, flavor) = assemble::read_tables(tables)?;
        let Some(flavor) = flavor else {
            return Ok(Vec::new());
        };
        assemble::read_columns(&mut map, columns, flavor)?;
        assemble::read_checks(&mut map, check_tables, check_clauses, flavor)?;
        assemble::read_foreign_keys(&mut map, fk_columns, fk_rules)?;
        assemble::read_indexes(&mut map, indexes)?;
        Ok(map
            .into_values()
            .map(assemble::TableBuild::finish)
            .collect())
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
/// is spelled and how `CHECK_CONSTRAINTS`' columns are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Flavor {
    /// MariaDB (its `CHECK_CONSTRAINTS` names the table), else MySQL.
    pub mariadb: bool,
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
            mariadb,
            expression_defaults: mariadb && v >= (10, 2, 7),
        }
    }
}
