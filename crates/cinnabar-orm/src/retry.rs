//! [`RetryPolicy`]: how [`Session::transaction_with_retry`](crate::Session::transaction_with_retry)
//! runs a unit of work again after a conflict (a stale version, a deadlock, a serialization
//! failure, a lock that stayed taken), with exponential backoff and jitter; [`Retried`], what
//! `Session::transaction_with_retry_counted` returns (the value and the attempts made).

use std::time::Duration;

/// How often and how patiently a unit of work is retried.
///
/// The wait before attempt `n + 1` is a random duration up to
/// `min(max_backoff, initial_backoff * 2^(n - 1))` ("full jitter"), so contending workers
/// spread out instead of colliding again in step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (at least 1).
    pub max_attempts: u32,
    /// The ceiling of the first wait.
    pub initial_backoff: Duration,
    /// The largest ceiling any wait may have.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// 10 attempts, waits up to 2 ms at first, at most 200 ms.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 10,
            initial_backoff: Duration::from_millis(2),
            max_backoff: Duration::from_millis(200),
        }
    }
}

impl RetryPolicy {
    /// The default policy with `n` attempts in all.
    pub fn attempts(n: u32) -> Self {
        RetryPolicy {
            max_attempts: n,
            ..RetryPolicy::default()
        }
    }

    /// The wait after failed attempt `attempt` (1-based), drawn with `seed`.
    pub(crate) fn backoff(&self, attempt: u32, seed: &mut u64) -> Duration {
        let doubling = 1u32 << attempt.saturating_sub(1).min(20);
        let ceiling = self
            .initial_backoff
            .saturating_mul(doubling)
            .min(self.max_backoff);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        if nanos == 0 {
            return Duration::ZERO;
        }
        // xorshift64*: enough to decorrelate workers, no dependency.
        *seed ^= *seed >> 12;
        *seed ^= *seed << 25;
        *seed ^= *seed >> 27;
        let r = seed.wrapping_mul(0x2545_F491_4F6C_DD1D);
        Duration::from_nanos(r % nanos)
    }

    /// A per-call seed: the clock and the address of a local, so threads differ.
    pub(crate) fn seed() -> u64 {
        let local = 0u8;
        let addr = std::ptr::addr_of!(local) as u64;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        (nanos ^ addr.rotate_left(32)) | 1
    }
}

/// What [`Session::transaction_with_retry_counted`](crate::Session::transaction_with_retry_counted)
/// returns: the unit of work's value and how many attempts it took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retried<R> {
    /// What the successful attempt returned.
    pub value: R,
    /// Attempts made, the successful one included (1 when the first attempt succeeded).
    pub attempts: u32,
}

impl<R> Retried<R> {
    /// Attempts that failed with a retryable error and were run again: `attempts - 1`.
    pub fn retries(&self) -> u32 {
        self.attempts.saturating_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_to_its_ceiling_and_stays_under_it() {
        let p = RetryPolicy {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(2),
            max_backoff: Duration::from_millis(10),
        };
        let mut seed = 12345;
        for attempt in 1..=8 {
            let ceiling = Duration::from_millis((2u64 << (attempt - 1)).min(10));
            let waits: Vec<Duration> = (0..200).map(|_| p.backoff(attempt, &mut seed)).collect();
            assert!(waits.iter().all(|w| *w < ceiling), "attempt {attempt}");
            // Jitter: not all the same.
            assert!(waits.iter().any(|w| *w != waits[0]), "attempt {attempt}");
        }
        let zero = RetryPolicy {
            initial_backoff: Duration::ZERO,
            ..p
        };
        assert_eq!(zero.backoff(3, &mut seed), Duration::ZERO);
    }
}
