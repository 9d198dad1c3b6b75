//! The same models on a three-node MariaDB Galera cluster (issue 16): writes through every
//! node at once, read-modify-write and set-based increments of one row through three nodes
//! under `transaction_with_retry`, the dialect the engine detects, multi-row key mapping with
//! `auto_increment_increment = 3`, the migration lock as a lock row (`galera/migrate.rs`), a
//! node cut off from the cluster answering 1047 as unavailable (`galera/not_ready.rs`); the
//! benchmark behind docs/SCALING.md (`galera/bench.rs`, ignored).
//!
//! `CINNABAR_TEST_GALERA` holds the nodes' URLs, comma-separated
//! (`scripts/clusters/galera.sh start DIR` prints it). Unset when the tests were built, every
//! test here is reported ignored ("CINNABAR_TEST_GALERA is not set"); under `CI=true`,
//! [`ci_runs_the_galera_tests`] then fails. Each test works in a database of its own, created
//! on node 1 (Galera replicates CREATE DATABASE to every node) and dropped at the end.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard};

use cinnabar::prelude::*;
use cinnabar::Retried;

#[path = "galera/bench.rs"]
mod bench;
#[path = "galera/migrate.rs"]
mod migrate;
#[path = "galera/not_ready.rs"]
mod not_ready;

/// A row written through one node: which node and which write it was.
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "g_items")]
pub(crate) struct Item {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    pub node: i32,
    pub seq: i32,
    #[cinnabar(length = 40, index)]
    pub label: String,
}

/// One counter row incremented through every node.
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "g_counters")]
pub(crate) struct Counter {
    #[cinnabar(primary_key)]
    pub id: i64,
    pub value: i64,
}

/// A database of its own on the cluster, with one engine per node.
pub(crate) struct Cluster {
    pub engines: Vec<Engine>,
    admin: String,
    name: String,
    /// Shared with the other tests; `not_ready.rs` takes it exclusively while it cuts a node
    /// off the cluster.
    _nodes: RwLockReadGuard<'static, ()>,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Held shared by every [`Cluster`] and exclusively by a test that takes a node out of the
/// cluster, so no other test meets that node meanwhile.
pub(crate) static NODES: RwLock<()> = RwLock::new(());

/// The node URLs of `CINNABAR_TEST_GALERA`. Panics when it is unset: the tests that call
/// this are ignored unless it was set when they were built.
pub(crate) fn node_urls() -> Vec<String> {
    let v = std::env::var("CINNABAR_TEST_GALERA").unwrap_or_default();
    let urls: Vec<String> = v
        .split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_owned)
        .collect();
    assert!(
        !urls.is_empty(),
        "CINNABAR_TEST_GALERA is not set: this cluster test cannot run (start the cluster with \
         scripts/clusters/galera.sh start DIR and export the line it prints)"
    );
    urls
}

/// `url` with its database replaced by `db`.
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

impl Cluster {
    /// A fresh database on the cluster and an engine per node on it.
    pub(crate) fn new() -> Cluster {
        let shared = NODES.read().unwrap_or_else(|e| e.into_inner());
        let nodes = node_urls();
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!("cinnabar_g_{}_{n}", std::process::id());
        let admin = nodes[0].clone();
        let engine = create_engine(&admin).unwrap();
        engine
            .connect()
            .unwrap_or_else(|e| panic!("Galera node {admin} is unreachable: {e}"))
            .execute_script(&format!("CREATE DATABASE `{name}`"))
            .unwrap();
        engine.dispose();
        // Every node applies the CREATE DATABASE before an engine connects to it there.
        for node in &nodes {
            let e = create_engine(node).unwrap();
            let mut c = e.connect().unwrap();
            c.execute_script("SET SESSION wsrep_sync_wait = 1").unwrap();
            let found: i64 = c
                .scalar(
                    text("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = :n")
                        .bind("n", name.as_str()),
                )
                .unwrap();
            assert_eq!(found, 1, "{node} has not applied CREATE DATABASE {name}");
            drop(c);
            e.dispose();
        }
        let urls: Vec<String> = nodes.iter().map(|u| with_database(u, &name)).collect();
        let engines = urls.iter().map(|u| create_engine(u).unwrap()).collect();
        Cluster {
            engines,
            admin,
            name,
            _nodes: shared,
        }
    }

    /// Waits until every node has applied what the cluster committed so far (a causal read
    /// on each): after DDL or a seed row written through one node, before the other nodes
    /// use them.
    pub(crate) fn sync(&self) {
        for i in 0..self.engines.len() {
            let mut c = self.causal(i);
            let _: i64 = c.scalar(text("SELECT 1")).unwrap();
            c.execute_script("SET SESSION wsrep_sync_wait = 0").unwrap();
        }
    }

    /// A connection to node `i` whose reads wait until the node has applied every write
    /// the cluster committed before them (`wsrep_sync_wait = 1`: Galera applies other
    /// nodes' writes asynchronously after certifying them).
    pub(crate) fn causal(&self, i: usize) -> Connection {
        let mut c = self.engines[i].connect().unwrap();
        c.execute_script("SET SESSION wsrep_sync_wait = 1").unwrap();
        c
    }

    /// One integer read on node `i`, causally.
    pub(crate) fn scalar(&self, i: usize, sql: &str) -> i64 {
        let mut c = self.causal(i);
        c.scalar(text(sql)).unwrap()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for e in &self.engines {
            e.dispose();
        }
        if let Ok(engine) = create_engine(&self.admin) {
            if let Ok(mut c) = engine.connect() {
                let _ = c.execute_script(&format!("DROP DATABASE IF EXISTS `{}`", self.name));
            }
        }
    }
}

/// Under CI (`CI=true` or `1`) the cluster tests must run: fails when `CINNABAR_TEST_GALERA`
/// is unset now or was unset when the tests were built, or the `mysql` feature is off.
#[test]
fn ci_runs_the_galera_tests() {
    let ci = std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
    if !ci {
        return;
    }
    let mut problems = Vec::new();
    if std::env::var("CINNABAR_TEST_GALERA").map_or(true, |v| v.trim().is_empty()) {
        problems.push("CINNABAR_TEST_GALERA is not set (start scripts/clusters/run first)");
    }
    for (ok, problem) in [
        (
            cfg!(cinnabar_test_galera),
            "the tests were built without CINNABAR_TEST_GALERA",
        ),
        (cfg!(feature = "mysql"), "the `mysql` feature is off"),
    ] {
        if !ok {
            problems.push(problem);
        }
    }
    assert!(
        problems.is_empty(),
        "CI is set, so the Galera tests must run, but: {}",
        problems.join("; ")
    );
}

/// Declares a cluster test: ignored (with the reason) unless `CINNABAR_TEST_GALERA` was set
/// at build time and the `mysql` feature is on.
macro_rules! galera_test {
    ($(#[$m:meta])* fn $name:ident() $body:block) => {
        $(#[$m])*
        #[test]
        #[cfg_attr(not(cinnabar_test_galera), ignore = "CINNABAR_TEST_GALERA is not set")]
        #[cfg_attr(not(feature = "mysql"), ignore = "the `mysql` feature is off")]
        fn $name() $body
    };
}
pub(crate) use galera_test;

galera_test! {
    /// The engine learns at connect that the server is a Galera node and answers with the
    /// Galera dialect's capabilities; a lone MariaDB keeps the MySQL dialect's.
    fn the_engine_detects_a_galera_node() {
        let cluster = Cluster::new();
        let engine = &cluster.engines[1];
        assert!(engine.dialect().named_locks_cluster_wide(), "before any connection");
        let conn = engine.connect().unwrap();
        let d = conn.dialect();
        assert_eq!(d.name(), "mysql");
        assert!(!d.named_locks_cluster_wide());
        assert_eq!(d.migration_lock(), Some(cinnabar::dialect::MigrationLock::LockTable));
        assert!(!engine.dialect().named_locks_cluster_wide(), "the engine switched too");
        let increment = cluster.scalar(1, "SELECT @@auto_increment_increment");
        assert_eq!(increment, cluster.engines.len() as i64, "one step per node");
        // The MySQL server of the other tests (a lone MariaDB, or a node when pointed at
        // the cluster): the engine's answer follows the server's `wsrep_on`.
        if let Ok(url) = std::env::var("CINNABAR_TEST_MYSQL") {
            let other = create_engine(&url).unwrap();
            let mut c = other.connect().unwrap();
            let wsrep: i64 = c.scalar(text("SELECT @@wsrep_on")).unwrap();
            assert_eq!(other.dialect().named_locks_cluster_wide(), wsrep == 0, "{url}");
        }
    }
}

galera_test! {
    /// Three threads, one engine per node, each flushing batches of new objects through its
    /// node at once: every key a handle got is the key of its row on every node, keys are
    /// distinct, and each node's keys step by the cluster size from an offset of its own
    /// (Galera's `auto_increment_increment` / `auto_increment_offset`).
    fn writes_through_three_nodes_land_everywhere_with_their_keys() {
        const BATCHES: i32 = 20;
        const PER_BATCH: i32 = 5;
        let cluster = Cluster::new();
        MetaData::new()
            .with(Item::table().clone())
            .create_all(&cluster.engines[0])
            .unwrap();
        cluster.sync();
        let workers: Vec<_> = cluster
            .engines
            .iter()
            .enumerate()
            .map(|(node, engine)| {
                let engine = engine.clone();
                std::thread::spawn(move || {
                    let mut acked = Vec::new();
                    for b in 0..BATCHES {
                        let mut s = Session::new(&engine);
                        let handles: Vec<_> = (0..PER_BATCH)
                            .map(|k| {
                                let seq = b * PER_BATCH + k;
                                s.add(Item {
                                    id: None,
                                    node: node as i32,
                                    seq,
                                    label: format!("n{node}-s{seq}"),
                                })
                            })
                            .collect();
                        s.commit()
                            .unwrap_or_else(|e| panic!("node {node}, batch {b}: {e}"));
                        for h in handles {
                            let g = h.read();
                            acked.push((g.id.expect("a key after commit"), g.label.clone()));
                        }
                    }
                    acked
                })
            })
            .collect();
        let acked: Vec<Vec<(i64, String)>> =
            workers.into_iter().map(|w| w.join().unwrap()).collect();
        let total: usize = acked.iter().map(Vec::len).sum();
        assert_eq!(total, (3 * BATCHES * PER_BATCH) as usize);

        let mut all: Vec<i64> = acked.iter().flatten().map(|(id, _)| *id).collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), total, "keys are distinct across nodes");
        let step = cluster.engines.len() as i64;
        let mut residues: Vec<i64> = acked
            .iter()
            .map(|keys| {
                let r = keys[0].0.rem_euclid(step);
                assert!(keys.iter().all(|(id, _)| id.rem_euclid(step) == r), "{keys:?}");
                r
            })
            .collect();
        residues.sort_unstable();
        residues.dedup();
        assert_eq!(residues.len(), cluster.engines.len(), "each node its own offset");

        for node in 0..cluster.engines.len() {
            let mut conn = cluster.causal(node);
            let rows: Vec<(i64, String)> = conn
                .query_as(text("SELECT id, label FROM g_items ORDER BY id"))
                .unwrap();
            assert_eq!(rows.len(), total, "node {node} holds every acknowledged row");
            let on_node: std::collections::HashMap<i64, String> = rows.into_iter().collect();
            for (id, label) in acked.iter().flatten() {
                assert_eq!(on_node.get(id), Some(label), "node {node}, key {id}");
            }
        }
    }
}

/// Runs `work` `per_thread` times on `threads_per_node` threads of each node, each a unit of
/// work under `transaction_with_retry_counted`; returns the retries counted.
fn through_every_node(
    cluster: &Cluster,
    threads_per_node: usize,
    per_thread: usize,
    work: fn(&mut Session) -> Result<()>,
) -> u64 {
    let retries = Arc::new(AtomicU64::new(0));
    let policy = RetryPolicy {
        max_attempts: 200,
        initial_backoff: std::time::Duration::from_micros(500),
        max_backoff: std::time::Duration::from_millis(50),
    };
    let workers: Vec<_> = cluster
        .engines
        .iter()
        .flat_map(|e| std::iter::repeat_n(e.clone(), threads_per_node))
        .enumerate()
        .map(|(t, engine)| {
            let retries = Arc::clone(&retries);
            std::thread::spawn(move || {
                let mut s = Session::new(&engine);
                for i in 0..per_thread {
                    let done: Retried<()> = s
                        .transaction_with_retry_counted(&policy, work)
                        .unwrap_or_else(|e| panic!("thread {t}, increment {i}: {e}"));
                    retries.fetch_add(u64::from(done.retries()), Ordering::Relaxed);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker panicked");
    }
    retries.load(Ordering::Relaxed)
}

fn counter_at_zero(cluster: &Cluster) {
    MetaData::new()
        .with(Counter::table().clone())
        .create_all(&cluster.engines[0])
        .unwrap();
    let mut s = Session::new(&cluster.engines[0]);
    s.add(Counter { id: 1, value: 0 });
    s.commit().unwrap();
    cluster.sync();
}

/// The counter's value on every node (causal reads), which must agree.
fn counter_everywhere(cluster: &Cluster) -> i64 {
    let values: Vec<i64> = (0..cluster.engines.len())
        .map(|i| cluster.scalar(i, "SELECT value FROM g_counters WHERE id = 1"))
        .collect();
    assert!(values.windows(2).all(|w| w[0] == w[1]), "{values:?}");
    values[0]
}

const THREADS_PER_NODE: usize = 2;
const INCREMENTS: usize = 50;

galera_test! {
    /// Read-modify-write of one row through the ORM on two threads per node: the row lock
    /// (`get_for_update`) orders the writers of one node, Galera's certification fails the
    /// later of two nodes' commits (error 1213, a retryable `Deadlock`), and the retry helper
    /// runs the unit again: exactly one increment per acknowledged unit, no error surfaced.
    fn read_modify_write_through_three_nodes_loses_nothing() {
        let cluster = Cluster::new();
        counter_at_zero(&cluster);
        let retries = through_every_node(&cluster, THREADS_PER_NODE, INCREMENTS, |s| {
            let c = s
                .get_for_update::<Counter>(1)?
                .ok_or_else(|| Error::new(ErrorKind::NoRow, "counter 1"))?;
            c.write().value += 1;
            Ok(())
        });
        let expected = (cluster.engines.len() * THREADS_PER_NODE * INCREMENTS) as i64;
        assert_eq!(counter_everywhere(&cluster), expected);
        eprintln!("galera read-modify-write: {expected} increments, {retries} retries");
        assert!(retries > 0, "three nodes writing one row conflict at least once");
    }
}

galera_test! {
    /// The set-based form, `UPDATE g_counters SET value = value + 1` through the session's
    /// bulk update on every node: certification conflicts retried, exact total.
    fn set_based_increments_through_three_nodes_lose_nothing() {
        let cluster = Cluster::new();
        counter_at_zero(&cluster);
        let retries = through_every_node(&cluster, THREADS_PER_NODE, INCREMENTS, |s| {
            let n = s.execute_bulk(
                update::<Counter>()
                    .filter(Counter::id.eq(1))
                    .set(Counter::value, Counter::value.add(1)),
            )?;
            assert_eq!(n, 1);
            Ok(())
        });
        let expected = (cluster.engines.len() * THREADS_PER_NODE * INCREMENTS) as i64;
        assert_eq!(counter_everywhere(&cluster), expected);
        eprintln!("galera set-based: {expected} increments, {retries} retries");
        assert!(retries > 0, "three nodes writing one row conflict at least once");
    }
}

galera_test! {
    /// Without the retry helper the conflict reaches the caller as a retryable `Deadlock`
    /// with Galera's code 1213: what the helper hides (and the 521 of 900).
    fn without_retry_a_certification_conflict_is_a_retryable_deadlock() {
        let cluster = Cluster::new();
        counter_at_zero(&cluster);
        // Two sessions on two nodes read the same row, then both write it: the later
        // COMMIT loses certification.
        let mut a = Session::new(&cluster.engines[0]);
        let mut b = Session::new(&cluster.engines[1]);
        let ca = a.get_for_update::<Counter>(1).unwrap().unwrap();
        let cb = b.get_for_update::<Counter>(1).unwrap().unwrap();
        ca.write().value += 1;
        cb.write().value += 1;
        a.commit().unwrap();
        let e = b.commit().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Deadlock, "{e}");
        assert_eq!(e.code(), Some("1213"), "{e}");
        assert!(e.is_retryable());
        assert!(cluster.engines[1].dialect().is_retryable(&e));
        assert_eq!(counter_everywhere(&cluster), 1);
    }
}
