//! Model-based property test of the Session: random sequences of add / modify / delete /
//! flush / load / commit / rollback run against a real Session and against a plain
//! in-memory model (committed rows plus the objects the session tracks). After every step
//! the tracked objects must match the model; after every commit the database, read through
//! a separate rusqlite connection, must equal the model's committed rows.

mod common;

use std::collections::BTreeMap;

use cinnabar::prelude::*;
use cinnabar::Model as _;
use proptest::prelude::*;

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "items")]
struct Item {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    label: String,
    qty: i64,
}

#[derive(Debug, Clone)]
enum Op {
    Add(String, i64),
    /// Modify the n-th live object (mod their number): new label (if any) and quantity.
    Modify(usize, Option<String>, i64),
    Delete(usize),
    Flush,
    LoadAll,
    Commit,
    Rollback,
}

fn label() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["a", "b", "c", "d"]).prop_map(String::from)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (label(), 0..100i64).prop_map(|(l, q)| Op::Add(l, q)),
        3 => (any::<usize>(), prop::option::of(label()), 0..100i64)
            .prop_map(|(i, l, q)| Op::Modify(i, l, q)),
        2 => any::<usize>().prop_map(Op::Delete),
        1 => Just(Op::Flush),
        1 => Just(Op::LoadAll),
        2 => Just(Op::Commit),
        1 => Just(Op::Rollback),
    ]
}

type Row = (String, i64);

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// Added in the open transaction; `flushed` once its INSERT ran.
    New { flushed: bool },
    /// Added and flushed in the open transaction, then deleted.
    NewDeleted,
    /// A committed row.
    Persistent(i64),
    /// A committed row marked for deletion (or deleted by a flush).
    Deleted(i64),
}

struct Tracked {
    h: Handle<Item>,
    kind: Kind,
    cur: Row,
}

#[derive(Default)]
struct Model {
    committed: BTreeMap<i64, Row>,
    objs: Vec<Tracked>,
}

impl Model {
    fn live(&self) -> Vec<usize> {
        (0..self.objs.len())
            .filter(|&i| matches!(self.objs[i].kind, Kind::New { .. } | Kind::Persistent(_)))
            .collect()
    }

    fn mark_flushed(&mut self) {
        for o in &mut self.objs {
            if let Kind::New { flushed } = &mut o.kind {
                *flushed = true;
            }
        }
    }
}

fn value(h: &Handle<Item>) -> Row {
    let g = h.read();
    (g.label.clone(), g.qty)
}

fn db_rows(db: &common::TestDb) -> BTreeMap<i64, Row> {
    let raw = db.raw();
    let mut stmt = raw.prepare("SELECT id, label, qty FROM items").unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, (r.get(1)?, r.get(2)?))))
        .unwrap()
        .collect::<Result<BTreeMap<_, _>, _>>()
        .unwrap();
    rows
}

fn check_tracked(m: &Model) -> Result<(), TestCaseError> {
    for (i, o) in m.objs.iter().enumerate() {
        prop_assert_eq!(&value(&o.h), &o.cur, "object {} ({:?})", i, o.kind);
        let expected = match o.kind {
            Kind::New { flushed: false } => "Pending",
            Kind::New { flushed: true } | Kind::Persistent(_) => "Persistent",
            Kind::NewDeleted | Kind::Deleted(_) => "Deleted",
        };
        prop_assert_eq!(common::state(&o.h), expected, "object {} ({:?})", i, o.kind);
        if let Kind::Persistent(id) | Kind::Deleted(id) = o.kind {
            prop_assert_eq!(o.h.read().id, Some(id));
        }
    }
    Ok(())
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let db = common::temp_engine();
    MetaData::new()
        .with(Item::table().clone())
        .create_all(&db.engine)
        .unwrap();
    let mut session = Session::new(&db.engine);
    let mut m = Model::default();

    for (step, op) in ops.into_iter().enumerate() {
        match op {
            Op::Add(label, qty) => {
                let h = session.add(Item {
                    id: None,
                    label: label.clone(),
                    qty,
                });
                m.objs.push(Tracked {
                    h,
                    kind: Kind::New { flushed: false },
                    cur: (label, qty),
                });
            }
            Op::Modify(n, label, qty) => {
                let live = m.live();
                if live.is_empty() {
                    continue;
                }
                let o = &mut m.objs[live[n % live.len()]];
                {
                    let mut g = o.h.write();
                    if let Some(l) = &label {
                        g.label = l.clone();
                    }
                    g.qty = qty;
                }
                if let Some(l) = label {
                    o.cur.0 = l;
                }
                o.cur.1 = qty;
            }
            Op::Delete(n) => {
                let live = m.live();
                if live.is_empty() {
                    continue;
                }
                let idx = live[n % live.len()];
                session.delete(&m.objs[idx].h).unwrap();
                match m.objs[idx].kind {
                    Kind::New { flushed: false } => {
                        let o = m.objs.remove(idx);
                        prop_assert_eq!(common::state(&o.h), "Transient");
                    }
                    Kind::New { flushed: true } => m.objs[idx].kind = Kind::NewDeleted,
                    Kind::Persistent(id) => m.objs[idx].kind = Kind::Deleted(id),
                    k => unreachable!("{k:?} is not live"),
                }
            }
            Op::Flush => {
                session.flush().unwrap();
                m.mark_flushed();
            }
            Op::LoadAll => {
                let loaded = session.query::<Item>().all().unwrap();
                m.mark_flushed();
                let expected = m
                    .objs
                    .iter()
                    .filter(|o| matches!(o.kind, Kind::New { .. } | Kind::Persistent(_)))
                    .count()
                    + m.committed
                        .keys()
                        .filter(|id| {
                            !m.objs.iter().any(|o| {
                                matches!(o.kind, Kind::Persistent(i) | Kind::Deleted(i) if i == **id)
                            })
                        })
                        .count();
                prop_assert_eq!(loaded.len(), expected, "step {}: rows loaded", step);
                for h in loaded {
                    match m.objs.iter().find(|o| Handle::ptr_eq(&o.h, &h)) {
                        Some(o) => prop_assert!(
                            matches!(o.kind, Kind::New { .. } | Kind::Persistent(_)),
                            "step {}: loaded a deleted object",
                            step
                        ),
                        None => {
                            // A committed row the session did not track yet.
                            let id = h.read().id.unwrap();
                            let row = m.committed.get(&id).cloned();
                            prop_assert!(row.is_some(), "step {}: unknown row {}", step, id);
                            prop_assert!(
                                !m.objs.iter().any(|o| matches!(o.kind, Kind::Persistent(i) | Kind::Deleted(i) if i == id)),
                                "step {}: a second object for row {}",
                                step,
                                id
                            );
                            m.objs.push(Tracked {
                                h,
                                kind: Kind::Persistent(id),
                                cur: row.unwrap(),
                            });
                        }
                    }
                }
            }
            Op::Commit => {
                session.commit().unwrap();
                prop_assert!(!session.in_transaction());
                let mut kept = Vec::new();
                for mut o in std::mem::take(&mut m.objs) {
                    match o.kind {
                        Kind::New { .. } => {
                            let id = o.h.read().id;
                            prop_assert!(id.is_some(), "step {}: no id after commit", step);
                            let id = id.unwrap();
                            prop_assert!(!m.committed.contains_key(&id), "id {} reused", id);
                            m.committed.insert(id, o.cur.clone());
                            o.kind = Kind::Persistent(id);
                            kept.push(o);
                        }
                        Kind::Persistent(id) => {
                            m.committed.insert(id, o.cur.clone());
                            kept.push(o);
                        }
                        Kind::Deleted(id) => {
                            m.committed.remove(&id);
                            prop_assert_eq!(common::state(&o.h), "Detached");
                        }
                        Kind::NewDeleted => {
                            prop_assert_eq!(common::state(&o.h), "Detached");
                        }
                    }
                }
                m.objs = kept;
                prop_assert_eq!(
                    &db_rows(&db),
                    &m.committed,
                    "step {}: database after commit",
                    step
                );
            }
            Op::Rollback => {
                session.rollback().unwrap();
                prop_assert!(!session.in_transaction());
                let mut kept = Vec::new();
                for mut o in std::mem::take(&mut m.objs) {
                    match o.kind {
                        Kind::New { .. } | Kind::NewDeleted => {
                            prop_assert_eq!(common::state(&o.h), "Transient", "step {}", step);
                            prop_assert_eq!(o.h.read().id, None, "step {}", step);
                        }
                        Kind::Persistent(id) | Kind::Deleted(id) => {
                            o.kind = Kind::Persistent(id);
                            o.cur = m.committed[&id].clone();
                            kept.push(o);
                        }
                    }
                }
                m.objs = kept;
                prop_assert_eq!(
                    &db_rows(&db),
                    &m.committed,
                    "step {}: database after rollback",
                    step
                );
            }
        }
        check_tracked(&m)?;
    }

    // At the end, a fresh session sees exactly the committed rows.
    session.rollback().unwrap();
    drop(session);
    let mut fresh = Session::new(&db.engine);
    let seen: BTreeMap<i64, Row> = fresh
        .query::<Item>()
        .all()
        .unwrap()
        .iter()
        .map(|h| (h.read().id.unwrap(), value(h)))
        .collect();
    prop_assert_eq!(&seen, &m.committed);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn session_matches_model(ops in prop::collection::vec(op(), 1..=30)) {
        run(ops)?;
    }
}

/// A fixed sequence exercising the trickiest transitions, so they are always covered.
#[test]
fn scripted_sequence() {
    use Op::*;
    let ops = vec![
        Add("a".into(), 1),
        Add("b".into(), 2),
        Commit,
        Modify(0, Some("c".into()), 3),
        Flush,
        Modify(0, None, 4),
        Delete(1),
        Add("d".into(), 5),
        LoadAll,
        Delete(1),
        Rollback,
        LoadAll,
        Delete(0),
        Modify(0, Some("a".into()), 9),
        Commit,
        Add("e".into(), 6),
        Flush,
        Delete(1),
        Commit,
        LoadAll,
    ];
    run(ops).unwrap();
}
