//! A shop's whole checkout, offline, written as a shop's backend is: create a session for
//! an order (the order id as idempotency key), send the customer to `checkout_url`, learn
//! the payment from the signed webhook, mark the order paid, and survive redeliveries.
//! Public APIs only: `lomi-client`, `lomi-mock` and an axum endpoint on 127.0.0.1.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use lomi_client::webhooks::{self, EventData, EventType};
use lomi_client::{Client, types};
use lomi_mock::MockServer;

const SECRET: &str = "whsec_shop_test_secret";

/// The shop's own records.
#[derive(Default)]
struct Shop {
    /// order id → the session paying it, and whether it is paid.
    orders: HashMap<String, (String, bool)>,
    /// Event ids already acted on: lomi. redelivers until it gets a 2xx.
    seen: HashSet<String>,
    /// How many times an order was marked paid (must stay one per order).
    marked_paid: usize,
}

type Shared = Arc<Mutex<Shop>>;

/// The shop's webhook endpoint: verify, deduplicate on the event id, act, answer 2xx.
async fn webhook(State(shop): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let signature = headers
        .get("x-lomi-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Ok(event) = webhooks::construct_event(&body, signature, SECRET) else {
        return StatusCode::BAD_REQUEST;
    };
    let mut shop = shop.lock().unwrap();
    if !shop.seen.insert(event.id.clone()) {
        return StatusCode::OK; // a redelivery: already handled
    }
    if let (EventType::CheckoutCompleted, EventData::CheckoutCompleted(session)) =
        (&event.event, &event.data)
    {
        let order = session.metadata.as_ref().and_then(|m| m.get("order_id"));
        if let Some(order) = order.and_then(|o| o.as_str()).map(str::to_string)
            && let Some((_, paid)) = shop.orders.get_mut(&order)
        {
            *paid = true;
            shop.marked_paid += 1;
        }
    }
    StatusCode::OK
}

async fn start_endpoint(shop: Shared) -> String {
    let app = Router::new()
        .route("/webhooks/lomi", post(webhook))
        .with_state(shop);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/webhooks/lomi")
}

/// What the shop does when a customer checks out order `order`.
async fn checkout(client: &Client, shop: &Shared, order: &str) -> String {
    let session = client
        .create_checkout_session()
        .idempotency_key(order)
        .body(
            types::CheckoutSessionsCreate::builder()
                .amount(15000)
                .currency_code("XOF")
                .success_url("https://shop.example/paid")
                .cancel_url("https://shop.example/cart")
                .metadata(lomi_client::json!({ "order_id": order })),
        )
        .send()
        .await
        .expect("the session is created");
    shop.lock().unwrap().orders.insert(
        order.to_string(),
        (session.checkout_session_id.to_string(), false),
    );
    // Where the customer goes: the hosted payment page.
    session
        .checkout_url
        .clone()
        .expect("lomi. says where the payment page is")
}

/// A mock, the shop with its webhook endpoint registered on it, and the shop's client.
async fn open_shop() -> (MockServer, Shared, String, Client) {
    let mock = MockServer::start().await.unwrap();
    let shop: Shared = Arc::default();
    let endpoint = start_endpoint(shop.clone()).await;
    mock.register_webhook(endpoint.as_str(), SECRET);
    let client = Client::builder(mock.api_key())
        .base_url(mock.url())
        .build()
        .unwrap();
    (mock, shop, endpoint, client)
}

#[tokio::test]
async fn an_order_is_paid_once_however_often_lomi_notifies() {
    let (mock, shop, endpoint, client) = open_shop().await;

    let page = checkout(&client, &shop, "order-1042").await;
    let session_id = shop.lock().unwrap().orders["order-1042"].0.clone();
    // The mock's payment page, on its own host, at lomi.'s path.
    let origin = mock.url().trim_end_matches("/v1").to_string();
    assert_eq!(page, format!("{origin}/checkout/{session_id}"));

    // Running the checkout again for the same order charges nothing new.
    checkout(&client, &shop, "order-1042").await;
    assert_eq!(mock.sessions().len(), 1);

    // The customer pays; the test waits for the signed event to be delivered.
    let delivery = mock.complete(&session_id).unwrap().await.unwrap();
    assert!(delivery.delivered, "{delivery}");
    assert_eq!(delivery.event, "CHECKOUT_COMPLETED");
    {
        let shop = shop.lock().unwrap();
        assert!(shop.orders["order-1042"].1, "the order is paid");
        assert_eq!(shop.marked_paid, 1);
    }

    // lomi. redelivers the same event (same id, same signed bytes): nothing changes.
    let again = reqwest::Client::new()
        .post(&endpoint)
        .header("content-type", "application/json")
        .header("x-lomi-signature", &delivery.signature)
        .header("x-lomi-event", &delivery.event)
        .body(delivery.body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(shop.lock().unwrap().marked_paid, 1);

    // The session reads as paid through the API too.
    let session = client
        .retrieve_checkout_session()
        .session_id(session_id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(session.status, types::CheckoutSessionStatus::Completed);
}

/// A session created on `mock` by a client of it; its id.
async fn any_session(mock: &MockServer) -> String {
    let client = Client::builder(mock.api_key())
        .base_url(mock.url())
        .build()
        .unwrap();
    let session = client
        .create_checkout_session()
        .body(
            types::CheckoutSessionsCreate::builder()
                .currency_code("XOF")
                .amount(100),
        )
        .send()
        .await
        .unwrap();
    session.checkout_session_id.to_string()
}

#[tokio::test]
async fn a_refused_delivery_is_reported_with_why() {
    let mock = MockServer::start().await.unwrap();
    // An endpoint with another secret refuses every event (400, not retried).
    let shop: Shared = Arc::default();
    mock.register_webhook(start_endpoint(shop).await, "whsec_not_the_shops");
    let id = any_session(&mock).await;
    let err = mock.complete(&id).unwrap().await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("not delivered after 1 attempt"), "{text}");
    assert!(text.contains("400"), "{text}");

    // Without an endpoint there is nothing to wait for, and the error says so.
    let quiet = MockServer::start().await.unwrap();
    let id = any_session(&quiet).await;
    let err = quiet.complete(&id).unwrap().await.unwrap_err();
    assert!(err.to_string().contains("register_webhook"), "{err}");
    // lomi. sends no event when a session expires: nor does the mock.
    let id = any_session(&quiet).await;
    let err = quiet.expire(&id).unwrap().await.unwrap_err();
    assert!(matches!(err, lomi_mock::DeliveryError::NoEvent), "{err}");
}

/// The customer on the mock's hosted page, as a browser without JavaScript is: the page
/// at `checkout_url`, a failed try (the shop learns it, the order stays unpaid), then
/// Pay, which sends the customer to the shop's `success_url` and the shop its events.
#[tokio::test]
async fn the_customer_fails_then_pays_on_the_hosted_page() {
    let (mock, shop, _endpoint, client) = open_shop().await;
    let page = checkout(&client, &shop, "order-7").await;

    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let html = browser
        .get(&page)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("XOF"), "{html}");
    let click = |action: &'static str| {
        browser
            .post(&page)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("action={action}"))
            .send()
    };

    let failed = click("fail").await.unwrap();
    assert_eq!(failed.status(), 303);
    let deliveries = || mock.webhook_deliveries();
    let wait_for = |n: usize| async move {
        for _ in 0..200 {
            if deliveries().iter().filter(|d| d.delivered).count() >= n {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("{n} deliveries expected: {:?}", deliveries());
    };
    wait_for(1).await;
    assert_eq!(deliveries()[0].event, "PAYMENT_FAILED");
    // The mock's PAYMENT_FAILED decodes into its typed variant: the session's failed
    // transaction.
    let failed_event = &deliveries()[0];
    let event =
        webhooks::construct_event(&failed_event.body, &failed_event.signature, SECRET).unwrap();
    let EventData::PaymentFailed(tx) = &event.data else {
        panic!("{:?} ({:?})", event.data, event.data_error);
    };
    assert_eq!(tx.status.as_deref(), Some("failed"));
    assert_eq!(tx.currency_code.as_deref(), Some("XOF"));
    assert!(tx.transaction_id.is_some());
    assert!(!shop.lock().unwrap().orders["order-7"].1, "not paid yet");

    let paid = click("pay").await.unwrap();
    assert_eq!(paid.status(), 303);
    assert_eq!(paid.headers()["location"], "https://shop.example/paid");
    wait_for(3).await;
    let names: Vec<String> = deliveries().into_iter().map(|d| d.event).collect();
    assert_eq!(
        names,
        ["PAYMENT_FAILED", "PAYMENT_SUCCEEDED", "CHECKOUT_COMPLETED"]
    );
    assert!(shop.lock().unwrap().orders["order-7"].1, "paid");
    assert_eq!(shop.lock().unwrap().marked_paid, 1);
}
