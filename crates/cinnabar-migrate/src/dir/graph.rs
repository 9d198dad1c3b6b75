//! The revision graph: ordering revisions so each comes after its parents, finding cycles,
//! ancestors, and the paths an upgrade or a downgrade takes (through merges). Used by
//! [`MigrationDir`](crate::MigrationDir).

use std::collections::BTreeSet;

use cinnabar_core::{Error, Result};

use crate::revision::Revision;

/// The positions of `revisions` in an order where each comes after its parents, the
/// smallest id first among those ready. `revisions` must have unique ids and known parents.
///
/// # Errors
/// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) naming the revisions of a cycle.
pub(crate) fn order(revisions: &[Revision]) -> Result<Vec<usize>> {
    let index = |id: &str| revisions.iter().position(|r| r.id == id);
    let parents: Vec<Vec<usize>> = revisions
        .iter()
        .map(|r| r.parents.iter().filter_map(|p| index(p)).collect())
        .collect();
    let mut placed = vec![false; revisions.len()];
    let mut ready: BTreeSet<(&str, usize)> = BTreeSet::new();
    for (i, r) in revisions.iter().enumerate() {
        if parents[i].is_empty() {
            ready.insert((r.id.as_str(), i));
        }
    }
    let mut out = Vec::with_capacity(revisions.len());
    while let Some((_, i)) = ready.pop_first() {
        placed[i] = true;
        out.push(i);
        for (j, r) in revisions.iter().enumerate() {
            if !placed[j] && parents[j].contains(&i) && parents[j].iter().all(|&p| placed[p]) {
                ready.insert((r.id.as_str(), j));
            }
        }
    }
    if out.len() < revisions.len() {
        let stuck: Vec<&str> = revisions
            .iter()
            .enumerate()
            .filter(|(i, _)| !placed[*i])
            .map(|(_, r)| r.id.as_str())
            .collect();
        return Err(Error::misuse(format!(
            "the revisions {} form a cycle through their parents (or follow one); \
             fix the `parents` of one of them",
            stuck.join(", ")
        )));
    }
    Ok(out)
}

/// The positions of `start` and every revision it descends from, in `revisions` (ordered,
/// each after its parents).
pub(crate) fn ancestors(revisions: &[Revision], start: usize) -> Vec<bool> {
    let mut seen = vec![false; revisions.len()];
    let mut stack = vec![start];
    while let Some(i) = stack.pop() {
        if seen[i] {
            continue;
        }
        seen[i] = true;
        for p in &revisions[i].parents {
            if let Some(j) = revisions.iter().position(|r| &r.id == p) {
                stack.push(j);
            }
        }
    }
    seen
}
