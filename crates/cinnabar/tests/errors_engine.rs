//! Errors and engine behaviour against real SQLite files: URL errors, constraint violations
//! mapped to error kinds, conversion errors naming column and type, `Rows::one`, the pool
//! (timeouts, overflow, rollback on return, the shared in-memory connection), echo logging
//! and `BEGIN IMMEDIATE` waiting on the busy timeout.

#![allow(non_upper_case_globals)]

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cinnabar::dialect::BeginMode;
use cinnabar::prelude::*;
use cinnabar::sql::{self as sql, Delete, Expr, Insert, Select, Update};
use cinnabar::{Column as ColumnDef, ForeignKey, ReferentialAction, SqlType, Table, Value};

struct Student;

impl Student {
    const id: sql::Column<Student, i64> = sql::Column::new("students", "id", 0);
    const email: sql::Column<Student, String> = sql::Column::new("students", "email", 1);
    const name: sql::Column<Student, String> = sql::Column::new("students", "name", 2);
    const age: sql::Column<Student, Option<i64>> = sql::Column::new("students", "age", 3);
}

// ---------------------------------------------------------------------------------------------
// Fixtures.

struct Db {
    engine: Engine,
    url: String,
    _dir: tempfile::TempDir,
}

fn file_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite:///{}", dir.path().join("test.db").display())
}

fn empty_db(options: EngineOptions) -> Db {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = file_url(&dir);
    let engine = Engine::with_options(&url, options).expect("engine");
    Db {
        engine,
        url,
        _dir: dir,
    }
}

fn college_metadata() -> MetaData {
    let courses = Table::new("courses")
        .column(
            ColumnDef::new("id", SqlType::BigInt)
                .primary_key()
                .autoincrement(),
        )
        .column(ColumnDef::new("title", SqlType::Text(None)).unique());
    let students = Table::new("students")
        .column(
            ColumnDef::new("id", SqlType::BigInt)
                .primary_key()
                .autoincrement(),
        )
        .column(ColumnDef::new("email", SqlType::Text(None)).unique())
        .column(ColumnDef::new("name", SqlType::Text(None)))
        .column(ColumnDef::new("age", SqlType::BigInt).nullable())
        .column(ColumnDef::new("course_id", SqlType::BigInt).nullable())
        .foreign_key(ForeignKey::new("course_id", "courses", "id"));
    let enrollments = Table::new("enrollments")
        .column(ColumnDef::new("student_id", SqlType::BigInt).primary_key())
        .column(ColumnDef::new("course_id", SqlType::BigInt).primary_key());
    let lessons = Table::new("lessons")
        .column(
            ColumnDef::new("id", SqlType::BigInt)
                .primary_key()
                .autoincrement(),
        )
        .column(ColumnDef::new("course_id", SqlType::BigInt))
        .foreign_key(
            ForeignKey::new("course_id", "courses", "id").on_delete(ReferentialAction::Cascade),
        );
    MetaData::new()
        .with(courses)
        .with(students)
        .with(enrollments)
        .with(lessons)
}

fn college(options: EngineOptions) -> Db {
    let db = empty_db(options);
    college_metadata()
        .create_all(&db.engine)
        .expect("create_all");
    let mut conn = db.engine.connect().unwrap();
    conn.execute_script(
        "CREATE TABLE scores (id INTEGER PRIMARY KEY, points INTEGER NOT NULL, \
         CONSTRAINT points_nonneg CHECK (points >= 0))",
    )
    .unwrap();
    conn.execute(
        Insert::into("courses")
            .columns(["title"])
            .values(["Python"]),
    )
    .unwrap();
    db
}

fn insert_student(email: &str, name: &str) -> Insert {
    Insert::into("students")
        .columns(["email", "name"])
        .values([email, name])
}

fn count(conn: &mut Connection, table: &str) -> i64 {
    conn.scalar(Select::from(table.to_owned()).column(sql::count_star()))
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// URLs.

#[test]
fn malformed_urls_are_url_errors_naming_the_problem() {
    let cases = [
        ("college.db", "://"),
        ("oracle://scott:tiger@db.example/orcl", "oracle"),
        (
            "postgresql://scott:tiger@db.example:notaport/app",
            "notaport",
        ),
        ("postgresql://scott:tiger@db.example:99999/app", "99999"),
        ("mysql://scott:ti%zzger@db.example/app", "percent-encoding"),
        ("sqlite://somehost/college.db", "no host"),
        ("postgresql://scott:tiger@[::1/app", "'['"),
        ("sqlite:///college.db?timeout=soon", "timeout"),
    ];
    for (url, needle) in cases {
        let e = create_engine(url).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Url, "{url}: {e}");
        let shown = format!("{e} {e:?}");
        assert!(
            shown.contains(needle),
            "{url}: expected {needle:?} in {shown}"
        );
        assert!(!shown.contains("tiger"), "{url}: password leaked: {shown}");
        assert!(
            !shown.contains("ti%zzger"),
            "{url}: password leaked: {shown}"
        );
    }
}

#[test]
fn unknown_scheme_lists_the_known_ones() {
    for url in [
        "oracle://u@h/db",
        "mssql+pyodbc://u:pw@h/db",
        "SQLITE3:///x.db",
    ] {
        let e = create_engine(url).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Url, "{url}: {e}");
        assert!(e.message().contains("unknown backend"), "{e}");
        assert!(e.message().contains("sqlite"), "{e}");
        assert!(!e.to_string().contains(":pw@"), "{e}");
    }
}

#[test]
fn password_with_reserved_characters_never_leaks() {
    // SQLAlchemy accepts an unescaped '/' or '@' in the password; whether or not the URL
    // parses, the password must not be printed.
    for (url, password) in [
        ("postgresql://scott:ti/ger@db.example:bad/app", "ti/ger"),
        ("postgresql://scott:p@ss@db.example:bad/app", "p@ss"),
        ("mysql://root:se/cr@et@127.0.0.1:nope/test", "se/cr@et"),
    ] {
        let e = create_engine(url).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Url, "{url}: {e}");
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains(password), "{url}: password leaked: {shown}");
        assert!(shown.contains("invalid port"), "{url}: {shown}");
    }
}

#[test]
fn url_with_slash_in_password_parses_like_sqlalchemy() {
    let u = cinnabar::Url::parse("postgresql://scott:ti/ger@db.example:5433/app").unwrap();
    assert_eq!(u.username(), Some("scott"));
    assert_eq!(u.password(), Some("ti/ger"));
    assert_eq!(u.host(), Some("db.example"));
    assert_eq!(u.port(), Some(5433));
    assert_eq!(u.database(), Some("app"));
    assert!(!format!("{u} {u:?}").contains("ti/ger"));
    // An '@' after the first '/' belongs to the database name, not to a user.
    let u = cinnabar::Url::parse("postgresql://db.example/app@prod").unwrap();
    assert_eq!(u.username(), None);
    assert_eq!(u.host(), Some("db.example"));
    assert_eq!(u.database(), Some("app@prod"));
}

#[test]
fn unopenable_sqlite_file_is_a_connection_error_and_frees_the_slot() {
    let engine = create_engine("sqlite:////nonexistent-cinnabar-dir/sub/x.db").unwrap();
    let e = engine.connect().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
    assert!(
        e.message().contains("/nonexistent-cinnabar-dir/sub/x.db"),
        "{e}"
    );
    assert_eq!(engine.pool_status().open, 0, "failed connect leaks no slot");
}

// ---------------------------------------------------------------------------------------------
// Constraint violations.

#[test]
fn unique_violation_names_table_column() {
    let db = college(EngineOptions::new());
    let mut conn = db.engine.connect().unwrap();
    conn.execute(insert_student("ann@example.com", "Ann"))
        .unwrap();
    let e = conn
        .execute(insert_student("ann@example.com", "Other"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}");
    assert!(e.is_integrity());
    assert_eq!(e.constraint(), Some("students.email"));
    assert_eq!(e.code(), Some("2067"));
    assert!(
        e.sql().unwrap().starts_with("INSERT INTO \"students\""),
        "{e:?}"
    );
    // Values are never part of the error.
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains("ann@example.com"), "{shown}");
    assert!(!shown.contains("Other"), "{shown}");
    assert_eq!(count(&mut conn, "students"), 1);
}

#[test]
fn primary_key_violation_is_a_unique_violation() {
    let db = college(EngineOptions::new());
    let mut conn = db.engine.connect().unwrap();
    let ins = |email: &str| {
        Insert::into("students")
            .columns(["id", "email", "name"])
            .values([Value::Int(7), Value::from(email), Value::from("x")])
    };
    conn.execute(ins("a@x")).unwrap();
    let e = conn.execute(ins("b@x")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}");
    assert_eq!(e.constraint(), Some("students.id"));
    assert_eq!(e.code(), Some("1555"));

    let pair = || {
        Insert::into("enrollments")
            .columns(["student_id", "course_id"])
            .values([7, 1])
    };
    conn.execute(pair()).unwrap();
    let e = conn.execute(pair()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}");
    assert_eq!(
        e.constraint(),
        Some("enrollments.student_id, enrollments.course_id")
    );
}

#[test]
fn unique_violation_through_update() {
    let db = college(EngineOptions::new());
    let mut conn = db.engine.connect().unwrap();
    conn.execute(insert_student("a@x", "A")).unwrap();
    conn.execute(insert_student("b@x", "B")).unwrap();
    let e = conn
        .execute(
            Update::table("students")
                .set("email", Expr::value("a@x"))
                .filter(Student::name.eq("B")),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}");
    assert_eq!(e.constraint(), Some("students.email"));
    let email: String = conn
        .scalar(
            Select::from("students")
                .column(Student::email)
                .filter(Student::name.eq("B")),
        )
        .unwrap();
    assert_eq!(email, "b@x", "the failed UPDATE changed nothing");
}

#[test]
fn foreign_key_violations_on_insert_and_delete() {
    let db = college(EngineOptions::new());
    let mut conn = db.engine.connect().unwrap();
    let e = conn
        .execute(
            Insert::into("students")
                .columns(["email", "name", "course_id"])
                .values([Value::from("a@x"), Value::from("A"), Value::Int(999)]),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ForeignKeyViolation, "{e}");
    assert!(e.is_integrity());
    assert_eq!(e.code(), Some("787"));
    assert!(e.message().contains("FOREIGN KEY"), "{e}");
    assert_eq!(count(&mut conn, "students"), 0);

    conn.execute(
        Insert::into("students")
            .columns(["email", "name", "course_id"])
            .values([Value::from("a@x"), Value::from("A"), Value::Int(1)]),
    )
    .unwrap();
    let e = conn
        .execute(Delete::from("courses").filter(Expr::value(1).binary(
            sql::BinOp::Eq,
            Expr::Column(sql::ColumnRef::qualified("courses", "id")),
        )))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ForeignKeyViolation, "{e}");
    assert_eq!(count(&mut conn, "courses"), 1);
}

#[test]
fn on_delete_cascade_removes_children() {
    let db = college(EngineOptions::new());
    let mut conn = db.engine.connect().unwrap();
    conn.execute(
        Insert::into("lessons")
            .columns(["course_id"])
            .values([1])
            .values([1]),
    )
    .unwrap();
    assert_eq!(count(&mut conn, "lessons"), 2);
    let r = conn.execute(Delete::from("courses")).unwrap();
    assert_eq!(r.rows_affected(), 1);
    assert_eq!(count(&mut conn, "lessons"), 0);
}

#[test]
fn not_null_violation_names_table_column() {
    let db = college(EngineOptions::new());
    let mut conn = db.engine.connect().unwrap();
    let e = conn
        .execute(Insert::into("students").columns(["name"]).values(["A"]))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotNullViolation, "{e}");
    assert!(e.is_integrity());
    assert_eq!(e.constraint(), Some("students.email"));
    assert_eq!(e.code(), Some("1299"));

    conn.execute(insert_student("a@x", "A")).unwrap();
    let e = conn
        .execute(Update::table("students").set("name", Expr::value(Value::Null)))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotNullViolation, "{e}");
    assert_eq!(e.constraint(), Some("students.name"));
}

#[test]
fn check_violation_names_the_constraint() {
    let db = college(EngineOptions::new());
    let mut conn = db.engine.connect().unwrap();
    conn.execute(Insert::into("scores").columns(["points"]).values([5]))
        .unwrap();
    let e = conn
        .execute(Insert::into("scores").columns(["points"]).values([-1]))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::CheckViolation, "{e}");
    assert!(e.is_integrity());
    assert_eq!(e.constraint(), Some("points_nonneg"));
    assert_eq!(e.code(), Some("275"));
    assert_eq!(count(&mut conn, "scores"), 1);
}

#[test]
fn database_errors_carry_the_sql() {
    let db = college(EngineOptions::new());
    let mut conn = db.engine.connect().unwrap();
    let e = conn.execute(Select::from("no_such_table")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Database, "{e}");
    assert!(!e.is_integrity());
    assert!(e.message().contains("no_such_table"), "{e}");
    assert_eq!(e.sql(), Some("SELECT * FROM \"no_such_table\""));
}

// ---------------------------------------------------------------------------------------------
// Conversion errors name the column and the Rust type.

fn db_with_text_age() -> (Db, Connection) {
    let db = college(EngineOptions::new());
    let mut conn = db.engine.connect().unwrap();
    // SQLite keeps non-numeric text in an INTEGER column as TEXT.
    conn.execute(
        Insert::into("students")
            .columns(["email", "name", "age"])
            .values(["a@x", "Ann", "twenty"]),
    )
    .unwrap();
    (db, conn)
}

#[test]
fn rows_get_text_as_integer_names_column_and_type() {
    let (_db, mut conn) = db_with_text_age();
    let row = conn
        .execute(
            Select::from("students")
                .column(Student::name)
                .column(Student::age),
        )
        .unwrap()
        .one()
        .unwrap();
    for e in [
        row.get::<i64>("age").unwrap_err(),
        row.get::<i64>(1usize).unwrap_err(),
        row.get::<Option<i64>>("age").unwrap_err(),
    ] {
        assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
        assert!(e.message().contains("age"), "{e}");
        assert!(e.message().contains("TEXT"), "{e}");
        assert!(e.message().contains("i64"), "{e}");
    }
    let e = row.get::<i64>("name").unwrap_err();
    assert!(e.message().contains("name"), "{e}");

    // NULL into a non-Option type.
    let row = conn
        .execute(text("SELECT NULL AS nickname"))
        .unwrap()
        .one()
        .unwrap();
    let e = row.get::<String>("nickname").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
    assert!(e.message().contains("nickname"), "{e}");
    assert!(e.message().contains("NULL"), "{e}");
    assert!(e.message().contains("String"), "{e}");
    assert_eq!(row.get::<Option<String>>("nickname").unwrap(), None);
}

#[test]
fn out_of_range_integer_names_column_and_type() {
    let db = college(EngineOptions::new());
    let mut conn = db.engine.connect().unwrap();
    let row = conn
        .execute(text("SELECT :v AS big").bind("v", i64::MAX))
        .unwrap()
        .one()
        .unwrap();
    let e = row.get::<i32>("big").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
    assert!(e.message().contains("big"), "{e}");
    assert!(e.message().contains("i32"), "{e}");
    assert_eq!(row.get::<i64>("big").unwrap(), i64::MAX);
}

#[test]
fn missing_column_is_misuse_listing_columns() {
    let (_db, mut conn) = db_with_text_age();
    let row = conn
        .execute(Select::from("students").column(Student::name))
        .unwrap()
        .one()
        .unwrap();
    let e = row.get::<String>("nmae").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
    assert!(e.message().contains("nmae"), "{e}");
    assert!(e.message().contains("name"), "{e}");
    let e = row.get::<String>(5usize).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
}

#[derive(cinnabar::FromRow, Debug)]
struct NameAge {
    #[allow(dead_code)]
    name: String,
    #[allow(dead_code)]
    age: i64,
}

#[test]
fn from_row_conversion_errors_name_column_and_type() {
    let (_db, mut conn) = db_with_text_age();
    let select = || {
        Select::from("students")
            .column(Student::name)
            .column(Student::age)
    };

    let e = conn.query_as::<NameAge>(select()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
    assert!(e.message().contains("age"), "{e}");
    assert!(e.message().contains("i64"), "{e}");

    let rows = conn.execute(select()).unwrap();
    let e = rows.map_into::<NameAge>().unwrap_err();
    assert!(e.message().contains("age"), "{e}");
    assert!(e.message().contains("TEXT"), "{e}");
}

#[test]
fn tuple_from_row_conversion_errors_name_the_column() {
    let (_db, mut conn) = db_with_text_age();
    let e = conn
        .query_as::<(String, i64)>(
            Select::from("students")
                .column(Student::name)
                .column(Student::age),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
    assert!(e.message().contains("age"), "{e}");
    assert!(e.message().contains("i64"), "{e}");
    let e = conn
        .execute(Select::from("students").column(Student::age))
        .unwrap()
        .map_into::<(i64,)>()
        .unwrap_err();
    assert!(e.message().contains("age"), "{e}");
}

#[test]
fn scalar_conversion_error_names_column() {
    let (_db, mut conn) = db_with_text_age();
    let e = conn
        .scalar::<i64>(Select::from("students").column(Student::age))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
    assert!(e.message().contains("age"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Rows::one / scalar.

#[test]
fn rows_one_no_row_and_multiple_rows() {
    let db = college(EngineOptions::new());
    let mut conn = db.engine.connect().unwrap();
    let by_name = |n: &str| {
        Select::from("students")
            .column(Student::id)
            .filter(Student::name.eq(n))
    };

    let e = conn.execute(by_name("Ann")).unwrap().one().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoRow, "{e}");
    let e = conn.scalar::<i64>(by_name("Ann")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoRow, "{e}");

    conn.execute(insert_student("a@x", "Ann")).unwrap();
    let row = conn.execute(by_name("Ann")).unwrap().one().unwrap();
    assert_eq!(row.get::<i64>("id").unwrap(), 1);

    conn.execute(insert_student("b@x", "Ann")).unwrap();
    let e = conn.execute(by_name("Ann")).unwrap().one().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MultipleRows, "{e}");
    assert!(e.message().contains('2'), "{e}");
    // scalar takes the first row of several.
    assert_eq!(
        conn.scalar::<i64>(by_name("Ann").order_by(Student::id.desc()))
            .unwrap(),
        2
    );
}

// ---------------------------------------------------------------------------------------------
// Pool.

#[test]
fn pool_timeout_when_the_only_connection_is_held() {
    let db = empty_db(
        EngineOptions::new()
            .pool_size(1)
            .max_overflow(0)
            .pool_timeout(Duration::from_millis(150)),
    );
    let first = db.engine.connect().unwrap();
    let start = Instant::now();
    let e = db.engine.connect().unwrap_err();
    let waited = start.elapsed();
    assert_eq!(e.kind(), ErrorKind::PoolTimeout, "{e}");
    assert!(waited >= Duration::from_millis(150), "{waited:?}");
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    assert!(e.message().contains("pool size 1"), "{e}");
    drop(first);
    let again = db.engine.connect().expect("free again after return");
    drop(again);
    let status = db.engine.pool_status();
    assert_eq!((status.open, status.idle), (1, 1));
}

#[test]
fn pool_overflow_connections_close_on_return() {
    let db = empty_db(
        EngineOptions::new()
            .pool_size(1)
            .max_overflow(1)
            .pool_timeout(Duration::from_millis(50)),
    );
    let a = db.engine.connect().unwrap();
    let b = db.engine.connect().unwrap();
    assert_eq!(db.engine.pool_status().open, 2);
    assert_eq!(
        db.engine.connect().unwrap_err().kind(),
        ErrorKind::PoolTimeout
    );
    drop(a);
    drop(b);
    let status = db.engine.pool_status();
    assert_eq!((status.open, status.idle), (1, 1), "overflow closed");
}

#[test]
fn pool_checkout_waits_for_a_returned_connection() {
    let db = empty_db(
        EngineOptions::new()
            .pool_size(1)
            .max_overflow(0)
            .pool_timeout(Duration::from_secs(10)),
    );
    let held = db.engine.connect().unwrap();
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        drop(held);
    });
    let start = Instant::now();
    let conn = db.engine.connect().expect("gets the returned connection");
    assert!(start.elapsed() >= Duration::from_millis(80));
    assert!(start.elapsed() < Duration::from_secs(5));
    releaser.join().unwrap();
    drop(conn);
}

#[test]
fn connection_returned_inside_a_transaction_is_rolled_back() {
    let db = college(
        EngineOptions::new()
            .pool_size(1)
            .max_overflow(0)
            .sqlite_busy_timeout(Duration::from_millis(200)),
    );
    {
        let mut conn = db.engine.connect().unwrap();
        assert_eq!(conn.begin_level(BeginMode::Immediate).unwrap(), 1);
        conn.execute(insert_student("a@x", "Ann")).unwrap();
        assert!(conn.in_transaction());
        // Dropped without commit: the pool must roll back before reuse.
    }
    let status = db.engine.pool_status();
    assert_eq!((status.open, status.idle), (1, 1), "kept, not discarded");

    // Another engine on the same file can take the write lock at once.
    let other = Engine::with_options(
        &db.url,
        EngineOptions::new().sqlite_busy_timeout(Duration::from_millis(200)),
    )
    .unwrap();
    let mut other_conn = other.connect().unwrap();
    other_conn
        .begin_level(BeginMode::Immediate)
        .expect("write lock was released");
    other_conn.rollback_level().unwrap();
    drop(other_conn);

    // The same pooled connection is reused, outside any transaction, and the row is gone.
    let mut conn = db.engine.connect().unwrap();
    assert_eq!(count(&mut conn, "students"), 0);
    assert_eq!(conn.transaction_depth(), 0);
    conn.begin_level(BeginMode::Immediate)
        .expect("no transaction left open on the reused connection");
    conn.rollback_level().unwrap();
}

#[test]
fn transaction_guard_rolls_back_on_drop_and_commits_on_commit() {
    let db = college(EngineOptions::new());
    let mut conn = db.engine.connect().unwrap();
    {
        let mut tx = conn.begin().unwrap();
        tx.execute(insert_student("a@x", "Ann")).unwrap();
        assert_eq!(tx.transaction_depth(), 1);
    }
    assert_eq!(conn.transaction_depth(), 0);
    assert_eq!(count(&mut conn, "students"), 0);

    let mut tx = conn.begin().unwrap();
    tx.execute(insert_student("a@x", "Ann")).unwrap();
    tx.commit().unwrap();
    assert_eq!(count(&mut conn, "students"), 1);

    // Engine::begin: Err rolls back, Ok commits.
    let r: Result<()> = db.engine.begin(|c| {
        c.execute(insert_student("b@x", "Bob"))?;
        c.execute(insert_student("a@x", "dup"))?;
        Ok(())
    });
    assert_eq!(r.unwrap_err().kind(), ErrorKind::UniqueViolation);
    assert_eq!(count(&mut conn, "students"), 1, "Bob was rolled back");
}

#[test]
fn memory_engine_shares_one_connection() {
    for url in ["sqlite://", "sqlite:///:memory:"] {
        let engine = Engine::with_options(
            url,
            EngineOptions::new()
                .pool_size(5)
                .max_overflow(10)
                .pool_timeout(Duration::from_millis(50)),
        )
        .unwrap();
        {
            let mut conn = engine.connect().unwrap();
            conn.execute_script("CREATE TABLE t (x INTEGER)").unwrap();
            conn.execute(Insert::into("t").columns(["x"]).values([1]))
                .unwrap();
        }
        {
            let mut conn = engine.connect().unwrap();
            assert_eq!(count(&mut conn, "t"), 1, "{url}: same database");
            // Forced to one connection whatever the options say.
            let e = engine.connect().unwrap_err();
            assert_eq!(e.kind(), ErrorKind::PoolTimeout, "{url}: {e}");
        }
        let status = engine.pool_status();
        assert_eq!((status.open, status.idle), (1, 1), "{url}");
    }
}

#[test]
fn separate_file_engines_see_each_others_commits() {
    let db = college(EngineOptions::new());
    db.engine
        .begin(|c| c.execute(insert_student("a@x", "Ann")).map(|_| ()))
        .unwrap();
    let other = create_engine(&db.url).unwrap();
    let mut conn = other.connect().unwrap();
    assert_eq!(count(&mut conn, "students"), 1);
}

// ---------------------------------------------------------------------------------------------
// Echo logging.

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

fn capturing() -> (Capture, impl Sized) {
    use tracing_subscriber::util::SubscriberInitExt;
    let cap = Capture::default();
    let writer = cap.clone();
    let guard = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
        .finish()
        .set_default();
    (cap, guard)
}

#[test]
fn echo_logs_statements_and_params() {
    let (cap, _guard) = capturing();
    let db = college(EngineOptions::new().echo(true).log_parameters(true));
    assert!(db.engine.echo());
    let mut conn = db.engine.connect().unwrap();
    conn.execute(insert_student("ann@example.com", "Ann"))
        .unwrap();
    conn.execute(
        Select::from("students")
            .column(Student::name)
            .filter(Student::age.is_null())
            .filter(Student::id.eq(1)),
    )
    .unwrap();
    conn.execute(text("SELECT :blob AS b").bind("blob", vec![1u8, 2, 3]))
        .unwrap();
    let long = "x".repeat(200);
    conn.execute(text("SELECT :long AS l").bind("long", long.as_str()))
        .unwrap();
    let log = cap.text();
    assert!(log.contains("cinnabar::engine"), "{log}");
    assert!(
        log.contains(
            r#"INSERT INTO "students" ("email", "name") VALUES (?, ?) ["ann@example.com", "Ann"]"#
        ),
        "{log}"
    );
    assert!(
        log.contains(r#"SELECT "students"."name" FROM "students" WHERE ("students"."age" IS NULL) AND ("students"."id" = ?) [1]"#),
        "{log}"
    );
    assert!(log.contains("SELECT ? AS b [<3 bytes>]"), "{log}");
    // Long values are shortened, not dumped.
    assert!(log.contains("SELECT ? AS l [\"xxx"), "{log}");
    assert!(!log.contains(&long), "{log}");
    // DDL from create_all and transaction control are logged too.
    assert!(
        log.contains("CREATE TABLE IF NOT EXISTS \"students\""),
        "{log}"
    );
    assert!(log.contains("BEGIN IMMEDIATE"), "{log}");
    assert!(log.contains("COMMIT"), "{log}");
}

#[test]
fn echo_hides_params_by_default() {
    let (cap, _guard) = capturing();
    let db = college(EngineOptions::new().echo(true));
    let mut conn = db.engine.connect().unwrap();
    conn.execute(insert_student("ann@example.com", "Ann"))
        .unwrap();
    let log = cap.text();
    assert!(
        log.contains(r#"INSERT INTO "students" ("email", "name") VALUES (?, ?)"#),
        "{log}"
    );
    assert!(!log.contains("ann@example.com"), "{log}");
}

#[test]
fn no_echo_logs_nothing() {
    let (cap, _guard) = capturing();
    let db = college(EngineOptions::new());
    assert!(!db.engine.echo());
    let mut conn = db.engine.connect().unwrap();
    conn.execute(insert_student("ann@example.com", "Ann"))
        .unwrap();
    let log = cap.text();
    assert!(!log.contains("INSERT"), "{log}");
    assert!(!log.contains("ann@example.com"), "{log}");
}

// ---------------------------------------------------------------------------------------------
// BEGIN IMMEDIATE and the busy timeout.

fn assert_busy_after_timeout(engine: &Engine, timeout: Duration) {
    let mut a = engine.connect().unwrap();
    let mut b = engine.connect().unwrap();
    a.begin_level(BeginMode::Immediate).unwrap();
    a.execute(insert_student("a@x", "Ann")).unwrap();

    let start = Instant::now();
    let e = b.begin_level(BeginMode::Immediate).unwrap_err();
    let waited = start.elapsed();
    assert_eq!(e.kind(), ErrorKind::Busy, "{e}");
    assert!(e.is_retryable(), "busy at BEGIN is retryable: {e}");
    assert!(e.message().contains("locked"), "{e}");
    assert!(waited >= timeout.mul_f32(0.9), "gave up early: {waited:?}");
    assert!(
        waited < Duration::from_secs(4),
        "waited too long: {waited:?}"
    );
    assert_eq!(b.transaction_depth(), 0, "no level opened on failure");

    // The guard API uses BEGIN IMMEDIATE on SQLite too.
    let start = Instant::now();
    let e = b.begin().map(|_| ()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Busy, "{e}");
    assert!(e.is_retryable(), "busy at BEGIN is retryable: {e}");
    assert!(start.elapsed() >= timeout.mul_f32(0.9));

    // Readers are not blocked by the writer (WAL), and see only committed data.
    assert_eq!(count(&mut b, "students"), 0);

    a.commit_level().unwrap();
    let mut tx = b.begin().expect("free after commit");
    tx.execute(insert_student("b@x", "Bob")).unwrap();
    tx.commit().unwrap();
    assert_eq!(count(&mut b, "students"), 2);
}

#[test]
fn begin_immediate_waits_for_busy_timeout_then_reports_busy() {
    let timeout = Duration::from_millis(200);
    let db = college(EngineOptions::new().sqlite_busy_timeout(timeout));
    assert_busy_after_timeout(&db.engine, timeout);
}

#[test]
fn busy_timeout_from_url_query() {
    let db = college(EngineOptions::new());
    let engine = create_engine(&format!("{}?timeout=0.2", db.url)).unwrap();
    assert_busy_after_timeout(&engine, Duration::from_millis(200));
}

#[test]
fn waiting_writer_gets_the_lock_when_released_within_the_timeout() {
    let db = college(EngineOptions::new().sqlite_busy_timeout(Duration::from_secs(10)));
    let mut a = db.engine.connect().unwrap();
    a.begin_level(BeginMode::Immediate).unwrap();
    a.execute(insert_student("a@x", "Ann")).unwrap();
    let engine = db.engine.clone();
    let waiter = std::thread::spawn(move || {
        let mut b = engine.connect().unwrap();
        let start = Instant::now();
        b.transaction(|tx| tx.execute(insert_student("b@x", "Bob")).map(|_| ()))
            .unwrap();
        start.elapsed()
    });
    std::thread::sleep(Duration::from_millis(150));
    a.commit_level().unwrap();
    let waited = waiter.join().unwrap();
    assert!(waited >= Duration::from_millis(100), "{waited:?}");
    assert_eq!(count(&mut a, "students"), 2);
}
