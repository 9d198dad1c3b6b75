//! `--scale N1,N2,..`: the runs of a mode at several N in one invocation, reported per
//! row, to show work that grows faster than the data (issue 12: the per-row cost at
//! 1,000,000 within 1.2× of that at 100,000). Wall-clock by default; with
//! `--instructions` instructions per row (stable under load), with `--rss` peak bytes per
//! row.

use std::io::Write;
use std::process::ExitCode;

use crate::cli::{Mode, Options};
use crate::Workload;
use crate::{instructions, median, report_failure, rss, run_once, schedule, Contender, Failure};

/// One run: its N, workload, contender and cost per row.
struct Cost {
    n: i64,
    workload: Workload,
    contender: Contender,
    per_row: f64,
}

/// Nanoseconds per row of a run of `seconds` that handled `rows` rows (`rows` 0: the time).
fn ns_per_row(seconds: f64, rows: u64) -> f64 {
    seconds * 1e9 / rows.max(1) as f64
}

/// The line prefix and the summary's unit of `mode`.
fn unit(mode: Mode) -> (&'static str, &'static str) {
    match mode {
        Mode::Time => ("scale", "ns per row"),
        Mode::Instructions => ("scale_instructions", "instructions per row, callgrind"),
        Mode::Rss => ("scale_rss", "peak resident bytes per row"),
    }
}

/// One run of `w` for `c` at `n` in `opts.mode`'s unit: the value as printed, the rows and
/// the cost per row.
fn measure_one(
    w: Workload,
    c: Contender,
    n: i64,
    opts: &Options,
    dir: &std::path::Path,
    k: usize,
) -> Result<(String, u64, f64), Failure> {
    Ok(match opts.mode {
        Mode::Time => {
            let m = run_once(w, c, n, opts)?;
            (
                format!("{:.6}", m.seconds),
                m.rows,
                ns_per_row(m.seconds, m.rows),
            )
        }
        Mode::Instructions => {
            let (total, rows) = instructions::count(w, c, n, opts, dir, k)?;
            (total.to_string(), rows, total as f64 / rows.max(1) as f64)
        }
        Mode::Rss => {
            let (bytes, _, rows) = rss::measure(w, c, n, opts)?;
            (bytes.to_string(), rows, bytes as f64 / rows.max(1) as f64)
        }
    })
}

/// Runs `--scale`: for each N, every run of the mode (the same schedule, checks and
/// verification), one `<prefix> <workload> <contender> <n> <value> <rows> <per_row>` line
/// each on stdout (`scale` with seconds and ns per row; `scale_instructions` with the
/// count; `scale_rss` with bytes), then the per-row summary on stderr.
///
/// `rows` is the workload's checked row count, so the per-row cost is per student for W1,
/// W2, W4 and W5, per lookup for W3 (always 10,000 lookups) and per deleted row for W6.
pub(crate) fn run(opts: &Options, ns: &[i64]) -> ExitCode {
    if opts.mode == Mode::Instructions {
        if let Err(f) = instructions::check_valgrind() {
            return report_failure("--instructions", f);
        }
    }
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return report_failure("--scale", e.into()),
    };
    let (prefix, _) = unit(opts.mode);
    let mut costs = Vec::new();
    let mut k = 0;
    for &n in ns {
        for (w, _, c) in schedule(opts) {
            let name = c.name(opts.backend);
            k += 1;
            match measure_one(w, c, n, opts, dir.path(), k) {
                Ok((value, rows, per_row)) => {
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(
                        out,
                        "{prefix} {} {name} {n} {value} {rows} {per_row:.1}",
                        w.name()
                    );
                    let _ = out.flush();
                    costs.push(Cost {
                        n,
                        workload: w,
                        contender: c,
                        per_row,
                    });
                }
                Err(f) => return report_failure(&format!("{} {name} N={n}", w.name()), f),
            }
        }
    }
    print_scale_summary(opts, ns, &costs);
    ExitCode::SUCCESS
}

/// Per workload and contender: the median ns per row at each N, then the ratio of the cost at
/// each N to the cost at the N before it in the list.
fn print_scale_summary(opts: &Options, ns: &[i64], costs: &[Cost]) {
    let at = |w: Workload, c: Contender, n: i64| {
        median(
            costs
                .iter()
                .filter(|k| k.workload == w && k.contender == c && k.n == n)
                .map(|k| k.per_row)
                .collect(),
        )
    };
    eprintln!();
    eprintln!(
        "scale summary: repeat={} (median {}; x N1->N2: cost at N2 / cost at N1; \
         vs raw: the contender's cost over the raw contender's at that N)",
        opts.repeat,
        unit(opts.mode).1
    );
    let mut header = format!("{:<12} {:<15}", "workload", "contender");
    for n in ns {
        header.push_str(&format!(" {:>12}", format!("N={n}")));
    }
    for pair in ns.windows(2) {
        header.push_str(&format!(" {:>18}", format!("x {}->{}", pair[0], pair[1])));
    }
    for n in ns {
        header.push_str(&format!(" {:>14}", format!("vs raw N={n}")));
    }
    eprintln!("{header}");
    for &w in &opts.workloads {
        for &c in opts.contenders.iter().filter(|c| c.runs(w)) {
            let mut line = format!("{:<12} {:<15}", w.name(), c.name(opts.backend));
            let per_n: Vec<Option<f64>> = ns.iter().map(|&n| at(w, c, n)).collect();
            for cost in &per_n {
                match cost {
                    Some(v) => line.push_str(&format!(" {v:>12.1}")),
                    None => line.push_str(&format!(" {:>12}", "-")),
                }
            }
            for pair in per_n.windows(2) {
                match (pair[0], pair[1]) {
                    (Some(a), Some(b)) if a > 0.0 => line.push_str(&format!(" {:>18.3}", b / a)),
                    _ => line.push_str(&format!(" {:>18}", "-")),
                }
            }
            for (&n, cost) in ns.iter().zip(&per_n) {
                match (cost, at(w, Contender::Raw, n)) {
                    (Some(v), Some(raw)) if raw > 0.0 => {
                        line.push_str(&format!(" {:>14.3}", v / raw));
                    }
                    _ => line.push_str(&format!(" {:>14}", "-")),
                }
            }
            eprintln!("{line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_per_row_is_in_nanoseconds() {
        assert_eq!(ns_per_row(0.5, 1_000_000), 500.0);
        assert_eq!(ns_per_row(2e-6, 0), 2000.0);
    }
}
