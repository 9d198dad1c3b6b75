//! Shared by the rebuild tests: a seeded SQLite file in a temp dir (a parent table with
//! `ON DELETE CASCADE` children), fingerprints of table contents, and a helper that reflects
//! a table, plans a run of operations on it and runs the rebuild.
#![allow(dead_code)]

use cinnabar_core::dialect::ServerVersion;
use cinnabar_core::schema::diff::{diff, SchemaOp};
use cinnabar_core::schema::{Column, ForeignKey, MetaData, ReferentialAction, Table};
use cinnabar_core::sql::text;
use cinnabar_core::types::SqlType;
use cinnabar_core::{Result, Value};
use cinnabar_engine::{create_engine, reflect_tables, Connection, Engine, MetaDataExt};
use cinnabar_migrate::rebuild::{self, RebuildReport, TableChange};
use tempfile::TempDir;

pub(crate) const PARENTS: i64 = 200;
pub(crate) const CHILDREN_PER_PARENT: i64 = 4;

/// A SQLite file in a temp dir (kept alive by the returned `TempDir`).
pub(crate) fn engine() -> (TempDir, Engine) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite:///{}", dir.path().join("rebuild.db").display());
    let engine = create_engine(&url).expect("engine");
    (dir, engine)
}

pub(crate) fn courses() -> Table {
    Table::new("courses")
        .column(
            Column::new("id", SqlType::BigInt)
                .primary_key()
                .autoincrement(),
        )
        .column(Column::new("code", SqlType::Text(Some(10))))
        .column(Column::new("credits", SqlType::SmallInt).nullable())
        .column(
            Column::new("title", SqlType::Text(Some(80)))
                .nullable()
                .index(),
        )
        .column(Column::new("note", SqlType::Text(None)).nullable())
        .unique(&["code"])
        .check(None, "credits >= 0")
}

pub(crate) fn enrollments() -> Table {
    Table::new("enrollments")
        .column(
            Column::new("id", SqlType::BigInt)
                .primary_key()
                .autoincrement(),
        )
        .column(Column::new("course_id", SqlType::BigInt).index())
        .column(Column::new("student", SqlType::Text(Some(40))))
        .foreign_key(
            ForeignKey::new("course_id", "courses", "id").on_delete(ReferentialAction::Cascade),
        )
}

/// `courses` with `PARENTS` rows and `enrollments` with `CHILDREN_PER_PARENT` per course.
pub(crate) fn seeded() -> (TempDir, Engine) {
    let (dir, engine) = engine();
    MetaData::new()
        .with(courses())
        .with(enrollments())
        .create_all(&engine)
        .expect("create_all");
    let mut conn = engine.connect().expect("connect");
    conn.execute_script(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {PARENTS}) \
         INSERT INTO courses (id, code, credits, title, note) \
         SELECT i, 'C' || i, i % 7, 'Course ' || i, CASE WHEN i % 3 = 0 THEN NULL ELSE 'n' || i END FROM n; \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {}) \
         INSERT INTO enrollments (course_id, student) SELECT (i - 1) / {CHILDREN_PER_PARENT} + 1, 's' || i FROM n;",
        PARENTS * CHILDREN_PER_PARENT
    ))
    .expect("seed");
    (dir, engine)
}

/// Every row of `table` in rowid order, each value with its SQLite storage class, hashed:
/// `"<rows> rows, <hash>"`. Equal fingerprints mean equal contents.
pub(crate) fn fingerprint(conn: &mut Connection, table: &str) -> String {
    use std::hash::{Hash, Hasher};
    let rows = conn
        .execute(text(format!("SELECT * FROM \"{table}\" ORDER BY rowid")))
        .expect("read table");
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for row in rows.rows() {
        format!("{:?}", row.values()).hash(&mut h);
    }
    format!("{} rows, {:016x}", rows.len(), h.finish())
}

pub(crate) fn count(conn: &mut Connection, sql: &str) -> i64 {
    conn.execute(text(sql)).expect(sql).scalar().expect("count")
}

/// Whether foreign keys are enforced on this connection.
pub(crate) fn foreign_keys_on(conn: &mut Connection) -> bool {
    count(conn, "PRAGMA foreign_keys") == 1
}

/// Tables whose name says they are a rebuild's temporary table.
pub(crate) fn temporary_tables(conn: &mut Connection) -> i64 {
    count(
        conn,
        "SELECT count(*) FROM sqlite_master WHERE name LIKE '\\_cinnabar\\_new\\_%' ESCAPE '\\'",
    )
}

pub(crate) fn foreign_key_violations(conn: &mut Connection) -> usize {
    conn.execute(text("PRAGMA foreign_key_check"))
        .expect("foreign_key_check")
        .len()
}

/// The stored CREATE statements of the whole schema, to compare before and after a failure.
pub(crate) fn schema_text(conn: &mut Connection) -> String {
    let rows = conn
        .execute(text(
            "SELECT type, name, sql FROM sqlite_master ORDER BY type, name",
        ))
        .expect("schema");
    rows.rows()
        .iter()
        .map(|r| format!("{:?}", r.values()))
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) fn reflect(conn: &mut Connection, table: &str) -> Table {
    reflect_tables(conn)
        .expect("reflect")
        .into_iter()
        .find(|t| t.name == table)
        .expect("table exists")
}

/// Reflects `table`, plans `ops` (with the server's version, or `version` when given) and
/// runs the change: the rebuild's report, or `None` when it was applied natively.
pub(crate) fn change(
    conn: &mut Connection,
    table: &str,
    ops: &[SchemaOp],
    version: Option<ServerVersion>,
) -> Result<Option<RebuildReport>> {
    let current = reflect(conn, table);
    let version = match version {
        Some(v) => Some(v),
        None => rebuild::server_version(conn)?,
    };
    match rebuild::plan_ops(conn.dialect(), version, &current, ops)? {
        TableChange::Rebuild(plan) => rebuild::run(conn, &plan).map(Some),
        TableChange::Native(statements) => {
            for s in statements {
                conn.execute_script(&s)?;
            }
            Ok(None)
        }
    }
}

/// The reflected table equals `expected` (their diff is empty).
pub(crate) fn assert_schema(conn: &mut Connection, expected: &Table) {
    let live = reflect(conn, &expected.name);
    let ops = diff(
        &MetaData::new().with(expected.clone()),
        &MetaData::new().with(live.clone()),
        conn.dialect(),
    );
    assert!(ops.is_empty(), "schema differs: {ops:?}\nlive: {live:#?}");
}

pub(crate) fn column(conn: &mut Connection, sql: &str) -> Vec<Value> {
    conn.execute(text(sql))
        .expect(sql)
        .rows()
        .iter()
        .map(|r| r.values()[0].clone())
        .collect()
}
