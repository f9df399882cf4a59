//! lomi.'s current document, walked: each of its 70 operations is a method of lomi-sdk
//! (built with `full`), which, called with its required arguments against a server that
//! records what it receives, sends the documented method to the documented path. A test
//! that lists the document's operations itself fails the day lomi. adds one.

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::{Arc, Mutex};

use lomi_sdk::{Client, Error, json, types};
use serde_json::Value;

const UUID: &str = "0b6a5f0e-9d1c-4c1e-8f7a-2a3b4c5d6e7f";

/// A model from its JSON, for bodies whose builders have required fields.
fn model<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("a valid body")
}

/// Whether a call went out: any answer counts (the recorder answers `{}`, which not every
/// operation decodes), a refusal before sending or a failure to send does not.
async fn call<T>(sent: impl Future<Output = Result<T, Error>>) -> Result<(), String> {
    match sent.await {
        Ok(_) | Err(Error::Decode(_)) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

/// A server on 127.0.0.1 that records each request's method and path and answers `{}`.
async fn recorder() -> (String, Arc<Mutex<Vec<(String, String)>>>) {
    let seen: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let kept = seen.clone();
    let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let kept = kept.clone();
        async move {
            kept.lock().unwrap().push((
                request.method().to_string(),
                request.uri().path().to_string(),
            ));
            ([("content-type", "application/json")], "{}")
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), seen)
}

#[tokio::test]
async fn every_operation_of_the_june_2026_document_sends_its_method_to_its_path() {
    let (base, seen) = recorder().await;
    let client = Client::builder("lomi_sk_test_walk")
        .base_url(&base)
        .max_retries(0)
        .build()
        .unwrap();
    let calls: Vec<(&str, &str, Result<(), String>)> = vec![
        ("GET", "/accounts/balance", call(client.get_balance().send()).await),
        ("GET", "/accounts/balance/breakdown", call(client.get_balance_breakdown().send()).await),
        ("GET", "/accounts/balance/check/{currency}", call(client.check_available_balance().currency("x1").send()).await),
        ("GET", "/organizations", call(client.list_organizations().send()).await),
        ("GET", "/organizations/metrics", call(client.get_organization_metrics().send()).await),
        ("GET", "/organizations/{id}", call(client.retrieve_organization().id("x1").send()).await),
        ("GET", "/merchants/{id}", call(client.retrieve_merchant().id("x1").send()).await),
        ("GET", "/merchants/{id}/mrr", call(client.get_merchant_mrr().id("x1").send()).await),
        ("GET", "/merchants/{id}/arr", call(client.get_merchant_arr().id("x1").send()).await),
        ("GET", "/merchants/{id}/balance", call(client.get_merchant_balance().id("x1").currency_code("XOF").send()).await),
        ("GET", "/providers", call(client.list_providers().send()).await),
        ("GET", "/customer-subscriptions", call(client.list_customer_subscriptions().send()).await),
        ("GET", "/customer-subscriptions/{subscription_id}", call(client.retrieve_customer_subscription().subscription_id("x1").send()).await),
        ("PATCH", "/customer-subscriptions/{subscription_id}", call(client.update_customer_subscription().subscription_id("x1").send()).await),
        ("DELETE", "/customer-subscriptions/{subscription_id}", call(client.delete_customer_subscription().subscription_id("x1").send()).await),
        ("GET", "/subscriptions", call(client.list_subscriptions().send()).await),
        ("GET", "/subscriptions/customer/{customerId}", call(client.list_subscriptions_of_customer().customer_id("x1").send()).await),
        ("GET", "/subscriptions/{id}", call(client.retrieve_subscription().id("x1").send()).await),
        ("PATCH", "/subscriptions/{id}", call(client.update_subscription().id("x1").send()).await),
        ("POST", "/subscriptions/{id}/uncancel", call(client.uncancel_subscription().id("x1").send()).await),
        ("POST", "/subscriptions/{id}/change-plan", call(client.change_subscription_plan().id("x1").body(model::<types::SubscriptionPlanChange>(json!({"price_id": UUID}))).send()).await),
        ("POST", "/subscriptions/{id}/cancel", call(client.cancel_subscription().id("x1").body(types::SubscriptionCancel::builder()).send()).await),
        ("GET", "/transactions", call(client.list_transactions().send()).await),
        ("GET", "/transactions/{id}", call(client.retrieve_transaction().id("x1").send()).await),
        ("GET", "/customers", call(client.list_customers().send()).await),
        ("POST", "/customers", call(client.create_customer().body(model::<types::CustomerCreate>(json!({"name": "Awa Diop"}))).send()).await),
        ("GET", "/customers/{id}", call(client.retrieve_customer().id("x1").send()).await),
        ("PATCH", "/customers/{id}", call(client.update_customer().id("x1").body(types::CustomerUpdate::builder()).send()).await),
        ("DELETE", "/customers/{id}", call(client.delete_customer().id("x1").send()).await),
        ("GET", "/customers/{id}/portal-audit", call(client.get_customer_portal_audit().id("x1").send()).await),
        ("GET", "/customers/{id}/transactions", call(client.list_customer_transactions().id("x1").send()).await),
        ("POST", "/customers/{id}/portal-launch-session", call(client.create_customer_portal_session().id("x1").send()).await),
        ("POST", "/payment-requests", call(client.create_payment_request().body(model::<types::PaymentRequestCreate>(json!({"amount": 1000, "currency_code": "XOF", "expiry_date": "2026-12-31T00:00:00Z"}))).send()).await),
        ("GET", "/payment-requests", call(client.list_payment_requests().send()).await),
        ("GET", "/payment-requests/{id}", call(client.retrieve_payment_request().id("x1").send()).await),
        ("POST", "/refunds", call(client.create_refund().send()).await),
        ("GET", "/refunds", call(client.list_refunds().send()).await),
        ("GET", "/refunds/{id}", call(client.retrieve_refund().id("x1").send()).await),
        ("GET", "/products", call(client.list_products().send()).await),
        ("POST", "/products", call(client.create_product().send()).await),
        ("GET", "/products/{id}", call(client.retrieve_product().id("x1").send()).await),
        ("POST", "/products/{id}/prices", call(client.add_product_price().id("x1").send()).await),
        ("POST", "/products/{id}/prices/{priceId}/set-default", call(client.set_default_product_price().price_id("x1").id("x1").send()).await),
        ("GET", "/discount-coupons", call(client.list_discount_coupons().send()).await),
        ("POST", "/discount-coupons", call(client.create_discount_coupon().send()).await),
        ("GET", "/discount-coupons/{id}/performance", call(client.get_discount_coupon_performance().id("x1").send()).await),
        ("GET", "/discount-coupons/{id}", call(client.retrieve_discount_coupon().id("x1").send()).await),
        ("POST", "/checkout-sessions", call(client.create_checkout_session().body(model::<types::CheckoutSessionCreate>(json!({"currency_code": "XOF"}))).send()).await),
        ("GET", "/checkout-sessions", call(client.list_checkout_sessions().send()).await),
        ("GET", "/checkout-sessions/{id}", call(client.retrieve_checkout_session().id("x1").send()).await),
        ("POST", "/payment-links", call(client.create_payment_link().body(model::<types::PaymentLinkCreate>(json!({"link_type": "instant", "title": "t", "currency_code": "XOF"}))).send()).await),
        ("GET", "/payment-links", call(client.list_payment_links().send()).await),
        ("GET", "/payment-links/{id}", call(client.retrieve_payment_link().id("x1").send()).await),
        ("POST", "/payouts", call(client.create_payout().send()).await),
        ("GET", "/payouts", call(client.list_payouts().send()).await),
        ("GET", "/payouts/{id}", call(client.retrieve_payout().id("x1").send()).await),
        ("GET", "/webhook-delivery-logs", call(client.list_webhook_delivery_logs().webhook_id("x1").send()).await),
        ("GET", "/webhook-delivery-logs/{id}", call(client.retrieve_webhook_delivery_log().id("x1").send()).await),
        ("POST", "/webhooks", call(client.create_webhook().send()).await),
        ("GET", "/webhooks", call(client.list_webhooks().send()).await),
        ("POST", "/webhooks/{id}/test", call(client.test_webhook().id("x1").send()).await),
        ("POST", "/webhooks/{webhookId}/logs/{logId}/retry", call(client.retry_webhook_delivery().log_id("x1").webhook_id("x1").send()).await),
        ("GET", "/webhooks/{id}", call(client.retrieve_webhook().id("x1").send()).await),
        ("PATCH", "/webhooks/{id}", call(client.update_webhook().id("x1").body(types::WebhookEndpointUpdate::builder()).send()).await),
        ("DELETE", "/webhooks/{id}", call(client.delete_webhook().id("x1").send()).await),
        ("POST", "/charge/wave", call(client.create_wave_charge().send()).await),
        ("POST", "/charge/mtn", call(client.create_mtn_charge().send()).await),
        ("POST", "/charge/card", call(client.create_card_charge().body(model::<types::CardChargeCreate>(json!({"amount": 1000}))).send()).await),
        ("GET", "/charge/card/{id}", call(client.retrieve_card_charge().id("x1").send()).await),
        ("POST", "/charge/card/{id}/cancel", call(client.cancel_card_charge().id("x1").send()).await),
    ];

    // The document's operations, read from it: exactly those were called.
    let document: Value =
        serde_json::from_str(include_str!("../../apis/current/upstream.json")).unwrap();
    let documented: BTreeSet<(String, String)> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|m| m.as_str() != "parameters")
                .map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    let called: BTreeSet<(String, String)> = calls
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(documented.len(), 70);
    assert_eq!(called, documented);

    // Each went out, in order, with its method, to its path ("x1" for each parameter).
    let refused: Vec<String> = calls
        .iter()
        .filter_map(|(m, p, r)| r.as_ref().err().map(|e| format!("{m} {p}: {e}")))
        .collect();
    assert!(refused.is_empty(), "not sent:\n{}", refused.join("\n"));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), calls.len(), "{seen:#?}");
    for ((method, template, result), (got_method, got_path)) in calls.iter().zip(&seen) {
        if let Err(e) = result {
            panic!("{method} {template} was not sent: {e}");
        }
        let expected: String = template
            .split('/')
            .map(|s| if s.starts_with('{') { "x1" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        assert_eq!(
            (got_method.as_str(), got_path.as_str()),
            (*method, expected.as_str()),
            "{method} {template}"
        );
    }
}
