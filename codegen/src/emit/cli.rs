//! The `lomi` command's operations, emitted from the [`Plan`]: a table of every
//! operation with its resource (its tag in kebab case), its verb (what it does: create,
//! list, retrieve, update, delete, else its operationId in kebab case), its parameters
//! and its body's properties. `lomi-cli` builds its commands and requests from the table,
//! so an operation added to the spec is a command with no hand edit.
//!
//! The table's types (`Operation`, `Param`, `Location`, `Kind`) are `lomi-cli`'s
//! (`src/table.rs`); the generated file is `lomi-cli/src/generated.rs`.

use heck::ToKebabCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::plan::{
    OperationKind, OperationPlan, PageBy, PageShape, ParamLocation, Plan, TotalAt, ValueKind,
};

/// Each operation's command, `(resource, verb)`, in the plan's order: the one naming
/// rule of the command, which the table and the Rust API report both read.
///
/// An operation's verb is its kind (`list`, `create`…). Where two operations of one
/// resource have the same kind, the one on the resource's own path (the first path
/// segment most of its operations share: `/webhooks` for the `Webhooks` tag, not
/// `/webhook-delivery-logs`) keeps the plain verb, and the other is named by its method
/// (the plan's name: the operationId's, or the pin that keeps a published one).
pub fn commands(plan: &Plan) -> Vec<(String, String)> {
    let resources: Vec<String> = plan.operations.iter().map(resource).collect();
    // Each resource's own path: the first segment most of its operations share (on a
    // tie, the first in the document), counted once for the whole plan.
    let mut counts: Vec<(&str, &str, usize)> = Vec::new();
    for (op, r) in plan.operations.iter().zip(&resources) {
        let segment = first_segment(&op.path);
        match counts
            .iter_mut()
            .find(|(cr, s, _)| *cr == r && *s == segment)
        {
            Some((_, _, n)) => *n += 1,
            None => counts.push((r, segment, 1)),
        }
    }
    let home = |resource: &str| {
        let most = counts
            .iter()
            .filter(|(r, _, _)| *r == resource)
            .map(|(_, _, n)| *n)
            .max()?;
        counts
            .iter()
            .find(|(r, _, n)| *r == resource && *n == most)
            .map(|(_, s, _)| *s)
    };
    let plain = |op: &OperationPlan| match op.kind {
        OperationKind::Create => "create".to_string(),
        OperationKind::List => "list".to_string(),
        OperationKind::Retrieve => "retrieve".to_string(),
        OperationKind::Update => "update".to_string(),
        OperationKind::Delete => "delete".to_string(),
        OperationKind::Other => op.method.to_kebab_case(),
    };
    let at_home: Vec<bool> = plan
        .operations
        .iter()
        .zip(&resources)
        .map(|(op, r)| home(r) == Some(first_segment(&op.path)))
        .collect();
    let mut verbs: Vec<Option<String>> = vec![None; plan.operations.len()];
    let mut taken: Vec<(String, String)> = Vec::new();
    // The resource's own path first, then the rest, each in document order.
    for home_pass in [true, false] {
        for (i, op) in plan.operations.iter().enumerate() {
            if at_home[i] != home_pass {
                continue;
            }
            let mut verb = plain(op);
            if taken.contains(&(resources[i].clone(), verb.clone())) {
                verb = op.method.to_kebab_case();
            }
            taken.push((resources[i].clone(), verb.clone()));
            verbs[i] = Some(verb);
        }
    }
    resources
        .into_iter()
        .zip(verbs)
        .map(|(r, v)| (r, v.unwrap_or_default()))
        .collect()
}

/// The first segment of a path template (`webhooks` of `/webhooks/{id}`).
fn first_segment(path: &str) -> &str {
    path.trim_start_matches('/').split('/').next().unwrap_or("")
}

/// A parameter's or body property's flag: its Rust name in kebab case.
pub fn flag(field: &str) -> String {
    field.to_kebab_case()
}

/// The table as a syntax tree.
pub fn items(plan: &Plan) -> TokenStream {
    let operations = plan
        .operations
        .iter()
        .zip(commands(plan))
        .map(|(op, (resource, verb))| operation(op, &resource, &verb));
    let built_in = BUILT_IN_COMMANDS;
    quote! {
        // A spec without parameters or bodies names no `Param`, `Kind` or `Location`.
        #[allow(unused_imports)]
        use crate::table::{Kind, Location, Operation, Pages, Param};

        /// The commands of `lomi`'s own, which no resource is named like.
        #[allow(dead_code)]
        pub const BUILT_IN_COMMANDS: &[&str] = &[#(#built_in),*];

        /// Every operation of the spec, in document order.
        pub const OPERATIONS: &[Operation] = &[#(#operations),*];
    }
}

/// The commands `lomi` has of its own: a resource named like one is `api-<name>` (lomi.'s
/// whole API has a `Webhooks` tag: `lomi api-webhooks list`). `lomi-cli` checks that each
/// of its commands is listed here.
pub const BUILT_IN_COMMANDS: &[&str] = &["webhooks", "login", "mock", "trigger", "events", "help"];

/// The operation's resource: its tag's short name ([`OperationPlan::resource`], which is
/// also its feature), else the first segment of its path in kebab case; `api-` before it
/// if `lomi` has a command of that name.
fn resource(op: &OperationPlan) -> String {
    let kebab = op
        .resource
        .clone()
        .unwrap_or_else(|| first_segment(&op.path).to_kebab_case());
    if kebab.is_empty() {
        "api".to_string()
    } else if BUILT_IN_COMMANDS.contains(&kebab.as_str()) {
        format!("api-{kebab}")
    } else {
        kebab
    }
}

fn kind(k: ValueKind) -> TokenStream {
    let variant = match k {
        ValueKind::Text => format_ident!("Text"),
        ValueKind::Integer => format_ident!("Integer"),
        ValueKind::Number => format_ident!("Number"),
        ValueKind::Boolean => format_ident!("Boolean"),
        ValueKind::Json => format_ident!("Json"),
    };
    quote!(Kind::#variant)
}

fn help(description: &Option<String>) -> String {
    description
        .as_deref()
        .and_then(|d| d.lines().next())
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// One `Param` of the table: `name` on the wire, its flag from `field`, the Rust name.
fn param(
    name: &str,
    field: &str,
    location: proc_macro2::Ident,
    kind: TokenStream,
    required: bool,
    description: &Option<String>,
) -> TokenStream {
    let flag = flag(field);
    let help = help(description);
    quote! {
        Param {
            name: #name,
            flag: #flag,
            location: Location::#location,
            kind: #kind,
            required: #required,
            help: #help,
        }
    }
}

fn operation(op: &OperationPlan, resource: &str, verb: &str) -> TokenStream {
    // Long: one `quote!` template of an operation's row of the command's table.
    let (id, method, path) = (&op.operation_id, &op.http_method, &op.path);
    let about = op
        .summary
        .clone()
        .or_else(|| op.description.clone())
        .unwrap_or_else(|| format!("{method} {path}"));
    let params = op.params.iter().map(|p| {
        let location = match p.location {
            ParamLocation::Path => format_ident!("Path"),
            ParamLocation::Query => format_ident!("Query"),
            ParamLocation::Header => format_ident!("Header"),
        };
        // Typed, so that the command refuses `--limit lots`; the request carries the
        // text as it was written.
        param(
            &p.name,
            &p.field,
            location,
            kind(p.kind),
            p.required,
            &p.description,
        )
    });
    let properties = op.body.iter().flat_map(|b| &b.properties).map(|p| {
        let location = format_ident!("Body");
        param(
            &p.name,
            &p.field,
            location,
            kind(p.kind),
            p.required,
            &p.description,
        )
    });
    let has_body = op.body.is_some();
    let pages = match &op.page {
        Some(page) => {
            let (size, at) = page.by.params();
            let first_page = match &page.by {
                PageBy::Offset => quote!(None),
                PageBy::Number { first, .. } => quote!(Some(#first)),
            };
            let some = |text: Option<String>| match text {
                Some(text) => quote!(Some(#text)),
                None => quote!(None),
            };
            let (items, total, reported_size) = match &page.shape {
                PageShape::Bare => (None, None, None),
                PageShape::Envelope { items, total } => {
                    let (total, reported) = match total {
                        TotalAt::Pagination { total, size } => (
                            Some(format!("/pagination/{total}")),
                            size.as_ref().map(|s| format!("/pagination/{s}")),
                        ),
                        TotalAt::TopLevel => (Some("/total".to_string()), None),
                        TotalAt::Nowhere => (None, None),
                    };
                    (Some(items.clone()), total, reported)
                }
            };
            let (items, total, reported_size) = (some(items), some(total), some(reported_size));
            let page_size = op
                .page_size
                .unwrap_or(lomi_schema::operation::DEFAULT_PAGE_SIZE);
            quote! {
                Some(Pages {
                    size: #size,
                    at: #at,
                    first_page: #first_page,
                    items: #items,
                    total: #total,
                    reported_size: #reported_size,
                    page_size: #page_size,
                })
            }
        }
        None => quote!(None),
    };
    quote! {
        Operation {
            resource: #resource,
            verb: #verb,
            id: #id,
            method: #method,
            path: #path,
            about: #about,
            params: &[#(#params),*],
            body: &[#(#properties),*],
            has_body: #has_body,
            pages: #pages,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_tags_and_verbs_are_kinds_or_operation_ids() {
        let spec = serde_yaml::from_str(
            "
openapi: 3.0.3
info: {title: t, version: '1'}
tags:
  - {name: Endpoints, x-lomi-feature: webhook-endpoints}
paths:
  /webhook_logs:
    get: {operationId: listLogs, tags: [Endpoints], responses: {'204': {description: ok}}}
  /webhook_endpoints:
    get: {operationId: listEndpoints, tags: [Endpoints], responses: {'204': {description: ok}}}
    post: {operationId: createEndpoint, tags: [Endpoints], responses: {'204': {description: ok}}}
  /payment_links:
    get: {operationId: listPaymentLinks, tags: [Payment Links], responses: {'204': {description: ok}}}
  /payment_links/active:
    get: {operationId: listActivePaymentLinks, tags: [Payment Links], responses: {'204': {description: ok}}}
  /health:
    get: {operationId: getHealth, responses: {'204': {description: ok}}}
  /webhooks:
    get: {operationId: listWebhooks, tags: [Webhooks], responses: {'204': {description: ok}}}
",
        )
        .unwrap();
        let table = prettyplease::unparse(&syn::parse2(items(&crate::plan::plan(&spec))).unwrap());
        let flat: String = table.split_whitespace().collect();
        for (resource, verb) in [
            ("payment-links", "list"),
            // A second list of the resource is named by its operationId.
            ("payment-links", "list-active-payment-links"),
            // Untagged: the path's first segment.
            ("health", "list"),
            // Named like a command of `lomi`'s own.
            ("api-webhooks", "list"),
            // The tag's `x-lomi-feature`: one name for the command and the feature.
            ("webhook-endpoints", "list"),
            // A list on another path of the tag, though first: named by its method.
            ("webhook-endpoints", "list-logs"),
        ] {
            assert!(
                flat.contains(&format!("resource:\"{resource}\",verb:\"{verb}\"")),
                "{resource} {verb} in {table}"
            );
        }
    }
}
