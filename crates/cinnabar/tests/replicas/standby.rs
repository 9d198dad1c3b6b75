//! The real primary + hot standby of `scripts/clusters/standby.sh` (see the module docs of
//! `tests/replicas.rs`).

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::{bodies, note, Note};
use cinnabar::prelude::*;
use cinnabar::{ReplicaState, SessionOptions};

/// The standby tests share the table and pause replay: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn env(var: &str) -> String {
    match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => v,
        _ => panic!(
            "{var} is not set: start the pair with scripts/clusters/standby.sh start DIR and \
             export the lines it prints (this test is ignored when built without them)"
        ),
    }
}

/// The primary and the standby, each through a plain engine, and the table made afresh.
struct Pair {
    primary_url: String,
    standby_url: String,
    primary: Engine,
    standby: Engine,
}

impl Pair {
    fn new() -> Pair {
        let primary_url = env("CINNABAR_TEST_PG_PRIMARY");
        let standby_url = env("CINNABAR_TEST_PG_STANDBY");
        let primary = create_engine(&primary_url).unwrap();
        let standby = create_engine(&standby_url).unwrap();
        // A run that died with replay paused must not hold up this one.
        standby
            .connect()
            .unwrap()
            .execute_script("SELECT pg_wal_replay_resume()")
            .unwrap();
        primary
            .connect()
            .unwrap()
            .execute_script("DROP TABLE IF EXISTS replica_notes")
            .unwrap();
        MetaData::new()
            .with(Note::table().clone())
            .create_all(&primary)
            .unwrap();
        let pair = Pair {
            primary_url,
            standby_url,
            primary,
            standby,
        };
        pair.wait_caught_up();
        pair
    }

    /// An engine on the primary with the standby as its replica.
    fn engine(&self, options: EngineOptions) -> Engine {
        Engine::with_options(
            &self.primary_url,
            options.replicas([self.standby_url.clone()]),
        )
        .unwrap()
    }

    /// Waits until the standby has replayed everything the primary has written so far.
    fn wait_caught_up(&self) {
        let target = self
            .primary
            .connect()
            .unwrap()
            .write_position()
            .unwrap()
            .expect("PostgreSQL has write positions");
        let start = Instant::now();
        loop {
            let replayed: i64 = self
                .standby
                .connect()
                .unwrap()
                .scalar(text(
                    "SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::int8",
                ))
                .unwrap();
            if replayed >= target.0 {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the standby did not replay {} in 20 s (at {replayed})",
                target.0
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Pauses the standby's replay until the guard is dropped (also when a test fails).
    fn pause_replay(&self) -> Paused<'_> {
        let mut c = self.standby.connect().unwrap();
        c.execute_script("SELECT pg_wal_replay_pause()").unwrap();
        let start = Instant::now();
        while c
            .scalar::<String>(text("SELECT pg_get_wal_replay_pause_state()"))
            .unwrap()
            != "paused"
        {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "replay did not pause"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        Paused(self)
    }

    fn standby_port(&self) -> i64 {
        let after_host = self.standby_url.rsplit(':').next().unwrap();
        after_host.split('/').next().unwrap().parse().unwrap()
    }

    fn primary_count(&self) -> i64 {
        self.primary
            .connect()
            .unwrap()
            .scalar(text("SELECT COUNT(*) FROM replica_notes"))
            .unwrap()
    }
}

struct Paused<'a>(&'a Pair);

impl Drop for Paused<'_> {
    fn drop(&mut self) {
        if let Ok(mut c) = self.0.standby.connect() {
            let _ = c.execute_script("SELECT pg_wal_replay_resume()");
        }
    }
}

/// (the server's port, whether it is in recovery) as the session's read connection sees it.
fn server_of(s: &mut Session) -> (i64, bool) {
    let rows = s
        .execute(text("SELECT inet_server_port()::int8, pg_is_in_recovery()"))
        .unwrap();
    let row = rows.first().unwrap();
    (row.get(0).unwrap(), row.get(1).unwrap())
}

fn a_read_goes_to_the_standby_and_a_write_to_the_primary(p: &Pair) {
    let engine = p.engine(EngineOptions::new());
    let mut s = Session::new(&engine);
    assert_eq!(bodies(&mut s), Vec::<String>::new());
    assert!(s.reading_from_replica());
    assert_eq!(server_of(&mut s), (p.standby_port(), true));

    s.add(note("first"));
    s.commit().unwrap();
    assert_eq!(p.primary_count(), 1);
    assert_eq!(bodies(&mut s), ["first"]);

    p.wait_caught_up();
    let mut reader = Session::new(&engine);
    assert_eq!(bodies(&mut reader), ["first"]);
    assert!(reader.reading_from_replica());
    assert_eq!(engine.replica_status()[0].state, ReplicaState::Healthy);

    // A replica connection is for reads: the standby refuses a write on it.
    let mut rc = engine
        .connect_replica(None)
        .expect("the standby is healthy");
    let err = rc
        .execute(text("INSERT INTO replica_notes (body) VALUES ('x')"))
        .unwrap_err();
    assert!(err.to_string().contains("read-only"), "{err}");
    assert_eq!(p.primary_count(), 1);
}

fn read_your_writes_while_replay_is_paused(p: &Pair) {
    // Lag is never the reason to skip the standby here: only the session's own writes are.
    let engine = p.engine(EngineOptions::new().max_replica_lag(Duration::from_secs(3600)));
    let paused = p.pause_replay();
    let mut s = Session::new(&engine);
    assert_eq!(bodies(&mut s), Vec::<String>::new());
    assert!(s.reading_from_replica());

    // Inside the write transaction: the primary.
    s.add(note("mine"));
    s.flush().unwrap();
    assert_eq!(bodies(&mut s), ["mine"]);
    assert!(!s.reading_from_replica());
    // After the commit: still the primary, as the standby has not replayed it.
    s.commit().unwrap();
    let position = s
        .write_position()
        .expect("the commit's position was recorded");
    assert_eq!(bodies(&mut s), ["mine"]);
    assert!(!s.reading_from_replica());
    s.commit().unwrap();

    // A session that wrote nothing reads the paused standby, which really is behind.
    let mut other = Session::new(&engine);
    assert_eq!(bodies(&mut other), Vec::<String>::new());
    assert!(other.reading_from_replica());
    // Given the position, it reads the primary instead.
    let mut told = Session::new(&engine);
    told.read_after(position);
    assert_eq!(bodies(&mut told), ["mine"]);
    assert!(!told.reading_from_replica());

    // Once the standby has replayed the commit the session reads it again.
    drop(paused);
    p.wait_caught_up();
    assert_eq!(bodies(&mut s), ["mine"]);
    assert!(s.reading_from_replica());
    assert_eq!(server_of(&mut s), (p.standby_port(), true));
}

fn a_lagging_standby_is_skipped(p: &Pair) {
    let engine = p.engine(
        EngineOptions::new()
            .max_replica_lag(Duration::from_millis(300))
            .replica_check_interval(Duration::ZERO),
    );
    let mut s = Session::new(&engine);
    assert_eq!(bodies(&mut s), Vec::<String>::new());
    assert!(s.reading_from_replica());

    let paused = p.pause_replay();
    p.primary
        .connect()
        .unwrap()
        .execute(text("INSERT INTO replica_notes (body) VALUES ('late')"))
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let mut reader = Session::new(&engine);
    assert_eq!(bodies(&mut reader), ["late"]);
    assert!(!reader.reading_from_replica());
    let status = &engine.replica_status()[0];
    assert_eq!(status.state, ReplicaState::Lagging);
    assert!(
        status.lag.is_some_and(|l| l >= Duration::from_millis(600)),
        "{status:?}"
    );

    // With a bound it stays within, the same stale standby is read: the bound decided.
    let tolerant = p.engine(EngineOptions::new().max_replica_lag(Duration::from_secs(3600)));
    let mut stale = Session::new(&tolerant);
    assert_eq!(bodies(&mut stale), Vec::<String>::new());
    assert!(stale.reading_from_replica());

    drop(paused);
    p.wait_caught_up();
    let mut again = Session::new(&engine);
    assert_eq!(bodies(&mut again), ["late"]);
    assert!(again.reading_from_replica());
    assert_eq!(engine.replica_status()[0].state, ReplicaState::Healthy);
}

fn a_standby_that_is_down_is_skipped(p: &Pair) {
    // Port 1 refuses connections; the real standby is second.
    let engine = Engine::with_options(
        &p.primary_url,
        EngineOptions::new().replicas([
            "postgresql://postgres@127.0.0.1:1/test".to_owned(),
            p.standby_url.clone(),
        ]),
    )
    .unwrap();
    for _ in 0..4 {
        let mut s = Session::new(&engine);
        assert_eq!(bodies(&mut s), Vec::<String>::new());
        assert!(s.reading_from_replica());
        assert_eq!(server_of(&mut s), (p.standby_port(), true));
    }
    let status = engine.replica_status();
    assert_eq!(status[0].state, ReplicaState::Down);
    assert_eq!(status[1].state, ReplicaState::Healthy);

    // The standby's server closes the pooled connection: the next read finds it dead,
    // skips the standby without an error, and a later one reconnects.
    let single = p.engine(EngineOptions::new().replica_check_interval(Duration::ZERO));
    let mut s = Session::new(&single);
    bodies(&mut s);
    assert!(s.reading_from_replica());
    s.commit().unwrap();
    p.standby
        .connect()
        .unwrap()
        .execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'",
        ))
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let mut after = Session::new(&single);
    assert_eq!(bodies(&mut after), Vec::<String>::new());
    assert!(!after.reading_from_replica());
    assert_eq!(single.replica_status()[0].state, ReplicaState::Down);
    let mut back = Session::new(&single);
    assert_eq!(bodies(&mut back), Vec::<String>::new());
    assert!(back.reading_from_replica());
}

fn concurrent_sessions_read_their_writes(p: &Pair) {
    const THREADS: usize = 8;
    const ROUNDS: usize = 25;
    // Replay paused and no lag bound in the way: every session's own write is behind on the
    // standby, so reading it back must take the primary, while sessions that wrote nothing
    // keep reading the (stale) standby.
    let engine = p.engine(EngineOptions::new().max_replica_lag(Duration::from_secs(3600)));
    let paused = p.pause_replay();
    let (replica_reads, stale_reads): (usize, usize) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let engine = engine.clone();
                scope.spawn(move || {
                    let (mut replica_reads, mut stale_reads) = (0, 0);
                    for i in 0..ROUNDS {
                        let mine = format!("t{t}-{i}");
                        let mut s = Session::new(&engine);
                        s.add(note(&mine));
                        s.commit().unwrap();
                        let found = s
                            .query::<Note>()
                            .filter(Note::body.eq(mine.as_str()))
                            .all()
                            .unwrap();
                        assert_eq!(found.len(), 1, "{mine} was not read back");
                        assert!(!s.reading_from_replica());
                        let mut ro = Session::with_options(
                            &engine,
                            SessionOptions::default().read_only(true),
                        );
                        let seen = ro.query::<Note>().count().unwrap();
                        if ro.reading_from_replica() {
                            replica_reads += 1;
                            stale_reads += usize::from(seen == 0);
                        }
                    }
                    (replica_reads, stale_reads)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    });
    assert_eq!(p.primary_count(), (THREADS * ROUNDS) as i64);
    // The standby is healthy throughout (no bound), so every read-only session read it.
    assert_eq!(replica_reads, THREADS * ROUNDS);
    assert_eq!(
        stale_reads,
        THREADS * ROUNDS,
        "the standby replayed while paused"
    );
    drop(paused);
    p.wait_caught_up();
    let on_standby: i64 = p
        .standby
        .connect()
        .unwrap()
        .scalar(text("SELECT COUNT(*) FROM replica_notes"))
        .unwrap();
    assert_eq!(on_standby, (THREADS * ROUNDS) as i64);
}

macro_rules! standby_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            #[cfg_attr(not(feature = "postgres"), ignore = "the `postgres` feature is off")]
            #[cfg_attr(
                all(feature = "postgres", not(cinnabar_test_pg_standby)),
                ignore = "CINNABAR_TEST_PG_PRIMARY / CINNABAR_TEST_PG_STANDBY are not set"
            )]
            fn $name() {
                let _one_at_a_time = serial();
                super::$name(&Pair::new());
            }
        )*
    };
}

mod run {
    use super::{serial, Pair};

    standby_tests!(
        a_read_goes_to_the_standby_and_a_write_to_the_primary,
        read_your_writes_while_replay_is_paused,
        a_lagging_standby_is_skipped,
        a_standby_that_is_down_is_skipped,
        concurrent_sessions_read_their_writes,
    );
}

/// Under CI (`CI=true` or `1`) the standby tests must run: fails when the variables are
/// unset, were unset at build time, or the `postgres` feature is off.
#[test]
fn ci_runs_the_standby_tests() {
    let ci = std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
    if !ci {
        return;
    }
    for var in ["CINNABAR_TEST_PG_PRIMARY", "CINNABAR_TEST_PG_STANDBY"] {
        assert!(
            std::env::var(var).is_ok_and(|v| !v.trim().is_empty()),
            "CI is set but {var} is not (scripts/clusters/standby.sh start DIR prints it)"
        );
    }
    let built = [
        (
            cfg!(cinnabar_test_pg_standby),
            "the tests were built without CINNABAR_TEST_PG_PRIMARY / CINNABAR_TEST_PG_STANDBY",
        ),
        (
            cfg!(feature = "postgres"),
            "the `postgres` feature is off (run with --features postgres)",
        ),
    ];
    let problems: Vec<&str> = built
        .iter()
        .filter(|(ok, _)| !ok)
        .map(|(_, why)| *why)
        .collect();
    assert!(
        problems.is_empty(),
        "CI is set, but {}",
        problems.join("; ")
    );
}
