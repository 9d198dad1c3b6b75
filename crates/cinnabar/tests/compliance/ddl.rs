//! DDL statements (`cinnabar::sql::Ddl`) executed on each backend and checked by what they
//! do: a CHECK rejects a bad row and, dropped, no longer does; a renamed column keeps its
//! values; a widened type keeps values and takes larger ones; a dropped foreign key no longer
//! rejects orphans; a partial unique index rejects duplicates only where its condition
//! holds; `create_all` of a model with checks enforces them. A form the backend lacks
//! (SQLite: ALTER COLUMN and constraint changes; MySQL: partial indexes) returns
//! `Unsupported` and leaves the schema as it was. Which forms exist is asked of the dialect,
//! as the migration layer will ask it.

use super::*;
use cinnabar::schema::{CheckConstraint, UniqueConstraint};
use cinnabar::sql::{
    AlterAction, AlterTable, ColumnChange, CreateIndex, CreateTable, Ddl, DropIndex, DropTable,
};
use cinnabar::{Column as ColumnDef, ForeignKey, Index, SqlType, Table};

/// Executes a DDL statement on a connection of its own.
fn ddl(db: &TestDb, statement: impl Into<Ddl>) -> Result<()> {
    conn(db).execute_ddl(&statement.into())
}

/// Executes a DDL statement that must succeed.
fn ok(db: &TestDb, statement: impl Into<Ddl>) {
    let statement = statement.into();
    ddl(db, statement.clone()).unwrap_or_else(|e| panic!("{statement:?}: {e}"));
}

/// Executes a DDL statement the backend lacks: `Unsupported`, naming `names`, and the schema
/// is what it was.
fn refused(db: &TestDb, statement: impl Into<Ddl>, names: &[&str]) {
    let before = schema_snapshot(db);
    let e = ddl(db, statement).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    for n in names {
        assert!(e.message().contains(n), "{n:?} not in {e}");
    }
    assert_eq!(
        schema_snapshot(db),
        before,
        "an unsupported statement changed the schema"
    );
}

/// The schema as the catalog describes it: tables, columns with type and nullability,
/// indexes (and on SQLite the whole CREATE text, constraints included).
fn schema_snapshot(db: &TestDb) -> String {
    let sql = match db.backend {
        Backend::Sqlite => {
            "SELECT group_concat(type || ':' || name || ':' || coalesce(sql, ''), '|') \
             FROM (SELECT * FROM sqlite_master ORDER BY type, name)"
        }
        Backend::Postgres => {
            "SELECT coalesce((SELECT string_agg(table_name || '.' || column_name || ':' || \
             data_type || ':' || is_nullable || ':' || coalesce(column_default, ''), '|' \
             ORDER BY table_name, ordinal_position) FROM information_schema.columns \
             WHERE table_schema = current_schema()), '') || '#' || \
             coalesce((SELECT string_agg(indexdef, '|' ORDER BY indexname) FROM pg_indexes \
             WHERE schemaname = current_schema()), '') || '#' || \
             coalesce((SELECT string_agg(constraint_name, '|' ORDER BY constraint_name) \
             FROM information_schema.table_constraints \
             WHERE table_schema = current_schema()), '')"
        }
        Backend::MySql => {
            "SELECT CONCAT(COALESCE((SELECT GROUP_CONCAT(CONCAT(table_name, '.', column_name, \
             ':', column_type, ':', is_nullable, ':', COALESCE(column_default, '')) \
             ORDER BY table_name, ordinal_position SEPARATOR '|') FROM information_schema.columns \
             WHERE table_schema = DATABASE()), ''), '#', COALESCE((SELECT GROUP_CONCAT( \
             CONCAT(table_name, '.', index_name, '.', column_name) ORDER BY table_name, \
             index_name, seq_in_index SEPARATOR '|') FROM information_schema.statistics \
             WHERE table_schema = DATABASE()), ''), '#', COALESCE((SELECT GROUP_CONCAT( \
             constraint_name ORDER BY constraint_name SEPARATOR '|') \
             FROM information_schema.table_constraints WHERE table_schema = DATABASE()), ''))"
        }
    };
    conn(db)
        .scalar::<String>(text(sql))
        .unwrap_or_else(|e| panic!("schema snapshot: {e}"))
}

/// Runs a raw statement; returns its error kind, or `None` when it succeeded.
fn try_exec(db: &TestDb, statement: cinnabar::sql::Text) -> Option<ErrorKind> {
    conn(db).execute(statement).err().map(|e| e.kind())
}

fn people() -> Table {
    Table::new("people")
        .column(
            ColumnDef::new("id", SqlType::BigInt)
                .primary_key()
                .autoincrement(),
        )
        .column(ColumnDef::new("name", SqlType::Text(Some(50))))
        .column(ColumnDef::new("age", SqlType::Integer).nullable())
}

fn create(db: &TestDb, table: Table) {
    ok(
        db,
        CreateTable {
            table,
            if_not_exists: false,
        },
    );
}

fn add_person(db: &TestDb, name: &str, age: Option<i64>) -> Option<ErrorKind> {
    try_exec(
        db,
        text("INSERT INTO people (name, age) VALUES (:n, :a)")
            .bind("n", name)
            .bind("a", age),
    )
}

fn check_constraints_reject_and_once_dropped_accept(db: &TestDb) {
    let d = db.engine.dialect();
    create(db, people().check(None, "age >= 0"));
    assert_eq!(
        add_person(db, "minus", Some(-1)),
        Some(ErrorKind::CheckViolation)
    );
    assert_eq!(add_person(db, "ten", Some(10)), None);

    let add = AlterTable::new(
        "people",
        AlterAction::AddCheck(CheckConstraint {
            name: Some("ck_people_age_max".into()),
            sql: "age < 150".into(),
            rule: None,
        }),
    );
    let drop_generated = AlterTable::new("people", AlterAction::DropCheck("ck_people_1".into()));
    if !d.supports_alter_constraints() {
        refused(db, add, &["ck_people_age_max", "people"]);
        refused(db, drop_generated, &["ck_people_1", "people"]);
        assert_eq!(
            add_person(db, "minus", Some(-1)),
            Some(ErrorKind::CheckViolation)
        );
        assert_eq!(add_person(db, "old", Some(200)), None);
        return;
    }
    ok(db, add);
    assert_eq!(
        add_person(db, "old", Some(200)),
        Some(ErrorKind::CheckViolation)
    );
    // The check create_all named `ck_people_1` is dropped by that name.
    ok(db, drop_generated);
    assert_eq!(add_person(db, "minus", Some(-1)), None);
    ok(
        db,
        AlterTable::new("people", AlterAction::DropCheck("ck_people_age_max".into())),
    );
    assert_eq!(add_person(db, "old", Some(200)), None);
    assert_eq!(count(db, "people"), 3);
}

fn renamed_column_is_read_by_its_new_name(db: &TestDb) {
    create(db, people());
    assert_eq!(add_person(db, "Ada", Some(36)), None);
    assert_eq!(add_person(db, "Alan", Some(41)), None);
    ok(
        db,
        AlterTable::new(
            "people",
            AlterAction::RenameColumn {
                from: "age".into(),
                to: "years".into(),
            },
        ),
    );
    let rows = conn(db)
        .execute(text("SELECT name, years FROM people ORDER BY id"))
        .unwrap();
    let got: Vec<(String, i64)> = rows
        .rows()
        .iter()
        .map(|r| (r.get("name").unwrap(), r.get("years").unwrap()))
        .collect();
    assert_eq!(got, [("Ada".to_string(), 36), ("Alan".to_string(), 41)]);
    assert!(try_exec(db, text("SELECT age FROM people")).is_some());

    // And the table: its rows move with it.
    ok(
        db,
        AlterTable::new("people", AlterAction::RenameTable("persons".into())),
    );
    assert_eq!(count(db, "persons"), 2);
    assert!(try_exec(db, text("SELECT 1 FROM people")).is_some());
}

fn added_column_gets_its_default_and_dropped_column_is_gone(db: &TestDb) {
    create(db, people());
    assert_eq!(add_person(db, "Ada", Some(36)), None);
    ok(
        db,
        AlterTable::new(
            "people",
            AlterAction::AddColumn(ColumnDef::new("credits", SqlType::Integer).server_default("7")),
        ),
    );
    assert_eq!(db.scalar("SELECT credits FROM people"), Some(7));
    // NOT NULL: a row must have a value, and gets the default.
    assert_eq!(
        try_exec(
            db,
            text("INSERT INTO people (name, credits) VALUES ('x', NULL)")
        ),
        Some(ErrorKind::NotNullViolation)
    );
    ok(
        db,
        AlterTable::new("people", AlterAction::DropColumn("age".into())),
    );
    assert!(try_exec(db, text("SELECT age FROM people")).is_some());
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM people WHERE credits = 7"),
        Some(1)
    );
}

fn widened_type_keeps_values(db: &TestDb) {
    let d = db.engine.dialect();
    let table = Table::new("measures")
        .column(ColumnDef::new("id", SqlType::Integer).primary_key())
        .column(ColumnDef::new("small", SqlType::Integer))
        .column(ColumnDef::new("label", SqlType::Text(Some(5))))
        .column(ColumnDef::new("code", SqlType::Text(Some(10))));
    create(db, table);
    exec(
        db,
        text("INSERT INTO measures (id, small, label, code) VALUES (1, 2000000000, 'abcde', '42')"),
    );
    let widen = AlterTable::new(
        "measures",
        AlterAction::AlterColumn {
            column: ColumnDef::new("small", SqlType::BigInt),
            change: ColumnChange::Type,
        },
    );
    let longer = AlterTable::new(
        "measures",
        AlterAction::AlterColumn {
            column: ColumnDef::new("label", SqlType::Text(Some(50))),
            change: ColumnChange::Type,
        },
    );
    let to_int = AlterTable::new(
        "measures",
        AlterAction::AlterColumn {
            column: ColumnDef::new("code", SqlType::BigInt),
            change: ColumnChange::Type,
        },
    );
    if !d.supports_alter_column() {
        refused(
            db,
            widen,
            &["change the type of column \"small\"", "\"measures\""],
        );
        refused(db, longer, &["column \"label\""]);
        refused(db, to_int, &["column \"code\""]);
        assert_eq!(db.scalar("SELECT small FROM measures"), Some(2_000_000_000));
        return;
    }
    // Too big and too long before.
    let big = "INSERT INTO measures (id, small, label, code) VALUES (2, 5000000000, 'a', '1')";
    assert!(try_exec(db, text(big)).is_some());
    let long = "INSERT INTO measures (id, small, label, code) VALUES (3, 1, 'abcdefghij', '1')";
    assert!(try_exec(db, text(long)).is_some());
    ok(db, widen);
    ok(db, longer);
    // Text holding a number becomes the number (PostgreSQL casts with USING).
    ok(db, to_int);
    assert_eq!(try_exec(db, text(big)), None);
    assert_eq!(try_exec(db, text(long)), None);
    let rows = conn(db)
        .execute(text("SELECT small, label, code FROM measures ORDER BY id"))
        .unwrap();
    let got: Vec<(i64, String, i64)> = rows
        .rows()
        .iter()
        .map(|r| {
            (
                r.get("small").unwrap(),
                r.get("label").unwrap(),
                r.get("code").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (2_000_000_000, "abcde".to_string(), 42),
            (5_000_000_000, "a".to_string(), 1),
            (1, "abcdefghij".to_string(), 1),
        ]
    );
}

fn nullability_and_default_changes(db: &TestDb) {
    let d = db.engine.dialect();
    create(db, people());
    assert_eq!(add_person(db, "Ada", Some(36)), None);
    let not_null = AlterTable::new(
        "people",
        AlterAction::AlterColumn {
            column: ColumnDef::new("age", SqlType::Integer),
            change: ColumnChange::Nullability,
        },
    );
    let with_default = AlterTable::new(
        "people",
        AlterAction::AlterColumn {
            column: ColumnDef::new("age", SqlType::Integer)
                .nullable()
                .server_default("18"),
            change: ColumnChange::Default,
        },
    );
    if !d.supports_alter_column() {
        refused(
            db,
            not_null,
            &["whether column \"age\" allows NULL", "\"people\""],
        );
        refused(db, with_default, &["the default of column \"age\""]);
        assert_eq!(add_person(db, "nobody", None), None);
        return;
    }
    ok(db, not_null);
    assert_eq!(
        add_person(db, "nobody", None),
        Some(ErrorKind::NotNullViolation)
    );
    // Back to nullable, with a default for rows that do not say.
    ok(
        db,
        AlterTable::new(
            "people",
            AlterAction::AlterColumn {
                column: ColumnDef::new("age", SqlType::Integer).nullable(),
                change: ColumnChange::Nullability,
            },
        ),
    );
    assert_eq!(add_person(db, "nobody", None), None);
    ok(db, with_default);
    exec(db, text("INSERT INTO people (name) VALUES ('defaulted')"));
    assert_eq!(
        db.scalar("SELECT age FROM people WHERE name = 'defaulted'"),
        Some(18)
    );
    // A later nullability change keeps the default (MySQL's MODIFY restates it).
    exec(db, text("DELETE FROM people WHERE age IS NULL"));
    ok(
        db,
        AlterTable::new(
            "people",
            AlterAction::AlterColumn {
                column: ColumnDef::new("age", SqlType::Integer).server_default("18"),
                change: ColumnChange::Nullability,
            },
        ),
    );
    assert_eq!(
        add_person(db, "nobody", None),
        Some(ErrorKind::NotNullViolation)
    );
    exec(
        db,
        text("INSERT INTO people (name) VALUES ('defaulted again')"),
    );
    assert_eq!(
        db.scalar("SELECT age FROM people WHERE name = 'defaulted again'"),
        Some(18)
    );
    ok(
        db,
        AlterTable::new(
            "people",
            AlterAction::AlterColumn {
                column: ColumnDef::new("age", SqlType::Integer)
                    .nullable()
                    .server_default("18"),
                change: ColumnChange::Nullability,
            },
        ),
    );
    // An expression default (parenthesised) and dropping it.
    ok(
        db,
        AlterTable::new(
            "people",
            AlterAction::AlterColumn {
                column: ColumnDef::new("name", SqlType::Text(Some(50))).server_default("'anon'"),
                change: ColumnChange::Default,
            },
        ),
    );
    exec(db, text("INSERT INTO people (age) VALUES (1)"));
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM people WHERE name = 'anon'"),
        Some(1)
    );
    ok(
        db,
        AlterTable::new(
            "people",
            AlterAction::AlterColumn {
                column: ColumnDef::new("age", SqlType::Integer).nullable(),
                change: ColumnChange::Default,
            },
        ),
    );
    exec(db, text("INSERT INTO people (name) VALUES ('plain')"));
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM people WHERE name = 'plain' AND age IS NULL"),
        Some(1)
    );
}

fn dropped_foreign_key_no_longer_rejects_orphans(db: &TestDb) {
    let d = db.engine.dialect();
    create(
        db,
        Table::new("teams").column(ColumnDef::new("id", SqlType::BigInt).primary_key()),
    );
    create(
        db,
        Table::new("players")
            .column(ColumnDef::new("id", SqlType::BigInt).primary_key())
            .column(ColumnDef::new("team_id", SqlType::BigInt).nullable())
            .foreign_key(ForeignKey::new("team_id", "teams", "id").named("fk_players_team")),
    );
    exec(db, text("INSERT INTO teams (id) VALUES (1)"));
    let orphan = |id: i64| {
        try_exec(
            db,
            text("INSERT INTO players (id, team_id) VALUES (:id, 99)").bind("id", id),
        )
    };
    assert_eq!(orphan(1), Some(ErrorKind::ForeignKeyViolation));
    let drop = AlterTable::new(
        "players",
        AlterAction::DropForeignKey("fk_players_team".into()),
    );
    let add = AlterTable::new(
        "players",
        AlterAction::AddForeignKey(ForeignKey::new("team_id", "teams", "id")),
    );
    if !d.supports_alter_constraints() {
        refused(
            db,
            drop,
            &["drop foreign key \"fk_players_team\"", "\"players\""],
        );
        refused(db, add, &["add foreign key \"fk_players_team_id\""]);
        assert_eq!(orphan(1), Some(ErrorKind::ForeignKeyViolation));
        return;
    }
    ok(db, drop);
    assert_eq!(orphan(1), None);
    exec(db, text("DELETE FROM players"));
    // Added back under its generated name, it rejects orphans again.
    ok(db, add);
    assert_eq!(orphan(2), Some(ErrorKind::ForeignKeyViolation));
    exec(db, text("INSERT INTO players (id, team_id) VALUES (3, 1)"));
    ok(
        db,
        AlterTable::new(
            "players",
            AlterAction::DropForeignKey("fk_players_team_id".into()),
        ),
    );
    assert_eq!(orphan(4), None);
}

fn unique_constraints_added_and_dropped(db: &TestDb) {
    let d = db.engine.dialect();
    create(db, people());
    assert_eq!(add_person(db, "Ada", Some(36)), None);
    let add = AlterTable::new(
        "people",
        AlterAction::AddUnique(UniqueConstraint {
            name: Some("uq_people_name".into()),
            columns: vec!["name".into()],
        }),
    );
    let drop = AlterTable::new("people", AlterAction::DropUnique("uq_people_name".into()));
    if !d.supports_alter_constraints() {
        refused(
            db,
            add,
            &["add unique constraint \"uq_people_name\"", "\"people\""],
        );
        refused(db, drop, &["drop unique constraint \"uq_people_name\""]);
        assert_eq!(add_person(db, "Ada", Some(1)), None);
        return;
    }
    ok(db, add);
    assert_eq!(
        add_person(db, "Ada", Some(1)),
        Some(ErrorKind::UniqueViolation)
    );
    ok(db, drop);
    assert_eq!(add_person(db, "Ada", Some(1)), None);
}

fn partial_unique_index_rejects_duplicates_only_where_it_holds(db: &TestDb) {
    let d = db.engine.dialect();
    let table = Table::new("accounts")
        .column(
            ColumnDef::new("id", SqlType::BigInt)
                .primary_key()
                .autoincrement(),
        )
        .column(ColumnDef::new("email", SqlType::Text(Some(100))))
        .column(ColumnDef::new("closed", SqlType::Integer).nullable());
    create(db, table);
    let index = CreateIndex {
        table: "accounts".into(),
        index: Index::new("uq_accounts_open_email", &["email"])
            .unique()
            .where_sql("closed IS NULL"),
        if_not_exists: true,
    };
    let add = |closed: Option<i64>| {
        try_exec(
            db,
            text("INSERT INTO accounts (email, closed) VALUES ('a@x', :c)").bind("c", closed),
        )
    };
    if !d.supports_partial_indexes() {
        refused(
            db,
            index,
            &[
                "no partial indexes",
                "\"uq_accounts_open_email\"",
                "\"accounts\"",
            ],
        );
        assert_eq!(add(None), None);
        assert_eq!(add(None), None);
        return;
    }
    ok(db, index.clone());
    // IF NOT EXISTS: a second time is a no-op.
    ok(db, index);
    assert_eq!(add(None), None);
    assert_eq!(add(None), Some(ErrorKind::UniqueViolation));
    assert_eq!(add(Some(1)), None);
    assert_eq!(add(Some(2)), None);
    assert_eq!(count(db, "accounts"), 3);
}

fn indexes_created_and_dropped_idempotently(db: &TestDb) {
    create(db, people());
    let create_index = CreateIndex {
        table: "people".into(),
        index: Index::new("uq_people_name_age", &["name", "age"]).unique(),
        if_not_exists: true,
    };
    let drop_index = DropIndex {
        table: "people".into(),
        name: "uq_people_name_age".into(),
        if_exists: true,
    };
    // IF [NOT] EXISTS holds on every backend (MySQL through the catalog).
    ok(db, create_index.clone());
    ok(db, create_index.clone());
    assert_eq!(add_person(db, "Ada", Some(36)), None);
    assert_eq!(
        add_person(db, "Ada", Some(36)),
        Some(ErrorKind::UniqueViolation)
    );
    ok(db, drop_index.clone());
    ok(db, drop_index.clone());
    assert_eq!(add_person(db, "Ada", Some(36)), None);
    // Without IF [NOT] EXISTS the database's error speaks.
    let mut plain = drop_index;
    plain.if_exists = false;
    assert!(ddl(db, plain).is_err());
    let mut plain = create_index;
    plain.if_not_exists = false;
    plain.index.unique = false;
    ok(db, plain.clone());
    assert!(ddl(db, plain).is_err());
    // And a table is dropped through the same path.
    ok(
        db,
        DropTable {
            name: "people".into(),
            if_exists: false,
        },
    );
    ok(
        db,
        DropTable {
            name: "people".into(),
            if_exists: true,
        },
    );
    assert!(try_exec(db, text("SELECT 1 FROM people")).is_some());
}

/// A model with struct-level checks: `create_all` creates them (one named by the model, one
/// generated), a session's commit of a breaking row fails with `CheckViolation`, and a
/// second `create_all` changes nothing.
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "athletes", check = "age >= 0")]
#[cinnabar(check(name = "athletes_name_not_blank", sql = "name <> ''"))]
struct Athlete {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(length = 50)]
    name: String,
    age: i32,
}

fn create_all_of_a_model_with_checks_enforces_them(db: &TestDb) {
    let md = MetaData::new().with(Athlete::table().clone());
    md.create_all(&db.engine).unwrap();
    md.create_all(&db.engine).unwrap();
    let commit = |name: &str, age: i32| {
        let mut s = Session::new(&db.engine);
        s.add(Athlete {
            id: None,
            name: name.into(),
            age,
        });
        s.commit().err().map(|e| e.kind())
    };
    assert_eq!(commit("Usain", 37), None);
    assert_eq!(commit("Young", -1), Some(ErrorKind::CheckViolation));
    assert_eq!(commit("", 20), Some(ErrorKind::CheckViolation));
    assert_eq!(count(db, "athletes"), 1);
    if db.engine.dialect().supports_alter_constraints() {
        // The generated name is the one the table reports, so it can be dropped by it.
        ok(
            db,
            AlterTable::new("athletes", AlterAction::DropCheck("ck_athletes_1".into())),
        );
        assert_eq!(commit("Young", -1), None);
    }
    md.drop_all(&db.engine).unwrap();
}

crate::backend_tests!(
    check_constraints_reject_and_once_dropped_accept,
    renamed_column_is_read_by_its_new_name,
    added_column_gets_its_default_and_dropped_column_is_gone,
    widened_type_keeps_values,
    nullability_and_default_changes,
    dropped_foreign_key_no_longer_rejects_orphans,
    unique_constraints_added_and_dropped,
    partial_unique_index_rejects_duplicates_only_where_it_holds,
    indexes_created_and_dropped_idempotently,
    create_all_of_a_model_with_checks_enforces_them,
);
