//! A request checked against its operation (parameters, body) and the mock's own answer
//! checked against what the spec documents, as lomi.'s validation does.

use std::collections::HashMap;

use bytes::Bytes;
use serde_json::Value;

use crate::Problem;
use crate::response::Answer;
use crate::spec::{Location, Operation, Spec};
use crate::store::{self, Failure};

/// The operation's parameters, parsed and checked, by name.
pub(crate) fn parameters(
    op: &Operation,
    path_params: &[(String, String)],
    head: &http::request::Parts,
) -> Result<HashMap<String, Value>, Vec<Problem>> {
    // Long: one check per place a parameter travels (path, query, header), each a few lines.
    let query: Vec<(String, String)> = head
        .uri
        .query()
        .map(|q| {
            form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    let mut values = HashMap::new();
    let mut problems = Vec::new();
    for p in &op.parameters {
        let raw: Option<String> = match p.location {
            Location::Path => path_params
                .iter()
                .find(|(name, _)| *name == p.name)
                .map(|(_, v)| v.clone()),
            Location::Query => {
                let mut given = query.iter().filter(|(k, _)| *k == p.name);
                let first = given.next().map(|(_, v)| v.clone());
                if given.next().is_some() {
                    problems.push(Problem {
                        location: "query",
                        field: p.name.clone(),
                        pointer: String::new(),
                        message: "is given more than once".into(),
                    });
                }
                first
            }
            Location::Header => head
                .headers
                .get(p.name.as_str())
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        };
        let value = match raw {
            Some(raw) => match p.parse(&raw) {
                Ok(value) => value,
                Err(message) => {
                    problems.push(Problem {
                        location: p.location.name(),
                        field: p.name.clone(),
                        pointer: String::new(),
                        message,
                    });
                    continue;
                }
            },
            None if p.required => {
                problems.push(Problem {
                    location: p.location.name(),
                    field: p.name.clone(),
                    pointer: String::new(),
                    message: "is required".into(),
                });
                continue;
            }
            None => match p.default() {
                Some(default) => {
                    values.insert(p.name.clone(), default.clone());
                    continue;
                }
                None => continue,
            },
        };
        let found = p.schema.check(&value, p.location.name(), &p.name);
        if found.is_empty() {
            values.insert(p.name.clone(), value);
        }
        problems.extend(found);
    }
    // A `{name}` of the path that no parameter declares is a string, as the client
    // generated from the same spec takes it.
    for (name, value) in path_params {
        values
            .entry(name.clone())
            .or_insert_with(|| Value::String(value.clone()));
    }
    if problems.is_empty() {
        Ok(values)
    } else {
        Err(problems)
    }
}

/// The request's JSON body, checked against the operation's schema.
pub(crate) fn request_body(
    op: &Operation,
    head: &http::request::Parts,
    body: &Bytes,
) -> Result<Option<Value>, Failure> {
    let Some((schema, required)) = &op.body else {
        return Ok(None);
    };
    let problem = |message: String| {
        Failure::validation(&[Problem {
            location: "body",
            field: String::new(),
            pointer: String::new(),
            message,
        }])
    };
    if body.is_empty() {
        return if *required {
            Err(problem("a JSON body is required".into()))
        } else {
            Ok(None)
        };
    }
    let content_type = head
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim();
    if !(media.eq_ignore_ascii_case("application/json") || media.ends_with("+json")) {
        return Err(problem(format!(
            "the body must be application/json, not {:?}",
            content_type
        )));
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| problem(format!("the body is not valid JSON: {e}")))?;
    let problems = schema.check(&value, "body", "");
    if problems.is_empty() {
        Ok(Some(value))
    } else {
        Err(Failure::validation(&problems))
    }
}

/// `body` without the properties the operation's body schema does not declare (when it
/// lists its properties and leaves `additionalProperties` unsaid or `false`).
pub(crate) fn declared_only(spec: &Spec, op: &Operation, body: Value) -> Value {
    let Some((schema, _)) = &op.body else {
        return body;
    };
    let schema = store::follow(spec, &schema.source);
    let open = schema
        .get("additionalProperties")
        .is_some_and(|a| a != &Value::Bool(false));
    let (Some(declared), false, Value::Object(mut fields)) = (
        schema.get("properties").and_then(Value::as_object),
        open,
        body.clone(),
    ) else {
        return body;
    };
    fields.retain(|name, _| declared.contains_key(name));
    Value::Object(fields)
}

/// The mock's own answer, checked against what the spec documents for it: an answer the
/// spec does not describe becomes a 500 that says so.
pub(crate) fn check_answer(op: &Operation, answer: Answer, request_id: &str) -> Answer {
    let (Some(schema), Some(body)) = (op.response(answer.status), &answer.body) else {
        return answer;
    };
    let problems = schema.check(body, "body", "");
    if problems.is_empty() {
        return answer;
    }
    let mut failure = Failure::validation(&problems);
    failure.status = 500;
    failure.code = "internal_error";
    failure.message = format!(
        "lomi-mock's own {} answer to {} does not match the spec",
        answer.status, op.id
    );
    Answer::failure(failure, request_id)
}

/// The API key check: the spec's header must carry the mock's key.
pub(crate) fn api_key(
    spec: &Spec,
    expected: &str,
    headers: &http::HeaderMap,
) -> Result<(), Failure> {
    let Some(header) = &spec.api_key_header else {
        return Ok(());
    };
    match headers.get(header.as_str()).map(http::HeaderValue::to_str) {
        None => Err(Failure::new(
            401,
            "unauthorized",
            format!("Missing API key: send it in the {header} header"),
        )),
        Some(Ok(key)) if key == expected => Ok(()),
        Some(_) => Err(Failure::new(401, "unauthorized", "Invalid API key")),
    }
}
