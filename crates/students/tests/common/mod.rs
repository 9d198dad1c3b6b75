//! Helpers of the HTTP tests: the application on a test database (migrated by the crate's
//! migrations), requests through the router with tower's `oneshot`, and small fixtures.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::support::TestDb;
use students::AsyncEngine;

/// A multi-threaded runtime for one test.
pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap()
}

/// The application on `db`, migrated, without demo data.
pub(crate) fn app(db: &TestDb) -> (Router, AsyncEngine) {
    let applied = students::migrate(&db.engine).unwrap();
    assert!(!applied.is_empty(), "a fresh database gets every revision");
    let async_engine = AsyncEngine::new(db.engine.clone());
    (students::app(async_engine.clone()), async_engine)
}

/// A response: status, headers we look at, and the body as text.
pub(crate) struct Reply {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl Reply {
    /// The body as JSON.
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Sends one request through the router.
pub(crate) async fn request(
    app: &Router,
    method: Method,
    uri: &str,
    content_type: Option<&str>,
    body: String,
) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(ct) = content_type {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        location,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

/// `GET uri`.
pub(crate) async fn get(app: &Router, uri: &str) -> Reply {
    request(app, Method::GET, uri, None, String::new()).await
}

/// A JSON request (`POST`, `PUT`, `PATCH`).
pub(crate) async fn send_json(app: &Router, method: Method, uri: &str, body: Value) -> Reply {
    request(app, method, uri, Some("application/json"), body.to_string()).await
}

/// `DELETE uri`.
pub(crate) async fn delete(app: &Router, uri: &str) -> Reply {
    request(app, Method::DELETE, uri, None, String::new()).await
}

/// A form `POST` (`application/x-www-form-urlencoded`; `body` already encoded).
pub(crate) async fn post_form(app: &Router, uri: &str, body: &str) -> Reply {
    request(
        app,
        Method::POST,
        uri,
        Some("application/x-www-form-urlencoded"),
        body.to_owned(),
    )
    .await
}

/// Creates a student through the API; returns its key.
pub(crate) async fn new_student(app: &Router, name: &str, email: &str) -> i64 {
    let r = send_json(
        app,
        Method::POST,
        "/api/students",
        json!({"name": name, "email": email}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

/// Creates a course through the API; returns its key.
pub(crate) async fn new_course(app: &Router, code: &str, capacity: i32) -> i64 {
    let r = send_json(
        app,
        Method::POST,
        "/api/courses",
        json!({"code": code, "title": format!("Course {code}"), "capacity": capacity}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

/// Enrols through the API; returns the response.
pub(crate) async fn enrol(app: &Router, student: i64, course: i64, mark: Option<i32>) -> Reply {
    send_json(
        app,
        Method::POST,
        "/api/enrollments",
        json!({"student_id": student, "course_id": course, "mark": mark}),
    )
    .await
}

/// The number in a page's "N queries" footer.
pub(crate) fn query_count(html: &str) -> u64 {
    let start = html
        .find("id=\"query-count\">")
        .unwrap_or_else(|| panic!("no query count in the page: {html}"))
        + "id=\"query-count\">".len();
    html[start..]
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("bad query count: {}", &html[start..start + 20]))
}

/// The first column of the first row of `sql`, read behind the application's back on a
/// thread of its own: the synchronous PostgreSQL client refuses to run inside the test's
/// async runtime.
pub(crate) fn scalar(db: &TestDb, sql: &str) -> Option<i64> {
    std::thread::scope(|t| t.spawn(|| db.scalar(sql)).join().unwrap())
}

/// Rows of `table` counted behind the application's back.
pub(crate) fn count_rows(db: &TestDb, table: &str) -> i64 {
    scalar(db, &format!("SELECT COUNT(*) FROM {table}")).unwrap()
}
