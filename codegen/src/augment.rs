//! Stage 4b: what progenitor does not generate, added to its syntax tree.
//!
//! - Every builder's `send()` returns the crate's own `crate::Error`: progenitor's is kept
//!   as a private `send_unchecked()`, and the new `send()` checks the parameters' bounds
//!   from the spec before anything is sent and runs the call through `crate::runtime`
//!   (retries, idempotency, tracing, error decoding).
//! - Operations that follow lomi.'s offset-pagination pattern get `stream()`.
//! - String enums become open enums with a catch-all variant, so a value lomi. adds later
//!   does not fail a whole response.
//! - `Client::new` (unauthenticated, and panicking on TLS errors) is removed; clients are
//!   built with `Client::builder`.
//!
//! The generated code refers to the hand-written parts of `lomi-client` by these paths:
//! `crate::Error`, `crate::runtime::*`, `crate::pagination::*`, and lives at
//! `crate::generated`.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};
use syn::{
    Fields, GenericArgument, ImplItem, Item, ItemMod, ItemStruct, PathArguments, ReturnType, Type,
    Visibility, parse_quote,
};

use crate::plan::{Bounds, EnumPlan, OperationPlan, Plan};

/// Where the generated module sits in `lomi-client`.
pub const GENERATED_PATH: &str = "crate::generated";

/// `tokens`, written for a crate other than the client: every path into the generated
/// module (`crate::generated::types::CurrencyCode`, which enum replacements use) goes
/// through `krate`'s re-exports instead (`lomi_client::types::CurrencyCode`).
pub fn from_outside(tokens: TokenStream, krate: &str) -> TokenStream {
    use proc_macro2::{Group, TokenTree};
    let krate = proc_macro2::Ident::new(krate, proc_macro2::Span::call_site());
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        // `crate` `:` `:` `generated` `:` `:` → `krate` `:` `:`
        let is = |at: usize, text: &str| {
            trees.get(at).is_some_and(|t| match t {
                TokenTree::Ident(id) => id == text,
                TokenTree::Punct(p) => p.as_char().to_string() == text,
                _ => false,
            })
        };
        if is(i, "crate") && is(i + 1, ":") && is(i + 2, ":") && is(i + 3, "generated") {
            out.push(TokenTree::Ident(krate.clone()));
            i += 4;
            continue;
        }
        out.push(match &trees[i] {
            TokenTree::Group(g) => {
                let mut inner =
                    Group::new(g.delimiter(), from_outside(g.stream(), &krate.to_string()));
                inner.set_span(g.span());
                TokenTree::Group(inner)
            }
            other => other.clone(),
        });
        i += 1;
    }
    out.into_iter().collect()
}

/// Fixes progenitor's httpmock helpers where they would not compile: an array query or
/// header parameter is matched as one `name=value` pair per item (as the client sends it:
/// `ids=1&ids=2`), rather than by `Vec::to_string()`, which does not exist.
pub fn httpmock(file: &mut syn::File) -> Result<(), String> {
    for item in &mut file.items {
        let Item::Mod(module) = item else { continue };
        let Some((_, items)) = &mut module.content else {
            continue;
        };
        for item in items {
            let Item::Impl(block) = item else { continue };
            for member in &mut block.items {
                let ImplItem::Fn(method) = member else {
                    continue;
                };
                // The inputs, the generics and the where clause (`T: Into<Option<&Vec<_>>>`).
                let sig = &method.sig;
                let clause = &sig.generics.where_clause;
                let signature = quote!(#sig #clause).to_string();
                if !signature.contains("Vec <") {
                    continue;
                }
                let body = method.block.to_token_stream().to_string();
                let mut rewritten = body.clone();
                for call in ["query_param", "header"] {
                    rewritten = repeat_per_item(&rewritten, call);
                }
                if rewritten != body {
                    method.block = syn::parse_str(&rewritten).map_err(|e| {
                        format!(
                            "cannot rewrite the httpmock helper {}: {e}",
                            method.sig.ident
                        )
                    })?;
                }
            }
        }
    }
    Ok(())
}

/// `Self (self . 0 . CALL (NAME , value . to_string () [,]))` → one `CALL` per item of
/// `value`.
fn repeat_per_item(body: &str, call: &str) -> String {
    let head = format!("Self (self . 0 . {call} (");
    let value = " , value . to_string ()";
    let mut out = String::new();
    let mut rest = body;
    while let Some(start) = rest.find(&head) {
        let after = &rest[start + head.len()..];
        let Some(end) = after.find(value) else { break };
        let tail = &after[end + value.len()..];
        let Some(tail) = tail
            .strip_prefix(" ,))")
            .or_else(|| tail.strip_prefix("))"))
        else {
            break;
        };
        let name = &after[..end];
        out.push_str(&rest[..start]);
        out.push_str(&format!(
            "Self (value . iter () . fold (self . 0 , | when , item | when . {call} ({name} , item . to_string ())))"
        ));
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// Applies every addition to `file`, progenitor's output for the spec `plan` was read from.
pub fn augment(file: &mut syn::File, plan: &Plan) -> Result<(), String> {
    let types = module(&file.items, "types")
        .ok_or("progenitor's output has no `types` module")?
        .clone();
    let builders = builder_methods(&file.items);
    let needed = request_builders(&file.items);
    for item in &mut file.items {
        match item {
            Item::Mod(m) if m.ident == "types" => {
                let content = &mut m.content.as_mut().ok_or("`types` is empty")?.1;
                for e in &plan.enums {
                    content.extend(open_enum(e)?);
                }
                let text_types = string_like(content, &plan.enums);
                content.extend(text_args(&text_types)?);
                crate::aliases::apply(content, &plan.aliases)?;
                let models = structs_of(content);
                let descriptions = type_descriptions(content);
                for item in content.iter_mut() {
                    match item {
                        Item::Mod(b) if b.ident == "builder" => {
                            model_builders(b, &needed, &models, &descriptions)?
                        }
                        // A field or value lomi. adds must break no user's code: models
                        // are built through their builders, and matches need a `_` arm.
                        Item::Struct(s) if is_public(&s.vis) => {
                            s.attrs.push(parse_quote!(#[non_exhaustive]))
                        }
                        Item::Enum(e)
                            if is_public(&e.vis)
                                && !e.attrs.iter().any(|a| a.path().is_ident("non_exhaustive")) =>
                        {
                            e.attrs.push(parse_quote!(#[non_exhaustive]))
                        }
                        // `Model::builder()` of a model no request takes.
                        Item::Impl(imp)
                            if imp.items.iter().any(
                                |i| matches!(i, ImplItem::Fn(f) if f.sig.ident == "builder"),
                            ) && type_name(&imp.self_ty)
                                .is_some_and(|n| !needed.contains(&n)) =>
                        {
                            imp.attrs.push(response_builders_only());
                        }
                        _ => {}
                    }
                }
            }
            Item::Impl(imp) if imp.trait_.is_none() && is_type(&imp.self_ty, "Client") => {
                imp.items
                    .retain(|i| !matches!(i, ImplItem::Fn(f) if f.sig.ident == "new"));
                for i in &mut imp.items {
                    if let ImplItem::Fn(f) = i
                        && f.sig.ident == "new_with_client"
                    {
                        f.vis = parse_quote!(pub(crate));
                    }
                }
            }
            Item::Mod(m) if m.ident == "builder" => augment_builders(m, plan, &types, &builders)?,
            _ => {}
        }
    }
    Ok(())
}

/// The first paragraph of the doc comment among `attrs`.
fn first_paragraph(attrs: &[syn::Attribute]) -> Option<String> {
    let doc = attrs.iter().find(|a| a.path().is_ident("doc"))?;
    let syn::Meta::NameValue(nv) = &doc.meta else {
        return None;
    };
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(text),
        ..
    }) = &nv.value
    else {
        return None;
    };
    let text = text.value();
    let first = text.split("\n\n").next().unwrap_or_default().trim();
    (!first.is_empty()).then(|| first.to_string())
}

/// The doc attributes among `attrs`.
fn doc_attrs(attrs: &[syn::Attribute]) -> Vec<syn::Attribute> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .cloned()
        .collect()
}

/// The description (first paragraph of the doc comment) of each documented struct and
/// enum among `items`, by name: what a setter of a `$ref`'d field says. Later paragraphs
/// may link to names that are not in scope in the builder module.
fn type_descriptions(items: &[Item]) -> Vec<(String, String)> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Struct(s) => Some((&s.ident, &s.attrs)),
            Item::Enum(e) => Some((&e.ident, &e.attrs)),
            _ => None,
        })
        .filter_map(|(name, attrs)| Some((name.to_string(), first_paragraph(attrs)?)))
        .collect()
}

fn is_public(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

/// The structs among `items`.
fn structs(items: &[Item]) -> impl Iterator<Item = &ItemStruct> {
    items.iter().filter_map(|i| match i {
        Item::Struct(s) => Some(s),
        _ => None,
    })
}

/// The structs among `items`, cloned (for a pass that rewrites `items`).
fn structs_of(items: &[Item]) -> Vec<ItemStruct> {
    structs(items).cloned().collect()
}

fn module<'a>(items: &'a [Item], name: &str) -> Option<&'a ItemMod> {
    items.iter().find_map(|i| match i {
        Item::Mod(m) if m.ident == name => Some(m),
        _ => None,
    })
}

fn is_type(ty: &Type, name: &str) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == name))
}

fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The generated types built from text: typify's constrained strings and closed enums
/// (`TryFrom<&str>`) and the open enums (`From<&str>`).
fn string_like(items: &[Item], enums: &[EnumPlan]) -> Vec<proc_macro2::Ident> {
    let mut out: Vec<proc_macro2::Ident> = enums
        .iter()
        .map(|e| format_ident!("{}", e.type_name))
        .collect();
    for item in items {
        let Item::Impl(imp) = item else { continue };
        let Some((path, _)) = &imp.trait_ else {
            continue;
        };
        let Some(last) = path.segments.last() else {
            continue;
        };
        let from_str = (last.ident == "TryFrom" || last.ident == "From")
            && matches!(&last.arguments, PathArguments::AngleBracketed(a)
                if a.args.len() == 1
                    && matches!(a.args.first(), Some(GenericArgument::Type(Type::Reference(r)))
                        if matches!(r.elem.as_ref(), Type::Path(p) if p.path.is_ident("str"))));
        if from_str
            && let Type::Path(p) = imp.self_ty.as_ref()
            && let Some(ident) = p.path.get_ident()
            && !out.contains(ident)
        {
            out.push(ident.clone());
        }
    }
    out
}

/// `IntoArg` from `&str` and `String` for the types built from text, so that setters
/// take `.currency_code("XOF")`.
fn text_args(types: &[proc_macro2::Ident]) -> Result<Vec<Item>, String> {
    let mut out = Vec::new();
    for ty in types {
        for source in [quote!(&str), quote!(::std::string::String)] {
            let tokens = quote! {
                impl crate::IntoArg<#ty> for #source {
                    #[inline]
                    fn into_arg(self) -> ::std::result::Result<#ty, ::std::string::String> {
                        #ty::try_from(self).map_err(|e| e.to_string())
                    }
                }
                impl crate::IntoArg<::std::option::Option<#ty>> for #source {
                    #[inline]
                    fn into_arg(
                        self,
                    ) -> ::std::result::Result<::std::option::Option<#ty>, ::std::string::String> {
                        #ty::try_from(self).map(::std::option::Option::Some).map_err(|e| e.to_string())
                    }
                }
            };
            let file: syn::File = syn::parse2(tokens)
                .map_err(|e| format!("generated an invalid conversion for {ty}: {e}"))?;
            out.extend(file.items);
        }
    }
    Ok(out)
}

/// The attribute that keeps an item out of the default build: builders of models that
/// no request takes (responses, pagination, errors) cost compile time and serve only to
/// build mock responses, so they come with the `response-builders` feature.
fn response_builders_only() -> syn::Attribute {
    parse_quote!(#[cfg(feature = "response-builders")])
}

/// The model builders some request needs: the operation builders' bodies, and the
/// models their fields hold, transitively.
fn request_builders(items: &[Item]) -> Vec<String> {
    let model_builders: Vec<&ItemStruct> = module(items, "types")
        .and_then(|t| module(t.content.as_ref()?.1.as_slice(), "builder"))
        .and_then(|b| b.content.as_ref())
        .map(|(_, items)| structs(items).collect())
        .unwrap_or_default();
    let mut needed: Vec<String> = Vec::new();
    let mut queue: Vec<Type> = module(items, "builder")
        .and_then(|b| b.content.as_ref())
        .map(|(_, items)| {
            structs(items)
                .flat_map(|s| s.fields.iter().map(|f| f.ty.clone()))
                .collect()
        })
        .unwrap_or_default();
    while let Some(ty) = queue.pop() {
        let mut named = Vec::new();
        type_idents(&ty, &mut named);
        for name in named {
            if needed.contains(&name) {
                continue;
            }
            if let Some(s) = model_builders.iter().find(|s| s.ident == name) {
                needed.push(name);
                queue.extend(s.fields.iter().map(|f| f.ty.clone()));
            }
        }
    }
    needed
}

/// The last identifier of every path inside `ty` (`Result<Option<super::X>, String>`
/// gives `Result`, `Option`, `X`, `String`).
fn type_idents(ty: &Type, out: &mut Vec<String>) {
    walk_type(ty, &mut |_, p| {
        if let Some(last) = p.path.segments.last() {
            out.push(last.ident.to_string());
        }
        true
    });
}

/// Calls `visit` on `ty` if it is a path, then, while `visit` returns `true`, on the
/// types among its generic arguments, depth first.
fn walk_type(ty: &Type, visit: &mut impl FnMut(&Type, &syn::TypePath) -> bool) {
    let Type::Path(p) = ty else { return };
    if !visit(ty, p) {
        return;
    }
    for segment in &p.path.segments {
        if let PathArguments::AngleBracketed(args) = &segment.arguments {
            for arg in &args.args {
                if let GenericArgument::Type(inner) = arg {
                    walk_type(inner, visit);
                }
            }
        }
    }
}

/// typify's model builders: every setter takes `impl IntoArg<T>`, and each builder is an
/// `IntoArg` of its model (so `.body(Model::builder()..)` and nested builders work).
/// Builders no request needs are kept out of the default build.
fn model_builders(
    builder: &mut ItemMod,
    needed: &[String],
    models: &[ItemStruct],
    descriptions: &[(String, String)],
) -> Result<(), String> {
    let items = &mut builder
        .content
        .as_mut()
        .ok_or("`types::builder` is empty")?
        .1;
    let structs = structs_of(items);
    let mut rebuilt: Vec<Item> = Vec::new();
    for model in &structs {
        let defaults = items.iter().find_map(|i| match i {
            Item::Impl(imp)
                if type_name(&imp.self_ty).is_some_and(|n| model.ident == n)
                    && imp
                        .trait_
                        .as_ref()
                        .and_then(|(p, _)| p.segments.last())
                        .is_some_and(|s| s.ident == "Default") =>
            {
                Some(imp)
            }
            _ => None,
        });
        let described = models.iter().find(|m| m.ident == model.ident);
        let mut model_items = compact_builder(model, defaults, described, descriptions)?;
        if !needed.contains(&model.ident.to_string()) {
            for item in &mut model_items {
                match item {
                    Item::Struct(s) => s.attrs.push(response_builders_only()),
                    Item::Impl(imp) => imp.attrs.push(response_builders_only()),
                    _ => {}
                }
            }
        }
        rebuilt.extend(model_items);
    }
    // Anything typify may add besides its builders stays as it is.
    rebuilt.extend(items.drain(..).filter(|i| match i {
        Item::Struct(_) => false,
        Item::Impl(imp) => {
            !type_name(&imp.self_ty).is_some_and(|n| structs.iter().any(|s| s.ident == n))
        }
        _ => true,
    }));
    *items = rebuilt;
    Ok(())
}

/// One of typify's model builders, rewritten to cost less to compile: each field holds
/// its value (a required one an `Option`) instead of a `Result`, and the setters' refusals
/// are kept in one list (a later good value for a field clears its refusal), so turning
/// the builder into its model checks one list instead of branching on every field.
/// Setters take `impl IntoArg<T>`.
fn compact_builder(
    model: &ItemStruct,
    defaults: Option<&syn::ItemImpl>,
    described: Option<&ItemStruct>,
    descriptions: &[(String, String)],
) -> Result<Vec<Item>, String> {
    let name = &model.ident;
    let broken = |why: &str| format!("typify's builder `{name}` {why}");
    // The default of each field, from typify's `Default`: `Ok(value)` or `Err(missing)`.
    let mut defaults_by_field: Vec<(String, syn::Expr)> = Vec::new();
    if let Some(imp) = defaults
        && let Some(ImplItem::Fn(f)) = imp.items.first()
        && let Some(syn::Stmt::Expr(syn::Expr::Struct(lit), None)) = f.block.stmts.last()
    {
        for field in &lit.fields {
            if let syn::Member::Named(ident) = &field.member {
                defaults_by_field.push((ident.to_string(), field.expr.clone()));
            }
        }
    }
    let Fields::Named(named) = &model.fields else {
        return Err(broken("has no named fields"));
    };
    let mut fields = Vec::new();
    for field in &named.named {
        let ident = field
            .ident
            .clone()
            .ok_or_else(|| broken("has an unnamed field"))?;
        let (wrapped, inner) = unwrap_generic(&field.ty, "Result");
        if !wrapped {
            return Err(broken("has a field that is not a Result"));
        }
        let default = defaults_by_field
            .iter()
            .find(|(n, _)| ident == n)
            .map(|(_, e)| e.clone())
            .ok_or_else(|| broken(&format!("has no default for `{ident}`")))?;
        // `Ok(value)`: the value; `Err("no value supplied for x".to_string())`: required.
        let (required, default) = match &default {
            syn::Expr::Call(call) if matches!(call.func.as_ref(), syn::Expr::Path(p) if p.path.is_ident("Ok")) => {
                (
                    false,
                    call.args
                        .first()
                        .cloned()
                        .ok_or_else(|| broken("has an empty Ok"))?,
                )
            }
            _ => (true, parse_quote!(::std::option::Option::None)),
        };
        fields.push((ident, inner, required, default));
    }
    let field_names: Vec<String> = fields.iter().map(|(i, ..)| i.to_string()).collect();
    let mut errors = "errors_".to_string();
    while field_names.contains(&errors) {
        errors.push('_');
    }
    let errors = format_ident!("{errors}");
    let declarations = fields.iter().map(|(ident, ty, required, _)| {
        if *required {
            quote!(#ident: ::std::option::Option<#ty>,)
        } else {
            quote!(#ident: #ty,)
        }
    });
    let initial = fields
        .iter()
        .map(|(ident, _, _, default)| quote!(#ident: #default,));
    // A `$ref`'d property has no description of its own (OpenAPI 3.0 drops a `$ref`'s
    // siblings): its type's says what it is.
    let type_docs = |ty: &Type| -> Vec<syn::Attribute> {
        let mut names = Vec::new();
        type_idents(ty, &mut names);
        names
            .iter()
            .find_map(|n| descriptions.iter().find(|(name, _)| name == n))
            .map(|(_, doc)| vec![parse_quote!(#[doc = #doc])])
            .unwrap_or_default()
    };
    // Each setter says what its field is: the schema's description, which typify put
    // on the model's field.
    let field_docs = |ident: &syn::Ident| -> Vec<syn::Attribute> {
        let Some(Fields::Named(named)) = described.map(|m| &m.fields) else {
            return Vec::new();
        };
        named
            .named
            .iter()
            .find(|f| f.ident.as_ref() == Some(ident))
            .map(|f| doc_attrs(&f.attrs))
            .unwrap_or_default()
    };
    let setters = fields.iter().map(|(ident, ty, required, _)| {
        let label = ident.to_string();
        let set = if *required {
            quote!(crate::arg::set_required)
        } else {
            quote!(crate::arg::set)
        };
        let mut docs = field_docs(ident);
        if docs.is_empty() {
            docs = type_docs(ty);
        }
        if docs.is_empty() {
            let doc = format!("Sets `{label}`.");
            docs.push(parse_quote!(#[doc = #doc]));
        }
        if *required {
            let doc = format!("\n\nRequired: building without it fails, naming `{label}`.");
            docs.push(parse_quote!(#[doc = #doc]));
        }
        quote! {
            #(#docs)*
            pub fn #ident<T>(mut self, value: T) -> Self
            where
                T: crate::IntoArg<#ty>,
            {
                #set(&mut self.#ident, &mut self.#errors, #label, value);
                self
            }
        }
    });
    let built = fields.iter().map(|(ident, _, required, _)| {
        if *required {
            let missing = format!("no value supplied for {ident}");
            quote!(#ident: value.#ident.ok_or(#missing)?,)
        } else {
            quote!(#ident: value.#ident,)
        }
    });
    let back = fields.iter().map(|(ident, _, required, _)| {
        if *required {
            quote!(#ident: ::std::option::Option::Some(value.#ident),)
        } else {
            quote!(#ident: value.#ident,)
        }
    });
    let docs = doc_attrs(&model.attrs);
    let tokens = quote! {
        #(#docs)*
        #[derive(Clone, Debug)]
        pub struct #name {
            #(#declarations)*
            #errors: ::std::vec::Vec<(&'static str, ::std::string::String)>,
        }
        impl ::std::default::Default for #name {
            fn default() -> Self {
                Self {
                    #(#initial)*
                    #errors: ::std::vec::Vec::new(),
                }
            }
        }
        impl #name {
            #(#setters)*
        }
        impl ::std::convert::TryFrom<#name> for super::#name {
            type Error = super::error::ConversionError;
            fn try_from(value: #name) -> ::std::result::Result<Self, super::error::ConversionError> {
                if let ::std::option::Option::Some((field, e)) = value.#errors.into_iter().next() {
                    return ::std::result::Result::Err(format!("`{field}`: {e}").into());
                }
                ::std::result::Result::Ok(Self {
                    #(#built)*
                })
            }
        }
        impl ::std::convert::From<super::#name> for #name {
            fn from(value: super::#name) -> Self {
                Self {
                    #(#back)*
                    #errors: ::std::vec::Vec::new(),
                }
            }
        }
        impl crate::IntoArg<super::#name> for #name {
            #[inline]
            fn into_arg(self) -> ::std::result::Result<super::#name, ::std::string::String> {
                super::#name::try_from(self).map_err(|e| e.to_string())
            }
        }
        impl crate::IntoArg<::std::option::Option<super::#name>> for #name {
            #[inline]
            fn into_arg(
                self,
            ) -> ::std::result::Result<::std::option::Option<super::#name>, ::std::string::String> {
                super::#name::try_from(self)
                    .map(::std::option::Option::Some)
                    .map_err(|e| e.to_string())
            }
        }
    };
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("generated an invalid builder for {name}: {e}"))?;
    Ok(file.items)
}

/// Turns a progenitor parameter setter (`fn f<V>(mut self, value: V) -> Self where V:
/// TryInto<T>`) into one that takes `impl IntoArg<T>`; other functions are left alone.
/// A number out of the type's range is reported with the spec's `bounds`, if any.
fn rewrite_setter(f: &mut syn::ImplItemFn, bounds: Option<TokenStream>) {
    let Some(syn::GenericParam::Type(generic)) = f.sig.generics.params.first() else {
        return;
    };
    let generic = generic.ident.clone();
    let Some(target) = f.sig.generics.where_clause.as_ref().and_then(|w| {
        w.predicates.iter().find_map(|p| match p {
            syn::WherePredicate::Type(t) => t.bounds.iter().find_map(|b| match b {
                syn::TypeParamBound::Trait(tb) => {
                    let last = tb.path.segments.last()?;
                    if last.ident != "TryInto" {
                        return None;
                    }
                    match &last.arguments {
                        PathArguments::AngleBracketed(a) => match a.args.first() {
                            Some(GenericArgument::Type(t)) => Some(t.clone()),
                            _ => None,
                        },
                        _ => None,
                    }
                }
                _ => None,
            }),
            _ => None,
        })
    }) else {
        return;
    };
    let field = f.sig.ident.clone();
    let body = &f.block;
    let text = quote!(#body).to_string();
    // What progenitor did with the converted value: wrap it, or turn it into a builder.
    let then = if text.contains(". map (Some)") {
        quote!(.map(::std::option::Option::Some))
    } else if text.contains(". map (From :: from)") {
        quote!(.map(::std::convert::From::from))
    } else {
        quote!()
    };
    let bounds = bounds.unwrap_or_else(|| quote!(::std::option::Option::None));
    let convert = quote!(crate::runtime::arg(value, #bounds));
    f.sig.generics.where_clause = Some(parse_quote!(where #generic: crate::IntoArg<#target>));
    f.block = parse_quote!({
        self.#field = #convert #then;
        self
    });
}

/// Which client method each builder type belongs to, read off progenitor's
/// `impl Client { pub fn create_thing(&self) -> builder::CreateThing<'_> { … } }`.
fn builder_methods(items: &[Item]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for item in items {
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || !is_type(&imp.self_ty, "Client") {
            continue;
        }
        for i in &imp.items {
            if let ImplItem::Fn(f) = i
                && let ReturnType::Type(_, ty) = &f.sig.output
                && let Type::Path(p) = ty.as_ref()
                && p.path
                    .segments
                    .first()
                    .is_some_and(|s| s.ident == "builder")
                && let Some(name) = type_name(ty)
            {
                out.push((name, f.sig.ident.to_string()));
            }
        }
    }
    out
}

fn augment_builders(
    builder: &mut ItemMod,
    plan: &Plan,
    types: &ItemMod,
    methods: &[(String, String)],
) -> Result<(), String> {
    let items = &mut builder.content.as_mut().ok_or("`builder` is empty")?.1;
    // Generated types (enums, constrained strings) that a bounds check takes.
    let mut checked_types: Vec<Type> = Vec::new();
    let mut builders_with_options: Vec<String> = Vec::new();
    let structs = structs_of(items);
    for item in items.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        let Some(send_index) = imp
            .items
            .iter()
            .position(|i| matches!(i, ImplItem::Fn(f) if f.sig.ident == "send"))
        else {
            continue;
        };
        let name = type_name(&imp.self_ty).ok_or("a builder impl without a type name")?;
        let fields: Vec<(String, Type)> = structs
            .iter()
            .find(|s| s.ident == name)
            .map(|s| match &s.fields {
                Fields::Named(named) => named
                    .named
                    .iter()
                    .filter_map(|f| f.ident.as_ref().map(|i| (i.to_string(), f.ty.clone())))
                    .filter(|(f, _)| f != "client")
                    .collect(),
                _ => Vec::new(),
            })
            .ok_or_else(|| format!("no builder struct `{name}`"))?;
        let ImplItem::Fn(send) = &mut imp.items[send_index] else {
            unreachable!("found as a fn above")
        };
        let method = methods
            .iter()
            .find(|(builder, _)| *builder == name)
            .map(|(_, method)| method)
            .ok_or_else(|| format!("no client method returns `builder::{name}`"))?;
        let op = plan
            .operations
            .iter()
            .find(|o| o.method == *method)
            .ok_or_else(|| format!("operation `{method}` is not in the spec"))?;

        let docs = doc_attrs(&send.attrs);
        send.attrs.retain(|a| !a.path().is_ident("doc"));
        send.sig.ident = format_ident!("send_unchecked");
        send.vis = Visibility::Inherited;
        let ok_type = ok_type(&send.sig.output)
            .ok_or_else(|| format!("`{name}::send` does not return a Result"))?;

        for (field, ty) in &fields {
            let bounded = op
                .params
                .iter()
                .any(|p| p.field == *field && (p.bounds.is_some() || p.in_path));
            if bounded {
                generated_types(ty, &mut checked_types);
            }
        }
        let names: Vec<String> = fields.into_iter().map(|(f, _)| f).collect();
        for i in &mut imp.items {
            if let ImplItem::Fn(f) = i
                && names.iter().any(|n| f.sig.ident == n)
            {
                let param = op.params.iter().find(|p| f.sig.ident == p.field);
                let bounds = param.and_then(|p| p.bounds.as_ref()).map(|b| {
                    let b = bounds_tokens(b);
                    quote!(::std::option::Option::Some(#b))
                });
                rewrite_setter(f, bounds);
                if !f.attrs.iter().any(|a| a.path().is_ident("doc")) {
                    let doc = setter_doc(param, &f.sig.ident.to_string());
                    f.attrs.push(parse_quote!(#[doc = #doc]));
                }
            } else if let ImplItem::Fn(f) = i
                && let Some(field) = f.sig.ident.to_string().strip_suffix("_map")
                && names.iter().any(|n| n == field)
                && !f.attrs.iter().any(|a| a.path().is_ident("doc"))
            {
                let doc = format!(
                    "Changes the `{field}` through its builder (a closure that takes it and \
                     returns it), keeping what was already set."
                );
                f.attrs.push(parse_quote!(#[doc = #doc]));
            }
        }
        with_call_options(imp, &name)?;
        let wrapper = send_wrapper(op, &names, &docs, &ok_type);
        imp.items.push(parse_impl_item(wrapper)?);
        for method in option_methods(op, imp) {
            imp.items.push(parse_impl_item(method)?);
        }
        if op.paginated {
            let stream = stream_method(op, &name, &names, &ok_type, types)?;
            imp.items.push(parse_impl_item(stream)?);
        }
        builders_with_options.push(name);
    }
    // Every builder carries its call's options (timeout, retries, idempotency key).
    for item in items.iter_mut() {
        if let Item::Struct(s) = item
            && builders_with_options.iter().any(|b| s.ident == b)
            && let Fields::Named(named) = &mut s.fields
        {
            named.named.push(
                syn::parse::Parser::parse2(
                    syn::Field::parse_named,
                    quote!(
                        #OPTIONS_FIELD: crate::runtime::CallOptions
                    ),
                )
                .map_err(|e| format!("generated an invalid field: {e}"))?,
            );
        }
    }
    items.extend(param_value_impls(&checked_types)?);
    Ok(())
}

/// The builder field that holds a call's options. Progenitor's field names are
/// snake-case parameter names with a `_` suffix only for keywords, so this cannot
/// collide with one.
const OPTIONS_FIELD: OptionsField = OptionsField;

/// Tokens of the [`OPTIONS_FIELD`] name.
#[derive(Clone, Copy)]
struct OptionsField;

impl quote::ToTokens for OptionsField {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        format_ident!("options_").to_tokens(tokens);
    }
}

/// What an operation builder's setter sets: the parameter's description, its bounds,
/// or, for the body, what it takes.
fn setter_doc(param: Option<&crate::plan::ParamPlan>, name: &str) -> String {
    let Some(param) = param else {
        return format!(
            "Sets the `{name}`: a model, or its builder (a refused field is reported by `send()`)."
        );
    };
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
    doc
}

/// Initializes the options field in `new()` and lets `send_unchecked()` ignore it.
fn with_call_options(imp: &mut syn::ItemImpl, name: &str) -> Result<(), String> {
    let mut initialized = false;
    let mut ignored = false;
    for item in &mut imp.items {
        let ImplItem::Fn(f) = item else { continue };
        if f.sig.ident == "new" {
            if let Some(syn::Stmt::Expr(syn::Expr::Struct(lit), None)) = f.block.stmts.last_mut() {
                lit.fields
                    .push(parse_quote!(#OPTIONS_FIELD: ::std::default::Default::default()));
                initialized = true;
            }
        } else if f.sig.ident == "send_unchecked" {
            for stmt in &mut f.block.stmts {
                if let syn::Stmt::Local(local) = stmt
                    && let syn::Pat::Struct(pat) = &mut local.pat
                {
                    pat.rest = Some(syn::PatRest {
                        attrs: Vec::new(),
                        dot2_token: Default::default(),
                    });
                    ignored = true;
                    break;
                }
            }
        }
    }
    if initialized && ignored {
        Ok(())
    } else {
        Err(format!(
            "progenitor's `{name}` builder has no `new()` struct literal or `send` destructuring to extend"
        ))
    }
}

/// `timeout()`, `max_retries()` and, for POSTs, `idempotency_key()` on a builder; a
/// name a parameter already takes gets a `request_` prefix.
fn option_methods(op: &OperationPlan, imp: &syn::ItemImpl) -> Vec<TokenStream> {
    let taken = |name: &str| {
        imp.items
            .iter()
            .any(|i| matches!(i, ImplItem::Fn(f) if f.sig.ident == name))
    };
    let pick = |name: &str| {
        if taken(name) {
            format_ident!("request_{name}")
        } else {
            format_ident!("{name}")
        }
    };
    let (timeout, retries) = (pick("timeout"), pick("max_retries"));
    let mut out = vec![
        quote! {
            /// Time allowed for each attempt of this call, from sending to the last byte
            /// of the body (the client's `timeout` otherwise).
            pub fn #timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.#OPTIONS_FIELD.timeout = ::std::option::Option::Some(timeout);
                self
            }
        },
        quote! {
            /// How many times this call is retried on a transient failure (the client's
            /// retry policy otherwise; 0 turns retrying off).
            pub fn #retries(mut self, retries: u32) -> Self {
                self.#OPTIONS_FIELD.max_retries = ::std::option::Option::Some(retries);
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
                self.#OPTIONS_FIELD.idempotency_key = ::std::option::Option::Some(key.into());
                self
            }
        });
    }
    out
}

/// The runtime checks bounds through `ParamValue`, which it implements for every
/// std, uuid and chrono type; generated types get an implementation with no number and
/// no text, so their check is that they converted.
fn param_value_impls(types: &[Type]) -> Result<Vec<Item>, String> {
    types
        .iter()
        .map(|ty| {
            syn::parse2(quote!(impl crate::runtime::ParamValue for #ty {}))
                .map_err(|e| format!("generated an invalid impl: {e}"))
        })
        .collect()
}

/// Every `types::…` path inside `ty` (`Result<Option<types::X>, String>` gives `types::X`).
fn generated_types(ty: &Type, out: &mut Vec<Type>) {
    walk_type(ty, &mut |ty, p| {
        if p.path.segments.first().is_none_or(|s| s.ident != "types") {
            return true;
        }
        let text = quote!(#ty).to_string();
        if !out.iter().any(|t| quote!(#t).to_string() == text) {
            out.push(ty.clone());
        }
        false
    });
}

fn parse_impl_item(tokens: TokenStream) -> Result<ImplItem, String> {
    syn::parse2(tokens).map_err(|e| format!("generated an invalid method: {e}"))
}

/// `ResponseValue<T>` out of `Result<ResponseValue<T>, Error<E>>`.
fn ok_type(output: &ReturnType) -> Option<GenericArgument> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    let Type::Path(path) = ty.as_ref() else {
        return None;
    };
    let last = path.path.segments.last()?;
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    args.args.first().cloned()
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
        crate::runtime::Bounds {
            minimum: #min,
            maximum: #max,
            min_length: #min_len,
            max_length: #max_len,
        }
    }
}

fn send_wrapper(
    op: &OperationPlan,
    fields: &[String],
    docs: &[syn::Attribute],
    ok_type: &GenericArgument,
) -> TokenStream {
    let checks = fields.iter().map(|field| {
        let ident = format_ident!("{field}");
        let param = op.params.iter().find(|p| p.field == *field);
        let name = param.map_or(field.as_str(), |p| p.name.as_str());
        let check = match param.and_then(|p| p.bounds.as_ref()) {
            Some(bounds) => {
                let bounds = bounds_tokens(bounds);
                quote! { crate::runtime::check_bounds(&operation, &self.#ident, #name, #bounds)?; }
            }
            None => quote! { crate::runtime::check_set(&operation, &self.#ident, #name)?; },
        };
        // `.` and `..` would leave the segment: the URL parser resolves them (percent-
        // encoded too), and the request would reach another endpoint.
        let segment = param.filter(|p| p.in_path).map(|_| {
            quote! { crate::runtime::check_path_segment(&operation, &self.#ident, #name)?; }
        });
        quote! { #check #segment }
    });
    let id = &op.operation_id;
    let method = &op.method;
    let http = &op.http_method;
    let path = &op.path;
    let body = response_body(ok_type);
    quote! {
        #(#docs)*
        ///
        /// Parameters are checked against the spec's bounds before anything is sent; the
        /// call is retried on transient failures (see [`crate::RetryPolicy`]).
        pub async fn send(mut self) -> ::std::result::Result<crate::ResponseValue<#body>, crate::Error> {
            let options = ::std::mem::take(&mut self.#OPTIONS_FIELD);
            let operation = crate::runtime::Operation {
                id: #id,
                method: #method,
                http_method: #http,
                path: #path,
            };
            #(#checks)*
            // Boxed: progenitor's future is large, and every layer that holds it by
            // value would copy it.
            crate::runtime::call(operation, options, ::std::boxed::Box::pin(self.send_unchecked()))
                .await
        }
    }
}

/// `T` out of progenitor's `ResponseValue<T>` (the type itself if it is not one).
fn response_body(ok_type: &GenericArgument) -> TokenStream {
    if let GenericArgument::Type(Type::Path(p)) = ok_type
        && let Some(last) = p.path.segments.last()
        && last.ident == "ResponseValue"
        && let PathArguments::AngleBracketed(a) = &last.arguments
        && let Some(GenericArgument::Type(inner)) = a.args.first()
    {
        return quote!(#inner);
    }
    quote!(#ok_type)
}

/// `stream()`: every item of an offset-paginated list, one page in memory at a time.
fn stream_method(
    op: &OperationPlan,
    builder: &str,
    fields: &[String],
    ok_type: &GenericArgument,
    types: &ItemMod,
) -> Result<TokenStream, String> {
    let envelope = match ok_type {
        GenericArgument::Type(Type::Path(p)) => p
            .path
            .segments
            .last()
            .and_then(|s| match &s.arguments {
                PathArguments::AngleBracketed(a) => a.args.first(),
                _ => None,
            })
            .and_then(|a| match a {
                GenericArgument::Type(t) => type_name(t),
                _ => None,
            }),
        _ => None,
    }
    .ok_or_else(|| format!("`{}` does not return a typed body", op.method))?;
    let envelope_struct = find_struct(types, &envelope)
        .ok_or_else(|| format!("no struct `{envelope}` in `types`"))?;
    let field = |name: &str| -> Result<Type, String> {
        match &envelope_struct.fields {
            Fields::Named(n) => n
                .named
                .iter()
                .find(|f| f.ident.as_ref().is_some_and(|i| i == name))
                .map(|f| f.ty.clone())
                .ok_or_else(|| format!("`{envelope}` has no `{name}` field")),
            _ => Err(format!("`{envelope}` has no named fields")),
        }
    };
    let data = field("data")?;
    let pagination = field("pagination")?;
    let (data_optional, data_inner) = unwrap_generic(&data, "Option");
    let (_, item) = unwrap_generic(&data_inner, "Vec");
    if !is_generic(&data_inner, "Vec") {
        return Err(format!("`{envelope}.data` is not a list"));
    }
    let item = qualify(&item);
    let pagination_optional = is_generic(&pagination, "Option");
    let items = if data_optional {
        quote!(page.data.unwrap_or_default())
    } else {
        quote!(page.data)
    };
    let (total, limit) = if pagination_optional {
        (
            quote!(
                page.pagination
                    .as_ref()
                    .and_then(|p| crate::pagination::count(p.total))
            ),
            quote!(
                page.pagination
                    .as_ref()
                    .and_then(|p| crate::pagination::count(p.limit))
            ),
        )
    } else {
        (
            quote!(crate::pagination::count(page.pagination.total)),
            quote!(crate::pagination::count(page.pagination.limit)),
        )
    };
    let builder = format_ident!("{builder}");
    let limit_field = op
        .params
        .iter()
        .find(|p| p.name == "limit")
        .map(|p| format_ident!("{}", p.field))
        .ok_or_else(|| format!("`{}` has no `limit` parameter", op.method))?;
    let default_size = op.page_size.unwrap_or(20);
    let vars: Vec<proc_macro2::Ident> = (0..fields.len())
        .map(|i| format_ident!("field_{i}"))
        .collect();
    let fields: Vec<proc_macro2::Ident> = fields.iter().map(|f| format_ident!("{f}")).collect();
    let doc = format!(
        "Streams every item of `{}`, walking the offset pages from the builder's `offset` \
         (default 0) with its `limit` (default {default_size}, always sent) and other \
         parameters, and stopping after the last page: an empty or short one, or the \
         `total` the server reports. A server that answers the same page for every \
         offset ends the stream with an error instead of a loop. \
         Only one page is held in memory at a time, and the stream owns what it needs \
         (it is `'static`): return it from a function or move it into a task.\n\n\
         ```no_run\n\
         # async fn run(client: lomi_client::Client) -> Result<(), lomi_client::Error> {{\n\
         use lomi_client::prelude::*;\n\n\
         let mut items = client.{}().limit(100).stream();\n\
         while let Some(item) = items.try_next().await? {{\n\
         \x20   println!(\"{{item:?}}\");\n\
         }}\n\
         # Ok(())\n\
         # }}\n\
         ```",
        op.operation_id, op.method
    );
    Ok(quote! {
        #[doc = #doc]
        pub fn stream(self) -> crate::pagination::ItemStream<'static, #item> {
            let start = crate::pagination::start_offset(&self.offset);
            let (size, set_size) = crate::pagination::page_size(&self.#limit_field, #default_size);
            // Owned: the stream keeps a clone of the client (cheap: shared pools) and of
            // the parameters, and rebuilds the request for each page.
            let client = ::std::clone::Clone::clone(self.client);
            let #builder { #(#fields: #vars,)* #OPTIONS_FIELD: options, .. } = self;
            crate::pagination::offset_stream(start, size, move |offset| {
                let client = ::std::clone::Clone::clone(&client);
                #(let #vars = ::std::clone::Clone::clone(&#vars);)*
                let options = options.page();
                async move {
                    let request = #builder {
                        client: &client,
                        #(#fields: #vars,)*
                        #OPTIONS_FIELD: options,
                    }
                    .offset(offset);
                    let request = if set_size { request.#limit_field(size) } else { request };
                    let page = request.send().await?.into_inner();
                    ::std::result::Result::Ok(crate::pagination::Page {
                        total: #total,
                        limit: #limit,
                        items: #items,
                    })
                }
            })
        }
    })
}

fn find_struct<'a>(types: &'a ItemMod, name: &str) -> Option<&'a ItemStruct> {
    types.content.as_ref()?.1.iter().find_map(|i| match i {
        Item::Struct(s) if s.ident == name => Some(s),
        _ => None,
    })
}

fn is_generic(ty: &Type, wrapper: &str) -> bool {
    unwrap_generic(ty, wrapper).0
}

/// `(true, T)` for `wrapper<T>` (however qualified), `(false, ty)` otherwise.
fn unwrap_generic(ty: &Type, wrapper: &str) -> (bool, Type) {
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

/// A type named inside `types` (e.g. `CheckoutSessions`) as seen from `builder`.
fn qualify(ty: &Type) -> TokenStream {
    match ty {
        Type::Path(p) if p.qself.is_none() && p.path.leading_colon.is_none() => {
            quote!(types::#p)
        }
        other => quote!(#other),
    }
}

/// An enum that round-trips every known value and keeps unknown ones as text.
fn open_enum(e: &EnumPlan) -> Result<Vec<Item>, String> {
    let tokens = open_enum_tokens(e);
    let file: syn::File = syn::parse2(tokens)
        .map_err(|err| format!("generated an invalid enum {}: {err}", e.type_name))?;
    Ok(file.items)
}

/// The open enum for `e`: its variants, a catch-all for values it does not know, and
/// `as_str`, `From<&str>`, `FromStr`, `Display` and serde by the value's text.
pub fn open_enum_tokens(e: &EnumPlan) -> TokenStream {
    let name = format_ident!("{}", e.type_name);
    // An enum with no known value has only the catch-all, and `known => known` is
    // unreachable.
    let only_catch_all = e
        .variants
        .is_empty()
        .then(|| quote!(#[allow(unreachable_patterns)]));
    let unknown = format_ident!("{}", e.unknown);
    let doc = e
        .description
        .clone()
        .unwrap_or_else(|| format!("`{}`", e.schema));
    let doc = format!(
        "{doc}\n\nOpen: a value this version does not know yet decodes as \
         [`{}::{}`] instead of failing the whole response.",
        e.type_name, e.unknown
    );
    let variants = e.variants.iter().map(|(value, v)| {
        let v = format_ident!("{v}");
        let vdoc = format!("`{value}`");
        quote!(#[doc = #vdoc] #v,)
    });
    let to_str = e.variants.iter().map(|(value, v)| {
        let v = format_ident!("{v}");
        quote!(Self::#v => #value,)
    });
    let from_str = e.variants.iter().map(|(value, v)| {
        let v = format_ident!("{v}");
        quote!(#value => Self::#v,)
    });
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value lomi. added after this client was generated.
            #unknown(::std::string::String),
        }
        impl #name {
            /// The value as lomi. sends it.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_str)*
                    Self::#unknown(value) => value.as_str(),
                }
            }
        }
        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_str)*
                    other => Self::#unknown(other.to_string()),
                }
            }
        }
        impl ::std::convert::From<::std::string::String> for #name {
            #only_catch_all
            fn from(value: ::std::string::String) -> Self {
                match Self::from(value.as_str()) {
                    Self::#unknown(_) => Self::#unknown(value),
                    known => known,
                }
            }
        }
        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(Self::from(value))
            }
        }
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                ::std::string::String::deserialize(deserializer).map(Self::from)
            }
        }
    }
}

/// What typify should put where it would have generated a closed enum.
pub fn enum_path(e: &EnumPlan) -> String {
    format!("{GENERATED_PATH}::types::{}", e.type_name)
}

#[cfg(test)]
mod httpmock_tests {
    #[test]
    fn an_array_parameter_is_matched_item_by_item() {
        for body in [
            r#"{ Self (self . 0 . query_param ("ids" , value . to_string () ,)) }"#,
            r#"{ Self (self . 0 . query_param ("ids" , value . to_string ())) }"#,
        ] {
            assert_eq!(
                super::repeat_per_item(body, "query_param"),
                r#"{ Self (value . iter () . fold (self . 0 , | when , item | when . query_param ("ids" , item . to_string ()))) }"#
            );
        }
        let other = r#"{ Self (self . 0 . query_param_missing ("ids")) }"#;
        assert_eq!(super::repeat_per_item(other, "query_param"), other);
    }
}
