//! The generated typed httpmock helpers, used as a shop's test would: typed expectations
//! and typed answers for every operation, no path and no JSON string.

use httpmock::MockServer;
use lomi_client::{ApiErrorKind, Client, Error, types};
use lomi_httpmock::MockServerExt;

const ID: &str = "5f0c6a1e-8d3b-4c2a-9e7f-1a2b3c4d5e6f";

fn client(server: &MockServer) -> Client {
    Client::builder("lomi_sk_test_httpmock")
        .base_url(server.base_url())
        .max_retries(0)
        .build()
        .unwrap()
}

fn session(amount: u32) -> types::CheckoutSessions {
    types::CheckoutSessions::builder()
        .checkout_session_id(ID)
        .amount(amount)
        .currency_code("XOF")
        .status("open")
        .created_at("2025-11-21T13:32:16.240Z")
        .product_id("prod_1234567890abcdef")
        .try_into()
        .unwrap()
}

#[tokio::test]
async fn create_with_a_typed_expectation_and_answer() {
    let server = MockServer::start_async().await;
    let body = types::CheckoutSessionsCreate::builder()
        .amount(15000)
        .currency_code("XOF")
        .product_id("prod_1234567890abcdef");
    let mock = server.create_checkout_session(|when, then| {
        when.body(&body.clone().try_into().unwrap());
        then.created(&session(15000));
    });
    let created = client(&server)
        .create_checkout_session()
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(*created, session(15000));
    mock.assert();

    // Another body does not match the expectation: httpmock answers 404.
    let other = client(&server)
        .create_checkout_session()
        .body(
            types::CheckoutSessionsCreate::builder()
                .amount(1)
                .currency_code("XOF"),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(other.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn list_retrieve_update_and_delete() {
    let server = MockServer::start_async().await;
    let page: types::ListCheckoutSessions200Response =
        types::ListCheckoutSessions200Response::builder()
            .data(vec![session(100), session(200)])
            .pagination(types::Pagination::builder().limit(2).offset(0).total(2))
            .try_into()
            .unwrap();
    let list = server.list_checkout_sessions(|when, then| {
        when.limit(std::num::NonZeroU64::new(2)).sort("amount:asc");
        then.ok(&page);
    });
    let retrieve = server.retrieve_checkout_session(|when, then| {
        when.session_id(ID);
        then.ok(&session(100));
    });
    let update = server.update_checkout_session(|when, then| {
        when.session_id(ID).body(
            &types::CheckoutSessionsUpdate::builder()
                .title("Rice")
                .try_into()
                .unwrap(),
        );
        then.ok(&session(100));
    });
    let delete = server.delete_checkout_session(|when, then| {
        when.session_id(ID);
        then.no_content();
    });

    let client = client(&server);
    let got = client
        .list_checkout_sessions()
        .limit(2)
        .sort("amount:asc")
        .send()
        .await
        .unwrap();
    assert_eq!(got.data.len(), 2);
    client
        .retrieve_checkout_session()
        .session_id(ID)
        .send()
        .await
        .unwrap();
    client
        .update_checkout_session()
        .session_id(ID)
        .body(types::CheckoutSessionsUpdate::builder().title("Rice"))
        .send()
        .await
        .unwrap();
    client
        .delete_checkout_session()
        .session_id(ID)
        .send()
        .await
        .unwrap();
    for mock in [list, retrieve, update, delete] {
        mock.assert();
    }
}

#[tokio::test]
async fn a_documented_error_with_lomis_envelope() {
    let server = MockServer::start_async().await;
    server.retrieve_checkout_session(|when, then| {
        when.session_id(ID);
        then.into_inner()
            .status(404)
            .json_body(lomi_httpmock::error("not_found", "No such session"));
    });
    server.list_checkout_sessions(|_, then| {
        then.unauthorized()
            .into_inner()
            .json_body(lomi_httpmock::error("unauthorized", "Invalid API key"));
    });
    let client = client(&server);
    match client
        .retrieve_checkout_session()
        .session_id(ID)
        .send()
        .await
    {
        Err(Error::Api(e)) => {
            assert_eq!(e.kind(), ApiErrorKind::NotFound);
            assert_eq!(e.message.as_deref(), Some("No such session"));
        }
        other => panic!("{other:?}"),
    }
    let e = client.list_checkout_sessions().send().await.unwrap_err();
    assert_eq!(e.code(), Some("unauthorized"));
}
