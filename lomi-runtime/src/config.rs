//! Building a client: the API key, the environment and the HTTP settings.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use reqwest::header::{HeaderMap, HeaderValue};

use std::marker::PhantomData;

use crate::core::{Api, Core, RetryPolicy, Settings};

/// Default time allowed to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Default time allowed for each attempt, from sending it to reading the whole body.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Default cap on requests in flight (and so on open connections) per client.
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 64;

/// Default cap on the size of a response body.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// The environment variables a client's `from_env` reads.
pub const ENV_API_KEY: &str = "LOMI_API_KEY";
/// Overrides the base URL (e.g. a local mock).
pub const ENV_BASE_URL: &str = "LOMI_BASE_URL";
/// `live` (the default) or `sandbox`.
pub const ENV_ENVIRONMENT: &str = "LOMI_ENVIRONMENT";

/// Which lomi. environment a client talks to, whatever its API: each generated client
/// has an `Environment` of its own with the URLs of its spec's servers, which converts
/// into this one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Environment {
    /// Production: real money, live keys.
    #[default]
    Live,
    /// The sandbox: test keys, no money moves.
    Sandbox,
}

impl Environment {
    /// `live` or `sandbox`, as `LOMI_ENVIRONMENT` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Environment::Live => "live",
            Environment::Sandbox => "sandbox",
        }
    }

    /// The URL `info`'s spec declares for this environment.
    pub fn base_url_in(self, info: &crate::core::ApiInfo) -> Option<&'static str> {
        match self {
            Environment::Live => info.live,
            Environment::Sandbox => info.sandbox,
        }
    }
}

/// Configures and builds a client of type `C` (a generated `Client`); start with its
/// `Client::builder`.
///
/// ```
/// use std::time::Duration;
///
/// let client = lomi_client::Client::builder("lomi_sk_test_123")
///     .sandbox()
///     .timeout(Duration::from_secs(20))
///     .build()?;
/// # Ok::<(), lomi_client::BuildError>(())
/// ```
pub struct ClientBuilder<C> {
    api_key: String,
    api_key_prefix: Option<String>,
    base_url: Result<String, Environment>,
    allow_insecure_http: bool,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    max_concurrent_requests: usize,
    max_response_bytes: usize,
    http: Option<reqwest::Client>,
    client: PhantomData<fn() -> C>,
}

impl<C> Clone for ClientBuilder<C> {
    fn clone(&self) -> Self {
        ClientBuilder {
            api_key: self.api_key.clone(),
            api_key_prefix: self.api_key_prefix.clone(),
            base_url: self.base_url.clone(),
            allow_insecure_http: self.allow_insecure_http,
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            retry: self.retry,
            max_concurrent_requests: self.max_concurrent_requests,
            max_response_bytes: self.max_response_bytes,
            http: self.http.clone(),
            client: PhantomData,
        }
    }
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &"<redacted>")
            .field("api_key_prefix", &self.api_key_prefix)
            .field("base_url", &self.base_url)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("max_concurrent_requests", &self.max_concurrent_requests)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("http_client", &self.http.is_some())
            .finish()
    }
}

impl<C: Api> ClientBuilder<C> {
    /// Starts building a client that authenticates with `api_key` (sent where the spec
    /// says, e.g. the `X-API-KEY` header) against the live environment. A generated
    /// client's `Client::builder` calls it.
    ///
    /// ```
    /// let client = lomi_client::Client::builder("lomi_sk_live_123").build()?;
    /// assert_eq!(Some(client.baseurl()), lomi_client::servers::LIVE);
    /// # Ok::<(), lomi_client::BuildError>(())
    /// ```
    pub fn new(api_key: impl Into<String>) -> Self {
        ClientBuilder {
            api_key: api_key.into(),
            api_key_prefix: C::INFO.key_prefix.map(str::to_string),
            base_url: C::INFO.default.map(str::to_string).ok_or(Environment::Live),
            allow_insecure_http: false,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            retry: RetryPolicy::default(),
            max_concurrent_requests: DEFAULT_MAX_CONCURRENT_REQUESTS,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            http: None,
            client: PhantomData,
        }
    }

    /// A builder configured from the environment, for further settings; see
    /// a client's `from_env`.
    pub fn from_env() -> Result<Self, BuildError> {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// A builder configured from `lookup` (a stand-in for the environment, e.g. a map
    /// in tests): the variables of a client's `from_env`.
    ///
    /// ```
    /// use std::collections::HashMap;
    ///
    /// let vars = HashMap::from([("LOMI_API_KEY", "lomi_sk_test_1"), ("LOMI_ENVIRONMENT", "sandbox")]);
    /// let client = lomi_client::ClientBuilder::from_env_with(|n| vars.get(n).map(|v| v.to_string()))?
    ///     .build()?;
    /// assert_eq!(Some(client.baseurl()), lomi_client::servers::SANDBOX);
    /// # Ok::<(), lomi_client::BuildError>(())
    /// ```
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, BuildError> {
        let set = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let key = set(ENV_API_KEY).ok_or(BuildError::MissingEnv(ENV_API_KEY))?;
        let mut builder = Self::new(key);
        if let Some(env) = set(ENV_ENVIRONMENT) {
            builder = builder.environment(match env.trim().to_ascii_lowercase().as_str() {
                "live" | "production" => Environment::Live,
                "sandbox" | "test" => Environment::Sandbox,
                _ => {
                    return Err(BuildError::InvalidEnv {
                        name: ENV_ENVIRONMENT,
                        reason: format!("`{}` is neither `live` nor `sandbox`", env.trim()),
                    });
                }
            });
        }
        if let Some(url) = set(ENV_BASE_URL) {
            builder = builder.base_url(url.trim());
        }
        Ok(builder)
    }

    /// Puts `prefix` and a space before the key in the header (e.g. `Bearer`), as the
    /// official SDKs' `api_key_prefix` does. Most accounts need none.
    pub fn api_key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.api_key_prefix = Some(prefix.into());
        self
    }

    /// Talks to `environment` (the live one by default).
    pub fn environment(mut self, environment: impl Into<Environment>) -> Self {
        let environment = environment.into();
        self.base_url = environment
            .base_url_in(&C::INFO)
            .map(str::to_string)
            .ok_or(environment);
        self
    }

    /// Talks to the sandbox; the same as `.environment(Environment::Sandbox)`.
    pub fn sandbox(self) -> Self {
        self.environment(Environment::Sandbox)
    }

    /// Talks to any server, such as a local mock in tests. The URL includes the path
    /// stem, e.g. `http://127.0.0.1:8080/v1`; a trailing `/` is ignored.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Ok(url.into());
        self
    }

    /// Allows a plain `http://` base URL that is not on this machine. Only for a
    /// trusted network: the API key would cross it in the clear.
    pub fn allow_insecure_http(mut self) -> Self {
        self.allow_insecure_http = true;
        self
    }

    /// Time allowed for each attempt, from sending to the last byte of the body
    /// (default 60 s). A timed-out attempt is retried like a connection failure.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How failed attempts are retried (default: 2 retries, backoff from 0.5 s to 8 s).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How many times a failed attempt is retried (0 turns retrying off); the rest of
    /// the policy (backoff, set with [`retry_policy`](ClientBuilder::retry_policy) before
    /// or after) is kept.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.retry = self.retry.with_max_retries(retries);
        self
    }

    /// The most requests this client (and those made from it with
    /// its `with_options`) has in flight at once; more wait their turn (default
    /// 64). Pooled connections are reused, so open connections stay at about this number
    /// (a few more while finished ones are handed back to the pool).
    pub fn max_concurrent_requests(mut self, limit: usize) -> Self {
        self.max_concurrent_requests = limit.max(1);
        self
    }

    /// The largest response body accepted; a larger one fails with
    /// [`crate::Error::Decode`] without being read into memory (default 32 MiB).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Time allowed to open a connection (default 10 s). Not applied to a client given
    /// with [`http_client`](ClientBuilder::http_client): set it on that client.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sends through `http` instead of a client this builder makes, as progenitor's
    /// `Client::new_with_client` does: for a proxy, extra root certificates, a DNS
    /// override, or to share the application's connection pool. The API key, the
    /// user agent, `Accept`, idempotency keys, timeouts, retries and limits are still
    /// applied to every request; TLS, proxies and the connect timeout are `http`'s own.
    ///
    /// With the default `rustls` feature, reqwest is built without a crypto provider of
    /// its own (lomi. brings ring, not aws-lc): a client built before any lomi. client
    /// needs a provider installed first, unless the application's reqwest enables a TLS
    /// feature itself.
    ///
    /// ```
    /// let _ = rustls::crypto::ring::default_provider().install_default();
    /// let http = reqwest::Client::builder()
    ///     .connect_timeout(std::time::Duration::from_secs(3))
    ///     .build()?;
    /// let client = lomi_client::Client::builder("lomi_sk_test_123")
    ///     .http_client(http)
    ///     .build()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// Fails with a [`BuildError`] naming the setting at fault: an empty key, a key or
    /// prefix that cannot be sent in a header, or a base URL that is not an absolute
    /// `https` URL (`http` is accepted for loopback addresses, or with
    /// [`allow_insecure_http`](Self::allow_insecure_http)).
    pub fn build(self) -> Result<C, BuildError> {
        let base_url = match &self.base_url {
            Ok(url) => check_base_url(url, self.allow_insecure_http)?,
            Err(environment) => return Err(BuildError::NoServer(environment.name())),
        };
        let mut headers = HeaderMap::new();
        let key = self.api_key_header()?;
        if let Some(header) = C::INFO.key_header {
            let name = reqwest::header::HeaderName::try_from(header).map_err(|_| {
                BuildError::InvalidApiKey(format!(
                    "the spec's key header `{header}` is not a header name"
                ))
            })?;
            headers.insert(name, key);
        }
        headers.insert(
            reqwest::header::USER_AGENT,
            HeaderValue::from_static(C::INFO.user_agent),
        );
        let settings = Settings {
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            retry: self.retry,
            max_response_bytes: self.max_response_bytes,
            api_key: self.api_key.trim().to_string(),
            headers,
            own_http: self.http.is_some(),
            limiter: Arc::new(Semaphore::new(self.max_concurrent_requests.max(1))),
            info: C::INFO,
        };
        let http = match self.http {
            Some(http) => http,
            None => settings.http_client().map_err(BuildError::Http)?,
        };
        Ok(C::from_core(Core {
            baseurl: base_url,
            http,
            settings: Arc::new(settings),
        }))
    }

    fn api_key_header(&self) -> Result<HeaderValue, BuildError> {
        let key = self.api_key.trim();
        if key.is_empty() {
            return Err(BuildError::InvalidApiKey("the API key is empty".into()));
        }
        let prefix = self.api_key_prefix.as_deref().map(str::trim);
        // Never echo the key: say only what kind of character is wrong.
        if !key
            .bytes()
            .chain(prefix.unwrap_or("").bytes())
            .all(|b| b.is_ascii_graphic())
        {
            return Err(BuildError::InvalidApiKey(
                "the API key or its prefix contains whitespace, a control character or \
                 non-ASCII text"
                    .into(),
            ));
        }
        let value = match prefix {
            Some(prefix) if !prefix.is_empty() => format!("{prefix} {key}"),
            _ => key.to_string(),
        };
        let mut value = HeaderValue::from_str(&value).map_err(|_| {
            BuildError::InvalidApiKey("the API key cannot be sent in an HTTP header".into())
        })?;
        value.set_sensitive(true);
        Ok(value)
    }
}

fn check_base_url(raw: &str, allow_insecure_http: bool) -> Result<String, BuildError> {
    let bad = |reason: &str| BuildError::InvalidBaseUrl {
        url: raw.to_string(),
        reason: reason.to_string(),
    };
    let url = reqwest::Url::parse(raw.trim()).map_err(|e| match e {
        url::ParseError::RelativeUrlWithoutBase => {
            bad("it is relative: give an absolute URL such as `https://api.example.com/v1`")
        }
        e => bad(&e.to_string()),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("the scheme must be http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("it has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("it must not have a query string or a fragment"));
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if url.scheme() == "http" && !loopback && !allow_insecure_http {
        return Err(bad(
            "plain http would send the API key in the clear: use https, or call \
             `.allow_insecure_http()` for a trusted network",
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// Why [`ClientBuilder::build`] failed. The API key never appears in it.
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// The API key (or its prefix) is empty or cannot be sent in a header.
    InvalidApiKey(String),
    /// The base URL is not an absolute `http(s)` URL.
    InvalidBaseUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The HTTP client could not be set up (for example, TLS initialisation failed).
    Http(String),
    /// A required environment variable is not set (or is empty).
    MissingEnv(&'static str),
    /// The spec declares no server for this environment (`live` or `sandbox`), so the
    /// client needs [`ClientBuilder::base_url`].
    NoServer(&'static str),
    /// An environment variable has a value that cannot be used.
    InvalidEnv {
        /// The variable.
        name: &'static str,
        /// What is wrong with its value.
        reason: String,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::InvalidApiKey(why) => write!(f, "invalid API key: {why}"),
            BuildError::InvalidBaseUrl { url, reason } => {
                write!(f, "invalid base URL `{url}`: {reason}")
            }
            BuildError::Http(e) => write!(f, "cannot set up the HTTP client: {e}"),
            BuildError::MissingEnv(name) => {
                write!(f, "the environment variable {name} is not set")
            }
            BuildError::InvalidEnv { name, reason } => write!(f, "invalid {name}: {reason}"),
            BuildError::NoServer(environment) => write!(
                f,
                "the spec declares no {environment} server: set one with `.base_url(..)`"
            ),
        }
    }
}

impl std::error::Error for BuildError {}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::core::ApiInfo;

    /// A client of a spec with a live and a sandbox server and a key header.
    #[derive(Debug)]
    pub(crate) struct TestClient(pub(crate) Core);

    impl Api for TestClient {
        const INFO: ApiInfo = ApiInfo {
            user_agent: "lomi-runtime-test/0",
            live: Some("https://live.test/v1"),
            sandbox: Some("https://sandbox.test/v1"),
            default: Some("https://live.test/v1"),
            key_header: Some("X-API-KEY"),
            key_query: None,
            key_prefix: None,
        };
        fn from_core(core: Core) -> Self {
            TestClient(core)
        }
        fn core(&self) -> &Core {
            &self.0
        }
    }

    impl TestClient {
        pub(crate) fn builder(key: &str) -> ClientBuilder<TestClient> {
            ClientBuilder::new(key)
        }
        pub(crate) fn baseurl(&self) -> &str {
            self.0.baseurl()
        }
    }

    #[test]
    fn max_retries_changes_only_the_count() {
        let patient = RetryPolicy::default()
            .initial_backoff(Duration::from_secs(2))
            .max_backoff(Duration::from_secs(30));
        let builder = TestClient::builder("k")
            .retry_policy(patient)
            .max_retries(5);
        assert_eq!(builder.retry, patient.with_max_retries(5));
        assert_eq!(builder.retry.max_retries(), 5);
        assert_ne!(builder.retry, RetryPolicy::new(5), "the backoff is kept");
    }

    #[test]
    fn base_urls_are_checked_and_trimmed() {
        assert_eq!(
            check_base_url("http://127.0.0.1:8080/v1/", false).unwrap(),
            "http://127.0.0.1:8080/v1"
        );
        for ok in [
            "http://localhost:1/v1",
            "http://[::1]:1",
            "https://example.com",
        ] {
            assert!(check_base_url(ok, false).is_ok(), "{ok}");
        }
        assert!(check_base_url("http://10.0.0.5/v1", true).is_ok());
        for (bad, why) in [
            ("api.lomi.africa/v1", "it is relative: give an absolute URL"),
            ("/v1", "it is relative: give an absolute URL"),
            ("ftp://api.lomi.africa", "scheme must be http or https"),
            ("https://api.lomi.africa/v1?x=1", "query string"),
            (
                "http://api.lomi.africa/v1",
                "plain http would send the API key in the clear",
            ),
        ] {
            let e = check_base_url(bad, false).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
            assert!(e.contains(bad), "{e}");
        }
    }

    #[test]
    fn bad_keys_are_refused_without_echoing_them() {
        let e = TestClient::builder("  ").build().unwrap_err();
        assert_eq!(e.to_string(), "invalid API key: the API key is empty");
        let e = TestClient::builder("lomi_sk_secret\n")
            .api_key_prefix("Bé")
            .build()
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("invalid API key: the API key or its prefix contains")
        );
        let e = TestClient::builder("lomi_sk secret").build().unwrap_err();
        assert!(e.to_string().contains("whitespace"), "{e}");
        assert!(!e.to_string().contains("lomi_sk_secret"));
    }

    #[test]
    fn debug_output_never_shows_the_key() {
        let builder = TestClient::builder("lomi_sk_secret_1");
        assert!(!format!("{builder:?}").contains("lomi_sk_secret_1"));
        let client = builder.build().unwrap();
        assert!(!format!("{client:?}").contains("lomi_sk_secret_1"));
    }

    #[test]
    fn environments_pick_the_spec_servers() {
        let live = TestClient::builder("k").build().unwrap();
        assert_eq!(Some(live.baseurl()), TestClient::INFO.live);
        let sandbox = TestClient::builder("k").sandbox().build().unwrap();
        assert_eq!(Some(sandbox.baseurl()), TestClient::INFO.sandbox);
    }
}

#[cfg(test)]
mod env_tests {
    use std::collections::HashMap;

    use super::tests::TestClient;
    use super::*;

    fn from(vars: &[(&str, &str)]) -> Result<ClientBuilder<TestClient>, BuildError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ClientBuilder::<TestClient>::from_env_with(|name| vars.get(name).cloned())
    }

    #[test]
    fn the_key_is_required_and_named_when_missing() {
        let e = from(&[("LOMI_ENVIRONMENT", "sandbox")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the environment variable LOMI_API_KEY is not set"
        );
        let e = from(&[("LOMI_API_KEY", "  ")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the environment variable LOMI_API_KEY is not set"
        );
    }

    #[test]
    fn environment_and_base_url_are_read() {
        let live = from(&[("LOMI_API_KEY", "k")]).unwrap().build().unwrap();
        assert_eq!(Some(live.baseurl()), TestClient::INFO.live);
        let sandbox = from(&[("LOMI_API_KEY", "k"), ("LOMI_ENVIRONMENT", " Sandbox ")])
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(Some(sandbox.baseurl()), TestClient::INFO.sandbox);
        let local = from(&[
            ("LOMI_API_KEY", "k"),
            ("LOMI_ENVIRONMENT", "sandbox"),
            ("LOMI_BASE_URL", "http://127.0.0.1:9999/v1"),
        ])
        .unwrap()
        .build()
        .unwrap();
        assert_eq!(local.baseurl(), "http://127.0.0.1:9999/v1");
    }

    #[test]
    fn a_bad_environment_is_named_without_the_key() {
        let e = from(&[
            ("LOMI_API_KEY", "lomi_sk_secret"),
            ("LOMI_ENVIRONMENT", "staging"),
        ])
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            "invalid LOMI_ENVIRONMENT: `staging` is neither `live` nor `sandbox`"
        );
    }
}
