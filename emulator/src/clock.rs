//! The only place that reads the wall clock. Everything else takes a `Timestamp` from a `Clock`,
//! so tests of expiry advance a `ManualClock` instead of sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn from_secs(secs: i64) -> Self {
        Timestamp(secs * 1000)
    }
    pub fn millis(self) -> i64 {
        self.0
    }
    /// Whole seconds, as JWT `iat`/`exp` claims use.
    pub fn secs(self) -> i64 {
        self.0.div_euclid(1000)
    }
    /// Epoch seconds with a millisecond fraction, as Cognito's JSON timestamps are (wire facts §2.2).
    pub fn epoch_seconds_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }
    pub fn plus(self, d: Duration) -> Self {
        Timestamp(
            self.0
                .saturating_add(d.as_millis().min(i64::MAX as u128) as i64),
        )
    }
}

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;

    /// Moves the clock forward by `by` (`POST /_emulator/clock`); `false` if this clock cannot
    /// be moved.
    fn advance(&self, by: Duration) -> bool {
        let _ = by;
        false
    }
}

/// The real clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // The one sanctioned wall-clock read.
    fn now(&self) -> Timestamp {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO);
        Timestamp(since.as_millis() as i64)
    }
}

/// The wall clock plus an offset that only grows: what the server runs on, so that
/// `POST /_emulator/clock` can expire codes and tokens without anyone waiting for them.
#[derive(Debug, Default)]
pub struct OffsetClock {
    offset_millis: AtomicI64,
}

impl Clock for OffsetClock {
    fn now(&self) -> Timestamp {
        let wall = SystemClock.now();
        Timestamp(
            wall.0
                .saturating_add(self.offset_millis.load(Ordering::SeqCst)),
        )
    }

    fn advance(&self, by: Duration) -> bool {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        let _ = self
            .offset_millis
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |offset| {
                Some(offset.saturating_add(by))
            });
        true
    }
}

/// A clock that moves only when told to; for tests of expiry.
#[derive(Debug, Clone)]
pub struct ManualClock {
    millis: Arc<AtomicI64>,
}

impl ManualClock {
    pub fn new(start: Timestamp) -> Self {
        Self {
            millis: Arc::new(AtomicI64::new(start.0)),
        }
    }
    pub fn advance(&self, by: Duration) {
        self.millis
            .fetch_add(by.as_millis() as i64, Ordering::SeqCst);
    }
    pub fn set(&self, to: Timestamp) {
        self.millis.store(to.0, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.millis.load(Ordering::SeqCst))
    }

    fn advance(&self, by: Duration) -> bool {
        ManualClock::advance(self, by);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_clock_follows_the_wall_clock_and_only_moves_forward() {
        let clock = OffsetClock::default();
        let wall = SystemClock.now();
        let start = clock.now();
        assert!(start >= wall && start.0 - wall.0 < 60_000);
        assert!(clock.advance(Duration::from_secs(3600)));
        let later = clock.now();
        assert!(later.0 - start.0 >= 3_600_000 && later.0 - start.0 < 3_660_000);
        // Absurd moves saturate instead of wrapping into the past.
        assert!(clock.advance(Duration::MAX));
        assert!(clock.advance(Duration::MAX));
        assert!(clock.now() >= later);
        assert!(!SystemClock.advance(Duration::from_secs(1)));
    }
}
