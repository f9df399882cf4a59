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

pub use crate::generated::webhooks::{
    EVENT_HEADER, Event, EventData, EventType, SIGNATURE_HEADER, Verifier, WebhookError,
    construct_event, sign, verify,
};
