//! The models of `tests/session_model.rs`, in a file of their own so that `tests/schema_diff.rs`
//! checks that each reflects exactly as declared.
#![allow(dead_code)]

use cinnabar::prelude::*;

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "items")]
pub(crate) struct Item {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    pub label: String,
    pub qty: i64,
    /// Unique; the sentinel row holds `TAKEN` (session_model.rs), so an object given it fails
    /// to flush.
    #[cinnabar(unique)]
    pub tag: Option<i64>,
}
