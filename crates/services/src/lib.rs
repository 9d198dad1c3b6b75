//! The tutorial's last architecture, microservices: two small services, each with its own
//! database, talking JSON over HTTP on 127.0.0.1.
//!
//! - [`users`]: the users service (`/api/users`), on one database.
//! - [`payments`]: the payments service (`/api/payments`), on another; before it records a
//!   payment it asks the users service whether the user exists. When the users service (or
//!   the database behind it) is down, a payment request gets `503 Service Unavailable` with a
//!   `Retry-After` header and is not recorded, so the client can retry it and nothing
//!   accepted earlier is lost.
//!
//! `cargo run -p services -- users --port 8001` and `cargo run -p services -- payments
//! --port 8002 --users-url http://127.0.0.1:8001` run them (README.md of this crate).
#![warn(clippy::unwrap_used)]

pub mod payments;
pub mod users;

use axum::Router;
use tokio::net::TcpListener;

/// Serves `app` on `listener` until the task running it is dropped or aborted.
///
/// # Errors
/// The I/O error that stopped the server.
pub async fn serve(listener: TcpListener, app: Router) -> std::io::Result<()> {
    axum::serve(listener, app).await
}
