//! Several sessions writing at once, each on its own thread, started together by a barrier
//! at every round: every generated key lands on the object whose row it is, nothing is lost
//! or duplicated, increments of the same rows (locked with `get_for_update`) all count, and
//! of several threads inserting the same unique title exactly one wins.

use std::collections::HashMap;
use std::sync::{Arc, Barrier};

use super::*;

#[derive(FromRow)]
struct IdName {
    id: i64,
    name: String,
}

const THREADS: usize = 6;
const ROUNDS: usize = 3;
const PER_ROUND: usize = 100;
/// Rows every thread increments in every round.
const SHARED: [i64; 3] = [1, 2, 3];

/// One thread's work: per round, wait for the others, insert its students, increment the
/// shared rows, try to take the round's course title, and change every other student. A
/// failure is returned, not panicked, after the thread has still waited at every barrier,
/// so the other threads never hang.
fn worker(
    engine: &Engine,
    barrier: &Barrier,
    t: usize,
) -> (Vec<(i64, String)>, usize, Vec<String>) {
    let mut out = Vec::new();
    let mut titles_won = 0;
    let mut errors = Vec::new();
    for round in 0..ROUNDS {
        barrier.wait();
        let mut run = || -> Result<()> {
            let mut s = Session::new(engine);
            let hs = s.add_all(
                (0..PER_ROUND)
                    .map(|i| student(&format!("T{t}-R{round}-{i:03}"), &format!("thread {t}"))),
            );
            s.commit()?;
            for id in SHARED {
                let h = s.get_for_update::<Sample>(id)?.expect("shared row");
                h.write().big += 1;
            }
            s.commit()?;
            let mut contender = Session::new(engine);
            contender.add(course(&format!("round {round}")));
            match contender.commit() {
                Ok(()) => titles_won += 1,
                Err(e) if e.kind() == ErrorKind::UniqueViolation => {}
                Err(e) => return Err(e),
            }
            for h in hs.iter().step_by(2) {
                h.write().course = format!("thread {t} changed");
            }
            s.commit()?;
            out.extend(hs.iter().map(|h| {
                let g = h.read();
                (g.id.expect("key"), g.name.clone())
            }));
            Ok(())
        };
        if let Err(e) = run() {
            errors.push(format!("thread {t} round {round}: {e}"));
        }
    }
    (out, titles_won, errors)
}

fn concurrent_sessions_insert_and_update(db: &TestDb) {
    setup(db);
    let mut s = Session::new(&db.engine);
    for id in SHARED {
        s.add(Sample {
            id: Some(id),
            big: 0,
            maybe: None,
            label: format!("shared {id}"),
            note: None,
            ratio: 0.0,
            flag: false,
            data: None,
        });
    }
    s.commit().unwrap();
    let barrier = Arc::new(Barrier::new(THREADS));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let engine = db.engine.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || worker(&engine, &barrier, t))
        })
        .collect();
    let mut expected = HashMap::new();
    let mut titles_won = 0;
    let mut errors = Vec::new();
    for w in workers {
        let (rows, won, errs) = w.join().expect("worker panicked");
        for (id, name) in rows {
            assert!(expected.insert(id, name).is_none(), "key {id} given twice");
        }
        titles_won += won;
        errors.extend(errs);
    }
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(expected.len(), THREADS * ROUNDS * PER_ROUND);
    let rows: Vec<IdName> = conn(db)
        .query_as(text("SELECT id, name FROM students"))
        .unwrap();
    assert_eq!(rows.len(), THREADS * ROUNDS * PER_ROUND);
    for r in rows {
        assert_eq!(expected.get(&r.id), Some(&r.name), "row {}", r.id);
    }
    let changed: i64 = conn(db)
        .scalar(text(
            "SELECT COUNT(*) FROM students WHERE course LIKE '% changed'",
        ))
        .unwrap();
    assert_eq!(changed as usize, THREADS * ROUNDS * PER_ROUND / 2);
    // No lost update on the shared rows, and one winner per contested title.
    for id in SHARED {
        assert_eq!(
            db.scalar(&format!("SELECT big FROM samples WHERE id = {id}")),
            Some((THREADS * ROUNDS) as i64),
            "increments of shared row {id}"
        );
    }
    assert_eq!(titles_won, ROUNDS, "one thread takes each round's title");
    assert_eq!(count(db, "courses"), ROUNDS as i64);
}

crate::backend_tests!(concurrent_sessions_insert_and_update);
