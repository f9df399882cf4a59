//! When a failed attempt is retried, and after how long: pure functions, covered by table
//! tests that never sleep (as async-stripe's `RequestStrategy::test`).

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

use crate::error::RETRYABLE_STATUSES;

/// When and how often failed attempts are retried.
///
/// Connection failures, timeouts and the statuses 408, 429, 500, 502, 503 and 504 are
/// retried; no other status is. The wait before retry *n* (from 0) is
/// `min(initial_backoff × 2ⁿ, max_backoff)`, less up to a quarter at random so that
/// clients do not retry in step, unless lomi. sent `Retry-After` (in seconds or as an
/// HTTP date), which is honoured up to `max_retry_after`.
///
/// ```
/// use std::time::Duration;
/// use lomi_client::RetryPolicy;
///
/// let policy = RetryPolicy::default();
/// assert_eq!(policy.max_retries(), 2);
/// assert_eq!(policy.delay(0, None, 0.0), Duration::from_millis(500));
/// assert_eq!(policy.delay(5, None, 0.0), Duration::from_secs(8));
/// assert_eq!(policy.delay(0, Some(Duration::from_secs(3600)), 0.0), Duration::from_secs(60));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The default policy with `max_retries` retries (0 turns retrying off).
    pub fn new(max_retries: u32) -> Self {
        RetryPolicy {
            max_retries,
            ..Self::default()
        }
    }

    /// No retries at all.
    pub fn none() -> Self {
        Self::new(0)
    }

    /// The same policy with `max_retries` retries.
    pub(crate) fn with_max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// How many times a failed attempt is retried.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// Sets the wait before the first retry (default 0.5 s).
    pub fn initial_backoff(mut self, wait: Duration) -> Self {
        self.initial_backoff = wait;
        self
    }

    /// Sets the longest computed wait (default 8 s).
    pub fn max_backoff(mut self, wait: Duration) -> Self {
        self.max_backoff = wait;
        self
    }

    /// Sets the longest `Retry-After` that is honoured as given (default 60 s).
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// The wait before retry number `retry` (0 for the first). `retry_after` is what the
    /// server asked for; `jitter` in `[0, 1)` takes up to a quarter off a computed wait.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>, jitter: f64) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max_retry_after);
        }
        let factor = 2u32.checked_pow(retry.min(31)).unwrap_or(u32::MAX);
        let backoff = self
            .initial_backoff
            .checked_mul(factor)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff);
        backoff.mul_f64(1.0 - 0.25 * jitter.clamp(0.0, 1.0))
    }
}

/// How an attempt ended, as far as retrying is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Attempt {
    /// A response arrived with this status.
    Status(u16),
    /// The connection failed, broke off or timed out before a whole response arrived.
    Transient,
    /// Something retrying cannot help (a request that cannot be built or sent).
    Fatal,
}

/// What to do after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Hand the attempt's result to the caller.
    Done,
    /// Wait this long, then try again.
    Retry(Duration),
}

impl RetryPolicy {
    /// The decision after an attempt that ended as `attempt`, when `retried` retries have
    /// already been made; `retry_after` is what the server asked for and `jitter` gives
    /// a random number in `[0, 1)`, drawn only when the attempt is retried.
    pub(crate) fn decide(
        &self,
        attempt: Attempt,
        retried: u32,
        retry_after: Option<Duration>,
        jitter: impl FnOnce() -> f64,
    ) -> Outcome {
        let transient = match attempt {
            Attempt::Status(status) => RETRYABLE_STATUSES.contains(&status),
            Attempt::Transient => true,
            Attempt::Fatal => false,
        };
        if !transient || retried >= self.max_retries {
            return Outcome::Done;
        }
        let asked = match attempt {
            Attempt::Status(_) => retry_after,
            _ => None,
        };
        Outcome::Retry(self.delay(retried, asked, jitter()))
    }
}

/// How a transport error counts for retrying.
pub(crate) fn classify(e: &reqwest::Error) -> Attempt {
    if e.is_timeout() || e.is_connect() || e.is_request() || e.is_body() {
        Attempt::Transient
    } else {
        Attempt::Fatal
    }
}

/// `Retry-After` (seconds or an HTTP date) or `retry-after-ms`, as a wait from `now`.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    if let Some(ms) = headers
        .get("retry-after-ms")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|ms| ms.is_finite() && *ms >= 0.0)
    {
        return Some(Duration::from_secs_f64(ms / 1000.0));
    }
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0)
            .then(|| Duration::from_secs_f64(seconds.min(86_400.0)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

pub(crate) fn jitter() -> f64 {
    // 53 random bits from a v4 UUID (the OS's randomness), as a fraction in [0, 1).
    (uuid::Uuid::new_v4().as_u128() >> 75) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    #[test]
    fn backoff_doubles_to_the_cap_and_jitter_only_shortens_it() {
        let p = RetryPolicy::default();
        let waits: Vec<u128> = (0..6).map(|n| p.delay(n, None, 0.0).as_millis()).collect();
        assert_eq!(waits, [500, 1000, 2000, 4000, 8000, 8000]);
        assert_eq!(p.delay(0, None, 0.999_999).as_millis(), 375);
        assert_eq!(p.delay(40, None, 0.0), Duration::from_secs(8));
    }

    #[test]
    fn which_attempts_are_retried_and_after_how_long() {
        use Attempt::*;
        let p = RetryPolicy::default();
        let ms = |n| Outcome::Retry(Duration::from_millis(n));
        let asked = Some(Duration::from_secs(3));
        #[rustfmt::skip]
        let table = [
            // attempt,        retried, Retry-After, decision
            (Status(200),      0, None,  Outcome::Done),
            (Status(201),      0, None,  Outcome::Done),
            (Status(400),      0, None,  Outcome::Done),
            (Status(401),      0, None,  Outcome::Done),
            (Status(404),      0, None,  Outcome::Done),
            // A reused idempotency key with another body: retrying cannot help.
            (Status(409),      0, None,  Outcome::Done),
            (Status(408),      0, None,  ms(500)),
            (Status(429),      0, asked, ms(3000)),
            (Status(500),      1, None,  ms(1000)),
            (Status(502),      0, None,  ms(500)),
            (Status(503),      1, asked, ms(3000)),
            (Status(504),      0, None,  ms(500)),
            (Status(503),      2, None,  Outcome::Done),
            (Transient,        0, None,  ms(500)),
            // A transport failure has no Retry-After, whatever a previous answer said.
            (Transient,        1, asked, ms(1000)),
            (Transient,        2, None,  Outcome::Done),
            (Fatal,            0, None,  Outcome::Done),
        ];
        for (attempt, retried, retry_after, expected) in table {
            assert_eq!(
                p.decide(attempt, retried, retry_after, || 0.0),
                expected,
                "{attempt:?} after {retried} retries"
            );
        }
        assert_eq!(
            RetryPolicy::none().decide(Status(503), 0, None, || 0.0),
            Outcome::Done
        );
        let long = Some(Duration::from_secs(3600));
        assert_eq!(
            p.decide(Status(429), 0, long, || 0.0),
            Outcome::Retry(Duration::from_secs(60))
        );
    }

    #[test]
    fn retry_after_reads_seconds_dates_and_milliseconds() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        h.insert("retry-after", HeaderValue::from_str(&later).unwrap());
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(30)));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        h.insert("retry-after", HeaderValue::from_str(&past).unwrap());
        assert_eq!(retry_after(&h, now), Some(Duration::ZERO));
        h.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h, now), None);
        h.insert("retry-after", HeaderValue::from_static("-3"));
        assert_eq!(retry_after(&h, now), None);
        h.insert("retry-after-ms", HeaderValue::from_static("250"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_millis(250)));
    }

    #[test]
    fn jitter_stays_in_range() {
        for _ in 0..1000 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j), "{j}");
        }
    }
}
