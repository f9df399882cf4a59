//! Running one operation of the table: the client from the global flags, the request from
//! the operation's arguments, the answer printed as JSON.

use std::io::{IsTerminal, Read, Write};
use std::time::Duration;

use clap::ArgMatches;
use futures_util::TryStreamExt;
use lomi_client::{Error, Method};
use serde_json::{Map, Value};

use crate::Failure;
use crate::table::{self, Kind, Location, Operation, Pages};

/// Which of lomi.'s APIs the command speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Api {
    /// lomi.'s current API (its June 2026 document), the one its servers route: the
    /// operations of `lomi-sdk`.
    #[default]
    Current,
    /// lomi.'s 1.1.0 document, the official Python SDK 1.1.0's: the operations of
    /// `lomi-client`.
    #[value(name = "1.1.0")]
    V1_1_0,
}

impl Api {
    /// The command table of this API.
    pub fn operations(self) -> &'static [Operation] {
        match self {
            Api::Current => crate::generated_current::OPERATIONS,
            Api::V1_1_0 => crate::generated::OPERATIONS,
        }
    }

    /// The path its servers put before every operation's (`/v1` for 1.1.0, none for
    /// the current API), which a local mock of it serves under too.
    pub fn base_path(self) -> String {
        let server = match self {
            Api::Current => lomi_sdk::servers::DEFAULT,
            Api::V1_1_0 => lomi_client::servers::DEFAULT,
        };
        server
            .and_then(|url| reqwest::Url::parse(url).ok())
            .map(|url| url.path().trim_end_matches('/').to_string())
            .unwrap_or_default()
    }

    /// The `--api` the command line gives (`--api X` or `--api=X`, before a `--`), else
    /// `LOMI_API`, else the current API: read before clap parses, as the commands clap
    /// is given depend on it. An unknown value is left for clap to refuse.
    pub fn from_args(args: &[std::ffi::OsString]) -> Api {
        use clap::ValueEnum;
        let mut given = None;
        let mut words = args.iter().skip(1).map(|a| a.to_string_lossy());
        while let Some(word) = words.next() {
            if word == "--" {
                break;
            }
            if word == "--api" {
                given = words.next().map(|v| v.to_string());
            } else if let Some(value) = word.strip_prefix("--api=") {
                given = Some(value.to_string());
            }
        }
        given
            .or_else(|| std::env::var("LOMI_API").ok())
            .and_then(|value| Api::from_str(&value, true).ok())
            .unwrap_or_default()
    }
}

/// The flags every operation takes: before the command (`lomi --base-url URL
/// checkout-sessions create …`) or after it. Each of `lomi`'s own commands takes only
/// those it uses ([`MockSide`], [`ApiOnly`]); [`Globals::merged`] reads them wherever
/// they were given.
#[derive(clap::Args, Debug)]
pub struct Globals {
    /// Which of lomi.'s APIs to speak: `current` (the one its servers route) or `1.1.0`
    /// (the official Python SDK 1.1.0's, as lomi-client).
    #[arg(long, value_enum, default_value_t = Api::Current, env = "LOMI_API")]
    pub api: Api,
    /// The API's base URL (e.g. a local `lomi mock`); default: lomi.'s sandbox, or the
    /// live API with --live.
    #[arg(long, env = "LOMI_BASE_URL")]
    pub base_url: Option<String>,
    /// Use lomi.'s sandbox (the default).
    #[arg(long, conflicts_with = "live")]
    pub sandbox: bool,
    /// Use lomi.'s live environment: real payments.
    #[arg(long)]
    pub live: bool,
    /// The API key. Prefer the LOMI_API_KEY variable: a flag is visible to other users
    /// of this machine in the process list.
    #[arg(long)]
    pub api_key: Option<String>,
    /// The Idempotency-Key of a POST (a random one otherwise).
    #[arg(long)]
    pub idempotency_key: Option<String>,
    /// Seconds allowed for each attempt.
    #[arg(long, value_parser = seconds)]
    pub timeout: Option<Duration>,
}

impl Globals {
    /// The flags given before the command (`top`), with those given after it (`leaf`,
    /// the matches of the command that runs) taking their place.
    pub fn merged(top: &clap::ArgMatches, leaf: &clap::ArgMatches) -> Result<Globals, String> {
        use clap::FromArgMatches as _;
        let mut globals = Globals::from_arg_matches(top).map_err(|e| e.to_string())?;
        let given = |id: &str| {
            leaf.try_contains_id(id).unwrap_or(false)
                && leaf.value_source(id) == Some(clap::parser::ValueSource::CommandLine)
        };
        let text = |id: &str| leaf.get_one::<String>(id).cloned();
        if given("api") {
            globals.api = leaf.get_one::<Api>("api").copied().unwrap_or_default();
        }
        if given("base_url") {
            globals.base_url = text("base_url");
        }
        if given("api_key") {
            globals.api_key = text("api_key");
        }
        if given("idempotency_key") {
            globals.idempotency_key = text("idempotency_key");
        }
        if given("timeout") {
            globals.timeout = leaf.get_one::<Duration>("timeout").copied();
        }
        globals.sandbox |= given("sandbox");
        globals.live |= given("live");
        if globals.sandbox && globals.live {
            return Err("--sandbox and --live do not go together".into());
        }
        Ok(globals)
    }
}

/// The flags of the commands that talk to a running `lomi mock` (`trigger`, `events`):
/// which API it serves, where it is, and the key it takes. Read through
/// [`Globals::merged`].
#[derive(clap::Args, Debug)]
pub struct MockSide {
    /// Which API the mock serves: `current` or `1.1.0` (as --api everywhere).
    #[arg(long, value_enum, default_value_t = Api::Current, env = "LOMI_API")]
    pub api: Api,
    /// The running mock's URL; default: http://127.0.0.1:12111 (with /v1 for --api
    /// 1.1.0).
    #[arg(long, env = "LOMI_BASE_URL")]
    pub base_url: Option<String>,
    /// The key the mock takes (LOMI_API_KEY otherwise, else the mock's test key; never
    /// the key `lomi login` kept, which is lomi.'s).
    #[arg(long)]
    pub api_key: Option<String>,
}

/// The flags of `lomi mock`: which API to serve, and the key it takes. Read through
/// [`Globals::merged`].
#[derive(clap::Args, Debug)]
pub struct ApiOnly {
    /// Which API to serve: `current` or `1.1.0` (as --api everywhere).
    #[arg(long, value_enum, default_value_t = Api::Current, env = "LOMI_API")]
    pub api: Api,
    /// The key the mock takes (LOMI_API_KEY otherwise, else lomi_sk_test_mock_0123456789).
    #[arg(long)]
    pub api_key: Option<String>,
}

fn seconds(text: &str) -> Result<Duration, String> {
    text.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| format!("{text:?} is not a number of seconds above 0"))
}

/// The API key: `--api-key`, `LOMI_API_KEY`, or the one `lomi login` kept; none if
/// none is given.
fn api_key(globals: &Globals) -> Result<Option<String>, Failure> {
    if let Some(key) = &globals.api_key {
        return Ok(Some(key.clone()));
    }
    match std::env::var(lomi_client::ENV_API_KEY) {
        Ok(key) => Ok(Some(key)),
        Err(_) => crate::config::api_key(),
    }
}

/// A client of either API: the command sends through its escape hatch, which both
/// share (the runtime's), to the paths its table says.
pub(crate) enum AnyClient {
    Current(lomi_sdk::Client),
    V1_1_0(lomi_client::Client),
}

impl AnyClient {
    /// A request to `path` of this client's API.
    pub(crate) fn request(
        &self,
        method: Method,
        path: impl Into<String>,
    ) -> lomi_client::RawRequest<'_> {
        match self {
            AnyClient::Current(client) => client.request(method, path),
            AnyClient::V1_1_0(client) => client.request(method, path),
        }
    }
}

/// The client the global flags describe.
fn client(globals: &Globals) -> Result<AnyClient, Failure> {
    let key = api_key(globals)?.ok_or_else(|| {
        Failure::Input(format!(
            "no API key: set {}, or run `lomi login` (or pass --api-key)",
            lomi_client::ENV_API_KEY
        ))
    })?;
    Ok(match globals.api {
        Api::Current => AnyClient::Current(build(lomi_sdk::Client::builder(key), globals)?),
        Api::V1_1_0 => AnyClient::V1_1_0(build(lomi_client::Client::builder(key), globals)?),
    })
}

/// `builder` with the environment or base URL the global flags say, built.
fn build<C: lomi_runtime::core::Api>(
    builder: lomi_runtime::ClientBuilder<C>,
    globals: &Globals,
) -> Result<C, Failure> {
    let builder = match &globals.base_url {
        Some(url) => builder.base_url(url),
        None if globals.live => builder,
        None => builder.sandbox(),
    };
    builder
        .build()
        .map_err(|e| Failure::Input(format!("cannot build the client: {e}")))
}

/// What a failed call is, for the exit code: lomi.'s answer (1), a refused argument (2),
/// no answer (3), an answer that is not what the spec says (4).
pub(crate) fn failure(e: Error) -> Failure {
    match &e {
        Error::Api(_) => Failure::Refused(e.to_string()),
        Error::InvalidInput(_) => Failure::Input(e.to_string()),
        Error::Connection(_) | Error::Timeout(_) => Failure::Unreachable(e.to_string()),
        _ => Failure::Decode(e.to_string()),
    }
}

/// The value of a flag, as its kind says.
fn value(op: &Operation, param: &table::Param, text: &str) -> Result<Value, Failure> {
    let flag = table::flag(op, param);
    let wrong = |what: &str| Failure::Input(format!("--{flag} must be {what}, got {text:?}"));
    Ok(match param.kind {
        Kind::Text => Value::String(text.to_string()),
        Kind::Integer => Value::from(text.parse::<i64>().map_err(|_| wrong("a whole number"))?),
        // A whole number stays one (`15000`, not `15000.0`).
        Kind::Number if text.parse::<i64>().is_ok() => {
            Value::from(text.parse::<i64>().unwrap_or(0))
        }
        Kind::Number => {
            let n = text.parse::<f64>().map_err(|_| wrong("a number"))?;
            serde_json::Number::from_f64(n)
                .map(Value::Number)
                .ok_or_else(|| wrong("a finite number"))?
        }
        Kind::Boolean => Value::Bool(text.parse::<bool>().map_err(|_| wrong("true or false"))?),
        Kind::Json => serde_json::from_str(text)
            .map_err(|e| Failure::Input(format!("--{flag} is not JSON: {e}")))?,
    })
}

/// The JSON of a `--data` argument: a file, or `-` for standard input.
pub fn read_data(path: &str) -> Result<Value, Failure> {
    let (label, text) = if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::Input(format!("cannot read --data from standard input: {e}")))?;
        ("standard input".to_string(), text)
    } else {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::Input(format!("cannot read --data {path}: {e}")))?;
        (path.to_string(), text)
    };
    serde_json::from_str(&text)
        .map_err(|e| Failure::Input(format!("--data {label} is not JSON: {e}")))
}

/// The `--data` body: a JSON object.
fn data(path: &str) -> Result<Map<String, Value>, Failure> {
    match read_data(path)? {
        Value::Object(map) => Ok(map),
        _ => {
            let label = if path == "-" { "standard input" } else { path };
            Err(Failure::Input(format!(
                "--data {label} must be a JSON object"
            )))
        }
    }
}

/// The value of `flag` as an http(s) URL, or an input error naming the flag (the url
/// crate already refuses an http(s) URL without a host).
pub(crate) fn http_url(flag: &str, text: &str) -> Result<reqwest::Url, Failure> {
    let url = reqwest::Url::parse(text)
        .map_err(|e| Failure::Input(format!("{flag} {text:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Failure::Input(format!(
            "{flag} {text:?} must be an http:// or https:// URL"
        )));
    }
    Ok(url)
}

/// The runtime a command's HTTP calls run on: one thread, the command's own.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Unreachable(format!("cannot start the HTTP runtime: {e}")))
}

/// One path segment, percent-encoded (`/` included).
pub(crate) fn segment(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC)
        .to_string()
        .replace("%2D", "-")
        .replace("%5F", "_")
        .replace("%2E", ".")
        .replace("%7E", "~")
}

/// Prints `value`: indented on a terminal, one line otherwise; nothing for an answer
/// without a body (a delete).
fn print(value: &Value) -> Result<(), Failure> {
    if value.is_null() {
        return Ok(());
    }
    let stdout = std::io::stdout();
    let text = if stdout.is_terminal() {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    }
    .map_err(|e| Failure::Decode(format!("cannot print the answer: {e}")))?;
    let mut out = stdout.lock();
    writeln!(out, "{text}").map_err(|e| Failure::Input(format!("cannot write the answer: {e}")))
}

/// What the flags of a call say to send.
struct Call {
    /// The path, its parameters filled in.
    path: String,
    query: Vec<(&'static str, String)>,
    headers: Vec<(&'static str, String)>,
    /// The JSON body: `--data`'s, with each body flag set on it.
    body: Option<Map<String, Value>>,
}

/// Reads `op`'s flags out of `matches`, each checked as its kind says (`--limit lots`
/// is refused) and sent as written.
fn call_of(op: &Operation, matches: &ArgMatches) -> Result<Call, Failure> {
    let mut call = Call {
        path: op.path.to_string(),
        query: Vec::new(),
        headers: Vec::new(),
        body: match matches.try_get_one::<String>("data").ok().flatten() {
            Some(file) => Some(data(file)?),
            None => None,
        },
    };
    for param in op.params.iter().chain(op.body) {
        let Some(text) = matches.get_one::<String>(&table::id(param)) else {
            if param.required && param.location == Location::Body {
                let present = call
                    .body
                    .as_ref()
                    .is_some_and(|b| b.contains_key(param.name));
                if !present {
                    return Err(Failure::Input(format!(
                        "--{} is required (or give it in --data)",
                        table::flag(op, param)
                    )));
                }
            }
            continue;
        };
        match param.location {
            Location::Path => {
                if text.is_empty() || text == "." || text == ".." {
                    return Err(Failure::Input(format!(
                        "{} must be an id, got {text:?}",
                        param.name.to_uppercase()
                    )));
                }
                call.path = call
                    .path
                    .replace(&format!("{{{}}}", param.name), &segment(text));
            }
            Location::Query => {
                value(op, param, text)?;
                call.query.push((param.name, text.clone()));
            }
            Location::Header => {
                value(op, param, text)?;
                call.headers.push((param.name, text.clone()));
            }
            Location::Body => {
                let value = value(op, param, text)?;
                call.body
                    .get_or_insert_with(Map::new)
                    .insert(param.name.to_string(), value);
            }
        }
    }
    Ok(call)
}

/// Runs `op` with its arguments `matches`: one request, or with `--all` every page of a
/// list, one item a line.
pub fn operation(op: &Operation, matches: &ArgMatches, globals: &Globals) -> Result<(), Failure> {
    // Long: one request, or the page walk's setup; the flags and the printing are functions of their own.
    let client = client(globals)?;
    let Call {
        path,
        query,
        headers,
        body,
    } = call_of(op, matches)?;
    let method = Method::from_bytes(op.method.as_bytes())
        .map_err(|_| Failure::Input(format!("the spec's method {} is not HTTP", op.method)))?;
    let all = matches.try_get_one::<bool>("all").ok().flatten() == Some(&true);
    runtime()?.block_on(async {
        let pages = op.pages.as_ref().filter(|_| all);
        let given = |name: &str| {
            query
                .iter()
                .find(|(n, _)| *n == name)
                .and_then(|(_, v)| v.parse::<f64>().ok())
                .filter(|v| v.fract() == 0.0 && *v >= 0.0)
                .map(|v| v as u64)
        };
        let size = pages.map(|p| given(p.size).unwrap_or(p.page_size));
        // `at`: the offset or page number of the page to ask for, when walking.
        let request = |at: Option<u64>| {
            let mut request = client.request(method.clone(), path.clone());
            for (name, value) in &query {
                if let (Some(_), Some(p)) = (at, pages)
                    && (*name == p.at || *name == p.size)
                {
                    continue;
                }
                request = request.query(*name, value);
            }
            if let (Some(at), Some(p), Some(size)) = (at, pages, size) {
                request = request.query(p.at, at).query(p.size, size);
            }
            for (name, value) in &headers {
                request = request.header(*name, value.clone());
            }
            if let Some(body) = &body {
                request = request.json(Value::Object(body.clone()));
            }
            if let Some(key) = &globals.idempotency_key {
                request = request.idempotency_key(key.clone());
            }
            if let Some(timeout) = globals.timeout {
                request = request.timeout(timeout);
            }
            request
        };
        let (Some(pages), Some(size)) = (pages, size) else {
            let answer = request(None).send().await.map_err(failure)?;
            return print(&answer.into_inner());
        };
        // Every page, from the first, one item a line: the runtime's walk, the clients'
        // `stream()`'s, with its guard against a server that ignores the offset or page.
        let request = &request;
        let fetch = |at| {
            let sent = request(Some(at)).send();
            async move { Ok(page_of(pages, sent.await?.into_inner())) }
        };
        // The table does not say whether the server takes the size as documented, so a
        // short page may be its cap: the walk reads on to an empty page.
        let mut items = match pages.first_page {
            None => lomi_runtime::pagination::offset_stream(
                given(pages.at).unwrap_or(0),
                size,
                false,
                fetch,
            ),
            Some(first) => lomi_runtime::pagination::page_number_stream(
                given(pages.at).unwrap_or(first),
                first,
                size,
                false,
                fetch,
            ),
        };
        print_items(&mut items).await
    })
}

/// Every item of `items`, one JSON line each.
async fn print_items(
    items: &mut lomi_runtime::pagination::ItemStream<'_, Value>,
) -> Result<(), Failure> {
    while let Some(item) = items.try_next().await.map_err(failure)? {
        let line = serde_json::to_string(&item)
            .map_err(|e| Failure::Decode(format!("cannot print an item: {e}")))?;
        writeln!(std::io::stdout().lock(), "{line}")
            .map_err(|e| Failure::Input(format!("cannot write the answer: {e}")))?;
    }
    Ok(())
}

/// One page of a list as `pages` says its answer holds it.
fn page_of(pages: &Pages, answer: Value) -> lomi_runtime::pagination::Page<Value> {
    let count = |pointer: Option<&str>| {
        pointer
            .and_then(|p| answer.pointer(p))
            .and_then(|v| lomi_runtime::pagination::count(v.as_f64()))
    };
    let (total, limit) = (count(pages.total), count(pages.reported_size));
    let items = match (answer, pages.items) {
        (Value::Array(items), _) => items,
        (Value::Object(mut map), Some(field)) => match map.remove(field) {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    lomi_runtime::pagination::Page {
        items,
        total,
        limit,
    }
}
