//! Rust client for the [lomi.](https://lomi.africa) payments API: checkout sessions,
//! the hosted payment pages of francophone West Africa (XOF, Wave, MTN, Orange…).
//!
//! The operations and models are generated from lomi.'s OpenAPI description
//! (`spec/lomi.yaml` in the repository) with progenitor; this crate adds what a spec
//! cannot say: authentication, environments and HTTP settings ([`ClientBuilder`]).
//!
//! ```no_run
//! use lomi_client::{Client, types};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder(std::env::var("LOMI_API_KEY")?).sandbox().build()?;
//!
//! // Create a hosted payment page for 15 000 XOF…
//! let session = client
//!     .create_checkout_session()
//!     .body(
//!         types::CheckoutSessionsCreate::builder()
//!             .amount(15000)
//!             .currency_code("XOF")
//!             .product_id("prod_1234567890abcdef")
//!             .success_url("https://example.com/success")
//!             .cancel_url("https://example.com/cancel")
//!             .customer_email("customer@example.com"),
//!     )
//!     .send()
//!     .await?;
//!
//! // …send the customer to its hosted payment page…
//! if let Some(page) = &session.checkout_url {
//!     println!("redirect to {page}");
//! }
//!
//! // …then list, retrieve, update and delete sessions.
//! let page = client.list_checkout_sessions().limit(20).sort("created_at:desc").send().await?;
//! let id = session.checkout_session_id;
//! let same = client.retrieve_checkout_session().session_id(id).send().await?;
//! client.delete_checkout_session().session_id(id).send().await?;
//! # let _ = (page, same);
//! # Ok(())
//! # }
//! ```
//!
//! ## What every call does for you
//!
//! - **Retries** connection failures, timeouts and 408/429/500/502/503/504 twice, with
//!   jittered exponential backoff (0.5 s doubling to 8 s) that honours `Retry-After`;
//!   never other 4xx. See [`RetryPolicy`].
//! - **Idempotency**: every POST carries an `Idempotency-Key` (a random UUID, or yours
//!   through the call's `.idempotency_key(..)`) that stays the same on every retry of
//!   that call, so a create that reached lomi. before the connection dropped is never
//!   duplicated.
//! - **Checks arguments** against the spec before sending (`limit` 1–100, `offset` ≥ 0,
//!   a non-empty `session_id`…).
//! - **Timeouts** per attempt and for connecting, per client, per call (the builders'
//!   `.timeout(..)` and `.max_retries(..)`) or per derived client ([`Client::with_options`]).
//! - **Bounds** concurrent requests (and so open connections) and response sizes.
//! - **Traces** each call and attempt with `tracing` (operation, method, path, attempt,
//!   status, request id, elapsed); the API key never appears in traces, `Debug` output
//!   or errors.
//! - **Pages** through lists: `list_checkout_sessions().stream()` yields every session,
//!   one page in memory at a time.
//! - **Keeps what the spec lacks**: every [`ResponseValue`] holds the raw body
//!   (`raw_json()`), and [`Client::request`] sends any request with all of the above.
//!
//! ```no_run
//! use lomi_client::prelude::*;
//! use lomi_client::ApiErrorKind;
//!
//! # async fn run(client: Client) -> Result<(), Error> {
//! // Every open session, newest first, 100 per request.
//! let mut sessions = client.list_checkout_sessions().limit(100).sort("created_at:desc").stream();
//! while let Some(session) = sessions.try_next().await? {
//!     if session.status == types::CheckoutSessionStatus::Open {
//!         println!("{:?}", session.checkout_session_id);
//!     }
//! }
//!
//! // An order's payment page, created at most once however often this runs.
//! let created = client
//!     .create_checkout_session()
//!     .idempotency_key("order-1042")
//!     .body(types::CheckoutSessionsCreate::builder().amount(15000).currency_code("XOF"))
//!     .send()
//!     .await;
//! match created {
//!     Ok(session) => println!("pay at {:?}", session.checkout_url),
//!     Err(Error::Api(e)) if e.kind() == ApiErrorKind::BadRequest => {
//!         for (field, problem) in e.field_errors() {
//!             eprintln!("refused: {field}: {problem}");
//!         }
//!     }
//!     Err(e) => eprintln!("{e} (request id {:?})", e.request_id()),
//! }
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

#[cfg(feature = "webhooks")]
pub mod webhooks;

// Machine output: formatted by prettyplease, not rustfmt, and exempt from lints that
// only make sense for hand-written code.
#[rustfmt::skip]
#[allow(unused_imports, clippy::all, clippy::pedantic)]
mod generated;

// The client, its models and the runtime's public types, as codegen/src/emit/contract.rs
// lists them for every generated client.
pub use generated::exports::*;

/// The README's examples, compiled as doctests so that they cannot rot.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
