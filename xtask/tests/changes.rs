//! The change corpus (`changes/cases.yaml`): upstream changes a maintainer meets, each
//! run through MAINTAINING.md's flow on a scratch copy of the repository: replace
//! `spec/upstream.yaml`, run `generate`, read `diff-spec`. Results are matched by
//! diagnostic and change codes, not by wording.

mod common;

use std::fs;

use common::Scratch;

use serde_json::Value;
use xtask::{Failure, Mode, SPEC_PATH, UPSTREAM_PATH, generate, workspace_root};

fn codes(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Every case of the corpus: edits of today's upstream document, or (`document`) a whole
/// document of lomi.'s, which the drill runs.
fn all_cases() -> Vec<Value> {
    let cases: Value = serde_yaml::from_str(
        &fs::read_to_string(workspace_root().join("xtask/tests/changes/cases.yaml")).unwrap(),
    )
    .unwrap();
    cases.as_array().unwrap().clone()
}

/// The cases that edit today's upstream document.
fn cases() -> Vec<Value> {
    all_cases()
        .into_iter()
        .filter(|c| c.get("document").is_none())
        .collect()
}

/// A scratch copy with the case's edits made to the upstream document and the overlay.
fn prepare(case: &Value) -> Scratch {
    let name = case["name"].as_str().unwrap();
    let scratch = Scratch::new(&format!("change-{name}"));
    let upstream = scratch.path(UPSTREAM_PATH);
    let mut text = fs::read_to_string(&upstream).unwrap();
    for edit in case["replace"].as_array().unwrap() {
        let (from, to) = (edit["from"].as_str().unwrap(), edit["to"].as_str().unwrap());
        assert!(
            text.contains(from),
            "{name}: the upstream document has no {from:?}"
        );
        text = if edit["all"].as_bool() == Some(true) {
            text.replace(from, to)
        } else {
            text.replacen(from, to, 1)
        };
    }
    fs::write(&upstream, &text).unwrap();
    // The maintainer re-points the overlay's actions at what lomi. renamed.
    let overlay_path = scratch.path(xtask::OVERLAY_PATH);
    let mut overlay = fs::read_to_string(&overlay_path).unwrap();
    for edit in case["overlay"].as_array().into_iter().flatten() {
        let (from, to) = (edit["from"].as_str().unwrap(), edit["to"].as_str().unwrap());
        assert!(
            overlay.contains(from),
            "{name}: the overlay has no {from:?}"
        );
        overlay = overlay.replace(from, to);
    }
    fs::write(&overlay_path, &overlay).unwrap();
    scratch
}

fn case(name: &str) -> Value {
    cases()
        .into_iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no case {name}"))
}

/// The public items of a generated client: `pub fn`, `pub struct`, `pub enum` and `pub`
/// fields, by name, in order (what a shop's code can call).
fn public_api(generated: &str) -> Vec<String> {
    generated
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("pub ") && !l.starts_with("pub const"))
        .map(|l| {
            l.split(['(', '<', '{', '=', ';'])
                .next()
                .unwrap_or(l)
                .trim()
                .to_string()
        })
        .collect()
}

/// The proof: renaming `{session_id}` to `{id}` upstream (path and parameter)
/// leaves every public name of the client as it was, the crate's examples and tests
/// included (they call `.session_id(..)`).
#[test]
fn a_renamed_path_parameter_leaves_the_public_api_unchanged() {
    let scratch = prepare(&case("path-parameter-renamed"));
    let report = generate(&scratch.0, Mode::Write, xtask::Warnings::Deny).unwrap();
    assert_eq!(report.warnings.len(), 1);
    let note = report.warnings[0].to_string();
    assert!(note.starts_with("note[R001]: `{session_id}` of `/checkout_sessions/{session_id}` (GET, DELETE, PATCH) is now `{id}`"), "{note}");
    assert!(
        note.contains("keeps its published name `session_id`"),
        "{note}"
    );
    assert!(
        note.contains("--> spec/upstream.yaml:"),
        "reported where the maintainer works: {note}"
    );
    let before =
        fs::read_to_string(workspace_root().join("lomi-client/src/generated/mod.rs")).unwrap();
    let after = fs::read_to_string(scratch.path("lomi-client/src/generated/mod.rs")).unwrap();
    assert_ne!(before, after, "the paths changed");
    assert_eq!(public_api(&before), public_api(&after));
    assert!(after.contains("pub fn session_id<V>(mut self, value: V) -> Self"));
    // The typed httpmock helpers keep their names too (`when.session_id(..)`).
    let helpers = "lomi-httpmock/src/generated.rs";
    let before = fs::read_to_string(workspace_root().join(helpers)).unwrap();
    let after = fs::read_to_string(scratch.path(helpers)).unwrap();
    assert_ne!(before, after, "the paths changed");
    assert_eq!(public_api(&before), public_api(&after));
    // Regenerating again gives the same verdict: the published spec is the committed
    // one, which the first run did not change.
    let again = generate(&scratch.0, Mode::Check, xtask::Warnings::Deny).unwrap();
    assert!(again.is_up_to_date());
    assert_eq!(again.warnings.len(), 1);
    assert_eq!(again.warnings[0].to_string(), note);
    // Once committed, the pin is published and nothing is left to say.
    common::commit_all(&scratch.0);
    let published = generate(&scratch.0, Mode::Check, xtask::Warnings::Deny).unwrap();
    assert!(published.is_up_to_date() && published.warnings.is_empty());
}

/// The proof: a renamed schema stops with the overlay action that keeps its
/// type's name; added as printed, it gives `types::CheckoutSessions` back.
#[test]
fn the_printed_action_keeps_a_renamed_schemas_type() {
    let scratch = prepare(&case("schema-renamed"));
    let Err(Failure::Spec(diagnostics)) = generate(&scratch.0, Mode::Write, xtask::Warnings::Allow)
    else {
        panic!("a renamed schema must stop generation");
    };
    assert_eq!(diagnostics.len(), 1);
    let d = &diagnostics[0];
    assert_eq!(d.code.id(), "R003");
    assert!(
        d.message
            .contains("`types::CheckoutSessions` would become `types::CheckoutSession`"),
        "{d}"
    );
    assert_eq!(d.file, UPSTREAM_PATH, "{d}");
    // The maintainer pastes the action into spec/overlay.yaml's actions.
    let help = &d.help;
    let action: Vec<&str> = help
        .lines()
        .skip(1)
        .take_while(|l| !l.trim_start().starts_with("or accept"))
        .collect();
    let indent = action
        .iter()
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap();
    let overlay_path = scratch.path(xtask::OVERLAY_PATH);
    let mut overlay = fs::read_to_string(&overlay_path).unwrap();
    for line in action {
        overlay.push_str(&format!("  {}\n", &line[indent..]));
    }
    fs::write(&overlay_path, overlay).unwrap();
    let report = generate(&scratch.0, Mode::Write, xtask::Warnings::Allow).unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let client = fs::read_to_string(scratch.path("lomi-client/src/generated/mod.rs")).unwrap();
    assert!(client.contains("pub struct CheckoutSessions {"));
    assert!(!client.contains("pub struct CheckoutSession {"));
}

#[test]
fn every_upstream_change_gets_its_expected_diagnostics_and_changes() {
    let cases = cases();
    assert!(cases.len() >= 6, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let scratch = prepare(&case);
        // `cargo xtask generate`, as the maintainer runs it.
        let (mut diagnostics, generated): (Vec<String>, bool) =
            match generate(&scratch.0, Mode::Write, xtask::Warnings::Allow) {
                Ok(report) => (
                    report
                        .warnings
                        .iter()
                        .map(|d| d.code.id().to_string())
                        .collect(),
                    true,
                ),
                Err(Failure::Spec(ds)) => {
                    (ds.iter().map(|d| d.code.id().to_string()).collect(), false)
                }
                Err(other) => panic!("{name}: {other}"),
            };
        diagnostics.sort();
        let expected = match &case["generate"] {
            Value::String(ok) if ok == "ok" => Vec::new(),
            list => codes(list),
        };
        if diagnostics != expected {
            failures.push(format!(
                "{name}: generate gave {diagnostics:?}, expected {expected:?}"
            ));
        }

        // `cargo xtask diff-spec`: the committed spec against the regenerated one.
        if generated {
            let old = fs::read_to_string(workspace_root().join(SPEC_PATH)).unwrap();
            let new = fs::read_to_string(scratch.path(SPEC_PATH)).unwrap();
            let report = xtask::diff_specs("old", &old, "new", &new).unwrap();
            let mut changes: Vec<String> = report
                .changes
                .iter()
                .map(|c| c.kind.id().to_string())
                .collect();
            changes.sort();
            if let Some(rust) = case.get("rust") {
                let got: Vec<String> = report
                    .rust
                    .iter()
                    .map(|c| format!("{:?} {}", c.bump(), c.describe()))
                    .collect();
                if got != codes(rust) {
                    failures.push(format!(
                        "{name}: the Rust API changes are {got:?}, expected {rust}"
                    ));
                }
            }
            let expected = codes(&case["changes"]);
            if changes != expected {
                failures.push(format!(
                    "{name}: diff-spec gave {changes:?}, expected {expected:?}:\n{}",
                    report.to_text("0.3.0")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---- The drill: lomi.'s June 2026 document through the maintainer flow ----------------

/// The overlay as data.
fn overlay_actions(text: &str) -> (Value, Vec<Value>) {
    let overlay: Value = serde_yaml::from_str(text).unwrap();
    let actions = overlay["actions"].as_array().unwrap().clone();
    (overlay, actions)
}

fn with_actions(mut overlay: Value, actions: Vec<Value>) -> String {
    overlay["actions"] = Value::Array(actions);
    serde_yaml::to_string(&overlay).unwrap()
}

/// What the grouped `O004`s say to do, applied as a maintainer pastes them: each
/// re-pointed action takes its new target (one copy per target), each action whose node
/// is gone is removed. Returns the overlay and the indices of the actions no move
/// explains (the maintainer decides those).
fn apply_repoints(overlay: &str, diagnostics: &[lomi_codegen::Diagnostic]) -> (String, Vec<usize>) {
    let (doc, actions) = overlay_actions(overlay);
    let mut replaced: Vec<Option<Vec<Value>>> = vec![None; actions.len()];
    let mut unexplained = Vec::new();
    for d in diagnostics.iter().filter(|d| d.code.id() == "O004") {
        if !d.help.starts_with("re-point") && !d.help.starts_with("remove each action") {
            // An action no move explains: `/actions/N/target`.
            let index: usize = d.pointer.split('/').nth(2).unwrap().parse().unwrap();
            unexplained.push(index);
            continue;
        }
        let mut current: Option<usize> = None;
        for line in d.help.lines().map(str::trim) {
            if let Some(rest) = line.strip_prefix("action ") {
                let index: usize = rest.split(' ').next().unwrap().parse().unwrap();
                current = Some(index);
                replaced[index] = Some(Vec::new());
            } else if let Some(target) = line.strip_prefix("- target: ") {
                let target: String = serde_json::from_str(target).unwrap();
                let mut action = actions[current.unwrap()].clone();
                action["target"] = Value::String(target);
                replaced[current.unwrap()].as_mut().unwrap().push(action);
            }
        }
    }
    let actions = actions
        .into_iter()
        .zip(replaced)
        .flat_map(|(action, new)| new.unwrap_or_else(|| vec![action]))
        .collect();
    (with_actions(doc, actions), unexplained)
}

/// The overlay actions `R002`–`R004` print to keep each published name, appended.
fn apply_pins(overlay: &str, diagnostics: &[lomi_codegen::Diagnostic]) -> (String, usize) {
    let (doc, mut actions) = overlay_actions(overlay);
    let mut pins = 0;
    for d in diagnostics
        .iter()
        .filter(|d| d.code.id().starts_with('R') && d.is_error())
    {
        let snippet: String = d
            .help
            .lines()
            .skip(1)
            .take_while(|l| !l.trim_start().starts_with("or accept"))
            .map(|l| format!("{}\n", l.trim_end()))
            .collect();
        let parsed: Vec<Value> =
            serde_yaml::from_str(&dedent(&snippet)).unwrap_or_else(|e| panic!("{e}: {snippet}"));
        pins += parsed.len();
        actions.extend(parsed);
    }
    (with_actions(doc, actions), pins)
}

/// `text` with the indentation of its first line removed from every line.
fn dedent(text: &str) -> String {
    let indent = text
        .lines()
        .next()
        .map_or(0, |l| l.len() - l.trim_start().len());
    text.lines()
        .map(|l| l.get(indent..).unwrap_or(l.trim_start()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Each property `O007` says an action adds untyped, where upstream has none, removed
/// from that action's update.
fn apply_untyped(overlay: &str, diagnostics: &[lomi_codegen::Diagnostic]) -> (String, usize) {
    let (doc, mut actions) = overlay_actions(overlay);
    let mut removed = 0;
    for d in diagnostics.iter().filter(|d| d.code.id() == "O007") {
        let mut parts = d.pointer.splitn(4, '/').skip(2);
        let index: usize = parts.next().unwrap().parse().unwrap();
        let inner = format!("/{}", parts.next().unwrap());
        let (parent, key) = inner.rsplit_once('/').unwrap();
        actions[index]
            .pointer_mut(parent)
            .and_then(Value::as_object_mut)
            .unwrap()
            .remove(key)
            .unwrap();
        removed += 1;
    }
    (with_actions(doc, actions), removed)
}

/// The maintainer's decisions (`drop` by description, `actions` appended) applied.
fn apply_decisions(overlay: &str, decisions: &str) -> String {
    let decisions: Value = serde_yaml::from_str(decisions).unwrap();
    let (doc, mut actions) = overlay_actions(overlay);
    for start in decisions["drop"].as_array().unwrap() {
        let start = start.as_str().unwrap();
        let before = actions.len();
        actions.retain(|a| {
            !a["description"]
                .as_str()
                .unwrap_or_default()
                .starts_with(start)
        });
        assert!(
            actions.len() < before,
            "no action of the overlay starts with {start:?}"
        );
    }
    actions.extend(decisions["actions"].as_array().unwrap().iter().cloned());
    with_actions(doc, actions)
}

/// Each `$ref` to a renamed schema rewritten as `generate` says (`write `$ref: '…'``),
/// in the overlay action it reports.
fn apply_refs(overlay: &str, diagnostics: &[lomi_codegen::Diagnostic]) -> (String, usize) {
    let (doc, mut actions) = overlay_actions(overlay);
    let mut rewritten = 0;
    for d in diagnostics.iter().filter(|d| d.code.id() == "L003") {
        let Some((_, to)) = d.help.split_once("write `$ref: '") else {
            continue;
        };
        let to = to.split('\'').next().unwrap();
        let mut parts = d.pointer.splitn(4, '/').skip(2);
        let index: usize = parts.next().unwrap().parse().unwrap();
        let inner = format!("/{}", parts.next().unwrap());
        *actions[index].pointer_mut(&inner).unwrap() = Value::String(to.to_string());
        rewritten += 1;
    }
    (with_actions(doc, actions), rewritten)
}

/// The names of a generated file's public items (`pub fn x`, `pub struct X`, a field
/// `pub x: T` as `pub x`): what a shop's code names, whatever their types.
fn public_names(path: &std::path::Path) -> std::collections::BTreeSet<String> {
    public_api(&fs::read_to_string(path).unwrap())
        .into_iter()
        .map(|item| item.split(':').next().unwrap_or(&item).trim().to_string())
        .collect()
}

/// The drill: lomi.'s June 2026 document, verbatim, through MAINTAINING.md's
/// maintainer flow on a scratch copy of the workspace. Everything the maintainer pastes
/// comes from what `generate` prints; the decisions are the case's fixture.
#[test]
fn drill_june_2026() {
    let root = workspace_root();
    let case = all_cases()
        .into_iter()
        .find(|c| c["name"] == "lomi-2026-06")
        .unwrap();
    let changes_dir = root.join("xtask/tests/changes");
    let june = fs::read_to_string(changes_dir.join(case["document"].as_str().unwrap())).unwrap();
    let decisions =
        fs::read_to_string(changes_dir.join(case["decisions"].as_str().unwrap())).unwrap();
    let scratch = common::scratch_workspace("drill-2026-06", &june, str::to_string);
    let overlay_path = scratch.path(xtask::OVERLAY_PATH);
    let run = |scratch: &Scratch| generate(&scratch.0, Mode::Write, xtask::Warnings::Allow);
    let before = |rel: &str| public_names(&root.join(rel));

    // 1. Today's overlay: one O004 per move, each action re-pointed or to remove.
    let Err(Failure::Spec(first)) = run(&scratch) else {
        panic!("the June 2026 document must stop generate with today's overlay")
    };
    let mut said: Vec<&str> = first.iter().map(|d| d.code.id()).collect();
    said.sort();
    assert_eq!(said, codes(&case["generate"]), "{first:#?}");
    let text: Vec<String> = first.iter().map(|d| d.to_string()).collect();
    for cause in [
        "the server `https://api.lomi.africa/v1` is now `https://api.lomi.africa`",
        "the path `/checkout_sessions/{session_id}` is now `/checkout-sessions/{id}`",
        "the path `/checkout_sessions` is now `/checkout-sessions`",
        "the schema `checkout_sessions` is now `CheckoutSessionResponseDto`",
        "the schema `checkout_sessions_create` is now inline at `$.paths['/checkout-sessions'].post.requestBody.content['application/json'].schema`",
    ] {
        assert!(
            text.iter().any(|t| t.contains(cause)),
            "no O004 says {cause:?}:\n{}",
            text.join("\n")
        );
    }
    let (overlay, unexplained) =
        apply_repoints(&fs::read_to_string(&overlay_path).unwrap(), &first);
    assert_eq!(
        unexplained,
        Vec::<usize>::new(),
        "every O004 says where its node went"
    );
    let overlay = apply_decisions(&overlay, &decisions);
    fs::write(&overlay_path, &overlay).unwrap();

    // 2. Then what generate prints, pasted, until it has nothing left to say: the `$ref`
    // to the renamed schema, the pins of every published name, the untyped properties.
    let mut overlay = overlay;
    let mut said_renames = Vec::new();
    let mut pasted = (0, 0, 0);
    let report = loop {
        let (said, report) = match run(&scratch) {
            Err(Failure::Spec(ds)) => (ds, None),
            Ok(r) => (r.warnings.clone(), Some(r)),
            Err(e) => panic!("{e}"),
        };
        said_renames.extend(
            said.iter()
                .filter(|d| d.code.id().starts_with('R'))
                .map(|d| d.to_string()),
        );
        let (o, refs) = apply_refs(&overlay, &said);
        let (o, pins) = apply_pins(&o, &said);
        let (o, untyped) = apply_untyped(&o, &said);
        pasted = (pasted.0 + refs, pasted.1 + pins, pasted.2 + untyped);
        if refs + pins + untyped == 0 {
            break report.unwrap_or_else(|| panic!("generate still stops: {said:#?}"));
        }
        assert!(pasted.1 <= 5, "pins keep coming: {said:#?}");
        overlay = o;
        fs::write(&overlay_path, &overlay).unwrap();
    };
    assert_eq!(
        pasted,
        (1, 5, 10),
        "($refs, pins, untyped properties) pasted"
    );
    // Every published name the move would change was named, on every face, with its pin.
    let renames = said_renames.join("\n");
    for name in [
        "`Client::create_checkout_session` would become `Client::checkout_sessions_controller_create`",
        "`Client::list_checkout_sessions` would become `Client::checkout_sessions_controller_find_all`",
        "`Client::retrieve_checkout_session` would become `Client::checkout_sessions_controller_find_one`",
        "lomi-httpmock's `MockServerExt::create_checkout_session`, `CreateCheckoutSessionWhen` and `CreateCheckoutSessionThen` → `checkout_sessions_controller_create`",
        "the published type `types::CheckoutSessions` would become `types::CheckoutSessionResponseDto`",
        "the published type `types::CheckoutSessionsCreate` would become `types::CheckoutSessionsControllerCreateBody`",
        "the setter keeps its published name `session_id`",
        "update: {x-lomi-rust-name: CheckoutSessionsCreate}",
    ] {
        assert!(
            renames.contains(name),
            "generate never said {name:?}:\n{renames}"
        );
    }
    // Only the note that keeps `session_id` remains, and the summary names the break.
    let notes: Vec<&str> = report.warnings.iter().map(|d| d.code.id()).collect();
    assert_eq!(notes, ["R001"]);
    assert!(
        report
            .summary
            .as_deref()
            .is_some_and(|s| s.contains("lomi-client 0.3.0 → 0.4.0")),
        "{:?}",
        report.summary
    );

    // 3. Every published name is kept on every face, but what lomi. removed.
    // Names that no item has any more: only those of the operations and types lomi.
    // removed (the case's Rust section lists each), and of the fields it dropped.
    let expected_lost = |file: &str| -> Vec<&str> {
        match file {
            // `types::Error` (and its `error` object), the list envelope and its
            // `Pagination`, `update` and `delete` with their builders, `.sort()`.
            "lomi-client/src/generated/mod.rs" => vec![
                "pub code",
                "pub details",
                "pub error",
                "pub fn code",
                "pub fn delete_checkout_session",
                "pub fn details",
                "pub fn error",
                "pub fn message",
                "pub fn pagination",
                "pub fn request_id",
                "pub fn sort",
                "pub fn total",
                "pub fn update_checkout_session",
                "pub limit",
                "pub message",
                "pub offset",
                "pub pagination",
                "pub request_id",
                "pub struct CheckoutSessionsUpdate",
                "pub struct DeleteCheckoutSession",
                "pub struct Error",
                "pub struct ErrorError",
                "pub struct ListCheckoutSessions200Response",
                "pub struct Pagination",
                "pub struct UpdateCheckoutSession",
                "pub total",
            ],
            // The same operations' helpers and `.sort()`; `Then::internal_server_error`,
            // since June documents no 500, and `no_content`, which only delete answered.
            _ => vec![
                "pub fn internal_server_error",
                "pub fn no_content",
                "pub fn sort",
                "pub struct DeleteCheckoutSessionThen",
                "pub struct DeleteCheckoutSessionWhen",
                "pub struct UpdateCheckoutSessionThen",
                "pub struct UpdateCheckoutSessionWhen",
            ],
        }
    };
    for file in [
        "lomi-client/src/generated/mod.rs",
        "lomi-httpmock/src/generated.rs",
    ] {
        let after = public_names(&scratch.path(file));
        let lost: Vec<String> = before(file).difference(&after).cloned().collect();
        assert_eq!(
            lost,
            expected_lost(file),
            "{file}: the published names lost"
        );
    }
    let cli = fs::read_to_string(scratch.path(xtask::CLI_PATH)).unwrap();
    let flat: String = cli.split_whitespace().collect();
    for command in [
        "verb:\"create\"",
        "verb:\"list\"",
        "verb:\"retrieve\"",
        "flag:\"session-id\"",
        "resource:\"checkout-sessions\"",
    ] {
        assert!(flat.contains(command), "the command lost {command}");
    }
    // The regenerated client, its httpmock helpers and the command build.
    common::cargo_in(
        &scratch.0,
        &[
            "build",
            "--quiet",
            "--locked",
            "-p",
            "lomi-client",
            "-p",
            "lomi-httpmock",
            "-p",
            "lomi-cli",
        ],
    );

    // 4. diff-spec: the changes written in the case, and no others; its bump.
    let old = fs::read_to_string(root.join(SPEC_PATH)).unwrap();
    let new = fs::read_to_string(scratch.path(SPEC_PATH)).unwrap();
    let diff = xtask::diff_specs("old", &old, "new", &new).unwrap();
    let wire: Vec<String> = diff
        .changes
        .iter()
        .map(|c| format!("{} {}: {}", c.kind.id(), c.location, c.message))
        .collect();
    assert_eq!(wire, codes(&case["changes"]), "{}", diff.to_text("0.3.0"));
    let rust: Vec<String> = diff
        .rust
        .iter()
        .map(|c| format!("{:?} {}", c.bump(), c.describe()))
        .collect();
    assert_eq!(rust, codes(&case["rust"]), "{}", diff.to_text("0.3.0"));
    assert_eq!(format!("{:?}", diff.bump()), case["bump"].as_str().unwrap());
    assert!(
        !wire
            .iter()
            .any(|c| c.starts_with("S032") || c.starts_with("S033") || c.starts_with("S034")),
        "the security scheme was renamed with the same header: no change"
    );
}

/// lomi.'s June 2026 document never renames published names silently: under an overlay
/// that changes nothing, and under one that only keeps the checkout-session operations,
/// `generate` stops naming each method and type that would change.
#[test]
fn the_june_2026_document_never_renames_silently() {
    let june =
        fs::read_to_string(workspace_root().join("xtask/tests/changes/lomi-openapi-2026-06.json"))
            .unwrap();
    let nothing = "overlay: 1.0.0\ninfo: {title: nothing, version: 1.0.0}\nactions: []\n";
    let checkout_only = "overlay: 1.0.0\ninfo: {title: checkout only, version: 1.0.0}\nactions:\n  \
         - target: \"$.paths[?!@.*.tags[?@ == 'Checkout Sessions']]\"\n    remove: true\n";
    for overlay in [nothing, checkout_only] {
        let scratch = Scratch::new("june-silent");
        fs::write(scratch.path(UPSTREAM_PATH), &june).unwrap();
        fs::write(scratch.path(xtask::OVERLAY_PATH), overlay).unwrap();
        let Err(Failure::Spec(said)) = generate(&scratch.0, Mode::Write, xtask::Warnings::Allow)
        else {
            panic!("generate renamed published names silently under {overlay}")
        };
        let errors: Vec<String> = said
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.to_string())
            .collect();
        let text = errors.join("\n");
        for name in [
            "`Client::create_checkout_session` would become",
            "`Client::list_checkout_sessions` would become",
            "`Client::retrieve_checkout_session` would become",
            "the published type `types::CheckoutSessions` would become",
            "the published type `types::CheckoutSessionsCreate` would become",
        ] {
            assert!(text.contains(name), "not named: {name}\n{text}");
        }
        assert!(errors.iter().all(|e| e.starts_with("error[R00")), "{text}");
        // Nothing was written.
        let spec = fs::read_to_string(scratch.path(SPEC_PATH)).unwrap();
        assert_eq!(
            spec,
            fs::read_to_string(workspace_root().join(SPEC_PATH)).unwrap()
        );
    }
}
