//! The one error type every call returns.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

/// Statuses worth another attempt: the server or something on the way was momentarily
/// unable to answer. A 409 is not among them: from lomi. it means an idempotency key was
/// reused with another body, and retrying cannot help.
pub(crate) const RETRYABLE_STATUSES: [u16; 6] = [408, 429, 500, 502, 503, 504];

/// How many bytes of an undecodable body an error keeps.
pub(crate) const EXCERPT_BYTES: usize = 512;

/// Everything that can go wrong with a call to lomi.
///
/// Match on the variant for the kind of failure, or use the accessors for what most
/// callers need:
///
/// ```no_run
/// # async fn run(client: lomi_client::Client) {
/// use lomi_client::{ApiErrorKind, Error};
///
/// match client.retrieve_checkout_session().session_id("cs_123").send().await {
///     Ok(session) => println!("{:?}", session.status),
///     Err(Error::Api(e)) if e.kind() == ApiErrorKind::NotFound => println!("no such session"),
///     Err(e) => eprintln!("{e} (request id {:?}, retryable: {})", e.request_id(), e.is_retryable()),
/// }
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// lomi. answered with an error status (4xx or 5xx).
    Api(Box<ApiError>),
    /// The connection could not be made or broke off before a response arrived.
    Connection(ConnectionError),
    /// No complete response arrived within the configured timeout.
    Timeout(TimeoutError),
    /// A response arrived but its body is not what the spec describes.
    Decode(Box<DecodeError>),
    /// An argument was refused before any request was sent.
    InvalidInput(InvalidInput),
}

impl Error {
    /// Whether the failure is transient: a later identical call may succeed. The client
    /// has already retried such failures as its [`crate::RetryPolicy`] allows.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => RETRYABLE_STATUSES.contains(&e.status.as_u16()),
            Error::Connection(_) | Error::Timeout(_) => true,
            Error::Decode(_) | Error::InvalidInput(_) => false,
        }
    }

    /// The HTTP status of the response, when one arrived.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            _ => None,
        }
    }

    /// lomi.'s request id (`X-Request-Id`, or `request_id` in the error body): quote it
    /// when contacting lomi. support.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Decode(e) => e.request_id.as_deref(),
            _ => None,
        }
    }

    /// lomi.'s error code (`bad_request`, `not_found`, `rate_limit_exceeded`…), for API errors.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.code.as_deref(),
            _ => None,
        }
    }

    /// The operation that failed (`create_checkout_session`…).
    pub fn operation(&self) -> &'static str {
        match self {
            Error::Api(e) => e.operation,
            Error::Connection(e) => e.operation,
            Error::Timeout(e) => e.operation,
            Error::Decode(e) => e.operation,
            Error::InvalidInput(e) => e.operation,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => e.fmt(f),
            Error::Connection(e) => e.fmt(f),
            Error::Timeout(e) => e.fmt(f),
            Error::Decode(e) => e.fmt(f),
            Error::InvalidInput(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Connection(e) => Some(&e.source),
            Error::Timeout(e) => e.source.as_ref().map(|s| s as _),
            _ => None,
        }
    }
}

/// The broad kind of an [`ApiError`], from its status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// 400: the request was refused as invalid.
    BadRequest,
    /// 401: the API key is missing or wrong.
    Unauthorized,
    /// 403: the key may not do this.
    Forbidden,
    /// 404: no such resource.
    NotFound,
    /// 409: a conflict, such as an idempotency key reused with a different body.
    Conflict,
    /// 429: too many requests; see [`ApiError::retry_after`].
    RateLimited,
    /// 5xx: lomi. failed.
    Server,
    /// Any other status.
    Other,
}

/// lomi. answered with an error status.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The operation that failed.
    pub operation: &'static str,
    /// The HTTP status.
    pub status: StatusCode,
    /// lomi.'s error code (`error.code`).
    pub code: Option<String>,
    /// lomi.'s explanation (`error.message`).
    pub message: Option<String>,
    /// Extra information (`error.details`): the invalid fields (an array, for lomi.'s
    /// validation failures) or an object.
    pub details: Option<serde_json::Value>,
    /// lomi.'s request id.
    pub request_id: Option<String>,
    /// How long lomi. asked to wait (`Retry-After`), on 429 and 503.
    pub retry_after: Option<Duration>,
    /// The start of the body, when it was not lomi.'s error envelope (an HTML page from a
    /// proxy, say).
    pub body_excerpt: Option<String>,
    /// How many attempts were made.
    pub attempts: u32,
}

impl ApiError {
    /// The kind of failure, from the status.
    pub fn kind(&self) -> ApiErrorKind {
        match self.status.as_u16() {
            400 => ApiErrorKind::BadRequest,
            401 => ApiErrorKind::Unauthorized,
            403 => ApiErrorKind::Forbidden,
            404 => ApiErrorKind::NotFound,
            409 => ApiErrorKind::Conflict,
            429 => ApiErrorKind::RateLimited,
            500..=599 => ApiErrorKind::Server,
            _ => ApiErrorKind::Other,
        }
    }

    /// How long lomi. asked to wait before trying again, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// What `details` says is wrong, as `(field, message)` pairs: lomi.'s validation
    /// failures list the invalid fields (`[{"field": "amount", "message": "…"}]`); an
    /// object of field → message and a plain string are read too. The field is empty
    /// where the problem names none.
    ///
    /// ```
    /// # fn run(e: &lomi_client::ApiError) {
    /// for (field, message) in e.field_errors() {
    ///     eprintln!("{field}: {message}");
    /// }
    /// # }
    /// ```
    pub fn field_errors(&self) -> Vec<(String, String)> {
        self.details.as_ref().map(field_errors).unwrap_or_default()
    }
}

/// The `(field, message)` pairs of an error's `details`, whatever its shape.
fn field_errors(details: &serde_json::Value) -> Vec<(String, String)> {
    use serde_json::Value;
    /// A message as text: a string as it is, anything else as JSON.
    fn text(v: &Value) -> Option<String> {
        match v {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            Value::Array(items) => {
                let parts: Vec<String> = items.iter().filter_map(text).collect();
                (!parts.is_empty()).then(|| parts.join(", "))
            }
            Value::Object(o) => ["message", "msg", "error", "detail"]
                .iter()
                .find_map(|k| o.get(*k).and_then(text))
                .or_else(|| Some(v.to_string())),
            other => Some(other.to_string()),
        }
    }
    let first = |o: &serde_json::Map<String, Value>, keys: &[&str]| {
        keys.iter().find_map(|k| o.get(*k).and_then(text))
    };
    match details {
        Value::Array(items) => items
            .iter()
            .filter_map(|item| match item {
                Value::Object(o) => {
                    let field = first(o, &["field", "path", "param", "parameter", "name"])
                        .unwrap_or_default();
                    let message = first(o, &["message", "msg", "error", "detail", "reason"])
                        .unwrap_or_else(|| item.to_string());
                    Some((field, message))
                }
                other => text(other).map(|m| (String::new(), m)),
            })
            .collect(),
        Value::Object(o) => o
            .iter()
            .filter_map(|(k, v)| text(v).map(|m| (k.clone(), m)))
            .collect(),
        other => text(other)
            .map(|m| vec![(String::new(), m)])
            .unwrap_or_default(),
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed with {}", self.operation, self.status)?;
        if let Some(code) = &self.code {
            write!(f, " ({code})")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        } else if let Some(excerpt) = &self.body_excerpt {
            write!(f, ": {excerpt:?}")?;
        }
        // What is wrong, field by field: "Validation failed" alone helps nobody. A few
        // problems read well; `field_errors()` has them all.
        const SHOWN: usize = 10;
        let problems = self.field_errors();
        for (i, (field, message)) in problems.iter().take(SHOWN).enumerate() {
            f.write_str(if i == 0 { ": " } else { "; " })?;
            if field.is_empty() {
                write!(f, "{message}")?;
            } else {
                write!(f, "{field}: {message}")?;
            }
        }
        if problems.len() > SHOWN {
            write!(f, "; and {} more", problems.len() - SHOWN)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        if self.attempts > 1 {
            write!(f, " after {} attempts", self.attempts)?;
        }
        Ok(())
    }
}

/// The connection failed or broke off.
#[derive(Debug)]
pub struct ConnectionError {
    /// The operation that failed.
    pub operation: &'static str,
    /// How many attempts were made.
    pub attempts: u32,
    /// What the HTTP client reported.
    pub source: reqwest::Error,
}

impl fmt::Display for ConnectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} could not reach lomi. after {} attempt{}: {}",
            self.operation,
            self.attempts,
            if self.attempts == 1 { "" } else { "s" },
            error_chain(&self.source)
        )
    }
}

/// No complete response arrived in time.
#[derive(Debug)]
pub struct TimeoutError {
    /// The operation that failed.
    pub operation: &'static str,
    /// How many attempts were made.
    pub attempts: u32,
    /// The per-attempt timeout in force.
    pub timeout: Duration,
    /// What the HTTP client reported, if anything.
    pub source: Option<reqwest::Error>,
}

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} timed out (limit {:?} per attempt, {} attempt{})",
            self.operation,
            self.timeout,
            self.attempts,
            if self.attempts == 1 { "" } else { "s" }
        )
    }
}

/// A response whose body could not be decoded as the spec describes.
#[derive(Debug, Clone)]
pub struct DecodeError {
    /// The operation that failed.
    pub operation: &'static str,
    /// The HTTP status of the response.
    pub status: StatusCode,
    /// lomi.'s request id, if the response had one.
    pub request_id: Option<String>,
    /// What is wrong with the body.
    pub reason: String,
    /// The start of the body (at most 512 bytes, lossily decoded).
    pub body_excerpt: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} got an undecodable {} response: {}; body starts {:?}",
            self.operation, self.status, self.reason, self.body_excerpt
        )?;
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

/// An argument refused before any request was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidInput {
    /// The operation that was called.
    pub operation: &'static str,
    /// The parameter at fault (`limit`, `session_id`, `Idempotency-Key`…), when known.
    pub parameter: Option<String>,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.parameter {
            Some(p) => write!(f, "invalid `{p}` for {}: {}", self.operation, self.message),
            None => write!(f, "invalid input for {}: {}", self.operation, self.message),
        }
    }
}

/// `error: cause: cause`, as reqwest nests the interesting part.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// At most [`EXCERPT_BYTES`] of `body`, as text.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let cut = &body[..body.len().min(EXCERPT_BYTES)];
    let mut text = String::from_utf8_lossy(cut).into_owned();
    if body.len() > EXCERPT_BYTES {
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_short_and_never_panic_on_bad_utf8() {
        assert_eq!(excerpt(b"<html>"), "<html>");
        let long = vec![b'x'; 2000];
        assert_eq!(excerpt(&long).chars().count(), EXCERPT_BYTES + 1);
        let mut broken = "é".repeat(300).into_bytes();
        broken.truncate(EXCERPT_BYTES + 1);
        assert!(excerpt(&broken).ends_with('…'));
    }

    #[test]
    fn api_errors_read_well() {
        let e = ApiError {
            operation: "create_checkout_session",
            status: StatusCode::BAD_REQUEST,
            code: Some("bad_request".into()),
            message: Some("amount is required".into()),
            details: None,
            request_id: Some("req_1".into()),
            retry_after: None,
            body_excerpt: None,
            attempts: 1,
        };
        assert_eq!(
            e.to_string(),
            "create_checkout_session failed with 400 Bad Request (bad_request): amount is required [request id req_1]"
        );
        assert_eq!(e.kind(), ApiErrorKind::BadRequest);
    }

    fn with_details(details: serde_json::Value) -> ApiError {
        ApiError {
            operation: "create_checkout_session",
            status: StatusCode::BAD_REQUEST,
            code: Some("bad_request".into()),
            message: Some("Validation failed".into()),
            details: Some(details),
            request_id: Some("req_1".into()),
            retry_after: None,
            body_excerpt: None,
            attempts: 1,
        }
    }

    #[test]
    fn validation_details_name_each_field_whatever_their_shape() {
        let pairs = |e: &ApiError| e.field_errors();
        let array = with_details(serde_json::json!([
            {"field": "amount", "location": "body", "message": "must be positive"},
            {"field": "currency_code", "location": "body", "message": "is required"},
        ]));
        assert_eq!(
            array.to_string(),
            "create_checkout_session failed with 400 Bad Request (bad_request): Validation failed: \
             amount: must be positive; currency_code: is required [request id req_1]"
        );
        let object = with_details(serde_json::json!({
            "amount": "must be positive",
            "currency_code": ["is required", "must be XOF, USD or EUR"],
        }));
        assert_eq!(
            pairs(&object),
            [
                ("amount".to_string(), "must be positive".to_string()),
                (
                    "currency_code".to_string(),
                    "is required, must be XOF, USD or EUR".to_string()
                ),
            ]
        );
        let text = with_details(serde_json::json!("amount must be positive"));
        assert_eq!(
            pairs(&text),
            [(String::new(), "amount must be positive".to_string())]
        );
        assert!(
            text.to_string()
                .ends_with(": Validation failed: amount must be positive [request id req_1]")
        );
        let odd = with_details(serde_json::json!([{"msg": "bad"}, 7, null, {"field": "x"}]));
        assert_eq!(
            pairs(&odd),
            [
                (String::new(), "bad".to_string()),
                (String::new(), "7".to_string()),
                ("x".to_string(), "{\"field\":\"x\"}".to_string()),
            ]
        );
        assert!(
            with_details(serde_json::Value::Null)
                .field_errors()
                .is_empty()
        );
        let many: Vec<serde_json::Value> = (0..25)
            .map(|i| serde_json::json!({"field": format!("f{i}"), "message": "bad"}))
            .collect();
        let text = with_details(serde_json::Value::Array(many)).to_string();
        assert!(
            text.contains("f9: bad; and 15 more [request id req_1]"),
            "{text}"
        );
        assert!(!text.contains("f10"), "{text}");
    }
}
