//! What changed between two versions of the spec, for the users of the generated client:
//! each change classified as breaking or not, and the version bump it calls for.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use openapiv3::{
    OpenAPI, Operation, Parameter, ParameterSchemaOrContent, ReferenceOr, Schema, SchemaKind,
    SecurityScheme, Type,
};
use serde_json::{Value, json};

use crate::model::Model;
use crate::refs::resolve;

/// One change, as a client user sees it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// Whether code that compiled and worked against the old client may break.
    pub breaking: bool,
    /// Where: `GET /checkout_sessions`, `schema checkout_sessions`, `servers`…
    pub location: String,
    /// What changed, in a sentence.
    pub message: String,
}

/// How `lomi-client`'s version should move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    /// Nothing a user can see changed.
    None,
    /// Fixes and additions only.
    Patch,
    /// New features, nothing breaks (from 1.0).
    Minor,
    /// Something breaks.
    Major,
}

/// All changes between two specs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Breaking changes first, then by location.
    pub changes: Vec<Change>,
}

impl Report {
    /// Whether any change is breaking.
    pub fn is_breaking(&self) -> bool {
        self.changes.iter().any(|c| c.breaking)
    }

    /// The kind of bump the changes call for.
    pub fn bump(&self) -> Bump {
        if self.is_breaking() {
            Bump::Major
        } else if self.changes.is_empty() {
            Bump::None
        } else {
            Bump::Minor
        }
    }

    /// The version `current` (`major.minor.patch`) should become. Before 1.0, a breaking
    /// change bumps the minor version and anything else the patch, as Cargo reads 0.x.
    pub fn next_version(&self, current: &str) -> Option<String> {
        let mut parts = current.split('.').map(|p| p.parse::<u64>().ok());
        let (Some(Some(major)), Some(Some(minor)), Some(Some(patch))) =
            (parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        Some(match (self.bump(), major) {
            (Bump::None, _) => current.to_string(),
            (Bump::Major, 0) => format!("0.{}.0", minor + 1),
            (_, 0) => format!("0.{minor}.{}", patch + 1),
            (Bump::Major, _) => format!("{}.0.0", major + 1),
            (_, _) => format!("{major}.{}.0", minor + 1),
        })
    }

    /// One line: counts and the suggested version.
    pub fn summary(&self, current_version: &str) -> String {
        let breaking = self.changes.iter().filter(|c| c.breaking).count();
        let other = self.changes.len() - breaking;
        if self.changes.is_empty() {
            return "no changes a client user can see".into();
        }
        let next = self
            .next_version(current_version)
            .unwrap_or_else(|| "?".into());
        format!(
            "{breaking} breaking, {other} non-breaking change{}: lomi-client {current_version} → {next}",
            if self.changes.len() == 1 { "" } else { "s" }
        )
    }

    /// The report as plain text.
    pub fn to_text(&self, current_version: &str) -> String {
        let mut out = String::new();
        self.sections(
            &mut out,
            |title| format!("{title} changes:"),
            |c| format!("  - {}: {}", c.location, c.message),
        );
        let _ = writeln!(out, "{}", self.summary(current_version));
        out
    }

    /// The report as Markdown, for a pull request.
    pub fn to_markdown(&self, current_version: &str) -> String {
        let mut out = String::from("## Spec changes\n\n");
        self.sections(
            &mut out,
            |title| format!("### {title}\n"),
            |c| format!("- `{}`: {}", c.location, c.message),
        );
        let _ = writeln!(out, "**{}**", self.summary(current_version));
        out
    }

    /// Breaking, then non-breaking changes, each under a heading when there are any.
    fn sections(
        &self,
        out: &mut String,
        heading: impl Fn(&str) -> String,
        item: impl Fn(&Change) -> String,
    ) {
        for (title, breaking) in [("Breaking", true), ("Non-breaking", false)] {
            let mut list = self
                .changes
                .iter()
                .filter(|c| c.breaking == breaking)
                .peekable();
            if list.peek().is_none() {
                continue;
            }
            let _ = writeln!(out, "{}", heading(title));
            for c in list {
                let _ = writeln!(out, "{}", item(c));
            }
            out.push('\n');
        }
    }

    /// The report as JSON.
    pub fn to_json(&self, current_version: &str) -> Value {
        json!({
            "breaking": self.is_breaking(),
            "current_version": current_version,
            "suggested_version": self.next_version(current_version),
            "changes": self.changes.iter().map(|c| json!({
                "breaking": c.breaking,
                "location": c.location,
                "message": c.message,
            })).collect::<Vec<_>>(),
        })
    }
}

/// Compares two specs.
pub fn diff(old: &OpenAPI, new: &OpenAPI) -> Report {
    let mut d = Differ {
        old,
        new,
        out: Vec::new(),
    };
    d.operations();
    d.schemas();
    d.servers();
    d.security();
    let mut changes = d.out;
    changes.sort_by(|a, b| (!a.breaking, &a.location).cmp(&(!b.breaking, &b.location)));
    changes.dedup();
    Report { changes }
}

struct Differ<'a> {
    old: &'a OpenAPI,
    new: &'a OpenAPI,
    out: Vec<Change>,
}

/// The operations of `model` by `METHOD /path`, each with its parameters by name.
fn operations_of<'a>(
    model: &Model<'a>,
) -> BTreeMap<String, (&'a Operation, BTreeMap<String, &'a Parameter>)> {
    model
        .operations
        .iter()
        .map(|op| {
            let params = op
                .params
                .iter()
                .map(|p| (p.name().to_string(), p.param))
                .collect();
            (op.label.clone(), (op.op, params))
        })
        .collect()
}

/// `type` and `format` of a schema, as text (`integer`, `string/uuid`, `$ref Name`).
fn shape<S: std::borrow::Borrow<Schema>>(schema: &ReferenceOr<S>) -> String {
    match schema {
        ReferenceOr::Reference { reference } => {
            format!("$ref {}", reference.rsplit('/').next().unwrap_or(reference))
        }
        ReferenceOr::Item(s) => item_shape(s.borrow()),
    }
}

fn item_shape(s: &Schema) -> String {
    let value = serde_json::to_value(&s.schema_kind).unwrap_or(Value::Null);
    let typ = value.get("type").and_then(Value::as_str).unwrap_or("any");
    match value.get("format").and_then(Value::as_str) {
        Some(f) => format!("{typ}/{f}"),
        None => typ.to_string(),
    }
}

/// `(minimum, maximum)` of a numeric schema.
fn bounds(schema: &Schema) -> (Option<f64>, Option<f64>) {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Integer(i)) => {
            (i.minimum.map(|v| v as f64), i.maximum.map(|v| v as f64))
        }
        SchemaKind::Type(Type::Number(n)) => (n.minimum, n.maximum),
        _ => (None, None),
    }
}

fn enum_values(schema: &Schema) -> Option<Vec<String>> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => {
            Some(s.enumeration.iter().flatten().cloned().collect())
        }
        _ => None,
    }
}

impl Differ<'_> {
    fn push(&mut self, breaking: bool, location: impl Into<String>, message: String) {
        self.out.push(Change {
            breaking,
            location: location.into(),
            message,
        });
    }

    fn operations(&mut self) {
        let (old_model, new_model) = (Model::lower(self.old), Model::lower(self.new));
        let old_ops = operations_of(&old_model);
        let new_ops = operations_of(&new_model);
        for (key, (op, _)) in &old_ops {
            if !new_ops.contains_key(key) {
                let name = op.operation_id.as_deref().unwrap_or("?");
                self.push(true, key, format!("operation removed (`{name}`)"));
            }
        }
        for (key, (old_op, old_params)) in &old_ops {
            let Some((new_op, new_params)) = new_ops.get(key) else {
                continue;
            };
            if old_op.operation_id != new_op.operation_id {
                self.push(
                    true,
                    key,
                    format!(
                        "operationId changed from `{}` to `{}`: the client method is renamed",
                        old_op.operation_id.as_deref().unwrap_or("?"),
                        new_op.operation_id.as_deref().unwrap_or("?")
                    ),
                );
            }
            self.parameters(key, old_params, new_params);
            self.request_body(key, old_op, new_op);
            self.statuses(key, old_op, new_op);
        }
        for (key, (op, _)) in &new_ops {
            if !old_ops.contains_key(key) {
                let name = op.operation_id.as_deref().unwrap_or("?");
                self.push(false, key, format!("operation added (`{name}`)"));
            }
        }
    }

    fn parameters(
        &mut self,
        at: &str,
        old: &BTreeMap<String, &Parameter>,
        new: &BTreeMap<String, &Parameter>,
    ) {
        let (old_c, new_c) = (self.old.components.as_ref(), self.new.components.as_ref());
        for (name, p) in new {
            let required = p.parameter_data_ref().required;
            match old.get(name) {
                None => self.push(
                    required,
                    at,
                    format!(
                        "{} parameter `{name}` added",
                        if required { "required" } else { "optional" }
                    ),
                ),
                Some(o) => {
                    let (od, nd) = (o.parameter_data_ref(), p.parameter_data_ref());
                    if !od.required && nd.required {
                        self.push(true, at, format!("parameter `{name}` became required"));
                    }
                    if od.required && !nd.required {
                        self.push(false, at, format!("parameter `{name}` became optional"));
                    }
                    if let (
                        ParameterSchemaOrContent::Schema(os),
                        ParameterSchemaOrContent::Schema(ns),
                    ) = (&od.format, &nd.format)
                    {
                        let (oshape, nshape) = (shape(os), shape(ns));
                        if oshape != nshape {
                            self.push(
                                true,
                                at,
                                format!(
                                    "parameter `{name}` changed type from {oshape} to {nshape}"
                                ),
                            );
                            continue;
                        }
                        let (Some(os), Some(ns)) = (
                            resolve(os, old_c, |c| &c.schemas),
                            resolve(ns, new_c, |c| &c.schemas),
                        ) else {
                            continue;
                        };
                        let ((omin, omax), (nmin, nmax)) = (bounds(os), bounds(ns));
                        let tightened = nmin
                            .zip(omin.or(Some(f64::MIN)))
                            .is_some_and(|(n, o)| n > o)
                            || nmax
                                .zip(omax.or(Some(f64::MAX)))
                                .is_some_and(|(n, o)| n < o);
                        let loosened = omin.is_some_and(|o| nmin.is_none_or(|n| n < o))
                            || omax.is_some_and(|o| nmax.is_none_or(|n| n > o));
                        let range = |lo: Option<f64>, hi: Option<f64>| {
                            format!(
                                "{}..={}",
                                lo.map_or("".into(), |v| v.to_string()),
                                hi.map_or("".into(), |v| v.to_string())
                            )
                        };
                        if tightened || loosened {
                            self.push(
                                tightened,
                                at,
                                format!(
                                    "parameter `{name}` bounds {} from {} to {}",
                                    if tightened { "tightened" } else { "loosened" },
                                    range(omin, omax),
                                    range(nmin, nmax)
                                ),
                            );
                        }
                    }
                }
            }
        }
        for name in old.keys().filter(|n| !new.contains_key(*n)) {
            self.push(true, at, format!("parameter `{name}` removed"));
        }
    }

    fn request_body(&mut self, at: &str, old: &Operation, new: &Operation) {
        let (old_c, new_c) = (self.old.components.as_ref(), self.new.components.as_ref());
        let old_body = old
            .request_body
            .as_ref()
            .and_then(|b| resolve(b, old_c, |c| &c.request_bodies));
        let new_body = new
            .request_body
            .as_ref()
            .and_then(|b| resolve(b, new_c, |c| &c.request_bodies));
        match (old_body, new_body) {
            (None, Some(b)) => self.push(
                b.required,
                at,
                format!(
                    "{} request body added",
                    if b.required { "required" } else { "optional" }
                ),
            ),
            (Some(_), None) => self.push(true, at, "request body removed".into()),
            (Some(o), Some(n)) if !o.required && n.required => {
                self.push(true, at, "request body became required".into())
            }
            _ => {}
        }
    }

    fn statuses(&mut self, at: &str, old: &Operation, new: &Operation) {
        let codes = |op: &Operation| -> BTreeSet<String> {
            op.responses
                .responses
                .keys()
                .map(|c| c.to_string())
                .chain(op.responses.default.iter().map(|_| "default".to_string()))
                .collect()
        };
        let (o, n) = (codes(old), codes(new));
        let success = |c: &str| c.starts_with('2') || c == "default";
        for c in o.difference(&n) {
            self.push(success(c), at, format!("response status {c} removed"));
        }
        for c in n.difference(&o) {
            self.push(false, at, format!("response status {c} added"));
        }
    }

    fn schemas(&mut self) {
        let empty = indexmap::IndexMap::new();
        let old = self.old.components.as_ref().map_or(&empty, |c| &c.schemas);
        let new = self.new.components.as_ref().map_or(&empty, |c| &c.schemas);
        for (name, schema) in old {
            let at = format!("schema {name}");
            let Some(new_schema) = new.get(name) else {
                self.push(true, at, "schema removed (its Rust type goes away)".into());
                continue;
            };
            let (ReferenceOr::Item(o), ReferenceOr::Item(n)) = (schema, new_schema) else {
                continue;
            };
            self.schema(&at, o, n);
        }
        for name in new.keys().filter(|n| !old.contains_key(*n)) {
            self.push(false, format!("schema {name}"), "schema added".into());
        }
    }

    fn schema(&mut self, at: &str, old: &Schema, new: &Schema) {
        let (os, ns) = (item_shape(old), item_shape(new));
        if os != ns {
            self.push(true, at, format!("type changed from {os} to {ns}"));
            return;
        }
        if let (Some(ov), Some(nv)) = (enum_values(old), enum_values(new)) {
            for v in ov.iter().filter(|v| !nv.contains(v)) {
                self.push(
                    true,
                    at,
                    format!("enum value `{v}` removed (its variant goes away)"),
                );
            }
            for v in nv.iter().filter(|v| !ov.contains(v)) {
                self.push(
                    false,
                    at,
                    format!(
                        "enum value `{v}` added (safe only because the client's enums are open: \
                         older clients decode it as `Unknown(\"{v}\")`)"
                    ),
                );
            }
        }
        let (SchemaKind::Type(Type::Object(o)), SchemaKind::Type(Type::Object(n))) =
            (&old.schema_kind, &new.schema_kind)
        else {
            return;
        };
        for (prop, schema) in &o.properties {
            match n.properties.get(prop) {
                None => self.push(true, at, format!("property `{prop}` removed")),
                Some(new_schema) => {
                    let (os, ns) = (shape(schema), shape(new_schema));
                    if os != ns {
                        self.push(
                            true,
                            at,
                            format!("property `{prop}` changed type from {os} to {ns}"),
                        );
                    } else if let (ReferenceOr::Item(os), ReferenceOr::Item(ns)) =
                        (schema, new_schema)
                    {
                        self.schema(&format!("{at}.{prop}"), os, ns);
                    }
                }
            }
        }
        for prop in n
            .properties
            .keys()
            .filter(|p| !o.properties.contains_key(*p))
        {
            let required = n.required.contains(prop);
            self.push(
                required,
                at,
                format!(
                    "{} property `{prop}` added",
                    if required { "required" } else { "optional" }
                ),
            );
        }
        for prop in n
            .required
            .iter()
            .filter(|p| !o.required.contains(p) && o.properties.contains_key(*p))
        {
            self.push(
                true,
                at,
                format!("property `{prop}` became required (requests must set it; its Rust type loses the Option)"),
            );
        }
        for prop in o
            .required
            .iter()
            .filter(|p| !n.required.contains(p) && n.properties.contains_key(*p))
        {
            self.push(
                true,
                at,
                format!("property `{prop}` became optional (its Rust type becomes an Option)"),
            );
        }
    }

    fn servers(&mut self) {
        let urls =
            |s: &OpenAPI| -> BTreeSet<String> { s.servers.iter().map(|s| s.url.clone()).collect() };
        let (o, n) = (urls(self.old), urls(self.new));
        for url in o.difference(&n) {
            self.push(true, "servers", format!("server `{url}` removed"));
        }
        for url in n.difference(&o) {
            self.push(false, "servers", format!("server `{url}` added"));
        }
    }

    fn security(&mut self) {
        let schemes = |s: &OpenAPI| -> BTreeMap<String, String> {
            s.components
                .iter()
                .flat_map(|c| c.security_schemes.iter())
                .map(|(name, scheme)| {
                    let text = match scheme {
                        ReferenceOr::Item(SecurityScheme::APIKey {
                            location,
                            name: header,
                            ..
                        }) => {
                            format!("apiKey in {location:?} `{header}`")
                        }
                        ReferenceOr::Item(other) => {
                            serde_json::to_string(other).unwrap_or_default()
                        }
                        ReferenceOr::Reference { reference } => reference.clone(),
                    };
                    (name.clone(), text)
                })
                .collect()
        };
        let (o, n) = (schemes(self.old), schemes(self.new));
        for (name, old) in &o {
            match n.get(name) {
                None => self.push(
                    true,
                    "security",
                    format!("security scheme `{name}` removed"),
                ),
                Some(new) if new != old => self.push(
                    true,
                    "security",
                    format!("security scheme `{name}` changed from {old} to {new}"),
                ),
                _ => {}
            }
        }
        for name in n.keys().filter(|k| !o.contains_key(*k)) {
            self.push(
                true,
                "security",
                format!("security scheme `{name}` added (requests may need new credentials)"),
            );
        }
    }
}
