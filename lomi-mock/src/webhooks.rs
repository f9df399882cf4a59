//! The webhooks the mock sends, as lomi. sends them: a JSON payload
//! `{id, event, timestamp, data, lomi_environment}`, signed in `X-Lomi-Signature` (lowercase
//! hex HMAC-SHA256 of the body, keyed by the endpoint secret), named in `X-Lomi-Event`,
//! retried on a 5xx answer or a network failure (5 attempts in all), not on a 4xx.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::{Value, json};

/// How many times an event is sent at most, as lomi. does.
pub const MAX_ATTEMPTS: u32 = 5;

/// The event a paid session sends about itself, its `data` the session.
pub const COMPLETED: &str = "CHECKOUT_COMPLETED";
/// The event a payment sends when it succeeds, its `data` the transaction.
pub const PAYMENT_SUCCEEDED: &str = "PAYMENT_SUCCEEDED";
/// The event a payment sends when it fails, its `data` the transaction; the session stays
/// open for another try.
pub const PAYMENT_FAILED: &str = "PAYMENT_FAILED";

/// Where events go.
#[derive(Clone)]
pub struct Endpoint {
    pub url: String,
    pub secret: String,
}

/// One event sent, and how it went.
#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    /// The event's `id`.
    pub id: String,
    /// Its name.
    pub event: String,
    /// The exact body sent.
    pub body: Vec<u8>,
    /// Its `X-Lomi-Signature`.
    pub signature: String,
    /// Attempts made so far.
    pub attempts: u32,
    /// The last answer's status, if there was one.
    pub status: Option<u16>,
    /// Whether a 2xx answer came back.
    pub delivered: bool,
    /// Why the last attempt failed (the connection error, or the status it answered),
    /// if it did.
    pub error: Option<String>,
}

impl std::fmt::Display for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (event {}): ", self.event, self.id)?;
        match (&self.error, self.delivered) {
            (_, true) => write!(f, "delivered, answered {:?}", self.status),
            (Some(why), false) => {
                write!(f, "not delivered after {} attempt(s): {why}", self.attempts)
            }
            (None, false) => write!(f, "not delivered yet ({} attempt(s))", self.attempts),
        }
    }
}

/// The lowercase hex HMAC-SHA256 of `body` under `secret`: lomi-signature's, the signer
/// the clients verify with.
pub use lomi_signature::sign;

/// The payload of `event` about `data`.
pub fn payload(event: &str, data: &Value) -> (String, Vec<u8>) {
    let id = uuid::Uuid::new_v4().to_string();
    let body = json!({
        "id": id,
        "event": event,
        "timestamp": crate::store::now(),
        "data": data,
        "lomi_environment": "test",
    });
    (id, serde_json::to_vec(&body).unwrap_or_default())
}

/// Called with each delivery once it has ended (delivered, refused, or given up on).
pub type OnDelivery = Arc<dyn Fn(&Delivery) + Send + Sync>;

/// Where a batch of deliveries is recorded: the log and how many entries it keeps (the
/// oldest are forgotten first).
pub(crate) struct Log {
    pub(crate) entries: Arc<Mutex<Vec<Delivery>>>,
    pub(crate) cap: usize,
}

/// Sends `deliveries` to `endpoint` on `runtime`, one after the other (each event waits
/// until the one before it has ended, so an endpoint sees them in order), recording each
/// attempt in `log`; `done` gets the deliveries as they ended, and `on_delivery` sees
/// each one as it ends.
pub(crate) fn send(
    runtime: &tokio::runtime::Handle,
    endpoint: Endpoint,
    deliveries: Vec<Delivery>,
    log: Log,
    on_delivery: Option<OnDelivery>,
    done: tokio::sync::oneshot::Sender<Vec<Delivery>>,
) {
    let Log { entries: log, cap } = log;
    {
        let mut log = log.lock().unwrap_or_else(PoisonError::into_inner);
        log.extend(deliveries.iter().cloned());
        if log.len() > cap {
            let excess = log.len() - cap;
            log.drain(..excess);
        }
    }
    runtime.spawn(async move {
        // With reqwest's rustls but no provider in the build (lomi-client brings ring
        // that way), a client needs the process's default: ring, unless one is installed.
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(4))
            .user_agent("Lomi-Webhook/1.0")
            .build();
        let mut ended = Vec::with_capacity(deliveries.len());
        for delivery in deliveries {
            match &http {
                Ok(http) => attempt_all(http, &endpoint, &delivery, &log).await,
                Err(e) => update(&log, &delivery.id, |entry| {
                    entry.error = Some(format!("cannot build an HTTP client: {e}"));
                }),
            }
            let last = log
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .iter()
                .rev()
                .find(|d| d.id == delivery.id)
                .cloned()
                .unwrap_or(delivery);
            if let Some(on_delivery) = &on_delivery {
                on_delivery(&last);
            }
            ended.push(last);
        }
        let _ = done.send(ended);
    });
}

/// Changes the latest entry of the event `id` in `log` (a resend's, for a resent one),
/// if the log still keeps it.
fn update(log: &Mutex<Vec<Delivery>>, id: &str, change: impl FnOnce(&mut Delivery)) {
    if let Some(entry) = log
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter_mut()
        .rev()
        .find(|d| d.id == id)
    {
        change(entry);
    }
}

/// Sends one event until it is answered 2xx, refused with a status below 500, or
/// [`MAX_ATTEMPTS`] attempts failed, recording each attempt in its entry of `log`.
async fn attempt_all(
    http: &reqwest::Client,
    endpoint: &Endpoint,
    delivery: &Delivery,
    log: &Mutex<Vec<Delivery>>,
) {
    let mut wait = Duration::from_millis(50);
    for attempt in 1..=MAX_ATTEMPTS {
        let answer = http
            .post(&endpoint.url)
            .header("content-type", "application/json")
            .header("x-lomi-signature", &delivery.signature)
            .header("x-lomi-event", &delivery.event)
            .body(delivery.body.clone())
            .send()
            .await;
        let status = answer.as_ref().ok().map(|r| r.status().as_u16());
        let error = match &answer {
            Ok(r) if r.status().is_success() => None,
            Ok(r) => Some(format!("{} answered {}", endpoint.url, r.status())),
            Err(e) => Some(format!("cannot reach {}: {}", endpoint.url, chain(e))),
        };
        update(log, &delivery.id, |entry| {
            entry.attempts = attempt;
            entry.status = status;
            entry.delivered = status.is_some_and(|s| (200..300).contains(&s));
            entry.error = error;
        });
        match status {
            Some(s) if s < 500 => return,
            _ if attempt == MAX_ATTEMPTS => return,
            _ => {
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
        }
    }
}

/// An error with its causes, as reqwest nests the useful part.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
