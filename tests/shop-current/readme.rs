//! A shop's offline suite written only from the README's examples: the blocks after its
//! "shop's suite" markers, in order, as a shop pastes them into its crate. Built and run
//! by `tests/tests/shop_crate.rs` as the shop's own crate, which also checks that this
//! file is those blocks, byte for byte (`LOMI_BLESS=1` rewrites it after a README edit).

use lomi_sdk::{Client, Error, json, types};

/// Creates the hosted payment page for an order; the shop redirects the customer to it
/// (`axum::response::Redirect::to(&url)`).
pub async fn payment_page(
    client: &Client,
    order_id: &str,
    amount: u64,
) -> Result<Option<String>, Error> {
    let session = client
        .create_checkout_session()
        // The order id as idempotency key: a retry (ours, or the client's own after a
        // dropped connection) gets the first session back, never a second charge.
        .idempotency_key(order_id)
        .body(
            types::CheckoutSessionCreate::builder()
                .amount(amount)
                .currency_code("XOF")
                .success_url("https://shop.example/paid")
                .cancel_url("https://shop.example/cart")
                // Comes back in the session and in its webhook events: which order it pays.
                .metadata(json!({ "order_id": order_id })),
        )
        .send()
        .await?;
    Ok(session.checkout_url.clone())
}

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use lomi_sdk::serde_json::{Map, Value};
use lomi_sdk::webhooks::{self, EventData};

/// What the shop keeps: its endpoint's secret, the orders paid, the events acted on.
#[derive(Default)]
pub struct Shop {
    pub webhook_secret: String,
    pub paid: Vec<String>,
    pub failed: Vec<String>,
    seen: HashSet<String>,
}

/// `POST /webhooks/lomi`: verify, act once per event id, answer 2xx at once.
pub async fn lomi_webhook(
    State(shop): State<Arc<Mutex<Shop>>>,
    headers: HeaderMap,
    body: Bytes, // the raw bytes: a re-serialized body would not match its signature
) -> StatusCode {
    let signature = headers
        .get(webhooks::SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let mut shop = shop.lock().unwrap();
    let Ok(event) = webhooks::construct_event(&body, signature, &shop.webhook_secret) else {
        return StatusCode::BAD_REQUEST; // not from lomi.: act on nothing
    };
    // lomi. redelivers until it gets a 2xx, with the same id: act once per id.
    if !shop.seen.insert(event.id.clone()) {
        return StatusCode::OK;
    }
    match &event.data {
        EventData::CheckoutCompleted(session) => {
            if let Some(order) = order_of(session.metadata.as_ref()) {
                shop.paid.push(order);
            }
        }
        EventData::PaymentFailed(payment) => {
            if let Some(order) = order_of(payment.metadata.as_ref()) {
                shop.failed.push(order); // e.g. offer another provider
            }
        }
        // PAYMENT_SUCCEEDED, refunds, and names lomi. adds later (`EventType::Unknown`).
        _ => {}
    }
    StatusCode::OK
}

/// The order a session or a payment is for: the `order_id` the shop put in `metadata`.
fn order_of(metadata: Option<&Map<String, Value>>) -> Option<String> {
    Some(metadata?.get("order_id")?.as_str()?.to_string())
}

use lomi_mock::{Fault, MockServer};

/// The shop's webhook endpoint on a free port, as the test's mock will call it.
async fn shop_endpoint(shop: Arc<Mutex<Shop>>) -> String {
    let app = axum::Router::new()
        .route("/webhooks/lomi", axum::routing::post(lomi_webhook))
        .with_state(shop);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks/lomi", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// lomi.'s current API on 127.0.0.1 (it checks requests as lomi. does, remembers
/// sessions, serves their payment pages and signs its events), sending them to the
/// shop's endpoint; the shop; a client of the mock; the endpoint's URL.
async fn offline_lomi() -> (MockServer, Arc<Mutex<Shop>>, Client, String) {
    let mock = MockServer::builder()
        .spec(lomi_mock::CURRENT_SPEC)
        .start()
        .await
        .unwrap();
    let shop = Arc::new(Mutex::new(Shop {
        webhook_secret: "whsec_test".into(),
        ..Shop::default()
    }));
    let endpoint = shop_endpoint(shop.clone()).await;
    mock.register_webhook(endpoint.as_str(), "whsec_test");
    let client = Client::builder(mock.api_key())
        .base_url(mock.url())
        .build()
        .unwrap();
    (mock, shop, client, endpoint)
}

#[tokio::test]
async fn an_order_is_paid_once_whatever_is_retried_or_redelivered() {
    let (mock, shop, client, endpoint) = offline_lomi().await;

    // The create fails twice with a 503: the client retries, and every attempt carries
    // the order's idempotency key, so lomi. makes one session.
    mock.inject(Fault::Status(503), 2);
    let page = payment_page(&client, "order-42", 15000).await.unwrap();
    assert!(page.is_some(), "a page to send the customer to");
    let creates: Vec<_> = mock
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.target == "/checkout-sessions")
        .collect();
    assert_eq!(creates.len(), 3);
    assert!(
        creates
            .iter()
            .all(|r| r.header("idempotency-key") == Some("order-42"))
    );
    let sessions = mock.sessions();
    assert_eq!(sessions.len(), 1);

    // The customer pays (as the page's Pay button does); wait for every event to be
    // delivered to the shop: PAYMENT_SUCCEEDED, then CHECKOUT_COMPLETED.
    let id = sessions[0]["checkout_session_id"].as_str().unwrap();
    let delivered = mock.complete(id).unwrap().all_delivered().await.unwrap();
    let names: Vec<&str> = delivered.iter().map(|d| d.event.as_str()).collect();
    assert_eq!(names, ["PAYMENT_SUCCEEDED", "CHECKOUT_COMPLETED"]);
    assert_eq!(shop.lock().unwrap().paid, ["order-42"]);

    // lomi. redelivers an event it got no 2xx for: the same body, signature and id.
    let last = mock.webhook_deliveries().pop().unwrap();
    let again = reqwest::Client::new()
        .post(&endpoint)
        .header("x-lomi-signature", &last.signature)
        .body(last.body.clone())
        .send()
        .await
        .unwrap();
    assert!(again.status().is_success());
    assert_eq!(shop.lock().unwrap().paid, ["order-42"], "paid once");
}

#[tokio::test]
async fn a_failed_payment_leaves_the_order_unpaid() {
    let (mock, shop, client, _) = offline_lomi().await;
    payment_page(&client, "order-43", 5000).await.unwrap();

    // A declined payment: PAYMENT_FAILED, and the session stays open for another try.
    let id = mock.sessions()[0]["checkout_session_id"]
        .as_str()
        .unwrap()
        .to_string();
    let delivery = mock.fail(&id).unwrap().await.unwrap(); // `.await`: the last event
    assert_eq!(delivery.event, "PAYMENT_FAILED");
    assert_eq!(mock.sessions()[0]["status"], "open");
    let shop = shop.lock().unwrap();
    assert!(shop.paid.is_empty());
    assert_eq!(shop.failed, ["order-43"]);
}
