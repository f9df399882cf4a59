//! Running one operation of the table: the client from the global flags, the request from
//! the operation's arguments, the answer printed as JSON.

use std::io::{IsTerminal, Read, Write};
use std::time::Duration;

use clap::ArgMatches;
use lomi_client::{Client, Error, Method};
use serde_json::{Map, Value};

use crate::Failure;
use crate::table::{self, Kind, Location, Operation};

/// The flags every operation takes.
#[derive(clap::Args, Debug)]
pub struct Globals {
    /// The API's base URL (e.g. a local `lomi mock`); default: lomi.'s sandbox, or the
    /// live API with --live.
    #[arg(long, global = true, env = "LOMI_BASE_URL")]
    pub base_url: Option<String>,
    /// Use lomi.'s sandbox (the default).
    #[arg(long, global = true, conflicts_with = "live")]
    pub sandbox: bool,
    /// Use lomi.'s live environment: real payments.
    #[arg(long, global = true)]
    pub live: bool,
    /// The API key. Prefer the LOMI_API_KEY variable: a flag is visible to other users
    /// of this machine in the process list.
    #[arg(long, global = true)]
    pub api_key: Option<String>,
    /// The Idempotency-Key of a POST (a random one otherwise).
    #[arg(long, global = true)]
    pub idempotency_key: Option<String>,
    /// Seconds allowed for each attempt.
    #[arg(long, global = true, value_parser = seconds)]
    pub timeout: Option<Duration>,
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

/// The client the global flags describe.
fn client(globals: &Globals) -> Result<Client, Failure> {
    let key = api_key(globals)?.ok_or_else(|| {
        Failure::Input(format!(
            "no API key: set {}, or run `lomi login` (or pass --api-key)",
            lomi_client::ENV_API_KEY
        ))
    })?;
    let mut builder = Client::builder(key);
    builder = match &globals.base_url {
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
fn segment(text: &str) -> String {
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

/// Runs `op` with its arguments `matches`.
pub fn operation(op: &Operation, matches: &ArgMatches, globals: &Globals) -> Result<(), Failure> {
    let client = client(globals)?;
    let mut path = op.path.to_string();
    let mut query: Vec<(&str, String)> = Vec::new();
    let mut headers: Vec<(&str, String)> = Vec::new();
    let mut body = match matches.try_get_one::<String>("data").ok().flatten() {
        Some(file) => Some(data(file)?),
        None => None,
    };
    for param in op.params.iter().chain(op.body) {
        let Some(text) = matches.get_one::<String>(&table::id(param)) else {
            if param.required && param.location == Location::Body {
                let present = body.as_ref().is_some_and(|b| b.contains_key(param.name));
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
                path = path.replace(&format!("{{{}}}", param.name), &segment(text));
            }
            // Checked as their kind says (`--limit lots` is refused), sent as written.
            Location::Query => {
                value(op, param, text)?;
                query.push((param.name, text.clone()));
            }
            Location::Header => {
                value(op, param, text)?;
                headers.push((param.name, text.clone()));
            }
            Location::Body => {
                let value = value(op, param, text)?;
                body.get_or_insert_with(Map::new)
                    .insert(param.name.to_string(), value);
            }
        }
    }
    let method = Method::from_bytes(op.method.as_bytes())
        .map_err(|_| Failure::Input(format!("the spec's method {} is not HTTP", op.method)))?;
    let all = matches.try_get_one::<bool>("all").ok().flatten() == Some(&true);
    runtime()?.block_on(async {
        let request = |offset: Option<u64>| {
            let mut request = client.request(method.clone(), path.clone());
            for (name, value) in &query {
                if offset.is_some() && (*name == "offset" || *name == "limit") {
                    continue;
                }
                request = request.query(*name, value);
            }
            if let Some(offset) = offset {
                let limit = query
                    .iter()
                    .find(|(n, _)| *n == "limit")
                    .and_then(|(_, v)| v.parse::<u64>().ok())
                    .unwrap_or(op.page_size);
                request = request.query("offset", offset).query("limit", limit);
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
        if !all {
            let answer = request(None).send().await.map_err(failure)?;
            return print(&answer.into_inner());
        }
        // Every page, from the first, one item a line.
        let mut offset = query
            .iter()
            .find(|(n, _)| *n == "offset")
            .and_then(|(_, v)| v.parse::<u64>().ok())
            .unwrap_or(0);
        loop {
            let page = request(Some(offset))
                .send()
                .await
                .map_err(failure)?
                .into_inner();
            let items = page
                .get("data")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let mut out = std::io::stdout().lock();
            for item in &items {
                let line = serde_json::to_string(item)
                    .map_err(|e| Failure::Decode(format!("cannot print an item: {e}")))?;
                writeln!(out, "{line}")
                    .map_err(|e| Failure::Input(format!("cannot write the answer: {e}")))?;
            }
            let limit = page
                .pointer("/pagination/limit")
                .and_then(Value::as_u64)
                .unwrap_or(op.page_size)
                .max(1);
            let total = page.pointer("/pagination/total").and_then(Value::as_u64);
            offset += items.len() as u64;
            let short = (items.len() as u64) < limit;
            if items.is_empty() || short || total.is_some_and(|t| offset >= t) {
                return Ok(());
            }
        }
    })
}
