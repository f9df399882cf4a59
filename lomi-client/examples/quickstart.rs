//! Create, retrieve, list, update and delete a checkout session.
//!
//! ```sh
//! cargo run --example quickstart                      # against lomi-mock, in-process
//! LOMI_API_KEY=lomi_sk_test_… LOMI_ENVIRONMENT=sandbox cargo run --example quickstart
//! ```
//!
//! Without `LOMI_API_KEY` it starts `lomi-mock` on 127.0.0.1 and talks to it, so it runs
//! anywhere, offline. With it, it talks to lomi. (`LOMI_ENVIRONMENT=sandbox` for the
//! sandbox, `LOMI_BASE_URL` for anywhere else), and deletes what it created.

use lomi_client::prelude::*;
use lomi_client::{Client, json, types};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Kept alive until the end of `main` when used.
    let mut _mock = None;
    let client = if std::env::var_os("LOMI_API_KEY").is_some() {
        let client = Client::from_env()?;
        println!("talking to lomi. at {}", client.baseurl());
        client
    } else {
        let mock = lomi_mock::MockServer::start().await?;
        let client = Client::builder(mock.api_key())
            .base_url(mock.url())
            .build()?;
        println!(
            "LOMI_API_KEY is not set: talking to lomi-mock at {}",
            mock.url()
        );
        _mock = Some(mock);
        client
    };

    // Create: a hosted payment page for 15 000 XOF.
    let session = client
        .create_checkout_session()
        .idempotency_key(format!("quickstart-{}", std::process::id()))
        .body(
            types::CheckoutSessionsCreate::builder()
                .amount(15000)
                .currency_code("XOF")
                .product_id("prod_1234567890abcdef")
                .success_url("https://example.com/success")
                .cancel_url("https://example.com/cancel")
                .customer_email("customer@example.com")
                .metadata(json!({"order_id": "A-1042"})),
        )
        .send()
        .await?;
    let id = session.checkout_session_id;
    println!(
        "created  {id}: {} {} {}, expires {}",
        session.status,
        session.amount,
        session.currency_code,
        session
            .expires_at
            .map_or_else(|| "never".to_string(), |t| t.to_rfc3339())
    );
    // Where the shop sends its customer.
    println!(
        "pay at   {}",
        session
            .checkout_url
            .as_deref()
            .unwrap_or("(lomi. sent no page)")
    );

    // Retrieve it.
    let found = client
        .retrieve_checkout_session()
        .session_id(id)
        .send()
        .await?;
    println!(
        "found    {id}: created {} by {}",
        found.created_at.to_rfc3339(),
        found.created_by.as_deref().unwrap_or("the API")
    );

    // List every session, newest first, page by page as the stream is read.
    let mut sessions = client
        .list_checkout_sessions()
        .limit(50)
        .sort("created_at:desc")
        .stream();
    let mut count = 0;
    while let Some(s) = sessions.try_next().await? {
        count += 1;
        if count <= 5 {
            println!(
                "listed   {}: {} {}",
                s.checkout_session_id, s.status, s.amount
            );
        }
    }
    println!("listed   {count} sessions in all");

    // Update only the metadata.
    let updated = client
        .update_checkout_session()
        .session_id(id)
        .body(
            types::CheckoutSessionsUpdate::builder()
                .metadata(json!({"order_id": "A-1042", "note": "gift wrap"})),
        )
        .send()
        .await?;
    println!(
        "updated  {id}: metadata {}",
        json!(updated.metadata.as_ref())
    );

    // Delete it; a retrieve now answers 404.
    client
        .delete_checkout_session()
        .session_id(id)
        .send()
        .await?;
    match client
        .retrieve_checkout_session()
        .session_id(id)
        .send()
        .await
    {
        Err(e) if e.code() == Some("not_found") => println!("deleted  {id}: now {e}"),
        other => println!("deleted  {id}, but a retrieve said {other:?}"),
    }
    Ok(())
}
