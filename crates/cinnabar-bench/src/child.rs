//! The child processes of `--instructions` and `--rss`: the parent re-executes this binary
//! with the hidden `--child K` flag and exactly one workload and one contender (under
//! callgrind for `--instructions`), the child runs and verifies it like the default mode
//! and prints its result line (and for `--rss` a `peak_rss` line), and the parent parses
//! that output.

use std::io::Write;
use std::process::{Command, ExitCode, Stdio};

use crate::cli::{ChildKind, Options};
use crate::{measure, report_failure, run_once, Backend, Contender, Failure, Workload};

/// What a child reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChildReport {
    /// The run's checked row count.
    pub(crate) rows: u64,
    /// `--child rss`: the peak resident memory in bytes right after the timed part, and of
    /// the whole process (its setup and verification included).
    pub(crate) peak: Option<(u64, u64)>,
}

/// The child side: runs the one (workload, contender) of `opts` and prints its
/// `<workload> <contender> <seconds> <rows>` line, then for [`ChildKind::Rss`]
/// `peak_rss <bytes after the timed part> <bytes of the whole process>`.
pub(crate) fn run_child(kind: ChildKind, opts: &Options) -> ExitCode {
    let (w, c) = (opts.workloads[0], opts.contenders[0]);
    let what = format!("{} {}", w.name(), c.name(opts.backend));
    if kind == ChildKind::Rss {
        measure::record_peak_after_timed();
    }
    let m = match run_once(w, c, opts.n, opts) {
        Ok(m) => m,
        Err(f) => return report_failure(&what, f),
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{what} {:.6} {}", m.seconds, m.rows);
    if kind == ChildKind::Rss {
        let process = match measure::peak_rss() {
            Ok(p) => p,
            Err(f) => return report_failure(&what, f),
        };
        let Some(timed) = measure::timed_peak() else {
            return report_failure(
                &what,
                Failure::Error("the peak after the timed part was not recorded".to_owned()),
            );
        };
        let _ = writeln!(out, "peak_rss {timed} {process}");
    }
    let _ = out.flush();
    ExitCode::SUCCESS
}

/// The arguments that make this binary a `kind` child running `w` for `c` at `n` with the
/// backend options of `opts`.
pub(crate) fn child_args(
    kind: ChildKind,
    w: Workload,
    c: Contender,
    n: i64,
    opts: &Options,
) -> Vec<String> {
    let mut args = vec![
        n.to_string(),
        w.name().to_owned(),
        c.name(opts.backend).to_owned(),
        "--child".to_owned(),
        kind.name().to_owned(),
    ];
    if opts.backend == Backend::Postgres {
        args.extend(["--backend".to_owned(), "postgres".to_owned()]);
        args.extend(["--url".to_owned(), opts.url.clone()]);
    }
    if let Some(cpu) = opts.pin {
        args.extend(["--pin-cpu".to_owned(), cpu.to_string()]);
    }
    if let Some(key) = &opts.key {
        args.extend(["--key".to_owned(), key.clone()]);
    }
    args
}

/// Runs `w` for `c` at `n` in a `kind` child of this binary, behind `wrapper` (a command
/// and its arguments, e.g. valgrind's, that then runs this binary; empty: none). The
/// child's stderr goes to this process's stderr.
///
/// # Errors
/// [`Failure::Error`] when the child cannot start, fails (its message is above) or prints
/// no result line.
pub(crate) fn spawn(
    kind: ChildKind,
    w: Workload,
    c: Contender,
    n: i64,
    opts: &Options,
    wrapper: &[String],
) -> Result<ChildReport, Failure> {
    let exe = std::env::current_exe()?;
    let mut cmd = match wrapper.split_first() {
        Some((program, rest)) => {
            let mut cmd = Command::new(program);
            cmd.args(rest).arg(&exe);
            cmd
        }
        None => Command::new(&exe),
    };
    cmd.args(child_args(kind, w, c, n, opts))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let out = cmd.output().map_err(|e| {
        Failure::Error(format!(
            "cannot run {}: {e}",
            wrapper
                .first()
                .map_or_else(|| exe.display().to_string(), String::clone)
        ))
    })?;
    let name = c.name(opts.backend);
    if !out.status.success() {
        return Err(Failure::Error(format!(
            "the child process running {} {name} at N = {n} failed ({})",
            w.name(),
            out.status
        )));
    }
    parse_child_stdout(&String::from_utf8_lossy(&out.stdout), w.name(), name)
        .map_err(Failure::Error)
}

/// Parses a child's stdout: its `<workload> <contender> <seconds> <rows>` line (for the
/// expected workload and contender) and an optional `peak_rss <timed> <process>` line.
///
/// # Errors
/// A message when the result line is missing or a line is malformed.
pub(crate) fn parse_child_stdout(
    text: &str,
    workload: &str,
    contender: &str,
) -> Result<ChildReport, String> {
    let mut rows = None;
    let mut peak = None;
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            ["peak_rss", timed, process] => {
                let bytes = |s: &str| {
                    s.parse::<u64>()
                        .map_err(|_| format!("child printed a malformed line {line:?}"))
                };
                peak = Some((bytes(timed)?, bytes(process)?));
            }
            [w, c, seconds, r] if *w == workload && *c == contender => {
                seconds
                    .parse::<f64>()
                    .map_err(|_| format!("child printed a malformed line {line:?}"))?;
                rows = Some(
                    r.parse::<u64>()
                        .map_err(|_| format!("child printed a malformed line {line:?}"))?,
                );
            }
            _ => {}
        }
    }
    let rows = rows.ok_or_else(|| {
        format!("the child printed no `{workload} {contender} <seconds> <rows>` line")
    })?;
    Ok(ChildReport { rows, peak })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_result_line_and_the_peak_are_read() {
        let r = parse_child_stdout(
            "select_all cinnabar 0.123456 1000000\npeak_rss 300000000 420000000\n",
            "select_all",
            "cinnabar",
        );
        assert_eq!(
            r,
            Ok(ChildReport {
                rows: 1_000_000,
                peak: Some((300_000_000, 420_000_000))
            })
        );
        let r = parse_child_stdout("lookup raw_rusqlite 0.5 10000\n", "lookup", "raw_rusqlite");
        assert_eq!(
            r,
            Ok(ChildReport {
                rows: 10_000,
                peak: None
            })
        );
    }

    #[test]
    fn child_arguments_parse_back_to_the_same_run() {
        let parent = crate::cli::parse_args(
            "1000 select_all,update raw,cinnabar --rss --backend postgres --url postgresql://u@h/db --pin-cpu 1"
                .split_whitespace()
                .map(str::to_owned),
        )
        .unwrap();
        let args = child_args(
            ChildKind::Rss,
            Workload::Update,
            Contender::Cinnabar,
            5000,
            &parent,
        );
        let child = crate::cli::parse_args(args).unwrap();
        assert_eq!(child.child, Some(ChildKind::Rss));
        assert_eq!(
            (child.n, child.workloads, child.contenders),
            (5000, vec![Workload::Update], vec![Contender::Cinnabar])
        );
        assert_eq!(child.backend, Backend::Postgres);
        assert_eq!(child.url, "postgresql://u@h/db");
        assert_eq!(child.pin, Some(1));
        assert_eq!(child.mode, crate::cli::Mode::Time);
    }

    #[test]
    fn a_missing_or_malformed_line_is_an_error() {
        assert!(parse_child_stdout("", "lookup", "cinnabar").is_err());
        // Another pair's line is not this one's.
        assert!(
            parse_child_stdout("lookup raw_rusqlite 0.5 10000\n", "lookup", "cinnabar").is_err()
        );
        assert!(parse_child_stdout("lookup cinnabar 0.5 many\n", "lookup", "cinnabar").is_err());
        assert!(parse_child_stdout("lookup cinnabar fast 10\n", "lookup", "cinnabar").is_err());
        assert!(parse_child_stdout(
            "lookup cinnabar 0.5 10\npeak_rss 1 x\n",
            "lookup",
            "cinnabar"
        )
        .is_err());
    }
}
