//! Helpers of the services' tests: a TCP gate to cut a service or a database, and starting
//! the two services on ephemeral 127.0.0.1 ports.
#![allow(dead_code)]

pub(crate) mod gate;

use std::net::SocketAddr;

use cinnabar::asyncio::AsyncEngine;
use services::payments::{self, Payments};
use services::users;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A service served on an ephemeral port; stopped when dropped.
pub(crate) struct Running {
    pub(crate) addr: SocketAddr,
    task: JoinHandle<std::io::Result<()>>,
}

impl Running {
    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn spawn(app: axum::Router) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let task = tokio::spawn(services::serve(listener, app));
    Running { addr, task }
}

/// The users service on `db` (its schema created).
pub(crate) async fn users_service(db: AsyncEngine) -> Running {
    users::create_schema(&db).await.expect("users schema");
    spawn(users::app(db)).await
}

/// The payments service on `db` (its schema created), asking the users service at
/// `users_url`.
pub(crate) async fn payments_service(db: AsyncEngine, users_url: &str) -> Running {
    payments::create_schema(&db).await.expect("payments schema");
    let state = Payments::new(db, users_url).expect("payments state");
    spawn(payments::app(state)).await
}

/// `POST url` with a JSON body: the status, the Retry-After header and the JSON body.
pub(crate) async fn post(
    url: &str,
    body: serde_json::Value,
) -> (u16, Option<String>, serde_json::Value) {
    let r = reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {url}: {e}"));
    answer(r).await
}

/// `GET url`: the status, the Retry-After header and the JSON body (null when none).
pub(crate) async fn get(url: &str) -> (u16, Option<String>, serde_json::Value) {
    let r = reqwest::get(url)
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    answer(r).await
}

async fn answer(r: reqwest::Response) -> (u16, Option<String>, serde_json::Value) {
    let status = r.status().as_u16();
    let retry = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = r.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    (status, retry, body)
}

/// The references of the payments the service lists, in order.
pub(crate) async fn references(payments_url: &str) -> Vec<String> {
    let (status, _, body) = get(&format!("{payments_url}/api/payments")).await;
    assert_eq!(status, 200, "listing payments: {body}");
    body.as_array()
        .expect("a JSON array")
        .iter()
        .map(|p| p["reference"].as_str().expect("reference").to_owned())
        .collect()
}
