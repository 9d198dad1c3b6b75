//! The server-rendered pages through the router on SQLite, PostgreSQL and MariaDB: the list
//! (search, pagination, the add form with its 422), the student page (courses, marks,
//! attendance rate, the enrol form refusing a full course), the roster and its query count,
//! which does not grow with the number of students.

#[macro_use]
#[path = "../../cinnabar/tests/support/mod.rs"]
mod support;
mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;
use support::TestDb;

backend_tests!(
    demo_pages_render,
    add_student_form,
    enrol_form_refuses_a_full_course,
    roster_query_count_does_not_grow,
);

fn demo_pages_render(db: &TestDb) {
    let (app, async_engine) = app(db);
    runtime().block_on(async {
        assert!(
            async_engine.run(students::seed).await.unwrap(),
            "first seed writes"
        );
        assert!(
            !async_engine.run(students::seed).await.unwrap(),
            "second seed writes nothing"
        );
        assert_eq!(count_rows(db, "students"), 60);
        assert_eq!(count_rows(db, "courses"), 8);

        let list = get(&app, "/").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains("60 students"), "{}", list.body);
        assert!(list.body.contains("Page 1 of 3"));
        assert!(list.body.contains("id=\"add-student\""));
        assert!(
            query_count(&list.body) <= 4,
            "list page: {}",
            query_count(&list.body)
        );
        let searched = get(&app, "/?q=naresh").await;
        assert!(
            searched.body.contains("5 students matching"),
            "{}",
            searched.body
        );
        let page2 = get(&app, "/?page=2").await;
        assert!(page2.body.contains("Page 2 of 3") && page2.body.contains("id=\"prev\""));

        // A student page: courses with marks, attendance rate.
        let (id, name): (i64, String) = async_engine
            .read(|s| {
                let st = s
                    .query::<students::models::Student>()
                    .filter_by(
                        students::models::Student::email,
                        "naresh.kumar0@example.edu",
                    )
                    .one()?;
                let st = st.read();
                Ok((st.id.unwrap(), st.name.clone()))
            })
            .await
            .unwrap();
        let page = get(&app, &format!("/students/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(&name));
        assert!(
            page.body.contains("ART110"),
            "the first 12 students take Studio Art"
        );
        assert!(page.body.contains("id=\"attendance-rate\">"));
        assert!(page.body.contains('%'));
        let courses = get(&app, "/courses").await;
        assert!(courses.body.contains("12 / 12 (full)"), "{}", courses.body);
        assert_eq!(
            get(&app, "/students/999999").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            get(&app, "/courses/999999").await.status,
            StatusCode::NOT_FOUND
        );
    });
}

fn add_student_form(db: &TestDb) {
    let (app, _) = app(db);
    runtime().block_on(async {
        let r = post_form(
            &app,
            "/students",
            "name=Kiran+Rao&email=kiran%40example.edu",
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let to = r.location.unwrap();
        assert!(to.starts_with("/?q=Kiran%20Rao&added="), "{to}");
        let list = get(&app, &to).await;
        assert!(list.body.contains("Added Kiran Rao."), "{}", list.body);
        assert!(list.body.contains("kiran@example.edu"));

        let bad = post_form(&app, "/students", "name=K&email=no-at-sign").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("id=\"name-error\""), "{}", bad.body);
        assert!(bad.body.contains("id=\"email-error\""));
        assert!(
            bad.body.contains("value=\"no-at-sign\""),
            "the form keeps what was typed"
        );
        let dup = post_form(
            &app,
            "/students",
            "name=Kiran+Again&email=kiran%40example.edu",
        )
        .await;
        assert_eq!(dup.status, StatusCode::CONFLICT);
        assert!(dup.body.contains("already taken"));
        assert_eq!(count_rows(db, "students"), 1);
    });
}

fn enrol_form_refuses_a_full_course(db: &TestDb) {
    let (app, _) = app(db);
    runtime().block_on(async {
        let course = new_course(&app, "ONE1", 1).await;
        let a = new_student(&app, "First Comer", "first@example.edu").await;
        let b = new_student(&app, "Late Comer", "late@example.edu").await;
        let r = post_form(
            &app,
            &format!("/students/{a}/enrol"),
            &format!("course_id={course}"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = get(&app, r.location.as_deref().unwrap()).await;
        assert!(page.body.contains("Enrolled in ONE1."), "{}", page.body);
        let refused = post_form(
            &app,
            &format!("/students/{b}/enrol"),
            &format!("course_id={course}"),
        )
        .await;
        assert_eq!(refused.status, StatusCode::CONFLICT);
        assert!(
            refused.body.contains("id=\"enrol-error\""),
            "{}",
            refused.body
        );
        assert!(refused.body.contains("ONE1 is full"));
        assert_eq!(count_rows(db, "enrollments"), 1);
    });
}

fn roster_query_count_does_not_grow(db: &TestDb) {
    let (app, _) = app(db);
    runtime().block_on(async {
        let small = new_course(&app, "SMALL", 100).await;
        let big = new_course(&app, "BIG", 100).await;
        for n in 0..40 {
            let s = new_student(&app, &format!("Member {n:02}"), &format!("m{n}@example.edu")).await;
            if n < 2 {
                assert_eq!(enrol(&app, s, small, Some(70)).await.status, StatusCode::CREATED);
            }
            assert_eq!(enrol(&app, s, big, Some(80)).await.status, StatusCode::CREATED);
            let att = send_json(
                &app,
                axum::http::Method::POST,
                "/api/attendance",
                json!({"student_id": s, "course_id": big, "day": "2026-11-02", "present": n % 2 == 0}),
            )
            .await;
            assert_eq!(att.status, StatusCode::CREATED);
        }
        let small_page = get(&app, &format!("/courses/{small}")).await;
        let big_page = get(&app, &format!("/courses/{big}")).await;
        assert_eq!(big_page.body.matches("/students/").count(), 40);
        assert!(big_page.body.contains("40 / 100"));
        let (n_small, n_big) = (query_count(&small_page.body), query_count(&big_page.body));
        assert!(n_small > 0);
        assert_eq!(n_small, n_big, "roster queries: 2 students {n_small}, 40 students {n_big}");
        // The student page too: one student with 2 courses or 1.
        let s_page = get(&app, "/?q=Member%2000").await;
        assert!(s_page.body.contains("Member 00"));
    });
}
