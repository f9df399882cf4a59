//! `Idempotency-Key`, as lomi. keeps it: a repeat of a POST replays its first answer; the
//! same key with another request is a conflict.

use std::collections::HashMap;

use http::HeaderMap;
use serde_json::Value;

use crate::Problem;
use crate::response::Answer;
use crate::store::Failure;

/// The idempotency header.
pub(crate) const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The longest idempotency key lomi. takes.
pub(crate) const MAX_IDEMPOTENCY_KEY: usize = 255;

/// What a request is, for telling a repeat from another request under the same key:
/// its operation, its path and its body.
pub(crate) type Fingerprint = (String, String, Value);

/// An answer kept for an idempotency key.
#[derive(Clone, Debug)]
pub(crate) struct Kept {
    pub(crate) fingerprint: Fingerprint,
    pub(crate) status: u16,
    pub(crate) body: Option<Value>,
}

/// The last keys seen (at most `cap`, the oldest forgotten first), with the answer each
/// got.
#[derive(Debug)]
pub(crate) struct Keys {
    kept: HashMap<String, Kept>,
    /// The keys in the order they were first kept.
    order: std::collections::VecDeque<String>,
    cap: usize,
}

impl Keys {
    /// No key yet; at most `cap` kept.
    pub(crate) fn with_cap(cap: usize) -> Keys {
        Keys {
            kept: HashMap::new(),
            order: std::collections::VecDeque::new(),
            cap: cap.max(1),
        }
    }

    /// The answer to a repeat of `key`: the first answer again (marked
    /// `Idempotent-Replayed`, naming this request), or a 409 when the key came with
    /// another request. `None` for a key not seen yet.
    pub(crate) fn replay(
        &self,
        key: &str,
        fingerprint: &Fingerprint,
        request_id: &str,
    ) -> Option<Answer> {
        let kept = self.kept.get(key)?;
        if kept.fingerprint != *fingerprint {
            return Some(Answer::failure(
                Failure::new(
                    409,
                    "conflict",
                    "This Idempotency-Key was used with a different request",
                ),
                request_id,
            ));
        }
        let mut answer = match &kept.body {
            Some(body) => Answer::json(kept.status, body.clone()),
            None => Answer::empty(kept.status),
        }
        .with_header("idempotent-replayed", "true");
        rewrite_request_id(&mut answer, request_id);
        Some(answer)
    }

    /// Keeps `answer` for `key`, unless it is a server error (a retry may succeed).
    pub(crate) fn keep(&mut self, key: String, fingerprint: Fingerprint, answer: &Answer) {
        if answer.status < 500 {
            let kept = Kept {
                fingerprint,
                status: answer.status,
                body: answer.body.clone(),
            };
            if self.kept.insert(key.clone(), kept).is_none() {
                self.order.push_back(key);
            }
            while self.order.len() > self.cap {
                if let Some(oldest) = self.order.pop_front() {
                    self.kept.remove(&oldest);
                }
            }
        }
    }
}

pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Failure> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let problem = |message: &str| {
        Failure::validation(&[Problem {
            location: "header",
            field: "Idempotency-Key".into(),
            pointer: String::new(),
            message: message.into(),
        }])
    };
    let key = value
        .to_str()
        .map_err(|_| problem("must be visible ASCII"))?
        .trim();
    if key.is_empty() {
        return Err(problem("must not be empty"));
    }
    if key.len() > MAX_IDEMPOTENCY_KEY {
        return Err(problem(&format!(
            "must be at most {MAX_IDEMPOTENCY_KEY} characters, got {}",
            key.len()
        )));
    }
    Ok(Some(key.to_string()))
}

/// A replayed error keeps its body but names this request.
fn rewrite_request_id(answer: &mut Answer, request_id: &str) {
    if let Some(Value::Object(body)) = &mut answer.body
        && body.contains_key("request_id")
    {
        body.insert("request_id".into(), Value::String(request_id.into()));
    }
}
