//! What happens around every request, one concern a module:
//!
//! - [`retry`]: which failures are retried and after how long (pure, table-tested);
//! - [`options`]: settings changed for some calls, and idempotency keys;
//! - [`params`]: the checks the generated builders run before sending;
//! - [`execute`]: one call, from the request a builder built to its response or
//!   [`crate::Error`] (timeouts, keys, retries, bounded bodies, tracing, error envelopes).
//!
//! `config` builds a [`Settings`], and the generated builders call what is re-exported
//! here (`codegen/src/contract.rs` lists it). Of the generated code, the runtime uses only
//! contract items: `Client` (its `client`, `baseurl` and `inner` fields; `with_options`
//! derives it) and `API_KEY_QUERY` (a key sent in the query, kept out of URLs in errors).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;
use tokio::sync::Semaphore;

mod execute;
mod options;
mod params;
mod retry;

pub use options::{IDEMPOTENCY_KEY, MAX_IDEMPOTENCY_KEY_LEN, RequestOptions};
// For the generated builders. A spec may use none of them (no operation, no bounded
// parameter, no generated type in a bounded parameter), so none may warn when unused.
pub(crate) use execute::request_id_str;
pub use retry::RetryPolicy;
#[allow(unused_imports)]
pub(crate) use {
    execute::execute,
    options::CallOptions,
    params::{
        Bounds, Operation, ParamValue, arg, check_bounds, check_path_segment, check_set,
        encode_path, form, header_value,
    },
};

/// Per-client state the generated code carries to the hooks. Cheap to clone.
#[derive(Clone)]
pub struct Runtime {
    pub(crate) settings: Arc<Settings>,
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
    /// Sent with every request: the key's header, when the spec puts it in one.
    pub(crate) default_headers: HeaderMap,
    /// Bounds requests in flight; shared by every client derived from one `build()`.
    pub(crate) limiter: Arc<Semaphore>,
}

impl Settings {
    /// The HTTP client these settings describe (again, for a per-call connect timeout).
    pub(crate) fn http_client(&self) -> Result<reqwest::Client, String> {
        let builder = reqwest::Client::builder()
            .user_agent(crate::USER_AGENT)
            .default_headers(self.default_headers.clone())
            .connect_timeout(self.connect_timeout);
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

impl Runtime {
    pub(crate) fn new(settings: Settings) -> Self {
        Runtime {
            settings: Arc::new(settings),
        }
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.settings;
        f.debug_struct("Runtime")
            .field("retry", &s.retry)
            .field("timeout", &s.timeout)
            .field("connect_timeout", &s.connect_timeout)
            .field("max_response_bytes", &s.max_response_bytes)
            .finish_non_exhaustive()
    }
}
