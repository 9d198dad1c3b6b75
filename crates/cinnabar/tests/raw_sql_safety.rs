//! SQL-injection safety against a real SQLite file: hostile strings bound as values through
//! `text()` and through the typed API round-trip exactly and drop nothing; hostile
//! identifiers go through the core builders quoted and work; binding mistakes are reported
//! with the right error kind before anything runs.

#![allow(non_upper_case_globals)]

use std::collections::BTreeSet;

use cinnabar::prelude::*;
use cinnabar::sql::{
    self as sql, ColumnRef, CreateIndex, CreateTable, Delete, DropTable, Expr, Insert, Select,
    Update,
};
use cinnabar::{Column as ColumnDef, ForeignKey, Index, SqlType, Table, Value};

struct Student;

impl Student {
    const id: sql::Column<Student, i64> = sql::Column::new("students", "id", 0);
    const name: sql::Column<Student, String> = sql::Column::new("students", "name", 1);
    const nickname: sql::Column<Student, Option<String>> =
        sql::Column::new("students", "nickname", 2);
    const big: sql::Column<Student, u64> = sql::Column::new("students", "big", 3);
}

const HOSTILE: &[&str] = &[
    "'; DROP TABLE students; --",
    "\" OR 1=1 --",
    "` OR 1=1 #",
    "Robert'); DROP TABLE students;--",
    "a\0b",
    "\0",
    "/* */",
    "*/ DROP TABLE canary; /*",
    "'; DELETE FROM canary; SELECT '",
    "' OR ''='",
    "\\'; DROP TABLE canary; --",
    "héllo wörld 日本語 🦀 \u{202e}evil \u{feff}",
    ":v",
    ":name",
    "$1",
    "?",
    "%_%",
    "line\nbreak\r\n-- comment\n",
    "",
    " ",
];

struct Db {
    engine: Engine,
    // Dropped after the engine: the file outlives its connections.
    _dir: tempfile::TempDir,
}

fn setup() -> Db {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("safety.db");
    let engine = create_engine(&format!("sqlite:///{}", path.display())).expect("engine");
    let students = Table::new("students")
        .column(
            ColumnDef::new("id", SqlType::BigInt)
                .primary_key()
                .autoincrement(),
        )
        .column(ColumnDef::new("name", SqlType::Text(None)))
        .column(ColumnDef::new("nickname", SqlType::Text(None)).nullable())
        .column(ColumnDef::new("big", SqlType::BigInt).nullable())
        .column(ColumnDef::new("data", SqlType::Blob).nullable());
    let canary = Table::new("canary").column(ColumnDef::new("x", SqlType::Integer));
    MetaData::new()
        .with(students)
        .with(canary)
        .create_all(&engine)
        .expect("create_all");
    let mut conn = engine.connect().unwrap();
    conn.execute(Insert::into("canary").columns(["x"]).values([42]))
        .unwrap();
    Db { engine, _dir: dir }
}

fn table_names(conn: &mut Connection) -> BTreeSet<String> {
    conn.execute(text(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    ))
    .unwrap()
    .rows()
    .iter()
    .map(|r| r.get::<String>(0usize).unwrap())
    .collect()
}

fn count(conn: &mut Connection, table: &str) -> i64 {
    conn.scalar(Select::from(table.to_owned()).column(count_star()))
        .unwrap()
}

#[track_caller]
fn assert_nothing_dropped(conn: &mut Connection) {
    let names = table_names(conn);
    assert!(names.contains("students"), "{names:?}");
    assert!(names.contains("canary"), "{names:?}");
    assert_eq!(count(conn, "canary"), 1, "the canary row is intact");
    let x: i64 = conn.scalar(text("SELECT x FROM canary")).unwrap();
    assert_eq!(x, 42);
}

#[test]
fn hostile_values_round_trip_through_text_bind() {
    let db = setup();
    let mut conn = db.engine.connect().unwrap();
    for &s in HOSTILE {
        let r = conn
            .execute(text("INSERT INTO students (name, nickname) VALUES (:v, :v)").bind("v", s))
            .unwrap_or_else(|e| panic!("insert {s:?}: {e}"));
        assert_eq!(r.rows_affected(), 1, "{s:?}");

        let row = conn
            .execute(
                text("SELECT name, nickname FROM students WHERE name = :v AND nickname = :v")
                    .bind("v", s),
            )
            .unwrap()
            .one()
            .unwrap_or_else(|e| panic!("exactly one row for {s:?}: {e}"));
        assert_eq!(row.get::<String>("name").unwrap(), s);
        assert_eq!(
            row.get::<Option<String>>("nickname").unwrap().as_deref(),
            Some(s)
        );

        // Exact byte length survives (no truncation at NUL, no re-encoding).
        let len: i64 = conn
            .scalar(
                text("SELECT length(CAST(name AS BLOB)) FROM students WHERE name = :v")
                    .bind("v", s),
            )
            .unwrap();
        assert_eq!(len as usize, s.len(), "{s:?}");
    }
    assert_eq!(count(&mut conn, "students"), HOSTILE.len() as i64);
    assert_nothing_dropped(&mut conn);
}

#[test]
fn hostile_values_in_several_params_of_one_statement() {
    let db = setup();
    let mut conn = db.engine.connect().unwrap();
    for pair in HOSTILE.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        conn.execute(
            text("INSERT INTO students (name, nickname) VALUES (:a, :b)")
                .bind("a", a)
                .bind("b", b),
        )
        .unwrap();
        let id = conn.last_insert_id().unwrap();
        let (name, nick): (String, Option<String>) = conn
            .query_as(text("SELECT name, nickname FROM students WHERE id = :id").bind("id", id))
            .unwrap()
            .pop()
            .unwrap();
        assert_eq!(name, a);
        assert_eq!(nick.as_deref(), Some(b));
    }
    assert_nothing_dropped(&mut conn);
}

#[test]
fn hostile_values_round_trip_through_the_typed_api() {
    let db = setup();
    let mut conn = db.engine.connect().unwrap();
    for &s in HOSTILE {
        let r = conn
            .execute(
                Insert::into("students")
                    .columns(["name", "nickname"])
                    .values([s, s]),
            )
            .unwrap();
        assert_eq!(r.rows_affected(), 1);

        let got: String = conn
            .scalar(
                Select::from("students")
                    .column(Student::name)
                    .filter(Student::name.eq(s))
                    .filter(Student::nickname.eq(s)),
            )
            .unwrap_or_else(|e| panic!("select {s:?}: {e}"));
        assert_eq!(got, s);

        // IN, LIKE on a hostile pattern and concatenation with a hostile operand all run.
        let n: i64 = conn
            .scalar(
                Select::from("students")
                    .column(count_star())
                    .filter(Student::name.in_([s, "nobody"]))
                    .filter(Student::name.concat(s).eq(format!("{s}{s}"))),
            )
            .unwrap();
        assert_eq!(n, 1, "{s:?}");
        conn.scalar::<i64>(
            Select::from("students")
                .column(count_star())
                .filter(Student::name.like(s)),
        )
        .unwrap();

        let r = conn
            .execute(
                Update::table("students")
                    .set("nickname", Expr::value(format!("{s}!")))
                    .filter(Student::name.eq(s)),
            )
            .unwrap();
        assert_eq!(r.rows_affected(), 1, "{s:?}");
        let nick: Option<String> = conn
            .scalar(
                Select::from("students")
                    .column(Student::nickname)
                    .filter(Student::name.eq(s)),
            )
            .unwrap();
        assert_eq!(nick, Some(format!("{s}!")));

        let r = conn
            .execute(Delete::from("students").filter(Student::name.eq(s)))
            .unwrap();
        assert_eq!(r.rows_affected(), 1, "{s:?}");
    }
    assert_eq!(count(&mut conn, "students"), 0);
    assert_nothing_dropped(&mut conn);
}

#[test]
fn hostile_bytes_round_trip_as_blobs() {
    let db = setup();
    let mut conn = db.engine.connect().unwrap();
    let bytes: Vec<u8> = b"'; DROP TABLE students; --\0\"`\xff\xfe"
        .iter()
        .copied()
        .chain(0..=255)
        .collect();
    conn.execute(
        Insert::into("students")
            .columns(["name", "data"])
            .values([Value::Text("blob".into()), Value::Blob(bytes.clone())]),
    )
    .unwrap();
    let got: Vec<u8> = conn
        .scalar(text("SELECT data FROM students WHERE data = :d").bind("d", bytes.clone()))
        .unwrap();
    assert_eq!(got, bytes);
    assert_nothing_dropped(&mut conn);
}

#[test]
fn colon_names_inside_bound_values_are_not_parameters() {
    let db = setup();
    let mut conn = db.engine.connect().unwrap();
    // The value contains `:other`; only the SQL text is scanned for markers.
    conn.execute(text("INSERT INTO students (name) VALUES (:v)").bind("v", "x :other y"))
        .unwrap();
    let got: String = conn
        .scalar(text("SELECT name FROM students WHERE name LIKE '%:other%'"))
        .unwrap();
    assert_eq!(got, "x :other y");
}

// ---------------------------------------------------------------------------------------------
// Hostile identifiers.

const WEIRD_TABLE: &str = "stu\"dents'; DROP TABLE students; --";
const WEIRD_COLUMNS: [&str; 3] = ["na\"me", "back`tick col", "'; DROP TABLE canary; --"];

#[test]
fn hostile_identifiers_create_query_and_drop_a_table() {
    let db = setup();
    let mut conn = db.engine.connect().unwrap();

    let table = Table::new(WEIRD_TABLE)
        .column(
            ColumnDef::new("i\"d", SqlType::BigInt)
                .primary_key()
                .autoincrement(),
        )
        .column(ColumnDef::new(WEIRD_COLUMNS[0], SqlType::Text(None)).unique())
        .column(ColumnDef::new(WEIRD_COLUMNS[1], SqlType::Integer).nullable())
        .column(ColumnDef::new(WEIRD_COLUMNS[2], SqlType::Text(None)).nullable())
        .foreign_key(ForeignKey::new(WEIRD_COLUMNS[1], "students", "id"));
    conn.execute(CreateTable {
        table,
        if_not_exists: false,
    })
    .unwrap();
    let index = Index::new(
        "ix\"; DROP TABLE canary; --",
        &[WEIRD_COLUMNS[2], WEIRD_COLUMNS[0]],
    );
    conn.execute(CreateIndex {
        table: WEIRD_TABLE.into(),
        index: index.clone(),
        if_not_exists: true,
    })
    .unwrap();

    let names = table_names(&mut conn);
    assert_eq!(
        names,
        ["canary", "students", WEIRD_TABLE]
            .into_iter()
            .map(String::from)
            .collect::<BTreeSet<_>>()
    );
    let index_name: String = conn
        .scalar(text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t AND name LIKE 'ix%'").bind("t", WEIRD_TABLE))
        .unwrap();
    assert_eq!(index_name, index.name);

    // Column names as SQLite sees them are exactly the declared ones.
    let cols: Vec<String> = conn
        .execute(text("SELECT name FROM pragma_table_info(:t) ORDER BY cid").bind("t", WEIRD_TABLE))
        .unwrap()
        .rows()
        .iter()
        .map(|r| r.get::<String>(0usize).unwrap())
        .collect();
    assert_eq!(
        cols,
        ["i\"d", WEIRD_COLUMNS[0], WEIRD_COLUMNS[1], WEIRD_COLUMNS[2]]
    );

    // INSERT / SELECT / UPDATE / DELETE through the builders.
    let r = conn
        .execute(
            Insert::into(WEIRD_TABLE)
                .columns(WEIRD_COLUMNS)
                .values([
                    Value::Text("a".into()),
                    Value::Null,
                    Value::Text("x".into()),
                ])
                .values([
                    Value::Text("b".into()),
                    Value::Null,
                    Value::Text("y".into()),
                ])
                .returning("i\"d"),
        )
        .unwrap();
    assert_eq!(r.len(), 2, "RETURNING the weird key column");
    assert_eq!(r.columns(), ["i\"d"]);

    let col = |c: &'static str| Expr::Column(ColumnRef::qualified(WEIRD_TABLE, c));
    let rows = conn
        .execute(
            Select::from(WEIRD_TABLE)
                .column_as(col(WEIRD_COLUMNS[0]), "we\"ird alias")
                .column(col(WEIRD_COLUMNS[2]))
                .filter(Expr::IsNull {
                    expr: Box::new(col(WEIRD_COLUMNS[1])),
                    negated: false,
                })
                .order_by(sql::OrderBy {
                    expr: col(WEIRD_COLUMNS[0]),
                    desc: true,
                }),
        )
        .unwrap();
    assert_eq!(rows.columns(), ["we\"ird alias", WEIRD_COLUMNS[2]]);
    let got: Vec<(String, String)> = rows
        .rows()
        .iter()
        .map(|r| (r.get(0usize).unwrap(), r.get(1usize).unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("b".to_string(), "y".to_string()),
            ("a".to_string(), "x".to_string())
        ]
    );

    let r = conn
        .execute(
            Update::table(WEIRD_TABLE)
                .set(WEIRD_COLUMNS[2], Expr::value("'; DROP TABLE students; --"))
                .filter(col(WEIRD_COLUMNS[0]).binary(sql::BinOp::Eq, Expr::value("a"))),
        )
        .unwrap();
    assert_eq!(r.rows_affected(), 1);
    let v: String = conn
        .scalar(
            Select::from(WEIRD_TABLE)
                .column(col(WEIRD_COLUMNS[2]))
                .filter(col(WEIRD_COLUMNS[0]).binary(sql::BinOp::Eq, Expr::value("a"))),
        )
        .unwrap();
    assert_eq!(v, "'; DROP TABLE students; --");

    let r = conn
        .execute(
            Delete::from(WEIRD_TABLE)
                .filter(col(WEIRD_COLUMNS[0]).binary(sql::BinOp::Eq, Expr::value("b"))),
        )
        .unwrap();
    assert_eq!(r.rows_affected(), 1);
    assert_eq!(count(&mut conn, WEIRD_TABLE), 1);
    assert_nothing_dropped(&mut conn);

    conn.execute(DropTable {
        name: WEIRD_TABLE.into(),
        if_exists: false,
    })
    .unwrap();
    let names = table_names(&mut conn);
    assert!(!names.contains(WEIRD_TABLE), "{names:?}");
    assert_nothing_dropped(&mut conn);
}

#[test]
fn hostile_identifiers_through_create_all() {
    let db = setup();
    let table = Table::new("x\"; DROP TABLE canary; --")
        .column(ColumnDef::new("`c`", SqlType::Text(None)).index());
    let md = MetaData::new().with(table);
    md.create_all(&db.engine).unwrap();
    // Idempotent: the IF NOT EXISTS forms quote the same way.
    md.create_all(&db.engine).unwrap();
    let mut conn = db.engine.connect().unwrap();
    assert!(table_names(&mut conn).contains("x\"; DROP TABLE canary; --"));
    assert_nothing_dropped(&mut conn);
    drop(conn);
    md.drop_all(&db.engine).unwrap();
    let mut conn = db.engine.connect().unwrap();
    assert!(!table_names(&mut conn).contains("x\"; DROP TABLE canary; --"));
    assert_nothing_dropped(&mut conn);
}

// ---------------------------------------------------------------------------------------------
// Binding mistakes.

#[test]
fn unbound_parameter_is_misuse_naming_it_and_runs_nothing() {
    let db = setup();
    let mut conn = db.engine.connect().unwrap();
    let e = conn
        .execute(
            text("INSERT INTO students (name, nickname) VALUES (:name, :nick)").bind("name", "Ann"),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
    assert!(e.message().contains(":nick"), "{e}");
    assert!(
        !e.message().contains(":name "),
        "only the unbound one is named: {e}"
    );
    assert_eq!(count(&mut conn, "students"), 0);

    // A misspelt binding is not silently used for another name.
    let e = conn
        .scalar::<String>(text("SELECT :name").bind("nmae", "Ann"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
    assert!(e.message().contains(":name"), "{e}");
}

#[test]
fn u64_max_is_a_conversion_error() {
    let db = setup();
    let mut conn = db.engine.connect().unwrap();

    let e = conn
        .execute(text("INSERT INTO students (name, big) VALUES ('x', :big)").bind("big", u64::MAX))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
    assert!(e.message().contains(":big"), "{e}");
    assert!(e.message().contains(&u64::MAX.to_string()), "{e}");

    let e = conn
        .execute(Select::from("students").filter(Student::big.eq(u64::MAX)))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
    assert_eq!(count(&mut conn, "students"), 0);

    // The largest storable value round-trips.
    let max = i64::MAX as u64;
    conn.execute(text("INSERT INTO students (name, big) VALUES ('x', :big)").bind("big", max))
        .unwrap();
    let got: u64 = conn
        .scalar(
            Select::from("students")
                .column(Student::big)
                .filter(Student::big.eq(max))
                .filter(Student::id.gt(0_i64)),
        )
        .unwrap();
    assert_eq!(got, max);
}
