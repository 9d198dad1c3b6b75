//! Course capacity under concurrency, on SQLite, PostgreSQL and MariaDB: 50 enrolment
//! requests into one course of capacity 7, all in flight at once through the router, end
//! with exactly 7 students enrolled (201) and 43 refused (409, "course ... is full"); never an
//! overfilled course, never a 5xx.

#[macro_use]
#[path = "../../cinnabar/tests/support/mod.rs"]
mod support;
mod common;

use axum::http::StatusCode;
use common::*;
use support::TestDb;

backend_tests!(fifty_parallel_enrolments_fill_exactly_the_capacity);

const CAPACITY: i32 = 7;
const REQUESTS: usize = 50;

fn fifty_parallel_enrolments_fill_exactly_the_capacity(db: &TestDb) {
    let (app, _) = app(db);
    runtime().block_on(async {
        let course = new_course(&app, "HOT101", CAPACITY).await;
        let mut students = Vec::new();
        for n in 0..REQUESTS {
            students.push(
                new_student(
                    &app,
                    &format!("Racer {n:02}"),
                    &format!("racer{n}@example.edu"),
                )
                .await,
            );
        }
        // All requests start before any is awaited, each on its own task.
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(REQUESTS));
        let tasks: Vec<_> = students
            .into_iter()
            .map(|s| {
                let app = app.clone();
                let barrier = barrier.clone();
                tokio::spawn(async move {
                    barrier.wait().await;
                    let r = enrol(&app, s, course, None).await;
                    (r.status, r.body)
                })
            })
            .collect();
        let mut created = 0;
        let mut full = 0;
        for t in tasks {
            let (status, body) = t.await.unwrap();
            match status {
                StatusCode::CREATED => created += 1,
                StatusCode::CONFLICT => {
                    assert!(body.contains("is full"), "{body}");
                    full += 1;
                }
                other => panic!("unexpected {other}: {body}"),
            }
        }
        assert_eq!(created, CAPACITY as usize, "enrolled");
        assert_eq!(full, REQUESTS - CAPACITY as usize, "refused");
        assert_eq!(
            scalar(
                db,
                &format!("SELECT COUNT(*) FROM enrollments WHERE course_id = {course}")
            ),
            Some(i64::from(CAPACITY))
        );
        // The course page agrees.
        let page = get(&app, &format!("/courses/{course}")).await;
        assert!(
            page.body.contains(&format!("{CAPACITY} / {CAPACITY}")),
            "{}",
            page.body
        );
    });
}
