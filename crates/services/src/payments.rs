//! The payments service: records payments on its own database, for users that the users
//! service knows.
//!
//! `POST /api/payments` `{"user_id", "amount_cents", "reference"}` first asks the users
//! service `GET /api/users/{user_id}`:
//! - `200`: the payment is recorded and answered `201`; a second payment with the same
//!   `reference` (a client's retry of a request that did get through) is `409`, never a
//!   double charge;
//! - `404`: `422`, the user does not exist;
//! - anything else (the users service is unreachable, times out, or answers `5xx` because
//!   its database is down): `503 Service Unavailable` with `Retry-After`, and nothing is
//!   written, so the client retries the same request later.
//!
//! `GET /api/payments?user_id=N` lists payments and `GET /api/payments/{id}` shows one; they
//! read only this service's database, so they keep working while the users service is down.

use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use cinnabar::asyncio::AsyncEngine;
use cinnabar::prelude::*;
use cinnabar::web::HttpError;
use serde::{Deserialize, Serialize};

/// How long the payments service waits for the users service before answering `503`.
const USERS_TIMEOUT: Duration = Duration::from_secs(3);

/// A recorded payment; `reference` is the client's unique idempotency key.
#[derive(Model, Debug, Clone, Serialize, Deserialize)]
#[cinnabar(table = "payments")]
pub struct Payment {
    /// Generated key.
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    /// The user's id in the users service (another database: no foreign key).
    pub user_id: i64,
    /// The amount, in cents.
    pub amount_cents: i64,
    /// The client's unique reference for this payment.
    #[cinnabar(unique)]
    pub reference: String,
}

/// The body of `POST /api/payments`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewPayment {
    /// The paying user's id in the users service.
    pub user_id: i64,
    /// The amount, in cents.
    pub amount_cents: i64,
    /// The client's unique reference (idempotency key).
    pub reference: String,
}

/// The state of the payments service: its database and the users service's address.
#[derive(Clone)]
pub struct Payments {
    db: AsyncEngine,
    users_url: String,
    http: reqwest::Client,
}

impl Payments {
    /// The payments service on `db`, asking the users service at `users_url`
    /// (e.g. `http://127.0.0.1:8001`) whether a user exists.
    ///
    /// # Errors
    /// `Misuse` when the HTTP client cannot be built.
    pub fn new(db: AsyncEngine, users_url: impl Into<String>) -> cinnabar::Result<Payments> {
        let http = reqwest::Client::builder()
            .timeout(USERS_TIMEOUT)
            .build()
            .map_err(|e| {
                cinnabar::Error::new(cinnabar::ErrorKind::Misuse, format!("HTTP client: {e}"))
            })?;
        Ok(Payments {
            db,
            users_url: users_url.into().trim_end_matches('/').to_owned(),
            http,
        })
    }
}

/// Creates the `payments` table when it is missing.
///
/// # Errors
/// The database's error.
pub async fn create_schema(db: &AsyncEngine) -> cinnabar::Result<()> {
    let engine = db.engine().clone();
    tokio::task::spawn_blocking(move || {
        MetaData::new()
            .with(Payment::table().clone())
            .create_all(&engine)
    })
    .await
    .map_err(|e| cinnabar::Error::new(cinnabar::ErrorKind::Misuse, format!("create_schema: {e}")))?
}

/// The payments service's routes.
pub fn app(state: Payments) -> Router {
    Router::new()
        .route("/api/payments", get(list).post(create))
        .route("/api/payments/{id}", get(show))
        .with_state(state)
}

/// What the users service said about a user.
enum UserCheck {
    Exists,
    Missing,
    Unavailable(String),
}

async fn check_user(state: &Payments, user_id: i64) -> UserCheck {
    let url = format!("{}/api/users/{user_id}", state.users_url);
    match state.http.get(&url).send().await {
        Ok(r) if r.status() == reqwest::StatusCode::OK => UserCheck::Exists,
        Ok(r) if r.status() == reqwest::StatusCode::NOT_FOUND => UserCheck::Missing,
        Ok(r) => UserCheck::Unavailable(format!("the users service answered {}", r.status())),
        Err(e) if e.is_timeout() => {
            UserCheck::Unavailable("the users service did not answer in time".to_owned())
        }
        Err(_) => UserCheck::Unavailable("the users service is unreachable".to_owned()),
    }
}

async fn create(State(state): State<Payments>, Json(new): Json<NewPayment>) -> Response {
    match check_user(&state, new.user_id).await {
        UserCheck::Exists => {}
        UserCheck::Missing => {
            let message = format!("user {} does not exist", new.user_id);
            return HttpError::new(StatusCode::UNPROCESSABLE_ENTITY, message).into_response();
        }
        UserCheck::Unavailable(why) => {
            // HttpError's 503 carries `Retry-After`, like a busy database's.
            let message = format!("{why}; nothing was recorded, retry later");
            return HttpError::new(StatusCode::SERVICE_UNAVAILABLE, message).into_response();
        }
    }
    let recorded = state
        .db
        .run(move |session| {
            let handle = session.add(Payment {
                id: None,
                user_id: new.user_id,
                amount_cents: new.amount_cents,
                reference: new.reference,
            });
            session.flush()?;
            let payment = handle.read().clone();
            Ok(payment)
        })
        .await;
    match recorded {
        Ok(payment) => (StatusCode::CREATED, Json(payment)).into_response(),
        Err(e) => HttpError::from(e).into_response(),
    }
}

/// The query of `GET /api/payments`.
#[derive(Debug, Deserialize)]
struct ListQuery {
    user_id: Option<i64>,
}

async fn list(
    State(state): State<Payments>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<Payment>>, HttpError> {
    let payments = state
        .db
        .read(move |session| {
            let mut query = session.query::<Payment>().order_by(Payment::id.asc());
            if let Some(user_id) = q.user_id {
                query = query.filter(Payment::user_id.eq(user_id));
            }
            Ok(query.all()?.iter().map(|h| h.read().clone()).collect())
        })
        .await?;
    Ok(Json(payments))
}

async fn show(
    State(state): State<Payments>,
    Path(id): Path<i64>,
) -> Result<Json<Payment>, HttpError> {
    let payment = state
        .db
        .read(move |session| Ok(session.get_or_404::<Payment>(id)?.read().clone()))
        .await?;
    Ok(Json(payment))
}
