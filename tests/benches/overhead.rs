//! Per-call overhead of lomi-client against a hand-written `reqwest` call making the same
//! request to the same local server, measured in one run.
//!
//! `cargo bench -p tests --bench overhead` prints a table. The two alternate call by call
//! so that machine noise hits both alike; the ratio of medians is the figure.

use std::time::{Duration, Instant};

use lomi_client::{Client, types};
use lomi_mock::Fault;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use tests::{SESSION_ID, TEST_KEY, session_json};

const SAMPLES: usize = 10_000;
const WARMUP: usize = 500;

fn create_body() -> types::CheckoutSessionsCreate {
    tests::seed_create_request()
        .try_into()
        .expect("a valid body")
}

/// The same request by hand: key header, JSON body, idempotency key, typed decode, and
/// the same timeouts (10 s to connect, 60 s per request) that lomi-client sets by
/// default, since a production call without a timeout is a bug.
struct Raw {
    http: reqwest::Client,
    base: String,
}

impl Raw {
    fn new(base: &str) -> Raw {
        let mut headers = HeaderMap::new();
        let mut key = HeaderValue::from_static(TEST_KEY);
        key.set_sensitive(true);
        headers.insert("x-api-key", key);
        Raw {
            http: reqwest::Client::builder()
                .user_agent(lomi_client::USER_AGENT)
                .default_headers(headers)
                .connect_timeout(lomi_client::DEFAULT_CONNECT_TIMEOUT)
                .timeout(lomi_client::DEFAULT_TIMEOUT)
                .build()
                .unwrap(),
            base: base.to_string(),
        }
    }

    async fn create(&self, body: types::CheckoutSessionsCreate) -> types::CheckoutSessions {
        let response = self
            .http
            .post(format!("{}/checkout_sessions", self.base))
            .header(CONTENT_TYPE, "application/json")
            .header("accept", "application/json")
            .header("idempotency-key", uuid::Uuid::new_v4().to_string())
            .body(serde_json::to_vec(&body).unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
    }

    async fn retrieve(&self) -> types::CheckoutSessions {
        let response = self
            .http
            .get(format!("{}/checkout_sessions/{SESSION_ID}", self.base))
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
    }
}

/// The middle sample, and the mean of the middle 80 %.
fn summary(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    let cut = v.len() / 10;
    let middle = &v[cut..v.len() - cut];
    (
        v[v.len() / 2],
        middle.iter().sum::<Duration>() / middle.len() as u32,
    )
}

async fn timed<F: std::future::Future<Output = ()>>(call: F) -> Duration {
    let started = Instant::now();
    call.await;
    started.elapsed()
}

fn main() {
    // The server gets a runtime (and thread) of its own so that it does not compete
    // with the client side for the runtime being measured.
    let (url_tx, url_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            // Canned answers (no validation, no store), so that the server's own time
            // stays small and the same as with the hand-written server this replaced:
            // a slower server would dilute the client's overhead in the ratio.
            let server = tests::mock().await;
            server.inject_on(
                "createCheckoutSession",
                Fault::json(201, &session_json()),
                usize::MAX,
            );
            server.inject_on(
                "retrieveCheckoutSession",
                Fault::json(200, &session_json()),
                usize::MAX,
            );
            url_tx.send(server.url()).unwrap();
            std::future::pending::<()>().await;
        });
    });
    let url = url_rx.recv().unwrap();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = Client::builder(TEST_KEY).base_url(&url).build().unwrap();
        let raw = Raw::new(&url);

        println!("per-call time over {SAMPLES} calls each, alternating lomi-client and raw reqwest call by call");
        println!("| call | raw reqwest (median) | lomi-client (median) | ratio of medians | ratio of 10-90 % means |");
        println!("|---|---|---|---|---|");
        for post in [true, false] {
            let ours_call = || async {
                if post {
                    client.create_checkout_session().body(create_body()).send().await.unwrap();
                } else {
                    client.retrieve_checkout_session().session_id(SESSION_ID).send().await.unwrap();
                }
            };
            let raw_call = || async {
                if post {
                    raw.create(create_body()).await;
                } else {
                    raw.retrieve().await;
                }
            };
            for _ in 0..WARMUP {
                ours_call().await;
                raw_call().await;
            }
            let (mut ours, mut theirs) = (Vec::with_capacity(SAMPLES), Vec::with_capacity(SAMPLES));
            for i in 0..SAMPLES {
                // Swap the order every call so neither always goes first.
                if i % 2 == 0 {
                    ours.push(timed(ours_call()).await);
                    theirs.push(timed(raw_call()).await);
                } else {
                    theirs.push(timed(raw_call()).await);
                    ours.push(timed(ours_call()).await);
                }
            }
            let ((om, oa), (tm, ta)) = (summary(ours), summary(theirs));
            println!(
                "| {} | {tm:.1?} | {om:.1?} | {:.3} | {:.3} |",
                if post { "create (POST)" } else { "retrieve (GET)" },
                om.as_secs_f64() / tm.as_secs_f64(),
                oa.as_secs_f64() / ta.as_secs_f64(),
            );
        }
    });
}
