//! The query SQL cache keyed by shape (`query/shape.rs`): the common queries (comparisons of
//! the model's columns with values, LIMIT, OFFSET) are keyed without writing the statement
//! out. Queries that differ in any part of their SQL must never share a cache entry: these
//! run, in one session, queries that differ in one part each (operator, column, number of
//! comparisons, LIMIT, OFFSET, a NULL value, an ORDER BY) and check every result against the
//! rows. On every backend (`backend_tests!`).

#[macro_use]
mod support;

use cinnabar::prelude::*;
use support::TestDb;

#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "shaped_items")]
struct Item {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    a: i64,
    b: i64,
    tag: Option<String>,
}

fn ids(found: &[Handle<Item>]) -> Vec<i64> {
    let mut v: Vec<i64> = found.iter().map(|h| h.read().id.unwrap()).collect();
    v.sort_unstable();
    v
}

fn shapes_never_share_sql(db: &TestDb) {
    db.create_tables(&[Item::table()]);
    let mut s = Session::new(&db.engine);
    for i in 1..=10 {
        s.add(Item {
            id: Some(i),
            a: i % 3,
            b: 10 - i,
            tag: (i % 2 == 0).then(|| format!("t{i}")),
        });
    }
    s.commit().unwrap();
    for round in 0..2 {
        // Twice: the second round runs every query from the cache.
        let eq = ids(&s.query::<Item>().filter(Item::a.eq(1)).all().unwrap());
        assert_eq!(eq, [1, 4, 7, 10], "round {round}");
        let ne = ids(&s.query::<Item>().filter(Item::a.ne(1)).all().unwrap());
        assert_eq!(ne, [2, 3, 5, 6, 8, 9], "round {round}");
        let gt = ids(&s.query::<Item>().filter(Item::a.gt(1)).all().unwrap());
        assert_eq!(gt, [2, 5, 8], "round {round}");
        let ge = ids(&s.query::<Item>().filter(Item::a.ge(1)).all().unwrap());
        assert_eq!(ge, [1, 2, 4, 5, 7, 8, 10], "round {round}");
        let lt = ids(&s.query::<Item>().filter(Item::b.lt(3)).all().unwrap());
        assert_eq!(lt, [8, 9, 10], "round {round}");
        let le = ids(&s.query::<Item>().filter(Item::b.le(3)).all().unwrap());
        assert_eq!(le, [7, 8, 9, 10], "round {round}");
        // Same operator and value, other column.
        let on_b = ids(&s.query::<Item>().filter(Item::b.eq(1)).all().unwrap());
        assert_eq!(on_b, [9], "round {round}");
        // Two comparisons, in either order, and one of them alone.
        let both = ids(&s
            .query::<Item>()
            .filter(Item::a.eq(1))
            .filter(Item::b.gt(3))
            .all()
            .unwrap());
        assert_eq!(both, [1, 4], "round {round}");
        let swapped = ids(&s
            .query::<Item>()
            .filter(Item::b.gt(3))
            .filter(Item::a.eq(1))
            .all()
            .unwrap());
        assert_eq!(swapped, [1, 4], "round {round}");
        // A NULL value is `IS NULL`, not `= ?`.
        let null = ids(&s
            .query::<Item>()
            .filter(Item::tag.eq(None::<String>))
            .all()
            .unwrap());
        assert_eq!(null, [1, 3, 5, 7, 9], "round {round}");
        let text = ids(&s.query::<Item>().filter(Item::tag.eq("t4")).all().unwrap());
        assert_eq!(text, [4], "round {round}");
        // LIMIT and OFFSET are in the SQL text: different numbers, different statements.
        let ordered = |s: &mut Session, limit: u64, offset: Option<u64>| {
            let mut query = s
                .query::<Item>()
                .filter(Item::a.ge(0))
                .order_by(Item::id.asc())
                .limit(limit);
            if let Some(o) = offset {
                query = query.offset(o);
            }
            query
                .all()
                .unwrap()
                .iter()
                .map(|h| h.read().id.unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(ordered(&mut s, 2, None), [1, 2], "round {round}");
        assert_eq!(ordered(&mut s, 3, None), [1, 2, 3], "round {round}");
        assert_eq!(ordered(&mut s, 2, Some(5)), [6, 7], "round {round}");
        let limited = s
            .query::<Item>()
            .filter(Item::a.eq(2))
            .limit(2)
            .all()
            .unwrap();
        assert_eq!(limited.len(), 2, "round {round}");
        let offset = s
            .query::<Item>()
            .filter(Item::a.eq(2))
            .limit(5)
            .offset(2)
            .all()
            .unwrap();
        // Three rows match: skipping two leaves one (which one is the database's choice).
        assert_eq!(offset.len(), 1, "round {round}");
        assert!([2, 5, 8].contains(&offset[0].read().id.unwrap()));
        let first = s
            .query::<Item>()
            .filter(Item::b.eq(0))
            .first()
            .unwrap()
            .unwrap();
        assert_eq!(first.read().id, Some(10), "round {round}");
        let none = s.query::<Item>().filter(Item::b.eq(100)).first().unwrap();
        assert!(none.is_none(), "round {round}");
        let all = ids(&s.query::<Item>().all().unwrap());
        assert_eq!(all, (1..=10).collect::<Vec<_>>(), "round {round}");
    }
}

backend_tests!(shapes_never_share_sql);
