//! The MySQL/MariaDB driver against a real server: `CINNABAR_TEST_MYSQL` names it (e.g.
//! `mysql://root@127.0.0.1:3306/test`). Unset when the tests are built (the cfg
//! `cinnabar_test_mysql` comes from `build.rs`), each test is reported `ignored`
//! ("CINNABAR_TEST_MYSQL is not set"), and without the `mysql` feature ("the `mysql` feature
//! is off"); set but unreachable, the tests fail. Under CI (`CI=true`) `ci_runs_the_mysql_tests`
//! fails when the variable or the feature is missing. Every test works in a database of its
//! own, `cinnabar_t_<random>`, dropped at the end, so tests run in parallel.

use std::sync::atomic::{AtomicUsize, Ordering};

use cinnabar_core::sql::text;
use cinnabar_core::types::FromSql;
use cinnabar_core::{ErrorKind, Value, ValueRef};
use cinnabar_engine::driver::DriverConnection;
use cinnabar_engine::{create_engine, Connection, Engine, Row};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The server URL without its database, and the URL's query string (with its `?`).
fn split_url(url: &str) -> (String, String) {
    let (head, query) = match url.find('?') {
        Some(i) => (&url[..i], &url[i..]),
        None => (url, ""),
    };
    let after_scheme = head.find("://").map_or(0, |i| i + 3);
    let base = match head[after_scheme..].find('/') {
        Some(i) => &head[..after_scheme + i],
        None => head,
    };
    (base.to_owned(), query.to_owned())
}

fn random_suffix() -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let mut h = RandomState::new().build_hasher();
    h.write_usize(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u32(std::process::id());
    format!("{:012x}", h.finish() & 0xffff_ffff_ffff)
}

/// Under CI (`CI=true` or `CI=1`) these tests must run: the variable set (now and when they
/// were built) and the `mysql` feature on. Locally it checks nothing.
#[test]
fn ci_runs_the_mysql_tests() {
    let ci = std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
    if ci {
        assert!(
            std::env::var("CINNABAR_TEST_MYSQL").is_ok_and(|v| !v.trim().is_empty())
                && cfg!(cinnabar_test_mysql),
            "CI is set but CINNABAR_TEST_MYSQL is not (or was not when the tests were built)"
        );
        if !cfg!(feature = "mysql") {
            panic!("CI is set but the `mysql` feature is off (run with --all-features)");
        }
    }
}

/// A database of one test's own.
struct TestDb {
    engine: Engine,
    url: String,
    admin: Engine,
    name: String,
}

impl TestDb {
    /// Panics when the variable is unset (the tests are ignored unless it was set when they
    /// were built) or the server is unreachable.
    fn new() -> TestDb {
        let server = match std::env::var("CINNABAR_TEST_MYSQL") {
            Ok(v) if !v.trim().is_empty() => v,
            _ => panic!("CINNABAR_TEST_MYSQL is not set: the MySQL driver tests cannot run"),
        };
        let (base, query) = split_url(&server);
        let admin_url = format!("{base}/{query}");
        let admin = create_engine(&admin_url).unwrap_or_else(|e| panic!("{admin_url}: {e}"));
        let name = format!("cinnabar_t_{}", random_suffix());
        admin
            .connect()
            .unwrap_or_else(|e| panic!("CINNABAR_TEST_MYSQL={server} is unreachable: {e}"))
            .execute_script(&format!("CREATE DATABASE `{name}`"))
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        let url = format!("{base}/{name}{query}");
        let engine = create_engine(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
        TestDb {
            engine,
            url,
            admin,
            name,
        }
    }

    fn conn(&self) -> Connection {
        self.engine.connect().expect("connect")
    }

    /// A driver connection of its own, outside the pool.
    #[cfg(feature = "mysql")]
    fn raw(&self) -> Box<dyn DriverConnection> {
        use cinnabar_engine::driver::Driver;
        use cinnabar_engine::mysql::MySqlDriver;
        use cinnabar_engine::Url;
        let url = Url::parse(&self.url).unwrap();
        MySqlDriver::from_url(&url)
            .unwrap()
            .connect()
            .expect("driver connect")
    }

    #[cfg(not(feature = "mysql"))]
    fn raw(&self) -> Box<dyn DriverConnection> {
        panic!("the `mysql` feature is off: no MySQL driver to connect with")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        self.engine.dispose();
        if let Ok(mut c) = self.admin.connect() {
            let _ = c.execute_script(&format!("DROP DATABASE IF EXISTS `{}`", self.name));
        }
    }
}

/// Runs `sql` and collects its rows as owned values.
fn rows(conn: &mut Connection, sql: &str, params: &[ValueRef<'_>]) -> Vec<Vec<Value>> {
    let mut out = Vec::new();
    conn.run(
        sql,
        params,
        Some(&mut |r: &dyn Row| {
            out.push(
                (0..r.len())
                    .map(|i| r.value(i).map(ValueRef::to_owned_value))
                    .collect::<cinnabar_core::Result<Vec<_>>>()?,
            );
            Ok(())
        }),
    )
    .unwrap_or_else(|e| panic!("{sql}: {e}"));
    out
}

fn one(conn: &mut Connection, sql: &str, params: &[ValueRef<'_>]) -> Vec<Value> {
    let mut r = rows(conn, sql, params);
    assert_eq!(r.len(), 1, "{sql}: {r:?}");
    r.remove(0)
}

fn scalar<T: FromSql>(conn: &mut Connection, sql: &str) -> T {
    let v = one(conn, sql, &[]).remove(0);
    T::from_sql(v.as_ref()).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn exec(conn: &mut Connection, sql: &str) {
    conn.execute_script(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

#[test]
#[cfg_attr(not(feature = "mysql"), ignore = "the `mysql` feature is off")]
#[cfg_attr(
    all(feature = "mysql", not(cinnabar_test_mysql)),
    ignore = "CINNABAR_TEST_MYSQL is not set"
)]
fn connects_through_create_engine_with_session_settings() {
    let db = TestDb::new();
    let mut conn = db.conn();
    assert_eq!(conn.dialect().name(), "mysql");
    let version: String = scalar(&mut conn, "SELECT VERSION()");
    eprintln!("server version: {version}");
    assert_eq!(scalar::<String>(&mut conn, "SELECT @@time_zone"), "+00:00");
    assert_eq!(
        scalar::<String>(&mut conn, "SELECT @@character_set_client"),
        "utf8mb4"
    );
    let mode: String = scalar(&mut conn, "SELECT @@SESSION.sql_mode");
    assert!(mode.contains("STRICT_ALL_TABLES"), "{mode}");
    assert!(!mode.contains("ANSI_QUOTES"), "{mode}");
    assert_eq!(scalar::<String>(&mut conn, "SELECT DATABASE()"), db.name);

    // The mariadb:// spelling reaches the same driver.
    let maria = db.url.replacen("mysql://", "mariadb://", 1);
    let engine = create_engine(&maria).unwrap();
    assert_eq!(engine.dialect().name(), "mysql");
    let mut c = engine.connect().unwrap();
    assert_eq!(scalar::<i64>(&mut c, "SELECT 1"), 1);
    c.engine().pool_status();
}

#[test]
#[cfg_attr(not(feature = "mysql"), ignore = "the `mysql` feature is off")]
#[cfg_attr(
    all(feature = "mysql", not(cinnabar_test_mysql)),
    ignore = "CINNABAR_TEST_MYSQL is not set"
)]
fn wrong_password_is_a_connection_error_that_hides_it() {
    let db = TestDb::new();
    let (base, _) = split_url(&db.url);
    let host = base.rsplit_once('@').map_or(base.as_str(), |(_, h)| h);
    let url = format!("mysql://cinnabar_nobody:Hunter2Secret@{host}/{}", db.name);
    let e = create_engine(&url).unwrap().connect().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains("Hunter2Secret"), "{shown}");
    assert!(shown.contains(&db.name), "{shown}");
    assert_eq!(e.code(), Some("1045"), "{e}");
}

#[test]
#[cfg_attr(not(feature = "mysql"), ignore = "the `mysql` feature is off")]
#[cfg_attr(
    all(feature = "mysql", not(cinnabar_test_mysql)),
    ignore = "CINNABAR_TEST_MYSQL is not set"
)]
fn core_values_round_trip() {
    let db = TestDb::new();
    let mut conn = db.conn();
    exec(
        &mut conn,
        "CREATE TABLE v (id INT PRIMARY KEY, i BIGINT, f DOUBLE, r FLOAT, t VARCHAR(100), \
         b LONGBLOB, flag BOOLEAN, u BIGINT UNSIGNED, tx TEXT, vb VARBINARY(10), bits BIT(8), \
         e ENUM('a','b'), y YEAR) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    );
    let all_bytes: Vec<u8> = (0..=255).collect();
    let emoji = "héllo 🦀 世界 🎉";
    let ins = "INSERT INTO v (id, i, f, t, b, flag, tx, vb) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    for (id, i, f, t, b, flag) in [
        (1, i64::MIN, -1.5e300, emoji, &all_bytes[..], true),
        (2, i64::MAX, f64::MIN_POSITIVE, "", &[][..], false),
        (
            3,
            0,
            0.0,
            "it's \"quoted\" \\ ; -- not a comment",
            &[0u8, 0][..],
            true,
        ),
    ] {
        conn.run(
            ins,
            &[
                ValueRef::Int(id),
                ValueRef::Int(i),
                ValueRef::Real(f),
                ValueRef::Text(t),
                ValueRef::Blob(b),
                ValueRef::Bool(flag),
                ValueRef::Text(t),
                ValueRef::Blob(&b[..b.len().min(10)]),
            ],
            None,
        )
        .unwrap();
    }
    conn.run("INSERT INTO v (id) VALUES (?)", &[ValueRef::Int(4)], None)
        .unwrap();
    let got = rows(
        &mut conn,
        "SELECT i, f, t, b, flag, tx, vb FROM v ORDER BY id",
        &[],
    );
    assert_eq!(got.len(), 4);
    assert_eq!(
        got[0],
        vec![
            Value::Int(i64::MIN),
            Value::Real(-1.5e300),
            Value::Text(emoji.into()),
            Value::Blob(all_bytes.clone()),
            Value::Int(1),
            Value::Text(emoji.into()),
            Value::Blob(all_bytes[..10].to_vec()),
        ]
    );
    assert_eq!(got[1][0], Value::Int(i64::MAX));
    assert_eq!(got[1][1], Value::Real(f64::MIN_POSITIVE));
    assert_eq!(got[1][2], Value::Text(String::new()));
    assert_eq!(got[1][3], Value::Blob(Vec::new()));
    assert_eq!(got[1][4], Value::Int(0));
    assert_eq!(
        got[2][2],
        Value::Text("it's \"quoted\" \\ ; -- not a comment".into())
    );
    assert!(got[3].iter().all(Value::is_null), "{:?}", got[3]);
    assert!(bool::from_sql(got[0][4].as_ref()).unwrap());

    // Parameters bound in a SELECT come back as what they were.
    let echoed = one(
        &mut conn,
        "SELECT ?, ?, ?, ?",
        &[
            ValueRef::Int(-7),
            ValueRef::Text(emoji),
            ValueRef::Null,
            ValueRef::Real(2.25),
        ],
    );
    assert_eq!(
        echoed,
        vec![
            Value::Int(-7),
            Value::Text(emoji.into()),
            Value::Null,
            Value::Real(2.25)
        ]
    );

    // FLOAT reads as its decimal form; unsigned, BIT, ENUM and YEAR as integers/text.
    exec(
        &mut conn,
        "UPDATE v SET r = 0.1, u = 18446744073709551615, bits = b'10000001', e = 'b', \
         y = 2024 WHERE id = 1; UPDATE v SET u = 42 WHERE id = 2",
    );
    let r = one(&mut conn, "SELECT r, bits, e, y FROM v WHERE id = 1", &[]);
    assert_eq!(
        r,
        vec![
            Value::Real(0.1),
            Value::Int(129),
            Value::Text("b".into()),
            Value::Int(2024)
        ]
    );
    assert_eq!(
        one(&mut conn, "SELECT u FROM v WHERE id = 2", &[]),
        vec![Value::Int(42)]
    );
    // An UNSIGNED BIGINT above i64::MAX is an error naming the column, not a wrapped value.
    let mut c2 = db.conn();
    let e = c2
        .run(
            "SELECT u AS big_unsigned FROM v WHERE id = 1",
            &[],
            Some(&mut |r: &dyn Row| r.value(0).map(|_| ())),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
    assert!(e.message().contains("big_unsigned"), "{e}");
    assert!(e.message().contains("18446744073709551615"), "{e}");

    // Column names as the server reports them (aliases, unicode; MariaDB identifiers cannot
    // hold 4-byte characters).
    let mut names = Vec::new();
    conn.run(
        "SELECT 1 AS `ünï ω`, 2 AS plain",
        &[],
        Some(&mut |r: &dyn Row| {
            names = (0..r.len()).map(|i| r.column_name(i).to_owned()).collect();
            assert_eq!(r.index_of("plain"), Some(1));
            assert_eq!(r.value(5).unwrap_err().kind(), ErrorKind::Misuse);
            Ok(())
        }),
    )
    .unwrap();
    assert_eq!(names, ["ünï ω", "plain"]);

    // Through the Rows API too.
    let rows = conn
        .execute(text("SELECT t FROM v WHERE id = :id").bind("id", 1i64))
        .unwrap();
    assert_eq!(rows.scalar::<String>().unwrap(), emoji);
}

#[cfg(all(
    feature = "chrono",
    feature = "uuid",
    feature = "decimal",
    feature = "json"
))]
#[test]
#[cfg_attr(not(feature = "mysql"), ignore = "the `mysql` feature is off")]
#[cfg_attr(
    all(feature = "mysql", not(cinnabar_test_mysql)),
    ignore = "CINNABAR_TEST_MYSQL is not set"
)]
fn feature_values_round_trip() {
    use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
    use rust_decimal::Decimal;

    let db = TestDb::new();
    let mut conn = db.conn();
    exec(
        &mut conn,
        "CREATE TABLE f (id INT PRIMARY KEY, d DATE, tm TIME(6), dt DATETIME(6), \
         ts TIMESTAMP(6) NULL, u CHAR(36), dec38 DECIMAL(38, 10), j JSON)",
    );
    let date = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    let time = NaiveTime::from_hms_micro_opt(23, 59, 58, 654_321).unwrap();
    let dt: NaiveDateTime = date.and_time(time);
    let utc = Utc.with_ymd_and_hms(1999, 12, 31, 23, 0, 1).unwrap();
    let uuid = uuid::Uuid::parse_str("67e55044-10b1-426f-9247-bb680e5fe0c8").unwrap();
    // 28 significant digits: 18 before the point, 10 after.
    let big: Decimal = "123456789012345678.9012345678".parse().unwrap();
    let neg: Decimal = "-0.0000000001".parse().unwrap();
    let doc = serde_json::json!({"name": "Zoë 🦀", "n": [1, 2.5, null], "ok": true});
    for (id, d) in [(1, big), (2, neg)] {
        conn.run(
            "INSERT INTO f VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            &[
                ValueRef::Int(id),
                ValueRef::Date(date),
                ValueRef::Time(time),
                ValueRef::DateTime(dt),
                ValueRef::DateTimeUtc(utc),
                ValueRef::Uuid(uuid),
                ValueRef::Decimal(d),
                ValueRef::Json(&doc),
            ],
            None,
        )
        .unwrap();
    }
    let r = one(
        &mut conn,
        "SELECT d, tm, dt, ts, u, dec38, j FROM f WHERE id = 1",
        &[],
    );
    assert_eq!(r[0], Value::Date(date));
    assert_eq!(r[1], Value::Time(time));
    assert_eq!(r[2], Value::DateTime(dt));
    assert_eq!(r[3], Value::DateTimeUtc(utc));
    assert_eq!(uuid::Uuid::from_sql(r[4].as_ref()).unwrap(), uuid);
    assert_eq!(r[5], Value::Decimal(big));
    // MariaDB's JSON is LONGTEXT (text); MySQL's is its own type (a JSON value).
    assert_eq!(serde_json::Value::from_sql(r[6].as_ref()).unwrap(), doc);
    assert_eq!(
        one(&mut conn, "SELECT dec38 FROM f WHERE id = 2", &[]),
        vec![Value::Decimal(neg)]
    );
    // Stored as UTC: the server sees the instant in its own session zone.
    assert_eq!(
        scalar::<String>(&mut conn, "SELECT CAST(ts AS CHAR) FROM f WHERE id = 1"),
        "1999-12-31 23:00:01.000000"
    );
    // Filtering by bound values of each type finds the row.
    let found = one(
        &mut conn,
        "SELECT COUNT(*) FROM f WHERE d = ? AND dt = ? AND u = ? AND dec38 = ?",
        &[
            ValueRef::Date(date),
            ValueRef::DateTime(dt),
            ValueRef::Uuid(uuid),
            ValueRef::Decimal(big),
        ],
    );
    assert_eq!(found, vec![Value::Int(1)]);
    // A TIME beyond a time of day stays text; so does a value past rust_decimal.
    let r = one(
        &mut conn,
        "SELECT CAST('-838:59:59' AS TIME), CAST('12345678901234567890123456789.5' AS DECIMAL(38,1))",
        &[],
    );
    assert_eq!(r[0], Value::Text("-838:59:59".into()));
    assert_eq!(r[1], Value::Text("12345678901234567890123456789.5".into()));
    // Computed dates and decimals are typed too.
    let r = one(&mut conn, "SELECT DATE('2001-02-03'), 1.25", &[]);
    assert_eq!(
        r,
        vec![
            Value::Date(NaiveDate::from_ymd_opt(2001, 2, 3).unwrap()),
            Value::Decimal("1.25".parse().unwrap())
        ]
    );
}

#[test]
#[cfg_attr(not(feature = "mysql"), ignore = "the `mysql` feature is off")]
#[cfg_attr(
    all(feature = "mysql", not(cinnabar_test_mysql)),
    ignore = "CINNABAR_TEST_MYSQL is not set"
)]
fn constraint_violations_map_to_kinds_with_names() {
    let db = TestDb::new();
    let mut conn = db.conn();
    exec(
        &mut conn,
        "CREATE TABLE parent (id INT PRIMARY KEY, email VARCHAR(50), \
           CONSTRAINT uq_parent_email UNIQUE (email)) ENGINE=InnoDB; \
         CREATE TABLE kid (id INT PRIMARY KEY, pid INT NOT NULL, name VARCHAR(20) NOT NULL, \
           age INT, CONSTRAINT fk_kid_parent FOREIGN KEY (pid) REFERENCES parent (id), \
           CONSTRAINT ck_kid_age CHECK (age >= 0)) ENGINE=InnoDB",
    );
    exec(
        &mut conn,
        "INSERT INTO parent VALUES (1, 'a@x'); INSERT INTO kid VALUES (1, 1, 'k', 3)",
    );
    let run = |conn: &mut Connection, sql: &str, p: &[ValueRef<'_>]| {
        conn.run(sql, p, None).expect_err(sql)
    };

    let e = run(
        &mut conn,
        "INSERT INTO parent VALUES (?, ?)",
        &[ValueRef::Int(2), ValueRef::Text("a@x")],
    );
    assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}");
    assert!(e.is_integrity());
    assert_eq!(e.code(), Some("1062"));
    let c = e.constraint().unwrap();
    assert!(c.ends_with("uq_parent_email"), "{c}");
    let e = run(
        &mut conn,
        "INSERT INTO parent VALUES (?, ?)",
        &[ValueRef::Int(1), ValueRef::Text("b@x")],
    );
    assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}");
    assert!(e.constraint().unwrap().ends_with("PRIMARY"), "{e}");

    let e = run(
        &mut conn,
        "INSERT INTO kid VALUES (?, ?, ?, ?)",
        &[
            ValueRef::Int(2),
            ValueRef::Int(99),
            ValueRef::Text("x"),
            ValueRef::Null,
        ],
    );
    assert_eq!(e.kind(), ErrorKind::ForeignKeyViolation, "{e}");
    assert_eq!(e.code(), Some("1452"));
    assert_eq!(e.constraint(), Some("fk_kid_parent"));
    let e = run(&mut conn, "DELETE FROM parent WHERE id = 1", &[]);
    assert_eq!(e.kind(), ErrorKind::ForeignKeyViolation, "{e}");
    assert_eq!(e.code(), Some("1451"));
    assert_eq!(e.constraint(), Some("fk_kid_parent"));

    let e = run(
        &mut conn,
        "INSERT INTO kid VALUES (?, ?, ?, ?)",
        &[
            ValueRef::Int(3),
            ValueRef::Int(1),
            ValueRef::Null,
            ValueRef::Null,
        ],
    );
    assert_eq!(e.kind(), ErrorKind::NotNullViolation, "{e}");
    assert_eq!(e.code(), Some("1048"));
    assert_eq!(e.constraint(), Some("name"));
    let e = run(
        &mut conn,
        "INSERT INTO kid (id, pid) VALUES (?, ?)",
        &[ValueRef::Int(3), ValueRef::Int(1)],
    );
    assert_eq!(e.kind(), ErrorKind::NotNullViolation, "{e}");
    assert_eq!(e.code(), Some("1364"));
    assert_eq!(e.constraint(), Some("name"));

    let e = run(
        &mut conn,
        "INSERT INTO kid VALUES (?, ?, ?, ?)",
        &[
            ValueRef::Int(4),
            ValueRef::Int(1),
            ValueRef::Text("n"),
            ValueRef::Int(-1),
        ],
    );
    assert_eq!(e.kind(), ErrorKind::CheckViolation, "{e}");
    assert!(matches!(e.code(), Some("4025" | "3819")), "{e}");
    assert_eq!(e.constraint(), Some("ck_kid_age"));
    assert!(e.sql().is_some_and(|s| s.starts_with("INSERT INTO kid")));

    // Other errors are plain database errors; the connection stays usable.
    let e = run(&mut conn, "SELECT * FROM no_such_table", &[]);
    assert_eq!(e.kind(), ErrorKind::Database, "{e}");
    assert_eq!(e.code(), Some("1146"));
    let e = run(&mut conn, "SELEC 1", &[]);
    assert_eq!(e.kind(), ErrorKind::Database, "{e}");
    assert_eq!(scalar::<i64>(&mut conn, "SELECT COUNT(*) FROM kid"), 1);
    // A wrong number of parameters is misuse, caught before the server sees it.
    let e = run(&mut conn, "SELECT ?", &[]);
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
}

#[test]
#[cfg_attr(not(feature = "mysql"), ignore = "the `mysql` feature is off")]
#[cfg_attr(
    all(feature = "mysql", not(cinnabar_test_mysql)),
    ignore = "CINNABAR_TEST_MYSQL is not set"
)]
fn strict_mode_rejects_truncation() {
    let db = TestDb::new();
    let mut conn = db.conn();
    exec(
        &mut conn,
        "CREATE TABLE s (id INT PRIMARY KEY, code VARCHAR(5), n TINYINT, d DATE)",
    );
    let e = conn
        .run(
            "INSERT INTO s (id, code) VALUES (?, ?)",
            &[ValueRef::Int(1), ValueRef::Text("toolong")],
            None,
        )
        .unwrap_err();
    assert_eq!(e.code(), Some("1406"), "{e}");
    let e = conn
        .run(
            "INSERT INTO s (id, n) VALUES (?, ?)",
            &[ValueRef::Int(2), ValueRef::Int(1000)],
            None,
        )
        .unwrap_err();
    assert_eq!(e.code(), Some("1264"), "{e}");
    let e = conn
        .run(
            "INSERT INTO s (id, d) VALUES (?, ?)",
            &[ValueRef::Int(3), ValueRef::Text("0000-00-00")],
            None,
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Database, "{e}");
    // Text that is not UTF-8 is refused by a utf8mb4 column.
    let e = conn
        .run(
            "INSERT INTO s (id, code) VALUES (?, ?)",
            &[ValueRef::Int(4), ValueRef::Blob(&[0xff, 0xfe])],
            None,
        )
        .unwrap_err();
    assert_eq!(e.code(), Some("1366"), "{e}");
    assert_eq!(scalar::<i64>(&mut conn, "SELECT COUNT(*) FROM s"), 0);
}

#[test]
#[cfg_attr(not(feature = "mysql"), ignore = "the `mysql` feature is off")]
#[cfg_attr(
    all(feature = "mysql", not(cinnabar_test_mysql)),
    ignore = "CINNABAR_TEST_MYSQL is not set"
)]
fn transactions_and_savepoints() {
    let db = TestDb::new();
    let mut conn = db.conn();
    exec(&mut conn, "CREATE TABLE t (x INT) ENGINE=InnoDB");
    let ins = |c: &mut Connection, x: i64| {
        c.run("INSERT INTO t (x) VALUES (?)", &[ValueRef::Int(x)], None)
            .unwrap();
    };
    {
        let mut tx = conn.begin().unwrap();
        ins(&mut tx, 1);
        {
            let mut sp = tx.begin().unwrap();
            assert_eq!(sp.transaction_depth(), 2);
            ins(&mut sp, 2);
            sp.rollback().unwrap();
        }
        {
            let mut sp = tx.begin().unwrap();
            ins(&mut sp, 3);
            {
                let mut inner = sp.begin().unwrap();
                ins(&mut inner, 4);
                inner.commit().unwrap();
            }
            sp.commit().unwrap();
        }
        // Invisible to another connection until committed.
        let mut other = db.conn();
        assert_eq!(scalar::<i64>(&mut other, "SELECT COUNT(*) FROM t"), 0);
        tx.commit().unwrap();
        assert_eq!(scalar::<i64>(&mut other, "SELECT COUNT(*) FROM t"), 3);
    }
    let xs: Vec<i64> = rows(&mut conn, "SELECT x FROM t ORDER BY x", &[])
        .into_iter()
        .map(|r| i64::from_sql(r[0].as_ref()).unwrap())
        .collect();
    assert_eq!(xs, [1, 3, 4]);
    {
        let mut tx = conn.begin().unwrap();
        ins(&mut tx, 5);
        // Dropped without commit: rolled back.
    }
    assert_eq!(scalar::<i64>(&mut conn, "SELECT COUNT(*) FROM t"), 3);
    let r: cinnabar_core::Result<()> = conn.transaction(|c| {
        ins(c, 6);
        Err(cinnabar_core::Error::misuse("stop"))
    });
    assert!(r.is_err());
    assert_eq!(scalar::<i64>(&mut conn, "SELECT COUNT(*) FROM t"), 3);

    // A transaction left open by raw SQL is rolled back when the connection goes back.
    exec(&mut conn, "START TRANSACTION");
    ins(&mut conn, 7);
    drop(conn);
    let mut conn = db.conn();
    assert_eq!(scalar::<i64>(&mut conn, "SELECT COUNT(*) FROM t"), 3);
}

#[test]
#[cfg_attr(not(feature = "mysql"), ignore = "the `mysql` feature is off")]
#[cfg_attr(
    all(feature = "mysql", not(cinnabar_test_mysql)),
    ignore = "CINNABAR_TEST_MYSQL is not set"
)]
fn driver_tracks_transaction_state_and_batch_errors() {
    let db = TestDb::new();
    let mut c = db.raw();
    c.batch("CREATE TABLE t (x INT PRIMARY KEY) ENGINE=InnoDB")
        .unwrap();
    assert!(!c.in_transaction());
    c.batch("START TRANSACTION").unwrap();
    assert!(c.in_transaction());
    c.batch("SAVEPOINT a").unwrap();
    c.run("INSERT INTO t VALUES (?)", &[ValueRef::Int(1)], None)
        .unwrap();
    c.batch("ROLLBACK TO SAVEPOINT a; RELEASE SAVEPOINT a")
        .unwrap();
    assert!(c.in_transaction());
    // The second statement's error is reported, not swallowed.
    let e = c
        .batch("SAVEPOINT b; RELEASE SAVEPOINT no_such_savepoint")
        .unwrap_err();
    assert_eq!(e.code(), Some("1305"), "{e}");
    assert!(c.in_transaction());
    assert!(!c.is_broken());
    c.batch("COMMIT").unwrap();
    assert!(!c.in_transaction());
    c.batch("begin; INSERT INTO t VALUES (5); commit").unwrap();
    assert!(!c.in_transaction());
    c.batch("BEGIN").unwrap();
    c.batch("ROLLBACK").unwrap();
    assert!(!c.in_transaction());
    // Text with `;` inside literals and comments, then an empty script.
    c.batch("INSERT INTO t VALUES (6); -- a; comment\nINSERT INTO t /* ; */ VALUES (7)")
        .unwrap();
    c.batch("  -- nothing\n").unwrap();
    let mut n = 0;
    c.run(
        "SELECT x FROM t WHERE x > ?",
        &[ValueRef::Int(0)],
        Some(&mut |_r: &dyn Row| {
            n += 1;
            Ok(())
        }),
    )
    .unwrap();
    assert_eq!(n, 3);
    // A sink error stops reading and leaves the connection usable.
    let e = c
        .run(
            "SELECT x FROM t",
            &[],
            Some(&mut |_r: &dyn Row| Err(cinnabar_core::Error::misuse("enough"))),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse);
    c.ping().unwrap();
    assert_eq!(
        c.run("DELETE FROM t WHERE x >= ?", &[ValueRef::Int(6)], None)
            .unwrap(),
        2
    );
    // UPDATE counts matched rows (CLIENT_FOUND_ROWS), even when nothing changes.
    assert_eq!(
        c.run("UPDATE t SET x = x WHERE x = ?", &[ValueRef::Int(5)], None)
            .unwrap(),
        1
    );
    assert_eq!(c.run("SELECT 1", &[], None).unwrap(), 0);
    // Statements the server will not prepare go through the text protocol.
    let mut seen = Vec::new();
    c.run(
        "SHOW VARIABLES LIKE 'sql_mode'",
        &[],
        Some(&mut |r: &dyn Row| {
            seen.push(r.value(0)?.to_owned_value());
            Ok(())
        }),
    )
    .unwrap();
    assert_eq!(seen, [Value::Text("sql_mode".into())]);
}

#[test]
#[cfg_attr(not(feature = "mysql"), ignore = "the `mysql` feature is off")]
#[cfg_attr(
    all(feature = "mysql", not(cinnabar_test_mysql)),
    ignore = "CINNABAR_TEST_MYSQL is not set"
)]
fn killed_connection_is_broken() {
    let db = TestDb::new();
    let mut c = db.raw();
    let mut id = 0i64;
    c.run(
        "SELECT CONNECTION_ID()",
        &[],
        Some(&mut |r: &dyn Row| {
            id = i64::from_sql(r.value(0)?)?;
            Ok(())
        }),
    )
    .unwrap();
    let mut admin = db.conn();
    exec(&mut admin, &format!("KILL CONNECTION {id}"));
    let e = c.run("SELECT 1", &[], None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
    assert!(c.is_broken());
    assert_eq!(c.ping().unwrap_err().kind(), ErrorKind::Connection);
}

#[test]
#[cfg_attr(not(feature = "mysql"), ignore = "the `mysql` feature is off")]
#[cfg_attr(
    all(feature = "mysql", not(cinnabar_test_mysql)),
    ignore = "CINNABAR_TEST_MYSQL is not set"
)]
fn lock_wait_timeout_is_busy_and_deadlock_is_deadlock() {
    let db = TestDb::new();
    let mut a = db.raw();
    let mut b = db.raw();
    a.batch("CREATE TABLE l (id INT PRIMARY KEY, v INT) ENGINE=InnoDB; INSERT INTO l VALUES (1, 0), (2, 0)")
        .unwrap();
    a.batch("START TRANSACTION; UPDATE l SET v = 1 WHERE id = 1")
        .unwrap();
    b.batch("SET SESSION innodb_lock_wait_timeout = 1; START TRANSACTION")
        .unwrap();
    let e = b
        .run("UPDATE l SET v = 2 WHERE id = 1", &[], None)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Busy, "{e}");
    assert_eq!(e.code(), Some("1205"));
    assert!(!b.is_broken());

    // b holds row 2 and waits for row 1 in a thread; a then asks for row 2: deadlock.
    b.batch("SET SESSION innodb_lock_wait_timeout = 20; UPDATE l SET v = 2 WHERE id = 2")
        .unwrap();
    let waiter = std::thread::spawn(move || {
        let r = b.run("UPDATE l SET v = 2 WHERE id = 1", &[], None);
        (b, r)
    });
    std::thread::sleep(std::time::Duration::from_millis(500));
    let ra = a.run("UPDATE l SET v = 1 WHERE id = 2", &[], None);
    let (_b, rb) = waiter.join().unwrap();
    let errors: Vec<_> = [ra, rb].into_iter().filter_map(|r| r.err()).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].kind(), ErrorKind::Deadlock, "{}", errors[0]);
    assert_eq!(errors[0].code(), Some("1213"));
}

#[test]
#[cfg_attr(not(feature = "mysql"), ignore = "the `mysql` feature is off")]
#[cfg_attr(
    all(feature = "mysql", not(cinnabar_test_mysql)),
    ignore = "CINNABAR_TEST_MYSQL is not set"
)]
fn last_insert_id_after_single_and_multi_row_inserts() {
    let db = TestDb::new();
    let mut conn = db.conn();
    let mode: i64 = scalar(&mut conn, "SELECT @@innodb_autoinc_lock_mode");
    let step: i64 = scalar(&mut conn, "SELECT @@auto_increment_increment");
    eprintln!("innodb_autoinc_lock_mode = {mode}, auto_increment_increment = {step}");
    assert!((0..=2).contains(&mode), "innodb_autoinc_lock_mode = {mode}");
    // The expected keys below assume the default step (and offset) of 1.
    assert_eq!(step, 1, "auto_increment_increment");
    assert_eq!(
        scalar::<i64>(&mut conn, "SELECT @@auto_increment_offset"),
        1
    );
    exec(
        &mut conn,
        "CREATE TABLE a (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20) UNIQUE) \
         ENGINE=InnoDB",
    );
    assert_eq!(conn.last_insert_id(), None);
    conn.run(
        "INSERT INTO a (name) VALUES (?)",
        &[ValueRef::Text("one")],
        None,
    )
    .unwrap();
    assert_eq!(conn.last_insert_id(), Some(1));
    // A SELECT leaves it alone.
    rows(&mut conn, "SELECT * FROM a", &[]);
    assert_eq!(conn.last_insert_id(), Some(1));

    let n = conn
        .run(
            "INSERT INTO a (name) VALUES (?), (?), (?)",
            &[
                ValueRef::Text("two"),
                ValueRef::Text("three"),
                ValueRef::Text("four"),
            ],
            None,
        )
        .unwrap();
    assert_eq!(n, 3);
    let first = conn.last_insert_id().unwrap();
    assert_eq!(
        first, 2,
        "LAST_INSERT_ID is the multi-row INSERT's first key"
    );
    let ids: Vec<i64> = rows(
        &mut conn,
        "SELECT id FROM a WHERE name IN ('two', 'three', 'four') ORDER BY id",
        &[],
    )
    .into_iter()
    .map(|r| i64::from_sql(r[0].as_ref()).unwrap())
    .collect();
    assert_eq!(ids, [2, 3, 4], "a multi-row INSERT's keys are consecutive");
    assert_eq!(
        scalar::<i64>(&mut conn, "SELECT LAST_INSERT_ID()"),
        first,
        "the server agrees"
    );
    let names: Vec<String> = rows(&mut conn, "SELECT name FROM a ORDER BY id", &[])
        .into_iter()
        .map(|r| String::from_sql(r[0].as_ref()).unwrap())
        .collect();
    assert_eq!(
        names,
        ["one", "two", "three", "four"],
        "keys follow row order"
    );

    // A failed INSERT keeps the previous id (and burns no visible row).
    conn.run(
        "INSERT INTO a (name) VALUES (?)",
        &[ValueRef::Text("one")],
        None,
    )
    .unwrap_err();
    assert_eq!(conn.last_insert_id(), Some(first));
    // An explicit key is reported as the id, as mysql_insert_id() does.
    conn.run(
        "INSERT INTO a (id, name) VALUES (?, ?)",
        &[ValueRef::Int(100), ValueRef::Text("hundred")],
        None,
    )
    .unwrap();
    assert_eq!(conn.last_insert_id(), Some(100));
    // An upsert that hits an existing row without changing it: the driver asks for found
    // rows (CLIENT_FOUND_ROWS), so it counts 1 (2 when a value changes), and no new key.
    let n = conn
        .run(
            "INSERT INTO a (name) VALUES (?) ON DUPLICATE KEY UPDATE name = VALUES(name)",
            &[ValueRef::Text("two")],
            None,
        )
        .unwrap();
    eprintln!(
        "upsert hitting an existing row: affected = {n}, last_insert_id = {:?}",
        conn.last_insert_id()
    );
    assert_eq!(n, 1);
    assert_eq!(conn.last_insert_id(), None);
    // Into a table without AUTO_INCREMENT: no key.
    exec(&mut conn, "CREATE TABLE plain (k INT PRIMARY KEY)");
    conn.run("INSERT INTO plain VALUES (?)", &[ValueRef::Int(9)], None)
        .unwrap();
    assert_eq!(conn.last_insert_id(), None);
    // Through a script as well.
    exec(&mut conn, "INSERT INTO a (name) VALUES ('script')");
    let script_id: i64 = scalar(&mut conn, "SELECT id FROM a WHERE name = 'script'");
    assert_eq!(conn.last_insert_id(), Some(script_id));
}

#[test]
#[cfg_attr(not(feature = "mysql"), ignore = "the `mysql` feature is off")]
#[cfg_attr(
    all(feature = "mysql", not(cinnabar_test_mysql)),
    ignore = "CINNABAR_TEST_MYSQL is not set"
)]
fn parallel_connections_from_one_engine() {
    let db = TestDb::new();
    let mut conn = db.conn();
    exec(
        &mut conn,
        "CREATE TABLE p (id INT AUTO_INCREMENT PRIMARY KEY, w INT) ENGINE=InnoDB",
    );
    drop(conn);
    let handles: Vec<_> = (0..4)
        .map(|w| {
            let engine = db.engine.clone();
            std::thread::spawn(move || {
                let mut c = engine.connect().unwrap();
                for _ in 0..25 {
                    c.run("INSERT INTO p (w) VALUES (?)", &[ValueRef::Int(w)], None)
                        .unwrap();
                    // The key is this connection's own row, not another thread's.
                    let id = c.last_insert_id().expect("a generated key");
                    let mut owner = None;
                    c.run(
                        "SELECT w FROM p WHERE id = ?",
                        &[ValueRef::Int(id)],
                        Some(&mut |r: &dyn Row| {
                            owner = Some(i64::from_sql(r.value(0)?)?);
                            Ok(())
                        }),
                    )
                    .unwrap();
                    assert_eq!(owner, Some(w), "row {id} behind last_insert_id");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let mut conn = db.conn();
    assert_eq!(
        scalar::<i64>(&mut conn, "SELECT COUNT(DISTINCT id) FROM p"),
        100
    );
}
