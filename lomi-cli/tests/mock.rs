//! `lomi mock` and `lomi trigger` as a developer runs them: the binary started as a
//! process, its payment page followed over HTTP (form post, redirect), and every event
//! it forwards verified by a receiver on 127.0.0.1.

mod common;

use common::{browser, click, lomi, page_text, run, start};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;

const SECRET: &str = "whsec_mock_cli_test";

/// The events a receiver got, by name, with their `data`.
fn events(seen: &common::Seen) -> Vec<(String, Value)> {
    seen.lock()
        .unwrap()
        .iter()
        .map(|(headers, body)| {
            let event: Value = serde_json::from_slice(body).unwrap();
            let name = headers["x-lomi-event"].to_str().unwrap().to_string();
            assert_eq!(event["event"], name.as_str());
            (name, event["data"].clone())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn the_payment_page_pays_fails_and_cancels_and_the_events_reach_the_service() {
    let (endpoint, seen) = common::receiver(SECRET);
    let mut mock = start(&["--forward-to", &endpoint, "--webhook-secret", SECRET]);
    assert!(mock.line_with(&["forwarding to:"]).contains(&endpoint));

    // A session created from the shell, as the README shows, with a title that is HTML.
    let created = run(lomi()
        .args(["--base-url", &mock.api()])
        .args(["checkout-sessions", "create", "--amount", "15000"])
        .args(["--currency-code", "XOF", "--title", "<b>Thé & gâteau</b>"])
        .args(["--success-url", "https://shop.example/paid?order=42"])
        .args(["--cancel-url", "https://shop.example/cart"])
        .env("LOMI_API_KEY", lomi_mock::DEFAULT_API_KEY));
    assert_eq!(created.code, Some(0), "{}", created.stderr);
    let session: Value = serde_json::from_str(&created.stdout).unwrap();
    let id = session["checkout_session_id"].as_str().unwrap().to_string();
    let page = session["checkout_url"].as_str().unwrap().to_string();
    assert_eq!(page, format!("{}/checkout/{id}", mock.origin));

    // The page a customer sees: no API key, the amount, the currency, the escaped title.
    let html = browser().get(&page).send().await.unwrap();
    assert_eq!(html.status(), 200);
    assert!(
        html.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = html.text().await.unwrap();
    assert!(html.contains("15\u{202f}000"), "{html}");
    assert!(html.contains("XOF"), "{html}");
    assert!(
        html.contains("&lt;b&gt;Thé &amp; gâteau&lt;/b&gt;"),
        "{html}"
    );
    assert!(!html.contains("<b>Thé"), "the title is escaped: {html}");
    for action in ["pay", "fail", "cancel"] {
        assert!(html.contains(&format!("value=\"{action}\"")), "{html}");
    }

    // Fail: PAYMENT_FAILED is delivered, the page shows it, the session stays open.
    let failed = click(&page, "fail").await;
    assert_eq!(failed.status(), 303);
    let back = failed.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(back, format!("/checkout/{id}?outcome=failed"));
    mock.line_with(&["--> PAYMENT_FAILED", "[200] delivered"]);
    let notice = page_text(&format!("{}{back}", mock.origin)).await;
    assert!(notice.contains("The payment failed"), "{notice}");
    assert!(notice.contains("value=\"pay\""), "still payable: {notice}");

    // Cancel: back to the shop's cancel_url; nothing is sent.
    let canceled = click(&page, "cancel").await;
    assert_eq!(canceled.status(), 303);
    assert_eq!(canceled.headers()["location"], "https://shop.example/cart");

    // Pay: to the shop's success_url, and both events, signed, in order.
    let paid = click(&page, "pay").await;
    assert_eq!(paid.status(), 303);
    assert_eq!(
        paid.headers()["location"],
        "https://shop.example/paid?order=42"
    );
    mock.line_with(&["--> PAYMENT_SUCCEEDED", "[200] delivered"]);
    mock.line_with(&["--> CHECKOUT_COMPLETED", "[200] delivered"]);
    let got = events(&seen);
    let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["PAYMENT_FAILED", "PAYMENT_SUCCEEDED", "CHECKOUT_COMPLETED"]
    );
    assert_eq!(got[0].1["status"], "failed");
    assert_eq!(got[0].1["checkout_session_id"], id.as_str());
    assert_eq!(got[1].1["gross_amount"], 15000);
    assert_eq!(got[2].1["checkout_session_id"], id.as_str());
    assert_eq!(got[2].1["status"], "completed");

    // The API says so too, and the page no longer offers to pay.
    let retrieved = run(lomi()
        .args([
            "--base-url",
            &mock.api(),
            "checkout-sessions",
            "retrieve",
            &id,
        ])
        .env("LOMI_API_KEY", lomi_mock::DEFAULT_API_KEY));
    assert_eq!(retrieved.code, Some(0), "{}", retrieved.stderr);
    assert!(
        retrieved.stdout.contains(r#""status":"completed""#),
        "{}",
        retrieved.stdout
    );
    let done = page_text(&page).await;
    assert!(done.contains("This session is completed."), "{done}");
    assert!(!done.contains("value=\"pay\""), "{done}");
    let again = click(&page, "pay").await;
    assert_eq!(again.status(), 409);
    assert_eq!(events(&seen).len(), 3, "a second Pay sends nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn the_page_and_control_endpoints_answer_malformed_requests_and_the_mock_stays_up() {
    let mock = start(&[]);
    let http = browser();
    let origin = &mock.origin;
    // An unknown session, an unknown action, a body that is not a form.
    let missing = http
        .get(format!("{origin}/checkout/nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert!(
        missing
            .text()
            .await
            .unwrap()
            .contains("no checkout session")
    );
    let odd = click(&format!("{origin}/checkout/nope"), "explode").await;
    assert_eq!(odd.status(), 400);
    let not_a_form = http
        .post(format!("{origin}/checkout/nope"))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert!(
        not_a_form.status().is_client_error(),
        "{}",
        not_a_form.status()
    );
    let bad_escape = http
        .get(format!("{origin}/checkout/%ZZ%"))
        .send()
        .await
        .unwrap();
    assert!(
        bad_escape.status().is_client_error(),
        "{}",
        bad_escape.status()
    );
    for (method, path, status) in [
        ("POST", "/_lomi/checkout_sessions/nope/complete", 404),
        ("POST", "/_lomi/checkout_sessions/nope/explode", 404),
        ("GET", "/_lomi/checkout_sessions/nope/complete", 405),
        ("GET", "/_lomi/nothing", 404),
        ("GET", "/_lomi", 200),
        ("GET", "/_lomi/deliveries", 200),
    ] {
        let answer = http
            .request(method.parse().unwrap(), format!("{origin}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), status, "{method} {path}");
    }
    // A body too large for the API is refused, not stored.
    let huge = http
        .post(format!("{origin}/v1/checkout_sessions"))
        .header("x-api-key", lomi_mock::DEFAULT_API_KEY)
        .header("content-type", "application/json")
        .body(vec![b' '; 2 << 20])
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 413);
    let error: Value = huge.json().await.unwrap();
    assert_eq!(error["error"]["code"], "payload_too_large");
    // Still up.
    let index = http.get(format!("{origin}/_lomi")).send().await.unwrap();
    assert_eq!(index.status(), 200);
}

#[test]
fn trigger_creates_a_session_makes_the_event_happen_and_reports_each_delivery() {
    let (endpoint, seen) = common::receiver(SECRET);
    let mut mock = start(&["--forward-to", &endpoint, "--webhook-secret", SECRET]);
    let api = mock.api();
    let trigger = |event: &str, set: &[&str]| {
        let mut command = lomi();
        command.args(["--base-url", &api, "trigger", event]);
        for s in set {
            command.args(["--set", s]);
        }
        run(&mut command)
    };

    // The Stripe spelling; fields overridden, nested ones too.
    let out = trigger(
        "checkout.completed",
        &["amount=5000", "metadata.order_id=1042"],
    );
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.starts_with("created checkout session "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("delivered PAYMENT_SUCCEEDED (id "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("delivered CHECKOUT_COMPLETED (id "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(&format!("to {endpoint}: 200")),
        "{}",
        out.stdout
    );
    let got = events(&seen);
    let (name, session) = got.last().unwrap();
    assert_eq!(name, "CHECKOUT_COMPLETED");
    assert_eq!(session["amount"], 5000);
    assert_eq!(session["metadata"]["order_id"], 1042);
    assert_eq!(session["status"], "completed");
    mock.line_with(&["--> CHECKOUT_COMPLETED", "[200] delivered"]);

    // The key `lomi login` kept is lomi.'s, not the mock's: trigger does not send it.
    let config = std::env::temp_dir().join(format!("lomi-cli-trigger-{}", std::process::id()));
    let mut login = lomi()
        .arg("login")
        .env("LOMI_CONFIG_DIR", &config)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    login
        .stdin
        .take()
        .unwrap()
        .write_all(b"lomi_sk_live_real")
        .unwrap();
    assert!(login.wait().unwrap().success());
    let out = run(lomi()
        .args(["--base-url", &api, "trigger", "checkout.completed"])
        .env("LOMI_CONFIG_DIR", &config));
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    let _ = std::fs::remove_dir_all(&config);

    // A session the shop created itself, paid from the shell: no new session, and each
    // delivery line names the session.
    let created = run(lomi()
        .env("LOMI_API_KEY", lomi_mock::DEFAULT_API_KEY)
        .args(["--base-url", &api, "checkout-sessions", "create"])
        .args([
            "--amount",
            "7000",
            "--currency-code",
            "XOF",
            "--title",
            "Order 77",
        ]));
    assert_eq!(created.code, Some(0), "{}", created.stderr);
    let own: Value = serde_json::from_str(created.stdout.trim()).unwrap();
    let own_id = own["checkout_session_id"].as_str().unwrap().to_string();
    let out = run(lomi().args([
        "--base-url",
        &api,
        "trigger",
        "checkout.completed",
        "--session",
        &own_id,
    ]));
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    assert!(
        !out.stdout.contains("created checkout session"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("delivered CHECKOUT_COMPLETED (id "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains(&format!("of session {own_id} to {endpoint}: 200")),
        "{}",
        out.stdout
    );
    let (name, session) = events(&seen).last().unwrap().clone();
    assert_eq!(name, "CHECKOUT_COMPLETED");
    assert_eq!(session["checkout_session_id"], own_id.as_str());
    assert_eq!(session["amount"], 7000);
    // That event, delivered again from the shell as lomi. redelivers: the same id, body
    // and signature, which the receiver verifies.
    let event_id = out
        .stdout
        .lines()
        .find(|l| l.starts_with("delivered CHECKOUT_COMPLETED (id "))
        .and_then(|l| l.split("(id ").nth(1))
        .and_then(|l| l.split(')').next())
        .unwrap()
        .to_string();
    let before = seen.lock().unwrap().len();
    let first_body = seen.lock().unwrap().last().unwrap().1.clone();
    let resent = run(lomi().args(["--base-url", &api, "events", "resend", &event_id]));
    assert_eq!(resent.code, Some(0), "{}{}", resent.stdout, resent.stderr);
    assert_eq!(
        resent.stdout.trim(),
        format!("delivered CHECKOUT_COMPLETED (id {event_id}) again: 200")
    );
    let after = seen.lock().unwrap();
    assert_eq!(after.len(), before + 1);
    assert_eq!(after.last().unwrap().1, first_body, "the same bytes");
    drop(after);
    let unknown = run(lomi().args(["--base-url", &api, "events", "resend", "evt_nope"]));
    assert_eq!(unknown.code, Some(1), "{}", unknown.stderr);
    assert!(
        unknown.stderr.contains("no event has the id \"evt_nope\""),
        "{}",
        unknown.stderr
    );

    // Paid already: the mock refuses to pay it twice, saying so (exit 1).
    let again = run(lomi().args([
        "--base-url",
        &api,
        "trigger",
        "checkout.completed",
        "--session",
        &own_id,
    ]));
    assert_eq!(again.code, Some(1), "{}{}", again.stdout, again.stderr);
    // --session and --set do not go together (exit 2).
    let both = run(lomi().args([
        "--base-url",
        &api,
        "trigger",
        "checkout.completed",
        "--session",
        &own_id,
        "--set",
        "amount=5",
    ]));
    assert_eq!(both.code, Some(2), "{}", both.stderr);

    // lomi.'s own spelling.
    let out = trigger("PAYMENT_FAILED", &[]);
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("delivered PAYMENT_FAILED"),
        "{}",
        out.stdout
    );
    assert_eq!(events(&seen).last().unwrap().0, "PAYMENT_FAILED");

    // What the mock cannot make happen, and what lomi. never sends: refused, naming it.
    let out = trigger("refund.created", &[]);
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr
            .contains("lomi webhooks send --event REFUND_CREATED"),
        "{}",
        out.stderr
    );
    let out = trigger("order.shipped", &[]);
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr
            .contains("ORDER_SHIPPED is not an event lomi. sends"),
        "{}",
        out.stderr
    );
    let out = trigger("checkout.completed", &["amount"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("must be FIELD=VALUE"), "{}", out.stderr);
    // A field the API refuses: lomi.'s error, exit 1.
    let out = trigger("checkout.completed", &["amount=-5"]);
    assert_eq!(out.code, Some(1), "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("amount"), "{}", out.stderr);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
}

#[test]
fn trigger_says_why_nothing_was_delivered() {
    // A mock without --forward-to sends nothing, and trigger says how to fix it.
    let quiet = start(&[]);
    let out = run(lomi().args(["--base-url", &quiet.api(), "trigger", "checkout.completed"]));
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr.contains(
            "the mock paid the session but sent no event: start `lomi mock` with --forward-to"
        ),
        "{}",
        out.stderr
    );

    // A --forward-to where nothing listens: a warning at start, each failure printed,
    // and the mock stays up.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nowhere = format!("http://{}/webhooks", closed.local_addr().unwrap());
    drop(closed);
    let mut mock = start(&["--forward-to", &nowhere]);
    assert!(
        mock.line_with(&["webhook secret: whsec_", "(new: give it to your endpoint)"])
            .len()
            > 20
    );
    let out = run(lomi().args(["--base-url", &mock.api(), "trigger", "payment.failed"]));
    assert_eq!(out.code, Some(1), "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("PAYMENT_FAILED was not delivered: cannot reach"),
        "{}",
        out.stderr
    );
    mock.line_with(&["--> PAYMENT_FAILED", "not delivered after 5 attempt(s)"]);

    // No mock at all.
    let out = run(lomi().args([
        "--base-url",
        &nowhere.replace("/webhooks", "/v1"),
        "trigger",
        "checkout.completed",
    ]));
    assert_eq!(out.code, Some(3), "{}", out.stderr);
    assert!(
        out.stderr.contains("start `lomi mock` first"),
        "{}",
        out.stderr
    );
}

#[test]
fn mock_refuses_bad_flags_and_a_taken_port_in_one_line() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    for (args, says) in [
        (
            vec!["mock", "--port", &port],
            format!("port {port} is in use"),
        ),
        (
            vec!["mock", "--forward-to", "localhost:3000"],
            "--forward-to \"localhost:3000\"".to_string(),
        ),
        (
            vec!["mock", "--forward-to", "not a url"],
            "is not a URL".to_string(),
        ),
        (
            vec!["mock", "--spec", "/no/such/spec.yaml"],
            "cannot read --spec /no/such/spec.yaml".to_string(),
        ),
        (vec!["mock", "--port", "99999"], "99999".to_string()),
        (
            vec!["mock", "--webhook-secret", ""],
            "--webhook-secret is empty".to_string(),
        ),
        (vec!["mock", "--bogus"], "--bogus".to_string()),
    ] {
        let out = run(lomi().args(&args));
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(&says), "{args:?}: {}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
        if !args.contains(&"--bogus") && !args.contains(&"99999") {
            assert_eq!(out.stderr.lines().count(), 1, "{args:?}: {}", out.stderr);
        }
    }
}

/// One HTTP/1.1 request, as curl sends it; returns the status and the body.
fn send(host: &str, method: &str, target: &str, body: Option<&str>) -> (u16, String) {
    let mut stream = TcpStream::connect(host).unwrap();
    let mut request = format!(
        "{method} {target} HTTP/1.1\r\nHost: {host}\r\nX-API-KEY: lomi_sk_test_mock_0123456789\r\nConnection: close\r\n"
    );
    if let Some(body) = body {
        request.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    request.push_str("\r\n");
    request.push_str(body.unwrap_or(""));
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(
        head.to_ascii_lowercase().contains("x-request-id: req_"),
        "{head}"
    );
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_string())
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// `lomi mock` as a program any test harness starts, as stripe-mock is (what lomi-mock's
/// own binary was): the 1.1.0 API's five operations to a plain HTTP client, what `curl`
/// sends byte for byte, as the README shows.
#[test]
fn the_mock_serves_the_five_operations_to_a_plain_http_client() {
    let mock = start(&[]);
    let api = mock.api();
    let rest = api.strip_prefix("http://").expect("an http URL");
    let (host, base) = rest
        .split_once('/')
        .map_or((rest, String::new()), |(h, p)| (h, format!("/{p}")));
    let host = host.to_string();
    let collection = format!("{base}/checkout_sessions");

    let (status, body) = send(
        &host,
        "POST",
        &collection,
        Some(r#"{"amount":15000,"currency_code":"XOF","product_id":"prod_1234567890abcdef"}"#),
    );
    assert_eq!(status, 201, "{body}");
    let id = json_of(&body)["checkout_session_id"]
        .as_str()
        .unwrap()
        .to_string();
    let item = format!("{collection}/{id}");

    let (status, body) = send(&host, "GET", &item, None);
    assert_eq!(
        (status, json_of(&body)["status"].as_str()),
        (200, Some("open"))
    );

    let (status, body) = send(&host, "GET", &format!("{collection}?limit=10"), None);
    assert_eq!(status, 200);
    assert_eq!(json_of(&body)["pagination"]["total"], 1);

    let (status, body) = send(&host, "PATCH", &item, Some(r#"{"title":"Rice"}"#));
    assert_eq!(
        (status, json_of(&body)["title"].as_str()),
        (200, Some("Rice"))
    );

    let (status, body) = send(&host, "DELETE", &item, None);
    assert_eq!((status, body.as_str()), (204, ""));
    let (status, body) = send(&host, "GET", &item, None);
    assert_eq!(status, 404);
    assert_eq!(json_of(&body)["error"]["code"], "not_found");
}
