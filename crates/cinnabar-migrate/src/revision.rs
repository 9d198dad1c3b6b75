//! A revision: one file of a migrations directory, its up and down [`Step`]s and its place
//! in the graph (`parents`). Read by [`MigrationDir`](crate::MigrationDir), applied by the
//! Migrator.

use std::path::PathBuf;

use cinnabar_core::dialect::Dialect;
use cinnabar_core::schema::diff::SchemaOp;

/// One revision, as loaded from `<id>_<slug>.toml`.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    /// The id: the UTC creation time `YYYYMMDDHHMMSS`.
    pub id: String,
    /// The revisions this one follows: none for the first, two or more for a merge.
    pub parents: Vec<String>,
    /// What the revision does, as given with `-m`.
    pub message: String,
    /// When it was created, RFC 3339 UTC (`2026-12-05T12:00:00Z`).
    pub created: String,
    /// Whether a step loses data (written only with `--allow-destructive`).
    pub destructive: bool,
    /// Why the revision cannot be undone, when it cannot (it then has no down steps).
    pub irreversible: Option<String>,
    /// The steps that apply the revision, in order.
    pub up: Vec<Step>,
    /// The steps that undo it, in order.
    pub down: Vec<Step>,
    /// [`checksum`](crate::checksum) of the file's text.
    pub checksum: String,
    /// The file it was read from (empty for a revision not yet written).
    pub path: PathBuf,
}

/// One step of a revision.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// A schema operation, compiled per dialect.
    Op(SchemaOp),
    /// A data step in SQL, per dialect.
    Sql(SqlStep),
    /// A data step in Rust: the name a function was registered under with the Migrator.
    Rust(String),
}

/// A data step written in SQL: one text per dialect, and `all` for any dialect without its
/// own. Each text may hold several statements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SqlStep {
    /// For any dialect without its own text.
    pub all: Option<String>,
    /// For SQLite.
    pub sqlite: Option<String>,
    /// For PostgreSQL.
    pub postgresql: Option<String>,
    /// For MySQL and MariaDB.
    pub mysql: Option<String>,
}

impl SqlStep {
    /// The SQL to run on `dialect`: its own text (chosen by [`Dialect::name`]), else `all`,
    /// else `None` (the step has nothing for this dialect).
    pub fn for_dialect(&self, dialect: &dyn Dialect) -> Option<&str> {
        let own = match dialect.name() {
            "sqlite" => self.sqlite.as_deref(),
            "postgresql" => self.postgresql.as_deref(),
            "mysql" => self.mysql.as_deref(),
            _ => None,
        };
        own.or(self.all.as_deref())
    }
}
