//! The [`Model`] trait: what `#[derive(Model)]` generates for a struct mapped to a table.
//!
//! The session uses it to build statements (through the table), decode rows positionally,
//! read and compare column values for change detection, and write back generated keys and
//! server defaults. Users never implement it by hand.

use std::fmt::Debug;
use std::hash::Hash;

use cinnabar_core::schema::Table;
use cinnabar_core::types::KeyValues;
use cinnabar_core::{Result, ValueRef};
use cinnabar_engine::{FromRow, Row};

use crate::relation::RelationDef;

/// A struct mapped to a table. Derive it with `#[derive(Model)]`.
pub trait Model: FromRow + Clone + Send + Sync + 'static {
    /// The identity-map key: the primary key's type without `Option` (a tuple for
    /// composite keys).
    type Key: Hash + Eq + Clone + Debug + Send + Sync + KeyValues + 'static;

    /// Column names in table order (the order of `from_row_at` and `column_value`).
    const COLUMNS: &'static [&'static str];

    /// Positions of the primary-key columns.
    const PRIMARY_KEY: &'static [usize];

    /// Position of the database-generated key column, if the model has one.
    const GENERATED_KEY: Option<usize>;

    /// Positions of columns with a server-side default (omitted from INSERT while unset,
    /// then read back).
    const SERVER_DEFAULTS: &'static [usize];

    /// Position of the `#[cinnabar(version)]` column (SQLAlchemy's `version_id_col`), if
    /// any: set to 1 at INSERT; every UPDATE and DELETE of the object matches it and an
    /// UPDATE adds 1, so a row another transaction changed since the load is a
    /// [`StaleData`](cinnabar_core::ErrorKind::StaleData) error instead of a lost update.
    const VERSION: Option<usize> = None;

    /// The model's table, built once.
    fn table() -> &'static Table;

    /// The model's name for messages.
    fn model_name() -> &'static str;

    /// This object's key, or `None` while a generated key is not yet assigned.
    fn key(&self) -> Option<Self::Key>;

    /// Decodes the key from `row`, whose model columns start at `offset`.
    ///
    /// # Errors
    /// A conversion error naming the column.
    fn key_from_row(row: &dyn Row, offset: usize) -> Result<Self::Key>;

    /// Decodes the object from `row`, whose model columns start at `offset`, in table order.
    ///
    /// # Errors
    /// A conversion error naming the column.
    fn from_row_at(row: &dyn Row, offset: usize) -> Result<Self>;

    /// Borrows column `idx` as a SQL value.
    ///
    /// # Errors
    /// A conversion error when the field cannot be stored (e.g. `u64` above `i64::MAX`).
    fn column_value(&self, idx: usize) -> Result<ValueRef<'_>>;

    /// Whether column `idx` differs between `self` and `other`.
    fn column_changed(&self, other: &Self, idx: usize) -> bool;

    /// Sets column `idx` from a SQL value (generated keys, server defaults, bulk updates).
    ///
    /// # Errors
    /// A conversion error naming the column.
    fn set_column(&mut self, idx: usize, value: ValueRef<'_>) -> Result<()>;

    /// Fills unset fields that have a Rust-side `default = ...`; called before INSERT.
    fn apply_defaults(&mut self) {}

    /// Whether the model has validation rules or a `validate_with` function: a constant, so
    /// a flush of models without validation does no work for it.
    const VALIDATES: bool = false;

    /// The fields' `#[cinnabar(validate(..))]` rules, checked by
    /// [`validate_object`](crate::validate_object).
    const FIELD_RULES: &'static [crate::FieldRules] = &[];

    /// The model's own validation (`#[cinnabar(validate_with = path)]`): `Ok(())` by default.
    ///
    /// # Errors
    /// The invalid fields the function reports.
    fn validate_model(&self) -> std::result::Result<(), cinnabar_core::ValidationErrors> {
        Ok(())
    }

    /// The model's relationships, one entry per relationship field in declaration order
    /// (`&[RelationDef::new(&Course::students)]`), emitted by the derive. The flush, the
    /// session and handles read it through one generic interpreter
    /// (`relation/hooks.rs`); a model without relationships keeps the empty default.
    #[doc(hidden)]
    const RELATIONS: &'static [RelationDef<Self>] = &[];
}
