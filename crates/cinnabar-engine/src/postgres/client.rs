//! [`PgClient`]: the `postgres` crate's blocking client, closed safely wherever the last
//! reference to its connection is dropped.
//!
//! The blocking client drives a tokio runtime of its own, and closing it (its `Drop`) blocks
//! on that runtime. On a thread that is already running a tokio runtime — an async handler,
//! a `#[tokio::test]`, the task that drops the last clone of an `AsyncEngine` — that panics
//! ("Cannot start a runtime from within a runtime"), so dropping an [`Engine`] with idle
//! PostgreSQL connections from async code would abort the program. [`PgClient`] checks for
//! a runtime on the dropping thread and, when there is one, closes the client on a
//! short-lived thread of its own; elsewhere it closes it in place as before.
//!
//! [`Engine`]: crate::Engine

use std::ops::{Deref, DerefMut};

use postgres::Client;

/// The blocking client, dereferencing to [`postgres::Client`]; see the module docs.
pub(super) struct PgClient(Option<Client>);

impl PgClient {
    pub(super) fn new(client: Client) -> PgClient {
        PgClient(Some(client))
    }
}

impl Deref for PgClient {
    type Target = Client;

    fn deref(&self) -> &Client {
        match &self.0 {
            Some(client) => client,
            // Only `drop` takes the client out, and nothing derefs after it.
            None => unreachable!("PgClient used after drop"),
        }
    }
}

impl DerefMut for PgClient {
    fn deref_mut(&mut self) -> &mut Client {
        match &mut self.0 {
            Some(client) => client,
            None => unreachable!("PgClient used after drop"),
        }
    }
}

impl Drop for PgClient {
    fn drop(&mut self) {
        let Some(client) = self.0.take() else { return };
        if tokio::runtime::Handle::try_current().is_err() {
            drop(client);
            return;
        }
        // On a runtime thread: close on a thread of our own, and wait for it so the
        // connection is closed when the drop returns (as it is off a runtime). If no thread
        // can be started, the client is leaked open rather than panicking; the server
        // closes the session when the socket goes.
        let closer = std::thread::Builder::new()
            .name("cinnabar-pg-close".into())
            .spawn(move || drop(client));
        if let Ok(handle) = closer {
            let _ = handle.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dropping a connected client on a thread that runs a tokio runtime does not panic
    /// (the plain `postgres::Client` does), and its server session ends.
    #[test]
    #[cfg_attr(
        not(cinnabar_test_postgres),
        ignore = "CINNABAR_TEST_POSTGRES is not set"
    )]
    fn drop_on_a_runtime_thread_closes_without_panic() {
        let url = std::env::var("CINNABAR_TEST_POSTGRES")
            .expect("CINNABAR_TEST_POSTGRES is not set: this PostgreSQL test cannot run");
        let connect = || postgres::Client::connect(&url, postgres::NoTls).expect("connect");
        let mut client = PgClient::new(connect());
        let pid: i32 = client
            .query_one("SELECT pg_backend_pid()", &[])
            .expect("pid")
            .get(0);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime.block_on(async move { drop(client) });
        let mut check = connect();
        // The server ends the session on the client's Terminate message; give it a moment.
        let mut still = 1;
        for _ in 0..50 {
            still = check
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid = $1",
                    &[&pid],
                )
                .expect("count")
                .get::<_, i64>(0);
            if still == 0 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert_eq!(
            still, 0,
            "the dropped client's server session is still open"
        );
    }
}
