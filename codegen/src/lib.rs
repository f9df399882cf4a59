//! The lomi-rs code generator: OpenAPI text in, the client crates' source files out.
//!
//! The pipeline is a chain of stages, one folder each, each importing only from the
//! stages before it (`tests/layout.rs` checks it):
//!
//! 1. [`spec`]: [`load`] parses and types the document, [`model`] lowers it once,
//!    [`refs`] follows `$ref`s, [`naming`](spec::naming) is the one rule for Rust names,
//!    [`normalize`] reshapes what the generator takes badly;
//! 2. [`lint`]: what the generator cannot take (or would take wrongly), with places;
//! 3. [`plan`]: the one description of what is emitted (operations, enums, aliases,
//!    features);
//! 4. [`emit`]: typify's type space ([`typing`]) and the emitters that read the plan and
//!    its facts: the client ([`render`]), the httpmock helpers, the command's table;
//! 5. [`change`]: the maintainer's side: [`derive`](mod@derive) (lomi.'s document + our
//!    overlay → the spec), the wire [`diff`] and the Rust API report.
//!
//! [`diagnostic`] (codes, severities, places) sits below them all. Nothing here touches
//! the disk: the `xtask` writes what [`derive::derive`] and [`generate`] return.

pub mod change;
pub mod diagnostic;
pub mod emit;
pub mod lint;
pub mod plan;
pub mod spec;

// The stages' modules under the names the crate's users have always used.
pub use change::{bump, derive, diff, moves, pairing, rust_api, stable};
pub use emit::{
    aliases, cli, contract, events, gate, httpmock, models, operations, render, typing,
};
pub use plan::features;
pub use spec::{load, model, normalize, refs, source_map};

pub use diagnostic::{Code, Diagnostic, Severity};

/// What a generated file is, which says where the `xtask` writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// A file of the client's generated module (`<crate>/src/generated/`).
    Client,
    /// The typed httpmock helpers ([`render::render_httpmock`]): the source of the
    /// `lomi-httpmock` crate.
    Httpmock,
    /// The `lomi` command's table of operations ([`cli`]): `lomi-cli/src/generated.rs`.
    Cli,
}

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// What it is.
    pub output: Output,
    /// For a [`Output::Client`] file, its path relative to the client's generated module
    /// (`mod.rs`), with `/` separators; for the others, empty (their place is the API
    /// folder's to say).
    pub path: String,
    /// Full contents, starting with the marker line.
    pub contents: String,
}

/// A successful generation.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Every file of every output the [`Target`] asks for: the client's first, sorted
    /// by path, then the httpmock helpers and the command's table.
    pub files: Vec<GeneratedFile>,
    /// Problems worth a look that did not stop generation.
    pub warnings: Vec<Diagnostic>,
    /// SHA-256 of the spec text.
    pub spec_sha256: String,
    /// The cargo features the code is gated on, one per tag, sorted; empty unless the
    /// [`Target`] asks for them.
    pub features: Vec<String>,
}

impl Generated {
    /// The contents of the one file of `output` (the httpmock helpers, the command's
    /// table, or the client's `mod.rs`), if the target asked for it.
    pub fn contents(&self, output: Output) -> Option<&str> {
        self.files
            .iter()
            .find(|f| f.output == output)
            .map(|f| f.contents.as_str())
    }
}

/// Runs the whole pipeline on `text`, the contents of the spec named `spec_file`.
///
/// Returns the files to write, or every error found (with warnings alongside).
/// Never panics, whatever the input.
pub fn generate(spec_file: &str, text: &str) -> Result<Generated, Vec<Diagnostic>> {
    generate_for(spec_file, text, &Target::default())
}

/// The crate a client is generated for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Its Rust name (`lomi_sdk`), which the generated docs' examples name.
    pub crate_name: String,
    /// Whether each tag's operations (and the types they reach) are behind a cargo
    /// feature of their own ([`features`]).
    pub tag_features: bool,
    /// Whether to generate the typed httpmock helpers ([`Output::Httpmock`]).
    pub httpmock: bool,
    /// Whether to generate the `lomi` command's table ([`Output::Cli`]).
    pub cli: bool,
}

impl Default for Target {
    fn default() -> Self {
        Target {
            crate_name: plan::DEFAULT_CRATE.into(),
            tag_features: false,
            httpmock: true,
            cli: true,
        }
    }
}

/// [`generate`] for the crate `target`.
pub fn generate_for(
    spec_file: &str,
    text: &str,
    target: &Target,
) -> Result<Generated, Vec<Diagnostic>> {
    // Long: the pipeline's stages in order, each a few lines with its own error.
    let loaded = load::load(spec_file, text)?;
    // Each document lowered once: the one as written for the lint (its places are the
    // file's), the normalized one for the plan and every emitter.
    let written = model::Model::lower(&loaded.spec);
    let diagnostics = lint::lint(&loaded, &written);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics);
    }
    let spec = normalize::normalize(loaded.spec.clone());
    let refused = |e: render::RenderError| {
        let mut all = diagnostics.clone();
        all.push(loaded.report(
            Code::GeneratorRefused,
            String::new(),
            e.0,
            "the lint did not catch this construct; simplify the part of the spec the \
             message names, and report it so the lint learns it",
        ));
        all
    };
    // One plan, which every emitter reads.
    let model = model::Model::lower(&spec);
    let mut plan = plan::plan_model(&model);
    plan.crate_name = target.crate_name.clone();
    let features = if target.tag_features {
        features::assign(&mut plan).map_err(|refused| {
            let mut all = diagnostics.clone();
            let at = spec
                .tags
                .iter()
                .position(|t| t.name == refused.tag)
                .map_or_else(String::new, |i| format!("/tags/{i}"));
            all.push(loaded.report(
                Code::FeatureNameTaken,
                at,
                format!(
                    "the tag `{}` cannot have the feature `{}`: {}",
                    refused.tag, refused.feature, refused.why
                ),
                format!(
                    "name its feature with `{}: <name>` on its entry in the spec's `tags`",
                    features::FEATURE_EXTENSION
                ),
            ));
            all
        })?
    } else {
        Vec::new()
    };
    let marker = render::marker(spec_file, &loaded.sha256);
    let file = |output, path: &str, code: String| GeneratedFile {
        output,
        path: path.into(),
        contents: format!("{marker}{code}"),
    };
    let mut files = vec![file(
        Output::Client,
        "mod.rs",
        render::render(&model, &plan).map_err(refused)?,
    )];
    if target.httpmock {
        let helpers = render::render_httpmock(&model, &plan).map_err(refused)?;
        files.push(file(Output::Httpmock, "", helpers));
    }
    if target.cli {
        files.push(file(
            Output::Cli,
            "",
            render::render_cli(&plan).map_err(refused)?,
        ));
    }
    Ok(Generated {
        files,
        warnings: diagnostics,
        spec_sha256: loaded.sha256,
        features,
    })
}
