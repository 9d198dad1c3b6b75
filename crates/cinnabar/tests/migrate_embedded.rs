//! Migrations compiled in with `embed_migrations!` (the walk-through's three revisions in
//! examples/migrations) on each backend: applied at start-up by two instances at once, each
//! revision once and the seeded rows kept; `Migrator::check` passes for the models the head
//! produces and fails, listing the operations, for models changed without a revision. The
//! embedded revisions are the directory's, checksums included.

#[macro_use]
mod support;
#[path = "../../cinnabar-cli/tests/walkthrough/models.rs"]
mod models;

use std::collections::BTreeSet;

use cinnabar::migrate::{EmbeddedMigrations, MigrationDir, Migrator};
use cinnabar::prelude::*;
use cinnabar::{Column, SqlType, Table};
use support::TestDb;

static MIGRATIONS: EmbeddedMigrations = cinnabar::embed_migrations!("examples/migrations");

backend_tests!(
    embedded_migrations_apply_once_at_start_up,
    check_passes_for_the_head_and_fails_for_changed_models,
);

fn embedded_migrations_apply_once_at_start_up(db: &TestDb) {
    let migrator = Migrator::from_embedded(&db.engine, &MIGRATIONS).unwrap();
    let ids: Vec<String> = migrator
        .dir()
        .revisions()
        .iter()
        .map(|r| r.id.clone())
        .collect();
    assert_eq!(ids.len(), 3);
    // The previous release: the first revision, and data.
    assert_eq!(migrator.upgrade(&ids[0]).unwrap(), [ids[0].clone()]);
    let mut conn = db.engine.connect().unwrap();
    for s in 1..=50_i64 {
        conn.execute(
            text("INSERT INTO students (id, name, course) VALUES (:id, :n, :c)")
                .bind("id", s)
                .bind("n", format!("student {s}"))
                .bind("c", format!("C-{}", s % 7)),
        )
        .unwrap();
    }
    drop(conn);

    // Two instances of the new release start at once.
    let applied: Vec<Vec<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    Migrator::from_embedded(&db.engine, &MIGRATIONS)
                        .unwrap()
                        .upgrade("head")
                        .unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let all: Vec<&String> = applied.iter().flatten().collect();
    let unique: BTreeSet<&String> = all.iter().copied().collect();
    assert_eq!(all.len(), 2, "each revision applied once: {applied:?}");
    assert_eq!(unique, ids[1..].iter().collect(), "{applied:?}");
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM cinnabar_migrations WHERE complete = TRUE"),
        Some(3)
    );

    // Every row kept its code under the new name.
    let mut conn = db.engine.connect().unwrap();
    let rows = conn
        .execute(text("SELECT id, course_code FROM students ORDER BY id"))
        .unwrap();
    assert_eq!(rows.len(), 50);
    for (i, r) in rows.rows().iter().enumerate() {
        let id = i as i64 + 1;
        assert_eq!(r.get::<i64>(0).unwrap(), id);
        assert_eq!(r.get::<String>(1).unwrap(), format!("C-{}", id % 7));
    }
}

fn check_passes_for_the_head_and_fails_for_changed_models(db: &TestDb) {
    let migrator = Migrator::from_embedded(&db.engine, &MIGRATIONS).unwrap();
    migrator.check(&models::models(3)).unwrap();
    assert!(migrator
        .pending_model_changes(&models::models(3))
        .unwrap()
        .is_empty());

    // The models of revision 2: the rename is missing.
    let e = migrator.check(&models::models(2)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse);
    assert!(
        e.message().contains("differ from what the head revision"),
        "{e}"
    );
    assert!(e.message().contains("students"), "{e}");
    assert!(e.message().contains("revision --autogenerate"), "{e}");

    // A new model without a revision.
    let mut more = models::models(3);
    more.add(Table::new("teachers").column(Column::new("id", SqlType::BigInt).primary_key()));
    let e = migrator.check(&more).unwrap_err();
    assert!(e.message().contains("create table teachers"), "{e}");
    assert!(e.message().contains("(1 operation)"), "{e}");
}

#[test]
fn embedded_revisions_are_the_directorys() {
    let embedded = MIGRATIONS.load().unwrap();
    let dir =
        MigrationDir::load(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/migrations")).unwrap();
    assert_eq!(MIGRATIONS.files().len(), 3);
    assert_eq!(embedded.revisions().len(), dir.revisions().len());
    for (a, b) in embedded.revisions().iter().zip(dir.revisions()) {
        assert_eq!(a.id, b.id);
        assert_eq!(a.checksum, b.checksum);
        assert_eq!(a.up, b.up);
    }
    assert_eq!(embedded.head().unwrap().id, dir.head().unwrap().id);
    assert_eq!(MIGRATIONS.dir(), "examples/migrations");
}

#[test]
fn a_broken_embedded_file_is_named() {
    static BROKEN: EmbeddedMigrations = EmbeddedMigrations::new(
        "migrations",
        &[(
            "20260101000000_x.toml",
            "id = \"20260101000000\"\nparents = [\n",
        )],
        Some("20260101000000\n"),
    );
    let e = BROKEN.load().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse);
    assert!(e.message().contains("20260101000000_x.toml"), "{e}");
    assert!(e.message().contains("embedded migrations"), "{e}");
}
