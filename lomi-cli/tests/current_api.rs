//! `lomi` speaks lomi.'s current API by default (the one its servers route), and the
//! 1.1.0 one with `--api 1.1.0`: `lomi mock` serves the same API as the commands, and
//! `lomi trigger` pays on either. As a developer types it.

mod common;

use common::{lomi_default, run, start_with};
use serde_json::Value;

const SECRET: &str = "whsec_current_cli_test";

#[test]
fn the_current_api_is_the_default_and_1_1_0_is_one_flag_away() {
    let help = |args: &[&str]| {
        let out = run(lomi_default().args(args));
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        out.stdout
    };
    // Every resource of the current document is a command, its operations verbs.
    let top = help(&["--help"]);
    for resource in [
        "checkout-sessions",
        "customers",
        "refunds",
        "payouts",
        "products",
    ] {
        assert!(top.contains(resource), "{resource} missing from:\n{top}");
    }
    let sessions = help(&["checkout-sessions", "--help"]);
    assert!(
        sessions.contains("create") && sessions.contains("retrieve"),
        "{sessions}"
    );
    assert!(
        !sessions.contains("update"),
        "lomi.'s servers have no update:\n{sessions}"
    );
    // 1.1.0: the five operations of the seed, by flag or by LOMI_API.
    let old = help(&["--api", "1.1.0", "checkout-sessions", "--help"]);
    for verb in ["create", "list", "retrieve", "update", "delete"] {
        assert!(old.contains(verb), "{verb} missing from:\n{old}");
    }
    let by_env = run(lomi_default().env("LOMI_API", "1.1.0").args([
        "checkout-sessions",
        "update",
        "--help",
    ]));
    assert_eq!(by_env.code, Some(0), "{}", by_env.stderr);
    // A wrong value is clap's usage error, naming the choices.
    let wrong = run(lomi_default().args(["--api", "2.0", "checkout-sessions", "list"]));
    assert_eq!(wrong.code, Some(2));
    assert!(
        wrong.stderr.contains("current") && wrong.stderr.contains("1.1.0"),
        "{}",
        wrong.stderr
    );
}

#[test]
fn create_list_and_trigger_against_lomi_mock_speak_the_current_api() {
    let (endpoint, seen) = common::receiver(SECRET);
    let mut mock = start_with(
        lomi_default(),
        &["--forward-to", &endpoint, "--webhook-secret", SECRET],
    );
    let api = mock.api();
    assert!(!api.ends_with("/v1"), "the current API has no /v1: {api}");
    let lomi = |args: &[&str]| {
        run(lomi_default()
            .env("LOMI_API_KEY", lomi_mock::DEFAULT_API_KEY)
            .args(["--base-url", &api])
            .args(args))
    };

    let created = lomi(&[
        "checkout-sessions",
        "create",
        "--amount",
        "15000",
        "--currency-code",
        "XOF",
        "--title",
        "Order 42",
    ]);
    assert_eq!(created.code, Some(0), "{}", created.stderr);
    let session: Value = serde_json::from_str(created.stdout.trim()).unwrap();
    let id = session["checkout_session_id"].as_str().unwrap().to_string();
    assert_eq!(session["status"], "open");

    let listed = lomi(&["checkout-sessions", "list", "--all"]);
    assert_eq!(listed.code, Some(0), "{}", listed.stderr);
    assert!(listed.stdout.contains(&id), "{}", listed.stdout);
    let found = lomi(&["checkout-sessions", "retrieve", &id]);
    assert_eq!(found.code, Some(0), "{}", found.stderr);

    // Another resource of the current API, from the same mock.
    let customer = lomi(&["customers", "create", "--name", "Awa Diop"]);
    assert_eq!(customer.code, Some(0), "{}", customer.stderr);
    let second = lomi(&["customers", "create", "--name", "Moussa Traoré"]);
    assert_eq!(second.code, Some(0), "{}", second.stderr);
    // `/customers` is numbered by pages: `--all` walks `page` with `--page-size`.
    let every = lomi(&["customers", "list", "--all", "--page-size", "1"]);
    assert_eq!(every.code, Some(0), "{}", every.stderr);
    let names: Vec<String> = every
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["name"].to_string())
        .collect();
    assert_eq!(names, ["\"Awa Diop\"", "\"Moussa Traoré\""]);

    // trigger creates a session of this API on the mock and pays it.
    let triggered = lomi(&["trigger", "checkout.completed"]);
    assert_eq!(
        triggered.code,
        Some(0),
        "{}{}",
        triggered.stdout,
        triggered.stderr
    );
    assert!(
        triggered
            .stdout
            .contains("delivered CHECKOUT_COMPLETED (id "),
        "{}",
        triggered.stdout
    );
    mock.line_with(&["CHECKOUT_COMPLETED"]);
    assert!(!seen.lock().unwrap().is_empty());
}
