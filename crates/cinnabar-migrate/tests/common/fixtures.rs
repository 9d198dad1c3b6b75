//! Revisions and seeded data shared by the Migrator tests: a migrations directory written
//! through the revision writer (four revisions on the tutorial's students/courses), seed
//! rows, and helpers that read a database back (reflected schema, rows in key order).
#![allow(dead_code)]

use std::path::Path;

use cinnabar::prelude::*;
use cinnabar_core::schema::diff::{diff, SchemaOp};
use cinnabar_core::schema::{Column, ForeignKey, Index, ReferentialAction, Table};
use cinnabar_core::types::SqlType;
use cinnabar_core::Value;
use cinnabar_engine::Inspector;
use cinnabar_migrate::format::write_revision;
use cinnabar_migrate::{MigrationDir, Revision, SqlStep, Step, VERSION_TABLE};

pub(crate) const R1: &str = "20260101000001";
pub(crate) const R2: &str = "20260101000002";
pub(crate) const R3: &str = "20260101000003";
pub(crate) const R4: &str = "20260101000004";
pub(crate) const R5: &str = "20260101000005";

pub(crate) fn courses() -> Table {
    Table::new("courses")
        .column(
            Column::new("id", SqlType::BigInt)
                .primary_key()
                .autoincrement(),
        )
        .column(Column::new("title", SqlType::Text(Some(100))))
}

pub(crate) fn students() -> Table {
    Table::new("students")
        .column(
            Column::new("id", SqlType::BigInt)
                .primary_key()
                .autoincrement(),
        )
        .column(Column::new("name", SqlType::Text(Some(50))))
        .column(Column::new("course", SqlType::Text(Some(20))).nullable())
        .column(Column::new("course_id", SqlType::BigInt).nullable())
        .foreign_key(
            ForeignKey::new("course_id", "courses", "id").on_delete(ReferentialAction::Cascade),
        )
        .with_index(Index::new("ix_students_name", &["name"]))
}

fn op(op: SchemaOp) -> Step {
    Step::Op(op)
}

pub(crate) fn sql_all(text: &str) -> Step {
    Step::Sql(SqlStep {
        all: Some(text.to_owned()),
        ..SqlStep::default()
    })
}

/// A revision value (down steps given), as the writer takes it.
pub(crate) fn revision(
    id: &str,
    parents: &[&str],
    message: &str,
    up: Vec<Step>,
    down: Vec<Step>,
) -> Revision {
    Revision {
        id: id.to_owned(),
        parents: parents.iter().map(|p| (*p).to_owned()).collect(),
        message: message.to_owned(),
        created: "2026-01-01T00:00:00Z".to_owned(),
        destructive: false,
        irreversible: None,
        up,
        down,
        checksum: String::new(),
        path: Default::default(),
    }
}

/// The down steps of mechanical `up` steps: each operation's reverse, last first.
pub(crate) fn mirrored(up: &[Step]) -> Vec<Step> {
    up.iter()
        .rev()
        .map(|s| match s {
            Step::Op(o) => Step::Op(o.reverse()),
            other => other.clone(),
        })
        .collect()
}

/// The file a revision is written to.
pub(crate) fn file_of(dir: &Path, r: &Revision) -> std::path::PathBuf {
    dir.join(format!("{}_{}.toml", r.id, r.message.replace(' ', "_")))
}

/// Writes `revisions` and a HEAD naming the last one.
pub(crate) fn write_dir(dir: &Path, revisions: &[Revision]) {
    for r in revisions {
        std::fs::write(file_of(dir, r), write_revision(r)).unwrap();
    }
    if let Some(last) = revisions.last() {
        std::fs::write(dir.join("HEAD"), format!("{}\n", last.id)).unwrap();
    }
}

/// R1 create courses and students; R2 add students.email with a unique index; R3 rename
/// students.course to course_code; R4 create audit_log and insert one row into it (a data
/// step, undone by a DELETE).
pub(crate) fn four_revisions() -> Vec<Revision> {
    let up1 = vec![
        op(SchemaOp::CreateTable(courses())),
        op(SchemaOp::CreateTable(students())),
    ];
    let up2 = vec![
        op(SchemaOp::AddColumn {
            table: "students".into(),
            column: Column::new("email", SqlType::Text(Some(120))).nullable(),
        }),
        op(SchemaOp::AddIndex {
            table: "students".into(),
            index: Index::new("ix_students_email", &["email"]).unique(),
        }),
    ];
    let up3 = vec![op(SchemaOp::RenameColumn {
        table: "students".into(),
        from: "course".into(),
        to: "course_code".into(),
    })];
    let audit = Table::new("audit_log")
        .column(
            Column::new("id", SqlType::BigInt)
                .primary_key()
                .autoincrement(),
        )
        .column(Column::new("note", SqlType::Text(Some(40))));
    let up4 = vec![
        op(SchemaOp::CreateTable(audit.clone())),
        sql_all("INSERT INTO audit_log (note) VALUES ('r4 applied')"),
    ];
    let down4 = vec![
        sql_all("DELETE FROM audit_log WHERE note = 'r4 applied'"),
        op(SchemaOp::DropTable(audit)),
    ];
    vec![
        revision(R1, &[], "create tables", up1.clone(), mirrored(&up1)),
        revision(R2, &[R1], "add email", up2.clone(), mirrored(&up2)),
        revision(R3, &[R2], "rename course", up3.clone(), mirrored(&up3)),
        revision(R4, &[R3], "audit log", up4, down4),
    ]
}

/// A temp dir holding [`four_revisions`], and the loaded directory.
pub(crate) fn four_revision_dir() -> (tempfile::TempDir, MigrationDir) {
    let tmp = tempfile::tempdir().unwrap();
    write_dir(tmp.path(), &four_revisions());
    let dir = MigrationDir::load(tmp.path()).unwrap();
    (tmp, dir)
}

/// Three courses and `n` students (each with a course code and a course). The students refer
/// to the keys the database generated for the courses, read back: a Galera cluster's
/// `auto_increment_increment` (the cluster size) makes them 1, 4, 7 or 2, 5, 8, not 1, 2, 3.
pub(crate) fn seed(engine: &Engine, n: usize) {
    let mut conn = engine.connect().unwrap();
    conn.execute_script(
        "INSERT INTO courses (title) VALUES ('Maths'); \
         INSERT INTO courses (title) VALUES ('Physics'); \
         INSERT INTO courses (title) VALUES ('Chemistry')",
    )
    .unwrap();
    let courses: Vec<i64> = conn
        .execute(text("SELECT id FROM courses ORDER BY id"))
        .unwrap()
        .rows()
        .iter()
        .map(|r| r.get(0).unwrap())
        .collect();
    assert_eq!(courses.len(), 3, "seed expects an empty courses table");
    let mut sql = String::from("INSERT INTO students (name, course, course_id) VALUES ");
    for i in 0..n {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!(
            "('student {i}', 'C{}', {})",
            i % 7,
            courses[i % 3]
        ));
    }
    conn.execute_script(&sql).unwrap();
}

/// Every row of `table` ordered by `id`, as values.
pub(crate) fn rows(engine: &Engine, table: &str) -> Vec<Vec<Value>> {
    let mut conn = engine.connect().unwrap();
    conn.execute(text(format!("SELECT * FROM {table} ORDER BY id")))
        .unwrap()
        .rows()
        .iter()
        .map(|r| r.values().to_vec())
        .collect()
}

/// The database's tables, the migrator's own left out: the version table and, where the
/// migration lock is a lock table's row (Galera), `<version table>_lock`.
pub(crate) fn schema(engine: &Engine) -> MetaData {
    let lock_table = format!("{VERSION_TABLE}_lock");
    Inspector::new(engine)
        .tables()
        .unwrap()
        .into_iter()
        .filter(|t| t.name != VERSION_TABLE && t.name != lock_table)
        .fold(MetaData::new(), |md, t| md.with(t))
}

/// The operations between two schemas of `engine`'s dialect, as text (empty: the same).
pub(crate) fn schema_diff(engine: &Engine, a: &MetaData, b: &MetaData) -> Vec<String> {
    diff(a, b, engine.dialect())
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// The column names of `table`.
pub(crate) fn columns(engine: &Engine, table: &str) -> Vec<String> {
    Inspector::new(engine)
        .table(table)
        .unwrap()
        .map(|t| t.columns.iter().map(|c| c.name.clone()).collect())
        .unwrap_or_default()
}

/// How many rows `sql` counts.
pub(crate) fn count(engine: &Engine, sql: &str) -> i64 {
    engine.connect().unwrap().scalar(text(sql)).unwrap()
}

/// [`four_revisions`] and R5: widen courses.title to 200 characters and make it unique, two
/// changes of the parent table that SQLite makes with one rebuild (students reference
/// courses ON DELETE CASCADE).
pub(crate) fn five_revisions() -> Vec<Revision> {
    let title = |n| Column::new("title", SqlType::Text(Some(n)));
    let up5 = vec![
        op(SchemaOp::AlterColumn {
            table: "courses".into(),
            from: title(100),
            to: title(200),
            changes: vec![cinnabar_core::sql::ColumnChange::Type],
        }),
        op(SchemaOp::AddUnique {
            table: "courses".into(),
            unique: cinnabar_core::schema::UniqueConstraint {
                name: Some("uq_courses_title".into()),
                columns: vec!["title".into()],
            },
        }),
    ];
    let mut revs = four_revisions();
    revs.push(revision(
        R5,
        &[R4],
        "widen title",
        up5.clone(),
        mirrored(&up5),
    ));
    revs
}
