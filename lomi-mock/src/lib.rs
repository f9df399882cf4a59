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

mod checks;
mod faults;
mod idempotency;
mod operations;
mod response;
mod routing;
mod spec;
mod store;
mod transport;
mod webhooks;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use bytes::Bytes;
use http::HeaderMap;
use serde_json::Value;
use tokio::net::TcpListener;

pub use faults::Fault;
use faults::Staged;
pub use lomi_schema::Problem;
use spec::Spec;
use store::{Kind, Store};
pub use webhooks::Delivery;
/// The body of a webhook event as lomi. sends it (`{id, event, timestamp, data,
/// lomi_environment}`), with its `id`: what the mock and `lomi webhooks send` sign and post.
pub use webhooks::payload as event_payload;

/// The spec the mock checks against unless told otherwise: the one `lomi-client` is
/// generated from (`spec/lomi.yaml`, copied into this crate by `cargo xtask generate`).
pub const LOMI_SPEC: &str = include_str!("../spec/lomi.yaml");

/// The API key the mock accepts unless told otherwise. A test key, as lomi. issues them.
pub const DEFAULT_API_KEY: &str = "lomi_sk_test_mock_0123456789";

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

#[derive(Default)]
struct State {
    store: Store,
    idempotency: idempotency::Keys,
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
        let task = tokio::spawn(transport::serve(listener, shared.clone()));
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
        let id_name = operations::id_name(spec, collection);
        self.shared
            .state()
            .store
            .insert(collection, &id_name, resource.clone());
        Ok(resource)
    }
}

/// The mock is `Send` and `Sync`: one per test, shared by the test's tasks.
const _: fn() = || {
    fn is<T: Send + Sync>() {}
    is::<MockServer>();
};
