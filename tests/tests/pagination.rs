//! `stream()` walks lomi.'s offset pages: zero, one and many pages, the caller's page size
//! and sort forwarded, lazily, one page at a time.

use std::collections::HashMap;

use futures_util::{StreamExt, TryStreamExt};
use lomi_client::Error;
use lomi_mock::{Fault, MockServer, Recorded};
use serde_json::{Value, json};
use tests::{TEST_KEY, client, error_json, session_json};

fn query(r: &Recorded) -> HashMap<String, String> {
    r.target
        .split_once('?')
        .map(|(_, q)| q)
        .unwrap_or("")
        .split('&')
        .filter(|kv| !kv.is_empty())
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.replace("%3A", ":")))
        .collect()
}

/// The mock holding `total` sessions, numbered by `title` in creation order (and all
/// created at the same instant, so that `created_at:desc` keeps that order).
async fn sessions_server(total: u64) -> MockServer {
    let server = MockServer::builder()
        .api_key(TEST_KEY)
        .start()
        .await
        .unwrap();
    for i in 0..total {
        let mut s: Value = session_json();
        s["title"] = json!(format!("session {i}"));
        s["checkout_session_id"] = json!(format!("00000000-0000-4000-8000-{i:012}"));
        server.insert_session(s).unwrap();
    }
    server
}

async fn titles(server: &MockServer, limit: Option<u64>) -> Vec<String> {
    let client = client(&server.url());
    let mut list = client.list_checkout_sessions().sort("created_at:desc");
    if let Some(limit) = limit {
        list = list.limit(limit);
    }
    list.stream()
        .map_ok(|s| s.title.unwrap_or_default())
        .try_collect()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_empty_list_is_one_request_and_no_items() {
    let server = sessions_server(0).await;
    assert!(titles(&server, None).await.is_empty());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_single_page_is_one_request() {
    let server = sessions_server(3).await;
    assert_eq!(
        titles(&server, None).await,
        ["session 0", "session 1", "session 2"]
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn many_pages_are_walked_in_order_with_the_callers_limit_and_sort() {
    let server = sessions_server(45).await;
    let all = titles(&server, Some(20)).await;
    assert_eq!(all.len(), 45);
    assert_eq!(
        all,
        (0..45).map(|i| format!("session {i}")).collect::<Vec<_>>()
    );
    let asked: Vec<(String, String, String)> = server
        .requests()
        .iter()
        .map(|r| {
            let q = query(r);
            (q["limit"].clone(), q["offset"].clone(), q["sort"].clone())
        })
        .collect();
    assert_eq!(
        asked,
        [("20", "0"), ("20", "20"), ("20", "40")].map(|(l, o)| (
            l.to_string(),
            o.to_string(),
            "created_at:desc".to_string()
        ))
    );
}

#[tokio::test]
async fn the_walk_starts_at_the_builders_offset() {
    let server = sessions_server(30).await;
    let client = client(&server.url());
    let rest: Vec<_> = client
        .list_checkout_sessions()
        .limit(10)
        .offset(25_u64)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rest.len(), 5);
    assert_eq!(rest[0].title.as_deref(), Some("session 25"));
}

#[tokio::test]
async fn pages_are_fetched_only_as_items_are_needed() {
    let server = sessions_server(1000).await;
    let client = client(&server.url());
    let first: Vec<_> = client
        .list_checkout_sessions()
        .limit(100)
        .stream()
        .take(150)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first.len(), 150);
    // 150 items need two pages of 100; the other eight are never asked for.
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn an_error_ends_the_stream_after_the_items_already_read() {
    let server = sessions_server(10).await;
    // The first page goes through; the key is revoked before the second.
    server.inject(Fault::Pass, 1);
    server.inject(
        Fault::json(401, &error_json("unauthorized", "key revoked")),
        1,
    );
    let client = client(&server.url());
    let results: Vec<Result<_, Error>> = client
        .list_checkout_sessions()
        .limit(2)
        .stream()
        .collect()
        .await;
    assert_eq!(results.len(), 3);
    assert!(results[0].is_ok() && results[1].is_ok());
    assert_eq!(
        results[2].as_ref().unwrap_err().code(),
        Some("unauthorized")
    );
}

#[tokio::test]
async fn an_out_of_range_page_size_is_refused_before_the_first_request() {
    let server = sessions_server(5).await;
    let client = client(&server.url());
    let first = client
        .list_checkout_sessions()
        .limit(500)
        .stream()
        .next()
        .await;
    match first {
        Some(Err(Error::InvalidInput(e))) => assert_eq!(e.parameter.as_deref(), Some("limit")),
        other => panic!("{other:?}"),
    }
    assert!(server.requests().is_empty());
}

/// The stream owns what it needs: a function can return it, and a task can own it,
/// after the client value it came from is gone.
fn every_session(
    client: &lomi_client::Client,
) -> impl futures_util::Stream<Item = Result<lomi_client::types::CheckoutSessions, Error>> + Send + 'static
{
    client
        .list_checkout_sessions()
        .limit(2)
        .max_retries(0)
        .stream()
}

#[tokio::test]
async fn a_stream_is_static_and_keeps_the_builders_settings() {
    let server = sessions_server(5).await;
    let stream = {
        let client = client(&server.url());
        every_session(&client)
    };
    let titles: Vec<String> = tokio::spawn(async move {
        stream
            .map_ok(|s| s.title.unwrap_or_default())
            .try_collect()
            .await
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(titles.len(), 5);
    let limits: Vec<String> = server
        .requests()
        .iter()
        .map(|r| query(r)["limit"].clone())
        .collect();
    assert_eq!(limits, ["2", "2", "2"]);
}
