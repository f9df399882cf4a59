//! Arguments the spec rules out are refused before any request is sent, with an error
//! naming the parameter.

use lomi_client::{Client, Error, types};
use tests::{client, mock};

async fn refused<F, Fut, T>(call: F) -> (Option<String>, String)
where
    F: FnOnce(Client) -> Fut,
    Fut: std::future::Future<Output = Result<T, Error>>,
    T: std::fmt::Debug,
{
    let server = mock().await;
    let result = call(client(&server.url())).await;
    assert!(server.requests().is_empty(), "a request was sent");
    match result {
        Err(Error::InvalidInput(e)) => (e.parameter, e.message),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[tokio::test]
async fn limit_must_be_between_1_and_100() {
    let (p, m) =
        refused(|c| async move { c.list_checkout_sessions().limit(101).send().await }).await;
    assert_eq!(
        (p.as_deref(), m.as_str()),
        (Some("limit"), "must be between 1 and 100, got 101")
    );
    // 0 does not even fit the parameter's type; the message is the same, never a type name.
    let (p, m) = refused(|c| async move { c.list_checkout_sessions().limit(0).send().await }).await;
    assert_eq!(
        (p.as_deref(), m.as_str()),
        (Some("limit"), "must be between 1 and 100, got 0")
    );
}

/// An operation's builder keeps its refusals as a model builder does: a later good value
/// for the same setter clears the refusal, and the first refusal in parameter order is
/// the one reported.
#[tokio::test]
async fn a_later_good_value_clears_a_refusal() {
    let server = mock().await;
    let c = client(&server.url());
    c.list_checkout_sessions()
        .limit(0)
        .limit(10)
        .send()
        .await
        .expect("the second limit replaces the refused one");
    let sent = server.requests();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].target.contains("limit=10"), "{}", sent[0].target);
    let (p, m) = refused(|c| async move {
        c.list_checkout_sessions()
            .offset(-1)
            .limit(101)
            .send()
            .await
    })
    .await;
    assert_eq!(
        (p.as_deref(), m.as_str()),
        (Some("limit"), "must be between 1 and 100, got 101"),
        "limit comes before offset in the operation's parameters"
    );
}

#[tokio::test]
async fn offset_must_not_be_negative() {
    let (p, m) =
        refused(|c| async move { c.list_checkout_sessions().offset(-1).send().await }).await;
    assert_eq!(p.as_deref(), Some("offset"));
    assert_eq!(m, "must be at least 0, got -1");
}

#[tokio::test]
async fn session_id_must_be_set_and_not_empty() {
    let (p, m) =
        refused(|c| async move { c.retrieve_checkout_session().session_id("").send().await }).await;
    assert_eq!(
        (p.as_deref(), m.as_str()),
        (Some("session_id"), "must not be empty")
    );
    let (p, m) = refused(|c| async move { c.delete_checkout_session().send().await }).await;
    assert_eq!(
        (p.as_deref(), m.as_str()),
        (Some("session_id"), "session_id was not initialized")
    );
}

#[tokio::test]
async fn the_error_says_which_call_and_parameter() {
    let server = mock().await;
    let err = client(&server.url())
        .update_checkout_session()
        .session_id("")
        .body(types::CheckoutSessionsUpdate::builder())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid `session_id` for update_checkout_session: must not be empty"
    );
    assert!(!err.is_retryable());
}

/// An id taken from user input can never make a call leave its URL: `.` and `..` would
/// be resolved away (`retrieve("..")` would send `GET /v1/`, and `delete` could hit
/// another resource), so they are refused; `/` and `%` stay inside the segment, encoded.
#[tokio::test]
async fn a_session_id_never_leaves_its_path_segment() {
    for dots in [".", ".."] {
        let (p, m) =
            refused(|c| async move { c.delete_checkout_session().session_id(dots).send().await })
                .await;
        assert_eq!(p.as_deref(), Some("session_id"));
        assert_eq!(
            m,
            format!("must not be `{dots}`: a path segment of dots would address another URL")
        );
    }
    let server = mock().await;
    let c = client(&server.url());
    for id in ["../customers", "a/b", "%2e%2e", "...", "cs_.1"] {
        // The mock reads the whole id back out of its one segment: no such session.
        let e = c
            .retrieve_checkout_session()
            .session_id(id)
            .send()
            .await
            .unwrap_err();
        assert_eq!(e.code(), Some("not_found"), "{id}: {e}");
        assert!(e.to_string().contains(&format!("{id:?}")), "{id}: {e}");
    }
    let targets: Vec<String> = server.requests().iter().map(|r| r.target.clone()).collect();
    assert_eq!(
        targets,
        [
            "/v1/checkout_sessions/..%2Fcustomers",
            "/v1/checkout_sessions/a%2Fb",
            "/v1/checkout_sessions/%252e%252e",
            "/v1/checkout_sessions/...",
            "/v1/checkout_sessions/cs_.1",
        ]
    );
}
