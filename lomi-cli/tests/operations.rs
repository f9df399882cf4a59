//! Every operation of the spec from the shell: the `lomi` binary run as a process against
//! `lomi-mock` on 127.0.0.1, as a developer types it.

mod common;

use assert_cmd::Command;
use serde_json::Value;

const KEY: &str = "lomi_sk_test_cli_0123456789";

/// A mock of lomi. on 127.0.0.1 for the rest of the test process; its base URL.
fn mock() -> String {
    common::in_the_background(|url| async move {
        let mock = lomi_mock::MockServer::builder()
            .api_key(KEY)
            .start()
            .await
            .unwrap();
        url.send(mock.url()).unwrap();
        std::future::pending::<()>().await;
    })
}

fn lomi(base: &str) -> Command {
    let mut command = Command::cargo_bin("lomi").unwrap();
    command
        .args(["--api", "1.1.0"])
        .env("LOMI_API_KEY", KEY)
        .env("LOMI_CONFIG_DIR", "/nonexistent/lomi-cli-test")
        .env_remove("LOMI_BASE_URL")
        .args(["--base-url", base]);
    command
}

fn run(command: &mut Command) -> (i32, String, String) {
    let out = command.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn a_session_is_created_read_listed_updated_and_deleted() {
    let base = mock();
    let create = [
        "checkout-sessions",
        "create",
        "--amount",
        "15000",
        "--currency-code",
        "XOF",
        "--title",
        "Shoes",
        "--success-url",
        "https://shop.test/ok",
        "--idempotency-key",
        "order-7",
    ];
    let (code, out, err) = run(lomi(&base).args(create));
    assert_eq!(code, 0, "{err}");
    let created = json(&out);
    assert_eq!(created["amount"], 15000, "a whole number stays one");
    assert_eq!(created["status"], "open");
    let id = created["checkout_session_id"].as_str().unwrap().to_string();
    assert!(
        created["checkout_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/checkout/{id}"))
    );

    // The same key again: lomi. (and the mock) answer the first session, never a second.
    let (_, again, _) = run(lomi(&base).args(create));
    assert_eq!(json(&again)["checkout_session_id"], id.as_str());

    let (code, out, err) = run(lomi(&base).args(["checkout-sessions", "retrieve", &id]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["title"], "Shoes");

    let (code, out, err) = run(lomi(&base).args([
        "checkout-sessions",
        "update",
        &id,
        "--metadata",
        r#"{"order": "7"}"#,
    ]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["metadata"]["order"], "7");

    // `--all`: every session, one JSON object a line, across pages of 1.
    let (_, _, _) = run(lomi(&base).args([
        "checkout-sessions",
        "create",
        "--amount",
        "500",
        "--currency-code",
        "XOF",
    ]));
    let (code, out, err) =
        run(lomi(&base).args(["checkout-sessions", "list", "--all", "--limit", "1"]));
    assert_eq!(code, 0, "{err}");
    let ids: Vec<String> = out
        .lines()
        .map(|l| json(l)["checkout_session_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 2, "{out}");
    assert!(ids.contains(&id));

    let (code, out, err) = run(lomi(&base).args(["checkout-sessions", "delete", &id]));
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    let (code, _, err) = run(lomi(&base).args(["checkout-sessions", "retrieve", &id]));
    assert_eq!(code, 1);
    assert!(
        err.starts_with("error: ") && err.contains("404") && err.contains("[request id req_"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn the_whole_body_comes_from_a_file_or_standard_input_and_flags_add_to_it() {
    let base = mock();
    let file = std::env::temp_dir().join(format!("lomi-cli-body-{}.json", std::process::id()));
    std::fs::write(
        &file,
        r#"{"amount": 2500, "currency_code": "XOF", "title": "From a file"}"#,
    )
    .unwrap();
    let (code, out, err) = run(lomi(&base)
        .args([
            "checkout-sessions",
            "create",
            "--title",
            "Flag wins",
            "--data",
        ])
        .arg(&file));
    assert_eq!(code, 0, "{err}");
    let session = json(&out);
    assert_eq!(
        (session["amount"].clone(), session["title"].clone()),
        (Value::from(2500), Value::from("Flag wins"))
    );
    let (code, out, err) = run(lomi(&base)
        .args(["checkout-sessions", "create", "--data", "-"])
        .write_stdin(r#"{"amount": 700, "currency_code": "XOF"}"#));
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["amount"], 700);
    std::fs::remove_file(file).unwrap();
}

#[test]
fn bad_input_is_one_line_naming_what_is_wrong() {
    let base = mock();
    let create = ["checkout-sessions", "create"];
    for (args, code, named) in [
        (
            vec!["--currency-code", "XOF", "--amount", "lots"],
            2,
            "--amount must be a number, got \"lots\"",
        ),
        (
            vec![
                "--currency-code",
                "XOF",
                "--amount",
                "10",
                "--metadata",
                "{order",
            ],
            2,
            "--metadata is not JSON",
        ),
        (
            vec![
                "--currency-code",
                "XOF",
                "--amount",
                "10",
                "--data",
                "/nonexistent/body.json",
            ],
            2,
            "cannot read --data /nonexistent/body.json",
        ),
        (
            vec!["--currency-code", "XOF", "--amount", "10", "--amout", "5"],
            2,
            "--amout",
        ),
        (
            vec!["--amount", "10"],
            2,
            "--currency-code is required (or give it in --data)",
        ),
        // The spec lets it through; lomi. (here the mock) refuses it, naming the field.
        (
            vec!["--currency-code", "XOF", "--amount", "-5"],
            1,
            "amount",
        ),
    ] {
        let (got, _, err) = run(lomi(&base).args(create).args(&args));
        assert_eq!(got, code, "{args:?}: {err}");
        assert!(err.contains(named), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        if !named.starts_with("--amout") {
            assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        }
    }
    // A query parameter is checked as its type says: `limit` is an integer.
    let (code, _, err) = run(lomi(&base).args(["checkout-sessions", "list", "--limit", "lots"]));
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        err.trim(),
        "error: --limit must be a whole number, got \"lots\""
    );
    // No key anywhere.
    let (code, _, err) = run(Command::cargo_bin("lomi")
        .unwrap()
        .args(["--api", "1.1.0"])
        .env_remove("LOMI_API_KEY")
        .env("LOMI_CONFIG_DIR", "/nonexistent/lomi-cli-test")
        .args(["checkout-sessions", "retrieve", "cs_1", "--base-url", &base]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no API key: set LOMI_API_KEY"), "{err}");
    // Nothing listening: no answer, exit 3.
    let (code, _, err) = run(lomi("http://127.0.0.1:9/v1").args([
        "checkout-sessions",
        "retrieve",
        "cs_1",
        "--timeout",
        "1",
    ]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("could not reach"), "{err}");
}

#[test]
fn every_operation_of_the_spec_is_a_command() {
    let out = Command::cargo_bin("lomi")
        .unwrap()
        .args(["--api", "1.1.0", "checkout-sessions", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for verb in ["create", "list", "retrieve", "update", "delete"] {
        assert!(help.contains(verb), "{verb} missing from:\n{help}");
    }
}

#[test]
fn login_keeps_the_key_from_standard_input_readable_by_its_owner_only() {
    let base = mock();
    let dir = std::env::temp_dir().join(format!("lomi-cli-login-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let login = || {
        let mut command = Command::cargo_bin("lomi").unwrap();
        command
            .args(["--api", "1.1.0"])
            .env("LOMI_CONFIG_DIR", &dir)
            .env_remove("LOMI_API_KEY");
        command
    };
    let (code, _, err) = run(login().arg("login").write_stdin(""));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no key on standard input"), "{err}");
    let (code, out, err) = run(login().arg("login").write_stdin(format!("{KEY}\n")));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("config.toml"), "{out}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("config.toml"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The next command finds the key without LOMI_API_KEY.
    let (code, out, err) = run(login().args(["checkout-sessions", "list", "--base-url", &base]));
    assert_eq!(code, 0, "{err}");
    assert!(json(&out)["data"].is_array(), "{out}");
    std::fs::remove_dir_all(dir).unwrap();
}
