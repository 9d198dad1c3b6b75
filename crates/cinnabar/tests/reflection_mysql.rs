//! Reflection on MariaDB/MySQL: what only this backend does, against the live server
//! (`CINNABAR_TEST_MYSQL`), each test on a fresh database. The cross-backend reflection suite
//! is `tests/reflection.rs`; this file covers MariaDB's JSON-as-LONGTEXT check, the indexes
//! InnoDB makes for foreign keys, `tinyint(1)`, defaults as MariaDB spells them, every
//! foreign-key action, checks, and a schema another tool wrote with types Cinnabar never
//! writes. The instances are ignored (with the reason) when the `mysql` feature is off or the
//! variable was unset at build time, as the `mysql::` instances of `backend_tests!` are.

#[macro_use]
mod support;

use cinnabar::prelude::*;
use cinnabar::schema::{CheckConstraint, UniqueConstraint};
use cinnabar::{Column, ForeignKey, Index, ReferentialAction, SqlType, Table};
// The facade re-exports the Inspector once the cross-backend reflection work is merged.
use cinnabar_engine::Inspector;
use support::TestDb;

/// Each `fn name(db: &TestDb)` as a `#[test]` on a fresh MariaDB/MySQL database, in module
/// `mysql` (filter with `mysql::`).
macro_rules! mysql_tests {
    ($($name:ident),* $(,)?) => {
        mod mysql {
            $(
                #[test]
                #[cfg_attr(not(feature = "mysql"), ignore = "the `mysql` feature is off")]
                #[cfg_attr(
                    all(feature = "mysql", not(cinnabar_test_mysql)),
                    ignore = "CINNABAR_TEST_MYSQL is not set"
                )]
                fn $name() { super::$name(&crate::support::TestDb::mysql()); }
            )*
        }
    };
}

mysql_tests!(
    create_all_tables_reflect_as_declared,
    foreign_key_actions_reflect_and_innodb_indexes_stay_hidden,
    checks_defaults_and_json_written_by_hand,
    a_schema_from_another_tool_reflects_with_its_own_type_names,
    reflection_sends_the_same_queries_for_one_table_or_thirty,
    views_are_not_tables,
    hostile_names_reflect_verbatim,
);

fn reflect(db: &TestDb) -> Vec<Table> {
    Inspector::new(&db.engine).tables().expect("reflect")
}

fn table<'a>(tables: &'a [Table], name: &str) -> &'a Table {
    tables
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no table {name} in {tables:#?}"))
}

fn script(db: &TestDb, sql: &str) {
    db.engine
        .connect()
        .unwrap()
        .execute_script(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn catalog(db: &TestDb) -> &'static dyn cinnabar::dialect::catalog::Catalog {
    db.engine
        .dialect()
        .catalog()
        .expect("the MySQL dialect has a catalog")
}

fn col(name: &str, ty: SqlType) -> Column {
    Column::new(name, ty)
}

fn custom(mut c: Column, type_name: &str) -> Column {
    c.custom_type = Some(type_name.into());
    c
}

fn unique(name: &str, columns: &[&str]) -> UniqueConstraint {
    UniqueConstraint {
        name: Some(name.into()),
        columns: columns.iter().map(|c| c.to_string()).collect(),
    }
}

fn check(name: &str, sql: &str) -> CheckConstraint {
    CheckConstraint {
        name: Some(name.into()),
        sql: sql.into(),
        rule: None,
    }
}

/// Whether `column` is in a key or index of `table` (the dialect writes keyed unbounded text
/// as VARCHAR(255)).
fn keyed(table: &Table, column: &str) -> bool {
    let c = column.to_string();
    table
        .get_column(column)
        .is_some_and(|c| c.primary_key || c.unique || c.index)
        || table.uniques.iter().any(|u| u.columns.contains(&c))
        || table.indexes.iter().any(|i| i.columns.contains(&c))
        || table.foreign_keys.iter().any(|f| f.columns.contains(&c))
}

fn create_all_tables_reflect_as_declared(db: &TestDb) {
    let parents = Table::new("parents")
        .column(col("id", SqlType::BigInt).primary_key().autoincrement())
        .column(col("code", SqlType::Text(Some(20))).unique());
    let kinds = Table::new("kinds")
        .column(col("id", SqlType::Integer).primary_key().autoincrement())
        .column(col("parent_id", SqlType::BigInt).nullable())
        .column(col("small", SqlType::SmallInt))
        .column(col("flag", SqlType::Boolean).server_default("true"))
        .column(col("f", SqlType::Float).nullable())
        .column(col("d", SqlType::Double).nullable())
        .column(col("name", SqlType::Text(Some(80))).server_default("'abc'"))
        .column(col("body", SqlType::Text(None)).nullable())
        .column(col("data", SqlType::Blob).nullable())
        .column(col("day", SqlType::Date).nullable())
        .column(col("at", SqlType::Time).nullable())
        .column(col("created", SqlType::DateTime).server_default("CURRENT_TIMESTAMP(6)"))
        .column(col("seen", SqlType::DateTimeTz).nullable())
        .column(col("token", SqlType::Uuid).nullable())
        .column(col("price", SqlType::Decimal(10, 2)).server_default("1.5"))
        .column(col("doc", SqlType::Json).nullable())
        .column(col("rank", SqlType::Integer).index())
        .column(col("label", SqlType::Text(None)))
        .foreign_key(ForeignKey::new("parent_id", "parents", "id"))
        .with_index(Index::new("ix_kinds_small_rank", &["small", "rank"]))
        .with_index(Index::new("ux_kinds_token", &["token"]).unique())
        .named_unique("uq_kinds_name_label", &["name", "label"]);
    db.create_tables(&[&parents, &kinds]);

    let tables = reflect(db);
    let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["kinds", "parents"]);

    // A single-column UNIQUE is a unique index named after the column: the column's
    // `unique`, as the model declared it.
    let expected_parents = Table::new("parents")
        .column(col("id", SqlType::BigInt).primary_key().autoincrement())
        .column(col("code", SqlType::Text(Some(20))).unique());
    assert_eq!(table(&tables, "parents"), &expected_parents);

    let got = table(&tables, "kinds");
    let expected_columns = vec![
        col("id", SqlType::Integer).primary_key().autoincrement(),
        col("parent_id", SqlType::BigInt).nullable(),
        col("small", SqlType::SmallInt),
        col("flag", SqlType::Boolean).server_default("1"),
        col("f", SqlType::Float).nullable(),
        col("d", SqlType::Double).nullable(),
        col("name", SqlType::Text(Some(80))).server_default("'abc'"),
        col("body", SqlType::Text(None)).nullable(),
        col("data", SqlType::Blob).nullable(),
        col("day", SqlType::Date).nullable(),
        col("at", SqlType::Time).nullable(),
        col("created", SqlType::DateTime).server_default("current_timestamp(6)"),
        // DATETIME(6) either way: the dialect writes DateTimeTz as DateTime.
        col("seen", SqlType::DateTime).nullable(),
        col("token", SqlType::Uuid).nullable(),
        col("price", SqlType::Decimal(10, 2)).server_default("1.50"),
        // JSON is LONGTEXT with a json_valid check on MariaDB: Json again, check hidden.
        col("doc", SqlType::Json).nullable(),
        // Its `ix_kinds_rank` index is the column's `index`, as declared.
        col("rank", SqlType::Integer).index(),
        // Unbounded text in a key is written VARCHAR(255).
        col("label", SqlType::Text(Some(255))),
    ];
    for (g, e) in got.columns.iter().zip(&expected_columns) {
        assert_eq!(g, e);
    }
    assert_eq!(got.columns.len(), expected_columns.len());
    assert_eq!(
        got.foreign_keys,
        [ForeignKey::new("parent_id", "parents", "id").named("kinds_ibfk_1")]
    );
    // `parent_id` has the index InnoDB made for the key; it is not reported.
    assert_eq!(
        got.indexes,
        [Index::new("ix_kinds_small_rank", &["small", "rank"])]
    );
    assert_eq!(
        got.uniques,
        [
            unique("uq_kinds_name_label", &["name", "label"]),
            unique("ux_kinds_token", &["token"]),
        ]
    );
    assert_eq!(got.checks, []);

    // What the diff compares: the rendered types and the normalised defaults of the model and
    // of the reflection are the same.
    let d = db.engine.dialect();
    let cat = catalog(db);
    for model in &kinds.columns {
        let reflected = got.get_column(&model.name).unwrap();
        let k = keyed(&kinds, &model.name);
        assert_eq!(
            cat.normalize_type(&d.column_type(model, k)),
            cat.normalize_type(&d.column_type(reflected, k)),
            "type of {}",
            model.name
        );
        assert_eq!(
            model
                .server_default
                .as_deref()
                .map(|s| cat.normalize_default(s)),
            reflected
                .server_default
                .as_deref()
                .map(|s| cat.normalize_default(s)),
            "default of {}",
            model.name
        );
    }
}

fn foreign_key_actions_reflect_and_innodb_indexes_stay_hidden(db: &TestDb) {
    use ReferentialAction::*;
    let parents = Table::new("parents")
        .column(col("id", SqlType::BigInt).primary_key().autoincrement())
        .column(col("a", SqlType::Integer))
        .column(col("b", SqlType::Integer))
        .unique(&["a", "b"]);
    let mut children = Table::new("children")
        .column(col("id", SqlType::BigInt).primary_key().autoincrement())
        .column(col("a", SqlType::Integer).nullable())
        .column(col("b", SqlType::Integer).nullable())
        .column(col("q", SqlType::BigInt).nullable());
    let actions = [
        ("p_cascade", Some(Cascade), Some(Cascade)),
        ("p_set_null", Some(SetNull), Some(SetNull)),
        ("p_restrict", Some(Restrict), Some(Restrict)),
        ("p_no_action", Some(NoAction), Some(NoAction)),
        ("p_none", None, None),
        ("p_mixed", Some(Cascade), Some(SetNull)),
        ("p_set_default", Some(SetDefault), None),
    ];
    for (column, on_delete, on_update) in actions {
        let mut fk = ForeignKey::new(column, "parents", "id");
        fk.on_delete = on_delete;
        fk.on_update = on_update;
        children = children
            .column(col(column, SqlType::BigInt).nullable())
            .foreign_key(fk);
    }
    children = children
        .foreign_key(ForeignKey::composite(&["a", "b"], "parents", &["a", "b"]).on_delete(Cascade))
        // Added by ALTER TABLE after the tables: InnoDB names its index after the constraint.
        .foreign_key(ForeignKey::new("q", "parents", "id").use_alter());
    db.create_tables(&[&parents, &children]);

    let tables = reflect(db);
    let got = table(&tables, "children");
    let cat = catalog(db);
    for (column, on_delete, on_update) in actions {
        let fk = got
            .foreign_keys
            .iter()
            .find(|f| f.columns == [column])
            .unwrap_or_else(|| panic!("no key on {column}: {:#?}", got.foreign_keys));
        assert_eq!(
            (fk.ref_table.as_str(), fk.ref_columns.as_slice()),
            ("parents", &["id".to_string()][..])
        );
        assert!(
            fk.name
                .as_deref()
                .is_some_and(|n| n.starts_with("children_ibfk_")),
            "{fk:?}"
        );
        // RESTRICT, NO ACTION and no action are one behaviour on InnoDB: reflected as None;
        // SET DEFAULT is accepted and not kept.
        let expect = |a: Option<ReferentialAction>| match a {
            Some(Cascade) => Some(Cascade),
            Some(SetNull) => Some(SetNull),
            _ => None,
        };
        assert_eq!(
            (fk.on_delete, fk.on_update),
            (expect(on_delete), expect(on_update)),
            "{column}"
        );
        assert_eq!(
            (
                cat.normalize_action(on_delete),
                cat.normalize_action(on_update)
            ),
            (
                cat.normalize_action(fk.on_delete),
                cat.normalize_action(fk.on_update)
            ),
            "{column}: the model and the reflection must compare equal"
        );
    }
    let composite = got
        .foreign_keys
        .iter()
        .find(|f| f.columns == ["a", "b"])
        .unwrap();
    assert_eq!(composite.ref_columns, ["a", "b"]);
    assert_eq!(
        (composite.on_delete, composite.on_update),
        (Some(Cascade), None)
    );
    let q = got
        .foreign_keys
        .iter()
        .find(|f| f.columns == ["q"])
        .unwrap();
    assert_eq!(q.name.as_deref(), Some("fk_children_q"));
    assert_eq!(got.foreign_keys.len(), actions.len() + 2);

    // InnoDB made one index per key (9), none of which the model declared.
    let innodb_indexes = db
        .scalar(
            "SELECT COUNT(DISTINCT INDEX_NAME) FROM information_schema.STATISTICS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'children' \
             AND INDEX_NAME <> 'PRIMARY'",
        )
        .unwrap();
    assert_eq!(innodb_indexes, 9);
    assert_eq!(got.indexes, []);
    assert_eq!(got.uniques, []);
    assert_eq!(
        table(&tables, "parents").uniques,
        [unique("a", &["a", "b"])]
    );

    // SET DEFAULT really is dropped by the server: deleting a parent is refused.
    script(
        db,
        "INSERT INTO parents (id, a, b) VALUES (1, 1, 1); \
         INSERT INTO children (id, p_set_default) VALUES (1, 1)",
    );
    let e = db
        .engine
        .connect()
        .unwrap()
        .execute(text("DELETE FROM parents WHERE id = 1"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ForeignKeyViolation, "{e}");
}

fn checks_defaults_and_json_written_by_hand(db: &TestDb) {
    script(
        db,
        "CREATE TABLE people (
           id INT NOT NULL PRIMARY KEY,
           age INT NOT NULL DEFAULT 0 CHECK (age >= 0),
           name VARCHAR(40) NOT NULL DEFAULT 'it''s',
           score DECIMAL(5,2) DEFAULT '1.5',
           born DATETIME DEFAULT NOW(),
           stamp TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
           total INT DEFAULT (1+2),
           meta JSON,
           flag BOOLEAN DEFAULT TRUE,
           nick VARCHAR(10) DEFAULT NULL,
           CONSTRAINT name_not_blank CHECK (LENGTH(name) > 0),
           CHECK (score BETWEEN 0 AND 100 AND name != 'x')
         ) ENGINE=InnoDB",
    );
    let tables = reflect(db);
    let people = table(&tables, "people");
    let expected = vec![
        col("id", SqlType::Integer).primary_key(),
        col("age", SqlType::Integer).server_default("0"),
        col("name", SqlType::Text(Some(40))).server_default("'it''s'"),
        col("score", SqlType::Decimal(5, 2))
            .nullable()
            .server_default("1.50"),
        custom(col("born", SqlType::DateTime).nullable(), "datetime")
            .server_default("current_timestamp()"),
        custom(col("stamp", SqlType::DateTimeTz), "timestamp(6)")
            .server_default("current_timestamp(6)"),
        col("total", SqlType::Integer)
            .nullable()
            .server_default("(1 + 2)"),
        col("meta", SqlType::Json).nullable(),
        col("flag", SqlType::Boolean).nullable().server_default("1"),
        col("nick", SqlType::Text(Some(10))).nullable(),
    ];
    assert_eq!(people.columns, expected);
    // MariaDB names a column's check after the column and an unnamed one CONSTRAINT_<n>, and
    // rewrites the condition; the json_valid check of `meta` is not among them.
    assert_eq!(
        people.checks,
        [
            check(
                "CONSTRAINT_1",
                "`score` between 0 and 100 and `name` <> 'x'"
            ),
            check("age", "`age` >= 0"),
            check("name_not_blank", "octet_length(`name`) > 0"),
        ]
    );
    let in_database = db
        .scalar(
            "SELECT COUNT(*) FROM information_schema.TABLE_CONSTRAINTS \
             WHERE TABLE_SCHEMA = DATABASE() AND CONSTRAINT_TYPE = 'CHECK'",
        )
        .unwrap();
    assert_eq!(
        in_database, 4,
        "the JSON column's check exists, only hidden"
    );

    // As a model would spell them, they compare equal after the catalog's normalisation.
    let cat = catalog(db);
    for (column, model) in [
        ("age", "0"),
        ("name", "'it''s'"),
        ("score", "1.5"),
        ("born", "CURRENT_TIMESTAMP"),
        ("stamp", "CURRENT_TIMESTAMP(6)"),
        ("total", "1 + 2"),
        ("flag", "true"),
    ] {
        let reflected = people
            .get_column(column)
            .unwrap()
            .server_default
            .as_deref()
            .unwrap();
        assert_eq!(
            cat.normalize_default(model),
            cat.normalize_default(reflected),
            "{column}"
        );
    }
    for (name, model) in [
        ("CONSTRAINT_1", "score BETWEEN 0 AND 100 AND name != 'x'"),
        ("age", "age >= 0"),
        ("name_not_blank", "LENGTH(name) > 0"),
    ] {
        let reflected = &people
            .checks
            .iter()
            .find(|c| c.name.as_deref() == Some(name))
            .unwrap()
            .sql;
        assert_eq!(
            cat.normalize_check(model),
            cat.normalize_check(reflected),
            "{name}"
        );
    }
    assert_ne!(
        cat.normalize_check("age > 0"),
        cat.normalize_check("`age` >= 0")
    );
}

fn a_schema_from_another_tool_reflects_with_its_own_type_names(db: &TestDb) {
    script(
        db,
        "CREATE TABLE legacy (
           id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
           m MEDIUMINT NOT NULL,
           kind ENUM('a','b') NOT NULL DEFAULT 'a',
           tags SET('x','y') NULL,
           y YEAR NULL,
           note TINYTEXT NULL,
           big BIGINT UNSIGNED NULL,
           t TINYINT NULL,
           on_off BIT(1) NULL,
           code CHAR(10) NULL,
           body TEXT NULL,
           raw VARBINARY(16) NULL,
           KEY legacy_m (m)
         ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
         INSERT INTO legacy (m, kind, tags, y, note, big, t, on_off, code, body, raw)
         VALUES (-8388608, 'b', 'x,y', 2024, 'n', 42, -128, b'1', 'c', 'text', x'00ff')",
    );
    let tables = reflect(db);
    let legacy = table(&tables, "legacy");
    let expected = vec![
        custom(
            col("id", SqlType::BigInt).primary_key().autoincrement(),
            "int(10) unsigned",
        ),
        custom(col("m", SqlType::Integer), "mediumint(9)"),
        custom(col("kind", SqlType::Text(None)), "enum('a','b')").server_default("'a'"),
        custom(col("tags", SqlType::Text(None)).nullable(), "set('x','y')"),
        custom(col("y", SqlType::SmallInt).nullable(), "year(4)"),
        custom(col("note", SqlType::Text(None)).nullable(), "tinytext"),
        custom(
            col("big", SqlType::BigInt).nullable(),
            "bigint(20) unsigned",
        ),
        custom(col("t", SqlType::SmallInt).nullable(), "tinyint(4)"),
        custom(col("on_off", SqlType::Boolean).nullable(), "bit(1)"),
        custom(col("code", SqlType::Text(Some(10))).nullable(), "char(10)"),
        custom(col("body", SqlType::Text(None)).nullable(), "text"),
        custom(col("raw", SqlType::Blob).nullable(), "varbinary(16)"),
    ];
    assert_eq!(legacy.columns, expected);
    assert_eq!(legacy.indexes, [Index::new("legacy_m", &["m"])]);

    // The nearest types read the rows.
    let mut conn = db.engine.connect().unwrap();
    let (id, m, kind, tags, y, note): (i64, i32, String, String, i16, String) = conn
        .query_as(text("SELECT id, m, kind, tags, y, note FROM legacy"))
        .unwrap()
        .remove(0);
    assert_eq!(
        (id, m, kind.as_str(), tags.as_str(), y, note.as_str()),
        (1, -8_388_608, "b", "x,y", 2024, "n")
    );
    let (big, t, on_off, code, body, raw): (i64, i16, bool, String, String, Vec<u8>) = conn
        .query_as(text("SELECT big, t, on_off, code, body, raw FROM legacy"))
        .unwrap()
        .remove(0);
    assert_eq!(
        (big, t, on_off, code.as_str(), body.as_str(), raw),
        (42, -128, true, "c", "text", vec![0, 255])
    );
    // A custom type compares with a model's spelling of it after normalisation.
    let cat = catalog(db);
    assert_eq!(
        cat.normalize_type("INT UNSIGNED"),
        cat.normalize_type("int(10) unsigned")
    );
    assert_eq!(
        cat.normalize_type("ENUM('a', 'b')"),
        cat.normalize_type("enum('a','b')")
    );
}

fn reflection_sends_the_same_queries_for_one_table_or_thirty(db: &TestDb) {
    let make = |n: usize| {
        let sql: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    "CREATE TABLE t{i} (id INT PRIMARY KEY, p INT, v VARCHAR(5) UNIQUE, \
                     CHECK (id > 0){})",
                    if i > 0 {
                        format!(", FOREIGN KEY (p) REFERENCES t{} (id)", i - 1)
                    } else {
                        String::new()
                    }
                )
            })
            .collect();
        sql
    };
    let echo = support::capture::echo_engine(db);
    script(db, &make(1).join(";"));
    let (one, sent_for_one) = support::capture::capture_sql(|| Inspector::new(&echo).tables());
    assert_eq!(one.unwrap().len(), 1);
    script(db, &make(30)[1..].join(";"));
    let (many, sent_for_many) = support::capture::capture_sql(|| Inspector::new(&echo).tables());
    let many = many.unwrap();
    assert_eq!(many.len(), 30);
    assert_eq!(many.iter().map(|t| t.foreign_keys.len()).sum::<usize>(), 29);
    assert_eq!(
        sent_for_one.len(),
        sent_for_many.len(),
        "{sent_for_many:#?}"
    );
    // One query per information_schema view, whatever the number of tables.
    let selects = sent_for_many
        .iter()
        .filter(|l| l.contains("information_schema"))
        .count();
    assert_eq!(selects, 7, "{sent_for_many:#?}");
}

fn views_are_not_tables(db: &TestDb) {
    assert_eq!(reflect(db), []);
    script(
        db,
        "CREATE TABLE base (id INT PRIMARY KEY); CREATE VIEW v AS SELECT id, 1 AS x FROM base",
    );
    let tables = reflect(db);
    assert_eq!(
        tables,
        [Table::new("base").column(col("id", SqlType::Integer).primary_key())]
    );
}

fn hostile_names_reflect_verbatim(db: &TestDb) {
    script(
        db,
        "CREATE TABLE `we``ird table` (
           `id` INT PRIMARY KEY,
           `sé lect` VARCHAR(10) NOT NULL DEFAULT 'a''b',
           `p` INT,
           CONSTRAINT `ck \"q\"` CHECK (`sé lect` <> ''),
           UNIQUE KEY `u``x` (`sé lect`),
           FOREIGN KEY (`p`) REFERENCES `we``ird table` (`id`)
         )",
    );
    let tables = reflect(db);
    let expected = Table::new("we`ird table")
        .column(col("id", SqlType::Integer).primary_key())
        .column(col("sé lect", SqlType::Text(Some(10))).server_default("'a''b'"))
        .column(col("p", SqlType::Integer).nullable())
        .foreign_key(ForeignKey::new("p", "we`ird table", "id").named("we`ird table_ibfk_1"))
        .named_unique("u`x", &["sé lect"])
        .check(Some("ck \"q\""), "`sé lect` <> ''");
    assert_eq!(tables, [expected]);
}
