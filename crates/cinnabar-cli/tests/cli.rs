//! The `cinnabar` binary itself: where the URL comes from (`--database-url`, else
//! `DATABASE_URL`, else `.env`), the errors and exit codes, `--tables`, `--out`, and codegen
//! through the binary on each backend.

#[path = "../../cinnabar/tests/support/mod.rs"]
mod support;
#[path = "roundtrip/tool.rs"]
#[allow(dead_code)]
mod tool;

use std::path::Path;
use std::process::{Command, Output};

use support::TestDb;

/// The binary run in `dir` with no `DATABASE_URL` unless `env` gives one.
fn cinnabar(dir: &Path, env: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cinnabar"));
    cmd.args(args).current_dir(dir).env_remove("DATABASE_URL");
    if let Some(url) = env {
        cmd.env("DATABASE_URL", url);
    }
    cmd.output().expect("run cinnabar")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A SQLite file holding the other tool's courses and students.
fn tool_db() -> TestDb {
    let db = TestDb::sqlite();
    db.engine
        .connect()
        .unwrap()
        .execute_script(&tool::script(db.backend))
        .unwrap();
    db
}

const BROKEN: &str = "nosuchdb://nowhere";

#[test]
fn the_url_comes_from_the_flag_then_the_environment_then_dotenv() {
    let db = tool_db();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    // The flag wins over a broken environment and a broken .env.
    std::fs::write(d.join(".env"), format!("DATABASE_URL={BROKEN}\n")).unwrap();
    let o = cinnabar(d, Some(BROKEN), &["codegen", "--database-url", &db.url]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("pub struct Student {"),
        "{}",
        stdout(&o)
    );
    assert!(
        stderr(&o).contains("(URL from --database-url)"),
        "{}",
        stderr(&o)
    );

    // The environment wins over a broken .env.
    let o = cinnabar(d, Some(&db.url), &["codegen"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("pub struct Student {"));
    assert!(
        stderr(&o).contains("(URL from the DATABASE_URL environment variable)"),
        "{}",
        stderr(&o)
    );

    // .env when nothing else gives one (quoted, after a comment).
    std::fs::write(
        d.join(".env"),
        format!(
            "# the app's settings\nAPP_MODE=dev\nDATABASE_URL=\"{}\"\n",
            db.url
        ),
    )
    .unwrap();
    let o = cinnabar(d, None, &["codegen"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("pub struct Student {"));
    assert!(
        stderr(&o).contains("(URL from DATABASE_URL in "),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains(".env)"), "{}", stderr(&o));

    // A broken URL is an error naming the scheme, not a silent empty module.
    let o = cinnabar(d, Some(BROKEN), &["codegen"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("nosuchdb"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
}

#[test]
fn a_missing_url_is_an_error_naming_the_three_ways() {
    let dir = tempfile::tempdir().unwrap();
    let o = cinnabar(dir.path(), None, &["codegen"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.starts_with("error: no database URL"), "{err}");
    for way in [
        "--database-url URL",
        "DATABASE_URL environment variable",
        ".env file",
    ] {
        assert!(err.contains(way), "{err}");
    }
    assert!(stdout(&o).is_empty());
}

#[test]
fn an_unknown_table_is_an_error_naming_it() {
    let db = tool_db();
    let dir = tempfile::tempdir().unwrap();
    let o = cinnabar(
        dir.path(),
        None,
        &[
            "codegen",
            "--database-url",
            &db.url,
            "--tables",
            "students,nope",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("no table \"nope\""), "{err}");
    assert!(err.contains("courses, students"), "{err}");
    assert!(stdout(&o).is_empty());
}

#[test]
fn tables_and_out_write_one_file_per_model() {
    let db = tool_db();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("src/models");
    let o = cinnabar(
        dir.path(),
        None,
        &[
            "codegen",
            "--database-url",
            &db.url,
            "--tables",
            "students",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["mod.rs", "student.rs"]);
    let student = std::fs::read_to_string(out.join("student.rs")).unwrap();
    assert!(
        student.contains("#[cinnabar(foreign_key = \"courses.id\")]"),
        "{student}"
    );
    // courses is not generated, so no relationship, and the user is told.
    assert!(!student.contains("BelongsTo"), "{student}");
    assert!(
        stderr(&o)
            .contains("warning: students.course_id: no relationship: it references \"courses\""),
        "{}",
        stderr(&o)
    );
}

#[test]
fn type_overrides_apply_and_bad_ones_are_named() {
    let db = tool_db();
    let dir = tempfile::tempdir().unwrap();
    let args = |o: &'static str| {
        ["codegen", "--database-url", &db.url, "--type-override", o].map(str::to_string)
    };
    let o = cinnabar(
        dir.path(),
        None,
        &args("students.name=crate::Name")
            .each_ref()
            .map(String::as_str),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("pub name: Option<crate::Name>,"),
        "{}",
        stdout(&o)
    );
    for (bad, says) in [
        ("students.nope=u32", "has no column \"nope\""),
        ("students.name", "expected table.column=RustType"),
        ("students.name=not a type", "is not a Rust type"),
    ] {
        let o = cinnabar(dir.path(), None, &args(bad).each_ref().map(String::as_str));
        assert_eq!(o.status.code(), Some(1), "{bad}");
        assert!(stderr(&o).contains(says), "{bad}: {}", stderr(&o));
    }
}

#[test]
fn usage_errors_exit_with_2_and_help_has_examples() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["codegen", "--nope"][..], &[][..], &["frobnicate"][..]] {
        let o = cinnabar(dir.path(), None, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
    let o = cinnabar(dir.path(), None, &["codegen", "--help"]);
    assert!(o.status.success());
    let help = stdout(&o);
    for part in [
        "--database-url <URL>",
        "--tables",
        "--out <DIR>",
        "--type-override",
        "Examples:",
    ] {
        assert!(help.contains(part), "{help}");
    }
}

/// Codegen through the binary on each backend, from the other tool's schema.
fn codegen_through_the_binary(db: &TestDb) {
    db.engine
        .connect()
        .unwrap()
        .execute_script(&tool::script(db.backend))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // The test server trusts local connections, so on PostgreSQL a password can be given and
    // checked not to be printed.
    let url = match db.backend {
        support::Backend::Postgres => db.url.replacen("postgres@", "postgres:s3cret@", 1),
        _ => db.url.clone(),
    };
    let o = cinnabar(dir.path(), None, &["codegen", "--database-url", &url]);
    assert!(o.status.success(), "{}", stderr(&o));
    let code = stdout(&o);
    for part in [
        "pub struct Course {",
        "pub struct Student {",
        "pub students: HasMany<Student>,",
        "pub course_rel: BelongsTo<Course>,",
    ] {
        assert!(code.contains(part), "no {part:?} in:\n{code}");
    }
    assert!(
        stderr(&o).contains("cinnabar: 2 models from 2 tables"),
        "{}",
        stderr(&o)
    );
    // The password is never printed.
    assert!(!stderr(&o).contains("s3cret"), "{}", stderr(&o));
    if url != db.url {
        assert!(stderr(&o).contains("postgres:***@"), "{}", stderr(&o));
    }
}

backend_tests!(codegen_through_the_binary);
