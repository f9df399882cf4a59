//! The change corpus (`changes/cases.yaml`): upstream changes a maintainer meets, each
//! run through the README's maintainer flow on a scratch copy of the repository: replace
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

fn cases() -> Vec<Value> {
    let cases: Value = serde_yaml::from_str(
        &fs::read_to_string(workspace_root().join("xtask/tests/changes/cases.yaml")).unwrap(),
    )
    .unwrap();
    cases.as_array().unwrap().clone()
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
