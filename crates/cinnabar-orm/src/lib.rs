//! Cinnabar's ORM layer: the [`Model`] trait (derived), the [`Session`] with its identity
//! map and unit of work, typed [`Query`]s, and set-based [`update`]/[`delete`].
//!
//! Builds on `cinnabar-engine`; every write is an ordinary core statement.

mod bulk;
mod handle;
mod loading;
mod model;
mod query;
mod registry;
mod relation;
mod retry;
mod savepoint;
mod session;
mod validation;

pub use bulk::{delete, update, BulkDelete, BulkStatement, BulkUpdate};
pub use handle::{Handle, ObjectState, ReadGuard, WriteGuard};
pub use loading::{joined, selectin, JoinSpec, Joined, Loader, Selectin};
pub use model::Model;
pub use query::{select_model, Query};
pub use relation::{BelongsTo, HasMany, HasOne, Relation, RelationDef, RelationKind, Through};
pub use retry::RetryPolicy;
pub use session::{Session, SessionOptions};
pub use validation::{validate_object, Bound, FieldRules, Rule};

/// The `regex` crate, for the code `#[derive(Model)]` generates (`validate(pattern = ..)`).
#[doc(hidden)]
pub use regex as __regex;

impl Session {
    /// Runs a set-based [`update`] or [`delete`], keeping the identity map consistent.
    /// Returns the affected-row count.
    ///
    /// # Errors
    /// Flush, compilation and database errors.
    pub fn execute_bulk(&mut self, statement: impl BulkStatement) -> cinnabar_core::Result<u64> {
        statement.run_in(self)
    }
}
