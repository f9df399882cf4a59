//! `lomi webhooks` as a developer types it: the binary run as a process, sending to a
//! receiver on 127.0.0.1 that verifies each delivery with `lomi_client::webhooks`.

mod common;

use assert_cmd::Command;

const SECRET: &str = "whsec_cli_test_secret";

fn receiver() -> (String, common::Seen) {
    common::receiver(SECRET)
}

fn lomi() -> Command {
    let mut command = Command::cargo_bin("lomi").unwrap();
    command.env_remove("LOMI_WEBHOOK_SECRET");
    command
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn an_event_is_signed_as_lomi_signs_it_and_delivered() {
    let (url, seen) = receiver();
    let dir = std::env::temp_dir().join(format!("lomi-cli-data-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("session.json");
    std::fs::write(&data, r#"{"checkout_session_id": "cs_1", "amount": 5000}"#).unwrap();

    let out = lomi()
        .args(["webhooks", "send", "--to", &url, "--secret", SECRET])
        .args(["--event", "checkout.completed", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("delivered CHECKOUT_COMPLETED (id "),
        "{stdout}"
    );
    assert!(stdout.trim_end().ends_with(": 200 OK"), "{stdout}");

    let (headers, body) = seen.lock().unwrap()[0].clone();
    assert_eq!(headers["x-lomi-event"], "CHECKOUT_COMPLETED");
    assert_eq!(headers["user-agent"], "Lomi-Webhook/1.0");
    let event = lomi_client::webhooks::construct_event(
        &body,
        headers["x-lomi-signature"].to_str().unwrap(),
        SECRET,
    )
    .unwrap();
    assert_eq!(event.event.as_str(), "CHECKOUT_COMPLETED");
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["data"]["amount"], 5000);
    assert_eq!(json["lomi_environment"], "test");

    // The same body and signature, checked from the shell.
    let signature = headers["x-lomi-signature"].to_str().unwrap().to_string();
    let out = lomi()
        .args([
            "webhooks",
            "verify",
            "--secret",
            SECRET,
            "--signature",
            &signature,
        ])
        .write_stdin(body.clone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("valid: CHECKOUT_COMPLETED (id "));

    // Another secret: refused, saying why.
    let out = lomi()
        .args(["webhooks", "verify", "--signature", &signature])
        .env("LOMI_WEBHOOK_SECRET", "whsec_another")
        .write_stdin(body)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error: invalid: "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    // The two usual causes, and never the secret.
    assert!(stderr.contains("another endpoint's"), "{stderr}");
    assert!(stderr.contains("parsed and serialized again"), "{stderr}");
    assert!(!stderr.contains("whsec_another"), "{stderr}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_endpoint_that_refuses_is_exit_code_1_with_its_answer() {
    let (url, _) = receiver();
    let out = lomi()
        .args([
            "webhooks",
            "send",
            "--to",
            &url,
            "--secret",
            "whsec_not_the_endpoints",
        ])
        .args(["--event", "PAYMENT_SUCCEEDED"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("refused PAYMENT_SUCCEEDED"), "{stderr}");
    assert!(stderr.contains("400 Bad Request"), "{stderr}");
}

#[test]
fn bad_input_is_one_line_naming_what_is_wrong() {
    let dir = std::env::temp_dir().join(format!("lomi-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let not_json = dir.join("data.txt");
    std::fs::write(&not_json, "amount=5000").unwrap();
    let missing = dir.join("missing.json");
    let send = [
        "webhooks",
        "send",
        "--secret",
        SECRET,
        "--event",
        "PAYMENT_FAILED",
    ];
    let cases: Vec<(Vec<String>, i32, String)> = vec![
        (
            [&send[..], &["--to", "http://127.0.0.1:9/hook", "--data"]]
                .concat()
                .iter()
                .map(|s| s.to_string())
                .chain([missing.display().to_string()])
                .collect(),
            2,
            format!("cannot read --data {}", missing.display()),
        ),
        (
            [&send[..], &["--to", "http://127.0.0.1:9/hook", "--data"]]
                .concat()
                .iter()
                .map(|s| s.to_string())
                .chain([not_json.display().to_string()])
                .collect(),
            2,
            format!("--data {} is not JSON", not_json.display()),
        ),
        (
            [&send[..], &["--to", "localhost:3000/hook"]]
                .concat()
                .iter()
                .map(|s| s.to_string())
                .collect(),
            2,
            "must be an http:// or https:// URL".into(),
        ),
        (
            // Nothing listens on the discard port of loopback.
            [&send[..], &["--to", "http://127.0.0.1:9/hook"]]
                .concat()
                .iter()
                .map(|s| s.to_string())
                .collect(),
            3,
            "cannot deliver PAYMENT_FAILED to http://127.0.0.1:9/hook".into(),
        ),
        (
            [
                "webhooks",
                "send",
                "--to",
                "http://127.0.0.1:9/",
                "--secret",
                SECRET,
                "--evnt",
                "X",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            2,
            "--evnt".into(),
        ),
    ];
    for (args, code, named) in cases {
        let out = lomi().args(&args).output().unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.contains(&named), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        if code != 2 || !named.starts_with("--evnt") {
            assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        }
    }
    std::fs::remove_dir_all(dir).unwrap();
}
