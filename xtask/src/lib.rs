//! Maintainer commands for lomi-rs, as a library so that `cargo test` can run them too.
//!
//! This is the only code in the workspace that touches the disk: `lomi-codegen` returns
//! files, and [`ensure_file`] writes them (or, when checking, compares them).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

pub use lomi_codegen::stable::Renames;
use lomi_codegen::{Diagnostic, GeneratedFile, Output, stable};

pub mod bench;
pub mod build_bench;
pub mod semver;

/// lomi.'s published document, verbatim, relative to the workspace root.
pub const UPSTREAM_PATH: &str = "spec/upstream.yaml";
/// Our departures from it, as OpenAPI Overlay 1.0 actions.
pub const OVERLAY_PATH: &str = "spec/overlay.yaml";
/// The checked-in spec the client is generated from: derived from the two above.
pub const SPEC_PATH: &str = "spec/lomi.yaml";
/// Where the generated client code lives, relative to the workspace root.
pub const GENERATED_DIR: &str = "lomi-client/src/generated";
/// The copy of the spec packaged with `lomi-mock`, which a shop's dev-dependency reads
/// (a crate cannot package a file from outside its folder).
pub const MOCK_SPEC_PATH: &str = "lomi-mock/spec/lomi.yaml";

/// The generated typed httpmock helpers (the `lomi-httpmock` crate's source).
pub const HTTPMOCK_PATH: &str = "lomi-httpmock/src/generated.rs";
/// The `lomi` command's table of operations.
pub const CLI_PATH: &str = "lomi-cli/src/generated.rs";

/// Where API folders other than the seed's (`spec/`) live, one folder each.
pub const APIS_DIR: &str = "apis";
/// The file that makes a folder an API folder and says what is generated from it.
pub const API_MANIFEST: &str = "api.yaml";

/// One API folder: lomi.'s document verbatim, our overlay, the derived spec, and where
/// the crates generated from it live. Read from the folder's `api.yaml`; `upstream`,
/// `overlay` and `spec` are relative to the folder there, every path here to the
/// workspace root.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiFolder {
    /// The folder, relative to the workspace root.
    #[serde(skip)]
    pub dir: String,
    /// lomi.'s published document, verbatim.
    pub upstream: String,
    /// Our departures from it, as OpenAPI Overlay 1.0 actions.
    pub overlay: String,
    /// The derived spec every generated file comes from.
    pub spec: String,
    /// The client crate's folder; its generated module is `src/generated`.
    #[serde(rename = "crate")]
    pub client_crate: String,
    /// The typed httpmock helpers, if this API has them.
    #[serde(default)]
    pub httpmock: Option<String>,
    /// The `lomi` command's table of this API's operations, if it has one.
    #[serde(default)]
    pub cli: Option<String>,
    /// The copy of the spec packaged with `lomi-mock`, if the mock serves this API.
    #[serde(default)]
    pub mock_spec: Option<String>,
    /// Whether each tag's operations are behind a cargo feature of their own, which the
    /// run writes into the crate's `Cargo.toml` with `full` for all of them.
    #[serde(default)]
    pub tag_features: bool,
}

impl ApiFolder {
    /// The seed's folder, `spec/`: lomi.'s 1.1.0 document (the official Python SDK
    /// 1.1.0's), which `lomi-client`, `lomi-httpmock`, the `lomi` command's table and
    /// lomi-mock's spec come from. It keeps the place it had before API folders, so its
    /// paths are the constants above rather than an `api.yaml`.
    pub fn seed() -> ApiFolder {
        ApiFolder {
            dir: "spec".into(),
            upstream: UPSTREAM_PATH.into(),
            overlay: OVERLAY_PATH.into(),
            spec: SPEC_PATH.into(),
            client_crate: "lomi-client".into(),
            httpmock: Some(HTTPMOCK_PATH.into()),
            cli: Some(CLI_PATH.into()),
            mock_spec: Some(MOCK_SPEC_PATH.into()),
            tag_features: false,
        }
    }

    /// The seed's API (`spec/`, lomi.'s 1.1.0 document, `lomi-client`), whose paths the
    /// constants above name.
    pub fn is_seed(&self) -> bool {
        self.spec == SPEC_PATH
    }

    /// Where the client's generated module lives.
    pub fn generated_dir(&self) -> String {
        format!("{}/src/generated", self.client_crate)
    }

    /// `upstream + overlay`, as reports name the sources.
    pub fn sources(&self) -> String {
        format!("{} + {}", self.upstream, self.overlay)
    }
}

/// Every API folder: the seed's (`spec/`, [`ApiFolder::seed`]) first, then each folder
/// of `apis/` holding an `api.yaml`, by name. Adding an API is adding a folder.
pub fn api_folders(root: &Path) -> Result<Vec<ApiFolder>, Failure> {
    let mut dirs = Vec::new();
    if let Ok(entries) = fs::read_dir(root.join(APIS_DIR)) {
        let mut more: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().join(API_MANIFEST).is_file())
            .map(|e| format!("{APIS_DIR}/{}", e.file_name().to_string_lossy()))
            .collect();
        more.sort();
        dirs.extend(more);
    }
    std::iter::once(Ok(ApiFolder::seed()))
        .chain(dirs.iter().map(|dir| api_folder(root, dir)))
        .collect()
}

/// The API folder `dir` (relative to `root`), from its `api.yaml`.
pub fn api_folder(root: &Path, dir: &str) -> Result<ApiFolder, Failure> {
    let manifest = format!("{dir}/{API_MANIFEST}");
    let text = read(root, &manifest)?;
    let mut api: ApiFolder =
        serde_yaml::from_str(&text).map_err(|e| Failure::Io(format!("{manifest}: {e}")))?;
    for file in [&mut api.upstream, &mut api.overlay, &mut api.spec] {
        if file.is_empty() || file.contains("..") || file.starts_with('/') {
            return Err(Failure::Io(format!(
                "{manifest}: `{file}` must be a file inside {dir}"
            )));
        }
        *file = format!("{dir}/{file}");
    }
    api.dir = dir.to_string();
    Ok(api)
}

/// The package name in `dir/Cargo.toml` (`dir` relative to `root`).
pub fn package_name(root: &Path, dir: &str) -> Option<String> {
    let text = fs::read_to_string(root.join(dir).join("Cargo.toml")).ok()?;
    let doc = text.parse::<toml_edit::DocumentMut>().ok()?;
    Some(doc.get("package")?.get("name")?.as_str()?.to_string())
}

/// The workspace root (the parent of this crate's folder).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// Whether to write files or only compare them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Write what differs and delete stale generated files.
    Write,
    /// Change nothing; report what differs.
    Check,
}

/// Whether lint warnings stop generation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Warnings {
    /// Print them and go on.
    #[default]
    Allow,
    /// Treat them as errors (`--deny-warnings`): nothing is written.
    Deny,
}

/// What a generation run found.
#[derive(Debug, Default)]
pub struct Report {
    /// When the derived spec differs from the one the committed client was generated
    /// from, a one-line summary of what changed for users.
    pub summary: Option<String>,
    /// Files whose committed contents differ from the generator's output (or are missing).
    pub changed: Vec<FileChange>,
    /// Files in the generated folder that the generator no longer produces.
    pub stale: Vec<String>,
    /// Warnings from the lint.
    pub warnings: Vec<Diagnostic>,
}

/// One file that differs, with a unified diff from the committed to the generated text.
#[derive(Debug)]
pub struct FileChange {
    /// Path relative to the workspace root.
    pub path: String,
    /// `diff -u`-style text.
    pub diff: String,
}

impl Report {
    /// Whether the committed client matches the spec.
    pub fn is_up_to_date(&self) -> bool {
        self.changed.is_empty() && self.stale.is_empty()
    }

    /// What `--check` prints when the client is stale: each file, its diff, and the fix.
    pub fn stale_message(&self, spec: &str) -> String {
        let mut out = String::new();
        for change in &self.changed {
            let _ = writeln!(
                out,
                "error: {} is out of date relative to {spec}\n{}",
                change.path, change.diff
            );
        }
        for path in &self.stale {
            let _ = writeln!(
                out,
                "error: {path} is no longer generated from {spec} and should be deleted"
            );
        }
        let _ = writeln!(
            out,
            "The committed client does not match {spec}. Run `{}` and commit the result.",
            lomi_codegen::render::COMMAND
        );
        out
    }
}

/// Why a run failed.
#[derive(Debug)]
pub enum Failure {
    /// The spec (or the upstream document or the overlay) has errors; nothing was written.
    Spec(Vec<Diagnostic>),
    /// Reading or writing a file failed.
    Io(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Spec(diags) => {
                let errors = diags.iter().filter(|d| d.is_error()).count();
                let warnings = diags.len() - errors;
                for d in diags {
                    writeln!(f, "{d}\n")?;
                }
                let plural = |n: usize| if n == 1 { "" } else { "s" };
                if errors == 0 {
                    write!(
                        f,
                        "{warnings} warning{} denied by --deny-warnings; nothing was generated",
                        plural(warnings)
                    )
                } else {
                    write!(
                        f,
                        "{errors} error{} in the spec; nothing was generated",
                        plural(errors)
                    )
                }
            }
            Failure::Io(e) => write!(f, "{e}"),
        }
    }
}

fn read(root: &Path, rel: &str) -> Result<String, Failure> {
    fs::read_to_string(root.join(rel)).map_err(|e| Failure::Io(format!("cannot read {rel}: {e}")))
}

/// The spec text `spec/lomi.yaml` must hold: `spec/upstream.yaml` with
/// `spec/overlay.yaml` applied and what no operation reaches pruned.
pub fn derive_spec(root: &Path) -> Result<String, Failure> {
    derive_document(root, &ApiFolder::seed(), None).map(|d| d.text)
}

/// [`derive_spec`], with where each node came from; `published` (the published spec)
/// says where a node an overlay action fixes went when lomi. moved it.
fn derive_document(
    root: &Path,
    api: &ApiFolder,
    published: Option<&serde_json::Value>,
) -> Result<lomi_codegen::derive::Derived, Failure> {
    let upstream = read(root, &api.upstream)?;
    let overlay = read(root, &api.overlay)?;
    lomi_codegen::derive::derive_against(
        &api.upstream,
        &upstream,
        &api.overlay,
        &overlay,
        published,
    )
    .map_err(Failure::Spec)
}

/// The published client a run compares with, to keep its Rust names and to say what
/// changed: the committed spec it was generated from, never the working tree's (which the
/// run itself rewrites, so a second run would compare with the first one's output).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Baseline {
    /// `spec/lomi.yaml` at `HEAD`; nothing is compared outside a git checkout.
    #[default]
    Head,
    /// `spec/lomi.yaml` at a git revision (`--baseline v0.3.0`); an error if git cannot
    /// read it.
    Rev(String),
    /// A spec file, relative to the workspace root or absolute (`--baseline PATH`).
    Path(PathBuf),
}

impl Baseline {
    /// `--baseline`'s value: an existing file is a path, anything else a revision.
    pub fn parse(root: &Path, value: &str) -> Baseline {
        let path = root.join(value);
        if path.is_file() {
            Baseline::Path(path)
        } else {
            Baseline::Rev(value.to_string())
        }
    }

    /// How a report names it, for the seed's spec.
    pub fn label(&self) -> String {
        self.label_for(SPEC_PATH)
    }

    /// How a report names it, for the derived spec `spec`.
    pub fn label_for(&self, spec: &str) -> String {
        match self {
            Baseline::Head => format!("HEAD:{spec}"),
            Baseline::Rev(rev) => format!("{rev}:{spec}"),
            Baseline::Path(path) => path.display().to_string(),
        }
    }

    /// The published seed spec's text; `None` at [`Baseline::Head`] outside a git
    /// checkout or before the spec's first commit.
    pub fn read(&self, root: &Path) -> Result<Option<String>, Failure> {
        self.read_for(root, SPEC_PATH)
    }

    /// The published text of the derived spec `spec`. A [`Baseline::Path`] is one spec
    /// file: it stands for the seed's spec, and every other API is compared with `HEAD`.
    pub fn read_for(&self, root: &Path, spec: &str) -> Result<Option<String>, Failure> {
        if matches!(self, Baseline::Path(_)) && spec != SPEC_PATH {
            return Baseline::Head.read_for(root, spec);
        }
        match self {
            Baseline::Head => Ok(read_spec_side(root, &self.label_for(spec)).ok()),
            Baseline::Rev(_) => read_spec_side(root, &self.label_for(spec))
                .map(Some)
                .map_err(|e| Failure::Io(format!("--baseline: {e}"))),
            Baseline::Path(path) => fs::read_to_string(path).map(Some).map_err(|e| {
                Failure::Io(format!("--baseline: cannot read {}: {e}", path.display()))
            }),
        }
    }
}

/// What a generation run does beyond its [`Mode`].
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Whether warnings stop it.
    pub warnings: Warnings,
    /// What to do with renames of published names.
    pub renames: Renames,
    /// The published client to compare with.
    pub baseline: Baseline,
}

/// The whole maintainer job: derives `spec/lomi.yaml` from `spec/upstream.yaml` and
/// `spec/overlay.yaml`, generates the client from it into
/// `lomi-client/src/generated` and its httpmock helpers into `lomi-httpmock`, and writes
/// them ([`Mode::Write`]) or only compares them
/// with what is committed ([`Mode::Check`]). Nothing is written when any input has an
/// error (or, with [`Warnings::Deny`], a warning).
pub fn generate(root: &Path, mode: Mode, warnings: Warnings) -> Result<Report, Failure> {
    generate_with(
        root,
        mode,
        &Options {
            warnings,
            ..Options::default()
        },
    )
}

/// [`generate`] with [`Options`]: what to do when lomi. renames something whose Rust
/// name is published ([`lomi_codegen::stable`]): keep the name where the wire is the same
/// and stop on the other renames ([`Renames::Keep`]), or let every rename through
/// ([`Renames::Accept`], `--accept-renames`); and which published client that is
/// ([`Baseline`], `--baseline`).
pub fn generate_with(root: &Path, mode: Mode, options: &Options) -> Result<Report, Failure> {
    // Every API is generated before anything is written: an error in one writes nothing.
    let apis = api_folders(root)?;
    let outputs = apis
        .iter()
        .map(|api| generate_api(root, api, options))
        .collect::<Result<Vec<_>, _>>()?;
    let mut report = Report::default();
    let mut summaries = Vec::new();
    for (api, out) in apis.iter().zip(outputs) {
        // Every file of the API where its folder says, in one loop; then the client's
        // folder is kept to exactly its files (stale ones go).
        for (path, contents) in out.files(api) {
            if let Some(change) = ensure_file(root, &path, contents, mode)? {
                report.changed.push(change);
            }
        }
        let mut files = remove_stale(root, &api.generated_dir(), &out.generated.files, mode)?;
        report.stale.append(&mut files.stale);
        report.warnings.extend(out.warnings);
        summaries.extend(out.summary);
    }
    report.summary = (!summaries.is_empty()).then(|| summaries.join("\n"));
    Ok(report)
}

/// What one API folder generates, before anything is written.
struct ApiOutput {
    spec: String,
    generated: lomi_codegen::Generated,
    summary: Option<String>,
    warnings: Vec<Diagnostic>,
    /// The client crate's `Cargo.toml` with its generated features, when it has some.
    manifest: Option<(String, String)>,
}

impl ApiOutput {
    /// Every file `api` gets besides its client's folder, with where it goes: the
    /// derived spec, the httpmock helpers, the command's table, the mock's copy of the
    /// spec and the crate's manifest, each where the API folder has one.
    fn files<'a>(&'a self, api: &'a ApiFolder) -> Vec<(String, &'a str)> {
        let dir = api.generated_dir();
        // Each generated file where the API folder puts its output (the target asked
        // only for the outputs the folder has a place for).
        let generated = self.generated.files.iter().filter_map(move |f| {
            let path = match f.output {
                Output::Client => format!("{dir}/{}", f.path),
                Output::Httpmock => api.httpmock.clone()?,
                Output::Cli => api.cli.clone()?,
            };
            Some((path, f.contents.as_str()))
        });
        std::iter::once((api.spec.clone(), self.spec.as_str()))
            .chain(generated)
            .chain(
                api.mock_spec
                    .as_ref()
                    .map(|path| (path.clone(), self.spec.as_str())),
            )
            .chain(
                self.manifest
                    .as_ref()
                    .map(|(path, contents)| (path.clone(), contents.as_str())),
            )
            .collect()
    }
}

/// Derives `api`'s spec and generates from it, keeping the published names of its
/// client (the baseline's spec of this API).
fn generate_api(root: &Path, api: &ApiFolder, options: &Options) -> Result<ApiOutput, Failure> {
    // Long: one API folder's steps in order (derive, stable names, generate, features, summary).
    let (warnings, renames) = (options.warnings, options.renames);
    let spec_path = api.spec.as_str();
    // The published names: the committed spec the committed client was made from.
    let published_text = options.baseline.read_for(root, spec_path)?;
    let published = published_text.as_deref().and_then(stable::published);
    let mut derived = derive_document(root, api, published.as_ref())?;
    let overlay_warnings = std::mem::take(&mut derived.warnings);
    let mut kept = Vec::new();
    if let Some(published) = &published {
        let mut document = derived.document.clone();
        let found = stable::stabilize(published, &mut document, spec_path, &api.overlay, renames);
        if !found.conflicts.is_empty() {
            // A document with errors is fixed first: a rename means something only in a
            // document that would generate. The names kept meanwhile are said too, so
            // that one run names every published name the change touches.
            let mut conflicts = match lomi_codegen::generate(spec_path, &derived.text) {
                Err(errors) => errors,
                Ok(_) => found.conflicts.into_iter().chain(found.notes).collect(),
            };
            for d in &mut conflicts {
                lomi_codegen::moves::explain_dangling_ref(d, &derived.document, Some(published));
                derived.provenance.relocate(d);
            }
            return Err(Failure::Spec(conflicts));
        }
        if document != derived.document {
            derived.set_document(document).map_err(Failure::Spec)?;
        }
        kept = found.notes;
    }
    let spec = derived.text.clone();
    // A problem is reported where the maintainer works: the upstream line or the overlay
    // action the node came from, not the derived file nobody edits.
    let relocate = |mut diagnostics: Vec<lomi_codegen::Diagnostic>| {
        for d in &mut diagnostics {
            // A `$ref` to a schema lomi. renamed says which one to write.
            lomi_codegen::moves::explain_dangling_ref(d, &derived.document, published.as_ref());
            derived.provenance.relocate(d);
        }
        diagnostics
    };
    let target = lomi_codegen::Target {
        crate_name: api.client_crate.replace('-', "_"),
        tag_features: api.tag_features,
        httpmock: api.httpmock.is_some(),
        cli: api.cli.is_some(),
    };
    let mut generated = lomi_codegen::generate_for(spec_path, &spec, &target)
        .map_err(|d| Failure::Spec(relocate(d)))?;
    let mut all_warnings: Vec<Diagnostic> = overlay_warnings
        .into_iter()
        .chain(relocate(std::mem::take(&mut generated.warnings)))
        .collect();
    if warnings == Warnings::Deny && !all_warnings.is_empty() {
        return Err(Failure::Spec(all_warnings));
    }
    // Notes: what was kept needs no action, even under `--deny-warnings`.
    all_warnings.extend(relocate(kept));
    let summary = api_change_summary(
        root,
        api,
        &options.baseline,
        published_text.as_deref(),
        &spec,
    );
    let manifest = if api.tag_features {
        let path = format!("{}/Cargo.toml", api.client_crate);
        let text = read(root, &path)?;
        Some((path, with_features(&text, &generated.features)))
    } else {
        None
    };
    Ok(ApiOutput {
        spec,
        generated,
        summary,
        warnings: all_warnings,
        manifest,
    })
}

/// `manifest` (a client crate's `Cargo.toml`) with one empty feature per name in
/// `features` and `full` enabling them all; a feature `full` listed before that is no
/// longer generated (its tag is gone) is removed. The crate's other features stay.
pub fn with_features(manifest: &str, features: &[String]) -> String {
    edit_manifest(manifest, |doc| {
        let table = doc
            .entry("features")
            .or_insert_with(toml_edit::table)
            .as_table_like_mut();
        let Some(table) = table else { return };
        let before: Vec<String> = table
            .get("full")
            .and_then(|f| f.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        for gone in before.iter().filter(|f| !features.contains(f)) {
            table.remove(gone);
        }
        for feature in features {
            if table.get(feature).is_none() {
                table.insert(feature, toml_edit::value(toml_edit::Array::new()));
            }
        }
        table.insert(
            "full",
            toml_edit::value(toml_edit::Array::from_iter(
                features.iter().map(String::as_str),
            )),
        );
    })
}

/// Makes the file `rel` (relative to `root`) hold `contents` in [`Mode::Write`]; in both
/// modes, returns how it differed, if it did (rust-analyzer's `ensure_file_contents`).
pub fn ensure_file(
    root: &Path,
    rel: &str,
    contents: &str,
    mode: Mode,
) -> Result<Option<FileChange>, Failure> {
    let path = root.join(rel);
    let io = |what: &str, path: &Path, e: std::io::Error| {
        Failure::Io(format!("cannot {what} {}: {e}", path.display()))
    };
    let current = match fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io("read", &path, e)),
    };
    if current.as_deref() == Some(contents) {
        return Ok(None);
    }
    let old = current.unwrap_or_default();
    let diff = similar::TextDiff::from_lines(&old, contents)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{rel}"), &format!("b/{rel}"))
        .to_string();
    if mode == Mode::Write {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| io("create", parent, e))?;
        }
        fs::write(&path, contents).map_err(|e| io("write", &path, e))?;
    }
    Ok(Some(FileChange {
        path: rel.to_string(),
        diff,
    }))
}

/// Keeps the folder `root/dir` to exactly `files` (which [`ensure_file`] wrote): in
/// [`Mode::Write`] deletes the files it does not list; in [`Mode::Check`] only reports
/// them.
pub fn remove_stale(
    root: &Path,
    dir: &str,
    files: &[GeneratedFile],
    mode: Mode,
) -> Result<Report, Failure> {
    let io = |what: &str, path: &Path, e: std::io::Error| {
        Failure::Io(format!("cannot {what} {}: {e}", path.display()))
    };
    let mut report = Report::default();
    let label = dir;
    let dir = root.join(dir);
    let dir = dir.as_path();

    let mut existing = Vec::new();
    list_files(dir, "", &mut existing).map_err(|e| io("list", dir, e))?;
    existing.sort();
    for rel in existing {
        if files
            .iter()
            .any(|f| f.output == Output::Client && f.path == rel)
        {
            continue;
        }
        let path = dir.join(&rel);
        report.stale.push(format!("{label}/{rel}"));
        if mode == Mode::Write {
            fs::remove_file(&path).map_err(|e| io("delete", &path, e))?;
        }
    }
    Ok(report)
}

fn list_files(dir: &Path, prefix: &str, out: &mut Vec<String>) -> std::io::Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if entry.file_type()?.is_dir() {
            list_files(&entry.path(), &rel, out)?;
        } else {
            out.push(rel);
        }
    }
    Ok(())
}

/// One side of a spec comparison: a file path, or `REV:path` read from git.
pub fn read_spec_side(root: &Path, side: &str) -> Result<String, String> {
    let as_file = root.join(side);
    if as_file.is_file() {
        return fs::read_to_string(&as_file).map_err(|e| format!("cannot read {side}: {e}"));
    }
    if let Some((rev, path)) = side.split_once(':') {
        let output = std::process::Command::new("git")
            .args(["show", &format!("{rev}:{path}")])
            .current_dir(root)
            .output()
            .map_err(|e| format!("cannot run git to read {side}: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "git cannot read {side}: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        return String::from_utf8(output.stdout).map_err(|_| format!("{side} is not UTF-8 text"));
    }
    Err(format!(
        "no file {side} (and it is not of the form REV:path)"
    ))
}

/// The version in `lomi-client/Cargo.toml`.
pub fn client_version(root: &Path) -> String {
    crate_version(root, "lomi-client")
}

/// The version in `dir/Cargo.toml` (`0.0.0` when it cannot be read).
pub fn crate_version(root: &Path, dir: &str) -> String {
    fs::read_to_string(root.join(dir).join("Cargo.toml"))
        .ok()
        .and_then(|text| text.parse::<toml_edit::DocumentMut>().ok())
        .and_then(|doc| Some(doc.get("package")?.get("version")?.as_str()?.to_string()))
        .unwrap_or_else(|| "0.0.0".into())
}

/// Compares two spec texts; `Err` carries the diagnostics of one that does not load.
pub fn diff_specs(
    old_name: &str,
    old: &str,
    new_name: &str,
    new: &str,
) -> Result<lomi_codegen::diff::Report, String> {
    let load = |name: &str, text: &str| {
        lomi_codegen::load::load(name, text)
            .map_err(|diags| diags.iter().map(|d| format!("{d}\n")).collect::<String>())
    };
    let (old, new) = (load(old_name, old)?, load(new_name, new)?);
    // Compared as the generator sees them (an undeclared `{param}` declared, error bodies
    // untyped…): what changes for client users, not every edit of the text.
    let (old, new) = (
        lomi_codegen::normalize::normalize(old.spec),
        lomi_codegen::normalize::normalize(new.spec),
    );
    Ok(lomi_codegen::diff::diff(&old, &new))
}

/// When the spec differs from the published one (`published`, read from `baseline`), a
/// one-line summary of what changed for users; without a published spec, a line saying
/// that nothing was compared.
pub fn spec_change_summary(
    root: &Path,
    baseline: &Baseline,
    published: Option<&str>,
    new_spec: &str,
) -> Option<String> {
    api_change_summary(root, &ApiFolder::seed(), baseline, published, new_spec)
}

/// [`spec_change_summary`] for the API folder `api`.
fn api_change_summary(
    root: &Path,
    api: &ApiFolder,
    baseline: &Baseline,
    published: Option<&str>,
    new_spec: &str,
) -> Option<String> {
    let spec_path = api.spec.as_str();
    let label = baseline.label_for(spec_path);
    let Some(old) = published else {
        return Some(format!(
            "no published spec at {label} (not a git checkout, or never committed): renames \
             and changes were not checked against it; pass --baseline PATH to compare"
        ));
    };
    let fingerprint = |text: &str| {
        lomi_codegen::load::load(spec_path, text)
            .ok()
            .map(|l| l.sha256)
    };
    let published_sha = fingerprint(old);
    if published_sha.is_some() && published_sha == fingerprint(new_spec) {
        return None;
    }
    let version = crate_version(root, &api.client_crate);
    match diff_specs(&label, old, spec_path, new_spec).map(|mut report| {
        report.client = api.client_crate.clone();
        report
    }) {
        Ok(report) => Some(format!(
            "spec changes since the published client ({label}): {} (details: cargo xtask \
             diff-spec {label} {spec_path})",
            report.summary(&version)
        )),
        Err(_) => Some(format!(
            "the published spec ({label}) does not load, so nothing was compared with it"
        )),
    }
}

/// `lomi-client/Cargo.toml` for a copy of the crate outside this workspace (its
/// examples and tests left behind): without the dev-dependencies those need on this
/// workspace's other crates (given by `path` alone, as `cargo package` drops them),
/// which the copy's workspace does not have.
pub fn standalone_client_manifest(text: &str) -> String {
    edit_manifest(text, |doc| {
        if let Some(dev) = doc
            .get_mut("dev-dependencies")
            .and_then(|d| d.as_table_like_mut())
        {
            let siblings: Vec<String> = dev
                .iter()
                .filter(|(_, spec)| {
                    spec.as_table_like()
                        .is_some_and(|t| t.contains_key("path") && !t.contains_key("version"))
                })
                .map(|(name, _)| name.to_string())
                .collect();
            for name in siblings {
                dev.remove(&name);
            }
        }
    })
}

/// `text`, a Cargo manifest, changed by `edit` as TOML (comments and order kept); as it
/// is when it is not TOML, for cargo to report.
pub fn edit_manifest(text: &str, edit: impl FnOnce(&mut toml_edit::DocumentMut)) -> String {
    match text.parse::<toml_edit::DocumentMut>() {
        Ok(mut doc) => {
            edit(&mut doc);
            doc.to_string()
        }
        Err(_) => text.to_string(),
    }
}

/// Copies the folder `from` to `to`, recursively, leaving out the entries named in
/// `skip` (at any depth), for the scratch copies the benchmarks and tests build.
pub fn copy_dir(from: &Path, to: &Path, skip: &[&str]) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        if skip.iter().any(|s| entry.file_name() == *s) {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target, skip)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// The manifest of a scratch workspace whose `members` (paths relative to it) include
/// copies of `lomi-client`: ours, with those members and without the path dependencies
/// that do not exist there, so that the copies inherit the same dependency versions.
pub fn scratch_manifest(root: &Path, members: &[String]) -> String {
    let ours = fs::read_to_string(root.join("Cargo.toml")).unwrap_or_default();
    edit_manifest(&ours, |doc| {
        let Some(workspace) = doc.get_mut("workspace").and_then(|w| w.as_table_mut()) else {
            return;
        };
        workspace.insert(
            "members",
            toml_edit::value(toml_edit::Array::from_iter(
                members.iter().map(String::as_str),
            )),
        );
        workspace.remove("default-members");
        if let Some(deps) = workspace
            .get_mut("dependencies")
            .and_then(|d| d.as_table_like_mut())
        {
            // The scratch workspace has its own copies of these.
            deps.remove("lomi-codegen");
            deps.remove("lomi-client");
            // The rest (the runtime under every client, the mock…) stay ours, wherever
            // the scratch workspace is.
            for (_, dep) in deps.iter_mut() {
                if let Some(path) = dep.get_mut("path")
                    && let Some(relative) = path.as_str()
                {
                    *path = toml_edit::value(root.join(relative).display().to_string());
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    /// lomi-client's own manifest, made standalone: every dev-dependency on a sibling
    /// crate of this workspace goes (whatever the README's examples add next), the others
    /// stay.
    #[test]
    fn a_standalone_client_keeps_no_dev_dependency_on_a_sibling_crate() {
        let manifest = include_str!("../../lomi-client/Cargo.toml");
        let standalone: toml_edit::DocumentMut =
            super::standalone_client_manifest(manifest).parse().unwrap();
        let dev = standalone["dev-dependencies"].as_table_like().unwrap();
        for (name, spec) in dev.iter() {
            assert!(
                !spec.as_table_like().is_some_and(|t| t.contains_key("path")),
                "{name} is still a path dependency"
            );
        }
        assert!(dev.contains_key("tokio"), "{standalone}");
        assert!(!dev.contains_key("lomi-httpmock") && !dev.contains_key("lomi-mock"));
    }
}
