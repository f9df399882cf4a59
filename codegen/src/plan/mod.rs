//! The one description of what the generator emits, read off the spec once: each
//! operation (its Rust names, typed parameters with their location, bounds and docs, its
//! body, its success responses, whether it is an offset-paginated list), the string
//! enums that become open (forward-compatible) enums, and the aliased properties. Every
//! emitter reads it. The naming rule it names things by is [`crate::spec::naming`]'s;
//! [`features`] assigns each operation its cargo feature.

pub mod access;
pub mod features;
pub mod webhooks;

use crate::spec::model::{Model, Operation, Param};
use heck::ToPascalCase;
use openapiv3::{OpenAPI, Parameter, ReferenceOr, Schema, SchemaKind, StatusCode, Type};

/// Everything the emitters need to know about the spec.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// The Rust crate the client is compiled in (`lomi_client`), which examples in the
    /// generated docs name: a fact of the target, not of the spec.
    pub crate_name: String,
    /// `info.title`, `info.description` and `info.version`, for the client's rustdoc and
    /// its `api-version` header.
    pub title: String,
    /// `info.description`.
    pub description: Option<String>,
    /// `info.version`.
    pub api_version: String,
    /// One entry per operation, in document order.
    pub operations: Vec<OperationPlan>,
    /// String enums declared under `components/schemas`.
    pub enums: Vec<EnumPlan>,
    /// Properties that also arrive under other names (`x-lomi-aliases`).
    pub aliases: Vec<AliasPlan>,
    /// Schemas whose Rust type the spec names (`x-lomi-rust-name`): typify's name for
    /// it, and the name it gets.
    pub type_renames: Vec<(String, String)>,
    /// Properties whose Rust field the spec names (`x-lomi-rust-name`).
    pub field_renames: Vec<FieldRename>,
    /// The servers, each marked live or sandbox.
    pub servers: access::Servers,
    /// Where the API key goes.
    pub api_key: access::ApiKey,
    /// The webhook events and the shape of their data.
    pub webhooks: webhooks::WebhooksPlan,
}

/// A model field named by `x-lomi-rust-name` rather than by its property.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldRename {
    /// The model's Rust type (`CheckoutSessions`).
    pub type_name: String,
    /// The property's name on the wire (`url`).
    pub property: String,
    /// The field typify gives it (`url`).
    pub typify_field: String,
    /// The field it gets (`checkout_url`).
    pub field: String,
}

pub use crate::spec::naming::{
    ALIASES_EXTENSION, Case, RUST_NAME_EXTENSION, pinned_or, rust_name, sanitize_pascal,
    sanitize_snake, type_name_of,
};

/// A model property that lomi. sends under more than one name.
#[derive(Debug, Clone, PartialEq)]
pub struct AliasPlan {
    /// The component's name in the spec (`checkout_sessions`).
    pub schema: String,
    /// The Rust type name (`CheckoutSessions`).
    pub type_name: String,
    /// The property's own name (`checkout_url`): it wins when several names arrive.
    pub property: String,
    /// The other names, in the order they are tried (`url`).
    pub aliases: Vec<String>,
}

/// One operation.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationPlan {
    /// The operationId as written in the spec.
    pub operation_id: String,
    /// The client method (`listCheckoutSessions` → `list_checkout_sessions`).
    pub method: String,
    /// The builder type (`listCheckoutSessions` → `ListCheckoutSessions`).
    pub builder: String,
    /// The builder progenitor makes for the operation, whose fields give the Rust types
    /// (the same as `builder` unless `x-lomi-rust-name` renames the method).
    pub progenitor_builder: String,
    /// The operation's summary, for the method's rustdoc.
    pub summary: Option<String>,
    /// The operation's description, for the method's rustdoc.
    pub description: Option<String>,
    /// HTTP method, upper case.
    pub http_method: String,
    /// The path template (`/checkout_sessions/{session_id}`).
    pub path: String,
    /// The parameters, path level first.
    pub params: Vec<ParamPlan>,
    /// The request body, if the operation takes one.
    pub body: Option<BodyPlan>,
    /// The success responses, in document order (a `2XX` range where the spec
    /// declares none, as the spec allows).
    pub success: Vec<ResponsePlan>,
    /// How its pages look and when a walk over them ends, if it is an offset-paginated
    /// list ([`OperationPlan::paginated`]).
    pub page: Option<PagePlan>,
    /// The operation's first tag (`Checkout Sessions`), if any: its resource.
    pub tag: Option<String>,
    /// Its tag's short name, the same for the command and the crate: the tag's
    /// `x-lomi-feature` if the spec gives one, else the tag in kebab case. The `lomi`
    /// command's resource, and the operation's feature when the client has one per tag.
    pub resource: Option<String>,
    /// The cargo feature that compiles it, when the client has one per tag
    /// ([`crate::plan::features`]); `None`: every build.
    pub feature: Option<String>,
    /// What it does to its resource.
    pub kind: OperationKind,
    /// For a paginated list, the `limit` its stream sends when the builder sets none
    /// (the parameter's default, else 20 within its bounds): a stream always says its
    /// page size, so that a short page can be told from a server's own default.
    pub page_size: Option<u64>,
}

impl OperationPlan {
    /// Whether the operation is an offset-paginated list (it has a `stream()`).
    pub fn paginated(&self) -> bool {
        self.page.is_some()
    }
}

/// One parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamPlan {
    /// The parameter's name in the API (`limit`).
    pub name: String,
    /// The builder field and setter holding it (`limit`; `x-lomi-rust-name` if set).
    pub field: String,
    /// The field progenitor's builder holds it in, whose type it has.
    pub progenitor_field: String,
    /// Bounds the client checks before sending, if the schema sets any.
    pub bounds: Option<Bounds>,
    /// Whether it is a path parameter (which must stay inside its segment).
    pub in_path: bool,
    /// Where it travels.
    pub location: ParamLocation,
    /// Whether `send()` refuses to go without it (path parameters always are).
    pub required: bool,
    /// The parameter's description, for its setter's rustdoc.
    pub description: Option<String>,
    /// What its value is written as on a command line (the command checks it).
    pub kind: ValueKind,
}

/// Where a parameter travels (cookies are refused by the lint).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// A segment of the path, percent-encoded.
    Path,
    /// A query pair (one per item for an array).
    Query,
    /// A header.
    Header,
}

/// What a request body is sent as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyContent {
    /// `application/json`: the model, serialized.
    Json,
    /// `application/x-www-form-urlencoded`: the model, form-encoded.
    Form,
    /// `application/octet-stream`: bytes as given.
    OctetStream,
    /// `text/plain` or `text/x-markdown`: text as given, with that content type.
    Text(String),
}

/// A request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyPlan {
    /// How it is encoded.
    pub content: BodyContent,
    /// The top-level properties of a JSON object body, for tools that build one from
    /// flags (the `lomi` command); empty for any other body.
    pub properties: Vec<PropertyPlan>,
    /// Whether the spec requires it (`requestBody.required`).
    pub required: bool,
}

/// One top-level property of a request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyPlan {
    /// Its name on the wire.
    pub name: String,
    /// Its Rust field (`x-lomi-rust-name` if set), which the command's flag follows.
    pub field: String,
    /// What a value of it is written as.
    pub kind: ValueKind,
    /// Whether the body must have it.
    pub required: bool,
    /// Its description.
    pub description: Option<String>,
}

/// How a value is written on a command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Text, sent as a JSON string.
    Text,
    /// A whole number.
    Integer,
    /// A number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// JSON (objects, arrays, and anything else).
    Json,
}

/// What an operation does to its resource, for tools that name it by a verb: decided
/// by `lomi-schema`, which lomi-mock asks too, so that the command and the mock agree.
pub use lomi_schema::operation::OperationKind;

/// The statuses one success response covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusPattern {
    /// One status (`201`).
    Code(u16),
    /// Any 2xx: a `2XX` range, or `default` as the only success.
    AnySuccess,
}

/// What a success response's body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    /// JSON, decoded into the operation's success type.
    Json,
    /// No body.
    Empty,
    /// Any other media type: the bytes.
    Raw,
}

/// One success response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponsePlan {
    /// Which statuses it covers.
    pub status: StatusPattern,
    /// What its body is.
    pub kind: ResponseKind,
}

/// A paginated list: one that takes `limit` and `offset`, or `page` and a page size, as
/// query parameters typed `integer` or `number`, and answers its items as a bare array or
/// in an envelope's array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagePlan {
    /// How a page is asked for.
    pub by: PageBy,
    /// Where the items are.
    pub shape: PageShape,
    /// The page size's documented maximum: a short page ends a walk only when the size
    /// asked for is within it (a server may cap what it does not document); otherwise
    /// only an empty page does.
    pub limit_maximum: Option<u64>,
}

/// How a list's pages are asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageBy {
    /// `limit` items from `offset`.
    Offset,
    /// Page number `page` (the first is `first`) of `size` items: `page` and `pageSize`
    /// for lomi.'s `/customers`.
    Number {
        /// The page number's parameter.
        page: String,
        /// The page size's parameter.
        size: String,
        /// The first page's number: the parameter's minimum, else 1.
        first: u64,
    },
}

impl PageBy {
    /// The query parameters of the page size and of the position (offset or page).
    pub fn params(&self) -> (&str, &str) {
        match self {
            PageBy::Offset => ("limit", "offset"),
            PageBy::Number { page, size, .. } => (size, page),
        }
    }
}

/// Where a list page's items (and its total, if any) are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageShape {
    /// The answer is the array of items.
    Bare,
    /// An object whose array property `items` (`data`, or its only array) holds them,
    /// with the total where `total` says.
    Envelope {
        /// The property holding the items.
        items: String,
        /// Where the list's total is.
        total: TotalAt,
    },
}

/// Where an envelope says how many items the list has (JSON property names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TotalAt {
    /// In the `pagination` object, as `total` (or `totalCount`…), with the page size the
    /// server used as `size` (`limit`, `pageSize`…) when it has one.
    Pagination {
        /// The total's property.
        total: String,
        /// The page size's property, if any.
        size: Option<String>,
    },
    /// A top-level `total`.
    TopLevel,
    /// Nowhere.
    Nowhere,
}

/// Bounds on one parameter, checked before any request is sent.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Bounds {
    /// Inclusive lower bound for numbers.
    pub minimum: Option<f64>,
    /// Inclusive upper bound for numbers.
    pub maximum: Option<f64>,
    /// Minimum length for strings (path parameters are at least 1).
    pub min_length: Option<usize>,
    /// Maximum length for strings.
    pub max_length: Option<usize>,
}

/// A string enum component, generated as an open enum.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumPlan {
    /// The component's name in the spec (`checkout_session_status`).
    pub schema: String,
    /// The Rust type name (`CheckoutSessionStatus`).
    pub type_name: String,
    /// The schema's description.
    pub description: Option<String>,
    /// The known values, in spec order, with their variant names.
    pub variants: Vec<(String, String)>,
    /// The catch-all variant's name (`Unknown` unless a known value takes it).
    pub unknown: String,
}

/// Reads the plan off a linted spec.
pub fn plan(spec: &OpenAPI) -> Plan {
    plan_model(&Model::lower(spec))
}

/// The crate a plan is for unless said otherwise: the seed's client.
pub const DEFAULT_CRATE: &str = "lomi_client";

/// Reads the plan off a lowered spec.
pub fn plan_model(model: &Model<'_>) -> Plan {
    // Long: one field of the plan after another, each read off the model in a few lines.
    let operations = model
        .operations
        .iter()
        .filter_map(|op| {
            let id = op.op.operation_id.as_deref()?;
            let pinned = rust_name(&op.op.extensions);
            let page = paginated_list(model, op);
            Some(OperationPlan {
                operation_id: id.to_string(),
                method: pinned_or(pinned, id, Case::Snake),
                builder: pinned.map_or_else(|| sanitize_pascal(id), |m| m.to_pascal_case()),
                progenitor_builder: sanitize_pascal(id),
                summary: op.op.summary.clone(),
                description: op.op.description.clone(),
                http_method: op.http_method.to_uppercase(),
                path: op.path.to_string(),
                params: op
                    .params
                    .iter()
                    .filter_map(|p| {
                        let location = match p.param {
                            Parameter::Path { .. } => ParamLocation::Path,
                            Parameter::Query { .. } => ParamLocation::Query,
                            Parameter::Header { .. } => ParamLocation::Header,
                            Parameter::Cookie { .. } => return None,
                        };
                        let data = p.param.parameter_data_ref();
                        Some(ParamPlan {
                            name: p.name().to_string(),
                            field: pinned_or(rust_name(&data.extensions), p.name(), Case::Snake),
                            progenitor_field: sanitize_snake(p.name()),
                            bounds: bounds(p),
                            in_path: p.in_path(),
                            location,
                            required: data.required || p.in_path(),
                            description: data.description.clone(),
                            kind: value_kind(p.schema),
                        })
                    })
                    .collect(),
                body: body_plan(model, op),
                success: success_responses(model, op),
                tag: op.op.tags.first().cloned(),
                resource: op
                    .op
                    .tags
                    .first()
                    .map(|tag| crate::plan::features::feature_of(model.spec, tag)),
                feature: None,
                kind: operation_kind(op.http_method, op.path),
                page_size: page.as_ref().map(|p| page_size(op, &p.by)),
                page,
            })
        })
        .collect();
    // The inline schemas of `components/schemas`, by name.
    let schemas = || {
        model
            .components()
            .into_iter()
            .flat_map(|c| c.schemas.iter())
            .filter_map(|(name, schema)| match schema {
                ReferenceOr::Item(schema) => Some((name, schema)),
                ReferenceOr::Reference { .. } => None,
            })
    };
    let enums: Vec<EnumPlan> = schemas()
        .filter_map(|(name, schema)| enum_plan(name, schema))
        .collect();
    let aliases = schemas()
        .flat_map(|(name, schema)| alias_plans(name, schema))
        .collect();
    let type_renames = schemas()
        .filter_map(|(name, schema)| {
            let rust = rust_name(&schema.schema_data.extensions)?;
            Some((sanitize_pascal(name), rust.to_string()))
        })
        // An inline body or response is patched by the name progenitor gives it.
        .chain(
            inline_schemas(model)
                .into_iter()
                .filter_map(|inline| Some((inline.progenitor_name, inline.pinned?.to_string()))),
        )
        .collect();
    let field_renames = schemas()
        .flat_map(|(name, schema)| field_renames(name, schema))
        .collect();
    let info = &model.spec.info;
    Plan {
        servers: access::servers(model.spec),
        api_key: access::api_key(model.spec),
        webhooks: webhooks::read(model.spec, &enums),
        crate_name: DEFAULT_CRATE.to_string(),
        title: info.title.clone(),
        description: info.description.clone(),
        api_version: info.version.clone(),
        operations,
        enums,
        aliases,
        type_renames,
        field_renames,
    }
}

/// The properties of the object schema `name` that `x-lomi-rust-name` renames.
fn field_renames(name: &str, schema: &Schema) -> Vec<FieldRename> {
    let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
        return Vec::new();
    };
    object
        .properties
        .iter()
        .filter_map(|(property, s)| {
            let ReferenceOr::Item(s) = s else { return None };
            let field = rust_name(&s.schema_data.extensions)?;
            Some(FieldRename {
                type_name: type_name_of(name, schema),
                property: property.clone(),
                typify_field: sanitize_snake(property),
                field: field.to_string(),
            })
        })
        .collect()
}

/// The aliased properties of the object schema `name` (the lint has checked the
/// extension's shape: a list of strings on an optional property).
fn alias_plans(name: &str, model: &Schema) -> Vec<AliasPlan> {
    let SchemaKind::Type(Type::Object(object)) = &model.schema_kind else {
        return Vec::new();
    };
    let type_name = type_name_of(name, model);
    object
        .properties
        .iter()
        .filter_map(|(property, schema)| {
            let ReferenceOr::Item(schema) = schema else {
                return None;
            };
            let aliases: Vec<String> = schema
                .schema_data
                .extensions
                .get(ALIASES_EXTENSION)?
                .as_array()?
                .iter()
                .filter_map(|a| a.as_str().map(str::to_string))
                .collect();
            (!aliases.is_empty()).then(|| AliasPlan {
                schema: name.to_string(),
                type_name: type_name.clone(),
                property: property.clone(),
                aliases,
            })
        })
        .collect()
}

/// A path's shape and its parameters in order: `/a/{id}/b` → `("/a/{}/b", ["id"])`. Two
/// operations of one method and shape are one operation whatever their parameters are
/// called (a rename upstream), which is how the diff, the Rust API report and the
/// stable names match them.
pub fn path_shape(path: &str) -> (String, Vec<String>) {
    use lomi_schema::path::{Part, parse};
    // A broken template (the lint refuses it) is all shape.
    let parts = parse(path).unwrap_or_else(|_| vec![Part::Literal(path)]);
    let mut out = String::new();
    let mut names = Vec::new();
    for part in parts {
        match part {
            Part::Literal(text) => out.push_str(text),
            Part::Param(name) => {
                out.push_str("{}");
                names.push(name.to_string());
            }
        }
    }
    (out, names)
}

/// An inline JSON request body or success response schema: progenitor makes it a type
/// named `{OpId}Body` or `{OpId}Response`, unless `x-lomi-rust-name` names it.
#[derive(Debug, Clone)]
pub struct InlineSchema<'a> {
    /// progenitor's name for its type, by which typify patches it.
    pub progenitor_name: String,
    /// Its `x-lomi-rust-name`, if any.
    pub pinned: Option<&'a str>,
    /// Where it is, for a report: ``the request body of `POST /x` ``.
    pub place: String,
    /// The schema.
    pub schema: &'a Schema,
}

impl InlineSchema<'_> {
    /// Its Rust type: the pin, else progenitor's name.
    pub fn type_name(&self) -> &str {
        self.pinned.unwrap_or(&self.progenitor_name)
    }
}

/// Every inline JSON request body and success response schema of the spec's operations,
/// in document order: what the plan patches, the Rust report names and the diff pairs.
pub fn inline_schemas<'a>(model: &Model<'a>) -> Vec<InlineSchema<'a>> {
    let mut out = Vec::new();
    for op in &model.operations {
        let Some(id) = op.op.operation_id.as_deref() else {
            continue;
        };
        let mut push = |schema: Option<&'a ReferenceOr<Schema>>, suffix: &str, place: String| {
            if let Some(ReferenceOr::Item(schema)) = schema {
                out.push(InlineSchema {
                    progenitor_name: sanitize_pascal(&format!("{id}-{suffix}")),
                    pinned: rust_name(&schema.schema_data.extensions),
                    place,
                    schema,
                });
            }
        };
        let body =
            op.op.request_body.as_ref().and_then(|b| {
                crate::spec::refs::resolve(b, model.components(), |c| &c.request_bodies)
            });
        push(
            body.and_then(|b| json_schema(&b.content)),
            "body",
            format!("the request body of `{}`", op.label),
        );
        for (code, response) in &op.op.responses.responses {
            let success = match code {
                StatusCode::Code(c) => (200..300).contains(c),
                StatusCode::Range(r) => *r == 2,
            };
            if success {
                push(
                    model
                        .response(response)
                        .and_then(|r| json_schema(&r.content)),
                    "response",
                    format!("the {code} response of `{}`", op.label),
                );
            }
        }
    }
    out
}

/// The schema of the JSON media type in `content`, if any.
pub fn json_schema(
    content: &indexmap::IndexMap<String, openapiv3::MediaType>,
) -> Option<&ReferenceOr<Schema>> {
    content
        .iter()
        .find(|(media, _)| media.split(';').next().unwrap_or_default().trim() == "application/json")
        .and_then(|(_, m)| m.schema.as_ref())
}

/// The operation's request body and how it is encoded, by progenitor's rule.
fn body_plan(model: &Model<'_>, op: &Operation<'_>) -> Option<BodyPlan> {
    let body = crate::spec::refs::resolve(op.op.request_body.as_ref()?, model.components(), |c| {
        &c.request_bodies
    })?;
    // progenitor takes a body of exactly one media type (the lint refuses others).
    let (media, _) = body.content.first()?;
    let bare = media.split(';').next().unwrap_or_default().trim();
    let properties = match bare {
        "application/json" => body
            .content
            .first()
            .and_then(|(_, media)| media.schema.as_ref())
            .and_then(|schema| model.schema(schema))
            .map(|schema| body_properties(model, schema))
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let content = match bare {
        "application/json" => BodyContent::Json,
        "application/x-www-form-urlencoded" => BodyContent::Form,
        "application/octet-stream" => BodyContent::OctetStream,
        "text/plain" | "text/x-markdown" => BodyContent::Text(bare.to_string()),
        _ => return None,
    };
    Some(BodyPlan {
        content,
        properties,
        required: body.required,
    })
}

/// The top-level properties of an object body schema.
fn body_properties(model: &Model<'_>, schema: &Schema) -> Vec<PropertyPlan> {
    let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
        return Vec::new();
    };
    object
        .properties
        .iter()
        .map(|(name, property)| {
            let resolved = model.boxed_schema(property);
            let kind = match value_kind(resolved) {
                // A body property of any other type is JSON (an object, a list…).
                ValueKind::Text
                    if !matches!(
                        resolved.map(|s| &s.schema_kind),
                        Some(SchemaKind::Type(Type::String(_)))
                    ) =>
                {
                    ValueKind::Json
                }
                kind => kind,
            };
            let pinned = match property {
                ReferenceOr::Item(s) => rust_name(&s.schema_data.extensions),
                ReferenceOr::Reference { .. } => None,
            };
            PropertyPlan {
                name: name.clone(),
                field: pinned_or(pinned, name, Case::Snake),
                kind,
                required: object.required.contains(name),
                description: resolved.and_then(|s| s.schema_data.description.clone()),
            }
        })
        .collect()
}

/// What an operation does to its resource ([`OperationKind`]).
fn operation_kind(method: &str, path: &str) -> OperationKind {
    lomi_schema::operation::operation_kind(method, path)
}

/// The success responses as progenitor reads them: a code from 200 to 299, a `2XX`
/// range, or `default` (then also the error response); `application/json` content is
/// JSON, other content raw bytes, none an empty body. Without any, any 2xx is raw bytes.
fn success_responses(model: &Model<'_>, op: &Operation<'_>) -> Vec<ResponsePlan> {
    let responses = &op.op.responses;
    let kind = |r: &ReferenceOr<openapiv3::Response>| {
        let Some(r) = model.response(r) else {
            return ResponseKind::Raw;
        };
        if r.content
            .keys()
            .any(|m| m == "application/json" || m.starts_with("application/json;"))
        {
            ResponseKind::Json
        } else if r.content.is_empty() {
            ResponseKind::Empty
        } else {
            ResponseKind::Raw
        }
    };
    let mut out: Vec<ResponsePlan> = responses
        .responses
        .iter()
        .filter_map(|(code, r)| {
            let status = match code {
                StatusCode::Code(c @ 200..=299) => StatusPattern::Code(*c),
                StatusCode::Range(2) => StatusPattern::AnySuccess,
                _ => return None,
            };
            Some(ResponsePlan {
                status,
                kind: kind(r),
            })
        })
        .collect();
    if let Some(default) = &responses.default {
        out.push(ResponsePlan {
            status: StatusPattern::AnySuccess,
            kind: kind(default),
        });
    }
    if out.is_empty() {
        out.push(ResponsePlan {
            status: StatusPattern::AnySuccess,
            kind: ResponseKind::Raw,
        });
    }
    out
}

/// How a value of `schema` is written on a command line: a number, a boolean, else text.
fn value_kind(schema: Option<&Schema>) -> ValueKind {
    match schema.map(|s| &s.schema_kind) {
        Some(SchemaKind::Type(Type::Integer(_))) => ValueKind::Integer,
        Some(SchemaKind::Type(Type::Number(_))) => ValueKind::Number,
        Some(SchemaKind::Type(Type::Boolean(_))) => ValueKind::Boolean,
        _ => ValueKind::Text,
    }
}

fn bounds(p: &Param<'_>) -> Option<Bounds> {
    let schema = p.schema?;
    let mut c = Bounds::default();
    match &schema.schema_kind {
        SchemaKind::Type(Type::Integer(i)) => {
            c.minimum = i
                .minimum
                .map(|m| m as f64 + if i.exclusive_minimum { 1.0 } else { 0.0 });
            c.maximum = i
                .maximum
                .map(|m| m as f64 - if i.exclusive_maximum { 1.0 } else { 0.0 });
        }
        SchemaKind::Type(Type::Number(n)) if !n.exclusive_minimum && !n.exclusive_maximum => {
            c.minimum = n.minimum;
            c.maximum = n.maximum;
        }
        SchemaKind::Type(Type::String(s)) if s.enumeration.is_empty() && s.pattern.is_none() => {
            c.min_length = s.min_length;
            c.max_length = s.max_length;
            // An empty path segment would silently hit another endpoint.
            if p.in_path() {
                c.min_length = Some(c.min_length.unwrap_or(0).max(1));
            }
        }
        _ => return None,
    }
    let bounded = c.minimum.is_some()
        || c.maximum.is_some()
        || c.min_length.is_some()
        || c.max_length.is_some();
    bounded.then_some(c)
}

/// The page size a stream of `op` asks for when its builder sets none (`limit`, or the
/// page size `by` names): its default, else [`DEFAULT_PAGE_SIZE`], within its bounds.
fn page_size(op: &Operation<'_>, by: &PageBy) -> u64 {
    const FALLBACK: i64 = DEFAULT_PAGE_SIZE as i64;
    let Some(schema) = limit_schema(op, by) else {
        return FALLBACK as u64;
    };
    let (minimum, maximum) = numeric_bounds(schema);
    let default = schema
        .schema_data
        .default
        .as_ref()
        .and_then(serde_json::Value::as_f64)
        .filter(|d| d.fract() == 0.0)
        .map(|d| d as i64);
    let low = minimum.unwrap_or(1).max(1);
    let high = maximum.unwrap_or(i64::MAX).max(low);
    default.unwrap_or(FALLBACK).clamp(low, high) as u64
}

/// The numeric query parameter `name` of `op`, if it has one.
fn numeric_query<'a>(op: &Operation<'a>, name: &str) -> Option<&'a Schema> {
    op.params
        .iter()
        .find(|p| matches!(p.param, Parameter::Query { .. }) && p.name() == name)
        .and_then(|p| p.schema)
        .filter(|s| {
            matches!(
                s.schema_kind,
                SchemaKind::Type(Type::Integer(_) | Type::Number(_))
            )
        })
}

/// The properties of an object schema, `type: object` or not (lomi.'s `/customers`
/// envelope leaves it out).
fn object_properties(
    schema: &Schema,
) -> Option<&indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => Some(&o.properties),
        SchemaKind::Any(any) if !any.properties.is_empty() => Some(&any.properties),
        _ => None,
    }
}

use lomi_schema::operation::{DEFAULT_PAGE_SIZE, PAGE_SIZE_NAMES, TOTAL_NAMES};

/// How `op`'s pages are asked for, if it takes numeric `limit` and `offset`, or a
/// numeric `page` and page size.
fn page_by(op: &Operation<'_>) -> Option<PageBy> {
    if numeric_query(op, "limit").is_some() && numeric_query(op, "offset").is_some() {
        return Some(PageBy::Offset);
    }
    let page = numeric_query(op, "page")?;
    let size = PAGE_SIZE_NAMES
        .iter()
        .find(|name| numeric_query(op, name).is_some())?;
    let first = numeric_bounds(page).0.and_then(|m| u64::try_from(m).ok());
    Some(PageBy::Number {
        page: "page".into(),
        size: size.to_string(),
        first: first.unwrap_or(1),
    })
}

/// The schema of `op`'s page size parameter (`limit`, `pageSize`…).
fn limit_schema<'a>(op: &Operation<'a>, by: &PageBy) -> Option<&'a Schema> {
    numeric_query(op, by.params().0)
}

/// The whole-number bounds of an `integer` or `number` schema (a fractional bound is
/// rounded inwards).
fn numeric_bounds(schema: &Schema) -> (Option<i64>, Option<i64>) {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Integer(i)) => (i.minimum, i.maximum),
        SchemaKind::Type(Type::Number(n)) => (
            n.minimum.map(|m| m.ceil() as i64),
            n.maximum.map(|m| m.floor() as i64),
        ),
        _ => (None, None),
    }
}

/// An operation is a paginated list when it takes `limit` and `offset`, or `page` and a
/// page size, as query parameters typed `integer` or `number`, and its 200 answer is an
/// array of items, or an object whose `data` (else its only array property) is one, with
/// its total in `pagination` (`total`, `totalCount`…), at the top level, or nowhere.
fn paginated_list(model: &Model<'_>, op: &Operation<'_>) -> Option<PagePlan> {
    let by = page_by(op)?;
    let limit_maximum = limit_schema(op, &by)
        .and_then(|s| numeric_bounds(s).1)
        .and_then(|m| u64::try_from(m).ok());
    let response = op
        .op
        .responses
        .responses
        .iter()
        .find_map(|(code, r)| match code {
            StatusCode::Code(200) => model.response(r),
            _ => None,
        })?;
    let media = response.content.get("application/json")?;
    let answer = model.schema(media.schema.as_ref()?)?;
    let is_count = |s: Option<&ReferenceOr<Box<Schema>>>| {
        s.and_then(|s| model.boxed_schema(s)).is_some_and(|s| {
            matches!(
                s.schema_kind,
                SchemaKind::Type(Type::Integer(_) | Type::Number(_))
            )
        })
    };
    let is_array = |s: &ReferenceOr<Box<Schema>>| {
        model
            .boxed_schema(s)
            .is_some_and(|s| matches!(s.schema_kind, SchemaKind::Type(Type::Array(_))))
    };
    // An envelope may leave out `type: object` (lomi.'s `/customers` does).
    let shape = match (&answer.schema_kind, object_properties(answer)) {
        (SchemaKind::Type(Type::Array(_)), _) => PageShape::Bare,
        (_, Some(properties)) => {
            let items = match properties.get("data") {
                Some(data) if is_array(data) => "data".to_string(),
                Some(_) => return None,
                None => {
                    let mut arrays = properties.iter().filter(|(_, s)| is_array(s));
                    match (arrays.next(), arrays.next()) {
                        (Some((name, _)), None) => name.clone(),
                        _ => return None,
                    }
                }
            };
            let pagination = properties
                .get("pagination")
                .and_then(|p| model.boxed_schema(p))
                .and_then(|p| object_properties(p));
            let find = |names: &[&str]| {
                let p = pagination?;
                names
                    .iter()
                    .find(|n| is_count(p.get(**n)))
                    .map(|n| n.to_string())
            };
            let total = if let Some(total) = find(TOTAL_NAMES) {
                TotalAt::Pagination {
                    total,
                    size: find(&[by.params().0]),
                }
            } else if is_count(properties.get("total")) {
                TotalAt::TopLevel
            } else {
                TotalAt::Nowhere
            };
            PageShape::Envelope { items, total }
        }
        _ => return None,
    };
    Some(PagePlan {
        by,
        shape,
        limit_maximum,
    })
}

fn enum_plan(name: &str, schema: &Schema) -> Option<EnumPlan> {
    let SchemaKind::Type(Type::String(s)) = &schema.schema_kind else {
        return None;
    };
    let values: Vec<&String> = s.enumeration.iter().flatten().collect();
    if values.is_empty() {
        return None;
    }
    let mut variants: Vec<(String, String)> = Vec::new();
    for value in values {
        let mut ident = value
            .replace(|c: char| !c.is_alphanumeric(), " ")
            .to_pascal_case();
        if ident.is_empty() || ident.starts_with(|c: char| c.is_ascii_digit()) {
            ident = format!("V{ident}");
        }
        while variants.iter().any(|(_, v)| *v == ident)
            || syn::parse_str::<syn::Ident>(&ident).is_err()
        {
            ident.push('_');
        }
        variants.push((value.clone(), ident));
    }
    let mut unknown = "Unknown".to_string();
    while variants.iter().any(|(_, v)| *v == unknown) {
        unknown.insert_str(0, "Other");
    }
    Some(EnumPlan {
        schema: name.to_string(),
        type_name: type_name_of(name, schema),
        description: schema.schema_data.description.clone(),
        variants,
        unknown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_of(yaml: &str) -> Plan {
        plan(&serde_yaml::from_str(yaml).unwrap())
    }

    const LIST: &str = "
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /things/{thing_id}:
    get:
      operationId: getThing
      parameters:
        - {name: thing_id, in: path, required: true, schema: {type: string}}
      responses: {'204': {description: ok}}
  /things:
    get:
      operationId: listThings
      parameters:
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
        - {name: offset, in: query, schema: {type: integer, minimum: 0}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  data: {type: array, items: {type: string}}
                  pagination: {$ref: '#/components/schemas/pagination'}
components:
  schemas:
    pagination:
      type: object
      properties: {total: {type: integer}}
    state:
      type: string
      enum: [open, 'on-hold', unknown, '2fa']
";

    #[test]
    fn lists_bounds_and_path_parameters_are_found() {
        let p = plan_of(LIST);
        let get = &p.operations[0];
        assert_eq!((get.method.as_str(), get.paginated()), ("get_thing", false));
        assert_eq!(get.params[0].bounds.as_ref().unwrap().min_length, Some(1));
        let list = &p.operations[1];
        assert_eq!(
            (list.method.as_str(), list.paginated()),
            ("list_things", true)
        );
        let limit = list.params[0].bounds.as_ref().unwrap();
        assert_eq!((limit.minimum, limit.maximum), (Some(1.0), Some(100.0)));
        assert_eq!(list.params[1].bounds.as_ref().unwrap().minimum, Some(0.0));
    }

    #[test]
    fn parameters_bodies_and_responses_are_described() {
        let p = plan_of(
            "
openapi: 3.0.3
info: {title: t, version: '2.1'}
paths:
  /things/{thing_id}:
    post:
      operationId: send-thing
      parameters:
        - {name: thing_id, in: path, required: true, schema: {type: string}}
        - {name: X-Trace, in: header, schema: {type: string}}
        - {name: dry_run, in: query, required: true, schema: {type: boolean}}
      requestBody:
        content:
          application/x-www-form-urlencoded: {schema: {type: object}}
      responses:
        '202': {description: queued, content: {application/json: {schema: {type: object}}}}
        '2XX': {description: done}
        '400': {description: bad}
  /notes:
    put:
      operationId: putNote
      requestBody: {$ref: '#/components/requestBodies/note'}
      responses: {default: {description: any, content: {text/plain: {schema: {type: string}}}}}
components:
  requestBodies:
    note: {content: {'text/plain; charset=utf-8': {schema: {type: string}}}}
",
        );
        assert_eq!((p.title.as_str(), p.api_version.as_str()), ("t", "2.1"));
        let send = &p.operations[0];
        assert_eq!(
            (send.method.as_str(), send.builder.as_str()),
            ("send_thing", "SendThing")
        );
        let params: Vec<(&str, ParamLocation, bool)> = send
            .params
            .iter()
            .map(|p| (p.field.as_str(), p.location, p.required))
            .collect();
        assert_eq!(
            params,
            [
                ("thing_id", ParamLocation::Path, true),
                ("x_trace", ParamLocation::Header, false),
                ("dry_run", ParamLocation::Query, true),
            ]
        );
        assert_eq!(
            send.body,
            Some(BodyPlan {
                content: BodyContent::Form,
                properties: Vec::new(),
                required: false,
            })
        );
        assert_eq!(
            send.success,
            [
                ResponsePlan {
                    status: StatusPattern::Code(202),
                    kind: ResponseKind::Json
                },
                ResponsePlan {
                    status: StatusPattern::AnySuccess,
                    kind: ResponseKind::Empty
                },
            ]
        );
        let put = &p.operations[1];
        assert_eq!(
            put.body,
            Some(BodyPlan {
                content: BodyContent::Text("text/plain".into()),
                properties: Vec::new(),
                required: false,
            }),
            "a referenced body, its media type without parameters"
        );
        assert_eq!(
            put.success,
            [ResponsePlan {
                status: StatusPattern::AnySuccess,
                kind: ResponseKind::Raw
            }],
            "`default` alone is the success"
        );
    }

    #[test]
    fn json_bodies_list_their_properties_and_operations_their_kind() {
        let p = plan_of(
            "
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /things:
    post:
      operationId: createThing
      tags: [Thing Store]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties:
                name: {type: string, description: What it is called}
                count: {type: integer}
                price: {type: number}
                open: {type: boolean}
                tags: {type: array, items: {type: string}}
      responses: {'201': {description: made}}
  /things/{id}:
    put:
      operationId: replaceThing
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {'204': {description: done}}
    post:
      operationId: archiveThing
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {'204': {description: done}}
",
        );
        let create = &p.operations[0];
        assert_eq!(
            (create.kind, create.tag.as_deref()),
            (OperationKind::Create, Some("Thing Store"))
        );
        let props: Vec<(&str, ValueKind, bool)> = create
            .body
            .as_ref()
            .unwrap()
            .properties
            .iter()
            .map(|p| (p.name.as_str(), p.kind, p.required))
            .collect();
        assert_eq!(
            props,
            [
                ("name", ValueKind::Text, true),
                ("count", ValueKind::Integer, false),
                ("price", ValueKind::Number, false),
                ("open", ValueKind::Boolean, false),
                ("tags", ValueKind::Json, false),
            ]
        );
        let kinds: Vec<OperationKind> = p.operations.iter().map(|o| o.kind).collect();
        assert_eq!(
            kinds,
            [
                OperationKind::Create,
                OperationKind::Update,
                OperationKind::Other
            ]
        );
    }

    #[test]
    fn pinned_type_names_reach_enums_and_aliases() {
        let p = plan_of(
            "
openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    checkout_session:
      x-lomi-rust-name: CheckoutSessions
      type: object
      properties:
        checkout_url: {type: string, x-lomi-aliases: [url]}
        status: {$ref: '#/components/schemas/state'}
    state:
      type: string
      x-lomi-rust-name: SessionState
      enum: [open, closed]
",
        );
        assert_eq!(p.aliases[0].type_name, "CheckoutSessions");
        assert_eq!(p.enums[0].type_name, "SessionState");
        assert_eq!(
            p.type_renames,
            [
                (
                    "CheckoutSession".to_string(),
                    "CheckoutSessions".to_string()
                ),
                ("State".to_string(), "SessionState".to_string())
            ]
        );
    }

    /// Every list that takes `limit` and `offset` (integers or numbers) is paginated,
    /// whatever carries its items and its total; one without `offset`, or whose items are
    /// not an array, is not.
    #[test]
    fn every_limit_and_offset_list_is_paginated_whatever_its_page_looks_like() {
        let page = |text: &str| plan_of(text).operations[1].page.clone();
        let envelope = |total| {
            Some(PagePlan {
                by: PageBy::Offset,
                shape: PageShape::Envelope {
                    items: "data".into(),
                    total,
                },
                limit_maximum: Some(100),
            })
        };
        assert_eq!(
            page(LIST),
            envelope(TotalAt::Pagination {
                total: "total".into(),
                size: None
            })
        );
        let pagination = "pagination: {$ref: '#/components/schemas/pagination'}";
        let top = LIST.replace(pagination, "total: {type: integer}");
        assert_eq!(page(&top), envelope(TotalAt::TopLevel));
        let none = LIST.replace(pagination, "next: {type: string}");
        assert_eq!(page(&none), envelope(TotalAt::Nowhere));
        // lomi.'s June 2026 list: a bare array, `number` parameters, no maximum.
        let bare = LIST
            .replace(
                "                type: object\n                properties:\n                  \
                 data: {type: array, items: {type: string}}\n                  \
                 pagination: {$ref: '#/components/schemas/pagination'}\n",
                "                type: array\n                items: {type: string}\n",
            )
            .replace(
                "{type: integer, minimum: 1, maximum: 100}",
                "{type: number}",
            )
            .replace("{type: integer, minimum: 0}", "{type: number}");
        assert_eq!(
            page(&bare),
            Some(PagePlan {
                by: PageBy::Offset,
                shape: PageShape::Bare,
                limit_maximum: None
            })
        );
        assert_eq!(plan_of(&bare).operations[1].page_size, Some(20));
        let no_offset = LIST.replace(
            "        - {name: offset, in: query, schema: {type: integer, minimum: 0}}\n",
            "",
        );
        assert_eq!(page(&no_offset), None);
        let not_a_list = LIST.replace(
            "data: {type: array, items: {type: string}}",
            "data: {type: string}",
        );
        assert_eq!(page(&not_a_list), None);
    }

    /// A list numbered by pages (lomi.'s `/customers`: `page` and `pageSize`, typed
    /// `number`, an envelope without `type: object` whose only array is `customers`,
    /// `pagination.totalCount`) is paginated too, and so is one answering a bare array.
    #[test]
    fn a_page_number_list_is_paginated_whatever_names_its_items_and_total() {
        let customers = LIST
            .replace(
                "        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100}}\n        \
                 - {name: offset, in: query, schema: {type: integer, minimum: 0}}\n",
                "        - {name: pageSize, in: query, schema: {type: number, maximum: 100}}\n        \
                 - {name: page, in: query, schema: {type: number}}\n",
            )
            .replace(
                "                type: object\n                properties:\n                  \
                 data: {type: array, items: {type: string}}\n",
                "                properties:\n                  \
                 customers: {type: array, items: {type: string}}\n",
            )
            .replace(
                "properties: {total: {type: integer}}",
                "properties: {page: {type: number}, pageSize: {type: number}, totalCount: {type: number}}",
            );
        let plan = plan_of(&customers);
        assert_eq!(
            plan.operations[1].page,
            Some(PagePlan {
                by: PageBy::Number {
                    page: "page".into(),
                    size: "pageSize".into(),
                    first: 1
                },
                shape: PageShape::Envelope {
                    items: "customers".into(),
                    total: TotalAt::Pagination {
                        total: "totalCount".into(),
                        size: Some("pageSize".into())
                    }
                },
                limit_maximum: Some(100),
            })
        );
        assert_eq!(
            plan.operations[1].page.as_ref().unwrap().by.params(),
            ("pageSize", "page")
        );
        // Without a page size, `page` alone is not a walk.
        let no_size = customers.replace(
            "        - {name: pageSize, in: query, schema: {type: number, maximum: 100}}\n",
            "",
        );
        assert_eq!(plan_of(&no_size).operations[1].page, None);
        // Two arrays and no `data`: which holds the items is not known.
        let two = customers.replace(
            "customers: {type: array, items: {type: string}}",
            "customers: {type: array, items: {type: string}}\n                  \
             tags: {type: array, items: {type: string}}",
        );
        assert_eq!(plan_of(&two).operations[1].page, None);
    }

    #[test]
    fn enum_variants_are_valid_unique_identifiers() {
        let e = &plan_of(LIST).enums[0];
        assert_eq!(e.type_name, "State");
        let names: Vec<&str> = e.variants.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(names, ["Open", "OnHold", "Unknown", "V2fa"]);
        assert_eq!(e.unknown, "OtherUnknown");
    }
}
