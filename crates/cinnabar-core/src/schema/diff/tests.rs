//! Unit tests of the schema diff on hand-built tables: every equivalence rule (cases that
//! must produce nothing) in `equivalence`, every kind of operation in `changes`, the order of
//! operations, reversal and the DDL each operation maps onto in `order`. This file holds the
//! shared tables and the test dialects.

mod apply;
mod changes;
mod equivalence;
mod order;
mod renames;

use super::*;
use crate::dialect::catalog::{Catalog, CatalogQuery, CatalogRows};
use crate::dialect::{MySqlDialect, PostgresDialect, SqliteDialect};
use crate::schema::{Column, ForeignKey, ReferentialAction, Table};
use crate::types::SqlType;

/// A catalog that normalises as a real one would: casts dropped from defaults and, when
/// `mariadb`, RESTRICT equal to an unspecified action and unique constraints as indexes.
#[derive(Debug)]
struct TestCatalog {
    mariadb: bool,
}

impl Catalog for TestCatalog {
    fn queries(&self) -> &'static [CatalogQuery] {
        &[]
    }
    fn assemble(&self, _results: &[CatalogRows]) -> crate::Result<Vec<Table>> {
        Ok(Vec::new())
    }
    fn normalize_default(&self, sql: &str) -> String {
        let s = sql.trim();
        let s = s.split("::").next().unwrap_or(s);
        crate::dialect::catalog::strip_outer_parens(s).to_string()
    }
    fn unique_constraints_are_indexes(&self) -> bool {
        self.mariadb
    }
    fn unnamed_unique_name(&self, table: &str, columns: &[String]) -> Option<String> {
        (!self.mariadb).then(|| format!("{table}_{}_key", columns.join("_")))
    }
    fn normalize_action(&self, action: Option<ReferentialAction>) -> Option<ReferentialAction> {
        match action {
            Some(ReferentialAction::Restrict) if self.mariadb => None,
            Some(ReferentialAction::NoAction) => None,
            other => other,
        }
    }
}

static PG_CATALOG: TestCatalog = TestCatalog { mariadb: false };
static MARIADB_CATALOG: TestCatalog = TestCatalog { mariadb: true };

/// A dialect with a test catalog.
#[derive(Debug)]
pub(super) struct WithCatalog {
    base: &'static dyn Dialect,
    catalog: &'static TestCatalog,
}

impl Dialect for WithCatalog {
    fn name(&self) -> &'static str {
        self.base.name()
    }
    fn column_type(&self, column: &Column, keyed: bool) -> String {
        self.base.column_type(column, keyed)
    }
    fn autoincrement_primary_key(&self, column: &Column) -> String {
        self.base.autoincrement_primary_key(column)
    }
    fn max_bind_params(&self) -> usize {
        self.base.max_bind_params()
    }
    fn alter_add_foreign_key(&self) -> bool {
        self.base.alter_add_foreign_key()
    }
    fn catalog(&self) -> Option<&'static dyn Catalog> {
        Some(self.catalog)
    }
}

pub(super) static PG: WithCatalog = WithCatalog {
    base: &PostgresDialect,
    catalog: &PG_CATALOG,
};
pub(super) static MARIADB: WithCatalog = WithCatalog {
    base: &MySqlDialect,
    catalog: &MARIADB_CATALOG,
};

pub(super) fn md(tables: Vec<Table>) -> MetaData {
    let mut m = MetaData::new();
    for t in tables {
        m.add(t);
    }
    m
}

pub(super) fn id() -> Column {
    Column::new("id", SqlType::BigInt)
        .primary_key()
        .autoincrement()
}

pub(super) fn students() -> Table {
    Table::new("students")
        .column(id())
        .column(Column::new("name", SqlType::Text(Some(50))))
        .column(Column::new("age", SqlType::Integer).nullable())
        .column(Column::new("course_id", SqlType::BigInt).nullable())
        .foreign_key(ForeignKey::new("course_id", "courses", "id"))
}

pub(super) fn courses() -> Table {
    Table::new("courses")
        .column(id())
        .column(Column::new("title", SqlType::Text(Some(100))))
}

/// `diff(target, current)` on every dialect (plain, and with the test catalogs).
pub(super) fn on_all(target: &MetaData, current: &MetaData) -> Vec<(&'static str, Vec<SchemaOp>)> {
    let dialects: [(&'static str, &dyn Dialect); 5] = [
        ("sqlite", &SqliteDialect),
        ("postgresql", &PostgresDialect),
        ("mysql", &MySqlDialect),
        ("pg-catalog", &PG),
        ("mariadb-catalog", &MARIADB),
    ];
    dialects
        .into_iter()
        .map(|(n, d)| (n, diff(target, current, d)))
        .collect()
}

pub(super) fn assert_same(target: Vec<Table>, current: Vec<Table>) {
    let (target, current) = (md(target), md(current));
    for (name, ops) in on_all(&target, &current) {
        assert!(
            ops.is_empty(),
            "{name}: expected no operations, got {ops:#?}"
        );
    }
}

pub(super) fn one(target: Vec<Table>, current: Vec<Table>, dialect: &dyn Dialect) -> SchemaOp {
    let mut ops = diff(&md(target), &md(current), dialect);
    assert_eq!(ops.len(), 1, "expected one operation: {ops:#?}");
    ops.remove(0)
}

pub(super) fn students_without_fk() -> Table {
    let mut s = students();
    s.foreign_keys.clear();
    s
}
