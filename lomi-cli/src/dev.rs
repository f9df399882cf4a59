//! The local loop: `lomi mock`, the mock as a development server that forwards its signed
//! events, and `lomi trigger`, which makes an event happen on a running mock.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

use lomi_client::webhooks::EventType;
use lomi_mock::{CONTROL_PREFIX, Delivery, MockServer, StartError, TransitionReport};
use serde_json::{Map, Value, json};

use crate::Failure;
use crate::run::{self, Globals};

/// The port `lomi mock` takes unless told otherwise, and so where `lomi trigger` looks.
pub const DEFAULT_PORT: u16 = 12111;

/// `lomi mock`'s flags.
#[derive(clap::Args, Debug)]
pub struct MockArgs {
    /// The port on 127.0.0.1 (0 takes a free one).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    port: u16,
    /// Sign every event the mock emits and POST it here, e.g.
    /// http://127.0.0.1:3000/webhooks/lomi; each delivery's status is printed.
    #[arg(long, value_name = "URL")]
    forward_to: Option<String>,
    /// The secret events are signed with; without it, a new whsec_… (printed).
    #[arg(
        long,
        value_name = "WHSEC",
        env = "LOMI_WEBHOOK_SECRET",
        hide_env_values = true
    )]
    webhook_secret: Option<String>,
    /// An OpenAPI 3.0 document to serve and check requests against; without it, the one
    /// of --api (lomi.'s current API, or its 1.1.0 one).
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,
    /// How many resources of each kind (checkout sessions, customers…) and idempotency
    /// keys it keeps: past it, the oldest that have ended go first, and an evicted
    /// session answers 404, as lomi. does for what it no longer has.
    #[arg(long, value_name = "COUNT", default_value_t = lomi_mock::DEFAULT_MAX_RESOURCES)]
    max_resources: usize,
    /// How many webhook deliveries it keeps (for `events resend` and /_lomi/deliveries):
    /// the oldest are forgotten first.
    #[arg(long, value_name = "COUNT", default_value_t = lomi_mock::DEFAULT_MAX_DELIVERIES)]
    max_deliveries: usize,
    /// The API and key flags, read through `Globals::merged`.
    #[command(flatten)]
    #[allow(dead_code)]
    api: run::ApiOnly,
}

/// `lomi mock`: serves until it is stopped. The key it accepts is the one the other
/// commands send (`--api-key` or `LOMI_API_KEY`), or the mock's own test key.
pub fn mock(args: &MockArgs, globals: &Globals) -> Result<(), Failure> {
    let forward_to = args
        .forward_to
        .as_deref()
        .map(|url| run::http_url("--forward-to", url))
        .transpose()?;
    let secret = match &args.webhook_secret {
        Some(secret) if secret.trim().is_empty() => {
            return Err(Failure::Input("--webhook-secret is empty".into()));
        }
        Some(secret) => secret.clone(),
        None => format!("whsec_{}", uuid::Uuid::new_v4().simple()),
    };
    let mut builder = MockServer::builder()
        .max_resources(args.max_resources)
        .max_deliveries(args.max_deliveries)
        .port(args.port)
        .on_delivery(|delivery| say(&delivery_line(delivery)));
    if let Some(key) = mock_key(globals) {
        if key.trim().is_empty() {
            return Err(Failure::Input(
                "the API key (--api-key or LOMI_API_KEY) is empty".into(),
            ));
        }
        builder = builder.api_key(key);
    }
    match &args.spec {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Failure::Input(format!("cannot read --spec {}: {e}", path.display()))
            })?;
            builder = builder.spec(text);
        }
        None if globals.api == run::Api::Current => builder = builder.spec(lomi_mock::CURRENT_SPEC),
        None => {}
    }
    let runtime = run::runtime()?;
    runtime.block_on(async {
        let mock = builder.start().await.map_err(|e| match e {
            StartError::Bind(e) if e.kind() == std::io::ErrorKind::AddrInUse => Failure::Input(
                format!(
                    "port {} is in use (another `lomi mock`?): stop it, or pass --port",
                    args.port
                ),
            ),
            StartError::Bind(e) => {
                Failure::Input(format!("cannot listen on port {}: {e}", args.port))
            }
            StartError::Spec(e) => Failure::Input(format!("--spec: {e}")),
        })?;
        let origin = format!("http://{}", mock.addr());
        say(&format!("lomi mock: the API at {}", mock.url()));
        say(&format!("  API key:        {}", mock.api_key()));
        say(&format!("  payment pages:  {origin}/checkout/<checkout_session_id>"));
        say(&format!("  control:        {origin}{CONTROL_PREFIX}"));
        match &forward_to {
            Some(url) => {
                mock.register_webhook(url.as_str(), secret.as_str());
                say(&format!("  forwarding to:  {url}"));
                if args.webhook_secret.is_some() {
                    say(&format!("  webhook secret: {secret}"));
                } else {
                    say(&format!("  webhook secret: {secret} (new: give it to your endpoint)"));
                }
                if !answers(url) {
                    eprintln!(
                        "warning: nothing accepts connections at {url} yet: events fail until it does"
                    );
                }
            }
            None => say("  events:         not sent (start with --forward-to URL)"),
        }
        say("Ready. Ctrl-C to stop.");
        std::future::pending::<()>().await;
        drop(mock);
        Ok(())
    })
}

/// The key a local mock takes, `lomi mock` and `lomi trigger` alike: `--api-key` or
/// `LOMI_API_KEY`, else (`None`) the mock's own test key. Never the key `lomi login` kept:
/// that one is for lomi.
fn mock_key(globals: &Globals) -> Option<String> {
    globals
        .api_key
        .clone()
        .or_else(|| std::env::var(lomi_client::ENV_API_KEY).ok())
}

/// Prints a line of `lomi mock`'s, flushed at once; a closed standard output (`| head`)
/// is not a reason to stop serving.
fn say(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
}

/// One line per delivery, as `stripe listen` prints them.
fn delivery_line(delivery: &Delivery) -> String {
    let status = delivery
        .status
        .map_or_else(|| "---".to_string(), |s| s.to_string());
    match (&delivery.error, delivery.delivered) {
        (_, true) => format!(
            "--> {} {} [{status}] delivered",
            delivery.event, delivery.id
        ),
        (Some(why), false) => format!(
            "--> {} {} [{status}] not delivered after {} attempt(s): {why}",
            delivery.event, delivery.id, delivery.attempts
        ),
        (None, false) => format!(
            "--> {} {} [{status}] not delivered",
            delivery.event, delivery.id
        ),
    }
}

/// Whether something accepts TCP connections where `url` points (within a second).
fn answers(url: &reqwest::Url) -> bool {
    let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map(Iterator::collect)
        .unwrap_or_default();
    addrs
        .iter()
        .any(|addr| std::net::TcpStream::connect_timeout(addr, Duration::from_secs(1)).is_ok())
}

/// `lomi trigger`'s arguments.
#[derive(clap::Args, Debug)]
pub struct TriggerArgs {
    /// The event: CHECKOUT_COMPLETED, PAYMENT_SUCCEEDED or PAYMENT_FAILED, or their
    /// Stripe-style spelling (checkout.completed).
    event: String,
    /// A field of the checkout session it creates, e.g. --set amount=5000 or --set
    /// metadata.order_id=1042 (the value is JSON if it reads as JSON, text otherwise).
    #[arg(long = "set", value_name = "FIELD=VALUE", conflicts_with = "session")]
    set: Vec<String>,
    /// Make the event happen to this existing checkout session (one your shop created)
    /// instead of creating one.
    #[arg(long = "session", value_name = "ID")]
    session: Option<String>,
    /// The mock's flags, read through `Globals::merged`.
    #[command(flatten)]
    #[allow(dead_code)]
    side: run::MockSide,
}

/// What a trigger makes happen to the session it creates.
#[derive(Clone, Copy)]
enum Change {
    Complete,
    Fail,
}

/// `lomi trigger EVENT`: creates a checkout session on the running mock (or takes the
/// one `--session` names), makes the event happen ([`transition`]), and reports each
/// delivery ([`report_deliveries`]).
pub fn trigger(args: &TriggerArgs, globals: &Globals) -> Result<(), Failure> {
    let event = crate::event_name(&args.event);
    let change = change_of(&event)?;
    let mut body = json!({
        "amount": 15000,
        "currency_code": "XOF",
        "title": format!("lomi trigger {}", event.to_lowercase()),
    });
    for assignment in &args.set {
        set(&mut body, assignment)?;
    }
    let create = globals
        .api
        .operations()
        .iter()
        .find(|op| op.resource == "checkout-sessions" && op.verb == "create")
        .ok_or_else(|| {
            Failure::Input("this spec has no `checkout-sessions create` to trigger with".into())
        })?;
    let (base, control) = mock_urls(globals)?;
    let key = mock_key(globals).unwrap_or_else(|| lomi_mock::DEFAULT_API_KEY.to_string());
    let client = lomi_client::Client::builder(key)
        .base_url(&base)
        .build()
        .map_err(|e| Failure::Input(format!("cannot build the client: {e}")))?;

    run::runtime()?.block_on(async {
        if let Some(id) = &args.session {
            let report = transition(&control, id, change)
                .await
                .map_err(|e| or_not_running(&base, e))?;
            return report_deliveries(&report, change, id);
        }
        let session = client
            .request(lomi_client::Method::POST, create.path)
            .json(body)
            .send()
            .await
            .map_err(|e| match e {
                lomi_client::Error::Connection(_) => not_running(&base),
                e => run::failure(e),
            })?
            .into_inner();
        let id = session
            .get("checkout_session_id")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                Failure::Decode("the created session has no checkout_session_id".into())
            })?
            .to_string();
        println!("created checkout session {id}");
        let report = transition(&control, &id, change).await?;
        report_deliveries(&report, change, &id)
    })
}

/// The mock's base URL (`--base-url`, else the local mock's) and its control prefix.
fn mock_urls(globals: &Globals) -> Result<(String, reqwest::Url), Failure> {
    let base = globals
        .base_url
        .clone()
        .unwrap_or_else(|| format!("http://127.0.0.1:{DEFAULT_PORT}{}", globals.api.base_path()));
    let control = reqwest::Url::parse(&base)
        .and_then(|url| url.join(CONTROL_PREFIX))
        .map_err(|e| Failure::Input(format!("--base-url {base:?} is not a URL: {e}")))?;
    Ok((base, control))
}

/// The failure when nothing answers at the mock's `base`: start it, or point elsewhere.
fn not_running(base: &str) -> Failure {
    Failure::Unreachable(format!(
        "nothing answers at {base}: start `lomi mock` first (or pass --base-url)"
    ))
}

/// `failure`, or [`not_running`] when it says nothing answered.
fn or_not_running(base: &str, failure: Failure) -> Failure {
    match failure {
        Failure::Unreachable(_) => not_running(base),
        e => e,
    }
}

/// `lomi events resend ID`: the running mock sends the event `id` again, as it sent it,
/// to its forward URL; one line says how that delivery ended.
pub fn resend(id: &str, globals: &Globals) -> Result<(), Failure> {
    let (base, control) = mock_urls(globals)?;
    let url = format!("{control}/deliveries/{}/resend", crate::run::segment(id));
    run::runtime()?.block_on(async {
        let (status, text) = control_post(&url)
            .await
            .map_err(|e| or_not_running(&base, e))?;
        let delivery: lomi_mock::DeliveryReport = serde_json::from_str(&text).map_err(|e| {
            Failure::Decode(format!(
                "{url} answered {status} with no delivery report: is this a lomi mock? ({e})"
            ))
        })?;
        let (event, id) = (&delivery.event, &delivery.id);
        if delivery.delivered {
            let status = delivery
                .status
                .map_or_else(|| "no answer".to_string(), |s| s.to_string());
            println!("delivered {event} (id {id}) again: {status}");
            Ok(())
        } else {
            let why = delivery.error.as_deref().unwrap_or("?");
            Err(Failure::Refused(format!(
                "{event} (id {id}) was not delivered again: {why}"
            )))
        }
    })
}

/// What the mock does for `event` (by lomi.'s names, not the client's variants: the
/// client is generated from the spec, whose event list may differ), or why it cannot.
fn change_of(event: &str) -> Result<Change, Failure> {
    match event {
        "CHECKOUT_COMPLETED" | "PAYMENT_SUCCEEDED" => Ok(Change::Complete),
        "PAYMENT_FAILED" => Ok(Change::Fail),
        _ if matches!(EventType::from(event), EventType::Unknown(_)) => {
            Err(Failure::Input(format!(
                "{event} is not an event lomi. sends: try checkout.completed, \
                 payment.succeeded or payment.failed"
            )))
        }
        _ => Err(Failure::Input(format!(
            "the mock does not make {event} happen (it pays and fails checkout sessions): \
             send one anyway with `lomi webhooks send --event {event} --to URL`"
        ))),
    }
}

/// POSTs to a control endpoint of the mock: its status and body when it says yes; lomi.'s
/// error message (exit 1) when it says no; exit 3 when nothing answers.
async fn control_post(url: &str) -> Result<(reqwest::StatusCode, String), Failure> {
    let answer = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| Failure::Unreachable(format!("cannot build an HTTP client: {e}")))?
        .post(url)
        .send()
        .await
        .map_err(|e| Failure::Unreachable(format!("cannot reach {url}: {e}")))?;
    let status = answer.status();
    let text = answer.text().await.map_err(|e| {
        Failure::Unreachable(format!(
            "{url} answered {status} but its body was lost: {e}"
        ))
    })?;
    if !status.is_success() {
        let message = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| v.pointer("/error/message")?.as_str().map(str::to_string))
            .unwrap_or_else(|| "no reason given".to_string());
        return Err(Failure::Refused(format!(
            "{url} answered {status}: {message}"
        )));
    }
    Ok((status, text))
}

/// Asks the mock's control endpoint (`control`) to make `change` happen to the session
/// `id`, and reads its report.
async fn transition(
    control: &reqwest::Url,
    id: &str,
    change: Change,
) -> Result<TransitionReport, Failure> {
    let verb = match change {
        Change::Complete => "complete",
        Change::Fail => "fail",
    };
    let url = format!("{control}/checkout_sessions/{id}/{verb}");
    let (status, text) = control_post(&url).await?;
    serde_json::from_str(&text).map_err(|e| {
        Failure::Decode(format!(
            "{url} answered {status} with no transition report: is this a lomi mock? ({e})"
        ))
    })
}

/// One line per delivery of `report` (the events of the session `session`); an error
/// naming the first that failed.
fn report_deliveries(
    report: &TransitionReport,
    change: Change,
    session: &str,
) -> Result<(), Failure> {
    let done = match change {
        Change::Complete => "paid the session",
        Change::Fail => "failed a payment of the session",
    };
    let Some(endpoint) = report.webhook_endpoint.as_deref() else {
        return Err(Failure::Refused(format!(
            "the mock {done} but sent no event: start `lomi mock` with --forward-to URL"
        )));
    };
    let mut failed = None;
    for delivery in &report.deliveries {
        let (event, id) = (&delivery.event, &delivery.id);
        if delivery.delivered {
            let status = delivery
                .status
                .map_or_else(|| "no answer".to_string(), |s| s.to_string());
            println!("delivered {event} (id {id}) of session {session} to {endpoint}: {status}");
        } else {
            let why = delivery.error.as_deref().unwrap_or("?");
            println!("not delivered {event} (id {id}) of session {session} to {endpoint}: {why}");
            failed.get_or_insert(format!("{event} was not delivered: {why}"));
        }
    }
    match failed {
        Some(why) => Err(Failure::Refused(why)),
        None => Ok(()),
    }
}

/// Applies one `--set field.path=value` to `body`.
fn set(body: &mut Value, assignment: &str) -> Result<(), Failure> {
    let (path, text) = assignment.split_once('=').ok_or_else(|| {
        Failure::Input(format!(
            "--set {assignment:?} must be FIELD=VALUE, e.g. amount=5000"
        ))
    })?;
    let names: Vec<&str> = path.split('.').collect();
    if names.iter().any(|n| n.trim().is_empty()) {
        return Err(Failure::Input(format!(
            "--set {assignment:?}: {path:?} is not a field name"
        )));
    }
    let value = serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()));
    let mut target = body;
    for (i, name) in names.iter().enumerate() {
        let object = match target {
            Value::Object(object) => object,
            _ => {
                return Err(Failure::Input(format!(
                    "--set {assignment:?}: {} is not an object",
                    names[..i].join(".")
                )));
            }
        };
        if i + 1 == names.len() {
            object.insert((*name).to_string(), value);
            return Ok(());
        }
        target = object
            .entry((*name).to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_writes_json_values_and_nested_fields() {
        let mut body = json!({"amount": 1});
        set(&mut body, "amount=5000").unwrap_or_else(|_| panic!());
        set(&mut body, "title=Order 42").unwrap_or_else(|_| panic!());
        set(&mut body, "metadata.order_id=1042").unwrap_or_else(|_| panic!());
        set(&mut body, "metadata.ref=\"A-1\"").unwrap_or_else(|_| panic!());
        assert_eq!(
            body,
            json!({"amount": 5000, "title": "Order 42", "metadata": {"order_id": 1042, "ref": "A-1"}})
        );
        for bad in ["amount", "=3", "a..b=1", "amount.x=1"] {
            assert!(set(&mut body, bad).is_err(), "{bad}");
        }
    }
}
