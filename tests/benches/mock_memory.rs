//! The memory a running lomi-mock holds after 200,000 checkout-session creates, each
//! with its own idempotency key, with its default cap (`DEFAULT_MAX_RESOURCES`) and
//! with no practical cap, measured in one run.
//!
//! `cargo bench -p tests --bench mock_memory` prints a table. The mock runs in this
//! process; the figure is the process's resident memory (`VmRSS`) after the creates
//! less before, so the client's share is in both rows alike.

use std::time::Instant;

use tests::TEST_KEY;

const CREATES: usize = 200_000;
const CONNECTIONS: usize = 8;

/// This process's resident memory, in bytes (Linux).
fn rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// Starts a mock keeping `cap` resources, creates [`CREATES`] sessions over
/// [`CONNECTIONS`] connections, and answers (sessions kept, MiB held, creates a second).
async fn run(cap: usize) -> (usize, f64, f64) {
    let mock = lomi_mock::MockServer::builder()
        .api_key(TEST_KEY)
        .max_resources(cap)
        .start()
        .await
        .expect("the mock starts");
    let url = format!("{}/checkout_sessions", mock.url());
    // What a shop sends: an amount, a currency, a title and its order in the metadata.
    let body = serde_json::to_vec(&serde_json::json!({
        "amount": 15000,
        "currency_code": "XOF",
        "title": "Order 42",
        "success_url": "https://shop.example/paid",
        "metadata": {"order_id": "42"},
    }))
    .unwrap();
    let before = rss().unwrap_or(0);
    let started = Instant::now();
    let tasks: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (url, body) = (url.clone(), body.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                for _ in 0..CREATES / CONNECTIONS {
                    let answer = http
                        .post(&url)
                        .header("x-api-key", TEST_KEY)
                        .header("content-type", "application/json")
                        .header("idempotency-key", uuid::Uuid::new_v4().to_string())
                        .body(body.clone())
                        .send()
                        .await
                        .expect("the mock answers");
                    assert_eq!(answer.status(), 201, "{:?}", answer.text().await);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let held = rss().unwrap_or(0).saturating_sub(before) as f64 / (1024.0 * 1024.0);
    (mock.sessions().len(), held, CREATES as f64 / elapsed)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    println!(
        "lomi-mock after {CREATES} creates (each with its own idempotency key), {CONNECTIONS} connections"
    );
    println!("| cap (resources, keys) | sessions kept | memory grown | creates/s |");
    println!("|---|---|---|---|");
    for cap in [lomi_mock::DEFAULT_MAX_RESOURCES, CREATES + 1] {
        let (kept, held, rate) = run(cap).await;
        let label = if cap > CREATES {
            "none (above the creates)".to_string()
        } else {
            format!("{cap} (the default)")
        };
        println!("| {label} | {kept} | {held:.0} MiB | {rate:.0} |");
    }
}
