//! What happens around every request: parameter checks, idempotency keys, per-attempt
//! timeouts, retries with backoff, a bound on concurrent connections and response size,
//! tracing, and turning failures into [`Error`].
//!
//! The generated builders call [`call`] and the `check_*` functions; progenitor's hooks
//! (`pre`, `exec`) are implemented here for [`Client`].

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use tokio::sync::Semaphore;
use tracing::Instrument;
use tracing::field::Empty;

use crate::Client;
use crate::config::ClientBuilder;
use crate::error::{
    ApiError, ConnectionError, DecodeError, Error, InvalidInput, RETRYABLE_STATUSES, TimeoutError,
    excerpt,
};

/// The header that makes a POST safe to retry.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The header lomi. names each request with.
const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest idempotency key lomi. keeps.
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

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
#[derive(Clone, Debug, PartialEq, Eq)]
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

/// Settings for the calls made through one [`Client`] value; see [`Client::with_options`].
///
/// ```no_run
/// # async fn run(client: lomi_client::Client, body: lomi_client::types::CheckoutSessionsCreate) -> Result<(), lomi_client::Error> {
/// use std::time::Duration;
/// use lomi_client::RequestOptions;
///
/// let session = client
///     .with_options(
///         RequestOptions::new()
///             .idempotency_key("order-1042")
///             .max_retries(5)
///             .timeout(Duration::from_secs(20)),
///     )
///     .create_checkout_session()
///     .body(body)
///     .send()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestOptions {
    max_retries: Option<u32>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    idempotency_key: Option<String>,
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
    /// of their own.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The `Idempotency-Key` for POSTs (at most 255 visible ASCII characters): lomi.
    /// answers a repeat of the key with the original response for 24 hours, so a create
    /// can never charge twice. Without it, each call gets a random UUID, reused on that
    /// call's retries.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }
}

impl Client {
    /// A client for calls with some settings changed: retries, timeouts, an
    /// idempotency key. Cheap: the connection pool and the concurrency limit are
    /// shared with `self`.
    pub fn with_options(&self, options: RequestOptions) -> Client {
        let base = &self.inner.settings;
        let mut settings = Settings {
            builder: base.builder.clone(),
            limiter: base.limiter.clone(),
            idempotency_key: options
                .idempotency_key
                .or_else(|| base.idempotency_key.clone()),
        };
        if let Some(retries) = options.max_retries {
            settings.builder.retry.max_retries = retries;
        }
        if let Some(timeout) = options.timeout {
            settings.builder.timeout = timeout;
        }
        let mut http = self.client.clone();
        if let Some(connect) = options.connect_timeout
            && connect != base.builder.connect_timeout
        {
            settings.builder.connect_timeout = connect;
            match settings.builder.http_client() {
                Ok(rebuilt) => http = rebuilt,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot apply connect_timeout; keeping the client's")
                }
            }
        }
        Client::new_with_client(
            &self.baseurl,
            http,
            Runtime {
                settings: Arc::new(settings),
            },
        )
    }
}

/// Per-client state the generated code carries to the hooks.
#[derive(Clone)]
pub struct Runtime {
    pub(crate) settings: Arc<Settings>,
}

pub(crate) struct Settings {
    /// Everything the client was built with (retry policy, timeouts, limits, key).
    pub(crate) builder: ClientBuilder,
    /// Shared by every client derived from one `build()`.
    pub(crate) limiter: Arc<Semaphore>,
    pub(crate) idempotency_key: Option<String>,
}

impl Runtime {
    pub(crate) fn new(builder: ClientBuilder) -> Self {
        let limiter = Arc::new(Semaphore::new(builder.max_concurrent_requests.max(1)));
        Runtime {
            settings: Arc::new(Settings {
                builder,
                limiter,
                idempotency_key: None,
            }),
        }
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.settings;
        f.debug_struct("Runtime")
            .field("retry", &s.builder.retry)
            .field("timeout", &s.builder.timeout)
            .field("connect_timeout", &s.builder.connect_timeout)
            .field(
                "max_concurrent_requests",
                &s.builder.max_concurrent_requests,
            )
            .field("idempotency_key", &s.idempotency_key)
            .finish_non_exhaustive()
    }
}

/// Which operation a call is, for errors and traces.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct Operation {
    /// The operationId in the spec.
    pub id: &'static str,
    /// The client method.
    pub method: &'static str,
    /// The HTTP method.
    pub http_method: &'static str,
    /// The path template.
    pub path: &'static str,
}

/// A parameter's bounds from the spec.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Bounds {
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
}

/// A value the builders hold that bounds can be checked on.
#[doc(hidden)]
pub trait ParamValue {
    /// The value as a number, if it is one.
    fn number(&self) -> Option<f64> {
        None
    }
    /// The value as text, if it is text.
    fn text(&self) -> Option<&str> {
        None
    }
}

macro_rules! numeric_param {
    ($($t:ty),*) => {$(
        impl ParamValue for $t {
            fn number(&self) -> Option<f64> {
                Some(*self as f64)
            }
        }
    )*};
}
numeric_param!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize, f32, f64);

macro_rules! nonzero_param {
    ($($t:ty),*) => {$(
        impl ParamValue for $t {
            fn number(&self) -> Option<f64> {
                Some(self.get() as f64)
            }
        }
    )*};
}
nonzero_param!(
    std::num::NonZeroU8,
    std::num::NonZeroU16,
    std::num::NonZeroU32,
    std::num::NonZeroU64,
    std::num::NonZeroI8,
    std::num::NonZeroI16,
    std::num::NonZeroI32,
    std::num::NonZeroI64
);

/// Values whose only check is that they are set (and converted): a `Uuid` or a date
/// cannot be empty or out of a length range.
macro_rules! opaque_param {
    ($($t:ty),*) => {$(
        impl ParamValue for $t {}
    )*};
}
opaque_param!(
    bool,
    uuid::Uuid,
    chrono::NaiveDate,
    chrono::NaiveTime,
    chrono::NaiveDateTime,
    chrono::DateTime<chrono::Utc>,
    std::net::IpAddr,
    std::net::Ipv4Addr,
    std::net::Ipv6Addr,
    serde_json::Value,
    serde_json::Map<String, serde_json::Value>
);

impl ParamValue for String {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}

impl<T: ParamValue> ParamValue for Option<T> {
    fn number(&self) -> Option<f64> {
        self.as_ref().and_then(T::number)
    }
    fn text(&self) -> Option<&str> {
        self.as_ref().and_then(T::text)
    }
}

impl<T: ParamValue> ParamValue for Vec<T> {}

fn invalid(operation: &Operation, parameter: &str, message: String) -> Error {
    Error::InvalidInput(InvalidInput {
        operation: operation.method,
        parameter: Some(parameter.to_string()),
        message,
    })
}

/// Refuses a parameter that failed to convert or falls outside the spec's bounds.
#[doc(hidden)]
pub fn check_bounds<T: ParamValue>(
    operation: &Operation,
    value: &Result<T, String>,
    name: &str,
    bounds: Bounds,
) -> Result<(), Error> {
    let value = value
        .as_ref()
        .map_err(|e| invalid(operation, name, e.clone()))?;
    if let Some(n) = value.number() {
        let low = bounds.minimum.is_some_and(|m| n < m);
        let high = bounds.maximum.is_some_and(|m| n > m);
        if low || high {
            let range = match (bounds.minimum, bounds.maximum) {
                (Some(lo), Some(hi)) => format!("between {lo} and {hi}"),
                (Some(lo), None) => format!("at least {lo}"),
                (None, Some(hi)) => format!("at most {hi}"),
                (None, None) => unreachable!("a bound was crossed"),
            };
            return Err(invalid(
                operation,
                name,
                format!("must be {range}, got {n}"),
            ));
        }
    }
    if let Some(text) = value.text() {
        let len = text.chars().count();
        if let Some(min) = bounds.min_length
            && len < min
        {
            let message = if len == 0 {
                "must not be empty".to_string()
            } else {
                format!("must be at least {min} characters, got {len}")
            };
            return Err(invalid(operation, name, message));
        }
        if let Some(max) = bounds.max_length
            && len > max
        {
            return Err(invalid(
                operation,
                name,
                format!("must be at most {max} characters, got {len}"),
            ));
        }
    }
    Ok(())
}

/// Refuses a parameter (or body) that was never set or failed to convert.
#[doc(hidden)]
pub fn check_set<T>(
    operation: &Operation,
    value: &Result<T, String>,
    name: &str,
) -> Result<(), Error> {
    value
        .as_ref()
        .map(|_| ())
        .map_err(|e| invalid(operation, name, e.clone()))
}

/// `code`, `message`, `details` and `request_id` of an error body, read from its raw
/// JSON whatever the spec's error schema says: lomi.'s envelope
/// `{"error": {"code", "message", "details"}, "request_id"}` (with `details` of any JSON
/// type, and `request_id` inside `error` or beside it), or a flat `{"code", "message"}`.
/// `None` when the body is not such an envelope.
pub(crate) fn envelope(bytes: &[u8]) -> Option<ErrorParts> {
    use serde_json::Value;
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let body: Value = serde_json::from_slice(bytes).ok()?;
    let outer = body.as_object()?;
    let (inner, message) = match outer.get("error") {
        Some(Value::Object(inner)) => (inner, None),
        // `{"error": "message"}`, as some gateways answer.
        Some(Value::String(message)) => (outer, Some(message.clone())),
        _ => (outer, None),
    };
    let parts = ErrorParts {
        code: text(inner.get("code")),
        message: message.or_else(|| text(inner.get("message"))),
        details: inner.get("details").filter(|d| !d.is_null()).cloned(),
        request_id: text(outer.get("request_id")).or_else(|| text(inner.get("request_id"))),
    };
    (parts.code.is_some() || parts.message.is_some()).then_some(parts)
}

/// What an error body says, as [`envelope`] reads it.
#[derive(Default)]
pub(crate) struct ErrorParts {
    code: Option<String>,
    message: Option<String>,
    details: Option<serde_json::Value>,
    request_id: Option<String>,
}

/// What one call has seen, shared between [`call`] and the hooks it runs.
#[derive(Default)]
struct CallState {
    attempts: u32,
    invalid: Option<(String, String)>,
    timeout: Duration,
    /// What the last attempt saw; reset before each attempt, so nothing leaks from one
    /// attempt into the next.
    last: AttemptState,
}

/// What one attempt saw.
#[derive(Default)]
struct AttemptState {
    status: Option<StatusCode>,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    too_large: Option<usize>,
    /// The body of an error response, for [`envelope`].
    error_body: Vec<u8>,
}

tokio::task_local! {
    static CALL: Arc<Mutex<CallState>>;
}

fn with_call(f: impl FnOnce(&mut CallState)) {
    let _ = CALL.try_with(|state| f(&mut state.lock().unwrap_or_else(PoisonError::into_inner)));
}

/// Runs one generated `send_unchecked()` future and turns its failure into [`Error`].
#[doc(hidden)]
pub async fn call<T, E>(
    operation: Operation,
    send: impl Future<Output = Result<T, progenitor_client::Error<E>>>,
) -> Result<T, Error> {
    let state = Arc::new(Mutex::new(CallState::default()));
    let span = tracing::info_span!(
        "lomi.request",
        operation = operation.method,
        method = operation.http_method,
        path = operation.path,
        status = Empty,
        attempts = Empty,
        elapsed_ms = Empty,
    );
    let started = Instant::now();
    let result = CALL
        .scope(state.clone(), send)
        .instrument(span.clone())
        .await;
    let state = std::mem::take(&mut *state.lock().unwrap_or_else(PoisonError::into_inner));
    span.record("elapsed_ms", started.elapsed().as_millis() as u64);
    span.record("attempts", state.attempts);
    if let Some(status) = state.last.status {
        span.record("status", status.as_u16());
    }
    match result {
        Ok(value) => Ok(value),
        // Boxed so that the rarely taken error path does not grow every call's future.
        Err(e) => Err(Box::pin(convert(e, &operation, state)).await),
    }
}

async fn convert<E>(
    e: progenitor_client::Error<E>,
    operation: &Operation,
    mut state: CallState,
) -> Error {
    use progenitor_client::Error as P;
    let attempts = state.attempts.max(1);
    let status = state.last.status.unwrap_or(StatusCode::OK);
    match e {
        P::InvalidRequest(message) | P::Custom(message) => {
            let (parameter, message) = match state.invalid {
                Some((p, m)) => (Some(p), m),
                None => (None, message),
            };
            Error::InvalidInput(InvalidInput {
                operation: operation.method,
                parameter,
                message,
            })
        }
        P::CommunicationError(source)
        | P::ResponseBodyError(source)
        | P::InvalidUpgrade(source) => {
            // The URL would show a key sent in the query.
            let source = if crate::generated::API_KEY_QUERY.is_some() {
                source.without_url()
            } else {
                source
            };
            if source.is_timeout() {
                Error::Timeout(TimeoutError {
                    operation: operation.method,
                    attempts,
                    timeout: state.timeout,
                    source: Some(source),
                })
            } else {
                Error::Connection(ConnectionError {
                    operation: operation.method,
                    attempts,
                    source,
                })
            }
        }
        P::ErrorResponse(rv) => {
            let body = std::mem::take(&mut state.last.error_body);
            api_error_from_bytes(operation, rv.status(), &body, state, attempts)
        }
        P::InvalidResponsePayload(bytes, source) => {
            if let Some(limit) = state.last.too_large {
                decode_error(
                    operation,
                    status,
                    state,
                    format!("the body is larger than the {limit}-byte limit"),
                    String::new(),
                )
            } else if status.is_client_error() || status.is_server_error() {
                api_error_from_bytes(operation, status, &bytes, state, attempts)
            } else {
                decode_error(
                    operation,
                    status,
                    state,
                    source.to_string(),
                    excerpt(&bytes),
                )
            }
        }
        P::UnexpectedResponse(response) => {
            let status = response.status();
            // Already in memory: the exec hook buffered it.
            let bytes = response.bytes().await.unwrap_or_default();
            if status.is_client_error() || status.is_server_error() {
                api_error_from_bytes(operation, status, &bytes, state, attempts)
            } else {
                decode_error(
                    operation,
                    status,
                    state,
                    format!(
                        "the spec documents no {} response for this operation",
                        status.as_u16()
                    ),
                    excerpt(&bytes),
                )
            }
        }
    }
}

/// A response whose body is not what the spec describes.
fn decode_error(
    operation: &Operation,
    status: StatusCode,
    state: CallState,
    reason: String,
    body_excerpt: String,
) -> Error {
    Error::Decode(Box::new(DecodeError {
        operation: operation.method,
        status,
        request_id: state.last.request_id,
        reason,
        body_excerpt,
    }))
}

/// An error status whose body may or may not be an error envelope: without one, the
/// error keeps its status and an excerpt of the body. The request id of the response
/// header wins over the one in the body.
fn api_error_from_bytes(
    operation: &Operation,
    status: StatusCode,
    bytes: &[u8],
    state: CallState,
    attempts: u32,
) -> Error {
    let (parts, body_excerpt) = match envelope(bytes) {
        Some(parts) => (parts, None),
        None => (ErrorParts::default(), Some(excerpt(bytes))),
    };
    Error::Api(Box::new(ApiError {
        operation: operation.method,
        status,
        code: parts.code,
        message: parts.message,
        details: parts.details,
        request_id: state.last.request_id.or(parts.request_id),
        retry_after: state.last.retry_after,
        body_excerpt,
        attempts,
    }))
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Checks a caller-supplied idempotency key the way lomi. reads it (trimmed).
pub(crate) fn idempotency_key(key: &str) -> Result<HeaderValue, String> {
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

fn jitter() -> f64 {
    // 53 random bits from a v4 UUID (the OS's randomness), as a fraction in [0, 1).
    (uuid::Uuid::new_v4().as_u128() >> 75) as f64 / (1u64 << 53) as f64
}

fn is_transient(e: &reqwest::Error) -> bool {
    e.is_timeout() || e.is_connect() || e.is_request() || e.is_body()
}

/// Reads the whole body (at most `limit` bytes) so that the connection is released as
/// soon as possible, and hands on an equivalent in-memory response.
async fn buffer(
    mut response: reqwest::Response,
    limit: usize,
) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    let version = response.version();
    let headers = std::mem::take(response.headers_mut());
    let body: Vec<u8> = match response.content_length() {
        Some(declared) if declared > limit as u64 => {
            with_call(|s| s.last.too_large = Some(limit));
            Vec::new()
        }
        // The usual case: a declared, acceptable length, read in one go.
        Some(_) => response.bytes().await?.into(),
        // Chunked: count as it comes.
        None => {
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await? {
                if body.len() + chunk.len() > limit {
                    with_call(|s| s.last.too_large = Some(limit));
                    body = Vec::new();
                    break;
                }
                body.extend_from_slice(&chunk);
            }
            body
        }
    };
    if status.is_client_error() || status.is_server_error() {
        with_call(|s| s.last.error_body.clone_from(&body));
    }
    let mut rebuilt = http::Response::new(reqwest::Body::from(body));
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    Ok(reqwest::Response::from(rebuilt))
}

impl ClientHooks<Runtime> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let settings = &self.inner().settings;
        *request.timeout_mut() = Some(settings.builder.timeout);
        with_call(|s| s.timeout = settings.builder.timeout);
        if let Some(name) = crate::generated::API_KEY_QUERY {
            request
                .url_mut()
                .query_pairs_mut()
                .append_pair(name, settings.builder.api_key());
        }
        if request.method() == Method::POST && !request.headers().contains_key(IDEMPOTENCY_KEY) {
            let key = match &settings.idempotency_key {
                Some(key) => idempotency_key(key).map_err(|message| {
                    with_call(|s| s.invalid = Some(("Idempotency-Key".into(), message.clone())));
                    progenitor_client::Error::InvalidRequest(message)
                })?,
                None => HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
                    .map_err(|e| progenitor_client::Error::InvalidRequest(e.to_string()))?,
            };
            request.headers_mut().insert(IDEMPOTENCY_KEY, key);
        }
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let settings = &self.inner().settings;
        let policy = &settings.builder.retry;
        let mut request = request;
        let mut retry = 0;
        loop {
            // A copy for the next attempt: the same body and the same idempotency key.
            let spare = if retry < policy.max_retries {
                request.try_clone()
            } else {
                None
            };
            let attempt = retry + 1;
            with_call(|s| {
                s.attempts = attempt;
                s.last = AttemptState::default();
            });
            let span = tracing::info_span!(
                "lomi.attempt",
                attempt,
                status = Empty,
                request_id = Empty,
                elapsed_ms = Empty,
            );
            let started = Instant::now();
            let outcome = async {
                // Bounds open connections: held until the body is read.
                let _permit = settings.limiter.acquire().await.ok();
                let response = self.client().execute(request).await?;
                buffer(response, settings.builder.max_response_bytes).await
            }
            .instrument(span.clone())
            .await;
            span.record("elapsed_ms", started.elapsed().as_millis() as u64);

            let wait = match &outcome {
                Ok(response) => {
                    let status = response.status();
                    let id = request_id(response.headers());
                    let asked = retry_after(response.headers(), SystemTime::now());
                    span.record("status", status.as_u16());
                    if let Some(id) = &id {
                        span.record("request_id", id.as_str());
                    }
                    with_call(|s| {
                        s.last.status = Some(status);
                        s.last.request_id = id;
                        s.last.retry_after = asked;
                    });
                    RETRYABLE_STATUSES
                        .contains(&status.as_u16())
                        .then_some(asked)
                }
                Err(e) => is_transient(e).then_some(None),
            };
            match (wait, spare) {
                (Some(asked), Some(spare)) => {
                    let delay = policy.delay(retry, asked, jitter());
                    tracing::info!(
                        parent: &span,
                        delay_ms = delay.as_millis() as u64,
                        "lomi.: attempt {attempt} failed; retrying"
                    );
                    tokio::time::sleep(delay).await;
                    request = spare;
                    retry += 1;
                }
                _ => return outcome,
            }
        }
    }
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn jitter_stays_in_range() {
        for _ in 0..1000 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j), "{j}");
        }
    }
}
