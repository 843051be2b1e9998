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

/// A UTC calendar time: what AWS's text formats (SigV4's `X-Amz-Date`, ISO-8601) carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcDateTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

impl Timestamp {
    /// The calendar time of this instant (whole seconds, UTC).
    pub fn utc(self) -> UtcDateTime {
        let secs = self.secs();
        let days = secs.div_euclid(86_400);
        let of_day = secs.rem_euclid(86_400) as u32;
        // H. Hinnant's `civil_from_days`.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        UtcDateTime {
            year: yoe + era * 400 + i64::from(month <= 2),
            month,
            day,
            hour: of_day / 3600,
            minute: of_day % 3600 / 60,
            second: of_day % 60,
        }
    }

    /// The instant of a calendar time; `None` for a date that does not exist (Feb 30th, hour 24).
    pub fn from_utc(t: UtcDateTime) -> Option<Timestamp> {
        let leap = t.year % 4 == 0 && (t.year % 100 != 0 || t.year % 400 == 0);
        let month_days = [
            31,
            if leap { 29 } else { 28 },
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ];
        let valid = (1..=12).contains(&t.month)
            && t.day >= 1
            && t.day <= month_days[(t.month.clamp(1, 12) - 1) as usize]
            && t.hour < 24
            && t.minute < 60
            && t.second < 60;
        if !valid {
            return None;
        }
        // H. Hinnant's `days_from_civil`.
        let y = t.year - i64::from(t.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = i64::from(t.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(t.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        let secs = days * 86_400
            + i64::from(t.hour) * 3600
            + i64::from(t.minute) * 60
            + i64::from(t.second);
        Some(Timestamp::from_secs(secs))
    }

    /// SigV4's basic ISO-8601 form, `20150830T123600Z`.
    pub fn amz_date(self) -> String {
        let t = self.utc();
        format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            t.year, t.month, t.day, t.hour, t.minute, t.second
        )
    }

    /// Parses `20150830T123600Z` (exactly that shape); `None` otherwise.
    pub fn parse_amz_date(text: &str) -> Option<Timestamp> {
        let b = text.as_bytes();
        if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<u32> {
            let digits = text.get(range)?;
            digits
                .bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| digits.parse().ok())?
        };
        Timestamp::from_utc(UtcDateTime {
            year: i64::from(number(0..4)?),
            month: number(4..6)?,
            day: number(6..8)?,
            hour: number(9..11)?,
            minute: number(11..13)?,
            second: number(13..15)?,
        })
    }

    /// ISO-8601 in UTC with whole seconds, `2011-07-11T19:55:29Z`, as STS writes `Expiration`.
    pub fn iso8601(self) -> String {
        let t = self.utc();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year, t.month, t.day, t.hour, t.minute, t.second
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

    /// How far this clock has been moved, in milliseconds: what `--data-dir` saves, so time
    /// does not go back after a restart.
    fn offset_millis(&self) -> i64 {
        0
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

    fn offset_millis(&self) -> i64 {
        self.offset_millis.load(Ordering::SeqCst)
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

    #[test]
    fn calendar_conversions_match_known_instants() {
        // Epoch seconds from Python's calendar.timegm; the first is the SigV4 documentation's
        // example request time (20150830T123600Z).
        for (text, iso, secs) in [
            ("20150830T123600Z", "2015-08-30T12:36:00Z", 1_440_938_160),
            ("20000229T235959Z", "2000-02-29T23:59:59Z", 951_868_799),
            ("20110711T195529Z", "2011-07-11T19:55:29Z", 1_310_414_129),
            ("19700101T000000Z", "1970-01-01T00:00:00Z", 0),
        ] {
            let t = Timestamp::parse_amz_date(text).unwrap();
            assert_eq!(t, Timestamp::from_secs(secs), "{text}");
            assert_eq!(t.amz_date(), text);
            assert_eq!(t.iso8601(), iso);
        }
        for bad in [
            "20150230T000000Z",
            "20150830T240000Z",
            "20150830 123600Z",
            "2015083T1236000Z",
            "20150830T123600",
            "+0150830T123600Z",
            "20190229T000000Z",
        ] {
            assert_eq!(Timestamp::parse_amz_date(bad), None, "{bad}");
        }
    }
}
