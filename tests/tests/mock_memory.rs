//! A mock left running all day keeps a bounded amount: at most `max_resources`
//! resources of each kind (the oldest ended ones evicted first, an evicted session
//! answering 404 as lomi. does for what it no longer has), `max_resources` idempotency
//! keys, and `max_deliveries` deliveries. `cargo bench -p tests --bench mock_memory`
//! measures the memory after 200,000 creates.

use lomi_client::Error;
use tests::{TEST_KEY, client, seed_create_request};

async fn create(c: &lomi_client::Client) -> String {
    c.create_checkout_session()
        .body(seed_create_request())
        .send()
        .await
        .expect("the mock creates it")
        .checkout_session_id
        .to_string()
}

async fn found(c: &lomi_client::Client, id: &str) -> bool {
    match c.retrieve_checkout_session().session_id(id).send().await {
        Ok(_) => true,
        Err(Error::Api(e)) if e.status == 404 => false,
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
async fn the_oldest_ended_session_goes_first_and_then_answers_404() {
    let mock = lomi_mock::MockServer::builder()
        .api_key(TEST_KEY)
        .max_resources(3)
        .max_deliveries(2)
        .start()
        .await
        .unwrap();
    let c = client(&mock.url());
    let (s1, s2, s3) = (create(&c).await, create(&c).await, create(&c).await);
    mock.complete(&s2).unwrap();
    // A fourth: over the cap, the paid one (ended) goes, though s1 is older.
    let s4 = create(&c).await;
    assert!(!found(&c, &s2).await, "the ended session is evicted first");
    for id in [&s1, &s3, &s4] {
        assert!(found(&c, id).await, "{id} is kept");
    }
    // All open now: the oldest goes.
    let s5 = create(&c).await;
    assert!(!found(&c, &s1).await, "then the oldest");
    for id in [&s3, &s4, &s5] {
        assert!(found(&c, id).await, "{id} is kept");
    }
    assert_eq!(mock.sessions().len(), 3);
    // Deliveries are bounded too: three events, two kept.
    mock.register_webhook("http://127.0.0.1:9/webhooks", "whsec_x");
    mock.complete(&s3).unwrap();
    mock.fail(&s4).unwrap();
    assert_eq!(mock.webhook_deliveries().len(), 2);
}
