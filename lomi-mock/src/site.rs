//! What the mock serves beside the API, with axum: the hosted payment page a session's
//! `checkout_url` points at, and the control endpoints a developer or a tool (`lomi
//! trigger`) uses to make a payment happen. Neither needs an API key: a customer's
//! browser has none.
//!
//! - `GET /checkout/{id}`: the page (title, amount, currency), with Pay, Fail and Cancel.
//! - `POST /checkout/{id}` (a form, `action=pay|fail|cancel`): Pay completes the session,
//!   sends its signed events and redirects to `success_url`; Fail sends `PAYMENT_FAILED`
//!   and shows the page again, the session still open; Cancel redirects to `cancel_url`.
//! - `POST /_lomi/checkout_sessions/{id}/complete` (or `fail`, `expire`): the same changes
//!   for a program; answers the session and how each event's delivery went, once it ended.
//! - `GET /_lomi/deliveries`: every event sent so far.
//! - `POST /_lomi/deliveries/{id}/resend`: the event `id` sent again as it was sent (the
//!   same body, signature and `id`), then how that delivery ended.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Json, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use maud::{DOCTYPE, Markup, html};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::response::MockBody;
use crate::store::{CHECKOUT_PATH, Failure};
use crate::webhooks::Delivery;
use crate::{DeliveryError, Shared};

/// The path under which the mock's control endpoints are, outside any API path.
pub const CONTROL_PREFIX: &str = "/_lomi";

/// What a path segment escapes: all but RFC 3986's unreserved characters.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The largest answer the site makes (a page, or a list of deliveries).
const MAX_ANSWER: usize = 16 << 20;

/// Whether `path` is the site's rather than the API's.
pub(crate) fn serves(path: &str) -> bool {
    path == CONTROL_PREFIX
        || path
            .strip_prefix(CONTROL_PREFIX)
            .is_some_and(|rest| rest.starts_with('/'))
        || path.starts_with(CHECKOUT_PATH)
}

/// The site's answer to a request the transport has read.
pub(crate) async fn answer(
    shared: &Arc<Shared>,
    head: http::request::Parts,
    body: Bytes,
) -> http::Response<MockBody> {
    let request = http::Request::from_parts(head, axum::body::Body::from(body));
    let response = match router(shared.clone()).oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let (parts, body) = response.into_parts();
    let data = match axum::body::to_bytes(body, MAX_ANSWER).await {
        Ok(data) => data,
        Err(_) => Bytes::from_static(b"lomi-mock could not build this answer"),
    };
    http::Response::from_parts(
        parts,
        MockBody {
            data: Some(data),
            cut: false,
        },
    )
}

fn router(shared: Arc<Shared>) -> Router {
    let page_path = format!("{CHECKOUT_PATH}{{id}}");
    Router::new()
        .route(&page_path, get(page).post(act))
        .route(CONTROL_PREFIX, get(index))
        .route(
            &format!("{CONTROL_PREFIX}/checkout_sessions/{{id}}/{{change}}"),
            post(control),
        )
        .route(&format!("{CONTROL_PREFIX}/deliveries"), get(deliveries))
        .route(
            &format!("{CONTROL_PREFIX}/deliveries/{{id}}/resend"),
            post(resend),
        )
        .fallback(|| async {
            failure(Failure::new(
                404,
                "not_found",
                format!("lomi-mock serves no such page; see GET {CONTROL_PREFIX}"),
            ))
        })
        .with_state(shared)
}

/// A failure as lomi.'s error envelope.
fn failure(failure: Failure) -> Response {
    let status = StatusCode::from_u16(failure.status).unwrap_or(StatusCode::BAD_REQUEST);
    let body = json!({"error": {"code": failure.code, "message": failure.message}});
    (status, Json(body)).into_response()
}

/// What the control endpoints are.
async fn index() -> Json<Value> {
    Json(json!({
        "checkout_page": format!("GET {CHECKOUT_PATH}{{checkout_session_id}}"),
        "complete": format!("POST {CONTROL_PREFIX}/checkout_sessions/{{id}}/complete"),
        "fail": format!("POST {CONTROL_PREFIX}/checkout_sessions/{{id}}/fail"),
        "expire": format!("POST {CONTROL_PREFIX}/checkout_sessions/{{id}}/expire"),
        "deliveries": format!("GET {CONTROL_PREFIX}/deliveries"),
        "resend": format!("POST {CONTROL_PREFIX}/deliveries/{{id}}/resend"),
    }))
}

/// `POST /_lomi/deliveries/{id}/resend`: the recorded event sent again as it was sent,
/// then how that delivery ended.
async fn resend(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let ended = match shared.resend(&id) {
        Ok(ended) => ended,
        Err(f) => return failure(f),
    };
    match ended.await.ok().and_then(|mut all| all.pop()) {
        Some(delivery) => Json(DeliveryReport::from(&delivery)).into_response(),
        None => failure(Failure::new(
            500,
            "internal_error",
            "the delivery ended without a report",
        )),
    }
}

/// `POST /_lomi/checkout_sessions/{id}/{change}`: the change, then how its events'
/// deliveries ended.
async fn control(
    State(shared): State<Arc<Shared>>,
    Path((id, change)): Path<(String, String)>,
) -> Response {
    let transition = match change.as_str() {
        "complete" | "pay" => shared.pay(&id),
        "fail" => shared.fail(&id),
        "expire" => shared.expire(&id),
        other => {
            return failure(Failure::new(
                404,
                "not_found",
                format!("no change {other:?}: complete, fail or expire"),
            ));
        }
    };
    let transition = match transition {
        Ok(transition) => transition,
        Err(f) => return failure(f),
    };
    let session = transition.session.clone();
    let events = transition.events.iter().map(|e| e.to_string()).collect();
    let endpoint = shared
        .webhook
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .as_ref()
        .map(|e| e.url.clone());
    let deliveries = match transition.ended().await {
        Ok(ended) => ended.iter().map(DeliveryReport::from).collect(),
        Err(DeliveryError::NoEvent | DeliveryError::NoEndpoint) => Vec::new(),
        Err(e) => return failure(Failure::new(500, "internal_error", e.to_string())),
    };
    Json(TransitionReport {
        session,
        events,
        webhook_endpoint: endpoint,
        deliveries,
    })
    .into_response()
}

/// What `POST /_lomi/checkout_sessions/{id}/{change}` answers: the session after the
/// change, the events it sent, where, and how each delivery ended. `lomi trigger` reads
/// it with this type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TransitionReport {
    /// The session as the API now answers it.
    pub session: Value,
    /// The names of the events the change sent, in order.
    pub events: Vec<String>,
    /// The webhook endpoint they went to, if one is registered.
    pub webhook_endpoint: Option<String>,
    /// How each event's delivery ended.
    pub deliveries: Vec<DeliveryReport>,
}

/// One event's delivery, as the control endpoints report it (a [`Delivery`] without its
/// body and signature).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryReport {
    /// The event's `id`.
    pub id: String,
    /// Its name (`CHECKOUT_COMPLETED`).
    pub event: String,
    /// Whether a 2xx answer came back.
    pub delivered: bool,
    /// Attempts made.
    pub attempts: u32,
    /// The last answer's status, if there was one.
    pub status: Option<u16>,
    /// Why the last attempt failed, if it did.
    pub error: Option<String>,
}

impl From<&Delivery> for DeliveryReport {
    fn from(d: &Delivery) -> Self {
        DeliveryReport {
            id: d.id.clone(),
            event: d.event.clone(),
            delivered: d.delivered,
            attempts: d.attempts,
            status: d.status,
            error: d.error.clone(),
        }
    }
}

/// `GET /_lomi/deliveries`.
async fn deliveries(State(shared): State<Arc<Shared>>) -> Json<Vec<DeliveryReport>> {
    let all = shared
        .deliveries
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
        .map(DeliveryReport::from)
        .collect();
    Json(all)
}

/// The form the page posts.
#[derive(Deserialize)]
struct Action {
    action: String,
}

/// `GET /checkout/{id}`.
async fn page(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let session = shared.state().store.find(&id).cloned();
    let Some(session) = session else {
        return missing(&id);
    };
    let notice = query.as_deref().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(name, _)| name == "outcome")
            .and_then(|(_, value)| match value.as_ref() {
                "failed" => Some("The payment failed: PAYMENT_FAILED was sent. The session is still open; try again."),
                "canceled" => Some("You canceled. The session is still open."),
                "paid" => Some("Paid: the session is completed and its events were sent."),
                _ => None,
            })
    });
    Html(render(&id, &session, notice).into_string()).into_response()
}

/// `POST /checkout/{id}`: what the customer clicked.
async fn act(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    Form(form): Form<Action>,
) -> Response {
    let here = format!(
        "{CHECKOUT_PATH}{}",
        percent_encoding::utf8_percent_encode(&id, SEGMENT)
    );
    let url = |session: &Value, name: &str| {
        session
            .get(name)
            .and_then(Value::as_str)
            .filter(|u| !u.is_empty())
            .map(str::to_string)
    };
    match form.action.as_str() {
        "pay" => match shared.pay(&id) {
            // The redirect does not wait for the webhook, as lomi.'s does not.
            Ok(t) => {
                see_other(url(&t.session, "success_url").unwrap_or(format!("{here}?outcome=paid")))
            }
            Err(f) => refused(&id, f),
        },
        "fail" => match shared.fail(&id) {
            Ok(_) => see_other(format!("{here}?outcome=failed")),
            Err(f) => refused(&id, f),
        },
        "cancel" => match shared.open_session(&id) {
            Ok(session) => {
                see_other(url(&session, "cancel_url").unwrap_or(format!("{here}?outcome=canceled")))
            }
            Err(f) => refused(&id, f),
        },
        other => message(
            StatusCode::BAD_REQUEST,
            "Unknown action",
            &format!("The form's action is {other:?}: pay, fail or cancel."),
        ),
    }
}

/// A 303 to `location`, or a page with the link when it cannot be a header.
fn see_other(location: String) -> Response {
    match HeaderValue::from_str(&location) {
        Ok(value) => (StatusCode::SEE_OTHER, [(header::LOCATION, value)]).into_response(),
        Err(_) => message(
            StatusCode::OK,
            "Done",
            &format!("lomi-mock cannot redirect to {location:?}: it is not a valid URL"),
        ),
    }
}

fn missing(id: &str) -> Response {
    message(
        StatusCode::NOT_FOUND,
        "No such checkout session",
        &format!("lomi-mock has no checkout session {id:?}."),
    )
}

fn refused(id: &str, f: Failure) -> Response {
    if f.status == 404 {
        return missing(id);
    }
    let status = StatusCode::from_u16(f.status).unwrap_or(StatusCode::CONFLICT);
    message(status, "This session cannot be paid", &f.message)
}

/// A page with one message.
fn message(status: StatusCode, heading: &str, text: &str) -> Response {
    let markup = layout(
        heading,
        html! {
            h1 { (heading) }
            p #message { (text) }
        },
    );
    (status, Html(markup.into_string())).into_response()
}

fn layout(title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · lomi. (mock)" }
                style { (STYLE) }
            }
            body {
                main {
                    p .mock { "lomi-mock: a test payment page. No money moves." }
                    (content)
                }
            }
        }
    }
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#f4f4f5;margin:0}\
main{max-width:28rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:.75rem}\
.mock{font-size:.8rem;color:#92400e;background:#fef3c7;padding:.4rem .6rem;border-radius:.4rem}\
.amount{font-size:2rem;margin:1rem 0}\
button{font-size:1rem;padding:.6rem 1.2rem;margin:.3rem .3rem 0 0;border-radius:.4rem;border:1px solid #d4d4d8}\
#pay{background:#16a34a;color:#fff;border-color:#16a34a}\
[role=status]{background:#e0f2fe;padding:.5rem;border-radius:.4rem}";

/// The hosted payment page of `session`.
fn render(id: &str, session: &Value, notice: Option<&str>) -> Markup {
    let text = |name: &str| session.get(name).and_then(Value::as_str).unwrap_or("");
    let title = match text("title") {
        "" => "Checkout",
        title => title,
    };
    let amount = session.get("amount").map(amount).unwrap_or_default();
    let currency = text("currency_code");
    let status = text("status");
    layout(
        &format!("Pay {amount} {currency}"),
        html! {
            h1 #title { (title) }
            @if !text("description").is_empty() {
                p #description { (text("description")) }
            }
            p .amount { strong #amount { (amount) } " " span #currency { (currency) } }
            @if let Some(notice) = notice {
                p #notice role="status" { (notice) }
            }
            @if status == "open" {
                form method="post" {
                    button #pay type="submit" name="action" value="pay" { "Pay " (amount) " " (currency) }
                    button #fail type="submit" name="action" value="fail" { "Fail" }
                    button #cancel type="submit" name="action" value="cancel" { "Cancel" }
                }
            } @else {
                p #status { "This session is " (status) "." }
            }
            p { small { "Session " code { (id) } } }
        },
    )
}

/// An amount as a customer reads it: `15000` → `15 000`.
fn amount(value: &Value) -> String {
    let Some(number) = value.as_f64() else {
        return value.to_string();
    };
    if number.fract() != 0.0 || number.abs() >= 1e15 {
        return number.to_string();
    }
    let digits = format!("{}", number.abs() as u64);
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('\u{202f}');
        }
        grouped.push(c);
    }
    if number < 0.0 {
        grouped.insert(0, '-');
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_grouped_by_thousands() {
        assert_eq!(amount(&json!(15000)), "15\u{202f}000");
        assert_eq!(amount(&json!(999)), "999");
        assert_eq!(amount(&json!(1234567.0)), "1\u{202f}234\u{202f}567");
        assert_eq!(amount(&json!(12.5)), "12.5");
        assert_eq!(amount(&json!("x")), "\"x\"");
    }

    #[test]
    fn the_site_is_under_its_prefix_and_the_page_path() {
        assert!(serves("/_lomi"));
        assert!(serves("/_lomi/deliveries"));
        assert!(serves("/checkout/abc"));
        assert!(!serves("/_lomix"));
        assert!(!serves("/v1/checkout_sessions"));
    }
}
