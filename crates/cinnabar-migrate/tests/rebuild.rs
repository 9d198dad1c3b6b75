//! SQLite table rebuilds keep the data they should: every kind of change that needs a
//! rebuild, on a seeded file database whose parent table has `ON DELETE CASCADE` children.
//! Each test checks the rows (fingerprints), the schema (reflected and diffed against the
//! expected table), the indexes, the foreign-key check and that foreign keys are back on.

mod common;

use cinnabar_core::dialect::ServerVersion;
use cinnabar_core::schema::diff::SchemaOp;
use cinnabar_core::schema::{CheckConstraint, Column, ForeignKey, Index, UniqueConstraint};
use cinnabar_core::sql::{text, ColumnChange};
use cinnabar_core::types::SqlType;
use cinnabar_core::{ErrorKind, Value};
use cinnabar_migrate::rebuild;

use common::*;

fn alter(from: Column, to: Column, changes: &[ColumnChange]) -> SchemaOp {
    SchemaOp::AlterColumn {
        table: "courses".into(),
        from,
        to,
        changes: changes.to_vec(),
    }
}

/// The bug other tools have: a DROP TABLE inside the rebuild's transaction with foreign keys
/// on deletes every child row through ON DELETE CASCADE. Every child row must survive.
#[test]
fn rebuilding_a_parent_keeps_every_cascade_child() {
    let (_dir, engine) = seeded();
    let mut conn = engine.connect().unwrap();
    let children = fingerprint(&mut conn, "enrollments");
    let before = count(&mut conn, "SELECT count(*) FROM enrollments");
    assert_eq!(before, PARENTS * CHILDREN_PER_PARENT);
    assert!(foreign_keys_on(&mut conn));

    let op = alter(
        Column::new("credits", SqlType::SmallInt).nullable(),
        Column::new("credits", SqlType::Integer).nullable(),
        &[ColumnChange::Type],
    );
    let report = change(&mut conn, "courses", &[op], None)
        .unwrap()
        .expect("a rebuild");
    assert_eq!(report.rows, PARENTS as u64);

    assert_eq!(fingerprint(&mut conn, "enrollments"), children);
    assert_eq!(foreign_key_violations(&mut conn), 0);
    assert!(foreign_keys_on(&mut conn), "foreign keys are back on");
    assert_eq!(temporary_tables(&mut conn), 0);
    // The children still reference the rebuilt table: the cascade works.
    conn.execute_script("DELETE FROM courses WHERE id = 1")
        .unwrap();
    assert_eq!(
        count(&mut conn, "SELECT count(*) FROM enrollments"),
        before - CHILDREN_PER_PARENT
    );
    // And a child without a parent is refused.
    let e = conn
        .execute_script("INSERT INTO enrollments (course_id, student) VALUES (99999, 'x')")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ForeignKeyViolation);
}

#[test]
fn widening_types_keeps_values() {
    let (_dir, engine) = seeded();
    let mut conn = engine.connect().unwrap();
    let rows = fingerprint(&mut conn, "courses");
    let ops = [
        alter(
            Column::new("credits", SqlType::SmallInt).nullable(),
            Column::new("credits", SqlType::BigInt).nullable(),
            &[ColumnChange::Type],
        ),
        alter(
            Column::new("code", SqlType::Text(Some(10))),
            Column::new("code", SqlType::Text(Some(40))),
            &[ColumnChange::Type],
        ),
        alter(
            Column::new("note", SqlType::Text(None)).nullable(),
            Column::new("note", SqlType::Decimal(10, 2)).nullable(),
            &[ColumnChange::Type],
        ),
    ];
    let report = change(&mut conn, "courses", &ops, None)
        .unwrap()
        .expect("a rebuild");
    assert_eq!(report.rows, PARENTS as u64);
    // Integer and text values are stored as they were; `note` ('n1', NULL, ..) keeps its
    // text under NUMERIC affinity because it is not a number.
    assert_eq!(fingerprint(&mut conn, "courses"), rows);
    let mut expected = courses();
    expected.columns[1].sql_type = SqlType::Text(Some(40));
    expected.columns[2].sql_type = SqlType::BigInt;
    expected.columns[4].sql_type = SqlType::Decimal(10, 2);
    assert_schema(&mut conn, &expected);
    assert_eq!(foreign_key_violations(&mut conn), 0);
    assert!(foreign_keys_on(&mut conn));
}

#[test]
fn nullability_and_default_changes_keep_values() {
    let (_dir, engine) = seeded();
    let mut conn = engine.connect().unwrap();
    conn.execute_script("UPDATE courses SET credits = 0 WHERE credits IS NULL")
        .unwrap();
    let rows = fingerprint(&mut conn, "courses");
    let ops = [
        // NULL allowed -> NOT NULL (no NULL left), with a default.
        alter(
            Column::new("credits", SqlType::SmallInt).nullable(),
            Column::new("credits", SqlType::SmallInt).server_default("3"),
            &[ColumnChange::Nullability, ColumnChange::Default],
        ),
        // NOT NULL -> NULL allowed.
        alter(
            Column::new("code", SqlType::Text(Some(10))),
            Column::new("code", SqlType::Text(Some(10))).nullable(),
            &[ColumnChange::Nullability],
        ),
    ];
    change(&mut conn, "courses", &ops, None)
        .unwrap()
        .expect("a rebuild");
    assert_eq!(fingerprint(&mut conn, "courses"), rows);
    conn.execute_script("INSERT INTO courses (id, code) VALUES (5000, NULL)")
        .unwrap();
    assert_eq!(
        column(&mut conn, "SELECT credits FROM courses WHERE id = 5000"),
        [Value::Int(3)]
    );
    let e = conn
        .execute_script("INSERT INTO courses (id, code, credits) VALUES (5001, 'x', NULL)")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotNullViolation);
    let mut expected = courses();
    expected.columns[1].nullable = true;
    expected.columns[2].nullable = false;
    expected.columns[2].server_default = Some("3".into());
    assert_schema(&mut conn, &expected);
}

#[test]
fn foreign_keys_are_added_and_dropped() {
    let (_dir, engine) = seeded();
    let mut conn = engine.connect().unwrap();
    let children = fingerprint(&mut conn, "enrollments");
    let fk = ForeignKey::new("course_id", "courses", "id")
        .on_delete(cinnabar_core::schema::ReferentialAction::Cascade);
    change(
        &mut conn,
        "enrollments",
        &[SchemaOp::DropForeignKey {
            table: "enrollments".into(),
            foreign_key: fk.clone(),
        }],
        None,
    )
    .unwrap()
    .expect("a rebuild");
    assert_eq!(fingerprint(&mut conn, "enrollments"), children);
    // No key any more: an orphan is accepted, and deleting a course cascades nowhere.
    conn.execute_script(
        "INSERT INTO enrollments (id, course_id, student) VALUES (90000, 99999, 'o')",
    )
    .unwrap();
    conn.execute_script("DELETE FROM enrollments WHERE id = 90000")
        .unwrap();
    let mut expected = enrollments();
    expected.foreign_keys.clear();
    assert_schema(&mut conn, &expected);

    change(
        &mut conn,
        "enrollments",
        &[SchemaOp::AddForeignKey {
            table: "enrollments".into(),
            foreign_key: fk,
        }],
        None,
    )
    .unwrap()
    .expect("a rebuild");
    assert_eq!(fingerprint(&mut conn, "enrollments"), children);
    assert_schema(&mut conn, &enrollments());
    conn.execute_script("DELETE FROM courses WHERE id = 2")
        .unwrap();
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) FROM enrollments WHERE course_id = 2"
        ),
        0
    );
}

#[test]
fn unique_and_check_constraints_are_added_and_dropped() {
    let (_dir, engine) = seeded();
    let mut conn = engine.connect().unwrap();
    let rows = fingerprint(&mut conn, "courses");
    let ops = [
        SchemaOp::DropUnique {
            table: "courses".into(),
            unique: UniqueConstraint {
                name: None,
                columns: vec!["code".into()],
            },
        },
        SchemaOp::DropCheck {
            table: "courses".into(),
            check: CheckConstraint {
                name: Some("ck_courses_1".into()),
                sql: "credits >= 0".into(),
                rule: None,
            },
        },
        SchemaOp::AddUnique {
            table: "courses".into(),
            unique: UniqueConstraint {
                name: Some("uq_courses_title".into()),
                columns: vec!["title".into()],
            },
        },
        SchemaOp::AddCheck {
            table: "courses".into(),
            check: CheckConstraint {
                name: Some("ck_courses_credits_small".into()),
                sql: "credits < 100".into(),
                rule: None,
            },
        },
    ];
    change(&mut conn, "courses", &ops, None)
        .unwrap()
        .expect("a rebuild");
    assert_eq!(fingerprint(&mut conn, "courses"), rows);
    // The old constraints are gone, the new ones hold.
    conn.execute_script(
        "INSERT INTO courses (id, code, credits, title) VALUES (900, 'C1', -1, 'T900')",
    )
    .unwrap();
    let e = conn
        .execute_script(
            "INSERT INTO courses (id, code, credits, title) VALUES (901, 'C2', 1, 'T900')",
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UniqueViolation);
    let e = conn
        .execute_script(
            "INSERT INTO courses (id, code, credits, title) VALUES (902, 'C3', 100, 'T902')",
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::CheckViolation);
    let mut expected = courses();
    expected.uniques = vec![UniqueConstraint {
        name: Some("uq_courses_title".into()),
        columns: vec!["title".into()],
    }];
    expected.checks = vec![CheckConstraint {
        name: Some("ck_courses_credits_small".into()),
        sql: "credits < 100".into(),
        rule: None,
    }];
    assert_schema(&mut conn, &expected);
    assert_eq!(foreign_key_violations(&mut conn), 0);
}

#[test]
fn primary_key_change_keeps_rows_and_children() {
    let (_dir, engine) = seeded();
    let mut conn = engine.connect().unwrap();
    let rows = fingerprint(&mut conn, "enrollments");
    let parents = fingerprint(&mut conn, "courses");
    change(
        &mut conn,
        "enrollments",
        &[SchemaOp::AlterPrimaryKey {
            table: "enrollments".into(),
            from: vec!["id".into()],
            to: vec!["id".into(), "course_id".into()],
        }],
        None,
    )
    .unwrap()
    .expect("a rebuild");
    assert_eq!(fingerprint(&mut conn, "enrollments"), rows);
    assert_eq!(fingerprint(&mut conn, "courses"), parents);
    let live = reflect(&mut conn, "enrollments");
    let key: Vec<&str> = live
        .primary_key_indices()
        .into_iter()
        .map(|i| live.columns[i].name.as_str())
        .collect();
    assert_eq!(key, ["id", "course_id"]);
    assert_eq!(foreign_key_violations(&mut conn), 0);
}

#[test]
fn dropping_a_column_keeps_the_indexes_of_the_others() {
    let (_dir, engine) = seeded();
    let mut conn = engine.connect().unwrap();
    let kept = fingerprint_columns(&mut conn);
    // `note` has no index; `title` has one. The check on `credits` makes it a rebuild
    // together with the drop.
    let ops = [
        SchemaOp::DropColumn {
            table: "courses".into(),
            column: Column::new("note", SqlType::Text(None)).nullable(),
        },
        alter(
            Column::new("credits", SqlType::SmallInt).nullable(),
            Column::new("credits", SqlType::Integer).nullable(),
            &[ColumnChange::Type],
        ),
    ];
    change(&mut conn, "courses", &ops, None)
        .unwrap()
        .expect("a rebuild");
    assert_eq!(fingerprint_columns(&mut conn), kept);
    let live = reflect(&mut conn, "courses");
    assert!(live.get_column("note").is_none());
    let names: Vec<String> = live.all_indexes().into_iter().map(|i| i.name).collect();
    assert_eq!(names, ["ix_courses_title"]);
    // The index is used, not just declared.
    let plan = conn
        .execute(text(
            "EXPLAIN QUERY PLAN SELECT id FROM courses WHERE title = 'Course 5'",
        ))
        .unwrap();
    assert!(format!("{:?}", plan.rows()).contains("ix_courses_title"));
    let mut expected = courses();
    expected.columns.remove(4);
    expected.columns[2].sql_type = SqlType::Integer;
    assert_schema(&mut conn, &expected);
}

/// `id, code, credits, title` of every course.
fn fingerprint_columns(conn: &mut cinnabar_engine::Connection) -> Vec<Vec<Value>> {
    conn.execute(text(
        "SELECT id, code, credits, title FROM courses ORDER BY id",
    ))
    .unwrap()
    .rows()
    .iter()
    .map(|r| r.values().to_vec())
    .collect()
}

#[test]
fn a_column_renamed_in_a_rebuild_keeps_its_values_and_constraints() {
    let (_dir, engine) = seeded();
    let mut conn = engine.connect().unwrap();
    let before = fingerprint_columns(&mut conn);
    let ops = [
        SchemaOp::RenameColumn {
            table: "courses".into(),
            from: "credits".into(),
            to: "points".into(),
        },
        alter(
            Column::new("points", SqlType::SmallInt).nullable(),
            Column::new("points", SqlType::Integer).nullable(),
            &[ColumnChange::Type],
        ),
        SchemaOp::RenameColumn {
            table: "courses".into(),
            from: "title".into(),
            to: "name".into(),
        },
    ];
    change(&mut conn, "courses", &ops, None)
        .unwrap()
        .expect("a rebuild");
    let after: Vec<Vec<Value>> = conn
        .execute(text(
            "SELECT id, code, points, name FROM courses ORDER BY id",
        ))
        .unwrap()
        .rows()
        .iter()
        .map(|r| r.values().to_vec())
        .collect();
    assert_eq!(after, before);
    // The check now names the new column, and still holds.
    let e = conn
        .execute_script("INSERT INTO courses (id, code, points) VALUES (777, 'X', -5)")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::CheckViolation);
    // The index on the renamed column is kept under its name.
    let live = reflect(&mut conn, "courses");
    let ix = live.all_indexes();
    assert_eq!(ix.len(), 1);
    assert_eq!(ix[0].name, "ix_courses_title");
    assert_eq!(ix[0].columns, ["name"]);
    assert_eq!(foreign_key_violations(&mut conn), 0);
}

/// On a SQLite older than 3.25 (told through the version), RENAME COLUMN is rebuilt.
#[test]
fn a_rename_on_an_old_sqlite_is_a_rebuild() {
    let (_dir, engine) = seeded();
    let mut conn = engine.connect().unwrap();
    let before = fingerprint(&mut conn, "courses");
    let rename = [SchemaOp::RenameColumn {
        table: "courses".into(),
        from: "note".into(),
        to: "remark".into(),
    }];
    let report = change(
        &mut conn,
        "courses",
        &rename,
        Some(ServerVersion::new(3, 24, 0)),
    )
    .unwrap();
    assert!(report.is_some(), "rebuilt");
    assert_eq!(fingerprint(&mut conn, "courses"), before);
    assert!(reflect(&mut conn, "courses").get_column("remark").is_some());
    // On the bundled SQLite the same kind of change is native.
    let back = [SchemaOp::RenameColumn {
        table: "courses".into(),
        from: "remark".into(),
        to: "note".into(),
    }];
    assert!(change(&mut conn, "courses", &back, None).unwrap().is_none());
    assert_schema(&mut conn, &courses());
}

#[test]
fn adding_a_not_null_column_with_a_constant_default_is_native_and_keeps_rows() {
    let (_dir, engine) = seeded();
    let mut conn = engine.connect().unwrap();
    let ops = [SchemaOp::AddColumn {
        table: "courses".into(),
        column: Column::new("level", SqlType::Integer).server_default("1"),
    }];
    assert!(change(&mut conn, "courses", &ops, None).unwrap().is_none());
    assert_eq!(
        count(&mut conn, "SELECT count(*) FROM courses WHERE level = 1"),
        PARENTS
    );
    // A non-constant default is not accepted by ADD COLUMN: a rebuild, rows kept.
    let ops = [SchemaOp::AddColumn {
        table: "courses".into(),
        column: Column::new("created", SqlType::Text(None)).server_default("CURRENT_TIMESTAMP"),
    }];
    let report = change(&mut conn, "courses", &ops, None)
        .unwrap()
        .expect("a rebuild");
    assert_eq!(report.rows, PARENTS as u64);
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) FROM courses WHERE created IS NOT NULL"
        ),
        PARENTS
    );
}

#[test]
fn triggers_of_the_table_are_recreated_and_views_keep_working() {
    let (_dir, engine) = seeded();
    let mut conn = engine.connect().unwrap();
    conn.execute_script(
        "CREATE TABLE audit (what TEXT); \
         CREATE TRIGGER courses_audit AFTER INSERT ON courses BEGIN \
           INSERT INTO audit VALUES ('added ' || new.code); END; \
         CREATE VIEW course_titles AS SELECT id, title FROM courses; \
         CREATE VIEW busy_courses AS SELECT c.title, count(*) AS n FROM course_titles c \
           JOIN enrollments e ON e.course_id = c.id GROUP BY c.title;",
    )
    .unwrap();
    let view_sql = "SELECT id, title FROM course_titles ORDER BY id";
    let view_before = format!("{:?}", conn.execute(text(view_sql)).unwrap().rows());
    let op = alter(
        Column::new("credits", SqlType::SmallInt).nullable(),
        Column::new("credits", SqlType::Integer).nullable(),
        &[ColumnChange::Type],
    );
    let report = change(&mut conn, "courses", &[op], None)
        .unwrap()
        .expect("a rebuild");
    assert_eq!(report.triggers, 1);
    conn.execute_script("INSERT INTO courses (id, code) VALUES (1000, 'NEW')")
        .unwrap();
    assert_eq!(
        column(&mut conn, "SELECT what FROM audit"),
        [Value::Text("added NEW".into())]
    );
    conn.execute_script("DELETE FROM courses WHERE id = 1000")
        .unwrap();
    let view_after = format!("{:?}", conn.execute(text(view_sql)).unwrap().rows());
    assert_eq!(view_after, view_before);
    assert_eq!(
        count(&mut conn, "SELECT sum(n) FROM busy_courses"),
        PARENTS * CHILDREN_PER_PARENT
    );
}

/// A migration's transaction holding two rebuilds: both or neither.
#[test]
fn rebuilds_inside_a_migration_transaction_roll_back_together() {
    let (_dir, engine) = seeded();
    let mut conn = engine.connect().unwrap();
    let before = schema_text(&mut conn);
    let courses_rows = fingerprint(&mut conn, "courses");
    let children = fingerprint(&mut conn, "enrollments");
    let widen = alter(
        Column::new("credits", SqlType::SmallInt).nullable(),
        Column::new("credits", SqlType::Integer).nullable(),
        &[ColumnChange::Type],
    );
    let bad = SchemaOp::AddColumn {
        table: "enrollments".into(),
        column: Column::new("grade", SqlType::Integer),
    };
    let e = rebuild::with_foreign_keys_off(&mut conn, |conn| {
        conn.begin_write_level()?;
        let r = change(conn, "courses", std::slice::from_ref(&widen), None)
            .and_then(|_| change(conn, "enrollments", std::slice::from_ref(&bad), None));
        match r {
            Ok(_) => conn.commit_level(),
            Err(e) => {
                conn.rollback_level()?;
                Err(e)
            }
        }
    })
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotNullViolation, "{e}");
    assert_eq!(schema_text(&mut conn), before);
    assert_eq!(fingerprint(&mut conn, "courses"), courses_rows);
    assert_eq!(fingerprint(&mut conn, "enrollments"), children);
    assert!(foreign_keys_on(&mut conn));

    // Both succeed: committed together.
    rebuild::with_foreign_keys_off(&mut conn, |conn| {
        conn.begin_write_level()?;
        change(conn, "courses", std::slice::from_ref(&widen), None)?;
        change(
            conn,
            "enrollments",
            &[
                SchemaOp::AddIndex {
                    table: "enrollments".into(),
                    index: Index::new("ix_enrollments_student", &["student"]),
                },
                SchemaOp::AlterColumn {
                    table: "enrollments".into(),
                    from: Column::new("student", SqlType::Text(Some(40))),
                    to: Column::new("student", SqlType::Text(Some(80))),
                    changes: vec![ColumnChange::Type],
                },
            ],
            None,
        )?;
        conn.commit_level()
    })
    .unwrap();
    assert_eq!(fingerprint(&mut conn, "courses"), courses_rows);
    assert_eq!(fingerprint(&mut conn, "enrollments"), children);
    assert_eq!(foreign_key_violations(&mut conn), 0);
    assert!(foreign_keys_on(&mut conn));
    let live = reflect(&mut conn, "enrollments");
    assert!(live
        .all_indexes()
        .iter()
        .any(|i| i.name == "ix_enrollments_student"));
}

/// Indexes of every shape survive: one made by a column's `index` flag, a unique
/// multi-column one and a partial one (created by hand), each with its name, columns,
/// uniqueness and condition.
#[test]
fn indexes_survive_a_rebuild() {
    let (_dir, engine) = seeded();
    let mut conn = engine.connect().unwrap();
    conn.execute_script(
        "CREATE UNIQUE INDEX ix_courses_code_title ON courses (code, title); \
         CREATE INDEX ix_courses_busy ON courses (credits) WHERE credits > 3;",
    )
    .unwrap();
    let before = reflect(&mut conn, "courses").all_indexes();
    assert_eq!(before.len(), 3);
    let op = alter(
        Column::new("credits", SqlType::SmallInt).nullable(),
        Column::new("credits", SqlType::Integer).nullable(),
        &[ColumnChange::Type],
    );
    change(&mut conn, "courses", &[op], None)
        .unwrap()
        .expect("a rebuild");
    let mut after = reflect(&mut conn, "courses").all_indexes();
    let mut before = before;
    before.sort_by(|a, b| a.name.cmp(&b.name));
    after.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(after, before);
    assert!(after
        .iter()
        .any(|i| i.where_sql.is_some() && i.name == "ix_courses_busy"));
}
