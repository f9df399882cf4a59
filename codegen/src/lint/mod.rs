//! Stage 2: find what the generator cannot take (or would take wrongly) before it runs.
//!
//! progenitor asserts, `todo!()`s or silently misbehaves on a number of legal-looking
//! documents; every such construct is caught here and explained with its location.

use std::collections::{BTreeSet, HashMap};

use openapiv3::{
    Components, Parameter, ParameterSchemaOrContent, ReferenceOr, RequestBody, Response, StatusCode,
};
use serde_json::Value;

use crate::diagnostic::{Code, Diagnostic, escape_token, pointer, unescape_token};
use crate::spec::load::Loaded;
use crate::spec::model::{Model, Operation, has_explicit_success, is_error, is_success};
use crate::spec::refs::resolve as resolve_item;
/// A local `$ref` (`#/...`) resolved in the document `root`.
fn resolve<'v>(root: &'v Value, reference: &str) -> Option<&'v Value> {
    lomi_schema::refs::pointer(root, reference).ok()
}

/// The schema types of OpenAPI 3.0.
const SCHEMA_TYPES: [&str; 6] = ["string", "number", "integer", "boolean", "object", "array"];

/// Request and response content types the generated client can handle.
const BODY_TYPES: [&str; 5] = [
    "application/json",
    "application/x-www-form-urlencoded",
    "application/octet-stream",
    "text/plain",
    "text/x-markdown",
];

/// Every problem in `loaded` (whose document `model` lowers), sorted by line.
/// Generation may go on only if none of them is an error.
pub fn lint<'a>(loaded: &'a Loaded, model: &'a Model<'a>) -> Vec<Diagnostic> {
    let mut lint = Lint {
        loaded,
        model,
        out: Vec::new(),
        cycles: BTreeSet::new(),
        components: None,
        validators: HashMap::new(),
    };
    lint.references(&loaded.value, &mut String::new());
    lint.operations();
    lint.aliases();
    lint.rust_names();
    lint.examples();
    // Top to bottom, as a maintainer reads the file (checks run in their own order).
    lint.out
        .sort_by(|a, b| (a.line, &a.pointer).cmp(&(b.line, &b.pointer)));
    lint.out
}

struct Lint<'a> {
    loaded: &'a Loaded,
    /// `loaded`'s document, lowered (by [`crate::generate`], once).
    model: &'a Model<'a>,
    out: Vec<Diagnostic>,
    /// Reference cycles already reported, by their sorted members.
    cycles: BTreeSet<Vec<String>>,
    /// `components`, as JSON Schema, once an example needs them.
    components: Option<Value>,
    /// A validator per schema an example or default is checked against (`None`: it does
    /// not compile, as with a dangling `$ref`, which is reported on its own).
    validators: HashMap<String, Option<lomi_schema::Schema>>,
}

impl<'a> Lint<'a> {
    fn report(&mut self, code: Code, pointer: String, message: String, help: impl Into<String>) {
        let d = self.loaded.report(code, pointer, message, help);
        self.out.push(d);
    }

    fn components(&self) -> Option<&'a Components> {
        self.loaded.spec.components.as_ref()
    }

    // ---- references ------------------------------------------------------------------

    fn references(&mut self, node: &Value, at: &mut String) {
        match node {
            Value::Object(map) => {
                if let Some(target) = map.get("$ref") {
                    let here = format!("{at}/$ref");
                    self.reference(target, here);
                }
                for (key, child) in map {
                    // Examples are data, not spec: a `$ref` key inside one means nothing.
                    if key == "example" || (key == "$ref" && child.is_string()) {
                        continue;
                    }
                    let len = at.len();
                    at.push('/');
                    at.push_str(&escape_token(key));
                    self.references(child, at);
                    at.truncate(len);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    let len = at.len();
                    at.push_str(&format!("/{i}"));
                    self.references(child, at);
                    at.truncate(len);
                }
            }
            _ => {}
        }
    }

    fn reference(&mut self, target: &Value, here: String) {
        let root = &self.loaded.value;
        let Some(reference) = target.as_str() else {
            self.report(
                Code::RefNotString,
                here,
                format!("`$ref` must be a string, found {target}"),
                "write the reference as a quoted string, e.g. '#/components/schemas/Error'",
            );
            return;
        };
        if !reference.starts_with("#/") {
            self.report(
                Code::ExternalRef,
                here,
                format!("external reference `{reference}` is not supported"),
                "the generator reads one self-contained document: copy the referenced \
                 definition under `components` and point to it with `#/components/...`",
            );
            return;
        }
        // Follow a chain of references to its end, watching for cycles.
        let mut seen = vec![reference.to_string()];
        let mut current = reference.to_string();
        loop {
            let Some(found) = resolve(root, &current) else {
                let (section, name) = current
                    .rsplit_once('/')
                    .map_or(("", current.as_str()), |(s, n)| (s, n));
                self.report(
                    Code::DanglingRef,
                    here,
                    format!("`$ref` points to `{current}`, which does not exist"),
                    format!(
                        "define `{}` under `{}`, or fix the reference's spelling",
                        unescape_token(name),
                        section.trim_start_matches("#/")
                    ),
                );
                return;
            };
            match found.get("$ref").and_then(Value::as_str) {
                Some(next) if next.starts_with("#/") => {
                    if seen.iter().any(|s| s == next) {
                        // Report each cycle once, at its first reference in the document.
                        let mut members: Vec<String> = seen.clone();
                        members.sort();
                        if !self.cycles.insert(members) {
                            return;
                        }
                        seen.push(next.to_string());
                        self.report(
                            Code::RefCycle,
                            here,
                            format!("reference cycle: {}", seen.join(" → ")),
                            "one of these definitions must be an actual schema, not only a \
                             `$ref` to another",
                        );
                        return;
                    }
                    seen.push(next.to_string());
                    current = next.to_string();
                }
                _ => return,
            }
        }
    }

    // ---- x-lomi-rust-name ----------------------------------------------------------

    /// `x-lomi-rust-name` is a Rust name of the case its place calls for: snake case on an
    /// operation, a parameter or a property, Pascal case on a schema; anywhere else no
    /// Rust item takes it.
    fn rust_names(&mut self) {
        const KEY: &str = crate::spec::naming::RUST_NAME_EXTENSION;
        let root = &self.loaded.value;
        let found = pins(root);
        let mut everywhere = Vec::new();
        every_pin(root, &mut Vec::new(), &mut everywhere);
        for at in everywhere {
            if found.iter().any(|(f, _, _)| *f == at) {
                continue;
            }
            self.report(
                Code::RustNameNowhere,
                at,
                format!("no Rust item takes the name `{KEY}` gives here"),
                "a pin goes on an operation (its method), a parameter (its setter), a \
                 schema of `components/schemas` (its type), one of its properties (the \
                 field), or an inline JSON request body or success response schema (its \
                 type); to name a nested inline schema, move it to `components/schemas` and \
                 pin it there"
                    .to_string(),
            );
        }
        for (at, value, pascal) in found {
            let name = value.as_str().unwrap_or_default();
            let (case, sanitized) = if pascal {
                (
                    "Pascal case (`CheckoutSessions`)",
                    crate::spec::naming::sanitize_pascal(name),
                )
            } else {
                (
                    "snake case (`session_id`)",
                    crate::spec::naming::sanitize_snake(name),
                )
            };
            if name.is_empty() || sanitized != name {
                let help = if name.is_empty() {
                    let example = if pascal {
                        "CheckoutSessions"
                    } else {
                        "session_id"
                    };
                    format!("write the Rust name as text, e.g. `{KEY}: {example}`")
                } else {
                    format!("write `{KEY}: {sanitized}`")
                };
                self.report(
                    Code::BadRustName,
                    at,
                    format!("`{KEY}` must be a Rust name in {case}, found {value}"),
                    help,
                );
            }
        }
    }

    // ---- x-lomi-aliases --------------------------------------------------------------

    /// `x-lomi-aliases` on a component's property: a list of other names, none of them
    /// another property's, on an optional inline property (a required one cannot fall
    /// back, and a `$ref`'s siblings are dropped by the parser).
    fn aliases(&mut self) {
        const KEY: &str = crate::spec::naming::ALIASES_EXTENSION;
        let loaded = self.loaded;
        let Some(Value::Object(schemas)) = loaded
            .value
            .get("components")
            .and_then(|c| c.get("schemas"))
        else {
            return;
        };
        for (name, schema) in schemas {
            let Some(Value::Object(properties)) = schema.get("properties") else {
                continue;
            };
            let required = lomi_schema::required(schema);
            for (property, value) in properties {
                let Some(aliases) = value.get(KEY) else {
                    continue;
                };
                let at = pointer(["components", "schemas", name, "properties", property, KEY]);
                let list: Option<Vec<&str>> = aliases
                    .as_array()
                    .and_then(|a| a.iter().map(Value::as_str).collect())
                    .filter(|l: &Vec<&str>| !l.is_empty() && l.iter().all(|s| !s.is_empty()));
                let Some(list) = list else {
                    self.report(
                        Code::AliasNotList,
                        at,
                        format!(
                            "`{KEY}` of `{name}.{property}` must be a non-empty list of names, found {aliases}"
                        ),
                        format!(
                            "write the other wire names of `{property}` as a list, e.g. `{KEY}: [url]`"
                        ),
                    );
                    continue;
                };
                if value.get("$ref").is_some() {
                    self.report(
                        Code::AliasBesideRef,
                        at,
                        format!(
                            "`{KEY}` sits beside a `$ref` in `{name}.{property}`, where it is ignored"
                        ),
                        "wrap the reference (`allOf: [{$ref: …}]`) and put the extension beside `allOf`",
                    );
                    continue;
                }
                if required.contains(&property.as_str()) {
                    self.report(
                        Code::AliasOnRequired,
                        at.clone(),
                        format!(
                            "`{name}.{property}` is required, so it cannot fall back on `{}`",
                            list.join("`, `")
                        ),
                        format!("make `{property}` optional, or drop `{KEY}`"),
                    );
                }
                for alias in list {
                    if alias == property || properties.contains_key(alias) {
                        self.report(
                            Code::AliasShadowsProperty,
                            at.clone(),
                            format!(
                                "`{alias}`, an alias of `{name}.{property}`, is a property of `{name}` too"
                            ),
                            "an alias names a property the schema does not declare; drop it or the property",
                        );
                    }
                }
            }
        }
    }

    // ---- operations ------------------------------------------------------------------

    fn operations(&mut self) {
        // openapiv3 silently drops `paths` keys that do not start with `/`.
        if let Some(Value::Object(paths)) = self.loaded.value.get("paths") {
            for path in paths
                .keys()
                .filter(|p| !p.starts_with('/') && !p.starts_with("x-"))
            {
                self.report(
                    Code::PathWithoutSlash,
                    pointer(["paths", path.as_str()]),
                    format!("path `{path}` does not start with `/`, so it would be ignored"),
                    format!("write it as `/{path}`"),
                );
            }
        }
        for (path, item) in self.loaded.spec.paths.paths.iter() {
            if let ReferenceOr::Reference { .. } = item {
                self.report(
                    Code::PathItemRef,
                    pointer(["paths", path.as_str()]),
                    format!(
                        "path `{path}` is a `$ref`; the generator does not follow path-item references"
                    ),
                    "write the path item inline under `paths`",
                );
            }
        }
        let model = self.model;
        let mut ids: HashMap<String, (String, String)> = HashMap::new();
        for op in &model.operations {
            self.operation_id(op, &mut ids);
            self.parameters(op);
            if let Some(body) = &op.op.request_body {
                self.request_body(op, body);
            }
            self.responses(op);
        }
    }

    fn operation_id(&mut self, op: &Operation, ids: &mut HashMap<String, (String, String)>) {
        let Some(id) = op.op.operation_id.as_deref() else {
            self.report(
                Code::NoOperationId,
                op.pointer.clone(),
                format!("operation `{}` has no operationId", op.label),
                "add `operationId: <lowerCamelCase name>`; it names the client method (e.g. \
                 `listCheckoutSessions` becomes `list_checkout_sessions()`)",
            );
            return;
        };
        let here = format!("{}/operationId", op.pointer);
        if id.trim().is_empty() || !id.chars().any(|c| c.is_ascii_alphabetic()) {
            self.report(
                Code::BadOperationId,
                here,
                format!(
                    "operationId `{id}` of `{}` cannot name a Rust method",
                    op.label
                ),
                "use a lowerCamelCase name made of letters and digits",
            );
            return;
        }
        // The plan's one naming rule turns ids into method names: `listX` and `list_x`
        // collide.
        let method_name = crate::spec::naming::sanitize_snake(id);
        if let Some((first_id, first_ptr)) = ids.get(&method_name) {
            let what = if first_id == id {
                format!("duplicate operationId `{id}`")
            } else {
                format!("operationId `{id}` gives the same Rust method name as `{first_id}`")
            };
            self.report(
                Code::DuplicateOperationId,
                here,
                format!("{what}: already used by {first_ptr}"),
                "operationIds must be unique: rename one of the two operations",
            );
        } else {
            ids.insert(method_name, (id.to_string(), here));
        }
    }

    fn parameters(&mut self, op: &Operation) {
        // Long: one check per rule a parameter must follow (place, style, template, content), each a few lines.
        // Operation-level parameters override path-level ones of the same name and place
        // (the model merges them).
        let merged: Vec<(String, &Parameter)> = op
            .params
            .iter()
            .map(|p| (p.pointer.clone(), p.param))
            .collect();

        let template = match crate::spec::model::template_names(op.path) {
            Ok(names) => names,
            Err(why) => {
                self.report(
                    Code::MalformedPathTemplate,
                    pointer(["paths", op.path]),
                    format!("path template `{}` is malformed: {why}", op.path),
                    "write path parameters as `{name}`, each closed and non-empty",
                );
                return;
            }
        };

        let mut declared = BTreeSet::new();
        for (here, param) in &merged {
            let data = param.parameter_data_ref();
            match param {
                Parameter::Path { style, .. } => {
                    declared.insert(data.name.clone());
                    if !template.contains(&data.name) {
                        self.report(
                            Code::PathParamNotInTemplate,
                            here.clone(),
                            format!(
                                "path parameter `{}` of `{}` is missing from the path template",
                                data.name, op.label
                            ),
                            format!(
                                "add `{{{}}}` to the path, or declare the parameter `in: query`",
                                data.name
                            ),
                        );
                    }
                    if !data.required {
                        self.report(
                            Code::PathParamNotRequired,
                            here.clone(),
                            format!(
                                "path parameter `{}` is not marked `required: true`",
                                data.name
                            ),
                            "path parameters are always required: add `required: true`",
                        );
                    }
                    if *style != openapiv3::PathStyle::Simple {
                        self.report(
                            Code::PathParamStyle,
                            here.clone(),
                            format!("path parameter `{}` uses style `{style:?}`", data.name),
                            "only the default `style: simple` is supported: remove `style`",
                        );
                    }
                }
                Parameter::Query { style, .. } => {
                    if *style != openapiv3::QueryStyle::Form {
                        self.report(
                            Code::QueryParamStyle,
                            here.clone(),
                            format!("query parameter `{}` uses style `{style:?}`", data.name),
                            "only the default `style: form` is supported: remove `style`",
                        );
                    }
                }
                Parameter::Header { .. } => {}
                Parameter::Cookie { .. } => self.report(
                    Code::CookieParam,
                    here.clone(),
                    format!("cookie parameter `{}` is not supported", data.name),
                    "the client cannot send cookie parameters: describe the value as a header \
                     or query parameter, or leave it out of the spec",
                ),
            }
            if matches!(data.format, ParameterSchemaOrContent::Content(_)) {
                self.report(
                    Code::ContentParam,
                    here.clone(),
                    format!("parameter `{}` is described with `content`", data.name),
                    "describe it with `schema:` instead; `content` parameters are not supported",
                );
            }
        }
        for name in template.iter().filter(|n| !declared.contains(*n)) {
            self.report(
                Code::UndeclaredTemplateParam,
                op.pointer.clone(),
                format!(
                    "`{}` has `{{{name}}}` in its path but no path parameter named `{name}`: \
                     the client takes it as a required string",
                    op.label
                ),
                format!(
                    "to type it or document it, declare `- {{name: {name}, in: path, required: \
                     true, schema: {{type: string}}}}` under the operation's or the path's \
                     `parameters`"
                ),
            );
        }
    }

    fn request_body(&mut self, op: &Operation, body: &ReferenceOr<RequestBody>) {
        let here = format!("{}/requestBody", op.pointer);
        let Some(body) = resolve_item(body, self.components(), |c| &c.request_bodies) else {
            return;
        };
        if body.content.len() > 1 {
            let types: Vec<&str> = body.content.keys().map(String::as_str).collect();
            self.report(
                Code::ManyRequestContentTypes,
                format!("{here}/content"),
                format!(
                    "the request body of `{}` offers {} content types ({}); the client can send only one",
                    op.label,
                    types.len(),
                    types.join(", ")
                ),
                "keep only `application/json`",
            );
        }
        for (content_type, media) in &body.content {
            let at = pointer_join(&format!("{here}/content"), content_type);
            let base = content_type.split(';').next().unwrap_or("").trim();
            if !BODY_TYPES.contains(&base) {
                self.report(
                    Code::UnsupportedRequestContentType,
                    at.clone(),
                    format!(
                        "request body content type `{content_type}` of `{}` is not supported",
                        op.label
                    ),
                    format!("use one of: {}", BODY_TYPES.join(", ")),
                );
            }
            if media.schema.is_none() {
                self.report(
                    Code::RequestBodyWithoutSchema,
                    at.clone(),
                    format!(
                        "the `{content_type}` request body of `{}` has no schema",
                        op.label
                    ),
                    "add a `schema:` (a `$ref` to a component is best)",
                );
            }
            if !media.encoding.is_empty() {
                self.report(
                    Code::RequestEncoding,
                    format!("{at}/encoding"),
                    format!("request body `encoding` of `{}` is not supported", op.label),
                    "remove `encoding`",
                );
            }
        }
    }

    fn responses(&mut self, op: &Operation) {
        // Long: one check per rule a response must follow (status, content, schema), each a few lines.
        let here = format!("{}/responses", op.pointer);
        let responses = &op.op.responses;
        // (code, shape) in the order the spec lists them.
        let mut success: Vec<(String, String)> = Vec::new();
        let mut errors: Vec<(String, String)> = Vec::new();
        // Beside explicit successes, `default` means "any error" (normalize says so to
        // progenitor); alone, it is also the success response.
        let explicit_success = has_explicit_success(responses);
        let all = responses
            .responses
            .iter()
            .map(|(code, r)| (code.to_string(), Some(code), r))
            .chain(
                responses
                    .default
                    .iter()
                    .map(|r| ("default".to_string(), None, r)),
            );
        for (code_text, code, response) in all {
            let at = pointer_join(&here, &code_text);
            let (success_body, error_body) = match code {
                None => (!explicit_success, true),
                Some(code) => (is_success(code), is_error(code)),
            };
            if let Some(StatusCode::Code(c)) = code
                && !(100..=599).contains(c)
            {
                self.report(
                    Code::BadStatusCode,
                    at.clone(),
                    format!("`{c}` is not an HTTP status code"),
                    "use a code from 100 to 599, or a range such as `4XX`",
                );
            }
            // A dangling or external reference is reported with the references.
            let Some(response) = resolve_item(response, self.components(), |c| &c.responses) else {
                continue;
            };
            let shape = self.response_shape(&at, &op.label, &code_text, response);
            if success_body {
                success.push((code_text.clone(), shape.clone()));
            }
            if error_body {
                errors.push((code_text, shape));
            }
        }
        for (list, kind) in [(&success, "success"), (&errors, "error")] {
            let shapes: BTreeSet<&String> = list.iter().map(|(_, s)| s).collect();
            if shapes.len() < 2 {
                continue;
            }
            let listing: Vec<String> = list
                .iter()
                .map(|(code, shape)| format!("{code} → {shape}"))
                .collect();
            let found = format!(
                "`{}` has {} different {kind} response bodies ({})",
                op.label,
                shapes.len(),
                listing.join(", ")
            );
            if kind == "error" {
                // The runtime reads error bodies as raw JSON; normalize drops their types.
                self.report(
                    Code::ErrorBodiesDiffer,
                    here.clone(),
                    format!(
                        "{found}; the client reads `code`, `message` and `details` from any \
                         of them but types none"
                    ),
                    "give every 4xx/5xx response (and `default`) the same schema, e.g. \
                     `$ref: '#/components/schemas/Error'`",
                );
            } else {
                self.report(
                    Code::SuccessBodiesDiffer,
                    here.clone(),
                    format!("{found}; progenitor needs one"),
                    "give every 2xx response (and a `default` that stands alone, which counts \
                     as both) the same schema, or drop the odd one",
                );
            }
        }
        if !explicit_success {
            self.report(
                Code::NoSuccessResponse,
                here,
                format!("`{}` declares no success (1xx-3xx) response", op.label),
                "document the success response so the client can decode it; until then the \
                 method returns the raw body",
            );
        }
    }

    /// A short description of a response body, equal for bodies progenitor types alike.
    fn response_shape(&mut self, at: &str, label: &str, code: &str, r: &Response) -> String {
        if let Some((content_type, media)) = r
            .content
            .iter()
            .find(|(t, _)| *t == "application/json" || t.starts_with("application/json;"))
        {
            let media_at = pointer_join(&format!("{at}/content"), content_type);
            if !media.encoding.is_empty() {
                self.report(
                    Code::ResponseEncoding,
                    format!("{media_at}/encoding"),
                    format!(
                        "response `{code}` of `{label}` uses `encoding`, which is not supported"
                    ),
                    "remove `encoding`",
                );
            }
            match &media.schema {
                Some(ReferenceOr::Reference { reference }) => format!("`{reference}`"),
                Some(ReferenceOr::Item(schema)) => format!(
                    "inline schema {}",
                    serde_json::to_string(schema).unwrap_or_default()
                ),
                None => {
                    self.report(
                        Code::JsonResponseWithoutSchema,
                        media_at,
                        format!("JSON response `{code}` of `{label}` has no schema"),
                        "add a `schema:` (a `$ref` to a component is best)",
                    );
                    "JSON without a schema".into()
                }
            }
        } else if r.content.is_empty() {
            "no body".into()
        } else {
            "raw bytes".into()
        }
    }

    // ---- examples and defaults ---------------------------------------------------------

    fn examples(&mut self) {
        let root = &self.loaded.value;
        let mut at = String::new();
        self.walk_examples(root, &mut at);
    }

    /// Finds objects that pair a `schema` with `example`/`examples` (media types,
    /// parameters, headers) and every schema (for its own `example` and `default`).
    fn walk_examples(&mut self, node: &Value, at: &mut String) {
        let Value::Object(map) = node else {
            if let Value::Array(items) = node {
                for (i, item) in items.iter().enumerate() {
                    let len = at.len();
                    at.push_str(&format!("/{i}"));
                    self.walk_examples(item, at);
                    at.truncate(len);
                }
            }
            return;
        };
        if let Some(schema) = map.get("schema") {
            if let Some(example) = map.get("example") {
                self.check_instance(schema, example, format!("{at}/example"), "example");
            }
            if let Some(Value::Object(examples)) = map.get("examples") {
                for (name, ex) in examples {
                    let ex_at = pointer_join(&format!("{at}/examples"), name);
                    let ex = match ex.get("$ref").and_then(Value::as_str) {
                        Some(r) => match resolve(&self.loaded.value, r) {
                            Some(target) => target,
                            None => continue,
                        },
                        None => ex,
                    };
                    if let Some(value) = ex.get("value") {
                        self.check_instance(schema, value, format!("{ex_at}/value"), "example");
                    }
                }
            }
        }
        let in_schemas = at == "/components/schemas";
        for (key, child) in map {
            let len = at.len();
            at.push('/');
            at.push_str(&escape_token(key));
            if key == "schema" || in_schemas {
                self.walk_schema(child, at);
            } else if key != "example" && key != "examples" {
                self.walk_examples(child, at);
            }
            at.truncate(len);
        }
    }

    fn walk_schema(&mut self, schema: &Value, at: &mut String) {
        let Value::Object(map) = schema else { return };
        self.schema_keywords(map, at);
        for key in ["example", "default"] {
            if let Some(instance) = map.get(key) {
                self.check_instance(schema, instance, format!("{at}/{key}"), key);
            }
        }
        let mut visit = |lint: &mut Self, child: &Value, suffix: String| {
            let len = at.len();
            at.push_str(&suffix);
            lint.walk_schema(child, at);
            at.truncate(len);
        };
        if let Some(Value::Object(props)) = map.get("properties") {
            for (name, child) in props {
                visit(self, child, format!("/properties/{}", escape_token(name)));
            }
        }
        for key in ["items", "additionalProperties", "not"] {
            if let Some(child) = map.get(key) {
                visit(self, child, format!("/{key}"));
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(children)) = map.get(key) {
                for (i, child) in children.iter().enumerate() {
                    visit(self, child, format!("/{key}/{i}"));
                }
            }
        }
    }

    /// Keywords progenitor panics on rather than rejecting.
    fn schema_keywords(&mut self, map: &serde_json::Map<String, Value>, at: &str) {
        match map.get("type") {
            Some(Value::String(t)) if !SCHEMA_TYPES.contains(&t.as_str()) => self.report(
                Code::UnknownSchemaType,
                format!("{at}/type"),
                format!("`{t}` is not a schema type"),
                format!("use one of: {}", SCHEMA_TYPES.join(", ")),
            ),
            Some(t) if !t.is_string() => self.report(
                Code::TypeList,
                format!("{at}/type"),
                format!("`type` must be one name in OpenAPI 3.0, found {t}"),
                "write a single type; for `[T, 'null']` write `type: T` and `nullable: true`",
            ),
            _ => {}
        }
        let composed = ["$ref", "allOf", "anyOf", "oneOf", "not"]
            .iter()
            .any(|k| map.contains_key(*k));
        if let Some(format) = map.get("format")
            && !map.contains_key("type")
            && !composed
        {
            let guess = match format.as_str() {
                Some("int32" | "int64") => "integer",
                Some("float" | "double") => "number",
                _ => "string",
            };
            self.report(
                Code::FormatWithoutType,
                format!("{at}/format"),
                format!(
                    "the schema has `format: {}` but no `type`",
                    format
                        .as_str()
                        .map_or_else(|| format.to_string(), str::to_string)
                ),
                format!("add `type: {guess}` (a format only refines a type)"),
            );
        }
        if let Some(Value::String(pattern)) = map.get("pattern")
            && let Err(e) = regress::Regex::new(pattern)
        {
            self.report(
                Code::BadPattern,
                format!("{at}/pattern"),
                format!("`pattern` `{pattern}` is not a valid ECMA-262 regular expression: {e}"),
                "fix the regular expression (OpenAPI patterns follow JavaScript's syntax)",
            );
        }
        for (flag, bound) in [
            ("exclusiveMinimum", "minimum"),
            ("exclusiveMaximum", "maximum"),
        ] {
            if map.get(flag) == Some(&Value::Bool(true)) && !map.contains_key(bound) {
                self.report(
                    Code::ExclusiveWithoutBound,
                    format!("{at}/{flag}"),
                    format!("`{flag}: true` without a `{bound}`"),
                    format!(
                        "in OpenAPI 3.0 `{flag}` only makes `{bound}` exclusive: add `{bound}` \
                         or remove `{flag}`"
                    ),
                );
            }
        }
    }

    fn check_instance(&mut self, schema: &Value, instance: &Value, at: String, what: &str) {
        let components = self
            .components
            .get_or_insert_with(|| lomi_schema::components(&self.loaded.value));
        let validator = self
            .validators
            .entry(schema.to_string())
            .or_insert_with(|| lomi_schema::Schema::compile(schema, components, &at).ok());
        let Some(validator) = validator else { return };
        for v in validator.check(instance, "", "") {
            let inner = if v.pointer.is_empty() {
                String::new()
            } else {
                format!(" at {}", v.pointer)
            };
            // Severity by effect: an example changes no generated line, but typify
            // turns defaults into code (and refuses one that does not fit its schema).
            let code = if what == "example" {
                Code::ExampleMismatch
            } else {
                Code::DefaultMismatch
            };
            let d = self.loaded.report(
                code,
                format!("{at}{}", v.pointer),
                format!("{what}{inner} does not match its schema: {}", v.message),
                format!("change the {what} or the schema so that they agree"),
            );
            self.out.push(d);
        }
    }
}

/// The extension the pins are.
const PIN: &str = crate::spec::naming::RUST_NAME_EXTENSION;

/// A pin found where a Rust item takes it: its pointer, its value, and whether the item
/// is a type (Pascal case) rather than a method, setter or field (snake case).
type Pin<'v> = (String, &'v Value, bool);

/// Every `x-lomi-rust-name` where a Rust item takes it: operations and parameters,
/// component parameters, schemas and their properties, and inline JSON request bodies
/// and success responses (which become named types too).
fn pins(root: &Value) -> Vec<Pin<'_>> {
    // Long: one walk per place a pin may go (operations, parameters, schemas, inline types).
    let mut found: Vec<Pin<'_>> = Vec::new();
    if let Some(Value::Object(paths)) = root.get("paths") {
        for (path, item) in paths {
            parameter_pins(item.get("parameters"), &["paths", path], &mut found);
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method, op) in item {
                if let Some(v) = op.get(PIN) {
                    found.push((pointer(["paths", path, method, PIN]), v, false));
                }
                parameter_pins(op.get("parameters"), &["paths", path, method], &mut found);
            }
        }
    }
    let components = root.get("components");
    if let Some(Value::Object(params)) = components.and_then(|c| c.get("parameters")) {
        for (name, p) in params {
            if let Some(v) = p.get(PIN) {
                found.push((pointer(["components", "parameters", name, PIN]), v, false));
            }
        }
    }
    if let Some(Value::Object(schemas)) = components.and_then(|c| c.get("schemas")) {
        for (name, schema) in schemas {
            if let Some(v) = schema.get(PIN) {
                found.push((pointer(["components", "schemas", name, PIN]), v, true));
            }
            if let Some(Value::Object(props)) = schema.get("properties") {
                for (property, p) in props {
                    if let Some(v) = p.get(PIN) {
                        let at = ["components", "schemas", name, "properties", property, PIN];
                        found.push((pointer(at), v, false));
                    }
                }
            }
        }
    }
    // An inline JSON request body or success response becomes a named type too.
    if let Some(Value::Object(paths)) = root.get("paths") {
        for (path, item) in paths {
            for (method, op) in item.as_object().into_iter().flatten() {
                let json = ["content", "application/json", "schema"];
                let mut places: Vec<Vec<&str>> = vec![
                    [
                        &["paths", path.as_str(), method.as_str(), "requestBody"][..],
                        &json[..],
                    ]
                    .concat(),
                ];
                for (status, _) in op
                    .get("responses")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                    .filter(|(status, _)| status.starts_with('2'))
                {
                    places.push(
                        [
                            &[
                                "paths",
                                path.as_str(),
                                method.as_str(),
                                "responses",
                                status.as_str(),
                            ][..],
                            &json[..],
                        ]
                        .concat(),
                    );
                }
                for place in places {
                    let at = pointer(place.iter().copied());
                    if let Some(v) = root.pointer(&at).and_then(|schema| schema.get(PIN)) {
                        found.push((format!("{at}/{PIN}"), v, true));
                    }
                }
            }
        }
    }
    found
}

/// The pins of a `parameters` list at `at`.
fn parameter_pins<'v>(list: Option<&'v Value>, at: &[&str], found: &mut Vec<Pin<'v>>) {
    for (i, p) in list
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        if let Some(v) = p.get(PIN) {
            let index = i.to_string();
            let mut at: Vec<&str> = at.to_vec();
            at.extend([
                "parameters",
                index.as_str(),
                crate::spec::naming::RUST_NAME_EXTENSION,
            ]);
            found.push((pointer(at), v, false));
        }
    }
}

/// The pointer of every `x-lomi-rust-name` under `node` (at `at`), wherever it is.
fn every_pin(node: &Value, at: &mut Vec<String>, out: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            for (k, v) in map {
                at.push(k.clone());
                if k == PIN {
                    out.push(pointer(at.iter()));
                } else {
                    every_pin(v, at, out);
                }
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                at.push(i.to_string());
                every_pin(v, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn pointer_join(base: &str, token: &str) -> String {
    format!("{base}/{}", escape_token(token))
}
