//! `lomi-sdk`, the client of lomi.'s current API (June 2026), as a shop's backend uses
//! it: through its public API only, against a local server answering what lomi.'s
//! servers send (`lomi-api.md`): sessions with `null` and missing fields although the
//! document marks all 36 required, bare-array lists, the error envelope the document no
//! longer describes.

use futures_util::TryStreamExt;
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use lomi_sdk::{ApiErrorKind, Client, Error, json, types};
use serde_json::Value;

const KEY: &str = "lomi_sk_test_current_0123456789";
const PRICE: &str = "0b6a5f0e-9d1c-4c1e-8f7a-2a3b4c5d6e7f";

fn client(server: &MockServer) -> Client {
    Client::builder(KEY)
        .base_url(server.base_url())
        .max_retries(0)
        .build()
        .expect("a valid test client")
}

/// A checkout session as lomi.'s current server answers it: some fields `null`, most
/// of the document's 36 absent.
fn session_as_sent(id: &str) -> Value {
    json!({
        "checkout_session_id": id,
        "amount": 10000.0,
        "currency_code": "XOF",
        "status": "open",
        "checkout_url": format!("https://checkout.lomi.africa/checkout/{id}"),
        "customer_email": null,
        "customer_name": null,
        "metadata": {"order_id": "A-1042"},
        "product_id": null,
        "price_id": null,
        "qr_code_data": null,
        "created_at": "2026-06-12T10:00:00.000Z",
    })
}

#[tokio::test]
async fn a_session_with_null_and_missing_fields_decodes() {
    let server = MockServer::start_async().await;
    let retrieve = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/checkout-sessions/cs_1")
                .header("x-api-key", KEY);
            then.status(200).json_body(session_as_sent("cs_1"));
        })
        .await;
    let session = client(&server)
        .retrieve_checkout_session()
        .id("cs_1")
        .send()
        .await
        .expect("what lomi. sends decodes");
    retrieve.assert_async().await;
    assert_eq!(session.checkout_session_id.as_deref(), Some("cs_1"));
    assert_eq!(
        session.checkout_url.as_deref(),
        Some("https://checkout.lomi.africa/checkout/cs_1")
    );
    assert_eq!(session.customer_email, None);
    assert_eq!(session.cancel_url, None, "absent");
    assert_eq!(session.amount, Some(10000.0));
}

#[tokio::test]
async fn a_create_sends_line_items_and_the_account_header() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/checkout-sessions")
                .header("lomi-account", "acct_1234567890")
                .header_exists("idempotency-key")
                .json_body(json!({
                    "currency_code": "XOF",
                    "line_items": [{"price_id": PRICE, "quantity": 2.0}],
                    "require_billing_address": true,
                }));
            then.status(201).json_body(session_as_sent("cs_2"));
        })
        .await;
    let line = types::builder::CheckoutSessionCreateLineItemsItem::default()
        .price_id(PRICE)
        .quantity(2);
    let line = types::CheckoutSessionCreateLineItemsItem::try_from(line).expect("a valid line");
    let session = client(&server)
        .create_checkout_session()
        .lomi_account("acct_1234567890")
        .body(
            types::CheckoutSessionCreate::builder()
                .currency_code("XOF")
                .line_items(vec![line])
                .require_billing_address(true),
        )
        .send()
        .await
        .expect("created");
    create.assert_async().await;
    assert_eq!(session.status.as_deref(), Some("open"));
}

#[tokio::test]
async fn the_list_is_a_bare_array_that_streams_page_by_page() {
    let server = MockServer::start_async().await;
    // The document sets no maximum `limit`, so a short page may be the server's cap:
    // the walk ends on the empty page.
    let pages: Vec<_> = [("0", 2), ("2", 1), ("3", 0)]
        .into_iter()
        .map(|(offset, n)| {
            let sessions: Vec<Value> = (0..n)
                .map(|i| session_as_sent(&format!("cs_{offset}_{i}")))
                .collect();
            server.mock(|when, then| {
                when.method(GET)
                    .path("/checkout-sessions")
                    .query_param("offset", offset)
                    .query_param("limit", "2");
                then.status(200).json_body(Value::Array(sessions));
            })
        })
        .collect();
    let ids: Vec<String> = client(&server)
        .list_checkout_sessions()
        .limit(2)
        .stream()
        .map_ok(|s| s.checkout_session_id.unwrap_or_default())
        .try_collect()
        .await
        .expect("every page");
    assert_eq!(ids, ["cs_0_0", "cs_0_1", "cs_2_0"]);
    for page in pages {
        page.assert();
    }
}

#[tokio::test]
async fn errors_are_typed_from_the_envelope_the_document_omits() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/checkout-sessions/missing");
            then.status(404)
                .header("x-request-id", "req_42")
                .json_body(json!({
                    "error": {"code": "NOT_FOUND", "message": "Checkout session not found"},
                    "request_id": "req_42",
                }));
        })
        .await;
    let err = client(&server)
        .retrieve_checkout_session()
        .id("missing")
        .send()
        .await
        .expect_err("a 404");
    let Error::Api(api) = &err else {
        panic!("an API error, got {err:?}")
    };
    assert_eq!(api.kind(), ApiErrorKind::NotFound);
    assert_eq!(api.code.as_deref(), Some("NOT_FOUND"));
    assert_eq!(err.request_id(), Some("req_42"));
}

/// What a TLS server on 127.0.0.1, holding a certificate for lomi.'s hosts signed by the
/// test CA (`tests/fixtures/tls`), saw of each request: `METHOD https://host/path` and
/// its headers (names in lower case). Answers each with `answer`.
type Seen = (String, Vec<(String, String)>);
fn lomi_s_servers(answer: Value) -> (std::net::SocketAddr, std::sync::mpsc::Receiver<Seen>) {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use std::io::{BufRead, BufReader, Write};
    use std::sync::Arc;

    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/tls");
    let chain = CertificateDer::pem_file_iter(format!("{dir}/server.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(format!("{dir}/server.key")).unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap(),
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (seen, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for tcp in listener.incoming() {
            let Ok(tcp) = tcp else { return };
            let tls = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut stream = BufReader::new(rustls::StreamOwned::new(tls, tcp));
            let (mut request_line, mut headers, mut length) = (String::new(), Vec::new(), 0);
            if stream.read_line(&mut request_line).is_err() {
                continue;
            }
            loop {
                let mut line = String::new();
                if stream.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                let (name, value) = line.split_once(':').unwrap_or((&line, ""));
                let name = name.to_ascii_lowercase();
                if name == "content-length" {
                    length = value.trim().parse().unwrap_or(0);
                }
                headers.push((name, value.trim().to_string()));
            }
            let mut body = vec![0; length];
            let _ = std::io::Read::read_exact(&mut stream, &mut body);
            let mut parts = request_line.split_whitespace();
            let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            let host = headers
                .iter()
                .find(|(n, _)| n == "host")
                .map(|(_, v)| v.as_str());
            let line = format!("{method} https://{}{target}", host.unwrap_or(""));
            let _ = seen.send((line, headers));
            let answer = answer.to_string();
            let stream = stream.get_mut();
            let _ = write!(
                stream,
                "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
            let _ = stream.flush();
            stream.conn.send_close_notify();
            let _ = stream.flush();
        }
    });
    (addr, received)
}

/// A client built with no base URL sends to `https://api.lomi.africa/checkout-sessions`
/// (and its sandbox to `sandbox.`): read off the request itself, without the network.
/// The shop's HTTP client resolves lomi.'s hosts to a local server and trusts the test
/// CA; the SDK chooses the URL.
#[tokio::test]
async fn a_client_with_no_base_url_sends_to_lomi_s_servers() {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;

    let (addr, seen) = lomi_s_servers(session_as_sent("cs_live"));
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(
            CertificateDer::from_pem_file(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/fixtures/tls/ca.pem"
            ))
            .unwrap(),
        )
        .unwrap();
    let tls = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let http = reqwest::Client::builder()
        .resolve("api.lomi.africa", addr)
        .resolve("sandbox.api.lomi.africa", addr)
        .tls_backend_preconfigured(tls)
        .build()
        .unwrap();
    for (builder, url) in [
        (
            Client::builder(KEY),
            "POST https://api.lomi.africa/checkout-sessions",
        ),
        (
            Client::builder(KEY).sandbox(),
            "POST https://sandbox.api.lomi.africa/checkout-sessions",
        ),
    ] {
        let client = builder
            .http_client(http.clone())
            .max_retries(0)
            .build()
            .unwrap();
        let session = client
            .create_checkout_session()
            .body(
                types::CheckoutSessionCreate::builder()
                    .currency_code("XOF")
                    .amount(10000),
            )
            .send()
            .await
            .expect("answered by the local server");
        assert_eq!(session.checkout_session_id.as_deref(), Some("cs_live"));
        let (line, headers) = seen.try_recv().unwrap();
        assert_eq!(line, url);
        // The key and the user agent come with a client the shop built, too.
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(header("x-api-key"), Some(KEY));
        assert!(header("user-agent").is_some_and(|ua| ua.starts_with("lomi-sdk/")));
        assert!(header("idempotency-key").is_some());
    }
}

#[test]
fn a_client_with_no_base_url_talks_to_lomi_s_servers() {
    let live = Client::builder(KEY).build().unwrap();
    assert_eq!(live.baseurl(), "https://api.lomi.africa");
    let sandbox = Client::builder(KEY).sandbox().build().unwrap();
    assert_eq!(sandbox.baseurl(), "https://sandbox.api.lomi.africa");
    assert_eq!(
        lomi_sdk::Environment::Sandbox.base_url(),
        Some("https://sandbox.api.lomi.africa")
    );
}

#[test]
fn webhook_events_are_typed_as_in_lomi_client() {
    use lomi_sdk::webhooks::{self, EventData, EventType};
    let body = serde_json::to_vec(&json!({
        "id": "evt_1",
        "event": "CHECKOUT_COMPLETED",
        "data": session_as_sent("cs_3"),
    }))
    .unwrap();
    let signature = webhooks::sign(&body, "whsec_test");
    let event = webhooks::construct_event(&body, &signature, "whsec_test").unwrap();
    assert_eq!(event.event, EventType::CheckoutCompleted);
    let EventData::CheckoutCompleted(session) = &event.data else {
        panic!("typed data, got {:?}", event.data)
    };
    assert_eq!(session.checkout_session_id.as_deref(), Some("cs_3"));
    assert_eq!(
        webhooks::construct_event(&body, &signature, "whsec_other").unwrap_err(),
        webhooks::WebhookError::SignatureMismatch
    );
}

/// With the `customers` feature on, as a shop that also keeps its customers at lomi.
#[tokio::test]
async fn with_the_customers_feature_a_shop_creates_and_lists_customers() {
    let server = MockServer::start_async().await;
    let customer = json!({"customer_id": "cus_1", "name": "Awa Diop", "email": "awa@example.com", "phone_number": null});
    let create = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/customers")
                .json_body(json!({"name": "Awa Diop", "email": "awa@example.com"}));
            then.status(201).json_body(customer.clone());
        })
        .await;
    let list = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/customers")
                .query_param("pageSize", "10");
            then.status(200).json_body(json!({
                "customers": [customer.clone()],
                "pagination": {"page": 1, "page_size": 10, "total_count": 1, "total_pages": 1},
            }));
        })
        .await;
    let client = client(&server);
    let created = client
        .create_customer()
        .body(
            types::CustomerCreate::builder()
                .name("Awa Diop")
                .email("awa@example.com"),
        )
        .send()
        .await
        .expect("created");
    assert_eq!(created.customer_id.as_deref(), Some("cus_1"));
    assert_eq!(created.phone_number, None);
    let page = client
        .list_customers()
        .page_size(10)
        .send()
        .await
        .expect("listed");
    assert_eq!(page.customers.len(), 1);
    assert_eq!(page.customers[0].name.as_deref(), Some("Awa Diop"));
    create.assert_async().await;
    list.assert_async().await;
}

/// `/customers` is numbered by pages (`page` from 1, `pageSize`), in an envelope whose
/// items are `customers`: `stream()` asks page after page until the reported total.
#[tokio::test]
async fn a_page_numbered_list_streams_page_after_page() {
    let server = MockServer::start_async().await;
    let mut pages = Vec::new();
    for (page, name) in [(1, "Awa Diop"), (2, "Moussa Traoré")] {
        pages.push(
            server
                .mock_async(|when, then| {
                    when.method(GET)
                        .path("/customers")
                        .query_param("page", page.to_string())
                        .query_param("pageSize", "1")
                        .query_param("search", "a");
                    then.status(200).json_body(json!({
                        "customers": [{"customer_id": format!("cus_{page}"), "name": name}],
                        "pagination": {"page": page, "pageSize": 1, "totalCount": 2, "totalPages": 2},
                    }));
                })
                .await,
        );
    }
    let names: Vec<String> = client(&server)
        .list_customers()
        .search("a")
        .page_size(1)
        .stream()
        .map_ok(|c| c.name.unwrap_or_default())
        .try_collect()
        .await
        .expect("every page");
    assert_eq!(names, ["Awa Diop", "Moussa Traoré"]);
    for page in pages {
        // Each page asked once: the total ended the walk without a third request.
        page.assert_async().await;
    }
}
