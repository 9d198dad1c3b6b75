//! A node outside the primary component (cut off from the others, still joining) answers
//! every statement that reads or writes a table with error 1047, "WSREP has not yet prepared
//! node for application use": the database unavailable for a while, not a fault of the
//! request. The test cuts node 3 off for real (`gmcast.isolate`) and joins it back.

use std::sync::{RwLockWriteGuard, TryLockError};
use std::time::{Duration, Instant};

use cinnabar::prelude::*;
use cinnabar::ErrorKind;

use super::{galera_test, node_urls, NODES};

/// Node `url` cut off from the group; joined back (and synced) when dropped, also when the
/// test fails.
struct CutOff {
    admin: Connection,
}

impl CutOff {
    fn new(url: &str) -> CutOff {
        let mut admin = create_engine(url).unwrap().connect().unwrap();
        admin
            .execute_script("SET GLOBAL wsrep_provider_options = 'gmcast.isolate=1'")
            .unwrap();
        wait_for(&mut admin, "wsrep_ready", "OFF");
        CutOff { admin }
    }
}

impl Drop for CutOff {
    fn drop(&mut self) {
        let _ = self
            .admin
            .execute_script("SET GLOBAL wsrep_provider_options = 'gmcast.isolate=0'");
        wait_for(&mut self.admin, "wsrep_local_state_comment", "Synced");
    }
}

/// The cluster to this test alone, once the other tests' [`Cluster`](super::Cluster)s are
/// gone. Polled rather than waited for: a waiting writer would block a test that takes a
/// second shared guard while holding one (the benchmark makes two clusters).
fn nodes_alone() -> RwLockWriteGuard<'static, ()> {
    loop {
        match NODES.try_write() {
            Ok(guard) => return guard,
            Err(TryLockError::Poisoned(p)) => return p.into_inner(),
            Err(TryLockError::WouldBlock) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// Polls the node's status variable until it reads `want` (at most a minute).
fn wait_for(conn: &mut Connection, variable: &str, want: &str) {
    let start = Instant::now();
    loop {
        let rows = conn
            .execute(text(format!("SHOW STATUS LIKE '{variable}'")))
            .unwrap();
        let got: String = rows.rows()[0].get(1).unwrap();
        if got == want {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{variable} stayed {got}, not {want}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

galera_test! {
    /// Error 1047 comes back as `Connection` (unavailable; the web answers 503 +
    /// `Retry-After`), its code kept so the Galera dialect's retry helper retries it; once
    /// the node is back, a new connection reads again.
    fn a_node_outside_the_primary_component_is_unavailable() {
        let _alone = nodes_alone();
        let url = node_urls()[2].clone();
        let engine = create_engine(&url).unwrap();
        let mut app = engine.connect().unwrap();
        assert!(!engine.dialect().named_locks_cluster_wide(), "the Galera dialect");
        let sql = "SELECT COUNT(*) FROM mysql.db";
        let before: i64 = app.scalar(text(sql)).unwrap();

        let cut = CutOff::new(&url);
        let e = app.scalar::<i64>(text(sql)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
        assert_eq!(e.code(), Some("1047"), "{e}");
        assert!(e.message().contains("WSREP"), "{e}");
        assert!(engine.dialect().is_retryable(&e), "{e}");
        #[cfg(feature = "axum")]
        {
            let response = cinnabar::web::HttpError::from(e);
            assert_eq!(response.status().as_u16(), 503);
        }
        drop(app);
        drop(cut);

        let mut again = engine.connect().unwrap();
        let after: i64 = again.scalar(text(sql)).unwrap();
        assert_eq!(after, before);
    }
}
