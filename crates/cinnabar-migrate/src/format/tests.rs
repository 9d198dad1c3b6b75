//! Round trips of every step kind through the writer and the reader, and the reader's
//! errors.

use std::path::Path;

use cinnabar_core::schema::diff::SchemaOp;
use cinnabar_core::schema::{
    CheckConstraint, CheckRule, Column, ForeignKey, Index, ReferentialAction, RuleValue, Table,
    UniqueConstraint,
};
use cinnabar_core::sql::ddl::ColumnChange;
use cinnabar_core::types::SqlType;

use super::{parse_revision, write_revision, OPS};
use crate::revision::{Revision, SqlStep, Step};

fn students() -> Table {
    Table::new("students")
        .column(
            Column::new("id", SqlType::BigInt)
                .primary_key()
                .autoincrement(),
        )
        .column(Column::new("name", SqlType::Text(Some(50))).index())
        .column(
            Column::new("email", SqlType::Text(Some(120)))
                .nullable()
                .unique(),
        )
        .column(Column::new("fee", SqlType::Decimal(10, 2)).server_default("0"))
        .column(
            Column::new("addr", SqlType::Text(None))
                .custom_type("inet")
                .nullable(),
        )
        .column(
            Column::new("tag", SqlType::Text(Some(255)))
                .custom_type("VARCHAR(255)")
                .nullable(),
        )
        .column(Column::new("course_id", SqlType::BigInt))
        .foreign_key(
            ForeignKey::new("course_id", "courses", "id")
                .on_delete(ReferentialAction::Cascade)
                .on_update(ReferentialAction::SetNull),
        )
        .foreign_key(
            ForeignKey::composite(&["id", "course_id"], "pairs", &["a", "b"])
                .named("fk_pairs")
                .use_alter(),
        )
        .with_index(
            Index::new("ix_students_fee", &["fee"])
                .unique()
                .where_sql("fee > 0 AND name <> 'x'"),
        )
        .named_unique("uq_name_course", &["name", "course_id"])
        .unique(&["email", "name"])
        .check(Some("ck_fee"), "fee >= 0")
        .check(None, "length(name) > \"0\"")
        .check_rule(CheckRule::Length {
            column: "name".into(),
            min: Some(1),
            max: None,
        })
        .check_rule(CheckRule::Range {
            column: "fee".into(),
            min: Some(RuleValue::Float(0.5)),
            max: Some(RuleValue::Int(10)),
        })
        .check_rule(CheckRule::OneOf {
            column: "kind".into(),
            values: vec![
                RuleValue::Text("a\"b".into()),
                RuleValue::Int(-3),
                RuleValue::Float(1e300),
            ],
        })
}

fn every_step() -> Vec<Step> {
    let col = Column::new("age", SqlType::SmallInt)
        .nullable()
        .server_default("'1'");
    let wider = Column::new("age", SqlType::Integer).server_default("2");
    let ops = vec![
        SchemaOp::CreateTable(students()),
        SchemaOp::DropTable(students()),
        SchemaOp::RenameTable {
            from: "a".into(),
            to: "b".into(),
        },
        SchemaOp::AddColumn {
            table: "t".into(),
            column: col.clone(),
        },
        SchemaOp::DropColumn {
            table: "t".into(),
            column: col.clone(),
        },
        SchemaOp::AlterColumn {
            table: "t".into(),
            from: col,
            to: wider,
            changes: vec![
                ColumnChange::Type,
                ColumnChange::Nullability,
                ColumnChange::Default,
            ],
        },
        SchemaOp::RenameColumn {
            table: "t".into(),
            from: "course".into(),
            to: "course_code".into(),
        },
        SchemaOp::AlterPrimaryKey {
            table: "t".into(),
            from: vec!["id".into()],
            to: vec!["a".into(), "b".into()],
        },
        SchemaOp::AddIndex {
            table: "t".into(),
            index: Index::new("ix_t_a", &["a", "b"]),
        },
        SchemaOp::DropIndex {
            table: "t".into(),
            index: Index::new("ix_t_b", &["b"]).unique(),
        },
        SchemaOp::AddUnique {
            table: "t".into(),
            unique: UniqueConstraint {
                name: Some("uq_t_a".into()),
                columns: vec!["a".into()],
            },
        },
        SchemaOp::DropUnique {
            table: "t".into(),
            unique: UniqueConstraint {
                name: None,
                columns: vec!["a".into(), "b".into()],
            },
        },
        SchemaOp::AddForeignKey {
            table: "t".into(),
            foreign_key: ForeignKey::new("c", "u", "id").on_delete(ReferentialAction::Restrict),
        },
        SchemaOp::DropForeignKey {
            table: "t".into(),
            foreign_key: ForeignKey::new("c", "u", "id")
                .named("fk_x")
                .on_delete(ReferentialAction::SetDefault)
                .on_update(ReferentialAction::NoAction),
        },
        SchemaOp::AddCheck {
            table: "t".into(),
            check: CheckConstraint {
                name: Some("ck_t_1".into()),
                sql: "a < b".into(),
                rule: None,
            },
        },
        SchemaOp::DropCheck {
            table: "t".into(),
            check: CheckConstraint {
                name: None,
                sql: "a\\b".into(),
                rule: None,
            },
        },
    ];
    let mut steps: Vec<Step> = ops.into_iter().map(Step::Op).collect();
    steps.push(Step::Sql(SqlStep {
        all: Some("UPDATE t SET a = 'it''s'".into()),
        sqlite: Some("UPDATE t SET a = 1;\nUPDATE t SET b = 2;\n".into()),
        postgresql: Some("SELECT '''';\nSELECT 1".into()),
        mysql: Some("SELECT 'tab\there';\r\nSELECT 2".into()),
    }));
    steps.push(Step::Sql(SqlStep {
        all: Some("DELETE FROM t".into()),
        ..SqlStep::default()
    }));
    steps.push(Step::Rust("backfill_emails".into()));
    steps
}

fn revision(up: Vec<Step>, down: Vec<Step>) -> Revision {
    Revision {
        id: "20261205120000".into(),
        parents: vec!["20261204000000".into(), "20261204000001".into()],
        message: "create \"tables\"\nand more".into(),
        created: "2026-12-05T12:00:00Z".into(),
        destructive: true,
        irreversible: None,
        up,
        down,
        checksum: String::new(),
        path: Path::new("m/20261205120000_x.toml").to_path_buf(),
    }
}

#[test]
fn every_op_kind_is_covered() {
    let steps = every_step();
    let text = write_revision(&revision(steps, vec![Step::Rust("undo".into())]));
    for op in OPS {
        assert!(text.contains(&format!("op = \"{op}\"")), "{op} not written");
    }
}

#[test]
fn every_step_round_trips() {
    let original = revision(every_step(), every_step());
    let text = write_revision(&original);
    let read = parse_revision(&text, &original.path).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(read.up, original.up);
    assert_eq!(read.down, original.down);
    assert_eq!(read.parents, original.parents);
    assert_eq!(read.message, original.message);
    assert_eq!(read.created, original.created);
    assert!(read.destructive);
    assert_eq!(read.irreversible, None);
    assert_eq!(read.checksum, crate::checksum(&text));
    // Written again, the text is the same (stable output).
    assert_eq!(write_revision(&read), text);
}

#[test]
fn irreversible_round_trips() {
    let mut r = revision(vec![Step::Rust("x".into())], Vec::new());
    r.destructive = false;
    r.irreversible = Some("a \"reason\"".into());
    let text = write_revision(&r);
    let read = parse_revision(&text, &r.path).unwrap();
    assert_eq!(read.irreversible.as_deref(), Some("a \"reason\""));
    assert!(read.down.is_empty());
    assert!(read.down_steps().is_err());
}

#[test]
fn written_file_reads_well() {
    let mut r = revision(
        vec![Step::Op(SchemaOp::AddColumn {
            table: "students".into(),
            column: Column::new("email", SqlType::Text(Some(120)))
                .nullable()
                .unique(),
        })],
        Vec::new(),
    );
    r.parents = vec!["20261204000000".into()];
    r.message = "add email".into();
    r.destructive = false;
    r.down =
        r.up.iter()
            .rev()
            .map(|s| match s {
                Step::Op(op) => Step::Op(op.reverse()),
                other => other.clone(),
            })
            .collect();
    let expected = r#"id = "20261205120000"
parents = ["20261204000000"]
message = "add email"
created = "2026-12-05T12:00:00Z"
destructive = false

[[up]]
op = "add_column"
table = "students"
column = { name = "email", type = "varchar(120)", nullable = true, unique = true }

[[down]]
op = "drop_column"
table = "students"
column = { name = "email", type = "varchar(120)", nullable = true, unique = true }
"#;
    assert_eq!(write_revision(&r), expected);
}

fn err(text: &str) -> String {
    match parse_revision(text, Path::new("m/20261205120000_x.toml")) {
        Ok(r) => panic!("accepted: {r:?}"),
        Err(e) => e.to_string(),
    }
}

const HEADER: &str =
    "id = \"20261205120000\"\nparents = []\nmessage = \"m\"\ncreated = \"2026-12-05T12:00:00Z\"\n";

#[test]
fn errors_name_file_step_and_field() {
    let e = err(&format!(
        "{HEADER}[[up]]\nop = \"add_column\"\ntable = \"t\"\ncolumn = {{ name = \"a\", type = \"integer\", nullabel = true }}\n[[down]]\nop = \"rust\"\nname = \"x\"\n"
    ));
    assert!(e.contains("m/20261205120000_x.toml"), "{e}");
    assert!(
        e.contains("up step 1 (add_column), column: field `nullabel`: unknown field"),
        "{e}"
    );

    let e = err(&format!(
        "{HEADER}[[up]]\nop = \"add_column\"\ntable = \"t\"\n"
    ));
    assert!(
        e.contains("up step 1 (add_column): field `column`: missing"),
        "{e}"
    );

    let e = err(&format!("{HEADER}[[up]]\nop = \"frobnicate\"\n"));
    assert!(e.contains("unknown op \"frobnicate\""), "{e}");

    let e = err(&format!(
        "{HEADER}[[up]]\nop = \"rename_table\"\nfrom = \"a\"\nto = 3\n"
    ));
    assert!(
        e.contains("up step 1 (rename_table): field `to`: expected a string, found an integer"),
        "{e}"
    );

    let e = err(&format!("{HEADER}[[down]]\nop = \"sql\"\n"));
    assert!(e.contains("down step 1 (sql)"), "{e}");

    let e = err("id = \"2026\"\nparents = []\nmessage = \"m\"\ncreated = \"x\"\n");
    assert!(e.contains("is not a revision id"), "{e}");

    let e =
        err("id = \"20261205120000\"\nparents = []\nmessage = \"m\"\ncreated = \"x\"\nextra = 1\n");
    assert!(e.contains("field `extra`: unknown field"), "{e}");

    let e = err("id = [\n");
    assert!(e.contains("not a valid revision file"), "{e}");

    let e = err("id = \"20261205120001\"\nparents = []\nmessage = \"m\"\ncreated = \"x\"\n");
    assert!(e.contains("does not start with the revision's id"), "{e}");

    let e = err(&format!(
        "{HEADER}[[up]]\nop = \"alter_column\"\ntable = \"t\"\nchanges = [\"colour\"]\nfrom = {{ name = \"a\", type = \"integer\" }}\nto = {{ name = \"a\", type = \"bigint\" }}\n"
    ));
    assert!(e.contains("unknown change \"colour\""), "{e}");

    let e = err(&format!(
        "{HEADER}[[up]]\nop = \"add_foreign_key\"\ntable = \"t\"\nforeign_key = {{ columns = [\"a\"], ref_table = \"u\", ref_columns = [\"id\"], on_delete = \"explode\" }}\n"
    ));
    assert!(
        e.contains("field `on_delete`: unknown action \"explode\""),
        "{e}"
    );
}

#[test]
fn missing_down_and_unmarked_destructive_are_refused() {
    let e = err(&format!(
        "{HEADER}[[up]]\nop = \"sql\"\nall = \"SELECT 1\"\n"
    ));
    assert!(
        e.contains("no down steps") && e.contains("irreversible"),
        "{e}"
    );

    let e = err(&format!(
        "{HEADER}irreversible = \"x\"\n[[up]]\nop = \"sql\"\nall = \"SELECT 1\"\n[[down]]\nop = \"sql\"\nall = \"SELECT 2\"\n"
    ));
    assert!(
        e.contains("an irreversible revision has no down steps"),
        "{e}"
    );

    let e = err(&format!(
        "{HEADER}irreversible = \"data\"\n[[up]]\nop = \"drop_column\"\ntable = \"t\"\ncolumn = {{ name = \"a\", type = \"integer\" }}\n"
    ));
    assert!(e.contains("up step 1 (drop column t.a) loses data"), "{e}");
    assert!(e.contains("destructive = true"), "{e}");
}

#[test]
fn custom_types_read_back() {
    let text = format!(
        "{HEADER}[[up]]\nop = \"add_column\"\ntable = \"t\"\ncolumn = {{ name = \"a\", type = \"inet\" }}\n[[down]]\nop = \"drop_column\"\ntable = \"t\"\ncolumn = {{ name = \"a\", type = \"text\", custom = \"inet\" }}\n"
    );
    let r = parse_revision(&text, Path::new("20261205120000_x.toml")).unwrap();
    let (
        Step::Op(SchemaOp::AddColumn { column: a, .. }),
        Step::Op(SchemaOp::DropColumn { column: b, .. }),
    ) = (&r.up[0], &r.down[0])
    else {
        panic!("{r:?}")
    };
    assert_eq!(a, b);
    assert_eq!(a.custom_type.as_deref(), Some("inet"));
    assert_eq!(a.sql_type, SqlType::Text(None));

    let e = err(&format!(
        "{HEADER}[[up]]\nop = \"add_column\"\ntable = \"t\"\ncolumn = {{ name = \"a\", type = \"inet\", custom = \"cidr\" }}\n"
    ));
    assert!(e.contains("not a neutral type name"), "{e}");
}
