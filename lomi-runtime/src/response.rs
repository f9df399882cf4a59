//! What a successful call returns: the typed body, with the status, the headers and the
//! body's raw bytes, so that nothing lomi. sends is lost to a field the spec lacks.

use std::fmt;
use std::ops::{Deref, DerefMut};

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// A successful response: the typed body ([`Deref`]s to it), its status, its headers,
/// and the bytes it was decoded from.
///
/// The typed body keeps what the spec describes; a field lomi. sends before the spec
/// has it is still in [`raw_body`](ResponseValue::raw_body) and
/// [`raw_json`](ResponseValue::raw_json) (the buffer the body was read into, shared, not
/// copied).
///
/// ```no_run
/// # async fn run(client: lomi_client::Client) -> Result<(), Box<dyn std::error::Error>> {
/// let session = client.retrieve_checkout_session().session_id("cs_123").send().await?;
/// println!("{} {:?}", session.status(), session.checkout_url);
/// // A field the spec does not declare yet:
/// let raw = session.raw_json()?;
/// println!("{:?}", raw.get("line_items"));
/// let session = session.into_inner(); // the model alone
/// # let _ = session;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct ResponseValue<T> {
    inner: T,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl<T> ResponseValue<T> {
    /// A response made of its parts, e.g. in a test double.
    pub fn new(inner: T, status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        ResponseValue {
            inner,
            status,
            headers,
            body,
        }
    }

    /// The typed body.
    pub fn into_inner(self) -> T {
        self.inner
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// lomi.'s request id (`X-Request-Id`), to quote when contacting lomi. support.
    pub fn request_id(&self) -> Option<&str> {
        crate::core::request_id_str(&self.headers)
    }

    /// The body's bytes as they arrived (empty for a body-less answer such as a 204).
    pub fn raw_body(&self) -> &[u8] {
        &self.body
    }

    /// The body as untyped JSON: every field lomi. sent, declared in the spec or not.
    pub fn raw_json(&self) -> Result<serde_json::Value, serde_json::Error> {
        if self.body.is_empty() {
            return Ok(serde_json::Value::Null);
        }
        serde_json::from_slice(&self.body)
    }

    /// The typed body, with the status, headers and raw bytes.
    pub fn into_parts(self) -> (T, StatusCode, HeaderMap, Bytes) {
        (self.inner, self.status, self.headers, self.body)
    }

    /// The same response with its body turned into another value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> ResponseValue<U> {
        ResponseValue {
            inner: f(self.inner),
            status: self.status,
            headers: self.headers,
            body: self.body,
        }
    }
}

impl<T> Deref for ResponseValue<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T> DerefMut for ResponseValue<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T: fmt::Debug> fmt::Debug for ResponseValue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The typed body says it all; headers and bytes would only repeat it.
        f.debug_struct("ResponseValue")
            .field("status", &self.status)
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}
