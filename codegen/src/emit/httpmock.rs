//! The typed [httpmock](https://docs.rs/httpmock) helpers (the `lomi-httpmock` crate),
//! emitted from the plan and the type space as oxide.rs's `sdk-httpmock` shape has them
//! (progenitor's `httpmock` output): for each operation a `When` wrapper whose matchers
//! take the operation's typed parameters and body, a `Then` wrapper with a method per
//! documented status taking its typed body, and a method on `httpmock::MockServer`
//! ([`MockServerExt`](https://docs.rs/lomi-httpmock)) that hands both to a closure.
//!
//! Every name is the client's (the plan's): a helper is named as the method it mocks,
//! and its matchers as the builder's setters. An array parameter is matched one
//! `name=value` pair per item, as the client sends it. A path parameter's value is
//! matched literally (regex metacharacters escaped). Every public item is documented.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::typing::{ArgumentTypes, ResponseBody, ResponseTypes, Status, TypeFacts};
use crate::plan::{BodyContent, OperationPlan, ParamLocation, Plan, sanitize_snake};

/// The helpers for `plan`'s operations, written against the client crate `krate`
/// (whose `types` the type space `typed` names).
pub fn items(plan: &Plan, typed: &TypeFacts, krate: &str) -> Result<TokenStream, String> {
    // Long: one `quote!` template of an operation's `When`/`Then` pair and its `MockServerExt` method.
    let krate: syn::Path =
        syn::parse_str(krate).map_err(|e| format!("`{krate}` is not a crate path: {e}"))?;
    let mut wrappers = Vec::new();
    let mut signatures = Vec::new();
    let mut bodies = Vec::new();
    for op in &plan.operations {
        let types = typed
            .requests
            .get(&op.progenitor_builder)
            .ok_or_else(|| format!("no operation types for `{}`", op.builder))?;
        let when = format_ident!("{}When", op.builder);
        let then = format_ident!("{}Then", op.builder);
        let matchers = op
            .params
            .iter()
            .map(|param| {
                let arg = types
                    .arguments
                    .iter()
                    .find(|a| a.name == param.name)
                    .ok_or_else(|| format!("`{}` has no type for `{}`", op.builder, param.name))?;
                matcher(op, param, arg)
            })
            .collect::<Result<Vec<_>, String>>()?;
        let body = body_matcher(op, types.body_argument.as_ref());
        let answers = types
            .responses
            .iter()
            .map(answer)
            .collect::<Result<Vec<_>, String>>()?;
        let label = format!("`{} {}`", op.http_method, op.path);
        let when_doc = format!(
            "What a request to {label} (`Client::{}`) must look like: its method and path, \
             narrowed by each matcher called.",
            op.method
        );
        let then_doc = format!("How the mock answers {label}: one method per documented status.");
        let new_when_doc = format!("Matches every request to {label}.");
        let method = http_method(&op.http_method)?;
        let path = path_regex(&op.path, None)?;
        wrappers.push(quote! {
            #[doc = #when_doc]
            pub struct #when(::httpmock::When);

            impl #when {
                #[doc = #new_when_doc]
                pub fn new(inner: ::httpmock::When) -> Self {
                    Self(inner.method(#method).path_matches(#path))
                }

                /// httpmock's own `When`, to match what no typed matcher covers.
                pub fn into_inner(self) -> ::httpmock::When {
                    self.0
                }

                #(#matchers)*
                #body
            }

            #[doc = #then_doc]
            pub struct #then(::httpmock::Then);

            impl #then {
                /// An answer with nothing set yet.
                pub fn new(inner: ::httpmock::Then) -> Self {
                    Self(inner)
                }

                /// httpmock's own `Then`, to answer what no typed method covers.
                pub fn into_inner(self) -> ::httpmock::Then {
                    self.0
                }

                #(#answers)*
            }
        });
        let method_ident = format_ident!("{}", op.method);
        let doc = format!(
            "Mocks {label}, what `Client::{}` sends: `config_fn` narrows the request with \
             [`operations::{when}`] and sets the answer with [`operations::{then}`].",
            op.method
        );
        signatures.push(quote! {
            #[doc = #doc]
            fn #method_ident<F>(&self, config_fn: F) -> ::httpmock::Mock<'_>
            where
                F: FnOnce(operations::#when, operations::#then);
        });
        bodies.push(quote! {
            fn #method_ident<F>(&self, config_fn: F) -> ::httpmock::Mock<'_>
            where
                F: FnOnce(operations::#when, operations::#then),
            {
                self.mock(|when, then| {
                    config_fn(operations::#when::new(when), operations::#then::new(then))
                })
            }
        });
    }
    Ok(quote! {
        pub mod operations {
            //! The [`When`](::httpmock::When) and [`Then`](::httpmock::Then) wrappers of
            //! each operation. `into_inner()` gives back httpmock's own, to match or
            //! answer what the spec does not describe.
            use #krate::*;

            #(#wrappers)*
        }

        /// A method per operation on [`MockServer`](::httpmock::MockServer), named as the
        /// client's method it mocks, taking the operation's typed `When` and `Then`.
        pub trait MockServerExt {
            #(#signatures)*
        }

        impl MockServerExt for ::httpmock::MockServer {
            #(#bodies)*
        }
    })
}

fn http_method(method: &str) -> Result<TokenStream, String> {
    let known = [
        "GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE",
    ];
    if !known.contains(&method) {
        return Err(format!("httpmock has no method `{method}`"));
    }
    let ident = format_ident!("{method}");
    Ok(quote!(::httpmock::Method::#ident))
}

/// The expression of the regex of `template`'s path: each literal escaped, each
/// parameter one segment's worth of anything, except `value_of` (if given), whose place
/// takes `value`'s text, escaped.
fn path_regex(template: &str, value_of: Option<&str>) -> Result<TokenStream, String> {
    let (before, after) = path_pattern(template, value_of)?;
    Ok(match after {
        None => quote!(#before),
        Some(after) => quote! {
            [#before, ::regex::escape(&value.to_string()).as_str(), #after].concat()
        },
    })
}

/// The regex of `template`'s path, split at `value_of`'s place if given.
fn path_pattern(
    template: &str,
    value_of: Option<&str>,
) -> Result<(String, Option<String>), String> {
    let parts =
        lomi_schema::path::parse(template).map_err(|e| format!("the path `{template}`: {e}"))?;
    let mut before = String::from("^");
    let mut after: Option<String> = None;
    for part in parts {
        let out = after.as_mut().unwrap_or(&mut before);
        match part {
            lomi_schema::path::Part::Literal(text) => out.push_str(&escape(text)),
            lomi_schema::path::Part::Param(name) if Some(name) == value_of => {
                after = Some(String::new());
            }
            lomi_schema::path::Part::Param(_) => out.push_str("[^/]*"),
        }
    }
    after.as_mut().unwrap_or(&mut before).push('$');
    Ok((before, after))
}

/// `text` with every regex metacharacter escaped (the set `regex::escape` escapes).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The matcher of one parameter, named as the builder's setter.
fn matcher(
    op: &OperationPlan,
    param: &crate::plan::ParamPlan,
    arg: &ArgumentTypes,
) -> Result<TokenStream, String> {
    let ident = format_ident!("{}", param.field);
    let name = &param.name;
    let described = param
        .description
        .as_deref()
        .map(|d| format!("\n\n{d}"))
        .unwrap_or_default();
    let argument: syn::Type = syn::parse2(arg.argument.clone())
        .map_err(|e| format!("`{}.{}` has an unparsable type: {e}", op.builder, name))?;
    if param.location == ParamLocation::Path {
        let doc = format!("Matches `{name}` in the path: exactly this value.{described}");
        let pattern = path_regex(&op.path, Some(name))?;
        return Ok(quote! {
            #[doc = #doc]
            pub fn #ident(self, value: #argument) -> Self {
                Self(self.0.path_matches(#pattern))
            }
        });
    }
    let (where_, matcher, missing) = match param.location {
        ParamLocation::Header => ("header", quote!(header), quote!(header_missing)),
        _ => (
            "query parameter",
            quote!(query_param),
            quote!(query_param_missing),
        ),
    };
    let matched = if arg.list {
        quote!(value.iter().fold(self.0, |when, item| when.#matcher(#name, item.to_string())))
    } else {
        quote!(self.0.#matcher(#name, value.to_string()))
    };
    let each = if arg.list { ", one pair per item" } else { "" };
    if param.required {
        let doc = format!("Matches the `{name}` {where_}: this value{each}.{described}");
        return Ok(quote! {
            #[doc = #doc]
            pub fn #ident(self, value: #argument) -> Self {
                Self(#matched)
            }
        });
    }
    // An optional one: `None` matches a request without it.
    let doc = format!(
        "Matches the `{name}` {where_}: this value{each}, or, given `None`, its absence.\
         {described}"
    );
    let (lifetime, argument) = match argument {
        syn::Type::Reference(mut r) => {
            r.lifetime = Some(syn::Lifetime::new("'a", proc_macro2::Span::call_site()));
            (quote!('a,), syn::Type::Reference(r))
        }
        other => (TokenStream::new(), other),
    };
    Ok(quote! {
        #[doc = #doc]
        pub fn #ident<#lifetime T>(self, value: T) -> Self
        where
            T: ::std::convert::Into<::std::option::Option<#argument>>,
        {
            if let ::std::option::Option::Some(value) = value.into() {
                Self(#matched)
            } else {
                Self(self.0.#missing(#name))
            }
        }
    })
}

/// The body matcher: a JSON body equal to a value of the body's type. A form or byte
/// body has none (`into_inner()` matches it).
fn body_matcher(op: &OperationPlan, argument: Option<&TokenStream>) -> Option<TokenStream> {
    let body = op.body.as_ref()?;
    match (&body.content, argument) {
        (BodyContent::Json, Some(argument)) => Some(quote! {
            /// Matches a JSON body equal to `value`.
            pub fn body(self, value: #argument) -> Self {
                Self(self.0.json_body_obj(value))
            }
        }),
        (BodyContent::Text(_), _) => Some(quote! {
            /// Matches a body of exactly this text.
            pub fn body(self, value: &str) -> Self {
                Self(self.0.body(value))
            }
        }),
        _ => None,
    }
}

/// The answer of one documented status: a method named after the status's reason
/// (`not_found`), taking the body the spec gives it.
fn answer(response: &ResponseTypes) -> Result<TokenStream, String> {
    let (value, body, carries) = match &response.body {
        ResponseBody::Json { argument, .. } => (
            quote!(value: #argument,),
            quote!(.header("content-type", "application/json").json_body_obj(value)),
            " with `value` as its JSON body",
        ),
        ResponseBody::Other(media) => {
            let content_type = media
                .as_deref()
                .map(|m| quote!(.header("content-type", #m)));
            (
                quote!(value: &[u8],),
                quote!(#content_type.body(value)),
                " with `value` as its body",
            )
        }
        ResponseBody::Empty => (TokenStream::new(), TokenStream::new(), ""),
    };
    Ok(match response.status {
        Status::Code(code) => {
            let reason = http::StatusCode::from_u16(code)
                .ok()
                .and_then(|s| s.canonical_reason());
            let name = match reason {
                Some(reason) => sanitize_snake(reason),
                None => format!("status_{code}"),
            };
            let ident = format_ident!("{name}");
            let doc = format!(
                "Answers `{code}{}`{carries}.",
                reason.map(|r| format!(" {r}")).unwrap_or_default()
            );
            quote! {
                #[doc = #doc]
                pub fn #ident(self, #value) -> Self {
                    Self(self.0.status(#code) #body)
                }
            }
        }
        Status::Range(first) => {
            let name = match first {
                1 => "informational",
                2 => "success",
                3 => "redirect",
                4 => "client_error",
                5 => "server_error",
                other => return Err(format!("`{other}XX` is not a range of statuses")),
            };
            let ident = format_ident!("{name}");
            let doc = format!(
                "Answers `status`, one of the `{first}XX` the spec documents{carries}.\n\n\
                 Panics if `status` is not a `{first}XX`: a test that asks for another \
                 status is wrong."
            );
            let message = format!("a `{first}XX` status");
            quote! {
                #[doc = #doc]
                pub fn #ident(self, status: u16, #value) -> Self {
                    assert_eq!(status / 100u16, #first, #message);
                    Self(self.0.status(status) #body)
                }
            }
        }
        Status::Default => {
            let doc = format!("Answers `status`, as the spec's `default` response{carries}.");
            quote! {
                #[doc = #doc]
                pub fn default_response(self, status: u16, #value) -> Self {
                    Self(self.0.status(status) #body)
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_matched_with_its_literals_escaped() {
        assert_eq!(
            path_pattern("/v1.0/things/{id}/notes", None).unwrap(),
            ("^/v1\\.0/things/[^/]*/notes$".to_string(), None)
        );
        assert_eq!(
            path_pattern("/things/{id}/notes/{note}", Some("id")).unwrap(),
            ("^/things/".to_string(), Some("/notes/[^/]*$".to_string()))
        );
        assert!(path_pattern("/things/{id", None).is_err());
    }
}
