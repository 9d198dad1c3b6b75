//! Change detection through `write()` guards (docs/SESSION.md, "How a change is detected"),
//! checked on every backend for what must stay exact whatever the session keeps per object
//! (a whole-row baseline today; a per-column change record was tried and measured: see
//! "Memory and large results" there): a change set back within one guard is no UPDATE; two guards in sequence
//! write both their columns in one UPDATE; a rollback, a savepoint's rollback and a failed
//! commit after several flushes of one transaction restore (or keep) every column of every
//! flush; a guard held across a flush is a `Misuse` error, never a lost change; and a model
//! wider than 128 columns has its columns past 128 written.

#[macro_use]
mod support;

use cinnabar::prelude::*;
use support::capture::{capture_sql, echo_engine, statements};
use support::TestDb;

#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "guarded_things")]
struct Thing {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    label: String,
    note: Option<String>,
    big: i64,
    flag: bool,
}

fn thing(label: &str) -> Thing {
    Thing {
        id: None,
        label: label.into(),
        note: Some("ünïcödé ✓".into()),
        big: 7,
        flag: true,
    }
}

/// 140 columns and no relationship: its changes are recorded column by column.
#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "guarded_wide")]
struct Plain140 {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    c001: i32,
    c002: i32,
    c003: i32,
    c004: i32,
    c005: i32,
    c006: i32,
    c007: i32,
    c008: i32,
    c009: i32,
    c010: i32,
    c011: i32,
    c012: i32,
    c013: i32,
    c014: i32,
    c015: i32,
    c016: i32,
    c017: i32,
    c018: i32,
    c019: i32,
    c020: i32,
    c021: i32,
    c022: i32,
    c023: i32,
    c024: i32,
    c025: i32,
    c026: i32,
    c027: i32,
    c028: i32,
    c029: i32,
    c030: i32,
    c031: i32,
    c032: i32,
    c033: i32,
    c034: i32,
    c035: i32,
    c036: i32,
    c037: i32,
    c038: i32,
    c039: i32,
    c040: i32,
    c041: i32,
    c042: i32,
    c043: i32,
    c044: i32,
    c045: i32,
    c046: i32,
    c047: i32,
    c048: i32,
    c049: i32,
    c050: i32,
    c051: i32,
    c052: i32,
    c053: i32,
    c054: i32,
    c055: i32,
    c056: i32,
    c057: i32,
    c058: i32,
    c059: i32,
    c060: i32,
    c061: i32,
    c062: i32,
    c063: i32,
    c064: i32,
    c065: i32,
    c066: i32,
    c067: i32,
    c068: i32,
    c069: i32,
    c070: i32,
    c071: i32,
    c072: i32,
    c073: i32,
    c074: i32,
    c075: i32,
    c076: i32,
    c077: i32,
    c078: i32,
    c079: i32,
    c080: i32,
    c081: i32,
    c082: i32,
    c083: i32,
    c084: i32,
    c085: i32,
    c086: i32,
    c087: i32,
    c088: i32,
    c089: i32,
    c090: i32,
    c091: i32,
    c092: i32,
    c093: i32,
    c094: i32,
    c095: i32,
    c096: i32,
    c097: i32,
    c098: i32,
    c099: i32,
    c100: i32,
    c101: i32,
    c102: i32,
    c103: i32,
    c104: i32,
    c105: i32,
    c106: i32,
    c107: i32,
    c108: i32,
    c109: i32,
    c110: i32,
    c111: i32,
    c112: i32,
    c113: i32,
    c114: i32,
    c115: i32,
    c116: i32,
    c117: i32,
    c118: i32,
    c119: i32,
    c120: i32,
    c121: i32,
    c122: i32,
    c123: i32,
    c124: i32,
    c125: i32,
    c126: i32,
    c127: i32,
    c128: i32,
    c129: i32,
    c130: i32,
    c131: i32,
    c132: i32,
    c133: i32,
    c134: i32,
    c135: i32,
    c136: i32,
    c137: i32,
    c138: i32,
    c139: i32,
}

impl Plain140 {
    fn seeded(seed: i32) -> Self {
        Plain140 {
            id: None,
            c001: seed + 1,
            c002: seed + 2,
            c003: seed + 3,
            c004: seed + 4,
            c005: seed + 5,
            c006: seed + 6,
            c007: seed + 7,
            c008: seed + 8,
            c009: seed + 9,
            c010: seed + 10,
            c011: seed + 11,
            c012: seed + 12,
            c013: seed + 13,
            c014: seed + 14,
            c015: seed + 15,
            c016: seed + 16,
            c017: seed + 17,
            c018: seed + 18,
            c019: seed + 19,
            c020: seed + 20,
            c021: seed + 21,
            c022: seed + 22,
            c023: seed + 23,
            c024: seed + 24,
            c025: seed + 25,
            c026: seed + 26,
            c027: seed + 27,
            c028: seed + 28,
            c029: seed + 29,
            c030: seed + 30,
            c031: seed + 31,
            c032: seed + 32,
            c033: seed + 33,
            c034: seed + 34,
            c035: seed + 35,
            c036: seed + 36,
            c037: seed + 37,
            c038: seed + 38,
            c039: seed + 39,
            c040: seed + 40,
            c041: seed + 41,
            c042: seed + 42,
            c043: seed + 43,
            c044: seed + 44,
            c045: seed + 45,
            c046: seed + 46,
            c047: seed + 47,
            c048: seed + 48,
            c049: seed + 49,
            c050: seed + 50,
            c051: seed + 51,
            c052: seed + 52,
            c053: seed + 53,
            c054: seed + 54,
            c055: seed + 55,
            c056: seed + 56,
            c057: seed + 57,
            c058: seed + 58,
            c059: seed + 59,
            c060: seed + 60,
            c061: seed + 61,
            c062: seed + 62,
            c063: seed + 63,
            c064: seed + 64,
            c065: seed + 65,
            c066: seed + 66,
            c067: seed + 67,
            c068: seed + 68,
            c069: seed + 69,
            c070: seed + 70,
            c071: seed + 71,
            c072: seed + 72,
            c073: seed + 73,
            c074: seed + 74,
            c075: seed + 75,
            c076: seed + 76,
            c077: seed + 77,
            c078: seed + 78,
            c079: seed + 79,
            c080: seed + 80,
            c081: seed + 81,
            c082: seed + 82,
            c083: seed + 83,
            c084: seed + 84,
            c085: seed + 85,
            c086: seed + 86,
            c087: seed + 87,
            c088: seed + 88,
            c089: seed + 89,
            c090: seed + 90,
            c091: seed + 91,
            c092: seed + 92,
            c093: seed + 93,
            c094: seed + 94,
            c095: seed + 95,
            c096: seed + 96,
            c097: seed + 97,
            c098: seed + 98,
            c099: seed + 99,
            c100: seed + 100,
            c101: seed + 101,
            c102: seed + 102,
            c103: seed + 103,
            c104: seed + 104,
            c105: seed + 105,
            c106: seed + 106,
            c107: seed + 107,
            c108: seed + 108,
            c109: seed + 109,
            c110: seed + 110,
            c111: seed + 111,
            c112: seed + 112,
            c113: seed + 113,
            c114: seed + 114,
            c115: seed + 115,
            c116: seed + 116,
            c117: seed + 117,
            c118: seed + 118,
            c119: seed + 119,
            c120: seed + 120,
            c121: seed + 121,
            c122: seed + 122,
            c123: seed + 123,
            c124: seed + 124,
            c125: seed + 125,
            c126: seed + 126,
            c127: seed + 127,
            c128: seed + 128,
            c129: seed + 129,
            c130: seed + 130,
            c131: seed + 131,
            c132: seed + 132,
            c133: seed + 133,
            c134: seed + 134,
            c135: seed + 135,
            c136: seed + 136,
            c137: seed + 137,
            c138: seed + 138,
            c139: seed + 139,
        }
    }
}

/// The stored row of `id`, read through a session of its own.
fn stored<T: Model + Clone>(db: &TestDb, id: i64) -> T
where
    T::Key: From<i64>,
{
    let mut s = Session::new(&db.engine);
    let h = s.get::<T>(T::Key::from(id)).unwrap().expect("row exists");
    h.get()
}

/// The UPDATE statements sent while `f` runs.
fn updates_during<R>(f: impl FnOnce() -> R) -> (R, Vec<String>) {
    let (r, lines) = capture_sql(f);
    let updates = statements(&lines, "UPDATE").into_iter().cloned().collect();
    (r, updates)
}

/// The text between `SET` and `WHERE` of an UPDATE.
fn set_part(update: &str) -> String {
    let upper = update.to_ascii_uppercase();
    let start = upper.find(" SET ").expect("SET") + 5;
    let end = upper.find(" WHERE ").expect("WHERE");
    update[start..end].to_owned()
}

fn saved(db: &TestDb, t: Thing) -> (Session, Handle<Thing>, i64) {
    db.create_tables(&[Thing::table()]);
    let engine = echo_engine(db);
    let mut s = Session::new(&engine);
    let h = s.add(t);
    s.commit().unwrap();
    let id = h.read().id.unwrap();
    (s, h, id)
}

fn a_change_set_back_within_one_guard_is_no_update(db: &TestDb) {
    let (mut s, h, id) = saved(db, thing("same"));
    {
        let mut g = h.write();
        g.label = "other".into();
        g.big = 8;
        g.label = "same".into();
        g.big = 7;
    }
    // A guard that changes nothing records nothing either.
    let _ = h.write().label.len();
    let (committed, updates) = updates_during(|| s.commit());
    committed.unwrap();
    assert!(updates.is_empty(), "{updates:?}");
    assert_eq!(stored::<Thing>(db, id), thing("same").with_id(id));
}

fn two_guards_in_sequence_write_both_columns(db: &TestDb) {
    let (mut s, h, id) = saved(db, thing("two"));
    h.write().label = "first".into();
    h.write().big = 70;
    // A third guard changes the first column again: its value before stays the loaded one.
    h.write().label = "third".into();
    let (committed, updates) = updates_during(|| s.commit());
    committed.unwrap();
    assert_eq!(updates.len(), 1, "{updates:?}");
    let set = set_part(&updates[0]);
    assert!(set.contains("label") && set.contains("big"), "{set}");
    assert!(!set.contains("note") && !set.contains("flag"), "{set}");
    let mut expected = thing("third").with_id(id);
    expected.big = 70;
    assert_eq!(stored::<Thing>(db, id), expected);
}

/// Three flushes of one transaction, each changing other columns, then a change left
/// unflushed: the rollback puts back every column as it was before the transaction.
fn rollback_after_several_flushes_restores_every_column(db: &TestDb) {
    let (mut s, h, id) = saved(db, thing("start"));
    let before = h.get();
    s.begin().unwrap();
    h.write().label = "one".into();
    s.flush().unwrap();
    h.write().big = 2;
    s.flush().unwrap();
    {
        let mut g = h.write();
        g.label = "three".into();
        g.note = None;
    }
    s.flush().unwrap();
    h.write().flag = false;
    s.rollback().unwrap();
    assert_eq!(h.get(), before);
    assert_eq!(h.state(), ObjectState::Persistent);
    // Nothing is left to write, and the row is as it was.
    let (committed, updates) = updates_during(|| s.commit());
    committed.unwrap();
    assert!(updates.is_empty(), "{updates:?}");
    assert_eq!(stored::<Thing>(db, id), before);
}

/// Inside a savepoint, two flushes change two columns: its rollback restores both, and
/// the change flushed before the savepoint stays.
fn savepoint_rollback_restores_the_columns_of_every_flush_in_it(db: &TestDb) {
    let (mut s, h, id) = saved(db, thing("sp"));
    s.begin().unwrap();
    h.write().flag = false;
    s.flush().unwrap();
    let at_savepoint = h.get();
    let undone: Result<()> = s.savepoint(|s| {
        h.write().label = "in savepoint".into();
        s.flush()?;
        h.write().big = -1;
        s.flush()?;
        h.write().note = None;
        Err(Error::misuse("undo the savepoint"))
    });
    assert!(undone.is_err());
    assert_eq!(h.get(), at_savepoint);
    s.commit().unwrap();
    assert_eq!(stored::<Thing>(db, id), at_savepoint);
}

/// A commit that fails after two flushes rolls the transaction back and keeps the changes
/// of both flushes (and the unflushed one) as changes: fixing the cause and committing
/// again writes all of them.
fn a_failed_commit_keeps_the_changes_of_every_flush(db: &TestDb) {
    let (mut s, h, id) = saved(db, thing("kept"));
    s.begin().unwrap();
    h.write().label = "flushed once".into();
    s.flush().unwrap();
    h.write().big = 99;
    s.flush().unwrap();
    h.write().flag = false;
    // A new object with the key of the existing row: its INSERT fails at commit.
    let clash = s.add(Thing {
        id: Some(id),
        ..thing("clash")
    });
    assert!(s.commit().is_err());
    assert_eq!(stored::<Thing>(db, id), thing("kept").with_id(id));
    s.expunge(&clash).unwrap();
    let (committed, updates) = updates_during(|| s.commit());
    committed.unwrap();
    assert_eq!(updates.len(), 1, "{updates:?}");
    let mut expected = thing("flushed once").with_id(id);
    expected.big = 99;
    expected.flag = false;
    assert_eq!(stored::<Thing>(db, id), expected);
}

/// A guard alive during a flush: the flush is a `Misuse` error naming it and writes nothing;
/// once the guard is dropped the change is flushed. A forgotten guard keeps the object
/// locked, so the flush keeps reporting it rather than dropping the change.
fn a_guard_held_across_a_flush_is_misuse_not_a_lost_change(db: &TestDb) {
    let (mut s, h, id) = saved(db, thing("held"));
    let mut g = h.write();
    g.label = "while held".into();
    let err = s.flush().expect_err("a guard is alive");
    assert_eq!(err.kind(), ErrorKind::Misuse, "{err}");
    assert!(err.to_string().contains("guard"), "{err}");
    drop(g);
    s.commit().unwrap();
    assert_eq!(stored::<Thing>(db, id).label, "while held");

    let other = s.get::<Thing>(id).unwrap().unwrap();
    let mut g = other.write();
    g.big = 1234;
    std::mem::forget(g);
    for _ in 0..2 {
        let err = s
            .flush()
            .expect_err("the forgotten guard still locks the object");
        assert_eq!(err.kind(), ErrorKind::Misuse, "{err}");
    }
    assert_eq!(stored::<Thing>(db, id).big, 7);
    // The object stays locked for good: leave the session without touching it again.
    std::mem::forget(s);
}

/// Columns past 128 are recorded like the others (their index takes two bytes), and a
/// rollback after two flushes restores columns on both sides of 128.
fn a_model_wider_than_128_columns_records_every_column(db: &TestDb) {
    db.create_tables(&[Plain140::table()]);
    assert_eq!(Plain140::COLUMNS.len(), 140);
    let engine = echo_engine(db);
    let mut s = Session::new(&engine);
    let h = s.add(Plain140::seeded(0));
    s.commit().unwrap();
    let id = h.read().id.unwrap();
    let before = h.get();
    h.write().c139 = -139;
    let (committed, updates) = updates_during(|| s.commit());
    committed.unwrap();
    assert_eq!(updates.len(), 1, "{updates:?}");
    let set = set_part(&updates[0]);
    assert!(set.contains("c139") && !set.contains("c011"), "{set}");
    let mut expected = before.clone();
    expected.c139 = -139;
    assert_eq!(stored::<Plain140>(db, id), expected);

    s.begin().unwrap();
    h.write().c130 = -130;
    s.flush().unwrap();
    {
        let mut g = h.write();
        g.c002 = -2;
        g.c129 = -129;
    }
    s.flush().unwrap();
    s.rollback().unwrap();
    assert_eq!(h.get(), expected);
    assert_eq!(stored::<Plain140>(db, id), expected);
}

trait WithId {
    fn with_id(self, id: i64) -> Self;
}

impl WithId for Thing {
    fn with_id(mut self, id: i64) -> Self {
        self.id = Some(id);
        self
    }
}

backend_tests!(
    a_change_set_back_within_one_guard_is_no_update,
    two_guards_in_sequence_write_both_columns,
    rollback_after_several_flushes_restores_every_column,
    savepoint_rollback_restores_the_columns_of_every_flush_in_it,
    a_failed_commit_keeps_the_changes_of_every_flush,
    a_guard_held_across_a_flush_is_misuse_not_a_lost_change,
    a_model_wider_than_128_columns_records_every_column,
);
