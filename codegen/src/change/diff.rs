//! What changed between two versions of the spec, for the users of the generated client:
//! each change classified as breaking or not, and the version bump it calls for.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use openapiv3::{
    OpenAPI, Operation, Parameter, ParameterSchemaOrContent, ReferenceOr, Schema, SchemaKind,
    SecurityScheme, Type,
};
use serde_json::{Value, json};

use crate::change::pairing::same_server;
use crate::spec::model::Model;
use crate::spec::refs::resolve;

/// Declares [`ChangeKind`] from one table, a row per kind: the variant, its stable code,
/// the bump it calls for and its title. The enum, [`ChangeKind::ALL`] and each lookup
/// come from the rows, so a kind is written once.
macro_rules! change_kinds {
    ($($variant:ident = $id:literal, $bump:ident, $title:literal;)*) => {
        /// What kind of change a [`Change`] is: a stable code (`S004`) and, decided here
        /// and nowhere else, the version bump it calls for.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum ChangeKind {
            $(
                #[doc = concat!("`", $id, "` (", stringify!($bump), "): ", $title, ".")]
                $variant,
            )*
        }

        impl ChangeKind {
            /// Every kind, in order.
            pub const ALL: &[ChangeKind] = &[$(ChangeKind::$variant),*];

            /// The stable code (`S004`).
            pub fn id(self) -> &'static str {
                match self {
                    $(ChangeKind::$variant => $id,)*
                }
            }

            /// The version bump this kind of change calls for.
            pub fn bump(self) -> Bump {
                match self {
                    $(ChangeKind::$variant => Bump::$bump,)*
                }
            }

            /// What the change is, in a few words.
            pub fn title(self) -> &'static str {
                match self {
                    $(ChangeKind::$variant => $title,)*
                }
            }

            /// Whether code that compiled and worked against the old client may break.
            pub fn is_breaking(self) -> bool {
                self.bump() == Bump::Major
            }
        }
    };
}

change_kinds! {
    OperationRemoved = "S001", Major, "an operation was removed (its client method goes away)";
    OperationIdChanged = "S002", Major, "an operationId changed (its client method is renamed)";
    OperationAdded = "S003", Minor, "an operation was added";
    RequiredParameterAdded = "S004", Major, "a required parameter was added";
    OptionalParameterAdded = "S005", Minor, "an optional parameter was added";
    ParameterBecameRequired = "S006", Major, "a parameter became required";
    ParameterBecameOptional = "S007", Patch, "a parameter became optional";
    ParameterTypeChanged = "S008", Major, "a parameter's type changed";
    ParameterBoundsTightened = "S009", Major, "a parameter's bounds were tightened";
    ParameterBoundsLoosened = "S010", Patch, "a parameter's bounds were loosened";
    ParameterRemoved = "S011", Major, "a parameter was removed";
    RequiredBodyAdded = "S012", Major, "a required request body was added";
    OptionalBodyAdded = "S013", Minor, "an optional request body was added";
    BodyRemoved = "S014", Major, "a request body was removed";
    BodyBecameRequired = "S015", Major, "a request body became required";
    SuccessStatusRemoved = "S016", Major, "a success status was removed";
    ErrorStatusRemoved = "S017", Patch, "an error status was removed";
    StatusAdded = "S018", Patch, "a response status was added";
    SchemaRemoved = "S019", Major, "a schema was removed (its Rust type goes away)";
    SchemaAdded = "S020", Minor, "a schema was added";
    SchemaTypeChanged = "S021", Major, "a schema's type changed";
    EnumValueRemoved = "S022", Major, "an enum value was removed (its variant goes away)";
    EnumValueAdded = "S023", Minor, "an enum value was added (open, non-exhaustive enums take it)";
    PropertyRemoved = "S024", Major, "a property was removed";
    PropertyTypeChanged = "S025", Major, "a property's type changed";
    RequiredPropertyAdded = "S026", Major, "a required property was added";
    OptionalPropertyAdded = "S027", Minor, "an optional property was added (models are non-exhaustive)";
    PropertyBecameRequired = "S028", Major, "a property became required (its Rust type loses the Option)";
    PropertyBecameOptional = "S029", Major, "a property became optional (its Rust type becomes an Option)";
    ServerRemoved = "S030", Major, "a server was removed";
    ServerAdded = "S031", Patch, "a server was added";
    SecuritySchemeRemoved = "S032", Major, "a security scheme was removed";
    SecuritySchemeChanged = "S033", Major, "a security scheme changed";
    SecuritySchemeAdded = "S034", Major, "a security scheme was added (requests may need new credentials)";
    PathParameterRenamed = "S035", Patch, "a path parameter was renamed (same wire; its Rust setter is kept)";
    PathParameterSetterRenamed = "S036", Major, "a path parameter was renamed, and its Rust setter with it";
    OperationIdChangedMethodKept = "S037", Patch, "an operationId changed (its Rust method is kept)";
    OperationMoved = "S038", Patch, "an operation moved to another path (the client calls the new one)";
    SchemaRenamedTypeKept = "S039", Patch, "a schema was renamed or moved inline (its Rust type is kept)";
    ParameterWidened = "S040", Patch, "a parameter's type widened from integer to number (its setter takes both)";
    ServerMoved = "S041", Patch, "a server's URL changed (the client sends to the new one)";
    ResponseBodyChanged = "S042", Major, "a success response's body changed its Rust type";
}

/// One change, as a client user sees it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// Whether code that compiled and worked against the old client may break (the
    /// kind's; first, so that breaking changes sort first).
    pub breaking: bool,
    /// What kind of change it is.
    pub kind: ChangeKind,
    /// Where: `GET /checkout_sessions`, `schema checkout_sessions`, `servers`…
    pub location: String,
    /// What changed, in a sentence.
    pub message: String,
}

pub use crate::change::bump::Bump;

/// All changes between two specs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Breaking changes first, then by location.
    pub changes: Vec<Change>,
    /// What changes in the generated Rust API (methods, setters, types, fields and
    /// variants added, removed or renamed), breaking first.
    pub rust: Vec<crate::change::rust_api::Change>,
    /// The client crate the versions are of (`lomi-client` unless the caller says).
    pub client: String,
}

impl Report {
    /// Whether any change is breaking, on the wire or in the Rust API.
    pub fn is_breaking(&self) -> bool {
        self.bump() == Bump::Major
    }

    /// The kind of bump the changes call for: the largest of theirs, on the wire and in
    /// the Rust API.
    pub fn bump(&self) -> Bump {
        self.changes
            .iter()
            .map(|c| c.kind.bump())
            .chain(self.rust.iter().map(crate::change::rust_api::Change::bump))
            .max()
            .unwrap_or(Bump::None)
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
            (Bump::Minor, _) => format!("{major}.{}.0", minor + 1),
            (Bump::Patch, _) => format!("{major}.{minor}.{}", patch + 1),
        })
    }

    /// One line: counts and the suggested version.
    pub fn summary(&self, current_version: &str) -> String {
        let breaking = self.changes.iter().filter(|c| c.breaking).count();
        let other = self.changes.len() - breaking;
        if self.changes.is_empty() && self.rust.is_empty() {
            return "no changes a client user can see".into();
        }
        let next = self
            .next_version(current_version)
            .unwrap_or_else(|| "?".into());
        let rust = if self.rust.is_empty() {
            String::new()
        } else {
            let breaking = self.rust.iter().filter(|c| c.bump() == Bump::Major).count();
            format!(
                "; Rust API: {breaking} breaking, {} non-breaking",
                self.rust.len() - breaking
            )
        };
        format!(
            "{breaking} breaking, {other} non-breaking change{}{rust}: {} {current_version} → {next}",
            if self.changes.len() == 1 { "" } else { "s" },
            self.client
        )
    }

    /// The report as plain text.
    pub fn to_text(&self, current_version: &str) -> String {
        let mut out = String::new();
        self.sections(
            &mut out,
            |title| format!("{title} changes:"),
            |c| format!("  - [{}] {}: {}", c.kind.id(), c.location, c.message),
        );
        if !self.rust.is_empty() {
            let _ = writeln!(out, "Rust API:");
            for c in &self.rust {
                let _ = writeln!(out, "  - [{:?}] {}", c.bump(), c.describe());
            }
            out.push('\n');
        }
        let _ = writeln!(out, "{}", self.summary(current_version));
        out
    }

    /// The report as Markdown, for a pull request.
    pub fn to_markdown(&self, current_version: &str) -> String {
        let mut out = String::from("## Spec changes\n\n");
        self.sections(
            &mut out,
            |title| format!("### {title}\n"),
            |c| format!("- {} `{}`: {}", c.kind.id(), c.location, c.message),
        );
        if !self.rust.is_empty() {
            let _ = writeln!(out, "### Rust API\n");
            for c in &self.rust {
                let _ = writeln!(out, "- {:?}: {}", c.bump(), c.describe());
            }
            out.push('\n');
        }
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
            "bump": format!("{:?}", self.bump()).to_lowercase(),
            "changes": self.changes.iter().map(|c| json!({
                "code": c.kind.id(),
                "bump": format!("{:?}", c.kind.bump()).to_lowercase(),
                "breaking": c.breaking,
                "location": c.location,
                "message": c.message,
            })).collect::<Vec<_>>(),
            "rust_api": self.rust.iter().map(|c| json!({
                "bump": format!("{:?}", c.bump()).to_lowercase(),
                "change": c.describe(),
            })).collect::<Vec<_>>(),
        })
    }
}

/// Compares two specs.
pub fn diff(old: &OpenAPI, new: &OpenAPI) -> Report {
    // Each spec lowered once, its operations paired once, for every comparison below.
    let (old_model, new_model) = (Model::lower(old), Model::lower(new));
    let pairs = pairs(&old_model, &new_model);
    let mut d = Differ {
        old,
        new,
        old_model: &old_model,
        new_model: &new_model,
        pairs: &pairs,
        out: Vec::new(),
    };
    d.operations();
    d.schemas();
    d.servers();
    d.security();
    let mut changes = d.out;
    changes.sort_by(|a, b| (!a.breaking, &a.location).cmp(&(!b.breaking, &b.location)));
    changes.dedup();
    // A moved operation's method and setters are compared under its new identity.
    let moved = moved_identities(&old_model, &new_model, &pairs);
    let mut old_surface = crate::change::rust_api::surface_of(&old_model);
    for item in &mut old_surface {
        if let Some((from, to)) = moved.iter().find(|(from, _)| {
            item.identity == *from || item.identity.starts_with(&format!("{from} "))
        }) {
            item.identity = format!("{to}{}", &item.identity[from.len()..]);
        }
    }
    let rust = crate::change::rust_api::compare(
        &old_surface,
        &crate::change::rust_api::surface_of(&new_model),
    );
    Report {
        changes,
        rust,
        client: "lomi-client".into(),
    }
}

struct Differ<'a> {
    old: &'a OpenAPI,
    new: &'a OpenAPI,
    old_model: &'a Model<'a>,
    new_model: &'a Model<'a>,
    /// Which old operation is which new one.
    pairs: &'a [crate::change::pairing::Pair],
    out: Vec<Change>,
}

/// An operation as the diff compares it: its `METHOD /path` label, the operation, its
/// parameters by name, and its path parameters in path order.
type Op<'a> = (
    String,
    &'a Operation,
    BTreeMap<String, &'a Parameter>,
    Vec<String>,
);

/// The operations of `model`, in document order, with their `METHOD /path shape` (path
/// parameters as `{}`): the identity the Rust API report gives them.
fn operations_of<'a>(model: &Model<'a>) -> Vec<(String, Op<'a>)> {
    model
        .operations
        .iter()
        .map(|op| {
            let params = op
                .params
                .iter()
                .map(|p| (p.name().to_string(), p.param))
                .collect();
            let (shape, names) = crate::plan::path_shape(op.path);
            (
                format!("{} {shape}", op.http_method.to_uppercase()),
                (op.label.clone(), op.op, params, names),
            )
        })
        .collect()
}

/// The Rust type a response's JSON body decodes into, as text: a model's type name
/// (`x-lomi-rust-name` or typify's), `a list of …`, an inline model's name, or the shape
/// of anything else.
fn body_type(
    spec: &OpenAPI,
    op: &Operation,
    response: &ReferenceOr<openapiv3::Response>,
) -> Option<String> {
    let response = resolve(response, spec.components.as_ref(), |c| &c.responses)?;
    let schema = crate::plan::json_schema(&response.content)?;
    let inline = op
        .operation_id
        .as_deref()
        .map(|id| crate::plan::sanitize_pascal(&format!("{id}-response")));
    Some(type_of(spec, schema, inline))
}

fn type_of(spec: &OpenAPI, schema: &ReferenceOr<Schema>, inline_name: Option<String>) -> String {
    match schema {
        ReferenceOr::Reference { reference } => {
            let name = reference.rsplit('/').next().unwrap_or(reference);
            match resolve(schema, spec.components.as_ref(), |c| &c.schemas) {
                Some(s) => format!("`{}`", crate::plan::type_name_of(name, s)),
                None => format!("`{name}`"),
            }
        }
        ReferenceOr::Item(s) => match &s.schema_kind {
            SchemaKind::Type(Type::Array(a)) => {
                let item = match &a.items {
                    None => "anything".to_string(),
                    Some(ReferenceOr::Reference { reference }) => type_of(
                        spec,
                        &ReferenceOr::Reference {
                            reference: reference.clone(),
                        },
                        None,
                    ),
                    Some(ReferenceOr::Item(b)) => item_shape(b),
                };
                format!("a list of {item}")
            }
            SchemaKind::Type(Type::Object(_)) => {
                let name = crate::plan::rust_name(&s.schema_data.extensions)
                    .map(str::to_string)
                    .or(inline_name)
                    .unwrap_or_else(|| "an object".into());
                format!("`{name}`")
            }
            _ => item_shape(s),
        },
    }
}

/// Which old operation is which new one ([`crate::change::pairing`]), as indices.
fn pairs(old: &Model<'_>, new: &Model<'_>) -> Vec<crate::change::pairing::Pair> {
    let keys = |m: &Model<'_>| -> Vec<(String, String, Option<String>)> {
        m.operations
            .iter()
            .map(|op| {
                (
                    op.http_method.to_string(),
                    op.path.to_string(),
                    op.op.tags.first().cloned(),
                )
            })
            .collect()
    };
    crate::change::pairing::pair_owned(&keys(old), &keys(new))
}

/// For each operation that moved, its old `METHOD /path shape` and its new one: the Rust
/// API report compares a moved operation's method and setters as one operation's.
fn moved_identities(
    old: &Model<'_>,
    new: &Model<'_>,
    pairs: &[crate::change::pairing::Pair],
) -> Vec<(String, String)> {
    let (old_ops, new_ops) = (operations_of(old), operations_of(new));
    pairs
        .iter()
        .filter(|p| p.how == crate::change::pairing::Pairing::Moved)
        .map(|p| (old_ops[p.old].0.clone(), new_ops[p.new].0.clone()))
        .collect()
}

/// The Rust name of an operation or parameter: its `x-lomi-rust-name`, else the rule's.
fn rust_name_or(extensions: &indexmap::IndexMap<String, serde_json::Value>, name: &str) -> String {
    crate::plan::pinned_or(
        crate::plan::rust_name(extensions),
        name,
        crate::plan::Case::Snake,
    )
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

/// A schema's type and format as the client sees them: a format typify maps to the same
/// Rust type as none (`number/double` is `f64` like `number`, `string/uri` a `String`)
/// is left out, so that a document that drops it changes nothing here.
fn item_shape(s: &Schema) -> String {
    let value = serde_json::to_value(&s.schema_kind).unwrap_or(Value::Null);
    let typ = value.get("type").and_then(Value::as_str).unwrap_or("any");
    let format = value.get("format").and_then(Value::as_str);
    let typed = match (typ, format) {
        ("number", Some("float")) => format,
        ("number", _) => None,
        ("integer", Some("int64")) => None,
        ("string", Some(f)) => {
            const TYPED: &[&str] = &[
                "uuid",
                "date",
                "date-time",
                "ip",
                "ipv4",
                "ipv6",
                "binary",
                "byte",
            ];
            TYPED.contains(&f).then_some(f)
        }
        _ => format,
    };
    match typed {
        Some(f) => format!("{typ}/{f}"),
        None => typ.to_string(),
    }
}

/// A bound and whether it is exclusive.
type Bound = Option<(f64, bool)>;

/// Which end of a range a bound is.
#[derive(Clone, Copy)]
enum Side {
    Low,
    High,
}

/// `(lower, upper)` of what the client checks: a number's minimum and maximum (exclusive
/// or not), a string's minimum and maximum length.
fn bounds(schema: &Schema) -> (Bound, Bound) {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Integer(i)) => (
            i.minimum.map(|v| (v as f64, i.exclusive_minimum)),
            i.maximum.map(|v| (v as f64, i.exclusive_maximum)),
        ),
        SchemaKind::Type(Type::Number(n)) => (
            n.minimum.map(|v| (v, n.exclusive_minimum)),
            n.maximum.map(|v| (v, n.exclusive_maximum)),
        ),
        SchemaKind::Type(Type::String(s)) => (
            s.min_length.map(|v| (v as f64, false)),
            s.max_length.map(|v| (v as f64, false)),
        ),
        _ => (None, None),
    }
}

/// Whether the bound `new` admits less than `old` on its `side` (a bound where there was
/// none, a stricter value, or the same value made exclusive).
fn tighter(old: Bound, new: Bound, side: Side) -> bool {
    match (old, new) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some((o, ox)), Some((n, nx))) => {
            let stricter = match side {
                Side::Low => n > o,
                Side::High => n < o,
            };
            stricter || (n == o && nx && !ox)
        }
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

/// A path parameter renamed in place: (old path, new path, old name, new name, old
/// setter, new setter).
type Renamed = (String, String, String, String, String, String);

impl Differ<'_> {
    fn push(&mut self, kind: ChangeKind, location: impl Into<String>, message: String) {
        self.out.push(Change {
            breaking: kind.is_breaking(),
            kind,
            location: location.into(),
            message,
        });
    }

    fn operations(&mut self) {
        let old_ops = operations_of(self.old_model);
        let new_ops = operations_of(self.new_model);
        let pairs = self.pairs;
        for (i, (_, (label, op, _, _))) in old_ops.iter().enumerate() {
            if !pairs.iter().any(|p| p.old == i) {
                let name = op.operation_id.as_deref().unwrap_or("?");
                self.push(
                    ChangeKind::OperationRemoved,
                    label,
                    format!("operation removed (`{name}`)"),
                );
            }
        }
        // Renamed path parameters, one change each whatever the methods that take them.
        let mut renamed: Vec<(Renamed, Vec<String>)> = Vec::new();
        for pair in pairs {
            let (_, (old_label, old_op, old_params, old_names)) = &old_ops[pair.old];
            let (_, (label, new_op, new_params, new_names)) = &new_ops[pair.new];
            if pair.how == crate::change::pairing::Pairing::Moved {
                self.push(
                    ChangeKind::OperationMoved,
                    label,
                    format!("operation moved from `{old_label}`"),
                );
            }
            self.operation_id(label, old_op, new_op);
            // A path parameter renamed in place is the same parameter: compare it under
            // its new name, and say what became of its setter.
            let mut old_params = old_params.clone();
            for (old_name, new_name) in old_names.iter().zip(new_names) {
                if old_name == new_name {
                    continue;
                }
                let (Some(old_p), Some(new_p)) =
                    (old_params.remove(old_name), new_params.get(new_name))
                else {
                    continue;
                };
                let old_setter = rust_name_or(&old_p.parameter_data_ref().extensions, old_name);
                let new_setter = rust_name_or(&new_p.parameter_data_ref().extensions, new_name);
                let (_, new_path) = label.split_once(' ').unwrap_or(("", label));
                let (method, old_path) = old_label.split_once(' ').unwrap_or(("", old_label));
                let key = (
                    old_path.to_string(),
                    new_path.to_string(),
                    old_name.clone(),
                    new_name.clone(),
                    old_setter,
                    new_setter,
                );
                match renamed.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, methods)) => methods.push(method.to_string()),
                    None => renamed.push((key, vec![method.to_string()])),
                }
                old_params.insert(new_name.clone(), old_p);
            }
            self.parameters(label, &old_params, new_params);
            self.request_body(label, old_op, new_op);
            self.statuses(label, old_op, new_op);
            self.response_bodies(label, old_op, new_op);
        }
        self.renamed_path_parameters(renamed);
        for (i, (_, (label, op, _, _))) in new_ops.iter().enumerate() {
            if !pairs.iter().any(|p| p.new == i) {
                let name = op.operation_id.as_deref().unwrap_or("?");
                self.push(
                    ChangeKind::OperationAdded,
                    label,
                    format!("operation added (`{name}`)"),
                );
            }
        }
    }

    /// What became of the client method when the operationId changed.
    fn operation_id(&mut self, label: &str, old_op: &Operation, new_op: &Operation) {
        let (old_id, new_id) = (
            old_op.operation_id.as_deref().unwrap_or("?"),
            new_op.operation_id.as_deref().unwrap_or("?"),
        );
        if old_id != new_id {
            let (old_method, new_method) = (
                rust_name_or(&old_op.extensions, old_id),
                rust_name_or(&new_op.extensions, new_id),
            );
            if old_method == new_method {
                self.push(
                    ChangeKind::OperationIdChangedMethodKept,
                    label,
                    format!(
                        "operationId changed from `{old_id}` to `{new_id}`; the client \
                         method keeps its name `{new_method}`"
                    ),
                );
            } else {
                self.push(
                    ChangeKind::OperationIdChanged,
                    label,
                    format!(
                        "operationId changed from `{old_id}` to `{new_id}`: the client \
                         method `{old_method}` is renamed `{new_method}`"
                    ),
                );
            }
        }
    }

    /// One change per path parameter renamed in place, whatever the methods that take it.
    fn renamed_path_parameters(&mut self, renamed: Vec<(Renamed, Vec<String>)>) {
        for ((old_path, new_path, old_name, new_name, old_setter, new_setter), methods) in renamed {
            let methods = methods.join(", ");
            if old_setter == new_setter {
                self.push(
                    ChangeKind::PathParameterRenamed,
                    &new_path,
                    format!(
                        "path parameter `{{{old_name}}}` renamed `{{{new_name}}}` ({methods}; \
                         was `{old_path}`): the same wire, and the Rust setter keeps its name \
                         `{new_setter}`"
                    ),
                );
            } else {
                self.push(
                    ChangeKind::PathParameterSetterRenamed,
                    &new_path,
                    format!(
                        "path parameter `{{{old_name}}}` renamed `{{{new_name}}}` ({methods}; \
                         was `{old_path}`): the Rust setter `{old_setter}` is renamed \
                         `{new_setter}`"
                    ),
                );
            }
        }
    }

    fn parameters(
        &mut self,
        at: &str,
        old: &BTreeMap<String, &Parameter>,
        new: &BTreeMap<String, &Parameter>,
    ) {
        // Long: one comparison per way a parameter changes (gone, added, required, type, bounds), each a few lines.
        let (old_c, new_c) = (self.old.components.as_ref(), self.new.components.as_ref());
        for (name, p) in new {
            let required = p.parameter_data_ref().required;
            match old.get(name) {
                None => self.push(
                    if required {
                        ChangeKind::RequiredParameterAdded
                    } else {
                        ChangeKind::OptionalParameterAdded
                    },
                    at,
                    format!(
                        "{} parameter `{name}` added",
                        if required { "required" } else { "optional" }
                    ),
                ),
                Some(o) => {
                    let (od, nd) = (o.parameter_data_ref(), p.parameter_data_ref());
                    if !od.required && nd.required {
                        self.push(
                            ChangeKind::ParameterBecameRequired,
                            at,
                            format!("parameter `{name}` became required"),
                        );
                    }
                    if od.required && !nd.required {
                        self.push(
                            ChangeKind::ParameterBecameOptional,
                            at,
                            format!("parameter `{name}` became optional"),
                        );
                    }
                    if let (
                        ParameterSchemaOrContent::Schema(os),
                        ParameterSchemaOrContent::Schema(ns),
                    ) = (&od.format, &nd.format)
                    {
                        let (oshape, nshape) = (shape(os), shape(ns));
                        if oshape == "integer" && nshape == "number" {
                            self.push(
                                ChangeKind::ParameterWidened,
                                at,
                                format!(
                                    "parameter `{name}` widened from integer to number (its \
                                     setter takes integers as before)"
                                ),
                            );
                        } else if oshape != nshape {
                            self.push(
                                ChangeKind::ParameterTypeChanged,
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
                        let tightened =
                            tighter(omin, nmin, Side::Low) || tighter(omax, nmax, Side::High);
                        let loosened =
                            tighter(nmin, omin, Side::Low) || tighter(nmax, omax, Side::High);
                        let range = |lo: Bound, hi: Bound| {
                            let what =
                                if matches!(os.schema_kind, SchemaKind::Type(Type::String(_))) {
                                    "length "
                                } else {
                                    ""
                                };
                            let low = lo.map_or(String::new(), |(v, x)| {
                                format!("{v}{}", if x { " (exclusive)" } else { "" })
                            });
                            let high = hi.map_or(String::new(), |(v, x)| {
                                format!("{}{v}", if x { "< " } else { "" })
                            });
                            if lo.is_none() && hi.is_none() {
                                "unbounded".to_string()
                            } else if hi.is_some_and(|(_, x)| x) {
                                format!("{what}{low}..{high}")
                            } else {
                                format!("{what}{low}..={high}")
                            }
                        };
                        if tightened || loosened {
                            self.push(
                                if tightened {
                                    ChangeKind::ParameterBoundsTightened
                                } else {
                                    ChangeKind::ParameterBoundsLoosened
                                },
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
            self.push(
                ChangeKind::ParameterRemoved,
                at,
                format!("parameter `{name}` removed"),
            );
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
                if b.required {
                    ChangeKind::RequiredBodyAdded
                } else {
                    ChangeKind::OptionalBodyAdded
                },
                at,
                format!(
                    "{} request body added",
                    if b.required { "required" } else { "optional" }
                ),
            ),
            (Some(_), None) => {
                self.push(ChangeKind::BodyRemoved, at, "request body removed".into())
            }
            (Some(o), Some(n)) if !o.required && n.required => self.push(
                ChangeKind::BodyBecameRequired,
                at,
                "request body became required".into(),
            ),
            _ => {}
        }
    }

    /// Each success status both versions answer, when its body is of another Rust type
    /// (compared by type names, so a schema renamed with its type kept is no change).
    fn response_bodies(&mut self, at: &str, old: &Operation, new: &Operation) {
        for (code, old_response) in &old.responses.responses {
            if !matches!(code, openapiv3::StatusCode::Code(c) if (200..300).contains(c)) {
                continue;
            }
            let Some(new_response) = new.responses.responses.get(code) else {
                continue;
            };
            let (before, after) = (
                body_type(self.old, old, old_response),
                body_type(self.new, new, new_response),
            );
            if before != after {
                let show = |t: Option<String>| t.unwrap_or_else(|| "no body".into());
                self.push(
                    ChangeKind::ResponseBodyChanged,
                    at,
                    format!(
                        "the {code} response changed from {} to {}",
                        show(before),
                        show(after)
                    ),
                );
            }
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
            let kind = if success(c) {
                ChangeKind::SuccessStatusRemoved
            } else {
                ChangeKind::ErrorStatusRemoved
            };
            self.push(kind, at, format!("response status {c} removed"));
        }
        for c in n.difference(&o) {
            self.push(
                ChangeKind::StatusAdded,
                at,
                format!("response status {c} added"),
            );
        }
    }

    fn schemas(&mut self) {
        let empty = indexmap::IndexMap::new();
        let old = self.old.components.as_ref().map_or(&empty, |c| &c.schemas);
        let new = self.new.components.as_ref().map_or(&empty, |c| &c.schemas);
        let type_name = |name: &str, schema: &ReferenceOr<Schema>| match schema {
            ReferenceOr::Item(s) => crate::plan::type_name_of(name, s),
            ReferenceOr::Reference { .. } => crate::plan::sanitize_pascal(name),
        };
        // Where a Rust type kept by `x-lomi-rust-name` is now: another component, or an
        // inline body or response.
        let inline: Vec<_> = crate::plan::inline_schemas(self.new_model)
            .into_iter()
            .filter(|i| matches!(i.schema.schema_kind, SchemaKind::Type(Type::Object(_))))
            .collect();
        let mut taken: Vec<String> = Vec::new();
        for (name, schema) in old {
            let at = format!("schema {name}");
            let Some(new_schema) = new.get(name) else {
                let kept = type_name(name, schema);
                let twin = new
                    .iter()
                    .find(|(n, s)| !old.contains_key(*n) && type_name(n, s) == kept)
                    .map(|(n, s)| (format!("`{n}`"), s.as_item()))
                    .or_else(|| {
                        inline
                            .iter()
                            .find(|i| i.type_name() == kept)
                            .map(|i| (format!("{} (inline)", i.place), Some(i.schema)))
                    });
                match (twin, schema) {
                    (Some((now, Some(n))), ReferenceOr::Item(o)) => {
                        taken.push(now.clone());
                        self.push(
                            ChangeKind::SchemaRenamedTypeKept,
                            &at,
                            format!("schema is now {now}; its Rust type `{kept}` is kept"),
                        );
                        self.schema(&at, o, n);
                    }
                    _ => self.push(
                        ChangeKind::SchemaRemoved,
                        at,
                        "schema removed (its Rust type goes away)".into(),
                    ),
                }
                continue;
            };
            let (ReferenceOr::Item(o), ReferenceOr::Item(n)) = (schema, new_schema) else {
                continue;
            };
            self.schema(&at, o, n);
        }
        for name in new.keys().filter(|n| !old.contains_key(*n)) {
            if taken.contains(&format!("`{name}`")) {
                continue;
            }
            self.push(
                ChangeKind::SchemaAdded,
                format!("schema {name}"),
                "schema added".into(),
            );
        }
    }

    fn schema(&mut self, at: &str, old: &Schema, new: &Schema) {
        // Long: one comparison per way a schema changes (type, enum values, properties), each a few lines.
        let (os, ns) = (item_shape(old), item_shape(new));
        if os != ns {
            self.push(
                ChangeKind::SchemaTypeChanged,
                at,
                format!("type changed from {os} to {ns}"),
            );
            return;
        }
        if let (Some(ov), Some(nv)) = (enum_values(old), enum_values(new)) {
            for v in ov.iter().filter(|v| !nv.contains(v)) {
                self.push(
                    ChangeKind::EnumValueRemoved,
                    at,
                    format!("enum value `{v}` removed (its variant goes away)"),
                );
            }
            for v in nv.iter().filter(|v| !ov.contains(v)) {
                self.push(
                    ChangeKind::EnumValueAdded,
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
                None => self.push(
                    ChangeKind::PropertyRemoved,
                    at,
                    format!("property `{prop}` removed"),
                ),
                Some(new_schema) => {
                    let (os, ns) = (shape(schema), shape(new_schema));
                    if os != ns {
                        self.push(
                            ChangeKind::PropertyTypeChanged,
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
                if required {
                    ChangeKind::RequiredPropertyAdded
                } else {
                    ChangeKind::OptionalPropertyAdded
                },
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
                ChangeKind::PropertyBecameRequired,
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
                ChangeKind::PropertyBecameOptional,
                at,
                format!("property `{prop}` became optional (its Rust type becomes an Option)"),
            );
        }
    }

    fn servers(&mut self) {
        let urls =
            |s: &OpenAPI| -> Vec<String> { s.servers.iter().map(|s| s.url.clone()).collect() };
        let (o, n) = (urls(self.old), urls(self.new));
        let (gone, came): (Vec<&String>, Vec<&String>) = (
            o.iter().filter(|u| !n.contains(u)).collect(),
            n.iter().filter(|u| !o.contains(u)).collect(),
        );
        // A server whose URL lost or gained a path segment (`…/v1` → `…`), where that
        // pairs one to one, is the same environment moved.
        let mut paired = Vec::new();
        for old_url in &gone {
            let matches: Vec<&&String> = came.iter().filter(|c| same_server(old_url, c)).collect();
            if let [new_url] = matches.as_slice()
                && gone.iter().filter(|g| same_server(g, new_url)).count() == 1
            {
                paired.push(((*old_url).clone(), (**new_url).clone()));
            }
        }
        for url in gone {
            match paired.iter().find(|(from, _)| from == url) {
                Some((_, to)) => self.push(
                    ChangeKind::ServerMoved,
                    "servers",
                    format!("server `{url}` is now `{to}`"),
                ),
                None => self.push(
                    ChangeKind::ServerRemoved,
                    "servers",
                    format!("server `{url}` removed"),
                ),
            }
        }
        for url in came
            .into_iter()
            .filter(|u| !paired.iter().any(|(_, to)| to == *u))
        {
            self.push(
                ChangeKind::ServerAdded,
                "servers",
                format!("server `{url}` added"),
            );
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
        // A scheme renamed with the same definition (`ApiKeyAuth` → `api-key`, the same
        // `X-API-KEY` header) sends the same credentials: no change for users.
        let renamed = |name: &String,
                       text: &String,
                       other: &BTreeMap<String, String>,
                       this: &BTreeMap<String, String>| {
            !other.contains_key(name)
                && other
                    .iter()
                    .any(|(k, t)| t == text && !this.contains_key(k))
        };
        for (name, old) in &o {
            if renamed(name, old, &n, &o) {
                continue;
            }
            match n.get(name) {
                None => self.push(
                    ChangeKind::SecuritySchemeRemoved,
                    "security",
                    format!("security scheme `{name}` removed"),
                ),
                Some(new) if new != old => self.push(
                    ChangeKind::SecuritySchemeChanged,
                    "security",
                    format!("security scheme `{name}` changed from {old} to {new}"),
                ),
                _ => {}
            }
        }
        for name in n
            .iter()
            .filter(|(k, text)| !o.contains_key(*k) && !renamed(k, text, &o, &n))
            .map(|(k, _)| k)
        {
            self.push(
                ChangeKind::SecuritySchemeAdded,
                "security",
                format!("security scheme `{name}` added (requests may need new credentials)"),
            );
        }
    }
}
