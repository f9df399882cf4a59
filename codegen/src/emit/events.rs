//! The webhook events a spec describes, as the contract item `events` that
//! `lomi_client::webhooks` decodes events with.
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
//!
//! The generated `events::EventType` is the open enum of the payload's `event` property
//! (a name this version does not know is `Unknown(String)`, never an error), and
//! `events::EventData` has a variant for each event whose data the spec shapes, and
//! `Other(serde_json::Value)` for the rest. A spec without the extension (or with one
//! this reads no enum from) gets an `EventType` whose every name is `Unknown`, so the
//! hand-written crate compiles with any spec.

use openapiv3::{OpenAPI, ReferenceOr, SchemaKind, Type};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::plan::{EnumPlan, Plan};

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
#[derive(Debug, Clone, Default)]
pub struct Webhooks<'p> {
    /// The enum of event names, if the extension leads to one.
    pub names: Option<&'p EnumPlan>,
    /// The events whose data is typed.
    pub data: Vec<TypedData>,
}

fn schema_name(reference: &Value) -> Option<&str> {
    reference
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

/// Reads [`WEBHOOKS_EXTENSION`] off `spec`, with the enums `plan` found.
pub fn read<'p>(spec: &OpenAPI, plan: &'p Plan) -> Webhooks<'p> {
    let Some(extension) = spec.extensions.get(WEBHOOKS_EXTENSION) else {
        return Webhooks::default();
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
        .and_then(|name| plan.enums.iter().find(|e| e.schema == name));
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
                Some(openapiv3::ReferenceOr::Item(schema)) => {
                    crate::plan::type_name_of(target, schema)
                }
                _ => crate::plan::sanitize_pascal(target),
            };
            data.push(TypedData {
                event: event.clone(),
                variant: variant.clone(),
                type_name,
            });
        }
    }
    Webhooks { names, data }
}

/// The `events` module for `spec`.
pub fn items(spec: &OpenAPI, plan: &Plan) -> TokenStream {
    let webhooks = read(spec, plan);
    let event_type = match webhooks.names {
        Some(names) => {
            let name = format_ident!("{}", names.type_name);
            let doc = format!(
                " An event's name (`{}` of the spec): an open enum, so a name this version \
                 does not know decodes as `{}`.",
                names.schema, names.unknown
            );
            quote! {
                #[doc = #doc]
                pub type EventType = super::types::#name;
            }
        }
        // The same open enum as the spec's own enums, with no known name.
        None => crate::emit::models::open_enum_tokens(&EnumPlan {
            schema: String::new(),
            type_name: "EventType".into(),
            description: Some(
                "An event's name. The spec describes no webhook events (`x-lomi-webhooks`), \
                 so every name is `Unknown`."
                    .into(),
            ),
            variants: Vec::new(),
            unknown: "Unknown".into(),
        }),
    };
    let variants = webhooks.data.iter().map(|d| {
        let variant = format_ident!("{}", d.variant);
        let ty = format_ident!("{}", d.type_name);
        let doc = format!(
            " `{}`: its data, a [`super::types::{}`].",
            d.event, d.type_name
        );
        quote! {
            #[doc = #doc]
            #variant(::std::boxed::Box<super::types::#ty>),
        }
    });
    let arms = webhooks.data.iter().map(|d| {
        let variant = format_ident!("{}", d.variant);
        quote! {
            EventType::#variant => match ::serde_json::from_value(data.clone()) {
                ::std::result::Result::Ok(typed) => {
                    (EventData::#variant(::std::boxed::Box::new(typed)), ::std::option::Option::None)
                }
                ::std::result::Result::Err(e) => {
                    (EventData::Other(data), ::std::option::Option::Some(e.to_string()))
                }
            },
        }
    });
    quote! {
        /// The webhook events the spec describes (see the contract in
        /// `codegen/src/emit/contract.rs`), for the `webhooks` module.
        pub mod events {
            #event_type

            /// An event's `data`: typed where the spec gives its shape.
            #[derive(Clone, Debug, PartialEq)]
            #[non_exhaustive]
            pub enum EventData {
                #(#variants)*
                /// The data as sent: for an event whose data the spec does not shape, or
                /// one that did not decode as the spec says (the event's `data_error`
                /// says why).
                Other(::serde_json::Value),
            }

            impl EventData {
                /// `data` as `event`'s data, and why it is `Other` when the spec shapes
                /// it but it did not decode.
                #[allow(dead_code, unreachable_patterns, clippy::match_single_binding)]
                pub(crate) fn decode(
                    event: &EventType,
                    data: ::serde_json::Value,
                ) -> (EventData, ::std::option::Option<::std::string::String>) {
                    match event {
                        #(#arms)*
                        _ => (EventData::Other(data), ::std::option::Option::None),
                    }
                }
            }
        }

        /// Verify and read webhook events (the `webhooks` feature): the runtime's
        /// verification, with this spec's events.
        #[cfg(feature = "webhooks")]
        pub mod webhooks {
            pub use ::lomi_runtime::webhooks::{
                EVENT_HEADER, SIGNATURE_HEADER, WebhookError, sign, verify,
            };
            pub use super::events::{EventData, EventType};

            /// This spec's events, for the runtime's [`Verifier`].
            #[doc(hidden)]
            #[derive(Debug)]
            pub enum Events {}

            impl ::lomi_runtime::webhooks::EventSet for Events {
                type Type = EventType;
                type Data = EventData;
                fn decode(
                    name: &EventType,
                    data: ::serde_json::Value,
                ) -> (EventData, ::std::option::Option<::std::string::String>) {
                    EventData::decode(name, data)
                }
            }

            /// A verified event.
            pub type Event = ::lomi_runtime::webhooks::Event<EventType, EventData>;

            /// Checks and reads webhook events for one endpoint secret.
            pub type Verifier = ::lomi_runtime::webhooks::Verifier<Events>;

            /// Verifies, then decodes, a webhook event; see [`Verifier::construct_event`].
            pub fn construct_event(
                raw_body: &[u8],
                signature_header: &str,
                secret: &str,
            ) -> ::std::result::Result<Event, WebhookError> {
                Verifier::new(secret).construct_event(raw_body, signature_header)
            }
        }
    }
}
