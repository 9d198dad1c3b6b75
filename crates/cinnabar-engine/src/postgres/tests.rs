//! Tests of the driver as a whole: URL settings, connection errors, and the statement cache
//! and transaction tracking against the test server.

use super::*;
use crate::row::Row;

#[test]
fn urls_configure_the_driver() {
    let url = Url::parse(
        "postgresql://bob:hunter2@db.example:5433/app?sslmode=prefer&application_name=x&search_path=a,%22b%22",
    )
    .unwrap();
    let d = PostgresDriver::from_url(&url).unwrap();
    assert_eq!(d.target, "db.example:5433/app");
    assert_eq!(
        d.search_path,
        Some(vec!["a".to_owned(), "\"b\"".to_owned()])
    );
    assert!(!format!("{d:?}").contains("hunter2"));
    // The search_path schemas are quoted by the dialect, inner quotes doubled.
    let mut quoted = String::new();
    DIALECT.quote_identifier(&mut quoted, "\"b\"");
    assert_eq!(quoted, "\"\"\"b\"\"\"");

    let d = PostgresDriver::from_url(&Url::parse("postgresql:///app").unwrap()).unwrap();
    assert_eq!(d.target, "localhost:5432/app");
    let d = PostgresDriver::from_url(
        &Url::parse("postgresql://u@/app?host=/var/run/postgresql").unwrap(),
    )
    .unwrap();
    assert_eq!(d.target, "/var/run/postgresql:5432/app");

    let e = PostgresDriver::from_url(
        &Url::parse("postgresql://u:hunter2@h/db?sslmode=require").unwrap(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(e.message().contains("TLS is not compiled in"), "{e}");
    // Transaction pooling: a driver setting the engine reports; statement pooling refused.
    let pooled =
        |q: &str| PostgresDriver::from_url(&Url::parse(&format!("postgresql://h/db?{q}")).unwrap());
    assert!(pooled("pgbouncer=transaction")
        .unwrap()
        .transaction_pooled());
    assert!(!pooled("pgbouncer=session").unwrap().transaction_pooled());
    assert!(!pooled("pgbouncer=off").unwrap().transaction_pooled());
    assert!(!pooled("sslmode=disable").unwrap().transaction_pooled());
    let e = pooled("pgbouncer=statement").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(e.message().contains("pool_mode = transaction"), "{e}");
    for bad in [
        "pgbouncer=yes",
        "sslmode=bogus",
        "frobnicate=1",
        "connect_timeout=x",
        "search_path=",
    ] {
        let url = Url::parse(&format!("postgresql://h/db?{bad}")).unwrap();
        let e = PostgresDriver::from_url(&url).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Url, "{bad}: {e}");
    }
}

#[test]
fn unreachable_server_is_a_connection_error_without_the_password() {
    let url = Url::parse("postgresql://bob:hunter2@127.0.0.1:1/nodb?connect_timeout=5").unwrap();
    let d = PostgresDriver::from_url(&url).unwrap();
    let e = d.connect().err().expect("port 1 should refuse connections");
    assert_eq!(e.kind(), ErrorKind::Connection);
    let shown = format!("{e} {e:?}");
    assert!(shown.contains("127.0.0.1:1/nodb"), "{shown}");
    assert!(shown.contains("bob"), "{shown}");
    assert!(!shown.contains("hunter2"), "{shown}");
}

/// A driver for the test server. Panics when none is configured: the tests calling this
/// are ignored unless `CINNABAR_TEST_POSTGRES` was set when they were built (`build.rs`).
fn test_driver(test: &str) -> PostgresDriver {
    let url = match std::env::var("CINNABAR_TEST_POSTGRES") {
        Ok(u) if !u.trim().is_empty() => u,
        _ => panic!("CINNABAR_TEST_POSTGRES is not set: PostgreSQL test {test} cannot run"),
    };
    let url = Url::parse(&url).expect("CINNABAR_TEST_POSTGRES is not a database URL");
    PostgresDriver::from_url(&url).expect("driver")
}

fn int_of(c: &mut PostgresConnection, sql: &str) -> i64 {
    let mut out = None;
    c.run(
        sql,
        &[],
        Some(&mut |r: &dyn Row| {
            out = Some(r.value(0)?.to_owned_value());
            Ok(())
        }),
    )
    .unwrap();
    match out {
        Some(cinnabar_core::Value::Int(i)) => i,
        other => panic!("{sql} gave {other:?}"),
    }
}

#[test]
#[cfg_attr(
    not(cinnabar_test_postgres),
    ignore = "CINNABAR_TEST_POSTGRES is not set"
)]
fn statement_cache_is_bounded_and_transactions_are_tracked() {
    let d = test_driver("statement_cache_is_bounded_and_transactions_are_tracked");
    let mut c = d
        .open()
        .unwrap_or_else(|e| panic!("CINNABAR_TEST_POSTGRES is set but unusable: {e}"));
    for i in 0..STATEMENT_CACHE + 50 {
        c.run(&format!("SELECT {i}"), &[], None).unwrap();
    }
    assert_eq!(c.cache.len(), STATEMENT_CACHE);
    let on_server = int_of(&mut c, "SELECT count(*) FROM pg_prepared_statements");
    assert!(
        on_server as usize <= STATEMENT_CACHE + 1,
        "{on_server} statements kept on the server"
    );

    assert!(!c.in_transaction());
    c.run("BEGIN", &[], None).unwrap();
    assert!(c.in_transaction());
    assert_eq!(int_of(&mut c, "SELECT 1"), 1);
    c.run("COMMIT", &[], None).unwrap();
    assert!(!c.in_transaction());
    c.batch("START TRANSACTION; SAVEPOINT a; SELECT 1; ROLLBACK TO SAVEPOINT a")
        .unwrap();
    assert!(c.in_transaction());
    c.batch("ROLLBACK").unwrap();
    assert!(!c.in_transaction());
    assert!(c.ping().is_ok());
    assert!(!c.is_broken());
    assert_eq!(c.last_insert_id(), None);
}
