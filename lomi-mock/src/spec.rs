//! What the mock reads of an OpenAPI 3.0 document: its base path, its API key header,
//! and every operation with its parameters, body and responses, schemas compiled.

use std::collections::BTreeMap;

use serde_json::Value;

use lomi_schema::{self as schema, Schema};

/// Where a parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// In the path.
    Path,
    /// In the query string.
    Query,
    /// In a header.
    Header,
}

impl Location {
    /// As lomi.'s validation errors name it.
    pub fn name(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
        }
    }
}

/// One parameter of an operation.
#[derive(Clone, Debug)]
pub struct Parameter {
    /// Its name.
    pub name: String,
    /// Where it goes.
    pub location: Location,
    /// Whether a request must carry it.
    pub required: bool,
    /// Its schema.
    pub schema: Schema,
}

impl Parameter {
    /// The value of the text `raw` as the schema's type says (`"20"` is the integer 20
    /// for an integer parameter), or why it is not one.
    pub fn parse(&self, raw: &str) -> Result<Value, String> {
        let kind = self.schema.source.get("type").and_then(Value::as_str);
        match kind {
            Some("integer") => raw
                .parse::<i64>()
                .map(Value::from)
                .map_err(|_| format!("must be an integer, got {raw:?}")),
            Some("number") => raw
                .parse::<f64>()
                .ok()
                .and_then(|n| serde_json::Number::from_f64(n).map(Value::Number))
                .ok_or_else(|| format!("must be a number, got {raw:?}")),
            Some("boolean") => match raw {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                _ => Err(format!("must be true or false, got {raw:?}")),
            },
            _ => Ok(Value::String(raw.to_string())),
        }
    }

    /// The spec's `default` for the parameter.
    pub fn default(&self) -> Option<&Value> {
        self.schema.source.get("default")
    }
}

/// One operation of the spec.
#[derive(Clone, Debug)]
pub struct Operation {
    /// `operationId`, or `METHOD path` when it has none.
    pub id: String,
    /// The HTTP method, upper case.
    pub method: String,
    /// The path template, e.g. `/checkout_sessions/{session_id}`.
    pub path: String,
    /// The template split at `/`.
    pub segments: Vec<String>,
    /// Path, query and header parameters (path-level ones included).
    pub parameters: Vec<Parameter>,
    /// The JSON request body's schema, and whether the body is required.
    pub body: Option<(Schema, bool)>,
    /// Responses by status (`"200"`, `"4XX"`, `"default"`), with their JSON schema if any.
    pub responses: BTreeMap<String, Option<Schema>>,
    /// Whether a request needs the API key.
    pub secured: bool,
}

impl Operation {
    /// The path parameters of `path` (already stripped of the base path) if it matches
    /// this operation's template.
    pub fn matches(&self, segments: &[&str]) -> Option<Vec<(String, String)>> {
        if segments.len() != self.segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (template, actual) in self.segments.iter().zip(segments) {
            match lomi_schema::path::segment_param(template) {
                Some(name) if !actual.is_empty() => {
                    params.push((name.to_string(), percent_decode(actual)));
                }
                Some(_) => return None,
                None if template == actual => {}
                None => return None,
            }
        }
        Some(params)
    }

    /// The first success status the spec documents (`201` for a create).
    pub fn success_status(&self) -> Option<u16> {
        self.responses
            .keys()
            .filter_map(|s| s.parse::<u16>().ok())
            .find(|s| (200..300).contains(s))
    }

    /// The schema of the response with `status`, as the spec documents it.
    pub fn response(&self, status: u16) -> Option<&Schema> {
        let exact = status.to_string();
        let range = format!("{}XX", status / 100);
        self.responses
            .get(&exact)
            .or_else(|| self.responses.get(&range))
            .or_else(|| self.responses.get("default"))
            .and_then(Option::as_ref)
    }
}

/// What the mock knows of a spec.
#[derive(Clone, Debug)]
pub struct Spec {
    /// The path of the first server's URL (`/v1`), without a trailing `/`.
    pub base_path: String,
    /// The header the API key goes in, if the spec says one.
    pub api_key_header: Option<String>,
    /// Every operation.
    pub operations: Vec<Operation>,
    /// Named schemas by name, translated (`components.schemas`).
    pub schemas: BTreeMap<String, Schema>,
    /// The collection of checkout sessions, found once ([`Spec::sessions_collection`]).
    sessions: String,
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

impl Spec {
    /// The collection of checkout sessions: the one whose last segment is
    /// `checkout_sessions` however the document spells it (`checkout-sessions` in lomi.'s
    /// current one), else `checkout_sessions`.
    pub fn sessions_collection(&self) -> &str {
        &self.sessions
    }

    /// [`Spec::sessions_collection`] of `operations`, read when the spec is.
    fn find_sessions(operations: &[Operation]) -> String {
        operations
            .iter()
            .map(crate::store::collection)
            .find(|c| {
                c.rsplit('/').next().is_some_and(|last| {
                    last.to_lowercase().replace('-', "_") == "checkout_sessions"
                })
            })
            .unwrap_or_else(|| "checkout_sessions".to_string())
    }

    /// Reads an OpenAPI 3.0 document (YAML or JSON). The error names what is wrong and
    /// where.
    pub fn parse(text: &str) -> Result<Spec, String> {
        let document: Value = serde_yaml::from_str(text)
            .map_err(|e| format!("the spec is not valid YAML or JSON: {e}"))?;
        let version = document.get("openapi").and_then(Value::as_str);
        if !version.is_some_and(|v| v.starts_with("3.0")) {
            return Err(format!(
                "`openapi`: the mock reads OpenAPI 3.0 documents, this one says {}",
                version.map_or("nothing".to_string(), |v| format!("{v:?}"))
            ));
        }
        let components = schema::components(&document);
        let base_path = document
            .pointer("/servers/0/url")
            .and_then(Value::as_str)
            .map(server_path)
            .unwrap_or_default();
        let scheme_name = document
            .pointer("/security/0")
            .and_then(Value::as_object)
            .and_then(|m| m.keys().next().cloned());
        let api_key_header = scheme_name.as_ref().and_then(|name| {
            let scheme =
                document.pointer(&format!("/components/securitySchemes/{}", escape(name)))?;
            (scheme.get("type")? == "apiKey" && scheme.get("in")? == "header")
                .then(|| scheme.get("name")?.as_str().map(str::to_string))?
        });

        let mut schemas = BTreeMap::new();
        if let Some(Value::Object(named)) = document.pointer("/components/schemas") {
            for (name, s) in named {
                let at = format!("components.schemas.{name}");
                schemas.insert(name.clone(), Schema::compile(s, &components, &at)?);
            }
        }

        let mut operations = Vec::new();
        let reader = Reader {
            document: &document,
            components: &components,
            secured_by_default: scheme_name.is_some(),
        };
        let paths = match document.get("paths") {
            Some(Value::Object(paths)) => paths,
            Some(_) => return Err("`paths` must be an object".into()),
            None => return Err("the spec has no `paths`".into()),
        };
        for (path, item) in paths {
            let item = resolve(&document, item, &format!("paths.{path}"))?;
            let shared = item.get("parameters").cloned().unwrap_or(Value::Null);
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                operations.push(reader.operation(path, method, op, &shared)?);
            }
        }
        Ok(Spec {
            base_path,
            api_key_header,
            sessions: Spec::find_sessions(&operations),
            operations,
            schemas,
        })
    }
}

/// What reading each operation needs of the whole document.
struct Reader<'a> {
    document: &'a Value,
    components: &'a Value,
    /// Whether an operation without its own `security` needs the key.
    secured_by_default: bool,
}

impl Reader<'_> {
    /// The operation `method` of the path `path`, whose path item's parameters are
    /// `shared`.
    fn operation(
        &self,
        path: &str,
        method: &str,
        op: &Value,
        shared: &Value,
    ) -> Result<Operation, String> {
        let at = format!("paths.{path}.{method}");
        let parameters = self.parameters(path, &at, op, shared)?;
        let body = self.body(op, &at)?;
        let responses = self.responses(op, &at)?;
        let secured = match op.get("security") {
            Some(Value::Array(list)) => !list.is_empty(),
            _ => self.secured_by_default,
        };
        Ok(Operation {
            id: op.get("operationId").and_then(Value::as_str).map_or_else(
                || format!("{} {path}", method.to_uppercase()),
                str::to_string,
            ),
            method: method.to_uppercase(),
            path: path.to_string(),
            segments: path
                .trim_matches('/')
                .split('/')
                .map(str::to_string)
                .collect(),
            parameters,
            body,
            responses,
            secured,
        })
    }

    /// The operation's parameters: the path item's, then its own (which replace the
    /// path item's of the same name and place).
    fn parameters(
        &self,
        path: &str,
        at: &str,
        op: &Value,
        shared: &Value,
    ) -> Result<Vec<Parameter>, String> {
        let mut parameters: Vec<Parameter> = Vec::new();
        let lists = [shared, op.get("parameters").unwrap_or(&Value::Null)];
        for (i, list) in lists.into_iter().enumerate() {
            let Value::Array(list) = list else { continue };
            for (j, p) in list.iter().enumerate() {
                let where_ = if i == 0 {
                    format!("paths.{path}.parameters[{j}]")
                } else {
                    format!("{at}.parameters[{j}]")
                };
                let p = resolve(self.document, p, &where_)?;
                let name = p
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("{where_}: a parameter has no `name`"))?;
                let location = match p.get("in").and_then(Value::as_str) {
                    Some("path") => Location::Path,
                    Some("query") => Location::Query,
                    Some("header") => Location::Header,
                    // Cookies are not part of lomi.'s API; the mock does not check them.
                    Some("cookie") => continue,
                    other => return Err(format!("{where_}: `in` is {other:?}")),
                };
                let schema = p
                    .get("schema")
                    .cloned()
                    .unwrap_or_else(|| Value::Object(Default::default()));
                let parameter = Parameter {
                    name: name.to_string(),
                    location,
                    required: location == Location::Path
                        || p.get("required").and_then(Value::as_bool).unwrap_or(false),
                    schema: Schema::compile(&schema, self.components, &format!("{where_}.schema"))?,
                };
                // An operation's own parameter replaces the path's one of the same name.
                parameters.retain(|q| !(q.name == parameter.name && q.location == location));
                parameters.push(parameter);
            }
        }
        Ok(parameters)
    }

    /// The JSON request body's schema and whether it is required, if there is one.
    fn body(&self, op: &Value, at: &str) -> Result<Option<(Schema, bool)>, String> {
        let body = match op.get("requestBody") {
            Some(b) => {
                let b = resolve(self.document, b, &format!("{at}.requestBody"))?;
                let required = b.get("required").and_then(Value::as_bool).unwrap_or(false);
                match json_schema(b) {
                    Some(s) => Some((
                        Schema::compile(s, self.components, &format!("{at}.requestBody"))?,
                        required,
                    )),
                    None => None,
                }
            }
            None => None,
        };
        Ok(body)
    }

    /// Each documented status's JSON schema, by status (`200`, `4XX`, `DEFAULT`).
    fn responses(&self, op: &Value, at: &str) -> Result<BTreeMap<String, Option<Schema>>, String> {
        let mut responses = BTreeMap::new();
        if let Some(Value::Object(map)) = op.get("responses") {
            for (status, r) in map {
                let where_ = format!("{at}.responses.{status}");
                let r = resolve(self.document, r, &where_)?;
                let schema = match json_schema(r) {
                    Some(s) => Some(Schema::compile(s, self.components, &where_)?),
                    None => None,
                };
                responses.insert(status.to_uppercase(), schema);
            }
        }
        Ok(responses)
    }
}

/// The `application/json` schema of a request body or response.
fn json_schema(object: &Value) -> Option<&Value> {
    let content = object.get("content")?.as_object()?;
    content
        .iter()
        .find(|(media, _)| media.starts_with("application/json") || media.ends_with("+json"))
        .and_then(|(_, m)| m.get("schema"))
}

/// Follows a local `$ref` (and a chain of them), as the generator does.
fn resolve<'a>(document: &'a Value, value: &'a Value, at: &str) -> Result<&'a Value, String> {
    lomi_schema::refs::follow(document, value).map_err(|e| format!("{at}: {e}"))
}

/// The path part of a server URL, with variables left as they are.
fn server_path(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = if url.contains("://") {
        rest.find('/').map_or("", |i| &rest[i..])
    } else {
        rest
    };
    path.trim_end_matches('/').to_string()
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// `%XX` sequences of a path segment decoded (invalid ones kept as they are; bytes
/// that are not UTF-8 replaced).
pub(crate) fn percent_decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOMI: &str = include_str!("../spec/lomi.yaml");

    /// What the mock reads of the spec it ships, checked against the document itself, so
    /// that the test holds for whichever document the spec is derived from (servers with
    /// or without `/v1`, any operationIds and paths).
    #[test]
    fn reads_lomi_spec() {
        let spec = Spec::parse(LOMI).unwrap();
        let document: Value = serde_yaml::from_str(LOMI).unwrap();
        let first_server = document.pointer("/servers/0/url").and_then(Value::as_str);
        assert_eq!(spec.base_path, server_path(first_server.unwrap()));
        assert_eq!(spec.api_key_header.as_deref(), Some("X-API-KEY"));
        let mut ids: Vec<_> = spec.operations.iter().map(|o| o.id.as_str()).collect();
        ids.sort();
        let mut documented: Vec<&str> = document["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .filter_map(|op| op.get("operationId")?.as_str())
            .collect();
        documented.sort();
        assert_eq!(ids, documented);
        // The retrieve: a GET whose last segment is its one path parameter.
        let retrieve = spec
            .operations
            .iter()
            .find(|o| {
                o.method == "GET"
                    && o.segments.iter().filter(|s| s.starts_with('{')).count() == 1
                    && o.segments.last().is_some_and(|s| s.starts_with('{'))
            })
            .unwrap();
        let mut segments: Vec<&str> = retrieve.segments.iter().map(String::as_str).collect();
        let name = segments.pop().unwrap().trim_matches(['{', '}']).to_string();
        let collection = segments.clone();
        segments.push("a%2Fb");
        assert_eq!(
            retrieve.matches(&segments),
            Some(vec![(name, "a/b".into())])
        );
        assert_eq!(retrieve.matches(&collection), None);
        assert!(retrieve.response(200).is_some());
        // A documented status without a body has no schema.
        for op in &spec.operations {
            for (status, schema) in &op.responses {
                let response =
                    &document["paths"][&op.path][op.method.to_lowercase()]["responses"][status];
                let response = match response.get("$ref").and_then(Value::as_str) {
                    Some(r) => document.pointer(&r[1..]).unwrap(),
                    None => response,
                };
                let documented = response
                    .pointer("/content/application~1json/schema")
                    .is_some();
                assert_eq!(schema.is_some(), documented, "{} {status}", op.id);
            }
        }
    }

    #[test]
    fn reads_lomi_whole_published_document() {
        let spec = Spec::parse(include_str!("../../spec/upstream.yaml")).unwrap();
        assert!(spec.operations.len() > 50, "{}", spec.operations.len());
    }

    #[test]
    fn broken_specs_say_where() {
        assert!(
            Spec::parse("openapi: 2.0\n")
                .unwrap_err()
                .contains("OpenAPI 3.0")
        );
        let e = Spec::parse(
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      parameters:\n      - $ref: '#/components/parameters/nope'\n      responses: {}\n",
        )
        .unwrap_err();
        assert!(e.contains("paths./a.get.parameters[0]"), "{e}");
        assert!(e.contains("#/components/parameters/nope"), "{e}");
    }

    #[test]
    fn server_paths() {
        assert_eq!(server_path("https://api.lomi.africa/v1/"), "/v1");
        assert_eq!(server_path("https://api.lomi.africa"), "");
        assert_eq!(server_path("/api"), "/api");
        assert_eq!(percent_decode("a%20b%zz%"), "a b%zz%");
    }
}
