//! Writing to a migrations directory: a new revision (its id from the clock, its parent the
//! head, its down steps generated, `HEAD` updated) and a merge revision that joins every
//! head. Used by the CLI's `revision` and `merge` commands.

use std::io::Write as _;
use std::path::Path;

use cinnabar_core::{Error, Result};

use super::{io_error, MigrationDir, HEAD_FILE};
use crate::clock::{now_seconds, revision_id, rfc3339};
use crate::format::{parse_revision, write_revision};
use crate::revision::{generate_down, Revision, Step};

impl MigrationDir {
    /// Writes a new revision after the head: `up` as given, the down steps generated from it
    /// (or, when some step cannot be undone mechanically, `irreversible` saying which and
    /// why), `destructive` when a step loses data. Its id is the current UTC time (the next
    /// free second when taken), its file `<id>_<slug of message>.toml`; `HEAD` then names it.
    ///
    /// # Errors
    /// As [`MigrationDir::head`] when the directory has revisions but no single head named by
    /// `HEAD` (merge first); `Misuse` when a file cannot be written.
    pub fn create_revision(&mut self, message: &str, up: Vec<Step>) -> Result<&Revision> {
        let (down, irreversible) = match generate_down(&up) {
            Ok(down) => (down, None),
            Err(why) => (Vec::new(), Some(why)),
        };
        let parents = self.head_parents()?;
        self.write_new(message, parents, up, down, irreversible, now_seconds())
    }

    /// Writes a new revision after the head with the down steps given (which may be empty
    /// only when `up` is).
    ///
    /// # Errors
    /// As [`MigrationDir::create_revision`]; `Misuse` when `up` has steps and `down` none.
    pub fn create_revision_with_down(
        &mut self,
        message: &str,
        up: Vec<Step>,
        down: Vec<Step>,
    ) -> Result<&Revision> {
        let parents = self.head_parents()?;
        self.write_new(message, parents, up, down, None, now_seconds())
    }

    /// Writes a revision with no steps whose parents are every head, so the graph has one
    /// head again, and points `HEAD` at it (after a git merge `HEAD` may hold conflict
    /// markers; they are replaced).
    ///
    /// # Errors
    /// `Misuse` when there is only one head (nothing to merge) or none, or a file cannot be
    /// written.
    pub fn merge(&mut self, message: &str) -> Result<&Revision> {
        let heads: Vec<String> = self.heads().iter().map(|r| r.id.clone()).collect();
        if heads.len() < 2 {
            return Err(Error::misuse(format!(
                "{} has {} head{}: there is nothing to merge",
                self.path.display(),
                heads.len(),
                if heads.len() == 1 { "" } else { "s" }
            )));
        }
        self.write_new(message, heads, Vec::new(), Vec::new(), None, now_seconds())
    }

    /// The parents of a new revision: the head, or none in an empty directory.
    fn head_parents(&self) -> Result<Vec<String>> {
        if self.revisions.is_empty() {
            return Ok(Vec::new());
        }
        Ok(vec![self.head()?.id.clone()])
    }

    /// Writes the file and `HEAD`, reads the file back and adds it to the graph.
    pub(crate) fn write_new(
        &mut self,
        message: &str,
        parents: Vec<String>,
        up: Vec<Step>,
        down: Vec<Step>,
        irreversible: Option<String>,
        now: i64,
    ) -> Result<&Revision> {
        let mut secs = now;
        while self.get(&revision_id(secs)).is_some() {
            secs += 1;
        }
        let id = revision_id(secs);
        let destructive = up.iter().any(Step::is_destructive);
        let revision = Revision {
            id: id.clone(),
            parents,
            message: message.to_string(),
            created: rfc3339(secs),
            destructive,
            irreversible,
            up,
            down,
            checksum: String::new(),
            path: Default::default(),
        };
        let text = write_revision(&revision);
        let file = self.path.join(format!("{id}_{}.toml", slug(message)));
        // Read back before writing: the file must load as the revision it is meant to be.
        let read = parse_revision(&text, &file)?;
        let mut created = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&file)
            .map_err(|e| io_error(&file, "create", e))?;
        created
            .write_all(text.as_bytes())
            .map_err(|e| io_error(&file, "write", e))?;
        drop(created);
        write_head(&self.path, &id)?;
        let mut revisions = std::mem::take(&mut self.revisions);
        revisions.push(read);
        let next = MigrationDir::from_parts(self.path.clone(), revisions, Some(id.clone()))?;
        *self = next;
        self.get(&id).ok_or_else(|| {
            Error::misuse(format!("revision {id} was written but is not in the graph"))
        })
    }
}

/// Writes `HEAD` (through a temporary file renamed over it, so it is never half written).
fn write_head(dir: &Path, id: &str) -> Result<()> {
    let tmp = dir.join(format!(".{HEAD_FILE}.tmp"));
    std::fs::write(&tmp, format!("{id}\n")).map_err(|e| io_error(&tmp, "write", e))?;
    let head = dir.join(HEAD_FILE);
    std::fs::rename(&tmp, &head).map_err(|e| io_error(&head, "write", e))
}

/// The file-name part from a message: lowercase ASCII letters and digits, other runs of
/// characters as one `_`, at most 40 characters; `revision` when nothing is left.
fn slug(message: &str) -> String {
    let mut out = String::new();
    for c in message.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
        if out.len() >= 40 {
            break;
        }
    }
    let out = out.trim_end_matches('_');
    if out.is_empty() {
        "revision".to_string()
    } else {
        out.to_string()
    }
}
