//! What parsing produces: the validated descriptions of a `Model` or `FromRow` struct and its
//! fields that `expand` turns into code.

use proc_macro2::Span;
use syn::{Expr, Generics, Ident, Type, Visibility};

/// Keys accepted inside a field's `#[cinnabar(...)]` for `#[derive(Model)]`.
pub(crate) const MODEL_FIELD_KEYS: &[&str] = &[
    "primary_key",
    "autoincrement",
    "column",
    "length",
    "precision",
    "scale",
    "unique",
    "index",
    "default",
    "server_default",
    "foreign_key",
    "on_delete",
    "version",
    "renamed_from",
    "validate(...)",
];

/// Keys accepted inside the struct's `#[cinnabar(...)]` for `#[derive(Model)]`.
pub(crate) const MODEL_STRUCT_KEYS: &[&str] = &[
    "table",
    "unique(...)",
    "index(...)",
    "check = \"...\"",
    "check(name = \"...\", sql = \"...\")",
    "renamed_from",
    "validate_with = path::to::function",
];

/// A struct deriving `Model`, with every attribute validated.
#[derive(Debug)]
pub(crate) struct ModelDef {
    /// The struct's name.
    pub ident: Ident,
    /// The struct's visibility, given to the column constants.
    pub vis: Visibility,
    /// The model's name for messages (the struct name without `r#`).
    pub name: String,
    /// The table name.
    pub table: String,
    /// The table's previous name (`renamed_from = "old"`), a hint for migrations.
    pub renamed_from: Option<String>,
    /// One per field, in declaration order (= column order).
    pub fields: Vec<FieldDef>,
    /// Multi-column unique constraints, as column names.
    pub uniques: Vec<Vec<String>>,
    /// Multi-column indexes.
    pub indexes: Vec<IndexDef>,
    /// CHECK constraints, in declaration order.
    pub checks: Vec<CheckDef>,
    /// Position of the database-generated key field, if any.
    pub generated_key: Option<usize>,
    /// Position of the `#[cinnabar(version)]` field (optimistic concurrency), if any.
    pub version: Option<usize>,
    /// Relationship fields (not columns).
    pub relations: Vec<crate::relations::RelationDef>,
    /// `validate_with = path`: the model's own validation function.
    pub validate_with: Option<syn::Path>,
}

impl ModelDef {
    /// The primary-key fields with their positions, in field order.
    pub(crate) fn primary_key(&self) -> impl Iterator<Item = (usize, &FieldDef)> {
        self.fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.primary_key)
    }
}

/// One field of a model.
#[derive(Debug)]
pub(crate) struct FieldDef {
    /// The field's name.
    pub ident: Ident,
    /// The field's type.
    pub ty: Type,
    /// `T` when the field's type is syntactically `Option<T>`.
    pub option_inner: Option<Type>,
    /// The column name.
    pub column: String,
    /// Whether the field is (part of) the primary key.
    pub primary_key: bool,
    /// Whether the database generates the value (the generated key).
    pub autoincrement: bool,
    /// An explicit SQL type from `length` or `precision`/`scale`.
    pub sql_type: Option<SqlTypeOverride>,
    /// Single-column UNIQUE.
    pub unique: bool,
    /// Single-column index.
    pub index: bool,
    /// Rust-side default, applied when the field is `None`.
    pub default: Option<Expr>,
    /// SQL text of a server-side default.
    pub server_default: Option<String>,
    /// The referenced column.
    pub foreign_key: Option<ForeignKeyDef>,
    /// The column's previous name (`renamed_from = "old"`), a hint for migrations.
    pub renamed_from: Option<String>,
    /// `validate(...)`: the field's validation rules.
    pub validate: super::validate::ValidateDef,
}

impl FieldDef {
    /// The key part type: the field type without `Option`.
    pub(crate) fn key_type(&self) -> &Type {
        self.option_inner.as_ref().unwrap_or(&self.ty)
    }
}

/// An SQL type given by attributes instead of the field type.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SqlTypeOverride {
    /// `length = n`: `SqlType::Text(Some(n))`.
    Text { length: u32, span: Span },
    /// `precision = p, scale = s`: `SqlType::Decimal(p, s)`.
    Decimal {
        precision: u8,
        scale: u8,
        span: Span,
    },
}

/// `foreign_key = "table.column"` with its `on_delete`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ForeignKeyDef {
    /// Referenced table.
    pub table: String,
    /// Referenced column.
    pub column: String,
    /// ON DELETE action.
    pub on_delete: Option<OnDelete>,
}

/// The ON DELETE actions of `on_delete = "..."`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnDelete {
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl OnDelete {
    pub(super) const VALID: &'static str =
        "\"cascade\", \"set null\", \"restrict\", \"no action\", \"set default\"";

    pub(super) fn parse(s: &str) -> Option<Self> {
        let norm = s
            .split(|c: char| c.is_whitespace() || c == '_')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase();
        Some(match norm.as_str() {
            "cascade" => OnDelete::Cascade,
            "set null" => OnDelete::SetNull,
            "restrict" => OnDelete::Restrict,
            "no action" => OnDelete::NoAction,
            "set default" => OnDelete::SetDefault,
            _ => return None,
        })
    }

    /// The `ReferentialAction` variant name.
    pub(crate) fn variant(self) -> &'static str {
        match self {
            OnDelete::NoAction => "NoAction",
            OnDelete::Restrict => "Restrict",
            OnDelete::Cascade => "Cascade",
            OnDelete::SetNull => "SetNull",
            OnDelete::SetDefault => "SetDefault",
        }
    }
}

/// A multi-column index from the struct's `index(...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexDef {
    /// `ix_<table>_<columns joined by _>`.
    pub name: String,
    /// Column names.
    pub columns: Vec<String>,
}

/// A table CHECK constraint from the struct's `check = "..."` or
/// `check(name = "...", sql = "...")`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CheckDef {
    /// The constraint's name; `None` lets the table generate `ck_<table>_<n>`.
    pub name: Option<String>,
    /// The condition, SQL written by the model's author.
    pub sql: String,
}

/// A struct deriving `FromRow`.
#[derive(Debug)]
pub(crate) struct RowDef {
    /// The struct's name.
    pub ident: Ident,
    /// The struct's generics.
    pub generics: Generics,
    /// Fields in declaration order.
    pub fields: Vec<RowField>,
}

/// One field of a `FromRow` struct.
#[derive(Debug)]
pub(crate) struct RowField {
    /// The field's name.
    pub ident: Ident,
    /// The field's type.
    pub ty: Type,
    /// The column it is read from.
    pub column: String,
}
