//! Cancellation at the HTTP level: many requests to the students app whose futures are
//! dropped at random points, on the three backends. Half go over TCP to the app served on an
//! ephemeral 127.0.0.1 port, each under `tokio::time::timeout` with a random short duration
//! (the client's connection is closed mid-request, and the server drops the handler); half
//! call the router in-process (`oneshot`), so the handler future itself is dropped at a
//! random `.await`. Afterwards: the pool has no connection checked out; no transaction is
//! left open (PostgreSQL: no `idle in transaction` session of this test in
//! `pg_stat_activity`; MariaDB: no InnoDB transaction of this test's database; SQLite: the
//! write lock can be taken at once); every write that was answered 201 is there; and the
//! app still serves.
//!
//! The random seed is printed; `CANCEL_SEED=N` repeats a run.

mod common;
#[path = "../../cinnabar/tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request};
use cinnabar::prelude::*;
use students_e2e::load::{self, Op, Outcome, Rng};
use support::{Backend, TestDb};
use tower::ServiceExt;

/// Requests over TCP, and as many in-process.
const REQUESTS: usize = 120;
/// At most this many at once.
const CONCURRENCY: usize = 12;
/// Timeouts are drawn from 0..=MAX_TIMEOUT_MS milliseconds.
const MAX_TIMEOUT_MS: u64 = 60;

fn seed() -> u64 {
    std::env::var("CANCEL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        })
}

/// `?search_path=NAME` of a PostgreSQL test URL: the test's schema, used as its
/// application_name too.
fn schema_of(url: &str) -> String {
    url.split("search_path=")
        .nth(1)
        .and_then(|s| s.split('&').next())
        .expect("search_path in the test URL")
        .to_owned()
}

/// `/NAME` of a MariaDB test URL: the test's database.
fn database_of(url: &str) -> String {
    url.rsplit('/')
        .next()
        .and_then(|s| s.split('?').next())
        .expect("database in the test URL")
        .to_owned()
}

/// How many requests ran to the end, and how many were dropped.
#[derive(Debug, Default)]
struct Tally {
    completed: usize,
    dropped: usize,
    acknowledged: Vec<(&'static str, i64)>,
}

async fn over_tcp(base: &str, targets: &load::Targets, rng: &mut Rng, tally: &mut Tally) {
    let http = reqwest::Client::new();
    let mut set = tokio::task::JoinSet::new();
    for seq in 0..REQUESTS {
        let op = load::pick(rng, targets, 50, seq as u64);
        let limit = Duration::from_millis(rng.below(MAX_TIMEOUT_MS + 1));
        let (http, base) = (http.clone(), base.to_owned());
        set.spawn(async move {
            let outcome = tokio::time::timeout(limit, load::send(&http, &base, &op)).await;
            outcome.ok()
        });
        if set.len() >= CONCURRENCY {
            record(set.join_next().await, tally);
        }
    }
    while let Some(done) = set.join_next().await {
        record(Some(done), tally);
    }
}

fn record(done: Option<Result<Option<Outcome>, tokio::task::JoinError>>, tally: &mut Tally) {
    match done.expect("a task").expect("request task") {
        None => tally.dropped += 1,
        Some(Outcome::Done(created)) => {
            tally.completed += 1;
            tally.acknowledged.extend(created);
        }
        Some(Outcome::Refused) => tally.completed += 1,
        Some(Outcome::Error(e)) => panic!("a request that ran to the end failed: {e}"),
    }
}

async fn in_process(router: axum::Router, targets: &load::Targets, rng: &mut Rng) -> Tally {
    let mut tally = Tally::default();
    let mut set = tokio::task::JoinSet::new();
    for seq in 0..REQUESTS {
        let op = load::pick(rng, targets, 50, (REQUESTS + seq) as u64);
        let (method, path, body) = op.request();
        let request = Request::builder()
            .method(method.as_str())
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
            .expect("request");
        let limit = Duration::from_millis(rng.below(MAX_TIMEOUT_MS + 1));
        let router = router.clone();
        set.spawn(async move {
            let answer = tokio::time::timeout(limit, router.oneshot(request)).await;
            answer.ok().map(|r| r.expect("infallible").status())
        });
        if set.len() >= CONCURRENCY {
            tally_status(set.join_next().await, &mut tally);
        }
    }
    while let Some(done) = set.join_next().await {
        tally_status(Some(done), &mut tally);
    }
    tally
}

fn tally_status(
    done: Option<Result<Option<axum::http::StatusCode>, tokio::task::JoinError>>,
    tally: &mut Tally,
) {
    match done.expect("a task").expect("request task") {
        None => tally.dropped += 1,
        Some(status) => {
            assert!(
                status.is_success() || status.as_u16() == 409 || status.as_u16() == 404,
                "an in-process request that ran to the end answered {status}"
            );
            tally.completed += 1;
        }
    }
}

/// Waits (up to 20 s: dropped requests' units of work finish on the blocking pool) until
/// the pool has no connection checked out; returns the number still checked out.
fn checked_out_after_settling(engine: &Engine) -> usize {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = engine.pool_status();
        let out = status.open - status.idle;
        if out == 0 || Instant::now() > deadline {
            return out;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Sessions of this test's pool that the server lists (the pool's idle connections): more
/// than 0 shows that [`open_transactions`]' filter finds this test's sessions at all.
fn sessions_seen(db: &TestDb, app_name: &str) -> i64 {
    match db.backend {
        Backend::Postgres => db
            .scalar(&format!(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = '{app_name}'"
            ))
            .expect("a count"),
        Backend::MySql => db
            .scalar(&format!(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = '{}'",
                database_of(&db.url)
            ))
            .expect("a count"),
        Backend::Sqlite => 1,
    }
}

/// Transactions of this test still open on the server, by the backend's own catalog.
fn open_transactions(db: &TestDb, app_name: &str) -> i64 {
    match db.backend {
        Backend::Postgres => db
            .scalar(&format!(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = '{app_name}' \
                 AND state LIKE 'idle in transaction%'"
            ))
            .expect("a count"),
        Backend::MySql => db
            .scalar(&format!(
                "SELECT COUNT(*) FROM information_schema.INNODB_TRX t \
                 JOIN information_schema.PROCESSLIST p ON t.trx_mysql_thread_id = p.ID \
                 WHERE p.DB = '{}'",
                database_of(&db.url)
            ))
            .expect("a count"),
        Backend::Sqlite => {
            // A transaction left open by a pooled connection would hold the write lock.
            let engine = create_engine(&format!("{}?timeout=1", db.url)).expect("engine");
            let mut conn = engine.connect().expect("connect");
            match conn.execute_script("BEGIN IMMEDIATE; ROLLBACK") {
                Ok(()) => 0,
                Err(e) if e.kind() == ErrorKind::Busy => 1,
                Err(e) => panic!("BEGIN IMMEDIATE: {e}"),
            }
        }
    }
}

fn dropped_requests_leave_no_connection_or_transaction_open(db: &TestDb) {
    let app_name = match db.backend {
        Backend::Postgres => schema_of(&db.url),
        _ => String::new(),
    };
    let url = match db.backend {
        Backend::Postgres => format!("{}&application_name={app_name}", db.url),
        _ => db.url.clone(),
    };
    let engine = create_engine(&url).expect("engine");
    let seed = seed();
    println!("CANCEL_SEED={seed}");
    let mut rng = Rng::new(seed);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (tcp, local) = rt.block_on(async {
        let app_db = students::AsyncEngine::new(engine.clone());
        students::prepare(&app_db)
            .await
            .expect("schema and demo data");
        let router = students::app(app_db);
        let served = students_e2e::serve(router.clone()).await.expect("serve");
        let http = reqwest::Client::new();
        let targets = load::targets(&http, &served.url()).await.expect("targets");
        let mut tcp = Tally::default();
        over_tcp(&served.url(), &targets, &mut rng, &mut tcp).await;
        let local = in_process(router, &targets, &mut rng).await;
        (tcp, local)
    });
    println!(
        "over TCP: {} ran to the end ({} writes acknowledged), {} dropped; in-process: {} ran \
         to the end, {} dropped",
        tcp.completed,
        tcp.acknowledged.len(),
        tcp.dropped,
        local.completed,
        local.dropped
    );
    assert!(
        tcp.dropped + local.dropped > 0,
        "no request was dropped: the test did not test cancellation"
    );

    assert_eq!(
        checked_out_after_settling(&engine),
        0,
        "connections checked out"
    );
    assert!(
        sessions_seen(db, &app_name) > 0,
        "the server lists none of the pool's connections: the check below would see nothing"
    );
    assert_eq!(
        open_transactions(db, &app_name),
        0,
        "transactions left open"
    );

    rt.block_on(async {
        let app_db = students::AsyncEngine::new(engine.clone());
        let served = students_e2e::serve(students::app(app_db))
            .await
            .expect("serve");
        let lost = load::verify(&served.url(), &tcp.acknowledged).await;
        assert!(lost.is_empty(), "acknowledged writes lost: {lost:?}");
        let op = Op::CreateStudent(1_000_000);
        match load::send(&reqwest::Client::new(), &served.url(), &op).await {
            Outcome::Done(Some(_)) => {}
            other => panic!("the app no longer writes after the dropped requests: {other:?}"),
        }
    });
    drop(rt);
    assert_eq!(
        checked_out_after_settling(&engine),
        0,
        "connections checked out"
    );
    engine.dispose();
}

backend_tests!(dropped_requests_leave_no_connection_or_transaction_open);
