//! The mock as a program: started the way the README says, it serves the five operations
//! to a plain HTTP client (what `curl` would send, byte for byte).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary on a free port and returns it with its base URL's host:port and path.
fn start(args: &[&str]) -> (Running, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lomi-mock"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("lomi-mock listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    // The base path is the spec's first server's (`/v1`, or none).
    let (host, path) = url.split_once('/').unwrap_or((url.as_str(), ""));
    let path = if path.is_empty() {
        String::new()
    } else {
        format!("/{path}")
    };
    (Running(child), host.to_string(), path)
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

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn the_binary_serves_the_five_operations() {
    let (_mock, host, base) = start(&["--port", "0"]);
    let collection = format!("{base}/checkout_sessions");

    let (status, body) = send(
        &host,
        "POST",
        &collection,
        Some(r#"{"amount":15000,"currency_code":"XOF","product_id":"prod_1234567890abcdef"}"#),
    );
    assert_eq!(status, 201, "{body}");
    let id = json(&body)["checkout_session_id"]
        .as_str()
        .unwrap()
        .to_string();
    let item = format!("{collection}/{id}");

    let (status, body) = send(&host, "GET", &item, None);
    assert_eq!(
        (status, json(&body)["status"].as_str()),
        (200, Some("open"))
    );

    let (status, body) = send(&host, "GET", &format!("{collection}?limit=10"), None);
    assert_eq!(status, 200);
    assert_eq!(json(&body)["pagination"]["total"], 1);

    let (status, body) = send(&host, "PATCH", &item, Some(r#"{"title":"Rice"}"#));
    assert_eq!((status, json(&body)["title"].as_str()), (200, Some("Rice")));

    let (status, body) = send(&host, "DELETE", &item, None);
    assert_eq!((status, body.as_str()), (204, ""));
    let (status, body) = send(&host, "GET", &item, None);
    assert_eq!(status, 404);
    assert_eq!(json(&body)["error"]["code"], "not_found");
}

#[test]
fn bad_arguments_are_named() {
    let output = Command::new(env!("CARGO_BIN_EXE_lomi-mock"))
        .args(["--port", "http"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--port: \"http\" is not a port number"),
        "{stderr}"
    );

    let output = Command::new(env!("CARGO_BIN_EXE_lomi-mock"))
        .args(["--spec", "/nonexistent/spec.yaml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read /nonexistent/spec.yaml"));
}
