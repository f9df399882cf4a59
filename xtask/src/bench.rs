//! `cargo xtask bench-codegen`: how long each stage of the generator takes on our spec
//! and on synthetic specs of 10, 100 and 1,000 operations, per operation, so that growth
//! is visible. Prints a table; it is a benchmark, not a test.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use lomi_codegen::{lint, load, normalize, render};

/// A spec of `resources` resources in lomi.'s shape (list, create, retrieve, update,
/// delete each), so `5 × resources` operations.
pub fn synthetic_spec(resources: usize) -> String {
    // Long: one YAML template of a resource's five operations and its schemas.
    let mut out = String::from(
        "openapi: 3.0.3
info: {title: lomi. API, version: 1.1.0}
servers:
  - {url: 'https://api.lomi.africa/v1', description: Production}
  - {url: 'https://sandbox.api.lomi.africa/v1', description: Sandbox}
paths:
",
    );
    for r in 0..resources {
        let _ = write!(
            out,
            "  /things{r}:
    get:
      operationId: listThings{r}
      parameters:
        - {{$ref: '#/components/parameters/limit'}}
        - {{$ref: '#/components/parameters/offset'}}
      responses:
        '200':
          description: A page
          content: {{application/json: {{schema: {{$ref: '#/components/schemas/list_things{r}'}}}}}}
        '401': {{$ref: '#/components/responses/Error'}}
    post:
      operationId: createThing{r}
      requestBody:
        required: true
        content: {{application/json: {{schema: {{$ref: '#/components/schemas/thing{r}_create'}}, example: {{name: Awa, amount: 15000}}}}}}
      responses:
        '201':
          description: Created
          content: {{application/json: {{schema: {{$ref: '#/components/schemas/thing{r}'}}}}}}
        '400': {{$ref: '#/components/responses/Error'}}
  /things{r}/{{thing_id}}:
    parameters:
      - {{name: thing_id, in: path, required: true, schema: {{type: string}}}}
    get:
      operationId: retrieveThing{r}
      responses:
        '200':
          description: Found
          content: {{application/json: {{schema: {{$ref: '#/components/schemas/thing{r}'}}}}}}
        '404': {{$ref: '#/components/responses/Error'}}
    patch:
      operationId: updateThing{r}
      requestBody:
        required: true
        content: {{application/json: {{schema: {{$ref: '#/components/schemas/thing{r}_create'}}}}}}
      responses:
        '200':
          description: Updated
          content: {{application/json: {{schema: {{$ref: '#/components/schemas/thing{r}'}}}}}}
        '404': {{$ref: '#/components/responses/Error'}}
    delete:
      operationId: deleteThing{r}
      responses:
        '204': {{description: Deleted}}
        '404': {{$ref: '#/components/responses/Error'}}
"
        );
    }
    out.push_str(
        "components:
  securitySchemes:
    ApiKeyAuth: {type: apiKey, in: header, name: X-API-KEY}
  parameters:
    limit: {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100, default: 20}}
    offset: {name: offset, in: query, schema: {type: integer, minimum: 0, default: 0}}
  responses:
    Error:
      description: Error
      content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}
  schemas:
    Error:
      type: object
      properties:
        error: {type: object, properties: {code: {type: string}, message: {type: string}, details: {type: object}}}
        request_id: {type: string}
    pagination:
      type: object
      properties: {limit: {type: integer}, offset: {type: integer}, total: {type: integer}}
",
    );
    for r in 0..resources {
        let _ = write!(
            out,
            "    thing{r}:
      type: object
      properties:
        thing_id: {{type: string, format: uuid}}
        name: {{type: string}}
        amount: {{type: number, format: double}}
        created_at: {{type: string, format: date-time}}
        metadata: {{type: object, additionalProperties: true}}
    thing{r}_create:
      type: object
      properties:
        name: {{type: string}}
        amount: {{type: number, format: double}}
        metadata: {{type: object, additionalProperties: true}}
    list_things{r}:
      type: object
      properties:
        data: {{type: array, items: {{$ref: '#/components/schemas/thing{r}'}}}}
        pagination: {{$ref: '#/components/schemas/pagination'}}
"
        );
    }
    out
}

/// Median time of each stage over `runs` runs.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stages {
    /// YAML → typed spec.
    pub parse: Duration,
    /// The lint.
    pub lint: Duration,
    /// Normalize, progenitor, and this crate's additions.
    pub generate: Duration,
    /// prettyplease.
    pub format: Duration,
}

impl Stages {
    /// All stages together.
    pub fn total(&self) -> Duration {
        self.parse + self.lint + self.generate + self.format
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Times each stage on `text`. The spec must be valid.
pub fn measure(text: &str, runs: usize) -> Result<Stages, String> {
    let (mut parse, mut lint_, mut generate, mut format) = (vec![], vec![], vec![], vec![]);
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let loaded = load::load("bench.yaml", text).map_err(|d| format!("{d:?}"))?;
        parse.push(t.elapsed());

        let t = Instant::now();
        let written = lomi_codegen::model::Model::lower(&loaded.spec);
        let diags = lint::lint(&loaded, &written);
        lint_.push(t.elapsed());
        if let Some(d) = diags.iter().find(|d| d.is_error()) {
            return Err(d.to_string());
        }

        let t = Instant::now();
        let spec = normalize::normalize(loaded.spec);
        let model = lomi_codegen::model::Model::lower(&spec);
        let plan = lomi_codegen::plan::plan_model(&model);
        let file = render::syntax(&model, &plan).map_err(|e| e.0)?;
        generate.push(t.elapsed());

        let t = Instant::now();
        let code = render::format(&file);
        format.push(t.elapsed());
        std::hint::black_box(code);
    }
    Ok(Stages {
        parse: median(parse),
        lint: median(lint_),
        generate: median(generate),
        format: median(format),
    })
}

/// Median time of the derive stage (overlay applied, unreachable components pruned).
pub fn measure_derive(upstream: &str, overlay: &str, runs: usize) -> Result<Duration, String> {
    let mut times = Vec::new();
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let derived =
            lomi_codegen::derive::derive("upstream.yaml", upstream, "overlay.yaml", overlay)
                .map_err(|d| format!("{d:?}"))?;
        times.push(t.elapsed());
        std::hint::black_box(derived);
    }
    Ok(median(times))
}

/// Runs the benchmark on our spec, lomi.'s whole document and synthetic specs, and
/// returns the table, with the derive stage's time on our upstream and overlay.
pub fn run(own_spec: &str, upstream: &str, overlay: &str) -> Result<String, String> {
    let cases: Vec<(String, String, usize, usize)> = vec![
        ("spec/lomi.yaml".into(), own_spec.to_string(), 5, 9),
        (
            "spec/upstream.yaml (whole API)".into(),
            upstream.to_string(),
            84,
            5,
        ),
        ("synthetic, 10 ops".into(), synthetic_spec(2), 10, 9),
        ("synthetic, 100 ops".into(), synthetic_spec(20), 100, 5),
        ("synthetic, 1,000 ops".into(), synthetic_spec(200), 1000, 3),
    ];
    let mut out = String::from(
        "| spec | ops | parse | lint | generate | format | total | per op | lint / (generate + format) |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    for (name, text, ops, runs) in cases {
        let s = measure(&text, runs)?;
        let _ = writeln!(
            out,
            "| {name} | {ops} | {:.1?} | {:.1?} | {:.1?} | {:.1?} | {:.1?} | {:.0} µs | {:.1} % |",
            s.parse,
            s.lint,
            s.generate,
            s.format,
            s.total(),
            s.total().as_secs_f64() * 1e6 / ops as f64,
            100.0 * s.lint.as_secs_f64() / (s.generate + s.format).as_secs_f64(),
        );
    }
    let derive = measure_derive(upstream, overlay, 9)?;
    let _ = writeln!(
        out,
        "\nderive (spec/upstream.yaml + spec/overlay.yaml → spec/lomi.yaml): {derive:.1?}"
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_specs_are_valid_and_have_five_operations_a_resource() {
        let text = synthetic_spec(3);
        let out = lomi_codegen::generate("bench.yaml", &text).unwrap_or_else(|e| panic!("{e:#?}"));
        assert!(out.warnings.is_empty(), "{:#?}", out.warnings);
        assert_eq!(
            out.files[0].contents.matches("pub async fn send(").count(),
            15
        );
        assert_eq!(out.files[0].contents.matches("pub fn stream(").count(), 3);
    }
}
