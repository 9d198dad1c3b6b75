//! `--rss`: peak resident memory per (workload, contender). Each run is a child process of
//! this binary, so that no run inherits another's heap; the child reads its `VmHWM` (the
//! high-water mark of its resident set, /proc/self/status) right after the timed part and
//! again before it exits, and prints both.

use std::io::Write;
use std::process::ExitCode;

use crate::cli::{ChildKind, Options};
use crate::summary::{print_table, Sample};
use crate::{child, report_failure, schedule, Failure};

/// Bytes as MiB with one decimal, for the summary.
fn mib(bytes: f64) -> String {
    format!("{:.1} MiB", bytes / (1024.0 * 1024.0))
}

/// The peak resident memory of `w` for `c` at `n` in a child process: up to the end of the
/// timed part and of the whole process, in bytes, and the run's rows.
///
/// # Errors
/// [`Failure::Error`] when the child fails or reports no peak.
pub(crate) fn measure(
    w: crate::Workload,
    c: crate::Contender,
    n: i64,
    opts: &Options,
) -> Result<(u64, u64, u64), Failure> {
    let report = child::spawn(ChildKind::Rss, w, c, n, opts, &[])?;
    let (after_timed, whole) = report
        .peak
        .ok_or_else(|| Failure::Error("the child printed no peak_rss line".to_owned()))?;
    Ok((after_timed, whole, report.rows))
}

/// Runs `--rss`: one `rss <workload> <contender> <bytes>` line per run on stdout (the peak up
/// to the end of the timed part: the setup before it included, which is much smaller than
/// the workloads at large N, the checks after it not), then two summaries on stderr: those
/// peaks and the whole processes' peaks (verification included), each with ratios to raw.
pub(crate) fn run(opts: &Options) -> ExitCode {
    let mut timed = Vec::new();
    let mut process = Vec::new();
    for (w, rep, c) in schedule(opts) {
        let name = c.name(opts.backend);
        let what = format!("{} {name}", w.name());
        let (after_timed, whole) = match measure(w, c, opts.n, opts) {
            Ok((after_timed, whole, _)) => (after_timed, whole),
            Err(f) => return report_failure(&what, f),
        };
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "rss {what} {after_timed}");
        let _ = out.flush();
        timed.push(Sample {
            workload: w,
            contender: c,
            rep,
            value: after_timed as f64,
        });
        process.push(Sample {
            workload: w,
            contender: c,
            rep,
            value: whole as f64,
        });
    }
    print_table(
        opts,
        &timed,
        "median peak resident memory up to the end of the timed part",
        "smallest",
        mib,
    );
    print_table(
        opts,
        &process,
        "median peak resident memory of the whole child process, verification included",
        "smallest",
        mib,
    );
    ExitCode::SUCCESS
}
