//! The axum integration (`cinnabar::web`, feature `axum`) through a real router and
//! tower's `oneshot`, on every backend: each error kind's status and body, the request's
//! unit of work committed before a success leaves (and a failed commit becoming the
//! response), rolled back on 4xx and 5xx, and the extractor without its layer.

#[macro_use]
mod support;

use std::time::Duration;

use axum::body::Body;
use axum::extract::Path;
use axum::http::{Request, StatusCode};
use axum::response::Redirect;
use axum::routing::{get, post};
use axum::{Json, Router};
use cinnabar::asyncio::AsyncEngine;
use cinnabar::prelude::*;
use cinnabar::web::{Db, HttpError, HttpResult, UnitOfWork, UnitOfWorkLayer};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use support::TestDb;
use tower::ServiceExt;

#[derive(Model, Debug, Clone, Serialize, Deserialize)]
#[cinnabar(table = "web_courses")]
struct Course {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(length = 50)]
    title: String,
}

#[derive(Model, Debug, Clone, Serialize, Deserialize)]
#[cinnabar(table = "web_students")]
struct Student {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(length = 40, unique, validate(length(min = 2, max = 40)))]
    name: String,
    #[cinnabar(foreign_key = "web_courses.id")]
    course_id: Option<i64>,
}

async fn show(Db(db): Db, Path(id): Path<i64>) -> HttpResult<Json<Student>> {
    let student = db
        .read(move |s| Ok(s.get_or_404::<Student>(id)?.get()))
        .await?;
    Ok(Json(student))
}

async fn create(uow: UnitOfWork, Json(student): Json<Student>) -> HttpResult<StatusCode> {
    // No flush here: a unique violation is found by the layer's commit.
    uow.run(move |s| {
        s.add(student);
        Ok(())
    })
    .await?;
    Ok(StatusCode::CREATED)
}

async fn create_then_fail(
    uow: UnitOfWork,
    Path(status): Path<u16>,
    Json(student): Json<Student>,
) -> HttpResult<StatusCode> {
    uow.run(move |s| {
        s.add(student);
        s.flush()
    })
    .await?;
    let status = StatusCode::from_u16(status).unwrap();
    Err(HttpError::new(status, "the handler refused after writing"))
}

async fn create_and_redirect(
    uow: UnitOfWork,
    Json(student): Json<Student>,
) -> HttpResult<Redirect> {
    uow.run(move |s| {
        s.add(student);
        Ok(())
    })
    .await?;
    Ok(Redirect::to("/students"))
}

/// Runs raw SQL in the request's unit of work.
async fn raw(uow: UnitOfWork, body: String) -> HttpResult<StatusCode> {
    uow.run(move |s| s.execute(text(&body)).map(|_| ())).await?;
    Ok(StatusCode::OK)
}

async fn list(Db(db): Db) -> HttpResult<Json<Value>> {
    let page = db
        .read(|s| {
            let page = s
                .query::<Student>()
                .order_by(Student::name)
                .paginate(1, 50)?;
            Ok(serde_json::to_value(page).unwrap())
        })
        .await?;
    Ok(Json(page))
}

fn app(db: AsyncEngine) -> Router {
    Router::new()
        .route("/students", get(list).post(create))
        .route("/students/{id}", get(show))
        .route("/students/fail/{status}", post(create_then_fail))
        .route("/students/form", post(create_and_redirect))
        .route("/raw", post(raw))
        .layer(UnitOfWorkLayer::new(db.clone()))
        .with_state(db)
}

struct Reply {
    status: StatusCode,
    retry_after: Option<String>,
    body: Value,
}

async fn call(app: &Router, method: &str, uri: &str, body: Option<Value>) -> Reply {
    call_raw(
        app,
        method,
        uri,
        body.map(|b| b.to_string()),
        "application/json",
    )
    .await
}

async fn call_raw(app: &Router, method: &str, uri: &str, body: Option<String>, ty: &str) -> Reply {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", ty)
        .body(body.map(Body::from).unwrap_or_else(Body::empty))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| json!(String::from_utf8_lossy(&bytes)))
    };
    Reply {
        status,
        retry_after,
        body,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The students' names, read on a thread of its own: the synchronous PostgreSQL client
/// cannot block on a thread that drives a tokio runtime.
fn names(db: &TestDb) -> Vec<String> {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let mut c = db.engine.connect().unwrap();
                c.execute(text("SELECT name FROM web_students ORDER BY name"))
                    .unwrap()
                    .rows()
                    .iter()
                    .map(|r| r.get::<String>("name").unwrap())
                    .collect()
            })
            .join()
            .unwrap()
    })
}

fn student(name: &str, course_id: Option<i64>) -> Value {
    json!({"id": null, "name": name, "course_id": course_id})
}

fn setup(db: &TestDb) -> (AsyncEngine, Router) {
    db.create_tables(&[Course::table(), Student::table()]);
    let adb = AsyncEngine::new(db.engine.clone());
    let router = app(adb.clone());
    (adb, router)
}

fn success_commits_before_the_response_and_errors_map_to_statuses(db: &TestDb) {
    let (_adb, app) = setup(db);
    runtime().block_on(async {
        let r = call(&app, "POST", "/students", Some(student("Naresh", None))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        // Committed by the time the 201 arrived.
        assert_eq!(names(db), ["Naresh"]);

        let r = call(&app, "GET", "/students/1", None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["name"], "Naresh");

        // NoRow → 404, naming the model and key.
        let r = call(&app, "GET", "/students/999", None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.body["error"], "no_row");
        assert!(
            r.body["message"].as_str().unwrap().contains("999"),
            "{:?}",
            r.body
        );

        // A unique violation found by the layer's commit → 409, never a 201.
        let r = call(&app, "POST", "/students", Some(student("Naresh", None))).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
        assert_eq!(r.body["error"], "unique_violation");
        let text = r.body.to_string();
        assert!(
            !text.contains("INSERT") && !text.contains("web_students.name"),
            "details hidden: {text}"
        );

        // A foreign key to no course → 409.
        let r = call(&app, "POST", "/students", Some(student("Asha", Some(77)))).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
        assert_eq!(r.body["error"], "foreign_key_violation");

        // Validation → 422 listing the fields.
        let r = call(&app, "POST", "/students", Some(student("A", None))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert_eq!(r.body["error"], "validation");
        assert_eq!(r.body["fields"][0]["field"], "name");
        assert_eq!(r.body["fields"][0]["rule"], "length");

        // NOT NULL → 422.
        let r = call_raw(
            &app,
            "POST",
            "/raw",
            Some("INSERT INTO web_students (name) VALUES (NULL)".into()),
            "text/plain",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert_eq!(r.body["error"], "not_null_violation");

        // CHECK (the validation rule's constraint, reached with raw SQL) → 422.
        let r = call_raw(
            &app,
            "POST",
            "/raw",
            Some("INSERT INTO web_students (name) VALUES ('Z')".into()),
            "text/plain",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert_eq!(r.body["error"], "check_violation");

        // Any other database error → 500 with the details hidden.
        let r = call_raw(
            &app,
            "POST",
            "/raw",
            Some("SELECT * FROM no_such_table".into()),
            "text/plain",
        )
        .await;
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            !r.body.to_string().contains("no_such_table"),
            "{:?}",
            r.body
        );

        let r = call(&app, "GET", "/students", None).await;
        assert_eq!(
            (r.body["total"].as_u64(), r.body["pages"].as_u64()),
            (Some(1), Some(1))
        );
    });
    assert_eq!(
        names(db),
        ["Naresh"],
        "nothing but the first student was committed"
    );
}

fn error_responses_roll_back_and_redirects_commit(db: &TestDb) {
    let (_adb, app) = setup(db);
    runtime().block_on(async {
        for status in [400, 404, 422, 500, 503] {
            let r = call(
                &app,
                "POST",
                &format!("/students/fail/{status}"),
                Some(student(&format!("s{status}"), None)),
            )
            .await;
            assert_eq!(r.status.as_u16(), status);
        }
        let r = call(&app, "POST", "/students/form", Some(student("Form", None))).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    });
    assert_eq!(
        names(db),
        ["Form"],
        "the flushed rows of failed requests were rolled back"
    );
    let s = db.engine.pool_status();
    assert_eq!(s.open, s.idle);
}

fn busy_pool_is_503_with_retry_after(db: &TestDb) {
    db.create_tables(&[Course::table(), Student::table()]);
    let engine = Engine::with_options(
        &db.url,
        EngineOptions::new()
            .pool_size(1)
            .max_overflow(0)
            .pool_timeout(Duration::from_millis(100)),
    )
    .unwrap();
    let app = app(AsyncEngine::new(engine.clone()));
    let held = engine.connect().unwrap();
    let r = runtime().block_on(call(&app, "GET", "/students/1", None));
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{:?}", r.body);
    assert_eq!(r.retry_after.as_deref(), Some("1"));
    assert_eq!(r.body["error"], "pool_timeout");
    drop(held);
}

fn the_extractor_without_its_layer_is_a_500_naming_the_layer(db: &TestDb) {
    db.create_tables(&[Course::table(), Student::table()]);
    let adb = AsyncEngine::new(db.engine.clone());
    let app = Router::new()
        .route("/students", post(create))
        .with_state(adb);
    let r = runtime().block_on(call(
        &app,
        "POST",
        "/students",
        Some(student("Naresh", None)),
    ));
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .contains("UnitOfWorkLayer"),
        "{:?}",
        r.body
    );
    assert!(names(db).is_empty());
}

backend_tests!(
    success_commits_before_the_response_and_errors_map_to_statuses,
    error_responses_roll_back_and_redirects_commit,
    busy_pool_is_503_with_retry_after,
    the_extractor_without_its_layer_is_a_500_naming_the_layer,
);
