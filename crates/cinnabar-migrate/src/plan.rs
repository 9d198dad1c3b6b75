//! Planning a run from the revision graph and the version table: the ancestors of a
//! revision, the revisions an upgrade applies and a downgrade undoes, the checksum checks, and the steps
//! that undo a revision stopped part-way. Used by the [`Migrator`](crate::Migrator) and
//! [`crate::offline`].

use std::collections::{HashMap, HashSet};

use cinnabar_core::{Error, Result};
use sha2::{Digest, Sha256};

use crate::dir::MigrationDir;
use crate::revision::{Revision, Step};
use crate::version::AppliedRevision;

/// `id` and every revision it descends from.
pub(crate) fn ancestors(dir: &MigrationDir, id: &str) -> Result<HashSet<String>> {
    let mut seen = HashSet::new();
    let mut todo = vec![id.to_owned()];
    while let Some(id) = todo.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        let r = dir.get(&id).ok_or_else(|| {
            Error::misuse(format!(
                "revision {id} is named as a parent but is not in {}",
                dir.path().display()
            ))
        })?;
        todo.extend(r.parents.iter().cloned());
    }
    Ok(seen)
}

/// The ancestors of `target` (itself included; none for `base`).
pub(crate) fn ancestors_of(
    dir: &MigrationDir,
    target: Option<&Revision>,
) -> Result<HashSet<String>> {
    match target {
        Some(r) => ancestors(dir, &r.id),
        None => Ok(HashSet::new()),
    }
}

/// The revisions an upgrade to `keep` (a target's ancestors) applies, each after its
/// parents: those not applied, and those applied part-way (dirty), which are resumed.
pub(crate) fn upgrade_plan<'d>(
    dir: &'d MigrationDir,
    keep: &HashSet<String>,
    applied: &HashMap<String, AppliedRevision>,
) -> Vec<&'d Revision> {
    dir.revisions()
        .iter()
        .filter(|r| keep.contains(&r.id))
        .filter(|r| !matches!(applied.get(&r.id), Some(a) if a.complete))
        .collect()
}

/// The revisions a downgrade to `keep` undoes, each before its parents: the applied ones
/// (complete or dirty) outside `keep`.
///
/// # Errors
/// An applied revision to undo whose file is missing.
pub(crate) fn downgrade_plan<'d>(
    dir: &'d MigrationDir,
    keep: &HashSet<String>,
    applied: &HashMap<String, AppliedRevision>,
) -> Result<Vec<&'d Revision>> {
    let mut missing: Vec<&str> = applied
        .keys()
        .filter(|id| !keep.contains(*id) && dir.get(id).is_none())
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        missing.sort_unstable();
        return Err(Error::misuse(format!(
            "revisions {} are applied but their files are not in {}; they cannot be undone \
             (restore the files)",
            missing.join(", "),
            dir.path().display()
        )));
    }
    Ok(dir
        .revisions()
        .iter()
        .rev()
        .filter(|r| !keep.contains(&r.id) && applied.contains_key(&r.id))
        .collect())
}

/// The applied revisions that no other applied revision descends from.
pub(crate) fn applied_heads<'a>(
    dir: &MigrationDir,
    applied: &'a [AppliedRevision],
) -> Vec<&'a AppliedRevision> {
    let ids: HashSet<&str> = applied.iter().map(|a| a.revision.as_str()).collect();
    let mut parents_applied: HashSet<&str> = HashSet::new();
    for a in applied {
        if let Some(r) = dir.get(&a.revision) {
            for p in &r.parents {
                if ids.contains(p.as_str()) {
                    parents_applied.insert(p.as_str());
                }
            }
        }
    }
    let mut heads: Vec<&AppliedRevision> = applied
        .iter()
        .filter(|a| !parents_applied.contains(a.revision.as_str()))
        .collect();
    heads.sort_by(|a, b| a.revision.cmp(&b.revision));
    heads
}

/// The checksum recorded for a revision with `done` of its up steps applied: the file's
/// checksum once complete; while dirty, a checksum of the steps done (so the file may be
/// fixed in the steps still to run, and resuming checks that the ones done did not change).
pub(crate) fn recorded_checksum(r: &Revision, done: usize) -> String {
    if done >= r.up.len() {
        return r.checksum.clone();
    }
    let mut h = Sha256::new();
    h.update(format!("{:?}", &r.up[..done]).as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `row`'s checksum still matches the revision file.
pub(crate) fn checksum_matches(r: &Revision, row: &AppliedRevision) -> bool {
    let done = usize::try_from(row.steps_done).unwrap_or(usize::MAX);
    let expected = if row.complete {
        r.checksum.clone()
    } else {
        recorded_checksum(r, done)
    };
    expected == row.checksum
}

/// Every applied revision whose file changed since, and every one with no file: an error
/// naming them.
pub(crate) fn verify_checksums(dir: &MigrationDir, applied: &[AppliedRevision]) -> Result<()> {
    let mut changed = Vec::new();
    let mut missing = Vec::new();
    for row in applied {
        match dir.get(&row.revision) {
            Some(r) if !checksum_matches(r, row) => changed.push(describe_file(r)),
            Some(_) => {}
            None => missing.push(row.revision.clone()),
        }
    }
    if !changed.is_empty() {
        return Err(Error::misuse(format!(
            "applied revisions were edited since they were applied: {}. Put the files back as \
             they were (line-ending and trailing-whitespace changes are ignored) and write the \
             change as a new revision",
            changed.join(", ")
        )));
    }
    if !missing.is_empty() {
        return Err(Error::misuse(format!(
            "the database has revisions applied that are not in {}: {} (another branch's \
             revisions? check out the files, or `stamp` the database)",
            dir.path().display(),
            missing.join(", ")
        )));
    }
    Ok(())
}

fn describe_file(r: &Revision) -> String {
    if r.path.as_os_str().is_empty() {
        r.id.clone()
    } else {
        format!("{} ({})", r.id, r.path.display())
    }
}

/// The steps that undo a revision of which `done` up steps are applied: all its down steps
/// when complete; for a dirty one, the down steps matching the done up steps (when the down
/// steps mirror the up steps one for one, as generated ones do), else the reverse of each
/// done operation.
///
/// # Errors
/// A dirty revision whose done steps include a data step with no matching down step.
pub(crate) fn undo_steps(r: &Revision, done: usize) -> Result<Vec<Step>> {
    let n = r.up.len();
    if done >= n {
        return Ok(r.down.clone());
    }
    if mirrors(r) {
        return Ok(r.down[n - done..].to_vec());
    }
    r.up[..done]
        .iter()
        .enumerate()
        .rev()
        .map(|(i, s)| match s {
            Step::Op(op) => Ok(Step::Op(op.reverse())),
            _ => Err(Error::unsupported(format!(
                "revision {} stopped after step {done}, and its step {} is a data step whose \
                 down step cannot be told from its down steps; undo it by hand, then `stamp` \
                 the revision's parent",
                r.id,
                i + 1
            ))),
        })
        .collect()
}

/// Whether the down steps undo the up steps one for one, in reverse order (`down[n-1-i]`
/// undoes `up[i]`): as many, and each operation's mirror its reverse.
pub(crate) fn mirrors(r: &Revision) -> bool {
    let n = r.up.len();
    r.down.len() == n
        && r.up
            .iter()
            .enumerate()
            .all(|(i, up)| match (up, &r.down[n - 1 - i]) {
                (Step::Op(a), Step::Op(b)) => a.reverse() == *b,
                (Step::Op(_), _) | (_, Step::Op(_)) => false,
                _ => true,
            })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::revision::SqlStep;
    use cinnabar_core::schema::diff::SchemaOp;
    use cinnabar_core::schema::Column;
    use cinnabar_core::types::SqlType;

    fn add(name: &str) -> Step {
        Step::Op(SchemaOp::AddColumn {
            table: "t".into(),
            column: Column::new(name, SqlType::Integer).nullable(),
        })
    }

    fn sql(text: &str) -> Step {
        Step::Sql(SqlStep {
            all: Some(text.into()),
            ..SqlStep::default()
        })
    }

    fn rev(up: Vec<Step>, down: Vec<Step>) -> Revision {
        Revision {
            id: "20260101000000".into(),
            parents: vec![],
            message: "m".into(),
            created: "2026-01-01T00:00:00Z".into(),
            destructive: false,
            irreversible: None,
            up,
            down,
            checksum: "f".repeat(64),
            path: Default::default(),
        }
    }

    fn reverse(s: &Step) -> Step {
        match s {
            Step::Op(op) => Step::Op(op.reverse()),
            other => other.clone(),
        }
    }

    #[test]
    fn undoing_a_dirty_revision_takes_the_mirror_of_the_done_steps() {
        let up = vec![add("a"), sql("UPDATE t SET a = 1"), add("b")];
        let down = vec![
            reverse(&up[2]),
            sql("UPDATE t SET a = NULL"),
            reverse(&up[0]),
        ];
        let r = rev(up.clone(), down.clone());
        assert!(mirrors(&r));
        assert_eq!(undo_steps(&r, 3).unwrap(), down);
        assert_eq!(undo_steps(&r, 2).unwrap(), down[1..]);
        assert_eq!(undo_steps(&r, 1).unwrap(), down[2..]);
        assert!(undo_steps(&r, 0).unwrap().is_empty());
    }

    #[test]
    fn without_a_mirror_only_operations_are_undone() {
        let up = vec![add("a"), sql("UPDATE t SET a = 1"), add("b")];
        // Hand-written down steps of another shape.
        let r = rev(
            up.clone(),
            vec![sql("ALTER TABLE t DROP COLUMN b, DROP COLUMN a")],
        );
        assert!(!mirrors(&r));
        assert_eq!(undo_steps(&r, 1).unwrap(), [reverse(&up[0])]);
        let e = undo_steps(&r, 2).unwrap_err();
        assert!(e.message().contains("step 2"), "{e}");
        // Complete: its own down steps.
        assert_eq!(undo_steps(&r, 3).unwrap().len(), 1);
        // An operation whose mirror is not its reverse is no mirror.
        let r = rev(vec![add("a")], vec![reverse(&add("b"))]);
        assert!(!mirrors(&r));
    }

    #[test]
    fn a_dirty_revision_records_a_checksum_of_its_done_steps() {
        let r = rev(vec![add("a"), add("b")], vec![]);
        assert_eq!(recorded_checksum(&r, 2), r.checksum);
        let one = recorded_checksum(&r, 1);
        assert_eq!(one.len(), 64);
        assert_ne!(one, recorded_checksum(&r, 0));
        // Editing a step not yet done keeps it; editing a done one does not.
        let later = rev(vec![add("a"), add("c")], vec![]);
        assert_eq!(recorded_checksum(&later, 1), one);
        let earlier = rev(vec![add("z"), add("b")], vec![]);
        assert_ne!(recorded_checksum(&earlier, 1), one);
    }
}
