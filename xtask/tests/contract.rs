//! Proof of the contract (`codegen/src/emit/contract.rs`): the hand-written crate compiles,
//! unchanged, with the client generated from any valid spec.
//!
//! One scratch workspace under `target/contract/` holds a copy of `lomi-client` per
//! spec, its `generated/` replaced: the specs of `codegen/tests/contract/`, lomi.'s whole
//! published document through a harmless overlay, and a newer upstream document that
//! renames paths and drops operations through our own overlay. One `cargo clippy -D
//! warnings` checks them all (with each spec's generated httpmock helpers); one `cargo test`
//! then makes one call per resource of the
//! whole API against httpmock.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use lomi_codegen::plan::plan;
use xtask::{OVERLAY_PATH, UPSTREAM_PATH, workspace_root};

const WHOLE_API: &str = "upstream-all";

/// A copy of lomi-client named `contract-<name>` with `code` as its generated module, and
/// the spec's generated httpmock helpers compiled into its unit tests (under the name
/// `lomi_client` they are written against).
fn client_crate(root: &Path, ws: &Path, name: &str, code: &Generated, calls: Option<String>) {
    let dir = ws.join("c").join(name);
    xtask::copy_dir(
        &root.join("lomi-client/src"),
        &dir.join("src"),
        &["generated"],
    )
    .unwrap();
    fs::create_dir_all(dir.join("src/generated")).unwrap();
    fs::write(dir.join("src/generated/mod.rs"), &code.client).unwrap();
    let mut helpers = code.httpmock.clone();
    helpers.push_str(&helper_behaviour(name).unwrap_or_default());
    fs::write(dir.join("src/httpmock_helpers.rs"), helpers).unwrap();
    let mut lib = fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    lib.push_str(
        "\n#[cfg(test)]\nextern crate self as lomi_client;\n\
         #[cfg(test)]\n#[allow(clippy::all, unused_imports, dead_code)]\nmod httpmock_helpers;\n",
    );
    fs::write(dir.join("src/lib.rs"), lib).unwrap();
    let manifest = fs::read_to_string(root.join("lomi-client/Cargo.toml")).unwrap();
    let toml = xtask::edit_manifest(&xtask::standalone_client_manifest(&manifest), |doc| {
        let package = &mut doc["package"];
        package["name"] = toml_edit::value(format!("contract-{name}"));
        // The README is not part of the copy.
        if let Some(package) = package.as_table_like_mut() {
            package.remove("readme");
        }
        let dev = &mut doc["dev-dependencies"];
        dev["regex"] = toml_edit::value("1");
        let mut httpmock = toml_edit::InlineTable::new();
        httpmock.insert("workspace", true.into());
        dev["httpmock"] = toml_edit::value(httpmock);
    });
    if let Some(calls) = calls {
        fs::create_dir_all(dir.join("tests")).unwrap();
        fs::write(dir.join("tests/calls.rs"), calls).unwrap();
    }
    fs::write(dir.join("Cargo.toml"), toml).unwrap();
}

/// A test that calls the first parameterless GET of each resource (tag) of `spec`
/// against httpmock, and reads lomi.'s validation error envelope from one of them.
fn calls_test(crate_name: &str, spec: &openapiv3::OpenAPI) -> (String, usize) {
    let plan = plan(spec);
    let mut seen = Vec::new();
    let mut body = String::new();
    for (path, item) in spec.paths.paths.iter() {
        let openapiv3::ReferenceOr::Item(item) = item else {
            continue;
        };
        let Some(get) = &item.get else { continue };
        let Some(tag) = get.tags.first() else {
            continue;
        };
        if seen.contains(tag) || !item.parameters.is_empty() {
            continue;
        }
        let id = get.operation_id.as_deref().unwrap_or_default();
        let op = plan
            .operations
            .iter()
            .find(|o| o.operation_id == id)
            .unwrap();
        if path.contains('{') {
            continue;
        }
        seen.push(tag.clone());
        let _ = writeln!(
            body,
            "    let mock = server.mock_async(|when, then| {{
        when.method(GET).path({path:?}).header(\"x-api-key\", \"lomi_sk_test\");
        then.status(200).json_body(serde_json::json!({{\"data\": [], \"pagination\": {{\"limit\": 20, \"offset\": 0, \"total\": 0}}}}));
    }}).await;
    client.{}().send().await.unwrap_or_else(|e| panic!(\"{tag}: {{e}}\"));
    mock.assert_async().await;
    mock.delete_async().await;",
            op.method
        );
    }
    let first = plan
        .operations
        .iter()
        .find(|o| o.http_method == "GET" && !o.path.contains('{'))
        .unwrap();
    let test = format!(
        "//! Written by xtask/tests/contract.rs.
use httpmock::Method::GET;
use httpmock::MockServer;

#[tokio::test]
async fn one_call_per_resource_and_a_validation_error() {{
    let server = MockServer::start_async().await;
    let client = {crate_name}::Client::builder(\"lomi_sk_test\")
        .base_url(server.base_url())
        .max_retries(0)
        .build()
        .unwrap();
{body}
    server.mock_async(|when, then| {{
        when.method(GET).path({path:?});
        then.status(400).header(\"x-request-id\", \"req_9\").json_body(serde_json::json!({{
            \"error\": {{\"code\": \"bad_request\", \"message\": \"Validation failed\",
                       \"details\": [{{\"field\": \"limit\", \"issue\": \"too big\"}}]}}
        }}));
    }}).await;
    let e = client.{method}().send().await.unwrap_err();
    assert_eq!(e.code(), Some(\"bad_request\"), \"{{e}}\");
    assert_eq!(e.request_id(), Some(\"req_9\"));
    assert!(e.to_string().contains(\"Validation failed\"), \"{{e}}\");
}}
",
        path = first.path,
        method = first.method,
    );
    (test, seen.len())
}

/// What the contract promises beyond compiling, for the specs it concerns.
/// Unit tests of a spec's httpmock helpers, used as a shop's test would against the
/// spec's client: what the helpers match must be what the client sends.
fn helper_behaviour(spec: &str) -> Option<String> {
    let body = match spec {
        // An array is matched one pair per item, as the client sends it.
        "query-parameter-types" => {
            "let server = httpmock::MockServer::start_async().await;
    let tags = vec![\"a\".to_string(), \"b\".to_string()];
    let q: crate::types::SearchQ = \"x\".parse().unwrap();
    let mock = server.search(|when, then| {
        when.q(&q).tags(&tags);
        then.no_content();
    });
    let client = crate::Client::builder(\"k\").base_url(server.base_url()).build().unwrap();
    client.search().q(\"x\").tags(tags.clone()).max_retries(0).send().await.unwrap();
    mock.assert();"
        }
        // A path parameter's value is matched as text, not as a pattern: `a.b` does
        // not match `axb`.
        "path-parameter-types" => {
            "let server = httpmock::MockServer::start_async().await;
    let slug: crate::types::BySlugSlug = \"a.b\".parse().unwrap();
    let mock = server.by_slug(|when, then| {
        when.slug(&slug);
        then.no_content();
    });
    let client = crate::Client::builder(\"k\").base_url(server.base_url()).build().unwrap();
    assert!(client.by_slug().slug(\"axb\").max_retries(0).send().await.is_err());
    client.by_slug().slug(\"a.b\").max_retries(0).send().await.unwrap();
    mock.assert_calls(1);"
        }
        _ => return None,
    };
    Some(format!(
        "
#[cfg(test)]
mod helper_behaviour {{
    use super::MockServerExt;

    #[tokio::test]
    async fn the_helpers_match_what_the_client_sends() {{
    {body}
    }}
}}
"
    ))
}

fn behaviour(spec: &str) -> Option<String> {
    let krate = format!("contract_{}", spec.replace('-', "_"));
    let body = match spec {
        // The key rides in the query when the spec says so.
        "key-in-query" => format!(
            "let server = MockServer::start_async().await;
    let mock = server.mock_async(|when, then| {{
        when.method(GET).path(\"/ping\").query_param(\"api_key\", \"lomi_sk_test\");
        then.status(204);
    }}).await;
    let client = {krate}::Client::builder(\"lomi_sk_test\").base_url(server.base_url()).build().unwrap();
    client.ping().send().await.unwrap();
    mock.assert_async().await;"
        ),
        // No server: building without a base URL says so; with one, calls work.
        "no-servers" => format!(
            "let e = {krate}::Client::builder(\"k\").build().unwrap_err();
    assert_eq!(e.to_string(), \"the spec declares no live server: set one with `.base_url(..)`\");
    let e = {krate}::Client::builder(\"k\").sandbox().build().unwrap_err();
    assert_eq!(e.to_string(), \"the spec declares no sandbox server: set one with `.base_url(..)`\");
    let server = MockServer::start_async().await;
    let mock = server.mock_async(|when, then| {{
        when.method(GET).path(\"/things\");
        then.status(200).json_body(serde_json::json!([\"a\"]));
    }}).await;
    let client = {krate}::Client::builder(\"k\").base_url(server.base_url()).build().unwrap();
    assert_eq!(client.list_things().send().await.unwrap().into_inner(), [\"a\"]);
    mock.assert_async().await;"
        ),
        // The marked server is the sandbox, whatever the descriptions say.
        "three-servers-variables" => format!(
            "let live = {krate}::Client::builder(\"k\").build().unwrap();
    assert_eq!(live.baseurl(), \"https://eu.example.test/v2\");
    let sandbox = {krate}::Client::builder(\"k\").sandbox().build().unwrap();
    assert_eq!(sandbox.baseurl(), \"https://sandbox.example.test\");"
        ),
        // Parameters keep their names; the call's options move to `request_*`.
        "parameters-named-like-options" => format!(
            "let server = MockServer::start_async().await;
    let mock = server.mock_async(|when, then| {{
        when.method(httpmock::Method::POST).path(\"/jobs\").query_param(\"timeout\", \"30\")
            .query_param(\"options\", \"all\").header(\"idempotency-key\", \"job-1\");
        then.status(204);
    }}).await;
    let client = {krate}::Client::builder(\"k\").base_url(server.base_url()).build().unwrap();
    client.start_job().timeout(std::num::NonZeroU64::new(30).unwrap()).options(\"all\").max_retries(0)
        .request_timeout(std::time::Duration::from_secs(5)).request_max_retries(0)
        .request_idempotency_key(\"job-1\").send().await.unwrap();
    mock.assert_async().await;"
        ),
        // Each page of a stream is a request of its own: the call's idempotency key
        // reaches none of them (lomi. would answer every page with the first).
        "paginated-post-search" => format!(
            "use futures_util::TryStreamExt;
    let server = MockServer::start_async().await;
    let reused = server.mock_async(|when, then| {{
        when.method(httpmock::Method::POST).path(\"/search\").header(\"idempotency-key\", \"search-1\");
        then.status(500);
    }}).await;
    let first = server.mock_async(|when, then| {{
        when.method(httpmock::Method::POST).path(\"/search\").query_param(\"offset\", \"0\");
        then.status(200).json_body(serde_json::json!({{\"data\": [\"a\", \"b\"], \"pagination\": {{\"limit\": 2, \"offset\": 0, \"total\": 3}}}}));
    }}).await;
    let second = server.mock_async(|when, then| {{
        when.method(httpmock::Method::POST).path(\"/search\").query_param(\"offset\", \"2\");
        then.status(200).json_body(serde_json::json!({{\"data\": [\"c\"], \"pagination\": {{\"limit\": 2, \"offset\": 2, \"total\": 3}}}}));
    }}).await;
    let client = {krate}::Client::builder(\"k\").base_url(server.base_url()).build().unwrap();
    let items: Vec<String> = client.search_things().limit(2).body_map(|b| b.q(\"x\"))
        .idempotency_key(\"search-1\").max_retries(0).stream().try_collect().await.unwrap();
    assert_eq!(items, [\"a\", \"b\", \"c\"]);
    assert_eq!((first.calls_async().await, second.calls_async().await, reused.calls_async().await), (1, 1, 0));"
        ),
        // A bare-array list streams: a server that caps its pages below the limit asked
        // for (none documented) is walked to its empty page; an envelope with a top-level
        // total stops there.
        "bare-array-list" => format!(
            "use futures_util::TryStreamExt;
    let server = MockServer::start_async().await;
    let mut pages = Vec::new();
    // A whole `number` goes in the query as an integer (`20`, not `20.0`).
    for (offset, ids) in [(\"0\", 0..10), (\"10\", 10..20), (\"20\", 20..25), (\"25\", 25..25)] {{
        let body: Vec<serde_json::Value> = ids.map(|i| serde_json::json!({{\"id\": format!(\"cs_{{i}}\")}})).collect();
        pages.push(server.mock_async(|when, then| {{
            when.method(GET).path(\"/checkout-sessions\").query_param(\"offset\", offset)
                .query_param(\"limit\", \"20\").query_param(\"status\", \"open\");
            then.status(200).json_body(serde_json::Value::Array(body));
        }}).await);
    }}
    let client = {krate}::Client::builder(\"k\").base_url(server.base_url()).build().unwrap();
    let sessions: Vec<{krate}::types::Session> = client.checkout_sessions_controller_find_all()
        .status({krate}::types::CheckoutSessionsControllerFindAllStatus::Open)
        .stream().try_collect().await.unwrap();
    let ids: Vec<String> = sessions.into_iter().map(|s| s.id).collect();
    assert_eq!(ids, (0..25).map(|i| format!(\"cs_{{i}}\")).collect::<Vec<_>>());
    for page in &pages {{
        assert_eq!(page.calls_async().await, 1);
    }}
    let things = server.mock_async(|when, then| {{
        when.method(GET).path(\"/things\").query_param(\"offset\", \"0\").query_param(\"limit\", \"20\");
        then.status(200).json_body(serde_json::json!({{\"data\": [\"a\", \"b\"], \"total\": 2}}));
    }}).await;
    let all: Vec<String> = client.list_things().stream().try_collect().await.unwrap();
    assert_eq!(all, [\"a\", \"b\"]);
    assert_eq!(things.calls_async().await, 1);"
        ),
        // A property sent under another name decodes, its own name first, then each
        // alias in order; a body with several of them is not a duplicate-field error.
        "aliased-properties" => format!(
            "let server = MockServer::start_async().await;
    let client = {krate}::Client::builder(\"k\").base_url(server.base_url()).build().unwrap();
    for (id, body, expected) in [
        (\"a\", serde_json::json!({{\"orderId\": \"a\", \"link\": \"L\", \"pay_url\": \"P\"}}), Some(\"P\")),
        (\"b\", serde_json::json!({{\"orderId\": \"b\", \"payUrl\": \"U\", \"link\": \"L\"}}), Some(\"U\")),
        (\"c\", serde_json::json!({{\"orderId\": \"c\", \"link\": \"L\"}}), Some(\"L\")),
        (\"d\", serde_json::json!({{\"orderId\": \"d\", \"payUrl\": null}}), None),
    ] {{
        let mock = server.mock_async(|when, then| {{
            when.method(GET).path(format!(\"/orders/{{id}}\"));
            then.status(200).json_body(body.clone());
        }}).await;
        let order = client.get_order().order_id(id).send().await.unwrap();
        assert_eq!(order.pay_url.as_deref(), expected, \"{{body}}\");
        mock.delete_async().await;
    }}
    let mock = server.mock_async(|when, then| {{
        when.method(GET).path(\"/orders/e\");
        then.status(200).json_body(serde_json::json!({{\"orderId\": \"e\", \"lines\": [{{\"code\": \"S1\"}}, {{\"sku\": \"S2\", \"code\": \"X\"}}]}}));
    }}).await;
    let order = client.get_order().order_id(\"e\").send().await.unwrap().into_inner();
    let skus: Vec<Option<String>> = order.lines.unwrap_or_default().into_iter().map(|l| l.sku).collect();
    assert_eq!(skus, [Some(\"S1\".to_string()), Some(\"S2\".to_string())]);
    mock.assert_async().await;"
        ),
        // A `{param}` no parameter declares is a required string, sent in its segment.
        "undeclared-path-parameter" => format!(
            "let server = MockServer::start_async().await;
    let get = server.mock_async(|when, then| {{
        when.method(GET).path(\"/accounts/acc_1/payouts/po%201\");
        then.status(200).json_body(serde_json::json!({{\"id\": \"po 1\"}}));
    }}).await;
    let delete = server.mock_async(|when, then| {{
        when.method(httpmock::Method::DELETE).path(\"/refunds/re_9\");
        then.status(204);
    }}).await;
    let client = {krate}::Client::builder(\"k\").base_url(server.base_url()).build().unwrap();
    client.get_payout().account_id(\"acc_1\").payout_id(\"po 1\").send().await.unwrap();
    client.cancel_refund().refund_id(\"re_9\").send().await.unwrap();
    let e = client.cancel_refund().send().await.unwrap_err();
    assert!(e.to_string().contains(\"refund_id\"), \"{{e}}\");
    get.assert_async().await;
    delete.assert_async().await;"
        ),
        // `x-lomi-rust-name` names the method, the setter, the types and the field; the
        // wire keeps the spec's names.
        "rust-names" => format!(
            "let server = MockServer::start_async().await;
    let get = server.mock_async(|when, then| {{
        when.method(GET).path(\"/widgets/w1\").query_param(\"expand\", \"big\");
        then.status(200).json_body(serde_json::json!({{\"id\": \"w1\", \"url\": \"https://w/1\", \"kind\": \"small\"}}));
    }}).await;
    let post = server.mock_async(|when, then| {{
        when.method(httpmock::Method::POST).path(\"/widgets\")
            .json_body(serde_json::json!({{\"id\": \"w2\", \"url\": \"https://w/2\"}}));
        then.status(201).json_body(serde_json::json!({{\"id\": \"w2\"}}));
    }}).await;
    let client = {krate}::Client::builder(\"k\").base_url(server.base_url()).build().unwrap();
    let widget: {krate}::types::Widget = client.retrieve_widget().widget_id(\"w1\")
        .expand({krate}::types::WidgetKind::Big).send().await.unwrap().into_inner();
    assert_eq!(widget.page_url.as_deref(), Some(\"https://w/1\"));
    assert_eq!(widget.kind, Some({krate}::types::WidgetKind::Small));
    client.create_widget().body({krate}::types::Widget::builder().id(\"w2\").page_url(\"https://w/2\"))
        .send().await.unwrap();
    let note = server.mock_async(|when, then| {{
        when.method(httpmock::Method::POST).path(\"/widgets/w1/notes\")
            .json_body(serde_json::json!({{\"text\": \"hi\"}}));
        then.status(201).json_body(serde_json::json!({{\"id\": \"n1\", \"text\": \"hi\"}}));
    }}).await;
    let added: {krate}::types::Note = client.add_note().widget_id(\"w1\")
        .body({krate}::types::NoteInput::builder().text(\"hi\")).send().await.unwrap().into_inner();
    assert_eq!(added.id.as_deref(), Some(\"n1\"));
    get.assert_async().await;
    post.assert_async().await;
    note.assert_async().await;"
        ),
        // A relative server cannot be a base URL: building says so.
        "relative-server" => format!(
            "let e = {krate}::Client::builder(\"k\").build().unwrap_err().to_string();
    assert!(e.starts_with(\"invalid base URL `/v1`: it is relative\"), \"{{e}}\");"
        ),
        _ => return None,
    };
    Some(format!(
        "//! Written by xtask/tests/contract.rs.
#![allow(unused_imports)]
use httpmock::Method::GET;
use httpmock::MockServer;

#[tokio::test]
async fn the_contract_holds() {{
    {body}
}}
"
    ))
}

fn run(ws: &Path, target: &Path, args: &[&str]) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(args)
        .current_dir(ws)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "`cargo {}` failed in {}:\n{}",
        args.join(" "),
        ws.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A spec's client module, httpmock helpers and `lomi` command table.
struct Generated {
    client: String,
    httpmock: String,
    cli: String,
}

fn generated(name: &str, spec: &str) -> Generated {
    let out = lomi_codegen::generate(&format!("{name}.yaml"), spec)
        .unwrap_or_else(|d| panic!("{name} does not generate: {d:#?}"));
    Generated {
        client: out.files[0].contents.clone(),
        httpmock: out.contents(lomi_codegen::Output::Httpmock).unwrap().into(),
        cli: out.contents(lomi_codegen::Output::Cli).unwrap().into(),
    }
}

/// A copy of lomi-cli named `cli-<name>` (binary `lomi-<name>`) with the spec's command
/// table, built on the spec's client crate: every spec's `lomi` command compiles.
fn cli_crate(root: &Path, ws: &Path, name: &str, code: &Generated) {
    let dir = ws.join("cli").join(name);
    xtask::copy_dir(
        &root.join("lomi-cli/src"),
        &dir.join("src"),
        &["generated.rs"],
    )
    .unwrap();
    fs::write(dir.join("src/generated.rs"), &code.cli).unwrap();
    let manifest = fs::read_to_string(root.join("lomi-cli/Cargo.toml")).unwrap();
    let toml = xtask::edit_manifest(&manifest, |doc| {
        doc["package"]["name"] = toml_edit::value(format!("cli-{name}"));
        if let Some(bins) = doc.get_mut("bin").and_then(|b| b.as_array_of_tables_mut()) {
            for bin in bins.iter_mut() {
                bin["name"] = toml_edit::value(format!("lomi-{name}"));
            }
        }
        let deps = &mut doc["dependencies"];
        let mut client = toml_edit::InlineTable::new();
        client.insert("path", format!("../../c/{name}").into());
        client.insert("package", format!("contract-{name}").into());
        client.insert(
            "features",
            toml_edit::Value::Array(toml_edit::Array::from_iter(["webhooks"])),
        );
        deps["lomi-client"] = toml_edit::value(client);
        let mut mock = toml_edit::InlineTable::new();
        mock.insert("path", root.join("lomi-mock").display().to_string().into());
        deps["lomi-mock"] = toml_edit::value(mock);
        if let Some(doc) = doc.as_table_mut().get_mut("dev-dependencies") {
            *doc = toml_edit::Item::None;
        }
    });
    fs::write(dir.join("Cargo.toml"), toml).unwrap();
}

#[test]
fn the_hand_written_crate_compiles_with_the_client_of_every_spec() {
    let root = workspace_root();
    let base = root.join("target/contract");
    let ws: PathBuf = base.join("ws");
    let _ = fs::remove_dir_all(&ws);
    fs::create_dir_all(ws.join("c")).unwrap();

    let mut members = Vec::new();
    let corpus = root.join("codegen/tests/contract");
    let mut specs: Vec<PathBuf> = fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    specs.sort();
    for path in &specs {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let code = generated(&name, &fs::read_to_string(path).unwrap());
        let test = behaviour(&name);
        client_crate(&root, &ws, &name, &code, test);
        cli_crate(&root, &ws, &name, &code);
        members.push(name);
    }

    // lomi.'s whole document, as published, through one harmless action.
    let upstream = fs::read_to_string(root.join(UPSTREAM_PATH)).unwrap();
    let harmless =
        fs::read_to_string(root.join("xtask/tests/fixtures/whole-api.overlay.yaml")).unwrap();
    let whole = lomi_codegen::derive::derive(
        UPSTREAM_PATH,
        &upstream,
        "whole-api.overlay.yaml",
        &harmless,
    )
    .unwrap_or_else(|d| panic!("{d:#?}"));
    let parsed: openapiv3::OpenAPI = serde_yaml::from_str(&whole.text).unwrap();
    assert_eq!(parsed.paths.paths.len(), 44);
    let crate_name = format!("contract_{}", WHOLE_API.replace('-', "_"));
    let (calls, resources) = calls_test(&crate_name, &parsed);
    assert_eq!(resources, 22, "one call per resource");
    let whole_code = generated(WHOLE_API, &whole.text);
    client_crate(&root, &ws, WHOLE_API, &whole_code, Some(calls));
    // lomi.'s whole API from the shell: a command per resource, a verb per operation.
    cli_crate(&root, &ws, WHOLE_API, &whole_code);
    members.push(WHOLE_API.into());

    // A newer upstream: lomi. renames other resources' paths and drops the delete
    // operation; our overlay still applies and the client compiles without it.
    let newer = upstream
        .replace("  /customers:", "  /v2/customers:")
        .replace(
            "  /products/{product_id}:",
            "  /catalog/products/{product_id}:",
        )
        .replacen(
            "    delete:\n      operationId: deleteCheckoutSession",
            "    x-dropped:\n      operationId: deleteCheckoutSession",
            1,
        );
    assert_ne!(newer, upstream);
    let ours = fs::read_to_string(root.join(OVERLAY_PATH)).unwrap();
    let derived = lomi_codegen::derive::derive(UPSTREAM_PATH, &newer, OVERLAY_PATH, &ours)
        .unwrap_or_else(|d| panic!("{d:#?}"));
    let code = generated("newer-upstream", &derived.text);
    assert!(!code.client.contains("delete_checkout_session"));
    client_crate(&root, &ws, "newer-upstream", &code, None);
    members.push("newer-upstream".into());

    let corpus_specs: Vec<String> = specs
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .chain([WHOLE_API.to_string()])
        .collect();
    let paths: Vec<String> = members
        .iter()
        .map(|m| format!("c/{m}"))
        .chain(corpus_specs.iter().map(|m| format!("cli/{m}")))
        .collect();
    fs::write(
        ws.join("Cargo.toml"),
        xtask::scratch_manifest(&root, &paths),
    )
    .unwrap();
    fs::copy(root.join("Cargo.lock"), ws.join("Cargo.lock")).unwrap();
    let target = base.join("target");
    run(
        &ws,
        &target,
        &[
            "clippy",
            "--quiet",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    );
    let mut test = vec!["test", "--quiet", "--test", "calls"];
    let tested: Vec<String> = members
        .iter()
        .filter(|m| *m == WHOLE_API || behaviour(m).is_some())
        .map(|m| format!("contract-{m}"))
        .collect();
    for member in &tested {
        test.extend(["-p", member.as_str()]);
    }
    run(&ws, &target, &test);
    let helpers: Vec<String> = members
        .iter()
        .filter(|m| helper_behaviour(m).is_some())
        .map(|m| format!("contract-{m}"))
        .collect();
    assert_eq!(helpers.len(), 2, "a spec with helper tests left the corpus");
    let mut unit = vec!["test", "--quiet", "--lib"];
    for member in &helpers {
        unit.extend(["-p", member.as_str()]);
    }
    unit.push("helper_behaviour");
    run(&ws, &target, &unit);
}
