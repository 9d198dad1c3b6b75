//! Autogenerate (issue 10, item 2) against live databases on the three backends, with
//! models from `#[derive(Model)]`: right after `create_all` nothing is generated (and the
//! revision written from an empty database replays to the same schema: no drift); a column
//! and a table renamed with `#[cinnabar(renamed_from = "old")]` come out as renames, never a
//! drop and an add, and applying them keeps every row's values.

#[macro_use]
mod support;

use cinnabar::migrate::{autogenerate_for, AutogenerateOptions, MigrationDir, Step};
use cinnabar::prelude::*;
use cinnabar::SchemaOp;
use support::{Backend, TestDb};

backend_tests!(
    autogenerate_right_after_create_all_is_empty,
    renames_come_from_renamed_from,
    dropping_a_column_needs_allow_destructive,
);

mod v1 {
    use cinnabar::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "courses")]
    pub(crate) struct Course {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        #[cinnabar(length = 100)]
        pub title: String,
    }

    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "students", check = "age >= 0", unique(name, course_id))]
    pub(crate) struct Student {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        #[cinnabar(length = 50)]
        pub name: String,
        #[cinnabar(length = 20, index)]
        pub course: String,
        pub age: i32,
        #[cinnabar(length = 120, unique)]
        pub email: Option<String>,
        #[cinnabar(length = 10, server_default = "'active'")]
        pub status: Option<String>,
        #[cinnabar(foreign_key = "courses.id", on_delete = "cascade")]
        pub course_id: Option<i64>,
    }
}

mod v2 {
    use cinnabar::prelude::*;

    /// `courses` renamed to `modules`.
    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "modules", renamed_from = "courses")]
    pub(crate) struct Module {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        #[cinnabar(length = 100)]
        pub title: String,
    }

    /// `course` renamed to `course_code`, the foreign key now to `modules`.
    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "students", check = "age >= 0", unique(name, course_id))]
    pub(crate) struct Student {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        #[cinnabar(length = 50)]
        pub name: String,
        #[cinnabar(length = 20, index, renamed_from = "course")]
        pub course_code: String,
        pub age: i32,
        #[cinnabar(length = 120, unique)]
        pub email: Option<String>,
        #[cinnabar(length = 10, server_default = "'active'")]
        pub status: Option<String>,
        #[cinnabar(foreign_key = "modules.id", on_delete = "cascade")]
        pub course_id: Option<i64>,
    }

    /// v1's students without `email`.
    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "students", check = "age >= 0", unique(name, course_id))]
    pub(crate) struct StudentNoEmail {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        #[cinnabar(length = 50)]
        pub name: String,
        #[cinnabar(length = 20, index)]
        pub course: String,
        pub age: i32,
        #[cinnabar(length = 10, server_default = "'active'")]
        pub status: Option<String>,
        #[cinnabar(foreign_key = "courses.id", on_delete = "cascade")]
        pub course_id: Option<i64>,
    }
}

fn models_v1() -> MetaData {
    MetaData::new()
        .with(<v1::Course as Model>::table().clone())
        .with(<v1::Student as Model>::table().clone())
}

fn models_v2() -> MetaData {
    MetaData::new()
        .with(<v2::Module as Model>::table().clone())
        .with(<v2::Student as Model>::table().clone())
}

/// Three courses and 30 students, 10 per course.
fn seed(db: &TestDb) {
    let mut conn = db.engine.connect().unwrap();
    for c in 1..=3 {
        conn.execute(
            text("INSERT INTO courses (id, title) VALUES (:id, :t)")
                .bind("id", c as i64)
                .bind("t", format!("course {c}")),
        )
        .unwrap();
    }
    for s in 1..=30_i64 {
        conn.execute(
            text(
                "INSERT INTO students (id, name, course, age, email, course_id) \
                 VALUES (:id, :n, :c, :a, :e, :k)",
            )
            .bind("id", s)
            .bind("n", format!("student {s}"))
            .bind("c", format!("C-{}", s % 7))
            .bind("a", (s % 40) as i32)
            .bind("e", format!("s{s}@example.org"))
            .bind("k", s % 3 + 1),
        )
        .unwrap();
    }
}

fn no_dir() -> (tempfile::TempDir, MigrationDir) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = MigrationDir::init(tmp.path().join("migrations")).unwrap();
    (tmp, dir)
}

fn lines(ops: &[SchemaOp]) -> Vec<String> {
    ops.iter().map(ToString::to_string).collect()
}

/// Runs the operations' DDL (every one of these is native ALTER on each backend).
fn run(db: &TestDb, ops: &[SchemaOp]) {
    let mut conn = db.engine.connect().unwrap();
    for op in ops {
        for ddl in op.to_ddl() {
            conn.execute(ddl).unwrap_or_else(|e| panic!("{op}: {e}"));
        }
    }
}

fn autogenerate_right_after_create_all_is_empty(db: &TestDb) {
    let models = models_v1();
    let (_tmp, mut dir) = no_dir();
    let opts = AutogenerateOptions::default();

    // Against the empty database: every table is created.
    let first = autogenerate_for(&db.engine, &models, &dir, &opts).unwrap();
    assert!(first.drift.is_empty());
    assert_eq!(
        lines(&first.ops),
        ["create table courses", "create table students"],
        "{:#?}",
        first.ops
    );
    dir.create_revision("create tables", first.steps()).unwrap();

    models.create_all(&db.engine).unwrap();
    seed(db);
    let again = autogenerate_for(&db.engine, &models, &dir, &opts).unwrap();
    assert!(again.ops.is_empty(), "{:#?}", again.ops);
    assert!(again.drift.is_empty(), "drift: {:#?}", again.drift);
}

fn renames_come_from_renamed_from(db: &TestDb) {
    models_v1().create_all(&db.engine).unwrap();
    seed(db);
    let (_tmp, dir) = no_dir();
    let opts = AutogenerateOptions::default();
    let found = autogenerate_for(&db.engine, &models_v2(), &dir, &opts).unwrap();
    assert!(!found.destructive);
    assert_eq!(
        lines(&found.ops),
        [
            "rename table courses to modules",
            "rename column students.course to course_code",
            "drop index ix_students_course on students",
            "add index ix_students_course_code on students [\"course_code\"]",
        ],
        "{:#?}",
        found.ops
    );
    let steps = found.steps();
    assert!(steps.iter().all(|s| !s.is_destructive()));
    assert!(!steps
        .iter()
        .any(|s| matches!(s, Step::Op(SchemaOp::DropColumn { .. }))));

    run(db, &found.ops);
    // Every row kept its values under the new names.
    let mut conn = db.engine.connect().unwrap();
    let rows = conn
        .execute(text(
            "SELECT s.id, s.course_code, m.title FROM students s \
             JOIN modules m ON m.id = s.course_id ORDER BY s.id",
        ))
        .unwrap();
    assert_eq!(rows.len(), 30);
    for (i, row) in rows.rows().iter().enumerate() {
        let id = i as i64 + 1;
        assert_eq!(row.get::<i64>(0).unwrap(), id);
        assert_eq!(row.get::<String>(1).unwrap(), format!("C-{}", id % 7));
        assert_eq!(
            row.get::<String>(2).unwrap(),
            format!("course {}", id % 3 + 1)
        );
    }
    if db.backend == Backend::Sqlite {
        let problems = conn.execute(text("PRAGMA foreign_key_check")).unwrap();
        assert!(problems.is_empty());
    }
    // The cascade still points at the renamed table.
    conn.execute(text("DELETE FROM modules WHERE id = 1"))
        .unwrap();
    assert_eq!(db.scalar("SELECT COUNT(*) FROM students"), Some(20));
    drop(conn);

    let after = autogenerate_for(&db.engine, &models_v2(), &dir, &opts).unwrap();
    assert!(after.ops.is_empty(), "{:#?}", after.ops);
}

fn dropping_a_column_needs_allow_destructive(db: &TestDb) {
    models_v1().create_all(&db.engine).unwrap();
    let models = MetaData::new()
        .with(<v1::Course as Model>::table().clone())
        .with(<v2::StudentNoEmail as Model>::table().clone());
    let (_tmp, dir) = no_dir();
    let e =
        autogenerate_for(&db.engine, &models, &dir, &AutogenerateOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse);
    assert!(e.message().contains("drop column students.email"), "{e}");
    let allowed = AutogenerateOptions {
        allow_destructive: true,
        ..AutogenerateOptions::default()
    };
    let found = autogenerate_for(&db.engine, &models, &dir, &allowed).unwrap();
    assert!(found.destructive);
    assert!(lines(&found.ops).contains(&"drop column students.email".to_string()));
}
