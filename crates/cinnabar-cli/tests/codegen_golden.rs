//! Golden outputs of `cinnabar codegen`'s library half: hand-built tables (the shapes
//! reflection returns) -> the exact module text in `tests/golden/<name>.rs`. Run with
//! `CINNABAR_BLESS=1` to rewrite the files after a deliberate change, then read the diff.
//! The same files are compiled against the real derive by `tests/round_trip.rs`.

mod schemas;

use std::path::PathBuf;

use cinnabar_cli::codegen::{generate, CodegenOptions, Generated, TypeOverride};
use cinnabar_core::schema::Table;

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.rs"))
}

/// The generated module followed by its warnings, as `//` lines, so both are pinned.
fn golden_text(g: &Generated) -> String {
    let mut text = g.module.clone();
    if !g.warnings.is_empty() {
        text.push_str("\n// Warnings:\n");
        for w in &g.warnings {
            text.push_str(&format!("// - {w}\n"));
        }
    }
    text
}

fn check(name: &str, tables: &[Table], options: &CodegenOptions) -> Generated {
    let g = generate(tables, options).unwrap();
    let text = golden_text(&g);
    let path = golden_path(name);
    if std::env::var_os("CINNABAR_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with CINNABAR_BLESS=1 to create it)",
            path.display()
        )
    });
    assert_eq!(
        text,
        expected,
        "{name}: the output differs from {}",
        path.display()
    );
    // The output is the same every time.
    assert_eq!(generate(tables, options).unwrap(), g);
    g
}

#[test]
fn college_with_every_kind_of_relationship() {
    let g = check(
        "college",
        &schemas::college(),
        &CodegenOptions::new().source("sqlite"),
    );
    assert!(g.warnings.is_empty(), "{:#?}", g.warnings);
}

#[test]
fn every_type_and_default() {
    let options = CodegenOptions::new()
        .source("postgresql")
        .type_override(TypeOverride::parse("measurements.count=u32").unwrap());
    check("types", &schemas::types(), &options);
}

#[test]
fn awkward_names() {
    check("names", &schemas::names(), &CodegenOptions::new());
}

#[test]
fn what_the_derive_cannot_express_is_warned_about() {
    let g = check(
        "unsupported",
        &schemas::unsupported(),
        &CodegenOptions::new(),
    );
    let text: Vec<String> = g.warnings.iter().map(ToString::to_string).collect();
    for expected in [
        "no_key: skipped: the table has no primary key",
        "float_key: skipped: primary-key column \"x\" is f64",
        "lines: the foreign key (order_id, order_no) -> orders(id, no) is not generated",
        "lines: partial index ix_lines_open",
        "lines.sku: ON UPDATE CASCADE is not generated",
    ] {
        assert!(
            text.iter().any(|w| w.starts_with(expected)),
            "no warning starting {expected:?} in {text:#?}"
        );
    }
}

#[test]
fn one_file_per_model_with_out() {
    let g = generate(&schemas::college(), &CodegenOptions::new()).unwrap();
    let modules: Vec<&str> = g.models.iter().map(|m| m.module.as_str()).collect();
    assert_eq!(
        modules,
        [
            "course_prerequisite",
            "course",
            "enrollment",
            "profile",
            "student_tag",
            "student",
            "tag"
        ]
    );
    let student = &g.models[5];
    assert!(
        student
            .file
            .contains("use super::{Course, Enrollment, Profile, StudentTag, Tag};"),
        "{}",
        student.file
    );
    assert!(g.mod_rs.contains("mod student;\n"), "{}", g.mod_rs);
    assert!(
        g.mod_rs.contains("pub use self::student::Student;\n"),
        "{}",
        g.mod_rs
    );
    assert!(
        g.mod_rs
            .contains(".with(<Student as Model>::table().clone())"),
        "{}",
        g.mod_rs
    );
}

#[test]
fn a_type_override_must_name_a_generated_column() {
    let options =
        CodegenOptions::new().type_override(TypeOverride::parse("students.nope=u32").unwrap());
    let e = generate(&schemas::college(), &options).unwrap_err();
    assert!(e.message().contains("has no column \"nope\""), "{e}");
    let options =
        CodegenOptions::new().type_override(TypeOverride::parse("ghosts.id=u32").unwrap());
    let e = generate(&schemas::college(), &options).unwrap_err();
    assert!(e.message().contains("no table \"ghosts\""), "{e}");
}

/// The output is formatted as rustfmt formats it (when rustfmt is installed).
#[test]
fn golden_files_are_rustfmt_clean() {
    let Ok(out) = std::process::Command::new("rustfmt")
        .arg("--version")
        .output()
    else {
        eprintln!("rustfmt is not installed: not checked");
        return;
    };
    assert!(out.status.success());
    let dir = tempfile::tempdir().unwrap();
    let mut paths: Vec<PathBuf> = ["college", "types", "names", "unsupported"]
        .iter()
        .map(|name| golden_path(name))
        .collect();
    // The --out files too.
    let g = generate(&schemas::college(), &CodegenOptions::new()).unwrap();
    std::fs::write(dir.path().join("mod.rs"), &g.mod_rs).unwrap();
    paths.push(dir.path().join("mod.rs"));
    for m in &g.models {
        let path = dir.path().join(format!("{}.rs", m.module));
        std::fs::write(&path, &m.file).unwrap();
        paths.push(path);
    }
    for path in paths {
        let out = std::process::Command::new("rustfmt")
            .args(["--check", "--edition", "2021"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "rustfmt would change {}:\n{}{}",
            path.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
