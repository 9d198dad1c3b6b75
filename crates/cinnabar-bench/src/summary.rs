//! The summaries the modes print on stderr at the end: a table per run of the median
//! value of each contender per workload and its ratio to the raw contender.

use crate::cli::Options;
use crate::{median, pg_setup, Backend, Contender, Workload};

/// One measured run: its workload, contender, repetition and value (seconds, instructions
/// or bytes, depending on the mode).
pub(crate) struct Sample {
    pub(crate) workload: Workload,
    pub(crate) contender: Contender,
    pub(crate) rep: usize,
    pub(crate) value: f64,
}

/// The stderr summary: median seconds per contender, for each ORM contender the median over
/// repetitions of its time over the raw contender's (`raw_rusqlite` or `raw_postgres`), and
/// the ratio of the fastest runs (`best`: less sensitive to a slow outlier on either side).
/// `cinnabar_joined` (W5 only) gets its own `j_ratio` and `j_best` columns; a contender that
/// did not run a workload shows `-`.
pub(crate) fn print_summary(opts: &Options, samples: &[Sample], multirow: &[f64]) {
    print_table(opts, samples, "median seconds", "fastest", |m| {
        format!("{m:.6}")
    });
    let seconds = |w: Workload, c: Contender| -> Vec<(usize, f64)> {
        samples
            .iter()
            .filter(|s| s.workload == w && s.contender == c)
            .map(|s| (s.rep, s.value))
            .collect()
    };
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

/// The summary table on stderr: per workload the median value of each contender
/// (`format`ted; `what` names it in the title), the median over repetitions of each ORM
/// contender's value over the raw contender's, and the ratio of the smallest values (`best`,
/// called `smallest` in the legend: "fastest" for seconds).
pub(crate) fn print_table(
    opts: &Options,
    samples: &[Sample],
    what: &str,
    smallest: &str,
    format: impl Fn(f64) -> String,
) {
    let seconds = |w: Workload, c: Contender| -> Vec<(usize, f64)> {
        samples
            .iter()
            .filter(|s| s.workload == w && s.contender == c)
            .map(|s| (s.rep, s.value))
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
        "ratio = median over repetitions of cinnabar/{raw_name}; best = {smallest} cinnabar / {smallest} {raw_name}"
    );
    if compared.contains(&Contender::CinnabarJoined) {
        legend.push_str("; j_ratio, j_best: the same for cinnabar_joined");
    }
    eprintln!();
    eprintln!(
        "summary: {backend}, N={}, repeat={} ({what}; {legend})",
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
                Some(m) => line.push_str(&format!(" {:>15}", format(m))),
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
}
