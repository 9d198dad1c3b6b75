//! `--instructions`: instruction counts, stable on a loaded machine where wall-clock times
//! are not. Each (workload, contender) runs in a child process of this binary under
//! `valgrind --tool=callgrind --collect-atstart=no --toggle-collect=<the timed section>`,
//! so only instructions executed inside the timed part are counted (setup, connection and
//! verification are not); the total is read from callgrind's output file.

use std::io::Write;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use crate::cli::{ChildKind, Options};
use crate::summary::{print_table, Sample};
use crate::{child, measure, report_failure, schedule, Failure};

/// Checks that `valgrind` runs and has callgrind.
///
/// # Errors
/// [`Failure::Error`] saying how to get it when it is missing.
pub(crate) fn check_valgrind() -> Result<(), Failure> {
    let out = Command::new("valgrind")
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            Failure::Error(format!(
                "valgrind (with callgrind) is needed and not on PATH; install it, e.g. \
                 `apt-get install valgrind` ({e})"
            ))
        })?;
    if !out.status.success() {
        return Err(Failure::Error(format!(
            "`valgrind --version` failed ({})",
            out.status
        )));
    }
    Ok(())
}

/// The total of event `Ir` (instructions executed) in a callgrind output file's text: the
/// `totals:` line (or, without one, the `summary:` line), at the position of `Ir` in the
/// `events:` line. `None` when the text has no such lines.
pub(crate) fn parse_callgrind_total(text: &str) -> Option<u64> {
    let mut events: Option<Vec<&str>> = None;
    let mut totals = None;
    let mut summary = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("events:") {
            events = Some(rest.split_whitespace().collect());
        } else if let Some(rest) = line.strip_prefix("totals:") {
            totals = Some(rest);
        } else if let Some(rest) = line.strip_prefix("summary:") {
            summary = Some(rest);
        }
    }
    let index = events?.iter().position(|e| *e == "Ir")?;
    totals
        .or(summary)?
        .split_whitespace()
        .nth(index)?
        .parse()
        .ok()
}

/// The instructions the timed part of `w` for `c` executed at `n`, and its rows; callgrind's
/// files go to `dir`, numbered `k`.
///
/// # Errors
/// [`Failure::Error`] when the child fails or callgrind counted nothing.
pub(crate) fn count(
    w: crate::Workload,
    c: crate::Contender,
    n: i64,
    opts: &Options,
    dir: &Path,
    k: usize,
) -> Result<(u64, u64), Failure> {
    let out_file = dir.join(format!("callgrind.{k}.out"));
    let log_file = dir.join(format!("valgrind.{k}.log"));
    let wrapper = vec![
        "valgrind".to_owned(),
        "--tool=callgrind".to_owned(),
        format!("--callgrind-out-file={}", out_file.display()),
        format!("--log-file={}", log_file.display()),
        "--collect-atstart=no".to_owned(),
        format!("--toggle-collect={}", measure::TIMED_SYMBOL),
    ];
    let report = child::spawn(ChildKind::Instructions, w, c, n, opts, &wrapper).map_err(|f| {
        // valgrind's own messages went to the log: show them with the failure.
        let log = std::fs::read_to_string(&log_file).unwrap_or_default();
        match f {
            Failure::Error(m) if !log.trim().is_empty() => {
                Failure::Error(format!("{m}; valgrind's log:\n{}", log.trim_end()))
            }
            other => other,
        }
    })?;
    let text = std::fs::read_to_string(&out_file).map_err(|e| {
        Failure::Error(format!(
            "cannot read callgrind's output {}: {e}",
            out_file.display()
        ))
    })?;
    match parse_callgrind_total(&text) {
        Some(0) | None => Err(Failure::Error(format!(
            "callgrind counted no instructions inside {}: is the binary stripped, or was the \
             function renamed? ({})",
            measure::TIMED_SYMBOL,
            out_file.display()
        ))),
        Some(total) => Ok((total, report.rows)),
    }
}

/// Runs `--instructions`: one `instructions <workload> <contender> <count> <rows>` line per
/// run on stdout, then the summary (median counts, ratios to the raw contender) on stderr.
pub(crate) fn run(opts: &Options) -> ExitCode {
    if let Err(f) = check_valgrind() {
        return report_failure("--instructions", f);
    }
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return report_failure("--instructions", e.into()),
    };
    let mut samples = Vec::new();
    for (k, (w, rep, c)) in schedule(opts).into_iter().enumerate() {
        let name = c.name(opts.backend);
        match count(w, c, opts.n, opts, dir.path(), k) {
            Ok((total, rows)) => {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "instructions {} {name} {total} {rows}", w.name());
                let _ = out.flush();
                samples.push(Sample {
                    workload: w,
                    contender: c,
                    rep,
                    value: total as f64,
                });
            }
            Err(f) => return report_failure(&format!("{} {name}", w.name()), f),
        }
    }
    print_table(
        opts,
        &samples,
        "median instructions in the timed part, callgrind",
        "smallest",
        |m| format!("{m:.0}"),
    );
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The head and tail of a real output file (callgrind 3.19, `500 lookup cinnabar`,
    /// counting only the timed part), its middle cut.
    const OUT: &str = "# callgrind format\nversion: 1\ncreator: callgrind-3.19.0\npid: 14827\n\
        cmd:  target/release/cinnabar-bench 500 lookup cinnabar --child instructions\n\
        part: 1\n\n\ndesc: I1 cache: \ndesc: D1 cache: \ndesc: LL cache: \n\n\
        desc: Timerange: Basic block 0 - 34971053\ndesc: Trigger: Program termination\n\n\
        positions: line\nevents: Ir\nsummary: 141645373\n\n\n\
        ob=(3) /usr/lib/x86_64-linux-gnu/libc.so.6\n\
        fl=(159) ./csu/../sysdeps/nptl/libc_start_call_main.h\nfn=(882) (below main)\n\
        cob=(7) /work/wt-bench/target/release/cinnabar-bench\ncfi=(155) ???\ncfn=(890) main\n\
        calls=1 0 \n58 141645373\n\nob=(7)\ncfn=(854)\ncalls=1 0 \n0 141645373\n\n\
        totals: 141645373\n";

    #[test]
    fn the_total_of_ir_is_read() {
        assert_eq!(parse_callgrind_total(OUT), Some(141_645_373));
    }

    #[test]
    fn ir_is_found_among_several_events() {
        let text = "events: Dr Ir Dw\nsummary: 5 77 9\n";
        assert_eq!(parse_callgrind_total(text), Some(77));
        let text = "events: Ir Dr\nsummary: 1 2\ntotals: 300 4\n";
        assert_eq!(parse_callgrind_total(text), Some(300));
    }

    #[test]
    fn nothing_to_read_is_none() {
        assert_eq!(parse_callgrind_total(""), None);
        assert_eq!(parse_callgrind_total("events: Ir\n"), None);
        assert_eq!(parse_callgrind_total("summary: 12\n"), None);
        assert_eq!(parse_callgrind_total("events: Dr\nsummary: 12\n"), None);
        assert_eq!(parse_callgrind_total("events: Ir\ntotals: lots\n"), None);
    }
}
