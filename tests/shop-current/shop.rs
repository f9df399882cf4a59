//! A shop's backend as it uses `lomi-sdk`: its own crate, outside lomi-rs's workspace,
//! with the crate's default features and `customers` (`Cargo.toml`, written by
//! `tests/tests/shop_crate.rs`, which builds and runs this test). Inside the workspace,
//! cargo would unify lomi-sdk's features with the operation walk's `full`; here, only
//! what a shop asks for is compiled. Public APIs only.

use futures_util::TryStreamExt;
use lomi_sdk::{Client, json, types};

const PRICE: &str = "0b6a5f0e-9d1c-4c1e-8f7a-2a3b4c5d6e7f";

/// The shop's loop with lomi-sdk's default features against `lomi-mock` serving lomi.'s
/// current document: a session with `line_items`, streamed back and retrieved, paid on
/// its hosted page (the form a customer submits), and the signed event verified; then,
/// with `customers` on, a customer created and listed. Public APIs only.
#[tokio::test]
async fn a_shop_pays_a_session_against_the_mock_of_the_current_api() {
    use lomi_sdk::webhooks::{self, EventData, EventType};

    let secret = "whsec_current_api";
    let mock = lomi_mock::MockServer::builder()
        .spec(lomi_mock::CURRENT_SPEC)
        .start()
        .await
        .expect("the mock serves the current document");
    let (tx, rx) = std::sync::mpsc::channel();
    let endpoint = start_endpoint(tx).await;
    mock.register_webhook(endpoint.as_str(), secret);
    let client = Client::builder(mock.api_key())
        .base_url(mock.url())
        .build()
        .unwrap();

    let line = types::builder::CheckoutSessionCreateLineItemsItem::default()
        .price_id(PRICE)
        .quantity(2);
    let created = client
        .create_checkout_session()
        .idempotency_key("order-7")
        .body(
            types::CheckoutSessionCreate::builder()
                .currency_code("XOF")
                .amount(15000)
                .line_items(vec![
                    types::CheckoutSessionCreateLineItemsItem::try_from(line).unwrap(),
                ])
                .metadata(json!({"order_id": "order-7"})),
        )
        .send()
        .await
        .expect("created");
    let id = created
        .checkout_session_id
        .clone()
        .expect("the mock names the session");
    let page = created.checkout_url.clone().expect("a payment page");

    let listed: Vec<types::CheckoutSession> = client
        .list_checkout_sessions()
        .stream()
        .try_collect()
        .await
        .expect("the list streams");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].checkout_session_id.as_deref(), Some(id.as_str()));
    let again = client
        .retrieve_checkout_session()
        .id(&id)
        .send()
        .await
        .expect("retrieved");
    assert_eq!(again.status.as_deref(), Some("open"));

    // The customer pays on the hosted page: the form its button submits.
    let paid = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(&page)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("action=pay")
        .send()
        .await
        .unwrap();
    assert!(paid.status().is_redirection(), "{}", paid.status());

    // Every event is signed; the one that says the session is paid is CHECKOUT_COMPLETED
    // (the mock also sends PAYMENT_SUCCEEDED, as lomi. does).
    let event = tokio::task::spawn_blocking(move || {
        loop {
            let (body, signature) = rx
                .recv_timeout(std::time::Duration::from_secs(10))
                .expect("the events are delivered");
            let event =
                webhooks::construct_event(&body, &signature, secret).expect("signed by lomi.");
            if event.event == EventType::CheckoutCompleted {
                return event;
            }
        }
    })
    .await
    .unwrap();
    let EventData::CheckoutCompleted(session) = &event.data else {
        panic!("typed data: {:?}", event.data)
    };
    assert_eq!(session.checkout_session_id.as_deref(), Some(id.as_str()));
    assert_eq!(
        session.metadata.as_ref().and_then(|m| m.get("order_id")),
        Some(&json!("order-7"))
    );

    // With the customers feature.
    client
        .create_customer()
        .body(types::CustomerCreate::builder().name("Awa Diop"))
        .send()
        .await
        .expect("a customer is created");
    let customers = client.list_customers().send().await.expect("listed");
    assert_eq!(customers.customers.len(), 1);
    client
        .create_customer()
        .body(types::CustomerCreate::builder().name("Moussa Traoré"))
        .send()
        .await
        .expect("a second customer");
    // The mock numbers `/customers` by pages as lomi. does: one a page, two pages.
    let every: Vec<types::Customer> = client
        .list_customers()
        .page_size(1)
        .stream()
        .try_collect()
        .await
        .expect("streamed page by page");
    let names: Vec<_> = every.iter().filter_map(|c| c.name.as_deref()).collect();
    assert_eq!(names, ["Awa Diop", "Moussa Traoré"]);
}

/// A webhook endpoint that hands each delivery's body and signature to `tx`.
async fn start_endpoint(tx: std::sync::mpsc::Sender<(Vec<u8>, String)>) -> String {
    use axum::routing::post;
    let tx = std::sync::Arc::new(std::sync::Mutex::new(tx));
    let app = axum::Router::new().route(
        "/lomi",
        post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let signature = headers
                    .get("x-lomi-signature")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                let _ = tx.lock().unwrap().send((body.to_vec(), signature));
                async { axum::http::StatusCode::OK }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/lomi")
}
