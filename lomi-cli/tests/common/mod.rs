//! What the `lomi` binary's tests share.

#![allow(dead_code)] // each test file uses some of these

use std::future::Future;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};

/// Runs the server `serve` starts on a runtime of its own thread, for the rest of the
/// test process, and returns what `serve` sends once it listens (its URL).
pub fn in_the_background<F, Fut>(serve: F) -> String
where
    F: FnOnce(std::sync::mpsc::Sender<String>) -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(serve(tx));
    });
    rx.recv().unwrap()
}

/// An HTTP client that does not follow redirects, to see each one, as a browser's
/// address bar would.
pub fn browser() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Posts the payment page's form with `action` (pay, fail, cancel), as its buttons do.
pub async fn click(page: &str, action: &str) -> reqwest::Response {
    browser()
        .post(page)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("action={action}"))
        .send()
        .await
        .unwrap()
}

/// The HTML of the page at `url`, which must answer 200.
pub async fn page_text(url: &str) -> String {
    let answer = browser().get(url).send().await.unwrap();
    assert_eq!(answer.status(), 200, "GET {url}");
    answer.text().await.unwrap()
}

/// What a receiver saw: each delivery's headers and raw body.
pub type Seen = Arc<Mutex<Vec<(HeaderMap, Vec<u8>)>>>;

/// A webhook endpoint on 127.0.0.1 (`POST /webhooks`) that answers 200 to a delivery
/// signed with `secret` and 400 otherwise, as `lomi_client::webhooks` verifies it,
/// keeping what it received; its URL. It also serves the shop's page after a payment,
/// `GET /paid`.
pub fn receiver(secret: &'static str) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let kept = seen.clone();
    let url = in_the_background(move |url| async move {
        let app = axum::Router::new().route(
            "/paid",
            axum::routing::get(|| async { axum::response::Html("<h1>Thank you!</h1>") }),
        );
        let app = app.route(
            "/webhooks",
            axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let kept = kept.clone();
                async move {
                    let signature = headers
                        .get("x-lomi-signature")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string();
                    kept.lock().unwrap().push((headers, body.to_vec()));
                    match lomi_client::webhooks::verify(&body, &signature, secret) {
                        Ok(()) => (StatusCode::OK, "ok".to_string()),
                        Err(e) => (StatusCode::BAD_REQUEST, e.to_string()),
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        url.send(format!("http://{addr}/webhooks")).unwrap();
        axum::serve(listener, app).await.unwrap();
    });
    (url, seen)
}

/// A long-running process in its own process group (so that what it starts, as `cargo
/// run` or `bash` do, stops with it), and what it prints.
pub struct Process {
    child: Child,
    /// A line arrived (the lines themselves are in `printed`).
    lines: Receiver<()>,
    printed: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<String>>,
}

impl Drop for Process {
    fn drop(&mut self) {
        // The group; killed if TERM is not enough.
        let group = format!("-{}", self.child.id());
        for signal in ["-TERM", "-KILL"] {
            let _ = Command::new("kill").args([signal, "--", &group]).status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

impl Process {
    /// Starts `command`, reading its standard output by line and keeping its errors.
    pub fn start(mut command: Command) -> Process {
        use std::os::unix::process::CommandExt;
        command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        let mut child = command.spawn().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        let printed = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().unwrap();
        let kept = printed.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                kept.lock().unwrap().push(line);
                let _ = tx.send(());
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut pipe = child.stderr.take().unwrap();
        let kept = stderr.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                kept.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        Process {
            child,
            lines,
            printed,
            stderr,
        }
    }

    /// Waits for a printed line with every one of `parts`; panics with all it printed
    /// if none comes `within`, or if it stops first.
    pub fn line_with(&mut self, parts: &[&str], within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            if let Some(line) = self
                .printed
                .lock()
                .unwrap()
                .iter()
                .find(|l| parts.iter().all(|p| l.contains(p)))
            {
                return line.clone();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let stopped = match self.lines.recv_timeout(left.min(Duration::from_secs(1))) {
                Ok(()) => continue,
                Err(RecvTimeoutError::Timeout) if Instant::now() < deadline => {
                    match self.child.try_wait() {
                        Ok(Some(status)) => format!("it stopped ({status})"),
                        _ => continue,
                    }
                }
                Err(RecvTimeoutError::Timeout) => format!("nothing within {within:?}"),
                Err(RecvTimeoutError::Disconnected) => "its output closed".to_string(),
            };
            panic!(
                "{stopped} before a line with {parts:?}; it printed:\n{}\n{}",
                self.printed.lock().unwrap().join("\n"),
                self.stderr.lock().unwrap()
            );
        }
    }
}

/// A `lomi mock` process, stopped when dropped, and what it prints.
pub struct Running {
    process: Process,
    /// `http://127.0.0.1:PORT`.
    pub origin: String,
    /// The API's base URL: the origin, with `/v1` for the 1.1.0 API.
    api: String,
}

impl Running {
    /// The API's base URL, as the mock printed it.
    pub fn api(&self) -> String {
        self.api.clone()
    }

    /// Waits (30 s at most) for a printed line containing every one of `parts`.
    pub fn line_with(&mut self, parts: &[&str]) -> String {
        self.process.line_with(parts, Duration::from_secs(30))
    }
}

/// The `lomi` binary speaking lomi.'s 1.1.0 API (`--api 1.1.0`), which these tests were
/// written against; the current API's (the default) have their own file.
pub fn lomi() -> Command {
    let mut command = lomi_default();
    command.args(["--api", "1.1.0"]);
    command
}

/// The `lomi` binary as a developer runs it, nothing of theirs read: its default API.
pub fn lomi_default() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lomi"));
    command
        .env_remove("LOMI_API")
        .env_remove("LOMI_API_KEY")
        .env_remove("LOMI_WEBHOOK_SECRET")
        .env_remove("LOMI_BASE_URL")
        // No `lomi login` key of the developer's is read.
        .env(
            "LOMI_CONFIG_DIR",
            std::env::temp_dir().join("lomi-cli-mock-no-config"),
        );
    command
}

/// `lomi --api 1.1.0 mock --port 0 ARGS…`, once it says it is ready.
pub fn start(args: &[&str]) -> Running {
    start_with(lomi(), args)
}

/// `lomi mock --port 0 ARGS…` run by `command`, once it says it is ready.
pub fn start_with(mut command: Command, args: &[&str]) -> Running {
    command.args(["mock", "--port", "0"]).args(args);
    let mut process = Process::start(command);
    let first = process.line_with(&["lomi mock: the API at "], Duration::from_secs(30));
    let api = first.rsplit(' ').next().unwrap().to_string();
    let origin = api.trim_end_matches("/v1").to_string();
    let mut running = Running {
        process,
        origin,
        api,
    };
    running.line_with(&["Ready."]);
    running
}

pub struct Out {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(command: &mut Command) -> Out {
    let out = command.output().unwrap();
    Out {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `bash -c script` in `dir`, with no `LOMI_*` of the developer's and `env`: a line of a
/// README block, as a person types it.
pub fn shell(script: &str, dir: &std::path::Path, env: &[(&str, String)]) -> Command {
    let mut command = Command::new("bash");
    command.args(["-c", script]).current_dir(dir);
    for (name, _) in std::env::vars() {
        if name.starts_with("LOMI_") {
            command.env_remove(name);
        }
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

/// The text of the README's ```sh block after `marker` (an HTML comment naming the test
/// that runs it).
pub fn readme_sh_block(marker: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let at = readme
        .find(marker)
        .unwrap_or_else(|| panic!("the README has no {marker}"));
    let block = &readme[at..];
    let start = block
        .find("```sh\n")
        .expect("a ```sh block follows the marker")
        + 6;
    let block = &block[start..];
    block[..block.find("```").expect("the block ends")].to_string()
}
