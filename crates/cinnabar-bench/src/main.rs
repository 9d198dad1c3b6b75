//! The benchmark program (/work/shared/bench/WORKLOADS.md): runs each workload for each
//! contender on a fresh database, prints `<workload> <contender> <seconds> <rows>` per run
//! on stdout, verifies every result, and ends with a summary of medians and ratios to the
//! raw contender (`raw_rusqlite`, or `raw_postgres` with `--backend postgres`) on stderr
//! (`--repeat R` runs each pair R times, interleaved).
//!
//! `cinnabar-bench [N] [workloads] [contenders] [--repeat R] [--backend sqlite|postgres]
//! [--url URL] [--pin-cpu K] [--key K]`; `cinnabar-bench reflect [T] ...` times reflecting a T-table
//! schema (`reflect.rs`); see README.md. The modes `--instructions` (instructions.rs),
//! `--rss` (rss.rs) and `--scale` (scale.rs) measure the same runs in other units.

mod child;
mod cli;
mod instructions;
mod measure;
mod migrate_rebuild;
mod orm;
mod pg_raw;
mod pg_setup;
mod raw;
mod reflect;
mod rss;
mod scale;
mod setup;
mod summary;

use std::io::Write;
use std::process::ExitCode;
use std::sync::OnceLock;

use cli::{parse_args, Mode, Options, USAGE};
use summary::{print_summary, Sample};

/// A workload of WORKLOADS.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// W1
    Insert,
    /// W2
    SelectAll,
    /// W3
    Lookup,
    /// W4
    Update,
    /// W5
    Relation,
    /// W6
    Delete,
}

impl Workload {
    /// All workloads, in WORKLOADS.md's order (also the default set).
    const ALL: [Workload; 6] = [
        Workload::Insert,
        Workload::SelectAll,
        Workload::Lookup,
        Workload::Update,
        Workload::Relation,
        Workload::Delete,
    ];

    /// The name as printed.
    fn name(self) -> &'static str {
        match self {
            Workload::Insert => "insert",
            Workload::SelectAll => "select_all",
            Workload::Lookup => "lookup",
            Workload::Update => "update",
            Workload::Relation => "relation",
            Workload::Delete => "delete",
        }
    }

    /// Its WORKLOADS.md number, accepted on the command line too (`w1`).
    fn number(self) -> &'static str {
        match self {
            Workload::Insert => "w1",
            Workload::SelectAll => "w2",
            Workload::Lookup => "w3",
            Workload::Update => "w4",
            Workload::Relation => "w5",
            Workload::Delete => "w6",
        }
    }

    fn parse(s: &str) -> Result<Workload, String> {
        let s = s.trim().to_ascii_lowercase();
        Workload::ALL
            .into_iter()
            .find(|w| w.name() == s || w.number() == s)
            .ok_or_else(|| format!("unknown workload {s:?}"))
    }

    /// Whether the setup seeds the N students (all but W1).
    pub fn seeds_students(self) -> bool {
        self != Workload::Insert
    }

    /// The `rows` a correct run reports.
    fn expected_rows(self, n: i64) -> u64 {
        let rows = match self {
            Workload::Insert | Workload::SelectAll | Workload::Update | Workload::Relation => n,
            Workload::Lookup => setup::LOOKUPS,
            Workload::Delete => n / 2,
        };
        rows as u64
    }
}

/// The database the workloads run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    /// A fresh SQLite file per run (WORKLOADS.md as written).
    Sqlite,
    /// A fresh schema per run on a PostgreSQL server.
    Postgres,
}

impl Backend {
    fn parse(s: &str) -> Result<Backend, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" | "pg" => Ok(Backend::Postgres),
            other => Err(format!(
                "unknown backend {other:?} (expected sqlite or postgres)"
            )),
        }
    }
}

/// A contender: a way of running every workload (`cinnabar_joined`: W5 only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Contender {
    /// The floor: `raw_rusqlite` on SQLite, `raw_postgres` on PostgreSQL.
    Raw,
    /// The ORM session path (W5 with `selectin`).
    Cinnabar,
    /// The extra W5 row: the ORM with `joined` loading.
    CinnabarJoined,
}

impl Contender {
    const ALL: [Contender; 3] = [
        Contender::Raw,
        Contender::Cinnabar,
        Contender::CinnabarJoined,
    ];

    fn name(self, backend: Backend) -> &'static str {
        match (self, backend) {
            (Contender::Raw, Backend::Sqlite) => "raw_rusqlite",
            (Contender::Raw, Backend::Postgres) => "raw_postgres",
            (Contender::Cinnabar, _) => "cinnabar",
            (Contender::CinnabarJoined, _) => "cinnabar_joined",
        }
    }

    /// Whether this contender runs workload `w` (`cinnabar_joined` only runs W5).
    fn runs(self, w: Workload) -> bool {
        self != Contender::CinnabarJoined || w == Workload::Relation
    }

    /// W5's loading strategy for the ORM contenders.
    fn eager(self) -> orm::Eager {
        match self {
            Contender::CinnabarJoined => orm::Eager::Joined,
            _ => orm::Eager::Selectin,
        }
    }

    /// The summary's ratio column names for this contender (to the raw one).
    fn ratio_headers(self) -> (&'static str, &'static str) {
        match self {
            Contender::CinnabarJoined => ("j_ratio", "j_best"),
            _ => ("ratio", "best"),
        }
    }

    fn parse(s: &str, backend: Backend) -> Result<Contender, String> {
        let s = s.trim();
        Contender::ALL
            .into_iter()
            .find(|c| c.name(backend) == s || (s == "raw" && *c == Contender::Raw))
            .ok_or_else(|| {
                let names: Vec<&str> = Contender::ALL.iter().map(|c| c.name(backend)).collect();
                format!(
                    "unknown contender {s:?} for this backend (expected {})",
                    names.join(" or ")
                )
            })
    }
}

/// What a contender reports for one run: the timed seconds and its row count.
#[derive(Debug, Clone, Copy)]
pub struct Measured {
    /// The timed seconds.
    pub seconds: f64,
    /// The rows the run read or wrote.
    pub rows: u64,
}

/// Why a run failed.
#[derive(Debug)]
pub enum Failure {
    /// The result is wrong (printed as `VERIFY FAILED`).
    Verify(String),
    /// The run could not complete.
    Error(String),
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        Failure::Error(format!("rusqlite: {e}"))
    }
}

impl From<cinnabar::Error> for Failure {
    fn from(e: cinnabar::Error) -> Self {
        Failure::Error(format!("cinnabar: {e}"))
    }
}

impl From<postgres::Error> for Failure {
    fn from(e: postgres::Error) -> Self {
        Failure::Error(format!("postgres: {}", pg_setup::describe(&e)))
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Error(format!("io: {e}"))
    }
}

/// Whether `ORMBENCH_TRACE=1`: the contenders print the SQL they run on stderr.
pub fn trace_enabled() -> bool {
    static TRACE: OnceLock<bool> = OnceLock::new();
    *TRACE.get_or_init(|| std::env::var("ORMBENCH_TRACE").is_ok_and(|v| v == "1"))
}

/// Pins process `pid` (all its threads) to CPU `cpu` with `taskset -a -p -c`.
///
/// # Errors
/// [`Failure::Error`] when `taskset` cannot be run or fails.
pub fn pin_to_cpu(pid: u32, cpu: usize) -> Result<(), Failure> {
    let out = std::process::Command::new("taskset")
        .args(["-a", "-p", "-c", &cpu.to_string(), &pid.to_string()])
        .output()
        .map_err(|e| Failure::Error(format!("--pin-cpu: cannot run taskset: {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(Failure::Error(format!(
            "--pin-cpu: taskset -a -p -c {cpu} {pid} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

fn check_rows(w: Workload, n: i64, m: &Measured) -> Result<(), Failure> {
    let expected = w.expected_rows(n);
    if m.rows != expected {
        return Err(Failure::Verify(format!(
            "rows = {}, expected {expected}",
            m.rows
        )));
    }
    Ok(())
}

/// One run: a fresh database (SQLite: a file in a fresh temporary directory; PostgreSQL: a
/// fresh schema), set up untimed, the contender's timed run with its in-memory checks, then
/// verification of the database through a separate connection.
fn run_once(w: Workload, c: Contender, n: i64, opts: &Options) -> Result<Measured, Failure> {
    if trace_enabled() {
        eprintln!("-- {} {}", w.name(), c.name(opts.backend));
    }
    match opts.backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir()?;
            let path = dir.path().join("bench.db");
            setup::prepare(&path, n, w)?;
            let m = match c {
                Contender::Raw => raw::run(w, &path, n)?,
                Contender::Cinnabar | Contender::CinnabarJoined => {
                    orm::run(w, c.eager(), &orm::sqlite_url(&path)?, n, &mut || Ok(()))?
                }
            };
            check_rows(w, n, &m)?;
            setup::verify_db(&path, n, w)?;
            dir.close()?;
            Ok(m)
        }
        Backend::Postgres => {
            let mut run = pg_setup::prepare(&opts.url, n, w, opts.pin)?;
            let m = match c {
                Contender::Raw => pg_raw::run(w, &mut run, n)?,
                Contender::Cinnabar | Contender::CinnabarJoined => {
                    let url = run.engine_url();
                    orm::run(w, c.eager(), &url, n, &mut || run.pin_backends())?
                }
            };
            check_rows(w, n, &m)?;
            run.verify(n, w)?;
            Ok(m)
        }
    }
}

/// PostgreSQL W1 only: the raw multi-row INSERT variant on its own fresh schema, verified
/// like a contender's run; its time is noted on stderr, not printed as a result line.
fn run_multirow_note(opts: &Options) -> Result<Measured, Failure> {
    let w = Workload::Insert;
    if trace_enabled() {
        eprintln!("-- {} raw_postgres (multi-row variant)", w.name());
    }
    let mut run = pg_setup::prepare(&opts.url, opts.n, w, opts.pin)?;
    let m = pg_raw::run_insert_multirow(&mut run, opts.n)?;
    check_rows(w, opts.n, &m)?;
    run.verify(opts.n, w)?;
    Ok(m)
}

/// Runs a mode of its own (`reflect`, `migrate_rebuild`): parses the arguments after its
/// name (usage on stderr and exit code 2 when they are wrong), runs it, and reports a failed
/// check as `VERIFY FAILED: <mode>: ..` and any other failure as `error: <mode>: ..`.
pub fn run_mode<O>(
    name: &str,
    usage: &str,
    args: &[String],
    parse: fn(&[String]) -> Result<O, String>,
    run: fn(&O) -> Result<(), Failure>,
) -> ExitCode {
    let opts = match parse(args) {
        Ok(o) => o,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("error: {e}");
            }
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    match run(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Verify(m)) => {
            eprintln!("VERIFY FAILED: {name}: {m}");
            ExitCode::FAILURE
        }
        Err(Failure::Error(m)) => {
            eprintln!("error: {name}: {m}");
            ExitCode::FAILURE
        }
    }
}

/// The median of `v` (the mean of the middle two for an even count); `None` when empty.
pub fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "reflect") {
        return reflect::main(&args[1..]);
    }
    if args.first().is_some_and(|a| a == "migrate_rebuild") {
        return migrate_rebuild::main(&args[1..]);
    }
    let opts = match parse_args(args) {
        Ok(o) => o,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("error: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    if trace_enabled() {
        // Cinnabar's engine echo logs through `tracing`; show it on stderr.
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_target(false)
            .with_ansi(false)
            .without_time()
            .init();
    }
    if let Some(cpu) = opts.pin {
        if let Err(Failure::Error(msg) | Failure::Verify(msg)) = pin_to_cpu(std::process::id(), cpu)
        {
            eprintln!("error: {msg}");
            return ExitCode::FAILURE;
        }
    }
    if let Some(key) = &opts.key {
        setup::set_key(key.clone());
        eprintln!("note: --key: every SQLite file is encrypted (SQLCipher) for both contenders");
    }
    if let Some(kind) = opts.child {
        return child::run_child(kind, &opts);
    }
    if let Some(ns) = &opts.scale {
        return scale::run(&opts, ns);
    }
    match opts.mode {
        Mode::Time => run_time(&opts),
        Mode::Instructions => instructions::run(&opts),
        Mode::Rss => rss::run(&opts),
    }
}

/// The runs of one pass over `opts`' workloads: for each workload, `--repeat` repetitions
/// of the contenders that run it, their order alternating between repetitions so neither
/// always runs first (warm OS caches, CPU frequency).
fn schedule(opts: &Options) -> Vec<(Workload, usize, Contender)> {
    let mut runs = Vec::new();
    for &w in &opts.workloads {
        for rep in 0..opts.repeat {
            let mut order: Vec<Contender> = opts
                .contenders
                .iter()
                .copied()
                .filter(|c| c.runs(w))
                .collect();
            if rep % 2 == 1 {
                order.reverse();
            }
            runs.extend(order.into_iter().map(|c| (w, rep, c)));
        }
    }
    runs
}

/// Prints a failed run as `VERIFY FAILED: <what>: ..` or `error: <what>: ..`.
fn report_failure(what: &str, f: Failure) -> ExitCode {
    match f {
        Failure::Verify(msg) => eprintln!("VERIFY FAILED: {what}: {msg}"),
        Failure::Error(msg) => eprintln!("error: {what}: {msg}"),
    }
    ExitCode::FAILURE
}

/// The default mode: every run in this process, one `<workload> <contender> <seconds>
/// <rows>` line each, then the summary.
fn run_time(opts: &Options) -> ExitCode {
    let mut samples = Vec::new();
    let mut multirow = Vec::new();
    let stdout = std::io::stdout();
    for (w, rep, c) in schedule(opts) {
        let name = c.name(opts.backend);
        match run_once(w, c, opts.n, opts) {
            Ok(m) => {
                let mut out = stdout.lock();
                let _ = writeln!(out, "{} {name} {:.6} {}", w.name(), m.seconds, m.rows);
                let _ = out.flush();
                samples.push(Sample {
                    workload: w,
                    contender: c,
                    rep,
                    value: m.seconds,
                });
            }
            Err(f) => return report_failure(&format!("{} {name}", w.name()), f),
        }
        if opts.backend == Backend::Postgres && w == Workload::Insert && c == Contender::Raw {
            match run_multirow_note(opts) {
                Ok(m) => {
                    eprintln!(
                        "note: insert raw_postgres multi-row variant {:.6} {}",
                        m.seconds, m.rows
                    );
                    multirow.push(m.seconds);
                }
                Err(f) => return report_failure("insert raw_postgres (multi-row variant)", f),
            }
        }
    }
    print_summary(opts, &samples, &multirow);
    ExitCode::SUCCESS
}
