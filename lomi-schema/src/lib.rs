//! OpenAPI 3.0 schemas as JSON Schema validators (the `jsonschema` crate), shared by the
//! spec lint (are the spec's examples and defaults what their schemas say?) and
//! `lomi-mock` (is this request what the spec says?).
//!
//! An OpenAPI 3.0 schema is JSON Schema draft 4 with a few changes; the ones that matter
//! for validation are translated here:
//! - `nullable: true` also admits `null` (draft 4 has no such keyword);
//! - an empty `required` list is dropped (draft 4 wants at least one name);
//! - `format: int32` (and the other sized integer formats) bounds the value, as the
//!   generated Rust type will;
//! - keywords draft 4 does not know (`example`, `discriminator`, `readOnly`…) are
//!   annotations and stay as they are;
//! - `format`s draft 4 knows (`date-time`, `email`, `uri`…) are checked, and so are
//!   OpenAPI's `uuid`, `date` and `byte`; others (`double`, `password`…) are annotations.
//!
//! `$ref`s point into the document's `components`, which every validator carries.

#![deny(missing_docs)]

pub mod operation;
pub mod path;
pub mod refs;

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
    /// Where in the value, as a JSON pointer (`/metadata/order_id`; empty for the value
    /// itself).
    pub pointer: String,
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
        // Only the components the schema reaches: a validator's cost then follows its
        // own schema, not the size of the document.
        let reached = reachable(&source, components);
        let root = json!({"allOf": [source.clone()], "components": reached});
        let validator = jsonschema::options()
            .with_draft(Draft::Draft4)
            .should_validate_formats(true)
            // OpenAPI's string formats that draft 4 predates.
            .with_format("uuid", |s: &str| uuid::Uuid::parse_str(s).is_ok())
            .with_format("date", |s: &str| {
                chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
            })
            .with_format("byte", |s: &str| {
                s.len().is_multiple_of(4)
                    && s.trim_end_matches('=')
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
            })
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
                // A missing property is the object's problem for JSON Schema, but the
                // property's for whoever reads the error: name it, as lomi. does.
                let mut message = e.to_string();
                if let jsonschema::error::ValidationErrorKind::Required { property } = e.kind()
                    && let Some(name) = property.as_str()
                {
                    field.push(name.to_string());
                    message = "is required".into();
                }
                Problem {
                    location,
                    field: field.join("."),
                    pointer,
                    message,
                }
            })
            .collect()
    }
}

/// The part of `components` that `schema` reaches through `$ref`s, transitively.
fn reachable(schema: &Value, components: &Value) -> Value {
    let mut out = Map::new();
    let mut pending = Vec::new();
    refs(schema, &mut pending);
    while let Some(reference) = pending.pop() {
        let Some((section, name)) = reference
            .strip_prefix("#/components/")
            .and_then(|path| path.split_once('/'))
        else {
            continue;
        };
        let key = name.replace("~1", "/").replace("~0", "~");
        let Value::Object(entries) = out
            .entry(section.to_string())
            .or_insert_with(|| Value::Object(Map::new()))
        else {
            continue;
        };
        if entries.contains_key(&key) {
            continue;
        }
        if let Some(target) = components.get(section).and_then(|s| s.get(&key)) {
            refs(target, &mut pending);
            entries.insert(key, target.clone());
        }
    }
    Value::Object(out)
}

/// Every `$ref` string inside `value`.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push(r.clone());
            }
            map.values().for_each(|v| refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// The property names a JSON schema object lists in `required` (none when it lists none
/// or the list is not one), in its order.
pub fn required(schema: &Value) -> Vec<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
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
            if let Some((lo, hi)) = out
                .get("format")
                .and_then(Value::as_str)
                .and_then(integer_range)
            {
                bound(&mut out, "minimum", lo, |new, old| new > old);
                bound(&mut out, "maximum", hi, |new, old| new < old);
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

/// The range of an OpenAPI (or typify) sized integer format.
fn integer_range(format: &str) -> Option<(i128, i128)> {
    Some(match format {
        "int8" => (i8::MIN.into(), i8::MAX.into()),
        "int16" => (i16::MIN.into(), i16::MAX.into()),
        "int32" => (i32::MIN.into(), i32::MAX.into()),
        "int64" => (i64::MIN.into(), i64::MAX.into()),
        "uint8" => (0, u8::MAX.into()),
        "uint16" => (0, u16::MAX.into()),
        "uint32" => (0, u32::MAX.into()),
        "uint64" => (0, u64::MAX.into()),
        _ => return None,
    })
}

/// Sets `key` to `value` unless the schema already has a tighter bound (`tighter(new,
/// old)` says whether the new one is).
fn bound(out: &mut Map<String, Value>, key: &str, value: i128, tighter: fn(f64, f64) -> bool) {
    let value = match (i64::try_from(value), u64::try_from(value)) {
        (Ok(v), _) => Value::from(v),
        (_, Ok(v)) => Value::from(v),
        _ => return,
    };
    let keep = match (out.get(key).and_then(Value::as_f64), value.as_f64()) {
        (Some(old), Some(new)) => !tighter(new, old),
        (Some(_), None) => true,
        _ => false,
    };
    if !keep {
        out.insert(key.into(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(s: Value) -> Schema {
        Schema::compile(&s, &json!({}), "test").unwrap()
    }

    #[test]
    fn required_lists_the_names_and_tolerates_a_broken_list() {
        assert_eq!(required(&json!({"required": ["a", 1, "b"]})), ["a", "b"]);
        assert!(required(&json!({"required": "a"})).is_empty());
        assert!(required(&json!({})).is_empty());
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
        let date = schema(json!({"type": "string", "format": "date"}));
        assert!(date.check(&json!("2025-11-21"), "body", "").is_empty());
        assert_eq!(date.check(&json!("2025-13-01"), "body", "").len(), 1);
        let byte = schema(json!({"type": "string", "format": "byte"}));
        assert!(byte.check(&json!("aGVsbG8="), "body", "").is_empty());
        assert_eq!(byte.check(&json!("not base64!"), "body", "").len(), 1);
    }

    #[test]
    fn sized_integers_are_bounded() {
        let s = schema(json!({"type": "integer", "format": "int32"}));
        assert!(s.check(&json!(2147483647), "body", "").is_empty());
        assert_eq!(s.check(&json!(2147483648_i64), "body", "").len(), 1);
        // A tighter bound of the schema's own stays.
        let t = schema(json!({"type": "integer", "format": "int32", "minimum": 1, "maximum": 100}));
        assert_eq!(t.source["maximum"], 100);
        assert_eq!(t.check(&json!(0), "body", "").len(), 1);
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
