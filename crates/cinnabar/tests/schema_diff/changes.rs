//! Each kind of change is detected on every backend: the database gets `create_all` of an
//! older version of a table, reflection reads it back, and `diff` against the newer version
//! lists exactly the expected operations (summarised without what backends spell their own
//! way, such as the names they give constraints).

use super::*;
use cinnabar::schema::Index;
use cinnabar::{ForeignKey, ReferentialAction};
use support::Backend;

/// One line per operation: its kind, table and what identifies it.
fn summary(op: &SchemaOp) -> String {
    match op {
        SchemaOp::CreateTable(t) => format!("create table {}", t.name),
        SchemaOp::DropTable(t) => format!("drop table {}", t.name),
        SchemaOp::AddColumn { table, column } => format!("add column {table}.{}", column.name),
        SchemaOp::DropColumn { table, column } => format!("drop column {table}.{}", column.name),
        SchemaOp::AlterColumn {
            table, to, changes, ..
        } => format!("alter {table}.{} {changes:?}", to.name),
        SchemaOp::AlterPrimaryKey { table, from, to } => {
            format!("primary key {table} {from:?} -> {to:?}")
        }
        SchemaOp::AddIndex { table, index } => {
            format!("add index {table}.{} {:?}", index.name, index.columns)
        }
        SchemaOp::DropIndex { table, index } => format!("drop index {table}.{}", index.name),
        SchemaOp::AddUnique { table, unique } => format!("add unique {table} {:?}", unique.columns),
        SchemaOp::DropUnique { table, unique } => {
            format!("drop unique {table} {:?}", unique.columns)
        }
        SchemaOp::AddForeignKey {
            table,
            foreign_key: k,
        } => format!(
            "add fk {table} {:?} -> {} {:?} on delete {:?}",
            k.columns, k.ref_table, k.ref_columns, k.on_delete
        ),
        SchemaOp::DropForeignKey {
            table,
            foreign_key: k,
        } => {
            format!("drop fk {table} {:?} -> {}", k.columns, k.ref_table)
        }
        SchemaOp::AddCheck { table, check } => {
            format!("add check {table}.{}", check.name.as_deref().unwrap_or("?"))
        }
        SchemaOp::DropCheck { table, check } => {
            format!(
                "drop check {table}.{}",
                check.name.as_deref().unwrap_or("?")
            )
        }
        other => format!("unexpected {other}"),
    }
}

/// `create_all` of `old`, reflected, diffed against `new`. Then the operations are applied
/// (`SchemaOp::to_ddl`), after which the database must equal `new`, except on a backend that
/// refuses some of them (SQLite cannot alter a column or a constraint: `Unsupported`, and
/// the migration layer rebuilds the table there).
fn detected(db: &TestDb, old: &[&Table], new: &[&Table]) -> Vec<SchemaOp> {
    metadata(old).create_all(&db.engine).expect("create_all");
    let target = metadata(new);
    let ops = diff(&target, &reflect(db), db.engine.dialect());
    let mut conn = db.engine.connect().expect("connect");
    let mut refused = Vec::new();
    for op in &ops {
        for ddl in op.to_ddl() {
            match conn.execute(ddl) {
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::Unsupported => refused.push(format!("{op}: {e}")),
                Err(e) => panic!("{:?}: applying {op}: {e}", db.backend),
            }
        }
    }
    if refused.is_empty() {
        let left = diff(&target, &reflect(db), db.engine.dialect());
        assert!(
            left.is_empty(),
            "{:?}: after applying{}\nthe database still differs:{}",
            db.backend,
            show(&ops),
            show(&left)
        );
    } else {
        assert_eq!(db.backend, Backend::Sqlite, "refused: {refused:#?}");
    }
    ops
}

fn assert_ops(db: &TestDb, ops: &[SchemaOp], expected: &[&str]) {
    let got: Vec<String> = ops.iter().map(summary).collect();
    assert_eq!(got, expected, "{:?}: operations:{}", db.backend, show(ops));
}

fn id() -> Column {
    Column::new("id", SqlType::BigInt)
        .primary_key()
        .autoincrement()
}

fn int(name: &str) -> Column {
    Column::new(name, SqlType::Integer)
}

fn tables_added_and_dropped(db: &TestDb) {
    let kept = Table::new("kept").column(id());
    let child = |name: &str| {
        Table::new(name)
            .column(id())
            .column(Column::new("kept_id", SqlType::BigInt).nullable())
            .foreign_key(ForeignKey::new("kept_id", "kept", "id"))
    };
    let (gone, added) = (child("gone"), child("added"));
    let ops = detected(db, &[&kept, &gone], &[&kept, &added]);
    assert_ops(db, &ops, &["drop table gone", "create table added"]);
    match &ops[0] {
        SchemaOp::DropTable(t) => {
            assert_eq!(t.columns.len(), 2, "{t:?}");
            assert_eq!(t.foreign_keys[0].ref_table, "kept");
        }
        other => panic!("{other:?}"),
    }
    assert!(ops[0].is_destructive() && !ops[1].is_destructive());
}

fn columns_added_and_dropped(db: &TestDb) {
    let old = Table::new("t")
        .column(id())
        .column(int("kept"))
        .column(int("old_col").nullable().server_default("7"));
    let new = Table::new("t")
        .column(id())
        .column(int("kept"))
        .column(Column::new("new_col", SqlType::Text(Some(20))).nullable());
    let ops = detected(db, &[&old], &[&new]);
    assert_ops(db, &ops, &["add column t.new_col", "drop column t.old_col"]);
    // The dropped column as the database had it, for the reverse.
    match &ops[1] {
        SchemaOp::DropColumn { column, .. } => {
            assert!(column.nullable, "{column:?}");
            assert!(column.server_default.is_some(), "{column:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(ops[1].is_destructive());
}

fn types_changed(db: &TestDb) {
    let old = Table::new("t")
        .column(id())
        .column(Column::new("code", SqlType::Text(Some(20))))
        .column(Column::new("label", SqlType::Text(Some(40))))
        .column(Column::new("amount", SqlType::Decimal(10, 2)))
        .column(Column::new("same", SqlType::Text(Some(5))));
    let new = Table::new("t")
        .column(id())
        .column(Column::new("code", SqlType::Text(Some(40))))
        .column(Column::new("label", SqlType::Text(Some(10))))
        .column(Column::new("amount", SqlType::Decimal(12, 4)))
        .column(Column::new("same", SqlType::Text(Some(5))));
    let ops = detected(db, &[&old], &[&new]);
    assert_ops(
        db,
        &ops,
        &[
            "alter t.code [Type]",
            "alter t.label [Type]",
            "alter t.amount [Type]",
        ],
    );
    let destructive: Vec<bool> = ops.iter().map(SchemaOp::is_destructive).collect();
    assert_eq!(destructive, [false, true, false], "{}", show(&ops));
}

fn nullability_changed(db: &TestDb) {
    let old = Table::new("t")
        .column(id())
        .column(int("a"))
        .column(int("b").nullable())
        .column(int("c").nullable());
    let new = Table::new("t")
        .column(id())
        .column(int("a").nullable())
        .column(int("b"))
        .column(int("c").nullable());
    let ops = detected(db, &[&old], &[&new]);
    assert_ops(
        db,
        &ops,
        &["alter t.a [Nullability]", "alter t.b [Nullability]"],
    );
}

fn defaults_changed(db: &TestDb) {
    let text = |name: &str| Column::new(name, SqlType::Text(Some(10))).nullable();
    let old = Table::new("t")
        .column(id())
        .column(int("changed").server_default("0"))
        .column(int("added"))
        .column(text("dropped").server_default("'x'"))
        .column(text("same").server_default("'y'"));
    let new = Table::new("t")
        .column(id())
        .column(int("changed").server_default("1"))
        .column(int("added").server_default("5"))
        .column(text("dropped"))
        .column(text("same").server_default("'y'"));
    let ops = detected(db, &[&old], &[&new]);
    assert_ops(
        db,
        &ops,
        &[
            "alter t.changed [Default]",
            "alter t.added [Default]",
            "alter t.dropped [Default]",
        ],
    );
}

fn primary_key_changed(db: &TestDb) {
    let old = Table::new("t")
        .column(int("a").primary_key())
        .column(int("b"));
    let new = Table::new("t")
        .column(int("a").primary_key())
        .column(int("b").primary_key());
    let ops = detected(db, &[&old], &[&new]);
    assert_ops(db, &ops, &["primary key t [\"a\"] -> [\"a\", \"b\"]"]);
}

fn indexes_changed(db: &TestDb) {
    let base = || {
        Table::new("t")
            .column(id())
            .column(int("a"))
            .column(int("b"))
            .column(int("c").index())
    };
    let old = base()
        .with_index(Index::new("ix_gone", &["a"]))
        .with_index(Index::new("ix_changed", &["a"]))
        .with_index(Index::new("ix_same", &["b", "a"]));
    let new = base()
        .with_index(Index::new("ix_added", &["b"]))
        .with_index(Index::new("ix_changed", &["a", "b"]))
        .with_index(Index::new("ix_same", &["b", "a"]));
    let ops = detected(db, &[&old], &[&new]);
    assert_ops(
        db,
        &ops,
        &[
            "drop index t.ix_changed",
            "drop index t.ix_gone",
            "add index t.ix_added [\"b\"]",
            "add index t.ix_changed [\"a\", \"b\"]",
        ],
    );
}

/// Partial indexes (PostgreSQL, SQLite): the condition is compared as the database shows it.
fn partial_indexes_changed(db: &TestDb) {
    let base = || {
        Table::new("t")
            .column(id())
            .column(int("a"))
            .column(int("b"))
    };
    let old = base()
        .with_index(Index::new("ix_p", &["a"]).where_sql("a > 0"))
        .with_index(Index::new("ix_same", &["b"]).where_sql("b > 0 AND a < 10"));
    let new = base()
        .with_index(Index::new("ix_p", &["a"]).where_sql("a > 1"))
        .with_index(Index::new("ix_same", &["b"]).where_sql("b > 0 AND a < 10"));
    let ops = detected(db, &[&old], &[&new]);
    assert_ops(db, &ops, &["drop index t.ix_p", "add index t.ix_p [\"a\"]"]);
}

fn uniques_changed(db: &TestDb) {
    let old = Table::new("t")
        .column(id())
        .column(int("a").unique())
        .column(int("b"))
        .column(int("c"))
        .unique(&["b", "c"]);
    let new = Table::new("t")
        .column(id())
        .column(int("a"))
        .column(int("b"))
        .column(int("c").unique())
        .unique(&["b", "c"]);
    let ops = detected(db, &[&old], &[&new]);
    assert_ops(db, &ops, &["drop unique t [\"a\"]", "add unique t [\"c\"]"]);
}

fn foreign_keys_changed(db: &TestDb) {
    let parent = Table::new("p").column(id());
    let other = Table::new("o").column(id());
    let child = || {
        Table::new("c")
            .column(id())
            .column(Column::new("p_id", SqlType::BigInt).nullable())
            .column(Column::new("o_id", SqlType::BigInt).nullable())
            .column(Column::new("q_id", SqlType::BigInt).nullable())
    };
    let old = child()
        .foreign_key(ForeignKey::new("p_id", "p", "id"))
        .foreign_key(ForeignKey::new("o_id", "o", "id"))
        .foreign_key(ForeignKey::new("q_id", "o", "id").on_update(ReferentialAction::Cascade));
    let new = child()
        .foreign_key(ForeignKey::new("p_id", "p", "id").on_delete(ReferentialAction::Cascade))
        .foreign_key(ForeignKey::new("q_id", "o", "id").on_update(ReferentialAction::Cascade))
        .foreign_key(ForeignKey::new("o_id", "p", "id"));
    let ops = detected(db, &[&parent, &other, &old], &[&parent, &other, &new]);
    assert_ops(
        db,
        &ops,
        &[
            "drop fk c [\"p_id\"] -> p",
            "drop fk c [\"o_id\"] -> o",
            "add fk c [\"p_id\"] -> p [\"id\"] on delete Some(Cascade)",
            "add fk c [\"o_id\"] -> p [\"id\"] on delete None",
        ],
    );
}

fn checks_changed(db: &TestDb) {
    let base = || Table::new("t").column(id()).column(int("age"));
    let old = base()
        .check(None, "age >= 0")
        .check(Some("age_max"), "age < 150")
        .check(Some("gone"), "age <> 13");
    let new = base()
        .check(None, "age >= 0")
        .check(Some("age_max"), "age < 200")
        .check(Some("added"), "age <> 7");
    let ops = detected(db, &[&old], &[&new]);
    assert_ops(
        db,
        &ops,
        &[
            "drop check t.age_max",
            "drop check t.gone",
            "add check t.age_max",
            "add check t.added",
        ],
    );
}

/// The column flags: an index or unique constraint declared on a column is found as one. A
/// new text column under a table-level index is added with the type the dialect gives an
/// indexed one (MySQL: VARCHAR(255), as CREATE TABLE would), so the index can be created.
fn column_index_and_unique_flags(db: &TestDb) {
    let old = Table::new("t")
        .column(id())
        .column(int("a"))
        .column(int("b"));
    let new = Table::new("t")
        .column(id())
        .column(int("a").index())
        .column(int("b").unique())
        .column(Column::new("note", SqlType::Text(None)).nullable())
        .with_index(Index::new("ix_note", &["note"]));
    let ops = detected(db, &[&old], &[&new]);
    assert_ops(
        db,
        &ops,
        &[
            "add column t.note",
            "add index t.ix_t_a [\"a\"]",
            "add index t.ix_note [\"note\"]",
            "add unique t [\"b\"]",
        ],
    );
    // The database has the type CREATE TABLE would have given the indexed column (MariaDB
    // would otherwise index a LONGTEXT by a prefix without a word, and the diff, which
    // writes both sides' types as for an indexed column, could not tell).
    let d = db.engine.dialect();
    let reflected = reflect(db);
    let note = reflected
        .table("t")
        .and_then(|t| t.get_column("note"))
        .expect("t.note");
    assert_eq!(
        d.column_type(note, false),
        d.column_type(&new.columns[3], true)
    );
}

backend_tests!(
    tables_added_and_dropped,
    columns_added_and_dropped,
    types_changed,
    nullability_changed,
    defaults_changed,
    primary_key_changed,
    indexes_changed,
    uniques_changed,
    foreign_keys_changed,
    checks_changed,
    column_index_and_unique_flags,
);

mod partial {
    use super::*;

    backend_tests_with!(partial_indexes_changed {
        sqlite: [],
        postgres: [],
        mysql: [#[ignore = "MySQL and MariaDB have no partial indexes"]],
    });
}
