//! The timed part of every contender's run, as one function the modes can find: its
//! wall-clock seconds, the symbol `--instructions` tells callgrind to count inside
//! ([`TIMED_SYMBOL`]), and the peak resident memory `--rss` reads right after it (from
//! /proc/self/status, parsed here).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use crate::Failure;

/// The demangled name of [`timed_section`], which `--instructions` passes to callgrind as
/// `--toggle-collect`: only instructions executed while it is on the stack are counted.
pub(crate) const TIMED_SYMBOL: &str = "cinnabar_bench::measure::timed_section";

/// Whether this process records its peak resident memory after the timed part (`--child
/// rss`).
static RECORD_PEAK: AtomicBool = AtomicBool::new(false);

/// The peak resident memory in bytes read right after the last timed part (0: not read).
static TIMED_PEAK: AtomicU64 = AtomicU64::new(0);

/// Runs `f` as the timed part of a contender's run: the setup before it and the checks after
/// it are not timed, not counted by `--instructions` and (for `--rss`) not in the peak.
///
/// # Errors
/// What `f` returns.
pub(crate) fn timed<T>(f: impl FnOnce() -> Result<T, Failure>) -> Result<(T, f64), Failure> {
    let (result, seconds) = timed_section(f);
    if RECORD_PEAK.load(Ordering::Relaxed) {
        TIMED_PEAK.store(peak_rss()?, Ordering::Relaxed);
    }
    result.map(|t| (t, seconds))
}

/// The timed part itself; never inlined, so that callgrind sees it as [`TIMED_SYMBOL`].
#[inline(never)]
fn timed_section<T>(f: impl FnOnce() -> Result<T, Failure>) -> (Result<T, Failure>, f64) {
    let start = Instant::now();
    let result = f();
    (result, start.elapsed().as_secs_f64())
}

/// Makes [`timed`] read the process's peak resident memory after each timed part.
pub(crate) fn record_peak_after_timed() {
    RECORD_PEAK.store(true, Ordering::Relaxed);
}

/// The peak resident memory read after the last timed part, in bytes (`None`: not read).
pub(crate) fn timed_peak() -> Option<u64> {
    match TIMED_PEAK.load(Ordering::Relaxed) {
        0 => None,
        b => Some(b),
    }
}

/// This process's peak resident memory so far (`VmHWM` of /proc/self/status), in bytes.
///
/// # Errors
/// [`Failure::Error`] when /proc/self/status cannot be read (not Linux) or has no `VmHWM`.
pub(crate) fn peak_rss() -> Result<u64, Failure> {
    let status = std::fs::read_to_string("/proc/self/status").map_err(|e| {
        Failure::Error(format!(
            "--rss needs /proc/self/status (Linux) for the peak resident memory: {e}"
        ))
    })?;
    parse_vm_hwm(&status)
        .ok_or_else(|| Failure::Error("/proc/self/status has no readable VmHWM line".to_owned()))
}

/// The `VmHWM:` (peak resident set size) of a /proc/PID/status text, in bytes; `None` when
/// the line is missing or not `<number> kB`.
pub(crate) fn parse_vm_hwm(status: &str) -> Option<u64> {
    let rest = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))?;
    let mut parts = rest.split_whitespace();
    let kb = parts.next()?.parse::<u64>().ok()?;
    match (parts.next(), parts.next()) {
        (Some("kB"), None) => kb.checked_mul(1024),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "Name:\tcinnabar-bench\nUmask:\t0022\nState:\tR (running)\n\
        VmPeak:\t  812344 kB\nVmSize:\t  812344 kB\nVmLck:\t       0 kB\n\
        VmHWM:\t  209716 kB\nVmRSS:\t  198004 kB\nRssAnon:\t  190000 kB\nThreads:\t1\n";

    #[test]
    fn vm_hwm_is_read_in_bytes() {
        assert_eq!(parse_vm_hwm(STATUS), Some(209_716 * 1024));
        assert_eq!(parse_vm_hwm("VmHWM: 1 kB"), Some(1024));
    }

    #[test]
    fn a_missing_or_odd_vm_hwm_is_none() {
        assert_eq!(parse_vm_hwm("Name:\tx\nVmRSS:\t 10 kB\n"), None);
        assert_eq!(parse_vm_hwm("VmHWM:\t  12 MB\n"), None);
        assert_eq!(parse_vm_hwm("VmHWM:\t  lots kB\n"), None);
        assert_eq!(parse_vm_hwm("VmHWM:\n"), None);
        assert_eq!(parse_vm_hwm(""), None);
    }

    #[test]
    fn this_process_has_a_peak() {
        // Linux only, like --rss itself.
        if std::path::Path::new("/proc/self/status").exists() {
            assert!(peak_rss().unwrap() > 0);
        }
    }

    #[test]
    fn timed_returns_the_value_and_the_error() {
        let (v, s) = timed(|| Ok(41 + 1)).unwrap();
        assert_eq!(v, 42);
        assert!(s >= 0.0);
        let e = timed::<()>(|| Err(Failure::Verify("off".to_owned())));
        assert!(matches!(e, Err(Failure::Verify(m)) if m == "off"));
    }
}
