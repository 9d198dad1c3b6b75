//! `cinnabar codegen`'s library half: turns reflected [`Table`]s into the source of a module of
//! `#[derive(Model)]` structs, one per table, with their keys, constraints, indexes, defaults
//! and both sides of each relationship. No I/O: the command (`command.rs`) reflects the
//! database and writes what [`generate`] returns; tests call [`generate`] on tables built by
//! hand (golden outputs) and on reflected ones (the round trip).
//!
//! The steps are one file each: `names.rs` (struct and field names), `types.rs` (SqlType ->
//! Rust type), `plan.rs` (which tables can be models; the fields, keys and defaults of one),
//! `constraints.rs` (its uniques, indexes, foreign keys and checks, and what the derive
//! cannot declare), `relations.rs` (relationships between the models, many-to-many
//! through association tables, `post_update` for reference cycles), `render.rs` (the text).

mod constraints;
mod names;
mod plan;
mod relations;
mod render;
mod types;

use std::fmt;

use cinnabar_core::dialect::Dialect;
use cinnabar_core::schema::Table;
use cinnabar_core::{Error, Result};

/// What [`generate`] needs besides the tables.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CodegenOptions {
    /// Field types chosen by the user instead of the mapping (`--type-override`).
    pub type_overrides: Vec<TypeOverride>,
    /// Whether the database keeps a UNIQUE constraint as a unique index, so a reflected
    /// unique index is declared as `unique` without a note (MySQL and MariaDB; the dialect's
    /// `Catalog::unique_constraints_are_indexes`).
    pub unique_indexes_are_constraints: bool,
    /// Names the source in the module's header, e.g. `"postgresql"` (never a URL).
    pub source: Option<String>,
}

impl CodegenOptions {
    /// Default options: the documented type mapping, no source named.
    pub fn new() -> Self {
        CodegenOptions::default()
    }

    /// The options for a database of `dialect`: its name as the source, and whether its
    /// unique constraints are unique indexes.
    pub fn for_dialect(dialect: &dyn Dialect) -> Self {
        CodegenOptions::new()
            .source(dialect.name())
            .unique_indexes_are_constraints(
                dialect
                    .catalog()
                    .is_some_and(|c| c.unique_constraints_are_indexes()),
            )
    }

    /// Adds a type override.
    pub fn type_override(mut self, o: TypeOverride) -> Self {
        self.type_overrides.push(o);
        self
    }

    /// Sets [`CodegenOptions::unique_indexes_are_constraints`].
    pub fn unique_indexes_are_constraints(mut self, yes: bool) -> Self {
        self.unique_indexes_are_constraints = yes;
        self
    }

    /// Sets [`CodegenOptions::source`].
    pub fn source(mut self, name: impl Into<String>) -> Self {
        self.source = Some(name.into());
        self
    }
}

/// `--type-override table.column=RustType`: the field of `table.column` gets `rust_type`
/// (wrapped in `Option` when the column is nullable), written as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeOverride {
    /// The table's name in the database.
    pub table: String,
    /// The column's name in the database.
    pub column: String,
    /// The Rust type, e.g. `crate::types::Email` or `u32`.
    pub rust_type: String,
}

impl TypeOverride {
    /// Parses `table.column=RustType` (the column is what follows the last `.` before `=`).
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) naming the argument when it
    /// does not have that form or the type does not parse as a Rust type.
    pub fn parse(spec: &str) -> Result<TypeOverride> {
        let bad = |why: &str| {
            Error::misuse(format!(
                "--type-override {spec:?}: {why}; expected table.column=RustType, e.g. users.email=String"
            ))
        };
        let (target, ty) = spec.split_once('=').ok_or_else(|| bad("no `=`"))?;
        let (table, column) = target
            .rsplit_once('.')
            .filter(|(t, c)| !t.is_empty() && !c.is_empty())
            .ok_or_else(|| bad("the left side is not table.column"))?;
        let ty = ty.trim();
        if ty.is_empty() || syn::parse_str::<syn::Type>(ty).is_err() {
            return Err(bad(&format!("{ty:?} is not a Rust type")));
        }
        Ok(TypeOverride {
            table: table.to_string(),
            column: column.to_string(),
            rust_type: ty.to_string(),
        })
    }
}

/// Something the generated code cannot express exactly, reported on standard error by the
/// command and as a comment in the code where it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The table concerned.
    pub table: String,
    /// The column concerned, if one.
    pub column: Option<String>,
    /// What was changed or left out, and why.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "{}.{}: {}", self.table, c, self.message),
            None => write!(f, "{}: {}", self.table, self.message),
        }
    }
}

/// One generated model.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GeneratedModel {
    /// The table's name.
    pub table: String,
    /// The struct's name.
    pub struct_name: String,
    /// The module (file stem) it goes in with `--out`.
    pub module: String,
    /// The file's text with `--out` (its own `use` lines, `use super::..` for related models).
    pub file: String,
}

/// What [`generate`] produces.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Generated {
    /// Every model in one self-contained module (standard output, or `src/models.rs`).
    pub module: String,
    /// One entry per model, for `--out DIR`.
    pub models: Vec<GeneratedModel>,
    /// `DIR/mod.rs` for `--out DIR`: declares the files, re-exports the structs, and has
    /// `metadata()`.
    pub mod_rs: String,
    /// What could not be expressed exactly, in table order.
    pub warnings: Vec<Warning>,
}

/// Generates `#[derive(Model)]` structs for `tables` (as reflection returns them). Tables
/// that cannot be a model (no primary key, a key of more than 4 columns or of a type that is
/// not `Hash + Eq`) are left out with a warning; constraints the derive cannot express are
/// left out or changed with a warning and a comment in the code. The output is the same for
/// the same input.
///
/// # Errors
/// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) when a type override names a table
/// or column that is not among `tables`.
pub fn generate(tables: &[Table], options: &CodegenOptions) -> Result<Generated> {
    for o in &options.type_overrides {
        let table = tables.iter().find(|t| t.name == o.table).ok_or_else(|| {
            Error::misuse(format!(
                "--type-override {}.{}: there is no table {:?} among the generated tables",
                o.table, o.column, o.table
            ))
        })?;
        if table.get_column(&o.column).is_none() {
            return Err(Error::misuse(format!(
                "--type-override {}.{}: table {:?} has no column {:?}",
                o.table, o.column, o.table, o.column
            )));
        }
    }
    let mut sorted: Vec<&Table> = tables.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let mut warnings = Vec::new();
    let mut models = plan::plan_models(&sorted, options, &mut warnings);
    relations::add_relations(&mut models, &mut warnings);
    // Warnings in table order, each table's in the order they were found.
    let order = |w: &Warning| sorted.iter().position(|t| t.name == w.table);
    warnings.sort_by_key(order);
    Ok(render::render(&models, options, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_overrides_parse_or_say_why_not() {
        let o = TypeOverride::parse("users.email=crate::Email").unwrap();
        assert_eq!(
            (o.table.as_str(), o.column.as_str(), o.rust_type.as_str()),
            ("users", "email", "crate::Email")
        );
        let o = TypeOverride::parse("app.users.id = u32").unwrap();
        assert_eq!(
            (o.table.as_str(), o.rust_type.as_str()),
            ("app.users", "u32")
        );
        for bad in [
            "users.email",
            "email=String",
            ".x=String",
            "users.email=",
            "t.c=not a type",
        ] {
            let e = TypeOverride::parse(bad).unwrap_err();
            assert!(e.message().contains("--type-override"), "{e}");
            assert!(e.message().contains(bad), "{e}");
        }
    }
}
