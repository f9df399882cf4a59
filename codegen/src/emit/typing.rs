//! The Rust types of the spec, decided by typify's [`TypeSpace`] as the plan's operations
//! are walked: the `types` module, and for each operation the type of every parameter,
//! of its body and of its success response.
//!
//! progenitor does the same inside its `Generator` and keeps the answers private; this
//! stage does it in the open, with the same settings, the same names and in the same
//! order, so that typify makes the same types. Nothing downstream reads progenitor's
//! builders to learn what type a parameter has.
//!
//! typify reads JSON Schema ([schemars 0.8](https://docs.rs/schemars/0.8)); [`to_schemars`]
//! translates OpenAPI 3.0's dialect (`nullable`, `example`, boolean exclusive bounds,
//! `discriminator`) the way progenitor does.

use openapiv3::{OpenAPI, ParameterSchemaOrContent, ReferenceOr, Schema, StatusCode};
use proc_macro2::TokenStream;
use quote::quote;
use serde_json::{Map, Value, json};
use syn::Type;
use typify::{TypeDetails, TypeSpace, TypeSpaceSettings};

use crate::plan::{BodyContent, Plan, sanitize_pascal, sanitize_snake};
use crate::spec::model::Model;

/// The types of one operation: what its builder holds and what it answers.
#[derive(Clone)]
pub struct OperationTypes {
    /// The builder's fields (`session_id`, `body`…) and the type each holds (`Option<T>`
    /// for an optional parameter; typify's builder for a body that has one).
    pub fields: Vec<(String, Type)>,
    /// The success body type (`types::CheckoutSessions`, `()`, `super::ByteStream`).
    pub success: Type,
    /// Each parameter as a function argument, in the order progenitor takes them.
    pub arguments: Vec<ArgumentTypes>,
    /// A typed (JSON or form) body's type as a function argument.
    pub body_argument: Option<TokenStream>,
    /// Every response the operation documents, in document order (`default` first),
    /// and a `2XX` with content of any kind where it documents no success.
    pub responses: Vec<ResponseTypes>,
}

/// One parameter as a function argument.
#[derive(Clone, Debug)]
pub struct ArgumentTypes {
    /// Its name in the API (`session_id`).
    pub name: String,
    /// Its type in typify's parameter form: `&str`, `&types::X`, `u64` (an optional
    /// query parameter's inner type).
    pub argument: TokenStream,
    /// Whether it is a list (sent as one pair per item).
    pub list: bool,
}

/// The status a response is documented for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// One code (`404`).
    Code(u16),
    /// A range (`2XX` is `Range(2)`).
    Range(u16),
    /// `default`.
    Default,
}

impl Status {
    /// progenitor's order of statuses: codes, then ranges by their first code, then
    /// `default`.
    fn order(self) -> u32 {
        match self {
            Status::Code(c) => u32::from(c),
            Status::Range(r) => u32::from(r) * 100,
            Status::Default => 1000,
        }
    }

    /// Whether a client takes an answer of this status as the operation's result.
    pub fn is_success(self) -> bool {
        match self {
            Status::Default | Status::Range(2) => true,
            Status::Code(c) => c == 101 || (200..=299).contains(&c),
            Status::Range(_) => false,
        }
    }
}

/// One documented response.
#[derive(Clone, Debug)]
pub struct ResponseTypes {
    /// Its status.
    pub status: Status,
    /// What it carries.
    pub body: ResponseBody,
}

/// What a response carries.
#[derive(Clone, Debug)]
pub enum ResponseBody {
    /// JSON of a type.
    Json {
        /// The type as typify writes it (`types::X`).
        ty: TokenStream,
        /// The type as a function argument (`&types::X`).
        argument: TokenStream,
    },
    /// Content that is not JSON, of this media type if the spec gives one.
    Other(Option<String>),
    /// Nothing.
    Empty,
}

/// The types of every operation, by the name progenitor gives its builder
/// ([`crate::plan::OperationPlan::progenitor_builder`]).
#[derive(Clone, Default)]
pub struct RequestTypes {
    operations: Vec<(String, OperationTypes)>,
}

impl RequestTypes {
    /// The types of the operation whose builder the plan names `builder`.
    pub fn get(&self, builder: &str) -> Option<&OperationTypes> {
        self.operations
            .iter()
            .find(|(name, _)| name == builder)
            .map(|(_, t)| t)
    }

    /// The type of the field `field` of the operation `builder`.
    pub fn field(&self, builder: &str, field: &str) -> Result<&Type, String> {
        self.get(builder)
            .ok_or_else(|| format!("no operation types for `{builder}`"))?
            .fields
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, ty)| ty)
            .ok_or_else(|| format!("the operation `{builder}` has no field `{field}`"))
    }

    /// Every type an operation's builder holds: what the model builders a request
    /// needs are found from.
    pub fn all(&self) -> impl Iterator<Item = &Type> {
        self.operations
            .iter()
            .flat_map(|(_, t)| t.fields.iter().map(|(_, ty)| ty))
    }
}

/// The typed spec: typify's `types` module and what the type space says of it.
pub struct Typed {
    /// `pub mod types { … }`, as typify writes it.
    pub types: syn::ItemMod,
    /// What the emitters need to know of the types.
    pub facts: TypeFacts,
}

/// What the type space says of the spec's types: what the emitters read instead of
/// typify's output.
pub struct TypeFacts {
    /// The types of each operation.
    pub requests: RequestTypes,
    /// Every struct typify made, with what the spec says of its fields.
    pub models: Vec<ModelFacts>,
    /// The first paragraph of each component schema's title, else description, by its
    /// Rust type name: what a setter of a `$ref`'d property says (OpenAPI 3.0 drops a
    /// `$ref`'s siblings, so the property has no description of its own).
    pub descriptions: Vec<(String, String)>,
    /// The named types typify builds from text (closed string enums, constrained
    /// strings: those with `FromStr`), sorted by name.
    pub text_built: Vec<String>,
    /// Every enum typify made, with its variants.
    pub enums: Vec<EnumFacts>,
}

/// An enum typify made for a schema, as the type space records it.
#[derive(Clone, Debug)]
pub struct EnumFacts {
    /// Its Rust name (`CardChargeAppearanceTheme`).
    pub name: String,
    /// Whether it is built from text (it has `FromStr`, and `Display` spells the wire).
    pub text: bool,
    /// Each variant's Rust name and the spec's description of it.
    pub variants: Vec<(String, Option<String>)>,
}

/// A struct typify made for a schema, as the type space records it.
#[derive(Clone, Debug)]
pub struct ModelFacts {
    /// Its Rust name (`CheckoutSessions`).
    pub name: String,
    /// Its fields, in order.
    pub fields: Vec<FieldFacts>,
}

/// One field of a [`ModelFacts`].
#[derive(Clone, Debug)]
pub struct FieldFacts {
    /// The field's Rust name, as typify names it (before `x-lomi-rust-name`).
    pub name: String,
    /// Whether the schema lists the property in `required`.
    pub required: bool,
    /// The property's own description.
    pub description: Option<String>,
    /// The field's type as typify writes it from outside `types` (`Option<types::X>`
    /// for an optional property without a default).
    pub ty: TokenStream,
}

impl ModelFacts {
    /// The facts of the field typify names `name`.
    pub fn field(&self, name: &str) -> Option<&FieldFacts> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// The first paragraph of each component schema's title or description, by type name.
fn component_descriptions(spec: &OpenAPI) -> Vec<(String, String)> {
    spec.components
        .iter()
        .flat_map(|c| c.schemas.iter())
        .filter_map(|(name, schema)| {
            let ReferenceOr::Item(schema) = schema else {
                return None;
            };
            let data = &schema.schema_data;
            let text = data.title.as_deref().or(data.description.as_deref())?;
            let first = text.split("\n\n").next().unwrap_or_default().trim();
            (!first.is_empty())
                .then(|| (crate::plan::type_name_of(name, schema), first.to_string()))
        })
        .collect()
}

/// The named types of `space` that typify builds from text.
fn text_built(space: &TypeSpace) -> Vec<String> {
    let mut out: Vec<String> = space
        .iter_types()
        .filter(|ty| {
            matches!(ty.details(), TypeDetails::Enum(_) | TypeDetails::Newtype(_))
                && ty.has_impl(typify::TypeSpaceImpl::FromStr)
        })
        .map(|ty| ty.name())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The enums of `space`, with their variants' descriptions.
fn enum_facts(space: &TypeSpace) -> Vec<EnumFacts> {
    space
        .iter_types()
        .filter_map(|ty| match ty.details() {
            TypeDetails::Enum(e) => Some(EnumFacts {
                name: ty.name(),
                text: ty.has_impl(typify::TypeSpaceImpl::FromStr),
                variants: e
                    .variants_info()
                    .map(|v| (v.name.to_string(), v.description.map(str::to_string)))
                    .collect(),
            }),
            _ => None,
        })
        .collect()
}

/// The structs of `space`, with their fields' requiredness and descriptions.
fn model_facts(space: &TypeSpace) -> Vec<ModelFacts> {
    space
        .iter_types()
        .filter_map(|ty| match ty.details() {
            TypeDetails::Struct(s) => Some(ModelFacts {
                name: ty.name(),
                fields: s
                    .properties_info()
                    .map(|p| FieldFacts {
                        name: p.name.to_string(),
                        required: p.required,
                        description: p.description.map(str::to_string),
                        ty: space
                            .get_type(&p.type_id)
                            .map(|t| t.ident())
                            .unwrap_or_default(),
                    })
                    .collect(),
            }),
            _ => None,
        })
        .collect()
}

/// Types `model`'s document with `settings` (which name the module `types` and ask for
/// struct builders, as progenitor's Builder style does): the components first, then each
/// operation's parameters, body and responses, under the names progenitor hints
/// (`{operationId}-{param}`, `-body`, `-response`).
pub fn type_spec(
    model: &Model<'_>,
    plan: &Plan,
    settings: &TypeSpaceSettings,
) -> Result<Typed, String> {
    let mut space = TypeSpace::new(settings);
    let spec = model.spec;
    let schemas = spec
        .components
        .iter()
        .flat_map(|c| c.schemas.iter())
        .map(|(name, schema)| Ok((name.clone(), to_schemars(schema)?)))
        .collect::<Result<Vec<_>, String>>()?;
    space
        .add_ref_types(schemas)
        .map_err(|e| format!("typify refused the components: {e}"))?;
    let mut operations = Vec::new();
    for op in &model.operations {
        let Some(id) = op.op.operation_id.as_deref() else {
            continue;
        };
        let Some(planned) = plan.operations.iter().find(|p| p.operation_id == id) else {
            continue;
        };
        let types = operation_types(&mut space, spec, op, planned)
            .map_err(|e| format!("typing `{id}`: {e}"))?;
        operations.push((planned.progenitor_builder.clone(), types));
    }
    let stream = space.to_stream();
    let types: syn::ItemMod = syn::parse2(quote! {
        /// Types used as operation parameters and responses.
        #[allow(clippy::all)]
        pub mod types {
            #stream
        }
    })
    .map_err(|e| format!("typify produced unparsable Rust: {e}"))?;
    Ok(Typed {
        types,
        facts: TypeFacts {
            requests: RequestTypes { operations },
            models: model_facts(&space),
            text_built: text_built(&space),
            enums: enum_facts(&space),
            descriptions: component_descriptions(spec),
        },
    })
}

fn operation_types(
    space: &mut TypeSpace,
    spec: &OpenAPI,
    op: &crate::spec::model::Operation<'_>,
    planned: &crate::plan::OperationPlan,
) -> Result<OperationTypes, String> {
    // Long: the parameters, then the body, then the responses, in progenitor's order, which typify's names depend on.
    let id = &planned.operation_id;
    let mut fields = Vec::new();
    let mut arguments = Vec::new();
    // progenitor's order: each name once, the path item's first, an operation's own
    // parameter taking the place of the path item's of that name.
    let mut params: Vec<&openapiv3::Parameter> = Vec::new();
    for list in [&op.item.parameters, &op.op.parameters] {
        for p in list {
            let Some(param) =
                crate::spec::refs::resolve(p, spec.components.as_ref(), |c| &c.parameters)
            else {
                continue;
            };
            let name = &param.parameter_data_ref().name;
            match params
                .iter_mut()
                .find(|q| &q.parameter_data_ref().name == name)
            {
                Some(slot) => *slot = param,
                None => params.push(param),
            }
        }
    }
    for param in params {
        let data = param.parameter_data_ref();
        let ParameterSchemaOrContent::Schema(schema) = &data.format else {
            return Err(format!("the parameter `{}` has no schema", data.name));
        };
        let hint = sanitize_pascal(&format!("{id}-{}", data.name));
        let type_id = add(space, schema, hint)?;
        let ty = space.get_type(&type_id).map_err(|e| e.to_string())?;
        let (held_id, required) = match (param, ty.details()) {
            // An optional type is an optional parameter, whatever `required` says.
            (openapiv3::Parameter::Query { .. }, TypeDetails::Option(inner)) => (inner, false),
            (openapiv3::Parameter::Path { .. }, _) => (type_id, true),
            _ => (type_id, data.required),
        };
        let held_ty = space.get_type(&held_id).map_err(|e| e.to_string())?;
        let ident = held_ty.ident();
        arguments.push(ArgumentTypes {
            name: data.name.clone(),
            argument: held_ty.parameter_ident(),
            list: matches!(held_ty.details(), TypeDetails::Vec(_)),
        });
        let held = if required {
            ident
        } else {
            quote!(Option<#ident>)
        };
        fields.push((sanitize_snake(&data.name), parse_type(held)?));
    }
    let mut body_argument = None;
    if let Some(body) = &planned.body {
        let media = op
            .op
            .request_body
            .as_ref()
            .and_then(|b| {
                crate::spec::refs::resolve(b, spec.components.as_ref(), |c| &c.request_bodies)
            })
            .and_then(|b| b.content.first())
            .and_then(|(_, media)| media.schema.as_ref())
            .ok_or("its request body has no schema")?;
        let held = match body.content {
            BodyContent::Json | BodyContent::Form => {
                let type_id = add(space, media, sanitize_pascal(&format!("{id}-body")))?;
                let ty = space.get_type(&type_id).map_err(|e| e.to_string())?;
                body_argument = Some(ty.parameter_ident());
                ty.builder().unwrap_or_else(|| ty.ident())
            }
            BodyContent::OctetStream | BodyContent::Text(_) => quote!(reqwest::Body),
        };
        fields.push(("body".into(), parse_type(held)?));
    }
    let responses = responses(space, spec, op, id)?;
    Ok(OperationTypes {
        fields,
        success: success_type(&responses)?,
        arguments,
        body_argument,
        responses,
    })
}

/// Every response of `op`, typed: each JSON schema is added to the type space under
/// progenitor's hint (errors included, as progenitor adds them); an operation that
/// documents no success gets a `2XX` of any content, as the spec allows.
fn responses(
    space: &mut TypeSpace,
    spec: &OpenAPI,
    op: &crate::spec::model::Operation<'_>,
    id: &str,
) -> Result<Vec<ResponseTypes>, String> {
    let listed = op
        .op
        .responses
        .default
        .iter()
        .map(|r| (Status::Default, r))
        .chain(op.op.responses.responses.iter().map(|(code, r)| {
            let status = match code {
                StatusCode::Code(c) => Status::Code(*c),
                StatusCode::Range(r) => Status::Range(*r),
            };
            (status, r)
        }));
    let mut out = Vec::new();
    for (status, response) in listed {
        let response =
            crate::spec::refs::resolve(response, spec.components.as_ref(), |c| &c.responses)
                .ok_or("a response reference does not resolve")?;
        let json = response.content.iter().find_map(|(media, m)| {
            (media == "application/json" || media.starts_with("application/json;")).then_some(m)
        });
        let body = if let Some(media) = json {
            let schema = media
                .schema
                .as_ref()
                .ok_or("a JSON response has no schema")?;
            let type_id = add(space, schema, sanitize_pascal(&format!("{id}-response")))?;
            let ty = space.get_type(&type_id).map_err(|e| e.to_string())?;
            ResponseBody::Json {
                ty: ty.ident(),
                argument: ty.parameter_ident(),
            }
        } else if let Some((media, _)) = response.content.first() {
            ResponseBody::Other(Some(media.clone()))
        } else {
            ResponseBody::Empty
        };
        out.push(ResponseTypes { status, body });
    }
    if !out.iter().any(|r| r.status.is_success()) {
        out.push(ResponseTypes {
            status: Status::Range(2),
            body: ResponseBody::Other(None),
        });
    }
    Ok(out)
}

/// What progenitor's `send()` answers: the one type of the operation's success
/// responses (a `default` beside a `2XX` range never answers), `()` without content,
/// its byte stream for content that is not JSON.
fn success_type(responses: &[ResponseTypes]) -> Result<Type, String> {
    let mut successes: Vec<&ResponseTypes> =
        responses.iter().filter(|r| r.status.is_success()).collect();
    successes.sort_by_key(|r| r.status.order());
    if let [.., a, b] = successes.as_slice()
        && a.status == Status::Range(2)
        && b.status == Status::Default
    {
        successes.pop();
    }
    let mut kinds: Vec<String> = successes
        .iter()
        .map(|r| match &r.body {
            ResponseBody::Json { ty, .. } => ty.to_string(),
            ResponseBody::Empty => quote!(()).to_string(),
            ResponseBody::Other(_) => quote!(super::ByteStream).to_string(),
        })
        .collect();
    kinds.sort();
    kinds.dedup();
    match kinds.as_slice() {
        [one] => syn::parse_str(one).map_err(|e| format!("unparsable type `{one}`: {e}")),
        _ => Err("its success responses have different types".into()),
    }
}

fn add(
    space: &mut TypeSpace,
    schema: &ReferenceOr<Schema>,
    hint: String,
) -> Result<typify::TypeId, String> {
    space
        .add_type_with_name(&to_schemars(schema)?, Some(hint))
        .map_err(|e| format!("typify refused a schema: {e}"))
}

fn parse_type(tokens: TokenStream) -> Result<Type, String> {
    syn::parse2(tokens.clone()).map_err(|e| format!("unparsable type `{tokens}`: {e}"))
}

/// An OpenAPI 3.0 schema (or reference) as the JSON Schema typify reads, by
/// progenitor's rules: `nullable` adds `null` to the type (or wraps a composition in a
/// `oneOf` with `null`), `example` becomes `examples`, a boolean `exclusiveMinimum`
/// moves the bound, `discriminator` and `externalDocs` go, and empty lists are absent.
pub fn to_schemars(schema: &ReferenceOr<Schema>) -> Result<schemars::schema::Schema, String> {
    let value = serde_json::to_value(schema).map_err(|e| format!("unserializable schema: {e}"))?;
    serde_json::from_value(translate(&value)).map_err(|e| format!("untranslatable schema: {e}"))
}

/// The keys that describe a schema rather than constrain it: on a `nullable`
/// composition they stay on the wrapper.
const METADATA: [&str; 7] = [
    "title",
    "description",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "examples",
];

fn translate(value: &Value) -> Value {
    // Long: one pass over a schema's keys, each OpenAPI 3.0 rule a few lines in order.
    let Value::Object(map) = value else {
        return value.clone();
    };
    if let Some(reference) = map.get("$ref") {
        return json!({ "$ref": reference });
    }
    let mut m = map.clone();
    let nullable = m.remove("nullable") == Some(Value::Bool(true));
    m.remove("discriminator");
    m.remove("externalDocs");
    if let Some(example) = m.remove("example") {
        m.insert("examples".into(), json!([example]));
    }
    for key in ["deprecated", "readOnly", "writeOnly", "uniqueItems"] {
        if m.get(key) == Some(&Value::Bool(false)) {
            m.remove(key);
        }
    }
    for key in ["enum", "required", "oneOf", "allOf", "anyOf"] {
        if m.get(key)
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty)
        {
            m.remove(key);
        }
    }
    for (bound, exclusive) in [
        ("minimum", "exclusiveMinimum"),
        ("maximum", "exclusiveMaximum"),
    ] {
        if m.remove(exclusive) == Some(Value::Bool(true))
            && let Some(at) = m.remove(bound)
        {
            m.insert(exclusive.into(), at);
        }
    }
    for key in ["items", "not"] {
        if let Some(inner) = m.get_mut(key) {
            *inner = translate(inner);
        }
    }
    if let Some(inner @ Value::Object(_)) = m.get_mut("additionalProperties") {
        *inner = translate(inner);
    }
    if let Some(Value::Object(properties)) = m.get_mut("properties") {
        for inner in properties.values_mut() {
            *inner = translate(inner);
        }
    }
    for key in ["oneOf", "allOf", "anyOf"] {
        if let Some(Value::Array(list)) = m.get_mut(key) {
            for inner in list.iter_mut() {
                *inner = translate(inner);
            }
        }
    }
    // `enum: [null]` alone is the null type.
    if !m.contains_key("type") && m.get("enum") == Some(&json!([null])) {
        m.remove("enum");
        m.insert("type".into(), json!("null"));
    }
    if !nullable {
        return Value::Object(m);
    }
    match m.get("type").cloned() {
        Some(Value::String(t)) => {
            m.insert("type".into(), json!([t, "null"]));
            Value::Object(m)
        }
        Some(_) => Value::Object(m),
        None if ["oneOf", "allOf", "anyOf", "not"]
            .iter()
            .any(|k| m.contains_key(*k)) =>
        {
            // The description stays outside, the composition goes in a `oneOf` with null.
            let mut outer = Map::new();
            for key in METADATA {
                if let Some(v) = m.remove(key) {
                    outer.insert(key.into(), v);
                }
            }
            let extensions: Vec<String> =
                m.keys().filter(|k| k.starts_with("x-")).cloned().collect();
            for key in extensions {
                if let Some(v) = m.remove(&key) {
                    outer.insert(key, v);
                }
            }
            outer.insert("oneOf".into(), json!([{"type": "null"}, Value::Object(m)]));
            Value::Object(outer)
        }
        None => {
            let has = |keys: &[&str]| keys.iter().any(|k| m.contains_key(*k));
            let mut types = Vec::new();
            if has(&[
                "properties",
                "required",
                "additionalProperties",
                "minProperties",
                "maxProperties",
            ]) {
                types.push("object");
            }
            if has(&["items", "minItems", "maxItems", "uniqueItems"]) {
                types.push("array");
            }
            if has(&[
                "minimum",
                "maximum",
                "exclusiveMinimum",
                "exclusiveMaximum",
                "multipleOf",
            ]) {
                types.push("number");
            }
            if has(&["pattern", "minLength", "maxLength"]) {
                types.push("string");
            }
            types.push("null");
            let t = if types.len() == 1 {
                json!("null")
            } else {
                json!(types)
            };
            m.insert("type".into(), t);
            Value::Object(m)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(yaml: &str) -> Value {
        let schema: ReferenceOr<Schema> = serde_yaml::from_str(yaml).unwrap();
        serde_json::to_value(to_schemars(&schema).unwrap()).unwrap()
    }

    #[test]
    fn nullable_adds_null_to_the_type() {
        assert_eq!(
            convert("{type: string, nullable: true, enum: [a, b]}"),
            json!({"type": ["string", "null"], "enum": ["a", "b"]})
        );
    }

    #[test]
    fn a_nullable_composition_is_wrapped_with_its_description_outside() {
        assert_eq!(
            convert("{allOf: [{$ref: '#/components/schemas/a'}], nullable: true, description: D}"),
            json!({"description": "D", "oneOf": [
                {"type": "null"},
                {"allOf": [{"$ref": "#/components/schemas/a"}]},
            ]})
        );
    }

    #[test]
    fn openapi_only_keys_become_json_schema() {
        assert_eq!(
            convert(
                "{type: integer, format: int32, minimum: 0, exclusiveMinimum: true, \
                 example: 3, discriminator: {propertyName: kind}}"
            ),
            json!({"type": "integer", "format": "int32", "exclusiveMinimum": 0.0, "examples": [3]})
        );
        assert_eq!(
            convert(
                "{type: object, properties: {a: {type: string, nullable: true}}, required: []}"
            ),
            json!({"type": "object", "properties": {"a": {"type": ["string", "null"]}}})
        );
    }

    #[test]
    fn a_reference_stays_a_reference() {
        assert_eq!(
            convert("{$ref: '#/components/schemas/a'}"),
            json!({"$ref": "#/components/schemas/a"})
        );
    }
}
