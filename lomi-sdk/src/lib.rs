//! Rust client for [lomi.](https://lomi.africa)'s current payments API, the one its
//! servers route (`https://api.lomi.africa`, `https://sandbox.api.lomi.africa`): checkout
//! sessions and their hosted payment pages, customers, refunds, payouts, products,
//! subscriptions, webhooks and the rest of lomi.'s 70 operations.
//!
//! The operations and models are generated from lomi.'s OpenAPI document (June 2026,
//! `apis/current/` in the repository); the runtime under them (retries, idempotency keys,
//! pagination, errors, configuration, webhook verification) is `lomi-runtime`'s, shared
//! with `lomi-client`, the client of lomi.'s 1.1.0 document.
//!
//! ```no_run
//! use lomi_sdk::{Client, types};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder(std::env::var("LOMI_API_KEY")?).sandbox().build()?;
//! let sessions = client.list_checkout_sessions().send().await?;
//! # let _ = sessions;
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
