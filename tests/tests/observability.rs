//! Every call is traced (operation, method, path, attempt, status, request id, elapsed),
//! and the API key appears in no trace.
//!
//! The only test in its binary on purpose: `tracing` caches whether a callsite is enabled
//! when it is first hit, so another test reaching the client's spans on another thread
//! before this one installs its subscriber could hide them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use lomi_mock::Fault;
use tests::{SESSION_ID, TEST_KEY, client, error_json, mock};
use tracing_core::field::{Field, Visit};
use tracing_core::span::{Attributes, Id, Record};
use tracing_core::{Event, Metadata, Subscriber};

/// One span or event as it was recorded: its name and `field=value` pairs.
#[derive(Clone, Debug, Default)]
struct Seen {
    name: String,
    fields: Vec<(String, String)>,
}

impl Seen {
    fn get(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .rev()
            .find(|(k, _)| k == field)
            .map(|(_, v)| v.as_str())
    }
}

/// A minimal subscriber that keeps every span's fields (including ones recorded later)
/// and every event.
#[derive(Clone, Default)]
struct Capture {
    spans: Arc<Mutex<Vec<Seen>>>,
    events: Arc<Mutex<Vec<Seen>>>,
    next: Arc<AtomicU64>,
}

struct Fields<'a>(&'a mut Vec<(String, String)>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .push((field.name().to_string(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_string(), value.to_string()));
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let mut seen = Seen {
            name: attrs.metadata().name().to_string(),
            ..Seen::default()
        };
        attrs.record(&mut Fields(&mut seen.fields));
        let mut spans = self.spans.lock().unwrap();
        spans.push(seen);
        self.next.fetch_add(1, Ordering::SeqCst);
        Id::from_u64(spans.len() as u64)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut spans = self.spans.lock().unwrap();
        let seen = &mut spans[span.into_u64() as usize - 1];
        values.record(&mut Fields(&mut seen.fields));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut seen = Seen {
            name: event.metadata().name().to_string(),
            ..Seen::default()
        };
        event.record(&mut Fields(&mut seen.fields));
        self.events.lock().unwrap().push(seen);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test]
async fn each_call_and_attempt_is_traced_without_the_key() {
    let server = mock().await;
    server.inject(
        Fault::json(503, &error_json("service_unavailable", "busy"))
            .with_header("x-request-id", "req_0"),
        1,
    );
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());

    client(&server.url())
        .retrieve_checkout_session()
        .session_id(SESSION_ID)
        .send()
        .await
        .unwrap();

    let spans = capture.spans.lock().unwrap().clone();
    let request = spans
        .iter()
        .find(|s| s.name == "lomi.request")
        .expect("a request span");
    assert_eq!(request.get("operation"), Some("retrieve_checkout_session"));
    assert_eq!(request.get("method"), Some("GET"));
    assert_eq!(request.get("path"), Some("/checkout_sessions/{session_id}"));
    assert_eq!(request.get("status"), Some("200"));
    assert_eq!(request.get("attempts"), Some("2"));
    assert!(request.get("elapsed_ms").is_some());

    let attempts: Vec<&Seen> = spans.iter().filter(|s| s.name == "lomi.attempt").collect();
    assert_eq!(attempts.len(), 2);
    let second = server.requests()[1].request_id.clone();
    for (i, (status, id)) in [("503", "req_0"), ("200", second.as_str())]
        .iter()
        .enumerate()
    {
        assert_eq!(
            attempts[i].get("attempt"),
            Some((i + 1).to_string().as_str())
        );
        assert_eq!(attempts[i].get("status"), Some(*status));
        assert_eq!(attempts[i].get("request_id"), Some(*id));
        assert!(attempts[i].get("elapsed_ms").is_some());
    }
    let events = capture.events.lock().unwrap().clone();
    assert!(
        events.iter().any(|e| e.get("delay_ms").is_some()),
        "a retry is announced with its delay: {events:?}"
    );

    let everything = format!("{spans:?}{events:?}");
    assert!(!everything.contains(TEST_KEY), "the key leaked into traces");
}
