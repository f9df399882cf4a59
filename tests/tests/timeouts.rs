//! Timeouts surface as their own error kind, per attempt, configurable per client and
//! per call.

use std::time::{Duration, Instant};

use lomi_client::{Client, Error, RequestOptions};
use lomi_mock::{Fault, MockServer};
use tests::{TEST_KEY, fast_retries, mock, retrieve};

/// The mock, answering every request `delay` late.
async fn slow_server(delay: Duration) -> MockServer {
    let server = mock().await;
    server.inject(Fault::Delay(delay), usize::MAX);
    server
}

fn client_with(url: &str, timeout: Duration, retries: u32) -> Client {
    Client::builder(TEST_KEY)
        .base_url(url)
        .timeout(timeout)
        .retry_policy(
            lomi_client::RetryPolicy::new(retries)
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(2)),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout_error() {
    let server = slow_server(Duration::from_secs(5)).await;
    let started = Instant::now();
    let err = retrieve(&client_with(&server.url(), Duration::from_millis(200), 0))
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    match &err {
        Error::Timeout(e) => {
            assert_eq!(e.attempts, 1);
            assert_eq!(e.timeout, Duration::from_millis(200));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.is_retryable());
    assert_eq!(
        err.to_string(),
        "retrieve_checkout_session timed out (limit 200ms per attempt, 1 attempt)"
    );
}

#[tokio::test]
async fn each_attempt_gets_the_full_timeout_and_timeouts_are_retried() {
    let server = slow_server(Duration::from_secs(5)).await;
    let err = retrieve(&client_with(&server.url(), Duration::from_millis(150), 2))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Timeout(e) if e.attempts == 3),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_call_can_have_its_own_timeout() {
    let server = slow_server(Duration::from_millis(400)).await;
    let client = Client::builder(TEST_KEY)
        .base_url(server.url())
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    // The client's default (60 s) lets the slow answer through…
    retrieve(&client).await.unwrap();
    // …a tighter limit for one call, on its builder, does not…
    let hurried = client
        .retrieve_checkout_session()
        .session_id(tests::SESSION_ID)
        .timeout(Duration::from_millis(100))
        .max_retries(0)
        .send()
        .await;
    match hurried {
        Err(Error::Timeout(e)) => {
            assert_eq!((e.timeout, e.attempts), (Duration::from_millis(100), 1))
        }
        other => panic!("{other:?}"),
    }
    // …nor for the calls of a client derived with other settings.
    let hurried = client.with_options(
        RequestOptions::new()
            .timeout(Duration::from_millis(100))
            .max_retries(0),
    );
    assert!(matches!(retrieve(&hurried).await, Err(Error::Timeout(_))));
    // A per-call connect timeout builds a pool of its own and still works.
    let patient =
        client.with_options(RequestOptions::new().connect_timeout(Duration::from_secs(3)));
    retrieve(&patient).await.unwrap();
}
