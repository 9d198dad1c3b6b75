//! Cinnabar's migrations: revision files in a migrations directory, the revision graph
//! (parents, merges, the committed `HEAD`), checksums, replaying revisions into a schema,
//! and autogenerate. The facade re-exports this crate as `cinnabar::migrate`; the `Migrator`
//! applies revisions through the engine and the `cinnabar migrate` CLI drives both.
//!
//! This crate is an integration layer: it depends on `cinnabar-core` and `cinnabar-engine`,
//! never on the ORM. See `docs/migrations/revisions.md` and `docs/migrations/applying.md`.

mod apply;
mod checksum;
mod clock;
mod dir;
pub mod format;
mod lock;
mod migrator;
mod offline;
mod plan;
mod progress;
mod revision;
mod version;

pub use checksum::checksum;
pub use dir::{MigrationDir, HEAD_FILE};
pub use migrator::{ChecksumStatus, HistoryEntry, Migrator, RustStep};
pub use offline::sql_for_upgrade;
pub use progress::{
    describe as describe_progress, Direction, Progress, ProgressEvent, ProgressKind, StderrProgress,
};
pub use revision::{generate_down, Revision, SqlStep, Step};
pub use version::{AppliedRevision, DEFAULT_VERSION_TABLE};
