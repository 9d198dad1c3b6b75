//! The JSON API through the router (tower's `oneshot`) on SQLite, PostgreSQL and MariaDB:
//! create, get, replace, update and delete of each resource; pagination and filters; the
//! 404 / 409 / 422 answers.

#[macro_use]
#[path = "../../cinnabar/tests/support/mod.rs"]
mod support;
mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::json;
use support::TestDb;

backend_tests!(
    students_crud,
    courses_crud,
    enrollments_crud,
    attendance_crud,
    pagination_and_filters,
);

fn students_crud(db: &TestDb) {
    let (app, _) = app(db);
    runtime().block_on(async {
        let created = send_json(
            &app,
            Method::POST,
            "/api/students",
            json!({"name": "Naresh Kumar", "email": "naresh@example.edu"}),
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let body = created.json();
        let id = body["id"].as_i64().unwrap();
        assert_eq!(
            created.location.as_deref(),
            Some(&*format!("/api/students/{id}"))
        );
        assert_eq!(body["name"], "Naresh Kumar");
        assert!(
            body.get("enrollments").is_none(),
            "relationships are not in the JSON"
        );

        let got = get(&app, &format!("/api/students/{id}")).await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.json()["email"], "naresh@example.edu");

        let put = send_json(
            &app,
            Method::PUT,
            &format!("/api/students/{id}"),
            json!({"name": "Naresh K.", "email": "nk@example.edu"}),
        )
        .await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.body);
        let patch = send_json(
            &app,
            Method::PATCH,
            &format!("/api/students/{id}"),
            json!({"name": "Naresh Kumar"}),
        )
        .await;
        assert_eq!(patch.status, StatusCode::OK, "{}", patch.body);
        assert_eq!(patch.json()["name"], "Naresh Kumar");
        assert_eq!(patch.json()["email"], "nk@example.edu");
        assert_eq!(
            scalar(
                db,
                &format!(
                    "SELECT COUNT(*) FROM students WHERE email = 'nk@example.edu' AND id = {id}"
                )
            ),
            Some(1)
        );

        // 422: a one-letter name and an address without @, both fields reported.
        let bad = send_json(
            &app,
            Method::POST,
            "/api/students",
            json!({"name": "N", "email": "nowhere"}),
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(
            bad.body.contains("name") && bad.body.contains("email"),
            "{}",
            bad.body
        );
        let bad_patch = send_json(
            &app,
            Method::PATCH,
            &format!("/api/students/{id}"),
            json!({"name": ""}),
        )
        .await;
        assert_eq!(bad_patch.status, StatusCode::UNPROCESSABLE_ENTITY);

        // 409: the e-mail is taken.
        let dup = send_json(
            &app,
            Method::POST,
            "/api/students",
            json!({"name": "Someone Else", "email": "nk@example.edu"}),
        )
        .await;
        assert_eq!(dup.status, StatusCode::CONFLICT, "{}", dup.body);
        assert_eq!(count_rows(db, "students"), 1);

        // Delete, then 404 for get, update and delete.
        assert_eq!(
            delete(&app, &format!("/api/students/{id}")).await.status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(count_rows(db, "students"), 0);
        let gone = get(&app, &format!("/api/students/{id}")).await;
        assert_eq!(gone.status, StatusCode::NOT_FOUND);
        assert!(gone.json()["message"].as_str().is_some());
        let r = send_json(
            &app,
            Method::PATCH,
            &format!("/api/students/{id}"),
            json!({}),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(
            delete(&app, &format!("/api/students/{id}")).await.status,
            StatusCode::NOT_FOUND
        );
    });
}

fn courses_crud(db: &TestDb) {
    let (app, _) = app(db);
    runtime().block_on(async {
        let id = new_course(&app, "CS101", 2).await;
        let got = get(&app, &format!("/api/courses/{id}")).await.json();
        assert_eq!(
            (got["code"].as_str(), got["capacity"].as_i64()),
            (Some("CS101"), Some(2))
        );

        let zero = send_json(
            &app,
            Method::POST,
            "/api/courses",
            json!({"code": "CS102", "title": "Rust", "capacity": 0}),
        )
        .await;
        assert_eq!(
            zero.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            zero.body
        );
        let dup = send_json(
            &app,
            Method::POST,
            "/api/courses",
            json!({"code": "CS101", "title": "Again", "capacity": 5}),
        )
        .await;
        assert_eq!(dup.status, StatusCode::CONFLICT, "{}", dup.body);
        let no_teacher = send_json(
            &app,
            Method::POST,
            "/api/courses",
            json!({"code": "CS103", "title": "Nobody", "capacity": 5, "teacher_id": 999}),
        )
        .await;
        assert_eq!(
            no_teacher.status,
            StatusCode::CONFLICT,
            "{}",
            no_teacher.body
        );

        let put = send_json(
            &app,
            Method::PUT,
            &format!("/api/courses/{id}"),
            json!({"code": "CS101", "title": "Python", "capacity": 3}),
        )
        .await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.body);
        assert_eq!(put.json()["title"], "Python");

        // The capacity cannot go below the students enrolled.
        for n in 0..2 {
            let s = new_student(&app, &format!("Student {n}"), &format!("s{n}@example.edu")).await;
            assert_eq!(enrol(&app, s, id, None).await.status, StatusCode::CREATED);
        }
        let below = send_json(
            &app,
            Method::PATCH,
            &format!("/api/courses/{id}"),
            json!({"capacity": 1}),
        )
        .await;
        assert_eq!(below.status, StatusCode::CONFLICT, "{}", below.body);
        assert!(
            below.json()["message"]
                .as_str()
                .unwrap()
                .contains("cannot be lower"),
            "{}",
            below.body
        );
        let ok = send_json(
            &app,
            Method::PATCH,
            &format!("/api/courses/{id}"),
            json!({"capacity": 2}),
        )
        .await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);

        // Deleting the course deletes its enrollments (ON DELETE CASCADE).
        assert_eq!(
            delete(&app, &format!("/api/courses/{id}")).await.status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(count_rows(db, "enrollments"), 0);
        assert_eq!(
            get(&app, &format!("/api/courses/{id}")).await.status,
            StatusCode::NOT_FOUND
        );
    });
}

fn enrollments_crud(db: &TestDb) {
    let (app, _) = app(db);
    runtime().block_on(async {
        let course = new_course(&app, "DB201", 10).await;
        let student = new_student(&app, "Asha Sharma", "asha@example.edu").await;
        let r = enrol(&app, student, course, Some(88)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        assert_eq!(r.json()["mark"], 88);

        let again = enrol(&app, student, course, None).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(
            again.json()["message"]
                .as_str()
                .unwrap()
                .contains("already enrolled"),
            "{}",
            again.body
        );
        assert_eq!(
            enrol(&app, 999, course, None).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            enrol(&app, student, 999, None).await.status,
            StatusCode::NOT_FOUND
        );
        let other = new_student(&app, "Ravi Iyer", "ravi@example.edu").await;
        let bad_mark = enrol(&app, other, course, Some(101)).await;
        assert_eq!(
            bad_mark.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            bad_mark.body
        );

        let marked = send_json(
            &app,
            Method::PATCH,
            &format!("/api/enrollments/{id}"),
            json!({"mark": 91}),
        )
        .await;
        assert_eq!(marked.status, StatusCode::OK, "{}", marked.body);
        assert_eq!(
            get(&app, &format!("/api/enrollments/{id}")).await.json()["mark"],
            91
        );
        let cleared = send_json(
            &app,
            Method::PUT,
            &format!("/api/enrollments/{id}"),
            json!({"mark": null}),
        )
        .await;
        assert_eq!(cleared.status, StatusCode::OK);
        assert!(cleared.json()["mark"].is_null());
        let out_of_range = send_json(
            &app,
            Method::PATCH,
            &format!("/api/enrollments/{id}"),
            json!({"mark": -1}),
        )
        .await;
        assert_eq!(out_of_range.status, StatusCode::UNPROCESSABLE_ENTITY);

        assert_eq!(
            delete(&app, &format!("/api/enrollments/{id}")).await.status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            get(&app, &format!("/api/enrollments/{id}")).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(count_rows(db, "enrollments"), 0);
    });
}

fn attendance_crud(db: &TestDb) {
    let (app, _) = app(db);
    runtime().block_on(async {
        let course = new_course(&app, "WEB210", 10).await;
        let student = new_student(&app, "Meera Reddy", "meera@example.edu").await;
        let outsider = new_student(&app, "Arjun Nair", "arjun@example.edu").await;
        assert_eq!(enrol(&app, student, course, None).await.status, StatusCode::CREATED);

        let body = json!({"student_id": student, "course_id": course, "day": "2026-11-02", "present": true});
        let r = send_json(&app, Method::POST, "/api/attendance", body.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        assert_eq!(r.json()["day"], "2026-11-02");
        assert_eq!(send_json(&app, Method::POST, "/api/attendance", body).await.status, StatusCode::CONFLICT);
        let not_enrolled = send_json(
            &app,
            Method::POST,
            "/api/attendance",
            json!({"student_id": outsider, "course_id": course, "day": "2026-11-02", "present": true}),
        )
        .await;
        assert_eq!(not_enrolled.status, StatusCode::CONFLICT);
        assert!(not_enrolled.json()["message"].as_str().unwrap().contains("is not enrolled"), "{}", not_enrolled.body);

        let patched = send_json(&app, Method::PATCH, &format!("/api/attendance/{id}"), json!({"present": false})).await;
        assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
        assert_eq!(patched.json()["present"], false);
        let put = send_json(
            &app,
            Method::PUT,
            &format!("/api/attendance/{id}"),
            json!({"student_id": student, "course_id": course, "day": "2026-11-04", "present": true}),
        )
        .await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.body);
        assert_eq!(get(&app, &format!("/api/attendance/{id}")).await.json()["day"], "2026-11-04");
        assert_eq!(delete(&app, &format!("/api/attendance/{id}")).await.status, StatusCode::NO_CONTENT);
        assert_eq!(get(&app, &format!("/api/attendance/{id}")).await.status, StatusCode::NOT_FOUND);
    });
}

fn pagination_and_filters(db: &TestDb) {
    let (app, _) = app(db);
    runtime().block_on(async {
        let course = new_course(&app, "MA101", 50).await;
        let other = new_course(&app, "ART110", 50).await;
        for n in 0..25 {
            let s = new_student(
                &app,
                &format!("Pupil {n:02}"),
                &format!("pupil{n}@example.edu"),
            )
            .await;
            let c = if n % 5 == 0 { other } else { course };
            assert_eq!(enrol(&app, s, c, None).await.status, StatusCode::CREATED);
        }
        new_student(&app, "Zed Outlier", "zed@example.org").await;

        let p1 = get(&app, "/api/students?per_page=10").await.json();
        assert_eq!(p1["total"], 26);
        assert_eq!(p1["pages"], 3);
        assert_eq!(p1["items"].as_array().unwrap().len(), 10);
        assert_eq!(
            (p1["has_next"].as_bool(), p1["has_prev"].as_bool()),
            (Some(true), Some(false))
        );
        assert_eq!(p1["items"][0]["name"], "Pupil 00");
        let p3 = get(&app, "/api/students?per_page=10&page=3").await.json();
        assert_eq!(p3["items"].as_array().unwrap().len(), 6);
        assert_eq!(
            (p3["has_next"].as_bool(), p3["has_prev"].as_bool()),
            (Some(false), Some(true))
        );
        assert_eq!(p3["items"][5]["name"], "Zed Outlier");

        // Search by name or e-mail, case-insensitive.
        let q = get(&app, "/api/students?q=PUPIL%201").await.json();
        assert_eq!(q["total"], 10, "Pupil 10..19");
        let q = get(&app, "/api/students?q=example.org").await.json();
        assert_eq!(q["items"][0]["name"], "Zed Outlier");
        assert_eq!(q["total"], 1);
        // Filter by course.
        let in_other = get(&app, &format!("/api/students?course_id={other}"))
            .await
            .json();
        assert_eq!(in_other["total"], 5);
        let both = get(
            &app,
            &format!("/api/students?course_id={other}&q=pupil%2015"),
        )
        .await
        .json();
        assert_eq!(both["total"], 1);

        let courses = get(&app, "/api/courses?q=art").await.json();
        assert_eq!(courses["total"], 1);
        let e = get(
            &app,
            &format!("/api/enrollments?course_id={course}&per_page=5&page=4"),
        )
        .await
        .json();
        assert_eq!(
            (e["total"].as_i64(), e["pages"].as_i64()),
            (Some(20), Some(4))
        );
        assert_eq!(e["items"].as_array().unwrap().len(), 5);
        // Past the last page: an empty page, not an error.
        let past = get(&app, "/api/students?per_page=10&page=9").await.json();
        assert_eq!(past["items"].as_array().unwrap().len(), 0);
        // A malformed page number is refused by the extractor.
        assert_eq!(
            get(&app, "/api/students?page=abc").await.status,
            StatusCode::BAD_REQUEST
        );
    });
}
