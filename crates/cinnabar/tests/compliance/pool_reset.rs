//! Reset on return: a connection given back to the pool comes out clean for the next user,
//! whatever raw SQL the last one ran (a transaction opened by hand, autocommit switched off,
//! a session setting changed). Each test uses an engine with one pooled connection, so the
//! next checkout is the same connection.

use super::*;

/// An engine on the test's database with exactly one pooled connection.
fn one_connection(db: &TestDb) -> Engine {
    Engine::with_options(
        &db.url,
        EngineOptions::new()
            .pool_size(1)
            .max_overflow(0)
            .pool_timeout(std::time::Duration::from_secs(5)),
    )
    .expect("engine")
}

fn insert_raw(c: &mut Connection, name: &str) {
    c.execute(
        text("INSERT INTO students (name, course) VALUES (:name, 'Python')").bind("name", name),
    )
    .unwrap_or_else(|e| panic!("insert {name}: {e}"));
}

/// The next user of the connection sees no rows of the abandoned work and no open
/// transaction: what it writes outside a transaction is visible to others at once, and the
/// abandoned row never appears (neither then nor after the next user's commit).
fn assert_clean_next_checkout(db: &TestDb, engine: &Engine, abandoned: &str) {
    let mut c = engine.connect().unwrap();
    let seen: i64 = c
        .scalar(text("SELECT COUNT(*) FROM students WHERE name = :n").bind("n", abandoned))
        .unwrap();
    assert_eq!(
        seen, 0,
        "the next user sees the abandoned row {abandoned:?}"
    );
    insert_raw(&mut c, "next user");
    assert_eq!(
        names_in_db(db),
        ["next user"],
        "the next user's autocommitted row is visible to others, the abandoned one is not"
    );
    drop(c);
    engine
        .begin(|c| -> Result<()> {
            insert_raw(c, "committed later");
            Ok(())
        })
        .unwrap();
    assert_eq!(names_in_db(db), ["next user", "committed later"]);
}

fn raw_begin_then_drop_is_rolled_back(db: &TestDb) {
    setup(db);
    let engine = one_connection(db);
    {
        let mut c = engine.connect().unwrap();
        let begin = match db.backend {
            Backend::MySql => "START TRANSACTION",
            _ => "BEGIN",
        };
        // Through text(): the driver sees it as one more statement.
        c.execute(text(begin)).unwrap();
        insert_raw(&mut c, "abandoned");
    }
    assert_eq!(engine.pool_status().idle, 1, "kept, not discarded");
    assert_clean_next_checkout(db, &engine, "abandoned");
}

fn session_settings_do_not_leak(db: &TestDb) {
    setup(db);
    let engine = one_connection(db);
    // A setting the driver applies at connect, changed by raw SQL, and how to read it.
    let (change, read, expected): (&str, &str, &str) = match db.backend {
        Backend::Sqlite => ("PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys", "1"),
        Backend::Postgres => (
            "SET statement_timeout = '4321s'",
            "SELECT current_setting('statement_timeout')",
            "0",
        ),
        Backend::MySql => (
            "SET SESSION sql_mode = ''",
            "SELECT INSTR(@@SESSION.sql_mode, 'STRICT_ALL_TABLES') > 0",
            "1",
        ),
    };
    let read_setting = |c: &mut Connection| -> String {
        let rows = c.execute(text(read)).unwrap();
        let row = rows.first().expect("a row");
        row.get::<String>(0)
            .or_else(|_| row.get::<i64>(0).map(|n| n.to_string()))
            .unwrap()
    };
    {
        let mut c = engine.connect().unwrap();
        assert_eq!(
            read_setting(&mut c),
            expected,
            "the driver's setting at connect"
        );
        if engine.transaction_pooled() {
            // Behind a transaction pooler a session SET would stay on a server connection
            // other clients share (docs/scaling/pgbouncer.md): the setting is changed the
            // one safe way, inside a transaction the connection is returned with.
            c.execute_script("BEGIN").unwrap();
            c.execute_script(&change.replacen("SET ", "SET LOCAL ", 1))
                .unwrap();
        } else {
            c.execute_script(change).unwrap();
        }
        assert_ne!(read_setting(&mut c), expected, "changed for this user");
    }
    let mut c = engine.connect().unwrap();
    assert_eq!(
        read_setting(&mut c),
        expected,
        "the next user gets the setting back"
    );
    // The connection still works as configured (PostgreSQL: its search_path is back too).
    insert_raw(&mut c, "after reset");
    drop(c);
    assert_eq!(names_in_db(db), ["after reset"]);
}

/// MySQL/MariaDB only: the other two have no autocommit session setting.
mod autocommit {
    use super::*;

    fn autocommit_off_does_not_leak(db: &TestDb) {
        setup(db);
        let engine = one_connection(db);
        {
            let mut c = engine.connect().unwrap();
            c.execute_script("SET autocommit = 0").unwrap();
            insert_raw(&mut c, "abandoned");
        }
        assert_clean_next_checkout(db, &engine, "abandoned");
        let mut c = engine.connect().unwrap();
        let on: i64 = c.scalar(text("SELECT @@autocommit")).unwrap();
        assert_eq!(on, 1, "autocommit is back on for the next user");
    }

    backend_tests_with!(autocommit_off_does_not_leak {
        sqlite: [#[ignore = "SQLite has no autocommit session setting"]],
        postgres: [#[ignore = "PostgreSQL has no autocommit session setting"]],
        mysql: [],
    });
}

backend_tests!(
    raw_begin_then_drop_is_rolled_back,
    session_settings_do_not_leak,
);
