//! The spec lowered once: its operations, each with its merged, resolved parameters and
//! its place in the document. The lint, the plan, the diff and the contract read this
//! model instead of walking `paths` and following `$ref`s each in its own way (as
//! rust-analyzer lowers its grammar into `AstSrc` before emitting).

use openapiv3::{
    Components, OpenAPI, Parameter, ParameterSchemaOrContent, PathItem, ReferenceOr, Response,
    Responses, Schema, StatusCode,
};

use crate::diagnostic::pointer;
use crate::spec::refs::resolve;

/// The spec, lowered.
#[derive(Debug)]
pub struct Model<'a> {
    /// The typed document the model was lowered from.
    pub spec: &'a OpenAPI,
    /// Every operation of every inline path item, in document order.
    pub operations: Vec<Operation<'a>>,
}

/// One operation.
#[derive(Debug)]
pub struct Operation<'a> {
    /// The path template (`/checkout_sessions/{session_id}`).
    pub path: &'a str,
    /// The HTTP method, lower case as the spec writes it (`get`).
    pub http_method: &'static str,
    /// JSON pointer of the operation (`/paths/~1checkout_sessions/get`).
    pub pointer: String,
    /// `GET /checkout_sessions`, for messages.
    pub label: String,
    /// The path item the operation sits in.
    pub item: &'a PathItem,
    /// The operation as the spec writes it.
    pub op: &'a openapiv3::Operation,
    /// The parameters that apply: the path item's, then the operation's, an operation
    /// parameter replacing a path-level one of the same name and location. References
    /// are resolved; a dangling one is left out (the lint reports it).
    pub params: Vec<Param<'a>>,
}

/// One parameter of an operation.
#[derive(Debug)]
pub struct Param<'a> {
    /// JSON pointer of the parameter (or of its `$ref`) in the document.
    pub pointer: String,
    /// The parameter, resolved.
    pub param: &'a Parameter,
    /// Its schema, resolved; `None` for `content` parameters and dangling references.
    pub schema: Option<&'a Schema>,
}

impl Param<'_> {
    /// The parameter's name in the API.
    pub fn name(&self) -> &str {
        &self.param.parameter_data_ref().name
    }

    /// Whether it is a path parameter.
    pub fn in_path(&self) -> bool {
        matches!(self.param, Parameter::Path { .. })
    }
}

/// Whether `code` (or range) is a success: 1xx to 3xx.
pub fn is_success(code: &StatusCode) -> bool {
    match code {
        StatusCode::Code(c) => (100..400).contains(c),
        StatusCode::Range(r) => *r < 4,
    }
}

/// Whether `code` (or range) is an error: 4xx and 5xx.
pub fn is_error(code: &StatusCode) -> bool {
    match code {
        StatusCode::Code(c) => *c >= 400,
        StatusCode::Range(r) => *r >= 4,
    }
}

/// Whether `responses` list a success explicitly; beside one, `default` means "any
/// error", and alone it is the success response too.
pub fn has_explicit_success(responses: &Responses) -> bool {
    responses.responses.keys().any(is_success)
}

/// The eight operations a path item may hold, in progenitor's order (the order of
/// every walk over a document's operations).
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

impl<'a> Model<'a> {
    /// Lowers `spec`.
    pub fn lower(spec: &'a OpenAPI) -> Self {
        let components = spec.components.as_ref();
        let mut operations = Vec::new();
        for (path, item) in spec.paths.paths.iter() {
            let ReferenceOr::Item(item) = item else {
                continue;
            };
            let item_ptr = pointer(["paths", path.as_str()]);
            for (method, op) in item.iter() {
                let http_method = METHODS.into_iter().find(|m| *m == method).unwrap_or("get");
                let op_ptr = format!("{item_ptr}/{method}");
                let mut params: Vec<Param<'a>> = Vec::new();
                let levels = [
                    (item_ptr.as_str(), &item.parameters),
                    (op_ptr.as_str(), &op.parameters),
                ];
                for (base, list) in levels {
                    for (i, p) in list.iter().enumerate() {
                        let Some(param) = resolve(p, components, |c| &c.parameters) else {
                            continue;
                        };
                        let data = param.parameter_data_ref();
                        params.retain(|q| {
                            let qd = q.param.parameter_data_ref();
                            !(qd.name == data.name
                                && std::mem::discriminant(q.param) == std::mem::discriminant(param))
                        });
                        let schema = match &data.format {
                            ParameterSchemaOrContent::Schema(s) => {
                                resolve(s, components, |c| &c.schemas)
                            }
                            ParameterSchemaOrContent::Content(_) => None,
                        };
                        params.push(Param {
                            pointer: format!("{base}/parameters/{i}"),
                            param,
                            schema,
                        });
                    }
                }
                operations.push(Operation {
                    path,
                    http_method,
                    pointer: op_ptr,
                    label: format!("{} {path}", method.to_uppercase()),
                    item,
                    op,
                    params,
                });
            }
        }
        Model { spec, operations }
    }

    /// The document's components, if any.
    pub fn components(&self) -> Option<&'a Components> {
        self.spec.components.as_ref()
    }

    /// The schema `schema` is or refers to.
    pub fn schema(&self, schema: &'a ReferenceOr<Schema>) -> Option<&'a Schema> {
        resolve(schema, self.components(), |c| &c.schemas)
    }

    /// The schema a property's (boxed) schema is or refers to.
    pub fn boxed_schema(&self, schema: &'a ReferenceOr<Box<Schema>>) -> Option<&'a Schema> {
        match schema {
            ReferenceOr::Item(s) => Some(s),
            ReferenceOr::Reference { reference } => {
                let name = reference.rsplit('/').next()?;
                self.schema(self.components()?.schemas.get(name)?)
            }
        }
    }

    /// The response `response` is or refers to.
    pub fn response(&self, response: &'a ReferenceOr<Response>) -> Option<&'a Response> {
        resolve(response, self.components(), |c| &c.responses)
    }
}

/// The `{names}` in a path template, in order.
pub fn template_names(path: &str) -> Result<Vec<String>, String> {
    Ok(lomi_schema::path::parse(path)?
        .into_iter()
        .filter_map(|part| match part {
            lomi_schema::path::Part::Param(name) => Some(name.to_string()),
            lomi_schema::path::Part::Literal(_) => None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_names_are_read_in_order() {
        assert_eq!(template_names("/a/{x}/b/{y}").unwrap(), ["x", "y"]);
        assert_eq!(template_names("/a").unwrap(), Vec::<String>::new());
        assert!(template_names("/a/{x").is_err());
        assert!(template_names("/a/x}").is_err());
        assert!(template_names("/a/{}").is_err());
    }

    #[test]
    fn operation_parameters_override_path_level_ones_and_refs_are_resolved() {
        let spec: OpenAPI = serde_yaml::from_str(
            "openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /things/{id}:
    parameters:
      - {$ref: '#/components/parameters/id'}
      - {name: verbose, in: query, schema: {type: boolean}}
    get:
      operationId: getThing
      parameters:
        - {name: verbose, in: query, schema: {type: string}}
        - {name: verbose, in: header, schema: {type: string}}
        - {$ref: '#/components/parameters/missing'}
      responses: {'204': {description: ok}}
components:
  parameters:
    id: {name: id, in: path, required: true, schema: {$ref: '#/components/schemas/id'}}
  schemas:
    id: {type: string, format: uuid}
",
        )
        .unwrap();
        let model = Model::lower(&spec);
        let op = &model.operations[0];
        assert_eq!(
            (op.label.as_str(), op.pointer.as_str()),
            ("GET /things/{id}", "/paths/~1things~1{id}/get")
        );
        let params: Vec<(&str, &str)> = op
            .params
            .iter()
            .map(|p| (p.name(), p.pointer.as_str()))
            .collect();
        assert_eq!(
            params,
            [
                ("id", "/paths/~1things~1{id}/parameters/0"),
                ("verbose", "/paths/~1things~1{id}/get/parameters/0"),
                ("verbose", "/paths/~1things~1{id}/get/parameters/1"),
            ]
        );
        assert!(op.params[0].schema.is_some(), "the schema ref is followed");
    }
}
