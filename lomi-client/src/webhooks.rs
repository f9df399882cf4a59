//! Webhooks: check that an event comes from lomi., then read it.
//!
//! lomi. POSTs each event as JSON, `{id, event, timestamp, data, lomi_environment}`, with
//! `X-Lomi-Signature`: the lowercase hex HMAC-SHA256 of the **raw body bytes**, keyed by
//! the endpoint's secret (`whsec_…`). Verify the bytes as received, before parsing them
//! (a re-serialized body would not match), answer 2xx quickly, and deduplicate on the
//! event's `id`: lomi. retries 5xx answers and timeouts, and a retry keeps the `id` and
//! the `timestamp`.
//!
//! ```
//! use lomi_client::webhooks::{self, EventData, EventType};
//!
//! // In your handler: the body's bytes and the X-Lomi-Signature header, as received.
//! # let body = br#"{"id":"evt_1","event":"CHECKOUT_COMPLETED","data":{}}"#;
//! # let secret = "whsec_test";
//! # let signature = webhooks::sign(body, secret);
//! let event = webhooks::construct_event(body, &signature, secret)?;
//! match (&event.event, &event.data) {
//!     (EventType::CheckoutCompleted, EventData::CheckoutCompleted(session)) => {
//!         println!("paid: {}", session.checkout_session_id)
//!     }
//!     (EventType::Unknown(name), _) => println!("an event this version does not know: {name}"),
//!     (other, _) => println!("{other}"),
//! }
//! # Ok::<(), webhooks::WebhookError>(())
//! ```
//!
//! Nothing outside the body is signed. The body's `timestamp` is, but lomi.'s retries keep
//! the first one, so checking its age is off by default; [`Verifier::tolerance`] turns it
//! on for shops that want replay protection and accept losing late retries.

use std::fmt;
use std::time::Duration;

use ring::hmac;

pub use crate::generated::events::{EventData, EventType};

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "X-Lomi-Signature";
/// The header that carries the event's name.
pub const EVENT_HEADER: &str = "X-Lomi-Event";

/// Why an event was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookError {
    /// The signature header is missing or empty.
    MissingSignature,
    /// The signature header is not 64 hexadecimal digits (after an optional `sha256=`).
    MalformedSignature {
        /// What is wrong with it.
        reason: String,
    },
    /// The signature is well formed but does not match the body and secret: the body was
    /// changed, the secret is another endpoint's, or the event is not from lomi.
    SignatureMismatch,
    /// The secret is empty.
    EmptySecret,
    /// The signed body is not a lomi. event.
    Decode {
        /// What is wrong with it.
        reason: String,
    },
    /// The event's `timestamp` is missing, or older (or further ahead) than the
    /// [`Verifier::tolerance`].
    OutsideTolerance {
        /// How far the timestamp is from now, if there is one.
        age: Option<Duration>,
        /// The tolerance.
        tolerance: Duration,
    },
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::MissingSignature => {
                write!(f, "the {SIGNATURE_HEADER} header is missing or empty")
            }
            WebhookError::MalformedSignature { reason } => {
                write!(f, "the {SIGNATURE_HEADER} header is malformed: {reason}")
            }
            WebhookError::SignatureMismatch => write!(
                f,
                "the {SIGNATURE_HEADER} signature does not match the body: refuse the event"
            ),
            WebhookError::EmptySecret => f.write_str("the webhook secret is empty"),
            WebhookError::Decode { reason } => {
                write!(f, "the signed body is not a lomi. event: {reason}")
            }
            WebhookError::OutsideTolerance {
                age: Some(age),
                tolerance,
            } => write!(
                f,
                "the event's timestamp is {age:?} from now, beyond the {tolerance:?} tolerance"
            ),
            WebhookError::OutsideTolerance {
                age: None,
                tolerance,
            } => write!(
                f,
                "the event has no timestamp to check against the {tolerance:?} tolerance"
            ),
        }
    }
}

impl std::error::Error for WebhookError {}

/// A verified event.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Event {
    /// The event's identifier: deduplicate on it.
    pub id: String,
    /// Its name; `EventType::Unknown` for a name this version does not know.
    pub event: EventType,
    /// When it happened, if the payload says.
    pub timestamp: Option<chrono::DateTime<chrono::Utc>>,
    /// What it is about: typed where the spec shapes it.
    pub data: EventData,
    /// Why `data` is `Other` when the spec shapes this event's data but it did not
    /// decode as described (the raw JSON is kept, so the event is never lost).
    pub data_error: Option<String>,
    /// `test` or `live`, if the payload says.
    pub lomi_environment: Option<String>,
}

/// Checks and reads webhook events for one endpoint secret.
#[derive(Clone)]
pub struct Verifier {
    secret: String,
    tolerance: Option<Duration>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the secret.
        f.debug_struct("Verifier")
            .field("secret", &"<redacted>")
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

/// The payload as sent; `data` is decoded once the event's name is known.
#[derive(serde::Deserialize)]
struct Payload {
    id: String,
    event: EventType,
    #[serde(default)]
    timestamp: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    data: serde_json::Value,
    #[serde(default)]
    lomi_environment: Option<String>,
}

impl Verifier {
    /// A verifier for the endpoint secret `secret` (`whsec_…`, used as its UTF-8 bytes).
    pub fn new(secret: impl Into<String>) -> Verifier {
        Verifier {
            secret: secret.into(),
            tolerance: None,
        }
    }

    /// Also refuse an event whose `timestamp` is more than `tolerance` from now (or that
    /// has none). Off by default: lomi.'s retries keep the first timestamp, so a late
    /// retry is refused too.
    pub fn tolerance(mut self, tolerance: Duration) -> Verifier {
        self.tolerance = Some(tolerance);
        self
    }

    /// Checks `signature_header` (`X-Lomi-Signature`) against `raw_body`, in constant
    /// time (ring's `hmac::verify`, never `==`). Accepts lower or upper case hex, with or
    /// without a `sha256=` prefix.
    pub fn verify(&self, raw_body: &[u8], signature_header: &str) -> Result<(), WebhookError> {
        let expected = parse_signature(signature_header)?;
        hmac::verify(&self.key()?, raw_body, &expected).map_err(|_| WebhookError::SignatureMismatch)
    }

    /// [`Verifier::verify`], then the event, decoded (and its age checked, if a
    /// tolerance is set).
    pub fn construct_event(
        &self,
        raw_body: &[u8],
        signature_header: &str,
    ) -> Result<Event, WebhookError> {
        self.verify(raw_body, signature_header)?;
        let payload: Payload =
            serde_json::from_slice(raw_body).map_err(|e| WebhookError::Decode {
                reason: e.to_string(),
            })?;
        if let Some(tolerance) = self.tolerance {
            let now = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now());
            let age = payload
                .timestamp
                .map(|t| (now - t).abs().to_std().unwrap_or(Duration::MAX));
            if age.is_none_or(|age| age > tolerance) {
                return Err(WebhookError::OutsideTolerance { age, tolerance });
            }
        }
        let (data, data_error) = EventData::decode(&payload.event, payload.data);
        Ok(Event {
            id: payload.id,
            event: payload.event,
            timestamp: payload.timestamp,
            data,
            data_error,
            lomi_environment: payload.lomi_environment,
        })
    }

    fn key(&self) -> Result<hmac::Key, WebhookError> {
        if self.secret.is_empty() {
            return Err(WebhookError::EmptySecret);
        }
        Ok(hmac::Key::new(hmac::HMAC_SHA256, self.secret.as_bytes()))
    }
}

/// Checks a webhook's `X-Lomi-Signature` against its raw body; see [`Verifier::verify`].
pub fn verify(raw_body: &[u8], signature_header: &str, secret: &str) -> Result<(), WebhookError> {
    Verifier::new(secret).verify(raw_body, signature_header)
}

/// Verifies, then decodes, a webhook event; see [`Verifier::construct_event`].
pub fn construct_event(
    raw_body: &[u8],
    signature_header: &str,
    secret: &str,
) -> Result<Event, WebhookError> {
    Verifier::new(secret).construct_event(raw_body, signature_header)
}

/// The `X-Lomi-Signature` lomi. sends for `raw_body` under `secret`: for tests, and for
/// mocks that send events.
pub fn sign(raw_body: &[u8], secret: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    hmac::sign(&key, raw_body)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The 32 bytes a signature header holds.
fn parse_signature(header: &str) -> Result<[u8; 32], WebhookError> {
    let text = header.trim();
    if text.is_empty() {
        return Err(WebhookError::MissingSignature);
    }
    let hex = match text.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("sha256=") => &text[7..],
        _ => text,
    };
    let malformed = |reason: String| Err(WebhookError::MalformedSignature { reason });
    if hex.len() != 64 {
        return malformed(format!(
            "expected 64 hexadecimal digits, got {} characters",
            hex.chars().count()
        ));
    }
    let mut out = [0u8; 32];
    for (i, pair) in hex.as_bytes().chunks(2).enumerate() {
        let digit = |b: u8| (b as char).to_digit(16);
        match (digit(pair[0]), digit(pair[1])) {
            (Some(hi), Some(lo)) => out[i] = (hi * 16 + lo) as u8,
            _ => return malformed("not hexadecimal".into()),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_parse_in_either_case_and_with_the_prefix() {
        let lower = "f9003c7ae2b8e70a5129e2da3ee86822bd3bb96fa7ca7f9476c0884a8b35473c";
        let a = parse_signature(lower).unwrap();
        assert_eq!(parse_signature(&lower.to_uppercase()).unwrap(), a);
        assert_eq!(parse_signature(&format!("sha256={lower}")).unwrap(), a);
        assert_eq!(parse_signature(&format!(" SHA256={lower} ")).unwrap(), a);
        assert_eq!(parse_signature("  "), Err(WebhookError::MissingSignature));
        assert!(matches!(
            parse_signature(&lower[..63]),
            Err(WebhookError::MalformedSignature { .. })
        ));
        assert!(matches!(
            parse_signature(&format!("{}zz", &lower[..62])),
            Err(WebhookError::MalformedSignature { .. })
        ));
        // Multi-byte text of the right byte length is not hex, and does not panic.
        assert!(matches!(
            parse_signature(&"é".repeat(32)),
            Err(WebhookError::MalformedSignature { .. })
        ));
    }

    #[test]
    fn the_secret_is_never_shown() {
        let v = Verifier::new("whsec_very_secret").tolerance(Duration::from_secs(300));
        assert!(!format!("{v:?}").contains("very_secret"));
    }
}
