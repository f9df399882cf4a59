//! Which operation of one document is which operation of another: the one rule the
//! stable names ([`crate::change::stable`]), the wire diff ([`crate::change::diff`]) and the Rust API
//! report ([`crate::change::rust_api`]) share, so that none of them calls a moved operation
//! "removed" while another calls it "renamed".
//!
//! Two operations are the same operation, in this order of evidence:
//! 1. the same method and path shape (path parameters set aside: `/a/{id}` is `/a/{x}`);
//! 2. the same method and a path that differs only in the spelling a maintainer sets
//!    aside: `_` against `-`, letter case, and parameter names
//!    (`/checkout_sessions/{session_id}` is `/checkout-sessions/{id}`), when that match is
//!    unique on both sides;
//! 3. the only operation of a tag and method that went, and the only one of the same tag
//!    and method that came, with as many path parameters: lomi. moved it.
//!
//! A leaf module: it takes plain method, path and tag strings.

use crate::plan::path_shape;

/// An operation as pairing sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpKey<'a> {
    /// The HTTP method, any case.
    pub method: &'a str,
    /// The path template.
    pub path: &'a str,
    /// The operation's first tag, if any.
    pub tag: Option<&'a str>,
}

/// How two operations were found to be one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pairing {
    /// The same method and path shape.
    Same,
    /// The same operation at another path (rule 2 or 3 of the module's doc).
    Moved,
}

/// One operation of the old document paired with one of the new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    /// Its index among the old operations.
    pub old: usize,
    /// Its index among the new operations.
    pub new: usize,
    /// How they were paired.
    pub how: Pairing,
}

/// The path with what a maintainer sets aside removed: parameters as `{}`, lower case,
/// `_` as `-`.
pub fn loose_path(path: &str) -> String {
    path_shape(path).0.to_lowercase().replace('_', "-")
}

/// Pairs `old` with `new` by the rules of the module's doc. Each operation is in at most
/// one pair; the pairs come in the order of `new`.
pub fn pair(old: &[OpKey<'_>], new: &[OpKey<'_>]) -> Vec<Pair> {
    let mut found = Found {
        old: vec![false; old.len()],
        new: vec![false; new.len()],
        pairs: Vec::new(),
    };
    let same_method = |o: &OpKey<'_>, n: &OpKey<'_>| o.method.eq_ignore_ascii_case(n.method);

    // 1. The same method and shape.
    for (n, nk) in new.iter().enumerate() {
        let shape = path_shape(nk.path).0;
        if let Some(o) = (0..old.len()).find(|&o| {
            !found.old[o] && same_method(&old[o], nk) && path_shape(old[o].path).0 == shape
        }) {
            found.take(o, n, Pairing::Same);
        }
    }

    // 2. The same method and loose path, unique both ways.
    let loose = |o: &OpKey<'_>, n: &OpKey<'_>| {
        same_method(o, n) && loose_path(o.path) == loose_path(n.path)
    };
    for (o, n) in found.unique(old, new, &loose) {
        found.take(o, n, Pairing::Moved);
    }

    // 3. The only one of its tag and method that went, and the only one that came.
    let tagged =
        |o: &OpKey<'_>, n: &OpKey<'_>| same_method(o, n) && o.tag.is_some() && o.tag == n.tag;
    let by_tag = |o: &OpKey<'_>, n: &OpKey<'_>| {
        tagged(o, n) && path_shape(o.path).1.len() == path_shape(n.path).1.len()
    };
    for (o, n) in found.unique(old, new, &by_tag) {
        // Alone in its tag and method on both sides, whatever its parameters.
        let went = (0..old.len())
            .filter(|&i| !found.old[i] && tagged(&old[i], &new[n]))
            .count();
        let came = (0..new.len())
            .filter(|&i| !found.new[i] && tagged(&old[o], &new[i]))
            .count();
        if went == 1 && came == 1 {
            found.take(o, n, Pairing::Moved);
        }
    }
    let mut pairs = found.pairs;
    pairs.sort_by_key(|p| p.new);
    pairs
}

/// The pairs found so far, and which operations they took.
struct Found {
    old: Vec<bool>,
    new: Vec<bool>,
    pairs: Vec<Pair>,
}

impl Found {
    fn take(&mut self, old: usize, new: usize, how: Pairing) {
        self.old[old] = true;
        self.new[new] = true;
        self.pairs.push(Pair { old, new, how });
    }

    /// The untaken `(old, new)` that `matches` pairs and nothing else it matches does.
    fn unique(
        &self,
        old: &[OpKey<'_>],
        new: &[OpKey<'_>],
        matches: &dyn Fn(&OpKey<'_>, &OpKey<'_>) -> bool,
    ) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (n, nk) in new.iter().enumerate().filter(|(n, _)| !self.new[*n]) {
            let candidates: Vec<usize> = (0..old.len())
                .filter(|&o| !self.old[o] && matches(&old[o], nk))
                .collect();
            let [o] = candidates[..] else { continue };
            let rivals = new
                .iter()
                .enumerate()
                .filter(|(m, mk)| !self.new[*m] && matches(&old[o], mk))
                .count();
            if rivals == 1 {
                out.push((o, n));
            }
        }
        out
    }
}

/// Whether two server URLs are one server moved: one is the other with one more path
/// segment (`https://api.lomi.africa/v1` and `https://api.lomi.africa`).
pub fn same_server(a: &str, b: &str) -> bool {
    let parent = |u: &str| {
        u.trim_end_matches('/')
            .rsplit_once('/')
            .map(|(p, _)| p.to_string())
    };
    parent(a).as_deref() == Some(b) || parent(b).as_deref() == Some(a)
}

/// [`pair`] on owned `(method, path, first tag)` triples.
pub fn pair_owned(
    old: &[(String, String, Option<String>)],
    new: &[(String, String, Option<String>)],
) -> Vec<Pair> {
    fn view(keys: &[(String, String, Option<String>)]) -> Vec<OpKey<'_>> {
        keys.iter()
            .map(|(method, path, tag)| OpKey {
                method,
                path,
                tag: tag.as_deref(),
            })
            .collect()
    }
    pair(&view(old), &view(new))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key<'a>(method: &'a str, path: &'a str, tag: &'a str) -> OpKey<'a> {
        OpKey {
            method,
            path,
            tag: (!tag.is_empty()).then_some(tag),
        }
    }

    fn pairs(old: &[OpKey<'_>], new: &[OpKey<'_>]) -> Vec<(usize, usize, Pairing)> {
        pair(old, new)
            .into_iter()
            .map(|p| (p.old, p.new, p.how))
            .collect()
    }

    #[test]
    fn the_same_shape_is_the_same_operation() {
        let old = [key("get", "/a/{id}", "A"), key("post", "/a", "A")];
        let new = [key("POST", "/a", "A"), key("GET", "/a/{x}", "")];
        assert_eq!(
            pairs(&old, &new),
            [(1, 0, Pairing::Same), (0, 1, Pairing::Same)]
        );
    }

    #[test]
    fn spelling_case_and_parameter_names_are_set_aside() {
        let old = [
            key("post", "/checkout_sessions", "Checkout Sessions"),
            key("get", "/checkout_sessions", "Checkout Sessions"),
            key(
                "get",
                "/checkout_sessions/{session_id}",
                "Checkout Sessions",
            ),
            key(
                "patch",
                "/checkout_sessions/{session_id}",
                "Checkout Sessions",
            ),
            key(
                "delete",
                "/checkout_sessions/{session_id}",
                "Checkout Sessions",
            ),
        ];
        let new = [
            key("post", "/checkout-sessions", "Checkout Sessions"),
            key("get", "/checkout-sessions", "Checkout Sessions"),
            key("get", "/Checkout-Sessions/{id}", "Checkout Sessions"),
            key("get", "/customers", "Customers"),
        ];
        assert_eq!(
            pairs(&old, &new),
            [
                (0, 0, Pairing::Moved),
                (1, 1, Pairing::Moved),
                (2, 2, Pairing::Moved)
            ]
        );
    }

    #[test]
    fn the_only_one_of_a_tag_and_method_that_moved_is_paired() {
        let old = [
            key("get", "/checkout_sessions/{id}", "Sessions"),
            key("delete", "/checkout_sessions/{id}", "Sessions"),
        ];
        let new = [
            key("get", "/sessions/{id}", "Sessions"),
            key("delete", "/v2/sessions/{id}", "Sessions"),
        ];
        assert_eq!(
            pairs(&old, &new),
            [(0, 0, Pairing::Moved), (1, 1, Pairing::Moved)]
        );
        // Two that went and two that came of one tag and method: no guess.
        let old = [key("get", "/x/{id}", "T"), key("get", "/y/{id}", "T")];
        let new = [key("get", "/p/{id}", "T"), key("get", "/q/{id}", "T")];
        assert!(pairs(&old, &new).is_empty());
        // Another number of path parameters, or no tag: not the same.
        let old = [key("get", "/x/{id}", "T"), key("put", "/z", "")];
        let new = [
            key("get", "/x/{id}/items/{item}", "T"),
            key("put", "/w", ""),
        ];
        assert!(pairs(&old, &new).is_empty());
    }

    #[test]
    fn a_loose_match_with_rivals_is_left_to_the_tag_rule() {
        // `/a_b` and `/a-b` both exist upstream: neither is paired by spelling.
        let old = [key("get", "/a_b", "T")];
        let new = [key("get", "/a-b", "T"), key("get", "/A_B", "T")];
        assert!(pairs(&old, &new).is_empty());
    }
}
