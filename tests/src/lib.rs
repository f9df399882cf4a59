//! Shared fixtures for the end-to-end tests: `lomi-mock` with a known session, a client
//! pointed at it, and the JSON lomi. sends back.

use std::time::Duration;

use lomi_client::{Client, Error, RetryPolicy, types};
use serde_json::{Value, json};

/// `lomi-mock` accepting [`TEST_KEY`], with the [`session_json`] session stored (so that
/// [`SESSION_ID`] can be retrieved, updated and deleted).
pub async fn mock() -> lomi_mock::MockServer {
    let mock = lomi_mock::MockServer::builder()
        .api_key(TEST_KEY)
        .start()
        .await
        .expect("the mock starts");
    mock.insert_session(session_json())
        .expect("session_json is what the spec says a session is");
    mock
}

/// The default policy with waits of a few milliseconds, so that tests retry quickly.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(4))
}

/// A client for the server at `base` (e.g. httpmock's `server.url("/v1")`), with the
/// default two retries but millisecond waits.
pub fn client(base: &str) -> Client {
    Client::builder(TEST_KEY)
        .base_url(base)
        .retry_policy(fast_retries())
        .build()
        .expect("a valid test client")
}

/// The API key the tests authenticate with; never a real one.
pub const TEST_KEY: &str = "lomi_sk_test_e2e_0123456789";

/// A session id as lomi. issues them.
pub const SESSION_ID: &str = "5f0c6a1e-8d3b-4c2a-9e7f-1a2b3c4d5e6f";

/// A checkout session with the 35 properties of lomi.'s 1.1.0 document set (not `checkout_url`,
/// which the overlay adds: tests that need it set it).
pub fn session_json() -> Value {
    json!({
        "allow_coupon_code": false,
        "allow_quantity": true,
        "allowed_providers": "WAVE,MTN,ORANGE",
        "amount": 15000,
        "cancel_url": "https://example.com/cancel",
        "checkout_session_id": SESSION_ID,
        "created_at": "2025-11-21T13:32:16.240Z",
        "created_by": "api",
        "currency_code": "XOF",
        "customer_email": "customer@example.com",
        "customer_id": "0b9b6c1e-8c7d-4a4f-9f0e-1d2c3b4a5f60",
        "customer_name": "Awa Diop",
        "customer_phone": "+221771234567",
        "description": "Two bags of rice",
        "environment": "test",
        "expires_at": "2025-11-21T14:02:16.240Z",
        "installment_plan_id": "1b9b6c1e-8c7d-4a4f-9f0e-1d2c3b4a5f61",
        "is_pos": false,
        "is_spi": false,
        "metadata": {"order_id": "A-1042"},
        "organization_id": "2b9b6c1e-8c7d-4a4f-9f0e-1d2c3b4a5f62",
        "payment_link_id": "3b9b6c1e-8c7d-4a4f-9f0e-1d2c3b4a5f63",
        "payment_request_id": "4b9b6c1e-8c7d-4a4f-9f0e-1d2c3b4a5f64",
        "price_id": "5b9b6c1e-8c7d-4a4f-9f0e-1d2c3b4a5f65",
        "product_id": "prod_1234567890abcdef",
        "qr_code_data": {"payload": "000201010212"},
        "qr_code_type": "dynamic",
        "quantity": 2,
        "spi_account_number": "SN0123456789",
        "spi_qr_code_id": "6b9b6c1e-8c7d-4a4f-9f0e-1d2c3b4a5f66",
        "status": "open",
        "subscription_id": "7b9b6c1e-8c7d-4a4f-9f0e-1d2c3b4a5f67",
        "success_url": "https://example.com/success",
        "title": "Order A-1042",
        "updated_at": "2025-11-21T13:32:16.240Z"
    })
}

/// lomi.'s error envelope for `status`, as its server sends it.
pub fn error_json(code: &str, message: &str) -> Value {
    json!({
        "error": {
            "code": code,
            "message": message,
            "details": {"field": "amount"}
        },
        "request_id": "req_7d1c2b"
    })
}

/// The seed's create example as the typed request.
pub fn seed_create_request() -> types::builder::CheckoutSessionsCreate {
    types::CheckoutSessionsCreate::builder()
        .amount(15000.0)
        .currency_code(types::CurrencyCode::Xof)
        .product_id("prod_1234567890abcdef".to_string())
        .success_url("https://example.com/success".to_string())
        .cancel_url("https://example.com/cancel".to_string())
        .customer_email("customer@example.com".to_string())
}

/// Retrieves [`SESSION_ID`], keeping only whether it worked.
pub async fn retrieve(client: &Client) -> Result<(), Error> {
    client
        .retrieve_checkout_session()
        .session_id(SESSION_ID)
        .send()
        .await
        .map(|_| ())
}

/// The seed's create example, byte for byte the body the official SDK sends.
pub fn seed_create_body() -> Value {
    json!({
        "amount": 15000,
        "currency_code": "XOF",
        "product_id": "prod_1234567890abcdef",
        "success_url": "https://example.com/success",
        "cancel_url": "https://example.com/cancel",
        "customer_email": "customer@example.com"
    })
}

/// The seed's update example.
pub fn seed_update_body() -> Value {
    json!({
        "metadata": {
            "updated_at": "2025-11-21T13:32:16.240Z",
            "updated_reason": "Administrative update"
        }
    })
}

/// JSON equality as a server reads it: `15000` and `15000.0` are the same number.
///
/// The spec types amounts as `number`/`double` (as lomi.'s own description does), so
/// the client sends `15000.0` where the seed's example shows `15000`.
pub fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

/// Whether `body` is JSON equal (in the sense of [`same_json`]) to `expected`.
pub fn body_is(body: &[u8], expected: &Value) -> bool {
    serde_json::from_slice::<Value>(body).is_ok_and(|actual| same_json(&actual, expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_by_value_and_everything_else_exactly() {
        assert!(same_json(&json!({"a": [15000]}), &json!({"a": [15000.0]})));
        assert!(!same_json(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
        assert!(!same_json(&json!({"a": "1"}), &json!({"a": 1})));
        assert!(!same_json(&json!([1, 2]), &json!([2, 1])));
    }
}
