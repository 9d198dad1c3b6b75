//! `SchemaOp::apply`: applying `diff(target, current)` to `current` gives a schema whose
//! diff with `target` is empty, for every kind of operation; ops that do not fit are
//! refused and leave the schema as it was.

use super::*;
use crate::schema::{CheckConstraint, Index, UniqueConstraint};

fn apply_all(ops: &[SchemaOp], schema: &MetaData) -> MetaData {
    let mut out = schema.clone();
    for op in ops {
        op.apply(&mut out).unwrap_or_else(|e| panic!("{op}: {e}"));
    }
    out
}

/// Pairs of schemas covering every operation kind.
fn cases() -> Vec<(Vec<Table>, Vec<Table>)> {
    let mut rich = students()
        .column(
            Column::new("email", SqlType::Text(Some(80)))
                .nullable()
                .unique(),
        )
        .column(Column::new("code", SqlType::Text(Some(10))).index())
        .check(Some("ck_age"), "age >= 0")
        .check(None, "length(name) > 0")
        .with_index(Index::new("ix_students_name_age", &["name", "age"]))
        .unique(&["name", "course_id"]);
    rich.columns[2] = Column::new("age", SqlType::SmallInt)
        .nullable()
        .server_default("1");
    let mut other_key = students_without_fk();
    other_key.columns[0].autoincrement = false;
    other_key.columns[1].primary_key = true;
    let mut checks = students();
    checks.checks = vec![CheckConstraint {
        name: None,
        sql: "age > 1".into(),
        rule: None,
    }];
    let mut uniq = students();
    uniq.uniques = vec![UniqueConstraint {
        name: Some("uq_named".into()),
        columns: vec!["age".into(), "name".into()],
    }];
    vec![
        (vec![courses(), students()], vec![]),
        (vec![], vec![courses(), students()]),
        (vec![courses(), rich.clone()], vec![courses(), students()]),
        (vec![courses(), students()], vec![courses(), rich.clone()]),
        (
            vec![courses(), other_key.clone()],
            vec![courses(), students()],
        ),
        (vec![courses(), students()], vec![courses(), other_key]),
        (
            vec![courses(), checks.clone()],
            vec![courses(), rich.clone()],
        ),
        (vec![courses(), uniq.clone()], vec![courses(), rich]),
        (
            vec![courses(), students_without_fk()],
            vec![courses(), uniq],
        ),
    ]
}

#[test]
fn applying_the_diff_reaches_the_target() {
    for (i, (target, current)) in cases().into_iter().enumerate() {
        let (target, current) = (md(target), md(current));
        for (name, ops) in on_all(&target, &current) {
            let reached = apply_all(&ops, &current);
            let left = diff(&target, &reached, &SqliteDialect);
            assert!(left.is_empty(), "case {i} {name}: {ops:#?}\nleft {left:#?}");
            // And the reverse operations, last first, lead back.
            let back: Vec<SchemaOp> = ops.iter().rev().map(SchemaOp::reverse).collect();
            let returned = apply_all(&back, &reached);
            let left = diff(&current, &returned, &SqliteDialect);
            assert!(left.is_empty(), "case {i} {name} back: {left:#?}");
        }
    }
}

#[test]
fn renames_follow_references() {
    let mut schema = md(vec![courses(), students()]);
    SchemaOp::RenameTable {
        from: "courses".into(),
        to: "modules".into(),
    }
    .apply(&mut schema)
    .unwrap();
    assert_eq!(
        schema.table("students").unwrap().foreign_keys[0].ref_table,
        "modules"
    );
    SchemaOp::RenameColumn {
        table: "modules".into(),
        from: "id".into(),
        to: "module_id".into(),
    }
    .apply(&mut schema)
    .unwrap();
    assert_eq!(
        schema.table("students").unwrap().foreign_keys[0].ref_columns,
        ["module_id"]
    );
    SchemaOp::RenameColumn {
        table: "students".into(),
        from: "course_id".into(),
        to: "module_id".into(),
    }
    .apply(&mut schema)
    .unwrap();
    assert_eq!(
        schema.table("students").unwrap().foreign_keys[0].columns,
        ["module_id"]
    );
    let names: Vec<&str> = schema.tables().iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["modules", "students"], "the order is kept");
}

#[test]
fn ops_that_do_not_fit_are_refused() {
    let schema = md(vec![courses()]);
    let refused = [
        SchemaOp::CreateTable(courses()),
        SchemaOp::DropTable(students()),
        SchemaOp::AddColumn {
            table: "courses".into(),
            column: Column::new("title", SqlType::Integer),
        },
        SchemaOp::AddColumn {
            table: "nope".into(),
            column: Column::new("x", SqlType::Integer),
        },
        SchemaOp::RenameColumn {
            table: "courses".into(),
            from: "title".into(),
            to: "id".into(),
        },
        SchemaOp::DropIndex {
            table: "courses".into(),
            index: Index::new("ix_nope", &["title"]),
        },
        SchemaOp::DropCheck {
            table: "courses".into(),
            check: CheckConstraint {
                name: Some("ck_nope".into()),
                sql: "1 = 1".into(),
                rule: None,
            },
        },
        SchemaOp::AlterPrimaryKey {
            table: "courses".into(),
            from: vec!["id".into()],
            to: vec!["nope".into()],
        },
    ];
    for op in refused {
        let mut s = schema.clone();
        let e = op.apply(&mut s).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Misuse);
        assert!(
            e.message().starts_with(&format!("cannot apply `{op}`")),
            "{e}"
        );
        assert_eq!(s.tables(), schema.tables(), "{op}: left unchanged");
    }
}

#[test]
fn dropping_a_check_keeps_the_others_names() {
    let t = Table::new("t")
        .column(id())
        .check(None, "id > 0")
        .check(None, "id < 10");
    let mut schema = md(vec![t]);
    SchemaOp::DropCheck {
        table: "t".into(),
        check: CheckConstraint {
            name: Some("ck_t_1".into()),
            sql: "id > 0".into(),
            rule: None,
        },
    }
    .apply(&mut schema)
    .unwrap();
    assert_eq!(schema.table("t").unwrap().check_name(0), "ck_t_2");
}
