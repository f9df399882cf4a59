//! What the `lomi` binary's tests share.

use std::future::Future;
use std::sync::{Arc, Mutex};

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

/// What a receiver saw: each delivery's headers and raw body.
pub type Seen = Arc<Mutex<Vec<(HeaderMap, Vec<u8>)>>>;

/// A webhook endpoint on 127.0.0.1 (`POST /webhooks`) that answers 200 to a delivery
/// signed with `secret` and 400 otherwise, as `lomi_client::webhooks` verifies it,
/// keeping what it received; its URL.
#[allow(dead_code)] // not every test file receives events
pub fn receiver(secret: &'static str) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let kept = seen.clone();
    let url = in_the_background(move |url| async move {
        let app = axum::Router::new().route(
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
