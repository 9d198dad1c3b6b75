//! Validation rules with a SQL form (issue 15): `length`, `range` and `one_of` become CHECK
//! constraints named `ck_<table>_<column>_<rule>`, rendered per dialect. On the three
//! backends: after `create_all`, reflecting and diffing against the models reports no change;
//! a rule added to a model later comes out of autogenerate as checks, its revision file reads
//! back and upgrades (a table rebuild on SQLite), after which the models, the database and
//! the replayed revisions agree; and the database itself rejects a violating row written by
//! raw SQL with `ErrorKind::CheckViolation`.

#[macro_use]
mod support;

use cinnabar::migrate::{autogenerate_for, AutogenerateOptions, MigrationDir, Migrator};
use cinnabar::prelude::*;
use cinnabar::{diff, SchemaOp, Table};
use support::TestDb;

backend_tests!(
    create_all_then_reflect_shows_no_change,
    a_rule_added_later_migrates_and_round_trips,
    the_database_rejects_what_the_rules_reject,
);

mod v1 {
    use cinnabar::prelude::*;

    /// The product before it had rules.
    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "products")]
    pub(crate) struct Product {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        #[cinnabar(length = 40)]
        pub name: String,
        pub price: i64,
        pub rating: f64,
        #[cinnabar(length = 10)]
        pub status: String,
        pub level: i32,
        pub note: Option<String>,
    }
}

mod v2 {
    use cinnabar::prelude::*;

    /// The same table with every kind of rule that has a SQL form, and one without.
    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "products")]
    pub(crate) struct Product {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        #[cinnabar(length = 40, validate(length(min = 1, max = 20)))]
        pub name: String,
        #[cinnabar(validate(range(min = 0, max = 1000)))]
        pub price: i64,
        #[cinnabar(validate(range(min = 0.5, max = 5.0)))]
        pub rating: f64,
        #[cinnabar(length = 10, validate(one_of("draft", "live", "it's")))]
        pub status: String,
        #[cinnabar(validate(one_of(1, 2, 3)))]
        pub level: i32,
        /// No SQL form: checked in Rust only, no CHECK constraint.
        #[cinnabar(validate(length(max = 50), pattern = "^[a-z ]*$"))]
        pub note: Option<String>,
    }
}

fn models(v2: bool) -> MetaData {
    let table = if v2 {
        <v2::Product as Model>::table()
    } else {
        <v1::Product as Model>::table()
    };
    MetaData::new().with(table.clone())
}

fn reflect(db: &TestDb) -> MetaData {
    let mut current = MetaData::new();
    current.reflect(&db.engine, None).expect("reflect");
    current
}

/// The name of each check an operation adds or drops (`+name` / `-name`), sorted.
fn check_ops(ops: &[SchemaOp]) -> Vec<String> {
    let mut out: Vec<String> = ops
        .iter()
        .map(|op| match op {
            SchemaOp::AddCheck { check, .. } => {
                format!("+{}", check.name.clone().unwrap_or_default())
            }
            SchemaOp::DropCheck { check, .. } => {
                format!("-{}", check.name.clone().unwrap_or_default())
            }
            other => other.to_string(),
        })
        .collect();
    out.sort();
    out
}

fn show(ops: &[SchemaOp]) -> String {
    ops.iter().map(|o| format!("\n    {o}")).collect()
}

fn create_all_then_reflect_shows_no_change(db: &TestDb) {
    let target = models(true);
    let table = target.table("products").unwrap();
    let names: Vec<String> = (0..table.checks.len())
        .map(|i| table.check_name(i))
        .collect();
    assert_eq!(
        names,
        [
            "ck_products_name_length",
            "ck_products_price_range",
            "ck_products_rating_range",
            "ck_products_status_one_of",
            "ck_products_level_one_of",
            "ck_products_note_length",
        ]
    );
    target.create_all(&db.engine).expect("create_all");
    let current = reflect(db);
    assert_eq!(
        current.table("products").unwrap().checks.len(),
        6,
        "{:#?}",
        current.table("products").unwrap().checks
    );
    let ops = diff(&target, &current, db.engine.dialect());
    assert!(
        ops.is_empty(),
        "{:?}: the models and their reflection differ:{}\nreflected checks: {:#?}",
        db.backend,
        show(&ops),
        current.table("products").unwrap().checks
    );
    // Dropping a rule from the model is seen as a dropped check.
    let mut fewer = target.clone();
    let mut t: Table = (**fewer.table("products").unwrap()).clone();
    t.checks
        .retain(|c| c.name.as_deref() != Some("ck_products_price_range"));
    fewer.add(t);
    let ops = diff(&fewer, &current, db.engine.dialect());
    assert_eq!(
        check_ops(&ops),
        ["-ck_products_price_range"],
        "{}",
        show(&ops)
    );
}

fn a_rule_added_later_migrates_and_round_trips(db: &TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("migrations");
    let mut dir = MigrationDir::init(&path).unwrap();
    let opts = AutogenerateOptions::default();
    let first = autogenerate_for(&db.engine, &models(false), &dir, &opts).unwrap();
    dir.create_revision("products", first.steps()).unwrap();
    Migrator::new(&db.engine, MigrationDir::load(&path).unwrap())
        .upgrade("head")
        .unwrap();
    {
        let mut conn = db.engine.connect().unwrap();
        conn.execute(text(
            "INSERT INTO products (id, name, price, rating, status, level) \
             VALUES (1, 'kept', 10, 1.5, 'live', 2)",
        ))
        .unwrap();
    }

    // The rules come out as one added check each.
    let second = autogenerate_for(&db.engine, &models(true), &dir, &opts).unwrap();
    assert_eq!(
        check_ops(&second.ops),
        [
            "+ck_products_level_one_of",
            "+ck_products_name_length",
            "+ck_products_note_length",
            "+ck_products_price_range",
            "+ck_products_rating_range",
            "+ck_products_status_one_of",
        ],
        "{}",
        show(&second.ops)
    );
    dir.create_revision("product rules", second.steps())
        .unwrap();
    let text_of_file = std::fs::read_dir(&path)
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
        .find(|t| t.contains("product rules"))
        .unwrap();
    assert!(
        text_of_file.contains(
            "rule = \"one_of\", column = \"status\", values = [\"draft\", \"live\", \"it's\"]"
        ),
        "{text_of_file}"
    );

    // Read back from the files and applied.
    Migrator::new(&db.engine, MigrationDir::load(&path).unwrap())
        .upgrade("head")
        .unwrap();
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM products WHERE name = 'kept'"),
        Some(1)
    );
    let after = autogenerate_for(
        &db.engine,
        &models(true),
        &MigrationDir::load(&path).unwrap(),
        &opts,
    )
    .unwrap();
    assert!(
        after.ops.is_empty(),
        "{:?}:{}",
        db.backend,
        show(&after.ops)
    );
    assert!(after.drift.is_empty(), "drift: {}", show(&after.drift));
}

fn the_database_rejects_what_the_rules_reject(db: &TestDb) {
    models(true).create_all(&db.engine).unwrap();
    let mut conn = db.engine.connect().unwrap();
    let insert =
        |conn: &mut Connection, name: &str, price: i64, rating: f64, status: &str, level: i64| {
            conn.execute(
                text(
                    "INSERT INTO products (name, price, rating, status, level) \
                 VALUES (:n, :p, :r, :s, :l)",
                )
                .bind("n", name.to_string())
                .bind("p", price)
                .bind("r", rating)
                .bind("s", status.to_string())
                .bind("l", level),
            )
        };
    insert(&mut conn, "ok", 0, 0.5, "it's", 3).expect("a valid row");
    insert(&mut conn, "éééééééééééééééééééé", 1000, 5.0, "draft", 1)
        .expect("20 characters (40 bytes) are within length(max = 20)");
    let cases: [(&str, i64, f64, &str, i64, &str); 6] = [
        ("", 1, 1.0, "live", 1, "ck_products_name_length"),
        (
            "ééééééééééééééééééééé",
            1,
            1.0,
            "live",
            1,
            "ck_products_name_length",
        ),
        ("x", -1, 1.0, "live", 1, "ck_products_price_range"),
        ("x", 1, 5.5, "live", 1, "ck_products_rating_range"),
        ("x", 1, 1.0, "gone", 1, "ck_products_status_one_of"),
        ("x", 1, 1.0, "live", 4, "ck_products_level_one_of"),
    ];
    for (name, price, rating, status, level, constraint) in cases {
        let err = insert(&mut conn, name, price, rating, status, level).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CheckViolation, "{constraint}: {err}");
        if let Some(c) = err.constraint() {
            assert!(
                c.contains(constraint) || !c.starts_with("ck_"),
                "{constraint}: {err}"
            );
        }
    }
    assert_eq!(db.scalar("SELECT COUNT(*) FROM products"), Some(2));
}
