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
//!             .amount(15000.0)
//!             .currency_code("XOF".to_string())
//!             .product_id("prod_1234567890abcdef".to_string())
//!             .success_url("https://example.com/success".to_string())
//!             .cancel_url("https://example.com/cancel".to_string())
//!             .customer_email("customer@example.com".to_string()),
//!     )
//!     .send()
//!     .await?
//!     .into_inner();
//!
//! // …then list, retrieve, update and delete sessions.
//! let page = client.list_checkout_sessions().limit(20).sort("created_at:desc").send().await?;
//! let id = session.checkout_session_id.expect("lomi. returns the id").to_string();
//! let same = client.retrieve_checkout_session().session_id(&id).send().await?;
//! client.delete_checkout_session().session_id(&id).send().await?;
//! # let _ = (page, same);
//! # Ok(())
//! # }
//! ```
//!
//! Every call returns `Result<ResponseValue<T>, Error<types::Error>>`. A documented
//! error status (400, 401, 404, 500) arrives as [`Error::ErrorResponse`] with lomi.'s
//! error envelope decoded:
//!
//! ```no_run
//! # async fn run(client: lomi_client::Client) {
//! match client.retrieve_checkout_session().session_id("missing").send().await {
//!     Ok(session) => println!("{:?}", session.status),
//!     Err(lomi_client::Error::ErrorResponse(rv)) => {
//!         let detail = rv.error.as_ref();
//!         eprintln!(
//!             "{}: {:?} {:?}",
//!             rv.status(),
//!             detail.and_then(|d| d.code.as_deref()),
//!             detail.and_then(|d| d.message.as_deref()),
//!         );
//!     }
//!     Err(other) => eprintln!("request failed: {other}"),
//! }
//! # }
//! ```

#![deny(missing_docs)]

mod config;

// Machine output: formatted by prettyplease, not rustfmt, and exempt from lints that
// only make sense for hand-written code.
#[rustfmt::skip]
#[allow(missing_docs, unused_imports, clippy::all, clippy::pedantic)]
mod generated;

pub use config::{
    BuildError, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, Environment, USER_AGENT,
};
pub use generated::{
    API_KEY_HEADER, ByteStream, Client, ClientInfo, Error, ResponseValue, builder, prelude,
    servers, types,
};

/// The README's examples, compiled as doctests so that they cannot rot.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
