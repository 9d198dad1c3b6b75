//! Migrations on Galera: `GET_LOCK` is granted by two nodes at once, so the migration lock
//! is a lock table's row there; two migrators on two nodes apply each revision once, and a
//! held row stops a run with a message naming its holder and how to remove it.

use cinnabar::migrate::{EmbeddedMigrations, Migrator};
use cinnabar::prelude::*;

use super::{galera_test, Cluster};

static MIGRATIONS: EmbeddedMigrations = cinnabar::embed_migrations!("examples/migrations");

galera_test! {
    /// Why the named lock cannot serve: two nodes grant the same `GET_LOCK` at once.
    fn get_lock_is_local_to_a_node() {
        let cluster = Cluster::new();
        let mut a = cluster.engines[0].connect().unwrap();
        let mut b = cluster.engines[1].connect().unwrap();
        let sql = "SELECT GET_LOCK('cinnabar_galera_test', 0)";
        let got_a: i64 = a.scalar(text(sql)).unwrap();
        let got_b: i64 = b.scalar(text(sql)).unwrap();
        assert_eq!((got_a, got_b), (1, 1), "both nodes granted the same lock");
        let _: Option<i64> = a.scalar(text("SELECT RELEASE_LOCK('cinnabar_galera_test')")).unwrap();
        let _: Option<i64> = b.scalar(text("SELECT RELEASE_LOCK('cinnabar_galera_test')")).unwrap();
    }
}

galera_test! {
    /// Two migrators started at once on two nodes: each revision applied once, the version
    /// table the same on every node, no lock row left.
    fn migrators_on_two_nodes_apply_each_revision_once() {
        let cluster = Cluster::new();
        let applied: Vec<Vec<String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = cluster.engines[..2]
                .iter()
                .map(|engine| {
                    scope.spawn(move || {
                        Migrator::from_embedded(engine, &MIGRATIONS)
                            .unwrap()
                            .upgrade("head")
                            .unwrap()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let all: Vec<String> = applied.iter().flatten().cloned().collect();
        let mut distinct = all.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), all.len(), "a revision applied twice: {applied:?}");
        assert_eq!(all.len(), 3, "{applied:?}");
        for node in 0..cluster.engines.len() {
            assert_eq!(
                cluster.scalar(node, "SELECT COUNT(*) FROM cinnabar_migrations WHERE complete"),
                3,
                "node {node}"
            );
            assert_eq!(
                cluster.scalar(node, "SELECT COUNT(*) FROM cinnabar_migrations_lock"),
                0,
                "node {node}: the lock row is gone"
            );
        }
    }
}

galera_test! {
    /// A lock row left by another run (here inserted through node 1) stops a migrator on
    /// node 2 after its wait, naming the holder and the DELETE that removes a dead one's row.
    fn a_held_lock_row_stops_a_run_on_another_node() {
        let cluster = Cluster::new();
        let first = Migrator::from_embedded(&cluster.engines[0], &MIGRATIONS).unwrap();
        let ids: Vec<String> = first.dir().revisions().iter().map(|r| r.id.clone()).collect();
        first.upgrade(&ids[0]).unwrap();
        let mut c = cluster.engines[0].connect().unwrap();
        c.execute(
            text(
                "INSERT INTO cinnabar_migrations_lock (name, holder, acquired_at) \
                 VALUES ('cinnabar_migrations', 'process 4242 on elsewhere', 'then')",
            ),
        )
        .unwrap();
        cluster.sync();
        let second = Migrator::from_embedded(&cluster.engines[1], &MIGRATIONS)
            .unwrap()
            .lock_wait(std::time::Duration::from_millis(800));
        let e = second.upgrade("head").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Busy, "{e}");
        assert!(e.message().contains("process 4242 on elsewhere since then"), "{e}");
        assert!(
            e.message().contains("DELETE FROM cinnabar_migrations_lock WHERE name = 'cinnabar_migrations'"),
            "{e}"
        );
        assert_eq!(cluster.scalar(1, "SELECT COUNT(*) FROM cinnabar_migrations"), 1);
        c.execute(text("DELETE FROM cinnabar_migrations_lock")).unwrap();
        assert_eq!(second.upgrade("head").unwrap().len(), 2);
    }
}
