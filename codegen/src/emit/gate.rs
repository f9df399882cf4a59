//! The `cfg`s of one cargo feature per tag ([`crate::plan::features`] assigns them):
//! [`gate`] puts a `cfg` on every generated item. A method and its builder take their
//! operation's feature; a type, with its impls, its builder, its `IntoArg` conversions
//! and the `defaults` its builder calls, takes `any(...)` of the features of every
//! operation that reaches it, and none when something compiled in every build reaches it
//! (the webhook events, whose data types decode in every build). Reachability is read
//! from the generated items' own paths, so it follows typify's names for nested inline
//! types, which the spec does not know.

use std::collections::{BTreeMap, BTreeSet};

use syn::visit::Visit;
use syn::{Attribute, Item, parse_quote};

use crate::plan::Plan;

/// Which features compile an item: every build, or any of some features.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Gate {
    Always,
    Any(BTreeSet<String>),
}

impl Gate {
    /// `self` widened to what `other` reaches too.
    fn widen(&mut self, other: &Gate) {
        match (&mut *self, other) {
            (Gate::Always, _) => {}
            (this, Gate::Always) => *this = Gate::Always,
            (Gate::Any(set), Gate::Any(more)) => set.extend(more.iter().cloned()),
        }
    }

    fn attr(&self) -> Option<Attribute> {
        let Gate::Any(features) = self else {
            return None;
        };
        let features: Vec<&String> = features.iter().collect();
        Some(match features.as_slice() {
            [one] => parse_quote!(#[cfg(feature = #one)]),
            many => parse_quote!(#[cfg(any(#(feature = #many),*))]),
        })
    }
}

/// Puts each item of `file` behind the features that reach it (see the module's docs).
/// Changes nothing when no operation has a feature.
pub fn gate(file: &mut syn::File, plan: &Plan) {
    // Long: the features of methods, builders and types, each read from the ones before it.
    let features: BTreeMap<&str, &str> = plan
        .operations
        .iter()
        .filter_map(|op| Some((op.builder.as_str(), op.feature.as_deref()?)))
        .collect();
    if features.is_empty() {
        return;
    }
    let methods: BTreeMap<&str, &str> = plan
        .operations
        .iter()
        .filter_map(|op| Some((op.method.as_str(), op.feature.as_deref()?)))
        .collect();
    let types = type_names(file);

    // What reaches each type: features from operations, `Always` from the rest.
    let mut reached: BTreeMap<String, Gate> = BTreeMap::new();
    let reach = |name: &str, by: &Gate, reached: &mut BTreeMap<String, Gate>| {
        reached
            .entry(name.to_string())
            .or_insert_with(|| Gate::Any(BTreeSet::new()))
            .widen(by);
    };
    for item in &file.items {
        match item {
            Item::Mod(m) if m.ident == "types" => {}
            Item::Mod(m) if m.ident == "builder" => {
                for inner in items_of(m) {
                    let gate = owner_in(inner, &features.keys().copied().collect())
                        .and_then(|b| features.get(b.as_str()))
                        .map_or(Gate::Always, |f| single(f));
                    for name in mentioned(inner, &types) {
                        reach(&name, &gate, &mut reached);
                    }
                }
            }
            // `impl ParamValue for types::X {}`: the type's own, not a root.
            Item::Impl(imp) if imp.trait_.is_some() && owner_of_impl(imp, &types).is_some() => {}
            Item::Impl(imp) if type_ident(&imp.self_ty).as_deref() == Some("Client") => {
                for inner in &imp.items {
                    let syn::ImplItem::Fn(f) = inner else {
                        continue;
                    };
                    let gate = methods
                        .get(f.sig.ident.to_string().as_str())
                        .map_or(Gate::Always, |f| single(f));
                    let mut found = Mentions::new(&types);
                    found.visit_impl_item_fn(f);
                    for name in found.names {
                        reach(&name, &gate, &mut reached);
                    }
                }
            }
            other => {
                for name in mentioned(other, &types) {
                    reach(&name, &Gate::Always, &mut reached);
                }
            }
        }
    }

    // Through the types: what a type's items mention is reached as the type is.
    let edges = type_edges(file, &types);
    loop {
        let mut changed = false;
        for (from, tos) in &edges {
            let Some(gate) = reached.get(from).cloned() else {
                continue;
            };
            for to in tos {
                let before = reached.get(to).cloned();
                reach(to, &gate, &mut reached);
                changed |= reached.get(to) != before.as_ref();
            }
        }
        if !changed {
            break;
        }
    }
    let gate_of = |name: &str| -> Gate {
        match reached.get(name) {
            // Nothing reaches it: the crate's public API still has it.
            None => Gate::Always,
            Some(Gate::Any(set)) if set.is_empty() => Gate::Always,
            Some(gate) => gate.clone(),
        }
    };

    let builders: BTreeSet<&str> = features.keys().copied().collect();
    for item in &mut file.items {
        match item {
            Item::Mod(m) if m.ident == "types" => gate_types(m, &types, &gate_of),
            Item::Mod(m) if m.ident == "builder" => {
                for inner in items_of_mut(m) {
                    let gate = owner_in(inner, &builders)
                        .and_then(|b| features.get(b.as_str()))
                        .map(|f| single(f));
                    if let (Some(attr), Some(attrs)) =
                        (gate.as_ref().and_then(Gate::attr), attrs_mut(inner))
                    {
                        attrs.push(attr);
                    }
                }
            }
            Item::Impl(imp) if imp.trait_.is_some() && owner_of_impl(imp, &types).is_some() => {
                if let Some(attr) = owner_of_impl(imp, &types).and_then(|o| gate_of(&o).attr()) {
                    imp.attrs.push(attr);
                }
            }
            Item::Impl(imp) if type_ident(&imp.self_ty).as_deref() == Some("Client") => {
                for inner in &mut imp.items {
                    let syn::ImplItem::Fn(f) = inner else {
                        continue;
                    };
                    if let Some(feature) = methods.get(f.sig.ident.to_string().as_str()) {
                        f.attrs.push(parse_quote!(#[cfg(feature = #feature)]));
                    }
                }
            }
            _ => {}
        }
    }
}

fn single(feature: &str) -> Gate {
    Gate::Any(BTreeSet::from([feature.to_string()]))
}

/// The items `types` holds, and its `builder` module's, each behind its type's gate;
/// `defaults` behind the union of their callers'.
fn gate_types(
    types_mod: &mut syn::ItemMod,
    types: &BTreeSet<String>,
    gate_of: &dyn Fn(&str) -> Gate,
) {
    let Some((_, items)) = types_mod.content.as_mut() else {
        return;
    };
    // Which gate each `defaults` function takes: the union of its callers'.
    let mut defaults: BTreeMap<String, Gate> = BTreeMap::new();
    let mut called = |item: &Item, gate: &Gate| {
        for name in crate::emit::models::defaults_called(item) {
            defaults
                .entry(name)
                .or_insert_with(|| Gate::Any(BTreeSet::new()))
                .widen(gate);
        }
    };
    for item in items.iter() {
        match item {
            Item::Mod(m) if m.ident == "defaults" || m.ident == "error" => {}
            Item::Mod(m) if m.ident == "builder" => {
                for inner in items_of(m) {
                    let gate = owner(inner, types).map_or(Gate::Always, |o| gate_of(&o));
                    called(inner, &gate);
                }
            }
            other => {
                let gate = owner(other, types).map_or(Gate::Always, |o| gate_of(&o));
                called(other, &gate);
            }
        }
    }
    for item in items.iter_mut() {
        match item {
            Item::Mod(m) if m.ident == "error" => {}
            Item::Mod(m) if m.ident == "defaults" => {
                for inner in items_of_mut(m) {
                    let Item::Fn(f) = inner else { continue };
                    let gate = defaults
                        .get(&f.sig.ident.to_string())
                        .cloned()
                        .unwrap_or(Gate::Always);
                    if let Some(attr) = gate.attr() {
                        f.attrs.push(attr);
                    }
                }
            }
            Item::Mod(m) if m.ident == "builder" => {
                for inner in items_of_mut(m) {
                    let attr = owner(inner, types).and_then(|o| gate_of(&o).attr());
                    if let (Some(attr), Some(attrs)) = (attr, attrs_mut(inner)) {
                        attrs.push(attr);
                    }
                }
            }
            other => {
                let attr = owner(other, types).and_then(|o| gate_of(&o).attr());
                if let (Some(attr), Some(attrs)) = (attr, attrs_mut(other)) {
                    attrs.push(attr);
                }
            }
        }
    }
}

/// The models: the structs, enums and aliases `types` declares at its top.
fn type_names(file: &syn::File) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for item in &file.items {
        let Item::Mod(m) = item else { continue };
        if m.ident != "types" {
            continue;
        }
        for inner in items_of(m) {
            match inner {
                Item::Struct(s) => out.insert(s.ident.to_string()),
                Item::Enum(e) => out.insert(e.ident.to_string()),
                Item::Type(t) => out.insert(t.ident.to_string()),
                _ => false,
            };
        }
    }
    out
}

/// For each model, the models its items (declaration, impls, builder) mention.
fn type_edges(file: &syn::File, types: &BTreeSet<String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut add = |item: &Item| {
        if let Some(owner) = owner(item, types) {
            let names = mentioned(item, types);
            out.entry(owner.clone())
                .or_default()
                .extend(names.into_iter().filter(|n| *n != owner));
        }
    };
    for item in &file.items {
        let Item::Mod(m) = item else { continue };
        if m.ident != "types" {
            continue;
        }
        for inner in items_of(m) {
            match inner {
                Item::Mod(b) if b.ident == "builder" => items_of(b).for_each(&mut add),
                Item::Mod(_) => {}
                other => add(other),
            }
        }
    }
    out
}

/// The model an item of `types` (or of its `builder`) is about: a declaration's name, an
/// impl's self type, or, for an impl on a foreign type (`IntoArg<X> for &str`), the
/// model among its trait's arguments.
fn owner(item: &Item, types: &BTreeSet<String>) -> Option<String> {
    match item {
        Item::Struct(s) => Some(s.ident.to_string()),
        Item::Enum(e) => Some(e.ident.to_string()),
        Item::Type(t) => Some(t.ident.to_string()),
        Item::Impl(imp) => owner_of_impl(imp, types),
        _ => None,
    }
}

fn owner_of_impl(imp: &syn::ItemImpl, types: &BTreeSet<String>) -> Option<String> {
    if let Some(name) = type_ident(&imp.self_ty).filter(|n| types.contains(n)) {
        return Some(name);
    }
    let (path, _) = imp.trait_.as_ref()?;
    let mut found = Mentions::new(types);
    found.visit_path(path);
    found.names.into_iter().next()
}

/// The operation builder an item of the top-level `builder` module is: a struct's name,
/// an impl's self type.
fn owner_in(item: &Item, builders: &BTreeSet<&str>) -> Option<String> {
    let name = match item {
        Item::Struct(s) => s.ident.to_string(),
        Item::Impl(imp) => type_ident(&imp.self_ty)?,
        _ => return None,
    };
    builders.contains(name.as_str()).then_some(name)
}

/// The last identifier of a type's path (`super::types::X<'a>` → `X`), through `&`.
fn type_ident(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        syn::Type::Reference(r) => type_ident(&r.elem),
        _ => None,
    }
}

fn items_of(m: &syn::ItemMod) -> impl Iterator<Item = &Item> {
    m.content.iter().flat_map(|(_, items)| items)
}

fn items_of_mut(m: &mut syn::ItemMod) -> impl Iterator<Item = &mut Item> {
    m.content.iter_mut().flat_map(|(_, items)| items)
}

/// Where a `cfg` goes on the item kinds the generator emits.
fn attrs_mut(item: &mut Item) -> Option<&mut Vec<Attribute>> {
    match item {
        Item::Struct(s) => Some(&mut s.attrs),
        Item::Enum(e) => Some(&mut e.attrs),
        Item::Impl(i) => Some(&mut i.attrs),
        Item::Fn(f) => Some(&mut f.attrs),
        Item::Type(t) => Some(&mut t.attrs),
        Item::Const(c) => Some(&mut c.attrs),
        Item::Use(u) => Some(&mut u.attrs),
        _ => None,
    }
}

/// The models an item mentions, by the last segment of any path naming one.
fn mentioned(item: &Item, types: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = Mentions::new(types);
    found.visit_item(item);
    found.names
}

struct Mentions<'t> {
    types: &'t BTreeSet<String>,
    names: BTreeSet<String>,
}

impl<'t> Mentions<'t> {
    fn new(types: &'t BTreeSet<String>) -> Self {
        Mentions {
            types,
            names: BTreeSet::new(),
        }
    }
}

impl<'ast> Visit<'ast> for Mentions<'_> {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        // `types::X`, `super::X`, `X`: a model; `builder::X` in `types` is its builder,
        // which goes with it. A path through another module (`defaults::x`) is not.
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if let Some(last) = segments.last()
            && self.types.contains(last)
            && segments[..segments.len() - 1].iter().all(|s| {
                matches!(
                    s.as_str(),
                    "super" | "types" | "crate" | "generated" | "builder" | "self"
                )
            })
        {
            self.names.insert(last.clone());
        }
        syn::visit::visit_path(self, path);
    }
}
