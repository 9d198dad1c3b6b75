//! Reflection (issue 9, item 2) on the three backends: tables made by `create_all` (every
//! SqlType, nullability, server defaults, composite and generated keys, foreign keys with
//! every action, uniques, indexes, checks) and schemas written in plain SQL by "another tool"
//! are read back with the `Inspector` and compared, field by field, with values written out
//! here per backend. Also: `only` lists, the typed error for a missing table, and that
//! reflecting ten tables sends as many statements as reflecting one.
//!
//! MySQL/MariaDB specifics (JSON as LONGTEXT, InnoDB's foreign-key indexes, a MySQL schema
//! from another tool) are in `reflection_mysql.rs`.

#[macro_use]
mod support;

use cinnabar::dialect::catalog::Catalog;
use cinnabar::prelude::*;
use cinnabar::schema::{CheckConstraint, UniqueConstraint};
use cinnabar::{Column, ForeignKey, Index, Inspector, ReferentialAction, SqlType, Table};
use support::capture::{capture_sql, echo_engine};
use support::{Backend, TestDb};

backend_tests!(
    every_type_reflects_as_the_type_the_dialect_writes,
    keys_defaults_and_generated_columns_reflect,
    foreign_keys_reflect_with_every_action,
    uniques_and_indexes_reflect,
    only_lists_and_missing_tables,
    reflecting_ten_tables_sends_as_many_statements_as_one,
    checks_and_partial_indexes_reflect,
);

#[path = "reflection/another_tool.rs"]
mod from_another_tool;

// ---------------------------------------------------------------------------------------
// Helpers

fn col(name: &str, ty: SqlType) -> Column {
    Column::new(name, ty)
}

fn custom(mut c: Column, type_name: &str) -> Column {
    c.custom_type = Some(type_name.into());
    c
}

fn reflect(db: &TestDb) -> Vec<Table> {
    Inspector::new(&db.engine).tables().expect("reflect")
}

fn table<'a>(tables: &'a [Table], name: &str) -> &'a Table {
    tables
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no table {name} among {tables:#?}"))
}

fn script(db: &TestDb, sql: &str) {
    db.engine
        .connect()
        .unwrap()
        .execute_script(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn catalog(db: &TestDb) -> &'static dyn Catalog {
    db.engine.dialect().catalog().expect("a catalog")
}

/// Compares a reflected table with the expected one field by field (so a failure names the
/// column or constraint), then as a whole (so nothing unlisted differs).
fn assert_table(actual: &Table, expected: &Table) {
    let t = &expected.name;
    assert_eq!(actual.name, expected.name);
    let names = |cs: &[Column]| cs.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&actual.columns),
        names(&expected.columns),
        "{t}: columns"
    );
    for (a, e) in actual.columns.iter().zip(&expected.columns) {
        let c = &e.name;
        assert_eq!(a.sql_type, e.sql_type, "{t}.{c}: sql_type");
        assert_eq!(a.custom_type, e.custom_type, "{t}.{c}: custom_type");
        assert_eq!(a.nullable, e.nullable, "{t}.{c}: nullable");
        assert_eq!(a.primary_key, e.primary_key, "{t}.{c}: primary_key");
        assert_eq!(a.autoincrement, e.autoincrement, "{t}.{c}: autoincrement");
        assert_eq!(a.unique, e.unique, "{t}.{c}: unique");
        assert_eq!(a.index, e.index, "{t}.{c}: index");
        assert_eq!(
            a.server_default, e.server_default,
            "{t}.{c}: server_default"
        );
    }
    assert_eq!(
        actual.foreign_keys, expected.foreign_keys,
        "{t}: foreign keys"
    );
    assert_eq!(actual.uniques, expected.uniques, "{t}: unique constraints");
    assert_eq!(actual.indexes, expected.indexes, "{t}: indexes");
    assert_eq!(actual.checks, expected.checks, "{t}: checks");
    assert_eq!(actual, expected);
}

fn unique(name: Option<&str>, columns: &[&str]) -> UniqueConstraint {
    UniqueConstraint {
        name: name.map(str::to_string),
        columns: columns.iter().map(|c| c.to_string()).collect(),
    }
}

fn check(name: Option<&str>, sql: &str) -> CheckConstraint {
    CheckConstraint {
        name: name.map(str::to_string),
        sql: sql.to_string(),
        rule: None,
    }
}

// ---------------------------------------------------------------------------------------
// Tables made by create_all

/// What each backend's catalog reflects a model's type as: the type its dialect writes the
/// same name for (SQLite writes INTEGER for every integer, REAL for both floats and TEXT for
/// JSON; MySQL writes DATETIME(6) for both timestamps).
fn reflected_type(backend: Backend, t: SqlType) -> SqlType {
    match (backend, t) {
        (Backend::Sqlite, SqlType::SmallInt | SqlType::Integer) => SqlType::BigInt,
        (Backend::Sqlite, SqlType::Float) => SqlType::Double,
        (Backend::Sqlite, SqlType::Json) => SqlType::Text(None),
        (Backend::MySql, SqlType::DateTimeTz) => SqlType::DateTime,
        _ => t,
    }
}

fn every_type_reflects_as_the_type_the_dialect_writes(db: &TestDb) {
    let types: &[(&str, SqlType, bool)] = &[
        ("c_small", SqlType::SmallInt, false),
        ("c_int", SqlType::Integer, true),
        ("c_big", SqlType::BigInt, false),
        ("c_float", SqlType::Float, true),
        ("c_double", SqlType::Double, false),
        ("c_bool", SqlType::Boolean, false),
        ("c_text", SqlType::Text(None), true),
        ("c_varchar", SqlType::Text(Some(40)), false),
        ("c_blob", SqlType::Blob, true),
        ("c_date", SqlType::Date, false),
        ("c_time", SqlType::Time, true),
        ("c_datetime", SqlType::DateTime, false),
        ("c_datetimetz", SqlType::DateTimeTz, true),
        ("c_uuid", SqlType::Uuid, false),
        ("c_decimal", SqlType::Decimal(10, 2), true),
        ("c_json", SqlType::Json, true),
    ];
    let mut model =
        Table::new("all_types").column(col("id", SqlType::BigInt).primary_key().autoincrement());
    let mut expected =
        Table::new("all_types").column(col("id", SqlType::BigInt).primary_key().autoincrement());
    for &(name, t, nullable) in types {
        let c = col(name, t);
        let e = col(name, reflected_type(db.backend, t));
        model = model.column(if nullable { c.nullable() } else { c });
        expected = expected.column(if nullable { e.nullable() } else { e });
    }
    db.create_tables(&[&model]);
    let tables = reflect(db);
    assert_eq!(tables.len(), 1);
    assert_table(&tables[0], &expected);
    // Rendering the reflected columns gives the database's type names back.
    let d = db.engine.dialect();
    for (m, r) in model.columns.iter().zip(&tables[0].columns) {
        assert_eq!(
            d.column_type(r, false),
            d.column_type(m, false),
            "{}: rendered type",
            m.name
        );
    }
}

fn keys_defaults_and_generated_columns_reflect(db: &TestDb) {
    let settings = Table::new("settings")
        .column(col("id", SqlType::BigInt).primary_key().autoincrement())
        .column(col("name", SqlType::Text(Some(20))).server_default("'x'"))
        .column(col("qty", SqlType::Integer).server_default("0"))
        .column(
            col("delta", SqlType::Integer)
                .nullable()
                .server_default("-1"),
        )
        .column(col("enabled", SqlType::Boolean).server_default("TRUE"))
        .column(col("created", SqlType::DateTimeTz).server_default("CURRENT_TIMESTAMP"));
    let pairs = Table::new("pairs")
        .column(col("a", SqlType::Integer).primary_key())
        .column(col("b", SqlType::Text(Some(10))).primary_key())
        .column(col("note", SqlType::Text(None)).nullable());
    // A single integer key the model does not generate.
    let codes = Table::new("codes")
        .column(col("code", SqlType::BigInt).primary_key())
        .column(col("label", SqlType::Text(Some(30))));
    let small_keys = Table::new("small_keys")
        .column(col("id", SqlType::Integer).primary_key().autoincrement())
        .column(col("v", SqlType::SmallInt));
    db.create_tables(&[&settings, &pairs, &codes, &small_keys]);
    let tables = reflect(db);
    let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["codes", "pairs", "settings", "small_keys"],
        "sorted by name"
    );

    let b = db.backend;
    let ty = |t| reflected_type(b, t);
    // Each default as the database reports it back.
    let (name_d, qty_d, delta_d, enabled_d, created_d) = match b {
        Backend::Sqlite => ("'x'", "0", "-1", "TRUE", "CURRENT_TIMESTAMP"),
        Backend::Postgres => (
            "'x'::character varying",
            "0",
            "'-1'::integer",
            "true",
            "CURRENT_TIMESTAMP",
        ),
        Backend::MySql => ("'x'", "0", "-1", "1", "current_timestamp(6)"),
    };
    let expected = Table::new("settings")
        .column(col("id", SqlType::BigInt).primary_key().autoincrement())
        .column(col("name", SqlType::Text(Some(20))).server_default(name_d))
        .column(col("qty", ty(SqlType::Integer)).server_default(qty_d))
        .column(
            col("delta", ty(SqlType::Integer))
                .nullable()
                .server_default(delta_d),
        )
        .column(col("enabled", SqlType::Boolean).server_default(enabled_d))
        .column(col("created", ty(SqlType::DateTimeTz)).server_default(created_d));
    let reflected = table(&tables, "settings");
    assert_table(reflected, &expected);
    // What the diff relies on: the model's default and the reflected one have one key.
    let cat = catalog(db);
    for (m, r) in settings.columns.iter().zip(&reflected.columns) {
        assert_eq!(
            m.server_default
                .as_deref()
                .map(|d| cat.normalize_default(d)),
            r.server_default
                .as_deref()
                .map(|d| cat.normalize_default(d)),
            "settings.{}: normalised default",
            m.name
        );
    }

    let expected = Table::new("pairs")
        .column(col("a", ty(SqlType::Integer)).primary_key())
        .column(col("b", SqlType::Text(Some(10))).primary_key())
        .column(col("note", SqlType::Text(None)).nullable());
    assert_table(table(&tables, "pairs"), &expected);

    // SQLite: a single INTEGER primary key is the rowid, which the database assigns.
    let code = col("code", SqlType::BigInt).primary_key();
    let expected = Table::new("codes")
        .column(if b == Backend::Sqlite {
            code.autoincrement()
        } else {
            code
        })
        .column(col("label", SqlType::Text(Some(30))));
    assert_table(table(&tables, "codes"), &expected);

    let expected = Table::new("small_keys")
        .column(
            col("id", ty(SqlType::Integer))
                .primary_key()
                .autoincrement(),
        )
        .column(col("v", ty(SqlType::SmallInt)));
    assert_table(table(&tables, "small_keys"), &expected);
}

fn foreign_keys_reflect_with_every_action(db: &TestDb) {
    use ReferentialAction::*;
    let parents = Table::new("parents")
        .column(col("id", SqlType::BigInt).primary_key().autoincrement())
        .column(col("code", SqlType::Text(Some(10))))
        .column(col("region", SqlType::Integer))
        .unique(&["code", "region"]);
    // (column, ON DELETE, ON UPDATE): every action on each side.
    let actions = [
        ("p1", NoAction, Cascade),
        ("p2", Restrict, SetNull),
        ("p3", Cascade, SetDefault),
        ("p4", SetNull, Restrict),
        ("p5", SetDefault, NoAction),
    ];
    let mut children =
        Table::new("children").column(col("id", SqlType::BigInt).primary_key().autoincrement());
    for (c, _, _) in actions {
        children = children.column(col(c, SqlType::BigInt).nullable());
    }
    children = children
        .column(col("code", SqlType::Text(Some(10))).nullable())
        .column(col("region", SqlType::Integer).nullable());
    for (c, del, upd) in actions {
        children = children.foreign_key(
            ForeignKey::new(c, "parents", "id")
                .on_delete(del)
                .on_update(upd),
        );
    }
    children = children.foreign_key(
        ForeignKey::composite(&["code", "region"], "parents", &["code", "region"])
            .on_delete(Cascade)
            .on_update(Cascade),
    );
    db.create_tables(&[&parents, &children]);
    let tables = reflect(db);

    let b = db.backend;
    // How each backend reports an action back: NO ACTION is the undeclared default (None);
    // InnoDB treats RESTRICT as NO ACTION and ignores SET DEFAULT.
    let reported = |a: ReferentialAction| match (b, a) {
        (_, NoAction) => None,
        (Backend::MySql, Restrict | SetDefault) => None,
        _ => Some(a),
    };
    let fk_name = |i: usize, cols: &str| match b {
        Backend::Sqlite => None,
        Backend::Postgres => Some(format!("children_{cols}_fkey")),
        Backend::MySql => Some(format!("children_ibfk_{}", i + 1)),
    };
    let mut expected =
        Table::new("children").column(col("id", SqlType::BigInt).primary_key().autoincrement());
    for (c, _, _) in actions {
        expected = expected.column(col(c, SqlType::BigInt).nullable());
    }
    expected = expected
        .column(col("code", SqlType::Text(Some(10))).nullable())
        .column(col("region", reflected_type(b, SqlType::Integer)).nullable());
    for (i, (c, del, upd)) in actions.into_iter().enumerate() {
        let mut fk = ForeignKey::new(c, "parents", "id");
        fk.name = fk_name(i, c);
        fk.on_delete = reported(del);
        fk.on_update = reported(upd);
        expected = expected.foreign_key(fk);
    }
    let mut fk = ForeignKey::composite(&["code", "region"], "parents", &["code", "region"])
        .on_delete(Cascade)
        .on_update(Cascade);
    fk.name = fk_name(5, "code_region");
    expected = expected.foreign_key(fk);
    assert_table(table(&tables, "children"), &expected);

    let mut expected = Table::new("parents")
        .column(col("id", SqlType::BigInt).primary_key().autoincrement())
        .column(col("code", SqlType::Text(Some(10))))
        .column(col("region", reflected_type(b, SqlType::Integer)));
    expected.uniques.push(unique(
        match b {
            Backend::Sqlite => None,
            Backend::Postgres => Some("parents_code_region_key"),
            // MySQL names an unnamed unique index after its first column.
            Backend::MySql => Some("code"),
        },
        &["code", "region"],
    ));
    assert_table(table(&tables, "parents"), &expected);
}

fn uniques_and_indexes_reflect(db: &TestDb) {
    let items = Table::new("items")
        .column(col("id", SqlType::BigInt).primary_key().autoincrement())
        .column(col("sku", SqlType::Text(Some(20))).unique())
        .column(col("email", SqlType::Text(Some(50))).index())
        .column(col("a", SqlType::Integer))
        .column(col("b", SqlType::Integer))
        .column(col("c", SqlType::Integer))
        .unique(&["a", "b"])
        .named_unique("uq_items_b_c", &["b", "c"])
        .index("ix_items_a_b", &["a", "b"], false)
        .index("ux_items_c", &["c"], true)
        .index("items_b_idx", &["b"], false);
    db.create_tables(&[&items]);
    let tables = reflect(db);
    let b = db.backend;
    let int = reflected_type(b, SqlType::Integer);
    let mut expected = Table::new("items")
        .column(col("id", SqlType::BigInt).primary_key().autoincrement())
        .column(col("a", int))
        .column(col("b", int))
        .column(col("c", int));
    let (sku, email) = (
        col("sku", SqlType::Text(Some(20))),
        col("email", SqlType::Text(Some(50))),
    );
    match b {
        // A column's own UNIQUE / index (named as create_all names it) comes back on the
        // column; the rest as table-level objects, indexes sorted by name.
        Backend::Sqlite | Backend::Postgres => {
            expected.columns.insert(1, sku.unique());
            expected.columns.insert(2, email.index());
            expected.uniques = vec![
                unique(
                    (b == Backend::Postgres).then_some("items_a_b_key"),
                    &["a", "b"],
                ),
                unique(Some("uq_items_b_c"), &["b", "c"]),
            ];
            expected.indexes = vec![
                Index::new("items_b_idx", &["b"]),
                Index::new("ix_items_a_b", &["a", "b"]),
                Index::new("ux_items_c", &["c"]).unique(),
            ];
        }
        // MySQL: a UNIQUE constraint is a unique index, so every other unique index is a
        // named unique constraint (sorted by name); the column's own UNIQUE (named after the
        // column, as MySQL names an unnamed one) and index come back on the column.
        Backend::MySql => {
            expected.columns.insert(1, sku.unique());
            expected.columns.insert(2, email.index());
            expected.uniques = vec![
                unique(Some("a"), &["a", "b"]),
                unique(Some("uq_items_b_c"), &["b", "c"]),
                unique(Some("ux_items_c"), &["c"]),
            ];
            expected.indexes = vec![
                Index::new("items_b_idx", &["b"]),
                Index::new("ix_items_a_b", &["a", "b"]),
            ];
        }
    }
    assert_table(table(&tables, "items"), &expected);
}

fn checks_and_partial_indexes_reflect(db: &TestDb) {
    let b = db.backend;
    let mut scores = Table::new("scores")
        .column(col("id", SqlType::BigInt).primary_key().autoincrement())
        .column(col("player", SqlType::Text(Some(20))))
        .column(col("points", SqlType::Integer))
        .column(col("bonus", SqlType::Integer).nullable())
        .check(None, "points >= 0")
        .check(Some("ck_scores_bonus"), "bonus IS NULL OR bonus <= points");
    if b != Backend::MySql {
        scores =
            scores.with_index(Index::new("ix_scores_high", &["player"]).where_sql("points > 100"));
    }
    db.create_tables(&[&scores]);
    let tables = reflect(db);
    let int = reflected_type(b, SqlType::Integer);
    let mut expected = Table::new("scores")
        .column(col("id", SqlType::BigInt).primary_key().autoincrement())
        .column(col("player", SqlType::Text(Some(20))))
        .column(col("points", int))
        .column(col("bonus", int).nullable());
    expected.checks = match b {
        Backend::Sqlite => vec![
            check(Some("ck_scores_1"), "points >= 0"),
            check(Some("ck_scores_bonus"), "bonus IS NULL OR bonus <= points"),
        ],
        Backend::Postgres => vec![
            check(Some("ck_scores_1"), "points >= 0"),
            check(
                Some("ck_scores_bonus"),
                "(bonus IS NULL) OR (bonus <= points)",
            ),
        ],
        // Sorted by name; MariaDB keeps the text with backquotes.
        Backend::MySql => vec![
            check(Some("ck_scores_1"), "`points` >= 0"),
            check(
                Some("ck_scores_bonus"),
                "`bonus` is null or `bonus` <= `points`",
            ),
        ],
    };
    if b != Backend::MySql {
        expected.indexes =
            vec![Index::new("ix_scores_high", &["player"]).where_sql("points > 100")];
    }
    let reflected = table(&tables, "scores");
    assert_table(reflected, &expected);
    let cat = catalog(db);
    for (m, r) in scores.checks.iter().zip(&reflected.checks) {
        assert_eq!(
            cat.normalize_check(&m.sql),
            cat.normalize_check(&r.sql),
            "{}",
            m.sql
        );
    }
}

// ---------------------------------------------------------------------------------------
// The Inspector's API

fn only_lists_and_missing_tables(db: &TestDb) {
    let a = Table::new("alpha").column(col("id", SqlType::BigInt).primary_key().autoincrement());
    let z = Table::new("zulu")
        .column(col("id", SqlType::BigInt).primary_key().autoincrement())
        .column(col("alpha_id", SqlType::BigInt).nullable())
        .foreign_key(ForeignKey::new("alpha_id", "alpha", "id"));
    db.create_tables(&[&z, &a]);
    let inspector = Inspector::new(&db.engine);
    assert_eq!(inspector.table_names().unwrap(), ["alpha", "zulu"]);
    assert!(inspector.table("missing").unwrap().is_none());
    let alpha = inspector.table("alpha").unwrap().expect("alpha");
    assert_eq!(alpha.columns.len(), 1);

    let md = inspector.metadata(Some(&["zulu"])).unwrap();
    let names: Vec<&str> = md.tables().iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["zulu"]);
    assert_eq!(md.tables()[0].foreign_keys[0].ref_table, "alpha");
    assert_eq!(inspector.metadata(None).unwrap().tables().len(), 2);

    let err = inspector
        .metadata(Some(&["alpha", "no_such_table"]))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Misuse);
    assert!(err.message().contains("\"no_such_table\""), "{err}");

    // MetaData::reflect adds the tables, replacing a same-named one.
    let mut md =
        MetaData::new().with(Table::new("alpha").column(col("stale", SqlType::Text(None))));
    md.reflect(&db.engine, Some(&["alpha"])).unwrap();
    assert_eq!(md.tables().len(), 1);
    assert_eq!(md.tables()[0].columns[0].name, "id");
    let err = MetaData::new()
        .reflect(&db.engine, Some(&["ghost"]))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Misuse);
    assert!(err.message().contains("\"ghost\""), "{err}");
    let mut all = MetaData::new();
    all.reflect(&db.engine, None).unwrap();
    assert_eq!(all.tables().len(), 2);
    // The reflected tables order for create_all: parents first.
    let order: Vec<String> = all
        .sorted_tables()
        .unwrap()
        .iter()
        .map(|t| t.name.clone())
        .collect();
    assert_eq!(order, ["alpha", "zulu"]);
}

fn reflecting_ten_tables_sends_as_many_statements_as_one(db: &TestDb) {
    let make = |i: usize| {
        let mut t = Table::new(format!("t{i:02}"))
            .column(col("id", SqlType::BigInt).primary_key().autoincrement())
            .column(col("name", SqlType::Text(Some(20))).unique())
            .column(col("n", SqlType::Integer).index())
            .column(col("prev_id", SqlType::BigInt).nullable());
        if i > 0 {
            t = t.foreign_key(ForeignKey::new("prev_id", format!("t{:02}", i - 1), "id"));
        }
        t
    };
    let echo = echo_engine(db);
    let count = |expect_tables: usize| {
        let (tables, lines) = capture_sql(|| Inspector::new(&echo).tables());
        let tables = tables.unwrap();
        assert_eq!(tables.len(), expect_tables);
        lines
    };
    db.create_tables(&[&make(0)]);
    let one = count(1);
    let tables: Vec<Table> = (1..10).map(make).collect();
    db.create_tables(&tables.iter().collect::<Vec<_>>());
    let ten = count(10);
    assert_eq!(
        one.len(),
        ten.len(),
        "one table: {one:#?}\nten tables: {ten:#?}"
    );
    let queries = catalog(db).queries().len();
    let selects = |l: &[String]| {
        support::capture::statements(l, "SELECT").len()
            + support::capture::statements(l, "WITH").len()
    };
    assert_eq!(selects(&ten), queries, "{ten:#?}");
}
