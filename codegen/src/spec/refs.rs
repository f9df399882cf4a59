//! Following `$ref`s in the typed document.

use indexmap::IndexMap;
use openapiv3::{Components, ReferenceOr};

/// The item a (chain of) component reference(s) points to in `section` of `components`;
/// `None` when one dangles or the chain is longer than [`lomi_schema::refs::MAX_REF_HOPS`]
/// (a cycle: the lint reports it), the limit the JSON-level rule has too.
pub fn resolve<'a, T>(
    item: &'a ReferenceOr<T>,
    components: Option<&'a Components>,
    section: impl Fn(&'a Components) -> &'a IndexMap<String, ReferenceOr<T>>,
) -> Option<&'a T> {
    let mut current = item;
    for _ in 0..lomi_schema::refs::MAX_REF_HOPS {
        match current {
            ReferenceOr::Item(item) => return Some(item),
            ReferenceOr::Reference { reference } => {
                let name = reference.rsplit('/').next()?;
                current = section(components?).get(name)?;
            }
        }
    }
    None
}
