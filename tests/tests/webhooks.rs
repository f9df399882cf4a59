//! Webhook verification as a shop's endpoint uses it: lomi.'s three test vectors and
//! their negatives, events this version does not know, typed data, replay tolerance.

use std::time::Duration;

use lomi_client::types;
use lomi_client::webhooks::{self, EventData, EventType, Verifier, WebhookError};

/// lomi-api.md, "Webhooks": body, secret, signature.
const VECTORS: [(&str, &str, &str); 3] = [
    (
        r#"{"amount":10000,"currency":"XOF"}"#,
        "whsec_test",
        "f9003c7ae2b8e70a5129e2da3ee86822bd3bb96fa7ca7f9476c0884a8b35473c",
    ),
    (
        r#"{"event":"payment.succeeded"}"#,
        "whsec_test_secret",
        "39dfd5e2536037f0284f9f19aa6518915575459ffb3dac731957b42efbcfaead",
    ),
    (
        r#"{"id":"evt_test","event":"PAYMENT_SUCCEEDED","data":{}}"#,
        "whsec_test_secret_string",
        "2448706203d5aa29955170104698e97b9e8b9e594e729a2fb04ed0cc5bf81690",
    ),
];

#[test]
fn the_three_vectors_verify() {
    for (body, secret, signature) in VECTORS {
        webhooks::verify(body.as_bytes(), signature, secret)
            .unwrap_or_else(|e| panic!("{body}: {e}"));
        assert_eq!(webhooks::sign(body.as_bytes(), secret), signature);
        // Upper case hex, and the `sha256=` prefix lomi.'s own verifiers accept.
        webhooks::verify(body.as_bytes(), &signature.to_uppercase(), secret).unwrap();
        webhooks::verify(body.as_bytes(), &format!("sha256={signature}"), secret).unwrap();
    }
}

#[test]
fn a_changed_byte_a_wrong_secret_or_a_cut_signature_is_refused() {
    for (body, secret, signature) in VECTORS {
        // One byte of the body changed, anywhere.
        for i in [0, body.len() / 2, body.len() - 1] {
            let mut changed = body.as_bytes().to_vec();
            changed[i] ^= 0x01;
            assert_eq!(
                webhooks::verify(&changed, signature, secret),
                Err(WebhookError::SignatureMismatch),
                "{body} with byte {i} changed"
            );
        }
        // A trailing newline is a change too: verify the bytes as received.
        let newline = format!("{body}\n");
        assert_eq!(
            webhooks::verify(newline.as_bytes(), signature, secret),
            Err(WebhookError::SignatureMismatch)
        );
        assert_eq!(
            webhooks::verify(body.as_bytes(), signature, "whsec_wrong_secret"),
            Err(WebhookError::SignatureMismatch)
        );
        for cut in [&signature[..63], &signature[..32], &signature[..2]] {
            assert!(
                matches!(
                    webhooks::verify(body.as_bytes(), cut, secret),
                    Err(WebhookError::MalformedSignature { .. })
                ),
                "{cut}"
            );
        }
    }
    // lomi.'s own negatives.
    assert!(matches!(
        webhooks::verify(VECTORS[0].0.as_bytes(), "deadbeef", "secret"),
        Err(WebhookError::MalformedSignature { .. })
    ));
    let (body, _, signature) = VECTORS[2];
    assert_eq!(
        webhooks::verify(body.as_bytes(), signature, "whsec_wrong_secret"),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn an_empty_or_malformed_header_has_its_own_error() {
    let body = VECTORS[0].0.as_bytes();
    assert_eq!(
        webhooks::verify(body, "", "whsec_test"),
        Err(WebhookError::MissingSignature)
    );
    assert_eq!(
        webhooks::verify(body, "   ", "whsec_test"),
        Err(WebhookError::MissingSignature)
    );
    let e = webhooks::verify(body, &"g".repeat(64), "whsec_test").unwrap_err();
    assert_eq!(
        e.to_string(),
        "the X-Lomi-Signature header is malformed: not hexadecimal"
    );
    assert_eq!(
        webhooks::verify(body, VECTORS[0].2, ""),
        Err(WebhookError::EmptySecret)
    );
}

#[test]
fn the_vectors_event_decodes() {
    let (body, secret, signature) = VECTORS[2];
    let event = webhooks::construct_event(body.as_bytes(), signature, secret).unwrap();
    assert_eq!(event.id, "evt_test");
    assert_eq!(event.event, EventType::PaymentSucceeded);
    // A payment event's data is a transaction; lomi.'s test payload sends none of its
    // fields, and that decodes.
    assert_eq!(event.data, EventData::PaymentSucceeded(Box::default()));
    assert_eq!((event.timestamp, event.data_error), (None, None));
    // A verified body that is not an event is a decode error, not a panic.
    let (body, secret, signature) = VECTORS[0];
    assert!(matches!(
        webhooks::construct_event(body.as_bytes(), signature, secret),
        Err(WebhookError::Decode { .. })
    ));
}

fn signed(body: &serde_json::Value, secret: &str) -> (Vec<u8>, String) {
    let bytes = serde_json::to_vec(body).unwrap();
    let signature = webhooks::sign(&bytes, secret);
    (bytes, signature)
}

/// async-stripe's users lost every webhook when Stripe added an event type: here a new
/// name decodes, with its data as JSON.
#[test]
fn an_event_this_version_does_not_know_decodes() {
    let (body, signature) = signed(
        &serde_json::json!({
            "id": "5f0c6a1e-8d3b-4c2a-9e7f-1a2b3c4d5e6f",
            "event": "PAYOUT_SETTLED",
            "timestamp": "2025-11-21T13:32:16.240Z",
            "data": {"payout_id": "po_1", "amount": 5000},
            "lomi_environment": "test",
        }),
        "whsec_shop",
    );
    let event = webhooks::construct_event(&body, &signature, "whsec_shop").unwrap();
    assert_eq!(event.event, EventType::Unknown("PAYOUT_SETTLED".into()));
    assert_eq!(event.event.to_string(), "PAYOUT_SETTLED");
    assert_eq!(
        event.data,
        EventData::Other(serde_json::json!({"payout_id": "po_1", "amount": 5000}))
    );
    // The names lomi.'s server sends beyond its document are known.
    assert_eq!(
        EventType::from("USAGE_INVOICE_PAID"),
        EventType::UsageInvoicePaid
    );
}

/// A payment event as lomi.'s servers send it (not lomi-mock's output): the transaction's
/// fields as lomi.'s transactions shape them, some `null`, some missing, one this version
/// does not know.
#[test]
fn a_failed_payment_carries_a_typed_transaction_with_nulls_and_gaps() {
    let (body, signature) = signed(
        &serde_json::json!({
            "id": "2c1f8f9e-6a8b-4f0e-9d3c-7b1a5e4d2c10",
            "event": "PAYMENT_FAILED",
            "timestamp": "2026-06-14T09:12:44.000Z",
            "lomi_environment": "live",
            "data": {
                "transaction_id": "7d9a1c3e-2b4f-4a6d-8e0f-1a2b3c4d5e6f",
                "organization_id": "0b8e3f1a-9c2d-4e5f-8a7b-6c5d4e3f2a1b",
                "customer_id": null,
                "product_id": null,
                "transaction_type": "payment",
                "status": "failed",
                "description": "Order 1042",
                "metadata": null,
                "gross_amount": 15000,
                "fee_amount": 0,
                "net_amount": 15000,
                "currency_code": "XOF",
                "provider_code": "WAVE",
                "payment_method_code": "MOBILE_MONEY",
                "is_bnpl": false,
                "created_at": "2026-06-14T09:12:40.118Z",
            },
        }),
        "whsec_shop",
    );
    let event = webhooks::construct_event(&body, &signature, "whsec_shop").unwrap();
    assert_eq!(event.event, EventType::PaymentFailed);
    assert_eq!(event.data_error, None);
    let EventData::PaymentFailed(tx) = &event.data else {
        panic!("{:?}", event.data);
    };
    assert_eq!(tx.status.as_deref(), Some("failed"));
    assert_eq!(tx.gross_amount, Some(15000.0));
    assert_eq!(tx.currency_code.as_deref(), Some("XOF"));
    assert_eq!(tx.provider_code.as_deref(), Some("WAVE"));
    assert_eq!(
        (tx.customer_id.as_deref(), tx.metadata.as_ref()),
        (None, None)
    );
    assert_eq!(tx.updated_at, None, "missing, not an error");
    // A refund event's data is a refund.
    let (body, signature) = signed(
        &serde_json::json!({"id": "evt_r", "event": "REFUND_COMPLETED",
            "data": {"refund_id": "r_1", "transaction_id": "t_1", "amount": 5000, "status": "completed", "reason": null}}),
        "whsec_shop",
    );
    let event = webhooks::construct_event(&body, &signature, "whsec_shop").unwrap();
    let EventData::RefundCompleted(refund) = &event.data else {
        panic!("{:?}", event.data);
    };
    assert_eq!(
        (
            refund.refund_id.as_deref(),
            refund.amount,
            refund.reason.as_deref()
        ),
        (Some("r_1"), Some(5000.0), None)
    );
    // Data that is not a transaction stays JSON, with the reason: the event is not lost.
    let (body, signature) = signed(
        &serde_json::json!({"id": "evt_x", "event": "PAYMENT_SUCCEEDED", "data": {"gross_amount": "lots"}}),
        "whsec_shop",
    );
    let event = webhooks::construct_event(&body, &signature, "whsec_shop").unwrap();
    assert_eq!(
        event.data,
        EventData::Other(serde_json::json!({"gross_amount": "lots"}))
    );
    assert!(event.data_error.is_some());
}

#[test]
fn a_checkout_event_carries_a_typed_session() {
    let session = tests::session_json();
    let (body, signature) = signed(
        &serde_json::json!({"id": "evt_1", "event": "CHECKOUT_COMPLETED", "data": session}),
        "whsec_shop",
    );
    let event = webhooks::construct_event(&body, &signature, "whsec_shop").unwrap();
    match &event.data {
        EventData::CheckoutCompleted(s) => {
            assert_eq!(s.checkout_session_id.to_string(), tests::SESSION_ID);
            assert_eq!(s.currency_code, types::CurrencyCode::Xof);
        }
        other => panic!("{other:?}"),
    }
    // Data that does not match the spec is kept as JSON, with the reason: the event is
    // never lost.
    let (body, signature) = signed(
        &serde_json::json!({"id": "evt_2", "event": "CHECKOUT_COMPLETED", "data": {"amount": "lots"}}),
        "whsec_shop",
    );
    let event = webhooks::construct_event(&body, &signature, "whsec_shop").unwrap();
    assert_eq!(
        event.data,
        EventData::Other(serde_json::json!({"amount": "lots"}))
    );
    let reason = event.data_error.expect("the reason is kept");
    assert!(
        reason.contains("lots") || reason.contains("missing field"),
        "{reason}"
    );
}

#[test]
fn a_tolerance_refuses_old_events_and_is_off_by_default() {
    let old = (chrono::Utc::now() - chrono::Duration::hours(2)).to_rfc3339();
    let (body, signature) = signed(
        &serde_json::json!({"id": "evt_old", "event": "PAYMENT_CREATED", "timestamp": old}),
        "whsec_shop",
    );
    // Off by default: lomi.'s retries keep the first timestamp.
    webhooks::construct_event(&body, &signature, "whsec_shop").unwrap();
    let strict = Verifier::new("whsec_shop").tolerance(Duration::from_secs(300));
    match strict.construct_event(&body, &signature) {
        Err(WebhookError::OutsideTolerance { age: Some(age), .. }) => {
            assert!(age > Duration::from_secs(7000), "{age:?}")
        }
        other => panic!("{other:?}"),
    }
    let now = chrono::Utc::now().to_rfc3339();
    let (body, signature) = signed(
        &serde_json::json!({"id": "evt_new", "event": "PAYMENT_CREATED", "timestamp": now}),
        "whsec_shop",
    );
    strict.construct_event(&body, &signature).unwrap();
    // No timestamp: nothing to check the tolerance against.
    let (body, signature) = signed(
        &serde_json::json!({"id": "evt_none", "event": "PAYMENT_CREATED"}),
        "whsec_shop",
    );
    assert!(matches!(
        strict.construct_event(&body, &signature),
        Err(WebhookError::OutsideTolerance { age: None, .. })
    ));
}

#[test]
fn the_secret_appears_in_no_error_or_debug_output() {
    let secret = "whsec_do_not_print_me";
    let verifier = Verifier::new(secret);
    let mut seen = format!("{verifier:?}");
    for header in ["", "xyz", VECTORS[0].2] {
        let e = verifier.verify(b"{}", header).unwrap_err();
        seen.push_str(&format!("{e} {e:?}"));
    }
    assert!(!seen.contains("do_not_print_me"), "{seen}");
}
