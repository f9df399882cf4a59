//! Faults staged on coming requests: what a test asks the mock to get wrong.

use std::collections::VecDeque;
use std::time::Duration;

use bytes::Bytes;
use serde_json::{Value, json};

use crate::response::Answer;
use crate::store::Failure;

/// A fault the mock stages on a coming request (see [`crate::MockServer::inject`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// No fault: handle the request as usual. Staged before another fault, it lets the
    /// first requests through (`inject(Fault::Pass, 1)` then `inject(Fault::Status(401), 1)`
    /// fails the second request).
    Pass,
    /// Answer this status with lomi.'s error envelope, without handling the request.
    Status(u16),
    /// The same, with `Retry-After: seconds` (and, for a 429, lomi.'s rate-limit details).
    StatusRetryAfter(u16, u64),
    /// Handle the request, then wait this long before answering.
    Delay(Duration),
    /// Handle the request (its effects happen: a create creates), then close the
    /// connection without answering, as a network failure after the fact would.
    Drop,
    /// Handle the request, then send the head and only half of the body, and close.
    Truncate,
    /// Answer exactly this, without handling the request: for the answers no healthy
    /// server gives (malformed JSON, an HTML error page, a status the spec does not
    /// document). See [`Fault::json`] and [`Fault::raw`].
    Respond {
        /// The status.
        status: u16,
        /// Headers (`Content-Length` is added; `X-Request-Id` is the mock's unless given).
        headers: Vec<(String, String)>,
        /// The body, as sent.
        body: Bytes,
    },
}

impl Fault {
    /// Answer `status` with `body` as JSON.
    pub fn json(status: u16, body: &Value) -> Fault {
        Fault::raw(
            status,
            "application/json",
            serde_json::to_vec(body).unwrap_or_default(),
        )
    }

    /// Answer `status` with `body` as it is, labelled `content_type`.
    pub fn raw(status: u16, content_type: &str, body: impl Into<Bytes>) -> Fault {
        Fault::Respond {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
        }
    }

    /// The same fault with one more header (for [`Fault::Respond`]; others are unchanged).
    pub fn with_header(mut self, name: &str, value: &str) -> Fault {
        if let Fault::Respond { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

#[derive(Debug)]
pub(crate) struct Staged {
    pub(crate) fault: Fault,
    pub(crate) remaining: usize,
    /// Only requests of this operation (its `operationId`), or any.
    pub(crate) operation: Option<String>,
}

pub(crate) fn take_fault(faults: &mut VecDeque<Staged>, operation: Option<&str>) -> Option<Fault> {
    let i = faults.iter().position(|s| {
        s.remaining > 0 && s.operation.as_deref().is_none_or(|o| Some(o) == operation)
    })?;
    let staged = &mut faults[i];
    staged.remaining -= 1;
    let fault = staged.fault.clone();
    if staged.remaining == 0 {
        faults.remove(i);
    }
    Some(fault)
}

/// The error code lomi. gives a status.
pub(crate) fn code_for(status: u16) -> &'static str {
    match status {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        409 => "conflict",
        429 => "rate_limit_exceeded",
        503 => "service_unavailable",
        s if s >= 500 => "internal_error",
        _ => "error",
    }
}

pub(crate) fn staged_status(status: u16, retry_after: Option<u64>, request_id: &str) -> Answer {
    let mut failure = Failure::new(
        status,
        code_for(status),
        format!("lomi-mock answered {status}, as a fault asked"),
    );
    if let (429, Some(seconds)) = (status, retry_after) {
        failure.details = Some(json!({"retry_after_seconds": seconds}));
    }
    let answer = Answer::failure(failure, request_id);
    match retry_after {
        Some(seconds) => answer.with_header("retry-after", seconds.to_string()),
        None => answer,
    }
}
