//! The constraints of one planned model: single- and multi-column UNIQUE (constraints, column
//! flags, unique indexes), non-unique indexes, single-column foreign keys with ON DELETE, and
//! CHECK constraints, each as the attribute the derive takes, with a warning and a comment
//! for what it cannot declare (partial indexes, multi-column foreign keys, ON UPDATE, ...).
//! Called by `plan.rs` for each table.

use cinnabar_core::schema::{shorten_generated_name, ReferentialAction, Table};

use super::plan::{FieldForeignKey, FieldPlan, ModelPlan, Report};
use super::CodegenOptions;

fn field_name(fields: &[FieldPlan], column: &str) -> Option<String> {
    fields
        .iter()
        .find(|f| f.column == column)
        .map(|f| f.ident.clone())
}

fn add_attr(fields: &mut [FieldPlan], column: &str, attr: &str) {
    if let Some(f) = fields.iter_mut().find(|f| f.column == column) {
        if !f.attrs.iter().any(|a| a == attr) {
            f.attrs.push(attr.to_string());
        }
    }
}

/// Single-column UNIQUE (a constraint, the column flag, or a unique index) -> field
/// `unique`; several columns -> struct `unique(..)`.
pub(super) fn plan_uniques(
    table: &Table,
    options: &CodegenOptions,
    fields: &mut [FieldPlan],
    plan: &mut ModelPlan,
    notes: &mut Vec<String>,
    report: &mut Report<'_>,
) {
    let mut sets: Vec<Vec<String>> = Vec::new();
    let flagged = table
        .columns
        .iter()
        .filter(|c| c.unique)
        .map(|c| vec![c.name.clone()]);
    let constraints = table.uniques.iter().map(|u| u.columns.clone());
    for cols in flagged.chain(constraints) {
        if !sets.contains(&cols) {
            sets.push(cols);
        }
    }
    for ix in table.indexes.iter().filter(|i| i.unique) {
        if ix.where_sql.is_some() {
            continue; // reported with the indexes
        }
        if sets.contains(&ix.columns) {
            if !options.unique_indexes_are_constraints {
                report.warn(
                    None,
                    format!("unique index {} repeats a unique constraint on the same columns; it is not generated", ix.name),
                );
            }
            continue;
        }
        if !options.unique_indexes_are_constraints {
            notes.push(format!(
                "unique index {} on ({}) is declared as a UNIQUE constraint",
                ix.name,
                ix.columns.join(", ")
            ));
            report.warn(
                None,
                format!("unique index {} is generated as a UNIQUE constraint (the derive declares no unique indexes)", ix.name),
            );
        }
        sets.push(ix.columns.clone());
    }
    for cols in sets {
        let Some(idents) = cols
            .iter()
            .map(|c| field_name(fields, c))
            .collect::<Option<Vec<_>>>()
        else {
            report.warn(None, format!("a unique constraint on ({}) names a column the table does not have; it is not generated", cols.join(", ")));
            continue;
        };
        if let [one] = cols.as_slice() {
            add_attr(fields, one, "unique");
            plan.unique_columns.insert(one.clone());
        } else {
            plan.uniques.push(idents);
        }
    }
}

/// Non-unique indexes: one column -> field `index`, several -> struct `index(..)`. The derive
/// names them `ix_<table>_<columns>`; another name is noted.
pub(super) fn plan_indexes(
    table: &Table,
    fields: &mut [FieldPlan],
    plan: &mut ModelPlan,
    notes: &mut Vec<String>,
    report: &mut Report<'_>,
) {
    let mut seen: Vec<Vec<String>> = Vec::new();
    let flagged = table
        .columns
        .iter()
        .filter(|c| c.index)
        .map(|c| (None, vec![c.name.clone()]));
    let listed = table
        .indexes
        .iter()
        .filter(|i| !i.unique || i.where_sql.is_some())
        .map(|i| (Some(i), i.columns.clone()));
    for (ix, cols) in flagged.chain(listed) {
        if let Some(where_sql) = ix.and_then(|i| i.where_sql.as_ref()) {
            let ix = ix.map_or("", |i| i.name.as_str());
            notes.push(format!(
                "partial index {ix} WHERE {where_sql} (not generated)"
            ));
            report.warn(None, format!("partial index {ix} (WHERE {where_sql}) is not generated: the derive has no partial indexes"));
            continue;
        }
        if seen.contains(&cols) {
            if let Some(ix) = ix {
                report.warn(
                    None,
                    format!(
                        "index {} repeats another index on the same columns; it is not generated",
                        ix.name
                    ),
                );
            }
            continue;
        }
        seen.push(cols.clone());
        let Some(idents) = cols
            .iter()
            .map(|c| field_name(fields, c))
            .collect::<Option<Vec<_>>>()
        else {
            let name = ix.map_or("", |i| i.name.as_str());
            report.warn(
                None,
                format!(
                    "index {name} is on something other than columns ({}); it is not generated",
                    cols.join(", ")
                ),
            );
            continue;
        };
        let single_non_key = matches!(cols.as_slice(), [one] if !plan.primary_key.contains(one));
        // The derive's names: `ix_<table>_<column>` (cut with a hash beyond 63 bytes) for a
        // field's index, `ix_<table>_<columns joined by _>` for the struct's.
        let derived = if single_non_key {
            shorten_generated_name(format!("ix_{}_{}", table.name, cols[0]))
        } else {
            format!("ix_{}_{}", table.name, cols.join("_"))
        };
        if let Some(ix) = ix {
            if ix.name != derived {
                notes.push(format!(
                    "index {} on ({}) is created as {derived}",
                    ix.name,
                    cols.join(", ")
                ));
                report.warn(
                    None,
                    format!(
                        "index {} is generated as {derived} (the derive names indexes)",
                        ix.name
                    ),
                );
            }
        }
        if single_non_key {
            add_attr(fields, &cols[0], "index");
        } else {
            plan.indexes.push(idents);
        }
    }
}

/// Single-column foreign keys -> field `foreign_key` / `on_delete`; what the derive cannot
/// declare (several columns, ON UPDATE) is noted.
pub(super) fn plan_foreign_keys(
    table: &Table,
    fields: &mut [FieldPlan],
    plan: &mut ModelPlan,
    notes: &mut Vec<String>,
    report: &mut Report<'_>,
) {
    for fk in &table.foreign_keys {
        let target = format!("{}({})", fk.ref_table, fk.ref_columns.join(", "));
        let ([column], [ref_column]) = (fk.columns.as_slice(), fk.ref_columns.as_slice()) else {
            notes.push(format!(
                "FOREIGN KEY ({}) REFERENCES {target} (not generated)",
                fk.columns.join(", ")
            ));
            report.warn(None, format!("the foreign key ({}) -> {target} is not generated: the derive declares single-column foreign keys", fk.columns.join(", ")));
            continue;
        };
        let spec = format!("{}.{}", fk.ref_table, ref_column);
        if spec.chars().any(char::is_whitespace) || ref_column.contains('.') {
            notes.push(format!(
                "FOREIGN KEY ({column}) REFERENCES {target} (not generated)"
            ));
            report.warn(Some(column), format!("the foreign key to {target} is not generated: foreign_key = \"table.column\" cannot name it"));
            continue;
        }
        let Some(field) = fields.iter_mut().find(|f| &f.column == column) else {
            report.warn(None, format!("the foreign key on {column:?} names a column the table does not have; it is not generated"));
            continue;
        };
        if field.attrs.iter().any(|a| a.starts_with("foreign_key")) {
            field
                .notes
                .push(format!("also references {target} (not generated)"));
            report.warn(
                Some(column),
                format!(
                    "a second foreign key, to {target}, is not generated: a field declares one"
                ),
            );
            continue;
        }
        field.attrs.push(format!("foreign_key = {spec:?}"));
        match fk.on_delete {
            None | Some(ReferentialAction::NoAction) => {}
            Some(ReferentialAction::SetNull) if !field.optional => {
                field
                    .notes
                    .push("ON DELETE SET NULL (not generated: the field is not an Option)".into());
                report.warn(Some(column), "ON DELETE SET NULL is not generated: the derive needs the field to be an Option".into());
            }
            Some(action) => field.attrs.push(format!(
                "on_delete = {:?}",
                action.as_sql().to_ascii_lowercase()
            )),
        }
        if let Some(action) = fk.on_update.filter(|a| *a != ReferentialAction::NoAction) {
            field
                .notes
                .push(format!("ON UPDATE {} (not generated)", action.as_sql()));
            report.warn(
                Some(column),
                format!(
                    "ON UPDATE {} is not generated: the derive declares only on_delete",
                    action.as_sql()
                ),
            );
        }
        plan.foreign_keys.push(FieldForeignKey {
            column: column.clone(),
            ref_table: fk.ref_table.clone(),
            ref_column: ref_column.clone(),
        });
    }
}

/// CHECK constraints in the database's order: `check = ".."` when the name is the one the
/// derive would give the check at that position (`ck_<table>_<n>`), else named.
pub(super) fn plan_checks(table: &Table, plan: &mut ModelPlan) {
    for (i, check) in table.checks.iter().enumerate() {
        let generated = shorten_generated_name(format!("ck_{}_{}", table.name, i + 1));
        plan.checks.push(match &check.name {
            Some(name) if *name != generated => {
                format!("check(name = {name:?}, sql = {:?})", check.sql)
            }
            _ => format!("check = {:?}", check.sql),
        });
    }
}
