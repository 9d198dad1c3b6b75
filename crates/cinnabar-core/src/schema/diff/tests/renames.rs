//! Renames from `renamed_from` hints: a rename (then any other change), never a drop and an
//! add; hints that do not apply are ignored; operations carry no hints.

use super::*;

fn names(ops: &[SchemaOp]) -> Vec<String> {
    ops.iter().map(ToString::to_string).collect()
}

#[test]
fn column_rename_from_hint() {
    let current = Table::new("students")
        .column(id())
        .column(Column::new("course", SqlType::Text(Some(20))).index());
    let target = Table::new("students").column(id()).column(
        Column::new("course_code", SqlType::Text(Some(20)))
            .index()
            .renamed_from("course"),
    );
    for (name, ops) in on_all(&md(vec![target.clone()]), &md(vec![current.clone()])) {
        let lines = names(&ops);
        assert_eq!(
            lines.first().map(String::as_str),
            Some("rename column students.course to course_code"),
            "{name}: {lines:?}"
        );
        assert!(
            !lines
                .iter()
                .any(|l| l.contains("add column") || l.contains("drop column")),
            "{name}: {lines:?}"
        );
    }
    // The generated index name follows the column name: the old index is replaced.
    let ops = diff(
        &md(vec![target.clone()]),
        &md(vec![current.clone()]),
        &SqliteDialect,
    );
    assert_eq!(
        names(&ops),
        [
            "rename column students.course to course_code",
            "drop index ix_students_course on students",
            "add index ix_students_course_code on students [\"course_code\"]",
        ]
    );
    // Without the hint: a drop and an add.
    let mut plain = target.clone();
    plain.columns[1].renamed_from = None;
    let ops = diff(&md(vec![plain]), &md(vec![current]), &SqliteDialect);
    assert!(
        names(&ops).iter().any(|l| l.starts_with("drop column")),
        "{ops:?}"
    );
}

#[test]
fn rename_then_alter() {
    let current = Table::new("t")
        .column(id())
        .column(Column::new("n", SqlType::Integer));
    let target = Table::new("t").column(id()).column(
        Column::new("m", SqlType::BigInt)
            .nullable()
            .renamed_from("n"),
    );
    let ops = diff(&md(vec![target]), &md(vec![current]), &PostgresDialect);
    assert_eq!(
        names(&ops),
        [
            "rename column t.n to m",
            "alter column t.m: type Integer -> BigInt nullable false -> true"
        ]
    );
    let SchemaOp::AlterColumn { from, to, .. } = &ops[1] else {
        panic!("{ops:?}")
    };
    assert_eq!(from.name, "m");
    assert_eq!(to.renamed_from, None, "operations carry no hints");
}

#[test]
fn table_rename_from_hint_carries_references() {
    let current = vec![courses(), students()];
    let mut modules = courses();
    modules.name = "modules".into();
    let modules = modules.renamed_from("courses");
    let mut s = students();
    s.foreign_keys[0].ref_table = "modules".into();
    let target = vec![modules, s];
    for (name, ops) in on_all(&md(target.clone()), &md(current.clone())) {
        assert_eq!(
            names(&ops),
            ["rename table courses to modules"],
            "{name}: the foreign key follows the renamed table"
        );
    }
}

#[test]
fn table_and_column_renamed_together() {
    let current = vec![courses()];
    let target = Table::new("modules")
        .renamed_from("courses")
        .column(id())
        .column(Column::new("name", SqlType::Text(Some(100))).renamed_from("title"));
    let ops = diff(&md(vec![target]), &md(current), &MySqlDialect);
    assert_eq!(
        names(&ops),
        [
            "rename table courses to modules",
            "rename column modules.title to name"
        ]
    );
}

#[test]
fn hints_that_do_not_apply_are_ignored() {
    // Already renamed: the current side has the new name.
    let done = Table::new("t")
        .column(id())
        .column(Column::new("m", SqlType::Integer));
    let target = Table::new("t")
        .column(id())
        .column(Column::new("m", SqlType::Integer).renamed_from("n"));
    assert!(diff(&md(vec![target.clone()]), &md(vec![done]), &SqliteDialect).is_empty());
    // Both names exist on the current side: no rename, the old column is dropped.
    let both = Table::new("t")
        .column(id())
        .column(Column::new("m", SqlType::Integer))
        .column(Column::new("n", SqlType::Integer));
    let ops = diff(&md(vec![target.clone()]), &md(vec![both]), &SqliteDialect);
    assert_eq!(names(&ops), ["drop column t.n"]);
    // The old name is unknown: the column is added.
    let neither = Table::new("t").column(id());
    let ops = diff(
        &md(vec![target.clone()]),
        &md(vec![neither]),
        &SqliteDialect,
    );
    assert_eq!(names(&ops), ["add column t.m Integer not null"]);
    let SchemaOp::AddColumn { column, .. } = &ops[0] else {
        panic!()
    };
    assert_eq!(column.renamed_from, None);
    // A new table with a hint naming nothing is created, without the hint.
    let new = Table::new("u").renamed_from("gone").column(id());
    let ops = diff(&md(vec![new]), &MetaData::new(), &SqliteDialect);
    let SchemaOp::CreateTable(t) = &ops[0] else {
        panic!()
    };
    assert_eq!(t.renamed_from, None);
}
