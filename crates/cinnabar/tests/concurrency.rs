//! Many sessions writing through one shared engine: every commit lands, none surfaces an
//! error (SQLite writers queue on `BEGIN IMMEDIATE` and the busy timeout).

mod common;

use std::sync::{Arc, Barrier};
use std::time::Instant;

use cinnabar::prelude::*;
use common::{setup, student, Student};

const THREADS: usize = 8;
const PER_THREAD: usize = 1_000;

#[test]
fn eight_sessions_commit_a_thousand_rows_each() {
    let db = setup();
    let start = Arc::new(Barrier::new(THREADS));
    let began = Instant::now();
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let engine = db.engine.clone();
            let start = start.clone();
            std::thread::spawn(move || -> Result<Vec<i64>> {
                let mut session = Session::new(&engine);
                let mut ids = Vec::with_capacity(PER_THREAD);
                start.wait();
                for i in 0..PER_THREAD {
                    let h = session.add(student(&format!("t{t}-{i}"), &format!("thread {t}")));
                    session.commit()?;
                    ids.push(h.read().id.expect("id after commit"));
                }
                Ok(ids)
            })
        })
        .collect();

    let mut all_ids = Vec::new();
    let mut errors = Vec::new();
    for (t, w) in workers.into_iter().enumerate() {
        match w.join().expect("worker panicked") {
            Ok(ids) => all_ids.extend(ids),
            Err(e) => errors.push(format!("thread {t}: {e}")),
        }
    }
    let elapsed = began.elapsed();
    assert!(errors.is_empty(), "errors surfaced: {errors:#?}");
    eprintln!(
        "{} single-row transactions from {THREADS} threads in {elapsed:?}",
        THREADS * PER_THREAD
    );

    // Every row is there, once, with the id its object was given.
    assert_eq!(db.count("students"), (THREADS * PER_THREAD) as i64);
    all_ids.sort_unstable();
    all_ids.dedup();
    assert_eq!(
        all_ids.len(),
        THREADS * PER_THREAD,
        "ids were handed out twice"
    );
    let mut session = Session::new(&db.engine);
    for t in 0..THREADS {
        let n = session
            .query::<Student>()
            .filter(Student::course.eq(format!("thread {t}")))
            .count()
            .unwrap();
        assert_eq!(n, PER_THREAD as i64, "thread {t}");
    }
    let raw = db.raw();
    let (min, max): (i64, i64) = raw
        .query_row("SELECT MIN(id), MAX(id) FROM students", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((min, max), (all_ids[0], *all_ids.last().unwrap()));
    drop(session);
    // The pool did not leak connections: all of them are back and idle.
    let status = db.engine.pool_status();
    assert_eq!(status.open, status.idle, "{status:?}");
}
