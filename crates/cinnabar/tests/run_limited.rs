//! `Connection::run_limited`, what the ORM's compact `first()` / `one_or_none()` run: the
//! sink gets at most `max_rows` rows, a query may stop there (SQLite does not step again,
//! PostgreSQL reads a few rows in one wait), the connection stays usable, and a statement
//! that writes runs to its end whatever the sink takes. On every backend
//! (`backend_tests!`; MariaDB/MySQL use the default, which hands on the first rows).

#[macro_use]
mod support;

use cinnabar::prelude::*;
use cinnabar::Value;
use support::TestDb;

fn limited(conn: &mut Connection, sql: &str, max: usize) -> Vec<i64> {
    let mut out = Vec::new();
    conn.run_limited(sql, &[], max, &mut |row: &dyn Row| {
        match row.value(0)? {
            cinnabar::ValueRef::Int(a) => out.push(a),
            other => panic!("{other:?}"),
        }
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{sql}: {e}"));
    out
}

fn limited_runs_hand_on_at_most_max_rows(db: &TestDb) {
    let mut conn = db.engine.connect().unwrap();
    conn.execute_script("CREATE TABLE lim (a BIGINT NOT NULL)")
        .unwrap();
    for a in 1..=20 {
        conn.execute(text("INSERT INTO lim (a) VALUES (:a)").bind("a", a))
            .unwrap();
    }
    let q = "SELECT a FROM lim ORDER BY a";
    assert_eq!(limited(&mut conn, &format!("{q} LIMIT 1"), 1), [1]);
    assert_eq!(limited(&mut conn, &format!("{q} LIMIT 2"), 2), [1, 2]);
    assert_eq!(limited(&mut conn, &format!("{q} LIMIT 5"), 3), [1, 2, 3]);
    assert_eq!(limited(&mut conn, q, 12), (1..=12).collect::<Vec<_>>());
    assert!(limited(&mut conn, &format!("{q} LIMIT 0"), 1).is_empty());
    // The statement stopped early is reset: the same SQL runs again from the start, and
    // other statements run (SQLite would report a statement still stepping on commit).
    assert_eq!(limited(&mut conn, &format!("{q} LIMIT 5"), 3), [1, 2, 3]);
    let mut tx = conn.begin().unwrap();
    assert_eq!(limited(&mut tx, &format!("{q} LIMIT 5"), 1), [1]);
    tx.execute(text("DELETE FROM lim WHERE a > 10")).unwrap();
    tx.commit().unwrap();
    let n: i64 = conn.scalar(text("SELECT COUNT(*) FROM lim")).unwrap();
    assert_eq!(n, 10);
    if db.engine.dialect().supports_returning() {
        // A write runs to its end: all three rows are inserted, one handed on.
        let returned = limited(
            &mut conn,
            "INSERT INTO lim (a) VALUES (100), (101), (102) RETURNING a",
            1,
        );
        assert_eq!(returned.len(), 1);
        let n: i64 = conn.scalar(text("SELECT COUNT(*) FROM lim")).unwrap();
        assert_eq!(n, 13);
    }
    let v: Value = conn
        .execute(text("SELECT MAX(a) FROM lim"))
        .unwrap()
        .first()
        .unwrap()
        .value(0)
        .unwrap()
        .to_owned_value();
    assert!(matches!(v, Value::Int(10 | 102)), "{v:?}");
}

backend_tests!(limited_runs_hand_on_at_most_max_rows);
