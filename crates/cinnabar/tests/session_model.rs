//! Model-based property test of the Session: random sequences of add / `add_handle` /
//! re-add / modify / delete / expunge / flush / load / commit / rollback / savepoint run
//! against a real Session and against a plain in-memory model (the committed rows, the rows
//! the open transaction sees, the objects the session tracks and the handles it let go).
//!
//! Failing flushes are generated too: a "poison" gives an object the unique `tag` of a
//! sentinel row, so the next flush (explicit, an autoflush, a commit or a savepoint's) fails
//! with a unique violation. The model then follows `docs/SESSION.md` "Flush": the transaction
//! is rolled back but the session keeps the user's changes (pending objects pending again with
//! their generated keys cleared, changed objects still changed, deletions still marked); a
//! later fix, expunge or rollback gets the session going again. Inside `savepoint(..)` a
//! failed flush undoes only the savepoint's part.
//!
//! After every step the tracked objects (values, states, keys) must match the model; after
//! every flush the rows the session's own connection sees must equal the model's transaction
//! view, and after every commit and rollback the database, read through a separate rusqlite
//! connection, must equal the model's committed rows.
//!
//! SQLite only (a file in a temporary directory): the model reads the database behind the
//! session's back with rusqlite. Failures are persisted to
//! `crates/cinnabar/proptest-regressions/session_model.txt` and replayed first on every run.

mod common;
#[path = "models/session_model.rs"]
mod models;

use std::collections::BTreeMap;

use cinnabar::prelude::*;
use cinnabar::Model as _;
use models::Item;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// The unique tag the sentinel row holds.
const TAKEN: i64 = 0;

#[derive(Debug, Clone)]
enum Op {
    Add(String, i64),
    /// `Handle::new` + `session.add_handle`.
    AddHandle(String, i64),
    /// `add_handle` again on the n-th handle the session let go (mod their number): fine for
    /// one a rollback, savepoint or delete made transient, `Misuse` for a detached one.
    ReAdd(usize),
    /// Modify the n-th live object (mod their number): new label (if any) and quantity.
    Modify(usize, Option<String>, i64),
    Delete(usize),
    /// Give an object the sentinel's unique tag: a new one (`None`) or the n-th live one.
    Poison(Option<usize>),
    /// Clear the tag of the n-th poisoned object.
    Fix(usize),
    /// `session.expunge` the n-th expungeable object.
    Expunge(usize),
    Flush,
    LoadAll,
    Commit,
    Rollback,
    /// `session.savepoint(|s| ...)` running the ops, then returning `Ok` (true) or `Err`.
    Savepoint(Vec<Op>, bool),
}

fn label() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["a", "b", "c", "d"]).prop_map(String::from)
}

/// Ops that make sense inside a savepoint (no commit, rollback or expunge).
fn leaf_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (label(), 0..100i64).prop_map(|(l, q)| Op::Add(l, q)),
        1 => (label(), 0..100i64).prop_map(|(l, q)| Op::AddHandle(l, q)),
        1 => any::<usize>().prop_map(Op::ReAdd),
        3 => (any::<usize>(), prop::option::of(label()), 0..100i64)
            .prop_map(|(i, l, q)| Op::Modify(i, l, q)),
        2 => any::<usize>().prop_map(Op::Delete),
        1 => prop::option::of(any::<usize>()).prop_map(Op::Poison),
        1 => any::<usize>().prop_map(Op::Fix),
        1 => Just(Op::Flush),
        1 => Just(Op::LoadAll),
    ]
}

fn inner_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => leaf_op(),
        1 => (prop::collection::vec(leaf_op(), 0..4), any::<bool>())
            .prop_map(|(ops, ok)| Op::Savepoint(ops, ok)),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        14 => leaf_op(),
        1 => any::<usize>().prop_map(Op::Expunge),
        2 => Just(Op::Commit),
        1 => Just(Op::Rollback),
        2 => (prop::collection::vec(inner_op(), 0..6), any::<bool>())
            .prop_map(|(ops, ok)| Op::Savepoint(ops, ok)),
    ]
}

/// `(label, qty, tag)`.
type Row = (String, i64, Option<i64>);

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// Added in the open transaction; `Some(key)` once its INSERT ran.
    New(Option<i64>),
    /// Added and flushed in the open transaction, then deleted (`flushed`: the DELETE ran).
    NewDeleted { id: i64, flushed: bool },
    /// A row committed before the open transaction.
    Persistent(i64),
    /// A committed row marked for deletion (`flushed`: the DELETE ran).
    Deleted { id: i64, flushed: bool },
}

#[derive(Clone)]
struct Tracked {
    h: Handle<Item>,
    kind: Kind,
    cur: Row,
}

/// A handle the session let go: `state` is "Transient" or "Detached".
struct Outside {
    h: Handle<Item>,
    state: &'static str,
    id: Option<i64>,
    cur: Row,
}

struct Model {
    /// The sentinel row's key.
    sentinel: i64,
    committed: BTreeMap<i64, Row>,
    /// The rows as the session's open transaction sees them (`committed` outside one).
    txdb: BTreeMap<i64, Row>,
    objs: Vec<Tracked>,
    outside: Vec<Outside>,
}

/// What a step did to the session.
enum Flow {
    Continue,
    /// A flush failed (as the model predicted); inside a savepoint the body gives up.
    FlushFailed(Error),
}

impl Model {
    fn is_sentinel(&self, o: &Tracked) -> bool {
        o.kind == Kind::Persistent(self.sentinel)
    }

    fn indices(&self, f: impl Fn(&Tracked) -> bool) -> Vec<usize> {
        (0..self.objs.len()).filter(|&i| f(&self.objs[i])).collect()
    }

    fn is_live(o: &Tracked) -> bool {
        matches!(o.kind, Kind::New(_) | Kind::Persistent(_))
    }

    /// Whether the next flush must fail: a live object other than the sentinel holds its tag.
    fn poisoned(&self) -> bool {
        self.objs
            .iter()
            .any(|o| Self::is_live(o) && !self.is_sentinel(o) && o.cur.2 == Some(TAKEN))
    }

    /// A successful flush: INSERTs and UPDATEs, then DELETEs.
    fn apply_flush(&mut self, step: usize) -> Result<(), TestCaseError> {
        for o in &mut self.objs {
            match o.kind {
                Kind::New(prev) => {
                    let id = o.h.read().id;
                    prop_assert!(id.is_some(), "step {}: no key after the flush", step);
                    let id = id.unwrap();
                    match prev {
                        Some(p) => prop_assert_eq!(id, p, "step {}: key changed", step),
                        None => prop_assert!(
                            !self.txdb.contains_key(&id),
                            "step {}: key {} given twice",
                            step,
                            id
                        ),
                    }
                    self.txdb.insert(id, o.cur.clone());
                    o.kind = Kind::New(Some(id));
                }
                Kind::Persistent(id) => {
                    self.txdb.insert(id, o.cur.clone());
                }
                _ => {}
            }
        }
        for o in &mut self.objs {
            match &mut o.kind {
                Kind::Deleted { id, flushed } | Kind::NewDeleted { id, flushed } if !*flushed => {
                    self.txdb.remove(id);
                    *flushed = true;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A failed flush or COMMIT outside a savepoint: the transaction is rolled back, the
    /// session keeps every change as not yet flushed.
    fn failed_flush(&mut self) {
        self.txdb = self.committed.clone();
        let mut kept = Vec::new();
        for mut o in std::mem::take(&mut self.objs) {
            match o.kind {
                Kind::New(_) => {
                    o.kind = Kind::New(None);
                    kept.push(o);
                }
                // Inserted and deleted in the transaction: leaves the session.
                Kind::NewDeleted { .. } => self.outside.push(Outside {
                    h: o.h,
                    state: "Transient",
                    id: None,
                    cur: o.cur,
                }),
                Kind::Persistent(_) => kept.push(o),
                Kind::Deleted { id, .. } => {
                    o.kind = Kind::Deleted { id, flushed: false };
                    kept.push(o);
                }
            }
        }
        self.objs = kept;
    }

    /// Back to `snap` after a savepoint's rollback.
    fn restore(
        &mut self,
        snap: &[Tracked],
        snap_txdb: &BTreeMap<i64, Row>,
        step: usize,
    ) -> Result<(), TestCaseError> {
        self.txdb = snap_txdb.clone();
        let mut kept = Vec::new();
        for mut o in std::mem::take(&mut self.objs) {
            if let Some(s) = snap.iter().find(|s| Handle::ptr_eq(&s.h, &o.h)) {
                o.kind = s.kind;
                o.cur = s.cur.clone();
                kept.push(o);
                continue;
            }
            match o.kind {
                Kind::New(_) | Kind::NewDeleted { .. } => self.outside.push(Outside {
                    h: o.h,
                    state: "Transient",
                    id: None,
                    cur: o.cur,
                }),
                Kind::Persistent(id) | Kind::Deleted { id, .. } => {
                    // Loaded inside the savepoint.
                    let row = snap_txdb.get(&id).cloned();
                    prop_assert!(row.is_some(), "step {}: row {} came from nowhere", step, id);
                    o.kind = Kind::Persistent(id);
                    o.cur = row.unwrap();
                    kept.push(o);
                }
            }
        }
        self.objs = kept;
        Ok(())
    }
}

fn value(h: &Handle<Item>) -> Row {
    let g = h.read();
    (g.label.clone(), g.qty, g.tag)
}

/// The committed rows, through a separate rusqlite connection.
fn db_rows(db: &common::TestDb) -> BTreeMap<i64, Row> {
    let raw = db.raw();
    let mut stmt = raw
        .prepare("SELECT id, label, qty, tag FROM items")
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((r.get::<_, i64>(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))
        })
        .unwrap()
        .collect::<Result<BTreeMap<_, _>, _>>()
        .unwrap();
    rows
}

/// The rows the session's own connection sees (its open transaction included). Call only
/// when nothing is left to flush, so the autoflush of `execute` writes nothing.
fn session_rows(session: &mut Session) -> BTreeMap<i64, Row> {
    let rows = session
        .execute(text("SELECT id, label, qty, tag FROM items"))
        .unwrap();
    rows.rows()
        .iter()
        .map(|r| {
            (
                r.get::<i64>(0).unwrap(),
                (r.get(1).unwrap(), r.get(2).unwrap(), r.get(3).unwrap()),
            )
        })
        .collect()
}

fn check_tracked(m: &Model, step: usize) -> Result<(), TestCaseError> {
    for (i, o) in m.objs.iter().enumerate() {
        prop_assert_eq!(
            &value(&o.h),
            &o.cur,
            "step {}: object {} ({:?})",
            step,
            i,
            o.kind
        );
        let (expected, id) = match o.kind {
            Kind::New(id) => (
                if id.is_some() {
                    "Persistent"
                } else {
                    "Pending"
                },
                id,
            ),
            Kind::Persistent(id) => ("Persistent", Some(id)),
            Kind::NewDeleted { id, .. } | Kind::Deleted { id, .. } => ("Deleted", Some(id)),
        };
        prop_assert_eq!(
            common::state(&o.h),
            expected,
            "step {}: object {} ({:?})",
            step,
            i,
            o.kind
        );
        prop_assert_eq!(
            o.h.read().id,
            id,
            "step {}: object {} ({:?})",
            step,
            i,
            o.kind
        );
    }
    for (i, o) in m.outside.iter().enumerate() {
        prop_assert_eq!(&value(&o.h), &o.cur, "step {}: let-go handle {}", step, i);
        prop_assert_eq!(
            common::state(&o.h),
            o.state,
            "step {}: let-go handle {}",
            step,
            i
        );
        prop_assert_eq!(o.h.read().id, o.id, "step {}: let-go handle {}", step, i);
    }
    Ok(())
}

/// The outcome of a flush (explicit or automatic) the model predicted: fails when poisoned.
fn flush_outcome<T: std::fmt::Debug>(
    m: &mut Model,
    r: Result<T>,
    in_savepoint: bool,
    step: usize,
) -> Result<Result<T, Flow>, TestCaseError> {
    if m.poisoned() {
        let e = match r {
            Ok(v) => {
                return Err(TestCaseError::fail(format!(
                    "step {step}: the flush should fail (unique tag), got {v:?}"
                )))
            }
            Err(e) => e,
        };
        prop_assert_eq!(e.kind(), ErrorKind::UniqueViolation, "step {}: {}", step, e);
        if !in_savepoint {
            m.failed_flush();
        }
        return Ok(Err(Flow::FlushFailed(e)));
    }
    let v = match r {
        Ok(v) => v,
        Err(e) => {
            return Err(TestCaseError::fail(format!(
                "step {step}: the flush failed: {e}"
            )))
        }
    };
    m.apply_flush(step)?;
    Ok(Ok(v))
}

fn run_op(
    session: &mut Session,
    m: &mut Model,
    db: &common::TestDb,
    op: Op,
    step: usize,
    in_savepoint: bool,
) -> Result<Flow, TestCaseError> {
    match op {
        Op::Add(label, qty) => {
            let h = session.add(Item {
                id: None,
                label: label.clone(),
                qty,
                tag: None,
            });
            m.objs.push(Tracked {
                h,
                kind: Kind::New(None),
                cur: (label, qty, None),
            });
        }
        Op::AddHandle(label, qty) => {
            let h = Handle::new(Item {
                id: None,
                label: label.clone(),
                qty,
                tag: None,
            });
            prop_assert_eq!(common::state(&h), "Transient");
            session.add_handle(&h).unwrap();
            m.objs.push(Tracked {
                h,
                kind: Kind::New(None),
                cur: (label, qty, None),
            });
        }
        Op::ReAdd(n) => {
            if m.outside.is_empty() {
                return Ok(Flow::Continue);
            }
            let idx = n % m.outside.len();
            let r = session.add_handle(&m.outside[idx].h);
            if m.outside[idx].state == "Transient" {
                prop_assert!(r.is_ok(), "step {}: re-add: {:?}", step, r);
                let o = m.outside.remove(idx);
                m.objs.push(Tracked {
                    h: o.h,
                    kind: Kind::New(None),
                    cur: o.cur,
                });
            } else {
                let e = r.err();
                prop_assert_eq!(
                    e.map(|e| e.kind()),
                    Some(ErrorKind::Misuse),
                    "step {}: re-adding a detached object",
                    step
                );
            }
        }
        Op::Modify(n, label, qty) => {
            let live = m.indices(|o| Model::is_live(o) && !m.is_sentinel(o));
            if live.is_empty() {
                return Ok(Flow::Continue);
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
            let targets =
                m.indices(|o| Model::is_live(o) && !m.is_sentinel(o) && o.cur.2 != Some(TAKEN));
            if targets.is_empty() {
                return Ok(Flow::Continue);
            }
            let idx = targets[n % targets.len()];
            session.delete(&m.objs[idx].h).unwrap();
            match m.objs[idx].kind {
                Kind::New(None) => {
                    let o = m.objs.remove(idx);
                    m.outside.push(Outside {
                        h: o.h,
                        state: "Transient",
                        id: None,
                        cur: o.cur,
                    });
                }
                Kind::New(Some(id)) => m.objs[idx].kind = Kind::NewDeleted { id, flushed: false },
                Kind::Persistent(id) => m.objs[idx].kind = Kind::Deleted { id, flushed: false },
                k => unreachable!("{k:?} is not live"),
            }
        }
        Op::Poison(None) => {
            let h = session.add(Item {
                id: None,
                label: "p".into(),
                qty: 0,
                tag: Some(TAKEN),
            });
            m.objs.push(Tracked {
                h,
                kind: Kind::New(None),
                cur: ("p".into(), 0, Some(TAKEN)),
            });
        }
        Op::Poison(Some(n)) | Op::Fix(n) => {
            let fix = matches!(op, Op::Fix(_));
            let targets = m.indices(|o| {
                Model::is_live(o) && !m.is_sentinel(o) && (!fix || o.cur.2 == Some(TAKEN))
            });
            if targets.is_empty() {
                return Ok(Flow::Continue);
            }
            let o = &mut m.objs[targets[n % targets.len()]];
            let tag = if fix { None } else { Some(TAKEN) };
            o.h.write().tag = tag;
            o.cur.2 = tag;
        }
        Op::Expunge(n) => {
            // Not an object whose flushed UPDATE is in the open transaction: another object
            // loaded from that row would keep the uncommitted values after a rollback until
            // the next load refreshes it (expired, not restored: field access does no I/O),
            // which this model does not follow.
            let targets = m.indices(|o| match o.kind {
                Kind::New(None) => true,
                Kind::Persistent(id) | Kind::Deleted { id, .. } => m
                    .txdb
                    .get(&id)
                    .is_none_or(|r| m.committed.get(&id) == Some(r)),
                _ => false,
            });
            if targets.is_empty() {
                return Ok(Flow::Continue);
            }
            let o = m.objs.remove(targets[n % targets.len()]);
            session.expunge(&o.h).unwrap();
            let (state, id) = match o.kind {
                Kind::New(_) => ("Transient", None),
                Kind::Persistent(id) | Kind::Deleted { id, .. } => ("Detached", Some(id)),
                Kind::NewDeleted { .. } => unreachable!("not a target"),
            };
            m.outside.push(Outside {
                h: o.h,
                state,
                id,
                cur: o.cur,
            });
        }
        Op::Flush => {
            let r = session.flush();
            if let Err(f) = flush_outcome(m, r, in_savepoint, step)? {
                return Ok(f);
            }
            prop_assert_eq!(
                &session_rows(session),
                &m.txdb,
                "step {}: after flush",
                step
            );
        }
        Op::LoadAll => {
            let r = session.query::<Item>().all();
            let loaded = match flush_outcome(m, r, in_savepoint, step)? {
                Ok(l) => l,
                Err(f) => return Ok(f),
            };
            prop_assert_eq!(loaded.len(), m.txdb.len(), "step {}: rows loaded", step);
            for h in loaded {
                let id = h.read().id.unwrap();
                match m.objs.iter().find(|o| Handle::ptr_eq(&o.h, &h)) {
                    Some(o) => prop_assert!(
                        matches!(o.kind, Kind::New(Some(i)) | Kind::Persistent(i) if i == id),
                        "step {}: loaded {:?} as row {}",
                        step,
                        o.kind,
                        id
                    ),
                    None => {
                        // A row the session did not track yet.
                        let row = m.txdb.get(&id).cloned();
                        prop_assert!(row.is_some(), "step {}: unknown row {}", step, id);
                        prop_assert!(
                            !m.objs.iter().any(|o| matches!(
                                o.kind,
                                Kind::New(Some(i)) | Kind::Persistent(i) if i == id
                            )),
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
            assert!(!in_savepoint, "no commit inside a savepoint");
            let r = session.commit();
            let failed = flush_outcome(m, r, false, step)?.is_err();
            prop_assert!(!session.in_transaction());
            if !failed {
                m.committed = m.txdb.clone();
                let mut kept = Vec::new();
                for mut o in std::mem::take(&mut m.objs) {
                    match o.kind {
                        Kind::New(Some(id)) => {
                            o.kind = Kind::Persistent(id);
                            kept.push(o);
                        }
                        Kind::Persistent(_) => kept.push(o),
                        Kind::Deleted { id, .. } | Kind::NewDeleted { id, .. } => {
                            m.outside.push(Outside {
                                h: o.h,
                                state: "Detached",
                                id: Some(id),
                                cur: o.cur,
                            })
                        }
                        Kind::New(None) => unreachable!("flushed"),
                    }
                }
                m.objs = kept;
            }
            prop_assert_eq!(
                &db_rows(db),
                &m.committed,
                "step {}: database after commit",
                step
            );
        }
        Op::Rollback => {
            assert!(!in_savepoint, "no rollback inside a savepoint");
            session.rollback().unwrap();
            prop_assert!(!session.in_transaction());
            m.txdb = m.committed.clone();
            let mut kept = Vec::new();
            for mut o in std::mem::take(&mut m.objs) {
                match o.kind {
                    Kind::New(_) | Kind::NewDeleted { .. } => m.outside.push(Outside {
                        h: o.h,
                        state: "Transient",
                        id: None,
                        cur: o.cur,
                    }),
                    Kind::Persistent(id) | Kind::Deleted { id, .. } => {
                        let row = m.committed.get(&id).cloned();
                        prop_assert!(row.is_some(), "step {}: row {} never committed", step, id);
                        o.kind = Kind::Persistent(id);
                        o.cur = row.unwrap();
                        kept.push(o);
                    }
                }
            }
            m.objs = kept;
            prop_assert_eq!(
                &db_rows(db),
                &m.committed,
                "step {}: database after rollback",
                step
            );
        }
        Op::Savepoint(ops, ok) => {
            let poisoned_before = m.poisoned();
            // The objects and rows when the body starts (after the savepoint's own flush).
            let mut snap: Option<(Vec<Tracked>, BTreeMap<i64, Row>)> = None;
            let mut ran = false;
            let mut failure: Option<TestCaseError> = None;
            let mut gave_up = false;
            let r: Result<()> = session.savepoint(|s| {
                ran = true;
                if let Err(f) = m.apply_flush(step) {
                    failure = Some(f);
                    return Err(Error::misuse("the model check failed"));
                }
                snap = Some((m.objs.clone(), m.txdb.clone()));
                for op in ops {
                    match run_op(s, m, db, op, step, true) {
                        Ok(Flow::Continue) => {}
                        Ok(Flow::FlushFailed(e)) => {
                            gave_up = true;
                            return Err(e);
                        }
                        Err(f) => {
                            failure = Some(f);
                            return Err(Error::misuse("the model check failed"));
                        }
                    }
                    if let Err(f) = check_tracked(m, step) {
                        failure = Some(f);
                        return Err(Error::misuse("the model check failed"));
                    }
                }
                if ok {
                    Ok(())
                } else {
                    gave_up = true;
                    Err(Error::misuse("the savepoint's body gave up"))
                }
            });
            if let Some(f) = failure {
                return Err(f);
            }
            if poisoned_before {
                // The flush before the SAVEPOINT fails: the body never runs.
                prop_assert!(
                    !ran,
                    "step {}: savepoint body ran after a failed flush",
                    step
                );
                return match flush_outcome(m, r, in_savepoint, step)? {
                    Ok(()) => unreachable!("poisoned"),
                    Err(f) => Ok(f),
                };
            }
            prop_assert!(ran, "step {}: savepoint body did not run", step);
            let (snap, snap_txdb) = snap.unwrap();
            if !gave_up && !m.poisoned() {
                prop_assert!(r.is_ok(), "step {}: savepoint: {:?}", step, r);
                m.apply_flush(step)?;
            } else {
                let e = r.err();
                prop_assert!(e.is_some(), "step {}: the savepoint should fail", step);
                if !gave_up {
                    // The body returned Ok; its work failed to flush at the end.
                    prop_assert_eq!(e.unwrap().kind(), ErrorKind::UniqueViolation);
                }
                m.restore(&snap, &snap_txdb, step)?;
            }
            check_tracked(m, step)?;
            prop_assert_eq!(
                &session_rows(session),
                &m.txdb,
                "step {}: after savepoint",
                step
            );
        }
    }
    Ok(Flow::Continue)
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let db = common::temp_engine();
    MetaData::new()
        .with(Item::table().clone())
        .create_all(&db.engine)
        .unwrap();
    let raw = db.raw();
    raw.execute(
        "INSERT INTO items (label, qty, tag) VALUES ('sentinel', 0, ?1)",
        [TAKEN],
    )
    .unwrap();
    let sentinel = raw.last_insert_rowid();
    drop(raw);
    let committed: BTreeMap<i64, Row> =
        [(sentinel, ("sentinel".to_string(), 0, Some(TAKEN)))].into();
    let mut session = Session::new(&db.engine);
    let mut m = Model {
        sentinel,
        txdb: committed.clone(),
        committed,
        objs: Vec::new(),
        outside: Vec::new(),
    };

    for (step, op) in ops.into_iter().enumerate() {
        run_op(&mut session, &mut m, &db, op, step, false)?;
        check_tracked(&m, step)?;
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
        // 10 s on an idle 2-core machine, about 30 s under load (a fresh SQLite file per case).
        cases: 512,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("proptest-regressions/session_model.txt"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn session_matches_model(ops in prop::collection::vec(op(), 1..=40)) {
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

/// Failing flushes, savepoints and `add_handle`, scripted: a commit fails on the unique tag
/// and keeps everything, the fix commits the rest; a failed commit then an expunge; a
/// rollback making a new object transient and `add_handle` bringing it back; savepoints
/// that succeed, give up, and fail on their own flush.
#[test]
fn scripted_failures_savepoints_and_add_handle() {
    use Op::*;
    let ops = vec![
        Add("a".into(), 1),
        AddHandle("b".into(), 2),
        Commit,
        Modify(0, Some("c".into()), 3),
        Add("d".into(), 4),
        Flush,
        Poison(None),
        Delete(1),
        Commit, // fails: the transaction's flushed work is undone, the changes kept
        Fix(0),
        Commit,
        Poison(Some(0)),
        Add("e".into(), 5),
        Commit, // fails again
        Expunge(0),
        Commit,
        Add("f".into(), 6),
        Flush,
        Rollback,
        ReAdd(0),
        Savepoint(vec![Add("g".into(), 7), Modify(0, None, 8), Flush], true),
        Savepoint(vec![Add("h".into(), 9), Delete(0), Flush], false),
        Savepoint(vec![Add("i".into(), 10), Poison(None)], true),
        Savepoint(
            vec![
                Add("j".into(), 11),
                Savepoint(vec![Poison(Some(0)), Flush], true),
                Flush,
            ],
            true,
        ),
        LoadAll,
        Commit,
        LoadAll,
    ];
    run(ops).unwrap();
}

/// Found by `session_matches_model` (first shrunk case below): a rollback took a new object
/// out of the session with the values of its first flushed UPDATE's snapshot (or of an
/// unflushed change's baseline) instead of the values it had, so re-adding it inserted stale
/// values. Objects a rollback (or a savepoint's rollback) takes out keep their values.
#[test]
fn rolled_back_new_object_keeps_its_values() {
    use Op::*;
    let cases = [
        vec![
            Add("a".into(), 0),
            Savepoint(vec![Modify(0, None, 1)], true),
            Rollback,
        ],
        vec![
            Add("a".into(), 0),
            Flush,
            Modify(0, None, 1),
            Flush,
            Modify(0, None, 2),
            Rollback,
            ReAdd(0),
            Commit,
        ],
        vec![
            Add("a".into(), 0),
            Commit,
            Savepoint(
                vec![Add("b".into(), 3), Flush, Modify(1, None, 4), Flush],
                false,
            ),
            ReAdd(0),
            Commit,
        ],
        // Taken out by a savepoint after a nested one changed it: the later rollback
        // restored it from the transaction's snapshot.
        vec![
            Savepoint(
                vec![
                    Add("a".into(), 0),
                    Savepoint(vec![Modify(0, Some("b".into()), 0)], true),
                ],
                false,
            ),
            Rollback,
        ],
    ];
    for ops in cases {
        run(ops.clone()).unwrap_or_else(|e| panic!("{ops:?}: {e}"));
    }
}

/// Found by `session_matches_model`: a savepoint that rolled back put an object changed and
/// then deleted before it began (the DELETE flushed, the change never written) back to its
/// committed values, although the savepoint had not touched it.
#[test]
fn savepoint_rollback_leaves_earlier_deletions_alone() {
    use Op::*;
    let ops = vec![
        Add("a".into(), 0),
        Commit,
        Modify(0, None, 1),
        Delete(0),
        Savepoint(vec![], false),
        Commit,
    ];
    run(ops).unwrap();
    let ops = vec![
        Add("a".into(), 0),
        Commit,
        Modify(0, None, 1),
        Delete(0),
        Savepoint(vec![], false),
        Rollback,
    ];
    run(ops).unwrap();
}

/// Found by `session_matches_model`: after a failed flush, an object inserted by the
/// transaction and then marked for deletion (DELETE not yet run) left the session but stayed
/// in its deletion list, so the next flush failed with "DELETE of Item None matched 0 rows".
#[test]
fn failed_flush_forgets_deleting_an_object_it_takes_out() {
    use Op::*;
    let ops = vec![
        Savepoint(vec![Add("a".into(), 0)], true),
        Poison(None),
        Delete(0),
        Savepoint(vec![], false), // its flush fails: the transaction is rolled back
        Fix(0),
        Flush,
        Commit,
    ];
    run(ops).unwrap();
}

/// What the model leaves out (see `Op::Expunge`), pinned here: an object loaded inside the
/// transaction from a row another writer changed in it (an expunged object's flushed UPDATE)
/// keeps those values after `rollback()`, expired, and the next load refreshes it.
#[test]
fn rollback_expires_objects_loaded_from_rows_changed_behind_them() {
    let db = common::temp_engine();
    MetaData::new()
        .with(Item::table().clone())
        .create_all(&db.engine)
        .unwrap();
    let mut s = Session::new(&db.engine);
    let x = s.add(Item {
        id: None,
        label: "a".into(),
        qty: 0,
        tag: None,
    });
    s.commit().unwrap();
    x.write().qty = 1;
    s.flush().unwrap();
    s.expunge(&x).unwrap();
    let w = s.query::<Item>().all().unwrap().pop().unwrap();
    assert!(!Handle::ptr_eq(&w, &x));
    assert_eq!(w.read().qty, 1);
    s.rollback().unwrap();
    assert_eq!(w.read().qty, 1, "not restored: expired");
    let again = s.query::<Item>().all().unwrap().pop().unwrap();
    assert!(Handle::ptr_eq(&again, &w));
    assert_eq!(w.read().qty, 0, "refreshed by the next load");
}
