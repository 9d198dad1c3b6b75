//! Dates, times, timestamps, UUIDs, decimals and JSON through the ORM (with the `chrono`,
//! `uuid`, `decimal` and `json` features): written, read back, filtered on, updated.

use super::*;
use cinnabar::chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use cinnabar::rust_decimal::Decimal;
use cinnabar::serde_json::json;
use cinnabar::uuid::Uuid;

fn typed_schema(db: &TestDb) {
    MetaData::new()
        .with(Typed::table().clone())
        .create_all(&db.engine)
        .expect("create typed_values");
}

fn datetime(y: i32, m: u32, d: u32, h: u32, mi: u32, s: u32, us: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_micro_opt(h, mi, s, us)
        .unwrap()
}

fn typed(n: u32) -> Typed {
    Typed {
        id: None,
        day: NaiveDate::from_ymd_opt(2024, 2, 29).unwrap() + cinnabar::chrono::Days::new(n.into()),
        at: datetime(1999, 12, 31, 23, 59, 59, 123_456 + n),
        instant: DateTime::<Utc>::from_naive_utc_and_offset(
            datetime(2030, 1, 2, 3, 4, 5, 600_000 + n),
            Utc,
        ),
        clock: NaiveTime::from_hms_micro_opt(13, 45, 10, 500_000 + n).unwrap(),
        token: Uuid::from_u128(0xa0ee_bc99_9c0b_4ef8_bb6d_6bb9_bd38_0a11 + u128::from(n)),
        amount: Decimal::new(-123_456_789 - i64::from(n), 2),
        doc: json!({"n": n, "tags": ["a", "ü"], "nested": {"ok": true, "none": null}}),
        maybe_day: (n % 2 != 1).then(|| NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()),
        created: None,
    }
}

fn typed_values_round_trip(db: &TestDb) {
    typed_schema(db);
    let mut s = Session::new(&db.engine);
    let hs: Vec<Handle<Typed>> = (0..3).map(|n| s.add(typed(n))).collect();
    s.flush().unwrap();
    for h in &hs {
        let created = h
            .read()
            .created
            .expect("server default read back after flush");
        assert!(created.and_utc().timestamp() > 1_600_000_000, "{created}");
    }
    s.commit().unwrap();

    let mut fresh = Session::new(&db.engine);
    for h in &hs {
        let want = h.get();
        let got = fresh.get::<Typed>(want.id.unwrap()).unwrap().unwrap();
        assert_eq!(*got.read(), want);
    }
    // Filters bind each type.
    let one = |s: &mut Session, c: Condition| s.query::<Typed>().filter(c).count().unwrap();
    let t1 = typed(1);
    assert_eq!(one(&mut fresh, Typed::day.eq(t1.day)), 1);
    assert_eq!(one(&mut fresh, Typed::at.eq(t1.at)), 1);
    assert_eq!(one(&mut fresh, Typed::instant.eq(t1.instant)), 1);
    assert_eq!(one(&mut fresh, Typed::token.eq(t1.token)), 1);
    assert_eq!(one(&mut fresh, Typed::amount.eq(t1.amount)), 1);
    assert_eq!(one(&mut fresh, Typed::clock.eq(t1.clock)), 1);
    assert_eq!(
        one(
            &mut fresh,
            Typed::at.gt(datetime(1999, 12, 31, 23, 59, 59, 123_456))
        ),
        2
    );
    assert_eq!(one(&mut fresh, Typed::maybe_day.is_null()), 1);

    // Change detection on each type.
    let h = &hs[1];
    {
        let mut g = h.write();
        g.day = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
        g.at = datetime(2001, 2, 3, 4, 5, 6, 7);
        g.amount = Decimal::new(1, 2);
        g.doc = json!([1, 2, 3]);
        g.maybe_day = Some(NaiveDate::from_ymd_opt(1900, 3, 1).unwrap());
    }
    s.commit().unwrap();
    let mut fresh = Session::new(&db.engine);
    let got = fresh.get::<Typed>(h.read().id.unwrap()).unwrap().unwrap();
    assert_eq!(*got.read(), h.get());

    // The unique UUID is enforced.
    let mut dup = typed(0);
    dup.token = hs[0].read().token;
    s.add(dup);
    assert_eq!(s.commit().unwrap_err().kind(), ErrorKind::UniqueViolation);
}

/// Decimals compare and sort as numbers, whatever their scale (on SQLite too: its
/// `NUMERIC(p, s)` columns hold numbers, and a bound decimal gets their numeric affinity).
fn decimals_compare_as_numbers(db: &TestDb) {
    typed_schema(db);
    let mut s = Session::new(&db.engine);
    for (n, cents) in [(0, 1250_i64), (1, -99), (2, 100_000), (3, 905)] {
        let mut t = typed(n);
        t.amount = Decimal::new(cents, 2);
        s.add(t);
    }
    s.commit().unwrap();
    let count = |s: &mut Session, c: Condition| s.query::<Typed>().filter(c).count().unwrap();
    assert_eq!(
        count(&mut s, Typed::amount.lt(Decimal::new(-123_456_789, 2))),
        0
    );
    assert_eq!(count(&mut s, Typed::amount.lt(Decimal::new(10, 0))), 2);
    assert_eq!(count(&mut s, Typed::amount.eq(Decimal::new(125, 1))), 1);
    assert_eq!(count(&mut s, Typed::amount.ge(Decimal::new(1000, 0))), 1);
    let sorted: Vec<Decimal> = s
        .query::<Typed>()
        .order_by(Typed::amount)
        .all()
        .unwrap()
        .iter()
        .map(|h| h.read().amount)
        .collect();
    assert_eq!(
        sorted,
        [-99_i64, 905, 1250, 100_000].map(|c| Decimal::new(c, 2))
    );
}

crate::backend_tests!(typed_values_round_trip, decimals_compare_as_numbers);
