//! One cargo feature per tag, as async-stripe has one per resource: a shop compiles the
//! operations it calls and the types they reach, nothing else.
//!
//! Each operation belongs to its first tag's feature ([`assign`]): the tag's name in
//! kebab case (`Checkout Sessions` → `checkout-sessions`), or the `x-lomi-feature` the
//! spec's `tags` entry sets (`Webhooks` → `webhook-endpoints`, beside the crate's own
//! `webhooks`). [`crate::emit::gate`] then puts the `cfg`s on the generated items.

use std::collections::BTreeMap;

use heck::ToKebabCase;
use openapiv3::OpenAPI;

use crate::plan::Plan;

/// The extension that names a tag's feature.
pub const FEATURE_EXTENSION: &str = "x-lomi-feature";

/// Feature names a client crate has of its own, which no tag may take.
pub const RESERVED: &[&str] = &[
    "default",
    "full",
    "rustls",
    "native-tls",
    "http2",
    "webhooks",
    "response-builders",
];

/// A tag whose feature cannot be used: the tag, its feature, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The tag.
    pub tag: String,
    /// The feature it would have.
    pub feature: String,
    /// Why not.
    pub why: String,
}

/// The feature of `tag`: its `x-lomi-feature` in `spec.tags`, else its kebab case.
pub fn feature_of(spec: &OpenAPI, tag: &str) -> String {
    spec.tags
        .iter()
        .find(|t| t.name == tag)
        .and_then(|t| t.extensions.get(FEATURE_EXTENSION))
        .and_then(serde_json::Value::as_str)
        .map_or_else(|| tag.to_kebab_case(), str::to_string)
}

/// Sets each tagged operation's feature, and returns every feature, sorted. An operation
/// without a tag is compiled in every build. Refuses a feature that is one of
/// [`RESERVED`], is not a valid feature name, or is shared by two tags.
pub fn assign(plan: &mut Plan) -> Result<Vec<String>, Refused> {
    let mut by_feature: BTreeMap<String, String> = BTreeMap::new();
    for op in &mut plan.operations {
        let (Some(tag), Some(feature)) = (&op.tag, op.resource.clone()) else {
            continue;
        };
        let refused = |why: String| Refused {
            tag: tag.clone(),
            feature: feature.clone(),
            why,
        };
        if RESERVED.contains(&feature.as_str()) {
            return Err(refused(format!(
                "`{feature}` is one of the crate's own features ({})",
                RESERVED.join(", ")
            )));
        }
        let valid = feature
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
            && feature
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(refused(format!(
                "`{feature}` is not a feature name (ASCII letters, digits, `-` and `_`)"
            )));
        }
        match by_feature.get(&feature) {
            Some(other) if other != tag => {
                return Err(refused(format!(
                    "the tag `{other}` has the feature `{feature}` too"
                )));
            }
            _ => {
                by_feature.insert(feature.clone(), tag.clone());
            }
        }
        op.feature = Some(feature);
    }
    Ok(by_feature.into_keys().collect())
}
