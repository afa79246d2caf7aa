//! Smart lockout (spec 06 §14): after `threshold` wrong passwords a user's password sign-ins are
//! refused for a while (AADSTS50053), the first lockout lasting `duration` and each further one
//! twice as long, at most a day. The same wrong password typed again is counted once (the last
//! three wrong passwords are remembered, as keyed hashes). A correct password clears the count.

use time::{Duration, OffsetDateTime};

/// Entra's defaults: 10 attempts, 60 seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub threshold: u32,
    pub duration: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            threshold: 10,
            duration: Duration::seconds(60),
        }
    }
}

/// The longest lockout.
const MAX_LOCKOUT: Duration = Duration::hours(24);
/// How many recent wrong passwords are remembered.
const REMEMBERED: usize = 3;

/// A user's wrong-password record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lockout {
    /// Wrong passwords since the last lockout or success.
    pub failures: u32,
    /// Keyed hashes of the last wrong passwords, newest last.
    pub recent: Vec<String>,
    /// How many times the user has been locked out since their last success.
    pub lockouts: u32,
    pub locked_until: Option<OffsetDateTime>,
}

impl Lockout {
    pub fn is_locked(&self, now: OffsetDateTime) -> bool {
        self.locked_until.is_some_and(|t| t > now)
    }

    /// Records a wrong password (`hash` identifies it); returns whether this locked the user out.
    pub fn record_failure(
        &mut self,
        hash: String,
        now: OffsetDateTime,
        policy: &LockoutPolicy,
    ) -> bool {
        if self.recent.contains(&hash) {
            return false;
        }
        self.recent.push(hash);
        if self.recent.len() > REMEMBERED {
            self.recent.remove(0);
        }
        self.failures += 1;
        if self.failures < policy.threshold {
            return false;
        }
        let factor = 1i32 << self.lockouts.min(20);
        let duration = (policy.duration * factor).min(MAX_LOCKOUT);
        self.locked_until = Some(now + duration);
        self.lockouts += 1;
        self.failures = 0;
        self.recent.clear();
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_distinct_wrong_passwords_lock_for_a_minute_then_twice_as_long() {
        let policy = LockoutPolicy::default();
        let t0 = OffsetDateTime::UNIX_EPOCH;
        let mut l = Lockout::default();
        for i in 0..9 {
            assert!(!l.record_failure(format!("h{i}"), t0, &policy));
        }
        assert!(!l.is_locked(t0));
        assert!(l.record_failure("h9".into(), t0, &policy));
        assert!(l.is_locked(t0 + Duration::seconds(59)));
        assert!(!l.is_locked(t0 + Duration::seconds(60)));
        let t1 = t0 + Duration::seconds(61);
        for i in 0..10 {
            l.record_failure(format!("g{i}"), t1, &policy);
        }
        assert_eq!(l.locked_until, Some(t1 + Duration::seconds(120)));
    }

    #[test]
    fn the_same_wrong_password_counts_once_and_lockouts_stop_at_a_day() {
        let policy = LockoutPolicy::default();
        let t0 = OffsetDateTime::UNIX_EPOCH;
        let mut l = Lockout::default();
        for _ in 0..50 {
            l.record_failure("same".into(), t0, &policy);
        }
        assert_eq!(l.failures, 1);
        l.lockouts = 30;
        for i in 0..10 {
            l.record_failure(format!("x{i}"), t0, &policy);
        }
        assert_eq!(l.locked_until, Some(t0 + Duration::hours(24)));
    }
}
