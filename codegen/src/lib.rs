//! The lomi-rs code generator: OpenAPI text in, `lomi-client` source files out.
//!
//! The pipeline is a chain of pure stages, each tested on its own:
//! [`derive`](mod@derive) (lomi.'s document + our overlay → the spec, pruned) →
//! [`load`] (parse and type the document) → [`lint`] (reject what progenitor cannot
//! take, with locations) → [`normalize`] (reshape what it takes badly) → [`render`]
//! (typify's [`models`] through progenitor, the [`operations`] emitted from the [`plan`],
//! the [`contract`] items, then prettyplease and the marker line). The spec is lowered once into a [`model`] that the lint, the [`plan`]
//! and the [`diff`] read. Nothing here touches the disk: the `xtask` writes what
//! [`derive::derive`] and [`generate`] return.

pub mod aliases;
pub mod bump;
pub mod cli;
pub mod contract;
pub mod derive;
pub mod diagnostic;
pub mod diff;
pub mod events;
pub mod features;
pub mod httpmock;
pub mod lint;
pub mod load;
pub mod model;
pub mod models;
pub mod moves;
pub mod normalize;
pub mod operations;
pub mod pairing;
pub mod plan;
pub mod refs;
pub mod render;
pub mod rust_api;
pub mod source_map;
pub mod stable;
pub mod typing;

pub use diagnostic::{Code, Diagnostic, Severity};

/// One generated file, by its path relative to the generated-code folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to `lomi-client/src/generated/`, with `/` separators.
    pub path: String,
    /// Full contents, starting with the marker line.
    pub contents: String,
}

/// A successful generation.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The files, sorted by path.
    pub files: Vec<GeneratedFile>,
    /// Problems worth a look that did not stop generation.
    pub warnings: Vec<Diagnostic>,
    /// SHA-256 of the spec text.
    pub spec_sha256: String,
    /// The typed httpmock helpers for the same spec ([`render::render_httpmock`]), marker
    /// line first: the source of the `lomi-httpmock` crate.
    pub httpmock: String,
    /// The `lomi` command's table of operations ([`cli`]), marker line first:
    /// `lomi-cli/src/generated.rs`.
    pub cli: String,
    /// The cargo features the code is gated on, one per tag, sorted; empty unless the
    /// [`Target`] asks for them.
    pub features: Vec<String>,
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
}

impl Default for Target {
    fn default() -> Self {
        Target {
            crate_name: plan::DEFAULT_CRATE.into(),
            tag_features: false,
        }
    }
}

/// [`generate`] for the crate `target`.
pub fn generate_for(
    spec_file: &str,
    text: &str,
    target: &Target,
) -> Result<Generated, Vec<Diagnostic>> {
    let loaded = load::load(spec_file, text)?;
    let diagnostics = lint::lint(&loaded);
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
    let mut plan = plan::plan(&spec);
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
    let code = render::render(&spec, &plan).map_err(refused)?;
    let mock = render::render_httpmock(&spec, &plan).map_err(refused)?;
    let cli = render::render_cli(&plan).map_err(refused)?;
    let marker = render::marker(spec_file, &loaded.sha256);
    let contents = format!("{marker}{code}");
    Ok(Generated {
        files: vec![GeneratedFile {
            path: "mod.rs".into(),
            contents,
        }],
        warnings: diagnostics,
        spec_sha256: loaded.sha256,
        httpmock: format!("{marker}{mock}"),
        cli: format!("{marker}{cli}"),
        features,
    })
}
