//! The client core every generated client wraps, and what happens around every request,
//! one concern a module:
//!
//! - `retry`: which failures are retried and after how long (pure, table-tested);
//! - `options`: settings changed for some calls, and idempotency keys;
//! - `params`: the checks the generated builders run before sending;
//! - `execute`: one call, from the request a builder built to its response or
//!   [`crate::Error`] (timeouts, keys, retries, bounded bodies, tracing, error envelopes).
//!
//! [`crate::ClientBuilder`] builds a [`Core`]; a generated `Client` holds one and
//! implements [`Api`], which tells the runtime what its spec decides (servers, where the
//! key goes, the user agent). `codegen/src/emit/contract.rs` lists the rest of the contract.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;
use tokio::sync::Semaphore;

mod execute;
mod options;
mod params;
mod retry;

pub use crate::arg::Refusals;
pub(crate) use execute::request_id_str;
pub use execute::{Response, execute};
pub use options::{CallOptions, IDEMPOTENCY_KEY, MAX_IDEMPOTENCY_KEY_LEN, RequestOptions};
pub use params::{
    Bounds, Operation, ParamValue, arg, arg_within, check_path_segment, check_set, encode_path,
    form, header_value, optional, query_value, refused, required, set_body, set_param,
    set_param_within,
};
pub use retry::RetryPolicy;

/// What a spec decides about a client, which the runtime needs: the generated code
/// fills one in (see [`Api`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiInfo {
    /// The `User-Agent` every request carries (the generated crate's name and version).
    pub user_agent: &'static str,
    /// The live server (`x-lomi-environment: live`, else the first unmarked one).
    pub live: Option<&'static str>,
    /// The sandbox server (`x-lomi-environment: sandbox`).
    pub sandbox: Option<&'static str>,
    /// The server used when none is chosen.
    pub default: Option<&'static str>,
    /// The header that carries the API key.
    pub key_header: Option<&'static str>,
    /// The query parameter that carries the API key, when no header does.
    pub key_query: Option<&'static str>,
    /// What precedes the key in its header (`Bearer`).
    pub key_prefix: Option<&'static str>,
}

/// A generated client: a [`Core`] and the facts of its spec. Implemented by the
/// generator for each API's `Client`; not meant to be implemented by hand.
pub trait Api: Sized {
    /// What the spec decides.
    const INFO: ApiInfo;
    /// The client around `core`.
    fn from_core(core: Core) -> Self;
    /// The core this client sends through.
    fn core(&self) -> &Core;
}

/// A client's base URL, HTTP client and settings: what every generated client holds.
/// Cheap to clone (the connection pool and settings are shared).
#[derive(Clone)]
pub struct Core {
    pub(crate) baseurl: String,
    pub(crate) http: reqwest::Client,
    pub(crate) settings: Arc<Settings>,
}

impl Core {
    /// The base URL every request is sent to, without a trailing `/`.
    pub fn baseurl(&self) -> &str {
        &self.baseurl
    }

    /// The HTTP client requests are built with.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }
}

/// Everything a client was built with that its calls need.
#[derive(Clone)]
pub(crate) struct Settings {
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_bytes: usize,
    /// The key, trimmed, for a spec that sends it in the query. Never printed.
    pub(crate) api_key: String,
    /// Set on every request that lacks them: the user agent, and the key's header
    /// when the spec puts it in one. Per request rather than the HTTP client's defaults,
    /// so that a client given with `http_client` sends them too.
    pub(crate) headers: HeaderMap,
    /// Whether the HTTP client is the application's (`ClientBuilder::http_client`): a
    /// per-call connect timeout cannot then rebuild it.
    pub(crate) own_http: bool,
    /// Bounds requests in flight; shared by every client derived from one `build()`.
    pub(crate) limiter: Arc<Semaphore>,
    /// What the client's spec decides.
    pub(crate) info: ApiInfo,
}

impl Settings {
    /// The HTTP client these settings describe (again, for a per-call connect timeout).
    pub(crate) fn http_client(&self) -> Result<reqwest::Client, String> {
        let builder = reqwest::Client::builder().connect_timeout(self.connect_timeout);
        #[cfg(feature = "rustls")]
        let builder = builder.tls_backend_preconfigured(tls::config()?);
        builder.build().map_err(|e| e.to_string())
    }
}

/// rustls with the ring provider and the platform's verifier (the system's roots).
#[cfg(feature = "rustls")]
mod tls {
    use std::sync::{Arc, OnceLock};

    use rustls::ClientConfig;
    use rustls_platform_verifier::BuilderVerifierExt;

    /// Built once per process: reading the platform's roots is not free.
    ///
    /// The crypto provider is the process's default if the application installed one,
    /// else ring, which is then installed as the default: with reqwest's
    /// `rustls-no-provider` in the build, any other reqwest client of the process that
    /// enables no TLS feature itself needs a default provider to build.
    pub(super) fn config() -> Result<ClientConfig, String> {
        static CONFIG: OnceLock<Result<ClientConfig, String>> = OnceLock::new();
        CONFIG
            .get_or_init(|| {
                let provider = match rustls::crypto::CryptoProvider::get_default() {
                    Some(provider) => provider.clone(),
                    None => {
                        let ring = rustls::crypto::ring::default_provider();
                        // Lost a race with another installer: use whatever won.
                        let _ = ring.clone().install_default();
                        rustls::crypto::CryptoProvider::get_default()
                            .cloned()
                            .unwrap_or_else(|| Arc::new(ring))
                    }
                };
                let mut config = ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .and_then(|b| b.with_platform_verifier())
                    .map_err(|e| format!("cannot set up TLS: {e}"))?
                    .with_no_client_auth();
                config.alpn_protocols = if cfg!(feature = "http2") {
                    vec![b"h2".to_vec(), b"http/1.1".to_vec()]
                } else {
                    vec![b"http/1.1".to_vec()]
                };
                Ok(config)
            })
            .clone()
    }
}

impl fmt::Debug for Core {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.settings;
        f.debug_struct("Core")
            .field("baseurl", &self.baseurl)
            .field("retry", &s.retry)
            .field("timeout", &s.timeout)
            .field("connect_timeout", &s.connect_timeout)
            .field("max_response_bytes", &s.max_response_bytes)
            .finish_non_exhaustive()
    }
}
