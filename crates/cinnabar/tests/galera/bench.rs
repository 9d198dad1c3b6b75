//! The figures of docs/SCALING.md: W1 (insert) and W3 (lookup by an indexed column) through
//! one Galera node and through three, and increments of one row with the retries they
//! needed. A benchmark, not a check: ignored unless asked for, and it asserts only that the
//! work was done (tests never assert on time).
//!
//! ```text
//! CINNABAR_TEST_GALERA=... cargo test -p cinnabar-sql --all-features --test galera \
//!     -- --ignored --nocapture scaling_figures
//! ```
//!
//! Each run uses the same client threads (three) and the same work; "one node" sends all
//! of it to node 1, "three nodes" one thread to each node. With `CINNABAR_TEST_MYSQL` set
//! the same work also runs on that lone server, for reference.

use std::time::{Duration, Instant};

use cinnabar::prelude::*;

use super::{Cluster, Counter, Item};

const THREADS: usize = 3;
/// W1: rows per thread, committed in sessions of `BATCH` objects.
const ROWS: usize = 1_000;
const BATCH: usize = 100;
/// W3: lookups per thread, over `ROWS` rows per thread.
const LOOKUPS: usize = 2_000;
/// Contention: increments per thread of one counter row.
const INCREMENTS: usize = 100;

/// Runs `work(thread, engine)` on `THREADS` threads, thread `t` on `engines[t % len]`;
/// returns the wall time and what the threads returned, summed.
fn timed(engines: &[Engine], work: fn(usize, &Engine) -> u64) -> (Duration, u64) {
    let start = Instant::now();
    let sum = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let engine = &engines[t % engines.len()];
                scope.spawn(move || work(t, engine))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    (start.elapsed(), sum)
}

fn w1(t: usize, engine: &Engine) -> u64 {
    for b in 0..ROWS / BATCH {
        let mut s = Session::new(engine);
        s.add_all((0..BATCH).map(|k| Item {
            id: None,
            node: t as i32,
            seq: (b * BATCH + k) as i32,
            label: format!("t{t}-{}", b * BATCH + k),
        }));
        s.commit().unwrap();
    }
    ROWS as u64
}

fn w3(t: usize, engine: &Engine) -> u64 {
    let mut s = Session::new(engine);
    let mut found = 0;
    for i in 0..LOOKUPS {
        let label = format!("t{}-{}", (t + i) % THREADS, (i * 7919) % ROWS);
        let item = s
            .query::<Item>()
            .filter(Item::label.eq(label.as_str()))
            .first()
            .unwrap();
        found += u64::from(item.is_some());
    }
    found
}

fn increments(_t: usize, engine: &Engine) -> u64 {
    let policy = RetryPolicy {
        max_attempts: 500,
        initial_backoff: Duration::from_micros(500),
        max_backoff: Duration::from_millis(50),
    };
    let mut s = Session::new(engine);
    let mut retries = 0;
    for _ in 0..INCREMENTS {
        let done = s
            .transaction_with_retry_counted(&policy, |s| {
                let c = s
                    .get_for_update::<Counter>(1)?
                    .ok_or_else(|| Error::new(ErrorKind::NoRow, "counter 1"))?;
                c.write().value += 1;
                Ok(())
            })
            .unwrap();
        retries += u64::from(done.retries());
    }
    retries
}

/// Waits until every node of `engines` applied what was committed (a causal read on each;
/// the lone server has no `wsrep_sync_wait` and needs none).
fn sync(engines: &[Engine]) {
    for e in engines {
        let mut c = e.connect().unwrap();
        if c.execute_script("SET SESSION wsrep_sync_wait = 1").is_ok() {
            let _: i64 = c.scalar(text("SELECT COUNT(*) FROM g_items")).unwrap();
            c.execute_script("SET SESSION wsrep_sync_wait = 0").unwrap();
        }
    }
}

/// One line of figures for `engines` (all on one database).
fn measure(what: &str, engines: &[Engine]) {
    MetaData::new()
        .with(Item::table().clone())
        .with(Counter::table().clone())
        .create_all(&engines[0])
        .unwrap();
    sync(engines);
    let (t1, rows) = timed(engines, w1);
    assert_eq!(rows, (THREADS * ROWS) as u64);
    // Lookups on other nodes must see every row.
    sync(engines);
    let (t3, found) = timed(engines, w3);
    assert_eq!(found, (THREADS * LOOKUPS) as u64);
    let mut s = Session::new(&engines[0]);
    s.add(Counter { id: 1, value: 0 });
    s.commit().unwrap();
    sync(engines);
    let (tc, retries) = timed(engines, increments);
    println!(
        "| {what} | {:.0} | {:.0} | {:.0} | {retries} |",
        rows as f64 / t1.as_secs_f64(),
        found as f64 / t3.as_secs_f64(),
        (THREADS * INCREMENTS) as f64 / tc.as_secs_f64(),
    );
}

#[test]
#[ignore = "benchmark for docs/SCALING.md: run with --ignored --nocapture (needs CINNABAR_TEST_GALERA)"]
fn scaling_figures() {
    println!(
        "{THREADS} client threads; W1 {ROWS} rows each in sessions of {BATCH}; W3 {LOOKUPS} \
         lookups each; {INCREMENTS} increments each of one row (get_for_update + retry)"
    );
    println!("| target | W1 rows/s | W3 lookups/s | increments/s | retries |");
    println!("|---|---|---|---|---|");
    if let Ok(url) = std::env::var("CINNABAR_TEST_MYSQL") {
        if !url.trim().is_empty() {
            // A database of its own on the lone server.
            let name = format!("cinnabar_gbench_{}", std::process::id());
            let admin = create_engine(&url).unwrap();
            admin
                .connect()
                .unwrap()
                .execute_script(&format!("CREATE DATABASE `{name}`"))
                .unwrap();
            let base = &url[..url.rfind('/').unwrap()];
            let lone = create_engine(&format!("{base}/{name}")).unwrap();
            measure("lone MariaDB (3306)", std::slice::from_ref(&lone));
            lone.dispose();
            admin
                .connect()
                .unwrap()
                .execute_script(&format!("DROP DATABASE `{name}`"))
                .unwrap();
        }
    }
    let one = Cluster::new();
    measure("Galera, all through node 1", &one.engines[..1]);
    drop(one);
    let three = Cluster::new();
    measure("Galera, one thread per node", &three.engines);
}
