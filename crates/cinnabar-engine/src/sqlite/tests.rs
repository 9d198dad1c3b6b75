//! Tests of the driver as a whole: statements, the in-memory database, WAL at connect.

use super::*;
use crate::row::Row;
use cinnabar_core::ValueRef;

#[test]
fn a_cached_select_star_sees_a_column_added_after_it_was_prepared() {
    let d = SqliteDriver::new(None, false, SqliteOptions::default());
    let mut c = d.connect().unwrap();
    c.batch("CREATE TABLE t (x INTEGER); INSERT INTO t (x) VALUES (1)")
        .unwrap();
    let mut widths = Vec::new();
    let mut select = |c: &mut Box<dyn DriverConnection>| {
        c.run(
            "SELECT * FROM t",
            &[],
            Some(&mut |row: &dyn Row| {
                widths.push(row.len());
                Ok(())
            }),
        )
        .unwrap();
    };
    select(&mut c);
    c.batch("ALTER TABLE t ADD COLUMN y TEXT").unwrap();
    select(&mut c);
    assert_eq!(widths, [1, 2]);
}

#[test]
fn connections_opening_a_new_file_at_once_all_get_wal_mode() {
    // Several processes starting on a new database file all switch it to WAL at once;
    // SQLite answers some of them BUSY without calling the busy handler (each holds the
    // shared lock the other needs to give up: a deadlock it refuses to wait in).
    let dir = tempfile::tempdir().unwrap();
    for round in 0..20 {
        let path = dir
            .path()
            .join(format!("fresh{round}.db"))
            .display()
            .to_string();
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(6));
        let threads: Vec<_> = (0..6)
            .map(|_| {
                let (path, barrier) = (path.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let d = SqliteDriver::new(Some(path), false, SqliteOptions::default());
                    barrier.wait();
                    d.connect().map(|_| ())
                })
            })
            .collect();
        for t in threads {
            if let Err(e) = t.join().unwrap() {
                panic!("round {round}: {e}");
            }
        }
    }
}

#[test]
fn memory_driver_forces_one_connection() {
    let d = SqliteDriver::new(None, false, SqliteOptions::default());
    assert_eq!(d.forced_pool_limits(), Some((1, 0)));
    let mut c = d.connect().unwrap();
    c.batch("CREATE TABLE t (x INTEGER)").unwrap();
    let n = c
        .run(
            "INSERT INTO t (x) VALUES (?), (?)",
            &[ValueRef::Int(1), ValueRef::Int(2)],
            None,
        )
        .unwrap();
    assert_eq!(n, 2);
    let mut seen = Vec::new();
    c.run(
        "SELECT x FROM t ORDER BY x",
        &[],
        Some(&mut |r: &dyn Row| {
            seen.push(r.value(0)?.to_owned_value());
            Ok(())
        }),
    )
    .unwrap();
    assert_eq!(seen.len(), 2);
    let e = c.run("SELECT ?", &[], None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse);
}
