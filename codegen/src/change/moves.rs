//! Where a node went: when an overlay action's target matches nothing in lomi.'s new
//! document, the node it fixed has usually moved rather than gone. [`repoint`] looks for
//! the move in the names the target spells:
//!
//! - a **server** URL that differs by its last path segment (`…/v1` → `…`);
//! - a **path** that differs only by `_`/`-`, case or parameter names (the pairing rule
//!   of [`crate::change::pairing`]), with the parameters it renames;
//! - a **schema**: the one the paired operation now takes or answers (which may be an
//!   inline schema, whose JSONPath replaces the component's), else the unused one with the
//!   most properties in common; a schema whose only operations lomi. removed is gone.
//!
//! Each re-pointed target is checked against the document (it must match something)
//! before it is offered, and every move is named by its cause, so that the errors one
//! move causes can be reported together.

use serde_json::Value;

use crate::change::pairing::{loose_path, same_server};
use crate::change::stable::{BodySchema, body_schemas, paired_operations};
use crate::plan::path_shape;

/// A target re-pointed at where its nodes are now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repointed {
    /// What moved, one sentence each (`/checkout_sessions` is now `/checkout-sessions`).
    pub causes: Vec<String>,
    /// The targets that replace the action's: one, or one per part of a list selector
    /// whose names went to different places (a component, an inline schema).
    pub targets: Vec<String>,
    /// Names the target selected that lomi. removed, with why.
    pub gone: Vec<String>,
    /// Re-pointed targets that select nothing where the node is now: lomi. has probably
    /// fixed there what the action fixed.
    pub unmatched: Vec<String>,
}

impl Repointed {
    /// Whether the action has nothing left to do: what it selected is gone, or selects
    /// nothing where it went.
    pub fn is_moot(&self) -> bool {
        self.targets.is_empty()
    }
}

/// Where `target`, which matches nothing in `document`, points now; `published` (the spec
/// the published client came from) tells which operation used a schema. `None` when no
/// move explains it.
pub fn repoint(target: &str, document: &Value, published: Option<&Value>) -> Option<Repointed> {
    let mut causes = Vec::new();
    let mut gone = Vec::new();
    let mut literal_subs: Vec<(String, String)> = Vec::new();
    let mut schema_moves: Vec<(String, SchemaMove)> = Vec::new();
    let schemas = |doc: &Value| -> Vec<String> {
        doc.pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    let (new_schemas, old_schemas) = (
        schemas(document),
        published.map(schemas).unwrap_or_default(),
    );
    for name in names(target) {
        if literal_subs.iter().any(|(from, _)| *from == name) {
            continue;
        }
        if name.starts_with("http") {
            if let Some(url) = moved_server(&name, document) {
                causes.push(format!("the server `{name}` is now `{url}`"));
                literal_subs.push((name, url));
            }
        } else if name.starts_with('/') {
            if let Some((path, params)) = moved_path(&name, document) {
                causes.push(format!("the path `{name}` is now `{path}`"));
                literal_subs.push((name, path));
                for (from, to) in params {
                    literal_subs.push((from, to));
                }
            }
        } else if old_schemas.contains(&name) && !new_schemas.contains(&name) {
            match moved_schema(&name, document, published) {
                SchemaMove::Gone(why) => gone.push(format!("`{name}` is gone: {why}")),
                m => {
                    causes.push(match &m {
                        SchemaMove::Component(to, why) => {
                            format!("the schema `{name}` is now `{to}` ({why})")
                        }
                        SchemaMove::Inline(to, why) => {
                            format!("the schema `{name}` is now inline at `{to}` ({why})")
                        }
                        SchemaMove::Gone(_) => unreachable!("handled above"),
                    });
                    schema_moves.push((name, m));
                }
            }
        }
    }
    if causes.is_empty() && gone.is_empty() {
        return None;
    }
    let mut targets = split_schemas(target, &schema_moves, &gone);
    for t in &mut targets {
        *t = substitute(t, &literal_subs);
    }
    let (targets, unmatched): (Vec<String>, Vec<String>) = targets
        .into_iter()
        .filter(|t| t != target)
        .partition(|t| matches_something(t, document));
    Some(Repointed {
        causes,
        targets,
        gone,
        unmatched,
    })
}

/// When `d` is a `$ref` to nothing (`L003`, its pointer into `document`, the derived
/// spec) and the schema it names is one lomi. renamed (the published spec used it where
/// `document` has another, [`repoint`]'s rule), says which to write instead.
pub fn explain_dangling_ref(
    d: &mut crate::diagnostic::Diagnostic,
    document: &Value,
    published: Option<&Value>,
) {
    if d.code != crate::diagnostic::Code::DanglingRef {
        return;
    }
    let Some(name) = document
        .pointer(&d.pointer)
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    else {
        return;
    };
    if let SchemaMove::Component(to, why) = moved_schema(name, document, published) {
        d.help = format!(
            "lomi. renamed it: the schema `{name}` is now `{to}` ({why}); write `$ref: \
             '#/components/schemas/{to}'`"
        );
    }
}

/// Where a schema went.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SchemaMove {
    /// Another component, and why it is the one.
    Component(String, String),
    /// An inline schema at this JSONPath, and why.
    Inline(String, String),
    /// Nowhere: why.
    Gone(String),
}

/// A piece of a JSONPath: a name (quoted, with its quote, or a dotted member) or any
/// other character.
enum Token {
    Name(Option<char>, String),
    Other(char),
}

/// `target` cut into names and the rest.
fn tokens(target: &str) -> Vec<Token> {
    let chars: Vec<char> = target.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            q @ ('\'' | '"') => {
                let end = (i + 1..chars.len())
                    .find(|&j| chars[j] == q)
                    .unwrap_or(chars.len());
                out.push(Token::Name(Some(q), chars[i + 1..end].iter().collect()));
                i = end + 1;
            }
            '.' => {
                let end = (i + 1..chars.len())
                    .find(|&j| !(chars[j].is_alphanumeric() || chars[j] == '_'))
                    .unwrap_or(chars.len());
                if end > i + 1 {
                    out.push(Token::Name(None, chars[i + 1..end].iter().collect()));
                } else {
                    out.push(Token::Other('.'));
                }
                i = end.max(i + 1);
            }
            c => {
                out.push(Token::Other(c));
                i += 1;
            }
        }
    }
    out
}

/// The names a JSONPath spells: its quoted strings and its dotted member names.
fn names(target: &str) -> Vec<String> {
    tokens(target)
        .into_iter()
        .filter_map(|t| match t {
            Token::Name(_, name) => Some(name),
            Token::Other(_) => None,
        })
        .collect()
}

/// `target` with each whole name (quoted or dotted) in `subs` replaced.
fn substitute(target: &str, subs: &[(String, String)]) -> String {
    let lookup = |name: &str| subs.iter().find(|(from, _)| from == name).map(|(_, to)| to);
    tokens(target)
        .into_iter()
        .map(|t| match t {
            Token::Name(Some(q), name) => format!("{q}{}{q}", lookup(&name).unwrap_or(&name)),
            Token::Name(None, name) => match lookup(&name) {
                Some(to) => member(to),
                None => format!(".{name}"),
            },
            Token::Other(c) => c.to_string(),
        })
        .collect()
}

/// `.name`, or `['name']` where the shorthand cannot spell it.
fn member(name: &str) -> String {
    let shorthand = name
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if shorthand {
        format!(".{name}")
    } else {
        format!("['{}']", name.replace('\'', "\\'"))
    }
}

/// A target under `$.components.schemas` whose names moved: one target for the names that
/// are components (kept together in one selector), one per name that went inline; gone
/// names dropped. Any other target as it is.
fn split_schemas(target: &str, moves: &[(String, SchemaMove)], gone: &[String]) -> Vec<String> {
    const PREFIX: &str = "$.components.schemas";
    let Some(after) = target.strip_prefix(PREFIX) else {
        return vec![target.to_string()];
    };
    // The selected names and what follows them.
    let (selected, rest): (Vec<String>, &str) = if let Some(list) = after.strip_prefix('[') {
        let Some(close) = list.find(']') else {
            return vec![target.to_string()];
        };
        (names(&list[..close]), &list[close + 1..])
    } else if let Some(member) = after.strip_prefix('.') {
        let end = member
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(member.len());
        (vec![member[..end].to_string()], &member[end..])
    } else {
        return vec![target.to_string()];
    };
    if moves.is_empty() && gone.is_empty() {
        return vec![target.to_string()];
    }
    let is_gone = |name: &str| gone.iter().any(|g| g.starts_with(&format!("`{name}` ")));
    let mut components = Vec::new();
    let mut out = Vec::new();
    for name in selected.iter().filter(|n| !is_gone(n)) {
        match moves.iter().find(|(from, _)| from == name).map(|(_, m)| m) {
            Some(SchemaMove::Component(to, _)) => components.push(to.clone()),
            Some(SchemaMove::Inline(at, _)) => out.push(format!("{at}{rest}")),
            _ => components.push(name.clone()),
        }
    }
    components.dedup();
    match components.as_slice() {
        [] => {}
        [one] => out.insert(0, format!("{PREFIX}{}{rest}", member(one))),
        many => {
            let list: Vec<String> = many.iter().map(|n| format!("'{n}'")).collect();
            out.insert(0, format!("{PREFIX}[{}]{rest}", list.join(",")));
        }
    }
    out
}

fn matches_something(target: &str, document: &Value) -> bool {
    serde_json_path::JsonPath::parse(target).is_ok_and(|p| !p.query(document).is_empty())
}

/// The document's server whose URL is `url` without (or with) one more path segment.
fn moved_server(url: &str, document: &Value) -> Option<String> {
    let servers: Vec<&str> = document
        .get("servers")?
        .as_array()?
        .iter()
        .filter_map(|s| s.get("url")?.as_str())
        .collect();
    if servers.contains(&url) {
        return None;
    }
    let found: Vec<&&str> = servers.iter().filter(|s| same_server(url, s)).collect();
    match found.as_slice() {
        [one] => Some(one.to_string()),
        _ => None,
    }
}

/// The document's path that `path` now is, with the path parameters it renames.
fn moved_path(path: &str, document: &Value) -> Option<(String, Vec<(String, String)>)> {
    let paths = document.get("paths")?.as_object()?;
    if paths.contains_key(path) {
        return None;
    }
    let found: Vec<&String> = paths
        .keys()
        .filter(|p| loose_path(p) == loose_path(path))
        .collect();
    let [to] = found.as_slice() else { return None };
    let renamed = path_shape(path)
        .1
        .into_iter()
        .zip(path_shape(to).1)
        .filter(|(a, b)| a != b)
        .collect();
    Some(((*to).clone(), renamed))
}

/// Where the published schema `name` went in `document`.
fn moved_schema(name: &str, document: &Value, published: Option<&Value>) -> SchemaMove {
    let Some(published) = published else {
        return by_properties(name, document, None);
    };
    // Through the operations that took or answered it.
    let mut used = false;
    for (method, old_path, old_op, path, op) in paired_operations(published, document) {
        let old_slots = body_schemas(published, &old_path, &method, old_op);
        for (slot, before) in &old_slots {
            if *before != BodySchema::Component(name.to_string()) {
                continue;
            }
            used = true;
            let now = body_schemas(document, &path, &method, op);
            let why = format!("the {slot} of `{} {path}`", method.to_uppercase());
            match now.iter().find(|(s, _)| s == slot).map(|(_, b)| b) {
                Some(BodySchema::Component(to)) => return SchemaMove::Component(to.clone(), why),
                Some(BodySchema::Inline { target, .. }) => {
                    return SchemaMove::Inline(target.clone(), why);
                }
                None => {}
            }
        }
    }
    if used {
        return by_properties(name, document, Some(published));
    }
    let users = operations_using(name, published);
    if !users.is_empty() {
        return SchemaMove::Gone(format!(
            "only {} took or answered it, and lomi. removed {}",
            users.join(", "),
            if users.len() == 1 { "it" } else { "them" }
        ));
    }
    by_properties(name, document, Some(published))
}

/// `METHOD /path` of each operation of `doc` whose body or success response is `name`.
fn operations_using(name: &str, doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        for (method, op) in item.as_object().into_iter().flatten() {
            if body_schemas(doc, path, method, op)
                .iter()
                .any(|(_, b)| *b == BodySchema::Component(name.to_string()))
            {
                out.push(format!("`{} {path}`", method.to_uppercase()));
            }
        }
    }
    out
}

/// The component of `document` (one the published spec lacks) sharing the most property
/// names with the published `name`, at least half of them; else gone.
fn by_properties(name: &str, document: &Value, published: Option<&Value>) -> SchemaMove {
    let props = |schema: Option<&Value>| -> Vec<String> {
        schema
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    let old = props(published.and_then(|p| p.pointer(&format!("/components/schemas/{name}"))));
    if old.is_empty() {
        return SchemaMove::Gone(
            "no operation of the new document takes or answers it, and it has no properties \
             to find it by"
                .into(),
        );
    }
    let mut best: Vec<(usize, String)> = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(n, _)| {
            published
                .and_then(|p| p.pointer(&format!("/components/schemas/{n}")))
                .is_none()
        })
        .map(|(n, s)| {
            let common = props(Some(s)).iter().filter(|p| old.contains(p)).count();
            (common, n.clone())
        })
        // Most of its properties, and more than one: two small schemas share an `id`.
        .filter(|(common, _)| *common >= 2 && *common * 2 >= old.len())
        .collect();
    best.sort_by_key(|b| std::cmp::Reverse(b.0));
    match best.as_slice() {
        [(n, to), rest @ ..] if rest.first().is_none_or(|(m, _)| m < n) => SchemaMove::Component(
            to.clone(),
            format!("{n} of its {} properties in common", old.len()),
        ),
        _ => SchemaMove::Gone(
            "no operation of the new document takes or answers it, and no new schema has most \
             of its properties"
                .into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn published() -> Value {
        json!({
            "servers": [{"url": "https://api.example.com/v1"}],
            "paths": {
                "/checkout_sessions": {
                    "post": {"operationId": "create", "tags": ["S"],
                        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/session_create"}}}},
                        "responses": {"201": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/session"}}}}}}
                },
                "/checkout_sessions/{session_id}": {
                    "patch": {"operationId": "update", "tags": ["S"],
                        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/session_update"}}}},
                        "responses": {"200": {"description": ""}}}
                }
            },
            "components": {"schemas": {
                "session": {"type": "object", "properties": {"a": {}, "b": {}}},
                "session_create": {"type": "object", "properties": {"a": {}}},
                "session_update": {"type": "object", "properties": {"a": {}}}
            }}
        })
    }

    fn upstream() -> Value {
        json!({
            "servers": [{"url": "https://api.example.com"}],
            "paths": {
                "/checkout-sessions": {
                    "post": {"operationId": "C_create", "tags": ["S"],
                        "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"a": {"type": "string"}}}}}},
                        "responses": {"201": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SessionDto"}}}}}}
                },
                "/checkout-sessions/{id}": {
                    "get": {"operationId": "C_get", "tags": ["S"],
                        "parameters": [{"name": "id", "in": "path"}],
                        "responses": {"200": {"description": ""}}}
                }
            },
            "components": {"schemas": {
                "SessionDto": {"type": "object", "properties": {"a": {"type": "string"}, "b": {}}}
            }}
        })
    }

    #[test]
    fn servers_paths_and_parameters_are_repointed() {
        let doc = upstream();
        let r = repoint(
            "$.servers[?@.url == 'https://api.example.com/v1']",
            &doc,
            None,
        )
        .unwrap();
        assert_eq!(
            r.targets,
            ["$.servers[?@.url == 'https://api.example.com']"]
        );
        assert_eq!(
            r.causes,
            ["the server `https://api.example.com/v1` is now `https://api.example.com`"]
        );
        let r = repoint(
            "$.paths['/checkout_sessions/{session_id}'][*].parameters[?@.name == 'session_id']",
            &doc,
            None,
        )
        .unwrap();
        assert_eq!(
            r.targets,
            ["$.paths['/checkout-sessions/{id}'][*].parameters[?@.name == 'id']"]
        );
        // Nothing explains it: no offer.
        assert_eq!(repoint("$.paths['/refunds'].get", &doc, None), None);
    }

    #[test]
    fn schemas_follow_their_operations_into_components_or_inline() {
        let (doc, old) = (upstream(), published());
        let r = repoint(
            "$.components.schemas['session','session_create','session_update'].properties.a",
            &doc,
            Some(&old),
        )
        .unwrap();
        assert_eq!(
            r.targets,
            [
                "$.components.schemas.SessionDto.properties.a",
                "$.paths['/checkout-sessions'].post.requestBody.content['application/json'].schema.properties.a",
            ]
        );
        assert_eq!(r.causes.len(), 2, "{:?}", r.causes);
        assert!(r.causes[0].contains("the 201 response of `POST /checkout-sessions`"));
        assert_eq!(r.gone.len(), 1);
        assert!(
            r.gone[0].starts_with(
                "`session_update` is gone: only `PATCH /checkout_sessions/{session_id}`"
            ),
            "{:?}",
            r.gone
        );
    }

    #[test]
    fn names_and_substitutions_keep_the_jsonpath_shape() {
        assert_eq!(
            names("$.components.schemas['a','b'].properties[?@.x == \"y\"]"),
            ["components", "schemas", "a", "b", "properties", "x", "y"]
        );
        let subs = [("a".to_string(), "a-b".to_string())];
        assert_eq!(substitute("$.x.a['a']", &subs), "$.x['a-b']['a-b']");
    }
}
