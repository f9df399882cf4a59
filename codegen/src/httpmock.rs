//! progenitor's typed httpmock helpers, used as they are but for two pieces:
//!
//! - an array query or header parameter is matched as one `name=value` pair per item (as
//!   the client sends it: `ids=1&ids=2`), where progenitor writes `value.to_string()`,
//!   which does not exist for a `Vec`;
//! - the helpers take the client's Rust names ([`rust_names`]): progenitor names them
//!   from the spec, and the plan's names (`x-lomi-rust-name`, or a published name kept
//!   across an upstream rename) must hold for the helpers too.
//!
//! The fix is an edit of named syntax: in a helper method whose parameter is a `Vec`,
//! each `Self(self.0.query_param(NAME, value.to_string()))` (or `header`) becomes
//! `Self(value.iter().fold(self.0, |when, item| when.query_param(NAME, item.to_string())))`.

use syn::visit_mut::VisitMut;
use syn::{Expr, ImplItem, Item, TraitItem, parse_quote};

use crate::plan::{Plan, sanitize_snake};

/// Renames what progenitor named from the spec where the plan names it otherwise: each
/// parameter's matcher on `<Operation>When` (progenitor's field name → the setter's),
/// each operation's method of `MockServerExt`, in the trait and its implementation, and
/// the `<Operation>When`/`<Operation>Then` types (progenitor's builder name → the plan's).
pub fn rust_names(file: &mut syn::File, plan: &Plan) {
    matchers_and_methods(file, plan);
    // Last: the matchers are found by progenitor's type names.
    let mut types = TypeNames(
        plan.operations
            .iter()
            .filter(|op| op.builder != op.progenitor_builder)
            .flat_map(|op| {
                ["When", "Then"].map(|end| {
                    (
                        format!("{}{end}", op.progenitor_builder),
                        format!("{}{end}", op.builder),
                    )
                })
            })
            .collect(),
    );
    if !types.0.is_empty() {
        types.visit_file_mut(file);
    }
}

/// progenitor's `When`/`Then` type names → the plan's, each identifier looked up once.
struct TypeNames(Vec<(String, String)>);

impl VisitMut for TypeNames {
    fn visit_ident_mut(&mut self, ident: &mut syn::Ident) {
        if let Some((_, to)) = self.0.iter().find(|(from, _)| ident == from) {
            *ident = syn::Ident::new(to, ident.span());
        }
    }
}

fn matchers_and_methods(file: &mut syn::File, plan: &Plan) {
    // One lookup per name, so that a name given to one item is never renamed again.
    let field = |op: &crate::plan::OperationPlan, ident: &mut syn::Ident| {
        if let Some(p) = op.params.iter().find(|p| ident == &p.progenitor_field) {
            *ident = syn::Ident::new(&p.field, ident.span());
        }
    };
    let method = |ident: &mut syn::Ident| {
        if let Some(op) = plan
            .operations
            .iter()
            .find(|op| ident == &sanitize_snake(&op.operation_id))
        {
            *ident = syn::Ident::new(&op.method, ident.span());
        }
    };
    for item in &mut file.items {
        match item {
            Item::Mod(module) => {
                let Some((_, items)) = &mut module.content else {
                    continue;
                };
                for item in items {
                    let Item::Impl(block) = item else { continue };
                    let syn::Type::Path(ty) = block.self_ty.as_ref() else {
                        continue;
                    };
                    let Some(name) = ty.path.segments.last().map(|s| s.ident.to_string()) else {
                        continue;
                    };
                    let Some(op) = plan
                        .operations
                        .iter()
                        .find(|op| name == format!("{}When", op.progenitor_builder))
                    else {
                        continue;
                    };
                    for member in &mut block.items {
                        if let ImplItem::Fn(f) = member {
                            field(op, &mut f.sig.ident);
                        }
                    }
                }
            }
            Item::Trait(t) => {
                for member in &mut t.items {
                    if let TraitItem::Fn(f) = member {
                        method(&mut f.sig.ident);
                    }
                }
            }
            Item::Impl(block) if block.trait_.is_some() => {
                for member in &mut block.items {
                    if let ImplItem::Fn(f) = member {
                        method(&mut f.sig.ident);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The matcher methods of httpmock's `When` that take a name and a value.
const MATCHERS: [&str; 2] = ["query_param", "header"];

/// Applies the fix to every helper of `file` that takes a `Vec`.
pub fn fix_array_parameters(file: &mut syn::File) {
    for item in &mut file.items {
        let Item::Mod(module) = item else { continue };
        let Some((_, items)) = &mut module.content else {
            continue;
        };
        for item in items {
            let Item::Impl(block) = item else { continue };
            for member in &mut block.items {
                if let ImplItem::Fn(method) = member
                    && takes_a_vec(&method.sig)
                {
                    PerItem.visit_block_mut(&mut method.block);
                }
            }
        }
    }
}

/// Whether a `Vec` appears among the generics or inputs of `sig` (`T: Into<Option<&Vec<_>>>`).
fn takes_a_vec(sig: &syn::Signature) -> bool {
    struct FindVec(bool);
    impl syn::visit_mut::VisitMut for FindVec {
        fn visit_path_segment_mut(&mut self, segment: &mut syn::PathSegment) {
            self.0 |= segment.ident == "Vec";
            syn::visit_mut::visit_path_segment_mut(self, segment);
        }
    }
    let mut find = FindVec(false);
    find.visit_signature_mut(&mut sig.clone());
    find.0
}

struct PerItem;

impl VisitMut for PerItem {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if let Some(replacement) = per_item(expr) {
            *expr = replacement;
            return;
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }
}

/// `Self(self.0.MATCHER(NAME, value.to_string()))` as a fold over `value`'s items.
fn per_item(expr: &Expr) -> Option<Expr> {
    let Expr::Call(call) = expr else { return None };
    let Expr::Path(func) = call.func.as_ref() else {
        return None;
    };
    if !func.path.is_ident("Self") || call.args.len() != 1 {
        return None;
    }
    let Some(Expr::MethodCall(matcher)) = call.args.first() else {
        return None;
    };
    if !MATCHERS.iter().any(|m| matcher.method == m) || matcher.args.len() != 2 {
        return None;
    }
    let Expr::Field(receiver) = matcher.receiver.as_ref() else {
        return None;
    };
    let is_self_0 = matches!(receiver.base.as_ref(), Expr::Path(p) if p.path.is_ident("self"))
        && matches!(&receiver.member, syn::Member::Unnamed(i) if i.index == 0);
    let Some(Expr::MethodCall(value)) = matcher.args.iter().nth(1) else {
        return None;
    };
    let is_value_to_string = value.method == "to_string"
        && matches!(value.receiver.as_ref(), Expr::Path(p) if p.path.is_ident("value"));
    if !is_self_0 || !is_value_to_string {
        return None;
    }
    let name = matcher.args.first()?;
    let method = &matcher.method;
    Some(parse_quote! {
        Self(value.iter().fold(self.0, |when, item| when.#method(#name, item.to_string())))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn fixed(method: proc_macro2::TokenStream) -> syn::File {
        let mut file: syn::File = syn::parse2(quote! {
            pub mod operations {
                impl<'a> ListThingsWhen<'a> {
                    #method
                }
            }
        })
        .unwrap();
        fix_array_parameters(&mut file);
        file
    }

    #[test]
    fn an_array_parameter_is_matched_item_by_item() {
        let file = fixed(quote! {
            pub fn ids<T>(self, value: T) -> Self
            where
                T: Into<Option<&'a ::std::vec::Vec<i64>>>,
            {
                if let Some(value) = value.into() {
                    Self(self.0.query_param("ids", value.to_string()))
                } else {
                    Self(self.0.query_param_missing("ids"))
                }
            }
        });
        let want = fixed(quote! {
            pub fn ids<T>(self, value: T) -> Self
            where
                T: Into<Option<&'a ::std::vec::Vec<i64>>>,
            {
                if let Some(value) = value.into() {
                    Self(value.iter().fold(self.0, |when, item| when.query_param("ids", item.to_string())))
                } else {
                    Self(self.0.query_param_missing("ids"))
                }
            }
        });
        assert_eq!(crate::render::format(&file), crate::render::format(&want));
    }

    #[test]
    fn a_scalar_parameter_is_left_alone() {
        let method = quote! {
            pub fn limit<T>(self, value: T) -> Self
            where
                T: Into<Option<i64>>,
            {
                if let Some(value) = value.into() {
                    Self(self.0.query_param("limit", value.to_string()))
                } else {
                    Self(self.0.query_param_missing("limit"))
                }
            }
        };
        let file = fixed(method.clone());
        let untouched: syn::File = syn::parse2(quote! {
            pub mod operations {
                impl<'a> ListThingsWhen<'a> {
                    #method
                }
            }
        })
        .unwrap();
        assert_eq!(
            crate::render::format(&file),
            crate::render::format(&untouched)
        );
    }
}
