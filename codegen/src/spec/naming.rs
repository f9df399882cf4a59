//! The one rule for Rust names, which every stage asks: the pin (`x-lomi-rust-name`),
//! else the name the generator gives a spec name (progenitor's and typify's rule), so
//! that normalize, the lint, the plan, the diff and the Rust API report never disagree.

use heck::{ToPascalCase, ToSnakeCase};
use openapiv3::Schema;

/// The `x-lomi-rust-name` among `extensions`, if it is a string.
pub fn rust_name(extensions: &indexmap::IndexMap<String, serde_json::Value>) -> Option<&str> {
    extensions.get(RUST_NAME_EXTENSION)?.as_str()
}

/// The one naming rule: the pin (`x-lomi-rust-name`), else the name the generator gives
/// `name` in `case`. Every face (the plan, the rename checks, the diff, the Rust API
/// report) names an operation, a parameter, a property or a type through it.
pub fn pinned_or(pin: Option<&str>, name: &str, case: Case) -> String {
    match (pin, case) {
        (Some(pin), _) => pin.to_string(),
        (None, Case::Snake) => sanitize_snake(name),
        (None, Case::Pascal) => sanitize_pascal(name),
    }
}

/// How a Rust name is spelled: a method, setter or field, or a type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    /// `list_checkout_sessions`.
    Snake,
    /// `CheckoutSession`.
    Pascal,
}

/// The Rust type of the schema `name` (its `x-lomi-rust-name`, else typify's name).
pub fn type_name_of(name: &str, schema: &Schema) -> String {
    pinned_or(
        rust_name(&schema.schema_data.extensions),
        name,
        Case::Pascal,
    )
}

/// The vendor extension that fixes a Rust name whatever the spec calls the thing: on an
/// operation (its method, snake case), a parameter (its setter, snake case), a schema
/// (its type, Pascal case) or a property (its field, snake case). An overlay action sets
/// it to keep a published name when lomi. renames something; `generate` sets it on a
/// path parameter renamed upstream.
pub const RUST_NAME_EXTENSION: &str = "x-lomi-rust-name";

/// The Rust name of a method, parameter or field spelled `input` in the spec: snake
/// case, a leading `_` where it would start with a digit, a trailing `_` for a keyword.
/// It is progenitor's rule (which names the model types' fields), so that every name
/// the client has had stays the same.
pub fn sanitize_snake(input: &str) -> String {
    sanitize(input, |s| s.to_snake_case(), "x")
}

/// The Rust name of a type spelled `input` in the spec (`createThing` → `CreateThing`),
/// by the same rule as [`sanitize_snake`].
pub fn sanitize_pascal(input: &str) -> String {
    sanitize(input, |s| s.to_pascal_case(), "X")
}

fn sanitize(input: &str, case: impl Fn(&str) -> String, empty: &str) -> String {
    let out = case(
        &input
            .replace('\'', "")
            .replace(|c: char| !(c.is_alphanumeric() || c == '_'), "-"),
    );
    let out = match out.chars().next() {
        None => empty.to_string(),
        Some(c) if c.is_alphabetic() || c == '_' => out,
        Some(_) => format!("_{out}"),
    };
    if syn::parse_str::<syn::Ident>(&out).is_ok() {
        out
    } else {
        format!("{out}_")
    }
}

/// The vendor extension naming the other wire names of a property, in priority order
/// after its own: `x-lomi-aliases: [url]` on `checkout_url` decodes `url` too.
pub const ALIASES_EXTENSION: &str = "x-lomi-aliases";
