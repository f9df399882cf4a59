//! No response may panic the client: malformed JSON, HTML pages, empty, enormous, deeply
//! nested or non-UTF-8 bodies, wrong content types, unknown enum values and properties.

use lomi_client::{Client, Error, types};
use lomi_mock::{Fault, MockServer};
use serde_json::json;
use tests::{SESSION_ID, TEST_KEY, client, fast_retries, mock, session_json};

fn raw(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Fault {
    Fault::raw(status, content_type, body.into()).with_header("x-request-id", "req_hostile")
}

/// A retrieve from the mock answering every request with `reply()`.
async fn retrieve_from(reply: impl Fn() -> Fault) -> Result<types::CheckoutSessions, Error> {
    let server = mock().await;
    server.inject(reply(), usize::MAX);
    client(&server.url())
        .retrieve_checkout_session()
        .session_id(SESSION_ID)
        .send()
        .await
        .map(|r| r.into_inner())
}

/// A retrieve from `server` by a client that accepts at most `limit` bytes a response.
async fn retrieve_with_limit(server: &MockServer, limit: usize) -> Box<lomi_client::DecodeError> {
    let client = Client::builder(TEST_KEY)
        .base_url(server.url())
        .retry_policy(fast_retries())
        .max_response_bytes(limit)
        .build()
        .unwrap();
    decode_error(
        client
            .retrieve_checkout_session()
            .session_id(SESSION_ID)
            .send()
            .await
            .map(|r| r.into_inner()),
    )
}

fn decode_error(result: Result<types::CheckoutSessions, Error>) -> Box<lomi_client::DecodeError> {
    match result {
        Err(Error::Decode(e)) => e,
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_with_the_request_id() {
    let e =
        decode_error(retrieve_from(|| raw(200, "application/json", "{\"amount\": 15000,")).await);
    assert_eq!(e.body_excerpt, "{\"amount\": 15000,");
    assert_eq!(e.request_id.as_deref(), Some("req_hostile"));
}

#[tokio::test]
async fn an_html_page_with_a_success_status_is_a_decode_error() {
    let e = decode_error(
        retrieve_from(|| raw(200, "text/html", "<!doctype html><h1>Captive portal</h1>")).await,
    );
    assert!(e.body_excerpt.starts_with("<!doctype html>"));
    assert!(e.to_string().contains("undecodable 200 OK response"), "{e}");
}

#[tokio::test]
async fn an_empty_success_body_is_a_decode_error() {
    let e = decode_error(retrieve_from(|| raw(200, "application/json", "")).await);
    assert_eq!(e.body_excerpt, "");
}

#[tokio::test]
async fn an_empty_error_body_is_still_an_api_error_with_its_status() {
    match retrieve_from(|| raw(404, "application/json", "")).await {
        Err(Error::Api(e)) => {
            assert_eq!(e.status.as_u16(), 404);
            assert_eq!(
                (e.code.as_deref(), e.body_excerpt.as_deref()),
                (None, Some(""))
            );
            assert_eq!(e.request_id.as_deref(), Some("req_hostile"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_error_body_that_is_json_but_not_the_envelope_is_kept_as_an_excerpt() {
    match retrieve_from(|| raw(400, "application/json", "[1, 2, 3]")).await {
        Err(Error::Api(e)) => assert_eq!(e.body_excerpt.as_deref(), Some("[1, 2, 3]")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_enormous_body_is_refused_without_being_kept() {
    let server = mock().await;
    server.inject(
        raw(200, "application/json", vec![b' '; 4 * 1024 * 1024]),
        usize::MAX,
    );
    let e = retrieve_with_limit(&server, 1024 * 1024).await;
    assert_eq!(e.reason, "the body is larger than the 1048576-byte limit");
    assert!(e.body_excerpt.is_empty());
}

#[tokio::test]
async fn a_huge_excerpt_is_cut_short() {
    let e = decode_error(retrieve_from(|| raw(200, "text/plain", "x".repeat(100_000))).await);
    assert_eq!(e.body_excerpt.chars().count(), 513);
}

#[tokio::test]
async fn deeply_nested_json_does_not_overflow_the_stack() {
    let nested = format!("{{\"metadata\": {}", "{\"a\": ".repeat(100_000));
    let e = decode_error(retrieve_from(move || raw(200, "application/json", nested.clone())).await);
    assert!(e.reason.contains("recursion limit"), "{}", e.reason);
}

#[tokio::test]
async fn bytes_that_are_not_utf8_are_excerpted_lossily() {
    let e =
        decode_error(retrieve_from(|| raw(200, "application/json", vec![0xff, 0xfe, b'{'])).await);
    assert_eq!(e.body_excerpt, "\u{fffd}\u{fffd}{");
}

#[tokio::test]
async fn a_wrong_shape_is_a_decode_error_naming_the_problem() {
    let e = decode_error(
        retrieve_from(|| raw(200, "application/json", "{\"amount\": \"lots\"}")).await,
    );
    assert!(
        e.reason
            .contains("invalid type: string \"lots\", expected f64"),
        "{}",
        e.reason
    );
}

#[tokio::test]
async fn an_undocumented_success_status_is_a_decode_error() {
    let e = decode_error(retrieve_from(|| Fault::json(202, &session_json())).await);
    assert_eq!(
        e.reason,
        "the spec documents no 202 response for this operation"
    );
}

#[tokio::test]
async fn values_lomi_adds_later_decode_as_unknown_and_round_trip() {
    let session = retrieve_from(|| {
        let mut s = session_json();
        s["status"] = json!("refunded");
        s["currency_code"] = json!("GHS");
        s["brand_new_field"] = json!([1, 2]);
        Fault::json(200, &s)
    })
    .await
    .unwrap();
    assert_eq!(
        session.status,
        types::CheckoutSessionStatus::Unknown("refunded".into())
    );
    assert_eq!(
        session.currency_code,
        types::CurrencyCode::Unknown("GHS".into())
    );
    let back = serde_json::to_value(&session).unwrap();
    assert_eq!(
        (back["status"].as_str(), back["currency_code"].as_str()),
        (Some("refunded"), Some("GHS"))
    );
    assert!(back.get("brand_new_field").is_none());
}

/// A field lomi. always returns is not an `Option`; a response without it is a decode
/// error that names it.
#[tokio::test]
async fn a_response_missing_a_required_field_names_it() {
    for field in [
        "checkout_session_id",
        "status",
        "amount",
        "currency_code",
        "created_at",
    ] {
        let e = decode_error(
            retrieve_from(move || {
                let mut s = session_json();
                s.as_object_mut().unwrap().remove(field);
                raw(200, "application/json", s.to_string())
            })
            .await,
        );
        assert!(
            e.reason.contains(&format!("missing field `{field}`")),
            "{field}: {}",
            e.reason
        );
        assert_eq!(e.request_id.as_deref(), Some("req_hostile"));
    }
}

#[tokio::test]
async fn known_enum_values_are_typed() {
    for (text, status) in [
        ("open", types::CheckoutSessionStatus::Open),
        ("completed", types::CheckoutSessionStatus::Completed),
        ("expired", types::CheckoutSessionStatus::Expired),
    ] {
        assert_eq!(types::CheckoutSessionStatus::from(text), status);
        assert_eq!(status.to_string(), text);
    }
    assert_eq!(
        "XOF".parse::<types::CurrencyCode>(),
        Ok(types::CurrencyCode::Xof)
    );
}

/// lomi.'s validation failures send `details` as an array; `code` and `message` must
/// survive whatever `details` holds (the envelope is read from the raw JSON, not through
/// the spec's error type).
#[tokio::test]
async fn an_envelope_with_details_of_any_json_type_keeps_code_and_message() {
    for details in [
        json!([{"field": "amount", "message": "must be positive"}]),
        json!({"retry_after_seconds": 30}),
        json!("free text"),
        json!(null),
    ] {
        let body = json!({
            "error": {"code": "bad_request", "message": "Validation failed", "details": details},
        });
        let reply = move || raw(400, "application/json", body.to_string());
        match retrieve_from(reply).await {
            Err(Error::Api(e)) => {
                assert_eq!(e.code.as_deref(), Some("bad_request"), "{details}");
                assert_eq!(e.message.as_deref(), Some("Validation failed"));
                assert_eq!(e.details, Some(details.clone()).filter(|d| !d.is_null()));
                assert_eq!(e.body_excerpt, None);
            }
            other => panic!("{details}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_top_level_request_id_or_a_flat_envelope_is_read_too() {
    let server = mock().await;
    server.inject(
        Fault::raw(
            404,
            "application/json",
            &br#"{"code":"not_found","message":"No such session","request_id":"req_body"}"#[..],
        )
        // A blank X-Request-Id is no id: the body's is the only one.
        .with_header("x-request-id", " "),
        usize::MAX,
    );
    let e = client(&server.url())
        .retrieve_checkout_session()
        .session_id(SESSION_ID)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (e.code(), e.request_id()),
        (Some("not_found"), Some("req_body"))
    );
    assert_eq!(
        e.to_string(),
        "retrieve_checkout_session failed with 404 Not Found (not_found): No such session [request id req_body]"
    );
}

/// What one attempt saw never leaks into the next: an over-large first answer does not
/// make the second attempt's decode error claim the body was too large.
#[tokio::test]
async fn nothing_from_one_attempt_leaks_into_the_next() {
    let server = mock().await;
    server.inject(raw(503, "application/json", vec![b' '; 64 * 1024]), 1);
    server.inject(raw(200, "application/json", "{not json"), 1);
    let e = retrieve_with_limit(&server, 1024).await;
    assert!(e.reason.contains("key must be a string"), "{}", e.reason);
    assert_eq!(e.body_excerpt, "{not json");
    assert_eq!(server.requests().len(), 2);
}
