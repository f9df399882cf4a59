//! What each operation does: the checks in order (key, parameters, body, idempotency),
//! then the store's create, list, retrieve, update or delete.

use std::collections::HashMap;

use bytes::Bytes;
use lomi_schema::operation::{DEFAULT_PAGE_SIZE, PAGE_SIZE_NAMES};
use serde_json::{Value, json};

use crate::Shared;
use crate::checks::api_key;
use crate::checks::{check_answer, declared_only, parameters, request_body};
use crate::idempotency::idempotency_key;
use crate::response::Answer;
use crate::routing::PathParams;
use crate::spec::{Operation, Spec};
use crate::store::{self, Failure, Kind, Store};

/// Checks the request against the operation, then does what the operation does.
pub(crate) fn handle(
    shared: &Shared,
    op: &Operation,
    path_params: PathParams,
    head: &http::request::Parts,
    body: &Bytes,
    request_id: &str,
) -> Answer {
    match checked(shared, op, &path_params, head, body) {
        Ok(request) => perform_once(shared, op, request, head, request_id),
        Err(failure) => Answer::failure(failure, request_id),
    }
}

/// A request that passed every check, ready to perform.
struct Checked {
    params: HashMap<String, Value>,
    body: Option<Value>,
    /// The `Idempotency-Key` of a POST.
    key: Option<String>,
}

/// The checks, in lomi.'s order: the key, the parameters, the body, the idempotency key.
fn checked(
    shared: &Shared,
    op: &Operation,
    path_params: &PathParams,
    head: &http::request::Parts,
    body: &Bytes,
) -> Result<Checked, Failure> {
    if op.secured {
        api_key(&shared.spec, &shared.api_key, &head.headers)?;
    }
    let params = parameters(op, path_params, head).map_err(|p| Failure::validation(&p))?;
    // lomi.'s validation strips the keys it does not know; so does the mock.
    let body = request_body(op, head, body)?.map(|body| declared_only(&shared.spec, op, body));
    let key = if op.method == "POST" {
        idempotency_key(&head.headers)?
    } else {
        None
    };
    Ok(Checked { params, body, key })
}

/// Performs a checked request, unless its idempotency key says it was already.
fn perform_once(
    shared: &Shared,
    op: &Operation,
    request: Checked,
    head: &http::request::Parts,
    request_id: &str,
) -> Answer {
    let fingerprint = (
        op.id.clone(),
        head.uri.path().to_string(),
        request.body.clone().unwrap_or(Value::Null),
    );
    let mut state = shared.state();
    if let Some(key) = &request.key
        && let Some(replayed) = state.idempotency.replay(key, &fingerprint, request_id)
    {
        return replayed;
    }
    let answer = perform(
        shared,
        &mut state.store,
        op,
        &request.params,
        request.body.as_ref(),
    )
    .unwrap_or_else(|failure| Answer::failure(failure, request_id));
    let answer = check_answer(op, answer, request_id);
    if let Some(key) = request.key {
        state.idempotency.keep(key, fingerprint, &answer);
    }
    answer
}

/// Does what the operation does to the store.
pub(crate) fn perform(
    shared: &Shared,
    store: &mut Store,
    op: &Operation,
    params: &HashMap<String, Value>,
    body: Option<&Value>,
) -> Result<Answer, Failure> {
    // Long: one arm per kind of operation (list, create, retrieve, update, delete, action).
    let Some(kind) = Kind::of(op) else {
        return Err(Failure::new(
            501,
            "not_implemented",
            format!(
                "lomi-mock checks {} {} but does not implement it",
                op.method, op.path
            ),
        ));
    };
    let spec = &shared.spec;
    // Nested collections are per parent (`products/prod_1/prices`); what identifies an
    // item is read from the template's schemas.
    let collection = store::collection_at(op, params);
    let success = op.success_status().unwrap_or(200);
    let item = op
        .response(success)
        .map(|s| store::item_schema(spec, &s.source))
        .unwrap_or(Value::Null);
    let id_name = id_name(spec, &store::collection(op));
    let id = || {
        let name = op
            .segments
            .last()
            .and_then(|s| lomi_schema::path::segment_param(s))
            .unwrap_or_default();
        params
            .get(name)
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .unwrap_or_default()
    };
    let empty = Value::Object(Default::default());
    match kind {
        Kind::List => {
            // A `number` parameter (lomi.'s current `limit` and `offset`) counts too
            // when it is whole.
            let count = |name: &str, fallback: usize| {
                params
                    .get(name)
                    .and_then(|v| {
                        v.as_u64().or_else(|| {
                            v.as_f64()
                                .filter(|f| *f >= 0.0 && f.fract() == 0.0)
                                .map(|f| f as u64)
                        })
                    })
                    .map_or(fallback, |n| n as usize)
            };
            // A list numbered by pages (lomi.'s `/customers`: `page` from 1, `pageSize`)
            // is the same walk: page n of size s starts at offset (n - 1) * s.
            let default = DEFAULT_PAGE_SIZE as usize;
            let (limit, offset) = if params.contains_key("page") {
                let size = PAGE_SIZE_NAMES
                    .iter()
                    .find(|name| params.contains_key(**name))
                    .map_or(default, |name| count(name, default));
                (
                    size,
                    count("page", 1)
                        .max(1)
                        .saturating_sub(1)
                        .saturating_mul(size),
                )
            } else {
                (count("limit", default), count("offset", 0))
            };
            let all = store.all(&collection);
            let sort = params.get("sort").and_then(Value::as_str);
            let data = store::page(all, &item, limit, offset, sort)?;
            let response = op.response(success).map(|s| &s.source);
            Ok(Answer::json(
                success,
                store::envelope(response, spec, data, limit, offset, all.len()),
            ))
        }
        Kind::Create => Ok(Answer::json(
            success,
            store.create(
                spec,
                &collection,
                &item,
                body.unwrap_or(&empty),
                &shared.origin,
            )?,
        )),
        Kind::Retrieve => Ok(Answer::json(
            success,
            store.get(&collection, &id_name, &id())?,
        )),
        Kind::Update => Ok(Answer::json(
            success,
            store.update(&collection, &id_name, &id(), body.unwrap_or(&empty))?,
        )),
        Kind::Delete => {
            store.delete(&collection, &id_name, &id())?;
            Ok(if success == 204 {
                Answer::empty(204)
            } else {
                Answer::json(success, json!({"deleted": true}))
            })
        }
    }
}

/// The property that identifies a resource of `collection`, from the schema of what its
/// operations answer (a delete answers nothing, a retrieve the resource).
pub(crate) fn id_name(spec: &Spec, collection: &str) -> String {
    let item = spec
        .operations
        .iter()
        .filter(|op| store::collection(op) == collection)
        .filter_map(|op| op.response(op.success_status()?))
        .map(|schema| store::item_schema(spec, &schema.source))
        .find(|item| item.get("properties").is_some())
        .unwrap_or(Value::Null);
    store::id_field(&item, collection)
}
