//! Read replicas (issue 16, docs/scaling/replicas.md).
//!
//! `every_backend`: on the three backends, a second database of the same server (a second
//! SQLite file) stands in for the replica, holding other rows, so where a read went shows in
//! what it returns; on PostgreSQL, whose dialect checks that a replica is in recovery, that
//! database is refused as "not a replica". A replica that is down, and one of another
//! backend, on each.
//!
//! `standby`: the real PostgreSQL primary and hot standby of `scripts/clusters/standby.sh`
//! (`CINNABAR_TEST_PG_PRIMARY`, `CINNABAR_TEST_PG_STANDBY`): reads reach the standby (its
//! port and `pg_is_in_recovery()` say so), writes the primary, a session reads its writes
//! while the standby's replay is paused, a lagging or unreachable standby is skipped, and
//! concurrent sessions read their own writes. These tests share one table and pause replay,
//! so they run one at a time (a lock), and a guard resumes replay even when one fails.

mod support;

use cinnabar::prelude::*;
use cinnabar::{ReplicaState, SessionOptions};
use support::{Backend, TestDb};

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "replica_notes")]
struct Note {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(length = 100)]
    body: String,
}

fn note(body: &str) -> Note {
    Note {
        id: None,
        body: body.to_owned(),
    }
}

/// The bodies of every note the session can read, sorted.
fn bodies(s: &mut Session) -> Vec<String> {
    let mut out: Vec<String> = s
        .query::<Note>()
        .all()
        .unwrap()
        .iter()
        .map(|h| h.read().body.clone())
        .collect();
    out.sort();
    out
}

mod every_backend {
    use super::*;
    use crate::backend_tests;

    fn same_backend(db: &TestDb) -> TestDb {
        match db.backend {
            Backend::Sqlite => TestDb::sqlite(),
            Backend::Postgres => TestDb::postgres(),
            Backend::MySql => TestDb::mysql(),
        }
    }

    fn reads_go_to_the_replica_and_writes_to_the_primary(db: &TestDb) {
        let replica = same_backend(db);
        db.create_tables(&[Note::table()]);
        replica.create_tables(&[Note::table()]);
        let mut r = Session::new(&replica.engine);
        r.add(note("on the replica"));
        r.commit().unwrap();

        let engine = Engine::with_options(
            &db.url,
            EngineOptions::new().replicas([replica.url.clone()]),
        )
        .unwrap();
        assert!(engine.has_replicas());
        // A dialect that measures lag also checks that the server is a replica.
        let checks = engine.dialect().replica_positions().is_some();
        let mut s = Session::new(&engine);
        let first = bodies(&mut s);
        if checks {
            assert_eq!(first, Vec::<String>::new());
            assert!(!s.reading_from_replica());
            assert_eq!(engine.replica_status()[0].state, ReplicaState::NotAReplica);
        } else {
            assert_eq!(first, ["on the replica"]);
            assert!(s.reading_from_replica());
            assert_eq!(engine.replica_status()[0].state, ReplicaState::Healthy);
        }

        // A read after a write in the same session goes to the primary (the autoflush
        // writes first), and so does the write.
        s.add(note("written"));
        assert_eq!(bodies(&mut s), ["written"]);
        assert!(!s.reading_from_replica());
        s.commit().unwrap();
        assert_eq!(db.scalar("SELECT COUNT(*) FROM replica_notes"), Some(1));
        assert_eq!(
            replica.scalar("SELECT COUNT(*) FROM replica_notes WHERE body = 'written'"),
            Some(0)
        );
        // Without positions the session that wrote stays on the primary after its commit.
        if !checks {
            assert_eq!(bodies(&mut s), ["written"]);
            assert!(!s.reading_from_replica());
        }

        // A new session reads the replica again; one told to use the primary does not.
        let mut fresh = Session::new(&engine);
        let expected: &[&str] = if checks {
            &["written"]
        } else {
            &["on the replica"]
        };
        assert_eq!(bodies(&mut fresh), expected);
        let mut pinned = Session::new(&engine);
        pinned.use_primary();
        assert_eq!(bodies(&mut pinned), ["written"]);
        assert!(!pinned.reading_from_replica());

        // A read-only session (what AsyncEngine::read runs) reads the replica too, in its
        // read-only transaction, and counts the statements it ran there.
        let mut ro = Session::with_options(&engine, SessionOptions::default().read_only(true));
        assert_eq!(bodies(&mut ro), expected);
        assert_eq!(ro.reading_from_replica(), !checks);
        assert_eq!(ro.statement_count(), 1);
        ro.commit().unwrap();
        assert_eq!(ro.statement_count(), 1);

        // Raw SQL: a SELECT is a read, anything else a write on the primary.
        let mut raw = Session::new(&engine);
        let n: i64 = raw
            .execute(text("SELECT COUNT(*) FROM replica_notes"))
            .unwrap()
            .scalar()
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(raw.reading_from_replica(), !checks);
        raw.execute(text("INSERT INTO replica_notes (body) VALUES ('raw')"))
            .unwrap();
        assert!(!raw.reading_from_replica());
        raw.commit().unwrap();
        assert_eq!(db.scalar("SELECT COUNT(*) FROM replica_notes"), Some(2));

        // The primary connection handed out may be written through: reads follow it.
        let mut handed = Session::new(&engine);
        bodies(&mut handed);
        assert_eq!(handed.reading_from_replica(), !checks);
        handed.connection().unwrap();
        assert!(!handed.reading_from_replica());
        // (Counted: the identity map keeps the objects the replica gave, as any session
        // keeps loaded objects over a later query.)
        let n: i64 = handed
            .execute(text("SELECT COUNT(*) FROM replica_notes"))
            .unwrap()
            .scalar()
            .unwrap();
        assert_eq!(n, 2);
        assert!(!handed.reading_from_replica());
        assert_eq!(
            replica.scalar("SELECT COUNT(*) FROM replica_notes"),
            Some(1)
        );
    }

    fn a_replica_that_is_down_is_skipped(db: &TestDb) {
        let dir = tempfile::tempdir().unwrap();
        let down = match db.backend {
            // A file in a directory that does not exist cannot be opened.
            Backend::Sqlite => format!("sqlite:///{}/missing/replica.db", dir.path().display()),
            // Port 1 on 127.0.0.1: nothing listens, the connection is refused.
            Backend::Postgres => "postgresql://postgres@127.0.0.1:1/test".to_owned(),
            Backend::MySql => "mysql://root@127.0.0.1:1/test".to_owned(),
        };
        db.create_tables(&[Note::table()]);
        let engine = Engine::with_options(&db.url, EngineOptions::new().replicas([down])).unwrap();
        let mut s = Session::new(&engine);
        s.add(note("on the primary"));
        s.commit().unwrap();
        let mut reader = Session::new(&engine);
        assert_eq!(bodies(&mut reader), ["on the primary"]);
        assert!(!reader.reading_from_replica());
        let status = engine.replica_status();
        assert_eq!(status[0].state, ReplicaState::Down);
        assert!(status[0].error.is_some(), "{status:?}");
    }

    fn a_replica_of_another_backend_is_refused(db: &TestDb) {
        let other = match db.backend {
            Backend::Sqlite | Backend::MySql => "postgresql://postgres@127.0.0.1:1/test",
            Backend::Postgres => "mysql://root@127.0.0.1:1/test",
        };
        let err =
            Engine::with_options(&db.url, EngineOptions::new().replicas([other])).unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::Url | ErrorKind::Unsupported),
            "{err}"
        );
        assert!(err.to_string().contains("replica 1"), "{err}");
    }

    backend_tests!(
        reads_go_to_the_replica_and_writes_to_the_primary,
        a_replica_that_is_down_is_skipped,
        a_replica_of_another_backend_is_refused,
    );
}

#[path = "replicas/standby.rs"]
mod standby;
