//! What a maintainer reads when a spec is broken: each test feeds the generator a small
//! broken spec and asserts the whole diagnostic (message, file:line, JSON pointer, help).

use lomi_codegen::{Diagnostic, generate};

/// A small valid spec; tests splice broken parts into it.
const HEAD: &str = "\
openapi: 3.0.3
info:
  title: t
  version: '1'
";

fn errors(text: &str) -> Vec<String> {
    match generate("spec/t.yaml", text) {
        Ok(g) => panic!("expected errors, generated {} file(s)", g.files.len()),
        Err(diags) => diags
            .iter()
            .filter(|d| d.is_error())
            .map(Diagnostic::to_string)
            .collect(),
    }
}

/// The warnings of a spec that generates, with the generated code.
fn warnings(text: &str) -> (Vec<String>, String) {
    match generate("spec/t.yaml", text) {
        Ok(g) => (
            g.warnings.iter().map(Diagnostic::to_string).collect(),
            g.files[0].contents.clone(),
        ),
        Err(diags) => panic!("expected it to generate: {diags:#?}"),
    }
}

fn one_warning(text: &str) -> String {
    let (mut all, _) = warnings(text);
    assert_eq!(all.len(), 1, "{all:#?}");
    all.remove(0)
}

fn one_error(text: &str) -> String {
    let mut all = errors(text);
    assert_eq!(all.len(), 1, "{all:#?}");
    all.remove(0)
}

fn spec(paths: &str) -> String {
    format!("{HEAD}paths:\n{paths}")
}

#[test]
fn a_valid_spec_generates_without_diagnostics() {
    let text = spec(
        "  /things/{id}:
    get:
      operationId: getThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {name: {type: string}}}
",
    );
    let out = generate("spec/t.yaml", &text).expect("valid spec");
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    // The client's module, the httpmock helpers and the command's table.
    let outputs: Vec<lomi_codegen::Output> = out.files.iter().map(|f| f.output).collect();
    use lomi_codegen::Output::*;
    assert_eq!(outputs, [Client, Httpmock, Cli]);
    let client = out.contents(Client).unwrap();
    assert!(client.contains("pub fn get_thing(&self)"));
    assert!(out.contents(Httpmock).unwrap().contains("fn get_thing<F>"));
    // A target without helpers or a table (lomi-sdk's) gets its client alone.
    let target = lomi_codegen::Target {
        httpmock: false,
        cli: false,
        ..Default::default()
    };
    let alone = lomi_codegen::generate_for("spec/t.yaml", &text, &target).unwrap();
    assert_eq!(alone.files.len(), 1);
    assert_eq!(alone.contents(Client), Some(client));
}

#[test]
fn missing_operation_id() {
    let e = one_error(&spec(
        "  /things:\n    get:\n      responses:\n        '204': {description: ok}\n",
    ));
    assert_eq!(
        e,
        "error[L011]: operation `GET /things` has no operationId
  --> spec/t.yaml:7 at /paths/~1things/get
  = help: add `operationId: <lowerCamelCase name>`; it names the client method (e.g. `listCheckoutSessions` becomes `list_checkout_sessions()`)"
    );
}

#[test]
fn duplicate_operation_ids_name_both_places() {
    let e = one_error(&spec(
        "  /a:
    get:
      operationId: listThings
      responses: {'204': {description: ok}}
  /b:
    get:
      operationId: listThings
      responses: {'204': {description: ok}}
",
    ));
    assert_eq!(
        e,
        "error[L013]: duplicate operationId `listThings`: already used by /paths/~1a/get/operationId
  --> spec/t.yaml:12 at /paths/~1b/get/operationId
  = help: operationIds must be unique: rename one of the two operations"
    );
}

#[test]
fn operation_ids_that_make_the_same_rust_method_collide() {
    let e = one_error(&spec(
        "  /a:
    get:
      operationId: listThings
      responses: {'204': {description: ok}}
    post:
      operationId: list_things
      responses: {'204': {description: ok}}
",
    ));
    assert!(
        e.starts_with(
            "error[L013]: operationId `list_things` gives the same Rust method name as `listThings`"
        ),
        "{e}"
    );
    assert!(
        e.contains("--> spec/t.yaml:11 at /paths/~1a/post/operationId"),
        "{e}"
    );
}

#[test]
fn dangling_ref() {
    let e = one_error(&spec(
        "  /a:
    get:
      operationId: getA
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Missing'
",
    ));
    assert_eq!(
        e,
        "error[L003]: `$ref` points to `#/components/schemas/Missing`, which does not exist
  --> spec/t.yaml:15 at /paths/~1a/get/responses/200/content/application~1json/schema/$ref
  = help: define `Missing` under `components/schemas`, or fix the reference's spelling"
    );
}

#[test]
fn external_refs_are_refused() {
    let e = one_error(&spec(
        "  /a:
    get:
      operationId: getA
      responses:
        '200':
          $ref: 'common.yaml#/responses/Ok'
",
    ));
    assert_eq!(
        e,
        "error[L002]: external reference `common.yaml#/responses/Ok` is not supported
  --> spec/t.yaml:11 at /paths/~1a/get/responses/200/$ref
  = help: the generator reads one self-contained document: copy the referenced definition under `components` and point to it with `#/components/...`"
    );
}

#[test]
fn reference_cycles_are_named() {
    let text = format!(
        "{}components:
  schemas:
    A:
      $ref: '#/components/schemas/B'
    B:
      $ref: '#/components/schemas/A'
",
        spec(
            "  /a:\n    get:\n      operationId: getA\n      responses: {'204': {description: ok}}\n"
        )
    );
    // One cycle, reported once.
    let all = errors(&text);
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(
        all[0],
        "error[L004]: reference cycle: #/components/schemas/B → #/components/schemas/A → #/components/schemas/B
  --> spec/t.yaml:13 at /components/schemas/A/$ref
  = help: one of these definitions must be an actual schema, not only a `$ref` to another"
    );
}

#[test]
fn path_parameter_missing_from_the_template() {
    let e = one_error(&spec(
        "  /things:
    get:
      operationId: getThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses: {'204': {description: ok}}
",
    ));
    assert_eq!(
        e,
        "error[L015]: path parameter `id` of `GET /things` is missing from the path template
  --> spec/t.yaml:10 at /paths/~1things/get/parameters/0
  = help: add `{id}` to the path, or declare the parameter `in: query`"
    );
}

#[test]
fn template_variable_without_a_parameter() {
    // lomi.'s June 2026 document has six such paths: the meaning is clear (a string
    // segment), so the client takes it as a required string, and the lint warns.
    let (warnings, code) = warnings(&spec(
        "  /things/{thing_id}:
    delete:
      operationId: deleteThing
      responses: {'204': {description: ok}}
",
    ));
    assert_eq!(
        warnings,
        ["warning[L021]: `DELETE /things/{thing_id}` has `{thing_id}` in its path but no path parameter named `thing_id`: the client takes it as a required string
  --> spec/t.yaml:7 at /paths/~1things~1{thing_id}/delete
  = help: to type it or document it, declare `- {name: thing_id, in: path, required: true, schema: {type: string}}` under the operation's or the path's `parameters`"]
    );
    assert!(code.contains("pub fn thing_id<V>"), "the builder takes it");
}

#[test]
fn path_parameters_must_be_required() {
    let e = one_error(&spec(
        "  /things/{id}:
    parameters:
      - {name: id, in: path, schema: {type: string}}
    get:
      operationId: getThing
      responses: {'204': {description: ok}}
",
    ));
    assert_eq!(
        e,
        "error[L016]: path parameter `id` is not marked `required: true`
  --> spec/t.yaml:8 at /paths/~1things~1{id}/parameters/0
  = help: path parameters are always required: add `required: true`"
    );
}

/// Severity by effect: an example changes no generated line, so a wrong one is a
/// warning (`--deny-warnings` makes it fatal for our own spec).
#[test]
fn request_example_that_does_not_match_its_schema_is_a_warning() {
    let w = one_warning(&spec(
        "  /things:
    post:
      operationId: createThing
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties:
                product_id: {type: string, format: uuid}
            example:
              product_id: prod_1234567890abcdef
      responses: {'204': {description: ok}}
",
    ));
    assert_eq!(
        w,
        "warning[L037]: example at /product_id does not match its schema: \"prod_1234567890abcdef\" is not a \"uuid\"
  --> spec/t.yaml:18 at /paths/~1things/post/requestBody/content/application~1json/example/product_id
  = help: change the example or the schema so that they agree"
    );
}

/// Unlike an example, a default becomes code (typify's `Default` and serde defaults),
/// and progenitor refuses one that does not fit: it stays an error.
#[test]
fn parameter_defaults_must_fit_their_bounds() {
    let e = one_error(&spec(
        "  /things:
    get:
      operationId: listThings
      parameters:
        - name: limit
          in: query
          schema: {type: integer, minimum: 1, maximum: 100, default: 500}
      responses: {'204': {description: ok}}
",
    ));
    assert_eq!(
        e,
        "error[L038]: default does not match its schema: 500 is greater than the maximum of 100
  --> spec/t.yaml:12 at /paths/~1things/get/parameters/0/schema/default
  = help: change the default or the schema so that they agree"
    );
}

#[test]
fn two_different_success_bodies() {
    let e = one_error(&spec(
        "  /things:
    post:
      operationId: makeThing
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}
        '201':
          description: made
          content: {application/json: {schema: {$ref: '#/components/schemas/B'}}}
components:
  schemas:
    A: {type: object}
    B: {type: object}
",
    ));
    assert_eq!(
        e,
        "error[L028]: `POST /things` has 2 different success response bodies (200 → `#/components/schemas/A`, 201 → `#/components/schemas/B`); progenitor needs one
  --> spec/t.yaml:9 at /paths/~1things/post/responses
  = help: give every 2xx response (and a `default` that stands alone, which counts as both) the same schema, or drop the odd one"
    );
}

/// Real specs put their error schema on `default` beside the 2xx responses: it means
/// "any error", and is normalized to 4XX/5XX instead of being refused.
#[test]
fn a_default_response_beside_successes_is_the_error_response() {
    let (w, code) = warnings(&spec(
        "  /things:
    get:
      operationId: listThings
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}
        default:
          description: error
          content: {application/json: {schema: {$ref: '#/components/schemas/B'}}}
components:
  schemas:
    A: {type: object}
    B: {type: object}
",
    ));
    assert!(w.is_empty(), "{w:#?}");
    // The success is typed; errors are read raw by the runtime (their model stays).
    let flat: String = code.split_whitespace().collect();
    assert!(
        flat.contains("::lomi_runtime::ResponseValue<types::A>,::lomi_runtime::Error"),
        "{code}"
    );
    assert!(code.contains("pub struct B("), "{code}");
}

/// The runtime reads error bodies as raw JSON, so differing error bodies only lose
/// their types.
#[test]
fn two_different_error_bodies_are_a_warning() {
    let (w, code) = warnings(&spec(
        "  /things:
    get:
      operationId: listThings
      responses:
        '204': {description: ok}
        '400':
          description: bad
          content: {application/json: {schema: {type: object}}}
        '500':
          description: broken
          content: {text/html: {schema: {type: string}}}
",
    ));
    assert_eq!(w.len(), 1, "{w:#?}");
    assert!(
        w[0].starts_with("warning[L027]: `GET /things` has 2 different error response bodies (400 → inline schema {\"type\":\"object\"}, 500 → raw bytes); the client reads `code`, `message` and `details` from any of them but types none"),
        "{}", w[0]
    );
    let flat: String = code.split_whitespace().collect();
    assert!(
        flat.contains("::lomi_runtime::ResponseValue<()>,::lomi_runtime::Error"),
        "{code}"
    );
}

#[test]
fn multipart_bodies_are_refused() {
    let e = one_error(&spec(
        "  /files:
    post:
      operationId: upload
      requestBody:
        content:
          multipart/form-data:
            schema: {type: object}
      responses: {'204': {description: ok}}
",
    ));
    assert_eq!(
        e,
        "error[L023]: request body content type `multipart/form-data` of `POST /files` is not supported
  --> spec/t.yaml:11 at /paths/~1files/post/requestBody/content/multipart~1form-data
  = help: use one of: application/json, application/x-www-form-urlencoded, application/octet-stream, text/plain, text/x-markdown"
    );
}

#[test]
fn cookie_parameters_are_refused() {
    let e = one_error(&spec(
        "  /me:
    get:
      operationId: me
      parameters:
        - {name: session, in: cookie, schema: {type: string}}
      responses: {'204': {description: ok}}
",
    ));
    assert_eq!(
        e,
        "error[L019]: cookie parameter `session` is not supported
  --> spec/t.yaml:10 at /paths/~1me/get/parameters/0
  = help: the client cannot send cookie parameters: describe the value as a header or query parameter, or leave it out of the spec"
    );
}

#[test]
fn openapi_31_is_refused() {
    let e = one_error("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n");
    assert_eq!(
        e,
        "error[Y004]: OpenAPI 3.1.0 is not supported: the generator reads OpenAPI 3.0.x only
  --> spec/t.yaml:1 at /openapi
  = help: convert the document to 3.0.3 (`nullable: true` instead of `type: [T, 'null']`, `example` instead of `examples` in schemas, no `webhooks`) and set `openapi: 3.0.3`"
    );
}

#[test]
fn yaml_syntax_errors_name_the_line() {
    let e = one_error(&format!("{HEAD}paths:\n  /a:\n    get: [\n"));
    assert!(
        e.starts_with("error[Y001]: the spec is not valid YAML or JSON:"),
        "{e}"
    );
    assert!(e.contains("--> spec/t.yaml:8 at #"), "{e}");
}

#[test]
fn wrong_types_inside_operations_are_located() {
    let e = one_error(&spec(
        "  /a:
    get:
      operationId: getA
      parameters:
        - {name: q, in: query, required: maybe, schema: {type: string}}
      responses: {'204': {description: ok}}
",
    ));
    assert!(
        e.contains("--> spec/t.yaml:10 at /paths/~1a/get/parameters/0"),
        "{e}"
    );
}

#[test]
fn json_specs_work_and_are_located_too() {
    let text = r#"{
  "openapi": "3.0.3",
  "info": {"title": "t", "version": "1"},
  "paths": {
    "/a": {
      "get": {
        "responses": {"204": {"description": "ok"}}
      }
    }
  }
}"#;
    let e = one_error(text);
    assert!(e.contains("--> spec/t.yaml:6 at /paths/~1a/get"), "{e}");
}

#[test]
fn every_problem_is_reported_at_once_top_to_bottom() {
    let all = errors(&spec(
        "  /a/{id}:
    get:
      responses: {'204': {description: ok}}
  /b:
    get:
      operationId: getB
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Nope'}}}
",
    ));
    let lines: Vec<&str> = all
        .iter()
        .map(|e| e.lines().nth(1).unwrap().trim())
        .collect();
    assert_eq!(
        lines,
        [
            "--> spec/t.yaml:7 at /paths/~1a~1{id}/get",
            "--> spec/t.yaml:15 at /paths/~1b/get/responses/200/content/application~1json/schema/$ref",
        ]
    );
}

#[test]
fn misspelled_types_and_lone_exclusive_bounds() {
    let text = format!(
        "{}components:
  schemas:
    A:
      type: object
      properties:
        name: {{type: strin}}
        count: {{type: integer, exclusiveMaximum: true}}
",
        spec(
            "  /a:\n    get:\n      operationId: getA\n      responses: {'204': {description: ok}}\n"
        )
    );
    assert_eq!(
        errors(&text),
        [
            "error[L032]: `strin` is not a schema type
  --> spec/t.yaml:15 at /components/schemas/A/properties/name/type
  = help: use one of: string, number, integer, boolean, object, array",
            "error[L036]: `exclusiveMaximum: true` without a `maximum`
  --> spec/t.yaml:16 at /components/schemas/A/properties/count/exclusiveMaximum
  = help: in OpenAPI 3.0 `exclusiveMaximum` only makes `maximum` exclusive: add `maximum` or remove `exclusiveMaximum`",
        ]
    );
}

/// MAINTAINING.md's table of codes is the maintainer's reference: it lists every code, with
/// its severity and title, as the generator knows them.
#[test]
fn the_maintainers_guide_lists_every_diagnostic_code() {
    let readme = include_str!("../../MAINTAINING.md");
    for code in lomi_codegen::Code::ALL {
        let severity = match code.severity() {
            lomi_codegen::Severity::Note => "note",
            lomi_codegen::Severity::Error => "error",
            lomi_codegen::Severity::Warning => "warning",
        };
        let row = format!("| `{}` | {severity} | {} |", code.id(), code.title());
        assert!(readme.contains(&row), "MAINTAINING.md lacks {row}");
    }
}

/// Every row of the code tables is reachable: the generator raises each `Code` and each
/// `ChangeKind` somewhere (a row nothing uses is a code MAINTAINING.md promises in vain).
#[test]
fn every_code_and_change_kind_is_raised_somewhere() {
    fn read_all(dir: &std::path::Path, text: &mut String) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                read_all(&path, text);
            } else if path.extension().is_some_and(|e| e == "rs") {
                text.push_str(&std::fs::read_to_string(path).unwrap());
            }
        }
    }
    // Every source of the generator, each stage's folder included.
    let mut text = String::new();
    read_all(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut text,
    );
    let unused: Vec<String> = lomi_codegen::Code::ALL
        .iter()
        .map(|c| format!("Code::{c:?}"))
        .chain(
            lomi_codegen::diff::ChangeKind::ALL
                .iter()
                .map(|k| format!("ChangeKind::{k:?}")),
        )
        .filter(|name| {
            // A use: the name followed by something that is not more of an identifier.
            !text.match_indices(name.as_str()).any(|(at, _)| {
                !text[at + name.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
            })
        })
        .collect();
    assert!(unused.is_empty(), "raised nowhere: {unused:?}");
}
