//! A small OpenAPI 3.0 schema validator, used to check a spec's own examples and defaults.
//!
//! It works on the document as plain JSON so that every schema shape (including the
//! untyped ones `openapiv3` files under `Any`) is checked the same way, and `$ref`s are
//! resolved against the document itself.

use serde_json::Value;

use crate::diagnostic::escape_token;
use crate::load::kind_of;

/// How many `$ref`s and nested schemas one check follows before giving up; guards against
/// reference cycles that never consume any of the instance.
const MAX_DEPTH: usize = 64;

/// One way an instance fails its schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// JSON pointer inside the instance (`""` for the instance itself).
    pub at: String,
    /// What is wrong, for a person.
    pub message: String,
}

/// Checks `instance` against `schema`, resolving `$ref`s in `root`. Returns every violation.
pub fn validate(root: &Value, schema: &Value, instance: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    check(root, schema, instance, &mut String::new(), 0, &mut out);
    out
}

/// Resolves a local `$ref` (`#/...`) in `root`.
pub fn resolve<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    root.pointer(pointer)
}

fn push(out: &mut Vec<Violation>, at: &str, message: String) {
    out.push(Violation {
        at: at.to_string(),
        message,
    });
}

fn check(
    root: &Value,
    schema: &Value,
    inst: &Value,
    at: &mut String,
    depth: usize,
    out: &mut Vec<Violation>,
) {
    if depth > MAX_DEPTH {
        push(
            out,
            at,
            "the schema nests (or refers to itself) too deeply to check".into(),
        );
        return;
    }
    let Some(s) = schema.as_object() else {
        // `true`/`{}`-like schemas accept everything; anything else was linted already.
        return;
    };
    if let Some(reference) = s.get("$ref").and_then(Value::as_str) {
        // Dangling references are reported by the lint; nothing to check here.
        if let Some(target) = resolve(root, reference) {
            check(root, target, inst, at, depth + 1, out);
        }
        return;
    }

    if inst.is_null() && s.get("nullable").and_then(Value::as_bool) == Some(true) {
        return;
    }

    if let Some(Value::Array(all)) = s.get("allOf") {
        for sub in all {
            check(root, sub, inst, at, depth + 1, out);
        }
    }
    for (key, want) in [("anyOf", None), ("oneOf", Some(1))] {
        if let Some(Value::Array(options)) = s.get(key) {
            let matching = options
                .iter()
                .filter(|sub| {
                    let mut errs = Vec::new();
                    check(root, sub, inst, &mut at.clone(), depth + 1, &mut errs);
                    errs.is_empty()
                })
                .count();
            let ok = match want {
                Some(n) => matching == n,
                None => matching > 0,
            };
            if !ok {
                push(
                    out,
                    at,
                    format!(
                        "matches {matching} of the {} `{key}` alternatives (expected {})",
                        options.len(),
                        if want.is_some() {
                            "exactly one"
                        } else {
                            "at least one"
                        }
                    ),
                );
            }
        }
    }
    if let Some(not) = s.get("not") {
        let mut errs = Vec::new();
        check(root, not, inst, &mut at.clone(), depth + 1, &mut errs);
        if errs.is_empty() {
            push(out, at, "matches the schema under `not`".into());
        }
    }

    if let Some(Value::Array(allowed)) = s.get("enum")
        && !allowed.iter().any(|v| same_value(v, inst))
    {
        let list: Vec<String> = allowed.iter().map(short).collect();
        push(
            out,
            at,
            format!("{} is not one of {}", short(inst), list.join(", ")),
        );
        return;
    }

    let typ = s.get("type").and_then(Value::as_str);
    if let Some(typ) = typ
        && !has_type(inst, typ)
    {
        let found = if inst.is_null() {
            "null (and the schema is not `nullable: true`)"
        } else {
            kind_of(inst)
        };
        push(out, at, format!("expected {}, found {found}", article(typ)));
        return;
    }

    match inst {
        Value::String(text) => check_string(s, text, at, out),
        Value::Number(n) => check_number(s, n, at, out),
        Value::Array(items) => {
            let count = items.len();
            bound(s, "minItems", count, |m| count < m, "items", at, out);
            bound(s, "maxItems", count, |m| count > m, "items", at, out);
            if s.get("uniqueItems").and_then(Value::as_bool) == Some(true) {
                for (i, item) in items.iter().enumerate() {
                    if items[..i].iter().any(|earlier| same_value(earlier, item)) {
                        push(out, at, format!("item {i} repeats an earlier item"));
                    }
                }
            }
            if let Some(item_schema) = s.get("items") {
                for (i, item) in items.iter().enumerate() {
                    let len = at.len();
                    at.push_str(&format!("/{i}"));
                    check(root, item_schema, item, at, depth + 1, out);
                    at.truncate(len);
                }
            }
        }
        Value::Object(fields) => {
            if let Some(Value::Array(required)) = s.get("required") {
                for name in required.iter().filter_map(Value::as_str) {
                    if !fields.contains_key(name) {
                        push(out, at, format!("missing required property `{name}`"));
                    }
                }
            }
            let count = fields.len();
            bound(
                s,
                "minProperties",
                count,
                |m| count < m,
                "properties",
                at,
                out,
            );
            bound(
                s,
                "maxProperties",
                count,
                |m| count > m,
                "properties",
                at,
                out,
            );
            let properties = s.get("properties").and_then(Value::as_object);
            for (name, field) in fields {
                let len = at.len();
                at.push('/');
                at.push_str(&escape_token(name));
                match (
                    properties.and_then(|p| p.get(name)),
                    s.get("additionalProperties"),
                ) {
                    (Some(sub), _) => check(root, sub, field, at, depth + 1, out),
                    (None, Some(Value::Bool(false))) => push(
                        out,
                        at,
                        format!(
                            "unknown property `{name}` (the schema sets `additionalProperties: false`)"
                        ),
                    ),
                    (None, Some(extra @ Value::Object(_))) => {
                        check(root, extra, field, at, depth + 1, out)
                    }
                    _ => {}
                }
                at.truncate(len);
            }
        }
        _ => {}
    }
}

fn bound(
    s: &serde_json::Map<String, Value>,
    key: &str,
    actual: usize,
    violated: impl Fn(usize) -> bool,
    what: &str,
    at: &str,
    out: &mut Vec<Violation>,
) {
    if let Some(limit) = s.get(key).and_then(Value::as_u64)
        && violated(limit as usize)
    {
        push(
            out,
            at,
            format!("has {actual} {what}, but `{key}` is {limit}"),
        );
    }
}

fn check_string(
    s: &serde_json::Map<String, Value>,
    text: &str,
    at: &str,
    out: &mut Vec<Violation>,
) {
    let chars = text.chars().count();
    bound(s, "minLength", chars, |m| chars < m, "characters", at, out);
    bound(s, "maxLength", chars, |m| chars > m, "characters", at, out);
    if let Some(pattern) = s.get("pattern").and_then(Value::as_str) {
        // An invalid pattern is the lint's to report, once, at the schema.
        if let Ok(re) = regress::Regex::new(pattern)
            && re.find(text).is_none()
        {
            push(
                out,
                at,
                format!("{} does not match the pattern `{pattern}`", short_str(text)),
            );
        }
    }
    let format = s.get("format").and_then(Value::as_str).unwrap_or("");
    let ok = match format {
        "date-time" => is_date_time(text),
        "date" => is_date(text),
        "uuid" => is_uuid(text),
        "email" => is_email(text),
        "uri" | "url" => is_uri(text),
        "byte" => text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)),
        _ => true,
    };
    if !ok {
        push(
            out,
            at,
            format!("{} is not a valid {format}", short_str(text)),
        );
    }
}

fn check_number(
    s: &serde_json::Map<String, Value>,
    n: &serde_json::Number,
    at: &str,
    out: &mut Vec<Violation>,
) {
    let Some(x) = n.as_f64() else { return };
    let exclusive = |key: &str| s.get(key).and_then(Value::as_bool) == Some(true);
    if let Some(min) = s.get("minimum").and_then(Value::as_f64) {
        let bad = if exclusive("exclusiveMinimum") {
            x <= min
        } else {
            x < min
        };
        if bad {
            push(out, at, format!("{n} is below the minimum {min}"));
        }
    }
    if let Some(max) = s.get("maximum").and_then(Value::as_f64) {
        let bad = if exclusive("exclusiveMaximum") {
            x >= max
        } else {
            x > max
        };
        if bad {
            push(out, at, format!("{n} is above the maximum {max}"));
        }
    }
    if let Some(step) = s.get("multipleOf").and_then(Value::as_f64)
        && step > 0.0
        && (x / step).fract().abs() > f64::EPSILON
    {
        push(out, at, format!("{n} is not a multiple of {step}"));
    }
    let range = match s.get("format").and_then(Value::as_str) {
        Some("int32") => Some((i32::MIN as f64, i32::MAX as f64, "int32")),
        _ => None,
    };
    if let Some((lo, hi, name)) = range
        && (x < lo || x > hi)
    {
        push(out, at, format!("{n} does not fit in {name}"));
    }
}

fn has_type(inst: &Value, typ: &str) -> bool {
    match typ {
        "string" => inst.is_string(),
        "number" => inst.is_number(),
        "integer" => match inst {
            Value::Number(n) => {
                n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            _ => false,
        },
        "boolean" => inst.is_boolean(),
        "object" => inst.is_object(),
        "array" => inst.is_array(),
        // Unknown type names are the lint's business.
        _ => true,
    }
}

fn article(typ: &str) -> String {
    match typ {
        "integer" | "object" | "array" => format!("an {typ}"),
        _ => format!("a {typ}"),
    }
}

/// Equality as JSON Schema means it: `1` and `1.0` are the same number.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn short(v: &Value) -> String {
    match v {
        Value::String(s) => short_str(s),
        other => truncate(&other.to_string()),
    }
}

fn short_str(s: &str) -> String {
    format!("`{}`", truncate(s))
}

/// At most 60 characters of `s`, so that a huge example does not flood the terminal.
fn truncate(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_string()
    }
}

fn digits(s: &str, n: usize) -> Option<u32> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn is_date(s: &str) -> bool {
    let mut parts = s.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let (Some(y), Some(m), Some(d)) = (digits(y, 4), digits(m, 2), digits(d, 2)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// RFC 3339 `date-time`, e.g. `2025-11-21T13:32:16.240Z`.
fn is_date_time(s: &str) -> bool {
    let Some((date, rest)) = s.split_once(['T', 't']) else {
        return false;
    };
    if !is_date(date) {
        return false;
    }
    let (time, offset) = if let Some(t) = rest.strip_suffix(['Z', 'z']) {
        (t, None)
    } else if let Some(i) = rest.rfind(['+', '-']) {
        (&rest[..i], Some(&rest[i + 1..]))
    } else {
        return false;
    };
    let (hms, frac) = match time.split_once('.') {
        Some((hms, frac)) => (hms, Some(frac)),
        None => (time, None),
    };
    if frac.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    let mut hms = hms.split(':');
    let ok_time = matches!(
        (hms.next(), hms.next(), hms.next(), hms.next()),
        (Some(h), Some(m), Some(sec), None)
            if digits(h, 2).is_some_and(|h| h < 24)
                && digits(m, 2).is_some_and(|m| m < 60)
                && digits(sec, 2).is_some_and(|s| s <= 60)
    );
    let ok_offset = offset.is_none_or(|o| {
        matches!(o.split_once(':'), Some((h, m))
            if digits(h, 2).is_some_and(|h| h < 24) && digits(m, 2).is_some_and(|m| m < 60))
    });
    ok_time && ok_offset
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_email(s: &str) -> bool {
    match s.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !s.chars().any(char::is_whitespace)
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }
        None => false,
    }
}

/// An absolute URI: a scheme, a colon, and no whitespace.
fn is_uri(s: &str) -> bool {
    match s.split_once(':') {
        Some((scheme, rest)) => {
            scheme
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !rest.is_empty()
                && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn messages(schema: Value, inst: Value) -> Vec<String> {
        let root = json!({ "components": { "schemas": { "S": schema.clone() } } });
        validate(&root, &json!({"$ref": "#/components/schemas/S"}), &inst)
            .into_iter()
            .map(|v| format!("{}: {}", v.at, v.message))
            .collect()
    }

    #[test]
    fn formats() {
        let s = json!({"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"},
            "at": {"type": "string", "format": "date-time"},
            "mail": {"type": "string", "format": "email"},
            "url": {"type": "string", "format": "uri"}
        }});
        assert!(
            messages(
                s.clone(),
                json!({
                    "id": "0b9b6c1e-8c7d-4a4f-9f0e-1d2c3b4a5f60",
                    "at": "2025-11-21T13:32:16.240Z",
                    "mail": "customer@example.com",
                    "url": "https://example.com/success"
                })
            )
            .is_empty()
        );
        assert_eq!(
            messages(
                s,
                json!({"id": "prod_1234567890abcdef", "at": "2025-02-30T00:00:00Z", "mail": "nope", "url": "/relative"})
            ),
            vec![
                "/id: `prod_1234567890abcdef` is not a valid uuid",
                "/at: `2025-02-30T00:00:00Z` is not a valid date-time",
                "/mail: `nope` is not a valid email",
                "/url: `/relative` is not a valid uri",
            ]
        );
    }

    #[test]
    fn types_bounds_enums_and_required() {
        let s = json!({"type": "object", "required": ["limit"], "additionalProperties": false, "properties": {
            "limit": {"type": "integer", "minimum": 1, "maximum": 100},
            "status": {"type": "string", "enum": ["open", "completed", "expired"]},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 1}
        }});
        assert_eq!(
            messages(
                s.clone(),
                json!({"limit": 0, "status": "paid", "tags": ["a", 1], "x": true})
            ),
            vec![
                "/limit: 0 is below the minimum 1",
                "/status: `paid` is not one of `open`, `completed`, `expired`",
                "/tags: has 2 items, but `maxItems` is 1",
                "/tags/1: expected a string, found a number",
                "/x: unknown property `x` (the schema sets `additionalProperties: false`)",
            ]
        );
        assert_eq!(
            messages(s, json!({})),
            vec![": missing required property `limit`"]
        );
    }

    #[test]
    fn nullable_and_combinators() {
        assert!(messages(json!({"type": "string", "nullable": true}), Value::Null).is_empty());
        assert_eq!(
            messages(json!({"type": "string"}), Value::Null),
            vec![": expected a string, found null (and the schema is not `nullable: true`)"]
        );
        let one = json!({"oneOf": [{"type": "integer"}, {"type": "number"}]});
        assert_eq!(
            messages(one, json!(3)),
            vec![": matches 2 of the 2 `oneOf` alternatives (expected exactly one)"]
        );
    }

    #[test]
    fn self_referencing_schemas_do_not_hang() {
        let root = json!({"components": {"schemas": {"A": {"$ref": "#/components/schemas/A"}}}});
        let v = validate(&root, &json!({"$ref": "#/components/schemas/A"}), &json!(1));
        assert_eq!(v.len(), 1);
        assert!(v[0].message.contains("too deeply"));
    }

    #[test]
    fn date_times() {
        for ok in [
            "2025-11-21T13:32:16Z",
            "2024-02-29T00:00:00+01:00",
            "2025-01-01t10:00:00.5-05:30",
        ] {
            assert!(is_date_time(ok), "{ok}");
        }
        for bad in [
            "2025-11-21",
            "2025-11-21T25:00:00Z",
            "2025-11-21T10:00:00",
            "2023-02-29T00:00:00Z",
            "2025-11-21T10:00:00.Z",
        ] {
            assert!(!is_date_time(bad), "{bad}");
        }
    }
}
