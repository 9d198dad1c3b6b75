//! The schema diff against live databases, on SQLite, PostgreSQL and MariaDB/MySQL:
//! (a) every model of the test suites, created with `create_all` and reflected back, differs
//! from its declaration in nothing (`diff` is empty: no false positives); (b) each kind of
//! change is detected (in `schema_diff/changes.rs`), the "current" side being `create_all` of
//! an older version of a table, reflected.
//!
//! The models come from the files that declare them (`#[path]` modules): `compliance/
//! models.rs`, `common/mod.rs`, `models/*.rs` (the models of `regressions.rs`,
//! `relationships.rs`, `mutation.rs`, `session_model.rs`, `sqlalchemy_interop.rs`,
//! `tutorial.rs`) and the examples' `common/mod.rs`; `type_roundtrip.rs` builds its tables
//! inline from its property-test specs, so their shapes are restated here.

#[macro_use]
mod support;

#[path = "common/mod.rs"]
mod common;
#[allow(dead_code)]
#[path = "compliance/models.rs"]
mod compliance_models;
#[path = "../examples/common/mod.rs"]
mod example_models;
#[path = "models/mutation.rs"]
mod mutation_models;
#[path = "models/regressions.rs"]
mod regression_models;
#[path = "models/relationships.rs"]
mod relationship_models;
#[path = "models/session_model.rs"]
mod session_models;
#[cfg(all(feature = "chrono", feature = "decimal", feature = "json"))]
#[path = "models/sqlalchemy_interop.rs"]
mod sqlalchemy_models;
#[path = "models/tutorial.rs"]
mod tutorial_models;

#[path = "schema_diff/changes.rs"]
mod changes;

use cinnabar::prelude::*;
use cinnabar::{diff, Column, ForeignKey, SchemaOp, SqlType, Table};
use support::TestDb;

/// `tables` as one `MetaData`; two tables of one name would hide one of them, so that is a
/// test bug.
pub fn metadata(tables: &[&Table]) -> MetaData {
    let mut md = MetaData::new();
    for t in tables {
        assert!(
            md.table(&t.name).is_none(),
            "two tables named {:?} in one group",
            t.name
        );
        md.add((*t).clone());
    }
    md
}

/// Every table of the test's database, as reflection reads it.
pub(crate) fn reflect(db: &TestDb) -> MetaData {
    let mut current = MetaData::new();
    current.reflect(&db.engine, None).expect("reflect");
    current
}

/// The operations, one per line, for assertion messages.
pub fn show(ops: &[SchemaOp]) -> String {
    ops.iter().map(|o| format!("\n    {o}")).collect::<String>()
}

/// `create_all` of `tables`, reflected, compared with `tables`: nothing differs.
fn assert_reflects_as_declared(db: &TestDb, tables: &[&Table]) {
    let target = metadata(tables);
    target.create_all(&db.engine).expect("create_all");
    let current = reflect(db);
    let names = |m: &MetaData| {
        let mut v: Vec<String> = m.tables().iter().map(|t| t.name.clone()).collect();
        v.sort();
        v
    };
    assert_eq!(
        names(&current),
        names(&target),
        "reflection read other tables"
    );
    let ops = diff(&target, &current, db.engine.dialect());
    assert!(
        ops.is_empty(),
        "{:?}: the models and their reflection differ:{}\n(reflected: {:#?})",
        db.backend,
        show(&ops),
        current.tables()
    );
}

// ---- (a) every model of the test suites ----

fn compliance_models(db: &TestDb) {
    use compliance_models::*;
    let md = compliance_models::metadata();
    let mut tables: Vec<&Table> = md.tables().iter().map(|t| &**t).collect();
    tables.extend([Counter::table(), Versioned::table()]);
    #[cfg(all(
        feature = "chrono",
        feature = "uuid",
        feature = "decimal",
        feature = "json"
    ))]
    tables.push(Typed::table());
    assert_reflects_as_declared(db, &tables);
}

/// `LooseStudent` is the `students` table seen with every column nullable.
fn compliance_loose_student(db: &TestDb) {
    use compliance_models::LooseStudent;
    assert_reflects_as_declared(db, &[LooseStudent::table()]);
}

fn common_models(db: &TestDb) {
    use common::*;
    assert_reflects_as_declared(
        db,
        &[
            Course::table(),
            Student::table(),
            Enrollment::table(),
            Mark::table(),
            Attendance::table(),
        ],
    );
}

fn tutorial_model(db: &TestDb) {
    assert_reflects_as_declared(db, &[tutorial_models::Student::table()]);
}

fn example_model(db: &TestDb) {
    assert_reflects_as_declared(db, &[example_models::Student::table()]);
}

fn regression_models(db: &TestDb) {
    use regression_models::*;
    assert_reflects_as_declared(
        db,
        &[
            Learner::table(),
            Profile::table(),
            Category::table(),
            Owner::table(),
            Pet::table(),
            Dog::table(),
            Kennel::table(),
            Div::table(),
            Wrk::table(),
            Tutor::table(),
            Kid::table(),
            Note::table(),
            Node::table(),
        ],
    );
}

fn relationship_models(db: &TestDb) {
    use relationship_models::*;
    let mut tables: Vec<&Table> = vec![
        Course::table(),
        Student::table(),
        cascades::Department::table(),
        cascades::Teacher::table(),
        tree::Category::table(),
        many_to_many::Subject::table(),
        many_to_many::Prerequisite::table(),
        many_to_many::Pupil::table(),
        many_to_many::Membership::table(),
        one_to_one::Learner::table(),
        one_to_one::Profile::table(),
        back_populates::Tutor::table(),
        back_populates::Kid::table(),
        back_populates::Club::table(),
        back_populates::Member::table(),
        back_populates::ClubMember::table(),
        post_update::Division::table(),
        post_update::Worker::table(),
        // Not `post_update::{Shop, Clerk}`: they form a reference cycle that `create_all`
        // refuses by design (relationships.rs tests that error).
    ];
    #[cfg(feature = "uuid")]
    tables.extend([uuid_keys::Squad::table(), uuid_keys::Player::table()]);
    #[cfg(feature = "chrono")]
    tables.extend([date_keys::SchoolDay::table(), date_keys::Lesson::table()]);
    assert_reflects_as_declared(db, &tables);
}

fn mutation_models(db: &TestDb) {
    use mutation_models::*;
    assert_reflects_as_declared(
        db,
        &[
            Person::table(),
            Wide::table(),
            Team::table(),
            Member::table(),
            LateKey::table(),
            WithDefault::table(),
            Shelf::table(),
            Book::table(),
        ],
    );
}

fn session_model(db: &TestDb) {
    assert_reflects_as_declared(db, &[session_models::Item::table()]);
}

/// The tables of `type_roundtrip.rs` (built there from its specs): one column per type, and
/// the narrower tables of its edge cases.
fn type_roundtrip_tables(db: &TestDb) {
    let mut roundtrip =
        Table::new("roundtrip").column(Column::new("id", SqlType::BigInt).primary_key());
    let types = [
        ("big", SqlType::BigInt),
        ("int", SqlType::Integer),
        ("small", SqlType::SmallInt),
        ("dbl", SqlType::Double),
        ("flt", SqlType::Float),
        ("flag", SqlType::Boolean),
        ("txt", SqlType::Text(None)),
        ("bytes", SqlType::Blob),
        ("day", SqlType::Date),
        ("clock", SqlType::Time),
        ("at", SqlType::DateTime),
        ("instant", SqlType::DateTimeTz),
        ("token", SqlType::Uuid),
        ("amount", SqlType::Decimal(28, 10)),
        ("wide_amount", SqlType::Decimal(57, 28)),
        ("doc", SqlType::Json),
    ];
    for (name, ty) in types {
        roundtrip = roundtrip
            .column(Column::new(name, ty))
            .column(Column::new(format!("{name}_opt"), ty).nullable());
    }
    let nums = Table::new("nums")
        .column(Column::new("id", SqlType::BigInt).primary_key())
        .column(Column::new("n", SqlType::BigInt))
        .column(Column::new("small", SqlType::SmallInt).nullable())
        .column(Column::new("mid", SqlType::Integer).nullable());
    let strs = Table::new("strs")
        .column(Column::new("id", SqlType::BigInt).primary_key())
        .column(Column::new("short", SqlType::Text(Some(10))));
    let nuls = Table::new("nuls")
        .column(Column::new("id", SqlType::BigInt).primary_key())
        .column(Column::new("body", SqlType::Text(None)).nullable())
        .column(Column::new("label", SqlType::Text(Some(8))).nullable())
        .column(Column::new("bytes", SqlType::Blob).nullable())
        .column(Column::new("doc", SqlType::Json).nullable());
    let floats = Table::new("floats")
        .column(Column::new("id", SqlType::BigInt).primary_key())
        .column(Column::new("dbl", SqlType::Double).nullable())
        .column(Column::new("flt", SqlType::Float).nullable());
    let tz = Table::new("tz")
        .column(Column::new("id", SqlType::BigInt).primary_key())
        .column(Column::new("at", SqlType::DateTimeTz).nullable())
        .column(Column::new("naive", SqlType::DateTime).nullable());
    assert_reflects_as_declared(db, &[&roundtrip, &nums, &strs, &nuls, &floats, &tz]);
}

/// What the models above do not declare: every foreign-key action, a composite foreign key,
/// unique and multi-column indexes, a multi-column unique constraint, types written verbatim,
/// checks.
fn keys_indexes_and_verbatim_types(db: &TestDb) {
    use cinnabar::schema::Index;
    use cinnabar::ReferentialAction as A;
    let parent = Table::new("parent")
        .column(
            Column::new("id", SqlType::BigInt)
                .primary_key()
                .autoincrement(),
        )
        .column(Column::new("code", SqlType::Text(Some(10))).unique())
        .column(Column::new("x", SqlType::Integer))
        .column(Column::new("y", SqlType::Integer))
        .unique(&["x", "y"]);
    let fk = |col: &str, to: &str| ForeignKey::new(col, "parent", to);
    let child = Table::new("child")
        .column(
            Column::new("id", SqlType::BigInt)
                .primary_key()
                .autoincrement(),
        )
        .column(Column::new("p1", SqlType::BigInt))
        .column(Column::new("p2", SqlType::BigInt).nullable())
        .column(Column::new("p3", SqlType::BigInt).nullable())
        .column(Column::new("p4", SqlType::BigInt).nullable())
        .column(Column::new("code", SqlType::Text(Some(10))).nullable())
        .column(Column::new("a", SqlType::Integer))
        .column(Column::new("b", SqlType::Integer))
        .column(Column::new("c", SqlType::Integer))
        .column(Column::new("price", SqlType::Text(None)).custom_type("numeric(10,2)"))
        .column(Column::new("label", SqlType::Text(None)).custom_type("varchar (30)"))
        .foreign_key(fk("p1", "id").on_delete(A::Cascade).on_update(A::Restrict))
        .foreign_key(fk("p2", "id").on_delete(A::SetNull).on_update(A::NoAction))
        .foreign_key(fk("p3", "id").on_delete(A::Restrict).on_update(A::Cascade))
        .foreign_key(fk("p4", "id").on_delete(A::NoAction).on_update(A::SetNull))
        .foreign_key(fk("code", "code"))
        .foreign_key(ForeignKey::composite(&["a", "b"], "parent", &["x", "y"]).named("fk_child_ab"))
        .with_index(Index::new("ux_child_a_c", &["a", "c"]).unique())
        .with_index(Index::new("ix_child_c_b", &["c", "b"]))
        .unique(&["b", "c"])
        .check(None, "a >= 0 AND (b <> c OR c IS NULL)")
        .check(Some("ck_child_label"), "label <> 'x''y' and price > 0");
    assert_reflects_as_declared(db, &[&parent, &child]);
}

/// Names with quotes, backquotes, spaces and SQL in them (as `raw_sql_safety.rs` writes
/// them) reflect and compare verbatim.
fn hostile_names(db: &TestDb) {
    use cinnabar::schema::Index;
    let parent = Table::new("pa\"rent`s").column(
        Column::new("i\"d", SqlType::BigInt)
            .primary_key()
            .autoincrement(),
    );
    let child = Table::new("stu\"dents'; DROP TABLE x; --")
        .column(
            Column::new("i\"d", SqlType::BigInt)
                .primary_key()
                .autoincrement(),
        )
        .column(Column::new("na\"me", SqlType::Text(Some(30))).unique())
        .column(Column::new("back`tick col", SqlType::BigInt).nullable())
        .column(Column::new("'; DROP TABLE y; --", SqlType::Text(Some(30))).nullable())
        .foreign_key(ForeignKey::new("back`tick col", "pa\"rent`s", "i\"d"))
        .with_index(Index::new(
            "ix\"; DROP TABLE z; --",
            &["'; DROP TABLE y; --", "na\"me"],
        ));
    assert_reflects_as_declared(db, &[&parent, &child]);
}

backend_tests!(
    compliance_models,
    compliance_loose_student,
    common_models,
    tutorial_model,
    example_model,
    regression_models,
    relationship_models,
    mutation_models,
    session_model,
    type_roundtrip_tables,
    keys_indexes_and_verbatim_types,
    hostile_names,
);

/// The models of `sqlalchemy_interop.rs` (which needs these features).
#[cfg(all(feature = "chrono", feature = "decimal", feature = "json"))]
mod interop {
    use super::*;
    use sqlalchemy_models::{Course, EveryType, Student};

    fn sqlalchemy_interop_models(db: &TestDb) {
        assert_reflects_as_declared(db, &[Course::table(), Student::table(), EveryType::table()]);
    }

    backend_tests!(sqlalchemy_interop_models);
}
