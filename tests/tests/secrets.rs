//! The API key appears in no `Debug` output or error message (traces: observability.rs).

use lomi_client::{Client, Error};
use lomi_mock::Fault;
use tests::{SESSION_ID, TEST_KEY, client, error_json, mock};

#[tokio::test]
async fn the_key_is_in_no_debug_output_or_error_message() {
    let server = mock().await;
    server.inject(
        Fault::json(401, &error_json("unauthorized", "Invalid API key")),
        usize::MAX,
    );
    let client = client(&server.url());
    assert!(!format!("{client:?}").contains(TEST_KEY));
    let builder = Client::builder(TEST_KEY);
    assert!(!format!("{builder:?}").contains(TEST_KEY));

    let err = client
        .retrieve_checkout_session()
        .session_id(SESSION_ID)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api(_)));
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains(TEST_KEY), "{text}");
    }
    // The key did reach the server, in its header.
    assert_eq!(server.requests()[0].header("x-api-key"), Some(TEST_KEY));

    let refused = lomi_client::ClientBuilder::from_env_with(|name| {
        (name == "LOMI_API_KEY").then(|| format!("{TEST_KEY} with a space"))
    })
    .unwrap()
    .build()
    .unwrap_err();
    assert!(!refused.to_string().contains(TEST_KEY), "{refused}");
}
