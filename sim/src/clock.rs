//! The simulator's clock. Every timestamp the agent writes (submit times,
//! task events, drain deadlines, periodic launches) comes from here, so a
//! test can freeze time or move it forward instead of sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Clone, Debug, Default)]
pub struct Clock(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    /// `Some(t)`: time stands at `t` (plus `offset`) until moved.
    frozen: Option<i64>,
    offset: AtomicI64,
}

impl Clock {
    /// Wall-clock time.
    pub fn real() -> Self {
        Clock::default()
    }
    /// Time that stands still at `unix_nanos` until [`Clock::advance`].
    pub fn frozen(unix_nanos: i64) -> Self {
        Clock(Arc::new(Inner {
            frozen: Some(unix_nanos),
            offset: AtomicI64::new(0),
        }))
    }
    /// Nanoseconds since the Unix epoch.
    pub fn now(&self) -> i64 {
        self.0.frozen.unwrap_or_else(real_nanos) + self.0.offset.load(Ordering::Relaxed)
    }
    /// Moves time forward (a frozen clock stays frozen at the new time).
    pub fn advance(&self, d: Duration) {
        self.0
            .offset
            .fetch_add(d.as_nanos() as i64, Ordering::Relaxed);
    }
}

/// The machine's wall clock, for what is not simulated time (jitter).
pub fn real_nanos() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_clock_moves_only_when_advanced() {
        let c = Clock::frozen(1_000);
        assert_eq!(c.now(), 1_000);
        c.clone().advance(Duration::from_nanos(500));
        assert_eq!(c.now(), 1_500);
        let r = Clock::real();
        assert!(r.now() > 1_700_000_000_000_000_000);
    }
}
