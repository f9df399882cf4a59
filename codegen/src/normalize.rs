//! Stage 3: reshape a linted document into the form progenitor generates good code from.

use openapiv3::{
    Components, OpenAPI, Parameter, ParameterData, ParameterSchemaOrContent, PathStyle,
    ReferenceOr, Response, Schema, SchemaKind, StatusCode, Type,
};

use crate::model::{has_explicit_success, is_error};
use crate::refs::resolve;

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
            let template = crate::lint::template_names(path).unwrap_or_default();
            let path_level: Vec<String> =
                declared_path_params(&item.parameters, components.as_ref());
            for op in ops.into_iter().flatten() {
                responses(&mut op.responses, components.as_ref());
                declare_template_params(op, &template, &path_level, components.as_ref());
            }
        }
    }
    if let Some(components) = spec.components.as_mut() {
        for schema in components.schemas.values_mut() {
            if let ReferenceOr::Item(schema) = schema {
                nullable_optional_containers(schema);
            }
        }
    }
    spec
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
