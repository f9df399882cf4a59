//! Webhooks, whatever the API: check that an event comes from lomi. (the signature is
//! `lomi-signature`'s, the one lomi-mock signs with), then read it into the event types a
//! generated client's spec shapes ([`EventSet`]). Each generated client's `webhooks`
//! module names these with its own types: `Event`, `Verifier`, `construct_event`.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use serde::de::DeserializeOwned;

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = lomi_signature::SIGNATURE_HEADER;
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

/// What a signature that does not match usually means, for the error's message: never
/// the secret itself.
const MISMATCH_CAUSES: &str = "The usual causes: the secret is another endpoint's \
     (each webhook endpoint has its own `whsec_…`; use the one lomi. gave for this endpoint), \
     or the body was parsed and serialized again before verifying (verify the bytes exactly \
     as they arrived)";

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
                "the {SIGNATURE_HEADER} signature does not match the body: refuse the event. \
                 {MISMATCH_CAUSES}"
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

impl From<lomi_signature::SignatureError> for WebhookError {
    fn from(e: lomi_signature::SignatureError) -> Self {
        use lomi_signature::SignatureError as S;
        match e {
            S::Missing => WebhookError::MissingSignature,
            S::Malformed { reason } => WebhookError::MalformedSignature { reason },
            S::EmptySecret => WebhookError::EmptySecret,
            S::Mismatch => WebhookError::SignatureMismatch,
        }
    }
}

/// The events of one API, as its spec shapes them: implemented by the generator on each
/// client's `webhooks::Events`.
pub trait EventSet {
    /// The event names (an open enum).
    type Type: DeserializeOwned;
    /// The typed data of the events the spec shapes, with a fallback for the rest.
    type Data;
    /// `data` read for the event `name`, and why it is not typed when it should be.
    fn decode(name: &Self::Type, data: serde_json::Value) -> (Self::Data, Option<String>);
}

/// A verified event of an API whose names are `T` and data `D`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Event<T, D> {
    /// The event's identifier: deduplicate on it.
    pub id: String,
    /// Its name; `EventType::Unknown` for a name this version does not know.
    pub event: T,
    /// When it happened, if the payload says.
    pub timestamp: Option<chrono::DateTime<chrono::Utc>>,
    /// What it is about: typed where the spec shapes it.
    pub data: D,
    /// Why `data` is `Other` when the spec shapes this event's data but it did not
    /// decode as described (the raw JSON is kept, so the event is never lost).
    pub data_error: Option<String>,
    /// `test` or `live`, if the payload says.
    pub lomi_environment: Option<String>,
}

/// Checks and reads webhook events for one endpoint secret, into the events of `E`.
pub struct Verifier<E> {
    secret: String,
    tolerance: Option<Duration>,
    events: PhantomData<fn() -> E>,
}

impl<E> Clone for Verifier<E> {
    fn clone(&self) -> Self {
        Verifier {
            secret: self.secret.clone(),
            tolerance: self.tolerance,
            events: PhantomData,
        }
    }
}

impl<E> fmt::Debug for Verifier<E> {
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
#[serde(bound = "T: DeserializeOwned")]
struct Payload<T> {
    id: String,
    event: T,
    #[serde(default)]
    timestamp: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    data: serde_json::Value,
    #[serde(default)]
    lomi_environment: Option<String>,
}

impl<E: EventSet> Verifier<E> {
    /// A verifier for the endpoint secret `secret` (`whsec_…`, used as its UTF-8 bytes).
    pub fn new(secret: impl Into<String>) -> Self {
        Verifier {
            secret: secret.into(),
            tolerance: None,
            events: PhantomData,
        }
    }

    /// Also refuse an event whose `timestamp` is more than `tolerance` from now (or that
    /// has none). Off by default: lomi.'s retries keep the first timestamp, so a late
    /// retry is refused too.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = Some(tolerance);
        self
    }

    /// Checks `signature_header` (`X-Lomi-Signature`) against `raw_body`, in constant
    /// time (ring's `hmac::verify`, never `==`). Accepts lower or upper case hex, with or
    /// without a `sha256=` prefix.
    pub fn verify(&self, raw_body: &[u8], signature_header: &str) -> Result<(), WebhookError> {
        Ok(lomi_signature::verify(
            raw_body,
            signature_header,
            &self.secret,
        )?)
    }

    /// [`Verifier::verify`], then the event, decoded (and its age checked, if a
    /// tolerance is set).
    pub fn construct_event(
        &self,
        raw_body: &[u8],
        signature_header: &str,
    ) -> Result<Event<E::Type, E::Data>, WebhookError> {
        self.verify(raw_body, signature_header)?;
        let payload: Payload<E::Type> =
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
        let (data, data_error) = E::decode(&payload.event, payload.data);
        Ok(Event {
            id: payload.id,
            event: payload.event,
            timestamp: payload.timestamp,
            data,
            data_error,
            lomi_environment: payload.lomi_environment,
        })
    }
}

/// Checks a webhook's `X-Lomi-Signature` against its raw body, in constant time.
/// Accepts lower or upper case hex, with or without a `sha256=` prefix.
pub fn verify(raw_body: &[u8], signature_header: &str, secret: &str) -> Result<(), WebhookError> {
    Ok(lomi_signature::verify(raw_body, signature_header, secret)?)
}

/// The `X-Lomi-Signature` lomi. sends for `raw_body` under `secret`: for tests, and for
/// mocks that send events.
pub fn sign(raw_body: &[u8], secret: &str) -> String {
    lomi_signature::sign(raw_body, secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Events named by any string, whose data stays JSON.
    struct Raw;
    impl EventSet for Raw {
        type Type = String;
        type Data = serde_json::Value;
        fn decode(_: &String, data: serde_json::Value) -> (serde_json::Value, Option<String>) {
            (data, None)
        }
    }

    #[test]
    fn a_signed_event_is_read_and_a_changed_one_refused() {
        let body = br#"{"id":"evt_1","event":"X","data":{"a":1}}"#;
        let signature = sign(body, "whsec_1");
        let event = Verifier::<Raw>::new("whsec_1")
            .construct_event(body, &signature)
            .unwrap();
        assert_eq!((event.id.as_str(), event.event.as_str()), ("evt_1", "X"));
        assert_eq!(event.data["a"], 1);
        assert_eq!(
            Verifier::<Raw>::new("whsec_1").construct_event(br#"{"id":"evt_2"}"#, &signature),
            Err(WebhookError::SignatureMismatch)
        );
        assert!(matches!(
            verify(body, "sha256=zz", "whsec_1"),
            Err(WebhookError::MalformedSignature { .. })
        ));
        let stale = Verifier::<Raw>::new("whsec_1")
            .tolerance(Duration::from_secs(300))
            .construct_event(body, &signature);
        assert!(matches!(
            stale,
            Err(WebhookError::OutsideTolerance { age: None, .. })
        ));
    }

    #[test]
    fn a_mismatch_says_its_usual_causes_and_never_the_secret() {
        let body = br#"{"id":"evt_1","event":"X","data":{}}"#;
        let signature = sign(body, "whsec_the_endpoints");
        let e = Verifier::<Raw>::new("whsec_another_endpoints")
            .construct_event(body, &signature)
            .unwrap_err();
        let message = e.to_string();
        assert!(message.contains("another endpoint's"), "{message}");
        assert!(message.contains("parsed and serialized again"), "{message}");
        assert!(!message.contains("whsec_another"), "{message}");
        assert!(!message.contains('\n'), "one line: {message}");
    }

    #[test]
    fn the_secret_is_never_shown() {
        let v = Verifier::<Raw>::new("whsec_very_secret").tolerance(Duration::from_secs(300));
        assert!(!format!("{v:?}").contains("very_secret"));
    }
}
