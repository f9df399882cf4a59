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
//! - Payments, as lomi.'s hosted page makes them: [`MockServer::complete`] (the session
//!   becomes `completed`; `PAYMENT_SUCCEEDED` then `CHECKOUT_COMPLETED` are sent),
//!   [`MockServer::fail`] (`PAYMENT_FAILED`; the session stays open) and
//!   [`MockServer::expire`] (no event: lomi. sends none). Events are signed as lomi. signs
//!   them and POSTed to the [registered endpoint](MockServer::register_webhook).
//! - The hosted payment page itself, at each session's `checkout_url`
//!   (`/checkout/<id>`): amount, currency and title, with Pay, Fail and Cancel buttons
//!   (a plain form: no JavaScript), redirecting to `success_url` or `cancel_url`. The same
//!   changes for a program are control endpoints under [`CONTROL_PREFIX`] (`POST
//!   /_lomi/checkout_sessions/{id}/complete`, `…/fail`, `…/expire`, `GET
//!   /_lomi/deliveries`, `POST /_lomi/deliveries/{id}/resend`). Neither needs an API
//!   key.
//! - It bounds what it keeps: a request body above [`DEFAULT_MAX_BODY`] is answered 413
//!   and not read further; [`MockServer::requests`] keeps the last [`MAX_RECORDED`];
//!   each collection and the idempotency keys keep at most [`DEFAULT_MAX_RESOURCES`]
//!   ([`MockBuilder::max_resources`]; the oldest ended resources go first, and an
//!   evicted session answers 404), the deliveries [`DEFAULT_MAX_DELIVERIES`]
//!   ([`MockBuilder::max_deliveries`]).

// A `Failure` is the answer itself (status, code, message, details), built once per
// failed request: boxing it would only add an allocation to the path tests exercise most.
#![allow(clippy::result_large_err)]
#![deny(missing_docs)]

mod checks;
mod faults;
mod idempotency;
mod lifecycle;
mod operations;
mod response;
mod routing;
mod site;
mod spec;
mod store;
mod transport;
mod webhooks;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use bytes::Bytes;
use http::HeaderMap;
use serde_json::Value;
use tokio::net::TcpListener;

pub use faults::Fault;
use faults::Staged;
pub use lifecycle::{DeliveryError, Transition};
pub use lomi_schema::Problem;
pub use site::{CONTROL_PREFIX, DeliveryReport, TransitionReport};
use spec::Spec;
use store::{Kind, Store};
pub use webhooks::Delivery;
/// The body of a webhook event as lomi. sends it (`{id, event, timestamp, data,
/// lomi_environment}`), with its `id`: what the mock and `lomi webhooks send` sign and post.
pub use webhooks::payload as event_payload;

/// The spec the mock checks against unless told otherwise: the one `lomi-client` is
/// generated from (`spec/lomi.yaml`, copied into this crate by `cargo xtask generate`).
pub const LOMI_SPEC: &str = include_str!("../spec/lomi.yaml");

/// lomi.'s current API (its June 2026 document, with lomi-rs's overlay), which `lomi-sdk`
/// is generated from and lomi.'s servers route: serve it with
/// `MockServer::builder().spec(lomi_mock::CURRENT_SPEC)`.
pub const CURRENT_SPEC: &str = include_str!("../spec/current.yaml");

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

struct State {
    store: Store,
    idempotency: idempotency::Keys,
    faults: VecDeque<Staged>,
    /// The last [`MAX_RECORDED`] requests.
    requests: VecDeque<Recorded>,
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
    /// Told of each delivery as it ends.
    on_delivery: Option<webhooks::OnDelivery>,
    /// The largest request body the mock reads.
    max_body: usize,
    /// How many deliveries `deliveries` keeps.
    max_deliveries: usize,
    /// The runtime the mock was started on, which sends the events.
    runtime: tokio::runtime::Handle,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The largest request body the mock reads unless told otherwise (1 MiB): a larger one
/// is answered 413, and neither stored nor recorded.
pub const DEFAULT_MAX_BODY: usize = 1 << 20;

/// How many requests [`MockServer::requests`] keeps: the oldest are forgotten first, so a
/// mock left running for days holds a bounded log.
pub const MAX_RECORDED: usize = 10_000;

/// How many resources of each collection (checkout sessions, customers…) the mock keeps
/// unless told otherwise ([`MockBuilder::max_resources`]), and how many idempotency keys.
/// Past it, the oldest that have ended (a session no longer open) go first, then the
/// oldest; an evicted resource answers 404, as lomi. does for what it no longer has.
pub const DEFAULT_MAX_RESOURCES: usize = 10_000;

/// How many webhook deliveries the mock keeps unless told otherwise
/// ([`MockBuilder::max_deliveries`]): the oldest are forgotten first.
pub const DEFAULT_MAX_DELIVERIES: usize = 10_000;

/// How to start a [`MockServer`].
#[derive(Clone)]
pub struct MockBuilder {
    spec: Option<String>,
    api_key: String,
    port: u16,
    on_delivery: Option<webhooks::OnDelivery>,
    max_body: usize,
    max_resources: usize,
    max_deliveries: usize,
}

impl std::fmt::Debug for MockBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockBuilder")
            .field("spec", &self.spec.as_ref().map(|_| ".."))
            .field("api_key", &self.api_key)
            .field("port", &self.port)
            .field("on_delivery", &self.on_delivery.is_some())
            .field("max_body", &self.max_body)
            .field("max_resources", &self.max_resources)
            .field("max_deliveries", &self.max_deliveries)
            .finish()
    }
}

impl Default for MockBuilder {
    fn default() -> Self {
        MockBuilder {
            spec: None,
            api_key: DEFAULT_API_KEY.into(),
            port: 0,
            on_delivery: None,
            max_body: DEFAULT_MAX_BODY,
            max_resources: DEFAULT_MAX_RESOURCES,
            max_deliveries: DEFAULT_MAX_DELIVERIES,
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

    /// Calls `callback` with each webhook delivery once it has ended (delivered, refused
    /// or given up on), on the mock's runtime: e.g. to print it, as `lomi mock` does.
    pub fn on_delivery(mut self, callback: impl Fn(&Delivery) + Send + Sync + 'static) -> Self {
        self.on_delivery = Some(std::sync::Arc::new(callback));
        self
    }

    /// The largest request body the mock reads (default [`DEFAULT_MAX_BODY`]); a larger
    /// one is answered 413 `payload_too_large`.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// How many resources of each collection, and how many idempotency keys, the mock
    /// keeps (default [`DEFAULT_MAX_RESOURCES`], at least 1): past it, the oldest that
    /// have ended go first (a checkout session no longer open), then the oldest. An
    /// evicted resource answers 404.
    pub fn max_resources(mut self, count: usize) -> Self {
        self.max_resources = count.max(1);
        self
    }

    /// How many webhook deliveries [`MockServer::webhook_deliveries`] keeps (default
    /// [`DEFAULT_MAX_DELIVERIES`], at least 1): the oldest are forgotten first.
    pub fn max_deliveries(mut self, count: usize) -> Self {
        self.max_deliveries = count.max(1);
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
            state: Mutex::new(State {
                store: Store::with_cap(self.max_resources),
                idempotency: idempotency::Keys::with_cap(self.max_resources),
                faults: VecDeque::new(),
                requests: VecDeque::new(),
            }),
            connections: AtomicUsize::new(0),
            open: AtomicUsize::new(0),
            max_open: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            webhook: Mutex::new(None),
            deliveries: Arc::new(Mutex::new(Vec::new())),
            on_delivery: self.on_delivery,
            max_body: self.max_body,
            max_deliveries: self.max_deliveries,
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

    /// Every request received so far, in order (the last [`MAX_RECORDED`]).
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.state().requests.iter().cloned().collect()
    }

    /// The stored resources of a collection (`checkout_sessions`), in creation order.
    pub fn resources(&self, collection: &str) -> Vec<Value> {
        self.shared.state().store.all(collection).to_vec()
    }

    /// The stored checkout sessions, in creation order (the collection the spec's
    /// checkout-session paths name, however it spells them).
    pub fn sessions(&self) -> Vec<Value> {
        self.resources(self.shared.spec.sessions_collection())
    }

    /// A payment succeeds: the open session `id` becomes `completed`, as when the
    /// customer pays on the hosted page.
    ///
    /// With a [webhook endpoint](MockServer::register_webhook), it then sends, signed and
    /// in order, `PAYMENT_SUCCEEDED` (its `data` the transaction) and
    /// `CHECKOUT_COMPLETED` (the session). Await the returned [`Transition`] to wait until
    /// they are delivered (or a delivery failed, with why): `mock.complete(&id)?.await?`
    /// returns the `CHECKOUT_COMPLETED` delivery; no test needs to poll.
    pub fn complete(&self, id: &str) -> Result<Transition, String> {
        self.shared.pay(id).map_err(|f| f.message)
    }

    /// A payment fails: the session `id` must be open, and stays open (the customer may
    /// try again). With a webhook endpoint, it sends `PAYMENT_FAILED`; await the result as
    /// for [`complete`](MockServer::complete).
    pub fn fail(&self, id: &str) -> Result<Transition, String> {
        self.shared.fail(id).map_err(|f| f.message)
    }

    /// Time passes: the open session `id` becomes `expired`. lomi. sends no event when a
    /// session expires, and neither does the mock (awaiting the result says so).
    pub fn expire(&self, id: &str) -> Result<Transition, String> {
        self.shared.expire(id).map_err(|f| f.message)
    }

    /// Sends the events of later payments ([`complete`](MockServer::complete),
    /// [`fail`](MockServer::fail), the hosted page) to `url`, signed with `secret` as lomi.
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
        self.insert(self.shared.spec.sessions_collection(), session)
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
