//! Stage 4: a checked OpenAPI document in, formatted Rust source out.

use std::panic::{AssertUnwindSafe, catch_unwind};

use openapiv3::{OpenAPI, ReferenceOr, SecurityScheme};
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};

use crate::{augment, plan};
use quote::{format_ident, quote};

/// The command that regenerates the client; named in every generated file's marker.
pub const COMMAND: &str = "cargo xtask generate";

/// Stack for the generator thread: typify recurses once per level of schema nesting.
const RENDER_STACK: usize = 256 * 1024 * 1024;

/// What went wrong inside progenitor or the formatter, for a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError(pub String);

/// Runs progenitor on `spec` in the Builder style and formats the result.
///
/// progenitor panics (`assert!`, `todo!`, `unwrap`) on some inputs the lint does not
/// know about yet; such a panic is caught and returned as an error, never propagated.
/// It runs on a thread of its own with a big stack, as typify recurses once per level
/// of schema nesting.
pub fn render(spec: &OpenAPI) -> Result<String, RenderError> {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("progenitor".into())
            .stack_size(RENDER_STACK)
            .spawn_scoped(scope, || {
                catch_unwind(AssertUnwindSafe(|| render_here(spec)))
            })
            .map_err(|e| RenderError(format!("cannot start the generator thread: {e}")))?;
        match handle.join() {
            Ok(Ok(result)) => result,
            Ok(Err(payload)) | Err(payload) => {
                let why = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "(no message)".into());
                Err(RenderError(format!("progenitor panicked: {why}")))
            }
        }
    })
}

fn render_here(spec: &OpenAPI) -> Result<String, RenderError> {
    Ok(format(&syntax(spec)?))
}

/// The generation stage on the current thread, without the panic guard: progenitor's
/// tokens for `spec` with this crate's additions, as a syntax tree. Public for the
/// codegen benchmark; use [`render`] otherwise.
pub fn syntax(spec: &OpenAPI) -> Result<syn::File, RenderError> {
    let plan = plan::plan(spec);
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_derive("PartialEq")
        // Retries, idempotency, timeouts and tracing live in `crate::runtime`, reached
        // through progenitor's hooks with this per-client state.
        .with_inner_type(quote!(crate::runtime::Runtime))
        .with_hooks(HooksMode::Expected);
    for e in &plan.enums {
        settings.with_replacement(
            &e.type_name,
            augment::enum_path(e),
            [TypeImpl::FromStr, TypeImpl::Display].into_iter(),
        );
    }
    let tokens = Generator::new(&settings)
        .generate_tokens(spec)
        .map_err(|e| RenderError(format!("progenitor refused the spec: {e}")))?;
    let constants = constants(spec);
    let mut file: syn::File = syn::parse2(quote! { #tokens #constants })
        .map_err(|e| RenderError(format!("progenitor produced unparsable Rust: {e}")))?;
    augment::augment(&mut file, &plan).map_err(RenderError)?;
    Ok(file)
}

/// The format stage: the syntax tree as source text.
pub fn format(file: &syn::File) -> String {
    prettyplease::unparse(file)
}

/// What the spec says that progenitor ignores but the hand-written client needs: the
/// servers (as `servers::NAME` constants named after their descriptions) and the header
/// of the `apiKey` security scheme.
fn constants(spec: &OpenAPI) -> proc_macro2::TokenStream {
    let names = server_names(spec);
    let servers = spec.servers.iter().zip(&names).map(|(server, name)| {
        let ident = format_ident!("{name}");
        let url = server.url.trim_end_matches('/');
        let doc = server
            .description
            .clone()
            .unwrap_or_else(|| url.to_string());
        quote! {
            #[doc = #doc]
            pub const #ident: &str = #url;
        }
    });
    let default = names.first().map(|name| {
        let ident = format_ident!("{name}");
        quote! {
            /// The server used when none is chosen: the first one the spec lists.
            pub const DEFAULT: &str = #ident;
        }
    });
    let api_key = api_key_scheme(spec).map(|(scheme, header)| {
        let doc = format!("The header that carries the API key (security scheme `{scheme}`).");
        quote! {
            #[doc = #doc]
            pub const API_KEY_HEADER: &str = #header;
        }
    });
    quote! {
        /// The servers the spec declares.
        pub mod servers {
            #(#servers)*
            #default
        }
        #api_key
    }
}

/// `SCREAMING_SNAKE_CASE` constant names for the spec's servers, from their descriptions
/// (`Production` → `PRODUCTION`), or `SERVER_<n>` where a description gives no unique name.
pub fn server_names(spec: &OpenAPI) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (i, server) in spec.servers.iter().enumerate() {
        let words: Vec<String> = server
            .description
            .as_deref()
            .unwrap_or("")
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_uppercase)
            .collect();
        let name = words.join("_");
        let usable = !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name != "DEFAULT"
            && !names.contains(&name);
        names.push(if usable { name } else { format!("SERVER_{i}") });
    }
    names
}

/// The first `apiKey` security scheme sent in a header: its name and the header.
pub fn api_key_scheme(spec: &OpenAPI) -> Option<(String, String)> {
    let components = spec.components.as_ref()?;
    components
        .security_schemes
        .iter()
        .find_map(|(scheme, s)| match s {
            ReferenceOr::Item(SecurityScheme::APIKey {
                location: openapiv3::APIKeyLocation::Header,
                name,
                ..
            }) => Some((scheme.clone(), name.clone())),
            _ => None,
        })
}

/// The first line of every generated file: who made it, from what, and not to edit it.
pub fn marker(spec_file: &str, sha256: &str) -> String {
    format!(
        "// @generated by `{COMMAND}` from {spec_file} (sha256 {sha256}). \
         Do not edit by hand: change the spec and regenerate.\n"
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
    fn the_marker_round_trips_the_fingerprint() {
        let sha = "ab".repeat(32);
        let line = marker("spec/lomi.yaml", &sha);
        assert!(line.starts_with("// @generated by `cargo xtask generate` from spec/lomi.yaml"));
        assert_eq!(line.lines().count(), 1);
        assert_eq!(marker_sha256(&line), Some(sha.as_str()));
        assert_eq!(marker_sha256("// hand-written\n"), None);
    }
}
