//! Stage 4: a checked OpenAPI document in, formatted Rust source out: typify's types
//! ([`typing`]) and the emitters that read the plan and the type space.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::spec::model::Model;

use typify::{TypeSpaceImpl as TypeImpl, TypeSpacePatch as TypePatch, TypeSpaceSettings};

use crate::emit::{models, operations, typing};
use crate::plan;
use quote::quote;

/// The command that regenerates the client; named in every generated file's marker.
pub const COMMAND: &str = "cargo xtask generate";

/// Stack for the generator thread: typify recurses once per level of schema nesting.
const RENDER_STACK: usize = 256 * 1024 * 1024;

/// What went wrong inside typify or the emitters, for a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError(pub String);

/// The client for `spec`, formatted ([`syntax`]).
///
/// typify may panic (`assert!`, `unwrap`) on inputs the lint does not know about yet;
/// such a panic is caught and returned as an error, never propagated. It runs on a
/// thread of its own with a big stack, as typify recurses once per level of schema
/// nesting.
pub fn render(model: &Model<'_>, plan: &plan::Plan) -> Result<String, RenderError> {
    guarded(|| Ok(format(&syntax(model, plan)?)))
}

/// Runs `job` on a thread with a big stack, turning a panic into an error.
fn guarded(
    job: impl FnOnce() -> Result<String, RenderError> + Send,
) -> Result<String, RenderError> {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("generator".into())
            .stack_size(RENDER_STACK)
            .spawn_scoped(scope, || catch_unwind(AssertUnwindSafe(job)))
            .map_err(|e| RenderError(format!("cannot start the generator thread: {e}")))?;
        match handle.join() {
            Ok(Ok(result)) => result,
            Ok(Err(payload)) | Err(payload) => {
                let why = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "(no message)".into());
                Err(RenderError(format!("the generator panicked: {why}")))
            }
        }
    })
}

/// typify's settings for `plan`'s client: progenitor's Builder style (a module named
/// `types`, struct builders, `PartialEq` derived), our open enums in place of typify's
/// closed ones (`types` is the path of the models module where the code is compiled),
/// and the types `x-lomi-rust-name` renames.
fn type_settings(plan: &plan::Plan, types: &str) -> TypeSpaceSettings {
    let mut settings = TypeSpaceSettings::default();
    settings
        .with_type_mod("types")
        .with_struct_builder(true)
        .with_derive("PartialEq".into());
    for e in &plan.enums {
        settings.with_replacement(
            plan::sanitize_pascal(&e.schema),
            format!("{types}::{}", e.type_name),
            [TypeImpl::FromStr, TypeImpl::Display].into_iter(),
        );
    }
    for (typify_name, rust) in &plan.type_renames {
        let mut patch = TypePatch::default();
        patch.with_rename(rust);
        settings.with_patch(typify_name, &patch);
    }
    settings
}

/// The generation stage on the current thread, without the panic guard, as a syntax
/// tree: typify's models ([`typing`], which also says which type each parameter, body
/// and response has) with [`models`]' additions, then the operations [`operations`]
/// emits from the plan, the contract constants and the events. Public for the codegen
/// benchmark; use [`render`] otherwise.
pub fn syntax(model: &Model<'_>, plan: &plan::Plan) -> Result<syn::File, RenderError> {
    let types_path = format!("{}::types", models::GENERATED_PATH);
    let typed =
        typing::type_spec(model, plan, &type_settings(plan, &types_path)).map_err(RenderError)?;
    let mut types = typed.types;
    models::apply(&mut types, plan, &typed.facts).map_err(RenderError)?;
    let operations =
        operations::items(plan, &typed.facts.requests, &typed.facts.models).map_err(RenderError)?;
    let constants = crate::emit::contract::items(plan);
    let events = crate::emit::events::items(plan);
    let mut file: syn::File = syn::parse2(quote! {
        /// progenitor-client's byte stream: the body of a response that is not JSON.
        pub use progenitor_client::ByteStream;
        #types
        #operations
        #constants
        #events
    })
    .map_err(|e| RenderError(format!("the generator produced unparsable Rust: {e}")))?;
    crate::emit::gate::gate(&mut file, plan);
    Ok(file)
}

/// The crate the httpmock helpers are written against.
pub const CLIENT_CRATE: &str = "lomi_client";

/// The typed [httpmock](https://docs.rs/httpmock) helpers for `spec` ([`crate::emit::httpmock`]:
/// an extension trait on `httpmock::MockServer` with a method per operation, and typed
/// `When`/`Then` wrappers), written against the `lomi_client` crate, formatted. Runs
/// under the same panic guard as [`render`].
pub fn render_httpmock(model: &Model<'_>, plan: &plan::Plan) -> Result<String, RenderError> {
    guarded(|| {
        let settings = type_settings(plan, &format!("{CLIENT_CRATE}::types"));
        let typed = typing::type_spec(model, plan, &settings).map_err(RenderError)?;
        let tokens =
            crate::emit::httpmock::items(plan, &typed.facts, CLIENT_CRATE).map_err(RenderError)?;
        let file: syn::File = syn::parse2(tokens)
            .map_err(|e| RenderError(format!("the generator produced unparsable Rust: {e}")))?;
        Ok(format(&file))
    })
}

/// The `lomi` command's table of operations for `spec` ([`crate::emit::cli`]), formatted.
pub fn render_cli(plan: &plan::Plan) -> Result<String, RenderError> {
    let file: syn::File = syn::parse2(crate::emit::cli::items(plan))
        .map_err(|e| RenderError(format!("the generator produced unparsable Rust: {e}")))?;
    Ok(format(&file))
}

/// The format stage: the syntax tree as source text.
pub fn format(file: &syn::File) -> String {
    prettyplease::unparse(file)
}

/// The first line of every generated file: who made it, from what, and not to edit it.
pub fn marker(spec_file: &str, sha256: &str) -> String {
    format!(
        "// @generated by `{COMMAND}` from {spec_file} (sha256 {sha256}). \
         Do not edit by hand: change the spec and regenerate. What the hand-written code \
         may use of it: {}.\n",
        crate::emit::contract::DOC_PATH
    )
}

/// Reads the spec fingerprint back from a generated file's marker line.
pub fn marker_sha256(contents: &str) -> Option<&str> {
    let first = contents.lines().next()?;
    let start = first.find("(sha256 ")? + "(sha256 ".len();
    let hex = first.get(start..start + 64)?;
    hex.bytes().all(|b| b.is_ascii_hexdigit()).then_some(hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_in_the_generator_becomes_an_error() {
        let err = guarded(|| panic!("typify met a schema it cannot take")).unwrap_err();
        assert_eq!(
            err.0,
            "the generator panicked: typify met a schema it cannot take"
        );
    }

    #[test]
    fn the_marker_round_trips_the_fingerprint() {
        let sha = "ab".repeat(32);
        let line = marker("spec/lomi.yaml", &sha);
        assert!(line.starts_with("// @generated by `cargo xtask generate` from spec/lomi.yaml"));
        assert_eq!(line.lines().count(), 1);
        assert_eq!(marker_sha256(&line), Some(sha.as_str()));
        assert_eq!(marker_sha256("// hand-written\n"), None);
    }
}
