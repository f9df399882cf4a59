//! One call, from the request a generated `send()` (or a client's `request`) built
//! to a [`Response`] or the crate's [`Error`]: the per-attempt timeout, the key in the
//! query, the `Idempotency-Key` of a POST (kept on every retry), the concurrency limit,
//! the retries ([`super::retry`] decides), the bounded body, tracing, and lomi.'s error
//! envelope read from the raw body whatever the spec's error schema is.
//!
//! Everything the call needs arrives as values ([`Operation`], [`CallOptions`]) and its
//! state lives in this function's locals: nothing travels beside it.

use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use tracing::Instrument;
use tracing::field::Empty;

use super::Core;
use super::options::{CallOptions, IDEMPOTENCY_KEY, idempotency_key};
use super::params::Operation;
use super::retry::{Attempt, Outcome, classify, jitter, retry_after};
use crate::ResponseValue;
use crate::error::{
    ApiError, ConnectionError, DecodeError, Error, InvalidInput, TimeoutError, excerpt,
};

/// The header lomi. names each request with.
const REQUEST_ID: &str = "x-request-id";

/// A response `execute` let through: any status below 400, its body read whole.
#[doc(hidden)]
pub struct Response {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Response {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The body decoded as JSON into `T`; a body that is not a `T` is a
    /// [`Error::Decode`] with an excerpt of it.
    pub fn json<T: serde::de::DeserializeOwned>(
        self,
        operation: &Operation,
    ) -> Result<ResponseValue<T>, Error> {
        match serde_json::from_slice(&self.body) {
            Ok(value) => Ok(ResponseValue::new(
                value,
                self.status,
                self.headers,
                self.body,
            )),
            Err(e) => Err(self.decode_error(operation, e.to_string())),
        }
    }

    /// A response without a body (whatever came is still in `raw_body()`).
    pub fn empty(self) -> ResponseValue<()> {
        ResponseValue::new((), self.status, self.headers, self.body)
    }

    /// A response whose body is not JSON: its bytes, as a stream of one chunk.
    pub fn bytes(self) -> ResponseValue<progenitor_client::ByteStream> {
        let chunk = self.body.clone();
        let stream = futures_util::stream::once(async move { Ok(chunk) });
        ResponseValue::new(
            progenitor_client::ByteStream::new(Box::pin(stream)),
            self.status,
            self.headers,
            self.body,
        )
    }

    /// The body as untyped JSON (`null` for an empty or blank one).
    pub fn any_json(
        self,
        operation: &Operation,
    ) -> Result<ResponseValue<serde_json::Value>, Error> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(ResponseValue::new(
                serde_json::Value::Null,
                self.status,
                self.headers,
                self.body,
            ));
        }
        self.json(operation)
    }

    /// A status the spec does not describe for the operation.
    pub fn undocumented(self, operation: &Operation) -> Error {
        let reason = format!(
            "the spec documents no {} response for this operation",
            self.status.as_u16()
        );
        self.decode_error(operation, reason)
    }

    /// A [`Error::Decode`] for this response, saying `reason`.
    pub fn decode_error(self, operation: &Operation, reason: String) -> Error {
        Error::Decode(Box::new(DecodeError {
            operation: operation.method,
            status: self.status,
            request_id: request_id(&self.headers),
            reason,
            body_excerpt: excerpt(&self.body),
        }))
    }
}

impl Buffered {
    /// Whether the status is an error (4xx or 5xx).
    fn failed(&self) -> bool {
        self.status.is_client_error() || self.status.is_server_error()
    }
}

/// What one attempt ended with: a response read whole (or too large to), or a failure
/// to send or to read.
type Attempted = Result<Buffered, reqwest::Error>;

struct Buffered {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    /// The limit the body went over, if it did (the body is then empty).
    too_large: Option<usize>,
}

/// Sends `request` for `operation` with `options` over `core`, retrying as its policy
/// says, and returns the response if its status is below 400. An error status becomes
/// [`Error::Api`], a failure to send [`Error::Connection`] or [`Error::Timeout`].
#[doc(hidden)]
pub async fn execute(
    core: &Core,
    request: reqwest::RequestBuilder,
    operation: &Operation,
    options: CallOptions,
) -> Result<Response, Error> {
    let span = tracing::info_span!(
        "lomi.request",
        operation = operation.method,
        operation_id = operation.id,
        method = operation.http_method,
        path = operation.path,
        status = Empty,
        attempts = Empty,
        elapsed_ms = Empty,
    );
    let started = (!span.is_disabled()).then(Instant::now);
    let call = attempts(core, request, operation, options, &span);
    // Entering and leaving a span on every poll costs even when nothing listens.
    let result = if span.is_disabled() {
        call.await
    } else {
        call.instrument(span.clone()).await
    };
    if let Some(started) = started {
        span.record("elapsed_ms", started.elapsed().as_millis() as u64);
    }
    result
}

/// The call: its request made ready ([`prepare`]), sent and retried as the policy
/// decides ([`attempt`] each time), and its last answer read ([`finish`]).
async fn attempts(
    core: &Core,
    request: reqwest::RequestBuilder,
    operation: &Operation,
    options: CallOptions,
    call: &tracing::Span,
) -> Result<Response, Error> {
    let settings = &core.settings;
    let (mut request, timeout) = prepare(core, request, operation, &options)?;
    let policy = match options.max_retries {
        Some(n) => settings.retry.with_max_retries(n),
        None => settings.retry,
    };
    let mut retry = 0;
    let (outcome, attempts, asked) = loop {
        // A copy for the next attempt: the same body and the same idempotency key.
        let spare = if retry < policy.max_retries() {
            request.try_clone()
        } else {
            None
        };
        let number = retry + 1;
        let (outcome, ended, asked, span) = attempt(core, request, number).await;
        match (policy.decide(ended, retry, asked, jitter), spare) {
            (Outcome::Retry(delay), Some(spare)) => {
                tracing::info!(
                    parent: &span,
                    delay_ms = delay.as_millis() as u64,
                    "lomi.: attempt {number} failed; retrying"
                );
                tokio::time::sleep(delay).await;
                request = spare;
                retry += 1;
            }
            _ => break (outcome, number, asked),
        }
    };
    call.record("attempts", attempts);
    finish(core, operation, outcome, attempts, asked, timeout, call)
}

/// `invalid` input of `operation`, for a request that cannot be made.
fn invalid(operation: &Operation, parameter: Option<&str>, message: String) -> Error {
    Error::InvalidInput(InvalidInput {
        operation: operation.method,
        parameter: parameter.map(str::to_string),
        message,
    })
}

/// The request as every attempt sends it: built, with its timeout, the client's headers
/// (the key, the user agent), `Accept: application/json` (lomi. answers JSON, errors
/// included), the key in the query where the spec puts it there, and for a `POST` its
/// idempotency key (the caller's, else a new one, kept by every retry).
fn prepare(
    core: &Core,
    request: reqwest::RequestBuilder,
    operation: &Operation,
    options: &CallOptions,
) -> Result<(reqwest::Request, std::time::Duration), Error> {
    let settings = &core.settings;
    let mut request = request.build().map_err(|e| {
        invalid(
            operation,
            None,
            format!(
                "cannot build the request: {}",
                crate::error::error_chain(&e)
            ),
        )
    })?;
    let timeout = options.timeout.unwrap_or(settings.timeout);
    *request.timeout_mut() = Some(timeout);
    let headers = request.headers_mut();
    for (name, value) in &settings.headers {
        if !headers.contains_key(name) {
            headers.insert(name, value.clone());
        }
    }
    if headers.get(ACCEPT).is_none_or(|v| v == "*/*") {
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    }
    if let Some(name) = settings.info.key_query {
        request
            .url_mut()
            .query_pairs_mut()
            .append_pair(name, &settings.api_key);
    }
    if request.method() == Method::POST && !request.headers().contains_key(IDEMPOTENCY_KEY) {
        let key = match &options.idempotency_key {
            Some(key) => idempotency_key(key)
                .map_err(|message| invalid(operation, Some("Idempotency-Key"), message))?,
            None => HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
                .map_err(|e| invalid(operation, Some("Idempotency-Key"), e.to_string()))?,
        };
        request.headers_mut().insert(IDEMPOTENCY_KEY, key);
    }
    Ok((request, timeout))
}

/// One attempt, in a span of its own: its outcome, what it was for the retry policy,
/// the delay the server asked for (a failure's `Retry-After`), and the span.
async fn attempt(
    core: &Core,
    request: reqwest::Request,
    number: u32,
) -> (
    Attempted,
    Attempt,
    Option<std::time::Duration>,
    tracing::Span,
) {
    let settings = &core.settings;
    let span = tracing::info_span!(
        "lomi.attempt",
        attempt = number,
        status = Empty,
        request_id = Empty,
        elapsed_ms = Empty,
    );
    let started = (!span.is_disabled()).then(Instant::now);
    let attempt_future = async {
        // Bounds open connections: held until the body is read. A free permit is
        // taken without queueing.
        let _permit = match settings.limiter.try_acquire() {
            Ok(permit) => Some(permit),
            Err(_) => settings.limiter.acquire().await.ok(),
        };
        let response = core.http.execute(request).await?;
        buffer(response, settings.max_response_bytes).await
    };
    let outcome: Attempted = if span.is_disabled() {
        attempt_future.await
    } else {
        attempt_future.instrument(span.clone()).await
    };
    if let Some(started) = started {
        span.record("elapsed_ms", started.elapsed().as_millis() as u64);
    }
    let (ended, asked) = match &outcome {
        Ok(response) => {
            if !span.is_disabled() {
                span.record("status", response.status.as_u16());
                if let Some(id) = request_id_str(&response.headers) {
                    span.record("request_id", id);
                }
            }
            // Only a failure can ask to be retried later.
            let asked = response
                .failed()
                .then(|| retry_after(&response.headers, SystemTime::now()))
                .flatten();
            (Attempt::Status(response.status.as_u16()), asked)
        }
        Err(e) => (classify(e), None),
    };
    (outcome, ended, asked, span)
}

/// The call's answer from its last attempt: the response, or the error it is (a
/// transport failure, a body over the limit, an error status).
fn finish(
    core: &Core,
    operation: &Operation,
    outcome: Attempted,
    attempts: u32,
    asked: Option<std::time::Duration>,
    timeout: std::time::Duration,
    call: &tracing::Span,
) -> Result<Response, Error> {
    let response = match outcome {
        Ok(response) => response,
        Err(source) => {
            return Err(transport_error(
                operation,
                source,
                attempts,
                timeout,
                core.settings.info.key_query.is_some(),
            ));
        }
    };
    call.record("status", response.status.as_u16());
    if let Some(limit) = response.too_large {
        return Err(Error::Decode(Box::new(DecodeError {
            operation: operation.method,
            status: response.status,
            request_id: request_id(&response.headers),
            reason: format!("the body is larger than the {limit}-byte limit"),
            body_excerpt: String::new(),
        })));
    }
    if response.failed() {
        return Err(api_error(operation, &response, attempts, asked));
    }
    Ok(Response {
        status: response.status,
        headers: response.headers,
        body: response.body,
    })
}

/// Reads the whole body (at most `limit` bytes), so that the connection is released as
/// soon as possible.
async fn buffer(mut response: reqwest::Response, limit: usize) -> Attempted {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let too_large = |headers| Buffered {
        status,
        headers,
        body: Bytes::new(),
        too_large: Some(limit),
    };
    let body: Bytes = match response.content_length() {
        Some(declared) if declared > limit as u64 => return Ok(too_large(headers)),
        // The usual case: a declared, acceptable length, read in one go.
        Some(_) => response.bytes().await?,
        // Chunked: count as it comes.
        None => {
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await? {
                if body.len() + chunk.len() > limit {
                    return Ok(too_large(headers));
                }
                body.extend_from_slice(&chunk);
            }
            body.into()
        }
    };
    Ok(Buffered {
        status,
        headers,
        body,
        too_large: None,
    })
}

/// A failure to send or to read: a timeout or a connection error, without the URL when
/// it would show a key sent in the query.
fn transport_error(
    operation: &Operation,
    source: reqwest::Error,
    attempts: u32,
    timeout: Duration,
    key_in_query: bool,
) -> Error {
    let source = if key_in_query {
        source.without_url()
    } else {
        source
    };
    if source.is_timeout() {
        Error::Timeout(TimeoutError {
            operation: operation.method,
            attempts,
            timeout,
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

/// An error status, whose body may or may not be an error envelope: without one, the
/// error keeps its status and an excerpt of the body. The request id of the response
/// header wins over the one in the body.
fn api_error(
    operation: &Operation,
    response: &Buffered,
    attempts: u32,
    retry_after: Option<Duration>,
) -> Error {
    let (parts, body_excerpt) = match envelope(&response.body) {
        Some(parts) => (parts, None),
        None => (ErrorParts::default(), Some(excerpt(&response.body))),
    };
    Error::Api(Box::new(ApiError {
        operation: operation.method,
        status: response.status,
        code: parts.code,
        message: parts.message,
        details: parts.details,
        request_id: request_id(&response.headers).or(parts.request_id),
        retry_after,
        body_excerpt,
        attempts,
    }))
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

/// The response's `X-Request-Id`, unless it is missing, blank or not text.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    request_id_str(headers).map(str::to_string)
}

/// [`request_id`], borrowed.
pub(crate) fn request_id_str(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|id| !id.is_empty())
}
