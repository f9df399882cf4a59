//! The runtime under lomi.'s generated Rust clients (`lomi-client`, and the client of
//! lomi.'s current API): everything that does not depend on an API's spec, in one crate
//! every generated client depends on, as progenitor's output depends on
//! `progenitor-client`.
//!
//! - the client core and its builder ([`ClientBuilder`], configuration from the
//!   environment, timeouts, TLS);
//! - one call's life (`core::execute`): retries ([`RetryPolicy`]), idempotency keys,
//!   the concurrency limit, bounded bodies, tracing, lomi.'s error envelope ([`Error`]);
//! - argument conversion and checks ([`IntoArg`]), pagination ([`ItemStream`]);
//! - the escape hatch ([`RawRequest`]) and webhook verification ([`webhooks`]).
//!
//! Shops use it through a generated client, which re-exports what they need: its
//! examples show `lomi_client`. What generated code calls that is not for users is
//! `#[doc(hidden)]`; `codegen/src/emit/contract.rs` in the repository lists the contract.

#![deny(missing_docs)]

#[doc(hidden)]
pub mod arg;
mod config;
#[doc(hidden)]
pub mod core;
mod error;
#[doc(hidden)]
pub mod pagination;
mod raw;
mod response;
#[cfg(feature = "webhooks")]
pub mod webhooks;

pub use arg::IntoArg;
pub use config::{
    BuildError, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_CONCURRENT_REQUESTS,
    DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, ENV_API_KEY, ENV_BASE_URL, ENV_ENVIRONMENT,
    Environment,
};
pub use core::{IDEMPOTENCY_KEY, MAX_IDEMPOTENCY_KEY_LEN, RequestOptions, RetryPolicy};
pub use error::{
    ApiError, ApiErrorKind, ConnectionError, DecodeError, Error, InvalidInput, TimeoutError,
};
pub use pagination::ItemStream;
pub use raw::RawRequest;
pub use response::ResponseValue;
