//! The transport: connections (counted), each request read, recorded, matched to its
//! staged fault and routed, and its answer sent.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use http::{Request, Response};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use tokio::net::TcpListener;

use crate::faults::{Fault, staged_status, take_fault};
use crate::response::{Answer, MockBody, respond};
use crate::store::Failure;
use crate::{MAX_RECORDED, Recorded, Shared, operations, routing, site};

pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let connection = shared.connections.fetch_add(1, Ordering::SeqCst);
        let open = shared.open.fetch_add(1, Ordering::SeqCst) + 1;
        shared.max_open.fetch_max(open, Ordering::SeqCst);
        let shared = shared.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn({
                let shared = shared.clone();
                move |request| {
                    let shared = shared.clone();
                    async move {
                        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                        shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
                        let answered = answer(shared.clone(), connection, request).await;
                        shared.in_flight.fetch_sub(1, Ordering::SeqCst);
                        answered
                    }
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
            shared.open.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// What went wrong with a connection on purpose.
#[derive(Debug)]
pub(crate) struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("lomi-mock dropped the connection, as a fault asked")
    }
}

impl std::error::Error for Dropped {}

async fn answer(
    shared: Arc<Shared>,
    connection: usize,
    request: Request<Incoming>,
) -> Result<Response<MockBody>, Dropped> {
    // Long: the request's path through the mock in order (faults, routing, checks, idempotency, store).
    let (head, body) = request.into_parts();
    let request_id = format!("req_{}", uuid::Uuid::new_v4().simple());
    // The body, up to the bound: a larger one is answered, never stored.
    let body = match http_body_util::Limited::new(body, shared.max_body)
        .collect()
        .await
    {
        Ok(body) => body.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            let failure = Failure::new(
                413,
                "payload_too_large",
                format!(
                    "the request body is larger than the {} bytes lomi-mock reads",
                    shared.max_body
                ),
            );
            // The rest of the body is not read: the connection cannot be used again.
            let answer = Answer::failure(failure, &request_id).with_header("connection", "close");
            return Ok(respond(answer, &request_id, false));
        }
        // A body that cannot be read is a connection problem: nothing to answer.
        Err(_) => return Err(Dropped),
    };
    let routed = routing::route(&shared.spec, &head.method, head.uri.path());
    // The control endpoints and the hosted payment pages: not the API's, not recorded.
    if routed.is_err() && site::serves(head.uri.path()) {
        return Ok(site::answer(&shared, head, body).await);
    }
    let target = head
        .uri
        .path_and_query()
        .map_or_else(|| head.uri.path().to_string(), |p| p.as_str().to_string());
    let operation = routed.as_ref().ok().map(|(op, _)| op.id.clone());

    // Record the request and take the fault staged for it, in one lock.
    let fault = {
        let mut state = shared.state();
        if state.requests.len() == MAX_RECORDED {
            state.requests.pop_front();
        }
        state.requests.push_back(Recorded {
            method: head.method.to_string(),
            target,
            operation: operation.clone(),
            headers: head.headers.clone(),
            body: body.clone(),
            connection,
            request_id: request_id.clone(),
            at: Instant::now(),
        });
        take_fault(&mut state.faults, operation.as_deref())
    };

    let answer = match &fault {
        Some(Fault::Respond {
            status,
            headers,
            body,
        }) => Answer::raw(*status, headers.clone(), body.clone()),
        Some(Fault::Status(status)) => staged_status(*status, None, &request_id),
        Some(Fault::StatusRetryAfter(status, seconds)) => {
            staged_status(*status, Some(*seconds), &request_id)
        }
        _ => match routed {
            Err(failure) => Answer::failure(failure, &request_id),
            Ok((op, path_params)) => {
                operations::handle(&shared, op, path_params, &head, &body, &request_id)
            }
        },
    };

    match fault {
        Some(Fault::Drop) => return Err(Dropped),
        Some(Fault::Delay(delay)) => tokio::time::sleep(delay).await,
        _ => {}
    }
    Ok(respond(answer, &request_id, fault == Some(Fault::Truncate)))
}
