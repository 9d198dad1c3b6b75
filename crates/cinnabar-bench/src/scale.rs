//! `--scale N1,N2,..`: the default mode's wall-clock runs at several N in one invocation,
//! reported as cost per row, to show work that grows faster than the data (issue 12: the
//! per-row cost at 1,000,000 within 1.2× of that at 100,000).

use std::io::Write;
use std::process::ExitCode;

use crate::cli::Options;
use crate::{median, report_failure, run_once, schedule, Contender, Workload};

/// One run: its N, workload, contender and nanoseconds per row.
struct Cost {
    n: i64,
    workload: Workload,
    contender: Contender,
    ns_per_row: f64,
}

/// Nanoseconds per row of a run of `seconds` that handled `rows` rows (`rows` 0: the time).
fn ns_per_row(seconds: f64, rows: u64) -> f64 {
    seconds * 1e9 / rows.max(1) as f64
}

/// Runs `--scale`: for each N, every run of the default mode (the same schedule, checks and
/// verification), one `scale <workload> <contender> <n> <seconds> <rows> <ns_per_row>` line
/// each on stdout, then the per-row summary on stderr.
///
/// `rows` is the workload's checked row count, so the per-row cost is per student for W1,
/// W2, W4, W5 and W7, per lookup for W3 (always 10,000 lookups) and per deleted row for W6.
pub(crate) fn run(opts: &Options, ns: &[i64]) -> ExitCode {
    let mut costs = Vec::new();
    for &n in ns {
        for (w, _, c) in schedule(opts) {
            let name = c.name(opts.backend);
            match run_once(w, c, n, opts) {
                Ok(m) => {
                    let cost = ns_per_row(m.seconds, m.rows);
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(
                        out,
                        "scale {} {name} {n} {:.6} {} {cost:.1}",
                        w.name(),
                        m.seconds,
                        m.rows
                    );
                    let _ = out.flush();
                    costs.push(Cost {
                        n,
                        workload: w,
                        contender: c,
                        ns_per_row: cost,
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
                .map(|k| k.ns_per_row)
                .collect(),
        )
    };
    eprintln!();
    eprintln!(
        "scale summary: repeat={} (median ns per row; x N1->N2: cost at N2 / cost at N1; \
         vs raw: the contender's cost over the raw contender's at that N)",
        opts.repeat
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
