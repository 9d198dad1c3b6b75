//! Cinnabar's migrations: revision files in a migrations directory, the revision graph
//! (parents, merges, the committed `HEAD`), checksums, and autogenerate. The facade
//! re-exports this crate as `cinnabar::migrate`; the `Migrator` applies revisions through the
//! engine and the `cinnabar migrate` CLI drives both.
//!
//! This crate is an integration layer: it depends on `cinnabar-core` and `cinnabar-engine`,
//! never on the ORM.

mod checksum;
mod dir;
mod revision;

pub use checksum::checksum;
pub use dir::MigrationDir;
pub use revision::{Revision, SqlStep, Step};
