//! `GaleraDialect` is MySQL's SQL with a cluster's capabilities: every statement kind (casts,
//! date parts and arithmetic, DIV, upserts, RETURNING, DDL, locks, compounds) compiles to
//! exactly what `MySqlDialect` writes, and every `Dialect` answer is MySQL's except the
//! documented cluster differences (the migration lock, named locks, INSERT .. RETURNING and
//! with it the generated keys, error 1047), which are checked for their documented values.

use std::time::Duration;

use cinnabar_core::dialect::{
    compile, compile_ddl, BeginMode, ConstraintKind, Dialect, DmlKind, GaleraDialect,
    GeneratedKeys, MigrationLock, MySqlDialect,
};
use cinnabar_core::schema::{Column, ForeignKey, Index, Table};
use cinnabar_core::sql::{
    AlterAction, AlterTable, BinOp, ColumnChange, ColumnRef, CreateIndex, CreateTable, DatePart,
    Ddl, Delete, DropIndex, DropTable, Expr, Insert, OnConflict, RowLock, Select, Statement,
    Update,
};
use cinnabar_core::types::SqlType;
use cinnabar_core::{Error, ErrorKind, Value};

/// Every SQL type the schema knows, for casts, column types and keys.
fn all_types() -> Vec<SqlType> {
    vec![
        SqlType::SmallInt,
        SqlType::Integer,
        SqlType::BigInt,
        SqlType::Float,
        SqlType::Double,
        SqlType::Boolean,
        SqlType::Text(None),
        SqlType::Text(Some(40)),
        SqlType::Blob,
        SqlType::Date,
        SqlType::Time,
        SqlType::DateTime,
        SqlType::DateTimeTz,
        SqlType::Uuid,
        SqlType::Decimal(12, 2),
        SqlType::Json,
    ]
}

const PARTS: [DatePart; 6] = [
    DatePart::Year,
    DatePart::Month,
    DatePart::Day,
    DatePart::Hour,
    DatePart::Minute,
    DatePart::Second,
];

fn col(name: &'static str) -> Expr {
    Expr::Column(ColumnRef::bare(name))
}

/// What one dialect makes of a statement, errors included (kind and message).
fn render(d: &dyn Dialect, stmt: &Statement) -> String {
    match compile(d, stmt) {
        Ok(c) => format!("{} | {:?} | {}", c.sql, c.params, c.slots),
        Err(e) => format!("error {:?}: {e}", e.kind()),
    }
}

fn statements() -> Vec<Statement> {
    let mut out: Vec<Statement> = Vec::new();
    // Casts to every type, date parts, date arithmetic, today/now, DIV, CONCAT.
    for to in all_types() {
        let cast = Expr::Cast {
            expr: Box::new(Expr::value(7)),
            to,
        };
        out.push(Select::from("t").column(cast).into());
    }
    for part in PARTS {
        let e = Expr::Extract {
            part,
            expr: Box::new(col("at")),
        };
        out.push(Select::from("t").column(e).into());
    }
    let add = Expr::AddDays {
        date: Box::new(Expr::CurrentDate),
        days: Box::new(Expr::value(3)),
    };
    let div = col("n").binary(BinOp::IntDiv, Expr::value(2));
    let concat = col("a").binary(BinOp::Concat, Expr::value("x"));
    out.push(
        Select::from("t")
            .column(add)
            .column(Expr::CurrentTimestamp)
            .column(div)
            .column(concat)
            .into(),
    );
    // Row values (MariaDB expands ranges), LIMIT/OFFSET alone and together, row locks.
    let row = Expr::Tuple(vec![col("a"), col("b")]);
    let range = row.binary(BinOp::Gt, Expr::Tuple(vec![Expr::value(1), Expr::value(2)]));
    out.push(Select::from("t").filter(range).limit(5).into());
    out.push(Select::from("t").offset(4).into());
    for lock in [RowLock::Wait, RowLock::NoWait, RowLock::SkipLocked] {
        out.push(Select::from("t").limit(1).offset(2).for_update(lock).into());
    }
    // A compound whose operand has its own LIMIT (parenthesized or a derived table).
    let compound = Select::from("a").limit(3).union(Select::from("b"));
    out.push(compound.into());
    // Upserts: after VALUES and after a SELECT, both forms; an empty INSERT.
    let target = vec!["id".into()];
    let conflicts = [
        OnConflict::DoNothing {
            target: target.clone(),
        },
        OnConflict::DoNothing { target: vec![] },
        OnConflict::Update {
            target: target.clone(),
            columns: vec!["name".into()],
        },
        OnConflict::Update {
            target: vec![],
            columns: vec!["name".into()],
        },
    ];
    for oc in conflicts {
        let values = Insert::into("t")
            .columns(["id", "name"])
            .values([Value::Int(1), Value::from("n")])
            .on_conflict(oc.clone());
        let select = Insert::into("t")
            .columns(["id", "name"])
            .select(Select::from("s").column(col("id")).column(col("name")))
            .on_conflict(oc);
        out.push(values.into());
        out.push(select.into());
    }
    out.push(Insert::into("t").into());
    // RETURNING on each statement kind (UPDATE's refused on the MySQL family).
    let ret_insert = Insert::into("t").columns(["a"]).values([1]).returning("id");
    let ret_update = Update::table("t").set("a", Expr::value(2)).returning("id");
    let ret_delete = Delete::from("t").filter(col("a").binary(BinOp::Eq, Expr::value(1)));
    out.push(ret_insert.into());
    out.push(ret_update.into());
    out.push(ret_delete.returning("id").into());
    out.extend(ddl().into_iter().map(Statement::Ddl));
    out
}

fn ddl() -> Vec<Ddl> {
    let mut table = Table::new("t w").column(
        Column::new("id", SqlType::BigInt)
            .primary_key()
            .autoincrement(),
    );
    for (i, ty) in all_types().into_iter().enumerate() {
        let name = format!("c{i}");
        let column = Column::new(name.clone(), ty).nullable();
        table = table.column(if i % 2 == 0 { column.unique() } else { column });
    }
    let table = table
        .column(Column::new("n`x", SqlType::Text(None)).server_default("'d'"))
        .column(Column::new("parent", SqlType::BigInt).nullable())
        .foreign_key(ForeignKey::new("parent", "t w", "id"))
        .check(Some("ck_one"), "`c1` > 0");
    let mut out = vec![
        Ddl::CreateTable(CreateTable {
            table,
            if_not_exists: true,
        }),
        Ddl::DropTable(DropTable {
            name: "t w".into(),
            if_exists: true,
        }),
        Ddl::CreateIndex(CreateIndex {
            table: "t".into(),
            index: Index::new("ix_a", &["a", "b"]).unique(),
            if_not_exists: true,
        }),
        Ddl::CreateIndex(CreateIndex {
            table: "t".into(),
            index: Index::new("ix_partial", &["a"]).where_sql("a > 0"),
            if_not_exists: false,
        }),
        Ddl::DropIndex(DropIndex {
            table: "t".into(),
            name: "ix_a".into(),
            if_exists: true,
        }),
    ];
    let text = Column::new("c", SqlType::Text(None)).server_default("'x'");
    let actions = [
        AlterAction::AddColumn(Column::new("c", SqlType::Decimal(10, 3)).nullable()),
        AlterAction::DropColumn("c".into()),
        AlterAction::AlterColumn {
            column: text.clone(),
            change: ColumnChange::Type,
        },
        AlterAction::AlterColumn {
            column: text.clone().nullable(),
            change: ColumnChange::Nullability,
        },
        AlterAction::AlterColumn {
            column: text,
            change: ColumnChange::Default,
        },
        AlterAction::RenameColumn {
            from: "a".into(),
            to: "b".into(),
        },
        AlterAction::RenameTable("u".into()),
        AlterAction::AddForeignKey(ForeignKey::new("a", "o", "id").named("fk_a")),
        AlterAction::DropForeignKey("fk_a".into()),
        AlterAction::DropUnique("uq_a".into()),
        AlterAction::DropCheck("ck_a".into()),
        AlterAction::AddPrimaryKey(vec!["a".into()]),
        AlterAction::DropPrimaryKey,
    ];
    out.extend(actions.into_iter().map(|action| {
        Ddl::AlterTable(AlterTable {
            table: "t".into(),
            action,
        })
    }));
    out
}

#[test]
fn galera_compiles_every_statement_as_mysql_does() {
    let stmts = statements();
    assert!(stmts.len() > 50);
    for stmt in &stmts {
        let mysql = render(&MySqlDialect, stmt);
        assert_eq!(render(&GaleraDialect, stmt), mysql, "{stmt:?}");
    }
    for ddl in ddl() {
        let g = compile_ddl(&GaleraDialect, &ddl).map_err(|e| e.to_string());
        let m = compile_ddl(&MySqlDialect, &ddl).map_err(|e| e.to_string());
        assert_eq!(g, m, "{ddl:?}");
    }
}

/// The writers and answers the compiler, the engine and the migrator read one by one.
#[test]
fn galera_answers_every_question_as_mysql_does() {
    let (g, m): (&dyn Dialect, &dyn Dialect) = (&GaleraDialect, &MySqlDialect);
    let each = |f: &dyn Fn(&dyn Dialect) -> String| assert_eq!(f(g), f(m));
    each(&|d| d.name().into());
    each(&|d| format!("{:?}", d.identifier_limit()));
    each(&|d| {
        let mut s = String::new();
        d.quote_identifier(&mut s, "we`ird\"");
        d.write_string_literal(&mut s, r"it's a \ path");
        d.write_placeholder(&mut s, 3);
        d.write_limit_offset(&mut s, None, Some(2));
        d.write_row_lock(&mut s, RowLock::SkipLocked);
        d.write_drop_constraint(&mut s, ConstraintKind::ForeignKey, "fk");
        d.write_drop_constraint(&mut s, ConstraintKind::Unique, "uq");
        d.write_drop_constraint(&mut s, ConstraintKind::Check, "ck");
        d.write_drop_constraint(&mut s, ConstraintKind::PrimaryKey, "pk");
        s
    });
    each(&|d| d.char_length_function().into());
    for ty in all_types() {
        let c = Column::new("c", ty);
        each(&|d| {
            format!(
                "{} {} {} {:?}",
                d.column_type(&c, false),
                d.column_type(&c, true),
                d.autoincrement_primary_key(&c),
                d.cast_spelling(ty)
            )
        });
    }
    for part in PARTS {
        each(&|d| format!("{:?}", d.extract_template(part)));
    }
    for v in [
        Value::Null,
        Value::Int(1),
        Value::from("s"),
        Value::Bool(true),
    ] {
        each(&|d| format!("{:?}", d.bound_value_type(v.as_ref())));
    }
    each(&|d| {
        format!(
            "{:?} {} {} {} {}",
            d.add_days_template(),
            d.current_date_sql(),
            d.current_timestamp_sql(),
            d.integer_division_operator(),
            d.default_values_clause(),
        )
    });
    each(&|d| {
        let kinds = [DmlKind::Insert, DmlKind::Update, DmlKind::Delete];
        let returning: Vec<bool> = kinds.iter().map(|&k| d.supports_returning_in(k)).collect();
        let flags = [
            d.supports_returning(),
            d.eager_join_from_children(),
            d.compound_operands_parenthesized(),
            d.insert_select_upsert_needs_where(),
            d.multi_row_keys_contiguous(),
            d.concat_is_function(),
            d.supports_row_values(),
            d.row_value_ranges_use_indexes(),
            d.supports_partial_indexes(),
            d.drop_index_names_table(),
            d.supports_alter_column(),
            d.supports_alter_constraints(),
            d.alter_add_foreign_key(),
            d.transactional_ddl(),
            d.one_ddl_per_transaction(),
            d.table_rebuild().is_some(),
            d.catalog().is_some(),
            d.replica_positions().is_some(),
            d.migration_transaction_lock().is_some(),
        ];
        format!("{returning:?} {flags:?}")
    });
    each(&|d| {
        format!(
            "{} {} {}",
            d.max_bind_params(),
            d.insert_batch_rows(),
            d.insert_batch_params()
        )
    });
    each(&|d| {
        let modes = [
            BeginMode::Deferred,
            BeginMode::Immediate,
            BeginMode::ReadOnly,
        ];
        let begins: Vec<&str> = modes.iter().map(|&m| d.begin_sql(m)).collect();
        format!("{begins:?} {:?}", d.write_begin_mode())
    });
    each(&|d| {
        format!(
            "{:?} {:?} {:?}",
            d.index_exists_sql(),
            d.foreign_key_exists_sql(),
            d.drop_all_prelude()
        )
    });
    each(&|d| format!("{} {:?}", d.create_table_suffix(), d.lex_rules()));
    let t = Duration::from_millis(1500);
    each(&|d| {
        format!(
            "{:?} {:?} {:?} {:?} {:?} {:?} {:?}",
            d.lock_timeout_sql(t),
            d.lock_timeout_reset_sql(),
            d.lock_timeout_local_sql(t),
            d.statement_timeout_sql(Some(t)),
            d.statement_timeout_sql(None),
            d.statement_timeout_local_sql(Some(t)),
            d.utc_now_text_sql()
        )
    });
    for code in ["1213", "1205", "1064", "40001"] {
        let e = Error::new(ErrorKind::Database, "x").with_code(code);
        each(&|d| format!("{} {}", d.retryable_error_code(code), d.is_retryable(&e)));
    }
}

/// What differs, with the values docs/SCALING.md and `GaleraDialect`'s docs promise.
#[test]
fn galera_differs_only_in_its_documented_cluster_capabilities() {
    assert_eq!(
        MySqlDialect
            .migration_lock()
            .map(|l| matches!(l, MigrationLock::Named(_))),
        Some(true)
    );
    assert_eq!(
        GaleraDialect.migration_lock(),
        Some(MigrationLock::LockTable)
    );
    assert!(MySqlDialect.named_locks_cluster_wide());
    assert!(!GaleraDialect.named_locks_cluster_wide());
    assert!(!MySqlDialect.insert_returning());
    assert!(GaleraDialect.insert_returning());
    assert_eq!(
        MySqlDialect.generated_keys(),
        GeneratedKeys::LastInsertIdFirst
    );
    assert_eq!(GaleraDialect.generated_keys(), GeneratedKeys::Returning);
    let not_ready = Error::new(ErrorKind::Database, "WSREP not ready").with_code("1047");
    assert!(GaleraDialect.retryable_error_code("1047") && GaleraDialect.is_retryable(&not_ready));
    assert!(!MySqlDialect.retryable_error_code("1047") && !MySqlDialect.is_retryable(&not_ready));
    // A certification conflict at COMMIT is a deadlock to both (the driver's mapping).
    let conflict = Error::new(ErrorKind::Deadlock, "WSREP detected deadlock").with_code("1213");
    assert!(GaleraDialect.is_retryable(&conflict) && MySqlDialect.is_retryable(&conflict));
}
