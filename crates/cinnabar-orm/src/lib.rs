//! Cinnabar's ORM layer: the [`Model`] trait (derived), the [`Session`] with its identity
//! map and unit of work, typed [`Query`]s, and set-based [`update`]/[`delete`].
//!
//! Builds on `cinnabar-engine`; every write is an ordinary core statement. The files, one
//! job each, and the one direction of their imports are mapped in docs/ARCHITECTURE.md
//! ("The session"): the flush is ordered in `unit_of_work/order.rs`, and generated keys
//! are mapped back in `persist/keys.rs`.

#![warn(clippy::unwrap_used)]

mod baseline;
mod bulk;
mod handle;
mod identity;
mod journal;
mod load;
mod loading;
mod memory;
mod model;
mod persist;
mod query;
mod relation;
mod retry;
mod select;
#[cfg(feature = "serde")]
mod serde_impls;
mod session;
mod unit_of_work;
mod validation;

pub use bulk::{delete, update, BulkDelete, BulkStatement, BulkUpdate};
pub use handle::{Handle, ObjectState, ReadGuard, WriteGuard};
pub use loading::{joined, selectin, JoinSpec, Joined, Loader, Selectin};
#[doc(hidden)]
pub use memory::{object_sizes, ObjectSizes};
pub use model::Model;
pub use query::{Page, Query, QueryIter, DEFAULT_CHUNK_SIZE};
pub use relation::{BelongsTo, HasMany, HasOne, Relation, RelationDef, RelationKind, Through};
pub use retry::{Retried, RetryPolicy};
pub use select::SelectQuery;
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
