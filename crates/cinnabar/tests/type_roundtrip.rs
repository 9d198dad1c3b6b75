//! Cross-backend type round trips: every supported column type written through a core
//! `Insert` with bound values and read back through a `Select`, `Row` and `FromSql`, on
//! SQLite, PostgreSQL and MariaDB/MySQL (see `support` for how each backend is selected).
//!
//! What is asserted, per type:
//! - integers (`BIGINT`, `INTEGER`, `SMALLINT`): exact, including each type's limits;
//! - `DOUBLE`: the `f64` read back equals the one written (`==`, so `-0.0` may come back
//!   as `0.0`; every other finite value, subnormals included, is bit-exact);
//! - `FLOAT`: an `f32` read back equals the one written on every backend (SQLite stores it
//!   in an 8-byte REAL, PostgreSQL in a `real`, MariaDB in a `FLOAT`, which all hold every
//!   finite `f32` exactly);
//! - text: any Unicode, 4-byte characters and NUL included, except NUL on PostgreSQL, which
//!   refuses it with a typed error (asserted instead);
//! - bytes: exact, empty included;
//! - dates, times and timestamps: exact at microsecond precision (sub-microsecond digits
//!   are dropped toward the past on every backend);
//! - UUIDs, decimals (up to 28 significant digits, in a `DECIMAL(28, 10)` and a
//!   `DECIMAL(57, 28)` column) and JSON documents: equal; except decimals on SQLite, whose
//!   `NUMERIC(p, s)` columns store a double (as SQLAlchemy's do): equal up to 15 significant
//!   digits, and beyond that within a double's precision (relative error below 2^-52).
//!
//! Values a backend cannot hold are typed errors and leave no row behind; the few places
//! where a backend stores what another refuses (SQLite ignores `VARCHAR` lengths and
//! `SMALLINT` ranges) assert that the value is kept whole and that reading it into a Rust
//! type too small for it is a conversion error naming the column.

mod support;

use std::fmt::Debug;

use cinnabar::prelude::*;
use cinnabar::sql::{self as sql, text, BinOp, ColumnRef, Expr, Insert, Select};
use cinnabar::{Column, FromSql, OwnedRow, SqlType, Table, ToSql, Value};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use support::{Backend, TestDb};

#[cfg(feature = "chrono")]
use cinnabar::chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
#[cfg(feature = "decimal")]
use cinnabar::rust_decimal::Decimal;
#[cfg(feature = "uuid")]
use cinnabar::uuid::Uuid;

// ---------------------------------------------------------------------------------------
// Shared helpers.

fn id_is(id: i64) -> Expr {
    Expr::Column(ColumnRef::bare("id")).binary(BinOp::Eq, Expr::value(id))
}

/// The one row with `id`, or `None`.
fn fetch(conn: &mut Connection, table: &'static str, id: i64) -> Option<OwnedRow> {
    let rows = conn
        .execute(Select::from(table).filter(id_is(id)))
        .unwrap_or_else(|e| panic!("select from {table}: {e}"));
    assert!(rows.len() <= 1, "{} rows with id {id}", rows.len());
    rows.into_iter().next()
}

fn row_count(conn: &mut Connection, table: &'static str) -> i64 {
    conn.scalar(Select::from(table).column(count_star()))
        .unwrap_or_else(|e| panic!("count {table}: {e}"))
}

fn create(db: &TestDb, table: Table) {
    MetaData::new()
        .with(table)
        .create_all(&db.engine)
        .unwrap_or_else(|e| panic!("create_all: {e}"));
}

/// `INSERT INTO table (id, column) VALUES (id, value)`.
fn insert_one(
    conn: &mut Connection,
    table: &'static str,
    column: &'static str,
    id: i64,
    value: Value,
) -> cinnabar::Result<u64> {
    let insert = Insert::into(table)
        .columns(["id", column])
        .values([Value::from(id), value]);
    conn.execute(insert).map(|r| r.rows_affected())
}

// ---------------------------------------------------------------------------------------
// 1. Property test: one column per type, random values.

const TABLE: &str = "roundtrip";

/// One value of one column, in the Rust type it is written and read as.
#[derive(Debug, Clone)]
enum Sample {
    Big(i64),
    Int(i32),
    Small(i16),
    Double(f64),
    Float(f32),
    Bool(bool),
    Text(String),
    Blob(Vec<u8>),
    OptText(Option<String>),
    OptDouble(Option<f64>),
    #[cfg(feature = "chrono")]
    Date(NaiveDate),
    #[cfg(feature = "chrono")]
    Time(NaiveTime),
    #[cfg(feature = "chrono")]
    DateTime(NaiveDateTime),
    #[cfg(feature = "chrono")]
    DateTimeTz(DateTime<Utc>),
    #[cfg(feature = "uuid")]
    Uuid(Uuid),
    #[cfg(feature = "decimal")]
    Decimal(Decimal),
    #[cfg(feature = "json")]
    Json(serde_json::Value),
}

fn read<T: FromSql>(row: &OwnedRow, col: &str) -> Result<T, String> {
    row.get::<T>(col).map_err(|e| format!("reading {col}: {e}"))
}

/// SQLite keeps a decimal as the nearest double: exact up to 15 significant digits, and
/// within a double's precision beyond.
#[cfg(feature = "decimal")]
fn same_decimal_as_double(col: &str, want: &Decimal, got: &Decimal) -> Result<(), String> {
    let digits = want.normalize().mantissa().unsigned_abs().to_string().len();
    if want == got {
        return Ok(());
    }
    if digits > 15 {
        // |got - want| <= |want| * 2^-52 (one ulp: half for storing, half for the shortest
        // digits read back), plus Decimal's last place (1e-28) for rounding the digits.
        let tolerance = want.abs() * Decimal::new(222_045, 21) + Decimal::new(1, 28);
        if (*got - *want).abs() <= tolerance {
            return Ok(());
        }
    }
    Err(format!(
        "{col}: wrote {want} ({digits} significant digits), read {got}"
    ))
}

fn same<T: PartialEq + Debug>(col: &str, want: &T, got: &T) -> Result<(), String> {
    if want == got {
        Ok(())
    } else {
        Err(format!("{col}: wrote {want:?}, read {got:?}"))
    }
}

fn same_f64(col: &str, want: f64, got: f64) -> Result<(), String> {
    if want == got || (want.is_nan() && got.is_nan()) {
        Ok(())
    } else {
        Err(format!(
            "{col}: wrote {want:e} ({:#x}), read {got:e} ({:#x})",
            want.to_bits(),
            got.to_bits()
        ))
    }
}

#[cfg(feature = "json")]
fn json_has_nul(j: &serde_json::Value) -> bool {
    match j {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(a) => a.iter().any(json_has_nul),
        serde_json::Value::Object(o) => o.iter().any(|(k, v)| k.contains('\0') || json_has_nul(v)),
        _ => false,
    }
}

impl Sample {
    fn to_value(&self) -> cinnabar::Result<Value> {
        match self {
            Sample::Big(v) => v.to_value(),
            Sample::Int(v) => v.to_value(),
            Sample::Small(v) => v.to_value(),
            Sample::Double(v) => v.to_value(),
            Sample::Float(v) => v.to_value(),
            Sample::Bool(v) => v.to_value(),
            Sample::Text(v) => v.to_value(),
            Sample::Blob(v) => v.to_value(),
            Sample::OptText(v) => v.to_value(),
            Sample::OptDouble(v) => v.to_value(),
            #[cfg(feature = "chrono")]
            Sample::Date(v) => v.to_value(),
            #[cfg(feature = "chrono")]
            Sample::Time(v) => v.to_value(),
            #[cfg(feature = "chrono")]
            Sample::DateTime(v) => v.to_value(),
            #[cfg(feature = "chrono")]
            Sample::DateTimeTz(v) => v.to_value(),
            #[cfg(feature = "uuid")]
            Sample::Uuid(v) => v.to_value(),
            #[cfg(feature = "decimal")]
            Sample::Decimal(v) => v.to_value(),
            #[cfg(feature = "json")]
            Sample::Json(v) => v.to_value(),
        }
    }

    /// Whether this value holds text with a NUL character (which PostgreSQL refuses).
    fn has_nul(&self) -> bool {
        match self {
            Sample::Text(s) | Sample::OptText(Some(s)) => s.contains('\0'),
            #[cfg(feature = "json")]
            Sample::Json(j) => json_has_nul(j),
            _ => false,
        }
    }

    fn is_json(&self) -> bool {
        #[cfg(feature = "json")]
        if let Sample::Json(_) = self {
            return true;
        }
        false
    }

    /// Reads column `col` of `row` back as this sample's Rust type and compares.
    #[cfg_attr(not(feature = "decimal"), allow(unused_variables))]
    fn check(&self, backend: Backend, row: &OwnedRow, col: &str) -> Result<(), String> {
        match self {
            Sample::Big(w) => same(col, w, &read::<i64>(row, col)?),
            Sample::Int(w) => same(col, w, &read::<i32>(row, col)?),
            Sample::Small(w) => same(col, w, &read::<i16>(row, col)?),
            Sample::Double(w) => same_f64(col, *w, read::<f64>(row, col)?),
            Sample::Float(w) => {
                let got = read::<f32>(row, col)?;
                if got == *w {
                    Ok(())
                } else {
                    Err(format!("{col}: wrote f32 {w:e}, read {got:e}"))
                }
            }
            Sample::Bool(w) => same(col, w, &read::<bool>(row, col)?),
            Sample::Text(w) => same(col, w, &read::<String>(row, col)?),
            Sample::Blob(w) => same(col, w, &read::<Vec<u8>>(row, col)?),
            Sample::OptText(w) => same(col, w, &read::<Option<String>>(row, col)?),
            Sample::OptDouble(w) => match (w, read::<Option<f64>>(row, col)?) {
                (Some(w), Some(g)) => same_f64(col, *w, g),
                (None, None) => Ok(()),
                (w, g) => Err(format!("{col}: wrote {w:?}, read {g:?}")),
            },
            #[cfg(feature = "chrono")]
            Sample::Date(w) => same(col, w, &read::<NaiveDate>(row, col)?),
            #[cfg(feature = "chrono")]
            Sample::Time(w) => same(col, w, &read::<NaiveTime>(row, col)?),
            #[cfg(feature = "chrono")]
            Sample::DateTime(w) => same(col, w, &read::<NaiveDateTime>(row, col)?),
            #[cfg(feature = "chrono")]
            Sample::DateTimeTz(w) => same(col, w, &read::<DateTime<Utc>>(row, col)?),
            #[cfg(feature = "uuid")]
            Sample::Uuid(w) => same(col, w, &read::<Uuid>(row, col)?),
            #[cfg(feature = "decimal")]
            Sample::Decimal(w) => {
                // Where the column is a real NUMERIC/DECIMAL, the driver hands out a decimal
                // (not text) whenever rust_decimal can hold the value.
                if backend != Backend::Sqlite {
                    let raw = read::<Value>(row, col)?;
                    if !matches!(raw, Value::Decimal(_)) {
                        return Err(format!("{col}: wrote {w}, the driver gave {raw:?}"));
                    }
                }
                let got = read::<Decimal>(row, col)?;
                if backend == Backend::Sqlite {
                    same_decimal_as_double(col, w, &got)
                } else {
                    same(col, w, &got)
                }
            }
            #[cfg(feature = "json")]
            Sample::Json(w) => same(col, w, &read::<serde_json::Value>(row, col)?),
        }
    }
}

/// One column of the round-trip table: its type, three fixed edge values (each goes into
/// one of the three fixed rows) and a strategy for random values.
struct Spec {
    name: &'static str,
    ty: SqlType,
    nullable: bool,
    edges: [Sample; 3],
    strategy: BoxedStrategy<Sample>,
}

fn spec(
    name: &'static str,
    ty: SqlType,
    edges: [Sample; 3],
    strategy: impl Strategy<Value = Sample> + 'static,
) -> Spec {
    Spec {
        name,
        ty,
        nullable: false,
        edges,
        strategy: strategy.boxed(),
    }
}

fn finite_f64() -> impl Strategy<Value = f64> {
    use proptest::num::f64 as f;
    prop_oneof![
        1 => prop::sample::select(vec![
            f64::MIN, f64::MAX, f64::MIN_POSITIVE, -f64::MIN_POSITIVE, f64::EPSILON,
            5e-324, -5e-324, 0.1, -0.0, 1.0 / 3.0, 9_007_199_254_740_993.0,
        ]),
        6 => f::POSITIVE | f::NEGATIVE | f::NORMAL | f::SUBNORMAL | f::ZERO,
    ]
}

fn finite_f32() -> impl Strategy<Value = f32> {
    use proptest::num::f32 as f;
    prop_oneof![
        1 => prop::sample::select(vec![
            f32::MIN, f32::MAX, f32::MIN_POSITIVE, f32::EPSILON, 1e-45, -1e-45, 0.1, -0.0,
            16_777_217.0,
        ]),
        6 => f::POSITIVE | f::NEGATIVE | f::NORMAL | f::SUBNORMAL | f::ZERO,
    ]
}

/// Any Unicode text of up to `max` characters, biased toward odd ones (quotes, escapes,
/// placeholders, BOM, noncharacters, 4-byte characters, NUL).
fn any_text(max: usize) -> impl Strategy<Value = String> {
    let odd: Vec<char> = "\0'\"\\\n\r\t %_?$:;éßﬀ\u{7f}\u{80}\u{ff}\u{200b}\u{feff}\u{fffd}\u{ffff}😀🦀𝄞\u{10ffff}\u{1f3fb}"
        .chars()
        .collect();
    let odd = prop::sample::select(odd);
    let ch = prop_oneof![3 => any::<char>(), 1 => odd];
    prop::collection::vec(ch, 0..=max).prop_map(String::from_iter)
}

/// Text for `backend`. PostgreSQL refuses NUL, so there nine strings in ten are NUL-free
/// (the rest check the refusal); elsewhere NUL is as likely as any odd character.
fn text_for(backend: Backend, max: usize) -> BoxedStrategy<String> {
    if backend == Backend::Postgres {
        let clean = any_text(max).prop_map(|s| s.replace('\0', "\u{1}"));
        prop_oneof![9 => clean, 1 => any_text(max)].boxed()
    } else {
        any_text(max).boxed()
    }
}

/// Empty text, the longest text (4-byte characters included) and SQL-ish punctuation.
fn text_edges(max: usize) -> [String; 3] {
    let long: String = "🦀é𝄞a".chars().cycle().take(max).collect();
    [
        String::new(),
        long,
        " \t'\"\\%_ ".chars().take(max).collect(),
    ]
}

fn specs(backend: Backend) -> Vec<Spec> {
    let t = text_edges(200);
    let s = text_edges(16);
    #[allow(unused_mut)] // Nothing is added without the optional types' features.
    let mut v = vec![
        spec(
            "big",
            SqlType::BigInt,
            [Sample::Big(i64::MIN), Sample::Big(i64::MAX), Sample::Big(0)],
            prop_oneof![
                1 => prop::sample::select(vec![i64::MIN, i64::MAX, i64::MIN + 1, i64::MAX - 1, -1, 0, 1]),
                4 => any::<i64>(),
            ]
            .prop_map(Sample::Big),
        ),
        spec(
            "int",
            SqlType::Integer,
            [Sample::Int(i32::MIN), Sample::Int(i32::MAX), Sample::Int(0)],
            prop_oneof![
                1 => prop::sample::select(vec![i32::MIN, i32::MAX, -1, 0]),
                4 => any::<i32>(),
            ]
            .prop_map(Sample::Int),
        ),
        spec(
            "small",
            SqlType::SmallInt,
            [Sample::Small(i16::MIN), Sample::Small(i16::MAX), Sample::Small(0)],
            prop_oneof![
                1 => prop::sample::select(vec![i16::MIN, i16::MAX, -1, 0]),
                4 => any::<i16>(),
            ]
            .prop_map(Sample::Small),
        ),
        spec(
            "dbl",
            SqlType::Double,
            [Sample::Double(f64::MIN), Sample::Double(f64::MAX), Sample::Double(5e-324)],
            finite_f64().prop_map(Sample::Double),
        ),
        spec(
            "flt",
            SqlType::Float,
            [Sample::Float(f32::MIN), Sample::Float(f32::MAX), Sample::Float(1e-45)],
            finite_f32().prop_map(Sample::Float),
        ),
        spec(
            "flag",
            SqlType::Boolean,
            [Sample::Bool(false), Sample::Bool(true), Sample::Bool(false)],
            any::<bool>().prop_map(Sample::Bool),
        ),
        spec(
            "body",
            SqlType::Text(None),
            t.clone().map(Sample::Text),
            text_for(backend, 200).prop_map(Sample::Text),
        ),
        spec(
            "label",
            SqlType::Text(Some(16)),
            s.map(Sample::Text),
            text_for(backend, 16).prop_map(Sample::Text),
        ),
        spec(
            "bytes",
            SqlType::Blob,
            [
                Sample::Blob(Vec::new()),
                Sample::Blob((0..=255).collect()),
                Sample::Blob(vec![0, 0xff, 0, b'\'', b'\\']),
            ],
            prop::collection::vec(any::<u8>(), 0..300).prop_map(Sample::Blob),
        ),
        Spec {
            nullable: true,
            ..spec(
                "note",
                SqlType::Text(None),
                [
                    Sample::OptText(None),
                    Sample::OptText(Some(String::new())),
                    Sample::OptText(Some(t[1].clone())),
                ],
                prop::option::of(text_for(backend, 40)).prop_map(Sample::OptText),
            )
        },
        Spec {
            nullable: true,
            ..spec(
                "maybe_dbl",
                SqlType::Double,
                [
                    Sample::OptDouble(None),
                    Sample::OptDouble(Some(-0.0)),
                    Sample::OptDouble(Some(f64::MIN_POSITIVE)),
                ],
                prop::option::of(finite_f64()).prop_map(Sample::OptDouble),
            )
        },
    ];
    #[cfg(feature = "chrono")]
    v.extend(chrono_specs());
    #[cfg(feature = "uuid")]
    v.push(spec(
        "uid",
        SqlType::Uuid,
        [
            Sample::Uuid(Uuid::nil()),
            Sample::Uuid(Uuid::max()),
            Sample::Uuid(Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef)),
        ],
        any::<u128>().prop_map(|u| Sample::Uuid(Uuid::from_u128(u))),
    ));
    #[cfg(feature = "decimal")]
    v.extend(decimal_specs());
    #[cfg(feature = "json")]
    v.push(json_spec(backend));
    v
}

#[cfg(feature = "chrono")]
fn chrono_specs() -> Vec<Spec> {
    let day = |d: i32| NaiveDate::from_num_days_from_ce_opt(d).expect("day in range");
    let time = |s: u32, us: u32| {
        NaiveTime::from_num_seconds_from_midnight_opt(s, us * 1000).expect("time in range")
    };
    // 0001-01-01 to 9999-12-31: what every backend's DATE holds.
    let days = 1..=3_652_059i32;
    let first = day(1);
    let last = day(3_652_059);
    let midnight = NaiveTime::MIN;
    let end_of_day = time(86_399, 999_999);
    let y2k_eve = NaiveDate::from_ymd_opt(1999, 12, 31)
        .expect("date")
        .and_time(end_of_day);
    let dt = (days.clone(), 0u32..86_400, 0u32..1_000_000)
        .prop_map(move |(d, s, us)| day(d).and_time(time(s, us)));
    vec![
        spec(
            "day",
            SqlType::Date,
            [
                Sample::Date(first),
                Sample::Date(last),
                Sample::Date(day(730_120)),
            ],
            days.prop_map(move |d| Sample::Date(day(d))),
        ),
        spec(
            "clock",
            SqlType::Time,
            [
                Sample::Time(midnight),
                Sample::Time(end_of_day),
                Sample::Time(time(1, 1)),
            ],
            (0u32..86_400, 0u32..1_000_000).prop_map(move |(s, us)| Sample::Time(time(s, us))),
        ),
        spec(
            "stamp",
            SqlType::DateTime,
            [
                Sample::DateTime(first.and_time(midnight)),
                Sample::DateTime(last.and_time(end_of_day)),
                Sample::DateTime(y2k_eve),
            ],
            dt.clone().prop_map(Sample::DateTime),
        ),
        spec(
            "instant",
            SqlType::DateTimeTz,
            [
                Sample::DateTimeTz(first.and_time(midnight).and_utc()),
                Sample::DateTimeTz(last.and_time(end_of_day).and_utc()),
                Sample::DateTimeTz(y2k_eve.and_utc()),
            ],
            dt.prop_map(|t| Sample::DateTimeTz(t.and_utc())),
        ),
    ]
}

#[cfg(feature = "decimal")]
fn decimal_specs() -> Vec<Spec> {
    // DECIMAL(28, 10): up to 18 integer and 10 fractional digits.
    let narrow = (0u32..=10, any::<bool>(), 0i128..10i128.pow(28)).prop_map(|(scale, neg, m)| {
        let m = m % 10i128.pow(18 + scale);
        Sample::Decimal(Decimal::from_i128_with_scale(
            if neg { -m } else { m },
            scale,
        ))
    });
    // DECIMAL(57, 28): any rust_decimal value; random ones have up to 28 significant digits.
    let wide = (0u32..=28, any::<bool>(), 0i128..10i128.pow(28)).prop_map(|(scale, neg, m)| {
        Sample::Decimal(Decimal::from_i128_with_scale(
            if neg { -m } else { m },
            scale,
        ))
    });
    let top = 10i128.pow(28) - 1;
    vec![
        spec(
            "amount",
            SqlType::Decimal(28, 10),
            [
                Sample::Decimal(Decimal::from_i128_with_scale(-top, 10)),
                Sample::Decimal(Decimal::from_i128_with_scale(top, 10)),
                Sample::Decimal(Decimal::from_i128_with_scale(1, 10)),
            ],
            narrow,
        ),
        spec(
            "exact",
            SqlType::Decimal(57, 28),
            [
                Sample::Decimal(Decimal::MIN),
                Sample::Decimal(Decimal::MAX),
                Sample::Decimal(Decimal::from_i128_with_scale(-top, 28)),
            ],
            wide,
        ),
    ]
}

#[cfg(feature = "json")]
fn json_spec(backend: Backend) -> Spec {
    use serde_json::{json, Value as J};
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i64>().prop_map(J::from),
        any::<u64>().prop_map(J::from),
        // Binary fractions with a short decimal form, so that the JSON text alone (without
        // a database) round-trips exactly.
        (-1_000_000_000i64..1_000_000_000, 0u32..4)
            .prop_map(|(n, k)| J::from(n as f64 / f64::from(1u32 << k))),
        text_for(backend, 12).prop_map(J::String),
    ];
    let doc = leaf.prop_recursive(3, 24, 4, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(J::Array),
            prop::collection::btree_map(text_for(backend, 6), inner, 0..4)
                .prop_map(|m| J::Object(m.into_iter().collect())),
        ]
    });
    spec(
        "doc",
        SqlType::Json,
        [
            Sample::Json(json!({})),
            Sample::Json(
                json!({"a": [1, -2, 2.5, u64::MAX, i64::MIN, null, true, "🦀"], "": {"x": []}}),
            ),
            Sample::Json(json!("")),
        ],
        doc.prop_map(Sample::Json),
    )
}

fn roundtrip_table(specs: &[Spec]) -> Table {
    let mut table = Table::new(TABLE).column(Column::new("id", SqlType::BigInt).primary_key());
    for s in specs {
        let mut c = Column::new(s.name, s.ty);
        if s.nullable {
            c = c.nullable();
        }
        table = table.column(c);
    }
    table
}

/// The SQLSTATE PostgreSQL answers NUL with: in text (`22021`, "invalid byte sequence for
/// encoding UTF8: 0x00") or, for `jsonb`, in a JSON string (`22P05`, "unsupported Unicode
/// escape sequence").
fn pg_nul_code(in_text: bool) -> &'static str {
    if in_text {
        "22021"
    } else {
        "22P05"
    }
}

/// Writes `row` with `id` and reads it back: `Ok(true)` when it round-tripped, `Ok(false)`
/// when PostgreSQL refused NUL as it should; `Err` says what differed.
fn write_and_read(db: &TestDb, specs: &[Spec], id: i64, row: &[Sample]) -> Result<bool, String> {
    let mut conn = db.engine.connect().map_err(|e| e.to_string())?;
    let mut values = vec![Value::from(id)];
    for (s, sample) in specs.iter().zip(row) {
        values.push(
            sample
                .to_value()
                .map_err(|e| format!("binding {}: {e}", s.name))?,
        );
    }
    let insert = Insert::into(TABLE)
        .columns(std::iter::once("id").chain(specs.iter().map(|s| s.name)))
        .values(values);
    let result = conn.execute(insert);
    let nul = row.iter().any(Sample::has_nul);
    if db.backend == Backend::Postgres && nul {
        // PostgreSQL's text and JSON types cannot hold NUL: a typed error, and no row.
        let e = match result {
            Ok(_) => return Err("PostgreSQL stored text containing NUL".into()),
            Err(e) => e,
        };
        let code = pg_nul_code(row.iter().any(|s| s.has_nul() && !s.is_json()));
        if e.kind() != ErrorKind::Database || e.code() != Some(code) {
            return Err(format!(
                "NUL in PostgreSQL text: expected error {code}, got {e:?}"
            ));
        }
        if fetch(&mut conn, TABLE, id).is_some() {
            return Err("a row was stored despite the error".into());
        }
        return Ok(false);
    }
    let affected = result.map_err(|e| format!("insert: {e}"))?.rows_affected();
    if affected != 1 {
        return Err(format!("insert reported {affected} rows"));
    }
    let got = fetch(&mut conn, TABLE, id).ok_or("the row is missing")?;
    same("id", &id, &read::<i64>(&got, "id")?)?;
    for (s, sample) in specs.iter().zip(row) {
        sample.check(db.backend, &got, s.name)?;
    }
    Ok(true)
}

fn every_type_round_trips(db: &TestDb) {
    let specs = specs(db.backend);
    create(db, roundtrip_table(&specs));

    // The limits and empty values, explicitly: row k takes every column's k-th edge.
    for k in 0..3 {
        let row: Vec<Sample> = specs.iter().map(|s| s.edges[k].clone()).collect();
        match write_and_read(db, &specs, k as i64, &row) {
            Ok(true) => {}
            Ok(false) => panic!("{:?}: edge row {k} was refused", db.backend),
            Err(e) => panic!("{:?}: edge row {k}: {e}\nrow: {row:?}", db.backend),
        }
    }

    let mut runner = TestRunner::new(Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy: Vec<BoxedStrategy<Sample>> = specs.iter().map(|s| s.strategy.clone()).collect();
    let next_id = std::cell::Cell::new(100i64);
    let stored = std::cell::Cell::new(0i64);
    let result = runner.run(&strategy, |row| {
        let id = next_id.get();
        next_id.set(id + 1);
        let kept = write_and_read(db, &specs, id, &row).map_err(TestCaseError::fail)?;
        stored.set(stored.get() + i64::from(kept));
        Ok(())
    });
    if let Err(e) = result {
        panic!("{:?}: {e}", db.backend);
    }
    // Most cases must have been real round trips (not PostgreSQL NUL refusals), and every
    // one of them left exactly its row.
    let cases = next_id.get() - 100;
    assert!(
        stored.get() * 2 >= cases,
        "{} of {cases} cases round-tripped",
        stored.get()
    );
    let mut conn = db.engine.connect().expect("connect");
    assert_eq!(row_count(&mut conn, TABLE), 3 + stored.get());
}

// ---------------------------------------------------------------------------------------
// 2. Values a backend cannot hold.

struct Nums;

impl Nums {
    const N: sql::Column<Nums, u64> = sql::Column::new("nums", "n", 1);
}

fn nums_table(db: &TestDb) {
    create(
        db,
        Table::new("nums")
            .column(Column::new("id", SqlType::BigInt).primary_key())
            .column(Column::new("n", SqlType::BigInt))
            .column(Column::new("small", SqlType::SmallInt).nullable())
            .column(Column::new("mid", SqlType::Integer).nullable()),
    );
}

/// A `u64` above `i64::MAX` never reaches the database: `ToSql` refuses it, raw SQL binding
/// reports it when executed, and a typed comparison reports it when compiled.
fn u64_above_i64_max_is_a_conversion_error(db: &TestDb) {
    nums_table(db);
    let mut conn = db.engine.connect().expect("connect");

    let top = i64::MAX as u64;
    assert_eq!(top.to_value().unwrap(), Value::Int(i64::MAX));
    conn.execute(
        text("INSERT INTO nums (id, n) VALUES (:id, :n)")
            .bind("id", 1i64)
            .bind("n", top),
    )
    .expect("i64::MAX as u64 fits");
    let row = fetch(&mut conn, "nums", 1).expect("row 1");
    assert_eq!(row.get::<u64>("n").unwrap(), top);

    for big in [top + 1, u64::MAX] {
        let e = big.to_value().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
        assert!(e.message().contains("i64::MAX"), "{e}");

        let e = conn
            .execute(
                text("INSERT INTO nums (id, n) VALUES (:id, :n)")
                    .bind("id", 2i64)
                    .bind("n", big),
            )
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
        assert!(
            e.message().contains(":n"),
            "the error names the parameter: {e}"
        );

        let e = conn
            .execute(Select::from("nums").filter(Nums::N.eq(big)))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
    }
    assert_eq!(row_count(&mut conn, "nums"), 1, "nothing else was stored");

    // And a negative number is not a u64.
    insert_one(&mut conn, "nums", "n", 3, Value::Int(-1)).unwrap();
    let e = fetch(&mut conn, "nums", 3)
        .unwrap()
        .get::<u64>("n")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
    assert!(e.message().contains("column n"), "{e}");
}

/// Reading an integer into a Rust type too small for it is a conversion error naming the
/// column; writing one into a SQL column too small for it is refused by PostgreSQL (when
/// binding) and MariaDB, and kept whole by SQLite, which does not enforce integer widths.
fn integers_out_of_range(db: &TestDb) {
    nums_table(db);
    let mut conn = db.engine.connect().expect("connect");
    conn.execute(Insert::into("nums").columns(["id", "n", "mid"]).values([
        Value::Int(1),
        Value::Int(i64::MAX),
        Value::Int(i64::from(i32::MIN)),
    ]))
    .unwrap();
    let row = fetch(&mut conn, "nums", 1).unwrap();
    let e = row.get::<i32>("n").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
    assert!(e.message().contains("column n"), "names the column: {e}");
    assert!(e.message().contains("i32"), "names the Rust type: {e}");
    assert_eq!(row.get::<i64>("n").unwrap(), i64::MAX);
    assert_eq!(row.get::<i32>("mid").unwrap(), i32::MIN);
    let e = row.get::<i16>("mid").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
    assert!(e.message().contains("column mid"), "{e}");

    for (id, value) in [(2, i64::from(i16::MAX) + 1), (3, i64::from(i16::MIN) - 1)] {
        let result = conn.execute(Insert::into("nums").columns(["id", "n", "small"]).values([
            Value::Int(id),
            Value::Int(0),
            Value::Int(value),
        ]));
        match db.backend {
            Backend::Sqlite => {
                result.expect("SQLite stores any integer in a SMALLINT column");
                let row = fetch(&mut conn, "nums", id).unwrap();
                assert_eq!(row.get::<i64>("small").unwrap(), value, "kept whole");
                let e = row.get::<i16>("small").unwrap_err();
                assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
                assert!(e.message().contains("column small"), "{e}");
            }
            Backend::Postgres => {
                let e = result.unwrap_err();
                assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
                assert!(e.message().contains("out of range"), "{e}");
                assert!(fetch(&mut conn, "nums", id).is_none());
            }
            Backend::MySql => {
                let e = result.unwrap_err();
                assert_eq!(e.kind(), ErrorKind::Database, "{e}");
                assert_eq!(e.code(), Some("1264"), "out of range: {e}");
                assert!(fetch(&mut conn, "nums", id).is_none());
            }
        }
    }
}

/// A 300-character string in a `VARCHAR(10)`: an error on PostgreSQL and MariaDB (strict
/// mode), never a truncated value. SQLite does not enforce declared lengths: it stores
/// the whole string, which is asserted. Ten 4-byte characters fit everywhere (lengths are
/// in characters, not bytes).
fn oversized_text_is_refused_not_truncated(db: &TestDb) {
    create(
        db,
        Table::new("strs")
            .column(Column::new("id", SqlType::BigInt).primary_key())
            .column(Column::new("short", SqlType::Text(Some(10)))),
    );
    let mut conn = db.engine.connect().expect("connect");

    let ten: String = "🦀".repeat(10);
    insert_one(&mut conn, "strs", "short", 1, ten.clone().into()).expect("10 characters fit");
    assert_eq!(
        fetch(&mut conn, "strs", 1)
            .unwrap()
            .get::<String>("short")
            .unwrap(),
        ten
    );

    let long: String = "é🦀x".chars().cycle().take(300).collect();
    let result = insert_one(&mut conn, "strs", "short", 2, long.clone().into());
    match db.backend {
        Backend::Sqlite => {
            result.expect("SQLite ignores VARCHAR lengths");
            let got: String = fetch(&mut conn, "strs", 2).unwrap().get("short").unwrap();
            assert_eq!(got.chars().count(), 300);
            assert_eq!(got, long, "SQLite keeps the whole string");
        }
        Backend::Postgres | Backend::MySql => {
            let e = result.unwrap_err();
            let code = if db.backend == Backend::Postgres {
                "22001"
            } else {
                "1406"
            };
            assert_eq!(e.kind(), ErrorKind::Database, "{e}");
            assert_eq!(e.code(), Some(code), "string data too long: {e}");
            let head: String = long.chars().take(40).collect();
            assert!(
                !e.to_string().contains(&head),
                "the value is not echoed: {e}"
            );
            assert!(fetch(&mut conn, "strs", 2).is_none(), "no truncated row");
        }
    }
}

/// NUL inside text: kept by SQLite and MariaDB, refused by PostgreSQL (which cannot store
/// it in `text`/`varchar`/`jsonb`) with a database error carrying its SQLSTATE, and no row.
/// Bytes may always hold NUL.
fn nul_characters(db: &TestDb) {
    let mut table = Table::new("nuls")
        .column(Column::new("id", SqlType::BigInt).primary_key())
        .column(Column::new("body", SqlType::Text(None)).nullable())
        .column(Column::new("label", SqlType::Text(Some(8))).nullable())
        .column(Column::new("bytes", SqlType::Blob).nullable());
    if cfg!(feature = "json") {
        table = table.column(Column::new("doc", SqlType::Json).nullable());
    }
    create(db, table);
    let mut conn = db.engine.connect().expect("connect");

    insert_one(&mut conn, "nuls", "bytes", 1, Value::Blob(vec![0, 0, 0])).unwrap();
    let got: Vec<u8> = fetch(&mut conn, "nuls", 1).unwrap().get("bytes").unwrap();
    assert_eq!(got, vec![0, 0, 0]);

    #[allow(unused_mut)] // Nothing is added without the `json` feature.
    let mut cases: Vec<(&'static str, Value)> = vec![
        ("body", Value::from("a\0b")),
        ("label", Value::from("\0")),
        ("body", Value::from("🦀\0\0🦀")),
    ];
    #[cfg(feature = "json")]
    cases.push(("doc", Value::Json(serde_json::json!({"k\0": "v\0"}))));
    for (i, (col, value)) in cases.into_iter().enumerate() {
        let id = 10 + i as i64;
        let result = insert_one(&mut conn, "nuls", col, id, value.clone());
        if db.backend == Backend::Postgres {
            let e = result.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Database, "{col}: {e}");
            assert_eq!(e.code(), Some(pg_nul_code(col != "doc")), "{col}: {e}");
            assert!(fetch(&mut conn, "nuls", id).is_none());
        } else {
            result.unwrap_or_else(|e| panic!("{col}: {e}"));
            let row = fetch(&mut conn, "nuls", id).unwrap();
            let got = match &value {
                Value::Text(_) => Value::Text(row.get::<String>(col).unwrap()),
                #[cfg(feature = "json")]
                Value::Json(_) => Value::Json(row.get::<serde_json::Value>(col).unwrap()),
                other => panic!("unexpected {other:?}"),
            };
            assert_eq!(got, value, "{col}");
        }
    }
}

/// NaN and the infinities. PostgreSQL's float types hold all three (asserted to round-trip);
/// SQLite holds the infinities but would turn NaN into NULL, so the driver refuses NaN with
/// a conversion error; MariaDB holds none of them and refuses them itself ("out of range",
/// 1264). A refusal leaves no row (the columns are nullable, so a NULL would show).
fn non_finite_floats(db: &TestDb) {
    create(
        db,
        Table::new("floats")
            .column(Column::new("id", SqlType::BigInt).primary_key())
            .column(Column::new("dbl", SqlType::Double).nullable())
            .column(Column::new("flt", SqlType::Float).nullable()),
    );
    let mut conn = db.engine.connect().expect("connect");
    let mut id = 0;
    for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        for col in ["dbl", "flt"] {
            id += 1;
            let held = match db.backend {
                Backend::Postgres => true,
                Backend::Sqlite => !value.is_nan(),
                Backend::MySql => false,
            };
            let result = insert_one(&mut conn, "floats", col, id, Value::Real(value));
            if held {
                result.unwrap_or_else(|e| panic!("{col} = {value}: {e}"));
                let row = fetch(&mut conn, "floats", id).unwrap();
                let got: Option<f64> = row.get(col).unwrap();
                let got = got.unwrap_or_else(|| panic!("{col} = {value} came back NULL"));
                assert!(
                    got == value || (got.is_nan() && value.is_nan()),
                    "{col}: {value} -> {got}"
                );
                if col == "flt" {
                    let got: f32 = row.get(col).unwrap();
                    assert!(f64::from(got) == value || (got.is_nan() && value.is_nan()));
                }
            } else {
                let e = result.expect_err(&format!("{col} = {value} must be refused"));
                if db.backend == Backend::MySql {
                    assert_eq!(e.kind(), ErrorKind::Database, "{col} = {value}: {e}");
                    assert_eq!(e.code(), Some("1264"), "{col} = {value}: {e}");
                } else {
                    assert_eq!(e.kind(), ErrorKind::Conversion, "{col} = {value}: {e}");
                    assert!(e.message().contains("NaN"), "{e}");
                }
                assert!(
                    fetch(&mut conn, "floats", id).is_none(),
                    "{col} = {value} left a row"
                );
            }
        }
    }

    // An f64 beyond f32's range into a FLOAT column is refused, never stored as infinity;
    // SQLite stores the f64 whole (its REAL is 8 bytes), and reading it as f32 fails.
    id += 1;
    let result = insert_one(&mut conn, "floats", "flt", id, Value::Real(1e300));
    match db.backend {
        Backend::Sqlite => {
            result.unwrap();
            let row = fetch(&mut conn, "floats", id).unwrap();
            assert_eq!(row.get::<f64>("flt").unwrap(), 1e300);
            let e = row.get::<f32>("flt").unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
            assert!(e.message().contains("column flt"), "{e}");
        }
        Backend::Postgres => {
            let e = result.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
            assert!(fetch(&mut conn, "floats", id).is_none());
        }
        Backend::MySql => {
            let e = result.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Database, "{e}");
            assert_eq!(e.code(), Some("1264"), "out of range: {e}");
            assert!(fetch(&mut conn, "floats", id).is_none());
        }
    }
}

backend_tests!(
    every_type_round_trips,
    u64_above_i64_max_is_a_conversion_error,
    integers_out_of_range,
    oversized_text_is_refused_not_truncated,
    nul_characters,
    non_finite_floats,
);

// ---------------------------------------------------------------------------------------
// 3. Time zones.

#[cfg(feature = "chrono")]
mod time_zones {
    use super::*;
    use cinnabar::chrono::{FixedOffset, TimeZone};

    fn tz_table(db: &TestDb) {
        create(
            db,
            Table::new("tz")
                .column(Column::new("id", SqlType::BigInt).primary_key())
                .column(Column::new("at", SqlType::DateTimeTz).nullable())
                .column(Column::new("naive", SqlType::DateTime).nullable()),
        );
    }

    fn instants() -> Vec<DateTime<Utc>> {
        let parse = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .unwrap_or_else(|e| panic!("{s}: {e}"))
                .with_timezone(&Utc)
        };
        vec![
            Utc.timestamp_opt(0, 0).unwrap(),
            Utc.timestamp_opt(-1, 999_999_000).unwrap(),
            parse("1969-07-20T20:17:40Z"),
            parse("1999-12-31T23:59:59.999999Z"),
            parse("2000-01-01T00:00:00.000001+00:00"),
            // Written with offsets: the instant is what must survive.
            parse("2024-03-10T02:30:00-05:00"),
            parse("2024-03-31T02:30:00.5+01:00"),
            parse("2024-11-03T01:30:00-04:00"),
            parse("2024-02-29T23:59:59.123456+14:00"),
            parse("2024-01-01T00:00:00-12:00"),
            parse("2038-01-19T03:14:08Z"),
            parse("2106-02-07T06:28:16Z"),
            parse("1000-01-01T00:00:00Z"),
            parse("9999-12-31T23:59:59.999999Z"),
            FixedOffset::east_opt(5 * 3600 + 1800)
                .unwrap()
                .with_ymd_and_hms(2024, 6, 1, 0, 0, 0)
                .unwrap()
                .with_timezone(&Utc),
        ]
    }

    /// The database's own reading of the stored instant, in microseconds since the Unix
    /// epoch (SQLite's date functions work in milliseconds, so there: whole seconds).
    fn server_epoch(conn: &mut Connection, backend: Backend, id: i64) -> i64 {
        let sql = match backend {
            Backend::Sqlite => "SELECT CAST(strftime('%s', at) AS INTEGER) FROM tz WHERE id = :id",
            Backend::Postgres => {
                "SELECT CAST(EXTRACT(EPOCH FROM at) * 1000000 AS BIGINT) FROM tz WHERE id = :id"
            }
            Backend::MySql => {
                "SELECT TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', at) FROM tz WHERE id = :id"
            }
        };
        conn.scalar(text(sql).bind("id", id))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// A `DateTime<Utc>` comes back as the same instant on every backend, also when the
    /// session runs in another time zone, and the database itself reads the stored value
    /// as that instant.
    fn utc_instants_are_kept(db: &TestDb) {
        tz_table(db);
        let mut conn = db.engine.connect().expect("connect");
        // A session time zone far from UTC must change nothing.
        match db.backend {
            Backend::Postgres => conn
                .execute_script("SET TIME ZONE 'America/New_York'")
                .unwrap(),
            Backend::MySql => conn.execute_script("SET time_zone = '-05:00'").unwrap(),
            Backend::Sqlite => {}
        }
        for (i, at) in instants().into_iter().enumerate() {
            let id = i as i64;
            conn.execute(
                Insert::into("tz")
                    .columns(["id", "at"])
                    .values([Value::from(id), at.to_value().unwrap()]),
            )
            .unwrap_or_else(|e| panic!("{at}: {e}"));
            let row = fetch(&mut conn, "tz", id).unwrap();
            let got: DateTime<Utc> = row.get("at").unwrap();
            assert_eq!(got, at, "{:?}: instant changed", db.backend);
            assert_eq!(got.timestamp_micros(), at.timestamp_micros());

            let server = server_epoch(&mut conn, db.backend, id);
            match db.backend {
                Backend::Sqlite if at.timestamp_subsec_micros() != 0 => {}
                Backend::Sqlite => assert_eq!(server, at.timestamp(), "{at}"),
                _ => assert_eq!(
                    server,
                    at.timestamp_micros(),
                    "{at}: the server sees another instant"
                ),
            }
        }

        // Another connection (default session zone) reads the same instants.
        drop(conn);
        let mut other = db.engine.connect().expect("connect");
        for (i, at) in instants().into_iter().enumerate() {
            let row = fetch(&mut other, "tz", i as i64).unwrap();
            assert_eq!(row.get::<DateTime<Utc>>("at").unwrap(), at);
        }
    }

    /// Digits below the microsecond are dropped toward the past on every backend: a value
    /// never moves into the next second, day or year.
    fn sub_microseconds_truncate(db: &TestDb) {
        tz_table(db);
        let mut conn = db.engine.connect().expect("connect");
        let cases = [
            (
                "1999-12-31T23:59:59.999999999Z",
                "1999-12-31T23:59:59.999999Z",
            ),
            (
                "1969-12-31T23:59:59.999999500Z",
                "1969-12-31T23:59:59.999999Z",
            ),
            ("2024-05-05T05:05:05.000000999Z", "2024-05-05T05:05:05Z"),
            (
                "2024-05-05T05:05:05.123456789Z",
                "2024-05-05T05:05:05.123456Z",
            ),
        ];
        for (i, (written, expected)) in cases.into_iter().enumerate() {
            let id = i as i64;
            let at = DateTime::parse_from_rfc3339(written)
                .unwrap()
                .with_timezone(&Utc);
            let want = DateTime::parse_from_rfc3339(expected)
                .unwrap()
                .with_timezone(&Utc);
            conn.execute(Insert::into("tz").columns(["id", "at", "naive"]).values([
                Value::from(id),
                at.to_value().unwrap(),
                at.naive_utc().to_value().unwrap(),
            ]))
            .unwrap();
            let row = fetch(&mut conn, "tz", id).unwrap();
            assert_eq!(row.get::<DateTime<Utc>>("at").unwrap(), want, "{written}");
            assert_eq!(
                row.get::<NaiveDateTime>("naive").unwrap(),
                want.naive_utc(),
                "{written}"
            );
        }
    }

    crate::backend_tests!(utc_instants_are_kept, sub_microseconds_truncate);
}
