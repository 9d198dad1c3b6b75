//! The microservices' outage tests: when the users service, or the database behind it, is
//! down, a payment request gets a clear `503` with `Retry-After` and is not recorded; what
//! was accepted before is still there; once the users side is back, the same request
//! succeeds. The users service is cut through a TCP gate (tests/common/gate.rs) in front of
//! its HTTP port (any backend) or in front of its database server (PostgreSQL, MariaDB).

mod common;
#[path = "../../cinnabar/tests/support/mod.rs"]
mod support;

use std::time::Duration;

use cinnabar::asyncio::AsyncEngine;
use cinnabar::prelude::*;
use common::gate::{self, Gate};
use common::{get, payments_service, post, references, users_service};
use serde_json::json;
use support::TestDb;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// A payments engine on its own SQLite file in `dir`.
fn payments_db(dir: &tempfile::TempDir) -> AsyncEngine {
    let url = format!("sqlite:///{}", dir.path().join("payments.db").display());
    AsyncEngine::new(create_engine(&url).expect("payments engine"))
}

/// Creates a user and pays once; returns the user's id.
async fn user_and_first_payment(users_url: &str, payments_url: &str) -> i64 {
    let (status, _, user) = post(
        &format!("{users_url}/api/users"),
        json!({"name": "Naresh", "email": "naresh@example.com"}),
    )
    .await;
    assert_eq!(status, 201, "{user}");
    let user_id = user["id"].as_i64().expect("user id");
    let (status, _, paid) = post(
        &format!("{payments_url}/api/payments"),
        json!({"user_id": user_id, "amount_cents": 1250, "reference": "p-1"}),
    )
    .await;
    assert_eq!(status, 201, "{paid}");
    user_id
}

/// The payment request made while the users side is down: 503, Retry-After, a message that
/// says what happened; nothing recorded, the earlier payment kept.
async fn refused_while_down(payments_url: &str, user_id: i64) {
    let (status, retry, body) = post(
        &format!("{payments_url}/api/payments"),
        json!({"user_id": user_id, "amount_cents": 990, "reference": "p-2"}),
    )
    .await;
    assert_eq!(status, 503, "{body}");
    let retry: u64 = retry.expect("Retry-After").parse().expect("seconds");
    assert!(retry > 0);
    assert_eq!(body["error"], "service_unavailable", "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains("users service"),
        "{body}"
    );
    assert_eq!(references(payments_url).await, ["p-1"]);
}

/// The same request once the users side is back: recorded, beside the first.
async fn accepted_when_back(payments_url: &str, user_id: i64) {
    let (status, _, body) = post(
        &format!("{payments_url}/api/payments"),
        json!({"user_id": user_id, "amount_cents": 990, "reference": "p-2"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(references(payments_url).await, ["p-1", "p-2"]);
}

/// The users service itself down (its port closed): the payments service answers 503.
#[test]
fn users_service_down_gives_503_and_loses_nothing() {
    runtime().block_on(async {
        let users_db = TestDb::sqlite();
        let dir = tempfile::tempdir().expect("temp dir");
        let users = users_service(AsyncEngine::new(users_db.engine.clone())).await;
        let gate = Gate::start(users.addr).await;
        let users_url = format!("http://{}", gate.addr());
        let payments = payments_service(payments_db(&dir), &users_url).await;

        let user_id = user_and_first_payment(&users_url, &payments.url()).await;
        gate.close();
        refused_while_down(&payments.url(), user_id).await;
        gate.open();
        accepted_when_back(&payments.url(), user_id).await;
    });
}

/// The payments service's other answers: an unknown user is 422, a repeated reference 409
/// (a retried request that had got through is never recorded twice).
#[test]
fn unknown_user_is_422_and_a_repeated_reference_409() {
    runtime().block_on(async {
        let users_db = TestDb::sqlite();
        let dir = tempfile::tempdir().expect("temp dir");
        let users = users_service(AsyncEngine::new(users_db.engine.clone())).await;
        let payments = payments_service(payments_db(&dir), &users.url()).await;
        let user_id = user_and_first_payment(&users.url(), &payments.url()).await;

        let url = format!("{}/api/payments", payments.url());
        let (status, _, body) = post(
            &url,
            json!({"user_id": user_id + 1000, "amount_cents": 1, "reference": "p-x"}),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        let (status, _, body) = post(
            &url,
            json!({"user_id": user_id, "amount_cents": 1250, "reference": "p-1"}),
        )
        .await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(references(&payments.url()).await, ["p-1"]);
        let (status, _, _) = get(&format!("{}/api/payments/9999", payments.url())).await;
        assert_eq!(status, 404);
    });
}

/// The users database down (its server's port cut by the gate): the users service answers
/// 503 (never 404), and the payments service 503; after the database is back, the request
/// succeeds.
fn users_database_down_gives_503_and_loses_nothing(db: &TestDb) {
    // The engine is returned, disposed and dropped outside the runtime: the synchronous
    // PostgreSQL driver closes a connection with a runtime of its own, which cannot start
    // on a thread that is driving async tasks.
    let engine = runtime().block_on(async {
        let gate = Gate::start(gate::upstream(&db.url)).await;
        let options = EngineOptions::new()
            .pool_pre_ping(true)
            .pool_timeout(Duration::from_secs(2));
        let engine = Engine::with_options(&gate::through(&db.url, gate.addr()), options)
            .expect("users engine through the gate");
        let users = users_service(AsyncEngine::new(engine.clone())).await;
        let dir = tempfile::tempdir().expect("temp dir");
        let payments = payments_service(payments_db(&dir), &users.url()).await;

        let user_id = user_and_first_payment(&users.url(), &payments.url()).await;
        gate.close();
        let (status, _, body) = get(&format!("{}/api/users/{user_id}", users.url())).await;
        assert_eq!(
            status, 503,
            "the users service with its database down: {body}"
        );
        refused_while_down(&payments.url(), user_id).await;
        gate.open();
        accepted_when_back(&payments.url(), user_id).await;
        engine
    });
    engine.dispose();
}

mod postgres {
    #[test]
    #[cfg_attr(not(feature = "postgres"), ignore = "the `postgres` feature is off")]
    #[cfg_attr(
        all(feature = "postgres", not(cinnabar_test_postgres)),
        ignore = "CINNABAR_TEST_POSTGRES is not set"
    )]
    fn users_database_down_gives_503_and_loses_nothing() {
        super::users_database_down_gives_503_and_loses_nothing(&super::TestDb::postgres());
    }
}

mod mysql {
    #[test]
    #[cfg_attr(not(feature = "mysql"), ignore = "the `mysql` feature is off")]
    #[cfg_attr(
        all(feature = "mysql", not(cinnabar_test_mysql)),
        ignore = "CINNABAR_TEST_MYSQL is not set"
    )]
    fn users_database_down_gives_503_and_loses_nothing() {
        super::users_database_down_gives_503_and_loses_nothing(&super::TestDb::mysql());
    }
}
