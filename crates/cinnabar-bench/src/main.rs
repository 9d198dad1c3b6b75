//! The benchmark program (/work/shared/bench/WORKLOADS.md): runs each workload for each
//! contender on a fresh database, prints `<workload> <contender> <seconds> <rows>` per run
//! on stdout, verifies every result, and ends with a summary of medians and ratios to
//! `raw_rusqlite` on stderr (`--repeat R` runs each pair R times, interleaved).
//!
//! `cinnabar-bench [N] [workloads] [contenders] [--repeat R]`; see README.md.

mod orm;
mod raw;
mod setup;

use std::io::Write;
use std::path::Path;
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
    /// W6
    Delete,
}

impl Workload {
    /// The implemented workloads, in WORKLOADS.md's order (W5 `relation` is not yet).
    const ALL: [Workload; 5] = [
        Workload::Insert,
        Workload::SelectAll,
        Workload::Lookup,
        Workload::Update,
        Workload::Delete,
    ];

    /// The name as printed.
    fn name(self) -> &'static str {
        match self {
            Workload::Insert => "insert",
            Workload::SelectAll => "select_all",
            Workload::Lookup => "lookup",
            Workload::Update => "update",
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
            Workload::Delete => "w6",
        }
    }

    fn parse(s: &str) -> Result<Workload, String> {
        let s = s.trim().to_ascii_lowercase();
        if s == "relation" || s == "w5" {
            return Err("workload relation (W5) is not implemented yet".to_owned());
        }
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
            Workload::Insert | Workload::SelectAll | Workload::Update => n,
            Workload::Lookup => setup::LOOKUPS,
            Workload::Delete => n / 2,
        };
        rows as u64
    }
}

/// A contender: a way of running every workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Contender {
    Raw,
    Cinnabar,
}

impl Contender {
    const ALL: [Contender; 2] = [Contender::Raw, Contender::Cinnabar];

    fn name(self) -> &'static str {
        match self {
            Contender::Raw => "raw_rusqlite",
            Contender::Cinnabar => "cinnabar",
        }
    }

    fn parse(s: &str) -> Result<Contender, String> {
        let s = s.trim();
        Contender::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| format!("unknown contender {s:?}"))
    }

    fn run(self, w: Workload, path: &Path, n: i64) -> Result<Measured, Failure> {
        match self {
            Contender::Raw => raw::run(w, path, n),
            Contender::Cinnabar => orm::run(w, path, n),
        }
    }
}

/// What a contender reports for one run: the timed seconds and its row count.
#[derive(Debug, Clone, Copy)]
pub struct Measured {
    pub seconds: f64,
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
}

const USAGE: &str = "usage: cinnabar-bench [N] [workloads] [contenders] [--repeat R]
  N           number of students (default 100000)
  workloads   comma-separated: insert,select_all,lookup,update,delete (or w1,w2,w3,w4,w6); default all
  contenders  comma-separated: raw_rusqlite,cinnabar; default both
  --repeat R  run each (workload, contender) R times, interleaved (default 1)
  At the end a summary (median seconds, median cinnabar/raw_rusqlite ratio) goes to stderr.
  ORMBENCH_TRACE=1 prints the SQL each contender runs on stderr";

fn parse_list<T>(s: &str, parse: fn(&str) -> Result<T, String>) -> Result<Vec<T>, String> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(parse)
        .collect()
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
    let mut positional = Vec::new();
    let mut repeat = 1usize;
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        let value = if a == "--repeat" {
            Some(args.next().ok_or("--repeat needs a value")?)
        } else {
            a.strip_prefix("--repeat=").map(str::to_owned)
        };
        if let Some(v) = value {
            repeat = v
                .parse()
                .ok()
                .filter(|r| *r > 0)
                .ok_or_else(|| format!("--repeat {v:?}: expected a positive integer"))?;
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
        Some(s) => parse_list(&s, Contender::parse)?,
        None => Contender::ALL.to_vec(),
    };
    if workloads.is_empty() || contenders.is_empty() {
        return Err("empty workload or contender list".to_owned());
    }
    Ok(Options {
        n,
        workloads,
        contenders,
        repeat,
    })
}

/// One run: a fresh database in a fresh temporary directory, set up untimed, the contender's
/// timed run with its in-memory checks, then verification of the file.
fn run_once(w: Workload, c: Contender, n: i64) -> Result<Measured, Failure> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bench.db");
    setup::prepare(&path, n, w)?;
    if trace_enabled() {
        eprintln!("-- {} {}", w.name(), c.name());
    }
    let m = c.run(w, &path, n)?;
    let expected = w.expected_rows(n);
    if m.rows != expected {
        return Err(Failure::Verify(format!(
            "rows = {}, expected {expected}",
            m.rows
        )));
    }
    setup::verify_db(&path, n, w)?;
    dir.close()?;
    Ok(m)
}

struct Sample {
    workload: Workload,
    contender: Contender,
    rep: usize,
    seconds: f64,
}

fn median(mut v: Vec<f64>) -> Option<f64> {
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

/// The stderr summary: median seconds per contender and the median over repetitions of
/// cinnabar/raw_rusqlite.
fn print_summary(opts: &Options, samples: &[Sample]) {
    let seconds = |w: Workload, c: Contender| -> Vec<(usize, f64)> {
        samples
            .iter()
            .filter(|s| s.workload == w && s.contender == c)
            .map(|s| (s.rep, s.seconds))
            .collect()
    };
    let ratios =
        opts.contenders.contains(&Contender::Raw) && opts.contenders.contains(&Contender::Cinnabar);
    eprintln!();
    eprintln!(
        "summary: N={}, repeat={} (median seconds; ratio = median over repetitions of cinnabar/raw_rusqlite)",
        opts.n, opts.repeat
    );
    let mut header = format!("{:<12}", "workload");
    for c in &opts.contenders {
        header.push_str(&format!(" {:>14}", c.name()));
    }
    if ratios {
        header.push_str(&format!(" {:>8}", "ratio"));
    }
    eprintln!("{header}");
    for &w in &opts.workloads {
        let mut line = format!("{:<12}", w.name());
        for &c in &opts.contenders {
            let m = median(seconds(w, c).into_iter().map(|(_, s)| s).collect());
            line.push_str(&format!(" {:>14.6}", m.unwrap_or(f64::NAN)));
        }
        if ratios {
            let raw = seconds(w, Contender::Raw);
            let paired: Vec<f64> = seconds(w, Contender::Cinnabar)
                .into_iter()
                .filter_map(|(rep, s)| {
                    raw.iter()
                        .find(|(r, _)| *r == rep)
                        .map(|(_, base)| s / base)
                })
                .collect();
            line.push_str(&format!(" {:>8.3}", median(paired).unwrap_or(f64::NAN)));
        }
        eprintln!("{line}");
    }
}

fn main() -> ExitCode {
    let opts = match parse_args(std::env::args().skip(1)) {
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
    let mut samples = Vec::new();
    let stdout = std::io::stdout();
    for &w in &opts.workloads {
        for rep in 0..opts.repeat {
            // Alternate the contenders' order between repetitions so neither always runs
            // first (warm OS caches, CPU frequency).
            let mut order = opts.contenders.clone();
            if rep % 2 == 1 {
                order.reverse();
            }
            for c in order {
                match run_once(w, c, opts.n) {
                    Ok(m) => {
                        let mut out = stdout.lock();
                        let _ =
                            writeln!(out, "{} {} {:.6} {}", w.name(), c.name(), m.seconds, m.rows);
                        let _ = out.flush();
                        samples.push(Sample {
                            workload: w,
                            contender: c,
                            rep,
                            seconds: m.seconds,
                        });
                    }
                    Err(Failure::Verify(msg)) => {
                        eprintln!("VERIFY FAILED: {} {}: {msg}", w.name(), c.name());
                        return ExitCode::FAILURE;
                    }
                    Err(Failure::Error(msg)) => {
                        eprintln!("error: {} {}: {msg}", w.name(), c.name());
                        return ExitCode::FAILURE;
                    }
                }
            }
        }
    }
    print_summary(&opts, &samples);
    ExitCode::SUCCESS
}
