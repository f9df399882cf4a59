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
#[allow(missing_docs, unused_imports, clippy::all, clippy::pedantic)]
mod generated;

pub use generated::{
    API_KEY_HEADER, API_VERSION, Client, ClientBuilder, Environment, USER_AGENT, builder, servers,
    types,
};
pub use lomi_runtime::{
    ApiError, ApiErrorKind, BuildError, ConnectionError, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_CONCURRENT_REQUESTS, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, DecodeError,
    ENV_API_KEY, ENV_BASE_URL, ENV_ENVIRONMENT, Error, IDEMPOTENCY_KEY, IntoArg, InvalidInput,
    ItemStream, MAX_IDEMPOTENCY_KEY_LEN, RawRequest, RequestOptions, ResponseValue, RetryPolicy,
    TimeoutError,
};
/// HTTP methods, for [`Client::request`].
pub use reqwest::Method;
/// The JSON crate the models use, for free-form fields such as `metadata`.
pub use serde_json;
pub use serde_json::json;

/// What most code using the client needs: the client, its models, and the stream
/// extension traits for [`ItemStream`].
pub mod prelude {
    pub use crate::{Client, Error, RequestOptions, types};
    pub use futures_util::{StreamExt, TryStreamExt};
}
