//! `cinnabar codegen` end to end, on each backend:
//!
//! - round trip: the models of `roundtrip/models.rs` -> `create_all` -> reflect -> codegen ->
//!   the generated module compiles (in one crate under `target/codegen-check/` with every
//!   backend's module and the golden outputs) -> its `metadata().create_all` on a fresh
//!   database (run by that crate's binary) -> reflect -> equal to the first reflection;
//! - a database made by another tool (plain SQL, the tutorial's courses and students) gives
//!   models that read its rows, relationships included (the binary prints them).
//!
//! The generated crate is built once per test run, for every backend that runs; only its first
//! build compiles `cinnabar` (its target directory is kept).

#[path = "../../cinnabar/tests/support/mod.rs"]
mod support;

mod roundtrip;
mod schemas;

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use cinnabar::prelude::*;
use cinnabar_cli::codegen::{generate, CodegenOptions, Generated, TypeOverride};
use cinnabar_core::schema::Table;
use cinnabar_engine::Inspector;

use roundtrip::generated_crate::GeneratedCrate;
use roundtrip::{models, tool};
use support::{Backend, TestDb};

/// The backends whose tests run in this build.
fn backends() -> Vec<Backend> {
    let mut out = vec![Backend::Sqlite];
    if cfg!(all(feature = "postgres", cinnabar_test_postgres)) {
        out.push(Backend::Postgres);
    }
    if cfg!(all(feature = "mysql", cinnabar_test_mysql)) {
        out.push(Backend::MySql);
    }
    out
}

fn label(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
        Backend::MySql => "mysql",
    }
}

fn fresh(b: Backend) -> TestDb {
    match b {
        Backend::Sqlite => TestDb::sqlite(),
        Backend::Postgres => TestDb::postgres(),
        Backend::MySql => TestDb::mysql(),
    }
}

fn reflect(db: &TestDb) -> Result<Vec<Table>, String> {
    Inspector::new(&db.engine)
        .tables()
        .map_err(|e| format!("reflecting the {} database: {e}", label(db.backend)))
}

fn codegen(db: &TestDb, tables: &[Table]) -> Result<Generated, String> {
    generate(tables, &CodegenOptions::for_dialect(db.engine.dialect())).map_err(|e| e.to_string())
}

/// What every test of this file shares: the first reflection and generated code per backend,
/// and the generated crate's binary.
struct Prepared {
    binary: PathBuf,
    first: Vec<(Backend, Vec<Table>, Generated)>,
    tool: Vec<(Backend, Generated)>,
}

static PREPARED: OnceLock<Result<Prepared, String>> = OnceLock::new();

fn prepared() -> &'static Prepared {
    match PREPARED.get_or_init(prepare) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    }
}

fn prepare() -> Result<Prepared, String> {
    let mut krate = GeneratedCrate::new();
    for (name, tables, options) in golden() {
        let g = generate(&tables, &options).map_err(|e| e.to_string())?;
        krate.module(name, &g.module);
    }
    // The --out layout too.
    let g = generate(&schemas::college(), &CodegenOptions::new()).map_err(|e| e.to_string())?;
    let mut files = vec![("mod.rs".to_string(), g.mod_rs.clone())];
    files.extend(
        g.models
            .iter()
            .map(|m| (format!("{}.rs", m.module), m.file.clone())),
    );
    krate.module_dir("golden_college_files", &files);

    let mut first = Vec::new();
    let mut tool = Vec::new();
    let mut arms = String::new();
    for b in backends() {
        let db = fresh(b);
        models::metadata()
            .create_all(&db.engine)
            .map_err(|e| format!("create_all of the models on {}: {e}", label(b)))?;
        let tables = reflect(&db)?;
        let g = codegen(&db, &tables)?;
        let module = format!("rt_{}", label(b));
        krate.module(&module, &g.module);
        arms.push_str(&format!(
            "        (\"create\", \"{module}\") => {module}::metadata().create_all(&engine).expect(\"create_all\"),\n"
        ));
        first.push((b, tables, g));

        let db = fresh(b);
        db.engine
            .connect()
            .and_then(|mut c| c.execute_script(&tool::script(b)))
            .map_err(|e| format!("the other tool's schema on {}: {e}", label(b)))?;
        let g = codegen(&db, &reflect(&db)?)?;
        let module = format!("tool_{}", label(b));
        krate.module(&module, &g.module);
        arms.push_str(&format!(
            "        (\"read\", \"{module}\") => read_tool!({module}, engine),\n"
        ));
        tool.push((b, g));
    }
    for golden in ["golden_college", "golden_names", "golden_college_files"] {
        arms.push_str(&format!(
            "        (\"create\", \"{golden}\") => {golden}::metadata().create_all(&engine).expect(\"create_all\"),\n"
        ));
    }
    krate.main(&MAIN.replace("        // ARMS\n", &arms));
    let binary = krate.build()?;
    Ok(Prepared {
        binary,
        first,
        tool,
    })
}

/// The golden schemas, as `codegen_golden.rs` generates them.
fn golden() -> Vec<(&'static str, Vec<Table>, CodegenOptions)> {
    let types = CodegenOptions::new()
        .type_override(TypeOverride::parse("measurements.count=u32").expect("an override"));
    vec![
        ("golden_college", schemas::college(), CodegenOptions::new()),
        ("golden_types", schemas::types(), types),
        ("golden_names", schemas::names(), CodegenOptions::new()),
        (
            "golden_unsupported",
            schemas::unsupported(),
            CodegenOptions::new(),
        ),
    ]
}

/// The generated crate's `main`: `create <module> <url>` runs the module's
/// `metadata().create_all`; `read <module> <url>` prints the other tool's rows through the
/// generated models and their relationships.
const MAIN: &str = r#"use cinnabar::prelude::*;

trait Show {
    fn show(&self) -> String;
}
macro_rules! show_display {
    ($($t:ty),*) => { $(impl Show for $t { fn show(&self) -> String { self.to_string() } })* };
}
show_display!(i16, i32, i64, String);
impl<T: Show> Show for Option<T> {
    fn show(&self) -> String {
        self.as_ref().map_or_else(|| "NULL".to_string(), Show::show)
    }
}

macro_rules! read_tool {
    ($m:ident, $engine:expr) => {{
        let mut session = Session::new(&$engine);
        let courses = session
            .query::<$m::Course>()
            .options(selectin($m::Course::students))
            .order_by($m::Course::id)
            .all()
            .expect("courses");
        for c in &courses {
            let c = c.read();
            let names: Vec<String> = c
                .students
                .get()
                .expect("students loaded")
                .iter()
                .map(|s| s.read().name.show())
                .collect();
            println!("course {} {}: {}", c.id.show(), c.title.show(), names.join(", "));
        }
        let students = session
            .query::<$m::Student>()
            .options(selectin($m::Student::course_rel))
            .order_by($m::Student::id)
            .all()
            .expect("students");
        for s in &students {
            let s = s.read();
            let course = match s.course_rel.get().expect("course loaded") {
                Some(c) => c.read().title.show(),
                None => "NULL".to_string(),
            };
            println!("student {} {} {} -> {}", s.id.show(), s.name.show(), s.course.show(), course);
        }
    }};
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, what, module, url] = args.as_slice() else {
        panic!("usage: codegen-check create|read MODULE URL");
    };
    let engine = create_engine(url).expect("engine");
    match (what.as_str(), module.as_str()) {
        // ARMS
        _ => panic!("unknown command {what} {module}"),
    }
}
"#;

/// Runs the generated crate's binary.
fn run_binary(args: &[&str]) -> String {
    let out = Command::new(&prepared().binary)
        .args(args)
        .output()
        .expect("run the generated crate's binary");
    assert!(
        out.status.success(),
        "codegen-check {}: {}\n{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The tables that differ, each side's Debug, for a readable failure.
fn differences(a: &[Table], b: &[Table]) -> String {
    let mut out = String::new();
    let names: std::collections::BTreeSet<&str> =
        a.iter().chain(b).map(|t| t.name.as_str()).collect();
    for name in names {
        let (x, y) = (
            a.iter().find(|t| t.name == name),
            b.iter().find(|t| t.name == name),
        );
        if x != y {
            out.push_str(&format!("--- {name}\nfirst:  {x:#?}\nsecond: {y:#?}\n"));
        }
    }
    out
}

/// Round trip: the generated models create the schema the original models created.
fn round_trip(db: &TestDb) {
    let p = prepared();
    let (_, first, generated) = p
        .first
        .iter()
        .find(|(b, ..)| *b == db.backend)
        .expect("prepared for this backend");
    assert!(
        generated.warnings.is_empty(),
        "codegen of the models' schema warned: {:#?}",
        generated.warnings
    );
    assert_eq!(generated.models.len(), first.len(), "a model per table");
    run_binary(&["create", &format!("rt_{}", label(db.backend)), &db.url]);
    let second = reflect(db).unwrap();
    assert!(
        second == *first,
        "the generated models' schema differs from the original:\n{}",
        differences(first, &second)
    );
    // And generating again gives the same code.
    assert_eq!(codegen(db, &second).unwrap().module, generated.module);
}

/// A database another tool made: the generated models read its rows.
fn tool_made_database_reads_its_rows(db: &TestDb) {
    let p = prepared();
    let (_, generated) = p
        .tool
        .iter()
        .find(|(b, _)| *b == db.backend)
        .expect("prepared for this backend");
    for expected in [
        "#[cinnabar(table = \"courses\")]\npub struct Course {",
        "#[cinnabar(table = \"students\")]\npub struct Student {",
        "pub students: HasMany<Student>,",
        "pub course_rel: BelongsTo<Course>,",
        "#[cinnabar(foreign_key = \"courses.id\")]",
    ] {
        assert!(
            generated.module.contains(expected),
            "no {expected:?} in:\n{}",
            generated.module
        );
    }
    db.engine
        .connect()
        .unwrap()
        .execute_script(&tool::script(db.backend))
        .unwrap();
    let out = run_binary(&["read", &format!("tool_{}", label(db.backend)), &db.url]);
    assert_eq!(out, tool::EXPECTED_ROWS);
}

backend_tests!(round_trip, tool_made_database_reads_its_rows);

/// The golden outputs compile (the crate built), and two of them create their tables on
/// SQLite: the college (every relationship kind) in one module and as `--out` files, and the
/// awkward names.
#[test]
fn golden_outputs_compile_and_create_their_tables() {
    for module in ["golden_college", "golden_names", "golden_college_files"] {
        let db = TestDb::sqlite();
        run_binary(&["create", module, &db.url]);
        let tables = reflect(&db).unwrap();
        assert!(!tables.is_empty(), "{module} created no table");
    }
}
