//! Stage 1: spec text in, a typed OpenAPI 3.0 document out (or diagnostics).

use openapiv3::OpenAPI;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::diagnostic::{Code, Diagnostic, pointer, unescape_token};
use crate::spec::model::METHODS;
use crate::spec::source_map::SourceMap;

/// A spec that parsed, with what is needed to point back into its text.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The file name diagnostics and the generated header use.
    pub file: String,
    /// The document as plain JSON, for checks that walk every node.
    pub value: Value,
    /// The document as typed OpenAPI.
    pub spec: OpenAPI,
    /// Lines of the document's nodes.
    pub map: SourceMap,
    /// Lowercase hex SHA-256 of the text, stamped into generated files.
    pub sha256: String,
}

impl Loaded {
    /// An error diagnostic at `pointer` in this spec.
    pub fn report(
        &self,
        code: Code,
        pointer: String,
        message: String,
        help: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            code,
            file: self.file.clone(),
            line: self.map.line_of(&pointer),
            pointer,
            message,
            help: help.into(),
        }
    }
}

/// One error at `pointer` (or `line`) of the spec `file`, for a stage that stops at it.
struct Stop<'a> {
    file: &'a str,
    map: &'a SourceMap,
}

impl Stop<'_> {
    fn at(
        &self,
        code: Code,
        pointer: String,
        line: Option<usize>,
        message: String,
        help: &str,
    ) -> Vec<Diagnostic> {
        vec![Diagnostic {
            code,
            file: self.file.to_string(),
            line: line.or_else(|| self.map.line_of(&pointer)),
            pointer,
            message,
            help: help.to_string(),
        }]
    }
}

/// Parses `text` (YAML or JSON) named `file` into a [`Loaded`] spec: the text as a
/// value without duplicate keys (`parse`), a mapping with an OpenAPI 3.0 version
/// (`check_version`), and the typed document (`typed`).
pub fn load(file: &str, text: &str) -> Result<Loaded, Vec<Diagnostic>> {
    let map = SourceMap::build(text);
    let stop = Stop { file, map: &map };
    let value = parse(text, &stop)?;
    let Some(root) = value.as_object() else {
        return Err(stop.at(
            Code::NotAMapping,
            String::new(),
            Some(1),
            format!(
                "the spec must be a mapping at its top level, found {}",
                kind_of(&value)
            ),
            "start the file with `openapi: 3.0.3`, `info:` and `paths:`",
        ));
    };
    check_version(root, &stop)?;
    let spec = typed(text, &value, &stop)?;
    let sha256 = Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Loaded {
        file: file.to_string(),
        value,
        spec,
        map,
        sha256,
    })
}

/// `text` as a JSON value, refused when it is not YAML or repeats a key.
fn parse(text: &str, stop: &Stop<'_>) -> Result<Value, Vec<Diagnostic>> {
    let value: Value = match serde_yaml::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let line = e.location().map(|l| l.line());
            return Err(stop.at(
                Code::NotYaml,
                String::new(),
                line,
                format!("the spec is not valid YAML or JSON: {e}"),
                "fix the syntax at this line (indentation, quoting, an unclosed bracket)",
            ));
        }
    };

    if !stop.map.duplicates().is_empty() {
        return Err(stop
            .map
            .duplicates()
            .iter()
            .map(|d| Diagnostic {
                code: Code::DuplicateKey,
                file: stop.file.to_string(),
                line: Some(d.line),
                pointer: d.pointer.clone(),
                message: format!(
                    "duplicate key `{}` (first at line {}); YAML keeps only the last one",
                    unescape_token(d.pointer.rsplit('/').next().unwrap_or_default()),
                    d.first_line
                ),
                help: "remove one of the two, or merge them".into(),
            })
            .collect());
    }

    Ok(value)
}

/// Refuses a document that is not OpenAPI 3.0.x, saying what it is instead.
fn check_version(
    root: &serde_json::Map<String, Value>,
    stop: &Stop<'_>,
) -> Result<(), Vec<Diagnostic>> {
    match root.get("openapi") {
        Some(Value::String(v)) if v.trim().starts_with("3.0.") => {}
        Some(Value::String(v)) if v.trim().starts_with("3.1") => {
            return Err(stop.at(
                Code::OpenApi31,
                "/openapi".into(),
                None,
                format!("OpenAPI {v} is not supported: the generator reads OpenAPI 3.0.x only"),
                "convert the document to 3.0.3 (`nullable: true` instead of `type: [T, 'null']`, \
                 `example` instead of `examples` in schemas, no `webhooks`) and set `openapi: 3.0.3`",
            ));
        }
        Some(v) => {
            return Err(stop.at(
                Code::UnsupportedVersion,
                "/openapi".into(),
                None,
                format!("unsupported OpenAPI version {v}: the generator reads OpenAPI 3.0.x only"),
                "set `openapi: 3.0.3` (a quoted string) and make the document follow OpenAPI 3.0",
            ));
        }
        None if root.contains_key("swagger") => {
            return Err(stop.at(
                Code::Swagger2,
                "/swagger".into(),
                None,
                "this is a Swagger 2.0 document; OpenAPI 3.0.x is required".into(),
                "convert it to OpenAPI 3.0.3 (e.g. with swagger2openapi) and check it in instead",
            ));
        }
        None => {
            return Err(stop.at(
                Code::NoVersion,
                String::new(),
                Some(1),
                "the spec has no `openapi` version field".into(),
                "add `openapi: 3.0.3` at the top of the file",
            ));
        }
    }

    Ok(())
}

/// The typed document, or where and why it does not follow the OpenAPI 3.0 schema.
fn typed(text: &str, value: &Value, stop: &Stop<'_>) -> Result<OpenAPI, Vec<Diagnostic>> {
    // Typed straight from the text, so that every map keeps the document's order (the
    // JSON value's maps are sorted); the value is only used to locate a failure.
    let typed: Result<OpenAPI, _> = serde_yaml::from_str(text);
    let spec: OpenAPI = match typed.or_else(|_| attempt::<OpenAPI>(value)) {
        Ok(spec) => spec,
        Err((mut tokens, mut why)) => {
            // openapiv3 flattens extensions into paths, operations and responses, which
            // hides the path below them; retry those parts one by one to find the node.
            let start: &[&str] = match tokens.first().map(String::as_str) {
                Some("paths") => &["paths"],
                Some("components") if tokens.get(1).map(String::as_str) == Some("schemas") => {
                    &["components", "schemas"]
                }
                _ => &[],
            };
            let kind = if start.len() == 1 {
                Kind::Paths
            } else {
                Kind::Schemas
            };
            if !start.is_empty()
                && let Some(part) = value.pointer(&pointer(start))
                && let Some((sub, sub_why)) = refine(part, kind)
            {
                tokens = start.iter().map(|t| t.to_string()).chain(sub).collect();
                why = sub_why;
            }
            let mut at = pointer(&tokens);
            let mut help = "compare this node with the OpenAPI 3.0.3 specification; a wrong \
                            type, a misspelled key or a missing required field is the usual cause";
            // The most common 3.1-ism inside an otherwise 3.0 document.
            if value
                .pointer(&at)
                .and_then(|n| n.get("type"))
                .is_some_and(Value::is_array)
            {
                at.push_str("/type");
                why = "`type` must be one name in OpenAPI 3.0, not a list".into();
                help =
                    "write a single type; for `[T, 'null']` write `type: T` and `nullable: true`";
            }
            return Err(stop.at(
                Code::NotOpenApi30,
                at.clone(),
                None,
                format!(
                    "the spec does not follow the OpenAPI 3.0 schema at {}: {why}",
                    if at.is_empty() { "#" } else { &at },
                ),
                help,
            ));
        }
    };

    Ok(spec)
}

/// Deserializes `value` as `T`, or says where (as pointer tokens) and why it failed.
pub(crate) fn attempt<T: serde::de::DeserializeOwned>(
    value: &Value,
) -> Result<T, (Vec<String>, String)> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let tokens = e
            .path()
            .iter()
            .filter_map(|segment| match segment {
                serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
                serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                _ => None,
            })
            .collect();
        (tokens, e.into_inner().to_string())
    })
}

/// The parts of a document under `paths`, by how they deserialize.
#[derive(Clone, Copy)]
enum Kind {
    Paths,
    PathItem,
    Operation,
    Parameters,
    Parameter,
    RequestBody,
    Responses,
    Response,
    Schemas,
    Schema,
    SchemaList,
}

/// Finds the innermost part of `value` (a node of kind `kind`) that fails to deserialize.
fn refine(value: &Value, kind: Kind) -> Option<(Vec<String>, String)> {
    use openapiv3::{
        Operation, Parameter, PathItem, ReferenceOr, RequestBody, Response, Responses,
    };
    let whole = match kind {
        Kind::Paths => attempt::<openapiv3::Paths>(value).err(),
        Kind::PathItem => attempt::<ReferenceOr<PathItem>>(value).err(),
        Kind::Operation => attempt::<Operation>(value).err(),
        Kind::Parameters => attempt::<Vec<ReferenceOr<Parameter>>>(value).err(),
        Kind::Parameter => attempt::<ReferenceOr<Parameter>>(value).err(),
        Kind::RequestBody => attempt::<ReferenceOr<RequestBody>>(value).err(),
        Kind::Responses => attempt::<Responses>(value).err(),
        Kind::Response => attempt::<ReferenceOr<Response>>(value).err(),
        Kind::Schemas => {
            attempt::<indexmap::IndexMap<String, ReferenceOr<openapiv3::Schema>>>(value).err()
        }
        Kind::Schema => attempt::<ReferenceOr<openapiv3::Schema>>(value).err(),
        Kind::SchemaList => attempt::<Vec<ReferenceOr<openapiv3::Schema>>>(value).err(),
    }?;
    let child_kind = |key: &str| match (kind, key) {
        (Kind::Paths, k) if !k.starts_with("x-") => Some(Kind::PathItem),
        (Kind::PathItem, k) if METHODS.contains(&k) => Some(Kind::Operation),
        (Kind::PathItem | Kind::Operation, "parameters") => Some(Kind::Parameters),
        (Kind::Operation, "requestBody") => Some(Kind::RequestBody),
        (Kind::Operation, "responses") => Some(Kind::Responses),
        (Kind::Responses, k) if !k.starts_with("x-") => Some(Kind::Response),
        (Kind::Parameters, _) => Some(Kind::Parameter),
        (Kind::Schemas, _) => Some(Kind::Schema),
        (Kind::Schema, "properties") => Some(Kind::Schemas),
        (Kind::Schema, "items" | "not") => Some(Kind::Schema),
        (Kind::Schema, "additionalProperties") if value.get(key).is_some_and(Value::is_object) => {
            Some(Kind::Schema)
        }
        (Kind::Schema, "allOf" | "anyOf" | "oneOf") => Some(Kind::SchemaList),
        (Kind::SchemaList, _) => Some(Kind::Schema),
        _ => None,
    };
    let children: Vec<(String, &Value)> = match value {
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => Vec::new(),
    };
    for (key, child) in children {
        if let Some(sub_kind) = child_kind(&key)
            && let Some((mut tokens, why)) = refine(child, sub_kind)
        {
            tokens.insert(0, key);
            return Some((tokens, why));
        }
    }
    Some(whole)
}

/// A short name for the JSON type of `value`, for messages.
pub fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a sequence",
        Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_err(text: &str) -> Diagnostic {
        let mut diags = load("t.yaml", text).expect_err("should not load");
        assert_eq!(diags.len(), 1, "{diags:?}");
        diags.remove(0)
    }

    #[test]
    fn a_minimal_spec_loads_and_is_fingerprinted() {
        let loaded = load(
            "t.yaml",
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n",
        )
        .unwrap();
        assert_eq!(loaded.spec.info.title, "t");
        assert_eq!(loaded.sha256.len(), 64);
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let d = load_err("openapi: 3.0.3\ninfo:\n  title: [unclosed\n");
        assert_eq!(d.line, Some(4), "{d}");
        assert!(
            d.message.starts_with("the spec is not valid YAML or JSON"),
            "{d}"
        );
    }

    #[test]
    fn openapi_31_is_refused_with_what_to_do() {
        let d = load_err("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n");
        assert_eq!((d.line, d.pointer.as_str()), (Some(1), "/openapi"));
        assert!(d.help.contains("convert the document to 3.0.3"), "{d}");
    }

    #[test]
    fn wrong_types_are_located_by_pointer() {
        let d = load_err(
            "openapi: 3.0.3\ninfo:\n  title: t\n  version: '1'\npaths:\n  /x:\n    get:\n      responses: 7\n",
        );
        assert_eq!(d.pointer, "/paths/~1x/get/responses");
        assert_eq!(d.line, Some(8));
    }

    #[test]
    fn a_scalar_document_is_refused() {
        let d = load_err("just text\n");
        assert!(d.message.contains("found a string"), "{d}");
    }
}
