//! Properties that arrive under more than one name (`x-lomi-aliases`).
//!
//! serde's `alias` refuses a body that carries two of the names (a duplicate field), and
//! lomi. may send both `checkout_url` and `url`. So a model with aliased properties is
//! decoded through a private copy of itself (its "wire" struct) that has one more field
//! per alias, and `From<wire>` keeps the property's own value first, then each alias in
//! order. The model's own `Deserialize` becomes `#[serde(from = "…Wire")]`; serializing
//! it is unchanged (the property's own name).
//!
//! The edit is structural: the model is found by its type name and the property by its
//! serde name, in typify's syntax tree; nothing searches token text.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Fields, Item, ItemStruct, parse_quote};

use crate::plan::AliasPlan;

/// Adds the wire structs of the models `aliases` names to `types` (typify's items).
pub fn apply(types: &mut Vec<Item>, aliases: &[AliasPlan]) -> Result<(), String> {
    let mut models: Vec<&str> = aliases.iter().map(|a| a.type_name.as_str()).collect();
    models.dedup();
    let mut added = Vec::new();
    for model in models {
        let of_model: Vec<&AliasPlan> = aliases.iter().filter(|a| a.type_name == model).collect();
        let item = types
            .iter_mut()
            .find_map(|i| match i {
                Item::Struct(s) if s.ident == model => Some(s),
                _ => None,
            })
            .ok_or_else(|| {
                format!(
                    "`x-lomi-aliases` on schema `{}`: typify generated no struct `{model}` for it",
                    of_model[0].schema
                )
            })?;
        added.extend(wire(item, &of_model)?);
    }
    types.extend(added);
    Ok(())
}

/// The name a field has on the wire: its `#[serde(rename = "…")]`, else its own.
fn wire_name(field: &syn::Field) -> Option<String> {
    let mut renamed = None;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                renamed = Some(value.value());
            } else if meta.input.peek(syn::Token![=]) {
                // Skip `key = value` of other serde attributes.
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    renamed.or_else(|| field.ident.as_ref().map(|i| i.to_string()))
}

/// Whether `ty` is `Option<…>` (however it is spelled).
fn is_option(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

/// `model`'s wire struct and its `From`, and the `serde(from)` on `model`.
fn wire(model: &mut ItemStruct, aliases: &[&AliasPlan]) -> Result<Vec<Item>, String> {
    // Long: one `quote!` template of a model's wire twin and its conversion.
    let name = model.ident.clone();
    let wire = format_ident!("{name}Wire");
    let Fields::Named(named) = &model.fields else {
        return Err(format!("`{name}` has no named fields to alias"));
    };
    let mut fields: Vec<TokenStream> = Vec::new();
    let mut moves: Vec<TokenStream> = Vec::new();
    let mut found = vec![false; aliases.len()];
    for field in &named.named {
        let ident = field
            .ident
            .as_ref()
            .ok_or_else(|| format!("`{name}` has an unnamed field"))?;
        let ty = &field.ty;
        let serde: Vec<&syn::Attribute> = field
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("serde"))
            .collect();
        fields.push(quote!(#(#serde)* #ident: #ty,));
        let wire_name = wire_name(field);
        let mut value = quote!(wire.#ident);
        for (i, alias) in aliases.iter().enumerate() {
            if wire_name.as_deref() != Some(alias.property.as_str()) {
                continue;
            }
            found[i] = true;
            if !is_option(ty) {
                return Err(format!(
                    "`x-lomi-aliases` on `{}.{}`: the property is required, and only an \
                     optional one can fall back on another name",
                    alias.schema, alias.property
                ));
            }
            for (n, other) in alias.aliases.iter().enumerate() {
                let slot = format_ident!("{ident}_alias_{n}");
                fields.push(quote! {
                    #[serde(rename = #other, default)]
                    #slot: #ty,
                });
                value = quote!(#value.or(wire.#slot));
            }
        }
        moves.push(quote!(#ident: #value,));
    }
    if let Some(i) = found.iter().position(|f| !f) {
        return Err(format!(
            "`x-lomi-aliases` on `{}.{}`: `{name}` has no field for that property",
            aliases[i].schema, aliases[i].property
        ));
    }
    // The model's own serde settings (`deny_unknown_fields`…) hold for how it arrives.
    let container: Vec<syn::Attribute> = model
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .cloned()
        .collect();
    let from = wire.to_string();
    model.attrs.push(parse_quote!(#[serde(from = #from)]));
    let doc = format!(
        "How [`{name}`] arrives: its fields, and the other names some of them arrive under."
    );
    let tokens = quote! {
        #[doc = #doc]
        #[derive(::serde::Deserialize)]
        #(#container)*
        struct #wire {
            #(#fields)*
        }
        impl ::std::convert::From<#wire> for #name {
            fn from(wire: #wire) -> Self {
                Self { #(#moves)* }
            }
        }
    };
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("generated an invalid wire struct: {e}"))?;
    Ok(file.items)
}
