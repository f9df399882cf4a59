//! 500 concurrent calls against a local server: all succeed, the client never has more
//! requests in flight than its concurrency limit, and so keeps a bounded number of
//! connections open.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use lomi_client::Client;
use lomi_mock::Fault;
use tests::{SESSION_ID, TEST_KEY, fast_retries, mock, session_json};

/// A second stored session, so that the calls are not all for one.
const OTHER_ID: &str = "6a1d7b2f-9e4c-4d3b-8f80-2b3c4d5e6f70";

const CALLS: usize = 500;
const LIMIT: usize = 32;
/// A connection whose response was just read goes back to the pool a moment after the
/// next request may start, so the open-connection count can pass the in-flight limit by
/// the few in that handover.
const HANDOVER_SLACK: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_concurrent_calls_succeed_on_a_bounded_number_of_connections() {
    // A little latency per answer, so that calls really overlap.
    let server = mock().await;
    let mut other = session_json();
    other["checkout_session_id"] = OTHER_ID.into();
    server.insert_session(other).unwrap();
    server.inject(Fault::Delay(Duration::from_millis(5)), usize::MAX);
    let client = Client::builder(TEST_KEY)
        .base_url(server.url())
        .retry_policy(fast_retries())
        .max_concurrent_requests(LIMIT)
        .build()
        .unwrap();

    let started = Instant::now();
    let calls = (0..CALLS).map(|i| {
        let client = client.clone();
        async move {
            client
                .retrieve_checkout_session()
                .session_id(if i % 2 == 0 { SESSION_ID } else { OTHER_ID })
                .send()
                .await
        }
    });
    let results = join_all(calls).await;
    let elapsed = started.elapsed();

    let failures: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().err().map(|e| e.to_string()))
        .collect();
    assert!(
        failures.is_empty(),
        "{} failed, e.g. {:?}",
        failures.len(),
        failures.first()
    );
    assert_eq!(server.requests().len(), CALLS, "no call needed a retry");
    assert!(
        server.max_requests_in_flight() <= LIMIT,
        "{} requests were in flight at once (limit {LIMIT})",
        server.max_requests_in_flight()
    );
    assert!(
        server.max_open_connections() <= LIMIT + HANDOVER_SLACK,
        "{} connections were open at once (limit {LIMIT})",
        server.max_open_connections()
    );
    assert!(
        server.connections() <= LIMIT + HANDOVER_SLACK,
        "{} connections were opened",
        server.connections()
    );
    println!(
        "load: {CALLS} calls in {elapsed:?}; at most {} in flight; {} connections opened, at most {} open at once",
        server.max_requests_in_flight(),
        server.connections(),
        server.max_open_connections()
    );
}
