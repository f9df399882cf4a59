//! Webhooks: check that an event comes from lomi., then read it.
//!
//! lomi. POSTs each event as JSON, `{id, event, timestamp, data, lomi_environment}`, with
//! `X-Lomi-Signature`: the lowercase hex HMAC-SHA256 of the **raw body bytes**, keyed by
//! the endpoint's secret. Verify the bytes as received, before parsing them, answer 2xx
//! quickly, and deduplicate on the event's `id`.
//!
//! ```
//! use lomi_sdk::webhooks::{self, EventData, EventType};
//!
//! # let body = br#"{"id":"evt_1","event":"CHECKOUT_COMPLETED","data":{}}"#;
//! # let secret = "whsec_test";
//! # let signature = webhooks::sign(body, secret);
//! let event = webhooks::construct_event(body, &signature, secret)?;
//! match (&event.event, &event.data) {
//!     (EventType::CheckoutCompleted, EventData::CheckoutCompleted(session)) => {
//!         println!("paid: {:?}", session.checkout_session_id)
//!     }
//!     (other, _) => println!("{other}"),
//! }
//! # Ok::<(), webhooks::WebhookError>(())
//! ```

pub use crate::generated::webhooks::{
    EVENT_HEADER, Event, EventData, EventType, SIGNATURE_HEADER, Verifier, WebhookError,
    construct_event, sign, verify,
};
