//! Typed [httpmock](https://docs.rs/httpmock) helpers for `lomi-client`, generated from
//! the same spec by the same generator (in the shape of progenitor's `httpmock` output,
//! as oxide.rs's `oxide-httpmock` has it): a method per operation on
//! `httpmock::MockServer`, named as the client's method, whose `when` takes the
//! operation's typed parameters and body and whose `then` takes its typed responses. No path, no JSON string, and a spec change that breaks a test breaks it at
//! compile time.
//!
//! A crate of its own, so that a shop that does not test with httpmock never compiles it.
//!
//! ```
//! use lomi_client::types;
//! use lomi_httpmock::MockServerExt;
//!
//! # #[tokio::main] async fn main() {
//! let server = httpmock::MockServer::start_async().await;
//! let body = types::CheckoutSessionsCreate::builder().amount(15000).currency_code("XOF");
//! let answer = types::CheckoutSessions::builder()
//!     .checkout_session_id("5f0c6a1e-8d3b-4c2a-9e7f-1a2b3c4d5e6f")
//!     .amount(15000)
//!     .currency_code("XOF")
//!     .status("open")
//!     .created_at("2025-11-21T13:32:16.240Z");
//! let mock = server.create_checkout_session(|when, then| {
//!     when.body(&body.clone().try_into().unwrap());
//!     then.created(&answer.try_into().unwrap());
//! });
//!
//! let client = lomi_client::Client::builder("lomi_sk_test_0123")
//!     .base_url(server.base_url())
//!     .build()
//!     .unwrap();
//! let session = client.create_checkout_session().body(body).send().await.unwrap();
//! assert_eq!(session.amount, 15000.0);
//! mock.assert();
//! # }
//! ```

#![deny(missing_docs)]

// Machine output: formatted by prettyplease, not rustfmt, and exempt from lints that
// only make sense for hand-written code.
#[rustfmt::skip]
#[allow(unused_imports, dead_code, clippy::all, clippy::pedantic)]
mod generated;

pub use generated::*;

/// lomi.'s error envelope, for a documented error answer, which the helpers give a status
/// but no body: `then.not_found().into_inner().json_body(lomi_httpmock::error("not_found",
/// "No such session"))`.
pub fn error(code: &str, message: &str) -> serde_json::Value {
    serde_json::json!({
        "error": {"code": code, "message": message},
        "request_id": "req_httpmock",
    })
}
