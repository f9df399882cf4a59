//! The escape hatch: any request, with everything a generated call gets (the key, the
//! base URL, retries, the idempotency key of a POST, timeouts, tracing, typed errors),
//! for an endpoint or a field lomi. serves before the spec has it.

use std::time::Duration;

use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use tracing::Instrument;

use crate::core::{CallOptions, Core, Operation, execute};
use crate::{Error, InvalidInput, ResponseValue};

/// What the escape hatch's errors and traces name as the operation.
const OPERATION: &str = "request";

impl Core {
    /// A request to any path of the API; a generated client's `request` calls it (see
    /// [`RawRequest`]).
    pub fn request(&self, method: Method, path: impl Into<String>) -> RawRequest<'_> {
        RawRequest {
            core: self,
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            options: CallOptions::default(),
        }
    }
}

/// A request built with a client's `request(method, path)`: a request to any path of
/// the API, for what the spec does not describe yet: the
/// client's key, base URL, retries, timeouts, tracing and typed errors apply, and a
/// `POST` carries an `Idempotency-Key` (a random one, or
/// [`RawRequest::idempotency_key`]) reused on its retries.
///
/// `path` is relative to the base URL (`/checkout_sessions`, with `/v1` in the base
/// URL) and may carry a query string; a full URL is refused, so the key never
/// leaves for another host. The answer is the status, the headers and the body as
/// JSON (`null` when empty).
///
/// ```no_run
/// # async fn run(client: lomi_client::Client) -> Result<(), lomi_client::Error> {
/// use lomi_client::{Method, json};
///
/// let created = client
///     .request(Method::POST, "/checkout_sessions")
///     .json(json!({
///         "currency_code": "XOF",
///         "line_items": [{"price_id": "price_123", "quantity": 2}],
///     }))
///     .idempotency_key("order-1042")
///     .send()
///     .await?;
/// println!("{} {}", created.status(), created["checkout_url"]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct RawRequest<'a> {
    core: &'a Core,
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Result<Vec<u8>, String>>,
    options: CallOptions,
}

impl RawRequest<'_> {
    /// Adds a query parameter (percent-encoded as it is sent).
    pub fn query(mut self, name: impl Into<String>, value: impl ToString) -> Self {
        self.query.push((name.into(), value.to_string()));
        self
    }

    /// Adds a header. The API key's header is the client's own and cannot be changed here.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The JSON body: a `json!` value, a model, anything `Serialize`.
    pub fn json(mut self, body: impl serde::Serialize) -> Self {
        self.body = Some(serde_json::to_vec(&body).map_err(|e| e.to_string()));
        self
    }

    /// Time allowed for each attempt (the client's `timeout` otherwise).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// How many times this call is retried on a transient failure (0: never).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.options.max_retries = Some(retries);
        self
    }

    /// The `Idempotency-Key` of a POST (a random one otherwise), kept on its retries.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.options.idempotency_key = Some(key.into());
        self
    }

    /// Sends the request. A 2xx answer is returned with its body as JSON; an error
    /// status is an [`Error::Api`] read from lomi.'s error envelope, as for any call.
    pub async fn send(self) -> Result<ResponseValue<serde_json::Value>, Error> {
        let operation = Operation {
            id: OPERATION,
            method: OPERATION,
            http_method: static_method(&self.method),
            path: "*",
        };
        let invalid = |parameter: &str, message: String| {
            Error::InvalidInput(InvalidInput {
                operation: OPERATION,
                parameter: Some(parameter.to_string()),
                message,
            })
        };
        let url = url(self.core.baseurl(), &self.path).map_err(|m| invalid("path", m))?;
        let body = match self.body {
            Some(Ok(bytes)) => Some(bytes),
            Some(Err(e)) => return Err(invalid("body", format!("cannot be written as JSON: {e}"))),
            None => None,
        };
        let mut headers = reqwest::header::HeaderMap::new();
        for (name, value) in &self.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| invalid(name, "is not a valid header name".into()))?;
            if self
                .core
                .settings
                .info
                .key_header
                .is_some_and(|key| name.as_str().eq_ignore_ascii_case(key))
            {
                return Err(invalid(
                    name.as_str(),
                    "is the client's API key header; build another client to use another key"
                        .into(),
                ));
            }
            let value = HeaderValue::from_str(value).map_err(|_| {
                invalid(
                    name.as_str(),
                    "has a value that is not visible ASCII".into(),
                )
            })?;
            headers.append(name, value);
        }
        let core = self.core;
        let mut builder = core
            .http
            .request(self.method, url)
            .query(&self.query)
            .headers(headers);
        if let Some(body) = body {
            builder = builder
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(body);
        }
        let span = tracing::info_span!("lomi.raw", path = self.path.as_str());
        let response = execute(core, builder, &operation, self.options)
            .instrument(span)
            .await?;
        if response.status().is_success() {
            response.any_json(&operation)
        } else {
            let reason = format!("a {} answer is not a success", response.status());
            Err(response.decode_error(&operation, reason))
        }
    }
}

/// `path` joined to the base URL; refused when it would leave the API.
fn url(base: &str, path: &str) -> Result<String, String> {
    if !path.starts_with('/') || path.starts_with("//") {
        return Err(format!(
            "{path:?} must be a path relative to the base URL, starting with one `/` \
             (e.g. \"/checkout_sessions\")"
        ));
    }
    if path.chars().any(|c| c.is_control() || c == ' ') {
        return Err(format!(
            "{path:?} has spaces or control characters: percent-encode them"
        ));
    }
    let (route, _) = path.split_once(['?', '#']).unwrap_or((path, ""));
    if route
        .split('/')
        .any(|segment| segment == "." || segment == "..")
    {
        return Err(format!(
            "{path:?} has a `.` or `..` segment, which would leave the API"
        ));
    }
    Ok(format!("{}{path}", base.trim_end_matches('/')))
}

/// The method's name for traces (which take static text).
fn static_method(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

#[cfg(test)]
mod tests {
    use super::url;

    #[test]
    fn paths_stay_inside_the_api() {
        assert_eq!(
            url("https://api.test/v1/", "/checkout_sessions?limit=1").unwrap(),
            "https://api.test/v1/checkout_sessions?limit=1"
        );
        for bad in [
            "checkout_sessions",
            "https://evil.test/x",
            "//evil.test/x",
            "/a/../../x",
            "/a b",
            "",
        ] {
            assert!(url("https://api.test/v1", bad).is_err(), "{bad}");
        }
    }
}
