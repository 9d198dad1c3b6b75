//! Migrations compiled into the application binary: [`EmbeddedMigrations`], the value
//! `cinnabar::embed_migrations!("migrations")` expands to (each revision file and `HEAD`
//! through `include_str!`), turned into a [`MigrationDir`] at start-up and applied through
//! [`Migrator::from_embedded`] with the same lock as the CLI.

use std::path::{Path, PathBuf};

use cinnabar_core::Result;
use cinnabar_engine::Engine;

use crate::dir::MigrationDir;
use crate::format::parse_revision;
use crate::migrator::Migrator;

/// A migrations directory compiled into the binary: its revision files' names and texts and
/// its `HEAD`. Made by `cinnabar::embed_migrations!("migrations")`.
///
/// ```ignore
/// static MIGRATIONS: cinnabar::migrate::EmbeddedMigrations =
///     cinnabar::embed_migrations!("migrations");
///
/// let migrator = Migrator::from_embedded(&engine, &MIGRATIONS)?;
/// migrator.upgrade("head")?;
/// ```
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedMigrations {
    dir: &'static str,
    files: &'static [(&'static str, &'static str)],
    head: Option<&'static str>,
}

impl EmbeddedMigrations {
    /// The value `embed_migrations!` builds: `dir` as written in the macro (used in error
    /// messages and as the revisions' paths), each `*.toml` file's name and text, and the
    /// text of `HEAD` when the directory has one.
    pub const fn new(
        dir: &'static str,
        files: &'static [(&'static str, &'static str)],
        head: Option<&'static str>,
    ) -> Self {
        EmbeddedMigrations { dir, files, head }
    }

    /// The directory as written in the macro.
    pub fn dir(&self) -> &'static str {
        self.dir
    }

    /// The revision files' names and texts, as compiled in.
    pub fn files(&self) -> &'static [(&'static str, &'static str)] {
        self.files
    }

    /// Reads the compiled-in files as [`MigrationDir::load`] reads a directory: every file is
    /// checked, and the graph.
    ///
    /// # Errors
    /// As [`MigrationDir::load`]: a file that is not a valid revision (naming it), two files
    /// with one id, an unknown parent, a cycle.
    pub fn load(&self) -> Result<MigrationDir> {
        self.read()
            .map_err(|e| e.context(format!("embedded migrations {:?}", self.dir)))
    }

    fn read(&self) -> Result<MigrationDir> {
        let base = Path::new(self.dir);
        let mut files: Vec<&(&str, &str)> = self.files.iter().collect();
        files.sort_by_key(|(name, _)| *name);
        let mut revisions = Vec::with_capacity(files.len());
        for (name, text) in files {
            revisions.push(parse_revision(text, &base.join(name))?);
        }
        let head = self.head.map(|h| h.trim().to_string());
        MigrationDir::from_parts(PathBuf::from(self.dir), revisions, head)
    }
}

impl Migrator {
    /// A migrator for `engine`'s database and the migrations compiled into the binary (see
    /// [`EmbeddedMigrations`]); the rest is as [`Migrator::new`], lock included, so an
    /// application can run `upgrade("head")` at start-up while another instance does the same.
    ///
    /// # Errors
    /// As [`EmbeddedMigrations::load`].
    pub fn from_embedded(engine: &Engine, migrations: &EmbeddedMigrations) -> Result<Migrator> {
        Ok(Migrator::new(engine, migrations.load()?))
    }
}
