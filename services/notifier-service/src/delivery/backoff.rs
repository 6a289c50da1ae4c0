//! When to try a failed delivery again: exponential backoff with full jitter, capped, and never
//! sooner than the push service asked.

use std::time::Duration;

/// The longest `Retry-After` honoured; a push service asking for more is retried after this, so a
/// bogus header cannot park a delivery forever.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// How failed attempts are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; the last failure is final.
    pub max_attempts: u32,
    /// The backoff ceiling after the first failed attempt; it doubles with each further one.
    pub base_delay: Duration,
    /// The backoff ceiling never exceeds this.
    pub max_delay: Duration,
}

impl RetryPolicy {
    /// The backoff ceiling after `attempt` attempts failed (1 for the first):
    /// `base_delay * 2^(attempt - 1)`, at most `max_delay`.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(31);
        self.base_delay
            .saturating_mul(1_u32 << doublings)
            .min(self.max_delay)
    }

    /// The wait before the next attempt after `attempt` attempts failed. Full jitter: `jitter`
    /// (uniform in `[0, 1]`) picks a point between zero and the ceiling, which spreads retries of
    /// many deliveries that failed together. A `Retry-After` from the push service is the minimum.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>, jitter: f64) -> Duration {
        let jittered = self.ceiling(attempt).mul_f64(jitter.clamp(0.0, 1.0));
        match retry_after {
            Some(asked) => jittered.max(asked.min(MAX_RETRY_AFTER)),
            None => jittered,
        }
    }

    /// Whether another attempt follows `attempt` failed ones.
    pub fn allows_another(&self, attempt: u32) -> bool {
        attempt < self.max_attempts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(600),
        }
    }

    #[test]
    fn the_ceiling_doubles_from_the_base_delay_up_to_the_maximum() {
        let seconds: Vec<u64> = (1..=10)
            .map(|attempt| policy().ceiling(attempt).as_secs())
            .collect();
        assert_eq!(seconds, [2, 4, 8, 16, 32, 64, 128, 256, 512, 600]);
        assert_eq!(
            policy().ceiling(u32::MAX),
            Duration::from_secs(600),
            "no overflow on huge attempts"
        );
    }

    #[test]
    fn full_jitter_spans_zero_to_the_ceiling() {
        assert_eq!(policy().delay(3, None, 0.0), Duration::ZERO);
        assert_eq!(policy().delay(3, None, 0.5), Duration::from_secs(4));
        assert_eq!(policy().delay(3, None, 1.0), Duration::from_secs(8));
        assert_eq!(
            policy().delay(3, None, 7.0),
            Duration::from_secs(8),
            "jitter is clamped"
        );
    }

    #[test]
    fn retry_after_is_the_minimum_delay() {
        let asked = Some(Duration::from_secs(30));
        assert_eq!(
            policy().delay(1, asked, 1.0),
            Duration::from_secs(30),
            "longer than the backoff"
        );
        assert_eq!(
            policy().delay(9, asked, 1.0),
            Duration::from_secs(512),
            "shorter than the backoff"
        );
        let absurd = Some(Duration::from_secs(10 * 365 * 24 * 3600));
        assert_eq!(policy().delay(1, absurd, 0.0), MAX_RETRY_AFTER);
    }

    #[test]
    fn the_last_attempt_allows_no_other() {
        assert!(policy().allows_another(4));
        assert!(!policy().allows_another(5));
    }
}
