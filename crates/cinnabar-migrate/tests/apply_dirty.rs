//! A revision failing at its second step, on SQLite, PostgreSQL and MariaDB: with
//! transactional DDL nothing of it stays; on MariaDB (DDL commits itself) the version table
//! records "dirty at step 1", `downgrade` undoes the applied step, `upgrade` refuses a dirty
//! revision whose applied steps were edited, and resumes after the failing step is fixed.

#[path = "../../cinnabar/tests/support/mod.rs"]
mod support;

#[path = "common/fixtures.rs"]
mod fixtures;

use std::path::Path;

use cinnabar_core::schema::diff::SchemaOp;
use cinnabar_core::schema::{Column, Table};
use cinnabar_core::types::SqlType;
use cinnabar_core::ErrorKind;
use cinnabar_migrate::{MigrationDir, Migrator, Revision, Step, VERSION_TABLE};
use fixtures::*;
use support::TestDb;

const RF: &str = "20260102000000";

fn gadgets() -> Table {
    Table::new("gadgets")
        .column(Column::new("id", SqlType::BigInt).primary_key())
        .column(Column::new("label", SqlType::Text(Some(30))).nullable())
}

/// Creates gadgets, inserts a row with `insert`, adds a column.
fn failing_revision(insert: &str, label_len: u32) -> Revision {
    let mut table = gadgets();
    table.columns[1].sql_type = SqlType::Text(Some(label_len));
    let up = vec![
        Step::Op(SchemaOp::CreateTable(table)),
        sql_all(insert),
        Step::Op(SchemaOp::AddColumn {
            table: "gadgets".into(),
            column: Column::new("extra", SqlType::Integer).nullable(),
        }),
    ];
    let mut down = mirrored(&up);
    down[1] = sql_all("DELETE FROM gadgets");
    revision(RF, &[], "gadgets", up, down)
}

fn write(dir: &Path, r: &Revision) -> MigrationDir {
    for e in std::fs::read_dir(dir).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    write_dir(dir, std::slice::from_ref(r));
    MigrationDir::load(dir).unwrap()
}

fn version_row(m: &Migrator) -> Option<(i64, i64, bool)> {
    m.history()
        .unwrap()
        .into_iter()
        .find_map(|h| h.applied)
        .map(|a| (a.steps_done, a.steps_total, a.complete))
}

fn has_gadgets(db: &TestDb) -> bool {
    !columns(&db.engine, "gadgets").is_empty()
}

fn a_failing_step_leaves_a_state_to_resume_or_undo(db: &TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    let bad = failing_revision("INSERT INTO no_such_table (id) VALUES (1)", 30);
    let m = Migrator::new(&db.engine, write(tmp.path(), &bad));
    let transactional = db.engine.dialect().transactional_ddl();

    let e = m.upgrade("head").unwrap_err();
    assert!(e.message().contains(RF), "{e}");
    assert!(e.message().contains("step 2"), "{e}");
    if transactional {
        // Rolled back whole: no table, no version row.
        assert!(!has_gadgets(db));
        assert_eq!(version_row(&m), None);
        assert!(m.downgrade("base").unwrap().is_empty());
    } else {
        assert!(e.message().contains("dirty at step 1"), "{e}");
        assert!(has_gadgets(db));
        assert_eq!(version_row(&m), Some((1, 3, false)));
        let current = m.current().unwrap();
        assert!(current[0].is_dirty());
        // downgrade undoes the one applied step and removes the row.
        assert_eq!(m.downgrade("base").unwrap(), [RF]);
        assert!(!has_gadgets(db));
        assert_eq!(version_row(&m), None);
        // Dirty again.
        m.upgrade("head").unwrap_err();
        assert_eq!(version_row(&m), Some((1, 3, false)));

        // Editing an applied step of the dirty revision is refused.
        let edited = failing_revision("INSERT INTO no_such_table (id) VALUES (1)", 31);
        let m2 = Migrator::new(&db.engine, write(tmp.path(), &edited));
        let e = m2.upgrade("head").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Misuse);
        assert!(
            e.message().contains(RF) && e.message().contains("edited"),
            "{e}"
        );
    }

    // Fix the failing step: upgrade applies (MariaDB: resumes at step 2; running step 1
    // again would fail, the table exists).
    // The fix also adds a step (a dirty revision's steps still to run may change).
    let mut fixed = failing_revision("INSERT INTO gadgets (id, label) VALUES (1, 'one')", 30);
    let more = Step::Op(SchemaOp::AddColumn {
        table: "gadgets".into(),
        column: Column::new("more", SqlType::Integer).nullable(),
    });
    fixed
        .down
        .insert(0, mirrored(std::slice::from_ref(&more)).remove(0));
    fixed.up.push(more);
    let m = Migrator::new(&db.engine, write(tmp.path(), &fixed));
    assert_eq!(m.upgrade("head").unwrap(), [RF]);
    assert_eq!(version_row(&m), Some((4, 4, true)));
    assert_eq!(
        columns(&db.engine, "gadgets"),
        ["id", "label", "extra", "more"]
    );
    assert_eq!(count(&db.engine, "SELECT COUNT(*) FROM gadgets"), 1);
    assert!(m.history().unwrap()[0].checksum == cinnabar_migrate::ChecksumStatus::Matches);
    // And it undoes cleanly.
    assert_eq!(m.downgrade("base").unwrap(), [RF]);
    assert!(!has_gadgets(db));
    assert_eq!(
        count(&db.engine, &format!("SELECT COUNT(*) FROM {VERSION_TABLE}")),
        0
    );
}

fn a_failing_down_step_leaves_a_state_to_finish(db: &TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    let mut r = failing_revision("INSERT INTO gadgets (id, label) VALUES (1, 'one')", 30);
    let m = Migrator::new(&db.engine, write(tmp.path(), &r));
    m.upgrade("head").unwrap();
    // Down step 2 (undoing up step 2) fails.
    r.down[1] = sql_all("DELETE FROM no_such_table");
    let m = Migrator::new(&db.engine, write(tmp.path(), &r));
    // Only the revisions being undone must match their files: this one changed.
    let e = m.downgrade("base").unwrap_err();
    assert!(e.message().contains("edited"), "{e}");
    // Stamp it as applied with the new file, then downgrade.
    m.stamp("head").unwrap();
    let e = m.downgrade("base").unwrap_err();
    assert!(e.message().contains("down step 2"), "{e}");
    if db.engine.dialect().transactional_ddl() {
        assert_eq!(columns(&db.engine, "gadgets"), ["id", "label", "extra"]);
        assert_eq!(version_row(&m), Some((3, 3, true)));
    } else {
        // Down step 1 (drop extra) is done: two up steps still applied.
        assert!(e.message().contains("dirty at step 2"), "{e}");
        assert_eq!(columns(&db.engine, "gadgets"), ["id", "label"]);
        assert_eq!(version_row(&m), Some((2, 3, false)));
        // upgrade re-applies the undone step.
        assert_eq!(m.upgrade("head").unwrap(), [RF]);
        assert_eq!(columns(&db.engine, "gadgets"), ["id", "label", "extra"]);
        assert_eq!(version_row(&m), Some((3, 3, true)));
    }
}

backend_tests!(
    a_failing_step_leaves_a_state_to_resume_or_undo,
    a_failing_down_step_leaves_a_state_to_finish,
);
