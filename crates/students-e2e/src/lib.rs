//! End-to-end checks of the students app (`crates/students`) over real HTTP on 127.0.0.1:
//! serving the app on an ephemeral port ([`serve`]) and the load client behind the
//! `students-load` benchmark ([`load`]). The tests are in `tests/` (browser.rs: headless
//! Chromium; cancellation.rs: request futures dropped at random points).
#![warn(clippy::unwrap_used)]

pub mod load;

use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// An app served on an ephemeral 127.0.0.1 port; the server task is aborted when dropped.
pub struct Served {
    /// The address it listens on.
    pub addr: SocketAddr,
    task: JoinHandle<std::io::Result<()>>,
}

impl Served {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `app` on an ephemeral 127.0.0.1 port, on the current tokio runtime.
///
/// # Errors
/// The I/O error of binding the port.
pub async fn serve(app: Router) -> std::io::Result<Served> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(Served { addr, task })
}
