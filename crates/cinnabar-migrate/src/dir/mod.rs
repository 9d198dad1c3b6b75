//! A migrations directory: the revision files, the committed `HEAD`, and the graph the
//! revisions form through their parents. The Migrator plans upgrades and downgrades with
//! [`MigrationDir::path_up`] and [`MigrationDir::path_down`]; the CLI lists revisions through
//! it and writes new ones with [`MigrationDir::create_revision`] and [`MigrationDir::merge`].

mod graph;
mod new;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use cinnabar_core::{Error, Result};

use crate::format::{is_revision_id, parse_revision};
use crate::revision::Revision;

/// The name of the file that records the head revision's id.
pub const HEAD_FILE: &str = "HEAD";

/// The revisions of a migrations directory, in an order where every revision comes after its
/// parents (the smallest id first among revisions that could come next).
#[derive(Debug, Clone)]
pub struct MigrationDir {
    path: PathBuf,
    revisions: Vec<Revision>,
    /// `HEAD`'s text, trimmed; `None` when the file is absent.
    head_file: Option<String>,
}

impl MigrationDir {
    /// Loads every `*.toml` revision file of the directory at `path`, and its `HEAD`. Other
    /// files are ignored.
    ///
    /// Loading checks each file (see the file format) and the graph: ids are unique, every
    /// parent exists, parents form no cycle. It does not require a single head, so that
    /// `heads` can list them: [`MigrationDir::head`] does.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) when the directory does not
    /// exist, a file is not a valid revision (naming the file, step and field), two files have
    /// one id, a parent is unknown, or parents form a cycle. An I/O failure is a `Misuse`
    /// error naming the path and the cause.
    pub fn load(path: impl AsRef<Path>) -> Result<MigrationDir> {
        let path = path.as_ref();
        if !path.is_dir() {
            return Err(Error::misuse(format!(
                "the migrations directory {} does not exist (create a first revision with \
                 `cinnabar migrate revision -m \"...\"`, or pass --dir)",
                path.display()
            )));
        }
        let entries = std::fs::read_dir(path).map_err(|e| io_error(path, "read", e))?;
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| io_error(path, "read", e))?;
            let p = entry.path();
            if p.is_file() && p.extension().is_some_and(|x| x == "toml") {
                files.push(p);
            }
        }
        files.sort();
        let mut revisions = Vec::with_capacity(files.len());
        for file in files {
            let text = std::fs::read_to_string(&file).map_err(|e| io_error(&file, "read", e))?;
            revisions.push(parse_revision(&text, &file)?);
        }
        let head_path = path.join(HEAD_FILE);
        let head_file = if head_path.is_file() {
            let text =
                std::fs::read_to_string(&head_path).map_err(|e| io_error(&head_path, "read", e))?;
            Some(text.trim().to_string())
        } else {
            None
        };
        MigrationDir::from_parts(path.to_path_buf(), revisions, head_file)
    }

    /// Creates the directory at `path` (and its parents) when it does not exist, then loads
    /// it.
    ///
    /// # Errors
    /// As [`MigrationDir::load`], and `Misuse` when the directory cannot be created.
    pub fn init(path: impl AsRef<Path>) -> Result<MigrationDir> {
        let path = path.as_ref();
        if !path.is_dir() {
            std::fs::create_dir_all(path).map_err(|e| io_error(path, "create", e))?;
        }
        MigrationDir::load(path)
    }

    /// Checks the graph and orders the revisions.
    pub(crate) fn from_parts(
        path: PathBuf,
        revisions: Vec<Revision>,
        head_file: Option<String>,
    ) -> Result<MigrationDir> {
        let dir = path.display();
        for (i, r) in revisions.iter().enumerate() {
            if let Some(other) = revisions[..i].iter().find(|o| o.id == r.id) {
                return Err(Error::misuse(format!(
                    "{dir}: two revisions have the id {}: {} and {}; give one of them a new id \
                     (and its file name)",
                    r.id,
                    other.path.display(),
                    r.path.display()
                )));
            }
            for (k, p) in r.parents.iter().enumerate() {
                if r.parents[..k].contains(p) {
                    return Err(Error::misuse(format!(
                        "{}: names the parent {p} twice",
                        r.path.display()
                    )));
                }
                if p == &r.id {
                    return Err(Error::misuse(format!(
                        "{}: names itself as a parent",
                        r.path.display()
                    )));
                }
                if !revisions.iter().any(|o| &o.id == p) {
                    return Err(Error::misuse(format!(
                        "{}: the parent revision {p} is not in {dir}",
                        r.path.display()
                    )));
                }
            }
        }
        let order = graph::order(&revisions).map_err(|e| e.context(dir))?;
        let mut slots: Vec<Option<Revision>> = revisions.into_iter().map(Some).collect();
        let revisions = order.into_iter().filter_map(|i| slots[i].take()).collect();
        Ok(MigrationDir {
            path,
            revisions,
            head_file,
        })
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

    fn position(&self, id: &str) -> Result<usize> {
        self.revisions
            .iter()
            .position(|r| r.id == id)
            .ok_or_else(|| {
                Error::misuse(format!(
                    "no revision {id} in {} (see `cinnabar migrate history`)",
                    self.path.display()
                ))
            })
    }

    /// The revisions no other revision names as a parent, in order.
    pub fn heads(&self) -> Vec<&Revision> {
        self.revisions
            .iter()
            .filter(|r| !self.revisions.iter().any(|o| o.parents.contains(&r.id)))
            .collect()
    }

    /// The single head, which `HEAD` names.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) when the directory has no
    /// revision; when it has more than one head (naming them and the fix, `cinnabar migrate
    /// merge -m "..."`); when `HEAD` is missing, is not one revision id (a git merge
    /// conflict), or names another revision than the head.
    pub fn head(&self) -> Result<&Revision> {
        let dir = self.path.display();
        let heads = self.heads();
        let head = match heads.as_slice() {
            [] => {
                return Err(Error::misuse(format!(
                    "the migrations directory {dir} has no revision"
                )))
            }
            [head] => *head,
            many => {
                let ids: Vec<String> = many
                    .iter()
                    .map(|r| format!("{} ({})", r.id, r.message))
                    .collect();
                return Err(Error::misuse(format!(
                    "{dir} has more than one head: {}; join them with \
                     `cinnabar migrate merge -m \"merge\"`",
                    ids.join(", ")
                )));
            }
        };
        match self.head_file.as_deref() {
            None => Err(Error::misuse(format!(
                "{dir}/{HEAD_FILE} is missing; it must hold the head revision's id, {}",
                head.id
            ))),
            Some(text) if !is_revision_id(text) => Err(Error::misuse(format!(
                "{dir}/{HEAD_FILE} does not hold one revision id (a merge conflict?): {text:?}; \
                 the head revision is {}: write that id in it",
                head.id
            ))),
            Some(text) if text != head.id => Err(Error::misuse(format!(
                "{dir}/{HEAD_FILE} names {text}, but the head revision is {} ({}); write {} in \
                 {HEAD_FILE}",
                head.id, head.message, head.id
            ))),
            Some(_) => Ok(head),
        }
    }

    /// The revision a target names: `head` (see [`MigrationDir::head`]), `base` (no
    /// revision: `None`), a revision id, or the start of exactly one id.
    ///
    /// # Errors
    /// `Misuse` when no revision or several start with `target`, or as
    /// [`MigrationDir::head`] for `head`.
    pub fn resolve(&self, target: &str) -> Result<Option<&Revision>> {
        match target {
            "head" => self.head().map(Some),
            "base" => Ok(None),
            _ => {
                if let Some(r) = self.get(target) {
                    return Ok(Some(r));
                }
                let hits: Vec<&Revision> = self
                    .revisions
                    .iter()
                    .filter(|r| !target.is_empty() && r.id.starts_with(target))
                    .collect();
                match hits.as_slice() {
                    [one] => Ok(Some(*one)),
                    [] => Err(Error::misuse(format!(
                        "no revision {target:?} in {} (see `cinnabar migrate history`)",
                        self.path.display()
                    ))),
                    many => {
                        let ids: Vec<&str> = many.iter().map(|r| r.id.as_str()).collect();
                        Err(Error::misuse(format!(
                            "{target:?} is the start of several revision ids ({}); give more \
                             digits",
                            ids.join(", ")
                        )))
                    }
                }
            }
        }
    }

    /// The revisions to apply, in order, to go from `from` (`None`: an empty database) to
    /// `to`: the ancestors of `to` (itself included) that are not ancestors of `from` (itself
    /// included), each after its parents. Through a merge, both branches are applied.
    ///
    /// # Errors
    /// `Misuse` when an id is unknown, or `from` is not `to` nor one of its ancestors (the
    /// database is ahead of or beside the target: downgrade instead).
    pub fn path_up(&self, from: Option<&str>, to: &str) -> Result<Vec<&Revision>> {
        let target = self.position(to)?;
        let wanted = graph::ancestors(&self.revisions, target);
        let done = match from {
            None => vec![false; self.revisions.len()],
            Some(f) => {
                let start = self.position(f)?;
                if !wanted[start] {
                    return Err(Error::misuse(format!(
                        "cannot upgrade from {f} to {to}: {to} does not descend from {f} \
                         (downgrade to go back)"
                    )));
                }
                graph::ancestors(&self.revisions, start)
            }
        };
        Ok(self
            .revisions
            .iter()
            .enumerate()
            .filter(|(i, _)| wanted[*i] && !done[*i])
            .map(|(_, r)| r)
            .collect())
    }

    /// The revisions to apply, in order, to bring a database whose version table lists
    /// `applied` up to `to`: the ancestors of `to` (itself included) not in `applied`. Unlike
    /// [`MigrationDir::path_up`] it needs no single current revision, so it also fills in a
    /// branch of a merge that was not applied.
    ///
    /// # Errors
    /// `Misuse` when `to` is unknown.
    pub fn pending(&self, applied: &[&str], to: &str) -> Result<Vec<&Revision>> {
        let target = self.position(to)?;
        let wanted = graph::ancestors(&self.revisions, target);
        Ok(self
            .revisions
            .iter()
            .enumerate()
            .filter(|(i, r)| wanted[*i] && !applied.contains(&r.id.as_str()))
            .map(|(_, r)| r)
            .collect())
    }

    /// The revisions to undo, in order, to go from `from` back to `to` (`None`: an empty
    /// database): the ancestors of `from` (itself included) that are not ancestors of `to`
    /// (itself included), each before its parents.
    ///
    /// # Errors
    /// `Misuse` when an id is unknown, when `to` is not `from` nor one of its ancestors, or
    /// when a revision on the way is irreversible (naming it and why).
    pub fn path_down(&self, from: &str, to: Option<&str>) -> Result<Vec<&Revision>> {
        let start = self.position(from)?;
        let applied = graph::ancestors(&self.revisions, start);
        let keep = match to {
            None => vec![false; self.revisions.len()],
            Some(t) => {
                let end = self.position(t)?;
                if !applied[end] {
                    return Err(Error::misuse(format!(
                        "cannot downgrade from {from} to {t}: {t} is not {from} nor one of its \
                         ancestors (upgrade to go forward)"
                    )));
                }
                graph::ancestors(&self.revisions, end)
            }
        };
        let path: Vec<&Revision> = self
            .revisions
            .iter()
            .enumerate()
            .rev()
            .filter(|(i, _)| applied[*i] && !keep[*i])
            .map(|(_, r)| r)
            .collect();
        if let Some(r) = path.iter().find(|r| r.irreversible.is_some()) {
            return Err(Error::misuse(format!(
                "cannot downgrade from {from} to {}: revision {} ({}) is irreversible: {}",
                to.unwrap_or("base"),
                r.id,
                r.message,
                r.irreversible.as_deref().unwrap_or_default()
            )));
        }
        Ok(path)
    }
}

/// An I/O failure on `path`, as a `Misuse` error naming the path, what was done and why.
pub(crate) fn io_error(path: &Path, doing: &str, e: std::io::Error) -> Error {
    Error::misuse(format!("cannot {doing} {}: {e}", path.display())).with_source(e)
}
