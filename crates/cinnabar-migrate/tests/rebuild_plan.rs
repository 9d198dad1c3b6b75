//! The SQL of a rebuild plan, exactly (no database): what `upgrade --sql` prints for a
//! SQLite rebuild, and which operations `plan_ops` / `needs_rebuild` send to a rebuild.

use cinnabar_core::dialect::{PostgresDialect, ServerVersion, SqliteDialect};
use cinnabar_core::schema::diff::SchemaOp;
use cinnabar_core::schema::{Column, ForeignKey, Index, ReferentialAction, Table};
use cinnabar_core::sql::ColumnChange;
use cinnabar_core::types::SqlType;
use cinnabar_migrate::rebuild::{self, needs_rebuild, plan_ops, Renames, TableChange};

fn students() -> Table {
    Table::new("students")
        .column(
            Column::new("id", SqlType::BigInt)
                .primary_key()
                .autoincrement(),
        )
        .column(Column::new("name", SqlType::Text(Some(50))))
        .column(
            Column::new("course", SqlType::Text(Some(20)))
                .nullable()
                .index(),
        )
        .column(Column::new("age", SqlType::SmallInt).nullable())
        .column(Column::new("tutor_id", SqlType::BigInt).nullable())
        .foreign_key(
            ForeignKey::new("tutor_id", "students", "id").on_delete(ReferentialAction::SetNull),
        )
        .with_index(Index::new("ix_students_name_age", &["name", "age"]).unique())
        .check(None, "age >= 0")
}

#[test]
fn a_plan_renders_every_step() {
    let current = students();
    let ops = [
        SchemaOp::RenameColumn {
            table: "students".into(),
            from: "course".into(),
            to: "course_code".into(),
        },
        SchemaOp::RenameColumn {
            table: "students".into(),
            from: "age".into(),
            to: "years".into(),
        },
        SchemaOp::AlterColumn {
            table: "students".into(),
            from: Column::new("years", SqlType::SmallInt).nullable(),
            to: Column::new("years", SqlType::Integer).server_default("0"),
            changes: vec![
                ColumnChange::Type,
                ColumnChange::Nullability,
                ColumnChange::Default,
            ],
        },
        SchemaOp::AddColumn {
            table: "students".into(),
            column: Column::new("email", SqlType::Text(Some(100))).nullable(),
        },
    ];
    let TableChange::Rebuild(plan) = plan_ops(&SqliteDialect, None, &current, &ops).unwrap() else {
        panic!("a type change is a rebuild on SQLite");
    };
    assert_eq!(
        plan.statements(),
        [
            "CREATE TABLE \"_cinnabar_new_students\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \
             \"name\" VARCHAR(50) NOT NULL, \"course_code\" VARCHAR(20), \
             \"years\" INTEGER NOT NULL DEFAULT 0, \"tutor_id\" INTEGER, \
             \"email\" VARCHAR(100), \
             FOREIGN KEY (\"tutor_id\") REFERENCES \"students\" (\"id\") ON DELETE SET NULL, \
             CONSTRAINT \"ck_students_1\" CHECK (\"years\" >= 0))",
            "INSERT INTO \"_cinnabar_new_students\" (\"id\", \"name\", \"course_code\", \
             \"years\", \"tutor_id\") SELECT \"id\", \"name\", \"course\", \"age\", \
             \"tutor_id\" FROM \"students\"",
            "DROP TABLE \"students\"",
            "PRAGMA legacy_alter_table = ON",
            "ALTER TABLE \"_cinnabar_new_students\" RENAME TO \"students\"",
            "PRAGMA legacy_alter_table = OFF",
            "CREATE UNIQUE INDEX \"ix_students_name_age\" ON \"students\" (\"name\", \"years\")",
            "CREATE INDEX \"ix_students_course\" ON \"students\" (\"course_code\")",
            "PRAGMA foreign_key_check(\"students\")",
        ]
    );
    assert_eq!(
        plan.copied_columns(),
        [
            ("id".to_string(), "id".to_string()),
            ("name".into(), "name".into()),
            ("course".into(), "course_code".into()),
            ("age".into(), "years".into()),
            ("tutor_id".into(), "tutor_id".into()),
        ]
    );
    assert!(plan.dropped_columns().is_empty());
    let script = plan.script();
    assert!(script.starts_with("PRAGMA foreign_keys = OFF;\nBEGIN;\nCREATE TABLE"));
    assert!(script.ends_with("COMMIT;\nPRAGMA foreign_keys = ON;\n"));
}

#[test]
fn dropped_columns_and_fresh_columns_are_not_copied() {
    let current = students();
    let mut target = current.clone();
    target.columns.retain(|c| c.name != "age");
    target.checks.clear();
    target.indexes.clear();
    // `course` dropped and added again: it starts empty.
    let plan = rebuild::plan(
        &SqliteDialect,
        &current,
        &target,
        &Renames::new().fresh("course"),
    )
    .unwrap();
    assert_eq!(
        plan.copy_sql(),
        "INSERT INTO \"_cinnabar_new_students\" (\"id\", \"name\", \"tutor_id\") \
         SELECT \"id\", \"name\", \"tutor_id\" FROM \"students\""
    );
    assert_eq!(plan.dropped_columns(), ["course", "age"]);
}

#[test]
fn which_operations_need_a_rebuild() {
    let t = students();
    let sqlite =
        |op: &SchemaOp, v: Option<ServerVersion>| needs_rebuild(&SqliteDialect, v, &t, op).unwrap();
    let type_change = SchemaOp::AlterColumn {
        table: "students".into(),
        from: Column::new("age", SqlType::SmallInt).nullable(),
        to: Column::new("age", SqlType::Integer).nullable(),
        changes: vec![ColumnChange::Type],
    };
    assert!(sqlite(&type_change, None));
    assert!(!needs_rebuild(&PostgresDialect, None, &t, &type_change).unwrap());
    let rename = SchemaOp::RenameColumn {
        table: "students".into(),
        from: "age".into(),
        to: "years".into(),
    };
    assert!(!sqlite(&rename, None));
    assert!(!sqlite(&rename, Some(ServerVersion::new(3, 25, 0))));
    assert!(sqlite(&rename, Some(ServerVersion::new(3, 24, 0))));
    let drop_age = SchemaOp::DropColumn {
        table: "students".into(),
        column: Column::new("age", SqlType::SmallInt).nullable(),
    };
    // `age` is in an index and a check: SQLite's DROP COLUMN refuses.
    assert!(sqlite(&drop_age, None));
    let drop_email = SchemaOp::DropColumn {
        table: "students".into(),
        column: Column::new("name", SqlType::Text(Some(50))),
    };
    assert!(sqlite(&drop_email, None), "name is in ix_students_name_age");
    let plain = Table::new("t")
        .column(Column::new("id", SqlType::BigInt).primary_key())
        .column(Column::new("x", SqlType::Integer).nullable());
    let drop_x = SchemaOp::DropColumn {
        table: "t".into(),
        column: Column::new("x", SqlType::Integer).nullable(),
    };
    assert!(!needs_rebuild(&SqliteDialect, None, &plain, &drop_x).unwrap());
    assert!(needs_rebuild(
        &SqliteDialect,
        Some(ServerVersion::new(3, 34, 1)),
        &plain,
        &drop_x
    )
    .unwrap());
    let add_index = SchemaOp::AddIndex {
        table: "students".into(),
        index: Index::new("ix_age", &["tutor_id"]),
    };
    assert!(!sqlite(&add_index, None));
    assert!(!sqlite(&SchemaOp::DropTable(t.clone()), None));

    // Nothing to rebuild: native statements.
    let TableChange::Native(sql) =
        plan_ops(&SqliteDialect, None, &t, &[rename, add_index]).unwrap()
    else {
        panic!("native");
    };
    assert_eq!(
        sql,
        [
            "ALTER TABLE \"students\" RENAME COLUMN \"age\" TO \"years\"",
            "CREATE INDEX \"ix_age\" ON \"students\" (\"tutor_id\")",
        ]
    );

    // A column indexed by an earlier step of the run cannot be dropped natively.
    let index_then_drop = [
        SchemaOp::AddIndex {
            table: "t".into(),
            index: Index::new("ix_t_x", &["x"]),
        },
        drop_x.clone(),
    ];
    assert!(matches!(
        plan_ops(&SqliteDialect, None, &plain, &index_then_drop),
        Err(e) if e.message().contains("ix_t_x")
    ));
    let index_x = plain.clone().with_index(Index::new("ix_t_x", &["x"]));
    let drop_index_then_column = [
        SchemaOp::DropIndex {
            table: "t".into(),
            index: Index::new("ix_t_x", &["x"]),
        },
        drop_x,
    ];
    assert!(matches!(
        plan_ops(&SqliteDialect, None, &index_x, &drop_index_then_column),
        Ok(TableChange::Native(sql)) if sql.len() == 2
    ));
}

#[test]
fn apply_ops_keeps_names_and_checks_what_it_is_given() {
    let t = students();
    let drop_check = SchemaOp::DropCheck {
        table: "students".into(),
        check: cinnabar_core::schema::CheckConstraint {
            name: None,
            sql: "AGE >= 0".into(),
            rule: None,
        },
    };
    let add_check = SchemaOp::AddCheck {
        table: "students".into(),
        check: cinnabar_core::schema::CheckConstraint {
            name: None,
            sql: "name <> ''".into(),
            rule: None,
        },
    };
    let (target, renames) = rebuild::apply_ops(
        &SqliteDialect,
        &t.clone().check(None, "tutor_id <> id"),
        &[drop_check, add_check],
    )
    .unwrap();
    // The second check keeps its name `ck_students_2`; the new one gets the first generated
    // name not taken.
    let names: Vec<String> = (0..target.checks.len())
        .map(|i| target.check_name(i))
        .collect();
    assert_eq!(names, ["ck_students_2", "ck_students_3"]);
    assert_eq!(target.checks[0].sql, "tutor_id <> id");
    assert_eq!(renames, Renames::new());

    let wrong_key = SchemaOp::AlterPrimaryKey {
        table: "students".into(),
        from: vec!["name".into()],
        to: vec!["id".into(), "name".into()],
    };
    let e = rebuild::apply_ops(&SqliteDialect, &t, &[wrong_key]).unwrap_err();
    assert!(e.message().contains("the primary key is [\"id\"]"), "{e}");
    let other_table = SchemaOp::AddColumn {
        table: "teachers".into(),
        column: Column::new("x", SqlType::Integer).nullable(),
    };
    let e = rebuild::apply_ops(&SqliteDialect, &t, &[other_table]).unwrap_err();
    assert!(e.message().contains("\"teachers\""), "{e}");
    let rename_table = SchemaOp::RenameTable {
        from: "students".into(),
        to: "pupils".into(),
    };
    assert!(rebuild::apply_ops(&SqliteDialect, &t, &[rename_table]).is_err());
}
