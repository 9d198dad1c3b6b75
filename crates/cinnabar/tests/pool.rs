//! Pool settings: SQLAlchemy's defaults, recycling by age, and pre-ping on checkout,
//! against a real SQLite file (a TEMP table tells one connection from another).

use std::time::Duration;

use cinnabar::prelude::*;

fn engine(dir: &tempfile::TempDir, options: EngineOptions) -> Engine {
    let url = format!("sqlite:///{}", dir.path().join("pool.db").display());
    Engine::with_options(&url, options).unwrap()
}

fn has_marker(conn: &mut Connection) -> bool {
    let n: i64 = conn
        .scalar(text(
            "SELECT COUNT(*) FROM sqlite_temp_master WHERE name = 'marker'",
        ))
        .unwrap();
    n == 1
}

#[test]
fn defaults_are_sqlalchemys() {
    let o = EngineOptions::default();
    assert_eq!(o.pool.size, 5);
    assert_eq!(o.pool.max_overflow, 10);
    assert_eq!(o.pool.timeout, Duration::from_secs(30));
    assert_eq!(o.pool.recycle, None);
    assert!(!o.pool.pre_ping);
}

#[test]
fn an_idle_connection_is_reused() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(&dir, EngineOptions::new().pool_size(1).max_overflow(0));
    {
        let mut c = e.connect().unwrap();
        c.execute_script("CREATE TEMP TABLE marker (x INTEGER)")
            .unwrap();
    }
    let mut c = e.connect().unwrap();
    assert!(has_marker(&mut c), "the same connection came back");
}

#[test]
fn connections_older_than_recycle_are_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(
        &dir,
        EngineOptions::new()
            .pool_size(1)
            .max_overflow(0)
            .pool_recycle(Duration::from_millis(50)),
    );
    {
        let mut c = e.connect().unwrap();
        c.execute_script("CREATE TEMP TABLE marker (x INTEGER)")
            .unwrap();
    }
    std::thread::sleep(Duration::from_millis(120));
    let mut c = e.connect().unwrap();
    assert!(!has_marker(&mut c), "a recycled connection is a new one");
    assert_eq!(e.pool_status().open, 1);
}

#[test]
fn pre_ping_keeps_healthy_connections() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(
        &dir,
        EngineOptions::new()
            .pool_size(1)
            .max_overflow(0)
            .pool_pre_ping(true),
    );
    {
        let mut c = e.connect().unwrap();
        c.execute_script("CREATE TEMP TABLE marker (x INTEGER)")
            .unwrap();
    }
    let mut c = e.connect().unwrap();
    assert!(
        has_marker(&mut c),
        "a connection that answers the ping is kept"
    );
}
