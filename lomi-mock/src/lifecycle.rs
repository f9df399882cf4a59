//! What happens to a checkout session after it is created, as a customer or time makes it
//! happen, and the events lomi. sends about it: the one place [`crate::MockServer`]'s
//! methods, the control endpoints and the hosted payment page go through.
//!
//! | change | the session | events, in order (`data`) |
//! |---|---|---|
//! | pay | `open` → `completed` | `PAYMENT_SUCCEEDED` (the transaction), `CHECKOUT_COMPLETED` (the session) |
//! | fail | stays `open` | `PAYMENT_FAILED` (the transaction) |
//! | expire | `open` → `expired` | none: lomi. sends no event when a session expires |

use std::pin::Pin;
use std::sync::PoisonError;

use serde_json::{Map, Value, json};

use crate::Shared;
use crate::store::{Failure, now};
use crate::webhooks::{self, Delivery};

/// What a change to a session did: the session as it is now, and the webhook events it
/// sent about it, to await.
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
    /// The events the change sends, in order (none for an expiry).
    pub events: Vec<&'static str>,
    deliveries: Option<tokio::sync::oneshot::Receiver<Vec<Delivery>>>,
}

impl Transition {
    /// Waits until every event is delivered: `Ok` with the last one (for a payment,
    /// `CHECKOUT_COMPLETED`) once the endpoint answered each 2xx, an error saying why
    /// otherwise (no event to send, no endpoint registered, an answer the mock does not
    /// retry, or every attempt failed).
    pub async fn delivered(self) -> Result<Delivery, DeliveryError> {
        self.all_delivered()
            .await?
            .pop()
            .ok_or(DeliveryError::NoEvent)
    }

    /// Waits until every event is delivered, and returns them all, in order.
    pub async fn all_delivered(self) -> Result<Vec<Delivery>, DeliveryError> {
        let deliveries = self.ended().await?;
        match deliveries.iter().find(|d| !d.delivered) {
            Some(failed) => Err(DeliveryError::Failed(Box::new(failed.clone()))),
            None => Ok(deliveries),
        }
    }

    /// Waits until every event's delivery ended, delivered or not.
    pub(crate) async fn ended(self) -> Result<Vec<Delivery>, DeliveryError> {
        if self.events.is_empty() {
            return Err(DeliveryError::NoEvent);
        }
        let receiver = self.deliveries.ok_or(DeliveryError::NoEndpoint)?;
        receiver.await.map_err(|_| DeliveryError::Stopped)
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
    /// The change sends no event (lomi. sends none when a session expires).
    NoEvent,
    /// No endpoint was registered ([`crate::MockServer::register_webhook`]), so nothing
    /// was sent.
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
            DeliveryError::NoEvent => f.write_str("this change sends no webhook event"),
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

impl Shared {
    /// A payment succeeds: the open session `id` becomes `completed`.
    pub(crate) fn pay(&self, id: &str) -> Result<Transition, Failure> {
        let session = self
            .state()
            .store
            .transition(id, "status", "open", "completed")?;
        let events = vec![
            (
                webhooks::PAYMENT_SUCCEEDED,
                transaction(&session, "completed"),
            ),
            (webhooks::COMPLETED, session.clone()),
        ];
        Ok(self.notify(session, events))
    }

    /// A payment fails: the session `id` must be open, and stays open.
    pub(crate) fn fail(&self, id: &str) -> Result<Transition, Failure> {
        let session = self.open_session(id)?;
        let events = vec![(webhooks::PAYMENT_FAILED, transaction(&session, "failed"))];
        Ok(self.notify(session, events))
    }

    /// Time passes: the open session `id` becomes `expired`.
    pub(crate) fn expire(&self, id: &str) -> Result<Transition, Failure> {
        let session = self
            .state()
            .store
            .transition(id, "status", "open", "expired")?;
        Ok(self.notify(session, Vec::new()))
    }

    /// Sends the recorded event `id` again, as it was sent (the same body, signature and
    /// `id`: the endpoint deduplicates on it), to the endpoint registered now: a 404 for
    /// an id never sent, a 409 without an endpoint. The receiver gets the delivery once
    /// it has ended.
    pub(crate) fn resend(
        &self,
        id: &str,
    ) -> Result<tokio::sync::oneshot::Receiver<Vec<Delivery>>, Failure> {
        let recorded = self
            .deliveries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .rev()
            .find(|d| d.id == id)
            .cloned()
            .ok_or_else(|| Failure::new(404, "not_found", format!("no event has the id {id:?}")))?;
        let endpoint = self
            .webhook
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| {
                Failure::new(
                    409,
                    "conflict",
                    "no webhook endpoint to send it to: start the mock with --forward-to URL",
                )
            })?;
        let again = Delivery {
            attempts: 0,
            status: None,
            delivered: false,
            error: None,
            ..recorded
        };
        let (done, ended) = tokio::sync::oneshot::channel();
        webhooks::send(
            &self.runtime,
            endpoint,
            vec![again],
            webhooks::Log {
                entries: self.deliveries.clone(),
                cap: self.max_deliveries,
            },
            self.on_delivery.clone(),
            done,
        );
        Ok(ended)
    }

    /// The session `id`, if it is open: a 404 or a 409 otherwise.
    pub(crate) fn open_session(&self, id: &str) -> Result<Value, Failure> {
        let session = self.state().store.find(id).cloned().ok_or_else(|| {
            Failure::new(404, "not_found", format!("no session has the id {id:?}"))
        })?;
        match session.get("status").and_then(Value::as_str) {
            Some("open") => Ok(session),
            status => Err(Failure::new(
                409,
                "conflict",
                format!(
                    "{id} is {:?}, not \"open\"",
                    status.unwrap_or("without a status")
                ),
            )),
        }
    }

    /// Sends `events` to the registered endpoint, if any, in order.
    fn notify(&self, session: Value, events: Vec<(&'static str, Value)>) -> Transition {
        let names = events.iter().map(|(name, _)| *name).collect();
        let endpoint = self
            .webhook
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let deliveries = match endpoint {
            Some(endpoint) if !events.is_empty() => {
                let deliveries = events
                    .iter()
                    .map(|(event, data)| {
                        let (id, body) = webhooks::payload(event, data);
                        Delivery {
                            id,
                            event: (*event).to_string(),
                            signature: webhooks::sign(&body, &endpoint.secret),
                            body,
                            attempts: 0,
                            status: None,
                            delivered: false,
                            error: None,
                        }
                    })
                    .collect();
                let (done, ended) = tokio::sync::oneshot::channel();
                webhooks::send(
                    &self.runtime,
                    endpoint,
                    deliveries,
                    webhooks::Log {
                        entries: self.deliveries.clone(),
                        cap: self.max_deliveries,
                    },
                    self.on_delivery.clone(),
                    done,
                );
                Some(ended)
            }
            _ => None,
        };
        Transition {
            session,
            events: names,
            deliveries,
        }
    }
}

/// The transaction a payment of `session` makes, as the `data` of its `PAYMENT_…` event:
/// the fields of lomi.'s `transactions` resource that the session knows.
fn transaction(session: &Value, status: &str) -> Value {
    let mut transaction = Map::new();
    transaction.insert(
        "transaction_id".into(),
        json!(uuid::Uuid::new_v4().to_string()),
    );
    let field = |name: &str| session.get(name).filter(|v| !v.is_null()).cloned();
    if let Some(id) = field("checkout_session_id") {
        transaction.insert("checkout_session_id".into(), id);
    }
    transaction.insert("status".into(), json!(status));
    transaction.insert("transaction_type".into(), json!("payment"));
    if let Some(amount) = field("amount") {
        transaction.insert("gross_amount".into(), amount.clone());
        transaction.insert("net_amount".into(), amount);
        transaction.insert("fee_amount".into(), json!(0));
    }
    for name in ["currency_code", "description", "metadata", "customer_id"] {
        if let Some(value) = field(name) {
            transaction.insert(name.into(), value);
        }
    }
    transaction.insert("environment".into(), json!("test"));
    let now = now();
    transaction.insert("created_at".into(), json!(now));
    transaction.insert("updated_at".into(), json!(now));
    Value::Object(transaction)
}
