//! The axum webhook example, end to end: lomi-mock signs and sends the event of a paid
//! session, the example's endpoint verifies it, hands it on once, and refuses forgeries.

#[allow(dead_code)]
#[path = "../examples/webhook_axum.rs"]
mod example;

use std::time::Duration;

use lomi_client::webhooks::{EventData, EventType};
use lomi_client::{Client, types};
use tokio::sync::mpsc;

#[tokio::test]
async fn a_mock_signed_event_reaches_the_endpoint_once() {
    let secret = "whsec_shop_test";
    let (events, mut received) = mpsc::unbounded_channel();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks/lomi", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, example::app(secret, events)).await });

    let mock = lomi_mock::MockServer::start().await.unwrap();
    mock.register_webhook(&url, secret);
    let client = Client::builder(mock.api_key())
        .base_url(mock.url())
        .build()
        .unwrap();
    let create = || async {
        client
            .create_checkout_session()
            .body(
                types::CheckoutSessionsCreate::builder()
                    .amount(15000)
                    .currency_code("XOF"),
            )
            .send()
            .await
            .unwrap()
            .checkout_session_id
    };
    let paid = create().await;
    // Waits until the endpoint has answered both events of the payment: no polling.
    let delivery = mock.complete(&paid.to_string()).unwrap().await.unwrap();
    assert!(delivery.delivered);
    assert_eq!(delivery.attempts, 1);
    // First the transaction's event, then the session's.
    let payment = next(&mut received).await;
    assert_eq!(payment.event, EventType::PaymentSucceeded);
    match &payment.data {
        EventData::PaymentSucceeded(tx) => assert_eq!(tx.status.as_deref(), Some("completed")),
        other => panic!("{other:?}"),
    }
    let event = next(&mut received).await;
    assert_eq!(event.event, EventType::CheckoutCompleted);
    assert_eq!(event.id, delivery.id);
    match &event.data {
        EventData::CheckoutCompleted(session) => {
            assert_eq!(session.checkout_session_id, paid);
            assert_eq!(session.status, types::CheckoutSessionStatus::Completed);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(event.lomi_environment.as_deref(), Some("test"));

    // Each delivery was answered 2xx at the first attempt.
    let deliveries = mock.webhook_deliveries();
    assert_eq!(deliveries.len(), 2);
    assert!(deliveries.iter().all(|d| d.delivered && d.attempts == 1));

    // lomi. retries: the same bytes again are acknowledged but not handed on twice.
    let http = reqwest::Client::new();
    let resend = |body: Vec<u8>, signature: String| {
        http.post(&url)
            .header("x-lomi-signature", signature)
            .body(body)
            .send()
    };
    let again = resend(deliveries[0].body.clone(), deliveries[0].signature.clone())
        .await
        .unwrap();
    assert_eq!(again.status(), 200);

    // A forged or altered event is refused with a 4xx, which lomi. does not retry.
    let mut altered = deliveries[0].body.clone();
    let last = altered.len() - 2;
    altered[last] ^= 0x01;
    let forged = resend(altered, deliveries[0].signature.clone())
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    let unsigned = resend(deliveries[0].body.clone(), String::new())
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 400);

    // An event this version does not know (lomi. adds names over time) still arrives.
    let (_, body) = lomi_mock::event_payload("PAYOUT_SETTLED", &serde_json::json!({}));
    let signature = lomi_client::webhooks::sign(&body, secret);
    assert_eq!(resend(body, signature).await.unwrap().status(), 200);
    let event = next(&mut received).await;
    assert_eq!(event.event, EventType::Unknown("PAYOUT_SETTLED".into()));
    assert!(matches!(event.data, EventData::Other(_)));
    // Nothing else was handed on: the resend was deduplicated.
    assert!(received.try_recv().is_err());
}

/// The next event the endpoint handed on.
async fn next(
    received: &mut mpsc::UnboundedReceiver<lomi_client::webhooks::Event>,
) -> lomi_client::webhooks::Event {
    tokio::time::timeout(Duration::from_secs(10), received.recv())
        .await
        .expect("the event arrives")
        .unwrap()
}
