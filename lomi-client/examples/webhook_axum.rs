//! An axum endpoint for lomi. webhooks: take the raw body, verify its signature, skip
//! events already handled (lomi. retries, and a retry keeps the event's `id`), hand the
//! event on, and answer 2xx at once.
//!
//! ```sh
//! LOMI_WEBHOOK_SECRET=whsec_… cargo run --example webhook_axum   # serves :3000/webhooks/lomi
//! cargo run --example webhook_axum                                # a demo against lomi-mock
//! ```
//!
//! It also serves the pages lomi.'s hosted page sends the customer back to: `/paid` (the
//! `success_url`) and `/cart` (the `cancel_url`). A shop never marks an order paid there:
//! anyone can open that URL; the signed event is what says it is paid.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Html;
use axum::routing::{get, post};
use lomi_client::webhooks::{self, Event, Verifier};
use tokio::sync::mpsc;

/// What the endpoint needs: the verifier, the ids already seen, where events go.
struct Endpoint {
    verifier: Verifier,
    // A real shop keeps these in its database, with a unique index on the id.
    seen: Mutex<HashSet<String>>,
    events: mpsc::UnboundedSender<Event>,
}

/// The router: `POST /webhooks/lomi`, verified with `secret`, each new event sent on
/// `events` for the shop's own tasks to handle; and the customer's pages after the
/// payment page, `GET /paid` and `GET /cart`.
pub fn app(secret: &str, events: mpsc::UnboundedSender<Event>) -> Router {
    let endpoint = Arc::new(Endpoint {
        verifier: Verifier::new(secret),
        seen: Mutex::new(HashSet::new()),
        events,
    });
    Router::new()
        .route("/webhooks/lomi", post(receive))
        .route(
            "/paid",
            get(|| async {
                Html("<h1>Thank you!</h1><p>Your order is confirmed once lomi. tells us.</p>")
            }),
        )
        .route(
            "/cart",
            get(|| async { Html("<h1>Your cart</h1><p>The payment was canceled.</p>") }),
        )
        .with_state(endpoint)
}

// `Bytes`, not `Json`: the signature covers the exact bytes lomi. sent.
async fn receive(
    State(endpoint): State<Arc<Endpoint>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let signature = headers
        .get(webhooks::SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let event = match endpoint.verifier.construct_event(&body, signature) {
        Ok(event) => event,
        // A 4xx: lomi. does not retry it, and a forger learns nothing.
        Err(e) => {
            eprintln!("refused a webhook: {e}");
            return StatusCode::BAD_REQUEST;
        }
    };
    let new = endpoint
        .seen
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(event.id.clone());
    if new {
        // Handing on is all the work done here: lomi. waits about 4 s for the answer.
        let _ = endpoint.events.send(event);
    }
    StatusCode::OK
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (events, mut received) = mpsc::unbounded_channel::<Event>();
    if let Ok(secret) = std::env::var("LOMI_WEBHOOK_SECRET") {
        let listener = tokio::net::TcpListener::bind("0.0.0.0:3000").await?;
        println!(
            "listening on http://{}/webhooks/lomi",
            listener.local_addr()?
        );
        tokio::spawn(async move {
            while let Some(event) = received.recv().await {
                println!("received {} ({}), verified", event.event, event.id);
                if let webhooks::EventData::CheckoutCompleted(paid) = &event.data {
                    println!("session {} is {}", paid.checkout_session_id, paid.status);
                }
            }
        });
        axum::serve(listener, app(&secret, events)).await?;
        return Ok(());
    }

    // No secret: the whole flow offline. lomi-mock creates a session, the "customer"
    // pays, and the mock sends the signed CHECKOUT_COMPLETED to this endpoint.
    let secret = "whsec_demo";
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/webhooks/lomi", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app(secret, events)).await });

    let mock = lomi_mock::MockServer::start().await?;
    mock.register_webhook(&url, secret);
    let client = lomi_client::Client::builder(mock.api_key())
        .base_url(mock.url())
        .build()?;
    let session = client
        .create_checkout_session()
        .body(
            lomi_client::types::CheckoutSessionsCreate::builder()
                .amount(15000)
                .currency_code("XOF"),
        )
        .send()
        .await?;
    println!(
        "created {}; the customer pays at {}",
        session.checkout_session_id,
        session.checkout_url.as_deref().unwrap_or("(no page)")
    );
    // Returns once this endpoint has answered the signed event.
    let delivery = mock
        .complete(&session.checkout_session_id.to_string())?
        .await?;
    println!("lomi-mock delivered {}", delivery.id);
    let event = received.recv().await.ok_or("no event came")?;
    println!("received {} ({}), verified", event.event, event.id);
    if let webhooks::EventData::CheckoutCompleted(paid) = &event.data {
        println!("session {} is {}", paid.checkout_session_id, paid.status);
    }
    Ok(())
}
