//! One call: its state, shared with the hooks through a task-local, and what its
//! failure becomes: the crate's [`Error`], with lomi.'s error envelope read from the raw
//! body whatever the spec's error schema is.
//!
//! Every generated `send()` and the escape hatch ([`crate::Client::request`]) start a call.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use tracing::Instrument;
use tracing::field::Empty;

use super::options::CallOptions;
use super::params::Operation;
use crate::ResponseValue;
use crate::error::{
    ApiError, ConnectionError, DecodeError, Error, InvalidInput, TimeoutError, excerpt,
};

/// The header lomi. names each request with.
const REQUEST_ID: &str = "x-request-id";

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
pub(crate) struct CallState {
    /// What the call's builder changed of the client's settings.
    pub(crate) options: CallOptions,
    pub(crate) attempts: u32,
    pub(crate) invalid: Option<(String, String)>,
    pub(crate) timeout: Duration,
    /// What the last attempt saw; reset before each attempt, so nothing leaks from one
    /// attempt into the next.
    pub(crate) last: AttemptState,
}

/// What one attempt saw.
#[derive(Default)]
pub(crate) struct AttemptState {
    pub(crate) status: Option<StatusCode>,
    pub(crate) request_id: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) too_large: Option<usize>,
    /// The body as buffered (a shared handle, not a copy), for errors to read.
    pub(crate) body: bytes::Bytes,
}

tokio::task_local! {
    static CALL: Arc<Mutex<CallState>>;
}

pub(crate) fn with_call<R>(f: impl FnOnce(&mut CallState) -> R) -> Option<R> {
    let mut f = Some(f);
    let mut out = None;
    // One non-generic access to the task-local, whatever the closure: each closure type
    // would otherwise compile its own copy of the task-local machinery.
    access(&mut |state| {
        if let Some(f) = f.take() {
            out = Some(f(state));
        }
    });
    out
}

fn access(f: &mut dyn FnMut(&mut CallState)) {
    let _ = CALL.try_with(|state| f(&mut state.lock().unwrap_or_else(PoisonError::into_inner)));
}

/// Runs one generated `send_unchecked()` future: its success becomes the crate's
/// [`ResponseValue`] (with the raw body the exec hook buffered), its failure [`Error`].
pub(crate) async fn call<T, E>(
    operation: Operation,
    options: CallOptions,
    send: impl Future<Output = Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>>,
) -> Result<ResponseValue<T>, Error> {
    let state = Arc::new(Mutex::new(CallState {
        options,
        ..CallState::default()
    }));
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
        Ok(value) => {
            let (status, headers) = (value.status(), value.headers().clone());
            Ok(ResponseValue::new(
                value.into_inner(),
                status,
                headers,
                state.last.body,
            ))
        }
        Err(e) => Err(convert(e, &operation, state)),
    }
}

fn convert<E>(
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
            let body = std::mem::take(&mut state.last.body);
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
            } else {
                unexpected(
                    operation,
                    status,
                    &bytes,
                    state,
                    attempts,
                    source.to_string(),
                )
            }
        }
        P::UnexpectedResponse(response) => {
            let status = response.status();
            // The exec hook buffered the body and kept a handle on it.
            let bytes = std::mem::take(&mut state.last.body);
            let reason = format!(
                "the spec documents no {} response for this operation",
                status.as_u16()
            );
            unexpected(operation, status, &bytes, state, attempts, reason)
        }
    }
}

/// A response that is not what the spec describes: an API error for an error status
/// (whatever its body), a decode error with `reason` otherwise.
fn unexpected(
    operation: &Operation,
    status: StatusCode,
    bytes: &[u8],
    state: CallState,
    attempts: u32,
    reason: String,
) -> Error {
    if status.is_client_error() || status.is_server_error() {
        api_error_from_bytes(operation, status, bytes, state, attempts)
    } else {
        decode_error(operation, status, state, reason, excerpt(bytes))
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
