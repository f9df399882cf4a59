//! The spec diff, one old/new pair per rule: what changed, whether it breaks client code,
//! and the version it calls for.

use lomi_codegen::diff::{Bump, Change, ChangeKind, diff};

const BASE: &str = "
openapi: 3.0.3
info: {title: t, version: '1'}
servers:
  - {url: 'https://api.lomi.africa/v1', description: Production}
paths:
  /things:
    get:
      operationId: listThings
      parameters:
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/thing'}}}}
        '401': {description: no}
    post:
      operationId: createThing
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/thing'}}}
      responses:
        '201': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/thing'}}}}
components:
  securitySchemes:
    ApiKeyAuth: {type: apiKey, in: header, name: X-API-KEY}
  schemas:
    thing:
      type: object
      properties:
        name: {type: string}
        amount: {type: number}
        status: {$ref: '#/components/schemas/status'}
    status:
      type: string
      enum: [open, completed]
";

fn changes(edit: impl Fn(&str) -> String) -> Vec<Change> {
    let old = serde_yaml::from_str(BASE).unwrap();
    let new = serde_yaml::from_str(&edit(BASE)).unwrap();
    diff(&old, &new).changes
}

/// Asserts exactly one change, of this kind, at this location, with this message.
fn one(edit: impl Fn(&str) -> String, kind: ChangeKind, location: &str, message: &str) {
    let all = changes(edit);
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0].kind, kind, "{all:#?}");
    assert_eq!(all[0].breaking, kind.is_breaking());
    assert_eq!(
        (all[0].location.as_str(), all[0].message.as_str()),
        (location, message)
    );
}

#[test]
fn identical_specs_have_no_changes() {
    assert!(changes(|s| s.to_string()).is_empty());
}

#[test]
fn operation_added() {
    one(
        |s| {
            s.replace("  /things:\n", "  /others:\n    delete:\n      operationId: deleteOthers\n      responses: {'204': {description: ok}}\n  /things:\n")
        },
        ChangeKind::OperationAdded,
        "DELETE /others",
        "operation added (`deleteOthers`)",
    );
}

#[test]
fn operation_removed() {
    let without_post = BASE[..BASE.find("    post:").unwrap()].to_string()
        + &BASE[BASE.find("components:").unwrap()..];
    one(
        |_| without_post.clone(),
        ChangeKind::OperationRemoved,
        "POST /things",
        "operation removed (`createThing`)",
    );
}

#[test]
fn operation_renamed() {
    one(
        |s| s.replace("operationId: listThings", "operationId: getThings"),
        ChangeKind::OperationIdChanged,
        "GET /things",
        "operationId changed from `listThings` to `getThings`: the client method `list_things` is renamed `get_things`",
    );
}

/// A path with a parameter, to rename.
fn with_path_parameter(spec: &str) -> String {
    spec.replace(
        "paths:\n",
        "paths:\n  /things/{thing_id}:\n    delete:\n      operationId: deleteThing\n      parameters:\n        - {name: thing_id, in: path, required: true, schema: {type: string}}\n      responses: {'204': {description: gone}}\n",
    )
}

#[test]
fn a_path_parameter_renamed_with_its_setter_kept_is_a_patch() {
    let old = serde_yaml::from_str(&with_path_parameter(BASE)).unwrap();
    let kept = with_path_parameter(BASE)
        .replace("/things/{thing_id}", "/things/{id}")
        .replace(
            "{name: thing_id, in: path,",
            "{name: id, x-lomi-rust-name: thing_id, in: path,",
        );
    let report = diff(&old, &serde_yaml::from_str(&kept).unwrap());
    assert_eq!(report.changes.len(), 1, "{:#?}", report.changes);
    let change = &report.changes[0];
    assert_eq!(change.kind, ChangeKind::PathParameterRenamed);
    assert_eq!(change.location, "/things/{id}");
    assert!(
        change
            .message
            .contains("(DELETE; was `/things/{thing_id}`)"),
        "{}",
        change.message
    );
    assert!(
        change.message.contains("setter keeps its name `thing_id`"),
        "{}",
        change.message
    );
    assert_eq!(report.bump(), Bump::Patch);

    // Without the pin, the setter is renamed: a major change, one change, not an
    // operation removed and another added.
    let renamed = with_path_parameter(BASE)
        .replace("/things/{thing_id}", "/things/{id}")
        .replace("{name: thing_id, in: path,", "{name: id, in: path,");
    let report = diff(&old, &serde_yaml::from_str(&renamed).unwrap());
    let kinds: Vec<ChangeKind> = report.changes.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [ChangeKind::PathParameterSetterRenamed]);
    assert!(
        report.changes[0]
            .message
            .contains("`thing_id` is renamed `id`")
    );
}

#[test]
fn an_operation_id_changed_with_its_method_pinned_is_a_patch() {
    one(
        |s| {
            s.replace(
                "operationId: listThings",
                "operationId: getThings\n      x-lomi-rust-name: list_things",
            )
        },
        ChangeKind::OperationIdChangedMethodKept,
        "GET /things",
        "operationId changed from `listThings` to `getThings`; the client method keeps its name `list_things`",
    );
}

#[test]
fn required_parameter_added() {
    one(
        |s| {
            s.replace("        - {name: limit,", "        - {name: region, in: query, required: true, schema: {type: string}}\n        - {name: limit,")
        },
        ChangeKind::RequiredParameterAdded,
        "GET /things",
        "required parameter `region` added",
    );
}

#[test]
fn optional_parameter_added() {
    one(
        |s| {
            s.replace("        - {name: limit,", "        - {name: sort, in: query, schema: {type: string}}\n        - {name: limit,")
        },
        ChangeKind::OptionalParameterAdded,
        "GET /things",
        "optional parameter `sort` added",
    );
}

#[test]
fn parameter_removed() {
    one(
        |s| {
            s.replace("      parameters:\n        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100}}\n", "")
        },
        ChangeKind::ParameterRemoved,
        "GET /things",
        "parameter `limit` removed",
    );
}

#[test]
fn parameter_type_changed() {
    one(
        |s| {
            s.replace(
                "schema: {type: integer, minimum: 1, maximum: 100}",
                "schema: {type: string}",
            )
        },
        ChangeKind::ParameterTypeChanged,
        "GET /things",
        "parameter `limit` changed type from integer to string",
    );
}

#[test]
fn parameter_bounds_tightened() {
    one(
        |s| s.replace("maximum: 100", "maximum: 50"),
        ChangeKind::ParameterBoundsTightened,
        "GET /things",
        "parameter `limit` bounds tightened from 1..=100 to 1..=50",
    );
}

#[test]
fn parameter_bounds_loosened() {
    one(
        |s| s.replace("maximum: 100", "maximum: 500"),
        ChangeKind::ParameterBoundsLoosened,
        "GET /things",
        "parameter `limit` bounds loosened from 1..=100 to 1..=500",
    );
}

#[test]
fn parameter_became_required() {
    one(
        |s| {
            s.replace(
                "{name: limit, in: query,",
                "{name: limit, in: query, required: true,",
            )
        },
        ChangeKind::ParameterBecameRequired,
        "GET /things",
        "parameter `limit` became required",
    );
}

#[test]
fn request_property_became_required() {
    one(
        |s| {
            s.replace(
                "    thing:\n      type: object\n",
                "    thing:\n      type: object\n      required: [name]\n",
            )
        },
        ChangeKind::PropertyBecameRequired,
        "schema thing",
        "property `name` became required (requests must set it; its Rust type loses the Option)",
    );
}

#[test]
fn response_property_removed() {
    one(
        |s| s.replace("        amount: {type: number}\n", ""),
        ChangeKind::PropertyRemoved,
        "schema thing",
        "property `amount` removed",
    );
}

#[test]
fn optional_property_added() {
    one(
        |s| {
            s.replace(
                "        amount: {type: number}\n",
                "        amount: {type: number}\n        note: {type: string}\n",
            )
        },
        ChangeKind::OptionalPropertyAdded,
        "schema thing",
        "optional property `note` added",
    );
}

#[test]
fn property_type_changed() {
    one(
        |s| s.replace("amount: {type: number}", "amount: {type: string}"),
        ChangeKind::PropertyTypeChanged,
        "schema thing",
        "property `amount` changed type from number to string",
    );
}

#[test]
fn property_format_changed() {
    one(
        |s| s.replace("name: {type: string}", "name: {type: string, format: uuid}"),
        ChangeKind::PropertyTypeChanged,
        "schema thing",
        "property `name` changed type from string to string/uuid",
    );
}

#[test]
fn enum_value_added_is_safe_because_enums_are_open() {
    one(
        |s| {
            s.replace(
                "enum: [open, completed]",
                "enum: [open, completed, expired]",
            )
        },
        ChangeKind::EnumValueAdded,
        "schema status",
        "enum value `expired` added (safe only because the client's enums are open: older clients decode it as `Unknown(\"expired\")`)",
    );
}

#[test]
fn enum_value_removed() {
    one(
        |s| s.replace("enum: [open, completed]", "enum: [open]"),
        ChangeKind::EnumValueRemoved,
        "schema status",
        "enum value `completed` removed (its variant goes away)",
    );
}

#[test]
fn status_code_added_and_removed() {
    one(
        |s| {
            s.replace(
                "        '401': {description: no}\n",
                "        '401': {description: no}\n        '500': {description: broken}\n",
            )
        },
        ChangeKind::StatusAdded,
        "GET /things",
        "response status 500 added",
    );
    one(
        |s| s.replace("        '401': {description: no}\n", ""),
        ChangeKind::ErrorStatusRemoved,
        "GET /things",
        "response status 401 removed",
    );
    let swapped = changes(|s| s.replace("'201': {description: ok,", "'200': {description: ok,"));
    let summary: Vec<(ChangeKind, &str)> = swapped
        .iter()
        .map(|c| (c.kind, c.message.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            (
                ChangeKind::SuccessStatusRemoved,
                "response status 201 removed"
            ),
            (ChangeKind::StatusAdded, "response status 200 added")
        ]
    );
}

#[test]
fn server_changed() {
    let all = changes(|s| s.replace("https://api.lomi.africa/v1", "https://api.lomi.africa/v2"));
    assert_eq!(all.len(), 2);
    assert_eq!(
        (all[0].kind, all[0].message.as_str()),
        (
            ChangeKind::ServerRemoved,
            "server `https://api.lomi.africa/v1` removed"
        )
    );
    assert_eq!(
        (all[1].kind, all[1].message.as_str()),
        (
            ChangeKind::ServerAdded,
            "server `https://api.lomi.africa/v2` added"
        )
    );
}

#[test]
fn security_changed() {
    one(
        |s| s.replace("name: X-API-KEY", "name: Authorization"),
        ChangeKind::SecuritySchemeChanged,
        "security",
        "security scheme `ApiKeyAuth` changed from apiKey in Header `X-API-KEY` to apiKey in Header `Authorization`",
    );
}

#[test]
fn versions_follow_cargo_semver() {
    let old = serde_yaml::from_str(BASE).unwrap();
    let same = diff(&old, &old);
    assert_eq!(
        (same.bump(), same.next_version("0.1.0").unwrap()),
        (Bump::None, "0.1.0".into())
    );

    let added: openapiv3::OpenAPI = serde_yaml::from_str(&BASE.replace(
        "enum: [open, completed]",
        "enum: [open, completed, expired]",
    ))
    .unwrap();
    let minor = diff(&old, &added);
    assert_eq!(minor.bump(), Bump::Minor);
    assert_eq!(minor.next_version("0.1.0").unwrap(), "0.1.1");
    assert_eq!(minor.next_version("1.4.2").unwrap(), "1.5.0");

    let removed: openapiv3::OpenAPI =
        serde_yaml::from_str(&BASE.replace("enum: [open, completed]", "enum: [open]")).unwrap();
    let major = diff(&old, &removed);
    assert_eq!(major.bump(), Bump::Major);
    assert_eq!(major.next_version("0.1.0").unwrap(), "0.2.0");
    assert_eq!(major.next_version("1.4.2").unwrap(), "2.0.0");
}

#[test]
fn reports_render_as_text_markdown_and_json() {
    let old = serde_yaml::from_str(BASE).unwrap();
    let new: openapiv3::OpenAPI =
        serde_yaml::from_str(&BASE.replace("enum: [open, completed]", "enum: [open, expired]"))
            .unwrap();
    let report = diff(&old, &new);
    assert_eq!(
        report.to_text("0.1.0"),
        "Breaking changes:
  - [S022] schema status: enum value `completed` removed (its variant goes away)

Non-breaking changes:
  - [S023] schema status: enum value `expired` added (safe only because the client's enums are open: older clients decode it as `Unknown(\"expired\")`)

Rust API:
  - [Major] variant `types::Status::Completed` removed
  - [Minor] variant `types::Status::Expired` added

1 breaking, 1 non-breaking changes; Rust API: 1 breaking, 1 non-breaking: lomi-client 0.1.0 → 0.2.0
"
    );
    assert!(
        report
            .to_markdown("0.1.0")
            .contains("### Rust API\n\n- Major: variant `types::Status::Completed` removed\n"),
        "{}",
        report.to_markdown("0.1.0")
    );
    let md = report.to_markdown("0.1.0");
    assert!(
        md.starts_with(
            "## Spec changes\n\n### Breaking\n\n- S022 `schema status`: enum value `completed` removed"
        ),
        "{md}"
    );
    let json = report.to_json("0.1.0");
    assert_eq!(json["breaking"], true);
    assert_eq!(json["suggested_version"], "0.2.0");
    assert_eq!(json["changes"].as_array().unwrap().len(), 2);
    assert_eq!(json["changes"][0]["code"], "S022");
    assert_eq!(json["bump"], "major");
    assert_eq!(
        json["rust_api"][1]["change"],
        "variant `types::Status::Expired` added"
    );
    assert_eq!(json["rust_api"][1]["bump"], "minor");
}

#[test]
fn a_relaxation_alone_is_a_patch() {
    let old = serde_yaml::from_str(BASE).unwrap();
    let new: openapiv3::OpenAPI =
        serde_yaml::from_str(&BASE.replace("maximum: 100", "maximum: 500")).unwrap();
    let report = diff(&old, &new);
    assert_eq!(report.bump(), Bump::Patch);
    assert_eq!(report.next_version("1.4.2").unwrap(), "1.4.3");
    assert_eq!(report.next_version("0.3.0").unwrap(), "0.3.1");
}

#[test]
fn kinds_have_unique_codes_and_breaking_means_major() {
    let mut ids: Vec<&str> = ChangeKind::ALL.iter().map(|k| k.id()).collect();
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count);
    for kind in ChangeKind::ALL {
        assert_eq!(kind.is_breaking(), kind.bump() == Bump::Major, "{kind:?}");
    }
}

/// MAINTAINING.md's table of change codes lists every kind with its bump.
#[test]
fn the_maintainers_guide_lists_every_change_kind() {
    let readme = include_str!("../../MAINTAINING.md");
    for kind in ChangeKind::ALL {
        let row = format!(
            "| `{}` | {} | {} |",
            kind.id(),
            format!("{:?}", kind.bump()).to_lowercase(),
            kind.title()
        );
        assert!(readme.contains(&row), "MAINTAINING.md lacks {row}");
    }
}

/// lomi.'s June 2026 move: `/my_things` became `/My-Things`, with a new header and without
/// `limit`: one operation moved (a patch), whose parameter changes are reported as for any
/// kept operation, and whose Rust method and setters are compared as one operation's.
#[test]
fn a_moved_operation_is_one_operation_with_its_parameter_changes() {
    let old = serde_yaml::from_str(&BASE.replace("  /things:\n", "  /my_things:\n")).unwrap();
    let new = serde_yaml::from_str(&BASE.replace("  /things:\n", "  /My-Things:\n").replace(
        "        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100}}\n",
        "        - {name: Lomi-Account, in: header, schema: {type: string}}\n",
    ))
    .unwrap();
    let report = diff(&old, &new);
    let codes: Vec<(&str, &str)> = report
        .changes
        .iter()
        .map(|c| (c.kind.id(), c.location.as_str()))
        .collect();
    assert_eq!(
        codes,
        [
            ("S011", "GET /My-Things"),
            ("S038", "GET /My-Things"),
            ("S005", "GET /My-Things"),
            ("S038", "POST /My-Things"),
        ],
        "{:#?}",
        report.changes
    );
    assert!(
        report
            .changes
            .iter()
            .any(|c| c.message == "operation moved from `GET /my_things`")
    );
    let rust: Vec<String> = report.rust.iter().map(|c| c.describe()).collect();
    assert_eq!(
        rust,
        [
            "flag `lomi my-things list --limit` removed",
            "matcher `lomi_httpmock::operations::ListThingsWhen::limit` removed",
            "setter `builder::ListThings::limit` removed",
            "flag `lomi my-things list --lomi-account` added",
            "matcher `lomi_httpmock::operations::ListThingsWhen::lomi_account` added",
            "setter `builder::ListThings::lomi_account` added"
        ]
    );
}

/// A security scheme renamed with the same location and header sends the same
/// credentials: no change, where a changed header still is one.
#[test]
fn a_renamed_security_scheme_with_the_same_header_is_no_change() {
    assert!(changes(|s| s.replace("    ApiKeyAuth: {", "    api-key: {")).is_empty());
    let all = changes(|s| {
        s.replace(
            "    ApiKeyAuth: {type: apiKey, in: header, name: X-API-KEY}",
            "    api-key: {type: apiKey, in: header, name: Authorization}",
        )
    });
    let codes: Vec<&str> = all.iter().map(|c| c.kind.id()).collect();
    assert_eq!(codes, ["S032", "S034"], "{all:#?}");
}
