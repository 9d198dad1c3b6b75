//! Unit tests of the MySQL catalog: tables assembled from catalog rows written by hand, in
//! MariaDB 10.11's forms (copied from what the server on this machine returns) and MySQL 8's
//! (from its documentation and bug reports; no MySQL 8 server was available).

use super::assemble::made_for_foreign_key;
use super::*;
use crate::dialect::catalog::Catalog;
use crate::schema::{CheckConstraint, Column, ForeignKey, ReferentialAction};
use crate::types::SqlType;
use crate::{ErrorKind, Value};

fn t(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn n(i: i64) -> Value {
    Value::Int(i)
}

const MARIADB: &str = "10.11.19-MariaDB-0+deb12u1";
const MYSQL8: &str = "8.0.36";

/// The seven result sets, in the order of `QUERIES`, in the server's forms.
struct Rows {
    mariadb: bool,
    tables: CatalogRows,
    columns: CatalogRows,
    check_tables: CatalogRows,
    check_clauses: CatalogRows,
    fk_columns: CatalogRows,
    fk_rules: CatalogRows,
    indexes: CatalogRows,
}

impl Rows {
    fn new(version: &str, tables: &[&str]) -> Rows {
        Rows {
            mariadb: version.contains("MariaDB"),
            tables: tables
                .iter()
                .map(|name| vec![t(name), t(version)])
                .collect(),
            columns: Vec::new(),
            check_tables: Vec::new(),
            check_clauses: Vec::new(),
            fk_columns: Vec::new(),
            fk_rules: Vec::new(),
            indexes: Vec::new(),
        }
    }

    /// table, column, position, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT (None = SQL NULL),
    /// EXTRA.
    fn col(
        mut self,
        table: &str,
        name: &str,
        ty: &str,
        nullable: bool,
        default: Option<&str>,
        extra: &str,
    ) -> Self {
        let pos = self.columns.iter().filter(|r| r[0] == t(table)).count() as i64 + 1;
        self.columns.push(vec![
            t(table),
            t(name),
            n(pos),
            t(ty),
            t(if nullable { "YES" } else { "NO" }),
            default.map_or(Value::Null, t),
            t(extra),
        ]);
        self
    }

    /// TABLE_CONSTRAINTS lists every check; CHECK_CONSTRAINTS' `*` names the table (and
    /// has LEVEL) on MariaDB only.
    fn check(mut self, table: &str, name: &str, clause: &str) -> Self {
        self.check_tables.push(vec![t(table), t(name)]);
        self.check_clauses.push(if self.mariadb {
            vec![t("def"), t("db"), t(table), t(name), t("Table"), t(clause)]
        } else {
            vec![t("def"), t("db"), t(name), t(clause)]
        });
        self
    }

    /// One KEY_COLUMN_USAGE row per column pair (positions from 1), one
    /// REFERENTIAL_CONSTRAINTS row.
    #[allow(clippy::too_many_arguments)]
    fn fk(
        mut self,
        table: &str,
        name: &str,
        cols: &[&str],
        ref_table: &str,
        ref_cols: &[&str],
        update: &str,
        delete: &str,
    ) -> Self {
        for (i, (c, r)) in cols.iter().zip(ref_cols).enumerate() {
            self.fk_columns.push(vec![
                t(table),
                t(name),
                n(i as i64 + 1),
                t(c),
                t(ref_table),
                t(r),
            ]);
        }
        self.fk_rules
            .push(vec![t(table), t(name), t(update), t(delete)]);
        self
    }

    fn index(mut self, table: &str, name: &str, unique: bool, cols: &[&str]) -> Self {
        for (i, c) in cols.iter().enumerate() {
            self.indexes.push(vec![
                t(table),
                t(name),
                n(if unique { 0 } else { 1 }),
                n(i as i64 + 1),
                t(c),
                t("BTREE"),
            ]);
        }
        self
    }

    fn assemble(self) -> Result<Vec<Table>> {
        MYSQL_CATALOG.assemble(&[
            self.tables,
            self.columns,
            self.check_tables,
            self.check_clauses,
            self.fk_columns,
            self.fk_rules,
            self.indexes,
        ])
    }
}

fn col(name: &str, ty: SqlType) -> Column {
    Column::new(name, ty)
}

#[test]
fn queries_read_each_view_once_for_the_current_database() {
    let q = MYSQL_CATALOG.queries();
    let kinds: Vec<ObjectKind> = q.iter().map(|q| q.kind).collect();
    assert_eq!(
        kinds,
        [
            ObjectKind::Tables,
            ObjectKind::Columns,
            ObjectKind::Checks,
            ObjectKind::Checks,
            ObjectKind::ForeignKeys,
            ObjectKind::ForeignKeys,
            ObjectKind::Indexes
        ]
    );
    for q in q {
        assert!(q.sql.contains("DATABASE()"), "{}", q.sql);
        assert!(
            !q.sql.contains('?'),
            "catalog queries take no parameters: {}",
            q.sql
        );
    }
    assert!(MYSQL_CATALOG.unique_constraints_are_indexes());
}

#[test]
fn a_mariadb_schema_assembles_into_the_tables_a_model_declares() {
    let tables = Rows::new(MARIADB, &["parent", "child"])
        .col("parent", "id", "bigint(20)", false, None, "auto_increment")
        .col("parent", "code", "varchar(20)", false, None, "")
        .col("child", "id", "int(11)", false, None, "auto_increment")
        .col("child", "parent_id", "bigint(20)", true, Some("NULL"), "")
        .col("child", "flag", "tinyint(1)", false, Some("0"), "")
        .col("child", "name", "varchar(255)", false, Some("'abc'"), "")
        .col("child", "body", "longtext", true, Some("NULL"), "")
        .col("child", "doc", "longtext", true, Some("NULL"), "")
        .col(
            "child",
            "created",
            "datetime(6)",
            false,
            Some("current_timestamp(6)"),
            "",
        )
        .col("child", "t", "time(6)", true, Some("NULL"), "")
        .col("child", "u", "char(36)", true, Some("NULL"), "")
        .col("child", "price", "decimal(10,2)", true, Some("1.50"), "")
        .col("child", "s", "smallint(6)", true, Some("NULL"), "")
        .col("child", "bl", "longblob", true, Some("NULL"), "")
        .col("child", "m", "mediumint(9)", true, Some("NULL"), "")
        .check("child", "doc", "json_valid(`doc`)")
        .check("child", "ck_child_1", "`s` >= 0")
        .check("child", "CONSTRAINT_1", "`m` > 0 and `name` <> 'x'")
        .fk(
            "child",
            "child_ibfk_1",
            &["parent_id"],
            "parent",
            &["id"],
            "RESTRICT",
            "CASCADE",
        )
        .index("parent", "PRIMARY", true, &["id"])
        .index("parent", "code", true, &["code"])
        .index("child", "PRIMARY", true, &["id"])
        .index("child", "ix_child_s", false, &["s", "m"])
        .index("child", "name", true, &["name", "u"])
        .index("child", "parent_id", false, &["parent_id"])
        .assemble()
        .unwrap();

    // The unique index MySQL named after its one column is the column's `unique`.
    let parent = Table::new("parent")
        .column(col("id", SqlType::BigInt).primary_key().autoincrement())
        .column(col("code", SqlType::Text(Some(20))).unique());
    let mut m = col("m", SqlType::Integer).nullable();
    m.custom_type = Some("mediumint(9)".into());
    let child = Table::new("child")
        .column(col("id", SqlType::Integer).primary_key().autoincrement())
        .column(col("parent_id", SqlType::BigInt).nullable())
        .column(col("flag", SqlType::Boolean).server_default("0"))
        .column(col("name", SqlType::Text(Some(255))).server_default("'abc'"))
        .column(col("body", SqlType::Text(None)).nullable())
        .column(col("doc", SqlType::Json).nullable())
        .column(col("created", SqlType::DateTime).server_default("current_timestamp(6)"))
        .column(col("t", SqlType::Time).nullable())
        .column(col("u", SqlType::Uuid).nullable())
        .column(
            col("price", SqlType::Decimal(10, 2))
                .nullable()
                .server_default("1.50"),
        )
        .column(col("s", SqlType::SmallInt).nullable())
        .column(col("bl", SqlType::Blob).nullable())
        .column(m)
        .foreign_key(
            ForeignKey::new("parent_id", "parent", "id")
                .named("child_ibfk_1")
                .on_delete(ReferentialAction::Cascade),
        )
        .index("ix_child_s", &["s", "m"], false)
        .named_unique("name", &["name", "u"])
        .check(Some("CONSTRAINT_1"), "`m` > 0 and `name` <> 'x'")
        .check(Some("ck_child_1"), "`s` >= 0");
    // Sorted by name: "child" < "parent".
    assert_eq!(tables, vec![child, parent]);
}

#[test]
fn mysql8_forms_assemble_the_same_way() {
    let blob = |s: &str| Value::Blob(s.as_bytes().to_vec());
    let mut rows = Rows::new(MYSQL8, &["orders", "users"])
        .col("users", "id", "bigint", false, None, "auto_increment")
        .col("orders", "id", "int", false, None, "auto_increment")
        .col("orders", "user_id", "bigint", true, None, "")
        .col("orders", "paid", "tinyint(1)", false, Some("0"), "")
        .col("orders", "note", "varchar(20)", false, Some("it's"), "")
        .col("orders", "empty", "varchar(5)", false, Some(""), "")
        .col(
            "orders",
            "at",
            "datetime(6)",
            false,
            Some("CURRENT_TIMESTAMP(6)"),
            "DEFAULT_GENERATED",
        )
        .col(
            "orders",
            "old_ts",
            "timestamp",
            true,
            Some("CURRENT_TIMESTAMP"),
            "",
        )
        .col("orders", "day", "date", true, Some("2024-02-29"), "")
        .col("orders", "total", "decimal(10,2)", false, Some("1.50"), "")
        .col("orders", "doc", "json", true, None, "")
        .col(
            "orders",
            "tag",
            "varchar(10)",
            true,
            Some("concat(_utf8mb4\\'a\\',_utf8mb4\\'b\\')"),
            "DEFAULT_GENERATED",
        )
        .col("orders", "qty", "int unsigned", false, Some("1"), "")
        .check("orders", "orders_chk_1", "(`total` >= 0)")
        .check(
            "orders",
            "orders_chk_2",
            "(`note` in (_utf8mb4\\'x\\',_utf8mb4\\'y\\'))",
        )
        .fk(
            "orders",
            "fk_user",
            &["user_id"],
            "users",
            &["id"],
            "NO ACTION",
            "SET NULL",
        )
        .index("users", "PRIMARY", true, &["id"])
        .index("orders", "PRIMARY", true, &["id"])
        .index("orders", "fk_user", false, &["user_id"]);
    // MySQL 8 hands some information_schema text over in a binary collation.
    rows.columns[2][3] = blob("bigint");
    let tables = rows.assemble().unwrap();
    let orders = &tables[0];
    let defaults: Vec<(&str, Option<&str>)> = orders
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.server_default.as_deref()))
        .collect();
    assert_eq!(
        defaults,
        [
            ("id", None),
            ("user_id", None),
            ("paid", Some("0")),
            ("note", Some("'it''s'")),
            ("empty", Some("''")),
            ("at", Some("CURRENT_TIMESTAMP(6)")),
            ("old_ts", Some("CURRENT_TIMESTAMP")),
            ("day", Some("'2024-02-29'")),
            ("total", Some("1.50")),
            ("doc", None),
            ("tag", Some("concat(_utf8mb4'a',_utf8mb4'b')")),
            ("qty", Some("1")),
        ]
    );
    let types: Vec<(&SqlType, Option<&str>)> = orders
        .columns
        .iter()
        .map(|c| (&c.sql_type, c.custom_type.as_deref()))
        .collect();
    assert_eq!(types[0], (&SqlType::Integer, None));
    assert_eq!(types[1], (&SqlType::BigInt, None));
    assert_eq!(types[2], (&SqlType::Boolean, None));
    assert_eq!(types[6], (&SqlType::DateTimeTz, Some("timestamp")));
    assert_eq!(types[9], (&SqlType::Json, None));
    assert_eq!(types[11], (&SqlType::BigInt, Some("int unsigned")));
    assert_eq!(
        orders.checks,
        [
            CheckConstraint {
                name: Some("orders_chk_1".into()),
                sql: "`total` >= 0".into(),
                rule: None,
            },
            CheckConstraint {
                name: Some("orders_chk_2".into()),
                sql: "`note` in (_utf8mb4'x',_utf8mb4'y')".into(),
                rule: None,
            },
        ]
    );
    assert_eq!(
        orders.foreign_keys,
        [ForeignKey::new("user_id", "users", "id")
            .named("fk_user")
            .on_delete(ReferentialAction::SetNull)]
    );
    assert!(orders.indexes.is_empty(), "{:?}", orders.indexes);
    assert!(orders.columns[0].primary_key && orders.columns[0].autoincrement);
}

#[test]
fn every_dialect_type_maps_back_to_its_sql_type() {
    use crate::dialect::{Dialect, MySqlDialect};
    // What the dialect renders, as MariaDB and MySQL 8 report it back.
    let cases: &[(SqlType, &[&str])] = &[
        (SqlType::SmallInt, &["smallint(6)", "smallint"]),
        (SqlType::Integer, &["int(11)", "int"]),
        (SqlType::BigInt, &["bigint(20)", "bigint"]),
        (SqlType::Float, &["float"]),
        (SqlType::Double, &["double"]),
        (SqlType::Boolean, &["tinyint(1)"]),
        (SqlType::Text(Some(80)), &["varchar(80)"]),
        (SqlType::Text(None), &["longtext"]),
        (SqlType::Blob, &["longblob"]),
        (SqlType::Date, &["date"]),
        (SqlType::Time, &["time(6)"]),
        (SqlType::DateTime, &["datetime(6)"]),
        (SqlType::Uuid, &["char(36)"]),
        (SqlType::Decimal(12, 3), &["decimal(12,3)"]),
        (SqlType::Json, &["json"]),
    ];
    for (ty, reported) in cases {
        for r in *reported {
            let (mapped, custom) = types::map_type(r);
            assert_eq!((&mapped, custom.as_deref()), (ty, None), "{r}");
            // Rendering the reflected type names the reported one again.
            let rendered = MySqlDialect.column_type(&Column::new("c", mapped), false);
            assert_eq!(
                normalize_mysql_type(&rendered),
                normalize_mysql_type(r),
                "{r} rendered as {rendered}"
            );
        }
    }
}

#[test]
fn types_cinnabar_never_writes_keep_their_spelling() {
    let cases: &[(&str, SqlType)] = &[
        ("tinyint(4)", SqlType::SmallInt),
        ("tinyint(3) unsigned", SqlType::SmallInt),
        ("smallint(5) unsigned", SqlType::Integer),
        ("mediumint(9)", SqlType::Integer),
        ("int(10) unsigned", SqlType::BigInt),
        ("int unsigned", SqlType::BigInt),
        ("int(5) unsigned zerofill", SqlType::BigInt),
        ("bigint(20) unsigned", SqlType::BigInt),
        ("enum('a','b')", SqlType::Text(None)),
        ("set('x','y')", SqlType::Text(None)),
        ("year(4)", SqlType::SmallInt),
        ("year", SqlType::SmallInt),
        ("tinytext", SqlType::Text(None)),
        ("text", SqlType::Text(None)),
        ("mediumtext", SqlType::Text(None)),
        ("char(10)", SqlType::Text(Some(10))),
        ("varbinary(16)", SqlType::Blob),
        ("blob", SqlType::Blob),
        ("bit(1)", SqlType::Boolean),
        ("bit(8)", SqlType::BigInt),
        ("float(10,2)", SqlType::Float),
        ("double(10,2)", SqlType::Double),
        ("decimal(10,2) unsigned", SqlType::Decimal(10, 2)),
        ("datetime", SqlType::DateTime),
        ("datetime(3)", SqlType::DateTime),
        ("time", SqlType::Time),
        ("timestamp(6)", SqlType::DateTimeTz),
        ("uuid", SqlType::Uuid),
        ("inet6", SqlType::Text(None)),
        ("point", SqlType::Blob),
        ("something_new(1)", SqlType::Text(None)),
    ];
    for (reported, nearest) in cases {
        let (mapped, custom) = types::map_type(reported);
        assert_eq!(
            (mapped, custom.as_deref()),
            (*nearest, Some(*reported)),
            "{reported}"
        );
    }
}

#[test]
fn each_check_goes_to_its_table() {
    // MariaDB names checks per table (CONSTRAINT_1 in each); MySQL per database.
    for (version, names) in [
        (MARIADB, ["CONSTRAINT_1", "CONSTRAINT_1"]),
        (MYSQL8, ["a_chk_1", "b_chk_1"]),
    ] {
        let tables = Rows::new(version, &["a", "b"])
            .col("a", "x", "int", false, None, "")
            .col("b", "x", "int", false, None, "")
            .check("b", names[1], "`x` > 2")
            .check("a", names[0], "`x` > 1")
            .assemble()
            .unwrap();
        assert_eq!(tables[0].checks, [check(names[0], "`x` > 1")], "{version}");
        assert_eq!(tables[1].checks, [check(names[1], "`x` > 2")], "{version}");
    }
}

fn check(name: &str, sql: &str) -> CheckConstraint {
    CheckConstraint {
        name: Some(name.into()),
        sql: sql.into(),
        rule: None,
    }
}

#[test]
fn mariadb_json_check_is_hidden_only_for_a_longtext_column() {
    let tables = Rows::new(MARIADB, &["docs"])
        .col("docs", "Doc", "longtext", true, Some("NULL"), "")
        .col("docs", "code", "varchar(10)", true, Some("NULL"), "")
        .check("docs", "Doc", "json_valid(`Doc`)")
        .check("docs", "ck_code", "json_valid(`code`)")
        .assemble()
        .unwrap();
    let docs = &tables[0];
    assert_eq!(docs.columns[0].sql_type, SqlType::Json);
    assert_eq!(docs.columns[1].sql_type, SqlType::Text(Some(10)));
    assert_eq!(
        docs.checks,
        [CheckConstraint {
            name: Some("ck_code".into()),
            sql: "json_valid(`code`)".into(),
            rule: None,
        }]
    );
}

#[test]
fn only_the_index_innodb_made_for_a_foreign_key_is_hidden() {
    let tables = Rows::new(MARIADB, &["c"])
        .col("c", "id", "int(11)", false, None, "")
        .col("c", "a", "int(11)", true, Some("NULL"), "")
        .col("c", "b", "int(11)", true, Some("NULL"), "")
        .col("c", "x", "int(11)", true, Some("NULL"), "")
        .fk(
            "c",
            "c_ibfk_1",
            &["a", "b"],
            "p",
            &["a", "b"],
            "RESTRICT",
            "RESTRICT",
        )
        .fk("c", "fk_named", &["b"], "p", &["a"], "RESTRICT", "RESTRICT")
        .fk("c", "c_ibfk_2", &["x"], "p", &["a"], "RESTRICT", "RESTRICT")
        .index("c", "PRIMARY", true, &["id"])
        // InnoDB's: named after the first column, after the constraint, `x_2` when `x` was taken.
        .index("c", "a", false, &["a", "b"])
        .index("c", "fk_named", false, &["b"])
        .index("c", "x", false, &["id", "x"])
        .index("c", "x_2", false, &["x"])
        // The user's, though over a key's columns: another name, or unique.
        .index("c", "ix_c_b", false, &["b"])
        .index("c", "b", true, &["b"])
        .assemble()
        .unwrap();
    let names: Vec<&str> = tables[0].indexes.iter().map(|i| i.name.as_str()).collect();
    // `ix_c_b` is the name `create_all` gives a column declared `index`: the column's flag.
    assert_eq!(names, ["x"]);
    assert!(tables[0]
        .get_column("b")
        .is_some_and(|c| c.index && c.unique));
    assert_eq!(tables[0].uniques.len(), 0);
    assert!(made_for_foreign_key(
        &tables[0].foreign_keys,
        "A",
        &["a".to_string(), "b".to_string()]
    ));
    assert!(!made_for_foreign_key(
        &tables[0].foreign_keys,
        "a_x",
        &["a".to_string(), "b".to_string()]
    ));
    assert!(!made_for_foreign_key(
        &tables[0].foreign_keys,
        "a",
        &["b".to_string(), "a".to_string()]
    ));
}

#[test]
fn every_referential_action_is_read_and_restrict_is_the_default() {
    let mut rows = Rows::new(MARIADB, &["c"]).col("c", "p", "int(11)", true, None, "");
    for (i, (u, d)) in [
        ("CASCADE", "SET NULL"),
        ("SET DEFAULT", "NO ACTION"),
        ("RESTRICT", "cascade"),
    ]
    .iter()
    .enumerate()
    {
        rows = rows.fk("c", &format!("fk{i}"), &["p"], "p", &["id"], u, d);
    }
    let fks = &rows.assemble().unwrap()[0].foreign_keys;
    let actions: Vec<_> = fks.iter().map(|f| (f.on_update, f.on_delete)).collect();
    use ReferentialAction::*;
    assert_eq!(
        actions,
        [
            (Some(Cascade), Some(SetNull)),
            (Some(SetDefault), None),
            (None, Some(Cascade))
        ]
    );
    for same in [None, Some(NoAction), Some(Restrict), Some(SetDefault)] {
        assert_eq!(MYSQL_CATALOG.normalize_action(same), None);
    }
    assert_eq!(MYSQL_CATALOG.normalize_action(Some(SetNull)), Some(SetNull));
}

#[test]
fn views_special_and_expression_indexes_are_left_out_and_tables_sorted() {
    let mut rows = Rows::new(MYSQL8, &["b", "B2", "a"])
        .col("a", "id", "int", false, None, "")
        .col("a", "body", "text", true, None, "")
        .col("b", "id", "int", false, None, "")
        .col("B2", "id", "int", false, None, "")
        .col("some_view", "id", "int", false, None, "")
        .index("a", "ft", false, &["body"])
        .index("some_view", "v", false, &["id"]);
    rows.indexes[0][5] = t("FULLTEXT");
    // A functional index (MySQL 8): no column name.
    rows.indexes
        .push(vec![t("a"), t("fx"), n(1), n(1), Value::Null, t("BTREE")]);
    let tables = rows.assemble().unwrap();
    let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["B2", "a", "b"]);
    assert!(tables[1].indexes.is_empty());
    // Columns come in ordinal order whatever the row order.
    let mut rows = Rows::new(MARIADB, &["z"])
        .col("z", "first", "int(11)", false, None, "")
        .col("z", "second", "int(11)", false, None, "");
    rows.columns.reverse();
    let z = &rows.assemble().unwrap()[0];
    assert_eq!(z.columns[0].name, "first");
    assert_eq!(Rows::new(MARIADB, &[]).assemble().unwrap(), vec![]);
}

#[test]
fn unreadable_rows_are_conversion_errors_naming_the_table() {
    let mut rows = Rows::new(MARIADB, &["t"]).col("t", "id", "int(11)", false, None, "");
    rows.columns[0][2] = t("first");
    let e = rows.assemble().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion);
    assert!(e.message().contains("columns of table \"t\""), "{e}");

    let rows = Rows::new(MARIADB, &["t"])
        .col("t", "p", "int(11)", true, None, "")
        .fk("t", "f", &["p"], "u", &["id"], "EXPLODE", "RESTRICT");
    let e = rows.assemble().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion);
    assert!(
        e.message().contains("foreign key rules of table \"t\""),
        "{e}"
    );
    assert!(e.message().contains("EXPLODE"), "{e}");

    // The views are read one by one, so a key or check added meanwhile can be half there.
    let mut rows = Rows::new(MARIADB, &["t"])
        .col("t", "p", "int(11)", true, None, "")
        .fk("t", "f", &["p"], "u", &["id"], "RESTRICT", "RESTRICT");
    rows.fk_rules.clear();
    let e = rows.assemble().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion);
    assert!(e.message().contains("REFERENTIAL_CONSTRAINTS"), "{e}");
    let mut rows = Rows::new(MYSQL8, &["t"])
        .col("t", "p", "int", true, None, "")
        .check("t", "t_chk_1", "(`p` > 0)");
    rows.check_tables.clear();
    let e = rows.assemble().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion);
    assert!(e.message().contains("t_chk_1"), "{e}");

    let e = MYSQL_CATALOG.assemble(&[Vec::new()]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse);
}

#[test]
fn the_flavor_comes_from_the_version() {
    assert!(Flavor::from_version(MARIADB).expression_defaults);
    assert!(Flavor::from_version("5.5.5-10.6.4-MariaDB-log").expression_defaults);
    assert!(Flavor::from_version("10.2.7-MariaDB").expression_defaults);
    assert!(!Flavor::from_version("10.2.6-MariaDB").expression_defaults);
    assert!(!Flavor::from_version(MYSQL8).expression_defaults);
}
