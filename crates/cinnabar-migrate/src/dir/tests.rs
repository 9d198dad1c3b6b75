//! The migrations directory on disk: loading, graph errors, heads and HEAD, paths through
//! merges, writing new revisions and merges.

use std::path::Path;

use cinnabar_core::schema::diff::SchemaOp;
use cinnabar_core::schema::{Column, Table};
use cinnabar_core::types::SqlType;

use super::MigrationDir;
use crate::format::write_revision;
use crate::revision::{Revision, SqlStep, Step};

/// Writes a revision with no steps.
fn put(dir: &Path, id: &str, parents: &[&str]) {
    put_rev(dir, id, parents, None);
}

fn put_rev(dir: &Path, id: &str, parents: &[&str], irreversible: Option<&str>) {
    let mut r = Revision {
        id: id.into(),
        parents: parents.iter().map(|p| p.to_string()).collect(),
        message: format!("rev {id}"),
        created: "2026-12-05T12:00:00Z".into(),
        destructive: false,
        irreversible: None,
        up: Vec::new(),
        down: Vec::new(),
        checksum: String::new(),
        path: Default::default(),
    };
    if let Some(why) = irreversible {
        r.irreversible = Some(why.into());
        r.up = vec![Step::Sql(SqlStep {
            all: Some("SELECT 1".into()),
            ..SqlStep::default()
        })];
    }
    std::fs::write(dir.join(format!("{id}_r.toml")), write_revision(&r)).unwrap();
}

fn head(dir: &Path, text: &str) {
    std::fs::write(dir.join("HEAD"), text).unwrap();
}

const A: &str = "20260101000000";
const B: &str = "20260102000000";
const C: &str = "20260103000000";
const D: &str = "20260104000000";
const E: &str = "20260105000000";

/// A → B → D(merge) → E, A → C → D.
fn diamond(dir: &Path) {
    put(dir, A, &[]);
    put(dir, B, &[A]);
    put(dir, C, &[A]);
    put(dir, D, &[C, B]);
    put(dir, E, &[D]);
    head(dir, &format!("{E}\n"));
}

#[test]
fn loads_orders_and_plans_through_a_merge() {
    let tmp = tempfile::tempdir().unwrap();
    diamond(tmp.path());
    std::fs::write(tmp.path().join("README.md"), "not a revision").unwrap();
    let dir = MigrationDir::load(tmp.path()).unwrap();
    let order: Vec<&str> = dir.revisions().iter().map(|r| r.id.as_str()).collect();
    assert_eq!(order, [A, B, C, D, E]);
    assert_eq!(dir.head().unwrap().id, E);
    assert_eq!(dir.heads().len(), 1);

    let up: Vec<&str> = dir
        .path_up(None, E)
        .unwrap()
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(up, [A, B, C, D, E]);
    let up: Vec<&str> = dir
        .path_up(Some(B), E)
        .unwrap()
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(up, [C, D, E]);
    let up: Vec<&str> = dir
        .path_up(Some(E), E)
        .unwrap()
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert!(up.is_empty());
    let e = dir.path_up(Some(E), B).unwrap_err();
    assert!(e.message().contains("does not descend from"), "{e}");

    let down: Vec<&str> = dir
        .path_down(E, Some(B))
        .unwrap()
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(down, [E, D, C]);
    let down: Vec<&str> = dir
        .path_down(E, None)
        .unwrap()
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(down, [E, D, C, B, A]);
    let e = dir.path_down(B, Some(C)).unwrap_err();
    assert!(e.message().contains("is not"), "{e}");

    let pending: Vec<&str> = dir
        .pending(&[A, C], E)
        .unwrap()
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(pending, [B, D, E]);

    assert_eq!(dir.resolve("head").unwrap().map(|r| r.id.as_str()), Some(E));
    assert!(dir.resolve("base").unwrap().is_none());
    assert!(dir
        .resolve("2026010")
        .unwrap_err()
        .message()
        .contains("several"));
    assert_eq!(
        dir.resolve("20260103").unwrap().map(|r| r.id.as_str()),
        Some(C)
    );
    assert!(dir.resolve("1999").is_err());
    assert!(dir.path_up(None, "20990101000000").is_err());
}

#[test]
fn graph_errors_name_the_revisions() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path();
    put(p, A, &[]);
    put(p, B, &[C]);
    put(p, C, &[B]);
    let e = MigrationDir::load(p).unwrap_err().to_string();
    assert!(e.contains(B) && e.contains(C) && e.contains("cycle"), "{e}");

    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path();
    put(p, A, &[]);
    put(p, B, &[D]);
    let e = MigrationDir::load(p).unwrap_err().to_string();
    assert!(
        e.contains(&format!("the parent revision {D} is not in")),
        "{e}"
    );

    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path();
    put(p, A, &[]);
    let text = std::fs::read_to_string(p.join(format!("{A}_r.toml"))).unwrap();
    std::fs::write(p.join(format!("{A}_copy.toml")), text).unwrap();
    let e = MigrationDir::load(p).unwrap_err().to_string();
    assert!(e.contains(&format!("two revisions have the id {A}")), "{e}");

    let e = MigrationDir::load(p.join("nope")).unwrap_err().to_string();
    assert!(e.contains("does not exist"), "{e}");
}

#[test]
fn two_heads_and_bad_head_files() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path();
    put(p, A, &[]);
    put(p, B, &[A]);
    put(p, C, &[A]);
    // What git leaves after merging two branches that each added a revision.
    head(
        p,
        &format!("<<<<<<< HEAD\n{B}\n=======\n{C}\n>>>>>>> feature\n"),
    );
    let dir = MigrationDir::load(p).unwrap();
    assert_eq!(dir.heads().len(), 2);
    let e = dir.head().unwrap_err().to_string();
    assert!(e.contains("more than one head"), "{e}");
    assert!(e.contains(B) && e.contains(C), "{e}");
    assert!(e.contains("cinnabar migrate merge -m"), "{e}");

    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path();
    put(p, A, &[]);
    put(p, B, &[A]);
    let e = MigrationDir::load(p)
        .unwrap()
        .head()
        .unwrap_err()
        .to_string();
    assert!(e.contains("HEAD is missing") && e.contains(B), "{e}");
    head(p, A);
    let e = MigrationDir::load(p)
        .unwrap()
        .head()
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(&format!("HEAD names {A}, but the head revision is {B}")),
        "{e}"
    );
    head(p, "<<<<<<< HEAD\n");
    let e = MigrationDir::load(p)
        .unwrap()
        .head()
        .unwrap_err()
        .to_string();
    assert!(e.contains("merge conflict"), "{e}");
    head(p, &format!("{B}\r\n"));
    assert_eq!(MigrationDir::load(p).unwrap().head().unwrap().id, B);
}

#[test]
fn downgrade_through_irreversible_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path();
    put(p, A, &[]);
    put_rev(p, B, &[A], Some("the data step cannot be undone"));
    put(p, C, &[B]);
    head(p, C);
    let dir = MigrationDir::load(p).unwrap();
    assert_eq!(dir.path_down(C, Some(B)).unwrap().len(), 1);
    let e = dir.path_down(C, Some(A)).unwrap_err().to_string();
    assert!(
        e.contains(&format!("revision {B}"))
            && e.contains("irreversible: the data step cannot be undone"),
        "{e}"
    );
    assert!(dir.get(B).unwrap().down_steps().is_err());
}

fn table() -> Table {
    Table::new("students")
        .column(Column::new("id", SqlType::BigInt).primary_key())
        .column(Column::new("course", SqlType::Text(Some(20))))
}

#[test]
fn create_revision_and_merge_write_files_and_head() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("migrations");
    let mut dir = MigrationDir::init(&p).unwrap();
    let first = dir
        .create_revision(
            "Create tables!",
            vec![Step::Op(SchemaOp::CreateTable(table()))],
        )
        .unwrap()
        .clone();
    assert!(first.parents.is_empty());
    assert!(!first.destructive);
    assert_eq!(first.irreversible, None);
    assert_eq!(first.down, vec![Step::Op(SchemaOp::DropTable(table()))]);
    let name = first
        .path
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string();
    assert_eq!(name, format!("{}_create_tables.toml", first.id));
    assert_eq!(
        std::fs::read_to_string(p.join("HEAD")).unwrap(),
        format!("{}\n", first.id)
    );

    // Same second: the next one is taken.
    let second = dir
        .create_revision(
            "rename",
            vec![Step::Op(SchemaOp::RenameColumn {
                table: "students".into(),
                from: "course".into(),
                to: "course_code".into(),
            })],
        )
        .unwrap()
        .clone();
    assert_ne!(second.id, first.id);
    assert_eq!(second.parents, vec![first.id.clone()]);

    let drop = dir
        .create_revision("drop", vec![Step::Op(SchemaOp::DropTable(table()))])
        .unwrap()
        .clone();
    assert!(drop.destructive);
    assert!(
        drop.irreversible
            .as_deref()
            .unwrap_or("")
            .contains("loses data"),
        "{drop:?}"
    );

    let reloaded = MigrationDir::load(&p).unwrap();
    assert_eq!(reloaded.revisions(), dir.revisions());
    assert_eq!(reloaded.head().unwrap().id, drop.id);

    assert!(dir
        .merge("nothing")
        .unwrap_err()
        .message()
        .contains("nothing to merge"));

    // Two branches: a second revision on the first one's parent.
    let branch = second.id.clone();
    let mut r = reloaded.get(&branch).unwrap().clone();
    r.id = "20000101000000".into();
    r.parents = vec![first.id.clone()];
    r.message = "branch".into();
    std::fs::write(p.join("20000101000000_branch.toml"), write_revision(&r)).unwrap();
    let mut dir = MigrationDir::load(&p).unwrap();
    assert!(dir.head().is_err());
    let merge = dir.merge("merge").unwrap().clone();
    let mut parents = merge.parents.clone();
    parents.sort();
    assert_eq!(parents, ["20000101000000".to_string(), drop.id.clone()]);
    assert!(merge.up.is_empty() && merge.down.is_empty());
    assert_eq!(MigrationDir::load(&p).unwrap().head().unwrap().id, merge.id);
}
