//! A shop's integration tested the way a shop would: `lomi-client` against `lomi-mock`,
//! through their public APIs only. Every operation, every documented error, retries,
//! idempotency and pagination.

use std::time::Duration;

use futures_util::TryStreamExt;
use lomi_client::{ApiErrorKind, Client, Error, RetryPolicy, json, types};
use lomi_mock::{Fault, MockServer};

async fn mock() -> MockServer {
    MockServer::start().await.expect("the mock starts")
}

fn client_for(mock: &MockServer) -> Client {
    Client::builder(mock.api_key())
        .base_url(mock.url())
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(4)),
        )
        .build()
        .expect("a client for the mock")
}

async fn create(client: &Client, amount: u32) -> Result<types::CheckoutSessions, Error> {
    client
        .create_checkout_session()
        .body(tests::seed_create_request().amount(amount))
        .send()
        .await
        .map(|r| r.into_inner())
}

fn api_error(result: Result<impl std::fmt::Debug, Error>) -> Box<lomi_client::ApiError> {
    match result {
        Err(Error::Api(e)) => e,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn every_operation_against_the_mock() {
    let mock = mock().await;
    let client = client_for(&mock);

    let created = create(&client, 15000).await.unwrap();
    assert_eq!(created.status, types::CheckoutSessionStatus::Open);
    assert_eq!(created.amount, 15000.0);
    assert_eq!(created.currency_code, types::CurrencyCode::Xof);
    assert_eq!(created.product_id.as_deref(), Some("prod_1234567890abcdef"));
    let expires = created.expires_at.expect("the mock sets expires_at");
    assert!(expires > created.created_at);
    let id = created.checkout_session_id;

    let found = client
        .retrieve_checkout_session()
        .session_id(id)
        .send()
        .await
        .unwrap();
    assert_eq!(*found, created);

    let page = client.list_checkout_sessions().send().await.unwrap();
    assert_eq!(page.pagination.as_ref().and_then(|p| p.total), Some(1));
    assert_eq!(page.data, std::slice::from_ref(&created));

    // PATCH changes the fields it is given, and only those.
    let updated = client
        .update_checkout_session()
        .session_id(id)
        .body(
            types::CheckoutSessionsUpdate::builder()
                .metadata(json!({"updated_reason": "Administrative update"})),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        updated.metadata.as_ref().unwrap()["updated_reason"],
        "Administrative update"
    );
    assert_eq!(updated.amount, created.amount);
    assert_eq!(updated.customer_email, created.customer_email);
    assert!(updated.updated_at >= created.updated_at);

    client
        .delete_checkout_session()
        .session_id(id)
        .send()
        .await
        .unwrap();
    assert!(mock.sessions().is_empty());
    let gone = api_error(
        client
            .retrieve_checkout_session()
            .session_id(id)
            .send()
            .await,
    );
    assert_eq!(gone.kind(), ApiErrorKind::NotFound);
    assert_eq!(gone.code.as_deref(), Some("not_found"));
    assert!(gone.request_id.as_deref().unwrap().starts_with("req_"));
    let delete_again = api_error(client.delete_checkout_session().session_id(id).send().await);
    assert_eq!(delete_again.kind(), ApiErrorKind::NotFound);
}

#[tokio::test]
async fn every_documented_error() {
    let mock = mock().await;
    let client = client_for(&mock);

    // 400: what only the server knows (a create without an amount, a sort by a field
    // that does not exist), with lomi.'s `details` array naming the problem.
    let e = api_error(
        client
            .create_checkout_session()
            .body(types::CheckoutSessionsCreate::builder().currency_code("XOF"))
            .send()
            .await,
    );
    assert_eq!(e.kind(), ApiErrorKind::BadRequest);
    assert_eq!(e.message.as_deref(), Some("Validation failed"));
    assert_eq!(e.details.as_ref().unwrap()[0]["field"], "amount");
    let e = api_error(
        client
            .list_checkout_sessions()
            .sort("colour:asc")
            .send()
            .await,
    );
    assert_eq!(e.kind(), ApiErrorKind::BadRequest);
    assert_eq!(e.details.as_ref().unwrap()[0]["field"], "sort");
    assert_eq!(e.attempts, 1, "a 400 is not retried");

    // 401: a wrong key.
    let stranger = Client::builder("lomi_sk_test_not_the_key")
        .base_url(mock.url())
        .build()
        .unwrap();
    let e = api_error(stranger.list_checkout_sessions().send().await);
    assert_eq!(e.kind(), ApiErrorKind::Unauthorized);
    assert_eq!(e.message.as_deref(), Some("Invalid API key"));

    // 404: an id the mock never issued.
    let e = api_error(
        client
            .retrieve_checkout_session()
            .session_id("5f0c6a1e-8d3b-4c2a-9e7f-1a2b3c4d5e6f")
            .send()
            .await,
    );
    assert_eq!(e.kind(), ApiErrorKind::NotFound);

    // 500, every attempt: the client gives up after its retries and says how many.
    mock.inject(Fault::Status(500), 3);
    let e = api_error(client.list_checkout_sessions().send().await);
    assert_eq!(e.kind(), ApiErrorKind::Server);
    assert_eq!(e.code.as_deref(), Some("internal_error"));
    assert_eq!(e.attempts, 3);
}

#[tokio::test]
async fn a_transient_failure_is_retried_and_charges_once() {
    let mock = mock().await;
    let client = client_for(&mock);
    mock.inject_on("createCheckoutSession", Fault::Status(503), 2);
    let session = create(&client, 15000).await.unwrap();
    assert_eq!(mock.sessions().len(), 1);
    let requests = mock.requests();
    assert_eq!(requests.len(), 3);
    let keys: Vec<_> = requests
        .iter()
        .map(|r| r.header("idempotency-key").unwrap().to_string())
        .collect();
    assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
    assert_eq!(
        mock.sessions()[0]["checkout_session_id"],
        session.checkout_session_id.to_string()
    );
}

#[tokio::test]
async fn a_rate_limit_says_when_to_come_back() {
    let mock = mock().await;
    let client = client_for(&mock);
    mock.inject(Fault::StatusRetryAfter(429, 7), 1);
    let e = api_error(client.list_checkout_sessions().max_retries(0).send().await);
    assert_eq!(e.kind(), ApiErrorKind::RateLimited);
    assert_eq!(e.retry_after, Some(Duration::from_secs(7)));
    assert_eq!(e.details.as_ref().unwrap()["retry_after_seconds"], 7);
}

/// The create reaches lomi. and the session is made, but the connection drops before the
/// answer: the retry carries the same key, so the mock answers with the same session and
/// the customer is charged once.
#[tokio::test]
async fn a_create_whose_answer_is_lost_is_retried_into_one_session() {
    let mock = mock().await;
    let client = client_for(&mock);
    mock.inject(Fault::Drop, 1);
    let session = create(&client, 15000).await.unwrap();
    let stored = mock.sessions();
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(
        stored[0]["checkout_session_id"],
        session.checkout_session_id.to_string()
    );
    let requests = mock.requests();
    assert_eq!(requests.len(), 2);
    assert_ne!(requests[0].connection, requests[1].connection);
    assert_eq!(
        requests[0].header("idempotency-key"),
        requests[1].header("idempotency-key")
    );
}

#[tokio::test]
async fn a_key_reused_for_another_order_is_a_conflict() {
    let mock = mock().await;
    let client = client_for(&mock);
    let first = client
        .create_checkout_session()
        .idempotency_key("order-1042")
        .body(tests::seed_create_request())
        .send()
        .await
        .unwrap();
    // The same key and body again: the original answer, nothing new created.
    let again = client
        .create_checkout_session()
        .idempotency_key("order-1042")
        .body(tests::seed_create_request())
        .send()
        .await
        .unwrap();
    assert_eq!(*again, *first);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    // The same key with another amount.
    let e = api_error(
        client
            .create_checkout_session()
            .idempotency_key("order-1042")
            .body(tests::seed_create_request().amount(20000))
            .send()
            .await,
    );
    assert_eq!(e.kind(), ApiErrorKind::Conflict);
    assert_eq!(e.attempts, 1);
    assert_eq!(mock.sessions().len(), 1);
}

#[tokio::test]
async fn a_truncated_answer_is_retried() {
    let mock = mock().await;
    let client = client_for(&mock);
    let id = create(&client, 15000).await.unwrap().checkout_session_id;
    mock.inject(Fault::Truncate, 1);
    let found = client
        .retrieve_checkout_session()
        .session_id(id)
        .send()
        .await
        .unwrap();
    assert_eq!(found.checkout_session_id, id);

    mock.inject(Fault::Truncate, 1);
    let e = client
        .retrieve_checkout_session()
        .session_id(id)
        .max_retries(0)
        .send()
        .await
        .unwrap_err();
    assert!(e.is_retryable(), "{e:?}");
}

#[tokio::test]
async fn a_late_answer_times_out() {
    let mock = mock().await;
    let client = client_for(&mock);
    mock.inject(Fault::Delay(Duration::from_millis(500)), 1);
    let e = client
        .list_checkout_sessions()
        .timeout(Duration::from_millis(100))
        .max_retries(0)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Timeout(_)), "{e:?}");
}

#[tokio::test]
async fn pagination_walks_every_session_in_order() {
    let mock = mock().await;
    let client = client_for(&mock);
    for amount in (1..=45).rev() {
        create(&client, amount * 100).await.unwrap();
    }
    let page = client
        .list_checkout_sessions()
        .limit(10)
        .offset(40)
        .send()
        .await
        .unwrap();
    assert_eq!(page.data.len(), 5);
    let pagination = page.pagination.as_ref().unwrap();
    assert_eq!(
        (pagination.limit, pagination.offset, pagination.total),
        (Some(10), Some(40), Some(45))
    );

    let before = mock.requests().len();
    let amounts: Vec<f64> = client
        .list_checkout_sessions()
        .limit(20)
        .sort("amount:asc")
        .stream()
        .map_ok(|s| s.amount)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        amounts,
        (1..=45).map(|a| f64::from(a * 100)).collect::<Vec<_>>()
    );
    assert_eq!(mock.requests().len() - before, 3, "three pages of 20");
}

#[tokio::test]
async fn tests_can_complete_and_expire_sessions() {
    let mock = mock().await;
    let client = client_for(&mock);
    let paid = create(&client, 15000).await.unwrap().checkout_session_id;
    let abandoned = create(&client, 9000).await.unwrap().checkout_session_id;
    mock.complete(&paid.to_string()).unwrap();
    mock.expire(&abandoned.to_string()).unwrap();
    let status = |id| {
        let client = client.clone();
        async move {
            client
                .retrieve_checkout_session()
                .session_id(id)
                .send()
                .await
                .unwrap()
                .into_inner()
                .status
        }
    };
    assert_eq!(status(paid).await, types::CheckoutSessionStatus::Completed);
    assert_eq!(
        status(abandoned).await,
        types::CheckoutSessionStatus::Expired
    );
    let e = mock.complete(&abandoned.to_string()).unwrap_err();
    assert!(e.contains("\"expired\""), "{e}");
}

/// The mock follows the spec it is given: a property added to the spec is accepted,
/// stored and checked, with no edit to the mock.
#[tokio::test]
async fn a_property_added_to_the_spec_is_accepted_and_checked() {
    let spec = lomi_mock::LOMI_SPEC.replace(
        "      properties:\n        allow_coupon_code:",
        "      properties:\n        loyalty_points:\n          type: integer\n          minimum: 0\n        allow_coupon_code:",
    );
    assert_eq!(spec.matches("loyalty_points").count(), 3, "one per model");
    let mock = MockServer::builder().spec(spec).start().await.unwrap();
    let http = reqwest::Client::new();
    let post = |body: serde_json::Value| {
        http.post(format!("{}/checkout_sessions", mock.url()))
            .header("X-API-KEY", mock.api_key())
            .json(&body)
            .send()
    };
    let created = post(json!({"amount": 500, "currency_code": "XOF", "loyalty_points": 12}))
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created: serde_json::Value = created.json().await.unwrap();
    assert_eq!(created["loyalty_points"], 12);

    let refused = post(json!({"amount": 500, "currency_code": "XOF", "loyalty_points": -1}))
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let refused: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(refused["error"]["details"][0]["field"], "loyalty_points");
}

#[tokio::test]
async fn a_broken_spec_is_refused_with_where() {
    let e = MockServer::builder()
        .spec("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          $ref: '#/components/responses/Missing'\n")
        .start()
        .await
        .unwrap_err();
    let e = e.to_string();
    assert!(e.contains("paths./a.get.responses.200"), "{e}");
    assert!(e.contains("#/components/responses/Missing"), "{e}");
}

#[tokio::test]
async fn a_path_parameter_the_spec_does_not_declare_still_names_the_resource() {
    // lomi.'s newer documents leave some `{param}`s undeclared; the client takes them as
    // strings, and so does the mock.
    let spec = lomi_mock::LOMI_SPEC.replace(
        "      - name: session_id\n        in: path\n        required: true\n",
        "      - name: x-unused\n        in: header\n        required: false\n",
    );
    assert_ne!(
        spec,
        lomi_mock::LOMI_SPEC,
        "the spec declares session_id this way"
    );
    let mock = MockServer::builder().spec(spec).start().await.unwrap();
    mock.insert_session(tests::session_json()).unwrap();
    let found = reqwest::Client::new()
        .get(format!(
            "{}/checkout_sessions/{}",
            mock.url(),
            tests::SESSION_ID
        ))
        .header("X-API-KEY", mock.api_key())
        .send()
        .await
        .unwrap();
    assert_eq!(found.status(), 200);
}

/// Every resource is a spec-checked store by the shape of its operations, nested paths
/// included (each org has its own things), with the kinds the `lomi` command names its
/// verbs by (`lomi-schema` decides both): `GET /orgs/{org}/things` is a list.
#[tokio::test]
async fn nested_collections_are_kept_per_parent() {
    let spec = "openapi: 3.0.3
info: {title: t, version: '1'}
servers: [{url: 'https://api.example.test'}]
paths:
  /orgs/{org}/things:
    parameters: [{name: org, in: path, required: true, schema: {type: string}}]
    get:
      operationId: listThings
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Thing'}}}}}
    post:
      operationId: createThing
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
      responses:
        '201': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
components:
  schemas:
    Thing: {type: object, properties: {thing_id: {type: string}, name: {type: string}}}
";
    let mock = MockServer::builder().spec(spec).start().await.unwrap();
    let http = http();
    let url = |org: &str| format!("{}/orgs/{org}/things", mock.url());
    let created = http
        .post(url("acme"))
        .header("Idempotency-Key", "k1")
        .json(&json!({"name": "anvil"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let list = |org: &'static str| {
        let request = http.get(url(org));
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.json::<serde_json::Value>().await.unwrap()
        }
    };
    let acme = list("acme").await;
    assert_eq!(acme.as_array().map(Vec::len), Some(1), "{acme}");
    assert_eq!(acme[0]["name"], "anvil");
    assert_eq!(list("globex").await, json!([]));
}

/// lomi.'s current document, served: a nested create (`POST /products/{id}/prices`) and
/// every other resource's list answer as the document says.
#[tokio::test]
async fn the_current_api_is_served_resource_by_resource() {
    let mock = MockServer::builder()
        .spec(lomi_mock::CURRENT_SPEC)
        .start()
        .await
        .unwrap();
    let http = http();
    let price = http
        .post(format!("{}/products/prod_1/prices", mock.url()))
        .header("X-API-KEY", mock.api_key())
        .header("Idempotency-Key", "k1")
        .json(&json!({"amount": 5000, "currency_code": "XOF"}))
        .send()
        .await
        .unwrap();
    assert_eq!(price.status(), 201);
    for path in [
        "/customers",
        "/transactions",
        "/refunds",
        "/webhooks",
        "/payment-links",
    ] {
        let listed = http
            .get(format!("{}{path}", mock.url()))
            .header("X-API-KEY", mock.api_key())
            .send()
            .await
            .unwrap();
        assert_eq!(listed.status(), 200, "{path}");
    }
}

/// A plain HTTP client, as a shell or a browser would send with, with the process's
/// rustls provider installed (ring, as lomi.'s clients use) if nothing installed one.
fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// The control endpoints answer typed reports (what `lomi trigger` reads): a change's
/// session, events, endpoint and deliveries, and every delivery so far.
#[tokio::test]
async fn the_control_endpoints_answer_typed_reports() {
    let mock = mock().await;
    let client = client_for(&mock);
    let id = create(&client, 5000).await.unwrap().checkout_session_id;
    let origin = format!("http://{}", mock.addr());
    let report: lomi_mock::TransitionReport = http()
        .post(format!(
            "{origin}{}/checkout_sessions/{id}/complete",
            lomi_mock::CONTROL_PREFIX
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .expect("a transition report");
    assert_eq!(report.session["status"], "completed");
    assert_eq!(report.events, ["PAYMENT_SUCCEEDED", "CHECKOUT_COMPLETED"]);
    // No endpoint registered: nothing was delivered.
    assert_eq!(report.webhook_endpoint, None);
    assert!(report.deliveries.is_empty());
    let all: Vec<lomi_mock::DeliveryReport> = http()
        .get(format!("{origin}{}/deliveries", lomi_mock::CONTROL_PREFIX))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .expect("delivery reports");
    assert!(all.is_empty());
}
