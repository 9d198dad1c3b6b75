//! Interop with the real SQLAlchemy on SQLite, both ways (`tests/interop/sqlalchemy_interop.py`
//! is SQLAlchemy's half): (a) a database SQLAlchemy made from the tutorial's models plus a
//! table of every column type both support is read by Cinnabar value by value, written and
//! updated, and SQLAlchemy asserts every value Cinnabar wrote; (b) the tables Cinnabar's
//! `create_all` makes look to SQLAlchemy's inspector exactly like those SQLAlchemy's own
//! `create_all` makes (columns, nullability, keys, unique constraints, foreign keys, indexes),
//! and SQLAlchemy writes and reads through them.
//!
//! Needs `python3` with SQLAlchemy (`.ci/run` installs `python3-sqlalchemy` when missing).
//! Without it the test prints one `skipped:` line, or fails under `CI=true`.
//! `CINNABAR_PYTHON` names the interpreter to use instead of searching.
#![cfg(all(
    feature = "sqlite",
    feature = "chrono",
    feature = "decimal",
    feature = "json"
))]
#[path = "models/sqlalchemy_interop.rs"]
mod models;

use std::path::Path;
use std::process::Command;

use cinnabar::chrono::{NaiveDate, NaiveTime};
use cinnabar::prelude::*;
use cinnabar::rust_decimal::Decimal;
use cinnabar::serde_json::json;
use models::{Course, EveryType, Student};

fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal literal")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn time(h: u32, m: u32, s: u32, micro: u32) -> NaiveTime {
    NaiveTime::from_hms_micro_opt(h, m, s, micro).expect("time")
}

/// The script's `SEED` rows.
fn seed() -> [EveryType; 2] {
    [
        EveryType {
            id: Some(1),
            code: "first".into(),
            small: i32::MIN,
            big: 9_007_199_254_740_993,
            label: "Naresh".into(),
            body: "multi\nline 🦀".into(),
            flag: true,
            ratio: 0.1,
            price: dec("123.45"),
            amount: dec("12345678.1234"),
            day: date(2024, 2, 29),
            moment: date(2024, 2, 29).and_time(time(23, 59, 58, 123_456)),
            clock: time(7, 30, 5, 250_000),
            data: vec![0, 1, 0xfe, 0xff],
            doc: json!({"tags": ["a", "b"], "n": 1, "x": 2.5, "none": null}),
            note: None,
        },
        EveryType {
            id: Some(2),
            code: "second".into(),
            small: i32::MAX,
            big: i64::MIN,
            label: String::new(),
            body: String::new(),
            flag: false,
            ratio: -1.5e300,
            price: dec("-0.50"),
            amount: dec("0.0001"),
            day: date(1970, 1, 1),
            moment: date(2000, 1, 1).and_time(time(0, 0, 0, 0)),
            clock: time(0, 0, 0, 0),
            data: Vec::new(),
            doc: json!([1, "two", {"three": 3}]),
            note: Some("has a note".into()),
        },
    ]
}

/// The script's `CINNABAR_NEW` row.
fn cinnabar_new() -> EveryType {
    EveryType {
        id: None,
        code: "cinnabar".into(),
        small: 42,
        big: -7,
        label: "written by Cinnabar".into(),
        body: "ünïcode".into(),
        flag: true,
        ratio: 2.25,
        price: dec("999.99"),
        amount: dec("-98765432.5678"),
        day: date(2026, 12, 5),
        moment: date(2026, 12, 5).and_time(time(20, 55, 1, 500)),
        clock: time(23, 59, 59, 999_999),
        data: (0..=255).collect(),
        doc: json!({"from": "rust", "list": [1, 2, 3]}),
        note: Some("new".into()),
    }
}

/// A row read back equals `want`, decimals at the column's scale (`Decimal`'s `==` ignores
/// scale, its text does not).
fn assert_row(got: &EveryType, want: &EveryType) {
    let mut want = want.clone();
    want.id = got.id;
    assert_eq!(got, &want);
    assert_eq!(got.price.to_string(), want.price.to_string(), "price scale");
    assert_eq!(
        got.amount.to_string(),
        want.amount.to_string(),
        "amount scale"
    );
}

/// An interpreter that can import SQLAlchemy: `CINNABAR_PYTHON`, else `python3`, else
/// `/usr/bin/python3` (a pyenv or venv `python3` may lack the distribution's package).
fn python() -> Option<String> {
    let candidates: Vec<String> = match std::env::var("CINNABAR_PYTHON") {
        Ok(p) => vec![p],
        Err(_) => vec!["python3".into(), "/usr/bin/python3".into()],
    };
    candidates.into_iter().find(|py| {
        Command::new(py)
            .args(["-c", "import sqlalchemy"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Runs one command of the script; panics with its output when it fails.
fn script(py: &str, args: &[&str]) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/interop/sqlalchemy_interop.py"
    );
    let out = Command::new(py)
        .arg(path)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {py} {path}: {e}"));
    assert!(
        out.status.success(),
        "sqlalchemy_interop.py {args:?} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn engine_for(path: &Path) -> Engine {
    create_engine(&format!("sqlite:///{}", path.display())).expect("engine")
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

#[test]
fn sqlalchemy_and_cinnabar_read_and_write_each_others_sqlite_databases() {
    let Some(py) = python() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but no python3 with SQLAlchemy was found (apt-get install python3-sqlalchemy)"
        );
        eprintln!("skipped: sqlalchemy_interop needs python3 with SQLAlchemy installed");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");

    // (a) SQLAlchemy makes the database; Cinnabar reads every value, then writes.
    let made_by_sqlalchemy = dir.path().join("made_by_sqlalchemy.db");
    script(&py, &["create", path_str(&made_by_sqlalchemy)]);
    let engine = engine_for(&made_by_sqlalchemy);
    let mut s = Session::new(&engine);
    let rows = s
        .query::<EveryType>()
        .order_by(EveryType::id)
        .all()
        .unwrap();
    assert_eq!(rows.len(), 2);
    for (got, want) in rows.iter().zip(seed().iter()) {
        assert_row(&got.read(), want);
    }
    let students = s.query::<Student>().order_by(Student::id).all().unwrap();
    let names: Vec<_> = students.iter().map(|h| h.read().name.clone()).collect();
    assert_eq!(names, [Some("Naresh".into()), Some("Asha".into())]);
    let python = s
        .query::<Course>()
        .filter_by(Course::title, "Python")
        .one()
        .unwrap();
    assert_eq!(students[0].read().course_id, python.read().id);
    assert_eq!(students[1].read().course_id, None);

    // Cinnabar writes: a course and a student under it, an every-type row, and updates.
    let databases = s.add(Course {
        id: None,
        title: Some("Databases".into()),
    });
    s.commit().unwrap();
    let course_id = databases.read().id;
    s.add(Student {
        id: None,
        name: Some("Ravi".into()),
        course: Some("Databases".into()),
        course_id,
    });
    s.add(cinnabar_new());
    students[0].write().course = Some("Advanced Python".into());
    {
        let mut first = rows[0].write();
        first.price = dec("0.01");
        first.amount = dec("-1.5000");
        first.note = Some("updated".into());
    }
    s.commit().unwrap();
    drop(s);
    drop(engine);
    script(
        &py,
        &["check-cinnabar-writes", path_str(&made_by_sqlalchemy)],
    );

    // (b) Cinnabar's create_all makes the tables; SQLAlchemy's inspector sees what its own
    // create_all makes, and SQLAlchemy writes and reads through them.
    let made_by_cinnabar = dir.path().join("made_by_cinnabar.db");
    let engine = engine_for(&made_by_cinnabar);
    MetaData::new()
        .with(Course::table().clone())
        .with(Student::table().clone())
        .with(EveryType::table().clone())
        .create_all(&engine)
        .unwrap();
    let reference = dir.path().join("reference.db");
    script(
        &py,
        &["compare", path_str(&made_by_cinnabar), path_str(&reference)],
    );
    script(&py, &["write", path_str(&made_by_cinnabar)]);

    // And Cinnabar reads what SQLAlchemy wrote there (the script's `SQLALCHEMY_NEW`).
    let mut s = Session::new(&engine);
    let row = s
        .query::<EveryType>()
        .filter_by(EveryType::code, "sqlalchemy")
        .one()
        .unwrap();
    assert_row(
        &row.read(),
        &EveryType {
            id: None,
            code: "sqlalchemy".into(),
            small: 7,
            big: 1 << 40,
            label: "written by SQLAlchemy".into(),
            body: "body".into(),
            flag: false,
            ratio: 3.5,
            price: dec("12.30"),
            amount: dec("1.2345"),
            day: date(2001, 9, 9),
            moment: date(2001, 9, 9).and_time(time(1, 46, 40, 1)),
            clock: time(12, 0, 0, 1),
            data: vec![0xde, 0xad, 0xbe, 0xef],
            doc: json!({"ok": true}),
            note: None,
        },
    );
}
