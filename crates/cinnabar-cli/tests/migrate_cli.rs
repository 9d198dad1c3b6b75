//! `cinnabar migrate` through the binary, its errors and messages (SQLite): the stand-alone
//! binary asked to autogenerate explains how to link the models; two heads are listed and
//! `merge` joins them; an unknown target, a missing directory and `--sql` without a dialect
//! are one-line errors with exit code 1; a CRLF-only edit of an applied revision passes the
//! checksum and a real edit fails naming the revision; `revision` without --autogenerate
//! writes an empty revision and moves HEAD.

#[path = "../../cinnabar/tests/support/mod.rs"]
#[allow(unused_macros)]
mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::TestDb;

fn cinnabar(dir: &Path, url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cinnabar"))
        .args(args)
        .current_dir(dir)
        .env("DATABASE_URL", url)
        .output()
        .expect("run cinnabar")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(dir: &Path, url: &str, args: &[&str]) -> (String, String) {
    let o = cinnabar(dir, url, args);
    assert!(o.status.success(), "{args:?}: {}", text(&o.stderr));
    (text(&o.stdout), text(&o.stderr))
}

/// Runs and requires exit code 1; returns stderr.
fn fails(dir: &Path, url: &str, args: &[&str]) -> String {
    let o = cinnabar(dir, url, args);
    assert_eq!(o.status.code(), Some(1), "{args:?}: {}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains("error: "), "{err}");
    err
}

/// A hand-written revision creating table `t`.
const CREATE_T: &str = "\n[[up]]\nop = \"sql\"\nall = \"CREATE TABLE t (id INTEGER)\"\n\n\
                        [[down]]\nop = \"sql\"\nall = \"DROP TABLE t\"\n";

fn revision_path(dir: &Path) -> std::path::PathBuf {
    std::fs::read_dir(dir.join("migrations"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "toml"))
        .unwrap()
}

#[test]
fn the_stand_alone_binary_explains_how_to_autogenerate() {
    let db = TestDb::sqlite();
    let tmp = tempfile::tempdir().unwrap();
    ok(tmp.path(), &db.url, &["migrate", "init"]);
    let err = fails(
        tmp.path(),
        &db.url,
        &["migrate", "revision", "--autogenerate", "-m", "x"],
    );
    for part in [
        "src/bin/migrate.rs",
        "cinnabar::cli::main(",
        "features = [\"cli\"]",
        "cargo run --bin migrate -- revision --autogenerate",
    ] {
        assert!(err.contains(part), "{part:?} not in {err}");
    }
    let err = fails(tmp.path(), &db.url, &["migrate", "check"]);
    assert!(err.contains("`check` needs your models"), "{err}");
}

#[test]
fn empty_revisions_move_head_and_two_heads_need_a_merge() {
    let db = TestDb::sqlite();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    ok(d, &db.url, &["migrate", "init"]);
    let (_, err) = ok(d, &db.url, &["migrate", "revision", "-m", "first"]);
    assert!(
        err.contains("(empty: add [[up]] and [[down]] steps by hand)"),
        "{err}"
    );
    let first = std::fs::read_to_string(d.join("migrations/HEAD")).unwrap();
    let first = first.trim().to_string();
    assert_eq!(first.len(), 14);

    ok(d, &db.url, &["migrate", "revision", "-m", "second"]);
    assert_ne!(
        std::fs::read_to_string(d.join("migrations/HEAD"))
            .unwrap()
            .trim(),
        first,
        "HEAD moved to the new revision"
    );

    // Another branch added a revision after `first` too; git merged both files.
    let other = "20990101000000";
    std::fs::write(
        d.join(format!("migrations/{other}_other_branch.toml")),
        format!(
            "id = \"{other}\"\nparents = [\"{first}\"]\nmessage = \"other branch\"\n\
             created = \"2099-01-01T00:00:00Z\"\n"
        ),
    )
    .unwrap();
    let o = cinnabar(d, &db.url, &["migrate", "heads"]);
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(out.contains("other branch"), "{out}");
    assert!(
        text(&o.stderr).contains("cinnabar migrate merge"),
        "{}",
        text(&o.stderr)
    );
    let err = fails(d, &db.url, &["migrate", "upgrade"]);
    assert!(err.contains("more than one head"), "{err}");

    let (_, err) = ok(d, &db.url, &["migrate", "merge", "-m", "merge branches"]);
    assert!(err.contains("merging"), "{err}");
    let (out, _) = ok(d, &db.url, &["migrate", "heads"]);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("merge branches"), "{out}");
    let (_, err) = ok(d, &db.url, &["migrate", "upgrade"]);
    assert!(err.contains("applied 4 revisions"), "{err}");
}

#[test]
fn errors_are_one_line_with_exit_code_1() {
    let db = TestDb::sqlite();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let err = fails(d, &db.url, &["migrate", "upgrade"]);
    assert!(err.contains("does not exist"), "{err}");
    assert!(err.contains("--dir"), "{err}");
    ok(d, &db.url, &["migrate", "init"]);
    ok(d, &db.url, &["migrate", "revision", "-m", "first"]);
    let err = fails(d, &db.url, &["migrate", "upgrade", "1999"]);
    assert!(err.contains("no revision \"1999\""), "{err}");
    assert_eq!(err.lines().filter(|l| l.starts_with("error:")).count(), 1);
    let o = Command::new(env!("CARGO_BIN_EXE_cinnabar"))
        .args(["migrate", "upgrade", "--sql"])
        .current_dir(d)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("--sql needs a dialect"),
        "{}",
        text(&o.stderr)
    );
    let err = fails(
        d,
        &db.url,
        &["migrate", "upgrade", "--sql", "--dialect", "oracle"],
    );
    assert!(
        err.contains("not one of sqlite, postgresql, mysql"),
        "{err}"
    );
    // A usage error is clap's, exit code 2.
    let o = cinnabar(d, &db.url, &["migrate", "downgrade"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_crlf_only_edit_passes_and_a_real_edit_fails() {
    let db = TestDb::sqlite();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    ok(d, &db.url, &["migrate", "init"]);
    ok(d, &db.url, &["migrate", "revision", "-m", "create t"]);
    let path = revision_path(d);
    let mut body = std::fs::read_to_string(&path).unwrap();
    body.push_str(CREATE_T);
    std::fs::write(&path, &body).unwrap();
    ok(d, &db.url, &["migrate", "upgrade"]);
    assert_eq!(db.scalar("SELECT COUNT(*) FROM t"), Some(0));

    // Windows line endings and trailing spaces: the same revision.
    std::fs::write(&path, body.replace('\n', "  \r\n")).unwrap();
    let (out, _) = ok(d, &db.url, &["migrate", "history"]);
    assert!(!out.contains("edited"), "{out}");
    let (_, err) = ok(d, &db.url, &["migrate", "upgrade"]);
    assert!(err.contains("nothing to do"), "{err}");

    // A real edit: named.
    std::fs::write(&path, body.replace("id INTEGER", "id BIGINT")).unwrap();
    let (out, _) = ok(d, &db.url, &["migrate", "history"]);
    assert!(out.contains("[file edited since applied]"), "{out}");
    let err = fails(d, &db.url, &["migrate", "upgrade"]);
    let id = std::fs::read_to_string(d.join("migrations/HEAD")).unwrap();
    assert!(err.contains(id.trim()), "{err}");
}
