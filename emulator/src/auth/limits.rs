//! The limits AWS puts on one user's requests, in one place (README "Limits"):
//!
//! - the sign-in lockout: five failed sign-ins are free, then a lockout of 1 second that
//!   doubles with each further failure, up to 15 minutes; a successful sign-in or 15 quiet
//!   minutes start the count again (developer guide, "Lockout behavior for failed sign-in
//!   attempts"). Wrong passwords, SRP proofs, MFA codes and ChangePassword's
//!   `PreviousPassword` all count. A guess is reserved (counted as a failure) under the pool's
//!   write lock before its slow check and given back if it succeeds, so a parallel burst gets
//!   the same five guesses as a serial one, however slow the hashing;
//! - per-user windows: ChangePassword calls (AWS's quota: 5 an hour), codes sent and wrong
//!   codes entered, per purpose (AWS publishes no numbers for these; ours are below).
//!
//! Windows live on the user (`User::limits`), hold at most their allowance of timestamps, and
//! run on the emulator's clock, so `POST /_emulator/clock` expires them.

use std::collections::VecDeque;
use std::time::Duration;

use super::codes::Purpose;
use crate::clock::Timestamp;
use crate::error::ServiceError;
use crate::model::{RateWindows, User};

/// Failed sign-ins before the lockout starts.
pub const FREE_FAILURES: u32 = 5;
/// The longest lockout.
pub const MAX_LOCKOUT: Duration = Duration::from_secs(15 * 60);
/// Quiet time after the last failure that starts the count again.
pub const QUIET_RESET: Duration = Duration::from_secs(15 * 60);

/// Whether the user is locked out at `now`.
pub fn locked(user: &User, now: Timestamp) -> bool {
    user.locked_until.is_some_and(|until| now < until)
}

fn lockout_after(failures: u32) -> Duration {
    let exponent = failures.saturating_sub(FREE_FAILURES).min(20);
    Duration::from_secs(1u64 << exponent).min(MAX_LOCKOUT)
}

/// Forgets the failures of a user who has made no failed attempt for `QUIET_RESET` (the
/// lockout, at most 15 minutes, has ended by then).
fn forget_if_quiet(user: &mut User, now: Timestamp) {
    if user
        .last_failed_sign_in
        .is_some_and(|last| now >= last.plus(QUIET_RESET))
    {
        clear_failures(user);
    }
}

/// Counts one failed sign-in, locking the user out past the free ones.
pub fn count_failure(user: &mut User, now: Timestamp) {
    forget_if_quiet(user, now);
    user.failed_sign_ins = user.failed_sign_ins.saturating_add(1);
    user.last_failed_sign_in = Some(now);
    if user.failed_sign_ins >= FREE_FAILURES {
        user.locked_until = Some(now.plus(lockout_after(user.failed_sign_ins)));
    }
}

/// Takes a guess for the user, under the pool's write lock and before the secret is checked:
/// refused while locked out, else counted as a failure now (`refund_guess` if it succeeds).
pub fn reserve_guess(user: &mut User, now: Timestamp) -> Result<(), ServiceError> {
    forget_if_quiet(user, now);
    if locked(user, now) {
        return Err(ServiceError::password_attempts_exceeded());
    }
    count_failure(user, now);
    Ok(())
}

/// Gives back a guess `reserve_guess` took that turned out right. The lockout it may have set
/// goes too: while it was taken, no other guess could be (past the free ones, the lockout it
/// set kept them out; before, none locked the user).
pub fn refund_guess(user: &mut User) {
    user.failed_sign_ins = user.failed_sign_ins.saturating_sub(1);
    user.locked_until = None;
}

/// A successful sign-in (or a new password set by a code or an administrator).
pub fn clear_failures(user: &mut User) {
    user.failed_sign_ins = 0;
    user.locked_until = None;
    user.last_failed_sign_in = None;
}

/// What a per-user window counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// ChangePassword calls.
    ChangePassword,
    /// Codes sent for a purpose (SignUp and ResendConfirmationCode; ForgotPassword and
    /// AdminResetUserPassword; GetUserAttributeVerificationCode and attribute updates).
    CodeSent(Purpose),
    /// Wrong codes entered for a purpose, across the codes sent.
    WrongCode(Purpose),
}

impl Window {
    /// (name, allowance, period).
    fn rule(self) -> (&'static str, usize, Duration) {
        const HOUR: Duration = Duration::from_secs(3600);
        const DAY: Duration = Duration::from_secs(24 * 3600);
        match self {
            // AWS's per-user quota (Cognito quotas, "per-user quotas").
            Window::ChangePassword => ("ChangePassword", 5, HOUR),
            // AWS publishes none: five codes an hour, each allowing five guesses, and twenty
            // wrong codes a day, bound a random guesser to 20 of the 10^6 codes a day.
            Window::CodeSent(Purpose::SignUp) => ("sent:SIGN_UP", 5, HOUR),
            Window::CodeSent(Purpose::ForgotPassword) => ("sent:FORGOT_PASSWORD", 5, HOUR),
            Window::CodeSent(Purpose::VerifyAttribute) => ("sent:VERIFY_ATTRIBUTE", 5, HOUR),
            Window::WrongCode(Purpose::SignUp) => ("wrong:SIGN_UP", 20, DAY),
            Window::WrongCode(Purpose::ForgotPassword) => ("wrong:FORGOT_PASSWORD", 20, DAY),
            Window::WrongCode(Purpose::VerifyAttribute) => ("wrong:VERIFY_ATTRIBUTE", 20, DAY),
        }
    }

    /// How many requests the window allows per period.
    pub fn allowance(self) -> usize {
        self.rule().1
    }
}

/// `LimitExceededException`, as AWS words it for every per-user limit (wire facts §7).
pub fn attempt_limit_exceeded() -> ServiceError {
    super::codes::attempts_exceeded()
}

/// The window's recent requests, with those older than its period dropped.
fn recent(limits: &mut Option<Box<RateWindows>>, window: Window, now: Timestamp) -> usize {
    let (name, _, period) = window.rule();
    let Some(windows) = limits.as_mut() else {
        return 0;
    };
    let Some(times) = windows.windows.get_mut(name) else {
        return 0;
    };
    while times.front().is_some_and(|t| now >= t.plus(period)) {
        times.pop_front();
    }
    if times.is_empty() {
        windows.windows.remove(name);
        if windows.windows.is_empty() {
            *limits = None;
        }
        return 0;
    }
    times.len()
}

/// Refuses when the window is full; does not count.
pub fn check(
    limits: &mut Option<Box<RateWindows>>,
    window: Window,
    now: Timestamp,
) -> Result<(), ServiceError> {
    if recent(limits, window, now) >= window.allowance() {
        return Err(attempt_limit_exceeded());
    }
    Ok(())
}

/// Counts one request in the window (the oldest goes if it is full).
pub fn record(limits: &mut Option<Box<RateWindows>>, window: Window, now: Timestamp) {
    let (name, allowance, _) = window.rule();
    recent(limits, window, now);
    let times: &mut VecDeque<Timestamp> = limits
        .get_or_insert_with(Default::default)
        .windows
        .entry(name)
        .or_default();
    if times.len() >= allowance {
        times.pop_front();
    }
    times.push_back(now);
}

/// `check`, then `record`: for requests that count whether or not they succeed.
pub fn admit(
    limits: &mut Option<Box<RateWindows>>,
    window: Window,
    now: Timestamp,
) -> Result<(), ServiceError> {
    check(limits, window, now)?;
    record(limits, window, now);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Attributes, UserStatus};

    fn user() -> User {
        User::new(
            "u".into(),
            "s".into(),
            Attributes::default(),
            UserStatus::Confirmed,
            Timestamp(0),
        )
    }

    #[test]
    fn five_free_failures_then_a_doubling_lockout_then_a_reset_after_fifteen_quiet_minutes() {
        // Developer guide, lockout behavior: 5 free, then 2^(n-5) seconds, 15 minutes at most;
        // 15 quiet minutes return the user to n = 0.
        let mut u = user();
        let t = Timestamp::from_secs(1_000);
        for _ in 0..4 {
            reserve_guess(&mut u, t).unwrap();
        }
        assert!(!locked(&u, t));
        reserve_guess(&mut u, t).unwrap();
        assert_eq!(u.locked_until, Some(t.plus(Duration::from_secs(1))));
        assert!(reserve_guess(&mut u, t).is_err());
        let t2 = t.plus(Duration::from_secs(1));
        reserve_guess(&mut u, t2).unwrap();
        assert_eq!(u.locked_until, Some(t2.plus(Duration::from_secs(2))));
        let quiet = t2.plus(QUIET_RESET);
        reserve_guess(&mut u, quiet).unwrap();
        assert_eq!(u.failed_sign_ins, 1);
        assert!(!locked(&u, quiet));
        for n in 0..40 {
            count_failure(&mut u, quiet.plus(Duration::from_secs(n)));
        }
        assert_eq!(
            u.locked_until,
            Some(quiet.plus(Duration::from_secs(39)).plus(MAX_LOCKOUT))
        );
    }

    #[test]
    fn a_refunded_guess_leaves_no_lockout() {
        let mut u = user();
        let t = Timestamp::from_secs(1_000);
        for _ in 0..5 {
            reserve_guess(&mut u, t).unwrap();
        }
        refund_guess(&mut u);
        assert_eq!(u.failed_sign_ins, 4);
        assert!(!locked(&u, t));
    }

    #[test]
    fn windows_allow_their_allowance_per_period() {
        let mut limits = None;
        let t = Timestamp::from_secs(10_000);
        for _ in 0..5 {
            admit(&mut limits, Window::ChangePassword, t).unwrap();
        }
        let err = admit(&mut limits, Window::ChangePassword, t).unwrap_err();
        assert_eq!(
            err.message,
            "Attempt limit exceeded, please try after some time."
        );
        // Other windows are apart.
        admit(&mut limits, Window::CodeSent(Purpose::SignUp), t).unwrap();
        let hour_later = t.plus(Duration::from_secs(3600));
        admit(&mut limits, Window::ChangePassword, hour_later).unwrap();
        // Everything expired: nothing is kept.
        let day_later = t.plus(Duration::from_secs(2 * 24 * 3600));
        check(&mut limits, Window::ChangePassword, day_later).unwrap();
        check(&mut limits, Window::CodeSent(Purpose::SignUp), day_later).unwrap();
        assert!(limits.is_none());
    }
}
