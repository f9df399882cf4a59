//! Stage 3: reshape a linted document into the form progenitor generates good code from.

use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, Type};

/// Returns the document progenitor should see.
///
/// Optional object and array properties become `nullable`: servers commonly send
/// `"metadata": null` for an empty optional field, and without this typify types such a
/// property as a bare `Map`/`Vec` that fails to decode `null`, failing the whole response.
/// (Optional scalars and `$ref`s already decode `null` as `None`.)
pub fn normalize(mut spec: OpenAPI) -> OpenAPI {
    if let Some(components) = spec.components.as_mut() {
        for schema in components.schemas.values_mut() {
            if let ReferenceOr::Item(schema) = schema {
                nullable_optional_containers(schema);
            }
        }
    }
    spec
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
