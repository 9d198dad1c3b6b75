//! The revision file writer: [`Revision`] → TOML text that reads back to the same revision
//! and diffs cleanly in review: fields in a fixed order, one column or constraint per line,
//! default values left out, multi-line SQL as a literal block. Used when the CLI writes a
//! new revision.

use std::fmt::Write as _;

use cinnabar_core::schema::diff::SchemaOp;
use cinnabar_core::schema::{
    CheckConstraint, CheckRule, Column, ForeignKey, Index, ReferentialAction, RuleValue, Table,
    UniqueConstraint,
};
use cinnabar_core::sql::ddl::ColumnChange;
use cinnabar_core::types::SqlType;

use super::types::{parse_type, type_name};
use crate::revision::{Revision, Step};

/// The text of `revision`'s file (its `checksum` and `path` are not part of it).
pub fn write_revision(revision: &Revision) -> String {
    let mut out = String::new();
    line(&mut out, "id", &string(&revision.id));
    line(&mut out, "parents", &strings(&revision.parents));
    line(&mut out, "message", &string(&revision.message));
    line(&mut out, "created", &string(&revision.created));
    line(&mut out, "destructive", bool_text(revision.destructive));
    if let Some(why) = &revision.irreversible {
        line(&mut out, "irreversible", &string(why));
    }
    for (key, steps) in [("up", &revision.up), ("down", &revision.down)] {
        for s in steps {
            let _ = write!(out, "\n[[{key}]]\n");
            step(&mut out, s);
        }
    }
    out
}

fn line(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "{key} = {value}");
}

fn bool_text(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

fn step(out: &mut String, s: &Step) {
    match s {
        Step::Op(op) => schema_op(out, op),
        Step::Sql(sql) => {
            line(out, "op", "\"sql\"");
            for (key, text) in [
                ("sqlite", &sql.sqlite),
                ("postgresql", &sql.postgresql),
                ("mysql", &sql.mysql),
                ("all", &sql.all),
            ] {
                if let Some(text) = text {
                    line(out, key, &sql_text(text));
                }
            }
        }
        Step::Rust(name) => {
            line(out, "op", "\"rust\"");
            line(out, "name", &string(name));
        }
    }
}

fn schema_op(out: &mut String, op: &SchemaOp) {
    let op_line = |out: &mut String, name: &str| line(out, "op", &string(name));
    match op {
        SchemaOp::CreateTable(t) => {
            op_line(out, "create_table");
            whole_table(out, t);
        }
        SchemaOp::DropTable(t) => {
            op_line(out, "drop_table");
            whole_table(out, t);
        }
        SchemaOp::RenameTable { from, to } => {
            op_line(out, "rename_table");
            line(out, "from", &string(from));
            line(out, "to", &string(to));
        }
        SchemaOp::AddColumn { table, column: c } => {
            op_line(out, "add_column");
            line(out, "table", &string(table));
            line(out, "column", &column(c));
        }
        SchemaOp::DropColumn { table, column: c } => {
            op_line(out, "drop_column");
            line(out, "table", &string(table));
            line(out, "column", &column(c));
        }
        SchemaOp::AlterColumn {
            table,
            from,
            to,
            changes,
        } => {
            op_line(out, "alter_column");
            line(out, "table", &string(table));
            let names: Vec<String> = changes
                .iter()
                .map(|c| {
                    match c {
                        ColumnChange::Type => "type",
                        ColumnChange::Nullability => "nullability",
                        ColumnChange::Default => "default",
                    }
                    .to_string()
                })
                .collect();
            line(out, "changes", &strings(&names));
            line(out, "from", &column(from));
            line(out, "to", &column(to));
        }
        SchemaOp::RenameColumn { table, from, to } => {
            op_line(out, "rename_column");
            line(out, "table", &string(table));
            line(out, "from", &string(from));
            line(out, "to", &string(to));
        }
        SchemaOp::AlterPrimaryKey { table, from, to } => {
            op_line(out, "alter_primary_key");
            line(out, "table", &string(table));
            line(out, "from", &strings(from));
            line(out, "to", &strings(to));
        }
        SchemaOp::AddIndex { table, index: i } | SchemaOp::DropIndex { table, index: i } => {
            let name = if matches!(op, SchemaOp::AddIndex { .. }) {
                "add_index"
            } else {
                "drop_index"
            };
            op_line(out, name);
            line(out, "table", &string(table));
            line(out, "index", &index(i));
        }
        SchemaOp::AddUnique { table, unique: u } | SchemaOp::DropUnique { table, unique: u } => {
            let name = if matches!(op, SchemaOp::AddUnique { .. }) {
                "add_unique"
            } else {
                "drop_unique"
            };
            op_line(out, name);
            line(out, "table", &string(table));
            line(out, "unique", &unique(u));
        }
        SchemaOp::AddForeignKey {
            table,
            foreign_key: k,
        }
        | SchemaOp::DropForeignKey {
            table,
            foreign_key: k,
        } => {
            let name = if matches!(op, SchemaOp::AddForeignKey { .. }) {
                "add_foreign_key"
            } else {
                "drop_foreign_key"
            };
            op_line(out, name);
            line(out, "table", &string(table));
            line(out, "foreign_key", &foreign_key(k));
        }
        SchemaOp::AddCheck { table, check: c } | SchemaOp::DropCheck { table, check: c } => {
            let name = if matches!(op, SchemaOp::AddCheck { .. }) {
                "add_check"
            } else {
                "drop_check"
            };
            op_line(out, name);
            line(out, "table", &string(table));
            line(out, "check", &check(c));
        }
    }
}

fn whole_table(out: &mut String, t: &Table) {
    line(out, "table", &string(&t.name));
    list(out, "columns", t.columns.iter().map(column));
    list(out, "foreign_keys", t.foreign_keys.iter().map(foreign_key));
    list(out, "indexes", t.indexes.iter().map(index));
    list(out, "uniques", t.uniques.iter().map(unique));
    list(out, "checks", t.checks.iter().map(check));
}

/// An array of inline tables, one per line; nothing when empty.
fn list(out: &mut String, key: &str, items: impl Iterator<Item = String>) {
    let items: Vec<String> = items.collect();
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "{key} = [");
    for item in items {
        let _ = writeln!(out, "    {item},");
    }
    out.push_str("]\n");
}

/// `{ k = v, ... }` from the pairs that are present.
fn inline(pairs: Vec<(&str, String)>) -> String {
    let body: Vec<String> = pairs
        .into_iter()
        .map(|(k, v)| format!("{k} = {v}"))
        .collect();
    format!("{{ {} }}", body.join(", "))
}

fn column(c: &Column) -> String {
    let mut pairs = vec![("name", string(&c.name))];
    // A custom type read as unbounded text is written alone in `type` when the name cannot
    // be mistaken for a neutral one; otherwise `type` holds the neutral type and `custom`
    // the verbatim one.
    match &c.custom_type {
        Some(custom) if c.sql_type == SqlType::Text(None) && parse_type(custom).is_none() => {
            pairs.push(("type", string(custom)));
        }
        Some(custom) => {
            pairs.push(("type", string(&type_name(c.sql_type))));
            pairs.push(("custom", string(custom)));
        }
        None => pairs.push(("type", string(&type_name(c.sql_type)))),
    }
    for (key, on) in [
        ("primary_key", c.primary_key),
        ("autoincrement", c.autoincrement),
        ("nullable", c.nullable),
        ("unique", c.unique),
        ("index", c.index),
    ] {
        if on {
            pairs.push((key, "true".into()));
        }
    }
    if let Some(d) = &c.server_default {
        pairs.push(("default", string(d)));
    }
    inline(pairs)
}

fn action_name(a: ReferentialAction) -> &'static str {
    match a {
        ReferentialAction::NoAction => "no action",
        ReferentialAction::Restrict => "restrict",
        ReferentialAction::Cascade => "cascade",
        ReferentialAction::SetNull => "set null",
        ReferentialAction::SetDefault => "set default",
    }
}

fn foreign_key(k: &ForeignKey) -> String {
    let mut pairs = Vec::new();
    if let Some(n) = &k.name {
        pairs.push(("name", string(n)));
    }
    pairs.push(("columns", strings(&k.columns)));
    pairs.push(("ref_table", string(&k.ref_table)));
    pairs.push(("ref_columns", strings(&k.ref_columns)));
    if let Some(a) = k.on_delete {
        pairs.push(("on_delete", string(action_name(a))));
    }
    if let Some(a) = k.on_update {
        pairs.push(("on_update", string(action_name(a))));
    }
    if k.use_alter {
        pairs.push(("use_alter", "true".into()));
    }
    inline(pairs)
}

fn index(i: &Index) -> String {
    let mut pairs = vec![("name", string(&i.name)), ("columns", strings(&i.columns))];
    if i.unique {
        pairs.push(("unique", "true".into()));
    }
    if let Some(w) = &i.where_sql {
        pairs.push(("where", string(w)));
    }
    inline(pairs)
}

fn unique(u: &UniqueConstraint) -> String {
    let mut pairs = Vec::new();
    if let Some(n) = &u.name {
        pairs.push(("name", string(n)));
    }
    pairs.push(("columns", strings(&u.columns)));
    inline(pairs)
}

fn check(c: &CheckConstraint) -> String {
    let mut pairs = Vec::new();
    if let Some(n) = &c.name {
        pairs.push(("name", string(n)));
    }
    pairs.push(("sql", string(&c.sql)));
    if let Some(rule) = &c.rule {
        pairs.push(("rule", string(rule.rule_name())));
        pairs.push(("column", string(rule.column())));
        match rule {
            CheckRule::Length { min, max, .. } => {
                if let Some(m) = min {
                    pairs.push(("min", m.to_string()));
                }
                if let Some(m) = max {
                    pairs.push(("max", m.to_string()));
                }
            }
            CheckRule::Range { min, max, .. } => {
                if let Some(m) = min {
                    pairs.push(("min", rule_value(m)));
                }
                if let Some(m) = max {
                    pairs.push(("max", rule_value(m)));
                }
            }
            CheckRule::OneOf { values, .. } => {
                let items: Vec<String> = values.iter().map(rule_value).collect();
                pairs.push(("values", format!("[{}]", items.join(", "))));
            }
            _ => {}
        }
    }
    inline(pairs)
}

/// A rule literal in TOML: an integer, a float that reads back as a float, or a string.
fn rule_value(v: &RuleValue) -> String {
    match v {
        RuleValue::Int(i) => i.to_string(),
        RuleValue::Float(f) => format!("{f:?}"),
        RuleValue::Text(s) => string(s),
    }
}

fn strings(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| string(s)).collect();
    format!("[{}]", quoted.join(", "))
}

/// A TOML basic string: `"..."` with `"`, `\` and control characters escaped.
fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// SQL text: a multi-line literal block when it spans lines and can be written as one
/// (no `'''`, no control character but newline and tab, not ending in `'`), else a basic
/// string.
fn sql_text(s: &str) -> String {
    let literal_ok = s.contains('\n')
        && !s.contains("'''")
        && !s.ends_with('\'')
        && !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t');
    if literal_ok {
        format!("'''\n{s}'''")
    } else {
        string(s)
    }
}
