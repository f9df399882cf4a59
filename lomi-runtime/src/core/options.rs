//! Settings changed for the calls of a client (its `with_options`) or for one
//! call (the builders' `timeout`, `max_retries` and `idempotency_key`), and the
//! idempotency keys that make POSTs safe to retry.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

use super::{Core, Settings};

/// The header that makes a POST safe to retry.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The longest idempotency key lomi. keeps.
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

/// Settings for every call made through one client value; see its
/// `with_options`. For one call, the builders take the same settings
/// (`.timeout(..)`, `.max_retries(..)`) and, for POSTs, `.idempotency_key(..)`.
///
/// ```no_run
/// # async fn run(client: lomi_client::Client) -> Result<(), lomi_client::Error> {
/// use std::time::Duration;
/// use lomi_client::RequestOptions;
///
/// // A client for a batch job: patient, and retrying harder.
/// let batch = client.with_options(
///     RequestOptions::new()
///         .max_retries(5)
///         .timeout(Duration::from_secs(120)),
/// );
/// let page = batch.list_checkout_sessions().limit(100).send().await?;
/// # let _ = page;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestOptions {
    max_retries: Option<u32>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
}

/// What one call changes of its client's settings: set through its builder.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallOptions {
    pub timeout: Option<Duration>,
    pub max_retries: Option<u32>,
    pub idempotency_key: Option<String>,
}

impl CallOptions {
    /// The options for one page of a `stream()`: each page is a request of its own, so
    /// it never reuses the call's idempotency key (lomi. would replay the first page).
    pub fn page(&self) -> CallOptions {
        CallOptions {
            idempotency_key: None,
            ..self.clone()
        }
    }
}

impl RequestOptions {
    /// No overrides: the client's settings apply.
    pub fn new() -> Self {
        Self::default()
    }

    /// Retries for these calls (0 turns retrying off).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// Time allowed for each attempt, from sending to the last byte of the body.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Time allowed to open a connection. Changing it gives these calls a connection pool
    /// of their own. Not applied to a client built with `http_client` (the application's
    /// HTTP client keeps its own).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }
}

impl Core {
    /// A core for calls with some settings changed: retries and timeouts. Cheap: the
    /// connection pool and the concurrency limit are shared with `self`. (An idempotency
    /// key belongs to one call: set it on the call's builder.) A generated client's
    /// `with_options` wraps it.
    pub fn with_options(&self, options: RequestOptions) -> Core {
        let base = &self.settings;
        let mut settings = Settings::clone(base);
        if let Some(retries) = options.max_retries {
            settings.retry = settings.retry.with_max_retries(retries);
        }
        if let Some(timeout) = options.timeout {
            settings.timeout = timeout;
        }
        let mut http = self.http.clone();
        if let Some(connect) = options.connect_timeout
            && connect != base.connect_timeout
        {
            if base.own_http {
                tracing::warn!(
                    "connect_timeout is set on the application's HTTP client; keeping it"
                );
            } else {
                settings.connect_timeout = connect;
                match settings.http_client() {
                    Ok(rebuilt) => http = rebuilt,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot apply connect_timeout; keeping the client's")
                    }
                }
            }
        }
        Core {
            baseurl: self.baseurl.clone(),
            http,
            settings: Arc::new(settings),
        }
    }
}

/// Checks a caller-supplied idempotency key the way lomi. reads it (trimmed).
pub fn idempotency_key(key: &str) -> Result<HeaderValue, String> {
    let key = key.trim();
    if key.is_empty() {
        return Err("must not be empty".into());
    }
    let len = key.chars().count();
    if len > MAX_IDEMPOTENCY_KEY_LEN {
        return Err(format!(
            "must be at most {MAX_IDEMPOTENCY_KEY_LEN} characters, got {len}"
        ));
    }
    if !key.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
        return Err("must be visible ASCII characters".into());
    }
    HeaderValue::from_str(key).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_keys_are_trimmed_and_bounded() {
        assert_eq!(idempotency_key("  order-1  ").unwrap(), "order-1");
        assert_eq!(idempotency_key(" ").unwrap_err(), "must not be empty");
        assert_eq!(idempotency_key(&"k".repeat(255)).unwrap().len(), 255);
        assert_eq!(
            idempotency_key(&"k".repeat(256)).unwrap_err(),
            "must be at most 255 characters, got 256"
        );
        assert_eq!(
            idempotency_key("clé").unwrap_err(),
            "must be visible ASCII characters"
        );
    }
}
