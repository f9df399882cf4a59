//! The local loop as a developer lives it: the README's shell block run as written, and
//! a customer paying on the mock's hosted page in a real browser (headless Chromium,
//! driven over WebDriver).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// One terminal of the README's loop: its commands, continuation lines joined.
#[derive(Debug, Default)]
struct Terminal {
    title: String,
    commands: Vec<String>,
}

/// The block after the README's shell-loop marker, by terminal.
fn readme_loop() -> Vec<Terminal> {
    let block = common::readme_sh_block("<!-- the shell loop:");
    let mut terminals: Vec<Terminal> = Vec::new();
    let mut pending = String::new();
    for line in block.lines() {
        if let Some(title) = line.strip_prefix("# Terminal") {
            terminals.push(Terminal {
                title: title.trim().to_string(),
                commands: Vec::new(),
            });
            continue;
        }
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(part) => pending.push_str(part),
            None => {
                pending.push_str(line);
                let terminal = terminals
                    .last_mut()
                    .expect("commands follow a # Terminal line");
                terminal.commands.push(std::mem::take(&mut pending));
            }
        }
    }
    terminals
}

/// `bash -c script` in the repository, with a clean `LOMI_*` environment and `env`.
fn shell(script: &str, env: &[(&str, String)]) -> Command {
    common::shell(script, &root(), env)
}

fn free(port: u16) {
    if std::net::TcpListener::bind(("127.0.0.1", port)).is_err() {
        panic!("the README's loop needs port {port}, which is taken on this machine");
    }
}

/// The README's loop, as written: each terminal's command started, the next one once the
/// last printed its first line (it listens); the last terminal's commands one after the
/// other, its `export`s kept. The customer's step ("open its checkout_url and click Pay")
/// is the page's form, posted as a browser posts it.
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn the_readmes_shell_loop_runs_as_written() {
    let terminals = readme_loop();
    assert_eq!(terminals.len(), 3, "{terminals:#?}");
    free(12111);
    free(3000);
    // Its own target directory: this test's `cargo test` holds the workspace's.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("shell-loop");
    let env = [
        ("CARGO_TARGET_DIR", target.display().to_string()),
        ("CARGO_TERM_COLOR", "never".to_string()),
    ];
    let (last, servers) = terminals.split_last().unwrap();
    let mut started = Vec::new();
    for terminal in servers {
        assert_eq!(terminal.commands.len(), 1, "{terminal:#?}");
        eprintln!("terminal {}: {}", terminal.title, terminal.commands[0]);
        let mut server = common::Process::start(shell(&terminal.commands[0], &env));
        // The first build of the workspace takes minutes on two cores.
        server.line_with(&[""], Duration::from_secs(1500));
        started.push(server);
    }
    let [mock, service] = &mut started[..] else {
        panic!("two servers: the mock and the service")
    };

    let mut exports = String::new();
    let mut paid = false;
    let mut triggered = false;
    for command in &last.commands {
        if command.starts_with("export ") {
            exports.push_str(command);
            exports.push('\n');
            continue;
        }
        let out = shell(&format!("{exports}{command}"), &env)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{command}\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if let Ok(session) = serde_json::from_str::<Value>(&stdout)
            && let Some(page) = session["checkout_url"].as_str()
        {
            // The customer opens the page and clicks Pay.
            assert!(common::page_text(page).await.contains("Order 42"));
            let pay = common::click(page, "pay").await;
            assert_eq!(pay.status(), 303);
            let back = pay.headers()["location"].to_str().unwrap().to_string();
            assert_eq!(back, session["success_url"].as_str().unwrap());
            let thanks = common::browser().get(&back).send().await.unwrap();
            assert_eq!(thanks.status(), 200, "the service serves {back}");
            let id = session["checkout_session_id"].as_str().unwrap();
            mock.line_with(
                &["--> CHECKOUT_COMPLETED", "[200] delivered"],
                Duration::from_secs(30),
            );
            service.line_with(
                &[&format!("session {id} is completed")],
                Duration::from_secs(30),
            );
            paid = true;
        }
        if command.contains(" trigger ") {
            assert!(stdout.contains("delivered CHECKOUT_COMPLETED"), "{stdout}");
            let id = stdout
                .lines()
                .find_map(|l| l.strip_prefix("created checkout session "))
                .unwrap();
            service.line_with(
                &[&format!("session {id} is completed")],
                Duration::from_secs(30),
            );
            triggered = true;
        }
    }
    assert!(
        paid && triggered,
        "the loop pays a session and triggers one"
    );
    service.line_with(
        &["received CHECKOUT_COMPLETED (", "), verified"],
        Duration::from_secs(5),
    );
}

/// Where Chromium and its WebDriver are, or why the browser test cannot run.
fn chromium() -> Result<(PathBuf, PathBuf), String> {
    let find = |variable: &str, names: &[&str]| {
        if let Ok(path) = std::env::var(variable) {
            return Some(PathBuf::from(path));
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        names.iter().find_map(|name| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(name))
                .find(|candidate| candidate.is_file())
        })
    };
    let browser = find(
        "LOMI_CHROMIUM",
        &["chromium", "chromium-browser", "google-chrome"],
    )
    .ok_or("no Chromium (Debian: apt-get install chromium chromium-driver)")?;
    let driver = find("LOMI_CHROMEDRIVER", &["chromedriver"])
        .ok_or("no chromedriver (Debian: apt-get install chromium-driver)")?;
    Ok((browser, driver))
}

/// A WebDriver server on a free port of 127.0.0.1, stopped when dropped.
struct Driver(Child, String);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_driver(driver: &Path) -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Driver(child, format!("http://127.0.0.1:{port}"))
}

/// A customer in headless Chromium: the page at `checkout_url`, a click on Pay, and the
/// shop's `success_url`, while the signed events reach the shop's endpoint. `.ci/run`
/// installs Chromium and requires this test (`LOMI_BROWSER_TESTS=required`); elsewhere it
/// is skipped, saying why, when no browser is installed.
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn a_customer_pays_in_a_real_browser() {
    let (chromium, driver) = match chromium() {
        Ok(found) => found,
        Err(why) if std::env::var("LOMI_BROWSER_TESTS").as_deref() == Ok("required") => {
            panic!("the browser test is required here and cannot run: {why}")
        }
        Err(why) => {
            eprintln!("skipped a_customer_pays_in_a_real_browser: {why}");
            return;
        }
    };
    const SECRET: &str = "whsec_browser_test";
    let (endpoint, seen) = common::receiver(SECRET);
    let shop = endpoint.trim_end_matches("/webhooks").to_string();
    let mut mock = common::start(&["--forward-to", &endpoint, "--webhook-secret", SECRET]);
    let created = common::run(
        common::lomi()
            .args(["--base-url", &mock.api(), "checkout-sessions", "create"])
            .args(["--amount", "15000", "--currency-code", "XOF"])
            .args(["--title", "Thé à la menthe"])
            .args(["--success-url", &format!("{shop}/paid")])
            .env("LOMI_API_KEY", lomi_mock::DEFAULT_API_KEY),
    );
    assert_eq!(created.code, Some(0), "{}", created.stderr);
    let session: Value = serde_json::from_str(&created.stdout).unwrap();
    let page = session["checkout_url"].as_str().unwrap().to_string();

    let driver = start_driver(&driver);
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            // As root (CI), Chromium needs --no-sandbox; the rest keeps it off the network
            // this machine does not have.
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        }),
    );
    let client =
        fantoccini::ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.1)
            .await
            .expect("chromedriver starts a headless Chromium");

    let result = async {
        client.goto(&page).await?;
        let title = client
            .find(fantoccini::Locator::Id("title"))
            .await?
            .text()
            .await?;
        assert_eq!(title, "Thé à la menthe");
        let amount = client
            .find(fantoccini::Locator::Id("amount"))
            .await?
            .text()
            .await?;
        assert_eq!(amount.replace('\u{202f}', " "), "15 000");
        client
            .find(fantoccini::Locator::Id("pay"))
            .await?
            .click()
            .await?;
        let success = format!("{shop}/paid");
        client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_url(&url::Url::parse(&success).unwrap())
            .await?;
        let heading = client
            .find(fantoccini::Locator::Css("h1"))
            .await?
            .text()
            .await?;
        assert_eq!(heading, "Thank you!");
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    let _ = client.close().await;
    result.unwrap();

    mock.line_with(&["--> PAYMENT_SUCCEEDED", "[200] delivered"]);
    mock.line_with(&["--> CHECKOUT_COMPLETED", "[200] delivered"]);
    let events: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|(headers, _)| headers["x-lomi-event"].to_str().unwrap().to_string())
        .collect();
    assert_eq!(events, ["PAYMENT_SUCCEEDED", "CHECKOUT_COMPLETED"]);
}
