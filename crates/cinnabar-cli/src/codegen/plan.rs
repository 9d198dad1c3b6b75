//! The plan of each model before its relationships: which tables can be models, struct and
//! field names, field types, and the attributes for keys, defaults, uniques, indexes and
//! foreign keys, with a warning (and a comment in the code) for everything the derive cannot
//! express. `relations.rs` adds the relationship fields; `render.rs` writes the text.

use std::collections::HashSet;

use cinnabar_core::schema::{Column, Table};

use super::constraints;
use super::names::{self, Scope};
use super::types::{self, Import, RustType};
use super::{CodegenOptions, Warning};

/// The most primary-key columns the derive's key type (a tuple) supports.
const MAX_KEY_COLUMNS: usize = 4;

/// One model to generate.
#[derive(Debug)]
pub(crate) struct ModelPlan {
    pub table: String,
    pub struct_name: String,
    pub module: String,
    /// Comments written above the struct.
    pub notes: Vec<String>,
    pub fields: Vec<FieldPlan>,
    /// Struct-level `unique(..)` lists, as field names.
    pub uniques: Vec<Vec<String>>,
    /// Struct-level `index(..)` lists, as field names.
    pub indexes: Vec<Vec<String>>,
    /// Struct-level `check = ".."` / `check(name = .., sql = ..)` items.
    pub checks: Vec<String>,
    /// Single-column foreign keys the fields declare (the relationships' raw material).
    pub foreign_keys: Vec<FieldForeignKey>,
    /// Primary-key column names.
    pub primary_key: Vec<String>,
    /// Columns unique on their own (a one-to-one's foreign key).
    pub unique_columns: HashSet<String>,
    /// Relationship fields, added by `relations.rs`.
    pub relations: Vec<RelationPlan>,
    /// Field names taken so far, for relationship names.
    pub scope: Scope,
}

impl ModelPlan {
    /// The field of `column`.
    pub(crate) fn field(&self, column: &str) -> Option<&FieldPlan> {
        self.fields.iter().find(|f| f.column == column)
    }
}

/// One column field.
#[derive(Debug)]
pub(crate) struct FieldPlan {
    /// The name as written (`r#type` for a keyword).
    pub ident: String,
    pub column: String,
    /// The full type, `Option<..>` included.
    pub rust_type: String,
    pub imports: Vec<Import>,
    /// Whether the type is `Option<..>`.
    pub optional: bool,
    /// The `#[cinnabar(..)]` items, in order.
    pub attrs: Vec<String>,
    /// Comments written above the field.
    pub notes: Vec<String>,
}

/// A single-column foreign key a field declares.
#[derive(Debug, Clone)]
pub(crate) struct FieldForeignKey {
    pub column: String,
    pub ref_table: String,
    pub ref_column: String,
}

/// Which relationship type a field has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RelationKind {
    BelongsTo,
    HasMany,
    HasOne,
    ManyToMany,
}

/// One relationship field.
#[derive(Debug)]
pub(crate) struct RelationPlan {
    pub ident: String,
    pub kind: RelationKind,
    pub target: String,
    /// The items of `relation(..)`.
    pub items: Vec<String>,
    /// A comment naming the foreign key it follows.
    pub note: String,
}

/// The plans of every table that can be a model, in table-name order.
pub(crate) fn plan_models(
    tables: &[&Table],
    options: &CodegenOptions,
    warnings: &mut Vec<Warning>,
) -> Vec<ModelPlan> {
    let mut type_names = Scope::default();
    let mut modules = Scope::default();
    let mut out = Vec::new();
    for table in tables {
        if let Err(why) = can_be_model(table, options) {
            warnings.push(Warning {
                table: table.name.clone(),
                column: None,
                message: format!("skipped: {why}"),
            });
            continue;
        }
        let base = names::struct_name(&table.name).unwrap_or_else(|| "Table".into());
        let struct_name = claim_type(&mut type_names, &base);
        let module = modules.claim(&names::module_name(&struct_name));
        out.push(plan_model(table, struct_name, module, options, warnings));
    }
    out
}

/// Struct names are unique across the module: `Student`, then `Student2`.
fn claim_type(scope: &mut Scope, base: &str) -> String {
    // Struct names are CamelCase, so the scope's snake-case numbering is not used.
    let mut name = base.to_string();
    let mut n = 2;
    while scope.claim(&name) != name {
        name = format!("{base}{n}");
        n += 1;
    }
    name
}

/// Why `table` cannot be a model, if it cannot.
fn can_be_model(table: &Table, options: &CodegenOptions) -> Result<(), String> {
    if table.columns.is_empty() {
        return Err("the table has no columns".into());
    }
    let pk: Vec<&Column> = table.columns.iter().filter(|c| c.primary_key).collect();
    if pk.is_empty() {
        return Err("the table has no primary key, which a Model needs".into());
    }
    if pk.len() > MAX_KEY_COLUMNS {
        return Err(format!(
            "its primary key has {} columns; a Model's key has at most {MAX_KEY_COLUMNS}",
            pk.len()
        ));
    }
    for c in pk {
        if override_for(options, &table.name, &c.name).is_some() {
            continue;
        }
        let problem = match types::rust_type(&c.sql_type) {
            None => format!("has type {:?}, which has no Rust type here", c.sql_type),
            Some(t) if !t.keyable => {
                format!("is {}, which cannot be a key (not Hash + Eq)", t.text)
            }
            Some(_) => continue,
        };
        return Err(format!(
            "primary-key column {:?} {problem}; give it a type with --type-override {}.{}=TYPE",
            c.name, table.name, c.name
        ));
    }
    Ok(())
}

fn override_for<'a>(options: &'a CodegenOptions, table: &str, column: &str) -> Option<&'a str> {
    options
        .type_overrides
        .iter()
        .find(|o| o.table == table && o.column == column)
        .map(|o| o.rust_type.as_str())
}

/// Collects the warnings of one table.
pub(super) struct Report<'a> {
    table: &'a str,
    warnings: &'a mut Vec<Warning>,
}

impl Report<'_> {
    pub(super) fn warn(&mut self, column: Option<&str>, message: String) {
        self.warnings.push(Warning {
            table: self.table.to_string(),
            column: column.map(str::to_string),
            message,
        });
    }
}

fn plan_model(
    table: &Table,
    struct_name: String,
    module: String,
    options: &CodegenOptions,
    warnings: &mut Vec<Warning>,
) -> ModelPlan {
    let mut report = Report {
        table: &table.name,
        warnings,
    };
    let mut scope = Scope::default();
    let pk: Vec<&Column> = table.columns.iter().filter(|c| c.primary_key).collect();
    let mut fields: Vec<FieldPlan> = table
        .columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| plan_field(table, c, i, pk.len(), options, &mut scope, &mut report))
        .collect();
    let mut notes = Vec::new();
    let mut plan = ModelPlan {
        table: table.name.clone(),
        struct_name,
        module,
        notes: Vec::new(),
        fields: Vec::new(),
        uniques: Vec::new(),
        indexes: Vec::new(),
        checks: Vec::new(),
        foreign_keys: Vec::new(),
        primary_key: pk.iter().map(|c| c.name.clone()).collect(),
        unique_columns: HashSet::new(),
        relations: Vec::new(),
        scope: Scope::default(),
    };
    constraints::plan_uniques(
        table,
        options,
        &mut fields,
        &mut plan,
        &mut notes,
        &mut report,
    );
    constraints::plan_indexes(table, &mut fields, &mut plan, &mut notes, &mut report);
    constraints::plan_foreign_keys(table, &mut fields, &mut plan, &mut notes, &mut report);
    constraints::plan_checks(table, &mut plan);
    plan.fields = fields;
    plan.notes = notes;
    plan.scope = scope;
    plan
}

fn plan_field(
    table: &Table,
    c: &Column,
    position: usize,
    pk_len: usize,
    options: &CodegenOptions,
    scope: &mut Scope,
    report: &mut Report<'_>,
) -> Option<FieldPlan> {
    let overridden = override_for(options, &table.name, &c.name).is_some();
    let ty: RustType = match override_for(options, &table.name, &c.name) {
        Some(t) => RustType::overridden(t),
        None => match types::rust_type(&c.sql_type) {
            Some(t) => t,
            None => {
                report.warn(
                    Some(&c.name),
                    format!("skipped: type {:?} has no Rust type here; give it one with --type-override {}.{}=TYPE", c.sql_type, table.name, c.name),
                );
                return None;
            }
        },
    };
    let base = names::snake(&c.name).unwrap_or_else(|| format!("column_{}", position + 1));
    let name = scope.claim(&base);
    let ident = names::ident(&name);
    let mut attrs = Vec::new();
    let mut notes = Vec::new();
    if let Some(custom) = &c.custom_type {
        // SQLite allows a column without a type; reflection gives it an empty name.
        let custom = if custom.trim().is_empty() {
            "(none declared)"
        } else {
            custom.as_str()
        };
        notes.push(format!(
            "database type {custom}, read as {} (the derive declares {})",
            ty.text,
            sql_type_label(c)
        ));
        report.warn(
            Some(&c.name),
            format!(
                "type {custom} has no Cinnabar type: the field is {}, and create_all would declare the column as {}",
                ty.text,
                sql_type_label(c)
            ),
        );
    }
    let mut optional = c.nullable && !c.primary_key;
    if c.primary_key {
        attrs.push("primary_key".to_string());
        let generated = pk_len == 1 && ty.generated_key;
        if c.autoincrement && generated {
            optional = true;
        } else if c.autoincrement {
            report.warn(
                Some(&c.name),
                "the database generates this key, but the derive generates only a single integer key (i16, i32, i64): the field is set by the program".into(),
            );
        }
        if c.server_default.is_some() && !optional {
            optional = true;
            if generated {
                attrs.push("autoincrement = false".into());
            }
        }
    } else if c.autoincrement {
        report.warn(
            Some(&c.name),
            "the database generates this column, which is not the primary key; the derive cannot say so: the field is set by the program".into(),
        );
    }
    if name != c.name {
        attrs.push(format!("column = {:?}", c.name));
    }
    match types::type_attributes(&c.sql_type) {
        // The derive checks that `length` sits on a text type and `precision` on a decimal,
        // which an overriding type may not be: its own SQL type is used instead.
        Ok(a) if overridden && !a.is_empty() => notes.push(format!(
            "{} in the database; the field takes its type's SQL type (--type-override)",
            types::sql_type_label(&c.sql_type)
        )),
        Ok(a) => attrs.extend(a),
        Err(why) => report.warn(Some(&c.name), why),
    }
    if let Some(default) = &c.server_default {
        if optional {
            attrs.push(format!("server_default = {default:?}"));
        } else {
            notes.push(format!("server default {default} (not generated: the column is NOT NULL and the derive takes server_default only on Option fields)"));
            report.warn(
                Some(&c.name),
                format!("server default {default} is not generated: the column is NOT NULL, and the derive takes server_default only on Option fields"),
            );
        }
    }
    let rust_type = if optional {
        format!("Option<{}>", ty.text)
    } else {
        ty.text.clone()
    };
    Some(FieldPlan {
        ident,
        column: c.name.clone(),
        rust_type,
        imports: ty.imports,
        optional,
        attrs,
        notes,
    })
}

/// `VARCHAR(50)`-like label of the type the derive will declare.
fn sql_type_label(c: &Column) -> String {
    types::sql_type_label(&c.sql_type)
}
