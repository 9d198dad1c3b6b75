//! The Migrator on seeded databases, on SQLite, PostgreSQL and MariaDB: upgrade → downgrade →
//! upgrade keeps schema and data, untouched tables keep their contents, renames keep values,
//! checksums of applied revisions (CRLF-only edits pass, real edits fail), stamp, history,
//! irreversible revisions, Rust steps, progress, and offline SQL run on empty databases.

#[path = "../../cinnabar/tests/support/mod.rs"]
mod support;

#[path = "common/fixtures.rs"]
mod fixtures;

use std::sync::{Arc, Mutex};

use cinnabar::prelude::text;
use cinnabar_core::dialect::{MySqlDialect, PostgresDialect, SqliteDialect};
use cinnabar_core::ErrorKind;
use cinnabar_engine::Inspector;
use cinnabar_migrate::{
    describe_progress, sql_for_upgrade, ChecksumStatus, MigrationDir, Migrator, ProgressKind, Step,
};
use fixtures::*;
use support::{Backend, TestDb};

fn upgrade_downgrade_upgrade_keeps_schema_and_data(db: &TestDb) {
    let (_tmp, dir) = four_revision_dir();
    let m = Migrator::new(&db.engine, dir);
    assert_eq!(m.upgrade(R1).unwrap(), [R1]);
    seed(&db.engine, 50);
    let seeded = rows(&db.engine, "students");
    let before = schema(&db.engine);

    assert_eq!(m.upgrade("head").unwrap(), [R2, R3, R4]);
    let schema_head = schema(&db.engine);
    let students_head = rows(&db.engine, "students");
    // The rename kept every value; the new column is empty.
    assert_eq!(
        columns(&db.engine, "students"),
        ["id", "name", "course_code", "course_id", "email"]
    );
    assert_eq!(students_head.len(), 50);
    for (old, new) in seeded.iter().zip(&students_head) {
        assert_eq!(old[..4], new[..4]);
        assert_eq!(new[4], cinnabar_core::Value::Null);
    }
    assert_eq!(count(&db.engine, "SELECT COUNT(*) FROM audit_log"), 1);

    assert_eq!(m.downgrade(R1).unwrap(), [R4, R3, R2]);
    assert!(schema_diff(&db.engine, &before, &schema(&db.engine)).is_empty());
    assert_eq!(rows(&db.engine, "students"), seeded);

    assert_eq!(m.upgrade("head").unwrap(), [R2, R3, R4]);
    let again = schema(&db.engine);
    assert!(
        schema_diff(&db.engine, &schema_head, &again).is_empty(),
        "{:?}",
        schema_diff(&db.engine, &schema_head, &again)
    );
    assert_eq!(rows(&db.engine, "students"), students_head);
    assert_eq!(rows(&db.engine, "courses").len(), 3);
    assert_eq!(count(&db.engine, "SELECT COUNT(*) FROM audit_log"), 1);

    let current: Vec<String> = m
        .current()
        .unwrap()
        .into_iter()
        .map(|r| r.revision)
        .collect();
    assert_eq!(current, [R4]);
    // Nothing left to do.
    assert!(m.upgrade("head").unwrap().is_empty());
    assert_eq!(m.downgrade("base").unwrap(), [R4, R3, R2, R1]);
    assert!(schema(&db.engine).tables().is_empty());
    assert!(m.current().unwrap().is_empty());
}

fn untouched_tables_keep_their_contents(db: &TestDb) {
    let (_tmp, dir) = four_revision_dir();
    let m = Migrator::new(&db.engine, dir);
    m.upgrade(R1).unwrap();
    seed(&db.engine, 200);
    let courses = rows(&db.engine, "courses");
    let students = rows(&db.engine, "students");
    m.upgrade("head").unwrap();
    assert_eq!(rows(&db.engine, "courses"), courses);
    let after = rows(&db.engine, "students");
    assert_eq!(after.len(), students.len());
    for (a, b) in students.iter().zip(&after) {
        assert_eq!(a[..], b[..4]);
    }
    if db.backend == Backend::Sqlite {
        let mut conn = db.engine.connect().unwrap();
        let violations = conn
            .execute(cinnabar::prelude::text("PRAGMA foreign_key_check"))
            .unwrap();
        assert!(violations.is_empty());
    }
}

fn crlf_only_edits_pass_and_real_edits_fail(db: &TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    let revs = four_revisions();
    write_dir(tmp.path(), &revs);
    let m = Migrator::new(&db.engine, MigrationDir::load(tmp.path()).unwrap());
    m.upgrade("head").unwrap();

    let file = file_of(tmp.path(), &revs[1]);
    let original = std::fs::read_to_string(&file).unwrap();
    let crlf = original.replace('\n', "  \r\n");
    assert_ne!(crlf, original);
    std::fs::write(&file, &crlf).unwrap();
    let m = Migrator::new(&db.engine, MigrationDir::load(tmp.path()).unwrap());
    assert!(m.upgrade("head").unwrap().is_empty());
    assert!(m
        .history()
        .unwrap()
        .iter()
        .all(|h| h.checksum == ChecksumStatus::Matches));

    let edited = original.replace("varchar(120)", "varchar(121)");
    assert_ne!(edited, original);
    std::fs::write(&file, &edited).unwrap();
    let m = Migrator::new(&db.engine, MigrationDir::load(tmp.path()).unwrap());
    let e = m.upgrade("head").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse);
    assert!(e.message().contains(R2), "{e}");
    assert!(e.message().contains("edited"), "{e}");
    let e = m.downgrade("base").unwrap_err();
    assert!(e.message().contains(R2), "{e}");
    let history = m.history().unwrap();
    let status: Vec<ChecksumStatus> = history.iter().map(|h| h.checksum).collect();
    assert_eq!(
        status,
        [
            ChecksumStatus::Matches,
            ChecksumStatus::Changed,
            ChecksumStatus::Matches,
            ChecksumStatus::Matches
        ]
    );
    // Nothing ran.
    assert_eq!(count(&db.engine, "SELECT COUNT(*) FROM audit_log"), 1);
}

fn stamp_records_without_running(db: &TestDb) {
    let (_tmp, dir) = four_revision_dir();
    let m = Migrator::new(&db.engine, dir);
    m.upgrade(R3).unwrap();
    // A database at R3 made by other means: stamp it at R3 after losing the version rows.
    m.stamp("base").unwrap();
    assert!(m.current().unwrap().is_empty());
    m.stamp(R3).unwrap();
    let current: Vec<String> = m
        .current()
        .unwrap()
        .into_iter()
        .map(|r| r.revision)
        .collect();
    assert_eq!(current, [R3]);
    let history = m.history().unwrap();
    assert_eq!(history.len(), 4);
    assert!(history[..3].iter().all(|h| h
        .applied
        .as_ref()
        .is_some_and(|a| a.complete && a.duration_ms == 0)));
    assert!(history[3].applied.is_none());
    assert_eq!(m.upgrade("head").unwrap(), [R4]);
    let r4 = m.history().unwrap().pop().unwrap().applied.unwrap();
    assert!(r4.complete);
    assert_eq!((r4.steps_done, r4.steps_total), (2, 2));
    assert_eq!(r4.applied_at.len(), "2026-01-01T00:00:00Z".len());
    assert!(r4.applied_at.ends_with('Z'), "{}", r4.applied_at);
}

fn irreversible_revisions_refuse_downgrade(db: &TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    let mut revs = four_revisions();
    revs[2].irreversible = Some("the old codes were merged".into());
    revs[2].down.clear();
    write_dir(tmp.path(), &revs);
    let m = Migrator::new(&db.engine, MigrationDir::load(tmp.path()).unwrap());
    m.upgrade("head").unwrap();
    let e = m.downgrade(R1).unwrap_err();
    assert!(e.message().contains(R3), "{e}");
    assert!(e.message().contains("the old codes were merged"), "{e}");
    // Refused before anything was undone: R4's table is still there.
    assert_eq!(count(&db.engine, "SELECT COUNT(*) FROM audit_log"), 1);
    assert_eq!(m.downgrade(R3).unwrap(), [R4]);
}

fn rust_steps_run_registered_functions(db: &TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    let mut revs = four_revisions();
    revs.truncate(1);
    revs.push(revision(
        R2,
        &[R1],
        "backfill",
        vec![Step::Rust("backfill_titles".into())],
        vec![sql_all("UPDATE courses SET title = 'x' WHERE 1 = 0")],
    ));
    write_dir(tmp.path(), &revs);
    let dir = MigrationDir::load(tmp.path()).unwrap();

    let e = Migrator::new(&db.engine, dir.clone())
        .upgrade("head")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse);
    assert!(e.message().contains("backfill_titles"), "{e}");
    assert!(e.message().contains(R2), "{e}");

    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let m =
        Migrator::new(&db.engine, dir).with_rust_step("backfill_titles", move |conn, tables| {
            let mut names: Vec<String> = tables.tables().iter().map(|t| t.name.clone()).collect();
            names.sort();
            seen2.lock().unwrap().extend(names);
            conn.execute_script("INSERT INTO courses (title) VALUES ('from rust')")
        });
    assert_eq!(m.upgrade("head").unwrap(), [R2]);
    assert_eq!(*seen.lock().unwrap(), ["courses", "students"]);
    assert_eq!(
        count(
            &db.engine,
            "SELECT COUNT(*) FROM courses WHERE title = 'from rust'"
        ),
        1
    );
}

fn progress_reports_each_revision_and_step(db: &TestDb) {
    let (_tmp, dir) = four_revision_dir();
    let lines = Arc::new(Mutex::new(Vec::new()));
    let l2 = lines.clone();
    let m = Migrator::new(&db.engine, dir).with_progress(
        move |e: &cinnabar_migrate::ProgressEvent<'_>| {
            if !matches!(e.kind, ProgressKind::Step { .. }) || e.position.0 == 2 {
                l2.lock().unwrap().push(describe_progress(e));
            }
        },
    );
    m.upgrade(R2).unwrap();
    let lines = lines.lock().unwrap();
    assert_eq!(lines.len(), 6, "{lines:#?}");
    assert!(lines[0].starts_with(&format!("[1/2] {R1} create tables: upgrade started")));
    assert!(lines[2].starts_with(&format!("[2/2] {R2} add email: upgrade started")));
    assert!(
        lines[3].contains("step 1/2 add column students.email"),
        "{}",
        lines[3]
    );
    assert!(
        lines[4].contains("step 2/2 add index ix_students_email"),
        "{}",
        lines[4]
    );
    assert!(lines[5].contains("upgrade done in"), "{}", lines[5]);
}

fn offline_sql_runs_on_an_empty_database(db: &TestDb) {
    let (_tmp, dir) = four_revision_dir();
    let d = db.engine.dialect();
    let script = sql_for_upgrade(&dir, d, None, "head").unwrap().join(";\n");
    db.engine
        .connect()
        .unwrap()
        .execute_script(&script)
        .unwrap();
    let m = Migrator::new(&db.engine, dir.clone());
    let current: Vec<String> = m
        .current()
        .unwrap()
        .into_iter()
        .map(|r| r.revision)
        .collect();
    assert_eq!(current, [R4]);
    assert!(m
        .history()
        .unwrap()
        .iter()
        .all(|h| h.checksum == ChecksumStatus::Matches
            && h.applied.as_ref().is_some_and(|a| a.complete)));
    assert!(m.upgrade("head").unwrap().is_empty());
    assert_eq!(count(&db.engine, "SELECT COUNT(*) FROM audit_log"), 1);
    // The same schema as the online upgrade makes.
    let offline = schema(&db.engine);
    assert_eq!(m.downgrade("base").unwrap(), [R4, R3, R2, R1]);
    m.upgrade("head").unwrap();
    assert!(schema_diff(&db.engine, &offline, &schema(&db.engine)).is_empty());

    // A range: online to R2, then the script from R2 to head.
    m.downgrade(R2).unwrap();
    let script = sql_for_upgrade(&dir, d, Some(R2), "head").unwrap();
    assert!(!script.iter().any(|s| s.contains("ix_students_email")));
    db.engine
        .connect()
        .unwrap()
        .execute_script(&script.join(";\n"))
        .unwrap();
    let current: Vec<String> = m
        .current()
        .unwrap()
        .into_iter()
        .map(|r| r.revision)
        .collect();
    assert_eq!(current, [R4]);
}

fn changes_of_a_parent_table_keep_every_row(db: &TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    write_dir(tmp.path(), &five_revisions());
    let dir = MigrationDir::load(tmp.path()).unwrap();
    let m = Migrator::new(&db.engine, dir.clone());
    m.upgrade(R1).unwrap();
    seed(&db.engine, 300);
    m.upgrade(R4).unwrap();
    let courses = rows(&db.engine, "courses");
    let students = rows(&db.engine, "students");
    let before = schema(&db.engine);

    assert_eq!(m.upgrade("head").unwrap(), [R5]);
    // Every child row survived the change of its parent table (on SQLite a rebuild, whose
    // DROP TABLE would cascade to them with foreign keys on).
    assert_eq!(rows(&db.engine, "students"), students);
    assert_eq!(rows(&db.engine, "courses"), courses);
    let title = Inspector::new(&db.engine)
        .table("courses")
        .unwrap()
        .unwrap()
        .columns[1]
        .clone();
    assert_eq!(
        title.sql_type,
        cinnabar_core::types::SqlType::Text(Some(200))
    );
    let mut conn = db.engine.connect().unwrap();
    let long = "x".repeat(150);
    conn.execute_script(&format!("INSERT INTO courses (title) VALUES ('{long}')"))
        .unwrap();
    let e = conn
        .execute_script(&format!("INSERT INTO courses (title) VALUES ('{long}')"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}");
    conn.execute_script(&format!("DELETE FROM courses WHERE title = '{long}'"))
        .unwrap();
    if db.backend == Backend::Sqlite {
        assert!(conn
            .execute(text("PRAGMA foreign_key_check"))
            .unwrap()
            .is_empty());
        let fk: i64 = conn.scalar(text("PRAGMA foreign_keys")).unwrap();
        assert_eq!(fk, 1, "foreign keys are back on");
        let temp = count(
            &db.engine,
            "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE '%cinnabar_new%'",
        );
        assert_eq!(temp, 0);
    }
    drop(conn);

    // And back: the same schema and rows as before.
    assert_eq!(m.downgrade(R4).unwrap(), [R5]);
    assert!(schema_diff(&db.engine, &before, &schema(&db.engine)).is_empty());
    assert_eq!(rows(&db.engine, "students"), students);
    assert_eq!(rows(&db.engine, "courses"), courses);

    // The offline script for R5 runs on a copy at R4 and keeps the rows too.
    let script = sql_for_upgrade(&dir, db.engine.dialect(), Some(R4), "head").unwrap();
    if db.backend == Backend::Sqlite {
        // One rebuild for both changes, foreign keys off around the transaction.
        let copies = script
            .iter()
            .filter(|s| s.starts_with("INSERT INTO \"_cinnabar_new_courses\""))
            .count();
        assert_eq!(copies, 1, "{script:#?}");
        assert_eq!(script[1], "PRAGMA foreign_keys = OFF", "{script:#?}");
        assert_eq!(
            script.last().map(String::as_str),
            Some("PRAGMA foreign_keys = ON")
        );
    }
    db.engine
        .connect()
        .unwrap()
        .execute_script(&script.join(";\n"))
        .unwrap();
    assert_eq!(rows(&db.engine, "students"), students);
    let current: Vec<String> = m
        .current()
        .unwrap()
        .into_iter()
        .map(|r| r.revision)
        .collect();
    assert_eq!(current, [R5]);
}

backend_tests!(
    changes_of_a_parent_table_keep_every_row,
    upgrade_downgrade_upgrade_keeps_schema_and_data,
    untouched_tables_keep_their_contents,
    crlf_only_edits_pass_and_real_edits_fail,
    stamp_records_without_running,
    irreversible_revisions_refuse_downgrade,
    rust_steps_run_registered_functions,
    progress_reports_each_revision_and_step,
    offline_sql_runs_on_an_empty_database,
);

/// The scripts of each dialect: one transaction per revision where DDL is transactional,
/// a version row updated after each step where it is not.
#[test]
fn offline_sql_shape_per_dialect() {
    let (_tmp, dir) = four_revision_dir();
    let pg = sql_for_upgrade(&dir, &PostgresDialect, Some(R3), "head").unwrap();
    assert_eq!(pg.len(), 6, "{pg:#?}");
    assert!(pg[0].starts_with("CREATE TABLE IF NOT EXISTS \"cinnabar_migrations\""));
    assert_eq!(pg[1], "BEGIN");
    assert!(pg[2].starts_with("CREATE TABLE \"audit_log\""));
    assert_eq!(pg[3], "INSERT INTO audit_log (note) VALUES ('r4 applied')");
    assert!(pg[4].starts_with(&format!(
        "INSERT INTO \"cinnabar_migrations\" (\"revision\", \"checksum\", \"applied_at\", \
         \"duration_ms\", \"steps_done\", \"steps_total\", \"complete\") VALUES ('{R4}', '"
    )));
    assert!(pg[4].ends_with(", 0, 2, 2, TRUE)"), "{}", pg[4]);
    assert_eq!(pg[5], "COMMIT");

    let my = sql_for_upgrade(&dir, &MySqlDialect, Some(R3), "head").unwrap();
    assert_eq!(my.len(), 6, "{my:#?}");
    assert!(my[1].ends_with(", 0, 0, 2, FALSE)"), "{}", my[1]);
    assert!(my[2].starts_with("CREATE TABLE `audit_log`"));
    assert!(my[3].starts_with("UPDATE `cinnabar_migrations` SET `checksum` = '"));
    assert!(
        my[3].ends_with(&format!(
            "`duration_ms` = 0, `steps_done` = 1, `steps_total` = 2, `complete` = FALSE WHERE `revision` = '{R4}'"
        )),
        "{}",
        my[3]
    );
    assert!(
        my[5].ends_with(&format!(
            "`steps_done` = 2, `steps_total` = 2, `complete` = TRUE WHERE `revision` = '{R4}'"
        )),
        "{}",
        my[5]
    );

    let lite = sql_for_upgrade(&dir, &SqliteDialect, None, R1).unwrap();
    assert_eq!(lite[1], "BEGIN IMMEDIATE");
    assert_eq!(lite.len(), 1 + 1 + 2 + 1 + 1 + 1, "{lite:#?}");

    // A Rust step cannot be written as SQL.
    let tmp = tempfile::tempdir().unwrap();
    write_dir(
        tmp.path(),
        &[{
            let mut r = revision(R1, &[], "rust", vec![Step::Rust("f".into())], vec![]);
            r.irreversible = Some("a Rust step".into());
            r
        }],
    );
    let dir = MigrationDir::load(tmp.path()).unwrap();
    let e = sql_for_upgrade(&dir, &SqliteDialect, None, "head").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(
        e.message().contains(R1) && e.message().contains("\"f\""),
        "{e}"
    );
}
