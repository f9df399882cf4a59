//! `lomi`: lomi.'s webhook events from the shell.
//!
//! - `lomi webhooks send --to URL --secret whsec_… --event NAME [--data FILE]` signs an
//!   event exactly as lomi. does (the body `{id, event, timestamp, data,
//!   lomi_environment}`, `X-Lomi-Signature` the HMAC-SHA256 of its bytes) and POSTs it to
//!   any endpoint: no mock and no lomi. account needed.
//! - `lomi webhooks verify --secret whsec_… --signature HEX < body.json` checks a captured
//!   body and says why it fails.
//!
//! Exit codes: 0 done; 1 refused (the endpoint answered an error, or the signature does
//! not match); 2 a bad argument or input (clap's own code for usage errors); 3 the
//! endpoint could not be reached.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use lomi_client::webhooks::{self, EVENT_HEADER, EventType, SIGNATURE_HEADER};

#[derive(Parser)]
#[command(
    name = "lomi",
    version,
    about = "lomi.'s webhook events from the shell"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Webhook events: sign and send one, or check a captured one.
    #[command(subcommand)]
    Webhooks(Webhooks),
}

#[derive(Subcommand)]
enum Webhooks {
    /// Sign an event as lomi. does and POST it to an endpoint (no mock needed).
    Send {
        /// The endpoint, e.g. http://127.0.0.1:3000/webhooks.
        #[arg(long)]
        to: String,
        /// The endpoint's secret (whsec_…).
        #[arg(long, env = "LOMI_WEBHOOK_SECRET", hide_env_values = true)]
        secret: String,
        /// The event: lomi.'s name (CHECKOUT_COMPLETED) or the Stripe-style spelling
        /// (checkout.completed).
        #[arg(long)]
        event: String,
        /// The event's `data`: a JSON file, or - for standard input (default: {}).
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Check a captured event body, read from standard input, against its
    /// X-Lomi-Signature and the endpoint's secret.
    Verify {
        /// The endpoint's secret (whsec_…).
        #[arg(long, env = "LOMI_WEBHOOK_SECRET", hide_env_values = true)]
        secret: String,
        /// The X-Lomi-Signature header as received (hex, with or without `sha256=`).
        #[arg(long)]
        signature: String,
    },
}

/// Why a command failed, and so its exit code.
enum Failure {
    /// The endpoint or the signature said no (1).
    Refused(String),
    /// An argument or input is wrong (2).
    Input(String),
    /// The endpoint could not be reached (3).
    Unreachable(String),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Webhooks(Webhooks::Send {
            to,
            secret,
            event,
            data,
        }) => send(&to, &secret, &event, data.as_ref()),
        Command::Webhooks(Webhooks::Verify { secret, signature }) => verify(&secret, &signature),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let (code, message) = match failure {
                Failure::Refused(m) => (1, m),
                Failure::Input(m) => (2, m),
                Failure::Unreachable(m) => (3, m),
            };
            eprintln!("error: {message}");
            ExitCode::from(code)
        }
    }
}

/// lomi.'s spelling of an event name: `checkout.completed` → `CHECKOUT_COMPLETED`.
fn event_name(name: &str) -> String {
    name.trim().replace(['.', '-'], "_").to_uppercase()
}

/// The `--data` file (or standard input) as JSON.
fn read_data(path: Option<&PathBuf>) -> Result<serde_json::Value, Failure> {
    let Some(path) = path else {
        return Ok(serde_json::json!({}));
    };
    let (label, text) = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::Input(format!("cannot read --data from standard input: {e}")))?;
        ("standard input".to_string(), text)
    } else {
        let label = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::Input(format!("cannot read --data {label}: {e}")))?;
        (label, text)
    };
    serde_json::from_str(&text)
        .map_err(|e| Failure::Input(format!("--data {label} is not JSON: {e}")))
}

fn send(to: &str, secret: &str, event: &str, data: Option<&PathBuf>) -> Result<(), Failure> {
    let url = reqwest::Url::parse(to)
        .map_err(|e| Failure::Input(format!("--to {to:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Failure::Input(format!(
            "--to {to:?} must be an http:// or https:// URL"
        )));
    }
    if secret.trim().is_empty() {
        return Err(Failure::Input("--secret is empty".into()));
    }
    let event = event_name(event);
    if event.is_empty() {
        return Err(Failure::Input("--event is empty".into()));
    }
    if matches!(EventType::from(event.as_str()), EventType::Unknown(_)) {
        eprintln!("note: {event} is not an event lomi. sends today; sending it anyway");
    }
    let data = read_data(data)?;
    let (id, body) = lomi_mock::event_payload(&event, &data);
    let signature = webhooks::sign(&body, secret);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Unreachable(format!("cannot start the HTTP runtime: {e}")))?;
    // reqwest is built here without a TLS provider of its own: ring, as lomi-client's.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let answer = runtime.block_on(async {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .user_agent("Lomi-Webhook/1.0")
            .build()
            .map_err(|e| Failure::Unreachable(format!("cannot build an HTTP client: {e}")))?;
        let response = http
            .post(url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, &signature)
            .header(EVENT_HEADER, &event)
            .body(body)
            .send()
            .await
            .map_err(|e| {
                let why = if e.is_timeout() {
                    "no answer within 10 s".to_string()
                } else if e.is_connect() {
                    "nothing accepts connections there".to_string()
                } else {
                    e.to_string()
                };
                Failure::Unreachable(format!("cannot deliver {event} to {url}: {why}"))
            })?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        Ok::<_, Failure>((status, text))
    })?;
    let (status, text) = answer;
    if status.is_success() {
        println!("delivered {event} (id {id}) to {url}: {status}");
        Ok(())
    } else {
        let excerpt: String = text.chars().take(200).collect();
        Err(Failure::Refused(format!(
            "{url} refused {event} (id {id}): {status}{}",
            if excerpt.trim().is_empty() {
                String::new()
            } else {
                format!(": {}", excerpt.trim())
            }
        )))
    }
}

fn verify(secret: &str, signature: &str) -> Result<(), Failure> {
    let mut body = Vec::new();
    std::io::stdin()
        .read_to_end(&mut body)
        .map_err(|e| Failure::Input(format!("cannot read the body from standard input: {e}")))?;
    match webhooks::construct_event(&body, signature, secret) {
        Ok(event) => {
            println!("valid: {} (id {})", event.event, event.id);
            Ok(())
        }
        Err(e) => Err(Failure::Refused(format!("invalid: {e}"))),
    }
}
