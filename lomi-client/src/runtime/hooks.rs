//! progenitor's hooks for [`Client`]: before each call (`pre`: the key in the query,
//! the per-attempt timeout, the idempotency key) and around each attempt (`exec`: the
//! concurrency limit, body buffering, the retry loop, tracing).

use std::time::{Instant, SystemTime};

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::Method;
use reqwest::header::{ACCEPT, HeaderValue};
use tracing::Instrument;
use tracing::field::Empty;

use super::Runtime;
use super::call::{AttemptState, request_id, with_call};
use super::options::{IDEMPOTENCY_KEY, idempotency_key};
use super::retry::{Attempt, Outcome, classify, jitter, retry_after};
use crate::Client;

/// Reads the whole body (at most `limit` bytes) so that the connection is released as
/// soon as possible, and hands on an equivalent in-memory response.
async fn buffer(
    mut response: reqwest::Response,
    limit: usize,
) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    let version = response.version();
    let headers = std::mem::take(response.headers_mut());
    let body: bytes::Bytes = match response.content_length() {
        Some(declared) if declared > limit as u64 => {
            with_call(|s| s.last.too_large = Some(limit));
            bytes::Bytes::new()
        }
        // The usual case: a declared, acceptable length, read in one go.
        Some(_) => response.bytes().await?,
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
            body.into()
        }
    };
    // A second handle on the same bytes (no copy), for the error conversion.
    with_call(|s| s.last.body = body.clone());
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
        // The call's own timeout, if its builder set one, and its idempotency key.
        let (timeout, key) = with_call(|s| {
            s.timeout = s.options.timeout.unwrap_or(settings.timeout);
            (s.timeout, s.options.idempotency_key.take())
        })
        .unwrap_or((settings.timeout, None));
        *request.timeout_mut() = Some(timeout);
        // lomi. answers JSON, errors included: say so where progenitor says `*/*` (an
        // operation without a response body, such as a DELETE) or nothing.
        let headers = request.headers_mut();
        if headers.get(ACCEPT).is_none_or(|v| v == "*/*") {
            headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        }
        if let Some(name) = crate::generated::API_KEY_QUERY {
            request
                .url_mut()
                .query_pairs_mut()
                .append_pair(name, &settings.api_key);
        }
        if request.method() == Method::POST && !request.headers().contains_key(IDEMPOTENCY_KEY) {
            let key = match &key {
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
        let policy = match with_call(|s| s.options.max_retries).flatten() {
            Some(n) => settings.retry.with_max_retries(n),
            None => settings.retry,
        };
        let mut request = request;
        let mut retry = 0;
        loop {
            // A copy for the next attempt: the same body and the same idempotency key.
            let spare = if retry < policy.max_retries() {
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
                buffer(response, settings.max_response_bytes).await
            }
            .instrument(span.clone())
            .await;
            span.record("elapsed_ms", started.elapsed().as_millis() as u64);

            let (ended, asked) = match &outcome {
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
                    (Attempt::Status(status.as_u16()), asked)
                }
                Err(e) => (classify(e), None),
            };
            match (policy.decide(ended, retry, asked, jitter), spare) {
                (Outcome::Retry(delay), Some(spare)) => {
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
