//! `compile_key_into`: the cache key of a statement's SQL text (the ORM caches its queries'
//! SQL by it). Same key exactly when the SQL text is the same; the values come out in the
//! order `compile_into` binds them.

use cinnabar_core::dialect::{
    compile_into, compile_key_into, Dialect, MySqlDialect, PostgresDialect, SqliteDialect,
};
use cinnabar_core::sql::{BinOp, ColumnRef, Expr, Select, Statement};
use cinnabar_core::{Value, ValueRef};

fn col(table: &'static str, name: &'static str) -> Expr {
    Expr::Column(ColumnRef::qualified(table, name))
}

fn lookup(table: &'static str, column: &'static str, name: &str, age: i64) -> Statement {
    let mut s = Select::from(table);
    s.add_filter(col(table, column).binary(BinOp::Eq, Expr::Value(Value::Text(name.into()))));
    s.add_filter(col(table, "age").binary(BinOp::Gt, Expr::Value(Value::Int(age))));
    s.limit = Some(1);
    Statement::Select(s)
}

fn key<'a>(d: &dyn Dialect, stmt: &'a Statement) -> (String, Vec<ValueRef<'a>>) {
    let mut key = String::new();
    let mut params = Vec::new();
    compile_key_into(d, stmt, &mut key, &mut params).unwrap();
    (key, params)
}

fn sql<'a>(d: &dyn Dialect, stmt: &'a Statement) -> (String, Vec<ValueRef<'a>>) {
    let mut sql = String::new();
    let mut params = Vec::new();
    compile_into(d, stmt, &mut sql, &mut params).unwrap();
    (sql, params)
}

#[test]
fn same_shape_same_key_and_the_values_in_compile_order() {
    for d in [
        &SqliteDialect as &dyn Dialect,
        &PostgresDialect,
        &MySqlDialect,
    ] {
        let a = lookup("students", "name", "Naresh", 20);
        let b = lookup("students", "name", "Asha", 30);
        let (ka, pa) = key(d, &a);
        let (kb, pb) = key(d, &b);
        assert_eq!(ka, kb, "{}", d.name());
        assert_eq!(pa, [ValueRef::Text("Naresh"), ValueRef::Int(20)]);
        assert_eq!(pb, [ValueRef::Text("Asha"), ValueRef::Int(30)]);
        // The values the SQL text binds, in the same order.
        assert_eq!(sql(d, &a).1, pa, "{}", d.name());
        // Neither quoted nor the SQL itself: the key is never run.
        assert_ne!(ka, sql(d, &a).0);
    }
}

#[test]
fn different_identifiers_or_shapes_give_different_keys() {
    let d = &SqliteDialect;
    let base = key(d, &lookup("students", "name", "x", 1)).0;
    for other in [
        lookup("students", "email", "x", 1),
        lookup("student", "name", "x", 1),
        // A name holding what a quoted name would end with: the length tells them apart.
        lookup("students", "name\"", "x", 1),
    ] {
        assert_ne!(key(d, &other).0, base);
    }
    // A table `a` with column `b.c` against table `a.b` with column `c`.
    let one = Statement::Select(Select::from("t").column(col("a", "b.c")));
    let two = Statement::Select(Select::from("t").column(col("a.b", "c")));
    assert_ne!(key(d, &one).0, key(d, &two).0);
    assert_ne!(sql(d, &one).0, sql(d, &two).0);
    // LIMIT is part of the shape.
    let mut limited = lookup("students", "name", "x", 1);
    if let Statement::Select(s) = &mut limited {
        s.limit = Some(2);
    }
    assert_ne!(key(d, &limited).0, base);
}

#[test]
fn a_key_skips_identifier_checks_the_sql_keeps_them() {
    // PostgreSQL keeps 63 bytes of a name: the SQL text is refused, the key is not (only the
    // SQL text is ever run, and a statement is cached only once its SQL compiled).
    let long = "x".repeat(64);
    let long: &'static str = Box::leak(long.into_boxed_str());
    let stmt = Statement::Select(Select::from(long));
    let mut out = String::new();
    let mut params = Vec::new();
    assert!(compile_into(&PostgresDialect, &stmt, &mut out, &mut params).is_err());
    assert!(key(&PostgresDialect, &stmt).0.contains(long));
}
