//! Stage 0: lomi.'s published document and our overlay in, `spec/lomi.yaml` out.
//!
//! `spec/upstream.yaml` is lomi.'s document exactly as published; `spec/overlay.yaml` is
//! an [OpenAPI Overlay 1.0](https://spec.openapis.org/overlay/v1.0.0.html) document
//! holding every departure of ours, each action saying why. [`derive()`] applies the
//! overlay (with `roas-overlay`, whose JSONPath is RFC 9535's), then prunes the
//! components, security schemes and tags that no remaining operation reaches (an
//! overlay cannot compute reachability), and prints the result with a first line saying
//! that it is derived and from what.
//!
//! An action whose target matches nothing is an error naming the action, its target and
//! its line: when lomi. moves a path in a new document, a fix must not silently vanish.
//! Every action is tried, so one run reports every action that no longer applies.

use roas_overlay::apply::{Apply, ApplyErrorKind, ApplyOptions};
use roas_overlay::v1_0::Overlay;
use serde_json::{Map, Value};

use crate::diagnostic::{Code, Diagnostic, pointer, unescape_token};
use crate::spec::load::attempt;
use crate::spec::model::METHODS;
use crate::spec::source_map::SourceMap;

/// The result of [`derive()`]: the text of the derived spec.
#[derive(Debug, Clone)]
pub struct Derived {
    /// The derived document, starting with its provenance comment.
    pub text: String,
    /// What the pruning removed, as `components/<section>/<name>` or `tags/<name>`, for
    /// a maintainer who wonders where a component went.
    pub pruned: Vec<String>,
    /// Where each node of the derived document came from, to report a problem where the
    /// maintainer works ([`Provenance::relocate`]).
    pub provenance: Provenance,
    /// The derived document as data (what `text` prints).
    pub document: Value,
    /// Problems worth a look that did not stop the derivation (`O006`), at the overlay.
    pub warnings: Vec<Diagnostic>,
}

impl Derived {
    /// Replaces the document (e.g. with the names [`crate::change::stable`] kept) and reprints
    /// `text`.
    pub fn set_document(&mut self, document: Value) -> Result<(), Vec<Diagnostic>> {
        let body = print(&document, &self.provenance.upstream_file)?;
        self.text = format!(
            "{}{body}",
            header(
                &self.provenance.upstream_file,
                &self.provenance.overlay_file
            )
        );
        self.document = document;
        Ok(())
    }
}

fn print(document: &Value, upstream_file: &str) -> Result<String, Vec<Diagnostic>> {
    serde_yaml::to_string(document).map_err(|e| {
        vec![located(
            Code::CannotPrint,
            upstream_file,
            None,
            "",
            format!("cannot print the derived document: {e}"),
            "report this: every parsed document should print",
        )]
    })
}

/// Where the nodes of a derived document came from: upstream, or an overlay action.
#[derive(Debug, Clone)]
pub struct Provenance {
    upstream_file: String,
    upstream: Value,
    upstream_map: SourceMap,
    overlay_file: String,
    overlay_map: SourceMap,
    /// The nodes each action selected, as JSON pointers of the document it applied to,
    /// in the order the actions ran.
    touched: Vec<(usize, String)>,
    /// Each action's `update` (`None` for a removal).
    updates: Vec<Option<Value>>,
}

impl Provenance {
    /// Moves `d`, a diagnostic located in the derived document, to where the maintainer
    /// edits: the overlay action that wrote its node (the latest one whose target is the
    /// node or contains it), else the node's line in the upstream document. A node that
    /// neither holds (none should) stays in the derived document.
    pub fn relocate(&self, d: &mut Diagnostic) {
        if let Some((index, update_pointer)) = self.writer(&d.pointer) {
            let pointer = self
                .overlay_map
                .line_of(&update_pointer)
                .map(|_| update_pointer)
                .unwrap_or_else(|| format!("/actions/{index}/target"));
            d.line = self.overlay_map.line_of(&pointer);
            d.file = self.overlay_file.clone();
            d.pointer = pointer;
        } else if self.upstream.pointer(&d.pointer).is_some() {
            d.line = self.upstream_map.line_of(&d.pointer).or(d.line);
            d.file = self.upstream_file.clone();
        }
    }

    /// The latest action that wrote the node at `at` (its `update` holds the node's key
    /// under the action's target), with the pointer of the deepest part of that `update`
    /// that leads to it.
    fn writer(&self, at: &str) -> Option<(usize, String)> {
        self.touched.iter().rev().find_map(|(index, target)| {
            let rest = at.strip_prefix(target.as_str())?;
            if !rest.starts_with('/') {
                return None;
            }
            let mut value = self.updates.get(*index)?.as_ref()?;
            let mut pointer = format!("/actions/{index}/update");
            let mut depth = 0;
            for token in rest.split('/').skip(1) {
                let key = unescape_token(token);
                let inner = value
                    .get(&key)
                    .or_else(|| key.parse::<usize>().ok().and_then(|i| value.get(i)));
                // The update stops short of the node: it wrote an ancestor's key.
                let Some(inner) = inner else { break };
                value = inner;
                pointer.push('/');
                pointer.push_str(token);
                depth += 1;
            }
            // The update must hold at least the first key below the target.
            (depth > 0).then_some((*index, pointer))
        })
    }
}

/// The first line of a derived spec.
pub fn header(upstream_file: &str, overlay_file: &str) -> String {
    format!(
        "# Derived from {upstream_file} (lomi.'s document, verbatim) and {overlay_file} (our \
         departures) by `{}`. Do not edit: change one of those and regenerate.\n",
        crate::emit::render::COMMAND
    )
}

/// Applies the overlay `overlay_text` (named `overlay_file`) to the document
/// `upstream_text` (named `upstream_file`), prunes what no operation reaches, and
/// returns the derived spec's text, or every problem found.
pub fn derive(
    upstream_file: &str,
    upstream_text: &str,
    overlay_file: &str,
    overlay_text: &str,
) -> Result<Derived, Vec<Diagnostic>> {
    derive_against(
        upstream_file,
        upstream_text,
        overlay_file,
        overlay_text,
        None,
    )
}

/// [`derive()`], knowing the published spec (the one the published client came from):
/// an action whose target matches nothing because lomi. moved the node is reported with
/// where it went ([`crate::change::moves`]), the actions one move breaks together.
pub fn derive_against(
    upstream_file: &str,
    upstream_text: &str,
    overlay_file: &str,
    overlay_text: &str,
    published: Option<&Value>,
) -> Result<Derived, Vec<Diagnostic>> {
    let (mut document, upstream_map) = parse_yaml(upstream_file, upstream_text)?;
    if !document.is_object() {
        return Err(vec![located(
            Code::UpstreamNotMapping,
            upstream_file,
            Some(1),
            "",
            "the upstream document must be a mapping at its top level".into(),
            "replace it with lomi.'s published OpenAPI document",
        )]);
    }
    let (overlay, overlay_map) = parse_overlay(overlay_file, overlay_text)?;
    let upstream = document.clone();
    let (touched, warnings) = apply(
        &mut document,
        &overlay,
        overlay_file,
        &overlay_map,
        published,
    )?;
    let pruned = prune(&mut document);
    let body = print(&document, upstream_file)?;
    Ok(Derived {
        text: format!("{}{body}", header(upstream_file, overlay_file)),
        document,
        pruned,
        warnings,
        provenance: Provenance {
            upstream_file: upstream_file.to_string(),
            upstream,
            upstream_map,
            overlay_file: overlay_file.to_string(),
            overlay_map,
            touched,
            updates: overlay.actions.iter().map(|a| a.update.clone()).collect(),
        },
    })
}

fn located(
    code: Code,
    file: &str,
    line: Option<usize>,
    pointer: &str,
    message: String,
    help: &str,
) -> Diagnostic {
    Diagnostic {
        code,
        file: file.to_string(),
        line,
        pointer: pointer.to_string(),
        message,
        help: help.to_string(),
    }
}

/// The document as JSON, with the lines of its nodes.
fn parse_yaml(file: &str, text: &str) -> Result<(Value, SourceMap), Vec<Diagnostic>> {
    let map = SourceMap::build(text);
    if let Some(d) = map.duplicates().first() {
        return Err(vec![located(
            Code::DuplicateKey,
            file,
            Some(d.line),
            &d.pointer,
            format!(
                "duplicate key `{}` (first at line {}); YAML keeps only the last one",
                unescape_token(d.pointer.rsplit('/').next().unwrap_or_default()),
                d.first_line
            ),
            "remove one of the two, or merge them",
        )]);
    }
    let value = serde_yaml::from_str(text).map_err(|e| {
        vec![located(
            Code::NotYaml,
            file,
            e.location().map(|l| l.line()),
            "",
            format!("{file} is not valid YAML or JSON: {e}"),
            "fix the syntax at this line (indentation, quoting, an unclosed bracket)",
        )]
    })?;
    Ok((value, map))
}

fn parse_overlay(file: &str, text: &str) -> Result<(Overlay, SourceMap), Vec<Diagnostic>> {
    let (value, map) = parse_yaml(file, text)?;
    match attempt::<Overlay>(&value) {
        Ok(overlay) => Ok((overlay, map)),
        Err((tokens, why)) => {
            let at = pointer(&tokens);
            Err(vec![located(
                Code::NotOverlay,
                file,
                map.line_of(&at).or(Some(1)),
                &at,
                format!("{file} is not an Overlay 1.0 document: {why}"),
                "start it with `overlay: 1.0.0`, `info: {title, version}` and `actions:`, each \
                 action a `target` with `update` or `remove: true`",
            )])
        }
    }
}

/// What applying an overlay gives: the nodes each action selected (see [`Provenance`]),
/// and the warnings about actions that applied.
type Applied = (Vec<(usize, String)>, Vec<Diagnostic>);

/// Applies the actions one at a time, in order, so that every failing one is reported.
/// Returns the nodes each action selected (see [`Provenance`]).
fn apply(
    document: &mut Value,
    overlay: &Overlay,
    file: &str,
    map: &SourceMap,
    published: Option<&Value>,
) -> Result<Applied, Vec<Diagnostic>> {
    // Long: the overlay's steps in order (parse, apply, locate, prune), each with its own error.
    let mut touched = Vec::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    // Actions that match nothing because their node moved: (index, where it went).
    let mut moved: Vec<(usize, crate::change::moves::Repointed)> = Vec::new();
    // The overlay without its actions, given one action at a time.
    let mut single = Overlay {
        actions: Vec::new(),
        ..overlay.clone()
    };
    for (index, action) in overlay.actions.iter().enumerate() {
        single.actions = vec![action.clone()];
        warnings.extend(update_warnings(
            document, index, action, file, map, &touched,
        ));
        if let Ok(path) = serde_json_path::JsonPath::parse(&action.target) {
            touched.extend(
                path.query_located(document)
                    .locations()
                    .map(|l| (index, l.to_json_pointer())),
            );
        }
        let options = ApplyOptions::ErrorOnZeroMatch | ApplyOptions::ErrorOnMixedKindMatch;
        let Err(e) = single.apply(document, options) else {
            continue;
        };
        let pointer = format!("/actions/{index}/target");
        let why = action
            .description
            .as_deref()
            .map(|d| format!(" (it is there because: {})", d.trim()))
            .unwrap_or_default();
        let code = match &e.kind {
            ApplyErrorKind::ZeroMatch => Code::ActionMatchesNothing,
            _ => Code::ActionCannotApply,
        };
        if code == Code::ActionMatchesNothing
            && let Some(r) = crate::change::moves::repoint(&action.target, document, published)
        {
            moved.push((index, r));
            continue;
        }
        let (message, help) = match &e.kind {
            ApplyErrorKind::ZeroMatch => (
                format!(
                    "overlay action {index} matches nothing in the upstream document: target `{}`{why}",
                    action.target
                ),
                "the upstream document changed under this action: point the target at where \
                 the node is now, or remove the action if upstream fixed what it fixed",
            ),
            kind => (
                format!(
                    "overlay action {index} (target `{}`) cannot be applied: {kind}",
                    action.target
                ),
                "fix the action: a target is an RFC 9535 JSONPath selecting objects or arrays, \
                 with `update` (merged in) or `remove: true`",
            ),
        };
        errors.push(located(
            code,
            file,
            map.line_of(&pointer),
            &pointer,
            message,
            help,
        ));
    }
    errors.splice(0..0, moved_actions(overlay, file, map, moved));
    if errors.is_empty() {
        Ok((touched, warnings))
    } else {
        Err(errors)
    }
}

/// `O007` for each property an action's `update` adds with no type to a `properties` that
/// has none of that name (unless an earlier action removed it: re-added untyped on
/// purpose), and `O006` for each value an action's `update` appends to an array that
/// already holds it: `update` merges objects key by key but appends to arrays (Overlay
/// 1.0; roas-overlay), so `update: {required: [a]}` on `required: [a]` makes `[a, a]`. To
/// replace an array, remove it in one action and add it in the next. Checked on the
/// document the action meets (the actions before it applied).
fn update_warnings(
    document: &Value,
    index: usize,
    action: &roas_overlay::v1_0::Action,
    file: &str,
    map: &SourceMap,
    earlier: &[(usize, String)],
) -> Vec<Diagnostic> {
    // Long: one check per kind of overlay action that lomi.'s update can invalidate, each a few lines.
    /// Values appended twice (`O006`), and properties added without a type (`O007`), by
    /// their pointer inside the update.
    #[derive(Default)]
    struct Found {
        duplicates: Vec<(String, Value)>,
        untyped: Vec<String>,
    }
    /// Merges `update` into `node` as roas-overlay would, noting what it finds; `in_properties`
    /// says that `node` is a schema's `properties`.
    fn walk(
        node: &Value,
        update: &Value,
        in_properties: bool,
        at: &mut Vec<String>,
        out: &mut Found,
    ) {
        match (node, update) {
            (Value::Object(n), Value::Object(u)) => {
                for (k, v) in u {
                    at.push(k.clone());
                    match n.get(k) {
                        Some(existing) => walk(existing, v, k == "properties", at, out),
                        None if in_properties && untyped(v) => {
                            out.untyped.push(pointer(at.iter()));
                        }
                        None => {}
                    }
                    at.pop();
                }
            }
            (Value::Array(n), Value::Array(u)) => {
                for v in u.iter().filter(|v| n.contains(v)) {
                    out.duplicates.push((pointer(at.iter()), v.clone()));
                }
            }
            _ => {}
        }
    }
    /// A property schema that says nothing of its type (a description, an example).
    fn untyped(schema: &Value) -> bool {
        const TYPING: &[&str] = &[
            "type",
            "$ref",
            "allOf",
            "oneOf",
            "anyOf",
            "enum",
            "properties",
            "items",
            "additionalProperties",
        ];
        schema
            .as_object()
            .is_some_and(|m| !m.keys().any(|k| TYPING.contains(&k.as_str())))
    }
    let (Some(update), Ok(path)) = (
        &action.update,
        serde_json_path::JsonPath::parse(&action.target),
    ) else {
        return Vec::new();
    };
    // A warning at the update's node `inner` (its line, else the update's).
    let warn = |code: Code, inner: &str, message: String, help: &str| {
        let at = format!("/actions/{index}/update{inner}");
        let line = map
            .line_of(&at)
            .or_else(|| map.line_of(&format!("/actions/{index}/update")));
        located(code, file, line, &at, message, help)
    };
    let mut warnings = Vec::new();
    for node in path.query_located(document).iter() {
        let target = node.location().to_json_pointer();
        let mut found = Found::default();
        let in_properties = target.ends_with("/properties");
        walk(
            node.node(),
            update,
            in_properties,
            &mut Vec::new(),
            &mut found,
        );
        for inner in found.untyped {
            // Removed by an earlier action and re-added here: untyped on purpose.
            let property = format!("{target}{inner}");
            if earlier.iter().any(|(_, at)| *at == property) {
                continue;
            }
            warnings.push(warn(
                Code::ActionAddsUntypedProperty,
                &inner,
                format!(
                    "overlay action {index} adds `{}` to `{target}` with no type: the upstream \
                     document has no such property there, so the client would get an \
                     untyped field",
                    inner.rsplit('/').next().unwrap_or_default(),
                ),
                "remove it from the action's update if lomi. dropped it; if lomi. still \
                 sends it, give it a type",
            ));
        }
        for (inner, value) in found.duplicates {
            warnings.push(warn(
                Code::ActionAppendsDuplicate,
                &inner,
                format!(
                    "overlay action {index} appends {value} to `{target}{inner}`, which already \
                     holds it: an `update` appends to arrays, so it would be there twice",
                ),
                "to replace the array, remove it in one action (`remove: true` on its target) \
                 and add the whole new array in the next; to add values, list only the new ones",
            ));
        }
    }
    warnings
}

/// One `O004` per move, naming every action it broke, each with its re-pointed target(s)
/// as an overlay action's `target:` line, ready to paste.
fn moved_actions(
    overlay: &Overlay,
    file: &str,
    map: &SourceMap,
    moved: Vec<(usize, crate::change::moves::Repointed)>,
) -> Vec<Diagnostic> {
    // The causes of a move, and the actions it broke.
    type Group = (Vec<String>, Vec<(usize, crate::change::moves::Repointed)>);
    let mut groups: Vec<Group> = Vec::new();
    for (index, r) in moved {
        let mut causes = r.causes.clone();
        causes.sort();
        match groups.iter_mut().find(|(c, _)| *c == causes) {
            Some((_, actions)) => actions.push((index, r)),
            None => groups.push((causes, vec![(index, r)])),
        }
    }
    groups
        .into_iter()
        .map(|(causes, actions)| {
            let first = format!("/actions/{}/target", actions[0].0);
            let count = actions.len();
            let mut help = String::from(if actions.iter().all(|(_, r)| r.is_moot()) {
                "remove each action: what it fixed is gone"
            } else {
                "re-point each action at where its node is now (paste each `target:` line):"
            });
            for (index, r) in &actions {
                let at = format!("/actions/{index}/target");
                let line = map
                    .line_of(&at)
                    .map(|l| format!("{file}:{l}"))
                    .unwrap_or_else(|| file.to_string());
                let why = overlay.actions[*index]
                    .description
                    .as_deref()
                    .map(|d| format!(" ({})", d.trim().lines().next().unwrap_or_default()))
                    .unwrap_or_default();
                help.push_str(&format!("\n    action {index} at {line}{why}:"));
                if r.is_moot() {
                    help.push_str(" remove the action:");
                } else if r.targets.len() > 1 {
                    help.push_str(" one action per target, each with the same update:");
                }
                for t in &r.targets {
                    help.push_str(&format!("\n      - target: {}", quoted(t)));
                }
                for g in &r.gone {
                    help.push_str(&format!("\n      ({g})"));
                }
                for t in &r.unmatched {
                    help.push_str(&format!(
                        "\n      (re-pointed, `{t}` selects nothing: lomi. may have fixed it there)"
                    ));
                }
            }
            let they = if count == 1 { "it" } else { "they" };
            let what = if causes.is_empty() {
                format!("removed what {they} would fix")
            } else {
                format!("moved what {they} would fix: {}", causes.join("; "))
            };
            located(
                Code::ActionMatchesNothing,
                file,
                map.line_of(&first),
                &first,
                format!(
                    "{count} overlay action{} nothing in the upstream document because lomi. \
                     {what}",
                    if count == 1 { " matches" } else { "s match" },
                ),
                &help,
            )
        })
        .collect()
}

/// A target as YAML writes it in the overlay (double-quoted).
fn quoted(target: &str) -> String {
    serde_json::to_string(target).unwrap_or_else(|_| target.to_string())
}

/// Removes the components, security schemes and tags that nothing outside `components`
/// reaches; returns what it removed.
pub fn prune(document: &mut Value) -> Vec<String> {
    let Some(root) = document.as_object() else {
        return Vec::new();
    };
    // Everything but `components` is a root of reachability.
    let mut reached: Vec<(String, String)> = Vec::new();
    let mut queue: Vec<&Value> = root
        .iter()
        .filter(|(k, _)| k.as_str() != "components")
        .map(|(_, v)| v)
        .collect();
    let components = root.get("components").and_then(Value::as_object);
    while let Some(node) = queue.pop() {
        let mut refs = Vec::new();
        collect_refs(node, &mut refs);
        for reference in refs {
            let Some(rest) = reference.strip_prefix("#/components/") else {
                continue;
            };
            let mut parts = rest.splitn(2, '/');
            let (Some(section), Some(name)) = (parts.next(), parts.next()) else {
                continue;
            };
            // A reference into a component (`…/schemas/a/properties/b`) keeps the component.
            let name = unescape_token(name.split('/').next().unwrap_or(name));
            let key = (section.to_string(), name);
            if reached.contains(&key) {
                continue;
            }
            if let Some(target) = components
                .and_then(|c| c.get(section))
                .and_then(|s| s.get(&key.1))
            {
                queue.push(target);
            }
            reached.push(key);
        }
    }
    let mut schemes = Vec::new();
    security_schemes(document, &mut schemes);
    let mut tags = Vec::new();
    operation_tags(document, &mut tags);

    let mut pruned = Vec::new();
    let root = document.as_object_mut().expect("checked above");
    if let Some(Value::Object(components)) = root.get_mut("components") {
        for (section, entries) in components.iter_mut() {
            let Value::Object(entries) = entries else {
                continue;
            };
            entries.retain(|name, _| {
                let keep = if section == "securitySchemes" {
                    schemes.contains(name)
                } else {
                    reached.contains(&(section.clone(), name.clone()))
                };
                if !keep {
                    pruned.push(format!("components/{section}/{name}"));
                }
                keep
            });
        }
        components
            .retain(|k, v| k.starts_with("x-") || v.as_object().is_none_or(|o| !o.is_empty()));
    }
    if let Some(Value::Array(declared)) = root.get_mut("tags") {
        declared.retain(|tag| {
            let name = tag.get("name").and_then(Value::as_str).unwrap_or_default();
            let keep = tags.iter().any(|t| t == name);
            if !keep {
                pruned.push(format!("tags/{name}"));
            }
            keep
        });
    }
    pruned
}

fn collect_refs<'a>(node: &'a Value, out: &mut Vec<&'a str>) {
    match node {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("$ref", Value::String(r)) => out.push(r),
                    // Examples are data: a `$ref` key inside one refers to nothing.
                    ("example", _) => {}
                    _ => collect_refs(child, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_refs(i, out)),
        _ => {}
    }
}

fn operations(document: &Value) -> impl Iterator<Item = &Map<String, Value>> {
    document
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(Value::as_object)
        .flat_map(|item| {
            item.iter()
                .filter(|(method, _)| METHODS.contains(&method.as_str()))
                .filter_map(|(_, op)| op.as_object())
        })
}

/// The security schemes the document's requirements name (top level and per operation).
fn security_schemes(document: &Value, out: &mut Vec<String>) {
    let requirements = std::iter::once(document.get("security"))
        .chain(operations(document).map(|op| op.get("security")))
        .flatten();
    for list in requirements.filter_map(Value::as_array) {
        for requirement in list.iter().filter_map(Value::as_object) {
            out.extend(requirement.keys().cloned());
        }
    }
}

fn operation_tags(document: &Value, out: &mut Vec<String>) {
    for op in operations(document) {
        if let Some(Value::Array(tags)) = op.get("tags") {
            out.extend(tags.iter().filter_map(Value::as_str).map(str::to_string));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UPSTREAM: &str = "openapi: 3.0.3
info: {title: t, version: '1'}
security: [{key: []}]
paths:
  /a:
    get:
      operationId: getA
      tags: [A]
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/a'}
  /b:
    get:
      operationId: getB
      tags: [B]
      security: [{other: []}]
      responses:
        '200': {$ref: '#/components/responses/b'}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-KEY}
    other: {type: apiKey, in: query, name: k}
  responses:
    b:
      description: ok
      content:
        application/json:
          schema: {$ref: '#/components/schemas/b'}
  schemas:
    a:
      type: object
      properties:
        child: {$ref: '#/components/schemas/child'}
    child: {type: string}
    b: {type: string}
    unused: {type: string}
tags:
  - name: A
  - name: B
";

    fn overlay(actions: &str) -> String {
        format!("overlay: 1.0.0\ninfo: {{title: ours, version: '1'}}\nactions:\n{actions}")
    }

    #[test]
    fn an_overlay_keeps_one_path_and_pruning_drops_what_only_the_other_used() {
        let out = derive(
            "up.yaml",
            UPSTREAM,
            "ov.yaml",
            &overlay(
                "  - target: \"$.paths['/b']\"\n    description: not ours\n    remove: true\n",
            ),
        )
        .unwrap();
        assert!(
            out.text
                .starts_with("# Derived from up.yaml (lomi.'s document, verbatim) and ov.yaml")
        );
        let doc: Value = serde_yaml::from_str(&out.text).unwrap();
        assert_eq!(doc["paths"].as_object().unwrap().len(), 1);
        let schemas: Vec<&String> = doc["components"]["schemas"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(schemas, ["a", "child"]);
        assert_eq!(
            out.pruned,
            [
                "components/securitySchemes/other",
                "components/responses/b",
                "components/schemas/b",
                "components/schemas/unused",
                "tags/B"
            ]
        );
        assert!(
            doc["components"].get("responses").is_none(),
            "an emptied section goes"
        );
        // Upstream's key order is kept.
        let keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["openapi", "info", "security", "paths", "components", "tags"]
        );
    }

    /// `update` appends to arrays: a value an array already holds is a warning at the
    /// action, saying how to replace an array instead.
    #[test]
    fn an_update_that_appends_a_value_already_there_is_a_warning() {
        let upstream = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n\
                        components:\n  schemas:\n    a:\n      type: object\n      \
                        required: [x]\n      properties: {x: {type: string}, y: {type: string}}\n";
        let out = derive(
            "up.yaml",
            upstream,
            "ov.yaml",
            &overlay(
                "  - target: $.components.schemas.a\n    description: y too\n    \
                 update:\n      required: [x, y]\n",
            ),
        )
        .unwrap();
        let shown: Vec<String> = out.warnings.iter().map(|d| d.to_string()).collect();
        assert_eq!(shown.len(), 1, "{shown:#?}");
        assert!(
            shown[0].starts_with(
                "warning[O006]: overlay action 0 appends \"x\" to `/components/schemas/a/required`, which already holds it"
            ),
            "{}",
            shown[0]
        );
        assert!(shown[0].contains("--> ov.yaml:"), "{}", shown[0]);
        assert!(shown[0].contains("remove it in one action"), "{}", shown[0]);
        // A property an update describes but the schema no longer has: O007.
        let out = derive(
            "up.yaml",
            upstream,
            "ov.yaml",
            &overlay(
                "  - target: $.components.schemas.a.properties\n    update:\n      \
                 x: {description: kept}\n      gone: {description: dropped upstream}\n      \
                 added: {type: integer}\n",
            ),
        )
        .unwrap();
        let shown: Vec<String> = out.warnings.iter().map(|d| d.to_string()).collect();
        assert_eq!(shown.len(), 1, "{shown:#?}");
        assert!(
            shown[0].starts_with(
                "warning[O007]: overlay action 0 adds `gone` to `/components/schemas/a/properties` with no type"
            ),
            "{}",
            shown[0]
        );
        assert!(
            shown[0].contains("at /actions/0/update/gone"),
            "{}",
            shown[0]
        );
        // Only the new value: no warning.
        let out = derive(
            "up.yaml",
            upstream,
            "ov.yaml",
            &overlay("  - target: $.components.schemas.a\n    update:\n      required: [y]\n"),
        )
        .unwrap();
        assert!(out.warnings.is_empty());
    }

    #[test]
    fn every_action_that_matches_nothing_is_an_error_at_its_line() {
        let errors = derive(
            "up.yaml",
            UPSTREAM,
            "ov.yaml",
            &overlay(
                "  - target: \"$.paths['/gone']\"\n    description: drop the old one\n    remove: true\n  \
                 - target: $.info\n    update: {x-ok: true}\n  \
                 - target: $.paths['/a'].post\n    update: {summary: s}\n",
            ),
        )
        .unwrap_err();
        let shown: Vec<String> = errors
            .iter()
            .map(|d| format!("{}: {}", d.location(), d.message))
            .collect();
        assert_eq!(
            shown,
            [
                "ov.yaml:4: overlay action 0 matches nothing in the upstream document: target `$.paths['/gone']` (it is there because: drop the old one)",
                "ov.yaml:9: overlay action 2 matches nothing in the upstream document: target `$.paths['/a'].post`",
            ]
        );
    }

    #[test]
    fn a_broken_overlay_or_path_is_located() {
        let e = derive(
            "up.yaml",
            UPSTREAM,
            "ov.yaml",
            "overlay: 1.0.0\ninfo: {title: t}\nactions: []\n",
        )
        .unwrap_err();
        assert!(
            e[0].message.contains("not an Overlay 1.0 document"),
            "{}",
            e[0]
        );
        let e = derive(
            "up.yaml",
            UPSTREAM,
            "ov.yaml",
            &overlay("  - target: $.paths[?\n    remove: true\n"),
        )
        .unwrap_err();
        assert!(
            e[0].message
                .starts_with("overlay action 0 (target `$.paths[?`) cannot be applied"),
            "{}",
            e[0]
        );
        assert_eq!(e[0].line, Some(4));
        let e = derive("up.yaml", "a: [", "ov.yaml", &overlay("  []")).unwrap_err();
        assert!(
            e[0].message.starts_with("up.yaml is not valid YAML"),
            "{}",
            e[0]
        );
    }
}
