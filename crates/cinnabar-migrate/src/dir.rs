//! A migrations directory: the revision files, the committed `HEAD`, and the graph the
//! revisions form through their parents. The Migrator plans upgrades and downgrades with
//! [`MigrationDir::path_up`] and [`MigrationDir::path_down`]; the CLI lists and writes
//! revisions through it.

use std::path::{Path, PathBuf};

use cinnabar_core::{Error, Result};

use crate::revision::Revision;

/// The revisions of a migrations directory, in an order where every revision comes after its
/// parents (ties broken by id).
#[derive(Debug, Clone)]
pub struct MigrationDir {
    path: PathBuf,
    revisions: Vec<Revision>,
    head_file: Option<String>,
}

impl MigrationDir {
    /// Loads every `*.toml` revision file of the directory at `path` and its `HEAD`.
    ///
    /// # Errors
    /// Not implemented yet: always [`ErrorKind::Unsupported`](cinnabar_core::ErrorKind).
    pub fn load(path: impl AsRef<Path>) -> Result<MigrationDir> {
        Err(Error::unsupported(format!(
            "loading the migrations directory {} is not implemented yet",
            path.as_ref().display()
        )))
    }

    /// The directory's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every revision, each after its parents.
    pub fn revisions(&self) -> &[Revision] {
        &self.revisions
    }

    /// The revision with id `id`.
    pub fn get(&self, id: &str) -> Option<&Revision> {
        self.revisions.iter().find(|r| r.id == id)
    }

    /// The revisions no other revision names as a parent.
    pub fn heads(&self) -> Vec<&Revision> {
        self.revisions
            .iter()
            .filter(|r| !self.revisions.iter().any(|o| o.parents.contains(&r.id)))
            .collect()
    }

    /// The single head.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind) when the directory has no revision, or
    /// more than one head (naming them and the `cinnabar migrate merge` fix), or when `HEAD`
    /// names another revision.
    pub fn head(&self) -> Result<&Revision> {
        let heads = self.heads();
        match heads.as_slice() {
            [] => Err(Error::misuse(format!(
                "the migrations directory {} has no revision",
                self.path.display()
            ))),
            [head] => match &self.head_file {
                Some(named) if named != &head.id => Err(Error::misuse(format!(
                    "{}: HEAD names {named}, but the head revision is {}; \
                     set HEAD to {} (or resolve the merge conflict in HEAD)",
                    self.path.display(),
                    head.id,
                    head.id
                ))),
                _ => Ok(head),
            },
            many => {
                let ids: Vec<&str> = many.iter().map(|r| r.id.as_str()).collect();
                Err(Error::misuse(format!(
                    "{}: more than one head ({}); join them with \
                     `cinnabar migrate merge -m \"merge\"`",
                    self.path.display(),
                    ids.join(", ")
                )))
            }
        }
    }

    /// The revisions to apply, in order, to go from `from` (`None`: an empty database) to
    /// `to`: the ancestors of `to` (itself included) that are not ancestors of `from`.
    ///
    /// # Errors
    /// Not implemented yet: always [`ErrorKind::Unsupported`](cinnabar_core::ErrorKind).
    pub fn path_up(&self, from: Option<&str>, to: &str) -> Result<Vec<&Revision>> {
        Err(Error::unsupported(format!(
            "planning an upgrade from {} to {to} is not implemented yet",
            from.unwrap_or("base")
        )))
    }

    /// The revisions to undo, in order, to go from `from` back to `to` (`None`: an empty
    /// database): the ancestors of `from` (itself included) that are not ancestors of `to`.
    ///
    /// # Errors
    /// Not implemented yet: always [`ErrorKind::Unsupported`](cinnabar_core::ErrorKind).
    pub fn path_down(&self, from: &str, to: Option<&str>) -> Result<Vec<&Revision>> {
        Err(Error::unsupported(format!(
            "planning a downgrade from {from} to {} is not implemented yet",
            to.unwrap_or("base")
        )))
    }
}
