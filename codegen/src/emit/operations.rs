//! The operations, emitted from the [`Plan`]: the `Client`, a method and a builder per
//! operation, each builder's setters and per-call options, its `send()` (which builds
//! the request and hands it to `::lomi_runtime::core::execute`) and, for a paginated list
//! (by offsets or page numbers), its `stream()`.
//!
//! typify decides the Rust types: the models (`types`, used as it generates them) and
//! the type of each parameter, body and success response, which [`crate::emit::typing`]
//! records as it types the spec.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{GenericArgument, PathArguments, Type};

use crate::emit::typing::{ModelFacts, RequestTypes};
use crate::plan::{
    BodyContent, Bounds, OperationPlan, PageBy, PageShape, ParamLocation, ParamPlan, Plan,
    ResponseKind, StatusPattern, TotalAt, sanitize_snake,
};

/// The builder field that holds a call's options. Parameter fields are snake-case names
/// with a trailing `_` only for keywords, so this cannot collide with one.
const OPTIONS: &str = "options_";

/// The builder field that holds what its setters refused (keyed by the setter's name),
/// as the model builders keep theirs: named like [`OPTIONS`], so no parameter takes it.
const REFUSALS: &str = "refusals_";

/// The `Client`, its operation methods and the `builder` module.
pub fn items(
    plan: &Plan,
    types: &RequestTypes,
    models: &[ModelFacts],
) -> Result<TokenStream, String> {
    let client = client(plan);
    let methods = plan.operations.iter().map(client_method);
    let mut builders = Vec::new();
    let mut checked = Vec::new();
    for op in &plan.operations {
        builders.push(builder(op, &plan.crate_name, types, models, &mut checked)?);
    }
    let param_values = checked
        .iter()
        .map(|ty| quote!(impl ::lomi_runtime::core::ParamValue for #ty {}));
    Ok(quote! {
        #client
        impl Client {
            #(#methods)*
        }
        /// The operations' builders: set the parameters, then `send()` (or `stream()`
        /// for a list).
        pub mod builder {
            #[allow(unused_imports)]
            use super::types;
            // The runtime's checks and transport, named short: every builder calls them.
            #[allow(unused_imports)]
            use ::lomi_runtime::core as rt;
            #(#builders)*
            #(#param_values)*
        }
    })
}

fn client(plan: &Plan) -> TokenStream {
    let mut doc = format!("Client for {}", plan.title);
    if let Some(description) = &plan.description {
        doc.push_str(&format!("\n\n{description}"));
    }
    doc.push_str(&format!(
        "\n\nVersion: {}\n\nBuilt with [`Client::builder`] or [`Client::from_env`]; cheap to \
         clone (the connection pool and settings are shared).",
        plan.api_version
    ));
    let version = &plan.api_version;
    quote! {
        /// The version of the API this client was generated from (the spec's `info.version`).
        pub const API_VERSION: &str = #version;

        #[doc = #doc]
        #[derive(Clone, Debug)]
        pub struct Client {
            core: ::lomi_runtime::core::Core,
        }

        impl ::lomi_runtime::core::Api for Client {
            const INFO: ::lomi_runtime::core::ApiInfo = ::lomi_runtime::core::ApiInfo {
                user_agent: USER_AGENT,
                live: servers::LIVE,
                sandbox: servers::SANDBOX,
                default: servers::DEFAULT,
                key_header: API_KEY_HEADER,
                key_query: API_KEY_QUERY,
                key_prefix: API_KEY_PREFIX,
            };
            fn from_core(core: ::lomi_runtime::core::Core) -> Self {
                Client { core }
            }
            fn core(&self) -> &::lomi_runtime::core::Core {
                &self.core
            }
        }
    }
}

fn client_method(op: &OperationPlan) -> TokenStream {
    let method = format_ident!("{}", op.method);
    let builder = format_ident!("{}", op.builder);
    let mut doc = String::new();
    for text in [&op.summary, &op.description].into_iter().flatten() {
        doc.push_str(text.trim());
        doc.push_str("\n\n");
    }
    doc.push_str(&format!(
        "Sends a `{}` request to `{}` (operation `{}`).",
        op.http_method, op.path, op.operation_id
    ));
    let setters: Vec<String> = op
        .params
        .iter()
        .map(|p| p.field.clone())
        .chain(op.body.as_ref().map(|_| "body".to_string()))
        .collect();
    if !setters.is_empty() {
        let list = setters
            .iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ");
        doc.push_str(&format!(
            "\n\nSet {list} on the [`builder::{}`] it returns.",
            op.builder
        ));
    }
    quote! {
        #[doc = #doc]
        pub fn #method(&self) -> builder::#builder<'_> {
            builder::#builder::new(self)
        }
    }
}

/// One builder field: its name, what its `Result` holds, its initial value, and its
/// setter.
struct Field {
    ident: syn::Ident,
    /// The type the builder holds it as (`Option<T>`, or the body's builder).
    stored: TokenStream,
    initial: TokenStream,
    setters: TokenStream,
    /// What `send()` does with it: check it and bind the value under the field's name.
    check: TokenStream,
}

fn builder(
    op: &OperationPlan,
    krate: &str,
    types: &RequestTypes,
    models: &[ModelFacts],
    checked: &mut Vec<Type>,
) -> Result<TokenStream, String> {
    // Long: most of it is the one `quote!` template of a builder and its `send()`.
    let operation = operation_const(op);
    let mut fields = Vec::new();
    for param in &op.params {
        fields.push(param_field(op, param, types, checked)?);
    }
    let mut cloneable = true;
    let body_param = op.params.iter().any(|p| p.progenitor_field == "body");
    if op.body.is_none() && !body_param && types.field(&op.progenitor_builder, "body").is_ok() {
        return Err(format!(
            "`{}` has a typed body whose media type the plan does not know",
            op.builder
        ));
    }
    if let Some(body) = &op.body {
        let field = body_field(op, &body.content, types)?;
        cloneable = !matches!(
            body.content,
            BodyContent::OctetStream | BodyContent::Text(_)
        );
        fields.push(field);
    }
    let success = &types
        .get(&op.progenitor_builder)
        .ok_or_else(|| format!("no operation types for `{}`", op.progenitor_builder))?
        .success;
    let name = format_ident!("{}", op.builder);
    let options = format_ident!("{OPTIONS}");
    let refusals = format_ident!("{REFUSALS}");
    // An operation without parameters or body refuses nothing: it has no list.
    let (refusals_field, refusals_initial, refusals_binding) = if fields.is_empty() {
        (quote!(), quote!(), quote!())
    } else {
        (
            quote!(#refusals: rt::Refusals,),
            quote!(#refusals: ::std::vec::Vec::new(),),
            quote!(#refusals,),
        )
    };
    let idents: Vec<&syn::Ident> = fields.iter().map(|f| &f.ident).collect();
    let stored = fields.iter().map(|f| &f.stored);
    let initial = fields.iter().map(|f| &f.initial);
    let setters = fields.iter().map(|f| &f.setters);
    let checks = fields.iter().map(|f| &f.check);
    let request = request(op)?;
    let decode = decode(op);
    let option_methods = option_methods(op);
    let stream = if op.paginated() {
        stream(op, krate, &name, &idents, success, models)?
    } else {
        quote!()
    };
    let derive = if cloneable {
        quote!(#[derive(Debug, Clone)])
    } else {
        quote!(#[derive(Debug)])
    };
    let doc = format!(
        "Builder for [`Client::{m}`]: set its parameters, then `send()`.\n\n\
         [`Client::{m}`]: super::Client::{m}",
        m = op.method
    );
    let send_doc = format!(
        "Sends the `{}` request to `{}`.\n\nParameters are checked against the spec's bounds \
         before anything is sent; the call is retried on transient failures (see \
         [`RetryPolicy`](::lomi_runtime::RetryPolicy)).",
        op.http_method, op.path
    );
    Ok(quote! {
        #[doc = #doc]
        #derive
        pub struct #name<'a> {
            client_: &'a super::Client,
            #(#idents: #stored,)*
            #refusals_field
            #options: rt::CallOptions,
        }
        impl<'a> #name<'a> {
            /// A builder with nothing set; [`super::Client`]'s method for the operation
            /// returns one.
            pub fn new(client: &'a super::Client) -> Self {
                Self {
                    client_: client,
                    #(#idents: #initial,)*
                    #refusals_initial
                    #options: ::std::default::Default::default(),
                }
            }
            #(#setters)*
            #[doc = #send_doc]
            pub async fn send(self) -> ::std::result::Result<::lomi_runtime::ResponseValue<#success>, ::lomi_runtime::Error> {
                #operation
                let Self { client_, #(#idents,)* #refusals_binding #options } = self;
                #(#checks)*
                #request
                let response_ = rt::execute(&client_.core, request_, &OPERATION, #options).await?;
                #decode
            }
            #(#option_methods)*
            #stream
        }
    })
}

fn operation_const(op: &OperationPlan) -> TokenStream {
    let (id, method, http, path) = (&op.operation_id, &op.method, &op.http_method, &op.path);
    quote! {
        const OPERATION: rt::Operation = rt::Operation {
            id: #id,
            method: #method,
            http_method: #http,
            path: #path,
        };
    }
}

fn param_field(
    op: &OperationPlan,
    param: &ParamPlan,
    types: &RequestTypes,
    checked: &mut Vec<Type>,
) -> Result<Field, String> {
    let ident = format_ident!("{}", param.field);
    let name = &param.name;
    let stored = types
        .field(&op.progenitor_builder, &param.progenitor_field)?
        .clone();
    let (optional, target) = unwrap_generic(&stored, "Option");
    if optional == param.required {
        return Err(format!(
            "progenitor's `{}.{}` disagrees with the spec on whether it is required",
            op.builder, param.field
        ));
    }
    let field_name = param.field.as_str();
    // The setter checks the spec's bounds, once; `send()` reports what it refused.
    let set = match param.bounds.as_ref().map(bounds_tokens) {
        Some(b) => quote!(rt::set_param_within(
            &mut self.#ident,
            &mut self.refusals_,
            #field_name,
            value,
            #b
        )),
        None => quote!(rt::set_param(
            &mut self.#ident,
            &mut self.refusals_,
            #field_name,
            value
        )),
    };
    let doc = setter_doc(param);
    let setters = quote! {
        #[doc = #doc]
        pub fn #ident<V>(mut self, value: V) -> Self
        where
            V: ::lomi_runtime::IntoArg<#target>,
        {
            #set;
            self
        }
    };
    let take = if param.required {
        quote!(required)
    } else {
        quote!(optional)
    };
    let mut check = quote! {
        let #ident = rt::#take(&OPERATION, &refusals_, #ident, #field_name, #name)?;
    };
    // `.` and `..` would leave the segment: the URL parser resolves them (percent-
    // encoded too), and the request would reach another endpoint.
    if param.in_path {
        check.extend(quote! {
            rt::check_path_segment(&OPERATION, &#ident, #name)?;
        });
    }
    if param.bounds.is_some() || param.in_path {
        generated_types(&target, checked);
    }
    Ok(Field {
        ident,
        stored: quote!(::std::option::Option<#target>),
        initial: quote!(::std::option::Option::None),
        setters,
        check,
    })
}

fn body_field(
    op: &OperationPlan,
    content: &BodyContent,
    types: &RequestTypes,
) -> Result<Field, String> {
    // Long: one arm per way a body is held (its model's builder, a free-form map, bytes or text).
    let ident = format_ident!("body");
    let stored = types.field(&op.progenitor_builder, "body")?.clone();
    let raw = matches!(content, BodyContent::OctetStream | BodyContent::Text(_));
    let set = quote!(rt::set_body(&mut self.body, &mut self.refusals_, value));
    let refused = quote!(rt::refused(&OPERATION, &refusals_, "body", "body")?;);
    // A model with a builder is held as its builder, so that `body_map` can change
    // single fields; it becomes the model when sent.
    let model = (!raw).then(|| model_of_builder(&stored)).flatten();
    // A free-form JSON object the spec does not require starts empty (`{}`), so that
    // the operation can be sent without one.
    let empty_map = !op.body.as_ref().is_some_and(|b| b.required)
        && matches!(content, BodyContent::Json)
        && is_json_map(&stored);
    let (held, initial, setters, check) = match model {
        Some(model) => (
            quote!(#stored),
            quote!(::std::default::Default::default()),
            quote! {
                /// Sets the `body`: a model, or its builder (a refused field is
                /// reported by `send()`).
                pub fn body<V>(mut self, value: V) -> Self
                where
                    V: ::lomi_runtime::IntoArg<#model>,
                {
                    #set;
                    self
                }
                /// Changes the `body` through its builder (a closure that takes it and
                /// returns it), keeping what was already set.
                pub fn body_map<F>(mut self, f: F) -> Self
                where
                    F: ::std::ops::FnOnce(#stored) -> #stored,
                {
                    self.body = f(self.body);
                    self
                }
            },
            quote! {
                #refused
                let body = rt::check_set(
                    &OPERATION,
                    #model::try_from(body).map_err(|e| e.to_string()),
                    "body",
                )?;
            },
        ),
        None if empty_map => (
            quote!(#stored),
            quote!(::std::default::Default::default()),
            quote! {
                /// Sets the `body`.
                pub fn body<V>(mut self, value: V) -> Self
                where
                    V: ::lomi_runtime::IntoArg<#stored>,
                {
                    #set;
                    self
                }
            },
            refused,
        ),
        None => (
            quote!(::std::option::Option<#stored>),
            quote!(::std::option::Option::None),
            quote! {
                /// Sets the `body`.
                pub fn body<V>(mut self, value: V) -> Self
                where
                    V: ::lomi_runtime::IntoArg<#stored>,
                {
                    rt::set_param(&mut self.body, &mut self.refusals_, "body", value);
                    self
                }
            },
            quote! {
                let body = rt::required(&OPERATION, &refusals_, body, "body", "body")?;
            },
        ),
    };
    Ok(Field {
        ident,
        stored: held,
        initial,
        setters,
        check,
    })
}

/// Whether `ty` is `serde_json::Map<..>`, which a free-form object body is.
fn is_json_map(ty: &Type) -> bool {
    matches!(ty, Type::Path(p)
        if p.path.segments.len() >= 2
            && p.path.segments.iter().rev().nth(1).is_some_and(|s| s.ident == "serde_json")
            && p.path.segments.last().is_some_and(|s| s.ident == "Map"))
}

/// Builds `request`, a `reqwest::RequestBuilder` with the URL, the query, the headers
/// and the body.
fn request(op: &OperationPlan) -> Result<TokenStream, String> {
    // Long: the URL, the query, the headers and the body, in the order the request is built.
    // The URL: the base URL, the template's literal parts and its parameters encoded,
    // joined by a function call (prettyplease does not format a macro's arguments).
    let mut parts = vec![quote!(client_.core.baseurl())];
    let template = lomi_schema::path::parse(&op.path).map_err(|e| format!("`{}`: {e}", op.path))?;
    for part in template {
        match part {
            lomi_schema::path::Part::Literal(text) => parts.push(quote!(#text)),
            lomi_schema::path::Part::Param(name) => {
                let param = op
                    .params
                    .iter()
                    .find(|p| p.location == ParamLocation::Path && p.name == name)
                    .ok_or_else(|| format!("`{}`: no path parameter `{name}`", op.path))?;
                let ident = format_ident!("{}", param.field);
                parts.push(quote!(rt::encode_path(&#ident.to_string()).as_str()));
            }
        }
    }
    // OpenAPI 3.0 has eight methods, every one a constant of `reqwest::Method`.
    let method = match op.http_method.as_str() {
        m @ ("GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "HEAD" | "OPTIONS" | "TRACE") => {
            format_ident!("{m}")
        }
        other => return Err(format!("`{}`: no HTTP method `{other}`", op.path)),
    };
    let method = quote!(::reqwest::Method::#method);
    let queries = op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Query)
        .map(|p| {
            let (name, ident) = (&p.name, format_ident!("{}", p.field));
            quote!(.query(&::progenitor_client::QueryParam::new(
                #name,
                &rt::query_value(&OPERATION, #name, &#ident)?,
            )))
        });
    let headers = op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Header)
        .map(|p| {
            let (name, ident) = (&p.name, format_ident!("{}", p.field));
            if p.required {
                quote! {
                    let request_ = request_.header(#name, rt::header_value(&OPERATION, #name, #ident.to_string())?);
                }
            } else {
                quote! {
                    let request_ = match &#ident {
                        ::std::option::Option::Some(value_) => {
                            request_.header(#name, rt::header_value(&OPERATION, #name, value_.to_string())?)
                        }
                        ::std::option::Option::None => request_,
                    };
                }
            }
        });
    let body = match op.body.as_ref().map(|b| &b.content) {
        None => quote!(),
        Some(BodyContent::Json) => quote!(let request_ = request_.json(&body);),
        Some(BodyContent::Form) => {
            quote!(let request_ = rt::form(&OPERATION, request_, &body)?;)
        }
        Some(BodyContent::OctetStream) => quote! {
            let request_ = request_
                .header(::reqwest::header::CONTENT_TYPE, "application/octet-stream")
                .body(body);
        },
        Some(BodyContent::Text(media)) => quote! {
            let request_ = request_.header(::reqwest::header::CONTENT_TYPE, #media).body(body);
        },
    };
    Ok(quote! {
        let url_ = [#(#parts),*].concat();
        let request_ = client_
            .core
            .http()
            .request(#method, url_)
            #(#queries)*;
        #(#headers)*
        #body
    })
}

/// The match on the status of a response `execute` let through (a success or a status
/// the spec does not describe; errors never reach it).
fn decode(op: &OperationPlan) -> TokenStream {
    let arms = op.success.iter().map(|r| {
        let pattern = match r.status {
            StatusPattern::Code(code) => quote!(#code),
            StatusPattern::AnySuccess => quote!(200u16..=299u16),
        };
        let decode = match r.kind {
            ResponseKind::Json => quote!(response_.json(&OPERATION)),
            ResponseKind::Empty => quote!(::std::result::Result::Ok(response_.empty())),
            ResponseKind::Raw => quote!(::std::result::Result::Ok(response_.bytes())),
        };
        quote!(#pattern => #decode,)
    });
    quote! {
        match response_.status().as_u16() {
            #(#arms)*
            _ => ::std::result::Result::Err(response_.undocumented(&OPERATION)),
        }
    }
}

/// `timeout()`, `max_retries()` and, for POSTs, `idempotency_key()`; a name a setter
/// already takes gets a `request_` prefix.
fn option_methods(op: &OperationPlan) -> Vec<TokenStream> {
    let taken = |name: &str| {
        op.params.iter().any(|p| p.field == name)
            || (op.body.is_some() && (name == "body" || name == "body_map"))
            || (op.paginated() && name == "stream")
    };
    let pick = |name: &str| {
        if taken(name) {
            format_ident!("request_{name}")
        } else {
            format_ident!("{name}")
        }
    };
    let options = format_ident!("{OPTIONS}");
    let (timeout, retries) = (pick("timeout"), pick("max_retries"));
    let mut out = vec![
        quote! {
            /// Time allowed for each attempt of this call, from sending to the last byte
            /// of the body (the client's `timeout` otherwise).
            pub fn #timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.#options.timeout = ::std::option::Option::Some(timeout);
                self
            }
        },
        quote! {
            /// How many times this call is retried on a transient failure (the client's
            /// retry policy otherwise; 0 turns retrying off).
            pub fn #retries(mut self, retries: u32) -> Self {
                self.#options.max_retries = ::std::option::Option::Some(retries);
                self
            }
        },
    ];
    if op.http_method == "POST" {
        let key = pick("idempotency_key");
        out.push(quote! {
            /// The `Idempotency-Key` of this call (at most 255 visible ASCII characters),
            /// e.g. your order's id: lomi. answers a repeat of the key with the original
            /// response for 24 hours, so the call never takes effect twice however often
            /// it runs. Without it, the call gets a random key, reused on its retries.
            pub fn #key(mut self, key: impl ::std::convert::Into<::std::string::String>) -> Self {
                self.#options.idempotency_key = ::std::option::Option::Some(key.into());
                self
            }
        });
    }
    out
}

/// What an operation builder's setter sets: the parameter's description and its bounds.
fn setter_doc(param: &ParamPlan) -> String {
    let mut doc = param
        .description
        .clone()
        .unwrap_or_else(|| format!("Sets the `{}` parameter.", param.name));
    if let Some(b) = &param.bounds {
        let range = match (b.minimum, b.maximum) {
            (Some(lo), Some(hi)) => Some(format!("from {lo} to {hi}")),
            (Some(lo), None) => Some(format!("at least {lo}")),
            (None, Some(hi)) => Some(format!("at most {hi}")),
            (None, None) => None,
        };
        if let Some(range) = range {
            doc.push_str(&format!(
                "\n\nChecked before sending: {range}, else `send()` returns `Error::InvalidInput`."
            ));
        }
    }
    if param.required {
        doc.push_str(&format!(
            "\n\nRequired: `send()` refuses to go without it, naming `{}`.",
            param.name
        ));
    }
    doc
}

fn bounds_tokens(b: &Bounds) -> TokenStream {
    let opt_f64 = |v: Option<f64>| match v {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    };
    let opt_usize = |v: Option<usize>| match v {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    };
    let (min, max) = (opt_f64(b.minimum), opt_f64(b.maximum));
    let (min_len, max_len) = (opt_usize(b.min_length), opt_usize(b.max_length));
    quote! {
        rt::Bounds {
            minimum: #min,
            maximum: #max,
            min_length: #min_len,
            max_length: #max_len,
        }
    }
}

/// `stream()`: every item of a paginated list, one page in memory at a time.
fn stream(
    op: &OperationPlan,
    krate: &str,
    builder: &syn::Ident,
    fields: &[&syn::Ident],
    success: &Type,
    models: &[ModelFacts],
) -> Result<TokenStream, String> {
    // Long: most of it is the one `quote!` template of `stream()`.
    let page_plan = op
        .page
        .as_ref()
        .ok_or_else(|| format!("`{}` is not a paginated list", op.method))?;
    let none = quote!(::std::option::Option::None);
    let (item, items, total, limit) = match &page_plan.shape {
        PageShape::Bare => {
            let (is_list, item) = unwrap_generic(success, "Vec");
            if !is_list {
                return Err(format!("`{}` does not answer a list", op.method));
            }
            // The answer's type is already written from outside `types`.
            (quote!(#item), quote!(page), none.clone(), none)
        }
        PageShape::Envelope { items, total } => envelope_page(op, success, models, items, total)?,
    };
    let short_page_ends = match page_plan.limit_maximum {
        Some(max) => quote!(size <= #max),
        None => quote!(false),
    };
    let field_of = |name: &str| {
        op.params
            .iter()
            .find(|p| p.name == name && p.location == ParamLocation::Query)
            .map(|p| format_ident!("{}", p.field))
            .ok_or_else(|| format!("`{}` has no `{name}` parameter", op.method))
    };
    let (size_param, position_param) = page_plan.by.params();
    let (limit_field, offset_field) = (field_of(size_param)?, field_of(position_param)?);
    let limit_name = limit_field.to_string();
    let default_size = op
        .page_size
        .unwrap_or(lomi_schema::operation::DEFAULT_PAGE_SIZE);
    let vars: Vec<syn::Ident> = (0..fields.len())
        .map(|i| format_ident!("field_{i}"))
        .collect();
    let options = format_ident!("{OPTIONS}");
    let (walked, start, walk_fn, walk_args) = walk_of(&page_plan.by, &offset_field);
    let doc = stream_doc(op, krate, &walked, default_size, &limit_field);
    Ok(quote! {
        #[doc = #doc]
        pub fn stream(self) -> ::lomi_runtime::pagination::ItemStream<'static, #item> {
            let start = #start;
            let (size, set_size) = ::lomi_runtime::pagination::page_size(&self.#limit_field, &self.refusals_, #limit_name, #default_size);
            // Owned: the stream keeps a clone of the client (cheap: shared pools) and of
            // the parameters, and rebuilds the request for each page.
            let client = ::std::clone::Clone::clone(self.client_);
            let #builder { #(#fields: #vars,)* refusals_: refusals, #options: options, .. } = self;
            // A short page ends the walk only when the size asked for is one the server
            // documents taking; past its documented maximum it may cap it silently.
            let short_page_ends = #short_page_ends;
            #walk_fn(#walk_args move |at| {
                let client = ::std::clone::Clone::clone(&client);
                #(let #vars = ::std::clone::Clone::clone(&#vars);)*
                let refusals = ::std::clone::Clone::clone(&refusals);
                let options = options.page();
                async move {
                    let request = #builder {
                        client_: &client,
                        #(#fields: #vars,)*
                        refusals_: refusals,
                        #options: options,
                    }
                    .#offset_field(at);
                    let request = if set_size { request.#limit_field(size) } else { request };
                    let page = request.send().await?.into_inner();
                    ::std::result::Result::Ok(::lomi_runtime::pagination::Page {
                        total: #total,
                        limit: #limit,
                        items: #items,
                    })
                }
            })
        }
    })
}

/// How `stream()` walks a list's pages: the words for its doc, where it starts (the
/// builder's offset or page), and the runtime's walk with its arguments.
fn walk_of(
    by: &PageBy,
    offset_field: &syn::Ident,
) -> (String, TokenStream, TokenStream, TokenStream) {
    match by {
        PageBy::Offset => (
            "walking the offset pages from the builder's `offset` (default 0) with its \
             `limit`"
                .to_string(),
            quote!(::lomi_runtime::pagination::start_offset(&self.#offset_field)),
            quote!(::lomi_runtime::pagination::offset_stream),
            quote!(start, size, short_page_ends,),
        ),
        PageBy::Number { page, size, first } => (
            format!(
                "walking the pages one by one from the builder's `{page}` (default {first}) \
                 with its `{size}`"
            ),
            quote!(::lomi_runtime::pagination::start_page(&self.#offset_field, #first)),
            quote!(::lomi_runtime::pagination::page_number_stream),
            quote!(start, #first, size, short_page_ends,),
        ),
    }
}

/// `stream()`'s rustdoc: how it walks (`walked`), when it stops, and an example.
fn stream_doc(
    op: &OperationPlan,
    krate: &str,
    walked: &str,
    default_size: u64,
    limit_field: &syn::Ident,
) -> String {
    format!(
        "Streams every item of `{}`, {walked} (default {default_size}, always sent) and \
         other parameters, and stopping after the last page: the total the server reports, \
         an empty page, or a short one (shorter than the page size the server reports, \
         or than the size asked for when the spec documents taking it). A server \
         that answers the same page wherever it is asked \
         ends the stream with an error instead of a loop. \
         Only one page is held in memory at a time, and the stream owns what it needs \
         (it is `'static`): return it from a function or move it into a task.\n\n\
         ```no_run\n\
         # async fn run(client: {krate}::Client) -> Result<(), {krate}::Error> {{\n\
         use {krate}::prelude::*;\n\n\
         let mut items = client.{}().{limit_field}(100).stream();\n\
         while let Some(item) = items.try_next().await? {{\n\
         \x20   println!(\"{{item:?}}\");\n\
         }}\n\
         # Ok(())\n\
         # }}\n\
         ```",
        op.operation_id, op.method,
    )
}

/// How `stream()` reads an envelope page (`{data, pagination: {total, limit}}`, a
/// top-level `total`, or none): the item type, and the expressions of its items, total
/// and reported page size over `page`. The envelope's fields and their types are the
/// type space's ([`ModelFacts`]).
fn envelope_page(
    op: &OperationPlan,
    success: &Type,
    models: &[ModelFacts],
    items_at: &str,
    total_at: &TotalAt,
) -> Result<(TokenStream, TokenStream, TokenStream, TokenStream), String> {
    let envelope = last_ident(success)
        .ok_or_else(|| format!("`{}` does not return a named model", op.method))?;
    let model = |name: &str| {
        models
            .iter()
            .find(|m| m.name == name)
            .ok_or_else(|| format!("no struct `{name}` in `types`"))
    };
    let field = |m: &ModelFacts, name: &str| -> Result<Option<Type>, String> {
        m.field(name)
            .map(|f| {
                syn::parse2(f.ty.clone())
                    .map_err(|e| format!("`{}.{name}` has an unparsable type: {e}", m.name))
            })
            .transpose()
    };
    let envelope_model = model(&envelope)?;
    // typify's field for a property: its name in snake case.
    let rust_field = |json: &str| sanitize_snake(json);
    let items_field = rust_field(items_at);
    let data = field(envelope_model, &items_field)?
        .ok_or_else(|| format!("`{envelope}` has no `{items_field}` field"))?;
    let (data_optional, data_inner) = unwrap_generic(&data, "Option");
    let (is_list, item) = unwrap_generic(&data_inner, "Vec");
    if !is_list {
        return Err(format!("`{envelope}.{items_field}` is not a list"));
    }
    let data = format_ident!("{items_field}");
    let items = if data_optional {
        quote!(page.#data.unwrap_or_default())
    } else {
        quote!(page.#data)
    };
    let none = quote!(::std::option::Option::None);
    let (total, limit) = match total_at {
        TotalAt::Nowhere => (none.clone(), none),
        TotalAt::TopLevel => (quote!(::lomi_runtime::pagination::count(page.total)), none),
        TotalAt::Pagination { total, size } => {
            let pagination = field(envelope_model, "pagination")?
                .ok_or_else(|| format!("`{envelope}` has no `pagination` field"))?;
            let (optional, inner) = unwrap_generic(&pagination, "Option");
            let pagination_model = last_ident(&inner).and_then(|name| model(&name).ok());
            let has = |name: &str| pagination_model.is_some_and(|m| m.field(name).is_some());
            let total = rust_field(total);
            if !has(&total) {
                return Err(format!("`{envelope}.pagination` has no `{total}` field"));
            }
            let size = size.as_deref().map(rust_field).filter(|s| has(s));
            let read = |name: &str| {
                let name = format_ident!("{name}");
                if optional {
                    quote!(page.pagination.as_ref().and_then(|p| ::lomi_runtime::pagination::count(p.#name)))
                } else {
                    quote!(::lomi_runtime::pagination::count(page.pagination.#name))
                }
            };
            (read(&total), size.map_or(none, |size| read(&size)))
        }
    };
    Ok((quote!(#item), items, total, limit))
}

/// The last identifier of a path type (`types::X` gives `X`).
pub(crate) fn last_ident(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// `(true, T)` for `wrapper<T>` (however qualified), `(false, ty)` otherwise.
pub(crate) fn unwrap_generic(ty: &Type, wrapper: &str) -> (bool, Type) {
    if let Type::Path(p) = ty
        && let Some(last) = p.path.segments.last()
        && last.ident == wrapper
        && let PathArguments::AngleBracketed(args) = &last.arguments
        && let Some(GenericArgument::Type(inner)) = args.args.first()
    {
        return (true, inner.clone());
    }
    (false, ty.clone())
}

/// The model a typify builder (`types::builder::X`) builds (`types::X`).
fn model_of_builder(ty: &Type) -> Option<Type> {
    let Type::Path(p) = ty else { return None };
    let segments: Vec<&syn::PathSegment> = p.path.segments.iter().collect();
    match segments.as_slice() {
        [types, builder, model] if types.ident == "types" && builder.ident == "builder" => {
            let model = &model.ident;
            Some(syn::parse_quote!(types::#model))
        }
        _ => None,
    }
}

/// Every `types::…` path inside `ty`, added to `out` once.
fn generated_types(ty: &Type, out: &mut Vec<Type>) {
    let Type::Path(p) = ty else { return };
    if p.path.segments.first().is_some_and(|s| s.ident == "types") {
        let names = |t: &Type| match t {
            Type::Path(p) => p
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        };
        if !out.iter().any(|t| names(t) == names(ty)) {
            out.push(ty.clone());
        }
        return;
    }
    for segment in &p.path.segments {
        if let PathArguments::AngleBracketed(args) = &segment.arguments {
            for arg in &args.args {
                if let GenericArgument::Type(inner) = arg {
                    generated_types(inner, out);
                }
            }
        }
    }
}
