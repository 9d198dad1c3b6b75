//! Compact queries (`query/compact.rs`): a query that is only comparisons of its model's
//! columns with values plus LIMIT/OFFSET runs without building a `Select`. These check that
//! it finds exactly the rows the full `Select` finds (the same query with an ORDER BY, which
//! the compact form does not hold) and the rows an in-memory oracle says, for hostile
//! strings, NULL comparisons (which stay full: `IS NULL`), a third comparison (which turns
//! the query into a full one), conditions the compact form cannot hold mixed in, `first`,
//! `one_or_none` and `get`; and that `statement()` is the `Select` the builder always made.
//! On every backend (`backend_tests!`).

#[macro_use]
mod support;

use cinnabar::prelude::*;
use cinnabar::sql::{Bindable, Statement};
use cinnabar::Value;
use support::TestDb;

#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "compact_items")]
struct Item {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    a: i64,
    tag: Option<String>,
}

/// Tags that must reach the database as bound values, byte for byte.
const HOSTILE: [&str; 9] = [
    "plain",
    "O'Brien",
    "'; DROP TABLE compact_items; --",
    "\" OR 1=1 --",
    "back\\slash",
    "100%_like",
    "ünïcødé ☃",
    "",
    "$1 ? :name",
];

fn rows() -> Vec<Item> {
    let mut v: Vec<Item> = HOSTILE
        .iter()
        .enumerate()
        .map(|(i, t)| Item {
            id: Some(i as i64 + 1),
            a: i as i64 % 3,
            tag: Some((*t).to_owned()),
        })
        .collect();
    for i in 0..3 {
        let id = v.len() as i64 + 1;
        v.push(Item {
            id: Some(id),
            a: i,
            tag: None,
        });
    }
    v
}

fn ids(found: &[Handle<Item>]) -> Vec<i64> {
    let mut v: Vec<i64> = found.iter().map(|h| h.read().id.unwrap()).collect();
    v.sort_unstable();
    v
}

fn oracle(items: &[Item], keep: impl Fn(&Item) -> bool) -> Vec<i64> {
    items
        .iter()
        .filter(|i| keep(i))
        .map(|i| i.id.unwrap())
        .collect()
}

fn seed(db: &TestDb) -> (Session, Vec<Item>) {
    db.create_tables(&[Item::table()]);
    let items = rows();
    let mut s = Session::new(&db.engine);
    s.add_all(items.clone());
    s.commit().unwrap();
    (s, items)
}

/// The same filters through the compact form and through a full `Select` (the ORDER BY),
/// each checked against the oracle; twice, so the second round runs from the SQL cache.
fn compact_and_full_find_the_same_rows(db: &TestDb) {
    let (mut s, items) = seed(db);
    for round in 0..2 {
        for t in HOSTILE {
            let compact = ids(&s.query::<Item>().filter(Item::tag.eq(t)).all().unwrap());
            let full = ids(&s
                .query::<Item>()
                .filter(Item::tag.eq(t))
                .order_by(Item::id.asc())
                .all()
                .unwrap());
            let expected = oracle(&items, |i| i.tag.as_deref() == Some(t));
            assert_eq!(compact, expected, "tag = {t:?}, round {round}");
            assert_eq!(full, expected, "tag = {t:?} (full), round {round}");
            // `<>` leaves out the NULL tags, as SQL does.
            let ne = ids(&s.query::<Item>().filter(Item::tag.ne(t)).all().unwrap());
            let expected = oracle(&items, |i| i.tag.as_deref().is_some_and(|x| x != t));
            assert_eq!(ne, expected, "tag <> {t:?}, round {round}");
        }
        // NULL comparisons are IS [NOT] NULL (the full form), also beside a compact term.
        let null = ids(&s
            .query::<Item>()
            .filter(Item::tag.eq(None::<String>))
            .all()
            .unwrap());
        assert_eq!(null, oracle(&items, |i| i.tag.is_none()), "round {round}");
        let not_null_a1 = ids(&s
            .query::<Item>()
            .filter(Item::a.eq(1))
            .filter(Item::tag.ne(None::<String>))
            .all()
            .unwrap());
        assert_eq!(
            not_null_a1,
            oracle(&items, |i| i.a == 1 && i.tag.is_some()),
            "round {round}"
        );
        // Two compact terms; a third turns the query into a full one.
        let two = ids(&s
            .query::<Item>()
            .filter(Item::a.eq(1))
            .filter(Item::id.gt(2))
            .all()
            .unwrap());
        assert_eq!(two, oracle(&items, |i| i.a == 1 && i.id > Some(2)));
        let three = ids(&s
            .query::<Item>()
            .filter(Item::a.eq(1))
            .filter(Item::id.gt(2))
            .filter(Item::tag.ne("plain"))
            .all()
            .unwrap());
        assert_eq!(
            three,
            oracle(&items, |i| i.a == 1
                && i.id > Some(2)
                && i.tag.as_deref().is_some_and(|t| t != "plain"))
        );
        // A condition the compact form cannot hold, between two it can.
        let mixed = ids(&s
            .query::<Item>()
            .filter(Item::a.ge(1))
            .filter(Item::tag.like("%O%"))
            .filter(Item::id.le(5))
            .all()
            .unwrap());
        assert_eq!(
            mixed,
            oracle(&items, |i| i.a >= 1
                && i.tag.as_deref().is_some_and(|t| t.contains('O'))
                && i.id <= Some(5))
        );
        // first / one_or_none / get run compact too.
        let first = s
            .query::<Item>()
            .filter(Item::tag.eq(HOSTILE[2]))
            .first()
            .unwrap()
            .expect("the hostile tag's row");
        assert_eq!(first.read().id, Some(3));
        assert!(s
            .query::<Item>()
            .filter(Item::tag.eq("nowhere"))
            .first()
            .unwrap()
            .is_none());
        let one = s
            .query::<Item>()
            .filter(Item::tag.eq(HOSTILE[1]))
            .one_or_none()
            .unwrap()
            .expect("O'Brien");
        assert!(Handle::ptr_eq(&one, &s.get::<Item>(2).unwrap().unwrap()));
        let many = s.query::<Item>().filter(Item::a.eq(0)).one_or_none();
        assert_eq!(
            many.unwrap_err().kind(),
            ErrorKind::MultipleRows,
            "round {round}"
        );
        // LIMIT and OFFSET on a compact query.
        let limited = s
            .query::<Item>()
            .filter(Item::a.ge(0))
            .limit(4)
            .offset(2)
            .all()
            .unwrap();
        assert_eq!(limited.len(), 4, "round {round}");
        s.commit().unwrap(); // expires everything: `get` reads the row again
        assert_eq!(
            s.get::<Item>(3).unwrap().unwrap().read().tag.as_deref(),
            Some(HOSTILE[2])
        );
        assert!(s.get::<Item>(1000).unwrap().is_none());
    }
    // The table is still there: no value was pasted into SQL.
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM compact_items"),
        Some(items.len() as i64)
    );
}

/// `statement()` of a compact query is the `Select` the builder methods made before the
/// compact form existed: the comparisons ANDed in order, then LIMIT and OFFSET.
fn compact_statement_is_the_builders_select(db: &TestDb) {
    let (mut s, _) = seed(db);
    let compact = s
        .query::<Item>()
        .filter(Item::a.eq(1))
        .filter(Item::tag.ne("x"))
        .limit(3)
        .offset(1)
        .statement();
    let mut expected = cinnabar::sql::Select::from("compact_items");
    for c in ["id", "a", "tag"] {
        expected = expected.column(cinnabar::sql::Expr::Column(
            cinnabar::sql::ColumnRef::qualified("compact_items", c),
        ));
    }
    expected.add_filter(Item::a.eq(1).into_operand());
    expected.add_filter(Item::tag.ne("x").into_operand());
    expected.limit = Some(3);
    expected.offset = Some(1);
    assert_eq!(compact, expected);
    let conn = db.engine.connect().unwrap();
    let compiled = conn.compile(&Statement::Select(compact)).unwrap();
    assert_eq!(compiled.params, [Value::Int(1), Value::Text("x".into())]);
}

backend_tests!(
    compact_and_full_find_the_same_rows,
    compact_statement_is_the_builders_select
);
