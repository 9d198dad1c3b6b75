//! The PostgreSQL driver against a real server.
//!
//! Set `CINNABAR_TEST_POSTGRES` (e.g. `postgresql://postgres@127.0.0.1:5432/test`) to run
//! these; unset when the tests are built (the cfg `cinnabar_test_postgres` comes from
//! `build.rs`), each server test is reported `ignored` ("CINNABAR_TEST_POSTGRES is not set"),
//! and without the `postgres` feature every test is ("the `postgres` feature is off"). When it
//! is set, an unreachable server fails every test; under CI (`CI=true`)
//! `ci_runs_the_postgres_tests` fails when the variable or the feature is missing. Each test
//! works in its own schema (`cinnabar_t_<random>`, dropped at the end), so the tests run in
//! parallel.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cinnabar_core::schema::{Column, ForeignKey, MetaData, Table};
use cinnabar_core::sql::{text, CreateTable, Insert, OnConflict};
use cinnabar_core::types::SqlType;
use cinnabar_core::{Error, ErrorKind, Value, ValueRef};
use cinnabar_engine::{create_engine, Connection, Engine, EngineOptions, MetaDataExt, Row};

const ENV: &str = "CINNABAR_TEST_POSTGRES";

/// Under CI (`CI=true` or `CI=1`) these tests must run: the variable set (now and when they
/// were built) and the `postgres` feature on. Locally it checks nothing.
#[test]
fn ci_runs_the_postgres_tests() {
    let ci = std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
    if ci {
        assert!(
            std::env::var(ENV).is_ok_and(|v| !v.trim().is_empty()) && cfg!(cinnabar_test_postgres),
            "CI is set but {ENV} is not (or was not when the tests were built)"
        );
        if !cfg!(feature = "postgres") {
            panic!("CI is set but the `postgres` feature is off (run with --all-features)");
        }
    }
}

/// A schema of its own on the test server; dropped (with everything in it) on drop.
struct TestDb {
    admin: Engine,
    /// The configured URL, without this test's schema.
    base: String,
    schema: String,
    url: String,
}

impl TestDb {
    /// Panics when the variable is unset (the calling tests are ignored unless it was set
    /// when they were built) or the server is unreachable: a configured test database that
    /// does not answer is a failure.
    fn new(test: &str) -> TestDb {
        let base = match std::env::var(ENV) {
            Ok(u) if !u.trim().is_empty() => u,
            _ => panic!("{ENV} is not set: PostgreSQL test {test} cannot run"),
        };
        let admin = create_engine(&base)
            .unwrap_or_else(|e| panic!("{ENV} is not a usable database URL: {e}"));
        let mut conn = admin.connect().unwrap_or_else(|e| {
            panic!(
                "{ENV} is set but the PostgreSQL server at {} is unreachable: {e}",
                admin.url()
            )
        });
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let schema = format!(
            "cinnabar_t_{}_{}_{}",
            std::process::id(),
            nanos,
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        conn.execute_script(&format!("CREATE SCHEMA {schema}"))
            .unwrap_or_else(|e| panic!("cannot create test schema {schema}: {e}"));
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}search_path={schema}");
        TestDb {
            admin,
            base,
            schema,
            url,
        }
    }

    fn engine(&self) -> Engine {
        create_engine(&self.url).expect("test engine")
    }

    fn engine_with(&self, options: EngineOptions) -> Engine {
        Engine::with_options(&self.url, options).expect("test engine")
    }

    fn connect(&self) -> Connection {
        self.engine().connect().expect("test connection")
    }

    /// Terminates the backend `pid` from the admin connection and waits until it is gone.
    fn kill(&self, pid: i64) {
        let mut admin = self.admin.connect().expect("admin connection");
        let killed = query(
            &mut admin,
            "SELECT pg_terminate_backend($1)",
            &[ValueRef::Int(pid)],
        );
        assert_eq!(
            killed[0][0],
            Value::Bool(true),
            "backend {pid} was not terminated"
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let n = query(
                &mut admin,
                "SELECT count(*) FROM pg_stat_activity WHERE pid = $1",
                &[ValueRef::Int(pid)],
            );
            if n[0][0] == Value::Int(0) {
                return;
            }
            assert!(Instant::now() < deadline, "backend {pid} did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self.admin.connect() {
            Ok(mut c) => {
                if let Err(e) =
                    c.execute_script(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema))
                {
                    eprintln!("could not drop test schema {}: {e}", self.schema);
                }
            }
            Err(e) => eprintln!("could not drop test schema {}: {e}", self.schema),
        }
    }
}

fn try_query(
    conn: &mut Connection,
    sql: &str,
    params: &[ValueRef<'_>],
) -> Result<Vec<Vec<Value>>, Error> {
    let mut out = Vec::new();
    conn.run(
        sql,
        params,
        Some(&mut |row: &dyn Row| {
            let values = (0..row.len())
                .map(|i| row.value(i).map(ValueRef::to_owned_value))
                .collect::<Result<Vec<_>, _>>()?;
            out.push(values);
            Ok(())
        }),
    )?;
    Ok(out)
}

fn query(conn: &mut Connection, sql: &str, params: &[ValueRef<'_>]) -> Vec<Vec<Value>> {
    try_query(conn, sql, params).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn exec(conn: &mut Connection, sql: &str, params: &[ValueRef<'_>]) -> u64 {
    conn.run(sql, params, None)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn count(conn: &mut Connection, table: &str) -> i64 {
    match query(conn, &format!("SELECT count(*) FROM {table}"), &[])[0][0] {
        Value::Int(n) => n,
        ref other => panic!("count(*) gave {other:?}"),
    }
}

fn backend_pid(conn: &mut Connection) -> i64 {
    match query(conn, "SELECT pg_backend_pid()", &[])[0][0] {
        Value::Int(n) => n,
        ref other => panic!("pg_backend_pid() gave {other:?}"),
    }
}

#[test]
#[cfg_attr(not(feature = "postgres"), ignore = "the `postgres` feature is off")]
#[cfg_attr(
    all(feature = "postgres", not(cinnabar_test_postgres)),
    ignore = "CINNABAR_TEST_POSTGRES is not set"
)]
fn connects_through_the_engine_into_its_own_schema() {
    let db = TestDb::new("connects_through_the_engine_into_its_own_schema");
    let engine = db.engine();
    assert_eq!(engine.dialect().name(), "postgresql");
    let mut conn = engine.connect().unwrap();
    let rows = query(&mut conn, "SELECT current_schema(), 1 + 1", &[]);
    assert_eq!(
        rows,
        vec![vec![Value::Text(db.schema.clone()), Value::Int(2)]]
    );
    assert_eq!(conn.last_insert_id(), None);
    drop(conn);

    // The libpq-style startup option sets the search path too.
    let sep = if db.base.contains('?') { '&' } else { '?' };
    let with_options = format!(
        "{}{sep}options=-c%20search_path%3D{}&application_name=cinnabar_test",
        db.base, db.schema
    );
    let mut conn = create_engine(&with_options).unwrap().connect().unwrap();
    let rows = query(
        &mut conn,
        "SELECT current_schema(), current_setting('application_name')",
        &[],
    );
    assert_eq!(
        rows,
        vec![vec![
            Value::Text(db.schema.clone()),
            Value::Text("cinnabar_test".into())
        ]]
    );
    drop(conn);

    let engine = db.engine_with(EngineOptions::new().pool_size(2).pool_pre_ping(true));
    let mut conn = engine.connect().unwrap();
    let n: i64 = conn
        .execute(text("SELECT :a::bigint * 2").bind("a", 21i64))
        .unwrap()
        .scalar()
        .unwrap();
    assert_eq!(n, 42);
    assert_eq!(engine.pool_status().open, 1);
}

#[test]
#[cfg_attr(not(feature = "postgres"), ignore = "the `postgres` feature is off")]
#[cfg_attr(
    all(feature = "postgres", not(cinnabar_test_postgres)),
    ignore = "CINNABAR_TEST_POSTGRES is not set"
)]
fn search_path_quotes_schema_names() {
    let db = TestDb::new("search_path_quotes_schema_names");
    // A schema name that only works quoted: a space, a double quote, upper case.
    let weird = format!("{} We\"ird", db.schema);
    let quoted = format!("\"{}\"", weird.replace('"', "\"\""));
    /// Drops the extra schema even when an assertion fails.
    struct DropSchema<'a>(&'a TestDb, String);
    impl Drop for DropSchema<'_> {
        fn drop(&mut self) {
            if let Ok(mut c) = self.0.admin.connect() {
                let _ = c.execute_script(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.1));
            }
        }
    }
    let mut admin = db.admin.connect().unwrap();
    admin
        .execute_script(&format!("CREATE SCHEMA {quoted}"))
        .unwrap();
    let _guard = DropSchema(&db, quoted.clone());
    let encoded = weird.replace(' ', "%20").replace('"', "%22");
    let sep = if db.base.contains('?') { '&' } else { '?' };
    let url = format!("{}{sep}search_path={encoded},{}", db.base, db.schema);
    let mut conn = create_engine(&url).unwrap().connect().unwrap();
    assert_eq!(
        query(&mut conn, "SELECT current_schema()", &[]),
        vec![vec![Value::Text(weird.clone())]]
    );
    assert_eq!(
        query(&mut conn, "SHOW search_path", &[]),
        vec![vec![Value::Text(format!("{quoted}, {}", db.schema))]]
    );
    // An unqualified CREATE TABLE lands in the first schema; names resolve through both.
    exec(&mut conn, "CREATE TABLE sp_first (x INT)", &[]);
    exec(
        &mut admin,
        &format!("CREATE TABLE {}.sp_second (y INT)", db.schema),
        &[],
    );
    assert_eq!(
        query(
            &mut conn,
            "SELECT table_schema FROM information_schema.tables WHERE table_name = 'sp_first'",
            &[]
        ),
        vec![vec![Value::Text(weird.clone())]]
    );
    assert_eq!(count(&mut conn, "sp_second"), 0);
}

#[test]
#[cfg_attr(not(feature = "postgres"), ignore = "the `postgres` feature is off")]
#[cfg_attr(
    all(feature = "postgres", not(cinnabar_test_postgres)),
    ignore = "CINNABAR_TEST_POSTGRES is not set"
)]
fn scalar_values_round_trip() {
    let db = TestDb::new("scalar_values_round_trip");
    let mut conn = db.connect();
    conn.execute_script(
        "CREATE TABLE vals (id BIGINT PRIMARY KEY, i2 SMALLINT, i4 INTEGER, i8 BIGINT, \
         f4 REAL, f8 DOUBLE PRECISION, b BOOLEAN, t TEXT, vc VARCHAR(40), bp CHAR(4), by BYTEA)",
    )
    .unwrap();
    let unicode = "héllo wörld — 日本語 🦀 'quoted' \"double\" back\\slash\nnew line";
    let all_bytes: Vec<u8> = (0..=255).collect();
    let insert = "INSERT INTO vals (id, i2, i4, i8, f4, f8, b, t, vc, bp, by) \
                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    let rows: Vec<Vec<ValueRef<'_>>> = vec![
        vec![
            ValueRef::Int(1),
            ValueRef::Int(i16::MIN.into()),
            ValueRef::Int(i32::MAX.into()),
            ValueRef::Int(i64::MIN),
            ValueRef::Real(1.5),
            ValueRef::Real(-2.5e300),
            ValueRef::Bool(true),
            ValueRef::Text(unicode),
            ValueRef::Text("ünïcödé"),
            ValueRef::Text("ab"),
            ValueRef::Blob(&all_bytes),
        ],
        vec![
            ValueRef::Int(2),
            ValueRef::Int(i16::MAX.into()),
            ValueRef::Int(i32::MIN.into()),
            ValueRef::Int(i64::MAX),
            // An Int is accepted for a float parameter, a 0/1 Int for a boolean.
            ValueRef::Int(3),
            ValueRef::Real(f64::INFINITY),
            ValueRef::Int(0),
            ValueRef::Text(""),
            ValueRef::Text(""),
            ValueRef::Text("abcd"),
            ValueRef::Blob(&[]),
        ],
        vec![
            ValueRef::Int(3),
            ValueRef::Null,
            ValueRef::Null,
            ValueRef::Null,
            ValueRef::Null,
            ValueRef::Null,
            ValueRef::Null,
            ValueRef::Null,
            ValueRef::Null,
            ValueRef::Null,
            ValueRef::Null,
        ],
    ];
    for r in &rows {
        assert_eq!(exec(&mut conn, insert, r), 1);
    }
    let got = query(
        &mut conn,
        "SELECT id, i2, i4, i8, f4, f8, b, t, vc, bp, by FROM vals ORDER BY id",
        &[],
    );
    let expected: Vec<Vec<Value>> = vec![
        vec![
            Value::Int(1),
            Value::Int(i16::MIN.into()),
            Value::Int(i32::MAX.into()),
            Value::Int(i64::MIN),
            Value::Real(1.5),
            Value::Real(-2.5e300),
            Value::Bool(true),
            Value::Text(unicode.into()),
            Value::Text("ünïcödé".into()),
            Value::Text("ab  ".into()),
            Value::Blob(all_bytes.clone()),
        ],
        vec![
            Value::Int(2),
            Value::Int(i16::MAX.into()),
            Value::Int(i32::MIN.into()),
            Value::Int(i64::MAX),
            Value::Real(3.0),
            Value::Real(f64::INFINITY),
            Value::Bool(false),
            Value::Text(String::new()),
            Value::Text(String::new()),
            Value::Text("abcd".into()),
            Value::Blob(Vec::new()),
        ],
        std::iter::once(Value::Int(3))
            .chain(vec![Value::Null; 10])
            .collect(),
    ];
    assert_eq!(got, expected);

    // The same through Rows and FromSql.
    let rows = conn
        .execute(text("SELECT i8, t, by FROM vals WHERE id = :id").bind("id", 1i64))
        .unwrap();
    assert_eq!(rows.columns(), ["i8", "t", "by"]);
    let row = rows.one().unwrap();
    assert_eq!(row.get::<i64>("i8").unwrap(), i64::MIN);
    assert_eq!(row.get::<String>("t").unwrap(), unicode);
    assert_eq!(row.get::<Vec<u8>>("by").unwrap(), all_bytes);

    // Expressions the server types: literals, text-typed parameters, NULL of any type.
    let got = query(
        &mut conn,
        "SELECT 'x'::name, $1::text, NULL::int, 7::oid, true, 2.5::float4, 'a'::\"char\"",
        &[ValueRef::Text("param")],
    );
    assert_eq!(
        got[0],
        vec![
            Value::Text("x".into()),
            Value::Text("param".into()),
            Value::Null,
            Value::Int(7),
            Value::Bool(true),
            Value::Real(2.5),
            Value::Text("a".into()),
        ]
    );
}

#[test]
#[cfg_attr(not(feature = "postgres"), ignore = "the `postgres` feature is off")]
#[cfg_attr(
    all(feature = "postgres", not(cinnabar_test_postgres)),
    ignore = "CINNABAR_TEST_POSTGRES is not set"
)]
fn bad_parameters_are_reported_clearly() {
    let db = TestDb::new("bad_parameters_are_reported_clearly");
    let mut conn = db.connect();
    conn.execute_script(
        "CREATE TABLE p (id INTEGER PRIMARY KEY, s SMALLINT, t TEXT, b BOOLEAN, a INET)",
    )
    .unwrap();
    let e = conn
        .run(
            "INSERT INTO p (id, s) VALUES ($1, $2)",
            &[ValueRef::Int(1), ValueRef::Int(40_000)],
            None,
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
    assert!(
        e.message().contains("$2") && e.message().contains("int2"),
        "{e}"
    );
    assert!(e.message().contains("out of range"), "{e}");

    let e = conn
        .run(
            "INSERT INTO p (id, t) VALUES ($1, $2)",
            &[ValueRef::Int(1), ValueRef::Int(5)],
            None,
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
    assert!(
        e.message().contains("$2") && e.message().contains("text"),
        "{e}"
    );

    let e = conn
        .run(
            "INSERT INTO p (id) VALUES ($1)",
            &[ValueRef::Int(i64::MAX)],
            None,
        )
        .unwrap_err();
    assert!(
        e.message().contains("$1") && e.message().contains("int4"),
        "{e}"
    );

    let e = conn
        .run(
            "INSERT INTO p (id, b) VALUES ($1, $2)",
            &[ValueRef::Int(1), ValueRef::Int(2)],
            None,
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");

    let e = conn
        .run(
            "INSERT INTO p (id, a) VALUES ($1, $2)",
            &[ValueRef::Int(1), ValueRef::Text("10.0.0.1")],
            None,
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
    assert!(e.message().contains("$2::text::inet"), "{e}");
    exec(
        &mut conn,
        "INSERT INTO p (id, a) VALUES ($1, $2::text::inet)",
        &[ValueRef::Int(1), ValueRef::Text("10.0.0.1")],
    );

    // Unreadable column types name the column and the type; a cast fixes it.
    let e = try_query(&mut conn, "SELECT a FROM p", &[]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
    assert!(
        e.message().contains("\"a\"") && e.message().contains("inet"),
        "{e}"
    );
    assert_eq!(
        query(&mut conn, "SELECT a::text FROM p", &[])[0][0],
        Value::Text("10.0.0.1/32".into())
    );

    let e = conn.run("SELECT $1::int", &[], None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");

    let e = conn.run("SELEC 1", &[], None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Database, "{e}");
    assert_eq!(e.code(), Some("42601"));
    assert_eq!(e.sql(), Some("SELEC 1"));

    // None of that broke the connection.
    assert_eq!(query(&mut conn, "SELECT 1", &[]), vec![vec![Value::Int(1)]]);
    assert!(!conn.in_transaction());
}

#[test]
#[cfg_attr(not(feature = "postgres"), ignore = "the `postgres` feature is off")]
#[cfg_attr(
    all(feature = "postgres", not(cinnabar_test_postgres)),
    ignore = "CINNABAR_TEST_POSTGRES is not set"
)]
fn constraint_violations_map_to_kinds_with_names() {
    let db = TestDb::new("constraint_violations_map_to_kinds_with_names");
    let mut conn = db.connect();
    conn.execute_script(
        "CREATE TABLE parent (id INTEGER PRIMARY KEY);
         CREATE TABLE child (
             id INTEGER CONSTRAINT child_pk PRIMARY KEY,
             parent_id INTEGER CONSTRAINT child_parent_fk REFERENCES parent (id),
             email TEXT CONSTRAINT child_email_key UNIQUE,
             age INTEGER CONSTRAINT child_age_check CHECK (age >= 0),
             name TEXT NOT NULL);
         CREATE DOMAIN positive AS INTEGER CONSTRAINT positive_check CHECK (VALUE > 0);
         CREATE TABLE dom (v positive);
         INSERT INTO parent VALUES (1);",
    )
    .unwrap();
    let insert = "INSERT INTO child (id, parent_id, email, age, name) VALUES ($1, $2, $3, $4, $5)";
    exec(
        &mut conn,
        insert,
        &[
            ValueRef::Int(1),
            ValueRef::Int(1),
            ValueRef::Text("secret@example.com"),
            ValueRef::Int(3),
            ValueRef::Text("a"),
        ],
    );
    let cases: Vec<(Vec<ValueRef<'_>>, ErrorKind, &str, &str)> = vec![
        (
            vec![
                ValueRef::Int(2),
                ValueRef::Int(1),
                ValueRef::Text("secret@example.com"),
                ValueRef::Int(3),
                ValueRef::Text("b"),
            ],
            ErrorKind::UniqueViolation,
            "child_email_key",
            "23505",
        ),
        (
            vec![
                ValueRef::Int(1),
                ValueRef::Int(1),
                ValueRef::Text("x@example.com"),
                ValueRef::Int(3),
                ValueRef::Text("b"),
            ],
            ErrorKind::UniqueViolation,
            "child_pk",
            "23505",
        ),
        (
            vec![
                ValueRef::Int(2),
                ValueRef::Int(99),
                ValueRef::Text("y@example.com"),
                ValueRef::Int(3),
                ValueRef::Text("b"),
            ],
            ErrorKind::ForeignKeyViolation,
            "child_parent_fk",
            "23503",
        ),
        (
            vec![
                ValueRef::Int(2),
                ValueRef::Int(1),
                ValueRef::Text("z@example.com"),
                ValueRef::Int(-1),
                ValueRef::Text("b"),
            ],
            ErrorKind::CheckViolation,
            "child_age_check",
            "23514",
        ),
        (
            vec![
                ValueRef::Int(2),
                ValueRef::Int(1),
                ValueRef::Text("w@example.com"),
                ValueRef::Int(1),
                ValueRef::Null,
            ],
            ErrorKind::NotNullViolation,
            "child.name",
            "23502",
        ),
    ];
    for (params, kind, constraint, code) in cases {
        let e = conn.run(insert, &params, None).unwrap_err();
        assert_eq!(e.kind(), kind, "{e}");
        assert!(e.is_integrity());
        assert_eq!(e.constraint(), Some(constraint), "{e}");
        assert_eq!(e.code(), Some(code), "{e}");
        assert!(e.message().contains("child"), "the table is named: {e}");
        // Row values (PostgreSQL's DETAIL) stay out of the error.
        assert!(!e.to_string().contains("secret@example.com"), "{e}");
    }
    let e = conn.run("DELETE FROM parent", &[], None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ForeignKeyViolation, "{e}");
    assert_eq!(e.constraint(), Some("child_parent_fk"));

    let e = conn
        .run("INSERT INTO dom VALUES ($1)", &[ValueRef::Int(0)], None)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::CheckViolation, "{e}");
    assert_eq!(e.constraint(), Some("positive_check"));
    exec(
        &mut conn,
        "INSERT INTO dom VALUES ($1)",
        &[ValueRef::Int(5)],
    );
    assert_eq!(
        query(&mut conn, "SELECT v FROM dom", &[]),
        vec![vec![Value::Int(5)]]
    );

    // In a transaction a violation aborts it until a savepoint or the transaction rolls back.
    let mut tx = conn.begin().unwrap();
    {
        let mut sp = tx.begin().unwrap();
        let e = sp
            .run(
                insert,
                &[
                    ValueRef::Int(1),
                    ValueRef::Int(1),
                    ValueRef::Text("q"),
                    ValueRef::Int(1),
                    ValueRef::Text("c"),
                ],
                None,
            )
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UniqueViolation);
        sp.rollback().unwrap();
    }
    exec(
        &mut tx,
        insert,
        &[
            ValueRef::Int(5),
            ValueRef::Int(1),
            ValueRef::Text("five@example.com"),
            ValueRef::Int(5),
            ValueRef::Text("e"),
        ],
    );
    tx.commit().unwrap();
    assert_eq!(count(&mut conn, "child"), 2);
}

#[test]
#[cfg_attr(not(feature = "postgres"), ignore = "the `postgres` feature is off")]
#[cfg_attr(
    all(feature = "postgres", not(cinnabar_test_postgres)),
    ignore = "CINNABAR_TEST_POSTGRES is not set"
)]
fn transactions_and_savepoints() {
    let db = TestDb::new("transactions_and_savepoints");
    let engine = db.engine_with(EngineOptions::new().pool_size(2));
    let mut conn = engine.connect().unwrap();
    let mut other = engine.connect().unwrap();
    conn.execute_script("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        .unwrap();
    let ins = |c: &mut Connection, id: i64| {
        exec(c, "INSERT INTO t (id) VALUES ($1)", &[ValueRef::Int(id)])
    };

    // Commit is visible to others; before it, nothing is.
    let mut tx = conn.begin().unwrap();
    ins(&mut tx, 1);
    assert!(tx.in_transaction());
    assert_eq!(count(&mut other, "t"), 0);
    tx.commit().unwrap();
    assert_eq!(count(&mut other, "t"), 1);

    // Rollback, and a dropped guard, discard.
    let mut tx = conn.begin().unwrap();
    ins(&mut tx, 2);
    tx.rollback().unwrap();
    {
        let mut tx = conn.begin().unwrap();
        ins(&mut tx, 3);
    }
    assert_eq!(count(&mut conn, "t"), 1);

    // Savepoints: an inner rollback keeps the outer work.
    let mut tx = conn.begin().unwrap();
    ins(&mut tx, 10);
    {
        let mut sp = tx.begin().unwrap();
        assert_eq!(sp.transaction_depth(), 2);
        ins(&mut sp, 11);
        {
            let mut sp2 = sp.begin().unwrap();
            ins(&mut sp2, 12);
            sp2.commit().unwrap();
        }
        sp.rollback().unwrap();
    }
    {
        let mut sp = tx.begin().unwrap();
        ins(&mut sp, 13);
        sp.commit().unwrap();
    }
    tx.commit().unwrap();
    let ids = query(&mut conn, "SELECT id FROM t ORDER BY id", &[]);
    assert_eq!(
        ids,
        vec![
            vec![Value::Int(1)],
            vec![Value::Int(10)],
            vec![Value::Int(13)]
        ]
    );

    // Engine::begin commits on Ok and rolls back on Err.
    engine
        .begin(|c: &mut Connection| -> Result<(), Error> {
            ins(c, 20);
            Ok(())
        })
        .unwrap();
    let r: Result<(), Error> = engine.begin(|c: &mut Connection| {
        ins(c, 21);
        Err(Error::misuse("changed my mind"))
    });
    assert!(r.is_err());
    assert_eq!(count(&mut conn, "t"), 4);

    // A transaction opened with raw SQL is rolled back when the connection goes back to
    // the pool, and the connection stays usable.
    drop(other);
    drop(conn);
    let single = db.engine_with(EngineOptions::new().pool_size(1).max_overflow(0));
    let mut conn = single.connect().unwrap();
    conn.execute_script("BEGIN").unwrap();
    ins(&mut conn, 30);
    let pid = backend_pid(&mut conn);
    drop(conn);
    let mut a = single.connect().unwrap();
    assert_eq!(backend_pid(&mut a), pid, "the connection was kept");
    assert!(!a.in_transaction());
    assert_eq!(count(&mut a, "t"), 4);

    // COMMIT of a failed transaction reports the failure and ends it.
    let mut tx = a.begin().unwrap();
    let _ = tx
        .run("INSERT INTO t (id) VALUES (1)", &[], None)
        .unwrap_err();
    let e = tx
        .run("INSERT INTO t (id) VALUES (40)", &[], None)
        .unwrap_err();
    assert_eq!(
        e.code(),
        Some("25P02"),
        "statements after a failure are refused: {e}"
    );
    let e = tx.commit().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Database, "{e}");
    assert_eq!(e.code(), Some("25P02"), "{e}");
    assert!(e.message().contains("rolled back"), "{e}");
    assert!(!a.in_transaction());
    assert_eq!(count(&mut a, "t"), 4);
    // The same through raw SQL.
    a.execute_script("BEGIN").unwrap();
    let _ = a.run("SELECT 1/0", &[], None).unwrap_err();
    let e = a.execute_script("COMMIT").unwrap_err();
    assert_eq!(e.code(), Some("25P02"), "{e}");
    assert_eq!(count(&mut a, "t"), 4);
}

#[test]
#[cfg_attr(not(feature = "postgres"), ignore = "the `postgres` feature is off")]
#[cfg_attr(
    all(feature = "postgres", not(cinnabar_test_postgres)),
    ignore = "CINNABAR_TEST_POSTGRES is not set"
)]
fn deadlocks_and_serialization_failures_are_recognised() {
    let db = TestDb::new("deadlocks_and_serialization_failures_are_recognised");
    let engine = db.engine();
    let mut a = engine.connect().unwrap();
    let mut b = engine.connect().unwrap();
    a.execute_script("CREATE TABLE locks (id INTEGER PRIMARY KEY, v INTEGER); INSERT INTO locks VALUES (1, 0), (2, 0)")
        .unwrap();

    // Serialization failure: a repeatable-read transaction updates a row changed since its
    // snapshot.
    a.execute_script("BEGIN ISOLATION LEVEL REPEATABLE READ")
        .unwrap();
    query(&mut a, "SELECT v FROM locks WHERE id = 1", &[]);
    exec(&mut b, "UPDATE locks SET v = 1 WHERE id = 1", &[]);
    let e = a
        .run("UPDATE locks SET v = 2 WHERE id = 1", &[], None)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::SerializationFailure, "{e}");
    assert_eq!(e.code(), Some("40001"));
    // What the retry helper (Session::transaction_with_retry) runs again.
    assert!(e.is_retryable(), "{e}");
    a.execute_script("ROLLBACK").unwrap();

    // Deadlock: each transaction waits for the other's row.
    let mut ta = a.begin().unwrap();
    let mut tb = b.begin().unwrap();
    exec(&mut ta, "UPDATE locks SET v = 10 WHERE id = 1", &[]);
    exec(&mut tb, "UPDATE locks SET v = 20 WHERE id = 2", &[]);
    let (ra, rb) = std::thread::scope(|s| {
        let h = s.spawn(|| ta.run("UPDATE locks SET v = 11 WHERE id = 2", &[], None));
        std::thread::sleep(Duration::from_millis(200));
        let rb = tb.run("UPDATE locks SET v = 21 WHERE id = 1", &[], None);
        (h.join().expect("thread"), rb)
    });
    let errors: Vec<&Error> = [&ra, &rb]
        .into_iter()
        .filter_map(|r| r.as_ref().err())
        .collect();
    assert_eq!(errors.len(), 1, "exactly one victim: {ra:?} {rb:?}");
    assert_eq!(errors[0].kind(), ErrorKind::Deadlock, "{}", errors[0]);
    assert_eq!(errors[0].code(), Some("40P01"));
    assert!(errors[0].is_retryable());
    ta.rollback().unwrap();
    tb.rollback().unwrap();
    assert_eq!(
        query(&mut a, "SELECT v FROM locks ORDER BY id", &[]),
        vec![vec![Value::Int(1)], vec![Value::Int(0)]]
    );
}

#[test]
#[cfg_attr(not(feature = "postgres"), ignore = "the `postgres` feature is off")]
#[cfg_attr(
    all(feature = "postgres", not(cinnabar_test_postgres)),
    ignore = "CINNABAR_TEST_POSTGRES is not set"
)]
fn pool_recovers_after_the_server_kills_a_connection() {
    let db = TestDb::new("pool_recovers_after_the_server_kills_a_connection");
    // With pre-ping, the dead connection is found on checkout and replaced.
    let engine = db.engine_with(
        EngineOptions::new()
            .pool_size(1)
            .max_overflow(0)
            .pool_pre_ping(true),
    );
    let mut conn = engine.connect().unwrap();
    let pid = backend_pid(&mut conn);
    drop(conn);
    assert_eq!(engine.pool_status().idle, 1);
    db.kill(pid);
    let mut conn = engine.connect().unwrap();
    let new_pid = backend_pid(&mut conn);
    assert_ne!(new_pid, pid);
    assert_eq!(
        query(&mut conn, "SELECT current_schema()", &[]),
        vec![vec![Value::Text(db.schema.clone())]]
    );
    drop(conn);
    assert_eq!(engine.pool_status().open, 1);

    // Without pre-ping, the first statement fails as a connection error, the broken
    // connection is discarded on return, and the next checkout opens a fresh one.
    let engine = db.engine_with(EngineOptions::new().pool_size(1).max_overflow(0));
    let mut conn = engine.connect().unwrap();
    let pid = backend_pid(&mut conn);
    drop(conn);
    db.kill(pid);
    let mut conn = engine.connect().unwrap();
    let e = conn.run("SELECT 1", &[], None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
    drop(conn);
    assert_eq!(
        engine.pool_status().open,
        0,
        "the broken connection was discarded"
    );
    let mut conn = engine.connect().unwrap();
    assert_ne!(backend_pid(&mut conn), pid);
    assert_eq!(query(&mut conn, "SELECT 1", &[]), vec![vec![Value::Int(1)]]);
}

#[test]
#[cfg_attr(not(feature = "postgres"), ignore = "the `postgres` feature is off")]
#[cfg_attr(
    all(feature = "postgres", not(cinnabar_test_postgres)),
    ignore = "CINNABAR_TEST_POSTGRES is not set"
)]
fn a_killed_transaction_leaves_nothing_half_committed() {
    let db = TestDb::new("a_killed_transaction_leaves_nothing_half_committed");
    // The libpq-style startup option sets the search path too.
    let sep = if db.base.contains('?') { '&' } else { '?' };
    let with_options = format!(
        "{}{sep}options=-c%20search_path%3D{}&application_name=cinnabar_test",
        db.base, db.schema
    );
    let mut conn = create_engine(&with_options).unwrap().connect().unwrap();
    let rows = query(
        &mut conn,
        "SELECT current_schema(), current_setting('application_name')",
        &[],
    );
    assert_eq!(
        rows,
        vec![vec![
            Value::Text(db.schema.clone()),
            Value::Text("cinnabar_test".into())
        ]]
    );
    drop(conn);

    let engine = db.engine_with(EngineOptions::new().pool_size(2).pool_pre_ping(true));
    let mut setup = engine.connect().unwrap();
    setup
        .execute_script("CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount INTEGER)")
        .unwrap();
    drop(setup);

    // Killed before COMMIT: COMMIT cannot know the outcome and says so.
    let mut conn = engine.connect().unwrap();
    let pid = backend_pid(&mut conn);
    let mut tx = conn.begin().unwrap();
    exec(
        &mut tx,
        "INSERT INTO ledger VALUES (1, 100), (2, -100)",
        &[],
    );
    db.kill(pid);
    let e = tx.commit().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::CommitOutcomeUnknown, "{e}");
    drop(conn);

    // Killed mid-transaction: the next statement fails, the guard's rollback is skipped.
    let mut conn = engine.connect().unwrap();
    let pid = backend_pid(&mut conn);
    {
        let mut tx = conn.begin().unwrap();
        exec(&mut tx, "INSERT INTO ledger VALUES (3, 100)", &[]);
        db.kill(pid);
        let e = tx
            .run("INSERT INTO ledger VALUES (4, -100)", &[], None)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
    }
    drop(conn);

    let mut check = engine.connect().unwrap();
    assert_eq!(count(&mut check, "ledger"), 0);
    exec(&mut check, "INSERT INTO ledger VALUES (5, 1)", &[]);
    assert_eq!(count(&mut check, "ledger"), 1);
}

#[test]
#[cfg_attr(not(feature = "postgres"), ignore = "the `postgres` feature is off")]
#[cfg_attr(
    all(feature = "postgres", not(cinnabar_test_postgres)),
    ignore = "CINNABAR_TEST_POSTGRES is not set"
)]
fn rows_affected_returning_and_upserts() {
    let db = TestDb::new("rows_affected_returning_and_upserts");
    let engine = db.engine();
    let mut meta = MetaData::new();
    meta.add(
        Table::new("items")
            .column(
                Column::new("id", SqlType::BigInt)
                    .primary_key()
                    .autoincrement(),
            )
            .column(Column::new("name", SqlType::Text(Some(50))).unique())
            .column(Column::new("qty", SqlType::Integer).server_default("0")),
    );
    meta.create_all(&engine).unwrap();
    meta.create_all(&engine).unwrap();
    let mut conn = engine.connect().unwrap();

    let rows = conn
        .execute(
            Insert::into("items")
                .columns(["name"])
                .values([Value::Text("a".into())])
                .values([Value::Text("b".into())])
                .values([Value::Text("c".into())])
                .returning("id")
                .returning("name"),
        )
        .unwrap();
    assert_eq!(rows.rows_affected(), 3);
    let got: Vec<(i64, String)> = rows.map_into().unwrap();
    assert_eq!(
        got.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        ["a", "b", "c"]
    );
    assert!(got.windows(2).all(|w| w[0].0 < w[1].0), "{got:?}");
    assert_eq!(conn.last_insert_id(), None);

    let upsert = Insert::into("items")
        .columns(["name", "qty"])
        .values([Value::Text("a".into()), Value::Int(7)])
        .values([Value::Text("d".into()), Value::Int(1)])
        .on_conflict(OnConflict::Update {
            target: vec!["name".into()],
            columns: vec!["qty".into()],
        });
    assert_eq!(conn.execute(upsert).unwrap().rows_affected(), 2);
    let skip = Insert::into("items")
        .columns(["name"])
        .values([Value::Text("a".into())])
        .on_conflict(OnConflict::DoNothing {
            target: vec!["name".into()],
        });
    assert_eq!(conn.execute(skip).unwrap().rows_affected(), 0);

    assert_eq!(
        exec(
            &mut conn,
            "UPDATE items SET qty = qty + 1 WHERE qty < $1",
            &[ValueRef::Int(5)]
        ),
        3
    );
    assert_eq!(exec(&mut conn, "SELECT * FROM items", &[]), 0);
    let q = query(&mut conn, "SELECT name, qty FROM items ORDER BY name", &[]);
    let q: Vec<(String, i64)> = q
        .into_iter()
        .map(|r| match (&r[0], &r[1]) {
            (Value::Text(n), Value::Int(q)) => (n.clone(), *q),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        q,
        [
            ("a".into(), 7),
            ("b".into(), 1),
            ("c".into(), 1),
            ("d".into(), 2)
        ]
    );
    assert_eq!(
        exec(
            &mut conn,
            "DELETE FROM items WHERE qty = $1",
            &[ValueRef::Int(1)]
        ),
        2
    );

    let e = conn
        .execute(
            Insert::into("items")
                .columns(["name"])
                .values([Value::Text("a".into())]),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UniqueViolation);
    assert_eq!(e.constraint(), Some("items_name_key"));
    meta.drop_all(&engine).unwrap();
}

#[test]
#[cfg_attr(not(feature = "postgres"), ignore = "the `postgres` feature is off")]
#[cfg_attr(
    all(feature = "postgres", not(cinnabar_test_postgres)),
    ignore = "CINNABAR_TEST_POSTGRES is not set"
)]
fn statement_cache_survives_schema_changes_and_abandoned_results() {
    let db = TestDb::new("statement_cache_survives_schema_changes_and_abandoned_results");
    let mut conn = db.connect();
    conn.execute_script("CREATE TABLE s (a INTEGER); INSERT INTO s VALUES (1)")
        .unwrap();
    assert_eq!(
        query(&mut conn, "SELECT * FROM s", &[]),
        vec![vec![Value::Int(1)]]
    );
    conn.execute_script("ALTER TABLE s ADD COLUMN b TEXT DEFAULT 'x'")
        .unwrap();
    assert_eq!(
        query(&mut conn, "SELECT * FROM s", &[]),
        vec![vec![Value::Int(1), Value::Text("x".into())]]
    );
    conn.execute_script("DROP TABLE s; CREATE TABLE s (c BOOLEAN); INSERT INTO s VALUES (true)")
        .unwrap();
    assert_eq!(
        query(&mut conn, "SELECT * FROM s", &[]),
        vec![vec![Value::Bool(true)]]
    );

    // More distinct statements than the cache holds.
    for i in 0..300 {
        let sql = format!("SELECT {i}::bigint + $1");
        assert_eq!(
            query(&mut conn, &sql, &[ValueRef::Int(1)]),
            vec![vec![Value::Int(i + 1)]]
        );
    }

    // A sink that stops early leaves the connection in sync.
    let mut seen = 0;
    let e = conn
        .run(
            "SELECT g FROM generate_series(1, 5000) g",
            &[],
            Some(&mut |_row: &dyn Row| {
                seen += 1;
                if seen == 10 {
                    Err(Error::misuse("enough"))
                } else {
                    Ok(())
                }
            }),
        )
        .unwrap_err();
    assert_eq!(e.message(), "enough");
    assert_eq!(
        query(&mut conn, "SELECT count(*) FROM generate_series(1, 3)", &[]),
        vec![vec![Value::Int(3)]]
    );
    assert_eq!(
        query(
            &mut conn,
            "SELECT $1::text",
            &[ValueRef::Text("still fine")]
        ),
        vec![vec![Value::Text("still fine".into())]]
    );
}

#[test]
#[cfg_attr(not(feature = "postgres"), ignore = "the `postgres` feature is off")]
#[cfg_attr(
    all(feature = "postgres", not(cinnabar_test_postgres)),
    ignore = "CINNABAR_TEST_POSTGRES is not set"
)]
fn dialect_ddl_runs_on_postgres() {
    let db = TestDb::new("dialect_ddl_runs_on_postgres");
    let engine = db.engine();
    let parent = Table::new("owners").column(
        Column::new("id", SqlType::Integer)
            .primary_key()
            .autoincrement(),
    );
    let mut table = Table::new("every_type")
        .column(
            Column::new("id", SqlType::BigInt)
                .primary_key()
                .autoincrement(),
        )
        .column(Column::new("owner_id", SqlType::Integer).nullable())
        .foreign_key(ForeignKey::parse("owner_id", "owners.id").unwrap());
    for (i, ty) in [
        SqlType::SmallInt,
        SqlType::Integer,
        SqlType::BigInt,
        SqlType::Float,
        SqlType::Double,
        SqlType::Boolean,
        SqlType::Text(None),
        SqlType::Text(Some(10)),
        SqlType::Blob,
        SqlType::Date,
        SqlType::Time,
        SqlType::DateTime,
        SqlType::DateTimeTz,
        SqlType::Uuid,
        SqlType::Decimal(38, 10),
        SqlType::Json,
    ]
    .into_iter()
    .enumerate()
    {
        table = table.column(Column::new(format!("c{i}"), ty).nullable());
    }
    let mut conn = engine.connect().unwrap();
    for table in [parent, table] {
        conn.execute(CreateTable {
            table,
            if_not_exists: true,
        })
        .unwrap();
    }
    let rows = query(
        &mut conn,
        "INSERT INTO every_type DEFAULT VALUES RETURNING id, c0, c15",
        &[],
    );
    assert_eq!(rows, vec![vec![Value::Int(1), Value::Null, Value::Null]]);
}

#[cfg(all(
    feature = "chrono",
    feature = "uuid",
    feature = "decimal",
    feature = "json"
))]
#[test]
#[cfg_attr(not(feature = "postgres"), ignore = "the `postgres` feature is off")]
#[cfg_attr(
    all(feature = "postgres", not(cinnabar_test_postgres)),
    ignore = "CINNABAR_TEST_POSTGRES is not set"
)]
fn typed_values_round_trip() {
    use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
    use rust_decimal::Decimal;
    use std::str::FromStr;

    let db = TestDb::new("typed_values_round_trip");
    let mut conn = db.connect();
    conn.execute_script(
        "CREATE TABLE typed (id INTEGER PRIMARY KEY, d NUMERIC(38, 10), n NUMERIC, u UUID, \
         ts TIMESTAMPTZ, tn TIMESTAMP, dt DATE, tm TIME, j JSONB, js JSON);
         SET TIME ZONE 'Asia/Kolkata'",
    )
    .unwrap();
    let dec = Decimal::from_str("123456789012345678.0123456789").unwrap();
    let dec_neg = Decimal::from_str("-0.0000000001").unwrap();
    let uuid = uuid::Uuid::from_u128(0xa0ee_bc99_9c0b_4ef8_bb6d_6bb9_bd38_0a11);
    let ts = Utc.with_ymd_and_hms(2024, 2, 29, 23, 59, 59).unwrap()
        + chrono::Duration::microseconds(123_456);
    let tn: NaiveDateTime = NaiveDate::from_ymd_opt(1969, 7, 20)
        .unwrap()
        .and_hms_micro_opt(20, 17, 40, 1)
        .unwrap();
    let dt = NaiveDate::from_ymd_opt(1, 1, 1).unwrap();
    let tm = NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap();
    let json = serde_json::json!({"a": [1, 2, {"b": "ü🦀"}], "n": null, "f": 1.5, "t": true});
    let insert = "INSERT INTO typed (id, d, n, u, ts, tn, dt, tm, j, js) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    exec(
        &mut conn,
        insert,
        &[
            ValueRef::Int(1),
            ValueRef::Decimal(dec),
            ValueRef::Decimal(Decimal::MAX),
            ValueRef::Uuid(uuid),
            ValueRef::DateTimeUtc(ts),
            ValueRef::DateTime(tn),
            ValueRef::Date(dt),
            ValueRef::Time(tm),
            ValueRef::Json(&json),
            ValueRef::Json(&json),
        ],
    );
    // Text and integers are accepted where the server expects these types.
    let big = "12345678901234567890123456789012345678";
    exec(
        &mut conn,
        insert,
        &[
            ValueRef::Int(2),
            ValueRef::Decimal(dec_neg),
            ValueRef::Text(big),
            ValueRef::Text("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"),
            ValueRef::Text("2024-03-01 12:00:00+02:00"),
            ValueRef::Text("2024-03-01T12:00:00.5"),
            ValueRef::Text("2024-03-01"),
            ValueRef::Text("12:30"),
            ValueRef::Text("{\"k\": [true]}"),
            ValueRef::Text("[1, 2]"),
        ],
    );
    exec(
        &mut conn,
        "INSERT INTO typed (id, d, n) VALUES ($1, $2, $3)",
        &[
            ValueRef::Int(3),
            ValueRef::Int(i64::MIN),
            ValueRef::Real(0.25),
        ],
    );

    let rows = query(
        &mut conn,
        "SELECT d, n, u, ts, tn, dt, tm, j, js FROM typed ORDER BY id",
        &[],
    );
    assert_eq!(
        rows[0],
        vec![
            Value::Decimal(dec),
            Value::Decimal(Decimal::MAX),
            Value::Uuid(uuid),
            Value::DateTimeUtc(ts),
            Value::DateTime(tn),
            Value::Date(dt),
            Value::Time(tm),
            Value::Json(json.clone()),
            Value::Json(json.clone()),
        ]
    );
    match &rows[0][0] {
        Value::Decimal(d) => assert_eq!(d.to_string(), "123456789012345678.0123456789"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        rows[1],
        vec![
            Value::Decimal(dec_neg),
            // Beyond rust_decimal's 28 digits: exact text rather than a rounded Decimal.
            Value::Text(big.into()),
            Value::Uuid(uuid),
            Value::DateTimeUtc(Utc.with_ymd_and_hms(2024, 3, 1, 10, 0, 0).unwrap()),
            Value::DateTime(
                NaiveDate::from_ymd_opt(2024, 3, 1)
                    .unwrap()
                    .and_hms_milli_opt(12, 0, 0, 500)
                    .unwrap()
            ),
            Value::Date(NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()),
            Value::Time(NaiveTime::from_hms_opt(12, 30, 0).unwrap()),
            Value::Json(serde_json::json!({"k": [true]})),
            Value::Json(serde_json::json!([1, 2])),
        ]
    );
    assert_eq!(rows[2][0], Value::Decimal(Decimal::from(i64::MIN)));
    assert_eq!(
        rows[2][1],
        Value::Decimal(Decimal::from_str("0.25").unwrap())
    );

    // The server agrees about the instant, whatever the session time zone.
    let same = query(
        &mut conn,
        "SELECT ts = '2024-02-29 23:59:59.123456+00', ts::text FROM typed WHERE id = 1",
        &[],
    );
    assert_eq!(same[0][0], Value::Bool(true));
    assert_eq!(
        same[0][1],
        Value::Text("2024-03-01 05:29:59.123456+05:30".into())
    );

    // Values chrono and rust_decimal cannot hold come back as PostgreSQL's text.
    let special = query(
        &mut conn,
        "SELECT 'infinity'::timestamptz, '-infinity'::date, 'NaN'::numeric, now(), $1::numeric",
        &[ValueRef::Decimal(dec)],
    );
    assert_eq!(special[0][0], Value::Text("infinity".into()));
    assert_eq!(special[0][1], Value::Text("-infinity".into()));
    assert_eq!(special[0][2], Value::Text("NaN".into()));
    assert!(
        matches!(special[0][3], Value::DateTimeUtc(_)),
        "{:?}",
        special[0][3]
    );
    assert_eq!(special[0][4], Value::Decimal(dec));

    // Through FromSql.
    let row = conn
        .execute(text("SELECT d, u, ts, j FROM typed WHERE id = :id").bind("id", 1i32))
        .unwrap()
        .one()
        .unwrap();
    assert_eq!(row.get::<Decimal>("d").unwrap(), dec);
    assert_eq!(row.get::<uuid::Uuid>("u").unwrap(), uuid);
    assert_eq!(row.get::<chrono::DateTime<Utc>>("ts").unwrap(), ts);
    assert_eq!(row.get::<serde_json::Value>("j").unwrap(), json);

    // Filtering by typed parameters.
    let hit = query(
        &mut conn,
        "SELECT id FROM typed WHERE u = $1 AND ts > $2 AND j @> $3 ORDER BY id",
        &[
            ValueRef::Uuid(uuid),
            ValueRef::DateTimeUtc(Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()),
            ValueRef::Json(&serde_json::json!({"t": true})),
        ],
    );
    assert_eq!(hit, vec![vec![Value::Int(1)]]);

    let e = conn
        .run(
            "INSERT INTO typed (id, u) VALUES ($1, $2)",
            &[ValueRef::Int(9), ValueRef::Text("not-a-uuid")],
            None,
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
    assert!(
        e.message().contains("$2") && e.message().contains("uuid"),
        "{e}"
    );
}

#[test]
#[cfg_attr(not(feature = "postgres"), ignore = "the `postgres` feature is off")]
#[cfg_attr(
    all(feature = "postgres", not(cinnabar_test_postgres)),
    ignore = "CINNABAR_TEST_POSTGRES is not set"
)]
fn enum_and_text_like_types() {
    let db = TestDb::new("enum_and_text_like_types");
    let mut conn = db.connect();
    conn.execute_script("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); CREATE TABLE m (id INTEGER, feeling mood)")
        .unwrap();
    exec(
        &mut conn,
        "INSERT INTO m VALUES ($1, $2)",
        &[ValueRef::Int(1), ValueRef::Text("happy")],
    );
    assert_eq!(
        query(
            &mut conn,
            "SELECT feeling FROM m WHERE feeling > $1",
            &[ValueRef::Text("sad")]
        ),
        vec![vec![Value::Text("happy".into())]]
    );
    let e = conn
        .run(
            "INSERT INTO m VALUES ($1, $2)",
            &[ValueRef::Int(2), ValueRef::Text("angry")],
            None,
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Database, "{e}");
    assert_eq!(e.code(), Some("22P02"));
}

#[test]
#[cfg_attr(not(feature = "postgres"), ignore = "the `postgres` feature is off")]
#[cfg_attr(
    all(feature = "postgres", not(cinnabar_test_postgres)),
    ignore = "CINNABAR_TEST_POSTGRES is not set"
)]
fn many_threads_share_one_pool() {
    let db = TestDb::new("many_threads_share_one_pool");
    let engine = db.engine_with(EngineOptions::new().pool_size(3).max_overflow(1));
    engine
        .connect()
        .unwrap()
        .execute_script("CREATE TABLE hits (thread INTEGER, n INTEGER)")
        .unwrap();
    std::thread::scope(|s| {
        for t in 0..8i64 {
            let engine = engine.clone();
            s.spawn(move || {
                for n in 0..25i64 {
                    engine
                        .begin(|c: &mut Connection| -> Result<(), Error> {
                            c.run(
                                "INSERT INTO hits VALUES ($1, $2)",
                                &[ValueRef::Int(t), ValueRef::Int(n)],
                                None,
                            )?;
                            Ok(())
                        })
                        .unwrap();
                }
            });
        }
    });
    let mut conn = engine.connect().unwrap();
    assert_eq!(count(&mut conn, "hits"), 200);
    assert!(engine.pool_status().open <= 4);
}

#[test]
#[cfg_attr(not(feature = "postgres"), ignore = "the `postgres` feature is off")]
fn connection_failures_never_show_the_password() {
    // Needs no server: nothing listens on port 1.
    let engine = create_engine("postgresql://bob:hunter2@127.0.0.1:1/app").unwrap();
    let e = engine.connect().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection);
    let shown = format!("{e} {e:?} {engine:?}");
    assert!(shown.contains("127.0.0.1:1/app"), "{shown}");
    assert!(!shown.contains("hunter2"), "{shown}");

    let e = create_engine("postgresql://bob:hunter2@127.0.0.1/app?sslmode=require").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(!e.to_string().contains("hunter2"), "{e}");
}

/// With a server: a wrong database is a connection error naming it, without the password.
#[test]
#[cfg_attr(not(feature = "postgres"), ignore = "the `postgres` feature is off")]
#[cfg_attr(
    all(feature = "postgres", not(cinnabar_test_postgres)),
    ignore = "CINNABAR_TEST_POSTGRES is not set"
)]
fn a_wrong_database_is_a_connection_error_naming_it() {
    let db = TestDb::new("a_wrong_database_is_a_connection_error_naming_it");
    let url = db.admin.url();
    let wrong = format!(
        "postgresql://{}@{}:{}/cinnabar_no_such_db_{}",
        url.username().unwrap_or("postgres"),
        url.host().unwrap_or("127.0.0.1"),
        url.port().unwrap_or(5432),
        std::process::id()
    );
    let e = create_engine(&wrong).unwrap().connect().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
    assert_eq!(e.code(), Some("3D000"), "{e}");
    assert!(e.message().contains("cinnabar_no_such_db_"), "{e}");
}

/// Built without a type feature, the driver still reads those types, as PostgreSQL's text.
#[cfg(not(all(
    feature = "chrono",
    feature = "uuid",
    feature = "decimal",
    feature = "json"
)))]
#[test]
#[cfg_attr(not(feature = "postgres"), ignore = "the `postgres` feature is off")]
#[cfg_attr(
    all(feature = "postgres", not(cinnabar_test_postgres)),
    ignore = "CINNABAR_TEST_POSTGRES is not set"
)]
fn without_type_features_values_read_as_text() {
    let db = TestDb::new("without_type_features_values_read_as_text");
    let mut conn = db.connect();
    let text_of = |conn: &mut Connection, sql: &str, param: &str| -> Value {
        query(conn, sql, &[ValueRef::Text(param)])
            .remove(0)
            .remove(0)
    };
    #[cfg(not(feature = "decimal"))]
    {
        let big = "-12345678901234567890123456789012345678.000000000000000000001";
        assert_eq!(
            text_of(&mut conn, "SELECT $1::numeric", big),
            Value::Text(big.into())
        );
        assert_eq!(
            text_of(&mut conn, "SELECT $1::numeric(10, 3)", "12.5"),
            Value::Text("12.500".into())
        );
        assert_eq!(
            text_of(&mut conn, "SELECT $1::numeric", "0.0001"),
            Value::Text("0.0001".into())
        );
        assert_eq!(
            text_of(&mut conn, "SELECT $1::numeric", "NaN"),
            Value::Text("NaN".into())
        );
    }
    #[cfg(not(feature = "uuid"))]
    {
        let u = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
        assert_eq!(
            text_of(&mut conn, "SELECT $1::uuid", &u.to_uppercase()),
            Value::Text(u.into())
        );
    }
    #[cfg(not(feature = "json"))]
    {
        assert_eq!(
            text_of(&mut conn, "SELECT $1::jsonb", "{\"a\":  [1, 2]}"),
            Value::Text("{\"a\": [1, 2]}".into())
        );
        assert_eq!(
            text_of(&mut conn, "SELECT $1::json", "{\"a\":  [1]}"),
            Value::Text("{\"a\":  [1]}".into())
        );
    }
    #[cfg(not(feature = "chrono"))]
    {
        conn.execute_script("SET TIME ZONE 'America/New_York'")
            .unwrap();
        assert_eq!(
            text_of(&mut conn, "SELECT $1::date", "1999-12-31"),
            Value::Text("1999-12-31".into())
        );
        assert_eq!(
            text_of(&mut conn, "SELECT $1::time", "23:59:59.25"),
            Value::Text("23:59:59.25".into())
        );
        assert_eq!(
            text_of(
                &mut conn,
                "SELECT $1::timestamp",
                "2024-02-29 01:02:03.000004"
            ),
            Value::Text("2024-02-29 01:02:03.000004".into())
        );
        assert_eq!(
            text_of(
                &mut conn,
                "SELECT $1::timestamptz",
                "2024-03-01 00:30:00+02:00"
            ),
            Value::Text("2024-02-29 22:30:00+00:00".into())
        );
        assert_eq!(
            text_of(&mut conn, "SELECT $1::date", "infinity"),
            Value::Text("infinity".into())
        );
        // The server parses the same text the same way.
        let same = query(
            &mut conn,
            "SELECT $1::timestamptz = '2024-03-01 00:30:00+02:00'::timestamptz",
            &[ValueRef::Text("2024-02-29T22:30:00Z")],
        );
        assert_eq!(same[0][0], Value::Bool(true));
    }
}

/// Parameters the server cannot type (42P18) are declared from the bound values; the
/// statement is cached under its SQL and those types; inside a transaction the retry leaves
/// no savepoint behind and the work before it intact, while any other failed prepare still
/// aborts the transaction as PostgreSQL does.
#[test]
#[cfg_attr(not(feature = "postgres"), ignore = "the `postgres` feature is off")]
#[cfg_attr(
    all(feature = "postgres", not(cinnabar_test_postgres)),
    ignore = "CINNABAR_TEST_POSTGRES is not set"
)]
fn untyped_parameters_are_declared_from_the_values() {
    let db = TestDb::new("untyped_parameters_are_declared_from_the_values");
    let mut conn = db.connect();
    conn.execute_script("CREATE TABLE t (id INTEGER PRIMARY KEY, u UUID)")
        .unwrap();
    let concat = "SELECT CONCAT($1, '/', $2)";
    assert_eq!(
        query(&mut conn, concat, &[ValueRef::Text("a"), ValueRef::Int(1)]),
        vec![vec![Value::Text("a/1".into())]]
    );
    assert_eq!(
        query(&mut conn, concat, &[ValueRef::Bool(true), ValueRef::Null]),
        vec![vec![Value::Text("t/".into())]]
    );
    assert_eq!(
        query(&mut conn, concat, &[ValueRef::Text("b"), ValueRef::Int(2)]),
        vec![vec![Value::Text("b/2".into())]]
    );
    // Only the parameter the server could not type is declared: text into the uuid column
    // still goes through the server's inference.
    let u = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
    exec(
        &mut conn,
        "INSERT INTO t (id, u) SELECT $1, $2 WHERE $3 IS NULL",
        &[ValueRef::Int(1), ValueRef::Text(u), ValueRef::Null],
    );
    assert_eq!(
        query(&mut conn, "SELECT u::text FROM t", &[]),
        vec![vec![Value::Text(u.into())]]
    );

    let mut tx = conn.begin().unwrap();
    exec(
        &mut tx,
        "INSERT INTO t (id) VALUES ($1)",
        &[ValueRef::Int(2)],
    );
    assert_eq!(
        query(&mut tx, "SELECT CONCAT($1, '!')", &[ValueRef::Text("tx")]),
        vec![vec![Value::Text("tx!".into())]]
    );
    // No savepoint of the driver's is left open.
    let e = tx
        .execute_script("RELEASE SAVEPOINT cinnabar_prepare")
        .unwrap_err();
    assert_eq!(e.code(), Some("3B001"), "{e}");
    tx.rollback().unwrap();

    let mut tx = conn.begin().unwrap();
    exec(
        &mut tx,
        "INSERT INTO t (id) VALUES ($1)",
        &[ValueRef::Int(3)],
    );
    let e = tx
        .run(
            "SELECT nope FROM t WHERE id = $1",
            &[ValueRef::Int(1)],
            None,
        )
        .unwrap_err();
    assert_eq!(e.code(), Some("42703"), "{e}");
    // The transaction is aborted, as for any failed statement.
    let e = tx.run("SELECT 1", &[], None).unwrap_err();
    assert_eq!(e.code(), Some("25P02"), "{e}");
    tx.rollback().unwrap();
    assert_eq!(count(&mut conn, "t"), 1);
}

/// `run_limited` as the ORM's `first()` runs it: the first `max_rows` rows of the statement.
fn limited(
    conn: &mut Connection,
    sql: &str,
    params: &[ValueRef<'_>],
    max: usize,
) -> Vec<Vec<Value>> {
    let mut out = Vec::new();
    conn.run_limited(sql, params, max, &mut |row: &dyn Row| {
        let values = (0..row.len())
            .map(|i| row.value(i).map(ValueRef::to_owned_value))
            .collect::<Result<Vec<_>, _>>()?;
        out.push(values);
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{sql}: {e}"));
    out
}

/// The limited path reads a few rows in one wait for the server (a named statement from
/// the connection's cache): a schema change that invalidates the cached plan ("cached plan
/// must not change result type") makes it prepare again, a reconnect starts a fresh cache,
/// rows beyond `max_rows` are not handed on and leave the connection in sync (also on the
/// streaming path, past 8 rows), and a DML statement with RETURNING still runs to its end.
#[test]
#[cfg_attr(not(feature = "postgres"), ignore = "the `postgres` feature is off")]
#[cfg_attr(
    all(feature = "postgres", not(cinnabar_test_postgres)),
    ignore = "CINNABAR_TEST_POSTGRES is not set"
)]
fn limited_runs_survive_schema_changes_and_reconnects() {
    let db = TestDb::new("limited_runs_survive_schema_changes_and_reconnects");
    let engine = db.engine_with(EngineOptions::new().pool_size(1).max_overflow(0));
    let mut conn = engine.connect().unwrap();
    conn.execute_script(
        "CREATE TABLE l (a INTEGER, b TEXT); INSERT INTO l VALUES (1, 'x'), (2, 'y')",
    )
    .unwrap();
    let sql = "SELECT * FROM l WHERE a >= $1 ORDER BY a LIMIT 1";
    assert_eq!(
        limited(&mut conn, sql, &[ValueRef::Int(1)], 1),
        vec![vec![Value::Int(1), Value::Text("x".into())]]
    );
    // The result type changes under the cached statement: prepared again, new columns read.
    conn.execute_script("ALTER TABLE l ALTER COLUMN b TYPE INTEGER USING length(b), ADD COLUMN c BOOLEAN DEFAULT true")
        .unwrap();
    assert_eq!(
        limited(&mut conn, sql, &[ValueRef::Int(2)], 1),
        vec![vec![Value::Int(2), Value::Int(1), Value::Bool(true)]]
    );
    // Inside a transaction the error aborts it (PostgreSQL's rule), so it is reported.
    let mut tx = conn.begin().unwrap();
    assert_eq!(limited(&mut tx, sql, &[ValueRef::Int(1)], 1).len(), 1);
    tx.execute_script("ALTER TABLE l DROP COLUMN c").unwrap();
    let mut sink = |_: &dyn Row| Ok(());
    let e = tx
        .run_limited(sql, &[ValueRef::Int(1)], 1, &mut sink)
        .unwrap_err();
    assert_eq!(e.code(), Some("0A000"), "{e}");
    tx.rollback().unwrap();
    assert_eq!(
        limited(&mut conn, sql, &[ValueRef::Int(1)], 1),
        vec![vec![Value::Int(1), Value::Int(1), Value::Bool(true)]],
        "the rollback undid the DROP COLUMN; the statement is prepared again"
    );

    // A reconnect: the new server session has none of the old one's statements.
    let pid = backend_pid(&mut conn);
    drop(conn);
    db.kill(pid);
    let mut conn = engine.connect().unwrap();
    assert!(
        conn.run("SELECT 1", &[], None).is_err(),
        "the killed connection"
    );
    drop(conn);
    let mut conn = engine.connect().unwrap();
    assert_ne!(backend_pid(&mut conn), pid);
    assert_eq!(
        limited(&mut conn, sql, &[ValueRef::Int(2)], 1)[0][0],
        Value::Int(2)
    );

    // At most max_rows rows, in one wait (5 rows) or streamed (5,000): in sync after.
    let few = "SELECT g FROM generate_series(1, 5) g";
    assert_eq!(
        limited(&mut conn, few, &[], 2),
        vec![vec![Value::Int(1)], vec![Value::Int(2)]]
    );
    let many = "SELECT g FROM generate_series(1, 5000) g";
    assert_eq!(limited(&mut conn, many, &[], 100).len(), 100);
    assert_eq!(query(&mut conn, "SELECT 7", &[]), vec![vec![Value::Int(7)]]);
    // DML: every row is inserted, whatever the sink takes.
    let returned = limited(
        &mut conn,
        "INSERT INTO l (a) SELECT g FROM generate_series(10, 12) g RETURNING a",
        &[],
        1,
    );
    assert_eq!(returned, vec![vec![Value::Int(10)]]);
    assert_eq!(count(&mut conn, "l"), 5);
}
