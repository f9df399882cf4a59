//! Following local `$ref`s (`#/components/...`) in a document held as JSON: one rule,
//! one hop limit, for the generator's lint and rename checks and for the mock.

use serde_json::Value;

/// The most `$ref`s followed in a chain; a longer chain is a cycle.
pub const MAX_REF_HOPS: usize = 16;

/// Why a `$ref` could not be followed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefError {
    /// It does not start with `#/` (another document, or not a pointer).
    NotLocal(String),
    /// It points at nothing in the document.
    Dangling(String),
    /// Its chain goes on past [`MAX_REF_HOPS`]: the references loop.
    Cycle(String),
}

impl std::fmt::Display for RefError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RefError::NotLocal(r) => write!(f, "`$ref` {r:?} is not a local reference (`#/...`)"),
            RefError::Dangling(r) => write!(f, "`$ref` {r:?} points at nothing in the spec"),
            RefError::Cycle(r) => write!(f, "`$ref` {r:?} starts a chain of references that loops"),
        }
    }
}

impl std::error::Error for RefError {}

/// What the local `reference` (`#/components/schemas/x`) points at in `document`.
pub fn pointer<'a>(document: &'a Value, reference: &str) -> Result<&'a Value, RefError> {
    let path = reference
        .strip_prefix('#')
        .filter(|p| p.is_empty() || p.starts_with('/'))
        .ok_or_else(|| RefError::NotLocal(reference.to_string()))?;
    document
        .pointer(path)
        .ok_or_else(|| RefError::Dangling(reference.to_string()))
}

/// `node`, or what its chain of `$ref`s ends at in `document`.
pub fn follow<'a>(document: &'a Value, node: &'a Value) -> Result<&'a Value, RefError> {
    let mut current = node;
    for _ in 0..MAX_REF_HOPS {
        match current.get("$ref").and_then(Value::as_str) {
            Some(reference) => current = pointer(document, reference)?,
            None => return Ok(current),
        }
    }
    let first = node.get("$ref").and_then(Value::as_str).unwrap_or_default();
    Err(RefError::Cycle(first.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn chains_are_followed_and_bad_ones_named() {
        let doc = json!({"components": {"schemas": {
            "a": {"$ref": "#/components/schemas/b"},
            "b": {"type": "string"},
            "loop": {"$ref": "#/components/schemas/loop"},
        }}});
        let a = json!({"$ref": "#/components/schemas/a"});
        assert_eq!(follow(&doc, &a), Ok(&json!({"type": "string"})));
        let plain = json!({"type": "integer"});
        assert_eq!(follow(&doc, &plain), Ok(&plain));
        let dangling = json!({"$ref": "#/components/schemas/none"});
        assert_eq!(
            follow(&doc, &dangling).unwrap_err().to_string(),
            "`$ref` \"#/components/schemas/none\" points at nothing in the spec"
        );
        let cycle = json!({"$ref": "#/components/schemas/loop"});
        assert!(matches!(follow(&doc, &cycle), Err(RefError::Cycle(_))));
        assert!(matches!(
            pointer(&doc, "other.yaml#/x"),
            Err(RefError::NotLocal(_))
        ));
    }
}
