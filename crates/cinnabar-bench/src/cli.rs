//! The main command line: `cinnabar-bench [N] [workloads] [contenders] [options]` parsed
//! into [`Options`], with the measuring mode (`--instructions`, `--rss`, `--scale`) and the
//! hidden `--child` flag the modes re-execute this binary with.

use crate::{pg_setup, Backend, Contender, Workload};

/// What a run measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The default: wall-clock seconds of the timed part, every run in this process.
    Time,
    /// `--instructions`: each (workload, contender) in a child under callgrind, counting the
    /// timed part's instructions only (instructions.rs).
    Instructions,
    /// `--rss`: each (workload, contender) in a child process, reporting its peak resident
    /// memory (rss.rs).
    Rss,
}

/// What a child process (this binary re-executed by a mode) reports besides its result line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChildKind {
    /// Run under callgrind: nothing extra (the parent reads callgrind's output file).
    Instructions,
    /// Print `peak_rss <timed> <process>` from /proc/self/status.
    Rss,
}

impl ChildKind {
    /// The `--child` value.
    pub(crate) fn name(self) -> &'static str {
        match self {
            ChildKind::Instructions => "instructions",
            ChildKind::Rss => "rss",
        }
    }
}

/// The parsed main command line.
#[derive(Debug)]
pub(crate) struct Options {
    pub(crate) n: i64,
    pub(crate) workloads: Vec<Workload>,
    pub(crate) contenders: Vec<Contender>,
    pub(crate) repeat: usize,
    pub(crate) backend: Backend,
    /// The PostgreSQL server URL (`--backend postgres` only).
    pub(crate) url: String,
    /// `--pin-cpu`: the CPU this process (and on PostgreSQL each contender's server
    /// process) is pinned to.
    pub(crate) pin: Option<usize>,
    /// `--key`: SQLite files encrypted with this passphrase (feature `sqlcipher`).
    pub(crate) key: Option<String>,
    /// What is measured.
    pub(crate) mode: Mode,
    /// `--scale N1,N2,..`: the runs at each of these N instead of `n`, reported per row
    /// (scale.rs), in the unit of `mode`.
    pub(crate) scale: Option<Vec<i64>>,
    /// `--child K` (hidden): this process is one (workload, contender) run of a mode.
    pub(crate) child: Option<ChildKind>,
}

pub(crate) const USAGE: &str = "usage: cinnabar-bench [N] [workloads] [contenders] [--repeat R] [--backend B] [--url URL] [--pin-cpu K] [--key K]
                      [--instructions | --rss] [--scale N1,N2,..]
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
 modes (instead of the wall-clock lines):
  --instructions  each (workload, contender) runs in a child process under
               `valgrind --tool=callgrind` counting the timed part only; prints
               `instructions <workload> <contender> <count> <rows>` (useful N: 5000-20000)
  --rss        each (workload, contender) runs in a child process; prints
               `rss <workload> <contender> <bytes>`, the peak resident memory up to the end of
               the timed part
  --scale L    runs at each N of the list L (e.g. 10000,100000,1000000 or 10k,100k,1M; no
               positional N then); prints `scale <workload> <contender> <n> <seconds> <rows>
               <ns_per_row>` and per-row cost ratios between consecutive Ns; with
               --instructions or --rss, `scale_instructions`/`scale_rss` lines in that unit
       cinnabar-bench reflect [T] [--repeat R] [--backend B] [--url URL]
  times reflecting a T-table schema (default 500); `reflect --help` for details";

fn parse_list<T>(s: &str, parse: impl Fn(&str) -> Result<T, String>) -> Result<Vec<T>, String> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(parse)
        .collect()
}

/// One N of a `--scale` list: digits, optionally with a `k` (×1,000) or `M` (×1,000,000)
/// suffix, e.g. `100000`, `100k`, `1M`.
fn parse_scale_n(s: &str) -> Result<i64, String> {
    let t = s.trim();
    let (digits, factor) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 1_000),
        Some((i, 'm' | 'M')) => (&t[..i], 1_000_000),
        _ => (t, 1),
    };
    digits
        .parse::<i64>()
        .ok()
        .and_then(|d| d.checked_mul(factor))
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("--scale: {t:?} is not a positive number of students"))
}

/// The `--scale` list: comma-separated Ns (see [`parse_scale_n`]), at least one, none twice.
pub(crate) fn parse_scale(s: &str) -> Result<Vec<i64>, String> {
    let ns = parse_list(s, parse_scale_n)?;
    if ns.is_empty() {
        return Err("--scale needs at least one N, e.g. 10000,100000,1000000".to_owned());
    }
    for (k, n) in ns.iter().enumerate() {
        if ns[..k].contains(n) {
            return Err(format!("--scale: N = {n} is given twice"));
        }
    }
    Ok(ns)
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

/// Sets the mode once; a second mode flag is an error.
fn set_mode(mode: &mut Mode, new: Mode, flag: &str) -> Result<(), String> {
    if *mode != Mode::Time {
        return Err(format!(
            "{flag}: only one of --instructions and --rss at a time"
        ));
    }
    *mode = new;
    Ok(())
}

pub(crate) fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
    let mut positional = Vec::new();
    let mut repeat = 1usize;
    let mut backend = Backend::Sqlite;
    let mut url = None;
    let mut pin = None;
    let mut key = None;
    let mut mode = Mode::Time;
    let mut scale = None;
    let mut child = None;
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
        } else if a == "--instructions" {
            set_mode(&mut mode, Mode::Instructions, &a)?;
        } else if a == "--rss" {
            set_mode(&mut mode, Mode::Rss, &a)?;
        } else if let Some(v) = option_value("--scale", &a, &mut args)? {
            if scale.is_some() {
                return Err("--scale is given twice".to_owned());
            }
            scale = Some(parse_scale(&v)?);
        } else if let Some(v) = option_value("--child", &a, &mut args)? {
            child = Some(match v.as_str() {
                "instructions" => ChildKind::Instructions,
                "rss" => ChildKind::Rss,
                other => return Err(format!("--child {other:?}: expected instructions or rss")),
            });
        } else if a == "-h" || a == "--help" {
            return Err(String::new());
        } else if a.starts_with('-') {
            return Err(format!("unknown option {a:?}"));
        } else {
            positional.push(a);
        }
    }
    let scaled = scale.is_some();
    let max_positional = if scaled { 2 } else { 3 };
    if positional.len() > max_positional {
        return Err(format!(
            "unexpected argument {:?}",
            positional[max_positional]
        ));
    }
    let mut positional = positional.into_iter().peekable();
    let n = if scaled {
        if positional.peek().is_some_and(|s| s.parse::<i64>().is_ok()) {
            return Err("--scale gives the Ns: no positional N with it".to_owned());
        }
        0
    } else {
        match positional.next() {
            Some(s) => s
                .parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("N {s:?}: expected a positive integer"))?,
            None => 100_000,
        }
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
    if child.is_some()
        && (workloads.len() != 1 || contenders.len() != 1 || mode != Mode::Time || scaled)
    {
        return Err("--child runs exactly one workload and one contender".to_owned());
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
        mode,
        scale,
        child,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn scale_lists_take_plain_numbers_and_k_m_suffixes() {
        assert_eq!(
            parse_scale("10000,100000,1000000"),
            Ok(vec![10_000, 100_000, 1_000_000])
        );
        assert_eq!(
            parse_scale("10k, 100K,1M"),
            Ok(vec![10_000, 100_000, 1_000_000])
        );
        assert_eq!(parse_scale("2000"), Ok(vec![2_000]));
    }

    #[test]
    fn scale_lists_refuse_bad_entries() {
        for bad in [
            "",
            ",",
            "0",
            "-5",
            "ten",
            "1.5M",
            "10k,10000",
            "99999999999999M",
            "k",
        ] {
            assert!(parse_scale(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn the_default_command_line_is_unchanged() {
        let o = parse_args(args("")).unwrap();
        assert_eq!(o.n, 100_000);
        assert_eq!(o.workloads, Workload::ALL.to_vec());
        assert_eq!(o.mode, Mode::Time);
        let o = parse_args(args("20000 update cinnabar --repeat 3")).unwrap();
        assert_eq!(
            (o.n, o.workloads, o.contenders, o.repeat),
            (20_000, vec![Workload::Update], vec![Contender::Cinnabar], 3)
        );
    }

    #[test]
    fn modes_parse_and_exclude_each_other() {
        let o = parse_args(args("10000 lookup --instructions")).unwrap();
        assert_eq!((o.n, o.mode), (10_000, Mode::Instructions));
        let o = parse_args(args("1000000 w2,w4 --rss")).unwrap();
        assert_eq!(o.mode, Mode::Rss);
        let o = parse_args(args("--scale 10k,100k select_all raw")).unwrap();
        assert_eq!(o.mode, Mode::Time);
        assert_eq!(o.scale, Some(vec![10_000, 100_000]));
        assert_eq!(o.workloads, vec![Workload::SelectAll]);
        assert_eq!(o.contenders, vec![Contender::Raw]);
        assert!(parse_args(args("--rss --instructions")).is_err());
        assert!(parse_args(args("1000 --scale 10k")).is_err());
        assert!(parse_args(args("--scale 10k --scale 20k")).is_err());
        let o = parse_args(args("--scale 5k,50k update --instructions")).unwrap();
        assert_eq!(
            (o.mode, o.scale),
            (Mode::Instructions, Some(vec![5_000, 50_000]))
        );
    }

    #[test]
    fn a_child_runs_one_pair() {
        let o = parse_args(args("500 lookup cinnabar --child rss")).unwrap();
        assert_eq!(o.child, Some(ChildKind::Rss));
        assert!(parse_args(args("500 lookup --child rss")).is_err());
        assert!(parse_args(args("500 lookup raw --child other")).is_err());
    }
}
