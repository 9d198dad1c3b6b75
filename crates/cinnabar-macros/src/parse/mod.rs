//! Parsing: turns a `syn::DeriveInput` into a validated [`ModelDef`] or [`RowDef`], checking
//! every `#[cinnabar(...)]` attribute and reporting each mistake at its own span.
//!
//! `defs` holds what parsing produces; `meta` the attribute-reading helpers; `struct_attrs`
//! and `field_attrs` read the struct's and each field's attributes; `model` and `row` put a
//! derive's input together; `types` reads Rust types syntactically.

mod defs;
mod field_attrs;
mod meta;
mod model;
mod row;
mod struct_attrs;
mod types;
mod validate;

pub(crate) use defs::{FieldDef, ModelDef, RowDef, SqlTypeOverride};
pub(crate) use model::model;
pub(crate) use row::row;
pub(crate) use validate::{Number, OneOf};

#[cfg(test)]
mod tests;
