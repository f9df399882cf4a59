//! What the spec says of its webhook events ([`WEBHOOKS_EXTENSION`]): the enum of their
//! names and the shape of each event's `data`, for [`crate::emit::events`].
//!
//! OpenAPI 3.0 has no way to describe webhooks (3.1's `webhooks` came later), so the spec
//! says it with a root extension, which our overlay adds to lomi.'s document:
//!
//! ```yaml
//! x-lomi-webhooks:
//!   payload: {$ref: '#/components/schemas/webhook_payload'}   # `event` refers to the enum of names
//!   data:                                                       # the shape of `data`, per event
//!     CHECKOUT_COMPLETED: {$ref: '#/components/schemas/checkout_sessions'}
//! ```

use openapiv3::{OpenAPI, ReferenceOr, SchemaKind, Type};
use serde_json::Value;

use super::EnumPlan;
use crate::spec::naming::{sanitize_pascal, type_name_of};

/// The root extension that describes the webhooks.
pub const WEBHOOKS_EXTENSION: &str = "x-lomi-webhooks";

/// An event whose `data` the spec shapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedData {
    /// The event's name (`CHECKOUT_COMPLETED`).
    pub event: String,
    /// Its variant in the event enum (`CheckoutCompleted`).
    pub variant: String,
    /// The Rust type of its data (`CheckoutSessions`).
    pub type_name: String,
}

/// What the spec says of its webhooks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WebhooksPlan {
    /// The schema of the enum of event names (one of the plan's `enums`), if the
    /// extension leads to one.
    pub names: Option<String>,
    /// The events whose data is typed.
    pub data: Vec<TypedData>,
}

fn schema_name(reference: &Value) -> Option<&str> {
    reference
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

/// Reads [`WEBHOOKS_EXTENSION`] off `spec`, whose string enums are `enums`.
pub fn read(spec: &OpenAPI, enums: &[EnumPlan]) -> WebhooksPlan {
    let Some(extension) = spec.extensions.get(WEBHOOKS_EXTENSION) else {
        return WebhooksPlan::default();
    };
    let schemas = spec.components.as_ref().map(|c| &c.schemas);
    let names = extension
        .get("payload")
        .and_then(schema_name)
        .and_then(|payload| match schemas?.get(payload)? {
            ReferenceOr::Item(schema) => match &schema.schema_kind {
                SchemaKind::Type(Type::Object(object)) => match object.properties.get("event")? {
                    ReferenceOr::Reference { reference } => reference
                        .strip_prefix("#/components/schemas/")
                        .map(str::to_string),
                    ReferenceOr::Item(_) => None,
                },
                _ => None,
            },
            ReferenceOr::Reference { .. } => None,
        })
        .and_then(|name| enums.iter().find(|e| e.schema == name));
    let mut data = Vec::new();
    if let (Some(names), Some(Value::Object(map))) = (names, extension.get("data")) {
        for (event, reference) in map {
            let Some(target) = schema_name(reference) else {
                continue;
            };
            if !schemas.is_some_and(|s| s.contains_key(target)) {
                continue;
            }
            let Some((_, variant)) = names.variants.iter().find(|(value, _)| value == event) else {
                continue;
            };
            let type_name = match schemas.and_then(|s| s.get(target)) {
                Some(ReferenceOr::Item(schema)) => type_name_of(target, schema),
                _ => sanitize_pascal(target),
            };
            data.push(TypedData {
                event: event.clone(),
                variant: variant.clone(),
                type_name,
            });
        }
    }
    WebhooksPlan {
        names: names.map(|e| e.schema.clone()),
        data,
    }
}
