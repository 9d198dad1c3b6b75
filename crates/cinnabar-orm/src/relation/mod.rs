//! Relationships between models: the field types [`HasMany`] (one-to-many) and
//! [`BelongsTo`] (many-to-one), the typed [`Relation`] constants the derive emits
//! (`Course::students`), and the flush-time key synchronisation.
//!
//! Field access never performs I/O: a relationship is either loaded (eagerly by a query
//! option such as [`selectin`](crate::selectin), or explicitly with
//! [`Session::load`](crate::Session::load)) or reading it is a `NotLoaded` error.
//!
//! One file per job: the field types (`has_many.rs`, `belongs_to.rs`), what a relationship
//! is (`meta.rs`) and the SQL it contributes to queries (`conditions.rs`), `back_populates`
//! (`back_populates.rs`), and the flush-time work: foreign keys (`keys.rs`), association
//! rows (`associations.rs`), the save-update cascade (`cascade.rs`). A model's
//! relationships reach the flush as a table the derive emits (`Model::RELATIONS`, entries
//! in `ops.rs`), which `hooks.rs` interprets for any model.

use cinnabar_core::{Error, ErrorKind};

mod associations;
mod back_populates;
mod belongs_to;
mod cascade;
mod conditions;
mod has_many;
pub(crate) mod hooks;
mod key_hash;
mod keys;
mod meta;
mod ops;

pub(crate) use associations::AssociationLog;
pub(crate) use back_populates::Owner;
pub use belongs_to::{BelongsTo, HasOne};
pub use has_many::HasMany;
pub(crate) use key_hash::KeyHash;
pub use meta::{Relation, RelationKind, Through};
pub use ops::RelationDef;

/// The error of reading a relationship field that was not loaded.
fn not_loaded(what: &str) -> Error {
    Error::new(
        ErrorKind::Misuse,
        format!(
            "relationship {what} was not loaded; load it with the query option \
             selectin(..) or with session.load(..) before reading it"
        ),
    )
}
