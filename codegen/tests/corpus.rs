//! The crash corpus: every file in `tests/corpus/` is a broken or unsupported spec, and
//! its `.expected` twin holds, exactly, what the generator tells a maintainer about it
//! (message, file:line, JSON pointer, what to do). None may panic or pass silently: a
//! broken spec fails, one whose problems change no generated line generates with warnings.
//!
//! After a deliberate change to a message, run `LOMI_BLESS=1 cargo test -p lomi-codegen
//! --test corpus` and review the `.expected` diffs.

use std::fs;
use std::path::Path;

use lomi_codegen::{Diagnostic, generate};

fn render(diags: &[Diagnostic]) -> String {
    let mut out: String = diags.iter().map(|d| format!("{d}\n")).collect();
    if out.is_empty() {
        out.push_str("(no diagnostics)\n");
    }
    out
}

fn outcome(file: &str, text: &str) -> String {
    match generate(file, text) {
        Ok(g) => format!(
            "generated {} file(s)\n{}",
            g.files.len(),
            render(&g.warnings)
        ),
        Err(diags) => render(&diags),
    }
}

#[test]
fn every_broken_spec_gets_its_exact_diagnostics() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let bless = std::env::var_os("LOMI_BLESS").is_some();
    let mut specs: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    specs.sort();
    assert!(
        specs.len() >= 30,
        "the corpus has only {} specs",
        specs.len()
    );

    let mut failures = Vec::new();
    for spec in &specs {
        let name = spec.file_name().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(spec).unwrap();
        let got = outcome(&format!("corpus/{name}"), &text);
        // Broken specs fail; specs whose problems change no generated line (examples,
        // differing error bodies) generate with warnings. None passes silently.
        assert!(
            got.contains("error[") || got.contains("warning["),
            "{name} is meant to be broken, but generated without a diagnostic:\n{got}"
        );
        let expected_path = spec.with_extension("expected");
        if bless {
            fs::write(&expected_path, &got).unwrap();
            continue;
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if got != expected {
            failures.push(format!("--- {name}: expected\n{expected}--- got\n{got}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus specs changed (LOMI_BLESS=1 to accept):\n{}",
        failures.len(),
        specs.len(),
        failures.join("\n")
    );
}

/// A multi-megabyte document (2,000 operations) with one mistake near the end: the
/// diagnostic still names the right line, and nothing is slow or deep enough to fail.
#[test]
fn a_multi_megabyte_spec_is_read_and_located() {
    let mut text = String::from("openapi: 3.0.3\ninfo: {title: big, version: '1'}\npaths:\n");
    for i in 0..2000 {
        text.push_str(&format!(
            "  /things{i}/{{thing_id}}:\n    get:\n      operationId: getThing{i}\n      description: '{}'\n      parameters:\n        - {{name: thing_id, in: path, required: true, schema: {{type: string}}}}\n      responses:\n        '204': {{description: done}}\n",
            "x".repeat(1000)
        ));
    }
    let line = text.lines().count() + 3;
    text.push_str("  /last:\n    get:\n      operationId: getThing7\n      responses:\n        '204': {description: done}\n");
    assert!(text.len() > 2_000_000, "{} bytes", text.len());
    let diags = generate("big.yaml", &text).unwrap_err();
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].line, Some(line));
    assert_eq!(diags[0].pointer, "/paths/~1last/get/operationId");
}
