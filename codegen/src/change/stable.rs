//! Stable Rust names: what lomi. renames upstream must not silently rename what our users
//! call. The published client is the reference, as the committed `spec/lomi.yaml` it was
//! generated from (the drift check keeps the two together).
//!
//! [`stabilize`] compares a newly derived document with the published one:
//!
//! - a **path parameter renamed** at the same position of the same path shape, in an
//!   operation whose operationId did not change, is the same thing on the wire: it gets
//!   `x-lomi-rust-name` with its published setter's name (a note, `R001`), and a pin it
//!   had is carried over;
//! - an **operationId**, a **schema** or a **property** renamed (the same thing under
//!   another name: the same method and path shape; an identical definition) would rename
//!   a published method, type or field: each is an error (`R002`–`R004`) naming the old
//!   and the new Rust name, with the overlay action that keeps the old one. Accepting
//!   the break instead ([`Renames::Accept`]) lets them through.

use heck::ToPascalCase;
use serde_json::{Map, Value};

use crate::change::pairing::pair_owned;
use crate::diagnostic::{Code, Diagnostic, pointer};
use crate::plan::{Case, RUST_NAME_EXTENSION, path_shape as shape, pinned_or, sanitize_snake};
use crate::spec::model::METHODS;

/// What to do with a rename that would change a published Rust name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Renames {
    /// Keep what can be kept (path parameters); stop on the others.
    #[default]
    Keep,
    /// Let every rename through, as a breaking change of the Rust API.
    Accept,
}

/// What [`stabilize`] found.
#[derive(Debug, Default)]
pub struct Stabilized {
    /// Renames it kept the published names of (`R001` notes).
    pub notes: Vec<Diagnostic>,
    /// Renames that would change a published name (`R002`–`R004` errors); empty with
    /// [`Renames::Accept`].
    pub conflicts: Vec<Diagnostic>,
}

/// The published document, from the committed spec's text (`None` if it does not parse:
/// then nothing is compared, and the lint reports what is wrong with the new one).
pub fn published(text: &str) -> Option<Value> {
    serde_yaml::from_str(text).ok()
}

/// Compares `new` (the derived document, named `file`) with `published`, pinning the
/// Rust names of renamed path parameters in `new`.
pub fn stabilize(
    published: &Value,
    new: &mut Value,
    file: &str,
    overlay: &str,
    renames: Renames,
) -> Stabilized {
    let mut out = Stabilized::default();
    operations(published, new, (file, overlay), renames, &mut out);
    if renames == Renames::Keep {
        // Each type rename once, whichever evidence found it first.
        let mut types = Vec::new();
        schemas(published, new, (file, overlay), &mut out, &mut types);
        bodies(published, new, (file, overlay), &mut out, &mut types);
    }
    out
}

/// Every operation of `doc`: (method, path, its operation), in document order.
fn operations_of(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    let Some(Value::Object(paths)) = doc.get("paths") else {
        return out;
    };
    for (path, item) in paths {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                out.push((method.to_string(), path.clone(), op));
            }
        }
    }
    out
}

/// The operations of `published` and `new` that are one operation ([`crate::change::pairing`]):
/// (method, old path, old operation, new path, new operation).
pub(crate) fn paired_operations<'p, 'n>(
    published: &'p Value,
    new: &'n Value,
) -> Vec<(String, String, &'p Value, String, &'n Value)> {
    let (old_ops, new_ops) = (operations_of(published), operations_of(new));
    let key = |(method, path, op): &(String, String, &Value)| {
        (method.clone(), path.clone(), first_tag(op))
    };
    let old_keys: Vec<_> = old_ops.iter().map(key).collect();
    let new_keys: Vec<_> = new_ops.iter().map(key).collect();
    pair_owned(&old_keys, &new_keys)
        .into_iter()
        .map(|p| {
            let (method, old_path, old_op) = &old_ops[p.old];
            let (_, new_path, new_op) = &new_ops[p.new];
            (
                method.clone(),
                old_path.clone(),
                *old_op,
                new_path.clone(),
                *new_op,
            )
        })
        .collect()
}

fn first_tag(op: &Value) -> Option<String> {
    op.get("tags")?.get(0)?.as_str().map(str::to_string)
}

/// The `$ref`'d component a node is, or the node itself.
fn resolved<'v>(doc: &'v Value, node: &'v Value) -> &'v Value {
    lomi_schema::refs::follow(doc, node).unwrap_or(node)
}

/// Where the path parameter `name` of `path`'s `method` is declared in `doc`, as a JSON
/// pointer (the operation's own list first, then the path's; a `$ref` is followed).
fn path_param_pointer(doc: &Value, path: &str, method: &str, name: &str) -> Option<String> {
    let item = doc.get("paths")?.get(path)?;
    let lists = [
        (
            item.get(method).and_then(|o| o.get("parameters")),
            Some(method),
        ),
        (item.get("parameters"), None),
    ];
    for (list, at_method) in lists {
        for (i, p) in list
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let target = resolved(doc, p);
            if target.get("name").and_then(Value::as_str) == Some(name)
                && target.get("in").and_then(Value::as_str) == Some("path")
            {
                if let Some(r) = p.get("$ref").and_then(Value::as_str)
                    && r.starts_with("#/")
                {
                    return Some(r[1..].to_string());
                }
                let index = i.to_string();
                let mut segments = vec!["paths", path];
                segments.extend(at_method);
                segments.extend(["parameters", index.as_str()]);
                return Some(pointer(segments));
            }
        }
    }
    None
}

fn rust_name(node: &Value) -> Option<&str> {
    node.get(RUST_NAME_EXTENSION).and_then(Value::as_str)
}

fn diagnostic(code: Code, file: &str, at: String, message: String, help: String) -> Diagnostic {
    Diagnostic {
        code,
        file: file.to_string(),
        line: None,
        pointer: at,
        message,
        help,
    }
}

/// The overlay action that pins `name` at `target`, and the way out of keeping it.
fn keep_or_accept(overlay: &str, target: &str, name: &str) -> String {
    format!(
        "keep the published name with this action in {overlay}:\n\
         \x20     - target: {target}\n\
         \x20       description: Keep the published Rust name `{name}`.\n\
         \x20       update: {{{RUST_NAME_EXTENSION}: {name}}}\n\
         \x20   or accept the break with `cargo xtask generate --accept-renames`"
    )
}

/// ` (was `/old`)` when an operation moved, else nothing.
fn moved_from(old_path: &str, path: &str) -> String {
    if old_path == path {
        String::new()
    } else {
        format!(" (was `{old_path}`)")
    }
}

/// `$.paths['/x'].get`, the JSONPath of an operation.
fn op_target(path: &str, method: &str) -> String {
    format!("$.paths['{path}'].{method}")
}

fn operations(
    published: &Value,
    new: &mut Value,
    (file, overlay): (&str, &str),
    renames: Renames,
    out: &mut Stabilized,
) {
    // Long: one rule per way an operation's Rust names can change (method, setters), each a few lines.
    let mut pins: Vec<(String, String)> = Vec::new();
    // One note per renamed parameter: (old path, old name, new name, setter), where it
    // is declared now, and the methods that take it.
    type Key = (String, String, String, String);
    let mut renamed: Vec<(Key, String, Vec<String>)> = Vec::new();
    // Owned: the pins are written into `new` afterwards.
    let paired: Vec<(String, String, Value, String, Value)> = paired_operations(published, new)
        .into_iter()
        .map(|(m, old_path, old_op, path, op)| (m, old_path, old_op.clone(), path, op.clone()))
        .collect();
    for (method, old_path, old_op, path, op) in &paired {
        let method = method.as_str();
        let (old_id, new_id) = (
            old_op.get("operationId").and_then(Value::as_str),
            op.get("operationId").and_then(Value::as_str),
        );
        let (Some(old_id), Some(new_id)) = (old_id, new_id) else {
            continue;
        };
        let old_method = pinned_or(rust_name(old_op), old_id, Case::Snake);
        let new_method = pinned_or(rust_name(op), new_id, Case::Snake);
        if old_method != new_method && renames == Renames::Keep {
            let what = if old_id == new_id {
                format!("lost the `{RUST_NAME_EXTENSION}` that named its method")
            } else {
                format!("changed its operationId from `{old_id}` to `{new_id}`")
            };
            out.conflicts.push(diagnostic(
                Code::OperationRenamed,
                file,
                pointer(["paths", path.as_str(), method, "operationId"]),
                format!(
                    "`{} {path}`{} {what}: the published method `Client::{old_method}` would \
                     become `Client::{new_method}` (its builder `builder::{old_builder}` → \
                     `builder::{new_builder}`; lomi-httpmock's `MockServerExt::{old_method}`, \
                     `{old_builder}When` and `{old_builder}Then` → `{new_method}`, \
                     `{new_builder}When` and `{new_builder}Then`)",
                    method.to_uppercase(),
                    moved_from(old_path, path),
                    old_builder = old_method.to_pascal_case(),
                    new_builder = new_method.to_pascal_case(),
                ),
                keep_or_accept(overlay, &op_target(path, method), &old_method),
            ));
        }
        let (old_names, new_names) = (shape(old_path).1, shape(path).1);
        for (old_name, new_name) in old_names.iter().zip(&new_names) {
            // Accepting renames takes this one's new name; a name kept before, for a
            // parameter not renamed now, stays kept.
            if renames == Renames::Accept && old_name != new_name {
                continue;
            }
            let Some(old_at) = path_param_pointer(published, old_path, method, old_name) else {
                continue;
            };
            let Some(new_at) = path_param_pointer(new, path, method, new_name) else {
                continue;
            };
            let old_param = published.pointer(&old_at);
            let new_param = new.pointer(&new_at);
            if new_param.and_then(rust_name).is_some() {
                continue;
            }
            let setter = pinned_or(old_param.and_then(rust_name), old_name, Case::Snake);
            if setter == sanitize_snake(new_name) {
                continue;
            }
            if old_name != new_name {
                let key = (
                    old_path.clone(),
                    old_name.clone(),
                    new_name.clone(),
                    setter.clone(),
                );
                match renamed.iter_mut().find(|(k, _, _)| *k == key) {
                    Some((_, _, methods)) => methods.push(method.to_uppercase()),
                    None => renamed.push((key, new_at.clone(), vec![method.to_uppercase()])),
                }
            }
            pins.push((new_at, setter));
        }
    }
    for ((old_path, old_name, new_name, setter), at, methods) in renamed {
        out.notes.push(diagnostic(
            Code::PathParameterRenameKept,
            file,
            at,
            format!(
                "`{{{old_name}}}` of `{old_path}` ({}) is now `{{{new_name}}}` (the same \
                 operations, position and wire): the setter keeps its published name \
                 `{setter}`",
                methods.join(", ")
            ),
            format!(
                "nothing to do; to take the new name `{}` instead, regenerate with \
                 `--accept-renames` (a breaking change for users)",
                sanitize_snake(&new_name)
            ),
        ));
    }
    for (at, setter) in pins {
        if let Some(Value::Object(param)) = new.pointer_mut(&at) {
            param.insert(RUST_NAME_EXTENSION.to_string(), Value::String(setter));
        }
    }
}

/// A schema without the extensions that only name things, to compare definitions.
pub fn definition(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| *k != RUST_NAME_EXTENSION)
                .map(|(k, v)| (k.clone(), definition(v)))
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(definition).collect()),
        other => other.clone(),
    }
}

fn schemas(
    published: &Value,
    new: &Value,
    (file, overlay): (&str, &str),
    out: &mut Stabilized,
    types: &mut Vec<(String, String)>,
) {
    // Long: one rule per way a schema's or property's Rust name can change, each a few lines.
    let get = |doc: &Value| -> Map<String, Value> {
        doc.get("components")
            .and_then(|c| c.get("schemas"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let (old, new_schemas) = (get(published), get(new));
    let type_name = |name: &str, schema: &Value| pinned_or(rust_name(schema), name, Case::Pascal);
    for (old_name, old_schema) in &old {
        if new_schemas.contains_key(old_name) {
            continue;
        }
        let twin = new_schemas.iter().find(|(name, schema)| {
            !old.contains_key(*name) && definition(schema) == definition(old_schema)
        });
        if let Some((new_name, new_schema)) = twin {
            let (old_type, new_type) = (
                type_name(old_name, old_schema),
                type_name(new_name, new_schema),
            );
            if old_type != new_type {
                types.push((old_type.clone(), new_type.clone()));
                out.conflicts.push(diagnostic(
                    Code::SchemaRenamed,
                    file,
                    pointer(["components", "schemas", new_name.as_str()]),
                    format!(
                        "the schema `{old_name}` is now `{new_name}` (the same definition): the \
                         published type `types::{old_type}` would become `types::{new_type}`"
                    ),
                    keep_or_accept(
                        overlay,
                        &format!("$.components.schemas.{new_name}"),
                        &old_type,
                    ),
                ));
            }
        }
    }
    for (name, new_schema) in &new_schemas {
        let Some(old_schema) = old.get(name) else {
            continue;
        };
        let props = |s: &Value| -> Map<String, Value> {
            s.get("properties")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default()
        };
        let required = |s: &Value, p: &str| lomi_schema::required(s).contains(&p);
        let (old_props, new_props) = (props(old_schema), props(new_schema));
        for (old_prop, old_def) in &old_props {
            if new_props.contains_key(old_prop) {
                continue;
            }
            let twin = new_props.iter().find(|(p, def)| {
                !old_props.contains_key(*p)
                    && definition(def) == definition(old_def)
                    && required(new_schema, p) == required(old_schema, old_prop)
            });
            let Some((new_prop, new_def)) = twin else {
                continue;
            };
            let old_field = pinned_or(rust_name(old_def), old_prop, Case::Snake);
            let new_field = pinned_or(rust_name(new_def), new_prop, Case::Snake);
            if old_field == new_field {
                continue;
            }
            let type_name = type_name(name, new_schema);
            let mut help = keep_or_accept(
                overlay,
                &format!("$.components.schemas.{name}.properties.{new_prop}"),
                &old_field,
            );
            if new_def.get("$ref").is_some() {
                help.push_str(
                    "; the property is a `$ref`, whose siblings are ignored: replace it with \
                     `allOf: [{$ref: …}]` in the same action",
                );
            }
            out.conflicts.push(diagnostic(
                Code::PropertyRenamed,
                file,
                pointer([
                    "components",
                    "schemas",
                    name.as_str(),
                    "properties",
                    new_prop.as_str(),
                ]),
                format!(
                    "the property `{name}.{old_prop}` is now `{new_prop}` (the same definition): \
                     the published field `types::{type_name}::{old_field}` would become \
                     `{new_field}`"
                ),
                help,
            ));
        }
    }
}

/// What a request or response body's schema is, for pairing its Rust type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum BodySchema {
    /// A `$ref` to the component of that name.
    Component(String),
    /// An inline object, named by typify (`{OpId}Body`, `{OpId}Response`) or pinned,
    /// and the JSONPath of the schema, where a pin goes.
    Inline { type_name: String, target: String },
}

/// The body schemas of an operation that become a named Rust type: the JSON request
/// body, and each JSON success response by status; as (slot, schema).
pub(crate) fn body_schemas(
    doc: &Value,
    path: &str,
    method: &str,
    op: &Value,
) -> Vec<(String, BodySchema)> {
    let Some(id) = op.get("operationId").and_then(Value::as_str) else {
        return Vec::new();
    };
    let json = |content: Option<&Value>| -> Option<Value> {
        content?.get("application/json")?.get("schema").cloned()
    };
    let classify = |schema: Value, suffix: &str, target: String| -> Option<BodySchema> {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let name = r.strip_prefix("#/components/schemas/")?;
            return Some(BodySchema::Component(name.to_string()));
        }
        // Only an object becomes a named type; an array or a scalar is a `Vec` or a
        // primitive, which renames nothing.
        let object = schema.get("properties").is_some()
            || schema.get("type").and_then(Value::as_str) == Some("object");
        object.then(|| BodySchema::Inline {
            type_name: pinned_or(rust_name(&schema), &format!("{id}-{suffix}"), Case::Pascal),
            target,
        })
    };
    let at = op_target(path, method);
    let mut out = Vec::new();
    let body = resolved(doc, op.get("requestBody").unwrap_or(&Value::Null));
    if let Some(schema) = json(body.get("content"))
        && let Some(b) = classify(
            schema,
            "body",
            format!("{at}.requestBody.content['application/json'].schema"),
        )
    {
        out.push(("request body".to_string(), b));
    }
    if let Some(Value::Object(responses)) = op.get("responses") {
        for (status, response) in responses.iter().filter(|(s, _)| s.starts_with('2')) {
            let response = resolved(doc, response);
            if let Some(schema) = json(response.get("content"))
                && let Some(b) = classify(
                    schema,
                    "response",
                    format!("{at}.responses['{status}'].content['application/json'].schema"),
                )
            {
                out.push((format!("{status} response"), b));
            }
        }
    }
    out
}

/// A request or response body whose schema is another component now, or went inline (or
/// came out of line), is paired through its operation: its Rust type is published.
fn bodies(
    published: &Value,
    new: &Value,
    (file, overlay): (&str, &str),
    out: &mut Stabilized,
    seen: &mut Vec<(String, String)>,
) {
    // Long: one rule per way a body's or response's type name can change, each a few lines.
    let names = |doc: &Value| -> Vec<String> {
        doc.pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    let (old_names, new_names) = (names(published), names(new));
    let component_type = |doc: &Value, name: &str| {
        let schema = doc
            .pointer(&pointer(["components", "schemas", name]))
            .unwrap_or(&Value::Null);
        pinned_or(rust_name(schema), name, Case::Pascal)
    };
    for (method, old_path, old_op, path, op) in paired_operations(published, new) {
        let old_slots = body_schemas(published, &old_path, &method, old_op);
        for (slot, now) in body_schemas(new, &path, &method, op) {
            let Some((_, before)) = old_slots.iter().find(|(s, _)| *s == slot) else {
                continue;
            };
            // (old type, new type, where the pin goes, its pointer)
            let (old_type, new_type, target, at) = match (before, &now) {
                (BodySchema::Component(a), BodySchema::Component(b)) => {
                    // The same component, or one still there: no rename of a type.
                    if a == b || new_names.contains(a) || old_names.contains(b) {
                        continue;
                    }
                    (
                        component_type(published, a),
                        component_type(new, b),
                        format!("$.components.schemas.{b}"),
                        pointer(["components", "schemas", b.as_str()]),
                    )
                }
                (BodySchema::Component(a), BodySchema::Inline { type_name, target }) => {
                    if new_names.contains(a) {
                        continue;
                    }
                    (
                        component_type(published, a),
                        type_name.clone(),
                        target.clone(),
                        jsonpath_pointer(target),
                    )
                }
                (BodySchema::Inline { type_name, .. }, BodySchema::Component(b)) => {
                    if old_names.contains(b) {
                        continue;
                    }
                    (
                        type_name.clone(),
                        component_type(new, b),
                        format!("$.components.schemas.{b}"),
                        pointer(["components", "schemas", b.as_str()]),
                    )
                }
                (
                    BodySchema::Inline { type_name: a, .. },
                    BodySchema::Inline {
                        type_name: b,
                        target,
                    },
                ) => (
                    a.clone(),
                    b.clone(),
                    target.clone(),
                    jsonpath_pointer(target),
                ),
            };
            if old_type == new_type || seen.contains(&(old_type.clone(), new_type.clone())) {
                continue;
            }
            seen.push((old_type.clone(), new_type.clone()));
            out.conflicts.push(diagnostic(
                Code::SchemaRenamed,
                file,
                at,
                format!(
                    "the {slot} of `{} {path}`{} is now `types::{new_type}`: the published \
                     type `types::{old_type}` would become `types::{new_type}`",
                    method.to_uppercase(),
                    moved_from(&old_path, &path),
                ),
                keep_or_accept(overlay, &target, &old_type),
            ));
        }
    }
}

/// The JSON pointer of a JSONPath this module writes (`$.paths['/a'].post.requestBody…`).
fn jsonpath_pointer(target: &str) -> String {
    let mut segments = Vec::new();
    let mut rest = target.trim_start_matches('$');
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("['") {
            let end = r.find("']").unwrap_or(r.len());
            segments.push(r[..end].to_string());
            rest = r.get(end + 2..).unwrap_or("");
        } else if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            segments.push(r[..end].to_string());
            rest = &r[end..];
        } else {
            break;
        }
    }
    pointer(segments.iter().map(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(yaml: &str) -> Value {
        serde_yaml::from_str(yaml).unwrap()
    }

    const PUBLISHED: &str = "
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /sessions/{session_id}:
    get:
      operationId: getSession
      parameters:
        - {name: session_id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/session'}}}
components:
  schemas:
    session:
      type: object
      properties:
        url: {type: string}
        amount: {type: integer}
";

    #[test]
    fn a_renamed_path_parameter_keeps_its_setter_and_is_one_note() {
        let published = doc(PUBLISHED);
        let mut new = doc(&PUBLISHED.replace("session_id", "id"));
        let found = stabilize(
            &published,
            &mut new,
            "spec/lomi.yaml",
            "spec/overlay.yaml",
            Renames::Keep,
        );
        assert!(found.conflicts.is_empty(), "{:#?}", found.conflicts);
        assert_eq!(found.notes.len(), 1);
        assert_eq!(found.notes[0].code, Code::PathParameterRenameKept);
        assert!(
            found.notes[0].message.contains("`session_id`"),
            "{}",
            found.notes[0]
        );
        let param = new
            .pointer("/paths/~1sessions~1{id}/get/parameters/0")
            .unwrap();
        assert_eq!(param[RUST_NAME_EXTENSION], "session_id");
        // Regenerating against what was just published keeps the pin, silently.
        let republished = new.clone();
        let mut again = doc(&PUBLISHED.replace("session_id", "id"));
        let found = stabilize(
            &republished,
            &mut again,
            "spec/lomi.yaml",
            "spec/overlay.yaml",
            Renames::Keep,
        );
        assert!(found.notes.is_empty() && found.conflicts.is_empty());
        assert_eq!(again, republished);
        // Accepting the rename takes the new name.
        let mut accepted = doc(&PUBLISHED.replace("session_id", "id"));
        let found = stabilize(
            &published,
            &mut accepted,
            "spec/lomi.yaml",
            "spec/overlay.yaml",
            Renames::Accept,
        );
        assert!(found.notes.is_empty());
        assert_eq!(accepted, doc(&PUBLISHED.replace("session_id", "id")));
        // Accepting another rename later keeps the name kept before.
        let mut later = doc(&PUBLISHED.replace("session_id", "id"));
        stabilize(
            &republished,
            &mut later,
            "spec/lomi.yaml",
            "spec/overlay.yaml",
            Renames::Accept,
        );
        assert_eq!(later, republished);
    }

    #[test]
    fn renamed_operations_schemas_and_properties_stop_with_the_pin_to_add() {
        let published = doc(PUBLISHED);
        let mut new = doc(&PUBLISHED
            .replace("getSession", "retrieveSession")
            .replace("schemas/session'", "schemas/checkout_session'")
            .replace("    session:\n", "    checkout_session:\n"));
        let found = stabilize(
            &published,
            &mut new,
            "spec/lomi.yaml",
            "spec/overlay.yaml",
            Renames::Keep,
        );
        let codes: Vec<&str> = found.conflicts.iter().map(|d| d.code.id()).collect();
        assert_eq!(codes, ["R002", "R003"]);
        let text: Vec<String> = found.conflicts.iter().map(|d| d.to_string()).collect();
        assert!(
            text[0].contains("`Client::get_session` would become `Client::retrieve_session`"),
            "{}",
            text[0]
        );
        assert!(
            text[0].contains("target: $.paths['/sessions/{session_id}'].get"),
            "{}",
            text[0]
        );
        assert!(
            text[0].contains("update: {x-lomi-rust-name: get_session}"),
            "{}",
            text[0]
        );
        assert!(
            text[1].contains("`types::Session` would become `types::CheckoutSession`"),
            "{}",
            text[1]
        );
        assert!(
            text[1].contains("update: {x-lomi-rust-name: Session}"),
            "{}",
            text[1]
        );

        let mut renamed_property =
            doc(&PUBLISHED.replace("url: {type: string}", "link: {type: string}"));
        let found = stabilize(
            &published,
            &mut renamed_property,
            "f",
            "spec/overlay.yaml",
            Renames::Keep,
        );
        assert_eq!(found.conflicts.len(), 1);
        assert_eq!(found.conflicts[0].code, Code::PropertyRenamed);
        assert!(
            found.conflicts[0]
                .message
                .contains("`types::Session::url` would become `link`")
        );

        // Pinned, they pass; accepted, too.
        let mut pinned = doc(&PUBLISHED
            .replace(
                "operationId: getSession",
                "operationId: retrieveSession\n      x-lomi-rust-name: get_session",
            )
            .replace(
                "url: {type: string}",
                "link: {type: string, x-lomi-rust-name: url}",
            ));
        assert!(
            stabilize(
                &published,
                &mut pinned,
                "f",
                "spec/overlay.yaml",
                Renames::Keep
            )
            .conflicts
            .is_empty()
        );
        let mut accepted = doc(&PUBLISHED.replace("getSession", "retrieveSession"));
        assert!(
            stabilize(
                &published,
                &mut accepted,
                "f",
                "spec/overlay.yaml",
                Renames::Accept
            )
            .conflicts
            .is_empty()
        );
    }

    #[test]
    fn a_changed_definition_is_not_a_rename() {
        let published = doc(PUBLISHED);
        let mut new = doc(&PUBLISHED.replace("url: {type: string}", "link: {type: integer}"));
        let found = stabilize(
            &published,
            &mut new,
            "f",
            "spec/overlay.yaml",
            Renames::Keep,
        );
        assert!(found.conflicts.is_empty() && found.notes.is_empty());
    }
}
