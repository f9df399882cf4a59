//! Retries: which failures are retried, how often, how long the client waits, and that
//! a POST keeps its body and idempotency key across attempts.

use std::time::Duration;

use lomi_client::{Client, Error, RequestOptions, RetryPolicy};
use lomi_mock::{Fault, Recorded};
use serde_json::json;
use tests::{TEST_KEY, client, error_json, mock, retrieve};

fn gap(requests: &[Recorded], i: usize) -> Duration {
    requests[i].at.duration_since(requests[i - 1].at)
}

#[tokio::test]
async fn transient_statuses_are_retried_until_success() {
    for status in [408, 429, 500, 502, 503, 504] {
        let server = mock().await;
        server.inject(
            Fault::json(status, &error_json("temporary", "try again")),
            2,
        );
        retrieve(&client(&server.url()))
            .await
            .unwrap_or_else(|e| panic!("{status}: {e}"));
        assert_eq!(server.requests().len(), 3, "{status}");
    }
}

#[tokio::test]
async fn the_client_gives_up_after_two_retries_by_default() {
    let server = mock().await;
    server.inject(
        Fault::json(503, &error_json("service_unavailable", "down")),
        usize::MAX,
    );
    let err = retrieve(&client(&server.url())).await.unwrap_err();
    assert_eq!(server.requests().len(), 3);
    match &err {
        Error::Api(e) => {
            assert_eq!((e.status.as_u16(), e.attempts), (503, 3));
            assert_eq!(e.code.as_deref(), Some("service_unavailable"));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.is_retryable());
    assert!(err.to_string().ends_with("after 3 attempts"), "{err}");
}

#[tokio::test]
async fn other_client_errors_are_never_retried() {
    for (status, code) in [
        (400, "bad_request"),
        (401, "unauthorized"),
        (403, "forbidden"),
        (404, "not_found"),
        (409, "conflict"),
    ] {
        let server = mock().await;
        server.inject(Fault::json(status, &error_json(code, "no")), usize::MAX);
        let err = retrieve(&client(&server.url())).await.unwrap_err();
        assert_eq!(server.requests().len(), 1, "{status}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(err.code(), Some(code));
        assert!(!err.is_retryable(), "{status}");
    }
}

#[tokio::test]
async fn retries_are_configurable_per_client_and_per_call() {
    let server = mock().await;
    server.inject(
        Fault::json(500, &error_json("internal_error", "x")),
        usize::MAX,
    );
    let none = Client::builder(TEST_KEY)
        .base_url(server.url())
        .max_retries(0)
        .build()
        .unwrap();
    retrieve(&none).await.unwrap_err();
    assert_eq!(server.requests().len(), 1);

    let one = none.with_options(RequestOptions::new().max_retries(1));
    retrieve(&one).await.unwrap_err();
    assert_eq!(server.requests().len(), 3);

    // The client it came from keeps its own setting.
    retrieve(&none).await.unwrap_err();
    assert_eq!(server.requests().len(), 4);

    // One call can have its own, on its builder; the next call is back to the client's.
    none.retrieve_checkout_session()
        .session_id(tests::SESSION_ID)
        .max_retries(2)
        .send()
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 7);
    retrieve(&none).await.unwrap_err();
    assert_eq!(server.requests().len(), 8);
}

#[tokio::test]
async fn waits_grow_exponentially_between_attempts() {
    let server = mock().await;
    server.inject(Fault::json(502, &json!({})), usize::MAX);
    let client = Client::builder(TEST_KEY)
        .base_url(server.url())
        .retry_policy(
            RetryPolicy::new(3)
                .initial_backoff(Duration::from_millis(100))
                .max_backoff(Duration::from_millis(300)),
        )
        .build()
        .unwrap();
    retrieve(&client).await.unwrap_err();
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    // Nominal waits 100, 200, 300 (capped) ms, less up to a quarter of jitter.
    for (i, nominal) in [(1, 100), (2, 200), (3, 300)] {
        let waited = gap(&requests, i);
        assert!(
            waited >= Duration::from_millis(nominal * 3 / 4),
            "retry {i} came after {waited:?}"
        );
        assert!(
            waited < Duration::from_millis(nominal + 1500),
            "retry {i} came after {waited:?}"
        );
    }
}

#[tokio::test]
async fn retry_after_in_seconds_is_honoured() {
    let server = mock().await;
    server.inject(
        Fault::json(429, &error_json("rate_limit_exceeded", "slow down"))
            .with_header("retry-after", "1")
            .with_header("x-ratelimit-limit", "120"),
        1,
    );
    retrieve(&client(&server.url())).await.unwrap();
    let waited = gap(&server.requests(), 1);
    assert!(waited >= Duration::from_millis(950), "{waited:?}");
    assert!(waited < Duration::from_secs(3), "{waited:?}");
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let server = mock().await;
    let at = std::time::SystemTime::now() + Duration::from_secs(2);
    server.inject(
        Fault::json(503, &error_json("service_unavailable", "maintenance"))
            .with_header("retry-after", &httpdate_string(at)),
        1,
    );
    retrieve(&client(&server.url())).await.unwrap();
    let waited = gap(&server.requests(), 1);
    // An HTTP date has whole seconds: 2 s ahead means at least 1 s.
    assert!(waited >= Duration::from_millis(950), "{waited:?}");
    assert!(waited < Duration::from_millis(3500), "{waited:?}");
}

#[tokio::test]
async fn the_last_retry_after_is_reported_when_the_client_gives_up() {
    let server = mock().await;
    server.inject(
        Fault::json(429, &error_json("rate_limit_exceeded", "slow down"))
            .with_header("retry-after-ms", "5"),
        usize::MAX,
    );
    match retrieve(&client(&server.url())).await {
        Err(Error::Api(e)) => {
            assert_eq!(e.kind(), lomi_client::ApiErrorKind::RateLimited);
            assert_eq!(e.retry_after(), Some(Duration::from_millis(5)));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_dropped_connection_is_retried() {
    let server = mock().await;
    server.inject(Fault::Drop, 1);
    retrieve(&client(&server.url())).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_ne!(requests[0].connection, requests[1].connection);
}

#[tokio::test]
async fn a_refused_connection_is_a_connection_error_after_the_retries() {
    // Bind then free a port: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = retrieve(&client(&format!("http://127.0.0.1:{port}")))
        .await
        .unwrap_err();
    match &err {
        Error::Connection(e) => assert_eq!(e.attempts, 3),
        other => panic!("{other:?}"),
    }
    assert!(err.is_retryable());
    assert_eq!(err.status(), None);
    assert!(
        err.to_string()
            .starts_with("retrieve_checkout_session could not reach lomi. after 3 attempts"),
        "{err}"
    );
}

fn httpdate_string(at: std::time::SystemTime) -> String {
    // IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`, computed by hand so the test
    // does not share the client's date code.
    let secs = at.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days % 7) as usize];
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let name = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(month - 1) as usize];
    format!("{weekday}, {day:02} {name} {year} {h:02}:{m:02}:{s:02} GMT")
}
