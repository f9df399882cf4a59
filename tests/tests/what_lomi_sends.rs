//! The client decodes what lomi.'s servers send, not only what its documents say
//! (`lomi-api.md`, "What lomi.'s servers send beyond the documents"): the payment page's
//! URL under either name, lists without `pagination`, a server that ignores `offset`,
//! validation errors that name their fields, fields the spec does not declare yet.
//! Through public APIs only, against `lomi-mock` answering these bodies.

use futures_util::TryStreamExt;
use lomi_client::{Error, Method, json, types};
use lomi_mock::Fault;
use serde_json::Value;
use tests::{SESSION_ID, client, mock, session_json};

const PAGE: &str = "https://checkout.lomi.africa/checkout/5f0c6a1e-8d3b-4c2a-9e7f-1a2b3c4d5e6f";

/// A session as lomi. sends it, with `fields` set (a `null` value removes the field).
fn session_with(fields: Value) -> Value {
    let mut session = session_json();
    for (k, v) in fields.as_object().unwrap() {
        session[k] = v.clone();
    }
    session
}

/// The session a retrieve decodes when lomi. answers `body`.
async fn retrieved(body: Value) -> lomi_client::ResponseValue<types::CheckoutSessions> {
    let server = mock().await;
    server.inject(Fault::json(200, &body), 1);
    client(&server.url())
        .retrieve_checkout_session()
        .session_id(SESSION_ID)
        .send()
        .await
        .expect("the body decodes")
}

#[tokio::test]
async fn the_payment_page_is_read_under_either_name() {
    let current = retrieved(session_with(json!({"checkout_url": PAGE}))).await;
    assert_eq!(current.checkout_url.as_deref(), Some(PAGE));

    // The 1.1.0-era server's name.
    let older = retrieved(session_with(json!({"url": PAGE}))).await;
    assert_eq!(older.checkout_url.as_deref(), Some(PAGE));

    // Both: `checkout_url` wins (plain serde aliases would refuse a duplicate field).
    let both = retrieved(session_with(
        json!({"checkout_url": PAGE, "url": "https://old.test/x"}),
    ))
    .await;
    assert_eq!(both.checkout_url.as_deref(), Some(PAGE));

    // `null` (lomi.'s tests show it on some paths) and absent are both "no page".
    let null = retrieved(session_with(json!({"checkout_url": null}))).await;
    assert_eq!(null.checkout_url, None);
    let null_then_url = retrieved(session_with(json!({"checkout_url": null, "url": PAGE}))).await;
    assert_eq!(null_then_url.checkout_url.as_deref(), Some(PAGE));
    let absent = retrieved(session_json()).await;
    assert_eq!(absent.checkout_url, None);

    // Serialized back, it is `checkout_url`, once.
    let text = serde_json::to_value(&*both).unwrap();
    assert_eq!(text["checkout_url"], PAGE);
    assert!(text.get("url").is_none());
}

#[tokio::test]
async fn created_updated_and_listed_sessions_carry_the_page_of_the_mock() {
    let server = mock().await;
    let client = client(&server.url());
    let created = client
        .create_checkout_session()
        .body(
            types::CheckoutSessionsCreate::builder()
                .amount(500)
                .currency_code("XOF"),
        )
        .send()
        .await
        .unwrap();
    let id = created.checkout_session_id.to_string();
    let page = created.checkout_url.clone().unwrap();
    assert!(page.ends_with(&format!("/checkout/{id}")), "{page}");
    assert!(page.starts_with("http://127.0.0.1:"), "{page}");

    let updated = client
        .update_checkout_session()
        .session_id(id.as_str())
        .body(types::CheckoutSessionsUpdate::builder().title("Rice"))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.checkout_url.as_deref(), Some(page.as_str()));
    let listed: Vec<types::CheckoutSessions> = client
        .list_checkout_sessions()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(
        listed
            .iter()
            .any(|s| s.checkout_url.as_deref() == Some(page.as_str()))
    );
}

#[tokio::test]
async fn a_field_the_spec_lacks_is_still_reachable() {
    let found = retrieved(session_with(
        json!({"line_items": [{"price_id": "price_1", "quantity": 2}]}),
    ))
    .await;
    let raw = found.raw_json().unwrap();
    assert_eq!(raw["line_items"][0]["quantity"], 2);
    assert!(!found.raw_body().is_empty());
    assert_eq!(found.status(), 200);
}

#[tokio::test]
async fn a_page_without_pagination_decodes_and_its_stream_ends() {
    let server = mock().await;
    // The 1.1.0-era server: `meta`, not `pagination`, and a short page.
    let meta = json!({
        "data": [session_json(), session_json()],
        "meta": {"current_page": 1, "per_page": 20},
    });
    server.inject(Fault::json(200, &meta), 1);
    let client = client(&server.url());
    let page = client.list_checkout_sessions().send().await.unwrap();
    assert_eq!(page.data.len(), 2);
    assert!(page.pagination.is_none());
    assert_eq!(page.raw_json().unwrap()["meta"]["per_page"], 20);

    // A stream over such pages ends on the short page: one request, not a loop.
    server.inject(Fault::json(200, &meta), 1);
    let before = server.requests().len();
    let all: Vec<types::CheckoutSessions> = client
        .list_checkout_sessions()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(server.requests().len(), before + 1);
    // It says its page size, so that "short" means something.
    let asked = &server.requests()[before].target;
    assert!(asked.contains("limit=20"), "{asked}");

    // An empty page without pagination ends it too.
    server.inject(Fault::json(200, &json!({"data": []})), 1);
    let none: Vec<types::CheckoutSessions> = client
        .list_checkout_sessions()
        .limit(5)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(none.is_empty());
}

#[tokio::test]
async fn a_server_that_ignores_offset_stops_the_stream_with_an_error() {
    let server = mock().await;
    let full = json!({
        "data": [session_json(), session_with(json!({"checkout_session_id": "6f0c6a1e-8d3b-4c2a-9e7f-1a2b3c4d5e6f"}))],
        "pagination": {"limit": 2, "offset": 0, "total": 10},
    });
    server.inject(Fault::json(200, &full), 5);
    let got: Vec<Result<types::CheckoutSessions, Error>> = futures_util::StreamExt::collect(
        client(&server.url())
            .list_checkout_sessions()
            .limit(2)
            .stream(),
    )
    .await;
    assert_eq!(got.len(), 3, "two items, then the error");
    let e = got[2].as_ref().unwrap_err();
    assert!(e.to_string().contains("ignores `offset`"), "{e}");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_validation_failure_names_each_field_in_its_text() {
    let server = mock().await;
    // The mock refuses a create without `currency_code`, as lomi. does.
    let e = client(&server.url())
        .request(Method::POST, "/checkout_sessions")
        .json(json!({"amount": -5}))
        .send()
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(text.contains("currency_code"), "{text}");
    assert!(text.contains("amount"), "{text}");
    let Error::Api(api) = e else { panic!() };
    let fields: Vec<String> = api.field_errors().into_iter().map(|(f, _)| f).collect();
    assert!(fields.contains(&"currency_code".to_string()), "{fields:?}");
    assert!(text.contains("[request id "), "{text}");

    // lomi.'s own wording, as its server sends it.
    server.inject(
        Fault::json(
            400,
            &json!({
                "error": {"code": "bad_request", "message": "Validation failed", "details": [
                    {"field": "amount", "location": "body", "message": "must be positive"},
                    {"field": "currency_code", "location": "body", "message": "is required"},
                ]},
                "request_id": "req_42",
            }),
        )
        .with_header("x-request-id", "req_42"),
        1,
    );
    let e = client(&server.url())
        .retrieve_checkout_session()
        .session_id(SESSION_ID)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "retrieve_checkout_session failed with 400 Bad Request (bad_request): Validation failed: \
         amount: must be positive; currency_code: is required [request id req_42]"
    );
}

#[tokio::test]
async fn a_create_without_currency_code_is_refused_before_sending() {
    let server = mock().await;
    let e = client(&server.url())
        .create_checkout_session()
        .body(types::CheckoutSessionsCreate::builder().amount(15000))
        .send()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("currency_code"), "{e}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn every_operation_asks_for_json() {
    let server = mock().await;
    client(&server.url())
        .delete_checkout_session()
        .session_id(SESSION_ID)
        .send()
        .await
        .unwrap();
    assert_eq!(
        server.requests()[0].header("accept"),
        Some("application/json")
    );
}

#[tokio::test]
async fn the_mock_drops_body_fields_the_spec_does_not_declare() {
    let server = mock().await;
    let created = client(&server.url())
        .request(Method::POST, "/checkout_sessions")
        .json(json!({"amount": 100, "currency_code": "XOF", "status": "completed", "hack": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    assert_eq!(created["status"], "open", "the server owns the status");
    assert!(created.get("hack").is_none());
}

#[tokio::test]
async fn the_escape_hatch_sends_anything_with_the_clients_care() {
    let server = mock().await;
    let client = client(&server.url());
    // A POST gets an idempotency key, kept on its retry after a 503.
    server.inject(Fault::Status(503), 1);
    let created = client
        .request(Method::POST, "/checkout_sessions")
        .json(json!({"amount": 100, "currency_code": "XOF"}))
        .idempotency_key("order-7")
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for r in &requests {
        assert_eq!(r.header("idempotency-key"), Some("order-7"));
        assert_eq!(r.header("x-api-key"), Some(tests::TEST_KEY));
    }
    // Query parameters, and a typed 404.
    let page = client
        .request(Method::GET, "/checkout_sessions")
        .query("limit", 1)
        .send()
        .await
        .unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    assert!(
        server
            .requests()
            .last()
            .unwrap()
            .target
            .ends_with("?limit=1")
    );
    let e = client
        .request(Method::GET, "/checkout_sessions/nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(e.code(), Some("not_found"));
    // A body-less answer is `null`.
    let gone = client
        .request(Method::DELETE, format!("/checkout_sessions/{SESSION_ID}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (gone.status().as_u16(), gone.into_inner()),
        (204, Value::Null)
    );
    // Nothing leaves the API's host.
    let e = client
        .request(Method::GET, "https://evil.test/steal")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e}");
}
