//! How long a failed task waits before its next attempt.

use std::time::Duration;

/// `base` × 2^(n−1) after the n-th failed attempt, capped at `max`, then
/// ±10 % jitter so that tasks failed together do not come back together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    pub(crate) base: Duration,
    pub(crate) max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(1),
            max: Duration::from_secs(600),
        }
    }
}

impl Backoff {
    /// The wait after attempt `attempt` (1 for the first) failed, before jitter.
    pub(crate) fn nominal(&self, attempt: i32) -> Duration {
        let doublings = attempt.saturating_sub(1).clamp(0, 63) as u32;
        let factor = 1u64.checked_shl(doublings).unwrap_or(u64::MAX);
        let nanos = (self.base.as_nanos() as u64).saturating_mul(factor);
        Duration::from_nanos(nanos).min(self.max)
    }

    /// The wait with its jitter: `nominal` × (0.9 + 0.2 × `unit`), `unit` in [0, 1).
    pub(crate) fn jittered(&self, attempt: i32, unit: f64) -> Duration {
        self.nominal(attempt)
            .mul_f64(0.9 + 0.2 * unit.clamp(0.0, 1.0))
    }

    pub(crate) fn delay(&self, attempt: i32) -> Duration {
        let unit = f64::from(getrandom::u32().unwrap_or(0)) / (f64::from(u32::MAX) + 1.0);
        self.jittered(attempt, unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_the_base_up_to_the_cap() {
        let backoff = Backoff::default();
        assert_eq!(backoff.nominal(1), Duration::from_secs(1));
        assert_eq!(backoff.nominal(2), Duration::from_secs(2));
        assert_eq!(backoff.nominal(5), Duration::from_secs(16));
        assert_eq!(backoff.nominal(11), Duration::from_secs(600));
        assert_eq!(backoff.nominal(100), Duration::from_secs(600));
    }

    #[test]
    fn jitter_stays_within_ten_percent() {
        let backoff = Backoff::default();
        assert_eq!(backoff.jittered(2, 0.0), Duration::from_millis(1800));
        assert!(backoff.jittered(2, 0.999_999) < Duration::from_millis(2200));
        for _ in 0..1000 {
            let delay = backoff.delay(3);
            assert!(delay >= Duration::from_millis(3600) && delay < Duration::from_millis(4400));
        }
    }
}
