//! Start-up on SQLite, PostgreSQL and MariaDB: the embedded migrations create the schema the
//! models describe (`Migrator::check` finds no difference), a second start applies nothing,
//! and the demo data is written once.

#[macro_use]
#[path = "../../cinnabar/tests/support/mod.rs"]
mod support;
mod common;

use common::*;
use support::TestDb;

backend_tests!(migrations_match_the_models_and_seed_once);

fn migrations_match_the_models_and_seed_once(db: &TestDb) {
    let applied = students::migrate(&db.engine).unwrap();
    assert_eq!(applied.len(), 1, "{applied:?}");
    students::check(&db.engine).unwrap();
    assert!(
        students::migrate(&db.engine).unwrap().is_empty(),
        "nothing left to apply"
    );

    let async_engine = students::AsyncEngine::new(db.engine.clone());
    runtime().block_on(async {
        students::prepare(&async_engine).await.unwrap();
        students::prepare(&async_engine).await.unwrap();
    });
    assert_eq!(count_rows(db, "teachers"), 4);
    assert_eq!(count_rows(db, "courses"), 8);
    assert_eq!(count_rows(db, "students"), 60);
    assert_eq!(count_rows(db, "enrollments"), 192);
    assert_eq!(count_rows(db, "attendance"), 192 * 6);
    // No course is over its capacity in the demo data; ART110 is exactly full.
    let over = scalar(
        db,
        "SELECT COUNT(*) FROM courses c WHERE c.capacity < \
         (SELECT COUNT(*) FROM enrollments e WHERE e.course_id = c.id)",
    );
    assert_eq!(over, Some(0));
    let art = scalar(
        db,
        "SELECT COUNT(*) FROM enrollments e JOIN courses c ON c.id = e.course_id \
         WHERE c.code = 'ART110'",
    );
    assert_eq!(art, Some(12));
}
