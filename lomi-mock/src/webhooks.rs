//! The webhooks the mock sends, as lomi. sends them: a JSON payload
//! `{id, event, timestamp, data, lomi_environment}`, signed in `X-Lomi-Signature` (lowercase
//! hex HMAC-SHA256 of the body, keyed by the endpoint secret), named in `X-Lomi-Event`,
//! retried on a 5xx answer or a network failure (5 attempts in all), not on a 4xx.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

/// How many times an event is sent at most, as lomi. does.
pub const MAX_ATTEMPTS: u32 = 5;

/// The event a session that becomes `completed` sends.
pub const COMPLETED: &str = "CHECKOUT_COMPLETED";
/// The event a session that becomes `expired` sends. lomi.'s document names no such
/// event; the mock sends this name so that a shop's handler sees an event its client
/// version may not know (it decodes as `EventType::Unknown`).
pub const EXPIRED: &str = "CHECKOUT_EXPIRED";

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

/// The lowercase hex HMAC-SHA256 of `body` under `secret`.
pub fn sign(body: &[u8], secret: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

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

/// Sends `body` to `endpoint` on `runtime`, recording each attempt in `log[index]`;
/// `done` gets the delivery as it ended (delivered, refused, or given up on).
pub fn send(
    runtime: &tokio::runtime::Handle,
    endpoint: Endpoint,
    delivery: Delivery,
    log: Arc<Mutex<Vec<Delivery>>>,
    done: tokio::sync::oneshot::Sender<Delivery>,
) {
    let index = {
        let mut log = log.lock().unwrap_or_else(PoisonError::into_inner);
        log.push(delivery.clone());
        log.len() - 1
    };
    runtime.spawn(async move {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(4))
            .user_agent("Lomi-Webhook/1.0")
            .build();
        let finish = |log: &Mutex<Vec<Delivery>>, done: tokio::sync::oneshot::Sender<Delivery>| {
            let last = log
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(index)
                .cloned();
            if let Some(last) = last {
                let _ = done.send(last);
            }
        };
        let http = match http {
            Ok(http) => http,
            Err(e) => {
                if let Some(entry) = log
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .get_mut(index)
                {
                    entry.error = Some(format!("cannot build an HTTP client: {e}"));
                }
                return finish(&log, done);
            }
        };
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
            {
                let mut log = log.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(entry) = log.get_mut(index) {
                    entry.attempts = attempt;
                    entry.status = status;
                    entry.delivered = status.is_some_and(|s| (200..300).contains(&s));
                    entry.error = match &answer {
                        Ok(r) if r.status().is_success() => None,
                        Ok(r) => Some(format!("{} answered {}", endpoint.url, r.status())),
                        Err(e) => Some(format!("cannot reach {}: {}", endpoint.url, chain(e))),
                    };
                }
            }
            match status {
                Some(s) if s < 500 => return finish(&log, done),
                _ if attempt == MAX_ATTEMPTS => return finish(&log, done),
                _ => {
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
            }
        }
    });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_as_lomi_does() {
        assert_eq!(
            sign(br#"{"amount":10000,"currency":"XOF"}"#, "whsec_test"),
            "f9003c7ae2b8e70a5129e2da3ee86822bd3bb96fa7ca7f9476c0884a8b35473c"
        );
    }
}
