//! The five checkout-session operations end to end against a local mock server, exactly
//! as the seed (the official Python SDK's reference page) documents them.

use httpmock::Method::{DELETE, GET, PATCH, POST};
use httpmock::MockServer;
use lomi_client::{ApiErrorKind, Client, Error, types};
use serde_json::json;
use tests::{
    SESSION_ID, TEST_KEY, body_is, error_json, same_json, seed_create_body, seed_update_body,
    session_json,
};

fn client(server: &MockServer) -> Client {
    tests::client(&server.url("/v1"))
}

fn seed_update_request() -> types::builder::CheckoutSessionsUpdate {
    let metadata = json!({
        "updated_at": "2025-11-21T13:32:16.240Z",
        "updated_reason": "Administrative update"
    });
    types::CheckoutSessionsUpdate::builder().metadata(metadata.as_object().cloned())
}

#[tokio::test]
async fn create_sends_the_seed_example_and_decodes_the_201() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/checkout_sessions")
                .header("x-api-key", TEST_KEY)
                .header("content-type", "application/json")
                .header("accept", "application/json")
                .header("user-agent", lomi_client::USER_AGENT)
                .header_exists("idempotency-key")
                .is_true(|req| body_is(req.body_ref(), &seed_create_body()));
            then.status(201).json_body(session_json());
        })
        .await;

    let response = client(&server)
        .create_checkout_session()
        .body(tests::seed_create_request())
        .send()
        .await
        .expect("201 is a success");

    mock.assert_async().await;
    assert_eq!(response.status().as_u16(), 201);
    let session = response.into_inner();
    // What lomi. always returns needs no unwrapping.
    assert_eq!(session.amount, 15000.0);
    assert_eq!(session.currency_code, types::CurrencyCode::Xof);
    assert_eq!(session.status, types::CheckoutSessionStatus::Open);
    assert_eq!(session.checkout_session_id.to_string(), SESSION_ID);
    assert_eq!(
        session.created_at.to_rfc3339(),
        "2025-11-21T13:32:16.240+00:00"
    );
    assert_eq!(session.metadata.unwrap()["order_id"], "A-1042");
}

#[tokio::test]
async fn list_forwards_limit_offset_and_sort_and_decodes_the_page() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/checkout_sessions")
                .header("x-api-key", TEST_KEY)
                .query_param("limit", "20")
                .query_param("offset", "40")
                .query_param("sort", "created_at:desc");
            then.status(200).json_body(json!({
                "data": [session_json(), session_json()],
                "pagination": {"limit": 20, "offset": 40, "total": 42}
            }));
        })
        .await;

    let page = client(&server)
        .list_checkout_sessions()
        .limit(20)
        .offset(40_u64)
        .sort("created_at:desc")
        .send()
        .await
        .expect("200 is a success")
        .into_inner();

    mock.assert_async().await;
    assert_eq!(page.data.len(), 2);
    let pagination = page.pagination.expect("the page says where it sits");
    assert_eq!(
        (pagination.limit, pagination.offset, pagination.total),
        (Some(20), Some(40), Some(42))
    );
}

#[tokio::test]
async fn list_without_arguments_sends_no_query_and_lets_the_server_default() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/checkout_sessions")
                .query_param_missing("limit")
                .query_param_missing("offset")
                .query_param_missing("sort");
            then.status(200).json_body(
                json!({"data": [], "pagination": {"limit": 20, "offset": 0, "total": 0}}),
            );
        })
        .await;

    let page = client(&server)
        .list_checkout_sessions()
        .send()
        .await
        .unwrap()
        .into_inner();
    mock.assert_async().await;
    assert!(page.data.is_empty());
}

#[tokio::test]
async fn retrieve_puts_the_session_id_in_the_path() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v1/checkout_sessions/{SESSION_ID}"))
                .header("x-api-key", TEST_KEY)
                .header("accept", "application/json");
            then.status(200).json_body(session_json());
        })
        .await;

    let session = client(&server)
        .retrieve_checkout_session()
        .session_id(SESSION_ID)
        .send()
        .await
        .unwrap()
        .into_inner();
    mock.assert_async().await;
    assert_eq!(session.product_id.as_deref(), Some("prod_1234567890abcdef"));
    assert_eq!(
        session.customer_email.as_deref(),
        Some("customer@example.com")
    );
}

#[tokio::test]
async fn session_ids_are_percent_encoded_in_the_path() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/checkout_sessions/a%2Fb%20c");
            then.status(200).json_body(session_json());
        })
        .await;
    client(&server)
        .retrieve_checkout_session()
        .session_id("a/b c")
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn update_sends_the_seed_example_as_a_patch() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(format!("/v1/checkout_sessions/{SESSION_ID}"))
                .header("x-api-key", TEST_KEY)
                .header("content-type", "application/json")
                .is_true(|req| body_is(req.body_ref(), &seed_update_body()));
            then.status(200).json_body(session_json());
        })
        .await;

    let response = client(&server)
        .update_checkout_session()
        .session_id(SESSION_ID)
        .body(seed_update_request())
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn delete_returns_unit_on_204() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path(format!("/v1/checkout_sessions/{SESSION_ID}"))
                .header("x-api-key", TEST_KEY);
            then.status(204);
        })
        .await;

    let response = client(&server)
        .delete_checkout_session()
        .session_id(SESSION_ID)
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(response.status().as_u16(), 204);
    let () = response.into_inner();
}

/// Runs operation `op` against `client` and returns the status of a success.
async fn call(client: &Client, op: &str) -> Result<u16, Error> {
    let status = match op {
        "create" => client
            .create_checkout_session()
            .body(tests::seed_create_request())
            .send()
            .await?
            .status(),
        "list" => client.list_checkout_sessions().send().await?.status(),
        "retrieve" => client
            .retrieve_checkout_session()
            .session_id(SESSION_ID)
            .send()
            .await?
            .status(),
        "update" => client
            .update_checkout_session()
            .session_id(SESSION_ID)
            .body(seed_update_request())
            .send()
            .await?
            .status(),
        "delete" => client
            .delete_checkout_session()
            .session_id(SESSION_ID)
            .send()
            .await?
            .status(),
        other => unreachable!("no operation {other}"),
    };
    Ok(status.as_u16())
}

/// Every error status the seed documents, per operation, with lomi.'s error code.
const DOCUMENTED_ERRORS: &[(&str, &[(u16, &str)])] = &[
    (
        "create",
        &[
            (400, "bad_request"),
            (401, "unauthorized"),
            (500, "internal_error"),
        ],
    ),
    ("list", &[(401, "unauthorized"), (500, "internal_error")]),
    (
        "retrieve",
        &[
            (401, "unauthorized"),
            (404, "not_found"),
            (500, "internal_error"),
        ],
    ),
    (
        "update",
        &[
            (400, "bad_request"),
            (401, "unauthorized"),
            (404, "not_found"),
            (500, "internal_error"),
        ],
    ),
    (
        "delete",
        &[
            (401, "unauthorized"),
            (404, "not_found"),
            (500, "internal_error"),
        ],
    ),
];

#[tokio::test]
async fn every_documented_error_status_decodes_the_error_envelope() {
    let server = MockServer::start_async().await;
    let client = client(&server);
    let mut checked = 0;
    for (op, statuses) in DOCUMENTED_ERRORS {
        for &(status, code) in *statuses {
            let mock = server
                .mock_async(|_, then| {
                    then.status(status)
                        .header("content-type", "application/json")
                        .json_body(error_json(code, "something is wrong"));
                })
                .await;
            match call(&client, op).await {
                Err(Error::Api(e)) => {
                    assert_eq!(e.status.as_u16(), status, "{op}");
                    assert_eq!(e.code.as_deref(), Some(code), "{op} {status}");
                    assert_eq!(e.message.as_deref(), Some("something is wrong"));
                    assert_eq!(e.details.as_ref().unwrap()["field"], "amount");
                    assert_eq!(e.request_id.as_deref(), Some("req_7d1c2b"));
                    // Only the 500s are worth retrying; 400, 401 and 404 are final.
                    let attempts = if status == 500 { 3 } else { 1 };
                    assert_eq!(e.attempts, attempts, "{op} {status}");
                    assert_eq!(mock.calls_async().await, attempts as usize, "{op} {status}");
                    let kind = match status {
                        400 => ApiErrorKind::BadRequest,
                        401 => ApiErrorKind::Unauthorized,
                        404 => ApiErrorKind::NotFound,
                        _ => ApiErrorKind::Server,
                    };
                    assert_eq!(e.kind(), kind);
                }
                other => panic!("{op} {status}: expected a typed error, got {other:?}"),
            }
            mock.delete_async().await;
            checked += 1;
        }
    }
    assert_eq!(checked, 15);
}

#[tokio::test]
async fn an_undocumented_error_status_with_an_html_body_is_an_api_error() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|_, then| {
            then.status(502)
                .header("content-type", "text/html")
                .body("<html>Bad gateway</html>");
        })
        .await;
    match call(&client(&server), "retrieve").await {
        Err(Error::Api(e)) => {
            assert_eq!(e.status.as_u16(), 502);
            assert_eq!(e.code, None);
            assert_eq!(e.body_excerpt.as_deref(), Some("<html>Bad gateway</html>"));
            assert_eq!(e.attempts, 3);
        }
        other => panic!("expected an API error, got {other:?}"),
    }
    assert_eq!(mock.calls_async().await, 3);
}

#[tokio::test]
async fn a_malformed_success_body_is_a_decode_error_with_an_excerpt() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|_, then| {
            then.status(200)
                .header("content-type", "application/json")
                .header("x-request-id", "req_9")
                .body("{\"checkout_session_id\": ");
        })
        .await;
    match call(&client(&server), "retrieve").await {
        Err(Error::Decode(e)) => {
            assert_eq!(e.status.as_u16(), 200);
            assert_eq!(e.body_excerpt, "{\"checkout_session_id\": ");
            assert_eq!(e.request_id.as_deref(), Some("req_9"));
            assert!(e.reason.contains("EOF"), "{}", e.reason);
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn every_documented_property_decodes_and_unknown_ones_are_ignored() {
    let mut body = session_json();
    assert_eq!(body.as_object().unwrap().len(), 35);
    body["added_by_lomi_next_year"] = json!({"nested": true});
    body["qr_code_data"] = serde_json::Value::Null;

    let server = MockServer::start_async().await;
    server
        .mock_async(move |_, then| {
            then.status(200).json_body(body);
        })
        .await;
    let session = client(&server)
        .retrieve_checkout_session()
        .session_id(SESSION_ID)
        .send()
        .await
        .unwrap()
        .into_inner();

    // Serialising back gives every documented property, and nothing else.
    let mut expected = session_json();
    expected["qr_code_data"] = serde_json::Value::Null;
    let mut round_trip = serde_json::to_value(&session).unwrap();
    round_trip
        .as_object_mut()
        .unwrap()
        .entry("qr_code_data")
        .or_insert(serde_json::Value::Null);
    assert!(same_json(&round_trip, &expected), "{round_trip:#}");
}

#[tokio::test]
async fn the_key_prefix_goes_before_the_key() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.header("x-api-key", format!("Bearer {TEST_KEY}"));
            then.status(204);
        })
        .await;
    let client = Client::builder(TEST_KEY)
        .api_key_prefix("Bearer")
        .base_url(server.url("/v1"))
        .build()
        .unwrap();
    assert_eq!(call(&client, "delete").await.unwrap(), 204);
    mock.assert_async().await;
}
