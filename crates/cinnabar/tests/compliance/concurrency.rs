//! Several sessions writing at once, each on its own thread: every generated key lands on
//! the object whose row it is, and nothing is lost or duplicated.

use std::collections::HashMap;

use super::*;

#[derive(FromRow)]
struct IdName {
    id: i64,
    name: String,
}

fn concurrent_sessions_insert_and_update(db: &TestDb) {
    setup(db);
    const THREADS: usize = 6;
    const PER_THREAD: usize = 300;
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let engine = db.engine.clone();
            std::thread::spawn(move || -> Vec<(i64, String)> {
                let mut out = Vec::new();
                for round in 0..3 {
                    let mut s = Session::new(&engine);
                    let hs = s.add_all((0..PER_THREAD / 3).map(|i| {
                        student(&format!("T{t}-R{round}-{i:03}"), &format!("thread {t}"))
                    }));
                    s.commit()
                        .unwrap_or_else(|e| panic!("thread {t} round {round}: {e}"));
                    // Change every other object in a second transaction.
                    for h in hs.iter().step_by(2) {
                        h.write().course = format!("thread {t} changed");
                    }
                    s.commit()
                        .unwrap_or_else(|e| panic!("thread {t} update: {e}"));
                    out.extend(hs.iter().map(|h| {
                        let g = h.read();
                        (g.id.expect("key"), g.name.clone())
                    }));
                }
                out
            })
        })
        .collect();
    let mut expected = HashMap::new();
    for w in workers {
        for (id, name) in w.join().expect("worker panicked") {
            assert!(expected.insert(id, name).is_none(), "key {id} given twice");
        }
    }
    assert_eq!(expected.len(), THREADS * PER_THREAD);
    let rows: Vec<IdName> = conn(db)
        .query_as(text("SELECT id, name FROM students"))
        .unwrap();
    assert_eq!(rows.len(), THREADS * PER_THREAD);
    for r in rows {
        assert_eq!(expected.get(&r.id), Some(&r.name), "row {}", r.id);
    }
    let changed: i64 = conn(db)
        .scalar(text(
            "SELECT COUNT(*) FROM students WHERE course LIKE '% changed'",
        ))
        .unwrap();
    assert_eq!(changed as usize, THREADS * PER_THREAD / 2);
}

crate::backend_tests!(concurrent_sessions_insert_and_update);
