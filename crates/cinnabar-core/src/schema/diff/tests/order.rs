//! The order of operations, reversal, and the DDL each operation maps onto.

use super::*;
use crate::dialect::{MySqlDialect, PostgresDialect, SqliteDialect};
use crate::schema::{Column, ForeignKey, Index, Table, UniqueConstraint};
use crate::sql::ddl::{AlterAction, Ddl};
use crate::types::SqlType;

fn names(ops: &[SchemaOp]) -> Vec<String> {
    ops.iter().map(|o| o.to_string()).collect()
}

#[test]
fn parents_are_created_first_and_dropped_last() {
    let marks = Table::new("marks")
        .column(id())
        .column(Column::new("student_id", SqlType::BigInt))
        .foreign_key(ForeignKey::new("student_id", "students", "id"));
    let all = vec![marks, students(), courses()];
    let ops = diff(&md(all.clone()), &MetaData::new(), &PostgresDialect);
    assert_eq!(
        names(&ops),
        [
            "create table courses",
            "create table students",
            "create table marks"
        ]
    );
    let ops = diff(&MetaData::new(), &md(all), &PostgresDialect);
    assert_eq!(
        names(&ops),
        [
            "drop table marks",
            "drop table students",
            "drop table courses"
        ]
    );
}

#[test]
fn a_foreign_key_is_dropped_before_the_table_it_references() {
    // students stays but loses its key to courses, which goes.
    let ops = diff(
        &md(vec![students_without_fk()]),
        &md(vec![students(), courses()]),
        &PostgresDialect,
    );
    assert_eq!(
        names(&ops),
        [
            "drop foreign key students [\"course_id\"] -> courses [\"id\"]",
            "drop table courses"
        ]
    );
}

#[test]
fn new_columns_come_before_their_index_and_key_and_new_tables_before_their_references() {
    // courses gains a unique `code`; a new table references it; students gets a key to it.
    let courses2 = courses()
        .column(Column::new("code", SqlType::Text(Some(8))).unique())
        .check(None, "code <> ''");
    let syllabus = Table::new("syllabus")
        .column(id())
        .column(Column::new("course_code", SqlType::Text(Some(8))))
        .foreign_key(ForeignKey::new("course_code", "courses", "code"));
    let students2 = {
        let mut s = students_without_fk();
        s.columns[3].name = "code".into();
        s.foreign_keys
            .push(ForeignKey::new("code", "courses", "code"));
        s
    };
    let target = md(vec![students2, courses2, syllabus]);
    let current = md(vec![courses(), students()]);
    let ops = diff(&target, &current, &PostgresDialect);
    assert_eq!(
        names(&ops),
        [
            "drop foreign key students [\"course_id\"] -> courses [\"id\"]",
            "add column students.code BigInt",
            "add column courses.code Text(Some(8)) not null",
            "drop column students.course_id",
            "add unique courses [\"code\"]",
            "add check courses (code <> '')",
            "create table syllabus",
            "add foreign key students [\"code\"] -> courses [\"code\"] on delete None on update None",
        ]
    );
    // The same on every run.
    assert_eq!(ops, diff(&target, &current, &PostgresDialect));
}

#[test]
fn cycles_between_new_or_dropped_tables_go_through_alter_table() {
    let a = Table::new("a")
        .column(id())
        .column(Column::new("b_id", SqlType::BigInt).nullable())
        .foreign_key(ForeignKey::new("b_id", "b", "id"));
    let b = Table::new("b")
        .column(id())
        .column(Column::new("a_id", SqlType::BigInt).nullable())
        .foreign_key(ForeignKey::new("a_id", "a", "id"));
    let ops = diff(
        &md(vec![a.clone(), b.clone()]),
        &MetaData::new(),
        &PostgresDialect,
    );
    assert_eq!(
        names(&ops),
        [
            "create table a",
            "create table b",
            "add foreign key a [\"b_id\"] -> b [\"id\"] on delete None on update None",
            "add foreign key b [\"a_id\"] -> a [\"id\"] on delete None on update None",
        ]
    );
    match &ops[0] {
        SchemaOp::CreateTable(t) => assert!(t.foreign_keys[0].use_alter),
        other => panic!("{other:?}"),
    }
    // SQLite writes every key inside CREATE TABLE (it does not check them then).
    let ops = diff(
        &md(vec![a.clone(), b.clone()]),
        &MetaData::new(),
        &SqliteDialect,
    );
    assert_eq!(names(&ops), ["create table a", "create table b"]);
    match &ops[0] {
        SchemaOp::CreateTable(t) => assert!(!t.foreign_keys[0].use_alter),
        other => panic!("{other:?}"),
    }
    let ops = diff(&MetaData::new(), &md(vec![a, b]), &PostgresDialect);
    assert_eq!(
        names(&ops),
        [
            "drop foreign key a [\"b_id\"] -> b [\"id\"]",
            "drop foreign key b [\"a_id\"] -> a [\"id\"]",
            "drop table b",
            "drop table a",
        ]
    );
}

#[test]
fn use_alter_keys_of_new_tables_are_added_after_the_creates() {
    let a = Table::new("a")
        .column(id())
        .column(Column::new("a_id", SqlType::BigInt).nullable())
        .foreign_key(ForeignKey::new("a_id", "a", "id").use_alter());
    let ops = diff(&md(vec![a.clone()]), &MetaData::new(), &MySqlDialect);
    assert_eq!(
        names(&ops),
        [
            "create table a",
            "add foreign key a [\"a_id\"] -> a [\"id\"] on delete None on update None"
        ]
    );
    let ops = diff(&md(vec![a]), &MetaData::new(), &SqliteDialect);
    assert_eq!(names(&ops), ["create table a"]);
}

// ---- reversal and DDL ----

#[test]
fn every_operation_reverses_to_itself_twice() {
    let target = md(vec![
        students()
            .check(None, "age > 0")
            .unique(&["name"])
            .with_index(Index::new("ix_n", &["name"])),
        Table::new("new").column(id()),
    ]);
    let current = md(vec![
        courses(),
        Table::new("students")
            .column(Column::new("id", SqlType::Integer).primary_key())
            .column(Column::new("name", SqlType::Text(Some(20))).nullable())
            .column(Column::new("old", SqlType::Integer)),
    ]);
    let ops = diff(&target, &current, &PostgresDialect);
    assert!(ops.len() >= 8, "{ops:#?}");
    for op in &ops {
        assert_eq!(&op.reverse().reverse(), op);
        assert_ne!(&op.reverse(), op);
        assert_eq!(op.reverse().table(), op.table());
    }
    // Reversing the whole list in reverse order takes target back to current.
    let back: Vec<SchemaOp> = ops.iter().rev().map(SchemaOp::reverse).collect();
    assert!(back
        .iter()
        .any(|o| matches!(o, SchemaOp::DropTable(t) if t.name == "new")));
    assert!(back
        .iter()
        .any(|o| matches!(o, SchemaOp::CreateTable(t) if t.name == "courses")));
    assert!(back
        .iter()
        .any(|o| matches!(o, SchemaOp::AddColumn { column, .. } if column.name == "old")));
}

#[test]
fn ddl_of_table_and_column_operations() {
    let t = courses().column(Column::new("code", SqlType::Integer).index());
    let ddl = SchemaOp::CreateTable(t.clone()).to_ddl();
    assert_eq!(ddl.len(), 2);
    assert!(matches!(&ddl[0], Ddl::CreateTable(c) if c.table == t && !c.if_not_exists));
    assert!(
        matches!(&ddl[1], Ddl::CreateIndex(c) if c.index.name == "ix_courses_code" && c.table == "courses")
    );
    assert!(
        matches!(&SchemaOp::DropTable(t.clone()).to_ddl()[..], [Ddl::DropTable(d)] if d.name == "courses" && !d.if_exists)
    );
    let alter = |table: &str, a| Ddl::AlterTable(crate::sql::ddl::AlterTable::new(table, a));
    let col = Column::new("x", SqlType::Integer);
    assert_eq!(
        SchemaOp::AddColumn {
            table: "t".into(),
            column: col.clone()
        }
        .to_ddl(),
        [alter("t", AlterAction::AddColumn(col.clone()))]
    );
    assert_eq!(
        SchemaOp::DropColumn {
            table: "t".into(),
            column: col
        }
        .to_ddl(),
        [alter("t", AlterAction::DropColumn("x".into()))]
    );
    assert_eq!(
        SchemaOp::RenameColumn {
            table: "t".into(),
            from: "a".into(),
            to: "b".into()
        }
        .to_ddl(),
        [alter(
            "t",
            AlterAction::RenameColumn {
                from: "a".into(),
                to: "b".into()
            }
        )]
    );
    assert_eq!(
        SchemaOp::RenameTable {
            from: "a".into(),
            to: "b".into()
        }
        .to_ddl(),
        [alter("a", AlterAction::RenameTable("b".into()))]
    );
    assert!(matches!(
        &SchemaOp::DropIndex { table: "t".into(), index: Index::new("ix", &["a"]) }.to_ddl()[..],
        [Ddl::DropIndex(d)] if d.name == "ix" && d.table == "t" && !d.if_exists
    ));
    // Hand-built constraints without names get the generated ones.
    let unnamed = UniqueConstraint {
        name: None,
        columns: vec!["a".into()],
    };
    assert_eq!(
        SchemaOp::DropUnique {
            table: "t".into(),
            unique: unnamed
        }
        .to_ddl(),
        [alter("t", AlterAction::DropUnique("uq_t_a".into()))]
    );
}

#[test]
fn renames_are_never_guessed() {
    let old = Table::new("t").column(Column::new("a", SqlType::Integer));
    let new = Table::new("t").column(Column::new("b", SqlType::Integer));
    let ops = diff(&md(vec![new]), &md(vec![old.clone()]), &PostgresDialect);
    assert_eq!(
        names(&ops),
        ["add column t.b Integer not null", "drop column t.a"]
    );
    let renamed = Table {
        name: "u".into(),
        ..old.clone()
    };
    let ops = diff(&md(vec![renamed]), &md(vec![old]), &PostgresDialect);
    assert_eq!(names(&ops), ["drop table t", "create table u"]);
}
