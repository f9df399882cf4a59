//! Each command's `--help` lists the flags it takes and no other, as a person reads it;
//! a flag a command does not take is refused (exit 2); the API's flags still go before
//! the command, as the README's loop writes them.

mod common;

use common::{lomi_default, run};

/// The long flags a `--help` lists.
fn flags(args: &[&str]) -> Vec<String> {
    let out = run(lomi_default().args(args).arg("--help"));
    assert_eq!(out.code, Some(0), "{args:?}: {}", out.stderr);
    out.stdout
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("--"))
        .filter_map(|l| l.split([' ', ',', '=']).next())
        .map(|f| format!("--{f}"))
        .collect()
}

const API_FLAGS: [&str; 7] = [
    "--api",
    "--base-url",
    "--sandbox",
    "--live",
    "--api-key",
    "--idempotency-key",
    "--timeout",
];

#[test]
fn each_command_lists_only_the_flags_it_takes() {
    let takes = |args: &[&str], api_flags: &[&str]| {
        let listed = flags(args);
        for flag in API_FLAGS {
            assert_eq!(
                listed.contains(&flag.to_string()),
                api_flags.contains(&flag),
                "`lomi {} --help` and {flag}: {listed:?}",
                args.join(" ")
            );
        }
    };
    takes(&["webhooks", "send"], &[]);
    takes(&["webhooks", "verify"], &[]);
    takes(&["login"], &[]);
    takes(&["mock"], &["--api", "--api-key"]);
    takes(&["trigger"], &["--api", "--base-url", "--api-key"]);
    takes(&["events", "resend"], &["--api", "--base-url", "--api-key"]);
    // An operation of the API takes them all.
    takes(&["checkout-sessions", "create"], &API_FLAGS);
    // trigger's --base-url is the mock's, and its help says so.
    let out = run(lomi_default().args(["trigger", "--help"]));
    assert!(
        out.stdout.contains("http://127.0.0.1:12111"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("sandbox"), "{}", out.stdout);
}

#[test]
fn a_flag_a_command_does_not_take_is_refused() {
    let out = run(lomi_default().args([
        "webhooks",
        "send",
        "--to",
        "http://127.0.0.1:9/webhooks",
        "--secret",
        "whsec_x",
        "--event",
        "PAYMENT_SUCCEEDED",
        "--live",
    ]));
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(
        out.stderr.contains("unexpected argument '--live'"),
        "{}",
        out.stderr
    );
}

/// The API's flags before the command, as the README's loop writes them, and after it,
/// reach the call alike: here both name a base URL where nothing listens (exit 3, naming
/// it).
#[test]
fn the_api_flags_go_before_or_after_the_command() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    for args in [
        vec!["--base-url", url.as_str(), "checkout-sessions", "list"],
        vec!["checkout-sessions", "list", "--base-url", url.as_str()],
    ] {
        let out = run(lomi_default()
            .env("LOMI_API_KEY", "lomi_sk_test_0123")
            .args(&args));
        assert_eq!(out.code, Some(3), "{args:?}: {}{}", out.stdout, out.stderr);
        assert!(out.stderr.contains(&url), "{args:?}: {}", out.stderr);
    }
}
