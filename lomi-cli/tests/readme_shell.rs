//! The README's shell blocks for shops, run as a person types them: the session with
//! the command (against `lomi mock`, the `…` placeholders filled in as a reader fills
//! them) and the mock as a program with `curl`. The shell loop has its own test
//! (`shell_loop.rs`).

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

/// The commands of the README's ```sh block after `marker`: continuation lines joined,
/// comment lines dropped (a comment after a command is the shell's to drop).
fn readme_block(marker: &str) -> Vec<String> {
    let block = common::readme_sh_block(marker);
    let mut commands = Vec::new();
    let mut pending = String::new();
    for line in block.lines() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        match line.trim_end().strip_suffix('\\') {
            Some(part) => pending.push_str(part),
            None => {
                pending.push_str(line);
                commands.push(std::mem::take(&mut pending));
            }
        }
    }
    commands
}

/// A folder whose only entry is `lomi`, the command under test, to put first on `PATH`
/// as `cargo install` would.
fn installed() -> String {
    let bin = Path::new(env!("CARGO_TARGET_TMPDIR")).join("readme-shell-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let link = bin.join("lomi");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_lomi"), &link).unwrap();
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Runs `command`, which must succeed; its standard output.
fn succeed(mut command: Command, what: &str) -> String {
    let out = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what}: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn the_readmes_shell_session_runs_against_the_mock() {
    let commands = readme_block("<!-- the shell session: lomi-cli/tests/readme_shell.rs");
    assert_eq!(commands.len(), 8, "{commands:#?}");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("readme-shell-session");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("body.json"),
        r#"{"amount": 5000, "currency_code": "XOF", "title": "From the file"}"#,
    )
    .unwrap();
    let mock = common::start_with(common::lomi_default(), &[]);
    let secret = "whsec_readme_session";
    let (endpoint, seen) = common::receiver(secret);
    let env = [
        ("PATH", installed()),
        ("LOMI_BASE_URL", mock.api()),
        // No key `lomi login` kept on this machine is read.
        ("LOMI_CONFIG_DIR", dir.join("config").display().to_string()),
    ];

    let mut exports = String::new();
    let mut session_id = String::new();
    let mut signature = String::new();
    for command in &commands {
        // The placeholders, as a reader fills them: the mock's key, the session created
        // above, the endpoint's secret and URL, the signature of the body it captured.
        let command = command
            .replace("lomi_sk_test_…", lomi_mock::DEFAULT_API_KEY)
            .replace("cs_…", &session_id)
            .replace("whsec_…", secret)
            .replace("http://127.0.0.1:3000/webhooks", &endpoint)
            .replace("3f2a…", &signature);
        if command.starts_with("export ") {
            exports.push_str(&command);
            exports.push('\n');
            continue;
        }
        let stdout = succeed(
            common::shell(&format!("{exports}{command}"), &dir, &env),
            &command,
        );
        let words: Vec<&str> = command.split_whitespace().collect();
        match words[1..] {
            ["checkout-sessions", "create", "--amount", ..] => {
                let session: Value = serde_json::from_str(&stdout).expect(&stdout);
                assert_eq!(session["amount"], 15000.0, "{stdout}");
                session_id = session["checkout_session_id"].as_str().unwrap().to_string();
                // What the webhook line sends: the session as the command printed it.
                std::fs::write(dir.join("session.json"), &stdout).unwrap();
            }
            ["checkout-sessions", "list", "--all", ..] => {
                let listed: Vec<Value> = stdout
                    .lines()
                    .map(|l| serde_json::from_str(l).expect(l))
                    .collect();
                assert!(
                    listed
                        .iter()
                        .any(|s| s["checkout_session_id"] == *session_id)
                );
            }
            ["checkout-sessions", "retrieve", id, ..] => {
                assert_eq!(id, session_id);
                assert!(stdout.contains(&session_id), "{stdout}");
            }
            ["customers", "create", ..] => assert!(stdout.contains("Awa Diop"), "{stdout}"),
            ["checkout-sessions", "create", "--data", ..] => {
                let session: Value = serde_json::from_str(&stdout).expect(&stdout);
                // The flag wins over the file's field; the rest comes from the file.
                assert_eq!(session["title"], "Flag wins", "{stdout}");
                assert_eq!(session["amount"], 5000.0, "{stdout}");
            }
            ["webhooks", "send", ..] => {
                let seen = seen.lock().unwrap();
                let (headers, body) = seen.last().expect("the endpoint got the event");
                signature = headers["x-lomi-signature"].to_str().unwrap().to_string();
                // What a developer captured at their endpoint, to verify later.
                std::fs::write(dir.join("captured.json"), body).unwrap();
            }
            ["webhooks", "verify", ..] => {}
            _ => panic!("a command this test does not know: {command}"),
        }
    }
    assert!(!signature.is_empty(), "the block sends before it verifies");
}

/// The mock as a program, and `curl` as any other harness's client.
#[test]
fn the_readmes_mock_program_answers_curl() {
    let commands = readme_block("<!-- the mock as a program: lomi-cli/tests/readme_shell.rs");
    let [serve, curl] = &commands[..] else {
        panic!("a mock and a curl: {commands:#?}")
    };
    if Command::new("curl").arg("--version").output().is_err() {
        // .ci/run installs curl where it is missing.
        assert!(
            std::env::var_os("CI").is_none(),
            "curl is missing on a CI machine"
        );
        eprintln!("skipped: curl is not installed");
        return;
    }
    if std::net::TcpListener::bind(("127.0.0.1", 12111)).is_err() {
        panic!("the README's block needs port 12111, which is taken on this machine");
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).to_path_buf();
    let env = [("PATH", installed())];
    let mut mock = common::Process::start(common::shell(serve, &dir, &env));
    mock.line_with(&["Ready."], Duration::from_secs(30));
    let stdout = succeed(common::shell(curl, &dir, &env), curl);
    let session: Value = serde_json::from_str(&stdout).expect(&stdout);
    assert_eq!(session["status"], "open", "{stdout}");
    assert_eq!(session["amount"], 15000.0, "{stdout}");
}
