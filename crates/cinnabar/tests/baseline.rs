//! The change-detection baseline in its compact form: a model without relationships records
//! its row's values packed into bytes at the first `write()` (docs/SESSION.md, "What a
//! loaded object costs"). These tests check that, for every simple SQL type, the flush
//! writes exactly the changed columns, a value set back to what it was is no change, and a
//! rollback restores the values exactly, for a short row (kept inline) and a long one (its
//! own buffer); and that a model whose values do not pack (a date) keeps working through its
//! full copy. On every backend (`backend_tests!`).

#[macro_use]
mod support;

use cinnabar::prelude::*;
use support::capture::{capture_sql, echo_engine, statements};
use support::TestDb;

#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "packed_things")]
struct Thing {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    label: String,
    note: Option<String>,
    big: i64,
    ratio: f64,
    flag: bool,
    data: Vec<u8>,
}

fn thing(label: &str) -> Thing {
    Thing {
        id: None,
        label: label.into(),
        note: Some("ünïcödé ✓".into()),
        big: i64::MIN + 1,
        ratio: -2.5,
        flag: true,
        data: vec![0, 1, 255, 0],
    }
}

/// The stored row of `id`, read through a session of its own.
fn stored(db: &TestDb, id: i64) -> Thing {
    let mut s = Session::new(&db.engine);
    let h = s.get::<Thing>(id).unwrap().expect("row exists");
    h.get()
}

/// The UPDATE statements `f` sends through a session on an echo engine.
fn updates_of(db: &TestDb, f: impl FnOnce(&mut Session)) -> Vec<String> {
    let engine = echo_engine(db);
    let ((), lines) = capture_sql(|| {
        let mut s = Session::new(&engine);
        f(&mut s);
    });
    statements(&lines, "UPDATE").into_iter().cloned().collect()
}

fn each_column_change_writes_that_column_only(db: &TestDb) {
    db.create_tables(&[Thing::table()]);
    let mut s = Session::new(&db.engine);
    let h = s.add(thing("short"));
    s.commit().unwrap();
    let id = h.read().id.unwrap();
    drop(s);
    type Change = fn(&mut Thing);
    let changes: [(&str, Change); 6] = [
        ("label", |t| t.label = "renamed".into()),
        ("note", |t| t.note = None),
        ("big", |t| t.big = i64::MAX),
        ("ratio", |t| t.ratio = 1e300),
        ("flag", |t| t.flag = false),
        ("data", |t| t.data = Vec::new()),
    ];
    let mut expected = stored(db, id);
    for (column, change) in changes {
        let updates = updates_of(db, |s| {
            let h = s.get::<Thing>(id).unwrap().unwrap();
            change(&mut h.write());
            s.commit().unwrap();
        });
        assert_eq!(updates.len(), 1, "{column}: {updates:?}");
        let set = updates[0].split(" WHERE ").next().unwrap().to_owned();
        assert!(set.contains(column), "{column}: {set}");
        for other in ["label", "note", "big", "ratio", "flag", "data"] {
            if other != column {
                assert!(!set.contains(other), "{column} also wrote {other}: {set}");
            }
        }
        change(&mut expected);
        assert_eq!(stored(db, id), expected, "after changing {column}");
    }
}

fn a_value_set_back_is_no_change(db: &TestDb) {
    db.create_tables(&[Thing::table()]);
    let mut s = Session::new(&db.engine);
    let h = s.add(thing("same"));
    s.commit().unwrap();
    let id = h.read().id.unwrap();
    drop(s);
    let updates = updates_of(db, |s| {
        let h = s.get::<Thing>(id).unwrap().unwrap();
        {
            let mut g = h.write();
            g.label = "other".into();
            g.note = None;
            g.data.push(7);
            g.big += 1;
        }
        {
            let mut g = h.write();
            g.label = "same".into();
            g.note = Some("ünïcödé ✓".into());
            g.data.pop();
            g.big -= 1;
        }
        s.commit().unwrap();
    });
    assert!(updates.is_empty(), "{updates:?}");
}

/// A rollback after a flush puts back every value as it was, for a short row and for one
/// whose packed form is longer than the inline room.
fn rollback_restores_exact_values(db: &TestDb) {
    db.create_tables(&[Thing::table()]);
    let long = "x".repeat(300);
    let mut s = Session::new(&db.engine);
    let short = s.add(thing("short"));
    let long_one = s.add(Thing {
        note: Some(long.clone()),
        ..thing("long")
    });
    s.commit().unwrap();
    let before_short = short.get();
    let before_long = long_one.get();
    s.begin().unwrap();
    for h in [&short, &long_one] {
        let mut g = h.write();
        g.label = "changed".into();
        g.note = None;
        g.big = 0;
        g.ratio = 0.0;
        g.flag = false;
        g.data = vec![9; 100];
    }
    s.flush().unwrap();
    // Changes after the flush are undone as well.
    short.write().label = "again".into();
    assert_eq!(short.read().label, "again");
    s.rollback().unwrap();
    assert_eq!(short.get(), before_short);
    assert_eq!(long_one.get(), before_long);
    assert_eq!(long_one.read().note.as_deref(), Some(long.as_str()));
    // The session holds no change: a commit writes nothing, and the rows are as before.
    let engine = echo_engine(db);
    let ((), lines) = capture_sql(|| {
        let mut s2 = Session::new(&engine);
        let h = s2.get::<Thing>(before_long.id.unwrap()).unwrap().unwrap();
        assert_eq!(h.get(), before_long);
        s2.commit().unwrap();
    });
    assert!(statements(&lines, "UPDATE").is_empty());
    assert_eq!(stored(db, before_short.id.unwrap()), before_short);
}

/// A long row's change is detected and flushed like a short one's, and a savepoint's
/// rollback restores the state at the savepoint.
fn savepoint_rollback_restores_a_long_row(db: &TestDb) {
    db.create_tables(&[Thing::table()]);
    let mut s = Session::new(&db.engine);
    let h = s.add(Thing {
        label: "y".repeat(500),
        ..thing("long")
    });
    s.commit().unwrap();
    let id = h.read().id.unwrap();
    s.begin().unwrap();
    h.write().big = 41;
    s.flush().unwrap();
    let at_savepoint = h.get();
    let undone: Result<()> = s.savepoint(|s| {
        h.write().label = "short now".into();
        h.write().big = 42;
        s.flush()?;
        Err(Error::misuse("undo the savepoint"))
    });
    assert!(undone.is_err());
    assert_eq!(h.get(), at_savepoint);
    s.commit().unwrap();
    assert_eq!(stored(db, id), at_savepoint);
}

/// A changed primary key is flushed as an UPDATE of the old row, and a rollback files the
/// object under its old key again.
fn key_change_and_rollback(db: &TestDb) {
    db.create_tables(&[Thing::table()]);
    let mut s = Session::new(&db.engine);
    let h = s.add(Thing {
        id: Some(10),
        ..thing("keyed")
    });
    s.commit().unwrap();
    s.begin().unwrap();
    h.write().id = Some(11);
    s.flush().unwrap();
    assert!(s.get::<Thing>(10).unwrap().is_none());
    assert!(Handle::ptr_eq(&s.get::<Thing>(11).unwrap().unwrap(), &h));
    s.rollback().unwrap();
    assert_eq!(h.read().id, Some(10));
    assert!(Handle::ptr_eq(&s.get::<Thing>(10).unwrap().unwrap(), &h));
    assert_eq!(stored(db, 10).label, "keyed");
}

backend_tests!(
    each_column_change_writes_that_column_only,
    a_value_set_back_is_no_change,
    rollback_restores_exact_values,
    savepoint_rollback_restores_a_long_row,
    key_change_and_rollback,
);
