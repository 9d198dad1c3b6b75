//! Replay and autogenerate without a database: a directory's revisions replayed give the
//! schema their operations describe; autogenerate finds nothing when models, live schema
//! and revisions agree, renames from hints, refuses destructive operations unless allowed,
//! and reports drift apart.

use cinnabar_core::dialect::{MySqlDialect, PostgresDialect, SqliteDialect};
use cinnabar_core::schema::diff::{diff, SchemaOp};
use cinnabar_core::schema::{Column, ForeignKey, MetaData, ReferentialAction, Table};
use cinnabar_core::types::SqlType;
use cinnabar_core::ErrorKind;

use crate::{autogenerate, AutogenerateOptions, MigrationDir, Step, LOCK_TABLE, VERSION_TABLE};

fn courses() -> Table {
    Table::new("courses")
        .column(
            Column::new("id", SqlType::BigInt)
                .primary_key()
                .autoincrement(),
        )
        .column(Column::new("title", SqlType::Text(Some(100))))
}

fn students() -> Table {
    Table::new("students")
        .column(
            Column::new("id", SqlType::BigInt)
                .primary_key()
                .autoincrement(),
        )
        .column(Column::new("name", SqlType::Text(Some(50))))
        .column(Column::new("course", SqlType::Text(Some(20))).index())
        .column(Column::new("course_id", SqlType::BigInt).nullable())
        .foreign_key(
            ForeignKey::new("course_id", "courses", "id").on_delete(ReferentialAction::Cascade),
        )
}

fn md(tables: Vec<Table>) -> MetaData {
    let mut m = MetaData::new();
    for t in tables {
        m.add(t);
    }
    m
}

fn opts() -> AutogenerateOptions {
    AutogenerateOptions::default()
}

/// The tutorial's three revisions, written through autogenerate and replayed.
#[test]
fn three_revisions_replay_to_the_models() {
    let tmp = tempfile::tempdir().unwrap();
    let mut dir = MigrationDir::init(tmp.path()).unwrap();
    let v1 = md(vec![courses(), students()]);
    let email = Column::new("email", SqlType::Text(Some(120)))
        .nullable()
        .unique();
    let v2 = md(vec![courses(), students().column(email.clone())]);
    let mut renamed = students().column(email);
    renamed.columns[2] = Column::new("course_code", SqlType::Text(Some(20)))
        .index()
        .renamed_from("course");
    let v3 = md(vec![courses(), renamed]);

    for (message, models) in [
        ("create tables", &v1),
        ("add email", &v2),
        ("rename course", &v3),
    ] {
        let replayed = match dir.revisions().last() {
            None => MetaData::new(),
            Some(_) => dir.schema_at(Some(&dir.head().unwrap().id)).unwrap(),
        };
        // The revisions are the only history: the replayed schema stands in for the live one.
        let found = autogenerate(models, &replayed, &replayed, &SqliteDialect, &opts()).unwrap();
        assert!(found.drift.is_empty());
        assert!(!found.is_empty(), "{message}");
        assert!(!found.destructive, "{message}: {:?}", found.ops);
        let r = dir.create_revision(message, found.steps()).unwrap();
        assert_eq!(r.irreversible, None, "{message}");
        let head = r.id.clone();
        let replayed = dir.schema_at(Some(&head)).unwrap();
        for d in [
            &SqliteDialect as &dyn cinnabar_core::dialect::Dialect,
            &PostgresDialect,
            &MySqlDialect,
        ] {
            let left: Vec<String> = diff(models, &replayed, d)
                .iter()
                .map(ToString::to_string)
                .collect();
            assert!(left.is_empty(), "{message} {}: {left:?}", d.name());
        }
    }
    let third = dir.head().unwrap();
    let ops: Vec<String> = third.up.iter().map(Step::describe).collect();
    assert_eq!(
        ops[0], "rename column students.course to course_code",
        "a rename, never a drop and an add: {ops:?}"
    );
    assert!(!ops.iter().any(|o| o.contains("drop column")), "{ops:?}");
    // The database keeps the index's name through the rename; the models name it after the
    // new column, so the revision renames the index too.
    assert_eq!(
        ops[1..],
        [
            "drop index ix_students_course on students",
            "add index ix_students_course_code on students [\"course_code\"]"
        ]
    );

    // Replaying down: the reverse steps of each revision lead back to the empty schema.
    let mut schema = dir.schema_at(Some(&third.id)).unwrap();
    for r in dir.path_down(&third.id, None).unwrap() {
        for step in &r.down {
            if let Step::Op(op) = step {
                op.apply(&mut schema).unwrap();
            }
        }
    }
    assert!(schema.tables().is_empty(), "{schema:?}");

    // The schema before a step: before the third revision's first step, `course` exists.
    let before = dir.schema_before(&third.id, 0).unwrap();
    assert!(before
        .table("students")
        .unwrap()
        .get_column("course")
        .is_some());
    let after = dir.schema_before(&third.id, 1).unwrap();
    assert!(after
        .table("students")
        .unwrap()
        .get_column("course_code")
        .is_some());
    assert!(dir.schema_before(&third.id, 99).is_err());
}

#[test]
fn destructive_ops_need_allow_destructive() {
    let live = md(vec![courses(), students()]);
    let models = md(vec![courses()]);
    let e = autogenerate(&models, &live, &live, &SqliteDialect, &opts()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse);
    assert!(e.message().contains("drop table students"), "{e}");
    assert!(e.message().contains("--allow-destructive"), "{e}");
    let allowed = AutogenerateOptions {
        allow_destructive: true,
        ..opts()
    };
    let found = autogenerate(&models, &live, &live, &SqliteDialect, &allowed).unwrap();
    assert!(found.destructive);
    assert_eq!(found.ops.len(), 1);

    // Narrowing a type is destructive too; widening is not.
    let mut narrow = students();
    narrow.columns[1].sql_type = SqlType::Text(Some(10));
    let e = autogenerate(
        &md(vec![courses(), narrow]),
        &live,
        &live,
        &PostgresDialect,
        &opts(),
    )
    .unwrap_err();
    assert!(e.message().contains("alter column students.name"), "{e}");
    let mut wide = students();
    wide.columns[1].sql_type = SqlType::Text(Some(500));
    let found = autogenerate(
        &md(vec![courses(), wide]),
        &live,
        &live,
        &PostgresDialect,
        &opts(),
    )
    .unwrap();
    assert!(!found.destructive);
    assert_eq!(found.ops.len(), 1);

    // Written, the revision is marked destructive and cannot be undone.
    let tmp = tempfile::tempdir().unwrap();
    let mut dir = MigrationDir::init(tmp.path()).unwrap();
    let found = autogenerate(&models, &live, &live, &SqliteDialect, &allowed).unwrap();
    let r = dir.create_revision("drop students", found.steps()).unwrap();
    assert!(r.destructive);
    assert!(r.irreversible.is_some());
}

#[test]
fn drift_is_reported_apart_and_the_version_table_ignored() {
    let version = Table::new(VERSION_TABLE)
        .column(Column::new("revision", SqlType::Text(Some(64))).primary_key());
    // A cluster's migration lock table (`MigrationLock::LockTable`, Galera) is the migrator's
    // too: never proposed for dropping, never drift.
    assert_eq!(LOCK_TABLE, format!("{VERSION_TABLE}_lock"));
    let lock =
        Table::new(LOCK_TABLE).column(Column::new("name", SqlType::Text(Some(255))).primary_key());
    let mut live = md(vec![courses(), students(), version, lock]);
    // Someone added a column by hand.
    let mut by_hand = courses();
    by_hand
        .columns
        .push(Column::new("room", SqlType::Integer).nullable());
    live.add(by_hand.clone());
    let models = md(vec![courses(), students()]);
    let models = {
        let mut m = models;
        m.add(by_hand);
        m
    };
    let replayed = md(vec![courses(), students()]);
    let found = autogenerate(&models, &live, &replayed, &SqliteDialect, &opts()).unwrap();
    assert!(found.ops.is_empty(), "{:?}", found.ops);
    let drift: Vec<String> = found.drift.iter().map(ToString::to_string).collect();
    assert_eq!(drift, ["drop column courses.room"]);
}

#[test]
fn table_rename_from_model_hint() {
    let live = md(vec![courses(), students()]);
    let modules = {
        let mut t = courses().renamed_from("courses");
        t.name = "modules".into();
        t
    };
    let mut s = students();
    s.foreign_keys[0].ref_table = "modules".into();
    let models = md(vec![modules, s]);
    let found = autogenerate(&models, &live, &live, &MySqlDialect, &opts()).unwrap();
    assert_eq!(
        found.ops,
        [SchemaOp::RenameTable {
            from: "courses".into(),
            to: "modules".into()
        }]
    );
}

/// A PostgreSQL-like dialect whose DDL is transactional but wants one statement per
/// transaction (CockroachDB's advice): revisions then go step by step.
#[derive(Debug)]
struct OneDdlPerTransaction;

impl cinnabar_core::dialect::Dialect for OneDdlPerTransaction {
    fn name(&self) -> &'static str {
        "one-ddl"
    }
    fn column_type(&self, column: &Column, keyed: bool) -> String {
        PostgresDialect.column_type(column, keyed)
    }
    fn autoincrement_primary_key(&self, column: &Column) -> String {
        PostgresDialect.autoincrement_primary_key(column)
    }
    fn max_bind_params(&self) -> usize {
        PostgresDialect.max_bind_params()
    }
    fn one_ddl_per_transaction(&self) -> bool {
        true
    }
}

#[test]
fn revisions_run_in_one_transaction_only_where_ddl_is_transactional_and_may_share_one() {
    use crate::apply::revision_in_one_transaction;
    use cinnabar_core::dialect::{Dialect, GaleraDialect};
    assert!(revision_in_one_transaction(&PostgresDialect));
    assert!(revision_in_one_transaction(&SqliteDialect));
    assert!(!revision_in_one_transaction(&MySqlDialect));
    assert!(!revision_in_one_transaction(&GaleraDialect));
    assert!(OneDdlPerTransaction.transactional_ddl());
    assert!(!revision_in_one_transaction(&OneDdlPerTransaction));
}
