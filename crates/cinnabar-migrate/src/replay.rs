//! Replaying revisions offline: the schema a chain of revisions produces, computed by
//! applying their schema operations to a [`MetaData`] value ([`SchemaOp::apply`](cinnabar_core::schema::diff::SchemaOp::apply)), with no
//! database. Autogenerate compares it with the live database to report drift; Rust data
//! steps receive the tables as they stand at their step ("frozen" tables, never the live
//! models).

use cinnabar_core::schema::MetaData;
use cinnabar_core::Result;

use crate::dir::MigrationDir;
use crate::revision::{Revision, Step};

/// Applies the schema operations of `revision`'s up steps `steps` (a range of positions) to
/// `schema`. `sql` and `rust` steps change data, not the schema, and are skipped.
///
/// # Errors
/// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) naming the revision and step when
/// an operation does not fit the schema (see [`SchemaOp::apply`](cinnabar_core::schema::diff::SchemaOp::apply)).
fn apply_steps(
    revision: &Revision,
    steps: std::ops::Range<usize>,
    schema: &mut MetaData,
) -> Result<()> {
    for (i, step) in revision
        .up
        .iter()
        .enumerate()
        .take(steps.end)
        .skip(steps.start)
    {
        if let Step::Op(op) = step {
            op.apply(schema).map_err(|e| {
                e.context(format!(
                    "replaying revision {} ({}), up step {}",
                    revision.id,
                    revision.message,
                    i + 1
                ))
            })?;
        }
    }
    Ok(())
}

/// Applies every up step of `revisions`, in order, to `schema`.
///
/// # Errors
/// As [`SchemaOp::apply`](cinnabar_core::schema::diff::SchemaOp::apply), naming the revision and the step.
pub fn replay(revisions: &[&Revision], schema: &mut MetaData) -> Result<()> {
    for r in revisions {
        apply_steps(r, 0..r.up.len(), schema)?;
    }
    Ok(())
}

impl MigrationDir {
    /// The schema the revisions up to `to` produce from an empty database (`None`: the empty
    /// schema), as far as their schema operations say (`sql` steps are not read).
    ///
    /// # Errors
    /// `Misuse` when `to` is unknown or an operation does not fit the schema its revision
    /// finds (naming the revision and step).
    pub fn schema_at(&self, to: Option<&str>) -> Result<MetaData> {
        let mut schema = MetaData::new();
        if let Some(to) = to {
            replay(&self.path_up(None, to)?, &mut schema)?;
        }
        Ok(schema)
    }

    /// The schema as it stands before up step `step` (0-based) of revision `id`: every
    /// ancestor replayed, then the revision's steps before `step`. What a Rust data step at
    /// that position is given as its frozen tables.
    ///
    /// # Errors
    /// As [`MigrationDir::schema_at`]; `Misuse` when `step` is past the revision's steps.
    pub fn schema_before(&self, id: &str, step: usize) -> Result<MetaData> {
        let path = self.path_up(None, id)?;
        let Some((revision, ancestors)) = path.split_last() else {
            return Ok(MetaData::new());
        };
        if step > revision.up.len() {
            return Err(cinnabar_core::Error::misuse(format!(
                "revision {id} has {} up steps; there is no step {}",
                revision.up.len(),
                step + 1
            )));
        }
        let mut schema = MetaData::new();
        replay(ancestors, &mut schema)?;
        apply_steps(revision, 0..step, &mut schema)?;
        Ok(schema)
    }
}
