//! Each kind of change produces its operation (and only it), with what reversing it needs.

use super::*;
use crate::dialect::{PostgresDialect, SqliteDialect};
use crate::schema::{
    CheckConstraint, Column, ForeignKey, Index, ReferentialAction, Table, UniqueConstraint,
};
use crate::sql::ddl::{AlterAction, ColumnChange, Ddl};
use crate::types::SqlType;

#[test]
fn added_and_dropped_tables() {
    let op = one(vec![courses()], Vec::new(), &PostgresDialect);
    assert_eq!(op, SchemaOp::CreateTable(courses()));
    assert!(!op.is_destructive());
    let op = one(Vec::new(), vec![courses()], &PostgresDialect);
    assert_eq!(op, SchemaOp::DropTable(courses()));
    assert!(op.is_destructive());
}

#[test]
fn added_and_dropped_columns_carry_the_whole_column() {
    let wider = courses().column(
        Column::new("credits", SqlType::SmallInt)
            .nullable()
            .server_default("3"),
    );
    let op = one(vec![wider.clone()], vec![courses()], &SqliteDialect);
    assert_eq!(
        op,
        SchemaOp::AddColumn {
            table: "courses".into(),
            column: wider.columns[2].clone()
        }
    );
    assert!(!op.is_destructive());
    let op = one(vec![courses()], vec![wider.clone()], &SqliteDialect);
    assert_eq!(
        op,
        SchemaOp::DropColumn {
            table: "courses".into(),
            column: wider.columns[2].clone()
        }
    );
    assert!(op.is_destructive());
}

fn alter(target: Column, current: Column, dialect: &dyn Dialect) -> (Vec<ColumnChange>, SchemaOp) {
    let t = Table::new("t").column(id()).column(target);
    let c = Table::new("t").column(id()).column(current);
    let op = one(vec![t], vec![c], dialect);
    match &op {
        SchemaOp::AlterColumn { changes, .. } => (changes.clone(), op.clone()),
        other => panic!("expected an AlterColumn, got {other:?}"),
    }
}

#[test]
fn type_changes_and_whether_they_narrow() {
    let col = |t: SqlType| Column::new("v", t);
    let cases: &[(SqlType, SqlType, bool)] = &[
        (SqlType::Text(Some(10)), SqlType::Text(Some(20)), false),
        (SqlType::Text(Some(20)), SqlType::Text(Some(10)), true),
        (SqlType::Text(Some(20)), SqlType::Text(None), false),
        (SqlType::Text(None), SqlType::Text(Some(20)), true),
        (SqlType::SmallInt, SqlType::BigInt, false),
        (SqlType::BigInt, SqlType::Integer, true),
        (SqlType::Float, SqlType::Double, false),
        (SqlType::Double, SqlType::Float, true),
        (SqlType::Decimal(10, 2), SqlType::Decimal(12, 2), false),
        (SqlType::Decimal(10, 2), SqlType::Decimal(10, 3), true),
        (SqlType::Decimal(10, 2), SqlType::Decimal(10, 1), true),
        (SqlType::Integer, SqlType::Text(None), true),
        (SqlType::DateTime, SqlType::DateTimeTz, false),
    ];
    for &(from, to, narrows) in cases {
        let (changes, op) = alter(col(to), col(from), &PostgresDialect);
        assert_eq!(changes, [ColumnChange::Type], "{from:?} -> {to:?}");
        assert_eq!(op.is_destructive(), narrows, "{from:?} -> {to:?}");
    }
    // Types written verbatim: the same text is no change, other text may narrow.
    let (_, op) = alter(
        col(SqlType::Text(None)).custom_type("cidr"),
        col(SqlType::Text(None)).custom_type("inet"),
        &PostgresDialect,
    );
    assert!(op.is_destructive());
}

#[test]
fn nullability_and_default_changes() {
    let base = || Column::new("v", SqlType::Integer);
    let (changes, op) = alter(base().nullable(), base(), &PostgresDialect);
    assert_eq!(changes, [ColumnChange::Nullability]);
    assert!(!op.is_destructive());
    let (changes, _) = alter(base(), base().nullable(), &PostgresDialect);
    assert_eq!(changes, [ColumnChange::Nullability]);
    let (changes, _) = alter(base().server_default("1"), base(), &PostgresDialect);
    assert_eq!(changes, [ColumnChange::Default]);
    let (changes, _) = alter(base(), base().server_default("1"), &PostgresDialect);
    assert_eq!(changes, [ColumnChange::Default]);
    let (changes, op) = alter(
        Column::new("v", SqlType::BigInt)
            .nullable()
            .server_default("2"),
        base().server_default("1"),
        &PostgresDialect,
    );
    assert_eq!(
        changes,
        [
            ColumnChange::Type,
            ColumnChange::Nullability,
            ColumnChange::Default
        ]
    );
    // One ALTER per change, each with the whole new column.
    let ddl = op.to_ddl();
    assert_eq!(ddl.len(), 3);
    for (d, change) in ddl.iter().zip(changes) {
        match d {
            Ddl::AlterTable(a) => {
                assert_eq!(a.table, "t");
                assert_eq!(
                    a.action,
                    AlterAction::AlterColumn {
                        column: Column::new("v", SqlType::BigInt)
                            .nullable()
                            .server_default("2"),
                        change
                    }
                );
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn primary_key_changes() {
    let t = |keys: &[&str]| {
        let mut table = Table::new("t");
        for n in ["a", "b"] {
            let mut c = Column::new(n, SqlType::Integer);
            c.primary_key = keys.contains(&n);
            table = table.column(c);
        }
        table
    };
    let op = one(vec![t(&["a", "b"])], vec![t(&["a"])], &PostgresDialect);
    assert_eq!(
        op,
        SchemaOp::AlterPrimaryKey {
            table: "t".into(),
            from: vec!["a".into()],
            to: vec!["a".into(), "b".into()]
        }
    );
    let alter = |a| Ddl::AlterTable(crate::sql::ddl::AlterTable::new("t", a));
    assert_eq!(
        op.to_ddl(),
        [
            alter(AlterAction::DropPrimaryKey),
            alter(AlterAction::AddPrimaryKey(vec!["a".into(), "b".into()]))
        ]
    );
    // A table gaining its first key only adds one.
    let op = one(vec![t(&["b"])], vec![t(&[])], &PostgresDialect);
    assert_eq!(
        op.to_ddl(),
        [alter(AlterAction::AddPrimaryKey(vec!["b".into()]))]
    );
    // A column leaving the key may become nullable: the key goes first, then the column.
    let mut target = t(&["b"]);
    target.columns[0].nullable = true;
    let ops = diff(&md(vec![target]), &md(vec![t(&["a"])]), &PostgresDialect);
    assert!(
        matches!(ops[0], SchemaOp::AlterPrimaryKey { .. }),
        "{ops:#?}"
    );
    assert!(
        matches!(&ops[1], SchemaOp::AlterColumn { to, changes, .. } if to.name == "a" && to.nullable && changes == &[ColumnChange::Nullability]),
        "{ops:#?}"
    );
    // A nullable column entering the key becomes NOT NULL, whatever the model's field type
    // says: the operation's column says NOT NULL, so ALTER COLUMN does not undo the key's.
    let mut target = t(&["b"]);
    target.columns[1].nullable = true;
    let mut current = t(&[]);
    current.columns[1].nullable = true;
    let ops = diff(&md(vec![target]), &md(vec![current]), &PostgresDialect);
    assert_eq!(ops.len(), 2, "{ops:#?}");
    assert!(
        matches!(&ops[1], SchemaOp::AlterColumn { to, changes, .. } if to.name == "b" && !to.nullable && changes == &[ColumnChange::Nullability]),
        "{ops:#?}"
    );
    // So does a key column added to a table.
    let mut target = t(&["a"]).column(Column::new("c", SqlType::Integer).nullable());
    target.columns[2].primary_key = true;
    let ops = diff(&md(vec![target]), &md(vec![t(&["a"])]), &PostgresDialect);
    assert!(
        matches!(&ops[0], SchemaOp::AddColumn { column, .. } if column.name == "c" && !column.nullable),
        "{ops:#?}"
    );
}

#[test]
fn index_changes() {
    let with = |index: Index| {
        Table::new("t")
            .column(Column::new("a", SqlType::Integer))
            .column(Column::new("b", SqlType::Integer))
            .with_index(index)
    };
    let plain = Table::new("t")
        .column(Column::new("a", SqlType::Integer))
        .column(Column::new("b", SqlType::Integer));
    let ix = Index::new("ix", &["a"]);
    let op = one(
        vec![with(ix.clone())],
        vec![plain.clone()],
        &PostgresDialect,
    );
    assert_eq!(
        op,
        SchemaOp::AddIndex {
            table: "t".into(),
            index: ix.clone()
        }
    );
    let op = one(vec![plain], vec![with(ix.clone())], &PostgresDialect);
    assert_eq!(
        op,
        SchemaOp::DropIndex {
            table: "t".into(),
            index: ix.clone()
        }
    );
    for changed in [
        Index::new("ix", &["a", "b"]),
        Index::new("ix", &["b"]),
        Index::new("ix", &["a"]).unique(),
        Index::new("ix", &["a"]).where_sql("b > 0"),
    ] {
        let ops = diff(
            &md(vec![with(changed.clone())]),
            &md(vec![with(ix.clone())]),
            &PostgresDialect,
        );
        assert_eq!(
            ops,
            [
                SchemaOp::DropIndex {
                    table: "t".into(),
                    index: ix.clone()
                },
                SchemaOp::AddIndex {
                    table: "t".into(),
                    index: changed.clone()
                }
            ]
        );
    }
    // Renamed: another index.
    let ops = diff(
        &md(vec![with(Index::new("ix2", &["a"]))]),
        &md(vec![with(ix)]),
        &PostgresDialect,
    );
    assert_eq!(ops.len(), 2, "{ops:#?}");
}

#[test]
fn unique_changes_name_what_they_add() {
    let plain = Table::new("t")
        .column(Column::new("a", SqlType::Integer))
        .column(Column::new("b", SqlType::Integer));
    let target = plain.clone().unique(&["a", "b"]);
    let op = one(vec![target.clone()], vec![plain.clone()], &PostgresDialect);
    let expected = UniqueConstraint {
        name: Some("uq_t_a_b".into()),
        columns: vec!["a".into(), "b".into()],
    };
    assert_eq!(
        op,
        SchemaOp::AddUnique {
            table: "t".into(),
            unique: expected.clone()
        }
    );
    assert_eq!(
        op.to_ddl(),
        [Ddl::AlterTable(crate::sql::ddl::AlterTable::new(
            "t",
            AlterAction::AddUnique(expected)
        ))]
    );
    // Column::unique too.
    let mut col_unique = plain.clone();
    col_unique.columns[0].unique = true;
    let op = one(vec![col_unique], vec![plain.clone()], &PostgresDialect);
    assert!(
        matches!(&op, SchemaOp::AddUnique { unique, .. } if unique.name.as_deref() == Some("uq_t_a")),
        "{op:?}"
    );
    // Dropped: by the database's name.
    let reflected = plain.clone().named_unique("t_a_b_key", &["a", "b"]);
    let op = one(vec![plain.clone()], vec![reflected], &PostgresDialect);
    assert_eq!(
        op.to_ddl(),
        [Ddl::AlterTable(crate::sql::ddl::AlterTable::new(
            "t",
            AlterAction::DropUnique("t_a_b_key".into())
        ))]
    );
    // Reflection reports a single-column constraint the database named itself as the
    // column's `unique`: it is dropped by the name the catalog says the database gave it.
    let mut reflected = plain.clone();
    reflected.columns[0].unique = true;
    let op = one(vec![plain.clone()], vec![reflected.clone()], &PG);
    assert_eq!(
        op.to_ddl(),
        [Ddl::AlterTable(crate::sql::ddl::AlterTable::new(
            "t",
            AlterAction::DropUnique("t_a_key".into())
        ))]
    );
    // PostgreSQL's own catalog says the same.
    let op = one(
        vec![plain.clone()],
        vec![reflected.clone()],
        &PostgresDialect,
    );
    assert!(
        matches!(&op, SchemaOp::DropUnique { unique, .. } if unique.name.as_deref() == Some("t_a_key")),
        "{op:?}"
    );
    // MySQL names an unnamed single-column unique after its column.
    let op = one(
        vec![plain.clone()],
        vec![reflected.clone()],
        &crate::dialect::MySqlDialect,
    );
    assert!(
        matches!(&op, SchemaOp::DropUnique { unique, .. } if unique.name.as_deref() == Some("a")),
        "{op:?}"
    );
    // A catalog that cannot know (the test catalog of `MARIADB` says nothing): the
    // operation drops the generated name.
    let op = one(vec![plain.clone()], vec![reflected], &MARIADB);
    assert!(
        matches!(&op, SchemaOp::DropUnique { unique, .. } if unique.name.is_none()),
        "{op:?}"
    );
    // Other columns: dropped and added.
    let ops = diff(
        &md(vec![plain.clone().unique(&["a"])]),
        &md(vec![target]),
        &PostgresDialect,
    );
    assert!(
        matches!(
            ops[..],
            [SchemaOp::DropUnique { .. }, SchemaOp::AddUnique { .. }]
        ),
        "{ops:#?}"
    );
}

#[test]
fn foreign_key_changes() {
    let fk = || ForeignKey::new("course_id", "courses", "id");
    let op = one(
        vec![students(), courses()],
        vec![students_without_fk(), courses()],
        &PostgresDialect,
    );
    assert_eq!(
        op,
        SchemaOp::AddForeignKey {
            table: "students".into(),
            foreign_key: fk()
        }
    );
    assert_eq!(
        op.to_ddl(),
        [Ddl::AlterTable(crate::sql::ddl::AlterTable::new(
            "students",
            AlterAction::AddForeignKey(fk())
        ))]
    );
    let reflected = {
        let mut s = students();
        s.foreign_keys[0].name = Some("students_course_id_fkey".into());
        s
    };
    let op = one(
        vec![students_without_fk(), courses()],
        vec![reflected, courses()],
        &PostgresDialect,
    );
    assert_eq!(
        op.to_ddl(),
        [Ddl::AlterTable(crate::sql::ddl::AlterTable::new(
            "students",
            AlterAction::DropForeignKey("students_course_id_fkey".into())
        ))]
    );
    // Another ON UPDATE, another target column: dropped and added.
    for changed in [
        fk().on_update(ReferentialAction::Cascade),
        ForeignKey::new("course_id", "courses", "code"),
    ] {
        let mut target = students_without_fk();
        target.foreign_keys.push(changed);
        let ops = diff(
            &md(vec![target, courses()]),
            &md(vec![students(), courses()]),
            &PostgresDialect,
        );
        assert!(
            matches!(
                ops[..],
                [
                    SchemaOp::DropForeignKey { .. },
                    SchemaOp::AddForeignKey { .. }
                ]
            ),
            "{ops:#?}"
        );
    }
}

#[test]
fn check_changes_are_named() {
    let plain = Table::new("t").column(Column::new("age", SqlType::Integer));
    let target = plain.clone().check(None, "age >= 0");
    let op = one(vec![target.clone()], vec![plain.clone()], &PostgresDialect);
    let named = CheckConstraint {
        name: Some("ck_t_1".into()),
        sql: "age >= 0".into(),
        rule: None,
    };
    assert_eq!(
        op,
        SchemaOp::AddCheck {
            table: "t".into(),
            check: named.clone()
        }
    );
    assert_eq!(
        op.to_ddl(),
        [Ddl::AlterTable(crate::sql::ddl::AlterTable::new(
            "t",
            AlterAction::AddCheck(named.clone())
        ))]
    );
    let op = one(vec![plain.clone()], vec![target.clone()], &PostgresDialect);
    assert_eq!(
        op,
        SchemaOp::DropCheck {
            table: "t".into(),
            check: named.clone()
        }
    );
    // Same name, another condition: dropped and added.
    let ops = diff(
        &md(vec![plain.clone().check(None, "age > 0")]),
        &md(vec![target]),
        &PostgresDialect,
    );
    assert_eq!(
        ops,
        [
            SchemaOp::DropCheck {
                table: "t".into(),
                check: named
            },
            SchemaOp::AddCheck {
                table: "t".into(),
                check: CheckConstraint {
                    name: Some("ck_t_1".into()),
                    sql: "age > 0".into(),
                    rule: None,
                }
            }
        ]
    );
}
