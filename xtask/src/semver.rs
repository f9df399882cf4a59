//! `cargo xtask semver`: cargo-semver-checks on every API folder's client crate, with
//! the one blind spot it has here made up for.
//!
//! cargo-semver-checks cannot follow a `pub use` of an item from another crate (its
//! issue #638): since the runtime moved into `lomi-runtime`, `lomi_client::Error` and
//! the rest are re-exports it reports as removed. So when the only failures are such
//! "missing item" lints, every public path of the baseline (read from the rustdoc JSON
//! cargo-semver-checks built of it) is imported by a probe crate built against the
//! working tree: if the probe compiles, nothing a user could name went away.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The lints that report an item missing at its old path, all cargo-semver-checks can
/// say of a re-export from another crate. Any other failure is a real one.
const MISSING_ITEM_LINTS: &[&str] = &[
    "enum_missing",
    "struct_missing",
    "union_missing",
    "function_missing",
    "trait_missing",
    "pub_module_level_const_missing",
    "pub_static_missing",
    "module_missing",
    "type_alias_missing",
    "declarative_macro_missing",
    "enum_variant_missing",
];

/// What one crate's check came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// cargo-semver-checks passed.
    Clean,
    /// It failed only on items missing at their old paths, and every public path of the
    /// baseline still resolves: the `n` items are re-exports it cannot follow.
    ReExportsOnly { flagged: usize, paths: usize },
    /// The baseline has no such crate (a crate not yet published there).
    NoBaseline,
}

/// Runs cargo-semver-checks on `package` (its folder `dir`) against `baseline`, and
/// the probe when the failures call for it. `Err` says what changed, or why it cannot
/// say.
pub fn check(root: &Path, package: &str, dir: &str, baseline: &str) -> Result<Verdict, String> {
    let present = Command::new("git")
        .current_dir(root)
        .args(["cat-file", "-e", &format!("{baseline}:{dir}/Cargo.toml")])
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !present.success() {
        return Ok(Verdict::NoBaseline);
    }
    let output = Command::new("cargo")
        .current_dir(root)
        .args([
            "semver-checks",
            "check-release",
            "--package",
            package,
            "--baseline-rev",
            baseline,
        ])
        .output()
        .map_err(|e| format!("cannot run cargo semver-checks: {e}"))?;
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if output.status.success() {
        return Ok(Verdict::Clean);
    }
    let failed = failed_lints(&report);
    let other: Vec<&str> = failed
        .iter()
        .filter(|lint| !MISSING_ITEM_LINTS.contains(lint))
        .copied()
        .collect();
    if failed.is_empty() || !other.is_empty() {
        return Err(format!(
            "{report}\ncargo-semver-checks found changes that {package}'s version does not \
             allow{}",
            if other.is_empty() {
                String::new()
            } else {
                format!(": {}", other.join(", "))
            }
        ));
    }
    let flagged = report
        .lines()
        .filter(|l| l.contains(" previously in file ") || l.contains(" in file "))
        .count();
    let json = baseline_rustdoc(root, baseline, package).ok_or_else(|| {
        format!(
            "{report}\ncannot find the baseline's rustdoc JSON under target/semver-checks to \
             tell re-exports from removals"
        )
    })?;
    let doc: Value = serde_json::from_str(
        &fs::read_to_string(&json).map_err(|e| format!("cannot read {}: {e}", json.display()))?,
    )
    .map_err(|e| format!("{} is not JSON: {e}", json.display()))?;
    let paths = public_paths(&doc)?;
    probe(root, package, dir, &paths)
        .map_err(|errors| format!("{report}\n{errors}"))
        .map(|()| Verdict::ReExportsOnly {
            flagged,
            paths: paths.len(),
        })
}

/// The lint ids of a cargo-semver-checks report's `--- failure <lint>: …` lines.
pub fn failed_lints(report: &str) -> Vec<&str> {
    report
        .lines()
        .filter_map(|l| l.trim().strip_prefix("--- failure "))
        .filter_map(|l| l.split(':').next())
        .map(str::trim)
        .collect()
}

/// Where cargo-semver-checks left its rustdoc JSON of `package` at `baseline`.
fn baseline_rustdoc(root: &Path, baseline: &str, package: &str) -> Option<PathBuf> {
    let file = format!("{}.json", package.replace('-', "_"));
    let dirs = fs::read_dir(root.join("target/semver-checks")).ok()?;
    let short: String = baseline.chars().take(7).collect();
    let mut found = None;
    for dir in dirs.filter_map(Result::ok) {
        let name = dir.file_name().to_string_lossy().to_string();
        if !(name.starts_with("git-") && (name.contains(baseline) || name.contains(&short))) {
            continue;
        }
        let Ok(builds) = fs::read_dir(dir.path()) else {
            continue;
        };
        for build in builds.filter_map(Result::ok) {
            let candidate = build.path().join("target/doc").join(&file);
            if candidate.is_file() {
                found = Some(candidate);
            }
        }
    }
    found
}

/// Every path a user of the crate described by `doc` (rustdoc JSON) can `use`: its
/// public modules and items, what they re-export, and each public enum's variants;
/// `#[doc(hidden)]` items left out (they are no one's API).
pub fn public_paths(doc: &Value) -> Result<BTreeSet<String>, String> {
    let index = doc
        .get("index")
        .and_then(Value::as_object)
        .ok_or("the rustdoc JSON has no `index`")?;
    let root = doc.get("root").ok_or("the rustdoc JSON has no `root`")?;
    let item = |id: &Value| index.get(&id.to_string());
    let root_item = item(root).ok_or("the rustdoc JSON's root is not in its index")?;
    let name = root_item
        .get("name")
        .and_then(Value::as_str)
        .ok_or("the rustdoc JSON's root has no name")?;
    let mut paths = BTreeSet::new();
    let mut stack = vec![(root_item, name.to_string(), 0usize)];
    while let Some((module, prefix, depth)) = stack.pop() {
        // Modules re-exporting each other cannot loop the walk.
        if depth > 16 {
            continue;
        }
        let children = module
            .pointer("/inner/module/items")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for child in children.filter_map(item) {
            if child.get("visibility").and_then(Value::as_str) != Some("public")
                || child
                    .get("attrs")
                    .is_some_and(|a| a.to_string().contains("doc(hidden)"))
            {
                continue;
            }
            let Some(inner) = child.get("inner").and_then(Value::as_object) else {
                continue;
            };
            let Some((kind, body)) = inner.iter().next() else {
                continue;
            };
            let named = |name: &str| format!("{prefix}::{name}");
            match kind.as_str() {
                "use" => {
                    let target = body.get("id").and_then(item);
                    let is_module = target.is_some_and(|t| t.pointer("/inner/module").is_some());
                    if body.get("is_glob").and_then(Value::as_bool) == Some(true) {
                        if let Some(target) = target.filter(|_| is_module) {
                            stack.push((target, prefix.clone(), depth + 1));
                        }
                        continue;
                    }
                    let Some(name) = body.get("name").and_then(Value::as_str) else {
                        continue;
                    };
                    paths.insert(named(name));
                    if let Some(target) = target {
                        if is_module {
                            stack.push((target, named(name), depth + 1));
                        }
                        variants(target, &named(name), &item, &mut paths);
                    }
                }
                "module" => {
                    if let Some(name) = child.get("name").and_then(Value::as_str) {
                        paths.insert(named(name));
                        stack.push((child, named(name), depth + 1));
                    }
                }
                "struct" | "enum" | "union" | "trait" | "trait_alias" | "function" | "constant"
                | "static" | "type_alias" | "macro" => {
                    if let Some(name) = child.get("name").and_then(Value::as_str) {
                        paths.insert(named(name));
                        variants(child, &named(name), &item, &mut paths);
                    }
                }
                _ => {}
            }
        }
    }
    Ok(paths)
}

/// The paths of `item`'s variants, when it is an enum.
fn variants<'a>(
    item: &Value,
    path: &str,
    lookup: &impl Fn(&Value) -> Option<&'a Value>,
    paths: &mut BTreeSet<String>,
) {
    let ids = item
        .pointer("/inner/enum/variants")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    for variant in ids.filter_map(lookup) {
        let hidden = variant
            .get("attrs")
            .is_some_and(|a| a.to_string().contains("doc(hidden)"));
        if let (false, Some(name)) = (hidden, variant.get("name").and_then(Value::as_str)) {
            paths.insert(format!("{path}::{name}"));
        }
    }
}

/// Builds a crate that imports every one of `paths` from the working tree's `package`
/// (all its features on, as cargo-semver-checks built the baseline); `Err` holds the
/// compiler's errors, which name the paths that no longer resolve.
fn probe(root: &Path, package: &str, dir: &str, paths: &BTreeSet<String>) -> Result<(), String> {
    let work = root.join("target/semver-probe");
    fs::create_dir_all(work.join("src")).map_err(|e| format!("cannot write the probe: {e}"))?;
    let manifest = fs::read_to_string(root.join(dir).join("Cargo.toml"))
        .map_err(|e| format!("cannot read {dir}/Cargo.toml: {e}"))?;
    let features: Vec<String> = manifest
        .parse::<toml_edit::DocumentMut>()
        .ok()
        .and_then(|doc| {
            doc.get("features")
                .and_then(|f| f.as_table_like())
                .map(|f| f.iter().map(|(name, _)| name.to_string()).collect())
        })
        .unwrap_or_default();
    let features = features
        .iter()
        .map(|f| format!("{f:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let path = root.join(dir);
    let cargo_toml = format!(
        "[package]\nname = \"semver-probe\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
         publish = false\n\n[dependencies]\n{package:?} = {{ path = {:?}, features = [{features}] }}\n\n\
         [workspace]\n",
        path.display().to_string()
    );
    let mut lib = String::from(
        "//! Every public path of the baseline, imported from the working tree.\n\
         #![allow(unused_imports)]\n",
    );
    for path in paths {
        lib.push_str(&format!("use {path} as _;\n"));
    }
    let write = |file: &str, text: &str| {
        fs::write(work.join(file), text).map_err(|e| format!("cannot write the probe: {e}"))
    };
    write("Cargo.toml", &cargo_toml)?;
    write("src/lib.rs", &lib)?;
    // The workspace's lock keeps the probe on the versions the crate is tested with.
    if let Ok(lock) = fs::read(root.join("Cargo.lock")) {
        fs::write(work.join("Cargo.lock"), lock)
            .map_err(|e| format!("cannot write the probe: {e}"))?;
    }
    let output = Command::new("cargo")
        .current_dir(&work)
        .args(["check", "--quiet", "--target-dir"])
        .arg(root.join("target"))
        .output()
        .map_err(|e| format!("cannot run cargo check on the probe: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}\nsome public paths of the baseline no longer resolve in {package} (above)",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn failed_lints_reads_the_report_s_headers() {
        let report = "--- failure enum_missing: pub enum removed or renamed ---\n\
                      Failed in:\n  enum a::E, previously in file x.rs:1\n\
                      --- failure inherent_method_missing: pub method removed ---\n";
        assert_eq!(
            failed_lints(report),
            ["enum_missing", "inherent_method_missing"]
        );
    }

    /// A crate whose root holds a struct, an enum, a hidden function, a module
    /// re-exported under another name, a glob re-export and an external re-export.
    #[test]
    fn public_paths_follow_modules_re_exports_and_variants() {
        let doc = json!({
            "root": 0,
            "index": {
                "0": {"name": "krate", "visibility": "public", "attrs": [],
                      "inner": {"module": {"items": [1, 2, 3, 4, 5, 7, 9, 10]}}},
                "1": {"name": "Thing", "visibility": "public", "attrs": [],
                      "inner": {"struct": {}}},
                "2": {"name": "Kind", "visibility": "public", "attrs": [],
                      "inner": {"enum": {"variants": [20, 21]}}},
                "20": {"name": "A", "visibility": "default", "attrs": [], "inner": {"variant": {}}},
                "21": {"name": "B", "visibility": "default",
                       "attrs": [{"other": "#[doc(hidden)]"}], "inner": {"variant": {}}},
                "3": {"name": "secret", "visibility": "public",
                      "attrs": [{"other": "#[doc(hidden)]"}], "inner": {"function": {}}},
                "4": {"name": "inner", "visibility": "crate", "attrs": [],
                      "inner": {"module": {"items": [6]}}},
                "6": {"name": "deep", "visibility": "public", "attrs": [],
                      "inner": {"function": {}}},
                "5": {"name": null, "visibility": "public", "attrs": [],
                      "inner": {"use": {"name": "outer", "id": 4, "is_glob": false}}},
                "7": {"name": null, "visibility": "public", "attrs": [],
                      "inner": {"use": {"name": "inner", "id": 4, "is_glob": true}}},
                "9": {"name": null, "visibility": "public", "attrs": [],
                      "inner": {"use": {"name": "Error", "id": 999, "is_glob": false}}},
                "10": {"name": null, "visibility": "public", "attrs": [],
                       "inner": {"use": {"name": "Again", "id": 2, "is_glob": false}}},
            }
        });
        let paths: Vec<String> = public_paths(&doc).unwrap().into_iter().collect();
        assert_eq!(
            paths,
            [
                "krate::Again",
                "krate::Again::A",
                "krate::Error",
                "krate::Kind",
                "krate::Kind::A",
                "krate::Thing",
                "krate::deep",
                "krate::outer",
                "krate::outer::deep",
            ]
        );
        assert!(public_paths(&json!({"index": {}})).is_err());
    }
}
