//! What an operation does to its resource, decided once for the generator's plan (the
//! `lomi` command's verbs) and the mock (what it does to its store): by the method and
//! whether the path names a collection (it does not end in a parameter) or one item of it
//! (it does), at any depth: `GET /products/{id}/prices` lists a product's prices.

/// The page size a list is walked with when nothing says otherwise (the spec's default
/// for it, a `--page-size`/`--limit`, a builder's setter): the generated `stream()`, the
/// command's `--all` and the mock's lists.
pub const DEFAULT_PAGE_SIZE: u64 = 20;

/// The names a list gives its page size: `limit` beside `offset`, or one of the others
/// beside a page number (`page`), in the order they are looked for.
pub const PAGE_SIZE_NAMES: &[&str] = &["pageSize", "page_size", "perPage", "per_page", "limit"];

/// The names a list's pagination gives its total number of items.
pub const TOTAL_NAMES: &[&str] = &["total", "totalCount", "total_count"];

/// The names a list's pagination gives its number of pages.
pub const PAGE_COUNT_NAMES: &[&str] = &["totalPages", "total_pages"];

/// What an operation does to its resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OperationKind {
    /// `POST` on a collection: `POST /things`, `POST /products/{id}/prices`.
    Create,
    /// `GET` on a collection: `GET /things`, `GET /orgs/{org}/things`.
    List,
    /// `GET` on an item: `GET /things/{id}`.
    Retrieve,
    /// `PATCH` or `PUT` on an item.
    Update,
    /// `DELETE` on an item.
    Delete,
    /// Anything else (`DELETE /things`, `POST /things/{id}`…): named by its operationId.
    Other,
}

/// The kind of the operation `method` (any case) on `path` (a template).
pub fn operation_kind(method: &str, path: &str) -> OperationKind {
    let last = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let item = crate::path::segment_param(last).is_some();
    match (method.to_ascii_uppercase().as_str(), item) {
        ("POST", false) => OperationKind::Create,
        ("GET", false) => OperationKind::List,
        ("GET", true) => OperationKind::Retrieve,
        ("PATCH" | "PUT", true) => OperationKind::Update,
        ("DELETE", true) => OperationKind::Delete,
        _ => OperationKind::Other,
    }
}

/// The collection an operation of `path` works on: its segments without a trailing
/// parameter (`/products/{id}/prices/{price}` → `products/{id}/prices`).
pub fn collection(path: &str) -> String {
    let mut segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segments
        .last()
        .is_some_and(|s| crate::path::segment_param(s).is_some())
    {
        segments.pop();
    }
    segments.join("/")
}

#[cfg(test)]
mod tests {
    use super::OperationKind::*;
    use super::*;

    #[test]
    fn the_kind_follows_the_method_and_the_last_segment_at_any_depth() {
        for (method, path, kind) in [
            ("get", "/things", List),
            ("POST", "/things", Create),
            ("GET", "/things/{id}", Retrieve),
            ("PATCH", "/things/{id}/", Update),
            ("put", "/things/{id}", Update),
            ("DELETE", "/things/{id}", Delete),
            ("GET", "/orgs/{org}/things", List),
            ("POST", "/products/{id}/prices", Create),
            ("GET", "/orgs/{org}/things/{id}", Retrieve),
            ("DELETE", "/things", Other),
            ("POST", "/things/{id}", Other),
            ("HEAD", "/things", Other),
        ] {
            assert_eq!(operation_kind(method, path), kind, "{method} {path}");
        }
        assert_eq!(
            collection("/products/{id}/prices/{price}"),
            "products/{id}/prices"
        );
        assert_eq!(collection("/checkout-sessions"), "checkout-sessions");
        assert_eq!(collection("/"), "");
    }
}
