//! Building a [`Client`]: the API key, the environment and the HTTP settings.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};

use crate::generated::{API_KEY_HEADER, Client, servers};

/// The `User-Agent` every request carries: this crate and its version.
pub const USER_AGENT: &str = concat!("lomi-client/", env!("CARGO_PKG_VERSION"));

/// Default time allowed to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Default time allowed for a whole request, from sending it to reading the whole body.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Which lomi. environment a client talks to.
///
/// ```
/// use lomi_client::Environment;
///
/// assert_eq!(Environment::default(), Environment::Live);
/// assert_eq!(Environment::Sandbox.base_url(), "https://sandbox.api.lomi.africa/v1");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Environment {
    /// Production: real money, live keys.
    #[default]
    Live,
    /// The sandbox: test keys, no money moves.
    Sandbox,
}

impl Environment {
    /// The base URL of this environment, as the spec's `servers` declare it.
    pub fn base_url(self) -> &'static str {
        match self {
            Environment::Live => servers::PRODUCTION,
            Environment::Sandbox => servers::SANDBOX,
        }
    }
}

/// Configures and builds a [`Client`]; start with [`Client::builder`].
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
#[derive(Clone)]
pub struct ClientBuilder {
    api_key: String,
    api_key_prefix: Option<String>,
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &"<redacted>")
            .field("api_key_prefix", &self.api_key_prefix)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .finish()
    }
}

impl Client {
    /// Starts building a client that authenticates with `api_key` (sent as the
    /// `X-API-KEY` header) against the live environment.
    ///
    /// ```
    /// let client = lomi_client::Client::builder("lomi_sk_live_123").build()?;
    /// assert_eq!(client.baseurl(), "https://api.lomi.africa/v1");
    /// # Ok::<(), lomi_client::BuildError>(())
    /// ```
    pub fn builder(api_key: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            api_key: api_key.into(),
            api_key_prefix: None,
            base_url: servers::DEFAULT.to_string(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
        }
    }

    /// The base URL every request is sent to.
    pub fn baseurl(&self) -> &str {
        &self.baseurl
    }
}

impl ClientBuilder {
    /// Puts `prefix` and a space before the key in the header (e.g. `Bearer`), as the
    /// official SDKs' `api_key_prefix` does. Most accounts need none.
    pub fn api_key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.api_key_prefix = Some(prefix.into());
        self
    }

    /// Talks to `environment` (the live one by default).
    pub fn environment(mut self, environment: Environment) -> Self {
        self.base_url = environment.base_url().to_string();
        self
    }

    /// Talks to the sandbox; the same as `.environment(Environment::Sandbox)`.
    pub fn sandbox(self) -> Self {
        self.environment(Environment::Sandbox)
    }

    /// Talks to any server, such as a local mock in tests. The URL includes the path
    /// stem, e.g. `http://127.0.0.1:8080/v1`; a trailing `/` is ignored.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Time allowed for a whole request (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time allowed to open a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// Fails with a [`BuildError`] naming the setting at fault: an empty key, a key or
    /// prefix that cannot be sent in a header, or a base URL that is not an absolute
    /// `http(s)` URL.
    pub fn build(self) -> Result<Client, BuildError> {
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

        let base_url = check_base_url(&self.base_url)?;

        let mut headers = HeaderMap::new();
        headers.insert(API_KEY_HEADER, value);
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .default_headers(headers)
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .build()
            .map_err(BuildError::Http)?;
        Ok(Client::new_with_client(&base_url, http))
    }
}

fn check_base_url(raw: &str) -> Result<String, BuildError> {
    let bad = |reason: &str| BuildError::InvalidBaseUrl {
        url: raw.to_string(),
        reason: reason.to_string(),
    };
    let url = reqwest::Url::parse(raw.trim()).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("the scheme must be http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("it has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("it must not have a query string or a fragment"));
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
    Http(reqwest::Error),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::InvalidApiKey(why) => write!(f, "invalid API key: {why}"),
            BuildError::InvalidBaseUrl { url, reason } => {
                write!(f, "invalid base URL `{url}`: {reason}")
            }
            BuildError::Http(e) => write!(f, "cannot set up the HTTP client: {e}"),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::Http(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked_and_trimmed() {
        assert_eq!(
            check_base_url("http://127.0.0.1:8080/v1/").unwrap(),
            "http://127.0.0.1:8080/v1"
        );
        for (bad, why) in [
            ("api.lomi.africa/v1", "relative URL without a base"),
            ("ftp://api.lomi.africa", "scheme must be http or https"),
            ("https://api.lomi.africa/v1?x=1", "query string"),
        ] {
            let e = check_base_url(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
            assert!(e.contains(bad), "{e}");
        }
    }

    #[test]
    fn bad_keys_are_refused_without_echoing_them() {
        let e = Client::builder("  ").build().unwrap_err();
        assert_eq!(e.to_string(), "invalid API key: the API key is empty");
        let e = Client::builder("lomi_sk_secret\n")
            .api_key_prefix("Bé")
            .build()
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("invalid API key: the API key or its prefix contains")
        );
        let e = Client::builder("lomi_sk secret").build().unwrap_err();
        assert!(e.to_string().contains("whitespace"), "{e}");
        assert!(!e.to_string().contains("lomi_sk_secret"));
    }

    #[test]
    fn debug_output_never_shows_the_key() {
        let builder = Client::builder("lomi_sk_secret_1");
        assert!(!format!("{builder:?}").contains("lomi_sk_secret_1"));
        let client = builder.build().unwrap();
        assert!(!format!("{client:?}").contains("lomi_sk_secret_1"));
    }

    #[test]
    fn environments_pick_the_spec_servers() {
        let live = Client::builder("k").build().unwrap();
        assert_eq!(live.baseurl(), "https://api.lomi.africa/v1");
        let sandbox = Client::builder("k").sandbox().build().unwrap();
        assert_eq!(sandbox.baseurl(), "https://sandbox.api.lomi.africa/v1");
    }
}
