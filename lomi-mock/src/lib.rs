//! A stateful mock of lomi.'s checkout-sessions API, checked against the spec, for tests
//! that must run offline.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let mock = lomi_mock::MockServer::start().await?;
//! let client = lomi_client::Client::builder(mock.api_key())
//!     .base_url(mock.url())
//!     .build()?;
//! let session = client
//!     .create_checkout_session()
//!     .body(lomi_client::types::CheckoutSessionsCreate::builder().amount(15000).currency_code("XOF"))
//!     .send()
//!     .await?;
//! mock.complete(&session.checkout_session_id.to_string())?;
//! # Ok(())
//! # }
//! ```
//!
//! What it does, as lomi. does:
//! - `POST /checkout_sessions` creates a session with a new id, `status: open`,
//!   `created_at`, `updated_at` and `expires_at`; `GET` returns it; the list honours
//!   `limit`, `offset` and `sort` and reports `total`; `PATCH` changes only the fields it
//!   is given; `DELETE` removes it, and later calls answer 404.
//! - Every request is checked against the spec (`spec/lomi.yaml` unless
//!   [`MockBuilder::spec`] says otherwise): method, path, parameter types and bounds, and
//!   the body's schema. A bad one answers 400 with lomi.'s error envelope, whose
//!   `details` array names each problem; a missing or wrong API key answers 401.
//! - Every answer is checked against the spec too: a mock that drifted from the spec
//!   answers 500 and says so, rather than teaching a test something lomi. never sends.
//! - `Idempotency-Key`: a repeat returns the original response (with
//!   `Idempotent-Replayed: true`); the same key with another request answers 409.
//! - Every response carries `X-Request-Id`.
//! - Faults on demand ([`MockServer::inject`]): an error status with `Retry-After`, a late
//!   answer, a connection dropped after the request was handled, a truncated body.

// A `Failure` is the answer itself (status, code, message, details), built once per
// failed request: boxing it would only add an allocation to the path tests exercise most.
#![allow(clippy::result_large_err)]

mod spec;
mod store;
mod webhooks;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use serde_json::{Value, json};
use tokio::net::TcpListener;

pub use lomi_schema::Problem;
use spec::{Location, Operation, Spec};
use store::{Failure, Kind, Store};
pub use webhooks::Delivery;

/// The spec the mock checks against unless told otherwise: the one `lomi-client` is
/// generated from (`spec/lomi.yaml`, copied into this crate by `cargo xtask generate`).
pub const LOMI_SPEC: &str = include_str!("../spec/lomi.yaml");

/// The API key the mock accepts unless told otherwise. A test key, as lomi. issues them.
pub const DEFAULT_API_KEY: &str = "lomi_sk_test_mock_0123456789";

/// The idempotency header.
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The longest idempotency key lomi. takes.
const MAX_IDEMPOTENCY_KEY: usize = 255;

/// Why the mock could not start.
#[derive(Debug)]
pub enum StartError {
    /// The spec cannot be read; the message names what and where.
    Spec(String),
    /// The address cannot be bound.
    Bind(std::io::Error),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Spec(e) => write!(f, "lomi-mock cannot use the spec: {e}"),
            StartError::Bind(e) => write!(f, "lomi-mock cannot listen: {e}"),
        }
    }
}

impl std::error::Error for StartError {}

/// A fault the mock stages on a coming request (see [`MockServer::inject`]).
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
struct Staged {
    fault: Fault,
    remaining: usize,
    /// Only requests of this operation (its `operationId`), or any.
    operation: Option<String>,
}

/// What [`MockServer::complete`] and [`MockServer::expire`] did: the session as it is
/// now, and the webhook event they sent about it, to await.
///
/// ```no_run
/// # async fn run(mock: lomi_mock::MockServer, id: &str) -> Result<(), Box<dyn std::error::Error>> {
/// let delivery = mock.complete(id)?.await?; // returns once the endpoint answered 2xx
/// assert!(delivery.delivered);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Transition {
    /// The session after the change.
    pub session: Value,
    delivery: Option<tokio::sync::oneshot::Receiver<Delivery>>,
}

impl Transition {
    /// Waits until the event is delivered: `Ok` with the delivery once the endpoint
    /// answered 2xx, an error saying why otherwise (no endpoint registered, an answer
    /// the mock does not retry, or every attempt failed).
    pub async fn delivered(self) -> Result<Delivery, DeliveryError> {
        let receiver = self.delivery.ok_or(DeliveryError::NoEndpoint)?;
        let delivery = receiver.await.map_err(|_| DeliveryError::Stopped)?;
        if delivery.delivered {
            Ok(delivery)
        } else {
            Err(DeliveryError::Failed(Box::new(delivery)))
        }
    }
}

impl std::future::IntoFuture for Transition {
    type Output = Result<Delivery, DeliveryError>;
    type IntoFuture = Pin<Box<dyn std::future::Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.delivered())
    }
}

/// Why a webhook event of a [`Transition`] was not delivered.
#[derive(Debug)]
#[non_exhaustive]
pub enum DeliveryError {
    /// No endpoint was registered ([`MockServer::register_webhook`]), so nothing was sent.
    NoEndpoint,
    /// The endpoint refused it (a 4xx, which is not retried) or every attempt failed;
    /// the delivery says how (`status`, `error`, `attempts`).
    Failed(Box<Delivery>),
    /// The mock stopped before the delivery ended.
    Stopped,
}

impl std::fmt::Display for DeliveryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeliveryError::NoEndpoint => f.write_str(
                "no webhook endpoint is registered: call MockServer::register_webhook first",
            ),
            DeliveryError::Failed(d) => write!(f, "webhook {d}"),
            DeliveryError::Stopped => {
                f.write_str("the mock stopped before the webhook was delivered")
            }
        }
    }
}

impl std::error::Error for DeliveryError {}

/// A request as the mock received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// `GET`, `POST`…
    pub method: String,
    /// The path, with the query string if any.
    pub target: String,
    /// The operation it matched (`createCheckoutSession`), if any.
    pub operation: Option<String>,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
    /// Which connection it came on (0, 1, …).
    pub connection: usize,
    /// The `X-Request-Id` the mock answered with.
    pub request_id: String,
    /// When its body had been read.
    pub at: Instant,
}

impl Recorded {
    /// A header's value, as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// An answer kept for an idempotency key.
#[derive(Clone, Debug)]
struct Kept {
    fingerprint: (String, String, Value),
    status: u16,
    body: Option<Value>,
}

#[derive(Default)]
struct State {
    store: Store,
    idempotency: HashMap<String, Kept>,
    faults: VecDeque<Staged>,
    requests: Vec<Recorded>,
}

struct Shared {
    spec: Spec,
    /// `http://127.0.0.1:PORT`: where the mock's hosted payment pages are.
    origin: String,
    api_key: String,
    state: Mutex<State>,
    connections: AtomicUsize,
    open: AtomicUsize,
    max_open: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    /// Where webhook events go, once a test registers an endpoint.
    webhook: Mutex<Option<webhooks::Endpoint>>,
    /// Every event sent.
    deliveries: Arc<Mutex<Vec<Delivery>>>,
    /// The runtime the mock was started on, which sends the events.
    runtime: tokio::runtime::Handle,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// How to start a [`MockServer`].
#[derive(Debug, Clone)]
pub struct MockBuilder {
    spec: Option<String>,
    api_key: String,
    port: u16,
}

impl Default for MockBuilder {
    fn default() -> Self {
        MockBuilder {
            spec: None,
            api_key: DEFAULT_API_KEY.into(),
            port: 0,
        }
    }
}

impl MockBuilder {
    /// Checks requests against this OpenAPI 3.0 document (YAML or JSON) rather than
    /// lomi.'s.
    pub fn spec(mut self, text: impl Into<String>) -> Self {
        self.spec = Some(text.into());
        self
    }

    /// The API key requests must carry.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = key.into();
        self
    }

    /// The port on 127.0.0.1 (0, the default, takes a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Starts the mock on a task of the current Tokio runtime.
    pub async fn start(self) -> Result<MockServer, StartError> {
        let spec =
            Spec::parse(self.spec.as_deref().unwrap_or(LOMI_SPEC)).map_err(StartError::Spec)?;
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], self.port)))
            .await
            .map_err(StartError::Bind)?;
        let addr = listener.local_addr().map_err(StartError::Bind)?;
        let shared = Arc::new(Shared {
            spec,
            origin: format!("http://{addr}"),
            api_key: self.api_key,
            state: Mutex::new(State::default()),
            connections: AtomicUsize::new(0),
            open: AtomicUsize::new(0),
            max_open: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            webhook: Mutex::new(None),
            deliveries: Arc::new(Mutex::new(Vec::new())),
            runtime: tokio::runtime::Handle::current(),
        });
        let task = tokio::spawn(serve(listener, shared.clone()));
        Ok(MockServer { addr, shared, task })
    }
}

/// A running mock. It stops when dropped.
pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("url", &self.url())
            .finish()
    }
}

impl MockServer {
    /// Starts a mock of lomi.'s spec on a free port of 127.0.0.1.
    pub async fn start() -> Result<MockServer, StartError> {
        MockBuilder::default().start().await
    }

    /// How to start one otherwise.
    pub fn builder() -> MockBuilder {
        MockBuilder::default()
    }

    /// The base URL to give a client: `http://127.0.0.1:PORT/v1`.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.addr, self.shared.spec.base_path)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The API key it accepts.
    pub fn api_key(&self) -> &str {
        &self.shared.api_key
    }

    /// Stages `fault` on the next `times` requests.
    pub fn inject(&self, fault: Fault, times: usize) {
        self.shared.state().faults.push_back(Staged {
            fault,
            remaining: times,
            operation: None,
        });
    }

    /// Stages `fault` on the next `times` requests of one operation (its `operationId`,
    /// e.g. `createCheckoutSession`).
    pub fn inject_on(&self, operation: &str, fault: Fault, times: usize) {
        self.shared.state().faults.push_back(Staged {
            fault,
            remaining: times,
            operation: Some(operation.to_string()),
        });
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.state().requests.clone()
    }

    /// The stored resources of a collection (`checkout_sessions`), in creation order.
    pub fn resources(&self, collection: &str) -> Vec<Value> {
        self.shared.state().store.all(collection).to_vec()
    }

    /// The stored checkout sessions, in creation order.
    pub fn sessions(&self) -> Vec<Value> {
        self.resources("checkout_sessions")
    }

    /// Moves an open session to `completed`, as a payment would.
    ///
    /// With a [webhook endpoint](MockServer::register_webhook), it then sends
    /// `CHECKOUT_COMPLETED` with the session as `data`, signed. Await the returned
    /// [`Transition`] to wait until that event is delivered (or its delivery failed,
    /// with why): `mock.complete(&id)?.await?`; no test needs to poll.
    pub fn complete(&self, id: &str) -> Result<Transition, String> {
        self.finish(id, "completed", webhooks::COMPLETED)
    }

    /// Moves an open session to `expired`, as time would; await the result as for
    /// [`complete`](MockServer::complete).
    ///
    /// With a webhook endpoint, it then sends `CHECKOUT_EXPIRED` (a name lomi.'s document
    /// does not list: a client decodes it as `EventType::Unknown`).
    pub fn expire(&self, id: &str) -> Result<Transition, String> {
        self.finish(id, "expired", webhooks::EXPIRED)
    }

    /// Moves an open session to `status`, then sends `event` about it.
    fn finish(&self, id: &str, status: &str, event: &str) -> Result<Transition, String> {
        let session = self
            .shared
            .state()
            .store
            .transition(id, "status", "open", status)?;
        let delivery = self.send_event(event, &session);
        Ok(Transition { session, delivery })
    }

    /// Sends the events of later [`complete`](MockServer::complete) and
    /// [`expire`](MockServer::expire) calls to `url`, signed with `secret` as lomi.
    /// signs them, retried as lomi. retries them (a 5xx answer or a network failure, 5
    /// attempts in all).
    pub fn register_webhook(&self, url: impl Into<String>, secret: impl Into<String>) {
        *self
            .shared
            .webhook
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(webhooks::Endpoint {
            url: url.into(),
            secret: secret.into(),
        });
    }

    /// Every webhook event sent so far, with how its delivery went.
    pub fn webhook_deliveries(&self) -> Vec<Delivery> {
        self.shared
            .deliveries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn send_event(
        &self,
        event: &str,
        data: &Value,
    ) -> Option<tokio::sync::oneshot::Receiver<Delivery>> {
        let endpoint = self
            .shared
            .webhook
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let endpoint = endpoint?;
        let (id, body) = webhooks::payload(event, data);
        let delivery = Delivery {
            id,
            event: event.to_string(),
            signature: webhooks::sign(&body, &endpoint.secret),
            body,
            attempts: 0,
            status: None,
            delivered: false,
            error: None,
        };
        let (done, delivered) = tokio::sync::oneshot::channel();
        webhooks::send(
            &self.shared.runtime,
            endpoint,
            delivery,
            self.shared.deliveries.clone(),
            done,
        );
        Some(delivered)
    }

    /// How many connections were opened so far.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// How many connections are open now.
    pub fn open_connections(&self) -> usize {
        self.shared.open.load(Ordering::SeqCst)
    }

    /// The most connections that were open at once.
    pub fn max_open_connections(&self) -> usize {
        self.shared.max_open.load(Ordering::SeqCst)
    }

    /// The most requests that were being answered at once.
    pub fn max_requests_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }

    /// Stores a checkout session as it is (it must match the spec's schema), for a test
    /// that needs one with given fields. Returns it.
    pub fn insert_session(&self, session: Value) -> Result<Value, String> {
        self.insert("checkout_sessions", session)
    }

    /// Stores a resource of `collection` as it is; it must match what the spec says a
    /// retrieve of it answers.
    pub fn insert(&self, collection: &str, resource: Value) -> Result<Value, String> {
        let spec = &self.shared.spec;
        let retrieve = spec
            .operations
            .iter()
            .find(|op| Kind::of(op) == Some(Kind::Retrieve) && store::collection(op) == collection)
            .ok_or_else(|| format!("the spec has no retrieve of /{collection}"))?;
        let schema = retrieve
            .response(200)
            .ok_or_else(|| format!("{} documents no JSON 200 answer", retrieve.id))?;
        let problems = schema.check(&resource, "body", "");
        if !problems.is_empty() {
            let list: Vec<String> = problems
                .iter()
                .map(|p| format!("{}: {}", p.field, p.message))
                .collect();
            return Err(format!(
                "this is not what {} answers: {}",
                retrieve.id,
                list.join("; ")
            ));
        }
        let id_name = id_name(spec, collection);
        self.shared
            .state()
            .store
            .insert(collection, &id_name, resource.clone());
        Ok(resource)
    }
}

async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let connection = shared.connections.fetch_add(1, Ordering::SeqCst);
        let open = shared.open.fetch_add(1, Ordering::SeqCst) + 1;
        shared.max_open.fetch_max(open, Ordering::SeqCst);
        let shared = shared.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn({
                let shared = shared.clone();
                move |request| {
                    let shared = shared.clone();
                    async move {
                        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                        shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
                        let answered = answer(shared.clone(), connection, request).await;
                        shared.in_flight.fetch_sub(1, Ordering::SeqCst);
                        answered
                    }
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
            shared.open.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// The body of an answer: whole, or cut short.
struct MockBody {
    data: Option<Bytes>,
    /// Fail after the data: the connection is closed mid-body.
    cut: bool,
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

/// What went wrong with a connection on purpose.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("lomi-mock dropped the connection, as a fault asked")
    }
}

impl std::error::Error for Dropped {}

/// An answer before it is sent.
struct Answer {
    status: u16,
    body: Option<Value>,
    headers: Vec<(&'static str, String)>,
}

impl Answer {
    fn json(status: u16, body: Value) -> Answer {
        Answer {
            status,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    fn failure(failure: Failure, request_id: &str) -> Answer {
        let allow = failure.allow.clone();
        let mut error = json!({"code": failure.code, "message": failure.message});
        if let Some(details) = failure.details {
            error["details"] = details;
        }
        let mut answer = Answer::json(
            failure.status,
            json!({"error": error, "request_id": request_id}),
        );
        if let Some(allow) = allow {
            answer.headers.push(("allow", allow));
        }
        answer
    }
}

async fn answer(
    shared: Arc<Shared>,
    connection: usize,
    request: Request<Incoming>,
) -> Result<Response<MockBody>, Dropped> {
    let (head, body) = request.into_parts();
    // A body that cannot be read is a connection problem: nothing to answer.
    let body = body.collect().await.map_err(|_| Dropped)?.to_bytes();
    let request_id = format!("req_{}", uuid::Uuid::new_v4().simple());
    let target = head
        .uri
        .path_and_query()
        .map_or_else(|| head.uri.path().to_string(), |p| p.as_str().to_string());
    let routed = route(&shared.spec, &head.method, head.uri.path());
    let operation = routed.as_ref().ok().map(|(op, _)| op.id.clone());

    // Record the request and take the fault staged for it, in one lock.
    let fault = {
        let mut state = shared.state();
        state.requests.push(Recorded {
            method: head.method.to_string(),
            target,
            operation: operation.clone(),
            headers: head.headers.clone(),
            body: body.clone(),
            connection,
            request_id: request_id.clone(),
            at: Instant::now(),
        });
        take_fault(&mut state.faults, operation.as_deref())
    };

    let answer = match &fault {
        Some(Fault::Respond {
            status,
            headers,
            body,
        }) => {
            let mut builder = Response::builder()
                .status(StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
            // The fault's own request id, if it gives one, replaces the mock's.
            if !headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("x-request-id"))
            {
                builder = builder.header("x-request-id", &request_id);
            }
            for (name, value) in headers {
                builder = builder.header(name.as_str(), value.as_str());
            }
            let body = MockBody {
                data: Some(body.clone()),
                cut: false,
            };
            return builder.body(body).map_err(|_| Dropped);
        }
        Some(Fault::Status(status)) => staged_status(*status, None, &request_id),
        Some(Fault::StatusRetryAfter(status, seconds)) => {
            staged_status(*status, Some(*seconds), &request_id)
        }
        _ => match routed {
            Err(failure) => Answer::failure(failure, &request_id),
            Ok((op, path_params)) => handle(&shared, op, path_params, &head, &body, &request_id),
        },
    };

    match fault {
        Some(Fault::Drop) => return Err(Dropped),
        Some(Fault::Delay(delay)) => tokio::time::sleep(delay).await,
        _ => {}
    }
    Ok(respond(answer, &request_id, fault == Some(Fault::Truncate)))
}

fn take_fault(faults: &mut VecDeque<Staged>, operation: Option<&str>) -> Option<Fault> {
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
fn code_for(status: u16) -> &'static str {
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

fn staged_status(status: u16, retry_after: Option<u64>, request_id: &str) -> Answer {
    let mut failure = Failure::new(
        status,
        code_for(status),
        format!("lomi-mock answered {status}, as a fault asked"),
    );
    if let (429, Some(seconds)) = (status, retry_after) {
        failure.details = Some(json!({"retry_after_seconds": seconds}));
    }
    let mut answer = Answer::failure(failure, request_id);
    if let Some(seconds) = retry_after {
        answer.headers.push(("retry-after", seconds.to_string()));
    }
    answer
}

fn respond(answer: Answer, request_id: &str, truncate: bool) -> Response<MockBody> {
    let bytes = answer
        .body
        .as_ref()
        .map(|b| Bytes::from(serde_json::to_vec(b).unwrap_or_default()));
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("x-request-id", request_id);
    if bytes.is_some() {
        builder = builder.header("content-type", "application/json");
    }
    for (name, value) in &answer.headers {
        builder = builder.header(*name, value);
    }
    let body = match bytes {
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

/// The values of a path's parameters, by name, decoded.
type PathParams = Vec<(String, String)>;

/// The operation `path` and `method` name, with the path's parameters.
fn route<'a>(
    spec: &'a Spec,
    method: &Method,
    path: &str,
) -> Result<(&'a Operation, PathParams), Failure> {
    let relative = path
        .strip_prefix(spec.base_path.as_str())
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
        .ok_or_else(|| {
            Failure::new(
                404,
                "not_found",
                format!("{path} is not under the API's base path {}", spec.base_path),
            )
        })?;
    let segments: Vec<&str> = relative.trim_matches('/').split('/').collect();
    let mut allowed = Vec::new();
    for op in &spec.operations {
        if let Some(params) = op.matches(&segments) {
            if op.method == method.as_str() {
                return Ok((op, params));
            }
            allowed.push(op.method.clone());
        }
    }
    if allowed.is_empty() {
        Err(Failure::new(
            404,
            "not_found",
            format!("the API has no path {relative}"),
        ))
    } else {
        let mut failure = Failure::new(
            405,
            "method_not_allowed",
            format!("{relative} takes {}, not {method}", allowed.join(", ")),
        );
        failure.allow = Some(allowed.join(", "));
        Err(failure)
    }
}

/// Checks the request against the operation, then does what the operation does.
fn handle(
    shared: &Shared,
    op: &Operation,
    path_params: PathParams,
    head: &http::request::Parts,
    body: &Bytes,
    request_id: &str,
) -> Answer {
    let fail = |failure: Failure| Answer::failure(failure, request_id);
    if op.secured
        && let Some(header) = &shared.spec.api_key_header
    {
        match head.headers.get(header.as_str()).map(HeaderValue::to_str) {
            None => {
                return fail(Failure::new(
                    401,
                    "unauthorized",
                    format!("Missing API key: send it in the {header} header"),
                ));
            }
            Some(Ok(key)) if key == shared.api_key => {}
            Some(_) => return fail(Failure::new(401, "unauthorized", "Invalid API key")),
        }
    }
    let params = match parameters(op, &path_params, head) {
        Ok(params) => params,
        Err(problems) => return fail(Failure::validation(&problems)),
    };
    let body = match request_body(op, head, body) {
        // lomi.'s validation strips the keys it does not know; so does the mock.
        Ok(body) => body.map(|body| declared_only(&shared.spec, op, body)),
        Err(failure) => return fail(failure),
    };

    // Idempotency: a POST with a key it has seen replays, or conflicts.
    let key = if op.method == "POST" {
        match idempotency_key(&head.headers) {
            Ok(key) => key,
            Err(failure) => return fail(failure),
        }
    } else {
        None
    };
    let fingerprint = (
        op.id.clone(),
        head.uri.path().to_string(),
        body.clone().unwrap_or(Value::Null),
    );
    let mut state = shared.state();
    if let Some(key) = &key
        && let Some(kept) = state.idempotency.get(key)
    {
        if kept.fingerprint != fingerprint {
            return fail(Failure::new(
                409,
                "conflict",
                "This Idempotency-Key was used with a different request",
            ));
        }
        let mut answer = Answer {
            status: kept.status,
            body: kept.body.clone(),
            headers: vec![("idempotent-replayed", "true".into())],
        };
        rewrite_request_id(&mut answer, request_id);
        return answer;
    }

    let answer = match perform(shared, &mut state.store, op, &params, body.as_ref()) {
        Ok(answer) => answer,
        Err(failure) => fail(failure),
    };
    let answer = check_answer(op, answer, request_id);
    if let Some(key) = key
        && answer.status < 500
    {
        state.idempotency.insert(
            key,
            Kept {
                fingerprint,
                status: answer.status,
                body: answer.body.clone(),
            },
        );
    }
    answer
}

/// A replayed error keeps its body but names this request.
fn rewrite_request_id(answer: &mut Answer, request_id: &str) {
    if let Some(Value::Object(body)) = &mut answer.body
        && body.contains_key("request_id")
    {
        body.insert("request_id".into(), Value::String(request_id.into()));
    }
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Failure> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let problem = |message: &str| {
        Failure::validation(&[Problem {
            location: "header",
            field: "Idempotency-Key".into(),
            pointer: String::new(),
            message: message.into(),
        }])
    };
    let key = value
        .to_str()
        .map_err(|_| problem("must be visible ASCII"))?
        .trim();
    if key.is_empty() {
        return Err(problem("must not be empty"));
    }
    if key.len() > MAX_IDEMPOTENCY_KEY {
        return Err(problem(&format!(
            "must be at most {MAX_IDEMPOTENCY_KEY} characters, got {}",
            key.len()
        )));
    }
    Ok(Some(key.to_string()))
}

/// The operation's parameters, parsed and checked, by name.
fn parameters(
    op: &Operation,
    path_params: &[(String, String)],
    head: &http::request::Parts,
) -> Result<HashMap<String, Value>, Vec<Problem>> {
    let query: Vec<(String, String)> = head
        .uri
        .query()
        .map(|q| {
            q.split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    (form_decode(k), form_decode(v))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut values = HashMap::new();
    let mut problems = Vec::new();
    for p in &op.parameters {
        let raw: Option<String> = match p.location {
            Location::Path => path_params
                .iter()
                .find(|(name, _)| *name == p.name)
                .map(|(_, v)| v.clone()),
            Location::Query => {
                let mut given = query.iter().filter(|(k, _)| *k == p.name);
                let first = given.next().map(|(_, v)| v.clone());
                if given.next().is_some() {
                    problems.push(Problem {
                        location: "query",
                        field: p.name.clone(),
                        pointer: String::new(),
                        message: "is given more than once".into(),
                    });
                }
                first
            }
            Location::Header => head
                .headers
                .get(p.name.as_str())
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        };
        let value = match raw {
            Some(raw) => match p.parse(&raw) {
                Ok(value) => value,
                Err(message) => {
                    problems.push(Problem {
                        location: p.location.name(),
                        field: p.name.clone(),
                        pointer: String::new(),
                        message,
                    });
                    continue;
                }
            },
            None if p.required => {
                problems.push(Problem {
                    location: p.location.name(),
                    field: p.name.clone(),
                    pointer: String::new(),
                    message: "is required".into(),
                });
                continue;
            }
            None => match p.default() {
                Some(default) => {
                    values.insert(p.name.clone(), default.clone());
                    continue;
                }
                None => continue,
            },
        };
        let found = p.schema.check(&value, p.location.name(), &p.name);
        if found.is_empty() {
            values.insert(p.name.clone(), value);
        }
        problems.extend(found);
    }
    if problems.is_empty() {
        Ok(values)
    } else {
        Err(problems)
    }
}

/// `application/x-www-form-urlencoded` decoding of a query's key or value.
fn form_decode(text: &str) -> String {
    spec::percent_decode(&text.replace('+', " "))
}

/// The request's JSON body, checked against the operation's schema.
fn request_body(
    op: &Operation,
    head: &http::request::Parts,
    body: &Bytes,
) -> Result<Option<Value>, Failure> {
    let Some((schema, required)) = &op.body else {
        return Ok(None);
    };
    let problem = |message: String| {
        Failure::validation(&[Problem {
            location: "body",
            field: String::new(),
            pointer: String::new(),
            message,
        }])
    };
    if body.is_empty() {
        return if *required {
            Err(problem("a JSON body is required".into()))
        } else {
            Ok(None)
        };
    }
    let content_type = head
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim();
    if !(media.eq_ignore_ascii_case("application/json") || media.ends_with("+json")) {
        return Err(problem(format!(
            "the body must be application/json, not {:?}",
            content_type
        )));
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| problem(format!("the body is not valid JSON: {e}")))?;
    let problems = schema.check(&value, "body", "");
    if problems.is_empty() {
        Ok(Some(value))
    } else {
        Err(Failure::validation(&problems))
    }
}

/// `body` without the properties the operation's body schema does not declare (when it
/// lists its properties and leaves `additionalProperties` unsaid or `false`).
fn declared_only(spec: &Spec, op: &Operation, body: Value) -> Value {
    let Some((schema, _)) = &op.body else {
        return body;
    };
    let schema = store::follow(spec, &schema.source);
    let open = schema
        .get("additionalProperties")
        .is_some_and(|a| a != &Value::Bool(false));
    let (Some(declared), false, Value::Object(mut fields)) = (
        schema.get("properties").and_then(Value::as_object),
        open,
        body.clone(),
    ) else {
        return body;
    };
    fields.retain(|name, _| declared.contains_key(name));
    Value::Object(fields)
}

/// Does what the operation does to the store.
fn perform(
    shared: &Shared,
    store: &mut Store,
    op: &Operation,
    params: &HashMap<String, Value>,
    body: Option<&Value>,
) -> Result<Answer, Failure> {
    let Some(kind) = Kind::of(op) else {
        return Err(Failure::new(
            501,
            "not_implemented",
            format!(
                "lomi-mock checks {} {} but does not implement it",
                op.method, op.path
            ),
        ));
    };
    let spec = &shared.spec;
    let collection = store::collection(op);
    let success = op.success_status().unwrap_or(200);
    let item = op
        .response(success)
        .map(|s| store::item_schema(spec, &s.source))
        .unwrap_or(Value::Null);
    let id_name = id_name(spec, &collection);
    let id = || {
        let name = op
            .segments
            .last()
            .map(|s| s.trim_matches(|c| c == '{' || c == '}'))
            .unwrap_or_default();
        params
            .get(name)
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .unwrap_or_default()
    };
    let empty = Value::Object(Default::default());
    match kind {
        Kind::List => {
            let count = |name: &str, fallback: usize| {
                params
                    .get(name)
                    .and_then(Value::as_u64)
                    .map_or(fallback, |n| n as usize)
            };
            let (limit, offset) = (count("limit", 20), count("offset", 0));
            let all = store.all(&collection);
            let sort = params.get("sort").and_then(Value::as_str);
            let data = store::page(all, &item, limit, offset, sort)?;
            let response = op.response(success).map(|s| &s.source);
            Ok(Answer::json(
                success,
                store::envelope(response, spec, data, limit, offset, all.len()),
            ))
        }
        Kind::Create => Ok(Answer::json(
            success,
            store.create(
                spec,
                &collection,
                &item,
                body.unwrap_or(&empty),
                &shared.origin,
            )?,
        )),
        Kind::Retrieve => Ok(Answer::json(
            success,
            store.get(&collection, &id_name, &id())?,
        )),
        Kind::Update => Ok(Answer::json(
            success,
            store.update(&collection, &id_name, &id(), body.unwrap_or(&empty))?,
        )),
        Kind::Delete => {
            store.delete(&collection, &id_name, &id())?;
            Ok(if success == 204 {
                Answer {
                    status: 204,
                    body: None,
                    headers: Vec::new(),
                }
            } else {
                Answer::json(success, json!({"deleted": true}))
            })
        }
    }
}

/// The property that identifies a resource of `collection`, from the schema of what its
/// operations answer (a delete answers nothing, a retrieve the resource).
fn id_name(spec: &Spec, collection: &str) -> String {
    let item = spec
        .operations
        .iter()
        .filter(|op| store::collection(op) == collection)
        .filter_map(|op| op.response(op.success_status()?))
        .map(|schema| store::item_schema(spec, &schema.source))
        .find(|item| item.get("properties").is_some())
        .unwrap_or(Value::Null);
    store::id_field(&item, collection)
}

/// The mock's own answer, checked against what the spec documents for it: an answer the
/// spec does not describe becomes a 500 that says so.
fn check_answer(op: &Operation, answer: Answer, request_id: &str) -> Answer {
    let (Some(schema), Some(body)) = (op.response(answer.status), &answer.body) else {
        return answer;
    };
    let problems = schema.check(body, "body", "");
    if problems.is_empty() {
        return answer;
    }
    let mut failure = Failure::validation(&problems);
    failure.status = 500;
    failure.code = "internal_error";
    failure.message = format!(
        "lomi-mock's own {} answer to {} does not match the spec",
        answer.status, op.id
    );
    Answer::failure(failure, request_id)
}

/// The mock is `Send` and `Sync`: one per test, shared by the test's tasks.
const _: fn() = || {
    fn is<T: Send + Sync>() {}
    is::<MockServer>();
};
