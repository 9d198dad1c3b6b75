//! Assertions added to kill mutants that `cargo mutants` found alive in the flush, change
//! detection, loading and identity-map code (see docs/TESTING.md, "Mutation testing").
//!
//! Each test names the mutant it catches. They run on every backend (`backend_tests!`):
//! SQLite always, PostgreSQL and MariaDB/MySQL when `CINNABAR_TEST_POSTGRES` /
//! `CINNABAR_TEST_MYSQL` are set at build time.

#[macro_use]
mod support;
#[path = "models/mutation.rs"]
mod models;

use cinnabar::prelude::*;
use cinnabar::ObjectState;
use models::{Book, LateKey, Member, Person, Shelf, Team, Wide, WithDefault};
use support::capture::{capture_sql, echo_engine, statements};
use support::TestDb;

fn person(name: &str, city: &str) -> Person {
    Person {
        id: None,
        name: name.into(),
        city: city.into(),
        email: None,
    }
}

fn setup(db: &TestDb) {
    db.create_tables(&[Person::table()]);
}

/// `(name, city, email)` of the row with key `id`, read on a connection of its own.
fn row(db: &TestDb, id: i64) -> Option<(String, String, Option<String>)> {
    let rows = db
        .engine
        .connect()
        .unwrap()
        .execute(text("SELECT name, city, email FROM people WHERE id = :id").bind("id", id))
        .unwrap();
    rows.first().map(|r| {
        (
            r.get::<String>("name").unwrap(),
            r.get::<String>("city").unwrap(),
            r.get::<Option<String>>("email").unwrap(),
        )
    })
}

/// Kills `registry.rs: replace != with == in Registry<T>::keep_unflushed` (the check that
/// skips objects neither persistent nor deleted): an object updated by an earlier flush of
/// the transaction and then marked for deletion must get its pre-transaction values back
/// when a failed commit is followed by a rollback.
fn updated_then_deleted_object_is_restored_by_rollback_after_failed_commit(db: &TestDb) {
    setup(db);
    let mut s = Session::new(&db.engine);
    let a = s.add(person("Asha", "Pune"));
    let taken = s.add(person("Ravi", "Goa"));
    taken.write().email = Some("ravi@example.com".into());
    s.commit().unwrap();
    let id = a.read().id.unwrap();

    a.write().name = "Asha (moved)".into();
    s.flush().unwrap();
    s.delete(&a).unwrap();
    // A new row whose INSERT fails: the commit fails before the DELETE runs.
    let mut bad = person("Dup", "X");
    bad.email = Some("ravi@example.com".into());
    s.add(bad);
    let e = s.commit().expect_err("duplicate e-mail");
    assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}");
    assert_eq!(a.state(), ObjectState::Deleted, "still marked for deletion");

    s.rollback().unwrap();
    assert_eq!(a.state(), ObjectState::Persistent);
    assert_eq!(
        a.read().name,
        "Asha",
        "the rollback restores the value from before the transaction"
    );
    assert_eq!(row(db, id), Some(("Asha".into(), "Pune".into(), None)));
    // Nothing is left to write: a commit sends no UPDATE.
    s.commit().unwrap();
    assert_eq!(row(db, id), Some(("Asha".into(), "Pune".into(), None)));
}

/// Kills `replace != with == in Registry<T>::update_batches` (the changed-column set that
/// closes an UPDATE batch): objects with different changed columns, interleaved in one
/// flush, each get exactly their own columns written.
fn interleaved_changes_to_different_columns_write_only_their_own(db: &TestDb) {
    setup(db);
    let mut s = Session::new(&db.engine);
    let people = s.add_all((0..6).map(|i| person(&format!("p{i}"), "Pune")));
    s.commit().unwrap();
    let ids: Vec<i64> = people.iter().map(|h| h.read().id.unwrap()).collect();
    // Masks in write order: name, city, name, both, city, name.
    people[0].write().name = "n0".into();
    people[1].write().city = "c1".into();
    people[2].write().name = "n2".into();
    {
        let mut g = people[3].write();
        g.name = "n3".into();
        g.city = "c3".into();
    }
    people[4].write().city = "c4".into();
    people[5].write().name = "n5".into();
    // A row changed behind the session's back: a column the session did not change
    // must not be written over.
    db.engine
        .connect()
        .unwrap()
        .execute(text("UPDATE people SET city = 'Elsewhere' WHERE id = :id").bind("id", ids[0]))
        .unwrap();
    db.engine
        .connect()
        .unwrap()
        .execute(text("UPDATE people SET name = 'Renamed' WHERE id = :id").bind("id", ids[1]))
        .unwrap();
    s.commit().unwrap();
    let expected = [
        ("n0", "Elsewhere"),
        ("Renamed", "c1"),
        ("n2", "Pune"),
        ("n3", "c3"),
        ("p4", "c4"),
        ("n5", "Pune"),
    ];
    for (id, (name, city)) in ids.iter().zip(expected) {
        assert_eq!(
            row(db, *id),
            Some((name.to_owned(), city.to_owned(), None)),
            "row {id}"
        );
    }
}

fn wide(n: i64) -> Wide {
    Wide {
        id: n,
        c00: n,
        c01: n + 1,
        c02: n + 2,
        c03: n + 3,
        c04: n + 4,
        c05: n + 5,
        c06: n + 6,
        c07: n + 7,
        c08: n + 8,
        c09: n + 9,
        c10: n + 10,
        c11: n + 11,
        c12: n + 12,
        c13: n + 13,
        c14: n + 14,
        c15: n + 15,
        c16: n + 16,
        c17: n + 17,
        c18: n + 18,
        c19: n + 19,
        c20: n + 20,
        c21: n + 21,
        c22: n + 22,
        c23: n + 23,
        c24: n + 24,
        c25: n + 25,
        c26: n + 26,
        c27: n + 27,
        c28: n + 28,
        c29: n + 29,
        c30: n + 30,
        c31: n + 31,
        c32: n + 32,
        c33: n + 33,
        c34: n + 34,
        c35: n + 35,
        c36: n + 36,
        c37: n + 37,
        c38: n + 38,
        c39: n + 39,
        c40: n + 40,
        c41: n + 41,
        c42: n + 42,
        c43: n + 43,
        c44: n + 44,
        c45: n + 45,
        c46: n + 46,
        c47: n + 47,
        c48: n + 48,
        c49: n + 49,
        c50: n + 50,
        c51: n + 51,
        c52: n + 52,
        c53: n + 53,
        c54: n + 54,
        c55: n + 55,
        c56: n + 56,
        c57: n + 57,
        c58: n + 58,
        c59: n + 59,
        c60: n + 60,
        c61: n + 61,
        c62: n + 62,
        c63: n + 63,
        c64: n + 64,
        c65: n + 65,
        c66: n + 66,
        c67: n + 67,
        c68: n + 68,
        c69: n + 69,
    }
}

/// Kills `replace / with * in Registry<T>::insert_pending` (rows per INSERT limited by
/// `max_bind_params / width` and `insert_batch_params / width`): 1,000 new 71-column objects
/// go in as many statements as the limits require (literals per backend: SQLite's batches of
/// about 200 values make 200 / 71 = 2 rows per statement, below its 32,766 / 71 = 461;
/// 65,535 / 71 = 923 on PostgreSQL and MySQL, which kill the `max_bind_params` mutant),
/// every row written.
fn wide_rows_are_split_by_the_parameter_limit(db: &TestDb) {
    db.create_tables(&[Wide::table()]);
    let echo = echo_engine(db);
    let mut s = Session::new(&echo);
    s.add_all((0..1000).map(|n| wide(n * 1000)));
    let (flushed, sql) = capture_sql(|| s.flush());
    flushed.unwrap();
    let inserts = statements(&sql, "INSERT");
    let expected = match db.backend {
        support::Backend::Sqlite => 500,
        support::Backend::Postgres | support::Backend::MySql => 2,
    };
    assert_eq!(
        inserts.len(),
        expected,
        "INSERT statements for 1,000 rows of 71 columns"
    );
    s.commit().unwrap();
    let mut conn = db.engine.connect().unwrap();
    let n: Option<i64> = conn.scalar(text("SELECT COUNT(*) FROM wide_rows")).unwrap();
    assert_eq!(n, Some(1000));
    let last: Option<i64> = conn
        .scalar(text("SELECT c69 FROM wide_rows WHERE id = 999000"))
        .unwrap();
    assert_eq!(last, Some(999_069));
}

/// Five teams of three members each, committed.
fn seed_teams(db: &TestDb) {
    db.create_tables(&[Team::table(), Member::table()]);
    let mut s = Session::new(&db.engine);
    for t in 0..5 {
        let team = s.add(Team {
            id: None,
            name: format!("t{t}"),
            members: HasMany::loaded(Vec::new()),
        });
        for m in 0..3 {
            let member = s.add(Member {
                id: None,
                name: format!("t{t}m{m}"),
                team_id: None,
                team: BelongsTo::default(),
            });
            team.write().members.push(member).unwrap();
        }
    }
    s.commit().unwrap();
}

/// Kills `replace chunk_size -> usize with 1` in loading.rs (selectin loading one query
/// per parent, the N+1 pattern it exists to prevent): loading five teams, their members
/// and (nested) each member's team takes one SELECT per level, and every member gets
/// its own team object from the identity map.
fn selectin_sends_one_select_per_level(db: &TestDb) {
    seed_teams(db);
    let echo = echo_engine(db);
    let mut s = Session::new(&echo);
    let (teams, sql) = capture_sql(|| {
        s.query::<Team>()
            .order_by(Team::id)
            .options(selectin(Team::members).then(selectin(Member::team)))
            .all()
            .unwrap()
    });
    let selects = statements(&sql, "SELECT");
    assert_eq!(selects.len(), 3, "one SELECT per level: {selects:#?}");
    assert_eq!(teams.len(), 5);
    for (t, team) in teams.iter().enumerate() {
        let g = team.read();
        let members = g.members.get().unwrap();
        let names: Vec<String> = members.iter().map(|m| m.read().name.clone()).collect();
        assert_eq!(names, [0, 1, 2].map(|m| format!("t{t}m{m}")));
        for m in members {
            let back = m.read().team.get().unwrap().cloned().unwrap();
            assert!(Handle::ptr_eq(&back, team), "member {:?}", m.read().name);
        }
    }
    // Loading changed nothing: the commit sends no UPDATE.
    let (committed, sql) = capture_sql(|| s.commit());
    committed.unwrap();
    assert!(statements(&sql, "UPDATE").is_empty(), "{sql:#?}");
}

/// The joined counterpart: one SELECT for teams and members together, each team once.
fn joined_sends_one_select(db: &TestDb) {
    seed_teams(db);
    let echo = echo_engine(db);
    let mut s = Session::new(&echo);
    let (teams, sql) = capture_sql(|| {
        s.query::<Team>()
            .order_by(Team::id)
            .options(joined(Team::members))
            .all()
            .unwrap()
    });
    assert_eq!(statements(&sql, "SELECT").len(), 1, "{sql:#?}");
    assert_eq!(teams.len(), 5);
    for (t, team) in teams.iter().enumerate() {
        let g = team.read();
        let mut names: Vec<String> = g
            .members
            .get()
            .unwrap()
            .iter()
            .map(|m| m.read().name.clone())
            .collect();
        names.sort();
        assert_eq!(names, [0, 1, 2].map(|m| format!("t{t}m{m}")));
    }
}

/// Kills `delete match arm ObjectState::Deleted in Registry<T>::update_batches`: an object
/// changed and then marked for deletion is deleted by the flush, and a rollback brings it
/// back with its values from before the change.
fn changed_then_deleted_object_comes_back_unchanged_after_rollback(db: &TestDb) {
    setup(db);
    let mut s = Session::new(&db.engine);
    let a = s.add(person("Asha", "Pune"));
    s.commit().unwrap();
    let id = a.read().id.unwrap();
    a.write().city = "Goa".into();
    s.delete(&a).unwrap();
    s.flush().unwrap();
    assert_eq!(
        row(db, id),
        Some(("Asha".into(), "Pune".into(), None)),
        "not committed yet"
    );
    s.rollback().unwrap();
    assert_eq!(a.state(), ObjectState::Persistent);
    assert_eq!(
        a.read().city,
        "Pune",
        "the change is undone with the deletion"
    );
    // Nothing left to write.
    s.commit().unwrap();
    assert_eq!(row(db, id), Some(("Asha".into(), "Pune".into(), None)));
}

/// Kills the `savepoints > 0` and `snapshot_generation != generation` mutants of
/// `Registry<T>::update_batches` for a change that touches no column (a member pushed onto
/// a loaded collection changes only the child's foreign key): a failed savepoint and a
/// rolled-back transaction both give the parent its collection from before.
fn collection_change_is_undone_by_savepoint_and_transaction_rollback(db: &TestDb) {
    seed_teams(db);
    let mut s = Session::new(&db.engine);
    let teams = s
        .query::<Team>()
        .order_by(Team::id)
        .options(selectin(Team::members))
        .all()
        .unwrap();
    let (t0, t1) = (teams[0].clone(), teams[1].clone());
    let moved = t1.read().members.get().unwrap()[0].clone();
    let r = s.savepoint(|s| -> Result<()> {
        t0.write().members.push(moved.clone())?;
        s.flush()?;
        Err(Error::misuse("undo the savepoint"))
    });
    assert!(r.is_err());
    assert_eq!(t0.read().members.len().unwrap(), 3, "savepoint rollback");
    assert_eq!(moved.read().team_id, t1.read().id);

    t0.write().members.push(moved.clone()).unwrap();
    s.flush().unwrap();
    assert_eq!(t0.read().members.len().unwrap(), 4);
    s.rollback().unwrap();
    assert_eq!(t0.read().members.len().unwrap(), 3, "transaction rollback");
    assert_eq!(moved.read().team_id, t1.read().id);
    s.commit().unwrap();
    let mut fresh = Session::new(&db.engine);
    let back = fresh
        .get::<Member>(moved.read().id.unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(back.read().team_id, t1.read().id);
}

/// Kills `replace << with >> in Registry<T>::insert_pending` (the mask of "every column
/// but the generated key", equivalent while the key is column 0): new objects of a model
/// whose generated key is its second column still go in one multi-row INSERT, each with
/// the key of its own row.
fn generated_key_in_second_column_still_batches(db: &TestDb) {
    db.create_tables(&[LateKey::table()]);
    let echo = echo_engine(db);
    let mut s = Session::new(&echo);
    let hs = s.add_all((0..10).map(|i| LateKey {
        label: format!("k{i}"),
        id: None,
    }));
    let (flushed, sql) = capture_sql(|| s.flush());
    flushed.unwrap();
    assert_eq!(statements(&sql, "INSERT").len(), 1, "{sql:#?}");
    s.commit().unwrap();
    let mut conn = db.engine.connect().unwrap();
    for h in &hs {
        let g = h.read();
        let label: Option<String> = conn
            .scalar(text("SELECT label FROM late_keys WHERE id = :id").bind("id", g.id.unwrap()))
            .unwrap();
        assert_eq!(label.as_deref(), Some(g.label.as_str()));
    }
}

/// Kills `replace == with != in Registry<T>::insert_pending` (`mask == full`, which keeps
/// rows that read back more than the generated key out of multi-row INSERTs): such rows go
/// one per statement on every backend, so what is read back (RETURNING on SQLite and
/// PostgreSQL, a SELECT by key on MySQL) maps to its object without relying on row order.
fn rows_reading_back_server_defaults_go_one_per_insert(db: &TestDb) {
    db.create_tables(&[WithDefault::table()]);
    let echo = echo_engine(db);
    let mut s = Session::new(&echo);
    let hs = s.add_all((0..4).map(|i| WithDefault {
        id: None,
        label: format!("d{i}"),
        score: None,
    }));
    let (flushed, sql) = capture_sql(|| s.flush());
    flushed.unwrap();
    assert_eq!(statements(&sql, "INSERT").len(), 4, "{sql:#?}");
    for h in &hs {
        assert_eq!(h.read().score, Some(7), "server default read back");
    }
    s.commit().unwrap();
}

/// Kills `replace && with || in Registry<T>::update_batches` (`HAS_RELATIONS &&
/// snapshot_generation != generation`, which keeps one pre-transaction snapshot per object):
/// a parent whose column was flushed and whose collection changed in a later flush of the
/// same transaction gets its values from before the transaction back on rollback.
fn rollback_restores_the_first_snapshot_after_two_flushes(db: &TestDb) {
    seed_teams(db);
    let mut s = Session::new(&db.engine);
    let teams = s
        .query::<Team>()
        .order_by(Team::id)
        .options(selectin(Team::members))
        .all()
        .unwrap();
    let (t0, t1) = (teams[0].clone(), teams[1].clone());
    t0.write().name = "renamed".into();
    s.flush().unwrap();
    let moved = t1.read().members.get().unwrap()[0].clone();
    t0.write().members.push(moved).unwrap();
    s.flush().unwrap();
    s.rollback().unwrap();
    assert_eq!(
        t0.read().name,
        "t0",
        "the value from before the transaction"
    );
    assert_eq!(t0.read().members.len().unwrap(), 3);
}

/// Kills `replace && with || in materialize_in` and `delete ! in materialize_in` (query.rs):
/// a locking query refreshes every object it locks from its row, not only the first (the
/// identity map's key-first shortcut does not refresh), while a plain query in the same
/// transaction generation keeps what the session holds.
fn locking_query_refreshes_every_row_it_locks(db: &TestDb) {
    setup(db);
    let mut s = Session::new(&db.engine);
    s.add_all([
        person("a", "Pune"),
        person("b", "Pune"),
        person("c", "Pune"),
    ]);
    s.commit().unwrap();
    let loaded = s.query::<Person>().order_by(Person::id).all().unwrap();
    db.engine
        .connect()
        .unwrap()
        .execute(text("UPDATE people SET city = 'Goa'"))
        .unwrap();
    let again = s.query::<Person>().order_by(Person::id).all().unwrap();
    let cities: Vec<String> = again.iter().map(|h| h.read().city.clone()).collect();
    assert_eq!(
        cities,
        ["Pune", "Pune", "Pune"],
        "a plain query does not overwrite"
    );
    let locked = s
        .query::<Person>()
        .order_by(Person::id)
        .with_for_update()
        .all()
        .unwrap();
    assert_eq!(locked.len(), 3);
    for (l, h) in locked.iter().zip(&loaded) {
        assert!(Handle::ptr_eq(l, h));
        assert_eq!(
            h.read().city,
            "Goa",
            "{:?} refreshed from its locked row",
            h.read().name
        );
    }
    s.commit().unwrap();
}

/// Kills `delete ! in <impl JoinSpec<M> for Joined<M, R>>::row` (loading.rs): with a join
/// of the query itself (rows may repeat a pair, so joined loading deduplicates), every
/// member still gets its team.
fn joined_load_beside_a_join_fills_every_object(db: &TestDb) {
    seed_teams(db);
    let mut s = Session::new(&db.engine);
    let members = s
        .query::<Member>()
        .join(Member::team)
        .filter(Team::name.ne("t0"))
        .order_by(Member::id)
        .options(joined(Member::team))
        .all()
        .unwrap();
    assert_eq!(members.len(), 12);
    for m in &members {
        let g = m.read();
        let team = g.team.get().unwrap().cloned().expect("team loaded");
        assert_eq!(team.read().id, g.team_id, "{}", g.name);
        assert!(g.name.starts_with(&team.read().name), "{}", g.name);
    }
}

/// Kills `replace + with - in <impl JoinSpec<M> for Joined<M, R>>::row` (loading.rs): the
/// outer join's "no related row" test reads the related model's key column where it is,
/// also when that is not the model's first column; an empty shelf loads an empty collection.
fn joined_load_finds_no_child_when_the_child_key_is_not_first(db: &TestDb) {
    db.create_tables(&[Shelf::table(), Book::table()]);
    let mut s = Session::new(&db.engine);
    let full = s.add(Shelf {
        id: None,
        name: "full".into(),
        books: HasMany::loaded(Vec::new()),
    });
    s.add(Shelf {
        id: None,
        name: "empty".into(),
        books: HasMany::loaded(Vec::new()),
    });
    for title in ["a", "b"] {
        let b = s.add(Book {
            title: title.into(),
            id: None,
            shelf_id: None,
            shelf: BelongsTo::default(),
        });
        full.write().books.push(b).unwrap();
    }
    s.commit().unwrap();
    s.close();
    let shelves = s
        .query::<Shelf>()
        .order_by(Shelf::id)
        .options(joined(Shelf::books))
        .all()
        .unwrap();
    let counts: Vec<(String, usize)> = shelves
        .iter()
        .map(|h| {
            let g = h.read();
            (g.name.clone(), g.books.len().unwrap())
        })
        .collect();
    assert_eq!(counts, [("full".to_string(), 2), ("empty".to_string(), 0)]);
}

backend_tests!(
    updated_then_deleted_object_is_restored_by_rollback_after_failed_commit,
    interleaved_changes_to_different_columns_write_only_their_own,
    wide_rows_are_split_by_the_parameter_limit,
    selectin_sends_one_select_per_level,
    joined_sends_one_select,
    changed_then_deleted_object_comes_back_unchanged_after_rollback,
    collection_change_is_undone_by_savepoint_and_transaction_rollback,
    generated_key_in_second_column_still_batches,
    rows_reading_back_server_defaults_go_one_per_insert,
    rollback_restores_the_first_snapshot_after_two_flushes,
    locking_query_refreshes_every_row_it_locks,
    joined_load_beside_a_join_fills_every_object,
    joined_load_finds_no_child_when_the_child_key_is_not_first,
);
