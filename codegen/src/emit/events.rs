//! The webhook events a spec describes, as the contract item `events` that
//! `lomi_client::webhooks` decodes events with.
//!
//! The spec describes them with a root extension ([`crate::plan::webhooks`]), which our
//! overlay adds to lomi.'s document.
//!
//! The generated `events::EventType` is the open enum of the payload's `event` property
//! (a name this version does not know is `Unknown(String)`, never an error), and
//! `events::EventData` has a variant for each event whose data the spec shapes, and
//! `Other(serde_json::Value)` for the rest. A spec without the extension (or with one
//! this reads no enum from) gets an `EventType` whose every name is `Unknown`, so the
//! hand-written crate compiles with any spec.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::plan::{EnumPlan, Plan};

/// The `events` module for the webhooks `plan` read ([`crate::plan::webhooks`]).
pub fn items(plan: &Plan) -> TokenStream {
    // Long: one `quote!` template of the `events` module (its enum, its data and their decoding).
    let webhooks = &plan.webhooks;
    let names = webhooks
        .names
        .as_ref()
        .and_then(|schema| plan.enums.iter().find(|e| &e.schema == schema));
    let event_type = match names {
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
