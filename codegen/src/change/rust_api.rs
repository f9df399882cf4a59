//! The public Rust API a spec generates, as names ([`surface`]), and what changes in it
//! between two specs ([`compare`]), with the semver bump Cargo's rules call for given the
//! code we generate: models and enums are `#[non_exhaustive]`, so a field or a variant
//! added is a minor change, never a major one.
//!
//! The wire report ([`crate::change::diff`]) says what changes on the wire; this says what a
//! shop's Rust code sees: methods, setters, types, fields and variants added, removed or
//! renamed. Both come from the same plan and naming rule the generator uses.

use openapiv3::{OpenAPI, ReferenceOr, SchemaKind, Type};

use crate::change::bump::Bump;
use crate::plan::{self, Plan};
use crate::spec::model::Model;

/// What kind of public item a name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ItemKind {
    /// `Client::list_checkout_sessions`, and a builder's `stream`.
    Method,
    /// `builder::RetrieveCheckoutSession::session_id`.
    Setter,
    /// `types::CheckoutSessions`.
    Type,
    /// `types::CheckoutSessions::checkout_url`.
    Field,
    /// `types::CurrencyCode::Xof`.
    Variant,
    /// A matcher of lomi-httpmock's `When`: `operations::RetrieveCheckoutSessionWhen::session_id`.
    Matcher,
    /// A command of `lomi`: `lomi checkout-sessions create`.
    Command,
    /// A flag of a command: `--session-id` of `lomi checkout-sessions retrieve`.
    Flag,
}

impl ItemKind {
    fn word(self) -> &'static str {
        match self {
            ItemKind::Method => "method",
            ItemKind::Setter => "setter",
            ItemKind::Type => "type",
            ItemKind::Field => "field",
            ItemKind::Variant => "variant",
            ItemKind::Matcher => "matcher",
            ItemKind::Command => "command",
            ItemKind::Flag => "flag",
        }
    }
}

/// One public name: its kind, where it lives and what it is called, and what it is on
/// the wire (two names of one identity in two specs are a rename).
#[derive(Clone, Debug, PartialOrd, Ord)]
pub struct Item {
    /// The kind of item.
    pub kind: ItemKind,
    /// Where it lives (`Client`, `builder::ListCheckoutSessions`, `types::CheckoutSessions`;
    /// `types` for a type).
    pub parent: String,
    /// Its name.
    pub name: String,
    /// What it is on the wire: an operation's method and path shape, a path parameter's
    /// position in it, a schema's or property's definition.
    pub identity: String,
}

/// Items are the same public name, whatever they are on the wire.
impl PartialEq for Item {
    fn eq(&self, other: &Self) -> bool {
        (self.kind, &self.parent, &self.name) == (other.kind, &other.parent, &other.name)
    }
}

impl Eq for Item {}

impl Item {
    /// `parent::name`.
    pub fn path(&self) -> String {
        match self.kind {
            // `lomi checkout-sessions create`, `lomi checkout-sessions create --limit`.
            ItemKind::Command | ItemKind::Flag => format!("{} {}", self.parent, self.name),
            _ => format!("{}::{}", self.parent, self.name),
        }
    }

    /// Which generated crate or program the name is part of: a rename pairs names of one
    /// face (the client's setter with the client's, httpmock's matcher with httpmock's).
    fn face(&self) -> &'static str {
        match self.kind {
            ItemKind::Command | ItemKind::Flag => "lomi",
            _ if self.parent.starts_with("lomi_httpmock") => "lomi-httpmock",
            _ => "lomi-client",
        }
    }

    /// Whether the item holds others (a type its fields and variants, a command its
    /// flags), named by its [`Item::path`] as their parent.
    fn is_container(&self) -> bool {
        matches!(self.kind, ItemKind::Type | ItemKind::Command)
    }
}

/// The public names the generator makes from `spec` (a linted, normalized document).
pub fn surface(spec: &OpenAPI) -> Vec<Item> {
    surface_of(&Model::lower(spec))
}

/// [`surface`] of a spec already lowered.
pub fn surface_of(model: &Model<'_>) -> Vec<Item> {
    let plan = plan::plan_model(model);
    let mut out = Vec::new();
    operations(&plan, &mut out);
    models(model, &plan, &mut out);
    out.sort();
    out.dedup();
    out
}

fn item(
    kind: ItemKind,
    parent: impl Into<String>,
    name: impl Into<String>,
    identity: impl Into<String>,
) -> Item {
    Item {
        kind,
        parent: parent.into(),
        name: name.into(),
        identity: identity.into(),
    }
}

/// Each operation's public names on every face, each with the wire identity of what it
/// stands for: the client's method, builder setters and `stream`; lomi-httpmock's
/// `MockServerExt` method, `When`/`Then` types and `When` matchers; the `lomi` command
/// and its flags.
fn operations(plan: &Plan, out: &mut Vec<Item>) {
    for (op, (resource, verb)) in plan.operations.iter().zip(crate::emit::cli::commands(plan)) {
        let (path_shape, path_names) = plan::path_shape(&op.path);
        let id = format!("{} {path_shape}", op.http_method);
        let builder = format!("builder::{}", op.builder);
        let when = format!("lomi_httpmock::operations::{}When", op.builder);
        let command = format!("lomi {resource} {verb}");
        out.push(item(ItemKind::Method, "Client", &op.method, &id));
        out.push(item(
            ItemKind::Method,
            "lomi_httpmock::MockServerExt",
            &op.method,
            &id,
        ));
        for end in ["When", "Then"] {
            out.push(item(
                ItemKind::Type,
                "lomi_httpmock::operations",
                format!("{}{end}", op.builder),
                format!("{id} {end}"),
            ));
        }
        out.push(item(
            ItemKind::Command,
            "lomi",
            format!("{resource} {verb}"),
            &id,
        ));
        for p in &op.params {
            let wire = match path_names.iter().position(|n| *n == p.name) {
                Some(i) => format!("{id} path #{i}"),
                None => format!("{id} {:?} {}", p.location, p.name),
            };
            out.push(item(ItemKind::Setter, &builder, &p.field, &wire));
            out.push(item(ItemKind::Matcher, &when, &p.field, &wire));
            let flag = format!("--{}", crate::emit::cli::flag(&p.field));
            out.push(item(ItemKind::Flag, &command, flag, wire));
        }
        for p in op.body.iter().flat_map(|b| &b.properties) {
            out.push(item(
                ItemKind::Flag,
                &command,
                format!("--{}", crate::emit::cli::flag(&p.field)),
                format!("{id} body {}", p.name),
            ));
        }
        if op.body.is_some() {
            out.push(item(
                ItemKind::Setter,
                &builder,
                "body",
                format!("{id} body"),
            ));
        }
        if op.paginated() {
            out.push(item(
                ItemKind::Method,
                &builder,
                "stream",
                format!("{id} stream"),
            ));
        }
    }
}

/// A schema's definition as text, without the extensions that only name things.
fn definition<T: serde::Serialize>(schema: &T) -> String {
    serde_json::to_value(schema)
        .map(|v| crate::change::stable::definition(&v).to_string())
        .unwrap_or_default()
}

fn models(model: &Model<'_>, plan: &Plan, out: &mut Vec<Item>) {
    if let Some(components) = model.components() {
        for (name, schema) in &components.schemas {
            if let ReferenceOr::Item(schema) = schema {
                let type_name = plan::type_name_of(name, schema);
                model_items(name, &type_name, schema, plan, out);
            }
        }
    }
    // An inline JSON request body or success response that is an object is a type too,
    // named as progenitor names it (`{OpId}Body`, `{OpId}Response`) unless pinned.
    for inline in plan::inline_schemas(model) {
        if matches!(inline.schema.schema_kind, SchemaKind::Type(Type::Object(_))) {
            let name = &inline.progenitor_name;
            model_items(name, inline.type_name(), inline.schema, plan, out);
        }
    }
}

/// A model type's public names: the type, its fields, its variants.
fn model_items(
    name: &str,
    type_name: &str,
    schema: &openapiv3::Schema,
    plan: &Plan,
    out: &mut Vec<Item>,
) {
    let type_identity = definition(schema);
    out.push(item(ItemKind::Type, "types", type_name, &type_identity));
    let parent = format!("types::{type_name}");
    if let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind {
        for (property, s) in &object.properties {
            let field = match s {
                ReferenceOr::Item(s) => plan::pinned_or(
                    plan::rust_name(&s.schema_data.extensions),
                    property,
                    plan::Case::Snake,
                ),
                ReferenceOr::Reference { .. } => plan::sanitize_snake(property),
            };
            let required = object.required.contains(property);
            let identity = format!("{name} {required} {}", definition(s));
            out.push(item(ItemKind::Field, &parent, field, identity));
        }
    }
    if let Some(e) = plan.enums.iter().find(|e| e.schema == name) {
        for (value, variant) in &e.variants {
            out.push(item(
                ItemKind::Variant,
                &parent,
                variant,
                format!("{name} {value}"),
            ));
        }
    }
}

/// What happened to a public name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// It appeared.
    Added(Item),
    /// It went away.
    Removed(Item),
    /// It went away and another of its kind appeared in the same place, alone: the same
    /// thing under a new name.
    Renamed {
        /// The old name.
        from: Item,
        /// The new one.
        to: Item,
    },
}

impl Change {
    /// The bump Cargo's semver rules call for, given the generated code: removing or
    /// renaming a public item breaks callers; adding a method, setter or type does not;
    /// a field or variant added to a `#[non_exhaustive]` model or enum does not either.
    pub fn bump(&self) -> Bump {
        match self {
            Change::Added(_) => Bump::Minor,
            Change::Removed(_) | Change::Renamed { .. } => Bump::Major,
        }
    }

    /// One line, e.g. `setter builder::RetrieveCheckoutSession::session_id renamed id`.
    pub fn describe(&self) -> String {
        match self {
            Change::Added(i) => format!("{} `{}` added", i.kind.word(), i.path()),
            Change::Removed(i) => format!("{} `{}` removed", i.kind.word(), i.path()),
            Change::Renamed { from, to } => format!(
                "{} `{}` renamed `{}`",
                from.kind.word(),
                from.path(),
                to.name
            ),
        }
    }
}

/// The changes from `old` to `new`, removals and renames first.
pub fn compare(old: &[Item], new: &[Item]) -> Vec<Change> {
    let removed: Vec<&Item> = old.iter().filter(|i| !new.contains(i)).collect();
    let added: Vec<&Item> = new.iter().filter(|i| !old.contains(i)).collect();
    let mut out = Vec::new();
    let mut paired_added: Vec<&Item> = Vec::new();
    for r in &removed {
        // The same thing on the wire, alone under a new name.
        let same =
            |i: &&&Item| i.kind == r.kind && i.identity == r.identity && i.face() == r.face();
        let twins: Vec<&&Item> = added.iter().filter(same).collect();
        if twins.len() == 1 && removed.iter().filter(same).count() == 1 {
            out.push(Change::Renamed {
                from: (*r).clone(),
                to: (**twins[0]).clone(),
            });
            paired_added.push(twins[0]);
        } else {
            out.push(Change::Removed((*r).clone()));
        }
    }
    for a in added {
        if !paired_added.contains(&a) {
            out.push(Change::Added(a.clone()));
        }
    }
    // A type renamed moves its fields and variants too: say it once.
    let renamed_types: Vec<(String, String)> = out
        .iter()
        .filter_map(|c| match c {
            Change::Renamed { from, to } if from.is_container() => Some((from.path(), to.path())),
            _ => None,
        })
        .collect();
    // A type removed or added takes its fields and variants with it: say it once.
    let whole = |kind: fn(&Change) -> Option<&Item>| -> Vec<String> {
        out.iter()
            .filter_map(kind)
            .filter(|i| i.is_container())
            .map(Item::path)
            .collect()
    };
    let removed_types = whole(|c| match c {
        Change::Removed(i) => Some(i),
        _ => None,
    });
    let added_types = whole(|c| match c {
        Change::Added(i) => Some(i),
        _ => None,
    });
    out.retain(|c| match c {
        Change::Added(i) => {
            !renamed_types.iter().any(|(_, to)| i.parent == *to) && !added_types.contains(&i.parent)
        }
        Change::Removed(i) => {
            !renamed_types.iter().any(|(from, _)| i.parent == *from)
                && !removed_types.contains(&i.parent)
        }
        Change::Renamed { .. } => true,
    });
    out.sort_by_key(|c| (c.bump() != Bump::Major, c.describe()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /things/{thing_id}:
    get:
      operationId: getThing
      parameters:
        - {name: thing_id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/thing'}}}
components:
  schemas:
    thing:
      type: object
      properties:
        name: {type: string}
        state: {$ref: '#/components/schemas/state'}
    state:
      type: string
      enum: [open, closed]
";

    fn changes(new: &str) -> Vec<String> {
        let old = surface(&serde_yaml::from_str(SPEC).unwrap());
        let new = surface(&serde_yaml::from_str(new).unwrap());
        compare(&old, &new)
            .iter()
            .map(|c| format!("{:?} {}", c.bump(), c.describe()))
            .collect()
    }

    #[test]
    fn the_surface_names_what_a_shop_calls() {
        let items: Vec<String> = surface(&serde_yaml::from_str(SPEC).unwrap())
            .iter()
            .map(Item::path)
            .collect();
        assert_eq!(
            items,
            [
                "Client::get_thing",
                "lomi_httpmock::MockServerExt::get_thing",
                "builder::GetThing::thing_id",
                "lomi_httpmock::operations::GetThingThen",
                "lomi_httpmock::operations::GetThingWhen",
                "types::State",
                "types::Thing",
                "types::Thing::name",
                "types::Thing::state",
                "types::State::Closed",
                "types::State::Open",
                "lomi_httpmock::operations::GetThingWhen::thing_id",
                "lomi things retrieve",
                "lomi things retrieve --thing-id",
            ]
        );
    }

    #[test]
    fn renames_removals_and_additions_with_their_bumps() {
        assert_eq!(
            changes(&SPEC.replace("thing_id", "id")),
            // On every face: the client's setter, httpmock's matcher, the command's flag.
            [
                "Major flag `lomi things retrieve --thing-id` renamed `--id`",
                "Major matcher `lomi_httpmock::operations::GetThingWhen::thing_id` renamed `id`",
                "Major setter `builder::GetThing::thing_id` renamed `id`"
            ]
        );
        assert_eq!(
            changes(&SPEC.replace(
                "        name: {type: string}\n",
                "        name: {type: string}\n        size: {type: integer}\n"
            )),
            ["Minor field `types::Thing::size` added"],
            "models are non-exhaustive"
        );
        assert_eq!(
            changes(&SPEC.replace("enum: [open, closed]", "enum: [open, closed, held]")),
            ["Minor variant `types::State::Held` added"]
        );
        assert_eq!(
            changes(&SPEC.replace("enum: [open, closed]", "enum: [open]")),
            ["Major variant `types::State::Closed` removed"]
        );
        assert_eq!(
            changes(
                &SPEC
                    .replace("    thing:\n", "    item:\n")
                    .replace("schemas/thing'", "schemas/item'")
            ),
            ["Major type `types::Thing` renamed `Item`"],
            "its fields move with it"
        );
        // Pinned, nothing changes for Rust.
        assert!(
            changes(
                &SPEC
                    .replace("thing_id, in", "id, x-lomi-rust-name: thing_id, in")
                    .replace("{thing_id}", "{id}")
            )
            .is_empty()
        );
    }
}
