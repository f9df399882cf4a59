//! The models: typify's types as it generates them, with what no typify setting offers,
//! each an edit of a named item, never of token text:
//!
//! - string enums become open enums with a catch-all variant (typify is told to use them
//!   through `with_replacement`), so a value lomi. adds later does not fail a response;
//! - every public model and enum is `#[non_exhaustive]`, so a field or value lomi. adds
//!   breaks no user's code (models are built through their builders);
//! - text-built types (enums, constrained strings) take `&str` and `String` as
//!   [`IntoArg`](crate) in setters;
//! - typify's model builders are rebuilt compact (one list of refusals instead of a
//!   `Result` per field), with `IntoArg` setters documented from the schema; builders
//!   of models no request takes are compiled only with the `response-builders` feature;
//! - aliased properties decode through a wire twin ([`crate::emit::aliases`]).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{
    Fields, GenericArgument, ImplItem, Item, ItemMod, ItemStruct, PathArguments, Type, Visibility,
    parse_quote,
};

use crate::emit::operations::unwrap_generic;
use crate::emit::typing::{ModelFacts, TypeFacts};
use crate::plan::{EnumPlan, FieldRename, Plan};

/// Where the generated module sits in `lomi-client`.
pub const GENERATED_PATH: &str = "crate::generated";

/// Applies every model addition to `types`, typify's module of models for the spec
/// `plan` was read from, with what the type space says of them (`typed`).
pub fn apply(types: &mut ItemMod, plan: &Plan, typed: &TypeFacts) -> Result<(), String> {
    let content = &mut types.content.as_mut().ok_or("`types` is empty")?.1;
    let facts = renamed_facts(&typed.models, &plan.field_renames);
    for rename in &plan.field_renames {
        rename_field(content, rename)?;
    }
    let needed = request_builders(&facts, typed.requests.all());
    for e in &plan.enums {
        content.extend(open_enum(e)?);
    }
    let text_types = string_like(&typed.text_built, &plan.enums);
    content.extend(text_args(&text_types)?);
    crate::emit::aliases::apply(content, &plan.aliases)?;
    for item in content.iter_mut() {
        match item {
            Item::Mod(b) if b.ident == "builder" => {
                model_builders(b, &needed, &facts, &typed.descriptions)?
            }
            // A field or value lomi. adds must break no user's code: models are built
            // through their builders, and matches need a `_` arm.
            Item::Struct(s) if is_public(&s.vis) => {
                s.attrs.push(parse_quote!(#[non_exhaustive]));
                document_fields(s, &facts, &typed.descriptions);
            }
            Item::Enum(e) if is_public(&e.vis) => {
                if !e.attrs.iter().any(|a| a.path().is_ident("non_exhaustive")) {
                    e.attrs.push(parse_quote!(#[non_exhaustive]));
                }
                document_variants(e, &typed.enums);
            }
            // `Model::builder()` of a model no request takes.
            Item::Impl(imp)
                if imp
                    .items
                    .iter()
                    .any(|i| matches!(i, ImplItem::Fn(f) if f.sig.ident == "builder"))
                    && type_name(&imp.self_ty).is_some_and(|n| !needed.contains(&n)) =>
            {
                imp.attrs.push(response_builders_only());
                document_builder_fn(imp);
            }
            Item::Impl(imp) => document_builder_fn(imp),
            _ => {}
        }
    }
    gate_defaults(content);
    shorten_own_paths(content);
    Ok(())
}

/// Documents each field of the model `model` typify left bare (the spec describes the
/// property not at all): with its `$ref`'d type's description (OpenAPI 3.0 drops a
/// `$ref`'s siblings), else by saying the spec does not describe it.
fn document_fields(
    model: &mut ItemStruct,
    facts: &[ModelFacts],
    descriptions: &[(String, String)],
) {
    let Some(facts) = facts.iter().find(|m| model.ident == m.name) else {
        return;
    };
    let Fields::Named(named) = &mut model.fields else {
        return;
    };
    for field in &mut named.named {
        let Some(ident) = &field.ident else { continue };
        let name = ident.to_string();
        let Some(fact) = facts.field(&name) else {
            continue;
        };
        if fact.description.is_some() || field.attrs.iter().any(|a| a.path().is_ident("doc")) {
            continue;
        }
        let of_type = syn::parse2::<Type>(fact.ty.clone())
            .ok()
            .and_then(|ty| described_type(&ty, descriptions));
        let doc = of_type.unwrap_or_else(|| format!("`{name}`, which the spec does not describe."));
        field.attrs.insert(0, parse_quote!(#[doc = #doc]));
    }
}

/// Documents each variant of `e` that typify left bare (the spec describes no value):
/// a value of a text enum (`to_string()` gives it as the wire spells it), or one of the
/// shapes a `oneOf` allows.
fn document_variants(e: &mut syn::ItemEnum, enums: &[crate::emit::typing::EnumFacts]) {
    let name = e.ident.to_string();
    let text = enums.iter().find(|f| f.name == name).is_none_or(|f| f.text);
    for variant in &mut e.variants {
        if variant.attrs.iter().any(|a| a.path().is_ident("doc")) {
            continue;
        }
        let v = &variant.ident;
        let doc = if text {
            format!(
                "A value the spec lists for [`{name}`] (`{name}::{v}.to_string()` spells it as sent)."
            )
        } else {
            format!("One of the shapes the spec allows for [`{name}`].")
        };
        variant.attrs.insert(0, parse_quote!(#[doc = #doc]));
    }
}

/// Documents typify's `Model::builder()`.
fn document_builder_fn(imp: &mut syn::ItemImpl) {
    let Some(model) = type_name(&imp.self_ty) else {
        return;
    };
    for item in &mut imp.items {
        if let ImplItem::Fn(f) = item
            && f.sig.ident == "builder"
            && !f.attrs.iter().any(|a| a.path().is_ident("doc"))
        {
            let doc = format!(
                "A [`builder::{model}`] for this model: set its fields, then `try_into()` a `{model}`."
            );
            f.attrs.insert(0, parse_quote!(#[doc = #doc]));
        }
    }
}

/// The open enums are named to typify by their full path (`crate::generated::types::
/// CurrencyCode`, [`enum_path`]) so that the operations outside `types` find them; inside
/// `types` that path becomes `CurrencyCode`, and `super::CurrencyCode` in its `builder`
/// and other modules. Edits of paths in the syntax tree, never of its text.
fn shorten_own_paths(content: &mut [Item]) {
    struct Shorten {
        /// How many modules below `types` the visit is.
        depth: usize,
        /// The segments of `types`' full path: `crate`, `generated`, `types`.
        prefix: Vec<String>,
    }
    impl syn::visit_mut::VisitMut for Shorten {
        fn visit_item_mod_mut(&mut self, module: &mut ItemMod) {
            self.depth += 1;
            syn::visit_mut::visit_item_mod_mut(self, module);
            self.depth -= 1;
        }
        fn visit_path_mut(&mut self, path: &mut syn::Path) {
            syn::visit_mut::visit_path_mut(self, path);
            let prefix = &self.prefix;
            if path.leading_colon.is_some()
                || path.segments.len() <= prefix.len()
                || !path.segments.iter().zip(prefix).all(|(s, p)| s.ident == p)
            {
                return;
            }
            let rest: Vec<syn::PathSegment> =
                path.segments.iter().skip(prefix.len()).cloned().collect();
            let mut segments: syn::punctuated::Punctuated<syn::PathSegment, syn::Token![::]> =
                syn::punctuated::Punctuated::new();
            for _ in 0..self.depth {
                segments.push(syn::PathSegment::from(format_ident!("super")));
            }
            segments.extend(rest);
            path.segments = segments;
        }
    }
    let mut visitor = Shorten {
        depth: 0,
        prefix: format!("{GENERATED_PATH}::types")
            .split("::")
            .map(str::to_string)
            .collect(),
    };
    for item in content.iter_mut() {
        syn::visit_mut::VisitMut::visit_item_mut(&mut visitor, item);
    }
}

/// typify's `defaults` functions follow the items that call them: one called only by
/// builders compiled with `response-builders` is compiled only with it too, and one
/// nothing calls (its builder replaced by ours) is dropped, so that no build warns.
fn gate_defaults(content: &mut [Item]) {
    let gate = response_builders_only();
    let gated = |attrs: &[syn::Attribute]| attrs.iter().any(is_response_builders_only);
    // Each default: whether an item compiled in every build calls it.
    let mut always: Vec<String> = Vec::new();
    let mut only_gated: Vec<String> = Vec::new();
    let mut record = |attrs: &[syn::Attribute], item: &Item| {
        let calls = defaults_called(item);
        if gated(attrs) {
            only_gated.extend(calls);
        } else {
            always.extend(calls);
        }
    };
    for item in content.iter() {
        match item {
            Item::Mod(m) if m.ident == "defaults" => {}
            Item::Mod(m) if m.ident == "builder" => {
                for inner in m.content.iter().flat_map(|(_, items)| items) {
                    record(item_attrs(inner), inner);
                }
            }
            other => record(item_attrs(other), other),
        }
    }
    for item in content.iter_mut() {
        let Item::Mod(m) = item else { continue };
        if m.ident != "defaults" {
            continue;
        }
        let Some((_, items)) = m.content.as_mut() else {
            continue;
        };
        items.retain_mut(|f| {
            let Item::Fn(f) = f else { return true };
            let name = f.sig.ident.to_string();
            if always.contains(&name) {
                true
            } else if only_gated.contains(&name) {
                f.attrs.push(gate.clone());
                true
            } else {
                false
            }
        });
    }
}

/// The `defaults::NAME` functions `item` calls (typify's default values).
pub(crate) fn defaults_called(item: &Item) -> Vec<String> {
    use syn::visit::Visit;

    #[derive(Default)]
    struct Calls(Vec<String>);
    impl<'ast> Visit<'ast> for Calls {
        fn visit_path(&mut self, path: &'ast syn::Path) {
            let segments: Vec<&syn::PathSegment> = path.segments.iter().collect();
            for pair in segments.windows(2) {
                if pair[0].ident == "defaults" {
                    self.0.push(pair[1].ident.to_string());
                }
            }
            syn::visit::visit_path(self, path);
        }
    }
    let mut calls = Calls::default();
    calls.visit_item(item);
    calls.0
}

/// Whether `attr` is [`response_builders_only`]'s.
fn is_response_builders_only(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("cfg")
        && attr.parse_args::<syn::MetaNameValue>().is_ok_and(|nv| {
            nv.path.is_ident("feature")
                && matches!(&nv.value, syn::Expr::Lit(l)
                    if matches!(&l.lit, syn::Lit::Str(s) if s.value() == "response-builders"))
        })
}

/// The attributes of `item`, for the kinds typify emits.
fn item_attrs(item: &Item) -> &[syn::Attribute] {
    match item {
        Item::Struct(s) => &s.attrs,
        Item::Enum(e) => &e.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Fn(f) => &f.attrs,
        Item::Type(t) => &t.attrs,
        Item::Mod(m) => &m.attrs,
        _ => &[],
    }
}

/// `x-lomi-rust-name` on a property: typify's field `typify_field` of the model
/// `type_name` (and of its builder, and in their `Default`s) becomes `field`, with a
/// serde rename keeping the wire name.
fn rename_field(items: &mut [Item], rename: &FieldRename) -> Result<(), String> {
    let (from, to) = (
        format_ident!("{}", rename.typify_field),
        format_ident!("{}", rename.field),
    );
    let missing = || {
        format!(
            "`x-lomi-rust-name` on `{}.{}`: typify made no field `{}` in `{}`",
            rename.type_name, rename.property, rename.typify_field, rename.type_name
        )
    };
    let mut renamed = false;
    let rename_in = |items: &mut [Item], wire: bool| -> bool {
        let mut found = false;
        for item in items.iter_mut() {
            match item {
                Item::Struct(s) if s.ident == rename.type_name => {
                    if let Fields::Named(named) = &mut s.fields {
                        for f in named.named.iter_mut() {
                            if f.ident.as_ref() == Some(&from) {
                                f.ident = Some(to.clone());
                                let has_rename = f.attrs.iter().any(|a| {
                                    a.path().is_ident("serde")
                                        && a.parse_nested_meta(|m| {
                                            if m.path.is_ident("rename") {
                                                Err(m.error("rename"))
                                            } else {
                                                if m.input.peek(syn::Token![=]) {
                                                    let _: syn::Expr = m.value()?.parse()?;
                                                }
                                                Ok(())
                                            }
                                        })
                                        .is_err()
                                });
                                if wire && !has_rename {
                                    let property = &rename.property;
                                    f.attrs.push(parse_quote!(#[serde(rename = #property)]));
                                }
                                found = true;
                            }
                        }
                    }
                }
                // `Default` of the model or its builder: `Self { field: …, }`.
                Item::Impl(imp)
                    if type_name(&imp.self_ty).as_deref() == Some(rename.type_name.as_str()) =>
                {
                    for member in imp.items.iter_mut() {
                        let ImplItem::Fn(f) = member else { continue };
                        if f.sig.ident != "default" {
                            continue;
                        }
                        if let Some(syn::Stmt::Expr(syn::Expr::Struct(lit), None)) =
                            f.block.stmts.last_mut()
                        {
                            for field in lit.fields.iter_mut() {
                                if matches!(&field.member, syn::Member::Named(i) if *i == from) {
                                    field.member = syn::Member::Named(to.clone());
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        found
    };
    renamed |= rename_in(items, true);
    for item in items.iter_mut() {
        if let Item::Mod(m) = item
            && m.ident == "builder"
            && let Some((_, builder_items)) = &mut m.content
        {
            rename_in(builder_items, false);
        }
    }
    if renamed { Ok(()) } else { Err(missing()) }
}

/// `facts` with each `x-lomi-rust-name` applied to its field's name, as
/// [`rename_field`] applies it to the models.
fn renamed_facts(facts: &[ModelFacts], renames: &[FieldRename]) -> Vec<ModelFacts> {
    let mut facts = facts.to_vec();
    for rename in renames {
        for field in facts
            .iter_mut()
            .filter(|m| m.name == rename.type_name)
            .flat_map(|m| m.fields.iter_mut())
            .filter(|f| f.name == rename.typify_field)
        {
            field.name = rename.field.clone();
        }
    }
    facts
}

/// The model builders some request needs: those of the models among `request_types`
/// (the operation builders' fields), and of the models their fields hold, transitively.
fn request_builders<'t>(
    models: &[ModelFacts],
    request_types: impl Iterator<Item = &'t Type>,
) -> Vec<String> {
    let mut needed: Vec<String> = Vec::new();
    let mut queue: Vec<Type> = request_types.cloned().collect();
    while let Some(ty) = queue.pop() {
        let mut named = Vec::new();
        type_idents(&ty, &mut named);
        for name in named {
            if needed.contains(&name) {
                continue;
            }
            if let Some(model) = models.iter().find(|m| m.name == name) {
                needed.push(name);
                queue.extend(
                    model
                        .fields
                        .iter()
                        .filter_map(|f| syn::parse2::<Type>(f.ty.clone()).ok()),
                );
            }
        }
    }
    needed
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

fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The generated types built from text: typify's constrained strings and closed enums
/// (`TryFrom<&str>`) and the open enums (`From<&str>`).
fn string_like(text_built: &[String], enums: &[EnumPlan]) -> Vec<proc_macro2::Ident> {
    let mut out: Vec<proc_macro2::Ident> = enums
        .iter()
        .map(|e| format_ident!("{}", e.type_name))
        .collect();
    for name in text_built {
        let ident = format_ident!("{name}");
        if !out.contains(&ident) {
            out.push(ident);
        }
    }
    out
}

/// `IntoArg` from `&str` and `String` for the types built from text, so that setters
/// take `.currency_code("XOF")`.
fn text_args(types: &[proc_macro2::Ident]) -> Result<Vec<Item>, String> {
    let mut out = Vec::new();
    for ty in types {
        let text = quote! {
            impl ::lomi_runtime::arg::FromText for #ty {
                #[inline]
                fn from_text(text: &str) -> ::std::result::Result<Self, ::std::string::String> {
                    #ty::try_from(text).map_err(|e| e.to_string())
                }
            }
        };
        let file: syn::File = syn::parse2(text)
            .map_err(|e| format!("generated an invalid conversion for {ty}: {e}"))?;
        out.extend(file.items);
        for source in [quote!(&str), quote!(::std::string::String)] {
            let tokens = quote! {
                impl ::lomi_runtime::IntoArg<#ty> for #source {
                    #[inline]
                    fn into_arg(self) -> ::std::result::Result<#ty, ::std::string::String> {
                        #ty::try_from(self).map_err(|e| e.to_string())
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

/// The last identifier of every path inside `ty` (`Result<Option<super::X>, String>`
/// gives `Result`, `Option`, `X`, `String`).
/// The description of the first type named in `ty` that has one (`Option<Vec<X>>`: `X`'s):
/// what a `$ref`'d property says, as OpenAPI 3.0 drops a `$ref`'s siblings.
fn described_type(ty: &Type, descriptions: &[(String, String)]) -> Option<String> {
    let mut names = Vec::new();
    type_idents(ty, &mut names);
    names.into_iter().find_map(|n| {
        descriptions
            .iter()
            .find(|(described, _)| *described == n)
            .map(|(_, doc)| doc.clone())
    })
}

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
    facts: &[ModelFacts],
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
        let facts = facts
            .iter()
            .find(|m| model.ident == m.name)
            .ok_or_else(|| format!("the type space has no model `{}`", model.ident))?;
        let mut model_items = compact_builder(model, defaults, facts, descriptions)?;
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

/// One field of a compact model builder.
struct BuilderField {
    ident: syn::Ident,
    /// The model's type for it.
    ty: Type,
    /// Whether the spec requires it (the builder holds it as an `Option` until set).
    required: bool,
    /// What the builder starts with: typify's default for an optional field, `None`
    /// for a required one.
    default: syn::Expr,
}

/// The fields of typify's builder `model`: their types, whether the spec requires each
/// ([`ModelFacts`]) and, for an optional one, the default typify's `Default` gives it
/// (`Ok(value)`).
fn builder_fields(
    model: &ItemStruct,
    defaults: Option<&syn::ItemImpl>,
    facts: &ModelFacts,
) -> Result<Vec<BuilderField>, String> {
    let name = &model.ident;
    let broken = |why: &str| format!("typify's builder `{name}` {why}");
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
        let (wrapped, ty) = unwrap_generic(&field.ty, "Result");
        if !wrapped {
            return Err(broken("has a field that is not a Result"));
        }
        // Whether it is required is the spec's word, as the type space records it.
        let required = facts
            .field(&ident.to_string())
            .ok_or_else(|| broken(&format!("has a field `{ident}` its model lacks")))?
            .required;
        let default = if required {
            parse_quote!(::std::option::Option::None)
        } else {
            let given = defaults_by_field
                .iter()
                .find(|(n, _)| ident == n)
                .map(|(_, e)| e)
                .ok_or_else(|| broken(&format!("has no default for `{ident}`")))?;
            match given {
                syn::Expr::Call(call) if matches!(call.func.as_ref(), syn::Expr::Path(p) if p.path.is_ident("Ok")) => {
                    call.args
                        .first()
                        .cloned()
                        .ok_or_else(|| broken("has an empty Ok"))?
                }
                _ => return Err(broken(&format!("has no value for the optional `{ident}`"))),
            }
        };
        fields.push(BuilderField {
            ident,
            ty,
            required,
            default,
        });
    }
    Ok(fields)
}

/// The setter of `field`, documented with the property's description (else its
/// `$ref`'d type's: OpenAPI 3.0 drops a `$ref`'s siblings), recording a refusal in
/// `errors`.
fn builder_setter(
    field: &BuilderField,
    errors: &syn::Ident,
    facts: &ModelFacts,
    descriptions: &[(String, String)],
) -> TokenStream {
    let BuilderField {
        ident,
        ty,
        required,
        ..
    } = field;
    let label = ident.to_string();
    let set = if *required {
        quote!(::lomi_runtime::arg::set_required)
    } else {
        quote!(::lomi_runtime::arg::set)
    };
    let own = facts.field(&label).and_then(|f| f.description.as_deref());
    let of_type = || described_type(ty, descriptions);
    let doc = own
        .map(str::to_string)
        .or_else(of_type)
        .unwrap_or_else(|| format!("Sets `{label}`."));
    let required_doc = required
        .then(|| format!("\n\nRequired: building without it fails, naming `{label}`."))
        .map(|doc| quote!(#[doc = #doc]));
    quote! {
        #[doc = #doc]
        #required_doc
        pub fn #ident<T>(mut self, value: T) -> Self
        where
            T: ::lomi_runtime::IntoArg<#ty>,
        {
            #set(&mut self.#ident, &mut self.#errors, #label, value);
            self
        }
    }
}

/// One of typify's model builders, rewritten to cost less to compile: each field holds
/// its value (a required one an `Option`) instead of a `Result`, and the setters' refusals
/// are kept in one list (a later good value for a field clears its refusal), so turning
/// the builder into its model checks one list instead of branching on every field.
/// Setters take `impl IntoArg<T>`. Most of it is the one template of the builder and
/// its conversions; the fields and setters are [`builder_fields`] and
/// [`builder_setter`].
fn compact_builder(
    model: &ItemStruct,
    defaults: Option<&syn::ItemImpl>,
    facts: &ModelFacts,
    descriptions: &[(String, String)],
) -> Result<Vec<Item>, String> {
    // Long: most of it is the one `quote!` template of a builder and its conversions.
    let name = &model.ident;
    let fields = builder_fields(model, defaults, facts)?;
    let mut errors = "errors_".to_string();
    while fields.iter().any(|f| f.ident == errors) {
        errors.push('_');
    }
    let errors = format_ident!("{errors}");
    let declarations = fields.iter().map(|f| {
        let (ident, ty) = (&f.ident, &f.ty);
        if f.required {
            quote!(#ident: ::std::option::Option<#ty>,)
        } else {
            quote!(#ident: #ty,)
        }
    });
    let initial = fields.iter().map(|f| {
        let (ident, default) = (&f.ident, &f.default);
        quote!(#ident: #default,)
    });
    let setters = fields
        .iter()
        .map(|f| builder_setter(f, &errors, facts, descriptions));
    let built = fields.iter().map(|f| {
        let ident = &f.ident;
        if f.required {
            let missing = format!("no value supplied for {ident}");
            quote!(#ident: value.#ident.ok_or(#missing)?,)
        } else {
            quote!(#ident: value.#ident,)
        }
    });
    let back = fields.iter().map(|f| {
        let ident = &f.ident;
        if f.required {
            quote!(#ident: ::std::option::Option::Some(value.#ident),)
        } else {
            quote!(#ident: value.#ident,)
        }
    });
    let doc = format!(
        "Builds a [`super::{name}`] field by field. Each setter takes what converts to the \
         field (`&str`, any integer, a nested builder) and checks it; `try_into()` gives the \
         model, or an error naming the first field refused or the first required one unset."
    );
    let tokens = quote! {
        #[doc = #doc]
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
        impl ::lomi_runtime::IntoArg<super::#name> for #name {
            #[inline]
            fn into_arg(self) -> ::std::result::Result<super::#name, ::std::string::String> {
                super::#name::try_from(self).map_err(|e| e.to_string())
            }
        }
        impl ::lomi_runtime::IntoArg<::std::option::Option<super::#name>> for #name {
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
    // Long: one `quote!` template of an open enum and its impls.
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
