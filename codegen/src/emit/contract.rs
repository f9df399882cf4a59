//! The contract between the generated code and `lomi-runtime`, the crate every generated
//! client depends on (as progenitor's output depends on `progenitor-client`).
//!
//! A generated client crate holds only what its spec decides; everything else is the
//! runtime's. The runtime may use only the generated items listed here, through the
//! `Api` trait a generated `Client` implements. The generator emits every one of them for
//! **every** spec it accepts, under names that never depend on free text (descriptions,
//! titles, summaries), so that any valid OpenAPI 3.0 document (lomi.'s whole API, a
//! newer version of it, or a spec of another shape) compiles against the runtime
//! unchanged. `codegen/tests/contract/` holds the specs that prove it: each is generated
//! and compiled by `xtask/tests/contract.rs`.
//!
//! # What the generated module (`crate::generated`) provides
//!
//! | item | always | what |
//! |---|---|---|
//! | `Client` | yes | holds a `lomi_runtime::core::Core` and implements `lomi_runtime::core::Api` (`INFO`, `from_core`, `core`); `builder`, `from_env`, `baseurl`, `with_options` and `request` delegate to the runtime |
//! | `ClientBuilder` | yes | `lomi_runtime::ClientBuilder<Client>` |
//! | `Environment` | yes | `Live` and `Sandbox`, with `base_url()` from `servers`; converts into `lomi_runtime::Environment` |
//! | `USER_AGENT` | yes | the generated crate's name and version |
//! | `API_VERSION` | yes | `&str`: the spec's `info.version` |
//! | `types`, `builder` | yes | the models (possibly none) and the operations' builders |
//! | `servers::ALL` | yes | `&[&str]`: every server URL in spec order, variables replaced by their defaults, no trailing `/` |
//! | `servers::LIVE` | yes | `Option<&str>`: the server marked `x-lomi-environment: live`, else the first server not marked otherwise |
//! | `servers::SANDBOX` | yes | `Option<&str>`: the server marked `x-lomi-environment: sandbox` |
//! | `servers::DEFAULT` | yes | `Option<&str>`: `LIVE`, else the first server; `None` for a spec without servers |
//! | `API_KEY_HEADER` | yes | `Option<&str>`: the header of the first `apiKey` scheme in a header, or `Authorization` for an HTTP `bearer` scheme |
//! | `API_KEY_QUERY` | yes | `Option<&str>`: the query parameter of an `apiKey` scheme in the query, when no header scheme exists |
//! | `API_KEY_PREFIX` | yes | `Option<&str>`: `Bearer` for an HTTP `bearer` scheme |
//! | `events::EventType` | yes | the webhook event names (`x-lomi-webhooks`, see [`crate::emit::events`]): an open enum with `as_str`, `From<&str>`, `Display` and serde; every name is `Unknown` for a spec without webhooks |
//! | `events::EventData` | yes | `#[non_exhaustive]`: a variant per event whose data the spec shapes, and `Other(serde_json::Value)`; `pub(crate) fn decode(&EventType, Value) -> (EventData, Option<String>)` |
//! | `webhooks` | with the crate's `webhooks` feature | `Event`, `Verifier` (the runtime's, over this spec's `events`), `construct_event`, and the runtime's `verify`, `sign`, `WebhookError` and header names |
//!
//! Which server is live and which the sandbox is decided by the `x-lomi-environment`
//! extension (`live` or `sandbox`; the overlay sets it on lomi.'s servers) or, without it,
//! by position, never by a description. A spec with no server compiles: the client then
//! needs an explicit `base_url`.
//!
//! # What the generated code calls in `lomi-runtime`
//!
//! Its public API, and what is `#[doc(hidden)]` there because it is for generated code:
//!
//! - `core::{Core, Api, ApiInfo, CallOptions, Operation, Bounds, ParamValue, Refusals,
//!   set_param, set_param_within, set_body, refused, required, optional, check_set,
//!   check_path_segment, encode_path, header_value, form, execute, Response}` (the
//!   builders name the module `rt`): every builder carries its call's options (`timeout`,
//!   `max_retries`, and for POSTs `idempotency_key`, or `request_*` where a parameter
//!   takes the name) and, as the model builders do, holds each parameter as an `Option`
//!   (the body as its builder) and what its setters refused in one `Refusals` list: each
//!   setter converts with `set_param`, or `set_param_within` where the spec bounds a
//!   number or a string's length (the one check of the bounds), or `set_body`; `send()`
//!   reports the first refusal or a required parameter never set, in parameter order
//!   (`refused`, `required`, `optional`; `check_set` for the body's model, and
//!   `check_path_segment`
//!   for path parameters, which `encode_path` encodes), builds a
//!   `reqwest::RequestBuilder` (no `Accept`: `execute` sets it) from the client's `core`
//!   and hands it with an `Operation`
//!   and the options to `execute`, whose `Response` it decodes by status (`json`,
//!   `empty`, `bytes`, else `undocumented`). `ParamValue` is implemented by the runtime
//!   for every type typify gives a parameter (integers, `NonZero*`, floats, `bool`,
//!   `String`, `uuid::Uuid`, `chrono` dates and times, IP addresses,
//!   `serde_json::Value`, `Vec`, `Option`) and by the generator for the `types` it names
//!   in a checked parameter.
//! - `IntoArg`, `arg::{set, set_required, FromText}`: every setter, of the operation
//!   builders and of the model builders, takes `impl IntoArg<T>`; the generator
//!   implements `IntoArg` for its model builders (into their model) and, for every type
//!   built from text (enums, constrained strings), `IntoArg` from `&str`/`String` and
//!   `FromText` (through which the runtime takes text for an optional one).
//! - `pagination::{ItemStream, offset_stream, page_number_stream, start_offset, start_page,
//!   page_size, count, Page}`:
//!   the `'static` `stream()` of each paginated list (offsets or page numbers).
//! - `Error`, the one error type of every `send()`, `ResponseValue`, `RequestOptions`,
//!   `RawRequest`, `ClientBuilder`, `BuildError`, `Environment`.
//! - `webhooks::{EventSet, Event, Verifier}` (the runtime's `webhooks` feature).
//! - The `response-builders` feature of the generated crate: builders of models no
//!   request takes are compiled only with it.
//!
//! # What the runtime reads without any generated type
//!
//! - **The error envelope.** Error responses carry no type in the generated code (their
//!   models stay in `types`), whatever the spec's error schema is. The runtime reads
//!   `code`, `message`, `details` and `request_id` from the raw bytes of the error
//!   response: from lomi.'s envelope
//!   `{"error": {"code", "message", "details"}, "request_id"}` with `details` of any JSON
//!   type, from a flat `{"code", "message"}`, or not at all (then the error keeps its
//!   status and an excerpt of the body).
//! - **Request ids, `Retry-After`, idempotency keys**: headers, not spec items.
//!
//! # Not covered
//!
//! - Security schemes other than `apiKey` (header or query) and HTTP `bearer`: OAuth2,
//!   OpenID Connect and HTTP basic compile, but the client sends no credentials for them.
//! - Several security schemes at once: the first usable one is used.
//! - Server URLs that are relative (`/v1`): they are listed, and `build()` refuses them
//!   with a message asking for an absolute `base_url`.

use proc_macro2::TokenStream;
use quote::quote;

use crate::plan::Plan;

/// Where the contract is written down; named by every generated file's marker.
pub const DOC_PATH: &str = "codegen/src/emit/contract.rs";

fn opt(value: &Option<String>) -> TokenStream {
    match value {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    }
}

/// The contract's items the other emitters do not make: the servers and the key, as the
/// plan read them ([`crate::plan::access`]).
pub fn items(plan: &Plan) -> TokenStream {
    // Long: one `quote!` template of the contract's items; its parts have no names of their own.
    let s = &plan.servers;
    let all = &s.all;
    let (live, sandbox, default) = (opt(&s.live), opt(&s.sandbox), opt(&s.default));
    let key = &plan.api_key;
    let (header, query, prefix) = (opt(&key.header), opt(&key.query), opt(&key.prefix));
    quote! {
        /// The servers the spec declares (see the contract in `codegen/src/emit/contract.rs`).
        pub mod servers {
            /// Every server URL, in the spec's order.
            pub const ALL: &[&str] = &[#(#all),*];
            /// The live environment's server (`x-lomi-environment: live`, else the first
            /// unmarked server).
            pub const LIVE: ::std::option::Option<&str> = #live;
            /// The sandbox's server (`x-lomi-environment: sandbox`).
            pub const SANDBOX: ::std::option::Option<&str> = #sandbox;
            /// The server used when none is chosen: the live one, else the first.
            pub const DEFAULT: ::std::option::Option<&str> = #default;
        }
        /// The header that carries the API key, if the spec's security sends one in a header.
        pub const API_KEY_HEADER: ::std::option::Option<&str> = #header;
        /// The query parameter that carries the API key, if the spec's security sends it there.
        pub const API_KEY_QUERY: ::std::option::Option<&str> = #query;
        /// What precedes the key in its header (`Bearer` for HTTP bearer authentication).
        pub const API_KEY_PREFIX: ::std::option::Option<&str> = #prefix;

        /// What the client crate exposes at its root (`pub use generated::exports::*;` in
        /// its `lib.rs`): the generated client and models, and the runtime's public types
        /// under the names every client has always given them. One list for every client.
        #[doc(hidden)]
        pub mod exports {
            pub use super::{
                API_KEY_HEADER, API_VERSION, Client, ClientBuilder, Environment, USER_AGENT,
                builder, servers, types,
            };
            pub use ::lomi_runtime::{
                ApiError, ApiErrorKind, BuildError, ConnectionError, DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_MAX_CONCURRENT_REQUESTS, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT,
                DecodeError, ENV_API_KEY, ENV_BASE_URL, ENV_ENVIRONMENT, Error, IDEMPOTENCY_KEY,
                IntoArg, InvalidInput, ItemStream, MAX_IDEMPOTENCY_KEY_LEN, RawRequest,
                RequestOptions, ResponseValue, RetryPolicy, TimeoutError,
            };
            /// HTTP methods, for [`Client::request`].
            pub use ::reqwest::Method;
            /// The JSON crate the models use, for free-form fields such as `metadata`:
            /// build them with [`json!`] and pass a `serde_json::Value` or a `Map` (see
            /// [`IntoArg`]).
            pub use ::serde_json;
            pub use ::serde_json::json;

            /// What most code using the client needs: the client, its models, and the
            /// stream extension traits for [`ItemStream`].
            pub mod prelude {
                pub use super::super::{Client, types};
                pub use ::futures_util::{StreamExt, TryStreamExt};
                pub use ::lomi_runtime::{Error, RequestOptions};
            }
        }

        /// The `User-Agent` every request carries: this crate and its version.
        pub const USER_AGENT: &str =
            ::std::concat!(::std::env!("CARGO_PKG_NAME"), "/", ::std::env!("CARGO_PKG_VERSION"));

        /// Configures and builds a [`Client`]; start with [`Client::builder`].
        pub type ClientBuilder = ::lomi_runtime::ClientBuilder<Client>;

        /// Which lomi. environment a client talks to.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub enum Environment {
            /// Production: real money, live keys.
            #[default]
            Live,
            /// The sandbox: test keys, no money moves.
            Sandbox,
        }

        impl Environment {
            /// The base URL of this environment, as the spec's `servers` declare it
            /// (marked `x-lomi-environment`); `None` when the spec declares no such server.
            pub fn base_url(self) -> ::std::option::Option<&'static str> {
                match self {
                    Environment::Live => servers::LIVE,
                    Environment::Sandbox => servers::SANDBOX,
                }
            }
        }

        impl ::std::convert::From<Environment> for ::lomi_runtime::Environment {
            fn from(environment: Environment) -> Self {
                match environment {
                    Environment::Live => ::lomi_runtime::Environment::Live,
                    Environment::Sandbox => ::lomi_runtime::Environment::Sandbox,
                }
            }
        }

        impl Client {
            /// Starts building a client that authenticates with `api_key` (sent where the
            /// spec says) against the live environment.
            pub fn builder(api_key: impl ::std::convert::Into<::std::string::String>) -> ClientBuilder {
                ClientBuilder::new(api_key)
            }

            /// A client configured from the environment: `LOMI_API_KEY` (required),
            /// `LOMI_ENVIRONMENT` (`live` or `sandbox`, default `live`) and
            /// `LOMI_BASE_URL` (overrides the environment's URL).
            pub fn from_env() -> ::std::result::Result<Client, ::lomi_runtime::BuildError> {
                ClientBuilder::from_env()?.build()
            }

            /// The base URL every request is sent to.
            pub fn baseurl(&self) -> &str {
                self.core.baseurl()
            }

            /// A client for calls with some settings changed: retries and timeouts.
            /// Cheap: the connection pool and the concurrency limit are shared with
            /// `self`. (An idempotency key belongs to one call: set it on the call's
            /// builder.)
            pub fn with_options(&self, options: ::lomi_runtime::RequestOptions) -> Client {
                Client { core: self.core.with_options(options) }
            }

            /// A request to any path of the API, for what the spec does not describe
            /// yet, with everything a generated call gets: see
            /// [`RawRequest`](::lomi_runtime::RawRequest).
            pub fn request(
                &self,
                method: ::reqwest::Method,
                path: impl ::std::convert::Into<::std::string::String>,
            ) -> ::lomi_runtime::RawRequest<'_> {
                self.core.request(method, path)
            }
        }
    }
}
