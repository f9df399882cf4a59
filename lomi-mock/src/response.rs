//! One way to build a response: every answer, the mock's own, a failure, a staged fault
//! or a fault's raw bytes, is an [`Answer`] that [`respond`] turns into HTTP.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Response, StatusCode};
use hyper::body::{Body, Frame, SizeHint};
use serde_json::{Value, json};

use crate::store::Failure;

/// The body of an answer: whole, or cut short.
pub(crate) struct MockBody {
    pub(crate) data: Option<Bytes>,
    /// Fail after the data: the connection is closed mid-body.
    pub(crate) cut: bool,
}

impl Body for MockBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match self.data.take() {
            Some(data) => Poll::Ready(Some(Ok(Frame::data(data)))),
            None if self.cut => {
                self.cut = false;
                Poll::Ready(Some(Err(std::io::Error::other(
                    "lomi-mock: body truncated",
                ))))
            }
            None => Poll::Ready(None),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match (&self.data, self.cut) {
            (Some(d), false) => SizeHint::with_exact(d.len() as u64),
            (None, false) => SizeHint::with_exact(0),
            _ => SizeHint::default(),
        }
    }
}

/// An answer before it is sent.
pub(crate) struct Answer {
    pub(crate) status: u16,
    /// A JSON body, sent as `application/json`.
    pub(crate) body: Option<Value>,
    /// Bytes sent as they are (a [`crate::Fault::Respond`]), instead of `body`.
    pub(crate) raw: Option<Bytes>,
    /// Headers besides `X-Request-Id` and `Content-Type`; an `X-Request-Id` here replaces
    /// the mock's.
    pub(crate) headers: Vec<(String, String)>,
}

impl Answer {
    pub(crate) fn json(status: u16, body: Value) -> Answer {
        Answer {
            status,
            body: Some(body),
            raw: None,
            headers: Vec::new(),
        }
    }

    /// No body at all (a 204).
    pub(crate) fn empty(status: u16) -> Answer {
        Answer {
            status,
            body: None,
            raw: None,
            headers: Vec::new(),
        }
    }

    /// `body` sent exactly as it is, with these headers.
    pub(crate) fn raw(status: u16, headers: Vec<(String, String)>, body: Bytes) -> Answer {
        Answer {
            status,
            body: None,
            raw: Some(body),
            headers,
        }
    }

    /// The answer with one more header.
    pub(crate) fn with_header(mut self, name: &str, value: impl Into<String>) -> Answer {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub(crate) fn failure(failure: Failure, request_id: &str) -> Answer {
        let allow = failure.allow.clone();
        let mut error = json!({"code": failure.code, "message": failure.message});
        if let Some(details) = failure.details {
            error["details"] = details;
        }
        let answer = Answer::json(
            failure.status,
            json!({"error": error, "request_id": request_id}),
        );
        match allow {
            Some(allow) => answer.with_header("allow", allow),
            None => answer,
        }
    }
}

pub(crate) fn respond(answer: Answer, request_id: &str, truncate: bool) -> Response<MockBody> {
    let json = answer
        .body
        .as_ref()
        .map(|b| Bytes::from(serde_json::to_vec(b).unwrap_or_default()));
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    let named = |name: &str| {
        answer
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    if !named("x-request-id") {
        builder = builder.header("x-request-id", request_id);
    }
    if json.is_some() && !named("content-type") {
        builder = builder.header("content-type", "application/json");
    }
    for (name, value) in &answer.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let body = match answer.raw.or(json) {
        Some(bytes) if truncate => {
            // Declare the whole length, send half, then fail: the connection closes
            // with the body cut short.
            builder = builder.header("content-length", bytes.len());
            MockBody {
                data: Some(bytes.slice(..bytes.len() / 2)),
                cut: true,
            }
        }
        data => MockBody { data, cut: false },
    };
    builder.body(body).unwrap_or_else(|_| {
        Response::new(MockBody {
            data: None,
            cut: false,
        })
    })
}
