//! A SQLite table rebuild that fails part-way leaves nothing behind: no temporary table, the
//! original table with every row, the schema as it was, and foreign keys on again. Also the
//! changes a rebuild refuses before touching anything (table features it would drop, a
//! trigger or a foreign key the change would break, a transaction with foreign keys on).

mod common;

use cinnabar_core::schema::diff::SchemaOp;
use cinnabar_core::schema::{CheckConstraint, Column, ForeignKey, Table};
use cinnabar_core::sql::ColumnChange;
use cinnabar_core::types::SqlType;
use cinnabar_core::{Error, ErrorKind};
use cinnabar_engine::Connection;
use cinnabar_migrate::rebuild::{self, Renames};

use common::*;

/// Everything that must hold after a failed rebuild, given the state before it.
struct Snapshot {
    schema: String,
    courses: String,
    enrollments: String,
}

fn snapshot(conn: &mut Connection) -> Snapshot {
    Snapshot {
        schema: schema_text(conn),
        courses: fingerprint(conn, "courses"),
        enrollments: fingerprint(conn, "enrollments"),
    }
}

fn assert_untouched(conn: &mut Connection, before: &Snapshot) {
    assert_eq!(temporary_tables(conn), 0, "no temporary table is left");
    assert_eq!(schema_text(conn), before.schema, "the schema is as it was");
    assert_eq!(fingerprint(conn, "courses"), before.courses);
    assert_eq!(fingerprint(conn, "enrollments"), before.enrollments);
    assert!(foreign_keys_on(conn), "foreign keys are on again");
    assert!(!conn.in_transaction());
    assert_eq!(foreign_key_violations(conn), 0);
}

fn failing(conn: &mut Connection, table: &str, ops: &[SchemaOp]) -> Error {
    let before = snapshot(conn);
    let e = change(conn, table, ops, None).expect_err("the change fails");
    assert_untouched(conn, &before);
    e
}

#[test]
fn a_not_null_column_without_default_on_a_table_with_rows() {
    let (_dir, engine) = seeded();
    let mut conn = engine.connect().unwrap();
    let e = failing(
        &mut conn,
        "courses",
        &[SchemaOp::AddColumn {
            table: "courses".into(),
            column: Column::new("room", SqlType::Integer),
        }],
    );
    assert_eq!(e.kind(), ErrorKind::NotNullViolation, "{e}");
    assert!(e.message().contains("copying the rows"), "{e}");
    assert!(e.message().contains("\"courses\""), "{e}");
}

#[test]
fn a_type_change_whose_values_fail_a_check() {
    let (_dir, engine) = seeded();
    let mut conn = engine.connect().unwrap();
    // Titles become integers, and a check wants them to be: 'Course 1' is not.
    let e = failing(
        &mut conn,
        "courses",
        &[
            SchemaOp::AlterColumn {
                table: "courses".into(),
                from: Column::new("title", SqlType::Text(Some(80))).nullable(),
                to: Column::new("title", SqlType::Integer).nullable(),
                changes: vec![ColumnChange::Type],
            },
            SchemaOp::AddCheck {
                table: "courses".into(),
                check: CheckConstraint {
                    name: Some("ck_courses_title_number".into()),
                    sql: "typeof(title) = 'integer'".into(),
                    rule: None,
                },
            },
        ],
    );
    assert_eq!(e.kind(), ErrorKind::CheckViolation, "{e}");
}

#[test]
fn a_foreign_key_that_existing_rows_violate() {
    let (_dir, engine) = seeded();
    let mut conn = engine.connect().unwrap();
    conn.execute_script(
        "CREATE TABLE rooms (id INTEGER NOT NULL PRIMARY KEY); INSERT INTO rooms VALUES (1), (2); \
         ALTER TABLE courses ADD COLUMN room_id INTEGER; \
         UPDATE courses SET room_id = 1 + id % 3;",
    )
    .unwrap();
    let e = failing(
        &mut conn,
        "courses",
        &[SchemaOp::AddForeignKey {
            table: "courses".into(),
            foreign_key: ForeignKey::new("room_id", "rooms", "id"),
        }],
    );
    assert_eq!(e.kind(), ErrorKind::ForeignKeyViolation, "{e}");
    // Courses with id % 3 == 2 point at room 3, which does not exist.
    let expected = (1..=PARENTS).filter(|i| i % 3 == 2).count();
    assert!(
        e.message().contains(&format!("found {expected} row(s)")),
        "{e}"
    );
    assert!(e.message().contains("courses rowid 2 -> rooms"), "{e}");
}

/// A parent rebuilt without the UNIQUE constraint a child's foreign key references: the
/// check of the child (not only of the rebuilt table) fails, and everything is rolled back.
#[test]
fn a_parent_change_that_breaks_a_child_foreign_key() {
    let (_dir, engine) = seeded();
    let mut conn = engine.connect().unwrap();
    conn.execute_script(
        "CREATE TABLE sections (id INTEGER NOT NULL PRIMARY KEY, \
         course_code VARCHAR(10) REFERENCES courses (code)); \
         INSERT INTO sections (course_code) SELECT code FROM courses WHERE id <= 10;",
    )
    .unwrap();
    let e = failing(
        &mut conn,
        "courses",
        &[SchemaOp::DropUnique {
            table: "courses".into(),
            unique: cinnabar_core::schema::UniqueConstraint {
                name: None,
                columns: vec!["code".into()],
            },
        }],
    );
    assert!(e.message().contains("foreign key mismatch"), "{e}");
    assert!(e.message().contains("checking foreign keys"), "{e}");
    assert_eq!(count(&mut conn, "SELECT count(*) FROM sections"), 10);
}

#[test]
fn a_view_the_change_breaks() {
    let (_dir, engine) = seeded();
    let mut conn = engine.connect().unwrap();
    conn.execute_script("CREATE VIEW course_notes AS SELECT id, note FROM courses")
        .unwrap();
    let e = failing(
        &mut conn,
        "courses",
        &[
            SchemaOp::DropColumn {
                table: "courses".into(),
                column: Column::new("note", SqlType::Text(None)).nullable(),
            },
            SchemaOp::DropCheck {
                table: "courses".into(),
                check: CheckConstraint {
                    name: None,
                    sql: "credits >= 0".into(),
                    rule: None,
                },
            },
        ],
    );
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert!(e.message().contains("view \"course_notes\""), "{e}");
}

#[test]
fn a_trigger_naming_a_dropped_column_is_refused_before_anything_changes() {
    let (_dir, engine) = seeded();
    let mut conn = engine.connect().unwrap();
    conn.execute_script(
        "CREATE TABLE audit (what TEXT); \
         CREATE TRIGGER courses_audit AFTER UPDATE ON courses BEGIN \
           INSERT INTO audit VALUES (new.note); END;",
    )
    .unwrap();
    let e = failing(
        &mut conn,
        "courses",
        &[
            SchemaOp::DropColumn {
                table: "courses".into(),
                column: Column::new("note", SqlType::Text(None)).nullable(),
            },
            SchemaOp::AlterColumn {
                table: "courses".into(),
                from: Column::new("credits", SqlType::SmallInt).nullable(),
                to: Column::new("credits", SqlType::Integer).nullable(),
                changes: vec![ColumnChange::Type],
            },
        ],
    );
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert!(e.message().contains("trigger \"courses_audit\""), "{e}");
    assert!(e.message().contains("\"note\""), "{e}");
}

#[test]
fn a_renamed_column_another_table_references_is_refused() {
    let (_dir, engine) = seeded();
    let mut conn = engine.connect().unwrap();
    let e = failing(
        &mut conn,
        "courses",
        &[
            SchemaOp::RenameColumn {
                table: "courses".into(),
                from: "id".into(),
                to: "course_id".into(),
            },
            SchemaOp::AlterColumn {
                table: "courses".into(),
                from: Column::new("credits", SqlType::SmallInt).nullable(),
                to: Column::new("credits", SqlType::Integer).nullable(),
                changes: vec![ColumnChange::Type],
            },
        ],
    );
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert!(e.message().contains("table \"enrollments\""), "{e}");
}

#[test]
fn table_features_a_rebuild_would_drop_are_refused() {
    let (_dir, engine) = engine();
    let mut conn = engine.connect().unwrap();
    conn.execute_script(
        "CREATE TABLE tags (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT COLLATE NOCASE); \
         INSERT INTO tags (name) VALUES ('a'), ('b');",
    )
    .unwrap();
    let before = schema_text(&mut conn);
    let e = change(
        &mut conn,
        "tags",
        &[SchemaOp::AlterColumn {
            table: "tags".into(),
            from: Column::new("name", SqlType::Text(None)).nullable(),
            to: Column::new("name", SqlType::Text(None)),
            changes: vec![ColumnChange::Nullability],
        }],
        None,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert!(
        e.message().contains("AUTOINCREMENT, a COLLATE clause"),
        "{e}"
    );
    assert_eq!(schema_text(&mut conn), before);
    assert_eq!(count(&mut conn, "SELECT count(*) FROM tags"), 2);
    assert!(foreign_keys_on(&mut conn));
}

#[test]
fn inside_a_transaction_with_foreign_keys_on_nothing_runs() {
    let (_dir, engine) = seeded();
    let mut conn = engine.connect().unwrap();
    let before = snapshot(&mut conn);
    conn.begin_write_level().unwrap();
    let e = change(
        &mut conn,
        "courses",
        &[SchemaOp::AlterColumn {
            table: "courses".into(),
            from: Column::new("credits", SqlType::SmallInt).nullable(),
            to: Column::new("credits", SqlType::Integer).nullable(),
            changes: vec![ColumnChange::Type],
        }],
        None,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
    assert!(e.message().contains("with_foreign_keys_off"), "{e}");
    conn.rollback_level().unwrap();
    assert_untouched(&mut conn, &before);
}

#[test]
fn plans_refuse_what_does_not_fit_the_table() {
    let (_dir, engine) = seeded();
    let mut conn = engine.connect().unwrap();
    let current = reflect(&mut conn, "courses");
    let d = conn.dialect();
    // Another table's name.
    let other = Table::new("other").column(Column::new("id", SqlType::BigInt).primary_key());
    let e = rebuild::plan(d, &current, &other, &Renames::new()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse);
    // A rename from a column that is not there.
    let e = rebuild::plan(
        d,
        &current,
        &current,
        &Renames::new().column("nope", "code"),
    )
    .unwrap_err();
    assert!(e.message().contains("\"nope\""), "{e}");
    // Dropping a column an index of other columns still uses (an index of the column
    // alone, made by its `index` flag, goes with it).
    let e = rebuild::apply_ops(
        d,
        &current,
        &[
            SchemaOp::AddIndex {
                table: "courses".into(),
                index: cinnabar_core::schema::Index::new(
                    "ix_courses_title_code",
                    &["title", "code"],
                ),
            },
            SchemaOp::DropColumn {
                table: "courses".into(),
                column: Column::new("title", SqlType::Text(Some(80))).nullable(),
            },
        ],
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse);
    assert!(e.message().contains("ix_courses_title_code"), "{e}");
    assert!(e.message().contains("step 2"), "{e}");
    // Every column gone: the rows would be lost.
    let mut empty = current.clone();
    empty.columns = vec![Column::new("other", SqlType::Integer).nullable()];
    empty.indexes.clear();
    empty.uniques.clear();
    empty.checks.clear();
    let e = rebuild::plan(d, &current, &empty, &Renames::new()).unwrap_err();
    assert!(e.message().contains("every row would be lost"), "{e}");
    // A dialect that never rebuilds.
    let e = rebuild::plan(
        &cinnabar_core::dialect::PostgresDialect,
        &current,
        &current,
        &Renames::new(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
}
