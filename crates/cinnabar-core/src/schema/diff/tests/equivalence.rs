//! Cases that must produce no operation: each equivalence rule of the diff.

use super::*;
use crate::dialect::{MySqlDialect, PostgresDialect, SqliteDialect};
use crate::schema::{Column, ForeignKey, Index, ReferentialAction, Table};
use crate::sql::ddl::ColumnChange;
use crate::types::SqlType;

#[test]
fn a_schema_equals_itself() {
    let t = students()
        .column(Column::new("email", SqlType::Text(None)).unique())
        .column(Column::new("code", SqlType::Text(Some(8))).index())
        .check(None, "age >= 0")
        .check(Some("name_nonempty"), "name <> ''")
        .with_index(Index::new("ix_partial", &["name"]).where_sql("age > 0"))
        .unique(&["name", "course_id"]);
    assert_same(vec![t.clone(), courses()], vec![courses(), t]);
    assert_same(Vec::new(), Vec::new());
}

#[test]
fn integer_widths_rendered_alike_are_one_type() {
    let i32_col = Table::new("t").column(Column::new("n", SqlType::Integer));
    let i64_col = Table::new("t").column(Column::new("n", SqlType::BigInt));
    let ops = diff(
        &md(vec![i32_col.clone()]),
        &md(vec![i64_col.clone()]),
        &SqliteDialect,
    );
    assert!(ops.is_empty(), "{ops:?}");
    // PostgreSQL writes them differently: a type change.
    let op = one(vec![i32_col], vec![i64_col], &PostgresDialect);
    assert!(
        matches!(&op, SchemaOp::AlterColumn { changes, .. } if changes == &[ColumnChange::Type]),
        "{op:?}"
    );
}

#[test]
fn a_type_written_verbatim_equals_the_dialects_name_for_it() {
    let model = Table::new("t")
        .column(Column::new("price", SqlType::Decimal(10, 2)))
        .column(Column::new("name", SqlType::Text(Some(20))));
    let reflected = Table::new("t")
        .column(Column::new("price", SqlType::Text(None)).custom_type(" numeric(10,2) "))
        .column(Column::new("name", SqlType::Text(None)).custom_type("varchar( 20 )"));
    let ops = diff(&md(vec![model]), &md(vec![reflected]), &PostgresDialect);
    assert!(ops.is_empty(), "{ops:?}");
    let inet = Table::new("t").column(Column::new("ip", SqlType::Text(None)).custom_type("inet"));
    let inet_upper =
        Table::new("t").column(Column::new("ip", SqlType::Text(None)).custom_type("INET"));
    assert_same(vec![inet], vec![inet_upper]);
}

#[test]
fn mysql_bounded_text_under_an_index_equals_its_varchar() {
    // A String column under an index is VARCHAR(255) on MySQL; reflection reads VARCHAR(255).
    let model = Table::new("t").column(Column::new("code", SqlType::Text(None)).unique());
    let reflected = Table::new("t")
        .column(Column::new("code", SqlType::Text(Some(255))))
        .named_unique("code", &["code"]);
    let ops = diff(
        &md(vec![model.clone()]),
        &md(vec![reflected.clone()]),
        &MARIADB,
    );
    assert!(ops.is_empty(), "{ops:?}");
    // Unindexed it is LONGTEXT: a change, widening.
    let unindexed = Table::new("t").column(Column::new("code", SqlType::Text(None)));
    let reflected_plain = Table::new("t").column(Column::new("code", SqlType::Text(Some(255))));
    let op = one(vec![unindexed], vec![reflected_plain], &MySqlDialect);
    assert!(!op.is_destructive(), "{op:?}");
    // Indexing a LONGTEXT column makes it VARCHAR(255): the operation writes that type out,
    // since ALTER COLUMN sees the column alone, and may cut values.
    let longtext = Table::new("t").column(Column::new("code", SqlType::Text(None)));
    let ops = diff(&md(vec![model]), &md(vec![longtext]), &MARIADB);
    assert_eq!(ops.len(), 2, "{ops:#?}");
    match &ops[0] {
        SchemaOp::AlterColumn { to, changes, .. } => {
            assert_eq!(changes, &[ColumnChange::Type]);
            assert_eq!(to.custom_type.as_deref(), Some("VARCHAR(255)"));
        }
        other => panic!("{other:?}"),
    }
    assert!(ops[0].is_destructive());
    assert!(matches!(&ops[1], SchemaOp::AddUnique { .. }), "{ops:#?}");
}

#[test]
fn key_columns_are_not_null_whatever_the_model_says() {
    // An autoincrement key is `Option<i64>` in the model (nullable) and NOT NULL in the
    // database; reflection marks it autoincrement or not depending on the backend.
    let model = Table::new("t").column(
        Column::new("id", SqlType::BigInt)
            .nullable()
            .primary_key()
            .autoincrement(),
    );
    let reflected = Table::new("t").column(Column::new("id", SqlType::BigInt).primary_key());
    assert_same(vec![model], vec![reflected]);
}

#[test]
fn defaults_compare_after_normalisation() {
    let with = |d: &str| {
        Table::new("t").column(Column::new("s", SqlType::Text(Some(5))).server_default(d))
    };
    // The catalog's rule (the test catalog drops casts).
    let ops = diff(
        &md(vec![with("'x'")]),
        &md(vec![with("'x'::character varying")]),
        &PG,
    );
    assert!(ops.is_empty(), "{ops:?}");
    // Without a catalog: trimmed text without enclosing parentheses.
    assert_same(vec![with("0")], vec![with(" (0) ")]);
    // A generated key's default is not compared.
    let serial = Table::new("t").column(id().server_default("nextval('t_id_seq')"));
    assert_same(vec![Table::new("t").column(id())], vec![serial]);
}

#[test]
fn checks_compare_by_name_then_by_normalised_condition() {
    let model = Table::new("t")
        .column(Column::new("age", SqlType::Integer))
        .check(None, "age >= 0")
        .check(Some("named"), "age < 200");
    // Same names, conditions rewritten as databases do.
    let same_names = Table::new("t")
        .column(Column::new("age", SqlType::Integer))
        .check(Some("ck_t_1"), "((age >= 0))")
        .check(Some("named"), "(age<200)");
    // Names the database chose, or none read: matched by condition.
    let other_names = Table::new("t")
        .column(Column::new("age", SqlType::Integer))
        .check(Some("t_age_check"), "AGE >= 0")
        .check(None, "age < 200");
    assert_same(vec![model.clone()], vec![same_names]);
    assert_same(vec![model], vec![other_names]);
}

#[test]
fn uniques_compare_by_column_set() {
    let model = Table::new("t")
        .column(Column::new("a", SqlType::Integer).unique())
        .column(Column::new("b", SqlType::Integer))
        .column(Column::new("c", SqlType::Integer))
        .unique(&["b", "c"]);
    let reflected = Table::new("t")
        .column(Column::new("a", SqlType::Integer))
        .column(Column::new("b", SqlType::Integer))
        .column(Column::new("c", SqlType::Integer))
        .named_unique("t_a_key", &["a"])
        .named_unique("t_c_b_key", &["c", "b"]);
    assert_same(vec![model], vec![reflected]);
    // A unique key column is the key, not a unique constraint.
    let key = Table::new("k").column(id().unique());
    assert_same(vec![key], vec![Table::new("k").column(id())]);
}

#[test]
fn a_unique_index_is_a_unique_constraint_only_where_the_catalog_says_so() {
    let model = Table::new("t")
        .column(Column::new("a", SqlType::Integer))
        .with_index(Index::new("ix_a", &["a"]).unique());
    let reflected = Table::new("t")
        .column(Column::new("a", SqlType::Integer))
        .named_unique("ix_a", &["a"]);
    let ops = diff(
        &md(vec![model.clone()]),
        &md(vec![reflected.clone()]),
        &MARIADB,
    );
    assert!(ops.is_empty(), "{ops:?}");
    // On PostgreSQL they are different objects.
    let ops = diff(&md(vec![model]), &md(vec![reflected]), &PG);
    assert_eq!(ops.len(), 2, "{ops:#?}");
    assert!(
        matches!(&ops[0], SchemaOp::DropUnique { unique, .. } if unique.name.as_deref() == Some("ix_a"))
    );
    assert!(
        matches!(&ops[1], SchemaOp::AddIndex { index, .. } if index.name == "ix_a" && index.unique)
    );
}

#[test]
fn foreign_keys_compare_by_columns_target_and_normalised_actions() {
    let with = |on_delete: Option<ReferentialAction>, name: Option<&str>| {
        let mut fk = ForeignKey::new("course_id", "courses", "id");
        fk.on_delete = on_delete;
        fk.name = name.map(str::to_string);
        Table::new("s")
            .column(id())
            .column(Column::new("course_id", SqlType::BigInt))
            .foreign_key(fk)
    };
    // No action given is NO ACTION; names do not matter.
    assert_same(
        vec![with(None, None), courses()],
        vec![
            courses(),
            with(Some(ReferentialAction::NoAction), Some("s_course_id_fkey")),
        ],
    );
    // MariaDB reports RESTRICT for an unspecified action (the catalog says they are one).
    let target = md(vec![with(None, None), courses()]);
    let current = md(vec![
        with(Some(ReferentialAction::Restrict), None),
        courses(),
    ]);
    assert!(diff(&target, &current, &MARIADB).is_empty());
    // Elsewhere RESTRICT is not NO ACTION: the key is dropped and added again.
    let ops = diff(&target, &current, &PG);
    assert_eq!(ops.len(), 2, "{ops:#?}");
    assert!(
        matches!(&ops[0], SchemaOp::DropForeignKey { foreign_key, .. } if foreign_key.on_delete == Some(ReferentialAction::Restrict))
    );
    assert!(
        matches!(&ops[1], SchemaOp::AddForeignKey { foreign_key, .. } if foreign_key.on_delete.is_none())
    );
}

#[test]
fn column_indexes_are_named_ix_table_column() {
    let model = Table::new("t").column(Column::new("a", SqlType::Integer).index());
    let reflected = Table::new("t")
        .column(Column::new("a", SqlType::Integer))
        .with_index(Index::new("ix_t_a", &["a"]));
    assert_same(vec![model], vec![reflected]);
}

#[test]
fn partial_index_conditions_compare_normalised_and_order_of_columns_is_free() {
    let model = Table::new("t")
        .column(Column::new("a", SqlType::Integer))
        .column(Column::new("b", SqlType::Integer).primary_key())
        .column(Column::new("c", SqlType::Integer).primary_key())
        .with_index(Index::new("ix_p", &["a"]).where_sql("a > 0 AND b = 1"));
    // Columns in another order (the key is the same set); the predicate as PostgreSQL shows it.
    let reflected = Table::new("t")
        .column(Column::new("c", SqlType::Integer).primary_key())
        .column(Column::new("b", SqlType::Integer).primary_key())
        .column(Column::new("a", SqlType::Integer))
        .with_index(Index::new("ix_p", &["a"]).where_sql("((a > 0) and (b = 1))"));
    assert_same(vec![model], vec![reflected]);
}
