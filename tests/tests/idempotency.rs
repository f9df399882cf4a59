//! A retried create must never charge twice: one idempotency key per call, the same on
//! every attempt of it.

use lomi_client::{Client, Error, types};
use lomi_mock::Fault;
use tests::{SESSION_ID, body_is, client, mock, seed_create_body};

async fn create(client: &Client) -> Result<types::CheckoutSessions, Error> {
    client
        .create_checkout_session()
        .body(tests::seed_create_request())
        .send()
        .await
        .map(|r| r.into_inner())
}

async fn create_with_key(client: &Client, key: &str) -> Result<types::CheckoutSessions, Error> {
    client
        .create_checkout_session()
        .idempotency_key(key)
        .body(tests::seed_create_request())
        .send()
        .await
        .map(|r| r.into_inner())
}

fn is_uuid_v4(key: &str) -> bool {
    let parts: Vec<&str> = key.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && key.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
        && parts[2].starts_with('4')
}

/// The mock handles the whole first attempt (the session is created), then the
/// connection drops before it can answer; the client retries on a new connection. Both
/// attempts carry the same key and body, so the mock answers the second with the session
/// the first created, and holds exactly one.
#[tokio::test]
async fn a_create_retried_after_a_dropped_connection_reuses_its_key() {
    let server = mock().await;
    server.inject(Fault::Drop, 1);
    let before = server.sessions().len();
    let session = create(&client(&server.url())).await.unwrap();
    assert_eq!(session.product_id.as_deref(), Some("prod_1234567890abcdef"));
    let sessions = server.sessions();
    assert_eq!(sessions.len(), before + 1, "one session, not two");
    assert_eq!(
        sessions[before]["checkout_session_id"],
        session.checkout_session_id.to_string()
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let keys: Vec<&str> = requests
        .iter()
        .map(|r| r.header("idempotency-key").expect("every POST has a key"))
        .collect();
    assert_eq!(keys[0], keys[1]);
    assert!(is_uuid_v4(keys[0]), "{}", keys[0]);
    assert_ne!(requests[0].connection, requests[1].connection);
    for r in &requests {
        assert_eq!(r.method, "POST");
        assert!(body_is(&r.body, &seed_create_body()));
    }
    assert_eq!(requests[0].body, requests[1].body);
}

#[tokio::test]
async fn each_call_gets_its_own_key() {
    let server = mock().await;
    let client = client(&server.url());
    create(&client).await.unwrap();
    create(&client).await.unwrap();
    let requests = server.requests();
    assert_ne!(
        requests[0].header("idempotency-key"),
        requests[1].header("idempotency-key")
    );
}

#[tokio::test]
async fn a_callers_key_is_sent_trimmed_on_every_attempt() {
    let server = mock().await;
    server.inject(Fault::json(503, &serde_json::json!({})), 1);
    create_with_key(&client(&server.url()), "  order-1042 ")
        .await
        .unwrap();
    let keys: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("idempotency-key").unwrap().to_string())
        .collect();
    assert_eq!(keys, ["order-1042", "order-1042"]);
}

#[tokio::test]
async fn an_unusable_key_is_refused_before_anything_is_sent() {
    let server = mock().await;
    for (key, message) in [
        ("".to_string(), "must not be empty"),
        ("k".repeat(256), "must be at most 255 characters, got 256"),
        (
            "commande-n°1".to_string(),
            "must be visible ASCII characters",
        ),
    ] {
        match create_with_key(&client(&server.url()), &key).await {
            Err(Error::InvalidInput(e)) => {
                assert_eq!(e.parameter.as_deref(), Some("Idempotency-Key"));
                assert_eq!(e.message, message);
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(server.requests().is_empty());
}

/// A key belongs to one call: the next create through the same client gets a fresh
/// one (a client-wide key would answer it with the first session, or a 409).
#[tokio::test]
async fn a_callers_key_applies_to_its_call_only() {
    let server = mock().await;
    let client = client(&server.url());
    create_with_key(&client, "order-1042").await.unwrap();
    create(&client).await.unwrap();
    create_with_key(&client, "order-1043").await.unwrap();
    let keys: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("idempotency-key").unwrap().to_string())
        .collect();
    assert_eq!(keys[0], "order-1042");
    assert!(is_uuid_v4(&keys[1]), "{}", keys[1]);
    assert_eq!(keys[2], "order-1043");
}

#[tokio::test]
async fn only_posts_carry_a_key() {
    let server = mock().await;
    client(&server.url())
        .retrieve_checkout_session()
        .session_id(SESSION_ID)
        .send()
        .await
        .unwrap();
    assert_eq!(server.requests()[0].header("idempotency-key"), None);
}

#[tokio::test]
async fn a_reused_key_with_another_body_is_a_conflict_and_not_retried() {
    let server = mock().await;
    let client = client(&server.url());
    create_with_key(&client, "order-1042").await.unwrap();
    let err = client
        .create_checkout_session()
        .idempotency_key("order-1042")
        .body(tests::seed_create_request().amount(20000))
        .send()
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 2);
    match err {
        Error::Api(e) => assert_eq!(e.kind(), lomi_client::ApiErrorKind::Conflict),
        other => panic!("{other:?}"),
    }
}
