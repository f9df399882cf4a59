//! The builders take what people pass: `&str` for text, any integer for a number, a
//! `json!` object for metadata, `"XOF"` for an enum; and they refuse, naming the field,
//! what would lose information. Written as a shop's backend would call the client.

use std::collections::HashMap;

use lomi_client::{Error, json, types};
use lomi_mock::Recorded;
use serde_json::Value;
use tests::{SESSION_ID, client, mock};

fn body(r: &Recorded) -> Value {
    serde_json::from_slice(&r.body).unwrap()
}

#[tokio::test]
async fn the_seeds_create_reads_as_briefly_as_the_python_example() {
    let server = mock().await;
    let client = client(&server.url());
    let session = client
        .create_checkout_session()
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
        .await
        .unwrap();
    assert_eq!(session.amount, 15000.0);
    let sent = body(&server.requests()[0]);
    assert_eq!(sent["amount"], 15000.0);
    assert_eq!(sent["currency_code"], "XOF");
    assert_eq!(sent["product_id"], "prod_1234567890abcdef");
    assert_eq!(sent["metadata"], json!({"order_id": "A-1042"}));
}

#[tokio::test]
async fn numbers_of_any_type_and_maps_of_any_kind_are_taken() {
    let server = mock().await;
    let client = client(&server.url());
    let limit: usize = 25;
    let offset: i64 = 50;
    client
        .list_checkout_sessions()
        .limit(limit)
        .offset(offset)
        .sort(String::from("created_at:desc"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        server.requests()[0].target,
        "/v1/checkout_sessions?limit=25&offset=50&sort=created_at%3Adesc"
    );

    let metadata: HashMap<String, Value> = HashMap::from([("k".into(), json!(1))]);
    let quantity: u8 = 3;
    let update = types::CheckoutSessionsUpdate::builder()
        .metadata(metadata)
        .quantity(quantity)
        .title(Some("Rice"))
        .description(None::<&str>)
        .allowed_providers(["WAVE", "MTN"])
        .expiration_minutes(45_u16);
    client
        .update_checkout_session()
        .session_id(SESSION_ID)
        .body(update)
        .send()
        .await
        .unwrap();
    let sent = body(&server.requests()[1]);
    assert_eq!(sent["metadata"], json!({"k": 1}));
    // An integer, as lomi. takes it (the 1.1.0 document said a float).
    assert_eq!(sent["quantity"], json!(3));
    assert_eq!(sent["title"], "Rice");
    assert_eq!(sent["allowed_providers"], json!(["WAVE", "MTN"]));
    assert_eq!(sent["expiration_minutes"], json!(45));
    assert!(sent.get("description").is_none());
}

/// What would lose information is refused before sending, naming the field.
#[tokio::test]
async fn lossy_or_ill_typed_values_are_refused_naming_the_field() {
    let server = mock().await;
    let client = client(&server.url());
    let cases: Vec<(types::builder::CheckoutSessionsCreate, &str)> = vec![
        (
            types::CheckoutSessionsCreate::builder().amount(u64::MAX),
            "`amount`: 18446744073709551615 cannot be sent exactly as a JSON number",
        ),
        (
            types::CheckoutSessionsCreate::builder().metadata(json!(["not", "an", "object"])),
            "`metadata`: must be a JSON object, got an array",
        ),
    ];
    for (builder, message) in cases {
        match client.create_checkout_session().body(builder).send().await {
            Err(Error::InvalidInput(e)) => {
                assert_eq!(e.parameter.as_deref(), Some("body"));
                assert_eq!(e.message, message);
            }
            other => panic!("{other:?}"),
        }
    }
    for (limit, message) in [
        (0_u64, "must be between 1 and 100, got 0"),
        (101, "must be between 1 and 100, got 101"),
        (
            u64::MAX,
            "must be between 1 and 100, got 18446744073709552000",
        ),
    ] {
        let e = client
            .list_checkout_sessions()
            .limit(limit)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("invalid `limit` for list_checkout_sessions: {message}")
        );
    }
    let e = client
        .list_checkout_sessions()
        .limit(2.5)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid `limit` for list_checkout_sessions: must be between 1 and 100, got 2.5"
    );
    assert!(server.requests().is_empty());
}
