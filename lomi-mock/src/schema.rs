//! The spec's schemas as JSON Schema validators (the `jsonschema` crate).
//!
//! An OpenAPI 3.0 schema is JSON Schema draft 4 with a few changes; the ones that matter
//! for validation are translated here:
//! - `nullable: true` also admits `null` (draft 4 has no such keyword);
//! - an empty `required` list is dropped (draft 4 wants at least one name);
//! - keywords draft 4 does not know (`example`, `discriminator`, `readOnly`…) are
//!   annotations and stay as they are;
//! - `format`s draft 4 knows (`date-time`, `email`, `uri`…) are checked, and so is
//!   `uuid`; OpenAPI's own (`int32`, `double`…) are annotations.
//!
//! `$ref`s point into the document's `components`, which every validator carries.

use std::sync::Arc;

use jsonschema::{Draft, Validator};
use serde_json::{Map, Value, json};

/// One problem with a value, as lomi.'s validation errors list them in `details`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where the value was: `body`, `query`, `path` or `header`.
    pub location: &'static str,
    /// The field, as a dotted path (`metadata.order_id`), or the parameter's name; empty
    /// for the body as a whole.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    /// The problem as an item of an error envelope's `details` array.
    pub fn to_json(&self) -> Value {
        json!({"location": self.location, "field": self.field, "message": self.message})
    }
}

/// A compiled schema.
#[derive(Clone)]
pub struct Schema {
    validator: Arc<Validator>,
    /// The schema as written, translated (for what the mock reads of it: properties,
    /// defaults, enums).
    pub source: Value,
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schema")
            .field("source", &self.source)
            .finish()
    }
}

impl Schema {
    /// Compiles `schema` (a schema object of the document, `$ref`s and all) against the
    /// document's translated `components`. `at` says where the schema is, for the error.
    pub fn compile(schema: &Value, components: &Value, at: &str) -> Result<Schema, String> {
        let source = translate(schema);
        let root = json!({"allOf": [source.clone()], "components": components});
        let validator = jsonschema::options()
            .with_draft(Draft::Draft4)
            .should_validate_formats(true)
            // Draft 4 predates `uuid`, which OpenAPI documents use for ids.
            .with_format("uuid", |s: &str| uuid::Uuid::parse_str(s).is_ok())
            .build(&root)
            .map_err(|e| format!("{at}: the schema cannot be compiled: {e}"))?;
        Ok(Schema {
            validator: Arc::new(validator),
            source,
        })
    }

    /// Every problem of `value`, `location` saying where it was and `prefix` naming it
    /// (a parameter's name, or empty for a body).
    pub fn check(&self, value: &Value, location: &'static str, prefix: &str) -> Vec<Problem> {
        self.validator
            .iter_errors(value)
            .map(|e| {
                let pointer = e.instance_path().to_string();
                let mut field: Vec<String> = Vec::new();
                if !prefix.is_empty() {
                    field.push(prefix.to_string());
                }
                field.extend(
                    pointer
                        .split('/')
                        .skip(1)
                        .map(|s| s.replace("~1", "/").replace("~0", "~")),
                );
                Problem {
                    location,
                    field: field.join("."),
                    message: e.to_string(),
                }
            })
            .collect()
    }
}

/// `components` of the document, translated, for [`Schema::compile`].
pub fn components(document: &Value) -> Value {
    document
        .get("components")
        .map(translate)
        .unwrap_or_else(|| json!({}))
}

/// The OpenAPI 3.0 schema `value` (and everything inside it) as JSON Schema draft 4.
pub fn translate(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out: Map<String, Value> =
                map.iter().map(|(k, v)| (k.clone(), translate(v))).collect();
            // `required: []` is common and harmless, but draft 4 wants at least one name.
            if out
                .get("required")
                .and_then(Value::as_array)
                .is_some_and(Vec::is_empty)
            {
                out.remove("required");
            }
            if out.get("nullable") == Some(&Value::Bool(true)) {
                out.remove("nullable");
                match out.get_mut("type") {
                    Some(Value::String(t)) => {
                        let t = t.clone();
                        out.insert("type".into(), json!([t, "null"]));
                        if let Some(Value::Array(values)) = out.get_mut("enum")
                            && !values.contains(&Value::Null)
                        {
                            values.push(Value::Null);
                        }
                    }
                    _ => {
                        // A `$ref`, `allOf`… marked nullable: null, or the schema.
                        return json!({"anyOf": [{"type": "null"}, Value::Object(out)]});
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(translate).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(s: Value) -> Schema {
        Schema::compile(&s, &json!({}), "test").unwrap()
    }

    #[test]
    fn nullable_admits_null_and_only_null() {
        let s = schema(json!({"type": "object", "nullable": true}));
        assert!(s.check(&Value::Null, "body", "").is_empty());
        assert!(s.check(&json!({}), "body", "").is_empty());
        assert_eq!(s.check(&json!(1), "body", "metadata").len(), 1);
        let e = schema(json!({"type": "string", "enum": ["a"], "nullable": true}));
        assert!(e.check(&Value::Null, "body", "").is_empty());
        assert_eq!(e.check(&json!("b"), "body", "").len(), 1);
    }

    #[test]
    fn problems_name_the_field() {
        let s = schema(json!({
            "type": "object",
            "properties": {"metadata": {"type": "object", "properties": {"a/b": {"type": "integer"}}}},
        }));
        let problems = s.check(&json!({"metadata": {"a/b": "x"}}), "body", "");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "metadata.a/b");
        assert!(problems[0].message.contains("integer"), "{problems:?}");
    }

    #[test]
    fn formats_are_checked() {
        let s = schema(json!({"type": "string", "format": "uuid"}));
        assert_eq!(s.check(&json!("nope"), "path", "id").len(), 1);
        assert!(
            s.check(&json!("5f0c6a1e-8d3b-4c2a-9e7f-1a2b3c4d5e6f"), "path", "id")
                .is_empty()
        );
        let d = schema(json!({"type": "number", "format": "double"}));
        assert!(d.check(&json!(1.5), "body", "amount").is_empty());
    }

    #[test]
    fn refs_resolve_in_components() {
        let components = components(&json!({"components": {"schemas": {
            "currency": {"type": "string", "enum": ["XOF", "USD"]},
        }}}));
        let s = Schema::compile(
            &json!({"$ref": "#/components/schemas/currency"}),
            &components,
            "test",
        )
        .unwrap();
        assert!(s.check(&json!("XOF"), "body", "").is_empty());
        assert_eq!(s.check(&json!("GBP"), "body", "currency_code").len(), 1);
    }
}
