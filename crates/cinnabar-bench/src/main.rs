//! The benchmark program (/work/shared/bench/WORKLOADS.md): runs each workload for each
//! contender on a fresh database, prints `<workload> <contender> <seconds> <rows>` per run
//! on stdout, verifies every result, and ends with a summary of medians and ratios to the
//! raw contender (`raw_rusqlite`, or `raw_postgres` with `--backend postgres`) on stderr
//! (`--repeat R` runs each pair R times, interleaved).
//!
//! `cinnabar-bench [N] [workloads] [contenders] [--repeat R] [--backend sqlite|postgres]
//! [--url URL] [--pin-cpu K] [--key K]`; `cinnabar-bench reflect [T] ...` times reflecting a T-table
//! schema (`reflect.rs`); see README.md.

mod migrate_rebuild;
mod orm;
mod pg_raw;
mod pg_setup;
mod raw;
mod reflect;
mod setup;

use std::io::Write;
use std::process::ExitCode;
use std::sync::OnceLock;

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
    /// All workloads, in WORKLOADS.md's order.
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

struct Options {
    n: i64,
    workloads: Vec<Workload>,
    contenders: Vec<Contender>,
    repeat: usize,
    backend: Backend,
    /// The PostgreSQL server URL (`--backend postgres` only).
    url: String,
    /// `--pin-cpu`: the CPU this process (and on PostgreSQL each contender's server
    /// process) is pinned to.
    pin: Option<usize>,
    /// `--key`: SQLite files encrypted with this passphrase (feature `sqlcipher`).
    key: Option<String>,
}

const USAGE: &str = "usage: cinnabar-bench [N] [workloads] [contenders] [--repeat R] [--backend B] [--url URL] [--pin-cpu K] [--key K]
  N            number of students (default 100000)
  workloads    comma-separated: insert,select_all,lookup,update,relation,delete
               (or w1..w6); default all
  contenders   comma-separated: raw_rusqlite,cinnabar,cinnabar_joined (raw_postgres,.. on
               PostgreSQL; `raw` names either; cinnabar_joined runs W5 only); default all
  --repeat R   run each (workload, contender) R times, interleaved (default 1)
  --backend B  sqlite (default: a fresh database file per run) or postgres (a fresh schema
               per run on a PostgreSQL server)
  --url URL    the PostgreSQL server (default: $CINNABAR_BENCH_POSTGRES, else
               postgresql://postgres@127.0.0.1:5432/test)
  --pin-cpu K  pin this process and (PostgreSQL) each contender's server process to CPU K
               with taskset(1), so that every round trip is a same-CPU switch (needs a local
               server and the right to set its processes' affinity)
  --key K      SQLite only: every database file is encrypted with passphrase K (SQLCipher;
               a build with --features sqlcipher): raw_rusqlite runs PRAGMA key first,
               cinnabar gets ?key=K, so the ratio compares like with like
  At the end a summary (median seconds, median cinnabar/raw ratio) goes to stderr.
  ORMBENCH_TRACE=1 prints the SQL each contender runs on stderr
       cinnabar-bench reflect [T] [--repeat R] [--backend B] [--url URL]
  times reflecting a T-table schema (default 500); `reflect --help` for details";

fn parse_list<T>(s: &str, parse: impl Fn(&str) -> Result<T, String>) -> Result<Vec<T>, String> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(parse)
        .collect()
}

/// The value of option `name` if `a` is it: `--name value` (taking the next argument) or
/// `--name=value`.
fn option_value(
    name: &str,
    a: &str,
    args: &mut impl Iterator<Item = String>,
) -> Result<Option<String>, String> {
    if a == name {
        return args
            .next()
            .map(Some)
            .ok_or_else(|| format!("{name} needs a value"));
    }
    Ok(a.strip_prefix(name)
        .and_then(|rest| rest.strip_prefix('='))
        .map(str::to_owned))
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
    let mut positional = Vec::new();
    let mut repeat = 1usize;
    let mut backend = Backend::Sqlite;
    let mut url = None;
    let mut pin = None;
    let mut key = None;
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        if let Some(v) = option_value("--repeat", &a, &mut args)? {
            repeat = v
                .parse()
                .ok()
                .filter(|r| *r > 0)
                .ok_or_else(|| format!("--repeat {v:?}: expected a positive integer"))?;
        } else if let Some(v) = option_value("--backend", &a, &mut args)? {
            backend = Backend::parse(&v)?;
        } else if let Some(v) = option_value("--url", &a, &mut args)? {
            url = Some(v);
        } else if let Some(v) = option_value("--pin-cpu", &a, &mut args)? {
            pin = Some(
                v.parse::<usize>()
                    .map_err(|_| format!("--pin-cpu {v:?}: expected a CPU number"))?,
            );
        } else if let Some(v) = option_value("--key", &a, &mut args)? {
            if v.is_empty() {
                return Err("--key needs a non-empty passphrase".to_owned());
            }
            key = Some(v);
        } else if a == "-h" || a == "--help" {
            return Err(String::new());
        } else if a.starts_with('-') {
            return Err(format!("unknown option {a:?}"));
        } else {
            positional.push(a);
        }
    }
    if positional.len() > 3 {
        return Err(format!("unexpected argument {:?}", positional[3]));
    }
    let mut positional = positional.into_iter();
    let n = match positional.next() {
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("N {s:?}: expected a positive integer"))?,
        None => 100_000,
    };
    let workloads = match positional.next() {
        Some(s) => parse_list(&s, Workload::parse)?,
        None => Workload::ALL.to_vec(),
    };
    let contenders = match positional.next() {
        Some(s) => parse_list(&s, |c| Contender::parse(c, backend))?,
        None => Contender::ALL.to_vec(),
    };
    if workloads.is_empty() || contenders.is_empty() {
        return Err("empty workload or contender list".to_owned());
    }
    if !workloads
        .iter()
        .any(|w| contenders.iter().any(|c| c.runs(*w)))
    {
        return Err(
            "nothing to run: cinnabar_joined runs only the relation workload (W5)".to_owned(),
        );
    }
    if url.is_some() && backend != Backend::Postgres {
        return Err("--url needs --backend postgres".to_owned());
    }
    if key.is_some() && backend != Backend::Sqlite {
        return Err("--key needs --backend sqlite".to_owned());
    }
    if key.is_some() && !cfg!(feature = "sqlcipher") {
        return Err(
            "--key needs a build with SQLCipher: cargo build --release -p cinnabar-bench \
             --features sqlcipher"
                .to_owned(),
        );
    }
    let url = url
        .or_else(|| {
            std::env::var(pg_setup::URL_ENV)
                .ok()
                .filter(|u| !u.trim().is_empty())
        })
        .unwrap_or_else(|| pg_setup::DEFAULT_URL.to_owned());
    Ok(Options {
        n,
        workloads,
        contenders,
        repeat,
        backend,
        url,
        pin,
        key,
    })
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
fn run_once(w: Workload, c: Contender, opts: &Options) -> Result<Measured, Failure> {
    let n = opts.n;
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

struct Sample {
    workload: Workload,
    contender: Contender,
    rep: usize,
    seconds: f64,
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

/// The stderr summary: median seconds per contender, for each ORM contender the median over
/// repetitions of its time over the raw contender's (`raw_rusqlite` or `raw_postgres`), and
/// the ratio of the fastest runs (`best`: less sensitive to a slow outlier on either side).
/// `cinnabar_joined` (W5 only) gets its own `j_ratio` and `j_best` columns; a contender that
/// did not run a workload shows `-`.
fn print_summary(opts: &Options, samples: &[Sample], multirow: &[f64]) {
    let seconds = |w: Workload, c: Contender| -> Vec<(usize, f64)> {
        samples
            .iter()
            .filter(|s| s.workload == w && s.contender == c)
            .map(|s| (s.rep, s.seconds))
            .collect()
    };
    // The contenders that run at least one of the chosen workloads, and those compared with
    // the raw one.
    let shown: Vec<Contender> = opts
        .contenders
        .iter()
        .copied()
        .filter(|c| opts.workloads.iter().any(|w| c.runs(*w)))
        .collect();
    let compared: Vec<Contender> = if shown.contains(&Contender::Raw) {
        shown
            .iter()
            .copied()
            .filter(|c| *c != Contender::Raw)
            .collect()
    } else {
        Vec::new()
    };
    let mut backend = match opts.backend {
        Backend::Sqlite => "sqlite".to_owned(),
        Backend::Postgres => format!("postgres {}", pg_setup::redact(&opts.url)),
    };
    if let Some(cpu) = opts.pin {
        backend.push_str(&format!(", pinned to CPU {cpu}"));
    }
    let raw_name = Contender::Raw.name(opts.backend);
    let mut legend = format!(
        "ratio = median over repetitions of cinnabar/{raw_name}; best = fastest cinnabar / fastest {raw_name}"
    );
    if compared.contains(&Contender::CinnabarJoined) {
        legend.push_str("; j_ratio, j_best: the same for cinnabar_joined");
    }
    eprintln!();
    eprintln!(
        "summary: {backend}, N={}, repeat={} (median seconds; {legend})",
        opts.n, opts.repeat,
    );
    let mut header = format!("{:<12}", "workload");
    for c in &shown {
        header.push_str(&format!(" {:>15}", c.name(opts.backend)));
    }
    for c in &compared {
        let (ratio, best) = c.ratio_headers();
        header.push_str(&format!(" {ratio:>8} {best:>8}"));
    }
    eprintln!("{header}");
    for &w in &opts.workloads {
        let mut line = format!("{:<12}", w.name());
        for &c in &shown {
            match median(seconds(w, c).into_iter().map(|(_, s)| s).collect()) {
                Some(m) => line.push_str(&format!(" {m:>15.6}")),
                None => line.push_str(&format!(" {:>15}", "-")),
            }
        }
        let raw = seconds(w, Contender::Raw);
        let fastest = |c| {
            seconds(w, c)
                .into_iter()
                .map(|(_, s)| s)
                .min_by(f64::total_cmp)
        };
        for &c in &compared {
            let paired: Vec<f64> = seconds(w, c)
                .into_iter()
                .filter_map(|(rep, s)| {
                    raw.iter()
                        .find(|(r, _)| *r == rep)
                        .map(|(_, base)| s / base)
                })
                .collect();
            match (median(paired), fastest(c), fastest(Contender::Raw)) {
                (Some(ratio), Some(best), Some(base)) => {
                    line.push_str(&format!(" {ratio:>8.3} {:>8.3}", best / base));
                }
                _ => line.push_str(&format!(" {:>8} {:>8}", "-", "-")),
            }
        }
        eprintln!("{}", line.trim_end());
    }
    if let Some(m) = median(multirow.to_vec()) {
        let cinnabar = median(
            seconds(Workload::Insert, Contender::Cinnabar)
                .into_iter()
                .map(|(_, s)| s)
                .collect(),
        );
        let versus = cinnabar
            .map(|c| format!("; cinnabar median / this = {:.3}", c / m))
            .unwrap_or_default();
        eprintln!(
            "note: insert raw_postgres multi-row variant (1,000-row INSERT .. RETURNING id, not the floor): median {m:.6} s over {} runs{versus}",
            multirow.len()
        );
    }
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
    let mut samples = Vec::new();
    let mut multirow = Vec::new();
    let stdout = std::io::stdout();
    for &w in &opts.workloads {
        for rep in 0..opts.repeat {
            // Alternate the contenders' order between repetitions so neither always runs
            // first (warm OS caches, CPU frequency).
            let mut order: Vec<Contender> = opts
                .contenders
                .iter()
                .copied()
                .filter(|c| c.runs(w))
                .collect();
            if rep % 2 == 1 {
                order.reverse();
            }
            for c in order {
                let name = c.name(opts.backend);
                match run_once(w, c, &opts) {
                    Ok(m) => {
                        let mut out = stdout.lock();
                        let _ = writeln!(out, "{} {name} {:.6} {}", w.name(), m.seconds, m.rows);
                        let _ = out.flush();
                        samples.push(Sample {
                            workload: w,
                            contender: c,
                            rep,
                            seconds: m.seconds,
                        });
                    }
                    Err(Failure::Verify(msg)) => {
                        eprintln!("VERIFY FAILED: {} {name}: {msg}", w.name());
                        return ExitCode::FAILURE;
                    }
                    Err(Failure::Error(msg)) => {
                        eprintln!("error: {} {name}: {msg}", w.name());
                        return ExitCode::FAILURE;
                    }
                }
                if opts.backend == Backend::Postgres && w == Workload::Insert && c == Contender::Raw
                {
                    match run_multirow_note(&opts) {
                        Ok(m) => {
                            eprintln!(
                                "note: insert raw_postgres multi-row variant {:.6} {}",
                                m.seconds, m.rows
                            );
                            multirow.push(m.seconds);
                        }
                        Err(Failure::Verify(msg)) => {
                            eprintln!(
                                "VERIFY FAILED: insert raw_postgres (multi-row variant): {msg}"
                            );
                            return ExitCode::FAILURE;
                        }
                        Err(Failure::Error(msg)) => {
                            eprintln!("error: insert raw_postgres (multi-row variant): {msg}");
                            return ExitCode::FAILURE;
                        }
                    }
                }
            }
        }
    }
    print_summary(&opts, &samples, &multirow);
    ExitCode::SUCCESS
}
