//! Stage 3: reshape a linted document into the form progenitor generates good code from.

use openapiv3::{
    Components, OpenAPI, Parameter, ParameterData, ParameterSchemaOrContent, PathStyle,
    ReferenceOr, Response, Schema, SchemaKind, StatusCode, Type,
};

use crate::spec::model::{has_explicit_success, is_error};
use crate::spec::refs::resolve;

/// Returns the document progenitor should see.
///
/// Optional object and array properties become `nullable`: servers commonly send
/// `"metadata": null` for an empty optional field, and without this typify types such a
/// property as a bare `Map`/`Vec` that fails to decode `null`, failing the whole response.
/// (Optional scalars and `$ref`s already decode `null` as `None`.)
///
/// Responses progenitor refuses although their meaning is clear are reshaped:
/// - a `default` response beside explicit successes means "any error": it becomes `4XX`
///   and `5XX` (where the operation does not list them already);
/// - error responses lose their types: the runtime reads `code`, `message`, `details` and
///   `request_id` from the raw JSON of any error body, so typing them would only parse
///   each error twice and compile a decoder per error schema (the models stay in `types`).
pub fn normalize(mut spec: OpenAPI) -> OpenAPI {
    // The type names the spec's own schemas take, which a name made after a pin must
    // not take too (typify would then emit two types of one name).
    let mut taken: std::collections::BTreeSet<String> = spec
        .components
        .iter()
        .flat_map(|c| c.schemas.iter())
        .map(|(name, schema)| match schema {
            ReferenceOr::Item(schema) => crate::spec::naming::type_name_of(name, schema),
            ReferenceOr::Reference { .. } => crate::spec::naming::sanitize_pascal(name),
        })
        .collect();
    let OpenAPI {
        paths, components, ..
    } = &mut spec;
    for (path, item) in paths.paths.iter_mut() {
        if let ReferenceOr::Item(item) = item {
            let ops = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.options,
                &mut item.head,
                &mut item.patch,
                &mut item.trace,
            ];
            let template = crate::spec::model::template_names(path).unwrap_or_default();
            let path_level: Vec<String> =
                declared_path_params(&item.parameters, components.as_ref());
            for op in ops.into_iter().flatten() {
                responses(&mut op.responses, components.as_ref());
                declare_template_params(op, &template, &path_level, components.as_ref());
                name_after_pins(op, &mut taken);
            }
        }
    }
    if let Some(components) = spec.components.as_mut() {
        for schema in components.schemas.values_mut() {
            if let ReferenceOr::Item(schema) = schema {
                nullable_optional_containers(schema);
                if let Some(pin) = crate::spec::naming::rust_name(&schema.schema_data.extensions) {
                    let pin = pin.to_string();
                    name_nested(schema, &pin, &mut taken);
                }
            }
        }
    }
    spec
}

/// Names what typify would name after lomi.'s server names (an operationId, a DTO class)
/// after our pins instead, so that a rename upstream renames no type: the inline
/// schemas nested in a pinned inline body or response (`CheckoutSessionCreate`'s
/// `line_items` items: `CheckoutSessionCreateLineItemsItem`, not
/// `CheckoutSessionsControllerCreateBodyLineItemsItem`), and the parameters of a pinned
/// operation (`list_checkout_sessions`'s `status`: `ListCheckoutSessionsStatus`). The
/// name goes in the schema's `title`, which typify prefers to the name it would make up;
/// a title the document gives is kept.
fn name_after_pins(op: &mut openapiv3::Operation, taken: &mut std::collections::BTreeSet<String>) {
    let method = crate::spec::naming::rust_name(&op.extensions).map(str::to_string);
    if let Some(method) = &method {
        for param in op.parameters.iter_mut() {
            if let ReferenceOr::Item(param) = param {
                let data = match param {
                    Parameter::Query { parameter_data, .. }
                    | Parameter::Header { parameter_data, .. }
                    | Parameter::Path { parameter_data, .. }
                    | Parameter::Cookie { parameter_data, .. } => parameter_data,
                };
                if let ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) =
                    &mut data.format
                {
                    let name = format!("{method}_{}", data.name);
                    name_schema(schema, &name, taken);
                }
            }
        }
    }
    let mut json = |content: &mut indexmap::IndexMap<String, openapiv3::MediaType>| {
        content
            .get_mut("application/json")
            .and_then(|m| m.schema.as_mut())
            .and_then(|s| match s {
                ReferenceOr::Item(schema) => Some(schema),
                ReferenceOr::Reference { .. } => None,
            })
            .map(|schema| {
                if let Some(pin) = crate::spec::naming::rust_name(&schema.schema_data.extensions) {
                    let pin = pin.to_string();
                    name_nested(schema, &pin, taken);
                }
            })
    };
    if let Some(ReferenceOr::Item(body)) = op.request_body.as_mut() {
        json(&mut body.content);
    }
    for response in op.responses.responses.values_mut() {
        if let ReferenceOr::Item(response) = response {
            json(&mut response.content);
        }
    }
}

/// Titles `schema` `name` (as typify spells a type: Pascal case) when typify makes a type
/// of it and the document gave it no title, then names what it nests after it.
fn name_schema(schema: &mut Schema, name: &str, taken: &mut std::collections::BTreeSet<String>) {
    let named = match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => !s.enumeration.is_empty(),
        SchemaKind::Type(Type::Object(o)) => !o.properties.is_empty(),
        SchemaKind::Type(Type::Array(_)) => false,
        SchemaKind::Type(_) => false,
        SchemaKind::Any(any) => !any.properties.is_empty() || !any.enumeration.is_empty(),
        SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } | SchemaKind::AllOf { .. } => true,
        SchemaKind::Not { .. } => false,
    };
    let title = crate::spec::naming::sanitize_pascal(name);
    // A name another type has keeps typify's own instead.
    if named && schema.schema_data.title.is_none() && taken.insert(title.clone()) {
        schema.schema_data.title = Some(title);
    }
    name_nested(schema, name, taken);
}

/// Names the inline schemas `schema` nests (its properties', its items') after `name`,
/// the way typify would after its own name for `schema`: `name_property`, `name_item`.
fn name_nested(schema: &mut Schema, name: &str, taken: &mut std::collections::BTreeSet<String>) {
    fn boxed(s: &mut ReferenceOr<Box<Schema>>) -> Option<&mut Schema> {
        match s {
            ReferenceOr::Item(schema) => Some(schema.as_mut()),
            ReferenceOr::Reference { .. } => None,
        }
    }
    match &mut schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => {
            for (property, s) in o.properties.iter_mut() {
                if let Some(s) = boxed(s) {
                    name_schema(s, &format!("{name}_{property}"), taken);
                }
            }
        }
        SchemaKind::Any(any) => {
            for (property, s) in any.properties.iter_mut() {
                if let Some(s) = boxed(s) {
                    name_schema(s, &format!("{name}_{property}"), taken);
                }
            }
        }
        SchemaKind::Type(Type::Array(a)) => {
            if let Some(items) = a.items.as_mut().and_then(boxed) {
                name_schema(items, &format!("{name}_item"), taken);
            }
        }
        _ => {}
    }
}

/// The names of the path parameters among `params`.
fn declared_path_params(
    params: &[ReferenceOr<Parameter>],
    components: Option<&Components>,
) -> Vec<String> {
    params
        .iter()
        .filter_map(|p| resolve(p, components, |c| &c.parameters))
        .filter(|p| matches!(p, Parameter::Path { .. }))
        .map(|p| p.parameter_data_ref().name.clone())
        .collect()
}

/// A `{name}` of the path that no parameter declares becomes a required string path
/// parameter (the lint warns, `L021`): its meaning is clear, and progenitor needs it.
fn declare_template_params(
    op: &mut openapiv3::Operation,
    template: &[String],
    path_level: &[String],
    components: Option<&Components>,
) {
    let declared = declared_path_params(&op.parameters, components);
    for name in template {
        if path_level.contains(name) || declared.contains(name) {
            continue;
        }
        op.parameters.push(ReferenceOr::Item(Parameter::Path {
            parameter_data: ParameterData {
                name: name.clone(),
                description: None,
                required: true,
                deprecated: None,
                format: ParameterSchemaOrContent::Schema(ReferenceOr::Item(Schema {
                    schema_data: Default::default(),
                    schema_kind: SchemaKind::Type(Type::String(Default::default())),
                })),
                example: None,
                examples: Default::default(),
                explode: None,
                extensions: Default::default(),
            },
            style: PathStyle::Simple,
        }));
    }
}

fn responses(responses: &mut openapiv3::Responses, components: Option<&Components>) {
    if has_explicit_success(responses)
        && let Some(default) = responses.default.take()
    {
        for range in [4, 5] {
            let listed = responses.responses.keys().any(|code| match code {
                StatusCode::Code(c) => c / 100 == range,
                StatusCode::Range(r) => *r == range,
            });
            if !listed {
                responses
                    .responses
                    .insert(StatusCode::Range(range), default.clone());
            }
        }
    }
    for (code, response) in responses.responses.iter_mut() {
        if !is_error(code) {
            continue;
        }
        let description = resolve(response, components, |c| &c.responses)
            .map(|r| r.description.clone())
            .unwrap_or_default();
        *response = ReferenceOr::Item(Response {
            description,
            ..Response::default()
        });
    }
}

fn nullable_optional_containers(schema: &mut Schema) {
    match &mut schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => {
            for (name, property) in object.properties.iter_mut() {
                let ReferenceOr::Item(property) = property else {
                    continue;
                };
                nullable_optional_containers(property);
                let container = matches!(
                    property.schema_kind,
                    SchemaKind::Type(Type::Object(_) | Type::Array(_))
                );
                if container && !object.required.contains(name) {
                    property.schema_data.nullable = true;
                }
            }
        }
        SchemaKind::Type(Type::Array(array)) => {
            if let Some(ReferenceOr::Item(items)) = array.items.as_mut() {
                nullable_optional_containers(items);
            }
        }
        SchemaKind::AllOf { all_of: list }
        | SchemaKind::AnyOf { any_of: list }
        | SchemaKind::OneOf { one_of: list } => {
            for item in list {
                if let ReferenceOr::Item(item) = item {
                    nullable_optional_containers(item);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(schemas: &str) -> OpenAPI {
        let text = format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n{schemas}"
        );
        serde_yaml::from_str(&text).unwrap()
    }

    fn nullable(spec: &OpenAPI, schema: &str, property: &str) -> bool {
        let ReferenceOr::Item(s) = &spec.components.as_ref().unwrap().schemas[schema] else {
            panic!()
        };
        let SchemaKind::Type(Type::Object(o)) = &s.schema_kind else {
            panic!()
        };
        let ReferenceOr::Item(p) = &o.properties[property] else {
            panic!()
        };
        p.schema_data.nullable
    }

    #[test]
    fn optional_maps_and_lists_accept_null_but_required_ones_do_not() {
        let out = normalize(spec(
            "    S:\n      type: object\n      required: [tags]\n      properties:\n        metadata: {type: object, additionalProperties: true}\n        data: {type: array, items: {type: string}}\n        tags: {type: array, items: {type: string}}\n        name: {type: string}\n",
        ));
        assert!(nullable(&out, "S", "metadata"));
        assert!(nullable(&out, "S", "data"));
        assert!(!nullable(&out, "S", "tags"));
        assert!(!nullable(&out, "S", "name"));
    }
}
