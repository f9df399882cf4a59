//! The generator's layout shows its pipeline: a folder per stage (`spec`, `lint`, `plan`,
//! `emit`, `change`), each module importing only from its own stage or an earlier one,
//! and no two modules importing each other, directly or round a longer circle. Read
//! from the sources, so that a wrong-way `use` fails here, naming the file.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The stages in pipeline order, after the diagnostics every stage reports with.
const STAGES: [&str; 6] = ["diagnostic", "spec", "lint", "plan", "emit", "change"];

/// Every `.rs` file under `dir`, with its path relative to `src/`.
fn sources(dir: &Path, rel: &str, out: &mut Vec<(String, PathBuf)>) {
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        if path.is_dir() {
            sources(&path, &rel, out);
        } else if rel.ends_with(".rs") {
            out.push((rel, path));
        }
    }
}

/// The module a source file is (`emit/render.rs` → `emit::render`, `plan/mod.rs` → `plan`).
fn module_of(rel: &str) -> String {
    rel.trim_end_matches(".rs")
        .trim_end_matches("/mod")
        .replace('/', "::")
}

/// The stage of a module path (`emit::render` → `emit`); `None` for the crate's root.
fn stage_of(module: &str) -> Option<usize> {
    let first = module.split("::").next()?;
    STAGES.iter().position(|s| *s == first)
}

/// Every `crate::a::b` path the code of `text` uses (in `use` items, expressions,
/// types and patterns; not in comments, strings or the tokens a macro such as `quote!`
/// emits): the module it names, as deep as a known module goes.
fn imports(text: &str, modules: &BTreeSet<String>) -> Vec<String> {
    use syn::visit::Visit;
    struct Paths(Vec<Vec<String>>);
    impl<'ast> Visit<'ast> for Paths {
        fn visit_path(&mut self, path: &'ast syn::Path) {
            self.0
                .push(path.segments.iter().map(|s| s.ident.to_string()).collect());
            syn::visit::visit_path(self, path);
        }
        fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
            fn flatten(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
                match tree {
                    syn::UseTree::Path(p) => {
                        prefix.push(p.ident.to_string());
                        flatten(&p.tree, prefix, out);
                        prefix.pop();
                    }
                    syn::UseTree::Name(n) => {
                        let mut path = prefix.clone();
                        path.push(n.ident.to_string());
                        out.push(path);
                    }
                    syn::UseTree::Rename(r) => {
                        let mut path = prefix.clone();
                        path.push(r.ident.to_string());
                        out.push(path);
                    }
                    syn::UseTree::Glob(_) => out.push(prefix.clone()),
                    syn::UseTree::Group(g) => {
                        for tree in &g.items {
                            flatten(tree, prefix, out);
                        }
                    }
                }
            }
            flatten(&item.tree, &mut Vec::new(), &mut self.0);
        }
    }
    let file = syn::parse_file(text).expect("a codegen source parses");
    let mut paths = Paths(Vec::new());
    paths.visit_file(&file);
    paths
        .0
        .into_iter()
        // `crate` alone is `pub(crate)`'s, not an import.
        .filter(|p| p.len() > 1 && p[0] == "crate")
        .map(|p| {
            let segments = &p[1..];
            (1..=segments.len())
                .rev()
                .map(|n| segments[..n].join("::"))
                .find(|m| modules.contains(m))
                .unwrap_or_else(|| segments.first().cloned().unwrap_or_default())
        })
        .collect()
}

#[test]
fn each_stage_imports_only_from_itself_and_earlier_stages_with_no_circle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, "", &mut files);
    files.sort();
    let modules: BTreeSet<String> = files.iter().map(|(rel, _)| module_of(rel)).collect();
    for stage in STAGES {
        assert!(
            modules.contains(stage),
            "no stage `{stage}` under codegen/src"
        );
    }
    let mut wrong = Vec::new();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, path) in &files {
        if rel == "lib.rs" {
            continue;
        }
        let module = module_of(rel);
        let Some(stage) = stage_of(&module) else {
            wrong.push(format!("codegen/src/{rel}: not in a stage's folder"));
            continue;
        };
        let text = fs::read_to_string(path).unwrap();
        for target in imports(&text, &modules) {
            match stage_of(&target) {
                // The root's items (`generate`, `Target`…) are the whole pipeline: no
                // stage uses them.
                None => wrong.push(format!(
                    "codegen/src/{rel}: `crate::{target}` is the crate root's, not a stage's"
                )),
                Some(theirs) if theirs > stage => wrong.push(format!(
                    "codegen/src/{rel}: `{}` imports `crate::{target}` of the later stage `{}`",
                    STAGES[stage], STAGES[theirs]
                )),
                Some(_) => {
                    // A module's own submodules (`plan` → `plan::features`) are its parts.
                    if target != module && !target.starts_with(&format!("{module}::")) {
                        edges.entry(module.clone()).or_default().insert(target);
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // No circle: a depth-first walk never meets a module still on its path.
    fn walk(
        at: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|m| m == at) {
            let mut circle = path[i..].to_vec();
            circle.push(at.to_string());
            return Some(circle);
        }
        if done.contains(at) {
            return None;
        }
        path.push(at.to_string());
        for next in edges.get(at).into_iter().flatten() {
            if let Some(circle) = walk(next, edges, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(at.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for module in edges.keys() {
        if let Some(circle) = walk(module, &edges, &mut Vec::new(), &mut done) {
            panic!("modules import each other: {}", circle.join(" → "));
        }
    }
}

#[test]
fn the_import_reader_sees_code_and_not_comments_strings_or_macro_output() {
    let modules: BTreeSet<String> = ["plan", "plan::features", "emit", "emit::render"]
        .into_iter()
        .map(String::from)
        .collect();
    let text = "use crate::plan::{features::assign, Plan};\n\
                // crate::emit::render is named in a comment\n\
                const P: &str = \"crate::emit\";\n\
                fn f() { let x = crate::emit::render::format(&f); quote!(crate::table::Kind); }\n";
    assert_eq!(
        imports(text, &modules),
        ["plan::features", "plan", "emit::render"]
    );
}
