//! The revision file reader: TOML text → [`Revision`]. Every field is checked (type, known
//! name, required or not) and an error names the file, the step and the field. Used by
//! [`MigrationDir::load`](crate::MigrationDir::load) through [`parse_revision`].

use std::path::Path;

use cinnabar_core::schema::diff::SchemaOp;
use cinnabar_core::schema::{
    CheckConstraint, CheckRule, Column, ForeignKey, Index, ReferentialAction, Table,
    UniqueConstraint,
};
use cinnabar_core::sql::ddl::ColumnChange;
use cinnabar_core::types::SqlType;
use cinnabar_core::{Error, Result};

use super::fields::Fields;
use super::types::parse_type;
use crate::checksum::checksum;
use crate::revision::{Revision, SqlStep, Step};

/// Reads a revision from the text of the file at `path`.
///
/// # Errors
/// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) naming the file (and the step and
/// field) when the text is not TOML, a field is missing, of the wrong type or unknown, an op
/// is unknown, the id is not `YYYYMMDDHHMMSS`, the revision has up steps but neither down
/// steps nor `irreversible`, or a step loses data and the revision is not marked
/// `destructive`.
pub fn parse_revision(text: &str, path: &Path) -> Result<Revision> {
    let file = path.display().to_string();
    let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        Error::misuse(format!("{file}: not a valid revision file: {e}"))
    })?;
    let mut f = Fields::new(&doc, &file, "");
    let id = f.string("id")?;
    if !is_revision_id(&id) {
        return Err(f.error(
            "id",
            format!("{id:?} is not a revision id (YYYYMMDDHHMMSS)"),
        ));
    }
    let parents = f.strings("parents")?;
    for p in &parents {
        if !is_revision_id(p) {
            return Err(f.error(
                "parents",
                format!("{p:?} is not a revision id (YYYYMMDDHHMMSS)"),
            ));
        }
    }
    let message = f.string("message")?;
    let created = f.string("created")?;
    let destructive = f.flag("destructive")?;
    let irreversible = f.opt_string("irreversible")?;
    let up = steps(&mut f, "up")?;
    let down = steps(&mut f, "down")?;
    if irreversible.is_some() && f.has("down") {
        return Err(f.error(
            "down",
            "an irreversible revision has no down steps (remove `irreversible` to give them)",
        ));
    }
    if irreversible.is_none() && down.is_empty() && !up.is_empty() {
        return Err(f.error(
            "down",
            "the revision has up steps but no down steps; add [[down]] steps that undo them, \
             or say why it cannot be undone with irreversible = \"...\"",
        ));
    }
    if !destructive {
        if let Some((i, op)) = up.iter().enumerate().find_map(|(i, s)| match s {
            Step::Op(op) if op.is_destructive() => Some((i, op)),
            _ => None,
        }) {
            return Err(f.error(
                "destructive",
                format!(
                    "up step {} ({op}) loses data, but the revision is not marked \
                     destructive = true",
                    i + 1
                ),
            ));
        }
    }
    f.finish()?;
    let stem_ok = match path.file_name().and_then(|n| n.to_str()) {
        Some(n) => n == format!("{id}.toml") || n.starts_with(&format!("{id}_")),
        None => true,
    };
    if !stem_ok {
        return Err(Error::misuse(format!(
            "{file}: the file name does not start with the revision's id {id}"
        )));
    }
    Ok(Revision {
        id,
        parents,
        message,
        created,
        destructive,
        irreversible,
        up,
        down,
        checksum: checksum(text),
        path: path.to_path_buf(),
    })
}

/// Whether `id` has the form `YYYYMMDDHHMMSS`.
pub fn is_revision_id(id: &str) -> bool {
    id.len() == 14 && id.bytes().all(|b| b.is_ascii_digit())
}

fn steps(f: &mut Fields<'_>, key: &'static str) -> Result<Vec<Step>> {
    let tables = f.tables(key)?;
    let mut out = Vec::with_capacity(tables.len());
    for (i, t) in tables.into_iter().enumerate() {
        out.push(step(t, key, i + 1)?);
    }
    Ok(out)
}

fn step(mut f: Fields<'_>, key: &str, n: usize) -> Result<Step> {
    let op = f.string("op")?;
    // Re-anchor the messages at "up step 3 (add_column)".
    let mut f = f.rename(format!("{key} step {n} ({op})"));
    let table = |f: &mut Fields<'_>| f.string("table");
    let step = match op.as_str() {
        "create_table" => Step::Op(SchemaOp::CreateTable(whole_table(&mut f)?)),
        "drop_table" => Step::Op(SchemaOp::DropTable(whole_table(&mut f)?)),
        "rename_table" => Step::Op(SchemaOp::RenameTable {
            from: f.string("from")?,
            to: f.string("to")?,
        }),
        "add_column" => Step::Op(SchemaOp::AddColumn {
            table: table(&mut f)?,
            column: column(f.table("column")?)?,
        }),
        "drop_column" => Step::Op(SchemaOp::DropColumn {
            table: table(&mut f)?,
            column: column(f.table("column")?)?,
        }),
        "alter_column" => {
            let table = table(&mut f)?;
            let from = column(f.table("from")?)?;
            let to = column(f.table("to")?)?;
            let mut changes = Vec::new();
            for c in f.strings("changes")? {
                changes.push(match c.as_str() {
                    "type" => ColumnChange::Type,
                    "nullability" => ColumnChange::Nullability,
                    "default" => ColumnChange::Default,
                    other => {
                        return Err(f.error(
                            "changes",
                            format!("unknown change {other:?} (type, nullability, default)"),
                        ))
                    }
                });
            }
            if changes.is_empty() {
                return Err(f.error(
                    "changes",
                    "empty: say what changes (type, nullability, default)",
                ));
            }
            if from.name != to.name {
                return Err(f.error(
                    "to",
                    format!(
                        "names column {:?} but `from` names {:?} (rename with rename_column)",
                        to.name, from.name
                    ),
                ));
            }
            Step::Op(SchemaOp::AlterColumn {
                table,
                from,
                to,
                changes,
            })
        }
        "rename_column" => Step::Op(SchemaOp::RenameColumn {
            table: table(&mut f)?,
            from: f.string("from")?,
            to: f.string("to")?,
        }),
        "alter_primary_key" => Step::Op(SchemaOp::AlterPrimaryKey {
            table: table(&mut f)?,
            from: f.strings("from")?,
            to: f.strings("to")?,
        }),
        "add_index" => Step::Op(SchemaOp::AddIndex {
            table: table(&mut f)?,
            index: index(f.table("index")?)?,
        }),
        "drop_index" => Step::Op(SchemaOp::DropIndex {
            table: table(&mut f)?,
            index: index(f.table("index")?)?,
        }),
        "add_unique" => Step::Op(SchemaOp::AddUnique {
            table: table(&mut f)?,
            unique: unique(f.table("unique")?)?,
        }),
        "drop_unique" => Step::Op(SchemaOp::DropUnique {
            table: table(&mut f)?,
            unique: unique(f.table("unique")?)?,
        }),
        "add_foreign_key" => Step::Op(SchemaOp::AddForeignKey {
            table: table(&mut f)?,
            foreign_key: foreign_key(f.table("foreign_key")?)?,
        }),
        "drop_foreign_key" => Step::Op(SchemaOp::DropForeignKey {
            table: table(&mut f)?,
            foreign_key: foreign_key(f.table("foreign_key")?)?,
        }),
        "add_check" => Step::Op(SchemaOp::AddCheck {
            table: table(&mut f)?,
            check: check(f.table("check")?)?,
        }),
        "drop_check" => Step::Op(SchemaOp::DropCheck {
            table: table(&mut f)?,
            check: check(f.table("check")?)?,
        }),
        "sql" => {
            let sql = SqlStep {
                all: f.opt_string("all")?,
                sqlite: f.opt_string("sqlite")?,
                postgresql: f.opt_string("postgresql")?,
                mysql: f.opt_string("mysql")?,
            };
            if sql.all.is_none()
                && sql.sqlite.is_none()
                && sql.postgresql.is_none()
                && sql.mysql.is_none()
            {
                return Err(f.error(
                    "all",
                    "a sql step needs SQL: `all`, or `sqlite` / `postgresql` / `mysql`",
                ));
            }
            Step::Sql(sql)
        }
        "rust" => Step::Rust(f.string("name")?),
        other => {
            return Err(f.error(
                "op",
                format!("unknown op {other:?} (one of: {})", OPS.join(", ")),
            ))
        }
    };
    f.finish()?;
    Ok(step)
}

/// Every `op` a step may have.
pub const OPS: &[&str] = &[
    "create_table",
    "drop_table",
    "rename_table",
    "add_column",
    "drop_column",
    "alter_column",
    "rename_column",
    "alter_primary_key",
    "add_index",
    "drop_index",
    "add_unique",
    "drop_unique",
    "add_foreign_key",
    "drop_foreign_key",
    "add_check",
    "drop_check",
    "sql",
    "rust",
];

fn whole_table(f: &mut Fields<'_>) -> Result<Table> {
    let mut table = Table::new(f.string("table")?);
    let columns = f.tables("columns")?;
    if columns.is_empty() {
        return Err(f.error("columns", "missing or empty (a table needs columns)"));
    }
    for c in columns {
        table.columns.push(column(c)?);
    }
    for k in f.tables("foreign_keys")? {
        table.foreign_keys.push(foreign_key(k)?);
    }
    for i in f.tables("indexes")? {
        table.indexes.push(index(i)?);
    }
    for u in f.tables("uniques")? {
        table.uniques.push(unique(u)?);
    }
    for c in f.tables("checks")? {
        table.checks.push(check(c)?);
    }
    table
        .validate()
        .map_err(|e| f.error("columns", e.message()))?;
    Ok(table)
}

fn column(mut f: Fields<'_>) -> Result<Column> {
    let name = f.string("name")?;
    let written = f.string("type")?;
    let custom = f.opt_string("custom")?;
    let (sql_type, custom_type) = match (parse_type(&written), custom) {
        (Some(t), custom) => (t, custom),
        (None, None) => (SqlType::Text(None), Some(written)),
        (None, Some(_)) => {
            return Err(f.error(
                "type",
                format!(
                    "{written:?} is not a neutral type name; with `custom` given, `type` is \
                     the type values are read as (integer, text, varchar(n), ...)"
                ),
            ))
        }
    };
    let mut c = Column::new(name, sql_type);
    c.custom_type = custom_type;
    c.nullable = f.flag("nullable")?;
    c.primary_key = f.flag("primary_key")?;
    c.autoincrement = f.flag("autoincrement")?;
    c.unique = f.flag("unique")?;
    c.index = f.flag("index")?;
    c.server_default = f.opt_string("default")?;
    f.finish()?;
    Ok(c)
}

fn action(f: &mut Fields<'_>, key: &'static str) -> Result<Option<ReferentialAction>> {
    let Some(text) = f.opt_string(key)? else {
        return Ok(None);
    };
    let action = match text.to_ascii_lowercase().as_str() {
        "no action" => ReferentialAction::NoAction,
        "restrict" => ReferentialAction::Restrict,
        "cascade" => ReferentialAction::Cascade,
        "set null" => ReferentialAction::SetNull,
        "set default" => ReferentialAction::SetDefault,
        _ => {
            return Err(f.error(
                key,
                format!(
                    "unknown action {text:?} (no action, restrict, cascade, set null, set default)"
                ),
            ))
        }
    };
    Ok(Some(action))
}

fn foreign_key(mut f: Fields<'_>) -> Result<ForeignKey> {
    let fk = ForeignKey {
        name: f.opt_string("name")?,
        columns: f.strings("columns")?,
        ref_table: f.string("ref_table")?,
        ref_columns: f.strings("ref_columns")?,
        on_delete: action(&mut f, "on_delete")?,
        on_update: action(&mut f, "on_update")?,
        use_alter: f.flag("use_alter")?,
    };
    if fk.columns.is_empty() || fk.columns.len() != fk.ref_columns.len() {
        return Err(f.error(
            "ref_columns",
            "a foreign key needs as many referenced columns as columns, and at least one",
        ));
    }
    f.finish()?;
    Ok(fk)
}

fn index(mut f: Fields<'_>) -> Result<Index> {
    let index = Index {
        name: f.string("name")?,
        columns: f.strings("columns")?,
        unique: f.flag("unique")?,
        where_sql: f.opt_string("where")?,
    };
    if index.columns.is_empty() {
        return Err(f.error("columns", "an index needs at least one column"));
    }
    f.finish()?;
    Ok(index)
}

fn unique(mut f: Fields<'_>) -> Result<UniqueConstraint> {
    let unique = UniqueConstraint {
        name: f.opt_string("name")?,
        columns: f.strings("columns")?,
    };
    if unique.columns.is_empty() {
        return Err(f.error("columns", "a unique constraint needs at least one column"));
    }
    f.finish()?;
    Ok(unique)
}

fn check(mut f: Fields<'_>) -> Result<CheckConstraint> {
    let name = f.opt_string("name")?;
    let sql = f.string("sql")?;
    let rule = match f.opt_string("rule")?.as_deref() {
        None => None,
        Some(kind) => Some(check_rule(&mut f, kind)?),
    };
    let check = CheckConstraint { name, sql, rule };
    f.finish()?;
    Ok(check)
}

/// A validation rule's check: `rule = "length" | "range" | "one_of"`, `column`, and `min` /
/// `max` or `values`, rendered per dialect when the revision runs.
fn check_rule(f: &mut Fields<'_>, kind: &str) -> Result<CheckRule> {
    let column = f.string("column")?;
    Ok(match kind {
        "length" => CheckRule::Length {
            column,
            min: f.opt_count("min")?,
            max: f.opt_count("max")?,
        },
        "range" => CheckRule::Range {
            column,
            min: f.opt_rule_value("min", false)?,
            max: f.opt_rule_value("max", false)?,
        },
        "one_of" => CheckRule::OneOf {
            column,
            values: f.rule_values("values")?,
        },
        other => {
            return Err(f.error(
                "rule",
                format!("unknown rule {other:?} (expected \"length\", \"range\" or \"one_of\")"),
            ))
        }
    })
}
