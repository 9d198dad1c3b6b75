//! The revision file format (TOML): [`parse_revision`] reads a file into a
//! [`Revision`](crate::Revision), [`write_revision`] writes one; both use the dialect-neutral
//! type names of [`types`]. See `docs/migrations/revisions.md` for the format.

mod fields;
mod read;
#[cfg(test)]
mod tests;
pub mod types;
mod write;

pub use read::{is_revision_id, parse_revision, OPS};
pub use write::write_revision;
