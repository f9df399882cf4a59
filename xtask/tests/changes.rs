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

#[test]
fn every_upstream_change_gets_its_expected_diagnostics_and_changes() {
    let cases: Value = serde_yaml::from_str(
        &fs::read_to_string(workspace_root().join("xtask/tests/changes/cases.yaml")).unwrap(),
    )
    .unwrap();
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 6, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
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
            text = text.replacen(from, to, 1);
        }
        fs::write(&upstream, &text).unwrap();

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
